package id.gerbang.gateway.trail;

import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.context.NodeName;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The trail of this node, in the configured database ({@code spring.datasource.*}). */
@Configuration(proxyBeanMethods = false)
@org.springframework.scheduling.annotation.EnableScheduling
class TrailConfiguration {

    private static final Logger log = LoggerFactory.getLogger(TrailConfiguration.class);

    /**
     * Closed after the web server has stopped (graceful shutdown lets calls in flight finish, with their
     * records), so the writer drains what is waiting before the node exits.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(prefix = "gerbang.trail", name = "enabled", havingValue = "true", matchIfMissing = true)
    AuditTrail auditTrail(DataSource dataSource, NodeName node, GerbangProperties properties,
            io.micrometer.core.instrument.MeterRegistry meters) {
        GerbangProperties.Trail t = properties.trail();
        io.micrometer.core.instrument.Timer commits = io.micrometer.core.instrument.Timer.builder("gerbang.trail.commit")
                .description("insert and commit of one batch of trail records (group commit)")
                .publishPercentileHistogram()
                .register(meters);
        io.micrometer.core.instrument.DistributionSummary batches = io.micrometer.core.instrument.DistributionSummary
                .builder("gerbang.trail.batch")
                .description("records stored by one commit of the trail writer (group commit)")
                .baseUnit("records")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
                .register(meters);
        return new JdbcAuditTrail(dataSource, node.value(), t.maxBatch(), t.queueCapacity(), t.writeTimeout(), t.commitTimeout(),
                t.commitInterval(),
                (records, nanos) -> {
                    commits.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
                    batches.record(records);
                });
    }

    /**
     * No trail at all, for measuring what the trail costs ({@code bench/}). Never in service: calls are
     * then not audited, which is exactly what Gerbang exists to prevent; a node in the {@code production}
     * profile refuses to start with it (docs/operations.md).
     */
    @Bean
    @ConditionalOnProperty(prefix = "gerbang.trail", name = "enabled", havingValue = "false")
    AuditTrail noTrail() {
        log.warn("""
                
                ******************************************************************************
                  gerbang.trail.enabled=false: CALLS ARE NOT AUDITED. For benchmarks only.
                ******************************************************************************""");
        return entry -> null;
    }
}
