package id.gerbang.gateway.web;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Limits of the HTTP front on slow callers ({@code gerbang.http.*}); see docs/operations.md.
 *
 * @param minRequestDataRate bytes per second a request body must arrive at, on average from its first
 *                           byte; a slower one is cut off (400, connection closed), so a caller sending
 *                           a byte now and then cannot hold a request thread for long. 0 turns it off
 * @param preAuthBodyReaders most requests at once whose body is read before anyone is authenticated (the
 *                           built-in issuer's token endpoint and login form); more are refused at once
 *                           with 503, so slow senders there hold at most this many threads
 * @param preAuthBodyMaxBytes longest body accepted on those endpoints (their forms are a few hundred bytes)
 * @param trustedProxies     the load balancers and reverse proxies (IP addresses or CIDR ranges) whose
 *                           {@code X-Forwarded-Proto}, {@code X-Forwarded-Host}, {@code X-Forwarded-Port},
 *                           {@code X-Forwarded-For} and {@code Forwarded} the console believes, so that the
 *                           addresses it gives browsers (the login's redirect URI) and its cookie's
 *                           {@code Secure} flag are those of the address people use; from any other peer
 *                           these headers are removed before the console sees them. Loopback by default
 *                           (a proxy on the node's own host)
 */
@Validated
@ConfigurationProperties(HttpFrontProperties.PREFIX)
public record HttpFrontProperties(
        @Min(0) @DefaultValue("1024") long minRequestDataRate,
        @Min(1) @DefaultValue("16") int preAuthBodyReaders,
        @Min(1) @DefaultValue("8192") long preAuthBodyMaxBytes,
        @NotNull @DefaultValue({"127.0.0.0/8", "::1"}) List<@NotBlank String> trustedProxies) {

    public static final String PREFIX = "gerbang.http";
}
