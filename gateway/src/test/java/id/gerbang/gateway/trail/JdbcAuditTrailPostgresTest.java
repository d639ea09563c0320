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

    @Override
    void storeDown(Switch store) throws IOException {
        pg.close();
    }

    @Override
    void storeUp(Switch store) throws IOException {
        pg = start(port);
    }
}
