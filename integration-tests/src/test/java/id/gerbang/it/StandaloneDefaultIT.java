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
 * The standalone default as the README's first call meets it: the built-in issuer and the sandbox OPD
 * services (WireMock, started on its own thread while the node starts) with their routes. The first call
 * after "Gerbang is ready" reaches the sandbox, and its answer carries nothing of WireMock's.
 */
class StandaloneDefaultIT {

    private static Process process;
    private static Path log;
    private static int port;
    private static int sandboxPort;
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory(Gateway.targetDir(), "standalone-");
        Path data = Files.createDirectories(dir.resolve("data"));
        port = Gateway.freePort();
        sandboxPort = Gateway.freePort();
        log = dir.resolve("gateway.log");
        // the README's command, nothing else of the other tests' settings: only the ports and the data
        // directory are moved out of the way
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(List.of(java, "-Xmx256m", "-jar", System.getProperty("gerbang.jar", "../gateway/target/gerbang.jar"),
                        "--server.port=" + port, "--gerbang.data-dir=" + data, "--gerbang.sandbox.port=" + sandboxPort))
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

    @Test
    void theFirstCallReachesTheSandboxAndItsAnswerNamesNoStub() throws Exception {
        HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/oauth2/token"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "dinkes-simpus:dinkes-simpus-secret".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        String accessToken = new ObjectMapper().readTree(token.body()).get("access_token").asText();

        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/disdukcapil/penduduk/1404015708900001"))
                .header("Authorization", "Bearer " + accessToken).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("1404015708900001");
        assertThat(answer.headers().map().keySet()).as("headers of the answer")
                .noneMatch(name -> name.toLowerCase().startsWith("matched-stub"));
    }

    private static String token(String client) throws Exception {
        HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/oauth2/token"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (client + ":" + client + "-secret").getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(token.body()).get("access_token").asText();
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theSandboxServiceWantingAnApiKeyGetsItFromTheNodesSecret() throws Exception {
        HttpResponse<String> answer = get("/api/dpmptsp/perizinan", token("dinkes-simpus"));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("\"kunci_api\":\"diterima\"").doesNotContain("sandbox-demo-key");
    }

    @Test
    void theSandboxServiceSpeakingPlainXmlIsCalledAndAnswersInJson() throws Exception {
        String token = token("dinkes-simpus");
        HttpResponse<String> filed = post("/api/dpmptsp/pbg",
                "{\"nik\":\"1404015708900001\",\"fungsi\":\"hunian\",\"lokasi\":\"Pangkalan Kerinci\"}", token);
        assertThat(filed.statusCode()).as(filed.body()).isEqualTo(201);
        assertThat(filed.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode answer = new ObjectMapper().readTree(filed.body());
        assertThat(answer.path("nomor").asText()).isEqualTo("SIMBG-1404-2026-00042");
        assertThat(answer.path("nik").asText()).as("the NIK it read from the XML sent").isEqualTo("1404015708900001");
        assertThat(answer.path("status").asText()).isEqualTo("DITERIMA");

        HttpResponse<String> refused = post("/api/dpmptsp/pbg", "{\"nik\":\"3171000000000001\"}", token);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
        assertThat(new ObjectMapper().readTree(refused.body()).path("kode").asText()).isEqualTo("NIK_TIDAK_VALID");
    }

    private static HttpResponse<String> post(String path, String json, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theSandboxServiceVerifyingTheCallerAssertionKnowsWhoCalled() throws Exception {
        HttpResponse<String> answer = get("/api/dinkes/kunjungan", token("bapenda-sipd"));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("\"diverifikasi\":true").contains("\"klien\":\"bapenda-sipd\"")
                .contains("\"rute\":\"dinkes-kunjungan\"");
    }

    @Test
    void theSandboxsCompositeAnswersWithBothPartsOrNamesTheOneTheCallerMayNotCall() throws Exception {
        // the sandbox's first answers on a busy machine can take longer than the tax route's 3 s timeout:
        // the composite is asked once the tax route answers on its own
        String dpmptsp = token("dpmptsp-sicantik");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> get("/api/bapenda/status-pajak?nik=1404015708900001", dpmptsp).statusCode() == 200);

        HttpResponse<String> both = get("/api/warga/profil/1404015708900001", token("dpmptsp-sicantik"));
        HttpResponse<String> partly = get("/api/warga/profil/1404015708900001", token("dinkes-simpus"));

        assertThat(both.statusCode()).as(both.body()).isEqualTo(200);
        assertThat(both.body()).contains("\"nama_lengkap\":\"Siti Rahmawati\"").contains("\"status\":\"LUNAS\"")
                .doesNotContain("incomplete");
        assertThat(partly.statusCode()).as(partly.body()).isEqualTo(200);
        assertThat(partly.body()).contains("\"nama_lengkap\":\"Siti Rahmawati\"").contains("\"code\":\"ACCESS_DENIED\"")
                .contains("\"incomplete\":[\"pajak\"]");
    }

    @Test
    void theSplpDocumentOfAServiceWithAnApiKeyNamesGerbangNeitherTheSandboxNorTheKey() throws Exception {
        HttpResponse<String> answer = get("/catalog/dpmptsp-perizinan/openapi?for=splp", token("dinkes-simpus"));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        var doc = new ObjectMapper().readTree(answer.body());
        assertThat(doc.path("x-wso2-production-endpoints").path("urls").get(0).asText())
                .isEqualTo("http://127.0.0.1:" + port + "/api/dpmptsp/perizinan");
        assertThat(doc.path("x-wso2-auth-header").asText()).isEqualTo("AuthorizationSPLP");
        assertThat(answer.body()).doesNotContain(":" + sandboxPort, "sandbox-sicantik-key", "sandbox-demo-key");
    }

    @Test
    void theSandboxMockAnswersFromItsOpenapiDocumentAndSaysSo() throws Exception {
        HttpResponse<String> answer = get("/api/bapenda/pbb/tagihan/140401000100100010", token("dinkes-simpus"));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.headers().firstValue("X-Gerbang-Mock")).hasValue("true");
        assertThat(answer.body()).contains("\"status\":\"LUNAS\"");
    }
}
