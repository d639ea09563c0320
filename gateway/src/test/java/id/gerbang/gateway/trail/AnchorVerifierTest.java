package id.gerbang.gateway.trail;

import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.gateway.anchor.InMemoryMerkleNodeStore;
import id.gerbang.gateway.anchor.MerkleTree;
import id.gerbang.gateway.anchor.NoteSigner;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Records checked against signed checkpoints: each problem the anchoring reports, with node and sizes. */
class AnchorVerifierTest {

    private static final String A = "gerbang-a";

    private final NoteSigner keyA = Anchors.key(A);
    private final List<AuditRecord> trail = Anchors.chain(A, 20, 0);
    private final List<String> kept = List.of(Anchors.checkpoint(trail, A, 8, keyA), Anchors.checkpoint(trail, A, 16, keyA));

    private AnchorVerifier verifier(NoteSigner... trusted) {
        return new AnchorVerifier(Anchors.ORIGIN, java.util.Arrays.stream(trusted).map(NoteSigner::verifier).toList());
    }

    private static AnchorVerifier.Report run(AnchorVerifier v, List<AuditRecord> records, Iterator<String> checkpoints, long chainHolds) {
        v.node(A, records.get(0).nodeSeq(), null, checkpoints);
        records.forEach(v::accept);
        v.end(A, chainHolds, null);
        return v.report();
    }

    private static List<AnchorVerifier.Problem> problems(AnchorVerifier.Report report) {
        return report.findings().stream().map(AnchorVerifier.Finding::problem).toList();
    }

    @Test
    void recordsThatGiveEveryCheckpointsRootAreAnchoredThroughTheLargest() {
        AnchorVerifier.Report report = run(verifier(keyA), trail, kept.iterator(), 20);

        assertThat(report.findings()).isEmpty();
        assertThat(report.checkpoints()).isEqualTo(2);
        assertThat(report.nodes()).containsExactly(new AnchorVerifier.NodeReport(A, 20, 16L, 2));
        assertThat(report.notes()).containsExactly("records 17 to 20 of node gerbang-a are not covered by a checkpoint "
                + "checked here (signed after them, or not yet)");
    }

    @Test
    void aRewriteWithEveryLaterHashRecomputedIsReportedAtTheFirstCheckpointCoveringIt() {
        List<AuditRecord> rewritten = Anchors.chain(A, 20, 11); // record 11 edited, 11..20 rehashed and relinked
        assertThat(TrailVerifierTest.verify(rewritten).valid()).isTrue(); // the hash chain alone sees nothing

        AnchorVerifier.Report report = run(verifier(keyA), rewritten, kept.iterator(), 20);

        assertThat(problems(report)).containsExactly(AnchorVerifier.Problem.REWRITTEN);
        AnchorVerifier.Finding f = report.findings().get(0);
        assertThat(f.node()).isEqualTo(A);
        assertThat(f.treeSize()).isEqualTo(16);
        assertThat(f.detail()).contains("do not give the root of its checkpoint of size 16").contains("records 1 to 16 were rewritten");
        assertThat(report.nodes().get(0).anchoredThrough()).isEqualTo(8); // what came before still holds
    }

    @Test
    void aCheckpointCoveringMoreRecordsThanTheChainHoldsIsATruncation() {
        List<AuditRecord> cut = trail.subList(0, 12);

        AnchorVerifier.Report report = run(verifier(keyA), cut, kept.iterator(), 12);

        assertThat(problems(report)).containsExactly(AnchorVerifier.Problem.TRUNCATED);
        AnchorVerifier.Finding f = report.findings().get(0);
        assertThat(f.treeSize()).isEqualTo(16);
        assertThat(f.records()).isEqualTo(12);
        assertThat(f.detail()).contains("covers 16 records, but the chain holds 12: records 13 to 16 were removed");
    }

    @Test
    void aCheckpointBeyondAStretchIsOnlyNotedWhenTheChainHoldsItsRecords() {
        AnchorVerifier.Report report = run(verifier(keyA), trail.subList(0, 12), kept.iterator(), 20);

        assertThat(report.findings()).isEmpty();
        assertThat(report.notes()).anyMatch(n -> n.contains("checkpoint(s) of node gerbang-a (up to size 16) cover records after"));
    }

    @Test
    void aCheckpointNoTrustedKeySignedIsReportedAndProvesNothing() {
        NoteSigner forger = Anchors.key(A); // same name, another key: the insider's
        List<AuditRecord> rewritten = Anchors.chain(A, 20, 3);
        String forged = Anchors.checkpoint(rewritten, A, 16, forger);

        AnchorVerifier.Report report = run(verifier(keyA), rewritten, List.of(forged).iterator(), 20);

        assertThat(problems(report)).containsExactly(AnchorVerifier.Problem.UNTRUSTED_CHECKPOINT);
        assertThat(report.findings().get(0).treeSize()).isEqualTo(16);
        assertThat(report.findings().get(0).detail()).contains("not signed by a trusted key of the node");
        assertThat(report.nodes().get(0).anchoredThrough()).isNull();
    }

    @Test
    void aKeyPublishedOnlyInTheDatabaseIsReported() {
        AnchorVerifier v = verifier(keyA);
        v.published(A, keyA.verifier().verifierKey());
        v.published(A, Anchors.key(A).verifier().verifierKey());

        AnchorVerifier.Report report = run(v, trail, kept.iterator(), 20);

        assertThat(problems(report)).containsExactly(AnchorVerifier.Problem.KEY_ONLY_IN_DATABASE);
        assertThat(report.findings().get(0).detail()).contains("found only in the database");
    }

    @Test
    void recordsOfANodeWithoutATrustedKeyAreReported() {
        NoteSigner other = Anchors.key("gerbang-b");

        AnchorVerifier.Report report = run(verifier(other), trail, kept.iterator(), 20);

        assertThat(problems(report)).containsExactly(AnchorVerifier.Problem.NO_TRUSTED_KEY);
        assertThat(report.findings().get(0).records()).isEqualTo(20);
        assertThat(report.findings().get(0).detail()).startsWith("records 1 to 20 of node gerbang-a have no trusted key");
    }

    @Test
    void aStretchStartingLateIsCheckedFromTheStoredTreeBeforeIt() {
        MerkleTree stored = new MerkleTree(new InMemoryMerkleNodeStore());
        trail.subList(0, 5).forEach(r -> stored.append(HexFormat.of().parseHex(r.hash())));

        AnchorVerifier v = verifier(keyA);
        v.node(A, 6, storeOf(stored), kept.iterator());
        trail.subList(5, 20).forEach(v::accept);
        v.end(A, 20, null);
        AnchorVerifier.Report report = v.report();

        assertThat(report.findings()).isEmpty();
        assertThat(report.nodes().get(0).anchoredThrough()).isEqualTo(16);

        // the same stretch, one of its records rewritten with every later hash: still found
        List<AuditRecord> rewritten = Anchors.chain(A, 20, 7);
        AnchorVerifier w = verifier(keyA);
        w.node(A, 6, storeOf(stored), kept.iterator());
        rewritten.subList(5, 20).forEach(w::accept);
        w.end(A, 20, null);
        assertThat(problems(w.report())).containsExactly(AnchorVerifier.Problem.REWRITTEN, AnchorVerifier.Problem.REWRITTEN);
    }

    @Test
    void aStoredTreeThatDisagreesWithItsRecordsIsReported() {
        AnchorVerifier v = verifier(keyA);
        v.node(A, 1, null, kept.iterator());
        v.rootWanted(A, 20);
        trail.forEach(v::accept);
        v.end(A, 20, null);
        MerkleTree other = Anchors.tree(Anchors.chain(A, 20, 19), A);
        v.storedTree(A, 20, other.rootHash());
        v.storedTree(A, 20, Anchors.tree(trail, A).rootHash()); // the honest one: nothing more

        assertThat(problems(v.report())).containsExactly(AnchorVerifier.Problem.STORED_TREE_DISAGREES);
        assertThat(v.report().findings().get(0).treeSize()).isEqualTo(20);
    }

    @Test
    void theMergedResultIsInvalidWithTheFirstFindingAsItsReason() {
        AnchorVerifier.Report report = run(verifier(keyA), trail.subList(0, 12), kept.iterator(), 12);
        TrailVerifier.Result merged = AnchorVerifier.merge(new TrailVerifier.Result(true, 12, null, null), report);

        assertThat(merged.valid()).isFalse();
        assertThat(merged.firstInvalid()).isNull();
        assertThat(merged.reason()).contains("records 13 to 16 were removed").endsWith("(node gerbang-a)");
        assertThat(TrailJson.result(merged).get("anchoring").get("findings").get(0).get("problem").asText()).isEqualTo("truncated");
    }

    private static id.gerbang.gateway.anchor.MerkleNodeStore storeOf(MerkleTree tree) {
        // a tree built in memory stands for the stored tree before the stretch
        return new id.gerbang.gateway.anchor.MerkleNodeStore() {
            @Override
            public long size() {
                return tree.size();
            }

            @Override
            public byte[] node(int level, long index) {
                return subtree(tree, level, index);
            }

            @Override
            public void append(List<id.gerbang.gateway.anchor.MerkleNode> nodes) {
                throw new UnsupportedOperationException();
            }
        };
    }

    /** The hash of the perfect subtree (level, index) of a tree: its root over those leaves. */
    private static byte[] subtree(MerkleTree tree, int level, long index) {
        byte[][] nodes = new byte[1 << level][];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = tree.leafHashAt(index * nodes.length + i);
        }
        for (int n = nodes.length; n > 1; n /= 2) {
            for (int i = 0; i < n / 2; i++) {
                nodes[i] = MerkleTree.nodeHash(nodes[2 * i], nodes[2 * i + 1]);
            }
        }
        return nodes[0];
    }
}
