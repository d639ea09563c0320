package id.gerbang.gateway.trail;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * The signed checkpoints and the published verifier keys in the trail's database (V5 migration): what
 * the nodes signed and what they say their keys are. A copy for serving, never a trust root: whoever
 * checks a checkpoint checks its signature against keys kept elsewhere (docs/trail.md, "Anchoring").
 */
@Component
public class TrailCheckpoints {

    /** A verifier key a node published, and when it was introduced. */
    public record PublishedKey(String node, String verifierKey, Instant introducedAt) {}

    private static final String COLUMNS = "id, node, tree_size, root_hash, signed_at, note, timestamp_token, stamped_at";

    private final DataSource dataSource;

    public TrailCheckpoints(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Keeps a checkpoint just signed, not yet stamped; returns its id. */
    public long insert(String node, long treeSize, byte[] rootHash, Instant time, String note) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "INSERT INTO trail_signed_checkpoint (node, tree_size, root_hash, signed_at, note) VALUES (?, ?, ?, ?, ?)",
                        new String[] {"id"})) {
            s.setString(1, node);
            s.setLong(2, treeSize);
            s.setBytes(3, rootHash);
            s.setObject(4, OffsetDateTime.ofInstant(time, ZoneOffset.UTC));
            s.setString(5, note);
            s.executeUpdate();
            try (ResultSet keys = s.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /** Adds a checkpoint's RFC 3161 timestamp token. */
    public void stamp(long id, byte[] token, Instant stampedAt) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "UPDATE trail_signed_checkpoint SET timestamp_token = ?, stamped_at = ? WHERE id = ?")) {
            s.setBytes(1, token);
            s.setObject(2, OffsetDateTime.ofInstant(stampedAt, ZoneOffset.UTC));
            s.setLong(3, id);
            s.executeUpdate();
        }
    }

    /** The node's checkpoints not yet timestamped, oldest first, at most {@code limit}. */
    public List<StoredCheckpoint> unstamped(String node, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS
                + " FROM trail_signed_checkpoint WHERE node = ? AND timestamp_token IS NULL ORDER BY signed_at, id LIMIT " + Math.max(0, limit))) {
            s.setString(1, node);
            List<StoredCheckpoint> found = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    found.add(row(rs));
                }
            }
            return found;
        }
    }

    /** The node's latest checkpoint: the largest tree, the last signed of that size. */
    public Optional<StoredCheckpoint> latest(String node) throws SQLException {
        return one("SELECT " + COLUMNS + " FROM trail_signed_checkpoint WHERE node = ? "
                + "ORDER BY tree_size DESC, signed_at DESC, id DESC LIMIT 1", node, null);
    }

    /** The first checkpoint that covers the node's record {@code nodeSeq} (the smallest tree that holds it). */
    public Optional<StoredCheckpoint> firstCovering(String node, long nodeSeq) throws SQLException {
        return one("SELECT " + COLUMNS + " FROM trail_signed_checkpoint WHERE node = ? AND tree_size >= ? "
                + "ORDER BY tree_size, signed_at, id LIMIT 1", node, nodeSeq);
    }

    /**
     * Checkpoints signed in {@code [from, to)} ({@code null}: unbounded), of one node or ({@code null})
     * all, oldest first, at most {@code limit}.
     */
    public List<StoredCheckpoint> list(String node, Instant from, Instant to, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM trail_signed_checkpoint WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (node != null) {
            sql.append(" AND node = ?");
            args.add(node);
        }
        if (from != null) {
            sql.append(" AND signed_at >= ?");
            args.add(OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
        }
        if (to != null) {
            sql.append(" AND signed_at < ?");
            args.add(OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
        }
        sql.append(" ORDER BY signed_at, node, tree_size, id LIMIT ").append(Math.max(0, limit));
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                s.setObject(i + 1, args.get(i));
            }
            List<StoredCheckpoint> found = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    found.add(row(rs));
                }
            }
            return found;
        }
    }

    /** Publishes a verifier key of a node; a key already published keeps its first introduction time. */
    public void publishKey(String node, String verifierKey, Instant introducedAt) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM trail_signing_key WHERE node = ? AND verifier_key = ?")) {
                q.setString(1, node);
                q.setString(2, verifierKey);
                try (ResultSet rs = q.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO trail_signing_key (node, verifier_key, introduced_at) VALUES (?, ?, ?)")) {
                s.setString(1, node);
                s.setString(2, verifierKey);
                s.setObject(3, OffsetDateTime.ofInstant(introducedAt, ZoneOffset.UTC));
                s.executeUpdate();
            } catch (SQLException e) {
                if (!"23505".equals(e.getSQLState())) { // another node of the same name published it meanwhile
                    throw e;
                }
            }
        }
    }

    /** Every published verifier key, by node, oldest first. */
    public List<PublishedKey> keys() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT node, verifier_key, introduced_at FROM trail_signing_key ORDER BY node, introduced_at, verifier_key")) {
            List<PublishedKey> keys = new ArrayList<>();
            while (rs.next()) {
                keys.add(new PublishedKey(rs.getString(1), rs.getString(2), rs.getObject(3, OffsetDateTime.class).toInstant()));
            }
            return keys;
        }
    }

    private Optional<StoredCheckpoint> one(String sql, String node, Long size) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, node);
            if (size != null) {
                s.setLong(2, size);
            }
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private static StoredCheckpoint row(ResultSet rs) throws SQLException {
        OffsetDateTime stampedAt = rs.getObject(8, OffsetDateTime.class);
        return new StoredCheckpoint(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getBytes(4),
                rs.getObject(5, OffsetDateTime.class).toInstant(), rs.getString(6), rs.getBytes(7),
                stampedAt == null ? null : stampedAt.toInstant());
    }
}
