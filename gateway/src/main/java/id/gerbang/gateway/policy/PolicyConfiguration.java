package id.gerbang.gateway.policy;

import id.gerbang.gateway.registry.RouteRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The traffic policy of this node: each route's resilience state ({@link TrafficPolicies}), the shared
 * rate-limit budgets ({@link RateLimits} over {@link BudgetStore}), and the {@code upstreams} health
 * component ({@link UpstreamsHealth}). See docs/policies.md.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
@EnableConfigurationProperties(PolicyProperties.class)
class PolicyConfiguration {

    @Bean
    TrafficPolicies trafficPolicies(PolicyProperties properties, MeterRegistry meters) {
        return new TrafficPolicies(properties, meters);
    }

    @Bean
    RateLimits rateLimits(DataSource dataSource, MeterRegistry meters) {
        return new RateLimits(new BudgetStore(dataSource), Clock.systemUTC(), meters);
    }

    @Bean("upstreams")
    UpstreamsHealth upstreamsHealth(RouteRegistry registry, TrafficPolicies policies) {
        return new UpstreamsHealth(registry::table, policies);
    }

    @Bean
    Housekeeping policyHousekeeping(RouteRegistry registry, TrafficPolicies policies, RateLimits rateLimits) {
        return new Housekeeping(registry, policies, rateLimits);
    }

    /**
     * Keeps the policy state in step with the routes served (so that metrics and health list every
     * route, and forget retired ones), and drops ended rate-limit periods.
     */
    static final class Housekeeping {
        private final RouteRegistry registry;
        private final TrafficPolicies policies;
        private final RateLimits rateLimits;

        Housekeeping(RouteRegistry registry, TrafficPolicies policies, RateLimits rateLimits) {
            this.registry = registry;
            this.policies = policies;
            this.rateLimits = rateLimits;
        }

        @Scheduled(initialDelay = 0, fixedDelay = 2_000)
        void syncRoutes() {
            policies.sync(registry.table().routes());
        }

        @Scheduled(initialDelay = 60_000, fixedDelay = 600_000)
        void purgeEndedPeriods() {
            rateLimits.purge();
        }
    }
}
