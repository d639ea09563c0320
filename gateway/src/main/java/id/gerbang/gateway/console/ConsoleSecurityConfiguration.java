package id.gerbang.gateway.console;

import id.gerbang.security.issuer.BuiltInIssuer;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserService;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.servlet.LocaleResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.i18n.CookieLocaleResolver;
import org.springframework.web.servlet.i18n.LocaleChangeInterceptor;

/**
 * The console's own security: people log in with OIDC authorization code and PKCE against the configured
 * issuer (Keycloak's realm in production, the built-in issuer's login form in the standalone default),
 * and keep a session. Roles are the access token's {@code realm_access.roles}, exactly as for the APIs;
 * the server enforces them per page: the trail for {@code auditor}, the registry for
 * {@code gateway-admin}, the integration map and the report for either.
 *
 * <p>The session (Spring Session JDBC, in the shared database: every node reads the same ones) holds the
 * login's state from the login's start until its callback (the OAuth2 authorization request with its state,
 * nonce and PKCE verifier), then the person's security context and the CSRF token; all are serializable
 * Spring Security types that any node of the same version reads. A visit redirected to the login keeps
 * nothing (no request cache: after the login each person lands on their home page), so it makes no session;
 * a session not logged in lives {@code gerbang.console.login-timeout} ({@link ConsoleSessionRepository}).
 * Logging out deletes the row, so the person is logged out on every node.
 */
@Configuration(proxyBeanMethods = false)
@org.springframework.boot.context.properties.EnableConfigurationProperties(ConsoleProperties.class)
class ConsoleSecurityConfiguration implements WebMvcConfigurer {

    static final String REGISTRATION = "gerbang";
    static final Locale INDONESIAN = Locale.forLanguageTag("id");

    @Bean
    ClientRegistrationRepository consoleClientRegistrations(ConsoleProperties console,
            ObjectProvider<BuiltInIssuer> builtIn, Environment env) {
        ClientRegistration.Builder b = ClientRegistration.withRegistrationId(REGISTRATION)
                .clientName("Gerbang")
                .clientId(console.clientId())
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri("{baseUrl}/login/oauth2/code/{registrationId}")
                .scope("openid", "profile")
                .userNameAttributeName("preferred_username");
        if (console.clientSecret() == null || console.clientSecret().isBlank()) {
            b.clientAuthenticationMethod(ClientAuthenticationMethod.NONE);
        } else {
            b.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC).clientSecret(console.clientSecret());
        }
        BuiltInIssuer issuer = builtIn.getIfAvailable();
        if (issuer != null) {
            String base = issuer.issuerUrl();
            b.issuerUri(base).authorizationUri(base + "/oauth2/authorize").tokenUri(base + "/oauth2/token")
                    .jwkSetUri(base + "/oauth2/jwks");
        } else {
            // Keycloak's endpoints under the realm; nothing is fetched at start-up, so a node starts while
            // Keycloak is away and the console works again as soon as it is back
            String realm = env.getProperty("spring.security.oauth2.resourceserver.jwt.issuer-uri", "");
            if (realm.isBlank()) {
                realm = "http://issuer-not-configured.invalid";
            }
            realm = realm.endsWith("/") ? realm.substring(0, realm.length() - 1) : realm;
            String oidc = realm + "/protocol/openid-connect";
            b.issuerUri(realm).authorizationUri(oidc + "/auth").tokenUri(oidc + "/token").jwkSetUri(oidc + "/certs")
                    .providerConfigurationMetadata(Map.of("end_session_endpoint", oidc + "/logout"));
        }
        return new InMemoryClientRegistrationRepository(b.build());
    }

    @Bean
    @Order(1)
    SecurityFilterChain consoleSecurityFilterChain(HttpSecurity http, ClientRegistrationRepository clients,
            ObjectProvider<JwtDecoder> decoders, ObjectProvider<BuiltInIssuer> builtIn) throws Exception {
        // logging out of Keycloak is a form post redirected to the realm: the browser checks form-action on it
        String issuerOrigin = "";
        String authorization = clients.findByRegistrationId(REGISTRATION).getProviderDetails().getAuthorizationUri();
        if (builtIn.getIfAvailable() == null) {
            java.net.URI uri = java.net.URI.create(authorization);
            issuerOrigin = " " + uri.getScheme() + "://" + uri.getRawAuthority();
        }
        String formAction = "form-action 'self'" + issuerOrigin;
        DefaultOAuth2AuthorizationRequestResolver resolver =
                new DefaultOAuth2AuthorizationRequestResolver(clients, "/oauth2/authorization");
        resolver.setAuthorizationRequestCustomizer(OAuth2AuthorizationRequestCustomizers.withPkce());
        http.securityMatcher("/console", "/console/**", "/oauth2/authorization/**", "/login/oauth2/code/**", "/webjars/**")
                .addFilterBefore(new NoBodyBeforeLogin(), org.springframework.security.web.csrf.CsrfFilter.class)
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/webjars/**", "/console/assets/**", "/console/logged-out").permitAll()
                        .requestMatchers("/console/trail", "/console/trail/**").hasRole("auditor")
                        .requestMatchers("/console/services", "/console/services/**").hasRole("gateway-admin")
                        .requestMatchers("/console/map", "/console/map.svg", "/console/report", "/console/report.csv")
                        .hasAnyRole("auditor", "gateway-admin")
                        .anyRequest().authenticated())
                // the page asked for is not kept: keeping it made a session of every anonymous request
                .requestCache(c -> c.requestCache(new org.springframework.security.web.savedrequest.NullRequestCache()))
                .oauth2Login(o -> o
                        .loginPage("/oauth2/authorization/" + REGISTRATION)
                        .authorizedClientRepository(new NoAuthorizedClients())
                        .authorizationEndpoint(e -> e.authorizationRequestResolver(resolver))
                        .userInfoEndpoint(u -> u.oidcUserService(rolesFromAccessToken(decoders)))
                        .defaultSuccessUrl("/console", false))
                .logout(l -> {
                    l.logoutUrl("/console/logout");
                    if (builtIn.getIfAvailable() == null) {
                        // end the Keycloak session too, else the next visit logs the person in again silently
                        var keycloak = new org.springframework.security.oauth2.client.oidc.web.logout
                                .OidcClientInitiatedLogoutSuccessHandler(clients);
                        keycloak.setPostLogoutRedirectUri("{baseUrl}/console/logged-out");
                        l.logoutSuccessHandler(keycloak);
                    } else {
                        l.logoutSuccessUrl("/console/logged-out");
                    }
                })
                .exceptionHandling(e -> e.accessDeniedPage("/console/forbidden"))
                .headers(h -> h
                        .contentSecurityPolicy(c -> c.policyDirectives("default-src 'self'; script-src 'self'; "
                                + "style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; " + formAction))
                        .referrerPolicy(r -> r.policy(
                                org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN)));
        return http.build();
    }

    /**
     * The person's roles come from the access token (where Keycloak puts {@code realm_access}), verified
     * by the same decoder as every API token: issuer, signature, expiry and the {@code gerbang} audience.
     */
    private static OAuth2UserService<OidcUserRequest, OidcUser> rolesFromAccessToken(ObjectProvider<JwtDecoder> decoders) {
        OidcUserService standard = new OidcUserService();
        return request -> {
            OidcUser user = standard.loadUser(request);
            Jwt access = decoders.getObject().decode(request.getAccessToken().getTokenValue());
            Set<GrantedAuthority> authorities = new HashSet<>(user.getAuthorities());
            if (access.getClaim("realm_access") instanceof Map<?, ?> realm && realm.get("roles") instanceof Collection<?> roles) {
                roles.forEach(r -> authorities.add(new SimpleGrantedAuthority("ROLE_" + r)));
            }
            Map<String, Object> claims = new java.util.HashMap<>(user.getClaims());
            if (access.getClaimAsString("opd") != null) {
                claims.putIfAbsent("opd", access.getClaimAsString("opd"));
            }
            var idToken = new org.springframework.security.oauth2.core.oidc.OidcIdToken(user.getIdToken().getTokenValue(),
                    user.getIdToken().getIssuedAt(), user.getIdToken().getExpiresAt(), claims);
            return new DefaultOidcUser(authorities, idToken, user.getUserInfo(), "preferred_username");
        };
    }

    /** Bahasa Indonesia by default; {@code ?lang=en} switches, remembered in a cookie. */
    @Bean
    LocaleResolver localeResolver() {
        CookieLocaleResolver resolver = new CookieLocaleResolver("GERBANG_LANG");
        resolver.setDefaultLocale(INDONESIAN);
        return resolver;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        LocaleChangeInterceptor lang = new LocaleChangeInterceptor();
        lang.setParamName("lang");
        lang.setIgnoreInvalidLocale(true);
        registry.addInterceptor(lang).addPathPatterns("/console", "/console/**");
    }
}
