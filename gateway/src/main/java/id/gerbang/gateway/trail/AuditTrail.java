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
}
