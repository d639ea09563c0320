package id.gerbang.gateway.policy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The shared rate-limit budgets, one row per route, client and period in the database every node uses
 * (table {@code rate_limit_budget}, migration {@code V4__rate_limit.sql}). A node takes a slice of a
 * period's budget with {@link #lease}; the row counts every call any node was granted, and is never
 * raised above the budget, so the calls all nodes admit in one period never exceed it.
 *
 * <p>Each lease is one conditional {@code UPDATE ... WHERE used + n <= budget} (atomic on PostgreSQL
 * and H2 alike: the row is locked and the condition checked again against the latest committed value),
 * preceded by an {@code INSERT} the first time a period is seen, and followed by a {@code SELECT} only
 * when the budget has less left than asked for. Plain SQL, so the same code runs on both databases.
 */
public class BudgetStore {

    private static final String UPDATE = "UPDATE rate_limit_budget SET used = used + ? "
            + "WHERE route_id = ? AND client_id = ? AND period_seconds = ? AND window_start = ? AND used + ? <= ?";
    private static final String SELECT = "SELECT used FROM rate_limit_budget "
            + "WHERE route_id = ? AND client_id = ? AND period_seconds = ? AND window_start = ?";
    private static final String INSERT = "INSERT INTO rate_limit_budget "
            + "(route_id, client_id, period_seconds, window_start, window_end, used) VALUES (?, ?, ?, ?, ?, ?)";
    private static final String PURGE = "DELETE FROM rate_limit_budget WHERE window_end < ?";
    /** A lease that keeps losing races to other nodes gives up rather than spin: the caller is refused. */
    private static final int MAX_TRIES = 8;

    private final DataSource dataSource;

    public BudgetStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Takes up to {@code wanted} calls from the budget of one period.
     *
     * @param windowStart the period's start, in seconds since the epoch (a multiple of {@code periodSeconds})
     * @param budget      the calls the period allows ({@code rateLimit.requests})
     * @return how many calls were granted: {@code wanted}, fewer when less is left, 0 when none is
     */
    public long lease(String routeId, String clientId, int periodSeconds, long windowStart, long wanted, long budget)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            long ask = Math.min(wanted, budget);
            for (int i = 0; i < MAX_TRIES && ask > 0; i++) {
                if (update(c, routeId, clientId, periodSeconds, windowStart, ask, budget)) {
                    return ask;
                }
                Long used = used(c, routeId, clientId, periodSeconds, windowStart);
                if (used == null) {
                    if (insert(c, routeId, clientId, periodSeconds, windowStart, ask)) {
                        return ask;
                    }
                    continue; // another node created the row first: take from it
                }
                ask = Math.min(ask, budget - used);
            }
            return 0;
        }
    }

    /** Deletes the rows of periods that ended before {@code epochSecond}. */
    public int purgeEndedBefore(long epochSecond) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(PURGE)) {
            c.setAutoCommit(true);
            s.setLong(1, epochSecond);
            return s.executeUpdate();
        }
    }

    private static boolean update(Connection c, String routeId, String clientId, int period, long windowStart,
            long n, long budget) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(UPDATE)) {
            s.setLong(1, n);
            s.setString(2, routeId);
            s.setString(3, clientId);
            s.setInt(4, period);
            s.setLong(5, windowStart);
            s.setLong(6, n);
            s.setLong(7, budget);
            return s.executeUpdate() == 1;
        }
    }

    private static Long used(Connection c, String routeId, String clientId, int period, long windowStart)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(SELECT)) {
            s.setString(1, routeId);
            s.setString(2, clientId);
            s.setInt(3, period);
            s.setLong(4, windowStart);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private static boolean insert(Connection c, String routeId, String clientId, int period, long windowStart, long n)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(INSERT)) {
            s.setString(1, routeId);
            s.setString(2, clientId);
            s.setInt(3, period);
            s.setLong(4, windowStart);
            s.setLong(5, windowStart + period);
            s.setLong(6, n);
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) { // unique violation, on PostgreSQL and H2 alike
                return false;
            }
            throw e;
        }
    }
}
