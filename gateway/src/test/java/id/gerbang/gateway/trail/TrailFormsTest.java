package id.gerbang.gateway.trail;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The external forms of a record of each kind, pinned byte for byte as the gateway wrote them before its
 * fields were defined in one place ({@link TrailField}): the canonical form and the hash (docs/trail.md,
 * "The hash"), the JSON line of an NDJSON export and of API answers, the CSV header and rows. Values are
 * chosen to reach every rule: absent values and empty strings, non-ASCII text, characters JSON escapes,
 * CSV cells needing quotes, cells a spreadsheet would run as a formula, instants with and without a
 * fraction, and nanoseconds the trail cuts to milliseconds.
 */
class TrailFormsTest {

    static final Instant T = Instant.parse("2026-11-27T03:04:05.678912345Z");

    static final TrailEntry CALL = new TrailEntry(TrailEntry.Kind.CALL, T, T.plusMillis(322), "5f0c1d2e-3a4b-4c5d",
            "dinkes-simpus", "dinkes", "dr. Sari, \"Puskesmas\"", "disdukcapil-penduduk", 3L, "disdukcapil", "GET",
            "/api/disdukcapil/penduduk/140401**********", "nik=***&fields=nama,alamat", 200, 200, null, 322L, 298L, 0L,
            512L, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", null);

    static final TrailEntry REFUSED = new TrailEntry(TrailEntry.Kind.CALL, T, T, "=cmd|'/c calc'!A1", null, null, null,
            null, null, null, "POST", "/api/dpmptsp/izin", "", 401, null, "INVALID_TOKEN", 0L, null, 0L, 0L, null, null,
            null);

    static final TrailEntry CHANGE = new TrailEntry(TrailEntry.Kind.ROUTE_CHANGE, Instant.parse("2026-11-27T03:04:05Z"),
            Instant.parse("2026-11-27T03:04:05.100Z"), "c-2", "gerbang-admin", "diskominfo", "-admin",
            "bapenda-status-pajak", 2L, "bapenda", "PUT", "/admin/routes/bapenda-status-pajak", null, 200, null, null,
            14L, null, 210L, null, "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", null,
            "{\"action\":\"replace\",\"name\":\"Status pajak — Bapenda\"}\r\n\t\u001f\\/ \uD83D\uDE00");

    static final TrailEntry READ = new TrailEntry(TrailEntry.Kind.TRAIL_READ, T, T.plusMillis(40), "c-3", "auditor-1",
            "inspektorat", "+auditor", null, null, null, "GET", "/audit/records", "from=2026-11-01&opd=dinkes", 503,
            null, "AUDIT_UNAVAILABLE", 40L, null, 0L, null, null, null, "{\"action\":\"search\",\"filter\":{\"opd\":\"dinkes\"}}");

    static final TrailEntry PURGE = new TrailEntry(TrailEntry.Kind.TRAIL_PURGE, T, T, null, null, null, null, null, null,
            null, null, null, null, null, null, null, null, null, null, null, null, null,
            "{\"action\":\"purge\",\"before\":\"2026-10-28T03:04:05.678Z\",\"checkpoints\":[{\"node\":\"gerbang-1\","
                    + "\"throughSeq\":6,\"throughHash\":\"@9f86\",\"records\":6}]}");

    /** The call as a part of a composite call (version 2 records only: version 1 has no such member). */
    static final TrailEntry PART = new TrailEntry(TrailEntry.Kind.CALL, T, T.plusMillis(120), "c-4", "dinkes-simpus",
            "dinkes", "dr.sari", "bapenda-status-pajak", 1L, "bapenda", "GET", "/api/bapenda/pajak", "nik=***", 200, 200,
            null, 120L, 100L, 0L, 64L, null, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", null,
            "0193a5c4-7e21-7b3c-9d4e-5f6a7b8c9d0e");

    /**
     * The five records as the gateway wrote them before hash versions (version 1), chained on one node as
     * the store would (ids 101…), the first after a checkpoint.
     */
    static List<AuditRecord> records() {
        return chain(List.of(CALL, REFUSED, CHANGE, READ, PURGE), 1);
    }

    /** The same five and a part of a composite call, as the gateway writes them now (version 2). */
    static List<AuditRecord> recordsV2() {
        return chain(List.of(CALL, REFUSED, CHANGE, READ, PURGE, PART), 2);
    }

    static List<AuditRecord> chain(List<TrailEntry> entries, int hashVersion) {
        String prev = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";
        List<AuditRecord> out = new java.util.ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            AuditRecord r = AuditRecord.chain(TrailField.values(entries.get(i)), "gerbang-1", 7 + i, prev, hashVersion)
                    .withId(101L + i);
            out.add(r);
            prev = r.hash();
        }
        return out;
    }

    static String csv(List<AuditRecord> records) throws Exception {
        StringWriter out = new StringWriter();
        TrailQueries.RecordSink sink = TrailJson.exportTo(out, true);
        for (AuditRecord r : records) {
            sink.accept(r);
        }
        return out.toString();
    }

    static String ndjson(List<AuditRecord> records) throws Exception {
        StringWriter out = new StringWriter();
        TrailQueries.RecordSink sink = TrailJson.exportTo(out, false);
        for (AuditRecord r : records) {
            sink.accept(r);
        }
        return out.toString();
    }

    /** Each record's hash, as today's gateway and every verifier computes it. */
    static final List<String> HASHES = List.of(
            "2eaddd0ae08fbb198229d33704cf803e57d0c7698648a1088c2bbe26916a573b",
            "876635ba0fe8f443555e2bc86bdb34cbc0cd7dd0a55ec02c99f274191112179c",
            "6d8e353502f7bfc464208d2aa38434b91885b86630d63a2dbeb992a2b4e956a1",
            "7ec72936537ffee849904cb4c57140cbe2be545ea67bf669b6cfaa99317b00d4",
            "658b78b085fa9e4d6ced011d714fab8457362ee07c0789f5de2b8dc95363414f");

    /**
     * Each version 2 record's hash: the 26 members, then {@code parentCorrelationId}, then {@code hashVersion}
     * (each checked with Python's hashlib against its canonical form in {@code trail/forms-pinned-v2.txt}).
     */
    static final List<String> HASHES_V2 = List.of(
            "7f8de899be25cdf715d64179cb6397a8329e33f3b553f0684cbef269601fc8f9",
            "17d6a529afabcc2e1f7eba077118067ebd7930a2f2fbd5d1c31a8a72ef01b9d1",
            "70bd6e0494d34c2db4603be2b5944a36252c38830be0029ca4d493b328faa6d2",
            "72775ae7035d1ec839d76cd8f3ad2d97e38c9c9835152d645060cb1c34c83644",
            "58fc9282aed561642c60b73449c6dcbd66e6805df4922ca70c9c6bc0b1536f6d",
            "5d2bb2ffc73a4596b43ff09c5cd341e9aee07ebecdff00bc2aeaf5a166888dbc");

    /**
     * Every form of the five records in one document, in {@code trail/forms-pinned.txt}: each canonical form
     * with its hash, the NDJSON export, the CSV export, and the records in an API answer.
     */
    static String forms(List<AuditRecord> rs) throws Exception {
        StringBuilder b = new StringBuilder();
        for (AuditRecord r : rs) {
            b.append(RecordHash.canonical(r)).append("\n#").append(r.hash()).append("\n");
        }
        return b.append("----\n").append(ndjson(rs)).append("----\n").append(csv(rs)).append("----\n")
                .append(TrailJson.MAPPER.writeValueAsString(java.util.Map.of("records", rs))).toString();
    }

    @Test
    void theHashOfARecordOfEachKindIsUnchanged() {
        List<AuditRecord> rs = records();
        assertThat(rs).extracting(AuditRecord::hash).containsExactlyElementsOf(HASHES);
        for (AuditRecord r : rs) {
            assertThat(RecordHash.of(r)).isEqualTo(r.hash());
        }
    }

    /**
     * Version 1 records keep their canonical form and hash exactly; their JSON and CSV forms carry the two
     * fields every record now has ({@code parentCorrelationId} null, {@code hashVersion} 1) before {@code hash}.
     */
    @Test
    void theCanonicalJsonAndCsvFormsAreUnchangedByteForByte() throws Exception {
        assertThat(forms(records())).isEqualTo(pinned("/trail/forms-pinned.txt"));
    }

    @Test
    void theHashOfAVersion2RecordOfEachKindIsPinned() {
        List<AuditRecord> rs = recordsV2();
        assertThat(rs).extracting(AuditRecord::hashVersion).containsOnly(2);
        assertThat(rs).extracting(AuditRecord::hash).containsExactlyElementsOf(HASHES_V2);
        for (AuditRecord r : rs) {
            assertThat(RecordHash.of(r)).isEqualTo(r.hash());
        }
    }

    @Test
    void theVersion2FormsArePinnedByteForByte() throws Exception {
        assertThat(forms(recordsV2())).isEqualTo(pinned("/trail/forms-pinned-v2.txt"));
    }

    private static String pinned(String resource) throws Exception {
        try (var in = TrailFormsTest.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** Each kind's factory sets exactly the fields it names: the entries above, made field by field. */
    @Test
    void eachKindsFactoryMakesTheEntryOfItsKind() {
        assertThat(TrailEntry.call(T).respondedAt(T.plusMillis(322)).correlationId("5f0c1d2e-3a4b-4c5d")
                .caller("dinkes-simpus", "dinkes", "dr. Sari, \"Puskesmas\"")
                .route("disdukcapil-penduduk", 3L, "disdukcapil")
                .request("GET", "/api/disdukcapil/penduduk/140401**********", "nik=***&fields=nama,alamat")
                .answer(200, 200, null).durations(322L, 298L)
                .requestBody(0L, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
                .responseBody(512L, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08").build())
                .isEqualTo(CALL);
        assertThat(TrailEntry.routeChange(CHANGE.requestAt()).respondedAt(CHANGE.responseAt()).correlationId("c-2")
                .caller("gerbang-admin", "diskominfo", "-admin").route("bapenda-status-pajak", 2L, "bapenda")
                .request("PUT", "/admin/routes/bapenda-status-pajak", null).answer(200, null, null).durations(14L, null)
                .requestBody(210L, "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae")
                .detail(CHANGE.detail()).build())
                .isEqualTo(CHANGE);
        assertThat(TrailEntry.trailRead(T).respondedAt(T.plusMillis(40)).correlationId("c-3")
                .caller("auditor-1", "inspektorat", "+auditor").request("GET", "/audit/records", "from=2026-11-01&opd=dinkes")
                .answer(503, null, "AUDIT_UNAVAILABLE").durations(40L, null).requestBody(0L, null)
                .detail(READ.detail()).build())
                .isEqualTo(READ);
        assertThat(TrailEntry.purge(T, PURGE.detail())).isEqualTo(PURGE);
    }

    /** The entry and the record declare {@link TrailField}'s fields, in its order, under its names. */
    @Test
    void theEntryAndTheRecordDeclareTheFieldsInTheirOneOrder() {
        assertThat(java.util.Arrays.stream(AuditRecord.class.getRecordComponents()).map(c -> c.getName()))
                .containsExactlyElementsOf(TrailField.ALL.stream().map(TrailField::json).toList());
        assertThat(java.util.Arrays.stream(TrailEntry.class.getRecordComponents()).map(c -> c.getName()))
                .containsExactlyElementsOf(TrailField.ALL.stream().filter(TrailField::ofEntry).map(TrailField::json).toList());
        assertThat(TrailField.INSERT).startsWith("INSERT INTO audit_record (kind, node, node_seq, request_at, ")
                .endsWith("detail, prev_hash, parent_correlation_id, hash_version, hash) VALUES (" + "?,".repeat(28) + "?)");
    }

    @Test
    void everyExportedRecordReadsBackEqualWithItsHash() throws Exception {
        for (AuditRecord r : recordsV2()) {
            AuditRecord back = TrailJson.parse(TrailJson.json(r));
            assertThat(back).isEqualTo(r);
            assertThat(RecordHash.of(back)).isEqualTo(r.hash());
        }
        for (AuditRecord r : records()) {
            AuditRecord back = TrailJson.parse(TrailJson.json(r));
            assertThat(back).isEqualTo(r);
            assertThat(RecordHash.of(back)).isEqualTo(r.hash());
        }
    }
}
