package id.gerbang.gateway.trail;

import id.gerbang.gateway.anchor.DemoTsa;
import id.gerbang.gateway.anchor.TimestampClient;
import id.gerbang.gateway.config.GerbangProperties;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
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
    /** {@code gerbang.trail.tsa.url} of the built-in demo TSA. */
    static final String DEMO = "demo";

    /**
     * Closed after the web server has stopped (graceful shutdown lets calls in flight finish, with their
     * records), so the writer drains what is waiting before the node exits.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(prefix = "gerbang.trail", name = "enabled", havingValue = "true", matchIfMissing = true)
    AuditTrail auditTrail(DataSource dataSource, NodeName node, GerbangProperties properties,
            io.micrometer.core.instrument.MeterRegistry meters, TrailGate gate, NodeLease lease) {
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
        io.micrometer.core.instrument.Counter failures = io.micrometer.core.instrument.Counter
                .builder("gerbang.trail.failures")
                .description("records the trail could not store (their callers were refused with 503 AUDIT_UNAVAILABLE)")
                .register(meters);
        PhaseTimers phases = new PhaseTimers(meters);
        return TrailGate.gated(new JdbcAuditTrail(dataSource, node.value(), t.maxBatch(), t.queueCapacity(), t.writeTimeout(), t.commitTimeout(),
                t.commitInterval(),
                new JdbcAuditTrail.BatchObserver() {
                    @Override
                    public void stored(int records, long nanos) {
                        commits.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
                        batches.record(records);
                    }

                    @Override
                    public void phases(JdbcAuditTrail.Phases p) {
                        phases.record(p);
                    }

                    @Override
                    public void woke(long nanos) {
                        phases.wake.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
                    }

                    @Override
                    public void failed(int records) {
                        failures.increment(records);
                    }
                }).writingUnder(lease), gate);
    }

    /**
     * {@code gerbang.trail.phase} (seconds, tag {@code phase}): where the time of the records stored went, per
     * batch and phase ({@link JdbcAuditTrail.Phases}: connect, chain, insert, tree, commit, release); {@code
     * queued} (hand-over to the start of its batch) and {@code wake} (release to the caller running) are per
     * record. A
     * phase's mean is its {@code _sum} over its {@code _count}: no histogram, so the cost per record stays a
     * few additions.
     */
    static final class PhaseTimers {
        final io.micrometer.core.instrument.Timer queued;
        final io.micrometer.core.instrument.Timer connect;
        final io.micrometer.core.instrument.Timer chain;
        final io.micrometer.core.instrument.Timer insert;
        final io.micrometer.core.instrument.Timer tree;
        final io.micrometer.core.instrument.Timer commit;
        final io.micrometer.core.instrument.Timer release;
        final io.micrometer.core.instrument.Timer wake;

        PhaseTimers(io.micrometer.core.instrument.MeterRegistry meters) {
            queued = timer(meters, "queued");
            connect = timer(meters, "connect");
            chain = timer(meters, "chain");
            insert = timer(meters, "insert");
            tree = timer(meters, "tree");
            commit = timer(meters, "commit");
            release = timer(meters, "release");
            wake = timer(meters, "wake");
        }

        private static io.micrometer.core.instrument.Timer timer(io.micrometer.core.instrument.MeterRegistry meters,
                String phase) {
            return io.micrometer.core.instrument.Timer.builder("gerbang.trail.phase").tag("phase", phase)
                    .description("where the trail writer's time goes, by phase: queued and wake per record, the others per batch")
                    .register(meters);
        }

        void record(JdbcAuditTrail.Phases p) {
            java.util.concurrent.TimeUnit ns = java.util.concurrent.TimeUnit.NANOSECONDS;
            // queued is a sum over the batch's records: recorded as that many waits of their mean
            long mean = p.queued() / p.records();
            for (int i = 0; i < p.records(); i++) {
                queued.record(mean, ns);
            }
            connect.record(p.connect(), ns);
            chain.record(p.chain(), ns);
            insert.record(p.insert(), ns);
            tree.record(p.tree(), ns);
            commit.record(p.commit(), ns);
            release.record(p.release(), ns);
        }
    }

    @Bean
    TrailGate trailGate() {
        return new TrailGate();
    }

    /**
     * This node's lease on its name, taken before anything is written: the node refuses to start while
     * another running node holds the name ({@link NodeLease.TakenException}, explained by
     * {@link NodeLeaseFailureAnalyzer}). Released after the trail has stored its last records.
     */
    @Bean(destroyMethod = "close")
    @org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization
    NodeLease nodeLease(DataSource dataSource, NodeName node, GerbangProperties properties) throws java.sql.SQLException {
        GerbangProperties.Lease settings = properties.trail().lease();
        NodeLease lease = new NodeLease(dataSource, node.value(), settings.ttl());
        lease.acquire();
        lease.renewEvery(settings.renewal());
        return lease;
    }

    /**
     * Checkpoints of this node's tree, signed and timestamped (docs/trail.md, "Anchoring"). Made after the
     * trail (whose start completes the tree of a trail written before anchoring); a database whose tree does
     * not hold the checkpoint kept beside the signing key stops the start here.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(prefix = "gerbang.trail", name = "enabled", havingValue = "true", matchIfMissing = true)
    TrailAnchoring trailAnchoring(AuditTrail auditTrail, TrailKeys keys, TrailCheckpoints checkpoints, TrailProofs proofs,
            GerbangProperties properties, TrailGate gate, io.micrometer.core.instrument.MeterRegistry meters) throws java.sql.SQLException {
        GerbangProperties.Trail t = properties.trail();
        GerbangProperties.Tsa tsa = t.tsa();
        DemoTsa demo = null;
        TimestampClient client;
        if (DEMO.equals(tsa.url())) {
            demo = DemoTsa.start(properties.dataDir());
            client = new TimestampClient(demo.url(), null, null, demo.caCertificate(), 3, Duration.ofMillis(200), Duration.ofSeconds(10));
            log.warn("""
                    
                    ******************************************************************************
                      gerbang.trail.tsa.url=demo: checkpoints are timestamped by the built-in DEMO TSA
                      ({}), whose key is on this node: its timestamps prove nothing to an auditor.
                      Set gerbang.trail.tsa.url (and .certificate) to a real TSA for service.
                    ******************************************************************************""", demo.url());
        } else {
            if (tsa.certificate() == null) {
                throw new IllegalStateException("gerbang.trail.tsa.certificate is required with gerbang.trail.tsa.url=" + tsa.url()
                        + ": the TSA's certificate or its CA's (PEM), to check each token");
            }
            client = new TimestampClient(URI.create(tsa.url()), tsa.username(), tsa.password(), certificate(tsa.certificate()), 5,
                    Duration.ofSeconds(1), Duration.ofSeconds(30));
        }
        TrailAnchoring anchoring = new TrailAnchoring(keys, checkpoints, proofs, t.origin(), t.checkpointInterval(), client::timestamp,
                tsa.maxFailurePeriod(), Clock.systemUTC(), gate, meters, demo);
        try {
            anchoring.start();
        } catch (java.sql.SQLException | RuntimeException e) {
            if (demo != null) {
                demo.close();
            }
            throw e;
        }
        return anchoring;
    }

    static X509Certificate certificate(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | CertificateException | ClassCastException e) {
            throw new IllegalStateException("gerbang.trail.tsa.certificate " + pem + " is not a readable X.509 certificate (PEM): "
                    + e.getMessage(), e);
        }
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
