package id.gerbang.gateway.trail;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import id.gerbang.gateway.config.GerbangProperties;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retention on H2: old records purged per node, a checkpoint left, what remains still verifies. */
class TrailRetentionTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final Instant NOW = Instant.now();
    private static final Instant OLD = NOW.minus(Duration.ofDays(400));

    HikariDataSource db;
    JdbcAuditTrail trail;
    TrailRetention retention;
    TrailQueries queries;

    @BeforeEach
    void database() {
        db = TrailQueriesTest.pool("jdbc:h2:mem:retention-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1", "gerbang", "");
        Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
        trail = new JdbcAuditTrail(db, "gerbang-a", 64, 1000, Duration.ofSeconds(5));
        retention = new TrailRetention(db, trail, properties(Duration.ofDays(365)));
        queries = new TrailQueries(db, java.util.Set.of("gerbang-a", "gerbang-lama"));
    }

    @AfterEach
    void close() throws Exception {
        trail.close();
        db.close();
    }

    private static GerbangProperties properties(Duration keep) {
        GerbangProperties defaults = org.springframework.boot.context.properties.bind.Binder
                .get(new org.springframework.core.env.StandardEnvironment()).bindOrCreate("gerbang", GerbangProperties.class);
        GerbangProperties.Trail t = defaults.trail();
        return new GerbangProperties(defaults.node(), defaults.dataDir(), defaults.security(), defaults.routes(),
                defaults.upstreams(), defaults.proxy(),
                new GerbangProperties.Trail(t.enabled(), t.maxBatch(), t.queueCapacity(), t.writeTimeout(), t.commitTimeout(), t.commitInterval(), keep, t.retentionCheck(), t.nodes(),
                        t.checkpointInterval(), t.origin(), t.signingKeyFile(), t.trustedKeys(), t.tsa(), t.lease()),
                defaults.sandbox());
    }

    @Test
    void looksForOldRecordsEveryRetentionCheckTheFirstTimeAMinuteAfterStart() {
        GerbangProperties every10s = org.springframework.boot.context.properties.bind.Binder.get(
                new org.springframework.mock.env.MockEnvironment().withProperty("gerbang.trail.retention-check", "10s"))
                .bindOrCreate("gerbang", GerbangProperties.class);
        var tasks = new org.springframework.scheduling.config.ScheduledTaskRegistrar();

        new TrailRetention(db, trail, every10s).configureTasks(tasks);

        assertThat(tasks.getFixedDelayTaskList()).singleElement().satisfies(task -> {
            assertThat(task.getIntervalDuration()).isEqualTo(Duration.ofSeconds(10));
            assertThat(task.getInitialDelayDuration()).isEqualTo(Duration.ofMinutes(1));
        });
        assertThat(properties(Duration.ofDays(1)).trail().retentionCheck()).as("the default").isEqualTo(Duration.ofHours(1));
    }

    private void write(JdbcAuditTrail to, Instant at, int n) {
        for (int i = 0; i < n; i++) {
            to.record(Chains.entry(at.plusMillis(i), "dinkes-simpus", 200));
        }
    }

    @Test
    void purgesOldRecordsLeavesACheckpointAndWhatRemainsVerifiesFromIt() throws SQLException {
        write(trail, OLD, 10);
        write(trail, NOW, 5);

        TrailRetention.Purge purge = retention.purge(NOW.minus(Duration.ofDays(365)));

        assertThat(purge.throughSeq()).isEqualTo(Map.of("gerbang-a", 10L));
        assertThat(purge.records()).isEqualTo(10);
        assertThat(count("SELECT COUNT(*) FROM audit_record WHERE kind = 'call'")).isEqualTo(5);
        assertThat(count("SELECT COUNT(*) FROM audit_record WHERE kind = 'trail-purge'")).isEqualTo(1);
        TrailVerifier.Result verified = queries.verify(null, null);
        assertThat(verified.valid()).as(verified.reason()).isTrue();
        assertThat(verified.reason()).contains("retention checkpoint").contains("records 1 to 10");
    }

    @Test
    void aPeriodStartingAtTheCheckpointIsProvenByThePurgeRecordOutsideIt() throws SQLException {
        write(trail, OLD, 10);
        write(trail, NOW, 5);
        retention.purge(NOW.minus(Duration.ofDays(365)));

        // the period holds records 11 to 15; the purge record (16) was written later, outside it
        TrailVerifier.Result verified = queries.verify(NOW.minusMillis(1), NOW.plusMillis(5));
        assertThat(verified.valid()).as(verified.reason()).isTrue();
        assertThat(verified.checked()).isEqualTo(5);
        assertThat(verified.reason()).contains("retention checkpoint (records 1 to 10");

        // the purge record edited: its hash no longer matches, so it proves nothing
        TrailQueriesTest.execute(db, "UPDATE audit_record SET detail = REPLACE(detail, '\"records\":10', '\"records\":9') "
                + "WHERE kind = 'trail-purge'");
        TrailVerifier.Result forged = queries.verify(NOW.minusMillis(1), NOW.plusMillis(5));
        assertThat(forged.valid()).isFalse();
        assertThat(forged.reason()).contains("not announced by a trail-purge record on a verified chain");
    }

    @Test
    void aCheckpointRowInsertedWithoutAPurgeIsNotTrusted() throws SQLException {
        // retention never ran: an insider deletes the first records and claims them purged
        write(trail, OLD, 4);
        write(trail, NOW, 3);
        String hash4;
        try (var c = db.getConnection(); var s = c.createStatement();
             var rs = s.executeQuery("SELECT hash FROM audit_record WHERE node_seq = 4")) {
            rs.next();
            hash4 = rs.getString(1);
        }
        TrailQueriesTest.execute(db, "DELETE FROM audit_record WHERE node_seq <= 4");
        TrailQueriesTest.execute(db, "INSERT INTO trail_checkpoint (node, through_seq, through_hash, purged_before) "
                + "VALUES ('gerbang-a', 4, '" + hash4 + "', TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00')");

        TrailVerifier.Result verified = queries.verify(null, null);
        assertThat(verified.valid()).isFalse();
        assertThat(verified.reason()).contains("records 1 to 4 of node gerbang-a are missing");
    }

    @Test
    void deletingTheFirstRecordAfterTheCheckpointIsSeen() throws SQLException {
        write(trail, OLD, 4);
        write(trail, NOW, 3);
        retention.purge(NOW.minus(Duration.ofDays(365)));

        TrailQueriesTest.execute(db, "DELETE FROM audit_record WHERE node = 'gerbang-a' AND node_seq = 5");

        TrailVerifier.Result verified = queries.verify(null, null);
        assertThat(verified.valid()).isFalse();
        assertThat(verified.reason()).contains("records 5 to 5 of node gerbang-a are missing");
    }

    @Test
    void aPurgeOfNothingChangesNothing() throws SQLException {
        write(trail, NOW, 3);

        assertThat(retention.purge(NOW.minus(Duration.ofDays(365))).records()).isZero();
        assertThat(count("SELECT COUNT(*) FROM audit_record")).isEqualTo(3);
        assertThat(count("SELECT COUNT(*) FROM trail_checkpoint")).isZero();
    }

    @Test
    void aNodeWhoseRecordsWereAllPurgedGoesOnFromItsCheckpoint() throws Exception {
        JdbcAuditTrail retired = new JdbcAuditTrail(db, "gerbang-lama", 64, 1000, Duration.ofSeconds(5));
        write(retired, OLD, 6);
        retired.close();
        write(trail, NOW, 2);

        retention.purge(NOW.minus(Duration.ofDays(365)));
        assertThat(count("SELECT COUNT(*) FROM audit_record WHERE node = 'gerbang-lama'")).isZero();

        JdbcAuditTrail back = new JdbcAuditTrail(db, "gerbang-lama", 64, 1000, Duration.ofSeconds(5));
        AuditRecord next = back.record(Chains.entry(NOW, "dinkes-simpus", 200));
        back.close();
        assertThat(next.nodeSeq()).isEqualTo(7);
        TrailVerifier.Result verified = queries.verify(null, null);
        assertThat(verified.valid()).as(verified.reason()).isTrue();
    }

    private long count(String sql) throws SQLException {
        try (var c = db.getConnection(); var s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
