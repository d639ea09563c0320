package id.gerbang.gateway.proxy;

import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.GatewayException;
import id.gerbang.routes.Route;
import java.io.InterruptedIOException;
import org.apache.hc.client5.http.ConnectTimeoutException;

/**
 * One attempt to reach a route's upstream failed before any answer came back: the connection was
 * refused or reset, the answer was not HTTP, or no answer came within the route's {@code timeoutMs}.
 * It counts as a failure of the upstream for the circuit breaker; an idempotent call is sent again
 * when it is {@link #retryable()}.
 */
public final class UpstreamFailure extends GatewayException {

    private final boolean retryable;

    /**
     * @param code      {@link ErrorCode#UPSTREAM_UNAVAILABLE} or {@link ErrorCode#UPSTREAM_TIMEOUT}
     * @param retryable whether sending the call again may help: after a connection failure or a connect
     *                  timeout, not after an upstream took the call and answered too slowly
     */
    public UpstreamFailure(ErrorCode code, String detail, boolean retryable) {
        super(code, detail);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }

    /**
     * What a failed forwarding step means for the caller: the caller's own request at fault (413 for its
     * body, 400 for a body that could not be read or a request that could not be formed), which is not the
     * upstream's failure and is neither counted by the circuit breaker nor retried; or the upstream's
     * ({@link UpstreamFailure}: 504 or 502). A {@link GatewayException} thrown by a step of the route keeps
     * its own code: a mediation step knows a SOAP fault or an answer that is not XML for what it is.
     */
    public static GatewayException classify(Throwable failure, Route route) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof GatewayException decided) {
                return decided; // a step of the route (mediation, say) has said already what the failure is
            }
            if (t instanceof PayloadTooLargeException) {
                return new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE,
                        "body larger than " + route.maxBodyBytes() + " bytes, the most route " + route.id() + " accepts");
            }
            if (t instanceof UnsendableRequestException) {
                return new GatewayException(ErrorCode.BAD_REQUEST, "the request cannot be forwarded: " + t.getMessage());
            }
            if (t instanceof CallerBodyException) {
                return new GatewayException(ErrorCode.BAD_REQUEST, "the request body could not be read");
            }
            if (t instanceof InterruptedIOException) {
                // a connect timeout never reached the upstream: sending again may help; a response timeout
                // reached an upstream that is slow, and a second call would only add to its load
                return new UpstreamFailure(ErrorCode.UPSTREAM_TIMEOUT,
                        "no answer from the upstream of route " + route.id() + " within " + route.timeoutMs() + " ms",
                        t instanceof ConnectTimeoutException);
            }
        }
        return new UpstreamFailure(ErrorCode.UPSTREAM_UNAVAILABLE,
                "the upstream of route " + route.id() + " could not be reached or gave no valid answer", true);
    }
}
