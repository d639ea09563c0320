package id.gerbang.gateway.trail;

import id.gerbang.gateway.config.GerbangProperties;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * Purges records older than {@code gerbang.trail.retention} (unset: keep everything). Per node, only a
 * prefix of the chain goes (records up to the one before the node's first record still in the period),
 * so what remains is one unbroken stretch. Before anything is deleted, the purge is itself recorded on
 * the trail (kind {@code trail-purge}, with each node's checkpoint: the sequence number and hash of its
 * last purged record), and the checkpoint is kept in {@code trail_checkpoint}; verification of what
 * remains links each node's first record to it, and says that it starts there.
 */
@Component
public class TrailRetention implements SchedulingConfigurer {

    private static final Logger log = LoggerFactory.getLogger(TrailRetention.class);
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** What one purge did: per node, through which sequence number records were purged. */
    public record Purge(Instant before, Map<String, Long> throughSeq, long records) {}

    private final DataSource dataSource;
    private final AuditTrail trail;
    private final Duration retention;
    private final Duration check;

    public TrailRetention(DataSource dataSource, AuditTrail trail, GerbangProperties properties) {
        this.dataSource = dataSource;
        this.trail = trail;
        this.retention = properties.trail().retention();
        this.check = properties.trail().retentionCheck();
    }

    /** Every {@code gerbang.trail.retention-check}, the first time a minute after start. */
    @Override
    public void configureTasks(ScheduledTaskRegistrar tasks) {
        tasks.addFixedDelayTask(new FixedDelayTask(this::scheduled, check, Duration.ofMinutes(1)));
    }

    void scheduled() {
        if (retention == null || retention.isZero() || retention.isNegative()) {
            return;
        }
        try {
            Purge p = purge(Instant.now().minus(retention));
            if (p.records() > 0) {
                log.info("Trail retention: purged {} records older than {} (checkpoints {})", p.records(), p.before(), p.throughSeq());
            }
        } catch (SQLException | RuntimeException e) {
            log.error("Trail retention: purge failed, nothing was deleted: {}", e.getMessage());
        }
    }

    /** Purges, per node, the oldest records whose calls began before {@code before}. */
    public synchronized Purge purge(Instant before) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Map<String, long[]> plan = plan(c, before);
                if (plan.isEmpty()) {
                    c.rollback();
                    return new Purge(before, Map.of(), 0);
                }
                Map<String, String> hashes = new LinkedHashMap<>();
                for (Map.Entry<String, long[]> e : plan.entrySet()) {
                    hashes.put(e.getKey(), hashOf(c, e.getKey(), e.getValue()[0]));
                }
                AuditRecord purgeRecord = trail.record(purgeEntry(before, plan, hashes));
                long purged = 0;
                Map<String, Long> through = new LinkedHashMap<>();
                for (Map.Entry<String, long[]> e : plan.entrySet()) {
                    String node = e.getKey();
                    long seq = e.getValue()[0];
                    saveCheckpoint(c, node, seq, hashes.get(node), before, purgeRecord == null ? null : purgeRecord.id());
                    try (PreparedStatement d = c.prepareStatement("DELETE FROM audit_record WHERE node = ? AND node_seq <= ?")) {
                        d.setString(1, node);
                        d.setLong(2, seq);
                        purged += d.executeUpdate();
                    }
                    through.put(node, seq);
                }
                c.commit();
                return new Purge(before, through, purged);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Per node: {through sequence number, count}; only nodes with something new to purge. */
    private static Map<String, long[]> plan(Connection c, Instant before) throws SQLException {
        OffsetDateTime cutoff = OffsetDateTime.ofInstant(before, ZoneOffset.UTC);
        Map<String, long[]> plan = new LinkedHashMap<>();
        String sql = "SELECT r.node, MIN(r.node_seq), MAX(r.node_seq), "
                + "(SELECT MIN(n.node_seq) FROM audit_record n WHERE n.node = r.node AND n.request_at >= ?) "
                + "FROM audit_record r WHERE r.request_at < ? GROUP BY r.node ORDER BY r.node";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, cutoff);
            s.setObject(2, cutoff);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    long first = rs.getLong(2);
                    long lastOld = rs.getLong(3);
                    long firstNew = rs.getLong(4);
                    long through = rs.wasNull() ? lastOld : Math.min(lastOld, firstNew - 1);
                    if (through >= first) {
                        plan.put(rs.getString(1), new long[] {through, through - first + 1});
                    }
                }
            }
        }
        return plan;
    }

    private static String hashOf(Connection c, String node, long seq) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT hash FROM audit_record WHERE node = ? AND node_seq = ?")) {
            s.setString(1, node);
            s.setLong(2, seq);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("record " + seq + " of node " + node + " vanished during the purge");
                }
                return rs.getString(1);
            }
        }
    }

    private static void saveCheckpoint(Connection c, String node, long seq, String hash, Instant before, Long recordId)
            throws SQLException {
        try (PreparedStatement u = c.prepareStatement("UPDATE trail_checkpoint SET through_seq = ?, through_hash = ?, "
                + "purged_before = ?, purge_record = ? WHERE node = ?")) {
            u.setLong(1, seq);
            u.setString(2, hash);
            u.setObject(3, OffsetDateTime.ofInstant(before, ZoneOffset.UTC));
            u.setObject(4, recordId);
            u.setString(5, node);
            if (u.executeUpdate() == 1) {
                return;
            }
        }
        try (PreparedStatement i = c.prepareStatement("INSERT INTO trail_checkpoint (node, through_seq, through_hash, "
                + "purged_before, purge_record) VALUES (?, ?, ?, ?, ?)")) {
            i.setString(1, node);
            i.setLong(2, seq);
            i.setString(3, hash);
            i.setObject(4, OffsetDateTime.ofInstant(before, ZoneOffset.UTC));
            i.setObject(5, recordId);
            i.executeUpdate();
        }
    }

    private static TrailEntry purgeEntry(Instant before, Map<String, long[]> plan, Map<String, String> hashes) {
        List<Map<String, Object>> checkpoints = new ArrayList<>();
        for (Map.Entry<String, long[]> e : plan.entrySet()) {
            Map<String, Object> cp = new LinkedHashMap<>();
            cp.put("node", e.getKey());
            cp.put("throughSeq", e.getValue()[0]);
            cp.put("throughHash", hashes.get(e.getKey()));
            cp.put("records", e.getValue()[1]);
            checkpoints.add(cp);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("action", "purge");
        doc.put("before", RecordHash.format(before));
        doc.put("checkpoints", checkpoints);
        String detail;
        try {
            detail = JSON.writeValueAsString(doc);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return TrailEntry.purge(Instant.now(), detail);
    }
}
