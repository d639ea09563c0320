package id.gerbang.routes;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A valid {@link RouteDefinition} with every default applied, in the shape the request pipeline reads
 * on each call. Immutable; a change to a route makes a new {@code Route} with a new {@code version}.
 *
 * @param upstream     the upstream's URL; {@code null} for a composite ({@link #composite()}) and for a mock
 *                     route defined without one ({@link #mock()})
 * @param clientGrants client id to the methods it may call (empty set: every method of the route)
 * @param opdGrants    OPD code to the methods its clients may call (empty set: every method)
 */
public record Route(
        String id,
        long version,
        String owner,
        String path,
        Set<String> methods,
        URI upstream,
        int timeoutMs,
        Map<String, Set<String>> clientGrants,
        Map<String, Set<String>> opdGrants,
        int maxConcurrent,
        int retries,
        long maxBodyBytes,
        RouteDefinition definition) {

    public static final List<String> DEFAULT_METHODS = List.of("GET");
    public static final int DEFAULT_TIMEOUT_MS = 10_000;
    public static final int DEFAULT_MAX_CONCURRENT = 100;
    public static final long DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

    /** Builds the effective route of a definition that {@link RouteValidator} accepted. */
    public static Route from(RouteDefinition d, long version) {
        RouteDefinition.Access access = d.access() == null ? new RouteDefinition.Access(null, null) : d.access();
        return new Route(
                d.id(),
                version,
                d.owner(),
                d.path(),
                upper(d.methods() == null || d.methods().isEmpty() ? DEFAULT_METHODS : d.methods()),
                d.upstream() == null ? null : URI.create(stripTrailingSlash(d.upstream().url())),
                d.upstream() == null || d.upstream().timeoutMs() == null ? DEFAULT_TIMEOUT_MS : d.upstream().timeoutMs(),
                grants(access.clients()),
                grants(access.opds()),
                d.maxConcurrent() == null ? DEFAULT_MAX_CONCURRENT : d.maxConcurrent(),
                d.retries() == null ? 0 : d.retries(),
                d.maxBodyBytes() == null ? DEFAULT_MAX_BODY_BYTES : d.maxBodyBytes(),
                d);
    }

    /** Whether the route answers from other routes' answers ({@code compose}) instead of an upstream. */
    public boolean composite() {
        return definition.compose() != null;
    }

    /**
     * Whether the route answers from the examples of its OpenAPI document instead of calling an upstream
     * ({@code mock: true}, docs/routes.md "Mock routes").
     */
    public boolean mock() {
        return Boolean.TRUE.equals(definition.mock());
    }

    private static Map<String, Set<String>> grants(List<RouteDefinition.Grant> grants) {
        if (grants == null) {
            return Map.of();
        }
        return grants.stream().collect(Collectors.toUnmodifiableMap(
                RouteDefinition.Grant::id,
                g -> g.methods() == null ? Set.of() : upper(g.methods()),
                (a, b) -> a.isEmpty() || b.isEmpty() ? Set.of() : union(a, b)));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).collect(Collectors.toUnmodifiableSet());
    }

    private static Set<String> upper(List<String> methods) {
        return methods.stream().map(m -> m.toUpperCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
