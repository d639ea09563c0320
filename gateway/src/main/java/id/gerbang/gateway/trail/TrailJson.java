package id.gerbang.gateway.trail;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Instant;
import java.util.List;

/**
 * The external forms of a record (docs/trail.md): JSON (API answers, one NDJSON line per record) and CSV.
 * Both carry the fields of {@link AuditRecord} in its declared order, and instants exactly as the hash
 * sees them ({@code 2026-11-27T03:04:05.678Z}: always three fraction digits, always {@code Z}), so that a
 * record's hash can be recomputed from its exported form without reformatting anything (from NDJSON always;
 * a CSV cell that a spreadsheet could run as a formula carries a quote before it). Reading is strict: an
 * NDJSON line must hold every field and nothing else.
 */
public final class TrailJson {

    /** The JSON and CSV field names, in order: {@link TrailField}'s. */
    public static final List<String> FIELDS = TrailField.names();

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            // registered after JavaTimeModule, so it takes precedence for Instant
            .addModule(new SimpleModule("gerbang-trail").addSerializer(Instant.class, new CanonicalInstant()))
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .build();

    private TrailJson() {}

    public static String json(AuditRecord r) {
        try {
            return MAPPER.writeValueAsString(r);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The verification result as the API and the offline verifier print it. */
    public static com.fasterxml.jackson.databind.node.ObjectNode result(TrailVerifier.Result result) {
        com.fasterxml.jackson.databind.node.ObjectNode body = MAPPER.createObjectNode();
        body.put("valid", result.valid());
        body.put("checked", result.checked());
        if (result.firstInvalid() == null) {
            body.putNull("firstInvalid");
        } else {
            body.put("firstInvalid", result.firstInvalid());
        }
        body.put("reason", result.reason());
        if (result.anchoring() != null) {
            body.set("anchoring", anchoring(result.anchoring()));
        }
        return body;
    }

    /**
     * The check against signed checkpoints: {@code checkpoints} checked, per node how far they anchor its
     * records, the {@code findings} (each with its {@code node}, {@code problem}, sizes and a sentence) and
     * {@code notes}.
     */
    static ObjectNode anchoring(AnchorVerifier.Report report) {
        ObjectNode a = MAPPER.createObjectNode();
        a.put("checkpoints", report.checkpoints());
        var nodes = a.putArray("nodes");
        for (AnchorVerifier.NodeReport n : report.nodes()) {
            ObjectNode o = nodes.addObject().put("node", n.node()).put("records", n.records());
            if (n.anchoredThrough() == null) {
                o.putNull("anchoredThrough");
            } else {
                o.put("anchoredThrough", n.anchoredThrough());
            }
            o.put("checkpoints", n.checkpoints());
        }
        var findings = a.putArray("findings");
        for (AnchorVerifier.Finding f : report.findings()) {
            ObjectNode o = findings.addObject().put("node", f.node()).put("problem", f.problem().value());
            if (f.treeSize() == null) {
                o.putNull("treeSize");
            } else {
                o.put("treeSize", f.treeSize());
            }
            if (f.records() == null) {
                o.putNull("records");
            } else {
                o.put("records", f.records());
            }
            o.put("detail", f.detail());
        }
        a.put("moreFindings", report.moreFindings());
        var notes = a.putArray("notes");
        report.notes().forEach(notes::add);
        return a;
    }

    /**
     * Reads one NDJSON line; strict: every field present, no other field. A line of an export made before
     * hash versions existed, which has neither {@code parentCorrelationId} nor {@code hashVersion} (and
     * every other field), is read as the version 1 record it is.
     */
    public static AuditRecord parse(String line) throws JsonProcessingException {
        try {
            return MAPPER.readValue(line, AuditRecord.class);
        } catch (com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
            ObjectNode tree = MAPPER.readTree(line) instanceof ObjectNode o ? o : null;
            if (tree == null || tree.has(TrailField.HASH_VERSION.json())
                    || tree.has(TrailField.PARENT_CORRELATION_ID.json())) {
                throw e;
            }
            tree.putNull(TrailField.PARENT_CORRELATION_ID.json());
            tree.put(TrailField.HASH_VERSION.json(), 1);
            return MAPPER.treeToValue(tree, AuditRecord.class);
        }
    }

    /**
     * Where an export writes its records: as CSV rows after the header (written now), or as NDJSON lines.
     */
    public static TrailQueries.RecordSink exportTo(Writer out, boolean csv) throws IOException {
        if (csv) {
            csvHeader(out);
            return r -> csvRow(out, r);
        }
        return r -> {
            out.write(json(r));
            out.write('\n');
        };
    }

    /** A search filter as the {@code detail} of the reading it is part of; absent values are left out. */
    public static ObjectNode putFilter(ObjectNode detail, TrailQueries.Filter f) {
        putIf(detail, "from", f.from() == null ? null : RecordHash.format(f.from()));
        putIf(detail, "to", f.to() == null ? null : RecordHash.format(f.to()));
        putIf(detail, "client", f.client());
        putIf(detail, "opd", f.opd());
        putIf(detail, "route", f.route());
        if (f.status() != null) {
            detail.put("status", f.status());
        }
        putIf(detail, "correlationId", f.correlationId());
        putIf(detail, "kind", f.kind());
        return detail;
    }

    private static void putIf(ObjectNode detail, String name, String value) {
        if (value != null) {
            detail.put(name, value);
        }
    }

    /** The CSV header line, with its CRLF. */
    public static void csvHeader(Writer out) throws IOException {
        for (int i = 0; i < FIELDS.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.write(FIELDS.get(i));
        }
        out.write("\r\n");
    }

    /**
     * One record as a CSV line (RFC 4180): fields separated by commas, lines ended by CRLF; a field holding
     * a comma, a double quote, CR or LF is enclosed in double quotes with its double quotes doubled. An
     * absent value is an empty field; an empty string is {@code ""}, so the two stay distinguishable.
     * A value a spreadsheet could run as a formula is written as text instead ({@link #startsLikeAFormula}):
     * the CSV form is for reading, the NDJSON form keeps every value exactly.
     */
    public static void csvRow(Writer out, AuditRecord r) throws IOException {
        for (TrailField f : TrailField.ALL) {
            if (f != TrailField.ID) {
                out.write(',');
            }
            String v = f.type().text(f.get(r));
            if (v != null) {
                csvField(out, v);
            }
        }
        out.write("\r\n");
    }

    /** One CSV cell as {@link #csvField} writes it, for the other CSV documents of the gateway (the console's report). */
    public static String csvCell(String s) {
        if (s == null) {
            return "";
        }
        java.io.StringWriter out = new java.io.StringWriter(s.length() + 4);
        try {
            csvField(out, s);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    static void csvField(Writer out, String s) throws IOException {
        boolean formula = startsLikeAFormula(s);
        boolean quote = s.isEmpty() || formula;
        for (int i = 0; i < s.length() && !quote; i++) {
            char c = s.charAt(i);
            quote = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        if (!quote) {
            out.write(s);
            return;
        }
        out.write('"');
        if (formula) {
            out.write('\'');
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                out.write('"');
            }
            out.write(c);
        }
        out.write('"');
    }

    /**
     * Whether a spreadsheet could take the value for a formula: it begins with {@code =}, {@code +},
     * {@code -}, {@code @}, a tab or a CR (OWASP, "CSV Injection"). Such a cell is written with a single
     * quote before it, and quoted, so that it is shown as text.
     */
    static boolean startsLikeAFormula(String s) {
        if (s.isEmpty()) {
            return false;
        }
        char c = s.charAt(0);
        return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
    }

    /** A record as JSON: every field of {@link TrailField}, in order, absent ones as {@code null}. */
    public static final class RecordWriter extends JsonSerializer<AuditRecord> {
        @Override
        public void serialize(AuditRecord r, JsonGenerator g, SerializerProvider provider) throws IOException {
            g.writeStartObject(r);
            for (TrailField f : TrailField.ALL) {
                g.writeFieldName(f.json());
                f.type().write(g, f.get(r));
            }
            g.writeEndObject();
        }
    }

    /** Instants as the hash formats them. */
    private static final class CanonicalInstant extends JsonSerializer<Instant> {
        @Override
        public void serialize(Instant value, JsonGenerator g, SerializerProvider provider) throws IOException {
            g.writeString(RecordHash.format(value));
        }

        @Override
        public Class<Instant> handledType() {
            return Instant.class;
        }
    }
}
