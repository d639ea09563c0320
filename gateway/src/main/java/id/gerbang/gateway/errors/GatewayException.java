package id.gerbang.gateway.errors;

/** A request the gateway refuses or cannot serve, with the code the caller will see. */
public class GatewayException extends RuntimeException {

    private final ErrorCode code;
    private final long retryAfterSeconds;

    public GatewayException(ErrorCode code, String detail) {
        this(code, detail, null, -1);
    }

    public GatewayException(ErrorCode code, String detail, Throwable cause) {
        this(code, detail, cause, -1);
    }

    /** @param retryAfterSeconds the answer's {@code Retry-After}, or -1 for none */
    public GatewayException(ErrorCode code, String detail, Throwable cause, long retryAfterSeconds) {
        super(detail, cause, false, false);
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Seconds the caller should wait before trying again ({@code Retry-After}), or -1 when the answer has none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public ErrorCode code() {
        return code;
    }
}
