package id.gerbang.routes;

import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * One reason a route definition is refused: the field (a dotted path such as {@code upstream.url}) and why, in
 * English as the admin API gives it. A violation of one of the validator's {@link Rule}s also names the rule and
 * its arguments, so that the console can say the same in the reader's language; others ({@code rule} null) have
 * their message only.
 */
public record Violation(String field, String message, Rule rule, List<String> args) {

    public Violation(String field, String message) {
        this(field, message, null, List.of());
    }

    public Violation(String field, Rule rule, Object... args) {
        this(field, rule.message(args), rule, Stream.of(args).map(String::valueOf).toList());
    }

    /** The same violation under another field name, such as one prefixed with the definition's source. */
    public Violation at(String otherField) {
        return new Violation(otherField, message, rule, args);
    }

    @Override
    public String toString() {
        return field + ": " + message;
    }

    /** The rules a definition can break, each with its English message; {@code {0}}, {@code {1}} are its arguments. */
    public enum Rule {
        DEFINITION_REQUIRED("definition is required"),
        REQUIRED("is required"),
        MUST_MATCH("must match {0}"),
        MAX_LENGTH("must be at most {0} characters"),
        RANGE("must be between {0} and {1}"),
        NOT_EMPTY("must not be empty"),
        NOT_BLANK("must not be blank"),
        ONE_OF("must be one of {0}"),
        DUPLICATE_METHOD("duplicate method"),
        DUPLICATE_ID("duplicate id"),
        AMONG_ROUTE_METHODS("must be among the route's methods {0}"),
        ID_TAKEN("another route already has the id {0}"),
        PATH_OVERLAPS("overlaps the path of route {0}"),
        PATH_START("must start with / and have at least one segment"),
        PATH_TRAILING_SLASH("must not end with /"),
        PATH_EMPTY_SEGMENT("must not have an empty segment"),
        PATH_DOT_SEGMENT("must not have '.' or '..' segments"),
        PATH_SEGMENT("segments must match {0}"),
        URL_INVALID("must be a valid URL"),
        URL_NOT_ABSOLUTE_HTTP("must be an absolute http or https URL"),
        URL_SCHEME("scheme must be http or https"),
        URL_USER_INFO("must not carry user-info: credentials never live in a route definition"),
        URL_USER_INFO_LINK("must not carry user-info"),
        URL_NO_HOST("must have a host"),
        URL_HOST_PORT("must have a valid host and port (1 to 65535)"),
        URL_PORT("port must be between 1 and 65535"),
        URL_NOT_ASCII("must be ASCII: percent-encode other characters"),
        URL_QUERY("must not have a query"),
        URL_FRAGMENT("must not have a fragment"),
        UPSTREAM_NO_HOST("upstream has no host"),
        UPSTREAM_METADATA_HOST("cloud metadata host is never allowed"),
        UPSTREAM_INVALID_ADDRESS("invalid IP address"),
        UPSTREAM_RESOLVES_FORBIDDEN("host resolves to a link-local or cloud metadata address, never allowed"),
        UPSTREAM_UNRESOLVED("cannot resolve host"),
        UPSTREAM_FORBIDDEN_ADDRESS("link-local or cloud metadata address is never allowed"),
        UPSTREAM_NOT_ALLOWED("host is not on the upstream allow list (gerbang.upstreams.allowed)"),
        EXPRESSION("expressions are not allowed"),
        ONE_MEDIATION("must have exactly one of soap, xml"),
        ABSOLUTE_URI("must be an absolute URI, in ASCII"),
        NCNAME("must be an XML name without a colon (NCName)"),
        SOAP_ACTION("must be printable ASCII without spaces, quotes or backslashes"),
        SOAP_POST_ONLY("a SOAP route serves POST only: methods must be [POST]"),
        SECRET_UNRESOLVED("secret {0} does not resolve on this node: put a file {0} in gerbang.secrets.dir or set {1}"),
        AUTH_ONE_OF("must name exactly one of basic, apiKey, oauth2, splp"),
        HEADER_RESERVED("is a header the gateway sets or refuses itself"),
        TLS_NEEDS_HTTPS("applies to an https upstream url only"),
        UPSTREAM_OR_COMPOSE("must have exactly one of upstream, compose"),
        COMPOSE_GET_ONLY("a composite serves GET only: methods must be [GET]"),
        COMPOSE_NOT_HERE("applies to a route with an upstream, not to a composite"),
        DUPLICATE_NAME("duplicate name"),
        COMPOSE_RESERVED_NAME("is reserved: the answer lists its failed parts under it"),
        COMPOSE_UNKNOWN_PARAM("uses {0}, which is not among compose.params"),
        COMPOSE_UNUSED_PARAM("is used by no part"),
        COMPOSE_PATH_TEMPLATE("must start with / and have segments, each matching {0} or one param name in braces"),
        COMPOSE_QUERY_VALUE("must be one param name in braces or a value matching {0}"),
        COMPOSE_SELF("a composite cannot be its own part"),
        COMPOSE_NESTED("route {0} is a composite: the parts of a composite are routes with an upstream"),
        COMPOSE_PART_OF("route {0} has this route as a part: a composite cannot be a part of another"),
        OPENAPI_TOO_LARGE("must be at most {0} characters as JSON"),
        OPENAPI_TOO_DEEP("must nest at most {0} levels of objects and arrays"),
        OPENAPI_VERSION("must be an OpenAPI 3.0 or 3.1 document (openapi: 3.0.x or 3.1.x)"),
        OPENAPI_PATHS("must be an object whose keys are paths starting with / (at most 512 characters)"),
        OPENAPI_EXTERNAL_REF("only references inside the document (#/...) are allowed: other documents are never fetched"),
        MOCK_NEEDS_DOCUMENT("a mock answers from the route's OpenAPI document: openapiDocument is required"),
        MOCK_EXCLUDES("a mock route has no {0}: it answers from its OpenAPI document without calling an upstream"),
        UNKNOWN_FIELD("unknown field"),
        NO_DEFINITION("no route definition"),
        EXPECTED_OBJECT("expected an object");

        private final String english;

        Rule(String english) {
            this.english = english;
        }

        /** The key of the rule's message in a bundle: {@code violation.must-match}. */
        public String key() {
            return "violation." + name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The English message with its arguments, each written as is (no number grouping). */
        public String message(Object... args) {
            String text = english;
            for (int i = 0; i < args.length; i++) {
                text = text.replace("{" + i + "}", String.valueOf(args[i]));
            }
            return text;
        }
    }
}
