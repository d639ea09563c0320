package id.gerbang.gateway.trail;

/**
 * The request trail, as the pipeline sees it: a port with one implementation per store. The pipeline
 * depends on this interface only.
 */
public interface AuditTrail {

    /**
     * Stores an entry durably and returns once it is committed: only then may the answer it records be
     * completed.
     *
     * @throws TrailUnavailableException when the store cannot take it; the answer must not be served
     */
    AuditRecord record(TrailEntry entry);

    /**
     * Whether the store took the last records it was given. When it did not, the pipeline refuses calls
     * before forwarding them (an upstream must not act on a call that cannot be recorded); the refusal's
     * own record is then the probe that finds the store back.
     */
    default boolean available() {
        return true;
    }
}
