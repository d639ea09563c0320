package id.gerbang.gateway.trail;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's hold on its name (docs/operations.md, "Several nodes"): each node writes its own hash chain,
 * so two running nodes with one name would write one chain from two places. At start-up the node takes a
 * lease on its name in the database ({@code node_lease}, one row per name), naming its host and process;
 * it renews the lease every {@code renewal} and releases it on a graceful stop. While another live node
 * holds the name, taking it fails ({@link TakenException}): the node refuses to start. A node killed
 * without a stop keeps its name until its lease expires ({@code ttl} after its last renewal), except
 * from a node on the same host, which sees that the holder's process is gone and takes the name at once.
 *
 * <p>Times are the database's, so that nodes' clocks need not agree. The lease is {@link #held} only while
 * this node has renewed it within the last {@code ttl} (measured on this node's monotonic clock, from
 * before the renewal was sent) and no other node has taken it: the trail writer checks that, in memory,
 * before each commit, and refuses to write otherwise (503 {@code AUDIT_UNAVAILABLE}) rather than let two
 * nodes write one chain. A lease taken over by another node (after it expired here: this node's database
 * connection or its renewals stalled for longer than {@code ttl}) is lost for good: the node writes no
 * record again until it is restarted.
 */
public final class NodeLease implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeLease.class);

    /** Another live node holds the name. */
    public static final class TakenException extends RuntimeException {
        private final String node;
        private final String holderHost;
        private final long holderPid;
        private final Instant since;
        private final Instant expiresAt;

        TakenException(String node, String holderHost, long holderPid, Instant since, Instant expiresAt) {
            super("the node name " + node + " is held by another running node (host " + holderHost + ", pid "
                    + holderPid + ", since " + RecordHash.format(since) + "); its lease expires at "
                    + RecordHash.format(expiresAt) + " unless that node renews it");
            this.node = node;
            this.holderHost = holderHost;
            this.holderPid = holderPid;
            this.since = since;
            this.expiresAt = expiresAt;
        }

        public String node() {
            return node;
        }

        public String holderHost() {
            return holderHost;
        }

        public long holderPid() {
            return holderPid;
        }

        public Instant since() {
            return since;
        }

        public Instant expiresAt() {
            return expiresAt;
        }
    }

    private final DataSource dataSource;
    private final String node;
    private final Duration ttl;
    private final String host;
    private final long pid;
    private final String instance = UUID.randomUUID().toString();
    private volatile long validUntilNanos;
    private volatile String lostTo;
    private ScheduledExecutorService renewer;

    /** A lease on {@code node} for this process, not taken yet ({@link #acquire}). */
    public NodeLease(DataSource dataSource, String node, Duration ttl) {
        this(dataSource, node, ttl, hostName(), ProcessHandle.current().pid());
    }

    /** A lease as a process {@code pid} on {@code host} would take it. */
    NodeLease(DataSource dataSource, String node, Duration ttl, String host, long pid) {
        if (node.length() > TrailField.NODE.maxLength()) {
            throw new IllegalArgumentException("a node name has at most " + TrailField.NODE.maxLength()
                    + " characters (gerbang.node; unset, the host name): " + node);
        }
        this.dataSource = dataSource;
        this.node = node;
        this.ttl = ttl;
        this.host = host;
        this.pid = pid;
    }

    /**
     * Takes the name, or renews it when this lease holds it already.
     *
     * @throws TakenException while another live node holds it
     */
    public void acquire() throws SQLException {
        long sent = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                for (int attempt = 0; ; attempt++) {
                    try {
                        take(c);
                        c.commit();
                        break;
                    } catch (SQLException e) {
                        c.rollback();
                        // two nodes inserted the first row for the name at once: read the winner's
                        if (attempt > 0 || e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
                            throw e;
                        }
                    }
                }
            } catch (RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
        validUntilNanos = sent + ttl.toNanos();
        log.info("Node name {} leased to this node (host {}, pid {}) for {} at a time", node, host, pid, ttl);
    }

    private void take(Connection c) throws SQLException {
        OffsetDateTime now = databaseNow(c);
        OffsetDateTime expires = now.plus(ttl);
        try (PreparedStatement s = c.prepareStatement("SELECT holder_host, holder_pid, instance, acquired_at, expires_at "
                + "FROM node_lease WHERE node = ? FOR UPDATE")) {
            s.setString(1, node);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    update(c, "INSERT INTO node_lease (holder_host, holder_pid, instance, acquired_at, expires_at, node) "
                            + "VALUES (?, ?, ?, ?, ?, ?)", now, expires);
                    return;
                }
                String holderHost = rs.getString(1);
                long holderPid = rs.getLong(2);
                String holder = rs.getString(3);
                OffsetDateTime since = rs.getObject(4, OffsetDateTime.class);
                OffsetDateTime until = rs.getObject(5, OffsetDateTime.class);
                boolean mine = holder.equals(instance);
                boolean goneFromThisHost = holderHost.equals(host) && ProcessHandle.of(holderPid).isEmpty();
                if (!mine && until.isAfter(now) && !goneFromThisHost) {
                    throw new TakenException(node, holderHost, holderPid, since.toInstant(), until.toInstant());
                }
                if (!mine) {
                    log.warn("Node name {} taken over from host {}, pid {}, whose lease {}", node, holderHost, holderPid,
                            goneFromThisHost ? "was held by a process that no longer runs on this host"
                                    : "expired at " + RecordHash.format(until.toInstant()));
                }
                update(c, "UPDATE node_lease SET holder_host = ?, holder_pid = ?, instance = ?, acquired_at = ?, "
                        + "expires_at = ? WHERE node = ?", mine ? since : now, expires);
            }
        }
    }

    private void update(Connection c, String sql, OffsetDateTime acquiredAt, OffsetDateTime expiresAt) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, host);
            s.setLong(2, pid);
            s.setString(3, instance);
            s.setObject(4, acquiredAt);
            s.setObject(5, expiresAt);
            s.setString(6, node);
            s.executeUpdate();
        }
    }

    /**
     * Extends the lease by {@code ttl} from now, if this node still holds it.
     *
     * @return whether it is held; {@code false} for good once another node has taken it
     */
    public boolean renew() {
        if (lostTo != null) {
            return false;
        }
        long sent = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            OffsetDateTime now = databaseNow(c);
            int renewed;
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE node_lease SET expires_at = ? WHERE node = ? AND instance = ?")) {
                s.setObject(1, now.plus(ttl));
                s.setString(2, node);
                s.setString(3, instance);
                renewed = s.executeUpdate();
            }
            if (renewed == 1) {
                validUntilNanos = sent + ttl.toNanos();
                return true;
            }
            lostTo = holder(c);
            log.error("The node name {} was taken by another node ({}) after this node's lease expired: this node "
                    + "writes no record from now on and answers 503 AUDIT_UNAVAILABLE, so that the two do not write "
                    + "one chain. Stop one of them, give it another name (gerbang.node), and restart this node.",
                    node, lostTo);
            return false;
        } catch (SQLException | RuntimeException e) {
            log.warn("The lease on the node name {} could not be renewed ({}); it is held for {} ms more", node,
                    e.getMessage(), Math.max(0, (validUntilNanos - System.nanoTime()) / 1_000_000));
            return held();
        }
    }

    private String holder(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT holder_host, holder_pid FROM node_lease WHERE node = ?")) {
            s.setString(1, node);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? "host " + rs.getString(1) + ", pid " + rs.getLong(2) : "no holder: the lease row was deleted";
            }
        }
    }

    /** Whether this node may write its chain now: renewed within the TTL, and not taken by another node. */
    public boolean held() {
        return lostTo == null && System.nanoTime() - validUntilNanos < 0;
    }

    /** Why the lease is not held, for a refusal's message. */
    public String why() {
        return lostTo != null ? "the node name " + node + " was taken by another node (" + lostTo + ")"
                : "the lease on the node name " + node + " could not be renewed within " + ttl.toMillis() + " ms";
    }

    /** Renews the lease every {@code interval} from now on, on a thread of its own. */
    public synchronized void renewEvery(Duration interval) {
        if (renewer != null) {
            return;
        }
        renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gerbang-node-lease");
            t.setDaemon(true);
            return t;
        });
        long millis = interval.toMillis();
        renewer.scheduleWithFixedDelay(this::renew, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Stops renewing and gives the name back, if this node still holds it: a graceful stop frees it at once. */
    @Override
    public synchronized void close() {
        if (renewer != null) {
            renewer.shutdownNow();
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("DELETE FROM node_lease WHERE node = ? AND instance = ?")) {
            s.setString(1, node);
            s.setString(2, instance);
            if (s.executeUpdate() == 1) {
                log.info("Node name {} released", node);
            }
        } catch (SQLException e) {
            log.warn("The node name {} could not be released ({}); it is free when its lease expires", node,
                    e.getMessage());
        }
        lostTo = lostTo == null ? "released by this node" : lostTo;
    }

    private static OffsetDateTime databaseNow(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT CURRENT_TIMESTAMP"); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class).withOffsetSameInstant(ZoneOffset.UTC);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}
