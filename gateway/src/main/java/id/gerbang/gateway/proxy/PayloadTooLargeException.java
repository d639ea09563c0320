package id.gerbang.gateway.proxy;

import java.io.IOException;

/** The caller's body grew beyond the route's {@code maxBodyBytes} while it was being relayed. */
public class PayloadTooLargeException extends IOException {
    public PayloadTooLargeException(long limit) {
        super("body larger than " + limit + " bytes");
    }
}
