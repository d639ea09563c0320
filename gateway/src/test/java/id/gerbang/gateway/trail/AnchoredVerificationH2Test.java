package id.gerbang.gateway.trail;

import id.gerbang.gateway.TestDatabases;

class AnchoredVerificationH2Test extends AnchoredVerificationTest {

    @Override
    TestDatabases.Database newDatabase() {
        return TestDatabases.h2("anchored", 4);
    }
}
