package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static id.gerbang.it.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.it.support.GatewayTest;
import id.gerbang.it.support.RawHttp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the upstream receives is decided by the route, not by the caller's path: the route's host is always
 * the upstream's {@code Host}, and a request the gateway cannot send as it came is the caller's fault, so
 * it can never open a route's circuit for other callers. Each test publishes its own route (admin API),
 * so that no other test's breaker or upstream is touched.
 */
class UpstreamTargetIT extends GatewayTest {

    private static int routes;

    /** Publishes a route of OPDs dinkes and bapenda, served at {@code /api/<returned path>}. */
    private static String publish(String upstreamUrl, String extra) throws Exception {
        String id = "h13-target-" + ++routes + "-" + System.nanoTime() % 100_000;
        String yaml = """
                id: %s
                owner: diskominfo
                path: /h13/%s
                methods: [GET]
                upstream:
                  url: %s
                  timeoutMs: 5000
                access:
                  opds: [dinkes, bapenda]
                %s
                """.formatted(id, id, upstreamUrl, extra);
        HttpResponse<String> r = gw.send(gw.request("/admin/routes/" + id)
                .header("Authorization", "Bearer " + gw.token("gerbang-admin"))
                .header("Content-Type", "application/yaml")
                .PUT(HttpRequest.BodyPublishers.ofString(yaml)).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return "/h13/" + id;
    }

    private static RawHttp.Response get(String rawTarget, String client) throws Exception {
        return RawHttp.send(gw.port(), "GET " + rawTarget + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + gw.port() + "\r\n"
                + "Authorization: Bearer " + gw.token(client) + "\r\n"
                + "Connection: close\r\n\r\n");
    }

    /**
     * A route whose upstream URL has no path: the rest {@code //evil.example:9999/secret/x} once became the
     * upstream's authority ({@code Host: evil.example:9999}, path {@code /secret/x}), reaching another
     * virtual host of a shared server while the access list and the trail named the route.
     */
    @Test
    void aRestThatLooksLikeAnAuthorityNeverBecomesTheUpstreamsHost() throws Exception {
        int port = gw.rawUpstream().port();
        String path = publish("http://127.0.0.1:" + port, "");
        gw.rawUpstream().answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

        RawHttp.Response r = get("/api" + path + "//evil.example:9999/secret/x", "dinkes-simpus");

        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        List<String> heads = gw.rawUpstream().heads();
        assertThat(heads).hasSize(1);
        List<String> lines = List.of(heads.get(0).split("\r\n"));
        assertThat(lines.get(0)).isEqualTo("GET //evil.example:9999/secret/x HTTP/1.1");
        assertThat(lines).filteredOn(l -> l.regionMatches(true, 0, "Host:", 0, 5))
                .containsExactly("Host: 127.0.0.1:" + port);
    }

    /**
     * More malformed requests than the breaker's minimum calls, from one client: each is refused with 400
     * and never reaches the breaker, which stays closed for a client of another OPD. (Before, each was a
     * 502 counted as the upstream's failure, and the other OPD then got 503 CIRCUIT_OPEN.)
     */
    @Test
    void malformedRequestsCannotOpenTheCircuitForOtherCallers() throws Exception {
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("ok")));
        String path = publish(wm.baseUrl() + "/target",
                "circuitBreaker: { failureRatePercent: 50, minimumCalls: 4, openSeconds: 60 }");
        List<String> malformed = List.of("/a{b", "/a|b", "/a^b", "/a\"b", "/a<b", "/a>b", "/a`b", "/x?q=%zz",
                "/a{b", "/a|b", "/a^b", "/x?q=%zz");

        for (String rest : malformed) {
            assertProblem(get("/api" + path + rest, "dinkes-simpus"), 400, "BAD_REQUEST");
        }
        assertThat(received()).as("requests the upstream received").isEmpty();

        RawHttp.Response other = get("/api" + path + "/pajak", "bapenda-sipd");
        assertThat(other.status()).as(other.raw()).isEqualTo(200);
        assertThat(receivedOnce().getUrl()).isEqualTo("/target/pajak");
    }
}
