package id.gerbang.gateway.trail;

import id.gerbang.gateway.anchor.MerkleTree;

import id.gerbang.gateway.anchor.InMemoryMerkleNodeStore;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The trail's store, the same body on every database: H2 ({@link JdbcAuditTrailH2Test}) and real PostgreSQL
 * ({@link JdbcAuditTrailPostgresTest}). Each test gets a fresh database with the schema Flyway applies in
 * production. Assertions are about correctness only: ids, chains, gaps, what is stored; never about time.
 */
abstract class JdbcAuditTrailTest {

    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(3);
    /** Only so that a hanging call fails the test instead of the build: not a performance bound. */
    static final Duration HANG_GUARD = Duration.ofSeconds(60);

    /** The fresh database of one test: a pool over it, and how to drop it afterwards. */
    interface Database extends AutoCloseable {
        HikariDataSource pool();

        @Override
        void close() throws Exception;
    }

    /** A new, empty database for one test. */
    abstract Database newDatabase() throws Exception;

    /** Makes the store unavailable the way this database can be: stopped, or refusing connections. */
    abstract void storeDown(Switch store) throws Exception;

    /** Undoes {@link #storeDown}. */
    abstract void storeUp(Switch store) throws Exception;

    /** Commits that do not return until {@link #close}, as on a database stuck in its commit. */
    interface HungCommits extends AutoCloseable {
        /** Whether a commit is hanging now. */
        boolean hanging() throws Exception;

        /** Lets the hanging commits end. */
        @Override
        void close() throws Exception;
    }

    /** Makes every commit from now on hang the way this database can, until the result is closed. */
    abstract HungCommits hangCommits(Switch store) throws Exception;

    static HikariDataSource pool(String url, String user, String password) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        c.setUsername(user);
        c.setPassword(password);
        c.setMaximumPoolSize(4);
        c.setConnectionTimeout(2_000); // so that a stopped database fails a batch within WRITE_TIMEOUT
        c.setValidationTimeout(1_000);
        return new HikariDataSource(c);
    }

    private Database db;
    protected Switch store;
    private final List<JdbcAuditTrail> trails = new ArrayList<>();

    @BeforeEach
    void freshDatabase() throws Exception {
        db = newDatabase();
        Flyway.configure().dataSource(db.pool()).locations("classpath:db/migration").load().migrate();
        store = new Switch(db.pool());
    }

    @AfterEach
    void dropDatabase() throws Exception {
        if (reader != null) {
            reader.close();
            reader = null;
        }
        store.gate = null;
        store.down = false;
        for (JdbcAuditTrail t : trails) {
            t.close();
        }
        db.close();
    }

    JdbcAuditTrail trail(String node) {
        return trail(node, WRITE_TIMEOUT);
    }

    JdbcAuditTrail trail(String node, Duration writeTimeout) {
        return trail(node, writeTimeout, writeTimeout);
    }

    JdbcAuditTrail trail(String node, Duration writeTimeout, Duration commitTimeout) {
        JdbcAuditTrail t = new JdbcAuditTrail(store, node, 512, 10_000, writeTimeout, commitTimeout, Duration.ZERO,
                (records, nanos) -> { });
        trails.add(t);
        return t;
    }

    // ------------------------------------------------------------------------------------------- the chain

    @Test
    void recordsComeBackWithIdsInOneChainAndAreStoredAsReturned() {
        JdbcAuditTrail trail = trail("pelalawan-1");
        List<TrailEntry> entries = List.of(served("c-1"), refused("c-2"), routeChange("c-3"), served("c-4"), refused("c-5"));

        List<AuditRecord> returned = entries.stream().map(trail::record).toList();

        assertThat(returned).extracting(AuditRecord::id).doesNotContainNull().isSorted().doesNotHaveDuplicates();
        assertThat(returned).extracting(AuditRecord::nodeSeq).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(returned).extracting(AuditRecord::node).containsOnly("pelalawan-1");
        assertThat(returned.get(0).prevHash()).isEqualTo(AuditRecord.GENESIS);
        for (int i = 1; i < returned.size(); i++) {
            assertThat(returned.get(i).prevHash()).as("prevHash of record %d", i + 1).isEqualTo(returned.get(i - 1).hash());
        }
        for (AuditRecord r : returned) {
            assertThat(r.hash()).as("hash of %s", r.correlationId()).isEqualTo(RecordHash.of(r)).hasSize(64);
        }
        for (int i = 0; i < entries.size(); i++) {
            assertThat(returned.get(i)).as("record %d against its entry", i + 1)
                    .isEqualTo(AuditRecord.chain(entries.get(i), "pelalawan-1", i + 1, returned.get(i).prevHash())
                            .withId(returned.get(i).id()));
        }

        List<AuditRecord> stored = rows();
        assertThat(stored).as("rows read back, field for field").containsExactlyElementsOf(returned);
        assertThat(stored).allSatisfy(r -> assertThat(RecordHash.of(r)).as("hash recomputed from the row").isEqualTo(r.hash()));
        assertValid(stored, 5);
    }

    @Test
    void manyConcurrentWritersMakeOneGaplessChainInGroupedCommits() throws Exception {
        int threads = 16;
        int perThread = 500;
        int total = threads * perThread;
        JdbcAuditTrail trail = trail("pelalawan-1");

        List<AuditRecord> returned = hammer(trail, "w", threads, perThread);

        assertThat(returned).hasSize(total);
        assertThat(returned).extracting(AuditRecord::id).doesNotContainNull().doesNotHaveDuplicates();
        assertThat(returned.stream().map(AuditRecord::nodeSeq).collect(Collectors.toSet()))
                .as("sequence numbers handed out").isEqualTo(seq(1, total));
        List<AuditRecord> stored = rows();
        assertThat(stored).hasSize(total);
        assertThat(stored).extracting(AuditRecord::nodeSeq).as("sequence numbers in id order")
                .containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
        Map<Long, AuditRecord> byId = stored.stream().collect(Collectors.toMap(AuditRecord::id, r -> r));
        assertThat(returned).allSatisfy(r -> assertThat(byId.get(r.id())).isEqualTo(r));
        assertValid(stored, total);

        int commits = store.commits.get();
        System.out.printf("%s: %d records in %d commits (%.1f per commit)%n", getClass().getSimpleName(), total, commits,
                total / (double) commits);
        assertThat(commits).as("commits for %d records written by %d threads at once: grouped", total, threads)
                .isLessThan(total);
    }

    @Test
    void recordsArrivingWithinTheCommitIntervalShareOneCommit() throws Exception {
        List<Integer> batches = java.util.Collections.synchronizedList(new ArrayList<>());
        JdbcAuditTrail trail = new JdbcAuditTrail(store, "pelalawan-1", 512, 10_000, Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofSeconds(3), (records, nanos) -> batches.add(records));
        trails.add(trail);

        trail.record(served("i-0")); // the first record is committed at once, alone
        assertThat(batches).containsExactly(1);

        int callers = 10;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<AuditRecord>> calls = new ArrayList<>();
            for (int i = 1; i <= callers; i++) {
                String id = "i-" + i;
                calls.add(pool.submit(() -> trail.record(served(id))));
            }
            for (Future<AuditRecord> call : calls) {
                assertThat(call.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS).id()).isNotNull();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(batches).as("records handed over within 3 s of the last commit's start wait for one commit")
                .containsExactly(1, callers);
        assertValid(rows(), callers + 1);
    }

    @Test
    void twoNodesWritingAtOnceMakeTwoValidChains() throws Exception {
        JdbcAuditTrail a = trail("pelalawan-1");
        JdbcAuditTrail b = trail("pelalawan-2");
        ExecutorService both = Executors.newFixedThreadPool(2);
        try {
            Future<List<AuditRecord>> fa = both.submit(() -> hammer(a, "a", 8, 250));
            Future<List<AuditRecord>> fb = both.submit(() -> hammer(b, "b", 8, 250));
            assertThat(fa.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS)).hasSize(2000);
            assertThat(fb.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS)).hasSize(2000);
        } finally {
            both.shutdownNow();
        }

        List<AuditRecord> stored = rows();
        assertThat(stored).hasSize(4000);
        for (String node : List.of("pelalawan-1", "pelalawan-2")) {
            assertThat(stored.stream().filter(r -> r.node().equals(node)).map(AuditRecord::nodeSeq).toList())
                    .as("sequence numbers of %s in id order", node)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 2000).boxed().toList());
        }
        assertValid(stored, 4000);
        assertThat(stored.stream().map(AuditRecord::node).distinct().count()).isEqualTo(2);
    }

    @Test
    void aRestartedNodeContinuesItsChain() throws Exception {
        JdbcAuditTrail first = trail("pelalawan-1");
        List<AuditRecord> before = List.of(first.record(served("r-1")), first.record(served("r-2")), first.record(refused("r-3")));
        first.close();

        JdbcAuditTrail second = trail("pelalawan-1");
        AuditRecord next = second.record(served("r-4"));
        AuditRecord after = second.record(served("r-5"));

        assertThat(next.nodeSeq()).isEqualTo(4);
        assertThat(next.prevHash()).isEqualTo(before.get(2).hash());
        assertThat(after.nodeSeq()).isEqualTo(5);
        assertThat(after.prevHash()).isEqualTo(next.hash());
        assertValid(rows(), 5);
    }

    @Test
    void aNewNodeStartsItsOwnChainBesideAnother() {
        JdbcAuditTrail one = trail("pelalawan-1");
        one.record(served("n-1"));
        one.record(served("n-2"));
        AuditRecord other = trail("pelalawan-2").record(served("n-3"));
        assertThat(other.nodeSeq()).isEqualTo(1);
        assertThat(other.prevHash()).isEqualTo(AuditRecord.GENESIS);
        assertValid(rows(), 3);
    }

    // ------------------------------------------------------------------------------------------- failures

    @Test
    void unavailableStoreRefusesTheRecordAndTheChainContinuesWithoutAGapAfterwards() throws Exception {
        JdbcAuditTrail trail = trail("pelalawan-1");
        List<AuditRecord> stored = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            stored.add(trail.record(served("u-" + i)));
        }

        storeDown(store);
        try {
            long started = System.nanoTime();
            assertTimeoutPreemptively(HANG_GUARD, () -> assertThatThrownBy(() -> trail.record(served("u-down")))
                    .isInstanceOf(TrailUnavailableException.class));
            System.out.printf("%s: refused after %d ms (write timeout %d ms)%n", getClass().getSimpleName(),
                    (System.nanoTime() - started) / 1_000_000, WRITE_TIMEOUT.toMillis());
        } finally {
            storeUp(store);
        }

        // the writer may still be waiting for a connection: wait (bounded) until the store takes records again
        AuditRecord back = recordOnceAvailable(trail, "u-back");
        stored.add(back);
        stored.add(trail.record(served("u-after")));

        List<AuditRecord> rows = rows();
        assertThat(rows).extracting(AuditRecord::nodeSeq).as("sequence numbers in id order")
                .containsExactlyElementsOf(LongStream.rangeClosed(1, rows.size()).boxed().toList());
        assertThat(rows).as("every record that was confirmed is stored").containsAll(stored);
        assertValid(rows, rows.size());
        // a record refused to its caller may still be committed afterwards (the writer cannot withdraw it): never lost
        assertThat(rows.size()).isBetween(stored.size(), stored.size() + 1 + attemptsWhileRecovering);
    }

    @Test
    void storeThatHangsRefusesTheRecordAfterTheWriteTimeoutAndTheChainGoesOn() throws Exception {
        JdbcAuditTrail trail = trail("pelalawan-1");
        trail.record(served("h-1"));
        CountDownLatch gate = new CountDownLatch(1);
        store.gate = gate; // the writer's next connection hangs, as on a database that stopped answering
        try {
            long started = System.nanoTime();
            assertTimeoutPreemptively(HANG_GUARD, () -> assertThatThrownBy(() -> trail.record(served("h-2")))
                    .isInstanceOf(TrailUnavailableException.class));
            System.out.printf("%s: hanging store refused after %d ms (write timeout %d ms)%n", getClass().getSimpleName(),
                    (System.nanoTime() - started) / 1_000_000, WRITE_TIMEOUT.toMillis());
        } finally {
            store.gate = null;
            gate.countDown();
        }
        AuditRecord after = recordOnceAvailable(trail, "h-3");

        List<AuditRecord> rows = rows();
        assertThat(rows).contains(after);
        assertThat(rows).extracting(AuditRecord::nodeSeq)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, rows.size()).boxed().toList());
        assertValid(rows, rows.size());
    }

    /**
     * A commit that does not return (a database stuck in its commit: statements time out, commits do not)
     * must not hold its caller for ever: after the write timeout and then the commit timeout the caller is
     * refused, 503 AUDIT_UNAVAILABLE. The commit, once it ends, stands (docs/trail.md): the record is then
     * on the trail, its chain whole.
     */
    @Test
    void aCommitThatHangsRefusesItsCallerAfterTheCommitTimeout() throws Exception {
        JdbcAuditTrail trail = trail("pelalawan-1", Duration.ofMillis(300), Duration.ofMillis(300));
        trail.record(served("k-1"));
        HungCommits hung = hangCommits(store);
        try {
            ExecutorService caller = Executors.newSingleThreadExecutor();
            try {
                Future<AuditRecord> k2 = caller.submit(() -> trail.record(served("k-2")));
                org.awaitility.Awaitility.await().atMost(HANG_GUARD).until(hung::hanging);
                assertTimeoutPreemptively(HANG_GUARD, () -> assertThatThrownBy(k2::get)
                        .hasCauseInstanceOf(TrailUnavailableException.class)
                        .hasMessageContaining("commit did not end"));
            } finally {
                caller.shutdownNow();
            }
        } finally {
            hung.close();
        }
        AuditRecord after = trail.record(served("k-3"));

        List<AuditRecord> rows = rows();
        assertThat(rows).extracting(AuditRecord::correlationId).as("k-2 committed after its caller was refused")
                .containsExactly("k-1", "k-2", "k-3");
        assertThat(after.prevHash()).isEqualTo(rows.get(1).hash());
        assertValid(rows, 3);
    }

    /**
     * The guarantee itself, with a slow commit injected (a database whose WAL flush takes long): no caller
     * gets its record, and so no answer is written, before the commit that holds the record has returned.
     * First one commit held: every caller waits, and no other connection sees any of their records; released,
     * each caller, as soon as it has its record, finds it and its tree leaf committed. Then every commit made
     * slow while 16 callers write at once, so that records keep arriving during commits: the same check on
     * each of them.
     */
    @Test
    void noCallerGetsItsRecordBeforeTheCommitHoldingItHasReturned() throws Exception {
        JdbcAuditTrail trail = trail("pelalawan-1", Duration.ofSeconds(30));
        trail.record(served("s-0"));
        int callers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        Set<Thread> callerThreads = ConcurrentHashMap.newKeySet();
        CountDownLatch held = new CountDownLatch(1);
        store.commitGate = held;
        try {
            List<Future<Boolean>> calls = new ArrayList<>();
            for (int i = 1; i <= callers; i++) {
                String id = "s-" + i;
                calls.add(pool.submit(() -> {
                    callerThreads.add(Thread.currentThread());
                    return committedWhenReturned(trail.record(served(id)));
                }));
            }
            // every caller waits for its record (or, were the guarantee broken, one already has it)
            awaitState(() -> store.commitsHanging.get() > 0 && (calls.stream().anyMatch(Future::isDone)
                    || callerThreads.size() == callers && callerThreads.stream().allMatch(
                            t -> inFrame(t, f -> f.getClassName().equals(java.util.concurrent.CompletableFuture.class.getName())))));
            assertThat(calls).as("callers answered while the commit is held").noneMatch(Future::isDone);
            assertThat(rows()).as("records another connection sees while the commit is held")
                    .extracting(AuditRecord::correlationId).containsExactly("s-0");

            store.commitGate = null;
            held.countDown();
            for (Future<Boolean> call : calls) {
                assertThat(call.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                        .as("the record and its leaf were committed when its caller got it").isTrue();
            }

            store.commitDelay = Duration.ofMillis(20);
            List<Future<Boolean>> busy = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                busy.add(pool.submit(() -> {
                    boolean all = true;
                    for (int i = 0; i < 10; i++) {
                        all &= committedWhenReturned(trail.record(served("slow-" + thread + "-" + i)));
                    }
                    return all;
                }));
            }
            for (Future<Boolean> call : busy) {
                assertThat(call.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                        .as("each record and its leaf were committed when its caller got it, with every commit slow").isTrue();
            }
        } finally {
            store.commitDelay = null;
            store.commitGate = null;
            held.countDown();
            pool.shutdownNow();
        }
        List<AuditRecord> rows = rows();
        assertValid(rows, 1 + callers + 160);
        assertTreesMatchChains(rows);
    }

    /** The connection {@link #committedWhenReturned} reads on: not the writer's, so it sees only what was committed. */
    private Connection reader;

    /** Whether a record and its tree leaf are committed: read at once, on a connection of its own. */
    private synchronized boolean committedWhenReturned(AuditRecord r) throws SQLException {
        if (reader == null) {
            reader = db.pool().getConnection();
        }
        Connection c = reader;
        try (java.sql.PreparedStatement record = c.prepareStatement(
                        "SELECT hash FROM audit_record WHERE node = ? AND node_seq = ?");
                java.sql.PreparedStatement leaf = c.prepareStatement(
                        "SELECT hash FROM trail_tree_node WHERE node = ? AND level = 0 AND idx = ?")) {
            record.setString(1, r.node());
            record.setLong(2, r.nodeSeq());
            leaf.setString(1, r.node());
            leaf.setLong(2, r.nodeSeq() - 1);
            try (ResultSet rs = record.executeQuery(); ResultSet lr = leaf.executeQuery()) {
                return rs.next() && rs.getString(1).equals(r.hash()) && lr.next()
                        && Arrays.equals(lr.getBytes(1), MerkleTree.leafHash(JdbcAuditTrail.leafInput(r)));
            }
        }
    }

    @Test
    void failureAfterTheCommitKeepsTheChainWhole() throws Exception {
        JdbcAuditTrail trail = trail("pelalawan-1");
        trail.record(served("f-1"));
        store.failAfterNextCommit.set(true);

        assertThatThrownBy(() -> trail.record(served("f-2"))).isInstanceOf(TrailUnavailableException.class);
        AuditRecord after = trail.record(served("f-3"));

        List<AuditRecord> rows = rows();
        assertThat(rows).extracting(AuditRecord::correlationId).as("f-2 was committed although its caller heard otherwise")
                .containsExactly("f-1", "f-2", "f-3");
        assertThat(after.nodeSeq()).isEqualTo(3);
        assertThat(after.prevHash()).isEqualTo(rows.get(1).hash());
        assertValid(rows, 3);
    }

    /**
     * An {@link Error} from the driver or the JVM (pgjdbc throws an AssertionError under -ea when the server goes
     * away in the middle of a batch) must not end the writer thread: a dead writer refuses every call until the
     * node is restarted. (Found by this suite against ce5e6f4, where the writer caught SQLException and
     * RuntimeException only.)
     */
    @Test
    void writerSurvivesAnErrorThrownByTheDriver() throws Exception {
        JdbcAuditTrail trail = trail("pelalawan-1", Duration.ofSeconds(2));
        trail.record(served("e-1"));
        store.errorOnNextCommit.set(true);

        assertThatThrownBy(() -> trail.record(served("e-2"))).isInstanceOf(TrailUnavailableException.class);
        AuditRecord after = assertTimeoutPreemptively(HANG_GUARD, () -> recordOnceAvailable(trail, "e-3"));

        assertThat(after.nodeSeq()).as("the chain continues after e-1").isEqualTo(2);
        assertValid(rows(), 2);
    }

    @Test
    void closeDrainsTheRecordsAlreadyHandedOver() throws Exception {
        JdbcAuditTrail trail = trail("pelalawan-1", Duration.ofSeconds(30));
        trail.record(served("d-0"));
        CountDownLatch gate = new CountDownLatch(1);
        store.gate = gate; // the writer blocks on its next connection

        int waiting = 20;
        ExecutorService callers = Executors.newFixedThreadPool(waiting);
        Set<Thread> callerThreads = ConcurrentHashMap.newKeySet();
        List<Future<AuditRecord>> handedOver = new ArrayList<>();
        try {
            for (int i = 1; i <= waiting; i++) {
                String id = "d-" + i;
                handedOver.add(callers.submit(() -> {
                    callerThreads.add(Thread.currentThread());
                    return trail.record(served(id));
                }));
            }
            // every caller has handed its entry over and waits for the commit
            awaitState(() -> callerThreads.size() == waiting
                    && callerThreads.stream().allMatch(t -> inFrame(t, f -> f.getClassName().equals(java.util.concurrent.CompletableFuture.class.getName()))));

            Thread closer = new Thread(() -> {
                try {
                    trail.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "closer");
            closer.start();
            awaitState(() -> inFrame(closer, f -> f.getClassName().equals(Thread.class.getName()) && f.getMethodName().equals("join")));
            store.gate = null;
            gate.countDown();
            closer.join(HANG_GUARD.toMillis());
            assertThat(closer.isAlive()).as("close() returned").isFalse();

            List<AuditRecord> confirmed = new ArrayList<>();
            for (Future<AuditRecord> f : handedOver) {
                confirmed.add(f.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS)); // throws if a record was refused
            }
            assertThat(rows()).containsAll(confirmed).hasSize(waiting + 1);
            assertValid(rows(), waiting + 1);
        } finally {
            gate.countDown();
            callers.shutdownNow();
        }
        assertThatThrownBy(() -> trail.record(served("d-late"))).as("a closed trail takes nothing more")
                .isInstanceOf(TrailUnavailableException.class);
    }

    // ------------------------------------------------------------------------------------------- poisoned records

    /**
     * A method longer than its column and a path longer than its column (an attacker's request, refused but
     * recorded) are stored cut to their columns, with a marker; the hash covers what is stored.
     */
    @Test
    void fieldsLongerThanTheirColumnsAreStoredCutAndTheChainVerifies() {
        JdbcAuditTrail trail = trail("pelalawan-1");
        String path = "/api/it/echo/" + "a".repeat(8200);

        AuditRecord attack = trail.record(StoredFieldsTest.call("long-1", "1404015708900001", "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                path, "q=" + "b".repeat(17_000), null));
        AuditRecord after = trail.record(served("long-2"));

        List<AuditRecord> rows = rows();
        assertThat(rows).containsExactly(attack, after);
        assertThat(rows.get(0).method()).isEqualTo("ABCDEFGHIJ…[+16]");
        assertThat(rows.get(0).path()).hasSizeLessThanOrEqualTo(8192).startsWith("/api/it/echo/aaa").contains("…[+");
        assertThat(rows.get(0).query()).hasSizeLessThanOrEqualTo(16384).endsWith("]");
        assertThat(rows.get(0).userId()).isEqualTo("140401**********");
        assertThat(trail.available()).isTrue();
        assertValid(rows, 2);
    }

    /** The bounds the trail cuts to are those of the schema Flyway made. */
    @Test
    void theTrailBoundsEveryTextToItsColumn() throws Exception {
        Map<String, Integer> columns = new java.util.HashMap<>();
        try (Connection c = db.pool().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT column_name, character_maximum_length FROM information_schema.columns "
                        + "WHERE LOWER(table_name) = 'audit_record' AND character_maximum_length IS NOT NULL")) {
            while (rs.next()) {
                columns.put(rs.getString(1).toLowerCase(java.util.Locale.ROOT), rs.getInt(2));
            }
        }
        assertThat(TrailField.TEXT_COLUMNS).isEqualTo(columns);
    }

    /**
     * A record the store refuses (here a CHECK constraint added for the test; before the trail bounded its
     * fields, a 17-character method did the same) fails alone: the other records of its batch are stored,
     * chained without a gap, in the batch's one commit, and the writer stays available.
     */
    @Test
    void aRecordTheStoreRefusesFailsAloneAndTheRestOfItsBatchIsStored() throws Exception {
        refuseCorrelationIdsStartingWith("poison");
        JdbcAuditTrail trail = trail("pelalawan-1", Duration.ofSeconds(30));
        trail.record(served("b-0"));
        CountDownLatch gate = new CountDownLatch(1);
        store.gate = gate; // the writer blocks on its next connection, with b-1; the others queue meanwhile
        ExecutorService callers = Executors.newFixedThreadPool(5);
        Set<Thread> waiting = ConcurrentHashMap.newKeySet();
        try {
            Future<AuditRecord> first = callers.submit(() -> trail.record(served("b-1")));
            awaitState(() -> Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> inFrame(t, f -> f.getClassName().equals(Switch.class.getName()))));
            Map<String, Future<AuditRecord>> batch = new java.util.LinkedHashMap<>();
            for (String id : List.of("b-2", "poison-3", "b-4", "b-5")) {
                batch.put(id, callers.submit(() -> {
                    waiting.add(Thread.currentThread());
                    return trail.record(served(id));
                }));
                awaitState(() -> waiting.size() == batch.size() && waiting.stream().allMatch(
                        t -> inFrame(t, f -> f.getClassName().equals(java.util.concurrent.CompletableFuture.class.getName()))));
            }
            int commitsBefore = store.commits.get();
            store.gate = null;
            gate.countDown();

            first.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
            for (String id : List.of("b-2", "b-4", "b-5")) {
                assertThat(batch.get(id).get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS).correlationId()).isEqualTo(id);
            }
            assertThatThrownBy(() -> batch.get("poison-3").get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
                    .hasCauseInstanceOf(TrailUnavailableException.class);
            assertThat(store.commits.get() - commitsBefore).as("b-1's commit, then one for the batch of four").isEqualTo(2);
        } finally {
            gate.countDown();
            callers.shutdownNow();
        }
        assertThat(trail.available()).as("one refused record does not make the node refuse calls").isTrue();
        AuditRecord after = trail.record(served("b-6"));

        List<AuditRecord> rows = rows();
        assertThat(rows).extracting(AuditRecord::correlationId).containsExactly("b-0", "b-1", "b-2", "b-4", "b-5", "b-6");
        assertThat(after.nodeSeq()).isEqualTo(6);
        assertThat(after.prevHash()).isEqualTo(rows.get(4).hash());
        assertValid(rows, 6);
    }

    @Test
    void aRecordTheStoreRefusesOnItsOwnLeavesTheWriterAvailable() throws Exception {
        refuseCorrelationIdsStartingWith("poison");
        JdbcAuditTrail trail = trail("pelalawan-1");
        AuditRecord first = trail.record(served("a-1"));

        assertThatThrownBy(() -> trail.record(served("poison-2"))).isInstanceOf(TrailUnavailableException.class);
        assertThat(trail.available()).isTrue();
        AuditRecord after = trail.record(served("a-3"));

        assertThat(after.nodeSeq()).isEqualTo(2);
        assertThat(after.prevHash()).isEqualTo(first.hash());
        assertValid(rows(), 2);
    }

    // ------------------------------------------------------------------------------------------- the Merkle tree

    @Test
    void afterManyRecordsTheStoredTreeIsTheTreeOfTheRecordsHashes() throws Exception {
        JdbcAuditTrail trail = trail("pelalawan-1");
        List<AuditRecord> returned = hammer(trail, "t", 4, 150);

        List<AuditRecord> rows = rows();
        assertThat(rows).hasSize(returned.size());
        assertValid(rows, 600); // checks the stored tree against one built here from the records' hashes
        TrailProofs proofs = new TrailProofs(db.pool());
        AuditRecord some = rows.get(417);
        assertThat(proofs.leafHash("pelalawan-1", some.nodeSeq()))
                .isEqualTo(id.gerbang.gateway.anchor.MerkleTree.leafHash(java.util.HexFormat.of().parseHex(some.hash())));
    }

    @Test
    void aRestartedNodeContinuesItsTree() throws Exception {
        JdbcAuditTrail first = trail("pelalawan-1");
        for (int i = 1; i <= 7; i++) {
            first.record(served("tr-" + i));
        }
        first.close();
        JdbcAuditTrail second = trail("pelalawan-1");
        for (int i = 8; i <= 13; i++) {
            second.record(served("tr-" + i));
        }
        assertValid(rows(), 13);
    }

    /** A trail written before anchoring (no tree rows) gets its tree from its records at the next start. */
    @Test
    void aTrailWrittenBeforeAnchoringGetsItsTreeAtStart() throws Exception {
        JdbcAuditTrail before = trail("pelalawan-1");
        for (int i = 1; i <= 25; i++) {
            before.record(served("pre-" + i));
        }
        before.close();
        try (Connection c = db.pool().getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM trail_tree_node WHERE node = 'pelalawan-1'");
        }
        assertThat(new TrailProofs(db.pool()).treeSize("pelalawan-1")).isZero();

        JdbcAuditTrail after = trail("pelalawan-1");
        assertTreesMatchChains(rows()); // completed at start, before any record
        after.record(served("post-26"));
        assertValid(rows(), 26);
    }

    /**
     * A trail whose oldest records retention purged before anchoring existed: the purged records get
     * placeholder leaves (the last one its hash, from the retention checkpoint), and the node writes on.
     */
    @Test
    void aTrailPurgedBeforeAnchoringGetsPlaceholderLeavesForThePurgedRecordsAndWritesOn() throws Exception {
        JdbcAuditTrail before = trail("pelalawan-1");
        for (int i = 1; i <= 12; i++) {
            before.record(served("old-" + i));
        }
        before.close();
        String hashOf7;
        try (Connection c = db.pool().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT hash FROM audit_record WHERE node = 'pelalawan-1' AND node_seq = 7")) {
                rs.next();
                hashOf7 = rs.getString(1);
            }
            s.executeUpdate("DELETE FROM trail_tree_node WHERE node = 'pelalawan-1'"); // as before anchoring
            s.executeUpdate("DELETE FROM audit_record WHERE node = 'pelalawan-1' AND node_seq <= 7"); // as retention does
            s.executeUpdate("INSERT INTO trail_checkpoint (node, through_seq, through_hash, purged_before) "
                    + "VALUES ('pelalawan-1', 7, '" + hashOf7 + "', CURRENT_TIMESTAMP)");
        }

        JdbcAuditTrail after = trail("pelalawan-1");
        after.record(served("new-13"));
        assertThat(after.available()).isTrue();

        MerkleTree expected = new MerkleTree(new InMemoryMerkleNodeStore());
        for (int seq = 1; seq <= 6; seq++) {
            expected.append(new byte[32]);
        }
        expected.append(HexFormat.of().parseHex(hashOf7));
        List<AuditRecord> kept = rows();
        assertThat(kept).extracting(AuditRecord::nodeSeq).containsExactly(8L, 9L, 10L, 11L, 12L, 13L);
        kept.forEach(r -> expected.append(HexFormat.of().parseHex(r.hash())));
        TrailProofs proofs = new TrailProofs(db.pool());
        assertThat(proofs.treeSize("pelalawan-1")).isEqualTo(13);
        assertThat(proofs.rootHash("pelalawan-1", 13)).isEqualTo(expected.rootHash());
        assertThat(MerkleTree.verifyInclusion(7, 13, MerkleTree.leafHash(HexFormat.of().parseHex(kept.get(0).hash())),
                proofs.inclusion("pelalawan-1", 8, 13), expected.rootHash())).isTrue();
    }

    /** Records removed from under the tree (the newest ones deleted in SQL): the trail refuses to write on it. */
    @Test
    void aTreeLongerThanTheChainMakesTheTrailRefuseToWrite() throws Exception {
        JdbcAuditTrail before = trail("pelalawan-1");
        for (int i = 1; i <= 5; i++) {
            before.record(served("cut-" + i));
        }
        before.close();
        try (Connection c = db.pool().getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM audit_record WHERE node = 'pelalawan-1' AND node_seq > 3");
        }

        JdbcAuditTrail after = trail("pelalawan-1");
        assertThatThrownBy(() -> after.record(served("cut-next")))
                .isInstanceOf(TrailUnavailableException.class)
                .hasMessageContaining("5 leaves but its chain only 3 records");
        assertThat(after.available()).isFalse();
        assertThat(rows()).hasSize(3);
    }

    /** What {@code gerbang_trail_failures_total} counts: a record the store refused, and a batch the store failed. */
    @Test
    void recordsTheTrailCouldNotStoreAreToldToItsObserver() throws Exception {
        refuseCorrelationIdsStartingWith("poison");
        AtomicInteger stored = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        JdbcAuditTrail trail = new JdbcAuditTrail(store, "pelalawan-1", 512, 10_000, WRITE_TIMEOUT, WRITE_TIMEOUT,
                Duration.ZERO, new JdbcAuditTrail.BatchObserver() {
                    @Override
                    public void stored(int records, long nanos) {
                        stored.addAndGet(records);
                    }

                    @Override
                    public void failed(int records) {
                        failed.addAndGet(records);
                    }
                });
        trails.add(trail);
        trail.record(served("a-1"));
        assertThat(failed.get()).as("nothing failed yet").isZero();

        assertThatThrownBy(() -> trail.record(served("poison-2"))).isInstanceOf(TrailUnavailableException.class);
        assertThat(failed.get()).as("the record the store refused").isEqualTo(1);

        storeDown(store);
        try {
            assertTimeoutPreemptively(HANG_GUARD, () -> assertThatThrownBy(() -> trail.record(served("u-down")))
                    .isInstanceOf(TrailUnavailableException.class));
            awaitState(() -> failed.get() >= 2); // the writer fails its batch when its connection attempt ends
        } finally {
            storeUp(store);
        }
        assertThat(stored.get()).as("only a-1 was stored").isEqualTo(1);
    }

    private void refuseCorrelationIdsStartingWith(String prefix) throws SQLException {
        try (Connection c = db.pool().getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE audit_record ADD CONSTRAINT refused_in_test CHECK (correlation_id NOT LIKE '" + prefix + "%')");
        }
    }

    // ------------------------------------------------------------------------------------------- helpers

    private int attemptsWhileRecovering;

    private AuditRecord recordOnceAvailable(JdbcAuditTrail trail, String correlationId) {
        return org.awaitility.Awaitility.await("the trail takes records again").atMost(Duration.ofSeconds(30))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200)).pollInSameThread().until(() -> {
                    try {
                        return trail.record(served(correlationId + "-" + attemptsWhileRecovering));
                    } catch (TrailUnavailableException e) {
                        attemptsWhileRecovering++;
                        return null;
                    }
                }, java.util.Objects::nonNull);
    }

    private static List<AuditRecord> hammer(JdbcAuditTrail trail, String prefix, int threads, int perThread) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<AuditRecord>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    List<AuditRecord> mine = new ArrayList<>(perThread);
                    for (int i = 0; i < perThread; i++) {
                        mine.add(trail.record(served(prefix + "-" + thread + "-" + i)));
                    }
                    return mine;
                }));
            }
            start.countDown();
            List<AuditRecord> all = new ArrayList<>();
            for (Future<List<AuditRecord>> f : futures) {
                all.addAll(f.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS));
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Set<Long> seq(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().collect(Collectors.toCollection(HashSet::new));
    }

    /** The chains verify, and each node's stored Merkle tree is the tree of exactly its chain's record hashes. */
    private void assertValid(List<AuditRecord> rowsInIdOrder, long expectedChecked) {
        TrailVerifier v = new TrailVerifier();
        rowsInIdOrder.forEach(v::accept);
        TrailVerifier.Result result = v.result();
        assertThat(result.valid()).as("verification: %s", result).isTrue();
        assertThat(result.checked()).isEqualTo(expectedChecked);
        assertThat(result.reason()).as("a chain read from its first record needs no note").isNull();
        assertTreesMatchChains(rowsInIdOrder);
    }

    /** For each node of the rows: the stored tree's size is its last nodeSeq, its root that of a tree built here. */
    void assertTreesMatchChains(List<AuditRecord> rows) {
        Map<String, List<AuditRecord>> byNode = rows.stream().collect(Collectors.groupingBy(AuditRecord::node,
                java.util.LinkedHashMap::new, Collectors.toList()));
        TrailProofs proofs = new TrailProofs(db.pool());
        byNode.forEach((node, records) -> {
            List<AuditRecord> chain = records.stream().sorted(java.util.Comparator.comparingLong(AuditRecord::nodeSeq)).toList();
            id.gerbang.gateway.anchor.MerkleTree expected = new id.gerbang.gateway.anchor.MerkleTree(
                    new id.gerbang.gateway.anchor.InMemoryMerkleNodeStore());
            chain.forEach(r -> expected.append(java.util.HexFormat.of().parseHex(r.hash())));
            try {
                assertThat(proofs.treeSize(node)).as("the stored tree of %s has a leaf per record", node).isEqualTo(chain.size());
                assertThat(proofs.rootHash(node, chain.size())).as("the stored tree's root of %s", node)
                        .isEqualTo(expected.rootHash());
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void awaitState(java.util.function.BooleanSupplier condition) {
        org.awaitility.Awaitility.await("state reached").atMost(HANG_GUARD).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(10)).pollInSameThread().until(condition::getAsBoolean);
    }

    private static boolean inFrame(Thread t, Predicate<StackTraceElement> frame) {
        return Arrays.stream(t.getStackTrace()).anyMatch(frame);
    }

    /** Every row of the trail, in id order (export order), as records. */
    List<AuditRecord> rows() {
        List<AuditRecord> out = new ArrayList<>();
        try (Connection c = db.pool().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT * FROM audit_record ORDER BY id")) {
            while (rs.next()) {
                out.add(TrailQueries.map(rs)); // the auditor's own reading of a row
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }




    // ------------------------------------------------------------------------------------------- entries

    /** A call served: a Puskesmas looking a resident up at Disdukcapil (instants with nanoseconds on purpose). */
    static TrailEntry served(String correlationId) {
        Instant at = Instant.now();
        return new TrailEntry(TrailEntry.Kind.CALL, at, at.plusNanos(12_345_678), correlationId, "dinkes-simpus", "dinkes",
                "197805122005012003", "disdukcapil-penduduk", 3L, "disdukcapil", "GET",
                "/api/disdukcapil/penduduk/140401**********", "nik=***&tahun=2024", 200, 200, null, 12L, 9L, 0L, 321L, null,
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", null);
    }

    /** A call refused before any route was found: most fields absent. */
    static TrailEntry refused(String correlationId) {
        Instant at = Instant.now();
        return new TrailEntry(TrailEntry.Kind.CALL, at, at, correlationId, null, null, null, null, null, null, "POST",
                "/api/dpmptsp/izin", null, 401, null, "INVALID_TOKEN", 1L, null, 0L, 0L, null, null, null);
    }

    /** A registry change, with non-ASCII text in its detail. */
    static TrailEntry routeChange(String correlationId) {
        Instant at = Instant.now();
        return new TrailEntry(TrailEntry.Kind.ROUTE_CHANGE, at, null, correlationId, "gerbang-admin", "diskominfo", null,
                "bapenda-status-pajak", 2L, "bapenda", "PUT", null, null, null, null, null, null, null, null, null, null, null,
                "{\"actor\":\"gerbang-admin\",\"change\":\"timeoutMs 5000 → 3000\",\"catatan\":\"Badan Pendapatan Daerah — uji\"}");
    }

    // ------------------------------------------------------------------------------------------- the store switch

    /**
     * The data source the trail writes through: counts commits, can refuse connections ({@code down}), hold
     * them back ({@code gate}), or fail one commit after it has happened ({@code failAfterNextCommit}).
     */
    static final class Switch implements DataSource {
        private final DataSource target;
        volatile boolean down;
        volatile CountDownLatch gate;
        /** while set, a commit waits for it before it runs */
        volatile CountDownLatch commitGate;
        /** while set, every commit takes this much longer before it runs (a slow WAL flush) */
        volatile Duration commitDelay;
        final AtomicInteger commitsHanging = new AtomicInteger();
        final AtomicInteger commits = new AtomicInteger();
        final AtomicBoolean failAfterNextCommit = new AtomicBoolean();
        final AtomicBoolean errorOnNextCommit = new AtomicBoolean();

        Switch(DataSource target) {
            this.target = target;
        }

        @Override
        public Connection getConnection() throws SQLException {
            CountDownLatch g = gate;
            if (g != null) {
                try {
                    g.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted");
                }
            }
            if (down) {
                throw new SQLException("the store is down (test)", "08001");
            }
            Connection c = target.getConnection();
            InvocationHandler h = (proxy, method, args) -> {
                if (method.getName().equals("commit") && errorOnNextCommit.compareAndSet(true, false)) {
                    throw new AssertionError("an Error from the driver (test)");
                }
                Duration slow = commitDelay;
                if (method.getName().equals("commit") && slow != null) {
                    java.util.concurrent.locks.LockSupport.parkNanos(slow.toNanos());
                }
                CountDownLatch held = commitGate;
                if (method.getName().equals("commit") && held != null) {
                    commitsHanging.incrementAndGet();
                    try {
                        held.await();
                    } finally {
                        commitsHanging.decrementAndGet();
                    }
                }
                try {
                    Object result = method.invoke(c, args);
                    if (method.getName().equals("commit")) {
                        commits.incrementAndGet();
                        if (failAfterNextCommit.compareAndSet(true, false)) {
                            throw new SQLException("connection lost after the commit (test)", "08006");
                        }
                    }
                    return result;
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            };
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, h);
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return target.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            target.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            target.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return target.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return target.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return target.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return target.isWrapperFor(iface);
        }
    }
}
