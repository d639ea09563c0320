package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static id.gerbang.it.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.Postgres;
import id.gerbang.it.support.PostgresGateway;
import id.gerbang.it.support.RawHttp;
import id.gerbang.it.support.TrailRows;
import id.gerbang.it.support.TrailRows.Row;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a caller can put into the trail, on the production store (PostgreSQL): requests whose method or
 * target the trail could not store whole are refused with 400 before anything else and recorded, without
 * costing anyone else their calls; a NIK is masked wherever the caller wrote it; a formula in a recorded
 * value is exported to CSV as text.
 */
class TrailBoundsIT {

    private static final String NIK = "1404015708900001";
    private static final String NIK_MASKED = "140401**********";
    /** The NIK above in fullwidth digits, percent-encoded as UTF-8. */
    private static final String NIK_FULLWIDTH = "%EF%BC%91%EF%BC%94%EF%BC%90%EF%BC%94%EF%BC%90%EF%BC%91%EF%BC%95%EF%BC%97"
            + "%EF%BC%90%EF%BC%98%EF%BC%99%EF%BC%90%EF%BC%90%EF%BC%90%EF%BC%90%EF%BC%91";
    private static final String LONG_METHOD = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String LONG_PATH = "/api/it/echo/" + "a".repeat(8200);

    private static Gateway gw;
    private static WireMockServer wm;
    private static Postgres pg;

    @BeforeAll
    static void gateway() throws Exception {
        gw = PostgresGateway.get();
        wm = gw.upstream();
        pg = Postgres.get();
    }

    @BeforeEach
    void resetUpstream() {
        wm.resetAll();
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("ok")));
    }

    // ------------------------------------------------------------------------------------------- bounds

    @Test
    void aMethodLongerThanItsColumnIsRefusedWithoutATokenAndRecordedCut() throws Exception {
        String cid = cid("method");
        RawHttp.Response r = RawHttp.send(gw.port(), LONG_METHOD + " /api/it/echo/x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "X-Correlation-Id: " + cid + "\r\nConnection: close\r\n\r\n");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("X-Gerbang-Error")).isEqualTo("BAD_REQUEST");
        Row rec = onlyRecordOf(cid);
        assertThat(rec.string("method")).isEqualTo("ABCDEFGHIJ…[+16]");
        assertThat(rec.number("status")).isEqualTo(400);
        assertThat(rec.string("error_code")).isEqualTo("BAD_REQUEST");
        assertThat(wm.findAll(anyRequestedFor(anyUrl()))).isEmpty();
    }

    @Test
    void aMethodOutsideTheKnownSetIsRefused() throws Exception {
        for (String method : List.of("PROPFIND", "get", "BREW")) {
            String cid = cid("verb");
            RawHttp.Response r = RawHttp.send(gw.port(), method + " /api/it/echo/x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "X-Correlation-Id: " + cid + "\r\nAuthorization: Bearer " + gw.token("dinkes-simpus")
                    + "\r\nConnection: close\r\n\r\n");
            assertThat(r.status()).as(method).isEqualTo(400);
            assertThat(onlyRecordOf(cid).string("method")).isEqualTo(method);
        }
        assertThat(wm.findAll(anyRequestedFor(anyUrl()))).isEmpty();
    }

    @Test
    void aPathLongerThanTheLimitIsRefusedWithoutATokenAndRecordedCut() throws Exception {
        String cid = cid("path");
        HttpResponse<String> r = gw.send(gw.request(LONG_PATH).header("X-Correlation-Id", cid).GET().build());

        assertProblem(r, 400, "BAD_REQUEST");
        Row rec = onlyRecordOf(cid);
        assertThat(rec.string("path")).startsWith("/api/it/echo/aaaa").hasSizeLessThanOrEqualTo(8192)
                .endsWith("…[+" + (LONG_PATH.length() - rec.string("path").indexOf('…')) + "]");
        assertThat(rec.number("status")).isEqualTo(400);
    }

    /** The attack this prevents: with a valid token, a POST whose record could not be stored reached the upstream. */
    @Test
    void withATokenAPostWithAnOverLongPathNeverReachesTheUpstreamAndIsRecorded() throws Exception {
        String cid = cid("post");
        HttpResponse<String> r = gw.send(gw.request(LONG_PATH).header("X-Correlation-Id", cid)
                .header("Authorization", "Bearer " + gw.token("dinkes-simpus")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"hapus\":true}")).build());

        assertProblem(r, 400, "BAD_REQUEST");
        assertThat(wm.findAll(anyRequestedFor(anyUrl()))).as("requests the upstream received").isEmpty();
        Row rec = onlyRecordOf(cid);
        assertThat(rec.string("method")).isEqualTo("POST");
        assertThat(rec.number("status")).isEqualTo(400);
        assertThat(rec.get("upstream_status")).isNull();
    }

    /** Before the fix, four such attackers turned 95 % of the legitimate calls into 503 AUDIT_UNAVAILABLE. */
    @Test
    void legitimateCallsAreServedWhileAttackersSendRequestsTheTrailCouldNotStoreWhole() throws Exception {
        AtomicBoolean attacking = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Integer> attackAnswers = new ConcurrentLinkedQueue<>();
        ExecutorService attackers = Executors.newFixedThreadPool(4);
        List<Future<?>> running = new ArrayList<>();
        for (int a = 0; a < 4; a++) {
            boolean byMethod = a % 2 == 0;
            running.add(attackers.submit(() -> {
                while (attacking.get()) {
                    attackAnswers.add(byMethod
                            ? RawHttp.send(gw.port(), LONG_METHOD + " /api/it/echo/x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                    + "Connection: close\r\n\r\n").status()
                            : gw.send(gw.request(LONG_PATH).GET().build()).statusCode());
                }
                return null;
            }));
        }
        List<Integer> legitimate = new ArrayList<>();
        try {
            String token = gw.token("dinkes-simpus");
            for (int i = 0; i < 40; i++) {
                legitimate.add(gw.send(gw.request("/api/it/echo/legit/" + i).header("Authorization", "Bearer " + token)
                        .GET().build()).statusCode());
            }
        } finally {
            attacking.set(false);
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
            attackers.shutdownNow();
        }
        assertThat(legitimate).containsOnly(200);
        assertThat(attackAnswers).isNotEmpty().containsOnly(400);
    }

    // ------------------------------------------------------------------------------------------- masking

    @Test
    void aNikIsStoredMaskedWhereverTheCallerWroteItAndHoweverItsDigitsAreWritten() throws Exception {
        String cid = cid("nik");
        HttpResponse<String> r = gw.send(gw.request("/api/it/echo/penduduk/" + NIK_FULLWIDTH + "?ref=0" + NIK)
                .header("X-Correlation-Id", cid).header("Authorization", "Bearer " + gw.token("dinkes-simpus"))
                .header("X-User-Id", NIK).GET().build());

        assertThat(r.statusCode()).isEqualTo(200);
        wm.verify(getRequestedFor(urlPathMatching("/svc/penduduk/.*")).withHeader("X-User-Id", equalTo(NIK)));
        Row rec = onlyRecordOf(cid);
        assertThat(rec.string("user_id")).isEqualTo(NIK_MASKED);
        assertThat(rec.string("path")).isEqualTo("/api/it/echo/penduduk/" + NIK_MASKED);
        assertThat(rec.string("query")).isEqualTo("ref=0" + NIK_MASKED);
    }

    // ------------------------------------------------------------------------------------------- CSV export

    @Test
    void aFormulaInARecordedValueIsExportedToCsvAsTextAndToNdjsonExactly() throws Exception {
        String cid = cid("csv");
        String formula = "=cmd|'/Ccalc'!A0";
        Instant from = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(1);
        HttpResponse<String> call = gw.send(gw.request("/api/it/echo/x").header("X-Correlation-Id", cid)
                .header("Authorization", "Bearer " + gw.token("dinkes-simpus")).header("X-User-Id", formula).GET().build());
        assertThat(call.statusCode()).isEqualTo(200);
        String period = "from=" + from + "&to=" + Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);

        HttpResponse<String> csv = gw.get("/audit/export?format=csv&" + period, "inspektorat-audit");
        HttpResponse<String> ndjson = gw.get("/audit/export?format=ndjson&" + period, "inspektorat-audit");

        assertThat(csv.statusCode()).isEqualTo(200);
        String row = csv.body().lines().filter(l -> l.contains(cid)).findFirst().orElseThrow();
        assertThat(row).contains(",\"'" + formula + "\",").doesNotContain("," + formula);
        String line = ndjson.body().lines().filter(l -> l.contains(cid)).findFirst().orElseThrow();
        assertThat(Gateway.json(line).path("userId").asText()).isEqualTo(formula);
    }

    // ------------------------------------------------------------------------------------------- helpers

    private static String cid(String what) {
        return "bounds-" + what + "-" + UUID.randomUUID();
    }

    /** The record of a call, read right after the client has its answer: there must be exactly one already. */
    private static Row onlyRecordOf(String correlationId) throws Exception {
        List<Row> rows;
        try (Connection c = pg.connect(PostgresGateway.DATABASE)) {
            rows = TrailRows.select(c, "correlation_id = ?", correlationId);
        }
        assertThat(rows).as("records of %s", correlationId).hasSize(1);
        return rows.get(0);
    }
}
