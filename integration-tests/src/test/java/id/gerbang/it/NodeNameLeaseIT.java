package id.gerbang.it;

import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.Postgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two packaged nodes with one name on one PostgreSQL: the second refuses to start while the first runs,
 * naming the first's host and process and when its lease expires, and starts once the first has stopped
 * gracefully (docs/operations.md, "Several nodes").
 */
class NodeNameLeaseIT {

    private static final String DATABASE = "it_lease";
    private static final String NODE = "it-lease";

    @Test
    void aSecondNodeWithTheSameNameRefusesToStartAndStartsOnceTheFirstHasStopped() throws Exception {
        Postgres pg = Postgres.get();
        pg.createDatabase(DATABASE);
        List<String> args = new ArrayList<>(pg.gatewayArgs(DATABASE));
        args.add("--gerbang.node=" + NODE);

        try (Gateway first = Gateway.start("lease-first", args)) {
            Path dir = Files.createTempDirectory(Gateway.targetDir(), "lease-second-");
            Path data = Files.createDirectories(dir.resolve("data"));
            Path routes = Files.createDirectories(dir.resolve("routes"));
            int port = Gateway.freePort();
            Path log = dir.resolve("gateway.log");

            Process second = Gateway.startJar(port, data, routes, "http://localhost:" + port, log, args, false);
            boolean exited;
            try {
                exited = second.waitFor(150, TimeUnit.SECONDS);
            } finally {
                if (second.isAlive()) {
                    second.destroyForcibly();
                }
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(exited).as("the second node exited; output:\n" + Gateway.tail(log)).isTrue();
            assertThat(second.exitValue()).as("exit code; output:\n" + Gateway.tail(log)).isNotZero();
            assertThat(output).as("the name, the holder and its lease; output:\n" + Gateway.tail(log))
                    .contains("This node's name, " + NODE + ", is held by another running node: host ")
                    .contains(", pid " + first.pid() + ", since ")
                    .contains("Its lease expires at ")
                    .contains("gerbang.node");
            assertThat(output).as("never reported ready").doesNotContain("Gerbang is ready");
            assertThat(first.isAlive()).as("the first node serves on").isTrue();

            first.terminate(Duration.ofSeconds(60));
        }

        // stopped gracefully, the first gave its name back: a node with it starts at once
        try (Gateway again = Gateway.start("lease-second", args)) {
            assertThat(again.isAlive()).isTrue();
        }
    }
}
