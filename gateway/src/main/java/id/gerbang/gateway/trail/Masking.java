package id.gerbang.gateway.trail;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Masks personal data before anything of a call is stored (PRODUCT.md, route field {@code audit}):
 * values of the query parameters a route names, and values of the shapes it names wherever they appear
 * in the path or query. A masked NIK keeps its first six digits (province, regency, district: where a
 * resident is registered, not who they are) so that an auditor can still see which region's data was
 * asked for: {@code 1404015708900001} becomes {@code 140401**********}.
 */
public final class Masking {

    public static final String MASK = "***";

    /** The value shapes a route may name in {@code audit.maskPatterns}. */
    enum Shape {
        // NIK: exactly 16 digits, not part of a longer number
        NIK("(?<![0-9])([0-9]{6})[0-9]{10}(?![0-9])", "$1**********"),
        // NPWP: 15 digits, plain or punctuated (12.345.678.9-012.345); 16-digit NPWPs are NIKs
        NPWP("(?<![0-9])[0-9]{2}\\.?[0-9]{3}\\.?[0-9]{3}\\.?[0-9]-?[0-9]{3}\\.?[0-9]{3}(?![0-9])", "***NPWP***"),
        EMAIL("[A-Za-z0-9._%+-]+(@|%40)([A-Za-z0-9.-]+\\.[A-Za-z]{2,})", "***$1$2"),
        // Indonesian mobile numbers: 08…, 628…, +628… (10 to 13 digits)
        PHONE("(?<![0-9])(?:\\+|%2B)?(?:62|0)8[0-9]{7,11}(?![0-9])", "***PHONE***");

        final Pattern pattern;
        final String replacement;

        Shape(String regex, String replacement) {
            this.pattern = Pattern.compile(regex);
            this.replacement = replacement;
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

    /** Masks every configured shape in a free text (a JSON document of a route change, say). */
    public String shapes(String text) {
        String out = text;
        for (Shape s : shapes) {
            Matcher m = s.pattern.matcher(out);
            if (m.find()) {
                out = m.replaceAll(s.replacement);
            }
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
