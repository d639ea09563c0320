package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.it.support.Checkpoints;
import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.Postgres;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the fixture {@link UpgradeIT} starts this version on: what the jar of the last release leaves in a
 * PostgreSQL database and in its node's data directory. Not a test of the suite (its name
 * does not end in IT): run at each release, with the released jar, as
 * {@code src/test/resources/previous-release/README.md} says.
 */
@EnabledIfSystemProperty(named = "previous.jar", matches = ".+")
class PreviousReleaseFixtureWriter {

    static final Path FIXTURE = Paths.get("src/test/resources/previous-release");

    @Test
    void writeThePreviousReleasesDatabaseAndFiles() throws Exception {
        Path jar = Paths.get(System.getProperty("previous.jar")).toAbsolutePath();
        assertThat(jar).isRegularFile();
        System.setProperty("gerbang.jar", jar.toString()); // every gateway started here is the previous release
        clean(FIXTURE.resolve("postgres"));
        try (Postgres pg = Postgres.startVersion15()) {
            pg.createDatabase("gerbang");
            List<String> args = new ArrayList<>(pg.gatewayArgs("gerbang"));
            args.add("--gerbang.node=" + UpgradeIT.PG_NODE);
            args.add("--gerbang.trail.checkpoint-interval=1s");
            try (Gateway node = Gateway.start("previous-pg", args)) {
                calls(node);
                Checkpoints.awaitStamped(node, UpgradeIT.PG_NODE, records(node));
                node.terminate(Duration.ofSeconds(60));
                keep(node.dataDir(), FIXTURE.resolve("postgres/node-files"));
            }
            pg.dumpSql("gerbang", FIXTURE.resolve("postgres/gerbang.sql"));
        }
    }

    /** Calls of several kinds: answered, refused without a token, forbidden, no such route, with a masked NIK. */
    private static void calls(Gateway node) throws Exception {
        node.upstream().stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("{\"ok\":true}")));
        for (int i = 0; i < 3; i++) { // route it-busy: a timeout generous for a busy machine
            assertThat(node.get("/api/it/busy?call=previous-" + i, "dinkes-simpus").statusCode()).isEqualTo(200);
        }
        // a NIK masked on the trail (504 when the upstream is slower than the route's 1.5 s: recorded all the same)
        assertThat(node.get("/api/it/penduduk?nik=1471010101010001", "dinkes-simpus").statusCode()).isIn(200, 504);
        assertThat(node.send(HttpRequest.newBuilder(node.uri("/api/it/echo/no-token")).GET().build()).statusCode()).isEqualTo(401);
        assertThat(node.get("/api/it/restricted", "dinkes-simpus").statusCode()).isEqualTo(403);
        assertThat(node.get("/api/no-such-route", "dinkes-simpus").statusCode()).isEqualTo(404);
    }

    /** The records of the trail (the node's own only, so its last record's node_seq). */
    private static long records(Gateway node) throws Exception {
        return Gateway.json(node.get("/audit/verify", "inspektorat-audit").body()).path("checked").asLong();
    }

    /** The node's files, but the test's issuer key (each gateway of the tests writes its own). */
    private static void keep(Path dataDir, Path to) throws Exception {
        Gateway.copyTree(dataDir, to);
        Files.deleteIfExists(to.resolve("issuer-key.json"));
    }

    private static void clean(Path dir) throws Exception {
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
