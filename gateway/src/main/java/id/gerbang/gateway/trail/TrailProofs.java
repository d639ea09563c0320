package id.gerbang.gateway.trail;

import id.gerbang.gateway.anchor.MerkleTree;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * Roots and proofs over any node's tree as the database holds it (RFC 9162 §2.1.3 and §2.1.4): what the
 * proof endpoints, receipts and anchor lines serve. Each reads O(log n) stored nodes. Leaf {@code i} of a
 * node's tree is its record {@code nodeSeq = i + 1}.
 */
@Component
public class TrailProofs {

    private final DataSource dataSource;

    public TrailProofs(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** How many leaves the node's tree has in the database. */
    public long treeSize(String node) throws SQLException {
        return JdbcMerkleNodeStore.storedSize(dataSource, node);
    }

    /** The root hash of the node's tree at {@code treeSize}. */
    public byte[] rootHash(String node, long treeSize) throws SQLException {
        return tree(node, treeSize).rootHash();
    }

    /** The leaf hash of the node's record {@code nodeSeq} ({@code H(0x00 || hash)}). */
    public byte[] leafHash(String node, long nodeSeq) throws SQLException {
        return tree(node, nodeSeq).leafHashAt(nodeSeq - 1);
    }

    /** The inclusion proof of the node's record {@code nodeSeq} in its tree of {@code treeSize}. */
    public List<byte[]> inclusion(String node, long nodeSeq, long treeSize) throws SQLException {
        if (nodeSeq < 1 || nodeSeq > treeSize) {
            throw new IllegalArgumentException("record " + nodeSeq + " is not in a tree of " + treeSize);
        }
        return tree(node, treeSize).inclusionProof(nodeSeq - 1, treeSize);
    }

    /** The consistency proof of the node's tree from {@code fromSize} to {@code toSize}. */
    public List<byte[]> consistency(String node, long fromSize, long toSize) throws SQLException {
        if (fromSize < 0 || fromSize > toSize) {
            throw new IllegalArgumentException("no consistency proof from size " + fromSize + " to " + toSize);
        }
        return tree(node, toSize).consistencyProof(fromSize, toSize);
    }

    private MerkleTree tree(String node, long size) throws SQLException {
        return new MerkleTree(JdbcMerkleNodeStore.at(dataSource, node, size));
    }
}
