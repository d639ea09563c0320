package id.gerbang.routes;

/** One reason a route definition is refused: the field (a dotted path such as {@code upstream.url}) and why. */
public record Violation(String field, String message) {
    @Override
    public String toString() {
        return field + ": " + message;
    }
}
