package id.gerbang.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import id.gerbang.routes.RouteTable;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.stream.StreamSupport;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.junit.jupiter.api.Test;

class UpstreamsHealthTest {

    private final TrafficPolicies policies = new TrafficPolicies(PolicyProperties.defaults(), new SimpleMeterRegistry());

    @Test
    void eachRouteReportsItsBreakersStateAndNoneIsDown() {
        Route plain = route("plain", null);
        Route guarded = route("guarded", new RouteDefinition.CircuitBreaker(50, 10, 30));
        Route broken = route("broken", new RouteDefinition.CircuitBreaker(50, 10, 30));
        policies.of(broken).breaker().transitionToOpenState();
        Route probing = route("probing", new RouteDefinition.CircuitBreaker(50, 10, 30));
        policies.of(probing).breaker().transitionToOpenState();
        policies.of(probing).breaker().transitionToHalfOpenState();
        UpstreamsHealth health = new UpstreamsHealth(() -> new RouteTable(List.of(plain, guarded, broken, probing)), policies);

        assertThat(status(health, "plain")).isEqualTo(Status.UP);
        assertThat(status(health, "guarded")).isEqualTo(Status.UP);
        assertThat(status(health, "broken")).isEqualTo(UpstreamsHealth.CIRCUIT_OPEN);
        assertThat(status(health, "probing")).isEqualTo(UpstreamsHealth.CIRCUIT_HALF_OPEN);
        assertThat(((HealthIndicator) health.getContributor("broken")).health().getDetails())
                .containsEntry("circuit", "OPEN").containsEntry("maxConcurrent", 100).containsKey("retryAfterSeconds");
        assertThat(StreamSupport.stream(health.spliterator(), false).map(n -> n.getName()))
                .containsExactlyInAnyOrder("plain", "guarded", "broken", "probing");
        assertThat(health.getContributor("retired")).isNull();
    }

    private static Status status(UpstreamsHealth health, String route) {
        return ((HealthIndicator) health.getContributor(route)).health().getStatus();
    }

    private static Route route(String id, RouteDefinition.CircuitBreaker breaker) {
        return Route.from(new RouteDefinition(id, "diskominfo", null, null, "/" + id, null,
                new RouteDefinition.Upstream("http://127.0.0.1:9/" + id, null), null, null, null, null, breaker, null, null), 1);
    }
}
