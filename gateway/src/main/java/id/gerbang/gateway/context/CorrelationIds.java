package id.gerbang.gateway.context;

import jakarta.servlet.http.HttpServletRequest;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The correlation id of a call: the caller's {@code X-Correlation-Id} when it is a sane token (letters,
 * digits, {@code . _ : -}, at most 128 characters), else a new time-ordered UUID (version 7, RFC 9562).
 *
 * <p>Time-ordered because the trail indexes correlation ids: a new id sorts after the ids of the last
 * millisecond, so each insert lands at the end of that index instead of in a random leaf. With random
 * (version 4) ids every record of a group commit dirtied a different leaf page, which halved the trail's
 * write rate on H2 (docs/performance.md).
 *
 * <p>The gateway's filter gives every request its id first and keeps it in the request attribute
 * {@link #ATTRIBUTE}; everything after it reads the id with {@link #of}.
 */
public final class CorrelationIds {

    /** The header carrying the id, both ways. */
    public static final String HEADER = "X-Correlation-Id";
    /** The request attribute holding the id of the request. */
    public static final String ATTRIBUTE = CorrelationIds.class.getName() + ".id";
    /** The key of the id in the logging context (MDC) while its request is served: a field of every log line. */
    public static final String MDC_KEY = "correlationId";

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private CorrelationIds() {}

    /**
     * The correlation id the gateway's filter gave the request, or a new one for a request that never
     * passed through it (an error dispatched before it ran, say).
     */
    public static String of(HttpServletRequest request) {
        return request.getAttribute(ATTRIBUTE) instanceof String id ? id : create();
    }

    public static String keepOrCreate(String offered) {
        return isSane(offered) ? offered : create();
    }

    static boolean isSane(String s) {
        if (s == null || s.isEmpty() || s.length() > 128) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * A version 7 UUID: 48 bits of Unix time in milliseconds, then 74 random bits. Correlation ids need to be
     * unique, not secret, so no SecureRandom on the hot path; ids made in the same millisecond are not
     * ordered among themselves, which costs an index nothing (they share its last leaf).
     */
    public static String create() {
        return format(System.currentTimeMillis(), ThreadLocalRandom.current());
    }

    static String format(long unixMillis, ThreadLocalRandom r) {
        long hi = (unixMillis << 16) | 0x7000L | (r.nextInt() & 0x0FFFL);
        long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        char[] out = new char[36];
        int p = 0;
        for (int i = 0; i < 16; i++) {
            long word = i < 8 ? hi : lo;
            int shift = 56 - 8 * (i % 8);
            int b = (int) (word >>> shift) & 0xFF;
            if (i == 4 || i == 6 || i == 8 || i == 10) {
                out[p++] = '-';
            }
            out[p++] = HEX[b >>> 4];
            out[p++] = HEX[b & 0xF];
        }
        return new String(out);
    }
}
