package id.gerbang.gateway.trail;

import static id.gerbang.gateway.trail.JdbcAuditTrailTest.served;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import id.gerbang.gateway.anchor.Checkpoint;
import id.gerbang.gateway.anchor.DemoTsa;
import id.gerbang.gateway.anchor.NoteVerifier;
import id.gerbang.gateway.anchor.SignedNote;
import id.gerbang.gateway.anchor.SigningKeys;
import id.gerbang.gateway.anchor.TimestampClient;
import id.gerbang.gateway.anchor.TimestampException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint service on H2 with the demo TSA: signing, the file beside the key, start-up refusal, the TSA rule, rotation. */
class TrailAnchoringTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final String NODE = "node-a";
    private static DemoTsa demo;

    @TempDir
    Path dir;

    HikariDataSource db;
    JdbcAuditTrail trail;
    TrailKeys keys;
    TrailCheckpoints checkpoints;
    TrailProofs proofs;
    TrailGate gate;
    SimpleMeterRegistry meters;
    MutableClock clock;
    final AtomicBoolean tsaDown = new AtomicBoolean();

    @BeforeAll
    static void tsa() {
        demo = DemoTsa.start();
    }

    @AfterAll
    static void stopTsa() {
        demo.close();
    }

    @BeforeEach
    void database() {
        db = TrailQueriesTest.pool("jdbc:h2:mem:anchoring-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1", "gerbang", "");
        Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
        trail = new JdbcAuditTrail(db, NODE, 64, 1000, Duration.ofSeconds(10));
        keys = new TrailKeys(NODE, "gerbang", dir.resolve("trail-node-a.key"), null);
        checkpoints = new TrailCheckpoints(db);
        proofs = new TrailProofs(db);
        gate = new TrailGate();
        meters = new SimpleMeterRegistry();
        clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    }

    @AfterEach
    void close() throws Exception {
        trail.close();
        db.close();
    }

    TrailAnchoring anchoring(Duration maxFailurePeriod) throws Exception {
        TimestampClient client = new TimestampClient(demo.url(), null, null, demo.caCertificate(), 1, Duration.ofMillis(1), Duration.ofSeconds(10));
        Function<byte[], TimestampClient.Timestamp> tsa = data -> {
            if (tsaDown.get()) {
                throw new TimestampException("the TSA is down in this test", null);
            }
            return client.timestamp(data);
        };
        TrailAnchoring a = new TrailAnchoring(keys, checkpoints, proofs, "gerbang", Duration.ofSeconds(60), tsa, maxFailurePeriod,
                clock, gate, meters, null);
        a.start();
        return a;
    }

    void records(int n) {
        for (int i = 0; i < n; i++) {
            trail.record(served("a-" + i));
        }
    }

    @Test
    void signsACheckpointWhenTheTreeGrewAndNotOtherwise() throws Exception {
        TrailAnchoring anchoring = anchoring(Duration.ofHours(4));
        assertThat(anchoring.checkpoint()).as("no record yet: nothing to sign").isEmpty();
        records(3);

        SignedNote first = anchoring.checkpoint().orElseThrow();
        assertThat(anchoring.checkpoint()).as("the tree did not grow").isEmpty();
        records(2);
        SignedNote second = anchoring.checkpoint().orElseThrow();

        Checkpoint c1 = Checkpoint.verified(first, List.of(keys.verifier()));
        Checkpoint c2 = Checkpoint.verified(second, List.of(NoteVerifier.parse(keys.verifier().verifierKey())));
        assertThat(c1.origin()).isEqualTo("gerbang/node-a");
        assertThat(c1.treeSize()).isEqualTo(3);
        assertThat(c1.rootHash()).isEqualTo(proofs.rootHash(NODE, 3));
        assertThat(c2.treeSize()).isEqualTo(5);
        assertThat(c2.rootHash()).isEqualTo(proofs.rootHash(NODE, 5));
        assertThat(checkpoints.list(NODE, null, null, 10)).extracting(StoredCheckpoint::treeSize).containsExactly(3L, 5L);
        assertThat(checkpoints.latest(NODE).orElseThrow().note()).isEqualTo(second.toString());
        assertThat(Files.readString(keys.checkpointFile())).as("the file beside the key holds the latest").isEqualTo(second.toString());
        assertThat(keys.checkpointFile().getParent()).isEqualTo(keys.signingKeyFile().getParent());
        assertThat(checkpoints.keys()).extracting(TrailCheckpoints.PublishedKey::verifierKey).containsExactly(keys.verifier().verifierKey());
        assertThat(meters.counter("gerbang.trail.checkpoints").count()).isEqualTo(2);
        assertThat(meters.get("gerbang.trail.checkpoint.size").gauge().value()).isEqualTo(5);
    }

    @Test
    void everyCheckpointIsTimestampedOverTheNoteAsServed() throws Exception {
        TrailAnchoring anchoring = anchoring(Duration.ofHours(4));
        records(4);
        SignedNote note = anchoring.checkpoint().orElseThrow();

        StoredCheckpoint stored = checkpoints.latest(NODE).orElseThrow();
        assertThat(stored.stamped()).isTrue();
        Instant time = TimestampClient.verifyToken(stored.timestampToken(), note.toString().getBytes(StandardCharsets.UTF_8),
                demo.caCertificate());
        assertThat(stored.stampedAt()).isEqualTo(time);
        assertThat(meters.get("gerbang.trail.timestamp.waiting").gauge().value()).isZero();
    }

    /** The auditors' command in docs/trail.md ("Anchoring"), run where openssl is installed. */
    @Test
    void theTimestampVerifiesWithOpensslAsDocumented() throws Exception {
        Assumptions.assumeTrue(openssl("version") == 0, "openssl is not installed: the documented openssl ts -verify is not run");
        TrailAnchoring anchoring = anchoring(Duration.ofHours(4));
        records(2);
        anchoring.checkpoint();
        StoredCheckpoint stored = checkpoints.latest(NODE).orElseThrow();
        // what an auditor has: the note as /audit/checkpoints/{node}/latest serves it, the base64 token of
        // /audit/checkpoints, the TSA's CA certificate and its own
        Files.writeString(dir.resolve("checkpoint.note"), stored.note());
        Files.write(dir.resolve("checkpoint.tsr"), Base64.getDecoder().decode(Base64.getEncoder().encodeToString(stored.timestampToken())));
        Files.writeString(dir.resolve("tsa-ca.pem"), DemoTsa.pem(demo.caCertificate()));
        Files.writeString(dir.resolve("tsa.pem"), DemoTsa.pem(demo.tsaCertificate()));
        assertThat(openssl("ts", "-verify", "-data", "checkpoint.note", "-in", "checkpoint.tsr", "-token_in",
                "-CAfile", "tsa-ca.pem", "-untrusted", "tsa.pem")).as("openssl ts -verify exit code").isZero();
        Files.writeString(dir.resolve("checkpoint.note"), stored.note().replace("gerbang/node-a", "gerbang/node-b"));
        assertThat(openssl("ts", "-verify", "-data", "checkpoint.note", "-in", "checkpoint.tsr", "-token_in",
                "-CAfile", "tsa-ca.pem", "-untrusted", "tsa.pem")).as("another note does not verify").isNotZero();
    }

    private int openssl(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            return p.exitValue();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    @Test
    void aRestartedNodeContinuesFromItsCheckpointFile() throws Exception {
        anchoring(Duration.ofHours(4));
        records(3);
        anchoring(Duration.ofHours(4)).checkpoint();
        records(1);

        TrailAnchoring again = anchoring(Duration.ofHours(4));
        assertThat(again.last().orElseThrow().treeSize()).isEqualTo(3);
        assertThat(again.checkpoint().orElseThrow().text()).contains("\n4\n");
    }

    @Test
    void aDatabaseCutBelowTheCheckpointFileStopsTheStart() throws Exception {
        records(5);
        anchoring(Duration.ofHours(4)).checkpoint();
        trail.close();
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) { // the insider's truncation
            s.executeUpdate("DELETE FROM audit_record WHERE node = 'node-a' AND node_seq > 3");
            s.executeUpdate("DELETE FROM trail_tree_node WHERE node = 'node-a' AND idx >= 3 AND level = 0");
            s.executeUpdate("DELETE FROM trail_tree_node WHERE node = 'node-a' AND level > 0 AND (idx + 1) * POWER(2, level) > 3");
        }
        assertThat(proofs.treeSize(NODE)).isEqualTo(3);

        assertThatThrownBy(() -> anchoring(Duration.ofHours(4)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not consistent with the checkpoint this node signed last")
                .hasMessageContaining(keys.checkpointFile().toString())
                .hasMessageContaining("has 3 leaves, the checkpoint covers 5");
    }

    @Test
    void aRewrittenTreeStopsTheStart() throws Exception {
        records(4);
        anchoring(Duration.ofHours(4)).checkpoint();
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) { // a leaf and everything above it, rewritten
            s.executeUpdate("UPDATE trail_tree_node SET hash = X'" + "00".repeat(32) + "' WHERE node = 'node-a' AND level = 2 AND idx = 0");
        }
        assertThatThrownBy(() -> anchoring(Duration.ofHours(4)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another root than the checkpoint");
    }

    @Test
    void aCheckpointFileNotSignedByThisNodesKeyStopsTheStart() throws Exception {
        records(2);
        anchoring(Duration.ofHours(4)).checkpoint();
        Files.delete(keys.signingKeyFile()); // the key replaced without rotating
        keys = new TrailKeys(NODE, "gerbang", dir.resolve("trail-node-a.key"), null);
        assertThatThrownBy(() -> anchoring(Duration.ofHours(4)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is not signed by this node's key");
    }

    /**
     * The failure rule with a period of two minutes, on a clock the test moves (the setting's least is one
     * minute; the service is built here directly).
     */
    @Test
    void aTsaFailingPastTheMaxFailurePeriodMakesTheTrailRefuseCallsUntilAStampSucceeds() throws Exception {
        AuditTrail gated = TrailGate.gated(trail, gate);
        TrailAnchoring anchoring = anchoring(Duration.ofMinutes(2));
        tsaDown.set(true);
        records(2);
        anchoring.checkpoint();
        assertThat(checkpoints.latest(NODE).orElseThrow().stamped()).isFalse();
        assertThat(gated.available()).as("within the period calls are taken").isTrue();

        clock.advance(Duration.ofMinutes(1));
        records(1);
        anchoring.checkpoint();
        assertThat(gated.available()).isTrue();
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        anchoring.checkpoint();
        assertThat(gated.available()).as("the first checkpoint waited past the period").isFalse();
        assertThat(gate.refusal()).contains("max-failure-period");
        assertThat(meters.get("gerbang.trail.timestamp.overdue").gauge().value()).isEqualTo(1);
        assertThat(meters.counter("gerbang.trail.timestamp.failures").count()).isEqualTo(3);
        assertThat(gated.record(served("refused-while-overdue")).nodeSeq()).as("refusals are still recorded").isEqualTo(4);

        tsaDown.set(false);
        anchoring.checkpoint();
        assertThat(gated.available()).as("every checkpoint stamped again").isTrue();
        assertThat(checkpoints.list(NODE, null, null, 10)).hasSize(3).allSatisfy(c -> {
            assertThat(c.stamped()).isTrue();
            TimestampClient.verifyToken(c.timestampToken(), c.note().getBytes(StandardCharsets.UTF_8), demo.caCertificate());
        });
    }

    @Test
    void aNewKeyIsIntroducedByACheckpointSignedWithTheOldOneToo() throws Exception {
        TrailAnchoring anchoring = anchoring(Duration.ofHours(4));
        records(3);
        SignedNote before = anchoring.checkpoint().orElseThrow();
        NoteVerifier oldKey = keys.verifier();
        NoteVerifier newKey = SigningKeys.create(keys.nextKeyFile(), keys.keyName()).verifier();

        SignedNote introducing = anchoring.checkpoint().orElseThrow(); // the tree did not grow: signed for the rotation
        assertThat(introducing.verify(List.of(oldKey, newKey))).containsExactly(oldKey, newKey);
        assertThat(keys.verifier()).isEqualTo(newKey);
        assertThat(keys.nextKeyFile()).doesNotExist();
        assertThat(SigningKeys.load(keys.signingKeyFile(), keys.keyName()).verifier()).isEqualTo(newKey);
        assertThat(keys.trustedVerifiers()).as("without a trusted-keys file: this node's keys, old ones included")
                .containsExactlyInAnyOrder(oldKey, newKey);
        assertThat(Checkpoint.verified(before, keys.trustedVerifiers()).treeSize()).as("old checkpoints verify with the old key").isEqualTo(3);
        assertThat(checkpoints.keys()).extracting(TrailCheckpoints.PublishedKey::verifierKey)
                .containsExactlyInAnyOrder(oldKey.verifierKey(), newKey.verifierKey());

        records(1);
        SignedNote after = anchoring.checkpoint().orElseThrow();
        assertThat(after.verify(List.of(oldKey, newKey))).containsExactly(newKey);

        keys = new TrailKeys(NODE, "gerbang", dir.resolve("trail-node-a.key"), null); // restarted
        assertThat(anchoring(Duration.ofHours(4)).last().orElseThrow().treeSize()).isEqualTo(4);
        assertThat(keys.trustedVerifiers()).containsExactlyInAnyOrder(oldKey, newKey);
    }

    /** A purge of old records keeps the tree rows and the checkpoints: proofs still work afterwards. */
    @Test
    void retentionKeepsTheTreeAndTheCheckpoints() throws Exception {
        records(6);
        TrailAnchoring anchoring = anchoring(Duration.ofHours(4));
        anchoring.checkpoint();
        byte[] root = proofs.rootHash(NODE, 6);
        TrailRetention retention = new TrailRetention(db, trail, org.springframework.boot.context.properties.bind.Binder
                .get(new org.springframework.mock.env.MockEnvironment()).bindOrCreate("gerbang", id.gerbang.gateway.config.GerbangProperties.class));
        assertThat(retention.purge(Instant.now().plusSeconds(3600)).records()).isGreaterThanOrEqualTo(6);

        assertThat(proofs.treeSize(NODE)).as("the six purged records' leaves and the purge's own record").isEqualTo(7);
        assertThat(proofs.rootHash(NODE, 6)).isEqualTo(root);
        assertThat(proofs.inclusion(NODE, 2, 6)).isNotEmpty();
        assertThat(checkpoints.latest(NODE).orElseThrow().treeSize()).isEqualTo(6);
        assertThat(anchoring.checkpoint()).isPresent();
        assertThat(anchoring(Duration.ofHours(4)).last()).isPresent();
    }

    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
