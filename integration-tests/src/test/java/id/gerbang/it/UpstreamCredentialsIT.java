package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import id.gerbang.it.support.Gateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Upstream credentials end to end, against the packaged jar with a secrets directory: each kind reaches
 * the upstream exactly as it should, a failing token endpoint is a recorded 502, a route naming a secret
 * the node lacks is refused, and no secret's value appears in any answer, the trail, the admin API, the
 * catalogue or the node's log.
 */
class UpstreamCredentialsIT {

    /** Every secret's value: none of them may ever be seen outside the upstream call it is for. */
    static final Map<String, String> SECRETS = Map.of(
            "it-basic-password", "Pw-" + UUID.randomUUID(),
            "it-api-key", "Key-" + UUID.randomUUID(),
            "it-splp-token", "Splp-" + UUID.randomUUID(),
            "it-oauth-secret", "Oauth-" + UUID.randomUUID());
    static final String ISSUED_TOKEN = "Issued-" + UUID.randomUUID();

    static Gateway gw;
    static final List<String> answers = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Path secrets = Files.createTempDirectory(Gateway.targetDir(), "secrets-");
        for (Map.Entry<String, String> s : SECRETS.entrySet()) {
            Files.writeString(secrets.resolve(s.getKey()), s.getValue() + "\n");
        }
        gw = Gateway.start("credentials", List.of("--gerbang.secrets.dir=" + secrets));
        String base = "http://127.0.0.1:" + gw.upstream().port();
        gw.upstream().stubFor(any(urlPathMatching("/cred/.*")).willReturn(aResponse().withStatus(200).withBody("{\"ok\":true}")));
        gw.upstream().stubFor(post(urlEqualTo("/oauth/token")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"access_token\":\"" + ISSUED_TOKEN + "\",\"token_type\":\"Bearer\",\"expires_in\":600}")));
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
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
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

    /** A call as dinkes-simpus, with its own Authorization and headers a caller might try to slip through. */
    static HttpResponse<String> call(String id) throws Exception {
        HttpResponse<String> r = gw.send(gw.request("/api/" + id + "/x").header("Authorization", "Bearer " + gw.token("dinkes-simpus"))
                .header("X-Api-Key", "from-the-caller").header("AuthorizationSPLP", "Bearer from-the-caller").GET().build());
        answers.add(r.headers().map() + r.body());
        return r;
    }

    static LoggedRequest received(String path) {
        List<LoggedRequest> got = gw.upstream().findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlEqualTo(path)));
        assertThat(got).isNotEmpty();
        return got.get(got.size() - 1);
    }

    @Test
    void eachKindOfCredentialReachesTheUpstreamExactlyAndTheCallersNever() throws Exception {
        assertThat(call("it-cred-basic").statusCode()).isEqualTo(200);
        assertThat(received("/cred/basic/x").getHeader("Authorization")).isEqualTo("Basic " + Base64.getEncoder()
                .encodeToString(("gerbang:" + SECRETS.get("it-basic-password")).getBytes(StandardCharsets.UTF_8)));

        assertThat(call("it-cred-apikey").statusCode()).isEqualTo(200);
        LoggedRequest apiKey = received("/cred/apikey/x");
        assertThat(apiKey.getHeaders().getHeader("X-Api-Key").values()).containsExactly(SECRETS.get("it-api-key"));
        assertThat(apiKey.containsHeader("Authorization")).isFalse();
        assertThat(apiKey.containsHeader("AuthorizationSPLP")).isFalse();

        assertThat(call("it-cred-splp").statusCode()).isEqualTo(200);
        assertThat(received("/cred/splp/x").getHeaders().getHeader("AuthorizationSPLP").values())
                .containsExactly("Bearer " + SECRETS.get("it-splp-token"));

        assertThat(call("it-cred-oauth").statusCode()).isEqualTo(200);
        assertThat(call("it-cred-oauth").statusCode()).isEqualTo(200);
        assertThat(received("/cred/oauth/x").getHeader("Authorization")).isEqualTo("Bearer " + ISSUED_TOKEN);
        gw.upstream().verify(1, postRequestedFor(urlEqualTo("/oauth/token")));
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
        assertThat(gw.upstream().findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlEqualTo("/cred/broken/x"))))
                .isEmpty();
        HttpResponse<String> records = gw.get("/audit/records?route=it-cred-broken&from=" + from, "inspektorat-audit");
        answers.add(records.body());
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

    @Test
    void noSecretValueAppearsInAnyAnswerTheTrailTheAdminApiTheCatalogueOrTheLog() throws Exception {
        eachKindOfCredentialReachesTheUpstreamExactlyAndTheCallersNever();
        aFailingTokenEndpointIsARecorded502AndTheUpstreamIsNeverCalled();
        List<String> seen = new ArrayList<>();
        seen.add(admin("GET", "/admin/routes", null).body());
        theCallerAssertionIsSignedByAKeyOnThePublicJwksAndNamesTheCall();
        seen.add(gw.send(gw.request("/.well-known/gerbang-jwks.json").GET().build()).body());
        for (String id : List.of("it-cred-basic", "it-cred-apikey", "it-cred-splp", "it-cred-oauth", "it-cred-broken", "it-cred-assert")) {
            seen.add(admin("GET", "/admin/routes/" + id + "/history", null).body());
            HttpResponse<String> catalogue = gw.get("/catalog/" + id, "dinkes-simpus");
            assertThat(Gateway.json(catalogue.body()).path("upstreamCredentials").path("secrets").get(0).path("resolves").asBoolean())
                    .isTrue();
            seen.add(catalogue.body());
        }
        seen.add(gw.get("/catalog", "dinkes-simpus").body());
        String period = "from=" + Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS)
                + "&to=" + Instant.now().plusSeconds(5).truncatedTo(ChronoUnit.SECONDS);
        seen.add(gw.get("/audit/export?format=ndjson&" + period, "inspektorat-audit").body());
        seen.add(gw.get("/audit/export?format=csv&" + period, "inspektorat-audit").body());
        seen.add(Files.readString(gw.log()));
        seen.addAll(answers);

        for (Map.Entry<String, String> secret : SECRETS.entrySet()) {
            String base64 = Base64.getEncoder().encodeToString(secret.getValue().getBytes(StandardCharsets.UTF_8));
            assertThat(seen).as(secret.getKey()).noneMatch(s -> s.contains(secret.getValue()) || s.contains(base64));
        }
        assertThat(seen).noneMatch(s -> s.contains(ISSUED_TOKEN));
    }
}
