package id.gerbang.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
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
        "/api/%252e%252e/%25zz       | dot segment after decoding",
    })
    void refusesHostilePaths(String path, String reason) {
        assertThat(RequestPaths.refusal(path)).isEqualTo(reason);
    }

    /** Characters RFC 3986 does not allow in a path as sent: no upstream request could carry them as they came. */
    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"{", "}", "|", "^", "\"", "<", ">", "`", "[", "]", "#", " "})
    void refusesCharactersRfc3986DoesNotAllowInAPath(String c) {
        assertThat(RequestPaths.refusal("/api/disdukcapil/penduduk/a" + c + "b"))
                .startsWith(c.equals(" ") ? "character U+0020 not allowed in a path" : "character '" + c + "' not allowed in a path");
    }

    /**
     * Overlong UTF-8 forms of {@code .} and {@code /} (which lenient decoders turn into the real thing), and
     * any other byte sequence that is not UTF-8, are refused at whatever decoding depth they appear.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "/api/a/%c0%ae%c0%ae/b",
        "/api/a/%C0%AE/b",
        "/api/a/%e0%80%ae/b",
        "/api/a/%f0%80%80%ae/b",
        "/api/a%c0%afb",
        "/api/a%c1%9cb",
        "/api/a/%25c0%25ae%25c0%25ae/b",
        "/api/a%ed%a0%80b",
        "/api/a%ffb",
        "/api/caf%e9",
        "/api/a%c3",
    })
    void refusesInvalidUtf8OverlongFormsIncluded(String path) {
        assertThat(RequestPaths.refusal(path)).isEqualTo("invalid UTF-8 after decoding");
    }

    /** Unicode compatibility forms that NFKC normalisation turns into a dot segment, a slash or a backslash. */
    @ParameterizedTest(name = "{0} is refused: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "/api/a/%EF%BC%8E%EF%BC%8E/b   | Unicode look-alike: dot segment after decoding", // U+FF0E fullwidth full stop
        "/api/a/%EF%BC%8E/b            | Unicode look-alike: dot segment after decoding",
        "/api/a/%EF%BC%8E./b           | Unicode look-alike: dot segment after decoding",
        "/api/a/%E2%80%A4%E2%80%A4/b   | Unicode look-alike: dot segment after decoding", // U+2024 one dot leader
        "/api/a/%E2%80%A5/b            | Unicode look-alike: dot segment after decoding", // U+2025 two dot leader
        "/api/a/%EF%B9%92/b            | Unicode look-alike: dot segment after decoding", // U+FE52 small full stop
        "/api/a%EF%BC%8Fb              | Unicode look-alike: slash after decoding",       // U+FF0F fullwidth solidus
        "/api/a%EF%BC%BCb              | Unicode look-alike: backslash after decoding",   // U+FF3C fullwidth reverse solidus
        "/api/a%EF%B9%A8b              | Unicode look-alike: backslash after decoding",   // U+FE68 small reverse solidus
        "/api/a%EF%BC%9Bx=1            | Unicode look-alike: ';' parameter after decoding", // U+FF1B fullwidth semicolon
        "/api/a%EF%BC%85%EF%BC%92%EF%BC%A6b | Unicode look-alike: encoded slash after decoding", // fullwidth %2F
        "/api/a/%25EF%25BC%258E%25EF%25BC%258E/b | Unicode look-alike: dot segment after decoding",
    })
    void refusesUnicodeLookAlikesOfDotsAndSlashes(String path, String reason) {
        assertThat(RequestPaths.refusal(path)).isEqualTo(reason);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"", "nik=1404015708900001", "nama=Siti%20R&x=%2F", "ids[]=1&ids[]=2", "filter[kota]=pekanbaru",
        "q=a/b?c", "a=1;b=2", "email=siti@example.go.id", "x=-._~!$&'()*+,=:@", "x=%25"})
    void acceptsOrdinaryQueries(String query) {
        assertThat(RequestPaths.queryRefusal(query)).isNull();
    }

    static Stream<Arguments> badQueries() {
        return Stream.of(
                arguments("x=%zz", "malformed percent-encoding"),
                arguments("x=%", "malformed percent-encoding"),
                arguments("x=%4", "malformed percent-encoding"),
                arguments("x={a}", "character '{' not allowed in a query; percent-encode it"),
                arguments("x=a|b", "character '|' not allowed in a query; percent-encode it"),
                arguments("x=a^b", "character '^' not allowed in a query; percent-encode it"),
                arguments("x=\"a\"", "character '\"' not allowed in a query; percent-encode it"),
                arguments("x=<a>", "character '<' not allowed in a query; percent-encode it"),
                arguments("x=`a`", "character '`' not allowed in a query; percent-encode it"),
                arguments("x=a\\b", "character '\\' not allowed in a query; percent-encode it"),
                arguments("x=a#b", "character '#' not allowed in a query; percent-encode it"),
                arguments("x=caf\u00e9", "character outside printable ASCII; percent-encode it"),
                arguments("x=a\tb", "control character"));
    }

    @ParameterizedTest(name = "{0} is refused: {1}")
    @MethodSource("badQueries")
    void refusesQueriesNoUpstreamRequestCouldCarry(String query, String reason) {
        assertThat(RequestPaths.queryRefusal(query)).isEqualTo(reason);
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
        "/api/%E4%B8%AD%E6%96%87",
        "/api/a/%E2%80%A6/b",
        "/api/a/%EF%BC%8E%EF%BC%8E%EF%BC%8E/b",
        "/api/50%25zz",
        "/api/a!$&'()*+,=:@b",
    })
    void acceptsOrdinaryPaths(String path) {
        assertThat(RequestPaths.refusal(path)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/caf\u00e9", "/api/\u4e2d", "/api/a\u00a0b"})
    void refusesRawCharactersBeyondAscii(String path) {
        assertThat(RequestPaths.refusal(path)).isEqualTo("character outside printable ASCII; percent-encode it");
        assertThat(RequestPaths.queryRefusal("kota=" + path)).isEqualTo("character outside printable ASCII; percent-encode it");
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
