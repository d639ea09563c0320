package id.gerbang.gateway.config;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.validation.Validator;

/** The settings' rules beyond their constraints, applied by Spring Boot as it binds them. */
@Configuration(proxyBeanMethods = false)
class SettingsConfiguration {

    /** Spring Boot applies the bean of this name to every settings group, besides their constraints. */
    @Bean(EnableConfigurationProperties.VALIDATOR_BEAN_NAME)
    static Validator configurationPropertiesValidator(Environment environment) {
        return new ProductionRules(environment);
    }
}
