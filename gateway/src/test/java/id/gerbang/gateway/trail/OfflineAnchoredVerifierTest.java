package id.gerbang.gateway.trail;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import id.gerbang.gateway.anchor.MerkleTree;
import id.gerbang.gateway.anchor.NoteSigner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar gerbang.jar verify EXPORT --checkpoint FILE... --keys FILE}: an export's anchor lines and
 * checkpoints kept elsewhere, checked with the keys the auditor trusts.
 */
class OfflineAnchoredVerifierTest {

    private static final String A = "gerbang-a";
    private static final String B = "gerbang-b";

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final NoteSigner keyA = Anchors.key(A);
    private final NoteSigner keyB = Anchors.key(B);
    private final List<AuditRecord> trail = Anchors.chain(A, 30, 0);

    private int run(String... args) {
        return OfflineVerifier.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private JsonNode printed() throws Exception {
        return TrailJson.MAPPER.readTree(out.toString(StandardCharsets.UTF_8).split("\n")[0]);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private Path file(String name, List<String> lines) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    private Path keys(NoteSigner... trusted) throws Exception {
        List<String> lines = new ArrayList<>(List.of("# the keys this auditor trusts"));
        for (NoteSigner k : trusted) {
            lines.add(k.verifier().verifierKey());
        }
        return file("trusted.keys", lines);
    }

    private Path kept(String note) throws Exception {
        Path file = Files.createTempFile(dir, "checkpoint", ".txt");
        Files.writeString(file, note, StandardCharsets.UTF_8);
        return file;
    }

    /** The anchor line of record {@code seq} of a node, proven in the node's checkpoint at {@code size} over {@code honest}. */
    private static String anchorLine(List<AuditRecord> honest, String node, long seq, long size, NoteSigner key) {
        MerkleTree tree = Anchors.tree(honest, node);
        ObjectNode line = TrailJson.MAPPER.createObjectNode().put("kind", "anchor").put("node", node).put("seq", seq)
                .put("checkpoint", Anchors.checkpoint(honest, node, size, key));
        var proof = line.putArray("proof");
        tree.inclusionProof(seq - 1, size).forEach(p -> proof.add(Base64.getEncoder().encodeToString(p)));
        return TrailJson.MAPPER.valueToTree(line).toString();
    }

    private static List<String> lines(List<AuditRecord> records) {
        return new ArrayList<>(records.stream().map(TrailJson::json).toList());
    }

    @Test
    void anExportWhoseAnchorLineProvesItsLastRecordIsValid() throws Exception {
        List<String> export = lines(trail.subList(0, 20)); // a period: records 1 to 20, covered by the checkpoint of 25
        export.add(anchorLine(trail, A, 20, 25, keyA));

        assertThat(run(file("trail.ndjson", export).toString(), "--keys", keys(keyA).toString())).isZero();

        JsonNode result = printed();
        assertThat(result.get("valid").asBoolean()).isTrue();
        assertThat(result.get("checked").asLong()).isEqualTo(20);
        assertThat(result.get("anchoring").get("nodes").get(0).get("anchoredThrough").asLong()).isEqualTo(20);
        assertThat(result.get("anchoring").get("findings")).isEmpty();
    }

    @Test
    void anAnchorLineProvingTheLastRecordTheLatestCheckpointCoversAnchorsTheRecordsUpToIt() throws Exception {
        List<String> export = lines(trail); // records 26 to 30 are covered by no checkpoint yet
        export.add(anchorLine(trail, A, 25, 25, keyA));

        assertThat(run(file("trail.ndjson", export).toString(), "--keys", keys(keyA).toString())).isZero();

        JsonNode result = printed();
        assertThat(result.get("anchoring").get("nodes").get(0).get("anchoredThrough").asLong()).isEqualTo(25);
        assertThat(result.get("reason").asText()).contains("records 26 to 30 of node gerbang-a are not covered by a checkpoint");

        // and the same export rewritten from record 22 on
        out.reset();
        List<String> rewritten = lines(Anchors.chain(A, 30, 22));
        rewritten.add(anchorLine(trail, A, 25, 25, keyA));
        assertThat(run(file("rewritten.ndjson", rewritten).toString(), "--keys", keys(keyA).toString()))
                .isEqualTo(OfflineVerifier.INVALID);
        assertThat(printed().get("anchoring").get("findings").get(0).get("problem").asText()).isEqualTo("rewritten");
    }

    @Test
    void aRewriteWithEveryLaterHashRecomputedIsFoundByTheAnchorLineOnly() throws Exception {
        List<String> export = lines(Anchors.chain(A, 20, 7));
        export.add(anchorLine(trail, A, 20, 25, keyA)); // the checkpoint signed before the rewrite
        Path file = file("trail.ndjson", export);

        assertThat(run(file.toString())).as("the hash chain alone").isZero();
        out.reset();
        err.reset();

        assertThat(run(file.toString(), "--keys", keys(keyA).toString())).isEqualTo(OfflineVerifier.INVALID);
        JsonNode finding = printed().get("anchoring").get("findings").get(0);
        assertThat(finding.get("problem").asText()).isEqualTo("rewritten");
        assertThat(finding.get("node").asText()).isEqualTo(A);
        assertThat(finding.get("treeSize").asLong()).isEqualTo(25);
        assertThat(stderr()).startsWith("INVALID: record 20 of node gerbang-a is not in the tree its checkpoint of size 25");
    }

    @Test
    void aRewriteIsFoundByACheckpointKeptFromBefore() throws Exception {
        List<String> export = lines(Anchors.chain(A, 30, 12));
        String before = Anchors.checkpoint(trail, A, 25, keyA);

        assertThat(run(file("trail.ndjson", export).toString(), "--checkpoint", kept(before).toString(),
                "--keys", keys(keyA).toString())).isEqualTo(OfflineVerifier.INVALID);

        JsonNode finding = printed().get("anchoring").get("findings").get(0);
        assertThat(finding.get("problem").asText()).isEqualTo("rewritten");
        assertThat(finding.get("treeSize").asLong()).isEqualTo(25);
    }

    @Test
    void aTruncationIsFoundByACheckpointKeptFromBeforeWhenTheExportReachesPastIt() throws Exception {
        Instant pastCheckpoint = Chains.T0.plusSeconds(7200); // node B's records, written after A's checkpoint was signed
        List<AuditRecord> both = new ArrayList<>(trail.subList(0, 18));
        String prev = AuditRecord.GENESIS;
        for (int i = 1; i <= 3; i++) {
            AuditRecord r = AuditRecord.chain(Chains.entry(pastCheckpoint.plusSeconds(i), "bapenda-sipd", 200), B, i, prev)
                    .withId(100L + i);
            both.add(r);
            prev = r.hash();
        }
        Path keys = keys(keyA, keyB);
        Path first = kept(Anchors.checkpoint(trail, A, 10, keyA));
        Path second = kept(Anchors.checkpoint(trail, A, 25, keyA));

        assertThat(run(file("trail.ndjson", lines(both)).toString(), "--checkpoint", first.toString(), second.toString(),
                "--keys", keys.toString())).isEqualTo(OfflineVerifier.INVALID);

        JsonNode anchoring = printed().get("anchoring");
        assertThat(anchoring.get("findings")).hasSize(1);
        JsonNode finding = anchoring.get("findings").get(0);
        assertThat(finding.get("problem").asText()).isEqualTo("truncated");
        assertThat(finding.get("node").asText()).isEqualTo(A);
        assertThat(finding.get("treeSize").asLong()).isEqualTo(25);
        assertThat(finding.get("records").asLong()).isEqualTo(18);
        assertThat(anchoring.get("nodes").get(0).get("anchoredThrough").asLong()).isEqualTo(10);
    }

    @Test
    void aCheckpointBeyondAnExportThatEndsBeforeItIsOnlyNoted() throws Exception {
        Path second = kept(Anchors.checkpoint(trail, A, 25, keyA));

        assertThat(run(file("trail.ndjson", lines(trail.subList(0, 18))).toString(), "--checkpoint", second.toString(),
                "--keys", keys(keyA).toString())).isZero();

        assertThat(printed().get("reason").asText()).contains("cover records after the last one checked (18)");
    }

    @Test
    void anAnchorLineSignedByAKeyNotTrustedIsReported() throws Exception {
        List<String> export = lines(trail.subList(0, 20));
        export.add(anchorLine(trail, A, 20, 25, Anchors.key(A)));

        assertThat(run(file("trail.ndjson", export).toString(), "--keys", keys(keyA).toString())).isEqualTo(OfflineVerifier.INVALID);

        assertThat(printed().get("anchoring").get("findings").get(0).get("problem").asText()).isEqualTo("untrusted-checkpoint");
    }

    @Test
    void recordsOfANodeWithoutATrustedKeyAreReported() throws Exception {
        List<String> export = lines(trail.subList(0, 20));
        export.add(anchorLine(trail, A, 20, 25, keyA));

        assertThat(run(file("trail.ndjson", export).toString(), "--keys", keys(keyB).toString())).isEqualTo(OfflineVerifier.INVALID);

        assertThat(printed().get("anchoring").get("findings").get(0).get("problem").asText()).isEqualTo("no-trusted-key");
    }

    @Test
    void anOldExportWithoutAnchorLinesVerifiesAsBeforeAndSaysNothingAnchorsIt() throws Exception {
        assertThat(run(file("trail.ndjson", lines(trail)).toString())).isZero();

        JsonNode result = printed();
        assertThat(result.get("valid").asBoolean()).isTrue();
        assertThat(result.has("anchoring")).isFalse();
        assertThat(stderr()).contains("no anchor lines: nothing in this export anchors its records to a signed checkpoint");
    }

    @Test
    void anAnchorLineIsUncheckedWithoutKeysAndSaysSo() throws Exception {
        List<String> export = lines(trail.subList(0, 20));
        export.add(anchorLine(trail, A, 20, 25, keyA));

        assertThat(run(file("trail.ndjson", export).toString())).isZero();

        assertThat(stderr()).contains("1 anchor line(s) not checked: give the verifier keys you trust with --keys");
    }

    @Test
    void aKeptCheckpointWithoutKeysIsAUsageError() throws Exception {
        Path second = kept(Anchors.checkpoint(trail, A, 25, keyA));

        assertThat(run(file("trail.ndjson", lines(trail)).toString(), "--checkpoint", second.toString()))
                .isEqualTo(OfflineVerifier.ERROR);
        assertThat(stderr()).contains("--checkpoint: signed checkpoints you kept");
    }
}
