package id.gerbang.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** {@code mediation.soap} and {@code mediation.xml}: read strictly, validated, written back as read. */
class MediationDefinitionTest {

    private static final String SOAP_ROUTE = """
            id: bkpsdm-pegawai
            owner: bkpsdm
            path: /bkpsdm/pegawai
            methods: [POST]
            upstream: { url: "http://127.0.0.1:8089/simpeg/ws/PegawaiService" }
            access: { opds: [dinkes] }
            mediation:
              soap:
                version: "%s"
                namespace: "%s"
                operation: "%s"
                soapAction: "%s"
            """;

    private final RouteDefinitionReader reader = new RouteDefinitionReader();
    private final RouteValidator validator = new RouteValidator(RouteFixtures.loopbackPolicy());

    private RouteDefinition soap(String version, String namespace, String operation, String action) {
        return reader.readYaml(SOAP_ROUTE.formatted(version, namespace, operation, action), "test.yaml").get(0);
    }

    private static RouteDefinition.Soap example() {
        return new RouteDefinition.Soap("1.1", "http://bkpsdm.pelalawankab.go.id/simpeg", "getPegawaiByNip",
                "urn:getPegawaiByNip");
    }

    @Test
    void readsTheContractsSoapExampleAndWritesItBackAsRead() {
        RouteDefinition d = soap("1.1", "http://bkpsdm.pelalawankab.go.id/simpeg", "getPegawaiByNip", "urn:getPegawaiByNip");

        assertThat(d.mediation().soap()).isEqualTo(example());
        assertThat(d.mediation().xml()).isNull();
        assertThat(validator.validate(d)).isEmpty();
        assertThat(reader.readJson(reader.toJson(d), "again")).isEqualTo(d);
        assertThat(reader.readYaml(reader.toYaml(d), "again").get(0)).isEqualTo(d);
    }

    @Test
    void readsAnEmptyXmlBlockAndWritesItBackAsAnEmptyObject() {
        RouteDefinition d = reader.readJson("""
                {"id":"bapenda-pbb","owner":"bapenda","path":"/bapenda/pbb",
                 "upstream":{"url":"http://127.0.0.1:9000/pbb"},"mediation":{"xml":{}}}""", "test.json");

        assertThat(d.mediation().xml()).isEqualTo(new RouteDefinition.Xml(null));
        assertThat(validator.validate(d)).isEmpty();
        assertThat(reader.toJson(d)).contains("\"mediation\":{\"xml\":{}}");
        assertThat(reader.readJson(reader.toJson(d), "again")).isEqualTo(d);
    }

    @Test
    void aRouteWithoutMediationIsWrittenWithoutTheField() {
        assertThat(reader.toJson(RouteFixtures.penduduk())).doesNotContain("mediation");
    }

    @Test
    void refusesAnUnknownFieldInsideTheSoapBlock() {
        assertThatThrownBy(() -> reader.readYaml(SOAP_ROUTE.formatted("1.1", "urn:x", "op", "a")
                + "    wsdl: http://127.0.0.1/x?wsdl\n", "test.yaml"))
                .isInstanceOf(InvalidRouteException.class)
                .hasMessageContaining("mediation.soap.wsdl");
    }

    @ParameterizedTest(name = "{0} {1} {2} {3} -> {4}")
    @CsvSource(delimiter = '|', textBlock = """
            1.0 | urn:simpeg                       | getPegawaiByNip  | urn:a        | mediation.soap.version    | must be one of 1.1, 1.2
            1.1 | simpeg                           | getPegawaiByNip  | urn:a        | mediation.soap.namespace  | absolute URI
            1.1 | http://bkpsdm.go.id/sim peg      | getPegawaiByNip  | urn:a        | mediation.soap.namespace  | absolute URI
            1.1 | urn:simpeg                       | ns:getPegawai    | urn:a        | mediation.soap.operation  | NCName
            1.1 | urn:simpeg                       | 1getPegawai      | urn:a        | mediation.soap.operation  | NCName
            1.1 | urn:simpeg                       | get Pegawai      | urn:a        | mediation.soap.operation  | NCName
            1.1 | urn:simpeg                       | getPegawai       | urn:a\\"b    | mediation.soap.soapAction | without spaces, quotes
            1.2 | urn:simpeg                       | getPegawai       | urn:a b      | mediation.soap.soapAction | without spaces, quotes
            1.1 | urn:simpeg                       | ${env:HOME}      | urn:a        | mediation.soap.operation  | expressions are not allowed
            1.1 | http://x/#{1+1}                  | getPegawai       | urn:a        | mediation.soap.namespace  | expressions are not allowed
            1.1 | urn:simpeg                       | getPegawai       | urn:{{nip}}  | mediation.soap.soapAction | expressions are not allowed
            1.1 | urn:simpeg                       | getPegawai       | ${header.a}  | mediation.soap.soapAction | expressions are not allowed
            """)
    void refusesEachBadSoapValueNamingItsField(String version, String namespace, String operation, String action,
            String field, String message) {
        List<Violation> violations = validator.validate(soap(version, namespace, operation, action));

        assertThat(violations).anySatisfy(v -> {
            assertThat(v.field()).isEqualTo(field);
            assertThat(v.message()).contains(message);
        });
    }

    @Test
    void aSoapRouteServesPostOnly() {
        RouteDefinition get = reader.readYaml(SOAP_ROUTE.formatted("1.1", "urn:simpeg", "getPegawai", "urn:a")
                .replace("methods: [POST]", "methods: [GET, POST]"), "test.yaml").get(0);
        RouteDefinition byDefault = reader.readYaml(SOAP_ROUTE.formatted("1.1", "urn:simpeg", "getPegawai", "urn:a")
                .replace("methods: [POST]\n", ""), "test.yaml").get(0);

        assertThat(validator.validate(get)).extracting(Violation::field).containsExactly("methods");
        assertThat(validator.validate(byDefault)).extracting(Violation::message)
                .containsExactly("a SOAP route serves POST only: methods must be [POST]");
    }

    @Test
    void refusesBothKindsOrNeither() {
        RouteDefinition both = withMediation(new RouteDefinition.Mediation(example(), new RouteDefinition.Xml(null)));
        RouteDefinition neither = withMediation(new RouteDefinition.Mediation(null, null));

        assertThat(validator.validate(both)).extracting(Violation::toString)
                .containsExactly("mediation: must have exactly one of soap, xml");
        assertThat(validator.validate(neither)).extracting(Violation::toString)
                .containsExactly("mediation: must have exactly one of soap, xml");
    }

    @Test
    void theXmlRootIsAnNcNameAndNoExpression() {
        assertThat(validator.validate(withMediation(new RouteDefinition.Mediation(null, new RouteDefinition.Xml("pbb:query")))))
                .extracting(Violation::toString).containsExactly("mediation.xml.root: must be an XML name without a colon (NCName)");
        assertThat(validator.validate(withMediation(new RouteDefinition.Mediation(null, new RouteDefinition.Xml("{{root}}")))))
                .extracting(Violation::toString).contains("mediation.xml.root: expressions are not allowed");
        assertThat(validator.validate(withMediation(new RouteDefinition.Mediation(null, new RouteDefinition.Xml("permohonan")))))
                .isEmpty();
    }

    private static RouteDefinition withMediation(RouteDefinition.Mediation m) {
        RouteDefinition d = RouteFixtures.minimal("bkpsdm-pegawai", "/bkpsdm/pegawai");
        return new RouteDefinition(d.id(), d.owner(), d.name(), d.description(), d.path(), List.of("POST"), d.upstream(),
                d.access(), d.rateLimit(), d.maxConcurrent(), d.retries(), d.circuitBreaker(), d.maxBodyBytes(), d.audit(),
                d.openapi(), m);
    }
}
