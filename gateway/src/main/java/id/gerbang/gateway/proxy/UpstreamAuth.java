package id.gerbang.gateway.proxy;

import id.gerbang.gateway.credentials.Secrets;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpRequest;

/**
 * How the gateway authenticates to one route's upstream ({@code upstream.auth}, docs/upstream-auth.md): the
 * header it sets on every attempt, replacing any header of that name the caller sent (in any case, and in
 * its underscore spelling). Secret values are read from {@link Secrets} on each attempt (they are cached
 * there), so a secret replaced on the node is used without a new route version.
 */
abstract class UpstreamAuth {

    /** No credentials: the upstream trusts the network. */
    static final UpstreamAuth NONE = new UpstreamAuth() {
        @Override
        String apply(HttpRequest request) {
            return null;
        }
    };

    /** {@code http}: the client the route's upstream is called with, its token endpoint too. */
    static UpstreamAuth of(Route route, Secrets secrets, OAuth2Tokens tokens,
            org.apache.hc.client5.http.impl.classic.CloseableHttpClient http) {
        RouteDefinition.Auth auth = route.definition().upstream().auth();
        if (auth == null) {
            return NONE;
        }
        if (auth.basic() != null) {
            String username = auth.basic().username();
            String password = auth.basic().password().secret();
            return header("Authorization", () -> "Basic " + Base64.getEncoder().encodeToString(
                    (username + ":" + secrets.require(password)).getBytes(StandardCharsets.UTF_8)));
        }
        if (auth.apiKey() != null) {
            String secret = auth.apiKey().value().secret();
            return header(auth.apiKey().header(), () -> secrets.require(secret));
        }
        if (auth.splp() != null) {
            String secret = auth.splp().token().secret();
            return header("AuthorizationSPLP", () -> "Bearer " + secrets.require(secret));
        }
        if (auth.oauth2() != null) {
            return new OAuth2(tokens.client(route, auth.oauth2(), http));
        }
        return NONE;
    }

    /**
     * Sets the credentials on one attempt's request.
     *
     * @return the token sent, when it is one the gateway fetched (else {@code null}), for {@link #answered}
     * @throws UpstreamFailure when no token could be had
     */
    abstract String apply(HttpRequest request);

    /** What the upstream answered to {@code sent}: a 401 means that fetched token is no longer good. */
    void answered(int status, String sent) {}

    private static UpstreamAuth header(String name, java.util.function.Supplier<String> value) {
        return new UpstreamAuth() {
            @Override
            String apply(HttpRequest request) {
                replace(request, name, value.get());
                return null;
            }
        };
    }

    /** Sets {@code name}, removing every header the caller sent that an upstream would read as the same. */
    static void replace(HttpRequest request, String name, String value) {
        String dashed = name.toLowerCase(Locale.ROOT).replace('_', '-');
        for (Header h : request.getHeaders()) {
            if (h.getName().toLowerCase(Locale.ROOT).replace('_', '-').equals(dashed)) {
                request.removeHeader(h);
            }
        }
        request.addHeader(name, value);
    }

    private static final class OAuth2 extends UpstreamAuth {
        private final OAuth2Tokens.Client client;

        OAuth2(OAuth2Tokens.Client client) {
            this.client = client;
        }

        @Override
        String apply(HttpRequest request) {
            String token = client.token();
            replace(request, "Authorization", "Bearer " + token);
            return token;
        }

        @Override
        void answered(int status, String sent) {
            if (status == 401) {
                client.invalidate(sent);
            }
        }
    }
}
