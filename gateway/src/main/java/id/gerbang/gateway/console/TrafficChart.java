package id.gerbang.gateway.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The map's traffic chart as Chart.js data: calls per calling OPD in each hour of a period up to 3 days, else
 * in each day (days start at midnight in the console's zone). Every bucket of the period is there, the quiet
 * ones as 0, so that one busy day stands out from the days around it rather than floating as a lone dot; a
 * period of a single bucket is drawn as bars. Calls whose OPD is unknown are under {@link Words#noOpd()}.
 */
final class TrafficChart {

    /** The chart's words, in the page's language. */
    record Words(String noOpd, String perHour, String perDay) {}

    static final long HOUR = 3_600;
    static final long DAY = 86_400;
    /** Beyond this many buckets (daily over years), only those with calls are drawn. */
    private static final int MAX_BUCKETS = 1_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] COLOURS = {"#0b5394", "#b45f06", "#38761d", "#990000", "#674ea7", "#0c343d",
        "#7f6000", "#a64d79", "#134f5c", "#3d85c6"};

    private TrafficChart() {}

    static long bucketSeconds(Instant from, Instant to) {
        return Duration.between(from, to).getSeconds() <= 3 * DAY ? HOUR : DAY;
    }

    static ObjectNode of(Instant from, Instant to, ZoneId zone, List<IntegrationStats.Point> points, Words words) {
        long bucket = bucketSeconds(from, to);
        long offset = zone.getRules().getOffset(from).getTotalSeconds();
        TreeSet<Instant> buckets = new TreeSet<>();
        Map<String, Map<Instant, Long>> byOpd = new TreeMap<>(Comparator.nullsLast(Comparator.naturalOrder()));
        for (IntegrationStats.Point pt : points) {
            buckets.add(pt.bucket());
            byOpd.computeIfAbsent(pt.opd(), k -> new TreeMap<>()).put(pt.bucket(), pt.calls());
        }
        long first = Math.floorDiv(from.getEpochSecond() + offset, bucket) * bucket - offset;
        if ((to.getEpochSecond() - first) / bucket <= MAX_BUCKETS) {
            for (Instant b = Instant.ofEpochSecond(first); b.isBefore(to); b = b.plusSeconds(bucket)) {
                buckets.add(b);
            }
        }
        DateTimeFormatter label = DateTimeFormatter.ofPattern(bucket == HOUR ? "dd/MM HH:mm" : "dd/MM/yyyy");
        ObjectNode chart = JSON.createObjectNode();
        chart.put("type", buckets.size() == 1 ? "bar" : "line");
        ArrayNode labels = chart.putArray("labels");
        buckets.forEach(b -> labels.add(label.format(b.atZone(zone))));
        ArrayNode datasets = chart.putArray("datasets");
        int i = 0;
        for (Map.Entry<String, Map<Instant, Long>> opd : byOpd.entrySet()) {
            String colour = COLOURS[i++ % COLOURS.length];
            ObjectNode ds = datasets.addObject().put("label", opd.getKey() == null ? words.noOpd() : opd.getKey())
                    .put("borderColor", colour).put("backgroundColor", colour).put("tension", 0.2);
            ArrayNode data = ds.putArray("data");
            buckets.forEach(b -> data.add(opd.getValue().getOrDefault(b, 0L)));
        }
        chart.put("yLabel", bucket == HOUR ? words.perHour() : words.perDay());
        return chart;
    }

    /** The chart as the text of a {@code <script type="application/json">} element, which it can never close. */
    static String json(ObjectNode chart) {
        return chart.toString().replace("<", "\\u003c");
    }
}
