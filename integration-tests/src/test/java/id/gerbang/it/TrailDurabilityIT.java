package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.Load;
import id.gerbang.it.support.Load.Outcome;
import id.gerbang.it.support.Postgres;
import id.gerbang.it.support.TrailRows;
import id.gerbang.it.support.TrailRows.Row;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The audit guarantee under load, on PostgreSQL: a node killed with SIGKILL loses no record of an answer a
 * client received, and a node stopped with SIGTERM finishes its calls in flight and their records. Eight
 * client threads call a WireMock-backed route, each call with its own correlation id; afterwards every
 * correlation id a client got a complete 2xx answer for is looked up in the node's trail.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrailDurabilityIT {

    static final int CLIENTS = 8;
    /** Answers the clients receive before the kill: the node is then busy, with calls and records in flight. */
    static final int LOAD_ANSWERS = 100;
    private static final String DATABASE = "it_durability";
    private static final String NODE = "it-durable";

    private static Gateway gw;
    private static WireMockServer wm;
    private static Postgres pg;
    private static String token;

    @BeforeAll
    static void gateway() throws Exception {
        pg = Postgres.get();
        pg.createDatabase(DATABASE);
        List<String> args = new ArrayList<>(pg.gatewayArgs(DATABASE));
        args.add("--gerbang.node=" + NODE);
        gw = Gateway.start("gateway-durable", args);
        wm = gw.upstream();
        token = gw.token("dinkes-simpus"); // the same key and issuer after a restart: it stays valid
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    @Order(1)
    void sigkillUnderLoadLosesNoRecordOfAnAnswerAClientReceived() throws Exception {
        wm.stubFor(get(urlPathMatching("/svc/load/.*")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"status\":\"terdaftar\"}")));

        List<Outcome> outcomes = killUnderLoad(gw, token, "kill", LOAD_ANSWERS);
        gw.restart(); // on the same database and node: its chain goes on from what was committed
        for (int i = 0; i < 3; i++) {
            assertThat(gw.send(gw.request("/api/it/echo/load/after-" + i)
                    .header("Authorization", "Bearer " + token).GET().build()).statusCode()).isEqualTo(200);
        }

        List<Row> chain;
        try (Connection c = pg.connect(DATABASE)) {
            chain = TrailRows.ofNode(c, NODE);
        }
        assertEveryServedCallHasExactlyOneRecord("SIGKILL on PostgreSQL", outcomes, chain);
        assertChainVerifies(chain);
    }

    @Test
    @Order(2)
    void sigtermUnderLoadFinishesCallsInFlightAndTheirRecords() throws Exception {
        if (!gw.isAlive()) {
            gw.restart();
        }
        wm.resetAll();
        // slow enough that every client has a call in flight when SIGTERM comes
        wm.stubFor(get(urlPathMatching("/svc/slow/.*")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"status\":\"diproses\"}")
                .withFixedDelay(300)));

        Load load = new Load(gw.port(), "/api/it/echo/slow/", token, "term", CLIENTS);
        List<Outcome> outcomes;
        long sigtermAt;
        int exit;
        try {
            awaitCalls(load, 5 * CLIENTS);
            sigtermAt = System.nanoTime();
            exit = gw.terminate(Duration.ofSeconds(60));
            long exitedAt = System.nanoTime();
            awaitEveryClientNotices(load, exitedAt);
        } finally {
            outcomes = load.stop();
        }
        List<Outcome> afterSigterm = outcomes.stream().filter(o -> o.endedNanos() >= sigtermAt).toList();
        System.out.printf("SIGTERM on PostgreSQL: exit code %d; all calls %s; calls ending after SIGTERM %s%n", exit,
                Load.summary(outcomes), Load.summary(afterSigterm));

        List<Row> chain;
        try (Connection c = pg.connect(DATABASE)) {
            chain = TrailRows.ofNode(c, NODE);
        }
        assertEveryServedCallHasExactlyOneRecord("SIGTERM on PostgreSQL", outcomes, chain);
        assertChainVerifies(chain);

        // calls the gateway had accepted and forwarded were in flight: each must have been answered whole
        Set<String> forwarded = wm.getAllServeEvents().stream().map(ServeEvent::getRequest)
                .map(r -> r.getHeader("X-Correlation-Id")).collect(Collectors.toSet());
        List<String> inFlightNotCompleted = outcomes.stream()
                .filter(o -> forwarded.contains(o.correlationId()) && !o.served())
                .map(o -> o.correlationId() + " -> " + o.kind()).toList();
        assertThat(inFlightNotCompleted).as("calls forwarded upstream whose client got no complete 2xx answer").isEmpty();
        List<String> cutOff = afterSigterm.stream()
                .filter(o -> o.failure() != null && !o.refusedConnection() && forwarded.contains(o.correlationId()))
                .map(o -> o.correlationId() + " -> " + o.kind()).toList();
        assertThat(cutOff).as("calls accepted before the shutdown whose connection was reset").isEmpty();
    }

    // ------------------------------------------------------------------------------------------- shared with the H2 variant

    /**
     * Puts {@code gateway} under load for {@code loadFor}, SIGKILLs it while the clients keep calling, and
     * returns how every call ended.
     */
    static List<Outcome> killUnderLoad(Gateway gateway, String token, String prefix, int answers) throws Exception {
        Load load = new Load(gateway.port(), "/api/it/echo/load/", token, prefix, CLIENTS);
        List<Outcome> outcomes;
        long killedAt;
        try {
            await("%d answers received".formatted(answers)).atMost(PATIENCE).until(() -> load.served() >= answers);
            killedAt = System.nanoTime();
            gateway.kill();
            awaitEveryClientNotices(load, killedAt);
        } finally {
            outcomes = load.stop();
        }
        List<Outcome> atTheKill = outcomes.stream().filter(o -> o.endedNanos() >= killedAt).toList();
        System.out.printf("%s: SIGKILL after %d calls; all calls %s; calls ending after the kill %s%n", prefix,
                outcomes.size(), Load.summary(outcomes), Load.summary(atTheKill));
        assertThat(outcomes.stream().filter(Outcome::served)).as("answers received before the kill").isNotEmpty();
        return outcomes;
    }

    static void assertEveryServedCallHasExactlyOneRecord(String what, List<Outcome> outcomes, List<Row> chain) {
        Map<String, Integer> records = new HashMap<>();
        for (Row r : chain) {
            records.merge(r.string("correlation_id"), 1, Integer::sum);
        }
        List<Outcome> served = outcomes.stream().filter(Outcome::served).toList();
        List<String> lost = served.stream().map(Outcome::correlationId).filter(id -> !records.containsKey(id)).toList();
        List<String> twice = served.stream().map(Outcome::correlationId).filter(id -> records.getOrDefault(id, 0) > 1).toList();
        long recordedNotServed = outcomes.stream().filter(o -> !o.served() && records.containsKey(o.correlationId())).count();
        System.out.printf("%s: %d answers received, %d lost, %d recorded twice; %d calls without a complete 2xx were"
                + " recorded (honest extras); %d records in the chain%n", what, served.size(), lost.size(), twice.size(),
                recordedNotServed, chain.size());
        assertThat(served).allSatisfy(o -> assertThat(o.answeredCorrelationId()).isEqualTo(o.correlationId()));
        assertThat(lost).as("%s: answers a client received that have no record (of %d)", what, served.size()).isEmpty();
        assertThat(twice).as("%s: answers recorded more than once", what).isEmpty();
    }

    static void assertChainVerifies(List<Row> chain) {
        assertThat(chain).extracting(row -> row.number("node_seq")).as("node_seq without a gap")
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, chain.size()).boxed().toList());
        TrailRows.Verdict verdict = TrailRows.verify(chain);
        assertThat(verdict.valid()).as("verification: %s", verdict).isTrue();
        assertThat(verdict.checked()).isEqualTo(chain.size());
    }

    /** How long a test waits for its load: generous, since it only bounds the test. */
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    private static void awaitCalls(Load load, int calls) {
        await("%d calls made".formatted(calls)).atMost(PATIENCE).until(() -> load.count() >= calls);
    }

    /** Waits until every client has had a connection refused since {@code nanos}: resets, then refusals. */
    private static void awaitEveryClientNotices(Load load, long nanos) {
        await("every client sees the node gone").atMost(PATIENCE).until(() -> load.everyClientRefusedSince(nanos));
    }
}
