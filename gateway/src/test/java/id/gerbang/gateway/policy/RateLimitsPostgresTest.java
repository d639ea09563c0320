package id.gerbang.gateway.policy;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The shared rate-limit budget on real PostgreSQL 17 (embedded binaries): one server, a database per test. */
class RateLimitsPostgresTest extends RateLimitsTest {

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
    Database newDatabase() throws Exception {
        String name = "budget_" + DATABASES.incrementAndGet();
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
}
