package id.gerbang.gateway.registry;

import id.gerbang.gateway.integration.CamelRoutes;
import id.gerbang.gateway.proxy.UpstreamClient;
import id.gerbang.gateway.proxy.UpstreamForwarder;
import id.gerbang.gateway.trail.Masking;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteTable;
import id.gerbang.routes.RouteValidator;
import id.gerbang.routes.Violation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * and then swaps the whole snapshot, so that no request sees a half-built route; a route replaced or
 * deleted is retired, and its Camel route removed only once the last call that found it has finished.
 *
 * <p>What to serve comes from the registry in the database, through {@link RegistrySync}.
 */
@Component
public class RouteRegistry {

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
                try {
                    CamelRoutes.remove(camel, route);
                } catch (Exception e) {
                    log.warn("Camel route of {} v{} not removed: {}", route.id(), route.version(), e.toString());
                }
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

        /** The Camel endpoint that forwards the call. */
        public Endpoint endpoint() {
            return served.endpoint;
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
    private final UpstreamClient upstreamClient;
    private final RouteValidator validator;
    private volatile Snapshot current = new Snapshot(RouteTable.EMPTY, Map.of());

    public RouteRegistry(CamelContext camel, UpstreamClient upstreamClient, RouteValidator validator) {
        this.camel = camel;
        this.upstreamClient = upstreamClient;
        this.validator = validator;
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
            CamelRoutes.add(camel, route, new UpstreamForwarder(upstreamClient, route));
            table.add(route);
            served.put(route.id(), new Served(route, camel.getEndpoint(CamelRoutes.endpointUri(route)),
                    Masking.of(route.definition().audit())));
            log.info("Route {} v{} ({}) serves /api{} -> {}", route.id(), route.version(), route.owner(), route.path(),
                    route.upstream());
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
}
