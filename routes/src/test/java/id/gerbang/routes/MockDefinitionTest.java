package id.gerbang.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code mock} and {@code openapiDocument}: read, validated, bounded, written back as read. */
class MockDefinitionTest {

    private static final String MOCK_ROUTE = """
            id: dinkes-imunisasi
            owner: dinkes
            path: /dinkes/imunisasi
            access: { opds: [disdukcapil] }
            mock: true
            openapiDocument:
              openapi: 3.0.3
              info: { title: Imunisasi, version: "1" }
              paths:
                /anak/{nik}:
                  get:
                    responses:
                      200:
                        description: riwayat
                        content:
                          application/json:
                            example: { nik: "1404015203150001", vaksin: [BCG, Polio] }
            """;

    private final RouteDefinitionReader reader = new RouteDefinitionReader();
    private final RouteValidator validator = new RouteValidator(RouteFixtures.loopbackPolicy());

    private RouteDefinition read(String yaml) {
        return reader.readYaml(yaml, "test.yaml").get(0);
    }

    private List<String> fields(RouteDefinition d) {
        return validator.validate(d).stream().map(Violation::field).toList();
    }

    @Test
    void aMockWithItsDocumentAndNoUpstreamIsValidAndWrittenBackAsRead() {
        RouteDefinition d = read(MOCK_ROUTE);

        assertThat(d.mock()).isTrue();
        assertThat(d.upstream()).isNull();
        assertThat(d.openapiDocument().at("/paths/~1anak~1{nik}/get/responses/200/content/application~1json/example/nik")
                .asText()).isEqualTo("1404015203150001");
        assertThat(validator.validate(d)).isEmpty();
        assertThat(reader.readJson(reader.toJson(d), "again")).isEqualTo(d);
        assertThat(reader.readYaml(reader.toYaml(d), "again").get(0)).isEqualTo(d);
        Route route = Route.from(d, 1);
        assertThat(route.mock()).isTrue();
        assertThat(route.upstream()).isNull();
        assertThat(route.timeoutMs()).isEqualTo(Route.DEFAULT_TIMEOUT_MS);
    }

    @Test
    void aMockMayNameItsFutureUpstreamWhichIsValidatedAsAnyOther() {
        assertThat(validator.validate(read(MOCK_ROUTE + "upstream: { url: \"http://127.0.0.1:9000/imunisasi\" }\n")))
                .isEmpty();
        assertThat(fields(read(MOCK_ROUTE + "upstream: { url: \"http://10.1.2.3/imunisasi\" }\n")))
                .containsExactly("upstream.url");
    }

    @Test
    void aRouteThatIsNoMockStillNeedsItsUpstream() {
        assertThat(fields(read(MOCK_ROUTE.replace("mock: true", "mock: false")))).containsExactly("upstream");
    }

    @Test
    void aMockWithoutAnOpenapiDocumentIsRefusedSayingWhy() {
        RouteDefinition d = read("""
                id: dinkes-imunisasi
                owner: dinkes
                path: /dinkes/imunisasi
                openapi: https://docs.pelalawankab.go.id/dinkes/imunisasi.json
                mock: true
                """);

        List<Violation> violations = validator.validate(d);
        assertThat(violations).extracting(Violation::field).containsExactly("mock");
        assertThat(violations.get(0).message()).contains("openapiDocument is required");
    }

    @Test
    void aMockIsNeverMediated() {
        RouteDefinition d = read(MOCK_ROUTE + "mediation: { xml: {} }\n");

        assertThat(validator.validate(d)).extracting(Violation::toString)
                .containsExactly("mediation: a mock route has no mediation: it answers from its OpenAPI document "
                        + "without calling an upstream");
    }

    @Test
    void aMockIsNoComposite() {
        RouteDefinition d = read(MOCK_ROUTE + """
                compose:
                  params: [nik]
                  parts: [{ name: penduduk, route: disdukcapil-penduduk, path: "/{nik}" }]
                """);

        assertThat(validator.validate(d)).extracting(Violation::toString)
                .contains("compose: a mock route has no compose: it answers from its OpenAPI document "
                        + "without calling an upstream");
    }

    @Test
    void aDocumentWithoutMockIsValidAndTheRouteForwards() {
        RouteDefinition d = read(MOCK_ROUTE.replace("mock: true\n", "")
                + "upstream: { url: \"http://127.0.0.1:9000/imunisasi\" }\n");

        assertThat(validator.validate(d)).isEmpty();
        assertThat(Route.from(d, 1).mock()).isFalse();
    }

    @Test
    void refusesADocumentThatIsNotOpenapi3WithPaths() {
        assertThat(fields(read(MOCK_ROUTE.replace("openapi: 3.0.3", "swagger: \"2.0\""))))
                .containsExactly("openapiDocument.openapi");
        assertThat(fields(read(MOCK_ROUTE.replace("openapi: 3.0.3", "openapi: 3.1")))) // a number, not a version
                .containsExactly("openapiDocument.openapi");
        assertThat(fields(read(MOCK_ROUTE.replace("/anak/{nik}:", "anak/{nik}:"))))
                .containsExactly("openapiDocument.paths");
        assertThat(fields(read(MOCK_ROUTE.replaceAll("(?s)openapiDocument:.*", "openapiDocument: [1, 2]\n"))))
                .containsExactly("openapiDocument");
        assertThat(validator.validate(read(MOCK_ROUTE.replace("openapi: 3.0.3", "openapi: 3.1.0")))).isEmpty();
    }

    @Test
    void refusesReferencesToOtherDocumentsWhereverTheyAre() {
        RouteDefinition d = read(MOCK_ROUTE.replace("example: { nik: \"1404015203150001\", vaksin: [BCG, Polio] }",
                "{ schema: { $ref: \"http://169.254.169.254/latest/meta-data/schema.json\" }, examples: {"
                        + " satu: { externalValue: \"https://contoh.example/anak.json\" },"
                        + " dua: { $ref: \"anak.yaml#/components/examples/dua\" } } }")
                .replace("application/json:\n", "application/json: "));

        assertThat(fields(d)).containsExactlyInAnyOrder(
                "openapiDocument.paths./anak/{nik}.get.responses.200.content.application/json.schema.$ref",
                "openapiDocument.paths./anak/{nik}.get.responses.200.content.application/json.examples.satu.externalValue",
                "openapiDocument.paths./anak/{nik}.get.responses.200.content.application/json.examples.dua.$ref");
        assertThat(validator.validate(d).get(0).message()).contains("never fetched");
    }

    @Test
    void refusesADocumentLargerThanTheBoundWithoutLookingFurther() {
        RouteDefinition d = read(MOCK_ROUTE);
        ObjectNode huge = d.openapiDocument().deepCopy();
        huge.put("x-padding", "a".repeat(RouteValidator.MAX_OPENAPI_DOCUMENT_CHARS));
        huge.put("x-expression", "${jndi:ldap://x}");

        List<Violation> violations = validator.validate(withDocument(d, huge));
        assertThat(violations).extracting(Violation::field).contains("openapiDocument");
        assertThat(violations).extracting(Violation::message).contains("must be at most 262144 characters as JSON");
    }

    @Test
    void refusesADocumentNestedDeeperThanTheBound() {
        RouteDefinition d = read(MOCK_ROUTE);
        ObjectNode deep = d.openapiDocument().deepCopy();
        ObjectNode at = deep.putObject("x-deep");
        for (int i = 0; i < RouteValidator.MAX_OPENAPI_DOCUMENT_DEPTH + 5; i++) {
            at = at.putObject("a");
        }

        assertThat(validator.validate(withDocument(d, deep))).extracting(Violation::toString)
                .containsExactly("openapiDocument: must nest at most 64 levels of objects and arrays");
    }

    @Test
    void refusesExpressionsInsideTheDocumentLikeAnywhereElse() {
        RouteDefinition d = read(MOCK_ROUTE.replace("vaksin: [BCG, Polio]", "vaksin: [\"${header.x}\", Polio]"));

        assertThat(fields(d)).containsExactly(
                "openapiDocument.paths./anak/{nik}.get.responses.200.content.application/json.example.vaksin[0]");
    }

    @Test
    void aRouteWithoutTheNewFieldsIsWrittenWithoutThem() {
        assertThat(reader.toJson(RouteFixtures.penduduk())).doesNotContain("mock").doesNotContain("openapiDocument");
    }

    private static RouteDefinition withDocument(RouteDefinition d, ObjectNode document) {
        return new RouteDefinition(d.id(), d.owner(), d.name(), d.description(), d.path(), d.methods(), d.upstream(),
                d.access(), d.rateLimit(), d.maxConcurrent(), d.retries(), d.circuitBreaker(), d.maxBodyBytes(),
                d.audit(), d.openapi(), d.mediation(), d.compose(), d.mock(), document);
    }
}
