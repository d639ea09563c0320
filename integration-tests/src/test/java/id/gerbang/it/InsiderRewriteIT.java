package id.gerbang.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import id.gerbang.it.support.Checkpoints;
import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.JarRun;
import id.gerbang.it.support.Postgres;
import id.gerbang.it.support.TrailRows;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The anchored trail's promise against an insider with the database in hand (docs/trail.md, "Against signed
 * checkpoints"): two packaged nodes on one PostgreSQL sign a checkpoint of their trees every second; an
 * auditor keeps node A's latest checkpoint, a witness keeps it too, and an export is taken through node B.
 * Node A stops. The database's owner, who holds no node's signing key, then (1) rewrites one of A's covered
 * records, every later hash of A's chain and every tree row of A, so that the hash chain alone still
 * verifies, and (2), on the trail restored from a copy taken before, deletes A's newest covered records
 * and their tree rows. Node B's {@code GET /audit/verify} and the offline verifier, given the kept
 * checkpoint and the keys trusted from before, report each.
 */
class InsiderRewriteIT {

    private static final String DB = "it_insider";
    private static final String A = "node-a";

    static Gateway a;
    static Gateway b;
    static Path dir;
    static Path trustedKeys;
    static Path store;

    @BeforeAll
    static void twoNodes() throws Exception {
        Postgres pg = Postgres.get();
        pg.createDatabase(DB);
        dir = Files.createTempDirectory(Gateway.targetDir(), "insider-");
        store = dir.resolve("witness-store");
        // the nodes' keys are made before they start, so that both trust both from their first start, and the
        // auditor holds the verifier keys from before anything happened (as /audit/keys serves them)
        trustedKeys = dir.resolve("trusted.keys");
        Files.writeString(trustedKeys, TrailRows.newSigningKey(dir.resolve("trail-node-a.key"), "gerbang/node-a") + "\n"
                + TrailRows.newSigningKey(dir.resolve("trail-node-b.key"), "gerbang/node-b") + "\n");
        List<String> shared = new ArrayList<>(pg.gatewayArgs(DB));
        shared.add("--gerbang.trail.nodes=node-a,node-b");
        shared.add("--gerbang.trail.checkpoint-interval=1s");
        shared.add("--gerbang.trail.trusted-keys=" + trustedKeys);
        a = Gateway.start("insider-node-a", with(shared, "--gerbang.node=node-a",
                "--gerbang.trail.signing-key-file=" + dir.resolve("trail-node-a.key")));
        b = Gateway.start("insider-node-b", with(shared, "--gerbang.node=node-b",
                "--gerbang.trail.signing-key-file=" + dir.resolve("trail-node-b.key")));
    }

    private static List<String> with(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
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
    void anInsidersRewriteAndCutOfACoveredChainAreReportedOnlineAndOfflineAgainstTheKeptCheckpoint() throws Exception {
        // calls that leave a record each (refused ones, no such route in this database, are recorded like any other)
        for (int i = 0; i < 6; i++) {
            assertThat(a.get("/api/insider-it/no-such-route/" + i, "dinkes-simpus").statusCode()).isEqualTo(404);
        }
        Checkpoints.awaitStamped(b, A, 6);

        // the auditor keeps A's latest checkpoint as served; a witness keeps it as well
        String note = b.get("/audit/checkpoints/" + A + "/latest", "inspektorat-audit").body();
        Path kept = Files.writeString(dir.resolve("kept-node-a.txt"), note);
        long size = Long.parseLong(note.split("\n")[1]);
        assertThat(size).isGreaterThanOrEqualTo(6);
        JarRun witness = witness();
        assertThat(witness.status()).as(witness.output()).isZero();
        assertThat(witness.output()).contains("node-a: OK size ", "pinned on first sight");

        // calls through B after the kept checkpoint was signed: an export reaching past it (see "Offline verification")
        for (int i = 0; i < 2; i++) {
            assertThat(b.get("/api/insider-it/no-such-route/" + i, "dinkes-simpus").statusCode()).isEqualTo(404);
        }
        Path honest = export("export-honest.ndjson");
        JarRun before = offlineVerify(honest, kept);
        assertThat(before.status()).as(before.output()).isZero();

        a.terminate(Duration.ofSeconds(60)); // SIGTERM: a graceful stop
        JsonNode untouched = verifyOnB();
        assertThat(untouched.path("valid").asBoolean()).as(untouched.toString()).isTrue();

        // ---- (1) the insider's rewrite, from a copy of A's rows it keeps for (2)
        sql("CREATE TABLE insider_copy_record AS SELECT * FROM audit_record WHERE node = '" + A + "'",
                "CREATE TABLE insider_copy_tree AS SELECT * FROM trail_tree_node WHERE node = '" + A + "'");
        rewrite(A, 2, "bapenda-sipd");
        assertThat(chainAlone()).as("the hash chain alone sees nothing").isTrue();

        JsonNode rewritten = verifyOnB();
        assertThat(rewritten.path("valid").asBoolean()).isFalse();
        assertThat(rewritten.path("firstInvalid").isNull()).as("the chain itself holds").isTrue();
        assertThat(findings(rewritten, A)).contains("rewritten");
        assertThat(rewritten.path("reason").asText()).contains("(node node-a)");

        JarRun offlineRewritten = offlineVerify(export("export-rewritten.ndjson"), kept);
        assertThat(offlineRewritten.status()).as(offlineRewritten.output()).isEqualTo(1);
        assertThat(offlineRewritten.output()).contains("rewritten", "node node-a", "size " + size);

        // No witness assertion here: a witness sees only signed checkpoints, and node A, stopped, signs none
        // over the rewritten tree (the insider cannot: the key is not in the database; and A refuses to start
        // on a tree that does not hold the checkpoint kept beside its key). The witness catches a chain
        // only once A signs over it: part (3) below.

        // ---- (2) the trail as it was, then the insider's cut of A's two newest covered records
        sql("UPDATE audit_record r SET client_id = c.client_id, prev_hash = c.prev_hash, hash = c.hash "
                        + "FROM insider_copy_record c WHERE r.id = c.id",
                "DELETE FROM trail_tree_node WHERE node = '" + A + "'",
                "INSERT INTO trail_tree_node SELECT * FROM insider_copy_tree");
        JsonNode restored = verifyOnB();
        assertThat(restored.path("valid").asBoolean()).as(restored.toString()).isTrue();

        long keep = size - 2;
        sql("DELETE FROM audit_record WHERE node = '" + A + "' AND node_seq > " + keep);
        rebuildTree(A);
        assertThat(chainAlone()).as("the hash chain alone sees nothing").isTrue();

        JsonNode truncated = verifyOnB();
        assertThat(truncated.path("valid").asBoolean()).isFalse();
        assertThat(findings(truncated, A)).contains("truncated");
        assertThat(truncated.path("reason").asText()).contains("the chain holds " + keep);

        JarRun offlineTruncated = offlineVerify(export("export-truncated.ndjson"), kept);
        assertThat(offlineTruncated.status()).as(offlineTruncated.output()).isEqualTo(1);
        assertThat(offlineTruncated.output()).contains("truncated", "node-a", "the chain holds " + keep);

        // ---- (3) an insider who also reaches node A's files: the checkpoint file beside A's key and A's
        // checkpoint rows are removed, and A is restarted on the cut trail. A then signs checkpoints of the cut
        // tree, and the database holds nothing to compare them with; the witness kept A's earlier ones.
        Files.delete(dir.resolve("trail-node-a.checkpoint"));
        sql("DELETE FROM trail_signed_checkpoint WHERE node = '" + A + "'");
        a.restart();
        assertThat(a.get("/api/insider-it/no-such-route/after", "dinkes-simpus").statusCode()).isEqualTo(404);
        Checkpoints.awaitStamped(b, A, keep + 1);
        JarRun caught = witness();
        assertThat(caught.status()).as(caught.output()).isEqualTo(1);
        assertThat(caught.output()).contains("node-a").containsAnyOf("SHRANK", "FORKED", "REWRITTEN");
    }

    // ------------------------------------------------------------------ what the database's owner does

    /**
     * Record {@code seq} of the node gets another client; every later record of the node its recomputed
     * {@code prev_hash} and {@code hash} (the canonical form is public, docs/trail.md); then the node's
     * tree rows are rebuilt from the new hashes.
     */
    private static void rewrite(String node, long seq, String client) throws Exception {
        try (Connection c = Postgres.get().connect(DB)) {
            String prev = null;
            for (TrailRows.Row row : TrailRows.ofNode(c, node)) {
                long nodeSeq = row.number("node_seq");
                if (nodeSeq < seq) {
                    prev = row.string("hash");
                    continue;
                }
                LinkedHashMap<String, Object> columns = new LinkedHashMap<>(row.columns());
                if (nodeSeq == seq) {
                    assertThat(columns.get("client_id")).isNotEqualTo(client);
                    columns.put("client_id", client);
                }
                columns.put("prev_hash", prev);
                String hash = TrailRows.recordHash(new TrailRows.Row(columns));
                try (PreparedStatement s = c.prepareStatement(
                        "UPDATE audit_record SET client_id = ?, prev_hash = ?, hash = ? WHERE node = ? AND node_seq = ?")) {
                    s.setString(1, (String) columns.get("client_id"));
                    s.setString(2, prev);
                    s.setString(3, hash);
                    s.setString(4, node);
                    s.setLong(5, nodeSeq);
                    assertThat(s.executeUpdate()).isEqualTo(1);
                }
                prev = hash;
            }
        }
        rebuildTree(node);
    }

    /**
     * The node's tree rows made again from its records' hashes (RFC 9162: leaf i is H(0x00 || hash of record
     * i + 1), an inner node H(0x01 || left || right)); a row for every perfect subtree inside the leaves.
     */
    private static void rebuildTree(String node) throws Exception {
        try (Connection c = Postgres.get().connect(DB)) {
            List<byte[]> level = new ArrayList<>();
            for (TrailRows.Row row : TrailRows.ofNode(c, node)) {
                level.add(sha256((byte) 0, HexFormat.of().parseHex(row.string("hash"))));
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM trail_tree_node WHERE node = ?")) {
                s.setString(1, node);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO trail_tree_node (node, level, idx, hash) VALUES (?, ?, ?, ?)")) {
                for (int l = 0; !level.isEmpty(); l++) {
                    List<byte[]> up = new ArrayList<>();
                    for (int i = 0; i < level.size(); i++) {
                        s.setString(1, node);
                        s.setInt(2, l);
                        s.setLong(3, i);
                        s.setBytes(4, level.get(i));
                        s.addBatch();
                        if (i % 2 == 1) {
                            up.add(sha256((byte) 1, level.get(i - 1), level.get(i)));
                        }
                    }
                    level = up;
                }
                s.executeBatch();
            }
        }
    }

    private static byte[] sha256(byte prefix, byte[]... parts) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update(prefix);
        for (byte[] p : parts) {
            d.update(p);
        }
        return d.digest();
    }

    private static void sql(String... statements) throws Exception {
        try (Connection c = Postgres.get().connect(DB); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    /** The hash chain alone (the packaged jar's TrailVerifier over every stored record): valid? */
    private static boolean chainAlone() throws Exception {
        try (Connection c = Postgres.get().connect(DB)) {
            TrailRows.Verdict v = TrailRows.verify(TrailRows.select(c, null));
            assertThat(v.checked()).isPositive();
            return v.valid();
        }
    }

    // ------------------------------------------------------------------ what the auditor does

    private static JsonNode verifyOnB() throws Exception {
        HttpResponse<String> r = b.get("/audit/verify", "inspektorat-audit");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Gateway.json(r.body());
    }

    /** The problems of the node's anchoring findings. */
    private static List<String> findings(JsonNode result, String node) {
        List<String> problems = new ArrayList<>();
        for (JsonNode f : result.path("anchoring").path("findings")) {
            if (f.path("node").asText().equals(node)) {
                problems.add(f.path("problem").asText());
            }
        }
        return problems;
    }

    private static Path export(String name) throws Exception {
        HttpResponse<String> r = b.get("/audit/export?format=ndjson", "inspektorat-audit");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Files.writeString(dir.resolve(name), r.body());
    }

    /** {@code java -jar gerbang.jar verify EXPORT --checkpoint KEPT --keys TRUSTED}. */
    private static JarRun offlineVerify(Path export, Path kept) throws Exception {
        return JarRun.of(dir, "verify", export.toString(), "--checkpoint", kept.toString(), "--keys", trustedKeys.toString());
    }

    /** {@code java -jar gerbang.jar witness ...}, against node B, with the demo CAs of both nodes. */
    private static JarRun witness() throws Exception {
        return JarRun.of(dir, "witness", "--gateway", "http://localhost:" + b.port(),
                "--client-id", "inspektorat-audit", "--client-secret", "inspektorat-audit-secret",
                "--store", store.toString(),
                "--tsa-cert", a.dataDir().resolve("demo-tsa-ca.pem").toString(),
                "--tsa-cert", b.dataDir().resolve("demo-tsa-ca.pem").toString());
    }
}
