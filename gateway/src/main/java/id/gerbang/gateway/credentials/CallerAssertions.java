package id.gerbang.gateway.credentials;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * The caller assertion ({@code upstream.callerAssertion}, docs/upstream-auth.md): a JWT sent to the upstream
 * in {@code X-Gerbang-Assertion}, signed ES256 with this node's newest {@link AssertionKeys} key, so that an
 * OPD application can check who called without trusting the network. Claims: {@code iss},
 * {@code aud} (the route's owner OPD), {@code sub} (the client id), {@code opd}, {@code uid}, {@code route},
 * {@code cid} (the correlation id), {@code iat}, {@code exp} = {@code iat} + 60, {@code jti}.
 */
public final class CallerAssertions {

    public static final String HEADER = "X-Gerbang-Assertion";
    public static final long LIFETIME_SECONDS = 60;

    private final String issuer;
    private final String kid;
    private final ECDSASigner signer;
    private final Clock clock;

    public CallerAssertions(AssertionKeys keys, String issuer, Clock clock) {
        this.issuer = issuer;
        this.kid = keys.signing().kid();
        this.clock = clock;
        try {
            this.signer = new ECDSASigner(keys.signing().privateKey());
        } catch (JOSEException e) {
            throw new IllegalStateException("the caller-assertion key cannot sign", e);
        }
    }

    /**
     * @param audience the route's owner OPD
     * @param clientId the caller's client id
     * @param opd      the caller's OPD, or {@code null}
     * @param userId   the person behind the call ({@code X-User-Id}), or {@code null}
     */
    public String sign(String audience, String clientId, String opd, String userId, String routeId, String correlationId) {
        Instant now = clock.instant();
        long iat = now.getEpochSecond();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(audience)
                .subject(clientId)
                .claim("opd", opd)
                .claim("uid", userId)
                .claim("route", routeId)
                .claim("cid", correlationId)
                .issueTime(Date.from(Instant.ofEpochSecond(iat)))
                .expirationTime(Date.from(Instant.ofEpochSecond(iat + LIFETIME_SECONDS)))
                .jwtID(UUID.randomUUID().toString())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).type(JOSEObjectType.JWT).build(),
                claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("the caller assertion could not be signed", e);
        }
        return jwt.serialize();
    }

    /** The key id assertions are signed with. */
    public String kid() {
        return kid;
    }
}
