package id.gerbang.security.oidc;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetBasedJWKSource;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.OutageTolerantJWKSetSource;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * Spring Security's {@link NimbusJwtDecoder} for tokens of a remote issuer (Keycloak), with the JWK set
 * cache spelled out rather than left to the defaults:
 *
 * <ul>
 *   <li>the JWK set is fetched once and reused for {@code cacheTtl};</li>
 *   <li>a token whose {@code kid} is not in the cached set makes the set be fetched again at once, so a key
 *       Keycloak has just started signing with is accepted without a restart; such refreshes are limited
 *       to two per {@code refreshMinInterval}, so that tokens with made-up key ids cannot turn the gateway
 *       into a flood of requests to Keycloak;</li>
 *   <li>when the issuer cannot be reached, the last JWK set fetched keeps being used for
 *       {@code outageTolerance} after its time to live ran out: tokens signed with keys already known
 *       keep working while Keycloak is down (Spring's default decoder would refuse every token once its
 *       five-minute cache expired).</li>
 * </ul>
 */
public final class RemoteIssuerDecoder {

    private static final Logger log = LoggerFactory.getLogger(RemoteIssuerDecoder.class);

    /**
     * @param cacheTtl           how long a fetched JWK set is used before it is fetched again
     * @param refreshMinInterval at most two fetches per this interval (refreshes for unknown key ids included)
     * @param outageTolerance    how long after {@code cacheTtl} the last JWK set is still used while the
     *                           issuer cannot be reached
     * @param fetchTimeout       longest wait for the issuer's answer (also how long a request waits for a
     *                           refresh another request started)
     * @param clockSkew          tolerance on {@code exp} and {@code nbf}
     * @param audience           the {@code aud} every token must carry
     * @param algorithms         accepted signature algorithms ({@code RS256} when empty)
     */
    public record Settings(
            Duration cacheTtl,
            Duration refreshMinInterval,
            Duration outageTolerance,
            Duration fetchTimeout,
            Duration clockSkew,
            String audience,
            Set<String> algorithms) {

        public Settings {
            if (cacheTtl.compareTo(refreshMinInterval) <= 0) {
                throw new IllegalArgumentException("the JWK set cache's time to live (" + cacheTtl
                        + ") must be longer than the minimum interval between refreshes (" + refreshMinInterval + ")");
            }
            if (audience == null || audience.isBlank()) {
                throw new IllegalArgumentException("an audience is needed");
            }
            algorithms = algorithms == null || algorithms.isEmpty() ? Set.of("RS256") : Set.copyOf(algorithms);
        }
    }

    private RemoteIssuerDecoder() {}

    /** A decoder checking signature (keys from {@code keys}), issuer (when configured), audience, expiry. */
    public static NimbusJwtDecoder create(IssuerKeys keys, Settings settings) {
        return create(keys, settings, Clock.systemUTC());
    }

    /**
     * The same, with the JWK set's cache, its refresh limit, its outage tolerance and the tokens' expiry
     * all read on {@code clock}.
     */
    public static NimbusJwtDecoder create(IssuerKeys keys, Settings settings, Clock clock) {
        AtomicLong nextRateLimitLog = new AtomicLong();
        JWKSource<SecurityContext> source = JWKSourceBuilder.create(keys)
                .cache(settings.cacheTtl().toMillis(), settings.fetchTimeout().toMillis())
                .refreshAheadCache(false)
                .rateLimited(settings.refreshMinInterval().toMillis(), event -> {
                    // one line per interval: the event fires for every refused token, and these can be a flood
                    long now = System.nanoTime();
                    long next = nextRateLimitLog.get();
                    if (now - next >= 0 && nextRateLimitLog.compareAndSet(next, now + settings.refreshMinInterval().toNanos())) {
                        log.warn("JWK set refresh refused: more than two in {}; tokens with an unknown key id are "
                                + "refused until the next one (a key just rotated, or made-up key ids?)",
                                settings.refreshMinInterval());
                    }
                })
                .outageTolerant(settings.outageTolerance().toMillis(),
                        event -> log.warn("the issuer's keys cannot be fetched ({}); using the JWK set fetched before{}",
                                event instanceof OutageTolerantJWKSetSource.OutageEvent<?> outage && outage.getException() != null
                                        ? outage.getException().getMessage() : "unknown cause",
                                event instanceof OutageTolerantJWKSetSource.OutageEvent<?> outage
                                        ? " for at most " + Duration.ofMillis(outage.getRemainingTime()) + " more" : ""))
                .retrying(true)
                .build();
        if (!(source instanceof JWKSetBasedJWKSource<SecurityContext> sets)) {
            throw new IllegalStateException("unexpected JWK source " + source.getClass().getName());
        }
        JWKSetSource<SecurityContext> timed = sets.getJWKSetSource();

        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        Set<JWSAlgorithm> algorithms = settings.algorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toSet());
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms,
                (JWKSelector selector, SecurityContext context) -> keys(timed, selector, context, clock.millis())));
        processor.setJWTClaimsSetVerifier((claims, context) -> { }); // the claims are Spring's validators' job

        NimbusJwtDecoder decoder = new NimbusJwtDecoder(processor);
        decoder.setJwtValidator(validator(keys, settings, clock));
        return decoder;
    }

    /**
     * The keys {@code selector} wants, as Nimbus's {@link JWKSetBasedJWKSource} finds them (the cached set,
     * then a refresh when none matches), at the time {@code now} instead of the system's.
     */
    private static List<JWK> keys(JWKSetSource<SecurityContext> sets, JWKSelector selector, SecurityContext context,
            long now) throws KeySourceException {
        JWKSet cached = sets.getJWKSet(JWKSetCacheRefreshEvaluator.noRefresh(), now, context);
        List<JWK> found = selector.select(cached);
        if (!found.isEmpty()) {
            return found;
        }
        return selector.select(sets.getJWKSet(JWKSetCacheRefreshEvaluator.referenceComparison(cached), now, context));
    }

    static OAuth2TokenValidator<Jwt> validator(IssuerKeys keys, Settings settings, Clock clock) {
        List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
        JwtTimestampValidator timestamps = new JwtTimestampValidator(settings.clockSkew());
        timestamps.setClock(clock);
        validators.add(timestamps);
        keys.issuer().ifPresent(issuer -> validators.add(new JwtIssuerValidator(issuer)));
        String audience = settings.audience();
        validators.add(new JwtClaimValidator<Collection<String>>("aud", aud -> aud != null && aud.contains(audience)));
        return new DelegatingOAuth2TokenValidator<>(validators);
    }
}
