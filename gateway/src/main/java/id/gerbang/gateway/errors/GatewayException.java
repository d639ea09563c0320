package id.gerbang.gateway.errors;

/** A request the gateway refuses or cannot serve, with the code the caller will see. */
public class GatewayException extends RuntimeException {

    private final ErrorCode code;
    private final long retryAfterSeconds;
    private final String allow;

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
        this.allow = null;
    }

    private GatewayException(String detail, String allow) {
        super(detail, null, false, false);
        this.code = ErrorCode.METHOD_NOT_ALLOWED;
        this.retryAfterSeconds = -1;
        this.allow = allow;
    }

    /** 405 {@code METHOD_NOT_ALLOWED}, its answer's {@code Allow} header naming the methods that are served (RFC 9110 15.5.6). */
    public static GatewayException methodNotAllowed(String detail, java.util.Collection<String> allowed) {
        return new GatewayException(detail, String.join(", ", new java.util.TreeSet<>(allowed)));
    }

    /** The answer's {@code Allow} header, or {@code null} when it has none. */
    public String allow() {
        return allow;
    }

    /** Seconds the caller should wait before trying again ({@code Retry-After}), or -1 when the answer has none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public ErrorCode code() {
        return code;
    }
}
