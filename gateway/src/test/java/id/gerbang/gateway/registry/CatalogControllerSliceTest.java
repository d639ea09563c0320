package id.gerbang.gateway.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.web.SliceSecurity;
import id.gerbang.gateway.proxy.UpstreamClient;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinitionReader;
import id.gerbang.routes.RouteValidator;
import id.gerbang.routes.UpstreamPolicy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
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
 * The catalogue as the web layer serves it: the security chain in front of {@link CatalogController},
 * over a registry serving one route (its upstream is never called). Any valid token reads it; the
 * upstream's address is never shown.
 */
@WebMvcTest(controllers = CatalogController.class, excludeFilters = @ComponentScan.Filter(type = FilterType.REGEX,
        pattern = "id\\.gerbang\\.gateway\\.console\\..*"))
@Import({SliceSecurity.class, CatalogControllerSliceTest.Served.class})
class CatalogControllerSliceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestConfiguration(proxyBeanMethods = false)
    static class Served {
        @Bean(destroyMethod = "stop")
        CamelContext camel() {
            CamelContext camel = new DefaultCamelContext();
            camel.start();
            return camel;
        }

        @Bean
        id.gerbang.gateway.credentials.Secrets secrets() {
            return new id.gerbang.gateway.credentials.Secrets(null,
                    java.util.Map.of("GERBANG_SECRET_SICANTIK_KEY", "kunci-rahasia-sicantik")::get, java.time.Clock.systemUTC());
        }

        @Bean
        UpstreamClient upstreamClient(GerbangProperties properties) {
            return new UpstreamClient(properties);
        }

        @Bean
        RouteRegistry registry(CamelContext camel, UpstreamClient client, GerbangProperties properties,
                id.gerbang.gateway.credentials.Secrets secrets) throws Exception {
            RouteRegistry registry = new RouteRegistry(camel, new id.gerbang.gateway.proxy.UpstreamForwarders(client,
                    secrets, new id.gerbang.gateway.proxy.OAuth2Tokens(secrets)),
                    new RouteValidator(new UpstreamPolicy(properties.upstreams().allowed()), secrets));
            registry.serve(List.of(Route.from(new RouteDefinitionReader().readYaml("""
                    id: dpmptsp-izin
                    owner: dpmptsp
                    path: /dpmptsp/izin
                    upstream:
                      url: "http://127.0.0.1:9/izin"
                      auth: {apiKey: {header: X-Api-Key, value: {secret: sicantik-key}}}
                      callerAssertion: true
                    """, "test").get(0), 1), Route.from(new RouteDefinitionReader().readYaml("""
                    id: disdukcapil-penduduk
                    owner: disdukcapil
                    name: Data penduduk
                    path: /disdukcapil/penduduk
                    methods: [GET]
                    upstream: {url: "http://127.0.0.1:9/internal/penduduk"}
                    access: {opds: [dinkes, bapenda]}
                    """, "test").get(0), 3), Route.from(new RouteDefinitionReader().readYaml("""
                    id: simpeg-pegawai
                    owner: bkpsdm
                    path: /bkpsdm/pegawai
                    methods: [POST]
                    upstream: {url: "http://127.0.0.1:9/simpeg/ws/PegawaiService"}
                    access: {opds: [dinkes]}
                    mediation:
                      soap: {version: "1.2", namespace: "http://bkpsdm.pelalawankab.go.id/simpeg",
                             operation: getPegawaiByNip, soapAction: "urn:getPegawaiByNip"}
                    """, "test").get(0), 1)));
            return registry;
        }
    }

    @Autowired
    MockMvc mvc;

    MockHttpServletResponse perform(MockHttpServletRequestBuilder request, String token) throws Exception {
        return SliceSecurity.perform(mvc, request, token);
    }

    static JsonNode json(MockHttpServletResponse r) throws Exception {
        return JSON.readTree(r.getContentAsString(StandardCharsets.UTF_8));
    }

    @Test
    void anyValidTokenReadsTheCatalogueWithoutTheUpstreamsAddress() throws Exception {
        MockHttpServletResponse r = perform(get("/catalog"), SliceSecurity.CLIENT);

        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(r.getContentType()).isEqualTo("application/json");
        JsonNode entry = json(r).get(0);
        assertThat(entry.get("id").asText()).isEqualTo("disdukcapil-penduduk");
        assertThat(entry.get("version").asLong()).isEqualTo(3);
        assertThat(entry.get("path").asText()).isEqualTo("/api/disdukcapil/penduduk");
        assertThat(entry.get("access").get("opds").findValuesAsText("id")).containsExactly("bapenda", "dinkes");
        assertThat(r.getContentAsString()).doesNotContain("127.0.0.1").doesNotContain("internal");
    }

    @Test
    void showsEachSecretByNameAndWhetherItResolvesNeverItsValue() throws Exception {
        MockHttpServletResponse r = perform(get("/catalog/dpmptsp-izin"), SliceSecurity.CLIENT);

        assertThat(r.getStatus()).isEqualTo(200);
        JsonNode credentials = json(r).get("upstreamCredentials");
        assertThat(credentials.get("auth").asText()).isEqualTo("apiKey");
        assertThat(credentials.get("callerAssertion").asBoolean()).isTrue();
        assertThat(credentials.get("secrets").get(0).get("name").asText()).isEqualTo("sicantik-key");
        assertThat(credentials.get("secrets").get(0).get("resolves").asBoolean()).isTrue();
        assertThat(r.getContentAsString()).doesNotContain("kunci-rahasia-sicantik");
        assertThat(json(perform(get("/catalog/disdukcapil-penduduk"), SliceSecurity.CLIENT)).has("upstreamCredentials"))
                .isFalse();
    }

    @Test
    void oneServiceByItsId() throws Exception {
        MockHttpServletResponse r = perform(get("/catalog/disdukcapil-penduduk"), SliceSecurity.AUDITOR);

        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(json(r).get("name").asText()).isEqualTo("Data penduduk");
    }

    @Test
    void aMediatedServiceSaysWhatItsUpstreamSpeaks() throws Exception {
        MockHttpServletResponse r = perform(get("/catalog/simpeg-pegawai"), SliceSecurity.CLIENT);

        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(json(r).get("mediation")).isEqualTo(JSON.readTree("""
                {"soap":{"version":"1.2","namespace":"http://bkpsdm.pelalawankab.go.id/simpeg",
                 "operation":"getPegawaiByNip","soapAction":"urn:getPegawaiByNip"}}"""));
        assertThat(json(perform(get("/catalog/disdukcapil-penduduk"), SliceSecurity.CLIENT)).has("mediation")).isFalse();
    }

    @Test
    void anUnknownServiceIsAProblemDocument() throws Exception {
        MockHttpServletResponse r = perform(get("/catalog/tidak-ada"), SliceSecurity.CLIENT);

        assertThat(r.getStatus()).isEqualTo(404);
        assertThat(r.getContentType()).isEqualTo("application/problem+json");
        assertThat(json(r).get("code").asText()).isEqualTo("ROUTE_NOT_FOUND");
        assertThat(json(r).get("detail").asText()).isEqualTo("no service has the id tidak-ada");
    }

    @Test
    void theSplpDocumentPointsAtGerbangNeverAtTheUpstreamNorItsSecret() throws Exception {
        MockHttpServletResponse r = perform(get("/catalog/dpmptsp-izin/openapi").param("for", "splp"), SliceSecurity.CLIENT);

        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(r.getContentType()).isEqualTo("application/json");
        JsonNode doc = json(r);
        assertThat(doc.get("x-wso2-production-endpoints").get("urls").get(0).asText()).isEqualTo("http://localhost/api/dpmptsp/izin");
        assertThat(doc.get("x-wso2-basePath").asText()).isEqualTo("/dpmptsp/izin/1.0.0");
        assertThat(doc.get("x-wso2-auth-header").asText()).isEqualTo("AuthorizationSPLP");
        assertThat(r.getContentAsString()).doesNotContain("127.0.0.1", "sicantik-key", "kunci-rahasia-sicantik");
    }

    @Test
    void theOpenApiDocumentIsForSplpOnlyAndForAKnownService() throws Exception {
        MockHttpServletResponse none = perform(get("/catalog/dpmptsp-izin/openapi"), SliceSecurity.CLIENT);
        MockHttpServletResponse other = perform(get("/catalog/dpmptsp-izin/openapi").param("for", "x"), SliceSecurity.CLIENT);
        MockHttpServletResponse unknown = perform(get("/catalog/tidak-ada/openapi").param("for", "splp"), SliceSecurity.CLIENT);
        MockHttpServletResponse anonymous = perform(get("/catalog/dpmptsp-izin/openapi").param("for", "splp"), null);

        assertThat(none.getStatus()).isEqualTo(400);
        assertThat(json(none).get("code").asText()).isEqualTo("BAD_REQUEST");
        assertThat(other.getStatus()).isEqualTo(400);
        assertThat(unknown.getStatus()).isEqualTo(404);
        assertThat(anonymous.getStatus()).isEqualTo(401);
    }

    @Test
    void withoutAValidTokenTheAnswerIs401() throws Exception {
        for (String token : new String[] {null, "forged"}) {
            MockHttpServletResponse r = perform(get("/catalog"), token);

            assertThat(r.getStatus()).as("token %s", token).isEqualTo(401);
            assertThat(json(r).get("code").asText()).isEqualTo("INVALID_TOKEN");
            assertThat(r.getContentAsString()).doesNotContain("disdukcapil");
        }
    }
}
