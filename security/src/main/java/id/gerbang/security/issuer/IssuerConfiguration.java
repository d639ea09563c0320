package id.gerbang.security.issuer;

import java.time.Clock;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import java.util.Collection;

/**
 * Wires the built-in issuer when {@code gerbang.issuer.enabled=true} (the standalone default). Its
 * tokens are then verified with its own public key, in process, with the same issuer and audience
 * checks as Keycloak's tokens get in production.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = IssuerProperties.PREFIX, name = "enabled", havingValue = "true")
@EnableConfigurationProperties(IssuerProperties.class)
@Import({TokenEndpoint.class, AuthorizationEndpoint.class})
public class IssuerConfiguration {

    @Bean
    BuiltInIssuer builtInIssuer(IssuerProperties properties, @Value("${server.port:8080}") int port) {
        String url = properties.url() != null && !properties.url().isBlank()
                ? stripSlash(properties.url()) : "http://localhost:" + port;
        return new BuiltInIssuer(properties, url, Clock.systemUTC());
    }

    @Bean
    JwtDecoder builtInIssuerJwtDecoder(BuiltInIssuer issuer, IssuerProperties properties) throws Exception {
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withPublicKey(issuer.publicKey().toRSAPublicKey()).build();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                JwtValidators.createDefaultWithIssuer(issuer.issuerUrl()),
                new JwtClaimValidator<Collection<String>>("aud",
                        aud -> aud != null && aud.contains(properties.audience()))));
        return decoder;
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
