package id.gerbang.gateway.trail;

import id.gerbang.gateway.context.CorrelationIds;
import id.gerbang.gateway.context.UserIds;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The auditor's API (docs/trail.md, "The auditor's API": {@code /audit/**}; role {@code auditor}, enforced by the security chain):
 * search, one record, streamed export, verification. Every reading is itself a record on the trail, of
 * kind {@code trail-read}, stored before the answer is given: when it cannot be stored, the answer is 503
 * {@code AUDIT_UNAVAILABLE} and nothing of the trail is shown.
 */
@RestController
class AuditController {

    private static final Logger log = LoggerFactory.getLogger(AuditController.class);

    static final int MAX_SIZE = 500;
    static final int DEFAULT_SIZE = 50;

    private static final Set<String> SEARCH_PARAMS =
            Set.of("from", "to", "client", "opd", "route", "status", "correlationId", "kind", "page", "size");
    private static final Set<String> EXPORT_PARAMS = Set.of("format", "from", "to");
    private static final Set<String> VERIFY_PARAMS = Set.of("from", "to");
    private static final DateTimeFormatter FILE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC);

    /** The authority of the {@code auditor} realm role (docs/security.md). */
    static final String AUDITOR_AUTHORITY = "ROLE_auditor";

    private final TrailQueries queries;
    private final TrailAnchors anchors;
    private final AuditTrail trail;
    private final Map<String, String> clientOpds;

    @Autowired
    AuditController(TrailQueries queries, TrailAnchors anchors, AuditTrail trail, GerbangProperties properties) {
        this(queries, anchors, trail, properties.security().clientOpds());
    }

    /** @param clientOpds client id to OPD code, for an auditor's token without an {@code opd} claim */
    AuditController(TrailQueries queries, TrailAnchors anchors, AuditTrail trail, Map<String, String> clientOpds) {
        this.queries = queries;
        this.anchors = anchors;
        this.trail = trail;
        this.clientOpds = clientOpds;
    }

    /** A refusal of a malformed request: 400 {@code BAD_REQUEST} with this detail. */
    static final class BadParameter extends Exception {
        BadParameter(String message) {
            super(message, null, false, false);
        }
    }

    @GetMapping("/audit/records")
    void search(HttpServletRequest request, HttpServletResponse response, Authentication auth) throws IOException {
        Reading reading = new Reading(request, auth);
        TrailQueries.Filter filter;
        int page;
        int size;
        try {
            params(request, SEARCH_PARAMS);
            Instant from = instant(request, "from");
            Instant to = instant(request, "to");
            checkPeriod(from, to);
            Integer status = integer(request, "status", 100, 599);
            String kind = text(request, "kind");
            if (kind != null) {
                try {
                    TrailEntry.Kind.of(kind);
                } catch (IllegalArgumentException e) {
                    throw new BadParameter("kind must be one of " + TrailEntry.Kind.NAMES);
                }
            }
            filter = new TrailQueries.Filter(from, to, text(request, "client"), text(request, "opd"),
                    text(request, "route"), status, text(request, "correlationId"), kind);
            Integer p = integer(request, "page", 0, Integer.MAX_VALUE);
            Integer s = integer(request, "size", 1, MAX_SIZE);
            page = p == null ? 0 : p;
            size = s == null ? DEFAULT_SIZE : s;
        } catch (BadParameter e) {
            Problems.write(response, ErrorCode.BAD_REQUEST, e.getMessage(), reading.correlationId);
            return;
        }
        TrailQueries.Page result;
        try {
            result = queries.search(filter, page, size);
        } catch (SQLException e) {
            storeDown(response, reading, e);
            return;
        }
        ObjectNode detail = reading.detail("search");
        TrailJson.putFilter(detail, filter);
        detail.put("page", page).put("size", size).put("total", result.total());
        if (!reading.record(response, 200, null, detail)) {
            return;
        }
        ObjectNode body = TrailJson.MAPPER.createObjectNode();
        body.put("page", page).put("size", size).put("total", result.total());
        var records = body.putArray("records");
        for (AuditRecord r : result.records()) {
            records.addPOJO(r);
        }
        json(response, body);
    }

    @GetMapping("/audit/records/{id}")
    void one(@PathVariable("id") String idText, HttpServletRequest request, HttpServletResponse response,
             Authentication auth) throws IOException {
        Reading reading = new Reading(request, auth);
        long id;
        try {
            params(request, Set.of());
            if (!idText.matches("[0-9]{1,18}")) {
                throw new BadParameter("a record id is a positive whole number, not \"" + idText + "\"");
            }
            id = Long.parseLong(idText);
        } catch (BadParameter e) {
            Problems.write(response, ErrorCode.BAD_REQUEST, e.getMessage(), reading.correlationId);
            return;
        }
        Optional<AuditRecord> record;
        try {
            record = queries.byId(id);
        } catch (SQLException e) {
            storeDown(response, reading, e);
            return;
        }
        ObjectNode detail = reading.detail("record").put("id", id);
        if (record.isEmpty()) {
            if (reading.record(response, 404, ErrorCode.RECORD_NOT_FOUND, detail)) {
                Problems.write(response, ErrorCode.RECORD_NOT_FOUND, "the trail holds no record " + id,
                        reading.correlationId);
            }
            return;
        }
        if (reading.record(response, 200, null, detail)) {
            json(response, TrailJson.MAPPER.valueToTree(record.get()));
        }
    }

    @GetMapping("/audit/export")
    void export(HttpServletRequest request, HttpServletResponse response, Authentication auth) throws IOException {
        Reading reading = new Reading(request, auth);
        String format;
        Instant from;
        Instant to;
        try {
            params(request, EXPORT_PARAMS);
            format = text(request, "format");
            if (format == null) {
                format = "ndjson";
            }
            if (!format.equals("csv") && !format.equals("ndjson")) {
                throw new BadParameter("format must be csv or ndjson");
            }
            from = instant(request, "from");
            to = instant(request, "to");
            checkPeriod(from, to);
        } catch (BadParameter e) {
            Problems.write(response, ErrorCode.BAD_REQUEST, e.getMessage(), reading.correlationId);
            return;
        }
        ObjectNode detail = reading.detail("export").put("format", format);
        putPeriod(detail, from, to);
        if (!reading.record(response, 200, null, detail)) {
            return;
        }
        boolean csv = format.equals("csv");
        response.setStatus(200);
        response.setContentType(csv ? "text/csv; charset=utf-8; header=present" : "application/x-ndjson");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"" + fileName(from, to, format) + "\"");
        response.setHeader("Cache-Control", "no-store");
        Writer w = new BufferedWriter(new OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8), 1 << 16);
        try {
            if (csv) {
                queries.export(from, to, TrailJson.exportTo(w, true));
            } else {
                // NDJSON ends, per node, with its anchor line (docs/trail.md, "Anchor lines")
                TrailAnchors.Stretches stretches = new TrailAnchors.Stretches(TrailJson.exportTo(w, false));
                queries.export(from, to, stretches);
                stretches.writeAnchors(w, anchors);
            }
        } catch (SQLException e) {
            if (!response.isCommitted()) {
                storeDown(response, reading, e); // resets the response: the buffered start is dropped
                return;
            }
            // the answer has begun: cut it off, so that the truncation is visible to the auditor
            log.error("Export {} broke off: {}", reading.correlationId, e.getMessage());
            throw new IOException("the export broke off: " + e.getMessage(), e);
        }
        w.flush();
    }

    @GetMapping("/audit/verify")
    void verify(HttpServletRequest request, HttpServletResponse response, Authentication auth) throws IOException {
        Reading reading = new Reading(request, auth);
        Instant from;
        Instant to;
        try {
            params(request, VERIFY_PARAMS);
            from = instant(request, "from");
            to = instant(request, "to");
            checkPeriod(from, to);
        } catch (BadParameter e) {
            Problems.write(response, ErrorCode.BAD_REQUEST, e.getMessage(), reading.correlationId);
            return;
        }
        TrailVerifier.Result result;
        try {
            result = queries.verify(from, to);
        } catch (SQLException e) {
            storeDown(response, reading, e);
            return;
        }
        ObjectNode detail = putPeriod(reading.detail("verify"), from, to);
        detail.put("valid", result.valid()).put("checked", result.checked());
        if (result.firstInvalid() != null) {
            detail.put("firstInvalid", result.firstInvalid());
        }
        if (reading.record(response, 200, null, detail)) {
            json(response, TrailJson.result(result));
        }
    }

    /**
     * A call's receipt (docs/trail.md, "Receipts"): its record, the first checkpoint covering it and the
     * record's inclusion proof. A client gets the receipts of its own calls (another client's call is, to
     * it, not there: 404); an auditor any. With several records of one correlation id, the oldest. 409
     * {@code CHECKPOINT_PENDING} until a checkpoint covers the record. A reading like any other: recorded.
     */
    @GetMapping("/audit/receipts/{correlationId}")
    void receipt(@PathVariable("correlationId") String correlationId, HttpServletRequest request,
                 HttpServletResponse response, Authentication auth) throws IOException {
        Reading reading = new Reading(request, auth);
        try {
            params(request, Set.of());
            if (!correlationId.matches("[A-Za-z0-9._:*-]{1,128}")) {
                throw new BadParameter("a correlation id is 1 to 128 letters, digits and . _ : -");
            }
        } catch (BadParameter e) {
            Problems.write(response, ErrorCode.BAD_REQUEST, e.getMessage(), reading.correlationId);
            return;
        }
        boolean auditor = auth != null && auth.getAuthorities().stream()
                .anyMatch(a -> AUDITOR_AUTHORITY.equals(a.getAuthority()));
        TrailQueries.Filter filter = new TrailQueries.Filter(null, null, auditor ? null : reading.clientId, null, null,
                null, correlationId, null);
        Optional<AuditRecord> record;
        Optional<TrailAnchors.Anchor> anchor = Optional.empty();
        try {
            TrailQueries.Page newest = queries.search(filter, 0, 1);
            record = newest.total() <= 1 ? newest.records().stream().findFirst()
                    : queries.search(filter, (int) Math.min(Integer.MAX_VALUE, newest.total() - 1), 1).records().stream().findFirst();
            if (record.isPresent()) {
                anchor = anchors.covering(record.get().node(), record.get().nodeSeq());
            }
        } catch (SQLException e) {
            storeDown(response, reading, e);
            return;
        }
        ObjectNode detail = reading.detail("receipt").put("correlationId", correlationId);
        if (record.isEmpty()) {
            if (reading.record(response, 404, ErrorCode.RECORD_NOT_FOUND, detail)) {
                Problems.write(response, ErrorCode.RECORD_NOT_FOUND, "the trail holds no record of a call "
                        + (auditor ? "" : "by " + reading.clientId + " ") + "with correlation id " + correlationId,
                        reading.correlationId);
            }
            return;
        }
        AuditRecord r = record.get();
        detail.put("node", r.node()).put("nodeSeq", r.nodeSeq());
        if (anchor.isEmpty()) {
            if (reading.record(response, 409, ErrorCode.CHECKPOINT_PENDING, detail)) {
                Problems.write(response, ErrorCode.CHECKPOINT_PENDING, "no signed checkpoint covers record "
                        + r.nodeSeq() + " of node " + r.node() + " yet: ask again after the node's next checkpoint",
                        reading.correlationId);
            }
            return;
        }
        detail.put("treeSize", anchor.get().checkpoint().treeSize());
        if (reading.record(response, 200, null, detail)) {
            json(response, TrailAnchors.receipt(r, anchor.get()));
        }
    }

    /** One auditor's reading, to be recorded on the trail before it is answered. */
    private final class Reading {
        final Instant requestAt = Instant.now();
        final long startNanos = System.nanoTime();
        final String correlationId;
        final String clientId;
        final String clientOpd;
        final String userId;
        final String method;
        final String path;
        final String query;

        Reading(HttpServletRequest request, Authentication auth) {
            this.correlationId = CorrelationIds.of(request);
            this.clientId = auth == null ? null : auth.getName();
            String opd = auth instanceof JwtAuthenticationToken jwt ? jwt.getToken().getClaimAsString("opd") : null;
            this.clientOpd = opd != null && !opd.isBlank() ? opd : clientId == null ? null : clientOpds.get(clientId);
            this.userId = UserIds.saneOrNull(request);
            this.method = request.getMethod();
            this.path = Masking.DEFAULT.path(request.getRequestURI());
            this.query = Masking.DEFAULT.query(request.getQueryString());
        }

        ObjectNode detail(String action) {
            return JsonNodeFactory.instance.objectNode().put("action", action);
        }

        /** Records the reading; {@code false} (after answering 503) when the trail cannot take it. */
        boolean record(HttpServletResponse response, int status, ErrorCode error, ObjectNode detail) throws IOException {
            Instant now = Instant.now();
            TrailEntry entry = TrailEntry.trailRead(requestAt).respondedAt(now)
                    .correlationId(correlationId)
                    .caller(clientId, clientOpd, userId)
                    .request(method, path, query)
                    .answer(status, null, error == null ? null : error.name())
                    .durations((System.nanoTime() - startNanos) / 1_000_000, null)
                    .requestBody(0L, null)
                    .detail(Masking.DEFAULT.shapes(detail.toString()))
                    .build();
            return RecordedProblems.recordedOrRefused(() -> trail.record(entry), response,
                    "the request trail cannot be written, so it is not shown: every reading of it is recorded",
                    correlationId);
        }
    }

    private static void storeDown(HttpServletResponse response, Reading reading, SQLException e) throws IOException {
        log.error("Trail reading {} failed: {}", reading.correlationId, e.getMessage());
        Problems.write(response, ErrorCode.AUDIT_UNAVAILABLE, "the request trail cannot be read now",
                reading.correlationId);
    }

    static void json(HttpServletResponse response, Object body) throws IOException {
        byte[] bytes = TrailJson.MAPPER.writeValueAsBytes(body);
        response.setStatus(200);
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private static ObjectNode putPeriod(ObjectNode detail, Instant from, Instant to) {
        putIf(detail, "from", from == null ? null : RecordHash.format(from));
        putIf(detail, "to", to == null ? null : RecordHash.format(to));
        return detail;
    }

    private static void putIf(ObjectNode detail, String name, String value) {
        if (value != null) {
            detail.put(name, value);
        }
    }

    static String fileName(Instant from, Instant to, String format) {
        String start = from == null ? "start" : FILE_TIME.format(from);
        String end = to == null ? "now" : FILE_TIME.format(to);
        return "gerbang-trail_" + start + "_" + end + "." + format;
    }

    /** Refuses unknown and repeated parameters: a misspelt filter must not silently widen a search. */
    static void params(HttpServletRequest request, Set<String> allowed) throws BadParameter {
        for (Map.Entry<String, String[]> p : request.getParameterMap().entrySet()) {
            if (!allowed.contains(p.getKey())) {
                throw new BadParameter("unknown parameter \"" + p.getKey() + "\""
                        + (allowed.isEmpty() ? ": this takes none" : "; known: " + String.join(", ", new java.util.TreeSet<>(allowed))));
            }
            if (p.getValue().length > 1) {
                throw new BadParameter("parameter " + p.getKey() + " is given more than once");
            }
        }
    }

    static String text(HttpServletRequest request, String name) throws BadParameter {
        String v = request.getParameter(name);
        if (v == null) {
            return null;
        }
        if (v.isEmpty() || v.length() > 256) {
            throw new BadParameter(name + " must be 1 to 256 characters");
        }
        return v;
    }

    static Integer integer(HttpServletRequest request, String name, int min, int max) throws BadParameter {
        String v = text(request, name);
        if (v == null) {
            return null;
        }
        long n;
        try {
            n = v.matches("-?[0-9]{1,10}") ? Long.parseLong(v) : Long.MIN_VALUE;
        } catch (NumberFormatException e) {
            n = Long.MIN_VALUE;
        }
        if (n < min || n > max) {
            throw new BadParameter(name + " must be a whole number from " + min + " to " + max + ", not \"" + v + "\"");
        }
        return (int) n;
    }

    /**
     * An ISO-8601 instant with its offset: {@code 2026-11-27T03:04:05Z}, {@code 2026-11-27T10:04:05.678+07:00}.
     * A {@code +} left unencoded in a query string arrives as a space; it is read as the {@code +} it was.
     */
    static Instant instant(HttpServletRequest request, String name) throws BadParameter {
        String v = text(request, name);
        if (v == null) {
            return null;
        }
        String s = v.replace(' ', '+');
        try {
            return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new BadParameter(name + " must be an ISO-8601 instant with an offset, such as 2026-11-27T03:04:05Z or "
                    + "2026-11-27T10:04:05+07:00, not \"" + v + "\"");
        }
    }

    static void checkPeriod(Instant from, Instant to) throws BadParameter {
        if (from != null && to != null && !from.isBefore(to)) {
            throw new BadParameter("from must be before to (the period is from <= requestAt < to)");
        }
    }
}
