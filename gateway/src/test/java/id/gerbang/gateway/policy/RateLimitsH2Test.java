package id.gerbang.gateway.policy;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/** The shared rate-limit budget on H2, the standalone default's database (in memory here). */
class RateLimitsH2Test extends RateLimitsTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    @Override
    Database newDatabase() {
        String url = "jdbc:h2:mem:budget-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
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
                    s.execute("SHUTDOWN");
                }
            }
        };
    }
}
