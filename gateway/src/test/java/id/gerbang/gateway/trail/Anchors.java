package id.gerbang.gateway.trail;

import id.gerbang.gateway.anchor.Checkpoint;
import id.gerbang.gateway.anchor.InMemoryMerkleNodeStore;
import id.gerbang.gateway.anchor.MerkleTree;
import id.gerbang.gateway.anchor.NoteSigner;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Signing keys, trees and signed checkpoints over trails built in tests, as a node would sign them. */
final class Anchors {

    static final String ORIGIN = "gerbang";

    private Anchors() {}

    /** A new key of {@code node}, named {@code gerbang/<node>}. */
    static NoteSigner key(String node) {
        try {
            return new NoteSigner(ORIGIN + "/" + node, KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The node's tree over its records in {@code trail} (in chain order), in memory. */
    static MerkleTree tree(List<AuditRecord> trail, String node) {
        MerkleTree tree = new MerkleTree(new InMemoryMerkleNodeStore());
        for (AuditRecord r : trail) {
            if (r.node().equals(node)) {
                tree.append(HexFormat.of().parseHex(r.hash()));
            }
        }
        return tree;
    }

    /** The signed note of the node's checkpoint at {@code size}, over its records in {@code trail}. */
    static String checkpoint(List<AuditRecord> trail, String node, long size, NoteSigner... keys) {
        MerkleTree tree = tree(trail, node);
        Instant time = Chains.T0.plusSeconds(3600 + size);
        return Checkpoint.of(ORIGIN, node, size, tree.rootHash(size), time).sign(keys).toString();
    }

    /** {@code n} records of one node, chained from its first; {@code client} of record {@code k} changed when k > 0. */
    static List<AuditRecord> chain(String node, int n, int rewritten) {
        List<AuditRecord> records = new ArrayList<>();
        String prev = AuditRecord.GENESIS;
        for (int i = 1; i <= n; i++) {
            TrailEntry e = Chains.entry(Chains.T0.plusSeconds(i), i == rewritten ? "someone-else" : "dinkes-simpus", 200);
            AuditRecord r = AuditRecord.chain(e, node, i, prev).withId((long) i);
            records.add(r);
            prev = r.hash();
        }
        return records;
    }
}
