package id.gerbang.gateway.trail;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Masks personal data before anything of a call is stored (docs/trail.md, "Masking"; route field {@code audit}):
 * values of the query parameters a route names, and values of the shapes it names wherever they appear
 * in the path or query. A masked NIK keeps its first six digits (province, regency, district: where a
 * resident is registered, not who they are) so that an auditor can still see which region's data was
 * asked for: {@code 1404015708900001} becomes {@code 140401**********}. Digits are read whatever script
 * or encoding they are written in ({@link #asciiDigits}); a masked value is stored with ASCII digits.
 */
public final class Masking {

    public static final String MASK = "***";

    /** The value shapes a route may name in {@code audit.maskPatterns}. */
    enum Shape {
        // NIK: exactly 16 digits, not part of a longer number; zeros before them are padding (to an upstream
        // that reads a number, 01404015708900001 is the NIK) and are kept with the region. Scanned by hand:
        // it is the default, run on every call, where a regex costs several times more
        NIK(null, null) {
            @Override
            String mask(String text) {
                return niks(text);
            }
        },
        // NPWP: 15 digits, plain or punctuated (12.345.678.9-012.345); 16-digit NPWPs are NIKs
        NPWP("(?<![0-9])[0-9]{2}\\.?[0-9]{3}\\.?[0-9]{3}\\.?[0-9]-?[0-9]{3}\\.?[0-9]{3}(?![0-9])", "***NPWP***"),
        EMAIL("[A-Za-z0-9._%+-]+(@|%40)([A-Za-z0-9.-]+\\.[A-Za-z]{2,})", "***$1$2"),
        // Indonesian mobile numbers: 08…, 628…, +628… (10 to 13 digits)
        PHONE("(?<![0-9])(?:\\+|%2B)?(?:62|0)8[0-9]{7,11}(?![0-9])", "***PHONE***");

        final Pattern pattern;
        final String replacement;

        Shape(String regex, String replacement) {
            this.pattern = regex == null ? null : Pattern.compile(regex);
            this.replacement = replacement;
        }

        String mask(String text) {
            Matcher m = pattern.matcher(text);
            return m.find() ? m.replaceAll(replacement) : text;
        }
    }

    public static final Masking DEFAULT = new Masking(List.of(), List.of("nik"));

    /** The masking a route's {@code audit} settings ask for; {@code maskPatterns} defaults to {@code [nik]}. */
    public static Masking of(id.gerbang.routes.RouteDefinition.Audit audit) {
        if (audit == null) {
            return DEFAULT;
        }
        return new Masking(audit.maskQueryParams() == null ? List.of() : audit.maskQueryParams(),
                audit.maskPatterns() == null ? List.of("nik") : audit.maskPatterns());
    }

    private final Set<String> queryParams;
    private final List<Shape> shapes;

    /**
     * @param queryParams names of query parameters whose values are masked whole
     * @param shapes      value shapes masked anywhere: {@code nik}, {@code npwp}, {@code email}, {@code phone}
     */
    public Masking(List<String> queryParams, List<String> shapes) {
        this.queryParams = queryParams.stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        this.shapes = shapes.stream().map(s -> Shape.valueOf(s.toUpperCase(Locale.ROOT))).toList();
    }

    public String path(String rawPath) {
        return rawPath == null ? null : shapes(unreserved(rawPath));
    }

    /**
     * Masks a raw query. Parameters are separated by {@code &} or {@code ;} (both kept as sent); a
     * parameter named for masking has its whole value replaced, every other value is masked by shape.
     */
    public String query(String rawQuery) {
        if (rawQuery == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(rawQuery.length());
        int start = 0;
        for (int i = 0; i <= rawQuery.length(); i++) {
            if (i == rawQuery.length() || rawQuery.charAt(i) == '&' || rawQuery.charAt(i) == ';') {
                out.append(param(rawQuery.substring(start, i)));
                if (i < rawQuery.length()) {
                    out.append(rawQuery.charAt(i));
                }
                start = i + 1;
            }
        }
        return out.toString();
    }

    private String param(String param) {
        int eq = param.indexOf('=');
        String name = eq < 0 ? param : param.substring(0, eq);
        if (eq >= 0 && queryParams.contains(decode(name).toLowerCase(Locale.ROOT))) {
            return name + '=' + MASK;
        }
        return shapes(unreserved(param));
    }

    /**
     * Decodes percent-encoded unreserved characters (letters, digits, {@code - . _ ~}), which mean the same
     * as the characters themselves (RFC 3986 2.3): {@code %31404015708900001} is a NIK to every upstream,
     * so it is one to the masking too.
     */
    static String unreserved(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()) {
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                char decoded = (char) (hi << 4 | lo);
                if (hi >= 0 && lo >= 0 && (Character.isLetterOrDigit(decoded) && decoded < 0x80
                        || decoded == '-' || decoded == '.' || decoded == '_' || decoded == '~')) {
                    out.append(decoded);
                    i += 2;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    /**
     * Masks every configured shape in a free text (a JSON document of a route change, a user id), after
     * its digits are made ASCII ({@link #asciiDigits}).
     */
    public String shapes(String text) {
        if (shapes.isEmpty()) {
            return text;
        }
        String out = asciiDigits(text);
        for (Shape s : shapes) {
            out = s.mask(out);
        }
        return out;
    }

    /**
     * Masks every NIK in a text: a run of exactly 16 ASCII digits, or a longer run whose extra leading
     * digits are all zeros; the run's last 10 digits become {@code *}, so the region code (and any padding)
     * is kept: {@code 1404015708900001} becomes {@code 140401**********}.
     */
    static String niks(String text) {
        char[] out = null;
        int i = 0;
        while (i < text.length()) {
            if (!isDigit(text.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < text.length() && isDigit(text.charAt(i))) {
                i++;
            }
            if (i - start >= 16 && zeros(text, start, i - 16)) {
                if (out == null) {
                    out = text.toCharArray();
                }
                java.util.Arrays.fill(out, i - 10, i, '*');
            }
        }
        return out == null ? text : new String(out);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean zeros(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (text.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }

    /**
     * The text with every decimal digit written as its ASCII digit: digits of other scripts (fullwidth
     * {@code １}, Arabic-Indic {@code ١}, …: Unicode category Nd, which number parsers read as digits),
     * raw or percent-encoded as UTF-8 ({@code %EF%BC%91}), and percent-encoded ASCII digits ({@code %31}).
     * A NIK is a NIK to an upstream however its digits are written, so it must be one to the masking too.
     * Nothing else is changed; a text without {@code %} and without non-ASCII is returned as it is.
     */
    static String asciiDigits(String text) {
        int i = 0;
        while (i < text.length() && text.charAt(i) != '%' && text.charAt(i) < 0x80) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length()).append(text, 0, i);
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '%') {
                long encoded = percentEncodedCodePoint(text, i);
                if (encoded >= 0 && Character.isDigit((int) (encoded >>> 8))) {
                    out.append((char) ('0' + Character.digit((int) (encoded >>> 8), 10)));
                    i += (int) (encoded & 0xFF);
                    continue;
                }
                out.append(c);
                i++;
            } else if (c >= 0x80) {
                int cp = text.codePointAt(i);
                if (Character.isDigit(cp)) {
                    out.append((char) ('0' + Character.digit(cp, 10)));
                } else {
                    out.appendCodePoint(cp);
                }
                i += Character.charCount(cp);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /**
     * The character percent-encoded as UTF-8 at {@code i} ({@code %31}, {@code %EF%BC%91}): its code point
     * shifted left by 8, or'ed with the number of characters its escapes take; -1 when there is none.
     */
    private static long percentEncodedCodePoint(String s, int i) {
        int lead = escapedByte(s, i);
        int length = lead < 0 ? 0 : lead < 0x80 ? 1 : lead >= 0xC2 && lead <= 0xDF ? 2
                : lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
        if (length == 0) {
            return -1;
        }
        int cp = length == 1 ? lead : lead & (0x7F >> length);
        for (int k = 1; k < length; k++) {
            int b = escapedByte(s, i + 3 * k);
            if (b < 0x80 || b > 0xBF) {
                return -1;
            }
            cp = cp << 6 | (b & 0x3F);
        }
        return (long) cp << 8 | 3 * length;
    }

    /** The byte {@code %XX} at {@code i} stands for, or -1. */
    private static int escapedByte(String s, int i) {
        if (i + 2 >= s.length() || s.charAt(i) != '%') {
            return -1;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        return hi < 0 || lo < 0 ? -1 : hi << 4 | lo;
    }

    private static String decode(String s) {
        try {
            return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
