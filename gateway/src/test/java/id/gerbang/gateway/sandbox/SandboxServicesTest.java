package id.gerbang.gateway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.gateway.config.GerbangProperties;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class SandboxServicesTest {

    private SandboxServices sandbox;

    @BeforeEach
    void start() {
        GerbangProperties properties = new Binder(new MapConfigurationPropertySource(Map.of(
                "gerbang.sandbox.enabled", "true", "gerbang.sandbox.port", "0")))
                .bindOrCreate(GerbangProperties.PREFIX, GerbangProperties.class);
        sandbox = new SandboxServices(properties);
        sandbox.start();
    }

    @AfterEach
    void stop() {
        sandbox.stop();
        sandbox.destroy();
    }

    @Test
    void isNotRunningUntilStartedSoThatSpringCallsStartAndWaitsForWireMock() {
        GerbangProperties properties = new Binder(new MapConfigurationPropertySource(Map.of(
                "gerbang.sandbox.enabled", "true", "gerbang.sandbox.port", "0")))
                .bindOrCreate(GerbangProperties.PREFIX, GerbangProperties.class);
        SandboxServices other = new SandboxServices(properties);
        try {
            assertThat(other.port()).isPositive(); // WireMock listens on its own thread...
            assertThat(other.isRunning()).isFalse(); // ...but the lifecycle's start has not run
            other.start();
            assertThat(other.isRunning()).isTrue();
        } finally {
            other.destroy();
        }
    }

    @Test
    void listensOnceStartReturns() {
        assertThat(sandbox.isRunning()).isTrue();
        assertThat(sandbox.port()).isPositive();
    }

    @Test
    void answersAsTheServiceWouldWithoutNamingTheStubThatAnswered() throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sandbox.port() + "/sipd/api/status-pajak?nik=1404015708900001")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("\"nik\":\"1404015708900001\"").contains("LUNAS");
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(answer.headers().map().keySet())
                .noneMatch(name -> name.equalsIgnoreCase("Matched-Stub-Id"))
                .noneMatch(name -> name.equalsIgnoreCase("Matched-Stub-Name"));
    }

    @Test
    void simbgAnswersAnApplicationInPlainXmlNamingTheNikItWasSent() throws Exception {
        HttpResponse<String> answer = post("/simbg/api/permohonan",
                "<permohonan><nik>1404015708900001</nik><fungsi>hunian</fungsi></permohonan>");
        assertThat(answer.statusCode()).isEqualTo(201);
        assertThat(answer.body()).contains("<nik>1404015708900001</nik>").contains("<status>DITERIMA</status>");

        HttpResponse<String> refused = post("/simbg/api/permohonan", "<permohonan><nik>3171</nik></permohonan>");
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.body()).contains("<kode>NIK_TIDAK_VALID</kode>");
    }

    private HttpResponse<String> post(String path, String xml) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sandbox.port() + path))
                .header("Content-Type", "application/xml").POST(HttpRequest.BodyPublishers.ofString(xml)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
