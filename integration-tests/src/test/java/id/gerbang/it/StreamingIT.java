package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import id.gerbang.it.support.GatewayTest;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Large bodies stream through both ways, byte for byte. */
class StreamingIT extends GatewayTest {

    private static final int FIVE_MIB = 5 * 1024 * 1024;

    private static byte[] random(long seed) {
        byte[] b = new byte[FIVE_MIB];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void fiveMebibyteChunkedUploadReachesUpstreamIntact() throws Exception {
        byte[] body = random(1404);
        wm.stubFor(post(urlPathEqualTo("/svc/berkas")).willReturn(aResponse().withStatus(201).withBody("stored")));

        HttpResponse<String> r = gw.send(gw.request("/api/it/echo/berkas")
                .header("Authorization", "Bearer " + gw.token("dinkes-simpus"))
                .header("Content-Type", "application/octet-stream")
                // no length known up front: sent chunked
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        LoggedRequest in = receivedOnce();
        assertThat(in.getBody().length).isEqualTo(FIVE_MIB);
        assertThat(sha256(in.getBody())).isEqualTo(sha256(body));
    }

    @Test
    void fiveMebibyteDownloadComesBackIntact() throws Exception {
        byte[] body = random(1507);
        wm.stubFor(get(urlPathEqualTo("/svc/arsip")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/octet-stream").withBody(body)));

        HttpResponse<byte[]> r = gw.http().send(gw.request("/api/it/echo/arsip")
                .header("Authorization", "Bearer " + gw.token("dinkes-simpus")).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body().length).isEqualTo(FIVE_MIB);
        assertThat(sha256(r.body())).isEqualTo(sha256(body));
    }
}
