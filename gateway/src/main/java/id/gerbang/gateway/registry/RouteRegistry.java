package id.gerbang.gateway.registry;

import id.gerbang.gateway.integration.CamelRoutes;
import id.gerbang.gateway.proxy.UpstreamForwarders;
import id.gerbang.gateway.trail.Masking;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteTable;
import id.gerbang.routes.RouteValidator;
import id.gerbang.routes.Violation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The routes this node serves. Holds an immutable snapshot (route table plus each route's Camel
 * endpoint) that the pipeline reads without locking. A change builds the new routes' Camel routes first
 * and then swaps the whole snapshot, so that no request sees a half-built route; a change is all or
 * nothing: if one of its Camel routes cannot start, those it added are removed again and the node serves
 * what it served before. A route replaced or deleted is retired, and its Camel route removed only once
 * the last call that found it has finished, on a thread of its own ({@value #REMOVAL_THREAD}): never on
 * that call's request thread, whose answer is not done yet.
 *
 * <p>What to serve comes from the registry in the database, through {@link RegistrySync}.
 */
@Component
public class RouteRegistry implements AutoCloseable {

    static final String REMOVAL_THREAD = "gerbang-route-removal";

    private static final Logger log = LoggerFactory.getLogger(RouteRegistry.class);

    /**
     * How this node serves one version of a route: its Camel endpoint, how its calls are masked on the
     * trail, and how many calls are using it, so that a retired version is removed only when idle.
     */
    private final class Served {
        final Route route;
        final Endpoint endpoint;
        final Masking masking;
        private final AtomicInteger calls = new AtomicInteger();
        private volatile boolean retired;
        private final AtomicBoolean removed = new AtomicBoolean();

        Served(Route route, Endpoint endpoint, Masking masking) {
            this.route = route;
            this.endpoint = endpoint;
            this.masking = masking;
        }

        /** {@code false} when the route was retired meanwhile: a newer snapshot is then in place. */
        boolean tryAcquire() {
            calls.incrementAndGet();
            if (retired) {
                release();
                return false;
            }
            return true;
        }

        void release() {
            if (calls.decrementAndGet() == 0 && retired) {
                remove();
            }
        }

        void retire() {
            retired = true;
            if (calls.get() == 0) {
                remove();
            }
        }

        private void remove() {
            if (removed.compareAndSet(false, true)) {
                removals.execute(() -> removeCamelRoute(route));
            }
        }
    }

    /**
     * A call's hold on the route that serves it: the route stays served (its Camel route in place) until
     * the lease is closed, even if the route is replaced or deleted meanwhile.
     */
    public static final class Lease implements AutoCloseable {
        private final Served served;
        private final String rest;
        private boolean closed;

        private Lease(Served served, String rest) {
            this.served = served;
            this.rest = rest;
        }

        public Route route() {
            return served.route;
        }

        /** The part of the path below the route's own. */
        public String rest() {
            return rest;
        }

        /** The Camel endpoint that forwards the call; {@code null} for a composite. */
        public Endpoint endpoint() {
            return served.endpoint;
        }

        /** The route's masking, built once with the route: what of the call may be stored. */
        public Masking masking() {
            return served.masking;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                served.release();
            }
        }
    }

    private record Snapshot(RouteTable table, Map<String, Served> served) {}

    private final CamelContext camel;
    private final UpstreamForwarders forwarders;
    private final RouteValidator validator;
    /** Removes retired Camel routes, one at a time; its thread ends when idle. */
    private final ThreadPoolExecutor removals;
    private volatile Snapshot current = new Snapshot(RouteTable.EMPTY, Map.of());

    public RouteRegistry(CamelContext camel, UpstreamForwarders forwarders, RouteValidator validator) {
        this.camel = camel;
        this.forwarders = forwarders;
        this.validator = validator;
        this.removals = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, REMOVAL_THREAD);
            t.setDaemon(true);
            return t;
        });
        this.removals.allowCoreThreadTimeOut(true);
    }

    public RouteTable table() {
        return current.table();
    }

    /**
     * The route serving {@code path} (below {@code /api}), held until the lease is closed; {@code null}
     * when no route serves it.
     */
    public Lease acquire(String path) {
        while (true) {
            Snapshot s = current;
            RouteTable.Match match = s.table().match(path);
            if (match == null) {
                return null;
            }
            Served served = s.served().get(match.route().id());
            if (served.tryAcquire()) {
                return new Lease(served, match.rest());
            }
        }
    }

    /**
     * The route with id {@code id}, held until the lease is closed, as a composite's part finds it;
     * {@code null} when this node serves no such route.
     */
    public Lease acquireById(String id) {
        while (true) {
            Served served = current.served().get(id);
            if (served == null) {
                return null;
            }
            if (served.tryAcquire()) {
                return new Lease(served, "");
            }
        }
    }

    /** How calls of {@code route} are masked on the trail. */
    public Masking masking(Route route) {
        Served served = current.served().get(route.id());
        return served != null && served.route.version() == route.version()
                ? served.masking : Masking.of(route.definition().audit());
    }

    /**
     * Serves exactly {@code routes} (each at its registry version): versions already served stay as they
     * are, new ones are built, and the rest are retired. A definition this node cannot serve (its
     * upstream is not on this node's allow-list, say) is left out, loudly: the others are served.
     */
    public synchronized void serve(List<Route> routes) throws Exception {
        Snapshot old = current;
        List<Route> table = new ArrayList<>();
        Map<String, Served> served = new HashMap<>();
        List<Route> added = new ArrayList<>();
        try {
            build(routes, old, table, served, added);
        } catch (Exception | Error e) {
            for (Route route : added) {
                removeCamelRoute(route);
            }
            log.error("Routes not changed on this node: a new route could not be started; it still serves what it served");
            throw e;
        }
        current = new Snapshot(new RouteTable(table), Map.copyOf(served));
        for (Served was : old.served().values()) {
            if (served.get(was.route.id()) != was) {
                if (!served.containsKey(was.route.id())) {
                    log.info("Route {} v{} is no longer served", was.route.id(), was.route.version());
                }
                was.retire();
            }
        }
    }

    /**
     * Builds what {@link #serve} swaps in: {@code table} and {@code served} are filled, and each route whose
     * Camel route was added (or may have been, half-started) is put in {@code added}, to be removed again if
     * a later one fails.
     */
    private void build(List<Route> routes, Snapshot old, List<Route> table, Map<String, Served> served,
            List<Route> added) throws Exception {
        for (Route route : routes) {
            Served same = old.served().get(route.id());
            if (same != null && same.route.version() == route.version()) {
                table.add(same.route);
                served.put(route.id(), same);
                continue;
            }
            List<Violation> violations = validator.validate(route.definition());
            if (!violations.isEmpty()) {
                log.error("Route {} v{} is not served by this node: {}", route.id(), route.version(), violations);
                continue;
            }
            if (route.composite()) {
                // its parts go through their own routes' Camel routes; the composite has none of its own
                table.add(route);
                served.put(route.id(), new Served(route, null, Masking.of(route.definition().audit())));
                log.info("Route {} v{} ({}) serves /api{} composed of {}", route.id(), route.version(), route.owner(),
                        route.path(), route.definition().compose().parts().stream()
                                .map(p -> p.name() + "=" + p.route()).toList());
                continue;
            }
            if (camel.getRoute(CamelRoutes.camelRouteId(route)) != null) {
                throw new IllegalStateException("Camel already has a route " + CamelRoutes.camelRouteId(route));
            }
            added.add(route);
            CamelRoutes.add(camel, route, route.mock() ? null : forwarders.of(route));
            table.add(route);
            served.put(route.id(), new Served(route, camel.getEndpoint(CamelRoutes.endpointUri(route)),
                    Masking.of(route.definition().audit())));
            log.info("Route {} v{} ({}) serves /api{} -> {}", route.id(), route.version(), route.owner(), route.path(),
                    route.mock() ? "a mock of its OpenAPI document" : route.upstream());
        }
    }

    /** Stops (letting in-flight exchanges finish) and removes the Camel route of {@code route}, if Camel has it. */
    private void removeCamelRoute(Route route) {
        if (camel.getRoute(CamelRoutes.camelRouteId(route)) == null) {
            return;
        }
        try {
            CamelRoutes.remove(camel, route);
        } catch (Exception e) {
            log.warn("Camel route of {} v{} not removed: {}", route.id(), route.version(), e.toString());
        }
    }

    /** Stops removing retired routes: the Camel context goes away with the node. */
    @Override
    public void close() {
        removals.shutdownNow();
    }
}
