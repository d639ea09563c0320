package id.gerbang.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;

class CallerClaimsTest {

    private static final Instant EXP = Instant.parse("2030-01-01T00:05:00Z");

    /** The registry's mapping of client to OPD. */
    private static final Function<String, String> DIRECTORY = Map.of(
            "dinkes-simpus", "dinkes",
            "bapenda-pajak", "bapenda")::get;

    private final CallerClaims claims = new CallerClaims(DIRECTORY);

    private static Jwt.Builder token() {
        return Jwt.withTokenValue("t").header("alg", "RS256").subject("service-account").expiresAt(EXP);
    }

    @Test
    void azpIsPreferredOverClientId() {
        Caller caller = claims.toCaller(token().claim("azp", "dinkes-simpus").claim("client_id", "bapenda-pajak").build());

        assertThat(caller.clientId()).isEqualTo("dinkes-simpus");
    }

    @Test
    void clientIdIsUsedWhenAzpIsAbsent() {
        Caller caller = claims.toCaller(token().claim("client_id", "bapenda-pajak").build());

        assertThat(caller.clientId()).isEqualTo("bapenda-pajak");
    }

    @Test
    void clientIdIsUsedWhenAzpIsBlank() {
        Caller caller = claims.toCaller(token().claim("azp", " ").claim("client_id", "bapenda-pajak").build());

        assertThat(caller.clientId()).isEqualTo("bapenda-pajak");
    }

    @Test
    void aTokenNamingNoClientIsInvalid() {
        Jwt jwt = token().claim("opd", "dinkes").build();

        assertThatThrownBy(() -> claims.toCaller(jwt))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("client");
    }

    @Test
    void aTokenWithBlankClientClaimsIsInvalid() {
        Jwt jwt = token().claim("azp", "").claim("client_id", "  ").build();

        assertThatThrownBy(() -> claims.toCaller(jwt)).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void theOpdClaimIsUsedAndWinsOverTheDirectory() {
        Caller caller = claims.toCaller(token().claim("azp", "dinkes-simpus").claim("opd", "dinkes-kota").build());

        assertThat(caller.opd()).isEqualTo("dinkes-kota");
    }

    @Test
    void withoutAnOpdClaimTheDirectoryNamesTheOpd() {
        Caller caller = claims.toCaller(token().claim("azp", "bapenda-pajak").build());

        assertThat(caller.opd()).isEqualTo("bapenda");
    }

    @Test
    void aBlankOpdClaimFallsBackToTheDirectory() {
        Caller caller = claims.toCaller(token().claim("azp", "bapenda-pajak").claim("opd", "").build());

        assertThat(caller.opd()).isEqualTo("bapenda");
    }

    @Test
    void theOpdIsNullWhenNeitherTheTokenNorTheDirectoryNamesOne() {
        Caller caller = claims.toCaller(token().claim("azp", "unknown-app").build());

        assertThat(caller.opd()).isNull();
    }

    @Test
    void theDirectoryIsAskedAboutTheClientIdActuallyChosen() {
        List<String> asked = new java.util.ArrayList<>();
        CallerClaims recording = new CallerClaims(id -> {
            asked.add(id);
            return "dinkes";
        });

        Caller caller = recording.toCaller(token().claim("azp", "dinkes-simpus").claim("client_id", "other").build());

        assertThat(asked).containsExactly("dinkes-simpus");
        assertThat(caller.opd()).isEqualTo("dinkes");
    }

    @Test
    void realmAccessRolesAreTheCallersRoles() {
        Caller caller = claims.toCaller(token().claim("azp", "dinkes-simpus")
                .claim("realm_access", Map.of("roles", List.of("gateway-admin", "auditor")))
                .build());

        assertThat(caller.roles()).containsExactlyInAnyOrder("gateway-admin", "auditor");
        assertThat(caller.hasRole("auditor")).isTrue();
        assertThat(caller.hasRole("offline_access")).isFalse();
    }

    @Test
    void withoutRealmAccessTheCallerHasNoRoles() {
        Caller caller = claims.toCaller(token().claim("azp", "dinkes-simpus").build());

        assertThat(caller.roles()).isEmpty();
        assertThat(caller.hasRole("gateway-admin")).isFalse();
    }

    @Test
    void realmAccessWithoutARolesListGivesNoRoles() {
        Caller noRoles = claims.toCaller(token().claim("azp", "dinkes-simpus")
                .claim("realm_access", Map.of("other", List.of("gateway-admin"))).build());
        Caller notAMap = claims.toCaller(token().claim("azp", "dinkes-simpus")
                .claim("realm_access", "gateway-admin").build());
        Caller rolesNotAList = claims.toCaller(token().claim("azp", "dinkes-simpus")
                .claim("realm_access", Map.of("roles", "gateway-admin")).build());

        assertThat(noRoles.roles()).isEmpty();
        assertThat(notAMap.roles()).isEmpty();
        assertThat(rolesNotAList.roles()).isEmpty();
    }

    @Test
    void rolesOfOtherClaimsAreNotRealmRoles() {
        Caller caller = claims.toCaller(token().claim("azp", "dinkes-simpus")
                .claim("resource_access", Map.of("gerbang", Map.of("roles", List.of("gateway-admin"))))
                .claim("roles", List.of("auditor"))
                .build());

        assertThat(caller.roles()).isEmpty();
    }

    @Test
    void theExpiryIsCarriedToTheCaller() {
        Caller caller = claims.toCaller(token().claim("azp", "dinkes-simpus").build());

        assertThat(caller.expiresAt()).isEqualTo(EXP);
    }

    @Test
    void aTokenWithoutExpiryIsInvalid() {
        Jwt jwt = Jwt.withTokenValue("t").header("alg", "RS256").claim("azp", "dinkes-simpus").build();

        assertThatThrownBy(() -> claims.toCaller(jwt))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("expiry");
    }
}
