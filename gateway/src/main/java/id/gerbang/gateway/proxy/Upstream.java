package id.gerbang.gateway.proxy;

import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.credentials.CallerAssertions;
import id.gerbang.gateway.tracing.CallTracing;
import id.gerbang.gateway.trail.CallRecord;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.List;
import org.apache.hc.core5.http.Header;
import org.apache.camel.Endpoint;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

/** Where the pipeline's calls to upstreams begin: one {@link UpstreamCall} per accepted {@code /api} call. */
@Component
public class Upstream {

    private final ProducerTemplate camel;
    private final long bufferBodiesUpTo;
    /**
     * Two relay buffers per request thread, reused call after call: a call runs on one thread from start
     * to end, and fresh buffers for every call would be most of the gateway's garbage.
     */
    private final ThreadLocal<byte[][]> buffers;

    private final CallerAssertions assertions;
    private final CallTracing tracing;

    public Upstream(ProducerTemplate camel, GerbangProperties properties, CallerAssertions assertions, CallTracing tracing) {
        this.camel = camel;
        this.assertions = assertions;
        this.tracing = tracing;
        int bufferSize = properties.proxy().bufferSize();
        this.buffers = ThreadLocal.withInitial(() -> new byte[][] {new byte[bufferSize], new byte[bufferSize]});
        this.bufferBodiesUpTo = properties.proxy().bufferBodiesUpTo();
    }

    /**
     * The call's way to the upstream, its request body read as {@link UpstreamCall} decides.
     *
     * @param endpoint the route's Camel endpoint
     * @param rest     the path after the route's prefix
     * @param mayRetry whether the route's policy may send this call again
     */
    public UpstreamCall open(HttpServletRequest request, CallRecord call, Endpoint endpoint, String rest, boolean mayRetry)
            throws IOException {
        return new UpstreamCall(camel, endpoint, request, call, rest, mayRetry, bufferBodiesUpTo, buffers.get(), assertions, tracing);
    }

    /**
     * What a part of a composite call sends: a GET without a body to {@code rest} and {@code rawQuery} below
     * the part's route, with the caller's headers filtered as for any call, its own correlation id, and none of
     * the caller's headers about bodies, encodings or conditions: the gateway reads the part's answer as JSON.
     * Made on the caller's request thread, which alone may read its headers.
     */
    public ForwardRequest partRequest(HttpServletRequest request, String correlationId, String clientId, String opd,
            String userId, String rest, String rawQuery) {
        List<Header> headers = ForwardHeaders.toUpstream(request, correlationId, clientId, opd, userId).stream()
                .filter(h -> !NOT_TO_PARTS.contains(h.getName().toLowerCase(java.util.Locale.ROOT)))
                .toList();
        return new ForwardRequest("GET", rest, rawQuery, headers, null, 0)
                .mediated("GET", java.util.Map.of("Accept", "application/json"), null);
    }

    /** Conditional and range headers: a part must answer whole, never 304 or 206. */
    private static final java.util.Set<String> NOT_TO_PARTS = java.util.Set.of("if-none-match", "if-match",
            "if-modified-since", "if-unmodified-since", "if-range", "range");

    /** A part of a composite call on its way to the part route's upstream, through that route's Camel route. */
    public UpstreamCall part(CallRecord call, Endpoint endpoint, ForwardRequest request) {
        return UpstreamCall.part(camel, endpoint, call, request, assertions);
    }
}
