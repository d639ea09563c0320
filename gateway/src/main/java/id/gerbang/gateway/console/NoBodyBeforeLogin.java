package id.gerbang.gateway.console;

import id.gerbang.gateway.context.CorrelationIds;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a request with a body from someone not logged in to the console, before anything reads it.
 * Spring Security's CSRF check reads the {@code _csrf} form parameter, and the login callback and the
 * login redirect read theirs, all before the person is known: a form body sent a byte at a time would hold
 * a request thread without any login. No request of the console's needs a body before login (the login
 * itself is a redirect and a callback with a query), and such a request would fail the CSRF check anyway:
 * it gets the same 403, at once, with the connection closed since its body stays unread.
 */
final class NoBodyBeforeLogin extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (hasBody(request) && !loggedIn()) {
            response.setHeader("Connection", "close");
            Problems.write(response, ErrorCode.ACCESS_DENIED, "log in to the console first", CorrelationIds.of(request));
            return;
        }
        chain.doFilter(request, response);
    }

    private static boolean hasBody(HttpServletRequest request) {
        return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
    }

    private static boolean loggedIn() {
        Authentication who = SecurityContextHolder.getContext().getAuthentication();
        return who != null && who.isAuthenticated() && !(who instanceof AnonymousAuthenticationToken);
    }
}
