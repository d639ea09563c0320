package id.gerbang.gateway.trail;

import id.gerbang.gateway.anchor.Checkpoint;
import id.gerbang.gateway.anchor.NoteSigner;
import id.gerbang.gateway.anchor.NoteVerificationException;
import id.gerbang.gateway.anchor.SignedNote;
import id.gerbang.gateway.anchor.TimestampClient;
import id.gerbang.gateway.anchor.TimestampException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * Signs this node's checkpoints and has them timestamped (docs/trail.md, "Anchoring").
 *
 * <ul>
 * <li>At start ({@link #start}): publishes the node's verifier key, and checks the database's tree against
 * the checkpoint this node signed last, kept in a file beside its signing key: a tree that no longer holds
 * it (fewer leaves, another root at its size) stops the start, naming both.</li>
 * <li>Every {@code gerbang.trail.checkpoint-interval} ({@link #checkpoint}): when the tree grew since the
 * last checkpoint (and only then), signs a checkpoint of it, writes it to the file (whole, then moved into
 * place) and to the database; a key waiting in {@code <key file>.next} is introduced by a checkpoint
 * signed with both keys, then replaces the old one. Then every checkpoint not yet timestamped is sent to
 * the TSA, oldest first.</li>
 * <li>The failure rule: once a checkpoint has waited for its timestamp longer than
 * {@code gerbang.trail.tsa.max-failure-period}, the node refuses calls with 503 AUDIT_UNAVAILABLE
 * ({@link TrailGate}) until every checkpoint is stamped again.</li>
 * </ul>
 */
public final class TrailAnchoring implements SchedulingConfigurer, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TrailAnchoring.class);
    /** Checkpoints stamped per round at most: after an outage the backlog goes in rounds. */
    static final int STAMPS_PER_ROUND = 100;

    private final TrailKeys keys;
    private final TrailCheckpoints checkpoints;
    private final TrailProofs proofs;
    private final String origin;
    private final Duration interval;
    private final Function<byte[], TimestampClient.Timestamp> tsa;
    private final Duration maxFailurePeriod;
    private final Clock clock;
    private final TrailGate gate;
    private final AutoCloseable onClose;
    private final Counter signed;
    private final Counter stampFailures;
    private final AtomicLong lastSize = new AtomicLong(-1);
    private final AtomicLong waiting = new AtomicLong();

    private Checkpoint last; // the last checkpoint this node signed (the file's)

    /**
     * @param tsa              stamps the bytes given (SHA-256 of them), as {@link TimestampClient#timestamp}
     * @param maxFailurePeriod how long a checkpoint may wait for its timestamp before calls are refused
     * @param onClose          closed with this service (the demo TSA), or null
     */
    public TrailAnchoring(TrailKeys keys, TrailCheckpoints checkpoints, TrailProofs proofs, String origin, Duration interval,
            Function<byte[], TimestampClient.Timestamp> tsa, Duration maxFailurePeriod, Clock clock, TrailGate gate,
            MeterRegistry meters, AutoCloseable onClose) {
        this.keys = keys;
        this.checkpoints = checkpoints;
        this.proofs = proofs;
        this.origin = origin;
        this.interval = interval;
        this.tsa = tsa;
        this.maxFailurePeriod = maxFailurePeriod;
        this.clock = clock;
        this.gate = gate;
        this.onClose = onClose;
        this.signed = Counter.builder("gerbang.trail.checkpoints").description("checkpoints this node signed").register(meters);
        this.stampFailures = Counter.builder("gerbang.trail.timestamp.failures")
                .description("timestamp requests that failed after their retries").register(meters);
        Gauge.builder("gerbang.trail.checkpoint.size", lastSize, AtomicLong::get)
                .description("tree size of the last checkpoint this node signed (-1: none yet)").register(meters);
        Gauge.builder("gerbang.trail.timestamp.waiting", waiting, AtomicLong::get)
                .description("checkpoints of this node waiting for their timestamp").register(meters);
        Gauge.builder("gerbang.trail.timestamp.overdue", gate, g -> g.refusal() == null ? 0 : 1)
                .description("1 while calls are refused because a checkpoint waited past the max failure period").register(meters);
    }

    /** Every checkpoint interval, the first one interval after start. */
    @Override
    public void configureTasks(ScheduledTaskRegistrar tasks) {
        tasks.addFixedDelayTask(new FixedDelayTask(this::scheduled, interval, interval));
    }

    void scheduled() {
        try {
            checkpoint();
        } catch (RuntimeException | SQLException e) {
            log.error("Trail checkpoint of {} failed; tried again in {}: {}", keys.node(), interval, e.getMessage());
        }
    }

    /**
     * Publishes this node's verifier key and checks the database's tree against the checkpoint file.
     *
     * @throws IllegalStateException when the tree does not hold the checkpoint this node signed last, or the
     *     file is not this node's
     */
    public synchronized void start() throws SQLException {
        checkpoints.publishKey(keys.node(), keys.verifier().verifierKey(), clock.instant());
        Path file = keys.checkpointFile();
        if (!Files.exists(file)) {
            if (checkpoints.latest(keys.node()).isPresent()) {
                log.warn("The trail's database holds checkpoints of {} but there is no checkpoint file {}: the database's tree "
                        + "cannot be checked against what this node signed before (a new data directory?)", keys.node(), file);
            }
            return;
        }
        Checkpoint kept = readFile(file);
        String problem = inconsistency(kept);
        if (problem != null) {
            throw new IllegalStateException("the trail's database is not consistent with the checkpoint this node signed last, "
                    + "kept in " + file + ": " + problem + ". The node does not start on a trail that was cut or rewritten; "
                    + "verify the trail against its checkpoints (docs/trail.md, \"Anchoring\")");
        }
        last = kept;
        lastSize.set(kept.treeSize());
        log.info("The trail's tree of {} holds the checkpoint kept in {} (size {})", keys.node(), file, kept.treeSize());
    }

    private Checkpoint readFile(Path file) {
        SignedNote note;
        try {
            note = SignedNote.parse(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the checkpoint file " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the checkpoint file " + file + " is not a signed note: " + e.getMessage(), e);
        }
        Checkpoint kept;
        try {
            kept = Checkpoint.verified(note, keys.ownVerifiers(true));
        } catch (NoteVerificationException | IllegalArgumentException e) {
            throw new IllegalStateException("the checkpoint file " + file + " is not signed by this node's key "
                    + keys.verifier().verifierKey() + " (a key replaced without rotating, or the file altered): " + e.getMessage(), e);
        }
        if (!kept.origin().equals(keys.keyName())) {
            throw new IllegalStateException("the checkpoint file " + file + " is of " + kept.origin() + ", not of " + keys.keyName());
        }
        return kept;
    }

    /** Why the database's tree does not hold {@code kept}; null when it does. */
    private String inconsistency(Checkpoint kept) throws SQLException {
        long size = proofs.treeSize(keys.node());
        if (size < kept.treeSize()) {
            return "its tree of " + keys.node() + " has " + size + " leaves, the checkpoint covers " + kept.treeSize()
                    + " (records were removed, or the database restored from an older copy)";
        }
        byte[] root = proofs.rootHash(keys.node(), kept.treeSize());
        if (!Arrays.equals(root, kept.rootHash())) {
            return "its tree of " + keys.node() + " at size " + kept.treeSize() + " has another root than the checkpoint "
                    + "(records up to " + kept.treeSize() + " were rewritten)";
        }
        return null;
    }

    /**
     * One round: signs a checkpoint when the tree grew (or a rotation waits), then stamps what waits.
     *
     * @return the checkpoint signed in this round, if any
     */
    public synchronized Optional<SignedNote> checkpoint() throws SQLException {
        Optional<SignedNote> made = sign();
        stamp();
        return made;
    }

    private Optional<SignedNote> sign() throws SQLException {
        String node = keys.node();
        NoteSigner next = keys.nextSigner();
        long size = proofs.treeSize(node);
        boolean grew = last == null ? size > 0 : size != last.treeSize();
        if (!grew && next == null) {
            return Optional.empty();
        }
        if (last != null) {
            String problem = inconsistency(last);
            if (problem != null) {
                log.error("\n******************************************************************************\n"
                        + "  Trail checkpoints of {} are NOT signed: the database is not consistent with the last one: {}"
                        + "\n******************************************************************************", node, problem);
                return Optional.empty();
            }
        }
        byte[] root = proofs.rootHash(node, size);
        Checkpoint checkpoint = Checkpoint.of(origin, node, size, root, clock.instant());
        SignedNote note = next == null ? checkpoint.sign(keys.signer()) : checkpoint.sign(keys.signer(), next);
        String served = note.toString();
        writeAtomically(keys.checkpointFile(), served.getBytes(StandardCharsets.UTF_8));
        last = checkpoint;
        lastSize.set(size);
        checkpoints.insert(node, size, root, checkpoint.time(), served);
        signed.increment();
        if (next != null) {
            checkpoints.publishKey(node, next.verifier().verifierKey(), checkpoint.time());
            keys.rotateTo(next);
        }
        log.debug("Trail checkpoint of {} signed at size {}", node, size);
        return Optional.of(note);
    }

    /** Stamps the checkpoints that wait, oldest first; then applies the failure rule. */
    private void stamp() throws SQLException {
        List<StoredCheckpoint> unstamped = checkpoints.unstamped(keys.node(), STAMPS_PER_ROUND);
        int stamped = 0;
        for (StoredCheckpoint c : unstamped) {
            TimestampClient.Timestamp t;
            try {
                t = tsa.apply(c.note().getBytes(StandardCharsets.UTF_8));
            } catch (TimestampException e) {
                stampFailures.increment();
                log.warn("Trail checkpoint {} of {} (size {}) not timestamped; tried again in {}: {}", c.id(), c.node(),
                        c.treeSize(), interval, e.getMessage());
                break;
            }
            checkpoints.stamp(c.id(), t.token(), t.time());
            stamped++;
        }
        List<StoredCheckpoint> left = stamped == unstamped.size() && unstamped.size() < STAMPS_PER_ROUND ? List.of()
                : checkpoints.unstamped(keys.node(), 1); // nothing waits when a round stamped all there was
        waiting.set(left.isEmpty() ? 0 : Math.max(1, unstamped.size() - stamped));
        Instant now = clock.instant();
        if (!left.isEmpty() && Duration.between(left.get(0).time(), now).compareTo(maxFailurePeriod) > 0) {
            String reason = "checkpoint " + left.get(0).treeSize() + " of " + keys.node() + ", signed at " + left.get(0).time()
                    + ", has had no timestamp for longer than gerbang.trail.tsa.max-failure-period (" + maxFailurePeriod + ")";
            if (gate.refusal() == null) {
                log.error("\n******************************************************************************\n"
                        + "  Calls are refused (503 AUDIT_UNAVAILABLE): {}\n"
                        + "******************************************************************************", reason);
            }
            gate.refuse(reason);
        } else if (gate.refusal() != null && left.isEmpty()) {
            log.warn("Every trail checkpoint of {} is timestamped again: calls are taken again", keys.node());
            gate.accept();
        }
    }

    /** The last checkpoint this node signed (the checkpoint file's), if any. */
    public synchronized Optional<Checkpoint> last() {
        return Optional.ofNullable(last);
    }

    /**
     * Writes a file whole beside it, then moves it into place in one step: a reader (or a crash) sees the old
     * content or the new, never part of it.
     */
    static void writeAtomically(Path file, byte[] content) {
        Path dir = file.toAbsolutePath().getParent();
        Path partial = null;
        try {
            Files.createDirectories(dir);
            partial = Files.createTempFile(dir, file.getFileName() + ".new-", ".tmp");
            try (OutputStream out = Files.newOutputStream(partial, StandardOpenOption.WRITE, StandardOpenOption.SYNC)) {
                out.write(content);
            }
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            partial = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            if (partial != null) {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException ignored) {
                    // never read
                }
            }
        }
    }

    @Override
    public void close() throws Exception {
        if (onClose != null) {
            onClose.close();
        }
    }
}
