package id.gerbang.gateway.errors;

/** A request the gateway refuses or cannot serve, with the code the caller will see. */
public class GatewayException extends RuntimeException {

    private final ErrorCode code;

    public GatewayException(ErrorCode code, String detail) {
        super(detail, null, false, false);
        this.code = code;
    }

    public GatewayException(ErrorCode code, String detail, Throwable cause) {
        super(detail, cause, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
