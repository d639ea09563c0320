package id.gerbang.gateway.credentials;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;

/**
 * This node's caller-assertion keys: ES256 (P-256) private keys, each a PKCS#8 PEM file
 * {@code <kid>.pem} in the key directory ({@code gerbang.assertion.key-dir}, by default
 * {@code <data-dir>/assertion-keys}), on the node and never in the database. The newest file signs; the
 * others stay published so that assertions they signed can still be checked. With no key, or when the
 * newest is older than {@code rotate-after}, a new one is made (readable by its owner only where the file
 * system has POSIX permissions). Rotating by hand: put a new key file there (or delete them all) and
 * restart; remove an old file once no assertion it signed is still alive (60 s).
 */
public final class AssertionKeys {

    /** A key id: what a file may be named, before {@code .pem}. */
    static final Pattern KID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

    /** One key: its id, the private key (null for keys only published) and its public JWK. */
    public record Key(String kid, ECPrivateKey privateKey, ECKey publicJwk, Instant created) {}

    private final List<Key> keys;

    private AssertionKeys(List<Key> keys) {
        this.keys = List.copyOf(keys);
    }

    /** Loads the keys in {@code dir}, making a new one when there is none, or the newest is older than {@code rotateAfter}. */
    public static AssertionKeys load(Path dir, String node, Duration rotateAfter, Clock clock) {
        try {
            Files.createDirectories(dir);
            List<Key> keys = read(dir);
            Instant now = clock.instant();
            if (keys.isEmpty() || keys.get(0).created().plus(rotateAfter).isBefore(now)) {
                make(dir, safe(node) + "-" + STAMP.format(now), now);
                keys = read(dir);
            }
            return new AssertionKeys(keys);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the caller-assertion keys in " + dir, e);
        }
    }

    /** The key that signs: the newest. */
    public Key signing() {
        return keys.get(0);
    }

    /** Every key of this node, newest first. */
    public List<Key> all() {
        return keys;
    }

    private static String safe(String node) {
        String s = node.replaceAll("[^A-Za-z0-9._-]", "-");
        return s.isEmpty() || !Character.isLetterOrDigit(s.charAt(0)) ? "node" + s : s.length() > 100 ? s.substring(0, 100) : s;
    }

    private static List<Key> read(Path dir) throws IOException {
        List<Key> keys = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".pem")).toList()) {
                String kid = file.getFileName().toString().replaceFirst("\\.pem$", "");
                if (!KID.matcher(kid).matches()) {
                    throw new IllegalStateException("caller-assertion key file " + file + ": its name must match " + KID.pattern() + ".pem");
                }
                FileTime modified = Files.getLastModifiedTime(file);
                keys.add(key(kid, Files.readString(file, StandardCharsets.US_ASCII), modified.toInstant(), file));
            }
        }
        keys.sort(Comparator.comparing(Key::created).thenComparing(Key::kid).reversed());
        return keys;
    }

    private static Key key(String kid, String pem, Instant created, Path file) {
        try {
            String base64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
            ECPrivateKey key = (ECPrivateKey) KeyFactory.getInstance("EC")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
            if (key.getParams().getCurve().getField().getFieldSize() != 256) {
                throw new IllegalStateException("caller-assertion key " + file + " is not a P-256 key");
            }
            ECPublicKey publicKey = publicOf(key);
            ECKey jwk = new ECKey.Builder(Curve.P_256, publicKey).keyID(kid).keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256).build();
            return new Key(kid, key, jwk, created);
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IllegalStateException("caller-assertion key " + file + " is not a PKCS#8 PEM EC P-256 private key", e);
        }
    }

    /** The public point of a private key: d times the generator. */
    private static ECPublicKey publicOf(ECPrivateKey key) throws GeneralSecurityException {
        ECNamedCurveParameterSpec spec = ECNamedCurveTable.getParameterSpec("secp256r1");
        org.bouncycastle.math.ec.ECPoint q = spec.getG().multiply(key.getS()).normalize();
        ECPoint point = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
        return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, key.getParams()));
    }

    private static void make(Path dir, String kid, Instant now) throws IOException {
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Path file = dir.resolve(kid + ".pem");
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, pem, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        Files.setLastModifiedTime(file, FileTime.from(now));
    }
}
