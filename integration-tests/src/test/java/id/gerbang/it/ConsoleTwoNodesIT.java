package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import id.gerbang.it.support.Browser;
import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.Postgres;
import id.gerbang.it.support.SwitchingProxy;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console on two packaged nodes over one PostgreSQL, behind a load balancer without sticky sessions
 * ({@link SwitchingProxy}, which sends its own {@code X-Forwarded-*}): a person logged in through one node
 * is logged in on the other; a login started on one node whose callback lands on the other completes;
 * logging out through one node logs the person out on both. {@code /api} and the other APIs make no session
 * and read none; a console page reads its session once and its stylesheets and scripts not at all; visits
 * redirected to the login make no session, and a login's start one that lives five minutes. Both nodes run
 * the built-in issuer with one key under one address (the proxy's), as one issuer behind the load balancer
 * would.
 */
class ConsoleTwoNodesIT {

    private static final String DATABASE = "it_console_sessions";
    private static final Pattern LOG_ENTRY = Pattern.compile("(?m)^(?=\\d{4}-\\d\\d-\\d\\dT)");
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");

    static Postgres pg;
    static SwitchingProxy proxy;
    static Gateway a;
    static Gateway b;
    WebDriver browser;

    @BeforeAll
    static void twoNodesBehindOneAddress() throws Exception {
        pg = Postgres.get();
        pg.createDatabase(DATABASE);
        proxy = new SwitchingProxy();
        Path dir = Files.createTempDirectory(Gateway.targetDir(), "console-sessions-");
        Path issuerKey = dir.resolve("issuer-key.json");
        Files.writeString(issuerKey, new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256)
                .keyIDFromThumbprint(true).generate().toJSONString());
        List<String> shared = new ArrayList<>(pg.gatewayArgs(DATABASE));
        shared.add("--gerbang.trail.nodes=console-a,console-b");
        shared.add("--gerbang.issuer.url=" + proxy.base());
        shared.add("--gerbang.issuer.key-file=" + issuerKey);
        a = Gateway.start("console-a", with(shared, "--gerbang.node=console-a",
                // each statement in A's log, to count what a page costs the session table
                "--logging.level.org.springframework.jdbc.core.JdbcTemplate=DEBUG"));
        b = Gateway.start("console-b", with(shared, "--gerbang.node=console-b"));
        a.upstream().stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("{\"ok\":true}")));
        b.upstream().stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("{\"ok\":true}")));
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
        if (proxy != null) {
            proxy.close();
        }
    }

    @BeforeEach
    void openBrowser() {
        browser = Browser.open();
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(30));
    }

    /** Logs in through the proxy, wherever it sends the requests; returns on the first console page. */
    private void login(String user, String password) {
        browser.get(proxy.base() + "/console");
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("username")));
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("user-name")));
    }

    private String h1() {
        return browser.findElement(By.tagName("h1")).getText();
    }

    private String sessionCookie() {
        Cookie cookie = browser.manage().getCookieNamed("GERBANG_CONSOLE");
        assertThat(cookie).as("the console's session cookie").isNotNull();
        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Lax");
        return cookie.getValue();
    }

    private static long count(String sql, Object... args) throws Exception {
        try (Connection c = pg.connect(DATABASE); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private static long sessionsOf(String user) throws Exception {
        return count("SELECT COUNT(*) FROM spring_session WHERE principal_name = ?", user);
    }

    /**
     * The statements on the session tables in A's log (JdbcTemplate's DEBUG entries, whose SQL spans several
     * lines) that start with {@code verb}, but the nodes' cleanup of expired sessions.
     */
    private static long sessionStatementsInLogOfA(String verb) throws Exception {
        String log = Files.readString(a.log());
        return LOG_ENTRY.splitAsStream(log).filter(e -> e.contains("Executing prepared SQL statement [" + verb)
                && e.contains("SPRING_SESSION") && !e.contains("EXPIRY_TIME <")).count();
    }

    /** Requests the node on A's port served under /console, but its stylesheets and scripts. */
    private static int consoleRequestsServedByA() {
        return proxy.served(a.port(), "/console") - proxy.served(a.port(), "/console/assets/");
    }

    private static int assetsServedByA() {
        return proxy.served(a.port(), "/console/assets/") + proxy.served(a.port(), "/webjars/");
    }

    // ------------------------------------------------------------------------------------------ tests

    @Test
    void aPersonLoggedInThroughOneNodeIsLoggedInOnTheOther() throws Exception {
        proxy.allTo(a.port());
        long sessionsBefore = sessionsOf("auditor");
        login("auditor", "auditor-demo");
        assertThat(h1()).isEqualTo("Jejak audit");
        String cookie = sessionCookie();
        assertThat(sessionsOf("auditor")).as("the session is a row in the shared database").isEqualTo(sessionsBefore + 1);

        proxy.allTo(b.port());
        int before = proxy.served(b.port(), "/console/trail");
        browser.get(proxy.base() + "/console/trail");
        assertThat(browser.findElements(By.id("username"))).as("no login asked for on the other node").isEmpty();
        assertThat(h1()).isEqualTo("Jejak audit");
        assertThat(browser.findElement(By.id("user-name")).getText()).contains("Siti Aminah");
        assertThat(proxy.served(b.port(), "/console/trail")).as("the page came from the other node").isEqualTo(before + 1);
        assertThat(sessionCookie()).as("the same session").isEqualTo(cookie);
        Browser.shot(browser, "20-two-nodes-other-node");

        // the same cookie straight to each node's own port: both know the session
        for (Gateway node : List.of(a, b)) {
            HttpResponse<String> page = node.send(node.request("/console/trail").header("Cookie", "GERBANG_CONSOLE=" + cookie)
                    .GET().build());
            assertThat(page.statusCode()).as("node on port " + node.port()).isEqualTo(200);
            assertThat(page.body()).contains("Siti Aminah");
        }
    }

    @Test
    void aLoginStartedOnOneNodeWhoseCallbackLandsOnTheOtherCompletes() throws Exception {
        proxy.split(a.port(), b.port());
        assertThat(sessionsOf("admin")).isZero(); // no other test logs the administrator in
        int startsOnA = proxy.served(a.port(), "/oauth2/authorization/");
        int callbacksOnA = proxy.served(a.port(), "/login/oauth2/code/");
        int callbacksOnB = proxy.served(b.port(), "/login/oauth2/code/");
        login("admin", "admin-demo");
        assertThat(h1()).isEqualTo("Layanan");
        assertThat(proxy.served(a.port(), "/oauth2/authorization/")).as("the login started on A").isGreaterThan(startsOnA);
        assertThat(proxy.served(b.port(), "/login/oauth2/code/")).as("its callback landed on B").isEqualTo(callbacksOnB + 1);
        assertThat(proxy.served(a.port(), "/login/oauth2/code/")).isEqualTo(callbacksOnA);
        assertThat(sessionsOf("admin")).isEqualTo(1);
        assertThat(count("SELECT MAX(max_inactive_interval) FROM spring_session WHERE principal_name = 'admin'"))
                .as("a logged-in session lives the idle timeout, not the login's five minutes").isEqualTo(1800);
        Browser.shot(browser, "21-two-nodes-callback-on-other-node");

        // what the session holds: the security context and the CSRF token; the login's state is gone, and
        // the only token in it is the ID token, which the APIs refuse (its audience is the console's client)
        List<String> names = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        try (Connection c = pg.connect(DATABASE); PreparedStatement s = c.prepareStatement("SELECT a.attribute_name, "
                + "a.attribute_bytes FROM spring_session_attributes a JOIN spring_session s ON s.primary_id = a.session_primary_id "
                + "WHERE s.principal_name = 'admin'"); ResultSet r = s.executeQuery()) {
            while (r.next()) {
                names.add(r.getString(1));
                Matcher jwt = JWT.matcher(new String(r.getBytes(2), StandardCharsets.ISO_8859_1));
                while (jwt.find()) {
                    tokens.add(jwt.group());
                }
            }
        }
        assertThat(names).containsExactlyInAnyOrder("SPRING_SECURITY_CONTEXT",
                "org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository.CSRF_TOKEN");
        assertThat(tokens).as("the ID token").isNotEmpty().allMatch(t -> t.equals(tokens.get(0)));
        String payload = new String(Base64.getUrlDecoder().decode(tokens.get(0).split("\\.")[1]), StandardCharsets.UTF_8);
        assertThat(Gateway.json(payload).path("aud").toString()).contains("gerbang-console");
        HttpResponse<String> withIdToken = a.send(a.request("/admin/routes").header("Authorization", "Bearer " + tokens.get(0))
                .GET().build());
        assertThat(withIdToken.statusCode()).as("the ID token is no API token").isEqualTo(401);
    }

    @Test
    void loggingOutThroughOneNodeLogsThePersonOutOnBoth() throws Exception {
        proxy.allTo(a.port());
        login("auditor", "auditor-demo");
        String cookie = sessionCookie();
        long before = sessionsOf("auditor");

        proxy.allTo(b.port());
        browser.get(proxy.base() + "/console/map");
        browser.findElement(By.cssSelector("form[action$='/console/logout'] button")).click();
        waiting().until(ExpectedConditions.urlContains("/console/logged-out"));
        assertThat(h1()).isEqualTo("Anda telah keluar");
        assertThat(sessionsOf("auditor")).as("the session's row is deleted").isEqualTo(before - 1);

        proxy.allTo(a.port());
        browser.get(proxy.base() + "/console/trail");
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("username")));
        HttpResponse<String> old = a.send(a.request("/console/trail").header("Cookie", "GERBANG_CONSOLE=" + cookie).GET().build());
        assertThat(old.statusCode()).as("the old cookie on A").isEqualTo(302);
        assertThat(old.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).contains("/oauth2/authorization/gerbang"));
    }

    @Test
    void apiCallsMakeNoSession() throws Exception {
        proxy.allTo(a.port());
        login("auditor", "auditor-demo");
        String cookie = sessionCookie();
        long sessions = count("SELECT COUNT(*) FROM spring_session");
        long attributes = count("SELECT COUNT(*) FROM spring_session_attributes");
        long statementsOnA = sessionStatementsInLogOfA("");

        for (Gateway node : List.of(a, b)) {
            String client = "Bearer " + node.token("dinkes-simpus");
            for (String path : List.of("/api/it/echo/sessions", "/catalog", "/actuator/health", "/api/it/echo/none")) {
                // with the person's console cookie too: an API call never reads the session it names
                for (boolean withCookie : List.of(false, true)) {
                    HttpRequest.Builder r = node.request(path).header("Authorization", client);
                    if (withCookie) {
                        r.header("Cookie", "GERBANG_CONSOLE=" + cookie);
                    }
                    // the token is taken (what the upstream answers, in time or not, is not the point here)
                    assertThat(node.send(r.GET().build()).statusCode()).as(path).isNotIn(401, 403);
                }
            }
            assertThat(node.get("/admin/routes", "gerbang-admin").statusCode()).isEqualTo(200);
            assertThat(node.get("/audit/records?size=1", "inspektorat-audit").statusCode()).isEqualTo(200);
            assertThat(node.send(node.request("/api/it/echo/anonymous").GET().build()).statusCode()).isEqualTo(401);
            assertThat(node.tokenRequest("grant_type=client_credentials", "bapenda-sipd", "bapenda-sipd-secret").statusCode())
                    .isEqualTo(200);
        }
        assertThat(count("SELECT COUNT(*) FROM spring_session")).as("no session made by an API call").isEqualTo(sessions);
        assertThat(count("SELECT COUNT(*) FROM spring_session_attributes")).isEqualTo(attributes);
        assertThat(sessionStatementsInLogOfA("")).as("the session named by the cookie not even read").isEqualTo(statementsOnA);
    }

    @Test
    void aConsolePageReadsItsSessionOnceAndItsStylesheetsAndScriptsNever() throws Exception {
        proxy.allTo(a.port());
        login("auditor", "auditor-demo");
        // a call on the trail, so that the map has a picture; the page is then loaded once, its assets
        // cached as after any first page
        assertThat(a.send(a.request("/api/it/echo/map").header("Authorization", "Bearer " + a.token("dinkes-simpus"))
                .GET().build()).statusCode()).as("taken, in time or not").isNotIn(401, 403);
        await("the map with a picture").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            browser.get(proxy.base() + "/console/map");
            return !browser.findElements(By.id("map-picture")).isEmpty();
        });
        long readsBefore = sessionStatementsInLogOfA("SELECT");
        long statementsBefore = sessionStatementsInLogOfA("");
        int requestsBefore = consoleRequestsServedByA();
        int assetsBefore = assetsServedByA();
        int pages = 10;
        long started = System.nanoTime();
        for (int i = 0; i < pages; i++) {
            browser.get(proxy.base() + "/console/map");
            waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("user-name")));
            waiting().until(d -> Boolean.TRUE.equals(((org.openqa.selenium.JavascriptExecutor) d).executeScript(
                    "const p = document.getElementById('map-picture'); return p != null && p.complete;")));
        }
        long minutes = (System.nanoTime() - started) / 60_000_000_000L;
        int requests = consoleRequestsServedByA() - requestsBefore;
        int assets = assetsServedByA() - assetsBefore;
        // the log is written before each answer; waiting only covers a slow file system
        await("the pages' reads are logged").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> sessionStatementsInLogOfA("SELECT") - readsBefore >= requests);
        long reads = sessionStatementsInLogOfA("SELECT") - readsBefore;
        long writes = sessionStatementsInLogOfA("") - statementsBefore - reads;
        System.out.printf("%d map pages made %d requests needing the person (each page and its picture), %d for stylesheets "
                + "and scripts, and %d reads and %d writes of the session tables%n", pages, requests, assets, reads, writes);
        assertThat(requests).as("each page and its picture").isEqualTo(2 * pages);
        assertThat(reads).as("one read of the session per request needing the person, none for stylesheets and scripts")
                .isEqualTo(requests);
        assertThat(writes).as("the last access written once a minute at most: nothing else changed").isLessThanOrEqualTo(1 + minutes);
    }

    @Test
    void visitsRedirectedToTheLoginMakeNoSessionAndALoginsStartOneOfFiveMinutes() throws Exception {
        long sessions = count("SELECT COUNT(*) FROM spring_session");
        for (Gateway node : List.of(a, b)) {
            for (int i = 0; i < 25; i++) {
                for (String path : List.of("/console", "/console/trail", "/console/map?from=x", "/console/services")) {
                    HttpResponse<String> r = node.send(node.request(path).GET().build());
                    assertThat(r.statusCode()).as(path).isEqualTo(302);
                    assertThat(r.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith(
                            "/oauth2/authorization/gerbang"));
                    assertThat(r.headers().firstValue("Set-Cookie")).as("no cookie: no session").isEmpty();
                }
                // stylesheets, scripts and the page after logging out: no session either
                for (String path : List.of("/console/assets/console.css", "/console/logged-out")) {
                    assertThat(node.send(node.request(path).GET().build()).statusCode()).as(path).isEqualTo(200);
                }
            }
        }
        assertThat(count("SELECT COUNT(*) FROM spring_session")).as("200 visits redirected to the login").isEqualTo(sessions);

        // starting the login keeps its state (PKCE verifier, state, nonce) until the callback: in a session
        // that lives five minutes idle
        long now = System.currentTimeMillis();
        for (Gateway node : List.of(a, b)) {
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> r = node.send(node.request("/oauth2/authorization/gerbang").GET().build());
                assertThat(r.statusCode()).isEqualTo(302);
                assertThat(r.headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c).startsWith("GERBANG_CONSOLE="));
            }
        }
        assertThat(count("SELECT COUNT(*) FROM spring_session")).isEqualTo(sessions + 20);
        assertThat(count("SELECT COUNT(*) FROM spring_session WHERE principal_name IS NULL AND max_inactive_interval <> 300"))
                .as("every session nobody has logged in with lives five minutes idle").isZero();
        assertThat(count("SELECT COUNT(*) FROM spring_session WHERE principal_name IS NULL AND expiry_time > ?",
                System.currentTimeMillis() + Duration.ofMinutes(5).toMillis())).as("none expires later").isZero();
        assertThat(count("SELECT COUNT(*) FROM spring_session WHERE principal_name IS NULL AND expiry_time >= ?",
                now + Duration.ofMinutes(5).toMillis())).as("the ones just made: five minutes from now").isEqualTo(20);
    }
}
