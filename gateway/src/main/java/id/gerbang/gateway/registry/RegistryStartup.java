package id.gerbang.gateway.registry;

import id.gerbang.gateway.registry.RegistryStore.Outcome;
import id.gerbang.gateway.registry.RegistryStore.Precondition;
import id.gerbang.routes.InvalidRouteException;
import id.gerbang.routes.RouteDefinition;
import id.gerbang.routes.RouteValidator;
import id.gerbang.routes.SourcedDefinition;
import id.gerbang.routes.Violation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * Brings the registry up before the node serves anything: applies the route files of
 * {@code gerbang.routes.directory} (and the sandbox's, in the standalone default) to the registry,
 * creating or replacing what changed and never deleting, then serves what the registry holds and starts
 * following it. Invalid files stop the start-up, listing every problem: nothing is applied then.
 */
@Component
class RegistryStartup implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(RegistryStartup.class);

    private final RouteSources sources;
    private final RouteValidator validator;
    private final RegistryStore store;
    private final RouteChanges changes;
    private final RegistrySync sync;
    private final RouteRegistry registry;

    RegistryStartup(RouteSources sources, RouteValidator validator, RegistryStore store, RouteChanges changes,
            RegistrySync sync, RouteRegistry registry) {
        this.sources = sources;
        this.validator = validator;
        this.store = store;
        this.changes = changes;
        this.sync = sync;
        this.registry = registry;
    }

    @Override
    public void afterPropertiesSet() throws Exception {
        List<SourcedDefinition> files = sources.load();
        check(files);
        for (SourcedDefinition file : files) {
            apply(file);
        }
        sync.refresh();
        sync.start();
        if (registry.table().size() == 0) {
            log.warn("The route registry is empty: every /api call will answer 404 ROUTE_NOT_FOUND. Publish a "
                    + "route with PUT /admin/routes/{id} or set gerbang.routes.directory (docs/routes.md).");
        }
    }

    /** Every file valid on its own, beside the others, and beside the routes only the registry holds. */
    private void check(List<SourcedDefinition> files) throws Exception {
        List<Violation> violations = new ArrayList<>(validator.validateAll(files));
        Set<String> ids = files.stream().map(f -> f.definition().id()).collect(Collectors.toSet());
        List<RouteDefinition> registryOnly = store.current().stream().map(RegistryStore.Stored::definition)
                .filter(d -> !ids.contains(d.id())).toList();
        for (SourcedDefinition f : files) {
            validator.checkConflicts(f.definition(), registryOnly).forEach(
                    v -> violations.add(new Violation(f.source() + ": " + v.field(), v.message() + " (in the registry)")));
        }
        if (!violations.isEmpty()) {
            throw new InvalidRouteException("route definitions", violations);
        }
    }

    private void apply(SourcedDefinition file) throws Exception {
        RouteChanges.Actor actor = RouteChanges.Actor.system(file.source().startsWith("sandbox/")
                ? "sandbox" : "routes-directory");
        RouteChanges.Request request = new RouteChanges.Request(Instant.now(), System.nanoTime(), null, null, null, 0, null);
        // a change is recorded before it is committed; an unchanged file leaves no record
        Outcome outcome = changes.put(file.definition(), Precondition.NONE, actor, file.source(), request);
        if (outcome instanceof Outcome.Invalid i) {
            throw new InvalidRouteException(file.source(), i.violations());
        } else if (!(outcome instanceof Outcome.Changed) && !(outcome instanceof Outcome.Unchanged)) {
            throw new IllegalStateException("unexpected outcome " + outcome + " for " + file.source());
        }
    }
}
