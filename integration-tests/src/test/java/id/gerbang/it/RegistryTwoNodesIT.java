package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static id.gerbang.it.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.sun.net.httpserver.HttpServer;
import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.Postgres;
import id.gerbang.it.support.TrailRows;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two gateway nodes on loopback over one real PostgreSQL: a change made through either is served by the
 * other without a restart, a route deleted while a slow call is in flight lets that call finish, and
 * concurrent writers get 412 rather than lose an update. Each node has its own token issuer, so each is
 * called with its own tokens.
 */
class RegistryTwoNodesIT {

    /**
     * How long a test waits for the other node: generous, since it only bounds the test. The 2 seconds of
     * docs/routes.md ("How a change reaches every node") follow from the poll interval, not from a timing here.
     */
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final AtomicInteger ROUTES = new AtomicInteger();

    static Gateway a;
    static Gateway b;
    static WireMockServer upstream;
    String id;
    String path;

    @BeforeAll
    static void twoNodes() throws Exception {
        Postgres pg = Postgres.get();
        pg.createDatabase("it_registry");
        List<String> shared = new ArrayList<>(pg.gatewayArgs("it_registry"));
        shared.add("--gerbang.trail.nodes=node-a,node-b"); // both write the trail either verifies
        // several nodes trust each other's checkpoint keys through one trusted-keys file (docs/operations.md)
        Path dir = Files.createTempDirectory(Gateway.targetDir(), "registry-keys-");
        Path trustedKeys = dir.resolve("trusted.keys");
        Files.writeString(trustedKeys, TrailRows.newSigningKey(dir.resolve("trail-node-a.key"), "gerbang/node-a") + "\n"
                + TrailRows.newSigningKey(dir.resolve("trail-node-b.key"), "gerbang/node-b") + "\n");
        shared.add("--gerbang.trail.trusted-keys=" + trustedKeys);
        a = Gateway.start("node-a", with(shared, "--gerbang.node=node-a",
                "--gerbang.trail.signing-key-file=" + dir.resolve("trail-node-a.key")));
        b = Gateway.start("node-b", with(shared, "--gerbang.node=node-b",
                "--gerbang.trail.signing-key-file=" + dir.resolve("trail-node-b.key")));
        upstream = a.upstream();
    }

    private static List<String> with(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return all;
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    @BeforeEach
    void freshRoute() {
        upstream.resetAll();
        upstream.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("served")));
        id = "two-nodes-" + ROUTES.incrementAndGet();
        path = "/two-nodes/" + id;
    }

    private String yaml(String upstreamPath) {
        return """
                id: %s
                owner: dinkes
                path: %s
                methods: [GET]
                upstream:
                  url: %s%s
                  timeoutMs: 20000
                access:
                  opds: [dinkes]
                """.formatted(id, path, upstream.baseUrl(), upstreamPath);
    }

    private static HttpResponse<String> admin(Gateway node, String method, String adminPath, String body, String... headers)
            throws Exception {
        HttpRequest.Builder r = node.request(adminPath).header("Authorization", "Bearer " + node.token("gerbang-admin"))
                .header("Content-Type", "application/yaml");
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return node.send(r.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** Calls the route on {@code node} until {@code expected} answers. */
    private void awaitStatus(Gateway node, String rest, int expected) {
        await("the node answers " + expected).atMost(PATIENCE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                .until(() -> node.get("/api" + path + rest, "dinkes-simpus").statusCode(), s -> s == expected);
    }

    @Test
    void aRouteCreatedChangedAndDeletedThroughOneNodeIsServedSoByTheOther() throws Exception {
        assertThat(admin(a, "PUT", "/admin/routes/" + id, yaml("/v1")).statusCode()).isEqualTo(201);
        awaitStatus(b, "/1", 200);

        upstream.stubFor(any(urlPathMatching("/v2/.*")).willReturn(aResponse().withStatus(299).withBody("v2")));
        assertThat(admin(b, "PUT", "/admin/routes/" + id, yaml("/v2"), "If-Match", "\"1\"").statusCode()).isEqualTo(200);
        awaitStatus(a, "/2", 299);

        assertThat(admin(a, "DELETE", "/admin/routes/" + id, null).statusCode()).isEqualTo(204);
        awaitStatus(b, "/3", 404);
    }

    @Test
    void aRouteDeletedWhileASlowCallIsInFlightLetsThatCallFinish() throws Exception {
        // an upstream that holds its answer until the test lets it go, and says when a call has arrived
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpServer slowUpstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        slowUpstream.setExecutor(Executors.newCachedThreadPool());
        slowUpstream.createContext("/", exchange -> {
            byte[] body = "slow answer".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (exchange.getRequestURI().getPath().endsWith("/in-flight")) {
                arrived.countDown();
                try {
                    release.await(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        slowUpstream.start();
        try {
            String slowRoute = yaml("").replace(upstream.baseUrl(), "http://127.0.0.1:" + slowUpstream.getAddress().getPort() + "/slow");
            assertThat(admin(a, "PUT", "/admin/routes/" + id, slowRoute).statusCode()).isEqualTo(201);
            awaitStatus(b, "/warm", 200);

            CompletableFuture<HttpResponse<String>> slow = b.http().sendAsync(b.request("/api" + path + "/in-flight")
                    .header("Authorization", "Bearer " + b.token("dinkes-simpus")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(arrived.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the call reached the upstream").isTrue();
            assertThat(admin(a, "DELETE", "/admin/routes/" + id, null).statusCode()).isEqualTo(204);
            awaitStatus(b, "/after", 404);
            assertThat(slow.isDone()).as("the call is still in flight after node B stopped serving the route").isFalse();
            release.countDown();

            HttpResponse<String> finished = slow.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(finished.statusCode()).isEqualTo(200);
            assertThat(finished.body()).isEqualTo("slow answer");
            assertProblem(b.get("/api" + path + "/later", "dinkes-simpus"), 404, "ROUTE_NOT_FOUND");
        } finally {
            release.countDown();
            slowUpstream.stop(0);
        }
    }

    @Test
    void concurrentWritersThroughBothNodesGetOneChangeAndPreconditionFailedNotALostUpdate() throws Exception {
        admin(a, "PUT", "/admin/routes/" + id, yaml("/v0"));
        int writers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            Gateway node = i % 2 == 0 ? a : b;
            String body = yaml("/writer-" + i);
            node.token("gerbang-admin");
            answers.add(pool.submit(() -> {
                go.await();
                return admin(node, "PUT", "/admin/routes/" + id, body, "If-Match", "\"1\"");
            }));
        }
        go.countDown();
        List<Integer> statuses = new ArrayList<>();
        String winner = null;
        for (Future<HttpResponse<String>> f : answers) {
            HttpResponse<String> r = f.get();
            statuses.add(r.statusCode());
            if (r.statusCode() == 200) {
                winner = Gateway.json(r.body()).path("definition").path("upstream").path("url").asText();
            } else {
                assertProblem(r, 412, "PRECONDITION_FAILED");
            }
        }
        pool.shutdown();

        assertThat(statuses).filteredOn(s -> s == 200).hasSize(1);
        assertThat(statuses).filteredOn(s -> s == 412).hasSize(writers - 1);
        JsonNode history = Gateway.json(admin(b, "GET", "/admin/routes/" + id + "/history", null).body());
        assertThat(history).hasSize(2);
        assertThat(history.get(1).path("definition").path("upstream").path("url").asText()).isEqualTo(winner);
    }

    @Test
    void changesMadeThroughEitherNodeAreOnTheTrailWithTheirNode() throws Exception {
        admin(a, "PUT", "/admin/routes/" + id, yaml("/v1"));
        admin(b, "PUT", "/admin/routes/" + id, yaml("/v2"), "If-Match", "\"1\"");

        HttpResponse<String> r = a.get("/audit/records?kind=route-change&route=" + id, "inspektorat-audit");

        JsonNode records = Gateway.json(r.body()).path("records");
        List<String> seen = new ArrayList<>();
        records.forEach(rec -> seen.add(rec.path("node").asText() + " v" + rec.path("routeVersion").asText()));
        assertThat(seen).as(r.body()).containsExactlyInAnyOrder("node-a v1", "node-b v2");
        assertThat(Gateway.json(a.get("/audit/verify", "inspektorat-audit").body()).path("valid").asBoolean()).isTrue();
    }
}
