package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import id.gerbang.it.support.GatewayTest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Capability 1: path rest, raw query, method, body and answers pass through unchanged. */
class ProxyingIT extends GatewayTest {

    @Test
    void getWithQueryReachesUpstreamWithSamePathRestAndRawQuery() throws Exception {
        wm.stubFor(get(urlPathEqualTo("/svc/penduduk/1404015708900001")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"nik\":\"1404015708900001\"}")));

        HttpResponse<String> r = gw.get("/api/it/echo/penduduk/1404015708900001?nik=1404015708900001&x=a%20b", "dinkes-simpus");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"nik\":\"1404015708900001\"}");
        LoggedRequest in = receivedOnce();
        assertThat(in.getMethod().getName()).isEqualTo("GET");
        assertThat(in.getUrl()).isEqualTo("/svc/penduduk/1404015708900001?nik=1404015708900001&x=a%20b");
    }

    @Test
    void postJsonBodyReachesUpstreamIntactAndAnswerComesBackUnchanged() throws Exception {
        String sent = "{\"nik\":\"1404015708900001\",\"nama\":\"Siti Aminah\",\"poli\":\"umum\",\"catatan\":\"é ü – ✓\"}";
        String answer = "{\"id\":\"REG-2026-000123\",\"status\":\"terdaftar\"}";
        wm.stubFor(post(urlPathEqualTo("/svc/pendaftaran")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json; charset=utf-8")
                .withHeader("Location", "/svc/pendaftaran/REG-2026-000123")
                .withHeader("X-Upstream-Trace", "abc123")
                .withHeader("Cache-Control", "no-store")
                .withBody(answer)));

        HttpResponse<String> r = gw.send(gw.request("/api/it/echo/pendaftaran")
                .header("Authorization", "Bearer " + gw.token("dinkes-simpus"))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(sent, StandardCharsets.UTF_8)).build());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(r.body()).isEqualTo(answer);
        assertThat(r.headers().firstValue("Content-Type").map(ProxyingIT::mediaType)).hasValue("application/json;charset=utf-8");
        assertThat(r.headers().firstValue("Location")).hasValue("/svc/pendaftaran/REG-2026-000123");
        assertThat(r.headers().firstValue("X-Upstream-Trace")).hasValue("abc123");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(r.headers().firstValue("X-Gerbang-Error")).isEmpty();
        LoggedRequest in = receivedOnce();
        assertThat(in.getMethod().getName()).isEqualTo("POST");
        assertThat(in.getUrl()).isEqualTo("/svc/pendaftaran");
        assertThat(in.getBody()).isEqualTo(sent.getBytes(StandardCharsets.UTF_8));
        // charset names are case-insensitive, and WireMock's own Jetty may change their case
        assertThat(in.getHeader("Content-Type")).isEqualToIgnoringCase("application/json; charset=utf-8");
    }

    /** The media type with white space removed and lower case: what a Content-Type means, not how it is spelled. */
    private static String mediaType(String contentType) {
        return contentType.replace(" ", "").toLowerCase(java.util.Locale.ROOT);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"text/csv; charset=UTF-8; header=present", "application/json; charset=utf-8",
        "text/html; charset=ISO-8859-1"})
    void upstreamContentTypeComesBackByteForByte(String contentType) throws Exception {
        wm.stubFor(get(urlPathEqualTo("/svc/laporan")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", contentType).withBody("nik,nama\n")));

        HttpResponse<String> r = gw.get("/api/it/echo/laporan", "dinkes-simpus");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().allValues("Content-Type")).containsExactly(contentType);
    }

    @Test
    void encodedCharactersInThePathAreForwardedAsSent() throws Exception {
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)));

        HttpResponse<String> r = gw.get("/api/it/echo/nama/Siti%20Aminah/kota/Pangkalan%20Kerinci%C3%A9/a+b~c", "dinkes-simpus");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(receivedOnce().getUrl()).isEqualTo("/svc/nama/Siti%20Aminah/kota/Pangkalan%20Kerinci%C3%A9/a+b~c");
    }

    @Test
    void queryIsForwardedRawAndIsNotSubjectToThePathRules() throws Exception {
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)));
        String query = "?next=..%2F..%2Fetc&dir=a%5Cb&rel=../x&q=%252F&empty=&flag";

        HttpResponse<String> r = gw.get("/api/it/echo/cari" + query, "dinkes-simpus");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(receivedOnce().getUrl()).isEqualTo("/svc/cari" + query);
    }

    @Test
    void upstream404PassesThroughUnchanged() throws Exception {
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json").withHeader("X-Upstream", "simduk")
                .withBody("{\"pesan\":\"NIK tidak ditemukan\"}")));

        HttpResponse<String> r = gw.get("/api/it/echo/penduduk/1404019999999999", "dinkes-simpus");

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).isEqualTo("{\"pesan\":\"NIK tidak ditemukan\"}");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.headers().firstValue("X-Upstream")).hasValue("simduk");
        assertThat(r.headers().firstValue("X-Gerbang-Error")).isEmpty();
        assertThat(received()).hasSize(1);
    }

    @Test
    void upstream500PassesThroughUnchanged() throws Exception {
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "text/plain").withBody("database SIMPUS sedang gangguan")));

        HttpResponse<String> r = gw.get("/api/it/echo/kunjungan", "dinkes-simpus");

        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).isEqualTo("database SIMPUS sedang gangguan");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain");
        assertThat(r.headers().firstValue("X-Gerbang-Error")).isEmpty();
        assertThat(received()).as("a 500 is an answer, not retried").hasSize(1);
    }

    @Test
    void upstreamRedirectIsPassedBackNotFollowed() throws Exception {
        String location = "http://127.0.0.1:" + wm.port() + "/svc/elsewhere";
        wm.stubFor(get(urlPathEqualTo("/svc/moved")).willReturn(aResponse().withStatus(302).withHeader("Location", location)));
        wm.stubFor(get(urlPathEqualTo("/svc/elsewhere")).willReturn(aResponse().withStatus(200).withBody("followed")));

        HttpResponse<String> r = gw.get("/api/it/echo/moved", "dinkes-simpus");

        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).hasValue(location);
        assertThat(r.body()).doesNotContain("followed");
        assertThat(receivedOnce().getUrl()).isEqualTo("/svc/moved");
    }
}
