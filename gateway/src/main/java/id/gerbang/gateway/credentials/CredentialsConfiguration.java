package id.gerbang.gateway.credentials;

import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The node's secrets and its caller-assertion keys. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SecretsProperties.class)
class CredentialsConfiguration {

    @Bean
    Secrets secrets(SecretsProperties properties) {
        return new Secrets(properties.dir(), System::getenv, Clock.systemUTC());
    }
}
