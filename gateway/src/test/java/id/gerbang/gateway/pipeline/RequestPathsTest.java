package id.gerbang.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathsTest {

    @ParameterizedTest(name = "{0} is refused: {1}")
    @CsvSource(delimiter = '|', value = {
        "/api/a/../b                 | dot segment",
        "/api/a/..                   | dot segment",
        "/api/./b                    | dot segment",
        "/api/a/%2e%2e/b             | dot segment after decoding",
        "/api/a/%2E./b               | dot segment after decoding",
        "/api/a/%252e%252e/b         | dot segment after decoding",
        "/api/a%2Fb                  | encoded slash",
        "/api/a%2fb                  | encoded slash",
        "/api/a%252Fb                | encoded slash after decoding",
        "/api/a%25252Fb              | encoded slash after decoding",
        "/api/a%5Cb                  | encoded backslash",
        "/api/a%255cb                | encoded backslash after decoding",
        "/api/a\\b                   | backslash",
        "/api/a;jsessionid=1         | ';' parameter",
        "/api/a%3Bx=1                | ';' parameter after decoding",
        "/api/a%00b                  | control character after decoding",
        "/api/a%2500b                | control character after decoding",
        "/api/a%0Db                  | control character after decoding",
        "/api/a%7Fb                  | control character after decoding",
        "/api/a%zz                   | malformed percent-encoding",
        "/api/a%2                    | malformed percent-encoding",
        "/api/a%2525252525252Fb      | path encoded too many times",
    })
    void refusesHostilePaths(String path, String reason) {
        assertThat(RequestPaths.refusal(path)).isEqualTo(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/api/disdukcapil/penduduk/1404015708900001",
        "/api",
        "/api/",
        "/api/a//b",
        "/api/a/.hidden",
        "/api/a/..b",
        "/api/a/b..",
        "/api/caf%C3%A9",
        "/api/50%25",
        "/api/a%20b",
        "/api/a+b",
        "/api/~user",
    })
    void acceptsOrdinaryPaths(String path) {
        assertThat(RequestPaths.refusal(path)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/caf\u00e9", "/api/\u4e2d", "/api/a\u00a0b"})
    void refusesRawCharactersBeyondAscii(String path) {
        assertThat(RequestPaths.refusal(path)).isEqualTo("character outside printable ASCII; percent-encode it");
        assertThat(RequestPaths.rawCharacters("kota=" + path)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/a\u0001b", "/api/a\tb", "/api/a\nb"})
    void refusesRawControlCharacters(String path) {
        assertThat(RequestPaths.refusal(path)).isEqualTo("control character");
    }

    @org.junit.jupiter.api.Test
    void aRefusedPathIsResolvedToTheEndpointItAimedAt() {
        assertThat(RequestPaths.resolved("/audit/records/%2e%2e/x")).isEqualTo("/audit/x");
        assertThat(RequestPaths.resolved("/x/%2e%2e/audit/records")).isEqualTo("/audit/records");
        assertThat(RequestPaths.resolved("//admin\\routes/./it")).isEqualTo("/admin/routes/it");
        assertThat(RequestPaths.resolved("/%252e%252e/%61udit")).isEqualTo("/audit");
        assertThat(RequestPaths.resolved("/../../..")).isEqualTo("/");
    }
}
