package id.gerbang.gateway.trail;

import id.gerbang.gateway.TestDatabases;

/** Node-name leases on H2, the standalone default's database (in memory here). */
class NodeLeaseH2Test extends NodeLeaseTest {

    @Override
    TestDatabases.Database newDatabase() {
        return TestDatabases.h2("lease", 6);
    }
}
