package id.gerbang.gateway.trail;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;

/**
 * One record of the trail as stored: a {@link TrailEntry} with its place in its node's hash chain.
 * {@code nodeSeq} counts 1, 2, 3… per node; {@code prevHash} is the {@code hash} of the node's previous
 * record (64 zeros for the first); {@code hash} is computed by {@link RecordHash}. The JSON form (NDJSON
 * export, API) uses exactly these names.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"id", "kind", "node", "nodeSeq", "requestAt", "responseAt", "correlationId", "clientId",
    "clientOpd", "userId", "routeId", "routeVersion", "ownerOpd", "method", "path", "query", "status",
    "upstreamStatus", "errorCode", "durationMs", "upstreamDurationMs", "requestBytes", "responseBytes",
    "requestSha256", "responseSha256", "detail", "prevHash", "hash"})
public record AuditRecord(
        Long id,
        String kind,
        String node,
        long nodeSeq,
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
        Integer status,
        Integer upstreamStatus,
        String errorCode,
        Long durationMs,
        Long upstreamDurationMs,
        Long requestBytes,
        Long responseBytes,
        String requestSha256,
        String responseSha256,
        String detail,
        String prevHash,
        String hash) {

    public static final String GENESIS = "0".repeat(64);

    /** The record an entry becomes as the {@code nodeSeq}-th of {@code node}'s chain, after {@code prevHash}. */
    public static AuditRecord chain(TrailEntry e, String node, long nodeSeq, String prevHash) {
        AuditRecord unhashed = new AuditRecord(null, e.kind().value(), node, nodeSeq, millis(e.requestAt()),
                millis(e.responseAt()), e.correlationId(), e.clientId(), e.clientOpd(), e.userId(), e.routeId(),
                e.routeVersion(), e.ownerOpd(), e.method(), e.path(), e.query(), e.status(), e.upstreamStatus(),
                e.errorCode(), e.durationMs(), e.upstreamDurationMs(), e.requestBytes(), e.responseBytes(),
                e.requestSha256(), e.responseSha256(), e.detail(), prevHash, null);
        return unhashed.withHash(RecordHash.of(unhashed));
    }

    public AuditRecord withHash(String newHash) {
        return new AuditRecord(id, kind, node, nodeSeq, requestAt, responseAt, correlationId, clientId, clientOpd,
                userId, routeId, routeVersion, ownerOpd, method, path, query, status, upstreamStatus, errorCode,
                durationMs, upstreamDurationMs, requestBytes, responseBytes, requestSha256, responseSha256, detail,
                prevHash, newHash);
    }

    public AuditRecord withId(Long newId) {
        return new AuditRecord(newId, kind, node, nodeSeq, requestAt, responseAt, correlationId, clientId, clientOpd,
                userId, routeId, routeVersion, ownerOpd, method, path, query, status, upstreamStatus, errorCode,
                durationMs, upstreamDurationMs, requestBytes, responseBytes, requestSha256, responseSha256, detail,
                prevHash, hash);
    }

    /** Times are kept to the millisecond, the precision every store keeps, so that a hash survives a round trip. */
    private static Instant millis(Instant t) {
        return t == null ? null : Instant.ofEpochMilli(t.toEpochMilli());
    }
}
