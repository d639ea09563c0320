package id.gerbang.gateway.anchor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimestampClientTest {

    static DemoTsa demo;
    final List<HttpServer> fakes = new CopyOnWriteArrayList<>();
    static final byte[] NOTE = SignedNoteTest.PYTHON_NOTE.getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @BeforeAll
    static void startDemo() {
        demo = DemoTsa.start();
    }

    @AfterAll
    static void stopDemo() {
        demo.close();
    }

    @AfterEach
    void stopFakes() {
        fakes.forEach(f -> f.stop(0));
    }

    @Test
    void theDemoTsaStampsANoteAndTheTokenVerifiesWithItsCaAndWithItsOwnCertificate() {
        Instant before = Instant.now().minusSeconds(1);
        TimestampClient.Timestamp stamp = client(demo.url(), demo.caCertificate()).timestamp(NOTE);
        assertThat(stamp.time()).isBetween(before, Instant.now().plusSeconds(1));
        assertThat(TimestampClient.verifyToken(stamp.token(), NOTE, demo.caCertificate())).isEqualTo(stamp.time());
        assertThat(TimestampClient.verifyToken(stamp.token(), NOTE, demo.tsaCertificate())).isEqualTo(stamp.time());
        assertThat(client(demo.url(), demo.tsaCertificate()).timestamp(NOTE).token()).isNotEmpty();
    }

    @Test
    void aTokenIsRefusedForOtherDataAndByAnotherAuthority() {
        byte[] token = client(demo.url(), demo.caCertificate()).timestamp(NOTE).token();
        assertThatThrownBy(() -> TimestampClient.verifyToken(token, "another note\n".getBytes(StandardCharsets.UTF_8), demo.caCertificate()))
                .isInstanceOf(TimestampException.class).hasMessageContaining("over other data");
        try (DemoTsa other = DemoTsa.start()) {
            assertThatThrownBy(() -> TimestampClient.verifyToken(token, NOTE, other.caCertificate()))
                    .hasMessageContaining("neither the trusted certificate");
            assertThatThrownBy(() -> client(demo.url(), other.caCertificate()).timestamp(NOTE))
                    .hasMessageContaining("neither the trusted certificate");
        }
        byte[] flipped = token.clone();
        flipped[flipped.length - 5] ^= 1;
        assertThatThrownBy(() -> TimestampClient.verifyToken(flipped, NOTE, demo.caCertificate())).isInstanceOf(TimestampException.class);
        assertThatThrownBy(() -> TimestampClient.verifyToken(new byte[] {1, 2, 3}, NOTE, demo.caCertificate()))
                .hasMessageContaining("not an RFC 3161 TimeStampToken");
    }

    @Test
    void theDemoCertificatesSayDemoAndTheTsasOnlyUseIsTimestampingMarkedCritical() throws Exception {
        X509Certificate tsa = demo.tsaCertificate();
        assertThat(tsa.getSubjectX500Principal().getName()).contains("DEMO TSA - not for production");
        assertThat(demo.caCertificate().getSubjectX500Principal().getName()).contains("DEMO CA - not for production");
        assertThat(tsa.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.8");
        assertThat(tsa.getCriticalExtensionOIDs()).contains("2.5.29.37");
        assertThat(tsa.getBasicConstraints()).isEqualTo(-1);
        tsa.verify(demo.caCertificate().getPublicKey());
        assertThat(demo.url().getHost()).isEqualTo(InetAddress.getLoopbackAddress().getHostAddress());
    }

    @Test
    void aDemoTsaKeptInADirectoryStampsWithTheSameCaAfterARestart() throws Exception {
        Path data = dir.resolve("data");
        byte[] before;
        X509Certificate ca;
        try (DemoTsa first = DemoTsa.start(data)) {
            ca = first.caCertificate();
            before = client(first.url(), ca).timestamp(NOTE).token();
        }
        if (java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("demo-tsa.key"))))
                    .isEqualTo("rw-------");
        }
        try (DemoTsa again = DemoTsa.start(data)) {
            assertThat(again.caCertificate()).isEqualTo(ca);
            assertThat(again.tsaCertificate().getSubjectX500Principal().getName()).contains("DEMO TSA - not for production");
            byte[] after = client(again.url(), ca).timestamp(NOTE).token();
            assertThat(TimestampClient.verifyToken(after, NOTE, ca)).isNotNull();
        }
        assertThat(TimestampClient.verifyToken(before, NOTE, ca)).isNotNull();

        Files.delete(data.resolve("demo-tsa.pem"));
        assertThatThrownBy(() -> DemoTsa.start(data)).hasMessageContaining("incomplete");
    }

    @Test
    void aTsaAnswering500IsTriedAgainABoundedNumberOfTimesThenRefused() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        URI url = fake((body, auth) -> {
            calls.incrementAndGet();
            return new Answer(500, "down".getBytes(StandardCharsets.UTF_8));
        });
        assertThatThrownBy(() -> client(url, demo.caCertificate()).timestamp(NOTE))
                .isInstanceOf(TimestampException.class)
                .hasMessageContaining("after 3 attempts: the TSA answered HTTP 500");
        assertThat(calls).hasValue(3);
    }

    @Test
    void aTsaThatFailsTwiceThenAnswersGivesATimestamp() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        URI url = fake((body, auth) -> calls.incrementAndGet() <= 2 ? new Answer(503, new byte[0])
                : new Answer(200, demo.respond(new TimeStampRequest(body))));
        assertThat(client(url, demo.caCertificate()).timestamp(NOTE).token()).isNotEmpty();
        assertThat(calls).hasValue(3);
    }

    @Test
    void garbageFromTheTsaIsRefused() throws Exception {
        URI url = fake((body, auth) -> new Answer(200, "<html>proxy login</html>".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> client(url, demo.caCertificate()).timestamp(NOTE))
                .hasMessageContaining("not an RFC 3161 TimeStampResp");
    }

    @Test
    void aTokenForAnotherNonceIsRefused() throws Exception {
        URI url = fake((body, auth) -> {
            TimeStampRequest asked = new TimeStampRequest(body);
            TimeStampRequestGenerator replay = new TimeStampRequestGenerator();
            replay.setCertReq(true);
            TimeStampRequest other = replay.generate(TSPAlgorithms.SHA256, asked.getMessageImprintDigest(), asked.getNonce().add(BigInteger.ONE));
            return new Answer(200, demo.respond(other));
        });
        assertThatThrownBy(() -> client(url, demo.caCertificate()).timestamp(NOTE))
                .hasMessageContaining("not the")
                .hasMessageContaining("asked for: an answer to another request");
    }

    @Test
    void aTokenOverAnotherImprintIsRefused() throws Exception {
        URI url = fake((body, auth) -> {
            TimeStampRequest asked = new TimeStampRequest(body);
            TimeStampRequestGenerator swap = new TimeStampRequestGenerator();
            swap.setCertReq(true);
            TimeStampRequest other = swap.generate(TSPAlgorithms.SHA256, new byte[32], asked.getNonce());
            return new Answer(200, demo.respond(other));
        });
        assertThatThrownBy(() -> client(url, demo.caCertificate()).timestamp(NOTE))
                .hasMessageContaining("does not match the request");
    }

    @Test
    void aRefusalIsReportedWithTheTsasReason() throws Exception {
        URI url = fake((body, auth) -> new Answer(200, demo.refuse("the demo refuses")));
        assertThatThrownBy(() -> client(url, demo.caCertificate()).timestamp(NOTE))
                .hasMessageContaining("the TSA refused: status 2 \"the demo refuses\"");
    }

    @Test
    void credentialsAreSentAsBasicAndWrongOnesAreNotTriedAgain() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        String expected = "Basic " + Base64.getEncoder().encodeToString("gerbang:s3cret".getBytes(StandardCharsets.UTF_8));
        URI url = fake((body, auth) -> {
            calls.incrementAndGet();
            return expected.equals(auth) ? new Answer(200, demo.respond(new TimeStampRequest(body))) : new Answer(401, new byte[0]);
        });
        TimestampClient right = new TimestampClient(url, "gerbang", "s3cret", demo.caCertificate(), 3, Duration.ofMillis(1), Duration.ofSeconds(10));
        assertThat(right.timestamp(NOTE).token()).isNotEmpty();
        assertThat(calls).hasValue(1);

        TimestampClient wrong = new TimestampClient(url, "gerbang", "guess", demo.caCertificate(), 3, Duration.ofMillis(1), Duration.ofSeconds(10));
        assertThatThrownBy(() -> wrong.timestamp(NOTE))
                .hasMessageContaining("after a refusal that trying again cannot change: the TSA answered HTTP 401 (check the TSA credentials)");
        assertThat(calls).hasValue(2);
    }

    @Test
    void anUnreachableTsaIsRefusedAfterItsAttempts() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        URI url = URI.create("http://127.0.0.1:" + port + "/");
        assertThatThrownBy(() -> client(url, demo.caCertificate()).timestamp(NOTE))
                .hasMessageContaining("after 3 attempts: the TSA cannot be reached");
    }

    @Test
    void theDemoTsaRefusesWhatIsNoTimestampQuery() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var get = http.send(java.net.http.HttpRequest.newBuilder(demo.url()).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        var garbage = http.send(java.net.http.HttpRequest.newBuilder(demo.url()).header("Content-Type", "application/timestamp-query")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("hello")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(garbage.statusCode()).isEqualTo(400);
    }

    /** Only where the openssl command exists; elsewhere the test is skipped, and says so. */
    @Test
    void opensslTsVerifyAcceptsTheTokenWhereOpensslIsInstalled() throws Exception {
        Assumptions.assumeTrue(SigningKeysTest.Openssl.available(),
                "openssl is not installed on this machine: the check with openssl ts -verify is skipped");
        byte[] token = client(demo.url(), demo.caCertificate()).timestamp(NOTE).token();
        Files.write(dir.resolve("note.txt"), NOTE);
        Files.write(dir.resolve("token.tsr"), token);
        Files.writeString(dir.resolve("ca.pem"), DemoTsa.pem(demo.caCertificate()));
        Files.writeString(dir.resolve("tsa.pem"), DemoTsa.pem(demo.tsaCertificate()));
        String out = SigningKeysTest.Openssl.run(dir, "ts", "-verify", "-data", "note.txt", "-in", "token.tsr", "-token_in",
                "-CAfile", "ca.pem", "-untrusted", "tsa.pem");
        assertThat(out).contains("Verification: OK");

        Files.writeString(dir.resolve("other.txt"), "another note\n");
        Process refused = new ProcessBuilder("openssl", "ts", "-verify", "-data", "other.txt", "-in", "token.tsr", "-token_in",
                "-CAfile", "ca.pem", "-untrusted", "tsa.pem").directory(dir.toFile()).redirectErrorStream(true).start();
        String refusal = new String(refused.getInputStream().readAllBytes());
        assertThat(refused.waitFor()).as("openssl refuses the token for other data: %s", refusal).isNotZero();
    }

    // ---- helpers ----

    static TimestampClient client(URI url, X509Certificate trusted) {
        return new TimestampClient(url, null, null, trusted, 3, Duration.ofMillis(1), Duration.ofSeconds(10));
    }

    record Answer(int status, byte[] body) {}

    interface Behaviour {
        Answer answer(byte[] body, String authorization) throws Exception;
    }

    private URI fake(Behaviour behaviour) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/", exchange -> {
            try (exchange) {
                Answer answer;
                try {
                    answer = behaviour.answer(exchange.getRequestBody().readAllBytes(), exchange.getRequestHeaders().getFirst("Authorization"));
                } catch (Exception e) {
                    answer = new Answer(599, e.toString().getBytes(StandardCharsets.UTF_8));
                }
                exchange.sendResponseHeaders(answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
                if (answer.body().length > 0) {
                    exchange.getResponseBody().write(answer.body());
                }
            }
        });
        server.start();
        fakes.add(server);
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }
}
