package id.gerbang.it.keycloak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import id.gerbang.it.support.Browser;
import id.gerbang.it.support.Keycloak;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's login in production: a person of the realm logs in through Keycloak's own login page
 * (the realm file's public client {@code gerbang-console}, authorization code with PKCE); the roles and
 * the OPD come from the Keycloak access token, and the server enforces them. People are set up as
 * docs/keycloak.md says.
 */
class KeycloakConsoleIT extends KeycloakTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private WebDriver browser;

    @BeforeAll
    static void peopleAndRedirect() throws Exception {
        Keycloak.Admin admin = kc.admin();
        // the realm file's redirect URIs name the production address; this gateway listens elsewhere
        JsonNode client = admin.get(Keycloak.REALM + "/clients?clientId=gerbang-console").get(0);
        ObjectNode update = (ObjectNode) client;
        ArrayNode uris = update.putArray("redirectUris");
        uris.add("http://localhost:" + gw.port() + "/login/oauth2/code/gerbang");
        update.withObject("/attributes").put("post.logout.redirect.uris",
                "http://localhost:" + gw.port() + "/console/logged-out");
        admin.send("PUT", Keycloak.REALM + "/clients/" + client.path("id").asText(), update);
        // the opd user attribute is not in Keycloak's default user profile: allow it (docs/keycloak.md)
        ObjectNode profile = (ObjectNode) admin.get(Keycloak.REALM + "/users/profile");
        profile.put("unmanagedAttributePolicy", "ENABLED");
        admin.send("PUT", Keycloak.REALM + "/users/profile", profile);
        person(admin, "siti.aminah", "Siti", "Aminah", "inspektorat", "auditor");
        person(admin, "rahmat.hidayat", "Rahmat", "Hidayat", "diskominfo", "gateway-admin");
    }

    private static void person(Keycloak.Admin admin, String user, String first, String last, String opd, String role)
            throws Exception {
        ObjectNode u = JSON.createObjectNode().put("username", user).put("enabled", true).put("firstName", first)
                .put("lastName", last).put("email", user + "@pelalawankab.go.id").put("emailVerified", true);
        u.putObject("attributes").putArray("opd").add(opd);
        u.putArray("credentials").addObject().put("type", "password").put("value", user + "-Pass-2026").put("temporary", false);
        admin.send("POST", Keycloak.REALM + "/users", u);
        String id = admin.get(Keycloak.REALM + "/users?exact=true&username=" + user).get(0).path("id").asText();
        JsonNode r = admin.get(Keycloak.REALM + "/roles/" + role);
        admin.send("POST", Keycloak.REALM + "/users/" + id + "/role-mappings/realm", JSON.createArrayNode().add(r));
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    private void loginAtKeycloak(String user) {
        browser = Browser.open();
        browser.get("http://localhost:" + gw.port() + "/console");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("kc-login")));
        assertThat(browser.getCurrentUrl()).as("Keycloak's own login page")
                .startsWith(kc.baseUrl() + "/realms/" + Keycloak.REALM + "/protocol/openid-connect/auth")
                .contains("code_challenge_method=S256");
        Browser.shot(browser, "20-keycloak-login");
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(user + "-Pass-2026");
        browser.findElement(By.id("kc-login")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("user-name")));
    }

    @Test
    void anAuditorOfTheRealmLogsInThroughKeycloakAndReadsTheTrailButNotTheRegistry() {
        loginAtKeycloak("siti.aminah");

        assertThat(browser.getCurrentUrl()).endsWith("/console/trail");
        assertThat(browser.findElement(By.id("user-name")).getText()).isEqualTo("Siti Aminah");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Jejak audit");
        Browser.shot(browser, "21-keycloak-auditor");
        browser.get("http://localhost:" + gw.port() + "/console/services");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Akses ditolak");
    }

    @Test
    void anAdministratorOfTheRealmManagesServicesButCannotReadTheTrail() {
        loginAtKeycloak("rahmat.hidayat");

        assertThat(browser.getCurrentUrl()).endsWith("/console/services");
        assertThat(browser.findElement(By.id("services")).getText()).contains("it-echo");
        browser.get("http://localhost:" + gw.port() + "/console/trail");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Akses ditolak");

        // logging out ends the Keycloak session too: the next visit asks for the password again
        browser.findElement(By.cssSelector("form[action$='/console/logout'] button")).click();
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.urlContains("/console/logged-out"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Anda telah keluar");
        browser.get("http://localhost:" + gw.port() + "/console");
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.presenceOfElementLocated(By.id("kc-login")));
    }
}
