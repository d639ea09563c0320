package id.gerbang.gateway.trail;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * What every entry passes on its way to the store, whoever made it (the {@code /api} pipeline, the
 * auditors' API, the registry, the console, the security chain's refusals), so that no caller can make a
 * record the store refuses or one that holds a NIK it sent (docs/trail.md, "Bounds"):
 *
 * <ul>
 *   <li>NIKs are masked in the identifying fields a caller writes as it likes ({@code correlationId},
 *       {@code parentCorrelationId}, {@code userId}, {@code method}); paths, queries and details are masked by the entry's maker, with the
 *       masking of the route they concern;
 *   <li>every text fits its column of {@code audit_record} (V1__trail.sql): a longer one keeps its beginning
 *       and ends with the marker {@code …[+N]}, N the number of characters cut; a {@code detail} too long is
 *       replaced by a JSON document that says so, so that it stays JSON;
 *   <li>characters no store can keep as they are (NUL, which PostgreSQL refuses in text, and a surrogate
 *       without its pair, which has no UTF-8 form) become U+FFFD.
 * </ul>
 *
 * The record is hashed after this, so what is hashed is exactly what is stored.
 */
final class StoredFields {

    private static final char REPLACEMENT = '\uFFFD';

    private StoredFields() {}

    /** An entry's values ({@link TrailField#values(TrailEntry)}) as they are stored. */
    static Object[] values(TrailEntry e) {
        Object[] values = TrailField.values(e);
        for (TrailField f : TrailField.ALL) {
            if (f.ofEntry() && values[f.ordinal()] instanceof String v) {
                values[f.ordinal()] = switch (f) {
                    case CORRELATION_ID, PARENT_CORRELATION_ID, USER_ID, METHOD -> text(nik(v), f);
                    case DETAIL -> detail(v);
                    default -> text(v, f);
                };
            }
        }
        return values;
    }

    /** An entry as it is stored, as the {@code nodeSeq}-th record of {@code node} after {@code prevHash}. */
    static AuditRecord stored(TrailEntry e, String node, long nodeSeq, String prevHash) {
        return AuditRecord.chain(values(e), node, nodeSeq, prevHash);
    }

    private static String nik(String value) {
        return value == null ? null : Masking.DEFAULT.shapes(value);
    }

    /** The value as its column can hold it. */
    static String text(String value, TrailField field) {
        if (value == null) {
            return null;
        }
        int limit = field.maxLength();
        String storable = storable(value);
        return storable.length() <= limit ? storable : cut(storable, limit);
    }

    /** The beginning of a value and the marker {@code …[+N]}, together {@code limit} characters at most. */
    static String cut(String value, int limit) {
        int keep = limit - 4 - digits(value.length());
        if (keep > 0 && Character.isHighSurrogate(value.charAt(keep - 1))) {
            keep--; // never half a character
        }
        return value.substring(0, keep) + "…[+" + (value.length() - keep) + "]";
    }

    /**
     * A {@code detail} (a JSON document) that fits its column; one too long becomes
     * {@code {"truncated":true,"length":L,"start":"…"}}: its length and its beginning, as a JSON string.
     */
    static String detail(String detail) {
        String storable = detail == null ? null : storable(detail);
        int limit = TrailField.DETAIL.maxLength();
        if (storable == null || storable.length() <= limit) {
            return storable;
        }
        // written as a JSON string, a JSON document grows at most twofold: its own quotes and backslashes are
        // escaped, and it holds no raw control character
        String bounded = truncated(storable, (limit - 100) / 2);
        // a detail that is not JSON may hold control characters, which grow sixfold
        return bounded.length() <= limit ? bounded : truncated(storable, (limit - 100) / 6);
    }

    private static String truncated(String detail, int startLength) {
        return JsonNodeFactory.instance.objectNode().put("truncated", true).put("length", detail.length())
                .put("start", cut(detail, startLength)).toString();
    }

    /** The value with NUL and unpaired surrogates replaced; the same string when it has none (nearly always). */
    static String storable(String value) {
        int i = firstUnstorable(value, 0);
        if (i < 0) {
            return value;
        }
        char[] out = value.toCharArray();
        while (i >= 0) {
            out[i] = REPLACEMENT;
            i = firstUnstorable(value, i + 1);
        }
        return new String(out);
    }

    private static int firstUnstorable(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                return i;
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            }
        }
        return -1;
    }

    private static int digits(int n) {
        return Integer.toString(n).length();
    }
}
