package id.gerbang.gateway.console;

import com.fasterxml.jackson.databind.node.ObjectNode;
import id.gerbang.gateway.trail.AuditRecord;
import id.gerbang.gateway.trail.StoredCheckpoint;
import id.gerbang.gateway.trail.TrailCheckpoints;
import id.gerbang.gateway.trail.TrailJson;
import id.gerbang.gateway.trail.TrailQueries;
import id.gerbang.gateway.trail.TrailVerifier;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The auditor's pages: search the trail, read a record, export the current search, verify a period.
 * Every page is itself a reading of the trail, recorded (kind {@code trail-read}, {@code via: console})
 * before anything of the trail is shown, exactly as the auditor's API does.
 */
@Controller
class ConsoleTrailController {

    private static final Logger log = LoggerFactory.getLogger(ConsoleTrailController.class);
    static final int PAGE_SIZE = 50;

    /** The verification page lists the checkpoints signed in this last stretch of time, newest first. */
    static final java.time.Duration RECENT_CHECKPOINTS = java.time.Duration.ofHours(1);
    static final int MAX_RECENT_CHECKPOINTS = 100;

    private final TrailQueries queries;
    private final TrailCheckpoints checkpoints;
    private final ConsoleReadings readings;
    private final Wib wib;
    private final ConsoleMessages messages;

    ConsoleTrailController(TrailQueries queries, TrailCheckpoints checkpoints, ConsoleReadings readings, Wib wib,
            ConsoleMessages messages) {
        this.queries = queries;
        this.checkpoints = checkpoints;
        this.readings = readings;
        this.wib = wib;
        this.messages = messages;
    }

    /** The search form's values, as typed (times in WIB). */
    public record Search(String from, String to, String client, String opd, String route, String status,
            String correlationId) {

        String query() {
            StringBuilder b = new StringBuilder();
            append(b, "from", from);
            append(b, "to", to);
            append(b, "client", client);
            append(b, "opd", opd);
            append(b, "route", route);
            append(b, "status", status);
            append(b, "correlationId", correlationId);
            return b.toString();
        }

        private static void append(StringBuilder b, String name, String value) {
            if (value != null && !value.isBlank()) {
                b.append('&').append(name).append('=').append(java.net.URLEncoder.encode(value.trim(), StandardCharsets.UTF_8));
            }
        }
    }

    @GetMapping("/console/trail")
    String search(Search search, @RequestParam(defaultValue = "0") int page, Model model, HttpServletRequest request,
            HttpServletResponse response, Authentication auth) {
        model.addAttribute("search", search);
        TrailQueries.Filter filter;
        try {
            filter = filter(search);
        } catch (InvalidInput e) {
            model.addAttribute("error", messages.text(e));
            return "console/trail";
        }
        int p = Math.max(0, page);
        TrailQueries.Page result;
        try {
            result = queries.search(filter, p, PAGE_SIZE);
        } catch (SQLException e) {
            return unavailable(model, response, e);
        }
        ObjectNode detail = ConsoleReadings.detail("search").put("page", p).put("total", result.total());
        TrailJson.putFilter(detail, filter);
        if (!readings.recorded(request, auth, detail)) {
            return unavailable(model, response, null);
        }
        model.addAttribute("page", p);
        model.addAttribute("result", result);
        model.addAttribute("pages", (result.total() + PAGE_SIZE - 1) / PAGE_SIZE);
        model.addAttribute("query", search.query());
        return "console/trail";
    }

    @GetMapping("/console/trail/records/{id}")
    String record(@PathVariable long id, Model model, HttpServletRequest request, HttpServletResponse response,
            Authentication auth) {
        Optional<AuditRecord> record;
        try {
            record = queries.byId(id);
        } catch (SQLException e) {
            return unavailable(model, response, e);
        }
        if (!readings.recorded(request, auth, ConsoleReadings.detail("record").put("id", id).put("found", record.isPresent()))) {
            return unavailable(model, response, null);
        }
        if (record.isEmpty()) {
            response.setStatus(404);
        }
        model.addAttribute("id", id);
        model.addAttribute("record", record.orElse(null));
        return "console/record";
    }

    @GetMapping("/console/trail/export")
    void export(Search search, @RequestParam(defaultValue = "csv") String format, HttpServletRequest request,
            HttpServletResponse response, Authentication auth) throws IOException {
        TrailQueries.Filter filter;
        try {
            filter = filter(search);
            if (!format.equals("csv") && !format.equals("ndjson")) {
                throw new IllegalArgumentException("format must be csv or ndjson");
            }
        } catch (IllegalArgumentException e) {
            response.sendError(400, e.getMessage());
            return;
        }
        ObjectNode detail = ConsoleReadings.detail("export").put("format", format);
        TrailJson.putFilter(detail, filter);
        if (!readings.recorded(request, auth, detail)) {
            response.sendError(503, "the request trail cannot be written, so it is not shown");
            return;
        }
        boolean csv = format.equals("csv");
        response.setStatus(200);
        response.setContentType(csv ? "text/csv; charset=utf-8; header=present" : "application/x-ndjson");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"gerbang-trail-search." + format + "\"");
        response.setHeader("Cache-Control", "no-store");
        Writer w = new BufferedWriter(new OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8), 1 << 16);
        try {
            queries.exportMatching(filter, TrailJson.exportTo(w, csv));
        } catch (SQLException e) {
            if (!response.isCommitted()) {
                response.reset();
                response.sendError(503, "the request trail cannot be read now");
                return;
            }
            throw new IOException("the export broke off: " + e.getMessage(), e);
        }
        w.flush();
    }

    @GetMapping("/console/trail/verify")
    String verify(@RequestParam(required = false) String from, @RequestParam(required = false) String to,
            @RequestParam(required = false) String run, Model model, HttpServletRequest request,
            HttpServletResponse response, Authentication auth) {
        model.addAttribute("from", from);
        model.addAttribute("to", to);
        checkpoints(model);
        if (run == null) {
            return "console/verify";
        }
        Instant f;
        Instant t;
        try {
            f = wib.parse(from);
            t = wib.parse(to);
            if (f != null && t != null && !f.isBefore(t)) {
                throw InvalidInput.fromBeforeTo();
            }
        } catch (InvalidInput e) {
            model.addAttribute("error", messages.text(e));
            return "console/verify";
        }
        TrailVerifier.Result result;
        try {
            result = queries.verify(f, t);
        } catch (SQLException e) {
            return unavailable(model, response, e);
        }
        ObjectNode detail = ConsoleReadings.detail("verify").put("valid", result.valid()).put("checked", result.checked());
        TrailJson.putFilter(detail, TrailQueries.Filter.period(f, t));
        if (result.firstInvalid() != null) {
            detail.put("firstInvalid", result.firstInvalid());
        }
        if (!readings.recorded(request, auth, detail)) {
            return unavailable(model, response, null);
        }
        model.addAttribute("result", result);
        return "console/verify";
    }

    /** A node's latest checkpoint on the verification page; {@code checkpoint} null while it has none. */
    public record NodeCheckpoint(String node, StoredCheckpoint checkpoint) {

        /** The first characters of the root hash in base64, enough to compare with a kept checkpoint's by eye. */
        public String root() {
            return checkpoint == null ? null
                    : java.util.Base64.getEncoder().encodeToString(checkpoint.rootHash()).substring(0, 16) + "\u2026";
        }
    }

    /**
     * The signed checkpoints, for the verification page: each node's latest (every node the trail is
     * written by, those without one yet included) and those of the last hour, newest first. They show no
     * record's content, so looking at them is not a reading of the trail. When they cannot be read, the
     * page says so and still verifies.
     */
    void checkpoints(Model model) {
        try {
            java.util.List<NodeCheckpoint> latest = new java.util.ArrayList<>();
            for (String node : new java.util.TreeSet<>(queries.expectedNodes())) {
                latest.add(new NodeCheckpoint(node, checkpoints.latest(node).orElse(null)));
            }
            java.util.List<StoredCheckpoint> recent = new java.util.ArrayList<>(
                    checkpoints.list(null, Instant.now().minus(RECENT_CHECKPOINTS), null, MAX_RECENT_CHECKPOINTS));
            java.util.Collections.reverse(recent);
            model.addAttribute("latestCheckpoints", latest);
            model.addAttribute("recentCheckpoints", recent);
        } catch (SQLException e) {
            log.error("Console: the checkpoints cannot be read: {}", e.getMessage());
            model.addAttribute("checkpointsUnavailable", true);
        }
    }

    private TrailQueries.Filter filter(Search s) {
        Instant from = wib.parse(s.from());
        Instant to = wib.parse(s.to());
        if (from != null && to != null && !from.isBefore(to)) {
            throw InvalidInput.fromBeforeTo();
        }
        Integer status = null;
        if (s.status() != null && !s.status().isBlank()) {
            try {
                status = Integer.valueOf(s.status().trim());
            } catch (NumberFormatException e) {
                throw InvalidInput.status();
            }
            if (status < 100 || status > 599) {
                throw InvalidInput.status();
            }
        }
        return new TrailQueries.Filter(from, to, blank(s.client()), blank(s.opd()), blank(s.route()), status,
                blank(s.correlationId()), null);
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static String unavailable(Model model, HttpServletResponse response, SQLException e) {
        if (e != null) {
            log.error("Console: the trail cannot be read: {}", e.getMessage());
        }
        response.setStatus(503);
        model.addAttribute("unavailable", true);
        return "console/unavailable";
    }
}
