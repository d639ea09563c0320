package id.gerbang.gateway.policy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.UniformDistribution;
import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.GatewayException;
import id.gerbang.gateway.integration.CamelRoutes;
import id.gerbang.gateway.proxy.ForwardRequest;
import id.gerbang.gateway.proxy.ForwardResponse;
import id.gerbang.gateway.proxy.PayloadTooLargeException;
import id.gerbang.gateway.proxy.UpstreamCall;
import id.gerbang.gateway.proxy.UpstreamClient;
import id.gerbang.gateway.proxy.UpstreamFailure;
import id.gerbang.gateway.proxy.UpstreamForwarder;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * Each route policy against a WireMock upstream with injected faults, through the route's real Camel route
 * and forwarder, as the pipeline drives them: {@link RoutePolicy#enter()}, then {@link RoutePolicy#call}
 * with the pipeline's own attempts ({@link UpstreamCall#attempt}). Assertions are
 * about outcomes (codes, answers, how many requests the upstream saw), never about time.
 */
class RoutePolicyRouteTest {

    /** Short waits between retries: the backoff's shape is the library's; here only its effect matters. */
    static final PolicyProperties FAST = new PolicyProperties(Duration.ofMillis(5), Duration.ofMillis(20));

    static WireMockServer upstream;
    static UpstreamClient client;
    CamelContext camel;
    ProducerTemplate template;
    TrafficPolicies policies;
    int versions;

    @BeforeAll
    static void startUpstream() {
        upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        upstream.start();
        client = new UpstreamClient(Binder.get(new org.springframework.core.env.StandardEnvironment())
                .bindOrCreate("gerbang", GerbangProperties.class));
    }

    @AfterAll
    static void stopUpstream() throws Exception {
        client.destroy();
        upstream.stop();
    }

    @BeforeEach
    void startCamel() {
        upstream.resetAll();
        camel = new DefaultCamelContext();
        camel.start();
        template = camel.createProducerTemplate();
        policies = new TrafficPolicies(FAST, new SimpleMeterRegistry());
    }

    @AfterEach
    void stopCamel() {
        camel.stop();
    }

    // ------------------------------------------------------------------------------------------ retries

    @Test
    void aGetIsSentAgainAfterAConnectionResetAndTheSecondAnswerIsRelayed() throws Exception {
        failFirstThen(Fault.CONNECTION_RESET_BY_PEER, "reset");
        Route route = route("retry", 2, null, 100, 2000);

        try (ForwardResponse answer = call(route, "GET")) {
            assertThat(answer.status()).isEqualTo(200);
            assertThat(new String(answer.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("ok");
        }
        assertThat(upstream.getAllServeEvents()).hasSize(2);
    }

    @Test
    void anEmptyResponseIsRetriedToo() throws Exception {
        // two empty answers: the client's own one replay of a silently closed connection (UpstreamClient) takes
        // the second; only the route's retry reaches the third, good answer
        upstream.stubFor(get(anyUrl()).inScenario("empty").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)).willSetStateTo("still"));
        upstream.stubFor(get(anyUrl()).inScenario("empty").whenScenarioStateIs("still")
                .willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)).willSetStateTo("up"));
        upstream.stubFor(get(anyUrl()).inScenario("empty").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200).withBody("ok")));
        Route route = route("retry", 2, null, 100, 2000);

        try (ForwardResponse answer = call(route, "GET")) {
            assertThat(answer.status()).isEqualTo(200);
        }
    }

    @Test
    void aPutWithABufferedBodyIsSentAgainWithTheSameBody() throws Exception {
        upstream.stubFor(put(anyUrl()).inScenario("put").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        upstream.stubFor(put(anyUrl()).inScenario("put").whenScenarioStateIs("up").willReturn(aResponse().withStatus(204)));
        Route route = route("retry", 2, null, 100, 2000);
        byte[] body = "{\"nik\":\"1404015708900001\"}".getBytes(StandardCharsets.UTF_8);

        try (ForwardResponse answer = policies.of(route).call("PUT", true,
                () -> attempt(route, new ForwardRequest("PUT", "", null, List.of(), new ByteArrayInputStream(body), body.length)))) {
            assertThat(answer.status()).isEqualTo(204);
        }
        assertThat(upstream.getAllServeEvents()).hasSize(2)
                .allSatisfy(e -> assertThat(e.getRequest().getBody()).isEqualTo(body));
    }

    @Test
    void aPostIsNeverSentTwice() {
        upstream.stubFor(post(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        Route route = route("retry", 5, null, 100, 2000);

        assertThatThrownBy(() -> call(route, "POST")).isInstanceOf(UpstreamFailure.class)
                .extracting(e -> ((GatewayException) e).code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
        assertThat(upstream.getAllServeEvents()).hasSize(1);
    }

    @Test
    void aBodyThatCannotBeSentAgainIsNotRetried() {
        upstream.stubFor(put(anyUrl()).willReturn(aResponse().withStatus(503)));
        Route route = route("retry", 3, null, 100, 2000);

        try (ForwardResponse answer = policies.of(route).call("PUT", false,
                () -> attempt(route, new ForwardRequest("PUT", "", null, List.of(), new ByteArrayInputStream(new byte[10]), 10)))) {
            assertThat(answer.status()).isEqualTo(503);
        }
        assertThat(upstream.getAllServeEvents()).hasSize(1);
    }

    @Test
    void aBurstOf503IsRetriedAndTheLastAnswerPassesThroughUnchanged() throws Exception {
        upstream.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(503).withHeader("X-Simpus", "sibuk").withBody("sibuk")));
        Route route = route("retry", 2, null, 100, 2000);

        try (ForwardResponse answer = call(route, "GET")) {
            assertThat(answer.status()).isEqualTo(503);
            assertThat(answer.response().getFirstHeader("X-Simpus").getValue()).isEqualTo("sibuk");
            assertThat(new String(answer.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("sibuk");
        }
        assertThat(upstream.getAllServeEvents()).hasSize(3);
    }

    @Test
    void a500IsAnAnswerNotARetryableFailure() throws Exception {
        upstream.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(500)));
        Route route = route("retry", 2, null, 100, 2000);

        try (ForwardResponse answer = call(route, "GET")) {
            assertThat(answer.status()).isEqualTo(500);
        }
        assertThat(upstream.getAllServeEvents()).hasSize(1);
    }

    @Test
    void anUpstreamThatTookTheCallAndAnsweredTooSlowlyIsNotCalledAgain() {
        upstream.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(200).withRandomDelay(new UniformDistribution(1500, 2500))));
        Route route = route("retry", 2, null, 100, 300);

        assertThatThrownBy(() -> call(route, "GET")).isInstanceOf(UpstreamFailure.class)
                .extracting(e -> ((GatewayException) e).code()).isEqualTo(ErrorCode.UPSTREAM_TIMEOUT);
        assertThat(upstream.getAllServeEvents()).hasSize(1);
    }

    @Test
    void connectTimeoutsAndConnectionFailuresAreRetryableResponseTimeoutsAndCallerFaultsAreNot() {
        Route route = route("retry", 2, null, 100, 300);
        assertThat(classify(new ConnectTimeoutException("connect timed out"), route).retryable()).isTrue();
        assertThat(classify(new java.net.ConnectException("refused"), route).retryable()).isTrue();
        assertThat(classify(new SocketTimeoutException("read timed out"), route).retryable()).isFalse();
        assertThat(classify(new SocketTimeoutException("read timed out"), route).code()).isEqualTo(ErrorCode.UPSTREAM_TIMEOUT);
        assertThat(UpstreamFailure.classify(new PayloadTooLargeException(10), route))
                .isNotInstanceOf(UpstreamFailure.class)
                .extracting(GatewayException::code).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    }

    // ---------------------------------------------------------------------------------- circuit breaker

    @Test
    void aBurstOf5xxOpensTheBreakerAndThenCallsAreRefusedWithoutReachingTheUpstream() {
        upstream.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(500)));
        Route route = route("breaker", 0, new RouteDefinition.CircuitBreaker(50, 4, 30), 100, 2000);

        for (int i = 0; i < 4; i++) {
            call(route, "GET").close();
        }
        assertThatThrownBy(() -> call(route, "GET")).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.CIRCUIT_OPEN);
            assertThat(e.retryAfterSeconds()).isBetween(1L, 30L);
        });
        assertThat(upstream.getAllServeEvents()).hasSize(4);
    }

    @Test
    void resetsEmptyAnswersAndTimeoutsCountAsFailures() {
        upstream.stubFor(get(anyUrl()).inScenario("mixed").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("empty"));
        upstream.stubFor(get(anyUrl()).inScenario("mixed").whenScenarioStateIs("empty")
                .willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE))); // stays: the client's one replay gets it too
        Route route = route("breaker", 0, new RouteDefinition.CircuitBreaker(100, 3, 30), 100, 300);

        assertThatThrownBy(() -> call(route, "GET")).extracting(e -> ((GatewayException) e).code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
        assertThatThrownBy(() -> call(route, "GET")).extracting(e -> ((GatewayException) e).code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
        upstream.stubFor(get(anyUrl()).inScenario("mixed").whenScenarioStateIs("empty")
                .willReturn(aResponse().withStatus(200).withRandomDelay(new UniformDistribution(1000, 2000))));
        assertThatThrownBy(() -> call(route, "GET")).extracting(e -> ((GatewayException) e).code()).isEqualTo(ErrorCode.UPSTREAM_TIMEOUT);
        assertThatThrownBy(() -> call(route, "GET")).extracting(e -> ((GatewayException) e).code()).isEqualTo(ErrorCode.CIRCUIT_OPEN);
        assertThat(policies.of(route).breaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(3);
    }

    @Test
    void answersBelow500AndTheCallersOwnFaultsDoNotOpenTheBreaker() {
        upstream.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(404)));
        Route route = route("breaker", 0, new RouteDefinition.CircuitBreaker(50, 2, 30), 100, 2000);

        for (int i = 0; i < 3; i++) {
            call(route, "GET").close();
            assertThatThrownBy(() -> policies.of(route).call("GET", true, () -> {
                throw UpstreamFailure.classify(new PayloadTooLargeException(10), route);
            })).extracting(e -> ((GatewayException) e).code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
        }
        assertThat(policies.of(route).breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    /**
     * A request the gateway cannot form (its target holds a character that must be percent-encoded) is the
     * caller's fault: 400, never sent, never retried, never counted; more of them than the breaker's
     * minimum calls leave it closed for the next caller.
     */
    @Test
    void requestsThatCannotBeFormedAreRefusedNeitherRetriedNorCountedAndTheBreakerStaysClosed() throws Exception {
        upstream.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(200).withBody("ok")));
        Route route = route("both", 3, new RouteDefinition.CircuitBreaker(50, 4, 30), 100, 2000);
        AtomicInteger attempts = new AtomicInteger();

        for (String rest : List.of("/a{b", "/a|b", "/a^b", "/a\"b", "/a<b", "/a>b", "/a`b", "/a%zz", "/a{b", "/a|b")) {
            attempts.set(0);
            assertThatThrownBy(() -> policies.of(route).call("GET", true, () -> {
                attempts.incrementAndGet();
                return attempt(route, new ForwardRequest("GET", rest, null, List.of(), null, 0));
            })).isNotInstanceOf(UpstreamFailure.class)
                    .extracting(e -> ((GatewayException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(attempts.get()).as("attempts for " + rest).isEqualTo(1);
        }

        assertThat(upstream.getAllServeEvents()).isEmpty();
        assertThat(policies.of(route).breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(policies.of(route).breaker().getMetrics().getNumberOfBufferedCalls()).isZero();
        try (ForwardResponse answer = call(route, "GET")) {
            assertThat(answer.status()).isEqualTo(200);
        }
    }

    @Test
    void afterOpenSecondsOneProbeGoesThroughAndASuccessClosesTheBreaker() throws Exception {
        upstream.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(502)));
        Route route = route("breaker", 0, new RouteDefinition.CircuitBreaker(50, 2, 1), 100, 2000);
        call(route, "GET").close();
        call(route, "GET").close();
        assertThat(policies.of(route).breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);

        upstream.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(200)));
        ForwardResponse probe = callOnceTheBreakerLetsThrough(route);
        assertThat(probe.status()).isEqualTo(200);
        probe.close();
        assertThat(policies.of(route).breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void aFailedProbeOpensTheBreakerAgain() throws Exception {
        upstream.stubFor(get(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        Route route = route("breaker", 0, new RouteDefinition.CircuitBreaker(50, 2, 1), 100, 2000);
        assertThatThrownBy(() -> call(route, "GET")).isInstanceOf(UpstreamFailure.class);
        assertThatThrownBy(() -> call(route, "GET")).isInstanceOf(UpstreamFailure.class);
        int before = upstream.getAllServeEvents().size();

        Throwable probe = await("a probe after openSeconds").atMost(PROBE_WAIT).pollInterval(Duration.ofMillis(50))
                .pollInSameThread().until(() -> refusal(route), t -> !(t instanceof GatewayException g) || g instanceof UpstreamFailure);
        assertThat(probe).isInstanceOf(UpstreamFailure.class);
        assertThat(upstream.getAllServeEvents()).hasSize(before + 1);
        assertThat(policies.of(route).breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void aRetryStopsWhenTheBreakerOpens() {
        upstream.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(503)));
        Route route = route("both", 5, new RouteDefinition.CircuitBreaker(100, 2, 30), 100, 2000);

        assertThatThrownBy(() -> call(route, "GET")).extracting(e -> ((GatewayException) e).code()).isEqualTo(ErrorCode.CIRCUIT_OPEN);
        assertThat(upstream.getAllServeEvents()).hasSize(2);
    }

    // ----------------------------------------------------------------------------------------- bulkhead

    @Test
    void theBulkheadAdmitsMaxConcurrentCallsAndRefusesTheNextWithRetryAfter() {
        Route route = route("busy", 0, null, 2, 2000);
        RoutePolicy policy = policies.of(route);

        RoutePolicy.Permit first = policy.enter();
        RoutePolicy.Permit second = policy.enter();
        assertThatThrownBy(policy::enter).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UPSTREAM_BUSY);
            assertThat(e.retryAfterSeconds()).isEqualTo(1);
        });
        first.close();
        first.close(); // a second close frees nothing more
        RoutePolicy.Permit third = policy.enter();
        assertThatThrownBy(policy::enter).isInstanceOf(GatewayException.class);
        second.close();
        third.close();
        assertThat(policy.bulkhead().getMetrics().getAvailableConcurrentCalls()).isEqualTo(2);
    }

    // ------------------------------------------------------------------------- state across route changes

    @Test
    void aRouteReplacedWithTheSamePolicyKeepsItsStateAndAChangedPolicyStartsAfresh() {
        Route v1 = route("keep", 0, new RouteDefinition.CircuitBreaker(50, 2, 30), 100, 2000);
        RoutePolicy first = policies.of(v1);
        first.breaker().transitionToOpenState();

        Route v2 = Route.from(new RouteDefinition("policy-keep", "diskominfo", "renamed", "a new description", "/policy/keep",
                List.of("GET", "PUT", "POST"), v1.definition().upstream(), null, null, 100, 0,
                new RouteDefinition.CircuitBreaker(50, 2, 30), null, null), 2);
        assertThat(policies.of(v2)).isSameAs(first);
        assertThat(policies.of(v2).breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(first.route()).isSameAs(v2);

        Route v3 = route("keep", 0, new RouteDefinition.CircuitBreaker(50, 2, 60), 100, 2000);
        assertThat(policies.of(v3)).isNotSameAs(first);
        assertThat(policies.of(v3).breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);

        Route v4 = route("keep", 0, new RouteDefinition.CircuitBreaker(50, 2, 60), 7, 2000);
        assertThat(policies.of(v4).bulkhead().getMetrics().getMaxAllowedConcurrentCalls()).isEqualTo(7);
    }

    @Test
    void syncForgetsRoutesNoLongerServed() {
        Route kept = route("kept", 0, null, 100, 2000);
        Route gone = route("gone", 0, null, 100, 2000);
        policies.sync(List.of(kept, gone));
        assertThat(policies.find("policy-gone")).isNotNull();

        policies.sync(List.of(kept));
        assertThat(policies.find("policy-gone")).isNull();
        assertThat(policies.find("policy-kept")).isNotNull();
    }

    // ------------------------------------------------------------------------------------------ helpers

    private Route route(String name, int retries, RouteDefinition.CircuitBreaker breaker, int maxConcurrent, int timeoutMs) {
        RouteDefinition d = new RouteDefinition("policy-" + name, "diskominfo", null, null, "/policy/" + name,
                List.of("GET", "PUT", "POST"), new RouteDefinition.Upstream(upstream.baseUrl() + "/" + name, timeoutMs),
                null, null, maxConcurrent, retries, breaker, null, null);
        Route route = Route.from(d, ++versions);
        try {
            CamelRoutes.add(camel, route, new UpstreamForwarder(client, route));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return route;
    }

    /** A call as the pipeline makes it: through the policy, each attempt through the route's Camel route. */
    private ForwardResponse call(Route route, String method) {
        return policies.of(route).call(method, true, () -> attempt(route, new ForwardRequest(method, "", null, List.of(), null, 0)));
    }

    /** One attempt, the pipeline's own ({@link UpstreamCall#attempt}). */
    private ForwardResponse attempt(Route route, ForwardRequest request) {
        return UpstreamCall.attempt(template, camel.getEndpoint(CamelRoutes.endpointUri(route)), route, request, null);
    }

    /** How long a test waits for the breaker to let a probe through; it only bounds the test, it is not asserted. */
    private static final Duration PROBE_WAIT = Duration.ofSeconds(10);

    private ForwardResponse callOnceTheBreakerLetsThrough(Route route) {
        return await("the breaker lets a probe through").atMost(PROBE_WAIT).pollInterval(Duration.ofMillis(50))
                .pollDelay(Duration.ZERO).pollInSameThread().until(() -> {
                    try {
                        return call(route, "GET");
                    } catch (GatewayException e) {
                        assertThat(e.code()).as("the only refusal while the breaker is open").isEqualTo(ErrorCode.CIRCUIT_OPEN);
                        return null;
                    }
                }, java.util.Objects::nonNull);
    }

    /** What one call throws ({@code null} when it is answered). */
    private Throwable refusal(Route route) {
        try {
            call(route, "GET").close();
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    private static UpstreamFailure classify(Throwable t, Route route) {
        return (UpstreamFailure) UpstreamFailure.classify(t, route);
    }

    private static void failFirstThen(Fault fault, String scenario) {
        upstream.stubFor(get(anyUrl()).inScenario(scenario).whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withFault(fault)).willSetStateTo("up"));
        upstream.stubFor(get(anyUrl()).inScenario(scenario).whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200).withBody("ok")));
    }
}
