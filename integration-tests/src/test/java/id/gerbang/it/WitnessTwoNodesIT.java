package id.gerbang.it;

import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.it.support.Checkpoints;
import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.JarRun;
import id.gerbang.it.support.Postgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two packaged nodes on one PostgreSQL, each signing a checkpoint of its tree every second it grew, and
 * a witness, the same jar started as {@code java -jar gerbang.jar witness} with nothing but the gateway's
 * address, a client's credentials and the demo TSAs' certificates (docs/trail.md, "Witnesses"): it
 * follows both nodes across runs, and a node restarted continues its tree, which the witness's next run
 * proves consistent with what it kept.
 */
class WitnessTwoNodesIT {

    static Gateway a;
    static Gateway b;
    static Path store;

    @BeforeAll
    static void twoNodes() throws Exception {
        Postgres pg = Postgres.get();
        pg.createDatabase("it_witness");
        List<String> shared = new ArrayList<>(pg.gatewayArgs("it_witness"));
        shared.add("--gerbang.trail.nodes=node-a,node-b");
        shared.add("--gerbang.trail.checkpoint-interval=1s");
        a = Gateway.start("witness-node-a", with(shared, "--gerbang.node=node-a"));
        b = Gateway.start("witness-node-b", with(shared, "--gerbang.node=node-b"));
        store = Files.createTempDirectory(Gateway.targetDir(), "witness-store-");
    }

    private static List<String> with(List<String> args, String more) {
        List<String> all = new ArrayList<>(args);
        all.add(more);
        return all;
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    @Test
    void theWitnessFollowsBothNodesAcrossRunsAndAcrossARestartOfOne() throws Exception {
        calls(a, 3);
        calls(b, 2);
        Checkpoints.awaitStamped(a, "node-a", 3);
        Checkpoints.awaitStamped(a, "node-b", 2);

        // the nodes may sign again between the wait and the run: the store says what the witness took
        JarRun first = witness();
        assertThat(first.status()).as(first.output()).isZero();
        long a1 = held("node-a");
        long b1 = held("node-b");
        assertThat(first.output()).contains("node-a: OK size " + a1 + " signed", "node-b: OK size " + b1 + " signed",
                "first sight", "pinned on first sight", "stamped ");
        assertThat(store.resolve("node-a/" + a1 + ".tsr")).exists();
        assertThat(store.resolve("node-b/" + b1 + ".tsr")).exists();
        assertThat(Files.readString(store.resolve("node-b/pinned-keys"))).contains("gerbang/node-b+");

        calls(a, 2);
        calls(b, 4);
        Checkpoints.awaitStamped(a, "node-a", a1 + 2);
        Checkpoints.awaitStamped(a, "node-b", b1 + 4);
        JarRun second = witness();
        assertThat(second.status()).as(second.output()).isZero();
        long a2 = held("node-a");
        long b2 = held("node-b");
        assertThat(second.output()).contains("node-a: OK size " + a2 + " signed", "grown from " + a1 + " (consistent)",
                "node-b: OK size " + b2 + " signed", "grown from " + b1 + " (consistent)");

        // node B stops and starts again: it continues its chain and its tree, under the same key
        b.terminate(Duration.ofSeconds(60)); // SIGTERM: a graceful stop
        b.restart();
        calls(b, 3);
        Checkpoints.awaitStamped(a, "node-b", b2 + 3);
        JarRun third = witness();
        assertThat(third.status()).as(third.output()).isZero();
        long b3 = held("node-b");
        assertThat(b3).isGreaterThanOrEqualTo(b2 + 3);
        assertThat(third.output()).contains("node-b: OK size " + b3 + " signed", "grown from " + b2 + " (consistent)", "node-a: OK size ");
        assertThat(Files.readString(store.resolve("node-b/pinned-keys")).lines().filter(l -> l.startsWith("gerbang/")))
                .as("the restarted node signs with the key pinned before").hasSize(1);
    }

    /** The largest checkpoint of the node the witness keeps. */
    private static long held(String node) throws IOException {
        try (var files = Files.list(store.resolve(node))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9]+\\.checkpoint"))
                    .mapToLong(n -> Long.parseLong(n.substring(0, n.indexOf('.')))).max().orElse(-1);
        }
    }

    /** Calls that leave a record each: refused ones (no such route) are recorded like any other. */
    private static void calls(Gateway node, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            assertThat(node.get("/api/witness-it/no-such-route/" + i, "dinkes-simpus").statusCode()).isEqualTo(404);
        }
    }

    /** {@code java -jar gerbang.jar witness ...}, against node A, with the demo CAs of both nodes. */
    private static JarRun witness() throws IOException, InterruptedException {
        return JarRun.of(Gateway.targetDir(), "witness",
                "--gateway", "http://localhost:" + a.port(),
                "--client-id", "inspektorat-audit", "--client-secret", "inspektorat-audit-secret",
                "--store", store.toString(),
                "--tsa-cert", a.dataDir().resolve("demo-tsa-ca.pem").toString(),
                "--tsa-cert", b.dataDir().resolve("demo-tsa-ca.pem").toString());
    }
}
