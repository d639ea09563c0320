package id.gerbang.gateway.health;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import id.gerbang.security.oidc.IssuerKeys;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;

/**
 * The {@code issuer} component of {@code /actuator/health}: can this node fetch the issuer's (Keycloak's)
 * JWK set right now?
 *
 * <p>{@code UP} when it can. When it cannot, the component is {@link #UNREACHABLE}, a status of its own
 * that Spring Boot's health aggregation leaves out: the node as a whole stays {@code UP} (HTTP 200),
 * because it still serves every token signed with a key it fetched before (see
 * {@code gerbang.security.jwk-set.outage-tolerance}); what it cannot do is learn a new key. A load
 * balancer keeps sending traffic; an operator's monitoring sees the component and its details.
 *
 * <p>The issuer is asked at most once per {@code interval}; health checks in between repeat the last
 * answer, so a load balancer polling every second does not become a load on Keycloak.
 */
public final class IssuerHealthIndicator implements HealthIndicator {

    /** The issuer's keys cannot be fetched now; tokens signed with known keys are still accepted. */
    public static final Status UNREACHABLE = new Status("UNREACHABLE",
            "the issuer's JWK set cannot be fetched; tokens signed with keys fetched before are still accepted");

    private final IssuerKeys keys;
    private final Duration interval;
    private final Duration outageTolerance;
    private final Clock clock;

    private Health last;
    private Instant lastCheckedAt;
    private Instant lastReachableAt;

    /**
     * @param keys            the issuer's keys, as the token decoder fetches them
     * @param interval        the issuer is asked at most once per this interval
     * @param outageTolerance how long the decoder keeps using known keys while the issuer is unreachable
     *                        (reported, for the operator)
     */
    public IssuerHealthIndicator(IssuerKeys keys, Duration interval, Duration outageTolerance, Clock clock) {
        this.keys = keys;
        this.interval = interval;
        this.outageTolerance = outageTolerance;
        this.clock = clock;
    }

    @Override
    public synchronized Health health() {
        Instant now = clock.instant();
        if (last == null || !now.isBefore(lastCheckedAt.plus(interval))) {
            last = check(now);
            lastCheckedAt = now;
        }
        return last;
    }

    private Health check(Instant now) {
        Map<String, Object> details = new LinkedHashMap<>();
        keys.issuer().ifPresent(issuer -> details.put("issuer", issuer));
        try {
            JWKSet set = keys.fetch();
            lastReachableAt = now;
            keys.jwkSetUri().ifPresent(uri -> details.put("jwkSetUri", uri.toString()));
            List<String> ids = set.getKeys().stream().map(JWK::getKeyID).map(String::valueOf).toList();
            details.put("keys", ids);
            details.put("checkedAt", now.toString());
            return Health.up().withDetails(details).build();
        } catch (IOException | RuntimeException e) {
            keys.jwkSetUri().ifPresent(uri -> details.put("jwkSetUri", uri.toString()));
            details.put("error", e.getMessage());
            details.put("checkedAt", now.toString());
            details.put("lastReachableAt", lastReachableAt == null ? "never (since this node started)" : lastReachableAt.toString());
            details.put("impact", "tokens signed with keys fetched before are still accepted (for up to "
                    + outageTolerance + " after the cached JWK set expires); tokens signed with a new key are refused");
            return Health.status(UNREACHABLE).withDetails(details).build();
        }
    }
}
