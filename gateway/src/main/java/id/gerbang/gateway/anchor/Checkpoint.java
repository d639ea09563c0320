package id.gerbang.gateway.anchor;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * The text of a checkpoint, c2sp.org/tlog-checkpoint as docs/trail.md fixes it for Gerbang: four lines,
 * each ending in a newline:
 *
 * <pre>
 * gerbang/node-a                                  the origin: gerbang.trail.origin, '/', the node
 * 1234                                            the tree size: the node's last nodeSeq covered
 * Xcnaeac...RgQyg=                                the tree's root hash, base64
 * time 2026-12-01T10:00:00.000Z                   one extension line: when it was signed, UTC, milliseconds
 * </pre>
 *
 * The origin is also the name of the node's signing key. Parsing is strict.
 */
public record Checkpoint(String origin, long treeSize, byte[] rootHash, Instant time) {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC).withResolverStyle(ResolverStyle.STRICT);
    private static final String TIME_PREFIX = "time ";

    public Checkpoint {
        if (!Ed25519.isValidKeyName(origin)) {
            throw new IllegalArgumentException("a checkpoint's origin is not empty and has no space, plus sign or control character: \"" + origin + "\"");
        }
        if (treeSize < 0) {
            throw new IllegalArgumentException("a tree size is not negative: " + treeSize);
        }
        if (rootHash == null || rootHash.length != MerkleTree.HASH_SIZE) {
            throw new IllegalArgumentException("a checkpoint's root hash is 32 bytes");
        }
        rootHash = rootHash.clone();
        Objects.requireNonNull(time, "time");
        if (!time.truncatedTo(ChronoUnit.MILLIS).equals(time)) {
            throw new IllegalArgumentException("a checkpoint's time is in whole milliseconds: " + time);
        }
        if (time.atOffset(ZoneOffset.UTC).getYear() < 1 || time.atOffset(ZoneOffset.UTC).getYear() > 9999) {
            throw new IllegalArgumentException("a checkpoint's time has a four-digit year: " + time);
        }
    }

    /** The checkpoint of a node's tree: origin {@code <origin>/<node>}, the time cut to milliseconds. */
    public static Checkpoint of(String origin, String node, long treeSize, byte[] rootHash, Instant time) {
        return new Checkpoint(origin + "/" + node, treeSize, rootHash, time.truncatedTo(ChronoUnit.MILLIS));
    }

    @Override
    public byte[] rootHash() {
        return rootHash.clone();
    }

    /** The note text: the four lines. */
    public String text() {
        return origin + "\n" + treeSize + "\n" + Base64.getEncoder().encodeToString(rootHash) + "\n"
                + TIME_PREFIX + TIME.format(time) + "\n";
    }

    /** Signs this checkpoint: the signed note whose text is {@link #text()}. */
    public SignedNote sign(NoteSigner... signers) {
        for (NoteSigner signer : signers) {
            if (!signer.name().equals(origin)) {
                // c2sp.org/tlog-checkpoint: the log's key name should match the origin; for Gerbang it must
                throw new IllegalArgumentException("the key " + signer.name() + " does not sign checkpoints of " + origin);
            }
        }
        return SignedNote.sign(text(), signers);
    }

    /** Reads a checkpoint from a note's text, strictly. */
    public static Checkpoint parse(String text) {
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("a checkpoint's text ends with a newline");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        if (lines.length != 4) {
            throw new IllegalArgumentException("a Gerbang checkpoint has four lines (origin, tree size, root hash, time); this one has " + lines.length);
        }
        String origin = lines[0];
        if (!Ed25519.isValidKeyName(origin)) {
            throw new IllegalArgumentException("a checkpoint's origin is not empty and has no space or plus sign: \"" + origin + "\"");
        }
        if (!lines[1].matches("0|[1-9][0-9]{0,18}")) {
            throw new IllegalArgumentException("a checkpoint's tree size is a decimal number without leading zeros: \"" + lines[1] + "\"");
        }
        long size;
        try {
            size = Long.parseLong(lines[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a checkpoint's tree size is too large: " + lines[1]);
        }
        byte[] root = NoteVerifier.strictBase64(lines[2], "a checkpoint's root hash");
        if (root.length != MerkleTree.HASH_SIZE) {
            throw new IllegalArgumentException("a checkpoint's root hash is 32 bytes, not " + root.length);
        }
        if (!lines[3].startsWith(TIME_PREFIX) || !lines[3].matches("time [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z")) {
            throw new IllegalArgumentException("a checkpoint's last line is \"time yyyy-MM-ddTHH:mm:ss.SSSZ\", not \"" + lines[3] + "\"");
        }
        Instant time;
        try {
            time = TIME.parse(lines[3].substring(TIME_PREFIX.length()), Instant::from);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("a checkpoint's time is no real instant: \"" + lines[3] + "\"");
        }
        Checkpoint checkpoint = new Checkpoint(origin, size, root, time);
        if (!checkpoint.text().equals(text)) {
            throw new IllegalArgumentException("a checkpoint's text is not in its one written form: \"" + text + "\"");
        }
        return checkpoint;
    }

    /** Reads the checkpoint of a signed note and checks the note against trusted keys first. */
    public static Checkpoint verified(SignedNote note, java.util.Collection<NoteVerifier> trusted) {
        note.verify(trusted);
        return parse(note.text());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Checkpoint c && c.origin.equals(origin) && c.treeSize == treeSize
                && Arrays.equals(c.rootHash, rootHash) && c.time.equals(time);
    }

    @Override
    public int hashCode() {
        return Objects.hash(origin, treeSize, Arrays.hashCode(rootHash), time);
    }

    @Override
    public String toString() {
        return "Checkpoint[" + text().replace('\n', ' ').trim() + "]";
    }
}
