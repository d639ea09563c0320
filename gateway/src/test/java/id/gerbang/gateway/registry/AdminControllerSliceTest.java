package id.gerbang.gateway.registry;

import static id.gerbang.gateway.web.SliceSecurity.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import id.gerbang.gateway.TestDatabases;
import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.web.SliceSecurity;
import id.gerbang.gateway.trail.AuditTrail;
import id.gerbang.gateway.trail.TrailEntry;
import id.gerbang.routes.RouteDefinitionReader;
import id.gerbang.routes.RouteValidator;
import id.gerbang.routes.UpstreamPolicy;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;
import org.springframework.context.annotation.Import;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/**
 * The admin API as the web layer serves it: the security chain in front of {@link AdminController}, over
 * a real registry store and trail on H2 (no Camel: the node's routes are not served in a slice). What a
 * caller is told when refused, and what a refused change leaves on the trail.
 */
@WebMvcTest(controllers = AdminController.class, excludeFilters = @ComponentScan.Filter(type = FilterType.REGEX,
        pattern = "id\\.gerbang\\.gateway\\.console\\..*"))
@Import({SliceSecurity.class, AdminControllerSliceTest.Registry.class})
class AdminControllerSliceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestConfiguration(proxyBeanMethods = false)
    static class Registry {
        @Bean
        RouteDefinitionReader reader() {
            return new RouteDefinitionReader();
        }

        @Bean
        RegistryStore store(TestDatabases.Database db, RouteDefinitionReader reader) {
            return new RegistryStore(db.pool(), reader);
        }

        @Bean
        RouteChanges changes(RegistryStore store, AuditTrail trail, GerbangProperties properties) {
            RouteValidator validator = new RouteValidator(new UpstreamPolicy(properties.upstreams().allowed()));
            // not started: a change is stored and recorded; serving it is the node's business, not the slice's
            return new RouteChanges(store, validator, new RegistrySync(store, null, properties), trail);
        }
    }

    @Autowired
    MockMvc mvc;

    @Autowired
    SliceSecurity.Trail trail;

    @BeforeEach
    void trailTakesRecords() {
        trail.reset();
    }

    static String definition(String id, String upstream) {
        return """
                id: %s
                owner: dinkes
                path: /%s
                upstream: {url: "%s"}
                access: {opds: [dinkes]}
                """.formatted(id, id, upstream);
    }

    MockHttpServletResponse perform(MockHttpServletRequestBuilder request, String token) throws Exception {
        return SliceSecurity.perform(mvc, request, token);
    }


    @Test
    void withoutATokenTheAnswerIs401InvalidToken() throws Exception {
        MockHttpServletResponse r = perform(get("/admin/routes"), null);

        problem(r, 401, "INVALID_TOKEN");
        assertThat(r.getHeader("WWW-Authenticate")).contains("invalid_token");
    }

    @Test
    void aTokenWithoutTheAdminRoleIsToldTheRoleItNeeds() throws Exception {
        JsonNode p = problem(perform(get("/admin/routes"), SliceSecurity.AUDITOR), 403, "ACCESS_DENIED");

        assertThat(p.get("detail").asText()).isEqualTo("this needs the role gateway-admin");
    }

    @Test
    void aChangeRefusedForTheRoleIsNamedAndRecorded() throws Exception {
        JsonNode p = problem(perform(put("/admin/routes/dinkes-pasien").contentType("application/yaml")
                .content(definition("dinkes-pasien", "http://127.0.0.1:9/")), SliceSecurity.CLIENT), 403, "ACCESS_DENIED");

        assertThat(p.get("detail").asText()).isEqualTo("this needs the role gateway-admin");
        assertThat(trail.entries()).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(TrailEntry.Kind.ROUTE_CHANGE);
            assertThat(e.clientId()).isEqualTo("dinkes-simpus");
            assertThat(e.status()).isEqualTo(403);
        });
    }

    @Test
    void anInvalidDefinitionIsRefusedWithEachViolationNamingItsField() throws Exception {
        JsonNode p = problem(perform(put("/admin/routes/dinkes-luar").contentType("application/yaml")
                .content(definition("dinkes-luar", "http://example.org/")), SliceSecurity.ADMIN), 400, "BAD_REQUEST");

        assertThat(p.get("violations")).isNotEmpty();
        assertThat(p.get("violations").findValuesAsText("field")).contains("upstream.url");
        assertThat(trail.entries()).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(TrailEntry.Kind.ROUTE_CHANGE);
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.errorCode()).isEqualTo("BAD_REQUEST");
        });
        problem(perform(get("/admin/routes/dinkes-luar"), SliceSecurity.ADMIN), 404, "ROUTE_NOT_FOUND");
    }

    @Test
    void anIdOtherThanThePathsIsAViolationOfTheIdField() throws Exception {
        JsonNode p = problem(perform(put("/admin/routes/dinkes-satu").contentType("application/yaml")
                .content(definition("dinkes-dua", "http://127.0.0.1:9/")), SliceSecurity.ADMIN), 400, "BAD_REQUEST");

        assertThat(p.get("violations").findValuesAsText("field")).containsExactly("id");
    }

    @Test
    void aBodyThatIsNeitherJsonNorYamlIsRefusedSayingWhatToSend() throws Exception {
        JsonNode p = problem(perform(post("/admin/routes:validate").contentType("text/plain")
                .content(definition("dinkes-teks", "http://127.0.0.1:9/")), SliceSecurity.ADMIN), 400, "BAD_REQUEST");

        assertThat(p.get("detail").asText()).contains("application/json or application/yaml");
    }

    @Test
    void validateAcceptsAGoodDefinitionAndStoresNothing() throws Exception {
        MockHttpServletResponse r = perform(post("/admin/routes:validate").contentType("application/yaml")
                .content(definition("dinkes-cek", "http://127.0.0.1:9/")), SliceSecurity.ADMIN);

        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(JSON.readTree(r.getContentAsString()).get("valid").asBoolean()).isTrue();
        problem(perform(get("/admin/routes/dinkes-cek"), SliceSecurity.ADMIN), 404, "ROUTE_NOT_FOUND");
    }

    @Test
    void createThenAStaleReplaceThenDeleteEachAnswerAndAreRecorded() throws Exception {
        MockHttpServletResponse created = perform(put("/admin/routes/dinkes-siklus").contentType("application/yaml")
                .content(definition("dinkes-siklus", "http://127.0.0.1:9/")), SliceSecurity.ADMIN);
        assertThat(created.getStatus()).isEqualTo(201);
        assertThat(created.getHeader("Location")).isEqualTo("/admin/routes/dinkes-siklus");
        assertThat(created.getHeader("ETag")).isEqualTo("\"1\"");

        MockHttpServletResponse same = perform(put("/admin/routes/dinkes-siklus").contentType("application/yaml")
                .content(definition("dinkes-siklus", "http://127.0.0.1:9/")), SliceSecurity.ADMIN);
        assertThat(same.getStatus()).isEqualTo(200);
        assertThat(same.getHeader("ETag")).isEqualTo("\"1\"");

        JsonNode stale = problem(perform(put("/admin/routes/dinkes-siklus").header("If-Match", "\"7\"")
                .contentType("application/yaml").content(definition("dinkes-siklus", "http://127.0.0.1:8/")),
                SliceSecurity.ADMIN), 412, "PRECONDITION_FAILED");
        assertThat(stale.get("detail").asText()).contains("is at version 1");

        MockHttpServletResponse deleted = perform(delete("/admin/routes/dinkes-siklus").header("If-Match", "\"1\""),
                SliceSecurity.ADMIN);
        assertThat(deleted.getStatus()).isEqualTo(204);
        problem(perform(delete("/admin/routes/dinkes-siklus"), SliceSecurity.ADMIN), 404, "ROUTE_NOT_FOUND");

        assertThat(trail.entries()).extracting(TrailEntry::status).containsExactly(201, 200, 412, 204, 404);
        assertThat(trail.entries()).extracting(TrailEntry::kind).containsOnly(TrailEntry.Kind.ROUTE_CHANGE);
    }

    @Test
    void whenTheTrailCannotTakeRecordsNothingIsChanged() throws Exception {
        trail.down(true);

        problem(perform(put("/admin/routes/dinkes-diam").contentType("application/yaml")
                .content(definition("dinkes-diam", "http://127.0.0.1:9/")), SliceSecurity.ADMIN), 503, "AUDIT_UNAVAILABLE");
        problem(perform(delete("/admin/routes/dinkes-diam"), SliceSecurity.ADMIN), 503, "AUDIT_UNAVAILABLE");

        trail.down(false);
        problem(perform(get("/admin/routes/dinkes-diam"), SliceSecurity.ADMIN), 404, "ROUTE_NOT_FOUND");
    }

    @Test
    void whenTheTrailRefusesTheRecordOfAChangeTheChangeIsNotMade() throws Exception {
        assertThat(perform(put("/admin/routes/dinkes-tetap").contentType("application/yaml")
                .content(definition("dinkes-tetap", "http://127.0.0.1:9/")), SliceSecurity.ADMIN).getStatus()).isEqualTo(201);
        trail.refusing(true);

        JsonNode replace = problem(perform(put("/admin/routes/dinkes-tetap").contentType("application/yaml")
                .content(definition("dinkes-tetap", "http://127.0.0.1:8/")), SliceSecurity.ADMIN), 503, "AUDIT_UNAVAILABLE");
        assertThat(replace.get("detail").asText()).contains("the registry is not changed");
        problem(perform(delete("/admin/routes/dinkes-tetap"), SliceSecurity.ADMIN), 503, "AUDIT_UNAVAILABLE");
        problem(perform(put("/admin/routes/dinkes-baru").contentType("application/yaml")
                .content(definition("dinkes-baru", "http://127.0.0.1:9/")), SliceSecurity.ADMIN), 503, "AUDIT_UNAVAILABLE");

        trail.refusing(false);
        MockHttpServletResponse kept = perform(get("/admin/routes/dinkes-tetap"), SliceSecurity.ADMIN);
        assertThat(kept.getHeader("ETag")).isEqualTo("\"1\"");
        assertThat(kept.getContentAsString()).contains("http://127.0.0.1:9/");
        assertThat(JSON.readTree(perform(get("/admin/routes/dinkes-tetap/history"), SliceSecurity.ADMIN)
                .getContentAsString())).hasSize(1);
        problem(perform(get("/admin/routes/dinkes-baru"), SliceSecurity.ADMIN), 404, "ROUTE_NOT_FOUND");
    }
}
