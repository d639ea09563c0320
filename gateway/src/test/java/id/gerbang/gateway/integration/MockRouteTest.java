package id.gerbang.gateway.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.GatewayException;
import id.gerbang.gateway.proxy.BoundedBody;
import id.gerbang.gateway.proxy.ForwardRequest;
import id.gerbang.gateway.proxy.ForwardResponse;
import id.gerbang.gateway.proxy.UpstreamCall;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import id.gerbang.routes.RouteValidator;
import id.gerbang.routes.UpstreamPolicy;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Mock routes ({@code mock: true}): the answers {@link MockAnswers} makes of an OpenAPI document's examples,
 * and the same through the route's real Camel route built by {@link CamelRoutes}, with no upstream at all.
 */
class MockRouteTest {

    static final ObjectMapper JSON = new ObjectMapper();

    /** SIMPUS's patient API before it exists: the document the Dinkes developers wrote first. */
    static final String DOCUMENT = """
            openapi: 3.0.3
            info: { title: SIMPUS pasien, version: "1.0" }
            paths:
              /pasien/{nik}:
                get:
                  responses:
                    "404": { description: tidak ada }
                    "200":
                      description: satu pasien
                      content:
                        application/json:
                          schema: { $ref: "#/components/schemas/Pasien" }
                          examples:
                            laki: { $ref: "#/components/examples/Budi" }
                            perempuan: { value: { nik: "1404015203150001", nama: Siti } }
                delete:
                  responses:
                    "204": { description: dihapus }
              /pasien/baru:
                get:
                  responses:
                    "200":
                      description: pasien terbaru, dari skema
                      content:
                        application/json:
                          schema:
                            type: array
                            items: { $ref: "#/components/schemas/Pasien" }
              /pasien:
                post:
                  responses:
                    "201":
                      description: terdaftar
                      content:
                        application/json:
                          example: { nomorRekamMedis: RM-000123 }
              /laporan/{tahun}.csv:
                get:
                  responses:
                    "2XX":
                      description: laporan
                      content:
                        text/csv:
                          example: "bulan,kunjungan\\n1,210\\n"
              /antrean:
                get:
                  responses:
                    "200":
                      description: tanpa contoh
                      content:
                        application/json:
                          schema: { type: object, properties: { nomor: { type: integer } } }
              /siklus:
                get:
                  responses:
                    "200":
                      description: skema yang merujuk dirinya sendiri
                      content:
                        application/json:
                          schema: { $ref: "#/components/schemas/Simpul" }
            components:
              examples:
                Budi: { value: { nik: "1404011505800002", nama: Budi } }
              schemas:
                Pasien:
                  type: object
                  properties:
                    nik: { type: string, example: "1404010101900003" }
                    nama: { type: string, example: Rahmat }
                    umur: { type: integer }
                    alamat:
                      type: object
                      properties:
                        desa: { type: string, example: Pangkalan Kerinci Kota }
                Simpul:
                  type: object
                  properties:
                    anak: { $ref: "#/components/schemas/Simpul" }
            """;

    CamelContext camel;
    ProducerTemplate template;

    @BeforeEach
    void startCamel() {
        camel = new DefaultCamelContext();
        camel.start();
        template = camel.createProducerTemplate();
    }

    @AfterEach
    void stopCamel() {
        camel.stop();
    }

    static Route mockRoute(JsonNode document) {
        RouteDefinition d = new RouteDefinition("dinkes-pasien", "dinkes", null, null, "/dinkes/pasien",
                List.of("GET", "POST", "DELETE", "HEAD", "PUT"), null, null, null, null, null, null, null, null, null,
                null, null, true, document);
        assertThat(new RouteValidator(new UpstreamPolicy(List.of("127.0.0.0/8"))).validate(d)).isEmpty();
        return Route.from(d, 1);
    }

    static JsonNode document() throws Exception {
        return new YAMLMapper().readTree(DOCUMENT);
    }

    static MockAnswers mock() throws Exception {
        return MockAnswers.of(mockRoute(document()));
    }

    static JsonNode json(MockAnswers.Answer a) throws Exception {
        return JSON.readTree(a.body());
    }

    @Test
    void answersTheFirstOfExamplesFollowingItsReferenceWithTheDocumentsStatusAndType() throws Exception {
        MockAnswers.Answer a = mock().answer("GET", "/pasien/1404011505800002");

        assertThat(a.status()).isEqualTo(200);
        assertThat(a.contentType()).isEqualTo("application/json");
        assertThat(json(a)).isEqualTo(JSON.readTree("{\"nik\":\"1404011505800002\",\"nama\":\"Budi\"}"));
    }

    @Test
    void answersTheFirst2xxResponseInTheDocumentsOrderAndItsExample() throws Exception {
        MockAnswers.Answer a = mock().answer("POST", "/pasien");

        assertThat(a.status()).isEqualTo(201);
        assertThat(json(a).path("nomorRekamMedis").asText()).isEqualTo("RM-000123");
    }

    @Test
    void aPathWithoutTemplatesWinsOverATemplateThatMatchesItToo() throws Exception {
        MockAnswers.Answer a = mock().answer("GET", "/pasien/baru");

        // built from the schema's examples: an array of one item; a property without one is left out
        assertThat(json(a)).isEqualTo(JSON.readTree("""
                [{"nik":"1404010101900003","nama":"Rahmat","alamat":{"desa":"Pangkalan Kerinci Kota"}}]"""));
    }

    @Test
    void aTemplateInsideASegmentAndA2XXResponseAnswer200WithTheExampleAsText() throws Exception {
        MockAnswers.Answer a = mock().answer("GET", "/laporan/2025.csv");

        assertThat(a.status()).isEqualTo(200);
        assertThat(a.contentType()).isEqualTo("text/csv; charset=UTF-8");
        assertThat(new String(a.body(), StandardCharsets.UTF_8)).isEqualTo("bulan,kunjungan\n1,210\n");
    }

    @Test
    void aResponseWithoutContentAnswersItsStatusWithoutABody() throws Exception {
        MockAnswers.Answer a = mock().answer("DELETE", "/pasien/1404011505800002");

        assertThat(a.status()).isEqualTo(204);
        assertThat(a.body()).isNull();
    }

    @Test
    void headAnswersAsGetWithoutTheBody() throws Exception {
        MockAnswers.Answer a = mock().answer("HEAD", "/pasien/1404011505800002");

        assertThat(a.status()).isEqualTo(200);
        assertThat(a.contentType()).isEqualTo("application/json");
        assertThat(a.body()).isNull();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "GET, ''",
            "GET, /",
            "GET, /pasien/1404011505800002/riwayat",
            "GET, /Pasien/1404011505800002",
            "GET, /pasien//",
            "GET, /%ZZ",
            "GET, /laporan/.csv"})
    void aPathNoOperationMatchesIs404RouteNotFound(String method, String rest) throws Exception {
        assertThatThrownBy(() -> mock().answer(method, rest))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.ROUTE_NOT_FOUND);
                    assertThat(e.getMessage()).startsWith("mock route dinkes-pasien: its OpenAPI document has no path");
                });
    }

    @Test
    void aPathWithoutTheMethodIs405NamingTheDocumentsMethods() throws Exception {
        assertThatThrownBy(() -> mock().answer("PUT", "/pasien/1404011505800002"))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.METHOD_NOT_ALLOWED);
                    assertThat(e.allow()).isEqualTo("DELETE, GET");
                });
    }

    @Test
    void anOperationWithoutAnyExampleIs501MockNoExample() throws Exception {
        assertThatThrownBy(() -> mock().answer("GET", "/antrean"))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MOCK_NO_EXAMPLE);
                    assertThat(e.code().status()).isEqualTo(501);
                    assertThat(e.getMessage()).contains("GET /antrean has no example for its 200 response");
                });
    }

    @Test
    void aSchemaThatRefersToItselfEndsWithoutAnExampleInsteadOfLooping() throws Exception {
        assertThatThrownBy(() -> mock().answer("GET", "/siklus"))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MOCK_NO_EXAMPLE));
    }

    @Test
    void anExampleBuiltFromReferencesRepeatingOneLargeExampleIsBounded() throws Exception {
        // 64 properties, each referring to a schema whose example is 64 KiB: 4 MiB if it were built
        ObjectNode doc = (ObjectNode) JSON.readTree("""
                {"openapi":"3.1.0","paths":{"/besar":{"get":{"responses":{"200":{"content":{"application/json":
                {"schema":{"$ref":"#/components/schemas/Banyak"}}}}}}}},"components":{"schemas":{
                "Besar":{"type":"string","example":"%s"},"Banyak":{"type":"object","properties":{}}}}}"""
                .formatted("x".repeat(64 * 1024)));
        ObjectNode properties = (ObjectNode) doc.at("/components/schemas/Banyak/properties");
        for (int i = 0; i < 64; i++) {
            properties.putObject("p" + i).put("$ref", "#/components/schemas/Besar");
        }

        assertThatThrownBy(() -> MockAnswers.of(mockRoute(doc)).answer("GET", "/besar"))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MOCK_NO_EXAMPLE);
                    assertThat(e.getMessage()).contains("larger than 1048576 characters");
                });
    }

    @Test
    void theRoutesCamelRouteAnswersWithoutAnyUpstreamAndReadsTheCallersBody() throws Exception {
        Route route = mockRoute(document());
        CamelRoutes.add(camel, route, null);
        Endpoint endpoint = camel.getEndpoint(CamelRoutes.endpointUri(route));
        byte[] sent = "{\"nik\":\"1404011505800002\"}".getBytes(StandardCharsets.UTF_8);
        BoundedBody body = new BoundedBody(new ByteArrayInputStream(sent), 1024);

        try (ForwardResponse answer = UpstreamCall.attempt(template, endpoint, route,
                new ForwardRequest("POST", "/pasien", null, List.of(), body, sent.length), body)) {
            assertThat(answer.status()).isEqualTo(201);
            assertThat(answer.header("Content-Type")).isEqualTo("application/json");
            assertThat(JSON.readTree(answer.body()).path("nomorRekamMedis").asText()).isEqualTo("RM-000123");
        }
        assertThat(body.read()).isEqualTo(-1); // read to its end, as a forward reads it: the record keeps its hash
        assertThat(camel.getRoute(CamelRoutes.camelRouteId(route)).getDescription()).endsWith("(mock)");
    }

    @Test
    void aRefusalOfTheMockReachesThePipelineWithItsOwnCode() throws Exception {
        Route route = mockRoute(document());
        CamelRoutes.add(camel, route, null);
        Endpoint endpoint = camel.getEndpoint(CamelRoutes.endpointUri(route));

        assertThatThrownBy(() -> UpstreamCall.attempt(template, endpoint, route,
                new ForwardRequest("GET", "/tidak/ada", null, List.of(), null, 0), null))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ROUTE_NOT_FOUND));
    }
}
