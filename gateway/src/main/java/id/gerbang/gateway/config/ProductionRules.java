package id.gerbang.gateway.config;

import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.validation.BindingResult;
import org.springframework.validation.Errors;
import org.springframework.validation.FieldError;
import org.springframework.validation.Validator;

/**
 * The rules a setting has only in the {@code production} profile, checked at start-up with the others (a
 * node breaking one refuses to start, {@link SettingsFailureAnalyzer} naming the setting): the trail cannot
 * be turned off there ({@code gerbang.trail.enabled=false} leaves calls unaudited, which is what Gerbang
 * exists to prevent; it is only for measuring the trail's cost).
 */
final class ProductionRules implements Validator {

    /** The profile a node in service runs with (application-production.yml, docs/operations.md). */
    static final String PROFILE = "production";
    static final String TRAIL_REQUIRED = "must be true in the production profile: every call is recorded on the trail "
            + "before it is answered (the audit guarantee); false is only for measuring the trail's cost";

    private final Environment environment;

    ProductionRules(Environment environment) {
        this.environment = environment;
    }

    @Override
    public boolean supports(Class<?> type) {
        return type == GerbangProperties.Trail.class;
    }

    @Override
    public void validate(Object target, Errors errors) {
        if (target instanceof GerbangProperties.Trail trail && !trail.enabled()
                && environment.acceptsProfiles(Profiles.of(PROFILE))) {
            if (errors instanceof BindingResult result) {
                // the record has no bean getters for Spring to read the value through: it is given here
                result.addError(new FieldError(errors.getObjectName(), "enabled", false, false,
                        new String[] {"production"}, null, TRAIL_REQUIRED));
            } else {
                errors.reject("production", TRAIL_REQUIRED);
            }
        }
    }
}
