package id.gerbang.gateway.anchor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {

    private static final HexFormat HEX = HexFormat.of();

    /**
     * The eight leaves of the Certificate Transparency test tree (RFC 6962's reference implementation,
     * reused by transparency-dev/merkle's testonly/constants.go) and its roots for sizes 1 to 8. The roots
     * were also recomputed here, independently, with Python's hashlib, and agree.
     */
    private static final List<byte[]> CT_LEAVES = List.of(hex(""), hex("00"), hex("10"), hex("2021"), hex("3031"),
            hex("40414243"), hex("5051525354555657"), hex("606162636465666768696a6b6c6d6e6f"));
    private static final String[] CT_ROOTS = {
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    };

    static final int MAX = 300;
    static List<byte[]> leaves;
    static List<byte[]> leafHashes;
    static MerkleTree big;

    @BeforeAll
    static void bigTree() {
        Random random = new Random(15);
        leaves = new ArrayList<>();
        leafHashes = new ArrayList<>();
        big = new MerkleTree(new InMemoryMerkleNodeStore());
        for (int i = 0; i < MAX; i++) {
            byte[] leaf = new byte[32];
            random.nextBytes(leaf);
            leaves.add(leaf);
            leafHashes.add(MerkleTree.leafHash(leaf));
            big.append(leaf);
        }
    }

    @Test
    void theHashesAreRfc6962s() {
        // transparency-dev/merkle rfc6962_test.go: the empty root, a leaf "L123456", a node of "N123" and "N456"
        assertThat(HEX.formatHex(MerkleTree.emptyRoot())).isEqualTo(CT_ROOTS[0]);
        assertThat(HEX.formatHex(MerkleTree.leafHash("L123456".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
        assertThat(HEX.formatHex(MerkleTree.nodeHash("N123".getBytes(StandardCharsets.US_ASCII), "N456".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb");
    }

    @Test
    void theCertificateTransparencyTreeHasItsKnownRootAtEverySize() {
        MerkleTree tree = new MerkleTree(new InMemoryMerkleNodeStore());
        assertThat(HEX.formatHex(tree.rootHash())).isEqualTo(CT_ROOTS[0]);
        for (int n = 1; n <= 8; n++) {
            tree.append(CT_LEAVES.get(n - 1));
            assertThat(HEX.formatHex(tree.rootHash())).as("root at size %d", n).isEqualTo(CT_ROOTS[n]);
            assertThat(HEX.formatHex(NaiveMerkle.mth(CT_LEAVES.subList(0, n)))).isEqualTo(CT_ROOTS[n]);
        }
        for (int n = 0; n <= 8; n++) {
            assertThat(HEX.formatHex(tree.rootHash(n))).as("earlier root at size %d", n).isEqualTo(CT_ROOTS[n]);
        }
    }

    @Test
    void theCertificateTransparencyTreeGivesItsKnownProofs() {
        MerkleTree tree = new MerkleTree(new InMemoryMerkleNodeStore());
        CT_LEAVES.forEach(tree::append);
        // transparency-dev/merkle proof/verify_test.go (its leaf numbers are 1-based, these indexes 0-based)
        assertThat(hexes(tree.inclusionProof(0, 8))).containsExactly(
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
        assertThat(hexes(tree.inclusionProof(5, 8))).containsExactly(
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
        assertThat(hexes(tree.inclusionProof(2, 3))).containsExactly(
                "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125");
        assertThat(hexes(tree.inclusionProof(1, 5))).containsExactly(
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
        assertThat(tree.inclusionProof(0, 1)).isEmpty();
        assertThat(hexes(tree.consistencyProof(1, 8))).containsExactly(
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
        assertThat(hexes(tree.consistencyProof(6, 8))).containsExactly(
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
        assertThat(hexes(tree.consistencyProof(2, 5))).containsExactly(
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
        assertThat(tree.consistencyProof(1, 1)).isEmpty();
        assertThat(MerkleTree.verifyConsistency(6, 8, hex(CT_ROOTS[6]), hex(CT_ROOTS[8]), tree.consistencyProof(6, 8))).isTrue();
        assertThat(MerkleTree.verifyInclusion(5, 8, MerkleTree.leafHash(CT_LEAVES.get(5)), tree.inclusionProof(5, 8), hex(CT_ROOTS[8])))
                .isTrue();
    }

    @Test
    void everyRootUpTo300LeavesMatchesTheNaiveDefinition() {
        for (int n = 0; n <= MAX; n++) {
            assertThat(big.rootHash(n)).as("root at size %d", n).isEqualTo(NaiveMerkle.mth(leaves.subList(0, n)));
        }
        assertThat(big.rootHash()).isEqualTo(NaiveMerkle.mth(leaves));
    }

    @Test
    void everyInclusionProofUpTo300LeavesMatchesTheNaiveDefinitionAndVerifies() {
        for (int n = 1; n <= MAX; n++) {
            byte[] root = big.rootHash(n);
            List<byte[]> d = leaves.subList(0, n);
            for (int i = 0; i < n; i++) {
                List<byte[]> proof = big.inclusionProof(i, n);
                assertThat(proof).as("proof of %d in %d", i, n).containsExactlyElementsOf(NaiveMerkle.path(i, d));
                assertThat(MerkleTree.verifyInclusion(i, n, leafHashes.get(i), proof, root))
                        .as("proof of %d in %d verifies", i, n).isTrue();
            }
        }
    }

    @Test
    void everyConsistencyProofUpTo300LeavesMatchesTheNaiveDefinitionAndVerifies() {
        // every pair up to 100 leaves, then every 7th old size against every new size up to 300
        for (int n = 1; n <= MAX; n++) {
            byte[] newRoot = big.rootHash(n);
            List<byte[]> d = leaves.subList(0, n);
            for (int m = 1; m < n; m += n <= 100 ? 1 : 7) {
                List<byte[]> proof = big.consistencyProof(m, n);
                assertThat(proof).as("proof from %d to %d", m, n).containsExactlyElementsOf(NaiveMerkle.proof(m, d));
                assertThat(MerkleTree.verifyConsistency(m, n, big.rootHash(m), newRoot, proof))
                        .as("proof from %d to %d verifies", m, n).isTrue();
            }
        }
    }

    @Test
    void aTamperedInclusionProofIsRefused() {
        Random random = new Random(7);
        for (int round = 0; round < 400; round++) {
            int n = 2 + random.nextInt(MAX - 1);
            int i = random.nextInt(n);
            byte[] root = big.rootHash(n);
            byte[] leaf = leafHashes.get(i);
            List<byte[]> proof = big.inclusionProof(i, n);
            assertThat(MerkleTree.verifyInclusion(i, n, leaf, proof, root)).isTrue();

            int at = random.nextInt(proof.size());
            assertThat(MerkleTree.verifyInclusion(i, n, leaf, flipBit(proof, at, random), root)).as("a flipped bit").isFalse();
            assertThat(MerkleTree.verifyInclusion(i, n, leaf, proof.subList(0, proof.size() - 1), root)).as("one hash short").isFalse();
            assertThat(MerkleTree.verifyInclusion(i, n, leaf, plus(proof, root), root)).as("a hash too many").isFalse();
            assertThat(MerkleTree.verifyInclusion(i, n, leaf, swapped(proof), root)).as("hashes swapped").isFalse();
            assertThat(MerkleTree.verifyInclusion(i, n, leafHashes.get((i + 1) % n), proof, root)).as("another leaf").isFalse();
            assertThat(MerkleTree.verifyInclusion((i + 1) % n, n, leaf, proof, root)).as("another index").isFalse();
            assertThat(MerkleTree.verifyInclusion(i, n, leaf, proof, big.rootHash(n - 1))).as("another root").isFalse();
            assertThat(MerkleTree.verifyInclusion(n, n, leaf, proof, root)).as("an index outside the tree").isFalse();
        }
    }

    @Test
    void aTamperedConsistencyProofIsRefused() {
        Random random = new Random(8);
        for (int round = 0; round < 400; round++) {
            int n = 3 + random.nextInt(MAX - 2);
            int m = 1 + random.nextInt(n - 1);
            byte[] oldRoot = big.rootHash(m);
            byte[] newRoot = big.rootHash(n);
            List<byte[]> proof = big.consistencyProof(m, n);
            assertThat(MerkleTree.verifyConsistency(m, n, oldRoot, newRoot, proof)).isTrue();

            int at = random.nextInt(proof.size());
            assertThat(MerkleTree.verifyConsistency(m, n, oldRoot, newRoot, flipBit(proof, at, random))).as("a flipped bit").isFalse();
            assertThat(MerkleTree.verifyConsistency(m, n, oldRoot, newRoot, proof.subList(0, proof.size() - 1))).as("one hash short").isFalse();
            assertThat(MerkleTree.verifyConsistency(m, n, oldRoot, newRoot, plus(proof, newRoot))).as("a hash too many").isFalse();
            assertThat(MerkleTree.verifyConsistency(m, n, big.rootHash(m - 1 == 0 ? 2 : m - 1), newRoot, proof)).as("another old root").isFalse();
            assertThat(MerkleTree.verifyConsistency(m, n, oldRoot, big.rootHash(n - 1), proof)).as("another new root").isFalse();
            assertThat(MerkleTree.verifyConsistency(n, m, newRoot, oldRoot, proof)).as("sizes swapped: a shrunk tree").isFalse();
            // a forked tree: the same sizes, one old leaf rewritten and every later node recomputed
            List<byte[]> forked = new ArrayList<>(leaves.subList(0, n));
            forked.set(random.nextInt(m), new byte[] {42});
            MerkleTree fork = new MerkleTree(new InMemoryMerkleNodeStore());
            forked.forEach(fork::append);
            assertThat(MerkleTree.verifyConsistency(m, n, oldRoot, fork.rootHash(), fork.consistencyProof(m, n)))
                    .as("a rewritten old leaf").isFalse();
        }
    }

    @Test
    void theEdgeCasesOfConsistencyAreTheRfcs() {
        byte[] root5 = big.rootHash(5);
        assertThat(MerkleTree.verifyConsistency(5, 5, root5, root5, List.of())).isTrue();
        assertThat(MerkleTree.verifyConsistency(5, 5, root5, big.rootHash(6), List.of())).isFalse();
        assertThat(MerkleTree.verifyConsistency(5, 5, root5, root5, List.of(root5))).isFalse();
        assertThat(MerkleTree.verifyConsistency(0, 5, MerkleTree.emptyRoot(), root5, List.of())).isTrue();
        assertThat(MerkleTree.verifyConsistency(0, 5, root5, root5, List.of())).isFalse();
        assertThat(MerkleTree.verifyConsistency(4, 5, big.rootHash(4), root5, List.of())).as("an empty proof").isFalse();
        assertThat(MerkleTree.verifyConsistency(4, 5, big.rootHash(4), root5, List.of(new byte[31]))).as("a short hash").isFalse();
        assertThat(MerkleTree.verifyInclusion(0, 1, leafHashes.get(0), List.of(), big.rootHash(1))).isTrue();
        assertThat(MerkleTree.verifyInclusion(0, 0, leafHashes.get(0), List.of(), MerkleTree.emptyRoot())).isFalse();
        assertThatThrownBy(() -> big.consistencyProof(6, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> big.inclusionProof(5, MAX + 1)).hasMessageContaining("the tree has 300 leaves");
    }

    @Test
    void aTreeReopenedOnItsStoreContinuesAndAppendsWriteLogarithmicallyManyNodes() {
        CountingStore store = new CountingStore();
        MerkleTree first = new MerkleTree(store);
        for (int i = 0; i < 150; i++) {
            first.append(leaves.get(i));
        }
        int readsBefore = store.reads;
        MerkleTree reopened = new MerkleTree(store);
        assertThat(store.reads - readsBefore).as("reads to reopen: one per set bit of 150").isEqualTo(Long.bitCount(150));
        assertThat(reopened.rootHash()).isEqualTo(first.rootHash());
        for (int i = 150; i < MAX; i++) {
            int reads = store.reads;
            reopened.append(leaves.get(i));
            assertThat(store.reads).as("an append reads nothing").isEqualTo(reads);
            assertThat(store.lastAppend).as("nodes written by append %d", i)
                    .hasSize(1 + Long.numberOfTrailingZeros(~(long) i));
        }
        assertThat(reopened.rootHash()).isEqualTo(big.rootHash());
        assertThat(store.nodes).as("about two nodes per leaf").isEqualTo(2 * MAX - Long.bitCount(MAX));
        assertThat(reopened.leafHashAt(299)).isEqualTo(leafHashes.get(299));
    }

    @Test
    void aStoreThatLostANodeIsReported() {
        CountingStore holey = new CountingStore();
        holey.hole = new MerkleNode(2, 0, new byte[32]);
        MerkleTree tree = new MerkleTree(holey);
        for (int i = 0; i < 6; i++) {
            tree.append(leaves.get(i));
        }
        assertThatThrownBy(() -> tree.inclusionProof(5, 6)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("level 2, index 0");
    }

    // ---- helpers ----

    static final class CountingStore implements MerkleNodeStore {
        final InMemoryMerkleNodeStore inner = new InMemoryMerkleNodeStore();
        int reads;
        int nodes;
        List<MerkleNode> lastAppend;
        MerkleNode hole;

        @Override
        public long size() {
            return inner.size();
        }

        @Override
        public byte[] node(int level, long index) {
            reads++;
            if (hole != null && hole.level() == level && hole.index() == index) {
                throw new IllegalStateException("the tree has no node at level " + level + ", index " + index);
            }
            return inner.node(level, index);
        }

        @Override
        public void append(List<MerkleNode> appended) {
            nodes += appended.size();
            lastAppend = appended;
            inner.append(appended);
        }
    }

    private static List<byte[]> flipBit(List<byte[]> proof, int at, Random random) {
        List<byte[]> out = new ArrayList<>(proof);
        byte[] h = out.get(at).clone();
        h[random.nextInt(h.length)] ^= (byte) (1 << random.nextInt(8));
        out.set(at, h);
        return out;
    }

    private static List<byte[]> plus(List<byte[]> proof, byte[] extra) {
        List<byte[]> out = new ArrayList<>(proof);
        out.add(extra);
        return out;
    }

    private static List<byte[]> swapped(List<byte[]> proof) {
        List<byte[]> out = new ArrayList<>(proof);
        if (out.size() > 1 && !MessageDigest.isEqual(out.get(0), out.get(1))) {
            out.set(0, proof.get(1));
            out.set(1, proof.get(0));
        } else {
            out.set(0, MerkleTree.nodeHash(proof.get(0), proof.get(0)));
        }
        return out;
    }

    private static List<String> hexes(List<byte[]> proof) {
        return proof.stream().map(HEX::formatHex).toList();
    }

    private static byte[] hex(String s) {
        return HEX.parseHex(s);
    }
}
