package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.it.support.Browser;
import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.Postgres;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (Debian's headless Chromium, driven through its chromedriver), against the
 * packaged gateway on PostgreSQL with the built-in issuer's login form: an auditor finds a call, opens
 * it, exports the search and verifies the trail (valid, then not after tampering with the database); an
 * administrator publishes a service with bad then good YAML, sees it live and rolls it back; neither
 * reaches the other's pages. Every page is saved as a screenshot under {@code target/console-screenshots}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {

    private static final String DATABASE = "it_console";
    private static final String SECRET_VALUE = "console-key-" + UUID.randomUUID();

    static Gateway gw;
    static Postgres pg;
    static String callId;
    WebDriver browser;
    String base;

    @BeforeAll
    static void gateway() throws Exception {
        pg = Postgres.get();
        pg.createDatabase(DATABASE);
        List<String> args = new ArrayList<>(pg.gatewayArgs(DATABASE));
        args.add("--gerbang.node=it-console");
        java.nio.file.Path secrets = java.nio.file.Files.createTempDirectory(Gateway.targetDir(), "console-secrets-");
        java.nio.file.Files.writeString(secrets.resolve("it-console-key"), SECRET_VALUE + "\n");
        args.add("--gerbang.secrets.dir=" + secrets);
        gw = Gateway.start("gateway-console", args);
        gw.upstream().stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("{\"ok\":true}")));
        // the call the auditor will look for; a fresh node's first calls may meet the route's 1.5 s timeout
        // on a busy machine, which is not what this test is about: seed until one is served
        int status = 0;
        for (int attempt = 0; attempt < 5 && status != 200; attempt++) {
            callId = "console-" + UUID.randomUUID();
            status = gw.send(gw.request("/api/it/echo/pasien/1404015708900001").header("X-Correlation-Id", callId)
                    .header("Authorization", "Bearer " + gw.token("dinkes-simpus")).GET().build()).statusCode();
        }
        assertThat(status).as("the seeded call").isEqualTo(200);
        for (int i = 0; i < 5; i++) {
            gw.get("/api/it/restricted/x", "dinkes-simpus"); // refused: 403, on the map as refused
            gw.get("/api/it/echo/x" + i, "dinkes-simpus");
        }
        gw.send(gw.request("/api/it/echo/anonymous").GET().build()); // no token: a call of no known OPD
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @BeforeEach
    void openBrowser() {
        browser = Browser.open();
        base = "http://localhost:" + gw.port();
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    private void login(String user, String password) {
        browser.get(base + "/console");
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("username")));
        shot("00-login");
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("user-name")));
    }

    private void shot(String name) {
        Browser.shot(browser, name);
    }

    private String h1() {
        return browser.findElement(By.tagName("h1")).getText();
    }

    /** A GET with the browser's session, for downloads the browser would save to disk. */
    private HttpResponse<String> withSession(String pathAndQuery) throws Exception {
        Cookie session = browser.manage().getCookieNamed("GERBANG_CONSOLE");
        assertThat(session).as("the console's session cookie").isNotNull();
        return gw.send(HttpRequest.newBuilder(java.net.URI.create(base + pathAndQuery))
                .header("Cookie", "GERBANG_CONSOLE=" + session.getValue()).GET().build());
    }

    // ------------------------------------------------------------------------------------------ auditor

    @Test
    @Order(1)
    void withoutASessionTheConsoleRedirectsToTheLogin() throws Exception {
        HttpResponse<String> r = gw.send(gw.request("/console").GET().build());
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).contains("/oauth2/authorization/gerbang"));

        browser.get(base + "/console/trail");
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("username")));
        browser.findElement(By.id("username")).sendKeys("auditor");
        browser.findElement(By.id("password")).sendKeys("wrong");
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        assertThat(browser.findElement(By.cssSelector("[role=alert]")).getText()).contains("salah");
        assertThat(browser.manage().getCookieNamed("GERBANG_CONSOLE") == null
                || withSession("/console/trail").statusCode() != 200).as("no session from a wrong password").isTrue();
    }

    @Test
    @Order(2)
    void anAuditorFindsACallOpensItAndExportsTheSearch() throws Exception {
        login("auditor", "auditor-demo");
        assertThat(browser.getCurrentUrl()).endsWith("/console/trail");
        assertThat(h1()).isEqualTo("Jejak audit");
        assertThat(browser.findElements(By.linkText("Layanan"))).as("no registry pages in an auditor's menu").isEmpty();

        browser.findElement(By.id("correlationId")).sendKeys(callId);
        browser.findElement(By.id("search-button")).click();
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("total"), "1"));
        shot("01-trail-search");
        WebElement row = browser.findElement(By.cssSelector("#results tbody tr"));
        assertThat(row.getText()).contains("dinkes-simpus", "it-echo", "200");
        assertThat(row.getText()).as("the NIK in the path is masked").doesNotContain("1404015708900001");
        assertThat(row.findElement(By.tagName("time")).getAttribute("title")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(row.findElement(By.tagName("time")).getText()).endsWith("WIB");

        String csvHref = browser.findElement(By.id("export-csv")).getAttribute("href");
        row.findElement(By.className("record-link")).click();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("record-correlation")));
        assertThat(browser.findElement(By.id("record-correlation")).getText()).isEqualTo(callId);
        shot("02-trail-record");

        HttpResponse<String> csv = withSession(csvHref.substring(base.length()));
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/csv"));
        assertThat(csv.body().lines().toList()).hasSize(2).last().asString().contains(callId);
    }

    @Test
    @Order(3)
    void theAuditorsReadingsAreThemselvesOnTheTrail() throws Exception {
        HttpResponse<String> r = gw.get("/audit/records?kind=trail-read&client=auditor&size=100", "inspektorat-audit");
        assertThat(r.body()).contains("\\\"via\\\":\\\"console\\\"", "\\\"action\\\":\\\"search\\\"", "\\\"action\\\":\\\"export\\\"",
                "\\\"action\\\":\\\"record\\\"");
    }

    @Test
    @Order(4)
    void anAuditorCannotReachTheRegistryPages() {
        login("auditor", "auditor-demo");
        browser.get(base + "/console/services");
        assertThat(h1()).isEqualTo("Akses ditolak");
        shot("03-auditor-forbidden");
    }

    @Test
    @Order(5)
    void theIntegrationMapAndTheReportShowWhoCallsWhom() throws Exception {
        login("auditor", "auditor-demo");
        browser.get(base + "/console/map");
        WebElement cell = browser.findElement(By.cssSelector("[data-pair='dinkes-diskominfo']"));
        assertThat(Integer.parseInt(cell.getText())).isGreaterThanOrEqualTo(6);
        assertThat(browser.findElements(By.cssSelector("#traffic-chart"))).hasSize(1);
        String traffic = browser.findElement(By.id("traffic-data")).getAttribute("textContent");
        assertThat(traffic).as("the chart's words are the page's").contains("\"tanpa OPD\"", "panggilan / hari")
                .doesNotContain("\"?\"", "calls");
        assertThat(traffic).as("the days of the period around today's calls, drawn as a line").contains("\"type\":\"line\"")
                .containsPattern("\"labels\":\\[(\"[^\"]+\",){6,}");
        WebElement picture = browser.findElement(By.id("map-picture"));
        waiting().until(d -> ((Number) ((JavascriptExecutor) d).executeScript(
                "return arguments[0].complete ? arguments[0].naturalWidth : 0", picture)).intValue() > 0);
        HttpResponse<String> svg = withSession(picture.getAttribute("src").substring(base.length()));
        assertThat(svg.statusCode()).isEqualTo(200);
        assertThat(svg.headers().firstValue("Content-Type").orElse("")).startsWith("image/svg+xml");
        assertThat(svg.headers().firstValue("Content-Security-Policy").orElse("")).startsWith("default-src 'none'");
        assertThat(svg.body()).as("the picture names each OPD and draws dinkes's calls to diskominfo")
                .contains("data-opd=\"dinkes\"", "data-from=\"dinkes\" data-to=\"diskominfo\"")
                .doesNotContain("<script");
        ((JavascriptExecutor) browser).executeScript("document.getElementById('picture-title').scrollIntoView()");
        shot("04-map");

        browser.get(base + "/console/report");
        assertThat(Integer.parseInt(browser.findElement(By.id("total-calls")).getText())).isGreaterThanOrEqualTo(11);
        assertThat(browser.findElement(By.id("report-services")).getText()).contains("it-echo");
        Instant periodEnd = Instant.parse(browser.findElement(By.id("period-to")).getAttribute("datetime"));
        Instant generated = Instant.parse(browser.findElement(By.id("generated")).getAttribute("datetime"));
        assertThat(periodEnd).as("the report covers no time after it was made").isBeforeOrEqualTo(generated);
        assertThat(browser.findElement(By.id("period-to")).getText()).isEqualTo(browser.findElement(By.id("generated")).getText());
        shot("05-report");
        HttpResponse<String> csv = withSession(browser.findElement(By.id("report-csv")).getAttribute("href").substring(base.length()));
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.body()).contains("totals,calls,", "service,owner,calls,failed,refused,availability,p95_ms", "it-echo,");
        HttpResponse<String> mapFile = withSession(browser.findElement(By.id("report-map-svg")).getAttribute("href").substring(base.length()));
        assertThat(mapFile.statusCode()).isEqualTo(200);
        assertThat(mapFile.headers().firstValue("Content-Disposition").orElse("")).startsWith("attachment;").endsWith(".svg\"");
        assertThat(gw.get("/audit/records?kind=trail-read&client=auditor&size=200", "inspektorat-audit").body())
                .as("looking at the map and the report is a reading of the trail")
                .contains("\\\"action\\\":\\\"map\\\"", "\\\"action\\\":\\\"report\\\"", "\\\"action\\\":\\\"report-csv\\\"",
                        "\\\"action\\\":\\\"map-svg\\\"");

        browser.findElement(By.linkText("English")).click();
        assertThat(h1()).isEqualTo("Service integration period report");
    }

    // ------------------------------------------------------------------------------------------ admin

    @Test
    @Order(6)
    void anAdministratorPublishesWithBadThenGoodYamlSeesItLiveAndRollsBack() throws Exception {
        login("admin", "admin-demo");
        assertThat(browser.getCurrentUrl()).endsWith("/console/services");
        shot("06-services");
        browser.findElement(By.id("new-service")).click();
        String bad = """
                id: console-pasien
                owner: Dinas Kesehatan
                path: /console/pasien
                upstream:
                  url: http://169.254.169.254/latest
                access:
                  opds: [dinkes]
                """;
        WebElement yaml = browser.findElement(By.id("yaml"));
        yaml.clear();
        yaml.sendKeys(bad);
        browser.findElement(By.id("save")).click();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("annotated")));
        shot("07-service-refused");
        assertThat(browser.findElement(By.id("line-2")).getText()).contains("owner").contains("harus cocok dengan pola")
                .doesNotContain("must match");
        assertThat(browser.findElement(By.id("line-5")).getText()).contains("upstream.url").contains("tidak pernah diizinkan");

        String good = bad.replace("Dinas Kesehatan", "dinkes").replace("http://169.254.169.254/latest", gw.upstream().baseUrl() + "/v1");
        yaml = browser.findElement(By.id("yaml"));
        yaml.clear();
        yaml.sendKeys(good);
        browser.findElement(By.id("save")).click();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("saved")));
        assertThat(browser.findElement(By.id("current-version")).getText()).contains("1");
        assertThat(gw.get("/api/console/pasien/7", "dinkes-simpus").statusCode()).as("live at once").isEqualTo(200);
        HttpResponse<String> splp = withSession(browser.findElement(By.id("splp-openapi")).getAttribute("href").substring(base.length()));
        assertThat(splp.statusCode()).isEqualTo(200);
        assertThat(splp.headers().firstValue("Content-Disposition").orElse("")).contains("console-pasien-splp-openapi.json");
        assertThat(splp.body()).as("the SPLP document names Gerbang, not the upstream")
                .contains("\"x-wso2-auth-header\" : \"AuthorizationSPLP\"", base + "/api/console/pasien")
                .doesNotContain(gw.upstream().baseUrl());

        browser.findElement(By.id("edit-service")).click();
        yaml = browser.findElement(By.id("yaml"));
        String v2 = yaml.getAttribute("value").replace("/v1", "/v2");
        yaml.clear();
        yaml.sendKeys(v2);
        browser.findElement(By.id("save")).click();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("saved")));
        assertThat(browser.findElement(By.id("diff")).getText()).contains("upstream.url").contains("/v1").contains("/v2");
        shot("08-service-history");

        browser.findElement(By.id("rollback-1")).click();
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("current-version"), "3"));
        assertThat(browser.findElement(By.id("definition")).getText()).contains("/v1");
        gw.upstream().resetRequests();
        gw.get("/api/console/pasien/8", "dinkes-simpus");
        assertThat(gw.upstream().getAllServeEvents().get(0).getRequest().getUrl()).isEqualTo("/v1/8");

        HttpResponse<String> changes = gw.get("/audit/records?kind=route-change&route=console-pasien", "inspektorat-audit");
        assertThat(changes.body()).contains("\\\"source\\\":\\\"console\\\"", "\\\"actor\\\":\\\"admin\\\"");

        browser.get(base + "/console/trail");
        assertThat(h1()).as("the trail is the auditor's").isEqualTo("Akses ditolak");

        browser.findElement(By.cssSelector("form[action$='/console/logout'] button")).click();
        waiting().until(ExpectedConditions.urlContains("/console/logged-out"));
        assertThat(h1()).isEqualTo("Anda telah keluar");
        assertThat(withSessionOrNull("/console/services")).as("the session is gone").isNotEqualTo(200);
    }

    @Test
    @Order(6)
    void anAdministratorSeesAServicesCredentialsByNameAndNeverTheirValue() throws Exception {
        HttpResponse<String> put = gw.send(gw.request("/admin/routes/console-sicantik")
                .header("Authorization", "Bearer " + gw.token("gerbang-admin")).header("Content-Type", "application/yaml")
                .PUT(HttpRequest.BodyPublishers.ofString("""
                        id: console-sicantik
                        owner: dpmptsp
                        path: /console/sicantik
                        upstream:
                          url: %s/sicantik
                          auth: {apiKey: {header: X-Api-Key, value: {secret: it-console-key}}}
                          callerAssertion: true
                        mediation: {xml: {}}
                        access: {opds: [dinkes]}
                        """.formatted(gw.upstream().baseUrl()))).build());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        login("admin", "admin-demo");
        browser.get(base + "/console/services");
        WebElement row = browser.findElement(By.xpath("//table[@id='services']//tr[td/a[text()='console-sicantik']]"));
        assertThat(row.getText()).contains("kunci API", "rahasia it-console-key tersedia", "asersi pemanggil", "XML");
        browser.findElement(By.linkText("console-sicantik")).click();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("upstream")));
        shot("06b-service-credentials");
        assertThat(browser.findElement(By.id("auth")).getText()).isEqualTo("kunci API");
        assertThat(browser.findElement(By.id("caller-assertion")).getText()).isEqualTo("dikirim");
        assertThat(browser.findElement(By.id("mediation")).getText()).isEqualTo("XML");
        assertThat(browser.findElement(By.id("secret-it-console-key")).getText())
                .contains("upstream.auth.apiKey.value", "it-console-key", "tersedia");
        assertThat(browser.getPageSource()).doesNotContain(SECRET_VALUE);
    }

    private int withSessionOrNull(String path) throws Exception {
        Cookie session = browser.manage().getCookieNamed("GERBANG_CONSOLE");
        return session == null ? 302 : withSession(path).statusCode();
    }

    // ------------------------------------------------------------------------------------------ verify

    @Test
    @Order(7)
    void verifyingSaysValidThenPointsAtTheRecordTamperedWith() throws Exception {
        login("auditor", "auditor-demo");
        browser.get(base + "/console/trail/verify");
        browser.findElement(By.id("verify-button")).click();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("verdict")));
        assertThat(browser.findElement(By.id("verdict")).getText()).contains("VALID").doesNotContain("TIDAK");
        // the node's signed checkpoints, with their timestamps (or that none is signed yet)
        assertThat(browser.findElement(By.id("checkpoints")).getText()).contains("Checkpoint bertanda tangan");
        assertThat(browser.findElement(By.id("latest-checkpoints")).getText()).contains("it-console");
        shot("09-verify-valid");

        long id;
        try (Connection c = pg.connect(DATABASE); Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT id FROM audit_record WHERE correlation_id = '" + callId + "'");
            rs.next();
            id = rs.getLong(1);
            s.executeUpdate("UPDATE audit_record SET status = 204 WHERE id = " + id); // an insider edits a record
        }
        browser.findElement(By.id("verify-button")).click();
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("verdict"), "TIDAK VALID"));
        shot("10-verify-invalid");
        assertThat(browser.findElement(By.id("first-invalid")).getAttribute("href")).endsWith("/console/trail/records/" + id);
    }
}
