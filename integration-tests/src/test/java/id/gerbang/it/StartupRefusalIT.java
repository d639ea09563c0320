package id.gerbang.it;

import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.it.support.Gateway;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A node whose route directory holds an invalid definition refuses to start, and says which file and
 * which fields are wrong; so does a node with a setting outside its rule, naming the setting, and a node
 * whose database no longer holds the checkpoint it signed last. Each a gateway process of its own, with its
 * own directory and port.
 */
class StartupRefusalIT {

    @Test
    void invalidRouteFileStopsStartUpNamingTheFileAndFields() throws Exception {
        Path dir = Files.createTempDirectory(Gateway.targetDir(), "refusal-");
        Path data = Files.createDirectories(dir.resolve("data"));
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("bad-metadata.yaml"), """
                id: Bad_Id!
                owner: diskominfo
                path: /bad/meta
                methods: [GET]
                upstream:
                  url: http://169.254.169.254/latest/meta-data
                access:
                  opds: [dinkes]
                """);
        int port = Gateway.freePort();
        Path log = dir.resolve("gateway.log");

        Process p = Gateway.startJar(port, data, routes, "http://localhost:" + port, log);
        boolean exited;
        try {
            exited = p.waitFor(60, TimeUnit.SECONDS);
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }

        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(exited).as("the node exited within 60 s; output:\n" + Gateway.tail(log)).isTrue();
        assertThat(p.exitValue()).as("exit code; output:\n" + Gateway.tail(log)).isNotZero();
        List<String> lines = output.lines().filter(l -> l.contains("bad-metadata.yaml")).toList();
        assertThat(lines).as("lines naming the file; output:\n" + Gateway.tail(log)).isNotEmpty();
        assertThat(lines).as("a line names the file and the field upstream.url")
                .anyMatch(l -> l.contains("upstream.url"));
        assertThat(lines).as("a line names the file and the field id")
                .anyMatch(l -> Pattern.compile("(^|[^A-Za-z0-9_.])id([^A-Za-z0-9_]|$)").matcher(l.replace("bad-metadata.yaml", "")).find());
        assertThat(output).as("never reported ready").doesNotContain("Gerbang is ready");
    }

    @Test
    void aSettingOutsideItsRuleStopsStartUpNamingTheSettingTheValueAndTheRule() throws Exception {
        Path dir = Files.createTempDirectory(Gateway.targetDir(), "refusal-setting-");
        Path data = Files.createDirectories(dir.resolve("data"));
        Path routes = Files.createDirectories(dir.resolve("routes"));
        int port = Gateway.freePort();
        Path log = dir.resolve("gateway.log");

        // a buffer of 0 bytes would make the relay loop forever
        Process p = Gateway.startJar(port, data, routes, "http://localhost:" + port, log,
                List.of("--gerbang.proxy.buffer-size=0"), false);
        boolean exited;
        try {
            exited = p.waitFor(60, TimeUnit.SECONDS);
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }

        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(exited).as("the node exited within 60 s; output:\n" + Gateway.tail(log)).isTrue();
        assertThat(p.exitValue()).as("exit code; output:\n" + Gateway.tail(log)).isNotZero();
        assertThat(output).as("the setting, its value and its rule; output:\n" + Gateway.tail(log))
                .contains("gerbang.proxy.buffer-size = \"0\": must be greater than or equal to 1024")
                .contains("docs/operations.md");
        assertThat(output).as("never reported ready").doesNotContain("Gerbang is ready");
    }

    /**
     * The checkpoint file beside the signing key against a database that lost records: here the H2 database
     * replaced by an empty one (as a restore from an old copy, or an insider's truncation, would leave it).
     */
    @Test
    void aDatabaseThatNoLongerHoldsTheLastCheckpointStopsStartUp() throws Exception {
        try (Gateway node = Gateway.start("anchor-refusal", List.of("--gerbang.node=anchor-it",
                "--gerbang.trail.checkpoint-interval=1s"))) {
            for (int i = 0; i < 3; i++) { // refused without a token, and recorded
                assertThat(node.send(HttpRequest.newBuilder(node.uri("/api/it/echo/" + i)).GET().build()).statusCode()).isEqualTo(401);
            }
            Path checkpoint = node.dataDir().resolve("trail-anchor-it.checkpoint");
            org.awaitility.Awaitility.await("a checkpoint of the three records").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.exists(checkpoint) && Files.readString(checkpoint).lines().skip(1).findFirst()
                            .map(size -> Long.parseLong(size) >= 3).orElse(false));
            node.terminate(Duration.ofSeconds(30));
            try (var files = Files.list(node.dataDir())) {
                for (Path f : files.filter(f -> f.getFileName().toString().startsWith("gerbang.")).toList()) {
                    Files.delete(f); // the H2 database
                }
            }

            org.assertj.core.api.Assertions.assertThatThrownBy(node::restart).hasMessageContaining("exited");
            String output = Files.readString(node.log(), StandardCharsets.UTF_8);
            assertThat(output).as("the reason, naming the file and both sizes; output:\n" + Gateway.tail(node.log()))
                    .contains("not consistent with the checkpoint this node signed last")
                    .contains("trail-anchor-it.checkpoint")
                    // the new database already holds the records of the routes loaded at start: another tree
                    .containsPattern("its tree of anchor-it (has [0-9]+ leaves, the checkpoint covers|at size [0-9]+ has another root)");
            assertThat(output.lines().filter(l -> l.contains("Gerbang is ready")).count()).as("ready once, before the restart")
                    .isEqualTo(1);
        }
    }
}
