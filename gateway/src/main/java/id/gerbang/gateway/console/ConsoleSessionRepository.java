package id.gerbang.gateway.console;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;

/**
 * What a console session costs the shared database (docs/console.md, "What a session costs"), around
 * Spring Session JDBC:
 * <ul>
 * <li>only the console's pages and its login have a session ({@link Scope}): its stylesheets and scripts,
 * the APIs and error pages never read one, and cannot make one;</li>
 * <li>a request reads its session once: Spring Session reads it again when it saves it a second time after
 * the response was sent, which this answers from the request's own copy;</li>
 * <li>the last access is written when the one stored is a minute old or more, not on every request, so a
 * page that changes nothing in its session writes nothing;</li>
 * <li>a session nobody has logged in with (the login's state, kept from its start to the issuer's callback)
 * lives {@code loginTimeout} idle, a logged-in one the configured idle timeout.</li>
 * </ul>
 */
final class ConsoleSessionRepository implements SessionRepository<ConsoleSessionRepository.ConsoleSession> {

    /** A stored last access younger than this is not written again. */
    static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

    private static final String CONTEXT = HttpSessionSecurityContextRepository.SPRING_SECURITY_CONTEXT_KEY;
    private static final ThreadLocal<Scope.Request> REQUEST = new ThreadLocal<>();

    private final SessionRepository<Session> stored;
    private final Duration loggedInTimeout;
    private final Duration loginTimeout;

    @SuppressWarnings("unchecked")
    ConsoleSessionRepository(SessionRepository<? extends Session> stored, Duration loggedInTimeout, Duration loginTimeout) {
        this.stored = (SessionRepository<Session>) stored;
        this.loggedInTimeout = loggedInTimeout;
        this.loginTimeout = loginTimeout;
    }

    @Override
    public ConsoleSession createSession() {
        Scope.Request request = REQUEST.get();
        if (request != null && !request.console) {
            throw new IllegalStateException("only the console's pages and its login have a session");
        }
        ConsoleSession session = new ConsoleSession(stored.createSession());
        session.setMaxInactiveInterval(loginTimeout);
        return session;
    }

    @Override
    public void save(ConsoleSession session) {
        Duration lifetime = session.getAttributeNames().contains(CONTEXT) ? loggedInTimeout : loginTimeout;
        if (!lifetime.equals(session.getMaxInactiveInterval())) {
            session.setMaxInactiveInterval(lifetime);
        }
        stored.save(session.stored);
        Scope.Request request = REQUEST.get();
        if (request != null) {
            request.known.put(session.getId(), session);
        }
    }

    @Override
    public ConsoleSession findById(String id) {
        Scope.Request request = REQUEST.get();
        if (request != null) {
            if (!request.console) {
                return null;
            }
            ConsoleSession known = request.known.get(id);
            if (known != null && known.getId().equals(id)) {
                return known;
            }
        }
        Session found = stored.findById(id);
        if (found == null) {
            return null;
        }
        ConsoleSession session = new ConsoleSession(found);
        if (request != null) {
            request.known.put(id, session);
        }
        return session;
    }

    @Override
    public void deleteById(String id) {
        Scope.Request request = REQUEST.get();
        if (request != null) {
            request.known.remove(id);
        }
        stored.deleteById(id);
    }

    /** A stored session whose last access is written at most once a {@link #TOUCH_EVERY}. */
    static final class ConsoleSession implements Session {

        private final Session stored;

        ConsoleSession(Session stored) {
            this.stored = stored;
        }

        @Override
        public void setLastAccessedTime(Instant lastAccessedTime) {
            if (!lastAccessedTime.isBefore(stored.getLastAccessedTime().plus(TOUCH_EVERY))) {
                stored.setLastAccessedTime(lastAccessedTime);
            }
        }

        @Override
        public String getId() {
            return stored.getId();
        }

        @Override
        public String changeSessionId() {
            return stored.changeSessionId();
        }

        @Override
        public <T> T getAttribute(String attributeName) {
            return stored.getAttribute(attributeName);
        }

        @Override
        public Set<String> getAttributeNames() {
            return stored.getAttributeNames();
        }

        @Override
        public void setAttribute(String attributeName, Object attributeValue) {
            stored.setAttribute(attributeName, attributeValue);
        }

        @Override
        public void removeAttribute(String attributeName) {
            stored.removeAttribute(attributeName);
        }

        @Override
        public Instant getCreationTime() {
            return stored.getCreationTime();
        }

        @Override
        public Instant getLastAccessedTime() {
            return stored.getLastAccessedTime();
        }

        @Override
        public void setMaxInactiveInterval(Duration interval) {
            stored.setMaxInactiveInterval(interval);
        }

        @Override
        public Duration getMaxInactiveInterval() {
            return stored.getMaxInactiveInterval();
        }

        @Override
        public boolean isExpired() {
            return stored.isExpired();
        }
    }

    /**
     * Says, for each request (and its error dispatch), whether it may have a session: the console's pages,
     * {@code /console/logout} among them, and the login's start and callback. Not its stylesheets and scripts
     * ({@code /console/assets}, {@code /webjars}), nor the APIs, the built-in issuer, {@code /favicon.ico} or
     * error pages: for those the session named by a cookie is never read, and making one is an error. It
     * runs just before Spring Session's filter, so the request's own copy of its session ends with it.
     */
    static final class Scope implements Filter {

        private record Request(boolean console, Map<String, ConsoleSession> known) {}

        static boolean console(String path) {
            return path.equals("/console") || path.startsWith("/console/") && !path.startsWith("/console/assets/")
                    || path.startsWith("/oauth2/authorization/") || path.startsWith("/login/oauth2/code/");
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            HttpServletRequest http = (HttpServletRequest) request;
            String path = http.getRequestURI().substring(http.getContextPath().length());
            Request outer = REQUEST.get();
            REQUEST.set(new Request(console(path), new HashMap<>(2)));
            try {
                chain.doFilter(request, response);
            } finally {
                if (outer == null) {
                    REQUEST.remove();
                } else {
                    REQUEST.set(outer);
                }
            }
        }
    }
}
