package id.gerbang.gateway.policy;

import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.GatewayException;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rate limits per client per route, with one budget across all nodes ({@code rateLimit: {requests: N,
 * perSeconds: P}}).
 *
 * <p><b>Periods.</b> Time is cut into fixed periods of {@code P} seconds aligned on the Unix epoch (a
 * period starts when {@code epochSecond % P == 0}), the same on every node. Each period allows {@code N}
 * calls per client and route, counted in one row of the shared database ({@link BudgetStore}).
 *
 * <p><b>Slices.</b> A database round trip per call would cost more than the rest of the pipeline, so
 * each node leases small slices of a period's budget and spends them locally. The first slice of a
 * period is one call; each further one doubles, up to {@code max(1, N / 16)}: a client that calls a node
 * once in a while costs one round trip per call, a busy client a handful per period. A slice is spent
 * only in the period it was leased for; what is left of it when the period ends is dropped. A client's
 * calls on one node lease side by side while fewer than {@code max(1, N / 16)} calls are on their way in
 * slices; beyond that, or when a slice comes back short, a call waits for the slices on their way
 * instead of leasing more or being refused while its node is about to hold the calls it needs.
 *
 * <p><b>Bound.</b> Every admitted call spends a call leased from the row, and the row never grants more
 * than {@code N} in a period: the calls admitted in one period, over all nodes together, are at most
 * {@code N}, exactly (the contract allows one more per node). The cost of this is the other way: calls
 * leased by one node and not spent there are not available to the others, so a client whose calls are
 * spread over several nodes may be refused a little before {@code N}, by about
 * {@code (nodes - 1) × 2 × max(1, N / 16)} calls in a period. Periods follow each node's clock: nodes must
 * keep their clocks synchronised (NTP), as they must for the trail's times anyway.
 *
 * <p>When the database cannot be reached, the call is refused with 503 AUDIT_UNAVAILABLE: the budgets
 * live in the same store as the trail, and a call that cannot be recorded is refused anyway.
 */
public class RateLimits {

    private static final Logger log = LoggerFactory.getLogger(RateLimits.class);

    private record Key(String routeId, String clientId, int requests, int perSeconds) {}

    /** This node's part of one client's budget on one route: leased, not yet spent, in the current period. */
    private static final class Allowance {
        long windowStart = Long.MIN_VALUE;
        long left;
        long nextSlice;
        boolean exhausted;
        /** calls leased from the row and not yet back: slices of this period on their way */
        long leasing;
    }

    /** How long a call waits at most, at a time, for a lease of its period already on its way. */
    private static final long LEASE_WAIT_MILLIS = 100;

    private final BudgetStore store;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Map<Key, Allowance> allowances = new ConcurrentHashMap<>();

    public RateLimits(BudgetStore store, Clock clock, MeterRegistry meters) {
        this.store = store;
        this.clock = clock;
        this.meters = meters;
    }

    /**
     * Spends one call of {@code clientId}'s budget on {@code route}; routes without {@code rateLimit} are
     * not limited.
     *
     * @throws GatewayException 429 RATE_LIMITED, with {@code Retry-After} the seconds until the next
     *                          period, when the budget of this period is spent
     */
    public void spend(Route route, String clientId) {
        RouteDefinition.RateLimit limit = route.definition().rateLimit();
        if (limit == null) {
            return;
        }
        long retryAfter = trySpend(route.id(), clientId, limit.requests(), limit.perSeconds());
        if (retryAfter > 0) {
            Counter.builder("gerbang.rate.limited").description("calls refused with 429 RATE_LIMITED")
                    .tags("route", route.id(), "client", clientId).register(meters).increment();
            throw new GatewayException(ErrorCode.RATE_LIMITED, "client " + clientId + " has used its " + limit.requests()
                    + " calls per " + limit.perSeconds() + " s on route " + route.id(), null, retryAfter);
        }
    }

    /**
     * Spends one call; returns 0 when it was admitted, else the seconds until the next period (at least 1).
     *
     * <p>The allowance is locked only to read and change it, never across the database: a call that needs a
     * new slice takes the slice's size under the lock, leases it without the lock, and adds what it was
     * granted under the lock again. So a client's other calls on this node are served from what is left, or
     * lease slices of their own meanwhile, instead of queueing behind one slow round trip. The bound holds
     * all the same: every admitted call spends a call the row granted.
     */
    long trySpend(String routeId, String clientId, int requests, int perSeconds) {
        Allowance a = allowances.computeIfAbsent(new Key(routeId, clientId, requests, perSeconds), k -> new Allowance());
        long maxSlice = Math.max(1, requests / 16);
        long nowMillis;
        long windowStart;
        long slice;
        synchronized (a) {
            for (;;) {
                nowMillis = clock.millis();
                long now = Math.floorDiv(nowMillis, 1000L);
                windowStart = now - Math.floorMod(now, (long) perSeconds);
                if (a.windowStart != windowStart) {
                    a.windowStart = windowStart;
                    a.left = 0;
                    a.nextSlice = 1;
                    a.exhausted = false;
                    a.leasing = 0;
                }
                if (a.left > 0) {
                    a.left--;
                    return 0;
                }
                if (a.exhausted && a.leasing == 0) {
                    return retryAfter(windowStart, perSeconds, nowMillis);
                }
                if (!a.exhausted && a.leasing < maxSlice) {
                    break;
                }
                // slices of this period already on their way hold enough for this call, or the period is
                // spent unless they bring some: wait for them rather than lease more or refuse too soon
                awaitLease(a);
            }
            slice = a.nextSlice;
            a.nextSlice = Math.min(slice * 2, maxSlice);
            a.leasing += slice;
        }
        long granted;
        try {
            granted = store.lease(routeId, clientId, perSeconds, windowStart, slice, requests);
        } catch (SQLException e) {
            synchronized (a) {
                leaseBack(a, windowStart, slice);
            }
            log.warn("Rate-limit budget of {} on route {} cannot be read: {}", clientId, routeId, e.getMessage());
            throw new GatewayException(ErrorCode.AUDIT_UNAVAILABLE,
                    "the shared store (request trail, rate-limit budgets) cannot be reached", e);
        } catch (RuntimeException | Error e) {
            synchronized (a) {
                leaseBack(a, windowStart, slice);
            }
            throw e;
        }
        synchronized (a) {
            // back, and what it brought added, under one lock: a caller waiting for it never sees one without the other
            leaseBack(a, windowStart, slice);
            if (a.windowStart != windowStart) {
                // the period ended during the round trip: this call belongs to the period it was leased in,
                // and the rest of the slice is dropped with that period
                return granted > 0 ? 0 : retryAfter(windowStart, perSeconds, nowMillis);
            }
            if (granted < slice) {
                a.exhausted = true; // what was left is ours now; nothing more this period
            }
            a.left += granted;
            if (a.left > 0) {
                a.left--;
                return 0;
            }
        }
        // the row had nothing left for this slice; other slices of this period may still be on their way
        return trySpend(routeId, clientId, requests, perSeconds);
    }

    /** A lease of {@code slice} calls for the period starting at {@code windowStart} came back (the lock held). */
    private static void leaseBack(Allowance a, long windowStart, long slice) {
        if (a.windowStart == windowStart) {
            a.leasing -= slice;
        }
        a.notifyAll();
    }

    /** Waits, on the allowance's lock, for a lease of its period to come back (or for a bounded moment). */
    private static void awaitLease(Allowance a) {
        try {
            a.wait(LEASE_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(ErrorCode.AUDIT_UNAVAILABLE, "interrupted while the rate-limit budget was leased", e);
        }
    }

    private static long retryAfter(long windowStart, int perSeconds, long nowMillis) {
        long endMillis = (windowStart + perSeconds) * 1000L;
        return Math.max(1, (endMillis - nowMillis + 999) / 1000);
    }

    /** Forgets what this node holds of periods that have ended, and deletes their rows. */
    public void purge() {
        long now = Math.floorDiv(clock.millis(), 1000L);
        allowances.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                return e.getValue().windowStart + e.getKey().perSeconds() < now;
            }
        });
        try {
            store.purgeEndedBefore(now - 60);
        } catch (SQLException e) {
            log.warn("Ended rate-limit periods could not be purged: {}", e.getMessage());
        }
    }
}
