package id.gerbang.gateway.registry;

import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.routes.Route;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Keeps what this node serves equal to the registry in the database. A change made through this node is
 * applied at once ({@link #refresh} after its commit); changes made through other nodes are noticed by
 * polling the registry's revision number every {@code gerbang.routes.poll-interval} (500 ms by default):
 * one indexed single-row read, so that every node serves a change within a second, on PostgreSQL and on
 * H2 alike. While the database cannot be read, the node keeps serving what it has.
 */
@Component
public class RegistrySync implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RegistrySync.class);

    private final RegistryStore store;
    private final RouteRegistry registry;
    private final Duration pollInterval;
    private ScheduledExecutorService poller;
    private long applied = -1;
    private boolean failing;

    public RegistrySync(RegistryStore store, RouteRegistry registry, GerbangProperties properties) {
        this.store = store;
        this.registry = registry;
        this.pollInterval = properties.routes().pollInterval();
    }

    /** Serves what the registry holds now, if it changed since the last look. */
    public synchronized void refresh() throws Exception {
        long revision = store.revision();
        if (revision == applied) {
            return;
        }
        List<Route> routes = store.current().stream().map(s -> Route.from(s.definition(), s.version())).toList();
        registry.serve(routes);
        applied = revision;
    }

    /**
     * Serves a change this node has just made, at once. Before the node serves at all (route files being
     * applied at start-up) there is nothing to do: the first {@link #refresh} serves everything.
     */
    synchronized void changed() throws Exception {
        if (poller != null) {
            refresh();
        }
    }

    /** Starts looking for changes made through other nodes. */
    synchronized void start() {
        if (poller != null) {
            return;
        }
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gerbang-registry-sync");
            t.setDaemon(true);
            return t;
        });
        long millis = Math.max(50, pollInterval.toMillis());
        poller.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
    }

    private void poll() {
        try {
            refresh();
            if (failing) {
                failing = false;
                log.info("The route registry can be read again; this node serves its current routes");
            }
        } catch (SQLException e) {
            if (!failing) {
                failing = true;
                log.warn("The route registry cannot be read ({}); this node keeps serving the routes it has",
                        e.getMessage());
            }
        } catch (Exception e) {
            log.error("Registry changes could not be applied on this node", e);
        }
    }

    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }
}
