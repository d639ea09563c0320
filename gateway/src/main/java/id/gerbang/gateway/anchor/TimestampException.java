package id.gerbang.gateway.anchor;

/** No valid RFC 3161 timestamp: the TSA could not be reached, refused, or answered something that does not verify. */
public class TimestampException extends RuntimeException {

    public TimestampException(String message) {
        super(message);
    }

    public TimestampException(String message, Throwable cause) {
        super(message, cause);
    }
}
