package id.gerbang.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class ApiPipelineQueryTokenTest {

    @ParameterizedTest
    @ValueSource(strings = {"access_token=x", "nik=1&access_token=x", "ACCESS_TOKEN=x", "%61ccess_token=x",
        "access_%74oken=x", "access%5Ftoken=x", "access%255Ftoken=x", "access_token[]=x", "a=1;access_token=x",
        "access_token"})
    void findsATokenInTheQueryHoweverItIsWritten(String query) {
        assertThat(ApiPipeline.hasQueryToken(query)).isTrue();
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "nik=1404015708900001", "token=x", "my_access_token=x", "x=access_token", "access_tokens=1"})
    void leavesOtherQueriesAlone(String query) {
        assertThat(ApiPipeline.hasQueryToken(query)).isFalse();
    }
}
