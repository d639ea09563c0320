package id.gerbang.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RouteValidatorTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final RouteValidator validator = new RouteValidator(RouteFixtures.loopbackPolicy());

    @Test
    void acceptsTheProductExample() {
        assertThat(validator.validate(RouteFixtures.penduduk())).isEmpty();
        assertThat(validator.validate(RouteFixtures.minimal("bapenda-pbb", "/bapenda/pbb"))).isEmpty();
    }

    /** Each row: a JSON pointer into the valid definition, the bad value put there (null: removed), the field named, part of the message. */
    static Stream<Arguments> badValues() {
        return Stream.of(
                arguments("/id", null, "id", "is required"),
                arguments("/id", "Disdukcapil-Penduduk", "id", "must match"),
                arguments("/id", "ab", "id", "must match"),
                arguments("/id", "-penduduk", "id", "must match"),
                arguments("/owner", null, "owner", "is required"),
                arguments("/owner", "dinas_kesehatan", "owner", "must match"),
                arguments("/name", "n".repeat(201), "name", "at most 200 characters"),
                arguments("/description", "d".repeat(2001), "description", "at most 2000 characters"),
                arguments("/path", null, "path", "is required"),
                arguments("/path", "disdukcapil/penduduk", "path", "must start with /"),
                arguments("/path", "/", "path", "at least one segment"),
                arguments("/path", "/a/../b", "path", "'.' or '..'"),
                arguments("/path", "/a/./b", "path", "'.' or '..'"),
                arguments("/path", "/a//b", "path", "empty segment"),
                arguments("/path", "/a/", "path", "must not end with /"),
                arguments("/path", "/a;x", "path", "segments must match"),
                arguments("/path", "/a%2Fb", "path", "segments must match"),
                arguments("/path", "/a\\b", "path", "segments must match"),
                arguments("/path", "/data penduduk", "path", "segments must match"),
                arguments("/path", "/.env", "path", "segments must match"),
                arguments("/path", "/" + "p".repeat(512), "path", "at most 512 characters"),
                arguments("/methods", List.of(), "methods", "must not be empty"),
                arguments("/methods", List.of("GET", "TRACE"), "methods[1]", "must be one of GET, HEAD"),
                arguments("/methods", List.of("GET", "get"), "methods[1]", "duplicate method"),
                arguments("/upstream", null, "upstream", "is required"),
                arguments("/upstream/url", null, "upstream.url", "is required"),
                arguments("/upstream/url", "ftp://127.0.0.1/simduk", "upstream.url", "scheme must be http or https"),
                arguments("/upstream/url", "/simduk/api", "upstream.url", "absolute http or https URL"),
                arguments("/upstream/url", "http://127.0.0.1/sim duk", "upstream.url", "valid URL"),
                arguments("/upstream/url", "http://169.254.169.254/latest", "upstream.url", "never allowed"),
                arguments("/upstream/url", "http://[fd00:ec2::254]/", "upstream.url", "never allowed"),
                arguments("/upstream/url", "http://metadata.google.internal/", "upstream.url", "never allowed"),
                arguments("/upstream/url", "http://user:pw@127.0.0.1/", "upstream.url", "user-info"),
                arguments("/upstream/url", "http://@127.0.0.1/", "upstream.url", "user-info"),
                arguments("/upstream/url", "http://127.0.0.1:0/simduk", "upstream.url", "port must be between 1 and 65535"),
                arguments("/upstream/url", "http://127.0.0.1:65536/simduk", "upstream.url", "port must be between 1 and 65535"),
                arguments("/upstream/url", "http://127.0.0.1:99999999999/simduk", "upstream.url", "valid host and port"),
                arguments("/upstream/url", "http://:8080/simduk", "upstream.url", "valid host and port"),
                arguments("/upstream/url", "http:///simduk", "upstream.url", "must have a host"),
                arguments("/upstream/url", "http://127.0.0.1/caf\u00e9", "upstream.url", "must be ASCII"),
                arguments("/upstream/url", "http://10.10.2.15:8080/simduk", "upstream.url", "not on the upstream allow list"),
                arguments("/upstream/url", "http://127.0.0.1/simduk?token=x", "upstream.url", "must not have a query"),
                arguments("/upstream/url", "http://127.0.0.1/simduk#top", "upstream.url", "must not have a fragment"),
                arguments("/upstream/timeoutMs", 0, "upstream.timeoutMs", "between 1 and 300000"),
                arguments("/upstream/timeoutMs", 300_001, "upstream.timeoutMs", "between 1 and 300000"),
                arguments("/access/clients/0", "-dinkes", "access.clients[0].id", "must match"),
                arguments("/access/clients/0", Map.of("methods", List.of("GET")), "access.clients[0].id", "is required"),
                arguments("/access/clients/1", "dinkes-simpus", "access.clients[1].id", "duplicate id"),
                arguments("/access/clients/1/methods", List.of(), "access.clients[1].methods", "must not be empty"),
                arguments("/access/clients/1/methods", List.of("DELETE"), "access.clients[1].methods[0]", "among the route's methods"),
                arguments("/access/opds/0", "DPMPTSP", "access.opds[0].id", "must match"),
                arguments("/access/opds", List.of("dpmptsp", "dpmptsp"), "access.opds[1].id", "duplicate id"),
                arguments("/rateLimit", Map.of("requests", 50), "rateLimit.perSeconds", "is required"),
                arguments("/rateLimit/requests", 0, "rateLimit.requests", "between 1 and 1000000"),
                arguments("/rateLimit/perSeconds", 86_401, "rateLimit.perSeconds", "between 1 and 86400"),
                arguments("/maxConcurrent", 0, "maxConcurrent", "between 1 and 10000"),
                arguments("/maxConcurrent", 10_001, "maxConcurrent", "between 1 and 10000"),
                arguments("/retries", -1, "retries", "between 0 and 5"),
                arguments("/retries", 6, "retries", "between 0 and 5"),
                arguments("/circuitBreaker", Map.of("failureRatePercent", 50, "minimumCalls", 20), "circuitBreaker.openSeconds", "is required"),
                arguments("/circuitBreaker/failureRatePercent", 101, "circuitBreaker.failureRatePercent", "between 1 and 100"),
                arguments("/circuitBreaker/minimumCalls", 0, "circuitBreaker.minimumCalls", "between 1 and 10000"),
                arguments("/circuitBreaker/openSeconds", 3601, "circuitBreaker.openSeconds", "between 1 and 3600"),
                arguments("/maxBodyBytes", -1, "maxBodyBytes", "between 0 and 1073741824"),
                arguments("/maxBodyBytes", 1_073_741_825L, "maxBodyBytes", "between 0 and 1073741824"),
                arguments("/audit/maskJsonFields", List.of("nik", " "), "audit.maskJsonFields[1]", "must not be blank"),
                arguments("/audit/maskQueryParams", List.of("q".repeat(129)), "audit.maskQueryParams[0]", "at most 128 characters"),
                arguments("/audit/maskPatterns", List.of("nik", "ssn"), "audit.maskPatterns[1]", "must be one of nik, npwp, email, phone"),
                arguments("/name", "${env:HOME}", "name", "expressions are not allowed"),
                arguments("/name", "#{1+1}", "name", "expressions are not allowed"),
                arguments("/description", "NIK $simple{header.nik}", "description", "expressions are not allowed"),
                arguments("/audit/maskJsonFields/0", "{{nik}}", "audit.maskJsonFields[0]", "expressions are not allowed"),
                arguments("/access/clients/1/id", "#{T(java.lang.Runtime)}", "access.clients[1].id", "expressions are not allowed"),
                arguments("/upstream/url", "http://127.0.0.1/${env:SECRET}", "upstream.url", "expressions are not allowed"),
                arguments("/openapi", "/openapi.json", "openapi", "absolute http or https URL"),
                arguments("/openapi", "file:///etc/passwd", "openapi", "absolute http or https URL"),
                arguments("/openapi", "https://u:p@docs.example/api.json", "openapi", "user-info"),
                arguments("/openapi", "https://docs example/api.json", "openapi", "valid URL"));
    }

    @ParameterizedTest(name = "{0} = {1} -> {2}: {3}")
    @MethodSource("badValues")
    void refusesEachBadValueNamingItsField(String pointer, Object value, String field, String message) {
        List<Violation> violations = validator.validate(mutate(pointer, value));

        assertThat(violations).isNotEmpty().allSatisfy(v -> assertThat(v.field()).isEqualTo(field));
        assertThat(violations).anySatisfy(v -> assertThat(v.message()).contains(message));
        assertThat(violations).as("each names its rule and arguments, from which its message is made")
                .allSatisfy(v -> assertThat(v.rule().message(v.args().toArray())).isEqualTo(v.message()));
    }

    @Test
    void reportsEveryViolationAtOnce() {
        RouteDefinition bad = new RouteDefinition("X", null, null, null, "/a/", List.of("TRACE"),
                new RouteDefinition.Upstream("ftp://127.0.0.1", 0), null, null, 0, 9, null, null, null);

        assertThat(validator.validate(bad)).extracting(Violation::field).containsExactlyInAnyOrder(
                "id", "owner", "path", "methods[0]", "upstream.timeoutMs", "upstream.url", "maxConcurrent", "retries");
        assertThatThrownBy(() -> validator.requireValid(bad, "admin-api"))
                .isInstanceOf(InvalidRouteException.class)
                .hasMessageStartingWith("admin-api: ")
                .satisfies(e -> assertThat(((InvalidRouteException) e).violations()).hasSize(8));
    }

    @Test
    void requireValidAcceptsAValidDefinition() {
        validator.requireValid(RouteFixtures.penduduk(), "penduduk.yaml");
    }

    @Test
    void refusesADuplicateId() {
        RouteDefinition a = RouteFixtures.minimal("dinkes-simpus", "/dinkes/simpus");
        RouteDefinition b = RouteFixtures.minimal("dinkes-simpus", "/dinkes/pasien");

        assertThat(validator.checkConflicts(b, List.of(a))).singleElement()
                .satisfies(v -> assertThat(v.field()).isEqualTo("id"));
    }

    @Test
    void refusesOverlappingPathsOnWholeSegments() {
        RouteDefinition parent = RouteFixtures.minimal("bapenda", "/a");
        RouteDefinition child = RouteFixtures.minimal("bapenda-pbb", "/a/b");
        RouteDefinition same = RouteFixtures.minimal("bapenda-lain", "/a");

        assertThat(validator.checkConflicts(child, List.of(parent))).extracting(Violation::field, Violation::message)
                .containsExactly(tuple("path", "overlaps the path of route bapenda"));
        assertThat(validator.checkConflicts(parent, List.of(child))).extracting(Violation::field, Violation::message)
                .containsExactly(tuple("path", "overlaps the path of route bapenda-pbb"));
        assertThat(validator.checkConflicts(same, List.of(parent, child))).extracting(Violation::message)
                .containsExactly("overlaps the path of route bapenda", "overlaps the path of route bapenda-pbb");
    }

    @Test
    void acceptsPathsThatShareOnlyAPrefixOfCharactersOrDifferInCase() {
        RouteDefinition a = RouteFixtures.minimal("route-a", "/a");

        assertThat(validator.checkConflicts(RouteFixtures.minimal("route-ab", "/ab"), List.of(a))).isEmpty();
        assertThat(validator.checkConflicts(RouteFixtures.minimal("route-upper", "/A"), List.of(a))).isEmpty();
        assertThat(validator.checkConflicts(RouteFixtures.minimal("route-ab-c", "/ab/c"), List.of(a))).isEmpty();
        assertThat(validator.checkConflicts(a, List.of(a))).as("a route does not conflict with itself").isEmpty();
    }

    /** The valid definition with the value at {@code pointer} replaced by {@code value}, or removed when null. */
    private static RouteDefinition mutate(String pointer, Object value) {
        ObjectNode root = MAPPER.valueToTree(RouteFixtures.penduduk());
        JsonPointer ptr = JsonPointer.compile(pointer);
        JsonNode parent = root.at(ptr.head());
        JsonNode replacement = MAPPER.valueToTree(value);
        if (parent instanceof ArrayNode array) {
            array.set(ptr.last().getMatchingIndex(), replacement);
        } else if (value == null) {
            ((ObjectNode) parent).remove(ptr.last().getMatchingProperty());
        } else {
            ((ObjectNode) parent).set(ptr.last().getMatchingProperty(), replacement);
        }
        try {
            return MAPPER.treeToValue(root, RouteDefinition.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
