package id.gerbang.gateway.trail;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The auditor's queries on real PostgreSQL (embedded binaries): one server, one database per test. */
class TrailQueriesPostgresTest extends TrailQueriesTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres pg;

    @BeforeAll
    static void startPostgres() throws IOException {
        pg = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    HikariDataSource newDatabase() throws Exception {
        String name = "queries_" + DATABASES.incrementAndGet();
        try (var c = pg.getPostgresDatabase().getConnection(); var s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return pool(pg.getJdbcUrl("postgres", name), "postgres", "");
    }

    @Override
    void dropDatabase(HikariDataSource db) throws Exception {
        String name = db.getJdbcUrl().replaceAll(".*/([a-z_0-9]+).*", "$1");
        db.close();
        try (var c = pg.getPostgresDatabase().getConnection(); var s = c.createStatement()) {
            s.execute("DROP DATABASE " + name + " WITH (FORCE)");
        }
    }
}
