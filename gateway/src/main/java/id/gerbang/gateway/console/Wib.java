package id.gerbang.gateway.console;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Component;

/**
 * Times as the console shows them: in the configured zone (WIB), with the ISO instant for a tooltip and
 * for machines; and the {@code datetime-local} inputs of the forms, read in the same zone.
 */
@Component("wib")
public class Wib {

    private static final DateTimeFormatter INPUT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    private final ZoneId zone;

    public Wib(ConsoleProperties properties) {
        this.zone = properties.zone();
    }

    public ZoneId zone() {
        return zone;
    }

    /** "27 Nov 2026 09:15:02 WIB" (month names in the page's language). */
    public String format(Instant t) {
        if (t == null) {
            return "";
        }
        Locale locale = LocaleContextHolder.getLocale();
        return DateTimeFormatter.ofPattern("d MMM yyyy HH:mm:ss", locale).format(t.atZone(zone)) + " " + label();
    }

    public String date(Instant t) {
        return t == null ? "" : DateTimeFormatter.ofPattern("d MMMM yyyy", LocaleContextHolder.getLocale()).format(t.atZone(zone));
    }

    public String iso(Instant t) {
        return t == null ? "" : t.toString();
    }

    /** The short name of the zone: WIB for Asia/Jakarta. */
    public String label() {
        return zone.getId().equals("Asia/Jakarta") ? "WIB" : zone.getId();
    }

    /** A form value ({@code 2026-11-27T09:00}, with or without seconds, or a date) read in the console's zone; null when blank. */
    public Instant parse(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            if (value.length() == 10) {
                return LocalDate.parse(value).atStartOfDay(zone).toInstant();
            }
            return LocalDateTime.parse(value).atZone(zone).toInstant();
        } catch (DateTimeParseException e) {
            throw InvalidInput.notATime(value);
        }
    }

    /** The {@code datetime-local} value of an instant, to the second (the input needs {@code step="1"}). */
    public String input(Instant t) {
        return t == null ? "" : INPUT.format(t.atZone(zone));
    }

    public String percent(double ratio) {
        return String.format(LocaleContextHolder.getLocale(), "%.1f %%", ratio * 100);
    }

    public String number(double value) {
        return String.format(LocaleContextHolder.getLocale(), "%,.0f", value);
    }
}
