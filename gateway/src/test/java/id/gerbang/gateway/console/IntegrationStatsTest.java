package id.gerbang.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.gateway.TestDatabases;
import id.gerbang.gateway.trail.JdbcAuditTrail;
import id.gerbang.gateway.trail.TrailEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The integration map's figures from a known trail, on H2 here and on PostgreSQL in the browser tests
 * ({@code ConsoleIT}): the same SQL (ordered-set percentile, epoch buckets) runs on both.
 */
class IntegrationStatsTest {

    static final Instant T = Instant.parse("2026-11-27T01:30:00Z"); // 08:30 WIB
    static TestDatabases.Database db;
    static IntegrationStats stats;

    @BeforeAll
    static void trail() throws Exception {
        db = TestDatabases.h2("stats", 4);
        try (JdbcAuditTrail trail = new JdbcAuditTrail(db.pool(), "n1", 512, 1000, Duration.ofSeconds(10))) {
            for (int i = 0; i < 10; i++) {
                trail.record(call(T.plusSeconds(i * 600), "dinkes-simpus", "dinkes", "disdukcapil-penduduk", "disdukcapil",
                        i < 2 ? 502 : 200, 10 + i * 10));
            }
            for (int i = 0; i < 4; i++) {
                trail.record(call(T.plusSeconds(7200 + i), "bapenda-sipd", "bapenda", "disdukcapil-penduduk", "disdukcapil",
                        i == 0 ? 403 : 200, 5));
            }
            trail.record(call(T.minusSeconds(86_400 * 3), "bapenda-sipd", "bapenda", "dpmptsp-izin", "dpmptsp", 200, 5)); // outside
        }
        stats = new IntegrationStats(db.pool());
    }

    @AfterAll
    static void drop() throws Exception {
        db.close();
    }

    static TrailEntry call(Instant at, String client, String opd, String route, String owner, int status, long ms) {
        return new TrailEntry(TrailEntry.Kind.CALL, at, at.plusMillis(ms), "c-" + at.toEpochMilli() + status, client, opd, null,
                route, 1L, owner, "GET", "/api/x", null, status, status == 200 ? 200 : null, null, ms, null, 0L, 0L, null, null, null);
    }

    @Test
    void countsCallsFailuresAndP95PerPairOfOpds() throws Exception {
        List<IntegrationStats.Pair> pairs = stats.pairs(T.minusSeconds(60), T.plusSeconds(86_400));

        assertThat(pairs).extracting(IntegrationStats.Pair::from, IntegrationStats.Pair::to, IntegrationStats.Pair::calls,
                IntegrationStats.Pair::failed).containsExactly(
                org.assertj.core.groups.Tuple.tuple("dinkes", "disdukcapil", 10L, 2L),
                org.assertj.core.groups.Tuple.tuple("bapenda", "disdukcapil", 4L, 0L));
        assertThat(pairs.get(0).p95Ms()).isBetween(90.0, 100.0);
        assertThat(pairs.get(0).failureRate()).isEqualTo(0.2);
    }

    @Test
    void totalsAndServicesOfThePeriodOnly() throws Exception {
        IntegrationStats.Totals t = stats.totals(T.minusSeconds(60), T.plusSeconds(86_400));

        assertThat(t.calls()).isEqualTo(14);
        assertThat(t.failed()).isEqualTo(2);
        assertThat(t.refused()).isEqualTo(1);
        assertThat(t.clients()).isEqualTo(2);
        assertThat(t.servicesCalled()).isEqualTo(1);
        assertThat(t.availability()).isEqualTo(1 - 2.0 / 14);
        assertThat(stats.services(T.minusSeconds(60), T.plusSeconds(86_400))).singleElement()
                .satisfies(s -> assertThat(s.refused()).isEqualTo(1));
    }

    @Test
    void callsOfNoKnownOpdHaveNoOpdNotAMadeUpOne() throws Exception {
        Instant later = T.plus(Duration.ofDays(30));
        try (JdbcAuditTrail trail = new JdbcAuditTrail(db.pool(), "n2", 512, 1000, Duration.ofSeconds(10))) {
            trail.record(call(later, null, null, null, null, 401, 1)); // no valid token: no client, no OPD
            trail.record(call(later.plusSeconds(1), "dinkes-simpus", null, "disdukcapil-penduduk", "disdukcapil", 200, 1));
        }

        assertThat(stats.traffic(later, later.plusSeconds(60), 3600, 7 * 3600)).singleElement()
                .satisfies(p -> assertThat(p.opd()).isNull())
                .satisfies(p -> assertThat(p.calls()).isEqualTo(2));
        assertThat(stats.pairs(later, later.plusSeconds(60))).singleElement()
                .satisfies(p -> assertThat(p.from()).isNull());
    }

    @Test
    void trafficIsBucketedOnLocalHours() throws Exception {
        List<IntegrationStats.Point> points = stats.traffic(T.minusSeconds(60), T.plusSeconds(86_400), 3600, 7 * 3600);

        assertThat(points).filteredOn(p -> p.opd().equals("dinkes")).extracting(IntegrationStats.Point::bucket,
                IntegrationStats.Point::calls).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-11-27T01:00:00Z"), 3L),
                org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-11-27T02:00:00Z"), 6L),
                org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-11-27T03:00:00Z"), 1L));
    }
}
