package id.gerbang.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.gateway.TestDatabases;
import id.gerbang.gateway.credentials.CredentialsSummary;
import id.gerbang.gateway.credentials.CredentialsSummary.SecretUse;
import id.gerbang.gateway.policy.UpstreamsHealth;
import id.gerbang.gateway.registry.RegistryStore;
import id.gerbang.routes.RouteDefinition;
import id.gerbang.routes.RouteDefinitionReader;
import id.gerbang.routes.SecretNames;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.ui.ExtendedModelMap;

/**
 * The services pages show each route's upstream credentials: the kind of {@code auth}, each secret by name
 * (the TLS ones too) with whether this node has it, and whether a caller assertion is sent; the page of a
 * service also its mediation. What a page is given holds no secret's value.
 */
class ConsoleServicesCredentialsTest {

    static final RouteDefinitionReader READER = new RouteDefinitionReader();
    /** The node has every secret but {@code simpeg-ca}. */
    static final SecretNames NODE = name -> !name.equals("simpeg-ca");

    final TestDatabases.Database db = TestDatabases.h2("console-credentials", 2);
    RegistryStore store;
    ConsoleServicesController controller;

    @BeforeEach
    void routes() throws Exception {
        store = new RegistryStore(db.pool(), READER);
        put("""
                id: bkpsdm-pegawai
                owner: bkpsdm
                path: /bkpsdm/pegawai
                methods: [POST]
                upstream:
                  url: https://127.0.0.1:8443/simpeg/ws/PegawaiService
                  auth: {basic: {username: gerbang, password: {secret: simpeg-ws-password}}}
                  tls: {trustSecret: simpeg-ca, clientCertSecret: gerbang-client}
                  callerAssertion: true
                mediation:
                  soap: {version: "1.1", namespace: "http://bkpsdm.pelalawankab.go.id/simpeg", operation: getPegawaiByNip}
                access: {opds: [dinkes]}
                """);
        put("""
                id: disdukcapil-penduduk
                owner: disdukcapil
                path: /disdukcapil/penduduk
                upstream: {url: "http://127.0.0.1:8080/penduduk"}
                access: {opds: [dinkes]}
                """);
        controller = new ConsoleServicesController(store, null, READER, new IntegrationStats(db.pool()),
                new StaticListableBeanFactory().getBeanProvider(UpstreamsHealth.class), null,
                new id.gerbang.gateway.registry.RouteRegistry(null, null, null), null, NODE);
    }

    void put(String yaml) throws Exception {
        RouteDefinition d = READER.readYaml(yaml, "test").get(0);
        store.put(d, new RegistryStore.Precondition(null, true), "admin", "test", (x, others) -> java.util.List.of());
    }

    @AfterEach
    void close() throws Exception {
        db.close();
    }

    @Test
    void theListShowsEachRoutesCredentialKindAndSecretsByNameWithWhetherTheNodeHasThem() throws Exception {
        ExtendedModelMap model = new ExtendedModelMap();
        controller.list(model);

        @SuppressWarnings("unchecked")
        Map<String, CredentialsSummary> credentials = (Map<String, CredentialsSummary>) model.get("credentials");
        assertThat(credentials.keySet()).containsExactly("bkpsdm-pegawai");
        CredentialsSummary c = credentials.get("bkpsdm-pegawai");
        assertThat(c.auth()).isEqualTo("basic");
        assertThat(c.callerAssertion()).isTrue();
        assertThat(c.secrets()).containsExactly(new SecretUse("simpeg-ws-password", "auth.basic.password", true),
                new SecretUse("simpeg-ca", "tls.trustSecret", false), new SecretUse("gerbang-client", "tls.clientCertSecret", true));
    }

    @Test
    void aServicesPageShowsItsCredentialsAndNoneForARouteWithout() throws Exception {
        ExtendedModelMap model = new ExtendedModelMap();
        assertThat(controller.service("bkpsdm-pegawai", null, null, model, new MockHttpServletResponse())).isEqualTo("console/service");
        CredentialsSummary c = (CredentialsSummary) model.get("credentials");
        assertThat(c.auth()).isEqualTo("basic");
        assertThat(c.secrets()).extracting(SecretUse::name).containsExactly("simpeg-ws-password", "simpeg-ca", "gerbang-client");
        assertThat(((RegistryStore.Stored) model.get("current")).definition().mediation().soap().operation())
                .isEqualTo("getPegawaiByNip");

        ExtendedModelMap plain = new ExtendedModelMap();
        controller.service("disdukcapil-penduduk", null, null, plain, new MockHttpServletResponse());
        assertThat(plain.get("credentials")).isNull();
        assertThat(plain.containsAttribute("credentials")).isTrue();
    }
}
