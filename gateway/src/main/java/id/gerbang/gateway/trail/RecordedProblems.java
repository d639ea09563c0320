package id.gerbang.gateway.trail;

import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.GatewayException;
import id.gerbang.gateway.errors.Problems;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "Record, then answer": what the gateway decides is on the trail before the caller hears of it. When the
 * trail cannot take the record, the answer is 503 {@code AUDIT_UNAVAILABLE} instead, whatever it would have
 * been: nothing the gateway decides goes unrecorded. Used by the pipeline, the security chain's refusals,
 * the gateway's filter, the trail's and the registry's APIs.
 */
public final class RecordedProblems {

    /** Why a call is refused when its record cannot be stored. */
    public static final String UNAVAILABLE = "the request trail cannot be written; the gateway refuses rather than serve unaudited";

    private static final Logger log = LoggerFactory.getLogger(RecordedProblems.class);

    private RecordedProblems() {}

    /**
     * Stores a record (the recording throws {@link TrailUnavailableException} when the trail cannot take it).
     *
     * @return {@code false}, logged, when the trail could not take it
     */
    public static boolean stored(Runnable recording, String correlationId) {
        try {
            recording.run();
            return true;
        } catch (TrailUnavailableException e) {
            log.warn("Record of {} not stored: {}", correlationId, e.getMessage());
            return false;
        }
    }

    /**
     * Stores a record before anything else is answered; when the trail cannot take it, answers 503
     * {@code AUDIT_UNAVAILABLE} with {@code unavailable} as its detail.
     *
     * @return whether it was stored: when not, the answer is written and the caller answers nothing else
     */
    public static boolean recordedOrRefused(Runnable recording, HttpServletResponse response, String unavailable,
            String correlationId) throws IOException {
        if (stored(recording, correlationId)) {
            return true;
        }
        Problems.write(response, ErrorCode.AUDIT_UNAVAILABLE, unavailable, correlationId);
        return false;
    }

    /**
     * Stores the record of a refusal, then answers it as a problem; or answers 503 {@code AUDIT_UNAVAILABLE}
     * when the trail cannot take the record.
     *
     * @return the code answered
     */
    public static ErrorCode refuse(Runnable recording, HttpServletResponse response, GatewayException refusal,
            String correlationId) throws IOException {
        if (!stored(recording, correlationId) && refusal.code() != ErrorCode.AUDIT_UNAVAILABLE) {
            refusal = new GatewayException(ErrorCode.AUDIT_UNAVAILABLE, UNAVAILABLE);
        }
        Problems.write(response, refusal, correlationId);
        return refusal.code();
    }
}
