package id.gerbang.gateway.anchor;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * The node's signing key, a file on the node and never in the database: an Ed25519 private key as a PKCS#8
 * PEM file ({@code -----BEGIN PRIVATE KEY-----}, what {@code openssl genpkey -algorithm ed25519} writes),
 * created readable by its owner only where the file system has POSIX permissions. And the trusted-keys
 * file: one verifier key per line, as {@code /audit/keys} serves them; blank lines and lines starting with
 * {@code #} are skipped.
 */
public final class SigningKeys {

    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String END = "-----END PRIVATE KEY-----";

    private SigningKeys() {}

    /** The key in {@code keyFile}, made first (a new Ed25519 key, owner-only) when there is none. */
    public static NoteSigner loadOrCreate(Path keyFile, String keyName) {
        if (Files.exists(keyFile)) {
            return load(keyFile, keyName);
        }
        try {
            return create(keyFile, keyName);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof FileAlreadyExistsException) {
                return load(keyFile, keyName); // another process made it meanwhile
            }
            throw e;
        }
    }

    /**
     * Makes a new Ed25519 key and writes it to {@code keyFile}, which must not exist: written whole to a
     * file beside it, then moved into place, so a crash never leaves half a key.
     */
    public static NoteSigner create(Path keyFile, String keyName) {
        KeyPair keys;
        try {
            keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is missing from this Java runtime", e);
        }
        NoteSigner signer = new NoteSigner(keyName, keys);
        try {
            writeNew(keyFile, pem(keys.getPrivate()).getBytes(StandardCharsets.US_ASCII));
            return signer;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the signing key " + keyFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes a file that must not exist yet, readable by its owner only: written whole beside it, then moved
     * into place, so that a crash never leaves half of it.
     *
     * @throws FileAlreadyExistsException when the file exists
     */
    static void writeNew(Path file, byte[] content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        if (Files.exists(file)) {
            throw new FileAlreadyExistsException(file.toString());
        }
        Path partial = ownerOnlyFile(dir, file.getFileName() + ".new-");
        try {
            try (OutputStream out = Files.newOutputStream(partial, StandardOpenOption.WRITE, StandardOpenOption.SYNC)) {
                out.write(content);
            }
            Files.move(partial, file);
            partial = null;
        } finally {
            if (partial != null) {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException ignored) {
                    // the partial file is harmless: it is never read
                }
            }
        }
    }

    /** Reads the Ed25519 key in a PKCS#8 PEM file. */
    public static NoteSigner load(Path keyFile, String keyName) {
        String pem;
        try {
            pem = Files.readString(keyFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the signing key " + keyFile + ": " + e.getMessage(), e);
        }
        String trimmed = pem.strip();
        if (!trimmed.startsWith(BEGIN) || !trimmed.endsWith(END)) {
            throw new IllegalArgumentException("the signing key " + keyFile + " is not a PKCS#8 PEM file (" + BEGIN + " ... " + END + ")");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(trimmed.substring(BEGIN.length(), trimmed.length() - END.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the signing key " + keyFile + " holds no valid base64");
        }
        return new NoteSigner(keyName, keyPair(der, keyFile));
    }

    /** The key pair of a PKCS#8 Ed25519 private key; the public half derived from the private one. */
    private static KeyPair keyPair(byte[] der, Path keyFile) {
        try {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(der);
            if (!EdECObjectIdentifiers.id_Ed25519.equals(info.getPrivateKeyAlgorithm().getAlgorithm())) {
                throw new IllegalArgumentException("the signing key " + keyFile + " is not an Ed25519 key but "
                        + info.getPrivateKeyAlgorithm().getAlgorithm());
            }
            byte[] seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
            byte[] publicKey = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
            if (info.getPublicKeyData() != null && !java.util.Arrays.equals(info.getPublicKeyData().getOctets(), publicKey)) {
                throw new IllegalArgumentException("the signing key " + keyFile + " carries a public key that is not its own");
            }
            PrivateKey privateKey = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
            return new KeyPair(Ed25519.publicKey(publicKey), privateKey);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null && iae.getMessage().startsWith("the signing key")) {
                throw iae;
            }
            throw new IllegalArgumentException("the signing key " + keyFile + " is not a readable PKCS#8 Ed25519 key: " + e.getMessage(), e);
        }
    }

    /** A PKCS#8 PEM of a private key, 64 base64 characters a line. */
    static String pem(PrivateKey key) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded());
        return BEGIN + "\n" + b64 + "\n" + END + "\n";
    }

    /** An empty new file that only its owner can read and write, where the file system knows permissions. */
    private static Path ownerOnlyFile(Path dir, String prefix) throws IOException {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return Files.createTempFile(dir, prefix, ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
        Path file = Files.createTempFile(dir, prefix, ".tmp");
        java.io.File f = file.toFile();
        // no POSIX permissions (Windows): the closest the JDK offers; ACLs are the operator's to set
        f.setReadable(false, false);
        f.setWritable(false, false);
        f.setReadable(true, true);
        f.setWritable(true, true);
        return file;
    }

    /**
     * Reads a trusted-keys file: one verifier key per line ({@code <name>+<key ID>+<key>}), optionally
     * followed by white space and anything (the lines of {@code GET /audit/keys} add the time each key was
     * introduced); blank lines and lines starting with {@code #} skipped.
     *
     * @throws IllegalArgumentException naming the file and line of anything else, or of two different keys
     *     with one name and key ID
     */
    public static List<NoteVerifier> readTrustedKeys(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the trusted keys " + file + ": " + e.getMessage(), e);
        }
        Map<String, NoteVerifier> keys = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            NoteVerifier key;
            try {
                // a key may be followed by white space and a note, such as the time /audit/keys gives with it
                key = NoteVerifier.parse(line.split("\\s", 2)[0]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ", line " + (i + 1) + ": " + e.getMessage(), e);
            }
            NoteVerifier before = keys.putIfAbsent(key.name() + "+" + key.keyIdHex(), key);
            if (before != null && !before.equals(key)) {
                throw new IllegalArgumentException(file + ", line " + (i + 1) + ": a second, different key named "
                        + key.name() + " with key ID " + key.keyIdHex());
            }
        }
        return new ArrayList<>(keys.values());
    }
}
