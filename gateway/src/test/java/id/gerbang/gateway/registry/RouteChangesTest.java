package id.gerbang.gateway.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import id.gerbang.gateway.TestDatabases;
import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.proxy.UpstreamClient;
import id.gerbang.gateway.registry.RegistryStore.Outcome;
import id.gerbang.gateway.registry.RegistryStore.Precondition;
import id.gerbang.gateway.trail.AuditRecord;
import id.gerbang.gateway.trail.AuditTrail;
import id.gerbang.gateway.trail.JdbcAuditTrail;
import id.gerbang.gateway.trail.TrailEntry;
import id.gerbang.gateway.trail.TrailUnavailableException;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import id.gerbang.routes.RouteDefinitionReader;
import id.gerbang.routes.RouteValidator;
import id.gerbang.routes.UpstreamPolicy;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * A change to the registry is on the trail before it takes effect: its record is stored inside the
 * registry's transaction, before the commit and before the node serves it; when the trail refuses the
 * record, the registry and what the node serves are unchanged. Real registry store and trail on H2, a real
 * Camel context serving the routes.
 */
class RouteChangesTest {

    private static final RouteDefinitionReader READER = new RouteDefinitionReader();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the registry looked like when a record was taken: the stored version and the one served. */
    private record Seen(TrailEntry entry, Long stored, Long served) {}

    /** The node's trail, which notes what the registry held when it took each record, and can refuse records. */
    private final class Trail implements AuditTrail {
        final JdbcAuditTrail store;
        final List<Seen> seen = new CopyOnWriteArrayList<>();
        volatile boolean refusing;

        Trail(JdbcAuditTrail store) {
            this.store = store;
        }

        @Override
        public AuditRecord record(TrailEntry entry) {
            if (refusing) {
                throw new TrailUnavailableException("the trail writer is saturated", null);
            }
            seen.add(new Seen(entry, storedVersion(entry.routeId()), servedVersion(entry.routeId())));
            return store.record(entry);
        }
    }

    private TestDatabases.Database db;
    private Trail trail;
    private CamelContext camel;
    private UpstreamClient client;
    private RouteRegistry registry;
    private RegistrySync sync;
    private RegistryStore store;
    private RouteChanges changes;
    private volatile boolean failCommits;

    @BeforeEach
    void start() throws Exception {
        db = TestDatabases.h2("changes", 6);
        GerbangProperties properties = Binder.get(new org.springframework.core.env.StandardEnvironment())
                .bindOrCreate("gerbang", GerbangProperties.class);
        trail = new Trail(new JdbcAuditTrail(db.pool(), "gerbang-a", 64, 100, Duration.ofSeconds(10)));
        camel = new DefaultCamelContext();
        camel.start();
        client = new UpstreamClient(properties);
        RouteValidator validator = new RouteValidator(new UpstreamPolicy(List.of("127.0.0.0/8")));
        registry = new RouteRegistry(camel, id.gerbang.gateway.proxy.UpstreamForwarders.plain(client), validator);
        store = new RegistryStore(failingCommits(db.pool()), READER);
        sync = new RegistrySync(store, registry, properties);
        sync.refresh();
        sync.start();
        changes = new RouteChanges(store, validator, sync, trail);
    }

    @AfterEach
    void stop() throws Exception {
        sync.close();
        registry.close();
        camel.stop();
        client.destroy();
        trail.store.close();
        db.close();
    }

    /** The pool, whose commits fail while {@link #failCommits} is set. */
    private DataSource failingCommits(DataSource pool) {
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(pool, method, args);
                    if (!(result instanceof Connection c)) {
                        return result;
                    }
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                            (p, m, a) -> {
                                if (m.getName().equals("commit") && failCommits) {
                                    throw new SQLException("the database went away during the commit", "08006");
                                }
                                return invoke(c, m, a);
                            });
                });
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static RouteDefinition route(String id, String upstream) {
        return READER.readYaml("""
                id: %s
                owner: dinkes
                path: /%s
                upstream: {url: "%s"}
                access: {opds: [dinkes]}
                """.formatted(id, id, upstream), "test").get(0);
    }

    private static RouteChanges.Request request(String method) {
        return new RouteChanges.Request(Instant.now(), System.nanoTime(), "cid-" + method, method,
                "/admin/routes/dinkes-pasien", 0, null);
    }

    private static final RouteChanges.Actor ADMIN = new RouteChanges.Actor("gerbang-admin", "gerbang-admin",
            "diskominfo", null);

    private Outcome put(RouteDefinition d) throws Exception {
        return changes.put(d, Precondition.NONE, ADMIN, "admin-api", request("PUT"));
    }

    private Long storedVersion(String id) {
        try {
            return id == null ? null : store.get(id).map(RegistryStore.Stored::version).orElse(null);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Long servedVersion(String id) {
        Optional<Route> r = registry.table().routes().stream().filter(x -> x.id().equals(id)).findFirst();
        return r.map(Route::version).orElse(null);
    }

    private static JsonNode detail(TrailEntry e) throws Exception {
        return JSON.readTree(e.detail());
    }

    @Test
    void eachChangeIsRecordedWithTheVersionItMakesBeforeItIsStoredOrServed() throws Exception {
        put(route("dinkes-pasien", "http://127.0.0.1:9/v1"));
        put(route("dinkes-pasien", "http://127.0.0.1:9/v2"));
        changes.delete("dinkes-pasien", Precondition.NONE, ADMIN, "admin-api", request("DELETE"));

        assertThat(trail.seen).hasSize(3);
        assertThat(trail.seen).extracting(s -> s.entry().routeVersion()).containsExactly(1L, 2L, 3L);
        assertThat(trail.seen).extracting(s -> s.entry().status()).containsExactly(201, 200, 204);
        assertThat(trail.seen).extracting(s -> detail(s.entry()).get("action").asText())
                .containsExactly("create", "replace", "delete");
        // when each record was taken, the registry (read by another connection) and the node still had the
        // version before
        assertThat(trail.seen).extracting(Seen::stored).containsExactly(null, 1L, 2L);
        assertThat(trail.seen).extracting(Seen::served).containsExactly(null, 1L, 2L);
        assertThat(store.history("dinkes-pasien")).extracting(RegistryStore.Version::version).containsExactly(1L, 2L, 3L);
        assertThat(servedVersion("dinkes-pasien")).isNull();
    }

    @Test
    void whenTheTrailRefusesAChangeTheRegistryAndTheServedRoutesAreUnchanged() throws Exception {
        put(route("dinkes-pasien", "http://127.0.0.1:9/v1"));
        trail.refusing = true;

        assertThatThrownBy(() -> put(route("dinkes-pasien", "http://127.0.0.1:9/v2")))
                .isInstanceOf(TrailUnavailableException.class);
        assertThatThrownBy(() -> changes.delete("dinkes-pasien", Precondition.NONE, ADMIN, "admin-api",
                request("DELETE"))).isInstanceOf(TrailUnavailableException.class);
        assertThatThrownBy(() -> put(route("dinkes-obat", "http://127.0.0.1:9/obat")))
                .isInstanceOf(TrailUnavailableException.class);

        assertThat(store.get("dinkes-pasien")).hasValueSatisfying(s -> {
            assertThat(s.version()).isEqualTo(1);
            assertThat(s.definition().upstream().url()).isEqualTo("http://127.0.0.1:9/v1");
        });
        assertThat(store.history("dinkes-pasien")).hasSize(1);
        assertThat(store.get("dinkes-obat")).isEmpty();
        assertThat(store.history("dinkes-obat")).isEmpty();
        sync.refresh();
        assertThat(registry.table().routes()).extracting(Route::id, Route::version)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("dinkes-pasien", 1L));
    }

    @Test
    void aChangeWhoseCommitFailsAfterItsRecordIsRecordedAsNotApplied() throws Exception {
        put(route("dinkes-pasien", "http://127.0.0.1:9/v1"));
        failCommits = true;

        assertThatThrownBy(() -> put(route("dinkes-pasien", "http://127.0.0.1:9/v2"))).isInstanceOf(SQLException.class);

        failCommits = false;
        assertThat(store.get("dinkes-pasien")).hasValueSatisfying(s -> assertThat(s.version()).isEqualTo(1));
        assertThat(trail.seen).hasSize(3);
        TrailEntry intent = trail.seen.get(1).entry();
        TrailEntry notApplied = trail.seen.get(2).entry();
        assertThat(intent.routeVersion()).isEqualTo(2L);
        assertThat(detail(intent).get("action").asText()).isEqualTo("replace");
        assertThat(notApplied.routeVersion()).isNull();
        assertThat(notApplied.status()).isEqualTo(503);
        assertThat(notApplied.errorCode()).isEqualTo("REGISTRY_UNAVAILABLE");
        assertThat(notApplied.correlationId()).isEqualTo(intent.correlationId());
        JsonNode d = detail(notApplied);
        assertThat(d.get("action").asText()).isEqualTo("not-applied");
        assertThat(d.get("intended").asText()).isEqualTo("replace");
        assertThat(d.get("toVersion").asLong()).isEqualTo(2);
    }
}
