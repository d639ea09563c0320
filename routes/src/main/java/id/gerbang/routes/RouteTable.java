package id.gerbang.routes;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of every active route, indexed by path. Lookup is by longest path prefix on
 * whole segments, case-sensitive: a route at {@code /acc/echo} serves {@code /acc/echo} and
 * {@code /acc/echo/x}, never {@code /acc/echoes}. It costs one hash lookup per segment of the request
 * path, with no locking: the registry swaps whole tables.
 */
public final class RouteTable {

    public static final RouteTable EMPTY = new RouteTable(List.of());

    private final Map<String, Route> byPath;
    private final Map<String, Route> byId;

    public RouteTable(Collection<Route> routes) {
        Map<String, Route> paths = new HashMap<>();
        Map<String, Route> ids = new HashMap<>();
        for (Route r : routes) {
            if (paths.put(r.path(), r) != null) {
                throw new IllegalArgumentException("two routes at path " + r.path());
            }
            if (ids.put(r.id(), r) != null) {
                throw new IllegalArgumentException("two routes with id " + r.id());
            }
        }
        this.byPath = Map.copyOf(paths);
        this.byId = Map.copyOf(ids);
    }

    /** A route and the part of the request path below the route's own path ("" or "/..."). */
    public record Match(Route route, String rest) {}

    /**
     * Finds the route serving a path relative to {@code /api} (for example {@code /disdukcapil/penduduk/1404}).
     *
     * @return the match, or {@code null} when no route serves the path
     */
    public Match match(String path) {
        String candidate = path;
        while (!candidate.isEmpty()) {
            Route r = byPath.get(candidate);
            if (r != null) {
                return new Match(r, path.substring(candidate.length()));
            }
            int slash = candidate.lastIndexOf('/');
            if (slash < 0) {
                return null;
            }
            candidate = candidate.substring(0, slash);
        }
        return null;
    }

    public Route byId(String id) {
        return byId.get(id);
    }

    public Collection<Route> routes() {
        return byId.values();
    }

    public int size() {
        return byId.size();
    }
}
