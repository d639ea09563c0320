package id.gerbang.gateway.anchor;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;

/** The JDK's Ed25519 (RFC 8032) keys as raw 32-byte values, and the signed-note key ID over them. */
final class Ed25519 {

    /** The signed-note signature type of Ed25519. */
    static final byte SIGNATURE_TYPE = 0x01;
    static final int PUBLIC_KEY_SIZE = 32;
    static final int SIGNATURE_SIZE = 64;

    /** The DER of an Ed25519 SubjectPublicKeyInfo up to its 32 key bytes (RFC 8410 §4). */
    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private Ed25519() {}

    /** The 32 bytes of an Ed25519 public key. */
    static byte[] raw(PublicKey key) {
        byte[] spki = key.getEncoded();
        if (!"Ed25519".equals(key.getAlgorithm()) && !"EdDSA".equals(key.getAlgorithm())
                || spki.length != SPKI_PREFIX.length + PUBLIC_KEY_SIZE
                || !Arrays.equals(spki, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + key.getAlgorithm());
        }
        return Arrays.copyOfRange(spki, SPKI_PREFIX.length, spki.length);
    }

    /** The JDK's key for 32 raw bytes. */
    static PublicKey publicKey(byte[] raw) {
        if (raw.length != PUBLIC_KEY_SIZE) {
            throw new IllegalArgumentException("an Ed25519 public key is 32 bytes, not " + raw.length);
        }
        byte[] spki = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + PUBLIC_KEY_SIZE);
        System.arraycopy(raw, 0, spki, SPKI_PREFIX.length, PUBLIC_KEY_SIZE);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key", e);
        }
    }

    /** The key ID c2sp.org/signed-note recommends: SHA-256(name || 0x0A || 0x01 || key)[:4], big-endian. */
    static int keyId(String name, byte[] rawPublicKey) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(name.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
            sha.update(SIGNATURE_TYPE);
            sha.update(rawPublicKey);
            byte[] h = sha.digest();
            return (h[0] & 0xff) << 24 | (h[1] & 0xff) << 16 | (h[2] & 0xff) << 8 | (h[3] & 0xff);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /**
     * Whether a name can name a signed-note key: non-empty, with no Unicode space, no plus sign and no
     * control character.
     */
    static boolean isValidKeyName(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        return name.codePoints().noneMatch(c -> c == '+' || c < 0x20 || c == 0x7f
                || Character.isWhitespace(c) || Character.isSpaceChar(c));
    }
}
