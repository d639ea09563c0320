package id.gerbang.gateway.policy;

import id.gerbang.routes.Route;
import id.gerbang.routes.RouteTable;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.Iterator;
import java.util.function.Supplier;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.NamedContributor;
import org.springframework.boot.actuate.health.Status;

/**
 * The {@code upstreams} component of {@code /actuator/health}: one entry per route, whose status is its
 * circuit breaker's: {@code UP} (closed, or no breaker), {@code CIRCUIT_OPEN}, {@code CIRCUIT_HALF_OPEN}.
 * Those two statuses rank below {@code UP} ({@code management.endpoint.health.status.order}) and answer
 * 200: one OPD's dead application is reported, but never takes the node out of a load balancer, which
 * would cut every other OPD's traffic through it too.
 */
public class UpstreamsHealth implements CompositeHealthContributor {

    public static final Status CIRCUIT_OPEN = new Status("CIRCUIT_OPEN", "the route's circuit breaker is open");
    public static final Status CIRCUIT_HALF_OPEN = new Status("CIRCUIT_HALF_OPEN", "the route's circuit breaker is probing");

    private final Supplier<RouteTable> routes;
    private final TrafficPolicies policies;

    public UpstreamsHealth(Supplier<RouteTable> routes, TrafficPolicies policies) {
        this.routes = routes;
        this.policies = policies;
    }

    @Override
    public HealthContributor getContributor(String name) {
        Route route = routes.get().byId(name);
        return route == null ? null : indicator(route);
    }

    @Override
    public Iterator<NamedContributor<HealthContributor>> iterator() {
        return routes.get().routes().stream()
                .map(r -> NamedContributor.of(r.id(), (HealthContributor) indicator(r)))
                .iterator();
    }

    private HealthIndicator indicator(Route route) {
        return () -> health(policies.of(route));
    }

    static Health health(RoutePolicy p) {
        var bulkhead = p.bulkhead().getMetrics();
        Health.Builder b;
        CircuitBreaker breaker = p.breaker();
        if (breaker == null) {
            b = Health.up().withDetail("circuit", "none");
        } else {
            CircuitBreaker.State state = breaker.getState();
            b = switch (state) {
                case OPEN, FORCED_OPEN -> Health.status(CIRCUIT_OPEN).withDetail("retryAfterSeconds", p.retryAfterSeconds());
                case HALF_OPEN -> Health.status(CIRCUIT_HALF_OPEN);
                default -> Health.up();
            };
            b.withDetail("circuit", state.name()).withDetail("failureRatePercent", breaker.getMetrics().getFailureRate());
        }
        return b.withDetail("inFlight", bulkhead.getMaxAllowedConcurrentCalls() - bulkhead.getAvailableConcurrentCalls())
                .withDetail("maxConcurrent", bulkhead.getMaxAllowedConcurrentCalls())
                .build();
    }
}
