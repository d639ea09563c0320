package id.gerbang.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import id.gerbang.it.support.Gateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The standalone default's SOAP route ({@code bkpsdm-pegawai}: BKPSDM's SIMPEG in the sandbox, SOAP 1.1)
 * against the packaged jar, as the README has a newcomer try it: JSON in, JSON out; an unknown NIP is the
 * SIMPEG's fault, 502 UPSTREAM_FAULT, and both calls are on the trail.
 */
class SoapMediationIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static Process process;
    private static Path log;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory(Gateway.targetDir(), "soap-");
        Path data = Files.createDirectories(dir.resolve("data"));
        port = Gateway.freePort();
        log = dir.resolve("gateway.log");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(List.of(java, "-Xmx256m", "-jar", System.getProperty("gerbang.jar", "../gateway/target/gerbang.jar"),
                        "--server.port=" + port, "--gerbang.data-dir=" + data, "--gerbang.sandbox.port=" + Gateway.freePort()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(process.isAlive()).as("the node exited during start-up:\n" + Gateway.tail(log)).isTrue();
            return Files.readString(log, StandardCharsets.UTF_8).contains("Gerbang is ready on");
        });
    }

    @AfterAll
    static void stop() throws Exception {
        if (process != null) {
            process.destroy();
            process.waitFor();
        }
    }

    private static String token(String client) throws Exception {
        HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/oauth2/token"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (client + ":" + client + "-secret").getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        return JSON.readTree(token.body()).get("access_token").asText();
    }

    private static HttpResponse<String> post(String token, String path, String body, String correlationId) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("X-Correlation-Id", correlationId)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String token, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aCivilServantByNipAsJsonAndAnUnknownNipAsTheUpstreamsFaultBothOnTheTrail() throws Exception {
        String dinkes = token("dinkes-simpus");

        HttpResponse<String> found = post(dinkes, "/api/bkpsdm/pegawai", "{\"nip\":\"197802122005011003\"}", "soap-it-found");
        assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
        assertThat(found.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode pegawai = JSON.readTree(found.body()).get("pegawai");
        assertThat(pegawai.get("nama").asText()).isEqualTo("Hendra Saputra, S.Kom");
        assertThat(pegawai.get("unitKerja").asText()).isEqualTo("Dinas Komunikasi dan Informatika Kabupaten Pelalawan");

        HttpResponse<String> unknown = post(dinkes, "/api/bkpsdm/pegawai", "{\"nip\":\"199912312020121999\"}", "soap-it-unknown");
        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(502);
        assertThat(unknown.headers().firstValue("X-Gerbang-Error")).hasValue("UPSTREAM_FAULT");
        JsonNode problem = JSON.readTree(unknown.body());
        assertThat(problem.get("code").asText()).isEqualTo("UPSTREAM_FAULT");
        assertThat(problem.get("detail").asText()).contains("soap:Client")
                .contains("Pegawai dengan NIP tersebut tidak ditemukan");

        HttpResponse<String> noXmlForm = post(dinkes, "/api/bkpsdm/pegawai", "{\"nip\":[[1]]}", "soap-it-bad");
        assertThat(noXmlForm.statusCode()).as(noXmlForm.body()).isEqualTo(400);
        assertThat(get(dinkes, "/api/bkpsdm/pegawai").statusCode()).isEqualTo(405);

        String auditor = token("inspektorat-audit");
        for (String[] expected : new String[][] {{"soap-it-found", "200", "null"}, {"soap-it-unknown", "502", "UPSTREAM_FAULT"},
                {"soap-it-bad", "400", "BAD_REQUEST"}}) {
            HttpResponse<String> records = get(auditor, "/audit/records?correlationId=" + expected[0]);
            assertThat(records.statusCode()).as(records.body()).isEqualTo(200);
            JsonNode record = JSON.readTree(records.body()).path("records").path(0);
            assertThat(record.path("routeId").asText()).as(records.body()).isEqualTo("bkpsdm-pegawai");
            assertThat(record.path("status").asText()).isEqualTo(expected[1]);
            assertThat(record.path("errorCode").isNull() || record.path("errorCode").isMissingNode() ? "null" : record.path("errorCode").asText()).isEqualTo(expected[2]);
        }
    }

    @Test
    void theCatalogueSaysWhatTheUpstreamSpeaks() throws Exception {
        HttpResponse<String> entry = get(token("dinkes-simpus"), "/catalog/bkpsdm-pegawai");

        assertThat(entry.statusCode()).as(entry.body()).isEqualTo(200);
        assertThat(JSON.readTree(entry.body()).get("mediation")).isEqualTo(JSON.readTree("""
                {"soap":{"version":"1.1","namespace":"http://bkpsdm.pelalawankab.go.id/simpeg",
                 "operation":"getPegawaiByNip","soapAction":"urn:getPegawaiByNip"}}"""));
    }
}
