package id.gerbang.gateway.web;

import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.Problems;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's answer to a request it refused before any application code saw it (bad framing, folded or
 * bare-LF header lines, oversized headers, an unparseable URI): a problem document with the gateway's
 * error code, never Jetty's HTML page.
 */
class ProblemErrorHandler extends ErrorHandler {

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        Object attributeStatus = request.getAttribute(ERROR_STATUS);
        if (attributeStatus instanceof Integer s) {
            status = s;
        }
        ErrorCode code = ErrorCode.forStatus(status);
        String correlationId = id.gerbang.gateway.context.CorrelationIds.create();
        Object reason = request.getAttribute(ERROR_MESSAGE);
        String detail = reason instanceof String r && !r.isBlank() ? "refused by the HTTP parser: " + r : code.title();
        byte[] body = Problems.json(code, detail, correlationId).getBytes(StandardCharsets.UTF_8);
        response.setStatus(code.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
        response.getHeaders().put(Problems.ERROR_HEADER, code.name());
        response.getHeaders().put(Problems.CORRELATION_HEADER, correlationId);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
