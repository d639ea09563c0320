package id.gerbang.gateway.trail;

import id.gerbang.gateway.anchor.Checkpoint;
import id.gerbang.gateway.anchor.MerkleTree;
import id.gerbang.gateway.anchor.NoteSigner;
import java.security.KeyPairGenerator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.HexFormat;
import javax.sql.DataSource;

/**
 * Checkpoints for tests of what serves them: a node's stored tree brought up to its records (the leaves
 * the trail writer appends in each record's transaction) and checkpoints signed over it, written where
 * the node writes them.
 */
final class AnchorFixtures {

    private AnchorFixtures() {}

    /** A fresh signing key for the node's checkpoints (origin {@code gerbang}). */
    static NoteSigner signer(String node) throws Exception {
        return new NoteSigner("gerbang/" + node, KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
    }

    /** Appends to the node's stored tree the records it does not hold yet; returns the tree's size. */
    static long growTree(DataSource ds, String node) throws Exception {
        JdbcMerkleNodeStore store = JdbcMerkleNodeStore.open(ds, node);
        MerkleTree tree = new MerkleTree(store);
        try (Connection c = ds.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT node_seq, hash FROM audit_record WHERE node = ? AND node_seq > ? ORDER BY node_seq")) {
            s.setString(1, node);
            s.setLong(2, tree.size());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    if (rs.getLong(1) != tree.size() + 1) {
                        throw new IllegalStateException("record " + (tree.size() + 1) + " of " + node + " is missing");
                    }
                    tree.append(HexFormat.of().parseHex(rs.getString(2)));
                }
            }
            c.setAutoCommit(false);
            store.insertPending(c);
            c.commit();
        }
        store.pendingCommitted();
        return tree.size();
    }

    /** Signs and keeps the checkpoint of the node's tree at {@code size}, with its key published. */
    static StoredCheckpoint sign(DataSource ds, NoteSigner signer, String node, long size, Instant time) throws Exception {
        TrailCheckpoints checkpoints = new TrailCheckpoints(ds);
        checkpoints.publishKey(node, signer.verifier().verifierKey(), time);
        byte[] root = new TrailProofs(ds).rootHash(node, size);
        Checkpoint cp = Checkpoint.of("gerbang", node, size, root, time);
        String note = cp.sign(signer).toString();
        long id = checkpoints.insert(node, size, root, cp.time(), note);
        return checkpoints.list(node, null, null, Integer.MAX_VALUE).stream().filter(c -> c.id() == id).findFirst()
                .orElseThrow();
    }
}
