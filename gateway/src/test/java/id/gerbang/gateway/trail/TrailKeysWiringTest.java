package id.gerbang.gateway.trail;

import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.context.NodeName;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;

/** Spring makes {@link TrailKeys} as a node does: through the constructor that takes the settings. */
class TrailKeysWiringTest {

    @EnableConfigurationProperties(GerbangProperties.class)
    static class Node {
        @Bean
        NodeName nodeName() {
            return new NodeName("gerbang-a");
        }
    }

    @Test
    void aNodeMakesItsKeysFromItsSettings(@TempDir Path dir) {
        new ApplicationContextRunner().withUserConfiguration(Node.class, TrailKeys.class)
                .withPropertyValues("gerbang.data-dir=" + dir)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(TrailKeys.class).trustedVerifiers()).isNotEmpty();
                });
    }
}
