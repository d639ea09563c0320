package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.GatewayTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Slow request bodies (a byte now and then) must not take a node down: no body is read before its caller
 * is authenticated, a body slower than the minimum data rate is cut off and recorded (and is not the
 * upstream's failure), and one route's slow callers hold at most that route's {@code maxConcurrent}
 * request threads. The answers are awaited with generous read timeouts and never timed: each test would
 * wait for its slow bodies to finish (hours) if the gateway read them.
 */
class SlowBodiesIT extends GatewayTest {

    /** Far beyond what any answer here needs; on a gateway that waits for the body it is never enough. */
    private static final int ANSWER_TIMEOUT_MS = 30_000;

    @BeforeEach
    void okUpstream() {
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("forwarded")));
    }

    // ------------------------------------------------------------------ no body read before authentication

    @ParameterizedTest(name = "{0} {1} ({2}) is answered {3} before its body arrives")
    @CsvSource({
            "PUT,    /admin/routes/x,                 none,              401",
            "PATCH,  /admin/routes/x,                 none,              401",
            "DELETE, /admin/routes/x,                 none,              401",
            "PUT,    /admin/routes/x,                 Bearer not-a-jwt,  401",
            "POST,   /catalog,                        none,              401",
            "POST,   /audit/records,                  none,              401",
            "POST,   /api/it/echo/x,                  none,              401",
            "POST,   /console/services,               none,              403",
            "POST,   /console/logout,                 none,              403",
            "POST,   /login/oauth2/code/gerbang,      none,              403",
            "POST,   /oauth2/authorization/gerbang,   none,              403",
    })
    void aFormBodyWithoutCredentialsIsNotRead(String method, String path, String authorization, int status) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gw.port())) {
            socket.setSoTimeout(ANSWER_TIMEOUT_MS);
            String head = method + " " + path + " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + gw.port() + "\r\n"
                    + (authorization.equals("none") ? "" : "Authorization: " + authorization + "\r\n")
                    + "Content-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: 60000\r\n\r\n"
                    + "access_token=x&_csrf=y&a="; // a few bytes of 60,000; the rest never comes
            socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            int answered = statusOf(socket);
            assertThat(answered).as("the answer, while the body is still incomplete: %s", answered > 0 ? rest(socket) : "none")
                    .isEqualTo(status);
        }
    }

    // ------------------------------------------------------------------ minimum data rate

    @Test
    void aBodySlowerThanTheMinimumRateIsCutOffRecordedAndNotCountedAgainstTheUpstream() throws Exception {
        String route = "slow-breaker-" + UUID.randomUUID().toString().substring(0, 8);
        putRoute(gw, route, "/it/" + route, "circuitBreaker: { failureRatePercent: 50, minimumCalls: 2, openSeconds: 60 }");
        String token = gw.token("dinkes-simpus");

        List<String> correlationIds = new ArrayList<>();
        try (SlowSenders slow = new SlowSenders(Duration.ofMillis(300))) {
            for (int i = 0; i < 3; i++) {
                String cid = UUID.randomUUID().toString();
                correlationIds.add(cid);
                Socket s = slow.open(gw.port(), slowPost("/api/it/" + route + "/x", token, cid));
                assertThat(statusOf(s)).as("a body at about 3 bytes a second is cut off").isEqualTo(400);
            }
        }

        HttpResponse<String> normal = gw.send(gw.request("/api/it/" + route + "/x")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"ok\":true}")).build());
        assertThat(normal.statusCode()).as("the breaker did not count the slow callers: " + normal.body()).isEqualTo(200);

        for (String cid : correlationIds) {
            HttpResponse<String> r = gw.get("/audit/records?correlationId=" + cid, "inspektorat-audit");
            JsonNode records = Gateway.json(r.body()).path("records");
            assertThat(records).as(r.body()).hasSize(1);
            assertThat(records.get(0).path("status").asInt()).isEqualTo(400);
            assertThat(records.get(0).path("errorCode").asText()).isEqualTo("BAD_REQUEST");
            assertThat(records.get(0).path("routeId").asText()).isEqualTo(route);
        }
    }

    // ------------------------------------------------------------------ threads for other routes

    /**
     * A node with few request threads (24), a route A with {@code maxConcurrent: 2}, and no minimum data
     * rate (so that only the thread design is at work): 20 slow callers of A with a token, 40 slow form
     * bodies to the admin API without one, and slow token requests beyond the token endpoint's two
     * readers. A call to route B is still served.
     */
    @Test
    void slowCallersOfOneRouteAndSlowFormsWithoutTokenLeaveThreadsForOtherRoutes() throws Exception {
        try (Gateway node = Gateway.start("slow-bodies", List.of("--server.jetty.threads.max=24",
                "--server.jetty.threads.min=8", "--gerbang.http.min-request-data-rate=0",
                "--gerbang.http.pre-auth-body-readers=2"));
                SlowSenders slow = new SlowSenders(Duration.ofSeconds(1))) {
            node.upstream().stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("forwarded")));
            putRoute(node, "slow-a", "/it/slow-a", "maxConcurrent: 2");
            String token = node.token("dinkes-simpus");
            node.token("gerbang-admin");

            List<Socket> routeA = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                routeA.add(slow.open(node.port(), slowPost("/api/it/slow-a/x", token, UUID.randomUUID().toString())));
            }
            List<Socket> admin = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                admin.add(slow.open(node.port(), "PUT /admin/routes/x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\n"));
            }
            List<Socket> tokens = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                tokens.add(slow.open(node.port(), "POST /oauth2/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\n"));
            }

            HttpResponse<String> b = node.http().send(node.request("/api/it/echo/b")
                    .header("Authorization", "Bearer " + token).timeout(Duration.ofMillis(ANSWER_TIMEOUT_MS)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(b.statusCode()).as("route B is served while route A's callers crawl: " + b.body()).isEqualTo(200);

            for (Socket s : admin) {
                assertThat(statusOf(s)).as("no token: refused without reading the form").isEqualTo(401);
            }
            int busy = 0;
            for (Socket s : routeA) {
                s.setSoTimeout(5_000); // two hold route A's places: their answers come when their bodies do
                busy += statusOf(s) == 503 ? 1 : 0;
            }
            assertThat(busy).as("callers of route A beyond its two places, refused without reading").isEqualTo(18);
            List<Integer> tokenAnswers = new ArrayList<>();
            for (Socket s : tokens) {
                s.setSoTimeout(2_000); // two of the three are still being read: their answers come when their bodies do
                tokenAnswers.add(statusOf(s));
            }
            assertThat(tokenAnswers).as("the third slow token request is refused at once").contains(503);

            try (Socket tooLong = new Socket("127.0.0.1", node.port())) {
                tooLong.setSoTimeout(ANSWER_TIMEOUT_MS);
                tooLong.getOutputStream().write(("POST /oauth2/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\ngrant_type=")
                        .getBytes(StandardCharsets.ISO_8859_1));
                assertThat(statusOf(tooLong)).as("a token request longer than any form it takes").isEqualTo(413);
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void putRoute(Gateway node, String id, String path, String extra) throws Exception {
        String yaml = """
                id: %s
                owner: diskominfo
                path: %s
                methods: [POST]
                upstream:
                  url: http://127.0.0.1:%d/slow
                  timeoutMs: 20000
                access:
                  opds: [dinkes]
                %s
                """.formatted(id, path, node.upstream().port(), extra);
        HttpResponse<String> r = node.send(node.request("/admin/routes/" + id)
                .header("Authorization", "Bearer " + node.token("gerbang-admin"))
                .header("Content-Type", "application/yaml")
                .PUT(HttpRequest.BodyPublishers.ofString(yaml)).build());
        assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
    }

    private static String slowPost(String path, String token, String correlationId) {
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Authorization: Bearer " + token + "\r\n"
                + "X-Correlation-Id: " + correlationId + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: 60000\r\n\r\n";
    }

    /** The status of the answer's first line, or -1 when none comes before the read timeout or the close. */
    private static int statusOf(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                line.write(b);
            }
        } catch (SocketTimeoutException | java.net.SocketException e) {
            return -1;
        }
        String[] parts = line.toString(StandardCharsets.ISO_8859_1).split(" ");
        return parts.length > 1 && parts[0].startsWith("HTTP/") ? Integer.parseInt(parts[1]) : -1;
    }

    /** What follows the status line, as far as it comes within a second (for a failure's message). */
    private static String rest(Socket socket) throws IOException {
        socket.setSoTimeout(1_000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            int n;
            while (out.size() < 4096 && (n = socket.getInputStream().read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
        } catch (IOException end) {
            // enough
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** Connections that send a request head, then a body one byte per interval, until closed. */
    private static final class SlowSenders implements AutoCloseable {

        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();

        SlowSenders(Duration interval) {
            drip.scheduleAtFixedRate(this::drip, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        }

        Socket open(int port, String head) throws IOException {
            Socket s = new Socket("127.0.0.1", port);
            s.setSoTimeout(ANSWER_TIMEOUT_MS);
            s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().write('a');
            s.getOutputStream().flush();
            sockets.add(s);
            return s;
        }

        private void drip() {
            for (Socket s : sockets) {
                try {
                    s.getOutputStream().write('a');
                    s.getOutputStream().flush();
                } catch (IOException gone) {
                    sockets.remove(s); // answered and closed by the gateway
                }
            }
        }

        @Override
        public void close() throws IOException {
            drip.shutdownNow();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
