package id.gerbang.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.GatewayException;
import id.gerbang.gateway.integration.CamelRoutes;
import id.gerbang.gateway.policy.PolicyProperties;
import id.gerbang.gateway.policy.RoutePolicy;
import id.gerbang.gateway.policy.TrafficPolicies;
import id.gerbang.gateway.trail.CallRecord;
import id.gerbang.gateway.trail.Masking;
import id.gerbang.gateway.trail.TrailEntry;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import id.gerbang.security.Caller;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * The upstream call: each attempt through the route's real Camel route (against an upstream on a plain
 * socket that answers what it is told), and the relay of an answer with its last piece held back until the
 * call's record is stored.
 */
class UpstreamCallTest {

    static UpstreamClient client;
    CamelContext camel;
    ProducerTemplate template;

    @BeforeAll
    static void startClient() {
        client = new UpstreamClient(Binder.get(new org.springframework.core.env.StandardEnvironment())
                .bindOrCreate("gerbang", GerbangProperties.class));
    }

    @AfterAll
    static void stopClient() throws Exception {
        client.destroy();
    }

    @BeforeEach
    void startCamel() {
        camel = new DefaultCamelContext();
        camel.start();
        template = camel.createProducerTemplate();
    }

    @AfterEach
    void stopCamel() {
        camel.stop();
    }

    @Test
    void anAnswerFramedTwoWaysCountsAsABreakerFailure() throws Exception {
        String twoWays = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n";
        try (RawUpstream upstream = new RawUpstream(twoWays)) {
            // a breaker that opens once two of two calls failed
            Route route = route(upstream.port(), new RouteDefinition.CircuitBreaker(100, 2, 60));
            RoutePolicy policy = new TrafficPolicies(new PolicyProperties(Duration.ofMillis(5), Duration.ofMillis(20)),
                    new SimpleMeterRegistry()).of(route);

            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> call(policy, route))
                        .isInstanceOfSatisfying(GatewayException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE))
                        .hasMessageContaining("both Content-Length and Transfer-Encoding");
            }
            assertThatThrownBy(() -> call(policy, route))
                    .as("both answers were failures of the upstream: the breaker is open")
                    .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CIRCUIT_OPEN));
            assertThat(upstream.connections()).isEqualTo(2);
        }
    }

    @Test
    void aShortAnswerIsWithheldWholeWhenItsRecordCannotBeStored() throws Exception {
        CallRecord call = call();
        UpstreamCall upstreamCall = open(call, 64);
        MockHttpServletResponse response = new MockHttpServletResponse();

        assertThatThrownBy(() -> upstreamCall.relay(answer("short".getBytes(StandardCharsets.UTF_8)), response, () -> false))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AUDIT_UNAVAILABLE));
        assertThat(response.getContentAsByteArray()).as("nothing of the answer was sent").isEmpty();
    }

    @Test
    void aLongAnswerIsCutBeforeItsLastPieceWhenItsRecordCannotBeStored() throws Exception {
        CallRecord call = call();
        UpstreamCall upstreamCall = open(call, 4);
        MockHttpServletResponse response = new MockHttpServletResponse();
        byte[] body = "0123456789".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> upstreamCall.relay(answer(body), response, () -> false)).isInstanceOf(IOException.class);
        assertThat(response.getContentAsString()).as("all but the last piece").isEqualTo("01234567");
    }

    @Test
    void aRelayedAnswerIsCountedAndDigestedForItsRecordBeforeTheLastPieceGoes() throws Exception {
        CallRecord call = call();
        UpstreamCall upstreamCall = open(call, 4);
        MockHttpServletResponse response = new MockHttpServletResponse();
        byte[] body = "0123456789".getBytes(StandardCharsets.UTF_8);
        AtomicInteger sentAtRecord = new AtomicInteger(-1);

        upstreamCall.relay(answer(body), response, () -> {
            sentAtRecord.set(response.getContentAsByteArray().length);
            return true;
        });

        assertThat(sentAtRecord.get()).as("bytes sent when the record was stored").isEqualTo(8);
        assertThat(response.getContentAsString()).isEqualTo("0123456789");
        TrailEntry entry = call.entry(Masking.DEFAULT);
        assertThat(entry.status()).isEqualTo(200);
        assertThat(entry.responseBytes()).isEqualTo(10);
        assertThat(entry.responseSha256()).isEqualTo("84d89877f0d4041efb6bf91a16f0248f2fd573e6af05c19f96bedb9f882f7882");
    }

    // ------------------------------------------------------------------------------------------ helpers

    private Route route(int port, RouteDefinition.CircuitBreaker breaker) throws Exception {
        RouteDefinition d = new RouteDefinition("twice-framed", "diskominfo", null, null, "/twice",
                List.of("GET"), new RouteDefinition.Upstream("http://127.0.0.1:" + port, 2000), null, null, null, 0,
                breaker, null, null);
        Route route = Route.from(d, 1);
        CamelRoutes.add(camel, route, new UpstreamForwarder(client, route));
        return route;
    }

    private ForwardResponse call(RoutePolicy policy, Route route) {
        ForwardResponse answer = policy.call("GET", true, () -> UpstreamCall.attempt(template,
                camel.getEndpoint(CamelRoutes.endpointUri(route)), route, new ForwardRequest("GET", "", null, List.of(), null, 0), null));
        answer.close();
        return answer;
    }

    private static CallRecord call() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/twice");
        CallRecord call = new CallRecord(request, "corr-1");
        call.caller(new Caller("dinkes-simpus", "dinkes", Set.of(), java.time.Instant.now().plusSeconds(60)));
        RouteDefinition d = new RouteDefinition("twice", "diskominfo", null, null, "/twice", List.of("GET"),
                new RouteDefinition.Upstream("http://127.0.0.1:1", 2000), null, null, null, null, null, null, null);
        call.route(Route.from(d, 1), Masking.DEFAULT);
        return call;
    }

    private UpstreamCall open(CallRecord call, int bufferSize) throws IOException {
        return new UpstreamCall(template, null, new MockHttpServletRequest("GET", "/api/twice"), call, "", false, 0,
                new byte[][] {new byte[bufferSize], new byte[bufferSize]});
    }

    private static ForwardResponse answer(byte[] body) {
        BasicClassicHttpResponse response = new BasicClassicHttpResponse(200);
        response.setEntity(new ByteArrayEntity(body, ContentType.TEXT_PLAIN));
        return new ForwardResponse(new HttpGet("http://127.0.0.1:1/"), response, 1_000_000);
    }

    /** An upstream on a plain socket that answers every connection with the same bytes, then closes it. */
    static final class RawUpstream implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        private final AtomicInteger connections = new AtomicInteger();

        RawUpstream(String answer) throws IOException {
            Thread t = new Thread(() -> serve(answer.getBytes(StandardCharsets.ISO_8859_1)), "raw-upstream");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        private void serve(byte[] answer) {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    connections.incrementAndGet();
                    InputStream in = s.getInputStream();
                    int matched = 0;
                    for (int b = in.read(); b >= 0; b = in.read()) { // up to the end of the request head
                        matched = (b == '\r' || b == '\n') ? matched + 1 : 0;
                        if (matched == 4) {
                            break;
                        }
                    }
                    s.getOutputStream().write(answer);
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
