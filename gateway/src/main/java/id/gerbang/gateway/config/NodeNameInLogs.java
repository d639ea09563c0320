package id.gerbang.gateway.config;

import id.gerbang.gateway.context.NodeName;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * Names this node in every ECS log line ({@code service.node.name}) as the trail does: {@code gerbang.node},
 * else the host name. Spring Boot writes {@code "node":{}} while {@code logging.structured.ecs.service.node-name}
 * is unset, and no placeholder yields the host name, so this supplies that setting as a default: set, it wins.
 */
public class NodeNameInLogs implements EnvironmentPostProcessor {

    static final String SETTING = "logging.structured.ecs.service.node-name";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources().addLast(new Default(environment));
    }

    /**
     * Asked only when the log format is built, after every configuration file is read. The environment is not
     * its source: Spring Boot's binder would walk into it again, and again.
     */
    private static final class Default extends PropertySource<Object> {

        private final Environment environment;

        Default(Environment environment) {
            super("gerbangNodeNameInLogs");
            this.environment = environment;
        }

        @Override
        public Object getProperty(String name) {
            return SETTING.equals(name) ? new NodeName(environment.getProperty("gerbang.node")).value() : null;
        }
    }
}
