package id.gerbang.gateway.config;

import java.util.Locale;
import java.util.Optional;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationErrors;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.origin.Origin;
import org.springframework.core.Ordered;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;

/**
 * A {@code gerbang.*} setting outside its constraint stops the node at start; this says which setting, the
 * value it was given (and where), and the rule it breaks, one line each, in the settings' own names
 * ({@code gerbang.proxy.buffer-size}, as written in a file, not {@code proxy.bufferSize}). Other settings'
 * refusals are left to Spring Boot's own analysis.
 */
class SettingsFailureAnalyzer extends AbstractFailureAnalyzer<BindValidationException> implements Ordered {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, BindValidationException cause) {
        ValidationErrors errors = cause.getValidationErrors();
        String group = errors.getName().toString();
        if (!(group.equals(GerbangProperties.PREFIX) || group.startsWith(GerbangProperties.PREFIX + "."))) {
            return null;
        }
        StringBuilder description = new StringBuilder("Settings outside their rules:\n");
        for (ObjectError error : errors.getAllErrors()) {
            description.append("    - ").append(line(group, errors, error)).append('\n');
        }
        return new FailureAnalysis(description.toString(),
                "Give each setting listed above a value its rule allows (docs/operations.md lists every setting "
                        + "with its default and its rule), then start again.",
                cause);
    }

    private static String line(String group, ValidationErrors errors, ObjectError error) {
        if (!(error instanceof FieldError field)) {
            return group + ": " + error.getDefaultMessage();
        }
        if (isRuleAcrossSettings(field)) {
            int dot = field.getField().lastIndexOf('.');
            return (dot < 0 ? group : group + "." + dashed(field.getField().substring(0, dot))) + ": "
                    + field.getDefaultMessage();
        }
        String setting = group + "." + dashed(field.getField());
        Optional<ConfigurationProperty> given = errors.getBoundProperties().stream()
                .filter(p -> p.getName().toString().equals(setting)).findFirst();
        String value = given.map(p -> String.valueOf(p.getValue()))
                .orElseGet(() -> String.valueOf(field.getRejectedValue()));
        Origin origin = given.map(ConfigurationProperty::getOrigin).orElse(null);
        return setting + " = \"" + value + "\": " + field.getDefaultMessage()
                + (origin != null ? " (from " + origin + ")" : "");
    }

    /**
     * A rule across settings ({@code @AssertTrue} on a method of the group) is no setting of its own: its
     * message names the settings, and the line names the group it belongs to ({@code gerbang.proxy}).
     */
    private static boolean isRuleAcrossSettings(FieldError field) {
        return field.getCodes() != null && java.util.Arrays.asList(field.getCodes()).contains("AssertTrue");
    }

    /** {@code proxy.bufferSize} as a setting is written: {@code proxy.buffer-size}. */
    static String dashed(String field) {
        StringBuilder out = new StringBuilder(field.length() + 8);
        for (char c : field.toCharArray()) {
            if (Character.isUpperCase(c)) {
                out.append('-').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }

    /** Before Spring Boot's own analysis of the same failure, which names fields rather than settings. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
