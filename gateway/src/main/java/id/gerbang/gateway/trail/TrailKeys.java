package id.gerbang.gateway.trail;

import id.gerbang.gateway.anchor.NoteSigner;
import id.gerbang.gateway.anchor.NoteVerifier;
import id.gerbang.gateway.anchor.SigningKeys;
import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.context.NodeName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * This node's checkpoint keys and the keys it trusts, all files on the node and never the database
 * (docs/trail.md, "Anchoring"): the Ed25519 signing key ({@code gerbang.trail.signing-key-file}, made on
 * first start; unset, {@code <data-dir>/trail-<node>.key}), named after the checkpoints' origin
 * {@code <gerbang.trail.origin>/<node>}, and the verifier keys verification trusts: those in
 * {@code gerbang.trail.trusted-keys}, or, unset, this node's own (its key and the keys it rotated away
 * from, listed in {@code <key file>.retired}).
 *
 * <p>Rotation: a new key written to {@code <key file>.next} is introduced by the next checkpoint, signed
 * with the old key and the new one ({@link TrailAnchoring}); then the old key's verifier key is added to
 * {@code <key file>.retired} and the new key replaces the old one's file.
 */
@Component
public class TrailKeys {

    private static final Logger log = LoggerFactory.getLogger(TrailKeys.class);

    private final String node;
    private final String keyName;
    private final Path signingKeyFile;
    private final Path trustedKeys;
    private volatile NoteSigner signer;
    private volatile List<NoteVerifier> trusted;

    @org.springframework.beans.factory.annotation.Autowired
    public TrailKeys(GerbangProperties properties, NodeName node) {
        this(node.value(), properties.trail().origin(), signingKeyFile(properties, node.value()), properties.trail().trustedKeys());
    }

    /**
     * @param trustedKeys the trusted-keys file; {@code null} trusts this node's own key only
     */
    public TrailKeys(String node, String origin, Path signingKeyFile, Path trustedKeys) {
        this.node = node;
        this.keyName = origin + "/" + node;
        this.signingKeyFile = signingKeyFile.toAbsolutePath();
        this.trustedKeys = trustedKeys;
        this.signer = SigningKeys.loadOrCreate(this.signingKeyFile, keyName);
        if (trustedKeys == null) {
            this.trusted = ownVerifiers(false);
        } else {
            this.trusted = List.copyOf(SigningKeys.readTrustedKeys(trustedKeys));
            if (!this.trusted.contains(signer.verifier())) {
                log.warn("This node's own verifier key {} is not in the trusted keys {}: verification here will not trust "
                        + "this node's checkpoints until it is added", signer.verifier().verifierKey(), trustedKeys);
            }
        }
        log.info("Trail checkpoints of {} are signed with {} (key file {}); {} trusted verifier key(s)", node,
                signer.verifier().verifierKey(), this.signingKeyFile, trusted.size());
    }

    /** {@code gerbang.trail.signing-key-file}, else {@code <data-dir>/trail-<node>.key}. */
    static Path signingKeyFile(GerbangProperties properties, String node) {
        Path configured = properties.trail().signingKeyFile();
        return configured != null ? configured : properties.dataDir().resolve("trail-" + node + ".key");
    }

    public String node() {
        return node;
    }

    /** The name of this node's key, which is also its checkpoints' origin: {@code <origin>/<node>}. */
    public String keyName() {
        return keyName;
    }

    /** This node's signing key. */
    public NoteSigner signer() {
        return signer;
    }

    /** The public half of this node's signing key, as {@code /audit/keys} publishes it. */
    public NoteVerifier verifier() {
        return signer.verifier();
    }

    /**
     * The verifier keys this node's verification trusts: the trusted-keys file's, or this node's own key
     * when there is no such file. Never read from the database.
     */
    public List<NoteVerifier> trustedVerifiers() {
        return trusted;
    }

    public Path signingKeyFile() {
        return signingKeyFile;
    }

    /** Where an operator puts this node's next key to rotate to it. */
    public Path nextKeyFile() {
        return signingKeyFile.resolveSibling(signingKeyFile.getFileName() + ".next");
    }

    /** The verifier keys of the keys this node rotated away from, one per line. */
    public Path retiredKeysFile() {
        return signingKeyFile.resolveSibling(signingKeyFile.getFileName() + ".retired");
    }

    /** The key waiting in {@link #nextKeyFile()}, if there is one. */
    NoteSigner nextSigner() {
        return Files.exists(nextKeyFile()) ? SigningKeys.load(nextKeyFile(), keyName) : null;
    }

    /**
     * This node's own verifier keys: its key now, the keys it rotated away from and, with {@code withNext},
     * the key it is rotating to. What this node's checkpoint file may be signed with.
     */
    public List<NoteVerifier> ownVerifiers(boolean withNext) {
        List<NoteVerifier> own = new ArrayList<>();
        own.add(signer.verifier());
        if (Files.exists(retiredKeysFile())) {
            SigningKeys.readTrustedKeys(retiredKeysFile()).stream().filter(k -> !own.contains(k)).forEach(own::add);
        }
        NoteSigner next = withNext ? nextSigner() : null;
        if (next != null && !own.contains(next.verifier())) {
            own.add(next.verifier());
        }
        return List.copyOf(own);
    }

    /**
     * Ends a rotation once a checkpoint signed with both keys is kept: the old key's verifier key goes to
     * {@link #retiredKeysFile()}, the next key replaces the old one's file (the old private key is gone).
     */
    synchronized void rotateTo(NoteSigner next) {
        NoteSigner old = signer;
        try {
            List<NoteVerifier> retired = Files.exists(retiredKeysFile()) ? new ArrayList<>(SigningKeys.readTrustedKeys(retiredKeysFile())) : new ArrayList<>();
            if (!retired.contains(old.verifier())) {
                retired.add(old.verifier());
            }
            StringBuilder lines = new StringBuilder("# verifier keys this node signed its checkpoints with before, oldest first\n");
            retired.forEach(k -> lines.append(k.verifierKey()).append('\n'));
            TrailAnchoring.writeAtomically(retiredKeysFile(), lines.toString().getBytes(StandardCharsets.UTF_8));
            Files.move(nextKeyFile(), signingKeyFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("the key rotation of " + node + " could not finish: " + e.getMessage(), e);
        }
        signer = next;
        if (trustedKeys == null) {
            trusted = ownVerifiers(false);
        }
        log.warn("Trail checkpoints of {} are now signed with {} (rotated from {}, kept in {})", node,
                next.verifier().verifierKey(), old.verifier().verifierKey(), retiredKeysFile());
    }

    /** The file beside the signing key that holds this node's latest signed checkpoint. */
    public Path checkpointFile() {
        String name = signingKeyFile.getFileName().toString();
        String base = name.endsWith(".key") ? name.substring(0, name.length() - ".key".length()) : name;
        return signingKeyFile.resolveSibling(base + ".checkpoint");
    }
}
