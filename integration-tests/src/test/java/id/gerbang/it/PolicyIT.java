package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static id.gerbang.it.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.UniformDistribution;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.Postgres;
import id.gerbang.it.support.PostgresGateway;
import id.gerbang.it.support.TrailRows;
import id.gerbang.it.support.TrailRows.Row;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The traffic policy end to end, on the packaged gateway over PostgreSQL, with WireMock fault injection:
 * retries, circuit breaker, bulkhead, rate limit and timeouts, each with its code and headers, its one trail
 * record, its metrics and its place in {@code /actuator/health}. Outcomes only, never wall-clock figures.
 */
class PolicyIT {

    private static Gateway gw;
    private static WireMockServer wm;
    private static Postgres pg;
    private static ExecutorService clients;

    @BeforeAll
    static void gateway() throws Exception {
        gw = PostgresGateway.get();
        wm = gw.upstream();
        pg = Postgres.get();
        clients = Executors.newFixedThreadPool(24);
    }

    @AfterAll
    static void stopClients() {
        clients.shutdownNow();
    }

    @BeforeEach
    void resetUpstream() {
        wm.resetAll();
    }

    // ------------------------------------------------------------------------------------------ retries

    @Test
    void anIdempotentCallIsSentAgainAfterAConnectionResetAndTheCallerSeesOnlyTheAnswer() throws Exception {
        wm.stubFor(get(urlPathMatching("/retry/.*")).inScenario("reset").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("up"));
        wm.stubFor(get(urlPathMatching("/retry/.*")).inScenario("reset").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200).withBody("{\"status\":\"aktif\"}")));

        HttpResponse<String> r = call("/api/it/retry/penduduk");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"status\":\"aktif\"}");
        assertThat(served("/retry/.*")).isEqualTo(2);
        Row record = recordOf(r);
        assertThat(record.number("status")).isEqualTo(200L);
        assertThat(record.string("error_code")).isNull();
    }

    @Test
    void aPutWithItsBodyIsRetriedAfter503() throws Exception {
        wm.stubFor(put(urlPathMatching("/retry/.*")).inScenario("put").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        wm.stubFor(put(urlPathMatching("/retry/.*")).inScenario("put").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(204)));
        String body = "{\"izin\":\"NIB-1404-2026-0001\"}";

        HttpResponse<String> r = gw.send(gw.request("/api/it/retry/izin").header("Authorization", "Bearer " + token())
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build());

        assertThat(r.statusCode()).isEqualTo(204);
        List<ServeEvent> puts = wm.getAllServeEvents();
        assertThat(puts).hasSize(2).allSatisfy(e -> assertThat(e.getRequest().getBodyAsString()).isEqualTo(body));
    }

    @Test
    void aPostIsNeverSentTwice() throws Exception {
        wm.stubFor(post(urlPathMatching("/retry/.*")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        HttpResponse<String> r = gw.send(gw.request("/api/it/retry/permohonan").header("Authorization", "Bearer " + token())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build());

        assertProblem(r, 502, "UPSTREAM_UNAVAILABLE");
        assertThat(served("/retry/.*")).isEqualTo(1);
    }

    @Test
    void a503BurstIsRetriedAndTheUpstreamsLastAnswerPassesThroughUnchanged() throws Exception {
        wm.stubFor(get(urlPathMatching("/retry/.*")).willReturn(aResponse().withStatus(503).withHeader("Retry-After", "120")
                .withBody("sedang pemeliharaan")));

        HttpResponse<String> r = call("/api/it/retry/maintenance");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("sedang pemeliharaan");
        assertThat(r.headers().firstValue("X-Gerbang-Error")).isEmpty();
        assertThat(r.headers().firstValue("Retry-After")).hasValue("120");
        assertThat(served("/retry/.*")).isEqualTo(3); // retries: 2
    }

    // ---------------------------------------------------------------------------------- circuit breaker

    @Test
    void aBurstOf5xxOpensTheCircuitWhichRefusesWithRetryAfterThenAProbeClosesIt() throws Exception {
        wm.stubFor(get(urlPathMatching("/breaker/.*")).willReturn(aResponse().withStatus(500).withBody("galat")));
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> failed = call("/api/it/breaker/data");
            assertThat(failed.statusCode()).isEqualTo(500);
            assertThat(failed.headers().firstValue("X-Gerbang-Error")).isEmpty(); // the upstream's own answer
        }

        HttpResponse<String> refused = call("/api/it/breaker/data");

        assertProblem(refused, 503, "CIRCUIT_OPEN");
        assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 2L);
        assertThat(served("/breaker/.*")).isEqualTo(4);
        Row record = recordOf(refused);
        assertThat(record.string("error_code")).isEqualTo("CIRCUIT_OPEN");
        assertThat(record.number("status")).isEqualTo(503L);
        assertThat(record.get("upstream_status")).isNull();

        HttpResponse<String> health = gw.send(gw.request("/actuator/health").GET().build());
        assertThat(health.statusCode()).as("one dead upstream does not take the node down").isEqualTo(200);
        JsonNode h = Gateway.json(health.body());
        assertThat(h.path("status").asText()).isEqualTo("UP");
        assertThat(h.at("/components/upstreams/components/it-breaker/status").asText()).isEqualTo("CIRCUIT_OPEN");
        assertThat(h.at("/components/upstreams/components/it-echo/status").asText()).isEqualTo("UP");
        assertThat(metric("gerbang_circuit_state", "route=\"it-breaker\",state=\"open\"")).isEqualTo(1.0);

        wm.stubFor(get(urlPathMatching("/breaker/.*")).willReturn(aResponse().withStatus(200).withBody("pulih")));
        // the wait for openSeconds (2 s) is bounded generously; it is not asserted
        HttpResponse<String> probe = await("a probe once openSeconds have passed").atMost(Duration.ofSeconds(30))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100)).until(() -> {
                    HttpResponse<String> r = call("/api/it/breaker/data");
                    if (r.statusCode() == 503) {
                        assertProblem(r, 503, "CIRCUIT_OPEN");
                    }
                    return r;
                }, r -> r.statusCode() != 503);
        assertThat(probe.statusCode()).isEqualTo(200);
        assertThat(probe.body()).isEqualTo("pulih");
        JsonNode after = Gateway.json(gw.send(gw.request("/actuator/health").GET().build()).body());
        assertThat(after.at("/components/upstreams/components/it-breaker/status").asText()).isEqualTo("UP");
    }

    // ----------------------------------------------------------------------------------------- bulkhead

    @Test
    void aHungUpstreamFillsOnlyItsOwnBulkheadAndEveryCallToAHealthyRouteSucceeds() throws Exception {
        wm.stubFor(get(urlPathMatching("/busy/.*")).willReturn(aResponse().withStatus(200).withBody("akhirnya")
                .withFixedDelay(6000)));
        wm.stubFor(get(urlPathMatching("/svc/sehat/.*")).willReturn(aResponse().withStatus(200).withBody("sehat")));
        String token = token();

        List<Future<HttpResponse<String>>> hung = new ArrayList<>();
        for (int i = 0; i < 2; i++) { // maxConcurrent: 2
            String path = "/api/it/busy/" + i;
            hung.add(clients.submit(() -> gw.send(gw.request(path).header("Authorization", "Bearer " + token).GET().build())));
        }
        awaitMetric("gerbang_bulkhead_in_flight", "route=\"it-busy\"", 2.0);

        List<Future<HttpResponse<String>>> healthy = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String path = "/api/it/echo/sehat/" + i;
            healthy.add(clients.submit(() -> gw.send(gw.request(path).header("Authorization", "Bearer " + token).GET().build())));
        }
        HttpResponse<String> busy = call("/api/it/busy/2");

        assertProblem(busy, 503, "UPSTREAM_BUSY");
        assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(recordOf(busy).string("error_code")).isEqualTo("UPSTREAM_BUSY");
        for (Future<HttpResponse<String>> f : healthy) {
            HttpResponse<String> r = f.get();
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("sehat");
        }
        for (Future<HttpResponse<String>> f : hung) {
            assertThat(f.get().statusCode()).isEqualTo(200); // within the route's own timeoutMs
        }
        assertThat(served("/busy/.*")).as("the refused call never reached the upstream").isEqualTo(2);
        awaitMetric("gerbang_bulkhead_in_flight", "route=\"it-busy\"", 0.0);
    }

    // -------------------------------------------------------------------------------------- rate limit

    @Test
    void aClientOverItsBudgetGets429WithRetryAfterEachRecordedAndCounted() throws Exception {
        wm.stubFor(get(urlPathMatching("/limited/.*")).willReturn(aResponse().withStatus(200).withBody("{}")));
        long day = Instant.now().getEpochSecond() / 86_400;
        int served = 0;
        List<HttpResponse<String>> refused = new ArrayList<>();
        for (int i = 0; i < 70; i++) { // rateLimit: 64 per day
            HttpResponse<String> r = call("/api/it/limited/status-pajak");
            if (r.statusCode() == 200) {
                served++;
            } else {
                refused.add(r);
            }
        }
        Assumptions.assumeTrue(Instant.now().getEpochSecond() / 86_400 == day, "the budget period (a UTC day) changed mid-test");

        assertThat(served).isEqualTo(64);
        assertThat(refused).hasSize(6);
        for (HttpResponse<String> r : refused) {
            assertProblem(r, 429, "RATE_LIMITED");
            assertThat(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 86_400L);
            Row record = recordOf(r);
            assertThat(record.string("error_code")).isEqualTo("RATE_LIMITED");
            assertThat(record.number("status")).isEqualTo(429L);
            assertThat(record.string("route_id")).isEqualTo("it-limited");
        }
        assertThat(served("/limited/.*")).isEqualTo(64);
        assertThat(metric("gerbang_rate_limited_total", "client=\"dinkes-simpus\",route=\"it-limited\"")).isEqualTo(6.0);
        assertThat(metric("gerbang_requests_total", "client=\"dinkes-simpus\",code=\"RATE_LIMITED\",route=\"it-limited\",status=\"429\""))
                .isEqualTo(6.0);
        assertThat(metric("gerbang_requests_total", "client=\"dinkes-simpus\",code=\"none\",route=\"it-limited\",status=\"200\""))
                .isEqualTo(64.0);
    }

    // --------------------------------------------------------------------------------------- timeouts

    @Test
    void anUpstreamSlowerThanTimeoutMsGets504WhateverItsDelay() throws Exception {
        wm.stubFor(get(urlPathMatching("/svc/lambat/.*")).willReturn(aResponse().withStatus(200).withBody("terlambat")
                .withRandomDelay(new UniformDistribution(2000, 3000)))); // it-echo: timeoutMs 1500

        HttpResponse<String> r = call("/api/it/echo/lambat/1");

        assertProblem(r, 504, "UPSTREAM_TIMEOUT");
        assertThat(r.body()).doesNotContain("terlambat");
        assertThat(recordOf(r).string("error_code")).isEqualTo("UPSTREAM_TIMEOUT");
    }

    // ------------------------------------------------------------------------------------------ metrics

    @Test
    void prometheusShowsLatencyHistogramsAndTheTrailsCommitTime() throws Exception {
        wm.stubFor(get(urlPathMatching("/svc/metrik/.*")).willReturn(aResponse().withStatus(200).withBody("{}")));
        assertThat(call("/api/it/echo/metrik/1").statusCode()).isEqualTo(200);

        String text = prometheus();
        assertThat(text).contains("gerbang_request_duration_seconds_bucket{route=\"it-echo\",le=");
        assertThat(text).contains("gerbang_trail_commit_seconds_bucket{le=");
        assertThat(text).contains("gerbang_trail_batch_records_bucket{le=\"1.0\"}");
        assertThat(text).containsPattern("(?m)^gerbang_trail_batch_records_count [1-9]");
        assertThat(text).contains("gerbang_bulkhead_limit{route=\"it-busy\"} 2.0");
        assertThat(metric("gerbang_requests_total", "client=\"dinkes-simpus\",code=\"none\",route=\"it-echo\",status=\"200\""))
                .isGreaterThanOrEqualTo(1.0);
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static String token() throws Exception {
        return gw.token("dinkes-simpus");
    }

    /** GET with dinkes-simpus's token and a correlation id of its own, to find the call's record. */
    private static HttpResponse<String> call(String path) throws Exception {
        return gw.send(gw.request(path).header("Authorization", "Bearer " + token())
                .header("X-Correlation-Id", UUID.randomUUID().toString()).GET().build());
    }

    /** The one trail record of an answered call, looked up as soon as the answer is in. */
    private static Row recordOf(HttpResponse<String> r) throws Exception {
        String correlationId = r.headers().firstValue("X-Correlation-Id").orElseThrow();
        try (Connection c = pg.connect(PostgresGateway.DATABASE)) {
            List<Row> rows = TrailRows.select(c, "correlation_id = ?", correlationId);
            assertThat(rows).as("records of " + correlationId).hasSize(1);
            return rows.get(0);
        }
    }

    private static long served(String pathRegex) {
        return wm.getAllServeEvents().stream().filter(e -> e.getRequest().getUrl().matches(pathRegex)).count();
    }

    private static String prometheus() throws Exception {
        HttpResponse<String> r = gw.send(gw.request("/actuator/prometheus").GET().build());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The value of one series, labels as Prometheus writes them (sorted by name), or NaN when absent. */
    private static double metric(String name, String labels) throws Exception {
        Matcher m = Pattern.compile("^" + Pattern.quote(name + "{" + labels) + ",?\\} (\\S+)$", Pattern.MULTILINE)
                .matcher(prometheus());
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static void awaitMetric(String name, String labels, double value) {
        await(name + "{" + labels + "}").atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(50)).until(() -> metric(name, labels), seen -> seen == value);
    }
}
