package id.gerbang.gateway.registry;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How a service is described to SPLP's API manager ({@code gerbang.splp.*}; docs/splp.md).
 *
 * @param publicUrl Gerbang's own address as callers outside the regency reach it (say
 *                  {@code https://gerbang.pelalawankab.go.id}): the production endpoint SPLP forwards to is
 *                  this address followed by {@code /api} and the service's path. Unset, the address the request
 *                  for the document came in by (right for the standalone default; set it in production)
 * @param context   the start of every service's context on SPLP, naming the regency (say {@code /pelalawan}):
 *                  a service's base path there is this, its path and {@code /} its version; empty: none
 * @param version   the version SPLP gives every service (WSO2's API version)
 */
@Validated
@ConfigurationProperties(SplpProperties.PREFIX)
public record SplpProperties(
        URI publicUrl,
        @NotNull @Pattern(regexp = "(/[a-z0-9-]{1,64}){0,4}") @DefaultValue("") String context,
        @NotNull @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]{0,31}") @DefaultValue("1.0.0") String version) {

    public static final String PREFIX = "gerbang.splp";

    /** An absolute http(s) address without user info, query or fragment. */
    @AssertTrue(message = "gerbang.splp.public-url must be an absolute http or https address without user info, query or fragment")
    public boolean isPublicUrlPlain() {
        return publicUrl == null || (("http".equals(publicUrl.getScheme()) || "https".equals(publicUrl.getScheme()))
                && publicUrl.getHost() != null && publicUrl.getRawUserInfo() == null && publicUrl.getRawQuery() == null
                && publicUrl.getRawFragment() == null);
    }
}
