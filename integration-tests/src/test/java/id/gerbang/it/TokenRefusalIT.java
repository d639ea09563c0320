package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static id.gerbang.it.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import id.gerbang.it.support.GatewayTest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 401 INVALID_TOKEN with WWW-Authenticate, and nothing forwarded, for every kind of bad credential. The
 * tokens are minted with the gateway's own issuer key (or a foreign one), each wrong in exactly one way.
 */
class TokenRefusalIT extends GatewayTest {

    @BeforeEach
    void okUpstream() {
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("forwarded")));
    }

    private HttpResponse<String> callWith(String authorization) throws Exception {
        return callWith("/api/it/echo/pasien", authorization);
    }

    private HttpResponse<String> callWith(String pathAndQuery, String authorization) throws Exception {
        HttpRequest.Builder b = gw.request(pathAndQuery).GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return gw.send(b.build());
    }

    private void assertRefused(HttpResponse<String> r) throws Exception {
        assertProblem(r, 401, "INVALID_TOKEN");
        assertThat(r.headers().firstValue("WWW-Authenticate")).as("WWW-Authenticate").isPresent();
        assertThat(r.headers().firstValue("WWW-Authenticate").get()).startsWithIgnoringCase("Bearer");
        assertThat(received()).as("requests the upstream received").isEmpty();
    }

    @Test
    void controlATokenMintedWithTheIssuerKeyIsAccepted() throws Exception {
        HttpResponse<String> r = callWith("Bearer " + gw.mint(gw.issuerKey(), c -> { }));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(received()).hasSize(1);
    }

    @Test
    void noToken() throws Exception {
        assertRefused(callWith(null));
    }

    @Test
    void malformedToken() throws Exception {
        assertRefused(callWith("Bearer not.a.jwt"));
    }

    @Test
    void algNoneToken() throws Exception {
        String unsigned = new PlainJWT(gw.claims("dinkes-simpus", "dinkes").build()).serialize();
        assertRefused(callWith("Bearer " + unsigned));
    }

    @Test
    void emptyBearer() throws Exception {
        assertRefused(callWith("Bearer "));
    }

    @Test
    void hmacTokenKeyedWithTheIssuersPublicKey() throws Exception {
        // algorithm confusion: HS256 with the RSA public key (which anyone can fetch) as the shared secret
        byte[] secret = gw.issuerKey().toRSAPublicKey().getEncoded();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(gw.issuerKey().getKeyID()).build(),
                gw.claims("dinkes-simpus", "dinkes").build());
        jwt.sign(new MACSigner(secret));
        assertRefused(callWith("Bearer " + jwt.serialize()));
    }

    @Test
    void tokenSignedByAForeignKey() throws Exception {
        assertRefused(callWith("Bearer " + gw.mint(gw.foreignKey(), c -> { })));
    }

    @Test
    void tokenOfAnotherIssuer() throws Exception {
        assertRefused(callWith("Bearer " + gw.mint(gw.issuerKey(), c -> c.issuer("http://keycloak.example/realms/other"))));
    }

    @Test
    void tokenForAnotherAudience() throws Exception {
        assertRefused(callWith("Bearer " + gw.mint(gw.issuerKey(), c -> c.audience("account"))));
    }

    @Test
    void expiredToken() throws Exception {
        Instant past = Instant.now().minusSeconds(3600);
        assertRefused(callWith("Bearer " + gw.mint(gw.issuerKey(), c -> c.issueTime(Date.from(past))
                .expirationTime(Date.from(past.plusSeconds(300))))));
    }

    @Test
    void tokenNamingNoClient() throws Exception {
        assertRefused(callWith("Bearer " + gw.mint(gw.issuerKey(), c -> c.claim("azp", null).claim("client_id", null))));
    }

    /** The parameter name as sent; each one decodes to {@code access_token}, or PHP reads it as that. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"access_token", "access%5Ftoken", "access%5ftoken", "%61ccess_token", "access_%74oken",
        "access.token", "access+token", "access%20token", "access[token"})
    void tokenInTheQueryStringEvenWithAValidHeader(String name) throws Exception {
        String token = gw.token("dinkes-simpus");
        assertRefused(callWith("/api/it/echo/pasien?nik=1404015708900001&" + name + "=" + token, "Bearer " + token));
    }

    @Test
    void tokenOnlyInTheQueryString() throws Exception {
        assertRefused(callWith("/api/it/echo/pasien?nik=1404015708900001&access_token=" + gw.token("dinkes-simpus"), null));
    }

    @Test
    void basicCredentials() throws Exception {
        String basic = Base64.getEncoder().encodeToString("dinkes-simpus:dinkes-simpus-secret".getBytes(StandardCharsets.UTF_8));
        assertRefused(callWith("Basic " + basic));
    }

    /** One valid token sent in other spellings: each would verify, and each would take a place in the cache. */
    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"!", "~", "*", "%20"})
    void aValidTokenWithACharacterOutsideBase64urlInItsSignature(String inserted) throws Exception {
        String token = gw.token("dinkes-simpus");
        assertThat(callWith("Bearer " + token).statusCode()).as("control: the token itself").isEqualTo(200);
        wm.resetRequests();
        int at = token.lastIndexOf('.') + 100;
        String variant = token.substring(0, at) + inserted.replace("%20", " ") + token.substring(at);

        HttpResponse<String> r = callWith("Bearer " + variant);

        assertRefused(r);
        assertThat(r.body()).contains("outside base64url");
    }

    @Test
    void aValidTokenWithPaddingAfterItsSignature() throws Exception {
        assertRefused(callWith("Bearer " + gw.token("dinkes-simpus") + "=="));
    }

    @Test
    void aTokenLongerThan8KiB() throws Exception {
        HttpResponse<String> r = callWith("Bearer " + gw.mint(gw.issuerKey(), c -> c.claim("pad", "x".repeat(6200))));

        assertRefused(r);
        assertThat(r.body()).contains("longer than 8192 characters");
    }
}
