package id.gerbang.gateway.trail;

import com.zaxxer.hikari.HikariDataSource;
import java.util.concurrent.atomic.AtomicInteger;

/** The auditor's queries on H2, the standalone default's database (in memory here). */
class TrailQueriesH2Test extends TrailQueriesTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    @Override
    HikariDataSource newDatabase() {
        return pool("jdbc:h2:mem:queries-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1", "gerbang", "");
    }

    @Override
    void dropDatabase(HikariDataSource db) throws Exception {
        try {
            execute(db, "SHUTDOWN");
        } catch (java.sql.SQLException e) {
            // the pool's connection cannot be handed back once the database is shut down: expected
        }
        db.close();
    }
}
