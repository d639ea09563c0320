package id.gerbang.it.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A load balancer for tests, on loopback: every request goes to the node the test chose, the login's
 * callback ({@code /login/oauth2/code/...}) to a node of its own if the test says so, with
 * {@code X-Forwarded-Host}, {@code X-Forwarded-Proto} and {@code X-Forwarded-For} as a real one sends them
 * (so the nodes build their addresses with the proxy's). It counts which node served which path.
 */
public final class SwitchingProxy implements AutoCloseable {

    private static final String CALLBACK = "/login/oauth2/code/";
    /** Not relayed: hop-by-hop, framing, and the headers Java's client sets itself. */
    private static final Set<String> NOT_RELAYED = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "host", "content-length", "expect", "x-forwarded-host", "x-forwarded-proto",
            "x-forwarded-for", "x-forwarded-port", "forwarded");

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
    private volatile int pages;
    private volatile int callbacks;

    public SwitchingProxy() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", this::relay);
        server.setExecutor(threads);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The address browsers use: {@code http://localhost:<port>}. */
    public String base() {
        return "http://localhost:" + port();
    }

    /** Every request to the node on {@code port}, callbacks included. */
    public void allTo(int port) {
        pages = port;
        callbacks = port;
    }

    /** Every request to {@code pagesPort}, but the login's callbacks to {@code callbacksPort}. */
    public void split(int pagesPort, int callbacksPort) {
        pages = pagesPort;
        callbacks = callbacksPort;
    }

    /** How many requests whose path starts with {@code prefix} the node on {@code port} served. */
    public int served(int port, String prefix) {
        return served.entrySet().stream().filter(e -> e.getKey().startsWith(port + " " + prefix))
                .mapToInt(e -> e.getValue().get()).sum();
    }

    private void relay(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            int node = path.startsWith(CALLBACK) ? callbacks : pages;
            served.computeIfAbsent(node + " " + path, k -> new AtomicInteger()).incrementAndGet();
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            HttpRequest.Builder out = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node + exchange.getRequestURI()))
                    .timeout(Duration.ofSeconds(60))
                    .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!NOT_RELAYED.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(v -> out.header(name, v));
                }
            });
            out.header("X-Forwarded-Host", "localhost:" + port());
            out.header("X-Forwarded-Proto", "http");
            out.header("X-Forwarded-For", exchange.getRemoteAddress().getAddress().getHostAddress());
            HttpResponse<byte[]> answer;
            try {
                answer = client.send(out.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
                return;
            } catch (IOException e) {
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            answer.headers().map().forEach((name, values) -> {
                String lower = name.toLowerCase(Locale.ROOT);
                if (!lower.equals(":status") && !lower.equals("content-length") && !NOT_RELAYED.contains(lower)) {
                    exchange.getResponseHeaders().put(name, List.copyOf(values));
                }
            });
            byte[] bytes = answer.body();
            boolean empty = bytes.length == 0 || "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(answer.statusCode(), empty ? -1 : bytes.length);
            if (!empty) {
                try (OutputStream o = exchange.getResponseBody()) {
                    o.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
