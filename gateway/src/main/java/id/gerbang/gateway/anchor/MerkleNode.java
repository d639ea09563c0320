package id.gerbang.gateway.anchor;

import java.util.Arrays;

/**
 * One stored node of a {@link MerkleTree}: the hash of the perfect subtree of {@code 2^level} leaves that
 * starts at leaf {@code index * 2^level}. Level 0 holds the leaf hashes. Only perfect subtrees are ever
 * stored, so a node, once written, never changes: the rows of a table {@code (node, level, idx, hash)}.
 */
public record MerkleNode(int level, long index, byte[] hash) {

    public MerkleNode {
        if (level < 0 || level > 63 || index < 0) {
            throw new IllegalArgumentException("no Merkle node at level " + level + ", index " + index);
        }
        if (hash == null || hash.length != MerkleTree.HASH_SIZE) {
            throw new IllegalArgumentException("a Merkle node's hash is 32 bytes");
        }
        hash = hash.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MerkleNode n && n.level == level && n.index == index && Arrays.equals(n.hash, hash);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * level + Long.hashCode(index)) + Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return "MerkleNode[level=" + level + ", index=" + index + "]";
    }
}
