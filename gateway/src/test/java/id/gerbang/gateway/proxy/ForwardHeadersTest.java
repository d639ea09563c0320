package id.gerbang.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.apache.hc.core5.http.Header;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class ForwardHeadersTest {

    private static List<String> names(List<Header> headers) {
        return headers.stream().map(Header::getName).toList();
    }

    private static List<String> values(List<Header> headers, String name) {
        return headers.stream().filter(h -> h.getName().equalsIgnoreCase(name)).map(Header::getValue).toList();
    }

    private static MockHttpServletRequest request() {
        MockHttpServletRequest r = new MockHttpServletRequest("GET", "/api/disdukcapil/penduduk/1404015708900001");
        r.setRemoteAddr("10.10.5.7");
        r.setScheme("https");
        r.addHeader("Host", "gerbang.pelalawankab.go.id");
        r.addHeader("Accept", "application/json");
        return r;
    }

    @Test
    void keepsSafeHeadersAndAddsTheGatewaysOwn() {
        MockHttpServletRequest r = request();
        r.addHeader("Content-Type", "application/json");
        r.addHeader("X-Custom", "a");
        r.addHeader("X-Custom", "b");

        List<Header> out = ForwardHeaders.toUpstream(r, "corr-1", "dinkes-simpus", "dinkes", "199001012020011001");

        assertThat(values(out, "Accept")).containsExactly("application/json");
        assertThat(values(out, "Content-Type")).containsExactly("application/json");
        assertThat(values(out, "X-Custom")).containsExactly("a", "b");
        assertThat(values(out, "X-Correlation-Id")).containsExactly("corr-1");
        assertThat(values(out, "X-Gerbang-Client")).containsExactly("dinkes-simpus");
        assertThat(values(out, "X-Gerbang-Opd")).containsExactly("dinkes");
        assertThat(values(out, "X-User-Id")).containsExactly("199001012020011001");
        assertThat(values(out, "X-Forwarded-For")).containsExactly("10.10.5.7");
        assertThat(values(out, "X-Forwarded-Proto")).containsExactly("https");
        assertThat(values(out, "X-Forwarded-Host")).containsExactly("gerbang.pelalawankab.go.id");
        assertThat(names(out)).doesNotContain("Host");
    }

    @Test
    void dropsCredentialsOverridesMachineryAndHopByHopHeaders() {
        MockHttpServletRequest r = request();
        for (String name : List.of("Authorization", "AuthorizationSPLP", "X-Gerbang-Assertion", "Proxy-Authorization", "X-HTTP-Method-Override", "X-Method-Override",
                "CamelHttpUri", "camelhttpmethod", "CAMELFOO", "Keep-Alive", "TE", "Trailer", "Upgrade",
                "Proxy-Connection", "Transfer-Encoding", "Content-Length", "Expect", "Forwarded", "X-Real-IP",
                "X-Forwarded-Port", "X-Forwarded-Prefix")) {
            r.addHeader(name, "x");
        }

        List<Header> out = ForwardHeaders.toUpstream(r, "c", "dinkes-simpus", "dinkes", null);

        assertThat(names(out)).containsExactlyInAnyOrder("Accept", "X-Correlation-Id", "X-Gerbang-Client",
                "X-Gerbang-Opd", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host");
    }

    @Test
    void dropsTheCallersTraceContextWhichOnlyTheGatewaySets() {
        MockHttpServletRequest r = request();
        r.addHeader("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        r.addHeader("TraceState", "vendor=1");
        r.addHeader("baggage", "nik=1404015708900001");
        r.addHeader("b3", "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1");
        r.addHeader("X-B3-TraceId", "0af7651916cd43dd8448eb211c80319c");
        r.addHeader("X_B3_SpanId", "b7ad6b7169203331");
        r.addHeader("X-B3-ParentSpanId", "b7ad6b7169203331");
        r.addHeader("X-B3-Sampled", "1");
        r.addHeader("X-B3-Flags", "1");

        List<Header> out = ForwardHeaders.toUpstream(r, "c", "dinkes-simpus", "dinkes", null);

        assertThat(names(out)).containsExactlyInAnyOrder("Accept", "X-Correlation-Id", "X-Gerbang-Client",
                "X-Gerbang-Opd", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host");
    }

    @Test
    void dropsHeadersNamedInConnection() {
        MockHttpServletRequest r = request();
        r.addHeader("Connection", "keep-alive, X-Secret");
        r.addHeader("Connection", "x-other");
        r.addHeader("X-Secret", "s");
        r.addHeader("X-Other", "o");
        r.addHeader("X-Kept", "k");

        List<Header> out = ForwardHeaders.toUpstream(r, "c", "dinkes-simpus", null, null);

        assertThat(names(out)).contains("X-Kept").doesNotContain("X-Secret", "X-Other", "Connection");
    }

    @Test
    void replacesTheCallersOwnGatewayHeadersInsteadOfDuplicatingThem() {
        MockHttpServletRequest r = request();
        r.addHeader("X-Gerbang-Client", "evil");
        r.addHeader("x-gerbang-opd", "inspektorat");
        r.addHeader("X-Gerbang-Anything", "x");
        r.addHeader("X-Correlation-Id", "theirs");
        r.addHeader("X-User-Id", "theirs");

        List<Header> out = ForwardHeaders.toUpstream(r, "ours", "dinkes-simpus", "dinkes", null);

        assertThat(values(out, "X-Gerbang-Client")).containsExactly("dinkes-simpus");
        assertThat(values(out, "X-Gerbang-Opd")).containsExactly("dinkes");
        assertThat(values(out, "X-Gerbang-Anything")).isEmpty();
        assertThat(values(out, "X-Correlation-Id")).containsExactly("ours");
        assertThat(values(out, "X-User-Id")).isEmpty();
    }

    @Test
    void appendsTheCallerToAnExistingForwardedForChain() {
        MockHttpServletRequest r = request();
        r.addHeader("X-Forwarded-For", "203.0.113.9");

        assertThat(values(ForwardHeaders.toUpstream(r, "c", "x", null, null), "X-Forwarded-For"))
                .containsExactly("203.0.113.9, 10.10.5.7");
    }

    @Test
    void returnsUpstreamHeadersExceptHopByHopAndTheGatewaysOwn() {
        Set<String> named = Set.of("x-internal");
        assertThat(ForwardHeaders.isReturned("Content-Type", named)).isTrue();
        assertThat(ForwardHeaders.isReturned("Location", named)).isTrue();
        assertThat(ForwardHeaders.isReturned("Set-Cookie", named)).isTrue();
        assertThat(ForwardHeaders.isReturned("Transfer-Encoding", named)).isFalse();
        assertThat(ForwardHeaders.isReturned("Connection", named)).isFalse();
        assertThat(ForwardHeaders.isReturned("Keep-Alive", named)).isFalse();
        assertThat(ForwardHeaders.isReturned("X-Internal", named)).isFalse();
        assertThat(ForwardHeaders.isReturned("X-Gerbang-Error", named)).isFalse();
        assertThat(ForwardHeaders.isReturned("X-Correlation-Id", named)).isFalse();
    }

    @Test
    void theUpstreamsServerSoftwareAndVersionDoNotReachTheCaller() {
        for (String h : new String[] {"Server", "server", "X-Powered-By", "X_Powered_By", "X-AspNet-Version",
                "X-AspNetMvc-Version"}) {
            assertThat(ForwardHeaders.isReturned(h, Set.of())).as(h).isFalse();
        }
        assertThat(ForwardHeaders.isReturned("Server-Timing", Set.of())).isTrue();
    }

    // CGI, WSGI, PHP-FPM and nginx-fronted applications read "_" as "-": these would be the gateway's own
    @Test
    void dropsUnderscoreSpellingsOfEveryHeaderTheGatewaySetsOrRefuses() {
        MockHttpServletRequest r = request();
        List<String> spoofs = List.of("X_Gerbang_Client", "x_gerbang_opd", "X-Gerbang_Client", "X_GERBANG_ANYTHING",
                "X_User_Id", "x-user_id", "X_Correlation_Id", "X_Forwarded_For", "X_Forwarded_Host", "X_Forwarded_Proto",
                "X_Forwarded_Port", "X_Forwarded_Prefix", "X_Real_IP", "Proxy_Authorization",
                "X_HTTP_Method_Override", "X_Method_Override", "X_HTTP_Method", "Camel_Http_Uri", "Keep_Alive",
                "Proxy_Connection", "Transfer_Encoding", "Content_Length");
        for (String name : spoofs) {
            r.addHeader(name, "spoofed");
        }

        List<Header> out = ForwardHeaders.toUpstream(r, "corr-1", "dinkes-simpus", "dinkes", null);

        assertThat(names(out)).containsExactlyInAnyOrder("Accept", "X-Correlation-Id",
                "X-Gerbang-Client", "X-Gerbang-Opd", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host");
        assertThat(out).noneMatch(h -> h.getValue().contains("spoofed"));
        assertThat(values(out, "X-Gerbang-Client")).containsExactly("dinkes-simpus");
        assertThat(values(out, "X-Forwarded-For")).containsExactly("10.10.5.7");
    }

    @Test
    void theCallersUserIdIsTheGatewaysAndItsUnderscoreSpellingIsDroppedBesideIt() {
        MockHttpServletRequest r = request();
        r.addHeader("X-User-Id", "199001012020011001");
        r.addHeader("X_User_Id", "bupati");

        List<Header> out = ForwardHeaders.toUpstream(r, "c", "dinkes-simpus", "dinkes", "199001012020011001");

        assertThat(out).filteredOn(h -> h.getName().replace('_', '-').equalsIgnoreCase("X-User-Id"))
                .extracting(Header::getName, Header::getValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("X-User-Id", "199001012020011001"));
    }

    @Test
    void otherHeadersWithUnderscoresPassUnchanged() {
        MockHttpServletRequest r = request();
        r.addHeader("X_Api_Version", "2");
        r.addHeader("api_key", "k");

        List<Header> out = ForwardHeaders.toUpstream(r, "c", "dinkes-simpus", "dinkes", null);

        assertThat(values(out, "X_Api_Version")).containsExactly("2");
        assertThat(values(out, "api_key")).containsExactly("k");
    }

    @Test
    void underscoreSpellingsOfTheGatewaysOwnResponseHeadersDoNotReachTheCaller() {
        assertThat(ForwardHeaders.isReturned("X_Gerbang_Error", Set.of())).isFalse();
        assertThat(ForwardHeaders.isReturned("X_Correlation_Id", Set.of())).isFalse();
        assertThat(ForwardHeaders.isReturned("Transfer_Encoding", Set.of())).isFalse();
        assertThat(ForwardHeaders.isReturned("X_Upstream_Version", Set.of())).isTrue();
    }
}
