package id.gerbang.gateway.errors;

import id.gerbang.gateway.context.CorrelationIds;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes the gateway's own errors as RFC 9457 problem documents:
 * {@code {"type","title","status","detail","code","correlationId"}}, with {@code X-Gerbang-Error}.
 * The one place where an {@link ErrorCode} becomes an HTTP answer.
 */
public final class Problems {

    public static final String CONTENT_TYPE = "application/problem+json";
    public static final String ERROR_HEADER = "X-Gerbang-Error";
    public static final String CORRELATION_HEADER = CorrelationIds.HEADER;

    private static final ObjectMapper EXTENSIONS = JsonMapper.builder().build();

    private Problems() {}

    public static String json(ErrorCode code, String detail, String correlationId) {
        return json(code, detail, correlationId, Map.of());
    }

    /**
     * A problem document with extension members (RFC 9457, section 3.2), such as the {@code violations}
     * of a refused route definition; their values are written as JSON by Jackson.
     */
    public static String json(ErrorCode code, String detail, String correlationId, Map<String, ?> extensions) {
        StringBuilder b = new StringBuilder(192);
        b.append("{\"type\":");
        quote(b, code.type());
        b.append(",\"title\":");
        quote(b, code.title());
        b.append(",\"status\":").append(code.status());
        b.append(",\"detail\":");
        quote(b, detail == null ? code.title() : detail);
        b.append(",\"code\":");
        quote(b, code.name());
        b.append(",\"correlationId\":");
        if (correlationId == null) {
            b.append("null");
        } else {
            quote(b, correlationId);
        }
        for (Map.Entry<String, ?> e : extensions.entrySet()) {
            b.append(',');
            quote(b, e.getKey());
            b.append(':');
            try {
                b.append(EXTENSIONS.writeValueAsString(e.getValue()));
            } catch (JsonProcessingException ex) {
                throw new IllegalArgumentException("extension " + e.getKey() + " cannot be written", ex);
            }
        }
        return b.append('}').toString();
    }

    /**
     * Answers with a problem document, unless the answer has already begun; anything set on the answer
     * before (an upstream's headers, say) is discarded. A 401 carries {@code WWW-Authenticate} (RFC 6750).
     */
    public static void write(HttpServletResponse response, ErrorCode code, String detail, String correlationId)
            throws IOException {
        write(response, code, detail, correlationId, -1, Map.of(), null);
    }

    /** As {@link #write(HttpServletResponse, ErrorCode, String, String)}, with {@code Retry-After} when not negative. */
    public static void write(HttpServletResponse response, ErrorCode code, String detail, String correlationId,
            long retryAfterSeconds) throws IOException {
        write(response, code, detail, correlationId, retryAfterSeconds, Map.of(), null);
    }

    /** The answer to a refusal: its code and detail, and its {@code Retry-After} or {@code Allow} if it has one. */
    public static void write(HttpServletResponse response, GatewayException refusal, String correlationId) throws IOException {
        write(response, refusal.code(), refusal.getMessage(), correlationId, refusal.retryAfterSeconds(), Map.of(),
                refusal.allow());
    }

    /** As {@link #write(HttpServletResponse, ErrorCode, String, String)}, with extension members. */
    public static void write(HttpServletResponse response, ErrorCode code, String detail, String correlationId,
            Map<String, ?> extensions) throws IOException {
        write(response, code, detail, correlationId, -1, extensions, null);
    }

    private static void write(HttpServletResponse response, ErrorCode code, String detail, String correlationId,
            long retryAfterSeconds, Map<String, ?> extensions, String allow) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        byte[] body = json(code, detail, correlationId, extensions).getBytes(StandardCharsets.UTF_8);
        response.reset(); // nothing of an upstream's answer may stay on a gateway error
        response.setStatus(code.status());
        response.setContentType(CONTENT_TYPE);
        response.setHeader(ERROR_HEADER, code.name());
        if (code == ErrorCode.INVALID_TOKEN) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"gerbang\", error=\"invalid_token\"");
        }
        if (retryAfterSeconds >= 0) {
            response.setHeader("Retry-After", Long.toString(retryAfterSeconds));
        }
        if (allow != null) {
            response.setHeader("Allow", allow);
        }
        if (correlationId != null) {
            response.setHeader(CORRELATION_HEADER, correlationId);
        }
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
