package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import id.gerbang.it.support.Checkpoints;
import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.Postgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The restore drill of docs/operations.md ("Backup and restore"), on the packaged jar and PostgreSQL 15 with
 * Debian's {@code pg_dump} and {@code pg_restore}: a node on one database server takes calls and signs a
 * checkpoint; its files are copied, then the database is dumped ({@code pg_dump -Fc}), while it runs. It
 * takes more calls and signs again, stops, and the database server is lost. The dump is restored into a
 * fresh database on a new server: a node started there with the node's files as they are now (a checkpoint
 * newer than the dump) refuses to start; with the files of the backup it starts, {@code /audit/verify}
 * says valid with every record of the dump present, and a new call is recorded, signed and verified.
 */
class BackupRestoreIT {

    private static final String NODE = "drill";
    private static final String DB = "gerbang";

    @Test
    void aDumpAndTheNodesFilesRestoredIntoAFreshDatabaseGiveANodeWhoseTrailVerifiesWithEveryRecord() throws Exception {
        Path dir = Files.createTempDirectory(Gateway.targetDir(), "restore-drill-");
        Path files = dir.resolve("backup-files");
        Path dump = dir.resolve("gerbang.dump");
        long dumped;
        List<String> dumpedChains;
        Path filesNow = dir.resolve("files-now");

        try (Postgres lost = Postgres.startVersion15()) {
            lost.createDatabase(DB);
            try (Gateway node = Gateway.start("drill-before", args(lost))) {
                node.upstream().stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("{}")));
                calls(node, "before", 4);
                Checkpoints.awaitStamped(node, NODE, maxSeq(lost));

                // the backup, as docs/operations.md says, while the node runs: its files first, then the dump
                Gateway.copyTree(node.dataDir(), files);
                long before = count(lost);
                lost.dump(DB, dump);
                dumped = count(lost);
                assertThat(dumped).as("no record was written during the dump").isEqualTo(before);
                dumpedChains = chains(lost);

                // the node goes on after the backup: what the restore will lose, and a checkpoint beyond the dump
                calls(node, "after", 3);
                long newer = Checkpoints.awaitStamped(node, NODE, maxSeq(lost));
                assertThat(newer).isGreaterThan(maxSeq(dumpedChains));
                node.terminate(Duration.ofSeconds(60)); // SIGTERM: a graceful stop
                Gateway.copyTree(node.dataDir(), filesNow);
            }
        } // the database server is gone

        try (Postgres fresh = Postgres.startVersion15()) {
            // the node's current files against the older dump: its checkpoint file covers records the dump lacks
            fresh.createDatabase("gerbang_mismatched");
            fresh.restore(dump, "gerbang_mismatched");
            assertThatThrownBy(() -> Gateway.start("drill-mismatched", args(fresh, "gerbang_mismatched"), filesNow).close())
                    .hasMessageContaining("exited")
                    .hasMessageContaining("not consistent with the checkpoint this node signed last")
                    .hasMessageContaining("trail-" + NODE + ".checkpoint")
                    // the route files applied at start already wrote records: fewer leaves, or more with another root
                    .satisfies(e -> assertThat(e.getMessage()).containsPattern(
                            "its tree of drill (has [0-9]+ leaves, the checkpoint covers|at size [0-9]+ has another root)"));

            // the dump and the files of the same backup
            fresh.createDatabase(DB);
            fresh.restore(dump, DB);
            assertThat(count(fresh)).as("every record of the dump restored").isEqualTo(dumped);
            assertThat(chains(fresh)).isEqualTo(dumpedChains);

            try (Gateway restored = Gateway.start("drill-restored", args(fresh), files)) {
                restored.upstream().stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("{}")));
                assertThat(Files.readString(restored.log())).contains("holds the checkpoint kept in");
                long stored = count(fresh); // the verification is itself recorded, after the records it checks
                JsonNode verified = verify(restored);
                assertThat(verified.path("valid").asBoolean()).as(verified.toString()).isTrue();
                assertThat(verified.path("checked").asLong()).as("every record verified").isEqualTo(stored);
                assertThat(chains(fresh).subList(0, dumpedChains.size())).as("the dump's records, unchanged, first")
                        .isEqualTo(dumpedChains);

                calls(restored, "restored", 1);
                Checkpoints.awaitStamped(restored, NODE, maxSeq(fresh));
                stored = count(fresh);
                JsonNode after = verify(restored);
                assertThat(after.path("valid").asBoolean()).as(after.toString()).isTrue();
                assertThat(after.path("checked").asLong()).isEqualTo(stored).isGreaterThan(dumped);
            }
        }
    }

    private static List<String> args(Postgres pg) {
        return args(pg, DB);
    }

    private static List<String> args(Postgres pg, String database) {
        List<String> args = new ArrayList<>(pg.gatewayArgs(database));
        args.add("--gerbang.node=" + NODE);
        args.add("--gerbang.trail.checkpoint-interval=1s");
        return args;
    }

    /** Calls with a real token, answered by the upstream (route it-busy: a timeout generous for a busy machine). */
    private static void calls(Gateway node, String tag, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            assertThat(node.get("/api/it/busy?call=" + tag + "-" + i, "dinkes-simpus").statusCode()).isEqualTo(200);
        }
    }

    private static JsonNode verify(Gateway node) throws Exception {
        var r = node.get("/audit/verify", "inspektorat-audit");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Gateway.json(r.body());
    }

    private static long count(Postgres pg) throws Exception {
        try (Connection c = pg.connect(DB); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM audit_record")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Each record as "id node node_seq hash", in id order. */
    private static List<String> chains(Postgres pg) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = pg.connect(DB); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, node, node_seq, hash FROM audit_record ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getLong(1) + " " + rs.getString(2) + " " + rs.getLong(3) + " " + rs.getString(4));
            }
        }
        return rows;
    }

    private static long maxSeq(Postgres pg) throws Exception {
        return maxSeq(chains(pg));
    }

    /** The node's last node_seq among {@code rows}. */
    private static long maxSeq(List<String> rows) {
        return rows.stream().map(r -> r.split(" ")).filter(r -> r[1].equals(NODE)).mapToLong(r -> Long.parseLong(r[2]))
                .max().orElse(0);
    }
}
