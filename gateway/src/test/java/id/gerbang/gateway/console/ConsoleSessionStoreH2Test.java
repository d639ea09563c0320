package id.gerbang.gateway.console;

import id.gerbang.gateway.TestDatabases;

/** The console's sessions on H2, the standalone default's database (in memory here). */
class ConsoleSessionStoreH2Test extends ConsoleSessionStoreTest {

    @Override
    TestDatabases.Database newDatabase() {
        return TestDatabases.h2("sessions", 4);
    }
}
