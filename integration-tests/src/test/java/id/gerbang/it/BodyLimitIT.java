package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static id.gerbang.it.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.it.support.GatewayTest;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** 413 PAYLOAD_TOO_LARGE against /it/small (maxBodyBytes 1024). */
class BodyLimitIT extends GatewayTest {

    @BeforeEach
    void okUpstream() {
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("stored")));
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 'x');
        return b;
    }

    private HttpResponse<String> post(HttpRequest.BodyPublisher body) throws Exception {
        return gw.send(gw.request("/api/it/small")
                .header("Authorization", "Bearer " + gw.token("dinkes-simpus"))
                .header("Content-Type", "application/octet-stream")
                .POST(body).build());
    }

    @Test
    void controlABodyOfExactlyTheLimitIsForwarded() throws Exception {
        HttpResponse<String> r = post(HttpRequest.BodyPublishers.ofByteArray(bytes(1024)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(receivedOnce().getBody()).hasSize(1024);
    }

    @Test
    void controlAChunkedBodyWithinTheLimitIsForwarded() throws Exception {
        byte[] body = bytes(1000);
        HttpResponse<String> r = post(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(receivedOnce().getBody()).hasSize(1000);
    }

    @Test
    void declaredLengthAboveTheLimitIsRefusedAndNothingForwarded() throws Exception {
        HttpResponse<String> r = post(HttpRequest.BodyPublishers.ofByteArray(bytes(2048)));
        assertProblem(r, 413, "PAYLOAD_TOO_LARGE");
        assertThat(received()).as("requests the upstream received").isEmpty();
    }

    @Test
    void chunkedBodyGrowingBeyondTheLimitIsRefusedAndNeverForwarded() throws Exception {
        byte[] body = bytes(4096);
        HttpResponse<String> r = post(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
        assertProblem(r, 413, "PAYLOAD_TOO_LARGE");
        // "bad input changes nothing": the upstream must not be handed a (truncated) POST at all
        assertUpstreamRecordsNothingWithin(java.time.Duration.ofSeconds(1));
    }
}
