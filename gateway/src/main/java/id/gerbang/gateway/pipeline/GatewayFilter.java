package id.gerbang.gateway.pipeline;

import id.gerbang.gateway.context.CorrelationIds;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.GatewayException;
import id.gerbang.gateway.errors.Problems;
import id.gerbang.gateway.trail.AuditTrail;
import id.gerbang.gateway.trail.RecordedProblems;
import id.gerbang.gateway.trail.RefusedAttempts;
import id.gerbang.gateway.trail.TrailEntry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The first thing every request meets: gives it its correlation id (on every answer), refuses hostile
 * paths anywhere on the server, and hands {@code /api/**} to the {@link ApiPipeline}. Everything else
 * (admin, catalogue, token endpoint, actuator) continues down the usual Spring chain; {@code /api}
 * calls never enter it, which keeps the hot path short.
 *
 * <p>While the request is served, its correlation id is in the logging context ({@link CorrelationIds#MDC_KEY}),
 * so that every log line written for it names it (docs/operations.md, "Logs").
 */
public class GatewayFilter extends OncePerRequestFilter {

    private final ApiPipeline pipeline;
    private final AuditTrail trail;

    public GatewayFilter(ApiPipeline pipeline, AuditTrail trail) {
        this.pipeline = pipeline;
        this.trail = trail;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String correlationId = CorrelationIds.keepOrCreate(request.getHeader(Problems.CORRELATION_HEADER));
        request.setAttribute(CorrelationIds.ATTRIBUTE, correlationId);
        response.setHeader(Problems.CORRELATION_HEADER, correlationId);
        MDC.put(CorrelationIds.MDC_KEY, correlationId);
        try {
            filter(request, response, chain, correlationId);
        } finally {
            MDC.remove(CorrelationIds.MDC_KEY);
        }
    }

    private void filter(HttpServletRequest request, HttpServletResponse response, FilterChain chain, String correlationId)
            throws ServletException, IOException {
        String path = request.getRequestURI();
        if (path.startsWith(ApiPipeline.API_PREFIX)
                && (path.length() == ApiPipeline.API_PREFIX.length() || path.charAt(ApiPipeline.API_PREFIX.length()) == '/')) {
            pipeline.handle(request, response, correlationId);
            return;
        }
        String refusal = RequestPaths.refusal(path);
        if (refusal != null) {
            refuse(request, response, refusal, correlationId);
            return;
        }
        chain.doFilter(request, response);
    }

    /**
     * A hostile path is refused with 400; one aimed at the trail or the route registry is recorded first,
     * like the other refused attempts there (no caller is named: its token is not looked at). When the
     * record cannot be stored the answer is 503 {@code AUDIT_UNAVAILABLE}.
     */
    private void refuse(HttpServletRequest request, HttpServletResponse response, String refusal, String correlationId)
            throws IOException {
        // aimed at the trail or the registry as sent, or once decoded and its dot segments applied
        TrailEntry.Kind kind = RefusedAttempts.watched(request.getMethod(), request.getRequestURI());
        if (kind == null) {
            kind = RefusedAttempts.watched(request.getMethod(), RequestPaths.resolved(request.getRequestURI()));
        }
        TrailEntry.Kind watched = kind;
        Runnable recording = watched == null ? () -> { } : () -> trail.record(RefusedAttempts.entry(watched,
                request.getMethod(), request.getRequestURI(), request.getQueryString(), ErrorCode.BAD_REQUEST,
                correlationId, null, null, "hostile path: " + refusal));
        RecordedProblems.refuse(recording, response,
                new GatewayException(ErrorCode.BAD_REQUEST, "refused request path: " + refusal), correlationId);
    }
}
