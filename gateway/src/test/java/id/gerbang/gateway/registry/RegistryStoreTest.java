package id.gerbang.gateway.registry;

import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.gateway.TestDatabases;
import id.gerbang.gateway.registry.RegistryStore.Outcome;
import id.gerbang.gateway.registry.RegistryStore.Precondition;
import id.gerbang.routes.RouteDefinition;
import id.gerbang.routes.RouteDefinitionReader;
import id.gerbang.routes.RouteValidator;
import id.gerbang.routes.UpstreamPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registry's store, on H2 ({@link RegistryStoreH2Test}) and on real PostgreSQL
 * ({@link RegistryStorePostgresTest}): versions, history, preconditions, and concurrent writers.
 */
abstract class RegistryStoreTest {

    /** A fresh database with the schema applied; closed after each test. */
    abstract TestDatabases.Database newDatabase() throws Exception;

    static final RouteDefinitionReader READER = new RouteDefinitionReader();
    static final RouteValidator VALIDATOR = new RouteValidator(new UpstreamPolicy(List.of("127.0.0.0/8")));

    private TestDatabases.Database db;
    RegistryStore store;

    @BeforeEach
    void freshDatabase() throws Exception {
        db = newDatabase();
        store = new RegistryStore(db.pool(), READER);
    }

    @AfterEach
    void dropDatabase() throws Exception {
        db.close();
    }

    static RouteDefinition route(String id, String path, String upstream) {
        return READER.readYaml("""
                id: %s
                owner: dinkes
                path: %s
                upstream: {url: "%s"}
                access: {opds: [dinkes]}
                """.formatted(id, path, upstream), "test").get(0);
    }

    Outcome put(RouteDefinition d, Precondition p) throws Exception {
        return store.put(d, p, "gerbang-admin", "admin-api", VALIDATOR::checkConflicts);
    }

    @Test
    void eachChangeIsANewVersionWithWhoAndWhenAndTheHistoryKeepsThemAll() throws Exception {
        RouteDefinition v1 = route("dinkes-pasien", "/dinkes/pasien", "http://127.0.0.1:9000/v1");
        RouteDefinition v2 = route("dinkes-pasien", "/dinkes/pasien", "http://127.0.0.1:9000/v2");

        Outcome created = put(v1, Precondition.NONE);
        Outcome replaced = put(v2, Precondition.NONE);
        Outcome deleted = store.delete("dinkes-pasien", Precondition.NONE, "another-admin", "admin-api");

        assertThat(created).isInstanceOfSatisfying(Outcome.Changed.class, c -> {
            assertThat(c.before()).isNull();
            assertThat(c.after().version()).isEqualTo(1);
            assertThat(c.after().definition()).isEqualTo(v1);
        });
        assertThat(replaced).isInstanceOfSatisfying(Outcome.Changed.class, c -> {
            assertThat(c.before().version()).isEqualTo(1);
            assertThat(c.after().version()).isEqualTo(2);
        });
        assertThat(deleted).isInstanceOfSatisfying(Outcome.Changed.class, c -> assertThat(c.after()).isNull());
        assertThat(store.get("dinkes-pasien")).isEmpty();
        assertThat(store.history("dinkes-pasien"))
                .extracting(RegistryStore.Version::version, RegistryStore.Version::change, RegistryStore.Version::definition,
                        RegistryStore.Version::changedBy)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1L, "create", v1, "gerbang-admin"),
                        org.assertj.core.groups.Tuple.tuple(2L, "replace", v2, "gerbang-admin"),
                        org.assertj.core.groups.Tuple.tuple(3L, "delete", null, "another-admin"));
    }

    @Test
    void versionsGoOnAfterADeletionSoAnEtagIsNeverReused() throws Exception {
        RouteDefinition d = route("dinkes-pasien", "/dinkes/pasien", "http://127.0.0.1:9000/v1");
        put(d, Precondition.NONE);
        store.delete("dinkes-pasien", Precondition.NONE, "gerbang-admin", "admin-api");

        Outcome again = put(d, Precondition.NONE);

        assertThat(again).isInstanceOfSatisfying(Outcome.Changed.class, c -> assertThat(c.after().version()).isEqualTo(3));
        assertThat(put(d, new Precondition(1L, false))).as("the version before the deletion is stale")
                .isInstanceOf(Outcome.PreconditionFailed.class);
    }

    @Test
    void anIdenticalDefinitionChangesNothingAndMakesNoVersion() throws Exception {
        RouteDefinition d = route("dinkes-pasien", "/dinkes/pasien", "http://127.0.0.1:9000/v1");
        put(d, Precondition.NONE);
        long revision = store.revision();

        assertThat(put(d, Precondition.NONE)).isInstanceOf(Outcome.Unchanged.class);
        assertThat(store.revision()).isEqualTo(revision);
        assertThat(store.history("dinkes-pasien")).hasSize(1);
    }

    @Test
    void everyChangeMovesTheRevisionAndRefusalsDoNot() throws Exception {
        long start = store.revision();
        put(route("dinkes-pasien", "/dinkes/pasien", "http://127.0.0.1:9000/v1"), Precondition.NONE);
        long afterCreate = store.revision();
        put(route("dinkes-obat", "/dinkes/pasien/obat", "http://127.0.0.1:9000/v1"), Precondition.NONE); // overlaps
        store.delete("nothing-here", Precondition.NONE, "gerbang-admin", "admin-api");

        assertThat(afterCreate).isGreaterThan(start);
        assertThat(store.revision()).isEqualTo(afterCreate);
    }

    @Test
    void preconditionsAreHonoured() throws Exception {
        RouteDefinition v1 = route("dinkes-pasien", "/dinkes/pasien", "http://127.0.0.1:9000/v1");
        RouteDefinition v2 = route("dinkes-pasien", "/dinkes/pasien", "http://127.0.0.1:9000/v2");

        assertThat(put(v1, new Precondition(Precondition.ANY, false))).as("If-Match: * on a missing route")
                .isInstanceOf(Outcome.PreconditionFailed.class);
        assertThat(put(v1, new Precondition(null, true))).as("If-None-Match: * creates").isInstanceOf(Outcome.Changed.class);
        assertThat(put(v2, new Precondition(null, true))).as("If-None-Match: * never replaces")
                .isInstanceOfSatisfying(Outcome.PreconditionFailed.class, p -> assertThat(p.current().version()).isEqualTo(1));
        assertThat(put(v2, new Precondition(7L, false))).as("a stale If-Match").isInstanceOf(Outcome.PreconditionFailed.class);
        assertThat(store.delete("dinkes-pasien", new Precondition(7L, false), "a", "admin-api"))
                .isInstanceOf(Outcome.PreconditionFailed.class);
        assertThat(store.get("dinkes-pasien")).hasValueSatisfying(s -> assertThat(s.definition()).isEqualTo(v1));
        assertThat(put(v2, new Precondition(1L, false))).as("the current If-Match").isInstanceOf(Outcome.Changed.class);
        assertThat(store.delete("dinkes-pasien", new Precondition(2L, false), "a", "admin-api"))
                .isInstanceOf(Outcome.Changed.class);
    }

    @Test
    void aPathOverlappingAnotherRouteIsRefusedNamingIt() throws Exception {
        put(route("dinkes-pasien", "/dinkes/pasien", "http://127.0.0.1:9000/v1"), Precondition.NONE);

        Outcome o = put(route("dinkes-obat", "/dinkes/pasien/obat", "http://127.0.0.1:9000/v1"), Precondition.NONE);

        assertThat(o).isInstanceOfSatisfying(Outcome.Invalid.class, i -> assertThat(i.violations())
                .singleElement().satisfies(v -> {
                    assertThat(v.field()).isEqualTo("path");
                    assertThat(v.message()).contains("dinkes-pasien");
                }));
        assertThat(store.current()).extracting(RegistryStore.Stored::id).containsExactly("dinkes-pasien");
    }

    @Test
    void concurrentWritersOfTheSameVersionGetOneChangeAndTheRestRefusedNeverALostUpdate() throws Exception {
        put(route("dinkes-pasien", "/dinkes/pasien", "http://127.0.0.1:9000/v0"), Precondition.NONE);
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Outcome>> outcomes = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            RouteDefinition mine = route("dinkes-pasien", "/dinkes/pasien", "http://127.0.0.1:9000/writer-" + i);
            outcomes.add(pool.submit(() -> {
                go.await();
                return put(mine, new Precondition(1L, false));
            }));
        }
        go.countDown();
        List<Outcome> results = new ArrayList<>();
        for (Future<Outcome> f : outcomes) {
            results.add(f.get());
        }
        pool.shutdown();

        assertThat(results).filteredOn(o -> o instanceof Outcome.Changed).hasSize(1);
        assertThat(results).filteredOn(o -> o instanceof Outcome.PreconditionFailed).hasSize(writers - 1);
        Outcome.Changed winner = (Outcome.Changed) results.stream().filter(o -> o instanceof Outcome.Changed).findFirst().get();
        assertThat(store.get("dinkes-pasien")).hasValueSatisfying(s -> {
            assertThat(s.version()).isEqualTo(2);
            assertThat(s.definition()).isEqualTo(winner.after().definition());
        });
        assertThat(store.history("dinkes-pasien")).hasSize(2);
    }

    @Test
    void concurrentCreatorsOfOverlappingPathsCannotBothWin() throws Exception {
        int writers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Outcome>> outcomes = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            RouteDefinition mine = route("dinkes-route-" + i, i % 2 == 0 ? "/dinkes" : "/dinkes/pasien-" + i,
                    "http://127.0.0.1:9000/" + i);
            outcomes.add(pool.submit(() -> {
                go.await();
                return put(mine, Precondition.NONE);
            }));
        }
        go.countDown();
        List<Outcome> results = new ArrayList<>();
        for (Future<Outcome> f : outcomes) {
            results.add(f.get());
        }
        pool.shutdown();

        List<RouteDefinition> served = store.current().stream().map(RegistryStore.Stored::definition).toList();
        for (RouteDefinition d : served) {
            assertThat(VALIDATOR.checkConflicts(d, served.stream().filter(o -> o != d).toList()))
                    .as("conflicts of %s among what was stored", d.id()).isEmpty();
        }
        assertThat(results).filteredOn(o -> o instanceof Outcome.Changed).hasSize(served.size());
    }
}
