package id.gerbang.gateway.web;

import id.gerbang.gateway.context.CorrelationIds;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.GatewayException;
import id.gerbang.gateway.trail.AuditTrail;
import id.gerbang.gateway.trail.RefusedAttempts;
import id.gerbang.gateway.trail.TrailEntry;
import id.gerbang.gateway.trail.RecordedProblems;
import id.gerbang.security.BearerTokens;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.web.SecurityFilterChain;
import java.util.Collection;
import java.util.Map;

/**
 * Spring Security for everything that is not {@code /api} (which the gateway filter handles before this
 * chain): the token endpoint, health and the trail's verifier keys are open; the admin API needs
 * {@code gateway-admin}, the trail {@code auditor} (but for the latest checkpoints, consistency proofs and
 * a client's own receipts: any valid token), the catalogue any valid token. Roles are Keycloak's {@code realm_access.roles}.
 */
@Configuration(proxyBeanMethods = false)
class WebSecurityConfiguration {

    /** The role the admin API ({@code /admin}) needs: docs/routes.md, "The admin API". */
    static final String ADMIN_ROLE = "gateway-admin";
    /** The role the trail's API ({@code /audit}) needs: docs/trail.md. */
    static final String AUDITOR_ROLE = "auditor";

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http, AuditTrail trail) throws Exception {
        RefusedReadings refused = new RefusedReadings(trail);
        http.csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers("/oauth2/token", "/oauth2/authorize", "/oauth2/jwks", "/.well-known/openid-configuration",
                                "/.well-known/gerbang-jwks.json").permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus", "/actuator/info").permitAll()
                        .requestMatchers("/error").permitAll()
                        .requestMatchers("/admin/**").hasRole(ADMIN_ROLE)
                        // the anchored trail's public side (docs/trail.md, "Keys, checkpoints and proofs"):
                        // the keys for anyone; the latest checkpoint, consistency proofs and a client's own
                        // receipts (the controller checks whose) for any valid token; the rest for auditors
                        .requestMatchers(HttpMethod.GET, "/audit/keys").permitAll()
                        .requestMatchers(HttpMethod.GET, "/audit/checkpoints/*/latest", "/audit/proofs/consistency",
                                "/audit/receipts/*").authenticated()
                        .requestMatchers("/audit/**").hasRole(AUDITOR_ROLE)
                        .requestMatchers("/catalog", "/catalog/**").authenticated()
                        // any other path: a caller with a valid token learns it exists nowhere (404 ROUTE_NOT_FOUND,
                        // from Spring MVC); without one, 401 as everywhere
                        .anyRequest().authenticated())
                .oauth2ResourceServer(rs -> rs
                        .bearerTokenResolver(WebSecurityConfiguration::bearerFromHeader)
                        .jwt(jwt -> jwt.jwtAuthenticationConverter(WebSecurityConfiguration::realmRoles))
                        .authenticationEntryPoint((req, res, e) -> refused.problem(req, res, ErrorCode.INVALID_TOKEN, e.getMessage()))
                        .accessDeniedHandler((req, res, e) -> refused.problem(req, res, ErrorCode.ACCESS_DENIED, roleNeeded(req))))
                .exceptionHandling(ex -> ex
                        .authenticationEntryPoint((req, res, e) -> refused.problem(req, res, ErrorCode.INVALID_TOKEN, "no bearer token"))
                        .accessDeniedHandler((req, res, e) -> refused.problem(req, res, ErrorCode.ACCESS_DENIED, roleNeeded(req))));
        return http.build();
    }

    /** Says which role a refused request lacked, so the caller knows what to ask for. */
    static String roleNeeded(HttpServletRequest request) {
        String path = request.getRequestURI();
        if (under(path, "/admin")) {
            return "this needs the role " + ADMIN_ROLE;
        }
        if (under(path, "/audit")) {
            return "this needs the role " + AUDITOR_ROLE;
        }
        return "no role opens this path";
    }

    private static boolean under(String path, String prefix) {
        return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }

    /**
     * The bearer token from the {@code Authorization} header, and only from there. Spring's default
     * resolver also looks for an {@code access_token} form parameter (to refuse two tokens), which makes
     * the server read a form body before anyone is authenticated: a caller sending that body a byte at a
     * time would hold a request thread without a token. A token in a form or a query is never accepted.
     */
    static String bearerFromHeader(HttpServletRequest request) {
        String token = BearerTokens.of(request.getHeader("Authorization"));
        if (token != null && token.isEmpty()) {
            throw new org.springframework.security.oauth2.server.resource.InvalidBearerTokenException("empty bearer token");
        }
        return token;
    }

    private static AbstractAuthenticationToken realmRoles(Jwt jwt) {
        Collection<SimpleGrantedAuthority> authorities = java.util.List.of();
        if (jwt.getClaim("realm_access") instanceof Map<?, ?> access && access.get("roles") instanceof Collection<?> roles) {
            authorities = roles.stream().map(r -> new SimpleGrantedAuthority("ROLE_" + r)).toList();
        }
        String client = jwt.getClaimAsString("azp") != null ? jwt.getClaimAsString("azp") : jwt.getClaimAsString("client_id");
        return new JwtAuthenticationToken(jwt, authorities, client != null ? client : jwt.getSubject());
    }

    /**
     * Refusals of Spring Security answered as problem documents. An attempt to read the trail without the
     * auditor role is itself recorded (kind {@code trail-read}, status 401 or 403) before it is answered:
     * an unauthorised look at the trail is exactly what an auditor wants to see. So is an attempt to change
     * the route registry without the {@code gateway-admin} role (kind {@code route-change}).
     */
    private record RefusedReadings(AuditTrail trail) {

        void problem(HttpServletRequest req, HttpServletResponse res, ErrorCode code, String detail) throws IOException {
            String correlationId = CorrelationIds.of(req);
            TrailEntry.Kind kind = watched(req);
            Runnable recording = kind == null ? () -> { } : () -> trail.record(refused(kind, req, code, correlationId));
            RecordedProblems.refuse(recording, res, new GatewayException(code, detail), correlationId);
        }

        /** Attempts to read the trail, and to change the registry, are recorded even when refused. */
        private static TrailEntry.Kind watched(HttpServletRequest req) {
            return RefusedAttempts.watched(req.getMethod(), req.getRequestURI());
        }

        private static TrailEntry refused(TrailEntry.Kind kind, HttpServletRequest req, ErrorCode code, String correlationId) {
            var auth = org.springframework.security.core.context.SecurityContextHolder.getContext().getAuthentication();
            String client = null;
            String opd = null;
            if (auth instanceof JwtAuthenticationToken jwt) {
                client = jwt.getName();
                opd = jwt.getToken().getClaimAsString("opd");
            }
            return RefusedAttempts.entry(kind, req.getMethod(), req.getRequestURI(), req.getQueryString(), code,
                    correlationId, client, opd, null);
        }
    }
}
