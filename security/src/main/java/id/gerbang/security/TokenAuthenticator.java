package id.gerbang.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * Turns a bearer token into a {@link Caller}, verifying it with Spring Security's {@link JwtDecoder}
 * (signature, issuer, audience, expiry) the first time it is seen and remembering the result until the
 * token expires, or for at most {@code maxCacheAge}: an application reuses one token for many calls,
 * and a signature check costs far more than the rest of the pipeline.
 *
 * <p>Only tokens that verified are remembered; a bad token is checked, and refused, every time.
 */
public final class TokenAuthenticator {

    private final JwtDecoder decoder;
    private final CallerClaims claims;
    private final Duration maxCacheAge;
    private final int maxCacheEntries;
    private final Clock clock;
    private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();

    private record Verified(Caller caller, Instant until) {}

    public TokenAuthenticator(JwtDecoder decoder, CallerClaims claims, Duration maxCacheAge, int maxCacheEntries, Clock clock) {
        this.decoder = decoder;
        this.claims = claims;
        this.maxCacheAge = maxCacheAge;
        this.maxCacheEntries = maxCacheEntries;
        this.clock = clock;
    }

    /** @throws InvalidTokenException when the token cannot be trusted */
    public Caller authenticate(String token) {
        Instant now = clock.instant();
        Verified hit = verified.get(token);
        if (hit != null) {
            if (now.isBefore(hit.until())) {
                return hit.caller();
            }
            verified.remove(token, hit);
        }
        Caller caller;
        try {
            caller = claims.toCaller(decoder.decode(token));
        } catch (JwtException e) {
            throw new InvalidTokenException(e.getMessage(), e);
        }
        remember(token, caller, now);
        return caller;
    }

    private void remember(String token, Caller caller, Instant now) {
        if (verified.size() >= maxCacheEntries) {
            verified.values().removeIf(v -> !now.isBefore(v.until()));
            if (verified.size() >= maxCacheEntries) {
                verified.clear();
            }
        }
        Instant cap = now.plus(maxCacheAge);
        verified.put(token, new Verified(caller, caller.expiresAt().isBefore(cap) ? caller.expiresAt() : cap));
    }
}
