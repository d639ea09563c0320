package id.gerbang.gateway.trail;

/**
 * Why this node refuses calls although its store takes records: a checkpoint has waited for its timestamp
 * longer than {@code gerbang.trail.tsa.max-failure-period} ({@link TrailAnchoring}). While it says so, the
 * trail reports itself unavailable and calls are answered 503 AUDIT_UNAVAILABLE before they are forwarded.
 */
public final class TrailGate {

    private volatile String refusal;

    /** Null while calls are taken; otherwise why they are refused. */
    public String refusal() {
        return refusal;
    }

    void refuse(String reason) {
        refusal = reason;
    }

    void accept() {
        refusal = null;
    }

    /** A trail that is unavailable while the gate refuses. */
    static AuditTrail gated(AuditTrail trail, TrailGate gate) {
        return new Gated(trail, gate);
    }

    private record Gated(AuditTrail trail, TrailGate gate) implements AuditTrail, AutoCloseable {
        @Override
        public AuditRecord record(TrailEntry entry) {
            return trail.record(entry);
        }

        @Override
        public boolean available() {
            return gate.refusal == null && trail.available();
        }

        @Override
        public void close() throws Exception {
            if (trail instanceof AutoCloseable c) {
                c.close();
            }
        }
    }
}
