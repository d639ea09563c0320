package id.gerbang.gateway.anchor;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * RFC 9162 §2.1's definitions written as literally as they read (MTH, PATH, PROOF, SUBPROOF), recursive
 * over the whole list of leaves: the reference {@link MerkleTree} is checked against. Shares nothing
 * with it but the JDK's SHA-256. MTH is remembered per list of leaves (by the leaves' identity), only so
 * that checking every proof up to a few hundred leaves stays quick.
 */
final class NaiveMerkle {

    private static final Map<List<byte[]>, byte[]> MTH = new ConcurrentHashMap<>();

    private NaiveMerkle() {}

    static byte[] mth(List<byte[]> d) {
        byte[] known = MTH.get(d);
        if (known != null) {
            return known;
        }
        byte[] computed = computeMth(d);
        MTH.put(new ArrayList<>(d), computed);
        return computed;
    }

    private static byte[] computeMth(List<byte[]> d) {
        int n = d.size();
        if (n == 0) {
            return sha(new byte[0]);
        }
        if (n == 1) {
            return sha(concat(new byte[] {0}, d.get(0)));
        }
        int k = k(n);
        return sha(concat(new byte[] {1}, mth(d.subList(0, k)), mth(d.subList(k, n))));
    }

    static List<byte[]> path(int m, List<byte[]> d) {
        int n = d.size();
        List<byte[]> out = new ArrayList<>();
        if (n == 1) {
            return out;
        }
        int k = k(n);
        if (m < k) {
            out.addAll(path(m, d.subList(0, k)));
            out.add(mth(d.subList(k, n)));
        } else {
            out.addAll(path(m - k, d.subList(k, n)));
            out.add(mth(d.subList(0, k)));
        }
        return out;
    }

    static List<byte[]> proof(int m, List<byte[]> d) {
        return subproof(m, d, true);
    }

    private static List<byte[]> subproof(int m, List<byte[]> d, boolean b) {
        int n = d.size();
        List<byte[]> out = new ArrayList<>();
        if (m == n) {
            if (!b) {
                out.add(mth(d));
            }
            return out;
        }
        int k = k(n);
        if (m <= k) {
            out.addAll(subproof(m, d.subList(0, k), b));
            out.add(mth(d.subList(k, n)));
        } else {
            out.addAll(subproof(m - k, d.subList(k, n), false));
            out.add(mth(d.subList(0, k)));
        }
        return out;
    }

    /** The largest power of two smaller than n, by counting up. */
    private static int k(int n) {
        int k = 1;
        while (k * 2 < n) {
            k *= 2;
        }
        return k;
    }

    private static byte[] sha(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[]... parts) {
        int len = 0;
        for (byte[] p : parts) {
            len += p.length;
        }
        byte[] out = new byte[len];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
