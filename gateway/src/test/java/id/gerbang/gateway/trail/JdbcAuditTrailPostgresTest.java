package id.gerbang.gateway.trail;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The trail's store on real PostgreSQL 17 (embedded binaries), one server for the class, one database per
 * test. "Unavailable" is the server stopped for real, then started again on the same data and port.
 */
class JdbcAuditTrailPostgresTest extends JdbcAuditTrailTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private static Path dataDir;
    private static int port;
    private static EmbeddedPostgres pg;

    @BeforeAll
    static void startPostgres() throws IOException {
        dataDir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "trail-pg-").toAbsolutePath();
        pg = start(0);
        port = pg.getPort();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        if (pg != null) {
            pg.close();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static EmbeddedPostgres start(int onPort) throws IOException {
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false);
        if (onPort > 0) {
            b.setPort(onPort);
        }
        return b.start();
    }

    @Override
    Database newDatabase() throws Exception {
        String name = "trail_" + DATABASES.incrementAndGet();
        admin(pg.getPostgresDatabase(), "CREATE DATABASE " + name);
        HikariDataSource pool = pool(pg.getJdbcUrl("postgres", name), "postgres", "");
        return new Database() {
            @Override
            public HikariDataSource pool() {
                return pool;
            }

            @Override
            public void close() throws Exception {
                pool.close();
                admin(pg.getPostgresDatabase(), "DROP DATABASE " + name + " WITH (FORCE)");
            }
        };
    }

    private static void admin(DataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /**
     * A real commit that does not return: a constraint trigger deferred to the commit waits for an advisory
     * lock this test holds, so the server itself stalls in COMMIT (pgjdbc's query timeout does not cover it).
     */
    @Override
    HungCommits hangCommits(Switch store) throws Exception {
        try (Connection c = store.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE FUNCTION hang_commit() RETURNS trigger LANGUAGE plpgsql AS "
                    + "$$ BEGIN PERFORM pg_advisory_xact_lock(4242); RETURN NULL; END $$");
            s.execute("CREATE CONSTRAINT TRIGGER hang_commit AFTER INSERT ON audit_record "
                    + "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION hang_commit()");
        }
        Connection holder = store.getConnection();
        try (Statement s = holder.createStatement()) {
            s.execute("SELECT pg_advisory_lock(4242)");
        }
        return new HungCommits() {
            @Override
            public boolean hanging() throws Exception {
                try (Connection c = store.getConnection(); Statement s = c.createStatement();
                        java.sql.ResultSet rs = s.executeQuery(
                                "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")) {
                    rs.next();
                    return rs.getInt(1) > 0;
                }
            }

            @Override
            public void close() throws Exception {
                try (holder; Statement s = holder.createStatement()) {
                    s.execute("SELECT pg_advisory_unlock(4242)");
                }
                try (Connection c = store.getConnection(); Statement s = c.createStatement()) {
                    s.execute("DROP TRIGGER hang_commit ON audit_record");
                    s.execute("DROP FUNCTION hang_commit()");
                }
            }
        };
    }

    @Override
    void storeDown(Switch store) throws IOException {
        pg.close();
    }

    @Override
    void storeUp(Switch store) throws IOException {
        pg = start(port);
    }
}
