package id.gerbang.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.gateway.console.ConsoleProperties;
import id.gerbang.gateway.policy.PolicyProperties;
import id.gerbang.gateway.web.HttpFrontProperties;
import id.gerbang.security.issuer.IssuerProperties;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.support.SpringFactoriesLoader;

/**
 * Every {@code gerbang.*} setting has its rule: the defaults keep them all, and a value outside one stops the
 * context from starting, with the setting's name, the value given and the rule in the failure analysis.
 * Bound and validated by Spring Boot itself, as at start-up.
 */
class SettingConstraintsTest {

    @EnableConfigurationProperties({GerbangProperties.class, HttpFrontProperties.class, PolicyProperties.class,
            ConsoleProperties.class, IssuerProperties.class})
    static class Settings {}

    final ApplicationContextRunner node = new ApplicationContextRunner()
            .withUserConfiguration(Settings.class, SettingsConfiguration.class);

    @Test
    void theDefaultsKeepEveryRule() {
        node.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(GerbangProperties.class).proxy().bufferSize()).isEqualTo(16384);
        });
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            gerbang.proxy.buffer-size                     | 0      | must be greater than or equal to 1024
            gerbang.proxy.buffer-size                     | 4194304| must be less than or equal to 1048576
            gerbang.proxy.max-connections                 | 0      | must be greater than or equal to 1
            gerbang.proxy.max-connections-per-upstream    | -1     | must be greater than or equal to 1
            gerbang.proxy.idle-timeout                    | 0s     | must be longer than or equal to 1 milli
            gerbang.proxy.buffer-bodies-up-to             | -1     | must be greater than or equal to 0
            gerbang.trail.max-batch                       | 0      | must be greater than or equal to 1
            gerbang.trail.queue-capacity                  | 0      | must be greater than or equal to 1
            gerbang.trail.write-timeout                   | 0s     | must be longer than or equal to 1 milli
            gerbang.trail.commit-timeout                  | -1s    | must be longer than or equal to 1 milli
            gerbang.trail.commit-interval                 | -1ms   | must be longer than or equal to 0
            gerbang.trail.retention                       | 10m    | must be longer than or equal to 1 hour
            gerbang.trail.retention-check                 | 500ms  | must be longer than or equal to 1 second
            gerbang.trail.lease.ttl                       | 500ms  | must be longer than or equal to 1 second
            gerbang.trail.lease.renewal                   | 10ms   | must be longer than or equal to 100 milli
            gerbang.routes.poll-interval                  | 10ms   | must be longer than or equal to 50 milli
            gerbang.security.audience                     | ' '    | must not be blank
            gerbang.security.token-cache-ttl              | -5m    | must be longer than or equal to 0
            gerbang.security.token-cache-memory           | -1MB   | must be 0 bytes or more
            gerbang.security.clock-skew                   | -1s    | must be longer than or equal to 0
            gerbang.security.jwk-set.cache-ttl            | 0s     | must be longer than or equal to 1 second
            gerbang.security.jwk-set.refresh-min-interval | 100ms  | must be longer than or equal to 1 second
            gerbang.security.jwk-set.outage-tolerance     | -1h    | must be longer than or equal to 0
            gerbang.security.jwk-set.fetch-timeout        | 0s     | must be longer than or equal to 1 milli
            gerbang.security.jwk-set.health-check-interval| -1s    | must be longer than or equal to 0
            gerbang.sandbox.port                          | 70000  | must be less than or equal to 65535
            gerbang.sandbox.port                          | 0      | must be greater than or equal to 1
            gerbang.node                                  | a-name-of-sixty-five-characters-which-the-trail-cannot-store-0123 | size must be between 0 and 64
            gerbang.http.min-request-data-rate            | -1     | must be greater than or equal to 0
            gerbang.http.pre-auth-body-readers            | 0      | must be greater than or equal to 1
            gerbang.http.pre-auth-body-max-bytes          | 0      | must be greater than or equal to 1
            gerbang.policy.retry-backoff                  | 0ms    | must be longer than or equal to 1 milli
            gerbang.policy.retry-backoff-max              | 0ms    | must be longer than or equal to 1 milli
            gerbang.console.client-id                     | ' '    | must not be blank
            gerbang.issuer.token-ttl                      | 0s     | must be longer than or equal to 1 second
            gerbang.issuer.audience                       | ' '    | must not be blank
            """)
    void aSettingOutsideItsRuleStopsTheNodeNamingTheSettingTheValueAndTheRule(String setting, String value, String rule) {
        node.withPropertyValues(setting + "=" + value).run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new SettingsFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis).as("analysed as a setting outside its rule").isNotNull();
            // a value is bound trimmed: " " is given as ""
            assertThat(analysis.getDescription()).contains(setting + " = \"" + value.strip() + "\": ").contains(rule);
            assertThat(analysis.getAction()).contains("docs/operations.md");
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource(delimiter = '|', textBlock = """
            gerbang.policy.retry-backoff=500ms | gerbang.policy.retry-backoff-max=200ms | gerbang.policy: gerbang.policy.retry-backoff-max must be at least gerbang.policy.retry-backoff
            gerbang.policy.retry-backoff=5s    | gerbang.node=n                          | gerbang.policy: gerbang.policy.retry-backoff-max must be at least gerbang.policy.retry-backoff
            gerbang.proxy.max-connections=100  | gerbang.proxy.max-connections-per-upstream=101 | gerbang.proxy: gerbang.proxy.max-connections-per-upstream must be at most gerbang.proxy.max-connections
            gerbang.proxy.max-connections=100  | gerbang.node=n                          | gerbang.proxy: gerbang.proxy.max-connections-per-upstream must be at most gerbang.proxy.max-connections
            gerbang.trail.lease.ttl=10s        | gerbang.trail.lease.renewal=6s          | gerbang.trail.lease: gerbang.trail.lease.renewal must be at most half of gerbang.trail.lease.ttl
            gerbang.trail.lease.ttl=15s        | gerbang.node=n                          | gerbang.trail.lease: gerbang.trail.lease.renewal must be at most half of gerbang.trail.lease.ttl
            """)
    void aRuleAcrossTwoSettingsStopsTheNodeNamingBoth(String one, String other, String line) {
        node.withPropertyValues(one, other).run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new SettingsFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis).as("analysed as a setting outside its rule").isNotNull();
            assertThat(analysis.getDescription()).contains("    - " + line + "\n");
        });
    }

    @Test
    void settingsOnBothSidesOfARuleAcrossThemAreKept() {
        node.withPropertyValues("gerbang.policy.retry-backoff=2s", "gerbang.policy.retry-backoff-max=2s",
                "gerbang.proxy.max-connections=100", "gerbang.proxy.max-connections-per-upstream=100")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void theTrailCannotBeTurnedOffInTheProductionProfile() {
        node.withPropertyValues("spring.profiles.active=production", "gerbang.trail.enabled=false").run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new SettingsFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis).as("analysed as a setting outside its rule").isNotNull();
            assertThat(analysis.getDescription()).contains("gerbang.trail.enabled = \"false\": must be true in the "
                    + "production profile: every call is recorded on the trail before it is answered (the audit guarantee)");
        });
    }

    @Test
    void theTrailCanBeTurnedOffOutsideTheProductionProfileOnly() {
        node.withPropertyValues("gerbang.trail.enabled=false").run(context -> assertThat(context).hasNotFailed());
        node.withPropertyValues("spring.profiles.active=bench", "gerbang.trail.enabled=false")
                .run(context -> assertThat(context).hasNotFailed());
        node.withPropertyValues("spring.profiles.active=production")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void everySettingOutsideItsRuleIsNamedAtOnce() {
        node.withPropertyValues("gerbang.proxy.buffer-size=0", "gerbang.trail.max-batch=0").run(context -> {
            String description = new SettingsFailureAnalyzer().analyze(context.getStartupFailure()).getDescription();
            assertThat(description).contains("gerbang.proxy.buffer-size = \"0\"").contains("gerbang.trail.max-batch = \"0\"");
        });
    }

    @Test
    void theAnalyzerIsRegisteredAheadOfSpringBootsOwn() {
        // the analyzers that need no constructor arguments, in the order Spring Boot asks them
        List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
                .load(FailureAnalyzer.class, null, SpringFactoriesLoader.FailureHandler.handleMessage((message, e) -> {}));
        assertThat(analyzers).first().isInstanceOf(SettingsFailureAnalyzer.class);
    }
}
