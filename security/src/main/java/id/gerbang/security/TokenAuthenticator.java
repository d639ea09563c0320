package id.gerbang.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * Turns a bearer token into a {@link Caller}, verifying it with Spring Security's {@link JwtDecoder}
 * (signature, issuer, audience, expiry) the first time it is seen and remembering the result until the
 * token expires, or for at most {@code maxCacheAge}: an application reuses one token for many calls,
 * and a signature check costs far more than the rest of the pipeline.
 *
 * <p>A token that is not a strict compact JWS ({@link CompactJws}: base64url only, no padding, at most
 * {@value CompactJws#MAX_LENGTH} characters) is refused before it is decoded or looked up, so one token
 * has one spelling and one cache entry. Only tokens that verified are remembered; a bad token is checked,
 * and refused, every time. The cache is bounded by an estimate of the memory its entries hold
 * ({@link #weight}), not by their number: tokens differ in size by a factor of ten. When it is full, the
 * tokens used least are dropped (Caffeine's policy, which also keeps a burst of new tokens from pushing
 * out those in steady use).
 */
public final class TokenAuthenticator {

    /** Per-entry bytes besides the strings: the cache's nodes, the caller record, its set and instant. */
    private static final int ENTRY_OVERHEAD = 256;
    /** A string's own header and its array's, on a 64-bit JVM. */
    private static final int STRING_OVERHEAD = 40;

    private final JwtDecoder decoder;
    private final CallerClaims claims;
    private final Duration maxCacheAge;
    private final Clock clock;
    private final Cache<String, Caller> verified;

    /**
     * @param maxCacheBytes the most memory, estimated by {@link #weight}, the verified tokens may hold;
     *                      0 remembers nothing
     */
    public TokenAuthenticator(JwtDecoder decoder, CallerClaims claims, Duration maxCacheAge, long maxCacheBytes, Clock clock) {
        if (maxCacheBytes < 0) {
            throw new IllegalArgumentException("the token cache's size must not be negative: " + maxCacheBytes);
        }
        this.decoder = decoder;
        this.claims = claims;
        this.maxCacheAge = maxCacheAge;
        this.clock = clock;
        this.verified = Caffeine.newBuilder()
                .maximumWeight(maxCacheBytes)
                .weigher(TokenAuthenticator::weight)
                .expireAfter(Expiry.<String, Caller>writing((token, caller) -> rememberedFor(caller, clock.instant())))
                .ticker(() -> nanos(clock.instant()))
                // evictions run on the calling thread, right after the insert: the bound holds at once
                .executor(Runnable::run)
                .build();
    }

    /** @throws InvalidTokenException when the token cannot be trusted */
    public Caller authenticate(String token) {
        String refusal = CompactJws.refusal(token);
        if (refusal != null) {
            throw new InvalidTokenException(refusal);
        }
        Caller hit = verified.getIfPresent(token);
        if (hit != null) {
            return hit;
        }
        Caller caller;
        try {
            caller = claims.toCaller(decoder.decode(token));
        } catch (JwtException e) {
            throw new InvalidTokenException(e.getMessage(), e);
        }
        if (clock.instant().isBefore(caller.expiresAt())) { // one just expired, accepted within the clock skew, is not kept
            verified.put(token, caller);
        }
        return caller;
    }

    /** Until the token expires, and at most {@code maxCacheAge}. */
    private Duration rememberedFor(Caller caller, Instant now) {
        Duration untilExpiry = Duration.between(now, caller.expiresAt());
        return untilExpiry.compareTo(maxCacheAge) < 0 ? untilExpiry : maxCacheAge;
    }

    /**
     * An upper estimate of the heap an entry holds, in bytes: the token (one byte a character, as
     * {@link CompactJws} admits only ASCII), the caller's strings (two bytes a character at worst), and
     * the objects around them.
     */
    static int weight(String token, Caller caller) {
        int bytes = ENTRY_OVERHEAD + STRING_OVERHEAD + token.length() + text(caller.clientId()) + text(caller.opd());
        for (String role : caller.roles()) {
            bytes += 8 + text(role); // and its slot in the set
        }
        return bytes;
    }

    private static int text(String s) {
        return s == null ? 0 : STRING_OVERHEAD + 2 * s.length();
    }

    private static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    /** The estimated memory the remembered tokens hold now, in bytes. */
    long cachedBytes() {
        verified.cleanUp();
        return verified.policy().eviction().orElseThrow().weightedSize().orElseThrow();
    }

    /** How many tokens are remembered now. */
    long cachedTokens() {
        verified.cleanUp();
        return verified.estimatedSize();
    }
}
