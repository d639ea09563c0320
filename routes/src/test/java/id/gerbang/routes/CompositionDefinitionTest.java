package id.gerbang.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code compose}: read strictly, validated, written back as read; the parts' targets filled and encoded. */
class CompositionDefinitionTest {

    private static final String COMPOSITE = """
            id: profil-warga
            owner: diskominfo
            path: /warga/profil
            access: { opds: [dinkes] }
            compose:
              params: [nik]
              parts:
                - { name: penduduk, route: disdukcapil-penduduk, path: "/{nik}" }
                - { name: pajak, route: bapenda-status-pajak, query: { nik: "{nik}" } }
              partial: allow
            """;

    private final RouteDefinitionReader reader = new RouteDefinitionReader();
    private final RouteValidator validator = new RouteValidator(RouteFixtures.loopbackPolicy());

    private RouteDefinition read(String yaml) {
        return reader.readYaml(yaml, "test.yaml").get(0);
    }

    @Test
    void readsTheContractsExampleAndWritesItBackAsRead() {
        RouteDefinition d = read(COMPOSITE);

        assertThat(d.compose()).isEqualTo(new RouteDefinition.Compose(List.of("nik"), List.of(
                new RouteDefinition.Part("penduduk", "disdukcapil-penduduk", "/{nik}", null),
                new RouteDefinition.Part("pajak", "bapenda-status-pajak", null, Map.of("nik", "{nik}"))), "allow"));
        assertThat(validator.validate(d)).isEmpty();
        assertThat(reader.readJson(reader.toJson(d), "again")).isEqualTo(d);
        assertThat(reader.readYaml(reader.toYaml(d), "again").get(0)).isEqualTo(d);
        Route route = Route.from(d, 1);
        assertThat(route.composite()).isTrue();
        assertThat(route.upstream()).isNull();
        assertThat(d.compose().allowsPartial()).isTrue();
    }

    @Test
    void partialIsFailUnlessWrittenAllow() {
        RouteDefinition d = read(COMPOSITE.replace("  partial: allow\n", ""));

        assertThat(validator.validate(d)).isEmpty();
        assertThat(d.compose().allowsPartial()).isFalse();
        assertThat(validator.validate(read(COMPOSITE.replace("partial: allow", "partial: maybe"))))
                .extracting(Violation::toString).containsExactly("compose.partial: must be one of allow, fail");
    }

    @Test
    void refusesAnUnknownFieldInsideAPart() {
        assertThatThrownBy(() -> read(COMPOSITE.replace("path: \"/{nik}\"", "path: \"/{nik}\", method: POST")))
                .isInstanceOf(InvalidRouteException.class)
                .hasMessageContaining("compose.parts[0].method");
    }

    @Test
    void aCompositeHasNoUpstreamAndServesGetOnly() {
        RouteDefinition both = read(COMPOSITE + "upstream: { url: \"http://127.0.0.1:9000\" }\n");
        RouteDefinition post = read(COMPOSITE + "methods: [GET, POST]\n");
        RouteDefinition upstreamSettings = read(COMPOSITE + "retries: 1\ncircuitBreaker: { failureRatePercent: 50, minimumCalls: 5, openSeconds: 5 }\n"
                + "mediation: { xml: {} }\n");

        assertThat(validator.validate(both)).extracting(Violation::toString)
                .containsExactly("upstream: must have exactly one of upstream, compose");
        assertThat(validator.validate(post)).extracting(Violation::toString)
                .containsExactly("methods: a composite serves GET only: methods must be [GET]");
        assertThat(validator.validate(upstreamSettings)).extracting(Violation::field)
                .containsExactlyInAnyOrder("retries", "circuitBreaker", "mediation");
        assertThat(validator.validate(read(COMPOSITE + "methods: [GET]\n"))).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            params: [nik]                          | params: [1nik]                        | compose.params[0]           | must match
            params: [nik]                          | params: [nik, nik]                    | compose.params[1]           | duplicate name
            params: [nik]                          | params: [nik, npwp]                   | compose.params[1]           | is used by no part
            name: pajak                            | name: penduduk                        | compose.parts[1].name       | duplicate name
            name: pajak                            | name: incomplete                      | compose.parts[1].name       | reserved
            name: pajak                            | name: "pa-jak"                        | compose.parts[1].name       | must match
            route: bapenda-status-pajak            | route: profil-warga                   | compose.parts[1].route      | its own part
            route: bapenda-status-pajak            | route: Bapenda                        | compose.parts[1].route      | must match
            path: "/{nik}"                         | path: "/{npwp}"                       | compose.parts[0].path       | uses npwp, which is not among compose.params
            path: "/{nik}"                         | path: "{nik}"                         | compose.parts[0].path       | must start with /
            path: "/{nik}"                         | path: "/../{nik}"                     | compose.parts[0].path       | '.' or '..'
            path: "/{nik}"                         | path: "/x{nik}"                       | compose.parts[0].path       | one param name in braces
            path: "/{nik}"                         | path: "/{nik}/"                       | compose.parts[0].path       | must start with /
            path: "/{nik}"                         | path: "/a b/{nik}"                    | compose.parts[0].path       | one param name in braces
            path: "/{nik}"                         | path: "/${nik}"                       | compose.parts[0].path       | expressions are not allowed
            "{nik}" }                              | "{nik}&x=1" }                         | compose.parts[1].query.nik  | one param name in braces
            "{nik}" }                              | "{{nik}}" }                           | compose.parts[1].query.nik  | expressions are not allowed
            query: { nik: "{nik}" }                | query: { "n k": "{nik}" }             | compose.parts[1].query.n k  | must match
            """)
    void refusesEachBadCompositeValueNamingItsField(String from, String to, String field, String message) {
        List<Violation> violations = validator.validate(read(COMPOSITE.replace(from, to)));

        assertThat(violations).anySatisfy(v -> {
            assertThat(v.field()).isEqualTo(field);
            assertThat(v.message()).contains(message);
        });
    }

    @Test
    void boundsTheNumberOfParts() {
        StringBuilder parts = new StringBuilder();
        for (int i = 0; i <= RouteValidator.MAX_PARTS; i++) {
            parts.append("    - { name: p").append(i).append(", route: r-").append(i).append(", path: \"/{nik}\" }\n");
        }
        String nine = COMPOSITE.replaceAll("(?s)  parts:\n.*  partial", "  parts:\n" + parts + "  partial");

        assertThat(validator.validate(read(nine))).extracting(Violation::toString)
                .containsExactly("compose.parts: must be between 1 and 8");
        assertThat(validator.validate(read(COMPOSITE.replaceAll("(?s)  parts:\n.*  partial", "  parts: []\n  partial"))))
                .extracting(Violation::field).contains("compose.parts");
    }

    @Test
    void aCompositeIsNeverAPartOfAnother() {
        RouteDefinition outer = read(COMPOSITE);
        RouteDefinition inner = read(COMPOSITE.replace("id: profil-warga", "id: bapenda-status-pajak")
                .replace("path: /warga/profil", "path: /warga/pajak").replace("route: bapenda-status-pajak", "route: bapenda-pbb"));
        RouteDefinition plain = RouteFixtures.minimal("bapenda-status-pajak", "/bapenda/status-pajak");

        assertThat(validator.checkConflicts(outer, List.of(inner))).extracting(Violation::toString)
                .containsExactly("compose.parts[1].route: route bapenda-status-pajak is a composite: the parts of a composite are routes with an upstream");
        assertThat(validator.checkConflicts(inner, List.of(outer))).extracting(Violation::toString)
                .containsExactly("compose: route profil-warga has this route as a part: a composite cannot be a part of another");
        assertThat(validator.checkConflicts(outer, List.of(plain))).isEmpty();
        assertThat(validator.checkConflicts(plain, List.of(outer))).isEmpty();
    }

    @Test
    void aPartRouteNeedNotExistYet() {
        assertThat(validator.checkConflicts(read(COMPOSITE), List.of())).isEmpty();
    }

    @Test
    void fillsTheTemplatesWithTheCallersSegmentEncodedAgain() {
        RouteDefinition.Compose c = read(COMPOSITE).compose();
        Map<String, String> values = PartTargets.params(c, "/1404015505900001");

        assertThat(PartTargets.path(c.parts().get(0), values)).isEqualTo("/1404015505900001");
        assertThat(PartTargets.query(c.parts().get(0), values)).isNull();
        assertThat(PartTargets.path(c.parts().get(1), values)).isEmpty();
        assertThat(PartTargets.query(c.parts().get(1), values)).isEqualTo("nik=1404015505900001");

        Map<String, String> odd = PartTargets.params(c, "/a%20b%26c=d%3Fe%25f%C3%A9+");
        assertThat(odd).containsEntry("nik", "a b&c=d?e%fé+");
        assertThat(PartTargets.path(c.parts().get(0), odd)).isEqualTo("/a%20b%26c%3Dd%3Fe%25f%C3%A9%2B");
        assertThat(PartTargets.query(c.parts().get(1), odd)).isEqualTo("nik=a%20b%26c%3Dd%3Fe%25f%C3%A9%2B");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "/..", "/.", "/%2e%2e", "/a%2Fb", "/a%5Cb", "/a%0D%0AX-Evil:%201", "/a%00",
            "/1404/extra", "/%zz", "/%C3", "/%FF"})
    void refusesHostileOrMisshapenSegments(String rest) {
        RouteDefinition.Compose c = read(COMPOSITE).compose();

        assertThatThrownBy(() -> PartTargets.params(c, rest)).isInstanceOf(PartTargets.Refused.class);
    }

    @Test
    void aCompositeWithoutParamsTakesNoSegment() {
        RouteDefinition.Compose c = new RouteDefinition.Compose(null,
                List.of(new RouteDefinition.Part("a", "route-a", null, null)), null);

        assertThat(PartTargets.params(c, "")).isEmpty();
        assertThatThrownBy(() -> PartTargets.params(c, "/x")).hasMessageContaining("no path below its own");
    }
}
