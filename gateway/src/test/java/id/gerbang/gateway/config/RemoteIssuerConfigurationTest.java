package id.gerbang.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.gateway.health.IssuerHealthIndicator;
import id.gerbang.security.oidc.IssuerKeys;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.security.oauth2.resource.OAuth2ResourceServerProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/** When the gateway uses its own decoder for a remote issuer (Keycloak), and when it does not. */
class RemoteIssuerConfigurationTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({GerbangProperties.class, OAuth2ResourceServerProperties.class})
    static class Properties {}

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(Properties.class, RemoteIssuerConfiguration.class);

    @Test
    void issuerUriWithTheBuiltInIssuerOffGivesTheDecoderAndTheHealthComponent() {
        runner.withPropertyValues("gerbang.issuer.enabled=false",
                        "spring.security.oauth2.resourceserver.jwt.issuer-uri=http://127.0.0.1:1/realms/pelalawan")
                .run(context -> {
                    assertThat(context).hasNotFailed(); // nothing is fetched at start-up: Keycloak may be down
                    assertThat(context).hasSingleBean(JwtDecoder.class);
                    assertThat(context.getBean(IssuerKeys.class).issuer()).contains("http://127.0.0.1:1/realms/pelalawan");
                    assertThat(context).hasBean("issuerHealthIndicator");
                    assertThat(context).hasSingleBean(IssuerHealthIndicator.class);
                });
    }

    @Test
    void aJwkSetUriAloneIsEnough() {
        runner.withPropertyValues("spring.security.oauth2.resourceserver.jwt.jwk-set-uri=http://127.0.0.1:1/certs")
                .run(context -> {
                    assertThat(context).hasSingleBean(JwtDecoder.class);
                    assertThat(context.getBean(IssuerKeys.class).jwkSetUri()).hasValueSatisfying(
                            uri -> assertThat(uri.toString()).isEqualTo("http://127.0.0.1:1/certs"));
                });
    }

    @Test
    void theBuiltInIssuerOnOrNoIssuerConfiguredLeavesItOut() {
        runner.withPropertyValues("gerbang.issuer.enabled=true",
                        "spring.security.oauth2.resourceserver.jwt.issuer-uri=http://127.0.0.1:1/realms/pelalawan")
                .run(context -> assertThat(context).doesNotHaveBean(JwtDecoder.class).doesNotHaveBean(IssuerHealthIndicator.class));
        runner.withPropertyValues("gerbang.issuer.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(JwtDecoder.class));
    }
}
