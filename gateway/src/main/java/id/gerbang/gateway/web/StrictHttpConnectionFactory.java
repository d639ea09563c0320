package id.gerbang.gateway.web;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * HTTP/1.1 connections whose request heads must end every line with CRLF. Jetty's strict mode already
 * refuses folded lines, bare CR, Content-Length beside Transfer-Encoding and two lengths, but it still
 * reads a bare LF as a line end; a load balancer in front may read the same bytes as one line, and two
 * parsers that disagree about where a header ends are how requests get smuggled. A bare LF in a request
 * head is turned into a NUL before Jetty parses it, so that Jetty's own parser refuses the request with
 * 400 and closes the connection, like any other malformed head.
 */
final class StrictHttpConnectionFactory extends HttpConnectionFactory {

    StrictHttpConnectionFactory(HttpConfiguration configuration) {
        super(configuration);
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        HttpConnection connection = new GuardedConnection(getHttpConfiguration(), connector, endPoint,
                isRecordHttpComplianceViolations());
        connection.setUseInputDirectByteBuffers(isUseInputDirectByteBuffers());
        connection.setUseOutputDirectByteBuffers(isUseOutputDirectByteBuffers());
        return configure(connection, connector, endPoint);
    }

    private static final class GuardedConnection extends HttpConnection {

        /** Hands the connection's request handler to its parser; both are made in the constructor, in that order. */
        private static final ThreadLocal<HttpParser.RequestHandler> HANDLER = new ThreadLocal<>();

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
            LineEndGuard parser = new LineEndGuard(handler, config.getRequestHeaderSize(), compliance);
            parser.setHeaderCacheSize(config.getHeaderCacheSize());
            parser.setHeaderCacheCaseSensitive(config.isHeaderCacheCaseSensitive());
            return parser;
        }
    }

    /** Scans each request head as it arrives, up to the blank line that ends it. */
    static final class LineEndGuard extends HttpParser {

        private static final byte NUL = 0;

        private boolean scanning = true;
        private boolean afterCr;
        private boolean lineEmpty = true;

        LineEndGuard(HttpParser.RequestHandler handler, int maxHeaderBytes, HttpCompliance compliance) {
            super(handler, maxHeaderBytes, compliance);
        }

        @Override
        public boolean parseNext(ByteBuffer buffer) {
            if (isStart() && !scanning) {
                scanning = true;
                afterCr = false;
                lineEmpty = true;
            }
            if (scanning) {
                scan(buffer);
            }
            return super.parseNext(buffer);
        }

        @Override
        public void reset() {
            super.reset();
            scanning = true;
            afterCr = false;
            lineEmpty = true;
        }

        private void scan(ByteBuffer buffer) {
            for (int i = buffer.position(); i < buffer.limit() && scanning; i++) {
                byte b = buffer.get(i);
                if (b == '\n') {
                    if (!afterCr) {
                        buffer.put(i, NUL);
                        scanning = false;
                        return;
                    }
                    if (lineEmpty) {
                        scanning = false; // the blank line: the head is complete, the body is not ours to scan
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
        }
    }
}
