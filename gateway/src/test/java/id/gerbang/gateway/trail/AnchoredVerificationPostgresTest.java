package id.gerbang.gateway.trail;

import id.gerbang.gateway.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class AnchoredVerificationPostgresTest extends AnchoredVerificationTest {

    private static TestDatabases.Postgres server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestDatabases.Postgres();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Override
    TestDatabases.Database newDatabase() throws Exception {
        return server.database("anchored", 4);
    }
}
