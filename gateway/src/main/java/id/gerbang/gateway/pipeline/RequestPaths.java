package id.gerbang.gateway.pipeline;

import id.gerbang.gateway.proxy.RequestTarget;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

/**
 * Refuses hostile request paths before anything else looks at them (docs/security.md, "Hostile paths"):
 * {@code .} and {@code ..} segments, encoded slashes and backslashes ({@code %2F}, {@code %5C}),
 * backslashes, {@code ;} parameters, NUL and other control characters, before or after decoding,
 * however many times encoded; characters RFC 3986 does not allow in a path as sent ({@code { | ^ " < >},
 * a backtick, ...) and malformed percent-escapes, which no upstream request could carry as they came;
 * escapes that do not decode as UTF-8 (overlong forms such as {@code %c0%ae} included); and segments
 * that Unicode compatibility normalisation (NFKC) turns into one of these forms (a fullwidth dot
 * {@code %EF%BC%8E}, a one dot leader, a fullwidth slash or backslash), which an upstream that normalises
 * would read as the real thing. Paths are never rewritten: a path is either forwarded as it came or refused.
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
            String reason = round == 0 ? checkAsSent(s) : checkDecoded(s);
            if (reason != null) {
                return round == 0 ? reason : reason + " after decoding";
            }
            if (s.indexOf('%') < 0) {
                return null;
            }
            String decoded = strictUtf8(percentDecode(s));
            if (decoded == null) {
                return "invalid UTF-8 after decoding";
            }
            if (decoded.equals(s)) {
                return null; // only per cent signs that start no escape: literal data
            }
            s = decoded;
        }
        return "path encoded too many times";
    }

    /**
     * A query as sent: printable ASCII only, only the characters RFC 3986 allows in a query, and every
     * {@code %} followed by two hex digits. Its values are not decoded: they are the upstream's business.
     *
     * @return why the raw query is refused, or {@code null}
     */
    public static String queryRefusal(String rawQuery) {
        String raw = rawCharacters(rawQuery);
        return raw != null ? raw : RequestTarget.queryRefusal(rawQuery);
    }

    /**
     * A request target as sent may hold only printable ASCII: anything else must be percent-encoded
     * (RFC 3986). Raw bytes beyond ASCII would otherwise be re-encoded on the way to the upstream.
     *
     * @return why the raw path or query is refused, or {@code null}
     */
    private static String rawCharacters(String raw) {
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

    private static String checkAsSent(String s) {
        String reason = checkLiteral(s);
        return reason != null ? reason : RequestTarget.pathRefusal(s);
    }

    private static String checkDecoded(String s) {
        String reason = checkLiteral(s);
        return reason != null ? reason : lookAlike(s);
    }

    /**
     * A segment whose NFKC form (which some upstreams, frameworks and file systems apply) would be
     * refused, or would hold a slash: {@code ．．} is {@code ..}, {@code ／} is {@code /}.
     */
    private static String lookAlike(String s) {
        if (isAscii(s)) {
            return null;
        }
        for (String segment : s.split("/", -1)) {
            if (isAscii(segment)) {
                continue;
            }
            String normalised = Normalizer.normalize(segment, Normalizer.Form.NFKC);
            String reason = normalised.indexOf('/') >= 0 ? "slash" : checkLiteral(normalised);
            if (reason != null) {
                return "Unicode look-alike: " + reason;
            }
        }
        return null;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
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

    /** Percent-decodes until nothing changes (at most a few rounds), as {@link #decodeOnce} does each round. */
    static String decodeFully(String s) {
        String current = s;
        for (int round = 0; round < MAX_ROUNDS && current.indexOf('%') >= 0; round++) {
            String decoded = decodeOnce(current);
            if (decoded.equals(current)) {
                break;
            }
            current = decoded;
        }
        return current;
    }

    /** One round of percent-decoding, read as UTF-8 with malformed bytes replaced (for names compared afterwards). */
    static String decodeOnce(String s) {
        return new String(percentDecode(s), StandardCharsets.UTF_8);
    }

    /**
     * One round of percent-decoding to bytes. A {@code %} not followed by two hex digits stays as it is, as
     * most decoders leave it (a path as sent with one is refused before): it must not hide the escapes
     * around it from the next round.
     */
    private static byte[] percentDecode(String s) {
        byte[] out = new byte[s.length() * 3];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int hi = c == '%' && i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(s.charAt(i + 2), 16);
            if (lo >= 0) {
                out[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else if (c < 0x80) {
                out[n++] = (byte) c;
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                System.arraycopy(utf8, 0, out, n, utf8.length);
                n += utf8.length;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /**
     * Bytes read as UTF-8, strictly: {@code null} for anything malformed, overlong forms ({@code C0 AE} for
     * {@code .}) and encoded surrogates included, where a lenient decoder would substitute or, in some
     * upstreams, decode an overlong form to the character it imitates.
     */
    private static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * Whether any query parameter is named {@code access_token}, however encoded ({@code %61ccess_token},
     * {@code access_token[]}), or under a name PHP reads as {@code access_token} ({@code access.token},
     * {@code access+token}, {@code access%20token}, {@code access[token}, {@code access_token%00x}).
     */
    static boolean hasQueryToken(String query) {
        if (query == null) {
            return false;
        }
        for (String param : query.split("[&;]")) {
            int eq = param.indexOf('=');
            String name = phpName(eq < 0 ? param : param.substring(0, eq));
            if (name.equals("access_token") || name.startsWith("access_token[") || name.replace('[', '_').equals("access_token")) {
                return true;
            }
        }
        return false;
    }

    /**
     * A query parameter's name as PHP reads it, lower-cased: decoded ({@code +} is a space), cut at a NUL,
     * leading spaces dropped, spaces and dots turned into {@code _} (an unmatched {@code [} too, checked by
     * the caller).
     */
    private static String phpName(String rawName) {
        String name = decodeFully(rawName.replace('+', ' ')).toLowerCase(java.util.Locale.ROOT);
        int nul = name.indexOf('\0');
        return (nul < 0 ? name : name.substring(0, nul)).stripLeading().replace(' ', '_').replace('.', '_');
    }
}
