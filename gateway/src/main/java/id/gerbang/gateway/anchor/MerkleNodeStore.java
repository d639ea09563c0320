package id.gerbang.gateway.anchor;

import java.util.List;

/**
 * Where a {@link MerkleTree} keeps its nodes. A store holds, for a tree of {@code size} leaves, every
 * perfect subtree that lies wholly inside the first {@code size} leaves (about two nodes per leaf); the
 * root of any earlier size, and every proof, is computed from them. In the database this is one table
 * of {@code (node, level, idx, hash)} rows written in the record's transaction; a store can also be
 * rebuilt from the leaves alone by appending them again.
 */
public interface MerkleNodeStore {

    /** How many leaves the store holds. */
    long size();

    /**
     * The hash of the perfect subtree at {@code (level, index)}.
     *
     * @throws IllegalStateException when the store has no such node (it is not wholly inside the tree,
     *     or the store lost it)
     */
    byte[] node(int level, long index);

    /**
     * Keeps the nodes one append made: the new leaf's hash (level 0, index {@code size()}) first, then each
     * subtree it completed, lowest first. Afterwards {@link #size()} is one more.
     */
    void append(List<MerkleNode> nodes);
}
