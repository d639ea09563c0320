package id.gerbang.gateway.trail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import id.gerbang.gateway.TestDatabases;
import id.gerbang.gateway.anchor.InMemoryMerkleNodeStore;
import id.gerbang.gateway.anchor.MerkleTree;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The anchoring tables (V5): each node's tree written in its records' transactions, checkpoints and keys. */
abstract class TrailAnchorStoreTest {

    abstract TestDatabases.Database newDatabase() throws Exception;

    private TestDatabases.Database db;
    private DataSource ds;

    @BeforeEach
    void fresh() throws Exception {
        db = newDatabase();
        ds = db.pool();
    }

    @AfterEach
    void drop() throws Exception {
        db.close();
    }

    private static byte[] recordHash(String node, long seq) {
        return Sha256.newDigest().digest((node + "#" + seq).getBytes(StandardCharsets.UTF_8));
    }

    /** Appends leaves nodeSeq from+1..to of a node through a writable store, committed in one transaction. */
    private void commitLeaves(String node, long from, long to) throws Exception {
        JdbcMerkleNodeStore store = JdbcMerkleNodeStore.open(ds, node);
        MerkleTree tree = new MerkleTree(store);
        assertThat(tree.size()).isEqualTo(from);
        for (long seq = from + 1; seq <= to; seq++) {
            tree.append(recordHash(node, seq));
        }
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            store.insertPending(c);
            c.commit();
        }
        store.pendingCommitted();
        assertThat(store.pendingNodes()).isZero();
        assertThat(store.size()).isEqualTo(to);
    }

    @Test
    void aTreeWrittenInBatchesServesTheRootsAndProofsOfATreeBuiltInMemory() throws Exception {
        MerkleTree expected = new MerkleTree(new InMemoryMerkleNodeStore());
        long size = 0;
        for (int batch : new int[] {1, 1, 2, 5, 8, 3, 17}) {
            commitLeaves("node-a", size, size + batch);
            size += batch;
        }
        commitLeaves("node-b", 0, 4); // another node's tree stays apart
        for (long seq = 1; seq <= size; seq++) {
            expected.append(recordHash("node-a", seq));
        }
        TrailProofs proofs = new TrailProofs(ds);
        assertThat(proofs.treeSize("node-a")).isEqualTo(size);
        assertThat(proofs.treeSize("node-b")).isEqualTo(4);
        assertThat(proofs.treeSize("node-c")).isZero();
        for (long n = 1; n <= size; n++) {
            assertThat(proofs.rootHash("node-a", n)).isEqualTo(expected.rootHash(n));
            for (long m = 0; m <= n; m++) {
                assertThat(proofs.consistency("node-a", m, n)).containsExactlyElementsOf(expected.consistencyProof(m, n));
            }
            for (long seq = 1; seq <= n; seq++) {
                List<byte[]> proof = proofs.inclusion("node-a", seq, n);
                assertThat(proof).containsExactlyElementsOf(expected.inclusionProof(seq - 1, n));
                assertThat(MerkleTree.verifyInclusion(seq - 1, n, proofs.leafHash("node-a", seq), proof,
                        expected.rootHash(n))).isTrue();
            }
        }
        long stored = size;
        assertThatThrownBy(() -> proofs.rootHash("node-a", stored + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> proofs.inclusion("node-a", 0, stored)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRolledBackAppendLeavesTheStoredTreeAsItWas() throws Exception {
        commitLeaves("node-a", 0, 3);
        byte[] root = new TrailProofs(ds).rootHash("node-a", 3);
        JdbcMerkleNodeStore store = JdbcMerkleNodeStore.open(ds, "node-a");
        MerkleTree tree = new MerkleTree(store);
        tree.append(recordHash("node-a", 4));
        assertThat(store.pendingNodes()).isEqualTo(3); // the leaf, the pair (2,3) and the subtree of four
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            store.insertPending(c);
            c.rollback();
        }
        assertThat(JdbcMerkleNodeStore.storedSize(ds, "node-a")).isEqualTo(3);
        assertThat(new MerkleTree(JdbcMerkleNodeStore.open(ds, "node-a")).rootHash()).isEqualTo(root);
    }

    @Test
    void aViewOfAnEarlierTreeTakesNoAppends() throws Exception {
        commitLeaves("node-a", 0, 2);
        MerkleTree view = new MerkleTree(JdbcMerkleNodeStore.at(ds, "node-a", 1));
        assertThatThrownBy(() -> view.append(new byte[32])).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> JdbcMerkleNodeStore.at(ds, "node-a", 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void checkpointsAreFoundByNodeSizeAndTimeAndTakeTheirTimestampLater() throws Exception {
        TrailCheckpoints checkpoints = new TrailCheckpoints(ds);
        Instant t0 = Instant.parse("2026-12-01T10:00:00.000Z");
        long first = checkpoints.insert("node-a", 5, new byte[32], t0, "note 5\n");
        checkpoints.insert("node-a", 9, new byte[32], t0.plusSeconds(60), "note 9\n");
        checkpoints.insert("node-b", 2, new byte[32], t0.plusSeconds(30), "note b2\n");

        assertThat(checkpoints.latest("node-a")).get().extracting(StoredCheckpoint::treeSize).isEqualTo(9L);
        assertThat(checkpoints.latest("node-c")).isEmpty();
        assertThat(checkpoints.firstCovering("node-a", 1)).get().extracting(StoredCheckpoint::treeSize).isEqualTo(5L);
        assertThat(checkpoints.firstCovering("node-a", 6)).get().extracting(StoredCheckpoint::treeSize).isEqualTo(9L);
        assertThat(checkpoints.firstCovering("node-a", 10)).isEmpty();
        assertThat(checkpoints.list(null, null, null, 10)).extracting(StoredCheckpoint::note)
                .containsExactly("note 5\n", "note b2\n", "note 9\n");
        assertThat(checkpoints.list("node-a", t0.plusSeconds(1), null, 10)).extracting(StoredCheckpoint::treeSize).containsExactly(9L);
        assertThat(checkpoints.list(null, t0, t0.plusSeconds(60), 10)).hasSize(2);

        StoredCheckpoint unstamped = checkpoints.firstCovering("node-a", 1).orElseThrow();
        assertThat(unstamped.stamped()).isFalse();
        checkpoints.stamp(first, new byte[] {1, 2, 3}, t0.plusSeconds(2));
        StoredCheckpoint stamped = checkpoints.firstCovering("node-a", 1).orElseThrow();
        assertThat(stamped.timestampToken()).containsExactly(1, 2, 3);
        assertThat(stamped.stampedAt()).isEqualTo(t0.plusSeconds(2));
    }

    @Test
    void aKeyPublishedAgainKeepsTheTimeItWasIntroduced() throws Exception {
        TrailCheckpoints checkpoints = new TrailCheckpoints(ds);
        Instant t0 = Instant.parse("2026-12-01T10:00:00.000Z");
        checkpoints.publishKey("node-a", "gerbang/node-a+01234567+AAAA", t0);
        checkpoints.publishKey("node-a", "gerbang/node-a+01234567+AAAA", t0.plusSeconds(3600));
        checkpoints.publishKey("node-a", "gerbang/node-a+89abcdef+BBBB", t0.plusSeconds(7200));
        assertThat(checkpoints.keys()).containsExactly(
                new TrailCheckpoints.PublishedKey("node-a", "gerbang/node-a+01234567+AAAA", t0),
                new TrailCheckpoints.PublishedKey("node-a", "gerbang/node-a+89abcdef+BBBB", t0.plusSeconds(7200)));
    }
}
