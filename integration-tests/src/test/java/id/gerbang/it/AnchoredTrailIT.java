package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import id.gerbang.it.support.Gateway;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The anchored trail end to end, through the node's own writer and signer: a client's call, the checkpoint
 * the node signs and stamps (demo TSA), the call's receipt checked by the Python script of docs/trail.md,
 * who may ask for it, the latest checkpoint, the checkpoint list with its timestamps, and the anchor line
 * that ends an export.
 */
class AnchoredTrailIT {

    private static final String NODE = "it-anchor";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Gateway gw;

    @BeforeAll
    static void gateway() throws Exception {
        gw = Gateway.start("gateway-anchor", List.of("--gerbang.node=" + NODE, "--gerbang.trail.checkpoint-interval=1s"));
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private static HttpResponse<String> ask(String path, String client) throws Exception {
        var request = gw.request(path).GET();
        if (client != null) {
            request.header("Authorization", "Bearer " + gw.token(client));
        }
        return gw.send(request.build());
    }

    @Test
    void aCallsReceiptVerifiesWithTheScriptOfTheDocsOnceTheNodeSignedACheckpoint() throws Exception {
        gw.upstream().stubFor(get(urlPathEqualTo("/penduduk/anchor")).willReturn(aResponse().withStatus(200).withBody("{}")));
        String cid = "anchor-" + UUID.randomUUID();
        HttpResponse<String> call = gw.send(gw.request("/api/it/penduduk/anchor").GET()
                .header("Authorization", "Bearer " + gw.token("dinkes-simpus")).header("X-Correlation-Id", cid).build());
        // whatever the upstream made of it (a loaded machine may time it out), the call is on the trail
        assertThat(call.statusCode()).isNotIn(401, 403, 404);
        assertThat(call.headers().firstValue("X-Correlation-Id")).hasValue(cid);

        // 409 CHECKPOINT_PENDING until the node's next checkpoint covers the call, then the receipt
        HttpResponse<String> receipt = Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> ask("/audit/receipts/" + cid, "dinkes-simpus"), r -> {
                    assertThat(r.statusCode()).as(r.body()).isIn(200, 409);
                    return r.statusCode() == 200;
                });
        JsonNode body = JSON.readTree(receipt.body());
        assertThat(body.path("record").path("correlationId").asText()).isEqualTo(cid);
        String note = body.path("checkpoint").asText();
        assertThat(note).startsWith("gerbang/" + NODE + "\n");

        // another client's call is not there for a client; without a token, 401
        assertThat(ask("/audit/receipts/" + cid, "bapenda-sipd").statusCode()).isEqualTo(404);
        assertThat(ask("/audit/receipts/" + cid, null).statusCode()).isEqualTo(401);
        assertThat(ask("/audit/receipts/" + cid, "inspektorat-audit").statusCode()).isEqualTo(200);

        // the keys, for anyone; the receipt checked by a script that is not Gerbang's code
        HttpResponse<String> keys = ask("/audit/keys", null);
        assertThat(keys.statusCode()).isEqualTo(200);
        String key = Arrays.stream(keys.body().split("\n")).filter(l -> l.startsWith("gerbang/" + NODE + "+")).findFirst()
                .orElseThrow(() -> new AssertionError("no key of " + NODE + " in " + keys.body()));
        if (python3()) {
            Path dir = Files.createTempDirectory(Gateway.targetDir(), "receipt-");
            Path file = dir.resolve("receipt.json");
            Files.writeString(file, receipt.body());
            Path script = dir.resolve("check_receipt.py");
            Files.writeString(script, receiptScript());
            Process p = new ProcessBuilder("python3", script.toString(), file.toString(), key).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("OK: record " + body.path("record").path("nodeSeq").asLong() + " of " + NODE);
        } else {
            System.out.println("python3 is not installed: the receipt script of docs/trail.md was not run");
        }
        // and by the RFC 9162 algorithm written here
        assertThat(includes(body.path("record"), note, body.path("proof"))).isTrue();

        // the latest checkpoint, as signed, for any client
        HttpResponse<String> latest = ask("/audit/checkpoints/" + NODE + "/latest", "dinkes-simpus");
        assertThat(latest.statusCode()).isEqualTo(200);
        assertThat(latest.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(latest.body()).startsWith("gerbang/" + NODE + "\n").contains("\n\n\u2014 gerbang/" + NODE + " ");

        // the checkpoints with their RFC 3161 timestamps, for auditors
        assertThat(ask("/audit/checkpoints?node=" + NODE, "dinkes-simpus").statusCode()).isEqualTo(403);
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode list = JSON.readTree(ask("/audit/checkpoints?node=" + NODE, "inspektorat-audit").body());
            assertThat(list).isNotEmpty();
            assertThat(list.get(0).path("timestampToken").isTextual()).as(list.toString()).isTrue();
        });

        // an export ends with the node's anchor line, whose proof leads to its checkpoint's root
        HttpResponse<String> export = ask("/audit/export?format=ndjson", "inspektorat-audit");
        assertThat(export.statusCode()).isEqualTo(200);
        List<String> lines = List.of(export.body().split("\n"));
        JsonNode anchor = JSON.readTree(lines.get(lines.size() - 1));
        assertThat(anchor.path("kind").asText()).isEqualTo("anchor");
        assertThat(anchor.path("node").asText()).isEqualTo(NODE);
        JsonNode anchored = null;
        for (String line : lines) {
            JsonNode r = JSON.readTree(line);
            if (!r.path("kind").asText().equals("anchor") && r.path("node").asText().equals(NODE)
                    && r.path("nodeSeq").asLong() == anchor.path("seq").asLong()) {
                anchored = r;
            }
        }
        assertThat(anchored).as("the export holds the record its anchor line proves").isNotNull();
        assertThat(includes(anchored, anchor.path("checkpoint").asText(), anchor.path("proof"))).isTrue();
    }

    /** RFC 9162 §2.1.3.2: whether the proof leads from the record's leaf to the root the checkpoint names. */
    static boolean includes(JsonNode record, String note, JsonNode proof) throws Exception {
        String[] lines = note.split("\n");
        long size = Long.parseLong(lines[1]);
        byte[] root = Base64.getDecoder().decode(lines[2]);
        long fn = record.path("nodeSeq").asLong() - 1;
        long sn = size - 1;
        byte[] r = sha256(new byte[] {0}, HexFormat.of().parseHex(record.path("hash").asText()));
        List<byte[]> path = new ArrayList<>();
        proof.forEach(p -> path.add(Base64.getDecoder().decode(p.asText())));
        for (byte[] p : path) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = sha256(new byte[] {1}, p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = sha256(new byte[] {1}, r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && Arrays.equals(r, root);
    }

    private static byte[] sha256(byte[]... parts) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        for (byte[] p : parts) {
            d.update(p);
        }
        return d.digest();
    }

    private static String receiptScript() throws Exception {
        String page = Files.readString(Path.of("..", "docs", "trail.md"), StandardCharsets.UTF_8);
        int start = page.indexOf("```python\n", page.indexOf("\n## Receipts\n"));
        return page.substring(start + "```python\n".length(), page.indexOf("\n```\n", start) + 1);
    }

    private static boolean python3() {
        try {
            Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
