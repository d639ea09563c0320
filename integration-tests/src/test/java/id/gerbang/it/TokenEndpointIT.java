package id.gerbang.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.GatewayTest;
import java.net.http.HttpResponse;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The built-in issuer's {@code POST /oauth2/token}: client credentials only, tokens of Keycloak's shape. */
class TokenEndpointIT extends GatewayTest {

    @Test
    void wrongSecretIsInvalidClient() throws Exception {
        HttpResponse<String> r = gw.tokenRequest("grant_type=client_credentials", "dinkes-simpus", "wrong-secret");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(Gateway.json(r.body()).path("error").asText()).isEqualTo("invalid_client");
        assertThat(r.body()).doesNotContain("access_token");
        assertThat(r.headers().firstValue("X-Correlation-Id")).as("X-Correlation-Id on every answer").isPresent();
    }

    @Test
    void unknownClientIsInvalidClient() throws Exception {
        HttpResponse<String> r = gw.tokenRequest("grant_type=client_credentials", "no-such-client", "x");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(Gateway.json(r.body()).path("error").asText()).isEqualTo("invalid_client");
    }

    @Test
    void unsupportedGrantIsRefused() throws Exception {
        HttpResponse<String> r = gw.tokenRequest("grant_type=password&username=a&password=b",
                "dinkes-simpus", "dinkes-simpus-secret");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(Gateway.json(r.body()).path("error").asText()).isEqualTo("unsupported_grant_type");
        assertThat(r.body()).doesNotContain("access_token");
    }

    @Test
    void issuedTokenHasKeycloakShape() throws Exception {
        HttpResponse<String> r = gw.tokenRequest("grant_type=client_credentials", "dinkes-simpus", "dinkes-simpus-secret");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = Gateway.json(r.body());
        assertThat(body.path("token_type").asText()).isEqualToIgnoringCase("Bearer");
        assertThat(body.path("expires_in").asLong()).isPositive();

        SignedJWT jwt = SignedJWT.parse(body.path("access_token").asText());
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(gw.issuerKey().getKeyID());
        assertThat(jwt.verify(new RSASSAVerifier(gw.issuerKey().toRSAPublicKey())))
                .as("signed with the key of <data-dir>/issuer-key.json").isTrue();
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertThat(claims.getStringClaim("azp")).isEqualTo("dinkes-simpus");
        assertThat(claims.getStringClaim("client_id")).isEqualTo("dinkes-simpus");
        assertThat(claims.getStringClaim("opd")).isEqualTo("dinkes");
        assertThat(claims.getAudience()).contains("gerbang");
        assertThat(claims.getIssuer()).isEqualTo(gw.issuerUrl());
        assertThat(claims.getExpirationTime()).isAfter(new Date());
        assertThat(claims.getJSONObjectClaim("realm_access")).containsKey("roles");
    }

    @Test
    void issuedTokenCarriesRealmRoles() throws Exception {
        SignedJWT admin = SignedJWT.parse(gw.token("gerbang-admin"));
        Map<String, Object> realmAccess = admin.getJWTClaimsSet().getJSONObjectClaim("realm_access");
        assertThat(realmAccess.get("roles")).asList().containsExactly("gateway-admin");
        assertThat(admin.getJWTClaimsSet().getStringClaim("opd")).isEqualTo("diskominfo");

        SignedJWT auditor = SignedJWT.parse(gw.token("inspektorat-audit"));
        assertThat(auditor.getJWTClaimsSet().getJSONObjectClaim("realm_access").get("roles")).asList()
                .containsExactly("auditor");
    }
}
