package id.gerbang.gateway.trail;

import java.time.Instant;

/**
 * What the trail keeps of one event, before the store gives it its place in the chain (docs/trail.md,
 * "One record"). Most entries are calls ({@link Kind#CALL}): one per {@code /api} call, allowed,
 * refused or failed. Changes to routes and readings of the trail itself are entries too, with their
 * particulars in {@code detail} (a JSON document). Fields an event never reached are {@code null}.
 * Path and query arrive here already masked; the trail makes every entry storable before it is chained
 * ({@link StoredFields}: NIKs masked in the identifying fields, every text bounded to its column).
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
        String detail) {

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
