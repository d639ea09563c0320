package id.gerbang.gateway.trail;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar gerbang.jar verify <export.ndjson>}: exit status and output. */
class OfflineVerifierTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return OfflineVerifier.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private JsonNode printed() throws Exception {
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(1);
        return TrailJson.MAPPER.readTree(lines[0]);
    }

    private Path export(List<String> lines) throws Exception {
        Path file = dir.resolve("trail.ndjson");
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    private static List<String> lines(List<AuditRecord> records) {
        List<String> lines = new ArrayList<>();
        records.forEach(r -> lines.add(TrailJson.json(r)));
        return lines;
    }

    @Test
    void aValidExportExitsWithZero() throws Exception {
        Path file = export(lines(Chains.interleaved(40)));

        assertThat(run(file.toString())).isZero();
        JsonNode result = printed();
        assertThat(result.get("valid").asBoolean()).isTrue();
        assertThat(result.get("checked").asLong()).isEqualTo(40);
        assertThat(result.get("firstInvalid").isNull()).isTrue();
        assertThat(result.has("reason")).isTrue();
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("VALID: 40 record(s) checked");
    }

    @Test
    void aTamperedLineExitsWithOneAndIsNamed() throws Exception {
        List<AuditRecord> records = Chains.interleaved(40);
        List<String> lines = lines(records);
        AuditRecord victim = records.get(17);
        // an auditor's copy edited by hand: the caller's client id changed
        lines.set(17, lines.get(17).replace("\"clientId\":\"" + victim.clientId() + "\"", "\"clientId\":\"pihak-lain\""));
        assertThat(lines.get(17)).contains("pihak-lain");

        assertThat(run(export(lines).toString())).isEqualTo(1);
        JsonNode result = printed();
        assertThat(result.get("valid").asBoolean()).isFalse();
        assertThat(result.get("firstInvalid").asLong()).isEqualTo(victim.id());
        assertThat(result.get("checked").asLong()).isEqualTo(18);
        assertThat(result.get("reason").asText()).contains("hash does not match");
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("INVALID: record " + victim.id() + ": ");
    }

    @Test
    void aDeletedLineExitsWithOne() throws Exception {
        List<String> lines = lines(Chains.interleaved(40));
        lines.remove(20);
        assertThat(run(export(lines).toString())).isEqualTo(1);
        assertThat(printed().get("reason").asText()).contains("missing: deleted");
    }

    @Test
    void aLineThatIsNotARecordIsInvalid() throws Exception {
        List<String> lines = lines(Chains.interleaved(10));
        lines.set(4, lines.get(4).replace("{\"id\"", "{\"extra\":1,\"id\""));
        assertThat(run(export(lines).toString())).isEqualTo(1);
        JsonNode result = printed();
        assertThat(result.get("firstInvalid").isNull()).isTrue();
        assertThat(result.get("checked").asLong()).isEqualTo(4);
        assertThat(result.get("reason").asText()).startsWith("line 5 is not an audit record");

        out.reset();
        lines = lines(Chains.interleaved(10));
        lines.set(2, lines.get(2).substring(0, 100));
        assertThat(run(export(lines).toString())).isEqualTo(1);
        assertThat(printed().get("reason").asText()).startsWith("line 3 is not an audit record");
    }

    @Test
    void anExportOfALaterPeriodVerifiesFromItsFirstRecords() throws Exception {
        List<AuditRecord> records = Chains.interleaved(40);
        assertThat(run(export(lines(records.subList(12, 40))).toString())).isZero();
        assertThat(printed().get("reason").asText()).contains("checked from the first record present of each node");
    }

    @Test
    void usageAndReadErrorsExitWithTwo() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: java -jar gerbang.jar verify");
        assertThat(run("a.ndjson", "b.ndjson")).isEqualTo(2);
        assertThat(run(dir.resolve("absent.ndjson").toString())).isEqualTo(2);
        assertThat(out.size()).isZero();
    }

    @Test
    void bytesThatAreNotUtf8AreAReadError() throws Exception {
        Path file = dir.resolve("bad.ndjson");
        Files.write(file, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}', '\n'});
        assertThat(run(file.toString())).isEqualTo(2);
    }

    @Test
    void withTheExpectedNodesARecordOfAnyOtherNodeIsInvalid() throws Exception {
        List<AuditRecord> records = new ArrayList<>(Chains.interleaved(10));
        Chains forged = new Chains();
        for (int i = 0; i < 3; i++) {
            records.add(forged.add("vm2", "dinkes-simpus", 200).withId(100L + i)); // a correct genesis chain
        }
        Path file = export(lines(records));

        assertThat(run(file.toString())).as("nothing says vm2 is not a node").isZero();
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("nodes not checked against a list (--nodes): gerbang-a, gerbang-b, gerbang-c, vm2");

        out.reset();
        assertThat(run("--nodes", "gerbang-a,gerbang-b,gerbang-c", file.toString())).isEqualTo(1);
        assertThat(printed().get("firstInvalid").asLong()).isEqualTo(100L);
        assertThat(printed().get("reason").asText()).startsWith("unknown node: vm2");

        assertThat(run("--nodes", "", file.toString())).isEqualTo(2);
        assertThat(run(file.toString(), "--nodes")).isEqualTo(2);
    }
}
