package id.gerbang.gateway.proxy;

import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.credentials.CallerAssertions;
import id.gerbang.gateway.trail.CallRecord;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
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

    public Upstream(ProducerTemplate camel, GerbangProperties properties, CallerAssertions assertions) {
        this.camel = camel;
        this.assertions = assertions;
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
        return new UpstreamCall(camel, endpoint, request, call, rest, mayRetry, bufferBodiesUpTo, buffers.get(), assertions);
    }
}
