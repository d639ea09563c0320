import id.gerbang.gateway.trail.AuditRecord;
import id.gerbang.gateway.trail.TrailEntry;
import id.gerbang.gateway.trail.TrailField;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
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
        try (Connection c = DriverManager.getConnection(url, user, password); PreparedStatement s = c.prepareStatement(TrailField.INSERT)) {
            c.setAutoCommit(false);
            for (int i = 0; i < count; i++) {
                String node = nodes[i % nodes.length];
                Instant at = start.plusMillis(i * spacing);
                TrailEntry e = TrailEntry.call(at).respondedAt(at.plusMillis(40)).correlationId("fill-" + i)
                        .caller("dinkes-simpus", "dinkes", "petugas-07").route("disdukcapil-penduduk", 2L, "disdukcapil")
                        .request("GET", "/api/disdukcapil/penduduk/140401**********", "nik=***&page=1")
                        .answer(200, 200, null).durations(40L, 31L).requestBody(0L, null)
                        .responseBody(512L, "ab".repeat(32)).build();
                AuditRecord head = heads.get(node);
                AuditRecord r = AuditRecord.chain(e, node, head == null ? 1 : head.nodeSeq() + 1,
                        head == null ? AuditRecord.GENESIS : head.hash());
                heads.put(node, r);
                TrailField.bind(s, r);
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
}
