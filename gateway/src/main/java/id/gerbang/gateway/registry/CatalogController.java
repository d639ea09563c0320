package id.gerbang.gateway.registry;

import id.gerbang.gateway.context.CorrelationIds;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import id.gerbang.gateway.credentials.CredentialsSummary;
import id.gerbang.gateway.credentials.Secrets;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.Problems;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The catalogue (docs/routes.md, "The catalogue": {@code /catalog}; any authenticated client): every service this node
 * serves, with its owner, where to call it, its methods, who may call it, its OpenAPI document and its
 * mediation (what its upstream speaks: SOAP or XML). The
 * upstream's address is not shown: it is the providing OPD's internal detail, and callers only ever use
 * {@code /api}.
 */
@RestController
class CatalogController {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final RouteRegistry registry;
    private final Secrets secrets;
    private final SplpProperties splp;

    CatalogController(RouteRegistry registry, Secrets secrets, SplpProperties splp) {
        this.registry = registry;
        this.secrets = secrets;
        this.splp = splp;
    }

    @GetMapping("/catalog")
    void list(HttpServletResponse response) throws IOException {
        ArrayNode out = JSON.createArrayNode();
        registry.table().routes().stream().sorted(Comparator.comparing(Route::id)).forEach(r -> out.add(entry(r)));
        json(response, out);
    }

    @GetMapping("/catalog/{id}")
    void one(@PathVariable String id, HttpServletRequest request, HttpServletResponse response) throws IOException {
        Route route = registry.table().byId(id);
        if (route == null) {
            Problems.write(response, ErrorCode.ROUTE_NOT_FOUND, "no service has the id " + id, CorrelationIds.of(request));
            return;
        }
        json(response, entry(route));
    }

    /**
     * A service's OpenAPI document: without {@code for}, the one the route carries itself
     * ({@code openapiDocument}, docs/routes.md "Mock routes"); with {@code for=splp}, the service as SPLP's API
     * manager imports it (docs/splp.md). Who may read it is who may read the catalogue.
     */
    @GetMapping("/catalog/{id}/openapi")
    void openapi(@PathVariable String id, @RequestParam(name = "for", required = false) String target,
            HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (target != null && !"splp".equals(target)) {
            Problems.write(response, ErrorCode.BAD_REQUEST, "for must be splp: the document SPLP's API manager imports",
                    CorrelationIds.of(request));
            return;
        }
        Route route = registry.table().byId(id);
        if (route == null) {
            Problems.write(response, ErrorCode.ROUTE_NOT_FOUND, "no service has the id " + id, CorrelationIds.of(request));
            return;
        }
        if (target == null) {
            if (route.definition().openapiDocument() == null) {
                Problems.write(response, ErrorCode.BAD_REQUEST, "service " + id + " carries no OpenAPI document of its "
                        + "own: for=splp gives the document SPLP's API manager imports", CorrelationIds.of(request));
                return;
            }
            json(response, route.definition().openapiDocument());
            return;
        }
        json(response, SplpOpenApi.of(route, splp, request));
    }

    private ObjectNode entry(Route r) {
        RouteDefinition d = r.definition();
        ObjectNode e = JSON.createObjectNode().put("id", r.id()).put("version", r.version()).put("owner", r.owner());
        if (d.name() != null) {
            e.put("name", d.name());
        }
        if (d.description() != null) {
            e.put("description", d.description());
        }
        e.put("path", "/api" + r.path());
        r.methods().stream().sorted().forEach(e.putArray("methods")::add);
        ObjectNode access = e.putObject("access");
        access.set("clients", grants(r.clientGrants(), r.methods()));
        access.set("opds", grants(r.opdGrants(), r.methods()));
        if (d.rateLimit() != null) {
            e.putObject("rateLimit").put("requests", d.rateLimit().requests()).put("perSeconds", d.rateLimit().perSeconds());
        }
        if (!r.composite()) {
            e.put("timeoutMs", r.timeoutMs());
        }
        e.put("maxBodyBytes", r.maxBodyBytes());
        if (d.openapi() != null) {
            e.put("openapi", d.openapi());
        }
        if (d.openapiDocument() != null) {
            e.put("openapiDocument", "/catalog/" + r.id() + "/openapi");
        }
        if (r.mock()) {
            e.put("mock", true); // answers come from the document's examples, not from the upstream
        }
        CredentialsSummary credentials = CredentialsSummary.of(d.upstream(), secrets);
        if (credentials != null) {
            ObjectNode c = e.putObject("upstreamCredentials");
            if (credentials.auth() != null) {
                c.put("auth", credentials.auth());
            }
            c.put("callerAssertion", credentials.callerAssertion());
            ArrayNode list = c.putArray("secrets");
            credentials.secrets().forEach(s -> list.addObject().put("name", s.name()).put("field", s.field())
                    .put("resolves", s.resolves()));
        }
        if (d.mediation() != null) {
            // what a caller sends and gets is JSON either way; this says what the upstream speaks
            e.set("mediation", JSON.valueToTree(d.mediation()));
        }
        if (d.compose() != null) {
            // a caller needs access to every part's route too: each part is checked with the caller's identity
            ObjectNode c = JSON.valueToTree(d.compose());
            c.put("partial", d.compose().allowsPartial() ? RouteDefinition.Compose.ALLOW : RouteDefinition.Compose.FAIL);
            e.set("compose", c);
        }
        return e;
    }

    /** Each grantee with the methods it may call (all of the route's when its grant names none). */
    private static ArrayNode grants(Map<String, Set<String>> grants, Set<String> routeMethods) {
        ArrayNode out = JSON.createArrayNode();
        new TreeMap<>(grants).forEach((id, methods) -> {
            ObjectNode g = out.addObject().put("id", id);
            List<String> list = (methods.isEmpty() ? routeMethods : methods).stream().sorted().toList();
            list.forEach(g.putArray("methods")::add);
        });
        return out;
    }

    private static void json(HttpServletResponse response, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        response.setStatus(200);
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
