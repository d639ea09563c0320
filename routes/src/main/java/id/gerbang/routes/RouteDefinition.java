package id.gerbang.routes;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
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
        Mediation mediation) {

    /** A definition without mediation: its upstream speaks what its callers speak. */
    public RouteDefinition(String id, String owner, String name, String description, String path,
            List<String> methods, Upstream upstream, Access access, RateLimit rateLimit, Integer maxConcurrent,
            Integer retries, CircuitBreaker circuitBreaker, Long maxBodyBytes, Audit audit, String openapi) {
        this(id, owner, name, description, path, methods, upstream, access, rateLimit, maxConcurrent, retries,
                circuitBreaker, maxBodyBytes, audit, openapi, null);
    }

    /** A definition without an OpenAPI document. */
    public RouteDefinition(String id, String owner, String name, String description, String path,
            List<String> methods, Upstream upstream, Access access, RateLimit rateLimit, Integer maxConcurrent,
            Integer retries, CircuitBreaker circuitBreaker, Long maxBodyBytes, Audit audit) {
        this(id, owner, name, description, path, methods, upstream, access, rateLimit, maxConcurrent, retries,
                circuitBreaker, maxBodyBytes, audit, null, null);
    }

    /** The OPD's service the route forwards to; the rest of the request path is appended to {@code url}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Upstream(String url, Integer timeoutMs) {}

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
}
