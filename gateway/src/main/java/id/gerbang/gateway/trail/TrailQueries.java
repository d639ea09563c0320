package id.gerbang.gateway.trail;

import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.anchor.MerkleNode;
import id.gerbang.gateway.anchor.MerkleNodeStore;
import id.gerbang.gateway.anchor.MerkleTree;
import id.gerbang.gateway.anchor.NoteVerifier;
import id.gerbang.gateway.anchor.SigningKeys;
import id.gerbang.gateway.context.NodeName;
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
import java.util.Set;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Autowired;
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
 *
 * <p><b>A period costs what it holds.</b> Its stretch is found through the {@code request_at} index
 * (per node, the first and last sequence number of the period), then read by id range through the
 * primary key: the work grows with the records of the period, not with the size of the trail.
 */
@Component
public class TrailQueries {

    /** Fetch size for streamed reads: rows travel in chunks of this many, never all at once. */
    static final int FETCH_SIZE = 1000;

    private static final String COLUMNS = TrailField.COLUMNS;

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

    /** The verifier keys verification trusts: kept outside the database (docs/trail.md, "Verification"). */
    @FunctionalInterface
    public interface TrustedKeys {
        List<NoteVerifier> trustedVerifiers();
    }

    private final DataSource dataSource;
    private final Set<String> expectedNodes;
    private final String origin;
    private final TrustedKeys trustedKeys;
    private java.util.function.Supplier<java.util.Optional<String>> keptCheckpoint = java.util.Optional::empty;

    @Autowired
    public TrailQueries(DataSource dataSource, GerbangProperties properties, NodeName node, TrailKeys keys) {
        this(dataSource, expectedNodes(properties.trail().nodes(), node.value()), properties.trail().origin(),
                keys::trustedVerifiers);
        this.keptCheckpoint = () -> keptCheckpoint(keys.checkpointFile());
    }

    /** @param expectedNodes the nodes whose records may be on the trail (verification refuses others) */
    public TrailQueries(DataSource dataSource, Set<String> expectedNodes) {
        this(dataSource, expectedNodes, "gerbang", List::of);
    }

    /**
     * @param origin      the checkpoints' origin prefix ({@code gerbang.trail.origin})
     * @param trustedKeys the verifier keys trusted, read at each verification
     */
    public TrailQueries(DataSource dataSource, Set<String> expectedNodes, String origin, TrustedKeys trustedKeys) {
        this.dataSource = dataSource;
        this.expectedNodes = Set.copyOf(expectedNodes);
        this.origin = origin;
        this.trustedKeys = trustedKeys;
    }

    /**
     * The latest checkpoint this node signed, from the file beside its signing key (outside the database,
     * so a checkpoint row removed there still counts); verification checks it like the others.
     */
    void keptCheckpoint(java.util.function.Supplier<java.util.Optional<String>> kept) {
        this.keptCheckpoint = kept;
    }

    private static java.util.Optional<String> keptCheckpoint(java.nio.file.Path file) {
        try {
            return java.nio.file.Files.isRegularFile(file)
                    ? java.util.Optional.of(java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.UTF_8))
                    : java.util.Optional.empty();
        } catch (java.io.IOException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * The nodes that write this trail: {@code gerbang.trail.nodes}, from the node's configuration and not
     * from the database, so that an insider with only database access cannot add one; unset, this node
     * alone (standalone). A node's own name is always one of them.
     */
    static Set<String> expectedNodes(List<String> configured, String self) {
        Set<String> nodes = new java.util.TreeSet<>();
        nodes.add(self);
        for (String n : configured) {
            if (!n.isBlank()) {
                nodes.add(n.strip());
            }
        }
        return nodes;
    }

    /** The nodes whose records verification accepts. */
    public Set<String> expectedNodes() {
        return expectedNodes;
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
        try (Connection c = dataSource.getConnection()) {
            return byId(c, id);
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
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                return streamStretch(c, stretch(c, from, to), r -> {
                    sink.accept(r);
                    return true;
                });
            } finally {
                c.rollback(); // nothing was written; ends the read transaction and its cursor
                c.setAutoCommit(autoCommit);
            }
        }
    }

    /**
     * Streams the records matching a search filter, in id order, as {@link #export} does. A selection is
     * not a stretch of the chain: it cannot be verified offline on its own.
     */
    public long exportMatching(Filter filter, RecordSink sink) throws SQLException, java.io.IOException {
        List<Object> params = new ArrayList<>();
        String sql = "SELECT " + COLUMNS + " FROM audit_record" + where(filter, params) + " ORDER BY id";
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
                c.rollback();
                c.setAutoCommit(autoCommit);
            }
        }
        return count;
    }

    /**
     * Verifies a period (both bounds absent: the whole trail): the same records as {@link #export}, fed to
     * a {@link TrailVerifier} in id order, each node's stretch anchored to the node's record just before
     * it. When a node has no record before its stretch and the stretch does not start at the node's first
     * record (sequence number 1), the records before it are gone, unless a retention checkpoint accounts
     * for them, and a checkpoint counts only when the {@code trail-purge} record that announced it is on a
     * chain that verifies. Records of a node that is not one of the expected nodes fail.
     *
     * <p>The same records are checked against every signed checkpoint that covers them ({@link
     * AnchorVerifier}), with trust only in the trusted keys: the checkpoints are those in the database
     * when verification began (a checkpoint signed meanwhile may cover records committed after the records
     * were read), each node's tree is recomputed from its records, the stored tree is read only before a
     * stretch (a period's earlier records, purged records) and to compare with the records. Nothing of this
     * while the trail has no checkpoint, no published key and no trusted key: the result is the chain's.
     */
    public TrailVerifier.Result verify(Instant from, Instant to) throws SQLException {
        TrailVerifier verifier = new TrailVerifier(expectedNodes);
        List<NoteVerifier> trusted = trustedKeys.trustedVerifiers();
        AnchorVerifier anchors = null;
        Map<String, Long> storedSizes = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                long lastCheckpoint = single(c, "SELECT COALESCE(MAX(id), 0) FROM trail_signed_checkpoint");
                Map<String, List<String>> published = publishedKeys(c);
                if (!trusted.isEmpty() || lastCheckpoint > 0 || !published.isEmpty()) {
                    anchors = new AnchorVerifier(origin, trusted);
                    for (Map.Entry<String, List<String>> e : published.entrySet()) {
                        for (String key : e.getValue()) {
                            anchors.published(e.getKey(), key);
                        }
                    }
                }
                java.util.Optional<Kept> kept = keptCheckpoint.get().flatMap(this::kept);
                if (anchors == null && kept.isPresent()) {
                    anchors = new AnchorVerifier(origin, trusted);
                }
                Stretch stretch = stretch(c, from, to);
                Map<String, long[]> starts = stretch == null ? nodeStarts(c) : stretch.ranges();
                for (Map.Entry<String, long[]> start : starts.entrySet()) {
                    anchor(c, verifier, start.getKey(), start.getValue()[0]);
                }
                if (anchors != null) {
                    Map<String, Long> firsts = new LinkedHashMap<>();
                    starts.forEach((node, range) -> firsts.put(node, range[0]));
                    if (stretch == null && kept.isPresent() && !firsts.containsKey(kept.get().node())) {
                        firsts.put(kept.get().node(), purgedThrough(c, kept.get().node()) + 1);
                    }
                    if (stretch == null) {
                        // a node with checkpoints and no record left: its records were all removed (or purged)
                        for (String node : checkpointNodes(c, lastCheckpoint)) {
                            if (!firsts.containsKey(node)) {
                                firsts.put(node, purgedThrough(c, node) + 1);
                            }
                        }
                    }
                    for (Map.Entry<String, Long> e : firsts.entrySet()) {
                        String node = e.getKey();
                        long first = e.getValue();
                        long last = stretch == null ? Long.MAX_VALUE : stretch.ranges().get(node)[1];
                        long stored = JdbcMerkleNodeStore.storedSize(c, node);
                        storedSizes.put(node, stored);
                        java.util.Iterator<String> feed = new CheckpointFeed(node, first > 1 ? first - 1 : 1, last, lastCheckpoint);
                        if (kept.isPresent() && kept.get().node().equals(node) && kept.get().size() >= first - 1) {
                            feed = withKept(feed, kept.get(), last);
                        }
                        if (stretch != null) {
                            // and the node's largest checkpoint beyond the period: does the chain still hold its records?
                            List<String> beyond = largestBeyond(c, node, last, lastCheckpoint);
                            if (kept.isPresent() && kept.get().node().equals(node) && kept.get().size() > last) {
                                beyond = List.of(kept.get().note());
                            }
                            java.util.Iterator<String> within = feed;
                            feed = java.util.stream.Stream.concat(
                                    java.util.stream.StreamSupport.stream(java.util.Spliterators.spliteratorUnknownSize(within, 0), false),
                                    beyond.stream()).iterator();
                        }
                        anchors.node(node, first, first > 1 ? storedBefore(node, first - 1) : null, feed);
                        anchors.rootWanted(node, Math.min(stored, last));
                    }
                }
                AnchorVerifier feed = anchors;
                try {
                    streamStretch(c, stretch, r -> {
                        if (!verifier.accept(r)) {
                            return false;
                        }
                        if (feed != null) {
                            feed.accept(r);
                        }
                        return true;
                    });
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e); // the verifier writes nowhere
                }
                if (anchors != null && verifier.result().valid()) { // past a broken chain, roots and sizes mean nothing
                    for (Map.Entry<String, Long> e : storedSizes.entrySet()) {
                        String node = e.getKey();
                        long seen = anchors.lastSeq(node);
                        long holds = stretch == null ? seen : chainHead(c, node);
                        anchors.end(node, holds, null);
                        long target = Math.min(e.getValue(), stretch == null ? Long.MAX_VALUE : stretch.ranges().get(node)[1]);
                        if (target > 0 && target <= seen) {
                            anchors.storedTree(node, target, new MerkleTree(JdbcMerkleNodeStore.at(dataSource, node, target)).rootHash());
                        }
                        if (stretch == null && e.getValue() > seen) {
                            anchors.storedTreeLonger(node, e.getValue(), seen);
                        }
                    }
                }
            } finally {
                c.rollback();
                c.setAutoCommit(autoCommit);
            }
        }
        return anchors == null ? verifier.result() : AnchorVerifier.merge(verifier.result(), anchors.report());
    }

    /** The node's stored tree as it was with {@code size} leaves; one that lacks them throws when read. */
    private MerkleNodeStore storedBefore(String node, long size) throws SQLException {
        try {
            return JdbcMerkleNodeStore.at(dataSource, node, size);
        } catch (IllegalArgumentException e) {
            String why = e.getMessage();
            return new MerkleNodeStore() {
                @Override
                public long size() {
                    return size;
                }

                @Override
                public byte[] node(int level, long index) {
                    throw new IllegalStateException(why);
                }

                @Override
                public void append(List<MerkleNode> nodes) {
                    throw new UnsupportedOperationException();
                }
            };
        }
    }

    /**
     * A node's signed checkpoints (the notes) of sizes {@code from} to {@code to}, among those with an id up
     * to {@code lastId}, in ascending tree size, read a page at a time on connections of their own.
     */
    private final class CheckpointFeed implements java.util.Iterator<String> {
        static final int PAGE = 500;
        private final String node;
        private final long to;
        private final long lastId;
        private long afterSize;
        private long afterId = -1;
        private final java.util.ArrayDeque<String> page = new java.util.ArrayDeque<>();
        private boolean exhausted;

        CheckpointFeed(String node, long from, long to, long lastId) {
            this.node = node;
            this.afterSize = from - 1;
            this.to = to;
            this.lastId = lastId;
            this.exhausted = lastId == 0;
        }

        @Override
        public boolean hasNext() {
            if (page.isEmpty() && !exhausted) {
                fill();
            }
            return !page.isEmpty();
        }

        @Override
        public String next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            return page.poll();
        }

        private void fill() {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement s = c.prepareStatement("SELECT tree_size, id, note FROM trail_signed_checkpoint "
                            + "WHERE node = ? AND id <= ? AND tree_size <= ? AND (tree_size > ? OR (tree_size = ? AND id > ?)) "
                            + "ORDER BY tree_size, id LIMIT " + PAGE)) {
                s.setString(1, node);
                s.setLong(2, lastId);
                s.setLong(3, to);
                s.setLong(4, afterSize);
                s.setLong(5, afterSize);
                s.setLong(6, afterId);
                int n = 0;
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        afterSize = rs.getLong(1);
                        afterId = rs.getLong(2);
                        page.add(rs.getString(3));
                        n++;
                    }
                }
                exhausted = n < PAGE;
            } catch (SQLException e) {
                throw new TrailUnavailableException("the checkpoints of node " + node + " could not be read: " + e.getMessage(), e);
            }
        }
    }

    private static long single(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The checkpoint kept in the file beside this node's key: its node (from its origin), size and note. */
    private record Kept(String node, long size, String note) {}

    private java.util.Optional<Kept> kept(String note) {
        try {
            id.gerbang.gateway.anchor.Checkpoint cp = id.gerbang.gateway.anchor.Checkpoint.parse(
                    id.gerbang.gateway.anchor.SignedNote.parse(note).text());
            if (!cp.origin().startsWith(origin + "/")) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(new Kept(cp.origin().substring(origin.length() + 1), cp.treeSize(), note));
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty(); // the writer refuses to start over an unreadable file
        }
    }

    /** The feed's notes with the kept one in its place by size (once, when the database holds it too). */
    private static java.util.Iterator<String> withKept(java.util.Iterator<String> feed, Kept kept, long last) {
        List<String> tail = kept.size() <= last ? List.of(kept.note()) : List.of();
        return new java.util.Iterator<>() {
            private boolean placed = tail.isEmpty();
            private String ahead;

            @Override
            public boolean hasNext() {
                return ahead != null || feed.hasNext() || !placed;
            }

            @Override
            public String next() {
                if (ahead == null && feed.hasNext()) {
                    ahead = feed.next();
                }
                if (!placed && (ahead == null || sizeOf(ahead) > kept.size())) {
                    placed = true;
                    return kept.note();
                }
                if (ahead == null) {
                    throw new java.util.NoSuchElementException();
                }
                String n = ahead;
                ahead = null;
                if (!placed && n.equals(kept.note())) {
                    placed = true; // the database holds it too
                }
                return n;
            }
        };
    }

    private static long sizeOf(String note) {
        String[] lines = note.split("\n", 3);
        try {
            return lines.length > 1 ? Long.parseLong(lines[1]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The node's largest checkpoint (its note) of a size above {@code size}, if any. */
    private static List<String> largestBeyond(Connection c, String node, long size, long lastId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT note FROM trail_signed_checkpoint WHERE node = ? AND id <= ? "
                + "AND tree_size > ? ORDER BY tree_size DESC, id DESC LIMIT 1")) {
            s.setString(1, node);
            s.setLong(2, lastId);
            s.setLong(3, size);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? List.of(rs.getString(1)) : List.of();
            }
        }
    }

    /** The verifier keys published in the database, by node. */
    private static Map<String, List<String>> publishedKeys(Connection c) throws SQLException {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT node, verifier_key FROM trail_signing_key ORDER BY node, introduced_at");
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                keys.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
            }
        }
        return keys;
    }

    /** The nodes that have signed checkpoints (among those with an id up to {@code lastId}). */
    private static List<String> checkpointNodes(Connection c, long lastId) throws SQLException {
        List<String> nodes = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT DISTINCT node FROM trail_signed_checkpoint WHERE id <= ?")) {
            s.setLong(1, lastId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    nodes.add(rs.getString(1));
                }
            }
        }
        return nodes;
    }

    /** The last record of the node purged under retention, 0 when none was. */
    private static long purgedThrough(Connection c, String node) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT through_seq FROM trail_checkpoint WHERE node = ?")) {
            s.setString(1, node);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** The node's last record in the store (its retention checkpoint when every record was purged). */
    private static long chainHead(Connection c, String node) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT node_seq FROM audit_record WHERE node = ? ORDER BY node DESC, node_seq DESC LIMIT 1")) {
            s.setString(1, node);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : purgedThrough(c, node);
            }
        }
    }

    /** Receives records until it answers {@code false}. */
    private interface Consumer {
        boolean accept(AuditRecord record) throws java.io.IOException;
    }

    /**
     * A period's records: per node, the sequence numbers from its first to its last record of the period,
     * and the ids from the first to the last of all those records. Within a node's chain ids grow with
     * sequence numbers, so the id range holds every node's stretch, and little else: records committed
     * during the period (and the calls in flight at its edges).
     */
    record Stretch(Map<String, long[]> ranges, long firstId, long lastId) {
        boolean holds(AuditRecord r) {
            long[] range = ranges.get(r.node());
            return range != null && r.nodeSeq() >= range[0] && r.nodeSeq() <= range[1];
        }
    }

    /** Per node, its first and last sequence number among the records of the period (the request_at index). */
    static String periodNodesSql(Instant from, Instant to, List<Object> params) {
        return "SELECT node, MIN(node_seq), MAX(node_seq) FROM audit_record" + period(from, to, params) + " GROUP BY node";
    }

    /**
     * The id of one record of a node's chain (the unique (node, node_seq) index). Not MIN(id) over a range
     * of sequence numbers: PostgreSQL answers that by walking the primary key until a row matches.
     */
    static final String ID_OF = "SELECT id FROM audit_record WHERE node = ? AND node_seq = ?";

    /** The records of a period's stretch, by id (the primary key). */
    static final String BY_ID_RANGE = "SELECT " + COLUMNS + " FROM audit_record WHERE id >= ? AND id <= ? ORDER BY id";

    /** The period's stretch; {@code null} for the whole trail (both bounds absent). */
    private static Stretch stretch(Connection c, Instant from, Instant to) throws SQLException {
        if (from == null && to == null) {
            return null;
        }
        List<Object> params = new ArrayList<>();
        Map<String, long[]> ranges = new LinkedHashMap<>();
        try (PreparedStatement s = c.prepareStatement(periodNodesSql(from, to, params))) {
            bind(s, params);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ranges.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
                }
            }
        }
        long firstId = Long.MAX_VALUE;
        long lastId = Long.MIN_VALUE;
        try (PreparedStatement s = c.prepareStatement(ID_OF)) {
            for (Map.Entry<String, long[]> e : ranges.entrySet()) {
                firstId = Math.min(firstId, idOf(s, e.getKey(), e.getValue()[0]));
                lastId = Math.max(lastId, idOf(s, e.getKey(), e.getValue()[1]));
            }
        }
        return new Stretch(ranges, firstId, lastId);
    }

    private static long idOf(PreparedStatement s, String node, long seq) throws SQLException {
        s.setString(1, node);
        s.setLong(2, seq);
        try (ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("record " + seq + " of node " + node + " vanished while it was read");
            }
            return rs.getLong(1);
        }
    }

    /** Streams the stretch's records (the whole trail for {@code null}) in id order; returns how many. */
    private static long streamStretch(Connection c, Stretch stretch, Consumer sink) throws SQLException, java.io.IOException {
        if (stretch != null && stretch.ranges().isEmpty()) {
            return 0;
        }
        String sql = stretch == null ? "SELECT " + COLUMNS + " FROM audit_record ORDER BY id" : BY_ID_RANGE;
        long count = 0;
        try (PreparedStatement s = c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            s.setFetchSize(FETCH_SIZE);
            if (stretch != null) {
                s.setLong(1, stretch.firstId());
                s.setLong(2, stretch.lastId());
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    AuditRecord r = map(rs);
                    if (stretch != null && !stretch.holds(r)) {
                        continue; // another node's record outside its own stretch, committed meanwhile
                    }
                    count++;
                    if (!sink.accept(r)) {
                        break;
                    }
                }
            }
        }
        return count;
    }

    /** Per node, the first sequence number it has in the store (the whole trail). */
    private static Map<String, long[]> nodeStarts(Connection c) throws SQLException {
        Map<String, long[]> starts = new LinkedHashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT node, MIN(node_seq) FROM audit_record GROUP BY node");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                starts.put(rs.getString(1), new long[] {rs.getLong(2)});
            }
        }
        return starts;
    }

    private void anchor(Connection c, TrailVerifier verifier, String node, long firstSeq) throws SQLException {
        if (firstSeq <= 1) {
            return; // the verifier anchors a node's first record to the genesis hash itself
        }
        Optional<AuditRecord> before = record(c, node, firstSeq - 1);
        if (before.isEmpty()) {
            before = latestBefore(c, node, firstSeq); // a gap just before the stretch: the verifier names it
        }
        if (before.isPresent()) {
            verifier.anchor(node, before.get().nodeSeq(), before.get().hash());
            return;
        }
        try (PreparedStatement s = c.prepareStatement(
                "SELECT through_seq, through_hash, purged_before, purge_record FROM trail_checkpoint WHERE node = ?")) {
            s.setString(1, node);
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    // the records before were purged under the retention period, if the purge says so
                    verifier.checkpoint(node, rs.getLong(1), rs.getString(2),
                            rs.getObject(3, OffsetDateTime.class).toInstant());
                    long purgeRecord = rs.getLong(4);
                    if (!rs.wasNull()) {
                        prove(c, verifier, purgeRecord);
                    }
                    return;
                }
            }
        }
        // nothing before the stretch although it does not start the chain: records 1.. are gone
        verifier.anchor(node, 0, AuditRecord.GENESIS);
    }

    /**
     * Checks the {@code trail-purge} record a checkpoint names where it lies, which is usually outside
     * the period verified: its own hash, its link to the record before it on its chain, and the next
     * record's link to it. Only then may it vouch for the checkpoint.
     */
    private void prove(Connection c, TrailVerifier verifier, long purgeRecordId) throws SQLException {
        Optional<AuditRecord> purge = byId(c, purgeRecordId);
        if (purge.isEmpty()) {
            return;
        }
        AuditRecord p = purge.get();
        TrailVerifier local = new TrailVerifier(expectedNodes);
        if (p.nodeSeq() > 1) {
            Optional<AuditRecord> before = record(c, p.node(), p.nodeSeq() - 1);
            if (before.isEmpty()) {
                return; // nothing to link it to: it proves nothing
            }
            local.anchor(p.node(), before.get().nodeSeq(), before.get().hash());
        }
        boolean linked = local.accept(p);
        Optional<AuditRecord> after = record(c, p.node(), p.nodeSeq() + 1);
        if (linked && after.isPresent()) {
            local.accept(after.get());
        }
        if (local.result().valid()) {
            verifier.announcedBy(p);
        }
    }

    private static Optional<AuditRecord> record(Connection c, String node, long seq) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM audit_record WHERE node = ? AND node_seq = ?")) {
            s.setString(1, node);
            s.setLong(2, seq);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(map(rs)) : Optional.empty();
            }
        }
    }

    /**
     * A node's latest record before a sequence number. Ordered as the (node, node_seq) index is: H2 then
     * reads the index backwards from there; ordered by node_seq alone it sorts the node's whole chain.
     */
    static final String LATEST_BEFORE = "SELECT " + COLUMNS + " FROM audit_record "
            + "WHERE node = ? AND node_seq < ? ORDER BY node DESC, node_seq DESC LIMIT 1";

    private static Optional<AuditRecord> latestBefore(Connection c, String node, long seq) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(LATEST_BEFORE)) {
            s.setString(1, node);
            s.setLong(2, seq);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(map(rs)) : Optional.empty();
            }
        }
    }

    private static Optional<AuditRecord> byId(Connection c, long id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM audit_record WHERE id = ?")) {
            s.setLong(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(map(rs)) : Optional.empty();
            }
        }
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
        Object[] values = new Object[TrailField.ALL.size()];
        for (TrailField f : TrailField.ALL) {
            values[f.ordinal()] = f.read(rs);
        }
        return AuditRecord.of(values);
    }
}
