package id.gerbang.security;

/** The bearer token is missing, malformed, badly signed, expired, or not meant for this gateway. */
public class InvalidTokenException extends RuntimeException {
    public InvalidTokenException(String message) {
        super(message);
    }

    public InvalidTokenException(String message, Throwable cause) {
        super(message, cause);
    }
}
