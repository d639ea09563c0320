package id.gerbang.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import id.gerbang.gateway.health.IssuerHealthIndicator;
import id.gerbang.security.oidc.IssuerKeys;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
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

    @Test
    void theIssuerReachableMetricIsOneWhileTheJwkSetCanBeFetchedAndZeroOnceItCannot() throws Exception {
        HttpServer keycloak = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        keycloak.createContext("/realms/pelalawan/protocol/openid-connect/certs", exchange -> {
            byte[] body = "{\"keys\":[]}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        keycloak.start();
        String certs = "http://127.0.0.1:" + keycloak.getAddress().getPort() + "/realms/pelalawan/protocol/openid-connect/certs";
        try {
            runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
                    .withPropertyValues("gerbang.issuer.enabled=false",
                            "spring.security.oauth2.resourceserver.jwt.jwk-set-uri=" + certs,
                            "gerbang.security.jwk-set.health-check-interval=0s")
                    .run(context -> {
                        MeterRegistry meters = context.getBean(MeterRegistry.class);
                        assertThat(meters.get("gerbang.issuer.reachable").gauge().value()).as("Keycloak answers").isEqualTo(1.0);
                        keycloak.stop(0);
                        assertThat(meters.get("gerbang.issuer.reachable").gauge().value()).as("Keycloak is gone").isEqualTo(0.0);
                    });
        } finally {
            keycloak.stop(0);
        }
    }
}
