package id.gerbang.it.support;

import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A private CA for an OPD's https upstream, made in the test: the CA, a server certificate for
 * {@code 127.0.0.1}/{@code localhost} and a client certificate for the gateway, as PEM (what a secret holds)
 * and as PKCS#12 stores (what WireMock's https server takes).
 */
public final class Certificates {

    public static final String STORE_PASSWORD = "changeit";

    public record Issued(KeyPair keys, X509Certificate certificate) {}

    public final Issued ca;
    public final Issued server;
    public final Issued client;
    /** The server's key and chain, for WireMock's {@code keystorePath}. */
    public final Path keystore;
    /** The CA, for WireMock's {@code trustStorePath} (client certificates it accepts). */
    public final Path truststore;

    public Certificates(Path dir, String caName) throws Exception {
        ca = issue(caName, null, true, false);
        server = issue("localhost", ca, false, true);
        client = issue("gerbang", ca, false, false);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", server.keys().getPrivate(), STORE_PASSWORD.toCharArray(),
                new Certificate[] {server.certificate(), ca.certificate()});
        keystore = store(dir.resolve("server.p12"), keys);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        truststore = store(dir.resolve("trust.p12"), trust);
    }

    /** The CA's certificate, PEM: a {@code tls.trustSecret}. */
    public String caPem() throws Exception {
        return pem(ca.certificate());
    }

    /** The gateway's certificate and private key (PKCS#8), PEM: a {@code tls.clientCertSecret}. */
    public String clientPem() throws Exception {
        return pem(client.certificate(), client.keys().getPrivate());
    }

    static Issued issue(String subject, Issued issuer, boolean ca, boolean server) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair keys = generator.generateKeyPair();
        X500Name name = new X500Name("CN=" + subject);
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer == null ? name
                : new X500Name(issuer.certificate().getSubjectX500Principal().getName()), BigInteger.valueOf(System.nanoTime()),
                Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(1, ChronoUnit.DAYS)), name, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (server) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        }
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(issuer == null ? keys.getPrivate() : issuer.keys().getPrivate())));
        return new Issued(keys, certificate);
    }

    static String pem(Object... objects) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object o : objects) {
                writer.writeObject(o instanceof java.security.PrivateKey key ? new JcaPKCS8Generator(key, null) : o);
            }
        }
        return out.toString();
    }

    private static Path store(Path path, KeyStore store) throws Exception {
        try (OutputStream out = Files.newOutputStream(path)) {
            store.store(out, STORE_PASSWORD.toCharArray());
        }
        return path;
    }
}
