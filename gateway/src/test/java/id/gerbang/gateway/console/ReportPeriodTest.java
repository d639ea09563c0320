package id.gerbang.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** The period of the map and the report: never past the moment the page is made, and given back whole by its form. */
class ReportPeriodTest {

    static final Wib WIB = new Wib(new ConsoleProperties("gerbang-console", null, ZoneId.of("Asia/Jakarta"),
            java.time.Duration.ofMinutes(5)));
    static final Instant NOW = Instant.parse("2026-11-27T03:34:10.750Z"); // 10:34:10 WIB

    @Test
    void theDefaultReportEndsWhenItIsMadeNotAMinuteLater() {
        ConsoleMapController.Period p = ConsoleMapController.Period.of(null, null, true, NOW, WIB);

        assertThat(p.to()).isEqualTo(Instant.parse("2026-11-27T03:34:10Z")).isBeforeOrEqualTo(NOW);
        assertThat(p.from()).as("the current half-year, from 1 July WIB").isEqualTo(Instant.parse("2026-06-30T17:00:00Z"));
        assertThat(WIB.format(p.to())).isEqualTo(WIB.format(NOW));
    }

    @Test
    void theFormAndTheCsvLinkGiveTheSamePeriodAgain() {
        ConsoleMapController.Period p = ConsoleMapController.Period.of(null, null, false, NOW, WIB);

        assertThat(p.toInput()).isEqualTo("2026-11-27T10:34:10");
        ConsoleMapController.Period again = ConsoleMapController.Period.of(p.fromInput(), p.toInput(), false, NOW.plusSeconds(90), WIB);
        assertThat(again.from()).isEqualTo(p.from());
        assertThat(again.to()).isEqualTo(p.to());
    }

    @Test
    void aPeriodEndingBeforeItStartsIsRefusedInThePagesLanguage() {
        assertThatThrownBy(() -> ConsoleMapController.Period.of("2026-11-27T10:00", "2026-11-27T09:00", false, NOW, WIB))
                .isInstanceOf(InvalidInput.class)
                .satisfies(e -> assertThat(((InvalidInput) e).getCodes()).containsExactly("input.fromBeforeTo"));
    }
}
