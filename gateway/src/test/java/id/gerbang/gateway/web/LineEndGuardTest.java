package id.gerbang.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.junit.jupiter.api.Test;

/** The bare-LF guard on Jetty's own parser: request heads and the framing of chunked bodies. */
class LineEndGuardTest {

    private static final String CHUNKED_HEAD = "POST /api/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";

    /** What the parser told its handler. */
    private static final class Seen implements HttpParser.RequestHandler {
        final ByteArrayOutputStream content = new ByteArrayOutputStream();
        final List<String> refusals = new ArrayList<>();
        boolean complete;
        boolean failed;

        @Override public void startRequest(String method, String uri, HttpVersion version) { }
        @Override public void parsedHeader(HttpField field) { }
        @Override public boolean headerComplete() { return true; } // as Jetty's connection does
        @Override public boolean content(ByteBuffer buffer) {
            byte[] b = new byte[buffer.remaining()];
            buffer.get(b);
            content.writeBytes(b);
            return false;
        }
        @Override public boolean contentComplete() { return false; }
        @Override public boolean messageComplete() { complete = true; return true; }
        @Override public void earlyEOF() { failed = true; }
        @Override public void badMessage(HttpException failure) { failed = true; }
    }

    private static Seen parse(String request, int piece) {
        Seen seen = new Seen();
        StrictHttpConnectionFactory.LineEndGuard parser = new StrictHttpConnectionFactory.LineEndGuard(seen, 16384,
                HttpCompliance.RFC7230, seen.refusals::add);
        byte[] bytes = request.getBytes(StandardCharsets.ISO_8859_1);
        // fed in pieces, the way bytes arrive from a socket; the parser keeps what it has not taken
        ByteBuffer buffer = ByteBuffer.allocate(bytes.length);
        buffer.flip();
        int offered = 0;
        while (!seen.complete && !seen.failed && (offered < bytes.length || buffer.hasRemaining())) {
            int n = Math.min(piece, bytes.length - offered);
            buffer.compact();
            buffer.put(bytes, offered, n);
            buffer.flip();
            offered += n;
            int before = buffer.remaining();
            while (!seen.complete && !seen.failed && buffer.hasRemaining()) {
                parser.parseNext(buffer);
                if (buffer.remaining() == before) {
                    break;
                }
                before = buffer.remaining();
            }
            if (n == 0 && buffer.remaining() == before) {
                break;
            }
        }
        return seen;
    }

    private static void assertRefused(String request) {
        for (int piece : new int[] {1, 3, 7, 4096}) {
            Seen seen = parse(request, piece);
            assertThat(seen.failed).as("refused when fed %d bytes at a time: %s", piece, request).isTrue();
            assertThat(seen.complete).isFalse();
            assertThat(seen.refusals).as("reported once").containsExactly("bare_lf");
        }
    }

    @Test
    void wellFramedChunkedBodyIsParsedWhole() {
        String body = "5;name=value\r\nhel\nl\r\n6\r\no\r\n\nxy\r\n0\r\nX-Trailer: t\r\n\r\n";
        for (int piece : new int[] {1, 3, 7, 4096}) {
            Seen seen = parse(CHUNKED_HEAD + body, piece);
            assertThat(seen.failed).as("fed %d bytes at a time", piece).isFalse();
            assertThat(seen.complete).isTrue();
            // data may hold any byte, LF and CR included
            assertThat(seen.content.toString(StandardCharsets.ISO_8859_1)).isEqualTo("hel\nlo\r\n\nxy");
            assertThat(seen.refusals).isEmpty();
        }
    }

    @Test
    void bareLfAfterChunkSize() {
        assertRefused(CHUNKED_HEAD + "5\nhello\r\n0\r\n\r\n");
    }

    @Test
    void bareLfAfterChunkExtension() {
        assertRefused(CHUNKED_HEAD + "5;ext=1\nhello\r\n0\r\n\r\n");
    }

    @Test
    void bareLfAfterChunkData() {
        assertRefused(CHUNKED_HEAD + "5\r\nhello\n0\r\n\r\n");
    }

    @Test
    void bareLfAfterLastChunk() {
        assertRefused(CHUNKED_HEAD + "5\r\nhello\r\n0\n\r\n");
    }

    @Test
    void bareLfInTrailer() {
        assertRefused(CHUNKED_HEAD + "5\r\nhello\r\n0\r\nX-Trailer: t\nX-Other: u\r\n\r\n");
    }

    @Test
    void bareLfEndingTheTrailers() {
        assertRefused(CHUNKED_HEAD + "5\r\nhello\r\n0\r\n\n");
    }

    @Test
    void bareLfInTheHead() {
        assertRefused("GET /api/x HTTP/1.1\r\nHost: h\nX-Other: smuggled\r\n\r\n");
    }

    @Test
    void contentLengthBesideChunkedIsReportedByItsRule() {
        Seen seen = parse("POST /api/x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 4096);
        assertThat(seen.failed).isTrue();
        assertThat(seen.refusals).containsExactly("transfer_encoding_with_content_length");
    }

    @Test
    void oversizedHeadIsReportedAsTooLarge() {
        Seen seen = parse("GET /api/x HTTP/1.1\r\nHost: h\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n", 4096);
        assertThat(seen.failed).isTrue();
        assertThat(seen.refusals).containsExactly("head_too_large");
    }
}
