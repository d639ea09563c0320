package id.gerbang.gateway.trail;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The trail's store on H2, the standalone default's database (in memory here). H2 in-process cannot be
 * stopped under a running pool, so "unavailable" is a data source that refuses connections.
 */
class JdbcAuditTrailH2Test extends JdbcAuditTrailTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    @Override
    Database newDatabase() {
        String url = "jdbc:h2:mem:trail-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
        HikariDataSource pool = pool(url, "gerbang", "");
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

    /** H2 in-process has no commit to stall from outside: the JDBC connection's commit waits on a latch. */
    @Override
    HungCommits hangCommits(Switch store) {
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        store.commitGate = gate;
        return new HungCommits() {
            @Override
            public boolean hanging() {
                return store.commitsHanging.get() > 0;
            }

            @Override
            public void close() {
                store.commitGate = null;
                gate.countDown();
            }
        };
    }

    @Override
    void storeDown(Switch store) {
        store.down = true;
    }

    @Override
    void storeUp(Switch store) {
        store.down = false;
    }
}
