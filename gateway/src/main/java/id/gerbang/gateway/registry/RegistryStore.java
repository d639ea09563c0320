package id.gerbang.gateway.registry;

import id.gerbang.routes.RouteDefinition;
import id.gerbang.routes.RouteDefinitionReader;
import id.gerbang.routes.Violation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import javax.sql.DataSource;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.stereotype.Component;

/**
 * The route registry in the database ({@code V3__route_registry.sql}): the current definition of each
 * route, every version ever made, and a revision number that every change increases. Each change is one
 * transaction that first takes the revision row's lock, so changes are serialised across all nodes and
 * each is checked against a set of routes that cannot move under it.
 *
 * <p>Definitions are stored as the JSON of {@link RouteDefinitionReader}, exactly as they were accepted.
 */
@Component
@DependsOnDatabaseInitialization
public final class RegistryStore {

    /** A route as the registry holds it now. */
    public record Stored(RouteDefinition definition, long version, Instant changedAt, String changedBy) {
        public String id() {
            return definition.id();
        }
    }

    /** One version of a route: what was made of it, when and by whom ({@code definition} null when deleted). */
    public record Version(String routeId, long version, String change, RouteDefinition definition,
            Instant changedAt, String changedBy, String source) {}

    /**
     * What a writer expects to find: {@code ifMatch} a version (or {@link #ANY}, "any version, but one"),
     * {@code ifNoneMatch} no route at all. {@link #NONE} expects nothing.
     */
    public record Precondition(Long ifMatch, boolean ifNoneMatch) {
        public static final long ANY = -1;
        public static final Precondition NONE = new Precondition(null, false);

        boolean holdsFor(Stored current) {
            if (ifNoneMatch && current != null) {
                return false;
            }
            if (ifMatch != null) {
                return current != null && (ifMatch == ANY || ifMatch == current.version());
            }
            return true;
        }
    }

    /** The outcome of a change. */
    public sealed interface Outcome {
        /** The change was made: {@code before} null when created, {@code after} null when deleted. */
        record Changed(Stored before, Stored after, Version version) implements Outcome {}

        /** A replacement equal to what is stored: nothing changed, no version was made. */
        record Unchanged(Stored current) implements Outcome {}

        /** The definition conflicts with the routes it would be served beside. */
        record Invalid(List<Violation> violations) implements Outcome {}

        /** The writer's precondition does not hold: {@code current} is what it would have changed. */
        record PreconditionFailed(Stored current) implements Outcome {}

        /** A deletion of a route that is not there. */
        record NotFound() implements Outcome {}
    }

    private final DataSource dataSource;
    private final RouteDefinitionReader reader;

    public RegistryStore(DataSource dataSource, RouteDefinitionReader reader) {
        this.dataSource = dataSource;
        this.reader = reader;
    }

    /** The number of changes ever made; it changes whenever the registry does. */
    public long revision() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT revision FROM registry_revision WHERE id = 1");
                ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("registry_revision has no row: the schema is damaged");
            }
            return rs.getLong(1);
        }
    }

    /** Every route the registry holds now, by id. */
    public List<Stored> current() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return current(c);
        }
    }

    public Optional<Stored> get(String id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return get(c, id);
        }
    }

    /** Every version of a route, oldest first; empty when the id was never used. */
    public List<Version> history(String id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT route_id, version, change_kind, definition, changed_at, "
                        + "changed_by, source FROM registry_version WHERE route_id = ? ORDER BY version")) {
            s.setString(1, id);
            List<Version> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(version(rs));
                }
            }
            return out;
        }
    }

    /**
     * Told of a change inside its transaction, just before the commit: the trail records it there, so that
     * no change takes effect unrecorded. Throwing (the trail cannot take the record) rolls the change back.
     */
    @FunctionalInterface
    public interface BeforeCommit {
        BeforeCommit NONE = change -> { };

        void changing(Outcome.Changed change);
    }

    /** Creates or replaces a route, with nothing to do before its commit. */
    public Outcome put(RouteDefinition d, Precondition precondition, String actor, String source,
            BiFunction<RouteDefinition, List<RouteDefinition>, List<Violation>> conflicts) throws SQLException {
        return put(d, precondition, actor, source, conflicts, BeforeCommit.NONE);
    }

    /**
     * Creates or replaces a route. {@code conflicts} is given the definition and every other route now
     * held, and names what forbids serving them together; {@code beforeCommit} is told of a change before
     * it is committed, and may refuse it by throwing.
     */
    public Outcome put(RouteDefinition d, Precondition precondition, String actor, String source,
            BiFunction<RouteDefinition, List<RouteDefinition>, List<Violation>> conflicts, BeforeCommit beforeCommit)
            throws SQLException {
        return inChange(beforeCommit, c -> {
            Stored before = get(c, d.id()).orElse(null);
            if (!precondition.holdsFor(before)) {
                return new Outcome.PreconditionFailed(before);
            }
            if (before != null && before.definition().equals(d)) {
                return new Outcome.Unchanged(before);
            }
            List<RouteDefinition> others = current(c).stream().map(Stored::definition)
                    .filter(o -> !o.id().equals(d.id())).toList();
            List<Violation> violations = conflicts.apply(d, others);
            if (!violations.isEmpty()) {
                return new Outcome.Invalid(violations);
            }
            long version = nextVersion(c, d.id());
            Instant now = now();
            String json = reader.toJson(d);
            if (before == null) {
                update(c, "INSERT INTO registry_route (definition, version, changed_at, changed_by, route_id) "
                        + "VALUES (?, ?, ?, ?, ?)", json, version, now, actor, d.id());
            } else {
                update(c, "UPDATE registry_route SET definition = ?, version = ?, changed_at = ?, changed_by = ? "
                        + "WHERE route_id = ?", json, version, now, actor, d.id());
            }
            Version v = new Version(d.id(), version, before == null ? "create" : "replace", d, now, actor, source);
            insertVersion(c, v, json);
            return new Outcome.Changed(before, new Stored(d, version, now, actor), v);
        });
    }

    /** Deletes a route, with nothing to do before its commit; its history stays. */
    public Outcome delete(String id, Precondition precondition, String actor, String source) throws SQLException {
        return delete(id, precondition, actor, source, BeforeCommit.NONE);
    }

    /** Deletes a route; its history stays. {@code beforeCommit} as for {@link #put}. */
    public Outcome delete(String id, Precondition precondition, String actor, String source, BeforeCommit beforeCommit)
            throws SQLException {
        return inChange(beforeCommit, c -> {
            Stored before = get(c, id).orElse(null);
            if (before == null && precondition.ifMatch() == null) {
                return new Outcome.NotFound();
            }
            if (!precondition.holdsFor(before)) {
                return new Outcome.PreconditionFailed(before);
            }
            long version = nextVersion(c, id);
            Instant now = now();
            update(c, "DELETE FROM registry_route WHERE route_id = ?", id);
            Version v = new Version(id, version, "delete", null, now, actor, source);
            insertVersion(c, v, null);
            return new Outcome.Changed(before, null, v);
        });
    }

    @FunctionalInterface
    private interface Change {
        Outcome apply(Connection c) throws SQLException;
    }

    /**
     * Runs a change in one transaction, holding the revision lock; anything but a change is rolled back, and
     * so is a change {@code beforeCommit} refuses.
     */
    private Outcome inChange(BeforeCommit beforeCommit, Change change) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                if (update(c, "UPDATE registry_revision SET revision = revision + 1 WHERE id = 1") != 1) {
                    throw new SQLException("registry_revision has no row: the schema is damaged");
                }
                Outcome outcome = change.apply(c);
                if (outcome instanceof Outcome.Changed changed) {
                    beforeCommit.changing(changed);
                    c.commit();
                } else {
                    c.rollback();
                }
                return outcome;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    private List<Stored> current(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT route_id, version, definition, changed_at, changed_by FROM registry_route ORDER BY route_id");
                ResultSet rs = s.executeQuery()) {
            List<Stored> out = new ArrayList<>();
            while (rs.next()) {
                out.add(stored(rs));
            }
            return out;
        }
    }

    private Optional<Stored> get(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT route_id, version, definition, changed_at, changed_by FROM registry_route WHERE route_id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(stored(rs)) : Optional.empty();
            }
        }
    }

    private static long nextVersion(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT MAX(version) FROM registry_version WHERE route_id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1) + 1; // MAX of nothing is NULL, read as 0
            }
        }
    }

    private static void insertVersion(Connection c, Version v, String json) throws SQLException {
        update(c, "INSERT INTO registry_version (route_id, version, change_kind, definition, changed_at, changed_by, source) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)", v.routeId(), v.version(), v.change(), json, v.changedAt(),
                v.changedBy(), v.source());
    }

    private static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                Object p = params[i];
                if (p instanceof Instant instant) {
                    s.setObject(i + 1, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
                } else {
                    s.setObject(i + 1, p);
                }
            }
            return s.executeUpdate();
        }
    }

    private Stored stored(ResultSet rs) throws SQLException {
        String id = rs.getString("route_id");
        return new Stored(read(rs.getString("definition"), id), rs.getLong("version"),
                rs.getObject("changed_at", OffsetDateTime.class).toInstant(), rs.getString("changed_by"));
    }

    private Version version(ResultSet rs) throws SQLException {
        String id = rs.getString("route_id");
        String json = rs.getString("definition");
        return new Version(id, rs.getLong("version"), rs.getString("change_kind"), json == null ? null : read(json, id),
                rs.getObject("changed_at", OffsetDateTime.class).toInstant(), rs.getString("changed_by"), rs.getString("source"));
    }

    private RouteDefinition read(String json, String id) {
        return reader.readJson(json, "registry route " + id);
    }

    /** Stored times are kept to the microsecond, which both databases hold exactly. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
