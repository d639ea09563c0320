package id.gerbang.gateway.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.sun.net.httpserver.HttpServer;
import id.gerbang.security.oidc.IssuerKeys;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HttpCodeStatusMapper;
import org.springframework.boot.actuate.health.SimpleHttpCodeStatusMapper;
import org.springframework.boot.actuate.health.SimpleStatusAggregator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.actuate.health.StatusAggregator;

class IssuerHealthIndicatorTest {

    private HttpServer server;
    private String issuer;
    private RSAKey key;
    private final AtomicInteger jwksRequests = new AtomicInteger();
    private MutableClock clock;

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2030-03-01T08:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void startIssuer() throws Exception {
        key = new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).keyIDFromThumbprint(true).generate();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/pelalawan";
        server.createContext("/realms/pelalawan/.well-known/openid-configuration", exchange -> {
            byte[] body = ("{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/certs\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/realms/pelalawan/certs", exchange -> {
            jwksRequests.incrementAndGet();
            byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        clock = new MutableClock();
    }

    @AfterEach
    void stopIssuer() {
        server.stop(0);
    }

    private IssuerHealthIndicator indicator() {
        return new IssuerHealthIndicator(new IssuerKeys(issuer, null, Duration.ofSeconds(2)), Duration.ofSeconds(10),
                Duration.ofHours(1), clock);
    }

    @Test
    void upWithTheIssuersKeysWhenItsJwkSetCanBeFetched() {
        Health health = indicator().health();

        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("issuer", issuer)
                .containsEntry("jwkSetUri", issuer + "/certs")
                .containsEntry("keys", List.of(key.getKeyID()));
    }

    @Test
    void unreachableWithTheErrorWhenItCannotBeFetched() throws IOException {
        IssuerHealthIndicator indicator = indicator();
        indicator.health();
        server.stop(0);
        clock.now = clock.now.plusSeconds(10);

        Health health = indicator.health();

        assertThat(health.getStatus()).isEqualTo(IssuerHealthIndicator.UNREACHABLE);
        Map<String, Object> details = health.getDetails();
        assertThat(details).containsEntry("issuer", issuer).containsEntry("lastReachableAt", "2030-03-01T08:00:00Z");
        assertThat((String) details.get("error")).contains("cannot be reached");
        assertThat((String) details.get("impact")).contains("still accepted");
    }

    @Test
    void anUnreachableIssuerLeavesTheNodeUpWithHttp200() {
        StatusAggregator aggregator = StatusAggregator.getDefault();
        Status node = aggregator.getAggregateStatus(Set.of(Status.UP, IssuerHealthIndicator.UNREACHABLE));
        HttpCodeStatusMapper http = HttpCodeStatusMapper.DEFAULT;

        assertThat(node).isEqualTo(Status.UP);
        assertThat(http.getStatusCode(node)).isEqualTo(200);
        assertThat(http.getStatusCode(IssuerHealthIndicator.UNREACHABLE)).as("the component read alone").isEqualTo(200);
        // while a failing database still takes the node down
        assertThat(aggregator.getAggregateStatus(Set.of(Status.DOWN, IssuerHealthIndicator.UNREACHABLE))).isEqualTo(Status.DOWN);
        assertThat(new SimpleStatusAggregator().getAggregateStatus(Set.of(IssuerHealthIndicator.UNREACHABLE)))
                .as("alone, it is not UP either").isNotEqualTo(Status.UP);
        assertThat(new SimpleHttpCodeStatusMapper().getStatusCode(Status.DOWN)).isEqualTo(503);
    }

    @Test
    void theIssuerIsAskedAtMostOncePerInterval() {
        IssuerHealthIndicator indicator = indicator();
        for (int i = 0; i < 5; i++) {
            indicator.health();
            clock.now = clock.now.plusSeconds(1);
        }
        assertThat(jwksRequests).hasValue(1);

        clock.now = clock.now.plusSeconds(10);
        indicator.health();
        assertThat(jwksRequests).hasValue(2);
    }

    @Test
    void neverReachableSaysSo() {
        server.stop(0);
        Health health = indicator().health();
        assertThat(health.getStatus()).isEqualTo(IssuerHealthIndicator.UNREACHABLE);
        assertThat(health.getDetails().get("lastReachableAt")).asString().startsWith("never");
        assertThat(health.getDetails()).doesNotContainKey("jwkSetUri"); // not discovered yet
    }
}
