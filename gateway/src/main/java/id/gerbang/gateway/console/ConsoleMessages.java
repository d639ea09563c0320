package id.gerbang.gateway.console;

import id.gerbang.routes.Violation;
import org.springframework.context.MessageSource;
import org.springframework.context.MessageSourceResolvable;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Component;

/**
 * The console's words in the page's language, for what a controller writes rather than a template: its own
 * messages, and a refused route definition's violations, each said by its rule ({@code violation.*} in the
 * bundles) rather than in the admin API's English.
 */
@Component
class ConsoleMessages {

    private final MessageSource messages;

    ConsoleMessages(MessageSource messages) {
        this.messages = messages;
    }

    String text(String code, Object... args) {
        return messages.getMessage(code, args, LocaleContextHolder.getLocale());
    }

    String text(MessageSourceResolvable message) {
        return messages.getMessage(message, LocaleContextHolder.getLocale());
    }

    /** What is wrong, without the field; a violation of no known rule keeps its own words. */
    String problem(Violation v) {
        return v.rule() == null ? v.message()
                : messages.getMessage(v.rule().key(), v.args().toArray(), v.message(), LocaleContextHolder.getLocale());
    }
}
