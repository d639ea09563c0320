package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static id.gerbang.it.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.it.support.GatewayTest;
import id.gerbang.it.support.RawHttp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/security.md, "Hostile paths": hostile request paths are refused with 400 BAD_REQUEST and never
 * forwarded. Sent over a raw socket, exactly as written, with a valid token, to a route that would serve them.
 */
class HostilePathIT extends GatewayTest {

    @BeforeEach
    void okUpstream() {
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("forwarded")));
    }

    private RawHttp.Response get(String rawTarget) throws Exception {
        return RawHttp.send(gw.port(), "GET " + rawTarget + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + gw.port() + "\r\n"
                + "Authorization: Bearer " + gw.token("dinkes-simpus") + "\r\n"
                + "Connection: close\r\n\r\n");
    }

    @Test
    void controlAPlainPathIsForwarded() throws Exception {
        RawHttp.Response r = get("/api/it/echo/a/b.json");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(receivedOnce().getUrl()).isEqualTo("/svc/a/b.json");
    }

    /**
     * A request target is ASCII (RFC 9112 3.2, RFC 3986): raw UTF-8 bytes in it make a malformed request, to
     * be refused with 400, not relayed to the upstream in some re-encoding. Sent to the raw upstream, which
     * keeps the exact bytes of what reaches it.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/api/it/raw/caf\u00c3\u00a9", "/api/it/raw/x?kota=caf\u00c3\u00a9"})
    void rawNonAsciiBytesInTheTargetAreRefused(String targetAsLatin1) throws Exception {
        // the two chars U+00C3 U+00A9, sent as ISO-8859-1, are the UTF-8 bytes of "é"
        gw.rawUpstream().answer("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nforwarded");
        RawHttp.Response r = get(targetAsLatin1);
        assertThat(gw.rawUpstream().heads()).as("request heads the upstream received (ISO-8859-1)").isEmpty();
        assertProblem(r, 400, "BAD_REQUEST");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "/api/it/echo/../x",
        "/api/it/echo/./x",
        "/api/it/echo/..",
        "/api/it/echo/%2e%2e/x",
        "/api/it/echo/%2E%2E/x",
        "/api/it/echo/a%2Fb",
        "/api/it/echo/a%2fb",
        "/api/it/echo/a%252Fb",
        "/api/it/echo/a%5Cb",
        "/api/it/echo/a\\b",
        "/api/it/echo/a;x=1",
        "/api/it/echo;x=1/a",
        "/api/it/echo/a%00b",
        "/api/it/echo/a%2500b",
        "/api/it/echo/a%0d%0aX-Injected:%201",
        "/api/it/echo/a%09b",
        "/api/it/echo/%c0%ae%c0%ae/x",
        "/api/it/echo/%C0%AE/x",
        "/api/it/echo/%e0%80%ae%e0%80%ae/x",
        "/api/it/echo/a%c0%afb",
        "/api/it/echo/%25c0%25ae%25c0%25ae/x",
        "/api/it/echo/%EF%BC%8E%EF%BC%8E/x",
        "/api/it/echo/%EF%BC%8E/x",
        "/api/it/echo/%E2%80%A4%E2%80%A4/x",
        "/api/it/echo/a%EF%BC%8Fb",
        "/api/it/echo/a%EF%BC%BCb",
    })
    void hostilePathIsRefusedAndNeverForwarded(String rawTarget) throws Exception {
        RawHttp.Response r = get(rawTarget);
        assertProblem(r, 400, "BAD_REQUEST");
        assertThat(received()).as("requests the upstream received").isEmpty();
    }

    /**
     * Characters RFC 3986 does not allow as sent, and malformed escapes, cannot be forwarded as they came.
     * Jetty's parser lets every one of them through (none of these answers comes from it): the pipeline
     * refuses them, before authentication, as the caller's fault.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "/api/it/echo/a{b", "/api/it/echo/a}b", "/api/it/echo/a|b", "/api/it/echo/a^b", "/api/it/echo/a\"b",
        "/api/it/echo/a<b", "/api/it/echo/a>b", "/api/it/echo/a`b", "/api/it/echo/a[b", "/api/it/echo/a]b",
        "/api/it/echo/x?q=%zz", "/api/it/echo/x?q=%4", "/api/it/echo/x?q={a}", "/api/it/echo/x?q=a|b",
        "/api/it/echo/x?q=a^b", "/api/it/echo/x?q=\"a\"", "/api/it/echo/x?q=<a>", "/api/it/echo/x?q=`a`",
        "/api/it/echo/x?q=a\\b",
    })
    void targetsNoUpstreamRequestCouldCarryAreRefusedByThePipeline(String rawTarget) throws Exception {
        RawHttp.Response r = get(rawTarget);
        String detail = assertProblem(r, 400, "BAD_REQUEST").path("detail").asText();
        assertThat(detail).startsWith(rawTarget.contains("?") ? "refused query: " : "refused request path: ");
        assertThat(received()).as("requests the upstream received").isEmpty();
    }

    /** A fragment never reaches the pipeline: Jetty cuts it off, so neither the upstream nor the trail sees it. */
    @Test
    void aFragmentIsCutOffByTheHttpParser() throws Exception {
        RawHttp.Response r = get("/api/it/echo/a?q=1#/../../secret");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(receivedOnce().getUrl()).isEqualTo("/svc/a?q=1");
    }
}
