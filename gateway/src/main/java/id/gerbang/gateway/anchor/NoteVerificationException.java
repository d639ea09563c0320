package id.gerbang.gateway.anchor;

/** A signed note that no trusted key vouches for, or that a trusted key's signature does not match. */
public class NoteVerificationException extends RuntimeException {

    public NoteVerificationException(String message) {
        super(message);
    }
}
