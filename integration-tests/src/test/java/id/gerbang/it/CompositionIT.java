package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static id.gerbang.it.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import id.gerbang.it.support.Gateway;
import id.gerbang.it.support.GatewayTest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Composed services end to end on the packaged gateway: a composite's parts called through their own routes
 * with the caller's own identity, merged under their names; a part that is slow, fails, answers no JSON, is
 * forbidden to the caller or over its rate limit, in the merged answer ({@code partial: allow}) and as the
 * whole call's error ({@code partial: fail}); each part's record names the composite's; hostile segments.
 */
class CompositionIT extends GatewayTest {

    private static final String NIK = "1404015708900001";
    /** dinkes-simpus (OPD dinkes) may call the resident route, not the tax route; dpmptsp-sicantik may call both. */
    private static final String DINKES = "dinkes-simpus";
    private static final String DPMPTSP = "dpmptsp-sicantik";

    @BeforeAll
    static void routes() throws Exception {
        String up = "http://127.0.0.1:" + wm.port();
        put("it-comp-penduduk", """
                id: it-comp-penduduk
                owner: disdukcapil
                path: /it/comp/penduduk
                upstream: { url: "%s/siak/penduduk", timeoutMs: 5000 }
                access: { opds: [dinkes, dpmptsp] }
                audit: { maskJsonFields: [nama_lengkap] }
                """.formatted(up));
        put("it-comp-pajak", """
                id: it-comp-pajak
                owner: bapenda
                path: /it/comp/pajak
                upstream: { url: "%s/sipd/status-pajak", timeoutMs: 2500 }
                access: { opds: [dpmptsp] }
                """.formatted(up));
        put("it-comp-kuota", """
                id: it-comp-kuota
                owner: bapenda
                path: /it/comp/kuota
                upstream: { url: "%s/sipd/kuota" }
                access: { opds: [dinkes, dpmptsp] }
                rateLimit: { requests: 1, perSeconds: 3600 }
                """.formatted(up));
        put("it-comp-besar", """
                id: it-comp-besar
                owner: bapenda
                path: /it/comp/besar
                upstream: { url: "%s/sipd/besar" }
                access: { opds: [dinkes, dpmptsp] }
                maxBodyBytes: 64
                """.formatted(up));
        put("it-comp-besar-profil", composite("it-comp-besar-profil", "/it/comp/besar-profil", "allow", "it-comp-besar"));
        put("it-comp-profil", composite("it-comp-profil", "/it/comp/profil", "allow", "it-comp-pajak"));
        put("it-comp-ketat", composite("it-comp-ketat", "/it/comp/ketat", "fail", "it-comp-pajak"));
        put("it-comp-kuota-profil", composite("it-comp-kuota-profil", "/it/comp/kuota-profil", "allow", "it-comp-kuota"));
        put("it-comp-hilang", composite("it-comp-hilang", "/it/comp/hilang", "allow", "it-comp-tidak-ada"));
    }

    private static String composite(String id, String path, String partial, String taxRoute) {
        return """
                id: %s
                owner: diskominfo
                path: %s
                access: { opds: [dinkes, dpmptsp] }
                compose:
                  params: [nik]
                  parts:
                    - { name: penduduk, route: it-comp-penduduk, path: "/{nik}" }
                    - { name: pajak, route: %s, query: { nik: "{nik}", jenis: semua } }
                  partial: %s
                """.formatted(id, path, taxRoute, partial);
    }

    private static void put(String id, String yaml) throws Exception {
        HttpResponse<String> r = admin("PUT", id, yaml);
        assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
    }

    private static HttpResponse<String> admin(String method, String id, String yaml) throws Exception {
        return gw.send(gw.request("/admin/routes/" + id).header("Authorization", "Bearer " + gw.token("gerbang-admin"))
                .header("Content-Type", "application/yaml").method(method, HttpRequest.BodyPublishers.ofString(yaml)).build());
    }

    private static void residentAnswers() {
        wm.stubFor(get(urlPathMatching("/siak/penduduk/.*")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"nik\":\"" + NIK + "\",\"nama_lengkap\":\"Siti Rahmawati\"}")));
    }

    private static void taxAnswers() {
        wm.stubFor(get(urlPathEqualTo("/sipd/status-pajak")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"status\":\"LUNAS\"}")));
    }

    private static List<LoggedRequest> receivedAt(String pathPrefix) {
        return received().stream().filter(r -> r.getUrl().startsWith(pathPrefix)).toList();
    }

    /** The call records of {@code route} that name {@code parent} as their composite. */
    private static List<JsonNode> partRecords(String route, String parent) throws Exception {
        HttpResponse<String> r = gw.get("/audit/records?route=" + route + "&size=500", "inspektorat-audit");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode record : Gateway.json(r.body()).path("records")) {
            if (parent.equals(record.path("parentCorrelationId").asText(null))) {
                out.add(record);
            }
        }
        return out;
    }

    private static JsonNode record(String correlationId) throws Exception {
        HttpResponse<String> r = gw.get("/audit/records?correlationId=" + correlationId, "inspektorat-audit");
        JsonNode records = Gateway.json(r.body()).path("records");
        assertThat(records).as(r.body()).hasSize(1);
        return records.get(0);
    }

    @Test
    void bothPartsAnswerMergedUnderTheirNamesEachThroughItsOwnRouteAndRecord() throws Exception {
        residentAnswers();
        taxAnswers();

        HttpResponse<String> r = gw.get("/api/it/comp/profil/" + NIK, DPMPTSP);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode body = Gateway.json(r.body());
        assertThat(body.path("penduduk").path("nama_lengkap").asText()).isEqualTo("Siti Rahmawati");
        assertThat(body.path("pajak").path("status").asText()).isEqualTo("LUNAS");
        assertThat(body.has("incomplete")).isFalse();

        LoggedRequest resident = receivedAt("/siak/penduduk").get(0);
        LoggedRequest tax = receivedAt("/sipd/status-pajak").get(0);
        assertThat(resident.getUrl()).isEqualTo("/siak/penduduk/" + NIK);
        assertThat(tax.getUrl()).isEqualTo("/sipd/status-pajak?nik=" + NIK + "&jenis=semua");
        for (LoggedRequest part : List.of(resident, tax)) {
            assertThat(part.getHeader("X-Gerbang-Client")).isEqualTo(DPMPTSP);
            assertThat(part.getHeader("X-Gerbang-Opd")).isEqualTo("dpmptsp");
            assertThat(part.containsHeader("Authorization")).isFalse();
            assertThat(part.getHeader("Accept")).isEqualTo("application/json");
        }

        String parent = r.headers().firstValue("X-Correlation-Id").orElseThrow();
        JsonNode composite = record(parent);
        assertThat(composite.path("routeId").asText()).isEqualTo("it-comp-profil");
        assertThat(composite.path("status").asInt()).isEqualTo(200);
        assertThat(composite.path("parentCorrelationId").isNull()).isTrue();
        assertThat(composite.path("path").asText()).doesNotContain(NIK); // masked as any NIK in a path
        List<JsonNode> residentRecords = partRecords("it-comp-penduduk", parent);
        List<JsonNode> taxRecords = partRecords("it-comp-pajak", parent);
        assertThat(residentRecords).hasSize(1);
        assertThat(taxRecords).hasSize(1);
        assertThat(residentRecords.get(0).path("correlationId").asText()).isEqualTo(resident.getHeader("X-Correlation-Id"))
                .isNotEqualTo(parent);
        assertThat(residentRecords.get(0).path("clientId").asText()).isEqualTo(DPMPTSP);
        assertThat(residentRecords.get(0).path("upstreamStatus").asInt()).isEqualTo(200);
        assertThat(residentRecords.get(0).path("hashVersion").asInt()).isEqualTo(2);
        assertThat(taxRecords.get(0).path("correlationId").asText()).isEqualTo(tax.getHeader("X-Correlation-Id"));
    }

    @Test
    void aPartForbiddenToTheCallerIsNeverCalledAndIsNamedIncomplete() throws Exception {
        residentAnswers();
        taxAnswers();

        HttpResponse<String> r = gw.get("/api/it/comp/profil/" + NIK, DINKES);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = Gateway.json(r.body());
        assertThat(body.path("penduduk").path("nik").asText()).isEqualTo(NIK);
        assertThat(body.path("pajak").path("status").asInt()).isEqualTo(403);
        assertThat(body.path("pajak").path("code").asText()).isEqualTo("ACCESS_DENIED");
        assertThat(body.path("incomplete").toString()).isEqualTo("[\"pajak\"]");
        assertThat(receivedAt("/sipd")).isEmpty();
        String parent = r.headers().firstValue("X-Correlation-Id").orElseThrow();
        List<JsonNode> denied = partRecords("it-comp-pajak", parent);
        assertThat(denied).hasSize(1);
        assertThat(denied.get(0).path("status").asInt()).isEqualTo(403);
        assertThat(denied.get(0).path("errorCode").asText()).isEqualTo("ACCESS_DENIED");
        assertThat(denied.get(0).path("correlationId").asText()).isEqualTo(body.path("pajak").path("correlationId").asText());
    }

    @Test
    void withPartialFailAForbiddenPartFailsTheWholeCallWithItsCode() throws Exception {
        residentAnswers();

        HttpResponse<String> r = gw.get("/api/it/comp/ketat/" + NIK, DINKES);

        JsonNode problem = assertProblem(r, 403, "ACCESS_DENIED");
        assertThat(problem.path("detail").asText()).contains("part pajak").contains("it-comp-pajak");
        assertThat(record(r.headers().firstValue("X-Correlation-Id").orElseThrow()).path("errorCode").asText())
                .isEqualTo("ACCESS_DENIED");
    }

    @Test
    void aSlowPartTimesOutOnItsOwnRoutesTimeoutWhileTheOtherAnswers() throws Exception {
        residentAnswers();
        wm.stubFor(get(urlPathEqualTo("/sipd/status-pajak")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{}").withFixedDelay(6000)));

        HttpResponse<String> allowed = gw.get("/api/it/comp/profil/" + NIK, DPMPTSP);
        HttpResponse<String> strict = gw.get("/api/it/comp/ketat/" + NIK, DPMPTSP);

        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
        JsonNode body = Gateway.json(allowed.body());
        assertThat(body.path("penduduk").path("nik").asText()).isEqualTo(NIK);
        assertThat(body.path("pajak").path("status").asInt()).isEqualTo(504);
        assertThat(body.path("pajak").path("code").asText()).isEqualTo("UPSTREAM_TIMEOUT");
        assertThat(body.path("incomplete").toString()).isEqualTo("[\"pajak\"]");
        assertProblem(strict, 504, "UPSTREAM_TIMEOUT");
    }

    @Test
    void aFailingPartAndAPartThatAnswersNoJsonAreIncomplete() throws Exception {
        residentAnswers();
        wm.stubFor(get(urlPathEqualTo("/sipd/status-pajak")).willReturn(aResponse().withStatus(500).withBody("galat")));

        HttpResponse<String> failed = gw.get("/api/it/comp/profil/" + NIK, DPMPTSP);
        HttpResponse<String> strict = gw.get("/api/it/comp/ketat/" + NIK, DPMPTSP);
        wm.stubFor(get(urlPathEqualTo("/sipd/status-pajak")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html").withBody("<html>pemeliharaan</html>")));
        HttpResponse<String> notJson = gw.get("/api/it/comp/profil/" + NIK, DPMPTSP);

        JsonNode body = Gateway.json(failed.body());
        assertThat(failed.statusCode()).isEqualTo(200);
        assertThat(body.path("pajak").path("status").asInt()).isEqualTo(500);
        assertThat(body.path("pajak").has("code")).isFalse(); // the upstream's own status, no gateway code
        assertThat(body.path("incomplete").toString()).isEqualTo("[\"pajak\"]");
        assertProblem(strict, 502, "UPSTREAM_UNAVAILABLE");
        JsonNode html = Gateway.json(notJson.body());
        assertThat(html.path("pajak").path("status").asInt()).isEqualTo(502);
        assertThat(html.path("pajak").path("code").asText()).isEqualTo("UPSTREAM_UNAVAILABLE");
        assertThat(html.path("pajak").path("detail").asText()).contains("not JSON");
        assertThat(html.path("penduduk").path("nik").asText()).isEqualTo(NIK);
    }

    @Test
    void aPartOverItsRateLimitIsIncompleteWithItsCode() throws Exception {
        residentAnswers();
        wm.stubFor(get(urlPathEqualTo("/sipd/kuota")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("[1,2]")));

        HttpResponse<String> first = gw.get("/api/it/comp/kuota-profil/" + NIK, DINKES);
        HttpResponse<String> second = gw.get("/api/it/comp/kuota-profil/" + NIK, DINKES);

        assertThat(Gateway.json(first.body()).path("pajak").toString()).isEqualTo("[1,2]");
        JsonNode body = Gateway.json(second.body());
        assertThat(body.path("pajak").path("status").asInt()).isEqualTo(429);
        assertThat(body.path("pajak").path("code").asText()).isEqualTo("RATE_LIMITED");
        assertThat(body.path("incomplete").toString()).isEqualTo("[\"pajak\"]");
        assertThat(receivedAt("/sipd/kuota")).hasSize(1);
    }

    @Test
    void aPartsAnswerOverItsRoutesMaxBodyBytesIsIncomplete() throws Exception {
        residentAnswers();
        wm.stubFor(get(urlPathEqualTo("/sipd/besar")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"data\":\"" + "x".repeat(200) + "\"}")));

        HttpResponse<String> r = gw.get("/api/it/comp/besar-profil/" + NIK, DPMPTSP);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = Gateway.json(r.body());
        assertThat(body.path("pajak").path("status").asInt()).isEqualTo(502);
        assertThat(body.path("pajak").path("code").asText()).isEqualTo("UPSTREAM_UNAVAILABLE");
        assertThat(body.path("pajak").path("detail").asText()).contains("maxBodyBytes (64)");
        assertThat(r.body()).doesNotContain("xxxxxxxx");
        assertThat(body.path("penduduk").path("nik").asText()).isEqualTo(NIK);
    }

    @Test
    void aPartWhoseRouteIsNotServedIsAnsweredNot500() throws Exception {
        residentAnswers();

        HttpResponse<String> r = gw.get("/api/it/comp/hilang/" + NIK, DPMPTSP);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = Gateway.json(r.body());
        assertThat(body.path("pajak").path("status").asInt()).isEqualTo(502);
        assertThat(body.path("pajak").path("code").asText()).isEqualTo("UPSTREAM_UNAVAILABLE");
        assertThat(body.path("pajak").path("detail").asText()).contains("it-comp-tidak-ada is not served");
    }

    @Test
    void aSegmentIsEncodedAgainOnTheWayToEachPart() throws Exception {
        residentAnswers();
        taxAnswers();

        HttpResponse<String> r = gw.get("/api/it/comp/profil/a%20b%26c=d", DPMPTSP);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(receivedAt("/siak/penduduk").get(0).getUrl()).isEqualTo("/siak/penduduk/a%20b%26c%3Dd");
        assertThat(receivedAt("/sipd/status-pajak").get(0).getUrl()).isEqualTo("/sipd/status-pajak?nik=a%20b%26c%3Dd&jenis=semua");
    }

    @Test
    void hostileOrMisshapenSegmentsAreRefusedAndNoPartIsCalled() throws Exception {
        for (String path : List.of("/api/it/comp/profil", "/api/it/comp/profil/1/2", "/api/it/comp/profil/%2e%2e",
                "/api/it/comp/profil/a%2Fb", "/api/it/comp/profil/a%0D%0AX-Evil:1", "/api/it/comp/profil/%C3")) {
            assertProblem(gw.get(path, DPMPTSP), 400, "BAD_REQUEST");
        }
        assertThat(received()).isEmpty();
    }

    @Test
    void theRegistryRefusesACompositeAsAPartAndAnythingButGet() throws Exception {
        HttpResponse<String> nested = admin("PUT", "it-comp-nested", composite("it-comp-nested", "/it/comp/nested", "allow",
                "it-comp-profil"));
        HttpResponse<String> post = admin("PUT", "it-comp-post", composite("it-comp-post", "/it/comp/post", "allow",
                "it-comp-pajak") + "methods: [POST]\n");

        assertThat(nested.statusCode()).isEqualTo(400);
        assertThat(nested.body()).contains("compose.parts[1].route").contains("it-comp-profil is a composite");
        assertThat(post.statusCode()).isEqualTo(400);
        assertThat(post.body()).contains("a composite serves GET only");
    }

    @Test
    void theCatalogueShowsAComposite() throws Exception {
        HttpResponse<String> r = gw.get("/catalog/it-comp-profil", DINKES);

        JsonNode compose = Gateway.json(r.body()).path("compose");
        assertThat(compose.path("partial").asText()).isEqualTo("allow");
        assertThat(compose.path("parts").get(1).path("route").asText()).isEqualTo("it-comp-pajak");
        assertThat(compose.path("params").toString()).isEqualTo("[\"nik\"]");
    }
}
