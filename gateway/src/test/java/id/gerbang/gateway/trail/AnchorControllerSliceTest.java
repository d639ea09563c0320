package id.gerbang.gateway.trail;

import static id.gerbang.gateway.web.SliceSecurity.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import id.gerbang.gateway.TestDatabases;
import id.gerbang.gateway.anchor.Checkpoint;
import id.gerbang.gateway.anchor.MerkleTree;
import id.gerbang.gateway.anchor.NoteSigner;
import id.gerbang.gateway.anchor.NoteVerifier;
import id.gerbang.gateway.anchor.SignedNote;
import id.gerbang.gateway.web.SliceSecurity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;
import org.springframework.context.annotation.Import;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/**
 * The anchored trail's endpoints as the web layer serves them, behind the gateway's security chain, over
 * a real trail on H2 with its tree and checkpoints written where the node writes them: who may ask each,
 * what each answers (the proofs verify against the signed checkpoints' roots), and refusals of bad
 * parameters that change nothing.
 */
@WebMvcTest(controllers = {AnchorController.class, AuditController.class}, excludeFilters = @ComponentScan.Filter(
        type = FilterType.REGEX, pattern = "id\\.gerbang\\.gateway\\.console\\..*"))
@Import({SliceSecurity.class, AnchorControllerSliceTest.Beans.class})
class AnchorControllerSliceTest {

    static final String NODE = "gerbang-a";

    @TestConfiguration(proxyBeanMethods = false)
    static class Beans {
        @Bean
        TrailQueries trailQueries(TestDatabases.Database db) {
            return new TrailQueries(db.pool(), Set.of(NODE));
        }

        @Bean
        TrailCheckpoints trailCheckpoints(TestDatabases.Database db) {
            return new TrailCheckpoints(db.pool());
        }

        @Bean
        TrailProofs trailProofs(TestDatabases.Database db) {
            return new TrailProofs(db.pool());
        }

        @Bean
        TrailAnchors trailAnchors(TrailCheckpoints checkpoints, TrailProofs proofs) {
            return new TrailAnchors(checkpoints, proofs);
        }
    }

    @Autowired
    MockMvc mvc;

    @Autowired
    SliceSecurity.Trail trail;

    @Autowired
    TestDatabases.Database db;

    DataSource ds;
    NoteSigner signer;
    NoteVerifier key;
    /** calls of dinkes-simpus and bapenda-sipd, then two checkpoints: of the first call, of both */
    AuditRecord dinkesCall;
    AuditRecord bapendaCall;
    StoredCheckpoint first;
    StoredCheckpoint second;

    @BeforeEach
    void aTrailWithTwoCheckpoints() throws Exception {
        ds = db.pool();
        trail.reset();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM trail_signed_checkpoint");
            s.executeUpdate("DELETE FROM trail_signing_key");
        }
        signer = AnchorFixtures.signer(NODE);
        key = signer.verifier();
        String tag = Long.toString(System.nanoTime());
        Instant t = Instant.parse("2026-12-01T03:00:00Z");
        dinkesCall = trail.record(TrailQueriesTest.call(t, "dinkes-simpus", "dinkes", "disdukcapil-penduduk", "disdukcapil", 200, "dinkes-" + tag));
        first = AnchorFixtures.sign(ds, signer, NODE, AnchorFixtures.growTree(ds, NODE), Instant.parse("2026-12-01T03:01:00Z"));
        bapendaCall = trail.record(TrailQueriesTest.call(t, "bapenda-sipd", "bapenda", "bapenda-status-pajak", "bapenda", 200, "bapenda-" + tag));
        trail.record(TrailQueriesTest.call(t, "bapenda-sipd", "bapenda", "bapenda-status-pajak", "bapenda", 200, "more-" + tag));
        second = AnchorFixtures.sign(ds, signer, NODE, AnchorFixtures.growTree(ds, NODE), Instant.parse("2026-12-01T03:02:00Z"));
        trail.reset();
    }

    MockHttpServletResponse perform(MockHttpServletRequestBuilder request, String token) throws Exception {
        return SliceSecurity.perform(mvc, request, token);
    }

    static JsonNode json(MockHttpServletResponse r) throws Exception {
        assertThat(r.getStatus()).as(r.getContentAsString()).isEqualTo(200);
        assertThat(r.getContentType()).startsWith("application/json");
        return TrailJson.MAPPER.readTree(r.getContentAsString(StandardCharsets.UTF_8));
    }

    static List<byte[]> hashes(JsonNode array) {
        List<byte[]> out = new ArrayList<>();
        array.forEach(h -> out.add(Base64.getDecoder().decode(h.asText())));
        return out;
    }

    /** The checkpoint a note signs, once its signature verifies with the node's key. */
    Checkpoint verified(String note) {
        return Checkpoint.verified(SignedNote.parse(note), List.of(key));
    }

    @Test
    void anyoneGetsTheVerifierKeysOneALineWithTheTimeEachWasIntroduced() throws Exception {
        MockHttpServletResponse r = perform(get("/audit/keys"), null);

        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(r.getContentType()).isEqualTo("text/plain; charset=utf-8");
        assertThat(r.getContentAsString(StandardCharsets.UTF_8))
                .isEqualTo(key.verifierKey() + " 2026-12-01T03:01:00.000Z\n");
        assertThat(NoteVerifier.parse(r.getContentAsString().split(" ")[0])).isEqualTo(key);
        assertThat(trail.entries()).isEmpty(); // no record's content shown: not a reading of the trail
        problem(perform(get("/audit/keys").param("node", NODE), null), 400, "BAD_REQUEST");
    }

    @Test
    void theLatestCheckpointIsTheNoteExactlyAsSignedForAnyAuthenticatedClient() throws Exception {
        problem(perform(get("/audit/checkpoints/" + NODE + "/latest"), null), 401, "INVALID_TOKEN");

        MockHttpServletResponse r = perform(get("/audit/checkpoints/" + NODE + "/latest"), SliceSecurity.CLIENT);
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(r.getContentType()).isEqualTo("text/plain; charset=utf-8");
        assertThat(r.getContentAsString(StandardCharsets.UTF_8)).isEqualTo(second.note());
        Checkpoint cp = verified(r.getContentAsString(StandardCharsets.UTF_8));
        assertThat(cp.treeSize()).isEqualTo(second.treeSize());
        assertThat(cp.rootHash()).isEqualTo(new TrailProofs(ds).rootHash(NODE, second.treeSize()));

        JsonNode p = problem(perform(get("/audit/checkpoints/gerbang-z/latest"), SliceSecurity.CLIENT), 404, "RECORD_NOT_FOUND");
        assertThat(p.get("detail").asText()).isEqualTo("node gerbang-z has no signed checkpoint");
    }

    @Test
    void theCheckpointListIsForAuditorsWithEachNoteAndTimestampToken() throws Exception {
        problem(perform(get("/audit/checkpoints"), SliceSecurity.CLIENT), 403, "ACCESS_DENIED");
        new TrailCheckpoints(ds).stamp(first.id(), new byte[] {1, 2, 3}, Instant.parse("2026-12-01T03:01:01Z"));

        JsonNode list = json(perform(get("/audit/checkpoints").param("node", NODE), SliceSecurity.AUDITOR));
        assertThat(list).hasSize(2);
        JsonNode a = list.get(0);
        assertThat(a.get("node").asText()).isEqualTo(NODE);
        assertThat(a.get("treeSize").asLong()).isEqualTo(first.treeSize());
        assertThat(a.get("rootHash").asText()).isEqualTo(Base64.getEncoder().encodeToString(first.rootHash()));
        assertThat(a.get("time").asText()).isEqualTo("2026-12-01T03:01:00.000Z");
        assertThat(a.get("note").asText()).isEqualTo(first.note());
        assertThat(a.get("timestampToken").asText()).isEqualTo("AQID");
        assertThat(list.get(1).get("timestampToken").isNull()).isTrue();
        List<String> names = new ArrayList<>();
        a.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("node", "treeSize", "rootHash", "time", "note", "timestampToken");

        assertThat(json(perform(get("/audit/checkpoints").param("from", "2026-12-01T03:01:30Z"), SliceSecurity.AUDITOR)))
                .singleElement().satisfies(c -> assertThat(c.get("treeSize").asLong()).isEqualTo(second.treeSize()));
        assertThat(json(perform(get("/audit/checkpoints").param("limit", "1"), SliceSecurity.AUDITOR))).hasSize(1);
        assertThat(json(perform(get("/audit/checkpoints").param("node", "gerbang-z"), SliceSecurity.AUDITOR))).isEmpty();
        problem(perform(get("/audit/checkpoints").param("limit", "1001"), SliceSecurity.AUDITOR), 400, "BAD_REQUEST");
        problem(perform(get("/audit/checkpoints").param("from", "2026-12-02T00:00:00Z").param("to", "2026-12-01T00:00:00Z"),
                SliceSecurity.AUDITOR), 400, "BAD_REQUEST");
        problem(perform(get("/audit/checkpoints").param("from", "yesterday"), SliceSecurity.AUDITOR), 400, "BAD_REQUEST");
    }

    @Test
    void aConsistencyProofBetweenTwoCheckpointsVerifiesAgainstBothRoots() throws Exception {
        problem(perform(get("/audit/proofs/consistency").param("node", NODE).param("from", "1").param("to", "2"), null),
                401, "INVALID_TOKEN");

        JsonNode body = json(perform(get("/audit/proofs/consistency").param("node", NODE)
                .param("from", Long.toString(first.treeSize())).param("to", Long.toString(second.treeSize())), SliceSecurity.CLIENT));
        assertThat(body.get("node").asText()).isEqualTo(NODE);
        assertThat(body.get("fromSize").asLong()).isEqualTo(first.treeSize());
        assertThat(body.get("toSize").asLong()).isEqualTo(second.treeSize());
        Checkpoint from = verified(first.note());
        Checkpoint to = verified(second.note());
        assertThat(MerkleTree.verifyConsistency(from.treeSize(), to.treeSize(), from.rootHash(), to.rootHash(),
                hashes(body.get("proof")))).isTrue();
        assertThat(MerkleTree.verifyConsistency(from.treeSize(), to.treeSize(), new byte[32], to.rootHash(),
                hashes(body.get("proof")))).isFalse();
    }

    @Test
    void anInclusionProofIsForAuditorsAndVerifiesAgainstTheCheckpointsRoot() throws Exception {
        String size = Long.toString(second.treeSize());
        String seq = Long.toString(dinkesCall.nodeSeq());
        problem(perform(get("/audit/proofs/inclusion").param("node", NODE).param("seq", seq).param("treeSize", size),
                SliceSecurity.CLIENT), 403, "ACCESS_DENIED");

        JsonNode body = json(perform(get("/audit/proofs/inclusion").param("node", NODE).param("seq", seq)
                .param("treeSize", size), SliceSecurity.AUDITOR));
        assertThat(body.get("node").asText()).isEqualTo(NODE);
        assertThat(body.get("seq").asLong()).isEqualTo(dinkesCall.nodeSeq());
        assertThat(body.get("treeSize").asLong()).isEqualTo(second.treeSize());
        byte[] leaf = MerkleTree.leafHash(HexFormat.of().parseHex(dinkesCall.hash()));
        assertThat(Base64.getDecoder().decode(body.get("leafHash").asText())).isEqualTo(leaf);
        assertThat(MerkleTree.verifyInclusion(dinkesCall.nodeSeq() - 1, second.treeSize(), leaf, hashes(body.get("proof")),
                verified(second.note()).rootHash())).isTrue();
    }

    @Test
    void badProofParametersAreRefusedSayingWhyAndChangeNothing() throws Exception {
        long stored = new TrailProofs(ds).treeSize(NODE);
        long checkpointsBefore = count("trail_signed_checkpoint");
        long treeRowsBefore = count("trail_tree_node");
        String big = Long.toString(stored + 1);
        record Case(MockHttpServletRequestBuilder request, int status, String code, String detail) {}
        List<Case> cases = List.of(
                new Case(get("/audit/proofs/consistency").param("node", NODE).param("from", "2").param("to", "1"), 400, "BAD_REQUEST", "from must not be greater than to (2 > 1)"),
                new Case(get("/audit/proofs/consistency").param("node", NODE).param("from", "1").param("to", big), 400, "BAD_REQUEST", "to must be at most " + stored + ", the size of node gerbang-a's tree, not " + big),
                new Case(get("/audit/proofs/consistency").param("node", NODE).param("from", "one").param("to", "2"), 400, "BAD_REQUEST", "from must be a whole number from 0, not \"one\""),
                new Case(get("/audit/proofs/consistency").param("node", NODE).param("from", "-1").param("to", "2"), 400, "BAD_REQUEST", "from must be a whole number from 0, not \"-1\""),
                new Case(get("/audit/proofs/consistency").param("node", NODE).param("from", "1").param("to", "99999999999999999999"), 400, "BAD_REQUEST", "to must be a whole number from 1"),
                new Case(get("/audit/proofs/consistency").param("from", "1").param("to", "2"), 400, "BAD_REQUEST", "parameter node is required"),
                new Case(get("/audit/proofs/consistency").param("node", "gerbang-z").param("from", "1").param("to", "2"), 404, "RECORD_NOT_FOUND", "the trail holds no tree of node gerbang-z"),
                new Case(get("/audit/proofs/consistency").param("node", NODE).param("from", "1").param("to", "2").param("size", "3"), 400, "BAD_REQUEST", "unknown parameter \"size\""),
                new Case(get("/audit/proofs/inclusion").param("node", NODE).param("seq", "0").param("treeSize", "2"), 400, "BAD_REQUEST", "seq must be a whole number from 1, not \"0\""),
                new Case(get("/audit/proofs/inclusion").param("node", NODE).param("seq", "3").param("treeSize", "2"), 400, "BAD_REQUEST", "seq must not be greater than treeSize (3 > 2)"),
                new Case(get("/audit/proofs/inclusion").param("node", NODE).param("seq", "1").param("treeSize", big), 400, "BAD_REQUEST", "treeSize must be at most " + stored),
                new Case(get("/audit/proofs/inclusion").param("node", "gerbang-z").param("seq", "1").param("treeSize", "1"), 404, "RECORD_NOT_FOUND", "the trail holds no tree of node gerbang-z"),
                new Case(get("/audit/proofs/inclusion").param("node", NODE).param("node", NODE).param("seq", "1").param("treeSize", "1"), 400, "BAD_REQUEST", "parameter node is given more than once"));
        for (Case c : cases) {
            JsonNode p = problem(perform(c.request(), SliceSecurity.AUDITOR), c.status(), c.code());
            assertThat(p.get("detail").asText()).contains(c.detail());
        }
        assertThat(count("trail_signed_checkpoint")).isEqualTo(checkpointsBefore);
        assertThat(count("trail_tree_node")).isEqualTo(treeRowsBefore);
        assertThat(trail.entries()).isEmpty();
    }

    @Test
    void aClientGetsTheReceiptOfItsOwnCallAndItVerifies() throws Exception {
        MockHttpServletResponse r = perform(get("/audit/receipts/" + dinkesCall.correlationId()), SliceSecurity.CLIENT);
        JsonNode receipt = json(r);
        List<String> names = new ArrayList<>();
        receipt.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("record", "checkpoint", "proof");
        assertThat(TrailJson.parse(receipt.get("record").toString())).isEqualTo(dinkesCall);
        // the first checkpoint covering the record
        assertThat(receipt.get("checkpoint").asText()).isEqualTo(first.note());
        Checkpoint cp = verified(receipt.get("checkpoint").asText());
        assertThat(MerkleTree.verifyInclusion(dinkesCall.nodeSeq() - 1, cp.treeSize(),
                MerkleTree.leafHash(HexFormat.of().parseHex(dinkesCall.hash())), hashes(receipt.get("proof")),
                cp.rootHash())).isTrue();
        // a reading of the trail, recorded
        assertThat(trail.entries()).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(TrailEntry.Kind.TRAIL_READ);
            assertThat(e.clientId()).isEqualTo("dinkes-simpus");
            assertThat(e.status()).isEqualTo(200);
            assertThat(e.detail()).contains("\"action\":\"receipt\"").contains(dinkesCall.correlationId());
        });
    }

    @Test
    void anotherClientsCallIsNotThereForAClientButIsForAnAuditor() throws Exception {
        problem(perform(get("/audit/receipts/" + bapendaCall.correlationId()), null), 401, "INVALID_TOKEN");
        JsonNode p = problem(perform(get("/audit/receipts/" + bapendaCall.correlationId()), SliceSecurity.CLIENT), 404,
                "RECORD_NOT_FOUND");
        assertThat(p.get("detail").asText()).doesNotContain("bapenda-sipd");
        assertThat(problem(perform(get("/audit/receipts/nobody-called-this"), SliceSecurity.CLIENT), 404, "RECORD_NOT_FOUND")
                .get("detail").asText()).isEqualTo(p.get("detail").asText().replace(bapendaCall.correlationId(), "nobody-called-this"));

        JsonNode receipt = json(perform(get("/audit/receipts/" + bapendaCall.correlationId()), SliceSecurity.AUDITOR));
        assertThat(receipt.get("record").get("clientId").asText()).isEqualTo("bapenda-sipd");
        assertThat(receipt.get("checkpoint").asText()).isEqualTo(second.note());
        assertThat(trail.entries()).extracting(TrailEntry::status).containsExactly(401, 404, 404, 200);
    }

    @Test
    void aCallNoCheckpointCoversYetIs409UntilOneIsSigned() throws Exception {
        AuditRecord late = trail.record(TrailQueriesTest.call(Instant.parse("2026-12-01T03:05:00Z"), "dinkes-simpus", "dinkes",
                "disdukcapil-penduduk", "disdukcapil", 200, "late-" + System.nanoTime()));
        JsonNode p = problem(perform(get("/audit/receipts/" + late.correlationId()), SliceSecurity.CLIENT), 409, "CHECKPOINT_PENDING");
        assertThat(p.get("detail").asText()).isEqualTo("no signed checkpoint covers record " + late.nodeSeq()
                + " of node gerbang-a yet: ask again after the node's next checkpoint");

        StoredCheckpoint third = AnchorFixtures.sign(ds, signer, NODE, AnchorFixtures.growTree(ds, NODE), Instant.parse("2026-12-01T03:06:00Z"));
        JsonNode receipt = json(perform(get("/audit/receipts/" + late.correlationId()), SliceSecurity.CLIENT));
        assertThat(receipt.get("checkpoint").asText()).isEqualTo(third.note());
        assertThat(trail.entries()).extracting(TrailEntry::status).containsExactly(200, 409, 200); // the call, then both readings
    }

    @Test
    void aReceiptVerifiesWithThePythonScriptOfTheDocs(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(ReceiptScript.python3(), "python3 is not installed: the receipt script of docs/trail.md was not run");
        MockHttpServletResponse r = perform(get("/audit/receipts/" + bapendaCall.correlationId()), SliceSecurity.AUDITOR);
        assertThat(r.getStatus()).isEqualTo(200);
        Path receipt = dir.resolve("receipt.json");
        Files.write(receipt, r.getContentAsByteArray());
        Path script = dir.resolve("check_receipt.py");
        Files.writeString(script, ReceiptScript.fromDocs());
        String keyLine = perform(get("/audit/keys"), null).getContentAsString().strip();

        ReceiptScript.Run ok = ReceiptScript.run(script, receipt, keyLine);
        assertThat(ok.exit()).as(ok.output()).isZero();
        assertThat(ok.output()).contains("OK: record " + bapendaCall.nodeSeq() + " of gerbang-a is in the tree of "
                + second.treeSize() + " records signed by gerbang/gerbang-a at 2026-12-01T03:02:00.000Z");
        if (!ReceiptScript.cryptography()) {
            System.out.println("Python's cryptography library is not installed: the script's signature check was not run");
            assertThat(ok.output()).contains("the signature was NOT checked");
        }

        // a receipt whose record was changed, one whose proof was, one checked with another key: refused
        JsonNode changed = TrailJson.MAPPER.readTree(r.getContentAsByteArray());
        ((ObjectNode) changed.get("record")).put("status", 500);
        Files.writeString(receipt, changed.toString());
        assertThat(ReceiptScript.run(script, receipt, keyLine).failure()).contains("FAIL: the record's hash does not match its content");

        JsonNode forged = TrailJson.MAPPER.readTree(r.getContentAsByteArray());
        assertThat(forged.get("proof")).isNotEmpty();
        ((ArrayNode) forged.get("proof")).set(0, Base64.getEncoder().encodeToString(new byte[32]));
        Files.writeString(receipt, forged.toString());
        assertThat(ReceiptScript.run(script, receipt, keyLine).failure())
                .contains("FAIL: the inclusion proof does not lead to the checkpoint's root");

        Files.write(receipt, r.getContentAsByteArray());
        String otherKey = AnchorFixtures.signer(NODE).verifier().verifierKey();
        assertThat(ReceiptScript.run(script, receipt, otherKey).failure()).contains("FAIL: the checkpoint is not signed by");
        if (ReceiptScript.cryptography()) {
            JsonNode resigned = TrailJson.MAPPER.readTree(r.getContentAsByteArray());
            String note = resigned.get("checkpoint").asText();
            int sig = note.lastIndexOf(' ') + 1;
            byte[] raw = Base64.getDecoder().decode(note.substring(sig).strip());
            raw[10] ^= 1; // a signature byte, past the key ID
            ((ObjectNode) resigned).put("checkpoint", note.substring(0, sig) + Base64.getEncoder().encodeToString(raw) + "\n");
            Files.writeString(receipt, resigned.toString());
            assertThat(ReceiptScript.run(script, receipt, keyLine).failure())
                    .contains("FAIL: the checkpoint's signature does not verify");
        }
    }

    private long count(String table) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
