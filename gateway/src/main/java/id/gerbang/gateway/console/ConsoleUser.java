package id.gerbang.gateway.console;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;

/** The person using the console: user name, display name, OPD and which of the two jobs they hold. */
public record ConsoleUser(String name, String displayName, String opd, boolean auditor, boolean admin) {

    static ConsoleUser of(Authentication auth) {
        if (auth == null) {
            return new ConsoleUser(null, null, null, false, false);
        }
        String display = auth.getName();
        String opd = null;
        if (auth.getPrincipal() instanceof OidcUser user) {
            display = user.getFullName() != null ? user.getFullName() : auth.getName();
            opd = user.getClaimAsString("opd");
        }
        boolean auditor = false;
        boolean admin = false;
        for (GrantedAuthority a : auth.getAuthorities()) {
            auditor |= a.getAuthority().equals("ROLE_auditor");
            admin |= a.getAuthority().equals("ROLE_gateway-admin");
        }
        return new ConsoleUser(auth.getName(), display, opd, auditor, admin);
    }
}
