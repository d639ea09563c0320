package id.gerbang.gateway.trail;

import java.time.Instant;

/**
 * What the trail keeps of one {@code /api} call, allowed, refused or failed (PRODUCT.md, "Audit
 * record"); the chain fields ({@code id}, {@code prevHash}, {@code hash}) are the store's to add.
 * Fields the call never reached (a route for a 404, say) are {@code null}.
 */
public record CallRecord(
        String node,
        Instant requestAt,
        Instant responseAt,
        String correlationId,
        String clientId,
        String clientOpd,
        String userId,
        String routeId,
        Long routeVersion,
        String ownerOpd,
        String method,
        String path,
        String query,
        int status,
        Integer upstreamStatus,
        String errorCode,
        long durationMs,
        Long upstreamDurationMs,
        long requestBytes,
        long responseBytes) {}
