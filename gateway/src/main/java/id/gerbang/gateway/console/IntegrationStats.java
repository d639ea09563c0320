package id.gerbang.gateway.console;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.stereotype.Component;

/**
 * How the regency's applications are integrated, read from the calls on the trail (kind {@code call}) of
 * a period: which OPD calls which, how each service fares, traffic over time. Aggregated in the database
 * (the same SQL on PostgreSQL and H2), so a six-month period costs a few grouped scans, not a transfer.
 *
 * <p>A call <em>failed</em> when its answer was a 5xx (the gateway's or the upstream's); it was
 * <em>refused</em> when the gateway answered 4xx (token, access, limits). Availability is the share of
 * calls that did not fail.
 */
@Component
@DependsOnDatabaseInitialization
public class IntegrationStats {

    /** Calls from one OPD's applications to another OPD's services; {@code from} null when the caller's OPD is unknown. */
    public record Pair(String from, String to, long calls, long failed, double p95Ms) {
        public double failureRate() {
            return calls == 0 ? 0 : (double) failed / calls;
        }
    }

    /** One service's calls. */
    public record Service(String routeId, String owner, long calls, long failed, long refused, double p95Ms) {
        public double failureRate() {
            return calls == 0 ? 0 : (double) failed / calls;
        }

        public double availability() {
            return calls == 0 ? 1 : 1 - failureRate();
        }
    }

    /** Calls of one OPD's applications in one time bucket (its start); {@code opd} null when unknown. */
    public record Point(String opd, Instant bucket, long calls) {}

    /** The period's totals. */
    public record Totals(long calls, long failed, long refused, long clients, long callingOpds, long providingOpds,
            long servicesCalled) {
        public double availability() {
            return calls == 0 ? 1 : 1 - (double) failed / calls;
        }
    }

    private static final String CALLS = " FROM audit_record WHERE kind = 'call' AND request_at >= ? AND request_at < ?";
    private static final String P95 = "PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY duration_ms)";

    private final DataSource dataSource;

    public IntegrationStats(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Calls between OPDs that reached a route, busiest first. */
    public List<Pair> pairs(Instant from, Instant to) throws SQLException {
        String sql = "SELECT client_opd, owner_opd, COUNT(*), "
                + "SUM(CASE WHEN status >= 500 THEN 1 ELSE 0 END), " + P95
                + CALLS + " AND owner_opd IS NOT NULL GROUP BY client_opd, owner_opd ORDER BY 3 DESC";
        List<Pair> out = new ArrayList<>();
        query(sql, from, to, rs -> out.add(new Pair(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getDouble(5))));
        return out;
    }

    /** Every service called in the period, busiest first. */
    public List<Service> services(Instant from, Instant to) throws SQLException {
        String sql = "SELECT route_id, MAX(owner_opd), COUNT(*), SUM(CASE WHEN status >= 500 THEN 1 ELSE 0 END), "
                + "SUM(CASE WHEN status >= 400 AND status < 500 THEN 1 ELSE 0 END), " + P95
                + CALLS + " AND route_id IS NOT NULL GROUP BY route_id ORDER BY 3 DESC, 1";
        List<Service> out = new ArrayList<>();
        query(sql, from, to, rs -> out.add(new Service(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                rs.getLong(5), rs.getDouble(6))));
        return out;
    }

    /**
     * Calls per calling OPD per bucket of {@code bucketSeconds}, buckets aligned on {@code offsetSeconds}
     * east of UTC (WIB: 25200), so that days start at local midnight.
     */
    public List<Point> traffic(Instant from, Instant to, long bucketSeconds, long offsetSeconds) throws SQLException {
        String bucket = "FLOOR((EXTRACT(EPOCH FROM request_at) + " + offsetSeconds + ") / " + bucketSeconds + ")";
        String sql = "SELECT client_opd, " + bucket + ", COUNT(*)" + CALLS
                + " GROUP BY client_opd, " + bucket + " ORDER BY 2, 1";
        List<Point> out = new ArrayList<>();
        query(sql, from, to, rs -> out.add(new Point(rs.getString(1),
                Instant.ofEpochSecond(rs.getLong(2) * bucketSeconds - offsetSeconds), rs.getLong(3))));
        return out;
    }

    public Totals totals(Instant from, Instant to) throws SQLException {
        String sql = "SELECT COUNT(*), SUM(CASE WHEN status >= 500 THEN 1 ELSE 0 END), "
                + "SUM(CASE WHEN status >= 400 AND status < 500 THEN 1 ELSE 0 END), COUNT(DISTINCT client_id), "
                + "COUNT(DISTINCT client_opd), COUNT(DISTINCT owner_opd), COUNT(DISTINCT route_id)" + CALLS;
        Totals[] out = new Totals[1];
        query(sql, from, to, rs -> out[0] = new Totals(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                rs.getLong(5), rs.getLong(6), rs.getLong(7)));
        return out[0];
    }

    /** The applications (client ids) that called in the period, with their OPD and calls. */
    public List<String[]> clients(Instant from, Instant to) throws SQLException {
        String sql = "SELECT client_id, MAX(client_opd), COUNT(*)" + CALLS
                + " AND client_id IS NOT NULL GROUP BY client_id ORDER BY 1";
        List<String[]> out = new ArrayList<>();
        query(sql, from, to, rs -> out.add(new String[] {rs.getString(1), rs.getString(2), Long.toString(rs.getLong(3))}));
        return out;
    }

    @FunctionalInterface
    private interface Row {
        void accept(ResultSet rs) throws SQLException;
    }

    private void query(String sql, Instant from, Instant to, Row row) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
            s.setObject(2, OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    row.accept(rs);
                }
            }
        }
    }
}
