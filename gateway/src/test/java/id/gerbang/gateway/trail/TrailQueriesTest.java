package id.gerbang.gateway.trail;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The auditor's queries over a real store, the same body on H2 ({@link TrailQueriesH2Test}) and PostgreSQL
 * ({@link TrailQueriesPostgresTest}): records are written by {@link JdbcAuditTrail} (two nodes at once),
 * the schema is Flyway's, and tampering is done the way an insider would: plain SQL on the table.
 */
abstract class TrailQueriesTest {

    static final Instant T = Instant.parse("2026-11-27T02:00:00Z");
    static final String A = "gerbang-a";
    static final String B = "gerbang-b";

    abstract HikariDataSource newDatabase() throws Exception;

    abstract void dropDatabase(HikariDataSource db) throws Exception;

    static HikariDataSource pool(String url, String user, String password) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        c.setUsername(user);
        c.setPassword(password);
        c.setMaximumPoolSize(4);
        return new HikariDataSource(c);
    }

    HikariDataSource db;
    TrailQueries queries;
    JdbcAuditTrail nodeA;
    JdbcAuditTrail nodeB;

    @BeforeEach
    void freshDatabase() throws Exception {
        db = newDatabase();
        Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
        queries = new TrailQueries(db, java.util.Set.of(A, B, "gerbang-bulk"));
        nodeA = new JdbcAuditTrail(db, A, 512, 1000, Duration.ofSeconds(10));
        nodeB = new JdbcAuditTrail(db, B, 512, 1000, Duration.ofSeconds(10));
    }

    @AfterEach
    void drop() throws Exception {
        nodeA.close();
        nodeB.close();
        dropDatabase(db);
    }

    // ------------------------------------------------------------------------------------------ data

    static TrailEntry call(Instant at, String client, String clientOpd, String route, String owner, int status,
                           String correlationId) {
        return new TrailEntry(TrailEntry.Kind.CALL, at, at.plusMillis(40), correlationId, client, clientOpd,
                "petugas-07", route, 2L, owner, "GET", "/api/" + owner + "/x/140401**********", "nik=***&page=1",
                status, status == 200 ? 200 : null, status == 200 ? null : "ACCESS_DENIED", 40L,
                status == 200 ? 31L : null, 0L, 77L, null, status == 200 ? "ab".repeat(32) : null, null);
    }

    /** Nulls wherever a route change has nothing to say. */
    static TrailEntry routeChange(Instant at) {
        return new TrailEntry(TrailEntry.Kind.ROUTE_CHANGE, at, null, null, "gerbang-admin", "diskominfo", null,
                "bapenda-status-pajak", null, null, "PUT", null, null, null, null, null, null, null, null, null,
                null, null, "{\"action\":\"replace\",\"name\":\"Status pajak — Bapenda\"}");
    }

    /**
     * Twelve records on two nodes, a minute apart: calls of dinkes-simpus (dinkes) and bapenda-sipd
     * (bapenda) to routes owned by disdukcapil and bapenda, some refused, and one route change.
     */
    List<AuditRecord> sample() {
        List<AuditRecord> r = new ArrayList<>();
        r.add(nodeA.record(call(T.plusSeconds(0), "dinkes-simpus", "dinkes", "disdukcapil-penduduk", "disdukcapil", 200, "k-00")));
        r.add(nodeB.record(call(T.plusSeconds(60), "bapenda-sipd", "bapenda", "disdukcapil-penduduk", "disdukcapil", 200, "k-01")));
        r.add(nodeA.record(call(T.plusSeconds(120), "dinkes-simpus", "dinkes", "bapenda-status-pajak", "bapenda", 403, "k-02")));
        r.add(nodeA.record(routeChange(T.plusSeconds(180))));
        r.add(nodeB.record(call(T.plusSeconds(240), "bapenda-sipd", "bapenda", "bapenda-status-pajak", "bapenda", 200, "k-04")));
        r.add(nodeA.record(call(T.plusSeconds(300), "dinkes-simpus", "dinkes", "disdukcapil-penduduk", "disdukcapil", 200, "k-05")));
        r.add(nodeB.record(call(T.plusSeconds(360), "dinkes-simpus", "dinkes", "disdukcapil-penduduk", "disdukcapil", 403, "k-06")));
        r.add(nodeA.record(call(T.plusSeconds(420), "bapenda-sipd", "bapenda", "disdukcapil-penduduk", "disdukcapil", 200, "k-07")));
        r.add(nodeA.record(call(T.plusSeconds(480), "dinkes-simpus", "dinkes", "bapenda-status-pajak", "bapenda", 200, "k-08")));
        r.add(nodeB.record(call(T.plusSeconds(540), "bapenda-sipd", "bapenda", "disdukcapil-penduduk", "disdukcapil", 200, "k-09")));
        r.add(nodeA.record(call(T.plusSeconds(600), "dinkes-simpus", "dinkes", "disdukcapil-penduduk", "disdukcapil", 200, "k-10")));
        r.add(nodeB.record(call(T.plusSeconds(660), "dinkes-simpus", "dinkes", "disdukcapil-penduduk", "disdukcapil", 200, "k-11")));
        return r;
    }

    static <T> List<T> reversed(List<T> list) {
        List<T> copy = new ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }

    private static List<String> correlations(TrailQueries.Page page) {
        return page.records().stream().map(AuditRecord::correlationId).toList();
    }

    private static TrailQueries.Filter filter(String client, String opd, String route, Integer status, String kind) {
        return new TrailQueries.Filter(null, null, client, opd, route, status, null, kind);
    }

    void sql(String statement, Object... params) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(statement)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            s.executeUpdate();
        }
    }

    // ------------------------------------------------------------------------------------------ search

    @Test
    void searchesNewestFirstWithEachFilter() throws Exception {
        List<AuditRecord> all = sample();

        TrailQueries.Page everything = queries.search(TrailQueries.Filter.ANY, 0, 50);
        assertThat(everything.total()).isEqualTo(12);
        assertThat(everything.records()).containsExactlyElementsOf(reversed(all));

        assertThat(correlations(queries.search(filter("bapenda-sipd", null, null, null, null), 0, 50)))
                .containsExactly("k-09", "k-07", "k-04", "k-01");
        // opd: the caller's OPD or the route owner's
        assertThat(correlations(queries.search(filter(null, "bapenda", null, null, null), 0, 50)))
                .containsExactly("k-09", "k-08", "k-07", "k-04", "k-02", "k-01");
        assertThat(queries.search(filter(null, "diskominfo", null, null, null), 0, 50).records())
                .extracting(AuditRecord::kind).containsExactly("route-change");
        assertThat(correlations(queries.search(filter(null, null, "bapenda-status-pajak", null, "call"), 0, 50)))
                .containsExactly("k-08", "k-04", "k-02");
        assertThat(correlations(queries.search(filter(null, null, null, 403, null), 0, 50)))
                .containsExactly("k-06", "k-02");
        assertThat(correlations(queries.search(filter("dinkes-simpus", "dinkes", "disdukcapil-penduduk", 200, "call"), 0, 50)))
                .containsExactly("k-11", "k-10", "k-05", "k-00");
        assertThat(queries.search(filter(null, null, null, null, "trail-read"), 0, 50).total()).isZero();
        assertThat(queries.search(new TrailQueries.Filter(null, null, null, null, null, null, "k-07", null), 0, 50)
                .records()).containsExactly(all.get(7));
        assertThat(queries.search(filter("nobody", null, null, null, null), 0, 50).total()).isZero();
    }

    @Test
    void aPeriodIsHalfOpen() throws Exception {
        sample();
        // [T+2min, T+5min): includes the record at exactly T+2min, excludes the one at exactly T+5min
        TrailQueries.Page p = queries.search(new TrailQueries.Filter(T.plusSeconds(120), T.plusSeconds(300), null, null,
                null, null, null, null), 0, 50);
        assertThat(p.records()).extracting(AuditRecord::requestAt)
                .containsExactly(T.plusSeconds(240), T.plusSeconds(180), T.plusSeconds(120));
        assertThat(queries.search(new TrailQueries.Filter(T.plusSeconds(600), null, null, null, null, null, null, null), 0, 50)
                .total()).isEqualTo(2);
        assertThat(queries.search(new TrailQueries.Filter(null, T.plusSeconds(60), null, null, null, null, null, null), 0, 50)
                .total()).isEqualTo(1);
    }

    @Test
    void pagesCountFromZeroAndKeepTheTotal() throws Exception {
        List<AuditRecord> all = reversed(sample());
        TrailQueries.Page first = queries.search(TrailQueries.Filter.ANY, 0, 5);
        TrailQueries.Page second = queries.search(TrailQueries.Filter.ANY, 1, 5);
        TrailQueries.Page last = queries.search(TrailQueries.Filter.ANY, 2, 5);
        TrailQueries.Page beyond = queries.search(TrailQueries.Filter.ANY, 3, 5);
        assertThat(first.records()).containsExactlyElementsOf(all.subList(0, 5));
        assertThat(second.records()).containsExactlyElementsOf(all.subList(5, 10));
        assertThat(last.records()).containsExactlyElementsOf(all.subList(10, 12));
        assertThat(beyond.records()).isEmpty();
        assertThat(List.of(first.total(), second.total(), last.total(), beyond.total())).containsOnly(12L);
        assertThat(queries.search(TrailQueries.Filter.ANY, Integer.MAX_VALUE, 500).records()).isEmpty();
    }

    @Test
    void oneRecordByIdExactlyAsStoredNullsIncluded() throws Exception {
        List<AuditRecord> all = sample();
        AuditRecord change = all.get(3);
        assertThat(change.responseAt()).isNull();
        assertThat(change.status()).isNull();
        assertThat(change.routeVersion()).isNull();
        assertThat(queries.byId(change.id())).contains(change);
        assertThat(queries.byId(all.get(1).id())).contains(all.get(1));
        assertThat(queries.byId(all.get(1).id()).orElseThrow().hash()).isEqualTo(RecordHash.of(all.get(1)));
        assertThat(queries.byId(999_999)).isEmpty();
    }

    // ------------------------------------------------------------------------------------------ export

    @Test
    void exportsTheWholeTrailInIdOrder() throws Exception {
        List<AuditRecord> all = sample();
        List<AuditRecord> exported = new ArrayList<>();
        assertThat(queries.export(null, null, exported::add)).isEqualTo(12);
        assertThat(exported).containsExactlyElementsOf(all);
    }

    @Test
    void csvAndNdjsonCarryTheSameRecords() throws Exception {
        List<AuditRecord> all = sample();
        StringWriter csv = new StringWriter();
        TrailJson.csvHeader(csv);
        queries.export(null, null, r -> TrailJson.csvRow(csv, r));
        String[] lines = csv.toString().split("\r\n");
        assertThat(lines).hasSize(13);
        assertThat(lines[0]).isEqualTo(String.join(",", TrailJson.FIELDS));
        assertThat(lines[4]).as("the route change: empty fields for nulls, its detail quoted")
                .startsWith(all.get(3).id() + ",route-change,gerbang-a,3,2026-11-27T02:03:00.000Z,,,gerbang-admin,")
                .contains(",\"{\"\"action\"\":\"\"replace\"\",\"\"name\"\":\"\"Status pajak — Bapenda\"\"}\",");

        StringWriter ndjson = new StringWriter();
        queries.export(null, null, r -> ndjson.write(TrailJson.json(r) + "\n"));
        try (BufferedReader in = new BufferedReader(new StringReader(ndjson.toString()))) {
            TrailVerifier.Result offline = OfflineVerifier.verify(in, new TrailVerifier());
            assertThat(offline.valid()).isTrue();
            assertThat(offline.checked()).isEqualTo(12);
        }
    }

    @Test
    void anExportOfAPeriodIsTheGaplessStretchCoveringIt() throws Exception {
        // on node a: a call that began at T+1s but took long is committed after one that began at T+10s
        AuditRecord a1 = nodeA.record(call(T, "dinkes-simpus", "dinkes", "r", "o", 200, "a1"));
        AuditRecord a2 = nodeA.record(call(T.plusSeconds(10), "dinkes-simpus", "dinkes", "r", "o", 200, "a2"));
        AuditRecord a3slow = nodeA.record(call(T.plusSeconds(1), "dinkes-simpus", "dinkes", "r", "o", 200, "a3"));
        AuditRecord a4 = nodeA.record(call(T.plusSeconds(12), "dinkes-simpus", "dinkes", "r", "o", 200, "a4"));
        AuditRecord a5 = nodeA.record(call(T.plusSeconds(30), "dinkes-simpus", "dinkes", "r", "o", 200, "a5"));
        AuditRecord b1 = nodeB.record(call(T.plusSeconds(15), "bapenda-sipd", "bapenda", "r", "o", 200, "b1"));

        Instant from = T.plusSeconds(5);
        Instant to = T.plusSeconds(20);
        List<AuditRecord> exported = new ArrayList<>();
        queries.export(from, to, exported::add);
        // a3 began before the period but lies inside the stretch a2..a4: exported, or the export would have a gap
        assertThat(exported).containsExactly(a2, a3slow, a4, b1);
        assertThat(queries.search(new TrailQueries.Filter(from, to, null, null, null, null, null, null), 0, 50).records())
                .as("a search is by requestAt only").containsExactly(b1, a4, a2);

        TrailVerifier offline = new TrailVerifier();
        exported.forEach(offline::accept);
        assertThat(offline.result().valid()).isTrue();

        TrailVerifier.Result period = queries.verify(from, to);
        assertThat(period.valid()).isTrue();
        assertThat(period.checked()).isEqualTo(4);
        assertThat(period.reason()).as("anchored to a1: no note about an unanchored start").isNull();
        assertThat(queries.verify(T.plusSeconds(86_400), null)).isEqualTo(new TrailVerifier.Result(true, 0, null, null));
        assertThat(a1.nodeSeq()).isEqualTo(1);
        assertThat(a5.nodeSeq()).isEqualTo(5);
    }

    @Test
    void exportsAHundredThousandRecordsAsAStream() throws Exception {
        int n = 100_000;
        bulk("gerbang-bulk", n);
        AtomicLong lastId = new AtomicLong();
        AtomicLong lines = new AtomicLong();
        OutputStream counting = new OutputStream() {
            @Override
            public void write(int b) {
                if (b == '\n') {
                    lines.incrementAndGet();
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                for (int i = off; i < off + len; i++) {
                    write(b[i]);
                }
            }
        };
        try (Writer w = new OutputStreamWriter(counting, StandardCharsets.UTF_8)) {
            long count = queries.export(null, null, r -> {
                assertThat(r.id()).isGreaterThan(lastId.get());
                lastId.set(r.id());
                w.write(TrailJson.json(r));
                w.write('\n');
            });
            assertThat(count).isEqualTo(n);
        }
        assertThat(lines.get()).isEqualTo(n);

        TrailVerifier.Result r = queries.verify(null, null);
        assertThat(r.valid()).isTrue();
        assertThat(r.checked()).isEqualTo(n);
        try (Connection c = db.getConnection()) {
            assertThat(c.getAutoCommit()).as("a pooled connection is handed back as it was").isTrue();
        }
    }

    /** {@code n} chained records of one node, inserted in batches: quicker than one commit per record. */
    void bulk(String node, int n) throws SQLException {
        bulk(new String[] {node}, n, 1);
    }

    /** {@code n} chained records, of the nodes in turn, {@code spacingMillis} apart, from {@code T}. */
    void bulk(String[] nodes, int n, long spacingMillis) throws SQLException {
        java.util.Map<String, AuditRecord> heads = new java.util.HashMap<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(TrailField.INSERT)) {
            c.setAutoCommit(false);
            for (int i = 1; i <= n; i++) {
                String node = nodes[i % nodes.length];
                AuditRecord head = heads.get(node);
                AuditRecord r = AuditRecord.chain(call(T.plusMillis(i * spacingMillis), "dinkes-simpus", "dinkes",
                        "disdukcapil-penduduk", "disdukcapil", 200, "bulk-" + i), node,
                        head == null ? 1 : head.nodeSeq() + 1, head == null ? AuditRecord.GENESIS : head.hash());
                heads.put(node, r);
                TrailField.bind(s, r);
                s.addBatch();
                if (i % 2000 == 0) {
                    s.executeBatch();
                    c.commit();
                }
            }
            s.executeBatch();
            c.commit();
            c.setAutoCommit(true);
        }
    }


    @Test
    void aPeriodOfALargeTrailIsReadThroughTheIndexesAndExactly() throws Exception {
        // 100,000 records of two nodes, 3.6 s apart: about 1,000 an hour, over 100 hours
        bulk(new String[] {A, B}, 100_000, 3_600);
        analyze();
        Instant from = T.plus(Duration.ofHours(50));
        Instant to = from.plus(Duration.ofHours(1));

        List<AuditRecord> exported = new ArrayList<>();
        queries.export(from, to, exported::add);
        assertThat(exported).hasSize(1000);
        assertThat(exported).allSatisfy(r -> assertThat(r.requestAt()).isBetween(from, to.minusMillis(1)));
        assertThat(exported.get(0).requestAt()).isEqualTo(from);
        for (int i = 1; i < exported.size(); i++) {
            assertThat(exported.get(i).id()).isGreaterThan(exported.get(i - 1).id());
        }
        TrailVerifier.Result verified = queries.verify(from, to);
        assertThat(verified).isEqualTo(new TrailVerifier.Result(true, 1000, null, null));

        // each query of a period goes through an index, never through the whole table
        List<Object> params = new ArrayList<>();
        String periodNodes = TrailQueries.periodNodesSql(from, to, params);
        assertThat(plan(periodNodes, params.toArray())).containsIgnoringCase("audit_record_request_at");
        assertThat(plan(TrailQueries.ID_OF, A, 600L)).containsIgnoringCase("audit_record_chain");
        long first = exported.get(0).id();
        assertThat(plan(TrailQueries.BY_ID_RANGE, first, first + 999)).containsAnyOf("PRIMARY_KEY", "audit_record_pkey");
        // a node's latest record before a point (a gap before a period; the writer's head at start-up)
        // is read from the end of the index, not by sorting the node's chain
        assertThat(plan(TrailQueries.LATEST_BEFORE, A, 30_000L)).containsIgnoringCase("audit_record_chain")
                .containsAnyOf("index sorted", "Index Scan Backward");
    }

    /** Fresh statistics, as a running store keeps them (PostgreSQL's autovacuum); H2 keeps its own. */
    void analyze() throws SQLException {
        execute(db, "ANALYZE");
    }

    /** The store's plan for a statement: H2's and PostgreSQL's EXPLAIN, with its parameters bound. */
    String plan(String statement, Object... params) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("EXPLAIN " + statement)) {
            for (int i = 0; i < params.length; i++) {
                Object p = params[i];
                s.setObject(i + 1, p instanceof Instant t ? java.time.OffsetDateTime.ofInstant(t, java.time.ZoneOffset.UTC) : p);
            }
            StringBuilder plan = new StringBuilder();
            try (var rs = s.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            assertThat(plan.toString()).doesNotContainIgnoringCase("tableScan").doesNotContain("Seq Scan");
            return plan.toString();
        }
    }

    // ------------------------------------------------------------------------------------------ verify

    @Test
    void anUntouchedTrailOfTwoNodesVerifies() throws Exception {
        sample();
        assertThat(queries.verify(null, null)).isEqualTo(new TrailVerifier.Result(true, 12, null, null));
    }

    @Test
    void anEditedRowIsNamed() throws Exception {
        List<AuditRecord> all = sample();
        AuditRecord victim = all.get(6); // a 403 of dinkes-simpus on node b
        sql("UPDATE audit_record SET status = 200, error_code = NULL WHERE id = ?", victim.id());

        TrailVerifier.Result r = queries.verify(null, null);
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).isEqualTo(victim.id());
        assertThat(r.reason()).contains("hash does not match");
        assertThat(r.checked()).isEqualTo(7);
        // a period around it finds it too; a period before it does not look at it
        assertThat(queries.verify(T.plusSeconds(300), T.plusSeconds(420)).firstInvalid()).isEqualTo(victim.id());
        assertThat(queries.verify(null, T.plusSeconds(300)).valid()).isTrue();
    }

    @Test
    void anEditedTimeIsNamed() throws Exception {
        List<AuditRecord> all = sample();
        sql("UPDATE audit_record SET request_at = ? WHERE id = ?",
                java.time.OffsetDateTime.parse("2026-11-27T02:04:00.001Z"), all.get(4).id());
        assertThat(queries.verify(null, null).firstInvalid()).isEqualTo(all.get(4).id());
    }

    @Test
    void aDeletedRowIsNamedByItsSuccessor() throws Exception {
        List<AuditRecord> all = sample();
        sql("DELETE FROM audit_record WHERE id = ?", all.get(5).id()); // record 4 of node a
        TrailVerifier.Result r = queries.verify(null, null);
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).isEqualTo(all.get(7).id()); // record 5 of node a
        assertThat(r.reason()).contains("records 4 to 4 of node gerbang-a are missing: deleted");
    }

    @Test
    void aDeletionJustBeforeAPeriodIsSeenByItsAnchor() throws Exception {
        List<AuditRecord> all = sample();
        sql("DELETE FROM audit_record WHERE id = ?", all.get(5).id()); // node a, T+5min
        TrailVerifier.Result r = queries.verify(T.plusSeconds(400), null);
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).isEqualTo(all.get(7).id());
    }

    @Test
    void deletingANodesFirstRecordsIsSeen() throws Exception {
        List<AuditRecord> all = sample();
        sql("DELETE FROM audit_record WHERE id = ?", all.get(1).id()); // record 1 of node b
        TrailVerifier.Result r = queries.verify(null, null);
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).isEqualTo(all.get(4).id());
        assertThat(r.reason()).contains("records 1 to 1 of node gerbang-b are missing");
    }

    @Test
    void anInsertedRowNeedsRenumberingWhichBreaksTheChain() throws Exception {
        List<AuditRecord> all = sample();
        AuditRecord before = all.get(2); // record 2 of node a
        AuditRecord displaced = all.get(3); // record 3 of node a
        // make room for a forged record 3 of node a, then insert it, correctly hashed and linked
        sql("UPDATE audit_record SET node_seq = node_seq + 1000000 WHERE node = ? AND node_seq >= 3", A);
        sql("UPDATE audit_record SET node_seq = node_seq - 999999 WHERE node = ? AND node_seq > 1000000", A);
        AuditRecord forged = AuditRecord.chain(call(T.plusSeconds(150), "dinkes-simpus", "dinkes", "disdukcapil-penduduk",
                "disdukcapil", 200, "forged"), A, 3, before.hash());
        insert(forged);

        TrailVerifier.Result r = queries.verify(null, null);
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).isEqualTo(displaced.id());
        assertThat(r.reason()).contains("hash does not match");
    }

    @Test
    void aForgedRowWithACorrectHashButAWrongLinkIsNamed() throws Exception {
        List<AuditRecord> all = sample();
        AuditRecord lastOfB = all.get(11);
        AuditRecord forged = AuditRecord.chain(call(T.plusSeconds(700), "dinkes-simpus", "dinkes", "disdukcapil-penduduk",
                "disdukcapil", 200, "forged"), B, lastOfB.nodeSeq() + 1, "cd".repeat(32));
        long id = insert(forged);

        TrailVerifier.Result r = queries.verify(null, null);
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).isEqualTo(id);
        assertThat(r.reason()).contains("prevHash does not match the hash of record 5 of node gerbang-b");
    }

    @Test
    void swappingTwoRowsIsSeenAsAReordering() throws Exception {
        List<AuditRecord> all = sample();
        long x = all.get(7).id(); // record 5 of node a
        long y = all.get(8).id(); // record 6 of node a
        // the rows trade places (their ids): record 6 now comes first
        sql("UPDATE audit_record SET id = ? WHERE id = ?", -1L, x);
        sql("UPDATE audit_record SET id = ? WHERE id = ?", x, y);
        sql("UPDATE audit_record SET id = ? WHERE id = ?", y, -1L);

        TrailVerifier.Result r = queries.verify(null, null);
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).isEqualTo(x);
        assertThat(r.reason()).contains("node gerbang-a");
    }

    @Test
    void swappingTwoRecordsPlacesInTheChainIsSeen() throws Exception {
        List<AuditRecord> all = sample();
        AuditRecord fifth = all.get(7);
        AuditRecord sixth = all.get(8);
        sql("UPDATE audit_record SET node_seq = -1 WHERE id = ?", fifth.id());
        sql("UPDATE audit_record SET node_seq = 5 WHERE id = ?", sixth.id());
        sql("UPDATE audit_record SET node_seq = 6 WHERE id = ?", fifth.id());

        TrailVerifier.Result r = queries.verify(null, null);
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).isEqualTo(fifth.id());
    }

    @Test
    void deletingANodesNewestRecordsIsNotVisibleFromTheChainAlone() throws Exception {
        // the documented limit (docs/trail.md): keep exports, or compare counts and last hashes
        List<AuditRecord> all = sample();
        sql("DELETE FROM audit_record WHERE id = ?", all.get(11).id()); // the newest record of node b
        assertThat(queries.verify(null, null).valid()).isTrue();
    }


    // ------------------------------------------------------------------------------------------ forged checkpoints and nodes

    @Test
    void aCheckpointRowWithoutAPurgeIsNotTrusted() throws Exception {
        // the insider's forgery: node a's first records deleted, a checkpoint row inserted for them
        List<AuditRecord> all = sample();
        AuditRecord third = all.get(3); // record 3 of node a
        sql("DELETE FROM audit_record WHERE node = ? AND node_seq <= 3", A);
        sql("INSERT INTO trail_checkpoint (node, through_seq, through_hash, purged_before) VALUES (?, ?, ?, ?)",
                A, 3L, third.hash(), java.time.OffsetDateTime.parse("2026-11-27T02:03:30Z"));

        TrailVerifier.Result r = queries.verify(null, null);
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).isEqualTo(all.get(5).id()); // record 4 of node a, the first left
        assertThat(r.reason()).contains("records 1 to 3 of node gerbang-a are missing")
                .contains("not announced by a trail-purge record on a verified chain");
        assertThat(queries.verify(T.plusSeconds(300), T.plusSeconds(400)).valid()).as("nor in a period").isFalse();

        // pointing the row at a record that is not a purge does not help
        sql("UPDATE trail_checkpoint SET purge_record = ? WHERE node = ?", all.get(4).id(), A);
        assertThat(queries.verify(null, null).valid()).isFalse();
    }

    @Test
    void aCheckpointRowNamingAForgedPurgeRecordOffTheChainIsNotTrusted() throws Exception {
        List<AuditRecord> all = sample();
        AuditRecord third = all.get(3);
        sql("DELETE FROM audit_record WHERE node = ? AND node_seq <= 3", A);
        // a trail-purge record announcing the checkpoint, correctly hashed, slid onto node b's chain unlinked
        AuditRecord lastOfB = all.get(11);
        AuditRecord forged = AuditRecord.chain(Chains.purge(T.plusSeconds(700), third), B, lastOfB.nodeSeq() + 1,
                "cd".repeat(32));
        long forgedId = insert(forged);
        sql("INSERT INTO trail_checkpoint (node, through_seq, through_hash, purged_before, purge_record) VALUES (?, ?, ?, ?, ?)",
                A, 3L, third.hash(), java.time.OffsetDateTime.parse("2026-11-27T02:03:30Z"), forgedId);

        TrailVerifier.Result whole = queries.verify(null, null);
        assertThat(whole.valid()).isFalse();
        TrailVerifier.Result period = queries.verify(T.plusSeconds(300), T.plusSeconds(400)); // without the forged record
        assertThat(period.valid()).isFalse();
        assertThat(period.reason()).contains("not announced by a trail-purge record on a verified chain");
    }

    @Test
    void aGenuinePurgeRecordOnTheChainProvesItsCheckpointInAPeriodToo() throws Exception {
        List<AuditRecord> all = sample();
        AuditRecord third = all.get(3);
        // what a purge does: record itself on a chain first, then keep the checkpoint, then delete
        AuditRecord purge = nodeB.record(Chains.purge(T.plusSeconds(700), third));
        sql("INSERT INTO trail_checkpoint (node, through_seq, through_hash, purged_before, purge_record) VALUES (?, ?, ?, ?, ?)",
                A, 3L, third.hash(), java.time.OffsetDateTime.parse("2026-11-27T02:03:30Z"), purge.id());
        sql("DELETE FROM audit_record WHERE node = ? AND node_seq <= 3", A);

        TrailVerifier.Result whole = queries.verify(null, null);
        assertThat(whole.valid()).as(whole.reason()).isTrue();
        assertThat(whole.reason()).contains("node gerbang-a starts after its retention checkpoint (records 1 to 3");
        TrailVerifier.Result period = queries.verify(T.plusSeconds(300), T.plusSeconds(400));
        assertThat(period.valid()).as(period.reason()).isTrue();
        assertThat(period.reason()).contains("as record " + purge.id() + " announced");
    }

    @Test
    void aNodeNobodyConfiguredIsReported() throws Exception {
        List<AuditRecord> all = sample();
        // records of an invented node vm2, with a correctly computed genesis chain
        String prev = AuditRecord.GENESIS;
        long firstForged = 0;
        for (int i = 1; i <= 3; i++) {
            AuditRecord r = AuditRecord.chain(call(T.plusSeconds(700 + i), "dinkes-simpus", "dinkes", "disdukcapil-penduduk",
                    "disdukcapil", 200, "vm2-" + i), "vm2", i, prev);
            prev = r.hash();
            long id = insert(r);
            firstForged = firstForged == 0 ? id : firstForged;
        }
        TrailVerifier.Result r = queries.verify(null, null);
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).isEqualTo(firstForged);
        assertThat(r.reason()).startsWith("unknown node: vm2");
        assertThat(r.checked()).isEqualTo(all.size() + 1);
        assertThat(queries.verify(T.plusSeconds(690), null).valid()).isFalse();
        assertThat(new TrailQueries(db, java.util.Set.of(A, B, "vm2")).verify(null, null).valid())
                .as("a node in the configured list is accepted").isTrue();
    }

    long insert(AuditRecord r) throws SQLException {
        String sql = TrailField.INSERT;
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql, new String[] {"id"})) {
            TrailField.bind(s, r);
            s.executeUpdate();
            try (var keys = s.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ hash versions

    /**
     * A trail as the gateway left it before hash versions: the schema up to V5, and {@code n} records of node a
     * inserted as that gateway did (without the two columns), chained from the genesis hash, version 1.
     */
    HikariDataSource trailBeforeHashVersions(int n) throws Exception {
        HikariDataSource old = newDatabase();
        Flyway.configure().dataSource(old).locations("classpath:db/migration").target("5").load().migrate();
        List<TrailField> columns = TrailField.INSERTED.stream()
                .filter(f -> f != TrailField.PARENT_CORRELATION_ID && f != TrailField.HASH_VERSION).toList();
        String insert = "INSERT INTO audit_record (" + String.join(", ", columns.stream().map(TrailField::column).toList())
                + ") VALUES (" + String.join(",", java.util.Collections.nCopies(columns.size(), "?")) + ")";
        String prev = AuditRecord.GENESIS;
        try (Connection c = old.getConnection(); PreparedStatement s = c.prepareStatement(insert)) {
            for (int i = 1; i <= n; i++) {
                AuditRecord r = AuditRecord.chain(TrailField.values(call(T.plusSeconds(i), "dinkes-simpus", "dinkes",
                        "disdukcapil-penduduk", "disdukcapil", 200, "v1-" + i)), A, i, prev, 1);
                for (int k = 0; k < columns.size(); k++) {
                    columns.get(k).type().bind(s, k + 1, columns.get(k).get(r));
                }
                s.executeUpdate();
                prev = r.hash();
            }
        }
        Flyway.configure().dataSource(old).locations("classpath:db/migration").load().migrate();
        return old;
    }

    @Test
    void aTrailOfVersion1RecordsThenVersion2RecordsVerifiesOnlineAndOffline() throws Exception {
        HikariDataSource old = trailBeforeHashVersions(3);
        try (JdbcAuditTrail node = new JdbcAuditTrail(old, A, 512, 1000, Duration.ofSeconds(10))) {
            node.record(call(T.plusSeconds(10), "dinkes-simpus", "dinkes", "disdukcapil-penduduk", "disdukcapil", 200, "v2-1"));
            node.record(TrailEntry.call(T.plusSeconds(11)).correlationId("v2-2").parentCorrelationId("v2-1")
                    .request("GET", "/api/x", null).answer(200, 200, null).build());
            TrailQueries q = new TrailQueries(old, java.util.Set.of(A));
            List<AuditRecord> all = new ArrayList<>();
            q.export(null, null, all::add);
            assertThat(all).extracting(AuditRecord::hashVersion).containsExactly(1, 1, 1, 2, 2);
            assertThat(all.get(4).parentCorrelationId()).isEqualTo("v2-1");
            assertThat(all.get(3).prevHash()).as("the chain goes on across versions").isEqualTo(all.get(2).hash());
            assertThat(q.verify(null, null)).isEqualTo(new TrailVerifier.Result(true, 5, null, null));

            StringWriter ndjson = new StringWriter();
            q.export(null, null, r -> ndjson.write(TrailJson.json(r) + "\n"));
            try (BufferedReader in = new BufferedReader(new StringReader(ndjson.toString()))) {
                assertThat(OfflineVerifier.verify(in, new TrailVerifier(java.util.Set.of(A))))
                        .isEqualTo(new TrailVerifier.Result(true, 5, null, null));
            }
        } finally {
            dropDatabase(old);
        }
    }

    @Test
    void aHashVersionChangedInSqlIsReported() throws Exception {
        HikariDataSource old = trailBeforeHashVersions(2);
        try (JdbcAuditTrail node = new JdbcAuditTrail(old, A, 512, 1000, Duration.ofSeconds(10))) {
            node.record(call(T.plusSeconds(10), "dinkes-simpus", "dinkes", "disdukcapil-penduduk", "disdukcapil", 200, "v2-1"));
            node.record(call(T.plusSeconds(11), "dinkes-simpus", "dinkes", "disdukcapil-penduduk", "disdukcapil", 200, "v2-2"));
            TrailQueries q = new TrailQueries(old, java.util.Set.of(A));
            List<AuditRecord> all = new ArrayList<>();
            q.export(null, null, all::add);

            try (Connection c = old.getConnection(); PreparedStatement s = c.prepareStatement(
                    "UPDATE audit_record SET hash_version = ? WHERE id = ?")) {
                String[] reasons = new String[4];
                Object[][] cases = {{2, all.get(1).id(), 1}, {1, all.get(3).id(), 2}, {7, all.get(2).id(), 2}};
                for (int i = 0; i < cases.length; i++) {
                    s.setInt(1, (Integer) cases[i][0]);
                    s.setLong(2, (Long) cases[i][1]);
                    s.executeUpdate();
                    TrailVerifier.Result r = q.verify(null, null);
                    assertThat(r.valid()).isFalse();
                    assertThat(r.firstInvalid()).isEqualTo(cases[i][1]);
                    reasons[i] = r.reason();
                    s.setInt(1, (Integer) cases[i][2]);
                    s.executeUpdate();
                    assertThat(q.verify(null, null).valid()).as("restored").isTrue();
                }
                assertThat(reasons[0]).startsWith("hash does not match the record's content");
                assertThat(reasons[1]).startsWith("hash does not match the record's content");
                assertThat(reasons[2]).startsWith("hash version 7 is not one this verifier knows (1 to 2)");
            }
            // a version 1 record's hash does not cover parentCorrelationId: a value there is reported all the same
            sql(old, "UPDATE audit_record SET parent_correlation_id = 'forged' WHERE id = ?", all.get(0).id());
            assertThat(q.verify(null, null).reason()).startsWith("a version 1 record has a parentCorrelationId");
        } finally {
            dropDatabase(old);
        }
    }

    static void sql(HikariDataSource ds, String statement, Object... params) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement(statement)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            s.executeUpdate();
        }
    }

    static void execute(HikariDataSource ds, String statement) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
