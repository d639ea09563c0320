package id.gerbang.gateway.policy;

import id.gerbang.routes.Route;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The resilience state ({@link RoutePolicy}) of every route this node serves, keyed by route id. A
 * route's state is kept as long as its policy settings (upstream host and port, {@code maxConcurrent},
 * {@code retries}, {@code circuitBreaker}) stay the same, whatever else of the route changes; a change
 * of any of them builds a new state (calls in flight finish on the old one). The state is built on a
 * route's first call, or by {@link #sync} for every route the registry serves.
 *
 * <p>Metrics per route: {@code gerbang_circuit_state{route,state}} (1 for the breaker's current state:
 * {@code closed}, {@code open}, {@code half_open}), {@code gerbang_bulkhead_in_flight{route}},
 * {@code gerbang_bulkhead_limit{route}} and {@code gerbang_upstream_retries_total{route}}.
 */
public class TrafficPolicies {

    private record Entry(RoutePolicy policy, List<Meter> meters) {}

    private final PolicyProperties properties;
    private final MeterRegistry meters;
    private final Map<String, Entry> byRoute = new ConcurrentHashMap<>();

    public TrafficPolicies(PolicyProperties properties, MeterRegistry meters) {
        this.properties = properties;
        this.meters = meters;
    }

    /** The state of {@code route}, built or rebuilt when its policy settings are new. */
    public RoutePolicy of(Route route) {
        Entry e = byRoute.get(route.id());
        if (e != null && e.policy().route() == route) {
            return e.policy(); // the common case: the very route object seen before
        }
        RoutePolicy.Settings settings = RoutePolicy.Settings.of(route);
        return byRoute.compute(route.id(), (id, old) -> {
            if (old != null && old.policy().settings().equals(settings)) {
                old.policy().serves(route); // the next call of this version takes the fast path
                return old;
            }
            if (old != null) {
                old.meters().forEach(meters::remove);
            }
            return register(new RoutePolicy(route, properties));
        }).policy();
    }

    /** The state of a route, if it has one yet. */
    public RoutePolicy find(String routeId) {
        Entry e = byRoute.get(routeId);
        return e == null ? null : e.policy();
    }

    /** Builds the state of every route in {@code routes} and forgets routes no longer served. */
    public void sync(Collection<Route> routes) {
        Set<String> ids = new HashSet<>();
        for (Route r : routes) {
            ids.add(r.id());
            of(r);
        }
        for (String id : new ArrayList<>(byRoute.keySet())) {
            if (!ids.contains(id)) {
                Entry gone = byRoute.remove(id);
                if (gone != null) {
                    gone.meters().forEach(meters::remove);
                }
            }
        }
    }

    private Entry register(RoutePolicy p) {
        List<Meter> registered = new ArrayList<>();
        String route = p.routeId();
        registered.add(Gauge.builder("gerbang.bulkhead.in.flight", p,
                        x -> x.bulkhead().getMetrics().getMaxAllowedConcurrentCalls()
                                - x.bulkhead().getMetrics().getAvailableConcurrentCalls())
                .description("calls of the route in flight on this node").tag("route", route).register(meters));
        registered.add(Gauge.builder("gerbang.bulkhead.limit", p, x -> x.bulkhead().getMetrics().getMaxAllowedConcurrentCalls())
                .description("the route's maxConcurrent").tag("route", route).register(meters));
        CircuitBreaker breaker = p.breaker();
        if (breaker != null) {
            for (CircuitBreaker.State s : List.of(CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN,
                    CircuitBreaker.State.HALF_OPEN)) {
                registered.add(Gauge.builder("gerbang.circuit.state", p, x -> x.breaker().getState() == s ? 1 : 0)
                        .description("1 for the current state of the route's circuit breaker")
                        .tags("route", route, "state", s.name().toLowerCase(Locale.ROOT)).register(meters));
            }
        }
        if (p.retry() != null) {
            Counter retries = Counter.builder("gerbang.upstream.retries").description("attempts re-sent to the upstream")
                    .tag("route", route).register(meters);
            registered.add(retries);
            p.retry().getEventPublisher().onRetry(e -> retries.increment());
        }
        return new Entry(p, List.copyOf(registered));
    }
}
