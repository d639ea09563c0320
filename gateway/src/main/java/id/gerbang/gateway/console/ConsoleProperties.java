package id.gerbang.gateway.console;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.time.ZoneId;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The web console ({@code gerbang.console.*}).
 *
 * @param clientId     the OIDC client the console logs people in as (a public client with PKCE by default)
 * @param clientSecret its secret, only when the issuer registers it as a confidential client
 * @param zone         the time zone pages show times in (WIB)
 * @param loginTimeout how long a session nobody has logged in with lives idle: the login's state, from its
 *                     start to the issuer's callback (docs/console.md, "What a session costs")
 */
@Validated
@ConfigurationProperties("gerbang.console")
public record ConsoleProperties(
        @NotBlank @DefaultValue("gerbang-console") String clientId,
        String clientSecret,
        @NotNull @DefaultValue("Asia/Jakarta") ZoneId zone,
        @NotNull @DefaultValue("5m") Duration loginTimeout) {}
