package id.gerbang.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Keycloak for the end-to-end tests: the server distribution the build unpacked into
 * {@code target/keycloak} ({@code keycloak.home}), started in development mode on a free loopback port
 * with a fresh data directory, importing the repository's realm ({@code deploy/keycloak/pelalawan-realm.json})
 * and the tests' second realm ({@code kampar}, another regency's). Started once per JVM, on first use, and
 * stopped (its whole process tree) by a shutdown hook. {@link #stop()} takes it down for outage tests;
 * {@link #get()} starts it again, on the same port and data, if it was stopped.
 *
 * <p>Keycloak 26 needs Java 21 or later, which the gateway's build (Java 17) may not be running on: the
 * JDK is looked for in {@code KEYCLOAK_JAVA_HOME}, {@code JAVA_HOME}, the running JVM and
 * {@code /usr/lib/jvm/*}. Without one the tests fail with a message saying so: they are never skipped.
 */
public final class Keycloak {

    public static final String REALM = "pelalawan";
    public static final String OTHER_REALM = "kampar";
    private static final int MIN_JAVA = 21;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Keycloak instance;
    private static IllegalStateException startFailure;

    private final Path home;
    private final Path javaHome;
    private final int port;
    private final String adminPassword = UUID.randomUUID().toString();
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private Process process;

    /** The shared Keycloak, started on first call (and again after {@link #stop()}). */
    public static synchronized Keycloak get() {
        if (startFailure != null) {
            throw startFailure; // failed once already: do not wait three minutes again for every test class
        }
        try {
            if (instance == null) {
                instance = new Keycloak();
                Runtime.getRuntime().addShutdownHook(new Thread(instance::stop, "keycloak-stop"));
            }
            if (!instance.isRunning()) {
                instance.start();
            }
            return instance;
        } catch (Exception e) {
            startFailure = e instanceof IllegalStateException ise ? ise
                    : new IllegalStateException("cannot start Keycloak: " + e.getMessage(), e);
            throw startFailure;
        }
    }

    private Keycloak() throws IOException {
        String configured = System.getProperty("keycloak.home");
        if (configured == null || !Files.isRegularFile(Paths.get(configured, "bin", "kc.sh"))) {
            throw new IllegalStateException("no Keycloak distribution at " + configured
                    + ": the build unpacks org.keycloak:keycloak-quarkus-dist into integration-tests/target/keycloak "
                    + "before the integration tests (run them through Maven: ./mvnw verify -pl integration-tests -am)");
        }
        home = Paths.get(configured).toAbsolutePath();
        javaHome = findJava();
        port = Gateway.freePort();
        log = Gateway.targetDir().resolve("keycloak-" + port + ".log");
        // a fresh data directory, so that the realms are imported from the files as they are now
        deleteTree(home.resolve("data"));
        Path imports = Files.createDirectories(home.resolve("data").resolve("import"));
        Files.copy(realmFile(), imports.resolve(REALM + "-realm.json"));
        try (var other = Keycloak.class.getResourceAsStream("/keycloak/" + OTHER_REALM + "-realm.json")) {
            Files.copy(other, imports.resolve(OTHER_REALM + "-realm.json"));
        }
    }

    /** The realm file of the repository, which operators import (docs/keycloak.md). */
    public static Path realmFile() {
        Path file = Paths.get(System.getProperty("keycloak.realm-file", "../deploy/keycloak/pelalawan-realm.json"));
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("no realm file at " + file.toAbsolutePath());
        }
        return file;
    }

    private void start() throws Exception {
        List<String> cmd = List.of(home.resolve("bin").resolve("kc.sh").toString(), "start-dev",
                "--http-host=127.0.0.1", "--http-port=" + port, "--import-realm",
                "--health-enabled=false", "--metrics-enabled=false");
        ProcessBuilder builder = new ProcessBuilder(cmd)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = builder.environment();
        env.put("JAVA_HOME", javaHome.toString());
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword);
        env.remove("JAVA_OPTS");
        long started = System.nanoTime();
        process = builder.start();
        awaitReady(started);
    }

    private void awaitReady(long started) throws Exception {
        long deadline = started + START_TIMEOUT.toNanos();
        List<URI> ready = List.of(uri("/realms/" + REALM + "/.well-known/openid-configuration"),
                uri("/realms/" + OTHER_REALM + "/.well-known/openid-configuration"));
        int next = 0;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak (" + javaHome + ") exited with " + process.exitValue()
                        + " during start-up; the end of " + log + ":\n" + Gateway.tail(log));
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(ready.get(next)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200 && ++next == ready.size()) {
                    System.out.printf("Keycloak ready on %s after %d s (Java %s)%n", baseUrl(),
                            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), javaHome);
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            process.waitFor(500, TimeUnit.MILLISECONDS);
        }
        stop();
        throw new IllegalStateException("Keycloak was not ready within " + START_TIMEOUT.toSeconds()
                + " s; the end of " + log + ":\n" + Gateway.tail(log));
    }

    /** Stops Keycloak and everything it started (SIGTERM, then SIGKILL after 20 s). */
    public synchronized void stop() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        List<ProcessHandle> tree = Stream.concat(p.descendants(), Stream.of(p.toHandle())).toList();
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (ProcessHandle h : tree) {
            try {
                h.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    // ---------------------------------------------------------------------------------------- finding Java 21+

    /** A JDK of version 21 or later, or a failure that says where it was looked for. */
    static Path findJava() {
        List<Path> candidates = new ArrayList<>();
        Stream.of(System.getenv("KEYCLOAK_JAVA_HOME"), System.getProperty("keycloak.java.home"),
                        System.getenv("JAVA_HOME"), System.getProperty("java.home"))
                .filter(s -> s != null && !s.isBlank()).map(Paths::get).forEach(candidates::add);
        Path jvms = Paths.get("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(jvms)) {
                List<Path> sorted = new ArrayList<>();
                dirs.forEach(sorted::add);
                sorted.sort(Comparator.comparing(Path::toString));
                candidates.addAll(sorted);
            } catch (IOException e) {
                // nothing more to try there
            }
        }
        List<String> seen = new ArrayList<>();
        for (Path candidate : candidates) {
            Optional<Integer> version = javaVersion(candidate);
            seen.add(candidate + " (" + version.map(v -> "Java " + v).orElse("no JDK") + ")");
            if (version.isPresent() && version.get() >= MIN_JAVA && Files.isExecutable(candidate.resolve("bin/java"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("Keycloak 26 needs Java " + MIN_JAVA + " or later, and none was found. Looked at: "
                + String.join(", ", seen) + ". Install one (.ci/run does: a JDK 21+ package from Debian) or point "
                + "KEYCLOAK_JAVA_HOME at one.");
    }

    /** The major version in a JDK's {@code release} file ({@code JAVA_VERSION="25.0.1"}). */
    static Optional<Integer> javaVersion(Path javaHome) {
        Path release = javaHome.resolve("release");
        if (!Files.isRegularFile(release)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(release, StandardCharsets.ISO_8859_1)) {
            p.load(in);
        } catch (IOException e) {
            return Optional.empty();
        }
        String v = p.getProperty("JAVA_VERSION", "").replace("\"", "");
        if (v.startsWith("1.")) {
            v = v.substring(2);
        }
        String major = v.split("[.+_-]")[0];
        try {
            return Optional.of(Integer.parseInt(major));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    // ---------------------------------------------------------------------------------------- addresses, tokens

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The issuer of a realm's tokens, as the gateway is configured with it. */
    public String issuer(String realm) {
        return baseUrl() + "/realms/" + realm;
    }

    public Path log() {
        return log;
    }

    private URI uri(String path) {
        return URI.create(baseUrl() + path);
    }

    /** The token endpoint's whole answer to a client-credentials request. */
    public HttpResponse<String> tokenResponse(String realm, String clientId, String secret) throws Exception {
        return http.send(HttpRequest.newBuilder(uri("/realms/" + realm + "/protocol/openid-connect/token"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form(Map.of(
                                "grant_type", "client_credentials", "client_id", clientId, "client_secret", secret))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A fresh access token for a client of a realm (client credentials grant). */
    public String token(String realm, String clientId, String secret) throws Exception {
        HttpResponse<String> r = tokenResponse(realm, clientId, secret);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("Keycloak's token endpoint answered " + r.statusCode() + " for " + clientId + ": " + r.body());
        }
        return JSON.readTree(r.body()).path("access_token").asText();
    }

    /** A fresh token of the main realm for one of its clients (the realm file's demo secret: id + "-secret"). */
    public String token(String clientId) throws Exception {
        return token(REALM, clientId, clientId + "-secret");
    }

    /** The JWK set Keycloak publishes for a realm. */
    public JsonNode jwks(String realm) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/realms/" + realm + "/protocol/openid-connect/certs"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    // ---------------------------------------------------------------------------------------- admin REST API

    /** Keycloak's admin REST API as the bootstrap administrator (plain HTTP and JSON). */
    public Admin admin() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/realms/master/protocol/openid-connect/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form(Map.of("grant_type", "password",
                                "client_id", "admin-cli", "username", "admin", "password", adminPassword))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("admin login answered " + r.statusCode() + ": " + r.body());
        }
        return new Admin(JSON.readTree(r.body()).path("access_token").asText());
    }

    public final class Admin {

        private final String token;

        private Admin(String token) {
            this.token = token;
        }

        public JsonNode get(String path) throws Exception {
            HttpResponse<String> r = send("GET", path, null);
            return JSON.readTree(r.body());
        }

        public HttpResponse<String> send(String method, String path, JsonNode body) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri("/admin/realms/" + path))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 300) {
                throw new IllegalStateException(method + " /admin/realms/" + path + " answered " + r.statusCode() + ": " + r.body());
            }
            return r;
        }

        /**
         * Registers a confidential client with the client credentials grant and the {@code opd} claim, as
         * docs/keycloak.md onboards an OPD application; with the {@code gerbang} audience only when
         * {@code audience}; {@code accessTokenSeconds} overrides the realm's token lifetime when set.
         */
        public void createClient(String realm, String clientId, String opd, boolean audience, Integer accessTokenSeconds)
                throws Exception {
            ObjectNode client = JSON.createObjectNode()
                    .put("clientId", clientId)
                    .put("enabled", true)
                    .put("protocol", "openid-connect")
                    .put("publicClient", false)
                    .put("clientAuthenticatorType", "client-secret")
                    .put("secret", clientId + "-secret")
                    .put("serviceAccountsEnabled", true)
                    .put("standardFlowEnabled", false)
                    .put("directAccessGrantsEnabled", false);
            if (accessTokenSeconds != null) {
                client.putObject("attributes").put("access.token.lifespan", String.valueOf(accessTokenSeconds));
            }
            var mappers = client.putArray("protocolMappers");
            mappers.addObject().put("name", "opd").put("protocol", "openid-connect")
                    .put("protocolMapper", "oidc-hardcoded-claim-mapper")
                    .putObject("config").put("claim.name", "opd").put("claim.value", opd)
                    .put("jsonType.label", "String").put("access.token.claim", "true");
            if (audience) {
                mappers.addObject().put("name", "audience gerbang").put("protocol", "openid-connect")
                        .put("protocolMapper", "oidc-audience-mapper")
                        .putObject("config").put("included.custom.audience", "gerbang").put("access.token.claim", "true");
            }
            send("POST", realm + "/clients", client);
        }

        /**
         * Rotates a realm's signing key as docs/keycloak.md does: a new generated RSA key with a higher
         * priority becomes the active one; the previous active keys are made passive (still published, so
         * tokens they signed stay valid until they expire, but no longer signing). Returns the new key's id.
         */
        public String rotateSigningKey(String realm) throws Exception {
            String realmId = get(realm).path("id").asText();
            JsonNode keys = get(realm + "/keys").path("keys");
            int top = 0;
            List<String> activeProviders = new ArrayList<>();
            for (JsonNode k : keys) {
                if ("RS256".equals(k.path("algorithm").asText()) && "SIG".equals(k.path("use").asText())) {
                    top = Math.max(top, k.path("providerPriority").asInt());
                    if ("ACTIVE".equals(k.path("status").asText())) {
                        activeProviders.add(k.path("providerId").asText());
                    }
                }
            }
            String name = "rsa-rotated-" + System.currentTimeMillis();
            ObjectNode component = JSON.createObjectNode()
                    .put("name", name)
                    .put("providerId", "rsa-generated")
                    .put("providerType", "org.keycloak.keys.KeyProvider")
                    .put("parentId", realmId);
            ObjectNode config = component.putObject("config");
            config.putArray("priority").add(String.valueOf(top + 100));
            config.putArray("enabled").add("true");
            config.putArray("active").add("true");
            config.putArray("algorithm").add("RS256");
            config.putArray("keySize").add("2048");
            send("POST", realm + "/components", component);
            for (String providerId : activeProviders) {
                ObjectNode old = (ObjectNode) get(realm + "/components/" + providerId);
                ((ObjectNode) old.path("config")).putArray("active").add("false");
                send("PUT", realm + "/components/" + providerId, old);
            }
            for (JsonNode k : get(realm + "/keys").path("keys")) {
                if ("RS256".equals(k.path("algorithm").asText()) && "ACTIVE".equals(k.path("status").asText())) {
                    return k.path("kid").asText();
                }
            }
            throw new IllegalStateException("no active RS256 key after the rotation");
        }
    }

    // ---------------------------------------------------------------------------------------- helpers

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
