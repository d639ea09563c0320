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
 * Loads the route definitions kept as files in one directory (typically a git checkout applied at
 * start). The set is accepted whole or not at all: every problem in every file is reported in one
 * {@link InvalidRouteException}, each prefixed with its file name, so a half-valid directory is never
 * applied and a developer sees everything to fix at once.
 */
public final class RouteDirectory {

    private final RouteDefinitionReader reader;
    private final RouteValidator validator;

    public RouteDirectory(RouteDefinitionReader reader, RouteValidator validator) {
        this.reader = reader;
        this.validator = validator;
    }

    /**
     * Reads every {@code *.yaml}, {@code *.yml} and {@code *.json} file directly in {@code dir}, by name,
     * skipping hidden files.
     *
     * @throws IllegalArgumentException when {@code dir} is not a directory
     * @throws InvalidRouteException    when any file cannot be read, any definition is invalid, or two conflict
     */
    public List<RouteDefinition> load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("route directory does not exist or is not a directory: " + dir);
        }
        List<Violation> problems = new ArrayList<>();
        List<RouteDefinition> loaded = new ArrayList<>();
        for (Path file : files(dir)) {
            String name = file.getFileName().toString();
            for (RouteDefinition d : read(file, name, problems)) {
                addPrefixed(problems, name, validator.validate(d));
                addPrefixed(problems, name, validator.checkConflicts(d, loaded));
                loaded.add(d);
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
