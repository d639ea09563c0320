package id.gerbang.gateway.config;

import id.gerbang.gateway.health.IssuerHealthIndicator;
import id.gerbang.security.oidc.IssuerKeys;
import id.gerbang.security.oidc.RemoteIssuerDecoder;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.util.Set;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.security.oauth2.resource.OAuth2ResourceServerProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * Production identity: tokens from a remote issuer (Keycloak), configured with Spring Boot's own keys
 * {@code spring.security.oauth2.resourceserver.jwt.issuer-uri} (keys discovered from the issuer) or
 * {@code jwk-set-uri} (with {@code issuer-uri} as well, the issuer is still checked). Replaces Spring
 * Boot's decoder to set the JWK set cache explicitly ({@link RemoteIssuerDecoder}), and adds the
 * {@code issuer} health component and its metric. Not used when the built-in demo issuer is on.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "gerbang.issuer", name = "enabled", havingValue = "false", matchIfMissing = true)
@Conditional(RemoteIssuerConfiguration.IssuerConfigured.class)
class RemoteIssuerConfiguration {

    @Bean
    IssuerKeys issuerKeys(OAuth2ResourceServerProperties resourceServer, GerbangProperties properties) {
        OAuth2ResourceServerProperties.Jwt jwt = resourceServer.getJwt();
        return new IssuerKeys(jwt.getIssuerUri(), jwt.getJwkSetUri(), properties.security().jwkSet().fetchTimeout());
    }

    @Bean
    JwtDecoder remoteIssuerJwtDecoder(IssuerKeys keys, OAuth2ResourceServerProperties resourceServer,
            GerbangProperties properties) {
        GerbangProperties.Security security = properties.security();
        GerbangProperties.JwkSet jwkSet = security.jwkSet();
        return RemoteIssuerDecoder.create(keys, new RemoteIssuerDecoder.Settings(
                jwkSet.cacheTtl(), jwkSet.refreshMinInterval(), jwkSet.outageTolerance(), jwkSet.fetchTimeout(),
                security.clockSkew(), security.audience(), Set.copyOf(resourceServer.getJwt().getJwsAlgorithms())));
    }

    /** The {@code issuer} component of {@code /actuator/health}. */
    @Bean
    IssuerHealthIndicator issuerHealthIndicator(IssuerKeys keys, GerbangProperties properties) {
        GerbangProperties.JwkSet jwkSet = properties.security().jwkSet();
        return new IssuerHealthIndicator(keys, jwkSet.healthCheckInterval(), jwkSet.outageTolerance(), Clock.systemUTC());
    }

    /**
     * {@code gerbang_issuer_reachable}: 1 while the {@code issuer} health component is {@code UP}, 0 while it
     * is {@code UNREACHABLE}, for an alert. Each scrape reads the component, which asks the issuer at most
     * once per {@code gerbang.security.jwk-set.health-check-interval}.
     */
    @Bean
    MeterBinder issuerReachableMetric(IssuerHealthIndicator issuer) {
        return registry -> Gauge.builder("gerbang.issuer.reachable", issuer, i -> Status.UP.equals(i.health().getStatus()) ? 1 : 0)
                .description("1 when this node can fetch the issuer's JWK set, 0 when it cannot")
                .register(registry);
    }

    static final class IssuerConfigured extends AnyNestedCondition {

        IssuerConfigured() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnProperty("spring.security.oauth2.resourceserver.jwt.issuer-uri")
        static final class IssuerUri {}

        @ConditionalOnProperty("spring.security.oauth2.resourceserver.jwt.jwk-set-uri")
        static final class JwkSetUri {}
    }
}
