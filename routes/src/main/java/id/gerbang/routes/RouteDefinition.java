package id.gerbang.routes;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A route as a developer writes it, in YAML or in the admin API's JSON: docs/routes.md ("A definition"),
 * field for field. Values are kept as written (absent fields are {@code null}); the defaults are applied
 * by {@link Route#from}, once the definition has passed {@link RouteValidator}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteDefinition(
        String id,
        String owner,
        String name,
        String description,
        String path,
        List<String> methods,
        Upstream upstream,
        Access access,
        RateLimit rateLimit,
        Integer maxConcurrent,
        Integer retries,
        CircuitBreaker circuitBreaker,
        Long maxBodyBytes,
        Audit audit,
        String openapi,
        Mediation mediation,
        Compose compose,
        Boolean mock,
        JsonNode openapiDocument) {

    /** A definition that is no composite, no mock, and carries no OpenAPI document (at most a link to one). */
    public RouteDefinition(String id, String owner, String name, String description, String path,
            List<String> methods, Upstream upstream, Access access, RateLimit rateLimit, Integer maxConcurrent,
            Integer retries, CircuitBreaker circuitBreaker, Long maxBodyBytes, Audit audit, String openapi,
            Mediation mediation) {
        this(id, owner, name, description, path, methods, upstream, access, rateLimit, maxConcurrent, retries,
                circuitBreaker, maxBodyBytes, audit, openapi, mediation, null, null, null);
    }

    /** A definition that is no mock and carries no OpenAPI document (at most a link to one). */
    public RouteDefinition(String id, String owner, String name, String description, String path,
            List<String> methods, Upstream upstream, Access access, RateLimit rateLimit, Integer maxConcurrent,
            Integer retries, CircuitBreaker circuitBreaker, Long maxBodyBytes, Audit audit, String openapi,
            Mediation mediation, Compose compose) {
        this(id, owner, name, description, path, methods, upstream, access, rateLimit, maxConcurrent, retries,
                circuitBreaker, maxBodyBytes, audit, openapi, mediation, compose, null, null);
    }

    /** A definition without mediation: its upstream speaks what its callers speak. */
    public RouteDefinition(String id, String owner, String name, String description, String path,
            List<String> methods, Upstream upstream, Access access, RateLimit rateLimit, Integer maxConcurrent,
            Integer retries, CircuitBreaker circuitBreaker, Long maxBodyBytes, Audit audit, String openapi) {
        this(id, owner, name, description, path, methods, upstream, access, rateLimit, maxConcurrent, retries,
                circuitBreaker, maxBodyBytes, audit, openapi, null, null);
    }

    /** A definition without an OpenAPI document. */
    public RouteDefinition(String id, String owner, String name, String description, String path,
            List<String> methods, Upstream upstream, Access access, RateLimit rateLimit, Integer maxConcurrent,
            Integer retries, CircuitBreaker circuitBreaker, Long maxBodyBytes, Audit audit) {
        this(id, owner, name, description, path, methods, upstream, access, rateLimit, maxConcurrent, retries,
                circuitBreaker, maxBodyBytes, audit, null, null, null);
    }

    /** The same definition under another id. */
    public RouteDefinition withId(String otherId) {
        return new RouteDefinition(otherId, owner, name, description, path, methods, upstream, access, rateLimit,
                maxConcurrent, retries, circuitBreaker, maxBodyBytes, audit, openapi, mediation, compose, mock,
                openapiDocument);
    }

    /** The same definition with another upstream. */
    public RouteDefinition withUpstream(Upstream other) {
        return new RouteDefinition(id, owner, name, description, path, methods, other, access, rateLimit,
                maxConcurrent, retries, circuitBreaker, maxBodyBytes, audit, openapi, mediation, compose, mock,
                openapiDocument);
    }

    /**
     * The OPD's service the route forwards to; the rest of the request path is appended to {@code url}.
     * {@code auth}, {@code tls} and {@code callerAssertion} say how the gateway identifies itself and its
     * caller to it (docs/upstream-auth.md); credentials are only ever named, never written here.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Upstream(String url, Integer timeoutMs, Auth auth, Tls tls, Boolean callerAssertion) {

        /** An upstream that trusts the network: no credentials, no TLS settings, no caller assertion. */
        public Upstream(String url, Integer timeoutMs) {
            this(url, timeoutMs, null, null, null);
        }

        /** The same upstream at another address. */
        public Upstream withUrl(String otherUrl) {
            return new Upstream(otherUrl, timeoutMs, auth, tls, callerAssertion);
        }
    }

    /** A secret by name: its value lives on each node ({@code gerbang.secrets.dir} or the environment). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SecretRef(String secret) {}

    /** How the gateway authenticates to the upstream: exactly one of the four. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Auth(Basic basic, ApiKey apiKey, OAuth2 oauth2, Splp splp) {}

    /** HTTP basic authentication. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Basic(String username, SecretRef password) {}

    /** A key sent in a header of the upstream's choosing. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ApiKey(String header, SecretRef value) {}

    /** OAuth2 client credentials: a token from {@code tokenUrl}, cached until shortly before it expires. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OAuth2(String tokenUrl, String clientId, SecretRef clientSecret, String scope) {}

    /** The national SPLP gateway's token, sent as {@code AuthorizationSPLP: Bearer <token>}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Splp(SecretRef token) {}

    /**
     * TLS towards an https upstream: {@code trustSecret} a private CA (PEM certificates) trusted instead of the
     * JDK's, {@code clientCertSecret} the gateway's own certificate and key (PEM) for mutual TLS.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Tls(String trustSecret, String clientCertSecret) {}

    /** Who may call. An absent or empty access list means nobody. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Access(List<Grant> clients, List<Grant> opds) {}

    /**
     * One entry of an access list: a client id or an OPD code, written either as a plain string (every
     * method of the route) or as {@code {id: ..., methods: [...]}} (only those methods).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Grant(String id, List<String> methods) {
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public static Grant of(String id) {
            return new Grant(id, null);
        }

        @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
        public static Grant of(@com.fasterxml.jackson.annotation.JsonProperty("id") String id,
                @com.fasterxml.jackson.annotation.JsonProperty("methods") List<String> methods) {
            return new Grant(id, methods);
        }

        /** A grant without a method list is written back as the plain string it was read from. */
        @JsonValue
        Object json() {
            return methods == null ? id : new GrantJson(id, methods);
        }

        private record GrantJson(String id, List<String> methods) {}
    }

    /** Per-client budget: at most {@code requests} calls every {@code perSeconds} seconds, across all nodes. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RateLimit(Integer requests, Integer perSeconds) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CircuitBreaker(Integer failureRatePercent, Integer minimumCalls, Integer openSeconds) {}

    /** What is masked before anything of a call is stored on the trail. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Audit(List<String> maskJsonFields, List<String> maskQueryParams, List<String> maskPatterns) {}

    /**
     * What the gateway translates between the caller and an upstream that does not speak JSON: exactly one
     * of {@code soap} and {@code xml} (docs/routes.md, "Mediation").
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Mediation(Soap soap, Xml xml) {}

    /**
     * Callers POST a JSON object; the upstream gets it as the children of {@code operation} inside a SOAP
     * envelope, and its answer's body comes back as JSON.
     *
     * @param version    {@code "1.1"} or {@code "1.2"}
     * @param namespace  the operation element's namespace, an absolute URI
     * @param operation  the operation element's local name, an XML NCName
     * @param soapAction the action: SOAP 1.1's {@code SOAPAction} header, SOAP 1.2's {@code action} parameter; optional
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Soap(String version, String namespace, String operation, String soapAction) {}

    /**
     * Callers send and get JSON; the upstream sends and gets plain XML.
     *
     * @param root the element a caller's JSON object becomes the children of (default {@code request})
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Xml(String root) {}

    /**
     * A composite route: one GET answer made of several other routes' answers, called in parallel, each
     * through its own route's policy and access check (docs/routes.md, "Composition").
     *
     * @param params  the names of the caller's path segments below the route's path, in order
     * @param parts   what to call, each under its own name in the answer
     * @param partial {@code allow} (a failed part is named in {@code incomplete}) or {@code fail} (the default:
     *                a failed part fails the call)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Compose(List<String> params, List<Part> parts, String partial) {

        public static final String ALLOW = "allow";
        public static final String FAIL = "fail";

        /** Whether an answer may leave out failed parts; {@code fail} unless written otherwise. */
        public boolean allowsPartial() {
            return ALLOW.equals(partial);
        }
    }

    /**
     * One part of a composite: a GET of route {@code route}, with {@code path} appended to that route's path and
     * {@code query} as its query; a {@code {name}} in either stands for the caller's path segment of that name.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Part(String name, String route, String path, java.util.Map<String, String> query) {}
}
