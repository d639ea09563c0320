package id.gerbang.gateway.trail;

import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.routes.Route;
import id.gerbang.security.Caller;
import jakarta.servlet.http.HttpServletRequest;
import java.security.MessageDigest;
import java.time.Instant;

/**
 * What one {@code /api} call leaves on the trail, gathered step by step while the call runs and turned
 * into its record ({@link #entry}) once, at its end. The steps fill in what they learn: who called, which
 * route served, what the upstream answered, how many bytes went each way and their digests.
 *
 * <p>Every field the caller wrote is masked with the masking of the route the call found
 * ({@link #route(Route, Masking)}); a call refused before its route was found is masked with the masking
 * given to {@link #entry}.
 */
public final class CallRecord {

    /** What the record keeps of the request body: how much of it was read, and the digest of that. */
    public interface Body {
        long count();

        /** SHA-256, lower-case hex, of the bytes read. */
        String sha256();
    }

    private final Instant requestAt = Instant.now();
    private final long startNanos = System.nanoTime();
    private final String correlationId;
    private final String method;
    private final String path;
    private final String query;
    /** The composite's correlation id when this call is one of its parts, else {@code null}. */
    private final String parentCorrelationId;
    private Caller caller;
    private String userId;
    private Route route;
    private Masking masking;
    private int status;
    private Integer upstreamStatus;
    private ErrorCode error;
    private Long upstreamNanos;
    private Body requestBody;
    private long responseBytes;
    private MessageDigest responseSha256;
    private boolean recordTried;

    public CallRecord(HttpServletRequest request, String correlationId) {
        this.correlationId = correlationId;
        this.method = request.getMethod();
        this.path = request.getRequestURI();
        this.query = request.getQueryString();
        this.parentCorrelationId = null;
    }

    private CallRecord(CallRecord parent, String correlationId, String method, String path, String query) {
        this.correlationId = correlationId;
        this.method = method;
        this.path = path;
        this.query = query;
        this.parentCorrelationId = parent.correlationId;
        this.caller = parent.caller;
        this.userId = parent.userId;
    }

    /**
     * The record of one part of a composite call: the caller and user of {@code parent}, a correlation id of
     * its own, and {@code parentCorrelationId} naming the composite's record.
     *
     * @param path the path the part's call would have had as a call of its own ({@code /api...})
     */
    public static CallRecord part(CallRecord parent, String correlationId, String method, String path, String query) {
        return new CallRecord(parent, correlationId, method, path, query);
    }

    /** The composite's correlation id when this call is one of its parts, else {@code null}. */
    public String parentCorrelationId() {
        return parentCorrelationId;
    }

    public String correlationId() {
        return correlationId;
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    public String query() {
        return query;
    }

    public long startNanos() {
        return startNanos;
    }

    public Caller caller() {
        return caller;
    }

    public void caller(Caller caller) {
        this.caller = caller;
    }

    public String userId() {
        return userId;
    }

    public void userId(String userId) {
        this.userId = userId;
    }

    public Route route() {
        return route;
    }

    /** The route that serves the call, and its masking (the one the registry built with it). */
    public void route(Route route, Masking masking) {
        this.route = route;
        this.masking = masking;
    }

    /** The masking of the call's route, or {@code null} before a route was found. */
    public Masking masking() {
        return masking;
    }

    public int status() {
        return status;
    }

    public ErrorCode error() {
        return error;
    }

    /** The gateway's own answer: its error code and status. */
    public void refused(ErrorCode code) {
        this.error = code;
        this.status = code.status();
    }

    /** The upstream's answer, relayed with its status. */
    public void answered(int upstreamStatus, long upstreamNanos) {
        this.upstreamStatus = upstreamStatus;
        this.status = upstreamStatus;
        this.upstreamNanos = upstreamNanos;
    }

    /** The gateway's own answer made of other calls' answers (a composite's), with its status. */
    public void composed(int status) {
        this.status = status;
    }

    /** The upstream's answer broke off while it was relayed. */
    public void brokenOff() {
        this.error = ErrorCode.UPSTREAM_UNAVAILABLE;
    }

    public void requestBody(Body body) {
        this.requestBody = body;
    }

    public long responseBytes() {
        return responseBytes;
    }

    /** Starts the digest of the body sent back. */
    public void responseStarts() {
        this.responseSha256 = Sha256.newDigest();
    }

    /** Bytes of the body sent back, counted and digested. */
    public void responded(byte[] bytes, int offset, int length) {
        responseBytes += length;
        responseSha256.update(bytes, offset, length);
    }

    /** The body of the gateway's own answer (a problem document), in place of anything counted before. */
    public void problem(byte[] body) {
        responseStarts();
        responseBytes = 0;
        responded(body, 0, body.length);
    }

    /** Whether the record was already offered to the trail (it is offered once, stored or not). */
    public boolean recordTried() {
        return recordTried;
    }

    /**
     * The call's record, as of now; marks the record tried.
     *
     * @param unrouted the masking for a call refused before its route was found
     */
    public TrailEntry entry(Masking unrouted) {
        recordTried = true;
        Masking m = masking != null ? masking : unrouted;
        Instant now = Instant.now();
        Route r = route;
        Caller who = caller;
        // the trail masks NIKs in the identifying fields again, whoever makes the entry
        return TrailEntry.call(requestAt).respondedAt(now)
                .correlationId(m.shapes(correlationId))
                .caller(who == null ? null : who.clientId(), who == null ? null : who.opd(),
                        userId == null ? null : m.shapes(userId))
                .route(r == null ? null : r.id(), r == null ? null : r.version(), r == null ? null : r.owner())
                .request(method, m.path(path), m.query(query))
                .answer(status, upstreamStatus, error == null ? null : error.name())
                .durations((System.nanoTime() - startNanos) / 1_000_000,
                        upstreamNanos == null ? null : upstreamNanos / 1_000_000)
                .requestBody(requestBody == null ? 0L : requestBody.count(),
                        requestBody == null ? null : requestBody.sha256())
                .responseBody(responseBytes, responseSha256 == null ? null : Sha256.hex(responseSha256))
                .parentCorrelationId(parentCorrelationId == null ? null : m.shapes(parentCorrelationId))
                .build();
    }
}
