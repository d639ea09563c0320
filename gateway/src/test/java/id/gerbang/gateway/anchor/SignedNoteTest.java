package id.gerbang.gateway.anchor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignedNoteTest {

    @TempDir
    Path dir;

    /*
     * A vector made once with an independent Ed25519 implementation, Python's `cryptography` (48.0.0):
     *
     *   from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
     *   import hashlib, base64
     *   k = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
     *   pub = k.public_key().public_bytes_raw()
     *   name = "gerbang/node-a"
     *   keyid = hashlib.sha256(name.encode() + b"\n\x01" + pub).digest()[:4]
     *   text = "gerbang/node-a\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\ntime 2026-12-01T10:00:00.000Z\n"
     *   print(name + "+" + keyid.hex() + "+" + base64.b64encode(b"\x01" + pub).decode())
     *   print("\u2014 " + name + " " + base64.b64encode(keyid + k.sign(text.encode())).decode())
     *
     * The root hash is the Certificate Transparency test tree's at size 8 (see MerkleTreeTest).
     */
    static final String PYTHON_SEED_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    static final String PYTHON_VERIFIER = "gerbang/node-a+9b724a5b+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4";
    static final String PYTHON_NOTE = "gerbang/node-a\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\ntime 2026-12-01T10:00:00.000Z\n"
            + "\n"
            + "\u2014 gerbang/node-a m3JKW6tvN61wQ0P2+wi4PVe0zgYJJ6Omh3Z3fFNAeZnbpGsmJ9EXC23BSse1DBIx1GvGkv3Ag8w4bdUapQgNE899UwQ=\n";

    @Test
    void aCheckpointSignedHereIsByteForByteWhatPythonsCryptographySigned() throws Exception {
        NoteSigner signer = TestKeys.fromSeed(dir, "gerbang/node-a", PYTHON_SEED_HEX);
        assertThat(signer.verifier().verifierKey()).isEqualTo(PYTHON_VERIFIER);

        Checkpoint checkpoint = Checkpoint.of("gerbang", "node-a", 8,
                HexFormat.of().parseHex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
                Instant.parse("2026-12-01T10:00:00Z"));
        assertThat(checkpoint.sign(signer).toString()).isEqualTo(PYTHON_NOTE);

        SignedNote parsed = SignedNote.parse(PYTHON_NOTE.getBytes(StandardCharsets.UTF_8));
        assertThat(parsed.verify(List.of(NoteVerifier.parse(PYTHON_VERIFIER)))).containsExactly(signer.verifier());
        assertThat(Checkpoint.verified(parsed, List.of(NoteVerifier.parse(PYTHON_VERIFIER)))).isEqualTo(checkpoint);
    }

    /*
     * The example of Go's reference implementation (golang.org/x/mod/sumdb/note's documentation), checked
     * here with Python's `cryptography` too: the private key PRIVATE+KEY+PeterNeumann+c74f20a3+
     * AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz is 0x01 and the 32-byte seed.
     */
    @Test
    void theGoReferenceImplementationsExampleNoteComesOutTheSame() throws Exception {
        byte[] privateKey = Base64.getDecoder().decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz");
        NoteSigner signer = TestKeys.fromSeed(dir, "PeterNeumann", HexFormat.of().formatHex(privateKey, 1, 33));
        assertThat(signer.verifier().verifierKey()).isEqualTo("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
        SignedNote note = SignedNote.sign("If you think cryptography is the answer to your problem,\n"
                + "then you don't know what your problem is.\n", signer);
        assertThat(note.toString()).endsWith("\n\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n");
    }

    @Test
    void aNoteSignedHereParsesBackAndVerifies() {
        NoteSigner signer = TestKeys.random("gerbang/node-b");
        SignedNote note = SignedNote.sign("gerbang/node-b\n0\n" + Base64.getEncoder().encodeToString(MerkleTree.emptyRoot())
                + "\ntime 2026-12-01T10:00:00.000Z\n", signer);
        SignedNote parsed = SignedNote.parse(note.toString());
        assertThat(parsed).isEqualTo(note);
        assertThat(parsed.toString()).isEqualTo(note.toString());
        assertThat(parsed.verify(List.of(signer.verifier()))).containsExactly(signer.verifier());
        assertThat(parsed.signatures()).singleElement().satisfies(s -> {
            assertThat(s.keyName()).isEqualTo("gerbang/node-b");
            assertThat(s.keyId()).isEqualTo(signer.verifier().keyId());
            assertThat(s.signature()).hasSize(64);
        });
    }

    @Test
    void anAlteredTextIsRefusedByTheTrustedKeysSignature() {
        NoteSigner signer = TestKeys.random("gerbang/node-a");
        String note = SignedNote.sign("gerbang/node-a\n5\n" + Base64.getEncoder().encodeToString(new byte[32])
                + "\ntime 2026-12-01T10:00:00.000Z\n", signer).toString();
        SignedNote altered = SignedNote.parse(note.replace("\n5\n", "\n4\n"));
        assertThatThrownBy(() -> altered.verify(List.of(signer.verifier())))
                .isInstanceOf(NoteVerificationException.class)
                .hasMessageContaining("trusted key gerbang/node-a (key ID " + signer.verifier().keyIdHex() + ") does not match");
    }

    @Test
    void signaturesOfUnknownKeysAreIgnoredAndANoteWithoutATrustedOneIsRefused() {
        NoteSigner node = TestKeys.random("gerbang/node-a");
        NoteSigner stranger = TestKeys.random("gerbang/node-a"); // same name, another key: another key ID
        NoteSigner other = TestKeys.random("elsewhere/log");
        String text = "some text\n";
        SignedNote note = SignedNote.sign(text, stranger, other, node);
        assertThat(note.verify(List.of(node.verifier()))).containsExactly(node.verifier());

        SignedNote strangersOnly = SignedNote.sign(text, stranger, other);
        assertThatThrownBy(() -> strangersOnly.verify(List.of(node.verifier())))
                .isInstanceOf(NoteVerificationException.class)
                .hasMessageContaining("signed by no trusted key")
                .hasMessageContaining("signature by elsewhere/log (key ID " + other.verifier().keyIdHex() + ")");
        assertThatThrownBy(() -> note.verify(List.of())).isInstanceOf(NoteVerificationException.class);
    }

    @Test
    void aSignatureWithATrustedKeysIdUnderAnotherNameIsIgnored() {
        NoteSigner node = TestKeys.random("gerbang/node-a");
        SignedNote note = SignedNote.sign("text\n", node);
        String renamed = note.toString().replace("\u2014 gerbang/node-a ", "\u2014 gerbang/node-z ");
        assertThatThrownBy(() -> SignedNote.parse(renamed).verify(List.of(node.verifier())))
                .hasMessageContaining("signed by no trusted key");
    }

    @Test
    void aNewKeyIsIntroducedByANoteSignedWithTheOldAndTheNew() {
        NoteSigner old = TestKeys.random("gerbang/node-a");
        NoteSigner successor = TestKeys.random("gerbang/node-a");
        Checkpoint checkpoint = Checkpoint.of("gerbang", "node-a", 3, new byte[32], Instant.parse("2026-12-01T10:00:00.123Z"));
        SignedNote both = checkpoint.sign(old, successor);
        assertThat(both.signatures()).hasSize(2);
        SignedNote parsed = SignedNote.parse(both.toString());
        assertThat(parsed.verify(List.of(old.verifier()))).containsExactly(old.verifier());
        assertThat(parsed.verify(List.of(successor.verifier()))).containsExactly(successor.verifier());
        assertThat(parsed.verify(List.of(successor.verifier(), old.verifier()))).containsExactly(old.verifier(), successor.verifier());
        assertThat(checkpoint.sign(old).cosign(successor)).isEqualTo(both);
    }

    @Test
    void aCheckpointIsSignedOnlyByTheKeyNamedAfterItsOrigin() {
        Checkpoint checkpoint = Checkpoint.of("gerbang", "node-a", 3, new byte[32], Instant.parse("2026-12-01T10:00:00Z"));
        assertThatThrownBy(() -> checkpoint.sign(TestKeys.random("gerbang/node-b")))
                .hasMessageContaining("gerbang/node-b does not sign checkpoints of gerbang/node-a");
    }

    @Test
    void malformedNotesAreRefusedSayingWhatIsWrong() {
        NoteSigner signer = TestKeys.random("gerbang/node-a");
        String good = SignedNote.sign("line one\nline two\n", signer).toString();
        String sigLine = good.substring(good.indexOf('\u2014'));
        String sig = sigLine.substring(sigLine.lastIndexOf(' ') + 1, sigLine.length() - 1);

        assertRefused("line one\n" + sigLine, "blank line between its text and its signatures");
        assertRefused("line one\n\n", "at least one signature line");
        assertRefused(good.substring(0, good.length() - 1), "ends with a newline");
        assertRefused(good.replace("\u2014 ", "-- "), "does not start with an em dash");
        assertRefused(good.replace("\u2014 gerbang/node-a ", "\u2014 gerbang+node-a "), "names no valid key");
        assertRefused(good.replace("\u2014 gerbang/node-a ", "\u2014  gerbang/node-a "), "one space between them");
        assertRefused(good.replace(sig, sig.replace("=", "")), "canonical, padded base64");
        assertRefused(good.replace(sig, "!!!!"), "is not base64");
        assertRefused(good.replace(sig, Base64.getEncoder().encodeToString(new byte[4])), "a 4-byte key ID and at least one byte more");
        assertRefused(good.replace("line one", "line\rone"), "no control character but newline; found U+000D");
        assertRefused(good.replace("line one", "line\tone"), "found U+0009");
        assertRefused(good + sigLine.repeat(SignedNote.MAX_SIGNATURES), "at most 100 signatures");
        byte[] latin1 = good.replace("line one", "l\u00ednea").getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> SignedNote.parse(latin1)).hasMessageContaining("is UTF-8; this one is not");

        assertThat(SignedNote.parse(good + sigLine.repeat(15)).signatures()).as("16 signatures are accepted").hasSize(16);
        assertThat(SignedNote.parse("Ognuno\u00e8\n\n" + sigLine).text()).as("UTF-8 text is fine").isEqualTo("Ognuno\u00e8\n");
    }

    @Test
    void theTextIsSeparatedFromTheSignaturesByTheLastBlankLine() {
        NoteSigner signer = TestKeys.random("gerbang/node-a");
        String sigLine = SignedNote.sign("x\n", signer).toString().substring(3);
        SignedNote note = SignedNote.parse("first\n\nsecond\n\n" + sigLine);
        assertThat(note.text()).isEqualTo("first\n\nsecond\n");
    }

    @Test
    void verifierKeysAreReadStrictly() {
        NoteVerifier key = NoteVerifier.parse(PYTHON_VERIFIER);
        assertThat(key.name()).isEqualTo("gerbang/node-a");
        assertThat(key.keyIdHex()).isEqualTo("9b724a5b");
        assertThat(key.verifierKey()).isEqualTo(PYTHON_VERIFIER);

        assertThatThrownBy(() -> NoteVerifier.parse(PYTHON_VERIFIER.replace("9b724a5b", "9b724a5c")))
                .hasMessageContaining("says key ID 9b724a5c, but its name and key give 9b724a5b");
        assertThatThrownBy(() -> NoteVerifier.parse(PYTHON_VERIFIER.replace("9b724a5b", "9B724A5B")))
                .hasMessageContaining("8 lower-case hex digits");
        assertThatThrownBy(() -> NoteVerifier.parse("gerbang/node-a+9b724a5b")).hasMessageContaining("three parts");
        assertThatThrownBy(() -> NoteVerifier.parse("gerbang node-a+9b724a5b+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"))
                .hasMessageContaining("no space");
        assertThatThrownBy(() -> NoteVerifier.parse("gerbang/node-a+9b724a5b+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4="))
                .hasMessageContaining("base64");
        String ecdsaType = Base64.getEncoder().encodeToString(concat(new byte[] {2}, key.publicKey()));
        assertThatThrownBy(() -> NoteVerifier.parse("gerbang/node-a+9b724a5b+" + ecdsaType))
                .hasMessageContaining("0x01 and a 32-byte Ed25519 public key");
    }

    @Test
    void aKeyOfAnotherAlgorithmIsNoVerifier() throws Exception {
        var ec = KeyPairGenerator.getInstance("EC").generateKeyPair();
        assertThatThrownBy(() -> NoteVerifier.of("gerbang/node-a", ec.getPublic())).hasMessageContaining("not an Ed25519 public key");
    }

    private static void assertRefused(String note, String message) {
        assertThatThrownBy(() -> SignedNote.parse(note)).as(note).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
