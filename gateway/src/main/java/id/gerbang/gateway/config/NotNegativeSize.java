package id.gerbang.gateway.config;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.RECORD_COMPONENT;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import org.springframework.util.unit.DataSize;

/** A {@link DataSize} setting of zero bytes or more ({@code null} is left to {@code @NotNull}). */
@Target({FIELD, PARAMETER, RECORD_COMPONENT})
@Retention(RUNTIME)
@Constraint(validatedBy = NotNegativeSize.Check.class)
public @interface NotNegativeSize {

    String message() default "must be 0 bytes or more";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    final class Check implements ConstraintValidator<NotNegativeSize, DataSize> {
        @Override
        public boolean isValid(DataSize value, ConstraintValidatorContext context) {
            return value == null || !value.isNegative();
        }
    }
}
