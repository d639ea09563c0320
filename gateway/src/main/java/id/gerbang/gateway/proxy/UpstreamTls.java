package id.gerbang.gateway.proxy;

import id.gerbang.gateway.credentials.Secrets;
import id.gerbang.routes.RouteDefinition;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * A route's TLS settings ({@code upstream.tls}) as an {@link SSLContext}: {@code trustSecret} holds the
 * private CA's certificates (PEM), trusted instead of the JDK's; {@code clientCertSecret} holds the gateway's
 * certificate chain and its private key (PEM, PKCS#8 or the traditional RSA/EC forms), presented when the
 * upstream asks. Host names are verified as always.
 */
final class UpstreamTls {

    private UpstreamTls() {}

    /** A digest of the material: routes with the same material share one client and pool. */
    static String key(RouteDefinition.Tls tls, Secrets secrets) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String name : new String[] {tls.trustSecret(), tls.clientCertSecret()}) {
                sha.update((name == null ? "-" : name + "\n" + secrets.require(name)).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @throws IllegalArgumentException naming the secret (never its value) when it holds no usable PEM
     */
    static SSLContext context(RouteDefinition.Tls tls, Secrets secrets) {
        try {
            TrustManagerFactory trust = null;
            if (tls.trustSecret() != null) {
                List<X509Certificate> cas = certificates(read(secrets.require(tls.trustSecret()), tls.trustSecret()));
                if (cas.isEmpty()) {
                    throw new IllegalArgumentException("secret " + tls.trustSecret() + " holds no PEM certificate");
                }
                KeyStore store = emptyStore();
                for (int i = 0; i < cas.size(); i++) {
                    store.setCertificateEntry("ca-" + i, cas.get(i));
                }
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(store);
            }
            KeyManagerFactory keys = null;
            if (tls.clientCertSecret() != null) {
                List<Object> pem = read(secrets.require(tls.clientCertSecret()), tls.clientCertSecret());
                List<X509Certificate> chain = certificates(pem);
                PrivateKey key = privateKey(pem);
                if (chain.isEmpty() || key == null) {
                    throw new IllegalArgumentException("secret " + tls.clientCertSecret()
                            + " must hold a PEM certificate and its private key");
                }
                KeyStore store = emptyStore();
                store.setKeyEntry("client", key, new char[0], chain.toArray(new Certificate[0]));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, new char[0]);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("the TLS secrets of the route cannot be used: " + e.getClass().getSimpleName());
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

    private static List<Object> read(String pem, String secret) {
        List<Object> objects = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                objects.add(o);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("secret " + secret + " is not PEM");
        }
        return objects;
    }

    private static List<X509Certificate> certificates(List<Object> pem) throws GeneralSecurityException {
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        List<X509Certificate> certificates = new ArrayList<>();
        for (Object o : pem) {
            if (o instanceof X509CertificateHolder holder) {
                certificates.add(converter.getCertificate(holder));
            }
        }
        return certificates;
    }

    private static PrivateKey privateKey(List<Object> pem) throws IOException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        for (Object o : pem) {
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (o instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
        }
        return null;
    }
}
