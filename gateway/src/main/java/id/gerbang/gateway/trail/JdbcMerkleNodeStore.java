package id.gerbang.gateway.trail;

import id.gerbang.gateway.anchor.MerkleNode;
import id.gerbang.gateway.anchor.MerkleNodeStore;
import id.gerbang.gateway.anchor.MerkleTree;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * One node's Merkle tree in the trail's database: the rows of {@code trail_tree_node} (V5 migration).
 *
 * <p>Two uses. <b>Writing</b> ({@link #open}): the trail writer appends a leaf per record through a
 * {@link MerkleTree} over this store; the nodes each append makes are only kept in memory until
 * {@link #insertPending} writes them in the transaction of their records. After that transaction commits
 * the writer calls {@link #pendingCommitted}; after a rollback it must drop the store and its tree and
 * open them again, since both have moved past what the database holds. <b>Reading</b> ({@link #at}): a view
 * of a node's tree as it was at an earlier size, for proofs and roots; it refuses appends.
 *
 * <p>Reads take a pooled connection each; a proof reads O(log n) nodes.
 */
public final class JdbcMerkleNodeStore implements MerkleNodeStore {

    private final DataSource dataSource;
    private final String node;
    private long storedSize;
    private final boolean writable;
    private final List<MerkleNode> pending = new ArrayList<>();
    private final Map<Long, byte[]> pendingByKey = new HashMap<>();
    private long appended; // leaves appended and not yet committed

    private JdbcMerkleNodeStore(DataSource dataSource, String node, long storedSize, boolean writable) {
        this.dataSource = dataSource;
        this.node = node;
        this.storedSize = storedSize;
        this.writable = writable;
    }

    /** The node's tree as the database holds it now, to append to. */
    public static JdbcMerkleNodeStore open(DataSource dataSource, String node) throws SQLException {
        return new JdbcMerkleNodeStore(dataSource, node, storedSize(dataSource, node), true);
    }

    /** The node's tree as the database holds it now, to append to; its size read on the caller's connection. */
    static JdbcMerkleNodeStore open(DataSource dataSource, Connection c, String node) throws SQLException {
        return new JdbcMerkleNodeStore(dataSource, node, storedSize(c, node), true);
    }

    /**
     * The node's tree as it was when it had {@code size} leaves, read-only.
     *
     * @throws IllegalArgumentException when the database holds fewer leaves of that node
     */
    public static JdbcMerkleNodeStore at(DataSource dataSource, String node, long size) throws SQLException {
        long stored = storedSize(dataSource, node);
        if (size < 0 || size > stored) {
            throw new IllegalArgumentException("the tree of node " + node + " has " + stored + " leaves, not " + size);
        }
        return new JdbcMerkleNodeStore(dataSource, node, size, false);
    }

    /** How many leaves of the node's tree the database holds. */
    public static long storedSize(DataSource dataSource, String node) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return storedSize(c, node);
        }
    }

    /** How many leaves of the node's tree the database holds, read on the caller's connection. */
    public static long storedSize(Connection c, String node) throws SQLException {
        // the primary key's order: PostgreSQL and H2 read its last entry instead of counting the leaves
        try (PreparedStatement s = c.prepareStatement(
                "SELECT idx FROM trail_tree_node WHERE node = ? AND level = 0 ORDER BY node DESC, level DESC, idx DESC LIMIT 1")) {
            s.setString(1, node);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) + 1 : 0;
            }
        }
    }

    @Override
    public long size() {
        return storedSize + appended;
    }

    @Override
    public byte[] node(int level, long index) {
        byte[] kept = pendingByKey.get(key(level, index));
        if (kept != null) {
            return kept.clone();
        }
        if (level > 63 || index < 0 || index >= (storedSize >>> level)) {
            throw new IllegalStateException("the tree of node " + node + " at size " + storedSize
                    + " has no node at level " + level + ", index " + index);
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT hash FROM trail_tree_node WHERE node = ? AND level = ? AND idx = ?")) {
            s.setString(1, node);
            s.setShort(2, (short) level);
            s.setLong(3, index);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("the trail's store lost the tree node (" + level + ", " + index
                            + ") of node " + node);
                }
                byte[] hash = rs.getBytes(1);
                if (hash == null || hash.length != MerkleTree.HASH_SIZE) {
                    throw new IllegalStateException("the tree node (" + level + ", " + index + ") of node " + node
                            + " is not a 32-byte hash");
                }
                return hash;
            }
        } catch (SQLException e) {
            throw new TrailUnavailableException("the tree of node " + node + " could not be read: " + e.getMessage(), e);
        }
    }

    @Override
    public void append(List<MerkleNode> nodes) {
        if (!writable) {
            throw new UnsupportedOperationException("a view of an earlier tree takes no appends");
        }
        if (nodes.isEmpty() || nodes.get(0).level() != 0 || nodes.get(0).index() != size()) {
            throw new IllegalArgumentException("an append starts with the leaf at index " + size());
        }
        for (MerkleNode n : nodes) {
            pending.add(n);
            pendingByKey.put(key(n.level(), n.index()), n.hash());
        }
        appended++;
    }

    /** How many nodes wait for {@link #insertPending}. */
    public int pendingNodes() {
        return pending.size();
    }

    /** Inserts the nodes appended since the last commit, on the caller's connection, in its transaction. */
    public void insertPending(Connection c) throws SQLException {
        if (pending.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO trail_tree_node (node, level, idx, hash) VALUES (?, ?, ?, ?)")) {
            for (MerkleNode n : pending) {
                s.setString(1, node);
                s.setShort(2, (short) n.level());
                s.setLong(3, n.index());
                s.setBytes(4, n.hash());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /**
     * The transaction that held {@link #insertPending}'s rows committed: they are the database's now.
     * (After a rollback, drop this store instead.)
     */
    public void pendingCommitted() {
        storedSize += appended;
        appended = 0;
        pending.clear();
        pendingByKey.clear();
    }

    private static long key(int level, long index) {
        return ((long) level << 56) | index; // a tree never reaches 2^56 leaves
    }
}
