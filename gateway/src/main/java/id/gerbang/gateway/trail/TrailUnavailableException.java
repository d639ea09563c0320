package id.gerbang.gateway.trail;

/** The trail cannot store a record now: the gateway refuses to serve rather than serve unaudited. */
public class TrailUnavailableException extends RuntimeException {
    public TrailUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
