package id.gerbang.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static id.gerbang.it.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.it.support.GatewayTest;
import id.gerbang.it.support.RawHttp;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/security.md, "Headers", and docs/errors.md: conflicting framing, folded or bare-CR/LF header lines and oversized headers are
 * refused with 400 and the connection closed, and nothing reaches the upstream. The requests do not ask
 * for the connection to be closed: the server must close it on its own.
 */
class FramingIT extends GatewayTest {

    @BeforeEach
    void okUpstream() {
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("forwarded")));
    }

    private String head(String method) throws Exception {
        return method + " /api/it/echo/framing HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + gw.port() + "\r\n"
                + "Authorization: Bearer " + gw.token("dinkes-simpus") + "\r\n";
    }

    private void assertRefusedAndClosed(String request) throws Exception {
        RawHttp.Response r = RawHttp.send(gw.port(), request);
        assertProblem(r, 400, "BAD_REQUEST");
        assertThat(r.closedByServer()).as("the server closed the connection:\n" + r.raw()).isTrue();
        assertThat(received()).as("requests the upstream received").isEmpty();
    }

    @Test
    void controlWellFramedRequestsOnOneConnectionAreBothServed() throws Exception {
        // two pipelined requests: the connection stays open after the first, and the second closes it
        RawHttp.Response r = RawHttp.send(gw.port(), head("POST") + "Content-Length: 5\r\n\r\nhello"
                + head("GET") + "Connection: close\r\n\r\n");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.raw().split("HTTP/1.1 200 ", -1)).as("two answers:\n" + r.raw()).hasSize(3);
        assertThat(r.closedByServer()).isTrue();
        assertThat(received()).hasSize(2);
        assertThat(received().get(0).getBodyAsString()).isEqualTo("hello");
    }

    @Test
    void contentLengthWithTransferEncoding() throws Exception {
        assertRefusedAndClosed(head("POST") + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    }

    @Test
    void twoDifferentContentLengths() throws Exception {
        assertRefusedAndClosed(head("POST") + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
    }

    @Test
    void foldedHeaderLine() throws Exception {
        assertRefusedAndClosed(head("GET") + "X-Folded: first\r\n  continued\r\n\r\n");
    }

    @Test
    void bareLfLineEnd() throws Exception {
        assertRefusedAndClosed(head("GET") + "X-Bare: lf\nX-Other: smuggled\r\n\r\n");
    }

    @Test
    void bareCrInsideHeaderLine() throws Exception {
        assertRefusedAndClosed(head("GET") + "X-Bare: cr\rX-Other: smuggled\r\n\r\n");
    }

    @Test
    void twentyKilobyteHeader() throws Exception {
        assertRefusedAndClosed(head("GET") + "X-Big: " + "a".repeat(20 * 1024) + "\r\n\r\n");
    }

    // ---------------------------------------------------------------- chunked bodies: every framing line ends with CRLF

    /** A chunked POST to a route whose small limit makes the gateway read the body whole before forwarding. */
    private String chunkedHead() throws Exception {
        return "POST /api/it/small HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + gw.port() + "\r\n"
                + "Authorization: Bearer " + gw.token("dinkes-simpus") + "\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n";
    }

    @Test
    void controlWellFramedChunkedBodyIsForwarded() throws Exception {
        RawHttp.Response r = RawHttp.send(gw.port(), chunkedHead() + "5;name=value\r\nhel\nl\r\n1\r\no\r\n0\r\n\r\n");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(receivedOnce().getBodyAsString()).isEqualTo("hel\nlo");
    }

    @Test
    void bareLfAfterChunkSize() throws Exception {
        assertRefusedAndClosed(chunkedHead() + "5\nhello\r\n0\r\n\r\n");
    }

    @Test
    void bareLfAfterChunkExtension() throws Exception {
        assertRefusedAndClosed(chunkedHead() + "5;ext=1\nhello\r\n0\r\n\r\n");
    }

    @Test
    void bareLfAfterChunkData() throws Exception {
        assertRefusedAndClosed(chunkedHead() + "5\r\nhello\n0\r\n\r\n");
    }

    @Test
    void bareLfInTrailer() throws Exception {
        assertRefusedAndClosed(chunkedHead() + "5\r\nhello\r\n0\r\nX-Trailer: t\nX-Other: u\r\n\r\n");
    }

    // ---------------------------------------------------------------- parser refusals are counted and logged

    @Test
    void parserRefusalsAreCountedByReasonAndLoggedWithThePeer() throws Exception {
        double bareLf = refusals("bare_lf");
        double conflicting = refusals("transfer_encoding_with_content_length");

        assertRefusedAndClosed(head("GET") + "X-Bare: lf\nX-Other: smuggled\r\n\r\n");
        assertRefusedAndClosed(head("POST") + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");

        assertThat(refusals("bare_lf")).isGreaterThanOrEqualTo(bareLf + 1);
        assertThat(refusals("transfer_encoding_with_content_length")).isGreaterThanOrEqualTo(conflicting + 1);
        String log = Files.readString(gw.log());
        assertThat(log).contains("HTTP request refused by the parser (bare_lf) from 127.0.0.1:")
                .contains("HTTP request refused by the parser (transfer_encoding_with_content_length) from 127.0.0.1:");
    }

    /** The count of parser refusals for one reason on /actuator/prometheus, 0 before the first. */
    private static double refusals(String reason) throws Exception {
        HttpResponse<String> r = gw.send(gw.request("/actuator/prometheus").GET().build());
        assertThat(r.statusCode()).isEqualTo(200);
        Matcher m = Pattern.compile("^gerbang_http_parser_refusals_total\\{reason=\"" + Pattern.quote(reason) + "\",?\\} (\\S+)$",
                Pattern.MULTILINE).matcher(r.body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
