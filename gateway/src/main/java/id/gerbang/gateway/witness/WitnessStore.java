package id.gerbang.gateway.witness;

import id.gerbang.gateway.anchor.Checkpoint;
import id.gerbang.gateway.anchor.NoteVerifier;
import id.gerbang.gateway.anchor.SignedNote;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The witness's own store, a directory it alone writes (docs/trail.md, "Witnesses"):
 *
 * <pre>
 * STORE/.lock                         held while a run works, so that two runs never interleave
 * STORE/NODE/pinned-keys              the node's verifier keys the witness trusts, one per line with a
 *                                     comment saying when and how each was pinned (a trusted-keys file)
 * STORE/NODE/SIZE.checkpoint          each checkpoint followed, the signed note exactly as served
 * STORE/NODE/SIZE.tsr                 its RFC 3161 timestamp token (DER), when the gateway had one
 * STORE/NODE/conflict-SIZE-HASH.checkpoint   a signed checkpoint that contradicts those kept (evidence)
 * </pre>
 *
 * Files are written to a temporary name and moved in place, so a run that is killed leaves no half file.
 */
final class WitnessStore implements AutoCloseable {

    private static final Pattern NODE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern CHECKPOINT_FILE = Pattern.compile("(0|[1-9][0-9]{0,18})\\.checkpoint");

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;

    /** A checkpoint the witness holds. */
    record Held(Checkpoint checkpoint, byte[] note, Path file) {

        long size() {
            return checkpoint.treeSize();
        }
    }

    private WitnessStore(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Opens (creating it if need be) and locks the store. */
    static WitnessStore open(Path dir) {
        try {
            Files.createDirectories(dir);
            FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null; // this process holds it already
            }
            if (lock == null) {
                channel.close();
                throw new WitnessException("another witness run holds the store " + dir + " (its .lock); this one does nothing");
            }
            return new WitnessStore(dir, channel, lock);
        } catch (IOException e) {
            throw new WitnessException("the store " + dir + " cannot be opened: " + e);
        }
    }

    /** The nodes the store holds anything of. */
    List<String> nodes() {
        TreeSet<String> nodes = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (NODE.matcher(name).matches()) {
                    nodes.add(name);
                }
            }
        } catch (IOException e) {
            throw new WitnessException("the store " + dir + " cannot be read: " + e);
        }
        return new ArrayList<>(nodes);
    }

    /** Whether a node's name can name its directory in the store. */
    static boolean isStorableNode(String node) {
        return NODE.matcher(node).matches();
    }

    private Path nodeDir(String node) {
        if (!isStorableNode(node)) {
            throw new WitnessException("node \"" + GatewayClient.printable(node) + "\": the witness keeps only nodes named with letters, digits, '.', '_' and '-'");
        }
        return dir.resolve(node);
    }

    /** The keys pinned for a node, oldest first; none before the first run that saw it. */
    List<NoteVerifier> pinned(String node) {
        Path file = nodeDir(node).resolve("pinned-keys");
        if (!Files.exists(file)) {
            return List.of();
        }
        List<NoteVerifier> keys = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    keys.add(NoteVerifier.parse(line.strip()));
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new WitnessException("the store's " + file + " cannot be read: " + e.getMessage());
        }
        return keys;
    }

    /** Pins a key: appends it to the node's pinned keys, with a comment saying why. */
    void pin(String node, NoteVerifier key, String why) {
        Path file = nodeDir(node).resolve("pinned-keys");
        String before;
        try {
            before = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new WitnessException("the store's " + file + " cannot be read: " + e);
        }
        write(file, (before + "# pinned " + Instant.now() + ": " + why.replace('\n', ' ') + "\n" + key.verifierKey() + "\n")
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The largest checkpoint held for a node. */
    Optional<Held> latest(String node) {
        Path nodeDir = nodeDir(node);
        if (!Files.isDirectory(nodeDir)) {
            return Optional.empty();
        }
        long largest = -1;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(nodeDir, "*.checkpoint")) {
            for (Path p : entries) {
                Matcher m = CHECKPOINT_FILE.matcher(p.getFileName().toString());
                if (m.matches()) {
                    largest = Math.max(largest, Long.parseLong(m.group(1)));
                }
            }
        } catch (IOException e) {
            throw new WitnessException("the store's " + nodeDir + " cannot be read: " + e);
        }
        if (largest < 0) {
            return Optional.empty();
        }
        Path file = nodeDir.resolve(largest + ".checkpoint");
        try {
            byte[] note = Files.readAllBytes(file);
            Checkpoint checkpoint = Checkpoint.parse(SignedNote.parse(note).text());
            if (checkpoint.treeSize() != largest) {
                throw new WitnessException("the store's " + file + " holds a checkpoint of size " + checkpoint.treeSize());
            }
            return Optional.of(new Held(checkpoint, note, file));
        } catch (IOException | IllegalArgumentException e) {
            throw new WitnessException("the store's " + file + " cannot be read as a checkpoint: " + e.getMessage());
        }
    }

    boolean hasToken(String node, long size) {
        return Files.exists(nodeDir(node).resolve(size + ".tsr"));
    }

    /** Keeps a checkpoint followed, and its token when there is one (never replacing a kept checkpoint). */
    Path keep(String node, long size, byte[] note, byte[] token) {
        Path file = nodeDir(node).resolve(size + ".checkpoint");
        if (!Files.exists(file)) {
            write(file, note);
        }
        if (token != null && !hasToken(node, size)) {
            write(nodeDir(node).resolve(size + ".tsr"), token);
        }
        return file;
    }

    /** Keeps a checkpoint that contradicts those held: the node's own signature on it is the evidence. */
    Path keepConflict(String node, long size, byte[] note, byte[] token) {
        String id = HexFormat.of().formatHex(sha256(note), 0, 8);
        Path file = nodeDir(node).resolve("conflict-" + size + "-" + id + ".checkpoint");
        if (!Files.exists(file)) {
            write(file, note);
        }
        if (token != null) {
            Path tsr = nodeDir(node).resolve("conflict-" + size + "-" + id + ".tsr");
            if (!Files.exists(tsr)) {
                write(tsr, token);
            }
        }
        return file;
    }

    private static void write(Path file, byte[] content) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".writing-", ".tmp");
            Files.write(tmp, content);
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                c.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new WitnessException("the store cannot write " + file + ": " + e);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            // the lock goes with the process anyway
        }
    }
}
