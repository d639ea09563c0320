package id.gerbang.security.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

class TokenEndpointTest {

    private static final String URL = "http://localhost:8080";
    private static BuiltInIssuer issuer;

    private MockMvc mvc;

    @BeforeAll
    static void issuer() {
        IssuerProperties properties = new IssuerProperties(true, URL, null, Duration.ofMinutes(5), "gerbang", Map.of(
                "dinkes-simpus", new IssuerProperties.DemoClient("rahasia-simpus", "dinkes", List.of()),
                "bapenda-pajak", new IssuerProperties.DemoClient("p@ss:w%rd+1", "bapenda", List.of())));
        issuer = new BuiltInIssuer(properties, URL, Clock.systemUTC());
    }

    @BeforeEach
    void setUp() {
        mvc = MockMvcBuilders.standaloneSetup(new TokenEndpoint(issuer, new AuthorizationEndpoint(issuer))).build();
    }

    private static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    private ResultActions token(String authorization, String form) throws Exception {
        var request = post("/oauth2/token").contentType(MediaType.APPLICATION_FORM_URLENCODED).content(form);
        if (authorization != null) {
            request.header(HttpHeaders.AUTHORIZATION, authorization);
        }
        return mvc.perform(request);
    }

    private static void assertIssuedBy(String token, String clientId) throws Exception {
        SignedJWT jwt = SignedJWT.parse(token);
        assertThat(jwt.verify(new RSASSAVerifier(issuer.publicKey()))).isTrue();
        assertThat(jwt.getJWTClaimsSet().getStringClaim("azp")).isEqualTo(clientId);
    }

    @Test
    void clientCredentialsWithHttpBasicGetsABearerToken() throws Exception {
        String body = token(basic("dinkes-simpus:rahasia-simpus"), "grant_type=client_credentials")
                .andExpect(status().isOk())
                .andExpect(header().string(HttpHeaders.CONTENT_TYPE, startsWith(MediaType.APPLICATION_JSON_VALUE)))
                .andExpect(header().string(HttpHeaders.CACHE_CONTROL, containsString("no-store")))
                .andExpect(jsonPath("$.token_type", is("Bearer")))
                .andExpect(jsonPath("$.expires_in", is(300)))
                .andExpect(jsonPath("$.access_token").isString())
                .andReturn().getResponse().getContentAsString();

        assertIssuedBy(JsonPath.read(body, "$.access_token"), "dinkes-simpus");
    }

    @Test
    void clientCredentialsWithFormParametersGetsABearerToken() throws Exception {
        String body = token(null, "grant_type=client_credentials&client_id=dinkes-simpus&client_secret=rahasia-simpus")
                .andExpect(status().isOk())
                .andExpect(header().string(HttpHeaders.CACHE_CONTROL, containsString("no-store")))
                .andExpect(jsonPath("$.token_type", is("Bearer")))
                .andExpect(jsonPath("$.expires_in", is(300)))
                .andReturn().getResponse().getContentAsString();

        assertIssuedBy(JsonPath.read(body, "$.access_token"), "dinkes-simpus");
    }

    @Test
    void basicCredentialsAreFormUrlDecodedSoASecretMayHoldAColon() throws Exception {
        // RFC 6749 section 2.3.1: id and secret are form-url-encoded before the Basic encoding
        String body = token(basic("bapenda-pajak:p%40ss%3Aw%25rd%2B1"), "grant_type=client_credentials")
                .andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();

        assertIssuedBy(JsonPath.read(body, "$.access_token"), "bapenda-pajak");
    }

    @Test
    void aWrongSecretByBasicIsInvalidClientWithAChallenge() throws Exception {
        token(basic("dinkes-simpus:salah"), "grant_type=client_credentials")
                .andExpect(status().isUnauthorized())
                .andExpect(header().string(HttpHeaders.WWW_AUTHENTICATE, startsWith("Basic")))
                .andExpect(header().string(HttpHeaders.CACHE_CONTROL, containsString("no-store")))
                .andExpect(jsonPath("$.error", is("invalid_client")))
                .andExpect(jsonPath("$.access_token").doesNotExist());
    }

    @Test
    void aWrongSecretByFormIsInvalidClient() throws Exception {
        token(null, "grant_type=client_credentials&client_id=dinkes-simpus&client_secret=salah")
                .andExpect(status().isUnauthorized())
                .andExpect(header().exists(HttpHeaders.WWW_AUTHENTICATE))
                .andExpect(jsonPath("$.error", is("invalid_client")));
    }

    @Test
    void anUnknownClientIsInvalidClient() throws Exception {
        token(basic("bkpsdm-simpeg:rahasia-simpus"), "grant_type=client_credentials")
                .andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.error", is("invalid_client")));
    }

    @Test
    void noClientCredentialsAtAllIsInvalidClient() throws Exception {
        token(null, "grant_type=client_credentials")
                .andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.error", is("invalid_client")));
    }

    @Test
    void thePasswordGrantIsUnsupported() throws Exception {
        token(null, "grant_type=password&username=admin&password=admin&client_id=dinkes-simpus&client_secret=rahasia-simpus")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.error", is("unsupported_grant_type")))
                .andExpect(jsonPath("$.access_token").doesNotExist());
    }

    @Test
    void aRequestWithoutGrantTypeGetsNoToken() throws Exception {
        token(basic("dinkes-simpus:rahasia-simpus"), "scope=x")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.error", is("invalid_request")))
                .andExpect(jsonPath("$.access_token").doesNotExist());
    }

    @Test
    void aRepeatedGrantTypeGetsNoToken() throws Exception {
        token(basic("dinkes-simpus:rahasia-simpus"), "grant_type=client_credentials&grant_type=password")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.access_token").doesNotExist());
    }

    @Test
    void aBasicHeaderThatIsNotBase64IsInvalidClient() throws Exception {
        token("Basic !!!not-base64!!!", "grant_type=client_credentials")
                .andExpect(status().isUnauthorized())
                .andExpect(header().exists(HttpHeaders.WWW_AUTHENTICATE))
                .andExpect(jsonPath("$.error", is("invalid_client")));
    }

    @Test
    void aBasicHeaderWithoutColonIsInvalidClient() throws Exception {
        token(basic("dinkes-simpus"), "grant_type=client_credentials")
                .andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.error", is("invalid_client")));
    }

    @Test
    void aBasicHeaderWithABadPercentEscapeIsInvalidClient() throws Exception {
        token(basic("dinkes-simpus:%zz"), "grant_type=client_credentials")
                .andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.error", is("invalid_client")));
    }

    @Test
    void basicAndFormCredentialsTogetherAreRefused() throws Exception {
        token("Basic %%%", "grant_type=client_credentials&client_id=dinkes-simpus&client_secret=rahasia-simpus")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.error", is("invalid_request")))
                .andExpect(jsonPath("$.access_token").doesNotExist());
        token(basic("dinkes-simpus:rahasia-simpus"), "grant_type=client_credentials&client_id=dinkes-simpus")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.error", is("invalid_request")));
    }

    @Test
    void theJwksHoldsOnlyThePublicKey() throws Exception {
        mvc.perform(get("/oauth2/jwks"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.keys", hasSize(1)))
                .andExpect(jsonPath("$.keys[0].kty", is("RSA")))
                .andExpect(jsonPath("$.keys[0].kid", is(issuer.publicKey().getKeyID())))
                .andExpect(jsonPath("$.keys[0].n").isString())
                .andExpect(jsonPath("$.keys[0].e").isString())
                .andExpect(jsonPath("$.keys[0].d").doesNotExist())
                .andExpect(jsonPath("$.keys[0].p").doesNotExist())
                .andExpect(jsonPath("$.keys[0].q").doesNotExist())
                .andExpect(jsonPath("$.keys[0].dp").doesNotExist())
                .andExpect(jsonPath("$.keys[0].dq").doesNotExist())
                .andExpect(jsonPath("$.keys[0].qi").doesNotExist());
    }

    @Test
    void theDiscoveryDocumentNamesIssuerTokenEndpointAndJwksUri() throws Exception {
        mvc.perform(get("/.well-known/openid-configuration"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.issuer", is(URL)))
                .andExpect(jsonPath("$.token_endpoint", is(URL + "/oauth2/token")))
                .andExpect(jsonPath("$.jwks_uri", is(URL + "/oauth2/jwks")))
                .andExpect(jsonPath("$.authorization_endpoint", is(URL + "/oauth2/authorize")))
                .andExpect(jsonPath("$.code_challenge_methods_supported", is(List.of("S256"))))
                .andExpect(jsonPath("$.grant_types_supported", is(List.of("client_credentials", "authorization_code"))));
    }
}
