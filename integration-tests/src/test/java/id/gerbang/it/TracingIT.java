package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.sun.net.httpserver.HttpServer;
import id.gerbang.it.support.Gateway;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Traces and JSON logs (docs/operations.md, "Traces" and "Logs"): a packaged node with an OTLP endpoint
 * exports the spans of each {@code /api} call to the receiver in this test (OTLP/HTTP, protobuf), gives the
 * upstream its own {@code traceparent} instead of the caller's, and writes ECS JSON log lines naming the node, the
 * call's correlation id and trace id.
 */
class TracingIT {

    private static final String NIK = "3201012345678901";
    private static final String USER = "petugas-7788";
    private static final String FORGED_TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String FORGED_PARENT = "00-" + FORGED_TRACE + "-b7ad6b7169203331-01";

    private static HttpServer receiver;
    private static final Queue<Span> spans = new ConcurrentLinkedQueue<>();
    private static final Queue<String> resourceServices = new ConcurrentLinkedQueue<>();
    private static Gateway node;
    private static WireMockServer wm;

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/v1/traces", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
                for (ResourceSpans rs : request.getResourceSpansList()) {
                    rs.getResource().getAttributesList().stream().filter(a -> a.getKey().equals("service.name"))
                            .forEach(a -> resourceServices.add(a.getValue().getStringValue()));
                    for (ScopeSpans ss : rs.getScopeSpansList()) {
                        spans.addAll(ss.getSpansList());
                    }
                }
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        receiver.start();
        node = Gateway.start("tracing", List.of(
                "--management.otlp.tracing.endpoint=http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/traces",
                "--management.tracing.opentelemetry.export.schedule-delay=200ms",
                "--logging.structured.format.console=ecs",
                "--logging.level.id.gerbang.gateway.pipeline=DEBUG"));
        wm = node.upstream();
        // a first call on a cold node can outlast the route's 1.5 s timeout on a busy machine
        wm.stubFor(get(urlPathMatching("/retry/.*")).willReturn(aResponse().withStatus(200)));
        String token = node.token("dinkes-simpus");
        await("a warm node").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> node.send(
                node.request("/api/it/retry/warm-up").header("Authorization", "Bearer " + token).GET().build()).statusCode() == 200);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    void oneCallIsOneTraceOfItsStepsAndAttemptsAndTheUpstreamsParentIsItsAttempt() throws Exception {
        wm.resetAll();
        wm.stubFor(get(urlPathMatching("/retry/.*")).inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        wm.stubFor(get(urlPathMatching("/retry/.*")).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200).withBody("{\"status\":\"aktif\"}")));
        String token = node.token("dinkes-simpus");

        HttpResponse<String> r = node.send(node.request("/api/it/retry/penduduk/" + NIK + "?nik=" + NIK)
                .header("Authorization", "Bearer " + token)
                .header("X-User-Id", USER)
                .header("X-Correlation-Id", "trace-it-one-call")
                .header("traceparent", FORGED_PARENT)
                .header("tracestate", "forged=1")
                .header("baggage", "nik=" + NIK)
                .GET().build());

        assertThat(r.statusCode()).isEqualTo(200);
        List<LoggedRequest> attempts = upstreamRequests();
        assertThat(attempts).as("the upstream heard two attempts (503, then 200)").hasSize(2);
        for (LoggedRequest a : attempts) {
            assertThat(a.getHeader("traceparent")).as("Gerbang's own traceparent").isNotNull()
                    .isNotEqualTo(FORGED_PARENT).doesNotContain(FORGED_TRACE);
            assertThat(a.containsHeader("tracestate") ? a.getHeader("tracestate") : null).isNotEqualTo("forged=1");
            assertThat(a.containsHeader("baggage")).as("the caller's baggage is dropped").isFalse();
        }
        String traceId = attempts.get(0).getHeader("traceparent").split("-")[1];
        assertThat(attempts.get(1).getHeader("traceparent").split("-")[1]).isEqualTo(traceId);

        List<Span> trace = awaitTrace(traceId, 8);
        Span server = only(trace, "GET it-retry");
        assertThat(server.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(server.getParentSpanId().isEmpty()).as("a new trace: no caller is its parent").isTrue();
        assertThat(attributes(server)).containsEntry("gerbang.route", "it-retry").containsEntry("gerbang.route.owner", "diskominfo")
                .containsEntry("gerbang.client", "dinkes-simpus").containsEntry("gerbang.client.opd", "dinkes")
                .containsEntry("http.response.status_code", "200").containsEntry("http.request.method", "GET");

        for (String step : List.of("gerbang.token", "gerbang.access", "gerbang.rate-limit", "gerbang.upstream")) {
            assertThat(only(trace, step).getParentSpanId()).as(step + " is a step of the call").isEqualTo(server.getSpanId());
        }
        Span upstream = only(trace, "gerbang.upstream");
        List<Span> attemptSpans = trace.stream().filter(s -> s.getName().equals("gerbang.upstream.attempt"))
                .sorted((a, b) -> Long.compare(a.getStartTimeUnixNano(), b.getStartTimeUnixNano())).toList();
        assertThat(attemptSpans).hasSize(2).allSatisfy(s -> {
            assertThat(s.getParentSpanId()).isEqualTo(upstream.getSpanId());
            assertThat(s.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
        });
        assertThat(attributes(attemptSpans.get(0))).containsEntry("gerbang.attempt", "1").containsEntry("http.response.status_code", "503");
        assertThat(attributes(attemptSpans.get(1))).containsEntry("gerbang.attempt", "2").containsEntry("http.response.status_code", "200");
        for (int i = 0; i < 2; i++) {
            assertThat(attempts.get(i).getHeader("traceparent").split("-")[2]).as("attempt %d's upstream names its span", i + 1)
                    .isEqualTo(hex(attemptSpans.get(i).getSpanId().toByteArray()));
        }
        assertThat(only(trace, "gerbang.trail").getParentSpanId()).as("the record, held before the answer's end")
                .isEqualTo(upstream.getSpanId());
        assertThat(resourceServices).contains("gerbang");

        for (Span s : trace) {
            for (KeyValue kv : s.getAttributesList()) {
                assertThat(value(kv.getValue())).as("attribute %s of span %s", kv.getKey(), s.getName())
                        .doesNotContain(NIK).doesNotContain(USER).doesNotContain(token).doesNotContain(FORGED_TRACE);
            }
            assertThat(s.getName()).doesNotContain(NIK);
            assertThat(s.getEventsList()).allSatisfy(e -> e.getAttributesList().forEach(kv ->
                    assertThat(value(kv.getValue())).doesNotContain(NIK).doesNotContain(USER)));
        }
    }

    @Test
    void aRefusedCallIsTracedWithItsErrorCode() throws Exception {
        wm.resetAll();
        HttpResponse<String> r = node.send(node.request("/api/it/retry/penduduk/" + NIK)
                .header("Authorization", "Bearer " + node.token("bapenda-sipd")) // not on the route's access list
                .header("X-Correlation-Id", "trace-it-refused").GET().build());

        assertThat(r.statusCode()).isEqualTo(403);
        await("the refused call's server span").atMost(Duration.ofSeconds(30)).until(() -> spans.stream().anyMatch(s ->
                attributes(s).getOrDefault("gerbang.correlation_id", "").equals("trace-it-refused")));
        Span server = spans.stream().filter(s -> attributes(s).getOrDefault("gerbang.correlation_id", "").equals("trace-it-refused"))
                .findFirst().orElseThrow();
        String traceId = hex(server.getTraceId().toByteArray());
        List<Span> trace = awaitTrace(traceId, 4);
        assertThat(attributes(server)).containsEntry("error.type", "ACCESS_DENIED").containsEntry("http.response.status_code", "403");
        assertThat(attributes(only(trace, "gerbang.access"))).containsEntry("error.type", "ACCESS_DENIED");
        assertThat(trace).extracting(Span::getName).doesNotContain("gerbang.upstream", "gerbang.upstream.attempt");
        assertThat(only(trace, "gerbang.trail").getParentSpanId()).isEqualTo(server.getSpanId());
        assertThat(upstreamRequests()).isEmpty();
    }

    @Test
    void everyLogLineOfACallIsJsonWithItsCorrelationIdAndTraceId() throws Exception {
        wm.resetAll();
        wm.stubFor(get(urlPathMatching("/retry/.*")).willReturn(aResponse().withStatus(200).withBody("{}")));

        HttpResponse<String> r = node.send(node.request("/api/it/retry/log/" + NIK)
                .header("Authorization", "Bearer " + node.token("dinkes-simpus"))
                .header("X-Correlation-Id", "trace-it-logs").GET().build());

        assertThat(r.statusCode()).isEqualTo(200);
        String traceId = upstreamRequests().get(0).getHeader("traceparent").split("-")[1];
        List<JsonNode> lines = await("the call's log line").atMost(Duration.ofSeconds(10)).until(() -> jsonLines().stream()
                .filter(l -> l.path("correlationId").asText().equals("trace-it-logs")).toList(), l -> !l.isEmpty());
        assertThat(lines).allSatisfy(l -> {
            assertThat(l.path("traceId").asText()).isEqualTo(traceId);
            assertThat(l.path("spanId").asText()).hasSize(16);
            assertThat(l.has("@timestamp") && l.has("log") && l.has("ecs")).as("an ECS line: %s", l).isTrue();
        });
        assertThat(lines).anySatisfy(l -> assertThat(l.path("message").asText())
                .startsWith("Call on route it-retry by dinkes-simpus: 200 - in "));
        assertThat(jsonLines()).as("lines naming the call's trace name its correlation id")
                .filteredOn(l -> l.path("traceId").asText().equals(traceId))
                .allSatisfy(l -> assertThat(l.path("correlationId").asText()).isEqualTo("trace-it-logs"));
        assertThat(Files.readAllLines(node.log(), StandardCharsets.UTF_8)).as("no line of the call but JSON")
                .filteredOn(l -> l.contains("trace-it-logs")).allSatisfy(l -> assertThat(l).startsWith("{"));
    }

    @Test
    void everyJsonLineNamesTheServiceAndTheNodeUnsetGerbangNodeByItsHostName() throws Exception {
        String host = java.net.InetAddress.getLocalHost().getHostName();
        assertThat(jsonLines()).as("the node's lines so far").isNotEmpty().allSatisfy(l -> {
            assertThat(l.path("service").path("name").asText()).as("service.name: %s", l).isEqualTo("gerbang");
            assertThat(l.path("service").path("node").path("name").asText()).as("service.node.name: %s", l)
                    .isEqualTo(host);
        });
    }

    private static List<JsonNode> jsonLines() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(node.log(), StandardCharsets.UTF_8)) {
            if (line.startsWith("{")) {
                out.add(Gateway.json(line));
            }
        }
        return out;
    }

    private static List<LoggedRequest> upstreamRequests() {
        List<LoggedRequest> all = new ArrayList<>(wm.getAllServeEvents().stream().map(ServeEvent::getRequest).toList());
        java.util.Collections.reverse(all); // WireMock lists newest first
        return all;
    }

    /** The spans of one trace once at least {@code count} of them arrived. */
    private static List<Span> awaitTrace(String traceId, int count) {
        return await("the spans of trace " + traceId).atMost(Duration.ofSeconds(30)).until(
                () -> spans.stream().filter(s -> hex(s.getTraceId().toByteArray()).equals(traceId)).toList(),
                l -> l.size() >= count);
    }

    private static Span only(List<Span> trace, String name) {
        List<Span> named = trace.stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(named).as("spans named %s in %s", name, trace.stream().map(Span::getName).toList()).hasSize(1);
        return named.get(0);
    }

    private static Map<String, String> attributes(Span span) {
        return span.getAttributesList().stream().collect(Collectors.toMap(KeyValue::getKey, kv -> value(kv.getValue()), (a, b) -> a));
    }

    private static String value(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case INT_VALUE -> Long.toString(v.getIntValue());
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
            default -> v.toString();
        };
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
