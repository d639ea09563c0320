package id.gerbang.gateway.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.SignedJWT;
import id.gerbang.gateway.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/** The caller assertion: its keys on the node, its claims and signature, and every node's public keys in the database. */
class CallerAssertionsTest {

    @TempDir
    Path dir;

    private static Clock at(String instant) {
        return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
    }

    @Test
    void makesAKeyOnFirstStartKeepsItAfterwardsAndRotatesWhenItIsOld() throws Exception {
        Path keys = dir.resolve("assertion-keys");
        AssertionKeys first = AssertionKeys.load(keys, "node-a", Duration.ofDays(90), at("2026-12-01T00:00:00Z"));
        assertThat(first.all()).hasSize(1);
        assertThat(first.signing().kid()).isEqualTo("node-a-20261201T000000");
        assertThat(Files.readString(keys.resolve("node-a-20261201T000000.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");

        AssertionKeys again = AssertionKeys.load(keys, "node-a", Duration.ofDays(90), at("2027-01-01T00:00:00Z"));
        assertThat(again.signing().kid()).isEqualTo(first.signing().kid());
        assertThat(again.signing().publicJwk()).isEqualTo(first.signing().publicJwk());

        AssertionKeys rotated = AssertionKeys.load(keys, "node-a", Duration.ofDays(90), at("2027-03-15T00:00:00Z"));
        assertThat(rotated.signing().kid()).isEqualTo("node-a-20270315T000000");
        assertThat(rotated.all()).extracting(AssertionKeys.Key::kid)
                .containsExactly("node-a-20270315T000000", "node-a-20261201T000000");
    }

    @Test
    void signsEveryClaimOfTheContractWithA60SecondLifetime() throws Exception {
        Clock clock = at("2026-12-01T05:00:00Z");
        AssertionKeys keys = AssertionKeys.load(dir, "node-a", Duration.ofDays(90), clock);
        CallerAssertions assertions = new CallerAssertions(keys, "gerbang", clock);

        SignedJWT jwt = SignedJWT.parse(assertions.sign("dpmptsp", "dinkes-simpus", "dinkes", "budi.santoso",
                "dpmptsp-izin", "c0ffee"));

        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(keys.signing().kid());
        assertThat(jwt.verify(new ECDSAVerifier(keys.signing().publicJwk()))).isTrue();
        var claims = jwt.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo("gerbang");
        assertThat(claims.getAudience()).containsExactly("dpmptsp");
        assertThat(claims.getSubject()).isEqualTo("dinkes-simpus");
        assertThat(claims.getStringClaim("opd")).isEqualTo("dinkes");
        assertThat(claims.getStringClaim("uid")).isEqualTo("budi.santoso");
        assertThat(claims.getStringClaim("route")).isEqualTo("dpmptsp-izin");
        assertThat(claims.getStringClaim("cid")).isEqualTo("c0ffee");
        assertThat(claims.getIssueTime().toInstant()).isEqualTo(Instant.parse("2026-12-01T05:00:00Z"));
        assertThat(claims.getExpirationTime().toInstant()).isEqualTo(Instant.parse("2026-12-01T05:01:00Z"));
        assertThat(claims.getJWTID()).isNotBlank();
        assertThat(SignedJWT.parse(assertions.sign("dpmptsp", "dinkes-simpus", null, null, "dpmptsp-izin", "c1"))
                .getJWTClaimsSet().getJWTID()).isNotEqualTo(claims.getJWTID());
        assertThat(jwt.getJWTClaimsSet().getClaims().keySet())
                .containsExactlyInAnyOrder("iss", "aud", "sub", "opd", "uid", "route", "cid", "iat", "exp", "jti");
    }

    @Test
    void everyNodesPublicKeysArePublishedThroughTheDatabaseAndAGoneKeyIsWithdrawn() throws Exception {
        try (TestDatabases.Database db = TestDatabases.h2("assertion", 2)) {
            JdbcTemplate jdbc = new JdbcTemplate(db.pool());
            Clock clock = Clock.systemUTC();
            Path a = dir.resolve("a");
            AssertionKeys keysA = AssertionKeys.load(a, "node-a", Duration.ofDays(90), clock);
            AssertionKeys keysB = AssertionKeys.load(dir.resolve("b"), "node-b", Duration.ofDays(90), clock);
            new AssertionKeyStore(jdbc, keysA, "node-a", clock);
            AssertionKeyStore storeB = new AssertionKeyStore(jdbc, keysB, "node-b", clock);

            List<JWK> published = storeB.all();
            assertThat(published).extracting(JWK::getKeyID)
                    .containsExactlyInAnyOrder(keysA.signing().kid(), keysB.signing().kid());
            assertThat(published).allSatisfy(k -> {
                assertThat(k).isInstanceOf(ECKey.class);
                assertThat(k.isPrivate()).isFalse();
            });

            // node a's operator puts a new key in place of the old one and restarts
            Files.delete(a.resolve(keysA.signing().kid() + ".pem"));
            AssertionKeys newA = AssertionKeys.load(a, "node-a2", Duration.ofDays(90), clock);
            new AssertionKeyStore(jdbc, newA, "node-a", clock);
            assertThat(new AssertionKeyStore(jdbc, keysB, "node-b", clock).all()).extracting(JWK::getKeyID)
                    .containsExactlyInAnyOrder(newA.signing().kid(), keysB.signing().kid());
        }
    }
}
