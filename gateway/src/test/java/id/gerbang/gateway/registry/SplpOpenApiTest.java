package id.gerbang.gateway.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinitionReader;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The document SPLP's API manager imports, checked against the vendor extensions WSO2 API Manager documents
 * (their list, where each is read and its shape: {@code splp/wso2-openapi-extensions.json}, with its source).
 */
class SplpOpenApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    private static final Route ROUTE = Route.from(new RouteDefinitionReader().readYaml("""
            id: bapenda-pbb
            owner: bapenda
            name: Tagihan PBB
            description: Tagihan PBB-P2 per NOP <b>&amp</b> "kutip", dari http://sipd.bapenda.internal:8443/pbb dengan token splp-bapenda-token
            path: /bapenda/pbb
            methods: [GET, POST]
            upstream:
              url: http://sipd.bapenda.internal:8443/pbb
              auth: {splp: {token: {secret: splp-bapenda-token}}}
              callerAssertion: true
            access: {clients: [dinkes-simpus], opds: [dpmptsp]}
            openapi: https://sipd.bapenda.internal/openapi.json
            """, "test").get(0), 4);

    private static final JsonNode DOC = JSON.valueToTree(
            SplpOpenApi.of(ROUTE, "https://gerbang.pelalawankab.go.id", "/pelalawan", "1.0.0"));

    private static JsonNode documented() throws Exception {
        try (InputStream in = SplpOpenApiTest.class.getResourceAsStream("/splp/wso2-openapi-extensions.json")) {
            return JSON.readTree(in);
        }
    }

    /** Every {@code x-} key of the document, with where WSO2 would read it. */
    private static List<Map.Entry<String, JsonNode>> extensions(List<String> levels) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        collect(DOC, "root", out, levels);
        return out;
    }

    private static void collect(JsonNode node, String level, List<Map.Entry<String, JsonNode>> out, List<String> levels) {
        if (node.isArray()) {
            node.forEach(n -> collect(n, "elsewhere", out, levels));
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getKey().startsWith("x-")) {
                out.add(f);
                levels.add(level);
                continue;
            }
            collect(f.getValue(), childLevel(node, level, f.getKey()), out, levels);
        }
    }

    /** Operations are {@code paths.<path>.<method>}; security schemes {@code components.securitySchemes.<name>}. */
    private static String childLevel(JsonNode parent, String level, String key) {
        if (parent == DOC.get("paths")) {
            return "path";
        }
        if (level.equals("path") && METHODS.contains(key)) {
            return "operation";
        }
        if (parent == DOC.path("components").path("securitySchemes")) {
            return "securityScheme";
        }
        return "elsewhere";
    }

    private static void assertShape(String name, JsonNode value, JsonNode shape) {
        String type = shape.get("type").asText();
        switch (type) {
            case "string" -> assertThat(value.isTextual()).as("%s is a string", name).isTrue();
            case "boolean" -> assertThat(value.isBoolean()).as("%s is a boolean", name).isTrue();
            case "integer" -> assertThat(value.isIntegralNumber()).as("%s is an integer", name).isTrue();
            case "array" -> assertThat(value.isArray()).as("%s is an array", name).isTrue();
            case "object" -> assertThat(value.isObject()).as("%s is an object", name).isTrue();
            default -> throw new AssertionError("unknown type " + type);
        }
        if (shape.has("enum")) {
            List<String> allowed = new ArrayList<>();
            shape.get("enum").forEach(e -> allowed.add(e.asText()));
            assertThat(value.asText()).as("%s is one of the documented values", name).isIn(allowed);
        }
        if (shape.has("items")) {
            value.forEach(item -> assertShape(name + "[]", item, shape.get("items")));
        }
        if (value.isObject() && shape.has("properties")) {
            value.fields().forEachRemaining(p -> {
                assertThat(shape.get("properties").has(p.getKey())).as("%s.%s is documented", name, p.getKey()).isTrue();
                assertShape(name + "." + p.getKey(), p.getValue(), shape.get("properties").get(p.getKey()));
            });
        }
        if (shape.has("required")) {
            shape.get("required").forEach(r -> assertThat(value.has(r.asText())).as("%s has %s", name, r.asText()).isTrue());
        }
    }

    @Test
    void everyExtensionWrittenIsOneWso2DocumentsWhereItIsReadAndInItsShape() throws Exception {
        JsonNode documented = documented().get("extensions");
        List<String> levels = new ArrayList<>();
        List<Map.Entry<String, JsonNode>> found = extensions(levels);

        assertThat(found).isNotEmpty();
        for (int i = 0; i < found.size(); i++) {
            String name = found.get(i).getKey();
            assertThat(documented.has(name)).as("%s is documented by WSO2", name).isTrue();
            List<String> where = new ArrayList<>();
            documented.get(name).get("levels").forEach(l -> where.add(l.asText()));
            assertThat(levels.get(i)).as("where %s is", name).isIn(where);
            assertShape(name, found.get(i).getValue(), documented.get(name));
        }
    }

    @Test
    void theExtensionsSplpNeedsArePresent() throws Exception {
        List<String> names = extensions(new ArrayList<>()).stream().map(Map.Entry::getKey).toList();

        documented().get("requiredForSplp").fieldNames().forEachRemaining(required ->
                assertThat(names).as("the document has %s", required).contains(required));
        assertThat(DOC.get("x-wso2-auth-header").asText()).isEqualTo("AuthorizationSPLP");
        assertThat(DOC.get("x-wso2-basePath").asText()).isEqualTo("/pelalawan/bapenda/pbb/1.0.0");
        assertThat(DOC.get("x-wso2-production-endpoints")).isEqualTo(JSON.readTree(
                "{\"urls\":[\"https://gerbang.pelalawankab.go.id/api/bapenda/pbb\"],\"type\":\"http\"}"));
        assertThat(DOC.get("x-wso2-response-cache").get("enabled").asBoolean()).isFalse();
    }

    @Test
    void isAnOpenApi3DocumentOfTheServicesMethodsAtGerbangsAddress() {
        assertThat(DOC.get("openapi").asText()).startsWith("3.0.");
        assertThat(DOC.get("info").get("title").asText()).isEqualTo("bapenda-pbb");
        assertThat(DOC.get("info").get("version").asText()).isEqualTo("1.0.0");
        assertThat(DOC.get("info").get("description").asText()).contains("Tagihan PBB", "/api/bapenda/pbb");
        assertThat(DOC.get("servers").get(0).get("url").asText()).isEqualTo("https://gerbang.pelalawankab.go.id/api/bapenda/pbb");
        JsonNode any = DOC.get("paths").get("/*");
        assertThat(any.fieldNames()).toIterable().containsExactly("get", "post");
        any.forEach(op -> {
            assertThat(op.get("responses").size()).isPositive();
            assertThat(op.get("security").get(0).has("default")).isTrue();
        });
        assertThat(DOC.get("components").get("securitySchemes").has("default")).isTrue();
    }

    @Test
    void saysNothingPrivateNoUpstreamNoSecretNoAccessListEvenWhereTheDescriptionMentionsThem() throws Exception {
        String text = JSON.writeValueAsString(DOC);

        assertThat(text).doesNotContain("internal", "8443", "splp-bapenda-token", "secret", "dinkes-simpus", "dpmptsp",
                "callerAssertion", "openapi.json");
        assertThat(DOC.get("info").get("description").asText()).as("the description, its private words blanked out")
                .startsWith("Tagihan PBB. Tagihan PBB-P2 per NOP <b>&amp</b> \"kutip\", dari … dengan token … ");
    }

    @Test
    void aTrailingSlashOfThePublicAddressIsNotDoubled() {
        JsonNode doc = JSON.valueToTree(SplpOpenApi.of(ROUTE, "https://gerbang.example.go.id/", "", "v1"));

        assertThat(doc.get("x-wso2-production-endpoints").get("urls").get(0).asText())
                .isEqualTo("https://gerbang.example.go.id/api/bapenda/pbb");
        assertThat(doc.get("x-wso2-basePath").asText()).isEqualTo("/bapenda/pbb/v1");
    }

    @Test
    void aComposedServiceWithoutAnUpstreamHasItsDocumentToo() throws Exception {
        String yaml = new String(SplpOpenApiTest.class.getResourceAsStream("/sandbox/routes/profil-warga.yaml").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        Route composite = Route.from(new RouteDefinitionReader().readYaml(yaml, "sandbox").get(0), 1);

        JsonNode doc = JSON.valueToTree(SplpOpenApi.of(composite, "https://gerbang.example.go.id", "", "1.0.0"));

        assertThat(doc.get("x-wso2-production-endpoints").get("urls").get(0).asText())
                .isEqualTo("https://gerbang.example.go.id/api/warga/profil");
        assertThat(doc.get("paths").get("/*").fieldNames()).toIterable().containsExactly("get");
    }
}
