package id.gerbang.security.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;

/**
 * The built-in issuer's beans exist only when it is on, also when the application's component scan
 * reaches this package (as the gateway's does): a node configured for Keycloak must start without them.
 */
class IssuerSwitchTest {

    @Configuration(proxyBeanMethods = false)
    @ComponentScan(basePackageClasses = IssuerSwitchTest.class)
    static class ScanLikeTheGateway {}

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(ScanLikeTheGateway.class);

    @Test
    void offNothingOfTheBuiltInIssuerIsThere() {
        runner.withPropertyValues("gerbang.issuer.enabled=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(TokenEndpoint.class);
            assertThat(context).doesNotHaveBean(BuiltInIssuer.class);
        });
    }

    @Test
    void unsetIsOff() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(TokenEndpoint.class);
        });
    }

    @Test
    void onTheTokenEndpointAndItsIssuerAreThere() {
        runner.withPropertyValues("gerbang.issuer.enabled=true", "gerbang.issuer.key-file=target/issuer-switch-key.json")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).hasSingleBean(TokenEndpoint.class);
                    assertThat(context).hasSingleBean(BuiltInIssuer.class);
                });
    }
}
