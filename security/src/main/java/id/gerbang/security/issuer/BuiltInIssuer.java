package id.gerbang.security.issuer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small OAuth2 issuer for the standalone default: the client credentials grant for the demo clients
 * of {@link IssuerProperties}, signing RS256 tokens of exactly the shape Keycloak issues for a service
 * account ({@code azp}, {@code client_id}, {@code opd}, {@code realm_access.roles}, {@code aud}), so that
 * the gateway runs the same checks against it as against Keycloak in production.
 */
public final class BuiltInIssuer {

    private static final Logger log = LoggerFactory.getLogger(BuiltInIssuer.class);

    private final IssuerProperties properties;
    private final String issuerUrl;
    private final RSAKey key;
    private final RSASSASigner signer;
    private final Clock clock;

    public BuiltInIssuer(IssuerProperties properties, String issuerUrl, Clock clock) {
        this.properties = properties;
        this.issuerUrl = issuerUrl;
        this.clock = clock;
        this.key = loadOrCreateKey(properties.keyFile());
        try {
            this.signer = new RSASSASigner(key);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign with the issuer key", e);
        }
    }

    /** A token and its lifetime in seconds. */
    public record IssuedToken(String value, long expiresInSeconds) {}

    /**
     * Issues a token for a demo client whose secret matches; empty when the client is unknown or the
     * secret is wrong (the caller cannot tell which).
     */
    public Optional<IssuedToken> issue(String clientId, String secret) {
        IssuerProperties.DemoClient client = clientId == null ? null : properties.clients().get(clientId);
        String expected = client == null ? "\0no-such-client" : client.secret();
        boolean secretMatches = secret != null && expected != null && MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_8));
        if (client == null || !secretMatches) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuerUrl)
                .subject(UUID.nameUUIDFromBytes(clientId.getBytes(StandardCharsets.UTF_8)).toString())
                .audience(properties.audience())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(properties.tokenTtl())))
                .jwtID(UUID.randomUUID().toString())
                .claim("typ", "Bearer")
                .claim("azp", clientId)
                .claim("client_id", clientId)
                .claim("preferred_username", "service-account-" + clientId)
                .claim("scope", "profile email")
                .claim("realm_access", Map.of("roles", client.roles()));
        if (client.opd() != null) {
            claims.claim("opd", client.opd());
        }
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).keyID(key.getKeyID()).build(),
                claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
        return Optional.of(new IssuedToken(jwt.serialize(), properties.tokenTtl().toSeconds()));
    }

    /** The tokens of a person's login: an access token for the gateway and an ID token for the client. */
    public record LoginTokens(String accessToken, String idToken, long expiresInSeconds) {}

    /**
     * Issues the tokens of a person logged in through {@code clientId} (authorization code grant): the
     * access token has the shape Keycloak gives a user's token (audience {@code gerbang}, {@code azp} the
     * client, {@code realm_access.roles}, {@code opd}); the ID token is for the client, with its nonce.
     */
    public LoginTokens issueForUser(String userName, IssuerProperties.DemoUser user, String clientId, String nonce) {
        Instant now = clock.instant();
        String subject = UUID.nameUUIDFromBytes(("user:" + userName).getBytes(StandardCharsets.UTF_8)).toString();
        JWTClaimsSet.Builder access = new JWTClaimsSet.Builder()
                .issuer(issuerUrl).subject(subject).audience(properties.audience())
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(properties.tokenTtl())))
                .jwtID(UUID.randomUUID().toString())
                .claim("typ", "Bearer").claim("azp", clientId).claim("preferred_username", userName)
                .claim("name", user.name()).claim("scope", "openid profile")
                .claim("realm_access", Map.of("roles", user.roles()));
        JWTClaimsSet.Builder id = new JWTClaimsSet.Builder()
                .issuer(issuerUrl).subject(subject).audience(clientId)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(properties.tokenTtl())))
                .claim("typ", "ID").claim("azp", clientId).claim("auth_time", now.getEpochSecond())
                .claim("preferred_username", userName).claim("name", user.name())
                .claim("realm_access", Map.of("roles", user.roles()));
        if (user.opd() != null) {
            access.claim("opd", user.opd());
            id.claim("opd", user.opd());
        }
        if (nonce != null) {
            id.claim("nonce", nonce);
        }
        return new LoginTokens(sign(access.build()), sign(id.build()), properties.tokenTtl().toSeconds());
    }

    private String sign(JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).keyID(key.getKeyID()).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
        return jwt.serialize();
    }

    IssuerProperties properties() {
        return properties;
    }

    public String issuerUrl() {
        return issuerUrl;
    }

    /** The public half of the signing key, as served at the JWKS endpoint. */
    public JWKSet publicKeys() {
        return new JWKSet(key.toPublicJWK());
    }

    public RSAKey publicKey() {
        return key.toPublicJWK();
    }

    /** Creates an empty file readable by its owner only, before any secret is written into it. */
    private static void createOwnerOnly(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file); // the directory's own protection applies
        }
    }

    private static RSAKey loadOrCreateKey(Path file) {
        try {
            if (file != null && Files.exists(file)) {
                RSAKey stored = RSAKey.parse(Files.readString(file));
                if (!stored.isPrivate()) {
                    throw new IllegalStateException("the issuer key in " + file + " has no private part: it cannot sign");
                }
                return stored;
            }
            RSAKey created = new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256).keyIDFromThumbprint(true).generate();
            if (file != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.deleteIfExists(tmp);
                createOwnerOnly(tmp);
                Files.writeString(tmp, created.toJSONString());
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                log.info("Built-in issuer: created a signing key in {}", file.toAbsolutePath());
            }
            return created;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the issuer key " + file, e);
        } catch (ParseException | JOSEException e) {
            throw new IllegalStateException("the issuer key in " + file + " is not a usable RSA JWK", e);
        }
    }
}
