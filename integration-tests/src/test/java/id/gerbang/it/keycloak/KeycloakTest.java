package id.gerbang.it.keycloak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.Keycloak;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the end-to-end tests with real Keycloak tokens: the shared {@link Keycloak}, and one gateway
 * for all of them, configured as production is: tokens from the {@code pelalawan} realm
 * ({@code spring.security.oauth2.resourceserver.jwt.issuer-uri}), the built-in issuer off. Two settings
 * are shortened so that the tests need not wait minutes: the clock skew on expiry (1 s instead of 60 s)
 * and the JWK set cache's time to live (12 s instead of 5 minutes).
 */
abstract class KeycloakTest {

    /** The gateway's JWK set cache time to live in these tests. */
    static final int JWK_CACHE_SECONDS = 12;

    private static Gateway shared;

    protected static Keycloak kc;
    protected static Gateway gw;
    protected static WireMockServer wm;

    @BeforeAll
    static void keycloakAndGateway() throws Exception {
        kc = Keycloak.get();
        gw = gateway();
        wm = gw.upstream();
    }

    private static synchronized Gateway gateway() throws Exception {
        if (shared == null) {
            shared = Gateway.start("keycloak-gateway", List.of(
                    "--gerbang.issuer.enabled=false",
                    "--spring.security.oauth2.resourceserver.jwt.issuer-uri=" + kc.issuer(Keycloak.REALM),
                    "--gerbang.security.clock-skew=1s",
                    "--gerbang.security.jwk-set.cache-ttl=" + JWK_CACHE_SECONDS + "s",
                    "--gerbang.security.jwk-set.health-check-interval=1s"));
            Gateway g = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(g::close, "keycloak-gateway-stop"));
        }
        return shared;
    }

    @BeforeEach
    void resetUpstream() {
        wm.resetAll();
    }

    /** GET on the gateway with a bearer token. */
    static HttpResponse<String> get(String path, String token) throws Exception {
        return gw.send(gw.request(path).header("Authorization", "Bearer " + token).GET().build());
    }

    /** Every request the upstream received since the test began, oldest first. */
    static List<LoggedRequest> received() {
        List<LoggedRequest> all = new ArrayList<>(wm.getAllServeEvents().stream().map(ServeEvent::getRequest).toList());
        Collections.reverse(all);
        return all;
    }

    static LoggedRequest receivedOnce() {
        List<LoggedRequest> all = received();
        assertThat(all).as("requests the upstream received").hasSize(1);
        return all.get(0);
    }

    /** The claims of a JWT, read without checking anything (to show what Keycloak put in it). */
    static JsonNode claims(String jwt) throws Exception {
        return Gateway.json(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    /** The header of a JWT. */
    static JsonNode header(String jwt) throws Exception {
        return Gateway.json(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]), StandardCharsets.UTF_8));
    }
}
