package id.gerbang.security;

import id.gerbang.routes.Route;
import java.util.Set;

/**
 * Decides whether a caller may call a route with a method: a pure function over the route's data, in
 * the manner of X-Road's {@code isQueryAllowed(client, service, method)}.
 *
 * <p>The route's own method list is checked first (a method the service does not offer is
 * {@link Decision#METHOD_NOT_ALLOWED} for everybody); then the caller must be granted by client id or
 * by OPD, and the grant, when it lists methods, must list this one. An empty access list grants nobody.
 */
public final class AccessPolicy {

    public enum Decision { ALLOWED, DENIED, METHOD_NOT_ALLOWED }

    private AccessPolicy() {}

    public static Decision decide(Caller caller, Route route, String method) {
        if (!route.methods().contains(method)) {
            return Decision.METHOD_NOT_ALLOWED;
        }
        if (grants(route.clientGrants().get(caller.clientId()), method)
                || (caller.opd() != null && grants(route.opdGrants().get(caller.opd()), method))) {
            return Decision.ALLOWED;
        }
        return Decision.DENIED;
    }

    private static boolean grants(Set<String> grantedMethods, String method) {
        return grantedMethods != null && (grantedMethods.isEmpty() || grantedMethods.contains(method));
    }
}
