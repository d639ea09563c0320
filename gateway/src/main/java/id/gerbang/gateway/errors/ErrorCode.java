package id.gerbang.gateway.errors;

/**
 * The closed catalogue of the gateway's own errors (docs/errors.md). Each answers as
 * {@code application/problem+json} with its code, and with the header {@code X-Gerbang-Error}.
 */
public enum ErrorCode {
    BAD_REQUEST(400, "Bad request"),
    INVALID_TOKEN(401, "Invalid or missing token"),
    ACCESS_DENIED(403, "Access denied"),
    ROUTE_NOT_FOUND(404, "No route serves this path"),
    RECORD_NOT_FOUND(404, "No such record"),
    METHOD_NOT_ALLOWED(405, "Method not allowed"),
    CHECKPOINT_PENDING(409, "No checkpoint covers the record yet"),
    PRECONDITION_FAILED(412, "Precondition failed"),
    PAYLOAD_TOO_LARGE(413, "Payload too large"),
    RATE_LIMITED(429, "Rate limit exceeded"),
    INTERNAL_ERROR(500, "Internal gateway error"),
    MOCK_NO_EXAMPLE(501, "The mock has no example to answer with"),
    UPSTREAM_UNAVAILABLE(502, "Upstream unavailable"),
    UPSTREAM_FAULT(502, "Upstream fault"),
    CIRCUIT_OPEN(503, "Circuit open"),
    UPSTREAM_BUSY(503, "Upstream busy"),
    AUDIT_UNAVAILABLE(503, "Audit trail unavailable"),
    REGISTRY_UNAVAILABLE(503, "Route registry unavailable"),
    UPSTREAM_TIMEOUT(504, "Upstream timeout");

    private final int status;
    private final String title;

    ErrorCode(int status, String title) {
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /**
     * The code for an error status that no pipeline step chose: one the web server or Spring answered
     * by itself (a malformed request, a missing role, an unknown non-{@code /api} path).
     */
    public static ErrorCode forStatus(int status) {
        return switch (status) {
            case 401 -> INVALID_TOKEN;
            case 403 -> ACCESS_DENIED;
            case 404 -> ROUTE_NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 412 -> PRECONDITION_FAILED;
            case 413 -> PAYLOAD_TOO_LARGE;
            case 429 -> RATE_LIMITED;
            default -> status >= 500 ? INTERNAL_ERROR : BAD_REQUEST;
        };
    }

    /** The problem type URI of this code. */
    public String type() {
        return "urn:gerbang:error:" + name();
    }
}
