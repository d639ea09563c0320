package id.gerbang.it.keycloak;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static id.gerbang.it.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.Keycloak;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Keycloak goes down while the gateway runs: tokens signed with keys the gateway already fetched keep
 * working, also after its JWK set cache has expired, and {@code /actuator/health} reports the issuer as
 * unreachable while the node as a whole stays up. Keycloak is started again by the next test that needs
 * it ({@link Keycloak#get()}).
 */
class KeycloakOutageIT extends KeycloakTest {

    @Test
    void knownKeysKeepWorkingAndHealthReportsTheIssuerUnreachableWhileKeycloakIsDown() throws Exception {
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("{\"ok\":true}")));
        assertThat(issuerStatus(health(null))).isEqualTo("UP");

        HttpResponse<String> r = get("/api/it/echo/kc", kc.token("dinkes-simpus"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200); // the gateway knows the realm's keys now
        // fetched now, first used while Keycloak is down: the gateway has not verified (nor cached) them
        String unseen = kc.token("dinkes-simpus");
        String admin = kc.token("gerbang-admin");
        String otherRealm = kc.token(Keycloak.OTHER_REALM, "dinkes-simpus", "dinkes-simpus-secret");

        kc.stop();
        long stoppedAt = System.nanoTime();
        try {
            JsonNode health = awaitIssuer("UNREACHABLE");
            assertThat(health.path("status").asText()).as("the node as a whole: " + health).isEqualTo("UP");

            // details for a gateway-admin (a token signed with a known key, so it is accepted)
            JsonNode details = health(admin).path("components").path("issuer").path("details");
            assertThat(details.path("issuer").asText()).isEqualTo(kc.issuer(Keycloak.REALM));
            assertThat(details.path("error").asText()).as(details.toString()).isNotBlank();

            // past the JWK set cache's time to live: the gateway cannot refresh it and keeps the keys it has
            long waited = System.nanoTime() - stoppedAt;
            long wait = Duration.ofSeconds(JWK_CACHE_SECONDS + 2).toNanos() - waited;
            if (wait > 0) {
                Thread.sleep(Duration.ofNanos(wait).toMillis());
            }
            wm.resetRequests();
            r = get("/api/it/echo/kc", unseen);
            assertThat(r.statusCode()).as("a new token signed with a known key while Keycloak is down: " + r.body())
                    .isEqualTo(200);
            assertThat(receivedOnce().getHeader("X-Gerbang-Client")).isEqualTo("dinkes-simpus");

            // a key the gateway never saw cannot be learned now
            assertProblem(get("/api/it/echo/kc", otherRealm), 401, "INVALID_TOKEN");
        } finally {
            Keycloak.get(); // up again for whatever runs next
        }
        awaitIssuer("UP");
    }

    /** The health document once its issuer component has {@code status} (a generous bound, not asserted). */
    private static JsonNode awaitIssuer(String status) {
        return await("the issuer component is " + status).atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(500)).until(() -> health(null), h -> status.equals(issuerStatus(h)));
    }

    private static JsonNode health(String token) throws Exception {
        var request = gw.request("/actuator/health").GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = gw.send(request.build());
        assertThat(r.statusCode()).as("/actuator/health answers 200 while the node serves: " + r.body()).isEqualTo(200);
        return Gateway.json(r.body());
    }

    private static String issuerStatus(JsonNode health) {
        return health.path("components").path("issuer").path("status").asText();
    }
}
