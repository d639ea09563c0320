package id.gerbang.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

class RouteDefinitionReaderTest {

    private final RouteDefinitionReader reader = new RouteDefinitionReader();

    @Test
    void readsTheProductExample() {
        List<RouteDefinition> read = reader.readYaml(RouteFixtures.PENDUDUK_YAML, "penduduk.yaml");

        assertThat(read).containsExactly(RouteFixtures.penduduk());
        assertThat(read.get(0).access().clients())
                .extracting(RouteDefinition.Grant::id, RouteDefinition.Grant::methods)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("dinkes-simpus", null),
                        org.assertj.core.groups.Tuple.tuple("bapenda-sipd", List.of("GET")));
    }

    @Test
    void refusesUnknownTopLevelField() {
        assertRefused(RouteFixtures.PENDUDUK_YAML + "bogus: 1\n", "bogus", "unknown field");
    }

    @Test
    void refusesUnknownNestedFieldsWithTheirDottedPath() {
        assertRefused(RouteFixtures.PENDUDUK_YAML.replace("  timeoutMs: 5000", "  timeoutMs: 5000\n  bogus: x"),
                "upstream.bogus", "unknown field");
        assertRefused(RouteFixtures.PENDUDUK_YAML.replace("methods: [GET]}", "methods: [GET], role: admin}"),
                "access.clients[1].role", "unknown field");
    }

    @Test
    void refusesDuplicateKeys() {
        assertRefused(RouteFixtures.PENDUDUK_YAML + "id: lain\n", "id", "duplicate field");
        assertRefused(RouteFixtures.PENDUDUK_YAML.replace("  timeoutMs: 5000", "  timeoutMs: 5000\n  timeoutMs: 6000"),
                "upstream.timeoutMs", "duplicate field");
    }

    @Test
    void refusesScalarCoercion() {
        assertRefused(RouteFixtures.PENDUDUK_YAML.replace("timeoutMs: 5000", "timeoutMs: \"5000\""),
                "upstream.timeoutMs", "expected an integer");
        assertRefused(RouteFixtures.PENDUDUK_YAML.replace("retries: 2", "retries: 1.5"), "retries", "expected an integer");
        assertRefused(RouteFixtures.PENDUDUK_YAML.replace("retries: 2", "retries: true"), "retries", "expected an integer");
        assertRefused(RouteFixtures.PENDUDUK_YAML.replace("owner: disdukcapil", "owner: 1404"), "owner", "expected a string");
        assertRefused(RouteFixtures.PENDUDUK_YAML.replace("clients: [dinkes-simpus,", "clients: [dinkes-simpus, 7,"),
                "access.clients[1]", "expected a string");
        assertRefused(RouteFixtures.PENDUDUK_YAML.replace("methods: [GET, POST]", "methods: GET"), "methods", "expected a list");
        assertRefused(RouteFixtures.PENDUDUK_YAML.replace("maxConcurrent: 100", "maxConcurrent: 99999999999"),
                "maxConcurrent", "out of range");
    }

    @Test
    void refusesMalformedYamlWithoutEchoingTheInput() {
        String longKey = "k".repeat(5000);
        InvalidRouteException e = refused("id: disdukcapil-penduduk\n  " + longKey + ": x\n");
        assertThat(e.violations()).singleElement().satisfies(v -> {
            assertThat(v.message()).startsWith("malformed YAML: ").doesNotContain("kkkkkkkkkk").hasSizeLessThanOrEqualTo(200);
        });

        InvalidRouteException unknown = refused(RouteFixtures.PENDUDUK_YAML + "k".repeat(1000) + ": 1\n");
        assertThat(unknown.violations()).singleElement().satisfies(v -> {
            assertThat(v.field()).hasSizeLessThanOrEqualTo(200);
            assertThat(v.message()).isEqualTo("unknown field");
        });
    }

    @Test
    void readsEveryDocumentOfAMultiDocumentText() {
        String two = "---\n" + RouteFixtures.PENDUDUK_YAML + "---\n"
                + RouteFixtures.PENDUDUK_YAML.replace("id: disdukcapil-penduduk", "id: disdukcapil-kk") + "---\n";

        assertThat(reader.readYaml(two, "two.yaml")).extracting(RouteDefinition::id)
                .containsExactly("disdukcapil-penduduk", "disdukcapil-kk");

        InvalidRouteException e = catchThrowableOfType(
                () -> reader.readYaml(RouteFixtures.PENDUDUK_YAML + "---\nid: x\nbogus: 1\n", "two.yaml"),
                InvalidRouteException.class);
        assertThat(e.getMessage()).startsWith("two.yaml (document 2)");
        assertThat(e.violations()).containsExactly(new Violation("bogus", Violation.Rule.UNKNOWN_FIELD));
        assertThat(e.violations().get(0).message()).isEqualTo("unknown field");
    }

    @Test
    void readsYamlBooleanLikeWordsAsStrings() {
        RouteDefinition d = reader.readYaml(RouteFixtures.PENDUDUK_YAML.replace("opds: [dpmptsp]", "opds: [no, on, y]"), "t.yaml").get(0);

        assertThat(d.access().opds()).extracting(RouteDefinition.Grant::id).containsExactly("no", "on", "y");
        assertRefused(RouteFixtures.PENDUDUK_YAML.replace("opds: [dpmptsp]", "opds: [true]"), "access.opds[0]", "expected a string");
    }

    @Test
    void refusesATextWithoutDefinition() {
        assertRefused("# nothing here\n", "", "no route definition");
    }

    @Test
    void jsonRoundTripGivesAnEqualRecord() {
        RouteDefinition d = RouteFixtures.penduduk();
        String json = reader.toJson(d);

        assertThat(json).contains("\"clients\":[\"dinkes-simpus\",{\"id\":\"bapenda-sipd\",\"methods\":[\"GET\"]}]");
        assertThat(reader.readJson(json, "api")).isEqualTo(d);
        assertThat(reader.readYaml(reader.toYaml(d), "api")).containsExactly(d);
    }

    @Test
    void writesYamlAsADeveloperWouldAndReadsItBackEqual() {
        RouteDefinition d = RouteFixtures.penduduk();
        RouteDefinition tricky = new RouteDefinition(d.id(), "no", "123", "on: yes", d.path(), d.methods(), d.upstream(),
                d.access(), d.rateLimit(), d.maxConcurrent(), d.retries(), d.circuitBreaker(), d.maxBodyBytes(), d.audit(),
                "https://docs.example/openapi.json");

        String yaml = reader.toYaml(d);
        assertThat(yaml).startsWith("id: disdukcapil-penduduk\n").contains("\nowner: disdukcapil\n").doesNotContain("---");
        assertThat(reader.readYaml(reader.toYaml(tricky), "api")).containsExactly(tricky);
    }

    @Test
    void namesEveryUnknownFieldAtOnceAtEveryDepth() {
        String yaml = RouteFixtures.PENDUDUK_YAML + "bogus: 1\nsecret: {a: 1}\n";
        yaml = yaml.replace("  timeoutMs: 5000", "  timeoutMs: 5000\n  insecure: true");

        InvalidRouteException e = refused(yaml);
        assertThat(e.violations()).extracting(Violation::field, Violation::message).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("upstream.insecure", "unknown field"),
                org.assertj.core.groups.Tuple.tuple("bogus", "unknown field"),
                org.assertj.core.groups.Tuple.tuple("secret", "unknown field"));

        String json = reader.toJson(RouteFixtures.penduduk()).replace("\"retries\":2", "\"retries\":2,\"x\":1,\"y\":[1]")
                .replace("\"perSeconds\":1", "\"perSeconds\":1,\"burst\":5");
        InvalidRouteException j = org.junit.jupiter.api.Assertions.assertThrows(InvalidRouteException.class,
                () -> reader.readJson(json, "api"));
        assertThat(j.violations()).extracting(Violation::field).containsExactlyInAnyOrder("x", "y", "rateLimit.burst");
    }

    @Test
    void refusesStrictlyInJson() {
        String json = reader.toJson(RouteFixtures.penduduk());

        assertJsonRefused(json + " {}", "", "unexpected content");
        assertJsonRefused(json.replace("\"timeoutMs\":5000", "\"timeoutMs\":\"5000\""), "upstream.timeoutMs", "expected an integer");
        assertJsonRefused(json.replace("\"retries\":2", "\"retries\":2,\"retries\":3"), "retries", "duplicate field");
        assertJsonRefused(json.replace("\"perSeconds\":1", "\"perSeconds\":1,\"burst\":5"), "rateLimit.burst", "unknown field");
        assertJsonRefused("{\"id\": ", "id", "malformed JSON");
        assertJsonRefused("[]", "", "expected an object");
    }

    private void assertRefused(String yaml, String field, String message) {
        assertThat(refused(yaml).violations()).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo(field);
            assertThat(v.message()).contains(message);
        });
    }

    private void assertJsonRefused(String json, String field, String message) {
        InvalidRouteException e = catchThrowableOfType(() -> reader.readJson(json, "api"), InvalidRouteException.class);
        assertThat(e).as("refused: %s", json).isNotNull();
        assertThat(e.violations()).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo(field);
            assertThat(v.message()).contains(message);
        });
    }

    private InvalidRouteException refused(String yaml) {
        InvalidRouteException e = catchThrowableOfType(() -> reader.readYaml(yaml, "test.yaml"), InvalidRouteException.class);
        assertThat(e).as("refused: %s", yaml).isNotNull();
        assertThat(e.getMessage()).startsWith("test.yaml");
        return e;
    }
}
