package id.gerbang.routes;

import java.util.List;
import java.util.stream.Collectors;

/** A route definition, or a set of them, that cannot be accepted; carries every violation found. */
public class InvalidRouteException extends RuntimeException {

    private final transient List<Violation> violations;

    public InvalidRouteException(String source, List<Violation> violations) {
        super(source + ": " + violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }
}
