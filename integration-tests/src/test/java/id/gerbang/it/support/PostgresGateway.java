package id.gerbang.it.support;

import java.util.ArrayList;
import java.util.List;

/**
 * A second shared gateway, on the suite's PostgreSQL ({@link Postgres}) instead of H2, started once on first
 * use and stopped at JVM exit. Its trail is the table {@code audit_record} of database {@link #DATABASE},
 * which tests read with plain JDBC while the gateway runs. Its write timeout is 2 s (default 5 s) so that
 * tests of an unavailable database do not wait long for each refusal.
 */
public final class PostgresGateway {

    public static final String DATABASE = "it_trail";
    public static final String NODE = "it-pg";

    private static Gateway instance;
    private static IllegalStateException startFailure;

    private PostgresGateway() {}

    public static synchronized Gateway get() {
        if (instance == null) {
            if (startFailure != null) {
                throw startFailure;
            }
            try {
                Postgres pg = Postgres.get();
                pg.createDatabase(DATABASE);
                List<String> args = new ArrayList<>(pg.gatewayArgs(DATABASE));
                args.add("--gerbang.node=" + NODE);
                args.add("--gerbang.trail.write-timeout=2s");
                instance = Gateway.start("gateway-pg", args);
            } catch (Exception e) {
                startFailure = new IllegalStateException("cannot start the gateway on PostgreSQL: " + e.getMessage(), e);
                throw startFailure;
            }
        }
        return instance;
    }
}
