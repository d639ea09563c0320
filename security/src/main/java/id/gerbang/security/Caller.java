package id.gerbang.security;

import java.time.Instant;
import java.util.Set;

/**
 * Who is calling, as a verified token says: the OAuth2 client, its OPD, its realm roles, and when the
 * token stops being valid.
 *
 * @param opd the client's OPD code, or {@code null} when neither the token nor the registry names one
 */
public record Caller(String clientId, String opd, Set<String> roles, Instant expiresAt) {

    public boolean hasRole(String role) {
        return roles.contains(role);
    }
}
