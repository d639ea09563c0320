package id.gerbang.gateway.trail;

import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.pipeline.NodeName;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The trail of this node, in the configured database ({@code spring.datasource.*}). */
@Configuration(proxyBeanMethods = false)
class TrailConfiguration {

    /**
     * Closed after the web server has stopped (graceful shutdown lets calls in flight finish, with their
     * records), so the writer drains what is waiting before the node exits.
     */
    @Bean(destroyMethod = "close")
    JdbcAuditTrail auditTrail(DataSource dataSource, NodeName node, GerbangProperties properties) {
        GerbangProperties.Trail t = properties.trail();
        return new JdbcAuditTrail(dataSource, node.value(), t.maxBatch(), t.queueCapacity(), t.writeTimeout());
    }
}
