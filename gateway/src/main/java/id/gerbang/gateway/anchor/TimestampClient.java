package id.gerbang.gateway.anchor;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Objects;
import org.bouncycastle.asn1.cmp.PKIStatus;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerId;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampToken;

/**
 * An RFC 3161 client over HTTP (§3.4): posts an {@code application/timestamp-query} of the SHA-256 of the
 * data, with a fresh nonce and {@code certReq} set, and accepts the answer only when the status is granted,
 * the token's imprint and nonce are the ones asked for, and the token's signature verifies with the TSA's
 * certificate, itself the trusted one or issued by it. Basic credentials are sent when given (BSrE's TSA
 * asks for them). Transport failures, 5xx answers and answers that do not verify are tried again, a
 * bounded number of times with a doubling pause; 4xx answers (wrong address, wrong credentials) are not.
 */
public final class TimestampClient {

    private static final int MAX_REPLY_BYTES = 256 * 1024;

    private final URI url;
    private final String authorization;
    private final X509Certificate trusted;
    private final int attempts;
    private final Duration firstPause;
    private final Duration timeout;
    private final HttpClient http;
    private final SecureRandom random = new SecureRandom();

    /** A verified timestamp: the DER {@code TimeStampToken} (RFC 3161 §2.4.2) and the time it states. */
    public record Timestamp(byte[] token, Instant time) {

        public Timestamp {
            token = token.clone();
        }

        @Override
        public byte[] token() {
            return token.clone();
        }
    }

    /**
     * @param url the TSA's address
     * @param username with {@code password}, sent as basic credentials; null for none
     * @param trusted the TSA's certificate, or the CA certificate that issued it
     * @param attempts how many times to try at most (at least 1)
     * @param firstPause the pause after the first failure; it doubles after each further one
     * @param timeout for connecting, and again for each answer
     */
    public TimestampClient(URI url, String username, String password, X509Certificate trusted, int attempts,
            Duration firstPause, Duration timeout) {
        if (attempts < 1 || attempts > 20) {
            throw new IllegalArgumentException("attempts are 1 to 20, not " + attempts);
        }
        this.url = Objects.requireNonNull(url, "url");
        this.trusted = Objects.requireNonNull(trusted, "the TSA's certificate or its CA's");
        this.authorization = username == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((username + ":" + Objects.requireNonNullElse(password, ""))
                        .getBytes(StandardCharsets.UTF_8));
        this.attempts = attempts;
        this.firstPause = firstPause;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * A verified timestamp over SHA-256 of {@code data}.
     *
     * @throws TimestampException when every attempt failed; the message says how the last one failed
     */
    public Timestamp timestamp(byte[] data) {
        byte[] imprint = sha256(data);
        TimestampException last = null;
        Duration pause = firstPause;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                return once(imprint);
            } catch (TimestampException e) {
                last = e;
                if (e instanceof Final || attempt == attempts) {
                    break;
                }
                try {
                    Thread.sleep(pause.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new TimestampException("interrupted while waiting to ask " + url + " again", interrupted);
                }
                pause = pause.multipliedBy(2);
            }
        }
        throw new TimestampException("no timestamp from " + url + " after " + attemptsMade(last) + ": " + last.getMessage(), last);
    }

    private String attemptsMade(TimestampException last) {
        return last instanceof Final ? "a refusal that trying again cannot change" : attempts + " attempt" + (attempts == 1 ? "" : "s");
    }

    private Timestamp once(byte[] imprint) {
        BigInteger nonce = new BigInteger(64, random);
        TimeStampRequestGenerator generator = new TimeStampRequestGenerator();
        generator.setCertReq(true);
        TimeStampRequest request = generator.generate(TSPAlgorithms.SHA256, imprint, nonce);

        byte[] reply;
        try {
            HttpRequest.Builder post = HttpRequest.newBuilder(url).timeout(timeout)
                    .header("Content-Type", "application/timestamp-query")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request.getEncoded()));
            if (authorization != null) {
                post.header("Authorization", authorization);
            }
            HttpResponse<InputStream> response = http.send(post.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                reply = body.readNBytes(MAX_REPLY_BYTES + 1);
            }
            int status = response.statusCode();
            if (status >= 400 && status < 500) {
                throw new Final("the TSA answered HTTP " + status + (status == 401 || status == 403 ? " (check the TSA credentials)" : ""));
            }
            if (status != 200) {
                throw new TimestampException("the TSA answered HTTP " + status);
            }
            if (reply.length > MAX_REPLY_BYTES) {
                throw new TimestampException("the TSA's answer is larger than " + MAX_REPLY_BYTES + " bytes");
            }
        } catch (IOException e) {
            throw new TimestampException("the TSA cannot be reached: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TimestampException("interrupted while asking the TSA", e);
        }

        TimeStampResponse response;
        try {
            response = new TimeStampResponse(reply);
        } catch (TSPException | IOException | RuntimeException e) {
            throw new TimestampException("the TSA's answer is not an RFC 3161 TimeStampResp: " + e.getMessage(), e);
        }
        if (response.getStatus() != PKIStatus.GRANTED && response.getStatus() != PKIStatus.GRANTED_WITH_MODS) {
            throw new TimestampException("the TSA refused: status " + response.getStatus()
                    + (response.getStatusString() == null ? "" : " \"" + response.getStatusString() + "\"")
                    + (response.getFailInfo() == null ? "" : ", failure info " + response.getFailInfo().intValue()));
        }
        TimeStampToken token = response.getTimeStampToken();
        if (token == null) {
            throw new TimestampException("the TSA granted but sent no token");
        }
        if (!nonce.equals(token.getTimeStampInfo().getNonce())) {
            throw new TimestampException("the TSA's token carries nonce " + token.getTimeStampInfo().getNonce()
                    + ", not the " + nonce + " asked for: an answer to another request");
        }
        try {
            response.validate(request); // imprint, its algorithm, nonce, certReq, the TSA certificate's usage
        } catch (TSPException e) {
            throw new TimestampException("the TSA's answer does not match the request: " + e.getMessage(), e);
        }
        try {
            return new Timestamp(token.getEncoded(), verify(token, imprint, trusted));
        } catch (IOException e) {
            throw new TimestampException("the TSA's token cannot be encoded", e);
        }
    }

    /**
     * Verifies a DER {@code TimeStampToken} over SHA-256 of {@code data}: its imprint, and its signature by a
     * certificate that is {@code trusted} itself or that {@code trusted} issued and that the token carries.
     *
     * @return the time the token states
     */
    public static Instant verifyToken(byte[] tokenDer, byte[] data, X509Certificate trusted) {
        TimeStampToken token;
        try {
            token = new TimeStampToken(new CMSSignedData(tokenDer));
        } catch (Exception e) {
            throw new TimestampException("not an RFC 3161 TimeStampToken: " + e.getMessage(), e);
        }
        return verify(token, sha256(data), trusted);
    }

    private static Instant verify(TimeStampToken token, byte[] imprint, X509Certificate trusted) {
        if (!TSPAlgorithms.SHA256.equals(token.getTimeStampInfo().getMessageImprintAlgOID())
                || !MessageDigest.isEqual(token.getTimeStampInfo().getMessageImprintDigest(), imprint)) {
            throw new TimestampException("the token is over other data: its imprint is not SHA-256 of what was stamped");
        }
        X509Certificate signer = signerCertificate(token, trusted);
        try {
            token.validate(new JcaSimpleSignerInfoVerifierBuilder().build(signer));
        } catch (TSPException e) {
            throw new TimestampException("the token's signature does not verify with " + signer.getSubjectX500Principal().getName()
                    + ": " + e.getMessage(), e);
        } catch (OperatorCreationException e) {
            throw new TimestampException("the TSA certificate's key cannot verify: " + e.getMessage(), e);
        }
        return token.getTimeStampInfo().getGenTime().toInstant();
    }

    /** The certificate that signed the token: the trusted one, or one the token carries that the trusted one issued. */
    @SuppressWarnings("unchecked")
    private static X509Certificate signerCertificate(TimeStampToken token, X509Certificate trusted) {
        SignerId sid = token.getSID();
        try {
            if (sid.match(new X509CertificateHolder(trusted.getEncoded()))) {
                return trusted;
            }
            Collection<X509CertificateHolder> carried = token.getCertificates().getMatches(sid);
            for (X509CertificateHolder holder : carried) {
                X509Certificate candidate = new JcaX509CertificateConverter().getCertificate(holder);
                try {
                    candidate.verify(trusted.getPublicKey());
                } catch (Exception notIssuedByTrusted) {
                    continue;
                }
                if (!candidate.getIssuerX500Principal().equals(trusted.getSubjectX500Principal())) {
                    continue;
                }
                return candidate;
            }
        } catch (IOException | CertificateException e) {
            throw new TimestampException("the token's certificates cannot be read: " + e.getMessage(), e);
        }
        throw new TimestampException("the token is signed by " + describe(sid) + ", which is neither the trusted certificate "
                + trusted.getSubjectX500Principal().getName() + " nor one it issued");
    }

    private static String describe(SignerId sid) {
        return sid.getIssuer() != null ? "serial " + sid.getSerialNumber() + " of " + sid.getIssuer()
                : "key " + (sid.getSubjectKeyIdentifier() == null ? "?" : java.util.HexFormat.of().formatHex(sid.getSubjectKeyIdentifier()));
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /** A failure that asking again cannot change. */
    private static final class Final extends TimestampException {
        Final(String message) {
            super(message);
        }
    }

    @Override
    public String toString() {
        return "TimestampClient[" + url + ", " + attempts + " attempts]";
    }
}
