package id.gerbang.security;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Reads a {@link Caller} from a verified token of Keycloak's shape: the client id is {@code azp} (else
 * {@code client_id}), the OPD is the {@code opd} claim (else the directory's mapping of client to OPD),
 * the roles are {@code realm_access.roles}.
 */
public final class CallerClaims {

    private final Function<String, String> opdOfClient;

    /** @param opdOfClient the registry's mapping of client id to OPD code, for tokens without an {@code opd} claim */
    public CallerClaims(Function<String, String> opdOfClient) {
        this.opdOfClient = opdOfClient;
    }

    public Caller toCaller(Jwt jwt) {
        String clientId = jwt.getClaimAsString("azp");
        if (clientId == null || clientId.isBlank()) {
            clientId = jwt.getClaimAsString("client_id");
        }
        if (clientId == null || clientId.isBlank()) {
            throw new InvalidTokenException("token names no client (azp or client_id)");
        }
        String opd = jwt.getClaimAsString("opd");
        if (opd == null || opd.isBlank()) {
            opd = opdOfClient.apply(clientId);
        }
        Instant expiresAt = jwt.getExpiresAt();
        if (expiresAt == null) {
            throw new InvalidTokenException("token has no expiry");
        }
        return new Caller(clientId, opd, roles(jwt.getClaim("realm_access")), expiresAt);
    }

    private static Set<String> roles(Object realmAccess) {
        if (realmAccess instanceof Map<?, ?> map && map.get("roles") instanceof Collection<?> roles) {
            return roles.stream().map(String::valueOf).collect(Collectors.toUnmodifiableSet());
        }
        return Set.of();
    }
}
