package id.gerbang.gateway.credentials;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** @param dir a directory holding one file per secret, named as the secret; unset: secrets come from the environment only */
@ConfigurationProperties("gerbang.secrets")
public record SecretsProperties(Path dir) {}
