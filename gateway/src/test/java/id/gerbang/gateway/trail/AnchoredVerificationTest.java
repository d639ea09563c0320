package id.gerbang.gateway.trail;

import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.gateway.TestDatabases;
import id.gerbang.gateway.anchor.Checkpoint;
import id.gerbang.gateway.anchor.MerkleTree;
import id.gerbang.gateway.anchor.NoteSigner;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /audit/verify}'s checking against signed checkpoints, on a real store: the insider, who can
 * write the database but holds no node's signing key, rewrites records and recomputes every later hash
 * and tree row, or removes a node's newest records; the hash chain alone still verifies, the checkpoints
 * do not. The same body on H2 and PostgreSQL.
 */
abstract class AnchoredVerificationTest {

    static final String A = "gerbang-a";
    static final String B = "gerbang-b";
    static final Instant T = Instant.parse("2026-11-27T02:00:00Z");

    abstract TestDatabases.Database newDatabase() throws Exception;

    private TestDatabases.Database db;
    private DataSource ds;
    private JdbcAuditTrail nodeA;
    private JdbcAuditTrail nodeB;
    private final NoteSigner keyA = Anchors.key(A);
    private final NoteSigner keyB = Anchors.key(B);
    private TrailCheckpoints checkpoints;
    private TrailQueries queries;
    private TrailQueries chainOnly;
    private String latestOfA;

    @BeforeEach
    void fresh() throws Exception {
        db = newDatabase();
        ds = db.pool();
        nodeA = new JdbcAuditTrail(ds, A, 512, 1000, Duration.ofSeconds(10));
        nodeB = new JdbcAuditTrail(ds, B, 512, 1000, Duration.ofSeconds(10));
        checkpoints = new TrailCheckpoints(ds);
        queries = new TrailQueries(ds, Set.of(A, B), Anchors.ORIGIN, () -> List.of(keyA.verifier(), keyB.verifier()));
        chainOnly = new TrailQueries(ds, Set.of(A, B));
        for (int i = 0; i < 30; i++) {
            nodeA.record(TrailQueriesTest.call(T.plusSeconds(60L * i), "dinkes-simpus", "dinkes", "disdukcapil-penduduk",
                    "disdukcapil", 200, "a-" + i));
            if (i < 10) {
                nodeB.record(TrailQueriesTest.call(T.plusSeconds(60L * i + 30), "bapenda-sipd", "bapenda",
                        "disdukcapil-penduduk", "disdukcapil", 200, "b-" + i));
            }
        }
        treeFromRecords(A);
        treeFromRecords(B);
        sign(keyA, A, 10);
        latestOfA = sign(keyA, A, 25);
        sign(keyB, B, 8);
        checkpoints.publishKey(A, keyA.verifier().verifierKey(), T);
        checkpoints.publishKey(B, keyB.verifier().verifierKey(), T);
    }

    @AfterEach
    void drop() throws Exception {
        nodeA.close();
        nodeB.close();
        db.close();
    }

    // ------------------------------------------------------------------ what a node and an insider do

    /** Appends to the node's stored tree the leaves of its records it lacks (a node's writer does this). */
    private void treeFromRecords(String node) throws Exception {
        JdbcMerkleNodeStore store = JdbcMerkleNodeStore.open(ds, node);
        MerkleTree tree = new MerkleTree(store);
        for (AuditRecord r : records(node)) {
            if (r.nodeSeq() > tree.size()) {
                tree.append(HexFormat.of().parseHex(r.hash()));
            }
        }
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            store.insertPending(c);
            c.commit();
        }
        store.pendingCommitted();
    }

    /** Signs the node's checkpoint at {@code size} over its stored tree and keeps it, as the node does. */
    private String sign(NoteSigner key, String node, long size) throws Exception {
        byte[] root = new TrailProofs(ds).rootHash(node, size);
        Instant time = T.plusSeconds(7200 + size);
        String note = Checkpoint.of(Anchors.ORIGIN, node, size, root, time).sign(key).toString();
        checkpoints.insert(node, size, root, time, note);
        return note;
    }

    private List<AuditRecord> records(String node) throws SQLException {
        List<AuditRecord> found = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT " + TrailField.COLUMNS + " FROM audit_record WHERE node = ? ORDER BY node_seq")) {
            s.setString(1, node);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    found.add(TrailQueries.map(rs));
                }
            }
        }
        return found;
    }

    /** The hash chain alone, checked over every record in the store. */
    private TrailVerifier.Result plainChain() throws SQLException {
        TrailVerifier chain = new TrailVerifier(Set.of(A, B));
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT " + TrailField.COLUMNS + " FROM audit_record ORDER BY id"); ResultSet rs = s.executeQuery()) {
            while (rs.next() && chain.accept(TrailQueries.map(rs))) {
                // checked one by one
            }
        }
        return chain.result();
    }

    private void sql(String statement, Object... params) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement(statement)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            s.executeUpdate();
        }
    }

    /**
     * The insider's rewrite: record {@code seq} of the node gets another client, and every later record of
     * the node its recomputed prevHash and hash; then the node's tree rows are rebuilt from the new hashes.
     */
    private void rewrite(String node, long seq) throws Exception {
        String prev = null;
        for (AuditRecord r : records(node)) {
            if (r.nodeSeq() < seq) {
                prev = r.hash();
                continue;
            }
            AuditRecord changed = r.nodeSeq() == seq ? RecordHashTest.copy(r, "clientId", "bapenda-sipd") : r;
            changed = RecordHashTest.copy(changed, "prevHash", prev);
            String hash = RecordHash.of(changed);
            sql("UPDATE audit_record SET client_id = ?, prev_hash = ?, hash = ? WHERE node = ? AND node_seq = ?",
                    changed.clientId(), prev, hash, node, r.nodeSeq());
            prev = hash;
        }
        sql("DELETE FROM trail_tree_node WHERE node = ?", node);
        treeFromRecords(node);
    }

    /** The insider's cut: the node's records after {@code keep} and their tree rows go. */
    private void truncate(String node, long keep) throws Exception {
        sql("DELETE FROM audit_record WHERE node = ? AND node_seq > ?", node, keep);
        sql("DELETE FROM trail_tree_node WHERE node = ?", node);
        treeFromRecords(node);
    }

    private static List<AnchorVerifier.Problem> problems(TrailVerifier.Result r) {
        return r.anchoring().findings().stream().map(AnchorVerifier.Finding::problem).toList();
    }

    // ------------------------------------------------------------------ the tests

    @Test
    void anHonestTrailIsAnchoredThroughEachNodesLatestCheckpoint() throws Exception {
        TrailVerifier.Result r = queries.verify(null, null);

        assertThat(r.valid()).as(String.valueOf(r)).isTrue();
        assertThat(r.checked()).isEqualTo(40);
        assertThat(r.anchoring().checkpoints()).isEqualTo(3);
        assertThat(r.anchoring().nodes()).containsExactly(
                new AnchorVerifier.NodeReport(A, 30, 25L, 2), new AnchorVerifier.NodeReport(B, 10, 8L, 1));
        assertThat(r.reason()).contains("records 26 to 30 of node gerbang-a are not covered by a checkpoint");
    }

    @Test
    void aTrailWithoutCheckpointsOrKeysVerifiesAsBefore() throws Exception {
        sql("DELETE FROM trail_signed_checkpoint");
        sql("DELETE FROM trail_signing_key");

        assertThat(chainOnly.verify(null, null)).isEqualTo(new TrailVerifier.Result(true, 40, null, null));
    }

    @Test
    void anInsidersRewriteWithEveryLaterHashAndTreeRowRecomputedIsReported() throws Exception {
        rewrite(A, 7);
        assertThat(plainChain()).isEqualTo(new TrailVerifier.Result(true, 40, null, null)); // the hash chain alone sees nothing

        TrailVerifier.Result r = queries.verify(null, null);

        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).isNull();
        assertThat(r.reason()).contains("do not give the root of its checkpoint of size 10").contains("(node gerbang-a)");
        assertThat(problems(r)).containsExactly(AnchorVerifier.Problem.REWRITTEN, AnchorVerifier.Problem.REWRITTEN);
        assertThat(r.anchoring().findings()).extracting(AnchorVerifier.Finding::treeSize).containsExactly(10L, 25L);
        assertThat(r.anchoring().nodes().get(1).anchoredThrough()).isEqualTo(8); // node B untouched
    }

    @Test
    void aRewriteInsideAPeriodIsReportedByTheVerificationOfThePeriod() throws Exception {
        rewrite(A, 20);

        // records 12 to 27 of A (and 6 to 10 of B): the stored tree gives the roots of A's first 11 records
        TrailVerifier.Result r = queries.verify(T.plusSeconds(60L * 11), T.plusSeconds(60L * 27));

        assertThat(r.valid()).isFalse();
        assertThat(r.anchoring().findings()).singleElement().satisfies(f -> {
            assertThat(f.problem()).isEqualTo(AnchorVerifier.Problem.REWRITTEN);
            assertThat(f.node()).isEqualTo(A);
            assertThat(f.treeSize()).isEqualTo(25);
        });
    }

    @Test
    void removingANodesNewestRecordsAndTheirTreeRowsIsReportedAsATruncation() throws Exception {
        truncate(A, 20);
        assertThat(plainChain()).isEqualTo(new TrailVerifier.Result(true, 30, null, null));

        TrailVerifier.Result r = queries.verify(null, null);

        assertThat(r.valid()).isFalse();
        assertThat(r.anchoring().findings()).singleElement().satisfies(f -> {
            assertThat(f.problem()).isEqualTo(AnchorVerifier.Problem.TRUNCATED);
            assertThat(f.node()).isEqualTo(A);
            assertThat(f.treeSize()).isEqualTo(25);
            assertThat(f.records()).isEqualTo(20);
        });
        assertThat(r.reason()).contains("covers 25 records, but the chain holds 20: records 21 to 25 were removed");
        // a period before the cut sees it as well: the chain's head is below the checkpoint
        assertThat(problems(queries.verify(T, T.plusSeconds(60L * 5)))).containsExactly(AnchorVerifier.Problem.TRUNCATED);
    }

    @Test
    void theCheckpointKeptBesideTheNodesKeyCountsWhenTheInsiderRemovedEveryCheckpointRow() throws Exception {
        truncate(A, 20);
        sql("DELETE FROM trail_signed_checkpoint");
        queries.keptCheckpoint(() -> java.util.Optional.of(latestOfA)); // node A's file, out of the insider's reach

        TrailVerifier.Result r = queries.verify(null, null);

        assertThat(r.anchoring().findings()).singleElement().satisfies(f -> {
            assertThat(f.problem()).isEqualTo(AnchorVerifier.Problem.TRUNCATED);
            assertThat(f.node()).isEqualTo(A);
            assertThat(f.treeSize()).isEqualTo(25);
        });
        assertThat(problems(queries.verify(T, T.plusSeconds(60L * 5)))).containsExactly(AnchorVerifier.Problem.TRUNCATED);
    }

    @Test
    void theKeptCheckpointIsCheckedOnceWhenTheDatabaseHoldsItToo() throws Exception {
        queries.keptCheckpoint(() -> java.util.Optional.of(latestOfA));

        TrailVerifier.Result r = queries.verify(null, null);

        assertThat(r.valid()).as(String.valueOf(r)).isTrue();
        assertThat(r.anchoring().nodes().get(0)).isEqualTo(new AnchorVerifier.NodeReport(A, 30, 25L, 2));
    }

    @Test
    void removingEveryRecordOfANodeIsATruncation() throws Exception {
        sql("DELETE FROM audit_record WHERE node = ?", B);
        sql("DELETE FROM trail_tree_node WHERE node = ?", B);

        TrailVerifier.Result r = queries.verify(null, null);

        assertThat(r.anchoring().findings()).singleElement().satisfies(f -> {
            assertThat(f.problem()).isEqualTo(AnchorVerifier.Problem.TRUNCATED);
            assertThat(f.node()).isEqualTo(B);
            assertThat(f.records()).isZero();
        });
    }

    @Test
    void recordsRemovedWithTheirTreeRowsLeftAreReportedByTheTree() throws Exception {
        sql("DELETE FROM audit_record WHERE node = ? AND node_seq > ?", A, 28);

        TrailVerifier.Result r = queries.verify(null, null);

        assertThat(r.anchoring().findings()).singleElement().satisfies(f -> {
            assertThat(f.problem()).isEqualTo(AnchorVerifier.Problem.TRUNCATED);
            assertThat(f.treeSize()).isEqualTo(30);
            assertThat(f.detail()).contains("the stored tree of node gerbang-a holds 30 leaves, but the chain holds 28");
        });
    }

    @Test
    void aForgedCheckpointAndAKeyPublishedOnlyInTheDatabaseAreReported() throws Exception {
        NoteSigner insider = Anchors.key(A);
        sign(insider, A, 30);
        checkpoints.publishKey(A, insider.verifier().verifierKey(), T.plusSeconds(9000));

        TrailVerifier.Result r = queries.verify(null, null);

        assertThat(problems(r)).containsExactlyInAnyOrder(AnchorVerifier.Problem.KEY_ONLY_IN_DATABASE,
                AnchorVerifier.Problem.UNTRUSTED_CHECKPOINT);
        assertThat(r.anchoring().findings()).filteredOn(f -> f.problem() == AnchorVerifier.Problem.UNTRUSTED_CHECKPOINT)
                .singleElement().satisfies(f -> assertThat(f.treeSize()).isEqualTo(30));
    }

    @Test
    void recordsOfANodeWithoutATrustedKeyAreReported() throws Exception {
        TrailQueries trustingA = new TrailQueries(ds, Set.of(A, B), Anchors.ORIGIN, () -> List.of(keyA.verifier()));

        TrailVerifier.Result r = trustingA.verify(null, null);

        assertThat(r.anchoring().findings()).extracting(AnchorVerifier.Finding::node, AnchorVerifier.Finding::problem)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(B, AnchorVerifier.Problem.KEY_ONLY_IN_DATABASE),
                        org.assertj.core.groups.Tuple.tuple(B, AnchorVerifier.Problem.NO_TRUSTED_KEY));
    }

    @Test
    void aStoredTreeRowChangedAloneIsReported() throws Exception {
        // the node over records 25 to 28, on the tree's right edge at size 30
        sql("UPDATE trail_tree_node SET hash = ? WHERE node = ? AND level = 2 AND idx = 6", new byte[32], A);

        TrailVerifier.Result r = queries.verify(null, null);

        assertThat(r.anchoring().findings()).singleElement().satisfies(f -> {
            assertThat(f.problem()).isEqualTo(AnchorVerifier.Problem.STORED_TREE_DISAGREES);
            assertThat(f.treeSize()).isEqualTo(30);
        });
    }
}
