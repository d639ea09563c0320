package id.gerbang.it.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * A real PostgreSQL 17 server (embedded binaries; see README.md, "Test") for the suite: started ONCE, lazily, on a free
 * port with its own data directory under {@code target/it}; stopped, and its directory removed, at JVM exit.
 * A test can stop it and start it again on the same data and port ({@link #stop()}, {@link #start()}), to
 * see what a gateway does while its database is away. Each test class takes its own database
 * ({@link #createDatabase}).
 */
public final class Postgres {

    public static final String USER = "postgres";

    private static Postgres instance;

    private final Path dataDir;
    private final int port;
    private EmbeddedPostgres server;

    /** The shared server, started on first call. */
    public static synchronized Postgres get() throws IOException {
        if (instance == null) {
            instance = new Postgres();
        }
        return instance;
    }

    private Postgres() throws IOException {
        dataDir = Files.createTempDirectory(Gateway.targetDir(), "postgres-");
        port = Gateway.freePort();
        server = boot();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                stop();
                try (var files = Files.walk(dataDir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            } catch (IOException ignored) {
                // exiting anyway
            }
        }, "postgres-stop"));
    }

    private EmbeddedPostgres boot() throws IOException {
        return EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false) // kept across stop and start
                .setPort(port)
                .setRegisterShutdownHook(false)
                .start();
    }

    /** Stops the server (a fast shutdown: open sessions are ended). */
    public synchronized void stop() throws IOException {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** Starts the server again, on the same data directory and port. */
    public synchronized void start() throws IOException {
        if (server == null) {
            server = boot();
        }
    }

    public int port() {
        return port;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port + "/" + database;
    }

    /** A new, empty database (an old one of the same name is dropped first). */
    public String createDatabase(String name) throws SQLException {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + name);
        }
        return name;
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, "");
    }

    /** The command-line arguments that put a gateway's data (registry, trail) in {@code database}. */
    public List<String> gatewayArgs(String database) {
        return List.of("--spring.datasource.url=" + jdbcUrl(database), "--spring.datasource.username=" + USER);
    }
}
