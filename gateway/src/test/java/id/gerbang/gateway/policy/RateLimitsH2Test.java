package id.gerbang.gateway.policy;

import id.gerbang.gateway.TestDatabases;

/** The shared rate-limit budget on H2, the standalone default's database (in memory here). */
class RateLimitsH2Test extends RateLimitsTest {

    @Override
    TestDatabases.Database newDatabase() {
        return TestDatabases.h2("budget", 8);
    }
}
