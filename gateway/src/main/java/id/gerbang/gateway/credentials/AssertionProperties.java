package id.gerbang.gateway.credentials;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.validation.annotation.Validated;

/**
 * @param keyDir      this node's caller-assertion private keys, one PEM file per key (never in the database)
 * @param issuer      the {@code iss} of every assertion
 * @param rotateAfter a new key is made at start-up when the newest is older than this
 */
@Validated
@ConfigurationProperties("gerbang.assertion")
public record AssertionProperties(
        @NotNull Path keyDir,
        @NotBlank @DefaultValue("gerbang") String issuer,
        @NotNull @DefaultValue("90d") Duration rotateAfter) {}
