package id.gerbang.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of a command of the packaged jar other than the node ({@code java -jar gerbang.jar witness ...},
 * {@code verify ...}), to its end: its exit status and its output.
 */
public record JarRun(int status, String output) {

    /** The packaged jar ({@code gerbang.jar}, set by the build), checked to exist. */
    public static Path jar() {
        Path jar = Paths.get(System.getProperty("gerbang.jar", "../gateway/target/gerbang.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no gateway jar at " + jar + ": build it first (the reactor packages it)");
        }
        return jar;
    }

    /** The java of this JVM. */
    public static String java() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code java -jar gerbang.jar ARGS...}, its output kept in a file of {@code logDir}; at most 120 s. */
    public static JarRun of(Path logDir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx64m", "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(logDir, args[0] + "-", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("gerbang.jar " + args[0] + " did not end within 120 s:\n" + Files.readString(log));
        }
        return new JarRun(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
