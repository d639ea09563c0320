package id.gerbang.gateway.trail;

import id.gerbang.gateway.errors.ErrorCode;
import java.time.Instant;

/**
 * Refused requests outside {@code /api} that the trail must still show: an attempt to read the trail
 * ({@code /audit}, kind {@code trail-read}) and an attempt to change the route registry (a write to
 * {@code /admin/routes}, kind {@code route-change}), whatever refused them: Spring Security (401, 403) or
 * the gateway's filter (400, a hostile path). The path and query pass through the same masking as every
 * other reading of the trail.
 */
public final class RefusedAttempts {

    private RefusedAttempts() {}

    /**
     * @param path the request path, resolved: decoded, dot segments applied (a hostile path names the
     *             endpoint it would have reached)
     * @return the kind of record a refusal of this request makes, or {@code null} when it makes none
     */
    public static TrailEntry.Kind watched(String method, String path) {
        if (path.startsWith("/audit")) {
            return TrailEntry.Kind.TRAIL_READ;
        }
        boolean read = method.equals("GET") || method.equals("HEAD");
        return path.startsWith("/admin/routes") && !read && !path.endsWith(":validate") ? TrailEntry.Kind.ROUTE_CHANGE : null;
    }

    /**
     * The record of a refusal; {@code client} and {@code opd} only from a token that was verified.
     *
     * @param reason why it was refused, when the error code alone does not say (a fixed phrase, no input)
     */
    public static TrailEntry entry(TrailEntry.Kind kind, String method, String rawPath, String rawQuery,
            ErrorCode code, String correlationId, String client, String opd, String reason) {
        Instant now = Instant.now();
        Masking masking = Masking.DEFAULT;
        String detail = reason == null ? "{\"action\":\"refused\"}"
                : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                        .put("action", "refused").put("reason", reason).toString();
        return TrailEntry.of(kind, now).respondedAt(now)
                .correlationId(correlationId)
                .caller(client, opd, null)
                .request(method, masking.path(rawPath), masking.query(rawQuery))
                .answer(code.status(), null, code.name())
                .durations(0L, null)
                .requestBody(0L, null)
                .responseBody(0L, null)
                .detail(detail)
                .build();
    }
}
