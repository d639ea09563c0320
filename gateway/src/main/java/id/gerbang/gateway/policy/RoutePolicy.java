package id.gerbang.gateway.policy;

import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.GatewayException;
import id.gerbang.gateway.proxy.ForwardRequest;
import id.gerbang.gateway.proxy.ForwardResponse;
import id.gerbang.gateway.proxy.UpstreamFailure;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The resilience state of one route on this node: its bulkhead ({@code maxConcurrent}), its circuit
 * breaker ({@code circuitBreaker}, when the route has one) and its retry policy ({@code retries}), built
 * with Resilience4j's core libraries and driven by the request thread itself (no executor, no Camel EIP).
 *
 * <p>The order, outermost first: the bulkhead admits the call for its whole life (every attempt and the
 * relay of the answer); then each attempt asks the breaker for permission, is sent, and its outcome is
 * recorded: a connection failure, a timeout or a 5xx answer is a failure, anything else a success; a call
 * the caller spoiled (a body over the limit, a request that cannot be formed) is neither, and is never
 * retried. Retries wrap the attempts.
 */
public final class RoutePolicy {

    /**
     * What decides this state: a route replaced with equal settings keeps its state (an open breaker
     * stays open); any change starts afresh.
     *
     * @param upstream the upstream's scheme, host and port: a breaker is about one upstream, and a route
     *                 pointed elsewhere must not inherit the old upstream's record
     */
    record Settings(String upstream, int maxConcurrent, int retries, RouteDefinition.CircuitBreaker breaker) {
        static Settings of(Route route) {
            var u = route.upstream();
            // a composite or a mock has no upstream of its own: only its bulkhead applies to it
            return new Settings(u == null ? (route.mock() ? "mock" : "compose") : u.getScheme() + "://" + u.getHost() + ":" + u.getPort(), route.maxConcurrent(),
                    route.retries(), route.definition().circuitBreaker());
        }
    }

    /** One attempt at the upstream: an open answer, or an exception (an {@link UpstreamFailure} when the upstream failed). */
    @FunctionalInterface
    public interface Attempt {
        ForwardResponse send();
    }

    /** A place in the bulkhead, held until the call is over. Closing it twice frees it once. */
    public final class Permit implements AutoCloseable {
        private final AtomicBoolean open = new AtomicBoolean(true);

        private Permit() {}

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                bulkhead.onComplete();
            }
        }
    }

    private final String routeId;
    /** The latest version of the route this state serves (a replaced route with the same settings moves it on). */
    private volatile Route route;
    private final Settings settings;
    private final Bulkhead bulkhead;
    private final CircuitBreaker breaker;
    private final Retry retry;
    private final long openNanos;
    private volatile long openedAtNanos;

    RoutePolicy(Route route, PolicyProperties properties) {
        this.routeId = route.id();
        this.route = route;
        this.settings = Settings.of(route);
        this.bulkhead = Bulkhead.of("gerbang-" + routeId, BulkheadConfig.custom()
                .maxConcurrentCalls(settings.maxConcurrent())
                .maxWaitDuration(Duration.ZERO) // a full route refuses at once; it never queues callers
                .writableStackTraceEnabled(false)
                .build());
        RouteDefinition.CircuitBreaker b = settings.breaker();
        if (b == null) {
            this.breaker = null;
            this.openNanos = 0;
        } else {
            this.openNanos = TimeUnit.SECONDS.toNanos(b.openSeconds());
            this.breaker = CircuitBreaker.of("gerbang-" + routeId, CircuitBreakerConfig.custom()
                    .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                    .slidingWindowSize(b.minimumCalls())
                    .minimumNumberOfCalls(b.minimumCalls())
                    .failureRateThreshold(b.failureRatePercent())
                    .waitDurationInOpenState(Duration.ofSeconds(b.openSeconds()))
                    .permittedNumberOfCallsInHalfOpenState(1)
                    .automaticTransitionFromOpenToHalfOpenEnabled(false)
                    .writableStackTraceEnabled(false)
                    .build());
            this.breaker.getEventPublisher().onStateTransition(e -> {
                if (e.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                    openedAtNanos = System.nanoTime();
                }
            });
        }
        if (settings.retries() == 0) {
            this.retry = null;
        } else {
            this.retry = Retry.of("gerbang-" + routeId, RetryConfig.<ForwardResponse>custom()
                    .maxAttempts(settings.retries() + 1)
                    .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(properties.retryBackoff(), 2.0, 0.5,
                            properties.retryBackoffMax()))
                    .retryOnException(e -> e instanceof UpstreamFailure f && f.retryable())
                    .retryOnResult(r -> isGatewayLikeFailure(r.status()))
                    .consumeResultBeforeRetryAttempt((attempt, r) -> r.close()) // frees its connection at once
                    .failAfterMaxAttempts(false) // the last answer, a 503 say, goes to the caller unchanged
                    .writableStackTraceEnabled(false)
                    .build());
        }
    }

    public String routeId() {
        return routeId;
    }

    Route route() {
        return route;
    }

    void serves(Route newer) {
        this.route = newer;
    }

    Settings settings() {
        return settings;
    }

    Bulkhead bulkhead() {
        return bulkhead;
    }

    /** The breaker, or {@code null} when the route has none. */
    CircuitBreaker breaker() {
        return breaker;
    }

    /** The retry policy, or {@code null} when the route retries nothing. */
    Retry retry() {
        return retry;
    }

    /**
     * Takes a place in the route's bulkhead.
     *
     * @throws GatewayException 503 UPSTREAM_BUSY (with {@code Retry-After: 1}) when {@code maxConcurrent}
     *                          calls are already in flight on this node
     */
    public Permit enter() {
        if (!bulkhead.tryAcquirePermission()) {
            throw new GatewayException(ErrorCode.UPSTREAM_BUSY, "route " + routeId + " already has "
                    + settings.maxConcurrent() + " calls in flight on this node", null, 1);
        }
        return new Permit();
    }

    /**
     * Sends the call through the breaker, re-sending it while the retry policy allows: only idempotent
     * methods with a body that can be sent again, only after a connection failure, a connect timeout or
     * an answer 502, 503 or 504, and at most {@code retries} times, with exponential backoff and jitter.
     *
     * @param replayable whether the request body (if any) can be sent again
     * @return the upstream's (last) answer, still open
     * @throws GatewayException 503 CIRCUIT_OPEN when the breaker refuses; the attempt's own failure otherwise
     */
    public ForwardResponse call(String method, boolean replayable, Attempt attempt) {
        if (retry == null || !replayable || !ForwardRequest.isIdempotent(method)) {
            return guarded(attempt);
        }
        try {
            return retry.executeCheckedSupplier(() -> guarded(attempt));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e); // attempts throw nothing checked
        }
    }

    /** Whether a method's calls on this route may be retried at all. */
    public boolean retries(String method) {
        return retry != null && ForwardRequest.isIdempotent(method);
    }

    /** Answers a gateway in front of the upstream gives when the upstream itself did not answer properly. */
    static boolean isGatewayLikeFailure(int status) {
        return status == 502 || status == 503 || status == 504;
    }

    private ForwardResponse guarded(Attempt attempt) {
        if (breaker == null) {
            return attempt.send();
        }
        if (!breaker.tryAcquirePermission()) {
            throw new GatewayException(ErrorCode.CIRCUIT_OPEN, "the circuit breaker of route " + routeId
                    + " is open: its upstream failed too often; calls are refused until it is probed again",
                    null, retryAfterSeconds());
        }
        long start = System.nanoTime();
        ForwardResponse answer;
        try {
            answer = attempt.send();
        } catch (UpstreamFailure e) {
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            throw e;
        } catch (RuntimeException | Error e) {
            breaker.releasePermission(); // not the upstream's doing (the caller's body, say): not counted
            throw e;
        }
        if (answer.status() >= 500) {
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, new ServerError(answer.status()));
        } else {
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
        return answer;
    }

    /** Seconds until the open breaker lets a probe through (at least 1); 1 while a probe is under way. */
    long retryAfterSeconds() {
        if (breaker == null || breaker.getState() != CircuitBreaker.State.OPEN) {
            return 1;
        }
        long left = openedAtNanos + openNanos - System.nanoTime();
        return Math.max(1, (left + 999_999_999L) / 1_000_000_000L);
    }

    /** A 5xx answer, as the breaker's record of a failure. */
    private static final class ServerError extends RuntimeException {
        ServerError(int status) {
            super("upstream answered " + status, null, false, false);
        }
    }
}
