package id.gerbang.gateway.proxy;

import id.gerbang.gateway.credentials.Secrets;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Makes each route's forwarding step with what its upstream needs: the shared client, or one with the
 * route's own TLS context ({@code upstream.tls}); and its credentials ({@code upstream.auth}).
 */
@Component
public class UpstreamForwarders {

    private static final Logger log = LoggerFactory.getLogger(UpstreamForwarders.class);

    private final UpstreamClient client;
    private final Secrets secrets;
    private final OAuth2Tokens tokens;

    public UpstreamForwarders(UpstreamClient client, Secrets secrets, OAuth2Tokens tokens) {
        this.client = client;
        this.secrets = secrets;
        this.tokens = tokens;
    }

    /** Forwarders for a node without secrets: routes with credentials or TLS settings are never valid there. */
    public static UpstreamForwarders plain(UpstreamClient client) {
        Secrets none = new Secrets(null, name -> null, java.time.Clock.systemUTC());
        return new UpstreamForwarders(client, none, new OAuth2Tokens(none));
    }

    /** The forwarding step of {@code route}. */
    public UpstreamForwarder of(Route route) {
        RouteDefinition.Tls tls = route.definition().upstream().tls();
        CloseableHttpClient http = client.client();
        String unusable = null;
        if (tls != null && (tls.trustSecret() != null || tls.clientCertSecret() != null)) {
            try {
                http = client.tlsClient(UpstreamTls.key(tls, secrets), () -> UpstreamTls.context(tls, secrets));
            } catch (RuntimeException e) {
                // the message names the secret, never its value
                unusable = e.getMessage();
                log.error("Route {} v{}: its TLS settings cannot be used, every call will get 502: {}", route.id(),
                        route.version(), unusable);
            }
        }
        return new UpstreamForwarder(http, route, UpstreamAuth.of(route, secrets, tokens, http), unusable);
    }
}
