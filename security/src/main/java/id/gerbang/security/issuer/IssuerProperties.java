package id.gerbang.security.issuer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

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
 */
@ConfigurationProperties(IssuerProperties.PREFIX)
public record IssuerProperties(
        @DefaultValue("false") boolean enabled,
        String url,
        Path keyFile,
        @DefaultValue("5m") Duration tokenTtl,
        @DefaultValue("gerbang") String audience,
        Map<String, DemoClient> clients) {

    public static final String PREFIX = "gerbang.issuer";

    public IssuerProperties {
        clients = clients == null ? Map.of() : Map.copyOf(clients);
    }

    /** A client the built-in issuer knows: its secret, its OPD and its realm roles. */
    public record DemoClient(String secret, String opd, List<String> roles) {
        public DemoClient {
            roles = roles == null ? List.of() : List.copyOf(roles);
        }
    }
}
