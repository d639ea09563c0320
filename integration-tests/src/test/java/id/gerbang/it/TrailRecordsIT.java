package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One record per call, whatever the outcome, with the right particulars, masked, and committed before the
 * answer is complete: each record is looked up (by correlation id, in the {@code audit_record} table of the
 * gateway's PostgreSQL) as soon as the client has its answer, without waiting.
 */
class TrailRecordsIT {

    private static final String NIK = "1404015708900001";        // a resident of Pelalawan, born 17-08-1990, female
    private static final String NIK_MASKED = "140401**********";
    private static final String NIP = "197805122005012003";      // the official on whose behalf the Puskesmas asks

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
    }

    // ------------------------------------------------------------------------------------------- served

    @Test
    void servedCallIsRecordedWithItsParticularsMaskedAndTheDigestOfWhatTheClientReceived() throws Exception {
        String cid = cid("ok");
        byte[] answer = ("{\"nik\":\"" + NIK + "\",\"nama_lengkap\":\"Siti Rahmawati\",\"kecamatan\":\"Pangkalan Kerinci\"}")
                .getBytes(StandardCharsets.UTF_8);
        wm.stubFor(get(urlPathEqualTo("/penduduk/" + NIK)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(answer)));
        Instant before = Instant.now().minusMillis(1);

        HttpResponse<byte[]> r = gw.http().send(gw.request("/api/it/penduduk/" + NIK + "?nik=" + NIK
                        + "&email=siti.rahmawati%40pelalawankab.go.id&hp=081234567890&tahun=2024")
                .header("Authorization", "Bearer " + gw.token("dinkes-simpus"))
                .header("X-Correlation-Id", cid)
                .header("X-User-Id", NIP)
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(answer);
        Row rec = onlyRecordOf(cid);
        assertThat(rec.string("kind")).isEqualTo("call");
        assertThat(rec.string("node")).isEqualTo(PostgresGateway.NODE);
        assertThat(rec.number("status")).isEqualTo(200);
        assertThat(rec.number("upstream_status")).isEqualTo(200);
        assertThat(rec.get("error_code")).isNull();
        assertThat(rec.string("client_id")).isEqualTo("dinkes-simpus");
        assertThat(rec.string("client_opd")).isEqualTo("dinkes");
        assertThat(rec.string("user_id")).isEqualTo(NIP);
        assertThat(rec.string("route_id")).isEqualTo("it-penduduk");
        assertThat(rec.number("route_version")).isNotNull().isPositive();
        assertThat(rec.string("owner_opd")).isEqualTo("disdukcapil");
        assertThat(rec.string("method")).isEqualTo("GET");
        assertThat(rec.string("path")).isEqualTo("/api/it/penduduk/" + NIK_MASKED);
        assertThat(rec.string("query")).isEqualTo("nik=***&email=***%40pelalawankab.go.id&hp=***PHONE***&tahun=2024");
        assertThat(rec.number("request_bytes")).isZero();
        assertThat(rec.get("request_sha256")).isNull();
        assertThat(rec.number("response_bytes")).isEqualTo(r.body().length);
        assertThat(rec.string("response_sha256")).isEqualTo(sha256(r.body()));
        assertThat(rec.number("duration_ms")).isNotNull().isNotNegative();
        assertThat(rec.number("upstream_duration_ms")).isNotNull().isNotNegative();
        assertThat((Instant) rec.get("request_at")).isAfter(before).isBeforeOrEqualTo((Instant) rec.get("response_at"));
        assertThat(rec.string("hash")).hasSize(64);
        assertNothingPersonal(rec);
    }

    @Test
    void bodySentIsRecordedBySizeAndDigest() throws Exception {
        String cid = cid("post");
        byte[] sent = ("{\"nik\":\"" + NIK + "\",\"nama\":\"Siti Rahmawati\",\"layanan\":\"rujukan RSUD Selasih\"}")
                .getBytes(StandardCharsets.UTF_8);
        wm.stubFor(post(urlPathEqualTo("/penduduk/rujukan")).willReturn(aResponse().withStatus(201).withBody("{\"id\":77}")));

        HttpResponse<byte[]> r = gw.http().send(gw.request("/api/it/penduduk/rujukan")
                .header("Authorization", "Bearer " + gw.token("dinkes-simpus"))
                .header("X-Correlation-Id", cid)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(sent)).build(), HttpResponse.BodyHandlers.ofByteArray());

        assertThat(r.statusCode()).isEqualTo(201);
        Row rec = onlyRecordOf(cid);
        assertThat(rec.number("status")).isEqualTo(201);
        assertThat(rec.string("method")).isEqualTo("POST");
        assertThat(rec.get("query")).isNull();
        assertThat(rec.number("request_bytes")).isEqualTo(sent.length);
        assertThat(rec.string("request_sha256")).isEqualTo(sha256(sent));
        assertThat(rec.number("response_bytes")).isEqualTo(r.body().length);
        assertThat(rec.string("response_sha256")).isEqualTo(sha256(r.body()));
    }

    @Test
    void streamedAnswerIsRecordedWhole() throws Exception {
        String cid = cid("big");
        byte[] answer = new byte[200_000]; // many times the gateway's 16 KiB buffer: streamed, its end held back
        new Random(1404).nextBytes(answer);
        wm.stubFor(get(urlPathEqualTo("/svc/arsip/kk")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/octet-stream").withBody(answer)));

        HttpResponse<byte[]> r = gw.http().send(gw.request("/api/it/echo/arsip/kk")
                .header("Authorization", "Bearer " + gw.token("dinkes-simpus"))
                .header("X-Correlation-Id", cid).GET().build(), HttpResponse.BodyHandlers.ofByteArray());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).hasSize(answer.length);
        Row rec = onlyRecordOf(cid);
        assertThat(rec.string("route_id")).isEqualTo("it-echo");
        assertThat(rec.number("response_bytes")).isEqualTo(r.body().length);
        assertThat(rec.string("response_sha256")).isEqualTo(sha256(r.body()));
    }

    @Test
    void upstreamErrorAnswerIsRecordedWithItsStatus() throws Exception {
        String cid = cid("up404");
        wm.stubFor(get(urlPathEqualTo("/penduduk/" + NIK)).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json").withBody("{\"pesan\":\"NIK tidak ditemukan\"}")));

        HttpResponse<String> r = send("dinkes-simpus", "/api/it/penduduk/" + NIK, cid);

        assertThat(r.statusCode()).isEqualTo(404);
        Row rec = onlyRecordOf(cid);
        assertThat(rec.number("status")).isEqualTo(404);
        assertThat(rec.number("upstream_status")).isEqualTo(404);
        assertThat(rec.get("error_code")).as("the upstream's own answer is not a gateway error").isNull();
        assertDigestOfWhatTheClientReceived(rec, r);
    }

    // ------------------------------------------------------------------------------------------- refused and failed

    @Test
    void callWithoutATokenIsRecordedAs401() throws Exception {
        String cid = cid("401");
        HttpResponse<String> r = send(null, "/api/it/penduduk/" + NIK + "?nik=" + NIK, cid);

        assertProblem(r, 401, "INVALID_TOKEN");
        Row rec = onlyRecordOf(cid);
        assertThat(rec.number("status")).isEqualTo(401);
        assertThat(rec.string("error_code")).isEqualTo("INVALID_TOKEN");
        assertThat(rec.get("client_id")).isNull();
        assertThat(rec.get("client_opd")).isNull();
        assertThat(rec.get("route_id")).as("refused before the route was looked up").isNull();
        assertThat(rec.get("upstream_status")).isNull();
        assertThat(rec.string("method")).isEqualTo("GET");
        assertThat(rec.string("path")).isEqualTo("/api/it/penduduk/" + NIK_MASKED);
        assertThat(rec.string("query")).doesNotContain(NIK).startsWith("nik=");
        assertDigestOfWhatTheClientReceived(rec, r);
        assertThat(wm.getAllServeEvents()).as("requests the upstream received").isEmpty();
        assertNothingPersonal(rec);
    }

    @Test
    void clientNotOnTheAccessListIsRecordedAs403() throws Exception {
        String cid = cid("403");
        HttpResponse<String> r = send("bapenda-sipd", "/api/it/penduduk/" + NIK + "?nik=" + NIK + "&tahun=2024", cid);

        assertProblem(r, 403, "ACCESS_DENIED");
        Row rec = onlyRecordOf(cid);
        assertThat(rec.number("status")).isEqualTo(403);
        assertThat(rec.string("error_code")).isEqualTo("ACCESS_DENIED");
        assertThat(rec.string("client_id")).isEqualTo("bapenda-sipd");
        assertThat(rec.string("client_opd")).isEqualTo("bapenda");
        assertThat(rec.string("route_id")).isEqualTo("it-penduduk");
        assertThat(rec.string("owner_opd")).isEqualTo("disdukcapil");
        assertThat(rec.get("upstream_status")).isNull();
        assertThat(rec.string("path")).isEqualTo("/api/it/penduduk/" + NIK_MASKED);
        assertThat(rec.string("query")).isEqualTo("nik=***&tahun=2024");
        assertDigestOfWhatTheClientReceived(rec, r);
        assertThat(wm.getAllServeEvents()).as("requests the upstream received").isEmpty();
    }

    @Test
    void pathNoRouteServesIsRecordedAs404() throws Exception {
        String cid = cid("404");
        HttpResponse<String> r = send("dinkes-simpus", "/api/it/tidak-ada/" + NIK + "?cari=" + NIK, cid);

        assertProblem(r, 404, "ROUTE_NOT_FOUND");
        Row rec = onlyRecordOf(cid);
        assertThat(rec.number("status")).isEqualTo(404);
        assertThat(rec.string("error_code")).isEqualTo("ROUTE_NOT_FOUND");
        assertThat(rec.string("client_id")).isEqualTo("dinkes-simpus");
        assertThat(rec.get("route_id")).isNull();
        assertThat(rec.string("path")).isEqualTo("/api/it/tidak-ada/" + NIK_MASKED);
        assertThat(rec.string("query")).isEqualTo("cari=" + NIK_MASKED);
        assertDigestOfWhatTheClientReceived(rec, r);
    }

    @Test
    void unreachableUpstreamIsRecordedAs502() throws Exception {
        String cid = cid("502");
        HttpResponse<String> r = send("dinkes-simpus", "/api/it/down/" + NIK, cid);

        assertProblem(r, 502, "UPSTREAM_UNAVAILABLE");
        Row rec = onlyRecordOf(cid);
        assertThat(rec.number("status")).isEqualTo(502);
        assertThat(rec.string("error_code")).isEqualTo("UPSTREAM_UNAVAILABLE");
        assertThat(rec.string("client_id")).isEqualTo("dinkes-simpus");
        assertThat(rec.string("route_id")).isEqualTo("it-down");
        assertThat(rec.get("upstream_status")).isNull();
        assertThat(rec.string("path")).isEqualTo("/api/it/down/" + NIK_MASKED);
        assertDigestOfWhatTheClientReceived(rec, r);
    }

    @Test
    void everyOutcomeLeavesExactlyOneRecordAndTheNodesChainVerifies() throws Exception {
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("ok")));
        Map<String, Integer> expected = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            expected.put(send("dinkes-simpus", "/api/it/echo/x" + i, cid("mix")).headers()
                    .firstValue("X-Correlation-Id").orElseThrow(), 200);
            expected.put(send(null, "/api/it/echo/x" + i, cid("mix")).headers()
                    .firstValue("X-Correlation-Id").orElseThrow(), 401);
            expected.put(send("bapenda-sipd", "/api/it/echo/x" + i, cid("mix")).headers()
                    .firstValue("X-Correlation-Id").orElseThrow(), 403);
            expected.put(send("dinkes-simpus", "/api/it/nowhere/x" + i, cid("mix")).headers()
                    .firstValue("X-Correlation-Id").orElseThrow(), 404);
            expected.put(send("dinkes-simpus", "/api/it/down/x" + i, cid("mix")).headers()
                    .firstValue("X-Correlation-Id").orElseThrow(), 502);
        }
        for (Map.Entry<String, Integer> e : expected.entrySet()) {
            assertThat(onlyRecordOf(e.getKey()).number("status")).as("status recorded for %s", e.getKey())
                    .isEqualTo(e.getValue().longValue());
        }

        List<Row> chain;
        try (Connection c = pg.connect(PostgresGateway.DATABASE)) {
            chain = TrailRows.ofNode(c, PostgresGateway.NODE);
        }
        TrailRows.Verdict verdict = TrailRows.verify(chain);
        assertThat(verdict.valid()).as("verification of node %s: %s", PostgresGateway.NODE, verdict).isTrue();
        assertThat(verdict.checked()).isEqualTo(chain.size());
        assertThat(chain).extracting(row -> row.number("node_seq"))
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, chain.size()).boxed().toList());
    }

    /**
     * A call refused before its route is known (401) is masked with the rules of the route its path leads
     * to: a query parameter the route names for masking, or an e-mail address it masks by shape, is not
     * stored as sent.
     */
    @Test
    void callRefusedBeforeRoutingIsMaskedByTheRoutesRules() throws Exception {
        String cid = cid("401mask");
        HttpResponse<String> r = send(null, "/api/it/penduduk/cari?nik=140401570890&email=siti.rahmawati%40pelalawankab.go.id", cid);

        assertProblem(r, 401, "INVALID_TOKEN");
        Row rec = onlyRecordOf(cid);
        assertThat(rec.string("query")).as("stored query").doesNotContain("140401570890").doesNotContain("siti.rahmawati");
    }

    /** An attempt to read the trail without the auditor role is itself on the trail, before it is refused. */
    @Test
    void aRefusedAttemptToReadTheTrailIsRecorded() throws Exception {
        String cid = cid("peek");
        HttpResponse<String> r = send("dinkes-simpus", "/audit/records?client=bapenda-sipd", cid);

        assertProblem(r, 403, "ACCESS_DENIED");
        Row rec = onlyRecordOf(cid);
        assertThat(rec.string("kind")).isEqualTo("trail-read");
        assertThat(rec.number("status")).isEqualTo(403);
        assertThat(rec.string("error_code")).isEqualTo("ACCESS_DENIED");
        assertThat(rec.string("client_id")).isEqualTo("dinkes-simpus");
        assertThat(rec.string("path")).isEqualTo("/audit/records");
        assertThat(rec.string("query")).isEqualTo("client=bapenda-sipd");
    }

    /**
     * A hostile path on the auditors' API is refused with 400 by the gateway's filter, before any token is
     * looked at; it is still an attempt to read the trail, recorded as one, with or without a token.
     */
    @Test
    void aHostilePathOnTheAuditorsApiIsRecordedAsARefusedReading() throws Exception {
        for (String client : new String[] {null, "inspektorat-audit"}) {
            String cid = cid("hostile-audit");
            RawHttp.Response r = RawHttp.send(gw.port(), "GET /audit/records/%2e%2e/x?nik=" + NIK + " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + gw.port() + "\r\n"
                    + (client == null ? "" : "Authorization: Bearer " + gw.token(client) + "\r\n")
                    + "X-Correlation-Id: " + cid + "\r\n"
                    + "Connection: close\r\n\r\n");

            assertThat(r.status()).as("with token: %s", client).isEqualTo(400);
            assertThat(r.bodyText()).contains("BAD_REQUEST").contains("refused request path");
            Row rec = onlyRecordOf(cid);
            assertThat(rec.string("kind")).isEqualTo("trail-read");
            assertThat(rec.number("status")).isEqualTo(400);
            assertThat(rec.string("error_code")).isEqualTo("BAD_REQUEST");
            assertThat(rec.string("method")).isEqualTo("GET");
            assertThat(rec.string("path")).startsWith("/audit/records/").endsWith("/x");
            assertThat(rec.string("query")).as("masked like every reading's").isEqualTo("nik=" + NIK_MASKED);
            assertThat(rec.string("detail")).contains("\"action\":\"refused\"").contains("dot segment");
        }
    }

    /** A hostile path aimed at the route registry is a refused attempt to change it. */
    @Test
    void aHostilePathOnTheAdminApiIsRecordedAsARefusedRouteChange() throws Exception {
        String cid = cid("hostile-admin");
        RawHttp.Response r = RawHttp.send(gw.port(), "DELETE /admin/routes/%2e%2e/it HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + gw.port() + "\r\n"
                + "X-Correlation-Id: " + cid + "\r\n"
                + "Connection: close\r\n\r\n");

        assertThat(r.status()).isEqualTo(400);
        Row rec = onlyRecordOf(cid);
        assertThat(rec.string("kind")).isEqualTo("route-change");
        assertThat(rec.number("status")).isEqualTo(400);
        assertThat(rec.string("method")).isEqualTo("DELETE");
    }

    // ------------------------------------------------------------------------------------------- helpers

    private static String cid(String what) {
        return "trail-" + what + "-" + UUID.randomUUID();
    }

    private static HttpResponse<String> send(String clientId, String path, String cid) throws Exception {
        HttpRequest.Builder b = gw.request(path).header("X-Correlation-Id", cid);
        if (clientId != null) {
            b.header("Authorization", "Bearer " + gw.token(clientId));
        }
        HttpResponse<String> r = gw.send(b.GET().build());
        assertThat(r.headers().firstValue("X-Correlation-Id")).as("correlation id kept").contains(cid);
        return r;
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

    /** {@code responseBytes} and {@code responseSha256} are those of the body the client received, problem documents included. */
    private static void assertDigestOfWhatTheClientReceived(Row rec, HttpResponse<String> r) throws Exception {
        byte[] received = r.body().getBytes(StandardCharsets.UTF_8);
        assertThat(rec.number("response_bytes")).as("responseBytes").isEqualTo(received.length);
        assertThat(rec.string("response_sha256")).as("responseSha256").isEqualTo(sha256(received));
    }

    private static void assertNothingPersonal(Row rec) {
        for (Map.Entry<String, Object> e : rec.columns().entrySet()) {
            if (e.getValue() instanceof String s && !e.getKey().equals("user_id")) {
                assertThat(s).as("column %s", e.getKey()).doesNotContain(NIK).doesNotContain("siti.rahmawati")
                        .doesNotContain("081234567890");
            }
        }
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
