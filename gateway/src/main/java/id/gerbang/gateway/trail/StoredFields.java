package id.gerbang.gateway.trail;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Map;

/**
 * What every entry passes on its way to the store, whoever made it (the {@code /api} pipeline, the
 * auditors' API, the registry, the console, the security chain's refusals), so that no caller can make a
 * record the store refuses or one that holds a NIK it sent (docs/trail.md, "Bounds"):
 *
 * <ul>
 *   <li>NIKs are masked in the identifying fields a caller writes as it likes ({@code correlationId},
 *       {@code userId}, {@code method}); paths, queries and details are masked by the entry's maker, with the
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

    /** The length of each text column of {@code audit_record}, in characters. */
    static final Map<String, Integer> COLUMNS = Map.ofEntries(
            Map.entry("kind", 16), Map.entry("node", 64), Map.entry("correlation_id", 128),
            Map.entry("client_id", 255), Map.entry("client_opd", 64), Map.entry("user_id", 256),
            Map.entry("route_id", 64), Map.entry("owner_opd", 64), Map.entry("method", 16), Map.entry("path", 8192),
            Map.entry("query", 16384), Map.entry("error_code", 32), Map.entry("request_sha256", 64),
            Map.entry("response_sha256", 64), Map.entry("detail", 1_000_000), Map.entry("prev_hash", 64),
            Map.entry("hash", 64));

    private static final char REPLACEMENT = '\uFFFD';

    private StoredFields() {}

    static TrailEntry of(TrailEntry e) {
        return new TrailEntry(e.kind(), e.requestAt(), e.responseAt(),
                text(nik(e.correlationId()), "correlation_id"), text(e.clientId(), "client_id"),
                text(e.clientOpd(), "client_opd"), text(nik(e.userId()), "user_id"), text(e.routeId(), "route_id"),
                e.routeVersion(), text(e.ownerOpd(), "owner_opd"), text(nik(e.method()), "method"),
                text(e.path(), "path"), text(e.query(), "query"), e.status(), e.upstreamStatus(),
                text(e.errorCode(), "error_code"), e.durationMs(), e.upstreamDurationMs(), e.requestBytes(),
                e.responseBytes(), text(e.requestSha256(), "request_sha256"),
                text(e.responseSha256(), "response_sha256"), detail(e.detail()));
    }

    private static String nik(String value) {
        return value == null ? null : Masking.DEFAULT.shapes(value);
    }

    /** The value as its column can hold it. */
    static String text(String value, String column) {
        if (value == null) {
            return null;
        }
        int limit = COLUMNS.get(column);
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
        int limit = COLUMNS.get("detail");
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
