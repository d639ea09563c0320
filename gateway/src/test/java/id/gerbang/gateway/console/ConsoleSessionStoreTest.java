package id.gerbang.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import id.gerbang.gateway.TestDatabases;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import org.springframework.session.web.http.SessionRepositoryFilter;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The console's sessions in the schema of V8 (H2 and PostgreSQL): what one node writes, with the types
 * the console's login puts there, another node reads; a session deleted through one is gone for the other;
 * an attribute a node cannot read counts as absent; expired sessions are cleaned up. What a request costs
 * ({@link ConsoleSessionRepository} under Spring Session's own filter, statements counted on the
 * connection): a page one read, its stylesheets and scripts nothing, the last access written once a minute,
 * a session nobody has logged in with five minutes of life.
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

    // ------------------------------------------------------------------- what a request costs

    private final AtomicInteger statements = new AtomicInteger();

    /** The pool, counting each statement prepared on the session tables. */
    private DataSource counted() {
        DataSource pool = db.pool();
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = call(method, pool, args);
                    if (!(result instanceof Connection connection)) {
                        return result;
                    }
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class}, (p, m, a) -> {
                        if (m.getName().startsWith("prepare") && a != null && a[0] instanceof String sql
                                && sql.toUpperCase(Locale.ROOT).contains("SPRING_SESSION")) {
                            statements.incrementAndGet();
                        }
                        return call(m, connection, a);
                    });
                });
    }

    private static Object call(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** A node's repository as its Spring Session filter uses it: 30 minutes once logged in, 5 before. */
    private ConsoleSessionRepository consoleRepository() {
        DataSource counted = counted();
        JdbcIndexedSessionRepository stored = new JdbcIndexedSessionRepository(new JdbcTemplate(counted),
                new TransactionTemplate(new DataSourceTransactionManager(counted)));
        stored.setDefaultMaxInactiveInterval(Duration.ofMinutes(30));
        stored.setCleanupCron("-");
        new ConsoleSessions().unreadableAttributesAreAbsent().customize(stored);
        return new ConsoleSessionRepository(stored, Duration.ofMinutes(30), Duration.ofMinutes(5));
    }

    /** A request through the scope and Spring Session's filter to {@code servlet}; its statements. */
    private int request(ConsoleSessionRepository repository, String path, String sessionId, HttpServlet servlet) throws Exception {
        SessionRepositoryFilter<?> filter = new SessionRepositoryFilter<>(repository);
        MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
        if (sessionId != null) {
            request.setCookies(new Cookie("SESSION", Base64.getEncoder().encodeToString(sessionId.getBytes(StandardCharsets.UTF_8))));
        }
        int before = statements.get();
        new MockFilterChain(servlet, new ConsoleSessionRepository.Scope(), filter).doFilter(request, new MockHttpServletResponse());
        return statements.get() - before;
    }

    /** What a console page does with its session: Spring MVC's flash maps, the person, a response sent. */
    private static HttpServlet page(List<Object> people) {
        return new HttpServlet() {
            @Override
            protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
                HttpSession session = req.getSession(false);
                session.getAttribute("org.springframework.web.servlet.support.SessionFlashMapManager.FLASH_MAPS");
                people.add(((SecurityContextImpl) session.getAttribute(CONTEXT)).getAuthentication().getName());
                res.getWriter().write("<html>a page</html>");
                res.flushBuffer(); // sent before the filter ends, as Thymeleaf's pages and every stylesheet are
                req.getSession(false);
                req.getUserPrincipal();
            }
        };
    }

    private String loggedInSession() {
        var session = nodeA.createSession();
        session.setAttribute(CONTEXT, loggedIn("auditor"));
        nodeA.save(session);
        return session.getId();
    }

    @Test
    void aPageReadsItsSessionOnceAndWritesNothing() throws Exception {
        String id = loggedInSession();
        ConsoleSessionRepository repository = consoleRepository();
        List<Object> people = new ArrayList<>();

        // Spring Session over the JDBC repository alone: a read, a write of the last access, and a read
        // again after the response was sent (3 statements for every page and every stylesheet)
        assertThat(request(repository, "/console/map", id, page(people))).as("one read").isEqualTo(1);
        assertThat(people).containsExactly("auditor");
        assertThat(request(repository, "/console/map.svg", id, page(people))).as("one read").isEqualTo(1);
    }

    @Test
    void stylesheetsScriptsAndApisNeverReadTheSessionAndCannotMakeOne() throws Exception {
        String id = loggedInSession();
        ConsoleSessionRepository repository = consoleRepository();
        for (String path : List.of("/console/assets/console.css", "/webjars/htmx.org/2.0.4/dist/htmx.min.js", "/api/x/y",
                "/favicon.ico", "/error", "/oauth2/authorize")) {
            List<Object> seen = new ArrayList<>();
            HttpServlet asset = new HttpServlet() {
                @Override
                protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
                    seen.add(String.valueOf(req.getSession(false)));
                    res.getWriter().write("body { }");
                    res.flushBuffer();
                    seen.add(String.valueOf(req.getUserPrincipal()));
                }
            };
            assertThat(request(repository, path, id, asset)).as(path).isZero();
            assertThat(seen).as(path).containsExactly("null", "null");
            HttpServlet making = new HttpServlet() {
                @Override
                protected void service(HttpServletRequest req, HttpServletResponse res) {
                    req.getSession(true);
                }
            };
            assertThatThrownBy(() -> request(repository, path, null, making)).as(path).isInstanceOf(IllegalStateException.class);
        }
        assertThat(new JdbcTemplate(db.pool()).queryForObject("SELECT COUNT(*) FROM SPRING_SESSION", Long.class)).isEqualTo(1);
    }

    @Test
    void theLastAccessIsWrittenOnceAMinute() {
        String id = loggedInSession();
        ConsoleSessionRepository repository = consoleRepository();
        var session = repository.findById(id);
        Instant stored = session.getLastAccessedTime();
        int before = statements.get();
        session.setLastAccessedTime(stored.plusSeconds(59));
        repository.save(session);
        assertThat(statements.get()).as("younger than a minute: not written").isEqualTo(before);

        var later = repository.findById(id);
        later.setLastAccessedTime(stored.plusSeconds(60));
        before = statements.get();
        repository.save(later);
        assertThat(statements.get()).as("a minute old: one UPDATE").isEqualTo(before + 1);
        assertThat(nodeB.findById(id).getLastAccessedTime().toEpochMilli()).isEqualTo(stored.plusSeconds(60).toEpochMilli());
    }

    @Test
    void aSessionNobodyLoggedInWithLivesFiveMinutesThenTheIdleTimeout() {
        ConsoleSessionRepository repository = consoleRepository();
        var login = repository.createSession();
        login.setAttribute(AUTHORIZATION_REQUEST, "the login's state");
        repository.save(login);
        JdbcTemplate sql = new JdbcTemplate(db.pool());
        String lifetime = "SELECT MAX_INACTIVE_INTERVAL FROM SPRING_SESSION WHERE SESSION_ID = ?";
        assertThat(sql.queryForObject(lifetime, Integer.class, login.getId())).isEqualTo(300);
        assertThat(nodeB.findById(login.getId()).getMaxInactiveInterval()).isEqualTo(Duration.ofMinutes(5));

        var callback = repository.findById(login.getId());
        callback.removeAttribute(AUTHORIZATION_REQUEST);
        callback.setAttribute(CONTEXT, loggedIn("auditor"));
        repository.save(callback);
        assertThat(sql.queryForObject(lifetime, Integer.class, login.getId())).isEqualTo(1800);
    }

    // ------------------------------------------------------------------- across nodes

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
