package id.gerbang.security.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

/** A person's login at the built-in issuer: authorization code with PKCE, as the console uses it. */
class AuthorizationEndpointTest {

    private static final String URL = "http://localhost:8080";
    private static final String REDIRECT = "http://127.0.0.1:8080/login/oauth2/code/gerbang";
    private static final String VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-verifier-of-some-length";
    private static final ObjectMapper JSON = new ObjectMapper();

    private BuiltInIssuer issuer;
    private MockMvc mvc;

    @BeforeEach
    void setUp() {
        IssuerProperties properties = new IssuerProperties(true, URL, null, Duration.ofMinutes(5), "gerbang", Map.of(),
                Map.of("auditor", new IssuerProperties.DemoUser("auditor-demo", "Siti Aminah", "inspektorat", List.of("auditor"))),
                List.of("gerbang-console"));
        issuer = new BuiltInIssuer(properties, URL, Clock.systemUTC());
        AuthorizationEndpoint logins = new AuthorizationEndpoint(issuer);
        mvc = MockMvcBuilders.standaloneSetup(logins, new TokenEndpoint(issuer, logins)).build();
    }

    private static String authorizeQuery(String redirect, String challengeMethod) {
        return "response_type=code&client_id=gerbang-console&scope=openid%20profile&state=st-1&nonce=n-1"
                + "&code_challenge=" + AuthorizationEndpoint.s256(VERIFIER) + "&code_challenge_method=" + challengeMethod
                + "&redirect_uri=" + URLEncoder.encode(redirect, StandardCharsets.UTF_8);
    }

    private MockHttpServletResponse login(String user, String password) throws Exception {
        return mvc.perform(post("/oauth2/authorize").contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .content(authorizeQuery(REDIRECT, "S256") + "&username=" + user + "&password=" + password)).andReturn().getResponse();
    }

    private MockHttpServletResponse exchange(String code, String verifier) throws Exception {
        return mvc.perform(post("/oauth2/token").contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .content("grant_type=authorization_code&client_id=gerbang-console&code=" + code + "&code_verifier=" + verifier
                        + "&redirect_uri=" + URLEncoder.encode(REDIRECT, StandardCharsets.UTF_8))).andReturn().getResponse();
    }

    private static String code(MockHttpServletResponse redirect) {
        String location = redirect.getHeader("Location");
        return location.replaceAll(".*[?&]code=([^&]+).*", "$1");
    }

    @Test
    void showsALoginFormCarryingTheRequest() throws Exception {
        MockHttpServletResponse r = mvc.perform(get(java.net.URI.create("/oauth2/authorize?" + authorizeQuery(REDIRECT, "S256")))).andReturn().getResponse();

        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(r.getContentAsString(StandardCharsets.UTF_8)).contains("<label for=\"username\">", "name=\"code_challenge\"",
                "Masuk ke Gerbang");
        assertThat(r.getHeader("X-Frame-Options")).isEqualTo("DENY");
    }

    @Test
    void neverRedirectsToAnAddressOutsideThisServer() throws Exception {
        for (String bad : List.of("https://evil.example/login/oauth2/code/gerbang", "http://127.0.0.1:9999/login/oauth2/code/gerbang",
                "http://127.0.0.1:8080/elsewhere", "http://127.0.0.1:8080/login/oauth2/code/../../x")) {
            MockHttpServletResponse r = mvc.perform(get(java.net.URI.create("/oauth2/authorize?" + authorizeQuery(bad, "S256")))).andReturn().getResponse();
            assertThat(r.getStatus()).as(bad).isEqualTo(400);
            assertThat(r.getHeader("Location")).as(bad).isNull();
        }
    }

    @Test
    void requiresPkceWithS256() throws Exception {
        MockHttpServletResponse r = mvc.perform(get(java.net.URI.create("/oauth2/authorize?" + authorizeQuery(REDIRECT, "plain")))).andReturn().getResponse();

        assertThat(r.getStatus()).isEqualTo(302);
        assertThat(r.getHeader("Location")).startsWith(REDIRECT + "?error=invalid_request").endsWith("&state=st-1");
    }

    @Test
    void aWrongPasswordGivesNoCode() throws Exception {
        MockHttpServletResponse r = login("auditor", "wrong");

        assertThat(r.getStatus()).isEqualTo(401);
        assertThat(r.getHeader("Location")).isNull();
        assertThat(r.getContentAsString(StandardCharsets.UTF_8)).contains("role=\"alert\"");
    }

    @Test
    void aCodeIsExchangedOnceWithItsVerifierForTokensOfThePersonsRoles() throws Exception {
        MockHttpServletResponse redirect = login("auditor", "auditor-demo");
        assertThat(redirect.getStatus()).isEqualTo(302);
        assertThat(redirect.getHeader("Location")).startsWith(REDIRECT + "?code=").endsWith("&state=st-1");
        String code = code(redirect);

        assertThat(exchange(code, VERIFIER.replace('e', 'x')).getStatus()).as("a wrong verifier").isEqualTo(400);
        MockHttpServletResponse again = exchange(code, VERIFIER);
        assertThat(again.getStatus()).as("the code was spent by the failed attempt").isEqualTo(400);

        String second = code(login("auditor", "auditor-demo"));
        MockHttpServletResponse tokens = exchange(second, VERIFIER);
        assertThat(tokens.getStatus()).isEqualTo(200);
        JsonNode body = JSON.readTree(tokens.getContentAsString());
        JWTClaimsSet access = verified(body.path("access_token").asText());
        JWTClaimsSet id = verified(body.path("id_token").asText());
        assertThat(access.getAudience()).containsExactly("gerbang");
        assertThat(access.getStringClaim("preferred_username")).isEqualTo("auditor");
        assertThat(access.getJSONObjectClaim("realm_access").get("roles")).isEqualTo(List.of("auditor"));
        assertThat(access.getStringClaim("opd")).isEqualTo("inspektorat");
        assertThat(id.getAudience()).containsExactly("gerbang-console");
        assertThat(id.getStringClaim("nonce")).isEqualTo("n-1");
        assertThat(exchange(second, VERIFIER).getStatus()).as("a code is single-use").isEqualTo(400);
    }

    private JWTClaimsSet verified(String token) throws Exception {
        SignedJWT jwt = SignedJWT.parse(token);
        assertThat(jwt.verify(new RSASSAVerifier(issuer.publicKey()))).isTrue();
        return jwt.getJWTClaimsSet();
    }
}
