package id.gerbang.gateway.trail;

import java.time.Instant;

/**
 * What the trail keeps of one event, before the store gives it its place in the chain (docs/trail.md,
 * "One record"). Most entries are calls ({@link Kind#CALL}): one per {@code /api} call, allowed,
 * refused or failed. Changes to routes and readings of the trail itself are entries too, with their
 * particulars in {@code detail} (a JSON document). Fields an event never reached are {@code null}.
 * Path and query arrive here already masked; the trail makes every entry storable before it is chained
 * ({@link StoredFields}: NIKs masked in the identifying fields, every text bounded to its column).
 * Its fields are {@link TrailField}'s, in that order. Each kind has its factory ({@link #call},
 * {@link #routeChange}, {@link #trailRead}, {@link #purge}), which names every field it sets.
 */
public record TrailEntry(
        Kind kind,
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
        String parentCorrelationId) {

    /** An entry of no composite call ({@code parentCorrelationId} absent). */
    public TrailEntry(Kind kind, Instant requestAt, Instant responseAt, String correlationId, String clientId,
            String clientOpd, String userId, String routeId, Long routeVersion, String ownerOpd, String method,
            String path, String query, Integer status, Integer upstreamStatus, String errorCode, Long durationMs,
            Long upstreamDurationMs, Long requestBytes, Long responseBytes, String requestSha256,
            String responseSha256, String detail) {
        this(kind, requestAt, responseAt, correlationId, clientId, clientOpd, userId, routeId, routeVersion, ownerOpd,
                method, path, query, status, upstreamStatus, errorCode, durationMs, upstreamDurationMs, requestBytes,
                responseBytes, requestSha256, responseSha256, detail, null);
    }

    /** The entry of an {@code /api} call that came at {@code requestAt}; fill in what the call reached. */
    public static Builder call(Instant requestAt) {
        return new Builder(Kind.CALL, requestAt);
    }

    /** The entry of a write to the route registry (made, unchanged or refused) that came at {@code requestAt}. */
    public static Builder routeChange(Instant requestAt) {
        return new Builder(Kind.ROUTE_CHANGE, requestAt);
    }

    /** The entry of a reading of the trail (a search, an export, a verification) that came at {@code requestAt}. */
    public static Builder trailRead(Instant requestAt) {
        return new Builder(Kind.TRAIL_READ, requestAt);
    }

    /** The entry of an event of {@code kind} that came at {@code requestAt}. */
    public static Builder of(Kind kind, Instant requestAt) {
        return new Builder(kind, requestAt);
    }

    /** The entry of a purge made at {@code at}: everything it did is in its {@code detail}. */
    public static TrailEntry purge(Instant at, String detail) {
        return new Builder(Kind.TRAIL_PURGE, at).respondedAt(at).detail(detail).build();
    }

    /** An entry filled in by what its event reached; a field never set stays absent ({@code null}). */
    public static final class Builder {
        private final Kind kind;
        private final Instant requestAt;
        private Instant responseAt;
        private String correlationId;
        private String clientId;
        private String clientOpd;
        private String userId;
        private String routeId;
        private Long routeVersion;
        private String ownerOpd;
        private String method;
        private String path;
        private String query;
        private Integer status;
        private Integer upstreamStatus;
        private String errorCode;
        private Long durationMs;
        private Long upstreamDurationMs;
        private Long requestBytes;
        private Long responseBytes;
        private String requestSha256;
        private String responseSha256;
        private String detail;
        private String parentCorrelationId;

        private Builder(Kind kind, Instant requestAt) {
            this.kind = kind;
            this.requestAt = requestAt;
        }

        public Builder respondedAt(Instant responseAt) {
            this.responseAt = responseAt;
            return this;
        }

        public Builder correlationId(String correlationId) {
            this.correlationId = correlationId;
            return this;
        }

        /** Who called: the client (from a verified token only), its OPD, the user it acted for. */
        public Builder caller(String clientId, String clientOpd, String userId) {
            this.clientId = clientId;
            this.clientOpd = clientOpd;
            this.userId = userId;
            return this;
        }

        /** The route concerned: its id, the version that served or was made, the OPD that owns it. */
        public Builder route(String routeId, Long routeVersion, String ownerOpd) {
            this.routeId = routeId;
            this.routeVersion = routeVersion;
            this.ownerOpd = ownerOpd;
            return this;
        }

        /** The request line, path and query already masked. */
        public Builder request(String method, String path, String query) {
            this.method = method;
            this.path = path;
            this.query = query;
            return this;
        }

        /** The answer: its status, the upstream's, and the error code of a problem answer. */
        public Builder answer(Integer status, Integer upstreamStatus, String errorCode) {
            this.status = status;
            this.upstreamStatus = upstreamStatus;
            this.errorCode = errorCode;
            return this;
        }

        public Builder durations(Long durationMs, Long upstreamDurationMs) {
            this.durationMs = durationMs;
            this.upstreamDurationMs = upstreamDurationMs;
            return this;
        }

        /** The request body: bytes read and their SHA-256 (lower-case hex). */
        public Builder requestBody(Long bytes, String sha256) {
            this.requestBytes = bytes;
            this.requestSha256 = sha256;
            return this;
        }

        /** The response body: bytes sent and their SHA-256 (lower-case hex). */
        public Builder responseBody(Long bytes, String sha256) {
            this.responseBytes = bytes;
            this.responseSha256 = sha256;
            return this;
        }

        /** Particulars, a JSON document, already masked. */
        public Builder detail(String detail) {
            this.detail = detail;
            return this;
        }

        /** The {@code correlationId} of the composite call this call is a part of. */
        public Builder parentCorrelationId(String parentCorrelationId) {
            this.parentCorrelationId = parentCorrelationId;
            return this;
        }

        public TrailEntry build() {
            return new TrailEntry(kind, requestAt, responseAt, correlationId, clientId, clientOpd, userId, routeId,
                    routeVersion, ownerOpd, method, path, query, status, upstreamStatus, errorCode, durationMs,
                    upstreamDurationMs, requestBytes, responseBytes, requestSha256, responseSha256, detail,
                    parentCorrelationId);
        }
    }

    /** What an entry records. */
    public enum Kind {
        /** an {@code /api} call */
        CALL("call"),
        /** a route created, replaced or deleted */
        ROUTE_CHANGE("route-change"),
        /** an auditor's search, export or verification */
        TRAIL_READ("trail-read"),
        /** old records purged under the retention period, with the checkpoint that replaces them */
        TRAIL_PURGE("trail-purge");

        /** Every kind's value, comma separated, in declaration order: {@code call, route-change, …}. */
        public static final String NAMES = java.util.Arrays.stream(values()).map(Kind::value)
                .collect(java.util.stream.Collectors.joining(", "));

        private final String value;

        Kind(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }

        public static Kind of(String value) {
            for (Kind k : values()) {
                if (k.value.equals(value)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown record kind " + value);
        }
    }
}
