package id.gerbang.gateway.trail;

import id.gerbang.gateway.anchor.NoteSigner;
import id.gerbang.gateway.anchor.NoteVerifier;
import id.gerbang.gateway.anchor.SigningKeys;
import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.context.NodeName;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * This node's checkpoint keys and the keys it trusts, all files on the node and never the database
 * (docs/trail.md, "Anchoring"): the Ed25519 signing key ({@code gerbang.trail.signing-key-file}, made on
 * first start; unset, {@code <data-dir>/trail-<node>.key}), named after the checkpoints' origin
 * {@code <gerbang.trail.origin>/<node>}, and the verifier keys verification trusts: those in
 * {@code gerbang.trail.trusted-keys}, or, unset, this node's own.
 */
@Component
public class TrailKeys {

    private static final Logger log = LoggerFactory.getLogger(TrailKeys.class);

    private final String node;
    private final String keyName;
    private final Path signingKeyFile;
    private final NoteSigner signer;
    private final List<NoteVerifier> trusted;

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
        this.signer = SigningKeys.loadOrCreate(this.signingKeyFile, keyName);
        if (trustedKeys == null) {
            this.trusted = List.of(signer.verifier());
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

    /** The file beside the signing key that holds this node's latest signed checkpoint. */
    public Path checkpointFile() {
        String name = signingKeyFile.getFileName().toString();
        String base = name.endsWith(".key") ? name.substring(0, name.length() - ".key".length()) : name;
        return signingKeyFile.resolveSibling(base + ".checkpoint");
    }
}
