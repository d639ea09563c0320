package id.gerbang.gateway.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import id.gerbang.gateway.credentials.Secrets;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * OAuth2 client-credentials tokens for upstreams ({@code upstream.auth.oauth2}): one token per token
 * endpoint, client, secret and scope, fetched once and reused by every call (and every version of the
 * route) until shortly before it expires. Concurrent calls that find no good token wait for one fetch
 * rather than each making their own. A token endpoint that fails, or answers without a token, is the
 * upstream's failure: 502 {@code UPSTREAM_UNAVAILABLE}. The client authenticates with HTTP basic
 * ({@code client_secret_basic}, RFC 6749 2.3.1). The token endpoint is reached with the route's own TLS
 * settings ({@code upstream.tls}: its private CA, its client certificate), as the upstream is: an OPD's
 * token endpoint is usually served beside its application, under the same certificate.
 */
@Component
public class OAuth2Tokens {

    /** A token is fetched again this long before it expires, or at half its life when that is shorter. */
    static final Duration MARGIN = Duration.ofSeconds(30);
    /** How long a token whose answer gives no {@code expires_in} is used. */
    static final Duration UNSTATED_LIFETIME = Duration.ofMinutes(1);
    private static final Logger log = LoggerFactory.getLogger(OAuth2Tokens.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ANSWER = 64 * 1024;

    /** {@code http} is the route's client (the shared one, or one with the route's TLS context), compared by identity. */
    private record Key(String tokenUrl, String clientId, String secret, String scope, CloseableHttpClient http) {}

    private final Secrets secrets;
    private final Clock clock;
    private final Map<Key, Client> clients = new ConcurrentHashMap<>();

    @org.springframework.beans.factory.annotation.Autowired
    public OAuth2Tokens(Secrets secrets) {
        this(secrets, Clock.systemUTC());
    }

    OAuth2Tokens(Secrets secrets, Clock clock) {
        this.secrets = secrets;
        this.clock = clock;
    }

    /**
     * The token source of a route's {@code oauth2} settings, shared with every route that has the same ones
     * and the same TLS settings; {@code http} is the client the route's upstream is called with.
     */
    Client client(Route route, RouteDefinition.OAuth2 settings, CloseableHttpClient http) {
        Key key = new Key(settings.tokenUrl(), settings.clientId(), settings.clientSecret().secret(), settings.scope(), http);
        return clients.computeIfAbsent(key, k -> new Client(k, route.timeoutMs()));
    }

    /** One client's token, fetched when there is none good. */
    final class Client {
        private final Key key;
        private final int timeoutMs;
        private volatile String token;
        private volatile Instant renewAt = Instant.MIN;

        private Client(Key key, int timeoutMs) {
            this.key = key;
            this.timeoutMs = timeoutMs;
        }

        /** A good token: the cached one, or one fetched now (by this call, or by the one already fetching). */
        String token() {
            String t = token;
            if (t != null && clock.instant().isBefore(renewAt)) {
                return t;
            }
            synchronized (this) {
                if (token != null && clock.instant().isBefore(renewAt)) {
                    return token;
                }
                fetch();
                return token;
            }
        }

        /** Forgets {@code sent} if it is still the cached token (the upstream refused it). */
        synchronized void invalidate(String sent) {
            if (sent != null && sent.equals(token)) {
                token = null;
            }
        }

        private void fetch() {
            Instant asked = clock.instant();
            HttpPost post = new HttpPost(URI.create(key.tokenUrl()));
            String clientSecret = secrets.require(key.secret());
            post.setHeader("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (form(key.clientId()) + ":" + form(clientSecret)).getBytes(StandardCharsets.UTF_8)));
            post.setHeader("Accept", "application/json");
            String body = "grant_type=client_credentials" + (key.scope() == null ? "" : "&scope=" + form(key.scope()));
            post.setEntity(new StringEntity(body, ContentType.APPLICATION_FORM_URLENCODED));
            HttpClientContext context = HttpClientContext.create();
            context.setRequestConfig(UpstreamClient.requestConfig(timeoutMs));
            JsonNode answer;
            try (ClassicHttpResponse response = key.http().executeOpen(null, post, context)) {
                if (response.getCode() != 200) {
                    throw failure("answered HTTP " + response.getCode());
                }
                answer = read(response.getEntity());
            } catch (IOException e) {
                log.warn("Token endpoint {} for client {} could not be reached: {}", key.tokenUrl(), key.clientId(), e.toString());
                throw failure("could not be reached");
            }
            JsonNode accessToken = answer == null ? null : answer.get("access_token");
            if (accessToken == null || !accessToken.isTextual() || accessToken.asText().isEmpty()) {
                throw failure("gave no access_token");
            }
            JsonNode expiresIn = answer.get("expires_in");
            Duration lifetime = expiresIn != null && expiresIn.canConvertToLong() && expiresIn.asLong() > 0
                    ? Duration.ofSeconds(expiresIn.asLong()) : UNSTATED_LIFETIME;
            Duration margin = lifetime.dividedBy(2).compareTo(MARGIN) < 0 ? lifetime.dividedBy(2) : MARGIN;
            token = accessToken.asText();
            renewAt = asked.plus(lifetime).minus(margin);
        }

        private UpstreamFailure failure(String what) {
            return new UpstreamFailure(ErrorCode.UPSTREAM_UNAVAILABLE,
                    "the token endpoint for the upstream " + what + ": no token to call it with", false);
        }

        private static JsonNode read(HttpEntity entity) throws IOException {
            if (entity == null) {
                return null;
            }
            try (InputStream in = entity.getContent()) {
                byte[] bytes = in.readNBytes(MAX_ANSWER + 1);
                if (bytes.length > MAX_ANSWER) {
                    return null;
                }
                try {
                    return JSON.readTree(bytes);
                } catch (IOException e) {
                    return null;
                }
            }
        }
    }

    private static String form(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
