package id.gerbang.gateway.trail;

import static id.gerbang.gateway.web.SliceSecurity.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import com.fasterxml.jackson.databind.JsonNode;
import id.gerbang.gateway.TestDatabases;
import id.gerbang.gateway.web.SliceSecurity;
import java.util.Set;
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
 * The auditor's API as the web layer serves it: the security chain in front of {@link AuditController},
 * over a real trail on H2. Refusals name the role; an attempt to read the trail without it is itself on
 * the trail; malformed parameters are problem documents that say which rule refused them.
 * ({@link AuditControllerTest} covers the answers themselves, without the chain.)
 */
@WebMvcTest(controllers = AuditController.class, excludeFilters = @ComponentScan.Filter(type = FilterType.REGEX,
        pattern = "id\\.gerbang\\.gateway\\.console\\..*"))
@Import({SliceSecurity.class, AuditControllerSliceTest.Queries.class})
class AuditControllerSliceTest {

    @TestConfiguration(proxyBeanMethods = false)
    static class Queries {
        @Bean
        TrailQueries trailQueries(TestDatabases.Database db) {
            return new TrailQueries(db.pool(), Set.of("gerbang-a"));
        }

        @Bean
        TrailAnchors trailAnchors(TestDatabases.Database db) {
            return new TrailAnchors(new TrailCheckpoints(db.pool()), new TrailProofs(db.pool()));
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

    MockHttpServletResponse perform(MockHttpServletRequestBuilder request, String token) throws Exception {
        return SliceSecurity.perform(mvc, request, token);
    }


    @Test
    void aTokenWithoutTheAuditorRoleIsToldTheRoleAndTheAttemptIsRecorded() throws Exception {
        JsonNode p = problem(perform(get("/audit/records").param("client", "dinkes-simpus"), SliceSecurity.ADMIN),
                403, "ACCESS_DENIED");

        assertThat(p.get("detail").asText()).isEqualTo("this needs the role auditor");
        assertThat(trail.entries()).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(TrailEntry.Kind.TRAIL_READ);
            assertThat(e.clientId()).isEqualTo("gerbang-admin");
            assertThat(e.clientOpd()).isEqualTo("diskominfo");
            assertThat(e.status()).isEqualTo(403);
        });
    }

    @Test
    void withoutATokenTheAnswerIs401AndTheAttemptIsRecorded() throws Exception {
        problem(perform(get("/audit/export").param("format", "csv"), null), 401, "INVALID_TOKEN");

        assertThat(trail.entries()).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(TrailEntry.Kind.TRAIL_READ);
            assertThat(e.clientId()).isNull();
            assertThat(e.status()).isEqualTo(401);
        });
    }

    @Test
    void whenTheRefusalCannotBeRecordedTheAnswerIs503() throws Exception {
        trail.down(true);

        problem(perform(get("/audit/records"), SliceSecurity.CLIENT), 503, "AUDIT_UNAVAILABLE");
    }

    @Test
    void anAuditorReadsAndTheReadingIsRecorded() throws Exception {
        MockHttpServletResponse r = perform(get("/audit/records").param("client", "nobody"), SliceSecurity.AUDITOR);

        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(TrailJson.MAPPER.readTree(r.getContentAsString()).get("total").asLong()).isZero();
        assertThat(trail.entries()).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(TrailEntry.Kind.TRAIL_READ);
            assertThat(e.clientId()).isEqualTo("inspektorat-audit");
            assertThat(e.status()).isEqualTo(200);
        });
    }

    @Test
    void malformedParametersAreProblemDocumentsNamingTheRule() throws Exception {
        assertThat(problem(perform(get("/audit/records").param("size", "501"), SliceSecurity.AUDITOR), 400, "BAD_REQUEST")
                .get("detail").asText()).isEqualTo("size must be a whole number from 1 to 500, not \"501\"");
        assertThat(problem(perform(get("/audit/records").param("colour", "red"), SliceSecurity.AUDITOR), 400, "BAD_REQUEST")
                .get("detail").asText()).startsWith("unknown parameter \"colour\"");
        assertThat(problem(perform(get("/audit/records/abc"), SliceSecurity.AUDITOR), 400, "BAD_REQUEST")
                .get("detail").asText()).contains("positive whole number");
        assertThat(problem(perform(get("/audit/export").param("format", "xml"), SliceSecurity.AUDITOR), 400, "BAD_REQUEST")
                .get("detail").asText()).isEqualTo("format must be csv or ndjson");
        assertThat(problem(perform(get("/audit/records").param("from", "2026-11-27"), SliceSecurity.AUDITOR), 400, "BAD_REQUEST")
                .get("detail").asText()).startsWith("from must be an ISO-8601 instant");
        assertThat(problem(perform(get("/audit/records/999999"), SliceSecurity.AUDITOR), 404, "RECORD_NOT_FOUND")
                .get("detail").asText()).contains("999999");
    }
}
