package id.gerbang.security.issuer;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The built-in token issuer of the standalone default ({@code gerbang.issuer.*}). In production it is
 * off and tokens come from Keycloak.
 *
 * @param enabled  serve {@code POST /oauth2/token} and accept its tokens
 * @param url      the issuer identifier written in {@code iss}; also where its discovery document is served
 * @param keyFile  where the signing key (a JWK) is kept, so that tokens survive a restart; made on first start
 * @param tokenTtl lifetime of an issued token (Keycloak's default is five minutes)
 * @param audience the {@code aud} of issued tokens: the audience the gateway requires
 * @param clients  the demo clients: client id to secret, OPD and realm roles
 * @param users    the demo people who log in to the console (authorization code with PKCE): user name
 *                 to password, display name, OPD and realm roles
 * @param loginClients the public clients that may ask for a person's login; their redirect URI must be
 *                 on the issuer's own origin, under {@code /login/oauth2/code/}
 */
@Validated
@ConfigurationProperties(IssuerProperties.PREFIX)
public record IssuerProperties(
        @DefaultValue("false") boolean enabled,
        String url,
        Path keyFile,
        @NotNull @DurationMin(seconds = 1) @DefaultValue("5m") Duration tokenTtl,
        @NotBlank @DefaultValue("gerbang") String audience,
        Map<String, @Valid DemoClient> clients,
        Map<String, @Valid DemoUser> users,
        @DefaultValue("gerbang-console") List<@NotBlank String> loginClients) {

    public static final String PREFIX = "gerbang.issuer";

    @org.springframework.boot.context.properties.bind.ConstructorBinding
    public IssuerProperties {
        clients = clients == null ? Map.of() : Map.copyOf(clients);
        users = users == null ? Map.of() : Map.copyOf(users);
        loginClients = loginClients == null ? List.of() : List.copyOf(loginClients);
    }

    /** An issuer for machine clients only. */
    public IssuerProperties(boolean enabled, String url, Path keyFile, Duration tokenTtl, String audience,
            Map<String, DemoClient> clients) {
        this(enabled, url, keyFile, tokenTtl, audience, clients, Map.of(), List.of());
    }

    /** A person the built-in issuer knows: password, display name, OPD and realm roles. */
    public record DemoUser(@NotBlank String password, String name, String opd, List<String> roles) {
        public DemoUser {
            roles = roles == null ? List.of() : List.copyOf(roles);
        }
    }

    /** A client the built-in issuer knows: its secret, its OPD and its realm roles. */
    public record DemoClient(@NotBlank String secret, String opd, List<String> roles) {
        public DemoClient {
            roles = roles == null ? List.of() : List.copyOf(roles);
        }
    }
}
