package id.gerbang.it.keycloak;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static id.gerbang.it.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.Keycloak;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway against real Keycloak tokens (client credentials grant) from the repository's realm file:
 * identity forwarded, access lists, every kind of bad token, roles, and a signing key rotated while the
 * gateway runs.
 */
class KeycloakTokensIT extends KeycloakTest {

    @BeforeEach
    void okUpstream() {
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("{\"ok\":true}")));
    }

    @Test
    void clientsOfSeveralOpdsReachTheUpstreamAsThemselves() throws Exception {
        String dinkes = kc.token("dinkes-simpus");
        JsonNode claims = claims(dinkes);
        assertThat(claims.path("azp").asText()).isEqualTo("dinkes-simpus");
        assertThat(claims.path("opd").asText()).isEqualTo("dinkes");
        assertThat(claims.path("aud").toString()).contains("\"gerbang\"");
        assertThat(claims.path("iss").asText()).isEqualTo(kc.issuer(Keycloak.REALM));

        HttpResponse<String> r = get("/api/it/echo/kc?x=1", dinkes);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        LoggedRequest up = receivedOnce();
        assertThat(up.getUrl()).isEqualTo("/svc/kc?x=1");
        assertThat(up.getHeader("X-Gerbang-Client")).isEqualTo("dinkes-simpus");
        assertThat(up.getHeader("X-Gerbang-Opd")).isEqualTo("dinkes");
        assertThat(up.containsHeader("Authorization")).as("the caller's token is never forwarded").isFalse();

        wm.resetRequests();
        r = get("/api/it/restricted/kc", kc.token("bapenda-sipd"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        up = receivedOnce();
        assertThat(up.getHeader("X-Gerbang-Client")).isEqualTo("bapenda-sipd");
        assertThat(up.getHeader("X-Gerbang-Opd")).isEqualTo("bapenda");
    }

    @Test
    void clientsNotOnTheAccessListAreDenied() throws Exception {
        // it-restricted lists the client bapenda-sipd; it-echo lists the OPD dinkes
        assertProblem(get("/api/it/restricted/kc", kc.token("dpmptsp-sicantik")), 403, "ACCESS_DENIED");
        assertProblem(get("/api/it/echo/kc", kc.token("disdukcapil-siak")), 403, "ACCESS_DENIED");
        assertThat(received()).as("requests the upstream received").isEmpty();
    }

    @Test
    void expiredTokenIsRefused() throws Exception {
        kc.admin().createClient(Keycloak.REALM, "it-short-lived", "dinkes", true, 5);
        String token = kc.token("it-short-lived");
        JsonNode claims = claims(token);
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).as("the client's token lifetime").isEqualTo(5);

        HttpResponse<String> fresh = get("/api/it/echo/kc", token);
        assertThat(fresh.statusCode()).as("while valid: " + fresh.body()).isEqualTo(200);

        // served until past exp and the gateway's 1 s clock skew in these tests (60 s by default); the wait
        // is bounded generously, not asserted
        await("the token expires for the gateway").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> get("/api/it/echo/kc", token).statusCode(), status -> status != 200);
        wm.resetRequests();
        assertProblem(get("/api/it/echo/kc", token), 401, "INVALID_TOKEN");
        assertThat(received()).as("requests the upstream received").isEmpty();
    }

    @Test
    void tokenFromAnotherRealmIsRefused() throws Exception {
        String token = kc.token(Keycloak.OTHER_REALM, "dinkes-simpus", "dinkes-simpus-secret");
        JsonNode claims = claims(token);
        // the same client id, OPD and audience: only the issuer (and its keys) differ
        assertThat(claims.path("azp").asText()).isEqualTo("dinkes-simpus");
        assertThat(claims.path("opd").asText()).isEqualTo("dinkes");
        assertThat(claims.path("aud").toString()).contains("\"gerbang\"");
        assertThat(claims.path("iss").asText()).isEqualTo(kc.issuer(Keycloak.OTHER_REALM));

        assertProblem(get("/api/it/echo/kc", token), 401, "INVALID_TOKEN");
        assertThat(received()).as("requests the upstream received").isEmpty();
    }

    @Test
    void tokenWithoutTheGatewayAudienceIsRefused() throws Exception {
        kc.admin().createClient(Keycloak.REALM, "it-no-audience", "dinkes", false, null);
        String token = kc.token("it-no-audience");
        JsonNode claims = claims(token);
        assertThat(claims.path("opd").asText()).isEqualTo("dinkes");
        assertThat(claims.path("aud").toString()).doesNotContain("\"gerbang\"");

        assertProblem(get("/api/it/echo/kc", token), 401, "INVALID_TOKEN");
        assertThat(received()).as("requests the upstream received").isEmpty();
    }

    @Test
    void tamperedTokensAreRefused() throws Exception {
        String token = kc.token("dinkes-simpus");
        String[] parts = token.split("\\.");
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();

        // claims changed (another client, one on it-restricted's list), signature kept
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"azp\":\"dinkes-simpus\"", "\"azp\":\"bapenda-sipd\"");
        assertThat(payload).contains("\"azp\":\"bapenda-sipd\"");
        String otherClaims = parts[0] + "." + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertProblem(get("/api/it/restricted/kc", otherClaims), 401, "INVALID_TOKEN");

        // signature changed: one byte of it
        byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
        signature[signature.length / 2] ^= 0x01;
        String badSignature = parts[0] + "." + parts[1] + "." + b64.encodeToString(signature);
        assertProblem(get("/api/it/echo/kc", badSignature), 401, "INVALID_TOKEN");

        assertThat(received()).as("requests the upstream received").isEmpty();
        HttpResponse<String> control = get("/api/it/echo/kc", token);
        assertThat(control.statusCode()).as("the untouched token: " + control.body()).isEqualTo(200);
    }

    @Test
    void adminRoleManagesRoutesButCannotReadTheTrail() throws Exception {
        String admin = kc.token("gerbang-admin");
        assertThat(claims(admin).path("realm_access").path("roles").toString()).contains("\"gateway-admin\"");

        HttpResponse<String> routes = get("/admin/routes", admin);
        assertThat(routes.statusCode()).as("GET /admin/routes as gateway-admin: " + routes.body()).isEqualTo(200);
        String yaml = "owner: dinkes\npath: /kc-admin/pasien\nupstream: {url: \"" + wm.baseUrl() + "/kc\"}\naccess: {opds: [dinkes]}\n";
        HttpResponse<String> created = gw.send(gw.request("/admin/routes/kc-admin-pasien")
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/yaml")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(yaml)).build());
        assertThat(created.statusCode()).as("PUT /admin/routes/kc-admin-pasien: " + created.body()).isEqualTo(201);
        assertThat(Gateway.json(created.body()).path("changedBy").asText()).isEqualTo("gerbang-admin");
        assertThat(get("/api/kc-admin/pasien/1", kc.token("dinkes-simpus")).statusCode()).isEqualTo(200);

        assertProblem(get("/audit/records", admin), 403, "ACCESS_DENIED");
    }

    @Test
    void auditorReadsTheTrailButCannotManageRoutes() throws Exception {
        String auditor = kc.token("inspektorat-audit");
        assertThat(claims(auditor).path("realm_access").path("roles").toString()).contains("\"auditor\"");

        // a call by a Keycloak client, then its record as the auditor reads it
        String cid = "kc-" + UUID.randomUUID();
        HttpResponse<String> call = gw.send(gw.request("/api/it/echo/kc").header("X-Correlation-Id", cid)
                .header("Authorization", "Bearer " + kc.token("dinkes-simpus")).GET().build());
        assertThat(call.statusCode()).as(call.body()).isEqualTo(200);

        HttpResponse<String> trail = get("/audit/records?correlationId=" + cid, auditor);
        assertThat(trail.statusCode()).as(trail.body()).isEqualTo(200);
        JsonNode records = Gateway.json(trail.body()).path("records");
        assertThat(records).as(trail.body()).hasSize(1);
        assertThat(records.get(0).path("clientId").asText()).isEqualTo("dinkes-simpus");
        assertThat(records.get(0).path("clientOpd").asText()).isEqualTo("dinkes");
        assertThat(records.get(0).path("status").asInt()).isEqualTo(200);

        assertProblem(get("/admin/routes", auditor), 403, "ACCESS_DENIED");
        assertProblem(gw.send(gw.request("/admin/routes/kc-auditor-try").header("Authorization", "Bearer " + auditor)
                .header("Content-Type", "application/yaml")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("owner: dinkes\n")).build()), 403, "ACCESS_DENIED");
    }

    @Test
    void rotatedSigningKeyIsAcceptedWithoutARestart() throws Exception {
        long pid = gw.pid();
        HttpResponse<String> r = get("/api/it/echo/kc", kc.token("dinkes-simpus"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200); // the gateway has fetched the keys of now
        String before = kc.token("dinkes-simpus"); // signed by the old key, first shown to the gateway below

        List<String> oldKids = new ArrayList<>();
        kc.jwks(Keycloak.REALM).path("keys").forEach(k -> oldKids.add(k.path("kid").asText()));
        String newKid = kc.admin().rotateSigningKey(Keycloak.REALM);
        assertThat(oldKids).doesNotContain(newKid);

        String after = kc.token("dinkes-simpus");
        assertThat(header(after).path("kid").asText()).as("Keycloak signs with the new key").isEqualTo(newKid);

        // an unknown key id makes the gateway fetch the JWK set again; such refreshes are limited to two
        // per gerbang.security.jwk-set.refresh-min-interval (10 s), which earlier tests may have used up
        HttpResponse<String> accepted = await("a token signed by the new key is accepted").atMost(Duration.ofSeconds(60))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500)).until(() -> {
                    HttpResponse<String> attempt = get("/api/it/echo/kc", after);
                    if (attempt.statusCode() != 200) {
                        assertProblem(attempt, 401, "INVALID_TOKEN");
                    }
                    return attempt;
                }, a -> a.statusCode() == 200);
        assertThat(accepted.body()).isNotEmpty();
        assertThat(gw.pid()).as("the same gateway process").isEqualTo(pid);

        // the old key is passive now: still published, so tokens it signed stay valid until they expire
        assertThat(header(before).path("kid").asText()).isIn(oldKids);
        r = get("/api/it/echo/kc", before);
        assertThat(r.statusCode()).as("a token signed by the old key: " + r.body()).isEqualTo(200);
    }
}
