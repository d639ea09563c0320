package id.gerbang.gateway.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import id.gerbang.routes.RouteDefinition;
import id.gerbang.routes.RouteDefinitionReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The field-by-field diff that a {@code route-change} record carries. */
class RouteChangesDiffTest {

    private static final RouteDefinitionReader READER = new RouteDefinitionReader();

    private static RouteDefinition yaml(String text) {
        return READER.readYaml(text, "test").get(0);
    }

    private static final String BASE = """
            id: dinkes-pasien
            owner: dinkes
            path: /dinkes/pasien
            methods: [GET]
            upstream: {url: "http://127.0.0.1:9000/v1", timeoutMs: 5000}
            access: {clients: [bapenda-sipd]}
            """;

    private static List<String> lines(JsonNode diff) {
        List<String> out = new ArrayList<>();
        diff.forEach(d -> out.add(d.get("field").asText() + ": " + d.get("from") + " -> " + d.get("to")));
        return out;
    }

    @Test
    void namesEachChangedFieldWithItsOldAndNewValue() {
        RouteDefinition after = yaml(BASE.replace("v1", "v2").replace("[bapenda-sipd]", "[bapenda-sipd, dpmptsp-sicantik]")
                + "retries: 2\n");

        assertThat(lines(RouteChanges.diff(yaml(BASE), after))).containsExactly(
                "access.clients: [\"bapenda-sipd\"] -> [\"bapenda-sipd\",\"dpmptsp-sicantik\"]",
                "retries: null -> 2",
                "upstream.url: \"http://127.0.0.1:9000/v1\" -> \"http://127.0.0.1:9000/v2\"");
    }

    @Test
    void aCreationListsEveryFieldAndADeletionTakesThemAllAway() {
        assertThat(lines(RouteChanges.diff(null, yaml(BASE)))).contains(
                "id: null -> \"dinkes-pasien\"", "upstream.timeoutMs: null -> 5000").hasSize(7);
        assertThat(lines(RouteChanges.diff(yaml(BASE), null))).contains("owner: \"dinkes\" -> null").hasSize(7);
    }

    @Test
    void equalDefinitionsHaveNoDiff() {
        assertThat(RouteChanges.diff(yaml(BASE), yaml(BASE))).isEmpty();
    }
}
