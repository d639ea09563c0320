package id.gerbang.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.routes.Violation;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.context.support.ResourceBundleMessageSource;

/** A refused definition's problems in the page's language, from the rule each violation names. */
class ConsoleMessagesTest {

    static final Violation OWNER = new Violation("owner", Violation.Rule.MUST_MATCH, "[a-z0-9-]{2,32}");

    final ConsoleMessages messages = new ConsoleMessages(bundles());

    @AfterEach
    void resetLocale() {
        LocaleContextHolder.resetLocaleContext();
    }

    @Test
    void anIndonesianPageSaysTheRuleInIndonesian() {
        LocaleContextHolder.setLocale(Locale.forLanguageTag("id"));

        assertThat(messages.problem(OWNER)).isEqualTo("harus cocok dengan pola [a-z0-9-]{2,32}");
        assertThat(messages.text(InvalidInput.notATime("kemarin"))).isEqualTo("bukan tanggal dan waktu: kemarin");
    }

    @Test
    void anEnglishPageSaysItAsTheAdminApiDoes() {
        LocaleContextHolder.setLocale(Locale.ENGLISH);

        assertThat(messages.problem(OWNER)).isEqualTo(OWNER.message()).isEqualTo("must match [a-z0-9-]{2,32}");
    }

    @Test
    void aViolationOfNoRuleKeepsItsOwnWords() {
        LocaleContextHolder.setLocale(Locale.forLanguageTag("id"));

        assertThat(messages.problem(new Violation("", "malformed YAML: mapping values are not allowed here")))
                .isEqualTo("malformed YAML: mapping values are not allowed here");
    }

    static ResourceBundleMessageSource bundles() {
        ResourceBundleMessageSource bundles = new ResourceBundleMessageSource();
        bundles.setBasename("console/messages");
        bundles.setDefaultEncoding("UTF-8");
        bundles.setFallbackToSystemLocale(false);
        return bundles;
    }
}
