package id.gerbang.security.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import id.gerbang.security.TestClock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/** The remote issuer's decoder against a small in-process issuer: discovery, checks, rotation, rate limit, outage. */
class RemoteIssuerDecoderTest {

    private static RSAKey first;
    private static RSAKey second;

    private HttpServer server;
    private String issuer;
    private final List<RSAKey> published = new CopyOnWriteArrayList<>();
    private final AtomicInteger jwksRequests = new AtomicInteger();
    private volatile int jwksStatus = 200;
    /** The decoder's clock: its cache expires when the test moves it, not while the test waits. */
    private final TestClock clock = new TestClock(Instant.now());

    @BeforeAll
    static void keys() throws Exception {
        first = key();
        second = key();
    }

    @BeforeEach
    void startIssuer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/pelalawan";
        server.createContext("/realms/pelalawan/.well-known/openid-configuration", exchange -> {
            byte[] body = ("{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/protocol/openid-connect/certs\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/realms/pelalawan/protocol/openid-connect/certs", exchange -> {
            jwksRequests.incrementAndGet();
            byte[] body = new JWKSet(List.copyOf(published.stream().map(k -> (com.nimbusds.jose.jwk.JWK) k.toPublicJWK()).toList()))
                    .toString().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(jwksStatus, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        published.add(first);
    }

    @AfterEach
    void stopIssuer() {
        server.stop(0);
    }

    private JwtDecoder decoder(Duration cacheTtl, Duration refreshMinInterval, Duration outageTolerance) {
        return RemoteIssuerDecoder.create(new IssuerKeys(issuer, null, Duration.ofSeconds(2)),
                new RemoteIssuerDecoder.Settings(cacheTtl, refreshMinInterval, outageTolerance, Duration.ofSeconds(2),
                        Duration.ofSeconds(1), "gerbang", Set.of()), clock);
    }

    private JwtDecoder decoder() {
        return decoder(Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofHours(1));
    }

    @Test
    void keysAreDiscoveredFromTheIssuerAndATokenOfItsShapeIsAccepted() {
        var jwt = decoder().decode(token(first, c -> {}));
        assertThat(jwt.getClaimAsString("azp")).isEqualTo("dinkes-simpus");
        assertThat(jwksRequests).hasValue(1);
    }

    @Test
    void wrongIssuerAudienceExpiryOrSignatureIsRefused() {
        JwtDecoder decoder = decoder();
        assertThatThrownBy(() -> decoder.decode(token(first, c -> c.issuer("http://127.0.0.1:1/realms/kampar"))))
                .isInstanceOf(JwtException.class).hasMessageContaining("iss");
        assertThatThrownBy(() -> decoder.decode(token(first, c -> c.audience("account"))))
                .isInstanceOf(JwtException.class).hasMessageContaining("aud");
        assertThatThrownBy(() -> decoder.decode(token(first, c -> c.issueTime(Date.from(Instant.now().minusSeconds(300))).expirationTime(Date.from(Instant.now().minusSeconds(3))))))
                .isInstanceOf(JwtException.class).hasMessageContaining("expired");
        String good = token(first, c -> {});
        String forged = good.substring(0, good.lastIndexOf('.') + 1) + token(second, c -> {}).substring(good.lastIndexOf('.') + 1);
        assertThatThrownBy(() -> decoder.decode(forged)).isInstanceOf(JwtException.class);
    }

    @Test
    void aKeyIdNotSeenBeforeMakesTheSetBeFetchedAgain() {
        JwtDecoder decoder = decoder();
        decoder.decode(token(first, c -> {}));
        published.add(second); // Keycloak rotated: a new key signs from now on

        decoder.decode(token(second, c -> {}));
        assertThat(jwksRequests).hasValue(2);
        decoder.decode(token(first, c -> {}));
        assertThat(jwksRequests).as("known keys come from the cache").hasValue(2);
    }

    @Test
    void refreshesForUnknownKeyIdsAreLimited() throws Exception {
        JwtDecoder decoder = decoder();
        decoder.decode(token(first, c -> {}));                   // fetch 1
        RSAKey madeUp = key();
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> decoder.decode(token(madeUp, c -> {}))).isInstanceOf(JwtException.class);
        }
        assertThat(jwksRequests).as("two fetches per interval at most").hasValue(2);
    }

    @Test
    void knownKeysKeepWorkingWhileTheIssuerIsDownBeyondTheCacheLifetime() throws Exception {
        JwtDecoder decoder = decoder(Duration.ofMillis(300), Duration.ofMillis(100), Duration.ofHours(1));
        decoder.decode(token(first, c -> {}));
        jwksStatus = 503;
        clock.advance(Duration.ofMillis(400)); // the cached set has expired

        assertThat(decoder.decode(token(first, c -> {})).getClaimAsString("opd")).isEqualTo("dinkes");
        assertThat(jwksRequests.get()).as("the issuer was asked again").isGreaterThan(1);
        assertThatThrownBy(() -> decoder.decode(token(second, c -> {})))
                .as("a key not known before cannot be learned while the issuer is down").isInstanceOf(JwtException.class);
    }

    @Test
    void withoutOutageToleranceLeftKnownKeysAreRefusedToo() throws Exception {
        JwtDecoder decoder = decoder(Duration.ofMillis(300), Duration.ofMillis(100), Duration.ofMillis(1));
        decoder.decode(token(first, c -> {}));
        server.stop(0);
        clock.advance(Duration.ofMillis(400));

        assertThatThrownBy(() -> decoder.decode(token(first, c -> {}))).isInstanceOf(JwtException.class);
    }

    @Test
    void expiryIsReadOnTheDecodersClock() throws Exception {
        JwtDecoder decoder = decoder();
        String token = token(first, c -> {}); // valid for five minutes
        decoder.decode(token);

        clock.advance(Duration.ofMinutes(6));

        assertThatThrownBy(() -> decoder.decode(token)).isInstanceOf(JwtException.class).hasMessageContaining("expired");
    }

    @Test
    void discoveryDocumentNamingAnotherIssuerIsRefused() {
        IssuerKeys keys = new IssuerKeys(issuer + "-lain", null, Duration.ofSeconds(2));
        server.createContext("/realms/pelalawan-lain/.well-known/openid-configuration", exchange -> {
            byte[] body = ("{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/protocol/openid-connect/certs\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        assertThatThrownBy(keys::fetch).isInstanceOf(IOException.class).hasMessageContaining("names the issuer");
    }

    @Test
    void aJwkSetUriIsUsedAsGiven() throws Exception {
        IssuerKeys keys = new IssuerKeys(null, issuer + "/protocol/openid-connect/certs", Duration.ofSeconds(2));
        assertThat(keys.fetch().getKeyByKeyId(first.getKeyID())).isNotNull();
        assertThat(keys.issuer()).isEmpty();
    }

    @Test
    void theCacheMustOutliveTheRefreshInterval() {
        assertThatThrownBy(() -> new RemoteIssuerDecoder.Settings(Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(60), "gerbang", Set.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------------------------------ helpers

    private String token(RSAKey key, Consumer<JWTClaimsSet.Builder> edit) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(List.of("gerbang", "account"))
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300)))
                .claim("azp", "dinkes-simpus")
                .claim("opd", "dinkes");
        edit.accept(claims);
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT)
                    .keyID(key.getKeyID()).build(), claims.build());
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static RSAKey key() throws Exception {
        return new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256)
                .keyIDFromThumbprint(true).generate();
    }
}
