package id.gerbang.gateway.proxy;

import java.io.InputStream;
import java.util.List;
import org.apache.hc.core5.http.Header;

/**
 * What the pipeline hands to a route's forwarding step.
 *
 * @param method        the caller's method
 * @param rest          the raw request path below the route's path ({@code ""} or {@code "/..."})
 * @param rawQuery      the raw query string, or {@code null}
 * @param headers       the headers to send, already filtered by {@code ForwardHeaders}
 * @param body          the caller's body, or {@code null} when the request has none
 * @param contentLength the body's declared length, or -1 when it is chunked
 */
public record ForwardRequest(String method, String rest, String rawQuery, List<Header> headers, InputStream body,
        long contentLength) {

    /** Methods that may be sent twice without changing the outcome (RFC 9110 9.2.2). Never POST or PATCH. */
    private static final java.util.Set<String> IDEMPOTENT = java.util.Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");

    /** Whether a call with this method may be sent again (by the route's retries, or the client's one replay). */
    public static boolean isIdempotent(String method) {
        return IDEMPOTENT.contains(method);
    }
}

