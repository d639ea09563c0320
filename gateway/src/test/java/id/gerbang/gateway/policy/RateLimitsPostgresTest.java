package id.gerbang.gateway.policy;

import id.gerbang.gateway.TestDatabases;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The shared rate-limit budget on real PostgreSQL 17 (embedded binaries): one server, a database per test. */
class RateLimitsPostgresTest extends RateLimitsTest {

    private static TestDatabases.Postgres pg;

    @BeforeAll
    static void startPostgres() throws IOException {
        pg = new TestDatabases.Postgres();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    TestDatabases.Database newDatabase() throws Exception {
        return pg.database("budget", 8);
    }
}
