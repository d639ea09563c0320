package id.gerbang.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code upstream.auth}, {@code upstream.tls} and {@code upstream.callerAssertion}: read, written back and validated. */
class UpstreamCredentialsValidationTest {

    private final RouteDefinitionReader reader = new RouteDefinitionReader();
    private final UpstreamPolicy policy = new UpstreamPolicy(List.of("127.0.0.0/8", "*.pelalawankab.go.id"),
            host -> new InetAddress[] {InetAddress.getByName("10.0.0.1")});
    private final RouteValidator validator = new RouteValidator(policy,
            Set.of("simpeg-ws-password", "sicantik-key", "splp-bapenda", "oauth-secret", "simpeg-ca", "gerbang-client")::contains);

    private static String route(String upstream) {
        return """
                id: bkpsdm-pegawai
                owner: bkpsdm
                path: /bkpsdm/pegawai
                upstream:
                """ + upstream.indent(2);
    }

    private List<Violation> validate(String yaml) {
        return validator.validate(reader.readYaml(yaml, "t.yaml").get(0));
    }

    @Test
    void readsEachCredentialKindAndWritesItBackEqual() {
        String yaml = route("""
                url: https://simpeg.pelalawankab.go.id/ws
                auth:
                  basic: { username: gerbang, password: { secret: simpeg-ws-password } }
                tls: { trustSecret: simpeg-ca, clientCertSecret: gerbang-client }
                callerAssertion: true
                """);
        RouteDefinition d = reader.readYaml(yaml, "t.yaml").get(0);
        assertThat(d.upstream().auth().basic().password().secret()).isEqualTo("simpeg-ws-password");
        assertThat(d.upstream().tls()).isEqualTo(new RouteDefinition.Tls("simpeg-ca", "gerbang-client"));
        assertThat(d.upstream().callerAssertion()).isTrue();
        assertThat(reader.readYaml(reader.toYaml(d), "api")).containsExactly(d);
        assertThat(reader.readJson(reader.toJson(d), "api")).isEqualTo(d);
        assertThat(validator.validate(d)).isEmpty();
        for (String auth : List.of(
                "apiKey: { header: X-Api-Key, value: { secret: sicantik-key } }",
                "oauth2: { tokenUrl: https://sso.pelalawankab.go.id/token, clientId: gerbang, clientSecret: { secret: oauth-secret }, scope: read }",
                "splp: { token: { secret: splp-bapenda } }")) {
            assertThat(validate(route("url: http://127.0.0.1:9000\nauth: { " + auth + " }\n"))).as(auth).isEmpty();
        }
    }

    @Test
    void refusesASecretTheNodeCannotResolveNamingWhereToPutIt() {
        List<Violation> violations = validate(route("""
                url: http://127.0.0.1:9000
                auth: { apiKey: { header: X-Api-Key, value: { secret: kunci-hilang } } }
                """));
        assertThat(violations).extracting(Violation::field).containsExactly("upstream.auth.apiKey.value.secret");
        assertThat(violations.get(0).message())
                .isEqualTo("secret kunci-hilang does not resolve on this node: put a file kunci-hilang in "
                        + "gerbang.secrets.dir or set GERBANG_SECRET_KUNCI_HILANG");
    }

    @Test
    void refusesMalformedCredentials() {
        assertThat(validate(route("""
                url: http://127.0.0.1:9000
                auth:
                  basic: { username: "a:b", password: { secret: "Bad_Name" } }
                  splp: { token: { secret: splp-bapenda } }
                tls: { trustSecret: simpeg-ca }
                """))).extracting(Violation::field).containsExactlyInAnyOrder(
                "upstream.auth", "upstream.auth.basic.username", "upstream.auth.basic.password.secret", "upstream.tls");
        assertThat(validate(route("""
                url: http://127.0.0.1:9000
                auth: { apiKey: { header: X-Gerbang-Client, value: { secret: sicantik-key } } }
                """))).extracting(Violation::rule).containsExactly(Violation.Rule.HEADER_RESERVED);
        assertThat(validate(route("""
                url: http://127.0.0.1:9000
                auth: { oauth2: { tokenUrl: "http://169.254.169.254/token", clientId: g, clientSecret: { secret: oauth-secret } } }
                """))).extracting(Violation::field).containsExactly("upstream.auth.oauth2.tokenUrl");
        assertThat(validate(route("""
                url: http://127.0.0.1:9000
                auth: {}
                """))).extracting(Violation::rule).containsExactly(Violation.Rule.AUTH_ONE_OF);
    }

    @Test
    void aSecretValueWrittenInTheDefinitionIsAnUnknownField() {
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(InvalidRouteException.class, () -> reader.readYaml(route("""
                url: http://127.0.0.1:9000
                auth: { apiKey: { header: X-Api-Key, value: rahasia } }
                """), "t.yaml")).violations()).isNotEmpty();
    }
}
