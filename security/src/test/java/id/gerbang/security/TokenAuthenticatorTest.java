package id.gerbang.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

class TokenAuthenticatorTest {

    private static final String ISSUER = "http://localhost:8080";
    private static final String AUDIENCE = "gerbang";
    /** Spring's JwtTimestampValidator default: expiry and not-before are checked with this leeway. */
    private static final Duration SKEW = Duration.ofSeconds(60);
    private static final Instant START = Instant.parse("2030-03-01T08:00:00Z");
    private static final Duration TTL = Duration.ofMinutes(5);

    private static RSAKey signingKey;
    private static RSAKey otherKey;

    private TestClock clock;
    private CountingDecoder decoder;

    /** A clock that stands still until the test moves it. */
    static final class TestClock extends Clock {
        private volatile Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /** Counts how often the real decoder is consulted. */
    static final class CountingDecoder implements JwtDecoder {
        final JwtDecoder delegate;
        final AtomicInteger calls = new AtomicInteger();

        CountingDecoder(JwtDecoder delegate) {
            this.delegate = delegate;
        }

        @Override
        public Jwt decode(String token) {
            calls.incrementAndGet();
            return delegate.decode(token);
        }
    }

    @BeforeAll
    static void keys() throws Exception {
        signingKey = new RSAKeyGenerator(2048).keyID("gerbang-test").generate();
        otherKey = new RSAKeyGenerator(2048).keyID("gerbang-test").generate();
    }

    @BeforeEach
    void setUp() throws Exception {
        clock = new TestClock(START);
        // As IssuerConfiguration wires it (default validators with the issuer, plus the audience), with the
        // timestamp validator reading the test clock.
        JwtTimestampValidator timestamps = new JwtTimestampValidator();
        timestamps.setClock(clock);
        NimbusJwtDecoder nimbus = NimbusJwtDecoder.withPublicKey(signingKey.toRSAPublicKey()).build();
        nimbus.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                JwtValidators.createDefaultWithValidators(timestamps, new JwtIssuerValidator(ISSUER)),
                new JwtClaimValidator<Collection<String>>("aud", aud -> aud != null && aud.contains(AUDIENCE))));
        decoder = new CountingDecoder(nimbus);
    }

    private TokenAuthenticator authenticator(Duration maxCacheAge, int maxCacheEntries) {
        return new TokenAuthenticator(decoder, new CallerClaims(Map.of("bapenda-pajak", "bapenda")::get),
                maxCacheAge, maxCacheEntries, clock);
    }

    private TokenAuthenticator authenticator() {
        return authenticator(Duration.ofMinutes(5), 100);
    }

    private static JWTClaimsSet.Builder claims(String clientId) {
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(UUID.nameUUIDFromBytes(clientId.getBytes(StandardCharsets.UTF_8)).toString())
                .issueTime(Date.from(START))
                .expirationTime(Date.from(START.plus(TTL)))
                .jwtID(UUID.randomUUID().toString())
                .claim("typ", "Bearer")
                .claim("azp", clientId)
                .claim("client_id", clientId)
                .claim("realm_access", Map.of("roles", List.of("gateway-admin")));
    }

    private static String sign(RSAKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256)
                .type(JOSEObjectType.JWT).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static String valid(String clientId) throws Exception {
        return sign(signingKey, claims(clientId).claim("opd", "dinkes").build());
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The token is refused on every attempt, and the decoder is asked every time (nothing was cached). */
    private void assertRefusedEveryTime(TokenAuthenticator auth, String token) {
        int before = decoder.calls.get();
        assertThatThrownBy(() -> auth.authenticate(token)).isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> auth.authenticate(token)).isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> auth.authenticate(token)).isInstanceOf(InvalidTokenException.class);
        assertThat(decoder.calls.get() - before).isEqualTo(3);
    }

    @Test
    void aValidTokenAuthenticatesToTheCallerItNames() throws Exception {
        Caller caller = authenticator().authenticate(valid("dinkes-simpus"));

        assertThat(caller).isEqualTo(new Caller("dinkes-simpus", "dinkes", Set.of("gateway-admin"), START.plus(TTL)));
    }

    @Test
    void aValidTokenWithoutOpdClaimTakesTheOpdFromTheDirectory() throws Exception {
        Caller caller = authenticator().authenticate(sign(signingKey, claims("bapenda-pajak").build()));

        assertThat(caller.clientId()).isEqualTo("bapenda-pajak");
        assertThat(caller.opd()).isEqualTo("bapenda");
    }

    @Test
    void theSameTokenASecondTimeIsServedFromTheCache() throws Exception {
        TokenAuthenticator auth = authenticator();
        String token = valid("dinkes-simpus");

        Caller first = auth.authenticate(token);
        clock.advance(Duration.ofSeconds(10));
        Caller second = auth.authenticate(token);
        Caller third = auth.authenticate(token);

        assertThat(decoder.calls.get()).isEqualTo(1);
        assertThat(second).isEqualTo(first);
        assertThat(third).isEqualTo(first);
    }

    @Test
    void differentTokensAreEachVerifiedAndKeepTheirOwnCaller() throws Exception {
        TokenAuthenticator auth = authenticator();
        String simpus = valid("dinkes-simpus");
        String pajak = sign(signingKey, claims("bapenda-pajak").build());

        assertThat(auth.authenticate(simpus).clientId()).isEqualTo("dinkes-simpus");
        assertThat(auth.authenticate(pajak).clientId()).isEqualTo("bapenda-pajak");
        assertThat(auth.authenticate(simpus).clientId()).isEqualTo("dinkes-simpus");
        assertThat(auth.authenticate(pajak).clientId()).isEqualTo("bapenda-pajak");
        assertThat(decoder.calls.get()).isEqualTo(2);
    }

    @Test
    void theCacheNoLongerAnswersForATokenOnceTheClockReachesItsExpiry() throws Exception {
        TokenAuthenticator auth = authenticator();
        String token = valid("dinkes-simpus");
        auth.authenticate(token);

        clock.set(START.plus(TTL).minusSeconds(1));
        auth.authenticate(token);
        assertThat(decoder.calls.get()).isEqualTo(1);

        clock.set(START.plus(TTL));
        try {
            auth.authenticate(token); // the decoder decides; within its clock skew it may still accept
        } catch (InvalidTokenException ignored) {
            // refused is fine too
        }
        assertThat(decoder.calls.get()).isEqualTo(2);
    }

    @Test
    void aCachedTokenIsRefusedOnceTheClockPassesItsExpiry() throws Exception {
        TokenAuthenticator auth = authenticator();
        String token = valid("dinkes-simpus");
        auth.authenticate(token);
        auth.authenticate(token);
        assertThat(decoder.calls.get()).isEqualTo(1);

        clock.set(START.plus(TTL).plus(SKEW).plusSeconds(1));

        assertThatThrownBy(() -> auth.authenticate(token)).isInstanceOf(InvalidTokenException.class);
        assertThat(decoder.calls.get()).isEqualTo(2);
        assertThatThrownBy(() -> auth.authenticate(token)).isInstanceOf(InvalidTokenException.class);
        assertThat(decoder.calls.get()).isEqualTo(3);
    }

    @Test
    void withinTheDecodersClockSkewAJustExpiredTokenIsAcceptedButReverifiedOnEveryCall() throws Exception {
        TokenAuthenticator auth = authenticator();
        String token = valid("dinkes-simpus");
        auth.authenticate(token);

        clock.set(START.plus(TTL).plusSeconds(30)); // past exp, within Spring's default 60 s leeway

        assertThat(auth.authenticate(token).clientId()).isEqualTo("dinkes-simpus");
        assertThat(auth.authenticate(token).clientId()).isEqualTo("dinkes-simpus");
        assertThat(decoder.calls.get()).isEqualTo(3);
    }

    @Test
    void aSignedTokenThatExpiresBeforeItWasIssuedIsRefusedNotAnError() throws Exception {
        String backwards = sign(signingKey, claims("dinkes-simpus").claim("opd", "dinkes")
                .issueTime(Date.from(START)).expirationTime(Date.from(START.minusSeconds(10))).build());

        assertRefusedEveryTime(authenticator(), backwards);
    }

    @Test
    void aCacheEntryLivesAtMostMaxCacheAge() throws Exception {
        TokenAuthenticator auth = authenticator(Duration.ofSeconds(30), 100);
        String token = valid("dinkes-simpus"); // valid for five minutes
        auth.authenticate(token);

        clock.advance(Duration.ofSeconds(29));
        auth.authenticate(token);
        assertThat(decoder.calls.get()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1)); // 30 s after it was remembered
        assertThat(auth.authenticate(token).clientId()).isEqualTo("dinkes-simpus");
        assertThat(decoder.calls.get()).isEqualTo(2);

        clock.advance(Duration.ofSeconds(29)); // remembered again at 30 s, until 60 s
        auth.authenticate(token);
        assertThat(decoder.calls.get()).isEqualTo(2);
    }

    @Test
    void aTokenSignedByAnotherKeyIsRefusedAndNeverCached() throws Exception {
        assertRefusedEveryTime(authenticator(), sign(otherKey, claims("dinkes-simpus").build()));
    }

    @Test
    void anUnsignedAlgNoneTokenIsRefusedAndNeverCached() {
        String claims = claims("dinkes-simpus").build().toString();
        String token = b64("{\"alg\":\"none\"}") + "." + b64(claims) + ".";

        assertRefusedEveryTime(authenticator(), token);
    }

    @Test
    void anRs256TokenWithItsSignatureStrippedIsRefused() throws Exception {
        String signed = valid("dinkes-simpus");
        String stripped = signed.substring(0, signed.lastIndexOf('.') + 1);

        assertRefusedEveryTime(authenticator(), stripped);
    }

    @Test
    void aTokenWhosePayloadWasAlteredAfterSigningIsRefused() throws Exception {
        String[] parts = valid("dinkes-simpus").split("\\.");
        String altered = parts[0] + "." + b64(claims("dinkes-simpus")
                .claim("realm_access", Map.of("roles", List.of("gateway-admin", "auditor"))).build().toString())
                + "." + parts[2];

        assertRefusedEveryTime(authenticator(), altered);
    }

    @Test
    void aTokenFromAnotherIssuerIsRefusedAndNeverCached() throws Exception {
        String token = sign(signingKey, claims("dinkes-simpus").issuer("http://evil.example").build());

        assertRefusedEveryTime(authenticator(), token);
    }

    @Test
    void aTokenForAnotherAudienceIsRefusedAndNeverCached() throws Exception {
        String token = sign(signingKey, claims("dinkes-simpus").audience("account").build());

        assertRefusedEveryTime(authenticator(), token);
    }

    @Test
    void aTokenWithoutAudienceIsRefused() throws Exception {
        String token = sign(signingKey, claims("dinkes-simpus").audience((String) null).build());

        assertRefusedEveryTime(authenticator(), token);
    }

    @Test
    void anExpiredTokenIsRefusedAndNeverCached() throws Exception {
        String token = sign(signingKey, claims("dinkes-simpus")
                .issueTime(Date.from(START.minus(Duration.ofMinutes(20))))
                .expirationTime(Date.from(START.minus(Duration.ofMinutes(15))))
                .build());

        assertRefusedEveryTime(authenticator(), token);
    }

    @Test
    void aTokenNotYetValidIsRefusedAndNeverCached() throws Exception {
        String token = sign(signingKey, claims("dinkes-simpus").notBeforeTime(Date.from(START.plus(Duration.ofMinutes(2))))
                .build());

        assertRefusedEveryTime(authenticator(), token);
    }

    @Test
    void aSignedTokenWithoutExpiryIsRefusedAndNeverCached() throws Exception {
        String token = sign(signingKey, claims("dinkes-simpus").expirationTime(null).build());

        assertRefusedEveryTime(authenticator(), token);
    }

    @Test
    void aSignedTokenNamingNoClientIsRefusedAndNeverCached() throws Exception {
        String token = sign(signingKey, claims("dinkes-simpus").claim("azp", null).claim("client_id", null).build());

        assertRefusedEveryTime(authenticator(), token);
    }

    @Test
    void garbageIsRefusedAsAnInvalidToken() {
        TokenAuthenticator auth = authenticator();

        assertThatThrownBy(() -> auth.authenticate("not-a-jwt")).isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> auth.authenticate("")).isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> auth.authenticate("a.b.c")).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void aFullCacheKeepsAuthenticatingAndCaching() throws Exception {
        TokenAuthenticator auth = authenticator(Duration.ofMinutes(5), 2);
        List<String> clients = List.of("app-a", "app-b", "app-c", "app-d", "app-e");
        List<String> tokens = new java.util.ArrayList<>();
        for (String client : clients) {
            tokens.add(valid(client));
        }

        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < tokens.size(); i++) {
                assertThat(auth.authenticate(tokens.get(i)).clientId()).isEqualTo(clients.get(i));
            }
        }
        int calls = decoder.calls.get();
        assertThat(calls).isLessThanOrEqualTo(10);

        // the cache still caches after overflowing
        String last = tokens.get(tokens.size() - 1);
        auth.authenticate(last);
        auth.authenticate(last);
        assertThat(decoder.calls.get()).isEqualTo(calls);
    }

    @Test
    void aFullCacheDropsExpiredEntriesBeforeLiveOnes() throws Exception {
        TokenAuthenticator auth = authenticator(Duration.ofMinutes(5), 2);
        String shortLived = sign(signingKey, claims("app-short").expirationTime(Date.from(START.plusSeconds(10))).build());
        String longLived = valid("app-long");
        auth.authenticate(shortLived);
        auth.authenticate(longLived);
        assertThat(decoder.calls.get()).isEqualTo(2);

        clock.advance(Duration.ofSeconds(11));
        auth.authenticate(valid("app-new")); // the cache is full: the expired entry makes room
        assertThat(decoder.calls.get()).isEqualTo(3);

        auth.authenticate(longLived);
        assertThat(decoder.calls.get()).isEqualTo(3);
    }
}
