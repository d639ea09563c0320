package id.gerbang.gateway.console;

import id.gerbang.gateway.TestDatabases;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The console's sessions on real PostgreSQL 17 (embedded binaries): one server, one database per test. */
class ConsoleSessionStorePostgresTest extends ConsoleSessionStoreTest {

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
        return pg.database("sessions", 4);
    }
}
