package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static id.gerbang.it.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.Postgres;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two gateway nodes on one PostgreSQL enforce one rate-limit budget: a client calling both at once, from
 * several threads, is admitted at most the budget in all (the contract allows one more per node; the design
 * admits none more), and at least the budget less what one node may hold unspent (docs/policies.md).
 */
class RateLimitAcrossNodesIT {

    private static final String DATABASE = "it_budget";
    /** it-limited: {@code rateLimit: {requests: 64, perSeconds: 86400}}. */
    private static final int BUDGET = 64;
    /** What one node may hold unspent: its largest slice, max(1, 64 / 16). */
    private static final int SLICE = 4;

    private static Gateway first;
    private static Gateway second;
    private static Postgres pg;

    @BeforeAll
    static void nodes() throws Exception {
        pg = Postgres.get();
        pg.createDatabase(DATABASE);
        List<String> a = new ArrayList<>(pg.gatewayArgs(DATABASE));
        a.add("--gerbang.node=it-budget-1");
        first = Gateway.start("gateway-budget-1", a);
        List<String> b = new ArrayList<>(pg.gatewayArgs(DATABASE));
        b.add("--gerbang.node=it-budget-2");
        second = Gateway.start("gateway-budget-2", b);
    }

    @AfterAll
    static void stop() {
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
    }

    @Test
    void aClientCallingBothNodesAtOnceIsAdmittedOneBudgetInAll() throws Exception {
        for (Gateway g : List.of(first, second)) { // either may be the route's upstream (one registry)
            g.upstream().stubFor(get(urlPathMatching("/limited/.*")).willReturn(aResponse().withStatus(200).withBody("{}")));
        }
        // each node has its own issuer: a token from each, for the same client id
        String[] tokens = {first.token("dinkes-simpus"), second.token("dinkes-simpus")};
        Gateway[] nodes = {first, second};
        long day = Instant.now().getEpochSecond() / 86_400;

        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<List<HttpResponse<String>>>> work = new ArrayList<>();
        try {
            for (int t = 0; t < 8; t++) {
                int thread = t;
                work.add(clients.submit(() -> {
                    List<HttpResponse<String>> mine = new ArrayList<>();
                    for (int i = 0; i < 20; i++) { // 160 calls in all, alternating nodes
                        int n = (thread + i) % 2;
                        mine.add(nodes[n].send(nodes[n].request("/api/it/limited/" + thread + "-" + i)
                                .header("Authorization", "Bearer " + tokens[n]).GET().build()));
                    }
                    return mine;
                }));
            }
            List<HttpResponse<String>> all = new ArrayList<>();
            for (Future<List<HttpResponse<String>>> f : work) {
                all.addAll(f.get());
            }
            Assumptions.assumeTrue(Instant.now().getEpochSecond() / 86_400 == day, "the budget period (a UTC day) changed mid-test");

            List<HttpResponse<String>> admitted = all.stream().filter(r -> r.statusCode() == 200).toList();
            List<HttpResponse<String>> refused = all.stream().filter(r -> r.statusCode() != 200).toList();
            assertThat(admitted.size()).as("calls admitted by both nodes together").isBetween(BUDGET - SLICE, BUDGET);
            for (HttpResponse<String> r : refused) {
                assertProblem(r, 429, "RATE_LIMITED");
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
            }
            long reachedUpstreams = first.upstream().getAllServeEvents().size() + second.upstream().getAllServeEvents().size();
            assertThat(reachedUpstreams).isEqualTo(admitted.size());
            // both nodes share one registry: the route's upstream is the one the node started last applied,
            // so which WireMock served says nothing; which node answered does
            assertThat(admitted).as("node 1 admitted some").anySatisfy(r -> assertThat(r.uri().getPort()).isEqualTo(first.port()));
            assertThat(admitted).as("node 2 admitted some").anySatisfy(r -> assertThat(r.uri().getPort()).isEqualTo(second.port()));
            try (Connection c = pg.connect(DATABASE); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT used FROM rate_limit_budget WHERE route_id = 'it-limited' "
                            + "AND client_id = 'dinkes-simpus'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).as("the shared row: leased by the nodes together").isEqualTo(BUDGET);
            }
        } finally {
            clients.shutdownNow();
        }
    }
}
