package id.gerbang.gateway.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.security.web.util.matcher.IpAddressMatcher;
import org.springframework.web.filter.ForwardedHeaderFilter;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The console behind a load balancer that terminates TLS: the addresses it gives browsers (the login's
 * {@code redirect_uri}, its redirects, the logout's return address) and its session cookie's
 * {@code Secure} flag must be those of the address people use ({@code https://gerbang...}), not the node's
 * own ({@code http://10.0.0.5:8080}), or Keycloak refuses the login. So on the console's addresses the
 * forwarding headers ({@code X-Forwarded-Proto/Host/Port/For}, {@code Forwarded}) are applied, but only
 * when the request comes from one of {@code gerbang.http.trusted-proxies}; from any other peer they are
 * removed, so nobody who reaches a node directly can choose them. Runs before the session's filter (the
 * cookie's {@code Secure} flag is decided there) and Spring Security.
 *
 * <p>{@code /api} and the other APIs never build an address for a browser: they are left alone, and a
 * call's {@code X-Forwarded-For} towards the upstream keeps the whole chain with this node's real peer at
 * its end (docs/security.md, "Headers").
 */
@Configuration(proxyBeanMethods = false)
class TrustedProxyHeaders {

    /** The console's pages, its login's start and its login's return (servlet URL patterns). */
    static final String[] CONSOLE_PATHS = {"/console", "/console/*", "/oauth2/authorization/*", "/login/oauth2/code/*"};

    @Bean
    FilterRegistrationBean<Filter> trustedProxyHeadersFilter(HttpFrontProperties front) {
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(new Filter(front.trustedProxies()));
        registration.addUrlPatterns(CONSOLE_PATHS);
        // after the gateway filter and the pre-authentication body limit, before the session repository's
        // filter (Integer.MIN_VALUE + 50) and Spring Security
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 2);
        registration.setName("gerbangTrustedProxyHeaders");
        return registration;
    }

    static final class Filter extends OncePerRequestFilter {

        private final List<IpAddressMatcher> trusted;
        private final ForwardedHeaderFilter apply = new ForwardedHeaderFilter();
        private final ForwardedHeaderFilter remove = new ForwardedHeaderFilter();

        Filter(List<String> trustedProxies) {
            this.trusted = trustedProxies.stream().map(Filter::matcher).toList();
            remove.setRemoveOnly(true);
        }

        private static IpAddressMatcher matcher(String address) {
            try {
                return new IpAddressMatcher(address.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("gerbang.http.trusted-proxies: '" + address
                        + "' is neither an IP address nor a CIDR range", e);
            }
        }

        boolean trusts(String peer) {
            for (IpAddressMatcher m : trusted) {
                if (m.matches(peer)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            (trusts(request.getRemoteAddr()) ? apply : remove).doFilter(request, response, chain);
        }
    }
}
