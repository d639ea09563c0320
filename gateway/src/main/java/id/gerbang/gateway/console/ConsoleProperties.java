package id.gerbang.gateway.console;

import java.time.ZoneId;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The web console ({@code gerbang.console.*}).
 *
 * @param clientId     the OIDC client the console logs people in as (a public client with PKCE by default)
 * @param clientSecret its secret, only when the issuer registers it as a confidential client
 * @param zone         the time zone pages show times in (WIB)
 */
@ConfigurationProperties("gerbang.console")
public record ConsoleProperties(
        @DefaultValue("gerbang-console") String clientId,
        String clientSecret,
        @DefaultValue("Asia/Jakarta") ZoneId zone) {}
