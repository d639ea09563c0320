package id.gerbang.gateway.anchor;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A signed note of c2sp.org/signed-note: a text ending in a newline, a blank line, then one line per
 * signature, {@code — <key name> <base64(4-byte key ID || signature)>}. Signatures are Ed25519 over the
 * text's UTF-8 bytes (the final newline included, the blank line not). Parsing is strict: anything the
 * format does not allow is refused with a message saying what.
 */
public final class SignedNote {

    /** Signatures one note may carry; the format asks verifiers to accept at least 16. */
    public static final int MAX_SIGNATURES = 100;
    /** The largest note read; a checkpoint is a few hundred bytes. */
    public static final int MAX_NOTE_BYTES = 64 * 1024;

    private static final String SIGNATURE_PREFIX = "\u2014 ";

    private final String text;
    private final List<NoteSignature> signatures;

    /** One signature line. */
    public record NoteSignature(String keyName, int keyId, byte[] signature) {

        public NoteSignature {
            Objects.requireNonNull(keyName);
            signature = signature.clone();
        }

        @Override
        public byte[] signature() {
            return signature.clone();
        }

        public String keyIdHex() {
            return HexFormat.of().toHexDigits(keyId);
        }

        String line() {
            byte[] both = ByteBuffer.allocate(4 + signature.length).putInt(keyId).put(signature).array();
            return SIGNATURE_PREFIX + keyName + " " + Base64.getEncoder().encodeToString(both) + "\n";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NoteSignature s && s.keyName.equals(keyName) && s.keyId == keyId
                    && Arrays.equals(s.signature, signature);
        }

        @Override
        public int hashCode() {
            return Objects.hash(keyName, keyId, Arrays.hashCode(signature));
        }

        @Override
        public String toString() {
            return "signature by " + keyName + " (key ID " + keyIdHex() + ")";
        }
    }

    private SignedNote(String text, List<NoteSignature> signatures) {
        this.text = text;
        this.signatures = List.copyOf(signatures);
    }

    /**
     * Signs a text with one or more keys (more than one while a new key is introduced: the note signed by the
     * old key and the new one vouches for the new).
     */
    public static SignedNote sign(String text, NoteSigner... signers) {
        checkText(text);
        if (signers.length == 0) {
            throw new IllegalArgumentException("a signed note has at least one signature");
        }
        List<NoteSignature> sigs = new ArrayList<>();
        for (NoteSigner signer : signers) {
            sigs.add(signer.sign(text));
        }
        return new SignedNote(text, sigs);
    }

    /** This note with one more signature, over the same text. */
    public SignedNote cosign(NoteSigner signer) {
        List<NoteSignature> sigs = new ArrayList<>(signatures);
        sigs.add(signer.sign(text));
        if (sigs.size() > MAX_SIGNATURES) {
            throw new IllegalArgumentException("a note carries at most " + MAX_SIGNATURES + " signatures");
        }
        return new SignedNote(text, sigs);
    }

    /** Reads a signed note from its UTF-8 bytes, strictly. */
    public static SignedNote parse(byte[] note) {
        if (note.length > MAX_NOTE_BYTES) {
            throw new IllegalArgumentException("a signed note is at most " + MAX_NOTE_BYTES + " bytes; this one has " + note.length);
        }
        try {
            return parse(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(note)).toString());
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("a signed note is UTF-8; this one is not");
        }
    }

    /** Reads a signed note, strictly. */
    public static SignedNote parse(String note) {
        if (note.length() > MAX_NOTE_BYTES) {
            throw new IllegalArgumentException("a signed note is at most " + MAX_NOTE_BYTES + " bytes");
        }
        checkCharacters(note, "a signed note");
        int split = note.lastIndexOf("\n\n");
        if (split < 0) {
            throw new IllegalArgumentException("a signed note has a blank line between its text and its signatures; this one has none");
        }
        String text = note.substring(0, split + 1);
        String rest = note.substring(split + 2);
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("a signed note has at least one signature line after its blank line");
        }
        if (!rest.endsWith("\n")) {
            throw new IllegalArgumentException("a signed note's last signature line ends with a newline");
        }
        String[] lines = rest.substring(0, rest.length() - 1).split("\n", -1);
        if (lines.length > MAX_SIGNATURES) {
            throw new IllegalArgumentException("a note carries at most " + MAX_SIGNATURES + " signatures; this one has " + lines.length);
        }
        List<NoteSignature> sigs = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            sigs.add(parseSignatureLine(lines[i], i + 1));
        }
        return new SignedNote(text, sigs);
    }

    private static NoteSignature parseSignatureLine(String line, int number) {
        String where = "signature line " + number;
        if (!line.startsWith(SIGNATURE_PREFIX)) {
            throw new IllegalArgumentException(where + " does not start with an em dash (U+2014) and a space: \"" + line + "\"");
        }
        String body = line.substring(SIGNATURE_PREFIX.length());
        int space = body.indexOf(' ');
        if (space < 0 || body.indexOf(' ', space + 1) >= 0) {
            throw new IllegalArgumentException(where + " is \"— <key name> <base64 signature>\", with one space between them: \"" + line + "\"");
        }
        String name = body.substring(0, space);
        if (!Ed25519.isValidKeyName(name)) {
            throw new IllegalArgumentException(where + " names no valid key (non-empty, no space, no plus sign): \"" + name + "\"");
        }
        byte[] decoded = NoteVerifier.strictBase64(body.substring(space + 1), where + "'s signature");
        if (decoded.length < 5) {
            throw new IllegalArgumentException(where + "'s signature is a 4-byte key ID and at least one byte more");
        }
        ByteBuffer b = ByteBuffer.wrap(decoded);
        int keyId = b.getInt();
        return new NoteSignature(name, keyId, Arrays.copyOfRange(decoded, 4, decoded.length));
    }

    private static void checkText(String text) {
        if (text.isEmpty() || !text.endsWith("\n")) {
            throw new IllegalArgumentException("a note's text ends with a newline");
        }
        if (text.contains("\n\n") || text.startsWith("\n")) {
            // allowed by the format (the last blank line separates), but a checkpoint never has one
            throw new IllegalArgumentException("a note's text signed here has no empty line");
        }
        checkCharacters(text, "a note's text");
    }

    private static void checkCharacters(String s, String what) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 && c != '\n') {
                throw new IllegalArgumentException(what + " has no control character but newline; found U+"
                        + HexFormat.of().withUpperCase().toHexDigits(c) + " at " + i);
            }
            if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(++i)))) {
                throw new IllegalArgumentException(what + " is not valid UTF-8 text (a lone surrogate at " + i + ")");
            }
        }
    }

    /**
     * Checks the note against trusted keys, as c2sp.org/signed-note says: signatures by unknown keys
     * (name and key ID not both those of a trusted key) are ignored; a trusted key's signature that does not
     * verify rejects the whole note; at least one trusted key's signature must verify.
     *
     * @return the trusted keys whose signatures verified, in the note's order
     * @throws NoteVerificationException saying which key failed, or which keys signed when none is trusted
     */
    public List<NoteVerifier> verify(Collection<NoteVerifier> trusted) {
        Set<NoteVerifier> verified = new LinkedHashSet<>();
        byte[] message = text.getBytes(StandardCharsets.UTF_8);
        for (NoteSignature sig : signatures) {
            for (NoteVerifier key : trusted) {
                if (key.name().equals(sig.keyName()) && key.keyId() == sig.keyId()) {
                    if (!key.verifies(message, sig.signature)) {
                        throw new NoteVerificationException("the signature of trusted key " + key.name() + " (key ID "
                                + key.keyIdHex() + ") does not match the note's text: the note was altered or forged");
                    }
                    verified.add(key);
                }
            }
        }
        if (verified.isEmpty()) {
            throw new NoteVerificationException("the note is signed by no trusted key; it carries "
                    + signatures.stream().map(NoteSignature::toString).toList());
        }
        return List.copyOf(verified);
    }

    /** The text signed, with its final newline. */
    public String text() {
        return text;
    }

    public List<NoteSignature> signatures() {
        return signatures;
    }

    /** The note as served and as signed: text, blank line, signature lines. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(text).append('\n');
        signatures.forEach(s -> out.append(s.line()));
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignedNote n && n.text.equals(text) && n.signatures.equals(signatures);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text, signatures);
    }
}
