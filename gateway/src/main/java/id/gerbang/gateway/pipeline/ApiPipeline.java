package id.gerbang.gateway.pipeline;

import id.gerbang.gateway.context.UserIds;
import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.GatewayException;
import id.gerbang.gateway.errors.Problems;
import id.gerbang.gateway.proxy.ForwardHeaders;
import id.gerbang.gateway.policy.RateLimits;
import id.gerbang.gateway.policy.RoutePolicy;
import id.gerbang.gateway.policy.TrafficPolicies;
import id.gerbang.gateway.proxy.BoundedBody;
import id.gerbang.gateway.proxy.ForwardRequest;
import id.gerbang.gateway.proxy.ForwardResponse;
import id.gerbang.gateway.proxy.UpstreamFailure;
import id.gerbang.gateway.registry.RouteRegistry;
import id.gerbang.gateway.trail.AuditTrail;
import id.gerbang.gateway.trail.Masking;
import id.gerbang.gateway.trail.TrailEntry;
import id.gerbang.gateway.trail.TrailUnavailableException;
import id.gerbang.gateway.trail.Sha256;
import java.security.MessageDigest;
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
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
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
 *   <li>refuse unreasonable requests: a method outside {@link #METHODS}, a request target longer than
 *       {@link #MAX_TARGET} characters;
 *   <li>refuse hostile paths ({@link RequestPaths});
 *   <li>authenticate: the bearer token, verified ({@link TokenAuthenticator});
 *   <li>find the route: longest whole-segment path prefix ({@link RouteTable});
 *   <li>authorize: method and access list ({@link AccessPolicy});
 *   <li>limit: the declared body size against {@code maxBodyBytes}, then the client's rate limit on the
 *       route, one budget across all nodes ({@link RateLimits});
 *   <li>forward, with the route's resilience ({@link RoutePolicy}): a place in its bulkhead, then each
 *       attempt through its circuit breaker and the route's Camel route to the upstream, retried when the
 *       policy allows; the answer streams back while the place is held;
 *   <li>record: one record on the trail, whatever the outcome, committed before the answer is complete.
 * </ol>
 *
 * A step that refuses throws {@link GatewayException}; its code becomes the problem answer.
 */
@Component
public class ApiPipeline {

    static final String API_PREFIX = "/api";
    /** The methods an {@code /api} call may use: those of RFC 9110 (section 9.3) and PATCH (RFC 5789). */
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
    /**
     * The longest request target (path, {@code ?} and query) an {@code /api} call may have, in characters:
     * the 8,000 octets RFC 9110 (section 4.1) asks every party to support, and well within what the trail
     * stores of a path (8,192) even after masking.
     */
    static final int MAX_TARGET = 8000;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ApiPipeline.class);

    private final TokenAuthenticator authenticator;
    private final RouteRegistry registry;
    private final ProducerTemplate camel;
    private final AuditTrail trail;
    private final TrafficPolicies policies;
    private final RateLimits rateLimits;
    private final CallMetrics metrics;
    private final long bufferBodiesUpTo;
    /**
     * Two relay buffers per request thread, reused call after call: a call runs on one thread from start
     * to end, and fresh buffers for every call would be most of the gateway's garbage.
     */
    private final ThreadLocal<byte[][]> buffers;

    public ApiPipeline(TokenAuthenticator authenticator, RouteRegistry registry, ProducerTemplate camel,
            AuditTrail trail, TrafficPolicies policies, RateLimits rateLimits, CallMetrics metrics,
            GerbangProperties properties) {
        this.authenticator = authenticator;
        this.registry = registry;
        this.camel = camel;
        this.trail = trail;
        this.policies = policies;
        this.rateLimits = rateLimits;
        this.metrics = metrics;
        int bufferSize = properties.proxy().bufferSize();
        this.buffers = ThreadLocal.withInitial(() -> new byte[][] {new byte[bufferSize], new byte[bufferSize]});
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
        MessageDigest responseSha256;
        boolean recordTried;

        Call(HttpServletRequest request, String correlationId) {
            this.correlationId = correlationId;
            this.method = request.getMethod();
            this.path = request.getRequestURI();
            this.query = request.getQueryString();
        }

        TrailEntry toEntry(Masking masking) {
            Instant now = Instant.now();
            Route r = route;
            Caller who = caller;
            // every field the caller wrote is masked with the route's masking (the trail masks NIKs in
            // the identifying fields again, whoever makes the entry)
            return new TrailEntry(TrailEntry.Kind.CALL, requestAt, now, masking.shapes(correlationId),
                    who == null ? null : who.clientId(), who == null ? null : who.opd(),
                    userId == null ? null : masking.shapes(userId),
                    r == null ? null : r.id(), r == null ? null : r.version(), r == null ? null : r.owner(),
                    method, masking.path(path), masking.query(query), status, upstreamStatus,
                    error == null ? null : error.name(), (System.nanoTime() - startNanos) / 1_000_000,
                    upstreamNanos == null ? null : upstreamNanos / 1_000_000,
                    requestBody == null ? 0L : requestBody.count(), responseBytes,
                    requestBody == null ? null : requestBody.sha256(),
                    responseSha256 == null ? null : Sha256.hex(responseSha256), null);
        }
    }

    public void handle(HttpServletRequest request, HttpServletResponse response, String correlationId)
            throws IOException {
        Call call = new Call(request, correlationId);
        RouteRegistry.Lease lease = null;
        try {
            refuseUnreasonable(call.method, call.path, call.query);
            refuseHostilePath(call.path, call.query);
            call.caller = authenticate(request, call);
            call.userId = userId(request);
            lease = findRoute(call.path);
            call.route = lease.route();
            authorize(call.caller, call.route, call.method);
            checkDeclaredLength(request, call.route);
            rateLimits.spend(call.route, call.caller.clientId());
            requireTrail();
            forward(request, response, call, lease);
        } catch (GatewayException e) {
            refuse(response, call, e.code(), e.getMessage(), e.retryAfterSeconds());
        } catch (IOException e) {
            // the answer had begun (an upstream body broke off, the caller went away): record what happened
            // unless a record was already tried; the connection is cut by rethrowing
            if (!call.recordTried) {
                record(call);
            }
            throw e;
        } catch (RuntimeException e) {
            log.error("Call {} failed inside the gateway", correlationId, e);
            refuse(response, call, ErrorCode.INTERNAL_ERROR, "internal error", -1);
        } finally {
            if (lease != null) {
                lease.close(); // a route replaced or deleted meanwhile is removed once its last call is done
            }
            metrics.record(call.route == null ? null : call.route.id(), call.caller == null ? null : call.caller.clientId(),
                    call.status, call.error == null ? null : call.error.name(), System.nanoTime() - call.startNanos);
        }
    }

    /**
     * Answers with a gateway error, after its record is stored. When the trail cannot take the record the
     * answer is 503 AUDIT_UNAVAILABLE instead: nothing the gateway decides goes unrecorded.
     */
    private void refuse(HttpServletResponse response, Call call, ErrorCode code, String detail, long retryAfterSeconds)
            throws IOException {
        call.error = code;
        call.status = code.status();
        if (!call.recordTried) {
            byte[] problem = Problems.json(code, detail, call.correlationId).getBytes(StandardCharsets.UTF_8);
            call.responseBytes = problem.length;
            call.responseSha256 = Sha256.newDigest();
            call.responseSha256.update(problem);
            if (!record(call) && code != ErrorCode.AUDIT_UNAVAILABLE) {
                code = ErrorCode.AUDIT_UNAVAILABLE;
                detail = "the request trail cannot be written; the gateway refuses rather than serve unaudited";
                retryAfterSeconds = -1;
                call.error = code;
                call.status = code.status();
            }
        }
        Problems.write(response, code, detail, call.correlationId, retryAfterSeconds);
    }

    /**
     * The masking of the route the path leads to, even when the call was refused before its route was
     * looked up (a 401 on a route that masks e-mail addresses must not store them either).
     */
    private Masking masking(Call call) {
        Route route = call.route;
        if (route == null && call.path.startsWith(API_PREFIX) && RequestPaths.refusal(call.path) == null) {
            RouteTable.Match match = registry.table().match(call.path.substring(API_PREFIX.length()));
            route = match == null ? null : match.route();
        }
        return route == null ? Masking.DEFAULT : registry.masking(route);
    }

    /** Stores the call's record; {@code false} when the trail cannot take it. */
    private boolean record(Call call) {
        call.recordTried = true;
        try {
            trail.record(call.toEntry(masking(call)));
            return true;
        } catch (TrailUnavailableException e) {
            log.warn("Call {} not recorded: {}", call.correlationId, e.getMessage());
            return false;
        }
    }

    /**
     * Refuses, before anything else is done with it, a request no route can serve and the trail could not
     * keep whole: a method outside {@link #METHODS} (methods are case-sensitive), a target beyond
     * {@link #MAX_TARGET}. Its record stores the method and path cut to their columns ({@code StoredFields}).
     */
    private static void refuseUnreasonable(String method, String path, String query) {
        if (!METHODS.contains(method)) {
            throw new GatewayException(ErrorCode.BAD_REQUEST,
                    "refused method: an /api call uses one of " + String.join(", ", new java.util.TreeSet<>(METHODS)));
        }
        long target = path.length() + (query == null ? 0L : query.length() + 1L);
        if (target > MAX_TARGET) {
            throw new GatewayException(ErrorCode.BAD_REQUEST,
                    "refused request target of " + target + " characters: at most " + MAX_TARGET);
        }
    }

    private static void refuseHostilePath(String path, String query) {
        String refusal = RequestPaths.refusal(path);
        if (refusal != null) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "refused request path: " + refusal);
        }
        String queryRefusal = RequestPaths.queryRefusal(query);
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

    /**
     * Whether any query parameter is named {@code access_token}, however encoded ({@code %61ccess_token},
     * {@code access_token[]}), or under a name PHP reads as {@code access_token} ({@code access.token},
     * {@code access+token}, {@code access%20token}, {@code access[token}, {@code access_token%00x}).
     */
    static boolean hasQueryToken(String query) {
        if (query == null) {
            return false;
        }
        for (String param : query.split("[&;]")) {
            int eq = param.indexOf('=');
            String name = phpName(eq < 0 ? param : param.substring(0, eq));
            if (name.equals("access_token") || name.startsWith("access_token[") || name.replace('[', '_').equals("access_token")) {
                return true;
            }
        }
        return false;
    }

    /**
     * A query parameter's name as PHP reads it, lower-cased: decoded ({@code +} is a space), cut at a NUL,
     * leading spaces dropped, spaces and dots turned into {@code _} (an unmatched {@code [} too, checked by
     * the caller).
     */
    private static String phpName(String rawName) {
        String name = RequestPaths.decodeFully(rawName.replace('+', ' ')).toLowerCase(java.util.Locale.ROOT);
        int nul = name.indexOf('\0');
        return (nul < 0 ? name : name.substring(0, nul)).stripLeading().replace(' ', '_').replace('.', '_');
    }

    private static String userId(HttpServletRequest request) {
        String userId = request.getHeader(UserIds.HEADER);
        if (userId != null && !UserIds.isSane(userId)) {
            throw new GatewayException(ErrorCode.BAD_REQUEST,
                    "X-User-Id must be 1 to 256 printable characters without spaces, quotes, commas or backslashes");
        }
        return userId;
    }

    /** The route serving the path, held until the call is done. */
    private RouteRegistry.Lease findRoute(String path) {
        RouteRegistry.Lease lease = registry.acquire(path.substring(API_PREFIX.length()));
        if (lease == null) {
            throw new GatewayException(ErrorCode.ROUTE_NOT_FOUND, "no route serves " + path);
        }
        return lease;
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

    /** An upstream must not act on a call that cannot be recorded: while the store is failing, refuse first. */
    private void requireTrail() {
        if (!trail.available()) {
            throw new GatewayException(ErrorCode.AUDIT_UNAVAILABLE,
                    "the request trail cannot be written; the gateway refuses rather than serve unaudited");
        }
    }

    private static void checkDeclaredLength(HttpServletRequest request, Route route) {
        if (request.getContentLengthLong() > route.maxBodyBytes()) {
            throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE,
                    "body of " + request.getContentLengthLong() + " bytes; route " + route.id() + " accepts at most "
                            + route.maxBodyBytes());
        }
    }

    private void forward(HttpServletRequest request, HttpServletResponse response, Call call, RouteRegistry.Lease match)
            throws IOException {
        Route route = match.route();
        Endpoint endpoint = match.endpoint();
        RoutePolicy policy = policies.of(route);
        try (RoutePolicy.Permit inFlight = policy.enter()) {
            long length = request.getContentLengthLong();
            boolean hasBody = length > 0 || request.getHeader("Transfer-Encoding") != null;
            InputStream streamed = null;
            byte[] whole = null;
            if (hasBody) {
                call.requestBody = new BoundedBody(request.getInputStream(), route.maxBodyBytes());
                // read it all first when there is no declared length and the limit is small (a body over the
                // limit is then refused before the upstream hears of the call), or when the call may be
                // re-sent: a body streamed once cannot be sent again
                boolean buffer = length < 0 ? route.maxBodyBytes() <= bufferBodiesUpTo
                        : policy.retries(call.method) && length <= bufferBodiesUpTo;
                if (buffer) {
                    whole = readWhole(call.requestBody, route);
                    length = whole.length;
                } else {
                    streamed = call.requestBody;
                }
            }
            List<Header> headers = ForwardHeaders.toUpstream(request, call.correlationId,
                    call.caller.clientId(), call.caller.opd(), call.userId);
            long bodyLength = hasBody ? length : 0;
            byte[] replay = whole;
            InputStream once = streamed;
            ForwardResponse upstream = policy.call(call.method, !hasBody || replay != null, () -> attempt(endpoint, call,
                    new ForwardRequest(call.method, match.rest(), call.query, headers,
                            replay != null ? new ByteArrayInputStream(replay) : once, bodyLength)));
            try (upstream) {
                call.upstreamNanos = upstream.upstreamNanos();
                relay(upstream, response, call);
            }
        }
    }

    /** One attempt at the upstream through the route's Camel route: its open answer, or why there is none. */
    private ForwardResponse attempt(Endpoint endpoint, Call call, ForwardRequest forward) {
        Exchange exchange = endpoint.createExchange();
        exchange.getMessage().setBody(forward);
        camel.send(endpoint, exchange);
        if (exchange.getException() != null) {
            Throwable failure = call.requestBody != null && call.requestBody.failure() != null
                    ? call.requestBody.failure() : exchange.getException();
            throw UpstreamFailure.classify(failure, call.route);
        }
        return exchange.getMessage().getBody(ForwardResponse.class);
    }

    private static byte[] readWhole(BoundedBody body, Route route) {
        try {
            return body.readAllBytes();
        } catch (IOException e) {
            throw UpstreamFailure.classify(e, route);
        }
    }

    /**
     * Relays the upstream's answer while keeping the audit guarantee: the last piece of the body is held
     * back until the call's record is committed. An answer that fits in one buffer (most do) is read
     * whole first, so that if the trail fails the caller still gets a clean 503 AUDIT_UNAVAILABLE; a
     * longer one streams, and if the trail fails at its end the connection is cut before the last piece,
     * so the caller never holds a complete, unrecorded answer.
     */
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
        copyHeaders(answer, response);

        InputStream body = upstream.body();
        ServletOutputStream out = null;
        byte[][] pair = buffers.get();
        byte[] held = pair[0];
        int heldLength = -1;
        if (body != null) {
            call.responseSha256 = Sha256.newDigest();
            heldLength = fill(body, held, call);
            byte[] next = pair[1];
            while (heldLength >= 0) {
                int nextLength = readUpstream(body, next, call);
                if (nextLength < 0) {
                    break;
                }
                if (out == null) {
                    out = response.getOutputStream();
                }
                out.write(held, 0, heldLength);
                if (body.available() == 0) {
                    out.flush();
                }
                byte[] swap = held;
                held = next;
                next = swap;
                heldLength = nextLength;
            }
        }
        if (!record(call)) {
            if (out == null) {
                throw new GatewayException(ErrorCode.AUDIT_UNAVAILABLE,
                        "the request trail cannot be written; the gateway refuses rather than serve unaudited");
            }
            throw new IOException("the request trail cannot be written: the answer is cut off before its end");
        }
        if (heldLength > 0) {
            if (out == null) {
                out = response.getOutputStream();
            }
            out.write(held, 0, heldLength);
        }
        upstream.complete();
    }

    private static void copyHeaders(ClassicHttpResponse answer, HttpServletResponse response) {
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
    }

    /** Reads until the buffer is full or the body ends: a short answer is then in hand whole. */
    private static int fill(InputStream body, byte[] buffer, Call call) throws IOException {
        int total = 0;
        while (total < buffer.length) {
            int n = readUpstream(body, buffer, total, buffer.length - total, call);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
        }
        return total;
    }

    private static int readUpstream(InputStream body, byte[] buffer, Call call) throws IOException {
        return readUpstream(body, buffer, 0, buffer.length, call);
    }

    private static int readUpstream(InputStream body, byte[] buffer, int offset, int length, Call call)
            throws IOException {
        int n;
        try {
            n = body.read(buffer, offset, length);
        } catch (IOException e) {
            // once the head may be on its way, the only honest signal left is to cut the connection, so
            // that a truncated body cannot pass for a complete one
            call.error = ErrorCode.UPSTREAM_UNAVAILABLE;
            throw new IOException("upstream body broke off after " + call.responseBytes + " bytes", e);
        }
        if (n > 0) {
            call.responseBytes += n;
            call.responseSha256.update(buffer, offset, n);
        }
        return n;
    }

}
