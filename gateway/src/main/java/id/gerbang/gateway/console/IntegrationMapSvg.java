package id.gerbang.gateway.console;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The integration map as a picture: OPDs on a circle (sorted, so the same period draws the same picture),
 * each call from a calling OPD to a providing OPD an arrow as thick as its calls are many, labelled with
 * their number, red when some failed (5xx). Drawn for a projector: 1600 × 1200, large type. Plain SVG,
 * no script, no style sheet, no reference outside itself; every word from the data is escaped.
 */
final class IntegrationMapSvg {

    /** At most this many pairs are drawn, the busiest: the picture stays readable and its size bounded. */
    static final int MAX_ARROWS = 400;
    static final int WIDTH = 1600;
    static final int HEIGHT = 1200;
    private static final int LABEL_MAX = 24;
    /** With more arrows than this, only the busiest carry their number (every arrow's tooltip has it). */
    private static final int COUNTS_SHOWN = 60;
    private static final double TOP = 150;
    private static final String CALL = "#1f4e79";
    private static final String FAILING = "#b3261e";

    /** A pair of the map: calls from {@code from} (null: no known OPD) to services of {@code to}. */
    record Arrow(String from, String to, long calls, long failed) {}

    /** The picture's words, in the page's language. */
    interface Words {
        /** The heading, with the period. */
        String title();

        /** How to read the picture. */
        String legend();

        /** The name of calls of no known OPD. */
        String noOpd();

        /** Said when no call was made in the period. */
        String none();

        /** An arrow's tooltip. */
        String tooltip(String from, String to, long calls, long failed);

        /** Said when only the busiest pairs are drawn. */
        String omitted(int drawn, int all);
    }

    private IntegrationMapSvg() {}

    static String of(List<Arrow> pairs, Words words) {
        List<Arrow> drawn = pairs.stream()
                .sorted(Comparator.comparingLong(Arrow::calls).reversed().thenComparing(a -> key(a.from(), words))
                        .thenComparing(Arrow::to))
                .limit(MAX_ARROWS).toList();
        TreeSet<String> names = new TreeSet<>();
        drawn.forEach(a -> {
            names.add(key(a.from(), words));
            names.add(a.to());
        });
        List<String> opds = new ArrayList<>(names);
        int n = opds.size();
        StringBuilder svg = new StringBuilder(4096 + 600 * drawn.size() + 300 * n);
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" role=\"img\" aria-labelledby=\"map-title map-desc\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n");
        svg.append("<title id=\"map-title\">").append(esc(words.title())).append("</title>\n");
        svg.append("<desc id=\"map-desc\">").append(esc(words.legend())).append("</desc>\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        text(svg, WIDTH / 2.0, 56, 40, "middle", "bold", "#111111", words.title());
        String legend = words.legend();
        if (drawn.size() < pairs.size()) {
            legend += " " + words.omitted(drawn.size(), pairs.size());
        }
        text(svg, WIDTH / 2.0, 104, 24, "middle", "normal", "#333333", legend);
        if (n == 0) {
            text(svg, WIDTH / 2.0, HEIGHT / 2.0, 36, "middle", "normal", "#333333", words.none());
            return svg.append("</svg>\n").toString();
        }
        double cx = WIDTH / 2.0;
        double cy = TOP + (HEIGHT - TOP) / 2.0;
        double radius = Math.min(cx, (HEIGHT - TOP) / 2.0) - (n > 24 ? 140 : 90);
        double r = Math.max(8, Math.min(24, 700.0 / n));
        Map<String, double[]> at = new HashMap<>();
        for (int i = 0; i < n; i++) {
            double angle = -Math.PI / 2 + 2 * Math.PI * i / n;
            at.put(opds.get(i), new double[] {cx + radius * Math.cos(angle), cy + radius * Math.sin(angle), angle});
        }
        long max = drawn.stream().mapToLong(Arrow::calls).max().orElse(1);
        int countSize = drawn.size() <= 30 ? 26 : 18;
        double widest = drawn.size() <= 30 ? 16 : drawn.size() <= 120 ? 8 : 4;
        StringBuilder counts = new StringBuilder();
        svg.append("<g id=\"calls\">\n");
        // the lightest first, so that the busiest are drawn over them
        for (int i = drawn.size() - 1; i >= 0; i--) {
            Arrow a = drawn.get(i);
            String from = key(a.from(), words);
            double w = 2 + widest * Math.sqrt((double) a.calls() / max);
            String colour = a.failed() > 0 ? FAILING : CALL;
            svg.append("<g class=\"call\" data-from=\"").append(esc(from)).append("\" data-to=\"").append(esc(a.to()))
                    .append("\" data-calls=\"").append(a.calls()).append("\"><title>")
                    .append(esc(words.tooltip(from, a.to(), a.calls(), a.failed())))
                    .append("</title>");
            double[] label = from.equals(a.to()) ? loop(svg, at.get(from), r, w, colour, cx, cy)
                    : arrow(svg, at.get(from), at.get(a.to()), r, w, colour);
            svg.append("</g>\n");
            if (i < COUNTS_SHOWN) {
                text(counts, label[0], label[1], countSize, "middle", "bold", colour, Long.toString(a.calls()));
            }
        }
        svg.append("</g>\n<g id=\"opds\">\n");
        int labelSize = n <= 16 ? 30 : n <= 30 ? 22 : 16;
        boolean anyUnknown = drawn.stream().anyMatch(a -> a.from() == null);
        for (String opd : opds) {
            double[] p = at.get(opd);
            boolean unknown = anyUnknown && opd.equals(words.noOpd());
            svg.append("<g class=\"opd\" data-opd=\"").append(esc(opd)).append("\"><title>").append(esc(opd)).append("</title>");
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"3\"/>",
                    p[0], p[1], r, unknown ? "#6b6b6b" : "#0b6e4f"));
            label(svg, p, radius, r, cx, cy, labelSize, n > 24, short_(opd));
            svg.append("</g>\n");
        }
        svg.append("</g>\n<g id=\"counts\">\n").append(counts).append("</g>\n</svg>\n");
        return svg.toString();
    }

    /** A curved arrow from one node's edge to the other's, bent to its right so a reply does not cover it. */
    private static double[] arrow(StringBuilder svg, double[] s, double[] t, double r, double w, String colour) {
        double dx = t[0] - s[0];
        double dy = t[1] - s[1];
        double len = Math.hypot(dx, dy);
        double mx = (s[0] + t[0]) / 2 - dy / len * 0.12 * len;
        double my = (s[1] + t[1]) / 2 + dx / len * 0.12 * len;
        double[] start = towards(s, mx, my, r + 2);
        double[] tip = towards(t, mx, my, r + 3);
        double head = 10 + 1.5 * w;
        double[] u = unit(tip[0] - mx, tip[1] - my);
        double ex = tip[0] - u[0] * head;
        double ey = tip[1] - u[1] * head;
        svg.append(String.format(Locale.ROOT,
                "<path d=\"M%.1f %.1fQ%.1f %.1f %.1f %.1f\" fill=\"none\" stroke=\"%s\" stroke-opacity=\"0.8\" stroke-width=\"%.1f\"/>",
                start[0], start[1], mx, my, ex, ey, colour, w));
        head(svg, tip, u, head, w, colour);
        return new double[] {0.25 * start[0] + 0.5 * mx + 0.25 * ex, 0.25 * start[1] + 0.5 * my + 0.25 * ey};
    }

    /** An OPD calling its own services: a loop on the inner side of its node. */
    private static double[] loop(StringBuilder svg, double[] p, double r, double w, String colour, double cx, double cy) {
        double[] in = unit(cx - p[0], cy - p[1]);
        double[] a = rotate(in, -0.5);
        double[] b = rotate(in, 0.5);
        double reach = r + 90;
        double[] tip = {p[0] + b[0] * (r + 3), p[1] + b[1] * (r + 3)};
        double head = 10 + 1.5 * w;
        double[] u = unit(-b[0], -b[1]);
        double ex = tip[0] - u[0] * head;
        double ey = tip[1] - u[1] * head;
        svg.append(String.format(Locale.ROOT,
                "<path d=\"M%.1f %.1fC%.1f %.1f %.1f %.1f %.1f %.1f\" fill=\"none\" stroke=\"%s\" stroke-opacity=\"0.8\" stroke-width=\"%.1f\"/>",
                p[0] + a[0] * (r + 2), p[1] + a[1] * (r + 2), p[0] + a[0] * reach, p[1] + a[1] * reach,
                p[0] + b[0] * reach, p[1] + b[1] * reach, ex, ey, colour, w));
        head(svg, tip, u, head, w, colour);
        return new double[] {p[0] + in[0] * (reach * 0.8), p[1] + in[1] * (reach * 0.8)};
    }

    private static void head(StringBuilder svg, double[] tip, double[] u, double length, double w, String colour) {
        double half = 5 + w;
        double bx = tip[0] - u[0] * length;
        double by = tip[1] - u[1] * length;
        svg.append(String.format(Locale.ROOT, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\"/>",
                tip[0], tip[1], bx - u[1] * half, by + u[0] * half, bx + u[1] * half, by - u[0] * half, colour));
    }

    /** An OPD's name outside the circle: level when few, along its radius when many. */
    private static void label(StringBuilder svg, double[] p, double radius, double r, double cx, double cy, int size,
            boolean radial, String name) {
        double angle = p[2];
        double d = radius + r + 10;
        double x = cx + d * Math.cos(angle);
        double y = cy + d * Math.sin(angle);
        double c = Math.cos(angle);
        if (radial) {
            double degrees = Math.toDegrees(angle);
            boolean left = c < 0;
            svg.append(String.format(Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\" dominant-baseline=\"central\" fill=\"#111111\" transform=\"rotate(%.1f %.1f %.1f)\">",
                    x, y, size, left ? "end" : "start", left ? degrees + 180 : degrees, x, y));
        } else {
            String anchor = c > 0.3 ? "start" : c < -0.3 ? "end" : "middle";
            double s = Math.sin(angle);
            double dy = Math.abs(c) <= 0.3 ? (s < 0 ? -size * 0.4 : size * 0.9) : size * 0.35;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\" fill=\"#111111\">",
                    x, y + dy, size, anchor));
        }
        svg.append(esc(name)).append("</text>");
    }

    private static void text(StringBuilder svg, double x, double y, int size, String anchor, String weight, String fill, String s) {
        svg.append(String.format(Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" font-weight=\"%s\" text-anchor=\"%s\" fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"5\" paint-order=\"stroke\">",
                x, y, size, weight, anchor, fill)).append(esc(s)).append("</text>\n");
    }

    private static String key(String opd, Words words) {
        return opd == null ? words.noOpd() : opd;
    }

    private static String short_(String name) {
        return name.codePointCount(0, name.length()) <= LABEL_MAX ? name
                : name.substring(0, name.offsetByCodePoints(0, LABEL_MAX - 1)) + "…";
    }

    private static double[] towards(double[] from, double x, double y, double distance) {
        double[] u = unit(x - from[0], y - from[1]);
        return new double[] {from[0] + u[0] * distance, from[1] + u[1] * distance};
    }

    private static double[] unit(double x, double y) {
        double len = Math.hypot(x, y);
        return len == 0 ? new double[] {0, -1} : new double[] {x / len, y / len};
    }

    private static double[] rotate(double[] v, double radians) {
        double c = Math.cos(radians);
        double s = Math.sin(radians);
        return new double[] {v[0] * c - v[1] * s, v[0] * s + v[1] * c};
    }

    /** Text and attribute values: markup escaped, and characters XML cannot hold replaced by U+FFFD. */
    static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        s.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    boolean allowed = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
                            || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
                    out.appendCodePoint(allowed ? c : 0xFFFD);
                }
            }
        });
        return out.toString();
    }
}
