package id.gerbang.gateway.proxy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.credentials.Secrets;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * {@code upstream.tls}: an https upstream whose certificate a private CA issued, and one that demands a
 * client certificate; certificates made here with BouncyCastle.
 */
class UpstreamTlsTest {

    @TempDir
    static Path dir;
    static WireMockServer privateCa;
    static WireMockServer mutual;
    static UpstreamClient client;
    static Secrets secrets;
    static UpstreamForwarders forwarders;

    record Issued(KeyPair keys, X509Certificate certificate) {}

    static Issued issue(String subject, Issued issuer, boolean ca, boolean server) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair keys = generator.generateKeyPair();
        X500Name name = new X500Name("CN=" + subject);
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer == null ? name
                : new X500Name(issuer.certificate().getSubjectX500Principal().getName()), BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(1, ChronoUnit.DAYS)), name, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (server) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        }
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(issuer == null ? keys.getPrivate() : issuer.keys().getPrivate())));
        return new Issued(keys, certificate);
    }

    static String pem(Object... objects) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object o : objects) {
                // a private key as PKCS#8 ("BEGIN PRIVATE KEY"), as openssl genpkey writes it
                writer.writeObject(o instanceof java.security.PrivateKey key
                        ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null) : o);
            }
        }
        return out.toString();
    }

    static Path store(String file, KeyStore store) throws Exception {
        Path path = dir.resolve(file);
        try (OutputStream out = Files.newOutputStream(path)) {
            store.store(out, "changeit".toCharArray());
        }
        return path;
    }

    @BeforeAll
    static void start() throws Exception {
        Issued ca = issue("Diskominfo Pelalawan CA", null, true, false);
        Issued server = issue("localhost", ca, false, true);
        Issued gateway = issue("gerbang", ca, false, false);
        KeyStore serverStore = KeyStore.getInstance("PKCS12");
        serverStore.load(null, null);
        serverStore.setKeyEntry("server", server.keys().getPrivate(), "changeit".toCharArray(),
                new Certificate[] {server.certificate(), ca.certificate()});
        Path keystore = store("server.p12", serverStore);
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trustStore.setCertificateEntry("ca", ca.certificate());
        Path truststore = store("trust.p12", trustStore);

        privateCa = new WireMockServer(options().httpDisabled(true).dynamicHttpsPort().bindAddress("127.0.0.1")
                .keystorePath(keystore.toString()).keystoreType("PKCS12").keystorePassword("changeit").keyManagerPassword("changeit"));
        mutual = new WireMockServer(options().httpDisabled(true).dynamicHttpsPort().bindAddress("127.0.0.1")
                .keystorePath(keystore.toString()).keystoreType("PKCS12").keystorePassword("changeit").keyManagerPassword("changeit")
                .needClientAuth(true).trustStorePath(truststore.toString()).trustStoreType("PKCS12").trustStorePassword("changeit"));
        for (WireMockServer s : List.of(privateCa, mutual)) {
            s.start();
            s.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("{}")));
        }
        Issued stranger = issue("stranger", issue("Other CA", null, true, false), false, false);
        secrets = new Secrets(null, Map.of(
                "GERBANG_SECRET_PELALAWAN_CA", pem(ca.certificate()),
                "GERBANG_SECRET_GERBANG_CLIENT", pem(gateway.certificate(), gateway.keys().getPrivate()),
                "GERBANG_SECRET_STRANGER_CLIENT", pem(stranger.certificate(), stranger.keys().getPrivate()),
                "GERBANG_SECRET_NOT_PEM", "not a certificate",
                "GERBANG_SECRET_TOKEN_SECRET", "s3cret")::get, Clock.systemUTC());
        client = new UpstreamClient(Binder.get(new org.springframework.core.env.StandardEnvironment())
                .bindOrCreate("gerbang", GerbangProperties.class));
        forwarders = new UpstreamForwarders(client, secrets, new OAuth2Tokens(secrets));
    }

    @AfterAll
    static void stop() throws Exception {
        client.destroy();
        privateCa.stop();
        mutual.stop();
    }

    private static Route route(WireMockServer server, String trust, String clientCert) {
        return route(server, trust, clientCert, null);
    }

    private static Route route(WireMockServer server, String trust, String clientCert, RouteDefinition.Auth auth) {
        return Route.from(new RouteDefinition("bkpsdm-pegawai", "bkpsdm", null, null, "/bkpsdm/pegawai", List.of("GET"),
                new RouteDefinition.Upstream("https://localhost:" + server.httpsPort() + "/ws", 5000, auth,
                        trust == null && clientCert == null ? null : new RouteDefinition.Tls(trust, clientCert), null),
                null, null, null, null, null, null, null), 1);
    }

    private static RouteDefinition.Auth oauth2(WireMockServer tokenEndpoint, String clientId) {
        return new RouteDefinition.Auth(null, null, new RouteDefinition.OAuth2("https://localhost:" + tokenEndpoint.httpsPort()
                + "/token", clientId, new RouteDefinition.SecretRef("token-secret"), null), null);
    }

    private static int call(Route route) throws Exception {
        try (ForwardResponse answer = forwarders.of(route).forward(new ForwardRequest("GET", "", null, List.of(), null, 0))) {
            return answer.response().getCode();
        }
    }

    private static void refused(Route route) {
        assertThatThrownBy(() -> call(route)).satisfies(e -> assertThat(UpstreamFailure.classify(e, route).code())
                .isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE));
    }

    @Test
    void trustsAPrivateCaOnlyWhenTheRouteNamesIt() throws Exception {
        assertThat(call(route(privateCa, "pelalawan-ca", null))).isEqualTo(200);
        refused(route(privateCa, null, null));
    }

    @Test
    void presentsTheClientCertificateAnUpstreamDemands() throws Exception {
        assertThat(call(route(mutual, "pelalawan-ca", "gerbang-client"))).isEqualTo(200);
        assertThat(mutual.getAllServeEvents()).isNotEmpty();
        refused(route(mutual, "pelalawan-ca", null));
        refused(route(mutual, "pelalawan-ca", "stranger-client"));
    }

    @Test
    void theTokenEndpointIsReachedWithTheRoutesPrivateCaAndClientCertificate() throws Exception {
        for (WireMockServer s : List.of(privateCa, mutual)) {
            s.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post("/token").willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"access_token\":\"tls-token\",\"expires_in\":600}")));
        }
        assertThat(call(route(privateCa, "pelalawan-ca", null, oauth2(privateCa, "over-private-ca")))).isEqualTo(200);
        assertThat(privateCa.findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/ws"))))
                .anySatisfy(r -> assertThat(r.getHeader("Authorization")).isEqualTo("Bearer tls-token"));

        assertThat(call(route(mutual, "pelalawan-ca", "gerbang-client", oauth2(mutual, "over-mutual-tls")))).isEqualTo(200);
        mutual.verify(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/token")));
    }

    @Test
    void aSecretThatIsNoPemMakesEveryCall502NamingTheSecretOnly() {
        Route route = route(privateCa, "not-pem", null);
        assertThatThrownBy(() -> call(route)).isInstanceOfSatisfying(UpstreamFailure.class, f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
            assertThat(f.getMessage()).contains("not-pem").doesNotContain("not a certificate");
        });
    }
}
