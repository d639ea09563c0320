package id.gerbang.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;

/**
 * The console behind a load balancer that terminates TLS: the login's redirect URI is the address people
 * use when the forwarding headers come from a trusted proxy, and the node's own when they come from anyone
 * else (they are then removed).
 */
class TrustedProxyHeadersTest {

    private static final ClientRegistration CONSOLE = ClientRegistration.withRegistrationId("gerbang")
            .clientId("gerbang-console").clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
            .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
            .redirectUri("{baseUrl}/login/oauth2/code/{registrationId}").scope("openid")
            .authorizationUri("https://sso.example.go.id/realms/r/protocol/openid-connect/auth")
            .tokenUri("https://sso.example.go.id/realms/r/protocol/openid-connect/token").build();

    private final TrustedProxyHeaders.Filter filter = new TrustedProxyHeaders.Filter(List.of("10.20.0.0/16", "192.0.2.7"));

    /** The login's start as the node sees it behind a TLS-terminating proxy at {@code peer}. */
    private static MockHttpServletRequest loginStart(String peer) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/oauth2/authorization/gerbang");
        request.setServletPath("/oauth2/authorization/gerbang");
        request.setScheme("http");
        request.setServerName("10.20.0.5");
        request.setServerPort(8080);
        request.setRemoteAddr(peer);
        request.addHeader("Host", "10.20.0.5:8080");
        request.addHeader("X-Forwarded-Proto", "https");
        request.addHeader("X-Forwarded-Host", "gerbang.pelalawankab.go.id");
        request.addHeader("X-Forwarded-Port", "443");
        request.addHeader("X-Forwarded-For", "198.51.100.23");
        return request;
    }

    /** What the console's login resolver and the session's cookie see behind the filter. */
    private record Seen(String redirectUri, boolean secure, String forwardedProto, String remoteAddr) {}

    private Seen through(MockHttpServletRequest request) throws Exception {
        AtomicReference<Seen> seen = new AtomicReference<>();
        DefaultOAuth2AuthorizationRequestResolver resolver = new DefaultOAuth2AuthorizationRequestResolver(
                new InMemoryClientRegistrationRepository(CONSOLE), "/oauth2/authorization");
        filter.doFilter(request, new MockHttpServletResponse(), (req, res) -> {
            HttpServletRequest http = (HttpServletRequest) req;
            seen.set(new Seen(resolver.resolve(http).getRedirectUri(), http.isSecure(), http.getHeader("X-Forwarded-Proto"),
                    http.getRemoteAddr()));
        });
        return seen.get();
    }

    @Test
    void behindATrustedProxyTheLoginReturnsToTheAddressPeopleUse() throws Exception {
        Seen seen = through(loginStart("10.20.3.4"));
        assertThat(seen.redirectUri()).isEqualTo("https://gerbang.pelalawankab.go.id/login/oauth2/code/gerbang");
        assertThat(seen.secure()).as("the session cookie is then Secure").isTrue();
        assertThat(seen.remoteAddr()).isEqualTo("198.51.100.23");

        assertThat(through(loginStart("192.0.2.7")).redirectUri()).startsWith("https://gerbang.pelalawankab.go.id/");
    }

    @Test
    void fromAnyOtherPeerTheForwardingHeadersAreRemoved() throws Exception {
        Seen seen = through(loginStart("203.0.113.9"));
        assertThat(seen.redirectUri()).isEqualTo("http://10.20.0.5:8080/login/oauth2/code/gerbang");
        assertThat(seen.secure()).isFalse();
        assertThat(seen.forwardedProto()).isNull();
        assertThat(seen.remoteAddr()).isEqualTo("203.0.113.9");
    }

    @Test
    void byDefaultOnlyAProxyOnTheNodesOwnHostIsTrusted() throws Exception {
        TrustedProxyHeaders.Filter loopback = new TrustedProxyHeaders.Filter(List.of("127.0.0.0/8", "::1"));
        assertThat(loopback.trusts("127.0.0.1")).isTrue();
        assertThat(loopback.trusts("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(loopback.trusts("10.20.3.4")).isFalse();
    }

    @Test
    void anEntryThatIsNoAddressStopsTheNodeNamingIt() {
        assertThatThrownBy(() -> new TrustedProxyHeaders.Filter(List.of("lb.example.go.id")))
                .hasMessageContaining("gerbang.http.trusted-proxies: 'lb.example.go.id'");
    }
}
