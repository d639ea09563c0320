package id.gerbang.gateway.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Flyway migrations only go forward (docs/operations.md, "Upgrading"): a migration once released is never
 * edited, renamed or removed, since the databases of the nodes already upgraded hold it with its checksum
 * (Flyway would refuse to start on them), and a new one numbers after every released one (Flyway, in order,
 * would refuse one numbered before). The released ones are listed with their SHA-256 in
 * {@code src/test/resources/db/released-migrations.sha256}; migrations not yet released are free to change.
 */
class ReleasedMigrationsTest {

    private static final Path MIGRATIONS = Paths.get("src/main/resources/db/migration");
    private static final Path RELEASED = Paths.get("src/test/resources/db/released-migrations.sha256");

    @Test
    void noReleasedMigrationWasEditedRenamedOrRemoved() throws Exception {
        Map<String, String> released = released();
        assertThat(released).as("the released migrations, V1 to V7 at least").containsKeys("V1__trail.sql", "V7__assertion_keys.sql");
        for (Map.Entry<String, String> m : released.entrySet()) {
            Path file = MIGRATIONS.resolve(m.getKey());
            assertThat(file).as("released migration " + m.getKey() + " is still there, under its name").isRegularFile();
            assertThat(sha256(file)).as(m.getKey() + " was released and must not be edited: write a new migration instead")
                    .isEqualTo(m.getValue());
        }
    }

    @Test
    void everyMigrationNotYetReleasedNumbersAfterEveryReleasedOne() throws Exception {
        Map<String, String> released = released();
        String newestReleased = released.keySet().stream().max(ReleasedMigrationsTest::byVersion).orElseThrow();
        try (Stream<Path> files = Files.list(MIGRATIONS)) {
            List<String> unreleased = files.map(f -> f.getFileName().toString()).filter(n -> !released.containsKey(n)).toList();
            for (String name : unreleased) {
                assertThat(name).as("a versioned migration's name").matches("V[0-9]+(_[0-9]+)*__[A-Za-z0-9_]+\\.sql");
                assertThat(byVersion(name, newestReleased)).as(name + " numbers after the newest released migration, " + newestReleased)
                        .isPositive();
            }
        }
    }

    /** Orders migration files by version as Flyway reads it: V6_1__x.sql is 6.1, after 6 and before 7 and 6.2. */
    static int byVersion(String a, String b) {
        String[] x = a.substring(1, a.indexOf("__")).split("_");
        String[] y = b.substring(1, b.indexOf("__")).split("_");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            BigInteger p = i < x.length ? new BigInteger(x[i]) : BigInteger.ZERO;
            BigInteger q = i < y.length ? new BigInteger(y[i]) : BigInteger.ZERO;
            if (p.compareTo(q) != 0) {
                return p.compareTo(q);
            }
        }
        return 0;
    }

    private static Map<String, String> released() throws Exception {
        Map<String, String> released = new LinkedHashMap<>();
        for (String line : Files.readAllLines(RELEASED)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.trim().split("\\s+\\*?", 2);
            released.put(parts[1], parts[0]);
        }
        return released;
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
