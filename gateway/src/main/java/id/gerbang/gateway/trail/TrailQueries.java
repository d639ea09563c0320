package id.gerbang.gateway.trail;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * The auditor's reading of the trail, in plain JDBC over the same store the trail is written to (portable
 * SQL: PostgreSQL and H2). Search with filters and paging, one record, streamed export, verification.
 *
 * <p><b>A period and the chain.</b> Records are chained in the order they are committed, which is not the
 * order of their {@code requestAt}: a slow call that began before a faster one is committed after it. So
 * the records whose {@code requestAt} lies in a period are not always a gapless stretch of a node's
 * chain. Export and verification of a period therefore take, per node, every record from the first to
 * the last sequence number among that node's records of the period: the gapless stretch that covers the
 * period. A few records at its edges may have a {@code requestAt} just outside the period (calls that
 * overlapped its start or end). Without that, an honest export would show gaps a verifier must call
 * deletions.
 */
@Component
public class TrailQueries {

    /** Fetch size for streamed reads: rows travel in chunks of this many, never all at once. */
    static final int FETCH_SIZE = 1000;

    private static final String COLUMNS = "id, kind, node, node_seq, request_at, response_at, correlation_id, "
            + "client_id, client_opd, user_id, route_id, route_version, owner_opd, method, path, query, status, "
            + "upstream_status, error_code, duration_ms, upstream_duration_ms, request_bytes, response_bytes, "
            + "request_sha256, response_sha256, detail, prev_hash, hash";
    private static final String R_COLUMNS = "r." + COLUMNS.replace(", ", ", r.");

    /**
     * Search filters; {@code null} means "any". {@code from} and {@code to} bound {@code requestAt}, half
     * open: {@code from <= requestAt < to}. {@code opd} matches the caller's OPD or the route owner's.
     */
    public record Filter(Instant from, Instant to, String client, String opd, String route, Integer status,
                         String correlationId, String kind) {
        public static final Filter ANY = new Filter(null, null, null, null, null, null, null, null);

        public static Filter period(Instant from, Instant to) {
            return new Filter(from, to, null, null, null, null, null, null);
        }
    }

    /** One page of a search: the records of the page (newest first) and how many match in all. */
    public record Page(long total, List<AuditRecord> records) {}

    /** Receives streamed records; may write them somewhere. */
    @FunctionalInterface
    public interface RecordSink {
        void accept(AuditRecord record) throws java.io.IOException;
    }

    private final DataSource dataSource;

    public TrailQueries(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Records matching the filter, newest (highest id) first; {@code page} counts from 0. */
    public Page search(Filter filter, int page, int size) throws SQLException {
        if (page < 0 || size < 1) {
            throw new IllegalArgumentException("page must be >= 0 and size >= 1");
        }
        List<Object> params = new ArrayList<>();
        String where = where(filter, params);
        try (Connection c = dataSource.getConnection()) {
            long total;
            try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM audit_record" + where)) {
                bind(s, params);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            List<AuditRecord> records = new ArrayList<>(Math.min(size, 512));
            long offset = (long) page * size;
            if (offset < total) {
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT " + COLUMNS + " FROM audit_record" + where + " ORDER BY id DESC LIMIT ? OFFSET ?")) {
                    int next = bind(s, params);
                    s.setInt(next++, size);
                    s.setLong(next, offset);
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            records.add(map(rs));
                        }
                    }
                }
            }
            return new Page(total, records);
        }
    }

    public Optional<AuditRecord> byId(long id) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM audit_record WHERE id = ?")) {
            s.setLong(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(map(rs)) : Optional.empty();
            }
        }
    }

    /**
     * Streams the records of a period (see the class comment: per node, the gapless stretch of the chain
     * covering it; the whole trail when both bounds are absent) in id order, which is each node's chain
     * order, without holding them: rows are fetched {@value #FETCH_SIZE} at a time, in one read-only
     * transaction (PostgreSQL streams with a cursor only outside autocommit).
     *
     * @return how many records were streamed
     */
    public long export(Instant from, Instant to, RecordSink sink) throws SQLException, java.io.IOException {
        List<Object> params = new ArrayList<>();
        String sql = "SELECT " + R_COLUMNS + " FROM audit_record r" + stretchOf(from, to, params) + " ORDER BY r.id";
        return stream(sql, params, sink);
    }

    /**
     * Streams the records matching a search filter, in id order, as {@link #export} does. A selection is
     * not a stretch of the chain: it cannot be verified offline on its own.
     */
    public long exportMatching(Filter filter, RecordSink sink) throws SQLException, java.io.IOException {
        List<Object> params = new ArrayList<>();
        String sql = "SELECT " + COLUMNS + " FROM audit_record" + where(filter, params) + " ORDER BY id";
        return stream(sql, params, sink);
    }

    private long stream(String sql, List<Object> params, RecordSink sink) throws SQLException, java.io.IOException {
        long count = 0;
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
                s.setFetchSize(FETCH_SIZE);
                bind(s, params);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        sink.accept(map(rs));
                        count++;
                    }
                }
            } finally {
                c.rollback(); // nothing was written; ends the read transaction and its cursor
                c.setAutoCommit(autoCommit);
            }
        }
        return count;
    }

    /**
     * Verifies a period (both bounds absent: the whole trail): the same records as {@link #export}, fed to
     * a {@link TrailVerifier} in id order, each node's stretch anchored to the node's latest record before
     * it. When a node has no record before its stretch and the stretch does not start at the node's first
     * record (sequence number 1), the records before it are gone and verification says so.
     */
    public TrailVerifier.Result verify(Instant from, Instant to) throws SQLException {
        TrailVerifier verifier = new TrailVerifier();
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                for (Map.Entry<String, Long> start : stretchStarts(c, from, to).entrySet()) {
                    anchor(c, verifier, start.getKey(), start.getValue());
                }
                List<Object> params = new ArrayList<>();
                String sql = "SELECT " + R_COLUMNS + " FROM audit_record r" + stretchOf(from, to, params) + " ORDER BY r.id";
                try (PreparedStatement s = c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
                    s.setFetchSize(FETCH_SIZE);
                    bind(s, params);
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next() && verifier.accept(map(rs))) {
                            // until the end, or the first invalid record
                        }
                    }
                }
            } finally {
                c.rollback();
                c.setAutoCommit(autoCommit);
            }
        }
        return verifier.result();
    }

    /** Per node, the first sequence number of its stretch of the period. */
    private static Map<String, Long> stretchStarts(Connection c, Instant from, Instant to) throws SQLException {
        List<Object> params = new ArrayList<>();
        String sql = "SELECT node, MIN(node_seq) FROM audit_record" + period(from, to, params) + " GROUP BY node";
        Map<String, Long> starts = new LinkedHashMap<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, params);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    starts.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return starts;
    }

    private static void anchor(Connection c, TrailVerifier verifier, String node, long firstSeq) throws SQLException {
        if (firstSeq <= 1) {
            return; // the verifier anchors a node's first record to the genesis hash itself
        }
        try (PreparedStatement s = c.prepareStatement("SELECT node_seq, hash FROM audit_record "
                + "WHERE node = ? AND node_seq < ? ORDER BY node_seq DESC LIMIT 1")) {
            s.setString(1, node);
            s.setLong(2, firstSeq);
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    verifier.anchor(node, rs.getLong(1), rs.getString(2));
                    return;
                }
            }
        }
        try (PreparedStatement s = c.prepareStatement(
                "SELECT through_seq, through_hash, purged_before FROM trail_checkpoint WHERE node = ?")) {
            s.setString(1, node);
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    // the records before were purged under the retention period: link to their checkpoint
                    verifier.anchor(node, rs.getLong(1), rs.getString(2));
                    verifier.note("node " + node + " starts after its retention checkpoint (records 1 to "
                            + rs.getLong(1) + ", begun before "
                            + RecordHash.format(rs.getObject(3, java.time.OffsetDateTime.class).toInstant())
                            + ", were purged)");
                    return;
                }
            }
        }
        // nothing before the stretch although it does not start the chain: records 1.. are gone
        verifier.anchor(node, 0, AuditRecord.GENESIS);
    }

    /** A join restricting {@code r} to, per node, every record between the node's first and last of the period. */
    private static String stretchOf(Instant from, Instant to, List<Object> params) {
        if (from == null && to == null) {
            return "";
        }
        return " JOIN (SELECT node, MIN(node_seq) AS lo, MAX(node_seq) AS hi FROM audit_record"
                + period(from, to, params) + " GROUP BY node) p"
                + " ON r.node = p.node AND r.node_seq >= p.lo AND r.node_seq <= p.hi";
    }

    private static String period(Instant from, Instant to, List<Object> params) {
        StringBuilder where = new StringBuilder();
        if (from != null) {
            where.append(" WHERE request_at >= ?");
            params.add(from);
        }
        if (to != null) {
            where.append(from == null ? " WHERE" : " AND").append(" request_at < ?");
            params.add(to);
        }
        return where.toString();
    }

    private static String where(Filter f, List<Object> params) {
        List<String> terms = new ArrayList<>();
        if (f.from() != null) {
            terms.add("request_at >= ?");
            params.add(f.from());
        }
        if (f.to() != null) {
            terms.add("request_at < ?");
            params.add(f.to());
        }
        if (f.client() != null) {
            terms.add("client_id = ?");
            params.add(f.client());
        }
        if (f.opd() != null) {
            terms.add("(client_opd = ? OR owner_opd = ?)");
            params.add(f.opd());
            params.add(f.opd());
        }
        if (f.route() != null) {
            terms.add("route_id = ?");
            params.add(f.route());
        }
        if (f.status() != null) {
            terms.add("status = ?");
            params.add(f.status());
        }
        if (f.correlationId() != null) {
            terms.add("correlation_id = ?");
            params.add(f.correlationId());
        }
        if (f.kind() != null) {
            terms.add("kind = ?");
            params.add(f.kind());
        }
        return terms.isEmpty() ? "" : " WHERE " + String.join(" AND ", terms);
    }

    /** Binds the parameters in order; returns the next free index. */
    private static int bind(PreparedStatement s, List<Object> params) throws SQLException {
        int i = 1;
        for (Object p : params) {
            if (p instanceof Instant t) {
                s.setObject(i++, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
            } else if (p instanceof Integer n) {
                s.setInt(i++, n);
            } else {
                s.setString(i++, (String) p);
            }
        }
        return i;
    }

    /** A row as the record it stores, absent values kept absent. */
    static AuditRecord map(ResultSet rs) throws SQLException {
        return new AuditRecord(
                rs.getLong("id"),
                rs.getString("kind"),
                rs.getString("node"),
                rs.getLong("node_seq"),
                instant(rs, "request_at"),
                instant(rs, "response_at"),
                rs.getString("correlation_id"),
                rs.getString("client_id"),
                rs.getString("client_opd"),
                rs.getString("user_id"),
                rs.getString("route_id"),
                longOrNull(rs, "route_version"),
                rs.getString("owner_opd"),
                rs.getString("method"),
                rs.getString("path"),
                rs.getString("query"),
                intOrNull(rs, "status"),
                intOrNull(rs, "upstream_status"),
                rs.getString("error_code"),
                longOrNull(rs, "duration_ms"),
                longOrNull(rs, "upstream_duration_ms"),
                longOrNull(rs, "request_bytes"),
                longOrNull(rs, "response_bytes"),
                rs.getString("request_sha256"),
                rs.getString("response_sha256"),
                rs.getString("detail"),
                rs.getString("prev_hash"),
                rs.getString("hash"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static Long longOrNull(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private static Integer intOrNull(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }
}
