package id.gerbang.gateway.pipeline;

import id.gerbang.gateway.context.UserIds;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.GatewayException;
import id.gerbang.gateway.errors.Problems;
import id.gerbang.gateway.policy.RateLimits;
import id.gerbang.gateway.policy.RoutePolicy;
import id.gerbang.gateway.policy.TrafficPolicies;
import id.gerbang.gateway.proxy.ForwardResponse;
import id.gerbang.gateway.proxy.Upstream;
import id.gerbang.gateway.proxy.UpstreamCall;
import id.gerbang.gateway.registry.RouteRegistry;
import id.gerbang.gateway.tracing.CallTracing;
import id.gerbang.gateway.trail.AuditTrail;
import id.gerbang.gateway.trail.CallRecord;
import id.gerbang.gateway.trail.Masking;
import id.gerbang.gateway.trail.RecordedProblems;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteTable;
import id.gerbang.security.AccessPolicy;
import id.gerbang.security.BearerTokens;
import id.gerbang.security.Caller;
import id.gerbang.security.InvalidTokenException;
import id.gerbang.security.TokenAuthenticator;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The request pipeline of {@code /api/**}: {@link #handle} is the order of the steps, and every call passes
 * them in that order. Each step is one line there; what it does lives with its concern: request paths
 * ({@link RequestPaths}), bearer tokens ({@link BearerTokens}), routes ({@link RouteRegistry}), access
 * ({@link AccessPolicy}), rate limits ({@link RateLimits}), resilience ({@link RoutePolicy}), the upstream
 * call and the relay of its answer ({@link UpstreamCall}), or a composite's parts ({@link Composite}), the
 * call's record ({@link CallRecord}, {@link RecordedProblems}). The correlation id was given by {@link GatewayFilter} before.
 *
 * <p>A step that refuses throws {@link GatewayException}; its code becomes the problem answer, after the
 * call's record is stored.
 *
 * <p>When tracing is on ({@link CallTracing}), the call is a server span, and the token check, the access
 * decision, the rate limit, the way to the upstream (each attempt a span of its own) and the trail's record
 * are its child spans.
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
    /**
     * Set to {@code true} on every answer a mock route made from its OpenAPI document, so that a calling
     * application cannot take a mock's answer for the upstream's (docs/routes.md, "Mock routes").
     */
    public static final String MOCK_HEADER = "X-Gerbang-Mock";
    private static final Logger log = LoggerFactory.getLogger(ApiPipeline.class);

    private final TokenAuthenticator authenticator;
    private final RouteRegistry registry;
    private final AuditTrail trail;
    private final TrafficPolicies policies;
    private final RateLimits rateLimits;
    private final Upstream upstream;
    private final CallMetrics metrics;
    private final Composite composite;
    private final CallTracing tracing;

    ApiPipeline(TokenAuthenticator authenticator, RouteRegistry registry, AuditTrail trail,
            TrafficPolicies policies, RateLimits rateLimits, Upstream upstream, CallMetrics metrics, Composite composite,
            CallTracing tracing) {
        this.authenticator = authenticator;
        this.registry = registry;
        this.trail = trail;
        this.policies = policies;
        this.rateLimits = rateLimits;
        this.upstream = upstream;
        this.metrics = metrics;
        this.composite = composite;
        this.tracing = tracing;
    }

    public void handle(HttpServletRequest request, HttpServletResponse response, String correlationId)
            throws IOException {
        CallRecord call = new CallRecord(request, correlationId);
        RouteRegistry.Lease lease = null;
        CallTracing.Step traced = tracing.call(call.method());       // the call's server span, when tracing is on
        try {
            refuseUnreasonable(call);                                 // method, length of the target
            refuseHostile(call);                                      // dot segments, encodings, tokens in the query
            call.caller(tracing.step("gerbang.token", () -> authenticate(request))); // the bearer token, verified
            call.userId(userId(request));                             // X-User-Id, when sane
            lease = findRoute(call.path());                           // longest path prefix, held until done
            call.route(lease.route(), lease.masking());
            tracing.step("gerbang.access", () -> authorize(call, call.route())); // method, then access list
            checkDeclaredLength(request, lease.route());              // Content-Length against maxBodyBytes
            tracing.step("gerbang.rate-limit", () -> rateLimits.spend(call.route(), call.caller().clientId())); // one budget across all nodes
            requireTrail();                                           // no upstream acts on an unrecordable call
            if (lease.route().composite()) {
                composite.answer(request, response, call, lease);     // each part as a call of its own; merged
            } else {
                forward(request, response, call, lease);              // bulkhead, breaker, retries; relay, record
            }
        } catch (GatewayException e) {
            refuse(response, call, e);
        } catch (IOException e) {
            // the answer had begun (an upstream body broke off, the caller went away): record what happened
            // unless a record was already tried; the connection is cut by rethrowing
            if (!call.recordTried()) {
                record(call);
            }
            throw e;
        } catch (RuntimeException e) {
            log.error("Call {} failed inside the gateway", correlationId, e);
            refuse(response, call, new GatewayException(ErrorCode.INTERNAL_ERROR, "internal error"));
        } finally {
            if (lease != null) {
                lease.close(); // a route replaced or deleted meanwhile is removed once its last call is done
            }
            metrics.record(call.route() == null ? null : call.route().id(),
                    call.caller() == null ? null : call.caller().clientId(), call.status(),
                    call.error() == null ? null : call.error().name(), System.nanoTime() - call.startNanos());
            if (log.isDebugEnabled()) {
                log.debug("Call on route {} by {}: {} {} in {} ms", call.route() == null ? "-" : call.route().id(),
                        call.caller() == null ? "-" : call.caller().clientId(), call.status(),
                        call.error() == null ? "-" : call.error().name(), (System.nanoTime() - call.startNanos()) / 1_000_000);
            }
            if (traced.on()) {
                endTrace(traced, call);
            }
        }
    }

    /**
     * Names the call's server span after its route and tags it with what is no one's personal data: the
     * route and its owner, the calling application and its OPD, the status and the gateway's error code.
     */
    private static void endTrace(CallTracing.Step traced, CallRecord call) {
        try (traced) {
            if (call.route() != null) {
                traced.route(call.route().id()).tag("gerbang.route.owner", call.route().owner());
            }
            if (call.caller() != null) {
                traced.tag("gerbang.client", call.caller().clientId()).tag("gerbang.client.opd", call.caller().opd());
            }
            traced.tag("gerbang.correlation_id", call.correlationId()).status(call.status()).refused(call.error());
        }
    }

    /**
     * Refuses, before anything else is done with it, a request no route can serve and the trail could not
     * keep whole: a method outside {@link #METHODS} (methods are case-sensitive), a target beyond
     * {@link #MAX_TARGET}. Its record stores the method and path cut to their columns ({@code StoredFields}).
     */
    private static void refuseUnreasonable(CallRecord call) {
        if (!METHODS.contains(call.method())) {
            throw new GatewayException(ErrorCode.BAD_REQUEST,
                    "refused method: an /api call uses one of " + String.join(", ", new TreeSet<>(METHODS)));
        }
        long target = call.path().length() + (call.query() == null ? 0L : call.query().length() + 1L);
        if (target > MAX_TARGET) {
            throw new GatewayException(ErrorCode.BAD_REQUEST,
                    "refused request target of " + target + " characters: at most " + MAX_TARGET);
        }
    }

    private static void refuseHostile(CallRecord call) {
        String refusal = RequestPaths.refusal(call.path());
        if (refusal != null) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "refused request path: " + refusal);
        }
        String queryRefusal = RequestPaths.queryRefusal(call.query());
        if (queryRefusal != null) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "refused query: " + queryRefusal);
        }
        if (RequestPaths.hasQueryToken(call.query())) {
            throw new GatewayException(ErrorCode.INVALID_TOKEN,
                    "tokens are accepted only in the Authorization header, never in the query string");
        }
    }

    private Caller authenticate(HttpServletRequest request) {
        try {
            return authenticator.authenticate(BearerTokens.only(request.getHeaders("Authorization")));
        } catch (InvalidTokenException e) {
            throw new GatewayException(ErrorCode.INVALID_TOKEN, e.getMessage());
        }
    }

    private static String userId(HttpServletRequest request) {
        String userId = request.getHeader(UserIds.HEADER);
        if (userId != null && !UserIds.isSane(userId)) {
            throw new GatewayException(ErrorCode.BAD_REQUEST,
                    "X-User-Id must be 1 to 256 printable characters without spaces, quotes, commas or backslashes");
        }
        return userId;
    }

    private RouteRegistry.Lease findRoute(String path) {
        RouteRegistry.Lease lease = registry.acquire(path.substring(API_PREFIX.length()));
        if (lease == null) {
            throw new GatewayException(ErrorCode.ROUTE_NOT_FOUND, "no route serves " + path);
        }
        return lease;
    }

    static void authorize(CallRecord call, Route route) {
        switch (AccessPolicy.decide(call.caller(), route, call.method())) {
            case ALLOWED -> { }
            case METHOD_NOT_ALLOWED -> throw GatewayException.methodNotAllowed(
                    "route " + route.id() + " does not serve " + call.method(), route.methods());
            case DENIED -> throw new GatewayException(ErrorCode.ACCESS_DENIED,
                    "client " + call.caller().clientId() + " may not call " + call.method() + " on route " + route.id());
        }
    }

    private static void checkDeclaredLength(HttpServletRequest request, Route route) {
        if (request.getContentLengthLong() > route.maxBodyBytes()) {
            throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE,
                    "body of " + request.getContentLengthLong() + " bytes; route " + route.id() + " accepts at most "
                            + route.maxBodyBytes());
        }
    }

    /** An upstream must not act on a call that cannot be recorded: while the store is failing, refuse first. */
    private void requireTrail() {
        if (!trail.available()) {
            throw new GatewayException(ErrorCode.AUDIT_UNAVAILABLE, RecordedProblems.UNAVAILABLE);
        }
    }

    /** A place in the route's bulkhead; each attempt through its breaker, retried when it allows; the relay. */
    private void forward(HttpServletRequest request, HttpServletResponse response, CallRecord call,
            RouteRegistry.Lease lease) throws IOException {
        RoutePolicy policy = policies.of(lease.route());
        try (CallTracing.Step traced = tracing.step("gerbang.upstream"); RoutePolicy.Permit inFlight = policy.enter()) {
            if (lease.route().mock()) {
                response.setHeader(MOCK_HEADER, "true"); // a refusal after this resets it (Problems.write)
            }
            try {
                UpstreamCall upstreamCall = upstream.open(request, call, lease.endpoint(), lease.rest(), policy.retries(call.method()));
                try (ForwardResponse answer = policy.call(call.method(), upstreamCall.replayable(), upstreamCall::attempt)) {
                    upstreamCall.relay(answer, response, () -> record(call));
                }
            } catch (GatewayException e) {
                traced.refused(e.code());
                throw e;
            }
        }
    }

    /** Answers with the refusal after its record is stored, or 503 AUDIT_UNAVAILABLE when it cannot be. */
    private void refuse(HttpServletResponse response, CallRecord call, GatewayException refusal) throws IOException {
        call.refused(refusal.code());
        if (call.recordTried()) {
            Problems.write(response, refusal, call.correlationId());
            return;
        }
        call.problem(Problems.json(refusal.code(), refusal.getMessage(), call.correlationId()).getBytes(StandardCharsets.UTF_8));
        try (CallTracing.Step traced = tracing.step("gerbang.trail")) {
            call.refused(RecordedProblems.refuse(() -> trail.record(call.entry(unroutedMasking(call))), response, refusal,
                    call.correlationId()));
        }
    }

    /** Stores the call's record; {@code false} when the trail cannot take it. */
    private boolean record(CallRecord call) {
        try (CallTracing.Step traced = tracing.step("gerbang.trail")) {
            return RecordedProblems.stored(() -> trail.record(call.entry(unroutedMasking(call))), call.correlationId());
        }
    }

    /**
     * The masking for a call refused before its route was found: the masking of the route its path leads
     * to (a 401 on a route that masks e-mail addresses must not store them either). A call that found its
     * route is masked with that route's masking, not looked up again.
     */
    private Masking unroutedMasking(CallRecord call) {
        if (call.masking() != null) {
            return call.masking();
        }
        if (call.path().startsWith(API_PREFIX) && RequestPaths.refusal(call.path()) == null) {
            RouteTable.Match match = registry.table().match(call.path().substring(API_PREFIX.length()));
            if (match != null) {
                return registry.masking(match.route());
            }
        }
        return Masking.DEFAULT;
    }
}
