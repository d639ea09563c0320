package id.gerbang.gateway.proxy;

import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.routes.UpstreamPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.pool.PoolReusePolicy;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The one HTTP client every route forwards with: a connection pool sized explicitly (a library default
 * of a handful of connections per host would throttle the whole gateway), and none of a browser-like
 * client's helpfulness: no retries (a POST must never be sent twice; the only exception is an idempotent
 * call on a connection the upstream had silently closed, see {@link StaleConnectionRetry}), no redirects followed
 * (they go back to the caller), no transparent decompression (bodies pass through unchanged), no cookies,
 * and never a connection to a link-local or cloud metadata address, whatever DNS says.
 * Timeouts are set per route on each request.
 */
@Component
public class UpstreamClient implements DisposableBean {

    private final GerbangProperties.Proxy settings;
    private final PoolingHttpClientConnectionManager pool;
    private final CloseableHttpClient client;
    /** Clients of routes with their own TLS settings ({@code upstream.tls}), by what they trust and present. */
    private final Map<String, CloseableHttpClient> tlsClients = new ConcurrentHashMap<>();
    private final List<PoolingHttpClientConnectionManager> tlsPools = new CopyOnWriteArrayList<>();

    public UpstreamClient(GerbangProperties properties) {
        this.settings = properties.proxy();
        this.pool = pool(settings, null);
        this.client = client(settings, pool);
    }

    private static PoolingHttpClientConnectionManager pool(GerbangProperties.Proxy p, SSLContext tls) {
        PoolingHttpClientConnectionManagerBuilder builder = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(p.maxConnections())
                .setMaxConnPerRoute(p.maxConnectionsPerUpstream())
                .setPoolConcurrencyPolicy(PoolConcurrencyPolicy.LAX)
                .setConnPoolPolicy(PoolReusePolicy.LIFO)
                .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).build())
                .setDnsResolver(new SystemDefaultDnsResolver() {
                    @Override
                    public InetAddress[] resolve(String host) throws UnknownHostException {
                        return resolveAllowed(host);
                    }
                })
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setTimeToLive(TimeValue.ofMinutes(5))
                        .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                        .build());
        if (tls != null) {
            builder.setTlsSocketStrategy(ClientTlsStrategyBuilder.create().setSslContext(tls).buildClassic());
        }
        return builder.build();
    }

    private static CloseableHttpClient client(GerbangProperties.Proxy p, PoolingHttpClientConnectionManager pool) {
        return HttpClients.custom()
                .setConnectionManager(pool)
                .setRetryStrategy(new StaleConnectionRetry())
                .disableRedirectHandling()
                .disableContentCompression()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableConnectionState()
                .evictExpiredConnections()
                .evictIdleConnections(TimeValue.of(p.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                .build();
    }

    /**
     * A client like the shared one but with its own pool and TLS context (a private CA, a client
     * certificate), shared by every route with the same TLS material.
     *
     * @param key what identifies the material (a digest of it): a route whose secrets change gets a new client
     */
    CloseableHttpClient tlsClient(String key, java.util.function.Supplier<SSLContext> context) {
        return tlsClients.computeIfAbsent(key, k -> {
            PoolingHttpClientConnectionManager tlsPool = pool(settings, context.get());
            tlsPools.add(tlsPool);
            return client(settings, tlsPool);
        });
    }

    /**
     * Re-sends a call once, on a new connection, when a pooled connection turns out to have been closed
     * by the upstream (no answer at all came back) and the method is idempotent. Never anything else:
     * no status-based retries, nothing for POST or PATCH, nothing for a body that cannot be replayed.
     * The route's own {@code retries} policy is separate from this transport-level repair.
     */
    static final class StaleConnectionRetry implements org.apache.hc.client5.http.HttpRequestRetryStrategy {

        @Override
        public boolean retryRequest(org.apache.hc.core5.http.HttpRequest request, IOException exception, int execCount,
                org.apache.hc.core5.http.protocol.HttpContext context) {
            boolean replayable = !(request instanceof org.apache.hc.core5.http.ClassicHttpRequest classic)
                    || classic.getEntity() == null || classic.getEntity().isRepeatable();
            return execCount == 1 && exception instanceof org.apache.hc.core5.http.NoHttpResponseException
                    && ForwardRequest.isIdempotent(request.getMethod()) && replayable;
        }

        @Override
        public boolean retryRequest(org.apache.hc.core5.http.HttpResponse response, int execCount,
                org.apache.hc.core5.http.protocol.HttpContext context) {
            return false;
        }

        @Override
        public TimeValue getRetryInterval(org.apache.hc.core5.http.HttpResponse response, int execCount,
                org.apache.hc.core5.http.protocol.HttpContext context) {
            return TimeValue.ZERO_MILLISECONDS;
        }
    }

    /**
     * Resolves an upstream host, refusing link-local and cloud metadata addresses: a route's host was
     * checked when the route was validated, but DNS may answer differently now.
     */
    static InetAddress[] resolveAllowed(String host) throws UnknownHostException {
        InetAddress[] addresses = SystemDefaultDnsResolver.INSTANCE.resolve(host);
        for (InetAddress a : addresses) {
            if (UpstreamPolicy.isNeverAllowed(a)) {
                throw new UnknownHostException(host + " resolves to a link-local or metadata address; refused");
            }
        }
        return addresses;
    }

    CloseableHttpClient client() {
        return client;
    }

    /** Connect, pool-wait and response timeouts for one route. */
    @SuppressWarnings("deprecation") // per-request connect timeout: still honoured, and routes differ
    static org.apache.hc.client5.http.config.RequestConfig requestConfig(int timeoutMs) {
        Timeout t = Timeout.ofMilliseconds(timeoutMs);
        return org.apache.hc.client5.http.config.RequestConfig.custom()
                .setConnectTimeout(t)
                .setConnectionRequestTimeout(t)
                .setResponseTimeout(t)
                .setRedirectsEnabled(false)
                .setExpectContinueEnabled(false)
                .build();
    }

    @Override
    public void destroy() throws IOException {
        for (CloseableHttpClient c : tlsClients.values()) {
            c.close();
        }
        for (PoolingHttpClientConnectionManager p : tlsPools) {
            p.close();
        }
        client.close();
        pool.close();
    }
}
