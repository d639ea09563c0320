package id.gerbang.gateway.trail;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import id.gerbang.gateway.anchor.MerkleTree;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trail in a relational store (PostgreSQL, or H2 in the standalone default), written with group
 * commit: request threads hand their entries to one writer thread and wait; the writer takes everything
 * waiting (up to {@code maxBatch}), chains it onto this node's chain, inserts it in one transaction and
 * commits, then releases the waiting threads. Under load one commit covers many calls; alone, a call
 * waits for one small commit.
 *
 * <p>Commits start at most once per {@code commitInterval}: a record that arrives sooner after the last
 * commit began waits out the rest of the interval, and so do the records arriving meanwhile, which then
 * share its commit. A commit's cost barely depends on how many records it holds (on H2 every commit
 * rewrites the changed pages of each B-tree and, later, drops the chunk it wrote), so evenly spread
 * calls, which would otherwise commit one record at a time, cost a fraction of it. A call alone, or the
 * first after a pause, is committed at once.
 *
 * <p>The chain's head (last sequence number and hash of this node) lives only in the writer thread and
 * moves on only after a commit; a failed batch leaves it where it was, so the chain never has a gap.
 *
 * <p>Every entry is first made storable ({@link StoredFields}: masked, bounded to its columns). Should the
 * store still refuse a record's content, its batch is stored again one record at a time, so that one
 * record cannot fail the others nor make the node refuse calls ({@code writeOneByOne}).
 *
 * <p>Each record is also a leaf of its node's Merkle tree (leaf {@code i} is record {@code nodeSeq = i + 1},
 * its input the record's 32-byte hash; docs/trail.md, "Anchoring"): the tree's new rows are inserted in
 * the records' transaction, one more batched statement per commit, so the tree always holds exactly the
 * node's chain. Reading the head checks that: a tree shorter than the chain (a trail written before
 * anchoring) is completed from the records first; a tree longer than the chain means records were
 * removed, and the trail refuses to write on such a chain.
 */
public final class JdbcAuditTrail implements AuditTrail, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JdbcAuditTrail.class);

    /** A stuck statement must not hold the writer for ever (the caller waits no longer than its commit timeout). */
    private static final int STATEMENT_TIMEOUT_SECONDS = 30;

    /**
     * An entry waiting for the writer. Its state decides, race-free, who wins when the caller gives up:
     * an entry still {@code QUEUED} or {@code TAKEN} (in a batch, not yet in a statement) is cancelled
     * and never written; one the writer is {@code WRITING} is waited for up to the commit timeout more,
     * so that a record rarely claims an answer that was refused; past it the caller is refused and the
     * entry {@code ABANDONED}: should its commit still end, the writer logs the record as committed after
     * its caller was refused ({@code COMMITTED} otherwise). {@code entry} holds the entry's values as
     * they are stored ({@link StoredFields#values}), indexed by {@link TrailField}.
     */
    private record Pending(Object[] entry, CompletableFuture<AuditRecord> done, AtomicInteger state, long handedAt,
            long[] releasedAt) {
        static final int QUEUED = 0;
        static final int TAKEN = 1;
        static final int WRITING = 2;
        static final int CANCELLED = 3;
        static final int COMMITTED = 4;
        static final int ABANDONED = 5;

        /** Completes the caller's wait with its stored record; logs a record its caller no longer waits for. */
        void committed(AuditRecord r) {
            releasedAt[0] = System.nanoTime(); // read by the caller after the future's completion
            if (!state.compareAndSet(WRITING, COMMITTED)) {
                log.error("The trail committed the record of {} ({} #{}) after its caller was refused with 503 "
                        + "AUDIT_UNAVAILABLE for the commit timeout: the record shows the answer the gateway meant "
                        + "to give, the caller was not given it", r.correlationId(), r.node(), r.nodeSeq());
            }
            done.complete(r);
        }
    }

    private final DataSource dataSource;
    private final String node;
    private final int maxBatch;
    private final Duration waitLimit;
    private final Duration commitTimeout;
    private final long commitIntervalNanos;
    private final BlockingQueue<Pending> queue;
    private final Thread writer;
    private final BatchObserver observer;
    private volatile boolean running = true;
    private volatile boolean lastWriteFailed;
    /** This node's lease on its name; while it is not held, nothing is written ({@link #writingUnder}). */
    private volatile NodeLease lease;

    // owned by the writer thread
    private long headSeq;
    private String headHash;
    private boolean headKnown;
    private JdbcMerkleNodeStore treeStore;
    private MerkleTree tree;

    /** The leaf input of a record purged before the trail was anchored: its hash is gone. */
    static final byte[] PURGED_LEAF = new byte[32];

    /** How many leaves a backfill appends per transaction. */
    static final int BACKFILL_CHUNK = 10_000;

    /**
     * Told of every batch stored: how many records it held and how long its insert and commit took; and of
     * every record that could not be stored (its caller is refused with 503 AUDIT_UNAVAILABLE).
     */
    @FunctionalInterface
    public interface BatchObserver {
        void stored(int records, long nanos);

        default void failed(int records) {
        }

        /**
         * Where the time of one batch stored went, phase by phase ({@link Phases}); called by the writer
         * after it released the batch's callers.
         */
        default void phases(Phases phases) {
        }

        /**
         * How long a caller took to run again once the writer released it: its thread's wake-up, called on
         * the caller's thread.
         */
        default void woke(long nanos) {
        }
    }

    /**
     * The phases of one batch stored, in nanoseconds, in the order the writer runs them. {@code queued} is
     * summed over the batch's records: each record's wait from its hand-over until the writer began its
     * batch (waiting for the writer to finish the batch before, and for the commit interval).
     *
     * @param records    records stored
     * @param queued     sum over the records of the time from hand-over to the start of the batch
     * @param connect    taking a connection from the pool
     * @param chain      chaining the records: each one's canonical form and hash
     * @param insert     the records' insert (one batched statement)
     * @param tree       the tree's leaves hashed and its new rows inserted
     * @param commit     the commit: on PostgreSQL, until its WAL is on disk
     * @param release    handing each waiting caller its record
     */
    public record Phases(int records, long queued, long connect, long chain, long insert, long tree, long commit, long release) {
    }

    /** A trail whose commit timeout is its wait limit, committing as soon as the writer is free. */
    public JdbcAuditTrail(DataSource dataSource, String node, int maxBatch, int queueCapacity, Duration waitLimit) {
        this(dataSource, node, maxBatch, queueCapacity, waitLimit, waitLimit, Duration.ZERO, (records, nanos) -> { });
    }

    /**
     * @param waitLimit      longest a caller waits for its record to be stored
     * @param commitTimeout  longest a caller whose record the writer is already storing when the wait limit
     *                       passes waits further for the end of that insert and commit
     * @param commitInterval least time between the starts of two commits ({@link Duration#ZERO}: commit
     *                       whatever is waiting as soon as the last commit ends)
     * @param observer       told of every batch stored
     */
    public JdbcAuditTrail(DataSource dataSource, String node, int maxBatch, int queueCapacity, Duration waitLimit,
            Duration commitTimeout, Duration commitInterval, BatchObserver observer) {
        if (node.length() > TrailField.NODE.maxLength()) {
            throw new IllegalArgumentException("a node name has at most " + TrailField.NODE.maxLength()
                    + " characters: " + node);
        }
        this.observer = observer;
        this.commitIntervalNanos = commitInterval.toNanos();
        this.dataSource = dataSource;
        this.node = node;
        this.maxBatch = maxBatch;
        this.waitLimit = waitLimit;
        this.commitTimeout = commitTimeout;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        readHeadAtStart();
        this.writer = new Thread(this::writeLoop, "gerbang-trail-writer");
        this.writer.setDaemon(false);
        this.writer.start();
    }

    /**
     * Reads the chain's head and checks (or completes) the tree before the node takes calls, so that a
     * long backfill happens during start-up. A store that cannot be reached now is read at the first write.
     */
    private void readHeadAtStart() {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            loadHead(c);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            headKnown = false;
            log.warn("The trail's head of node {} could not be read at start ({}); it is read at the first write", node, e.getMessage());
        }
    }

    @Override
    public AuditRecord record(TrailEntry entry) {
        Pending pending = new Pending(StoredFields.values(entry), new CompletableFuture<>(), new AtomicInteger(Pending.QUEUED),
                System.nanoTime(), new long[1]);
        long deadline = System.nanoTime() + waitLimit.toNanos();
        try {
            if (!running || !queue.offer(pending, waitLimit.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new TrailUnavailableException("the trail writer is " + (running ? "saturated" : "stopped"), null);
            }
            try {
                AuditRecord stored = pending.done().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                observer.woke(System.nanoTime() - pending.releasedAt()[0]);
                return stored;
            } catch (TimeoutException e) {
                if (pending.state().compareAndSet(Pending.QUEUED, Pending.CANCELLED)
                        || pending.state().compareAndSet(Pending.TAKEN, Pending.CANCELLED)) {
                    throw new TrailUnavailableException("the record was not stored within " + waitLimit.toMillis() + " ms", e);
                }
                // the writer has it in a transaction: its outcome decides the answer, if it comes in time
                return awaitCommit(pending);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrailUnavailableException("interrupted while the record was written", e);
        } catch (ExecutionException e) {
            throw new TrailUnavailableException("the record could not be stored: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * Waits up to the commit timeout for a record the writer is storing. Past it the caller is refused even
     * though the commit may still end: a commit cannot be withdrawn from outside, and a caller held without
     * limit by a database that stopped answering is worse (docs/trail.md, "Durability").
     */
    private AuditRecord awaitCommit(Pending pending) throws InterruptedException, ExecutionException {
        try {
            return pending.done().get(commitTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            if (pending.state().compareAndSet(Pending.WRITING, Pending.ABANDONED)) {
                throw new TrailUnavailableException("the record's commit did not end within "
                        + (waitLimit.toMillis() + commitTimeout.toMillis()) + " ms", e);
            }
            return pending.done().get(); // committed this instant: the writer is handing the record over
        }
    }

    @Override
    public boolean available() {
        NodeLease l = lease;
        return running && !lastWriteFailed && (l == null || l.held());
    }

    /**
     * Writes only while {@code lease} is held: a node whose name another node has taken (or whose lease it
     * could not renew in time) refuses every record, rather than write one chain from two nodes. The check
     * is in memory, once per commit.
     */
    public JdbcAuditTrail writingUnder(NodeLease lease) {
        this.lease = lease;
        return this;
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        long lastCommitStart = System.nanoTime() - commitIntervalNanos;
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                long left;
                while (batch.size() < maxBatch && running
                        && (left = lastCommitStart + commitIntervalNanos - System.nanoTime()) > 0) {
                    Pending next = queue.poll(left, TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                    queue.drainTo(batch, maxBatch - batch.size());
                }
                lastCommitStart = System.nanoTime();
                batch.removeIf(p -> !p.state().compareAndSet(Pending.QUEUED, Pending.TAKEN));
                if (!batch.isEmpty()) {
                    write(batch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Throwable e) {
                // whatever happens, the writer lives on: a dead writer would refuse every call until a restart
                log.error("The trail writer failed; it goes on with the next records", e);
                batch.forEach(p -> p.done().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
        for (Pending p; (p = queue.poll()) != null; ) {
            p.done().completeExceptionally(new IllegalStateException("the trail writer stopped"));
        }
    }

    private void write(List<Pending> batch) {
        NodeLease l = lease;
        // a lease that lapsed (renewals failed, the database was away) is renewed here before anything is
        // written; one another node took stays lost
        if (l != null && !l.held() && !l.renew()) {
            failed(batch, new TrailUnavailableException(l.why() + ": this node writes no record", null));
            return;
        }
        long begun = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            if (!headKnown) {
                loadHead(c);
            }
            batch.removeIf(p -> !p.state().compareAndSet(Pending.TAKEN, Pending.WRITING));
            if (batch.isEmpty()) {
                return;
            }
            long connected = System.nanoTime();
            List<AuditRecord> records = new ArrayList<>(batch.size());
            long seq = headSeq;
            String prev = headHash;
            for (Pending p : batch) {
                AuditRecord r = AuditRecord.chain(p.entry(), node, ++seq, prev);
                records.add(r);
                prev = r.hash();
            }
            long start = System.nanoTime();
            List<Long> ids;
            try {
                ids = insert(c, records);
            } catch (SQLException e) {
                if (!refusedByTheStore(e)) {
                    throw e;
                }
                c.rollback();
                log.warn("The trail's store refused a record of a batch of {}; its records are stored one by one: {}",
                        batch.size(), e.getMessage());
                writeOneByOne(c, batch);
                return;
            }
            long inserted = System.nanoTime();
            for (AuditRecord r : records) {
                tree.append(leafInput(r));
            }
            treeStore.insertPending(c);
            long treed = System.nanoTime();
            c.commit();
            long committed = System.nanoTime();
            treeStore.pendingCommitted();
            observer.stored(records.size(), committed - start);
            headSeq = seq;
            headHash = prev;
            lastWriteFailed = false;
            long queued = 0;
            for (int i = 0; i < batch.size(); i++) {
                Pending p = batch.get(i);
                queued += begun - p.handedAt();
                p.committed(records.get(i).withId(ids.get(i)));
            }
            observer.phases(new Phases(batch.size(), queued, connected - begun, start - connected, inserted - start,
                    treed - inserted, committed - treed, System.nanoTime() - committed));
        } catch (SQLException | RuntimeException | Error e) {
            failed(batch, e);
        }
    }

    private void failed(List<Pending> batch, Throwable e) {
        headKnown = false; // read the head again: the failure may have come after the commit
        tree = null; // and the tree with it: it may hold leaves the database does not
        treeStore = null;
        lastWriteFailed = true;
        log.error("The trail could not store {} record(s): {}", batch.size(), e.getMessage());
        observer.failed(batch.size());
        for (Pending p : batch) {
            p.done().completeExceptionally(e);
        }
    }

    /**
     * Stores a batch the store refused, one record at a time in one transaction, each behind a savepoint:
     * a record the store refuses again is rolled back alone and its caller told (it answers 503
     * AUDIT_UNAVAILABLE); every other record is chained onto the last one stored, so the chain has no gap,
     * and committed. One poisoned record thus costs its own call, not its batch nor the node's availability.
     */
    private void writeOneByOne(Connection c, List<Pending> batch) throws SQLException {
        long seq = headSeq;
        String prev = headHash;
        List<Pending> stored = new ArrayList<>(batch.size());
        List<AuditRecord> records = new ArrayList<>(batch.size());
        List<Pending> refused = new ArrayList<>();
        List<SQLException> reasons = new ArrayList<>();
        long start = System.nanoTime();
        for (Pending p : batch) {
            AuditRecord r = AuditRecord.chain(p.entry(), node, seq + 1, prev);
            Savepoint before = c.setSavepoint();
            try {
                records.add(r.withId(insert(c, List.of(r)).get(0)));
                tree.append(leafInput(r)); // only once the record's insert succeeded
                stored.add(p);
                seq++;
                prev = r.hash();
            } catch (SQLException e) {
                if (!refusedByTheStore(e)) {
                    throw e;
                }
                c.rollback(before);
                refused.add(p);
                reasons.add(e);
            }
        }
        treeStore.insertPending(c);
        c.commit();
        treeStore.pendingCommitted();
        if (!records.isEmpty()) {
            observer.stored(records.size(), System.nanoTime() - start);
        }
        headSeq = seq;
        headHash = prev;
        lastWriteFailed = false; // the store works: it refused these records, not every record
        for (int i = 0; i < stored.size(); i++) {
            stored.get(i).committed(records.get(i));
        }
        if (!refused.isEmpty()) {
            observer.failed(refused.size());
        }
        for (int i = 0; i < refused.size(); i++) {
            log.error("The trail's store refused the record of {}; its caller is refused: {}",
                    refused.get(i).entry()[TrailField.CORRELATION_ID.ordinal()], reasons.get(i).getMessage());
            refused.get(i).done().completeExceptionally(reasons.get(i));
        }
    }

    /**
     * Whether the store refused a record's content (SQLSTATE class 22, data exception: too long, a
     * character it cannot hold; class 23, a constraint) rather than failed: then the other records of its
     * batch can still be stored. A duplicate key (23505) means the chain's head is stale, not that a record
     * is bad: that is a failure, after which the head is read again.
     */
    static boolean refusedByTheStore(SQLException e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 8; depth++) { // a batch's errors are chained as next exceptions
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                if (state.startsWith("22") || state.startsWith("23") && !state.equals("23505")) {
                    return true;
                }
            }
            t = t instanceof SQLException s && s.getNextException() != null ? s.getNextException() : t.getCause();
        }
        return false;
    }

    /** The leaf input of a record: its 32-byte hash. */
    static byte[] leafInput(AuditRecord r) {
        return HexFormat.of().parseHex(r.hash());
    }

    /**
     * Reads the chain's head, then opens the node's tree and makes it hold exactly the chain: completed from
     * the records when it is shorter (a trail written before anchoring), refused when it is longer.
     */
    private void loadHead(Connection c) throws SQLException {
        headKnown = false;
        tree = null;
        treeStore = null;
        readChainHead(c);
        JdbcMerkleNodeStore store = JdbcMerkleNodeStore.open(dataSource, c, node);
        if (store.size() > headSeq) {
            String message = "the Merkle tree of node " + node + " has " + store.size() + " leaves but its chain only "
                    + headSeq + " records: records were removed from the trail's database. The trail refuses to write "
                    + "on this chain; verify the trail (docs/trail.md, \"Anchoring\") before anything else";
            log.error("\n******************************************************************************\n  {}"
                    + "\n******************************************************************************", message);
            throw new TrailUnavailableException(message, null);
        }
        MerkleTree t = new MerkleTree(store);
        if (t.size() < headSeq) {
            backfill(c, store, t);
        }
        treeStore = store;
        tree = t;
        headKnown = true;
    }

    /**
     * Appends the leaves of the records the tree lacks, {@link #BACKFILL_CHUNK} a transaction, logging the
     * progress: a trail written before anchoring gets its tree at its first start with anchoring.
     */
    private void backfill(Connection c, JdbcMerkleNodeStore store, MerkleTree t) throws SQLException {
        long from = t.size();
        log.info("The Merkle tree of node {} has {} leaves and its chain {} records: adding the missing {} leaves from the records",
                node, from, headSeq, headSeq - from);
        purgedPrefix(c, store, t);
        while (t.size() < headSeq) {
            long after = t.size();
            try (PreparedStatement s = c.prepareStatement("SELECT node_seq, hash FROM audit_record WHERE node = ? AND node_seq > ? "
                    + "ORDER BY node, node_seq LIMIT " + BACKFILL_CHUNK)) {
                s.setString(1, node);
                s.setLong(2, after);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next() && t.size() < headSeq) {
                        if (rs.getLong(1) != t.size() + 1) {
                            break;
                        }
                        t.append(HexFormat.of().parseHex(rs.getString(2)));
                    }
                }
            }
            if (t.size() == after || t.size() < headSeq && t.size() < after + BACKFILL_CHUNK) {
                c.rollback();
                throw new TrailUnavailableException("the Merkle tree of node " + node + " cannot be built: record "
                        + (t.size() + 1) + " is not in the trail's database (purged before anchoring, or removed)", null);
            }
            store.insertPending(c);
            c.commit();
            store.pendingCommitted();
            log.info("The Merkle tree of node {}: {} of {} leaves", node, t.size(), headSeq);
        }
    }

    /**
     * The leaves of records retention purged before the tree existed: their hashes are gone, so each gets
     * {@link #PURGED_LEAF} as its leaf input, except the last purged record, whose hash the retention
     * checkpoint kept. Without them a trail that had retention on could never be anchored. No proof is
     * ever asked for a purged record; the records kept are proved from the next leaf on (docs/trail.md,
     * "Anchoring").
     */
    private void purgedPrefix(Connection c, JdbcMerkleNodeStore store, MerkleTree t) throws SQLException {
        long throughSeq;
        String throughHash;
        try (PreparedStatement s = c.prepareStatement("SELECT through_seq, through_hash FROM trail_checkpoint WHERE node = ?")) {
            s.setString(1, node);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
                throughSeq = Math.min(rs.getLong(1), headSeq);
                throughHash = rs.getString(2);
            }
        }
        if (t.size() >= throughSeq) {
            return;
        }
        log.warn("Records {} to {} of node {} were purged before the trail was anchored: their leaves are placeholders "
                + "(32 zero bytes; the last one's is its hash, kept by the retention checkpoint), and proofs cover the "
                + "records from {} on", t.size() + 1, throughSeq, node, throughSeq + 1);
        while (t.size() < throughSeq) {
            long end = Math.min(throughSeq, t.size() + BACKFILL_CHUNK);
            while (t.size() < end) {
                t.append(t.size() + 1 == throughSeq ? HexFormat.of().parseHex(throughHash) : PURGED_LEAF);
            }
            store.insertPending(c);
            c.commit();
            store.pendingCommitted();
        }
    }

    private void readChainHead(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                // ordered as the (node, node_seq) index is, so H2 reads its last entry instead of sorting the chain
                "SELECT node_seq, hash FROM audit_record WHERE node = ? ORDER BY node DESC, node_seq DESC LIMIT 1")) {
            s.setString(1, node);
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    headSeq = rs.getLong(1);
                    headHash = rs.getString(2);
                    return;
                }
            }
        }
        // no record left: the chain goes on from the retention checkpoint, if every record was purged
        try (PreparedStatement s = c.prepareStatement("SELECT through_seq, through_hash FROM trail_checkpoint WHERE node = ?")) {
            s.setString(1, node);
            try (ResultSet rs = s.executeQuery()) {
                headSeq = rs.next() ? rs.getLong(1) : 0;
                headHash = headSeq > 0 ? rs.getString(2) : AuditRecord.GENESIS;
            }
        }
    }

    private static List<Long> insert(Connection c, List<AuditRecord> records) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(TrailField.INSERT, new String[] {"id"})) {
            s.setQueryTimeout(STATEMENT_TIMEOUT_SECONDS);
            for (AuditRecord r : records) {
                TrailField.bind(s, r);
                s.addBatch();
            }
            s.executeBatch();
            List<Long> ids = new ArrayList<>(records.size());
            try (ResultSet keys = s.getGeneratedKeys()) {
                while (keys.next()) {
                    ids.add(keys.getLong(1));
                }
            }
            while (ids.size() < records.size()) {
                ids.add(null);
            }
            return ids;
        }
    }

    /** Stops taking entries, writes those already waiting, and returns when the writer has finished. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        writer.join(30_000);
    }

}
