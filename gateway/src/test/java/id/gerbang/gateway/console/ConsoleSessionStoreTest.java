package id.gerbang.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.gateway.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The console's sessions in the schema of V8 (H2 and PostgreSQL): what one node writes, with the types
 * the console's login puts there, another node reads; a session deleted through one is gone for the other;
 * an attribute a node cannot read counts as absent; expired sessions are cleaned up.
 */
abstract class ConsoleSessionStoreTest {

    private static final String CONTEXT = "SPRING_SECURITY_CONTEXT";
    private static final String AUTHORIZATION_REQUEST =
            "org.springframework.security.oauth2.client.web.HttpSessionOAuth2AuthorizationRequestRepository.AUTHORIZATION_REQUEST";

    abstract TestDatabases.Database newDatabase() throws Exception;

    private TestDatabases.Database db;
    private FindByIndexNameSessionRepository<Session> nodeA;
    private FindByIndexNameSessionRepository<Session> nodeB;
    private JdbcIndexedSessionRepository cleaner;

    @BeforeEach
    void twoNodes() throws Exception {
        db = newDatabase();
        nodeA = node();
        nodeB = node();
        cleaner = (JdbcIndexedSessionRepository) (Object) nodeB;
    }

    @AfterEach
    void close() throws Exception {
        db.close();
    }

    /** A node's session repository, as Spring Boot makes it, with the console's conversions. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private FindByIndexNameSessionRepository<Session> node() {
        JdbcIndexedSessionRepository repository = new JdbcIndexedSessionRepository(new JdbcTemplate(db.pool()),
                new TransactionTemplate(new DataSourceTransactionManager(db.pool())));
        repository.setDefaultMaxInactiveInterval(Duration.ofMinutes(30));
        repository.setCleanupCron("-"); // the test cleans up itself
        ConsoleSessions config = new ConsoleSessions();
        config.unreadableAttributesAreAbsent().customize(repository);
        return (FindByIndexNameSessionRepository) repository;
    }

    private static SecurityContextImpl loggedIn(String user) {
        Instant now = Instant.now();
        OidcIdToken idToken = new OidcIdToken("header.payload.signature", now, now.plusSeconds(300), Map.of(
                "iss", "http://localhost:8080", "sub", "s-1", "aud", List.of("gerbang-console"), "preferred_username", user,
                "name", "Siti Aminah (Inspektorat)", "opd", "inspektorat"));
        var authorities = Set.of(new SimpleGrantedAuthority("ROLE_auditor"), new SimpleGrantedAuthority("OIDC_USER"));
        DefaultOidcUser person = new DefaultOidcUser(authorities, idToken, "preferred_username");
        return new SecurityContextImpl(new OAuth2AuthenticationToken(person, authorities, "gerbang"));
    }

    @Test
    void aSessionOneNodeWroteIsReadByTheOther() {
        var started = nodeA.createSession();
        started.setAttribute(AUTHORIZATION_REQUEST, OAuth2AuthorizationRequest.authorizationCode()
                .authorizationUri("http://localhost:8080/oauth2/authorize").clientId("gerbang-console")
                .redirectUri("http://localhost:8080/login/oauth2/code/gerbang").state("state-1")
                .attributes(Map.of("registration_id", "gerbang", "code_verifier", "v".repeat(43))).build());
        nodeA.save(started);

        var callback = nodeB.findById(started.getId());
        OAuth2AuthorizationRequest request = callback.getAttribute(AUTHORIZATION_REQUEST);
        assertThat(request.getState()).isEqualTo("state-1");
        assertThat((String) request.getAttribute("code_verifier")).hasSize(43);
        callback.removeAttribute(AUTHORIZATION_REQUEST);
        callback.setAttribute(CONTEXT, loggedIn("auditor"));
        nodeB.save(callback);

        var page = nodeA.findById(started.getId());
        SecurityContextImpl context = page.getAttribute(CONTEXT);
        assertThat(page.getAttributeNames()).containsExactly(CONTEXT);
        assertThat(context.getAuthentication().getName()).isEqualTo("auditor");
        assertThat(context.getAuthentication().getAuthorities()).extracting(Object::toString).contains("ROLE_auditor");
        assertThat(((DefaultOidcUser) context.getAuthentication().getPrincipal()).getClaimAsString("opd")).isEqualTo("inspektorat");
        assertThat(nodeA.findByPrincipalName("auditor")).containsKey(started.getId());
    }

    @Test
    void aSessionDeletedThroughOneNodeIsGoneForTheOther() {
        var session = nodeA.createSession();
        session.setAttribute(CONTEXT, loggedIn("admin"));
        nodeA.save(session);
        assertThat(nodeB.findById(session.getId())).isNotNull();

        nodeB.deleteById(session.getId());
        assertThat(nodeA.findById(session.getId())).isNull();
        assertThat(new JdbcTemplate(db.pool()).queryForObject("SELECT COUNT(*) FROM SPRING_SESSION_ATTRIBUTES", Long.class))
                .as("its attributes go with it").isZero();
    }

    @Test
    void anAttributeThisNodeCannotReadCountsAsAbsent() {
        var session = nodeA.createSession();
        session.setAttribute(CONTEXT, loggedIn("auditor"));
        nodeA.save(session);
        // what another version's classes would look like to this node: bytes it cannot deserialize
        new JdbcTemplate(db.pool()).update("UPDATE SPRING_SESSION_ATTRIBUTES SET ATTRIBUTE_BYTES = ?",
                (Object) new byte[] {(byte) 0xac, (byte) 0xed, 0, 5, 0x73, 0x72, 0, 9, 'n', 'o', '.', 's', 'u', 'c', 'h', '.', 'C'});

        var read = nodeB.findById(session.getId());
        assertThat(read).as("the session is still found").isNotNull();
        assertThat((Object) read.getAttribute(CONTEXT)).as("but its person is not logged in").isNull();
    }

    @Test
    void expiredSessionsAreCleanedUp() {
        var expired = nodeA.createSession();
        expired.setMaxInactiveInterval(Duration.ofSeconds(1));
        expired.setLastAccessedTime(Instant.now().minusSeconds(60));
        nodeA.save(expired);
        var live = nodeA.createSession();
        nodeA.save(live);

        cleaner.cleanUpExpiredSessions();
        assertThat(nodeA.findById(expired.getId())).isNull();
        assertThat(nodeA.findById(live.getId())).isNotNull();
        assertThat(new JdbcTemplate(db.pool()).queryForObject("SELECT COUNT(*) FROM SPRING_SESSION", Long.class)).isEqualTo(1);
    }
}
