package id.gerbang.gateway.anchor;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.cmp.PKIFailureInfo;
import org.bouncycastle.asn1.cmp.PKIStatus;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampResponseGenerator;
import org.bouncycastle.tsp.TimeStampTokenGenerator;

/**
 * A built-in RFC 3161 timestamping authority for the standalone default and the tests, and nothing else:
 * its certificates say {@code DEMO ... not for production} in their subjects, its keys live in memory (or,
 * for the standalone default, in files in the data directory), and it listens on loopback only. A self-signed demo CA issues the TSA's certificate, whose
 * extended key usage is critical and only id-kp-timeStamping (RFC 3161 §2.3: validators, openssl among
 * them, refuse anything else). It answers {@code POST} of {@code application/timestamp-query} with
 * {@code application/timestamp-reply} (RFC 3161 §3.4).
 */
public final class DemoTsa implements AutoCloseable {

    public static final String CA_SUBJECT = "CN=Gerbang DEMO CA - not for production,O=Gerbang demo";
    public static final String TSA_SUBJECT = "CN=Gerbang DEMO TSA - not for production,O=Gerbang demo";
    /** The demo's policy: under 2.999, the arc ITU-T X.660 keeps for examples, so it is nobody's real policy. */
    public static final String POLICY = "2.999.3161.1";

    private static final int MAX_REQUEST_BYTES = 16 * 1024;

    private final X509Certificate caCertificate;
    private final X509Certificate tsaCertificate;
    private final TimeStampResponseGenerator responder;
    private final AtomicLong serial = new AtomicLong();
    private final HttpServer server;

    /** The demo CA's and TSA's certificates and the TSA's signing key. */
    private record Identity(X509Certificate ca, X509Certificate tsa, PrivateKey tsaKey) {}

    private DemoTsa(HttpServer server, Identity identity) throws GeneralSecurityException, OperatorCreationException, TSPException {
        this.caCertificate = identity.ca();
        this.tsaCertificate = identity.tsa();
        TimeStampTokenGenerator tokens = new TimeStampTokenGenerator(
                new JcaSimpleSignerInfoGeneratorBuilder().build("SHA256withECDSA", identity.tsaKey(), tsaCertificate),
                new JcaDigestCalculatorProviderBuilder().build().get(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256)),
                new ASN1ObjectIdentifier(POLICY));
        tokens.setResolution(TimeStampTokenGenerator.R_MILLISECONDS);
        tokens.addCertificates(new JcaCertStore(List.of(tsaCertificate))); // sent only when the request asks (certReq)
        this.responder = new TimeStampResponseGenerator(tokens, TSPAlgorithms.ALLOWED);
        this.server = server;
        server.createContext("/", this::handle);
    }

    /** A new demo CA (its key forgotten once it has signed) and a TSA certificate it issued. */
    private static Identity newIdentity() throws GeneralSecurityException, OperatorCreationException, CertIOException {
        SecureRandom random = new SecureRandom();
        KeyPair caKeys = ecKeys();
        KeyPair tsaKeys = ecKeys();
        Instant now = Instant.now();
        Date from = Date.from(now.minus(Duration.ofHours(1)));
        Date until = Date.from(now.plus(Duration.ofDays(3650)));
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();

        X509v3CertificateBuilder caBuilder = new JcaX509v3CertificateBuilder(new X500Name(CA_SUBJECT), new BigInteger(63, random), from,
                until, new X500Name(CA_SUBJECT), caKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(caKeys.getPublic()));
        X509Certificate ca = sign(caBuilder, caKeys.getPrivate());

        X509v3CertificateBuilder tsaBuilder = new JcaX509v3CertificateBuilder(ca, new BigInteger(63, random), from, until,
                new X500Name(TSA_SUBJECT), tsaKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, true, new ExtendedKeyUsage(KeyPurposeId.id_kp_timeStamping))
                .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(tsaKeys.getPublic()))
                .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
        return new Identity(ca, sign(tsaBuilder, caKeys.getPrivate()), tsaKeys.getPrivate());
    }

    /**
     * The identity kept in {@code dir} ({@code demo-tsa-ca.pem}, {@code demo-tsa.pem}, {@code demo-tsa.key}),
     * made and written first when none is there, so that tokens stamped before a restart still verify with the
     * same demo CA.
     */
    private static Identity keptIdentity(Path dir) throws GeneralSecurityException, OperatorCreationException, IOException {
        Path caFile = dir.resolve("demo-tsa-ca.pem");
        Path tsaFile = dir.resolve("demo-tsa.pem");
        Path keyFile = dir.resolve("demo-tsa.key");
        int present = (Files.exists(caFile) ? 1 : 0) + (Files.exists(tsaFile) ? 1 : 0) + (Files.exists(keyFile) ? 1 : 0);
        if (present == 0) {
            Identity made = newIdentity();
            SigningKeys.writeNew(keyFile, SigningKeys.pem(made.tsaKey()).getBytes(StandardCharsets.US_ASCII));
            SigningKeys.writeNew(tsaFile, pem(made.tsa()).getBytes(StandardCharsets.US_ASCII));
            SigningKeys.writeNew(caFile, pem(made.ca()).getBytes(StandardCharsets.US_ASCII));
            return made;
        }
        if (present != 3) {
            throw new IllegalStateException("the demo TSA's files in " + dir + " are incomplete (demo-tsa-ca.pem, demo-tsa.pem, "
                    + "demo-tsa.key): delete those there to start a new demo CA");
        }
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        X509Certificate ca;
        X509Certificate tsa;
        try (InputStream in = Files.newInputStream(caFile)) {
            ca = (X509Certificate) x509.generateCertificate(in);
        }
        try (InputStream in = Files.newInputStream(tsaFile)) {
            tsa = (X509Certificate) x509.generateCertificate(in);
        }
        String keyPem = Files.readString(keyFile, StandardCharsets.US_ASCII).replaceAll("-----[A-Z ]+-----", "");
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(keyPem)));
        tsa.verify(ca.getPublicKey());
        return new Identity(ca, tsa, key);
    }

    /** A demo TSA with new keys, listening on a free loopback port. */
    public static DemoTsa start() {
        try {
            return listen(newIdentity());
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IllegalStateException("the demo TSA cannot make its keys", e);
        }
    }

    /**
     * A demo TSA whose CA, certificate and key are kept in {@code dir} (made there on first start), listening
     * on a free loopback port.
     */
    public static DemoTsa start(Path dir) {
        try {
            return listen(keptIdentity(dir));
        } catch (IOException e) {
            throw new UncheckedIOException("the demo TSA cannot keep its keys in " + dir + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("the demo TSA's keys in " + dir + " cannot be used: " + e.getMessage(), e);
        }
    }

    private static DemoTsa listen(Identity identity) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            DemoTsa tsa = new DemoTsa(server, identity);
            server.start();
            return tsa;
        } catch (IOException e) {
            throw new UncheckedIOException("the demo TSA cannot listen on loopback", e);
        } catch (GeneralSecurityException | OperatorCreationException | TSPException e) {
            throw new IllegalStateException("the demo TSA cannot sign with its key", e);
        }
    }

    /** Where to send timestamp queries. */
    public URI url() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + "/");
    }

    /** The demo CA, the trust anchor to verify the demo's tokens with. */
    public X509Certificate caCertificate() {
        return caCertificate;
    }

    /** The demo TSA's certificate, issued by {@link #caCertificate()}. */
    public X509Certificate tsaCertificate() {
        return tsaCertificate;
    }

    /** A certificate as PEM, for {@code openssl ts -verify -CAfile ... -untrusted ...}. */
    public static String pem(X509Certificate certificate) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The DER of the answer to a request: a granted token, or a rejection RFC 3161 §2.4.2 can say. */
    byte[] respond(TimeStampRequest request) throws TSPException, IOException {
        return responder.generate(request, BigInteger.valueOf(serial.incrementAndGet()), new Date()).getEncoded();
    }

    /** The DER of a refusal (status rejection), for tests of clients. */
    byte[] refuse(String why) throws TSPException, IOException {
        return responder.generateFailResponse(PKIStatus.REJECTION, PKIFailureInfo.systemFailure, why).getEncoded();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().add("Allow", "POST");
                plain(exchange, 405, "the demo TSA answers POST of application/timestamp-query\n");
                return;
            }
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/timestamp-query")) {
                plain(exchange, 415, "the demo TSA answers application/timestamp-query\n");
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_REQUEST_BYTES + 1);
            }
            if (body.length > MAX_REQUEST_BYTES) {
                plain(exchange, 413, "a timestamp query is small\n");
                return;
            }
            byte[] reply;
            try {
                reply = respond(new TimeStampRequest(body));
            } catch (IOException | TSPException | RuntimeException e) {
                plain(exchange, 400, "not a timestamp query: " + e.getMessage() + "\n");
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", "application/timestamp-reply");
            exchange.sendResponseHeaders(200, reply.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply);
            }
        }
    }

    private static void plain(HttpExchange exchange, int status, String message) throws IOException {
        byte[] body = message.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
