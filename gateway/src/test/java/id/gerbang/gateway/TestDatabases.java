package id.gerbang.gateway;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Fresh databases for tests of the stores, with Gerbang's schema: H2 in memory (the standalone default's
 * engine) and real PostgreSQL 17 from embedded binaries (production's), one database per test.
 */
public final class TestDatabases {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private TestDatabases() {}

    /** A database of its own, dropped on close. */
    public interface Database extends AutoCloseable {
        HikariDataSource pool();
    }

    public static HikariDataSource pool(String url, String user, String password, int size) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        c.setUsername(user);
        c.setPassword(password);
        c.setMaximumPoolSize(size);
        return new HikariDataSource(c);
    }

    /** Applies the schema, as a node does at start-up. */
    public static void migrate(DataSource db) {
        Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
    }

    /** A fresh in-memory H2 database with the schema. */
    public static Database h2(String prefix, int poolSize) {
        String url = "jdbc:h2:mem:" + prefix + "-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
        HikariDataSource pool = pool(url, "gerbang", "", poolSize);
        migrate(pool);
        return new Database() {
            @Override
            public HikariDataSource pool() {
                return pool;
            }

            @Override
            public void close() throws Exception {
                pool.close();
                try (Connection c = DriverManager.getConnection(url, "gerbang", ""); Statement s = c.createStatement()) {
                    s.execute("SHUTDOWN"); // frees the in-memory database
                }
            }
        };
    }

    /** A PostgreSQL server for a test class; each {@link #database} is a fresh one on it. */
    public static final class Postgres implements AutoCloseable {
        private final EmbeddedPostgres pg;

        public Postgres() throws IOException {
            pg = EmbeddedPostgres.builder().start();
        }

        /** A fresh database with the schema, dropped on close. */
        public Database database(String prefix, int poolSize) throws Exception {
            String name = prefix + "_" + DATABASES.incrementAndGet();
            admin("CREATE DATABASE " + name);
            HikariDataSource pool = pool(pg.getJdbcUrl("postgres", name), "postgres", "", poolSize);
            migrate(pool);
            return new Database() {
                @Override
                public HikariDataSource pool() {
                    return pool;
                }

                @Override
                public void close() throws Exception {
                    pool.close();
                    admin("DROP DATABASE " + name + " WITH (FORCE)");
                }
            };
        }

        private void admin(String sql) throws Exception {
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute(sql);
            }
        }

        @Override
        public void close() throws IOException {
            pg.close();
        }
    }
}
