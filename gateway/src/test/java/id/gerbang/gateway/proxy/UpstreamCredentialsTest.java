package id.gerbang.gateway.proxy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.credentials.Secrets;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import id.gerbang.routes.RouteDefinition.Auth;
import id.gerbang.routes.RouteDefinition.SecretRef;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * Each kind of {@code upstream.auth} against a WireMock upstream, asserting exactly what the upstream received:
 * the gateway's credential, and never the caller's own header of that name.
 */
class UpstreamCredentialsTest {

    static WireMockServer upstream;
    static UpstreamClient client;
    @TempDir
    static Path secretsDir;
    Secrets secrets;
    OAuth2Tokens tokens;
    UpstreamForwarders forwarders;

    @BeforeAll
    static void startUpstream() {
        upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        upstream.start();
        client = new UpstreamClient(Binder.get(new org.springframework.core.env.StandardEnvironment())
                .bindOrCreate("gerbang", GerbangProperties.class));
    }

    @AfterAll
    static void stop() throws Exception {
        client.destroy();
        upstream.stop();
    }

    @BeforeEach
    void reset() throws Exception {
        upstream.resetAll();
        upstream.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("{}")));
        Files.writeString(secretsDir.resolve("simpeg-ws-password"), "s3cret-pass\n");
        Files.writeString(secretsDir.resolve("oauth-secret"), "client secret&=x\n");
        secrets = new Secrets(secretsDir, Map.of("GERBANG_SECRET_SICANTIK_KEY", "kunci-sicantik-123",
                "GERBANG_SECRET_SPLP_BAPENDA", "splp-token-xyz")::get, Clock.systemUTC());
        tokens = new OAuth2Tokens(secrets);
        forwarders = new UpstreamForwarders(client, secrets, tokens);
    }

    private static Route route(Auth auth) {
        return Route.from(new RouteDefinition("sicantik-izin", "dpmptsp", null, null, "/dpmptsp/izin", List.of("GET"),
                new RouteDefinition.Upstream(upstream.baseUrl() + "/izin", 5000, auth, null, null), null, null, null,
                null, null, null, null), 1);
    }

    /** One call as the pipeline would send it, with headers a caller might try. */
    private LoggedRequest call(Route route, Header... callerHeaders) throws Exception {
        upstream.resetRequests();
        List<Header> headers = new ArrayList<>(List.of(callerHeaders));
        headers.add(new BasicHeader("X-Gerbang-Client", "dinkes-simpus"));
        try (ForwardResponse answer = forwarders.of(route).forward(new ForwardRequest("GET", "/1", null, headers, null, 0))) {
            assertThat(answer.response().getCode()).isEqualTo(200);
        }
        List<LoggedRequest> received = upstream.findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(anyUrl()));
        assertThat(received).hasSize(1);
        return received.get(0);
    }

    @Test
    void basicSendsTheUsernameAndTheSecretPasswordWithoutItsTrailingNewline() throws Exception {
        LoggedRequest got = call(route(new Auth(new RouteDefinition.Basic("gerbang", new SecretRef("simpeg-ws-password")),
                null, null, null)));

        assertThat(got.getHeaders().getHeader("Authorization").values()).containsExactly(
                "Basic " + Base64.getEncoder().encodeToString("gerbang:s3cret-pass".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void apiKeyReplacesAnyHeaderOfThatNameTheCallerSent() throws Exception {
        LoggedRequest got = call(route(new Auth(null, new RouteDefinition.ApiKey("X-Api-Key", new SecretRef("sicantik-key")),
                null, null)), new BasicHeader("x-api-key", "from-the-caller"), new BasicHeader("X_Api_Key", "underscored"));

        assertThat(got.getHeaders().getHeader("X-Api-Key").values()).containsExactly("kunci-sicantik-123");
        assertThat(got.getAllHeaderKeys()).noneMatch(h -> h.equals("X_Api_Key"));
        assertThat(got.getHeaders().getHeader("Authorization").isPresent()).isFalse();
    }

    @Test
    void splpSendsTheTokenInAuthorizationSplp() throws Exception {
        LoggedRequest got = call(route(new Auth(null, null, null, new RouteDefinition.Splp(new SecretRef("splp-bapenda")))));

        assertThat(got.getHeaders().getHeader("AuthorizationSPLP").values()).containsExactly("Bearer splp-token-xyz");
    }

    @Test
    void aRouteWithoutAuthSendsNoCredentials() throws Exception {
        LoggedRequest got = call(route(null));

        assertThat(got.getHeaders().getHeader("Authorization").isPresent()).isFalse();
        assertThat(got.getHeaders().getHeader("AuthorizationSPLP").isPresent()).isFalse();
    }

    private Auth oauth2(String tokenPath) {
        return new Auth(null, null, new RouteDefinition.OAuth2(upstream.baseUrl() + tokenPath, "gerbang-client",
                new SecretRef("oauth-secret"), "izin:read"), null);
    }

    @Test
    void oauth2FetchesOneTokenForManyConcurrentCallsAndSendsItAsBearer() throws Exception {
        upstream.stubFor(post(urlEqualTo("/token")).willReturn(aResponse().withStatus(200).withFixedDelay(300)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"access_token\":\"tok-1\",\"token_type\":\"Bearer\",\"expires_in\":300}")));
        Route route = route(oauth2("/token"));
        UpstreamForwarder forwarder = forwarders.of(route);
        int calls = 24;
        ExecutorService pool = Executors.newFixedThreadPool(calls);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < calls; i++) {
                answers.add(pool.submit((Callable<Integer>) () -> {
                    go.await();
                    try (ForwardResponse answer = forwarder.forward(new ForwardRequest("GET", "", null, List.of(), null, 0))) {
                        return answer.response().getCode();
                    }
                }));
            }
            go.countDown();
            for (Future<Integer> f : answers) {
                assertThat(f.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }

        upstream.verify(1, postRequestedFor(urlEqualTo("/token")));
        LoggedRequest tokenRequest = upstream.findAll(postRequestedFor(urlEqualTo("/token"))).get(0);
        assertThat(tokenRequest.getBodyAsString()).isEqualTo("grant_type=client_credentials&scope=izin%3Aread");
        assertThat(tokenRequest.getHeader("Authorization")).isEqualTo("Basic " + Base64.getEncoder().encodeToString(
                "gerbang-client:client+secret%26%3Dx".getBytes(StandardCharsets.UTF_8)));
        assertThat(upstream.findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(anyUrl())))
                .hasSize(calls).allSatisfy(r -> assertThat(r.getHeader("Authorization")).isEqualTo("Bearer tok-1"));
        // and a later call keeps using it: no second fetch
        assertThat(call(route).getHeader("Authorization")).isEqualTo("Bearer tok-1");
        upstream.verify(0, postRequestedFor(urlEqualTo("/token")));
    }

    @Test
    void oauth2FetchesAgainAfterTheUpstreamRefusesTheToken() throws Exception {
        upstream.stubFor(post(urlEqualTo("/token")).willReturn(aResponse().withStatus(200)
                .withBody("{\"access_token\":\"tok-2\",\"expires_in\":300}")));
        upstream.stubFor(any(urlEqualTo("/izin/401")).willReturn(aResponse().withStatus(401)));
        Route route = route(oauth2("/token"));
        UpstreamForwarder forwarder = forwarders.of(route);
        forwarder.forward(new ForwardRequest("GET", "/401", null, List.of(), null, 0)).close();
        forwarder.forward(new ForwardRequest("GET", "/401", null, List.of(), null, 0)).close();

        upstream.verify(2, postRequestedFor(urlEqualTo("/token")));
    }

    @Test
    void aFailingTokenEndpointIsUpstreamUnavailableAndTheUpstreamIsNotCalled() throws Exception {
        upstream.stubFor(post(urlEqualTo("/token")).willReturn(aResponse().withStatus(500).withBody("oauth-secret")));
        upstream.stubFor(post(urlEqualTo("/no-token")).willReturn(aResponse().withStatus(200).withBody("{\"token_type\":\"x\"}")));

        for (String path : List.of("/token", "/no-token", "/nothing-here")) {
            UpstreamForwarder forwarder = forwarders.of(route(oauth2(path)));
            assertThatThrownBy(() -> forwarder.forward(new ForwardRequest("GET", "", null, List.of(), null, 0)))
                    .isInstanceOfSatisfying(UpstreamFailure.class, f -> {
                        assertThat(f.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
                        assertThat(f.getMessage()).doesNotContain("client secret");
                    });
        }
        assertThat(upstream.findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(anyUrl()))).isEmpty();
    }
}
