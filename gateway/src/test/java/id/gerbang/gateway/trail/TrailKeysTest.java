package id.gerbang.gateway.trail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import id.gerbang.gateway.anchor.SigningKeys;
import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.context.NodeName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.mock.env.MockEnvironment;

class TrailKeysTest {

    @TempDir
    Path dir;

    @Test
    void makesTheSigningKeyInTheDataDirOnFirstStartAndKeepsItAfterwards() {
        GerbangProperties properties = Binder.get(new MockEnvironment().withProperty("gerbang.data-dir", dir.toString()))
                .bindOrCreate("gerbang", GerbangProperties.class);
        TrailKeys first = new TrailKeys(properties, new NodeName("node-a"));
        TrailKeys again = new TrailKeys(properties, new NodeName("node-a"));

        assertThat(first.signingKeyFile()).isEqualTo(dir.resolve("trail-node-a.key").toAbsolutePath());
        assertThat(first.signingKeyFile()).exists();
        assertThat(first.checkpointFile()).isEqualTo(dir.resolve("trail-node-a.checkpoint").toAbsolutePath());
        assertThat(first.keyName()).isEqualTo("gerbang/node-a");
        assertThat(again.verifier()).isEqualTo(first.verifier());
        assertThat(first.verifier().name()).isEqualTo("gerbang/node-a");
    }

    @Test
    void trustsOnlyItsOwnKeyWithoutATrustedKeysFile() {
        TrailKeys keys = new TrailKeys("node-a", "gerbang", dir.resolve("a.key"), null);
        assertThat(keys.trustedVerifiers()).containsExactly(keys.verifier());
    }

    @Test
    void trustsExactlyTheKeysOfTheTrustedKeysFileWhenThereIsOne() throws Exception {
        var other = SigningKeys.create(dir.resolve("b.key"), "gerbang/node-b").verifier();
        Path file = dir.resolve("trusted-keys");
        Files.writeString(file, "# the nodes of this trail\n" + other.verifierKey() + "\n");
        TrailKeys keys = new TrailKeys("node-a", "gerbang", dir.resolve("a.key"), file);
        assertThat(keys.trustedVerifiers()).containsExactly(other);
        assertThat(keys.checkpointFile()).isEqualTo(dir.resolve("a.checkpoint").toAbsolutePath());
    }

    @Test
    void aTrustedKeysFileWithAWrongLineStopsTheStartNamingIt() throws Exception {
        Path file = dir.resolve("trusted-keys");
        Files.write(file, List.of("gerbang/node-b+00000000+AAAA"));
        assertThatThrownBy(() -> new TrailKeys("node-a", "gerbang", dir.resolve("a.key"), file))
                .hasMessageContaining("line 1");
    }
}
