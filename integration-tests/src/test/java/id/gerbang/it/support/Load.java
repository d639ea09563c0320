package id.gerbang.it.support;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Client threads calling the gateway as fast as they can, each call with its own {@code X-Correlation-Id}
 * ({@code <prefix>-<thread>-<n>}), keeping what each call ended with: a complete answer (status and body
 * received whole: {@link HttpClient} returns a response only then), or the failure. For kill and stop
 * tests: the outcome of every call is known, so every answer a client received can be looked up.
 */
public final class Load implements AutoCloseable {

    /** How one call ended. {@code status} is -1 when no complete answer came back ({@code failure} says why). */
    public record Outcome(String correlationId, int status, String answeredCorrelationId, Throwable failure,
            long startedNanos, long endedNanos) {

        public boolean served() {
            return status >= 200 && status < 300;
        }

        /** The connection was refused: the call never reached the gateway. */
        public boolean refusedConnection() {
            for (Throwable t = failure; t != null; t = t.getCause()) {
                if (t instanceof ConnectException) {
                    return true;
                }
            }
            return false;
        }

        public String kind() {
            if (failure == null) {
                return Integer.toString(status);
            }
            if (refusedConnection()) {
                return "connection refused";
            }
            Throwable root = failure;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            return root.getClass().getSimpleName() + ": " + root.getMessage();
        }
    }

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    /**
     * Starts {@code threads} clients calling {@code GET http://127.0.0.1:<port><path><n>} with {@code token}.
     */
    public Load(int port, String path, String token, String prefix, int threads) {
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread th = new Thread(() -> run(port, path, token, prefix + "-" + thread), prefix + "-client-" + t);
            th.setDaemon(true);
            this.threads.add(th);
        }
        this.threads.forEach(Thread::start);
    }

    private void run(int port, String path, String token, String prefix) {
        for (long n = 0; running; n++) {
            String id = prefix + "-" + n;
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path + n))
                    .timeout(Duration.ofSeconds(20))
                    .header("Authorization", "Bearer " + token)
                    .header("X-Correlation-Id", id)
                    .GET().build();
            long started = System.nanoTime();
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                outcomes.add(new Outcome(id, r.statusCode(), r.headers().firstValue("X-Correlation-Id").orElse(null), null,
                        started, System.nanoTime()));
            } catch (IOException e) {
                Outcome o = new Outcome(id, -1, null, e, started, System.nanoTime());
                outcomes.add(o);
                if (o.refusedConnection()) {
                    sleep(20); // the node is down: do not spin
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the clients after their current call, and waits for them. */
    public List<Outcome> stop() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        return outcomes();
    }

    public List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }

    public int count() {
        return outcomes.size();
    }

    /** How many calls were answered with a 2xx so far. */
    public long served() {
        return outcomes.stream().filter(Outcome::served).count();
    }

    /**
     * Whether every client has seen its connection refused on a call started at {@code nanos} or later:
     * the node is gone, and each client has noticed.
     */
    public boolean everyClientRefusedSince(long nanos) {
        return outcomes.stream().filter(o -> o.startedNanos() >= nanos && o.refusedConnection())
                .map(o -> o.correlationId().substring(0, o.correlationId().lastIndexOf('-')))
                .distinct().count() == threads.size();
    }

    /** How many calls ended each way ("200", "connection refused", "IOException: ..."), for messages. */
    public static Map<String, Long> summary(List<Outcome> outcomes) {
        return outcomes.stream().collect(Collectors.groupingBy(Outcome::kind, TreeMap::new, Collectors.counting()));
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
