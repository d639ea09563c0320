package id.gerbang.gateway.trail;

import id.gerbang.gateway.TestDatabases;

class TrailAnchorStoreH2Test extends TrailAnchorStoreTest {

    @Override
    TestDatabases.Database newDatabase() {
        return TestDatabases.h2("anchor", 4);
    }
}
