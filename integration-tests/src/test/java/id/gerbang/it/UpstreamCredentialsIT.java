package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import id.gerbang.it.support.Browser;
import id.gerbang.it.support.Certificates;
import id.gerbang.it.support.Gateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Upstream credentials end to end, against the packaged jar with secrets from a secrets directory and from
 * {@code GERBANG_SECRET_*} environment variables: each kind reaches the upstream exactly as it should (over
 * a private CA with mutual TLS too, its OAuth2 token endpoint as well), a failing token endpoint is a
 * recorded 502, a route naming a secret the node lacks is refused; and the leak test: no secret's value
 * (nor its base64, nor basic auth's {@code user:password} in base64, nor a line of a private key) appears
 * in any answer, admin API, route history, catalogue, trail search, export, verification, actuator
 * endpoint, console page or the node's whole log.
 */
class UpstreamCredentialsIT {

    /** Every secret's value, by name: none of them may ever be seen outside the upstream call it is for. */
    static final Map<String, String> SECRETS = new LinkedHashMap<>();
    /** Secrets given as {@code GERBANG_SECRET_<NAME>} rather than as files. */
    static final List<String> FROM_ENVIRONMENT = List.of("it-splp-token", "it-client-cert");
    static final String ISSUED_TOKEN = "Issued-" + UUID.randomUUID();
    static final String TLS_TOKEN = "Issued-over-tls-" + UUID.randomUUID();

    static Gateway gw;
    static Certificates certificates;
    static WireMockServer mutualTls;
    static final List<String> answers = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory(Gateway.targetDir(), "credentials-");
        certificates = new Certificates(dir, "Diskominfo Pelalawan CA " + UUID.randomUUID());
        SECRETS.put("it-basic-password", "Pw-" + UUID.randomUUID());
        SECRETS.put("it-api-key", "Key-" + UUID.randomUUID());
        SECRETS.put("it-splp-token", "Splp-" + UUID.randomUUID());
        SECRETS.put("it-oauth-secret", "Oauth-" + UUID.randomUUID());
        SECRETS.put("it-ca", certificates.caPem());
        SECRETS.put("it-client-cert", certificates.clientPem());
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        Map<String, String> environment = new LinkedHashMap<>();
        for (Map.Entry<String, String> s : SECRETS.entrySet()) {
            if (FROM_ENVIRONMENT.contains(s.getKey())) {
                environment.put("GERBANG_SECRET_" + s.getKey().toUpperCase().replace('-', '_'), s.getValue());
            } else {
                Files.writeString(secrets.resolve(s.getKey()), s.getValue() + "\n");
            }
        }
        // an OPD's https service under its private CA, demanding the gateway's client certificate; its token
        // endpoint is served there too
        mutualTls = new WireMockServer(options().httpDisabled(true).dynamicHttpsPort().bindAddress("127.0.0.1")
                .keystorePath(certificates.keystore.toString()).keystoreType("PKCS12")
                .keystorePassword(Certificates.STORE_PASSWORD).keyManagerPassword(Certificates.STORE_PASSWORD)
                .needClientAuth(true).trustStorePath(certificates.truststore.toString()).trustStoreType("PKCS12")
                .trustStorePassword(Certificates.STORE_PASSWORD));
        mutualTls.start();
        mutualTls.stubFor(any(urlPathMatching("/tls/.*")).willReturn(aResponse().withStatus(200).withBody("{\"ok\":\"tls\"}")));
        mutualTls.stubFor(post(urlEqualTo("/oauth/token")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"access_token\":\"" + TLS_TOKEN + "\",\"token_type\":\"Bearer\",\"expires_in\":600}")));

        gw = Gateway.start("credentials", List.of("--gerbang.secrets.dir=" + secrets), environment);
        String base = "http://127.0.0.1:" + gw.upstream().port();
        String tls = "https://127.0.0.1:" + mutualTls.httpsPort();
        gw.upstream().stubFor(any(urlPathMatching("/cred/.*")).willReturn(aResponse().withStatus(200).withBody("{\"ok\":true}")));
        gw.upstream().stubFor(any(urlPathMatching("/cred/failing/.*")).willReturn(aResponse().withStatus(503)
                .withBody("{\"pesan\":\"sedang dipelihara\"}")));
        gw.upstream().stubFor(post(urlEqualTo("/oauth/token")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"access_token\":\"" + ISSUED_TOKEN + "\",\"token_type\":\"Bearer\",\"expires_in\":600}")));
        // a token endpoint that fails, echoing what it was sent: its answer must go nowhere
        gw.upstream().stubFor(post(urlEqualTo("/oauth/broken")).willReturn(aResponse().withStatus(503)
                .withBody("down; the secret was " + SECRETS.get("it-oauth-secret"))));
        put("it-cred-basic", "url: " + base + "/cred/basic\n  auth: {basic: {username: gerbang, password: {secret: it-basic-password}}}");
        put("it-cred-apikey", "url: " + base + "/cred/apikey\n  auth: {apiKey: {header: X-Api-Key, value: {secret: it-api-key}}}");
        put("it-cred-splp", "url: " + base + "/cred/splp\n  auth: {splp: {token: {secret: it-splp-token}}}");
        put("it-cred-oauth", "url: " + base + "/cred/oauth\n  auth: {oauth2: {tokenUrl: \"" + base
                + "/oauth/token\", clientId: gerbang, clientSecret: {secret: it-oauth-secret}}}");
        put("it-cred-assert", "url: " + base + "/cred/assert\n  auth: {apiKey: {header: X-Api-Key, value: {secret: it-api-key}}}\n  callerAssertion: true");
        put("it-cred-broken", "url: " + base + "/cred/broken\n  auth: {oauth2: {tokenUrl: \"" + base
                + "/oauth/broken\", clientId: gerbang, clientSecret: {secret: it-oauth-secret}}}");
        put("it-cred-tls", "url: " + tls + "/tls/pegawai\n  auth: {oauth2: {tokenUrl: \"" + tls
                + "/oauth/token\", clientId: gerbang-tls, clientSecret: {secret: it-oauth-secret}}}\n"
                + "  tls: {trustSecret: it-ca, clientCertSecret: it-client-cert}");
        put("it-cred-failing", "url: " + base + "/cred/failing\n  auth: {basic: {username: gerbang, password: {secret: it-basic-password}}}");
        put("it-cred-dead", "url: http://127.0.0.1:" + Gateway.freePort() + "/cred/dead\n"
                + "  auth: {splp: {token: {secret: it-splp-token}}}");
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
        if (mutualTls != null) {
            mutualTls.stop();
        }
    }

    static String definition(String id, String upstream) {
        return "id: " + id + "\nowner: dpmptsp\npath: /" + id + "\nmethods: [GET, POST]\nupstream:\n  " + upstream
                + "\naccess: {clients: [dinkes-simpus]}\n";
    }

    static void put(String id, String upstream) throws Exception {
        HttpResponse<String> r = admin("PUT", "/admin/routes/" + id, definition(id, upstream));
        assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
    }

    static HttpResponse<String> admin(String method, String path, String yaml) throws Exception {
        HttpResponse<String> r = gw.send(gw.request(path).header("Authorization", "Bearer " + gw.token("gerbang-admin"))
                .header("Content-Type", "application/yaml")
                .method(method, yaml == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(yaml))
                .build());
        answers.add(r.headers().map() + r.body());
        return r;
    }

    /** A GET as {@code clientId}, its answer kept for the leak test. */
    static HttpResponse<String> read(String path, String clientId) throws Exception {
        HttpResponse<String> r = gw.get(path, clientId);
        answers.add(path + " " + r.statusCode() + " " + r.headers().map() + r.body());
        return r;
    }

    /** A call as dinkes-simpus, with its own Authorization and headers a caller might try to slip through. */
    static HttpResponse<String> call(String id) throws Exception {
        HttpResponse<String> r = gw.send(gw.request("/api/" + id + "/x").header("Authorization", "Bearer " + gw.token("dinkes-simpus"))
                .header("X-Api-Key", "from-the-caller").header("AuthorizationSPLP", "Bearer from-the-caller").GET().build());
        answers.add(r.headers().map() + r.body());
        return r;
    }

    static LoggedRequest received(WireMockServer server, String path) {
        List<LoggedRequest> got = server.findAll(getRequestedFor(urlEqualTo(path)));
        assertThat(got).as("requests to " + path).isNotEmpty();
        return got.get(got.size() - 1);
    }

    static LoggedRequest received(String path) {
        return received(gw.upstream(), path);
    }

    static String basic(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void eachKindOfCredentialReachesTheUpstreamExactlyAndTheCallersNever() throws Exception {
        assertThat(call("it-cred-basic").statusCode()).isEqualTo(200);
        assertThat(received("/cred/basic/x").getHeader("Authorization"))
                .isEqualTo("Basic " + basic("gerbang", SECRETS.get("it-basic-password")));

        assertThat(call("it-cred-apikey").statusCode()).isEqualTo(200);
        LoggedRequest apiKey = received("/cred/apikey/x");
        assertThat(apiKey.getHeaders().getHeader("X-Api-Key").values()).containsExactly(SECRETS.get("it-api-key"));
        assertThat(apiKey.containsHeader("Authorization")).isFalse();
        assertThat(apiKey.containsHeader("AuthorizationSPLP")).isFalse();

        assertThat(call("it-cred-splp").statusCode()).as("a secret from GERBANG_SECRET_IT_SPLP_TOKEN").isEqualTo(200);
        assertThat(received("/cred/splp/x").getHeaders().getHeader("AuthorizationSPLP").values())
                .containsExactly("Bearer " + SECRETS.get("it-splp-token"));

        assertThat(call("it-cred-oauth").statusCode()).isEqualTo(200);
        assertThat(call("it-cred-oauth").statusCode()).isEqualTo(200);
        assertThat(received("/cred/oauth/x").getHeader("Authorization")).isEqualTo("Bearer " + ISSUED_TOKEN);
        gw.upstream().verify(1, postRequestedFor(urlEqualTo("/oauth/token")));
        assertThat(gw.upstream().findAll(postRequestedFor(urlEqualTo("/oauth/token"))).get(0).getHeader("Authorization"))
                .isEqualTo("Basic " + basic("gerbang", SECRETS.get("it-oauth-secret")));
    }

    @Test
    void anUpstreamUnderAPrivateCaWithMutualTlsGetsItsTokenThroughTheSameTls() throws Exception {
        HttpResponse<String> r = call("it-cred-tls");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"ok\":\"tls\"");
        assertThat(received(mutualTls, "/tls/pegawai/x").getHeader("Authorization")).isEqualTo("Bearer " + TLS_TOKEN);
        assertThat(mutualTls.findAll(postRequestedFor(urlEqualTo("/oauth/token")))).isNotEmpty()
                .allSatisfy(t -> assertThat(t.getHeader("Authorization"))
                        .isEqualTo("Basic " + basic("gerbang-tls", SECRETS.get("it-oauth-secret"))));
    }

    @Test
    void theCallerAssertionIsSignedByAKeyOnThePublicJwksAndNamesTheCall() throws Exception {
        HttpResponse<String> r = gw.send(gw.request("/api/it-cred-assert/x").header("Authorization", "Bearer " + gw.token("dinkes-simpus"))
                .header("X-User-Id", "budi.santoso").header("X-Correlation-Id", "it-assert-1")
                .header("X-Gerbang-Assertion", "forged-by-the-caller").GET().build());
        answers.add(r.headers().map() + r.body());
        assertThat(r.statusCode()).isEqualTo(200);
        LoggedRequest got = received("/cred/assert/x");
        assertThat(got.getHeaders().getHeader("X-Gerbang-Assertion").values()).hasSize(1);
        assertThat(got.getHeader("X-Api-Key")).isEqualTo(SECRETS.get("it-api-key"));

        // what an OPD application does: fetch the gateway's public keys (no token needed) and verify
        HttpResponse<String> jwks = gw.send(gw.request("/.well-known/gerbang-jwks.json").GET().build());
        answers.add(jwks.body());
        assertThat(jwks.statusCode()).isEqualTo(200);
        com.nimbusds.jose.jwk.JWKSet keys = com.nimbusds.jose.jwk.JWKSet.parse(jwks.body());
        assertThat(keys.getKeys()).allSatisfy(k -> assertThat(k.isPrivate()).isFalse());
        com.nimbusds.jwt.SignedJWT jwt = com.nimbusds.jwt.SignedJWT.parse(got.getHeader("X-Gerbang-Assertion"));
        com.nimbusds.jose.jwk.ECKey key = keys.getKeyByKeyId(jwt.getHeader().getKeyID()).toECKey();
        assertThat(jwt.verify(new com.nimbusds.jose.crypto.ECDSAVerifier(key))).isTrue();
        com.nimbusds.jwt.JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo("gerbang");
        assertThat(claims.getAudience()).containsExactly("dpmptsp");
        assertThat(claims.getSubject()).isEqualTo("dinkes-simpus");
        assertThat(claims.getStringClaim("opd")).isEqualTo("dinkes");
        assertThat(claims.getStringClaim("uid")).isEqualTo("budi.santoso");
        assertThat(claims.getStringClaim("route")).isEqualTo("it-cred-assert");
        assertThat(claims.getStringClaim("cid")).isEqualTo("it-assert-1");
        assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()).isEqualTo(60_000);
        assertThat(claims.getJWTID()).isNotBlank();
        assertThat(gw.dataDir().resolve("assertion-keys").resolve(jwt.getHeader().getKeyID() + ".pem")).exists();
    }

    @Test
    void aFailingTokenEndpointIsARecorded502AndTheUpstreamIsNeverCalled() throws Exception {
        Instant from = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(1);
        HttpResponse<String> r = call("it-cred-broken");

        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(Gateway.json(r.body()).path("code").asText()).isEqualTo("UPSTREAM_UNAVAILABLE");
        assertThat(gw.upstream().findAll(getRequestedFor(urlEqualTo("/cred/broken/x")))).isEmpty();
        HttpResponse<String> records = read("/audit/records?route=it-cred-broken&from=" + from, "inspektorat-audit");
        JsonNode list = Gateway.json(records.body()).path("records");
        assertThat(list).anySatisfy(rec -> {
            assertThat(rec.path("status").asInt()).isEqualTo(502);
            assertThat(rec.path("errorCode").asText()).isEqualTo("UPSTREAM_UNAVAILABLE");
        });
    }

    @Test
    void aRouteNamingASecretTheNodeLacksIsRefusedSayingWhereToPutIt() throws Exception {
        HttpResponse<String> r = admin("POST", "/admin/routes:validate",
                definition("it-cred-missing", "url: http://127.0.0.1:9/x\n  auth: {apiKey: {header: X-Api-Key, value: {secret: it-missing}}}"));

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("upstream.auth.apiKey.value.secret")
                .contains("secret it-missing does not resolve on this node").contains("GERBANG_SECRET_IT_MISSING");
    }

    /**
     * The leak test: a run with every kind of credential, failing calls among them, then everything the node
     * shows anyone: no secret's value is anywhere in it, while the upstreams did get every one of them.
     */
    @Test
    void noSecretValueAppearsInAnyAnswerLogTrailExportActuatorOrConsolePage() throws Exception {
        eachKindOfCredentialReachesTheUpstreamExactlyAndTheCallersNever();
        anUpstreamUnderAPrivateCaWithMutualTlsGetsItsTokenThroughTheSameTls();
        theCallerAssertionIsSignedByAKeyOnThePublicJwksAndNamesTheCall();
        aFailingTokenEndpointIsARecorded502AndTheUpstreamIsNeverCalled();
        aRouteNamingASecretTheNodeLacksIsRefusedSayingWhereToPutIt();
        assertThat(call("it-cred-failing").statusCode()).as("the upstream's own 503").isEqualTo(503);
        assertThat(received("/cred/failing/x").getHeader("Authorization"))
                .isEqualTo("Basic " + basic("gerbang", SECRETS.get("it-basic-password")));
        assertThat(call("it-cred-dead").statusCode()).as("an upstream that cannot be reached").isEqualTo(502);
        assertThat(admin("PUT", "/admin/routes/it-cred-missing", definition("it-cred-missing",
                "url: http://127.0.0.1:9/x\n  auth: {basic: {username: gerbang, password: {secret: it-nowhere}}}")).statusCode())
                .isEqualTo(400);

        List<String> routes = List.of("it-cred-basic", "it-cred-apikey", "it-cred-splp", "it-cred-oauth", "it-cred-broken",
                "it-cred-assert", "it-cred-tls", "it-cred-failing", "it-cred-dead");
        admin("GET", "/admin/routes", null);
        for (String id : routes) {
            admin("GET", "/admin/routes/" + id, null);
            admin("GET", "/admin/routes/" + id + "/history", null);
            admin("GET", "/admin/routes/" + id + "/history/1", null);
            HttpResponse<String> catalogue = read("/catalog/" + id, "dinkes-simpus");
            assertThat(Gateway.json(catalogue.body()).path("upstreamCredentials").path("secrets"))
                    .allSatisfy(s -> assertThat(s.path("resolves").asBoolean()).as(id).isTrue());
            read("/audit/records?route=" + id, "inspektorat-audit");
        }
        read("/catalog", "dinkes-simpus");
        JsonNode search = Gateway.json(read("/audit/records?size=200", "inspektorat-audit").body()).path("records");
        for (JsonNode record : search) {
            read("/audit/records/" + record.path("id").asText(), "inspektorat-audit");
        }
        String period = "from=" + Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS)
                + "&to=" + Instant.now().plusSeconds(5).truncatedTo(ChronoUnit.SECONDS);
        assertThat(read("/audit/export?format=ndjson&" + period, "inspektorat-audit").statusCode()).isEqualTo(200);
        read("/audit/export?format=csv&" + period, "inspektorat-audit");
        assertThat(read("/audit/verify?" + period, "inspektorat-audit").statusCode()).isEqualTo(200);
        read("/audit/checkpoints", "inspektorat-audit");
        read("/audit/keys", "inspektorat-audit");
        for (String actuator : List.of("/actuator", "/actuator/health", "/actuator/health/readiness", "/actuator/info",
                "/actuator/prometheus", "/actuator/env", "/actuator/configprops")) {
            read(actuator, "gerbang-admin");
            HttpResponse<String> anonymous = gw.send(gw.request(actuator).GET().build());
            answers.add(actuator + " " + anonymous.statusCode() + " " + anonymous.body());
        }
        List<String> pages = consolePages(routes);

        List<String> seen = new ArrayList<>(answers);
        seen.addAll(pages);
        seen.add(Files.readString(gw.log()));
        assertThat(String.join("\n", seen)).as("what was read").contains("it-cred-tls", "it-basic-password", "kunci API");

        for (Map.Entry<String, String> secret : SECRETS.entrySet()) {
            for (String form : forms(secret.getValue())) {
                assertThat(seen).as(secret.getKey() + " as " + form).noneMatch(s -> s.contains(form));
            }
        }
        assertThat(seen).noneMatch(s -> s.contains(basic("gerbang", SECRETS.get("it-basic-password"))));
        assertThat(seen).noneMatch(s -> s.contains(basic("gerbang", SECRETS.get("it-oauth-secret"))));
        assertThat(seen).noneMatch(s -> s.contains(ISSUED_TOKEN) || s.contains(TLS_TOKEN));
    }

    /** How a value could show: as it is, in base64, and for a PEM, each line of its private key. */
    static List<String> forms(String value) {
        List<String> forms = new ArrayList<>(List.of(value.strip(),
                Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))));
        int key = value.indexOf("-----BEGIN PRIVATE KEY-----");
        if (key >= 0) {
            value.substring(key).lines().filter(l -> !l.startsWith("-----") && l.length() > 16).forEach(forms::add);
        }
        return forms;
    }

    /** Every console page of the run, logged in as the administrator and as the auditor, in their page sources. */
    static List<String> consolePages(List<String> routes) throws Exception {
        List<String> pages = new ArrayList<>();
        String base = "http://localhost:" + gw.port();
        WebDriver browser = Browser.open();
        try {
            login(browser, base, "admin", "admin-demo");
            List<String> paths = new ArrayList<>(List.of("/console/services", "/console/map", "/console/report",
                    "/console/services/new"));
            for (String id : routes) {
                paths.add("/console/services/" + id);
                paths.add("/console/services/" + id + "/edit");
            }
            for (String path : paths) {
                browser.get(base + path);
                pages.add(path + "\n" + browser.getPageSource());
            }
            // the console's own refusal of a route naming a secret the node lacks
            browser.get(base + "/console/services/new");
            browser.findElement(By.id("yaml")).clear();
            browser.findElement(By.id("yaml")).sendKeys(definition("it-cred-console",
                    "url: http://127.0.0.1:9/x\n  auth: {apiKey: {header: X-Api-Key, value: {secret: it-nowhere}}}"));
            browser.findElement(By.id("save")).click();
            new WebDriverWait(browser, Duration.ofSeconds(20)).until(ExpectedConditions.presenceOfElementLocated(By.id("annotated")));
            pages.add(browser.getPageSource());
            browser.get(base + "/console/services/it-cred-tls");
            assertThat(browser.findElement(By.id("auth")).getText()).isEqualTo("OAuth2 (client credentials)");
            assertThat(browser.findElement(By.id("secret-it-client-cert")).getText())
                    .contains("upstream.tls.clientCertSecret", "tersedia");
            assertThat(browser.findElement(By.id("secret-it-ca")).getText()).contains("upstream.tls.trustSecret", "tersedia");
            Browser.shot(browser, "credentials-service-tls");
            browser.quit();

            browser = Browser.open();
            login(browser, base, "auditor", "auditor-demo");
            List<String> auditor = new ArrayList<>(List.of("/console/trail", "/console/trail?route=it-cred-basic",
                    "/console/trail/verify", "/console/map", "/console/report"));
            JsonNode records = Gateway.json(gw.get("/audit/records?size=50", "inspektorat-audit").body()).path("records");
            for (JsonNode record : records) {
                auditor.add("/console/trail/records/" + record.path("id").asText());
            }
            for (String path : auditor) {
                browser.get(base + path);
                pages.add(path + "\n" + browser.getPageSource());
            }
            browser.get(base + "/console/trail/verify");
            browser.findElement(By.id("verify-button")).click();
            new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.presenceOfElementLocated(By.id("verdict")));
            pages.add(browser.getPageSource());
        } finally {
            browser.quit();
        }
        return pages;
    }

    static void login(WebDriver browser, String base, String user, String password) {
        browser.get(base + "/console");
        WebDriverWait waiting = new WebDriverWait(browser, Duration.ofSeconds(20));
        waiting.until(ExpectedConditions.presenceOfElementLocated(By.id("username")));
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        waiting.until(ExpectedConditions.presenceOfElementLocated(By.id("user-name")));
    }
}
