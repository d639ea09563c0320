package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import id.gerbang.it.support.GatewayTest;
import id.gerbang.it.support.RawHttp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** docs/security.md, "Headers": what the upstream receives and what comes back, checked on the upstream's side. */
class HeaderRulesIT extends GatewayTest {

    @BeforeEach
    void okUpstream() {
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("ok")));
    }

    private HttpResponse<String> call(String... headers) throws Exception {
        HttpRequest.Builder b = gw.request("/api/it/echo/headers")
                .header("Authorization", "Bearer " + gw.token("dinkes-simpus"));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = gw.send(b.GET().build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r;
    }

    private static List<String> values(LoggedRequest in, String name) {
        HttpHeader h = in.getHeaders().getHeader(name);
        return h == null || !h.isPresent() ? List.of() : h.values();
    }

    @Test
    void callerTokenIsNotForwarded() throws Exception {
        call();
        LoggedRequest in = receivedOnce();
        assertThat(values(in, "Authorization")).isEmpty();
    }

    @Test
    void identityHeadersAreTheGatewaysExactlyOnceEvenWhenTheCallerForgesThem() throws Exception {
        call("X-Gerbang-Client", "evil", "X-Gerbang-Opd", "evil-opd", "X-Gerbang-Admin", "true");
        LoggedRequest in = receivedOnce();
        assertThat(values(in, "X-Gerbang-Client")).containsExactly("dinkes-simpus");
        assertThat(values(in, "X-Gerbang-Opd")).containsExactly("dinkes");
        assertThat(values(in, "X-Gerbang-Admin")).isEmpty();
    }

    @Test
    void saneCorrelationIdIsKeptAndReturned() throws Exception {
        String id = "simpus-2026.11:req_0001-a";
        HttpResponse<String> r = call("X-Correlation-Id", id);
        assertThat(r.headers().allValues("X-Correlation-Id")).containsExactly(id);
        assertThat(values(receivedOnce(), "X-Correlation-Id")).containsExactly(id);
    }

    @Test
    void correlationIdWithSpacesIsReplacedAndTheSameIdGoesBothWays() throws Exception {
        assertReplaced("not a sane id");
    }

    @Test
    void correlationIdOf300CharactersIsReplacedAndTheSameIdGoesBothWays() throws Exception {
        assertReplaced("a".repeat(300));
    }

    @Test
    void missingCorrelationIdIsCreatedAndTheSameIdGoesBothWays() throws Exception {
        HttpResponse<String> r = call();
        String answered = r.headers().firstValue("X-Correlation-Id").orElse(null);
        assertThat(answered).isNotBlank();
        assertThat(values(receivedOnce(), "X-Correlation-Id")).containsExactly(answered);
    }

    private void assertReplaced(String offered) throws Exception {
        HttpResponse<String> r = call("X-Correlation-Id", offered);
        List<String> answered = r.headers().allValues("X-Correlation-Id");
        assertThat(answered).hasSize(1);
        assertThat(answered.get(0)).isNotEqualTo(offered).matches("[A-Za-z0-9._:-]{1,128}");
        assertThat(values(receivedOnce(), "X-Correlation-Id")).containsExactly(answered.get(0));
    }

    @Test
    void userIdIsForwarded() throws Exception {
        call("X-User-Id", "198501012010011001");
        assertThat(values(receivedOnce(), "X-User-Id")).containsExactly("198501012010011001");
    }

    /** CGI, WSGI, PHP-FPM and nginx-fronted applications read "_" as "-": X_User_Id is X-User-Id to them. */
    @Test
    void underscoreSpellingsOfTheGatewaysHeadersNeverReachTheUpstream() throws Exception {
        call("X_Gerbang_Client", "disdukcapil-siak", "X_Gerbang_Opd", "disdukcapil", "X_User_Id", "bupati",
                "X_Correlation_Id", "forged", "X_Forwarded_For", "10.0.0.1", "X_Real_IP", "10.0.0.1",
                "X_HTTP_Method_Override", "DELETE", "X_Kept_Header", "yes");
        LoggedRequest in = receivedOnce();

        assertThat(values(in, "X_Kept_Header")).as("control: another header with underscores passes").containsExactly("yes");
        assertThat(in.getAllHeaderKeys()).filteredOn(k -> k.contains("_")).extracting(String::toLowerCase)
                .containsExactly("x_kept_header");
        assertThat(values(in, "X-Gerbang-Client")).containsExactly("dinkes-simpus");
        assertThat(values(in, "X-User-Id")).as("X_User_Id is not read as the user id").isEmpty();
        assertThat(values(in, "X-Forwarded-For")).singleElement().asString().doesNotContain("10.0.0.1");
    }

    @Test
    void withBothSpellingsOfTheUserIdTheDashedOneIsTheUserAndTheOtherIsDropped() throws Exception {
        call("X_User_Id", "bupati", "X-User-Id", "198501012010011001");
        LoggedRequest in = receivedOnce();

        assertThat(values(in, "X-User-Id")).containsExactly("198501012010011001");
        assertThat(values(in, "X_User_Id")).isEmpty();
    }

    @Test
    void camelHeadersInAnyCaseAreDropped() throws Exception {
        call("CamelHttpUri", "http://169.254.169.254/latest", "camelhttpmethod", "DELETE", "CAMELFOO", "bar",
                "CamelHttpPath", "/admin");
        LoggedRequest in = receivedOnce();
        assertThat(in.getMethod().getName()).isEqualTo("GET");
        assertThat(in.getUrl()).isEqualTo("/svc/headers");
        assertThat(in.getAllHeaderKeys()).noneMatch(k -> k.toLowerCase().startsWith("camel"));
    }

    @Test
    void methodOverridesAreDropped() throws Exception {
        call("X-HTTP-Method-Override", "DELETE", "X-Method-Override", "PUT");
        LoggedRequest in = receivedOnce();
        assertThat(in.getMethod().getName()).isEqualTo("GET");
        assertThat(values(in, "X-HTTP-Method-Override")).isEmpty();
        assertThat(values(in, "X-Method-Override")).isEmpty();
    }

    @Test
    void forwardedHeadersDescribeTheCallerAndTheGateway() throws Exception {
        call();
        LoggedRequest in = receivedOnce();
        assertThat(values(in, "X-Forwarded-For")).hasSize(1);
        assertThat(values(in, "X-Forwarded-For").get(0)).contains("127.0.0.1");
        assertThat(values(in, "X-Forwarded-Proto")).containsExactly("http");
        assertThat(values(in, "X-Forwarded-Host")).containsExactly("127.0.0.1:" + gw.port());
    }

    @Test
    void callersOwnForwardedHostAndProtoAreReplaced() throws Exception {
        call("X-Forwarded-Host", "admin.internal.example", "X-Forwarded-Proto", "https");
        LoggedRequest in = receivedOnce();
        assertThat(values(in, "X-Forwarded-Host")).containsExactly("127.0.0.1:" + gw.port());
        assertThat(values(in, "X-Forwarded-Proto")).containsExactly("http");
    }

    @Test
    void hopByHopHeadersAndThoseNamedInConnectionAreDropped() throws Exception {
        // java.net.http refuses to send Connection and Upgrade itself: the request goes over a raw socket
        RawHttp.Response r = RawHttp.send(gw.port(), "GET /api/it/echo/hop HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + gw.port() + "\r\n"
                + "Authorization: Bearer " + gw.token("dinkes-simpus") + "\r\n"
                // RFC 9110 7.8: a sender of Upgrade also names it in Connection
                + "Connection: close, Upgrade, X-Secret\r\n"
                + "X-Secret: upstream-must-not-see-this\r\n"
                + "Keep-Alive: timeout=5, max=100\r\n"
                + "TE: trailers\r\n"
                + "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n"
                + "Upgrade: example/1\r\n"
                + "X-Kept: yes\r\n"
                + "\r\n");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        LoggedRequest in = receivedOnce();
        assertThat(values(in, "X-Kept")).as("control: an ordinary header passes").containsExactly("yes");
        for (String dropped : List.of("X-Secret", "Keep-Alive", "TE", "Proxy-Authorization", "Upgrade")) {
            assertThat(values(in, dropped)).as(dropped + " at the upstream").isEmpty();
        }
        assertThat(values(in, "Connection")).noneMatch(v -> v.toLowerCase().contains("x-secret"));
    }

    @Test
    void headersNamedInTheUpstreamsConnectionHeaderDoNotReachTheCaller() throws Exception {
        // WireMock will not send a Connection header of our choosing: a raw upstream does
        gw.rawUpstream().answer("HTTP/1.1 200 OK\r\nConnection: close, X-Up-Secret\r\nX-Up-Secret: internal\r\n"
                + "X-Up-Visible: yes\r\nContent-Length: 2\r\n\r\nok");

        HttpResponse<String> r = gw.get("/api/it/raw/conn", "dinkes-simpus");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Up-Visible")).hasValue("yes");
        assertThat(r.headers().allValues("X-Up-Secret")).isEmpty();
        assertThat(r.body()).isEqualTo("ok");
    }

    @Test
    void upstreamHopByHopAndGerbangHeadersDoNotReachTheCaller() throws Exception {
        wm.resetAll();
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)
                .withHeader("X-Upstream-Ok", "yes")
                .withHeader("X-Gerbang-Client", "forged-by-upstream")
                .withHeader("X-Correlation-Id", "upstream-own-id")
                .withHeader("X-Gerbang-Error", "FORGED")
                .withHeader("Keep-Alive", "timeout=99")
                .withHeader("Proxy-Authenticate", "Basic realm=\"upstream\"")
                .withHeader("Upgrade", "example/1")
                .withHeader("Trailer", "X-Checksum")
                .withBody("ok")));
        // control: the upstream really sends them
        RawHttp.Response direct = RawHttp.send(wm.port(), "GET /svc/direct HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        for (String h : List.of("X-Gerbang-Client", "X-Gerbang-Error", "Keep-Alive", "Proxy-Authenticate", "Upgrade")) {
            assertThat(direct.header(h)).as("the upstream itself sends " + h + ":\n" + direct.raw()).isNotNull();
        }

        HttpResponse<String> r = call("X-Correlation-Id", "caller-chosen-id");

        assertThat(r.headers().firstValue("X-Upstream-Ok")).hasValue("yes");
        assertThat(r.headers().allValues("X-Correlation-Id")).containsExactly("caller-chosen-id");
        for (String h : List.of("X-Gerbang-Client", "X-Gerbang-Error", "Keep-Alive", "Proxy-Authenticate", "Upgrade", "Trailer")) {
            assertThat(r.headers().allValues(h)).as(h + " at the caller, answer headers " + r.headers().map()).isEmpty();
        }
        assertThat(r.body()).isEqualTo("ok");
    }

    @Test
    void theUpstreamsServerSoftwareAndVersionDoNotReachTheCaller() throws Exception {
        wm.resetAll();
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)
                .withHeader("Server", "SimpleHTTP/0.6 Python/3.11.7")
                .withHeader("X-Powered-By", "PHP/7.4.3")
                .withHeader("X-AspNet-Version", "4.0.30319")
                .withHeader("X-AspNetMvc-Version", "5.2")
                .withHeader("X-Upstream-Ok", "yes")
                .withBody("ok")));
        // control: the upstream really sends them
        RawHttp.Response direct = RawHttp.send(wm.port(), "GET /svc/direct HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        assertThat(direct.header("Server")).as(direct.raw()).isEqualTo("SimpleHTTP/0.6 Python/3.11.7");
        assertThat(direct.header("X-Powered-By")).as(direct.raw()).isEqualTo("PHP/7.4.3");

        HttpResponse<String> r = call();

        assertThat(r.headers().firstValue("X-Upstream-Ok")).hasValue("yes");
        for (String h : List.of("Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version")) {
            assertThat(r.headers().allValues(h)).as(h + " at the caller, answer headers " + r.headers().map()).isEmpty();
        }
        assertThat(r.body()).isEqualTo("ok");
    }
}
