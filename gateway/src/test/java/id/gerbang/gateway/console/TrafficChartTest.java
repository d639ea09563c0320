package id.gerbang.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The map's traffic chart: every bucket of the period drawn, unknown OPDs named, a lone bucket as bars. */
class TrafficChartTest {

    static final ZoneId WIB = ZoneId.of("Asia/Jakarta");
    static final TrafficChart.Words WORDS = new TrafficChart.Words("tanpa OPD", "panggilan / jam", "panggilan / hari");
    static final Instant NOW = Instant.parse("2026-11-27T03:34:10Z"); // 10:34:10 WIB
    static final Instant TODAY = Instant.parse("2026-11-26T17:00:00Z"); // 27 Nov 00:00 WIB

    @Test
    void oneDayOfCallsInAWeekIsAPeakAmongQuietDaysNotALoneDot() {
        ObjectNode chart = TrafficChart.of(NOW.minusSeconds(7 * 86_400), NOW, WIB, List.of(
                new IntegrationStats.Point("dinkes", TODAY, 11), new IntegrationStats.Point(null, TODAY, 2)), WORDS);

        assertThat(chart.path("type").asText()).isEqualTo("line");
        assertThat(texts(chart.path("labels"))).hasSize(8).startsWith("20/11/2026").endsWith("27/11/2026");
        assertThat(chart.path("yLabel").asText()).isEqualTo("panggilan / hari");
        JsonNode datasets = chart.path("datasets");
        assertThat(datasets).hasSize(2);
        assertThat(datasets.get(0).path("label").asText()).isEqualTo("dinkes");
        assertThat(texts(datasets.get(0).path("data"))).containsExactly("0", "0", "0", "0", "0", "0", "0", "11");
        assertThat(datasets.get(1).path("label").asText()).as("calls of no known OPD").isEqualTo("tanpa OPD");
        assertThat(texts(datasets.get(1).path("data"))).endsWith("2");
    }

    @Test
    void aPeriodOfOneBucketIsDrawnAsBars() {
        Instant hour = Instant.parse("2026-11-27T03:00:00Z");
        ObjectNode chart = TrafficChart.of(hour.plusSeconds(60), hour.plusSeconds(1_800), WIB,
                List.of(new IntegrationStats.Point("dinkes", hour, 4)), WORDS);

        assertThat(chart.path("type").asText()).isEqualTo("bar");
        assertThat(texts(chart.path("labels"))).containsExactly("27/11 10:00");
        assertThat(chart.path("yLabel").asText()).isEqualTo("panggilan / jam");
    }

    @Test
    void theChartCannotCloseItsScriptElement() {
        ObjectNode chart = TrafficChart.of(NOW.minusSeconds(3_600), NOW, WIB,
                List.of(new IntegrationStats.Point("</script><script>", NOW.minusSeconds(2_000), 1)), WORDS);

        assertThat(TrafficChart.json(chart)).doesNotContain("<");
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
