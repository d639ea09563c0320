package id.gerbang.gateway.proxy;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;

/**
 * An upstream's answer, still open: its body is read as it is written back to the caller, never
 * buffered whole. Whoever receives it must {@link #close()} it.
 */
public final class ForwardResponse implements Closeable {

    private final HttpUriRequestBase request;
    private final ClassicHttpResponse response;
    private final long upstreamNanos;

    ForwardResponse(HttpUriRequestBase request, ClassicHttpResponse response, long upstreamNanos) {
        this.request = request;
        this.response = response;
        this.upstreamNanos = upstreamNanos;
    }

    /**
     * An answer no upstream gave: made by a step of the route itself, as a mock route's answer is made from
     * its OpenAPI document.
     *
     * @param contentType the body's type; ignored when {@code body} is {@code null}
     * @param body        the body, or {@code null} for none
     * @param madeNanos   how long making it took, recorded as the upstream's time
     */
    public static ForwardResponse made(int status, String contentType, byte[] body, long madeNanos) {
        BasicClassicHttpResponse answer = new BasicClassicHttpResponse(status);
        if (body != null) {
            answer.setEntity(new ByteArrayEntity(body, ContentType.parse(contentType)));
            answer.setHeader("Content-Type", contentType);
        }
        return new ForwardResponse(null, answer, madeNanos);
    }

    /**
     * The same call's answer with another status and body, as a mediation step makes it of the upstream's
     * answer (which it has read and closed): no header of the upstream's is kept, since they described the
     * body it replaces; the time to the upstream's answer is kept.
     *
     * @param body the new body, or {@code null} for none
     */
    public ForwardResponse replacedBy(int status, String contentType, byte[] body) {
        BasicClassicHttpResponse other = new BasicClassicHttpResponse(status);
        if (body != null) {
            other.setEntity(new ByteArrayEntity(body, ContentType.parse(contentType)));
            other.setHeader("Content-Type", contentType);
        }
        return new ForwardResponse(request, other, upstreamNanos);
    }

    /** The first value of a header of the answer, or {@code null}. */
    public String header(String name) {
        Header h = response.getFirstHeader(name);
        return h == null ? null : h.getValue();
    }

    public ClassicHttpResponse response() {
        return response;
    }

    /** The upstream's status code. */
    public int status() {
        return response.getCode();
    }

    /** Time from sending the request to receiving the answer's head. */
    public long upstreamNanos() {
        return upstreamNanos;
    }

    /** The body, or {@code null} when the answer has none. */
    public InputStream body() throws IOException {
        HttpEntity entity = response.getEntity();
        return entity == null ? null : entity.getContent();
    }

    /** Marks the body fully relayed, so that the connection can be reused. */
    public void complete() throws IOException {
        EntityUtils.consume(response.getEntity());
    }

    /**
     * Releases the connection; when the body was not fully relayed (the caller went away, say), the
     * connection is dropped rather than drained.
     */
    @Override
    public void close() {
        try {
            HttpEntity entity = response.getEntity();
            if (entity != null && entity.isStreaming() && request != null) {
                request.cancel();
            }
            response.close();
        } catch (IOException ignored) {
            // the connection is gone either way
        }
    }
}
