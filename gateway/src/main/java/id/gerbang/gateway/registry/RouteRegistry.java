package id.gerbang.gateway.registry;

import id.gerbang.gateway.proxy.UpstreamClient;
import id.gerbang.gateway.proxy.UpstreamForwarder;
import id.gerbang.gateway.trail.Masking;
import id.gerbang.routes.InvalidRouteException;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import id.gerbang.routes.RouteTable;
import id.gerbang.routes.RouteValidator;
import id.gerbang.routes.SourcedDefinition;
import id.gerbang.routes.Violation;
import id.gerbang.routes.camel.CamelRoutes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The routes this node serves. Holds an immutable snapshot (route table plus each route's Camel
 * endpoint) that the pipeline reads without locking; a change builds the new routes' Camel routes first
 * and then swaps the whole snapshot, so that no request sees a half-built route.
 *
 * <p>Today the definitions come from {@link RouteSources} at start-up; the admin API and the database
 * registry replace the whole set through {@link #replaceAll} the same way.
 */
@Component
public class RouteRegistry {

    private static final Logger log = LoggerFactory.getLogger(RouteRegistry.class);

    /** How this node serves a route: its Camel endpoint, and how its calls are masked on the trail. */
    private record Served(Endpoint endpoint, Masking masking) {}

    private record Snapshot(RouteTable table, Map<String, Served> served) {}

    private final CamelContext camel;
    private final UpstreamClient upstreamClient;
    private final RouteValidator validator;
    private volatile Snapshot current = new Snapshot(RouteTable.EMPTY, Map.of());

    public RouteRegistry(CamelContext camel, UpstreamClient upstreamClient, RouteValidator validator,
            RouteSources sources) throws Exception {
        this.camel = camel;
        this.upstreamClient = upstreamClient;
        this.validator = validator;
        replaceAll(sources.load());
        if (current.table().size() == 0) {
            log.warn("No routes are defined: every /api call will answer 404 ROUTE_NOT_FOUND. "
                    + "Set gerbang.routes.directory to a directory of route definitions.");
        } else {
            for (Route r : current.table().routes()) {
                log.info("Route {} ({}) serves /api{} -> {}", r.id(), r.owner(), r.path(), r.upstream());
            }
        }
    }

    public RouteTable table() {
        return current.table();
    }

    /** The Camel endpoint that forwards calls of {@code route}. */
    public Endpoint endpoint(Route route) {
        return current.served().get(route.id()).endpoint();
    }

    /** How calls of {@code route} are masked on the trail. */
    public Masking masking(Route route) {
        Served served = current.served().get(route.id());
        return served == null ? Masking.of(route.definition().audit()) : served.masking();
    }

    /**
     * Validates a whole set of definitions, and when every one is valid, serves exactly that set.
     *
     * @throws InvalidRouteException listing every violation of every definition; nothing changes then
     */
    public synchronized void replaceAll(List<SourcedDefinition> definitions) throws Exception {
        List<Violation> violations = validator.validateAll(definitions);
        if (!violations.isEmpty()) {
            throw new InvalidRouteException("route definitions", violations);
        }
        Snapshot old = current;
        List<Route> routes = new ArrayList<>();
        Map<String, Served> served = new HashMap<>();
        for (SourcedDefinition sourced : definitions) {
            RouteDefinition d = sourced.definition();
            Route previous = old.table().byId(d.id());
            long version = previous == null ? 1 : previous.definition().equals(d) ? previous.version() : previous.version() + 1;
            Route route = Route.from(d, version);
            if (previous != null && previous.version() == version) {
                routes.add(previous);
                served.put(d.id(), old.served().get(d.id()));
                continue;
            }
            CamelRoutes.add(camel, route, new UpstreamForwarder(upstreamClient, route));
            routes.add(route);
            served.put(d.id(), new Served(camel.getEndpoint(CamelRoutes.endpointUri(route)), Masking.of(d.audit())));
        }
        current = new Snapshot(new RouteTable(routes), Map.copyOf(served));
        for (Route r : old.table().routes()) {
            Route now = current.table().byId(r.id());
            if (now == null || now.version() != r.version()) {
                CamelRoutes.remove(camel, r);
            }
        }
    }
}
