package id.gerbang.routes;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a composite's parts are sent: the caller's path segments below the composite's path read as its
 * {@code params} ({@link #params}), and each part's {@code path} and {@code query} templates filled with them
 * ({@link #path}, {@link #query}). A value is one whole path segment, percent-decoded once, and is
 * percent-encoded again on the way out: everything but RFC 3986's unreserved characters is sent as
 * {@code %XX}, so a value can never add a segment, a query parameter or a line to the part's request.
 * Pure functions over a validated definition.
 */
public final class PartTargets {

    private static final Pattern PARAM_REF = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]{0,63})}");
    /** The longest value a param takes, in characters after decoding. */
    public static final int MAX_VALUE = 256;

    private PartTargets() {}

    /** Why the caller's path does not fit the composite's params. */
    public static final class Refused extends IllegalArgumentException {
        public Refused(String reason) {
            super(reason);
        }
    }

    /**
     * The caller's values: one path segment of {@code rest} per param, in order.
     *
     * @param rest the raw path below the composite's path ({@code ""} or {@code "/..."})
     * @throws Refused when there are more or fewer segments than params, or a value is empty, a dot segment,
     *                 not UTF-8, longer than {@value #MAX_VALUE}, or holds a slash, a backslash or a control character
     */
    public static Map<String, String> params(RouteDefinition.Compose compose, String rest) {
        List<String> names = compose.params() == null ? List.of() : compose.params();
        String[] segments = rest.isEmpty() ? new String[0] : rest.substring(1).split("/", -1);
        if (segments.length != names.size()) {
            throw new Refused("this composite takes " + (names.isEmpty() ? "no path below its own"
                    : "exactly " + names.size() + " path segment" + (names.size() == 1 ? "" : "s") + " below its own: "
                    + String.join("/", names.stream().map(n -> "{" + n + "}").toList())));
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < segments.length; i++) {
            values.put(names.get(i), value(names.get(i), segments[i]));
        }
        return values;
    }

    private static String value(String name, String raw) {
        String v = decode(name, raw);
        if (v.isEmpty() || v.equals(".") || v.equals("..")) {
            throw new Refused(name + " must not be empty, . or ..");
        }
        if (v.length() > MAX_VALUE) {
            throw new Refused(name + " must be at most " + MAX_VALUE + " characters");
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') {
                throw new Refused(name + " must not hold a slash, a backslash or a control character");
            }
        }
        return v;
    }

    private static String decode(String name, String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw new Refused(name + " has a bad percent-encoding");
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new Refused(name + " has a bad percent-encoding");
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new Refused(name + " is not UTF-8");
        }
    }

    /** The part's path (to append to its route's path) with the values in, encoded; {@code ""} when it has none. */
    public static String path(RouteDefinition.Part part, Map<String, String> values) {
        return part.path() == null ? "" : fill(part.path(), values);
    }

    /** The part's raw query with the values in, encoded; {@code null} when it has none. */
    public static String query(RouteDefinition.Part part, Map<String, String> values) {
        if (part.query() == null || part.query().isEmpty()) {
            return null;
        }
        StringBuilder q = new StringBuilder();
        part.query().forEach((name, template) -> {
            if (!q.isEmpty()) {
                q.append('&');
            }
            q.append(name).append('=').append(fill(template, values));
        });
        return q.toString();
    }

    /** Replaces each whole {@code {param}} with its value, encoded; literals are unreserved characters already. */
    private static String fill(String template, Map<String, String> values) {
        Matcher m = PARAM_REF.matcher(template);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            out.append(template, last, m.start());
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException("no value for " + m.group(1) + ": the definition was not validated");
            }
            out.append(encode(value));
            last = m.end();
        }
        return out.append(template, last, template.length()).toString();
    }

    /** Every byte of the value's UTF-8 but RFC 3986's unreserved characters as {@code %XX}. */
    public static String encode(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
                    || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
