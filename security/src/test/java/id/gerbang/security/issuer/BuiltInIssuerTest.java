package id.gerbang.security.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import id.gerbang.security.Caller;
import id.gerbang.security.CallerClaims;
import id.gerbang.security.InvalidTokenException;
import id.gerbang.security.TokenAuthenticator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.oauth2.jwt.JwtDecoder;

@SuppressWarnings("unchecked")
class BuiltInIssuerTest {

    private static final String URL = "http://localhost:8080";
    private static final Instant NOW = Instant.parse("2030-03-01T08:00:00Z");
    private static final Map<String, IssuerProperties.DemoClient> CLIENTS = Map.of(
            "dinkes-simpus", new IssuerProperties.DemoClient("rahasia-simpus", "dinkes", List.of("gateway-admin")),
            "bapenda-pajak", new IssuerProperties.DemoClient("rahasia-pajak", null, List.of()),
            "no-secret", new IssuerProperties.DemoClient(null, "bkpsdm", List.of()));

    @TempDir
    Path dir;

    private static IssuerProperties properties(Path keyFile) {
        return new IssuerProperties(true, URL, keyFile, Duration.ofMinutes(5), "gerbang", CLIENTS);
    }

    private BuiltInIssuer issuer(Clock clock) {
        return new BuiltInIssuer(properties(dir.resolve("issuer-key.json")), URL, clock);
    }

    private BuiltInIssuer issuer() {
        return issuer(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static SignedJWT verified(BuiltInIssuer issuer, String token) throws Exception {
        SignedJWT jwt = SignedJWT.parse(token);
        assertThat(jwt.verify(new RSASSAVerifier(issuer.publicKey()))).as("signature by the issuer's key").isTrue();
        return jwt;
    }

    @Test
    void aKnownClientWithTheRightSecretGetsATokenOfKeycloaksShape() throws Exception {
        BuiltInIssuer issuer = issuer();

        BuiltInIssuer.IssuedToken issued = issuer.issue("dinkes-simpus", "rahasia-simpus").orElseThrow();

        assertThat(issued.expiresInSeconds()).isEqualTo(300);
        SignedJWT jwt = verified(issuer, issued.value());
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
        assertThat(jwt.getHeader().getType()).isEqualTo(JOSEObjectType.JWT);
        assertThat(jwt.getHeader().getKeyID()).isNotBlank().isEqualTo(issuer.publicKey().getKeyID());

        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo(URL);
        assertThat(claims.getAudience()).contains("gerbang");
        assertThat(claims.getStringClaim("azp")).isEqualTo("dinkes-simpus");
        assertThat(claims.getStringClaim("client_id")).isEqualTo("dinkes-simpus");
        assertThat(claims.getStringClaim("opd")).isEqualTo("dinkes");
        assertThat(claims.getStringClaim("typ")).isEqualTo("Bearer");
        assertThat(claims.getJSONObjectClaim("realm_access")).containsOnlyKeys("roles");
        assertThat((List<Object>) claims.getJSONObjectClaim("realm_access").get("roles")).containsExactly("gateway-admin");
        assertThat(claims.getIssueTime().toInstant()).isEqualTo(NOW);
        assertThat(claims.getExpirationTime().toInstant()).isEqualTo(claims.getIssueTime().toInstant().plusSeconds(300));
        assertThat(claims.getSubject()).isNotBlank();
        assertThat(claims.getJWTID()).isNotBlank();
        assertThat(claims.getClaims().keySet()).containsExactlyInAnyOrder(
                "iss", "sub", "aud", "iat", "exp", "jti", "typ", "azp", "client_id", "opd",
                "preferred_username", "scope", "realm_access");
    }

    @Test
    void aClientWithoutOpdGetsATokenWithoutOpdClaimAndEmptyRoles() throws Exception {
        BuiltInIssuer issuer = issuer();

        JWTClaimsSet claims = verified(issuer, issuer.issue("bapenda-pajak", "rahasia-pajak").orElseThrow().value())
                .getJWTClaimsSet();

        assertThat(claims.getClaims()).doesNotContainKey("opd");
        assertThat((List<Object>) claims.getJSONObjectClaim("realm_access").get("roles")).isEmpty();
    }

    @Test
    void everyTokenHasItsOwnId() throws Exception {
        BuiltInIssuer issuer = issuer();

        String a = issuer.issue("dinkes-simpus", "rahasia-simpus").orElseThrow().value();
        String b = issuer.issue("dinkes-simpus", "rahasia-simpus").orElseThrow().value();

        assertThat(SignedJWT.parse(a).getJWTClaimsSet().getJWTID())
                .isNotEqualTo(SignedJWT.parse(b).getJWTClaimsSet().getJWTID());
    }

    @Test
    void aWrongSecretGetsNothing() {
        BuiltInIssuer issuer = issuer();

        assertThat(issuer.issue("dinkes-simpus", "rahasia-pajak")).isEmpty();
        assertThat(issuer.issue("dinkes-simpus", "rahasia-simpu")).isEmpty();
        assertThat(issuer.issue("dinkes-simpus", "rahasia-simpus ")).isEmpty();
        assertThat(issuer.issue("dinkes-simpus", "RAHASIA-SIMPUS")).isEmpty();
        assertThat(issuer.issue("dinkes-simpus", "")).isEmpty();
    }

    @Test
    void anUnknownClientGetsNothingWhateverItsSecret() {
        BuiltInIssuer issuer = issuer();

        assertThat(issuer.issue("bkpsdm-simpeg", "rahasia-simpus")).isEmpty();
        assertThat(issuer.issue("bkpsdm-simpeg", "\0no-such-client")).isEmpty();
        assertThat(issuer.issue(null, "rahasia-simpus")).isEmpty();
    }

    @Test
    void aNullSecretGetsNothing() {
        BuiltInIssuer issuer = issuer();

        assertThat(issuer.issue("dinkes-simpus", null)).isEmpty();
        assertThat(issuer.issue(null, null)).isEmpty();
    }

    @Test
    void aClientConfiguredWithoutSecretNeverGetsAToken() {
        BuiltInIssuer issuer = issuer();

        assertThat(issuer.issue("no-secret", null)).isEmpty();
        assertThat(issuer.issue("no-secret", "")).isEmpty();
        assertThat(issuer.issue("no-secret", "null")).isEmpty();
    }

    @Test
    void theKeyFileIsCreatedOnFirstUseReadableOnlyByItsOwner() throws Exception {
        Path keyFile = dir.resolve("data/issuer-key.json");
        assertThat(keyFile).doesNotExist();

        new BuiltInIssuer(properties(keyFile), URL, Clock.systemUTC());

        assertThat(keyFile).isRegularFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        assertThat(RSAKey.parse(Files.readString(keyFile)).isPrivate()).isTrue();
        try (var files = Files.list(keyFile.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("issuer-key.json");
        }
    }

    @Test
    void theKeyFileIsReusedOnTheSecondConstruction() throws Exception {
        Path keyFile = dir.resolve("issuer-key.json");
        BuiltInIssuer first = new BuiltInIssuer(properties(keyFile), URL, Clock.systemUTC());
        String before = Files.readString(keyFile);
        String token = first.issue("dinkes-simpus", "rahasia-simpus").orElseThrow().value();

        BuiltInIssuer second = new BuiltInIssuer(properties(keyFile), URL, Clock.systemUTC());

        assertThat(second.publicKey().getKeyID()).isEqualTo(first.publicKey().getKeyID());
        assertThat(second.publicKey()).isEqualTo(first.publicKey());
        assertThat(Files.readString(keyFile)).isEqualTo(before);
        // a token issued before the restart still verifies after it
        assertThat(SignedJWT.parse(token).verify(new RSASSAVerifier(second.publicKey()))).isTrue();
    }

    @Test
    void withoutAKeyFileEachIssuerHasItsOwnKey() {
        BuiltInIssuer a = new BuiltInIssuer(properties(null), URL, Clock.systemUTC());
        BuiltInIssuer b = new BuiltInIssuer(properties(null), URL, Clock.systemUTC());

        assertThat(a.publicKey().getKeyID()).isNotEqualTo(b.publicKey().getKeyID());
        assertThat(a.issue("dinkes-simpus", "rahasia-simpus")).isPresent();
    }

    @Test
    void aCorruptKeyFileIsRefusedNamingTheFile() throws Exception {
        Path keyFile = dir.resolve("issuer-key.json");
        Files.writeString(keyFile, "{\"kty\":\"RSA\",\"n\":");

        assertThatThrownBy(() -> new BuiltInIssuer(properties(keyFile), URL, Clock.systemUTC()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(keyFile.toString());
        assertThat(Files.readString(keyFile)).isEqualTo("{\"kty\":\"RSA\",\"n\":");
    }

    @Test
    void aKeyFileOfAnotherKeyTypeIsRefusedNamingTheFile() throws Exception {
        Path keyFile = dir.resolve("issuer-key.json");
        Files.writeString(keyFile, "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}");

        assertThatThrownBy(() -> new BuiltInIssuer(properties(keyFile), URL, Clock.systemUTC()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(keyFile.toString());
    }

    @Test
    void aKeyFileHoldingOnlyAPublicKeyIsRefusedNamingTheFile() throws Exception {
        Path keyFile = dir.resolve("issuer-key.json");
        Files.writeString(keyFile, new RSAKeyGenerator(2048).keyID("k").generate().toPublicJWK().toJSONString());

        assertThatThrownBy(() -> new BuiltInIssuer(properties(keyFile), URL, Clock.systemUTC()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(keyFile.toString());
    }

    @Test
    void thePublishedKeysHoldNoPrivatePart() {
        BuiltInIssuer issuer = issuer();

        assertThat(issuer.publicKey().isPrivate()).isFalse();
        assertThat(issuer.publicKeys().getKeys()).hasSize(1);
        assertThat(issuer.publicKeys().getKeys().get(0).isPrivate()).isFalse();
        assertThat(issuer.publicKeys().toJSONObject(false).toString()).doesNotContain("\"d\"", "\"p\"", "\"q\"");
    }

    @Test
    void anIssuedTokenPassesTheGatewaysChecksAsWiredByIssuerConfiguration() throws Exception {
        IssuerProperties properties = properties(dir.resolve("issuer-key.json"));
        BuiltInIssuer issuer = new BuiltInIssuer(properties, URL, Clock.systemUTC());
        JwtDecoder decoder = new IssuerConfiguration().builtInIssuerJwtDecoder(issuer, properties);
        TokenAuthenticator authenticator = new TokenAuthenticator(decoder, new CallerClaims(c -> null),
                Duration.ofMinutes(5), 1024 * 1024, Clock.systemUTC());

        Caller caller = authenticator.authenticate(issuer.issue("dinkes-simpus", "rahasia-simpus").orElseThrow().value());

        assertThat(caller.clientId()).isEqualTo("dinkes-simpus");
        assertThat(caller.opd()).isEqualTo("dinkes");
        assertThat(caller.roles()).isEqualTo(Set.of("gateway-admin"));
    }

    @Test
    void aTokenOfAnIssuerForAnotherAudienceFailsTheGatewaysChecks() throws Exception {
        Path keyFile = dir.resolve("issuer-key.json");
        IssuerProperties gateway = properties(keyFile);
        IssuerProperties other = new IssuerProperties(true, URL, keyFile, Duration.ofMinutes(5), "account", CLIENTS);
        BuiltInIssuer issuer = new BuiltInIssuer(gateway, URL, Clock.systemUTC());
        BuiltInIssuer sameKeyOtherAudience = new BuiltInIssuer(other, URL, Clock.systemUTC());
        TokenAuthenticator authenticator = new TokenAuthenticator(
                new IssuerConfiguration().builtInIssuerJwtDecoder(issuer, gateway), new CallerClaims(c -> null),
                Duration.ofMinutes(5), 1024 * 1024, Clock.systemUTC());

        Optional<BuiltInIssuer.IssuedToken> token = sameKeyOtherAudience.issue("dinkes-simpus", "rahasia-simpus");

        assertThatThrownBy(() -> authenticator.authenticate(token.orElseThrow().value()))
                .isInstanceOf(InvalidTokenException.class);
    }
}
