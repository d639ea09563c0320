package id.gerbang.it.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL 17 server (embedded binaries; see README.md, "Test") for the suite: started ONCE, lazily, on a free
 * port with its own data directory under {@code target/it}; stopped, and its directory removed, at JVM exit.
 * A test can stop it and start it again on the same data and port ({@link #stop()}, {@link #start()}), to
 * see what a gateway does while its database is away. Each test class takes its own database
 * ({@link #createDatabase}).
 *
 * <p>{@link #startVersion15()} starts another server, of its own, on PostgreSQL 15 as Debian 12 ships it,
 * so that Debian's {@code pg_dump} and {@code pg_restore} (15, which refuse a newer server) take and restore
 * its dumps as an operator's would ({@link #dump}, {@link #restore}; docs/operations.md, "Backup and
 * restore").
 */
public final class Postgres implements AutoCloseable {

    public static final String USER = "postgres";

    private static Postgres instance;

    private final Path dataDir;
    private final int port;
    private final PgBinaryResolver binaries;
    private EmbeddedPostgres server;

    /** The shared server, started on first call. */
    public static synchronized Postgres get() throws IOException {
        if (instance == null) {
            instance = new Postgres();
        }
        return instance;
    }

    private Postgres() throws IOException {
        this("postgres-", null);
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "postgres-stop"));
    }

    private Postgres(String name, PgBinaryResolver binaries) throws IOException {
        dataDir = Files.createTempDirectory(Gateway.targetDir(), name);
        port = Gateway.freePort();
        this.binaries = binaries;
        server = boot();
    }

    /**
     * A new PostgreSQL 15 server of the caller's own, on a free port and an empty data directory (a new
     * cluster): from the binaries jar the build copies beside the tests (system property
     * {@code postgres15.binaries}). Close it to stop it and remove its data.
     */
    public static Postgres startVersion15() throws IOException {
        Path jar = Paths.get(System.getProperty("postgres15.binaries", "target/postgres-15/binaries.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no PostgreSQL 15 binaries at " + jar + ": the integration-tests build copies them there");
        }
        URL txz = new URL("jar:" + jar.toUri() + "!/postgres-linux-x86_64.txz");
        Postgres pg = new Postgres("postgres15-", (system, hardware) -> txz.openStream());
        Runtime.getRuntime().addShutdownHook(new Thread(pg::close, "postgres15-stop")); // when a test could not
        return pg;
    }

    private EmbeddedPostgres boot() throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false) // kept across stop and start
                .setPort(port)
                .setRegisterShutdownHook(false);
        if (binaries != null) {
            builder.setPgBinaryResolver(binaries);
        }
        return builder.start();
    }

    /** Stops the server and removes its data directory. Not for the shared server (stopped at JVM exit). */
    @Override
    public synchronized void close() {
        try {
            stop();
            try (var files = Files.walk(dataDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        } catch (IOException ignored) {
            // its directory is under target/ anyway
        }
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

    // ------------------------------------------------------------------------------ dumps, as operators take them

    /**
     * Where the client programs are: system property {@code postgres.client.bin}, else the newest of Debian's
     * {@code /usr/lib/postgresql/<major>/bin} with a {@code pg_dump} (package postgresql-client: 15 on Debian
     * 12; a newer one dumps a 15 server too).
     */
    public static Path clientBin() throws IOException {
        String configured = System.getProperty("postgres.client.bin");
        if (configured != null) {
            return Paths.get(configured);
        }
        Path debian = Paths.get("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (var majors = Files.list(debian)) {
                var newest = majors.filter(d -> d.getFileName().toString().matches("[0-9]+"))
                        .filter(d -> Files.isExecutable(d.resolve("bin/pg_dump")))
                        .max(java.util.Comparator.comparingInt(d -> Integer.parseInt(d.getFileName().toString())));
                if (newest.isPresent()) {
                    return newest.get().resolve("bin");
                }
            }
        }
        throw new IllegalStateException("no PostgreSQL client programs under /usr/lib/postgresql: install Debian's "
                + "postgresql-client (.ci/run does), or name their directory with -Dpostgres.client.bin");
    }

    /**
     * {@code pg_dump -Fc} of {@code database} into {@code file}, with the PostgreSQL client programs of the
     * machine ({@link #clientBin()}).
     */
    public Path dump(String database, Path file) throws IOException, InterruptedException {
        client("pg_dump", "-Fc", "--file=" + file, "--dbname=" + database);
        return file;
    }

    /** {@code pg_restore --exit-on-error --no-owner} of {@code dump} into {@code database} (which must exist, empty). */
    public void restore(Path dump, String database) throws IOException, InterruptedException {
        client("pg_restore", "--exit-on-error", "--no-owner", "--dbname=" + database, dump.toString());
    }

    /** A plain SQL dump of {@code database} into {@code file} ({@code pg_dump --no-owner --no-privileges}). */
    public Path dumpSql(String database, Path file) throws IOException, InterruptedException {
        client("pg_dump", "--no-owner", "--no-privileges", "--file=" + file, "--dbname=" + database);
        return file;
    }

    /** Runs the SQL of {@code file} on {@code database} with {@code psql}, stopping at the first error. */
    public void runSql(Path file, String database) throws IOException, InterruptedException {
        client("psql", "--quiet", "--set=ON_ERROR_STOP=1", "--file=" + file, "--dbname=" + database);
    }

    private void client(String program, String... args) throws IOException, InterruptedException {
        Path bin = clientBin().resolve(program);
        List<String> cmd = new ArrayList<>(List.of(bin.toString(), "--host=localhost", "--port=" + port, "--username=" + USER,
                "--no-password"));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(Gateway.targetDir(), program + "-", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(program + " did not end within 120 s: " + Files.readString(log));
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + Files.readString(log));
        }
    }

    /** The command-line arguments that put a gateway's data (registry, trail) in {@code database}. */
    public List<String> gatewayArgs(String database) {
        return List.of("--spring.datasource.url=" + jdbcUrl(database), "--spring.datasource.username=" + USER);
    }
}
