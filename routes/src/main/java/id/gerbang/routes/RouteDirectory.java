package id.gerbang.routes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Reads the route definitions kept as files in one directory (typically a git checkout applied at
 * start). Every file that cannot be read is reported in one {@link InvalidRouteException}, each problem
 * prefixed with its file name, so a developer sees everything to fix at once. Validation is the
 * registry's, over everything it is asked to serve ({@link RouteValidator#validateAll}).
 */
public final class RouteDirectory {

    private final RouteDefinitionReader reader;

    public RouteDirectory(RouteDefinitionReader reader) {
        this.reader = reader;
    }

    /**
     * Reads every {@code *.yaml}, {@code *.yml} and {@code *.json} file directly in {@code dir}, by name,
     * skipping hidden files.
     *
     * @throws IllegalArgumentException when {@code dir} is not a directory
     * @throws InvalidRouteException    when any file cannot be read or parsed
     */
    public List<SourcedDefinition> read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("route directory does not exist or is not a directory: " + dir);
        }
        List<Violation> problems = new ArrayList<>();
        List<SourcedDefinition> loaded = new ArrayList<>();
        for (Path file : files(dir)) {
            String name = file.getFileName().toString();
            for (RouteDefinition d : read(file, name, problems)) {
                loaded.add(new SourcedDefinition(d, name));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRouteException(dir.toString(), problems);
        }
        return List.copyOf(loaded);
    }

    private List<RouteDefinition> read(Path file, String name, List<Violation> problems) {
        try {
            String text = Files.readString(file);
            return name.toLowerCase(Locale.ROOT).endsWith(".json")
                    ? List.of(reader.readJson(text, name))
                    : reader.readYaml(text, name);
        } catch (InvalidRouteException e) {
            addPrefixed(problems, name, e.violations());
        } catch (IOException e) {
            addPrefixed(problems, name, List.of(new Violation("", "cannot read file (" + e.getClass().getSimpleName() + ")")));
        }
        return List.of();
    }

    private static List<Path> files(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries
                    .filter(Files::isRegularFile)
                    .filter(RouteDirectory::isDefinitionFile)
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list route directory " + dir, e);
        }
    }

    private static boolean isDefinitionFile(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"));
    }

    private static void addPrefixed(List<Violation> problems, String fileName, List<Violation> violations) {
        for (Violation v : violations) {
            problems.add(new Violation(v.field().isEmpty() ? fileName : fileName + ": " + v.field(), v.message()));
        }
    }
}
