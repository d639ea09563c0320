package id.gerbang.it;

import static id.gerbang.it.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.GatewayTest;
import id.gerbang.it.support.RawHttp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A mock route ({@code mock: true}) on the packaged jar: registered through the admin API with its OpenAPI
 * document and no upstream at all, called with real tokens from the built-in issuer. Its answers are the
 * document's examples, marked {@code X-Gerbang-Mock: true}, and it passes the same pipeline as a forward:
 * token, access list, rate limit, hostile paths, the trail record with the mock's status as the upstream's.
 */
class MockRouteIT extends GatewayTest {

    private static final String ID = "dinkes-vaksin-mock";
    private static final String ROUTE = """
            id: dinkes-vaksin-mock
            owner: dinkes
            name: Riwayat imunisasi (mock)
            path: /dinkes/vaksin-mock
            methods: [GET, POST]
            access:
              opds: [dinkes]
              clients: [{ id: bapenda-sipd, methods: [GET] }]
            rateLimit: { requests: 8, perSeconds: 3600 }
            mock: true
            openapiDocument:
              openapi: 3.0.3
              info: { title: Imunisasi, version: "1" }
              paths:
                /anak/{nik}:
                  get:
                    responses:
                      "200":
                        description: riwayat imunisasi
                        content:
                          application/json:
                            examples:
                              lengkap: { value: { nik: "1404015203150001", vaksin: [BCG, Polio, DPT] } }
                /anak:
                  post:
                    responses:
                      "201":
                        description: terdaftar
                        content:
                          application/json:
                            schema:
                              type: object
                              properties:
                                nomor: { type: string, example: IMN-2026-0007 }
                /jadwal:
                  get:
                    responses:
                      "200":
                        description: belum ada contoh
                        content:
                          application/json:
                            schema: { type: object }
            """;

    private static String rateLimitedPath;

    @BeforeAll
    static void register() throws Exception {
        HttpResponse<String> created = admin("PUT", "/admin/routes/" + ID, ROUTE);
        assertThat(created.statusCode()).as(created.body()).isIn(200, 201);
        rateLimitedPath = "/api/dinkes/vaksin-mock/anak/1404015203150001";
    }

    private static HttpResponse<String> admin(String method, String path, String yaml) throws Exception {
        return gw.send(gw.request(path).header("Authorization", "Bearer " + gw.token("gerbang-admin"))
                .header("Content-Type", "application/yaml")
                .method(method, yaml == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(yaml))
                .build());
    }

    private static HttpResponse<String> call(String client, String method, String path, String body, String cid)
            throws Exception {
        HttpRequest.Builder b = gw.request(path).header("X-Correlation-Id", cid);
        if (client != null) {
            b.header("Authorization", "Bearer " + gw.token(client));
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return gw.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static JsonNode record(String cid) throws Exception {
        HttpResponse<String> r = gw.get("/audit/records?correlationId=" + cid, "inspektorat-audit");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode items = Gateway.json(r.body()).path("records");
        assertThat(items).as(r.body()).hasSize(1);
        return items.get(0);
    }

    private static String cid(String what) {
        return "mock-it-" + what + "-" + UUID.randomUUID();
    }

    @Test
    void aCallerGetsTheDocumentsExampleMarkedAsAMockAndTheTrailRecordsIt() throws Exception {
        String cid = cid("get");
        HttpResponse<String> r = call("dinkes-simpus", "GET", "/api/dinkes/vaksin-mock/anak/1404015203150001", null, cid);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Gerbang-Mock")).hasValue("true");
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(Gateway.json(r.body()).path("vaksin").toString()).isEqualTo("[\"BCG\",\"Polio\",\"DPT\"]");
        assertThat(received()).as("no upstream is called").isEmpty();

        JsonNode rec = record(cid);
        assertThat(rec.path("routeId").asText()).isEqualTo(ID);
        assertThat(rec.path("clientId").asText()).isEqualTo("dinkes-simpus");
        assertThat(rec.path("status").asInt()).isEqualTo(200);
        assertThat(rec.path("upstreamStatus").asInt()).isEqualTo(200);
        assertThat(rec.path("responseBytes").asLong()).isEqualTo(r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }

    @Test
    void aPostGetsTheStatusOfTheFirst2xxResponseAndAnExampleBuiltFromItsSchema() throws Exception {
        String cid = cid("post");
        String sent = "{\"nik\":\"1404015203150001\"}";
        HttpResponse<String> r = call("dinkes-simpus", "POST", "/api/dinkes/vaksin-mock/anak", sent, cid);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(r.body()).isEqualTo("{\"nomor\":\"IMN-2026-0007\"}");
        JsonNode rec = record(cid);
        assertThat(rec.path("upstreamStatus").asInt()).isEqualTo(201);
        assertThat(rec.path("requestBytes").asLong()).as("the caller's body was read and recorded").isEqualTo(sent.length());
    }

    @Test
    void aPathTheDocumentDoesNotHaveIs404AndAnOperationWithoutExampleIs501() throws Exception {
        HttpResponse<String> missing = call("dinkes-simpus", "GET", "/api/dinkes/vaksin-mock/dewasa/1", null, cid("404"));
        HttpResponse<String> noExample = call("dinkes-simpus", "GET", "/api/dinkes/vaksin-mock/jadwal", null, cid("501"));

        assertProblem(missing, 404, "ROUTE_NOT_FOUND");
        assertThat(missing.body()).contains("mock route dinkes-vaksin-mock");
        assertProblem(noExample, 501, "MOCK_NO_EXAMPLE");
        assertThat(noExample.body()).contains("GET /jadwal has no example");
    }

    @Test
    void theMockIsBehindTheSameDoorTokenAccessListAndHostilePaths() throws Exception {
        assertProblem(call(null, "GET", "/api/dinkes/vaksin-mock/anak/1", null, cid("401")), 401, "INVALID_TOKEN");
        assertProblem(call("dpmptsp-sicantik", "GET", "/api/dinkes/vaksin-mock/anak/1", null, cid("403")), 403,
                "ACCESS_DENIED");
        assertProblem(call("bapenda-sipd", "POST", "/api/dinkes/vaksin-mock/anak", "{}", cid("403-post")), 403,
                "ACCESS_DENIED");

        RawHttp.Response traversal = RawHttp.send(gw.port(), "GET /api/dinkes/vaksin-mock/anak/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + gw.port() + "\r\n"
                + "Authorization: Bearer " + gw.token("dinkes-simpus") + "\r\n"
                + "Connection: close\r\n\r\n");
        assertThat(traversal.status()).isEqualTo(400);
        assertThat(traversal.header("X-Gerbang-Error")).isEqualTo("BAD_REQUEST");
        assertThat(traversal.header("X-Gerbang-Mock")).isNull();
    }

    @Test
    void theRouteRateLimitCountsMockCallsLikeAnyOther() throws Exception {
        int ok = 0;
        HttpResponse<String> last = null;
        for (int i = 0; i < 10 && (last == null || last.statusCode() != 429); i++) {
            last = call("bapenda-sipd", "GET", rateLimitedPath, null, cid("rate-" + i));
            if (last.statusCode() == 200) {
                ok++;
            }
        }
        assertProblem(last, 429, "RATE_LIMITED");
        assertThat(ok).as("the budget, overshot by at most one call per node").isBetween(8, 9);
    }

    @Test
    void aCompositeWithAMockPartSaysItIsAMockToo() throws Exception {
        HttpResponse<String> created = admin("PUT", "/admin/routes/dinkes-vaksin-profil", """
                id: dinkes-vaksin-profil
                owner: dinkes
                path: /dinkes/vaksin-profil
                access: { opds: [dinkes] }
                compose:
                  params: [nik]
                  parts: [{ name: vaksin, route: dinkes-vaksin-mock, path: "/anak/{nik}" }]
                """);
        assertThat(created.statusCode()).as(created.body()).isIn(200, 201);

        HttpResponse<String> r = call("dinkes-simpus", "GET", "/api/dinkes/vaksin-profil/1404015203150001", null,
                cid("composite"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Gerbang-Mock")).hasValue("true");
        assertThat(Gateway.json(r.body()).path("vaksin").path("vaksin").toString()).isEqualTo("[\"BCG\",\"Polio\",\"DPT\"]");
    }

    @Test
    void theCatalogueSaysItIsAMockAndServesItsDocument() throws Exception {
        JsonNode entry = Gateway.json(gw.get("/catalog/" + ID, "bapenda-sipd").body());
        assertThat(entry.path("mock").asBoolean()).isTrue();
        assertThat(entry.path("openapiDocument").asText()).isEqualTo("/catalog/" + ID + "/openapi");
        assertThat(entry.has("upstream")).isFalse();

        HttpResponse<String> document = gw.get("/catalog/" + ID + "/openapi", "bapenda-sipd");
        assertThat(document.statusCode()).isEqualTo(200);
        assertThat(Gateway.json(document.body()).path("openapi").asText()).isEqualTo("3.0.3");
    }

    @Test
    void aMockWithoutADocumentOrWithAnExternalReferenceIsRefusedAndChangesNothing() throws Exception {
        HttpResponse<String> noDocument = admin("PUT", "/admin/routes/dinkes-vaksin-mock-2", """
                id: dinkes-vaksin-mock-2
                owner: dinkes
                path: /dinkes/vaksin-mock-2
                mock: true
                """);
        HttpResponse<String> external = admin("PUT", "/admin/routes/dinkes-vaksin-mock-2", """
                id: dinkes-vaksin-mock-2
                owner: dinkes
                path: /dinkes/vaksin-mock-2
                mock: true
                openapiDocument:
                  openapi: 3.1.0
                  paths:
                    /x: { $ref: "http://169.254.169.254/latest/meta-data/" }
                """);

        assertProblem(noDocument, 400, "BAD_REQUEST");
        assertThat(noDocument.body()).contains("\"field\":\"mock\"").contains("openapiDocument is required");
        assertProblem(external, 400, "BAD_REQUEST");
        assertThat(external.body()).contains("openapiDocument.paths./x.$ref").contains("never fetched");
        assertThat(admin("GET", "/admin/routes/dinkes-vaksin-mock-2", null).statusCode()).isEqualTo(404);
    }
}
