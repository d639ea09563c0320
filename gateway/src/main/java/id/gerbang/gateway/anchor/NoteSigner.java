package id.gerbang.gateway.anchor;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;

/** An Ed25519 private key that signs notes under a key name. The key itself never leaves this object. */
public final class NoteSigner {

    private final PrivateKey privateKey;
    private final NoteVerifier verifier;

    /** A signer for a key pair of the JDK's Ed25519 ({@code KeyPairGenerator.getInstance("Ed25519")}). */
    public NoteSigner(String name, KeyPair keys) {
        this.privateKey = keys.getPrivate();
        this.verifier = NoteVerifier.of(name, keys.getPublic());
    }

    public String name() {
        return verifier.name();
    }

    /** The public half, to publish and to pin. */
    public NoteVerifier verifier() {
        return verifier;
    }

    /** This key's signature of a note's text. */
    SignedNote.NoteSignature sign(String text) {
        try {
            Signature ed = Signature.getInstance("Ed25519");
            ed.initSign(privateKey);
            ed.update(text.getBytes(StandardCharsets.UTF_8));
            return new SignedNote.NoteSignature(verifier.name(), verifier.keyId(), ed.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    @Override
    public String toString() {
        return "NoteSigner[" + verifier.verifierKey() + "]";
    }
}
