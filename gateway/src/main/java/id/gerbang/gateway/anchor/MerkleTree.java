package id.gerbang.gateway.anchor;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An append-only Merkle tree as RFC 9162 §2.1 defines it (the hash of RFC 6962): SHA-256, a leaf hashed as
 * {@code H(0x00 || leaf)}, an inner node as {@code H(0x01 || left || right)}, the empty tree's root
 * {@code H("")}.
 *
 * <p>The tree keeps its right edge (the "frontier": one perfect subtree per set bit of the size, at most
 * 64 hashes) in memory, so an append is O(log n) hashes and writes and no reads; every perfect subtree it
 * completes goes to the {@link MerkleNodeStore}, from which the root of any earlier size and the inclusion
 * and consistency proofs (§2.1.3, §2.1.4) are read in O(log n) nodes each. The static {@code verify}
 * methods are the verification algorithms of §2.1.3.2 and §2.1.4.2 and need no tree.
 *
 * <p>Appends are serialised by the tree; the store must not be written by anyone else meanwhile.
 */
public final class MerkleTree {

    public static final int HASH_SIZE = 32;

    private final MerkleNodeStore store;
    /** frontier[l] is the perfect subtree of 2^l leaves on the right edge when bit l of size is set. */
    private final byte[][] frontier = new byte[64][];
    private long size;

    /** A tree over what the store holds (nothing, for a new store): reads O(log n) nodes. */
    public MerkleTree(MerkleNodeStore store) {
        this.store = store;
        this.size = store.size();
        long start = 0;
        for (int level = 63; level >= 0; level--) {
            if ((size & (1L << level)) != 0) {
                frontier[level] = store.node(level, start >>> level);
                start += 1L << level;
            }
        }
    }

    /** The tree's size: how many leaves it has. */
    public synchronized long size() {
        return size;
    }

    /**
     * Appends a leaf: its input is hashed as {@code H(0x00 || leafInput)}.
     *
     * @return the new leaf's index (the size before the append)
     */
    public synchronized long append(byte[] leafInput) {
        long index = size;
        List<MerkleNode> written = new ArrayList<>(2);
        byte[] carry = leafHash(leafInput);
        written.add(new MerkleNode(0, index, carry));
        int level = 0;
        while ((size & (1L << level)) != 0) {
            carry = nodeHash(frontier[level], carry);
            frontier[level] = null;
            level++;
            written.add(new MerkleNode(level, index >>> level, carry));
        }
        store.append(written);
        frontier[level] = carry;
        size = index + 1;
        return index;
    }

    /** The root hash of the tree as it is now. */
    public synchronized byte[] rootHash() {
        if (size == 0) {
            return emptyRoot();
        }
        byte[] root = null;
        for (int level = 0; level < 64; level++) {
            if (frontier[level] != null) {
                root = root == null ? frontier[level] : nodeHash(frontier[level], root);
            }
        }
        return root.clone();
    }

    /** The root hash the tree had when it had {@code treeSize} leaves. */
    public synchronized byte[] rootHash(long treeSize) {
        requireSize(treeSize);
        return treeSize == size ? rootHash() : treeSize == 0 ? emptyRoot() : rangeHash(0, treeSize);
    }

    /** The hash of leaf {@code index} (what an inclusion proof starts from). */
    public synchronized byte[] leafHashAt(long index) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("no leaf " + index + " in a tree of " + size);
        }
        return store.node(0, index);
    }

    /** The inclusion proof (audit path) of leaf {@code index} in the tree of {@code treeSize}, RFC 9162 §2.1.3.1. */
    public synchronized List<byte[]> inclusionProof(long index, long treeSize) {
        requireSize(treeSize);
        if (index < 0 || index >= treeSize) {
            throw new IllegalArgumentException("no leaf " + index + " in a tree of " + treeSize);
        }
        List<byte[]> proof = new ArrayList<>();
        long lo = 0;
        long hi = treeSize;
        // Walks down from the root; the siblings come out root first, the proof lists them leaf first.
        while (hi - lo > 1) {
            long k = largestPowerOfTwoBelow(hi - lo);
            if (index < lo + k) {
                proof.add(rangeHash(lo + k, hi));
                hi = lo + k;
            } else {
                proof.add(rangeHash(lo, lo + k));
                lo = lo + k;
            }
        }
        Collections.reverse(proof);
        return proof;
    }

    /**
     * The consistency proof from the tree of {@code fromSize} to the tree of {@code toSize}, RFC 9162
     * §2.1.4.1; empty when either is 0 or both are equal.
     */
    public synchronized List<byte[]> consistencyProof(long fromSize, long toSize) {
        requireSize(toSize);
        if (fromSize < 0 || fromSize > toSize) {
            throw new IllegalArgumentException("no consistency proof from size " + fromSize + " to " + toSize);
        }
        List<byte[]> proof = new ArrayList<>();
        if (fromSize == 0 || fromSize == toSize) {
            return proof;
        }
        // SUBPROOF(m, D[lo:hi], b) of §2.1.4.1, unrolled; it also collects root first.
        long m = fromSize;
        long lo = 0;
        long hi = toSize;
        boolean whole = true;
        while (m != hi - lo) {
            long k = largestPowerOfTwoBelow(hi - lo);
            if (m <= k) {
                proof.add(rangeHash(lo + k, hi));
                hi = lo + k;
            } else {
                proof.add(rangeHash(lo, lo + k));
                lo = lo + k;
                m -= k;
                whole = false;
            }
        }
        if (!whole) {
            proof.add(rangeHash(lo, hi));
        }
        Collections.reverse(proof);
        return proof;
    }

    /** MTH(D[lo:hi]) from stored perfect subtrees; lo is always aligned as the RFC's recursion aligns it. */
    private byte[] rangeHash(long lo, long hi) {
        long n = hi - lo;
        if (Long.bitCount(n) == 1 && lo % n == 0) {
            return store.node(Long.numberOfTrailingZeros(n), lo / n);
        }
        long k = largestPowerOfTwoBelow(n);
        return nodeHash(rangeHash(lo, lo + k), rangeHash(lo + k, hi));
    }

    private void requireSize(long treeSize) {
        if (treeSize < 0 || treeSize > size) {
            throw new IllegalArgumentException("the tree has " + size + " leaves, not " + treeSize);
        }
    }

    /** The largest power of two smaller than n (n at least 2): the RFC's split point k. */
    static long largestPowerOfTwoBelow(long n) {
        return Long.highestOneBit(n - 1);
    }

    // ---- the hash and the verification algorithms ----

    /** {@code H(0x00 || leafInput)}. */
    public static byte[] leafHash(byte[] leafInput) {
        MessageDigest sha = sha256();
        sha.update((byte) 0x00);
        sha.update(leafInput);
        return sha.digest();
    }

    /** {@code H(0x01 || left || right)}. */
    public static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest sha = sha256();
        sha.update((byte) 0x01);
        sha.update(left);
        sha.update(right);
        return sha.digest();
    }

    /** The root of the empty tree, {@code H("")}. */
    public static byte[] emptyRoot() {
        return sha256().digest();
    }

    /**
     * Whether {@code proof} shows that the leaf with hash {@code leafHash} is leaf {@code index} of the tree
     * of {@code treeSize} whose root is {@code rootHash}: RFC 9162 §2.1.3.2.
     */
    public static boolean verifyInclusion(long index, long treeSize, byte[] leafHash, List<byte[]> proof, byte[] rootHash) {
        if (index < 0 || index >= treeSize || !wellFormed(proof) || !isHash(leafHash) || !isHash(rootHash)) {
            return false;
        }
        long fn = index;
        long sn = treeSize - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>>= 1;
                        sn >>>= 1;
                    }
                }
            } else {
                r = nodeHash(r, p);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(r, rootHash);
    }

    /**
     * Whether {@code proof} shows that the tree of {@code toSize} with root {@code toRoot} extends the tree
     * of {@code fromSize} with root {@code fromRoot}, appending only: RFC 9162 §2.1.4.2. Equal sizes need
     * equal roots and an empty proof; the empty tree is consistent with every tree (empty proof).
     */
    public static boolean verifyConsistency(long fromSize, long toSize, byte[] fromRoot, byte[] toRoot, List<byte[]> proof) {
        if (fromSize < 0 || fromSize > toSize || !wellFormed(proof) || !isHash(fromRoot) || !isHash(toRoot)) {
            return false;
        }
        if (fromSize == toSize) {
            return proof.isEmpty() && MessageDigest.isEqual(fromRoot, toRoot);
        }
        if (fromSize == 0) {
            return proof.isEmpty() && MessageDigest.isEqual(fromRoot, emptyRoot());
        }
        if (proof.isEmpty()) {
            return false;
        }
        List<byte[]> path = proof;
        if (Long.bitCount(fromSize) == 1) {
            path = new ArrayList<>(proof.size() + 1);
            path.add(fromRoot);
            path.addAll(proof);
        }
        long fn = fromSize - 1;
        long sn = toSize - 1;
        while ((fn & 1) == 1) {
            fn >>>= 1;
            sn >>>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = nodeHash(c, fr);
                sr = nodeHash(c, sr);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>>= 1;
                        sn >>>= 1;
                    }
                }
            } else {
                sr = nodeHash(sr, c);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(fr, fromRoot) && MessageDigest.isEqual(sr, toRoot);
    }

    private static boolean wellFormed(List<byte[]> proof) {
        if (proof == null || proof.size() > 64) {
            return false;
        }
        for (byte[] h : proof) {
            if (!isHash(h)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHash(byte[] h) {
        return h != null && h.length == HASH_SIZE;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }
}
