package id.gerbang.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class BearerTokensTest {

    @Test
    void theTokenOfABearerHeaderIsItsTrimmedRest() {
        assertThat(BearerTokens.of("Bearer eyJ.abc.def ")).isEqualTo("eyJ.abc.def");
        assertThat(BearerTokens.of("bearer eyJ.abc.def")).as("the scheme is case-insensitive").isEqualTo("eyJ.abc.def");
        assertThat(BearerTokens.of("Bearer ")).isEmpty();
    }

    @Test
    void anAbsentOrOtherSchemeHasNoToken() {
        assertThat(BearerTokens.of(null)).isNull();
        assertThat(BearerTokens.of("Basic dXNlcjpwYXNz")).isNull();
        assertThat(BearerTokens.of("Bearer")).isNull();
        assertThat(BearerTokens.of("Bearereyj")).isNull();
    }

    @Test
    void aCallCarriesExactlyOneNonEmptyBearerToken() {
        assertThat(BearerTokens.only(Collections.enumeration(List.of("Bearer t1")))).isEqualTo("t1");
        assertThatThrownBy(() -> BearerTokens.only(Collections.emptyEnumeration()))
                .isInstanceOf(InvalidTokenException.class).hasMessage("no bearer token");
        assertThatThrownBy(() -> BearerTokens.only(Collections.enumeration(List.of("Bearer t1", "Bearer t2"))))
                .isInstanceOf(InvalidTokenException.class).hasMessage("more than one Authorization header");
        assertThatThrownBy(() -> BearerTokens.only(Collections.enumeration(List.of("Basic dXNlcjpwYXNz"))))
                .isInstanceOf(InvalidTokenException.class).hasMessage("the Authorization header is not a bearer token");
        assertThatThrownBy(() -> BearerTokens.only(Collections.enumeration(List.of("Bearer   "))))
                .isInstanceOf(InvalidTokenException.class).hasMessage("empty bearer token");
    }
}
