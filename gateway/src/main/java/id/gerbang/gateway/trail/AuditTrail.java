package id.gerbang.gateway.trail;

/**
 * The request trail, as the pipeline sees it: a port with one implementation per store. The pipeline
 * depends on this interface only.
 */
public interface AuditTrail {

    /** Records one call. */
    void record(CallRecord record);
}
