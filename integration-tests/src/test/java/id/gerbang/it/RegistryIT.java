package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static id.gerbang.it.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.GatewayTest;
import id.gerbang.it.support.RawHttp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The route registry through its admin API, on one node: publish in YAML or JSON, serve at once, change
 * under an ETag, roll back from the history, see it in the catalogue and on the trail; and every bad
 * request refused with a clear error and nothing changed.
 */
class RegistryIT extends GatewayTest {

    private static final String ADMIN = "gerbang-admin";
    private static int routes;
    private String id;
    private String path;

    @BeforeEach
    void freshRoute() {
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("served")));
        routes++;
        id = "reg-it-" + routes + "-" + System.nanoTime() % 100_000;
        path = "/reg-it/" + id;
    }

    private String yaml(String upstreamPath) {
        return """
                id: %s
                owner: dinkes
                name: Pendaftaran pasien
                path: %s
                methods: [GET, POST]
                upstream:
                  url: %s%s
                access:
                  opds: [dinkes]
                openapi: https://docs.pelalawankab.go.id/dinkes/pasien.json
                """.formatted(id, path, wm.baseUrl(), upstreamPath);
    }

    private HttpResponse<String> admin(String method, String adminPath, String contentType, String body,
            String... headers) throws Exception {
        return as(ADMIN, method, adminPath, contentType, body, headers);
    }

    private HttpResponse<String> as(String client, String method, String adminPath, String contentType, String body,
            String... headers) throws Exception {
        HttpRequest.Builder b = gw.request(adminPath).header("Authorization", "Bearer " + gw.token(client));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return gw.send(b.build());
    }

    private HttpResponse<String> put(String body) throws Exception {
        return admin("PUT", "/admin/routes/" + id, "application/yaml", body);
    }

    private HttpResponse<String> call(String rest) throws Exception {
        return gw.get("/api" + path + rest, "dinkes-simpus");
    }

    @Test
    void aRoutePublishedInYamlIsServedAtOnceAndReadBackAsWritten() throws Exception {
        HttpResponse<String> created = put(yaml("/v1"));

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("ETag")).hasValue("\"1\"");
        assertThat(created.headers().firstValue("Location")).hasValue("/admin/routes/" + id);
        JsonNode json = Gateway.json(created.body());
        assertThat(json.path("changedBy").asText()).isEqualTo(ADMIN);
        assertThat(json.path("definition").path("path").asText()).isEqualTo(path);

        assertThat(call("/42").statusCode()).isEqualTo(200);
        assertThat(received()).extracting(r -> r.getUrl()).containsExactly("/v1/42");

        HttpResponse<String> asYaml = admin("GET", "/admin/routes/" + id, null, null, "Accept", "application/yaml");
        assertThat(asYaml.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/yaml"));
        assertThat(asYaml.headers().firstValue("ETag")).hasValue("\"1\"");
        assertThat(asYaml.body()).startsWith("id: " + id + "\n").contains("path: " + path + "\n");
    }

    @Test
    void aChangeNeedsTheCurrentEtagAndAStaleOneChangesNothing() throws Exception {
        put(yaml("/v1"));

        HttpResponse<String> changed = admin("PUT", "/admin/routes/" + id, "application/yaml", yaml("/v2"), "If-Match", "\"1\"");
        HttpResponse<String> stale = admin("PUT", "/admin/routes/" + id, "application/yaml", yaml("/v3"), "If-Match", "\"1\"");
        HttpResponse<String> createOnly = admin("PUT", "/admin/routes/" + id, "application/yaml", yaml("/v3"), "If-None-Match", "*");

        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
        assertThat(changed.headers().firstValue("ETag")).hasValue("\"2\"");
        assertThat(assertProblem(stale, 412, "PRECONDITION_FAILED").path("detail").asText()).contains("version 2");
        assertProblem(createOnly, 412, "PRECONDITION_FAILED");
        call("/x");
        assertThat(received()).extracting(r -> r.getUrl()).containsExactly("/v2/x");
    }

    @Test
    void theSameDefinitionAgainMakesNoNewVersion() throws Exception {
        put(yaml("/v1"));

        HttpResponse<String> again = put(yaml("/v1"));

        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.headers().firstValue("ETag")).hasValue("\"1\"");
        assertThat(Gateway.json(admin("GET", "/admin/routes/" + id + "/history", null, null).body())).hasSize(1);
    }

    @Test
    void aRouteIsRolledBackByPuttingAnOldVersionFromItsHistory() throws Exception {
        put(yaml("/v1"));
        put(yaml("/v2"));

        HttpResponse<String> v1 = admin("GET", "/admin/routes/" + id + "/history/1", null, null, "Accept", "application/yaml");
        HttpResponse<String> rolledBack = admin("PUT", "/admin/routes/" + id, "application/yaml", v1.body(), "If-Match", "\"2\"");

        assertThat(rolledBack.statusCode()).as(rolledBack.body()).isEqualTo(200);
        assertThat(rolledBack.headers().firstValue("ETag")).hasValue("\"3\"");
        JsonNode history = Gateway.json(admin("GET", "/admin/routes/" + id + "/history", null, null).body());
        assertThat(history).extracting(h -> h.path("version").asInt() + " " + h.path("change").asText() + " "
                + h.path("definition").path("upstream").path("url").asText().replace(wm.baseUrl(), ""))
                .containsExactly("1 create /v1", "2 replace /v2", "3 replace /v1");
        call("/after");
        assertThat(received()).extracting(r -> r.getUrl()).containsExactly("/v1/after");
    }

    @Test
    void aDeletedRouteIsNoLongerServedAndItsHistoryStays() throws Exception {
        put(yaml("/v1"));

        HttpResponse<String> deleted = admin("DELETE", "/admin/routes/" + id, null, null, "If-Match", "\"1\"");
        HttpResponse<String> again = admin("DELETE", "/admin/routes/" + id, null, null);

        assertThat(deleted.statusCode()).isEqualTo(204);
        assertProblem(again, 404, "ROUTE_NOT_FOUND");
        assertProblem(call("/x"), 404, "ROUTE_NOT_FOUND");
        assertProblem(admin("GET", "/admin/routes/" + id, null, null), 404, "ROUTE_NOT_FOUND");
        assertThat(Gateway.json(admin("GET", "/admin/routes/" + id + "/history", null, null).body()))
                .extracting(h -> h.path("change").asText()).containsExactly("create", "delete");
    }

    @Test
    void jsonIsAcceptedAsWellAsYamlAndAnAbsentIdIsTakenFromThePath() throws Exception {
        String json = """
                {"owner":"dinkes","path":"%s","upstream":{"url":"%s/json"},"access":{"clients":["dinkes-simpus"]}}"""
                .formatted(path, wm.baseUrl());

        HttpResponse<String> r = admin("PUT", "/admin/routes/" + id, "application/json", json);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(Gateway.json(r.body()).path("definition").path("id").asText()).isEqualTo(id);
    }

    @Test
    void theDryRunValidatesWithoutChangingAnything() throws Exception {
        HttpResponse<String> ok = admin("POST", "/admin/routes:validate", "application/yaml", yaml("/v1"));
        HttpResponse<String> bad = admin("POST", "/admin/routes:validate", "application/yaml",
                yaml("/v1").replace("owner: dinkes", "owner: Dinas Kesehatan").replace(wm.baseUrl(), "http://169.254.169.254"));

        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(Gateway.json(ok.body()).path("valid").asBoolean()).isTrue();
        JsonNode problem = assertProblem(bad, 400, "BAD_REQUEST");
        assertThat(problem.path("violations")).extracting(v -> v.path("field").asText())
                .containsExactlyInAnyOrder("owner", "upstream.url");
        assertProblem(admin("GET", "/admin/routes/" + id, null, null), 404, "ROUTE_NOT_FOUND");
    }

    @Test
    void aPathOverlappingAnotherRouteIsRefusedNamingTheOther() throws Exception {
        HttpResponse<String> r = put(yaml("/v1").replace("path: " + path, "path: /it/echo/sub"));

        JsonNode problem = assertProblem(r, 400, "BAD_REQUEST");
        assertThat(problem.path("violations")).singleElement().satisfies(v -> {
            assertThat(v.path("field").asText()).isEqualTo("path");
            assertThat(v.path("message").asText()).contains("it-echo");
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            an upstream outside the allow-list | http://10.10.2.15:8080/simduk     | upstream.url
            a cloud metadata address           | http://169.254.169.254/latest     | upstream.url
            a non-http upstream                | ftp://127.0.0.1/files             | upstream.url
            """)
    void anUpstreamTheGatewayMustNotReachIsRefused(String what, String url, String field) throws Exception {
        HttpResponse<String> r = put(yaml("").replace(wm.baseUrl(), url));

        assertThat(assertProblem(r, 400, "BAD_REQUEST").path("violations")).extracting(v -> v.path("field").asText())
                .containsExactly(field);
        assertProblem(admin("GET", "/admin/routes/" + id, null, null), 404, "ROUTE_NOT_FOUND");
    }

    @Test
    void badBodiesAreRefusedWithAClearErrorAndChangeNothing() throws Exception {
        List<HttpResponse<String>> refused = new ArrayList<>();
        refused.add(admin("PUT", "/admin/routes/" + id, "application/json", "{\"id\": "));
        refused.add(admin("PUT", "/admin/routes/" + id, "application/yaml", yaml("/v1") + "secret: 1\n"));
        refused.add(admin("PUT", "/admin/routes/" + id, "application/yaml", yaml("/v1").replace("id: " + id, "id: another-id")));
        refused.add(admin("PUT", "/admin/routes/" + id, "application/yaml", yaml("/v1") + "---\n" + yaml("/v2")));
        refused.add(admin("PUT", "/admin/routes/" + id, "text/plain", yaml("/v1")));
        refused.add(admin("PUT", "/admin/routes/" + id, "application/yaml",
                yaml("/v1").replace("Pendaftaran pasien", "${jndi:ldap://x}")));
        refused.add(admin("PUT", "/admin/routes/" + id, "application/yaml", yaml("/v1"), "If-Match", "\"1\", \"2\""));
        for (HttpResponse<String> r : refused) {
            assertProblem(r, 400, "BAD_REQUEST");
        }
        HttpRequest notUtf8 = gw.request("/admin/routes/" + id).header("Authorization", "Bearer " + gw.token(ADMIN))
                .header("Content-Type", "application/yaml")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(yaml("/v1").replace("Pendaftaran", "Pendaftaran \u00ff")
                        .getBytes(StandardCharsets.ISO_8859_1)))
                .build();
        assertProblem(gw.send(notUtf8), 400, "BAD_REQUEST");
        // a declared length above the limit is refused before the body is read: only the head is sent here
        assertProblem(RawHttp.send(gw.port(), "PUT /admin/routes/" + id + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer " + gw.token(ADMIN) + "\r\nContent-Type: application/yaml\r\n"
                + "Content-Length: 300000\r\nConnection: close\r\n\r\n"), 413, "PAYLOAD_TOO_LARGE");
        assertProblem(admin("PUT", "/admin/routes/" + id, "application/yaml", yaml("/v1"), "If-Match", "\"bogus\""),
                412, "PRECONDITION_FAILED");
        assertProblem(admin("GET", "/admin/routes/" + id, null, null), 404, "ROUTE_NOT_FOUND");
        assertThat(Gateway.json(admin("GET", "/admin/routes", null, null).body()))
                .extracting(r -> r.path("id").asText()).doesNotContain(id, "another-id");
    }

    @Test
    void onlyTheAdministratorRoleMayReadOrChangeTheRegistry() throws Exception {
        assertProblem(gw.send(gw.request("/admin/routes").GET().build()), 401, "INVALID_TOKEN");
        assertProblem(as("dinkes-simpus", "GET", "/admin/routes", null, null), 403, "ACCESS_DENIED");
        assertProblem(as("inspektorat-audit", "PUT", "/admin/routes/" + id, "application/yaml", yaml("/v1")),
                403, "ACCESS_DENIED");
        assertProblem(admin("GET", "/admin/routes/" + id, null, null), 404, "ROUTE_NOT_FOUND");
        assertThat(admin("GET", "/admin/routes", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void everyChangeAndEveryRefusedAttemptIsOnTheTrailWithWhoAndWhat() throws Exception {
        put(yaml("/v1"));
        admin("PUT", "/admin/routes/" + id, "application/yaml", yaml("/v2"), "If-Match", "\"1\"", "X-User-Id", "budi.santoso");
        admin("PUT", "/admin/routes/" + id, "application/yaml", yaml("/v3"), "If-Match", "\"1\"");
        as("inspektorat-audit", "DELETE", "/admin/routes/" + id, null, null);

        HttpResponse<String> r = gw.get("/audit/records?kind=route-change&route=" + id + "&size=10", "inspektorat-audit");
        JsonNode records = Gateway.json(r.body()).path("records");
        List<String> summary = new ArrayList<>();
        records.forEach(rec -> summary.add(rec.path("method").asText() + " " + rec.path("status").asInt() + " "
                + rec.path("clientId").asText() + " " + rec.path("routeVersion").asText()));
        assertThat(summary).as(r.body()).containsExactlyInAnyOrder(
                "PUT 201 gerbang-admin 1", "PUT 200 gerbang-admin 2", "PUT 412 gerbang-admin null");
        JsonNode replace = find(records, 200);
        JsonNode detail = Gateway.json(replace.path("detail").asText());
        assertThat(detail.path("actor").asText()).isEqualTo("gerbang-admin:budi.santoso");
        assertThat(replace.path("userId").asText()).isEqualTo("budi.santoso");
        assertThat(detail.path("fromVersion").asInt()).isEqualTo(1);
        assertThat(detail.path("diff")).singleElement().satisfies(d -> {
            assertThat(d.path("field").asText()).isEqualTo("upstream.url");
            assertThat(d.path("to").asText()).endsWith("/v2");
        });
        assertThat(find(records, 201).path("requestSha256").asText()).hasSize(64);

        HttpResponse<String> refusedDelete = gw.get("/audit/records?kind=route-change&client=inspektorat-audit&status=403&size=500",
                "inspektorat-audit");
        assertThat(Gateway.json(refusedDelete.body()).path("records")).anySatisfy(rec ->
                assertThat(rec.path("path").asText()).isEqualTo("/admin/routes/" + id));
    }

    private static JsonNode find(JsonNode records, int status) {
        for (JsonNode r : records) {
            if (r.path("status").asInt() == status) {
                return r;
            }
        }
        throw new AssertionError("no record with status " + status + " in " + records);
    }

    @Test
    void theCatalogueListsServicesWithOwnerMethodsAccessAndOpenapiButNotTheUpstream() throws Exception {
        put(yaml("/v1"));

        HttpResponse<String> all = gw.get("/catalog", "bapenda-sipd");
        HttpResponse<String> one = gw.get("/catalog/" + id, "bapenda-sipd");

        assertThat(all.statusCode()).isEqualTo(200);
        assertThat(Gateway.json(all.body())).extracting(s -> s.path("id").asText()).contains(id, "it-echo");
        JsonNode service = Gateway.json(one.body());
        assertThat(service.path("owner").asText()).isEqualTo("dinkes");
        assertThat(service.path("path").asText()).isEqualTo("/api" + path);
        assertThat(service.path("methods")).extracting(JsonNode::asText).containsExactly("GET", "POST");
        assertThat(service.path("access").path("opds").get(0).path("id").asText()).isEqualTo("dinkes");
        assertThat(service.path("openapi").asText()).isEqualTo("https://docs.pelalawankab.go.id/dinkes/pasien.json");
        assertThat(one.body()).doesNotContain(wm.baseUrl()).doesNotContain("127.0.0.1");
        assertProblem(gw.get("/catalog/no-such-service", "bapenda-sipd"), 404, "ROUTE_NOT_FOUND");
        assertProblem(gw.send(gw.request("/catalog").GET().build()), 401, "INVALID_TOKEN");
    }
}
