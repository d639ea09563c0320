package id.gerbang.gateway.registry;

import id.gerbang.gateway.TestDatabases;

/** The registry's store on H2, the standalone default's database (in memory here). */
class RegistryStoreH2Test extends RegistryStoreTest {

    @Override
    TestDatabases.Database newDatabase() {
        return TestDatabases.h2("registry", 10);
    }
}
