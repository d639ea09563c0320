package id.gerbang.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each problem of a refused definition is shown beside the line of its field. */
class YamlLinesTest {

    private static final String[] LINES = """
            id: dinkes-pasien
            owner: Dinas
            # a comment with url: in it
            path: /dinkes/pasien
            upstream:
              url: http://169.254.169.254/
              timeoutMs: 0
            access:
              clients: [dinkes-simpus]
              opds:
                - id: dpmptsp
                  methods: [TRACE]
            rateLimit: {requests: 0, perSeconds: 1}
            """.split("\\n", -1);

    @ParameterizedTest(name = "{0} -> line {1}")
    @CsvSource({
        "owner, 1",
        "upstream.url, 5",
        "upstream.timeoutMs, 6",
        "access.clients[0], 8",
        "access.opds[0].methods[0], 11",
        "rateLimit.requests, 12",
        "upstream.bogus, 4",
        "name, -1",
        "'', -1"})
    void findsTheLineOfAField(String field, int line) {
        assertThat(YamlLines.find(LINES, field)).isEqualTo(line);
    }
}
