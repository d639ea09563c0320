package id.gerbang.gateway.credentials;

import id.gerbang.gateway.context.NodeName;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/** The node's secrets and its caller-assertion keys. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({SecretsProperties.class, AssertionProperties.class})
class CredentialsConfiguration {

    @Bean
    Secrets secrets(SecretsProperties properties) {
        return new Secrets(properties.dir(), System::getenv, Clock.systemUTC());
    }

    @Bean
    AssertionKeys assertionKeys(AssertionProperties properties, NodeName node) {
        return AssertionKeys.load(properties.keyDir(), node.value(), properties.rotateAfter(), Clock.systemUTC());
    }

    @Bean
    CallerAssertions callerAssertions(AssertionKeys keys, AssertionProperties properties) {
        return new CallerAssertions(keys, properties.issuer(), Clock.systemUTC());
    }

    @Bean
    AssertionKeyStore assertionKeyStore(JdbcTemplate jdbc, AssertionKeys keys, NodeName node) {
        return new AssertionKeyStore(jdbc, keys, node.value(), Clock.systemUTC());
    }
}
