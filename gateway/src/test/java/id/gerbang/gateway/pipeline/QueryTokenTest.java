package id.gerbang.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class QueryTokenTest {

    @ParameterizedTest
    @ValueSource(strings = {"access_token=x", "nik=1&access_token=x", "ACCESS_TOKEN=x", "%61ccess_token=x",
        "access_%74oken=x", "access%5Ftoken=x", "access%255Ftoken=x", "access_token[]=x", "a=1;access_token=x",
        "access_token"})
    void findsATokenInTheQueryHoweverItIsWritten(String query) {
        assertThat(RequestPaths.hasQueryToken(query)).isTrue();
    }

    /**
     * Names PHP reads as {@code access_token}: it drops leading spaces and turns spaces ({@code +},
     * {@code %20}), dots and an unmatched {@code [} into {@code _}, and a C string ends at a NUL.
     */
    @ParameterizedTest
    @ValueSource(strings = {"access.token=x", "access+token=x", "access%20token=x", "access%2Etoken=x",
        "access[token=x", "access%5Btoken=x", "+access_token=x", "%20access_token=x", "nik=1&access.token=x",
        "ACCESS.TOKEN=x", "access.token[]=x", "access_token%00x=y", "access%252Etoken=x"})
    void findsATokenUnderANamePhpReadsAsAccessToken(String query) {
        assertThat(RequestPaths.hasQueryToken(query)).isTrue();
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "nik=1404015708900001", "token=x", "my_access_token=x", "x=access_token", "access_tokens=1",
        "access[token]=x", "access.tokens=x", "access..token=x", "accesstoken=x"})
    void leavesOtherQueriesAlone(String query) {
        assertThat(RequestPaths.hasQueryToken(query)).isFalse();
    }
}
