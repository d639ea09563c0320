package id.gerbang.gateway.credentials;

import id.gerbang.routes.RouteDefinition;
import id.gerbang.routes.SecretNames;
import java.util.ArrayList;
import java.util.List;

/**
 * What the catalogue and the console show of a route's upstream credentials: the kind of {@code auth}, whether a
 * caller assertion is sent, and each secret by name with whether this node resolves it. Never a value.
 *
 * @param auth            {@code basic}, {@code apiKey}, {@code oauth2}, {@code splp}, or {@code null}
 * @param callerAssertion whether {@code X-Gerbang-Assertion} is sent
 * @param secrets         each secret the route names, in the order of the definition
 */
public record CredentialsSummary(String auth, boolean callerAssertion, List<SecretUse> secrets) {

    /**
     * @param name     the secret's name
     * @param field    where the definition names it ({@code auth.apiKey.value}, {@code tls.trustSecret})
     * @param resolves whether this node has a value for it
     */
    public record SecretUse(String name, String field, boolean resolves) {}

    /** The summary of an upstream's credentials, or {@code null} when it has none. */
    public static CredentialsSummary of(RouteDefinition.Upstream upstream, SecretNames node) {
        if (upstream == null || upstream.auth() == null && upstream.tls() == null
                && !Boolean.TRUE.equals(upstream.callerAssertion())) {
            return null;
        }
        List<SecretUse> secrets = new ArrayList<>();
        String kind = null;
        RouteDefinition.Auth a = upstream.auth();
        if (a != null) {
            if (a.basic() != null) {
                kind = "basic";
                add(secrets, a.basic().password(), "auth.basic.password", node);
            } else if (a.apiKey() != null) {
                kind = "apiKey";
                add(secrets, a.apiKey().value(), "auth.apiKey.value", node);
            } else if (a.oauth2() != null) {
                kind = "oauth2";
                add(secrets, a.oauth2().clientSecret(), "auth.oauth2.clientSecret", node);
            } else if (a.splp() != null) {
                kind = "splp";
                add(secrets, a.splp().token(), "auth.splp.token", node);
            }
        }
        if (upstream.tls() != null) {
            add(secrets, upstream.tls().trustSecret(), "tls.trustSecret", node);
            add(secrets, upstream.tls().clientCertSecret(), "tls.clientCertSecret", node);
        }
        return new CredentialsSummary(kind, Boolean.TRUE.equals(upstream.callerAssertion()), List.copyOf(secrets));
    }

    private static void add(List<SecretUse> secrets, RouteDefinition.SecretRef ref, String field, SecretNames node) {
        if (ref != null) {
            add(secrets, ref.secret(), field, node);
        }
    }

    private static void add(List<SecretUse> secrets, String name, String field, SecretNames node) {
        if (name != null) {
            secrets.add(new SecretUse(name, field, node.resolves(name)));
        }
    }
}
