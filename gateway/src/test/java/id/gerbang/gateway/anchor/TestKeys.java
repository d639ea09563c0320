package id.gerbang.gateway.anchor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/** Signing keys for tests. */
final class TestKeys {

    /** PKCS#8 of an Ed25519 private key, up to its 32-byte seed (RFC 8410 §7). */
    static final String PKCS8_PREFIX = "302e020100300506032b657004220420";

    private TestKeys() {}

    static NoteSigner random(String name) {
        try {
            return new NoteSigner(name, KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key of a fixed seed, written as a PEM file and read back as the node reads its key. */
    static NoteSigner fromSeed(Path dir, String name, String seedHex) throws Exception {
        byte[] der = HexFormat.of().parseHex(PKCS8_PREFIX + seedHex);
        Path file = Files.createTempFile(dir, "seed", ".pem");
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n" + Base64.getEncoder().encodeToString(der) + "\n-----END PRIVATE KEY-----\n");
        return SigningKeys.load(file, name);
    }
}
