package id.gerbang.gateway.web;

import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.Problems;
import id.gerbang.gateway.pipeline.GatewayFilter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Tomcat's last word on errors no application code answered, such as a request Tomcat itself refused
 * (an invalid URI, oversized headers): a problem document with the gateway's error code instead of
 * Tomcat's HTML page, which would also reveal the server's version.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        ErrorCode code = switch (status) {
            case 400 -> ErrorCode.BAD_REQUEST;
            case 401 -> ErrorCode.INVALID_TOKEN;
            case 403 -> ErrorCode.ACCESS_DENIED;
            case 404 -> ErrorCode.ROUTE_NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            default -> status < 500 ? ErrorCode.BAD_REQUEST : ErrorCode.INTERNAL_ERROR;
        };
        Object attribute = request.getAttribute(GatewayFilter.CORRELATION_ATTRIBUTE);
        String correlationId = attribute instanceof String s ? s : UUID.randomUUID().toString();
        byte[] body = Problems.json(code, code == ErrorCode.INTERNAL_ERROR ? "internal error" : code.title(), correlationId)
                .getBytes(StandardCharsets.UTF_8);
        try {
            response.setContentType(Problems.CONTENT_TYPE);
            response.setHeader(Problems.ERROR_HEADER, code.name());
            response.setHeader(Problems.CORRELATION_HEADER, correlationId);
            response.setContentLength(body.length);
            OutputStream out = response.getOutputStream();
            out.write(body);
            response.finishResponse();
        } catch (IOException | IllegalStateException ignored) {
            // the connection is already gone
        }
    }
}
