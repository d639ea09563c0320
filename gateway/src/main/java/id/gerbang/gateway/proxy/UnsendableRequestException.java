package id.gerbang.gateway.proxy;

/**
 * The caller's request cannot be formed into an upstream request as it came (its target holds a character
 * that must be percent-encoded, say): found before a byte is sent, the caller's fault, not the upstream's.
 */
public class UnsendableRequestException extends IllegalArgumentException {
    public UnsendableRequestException(String message) {
        super(message);
    }
}
