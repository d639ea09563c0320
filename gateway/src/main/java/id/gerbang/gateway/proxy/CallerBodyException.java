package id.gerbang.gateway.proxy;

import java.io.IOException;

/** Reading the caller's body failed: the caller's fault, not the upstream's. */
public class CallerBodyException extends IOException {
    public CallerBodyException(String message, Throwable cause) {
        super(message, cause);
    }
}
