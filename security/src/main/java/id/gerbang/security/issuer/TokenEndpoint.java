package id.gerbang.security.issuer;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * The built-in issuer's HTTP face: the OAuth2 token endpoint (client credentials grant, with client
 * authentication by HTTP Basic or by form parameters; and the authorization code grant of a person's
 * login, {@link AuthorizationEndpoint}), its JWKS and its discovery document. Only when
 * the built-in issuer is on: the application's component scan finds this class too, and without the
 * condition a node configured for Keycloak would fail to start for want of a {@link BuiltInIssuer}.
 */
@RestController
@ConditionalOnProperty(prefix = IssuerProperties.PREFIX, name = "enabled", havingValue = "true")
class TokenEndpoint {

    static final String TOKEN_PATH = "/oauth2/token";
    static final String JWKS_PATH = "/oauth2/jwks";

    private final BuiltInIssuer issuer;
    private final AuthorizationEndpoint logins;

    TokenEndpoint(BuiltInIssuer issuer, AuthorizationEndpoint logins) {
        this.issuer = issuer;
        this.logins = logins;
    }

    @PostMapping(path = TOKEN_PATH, consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> token(
            @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization,
            @RequestBody(required = false) MultiValueMap<String, String> form) {
        MultiValueMap<String, String> params = form == null ? new org.springframework.util.LinkedMultiValueMap<>() : form;
        String grantType = single(params, "grant_type");
        if (grantType == null) {
            return error(HttpStatus.BAD_REQUEST, "invalid_request", "grant_type is required, once");
        }
        if ("authorization_code".equals(grantType)) {
            return loginTokens(logins.exchange(params));
        }
        if (!"client_credentials".equals(grantType)) {
            return error(HttpStatus.BAD_REQUEST, "unsupported_grant_type",
                    "only client_credentials and authorization_code are supported");
        }
        String clientId = single(params, "client_id");
        String secret = single(params, "client_secret");
        boolean basic = authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6);
        if (basic && (params.containsKey("client_id") || params.containsKey("client_secret"))) {
            // RFC 6749 2.3: a client uses one authentication method per request
            return error(HttpStatus.BAD_REQUEST, "invalid_request", "use either HTTP Basic or form credentials, not both");
        }
        if (basic) {
            String[] pair = basic(authorization.substring(6).trim());
            if (pair == null) {
                return error(HttpStatus.UNAUTHORIZED, "invalid_client", "malformed Basic credentials");
            }
            clientId = pair[0];
            secret = pair[1];
        }
        return issuer.issue(clientId, secret)
                .map(t -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("access_token", t.value());
                    body.put("expires_in", t.expiresInSeconds());
                    body.put("token_type", "Bearer");
                    body.put("scope", "profile email");
                    return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(body);
                })
                .orElseGet(() -> error(HttpStatus.UNAUTHORIZED, "invalid_client", "unknown client or wrong secret"));
    }

    /** A person's tokens for a public login client (PKCE stands in for the client's authentication). */
    private static ResponseEntity<Map<String, Object>> loginTokens(Object exchanged) {
        if (exchanged instanceof AuthorizationEndpoint.Refusal r) {
            return error(HttpStatus.BAD_REQUEST, r.error(), r.description());
        }
        BuiltInIssuer.LoginTokens t = (BuiltInIssuer.LoginTokens) exchanged;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", t.accessToken());
        body.put("id_token", t.idToken());
        body.put("expires_in", t.expiresInSeconds());
        body.put("token_type", "Bearer");
        body.put("scope", "openid profile");
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(body);
    }

    @GetMapping(path = JWKS_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> jwks() {
        return issuer.publicKeys().toJSONObject(true);
    }

    @GetMapping(path = "/.well-known/openid-configuration", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> discovery() {
        String base = issuer.issuerUrl();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("issuer", base);
        doc.put("authorization_endpoint", base + AuthorizationEndpoint.AUTHORIZE_PATH);
        doc.put("token_endpoint", base + TOKEN_PATH);
        doc.put("jwks_uri", base + JWKS_PATH);
        doc.put("grant_types_supported", List.of("client_credentials", "authorization_code"));
        doc.put("response_types_supported", List.of("code"));
        doc.put("code_challenge_methods_supported", List.of("S256"));
        doc.put("scopes_supported", List.of("openid", "profile"));
        doc.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post", "none"));
        doc.put("id_token_signing_alg_values_supported", List.of("RS256"));
        doc.put("subject_types_supported", List.of("public"));
        return doc;
    }

    private static String single(MultiValueMap<String, String> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.size() != 1 ? null : values.get(0);
    }

    private static String[] basic(String encoded) {
        try {
            String decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return null;
            }
            return new String[] {
                java.net.URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
                java.net.URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static ResponseEntity<Map<String, Object>> error(HttpStatus status, String code, String description) {
        ResponseEntity.BodyBuilder b = ResponseEntity.status(status).cacheControl(CacheControl.noStore());
        if (status == HttpStatus.UNAUTHORIZED) {
            b.header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"gerbang\"");
        }
        return b.body(Map.of("error", code, "error_description", description));
    }
}
