package id.gerbang.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.GatewayException;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import id.gerbang.gateway.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared rate-limit budget, the same body on H2 ({@link RateLimitsH2Test}) and real PostgreSQL
 * ({@link RateLimitsPostgresTest}), on the schema Flyway applies in production. "Nodes" are separate
 * {@link RateLimits} instances over one database, as separate processes would be; time is a clock the test
 * moves, so nothing depends on how fast the machine is.
 */
abstract class RateLimitsTest {

    /** 2026-11-27T03:00:00Z plus a little: a period of 60 s starts on the minute. */
    static final long START = Instant.parse("2026-11-27T03:00:10Z").toEpochMilli();

    /** A fresh database with the schema, for one test; dropped after it. */
    abstract TestDatabases.Database newDatabase() throws Exception;

    TestDatabases.Database db;
    final MovableClock clock = new MovableClock(START);

    @BeforeEach
    void migrate() throws Exception {
        db = newDatabase();
    }

    @AfterEach
    void drop() throws Exception {
        db.close();
    }

    /** A node's limiter, with a store that counts its round trips. */
    RateLimits node(CountingStore store) {
        return new RateLimits(store, clock, new SimpleMeterRegistry());
    }

    // -------------------------------------------------------------------------------------------- tests

    @Test
    void twoNodesUnderConcurrentLoadAdmitExactlyTheBudgetOfAPeriod() throws Exception {
        CountingStore storeA = new CountingStore(db.pool());
        CountingStore storeB = new CountingStore(db.pool());
        List<RateLimits> nodes = List.of(node(storeA), node(storeB));
        int budget = 200;

        List<Long> outcomes = hammer(nodes, "dinkes-simpus", budget, 60, 8, 100); // 800 calls for 200

        assertThat(outcomes.stream().filter(r -> r == 0).count()).as("admitted calls").isEqualTo(budget);
        assertThat(outcomes.stream().filter(r -> r > 0)).as("Retry-After of refused calls: seconds to the next period")
                .hasSize(600).allSatisfy(r -> assertThat(r).isEqualTo(50L));
        assertThat(used("r-budget", "dinkes-simpus")).isEqualTo(budget);
    }

    @Test
    void aBusyClientCostsAFewRoundTripsAPeriodNotOnePerCall() throws Exception {
        CountingStore store = new CountingStore(db.pool());
        RateLimits node = node(store);

        for (int i = 0; i < 1600; i++) {
            assertThat(node.trySpend("r-busy", "dpmptsp-sicantik", 1600, 60)).isZero();
        }
        assertThat(node.trySpend("r-busy", "dpmptsp-sicantik", 1600, 60)).isPositive();
        // slices of 1, 2, 4, ... 64, then 100 (1600 / 16): 7 + 15 leases, and one that finds nothing left
        assertThat(store.leases.get()).isLessThan(30);
    }

    @Test
    void aNewPeriodBringsAFreshBudgetAndAnEndedOneIsPurged() throws Exception {
        RateLimits node = node(new CountingStore(db.pool()));
        for (int i = 0; i < 3; i++) {
            assertThat(node.trySpend("r-period", "bapenda-sipd", 3, 60)).isZero();
        }
        assertThat(node.trySpend("r-period", "bapenda-sipd", 3, 60)).isEqualTo(50);

        clock.advance(50_000); // 03:01:00, a new period
        assertThat(node.trySpend("r-period", "bapenda-sipd", 3, 60)).isZero();
        assertThat(rows()).isEqualTo(2);

        clock.advance(180_000); // both periods ended more than a minute ago
        node.purge();
        assertThat(rows()).isZero();
    }

    @Test
    void clientsAndRoutesHaveBudgetsOfTheirOwn() throws Exception {
        RateLimits node = node(new CountingStore(db.pool()));
        assertThat(node.trySpend("r-own", "dinkes-simpus", 1, 3600)).isZero();
        assertThat(node.trySpend("r-own", "dinkes-simpus", 1, 3600)).isPositive();
        assertThat(node.trySpend("r-own", "bapenda-sipd", 1, 3600)).isZero();
        assertThat(node.trySpend("r-other", "dinkes-simpus", 1, 3600)).isZero();
    }

    @Test
    void aClientsSecondCallIsNotHeldBehindTheFirstsDatabaseRoundTrip() throws Exception {
        CountDownLatch firstInStore = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        AtomicBoolean holdNext = new AtomicBoolean(true);
        RateLimits node = new RateLimits(new BudgetStore(db.pool()) {
            @Override
            public long lease(String routeId, String clientId, int periodSeconds, long windowStart, long wanted,
                    long budget) throws SQLException {
                if (holdNext.compareAndSet(true, false)) {
                    firstInStore.countDown();
                    try {
                        releaseFirst.await(); // a slow round trip, as long as the test wants
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.lease(routeId, clientId, periodSeconds, windowStart, wanted, budget);
            }
        }, clock, new SimpleMeterRegistry());
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            Future<Long> first = callers.submit(() -> node.trySpend("r-slow", "dinkes-simpus", 100, 60));
            firstInStore.await();

            Future<Long> second = callers.submit(() -> node.trySpend("r-slow", "dinkes-simpus", 100, 60));

            await().untilAsserted(() -> assertThat(second).as("answered while the first is still in the database")
                    .isDone());
            assertThat(first).isNotDone();
            assertThat(second.get()).isZero();
            releaseFirst.countDown();
            assertThat(first.get()).isZero();
        } finally {
            releaseFirst.countDown();
            callers.shutdownNow();
        }
        assertThat(used("r-slow", "dinkes-simpus")).as("a slice each: 1 and 2").isEqualTo(3);
    }

    /**
     * Calls arriving together lease slices side by side, and the row can run out for the last of them while
     * the first ones' slices are still on their way back. A call whose slice came back empty must wait for
     * those rather than be refused: 32 calls at once on a budget of 40 a minute are all admitted. (The
     * store here hands its grants back slowly and its refusals at once, the order in which a call was
     * refused 429 while its node was about to hold most of the period's budget.)
     */
    @Test
    void callsArrivingTogetherAreNotRefusedWhileTheirNodesSlicesAreStillOnTheirWay() throws Exception {
        RateLimits node = new RateLimits(new BudgetStore(db.pool()) {
            @Override
            public long lease(String routeId, String clientId, int periodSeconds, long windowStart, long wanted,
                    long budget) throws SQLException {
                long granted = super.lease(routeId, clientId, periodSeconds, windowStart, wanted, budget);
                if (granted > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(java.time.Duration.ofMillis(150).toNanos());
                }
                return granted;
            }
        }, clock, new SimpleMeterRegistry());
        int callers = 32;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Long>> calls = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                calls.add(pool.submit(() -> {
                    start.await();
                    return node.trySpend("r-burst", "dinkes-simpus", 40, 60);
                }));
            }
            start.countDown();
            for (Future<Long> call : calls) {
                assertThat(call.get(60, java.util.concurrent.TimeUnit.SECONDS))
                        .as("Retry-After of a call refused with 8 of the period's 40 calls to spare").isZero();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(used("r-burst", "dinkes-simpus")).as("calls leased by the node").isBetween(32L, 40L);
    }

    @Test
    void leasesRacingForOneRowNeverGrantMoreThanTheBudget() throws Exception {
        BudgetStore store = new BudgetStore(db.pool());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Long>> granted = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                int wanted = 1 + i % 7;
                granted.add(pool.submit(() -> store.lease("r-race", "dinkes-simpus", 60, 0, wanted, 100)));
            }
            long total = 0;
            for (Future<Long> f : granted) {
                total += f.get();
            }
            assertThat(total).isEqualTo(100); // 64 leases want 253 in all
        } finally {
            pool.shutdownNow();
        }
        assertThat(used("r-race", "dinkes-simpus")).isEqualTo(100);
    }

    @Test
    void aRouteWithoutRateLimitIsNotLimitedAndARefusalIsA429WithRetryAfter() throws Exception {
        RateLimits node = node(new CountingStore(db.pool()));
        Route free = route(null);
        for (int i = 0; i < 5; i++) {
            node.spend(free, "dinkes-simpus");
        }
        assertThat(rows()).isZero();

        Route limited = route(new RouteDefinition.RateLimit(1, 60));
        node.spend(limited, "dinkes-simpus");
        assertThatThrownBy(() -> node.spend(limited, "dinkes-simpus")).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
            assertThat(e.retryAfterSeconds()).isEqualTo(50);
        });
    }

    @Test
    void whenTheStoreCannotBeReachedTheCallIsRefusedNotAdmitted() throws Exception {
        HikariDataSource gone = TestDatabases.pool(db.pool().getJdbcUrl(), db.pool().getUsername(), db.pool().getPassword(), 8);
        gone.close();
        RateLimits node = node(new CountingStore(gone));

        assertThatThrownBy(() -> node.spend(route(new RouteDefinition.RateLimit(10, 60)), "dinkes-simpus"))
                .isInstanceOfSatisfying(GatewayException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.AUDIT_UNAVAILABLE));
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** {@code callsPerThread} calls on each of {@code threads} threads, alternating between the nodes. */
    private List<Long> hammer(List<RateLimits> nodes, String client, int budget, int period, int threads,
            int callsPerThread) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                Callable<List<Long>> work = () -> {
                    List<Long> mine = new ArrayList<>();
                    for (int i = 0; i < callsPerThread; i++) {
                        mine.add(nodes.get((first + i) % nodes.size()).trySpend("r-budget", client, budget, period));
                    }
                    return mine;
                };
                results.add(pool.submit(work));
            }
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> f : results) {
                all.addAll(f.get());
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Route route(RouteDefinition.RateLimit limit) {
        return Route.from(new RouteDefinition("r-limited", "bapenda", null, null, "/bapenda/status", List.of("GET"),
                new RouteDefinition.Upstream("http://127.0.0.1:9/x", null), null, limit, null, null, null, null, null), 1);
    }

    private long used(String route, String client) throws SQLException {
        try (Connection c = db.pool().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT SUM(used) FROM rate_limit_budget WHERE route_id = '" + route
                        + "' AND client_id = '" + client + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long rows() throws SQLException {
        try (Connection c = db.pool().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM rate_limit_budget")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A store that counts its leases (database round trips). */
    static final class CountingStore extends BudgetStore {
        final AtomicInteger leases = new AtomicInteger();

        CountingStore(DataSource dataSource) {
            super(dataSource);
        }

        @Override
        public long lease(String routeId, String clientId, int periodSeconds, long windowStart, long wanted, long budget)
                throws SQLException {
            leases.incrementAndGet();
            return super.lease(routeId, clientId, periodSeconds, windowStart, wanted, budget);
        }
    }

    /** A clock that stands still until the test moves it. */
    static final class MovableClock extends Clock {
        private final AtomicLong millis;

        MovableClock(long millis) {
            this.millis = new AtomicLong(millis);
        }

        void advance(long by) {
            millis.addAndGet(by);
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
