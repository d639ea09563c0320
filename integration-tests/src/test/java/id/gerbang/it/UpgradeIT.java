package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import id.gerbang.it.support.Checkpoints;
import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.Postgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The upgrade of docs/operations.md ("Upgrading"): this version's packaged jar started on what the last
 * release left (src/test/resources/previous-release, written by that release's jar with
 * {@link PreviousReleaseFixtureWriter}): a PostgreSQL database with the node's files. Flyway brings the schema forward (and refuses a released
 * migration that was edited since), the node finds its last checkpoint in the tree, every record of the
 * previous release verifies, and a new call is recorded, signed and verified.
 */
class UpgradeIT {

    static final String PG_NODE = "previous-pg";
    private static final Path FIXTURE = PreviousReleaseFixtureWriter.FIXTURE;
    private static final Path MIGRATIONS = Paths.get("../gateway/src/main/resources/db/migration");

    @Test
    void thisVersionStartsOnThePreviousReleasesPostgresDatabaseAndEveryRecordVerifies() throws Exception {
        try (Postgres pg = Postgres.startVersion15()) {
            pg.createDatabase("gerbang");
            pg.runSql(FIXTURE.resolve("postgres/gerbang.sql"), "gerbang");
            List<String> released;
            Map<String, Integer> releasedMigrations;
            try (Connection c = pg.connect("gerbang")) {
                released = chains(c);
                releasedMigrations = migrations(c);
            }
            assertThat(released).as("the fixture's records").hasSizeGreaterThanOrEqualTo(7);

            List<String> args = new ArrayList<>(pg.gatewayArgs("gerbang"));
            args.add("--gerbang.node=" + PG_NODE);
            args.add("--gerbang.trail.checkpoint-interval=1s");
            try (Gateway node = Gateway.start("upgrade-pg", args, FIXTURE.resolve("postgres/node-files"))) {
                assertThat(Files.readString(node.log())).contains("holds the checkpoint kept in");
                try (Connection c = pg.connect("gerbang")) {
                    Map<String, Integer> now = migrations(c);
                    assertThat(now).as("the released migrations' rows, as they were").containsAllEntriesOf(releasedMigrations);
                    assertThat(now.keySet()).as("every migration of this version applied").isEqualTo(migrationFiles());
                    assertThat(chains(c).subList(0, released.size())).as("the released records, unchanged").isEqualTo(released);
                }
                verifiesEveryRecordAndANewCall(node, PG_NODE, () -> {
                    try (Connection c = pg.connect("gerbang")) {
                        return (long) chains(c).size();
                    }
                });
            }
        }
    }

    interface Count {
        long get() throws Exception;
    }

    /** Verified, a call, a checkpoint over it, verified again: returns the records checked the second time. */
    private static long verifiesEveryRecordAndANewCall(Gateway node, String name, Count records) throws Exception {
        long stored = records.get(); // the verification is itself recorded, after the records it checks
        JsonNode first = verify(node);
        assertThat(first.path("valid").asBoolean()).as(first.toString()).isTrue();
        assertThat(first.path("checked").asLong()).as("every record verified").isEqualTo(stored);
        node.upstream().stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("{}")));
        assertThat(node.get("/api/it/busy?call=upgraded", "dinkes-simpus").statusCode()).isEqualTo(200); // a generous timeout
        Checkpoints.awaitStamped(node, name, records.get()); // the node's records only: its last one
        stored = records.get();
        JsonNode second = verify(node);
        assertThat(second.path("valid").asBoolean()).as(second.toString()).isTrue();
        assertThat(second.path("checked").asLong()).isEqualTo(stored).isGreaterThan(first.path("checked").asLong());
        return second.path("checked").asLong();
    }

    private static JsonNode verify(Gateway node) throws Exception {
        var r = node.get("/audit/verify", "inspektorat-audit");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Gateway.json(r.body());
    }

    /** Each record as "id node node_seq hash", in id order. */
    private static List<String> chains(Connection c) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, node, node_seq, hash FROM audit_record ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getLong(1) + " " + rs.getString(2) + " " + rs.getLong(3) + " " + rs.getString(4));
            }
        }
        return rows;
    }

    /** Flyway's history: version to checksum, of the migrations applied successfully. */
    private static Map<String, Integer> migrations(Connection c) throws SQLException {
        Map<String, Integer> applied = new TreeMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT \"version\", \"checksum\", \"success\" FROM \"flyway_schema_history\" WHERE \"version\" IS NOT NULL")) {
            while (rs.next()) {
                assertThat(rs.getBoolean(3)).as("migration " + rs.getString(1) + " succeeded").isTrue();
                applied.put(rs.getString(1), rs.getInt(2));
            }
        }
        return applied;
    }

    /** The versions of this version's migration files (V6_1__x.sql is version 6.1). */
    private static java.util.Set<String> migrationFiles() throws Exception {
        try (Stream<Path> files = Files.list(MIGRATIONS)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V[0-9_]+__.*\\.sql"))
                    .map(n -> n.substring(1, n.indexOf("__")).replace('_', '.'))
                    .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        }
    }
}
