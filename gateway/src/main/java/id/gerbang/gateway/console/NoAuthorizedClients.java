package id.gerbang.gateway.console;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;

/**
 * The console keeps no one's tokens. It reads the person's roles from the access token once, at login,
 * and never calls anything with it afterwards, so the access and refresh tokens are dropped there: not in
 * the session (which lives in the shared database), not in a node's memory (Spring Security's default keeps
 * them in memory per node, for ever). The session holds the person's identity, roles and ID token (which
 * the gateway's APIs refuse: its audience is the console's client, not {@code gerbang}); the ID token is
 * what Keycloak's logout needs.
 */
final class NoAuthorizedClients implements OAuth2AuthorizedClientRepository {

    @Override
    public <T extends OAuth2AuthorizedClient> T loadAuthorizedClient(String clientRegistrationId, Authentication principal,
            HttpServletRequest request) {
        return null;
    }

    @Override
    public void saveAuthorizedClient(OAuth2AuthorizedClient authorizedClient, Authentication principal,
            HttpServletRequest request, HttpServletResponse response) {
        // kept nowhere
    }

    @Override
    public void removeAuthorizedClient(String clientRegistrationId, Authentication principal, HttpServletRequest request,
            HttpServletResponse response) {
        // nothing kept
    }
}
