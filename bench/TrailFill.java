import id.gerbang.gateway.trail.AuditRecord;
import id.gerbang.gateway.trail.TrailEntry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.flywaydb.core.Flyway;

/**
 * Fills an empty trail store with a large, valid trail, quickly: the schema by the gateway's own Flyway
 * migrations, then {@code count} call records of the given nodes in turn, {@code spacingMillis} apart from
 * {@code start}, each hashed and chained by the gateway's own {@code AuditRecord.chain}, inserted in
 * batched transactions. Run with the unpacked jar on the class path (bench/trail-period.sh):
 *
 *   java -cp 'jar/gerbang.jar:jar/lib/*' bench/TrailFill.java URL USER PASSWORD NODE[,NODE...] COUNT SPACING_MS START
 */
public class TrailFill {

    static final String INSERT = "INSERT INTO audit_record (kind, node, node_seq, request_at, response_at, "
            + "correlation_id, client_id, client_opd, user_id, route_id, route_version, owner_opd, method, path, "
            + "query, status, upstream_status, error_code, duration_ms, upstream_duration_ms, request_bytes, "
            + "response_bytes, request_sha256, response_sha256, detail, prev_hash, hash) "
            + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        String password = args[2];
        String[] nodes = args[3].split(",");
        int count = Integer.parseInt(args[4]);
        long spacing = Long.parseLong(args[5]);
        Instant start = Instant.parse(args[6]);
        Flyway.configure().dataSource(url, user, password).locations("classpath:db/migration").load().migrate();
        Map<String, AuditRecord> heads = new HashMap<>();
        long began = System.nanoTime();
        try (Connection c = DriverManager.getConnection(url, user, password); PreparedStatement s = c.prepareStatement(INSERT)) {
            c.setAutoCommit(false);
            for (int i = 0; i < count; i++) {
                String node = nodes[i % nodes.length];
                Instant at = start.plusMillis(i * spacing);
                TrailEntry e = new TrailEntry(TrailEntry.Kind.CALL, at, at.plusMillis(40), "fill-" + i, "dinkes-simpus",
                        "dinkes", "petugas-07", "disdukcapil-penduduk", 2L, "disdukcapil", "GET",
                        "/api/disdukcapil/penduduk/140401**********", "nik=***&page=1", 200, 200, null, 40L, 31L, 0L,
                        512L, null, "ab".repeat(32), null);
                AuditRecord head = heads.get(node);
                AuditRecord r = AuditRecord.chain(e, node, head == null ? 1 : head.nodeSeq() + 1,
                        head == null ? AuditRecord.GENESIS : head.hash());
                heads.put(node, r);
                Object[] v = {r.kind(), r.node(), r.nodeSeq(), time(r.requestAt()), time(r.responseAt()), r.correlationId(),
                    r.clientId(), r.clientOpd(), r.userId(), r.routeId(), r.routeVersion(), r.ownerOpd(), r.method(),
                    r.path(), r.query(), r.status(), r.upstreamStatus(), r.errorCode(), r.durationMs(),
                    r.upstreamDurationMs(), r.requestBytes(), r.responseBytes(), r.requestSha256(), r.responseSha256(),
                    r.detail(), r.prevHash(), r.hash()};
                for (int p = 0; p < v.length; p++) {
                    if (v[p] == null) {
                        s.setNull(p + 1, Types.NULL);
                    } else {
                        s.setObject(p + 1, v[p]);
                    }
                }
                s.addBatch();
                if ((i + 1) % 5000 == 0) {
                    s.executeBatch();
                    c.commit();
                }
            }
            s.executeBatch();
            c.commit();
            if (url.startsWith("jdbc:postgresql:")) {
                c.setAutoCommit(true);
                try (var a = c.createStatement()) {
                    a.execute("ANALYZE audit_record"); // what autovacuum would have done by now
                }
            }
        }
        System.err.printf("filled %d records of %d node(s) in %.0f s%n", count, nodes.length, (System.nanoTime() - began) / 1e9);
    }

    private static OffsetDateTime time(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
