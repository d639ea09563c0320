package id.gerbang.routes;

import com.fasterxml.jackson.databind.JsonNode;
import id.gerbang.routes.Violation.Rule;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * Checks a {@link RouteDefinition} against the rules of docs/routes.md ("Validation") before it can be served, and
 * reports every violation at once, each naming its field, so that a developer fixes a definition in one
 * round. Definitions are data: any string that looks like an expression ({@code ${...}}, {@code #{...}},
 * Camel Simple, templates) is refused, so nothing in a definition can ever be evaluated.
 */
public final class RouteValidator {

    /**
     * A route id: lower-case letters, digits and dashes, 3 to 64 of them, not starting with a dash. The one
     * definition of it: the admin API checks ids in its paths with it, and a route's Camel endpoint name
     * relies on it (nothing but these characters can reach it).
     */
    public static final Pattern ROUTE_ID = Pattern.compile("[a-z0-9][a-z0-9-]{2,63}");
    private static final Pattern OPD = Pattern.compile("[a-z0-9-]{2,32}");
    private static final Pattern CLIENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,254}");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_~-][A-Za-z0-9._~-]*");
    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    private static final List<String> MASK_PATTERNS = List.of("nik", "npwp", "email", "phone");
    /** An XML NCName: a name without a colon (Namespaces in XML 1.0), as an element's local name. */
    public static final Pattern NCNAME = Pattern.compile("[\\p{L}_][\\p{L}\\p{N}._\\-\\u00B7]*");
    /** What a SOAP action may hold: it is written inside quotes in a header, so no quote, backslash or control. */
    private static final Pattern SOAP_ACTION = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]*");
    private static final List<String> SOAP_VERSIONS = List.of("1.1", "1.2");
    /** A composite's param or part name: what a JSON member or a template can name without quoting. */
    public static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    /** A {@code {param}} in a part's template. */
    private static final Pattern PARAM_REF = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]{0,63})}");
    /** A query name or literal value in a part's template: unreserved characters (RFC 3986), sent as written. */
    private static final Pattern QUERY_TOKEN = Pattern.compile("[A-Za-z0-9._~-]{1,128}");
    /** The member of a composite's answer that names its failed parts. */
    public static final String INCOMPLETE = "incomplete";
    public static final int MAX_PARTS = 8;
    public static final int MAX_PARAMS = 8;
    private static final int MAX_QUERY = 16;
    private static final List<String> PARTIAL = List.of(RouteDefinition.Compose.ALLOW, RouteDefinition.Compose.FAIL);
    private static final List<String> EXPRESSION_MARKERS = List.of("${", "#{", "$simple{", "{{");
    /**
     * The most an {@code openapiDocument} may hold, in characters of its JSON form: it is stored with every
     * version of the definition and parsed on every node, and a service's contract is rarely a tenth of it.
     */
    public static final int MAX_OPENAPI_DOCUMENT_CHARS = 256 * 1024;
    /** The deepest an {@code openapiDocument} may nest, in objects and arrays. */
    public static final int MAX_OPENAPI_DOCUMENT_DEPTH = 64;
    private static final Pattern OPENAPI_VERSION = Pattern.compile("3\\.[01]\\.\\d{1,3}(-[A-Za-z0-9.]{1,32})?");

    /** An HTTP header name (RFC 9110 token). */
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}");
    /**
     * Headers an API key may not be sent in, lower case: those the gateway sets towards the upstream or
     * never sends (framing, the caller's credentials, identity and forwarding headers).
     */
    private static final Set<String> RESERVED_HEADERS = Set.of("host", "content-length", "content-type",
            "transfer-encoding", "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "expect",
            "x-correlation-id", "x-user-id", "forwarded", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
            "x-forwarded-port", "x-forwarded-prefix", "x-real-ip", "cookie");

    private final UpstreamPolicy upstreams;
    private final SecretNames secrets;

    /** A validator for a node that holds no secrets: a definition naming one is refused. */
    public RouteValidator(UpstreamPolicy upstreams) {
        this(upstreams, SecretNames.NONE);
    }

    public RouteValidator(UpstreamPolicy upstreams, SecretNames secrets) {
        this.upstreams = upstreams;
        this.secrets = secrets;
    }

    /** @return every violation of the definition on its own; empty when it is valid */
    public List<Violation> validate(RouteDefinition d) {
        if (d == null) {
            return List.of(new Violation("", Rule.DEFINITION_REQUIRED));
        }
        Violations v = new Violations();
        v.matches("id", d.id(), ROUTE_ID);
        v.matches("owner", d.owner(), OPD);
        v.maxLength("name", d.name(), 200);
        v.maxLength("description", d.description(), 2000);
        checkPath(v, d.path());
        Set<String> methods = checkMethods(v, d.methods());
        if (d.compose() != null) {
            checkCompose(v, d, methods);
        } else if (!Boolean.TRUE.equals(d.mock()) || d.upstream() != null) {
            checkUpstream(v, d.upstream()); // a mock may name the upstream to come, or not yet
        }
        if (d.access() != null) {
            checkGrants(v, "access.clients", d.access().clients(), CLIENT, methods);
            checkGrants(v, "access.opds", d.access().opds(), OPD, methods);
        }
        if (d.rateLimit() != null) {
            v.requiredRange("rateLimit.requests", d.rateLimit().requests(), 1, 1_000_000);
            v.requiredRange("rateLimit.perSeconds", d.rateLimit().perSeconds(), 1, 86_400);
        }
        v.range("maxConcurrent", d.maxConcurrent(), 1, 10_000);
        v.range("retries", d.retries(), 0, 5);
        if (d.circuitBreaker() != null) {
            v.requiredRange("circuitBreaker.failureRatePercent", d.circuitBreaker().failureRatePercent(), 1, 100);
            v.requiredRange("circuitBreaker.minimumCalls", d.circuitBreaker().minimumCalls(), 1, 10_000);
            v.requiredRange("circuitBreaker.openSeconds", d.circuitBreaker().openSeconds(), 1, 3600);
        }
        v.range("maxBodyBytes", d.maxBodyBytes(), 0, 1L << 30);
        if (d.audit() != null) {
            checkMaskNames(v, "audit.maskJsonFields", d.audit().maskJsonFields());
            checkMaskNames(v, "audit.maskQueryParams", d.audit().maskQueryParams());
            v.each("audit.maskPatterns", d.audit().maskPatterns(), (field, p) -> {
                if (v.required(field, p) && !MASK_PATTERNS.contains(p)) {
                    v.add(field, Rule.ONE_OF, String.join(", ", MASK_PATTERNS));
                }
            });
        }
        checkOpenapi(v, d.openapi());
        checkMediation(v, d.mediation(), methods, d.methods());
        checkOpenapiDocument(v, d.openapiDocument());
        checkMock(v, d);
        refuseExpressions(v, "", d);
        return v.list;
    }

    /**
     * Checks a definition against the routes it would be served beside: no other route may have its id,
     * nor a path equal to its own or one a whole-segment prefix of the other ({@code /a} and {@code /a/b}).
     * {@code others} must not hold the route that the candidate replaces.
     */
    public List<Violation> checkConflicts(RouteDefinition candidate, Collection<RouteDefinition> others) {
        List<Violation> violations = new ArrayList<>();
        for (RouteDefinition other : others) {
            if (other == candidate) {
                continue;
            }
            if (candidate.id() != null && candidate.id().equals(other.id())) {
                violations.add(new Violation("id", Rule.ID_TAKEN, other.id()));
            }
            if (overlaps(candidate.path(), other.path())) {
                violations.add(new Violation("path", Rule.PATH_OVERLAPS, other.id()));
            }
            checkNesting(candidate, other, violations);
        }
        return violations;
    }

    /**
     * A composite's parts are routes with an upstream: a composite naming another as a part, or named as a
     * part by another, is refused, so that no call fans out twice or in a circle. A part route that does not
     * exist (yet) is allowed: the registry changes at run time, and such a part is answered when called.
     */
    private static void checkNesting(RouteDefinition candidate, RouteDefinition other, List<Violation> violations) {
        if (candidate.compose() != null && other.compose() != null && candidate.compose().parts() != null) {
            List<RouteDefinition.Part> parts = candidate.compose().parts();
            for (int i = 0; i < parts.size(); i++) {
                if (parts.get(i) != null && other.id() != null && other.id().equals(parts.get(i).route())) {
                    violations.add(new Violation("compose.parts[" + i + "].route", Rule.COMPOSE_NESTED, other.id()));
                }
            }
        }
        if (other.compose() != null && other.compose().parts() != null && candidate.id() != null
                && other.compose().parts().stream().anyMatch(p -> p != null && candidate.id().equals(p.route()))
                && candidate.compose() != null) {
            violations.add(new Violation("compose", Rule.COMPOSE_PART_OF, other.id()));
        }
    }

    /**
     * Validates a whole set of definitions meant to be served together: each on its own, and each against
     * those before it. Every violation's field is prefixed with the definition's source.
     */
    public List<Violation> validateAll(List<SourcedDefinition> definitions) {
        List<Violation> violations = new ArrayList<>();
        List<RouteDefinition> earlier = new ArrayList<>();
        for (SourcedDefinition s : definitions) {
            String prefix = s.source() + ": ";
            validate(s.definition()).forEach(v -> violations.add(v.at(prefix + v.field())));
            checkConflicts(s.definition(), earlier)
                    .forEach(v -> violations.add(v.at(prefix + v.field())));
            earlier.add(s.definition());
        }
        return violations;
    }

    /** @throws InvalidRouteException listing every violation, when there is any */
    public void requireValid(RouteDefinition d, String source) {
        List<Violation> violations = validate(d);
        if (!violations.isEmpty()) {
            throw new InvalidRouteException(source, violations);
        }
    }

    private static boolean overlaps(String a, String b) {
        return a != null && b != null && (a.equals(b) || a.startsWith(b + "/") || b.startsWith(a + "/"));
    }

    private static void checkPath(Violations v, String path) {
        if (!v.required("path", path)) {
            return;
        }
        if (path.length() > 512) {
            v.add("path", Rule.MAX_LENGTH, 512);
        } else if (!path.startsWith("/") || path.equals("/")) {
            v.add("path", Rule.PATH_START);
        } else if (path.endsWith("/")) {
            v.add("path", Rule.PATH_TRAILING_SLASH);
        } else {
            for (String segment : path.substring(1).split("/", -1)) {
                Violation problem = segment.isEmpty() ? new Violation("path", Rule.PATH_EMPTY_SEGMENT)
                        : segment.equals(".") || segment.equals("..") ? new Violation("path", Rule.PATH_DOT_SEGMENT)
                        : SEGMENT.matcher(segment).matches() ? null
                        : new Violation("path", Rule.PATH_SEGMENT, SEGMENT.pattern());
                if (problem != null) {
                    v.list.add(problem);
                    return;
                }
            }
        }
    }

    /** @return the route's effective methods, upper case: the valid ones listed, or GET when none are */
    private static Set<String> checkMethods(Violations v, List<String> methods) {
        if (methods == null) {
            return Set.of("GET");
        }
        if (methods.isEmpty()) {
            v.add("methods", Rule.NOT_EMPTY);
        }
        Set<String> seen = new LinkedHashSet<>();
        v.each("methods", methods, (field, m) -> {
            if (!v.required(field, m)) {
                return;
            }
            String method = m.toUpperCase(Locale.ROOT);
            if (!METHODS.contains(method)) {
                v.add(field, Rule.ONE_OF, String.join(", ", METHODS));
            } else if (!seen.add(method)) {
                v.add(field, Rule.DUPLICATE_METHOD);
            }
        });
        return seen.isEmpty() ? Set.of("GET") : seen;
    }

    private void checkUpstream(Violations v, RouteDefinition.Upstream upstream) {
        if (!v.required("upstream", upstream)) {
            return;
        }
        v.range("upstream.timeoutMs", upstream.timeoutMs(), 1, 300_000);
        URI uri = checkUrl(v, "upstream.url", upstream.url());
        checkAuth(v, upstream.auth());
        if (upstream.tls() != null) {
            checkSecretName(v, "upstream.tls.trustSecret", upstream.tls().trustSecret(), false);
            checkSecretName(v, "upstream.tls.clientCertSecret", upstream.tls().clientCertSecret(), false);
            if (uri != null && !"https".equalsIgnoreCase(uri.getScheme())) {
                v.add("upstream.tls", Rule.TLS_NEEDS_HTTPS);
            }
        }
    }

    private void checkAuth(Violations v, RouteDefinition.Auth auth) {
        if (auth == null) {
            return;
        }
        long kinds = java.util.stream.Stream.of(auth.basic(), auth.apiKey(), auth.oauth2(), auth.splp())
                .filter(java.util.Objects::nonNull).count();
        if (kinds != 1) {
            v.add("upstream.auth", Rule.AUTH_ONE_OF);
        }
        if (auth.basic() != null) {
            String username = auth.basic().username();
            if (v.required("upstream.auth.basic.username", username)) {
                v.maxLength("upstream.auth.basic.username", username, 256);
                if (username.contains(":") || username.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                    v.add("upstream.auth.basic.username", Rule.MUST_MATCH, "[^:] without control characters");
                }
            }
            checkSecret(v, "upstream.auth.basic.password", auth.basic().password());
        }
        if (auth.apiKey() != null) {
            String header = auth.apiKey().header();
            if (v.matches("upstream.auth.apiKey.header", header, HEADER)) {
                String lower = header.toLowerCase(Locale.ROOT).replace('_', '-');
                if (RESERVED_HEADERS.contains(lower) || lower.startsWith("x-gerbang-") || lower.startsWith("camel")) {
                    v.add("upstream.auth.apiKey.header", Rule.HEADER_RESERVED);
                }
            }
            checkSecret(v, "upstream.auth.apiKey.value", auth.apiKey().value());
        }
        if (auth.oauth2() != null) {
            checkUrl(v, "upstream.auth.oauth2.tokenUrl", auth.oauth2().tokenUrl());
            if (v.required("upstream.auth.oauth2.clientId", auth.oauth2().clientId())) {
                v.maxLength("upstream.auth.oauth2.clientId", auth.oauth2().clientId(), 256);
            }
            checkSecret(v, "upstream.auth.oauth2.clientSecret", auth.oauth2().clientSecret());
            v.maxLength("upstream.auth.oauth2.scope", auth.oauth2().scope(), 1000);
        }
        if (auth.splp() != null) {
            checkSecret(v, "upstream.auth.splp.token", auth.splp().token());
        }
    }

    private void checkSecret(Violations v, String field, RouteDefinition.SecretRef ref) {
        if (v.required(field, ref)) {
            checkSecretName(v, field + ".secret", ref.secret(), true);
        }
    }

    private void checkSecretName(Violations v, String field, String name, boolean required) {
        if (name == null && !required) {
            return;
        }
        if (v.matches(field, name, SecretNames.NAME) && !secrets.resolves(name)) {
            v.add(field, Rule.SECRET_UNRESOLVED, name, SecretNames.environmentVariable(name));
        }
    }

    /** An absolute http(s) URL of a host the gateway may call; {@code null} when it is none. */
    private URI checkUrl(Violations v, String field, String url) {
        if (!v.required(field, url)) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            v.add(field, Rule.URL_INVALID);
            return null;
        }
        int before = v.list.size();
        if (!uri.isAbsolute() || uri.isOpaque()) {
            v.add(field, Rule.URL_NOT_ABSOLUTE_HTTP);
            return null;
        }
        if (!uri.getScheme().equalsIgnoreCase("http") && !uri.getScheme().equalsIgnoreCase("https")) {
            v.add(field, Rule.URL_SCHEME);
        }
        if (uri.getRawUserInfo() != null) {
            v.add(field, Rule.URL_USER_INFO);
        }
        if (uri.getHost() == null) {
            // java.net.URI keeps an authority it cannot read as host and port (an empty host, a port beyond
            // int) without either
            v.add(field, uri.getRawAuthority() == null ? Rule.URL_NO_HOST : Rule.URL_HOST_PORT);
        }
        if (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65_535)) {
            v.add(field, Rule.URL_PORT);
        }
        if (!uri.toString().equals(uri.toASCIIString())) {
            // the path is sent as written, never re-encoded
            v.add(field, Rule.URL_NOT_ASCII);
        }
        if (uri.getRawQuery() != null) {
            v.add(field, Rule.URL_QUERY);
        }
        if (uri.getRawFragment() != null) {
            v.add(field, Rule.URL_FRAGMENT);
        }
        if (v.list.size() == before) {
            upstreams.check(uri).ifPresent(reason -> v.add(field, reason));
        }
        return v.list.size() == before ? uri : null;
    }

    /**
     * A composite: GET only, parts instead of an upstream (so none of the upstream's own settings), params and
     * part names that are identifiers, templates that use only declared params, each param used.
     */
    private static void checkCompose(Violations v, RouteDefinition d, Set<String> methods) {
        RouteDefinition.Compose c = d.compose();
        if (d.upstream() != null) {
            v.add("upstream", Rule.UPSTREAM_OR_COMPOSE);
        }
        if (!methods.equals(Set.of("GET"))) {
            v.add("methods", Rule.COMPOSE_GET_ONLY);
        }
        if (d.mediation() != null) {
            v.add("mediation", Rule.COMPOSE_NOT_HERE);
        }
        if (d.retries() != null) {
            v.add("retries", Rule.COMPOSE_NOT_HERE);
        }
        if (d.circuitBreaker() != null) {
            v.add("circuitBreaker", Rule.COMPOSE_NOT_HERE);
        }
        Set<String> params = new LinkedHashSet<>();
        if (c.params() != null && c.params().size() > MAX_PARAMS) {
            v.add("compose.params", Rule.RANGE, 0, MAX_PARAMS);
        }
        v.each("compose.params", c.params(), (field, name) -> {
            if (v.matches(field, name, IDENTIFIER) && !params.add(name)) {
                v.add(field, Rule.DUPLICATE_NAME);
            }
        });
        if (c.partial() != null && !PARTIAL.contains(c.partial())) {
            v.add("compose.partial", Rule.ONE_OF, String.join(", ", PARTIAL));
        }
        if (!v.required("compose.parts", c.parts())) {
            return;
        }
        if (c.parts().isEmpty() || c.parts().size() > MAX_PARTS) {
            v.add("compose.parts", Rule.RANGE, 1, MAX_PARTS);
        }
        Set<String> names = new HashSet<>();
        Set<String> used = new HashSet<>();
        v.each("compose.parts", c.parts(), (field, part) -> {
            if (!v.required(field, part)) {
                return;
            }
            if (v.matches(field + ".name", part.name(), IDENTIFIER)) {
                if (part.name().equals(INCOMPLETE)) {
                    v.add(field + ".name", Rule.COMPOSE_RESERVED_NAME);
                } else if (!names.add(part.name())) {
                    v.add(field + ".name", Rule.DUPLICATE_NAME);
                }
            }
            if (v.matches(field + ".route", part.route(), ROUTE_ID) && part.route().equals(d.id())) {
                v.add(field + ".route", Rule.COMPOSE_SELF);
            }
            if (part.path() != null) {
                checkPathTemplate(v, field + ".path", part.path(), params, used);
            }
            if (part.query() != null) {
                if (part.query().size() > MAX_QUERY) {
                    v.add(field + ".query", Rule.RANGE, 0, MAX_QUERY);
                }
                part.query().forEach((name, value) -> {
                    String f = field + ".query." + name;
                    if (!QUERY_TOKEN.matcher(name).matches()) {
                        v.add(f, Rule.MUST_MATCH, QUERY_TOKEN.pattern());
                    }
                    if (v.required(f, value)) {
                        checkTemplateValue(v, f, value, QUERY_TOKEN, params, used, Rule.COMPOSE_QUERY_VALUE);
                    }
                });
            }
        });
        v.each("compose.params", c.params(), (field, name) -> {
            if (name != null && params.contains(name) && !used.contains(name)) {
                v.add(field, Rule.COMPOSE_UNUSED_PARAM);
            }
        });
    }

    private static void checkPathTemplate(Violations v, String field, String path, Set<String> params, Set<String> used) {
        if (!v.maxLength(field, path, 512)) {
            return;
        }
        if (!path.startsWith("/") || path.equals("/") || path.endsWith("/")) {
            v.add(field, Rule.COMPOSE_PATH_TEMPLATE, SEGMENT.pattern());
            return;
        }
        for (String segment : path.substring(1).split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                v.add(field, Rule.PATH_DOT_SEGMENT);
                return;
            }
            if (!checkTemplateValue(v, field, segment, SEGMENT, params, used, Rule.COMPOSE_PATH_TEMPLATE)) {
                return;
            }
        }
    }

    /** A literal matching {@code literal}, or exactly one declared {@code {param}}. */
    private static boolean checkTemplateValue(Violations v, String field, String value, Pattern literal, Set<String> params,
            Set<String> used, Rule shape) {
        java.util.regex.Matcher ref = PARAM_REF.matcher(value);
        if (ref.matches()) {
            if (!params.contains(ref.group(1))) {
                v.add(field, Rule.COMPOSE_UNKNOWN_PARAM, ref.group(1));
                return false;
            }
            used.add(ref.group(1));
            return true;
        }
        if (!literal.matcher(value).matches()) {
            v.add(field, shape, literal.pattern());
            return false;
        }
        return true;
    }

    /**
     * Exactly one kind of mediation. A SOAP route serves POST only: the caller's JSON object is the
     * operation's input, and an envelope is always sent with POST.
     */
    private static void checkMediation(Violations v, RouteDefinition.Mediation m, Set<String> methods,
            List<String> declaredMethods) {
        if (m == null) {
            return;
        }
        if ((m.soap() == null) == (m.xml() == null)) {
            v.add("mediation", Rule.ONE_MEDIATION);
            return;
        }
        if (m.xml() != null) {
            String root = m.xml().root();
            if (root != null && v.maxLength("mediation.xml.root", root, 255) && !NCNAME.matcher(root).matches()) {
                v.add("mediation.xml.root", Rule.NCNAME);
            }
            return;
        }
        RouteDefinition.Soap soap = m.soap();
        if (v.required("mediation.soap.version", soap.version()) && !SOAP_VERSIONS.contains(soap.version())) {
            v.add("mediation.soap.version", Rule.ONE_OF, String.join(", ", SOAP_VERSIONS));
        }
        if (v.required("mediation.soap.namespace", soap.namespace())
                && v.maxLength("mediation.soap.namespace", soap.namespace(), 2048)) {
            try {
                URI uri = new URI(soap.namespace());
                if (!uri.isAbsolute() || !uri.toString().equals(uri.toASCIIString())) {
                    v.add("mediation.soap.namespace", Rule.ABSOLUTE_URI);
                }
            } catch (URISyntaxException e) {
                v.add("mediation.soap.namespace", Rule.ABSOLUTE_URI);
            }
        }
        if (v.required("mediation.soap.operation", soap.operation())
                && v.maxLength("mediation.soap.operation", soap.operation(), 255)
                && !NCNAME.matcher(soap.operation()).matches()) {
            v.add("mediation.soap.operation", Rule.NCNAME);
        }
        if (soap.soapAction() != null && v.maxLength("mediation.soap.soapAction", soap.soapAction(), 1024)
                && !SOAP_ACTION.matcher(soap.soapAction()).matches()) {
            v.add("mediation.soap.soapAction", Rule.SOAP_ACTION);
        }
        if (declaredMethods == null || !methods.equals(Set.of("POST"))) {
            v.add("methods", Rule.SOAP_POST_ONLY);
        }
    }

    /** A link shown in the catalogue: an absolute http(s) URL without credentials. */
    private static void checkOpenapi(Violations v, String openapi) {
        if (openapi == null) {
            return;
        }
        v.maxLength("openapi", openapi, 2048);
        try {
            URI uri = new URI(openapi);
            if (!uri.isAbsolute() || uri.isOpaque() || uri.getHost() == null
                    || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))) {
                v.add("openapi", Rule.URL_NOT_ABSOLUTE_HTTP);
            } else if (uri.getRawUserInfo() != null) {
                v.add("openapi", Rule.URL_USER_INFO_LINK);
            }
        } catch (URISyntaxException e) {
            v.add("openapi", Rule.URL_INVALID);
        }
    }

    /**
     * The OpenAPI document a route carries itself (docs/routes.md, "Mock routes"): an OpenAPI 3.0 or 3.1
     * document as a JSON object, bounded in size and depth, whose references all point inside it. It is data
     * and stays data: nothing in it is fetched ({@code $ref} to another document, {@code externalValue}) or
     * evaluated.
     */
    private static void checkOpenapiDocument(Violations v, JsonNode document) {
        if (document == null) {
            return;
        }
        String field = "openapiDocument";
        if (!document.isObject()) {
            v.add(field, Rule.EXPECTED_OBJECT);
            return;
        }
        if (document.toString().length() > MAX_OPENAPI_DOCUMENT_CHARS) {
            v.add(field, Rule.OPENAPI_TOO_LARGE, MAX_OPENAPI_DOCUMENT_CHARS);
            return; // nothing more of it is looked at
        }
        if (depth(document, 0) > MAX_OPENAPI_DOCUMENT_DEPTH) {
            v.add(field, Rule.OPENAPI_TOO_DEEP, MAX_OPENAPI_DOCUMENT_DEPTH);
            return;
        }
        JsonNode version = document.get("openapi");
        if (version == null || !version.isTextual() || !OPENAPI_VERSION.matcher(version.asText()).matches()) {
            v.add(field + ".openapi", Rule.OPENAPI_VERSION);
        }
        JsonNode paths = document.get("paths");
        if (paths == null || !paths.isObject()) {
            v.add(field + ".paths", Rule.OPENAPI_PATHS);
        } else {
            paths.fieldNames().forEachRemaining(p -> {
                if (!p.startsWith("/") || p.length() > 512) {
                    v.add(field + ".paths", Rule.OPENAPI_PATHS);
                }
            });
        }
        externalReferences(v, field, document);
    }

    private static int depth(JsonNode node, int level) {
        if (level > MAX_OPENAPI_DOCUMENT_DEPTH) {
            return level;
        }
        int deepest = level;
        for (JsonNode child : node) {
            if (child.isContainerNode()) {
                deepest = Math.max(deepest, depth(child, level + 1));
            }
        }
        return deepest;
    }

    /** Every {@code $ref} that leaves the document, and every {@code externalValue}: refused, never fetched. */
    private static void externalReferences(Violations v, String field, JsonNode node) {
        if (node.isObject()) {
            var fields = node.fields();
            while (fields.hasNext() && v.list.size() < 50) {
                var e = fields.next();
                String at = field + "." + e.getKey();
                if (e.getKey().equals("$ref") && !(e.getValue().isTextual() && e.getValue().asText().startsWith("#/"))
                        || e.getKey().equals("externalValue") && e.getValue().isTextual()) {
                    v.add(at.length() > 200 ? at.substring(0, 197) + "..." : at, Rule.OPENAPI_EXTERNAL_REF);
                } else {
                    externalReferences(v, at, e.getValue());
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                externalReferences(v, field + "[" + i + "]", node.get(i));
            }
        }
    }

    /**
     * {@code mock: true} answers from the route's own OpenAPI document, so it needs one; it replaces the
     * upstream call, so what shapes that call (mediation) makes no sense beside it.
     */
    private static void checkMock(Violations v, RouteDefinition d) {
        if (!Boolean.TRUE.equals(d.mock())) {
            return;
        }
        if (d.openapiDocument() == null) {
            v.add("mock", Rule.MOCK_NEEDS_DOCUMENT);
        }
        if (d.mediation() != null) {
            v.add("mediation", Rule.MOCK_EXCLUDES, "mediation");
        }
        if (d.compose() != null) {
            v.add("compose", Rule.MOCK_EXCLUDES, "compose");
        }
    }

    private static void checkGrants(Violations v, String field, List<RouteDefinition.Grant> grants, Pattern idPattern,
            Set<String> routeMethods) {
        Set<String> ids = new HashSet<>();
        v.each(field, grants, (grantField, grant) -> {
            if (!v.required(grantField, grant)) {
                return;
            }
            String idField = grantField + ".id";
            if (v.matches(idField, grant.id(), idPattern) && !ids.add(grant.id())) {
                v.add(idField, Rule.DUPLICATE_ID);
            }
            if (grant.methods() != null && grant.methods().isEmpty()) {
                v.add(grantField + ".methods", Rule.NOT_EMPTY);
            }
            v.each(grantField + ".methods", grant.methods(), (methodField, m) -> {
                if (v.required(methodField, m) && !routeMethods.contains(m.toUpperCase(Locale.ROOT))) {
                    v.add(methodField, Rule.AMONG_ROUTE_METHODS, routeMethods);
                }
            });
        });
    }

    private static void checkMaskNames(Violations v, String field, List<String> names) {
        v.each(field, names, (f, name) -> {
            if (name == null || name.isBlank()) {
                v.add(f, Rule.NOT_BLANK);
            } else {
                v.maxLength(f, name, 128);
            }
        });
    }

    /** Walks every string of the definition, whatever record or list it sits in. */
    private static void refuseExpressions(Violations v, String field, Object value) {
        if (value instanceof String s) {
            if (EXPRESSION_MARKERS.stream().anyMatch(s::contains)) {
                v.add(field, Rule.EXPRESSION);
            }
        } else if (value instanceof java.util.Map<?, ?> map) {
            map.forEach((k, item) -> {
                refuseExpressions(v, field + "." + k, k);
                refuseExpressions(v, field + "." + k, item);
            });
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                refuseExpressions(v, field + "[" + i + "]", list.get(i));
            }
        } else if (value instanceof JsonNode node) {
            refuseExpressions(v, field, node);
        } else if (value instanceof Record record) {
            for (RecordComponent c : record.getClass().getRecordComponents()) {
                refuseExpressions(v, field.isEmpty() ? c.getName() : field + "." + c.getName(), component(record, c));
            }
        }
    }

    /** An OpenAPI document's names and text values: data served as written, and never an expression either. */
    private static void refuseExpressions(Violations v, String field, JsonNode node) {
        if (node.isTextual()) {
            refuseExpressions(v, field, node.asText());
        } else if (node.isObject()) {
            var fields = node.fields();
            while (fields.hasNext()) {
                var e = fields.next();
                String at = field + "." + e.getKey();
                at = at.length() > 200 ? at.substring(0, 197) + "..." : at;
                refuseExpressions(v, at, e.getKey());
                refuseExpressions(v, at, e.getValue());
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                refuseExpressions(v, field + "[" + i + "]", node.get(i));
            }
        }
    }

    private static Object component(Record record, RecordComponent c) {
        try {
            return c.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + c, e);
        }
    }

    /** The violations found so far, with the checks that add to them. */
    private static final class Violations {
        final List<Violation> list = new ArrayList<>();

        void add(String field, Rule rule, Object... args) {
            list.add(new Violation(field, rule, args));
        }

        boolean required(String field, Object value) {
            if (value == null) {
                add(field, Rule.REQUIRED);
            }
            return value != null;
        }

        boolean matches(String field, String value, Pattern pattern) {
            if (!required(field, value)) {
                return false;
            }
            if (!pattern.matcher(value).matches()) {
                add(field, Rule.MUST_MATCH, pattern.pattern());
                return false;
            }
            return true;
        }

        /** @return whether the value is within {@code max} characters (or absent) */
        boolean maxLength(String field, String value, int max) {
            if (value != null && value.length() > max) {
                add(field, Rule.MAX_LENGTH, max);
                return false;
            }
            return true;
        }

        void range(String field, Number value, long min, long max) {
            if (value != null && (value.longValue() < min || value.longValue() > max)) {
                add(field, Rule.RANGE, min, max);
            }
        }

        void requiredRange(String field, Number value, long min, long max) {
            if (required(field, value)) {
                range(field, value, min, max);
            }
        }

        <T> void each(String field, List<T> values, BiConsumer<String, T> check) {
            if (values != null) {
                for (int i = 0; i < values.size(); i++) {
                    check.accept(field + "[" + i + "]", values.get(i));
                }
            }
        }
    }
}
