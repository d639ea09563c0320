package id.gerbang.gateway.pipeline;

/**
 * Refuses hostile request paths before anything else looks at them (PRODUCT.md, "Route definition"):
 * {@code .} and {@code ..} segments, encoded slashes and backslashes ({@code %2F}, {@code %5C}),
 * backslashes, {@code ;} parameters, NUL and other control characters, before or after decoding,
 * however many times encoded. Paths are never rewritten: a path is either forwarded as it came or refused.
 */
public final class RequestPaths {

    /** Decoding rounds tried; a path still changing after them is refused as too deeply encoded. */
    private static final int MAX_ROUNDS = 4;

    private RequestPaths() {}

    /** @return why the raw (undecoded) request path is refused, or {@code null} when it is acceptable */
    public static String refusal(String rawPath) {
        String raw = rawCharacters(rawPath);
        if (raw != null) {
            return raw;
        }
        String s = rawPath;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            String reason = checkLiteral(s);
            if (reason != null) {
                return round == 0 ? reason : reason + " after decoding";
            }
            if (s.indexOf('%') < 0) {
                return null;
            }
            String decoded = decodeOnce(s);
            if (decoded == null) {
                // "%" not followed by two hex digits: malformed as sent, but after a decoding round it is
                // just a literal per cent sign in the data
                return round == 0 ? "malformed percent-encoding" : null;
            }
            s = decoded;
        }
        return "path encoded too many times";
    }

    /**
     * A request target as sent may hold only printable ASCII: anything else must be percent-encoded
     * (RFC 3986). Raw bytes beyond ASCII would otherwise be re-encoded on the way to the upstream.
     *
     * @return why the raw query is refused, or {@code null}
     */
    public static String rawCharacters(String raw) {
        if (raw == null) {
            return null;
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "control character";
            }
            if (c > 0x7e) {
                return "character outside printable ASCII; percent-encode it";
            }
        }
        return null;
    }

    private static String checkLiteral(String s) {
        int segmentStart = 0;
        for (int i = 0; i <= s.length(); i++) {
            char c = i < s.length() ? s.charAt(i) : '/';
            if (c == '/') {
                int len = i - segmentStart;
                if ((len == 1 && s.charAt(segmentStart) == '.')
                        || (len == 2 && s.charAt(segmentStart) == '.' && s.charAt(segmentStart + 1) == '.')) {
                    return "dot segment";
                }
                segmentStart = i + 1;
            } else if (c < 0x20 || c == 0x7f) {
                return "control character";
            } else if (c == '\\') {
                return "backslash";
            } else if (c == ';') {
                return "';' parameter";
            } else if (c == '%' && i + 2 < s.length()) {
                char h = s.charAt(i + 1);
                char l = Character.toLowerCase(s.charAt(i + 2));
                if (h == '2' && l == 'f') {
                    return "encoded slash";
                }
                if (h == '5' && l == 'c') {
                    return "encoded backslash";
                }
            }
        }
        return null;
    }

    /**
     * The path a (refused) raw path would name once decoded and normalised: backslashes read as slashes,
     * empty and {@code .} segments dropped, {@code ..} applied. Only for naming what a hostile request
     * aimed at; never forwarded.
     */
    public static String resolved(String rawPath) {
        java.util.ArrayDeque<String> segments = new java.util.ArrayDeque<>();
        for (String segment : decodeFully(rawPath).replace('\\', '/').split("/")) {
            if (segment.equals("..")) {
                segments.pollLast();
            } else if (!segment.isEmpty() && !segment.equals(".")) {
                segments.addLast(segment);
            }
        }
        return "/" + String.join("/", segments);
    }

    /** Percent-decodes until nothing changes (at most a few rounds); stops at the first malformed escape. */
    static String decodeFully(String s) {
        String current = s;
        for (int round = 0; round < MAX_ROUNDS && current.indexOf('%') >= 0; round++) {
            String decoded = decodeOnce(current);
            if (decoded == null) {
                break;
            }
            current = decoded;
        }
        return current;
    }

    /** One round of percent-decoding as UTF-8; {@code null} when a {@code %} is not followed by two hex digits. */
    static String decodeOnce(String s) {
        byte[] out = new byte[s.length() * 3];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else if (c < 0x80) {
                out[n++] = (byte) c;
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                System.arraycopy(utf8, 0, out, n, utf8.length);
                n += utf8.length;
            }
        }
        return new String(out, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }
}
