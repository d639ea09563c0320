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
import java.time.Duration;
import java.time.Instant;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
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
    private static final long MIB = 1024 * 1024;

    private static RSAKey signingKey;
    private static RSAKey otherKey;

    private TestClock clock;
    private CountingDecoder decoder;

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

    private TokenAuthenticator authenticator(Duration maxCacheAge, long maxCacheBytes) {
        return new TokenAuthenticator(decoder, new CallerClaims(Map.of("bapenda-pajak", "bapenda")::get),
                maxCacheAge, maxCacheBytes, clock);
    }

    private TokenAuthenticator authenticator() {
        return authenticator(Duration.ofMinutes(5), MIB);
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

    /** The token is refused for its shape alone: the decoder never sees it. */
    private void assertRefusedUndecoded(TokenAuthenticator auth, String token, String reason) {
        int before = decoder.calls.get();
        assertThatThrownBy(() -> auth.authenticate(token)).isInstanceOf(InvalidTokenException.class).hasMessageContaining(reason);
        assertThatThrownBy(() -> auth.authenticate(token)).isInstanceOf(InvalidTokenException.class).hasMessageContaining(reason);
        assertThat(decoder.calls.get() - before).as("decoder calls").isZero();
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
        TokenAuthenticator auth = authenticator(Duration.ofSeconds(30), MIB);
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

        assertRefusedUndecoded(authenticator(), token, "signature is empty");
    }

    @Test
    void anRs256TokenWithItsSignatureStrippedIsRefused() throws Exception {
        String signed = valid("dinkes-simpus");
        String stripped = signed.substring(0, signed.lastIndexOf('.') + 1);

        assertRefusedUndecoded(authenticator(), stripped, "signature is empty");
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

    // ------------------------------------------------------------------ strict compact JWS, before anything

    /** A valid token with {@code inserted} put into the middle of its signature. */
    private static String withInSignature(String token, String inserted) {
        int at = token.lastIndexOf('.') + 100;
        return token.substring(0, at) + inserted + token.substring(at);
    }

    @Test
    void controlTheJoseDecoderItselfSkipsCharactersOutsideBase64url() throws Exception {
        String variant = withInSignature(valid("dinkes-simpus"), "!");

        // what let one token be sent in endless spellings, each verified and each cached
        assertThat(decoder.delegate.decode(variant).getClaimAsString("azp")).isEqualTo("dinkes-simpus");
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"!", "~", "*", "+", "/", "=", "%", "$", "&", "\"", "'", "(", ",", ":", ";", "@",
            " ", "\t", "\u0000", "\u007f", "\u00e9", "\uff21", "\u200b", "!~*"})
    void aValidTokenWithACharacterOutsideBase64urlInItsSignatureIsRefusedBeforeDecoding(String inserted) throws Exception {
        String token = valid("dinkes-simpus");
        TokenAuthenticator auth = authenticator();
        auth.authenticate(token); // cached: a variant must not be served from the cache either

        assertRefusedUndecoded(auth, withInSignature(token, inserted), "outside base64url");
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"!", "~", " ", "="})
    void aCharacterOutsideBase64urlInTheHeaderOrPayloadIsRefused(String inserted) throws Exception {
        String[] parts = valid("dinkes-simpus").split("\\.");
        TokenAuthenticator auth = authenticator();

        assertRefusedUndecoded(auth, parts[0].substring(0, 5) + inserted + parts[0].substring(5) + "." + parts[1] + "." + parts[2],
                "outside base64url");
        assertRefusedUndecoded(auth, parts[0] + "." + parts[1].substring(0, 5) + inserted + parts[1].substring(5) + "." + parts[2],
                "outside base64url");
    }

    @Test
    void aPaddedSignatureIsRefused() throws Exception {
        String token = valid("dinkes-simpus");
        assertThat(token.substring(token.lastIndexOf('.') + 1).length() % 4).as("an RS256 signature needs padding in base64").isEqualTo(2);

        assertRefusedUndecoded(authenticator(), token + "==", "outside base64url");
    }

    @Test
    void aSignatureWithNonZeroSpareBitsIsRefusedThoughItDecodesToTheSameBytes() throws Exception {
        String token = valid("dinkes-simpus");
        char last = token.charAt(token.length() - 1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        // 342 characters carry 256 bytes: the last character's low four bits are spare
        String alias = token.substring(0, token.length() - 1) + alphabet.charAt(alphabet.indexOf(last) | 1);
        assertThat(decoder.delegate.decode(alias).getClaimAsString("azp")).as("control: the decoder accepts it").isEqualTo("dinkes-simpus");

        assertRefusedUndecoded(authenticator(), alias, "signature is not canonical base64url");
    }

    @Test
    void aHeaderOrPayloadWhoseLengthCannotBeBase64urlIsRefused() throws Exception {
        String[] parts = valid("dinkes-simpus").split("\\.");
        String header = parts[0].length() % 4 == 0 ? parts[0] + "A" : parts[0] + "AAAA".substring(parts[0].length() % 4 - 1);
        assertThat(header.length() % 4).isEqualTo(1);

        assertRefusedUndecoded(authenticator(), header + "." + parts[1] + "." + parts[2], "header is not canonical base64url");
        assertRefusedUndecoded(authenticator(), parts[0] + "." + parts[1] + "A".repeat(4 - parts[1].length() % 4 + 1) + "." + parts[2],
                "payload is not canonical base64url");
    }

    @Test
    void aTokenOfTwoOrFourPartsOrWithAnEmptyPartIsRefused() throws Exception {
        String[] parts = valid("dinkes-simpus").split("\\.");
        TokenAuthenticator auth = authenticator();

        assertRefusedUndecoded(auth, parts[0] + "." + parts[1], "2 parts");
        assertRefusedUndecoded(auth, parts[2], "1 part;");
        assertRefusedUndecoded(auth, parts[0] + "." + parts[1] + "." + parts[2] + "." + parts[2], "more than three parts");
        assertRefusedUndecoded(auth, parts[0] + "." + parts[1] + "." + parts[2] + ".", "more than three parts");
        assertRefusedUndecoded(auth, "." + parts[1] + "." + parts[2], "header is empty");
        assertRefusedUndecoded(auth, parts[0] + ".." + parts[2], "payload is empty");
        assertRefusedUndecoded(auth, parts[0] + "." + parts[1] + ".", "signature is empty");
    }

    @Test
    void aTokenLongerThan8KiBIsRefusedUnreadAndOneOfManyRolesWithinTheLimitIsAccepted() throws Exception {
        List<String> roles = new java.util.ArrayList<>(List.of("gateway-admin"));
        for (int i = 0; roles.size() < 160; i++) {
            roles.add("opd-pelalawan-role-" + i);
        }
        String large = sign(signingKey, claims("dinkes-simpus").claim("realm_access", Map.of("roles", roles)).build());
        assertThat(large.length()).as("a token with many roles, like Keycloak's").isBetween(4096, CompactJws.MAX_LENGTH);
        String tooLong = sign(signingKey, claims("dinkes-simpus").claim("pad", "x".repeat(6200)).build());
        assertThat(tooLong.length()).isGreaterThan(8192);
        TokenAuthenticator auth = authenticator();

        assertThat(auth.authenticate(large).roles()).hasSize(160);
        assertRefusedUndecoded(auth, tooLong, "longer than 8192 characters");
    }

    // ----------------------------------------------------------------------------------- the cache's bound

    @Test
    void theCacheStaysWithinItsMemoryBudgetWhenFilledWithManyDistinctValidTokens() throws Exception {
        long budget = 64 * 1024;
        TokenAuthenticator auth = authenticator(Duration.ofMinutes(5), budget);
        List<String> roles = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            roles.add("role-" + i);
        }

        for (int i = 0; i < 300; i++) {
            String client = "app-" + i;
            JWTClaimsSet.Builder c = claims(client);
            if (i % 3 == 0) {
                c.claim("realm_access", Map.of("roles", roles)); // every third token is twice as long, with a hundred roles
            }
            assertThat(auth.authenticate(sign(signingKey, c.build())).clientId()).isEqualTo(client);
            assertThat(auth.cachedBytes()).as("estimated bytes after token %d", i).isLessThanOrEqualTo(budget);
        }
        assertThat(auth.cachedTokens()).as("tokens remembered").isPositive();
        assertThat(decoder.calls.get()).isEqualTo(300);
    }

    @Test
    void anEntryWeighsAtLeastItsTokenAndTheRolesItCarries() throws Exception {
        List<String> roles = java.util.stream.IntStream.range(0, 200).mapToObj(i -> "r" + i).toList();
        String small = valid("dinkes-simpus");
        String big = sign(signingKey, claims("dinkes-simpus").claim("realm_access", Map.of("roles", roles)).build());
        TokenAuthenticator auth = authenticator();
        Caller smallCaller = auth.authenticate(small);
        Caller bigCaller = auth.authenticate(big);

        assertThat(TokenAuthenticator.weight(small, smallCaller)).isGreaterThan(small.length());
        // every role is a string of its own: far more than the few characters it takes in the token
        assertThat(TokenAuthenticator.weight(big, bigCaller) - TokenAuthenticator.weight(small, smallCaller))
                .isGreaterThan(big.length() - small.length() + 200 * 40);
        assertThat(auth.cachedBytes()).isEqualTo(TokenAuthenticator.weight(small, smallCaller) + TokenAuthenticator.weight(big, bigCaller));
    }

    @Test
    void aTokenInSteadyUseStaysCachedThroughAFloodOfNewTokens() throws Exception {
        String hot = valid("dinkes-simpus");
        Caller hotCaller = authenticator().authenticate(hot);
        TokenAuthenticator auth = authenticator(Duration.ofMinutes(5), 10L * TokenAuthenticator.weight(hot, hotCaller));
        for (int i = 0; i < 20; i++) {
            auth.authenticate(hot);
        }
        int calls = decoder.calls.get();

        for (int i = 0; i < 200; i++) {
            auth.authenticate(valid("app-" + i));
            auth.authenticate(hot);
        }

        assertThat(decoder.calls.get() - calls).as("decoder calls: the 200 new tokens only").isEqualTo(200);
    }

    @Test
    void aFullCacheDropsExpiredEntriesBeforeLiveOnes() throws Exception {
        String shortLived = sign(signingKey, claims("app-short").expirationTime(Date.from(START.plusSeconds(10))).build());
        String longLived = valid("app-long");
        String fresh = valid("app-new");
        TokenAuthenticator probe = authenticator();
        long room = TokenAuthenticator.weight(longLived, probe.authenticate(longLived))
                + Math.max(TokenAuthenticator.weight(shortLived, probe.authenticate(shortLived)),
                        TokenAuthenticator.weight(fresh, probe.authenticate(fresh)));
        TokenAuthenticator auth = authenticator(Duration.ofMinutes(5), room); // two entries fit, not three
        int calls = decoder.calls.get();
        auth.authenticate(shortLived);
        auth.authenticate(longLived);
        assertThat(decoder.calls.get() - calls).isEqualTo(2);

        clock.advance(Duration.ofSeconds(60));
        auth.authenticate(fresh); // the cache is full: the expired entry makes room
        auth.authenticate(fresh);
        auth.authenticate(longLived);

        assertThat(decoder.calls.get() - calls).isEqualTo(3);
        assertThat(auth.cachedTokens()).isEqualTo(2);
    }

    @Test
    void aCacheOfNoBytesRemembersNothingAndStillAuthenticates() throws Exception {
        TokenAuthenticator auth = authenticator(Duration.ofMinutes(5), 0);
        String token = valid("dinkes-simpus");

        assertThat(auth.authenticate(token).clientId()).isEqualTo("dinkes-simpus");
        assertThat(auth.authenticate(token).clientId()).isEqualTo("dinkes-simpus");
        assertThat(decoder.calls.get()).isEqualTo(2);
        assertThat(auth.cachedTokens()).isZero();
    }
}
