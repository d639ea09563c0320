package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static id.gerbang.it.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.Postgres;
import id.gerbang.it.support.PostgresGateway;
import id.gerbang.it.support.TrailRows;
import id.gerbang.it.support.TrailRows.Row;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway's database goes away while it runs (the embedded PostgreSQL is stopped): calls get 503
 * AUDIT_UNAVAILABLE, never a 2xx, and nothing of the upstream's answer; when the database is back (same
 * data, same port), calls are served again and the node's chain goes on without a gap.
 */
class TrailUnavailableIT {

    /** Only so that a stuck recovery fails the test instead of the build: not a performance bound. */
    private static final Duration RECOVERY_GUARD = Duration.ofSeconds(60);
    private static final String SECRET = "RAHASIA-DATA-PENDUDUK";

    private static Gateway gw;
    private static WireMockServer wm;
    private static Postgres pg;

    @BeforeAll
    static void gateway() throws Exception {
        gw = PostgresGateway.get();
        wm = gw.upstream();
        pg = Postgres.get();
    }

    @Test
    void whileTheDatabaseIsDownCallsGet503AuditUnavailableAndNothingOfTheAnswerThenServedAgain() throws Exception {
        wm.resetAll();
        byte[] big = new byte[300_000]; // streamed: longer than the gateway's buffer
        Arrays.fill(big, (byte) 'x');
        System.arraycopy(SECRET.getBytes(), 0, big, 0, SECRET.length());
        wm.stubFor(get(urlPathMatching("/svc/pajak/.*")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withHeader("X-Upstream-Session", "sess-77")
                .withBody("{\"npwp\":\"01.234.567.8-901.000\",\"status\":\"" + SECRET + "\"}")));
        wm.stubFor(get(urlPathMatching("/svc/berkas/.*")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/octet-stream").withBody(big)));
        String token = gw.token("dinkes-simpus");
        assertThat(call("/api/it/echo/pajak/before", token, cid("before")).statusCode()).as("control, before").isEqualTo(200);

        List<String> refused = new ArrayList<>();
        int upstreamCallsBefore = wm.getAllServeEvents().size();
        pg.stop();
        try {
            // an answer that fits in one buffer: a clean 503, with nothing of the upstream's answer on it
            String small = cid("down-small");
            HttpResponse<String> r = call("/api/it/echo/pajak/down", token, small);
            assertProblem(r, 503, "AUDIT_UNAVAILABLE");
            assertThat(r.body()).doesNotContain(SECRET).doesNotContain("npwp");
            assertThat(r.headers().firstValue("X-Upstream-Session")).as("the upstream's headers").isEmpty();
            refused.add(small);

            // a refusal the gateway would record (401) cannot be recorded either: 503 instead
            String unauthenticated = cid("down-401");
            assertProblem(call("/api/it/echo/pajak/down", null, unauthenticated), 503, "AUDIT_UNAVAILABLE");
            refused.add(unauthenticated);

            // an answer that streams: the gateway may have begun it, but never completes it
            String streamed = cid("down-big");
            try {
                HttpResponse<byte[]> b = gw.http().send(gw.request("/api/it/echo/berkas/down")
                        .header("Authorization", "Bearer " + token).header("X-Correlation-Id", streamed).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(b.statusCode()).as("a complete answer to a streamed call while the trail is down").isEqualTo(503);
                assertThat(new String(b.body())).doesNotContain(SECRET);
            } catch (IOException cutOff) {
                // the connection was cut before the end: the client holds no complete answer
            }
            refused.add(streamed);

            // and again, after the writer has been failing for a while
            String again = cid("down-again");
            assertProblem(call("/api/it/echo/pajak/again", token, again), 503, "AUDIT_UNAVAILABLE");
            refused.add(again);
        } finally {
            pg.start();
        }
        int upstreamCallsDuringOutage = wm.getAllServeEvents().size() - upstreamCallsBefore;
        System.out.printf("TrailUnavailableIT: the upstream was called %d times while the trail was down%n",
                upstreamCallsDuringOutage);

        // served again once the pool has reconnected (bounded wait; every attempt is itself checked)
        List<String> served = new ArrayList<>();
        AtomicInteger attempts = new AtomicInteger();
        await("served again").atMost(RECOVERY_GUARD).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    String id = cid("recovering");
                    HttpResponse<String> r = call("/api/it/echo/pajak/back", token, id);
                    attempts.incrementAndGet();
                    if (r.statusCode() == 200) {
                        served.add(id);
                        return true;
                    }
                    assertProblem(r, 503, "AUDIT_UNAVAILABLE");
                    refused.add(id);
                    return false;
                });
        for (int i = 0; i < 3; i++) {
            String id = cid("after");
            HttpResponse<String> r = call("/api/it/echo/pajak/after", token, id);
            assertThat(r.statusCode()).as("served after recovery: %s", r.body()).isEqualTo(200);
            assertThat(r.body()).contains(SECRET);
            served.add(id);
        }
        System.out.printf("TrailUnavailableIT: served again after %d attempt(s)%n", attempts.get());

        try (Connection c = pg.connect(PostgresGateway.DATABASE)) {
            for (String id : served) {
                assertThat(TrailRows.select(c, "correlation_id = ?", id)).as("records of served call %s", id).hasSize(1);
            }
            List<Row> lateRecordsOfRefusedCalls = new ArrayList<>();
            for (String id : refused) {
                lateRecordsOfRefusedCalls.addAll(TrailRows.select(c, "correlation_id = ?", id));
            }
            System.out.printf("TrailUnavailableIT: %d of %d refused calls were recorded after all: %s%n",
                    lateRecordsOfRefusedCalls.size(), refused.size(), lateRecordsOfRefusedCalls.stream()
                            .map(row -> row.string("correlation_id") + " status " + row.get("status") + " error "
                                    + row.get("error_code")).toList());
            List<Row> chain = TrailRows.ofNode(c, PostgresGateway.NODE);
            assertThat(chain).extracting(row -> row.number("node_seq")).as("no gap in node %s", PostgresGateway.NODE)
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, chain.size()).boxed().toList());
            TrailRows.Verdict verdict = TrailRows.verify(chain);
            assertThat(verdict.valid()).as("verification: %s", verdict).isTrue();
        }
    }

    /**
     * What the trail says afterwards about calls refused while it was down: a call refused with 503 because
     * its record was not committed is never recorded later as served (a record still waiting is withdrawn,
     * one already in a transaction decides the answer), and a streamed call whose record fails is not
     * recorded a second time.
     */
    @Test
    void callsRefusedForWantOfTheirRecordAreNeverRecordedAsServedNorTwice() throws Exception {
        wm.resetAll();
        byte[] big = new byte[300_000];
        wm.stubFor(get(urlPathMatching("/svc/pajak/.*")).willReturn(aResponse().withStatus(200).withBody("{}")));
        wm.stubFor(get(urlPathMatching("/svc/berkas/.*")).willReturn(aResponse().withStatus(200).withBody(big)));
        String token = gw.token("dinkes-simpus");
        assertThat(call("/api/it/echo/pajak/warm", token, cid("warm")).statusCode()).isEqualTo(200);
        List<String> refused = new ArrayList<>();
        pg.stop();
        try {
            for (int i = 0; i < 2; i++) {
                String id = cid("refused");
                assertProblem(call("/api/it/echo/pajak/down", token, id), 503, "AUDIT_UNAVAILABLE");
                refused.add(id);
                String streamed = cid("refused-big");
                try {
                    gw.http().send(gw.request("/api/it/echo/berkas/down").header("Authorization", "Bearer " + token)
                            .header("X-Correlation-Id", streamed).GET().build(), HttpResponse.BodyHandlers.discarding());
                } catch (IOException cutOff) {
                    // expected: cut before its end
                }
                refused.add(streamed);
            }
        } finally {
            pg.start();
        }
        await("served again").atMost(RECOVERY_GUARD).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(250))
                .until(() -> call("/api/it/echo/pajak/back", token, cid("back")).statusCode() == 200);
        List<String> wrong = new ArrayList<>();
        try (Connection c = pg.connect(PostgresGateway.DATABASE)) {
            for (String id : refused) {
                List<Row> rows = TrailRows.select(c, "correlation_id = ?", id);
                if (rows.size() > 1) {
                    wrong.add(id + ": " + rows.size() + " records");
                }
                for (Row row : rows) {
                    if (row.number("status") / 100 == 2) {
                        wrong.add(id + ": recorded with status " + row.get("status") + ", error " + row.get("error_code")
                                + ", but answered 503 or cut off");
                    }
                }
            }
        }
        assertThat(wrong).as("records of calls refused while the trail was down").isEmpty();
    }

    private static String cid(String what) {
        return "unavail-" + what + "-" + UUID.randomUUID();
    }

    private static HttpResponse<String> call(String path, String token, String cid) throws Exception {
        var b = gw.request(path).header("X-Correlation-Id", cid);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return gw.send(b.GET().build());
    }
}
