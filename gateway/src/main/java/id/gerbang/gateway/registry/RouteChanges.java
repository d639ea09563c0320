package id.gerbang.gateway.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.registry.RegistryStore.Outcome;
import id.gerbang.gateway.registry.RegistryStore.Precondition;
import id.gerbang.gateway.trail.AuditTrail;
import id.gerbang.gateway.trail.Masking;
import id.gerbang.gateway.trail.TrailEntry;
import id.gerbang.routes.RouteDefinition;
import id.gerbang.routes.RouteValidator;
import id.gerbang.routes.Violation;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Every change to the registry goes through here, whether it comes from the admin API or from a route
 * file at start-up: validated, stored as a new version, served by this node at once (and by the others
 * within their poll interval), and recorded on the trail as a {@code route-change} with who made it and
 * what changed, field by field.
 */
@Component
public class RouteChanges {

    private static final Logger log = LoggerFactory.getLogger(RouteChanges.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Who asks for a change: the token's client, or a name such as {@code routes-directory}. */
    public record Actor(String name, String clientId, String opd, String userId) {
        public static Actor system(String name) {
            return new Actor(name, null, null, null);
        }
    }

    /** The request that carried a change, as its trail record shows it. */
    public record Request(Instant at, long startNanos, String correlationId, String method, String path,
            long bytes, String sha256) {}

    private final RegistryStore store;
    private final RouteValidator validator;
    private final RegistrySync sync;
    private final AuditTrail trail;

    public RouteChanges(RegistryStore store, RouteValidator validator, RegistrySync sync, AuditTrail trail) {
        this.store = store;
        this.validator = validator;
        this.sync = sync;
        this.trail = trail;
    }

    /** Checks a definition as {@link #put} would, changing nothing. */
    public List<Violation> check(RouteDefinition d) throws SQLException {
        List<Violation> violations = validator.validate(d);
        if (!violations.isEmpty()) {
            return violations;
        }
        List<RouteDefinition> others = store.current().stream().map(RegistryStore.Stored::definition)
                .filter(o -> !o.id().equals(d.id())).toList();
        return validator.checkConflicts(d, others);
    }

    /**
     * Creates or replaces a route. Nothing is stored unless the definition is valid. A change made is on the
     * trail before it takes effect: its record is stored inside the registry's transaction, before the
     * commit, and the change is served only after it; other outcomes are returned unrecorded, for the caller
     * to record with the answer it gives ({@link #record}).
     *
     * @throws id.gerbang.gateway.trail.TrailUnavailableException when the trail cannot take the change's
     *         record: then nothing is changed
     */
    public Outcome put(RouteDefinition d, Precondition precondition, Actor actor, String source, Request request)
            throws Exception {
        List<Violation> violations = validator.validate(d);
        if (!violations.isEmpty()) {
            return new Outcome.Invalid(violations);
        }
        Recording recording = new Recording(actor, source, request);
        Outcome outcome = recording.committed(() -> store.put(d, precondition, actor.name(), source,
                validator::checkConflicts, recording));
        applied(outcome, actor, source);
        return outcome;
    }

    /** Deletes a route, recorded as {@link #put} records a change. */
    public Outcome delete(String id, Precondition precondition, Actor actor, String source, Request request)
            throws Exception {
        Recording recording = new Recording(actor, source, request);
        Outcome outcome = recording.committed(() -> store.delete(id, precondition, actor.name(), source, recording));
        applied(outcome, actor, source);
        return outcome;
    }

    /** The status the answer to a change made has: 201 created, 200 replaced, 204 deleted. */
    public static int status(Outcome.Changed c) {
        return c.after() == null ? 204 : c.before() == null ? 201 : 200;
    }

    private void applied(Outcome outcome, Actor actor, String source) throws Exception {
        if (outcome instanceof Outcome.Changed changed) {
            RegistryStore.Version v = changed.version();
            log.info("Route {} {}d as version {} by {} ({})", v.routeId(), v.change(), v.version(), actor.name(), source);
            sync.changed();
        }
    }

    @FunctionalInterface
    private interface StoreChange {
        Outcome apply() throws SQLException;
    }

    /**
     * Records a change inside the registry's transaction, before its commit. Should the commit then fail,
     * the trail holds the record of a change that did not take effect: a second record says so
     * ({@code action} {@code not-applied}, docs/trail.md "Route changes"), if the trail can still take it.
     */
    private final class Recording implements RegistryStore.BeforeCommit {
        private final Actor actor;
        private final String source;
        private final Request request;
        private Outcome.Changed recorded;

        Recording(Actor actor, String source, Request request) {
            this.actor = actor;
            this.source = source;
            this.request = request;
        }

        @Override
        public void changing(Outcome.Changed change) {
            record(change, change.version().routeId(), actor, source, request, status(change), null);
            recorded = change;
        }

        Outcome committed(StoreChange change) throws SQLException {
            try {
                return change.apply();
            } catch (SQLException | RuntimeException e) {
                if (recorded != null) {
                    notApplied(recorded, e);
                }
                throw e;
            }
        }

        private void notApplied(Outcome.Changed c, Exception why) {
            RegistryStore.Version v = c.version();
            log.error("Route {}: the {} as version {} is on the trail but was not committed ({}); the registry is "
                    + "unchanged", v.routeId(), v.change(), v.version(), why.getMessage());
            ObjectNode detail = JsonNodeFactory.instance.objectNode();
            detail.put("actor", actor.name()).put("source", source).put("action", "not-applied")
                    .put("intended", v.change()).put("toVersion", v.version())
                    .put("reason", "the registry's commit failed; the change did not take effect");
            try {
                write(detail, v.routeId(), null, c.before() != null ? c.before().definition().owner()
                        : c.after().definition().owner(), actor, request, 503, ErrorCode.REGISTRY_UNAVAILABLE);
            } catch (RuntimeException e) {
                log.error("Route {}: the record that version {} was not applied could not be stored either: {}",
                        v.routeId(), v.version(), e.getMessage());
            }
        }
    }

    /**
     * Records a change, or a refused attempt at one, on the trail; returns once it is stored.
     *
     * @throws id.gerbang.gateway.trail.TrailUnavailableException when the trail cannot take it
     */
    public void record(Outcome outcome, String routeId, Actor actor, String source, Request request, int status,
            ErrorCode error) {
        ObjectNode detail = JsonNodeFactory.instance.objectNode();
        detail.put("actor", actor.name()).put("source", source);
        String owner = null;
        Long version = null;
        if (outcome instanceof Outcome.Changed c) {
            detail.put("action", c.version().change());
            if (c.before() != null) {
                detail.put("fromVersion", c.before().version());
            }
            detail.put("toVersion", c.version().version());
            detail.set("diff", diff(c.before() == null ? null : c.before().definition(),
                    c.after() == null ? null : c.after().definition()));
            version = c.version().version();
            RegistryStore.Stored either = c.after() != null ? c.after() : c.before();
            owner = either == null ? null : either.definition().owner();
        } else if (outcome instanceof Outcome.Unchanged u) {
            detail.put("action", "unchanged");
            version = u.current().version();
            owner = u.current().definition().owner();
        } else {
            detail.put("action", "refused");
            if (outcome instanceof Outcome.Invalid i) {
                ArrayNode list = detail.putArray("violations");
                i.violations().forEach(v -> list.addObject().put("field", v.field()).put("message", v.message()));
            } else if (outcome instanceof Outcome.PreconditionFailed p && p.current() != null) {
                detail.put("currentVersion", p.current().version());
            }
        }
        write(detail, routeId, version, owner, actor, request, status, error);
    }

    private void write(ObjectNode detail, String routeId, Long version, String owner, Actor actor, Request request,
            int status, ErrorCode error) {
        Instant now = Instant.now();
        trail.record(TrailEntry.routeChange(request.at()).respondedAt(now)
                .correlationId(request.correlationId())
                .caller(actor.clientId(), actor.opd(), actor.userId())
                .route(routeId, version, owner)
                .request(request.method(), request.path() == null ? null : Masking.DEFAULT.path(request.path()), null)
                .answer(status, null, error == null ? null : error.name())
                .durations((System.nanoTime() - request.startNanos()) / 1_000_000, null)
                .requestBody(request.bytes(), request.sha256())
                .detail(Masking.DEFAULT.shapes(detail.toString()))
                .build());
    }

    /**
     * What changed between two definitions, field by field ({@code upstream.url}, {@code access.clients}):
     * {@code [{"field","from","to"}]}. Lists are compared whole. A creation lists every field with
     * {@code from} null, a deletion every field with {@code to} null.
     */
    public static ArrayNode diff(RouteDefinition before, RouteDefinition after) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        diff(out, "", tree(before), tree(after));
        return out;
    }

    private static void diff(ArrayNode out, String field, JsonNode a, JsonNode b) {
        if (a.equals(b)) {
            return;
        }
        if (a.isObject() || b.isObject()) {
            if (a.isObject() && b.isObject() || a.isNull() || b.isNull()) {
                TreeSet<String> names = new TreeSet<>();
                a.fieldNames().forEachRemaining(names::add);
                b.fieldNames().forEachRemaining(names::add);
                for (String name : names) {
                    diff(out, field.isEmpty() ? name : field + "." + name, orNull(a.get(name)), orNull(b.get(name)));
                }
                return;
            }
        }
        out.addObject().put("field", field).<ObjectNode>set("from", a).set("to", b);
    }

    private static JsonNode orNull(JsonNode n) {
        return n == null ? NullNode.getInstance() : n;
    }

    private static JsonNode tree(RouteDefinition d) {
        return d == null ? NullNode.getInstance() : JSON.valueToTree(d);
    }
}
