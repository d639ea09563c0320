package id.gerbang.gateway.anchor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeysTest {

    @TempDir
    Path dir;

    @Test
    void aMissingKeyIsCreatedOwnerOnlyAndTheSameKeyIsReadBackAfterwards() throws Exception {
        Path file = dir.resolve("data/keys/trail-node-a.key");
        NoteSigner created = SigningKeys.loadOrCreate(file, "gerbang/node-a");
        assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        try (var files = Files.list(file.getParent())) {
            assertThat(files).as("no partial file left beside the key").containsExactly(file);
        }

        NoteSigner reread = SigningKeys.loadOrCreate(file, "gerbang/node-a");
        assertThat(reread.verifier()).isEqualTo(created.verifier());
        SignedNote note = SignedNote.sign("text\n", reread);
        assertThat(note.verify(List.of(created.verifier()))).containsExactly(created.verifier());
    }

    @Test
    void createRefusesToOverwriteAKey() {
        Path file = dir.resolve("trail-node-a.key");
        SigningKeys.create(file, "gerbang/node-a");
        assertThatThrownBy(() -> SigningKeys.create(file, "gerbang/node-a")).hasMessageContaining("cannot write the signing key");
    }

    @Test
    void aFileThatIsNoEd25519KeyIsRefusedClearly() throws Exception {
        Path notPem = dir.resolve("a.key");
        Files.writeString(notPem, "hello\n");
        assertThatThrownBy(() -> SigningKeys.load(notPem, "gerbang/node-a")).hasMessageContaining("is not a PKCS#8 PEM file");

        Path ec = dir.resolve("ec.key");
        Files.writeString(ec, SigningKeys.pem(KeyPairGenerator.getInstance("EC").generateKeyPair().getPrivate()));
        assertThatThrownBy(() -> SigningKeys.load(ec, "gerbang/node-a")).hasMessageContaining("is not an Ed25519 key");

        Path garbage = dir.resolve("garbage.key");
        Files.writeString(garbage, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> SigningKeys.load(garbage, "gerbang/node-a")).hasMessageContaining("is not a readable PKCS#8 Ed25519 key");

        assertThatThrownBy(() -> SigningKeys.load(dir.resolve("missing.key"), "gerbang/node-a"))
                .hasMessageContaining("cannot read the signing key");
    }

    /** Only where the openssl command exists; elsewhere the test is skipped, and says so. */
    @Test
    void opensslReadsOurKeyAndWeReadOpensslsWhereOpensslIsInstalled() throws Exception {
        Assumptions.assumeTrue(Openssl.available(), "openssl is not installed on this machine: the cross-check with it is skipped");
        Path ours = dir.resolve("ours.key");
        NoteSigner signer = SigningKeys.create(ours, "gerbang/node-a");
        Path pub = dir.resolve("ours.pub.der");
        Openssl.run(dir, "pkey", "-in", ours.toString(), "-pubout", "-outform", "DER", "-out", pub.toString());
        byte[] spki = Files.readAllBytes(pub);
        assertThat(Arrays.copyOfRange(spki, spki.length - 32, spki.length)).isEqualTo(signer.verifier().publicKey());

        Path theirs = dir.resolve("theirs.key");
        Openssl.run(dir, "genpkey", "-algorithm", "ed25519", "-out", theirs.toString());
        Path theirPub = dir.resolve("theirs.pub.der");
        Openssl.run(dir, "pkey", "-in", theirs.toString(), "-pubout", "-outform", "DER", "-out", theirPub.toString());
        byte[] theirSpki = Files.readAllBytes(theirPub);
        assertThat(SigningKeys.load(theirs, "gerbang/node-b").verifier().publicKey())
                .isEqualTo(Arrays.copyOfRange(theirSpki, theirSpki.length - 32, theirSpki.length));
    }

    @Test
    void theTrustedKeysFileSkipsCommentsAndBlankLines() throws Exception {
        NoteSigner a = TestKeys.random("gerbang/node-a");
        NoteSigner b = TestKeys.random("gerbang/node-b");
        Path file = dir.resolve("trusted-keys");
        Files.writeString(file, "# the nodes of Pemkot Contoh, as /audit/keys served them on 2026-12-01\n\n"
                + a.verifier().verifierKey() + "\n   " + b.verifier().verifierKey() + "  \n"
                + a.verifier().verifierKey() + "\n");
        assertThat(SigningKeys.readTrustedKeys(file)).containsExactly(a.verifier(), b.verifier());
    }

    @Test
    void theLinesOfAuditKeysAreATrustedKeysFileAsServed() throws Exception {
        NoteSigner a = TestKeys.random("gerbang/node-a");
        NoteSigner b = TestKeys.random("gerbang/node-b");
        Path file = dir.resolve("trusted-keys");
        Files.writeString(file, a.verifier().verifierKey() + " 2026-12-01T10:00:00.000Z\n"
                + b.verifier().verifierKey() + " 2026-12-02T10:00:00.000Z\n");
        assertThat(SigningKeys.readTrustedKeys(file)).containsExactly(a.verifier(), b.verifier());
    }

    @Test
    void aBadLineInTheTrustedKeysFileIsNamedByItsNumber() throws Exception {
        NoteSigner a = TestKeys.random("gerbang/node-a");
        Path file = dir.resolve("trusted-keys");
        Files.writeString(file, "# keys\n" + a.verifier().verifierKey() + "\nnot a key\n");
        assertThatThrownBy(() -> SigningKeys.readTrustedKeys(file)).hasMessageContaining("trusted-keys, line 3: ");

        Files.writeString(file, "# keys\n" + a.verifier().verifierKey().replace("+" + a.verifier().keyIdHex() + "+", "+00000000+") + "\n");
        assertThatThrownBy(() -> SigningKeys.readTrustedKeys(file)).hasMessageContaining("line 2: ").hasMessageContaining("says key ID 00000000");

        assertThatThrownBy(() -> SigningKeys.readTrustedKeys(dir.resolve("none"))).hasMessageContaining("cannot read the trusted keys");
    }

    /** The openssl command, where the machine has one. */
    static final class Openssl {

        static boolean available() {
            try {
                Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (Exception e) {
                return false;
            }
        }

        /** Runs openssl; returns its output (stdout and stderr); fails the test when it exits non-zero. */
        static String run(Path dir, String... args) throws Exception {
            String[] command = new String[args.length + 1];
            command[0] = "openssl";
            System.arraycopy(args, 0, command, 1, args.length);
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("openssl finished").isTrue();
            assertThat(p.exitValue()).as("openssl %s: %s", String.join(" ", args), out).isZero();
            return out;
        }
    }
}
