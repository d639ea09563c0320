package id.gerbang.gateway.anchor;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A public key that checks signed notes: a key name and an Ed25519 public key, written as the verifier key
 * string {@code <name>+<key ID as 8 lower-case hex digits>+<base64(0x01 || 32-byte key)>} (the form of Go's
 * {@code golang.org/x/mod/sumdb/note}, which {@code /audit/keys} serves and the trusted-keys file lists).
 */
public final class NoteVerifier {

    private final String name;
    private final int keyId;
    private final byte[] publicKey;
    private final PublicKey jdkKey;

    NoteVerifier(String name, byte[] rawPublicKey) {
        if (!Ed25519.isValidKeyName(name)) {
            throw new IllegalArgumentException("a key name is not empty and has no space, plus sign or control character: \"" + name + "\"");
        }
        this.name = name;
        this.publicKey = rawPublicKey.clone();
        this.jdkKey = Ed25519.publicKey(publicKey);
        this.keyId = Ed25519.keyId(name, publicKey);
    }

    /** The verifier of an Ed25519 public key under a key name. */
    public static NoteVerifier of(String name, PublicKey key) {
        return new NoteVerifier(name, Ed25519.raw(key));
    }

    /**
     * Reads a verifier key string strictly.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static NoteVerifier parse(String verifierKey) {
        String[] parts = verifierKey.split("\\+", 3); // the base64 key may hold plus signs itself
        if (parts.length != 3) {
            throw new IllegalArgumentException("a verifier key is <name>+<key ID>+<key>, three parts joined by '+': \"" + verifierKey + "\"");
        }
        if (!parts[1].matches("[0-9a-f]{8}")) {
            throw new IllegalArgumentException("a verifier key's ID is 8 lower-case hex digits, not \"" + parts[1] + "\"");
        }
        byte[] key = strictBase64(parts[2], "a verifier key's key");
        if (key.length != 1 + Ed25519.PUBLIC_KEY_SIZE || key[0] != Ed25519.SIGNATURE_TYPE) {
            throw new IllegalArgumentException("a verifier key's key is base64 of 0x01 and a 32-byte Ed25519 public key");
        }
        NoteVerifier verifier = new NoteVerifier(parts[0], Arrays.copyOfRange(key, 1, key.length));
        int claimed = HexFormat.fromHexDigits(parts[1]);
        if (claimed != verifier.keyId) {
            throw new IllegalArgumentException("the verifier key of " + parts[0] + " says key ID " + parts[1]
                    + ", but its name and key give " + verifier.keyIdHex());
        }
        return verifier;
    }

    public String name() {
        return name;
    }

    /** The 32-bit key ID, as the first four bytes of a signature carry it. */
    public int keyId() {
        return keyId;
    }

    public String keyIdHex() {
        return HexFormat.of().toHexDigits(keyId);
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** {@code <name>+<hex key ID>+<base64(0x01 || key)>}. */
    public String verifierKey() {
        byte[] key = new byte[1 + publicKey.length];
        key[0] = Ed25519.SIGNATURE_TYPE;
        System.arraycopy(publicKey, 0, key, 1, publicKey.length);
        return name + "+" + keyIdHex() + "+" + Base64.getEncoder().encodeToString(key);
    }

    /** Whether {@code signature} (without the key ID) is this key's Ed25519 signature of {@code message}. */
    boolean verifies(byte[] message, byte[] signature) {
        if (signature.length != Ed25519.SIGNATURE_SIZE) {
            return false;
        }
        try {
            Signature ed = Signature.getInstance("Ed25519");
            ed.initVerify(jdkKey);
            ed.update(message);
            return ed.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Base64 as RFC 4648 §4 writes it, padded, and nothing else: the decoder alone also takes it unpadded. */
    static byte[] strictBase64(String s, String what) {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not base64: \"" + s + "\"");
        }
        if (!Base64.getEncoder().encodeToString(decoded).equals(s)) {
            throw new IllegalArgumentException(what + " is not in canonical, padded base64: \"" + s + "\"");
        }
        return decoded;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoteVerifier v && v.name.equals(name) && Arrays.equals(v.publicKey, publicKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(publicKey));
    }

    @Override
    public String toString() {
        return verifierKey();
    }
}
