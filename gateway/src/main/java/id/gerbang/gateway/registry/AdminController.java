package id.gerbang.gateway.registry;

import id.gerbang.gateway.context.CorrelationIds;
import id.gerbang.gateway.context.UserIds;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.Problems;
import id.gerbang.gateway.trail.Sha256;
import id.gerbang.gateway.registry.RegistryStore.Outcome;
import id.gerbang.gateway.registry.RegistryStore.Precondition;
import id.gerbang.gateway.trail.AuditTrail;
import id.gerbang.gateway.trail.RecordedProblems;
import id.gerbang.gateway.trail.TrailUnavailableException;
import id.gerbang.routes.InvalidRouteException;
import id.gerbang.routes.RouteDefinition;
import id.gerbang.routes.RouteDefinitionReader;
import id.gerbang.routes.RouteValidator;
import id.gerbang.routes.Violation;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The admin API of the route registry (docs/routes.md, "The admin API": {@code /admin/routes…}; role {@code gateway-admin},
 * enforced by the security chain). Definitions are accepted as JSON or YAML, exactly the files kept in
 * git. Each version is an ETag; {@code If-Match} makes a write conditional (412 when stale), and
 * {@code If-None-Match: *} makes a PUT create-only. Every write attempt, made or refused, is a
 * {@code route-change} record on the trail, stored before the answer; when the trail cannot take records
 * nothing is changed.
 */
@RestController
class AdminController {

    private static final Logger log = LoggerFactory.getLogger(AdminController.class);

    /** Largest definition accepted; real ones are a few KiB. */
    static final int MAX_BODY = 256 * 1024;
    private static final String UNRECORDED =
            "the request trail cannot be written, so the registry is not changed: every change is recorded";
    private static final Pattern ETAG = Pattern.compile("(?:W/)?\"?(\\d{1,18})\"?");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

    private final RegistryStore store;
    private final RouteChanges changes;
    private final RouteDefinitionReader reader;
    private final AuditTrail trail;
    private final Map<String, String> clientOpds;

    @Autowired
    AdminController(RegistryStore store, RouteChanges changes, RouteDefinitionReader reader, AuditTrail trail,
            GerbangProperties properties) {
        this.store = store;
        this.changes = changes;
        this.reader = reader;
        this.trail = trail;
        this.clientOpds = properties.security().clientOpds();
    }

    /** A refusal with its code and detail, and the violations to list when there are any. */
    private static final class Refusal extends Exception {
        final ErrorCode code;
        final List<Violation> violations;

        Refusal(ErrorCode code, String detail, List<Violation> violations) {
            super(detail, null, false, false);
            this.code = code;
            this.violations = violations;
        }
    }

    @GetMapping("/admin/routes")
    void list(HttpServletRequest request, HttpServletResponse response) throws IOException, SQLException {
        ArrayNode out = JSON.createArrayNode();
        for (RegistryStore.Stored s : store.current()) {
            out.add(summary(s));
        }
        json(response, 200, out);
    }

    @GetMapping("/admin/routes/{id}")
    void get(@PathVariable String id, HttpServletRequest request, HttpServletResponse response) throws IOException, SQLException {
        Optional<RegistryStore.Stored> s = RouteValidator.ROUTE_ID.matcher(id).matches() ? store.get(id) : Optional.empty();
        if (s.isEmpty()) {
            Problems.write(response, ErrorCode.ROUTE_NOT_FOUND, "no route has the id " + id, correlationId(request));
            return;
        }
        response.setHeader("ETag", etag(s.get().version()));
        response.setHeader("Last-Modified", HTTP_DATE.format(s.get().changedAt()));
        definition(request, response, s.get().definition());
    }

    @GetMapping("/admin/routes/{id}/history")
    void history(@PathVariable String id, HttpServletRequest request, HttpServletResponse response) throws IOException, SQLException {
        List<RegistryStore.Version> versions = RouteValidator.ROUTE_ID.matcher(id).matches() ? store.history(id) : List.of();
        if (versions.isEmpty()) {
            Problems.write(response, ErrorCode.ROUTE_NOT_FOUND, "no route ever had the id " + id, correlationId(request));
            return;
        }
        ArrayNode out = JSON.createArrayNode();
        for (RegistryStore.Version v : versions) {
            ObjectNode item = out.addObject().put("version", v.version()).put("change", v.change())
                    .put("changedAt", v.changedAt().toString()).put("changedBy", v.changedBy()).put("source", v.source());
            item.set("definition", v.definition() == null ? null : JSON.valueToTree(v.definition()));
        }
        json(response, 200, out);
    }

    /** One version's definition, ready to be PUT back: this is how a route is rolled back. */
    @GetMapping("/admin/routes/{id}/history/{version}")
    void version(@PathVariable String id, @PathVariable String version, HttpServletRequest request,
            HttpServletResponse response) throws IOException, SQLException {
        Optional<RegistryStore.Version> v = !RouteValidator.ROUTE_ID.matcher(id).matches() || !version.matches("\\d{1,18}")
                ? Optional.empty()
                : store.history(id).stream().filter(h -> h.version() == Long.parseLong(version)).findFirst();
        if (v.isEmpty() || v.get().definition() == null) {
            Problems.write(response, ErrorCode.ROUTE_NOT_FOUND,
                    v.isEmpty() ? "route " + id + " has no version " + version
                            : "version " + version + " of route " + id + " is its deletion",
                    correlationId(request));
            return;
        }
        definition(request, response, v.get().definition());
    }

    @PostMapping("/admin/routes:validate")
    void validate(HttpServletRequest request, HttpServletResponse response) throws IOException, SQLException {
        try {
            RouteDefinition d = body(request, null, null);
            List<Violation> violations = changes.check(d);
            if (!violations.isEmpty()) {
                throw invalid(violations);
            }
            json(response, 200, JsonNodeFactory.instance.objectNode().put("valid", true).put("id", d.id()));
        } catch (Refusal r) {
            problem(request, response, r);
        }
    }

    @PutMapping("/admin/routes/{id}")
    void put(@PathVariable String id, HttpServletRequest request, HttpServletResponse response, Authentication auth)
            throws Exception {
        change(id, request, response, auth, write -> {
            Precondition precondition = precondition(request, true);
            return changes.put(body(request, id, write), precondition, write.actor, "admin-api", write.request());
        });
    }

    @DeleteMapping("/admin/routes/{id}")
    void delete(@PathVariable String id, HttpServletRequest request, HttpServletResponse response, Authentication auth)
            throws Exception {
        change(id, request, response, auth, write -> {
            Precondition precondition = precondition(request, false);
            if (!RouteValidator.ROUTE_ID.matcher(id).matches()) {
                throw notFound(id);
            }
            return changes.delete(id, precondition, write.actor, "admin-api", write.request());
        });
    }

    /** A change the admin API was asked for: its outcome, or the refusal of the request before any. */
    @FunctionalInterface
    private interface Change {
        Outcome apply(Write write) throws Refusal, Exception;
    }

    /**
     * Makes a change and answers once its outcome (made or refused) is recorded. A change made is recorded
     * before it is committed ({@link RouteChanges#put}); when the trail cannot take that record, nothing is
     * changed and the answer is 503 {@code AUDIT_UNAVAILABLE}.
     */
    private void change(String id, HttpServletRequest request, HttpServletResponse response, Authentication auth,
            Change change) throws Exception {
        Write write = new Write(request, auth, id);
        if (!write.trailTakesRecords(response)) {
            return;
        }
        Outcome outcome;
        try {
            outcome = change.apply(write);
        } catch (Refusal r) {
            write.refused(response, r);
            return;
        } catch (TrailUnavailableException e) {
            log.warn("Route change through {} not made: its record could not be stored: {}", write.correlationId,
                    e.getMessage());
            Problems.write(response, ErrorCode.AUDIT_UNAVAILABLE, UNRECORDED, write.correlationId);
            return;
        }
        if (outcome instanceof Outcome.Changed c) {
            int status = RouteChanges.status(c); // recorded before it was committed
            if (c.after() == null) {
                response.setStatus(204);
                return;
            }
            if (status == 201) {
                response.setHeader("Location", "/admin/routes/" + id);
            }
            stored(response, status, c.after());
        } else if (outcome instanceof Outcome.Unchanged u) {
            if (write.recorded(response, outcome, 200, null)) {
                stored(response, 200, u.current());
            }
        } else if (outcome instanceof Outcome.Invalid i) {
            write.refused(response, outcome, invalid(i.violations()));
        } else if (outcome instanceof Outcome.PreconditionFailed p) {
            write.refused(response, outcome, stale(id, p));
        } else if (outcome instanceof Outcome.NotFound) {
            write.refused(response, outcome, notFound(id));
        }
    }

    /** One write request: who makes it, and how it is recorded on the trail. */
    private final class Write {
        final String routeId;
        final RouteChanges.Actor actor;
        final String correlationId;
        final Instant at = Instant.now();
        final long startNanos = System.nanoTime();
        final String method;
        final String path;
        long bytes;
        String sha256;

        Write(HttpServletRequest request, Authentication auth, String routeId) {
            this.routeId = RouteValidator.ROUTE_ID.matcher(routeId).matches() ? routeId : null;
            this.correlationId = correlationId(request);
            String client = auth == null ? null : auth.getName();
            String opd = auth instanceof JwtAuthenticationToken jwt ? jwt.getToken().getClaimAsString("opd") : null;
            if ((opd == null || opd.isBlank()) && client != null) {
                opd = clientOpds.get(client);
            }
            String user = UserIds.saneOrNull(request);
            this.actor = new RouteChanges.Actor(user == null ? client : client + ":" + user, client, opd, user);
            this.method = request.getMethod();
            this.path = request.getRequestURI();
        }

        boolean trailTakesRecords(HttpServletResponse response) throws IOException, SQLException {
            if (trail.available()) {
                return true;
            }
            Problems.write(response, ErrorCode.AUDIT_UNAVAILABLE, UNRECORDED, correlationId);
            return false;
        }

        RouteChanges.Request request() {
            return new RouteChanges.Request(at, startNanos, correlationId, method, path, bytes, sha256);
        }

        /** Records the outcome; {@code false} (after answering 503) when the trail could not take it. */
        boolean recorded(HttpServletResponse response, Outcome outcome, int status, ErrorCode error) throws IOException {
            return RecordedProblems.recordedOrRefused(
                    () -> changes.record(outcome, routeId, actor, "admin-api", request(), status, error),
                    response, "the request trail cannot be written", correlationId);
        }

        void refused(HttpServletResponse response, Refusal r) throws IOException {
            refused(response, new Outcome.Invalid(r.violations.isEmpty()
                    ? List.of(new Violation("", r.getMessage())) : r.violations), r);
        }

        void refused(HttpServletResponse response, Outcome outcome, Refusal r) throws IOException {
            if (recorded(response, outcome, r.code.status(), r.code)) {
                problem(correlationId, response, r);
            }
        }
    }

    private Precondition precondition(HttpServletRequest request, boolean mayCreate) throws Refusal {
        String ifMatch = request.getHeader("If-Match");
        String ifNoneMatch = request.getHeader("If-None-Match");
        if (java.util.Collections.list(request.getHeaders("If-Match")).size() > 1 || ifMatch != null && ifMatch.contains(",")) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "If-Match takes one ETag: the version being changed", List.of());
        }
        if (ifNoneMatch != null && (!mayCreate || !ifNoneMatch.trim().equals("*"))) {
            throw new Refusal(ErrorCode.BAD_REQUEST, mayCreate
                    ? "If-None-Match supports only * (create, never replace)" : "If-None-Match is not supported here",
                    List.of());
        }
        Long version = null;
        if (ifMatch != null) {
            String v = ifMatch.trim();
            if (v.equals("*")) {
                version = Precondition.ANY;
            } else {
                var m = ETAG.matcher(v);
                version = m.matches() ? Long.parseLong(m.group(1)) : Long.MIN_VALUE; // matches no version
            }
        }
        return new Precondition(version, ifNoneMatch != null);
    }

    /**
     * Reads the definition in the request body, JSON or YAML by its {@code Content-Type}; its id, when
     * given, must be the one in the path (an absent id is taken from the path).
     */
    private RouteDefinition body(HttpServletRequest request, String pathId, Write write) throws Refusal, IOException {
        String type = request.getContentType() == null ? "" : request.getContentType().toLowerCase(Locale.ROOT);
        String mediaType = type.split(";", 2)[0].trim();
        boolean json = mediaType.equals("application/json") || mediaType.endsWith("+json");
        boolean yaml = List.of("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml").contains(mediaType);
        if (!json && !yaml) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "send the definition as application/json or application/yaml "
                    + "(curl: -H 'Content-Type: application/yaml' --data-binary @route.yaml)", List.of());
        }
        if (request.getContentLengthLong() > MAX_BODY) {
            throw new Refusal(ErrorCode.PAYLOAD_TOO_LARGE, "a definition is at most " + MAX_BODY + " bytes", List.of());
        }
        byte[] bytes;
        try (InputStream in = request.getInputStream()) {
            bytes = in.readNBytes(MAX_BODY + 1);
        }
        if (write != null) {
            MessageDigest sha = Sha256.newDigest();
            sha.update(bytes, 0, Math.min(bytes.length, MAX_BODY));
            write.bytes = Math.min(bytes.length, MAX_BODY);
            write.sha256 = Sha256.hex(sha);
        }
        if (bytes.length > MAX_BODY) {
            throw new Refusal(ErrorCode.PAYLOAD_TOO_LARGE, "a definition is at most " + MAX_BODY + " bytes", List.of());
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "the body is not UTF-8", List.of());
        }
        RouteDefinition d;
        try {
            if (json) {
                d = reader.readJson(text, "body");
            } else {
                List<RouteDefinition> all = reader.readYaml(text, "body");
                if (all.size() != 1) {
                    throw new Refusal(ErrorCode.BAD_REQUEST, "the body holds " + all.size()
                            + " YAML documents; send one route per request", List.of());
                }
                d = all.get(0);
            }
        } catch (InvalidRouteException e) {
            throw invalid(e.violations());
        }
        if (pathId != null) {
            if (d.id() == null) {
                d = withId(d, pathId);
            } else if (!d.id().equals(pathId)) {
                throw invalid(List.of(new Violation("id", "must be the id in the path, " + pathId)));
            }
        }
        return d;
    }

    private static RouteDefinition withId(RouteDefinition d, String id) {
        return d.withId(id);
    }

    private static Refusal invalid(List<Violation> violations) {
        return new Refusal(ErrorCode.BAD_REQUEST, violations.size() == 1
                ? "the definition has a problem: " + violations.get(0)
                : "the definition has " + violations.size() + " problems", violations);
    }

    private static Refusal notFound(String id) {
        return new Refusal(ErrorCode.ROUTE_NOT_FOUND, "no route has the id " + id, List.of());
    }

    private static Refusal stale(String id, Outcome.PreconditionFailed p) {
        return new Refusal(ErrorCode.PRECONDITION_FAILED, p.current() == null
                ? "route " + id + " does not exist"
                : "route " + id + " is at version " + p.current().version() + " (ETag " + etag(p.current().version())
                        + "): read it again, then change that version", List.of());
    }

    private void definition(HttpServletRequest request, HttpServletResponse response, RouteDefinition d)
            throws IOException {
        String accept = request.getHeader("Accept");
        boolean yaml = accept != null && accept.toLowerCase(Locale.ROOT).contains("yaml");
        byte[] body = (yaml ? reader.toYaml(d) : reader.toJson(d)).getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.setContentType(yaml ? "application/yaml" : "application/json");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private void stored(HttpServletResponse response, int status, RegistryStore.Stored s) throws IOException {
        response.setHeader("ETag", etag(s.version()));
        json(response, status, summary(s));
    }

    private static ObjectNode summary(RegistryStore.Stored s) {
        ObjectNode item = JSON.createObjectNode().put("id", s.id()).put("version", s.version())
                .put("changedAt", s.changedAt().toString()).put("changedBy", s.changedBy());
        item.set("definition", JSON.valueToTree(s.definition()));
        return item;
    }

    static String etag(long version) {
        return "\"" + version + "\"";
    }

    private static void json(HttpServletResponse response, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private static void problem(HttpServletRequest request, HttpServletResponse response, Refusal r) throws IOException {
        problem(correlationId(request), response, r);
    }

    private static void problem(String correlationId, HttpServletResponse response, Refusal r) throws IOException {
        if (r.violations.isEmpty()) {
            Problems.write(response, r.code, r.getMessage(), correlationId);
            return;
        }
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        r.violations.forEach(v -> list.addObject().put("field", v.field()).put("message", v.message()));
        Problems.write(response, r.code, r.getMessage(), correlationId, Map.of("violations", list));
    }

    /** The database behind the registry failed: nothing was changed (a change is one transaction). */
    @ExceptionHandler(SQLException.class)
    void registryDown(SQLException e, HttpServletRequest request, HttpServletResponse response) throws IOException, SQLException {
        log.error("Route registry unavailable: {}", e.getMessage());
        Problems.write(response, ErrorCode.REGISTRY_UNAVAILABLE, "the route registry cannot be read or written now",
                correlationId(request));
    }

    private static String correlationId(HttpServletRequest request) {
        return CorrelationIds.of(request);
    }
}
