package id.gerbang.security.oidc;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSetUnavailableException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The signing keys of a remote issuer (a Keycloak realm): its JWK set, fetched from the address given
 * ({@code jwk-set-uri}) or, when only the issuer is given, from the {@code jwks_uri} of the issuer's
 * OpenID discovery document, looked up on the first fetch (so a node starts while the issuer is down).
 *
 * <p>Every {@link #fetch()} is one request to the issuer, uncached: the decoder puts its own cache in
 * front ({@link RemoteIssuerDecoder}), and the health check wants the answer of now.
 */
public final class IssuerKeys implements JWKSetSource<SecurityContext> {

    /** A JWK set larger than this is refused: a realm has a handful of keys, a few KiB. */
    static final int MAX_BYTES = 1024 * 1024;

    private final String issuer;
    private volatile URI jwkSetUri;
    private final Duration timeout;
    private final HttpClient http;

    /**
     * @param issuer    the issuer identifier ({@code https://sso.example/realms/pelalawan}); may be null when
     *                  {@code jwkSetUri} is given
     * @param jwkSetUri the JWK set's address; null to discover it from the issuer
     * @param timeout   connect and read timeout of each request
     */
    public IssuerKeys(String issuer, String jwkSetUri, Duration timeout) {
        if (isBlank(issuer) && isBlank(jwkSetUri)) {
            throw new IllegalArgumentException("an issuer or a JWK set URI is needed");
        }
        this.issuer = isBlank(issuer) ? null : issuer;
        this.jwkSetUri = isBlank(jwkSetUri) ? null : URI.create(jwkSetUri);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(ProxySelector.getDefault())
                .build();
    }

    /** The issuer identifier, when one is configured. */
    public Optional<String> issuer() {
        return Optional.ofNullable(issuer);
    }

    /** The JWK set's address: configured, or discovered by an earlier fetch; empty before that. */
    public Optional<URI> jwkSetUri() {
        return Optional.ofNullable(jwkSetUri);
    }

    /**
     * The issuer's JWK set as it is served now (after a discovery request the first time).
     *
     * @throws IOException when the issuer cannot be reached or answers with something else than a JWK set
     */
    public JWKSet fetch() throws IOException {
        try {
            return JWKSet.parse(get(resolveJwkSetUri()));
        } catch (ParseException e) {
            throw new IOException("the JWK set at " + jwkSetUri + " cannot be read: " + e.getMessage(), e);
        }
    }

    @Override
    public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator refreshEvaluator, long currentTime, SecurityContext context)
            throws KeySourceException {
        try {
            return fetch();
        } catch (IOException e) {
            throw new JWKSetUnavailableException("the issuer's keys cannot be fetched: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        // the JDK's client needs no closing on Java 17
    }

    private URI resolveJwkSetUri() throws IOException {
        URI known = jwkSetUri;
        if (known != null) {
            return known;
        }
        URI discovery = URI.create(issuer + (issuer.endsWith("/") ? "" : "/") + ".well-known/openid-configuration");
        Map<String, Object> metadata;
        try {
            metadata = JSONObjectUtils.parse(get(discovery));
        } catch (ParseException e) {
            throw new IOException("the discovery document at " + discovery + " cannot be read: " + e.getMessage(), e);
        }
        // as Spring Security does: the document must name the issuer it was asked for
        if (!issuer.equals(metadata.get("issuer"))) {
            throw new IOException("the discovery document at " + discovery + " names the issuer "
                    + metadata.get("issuer") + ", not " + issuer);
        }
        if (!(metadata.get("jwks_uri") instanceof String uri) || uri.isBlank()) {
            throw new IOException("the discovery document at " + discovery + " has no jwks_uri");
        }
        URI resolved = URI.create(uri);
        jwkSetUri = resolved;
        return resolved;
    }

    private String get(URI uri) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Accept", "application/json, application/jwk-set+json")
                .GET()
                .build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + uri, e);
        } catch (IOException e) {
            throw new IOException(uri + " cannot be reached: " + describe(e), e);
        }
        try (InputStream body = response.body()) {
            byte[] bytes = body.readNBytes(MAX_BYTES + 1);
            if (response.statusCode() != 200) {
                throw new IOException(uri + " answered " + response.statusCode());
            }
            if (bytes.length > MAX_BYTES) {
                throw new IOException(uri + " answered more than " + MAX_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
