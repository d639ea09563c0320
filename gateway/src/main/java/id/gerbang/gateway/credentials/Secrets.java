package id.gerbang.gateway.credentials;

import id.gerbang.routes.SecretNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The secrets this node holds, by name (docs/upstream-auth.md): a file named as the secret in
 * {@code gerbang.secrets.dir} (one trailing newline stripped), else the environment variable
 * {@code GERBANG_SECRET_<NAME>}; the file wins. A value is read again at most every {@link #REREAD}, so a
 * secret replaced on disk is used within seconds without a restart.
 *
 * <p>A value never leaves this class but to be sent to the upstream it is meant for: it is not logged, not
 * part of any message, and this class's {@link #toString} names no value.
 */
public final class Secrets implements SecretNames {

    static final Duration REREAD = Duration.ofSeconds(10);

    private record Read(Optional<String> value, Instant at) {}

    private final Path dir;
    private final Function<String, String> environment;
    private final Clock clock;
    private final Map<String, Read> cache = new ConcurrentHashMap<>();

    /**
     * @param dir         the secrets directory, or {@code null} when secrets come from the environment only
     * @param environment reads an environment variable ({@code System::getenv})
     */
    public Secrets(Path dir, Function<String, String> environment, Clock clock) {
        this.dir = dir;
        this.environment = environment;
        this.clock = clock;
    }

    @Override
    public boolean resolves(String name) {
        return value(name).isPresent();
    }

    /** The secret's value, if the node has it; empty too for a name that is no secret's name. */
    public Optional<String> value(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Read read = cache.get(name);
        if (read == null || read.at().plus(REREAD).isBefore(now)) {
            read = new Read(read(name), now);
            cache.put(name, read);
        }
        return read.value();
    }

    /**
     * The secret's value.
     *
     * @throws IllegalStateException naming the secret (never a value) when the node no longer has it
     */
    public String require(String name) {
        return value(name).orElseThrow(() -> new IllegalStateException("secret " + name + " does not resolve on this node"));
    }

    private Optional<String> read(String name) {
        if (dir != null) {
            try {
                return Optional.of(stripOneNewline(Files.readString(dir.resolve(name), StandardCharsets.UTF_8)));
            } catch (NoSuchFileException e) {
                // then the environment
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read secret " + name + " in " + dir, e);
            }
        }
        return Optional.ofNullable(environment.apply(SecretNames.environmentVariable(name)));
    }

    private static String stripOneNewline(String s) {
        if (s.endsWith("\r\n")) {
            return s.substring(0, s.length() - 2);
        }
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public String toString() {
        return "Secrets[dir=" + dir + "]";
    }
}
