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

    /**
     * Headers describing the caller's body or the answer it wants, which a mediation step replaces: the
     * upstream gets another body, and the step must be able to read the answer (so no compression either).
     */
    private static final java.util.Set<String> REPLACED_BY_MEDIATION = java.util.Set.of(
            "content-type", "content-encoding", "content-language", "content-md5", "digest", "content-digest",
            "accept", "accept-encoding", "accept-charset", "soapaction");

    /**
     * The same call with the body a mediation step made of the caller's: the caller's headers describing
     * its own body or the answer it wants are replaced by {@code headers} (name to value).
     *
     * @param body the new body, or {@code null} for none
     */
    public ForwardRequest mediated(String newMethod, java.util.Map<String, String> newHeaders, byte[] body) {
        List<Header> kept = new java.util.ArrayList<>(headers.size() + newHeaders.size());
        for (Header h : headers) {
            if (!REPLACED_BY_MEDIATION.contains(h.getName().toLowerCase(java.util.Locale.ROOT))) {
                kept.add(h);
            }
        }
        newHeaders.forEach((name, value) -> kept.add(new org.apache.hc.core5.http.message.BasicHeader(name, value)));
        return new ForwardRequest(newMethod, rest, rawQuery, List.copyOf(kept),
                body == null ? null : new java.io.ByteArrayInputStream(body), body == null ? 0 : body.length);
    }

    /** Methods that may be sent twice without changing the outcome (RFC 9110 9.2.2). Never POST or PATCH. */
    private static final java.util.Set<String> IDEMPOTENT = java.util.Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");

    /** Whether a call with this method may be sent again (by the route's retries, or the client's one replay). */
    public static boolean isIdempotent(String method) {
        return IDEMPOTENT.contains(method);
    }
}

