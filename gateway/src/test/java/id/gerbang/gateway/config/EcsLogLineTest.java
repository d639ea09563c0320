package id.gerbang.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.DefaultBootstrapContext;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessorsFactory;
import org.springframework.boot.logging.DeferredLogs;
import org.springframework.boot.logging.logback.StructuredLogEncoder;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * One log line as the production profile writes it (docs/operations.md, "Logs"): the environment is prepared
 * as at start-up (application.yml, application-production.yml and every environment post-processor the
 * classpath declares), and one event is formatted by Spring Boot's encoder in the profile's format.
 */
class EcsLogLineTest {

    @Test
    void aLineNamesTheServiceAndTheNodeGerbangNode() throws Exception {
        JsonNode line = productionLine(Map.of("gerbang.node", "node-a"));

        assertThat(line.path("service").path("name").asText()).isEqualTo("gerbang");
        assertThat(line.path("service").path("node").path("name").asText()).isEqualTo("node-a");
    }

    @Test
    void withoutGerbangNodeALineNamesTheNodeByItsHostNameAsTheTrailDoes() throws Exception {
        JsonNode line = productionLine(Map.of());

        assertThat(line.path("service").path("node").path("name").asText())
                .isNotEmpty()
                .isEqualTo(InetAddress.getLocalHost().getHostName());
    }

    @Test
    void anExplicitEcsNodeNameWins() throws Exception {
        JsonNode line = productionLine(Map.of("gerbang.node", "node-a",
                "logging.structured.ecs.service.node-name", "gw-1.pemda.go.id"));

        assertThat(line.path("service").path("node").path("name").asText()).isEqualTo("gw-1.pemda.go.id");
    }

    private static JsonNode productionLine(Map<String, Object> settings) throws Exception {
        Map<String, Object> all = new HashMap<>(settings);
        all.put("spring.profiles.active", "production");
        ConfigurableEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", all));
        SpringApplication application = new SpringApplication();
        EnvironmentPostProcessorsFactory.fromSpringFactories(EcsLogLineTest.class.getClassLoader())
                .getEnvironmentPostProcessors(new DeferredLogs(), new DefaultBootstrapContext())
                .forEach(p -> p.postProcessEnvironment(environment, application));
        String format = environment.getProperty("logging.structured.format.console");
        assertThat(format).as("the production profile's log format").isEqualTo("ecs");

        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        context.putObject(Environment.class.getName(), environment);
        StructuredLogEncoder encoder = new StructuredLogEncoder();
        encoder.setContext(context);
        encoder.setFormat(format);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        try {
            LoggingEvent event = new LoggingEvent(EcsLogLineTest.class.getName(),
                    context.getLogger("id.gerbang.gateway.StartupMessage"), Level.INFO, "Gerbang started", null, null);
            return new ObjectMapper().readTree(new String(encoder.encode(event), StandardCharsets.UTF_8));
        } finally {
            encoder.stop();
        }
    }
}
