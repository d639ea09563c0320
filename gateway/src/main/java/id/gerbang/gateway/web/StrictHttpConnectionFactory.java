package id.gerbang.gateway.web;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * HTTP/1.1 connections whose request framing must end every line with CRLF. Jetty's strict mode already
 * refuses folded lines, bare CR, Content-Length beside Transfer-Encoding and two lengths, but it still
 * reads a bare LF as a line end, in the request head and in a chunked body's framing (chunk-size lines,
 * chunk extensions, the line end after each chunk's data, trailers); a load balancer in front may read
 * the same bytes differently, and two parsers that disagree about where a line or a chunk ends are how
 * requests get smuggled. Such a bare LF is turned into a NUL before Jetty parses it, so that Jetty's own
 * parser refuses the request with 400 and closes the connection, like any other malformed request.
 * Every request the parser refuses is reported to {@link ParserRefusals}, with the peer's address.
 */
final class StrictHttpConnectionFactory extends HttpConnectionFactory {

    private final ParserRefusals refusals;

    StrictHttpConnectionFactory(HttpConfiguration configuration, ParserRefusals refusals) {
        super(configuration);
        this.refusals = refusals;
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        GuardedConnection.REFUSALS.set(refusals);
        HttpConnection connection;
        try {
            connection = new GuardedConnection(getHttpConfiguration(), connector, endPoint,
                    isRecordHttpComplianceViolations());
        } finally {
            GuardedConnection.REFUSALS.remove();
        }
        connection.setUseInputDirectByteBuffers(isUseInputDirectByteBuffers());
        connection.setUseOutputDirectByteBuffers(isUseOutputDirectByteBuffers());
        return configure(connection, connector, endPoint);
    }

    private static final class GuardedConnection extends HttpConnection {

        /** Hands the connection's request handler to its parser; both are made in the constructor, in that order. */
        private static final ThreadLocal<HttpParser.RequestHandler> HANDLER = new ThreadLocal<>();
        /** Hands the factory's refusal counter to the parser made in the constructor. */
        private static final ThreadLocal<ParserRefusals> REFUSALS = new ThreadLocal<>();

        GuardedConnection(HttpConfiguration config, Connector connector, EndPoint endPoint, boolean record) {
            super(config, connector, endPoint, record);
        }

        @Override
        protected RequestHandler newRequestHandler() {
            RequestHandler handler = super.newRequestHandler();
            HANDLER.set(handler);
            return handler;
        }

        @Override
        protected HttpParser newHttpParser(HttpCompliance compliance) {
            HttpParser.RequestHandler handler = HANDLER.get();
            HANDLER.remove();
            HttpConfiguration config = getHttpConfiguration();
            ParserRefusals refusals = REFUSALS.get();
            EndPoint endPoint = getEndPoint();
            LineEndGuard parser = new LineEndGuard(handler, config.getRequestHeaderSize(), compliance,
                    reason -> refusals.refused(reason, peer(endPoint)));
            parser.setHeaderCacheSize(config.getHeaderCacheSize());
            parser.setHeaderCacheCaseSensitive(config.isHeaderCacheCaseSensitive());
            return parser;
        }

        private static SocketAddress peer(EndPoint endPoint) {
            return endPoint == null ? null : endPoint.getRemoteSocketAddress();
        }
    }

    /**
     * Scans each request head as it arrives, up to the blank line that ends it, and the framing of a
     * chunked body; reports the reason for every request the parser refuses.
     */
    static final class LineEndGuard extends HttpParser {

        private static final byte NUL = 0;

        private final Consumer<String> onRefusal;
        private boolean scanning = true;
        private boolean afterCr;
        private boolean lineEmpty = true;
        private ChunkFraming chunks = new ChunkFraming();
        /** Why the request is being refused, when this guard or a compliance rule knows better than Jetty's message. */
        private String reason;

        LineEndGuard(HttpParser.RequestHandler handler, int maxHeaderBytes, HttpCompliance compliance,
                Consumer<String> onRefusal) {
            super(handler, maxHeaderBytes, compliance);
            this.onRefusal = onRefusal;
        }

        @Override
        public boolean parseNext(ByteBuffer buffer) {
            if (isStart() && !scanning) {
                resetGuard();
            }
            if (scanning) {
                int headEnd = scan(buffer);
                boolean handled = super.parseNext(buffer);
                if (headEnd >= 0 && isChunking() && buffer.position() > headEnd) {
                    // Jetty's connection stops the parser at the end of the head, so a chunked body is scanned
                    // before it is parsed; a parser that went on has taken body bytes unscanned: keep up with them
                    chunks.scan(buffer, headEnd, buffer.position(), false);
                }
                return handled;
            }
            if (!isChunking() || !inContentState()) {
                return super.parseNext(buffer);
            }
            // the framing is scanned ahead of the parser (and a bare LF spoiled) over everything buffered,
            // but the scanner moves on only by what the parser took: the rest comes again next time
            int start = buffer.position();
            ChunkFraming ahead = chunks.copy();
            if (ahead.scan(buffer, start, buffer.limit(), true)) {
                reason = "bare_lf";
            }
            boolean handled = super.parseNext(buffer);
            chunks.scan(buffer, start, buffer.position(), false);
            return handled;
        }

        @Override
        public void reset() {
            super.reset();
            resetGuard();
        }

        private void resetGuard() {
            scanning = true;
            afterCr = false;
            lineEmpty = true;
            chunks = new ChunkFraming();
            reason = null;
        }

        @Override
        protected void checkViolation(HttpCompliance.Violation violation) {
            try {
                super.checkViolation(violation);
            } catch (BadMessageException e) {
                reason = ParserRefusals.reasonOf(violation);
                throw e;
            }
        }

        @Override
        protected void badMessage(HttpException failure) {
            onRefusal.accept(reason != null ? reason : ParserRefusals.reasonOf(failure.getCode()));
            super.badMessage(failure);
        }

        /** Scans the head; returns where its blank line ends when it is in the buffer, else -1. */
        private int scan(ByteBuffer buffer) {
            for (int i = buffer.position(); i < buffer.limit() && scanning; i++) {
                byte b = buffer.get(i);
                if (b == '\n') {
                    if (!afterCr) {
                        buffer.put(i, NUL);
                        scanning = false;
                        reason = "bare_lf";
                        return -1;
                    }
                    if (lineEmpty) {
                        scanning = false; // the blank line: the head is complete; a chunked body is scanned apart
                        return i + 1;
                    }
                    lineEmpty = true;
                    afterCr = false;
                } else if (b == '\r') {
                    afterCr = true;
                } else {
                    afterCr = false;
                    lineEmpty = false;
                }
            }
            return -1;
        }
    }

    /**
     * Where the lines of a chunked body are (RFC 9112 7.1): a chunk-size line with its extensions, the
     * chunk's data (skipped, never scanned: data may hold any byte), the CRLF after the data, and after
     * the last chunk the trailer lines up to a blank line. Finds each LF of these lines that no CR
     * precedes. Anything else wrong with the framing Jetty's parser refuses by itself.
     */
    static final class ChunkFraming {

        private enum Part { SIZE, EXTENSION, DATA, DATA_END, TRAILER, DONE }

        private Part part = Part.SIZE;
        private long size;
        private long dataLeft;
        private boolean afterCr;
        private boolean lineEmpty = true;

        ChunkFraming copy() {
            ChunkFraming c = new ChunkFraming();
            c.part = part;
            c.size = size;
            c.dataLeft = dataLeft;
            c.afterCr = afterCr;
            c.lineEmpty = lineEmpty;
            return c;
        }

        /**
         * Moves over {@code buffer[from, to)}.
         *
         * @param spoil turn the first bare LF found into a NUL and stop there
         * @return whether a bare LF was found
         */
        boolean scan(ByteBuffer buffer, int from, int to, boolean spoil) {
            int i = from;
            while (i < to && part != Part.DONE) {
                if (part == Part.DATA) {
                    long skip = Math.min(dataLeft, to - i);
                    i += (int) skip;
                    dataLeft -= skip;
                    if (dataLeft == 0) {
                        part = Part.DATA_END;
                    }
                    continue;
                }
                byte b = buffer.get(i);
                if (b == '\n') {
                    if (!afterCr) {
                        if (spoil) {
                            buffer.put(i, StrictHttpConnectionFactory.LineEndGuard.NUL);
                        }
                        return true;
                    }
                    endOfLine();
                } else if (b == '\r') {
                    afterCr = true;
                } else {
                    afterCr = false;
                    lineEmpty = false;
                    if (part == Part.SIZE) {
                        int digit = Character.digit(b, 16);
                        if (digit < 0) {
                            part = Part.EXTENSION; // ';' or whitespace: the rest of the line is not the size
                        } else {
                            size = Math.min(size * 16 + digit, Long.MAX_VALUE / 16); // Jetty refuses a huge one
                        }
                    }
                }
                i++;
            }
            return false;
        }

        private void endOfLine() {
            afterCr = false;
            switch (part) {
                case SIZE, EXTENSION -> {
                    part = size == 0 ? Part.TRAILER : Part.DATA;
                    dataLeft = size;
                    size = 0;
                    lineEmpty = true;
                }
                case DATA_END -> part = Part.SIZE;
                case TRAILER -> {
                    if (lineEmpty) {
                        part = Part.DONE;
                    }
                    lineEmpty = true;
                }
                default -> { }
            }
        }
    }
}
