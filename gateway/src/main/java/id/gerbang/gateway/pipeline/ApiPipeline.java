package id.gerbang.gateway.pipeline;

import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.GatewayException;
import id.gerbang.gateway.errors.Problems;
import id.gerbang.gateway.proxy.BoundedBody;
import id.gerbang.gateway.proxy.CallerBodyException;
import id.gerbang.gateway.proxy.ForwardRequest;
import id.gerbang.gateway.proxy.ForwardResponse;
import id.gerbang.gateway.proxy.PayloadTooLargeException;
import id.gerbang.gateway.registry.RouteRegistry;
import id.gerbang.gateway.trail.AuditTrail;
import id.gerbang.gateway.trail.CallRecord;
import id.gerbang.gateway.web.RawResponseHeaders;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteTable;
import id.gerbang.security.AccessPolicy;
import id.gerbang.security.Caller;
import id.gerbang.security.InvalidTokenException;
import id.gerbang.security.TokenAuthenticator;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.springframework.stereotype.Component;

/**
 * The request pipeline of {@code /api/**}, in one place. Every call passes these steps in this order:
 *
 * <ol>
 *   <li>correlate: keep the caller's {@code X-Correlation-Id} if sane, else make one ({@link GatewayFilter});
 *   <li>refuse hostile paths ({@link RequestPaths});
 *   <li>authenticate: the bearer token, verified ({@link TokenAuthenticator});
 *   <li>find the route: longest whole-segment path prefix ({@link RouteTable});
 *   <li>authorize: method and access list ({@link AccessPolicy});
 *   <li>limit: the declared body size against {@code maxBodyBytes};
 *   <li>forward: through the route's Camel route to the upstream, streaming both ways;
 *   <li>record: one record on the trail, whatever the outcome.
 * </ol>
 *
 * A step that refuses throws {@link GatewayException}; its code becomes the problem answer.
 */
@Component
public class ApiPipeline {

    static final String API_PREFIX = "/api";
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ApiPipeline.class);

    private final TokenAuthenticator authenticator;
    private final RouteRegistry registry;
    private final ProducerTemplate camel;
    private final AuditTrail trail;
    private final String node;
    private final int bufferSize;
    private final long bufferBodiesUpTo;

    public ApiPipeline(TokenAuthenticator authenticator, RouteRegistry registry, ProducerTemplate camel,
            AuditTrail trail, GerbangProperties properties, NodeName node) {
        this.authenticator = authenticator;
        this.registry = registry;
        this.camel = camel;
        this.trail = trail;
        this.node = node.value();
        this.bufferSize = properties.proxy().bufferSize();
        this.bufferBodiesUpTo = properties.proxy().bufferBodiesUpTo();
    }

    /** Mutable state of one call, gathered for its trail record. */
    private static final class Call {
        final Instant requestAt = Instant.now();
        final long startNanos = System.nanoTime();
        final String correlationId;
        final String method;
        final String path;
        final String query;
        Caller caller;
        String userId;
        Route route;
        int status;
        Integer upstreamStatus;
        ErrorCode error;
        Long upstreamNanos;
        BoundedBody requestBody;
        long responseBytes;

        Call(HttpServletRequest request, String correlationId) {
            this.correlationId = correlationId;
            this.method = request.getMethod();
            this.path = request.getRequestURI();
            this.query = request.getQueryString();
        }
    }

    public void handle(HttpServletRequest request, HttpServletResponse response, String correlationId)
            throws IOException {
        Call call = new Call(request, correlationId);
        try {
            refuseHostilePath(call.path, call.query);
            call.caller = authenticate(request, call);
            call.userId = userId(request);
            RouteTable.Match match = findRoute(call.path);
            call.route = match.route();
            authorize(call.caller, call.route, call.method);
            checkDeclaredLength(request, call.route);
            forward(request, response, call, match);
        } catch (GatewayException e) {
            call.error = e.code();
            call.status = e.code().status();
            if (e.code() == ErrorCode.INVALID_TOKEN) {
                response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            }
            Problems.write(response, e.code(), e.getMessage(), correlationId);
        } catch (RuntimeException e) {
            log.error("Call {} failed inside the gateway", correlationId, e);
            call.error = ErrorCode.INTERNAL_ERROR;
            call.status = ErrorCode.INTERNAL_ERROR.status();
            Problems.write(response, ErrorCode.INTERNAL_ERROR, "internal error", correlationId);
        } finally {
            trail.record(toRecord(call));
        }
    }

    private static void refuseHostilePath(String path, String query) {
        String refusal = RequestPaths.refusal(path);
        if (refusal != null) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "refused request path: " + refusal);
        }
        String queryRefusal = RequestPaths.rawCharacters(query);
        if (queryRefusal != null) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "refused query: " + queryRefusal);
        }
    }

    private Caller authenticate(HttpServletRequest request, Call call) {
        if (hasQueryToken(call.query)) {
            throw new GatewayException(ErrorCode.INVALID_TOKEN,
                    "tokens are accepted only in the Authorization header, never in the query string");
        }
        var headers = request.getHeaders("Authorization");
        String authorization = headers.hasMoreElements() ? headers.nextElement() : null;
        if (authorization == null) {
            throw new GatewayException(ErrorCode.INVALID_TOKEN, "no bearer token");
        }
        if (headers.hasMoreElements()) {
            throw new GatewayException(ErrorCode.INVALID_TOKEN, "more than one Authorization header");
        }
        if (authorization.length() < 8 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new GatewayException(ErrorCode.INVALID_TOKEN, "the Authorization header is not a bearer token");
        }
        try {
            return authenticator.authenticate(authorization.substring(7).trim());
        } catch (InvalidTokenException e) {
            throw new GatewayException(ErrorCode.INVALID_TOKEN, e.getMessage());
        }
    }

    /** Whether any query parameter is named {@code access_token}, however encoded ({@code %61ccess_token}, {@code access_token[]}). */
    static boolean hasQueryToken(String query) {
        if (query == null) {
            return false;
        }
        for (String param : query.split("[&;]")) {
            int eq = param.indexOf('=');
            String name = RequestPaths.decodeFully(eq < 0 ? param : param.substring(0, eq)).toLowerCase(java.util.Locale.ROOT);
            if (name.equals("access_token") || name.startsWith("access_token[")) {
                return true;
            }
        }
        return false;
    }

    private static String userId(HttpServletRequest request) {
        String userId = request.getHeader(ForwardHeaders.USER_ID);
        if (userId != null && !ForwardHeaders.isSaneUserId(userId)) {
            throw new GatewayException(ErrorCode.BAD_REQUEST,
                    "X-User-Id must be 1 to 256 printable characters without spaces, quotes, commas or backslashes");
        }
        return userId;
    }

    private RouteTable.Match findRoute(String path) {
        RouteTable.Match match = registry.table().match(path.substring(API_PREFIX.length()));
        if (match == null) {
            throw new GatewayException(ErrorCode.ROUTE_NOT_FOUND, "no route serves " + path);
        }
        return match;
    }

    private static void authorize(Caller caller, Route route, String method) {
        switch (AccessPolicy.decide(caller, route, method)) {
            case ALLOWED -> { }
            case METHOD_NOT_ALLOWED -> throw new GatewayException(ErrorCode.METHOD_NOT_ALLOWED,
                    "route " + route.id() + " does not serve " + method);
            case DENIED -> throw new GatewayException(ErrorCode.ACCESS_DENIED,
                    "client " + caller.clientId() + " may not call " + method + " on route " + route.id());
        }
    }

    private static void checkDeclaredLength(HttpServletRequest request, Route route) {
        if (request.getContentLengthLong() > route.maxBodyBytes()) {
            throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE,
                    "body of " + request.getContentLengthLong() + " bytes; route " + route.id() + " accepts at most "
                            + route.maxBodyBytes());
        }
    }

    private void forward(HttpServletRequest request, HttpServletResponse response, Call call, RouteTable.Match match)
            throws IOException {
        Route route = match.route();
        Endpoint endpoint = registry.endpoint(route);
        long length = request.getContentLengthLong();
        boolean hasBody = length > 0 || request.getHeader("Transfer-Encoding") != null;
        InputStream body = null;
        if (hasBody) {
            call.requestBody = new BoundedBody(request.getInputStream(), route.maxBodyBytes());
            body = call.requestBody;
            if (length < 0 && route.maxBodyBytes() <= bufferBodiesUpTo) {
                // no declared length, and a small limit: read it all first, so that a body over the limit
                // is refused before the upstream hears of the call
                body = new ByteArrayInputStream(readWhole(call.requestBody, route));
                length = call.requestBody.count();
            }
        }
        ForwardRequest forward = new ForwardRequest(call.method, match.rest(), call.query,
                ForwardHeaders.toUpstream(request, call.correlationId, call.caller.clientId(), call.caller.opd(),
                        call.userId),
                body, hasBody ? length : 0);

        Exchange exchange = endpoint.createExchange();
        exchange.getMessage().setBody(forward);
        camel.send(endpoint, exchange);
        if (exchange.getException() != null) {
            Throwable failure = call.requestBody != null && call.requestBody.failure() != null
                    ? call.requestBody.failure() : exchange.getException();
            throw upstreamFailure(failure, route);
        }
        try (ForwardResponse upstream = exchange.getMessage().getBody(ForwardResponse.class)) {
            call.upstreamNanos = upstream.upstreamNanos();
            relay(upstream, response, call);
        }
    }

    private static byte[] readWhole(BoundedBody body, Route route) {
        try {
            return body.readAllBytes();
        } catch (IOException e) {
            throw upstreamFailure(e, route);
        }
    }

    private void relay(ForwardResponse upstream, HttpServletResponse response, Call call) throws IOException {
        ClassicHttpResponse answer = upstream.response();
        if (answer.containsHeader("Transfer-Encoding") && answer.containsHeader("Content-Length")) {
            // two framings: which one a client believes decides where the answer ends (RFC 9112 6.3)
            throw new GatewayException(ErrorCode.UPSTREAM_UNAVAILABLE,
                    "the upstream of route " + call.route.id() + " gave an answer with both Content-Length and Transfer-Encoding");
        }
        call.upstreamStatus = answer.getCode();
        call.status = answer.getCode();
        response.setStatus(answer.getCode());
        Set<String> connectionNamed = Set.of();
        for (Header h : answer.getHeaders("Connection")) {
            if (connectionNamed.isEmpty()) {
                connectionNamed = new HashSet<>();
            }
            ForwardHeaders.addTokens(h.getValue(), connectionNamed);
        }
        for (Header h : answer.getHeaders()) {
            if (!ForwardHeaders.isReturned(h.getName(), connectionNamed)) {
                continue;
            }
            if (h.getName().equalsIgnoreCase("Date")) {
                response.setHeader("Date", h.getValue()); // the upstream's, instead of a second one of ours
            } else {
                RawResponseHeaders.add(response, h.getName(), h.getValue());
            }
        }
        InputStream body = upstream.body();
        if (body == null) {
            return;
        }
        ServletOutputStream out = response.getOutputStream();
        byte[] buffer = new byte[bufferSize];
        int n;
        while (true) {
            try {
                n = body.read(buffer);
            } catch (IOException e) {
                // the head is already on its way to the caller: the only honest signal left is to cut the
                // connection, so that a truncated body cannot pass for a complete one
                call.error = ErrorCode.UPSTREAM_UNAVAILABLE;
                throw new IOException("upstream body broke off after " + call.responseBytes + " bytes", e);
            }
            if (n < 0) {
                break;
            }
            out.write(buffer, 0, n);
            call.responseBytes += n;
            if (body.available() == 0) {
                out.flush();
            }
        }
        upstream.complete();
    }

    private static GatewayException upstreamFailure(Throwable failure, Route route) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PayloadTooLargeException) {
                return new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE,
                        "body larger than " + route.maxBodyBytes() + " bytes, the most route " + route.id() + " accepts");
            }
            if (t instanceof CallerBodyException) {
                return new GatewayException(ErrorCode.BAD_REQUEST, "the request body could not be read");
            }
            if (t instanceof InterruptedIOException) {
                return new GatewayException(ErrorCode.UPSTREAM_TIMEOUT,
                        "no answer from the upstream of route " + route.id() + " within " + route.timeoutMs() + " ms");
            }
        }
        return new GatewayException(ErrorCode.UPSTREAM_UNAVAILABLE,
                "the upstream of route " + route.id() + " could not be reached or gave no valid answer");
    }

    private CallRecord toRecord(Call c) {
        long now = System.nanoTime();
        Route r = c.route;
        Caller who = c.caller;
        return new CallRecord(node, c.requestAt, Instant.now(), c.correlationId,
                who == null ? null : who.clientId(), who == null ? null : who.opd(), c.userId,
                r == null ? null : r.id(), r == null ? null : r.version(), r == null ? null : r.owner(),
                c.method, c.path, c.query, c.status, c.upstreamStatus, c.error == null ? null : c.error.name(),
                (now - c.startNanos) / 1_000_000, c.upstreamNanos == null ? null : c.upstreamNanos / 1_000_000,
                c.requestBody == null ? 0 : c.requestBody.count(), c.responseBytes);
    }
}
