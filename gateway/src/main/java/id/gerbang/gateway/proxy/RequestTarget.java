package id.gerbang.gateway.proxy;

/**
 * The characters RFC 3986 allows, as sent, in a request target's path and in its query, and the one
 * check both the pipeline and the forwarder make with them. Everything else must be percent-encoded by
 * the client: the gateway never encodes or decodes a caller's path, so a target it cannot send as it
 * came is refused.
 */
public final class RequestTarget {

    /** {@code pchar} without {@code %} (checked apart, with its two hex digits), plus {@code /}. */
    private static final boolean[] PATH = allowed("-._~!$&'()*+,;=:@/");
    /**
     * The query's characters: {@code pchar / "/" / "?"}, and also {@code [} and {@code ]}, which RFC 3986
     * reserves for IP literals but PHP-style clients and common JavaScript libraries send unencoded in
     * query names ({@code ids[]=1}); they delimit nothing in a query and were always forwarded.
     */
    private static final boolean[] QUERY = allowed("-._~!$&'()*+,;=:@/?[]");

    private RequestTarget() {}

    /** @return why the raw path cannot be sent as it came, or {@code null} */
    public static String pathRefusal(String rawPath) {
        return refusal(rawPath, PATH, "path");
    }

    /** @return why the raw query cannot be sent as it came, or {@code null} */
    public static String queryRefusal(String rawQuery) {
        return rawQuery == null ? null : refusal(rawQuery, QUERY, "query");
    }

    private static String refusal(String raw, boolean[] allowed, String part) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || !isHex(raw.charAt(i + 1)) || !isHex(raw.charAt(i + 2))) {
                    return "malformed percent-encoding";
                }
                i += 2;
            } else if (c >= allowed.length || !allowed[c]) {
                return c < 0x21 || c > 0x7e ? "character U+%04X not allowed in a %s".formatted((int) c, part)
                        : "character '" + c + "' not allowed in a " + part + "; percent-encode it";
            }
        }
        return null;
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0 && c < 0x80;
    }

    private static boolean[] allowed(String punctuation) {
        boolean[] allowed = new boolean[128];
        for (char c = '0'; c <= '9'; c++) {
            allowed[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            allowed[c] = true;
            allowed[Character.toUpperCase(c)] = true;
        }
        for (char c : punctuation.toCharArray()) {
            allowed[c] = true;
        }
        return allowed;
    }
}
