package id.gerbang.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import id.gerbang.gateway.TestDatabases;
import id.gerbang.gateway.trail.AuditRecord;
import id.gerbang.gateway.trail.AuditTrail;
import id.gerbang.gateway.trail.JdbcAuditTrail;
import id.gerbang.gateway.trail.TrailEntry;
import id.gerbang.gateway.trail.TrailUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/**
 * What a {@code @WebMvcTest} slice of the admin, catalogue or audit API needs around its controller: the
 * gateway's own security chain ({@link WebSecurityConfiguration}, exactly as a node runs it), a token
 * decoder that knows the few tokens below instead of checking signatures, and a real trail (H2 in memory)
 * that keeps what it was given and can be made to refuse records.
 */
@TestConfiguration(proxyBeanMethods = false)
@Import(WebSecurityConfiguration.class)
public class SliceSecurity {

    /** A token of {@code gerbang-admin} (OPD diskominfo), role {@code gateway-admin}. */
    public static final String ADMIN = "admin-token";
    /** A token of {@code inspektorat-audit} (OPD inspektorat), role {@code auditor}. */
    public static final String AUDITOR = "auditor-token";
    /** A token of {@code dinkes-simpus} (OPD dinkes), no role. */
    public static final String CLIENT = "client-token";

    private static final Map<String, Jwt> TOKENS = Map.of(
            ADMIN, jwt(ADMIN, "gerbang-admin", "diskominfo", "gateway-admin"),
            AUDITOR, jwt(AUDITOR, "inspektorat-audit", "inspektorat", "auditor"),
            CLIENT, jwt(CLIENT, "dinkes-simpus", "dinkes", null));

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Performs {@code request}, with {@code token} as its bearer token unless it is {@code null}. */
    public static MockHttpServletResponse perform(MockMvc mvc, MockHttpServletRequestBuilder request, String token)
            throws Exception {
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return mvc.perform(request).andReturn().getResponse();
    }

    /** Asserts that {@code r} is the gateway's problem document for {@code code}; returns its body. */
    public static JsonNode problem(MockHttpServletResponse r, int status, String code) throws Exception {
        assertThat(r.getStatus()).isEqualTo(status);
        assertThat(r.getContentType()).isEqualTo("application/problem+json");
        assertThat(r.getHeader("X-Gerbang-Error")).isEqualTo(code);
        JsonNode p = JSON.readTree(r.getContentAsString(StandardCharsets.UTF_8));
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("code").asText()).isEqualTo(code);
        assertThat(p.get("type").asText()).isEqualTo("urn:gerbang:error:" + code);
        return p;
    }

    private static Jwt jwt(String value, String client, String opd, String role) {
        Instant now = Instant.now();
        Jwt.Builder b = Jwt.withTokenValue(value).header("alg", "RS256").claim("azp", client).claim("opd", opd)
                .issuedAt(now).expiresAt(now.plus(Duration.ofHours(1)));
        if (role != null) {
            b.claim("realm_access", Map.of("roles", List.of(role)));
        }
        return b.build();
    }

    @Bean
    JwtDecoder sliceTokens() {
        return token -> {
            Jwt jwt = TOKENS.get(token);
            if (jwt == null) {
                throw new BadJwtException("not a token of this test");
            }
            return jwt;
        };
    }

    @Bean(destroyMethod = "close")
    TestDatabases.Database sliceDatabase() {
        return TestDatabases.h2("slice", 4);
    }

    @Bean(destroyMethod = "close")
    Trail sliceTrail(TestDatabases.Database db) {
        return new Trail(new JdbcAuditTrail(db.pool(), "gerbang-a", 64, 100, Duration.ofSeconds(10)));
    }

    /** The trail of a slice: stores on H2, keeps a copy of every entry it took, refuses all while down. */
    public static final class Trail implements AuditTrail, AutoCloseable {

        private final JdbcAuditTrail store;
        private final List<TrailEntry> entries = new CopyOnWriteArrayList<>();
        private volatile boolean down;
        private volatile boolean refusing;

        Trail(JdbcAuditTrail store) {
            this.store = store;
        }

        @Override
        public AuditRecord record(TrailEntry entry) {
            if (down || refusing) {
                throw new TrailUnavailableException(down ? "the store is down" : "the trail writer is saturated", null);
            }
            AuditRecord stored = store.record(entry);
            entries.add(entry);
            return stored;
        }

        @Override
        public boolean available() {
            return !down;
        }

        /** The entries stored since the last {@link #reset}, oldest first. */
        public List<TrailEntry> entries() {
            return List.copyOf(entries);
        }

        public void down(boolean down) {
            this.down = down;
        }

        /**
         * Refuses records while it still says it takes them: the store failed, or the writer filled up,
         * between a caller's look at {@link #available} and its record.
         */
        public void refusing(boolean refusing) {
            this.refusing = refusing;
        }

        /** Forgets the entries taken so far (the database keeps them) and takes records again. */
        public void reset() {
            entries.clear();
            down = false;
            refusing = false;
        }

        @Override
        public void close() throws Exception {
            store.close();
        }
    }
}
