package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static id.gerbang.it.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.http.Fault;
import id.gerbang.it.support.GatewayTest;
import id.gerbang.it.support.RawHttp;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** 502 UPSTREAM_UNAVAILABLE and 504 UPSTREAM_TIMEOUT. */
class UpstreamFailureIT extends GatewayTest {

    @Test
    void connectionRefused() throws Exception {
        assertProblem(gw.get("/api/it/down/x", "dinkes-simpus"), 502, "UPSTREAM_UNAVAILABLE");
    }

    @Test
    void connectionResetByPeer() throws Exception {
        wm.stubFor(get(urlPathEqualTo("/svc/reset")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        assertProblem(gw.get("/api/it/echo/reset", "dinkes-simpus"), 502, "UPSTREAM_UNAVAILABLE");
    }

    @Test
    void emptyResponse() throws Exception {
        wm.stubFor(get(urlPathEqualTo("/svc/empty")).willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));
        assertProblem(gw.get("/api/it/echo/empty", "dinkes-simpus"), 502, "UPSTREAM_UNAVAILABLE");
    }

    @Test
    void answerThatIsNotHttp() throws Exception {
        gw.rawUpstream().answer("SIMPUS SIAP\r\n\r\n");
        assertProblem(gw.get("/api/it/raw/garbage", "dinkes-simpus"), 502, "UPSTREAM_UNAVAILABLE");
    }

    @Test
    void answerWithTwoDifferentContentLengths() throws Exception {
        gw.rawUpstream().answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nokk");
        assertProblem(gw.get("/api/it/raw/two-lengths", "dinkes-simpus"), 502, "UPSTREAM_UNAVAILABLE");
    }

    /**
     * An answer framed both ways (RFC 9112 6.3: a sign of response smuggling) is a bad answer: the caller gets
     * 502, or at the very least an answer whose own framing is consistent: never the upstream's
     * Content-Length on a body of another length.
     */
    @Test
    void answerWithContentLengthAndTransferEncoding() throws Exception {
        gw.rawUpstream().answer("HTTP/1.1 200 OK\r\nContent-Length: 50\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nok\r\n0\r\n\r\n");

        RawHttp.Response r = RawHttp.send(gw.port(), "GET /api/it/raw/smuggle HTTP/1.1\r\nHost: 127.0.0.1:" + gw.port()
                + "\r\nAuthorization: Bearer " + gw.token("dinkes-simpus") + "\r\nConnection: close\r\n\r\n");

        if (r.status() != 502) {
            String length = r.header("Content-Length");
            assertThat(length == null ? r.body().length : Integer.parseInt(length))
                    .as("declared Content-Length against the body the caller received:\n" + r.raw())
                    .isEqualTo(r.body().length);
        } else {
            assertProblem(r, 502, "UPSTREAM_UNAVAILABLE");
        }
    }

    @Test
    void noAnswerWithinTimeout() throws Exception {
        // the route's timeoutMs is 1500; the upstream takes 3000
        wm.stubFor(get(urlPathEqualTo("/svc/slow")).willReturn(aResponse().withStatus(200).withBody("late")
                .withFixedDelay(3000)));
        HttpResponse<String> r = gw.get("/api/it/echo/slow", "dinkes-simpus");
        assertProblem(r, 504, "UPSTREAM_TIMEOUT");
        assertThat(r.body()).doesNotContain("late");
    }
}
