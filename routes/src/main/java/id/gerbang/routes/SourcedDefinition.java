package id.gerbang.routes;

/** A route definition and where it came from (a file name, say), for messages that point at the source. */
public record SourcedDefinition(RouteDefinition definition, String source) {}
