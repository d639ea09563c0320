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
        long contentLength) {}
