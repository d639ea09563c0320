package id.gerbang.it.support;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The gateway under test: the packaged jar started as its own process, with a WireMock upstream in this JVM,
 * routes written to a temp directory, and an issuer key the tests know, so that they can mint tokens exactly
 * like the gateway's built-in issuer (and deliberately wrong ones).
 *
 * <p>{@link #get()} is the shared one (H2 file database, the standalone default), started ONCE for the
 * whole suite (lazily, on first use, stopped by a JVM shutdown hook). {@link #start(String, List)} starts
 * another, with extra command-line arguments (another database, say), that its test closes; such a
 * gateway can be killed ({@link #kill()}), stopped ({@link #terminate(Duration)}) and started again on the
 * same port, data directory and arguments ({@link #restart()}).
 */
public final class Gateway implements AutoCloseable {

    public static final String AUDIENCE = "gerbang";
    private static final String ISSUER_URL = "--gerbang.issuer.url=";
    /**
     * Generous: a node on PostgreSQL on a busy 2-core machine has been seen to need more than 150 s (several
     * builds at once), and eight minutes with the machine's load above 40 ({@code -Dgerbang.it.start-timeout=SECONDS}
     * then); a process that exits is noticed at once.
     */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(Long.getLong("gerbang.it.start-timeout", 300));
    private static final ObjectMapper JSON = new ObjectMapper();

    private static volatile Gateway instance;
    private static volatile IllegalStateException startFailure;

    private final WireMockServer upstream;
    private final RawUpstream rawUpstream;
    private final int port;
    private final int deadPort;
    private final String issuerUrl;
    private final RSAKey issuerKey;
    private final RSAKey foreignKey;
    private final Path data;
    private final Path routes;
    private final List<String> extraArgs;
    private final Map<String, String> environment;
    private volatile Process process;
    private boolean stopped;
    private final Path log;
    private final HttpClient http;
    private final Map<String, CachedToken> tokens = new ConcurrentHashMap<>();

    private record CachedToken(String value, Instant fetchedAt) {}

    /** The shared gateway, started on first call. */
    public static Gateway get() {
        Gateway g = instance;
        if (g == null) {
            synchronized (Gateway.class) {
                g = instance;
                if (g == null) {
                    if (startFailure != null) {
                        throw startFailure; // failed once already: do not try again for every test class
                    }
                    try {
                        g = new Gateway("gateway", List.of(), Map.of(), null);
                    } catch (Exception e) {
                        startFailure = new IllegalStateException("cannot start the gateway under test: " + e.getMessage(), e);
                        throw startFailure;
                    }
                    instance = g;
                }
            }
        }
        return g;
    }

    /**
     * Starts another gateway, with its own process, port, data directory and WireMock upstream, and the same
     * routes as the shared one; {@code extraArgs} are added to its command line (later arguments win, so
     * {@code --spring.datasource.url=...} replaces the H2 default). Close it when done.
     */
    public static Gateway start(String name, List<String> extraArgs) throws Exception {
        return new Gateway(name, extraArgs, Map.of(), null);
    }

    /** As {@link #start(String, List)}, with {@code environment} added to the process's environment. */
    public static Gateway start(String name, List<String> extraArgs, Map<String, String> environment) throws Exception {
        return new Gateway(name, extraArgs, environment, null);
    }

    /**
     * Like {@link #start(String, List)}, on a data directory that holds a copy of the files of
     * {@code restoredFiles} (a node's files as a backup kept them: its trail key, checkpoint file, ...),
     * all but the issuer key, which stays this gateway's own so that its tokens are the tests'.
     */
    public static Gateway start(String name, List<String> extraArgs, Path restoredFiles) throws Exception {
        return new Gateway(name, extraArgs, Map.of(), restoredFiles);
    }

    private Gateway(String name, List<String> extraArgs, Map<String, String> environment, Path restoredFiles) throws Exception {
        Path dir = Files.createTempDirectory(targetDir(), name + "-");
        data = Files.createDirectories(dir.resolve("data"));
        if (restoredFiles != null) {
            copyTree(restoredFiles, data);
        }
        routes = Files.createDirectories(dir.resolve("routes"));
        this.extraArgs = List.copyOf(extraArgs);
        this.environment = Map.copyOf(environment);
        issuerKey = rsaKey();
        foreignKey = rsaKey();
        Files.writeString(data.resolve("issuer-key.json"), issuerKey.toJSONString());

        upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        upstream.start();
        rawUpstream = new RawUpstream();
        port = freePort();
        deadPort = freePort();
        // a test may put the issuer under another address (a load balancer's, say) with --gerbang.issuer.url=
        issuerUrl = extraArgs.stream().filter(arg -> arg.startsWith(ISSUER_URL)).map(arg -> arg.substring(ISSUER_URL.length()))
                .reduce((first, last) -> last).orElse("http://localhost:" + port);
        writeRoutes(routes, upstream.port(), deadPort, rawUpstream.port());

        log = targetDir().resolve(name + "-" + port + ".log");
        process = startJar(port, data, routes, issuerUrl, log, this.extraArgs, false, this.environment);
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "gateway-under-test-stop"));
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        awaitHealthy(process, port, log, START_TIMEOUT);
    }

    // ---------------------------------------------------------------------------------------- the process

    /** Starts {@code gerbang.jar} as a process; output goes to {@code log}. */
    public static Process startJar(int port, Path dataDir, Path routesDir, String issuerUrl, Path log) throws IOException {
        return startJar(port, dataDir, routesDir, issuerUrl, log, List.of(), false);
    }

    /**
     * Starts {@code gerbang.jar} as a process with {@code extraArgs} after the usual ones; output goes to
     * {@code log}, appended to it when {@code append} (a restart).
     */
    public static Process startJar(int port, Path dataDir, Path routesDir, String issuerUrl, Path log,
            List<String> extraArgs, boolean append) throws IOException {
        return startJar(port, dataDir, routesDir, issuerUrl, log, extraArgs, append, Map.of());
    }

    /** As {@link #startJar(int, Path, Path, String, Path, List, boolean)}, with {@code environment} added to the process's. */
    public static Process startJar(int port, Path dataDir, Path routesDir, String issuerUrl, Path log,
            List<String> extraArgs, boolean append, Map<String, String> environment) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(JarRun.java(), "-Xmx256m", "-jar", JarRun.jar().toString(),
                "--server.port=" + port,
                "--gerbang.data-dir=" + dataDir,
                "--gerbang.sandbox.enabled=false",
                "--gerbang.routes.directory=" + routesDir,
                "--logging.level.gerbang.trail=DEBUG")); // one line per call in the log, for diagnosis
        // an option given twice reaches Spring as both values joined by a comma: add this one only when the
        // test gives none of its own
        if (extraArgs.stream().noneMatch(arg -> arg.startsWith(ISSUER_URL))) {
            cmd.add(ISSUER_URL + issuerUrl);
        }
        cmd.addAll(extraArgs);
        ProcessBuilder builder = new ProcessBuilder(cmd);
        builder.environment().putAll(environment);
        return builder
                .redirectErrorStream(true)
                .redirectOutput(append ? ProcessBuilder.Redirect.appendTo(log.toFile()) : ProcessBuilder.Redirect.to(log.toFile()))
                .start();
    }

    private static void awaitHealthy(Process process, int port, Path log, Duration timeout) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                .timeout(Duration.ofSeconds(5)).build();
        try {
            org.awaitility.Awaitility.await("the gateway is healthy").atMost(timeout).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(250))
                    .failFast("the gateway exited during start-up", () -> !process.isAlive())
                    .ignoreExceptionsInstanceOf(IOException.class) // not listening yet
                    .until(() -> client.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        } catch (org.awaitility.core.TerminalFailureException exited) {
            throw new IllegalStateException("the gateway exited with " + process.exitValue() + " during start-up:\n" + tail(log));
        } catch (org.awaitility.core.ConditionTimeoutException notHealthy) {
            process.destroyForcibly();
            throw new IllegalStateException("the gateway was not healthy within " + timeout.toSeconds() + " s:\n" + tail(log));
        }
    }

    // ---------------------------------------------------------------------------------------- life cycle

    /**
     * SIGKILL ({@link Process#destroyForcibly()} on Linux): the node gets no chance to finish anything.
     * Returns when the process is gone.
     */
    public synchronized void kill() throws InterruptedException {
        Process p = process;
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the gateway (pid " + p.pid() + ") survived SIGKILL for 30 s");
        }
        if (ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive).orElse(false)) {
            throw new IllegalStateException("pid " + p.pid() + " is still alive after SIGKILL");
        }
    }

    /**
     * SIGTERM ({@link Process#destroy()}): a graceful stop. Returns the exit code once the process has
     * exited, or throws if it has not within {@code timeout} (it is then killed).
     */
    public synchronized int terminate(Duration timeout) throws InterruptedException {
        Process p = process;
        p.destroy();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("the gateway did not stop within " + timeout.toSeconds() + " s of SIGTERM:\n" + tail(log));
        }
        return p.exitValue();
    }

    /** Starts the jar again after {@link #kill()} or {@link #terminate}: same port, data, routes and arguments. */
    public synchronized void restart() throws Exception {
        if (process.isAlive()) {
            throw new IllegalStateException("the gateway is still running");
        }
        process = startJar(port, data, routes, issuerUrl, log, extraArgs, true, environment);
        awaitHealthy(process, port, log, START_TIMEOUT);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The process output (all starts of this gateway, appended). */
    public Path log() {
        return log;
    }

    /** The data directory ({@code gerbang.data-dir}): the H2 database of the standalone default lives here. */
    public Path dataDir() {
        return data;
    }

    /** Stops the process (SIGTERM, then SIGKILL after 20 s) and the upstreams. Not for the shared gateway. */
    @Override
    public void close() {
        if (this == instance) {
            throw new IllegalStateException("the shared gateway is stopped at JVM exit");
        }
        stop();
    }

    private synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        Process process = this.process;
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        upstream.stop();
        try {
            rawUpstream.close();
        } catch (IOException ignored) {
            // exiting anyway
        }
    }

    /** The last lines of a process log, for failure messages. */
    public static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ": " + e + ")";
        }
    }

    /** Copies the files under {@code from} to {@code to}, with their relative paths (and POSIX permissions). */
    public static void copyTree(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                            java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    public static Path targetDir() throws IOException {
        return Files.createDirectories(Paths.get("target", "it").toAbsolutePath());
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static void writeRoutes(Path routes, int wm, int dead, int raw) throws IOException {
        String up = "http://127.0.0.1:" + wm;
        Files.writeString(routes.resolve("it-echo.yaml"), """
                id: it-echo
                owner: diskominfo
                name: IT echo
                path: /it/echo
                methods: [GET, HEAD, POST, PUT, PATCH, DELETE]
                upstream:
                  url: %s/svc
                  timeoutMs: 1500
                access:
                  opds: [dinkes]
                maxBodyBytes: 10485760
                """.formatted(up));
        Files.writeString(routes.resolve("it-small.yaml"), """
                id: it-small
                owner: diskominfo
                path: /it/small
                methods: [POST]
                upstream:
                  url: %s/small
                  timeoutMs: 1500
                access:
                  clients: [dinkes-simpus]
                maxBodyBytes: 1024
                """.formatted(up));
        Files.writeString(routes.resolve("it-restricted.yaml"), """
                id: it-restricted
                owner: bapenda
                path: /it/restricted
                methods: [GET]
                upstream:
                  url: %s/restricted
                access:
                  clients: [bapenda-sipd]
                """.formatted(up));
        Files.writeString(routes.resolve("it-down.yaml"), """
                id: it-down
                owner: diskominfo
                path: /it/down
                methods: [GET]
                upstream:
                  url: http://127.0.0.1:%d/down
                  timeoutMs: 1500
                access:
                  opds: [dinkes]
                """.formatted(dead));
        Files.writeString(routes.resolve("it-grant.yaml"), """
                id: it-grant
                owner: diskominfo
                path: /it/grant
                methods: [GET, POST]
                upstream:
                  url: %s/grant
                access:
                  clients: [{id: dinkes-simpus, methods: [GET]}]
                """.formatted(up));
        Files.writeString(routes.resolve("it-raw.yaml"), """
                id: it-raw
                owner: diskominfo
                path: /it/raw
                methods: [GET]
                upstream:
                  url: http://127.0.0.1:%d/raw
                  timeoutMs: 1500
                access:
                  opds: [dinkes]
                """.formatted(raw));
        // traffic policy (PolicyIT, RateLimitAcrossNodesIT): retries, a circuit breaker, a small bulkhead, a rate limit
        Files.writeString(routes.resolve("it-retry.yaml"), """
                id: it-retry
                owner: diskominfo
                path: /it/retry
                methods: [GET, PUT, POST]
                upstream:
                  url: %s/retry
                  timeoutMs: 1500
                access:
                  opds: [dinkes]
                retries: 2
                """.formatted(up));
        Files.writeString(routes.resolve("it-breaker.yaml"), """
                id: it-breaker
                owner: diskominfo
                path: /it/breaker
                methods: [GET]
                upstream:
                  url: %s/breaker
                  timeoutMs: 1500
                access:
                  opds: [dinkes]
                circuitBreaker: { failureRatePercent: 50, minimumCalls: 4, openSeconds: 2 }
                """.formatted(up));
        Files.writeString(routes.resolve("it-busy.yaml"), """
                id: it-busy
                owner: diskominfo
                path: /it/busy
                methods: [GET]
                upstream:
                  url: %s/busy
                  timeoutMs: 20000
                access:
                  opds: [dinkes]
                maxConcurrent: 2
                """.formatted(up));
        Files.writeString(routes.resolve("it-limited.yaml"), """
                id: it-limited
                owner: bapenda
                path: /it/limited
                methods: [GET]
                upstream:
                  url: %s/limited
                access:
                  opds: [dinkes]
                rateLimit: { requests: 64, perSeconds: 86400 }
                """.formatted(up));
        // a Disdukcapil-like route that names personal data for masking on the trail
        Files.writeString(routes.resolve("it-penduduk.yaml"), """
                id: it-penduduk
                owner: disdukcapil
                name: IT penduduk
                path: /it/penduduk
                methods: [GET, POST]
                upstream:
                  url: %s/penduduk
                  timeoutMs: 1500
                access:
                  opds: [dinkes]
                audit:
                  maskQueryParams: [nik]
                  maskPatterns: [nik, email, phone]
                """.formatted(up));
    }

    // ---------------------------------------------------------------------------------------- accessors

    public WireMockServer upstream() {
        return upstream;
    }

    public RawUpstream rawUpstream() {
        return rawUpstream;
    }

    public int port() {
        return port;
    }

    public String issuerUrl() {
        return issuerUrl;
    }

    public RSAKey issuerKey() {
        return issuerKey;
    }

    public RSAKey foreignKey() {
        return foreignKey;
    }

    public HttpClient http() {
        return http;
    }

    public URI uri(String rawPathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + rawPathAndQuery);
    }

    /** A request builder for {@code rawPathAndQuery} on the gateway, with a timeout. */
    public HttpRequest.Builder request(String rawPathAndQuery) {
        return HttpRequest.newBuilder(uri(rawPathAndQuery)).timeout(Duration.ofSeconds(30));
    }

    public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** GET with the bearer token of a demo client. */
    public HttpResponse<String> get(String rawPathAndQuery, String clientId) throws Exception {
        return send(request(rawPathAndQuery).header("Authorization", "Bearer " + token(clientId)).GET().build());
    }

    // ---------------------------------------------------------------------------------------- tokens

    /** A real token from the gateway's token endpoint for a demo client (secret = id + "-secret"), cached. */
    public String token(String clientId) throws Exception {
        CachedToken t = tokens.get(clientId);
        if (t != null && t.fetchedAt().isAfter(Instant.now().minusSeconds(120))) {
            return t.value();
        }
        HttpResponse<String> r = tokenRequest("grant_type=client_credentials", clientId, clientId + "-secret");
        if (r.statusCode() != 200) {
            throw new IllegalStateException("token endpoint answered " + r.statusCode() + ": " + r.body());
        }
        String value = JSON.readTree(r.body()).path("access_token").asText();
        tokens.put(clientId, new CachedToken(value, Instant.now()));
        return value;
    }

    /** {@code POST /oauth2/token} with a form body and HTTP Basic client authentication. */
    public HttpResponse<String> tokenRequest(String form, String clientId, String secret) throws Exception {
        String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        return send(request("/oauth2/token")
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build());
    }

    /** The claims of a token as the built-in issuer makes them for {@code clientId} of {@code opd}. */
    public JWTClaimsSet.Builder claims(String clientId, String opd) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(issuerUrl)
                .subject(UUID.nameUUIDFromBytes(clientId.getBytes(StandardCharsets.UTF_8)).toString())
                .audience(AUDIENCE)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300)))
                .jwtID(UUID.randomUUID().toString())
                .claim("typ", "Bearer")
                .claim("azp", clientId)
                .claim("client_id", clientId)
                .claim("opd", opd)
                .claim("realm_access", Map.of("roles", List.of()));
    }

    /** A token for dinkes-simpus of dinkes, changed by {@code edit}, signed with {@code key}. */
    public String mint(RSAKey key, Consumer<JWTClaimsSet.Builder> edit) throws Exception {
        JWTClaimsSet.Builder claims = claims("dinkes-simpus", "dinkes");
        edit.accept(claims);
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).keyID(key.getKeyID()).build(),
                claims.build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    public static JsonNode json(String body) throws IOException {
        return JSON.readTree(body);
    }

    private static RSAKey rsaKey() throws Exception {
        return new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256)
                .keyIDFromThumbprint(true).generate();
    }
}
