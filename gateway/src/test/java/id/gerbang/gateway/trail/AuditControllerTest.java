package id.gerbang.gateway.trail;

import id.gerbang.gateway.context.CorrelationIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

/**
 * The auditor's API over an H2 trail, without the security chain (the role check is the chain's, and the
 * integration suite's): answers, refusals, and the record every reading leaves.
 */
class AuditControllerTest {

    static final Instant T = TrailQueriesTest.T;

    HikariDataSource db;
    JdbcAuditTrail store;
    /** the trail the controller sees: the real store, watched, or failing on demand */
    final List<TrailEntry> readings = new CopyOnWriteArrayList<>();
    volatile boolean trailDown;
    MockMvc mvc;
    List<AuditRecord> calls;

    @BeforeEach
    void setUp() {
        db = TrailQueriesTest.pool("jdbc:h2:mem:audit-api-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "gerbang", "");
        Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
        store = new JdbcAuditTrail(db, "gerbang-a", 512, 1000, Duration.ofSeconds(10));
        AuditTrail watched = entry -> {
            if (trailDown) {
                throw new TrailUnavailableException("the store is down", null);
            }
            readings.add(entry);
            return store.record(entry);
        };
        calls = List.of(
                store.record(TrailQueriesTest.call(T, "dinkes-simpus", "dinkes", "disdukcapil-penduduk", "disdukcapil", 200, "k-1")),
                store.record(TrailQueriesTest.call(T.plusSeconds(60), "bapenda-sipd", "bapenda", "bapenda-status-pajak", "bapenda", 403, "k-2")),
                store.record(TrailQueriesTest.call(T.plusSeconds(120), "dinkes-simpus", "dinkes", "bapenda-status-pajak", "bapenda", 200, "k-3")));
        AuditController controller = new AuditController(new TrailQueries(db, java.util.Set.of("gerbang-a")),
                new TrailAnchors(new TrailCheckpoints(db), new TrailProofs(db)), watched, Map.of("inspektorat-audit", "inspektorat"));
        mvc = MockMvcBuilders.standaloneSetup(controller).build();
    }

    @AfterEach
    void tearDown() throws Exception {
        store.close();
        db.close();
    }

    static JwtAuthenticationToken auditor(String opdClaim) {
        Jwt.Builder jwt = Jwt.withTokenValue("t").header("alg", "RS256").claim("azp", "inspektorat-audit")
                .claim("realm_access", Map.of("roles", List.of("auditor")));
        if (opdClaim != null) {
            jwt.claim("opd", opdClaim);
        }
        return new JwtAuthenticationToken(jwt.build(), List.of(new SimpleGrantedAuthority("ROLE_auditor")), "inspektorat-audit");
    }

    MockHttpServletResponse perform(MockHttpServletRequestBuilder request) throws Exception {
        return mvc.perform(request.principal(auditor("inspektorat-kab"))
                .requestAttr(CorrelationIds.ATTRIBUTE, "corr-audit-1")).andReturn().getResponse();
    }

    static JsonNode json(MockHttpServletResponse r) throws Exception {
        return TrailJson.MAPPER.readTree(r.getContentAsString(StandardCharsets.UTF_8));
    }

    static void assertProblem(MockHttpServletResponse r, int status, String code, String detailPart) throws Exception {
        assertThat(r.getStatus()).isEqualTo(status);
        assertThat(r.getContentType()).isEqualTo("application/problem+json");
        JsonNode p = json(r);
        assertThat(p.get("code").asText()).isEqualTo(code);
        assertThat(p.get("detail").asText()).contains(detailPart);
        assertThat(p.get("correlationId").asText()).isEqualTo("corr-audit-1");
    }

    @Test
    void searchAnswersAPageAndIsItselfRecorded() throws Exception {
        MockHttpServletResponse r = perform(get("/audit/records").param("client", "dinkes-simpus")
                .param("from", "2026-11-27T09:00:00+07:00").param("size", "1"));

        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(r.getContentType()).startsWith("application/json");
        JsonNode body = json(r);
        assertThat(body.get("page").asInt()).isZero();
        assertThat(body.get("size").asInt()).isEqualTo(1);
        assertThat(body.get("total").asLong()).isEqualTo(2);
        assertThat(body.get("records")).hasSize(1);
        JsonNode rec = body.get("records").get(0);
        assertThat(rec.get("correlationId").asText()).isEqualTo("k-3");
        assertThat(rec.get("requestAt").asText()).isEqualTo("2026-11-27T02:02:00.000Z");
        assertThat(rec.get("errorCode").isNull()).isTrue();
        assertThat(TrailJson.parse(rec.toString())).isEqualTo(calls.get(2));

        assertThat(readings).hasSize(1);
        TrailEntry read = readings.get(0);
        assertThat(read.kind()).isEqualTo(TrailEntry.Kind.TRAIL_READ);
        assertThat(read.clientId()).isEqualTo("inspektorat-audit");
        assertThat(read.clientOpd()).isEqualTo("inspektorat-kab");
        assertThat(read.correlationId()).isEqualTo("corr-audit-1");
        assertThat(read.method()).isEqualTo("GET");
        assertThat(read.path()).isEqualTo("/audit/records");
        assertThat(read.status()).isEqualTo(200);
        JsonNode detail = TrailJson.MAPPER.readTree(read.detail());
        assertThat(detail.get("action").asText()).isEqualTo("search");
        assertThat(detail.get("client").asText()).isEqualTo("dinkes-simpus");
        assertThat(detail.get("from").asText()).isEqualTo("2026-11-27T02:00:00.000Z");
        assertThat(detail.get("total").asLong()).isEqualTo(2);
    }

    @Test
    void theActorsOpdFallsBackToTheConfiguredMapping() throws Exception {
        mvc.perform(get("/audit/records").principal(auditor(null))).andReturn();
        assertThat(readings.get(0).clientOpd()).isEqualTo("inspektorat");
    }

    @Test
    void badSearchesAreRefusedAndShowNothing() throws Exception {
        assertProblem(perform(get("/audit/records").param("size", "501")), 400, "BAD_REQUEST", "size must be a whole number from 1 to 500");
        assertProblem(perform(get("/audit/records").param("size", "0")), 400, "BAD_REQUEST", "size");
        assertProblem(perform(get("/audit/records").param("page", "-1")), 400, "BAD_REQUEST", "page");
        assertProblem(perform(get("/audit/records").param("status", "abc")), 400, "BAD_REQUEST", "status");
        assertProblem(perform(get("/audit/records").param("from", "27-11-2026")), 400, "BAD_REQUEST",
                "from must be an ISO-8601 instant");
        assertProblem(perform(get("/audit/records").param("to", "2026-11-27T10:00:00")), 400, "BAD_REQUEST",
                "to must be an ISO-8601 instant");
        assertProblem(perform(get("/audit/records").param("from", "2026-11-28T00:00:00Z").param("to", "2026-11-27T00:00:00Z")),
                400, "BAD_REQUEST", "from must be before to");
        assertProblem(perform(get("/audit/records").param("kind", "calls")), 400, "BAD_REQUEST", "kind must be one of");
        assertProblem(perform(get("/audit/records").param("client_id", "x")), 400, "BAD_REQUEST", "unknown parameter \"client_id\"");
        assertProblem(perform(get("/audit/records").param("client", "a").param("client", "b")), 400, "BAD_REQUEST", "more than once");
        assertThat(readings).isEmpty();
    }

    @Test
    void anUnknownKindIsRefusedWithEveryKindNamed() throws Exception {
        assertProblem(perform(get("/audit/records").param("kind", "purge")), 400, "BAD_REQUEST",
                "kind must be one of call, route-change, trail-read, trail-purge");
    }

    @Test
    void aSearchByTheKindTrailPurgeIsAccepted() throws Exception {
        assertThat(perform(get("/audit/records").param("kind", "trail-purge")).getStatus()).isEqualTo(200);
    }

    @Test
    void anUnencodedPlusInAnOffsetIsReadAsAPlus() throws Exception {
        // "+07:00" sent raw in a query string arrives as " 07:00"
        MockHttpServletResponse r = perform(get("/audit/records").param("to", "2026-11-27T09:01:00 07:00"));
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(json(r).get("total").asLong()).isEqualTo(1);
    }

    @Test
    void oneRecordByIdOr404OrBadId() throws Exception {
        MockHttpServletResponse r = perform(get("/audit/records/" + calls.get(1).id()));
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(TrailJson.parse(r.getContentAsString(StandardCharsets.UTF_8))).isEqualTo(calls.get(1));

        assertProblem(perform(get("/audit/records/987654")), 404, "RECORD_NOT_FOUND", "no record 987654");
        assertProblem(perform(get("/audit/records/abc")), 400, "BAD_REQUEST", "positive whole number");
        assertThat(readings).extracting(TrailEntry::status).containsExactly(200, 404);
        assertThat(readings.get(1).errorCode()).isEqualTo("RECORD_NOT_FOUND");
    }

    @Test
    void exportsNdjsonThatVerifiesOffline() throws Exception {
        MockHttpServletResponse r = perform(get("/audit/export").param("format", "ndjson")
                .param("from", "2026-11-27T02:00:00Z").param("to", "2026-11-27T03:00:00Z"));
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(r.getContentType()).startsWith("application/x-ndjson");
        assertThat(r.getHeader("Content-Disposition"))
                .isEqualTo("attachment; filename=\"gerbang-trail_20261127T020000Z_20261127T030000Z.ndjson\"");
        String body = r.getContentAsString(StandardCharsets.UTF_8);
        assertThat(body.split("\n")).hasSize(3);
        TrailVerifier.Result offline = OfflineVerifier.verify(new BufferedReader(new StringReader(body)), new TrailVerifier());
        assertThat(offline).isEqualTo(new TrailVerifier.Result(true, 3, null, null));
        JsonNode detail = TrailJson.MAPPER.readTree(readings.get(0).detail());
        assertThat(detail.get("action").asText()).isEqualTo("export");
        assertThat(detail.get("format").asText()).isEqualTo("ndjson");
        assertThat(detail.get("to").asText()).isEqualTo("2026-11-27T03:00:00.000Z");
    }

    /** The lines of an NDJSON export: records, then anchor lines. */
    record Export(List<AuditRecord> records, List<JsonNode> anchors) {
        static Export of(MockHttpServletResponse r) throws Exception {
            assertThat(r.getStatus()).isEqualTo(200);
            List<AuditRecord> records = new java.util.ArrayList<>();
            List<JsonNode> anchors = new java.util.ArrayList<>();
            for (String line : r.getContentAsString(StandardCharsets.UTF_8).split("\n")) {
                JsonNode j = TrailJson.MAPPER.readTree(line);
                if (j.get("kind").asText().equals("anchor")) {
                    anchors.add(j);
                } else {
                    assertThat(anchors).as("anchor lines come after every record").isEmpty();
                    records.add(TrailJson.parse(line));
                }
            }
            return new Export(records, anchors);
        }
    }

    /** Asserts that the anchor line's proof leads from the record's hash to the signed checkpoint's root. */
    static void assertAnchors(JsonNode anchor, AuditRecord record, StoredCheckpoint checkpoint,
                              id.gerbang.gateway.anchor.NoteVerifier key) {
        List<String> names = new java.util.ArrayList<>();
        anchor.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("kind", "node", "seq", "checkpoint", "proof");
        assertThat(anchor.get("node").asText()).isEqualTo(record.node());
        assertThat(anchor.get("seq").asLong()).isEqualTo(record.nodeSeq());
        assertThat(anchor.get("checkpoint").asText()).isEqualTo(checkpoint.note());
        id.gerbang.gateway.anchor.Checkpoint cp = id.gerbang.gateway.anchor.Checkpoint.verified(
                id.gerbang.gateway.anchor.SignedNote.parse(anchor.get("checkpoint").asText()), List.of(key));
        List<byte[]> proof = new java.util.ArrayList<>();
        anchor.get("proof").forEach(h -> proof.add(java.util.Base64.getDecoder().decode(h.asText())));
        assertThat(id.gerbang.gateway.anchor.MerkleTree.verifyInclusion(record.nodeSeq() - 1, cp.treeSize(),
                id.gerbang.gateway.anchor.MerkleTree.leafHash(java.util.HexFormat.of().parseHex(record.hash())), proof,
                cp.rootHash())).isTrue();
    }

    @Test
    void anNdjsonExportEndsWithTheAnchorLineOfTheCheckpointCoveringItsLastRecord() throws Exception {
        var signer = AnchorFixtures.signer("gerbang-a");
        AnchorFixtures.sign(db, signer, "gerbang-a", AnchorFixtures.growTree(db, "gerbang-a"), T.plusSeconds(200));
        // a checkpoint that covers the period's last record, and one after it: the first covering one is chosen
        StoredCheckpoint covering = new TrailCheckpoints(db).latest("gerbang-a").orElseThrow();
        store.record(TrailQueriesTest.call(T.plusSeconds(3600), "dinkes-simpus", "dinkes", "disdukcapil-penduduk", "disdukcapil", 200, "k-4"));
        AnchorFixtures.sign(db, signer, "gerbang-a", AnchorFixtures.growTree(db, "gerbang-a"), T.plusSeconds(3700));

        Export export = Export.of(perform(get("/audit/export").param("from", "2026-11-27T02:00:00Z").param("to", "2026-11-27T03:00:00Z")));
        assertThat(export.records()).containsExactlyElementsOf(calls);
        assertThat(export.anchors()).singleElement().satisfies(a -> assertAnchors(a, calls.get(2), covering, signer.verifier()));
        // the anchor line is no record: the export still verifies offline
        String body = perform(get("/audit/export").param("from", "2026-11-27T02:00:00Z").param("to", "2026-11-27T03:00:00Z"))
                .getContentAsString(StandardCharsets.UTF_8);
        assertThat(OfflineVerifier.verify(new BufferedReader(new StringReader(body)), new TrailVerifier()))
                .isEqualTo(new TrailVerifier.Result(true, 3, null, null));
    }

    @Test
    void anExportWhoseLastRecordNoCheckpointCoversYetIsAnchoredByTheLatestCheckpoint() throws Exception {
        var signer = AnchorFixtures.signer("gerbang-a");
        StoredCheckpoint latest = AnchorFixtures.sign(db, signer, "gerbang-a", AnchorFixtures.growTree(db, "gerbang-a"), T.plusSeconds(200));

        // the whole trail: it ends with this export's own reading, which no checkpoint covers yet
        Export export = Export.of(perform(get("/audit/export")));
        assertThat(export.records()).hasSize(4);
        assertThat(export.records().get(3).kind()).isEqualTo("trail-read");
        assertThat(export.anchors()).singleElement().satisfies(a -> assertAnchors(a, calls.get(2), latest, signer.verifier()));
    }

    @Test
    void anExportBeforeAnyCheckpointHasNoAnchorLineAndCsvNeverHasOne() throws Exception {
        Export export = Export.of(perform(get("/audit/export")));
        assertThat(export.records()).hasSize(4);
        assertThat(export.anchors()).isEmpty();

        // a checkpoint older than the period's records (it covers 1 to 4) does not cover any of them
        var signer = AnchorFixtures.signer("gerbang-a");
        AnchorFixtures.sign(db, signer, "gerbang-a", AnchorFixtures.growTree(db, "gerbang-a"), T.plusSeconds(200));
        Instant cut = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Export later = Export.of(perform(get("/audit/export").param("from", cut.toString())));
        assertThat(later.records()).singleElement().satisfies(r -> assertThat(r.nodeSeq()).isEqualTo(5)); // its own reading
        assertThat(later.anchors()).isEmpty();

        String csv = perform(get("/audit/export").param("format", "csv")).getContentAsString(StandardCharsets.UTF_8);
        assertThat(csv).doesNotContain("anchor");
    }

    @Test
    void anExportWhoseTreeRowsWereRemovedStillEndsItsRecordsButWithoutAnAnchorLine() throws Exception {
        var signer = AnchorFixtures.signer("gerbang-a");
        AnchorFixtures.sign(db, signer, "gerbang-a", AnchorFixtures.growTree(db, "gerbang-a"), T.plusSeconds(200));
        try (var c = db.getConnection(); var st = c.createStatement()) {
            st.executeUpdate("DELETE FROM trail_tree_node WHERE node = 'gerbang-a' AND level = 1 AND idx = 0");
        }
        Export export = Export.of(perform(get("/audit/export").param("from", "2026-11-27T02:00:00Z").param("to", "2026-11-27T03:00:00Z")));
        assertThat(export.records()).containsExactlyElementsOf(calls);
        assertThat(export.anchors()).isEmpty();
    }

    @Test
    void exportsCsvWithAHeaderRow() throws Exception {
        MockHttpServletResponse r = perform(get("/audit/export").param("format", "csv"));
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(r.getContentType()).startsWith("text/csv");
        assertThat(r.getHeader("Content-Disposition")).contains("gerbang-trail_start_now.csv");
        String[] lines = r.getContentAsString(StandardCharsets.UTF_8).split("\r\n");
        assertThat(lines[0]).isEqualTo(String.join(",", TrailJson.FIELDS));
        // the three calls; the export's own reading is committed before the rows are read, so it is there too
        assertThat(lines).hasSize(5);
        assertThat(lines[4]).contains(",trail-read,");
        assertProblem(perform(get("/audit/export").param("format", "xml")), 400, "BAD_REQUEST", "format must be csv or ndjson");
    }

    @Test
    void verifiesAPeriodOrTheWholeTrail() throws Exception {
        MockHttpServletResponse r = perform(get("/audit/verify"));
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(r.getContentAsString(StandardCharsets.UTF_8))
                .isEqualTo("{\"valid\":true,\"checked\":3,\"firstInvalid\":null,\"reason\":null}");

        try (var c = db.getConnection(); var s = c.createStatement()) {
            s.executeUpdate("UPDATE audit_record SET client_id = 'x' WHERE id = " + calls.get(1).id());
        }
        JsonNode body = json(perform(get("/audit/verify").param("from", "2026-11-27T02:00:30Z")));
        assertThat(body.get("valid").asBoolean()).isFalse();
        assertThat(body.get("firstInvalid").asLong()).isEqualTo(calls.get(1).id());
        assertThat(body.get("reason").asText()).contains("hash does not match");
        JsonNode detail = TrailJson.MAPPER.readTree(readings.get(1).detail());
        assertThat(detail.get("valid").asBoolean()).isFalse();
        assertThat(detail.get("firstInvalid").asLong()).isEqualTo(calls.get(1).id());
    }

    @Test
    void whenTheReadingCannotBeRecordedNothingIsShown() throws Exception {
        trailDown = true;
        for (String uri : List.of("/audit/records", "/audit/records/" + calls.get(0).id(), "/audit/export?format=csv",
                "/audit/verify")) {
            MockHttpServletResponse r = perform(get(uri));
            assertProblem(r, 503, "AUDIT_UNAVAILABLE", "cannot be written");
            assertThat(r.getContentAsString()).doesNotContain("dinkes-simpus");
        }
    }
}
