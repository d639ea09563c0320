package id.gerbang.gateway.trail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hash is a published algorithm (docs/trail.md): these tests pin its canonical form byte for byte,
 * with the expected JSON written out literally and its SHA-256 computed independently (Python's hashlib),
 * so that a change to the format cannot pass unnoticed.
 */
class RecordHashTest {

    static final AuditRecord CALL = new AuditRecord(42L, "call", "gerbang-1", 7,
            Instant.parse("2026-11-27T03:04:05.678Z"), Instant.parse("2026-11-27T03:04:06Z"),
            "5f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f", "dinkes-simpus", "dinkes", "dr.sari", "disdukcapil-penduduk", 3L,
            "disdukcapil", "GET", "/api/disdukcapil/penduduk/140401**********", "nik=***&fields=nama", 200, 200, null,
            322L, 298L, 0L, 512L, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", null,
            "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", null, 1, null);

    static final String CALL_CANONICAL = "{\"kind\":\"call\",\"node\":\"gerbang-1\",\"nodeSeq\":7,"
            + "\"requestAt\":\"2026-11-27T03:04:05.678Z\",\"responseAt\":\"2026-11-27T03:04:06.000Z\","
            + "\"correlationId\":\"5f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f\",\"clientId\":\"dinkes-simpus\","
            + "\"clientOpd\":\"dinkes\",\"userId\":\"dr.sari\",\"routeId\":\"disdukcapil-penduduk\",\"routeVersion\":3,"
            + "\"ownerOpd\":\"disdukcapil\",\"method\":\"GET\",\"path\":\"/api/disdukcapil/penduduk/140401**********\","
            + "\"query\":\"nik=***&fields=nama\",\"status\":200,\"upstreamStatus\":200,\"errorCode\":null,"
            + "\"durationMs\":322,\"upstreamDurationMs\":298,\"requestBytes\":0,\"responseBytes\":512,"
            + "\"requestSha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
            + "\"responseSha256\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\","
            + "\"detail\":null,\"prevHash\":\"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae\"}";

    /** sha256(CALL_CANONICAL), computed with Python's hashlib */
    static final String CALL_HASH = "3cd11a629d95720d5043a6b8d0410a84478f9f12518594417e735bdc63d641a3";

    /** Nulls everywhere a route change has none; a detail with non-ASCII text and characters JSON must escape. */
    static final AuditRecord CHANGE = new AuditRecord(43L, "route-change", "gerbang-2", 1,
            Instant.parse("2026-11-27T03:04:05Z"), null, null, "gerbang-admin", "diskominfo", null,
            "bapenda-status-pajak", null, null, "PUT", null, null, null, null, null, null, null, null, null, null,
            null, "{\"name\":\"Status pajak — Bapenda Pelalawan\"}\n\t\u001f\\/", AuditRecord.GENESIS, null, 1, null);

    static final String CHANGE_CANONICAL = "{\"kind\":\"route-change\",\"node\":\"gerbang-2\",\"nodeSeq\":1,"
            + "\"requestAt\":\"2026-11-27T03:04:05.000Z\",\"responseAt\":null,\"correlationId\":null,"
            + "\"clientId\":\"gerbang-admin\",\"clientOpd\":\"diskominfo\",\"userId\":null,"
            + "\"routeId\":\"bapenda-status-pajak\",\"routeVersion\":null,\"ownerOpd\":null,\"method\":\"PUT\","
            + "\"path\":null,\"query\":null,\"status\":null,\"upstreamStatus\":null,\"errorCode\":null,"
            + "\"durationMs\":null,\"upstreamDurationMs\":null,\"requestBytes\":null,\"responseBytes\":null,"
            + "\"requestSha256\":null,\"responseSha256\":null,"
            + "\"detail\":\"{\\\"name\\\":\\\"Status pajak — Bapenda Pelalawan\\\"}\\n\\t\\u001F\\\\/\","
            + "\"prevHash\":\"0000000000000000000000000000000000000000000000000000000000000000\"}";

    static final String CHANGE_HASH = "2ff15953ad3e9149a7a18434ec7cd9d23221fb4c6e238780c8f59c1fc99ee1d9";

    /** The call above as a version 2 record, part of a composite call: the 26 members, then the two new ones. */
    static final AuditRecord CALL_V2 = copy(copy(CALL, "parentCorrelationId", "0193a5c4-7e21-7b3c-9d4e-5f6a7b8c9d0e"),
            "hashVersion", 2);

    static final String CALL_V2_CANONICAL = CALL_CANONICAL.substring(0, CALL_CANONICAL.length() - 1)
            + ",\"parentCorrelationId\":\"0193a5c4-7e21-7b3c-9d4e-5f6a7b8c9d0e\",\"hashVersion\":2}";

    /** sha256(CALL_V2_CANONICAL), computed with Python's hashlib */
    static final String CALL_V2_HASH = "a945673a9bf40bd7f4c6cd7ae200c3aa257dd6a3e847eb9f2c74cb3e541a0cc5";

    /** The same without a parent, as every record is until composite calls exist: the members are there, null. */
    static final String CALL_V2_NO_PARENT_HASH = "2ac961f15ff5507252550372d7164a638ba0b5bd474c7380f82280d1afeff10f";

    @Test
    void aVersion2RecordIsHashedOverThe26MembersThenParentCorrelationIdThenHashVersion() {
        assertThat(RecordHash.canonical(CALL_V2)).isEqualTo(CALL_V2_CANONICAL);
        assertThat(RecordHash.of(CALL_V2)).isEqualTo(CALL_V2_HASH);
        assertThat(RecordHash.of(copy(CALL_V2, "parentCorrelationId", null))).isEqualTo(CALL_V2_NO_PARENT_HASH);
    }

    @Test
    void aVersion1RecordKeepsIts26MemberForm() {
        assertThat(CALL.hashVersion()).isEqualTo(1);
        assertThat(RecordHash.canonical(CALL)).doesNotContain("parentCorrelationId").doesNotContain("hashVersion");
        assertThat(RecordHash.of(copy(CALL, "hashVersion", 2))).isNotEqualTo(CALL_HASH);
    }

    @Test
    void newRecordsAreVersion2() {
        TrailEntry e = TrailEntry.call(Instant.parse("2026-11-27T03:04:05Z")).parentCorrelationId("parent-1").build();
        AuditRecord r = AuditRecord.chain(e, "gerbang-1", 1, AuditRecord.GENESIS);
        assertThat(r.hashVersion()).isEqualTo(RecordHash.CURRENT).isEqualTo(2);
        assertThat(r.parentCorrelationId()).isEqualTo("parent-1");
        assertThat(RecordHash.canonical(r)).endsWith(",\"parentCorrelationId\":\"parent-1\",\"hashVersion\":2}");
        assertThat(RecordHash.of(copy(r, "parentCorrelationId", "parent-2"))).isNotEqualTo(r.hash());
    }

    @Test
    void aVersionThisGatewayDoesNotKnowIsNotHashed() {
        assertThatThrownBy(() -> RecordHash.of(copy(CALL, "hashVersion", 3)))
                .isInstanceOf(RecordHash.UnknownVersionException.class)
                .hasMessage("hash version 3 is not one this gateway knows (1 to 2)");
    }

    @Test
    void aLineOfAnExportMadeBeforeHashVersionsReadsAsTheVersion1RecordItIs() throws Exception {
        var old = (com.fasterxml.jackson.databind.node.ObjectNode) TrailJson.MAPPER.readTree(TrailJson.json(
                CALL.withHash(CALL_HASH)));
        old.remove(List.of("parentCorrelationId", "hashVersion"));
        AuditRecord back = TrailJson.parse(old.toString());
        assertThat(back.hashVersion()).isEqualTo(1);
        assertThat(RecordHash.of(back)).isEqualTo(CALL_HASH);
        old.remove("detail");
        assertThatThrownBy(() -> TrailJson.parse(old.toString())).as("every other field is still required")
                .isInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class);
    }

    @Test
    void theCanonicalFormIsExactlyTheDocumentedOne() {
        assertThat(RecordHash.canonical(CALL)).isEqualTo(CALL_CANONICAL);
        assertThat(RecordHash.of(CALL)).isEqualTo(CALL_HASH);
    }

    @Test
    void nullsNonAsciiAndEscapesAreWrittenAsDocumented() {
        // instants always with three fraction digits; control characters other than \b \f \n \r \t as
        // \\u00XX in upper case; non-ASCII as itself (UTF-8); "/" not escaped
        assertThat(RecordHash.canonical(CHANGE)).isEqualTo(CHANGE_CANONICAL);
        assertThat(RecordHash.of(CHANGE)).isEqualTo(CHANGE_HASH);
    }

    @Test
    void neitherTheIdNorTheHashItselfIsHashed() {
        assertThat(RecordHash.of(CALL.withId(999L).withHash("anything"))).isEqualTo(CALL_HASH);
    }

    @Test
    void aChangedFieldChangesTheHash() {
        AuditRecord r = CALL;
        List<AuditRecord> changed = List.of(
                copy(r, "status", 403),
                copy(r, "clientId", "dinkes-simpus2"),
                copy(r, "path", "/api/disdukcapil/penduduk/140401**********/x"),
                copy(r, "nodeSeq", 8L),
                copy(r, "prevHash", AuditRecord.GENESIS),
                copy(r, "requestAt", Instant.parse("2026-11-27T03:04:05.679Z")),
                copy(r, "errorCode", ""),
                copy(r, "detail", "{}"),
                copy(r, "userId", null));
        for (AuditRecord c : changed) {
            assertThat(RecordHash.of(c)).as(RecordHash.canonical(c)).isNotEqualTo(CALL_HASH);
        }
    }

    @Test
    void timesBelowAMillisecondAreNotPartOfTheRecord() {
        TrailEntry e = new TrailEntry(TrailEntry.Kind.CALL, Instant.parse("2026-11-27T03:04:05.678912345Z"), null,
                null, null, null, null, null, null, null, "GET", "/api/x", null, 200, null, null, null, null, null,
                null, null, null, null);
        AuditRecord chained = AuditRecord.chain(e, "n", 1, AuditRecord.GENESIS);
        assertThat(chained.requestAt()).isEqualTo(Instant.parse("2026-11-27T03:04:05.678Z"));
        assertThat(chained.hash()).isEqualTo(RecordHash.of(chained));
    }

    @Test
    void aRoundTripThroughTheExportedJsonKeepsTheHash() throws Exception {
        for (AuditRecord r : List.of(CALL.withHash(CALL_HASH), CHANGE.withHash(CHANGE_HASH), CALL_V2.withHash(CALL_V2_HASH))) {
            String line = TrailJson.json(r);
            assertThat(line).doesNotContain("\n");
            AuditRecord back = TrailJson.parse(line);
            assertThat(back).isEqualTo(r);
            assertThat(RecordHash.of(back)).isEqualTo(r.hash());
        }
        // instants exported exactly as hashed
        assertThat(TrailJson.json(CALL)).contains("\"responseAt\":\"2026-11-27T03:04:06.000Z\"");
    }

    @Test
    void theExportedFieldsAreTheRecordsInItsDeclaredOrder() throws Exception {
        assertThat(java.util.Arrays.stream(AuditRecord.class.getRecordComponents()).map(c -> c.getName()).toList())
                .isEqualTo(TrailJson.FIELDS);
        var node = TrailJson.MAPPER.readTree(TrailJson.json(CALL));
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        assertThat(names).isEqualTo(TrailJson.FIELDS);
    }

    /** A copy of {@code r} with one field changed, through the JSON form (names as exported). */
    static AuditRecord copy(AuditRecord r, String field, Object value) {
        var node = (com.fasterxml.jackson.databind.node.ObjectNode) TrailJson.MAPPER.valueToTree(r);
        node.set(field, TrailJson.MAPPER.valueToTree(value instanceof Instant t ? RecordHash.format(t) : value));
        return TrailJson.MAPPER.convertValue(node, AuditRecord.class);
    }
}
