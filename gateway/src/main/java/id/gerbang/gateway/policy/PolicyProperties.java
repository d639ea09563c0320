package id.gerbang.gateway.policy;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Node-wide settings of the traffic policy ({@code gerbang.policy.*}). The policy of each route lives in
 * its definition ({@code retries}, {@code circuitBreaker}, {@code maxConcurrent}, {@code rateLimit}); these
 * only tune how it is carried out. See docs/policies.md.
 *
 * @param retryBackoff    wait before the first retry; each further retry waits twice as long, each wait
 *                        randomised by ±50 % (jitter), so that nodes and callers do not retry in step
 * @param retryBackoffMax longest wait between two attempts
 */
@Validated
@ConfigurationProperties(PolicyProperties.PREFIX)
public record PolicyProperties(
        @NotNull @DurationMin(millis = 1) @DefaultValue("100ms") Duration retryBackoff,
        @NotNull @DurationMin(millis = 1) @DefaultValue("2s") Duration retryBackoffMax) {

    /** A rule across two settings, reported under the group's name. */
    @AssertTrue(message = "gerbang.policy.retry-backoff-max must be at least gerbang.policy.retry-backoff")
    public boolean isBackoffMaxAtLeastBackoff() {
        return retryBackoff == null || retryBackoffMax == null || retryBackoffMax.compareTo(retryBackoff) >= 0;
    }

    public static final String PREFIX = "gerbang.policy";

    /** The defaults, for tests and tools that build policies without Spring. */
    public static PolicyProperties defaults() {
        return new PolicyProperties(Duration.ofMillis(100), Duration.ofSeconds(2));
    }
}
