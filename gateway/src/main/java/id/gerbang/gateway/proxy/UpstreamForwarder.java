package id.gerbang.gateway.proxy;

import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.routes.Route;
import java.net.URI;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.net.URIAuthority;

/**
 * The forwarding step of one route's Camel route: sends the {@link ForwardRequest} in the exchange body
 * to the route's upstream and leaves the still-open {@link ForwardResponse} as the body. The rest of the
 * path and the query are appended exactly as the caller sent them, never decoded and re-encoded.
 *
 * <p>The request's scheme, host and port are the route's, set apart from its path: the target is never
 * parsed as a URI, where a rest beginning with {@code //} would read as another authority and become the
 * upstream's {@code Host}. A target that cannot be sent as it came is refused before anything is sent
 * ({@link UnsendableRequestException}).
 */
public final class UpstreamForwarder implements Processor {

    private final CloseableHttpClient client;
    private final UpstreamAuth auth;
    /** Why the route's upstream cannot be called from this node (its TLS secrets are unusable), or {@code null}. */
    private final String unusable;
    private final String routeId;
    private final HttpHost host;
    /** The route's upstream URL: only a base for each request, whose scheme, authority and path are set apart. */
    private final URI upstream;
    private final String basePath;
    private final RequestConfig requestConfig;

    /** A forwarder without credentials, on the shared client. */
    public UpstreamForwarder(UpstreamClient client, Route route) {
        this(client.client(), route, UpstreamAuth.NONE, null);
    }

    UpstreamForwarder(CloseableHttpClient client, Route route, UpstreamAuth auth, String unusable) {
        this.client = client;
        this.auth = auth;
        this.unusable = unusable;
        this.routeId = route.id();
        this.upstream = route.upstream();
        this.host = new HttpHost(upstream.getScheme(), upstream.getHost(), upstream.getPort());
        this.basePath = upstream.getRawPath() == null ? "" : upstream.getRawPath();
        this.requestConfig = UpstreamClient.requestConfig(route.timeoutMs());
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        ForwardRequest in = exchange.getMessage().getBody(ForwardRequest.class);
        exchange.getMessage().setBody(forward(in));
    }

    ForwardResponse forward(ForwardRequest in) throws Exception {
        if (unusable != null) {
            throw new UpstreamFailure(ErrorCode.UPSTREAM_UNAVAILABLE,
                    "the upstream of route " + routeId + " cannot be called from this node: " + unusable, false);
        }
        HttpUriRequestBase request = new HttpUriRequestBase(in.method(), upstream);
        request.setScheme(host.getSchemeName());
        request.setAuthority(new URIAuthority(host));
        request.setPath(target(in));
        for (Header h : in.headers()) {
            request.addHeader(h);
        }
        String sent = auth.apply(request);
        if (in.body() != null) {
            // the caller's Content-Type is among the forwarded headers already
            request.setEntity(new CallerBodyEntity(in.body(), in.contentLength(), 8192, request::cancel));
        }
        HttpClientContext context = HttpClientContext.create();
        context.setRequestConfig(requestConfig);
        long start = System.nanoTime();
        ClassicHttpResponse response = client.executeOpen(host, request, context);
        auth.answered(response.getCode(), sent);
        return new ForwardResponse(request, response, System.nanoTime() - start);
    }

    /** The request target as sent: the route's base path, then the caller's rest and query, exactly as given. */
    private String target(ForwardRequest in) {
        String path = basePath + in.rest();
        String refusal = RequestTarget.pathRefusal(in.rest());
        if (refusal == null) {
            refusal = RequestTarget.queryRefusal(in.rawQuery());
        }
        if (refusal != null) {
            throw new UnsendableRequestException(refusal);
        }
        if (path.isEmpty()) {
            path = "/";
        }
        return in.rawQuery() == null ? path : path + '?' + in.rawQuery();
    }
}
