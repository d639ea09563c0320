package id.gerbang.gateway.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import id.gerbang.gateway.context.CorrelationIds;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.GatewayException;
import id.gerbang.gateway.errors.Problems;
import id.gerbang.gateway.integration.Composition;
import id.gerbang.gateway.policy.RateLimits;
import id.gerbang.gateway.policy.RoutePolicy;
import id.gerbang.gateway.policy.TrafficPolicies;
import id.gerbang.gateway.proxy.ForwardRequest;
import id.gerbang.gateway.proxy.ForwardResponse;
import id.gerbang.gateway.proxy.Upstream;
import id.gerbang.gateway.proxy.UpstreamCall;
import id.gerbang.gateway.registry.RouteRegistry;
import id.gerbang.gateway.trail.AuditTrail;
import id.gerbang.gateway.trail.CallRecord;
import id.gerbang.gateway.trail.Masking;
import id.gerbang.gateway.trail.RecordedProblems;
import id.gerbang.routes.PartTargets;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The last step of a composite route's call (docs/routes.md, "Composition"): the caller's path segments as
 * the composite's params, one GET per part through the composition route of the integration bus
 * ({@link Composition}, the parts in parallel), and the merged answer. Each part is a call of its own to
 * its own route: found by id, the caller's own access checked (a composite never lends access), the
 * route's rate limit spent, its bulkhead, breaker, retries and timeout, the header rules of any call, and
 * a record of its own with {@code parentCorrelationId}; its answer is read whole, no further than its
 * route's {@code maxBodyBytes}, and must be JSON.
 */
@Component
class Composite implements AutoCloseable {

    /** Threads that run parts; when all are busy, the request thread runs its parts itself. */
    static final int PART_THREADS = 64;
    static final String PART_THREAD = "gerbang-part-";
    /** The gateway's codes that a failed part passes on to the whole call with {@code partial: fail}, as they are. */
    private static final Set<ErrorCode> PASSED_ON = Set.of(ErrorCode.ACCESS_DENIED, ErrorCode.RATE_LIMITED,
            ErrorCode.CIRCUIT_OPEN, ErrorCode.UPSTREAM_BUSY, ErrorCode.UPSTREAM_TIMEOUT, ErrorCode.UPSTREAM_UNAVAILABLE,
            ErrorCode.UPSTREAM_FAULT, ErrorCode.AUDIT_UNAVAILABLE, ErrorCode.INTERNAL_ERROR);
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Logger log = LoggerFactory.getLogger(Composite.class);

    /** One part of one composite call; what it came to is filled in by the thread that ran it. */
    static final class Task {
        final int index;
        final RouteDefinition.Part part;
        final CallRecord parent;
        final Masking parentMasking;
        final String correlationId;
        final ForwardRequest request;
        volatile GatewayException refusal;
        volatile boolean stored;
        /** Whether the part's route is a mock: then so is the composite's answer ({@code X-Gerbang-Mock}). */
        volatile boolean mock;

        Task(int index, RouteDefinition.Part part, CallRecord parent, Masking parentMasking, String correlationId,
                ForwardRequest request) {
            this.index = index;
            this.part = part;
            this.parent = parent;
            this.parentMasking = parentMasking;
            this.correlationId = correlationId;
            this.request = request;
        }
    }

    private final ProducerTemplate camel;
    private final Endpoint endpoint;
    private final RouteRegistry registry;
    private final AuditTrail trail;
    private final TrafficPolicies policies;
    private final RateLimits rateLimits;
    private final Upstream upstream;
    private final CallMetrics metrics;
    private final ThreadPoolExecutor parts;

    Composite(CamelContext context, ProducerTemplate camel, RouteRegistry registry, AuditTrail trail,
            TrafficPolicies policies, RateLimits rateLimits, Upstream upstream, CallMetrics metrics) throws Exception {
        this.camel = camel;
        this.registry = registry;
        this.trail = trail;
        this.policies = policies;
        this.rateLimits = rateLimits;
        this.upstream = upstream;
        this.metrics = metrics;
        AtomicInteger n = new AtomicInteger();
        this.parts = new ThreadPoolExecutor(0, PART_THREADS, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, PART_THREAD + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
        Composition.add(context, this::part, parts);
        this.endpoint = context.getEndpoint(Composition.ENDPOINT);
    }

    /** Calls the parts of the composite the lease holds, and answers with their merged answers. */
    void answer(HttpServletRequest request, HttpServletResponse response, CallRecord call, RouteRegistry.Lease lease)
            throws IOException {
        Route route = lease.route();
        RouteDefinition.Compose compose = route.definition().compose();
        Map<String, String> values;
        try {
            values = PartTargets.params(compose, lease.rest());
        } catch (PartTargets.Refused e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "route " + route.id() + ": " + e.getMessage());
        }
        try (RoutePolicy.Permit inFlight = policies.of(route).enter()) {
            List<Task> tasks = new ArrayList<>(compose.parts().size());
            for (RouteDefinition.Part part : compose.parts()) {
                String cid = CorrelationIds.create();
                tasks.add(new Task(tasks.size(), part, call, lease.masking(), cid, upstream.partRequest(request, cid,
                        call.caller().clientId(), call.caller().opd(), call.userId(), PartTargets.path(part, values),
                        PartTargets.query(part, values))));
            }
            Exchange exchange = endpoint.createExchange();
            exchange.getMessage().setBody(tasks);
            camel.send(endpoint, exchange);
            if (exchange.getException() != null) {
                throw new IllegalStateException("the composition route failed", exchange.getException());
            }
            Composition.Merged merged = exchange.getMessage().getBody(Composition.Merged.class);
            if (tasks.stream().anyMatch(t -> !t.stored)) {
                throw new GatewayException(ErrorCode.AUDIT_UNAVAILABLE, RecordedProblems.UNAVAILABLE);
            }
            if (!merged.failed().isEmpty() && !compose.allowsPartial()) {
                throw failure(route, tasks.get(merged.failed().get(0).index()));
            }
            byte[] body = JSON.writeValueAsBytes(merged.json());
            call.composed(200);
            call.responseStarts();
            call.responded(body, 0, body.length);
            if (!RecordedProblems.stored(() -> trail.record(call.entry(lease.masking())), call.correlationId())) {
                throw new GatewayException(ErrorCode.AUDIT_UNAVAILABLE, RecordedProblems.UNAVAILABLE);
            }
            response.setStatus(200);
            if (tasks.stream().anyMatch(t -> t.mock)) {
                response.setHeader(ApiPipeline.MOCK_HEADER, "true"); // part of it is made up
            }
            response.setContentType("application/json");
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }
    }

    /**
     * The whole call's refusal when a part failed and the composite allows no partial answer: the part's own
     * code when it says something of the caller's standing or of the upstream's state, else 502
     * UPSTREAM_UNAVAILABLE (the part's upstream answered an error status, or not JSON, or its route is gone).
     */
    private static GatewayException failure(Route route, Task failed) {
        GatewayException cause = failed.refusal;
        ErrorCode code = PASSED_ON.contains(cause.code()) ? cause.code() : ErrorCode.UPSTREAM_UNAVAILABLE;
        return new GatewayException(code, "part " + failed.part.name() + " of route " + route.id() + " (route "
                + failed.part.route() + ", correlation id " + failed.correlationId + "): " + cause.getMessage(), null,
                cause.retryAfterSeconds());
    }

    /** The part step of the composition route: one {@link Task} in, its {@link Composition.PartAnswer} out. */
    private void part(Exchange exchange) {
        Task task = exchange.getMessage().getBody(Task.class);
        exchange.getMessage().setBody(call(task));
    }

    private Composition.PartAnswer call(Task t) {
        RouteRegistry.Lease lease = registry.acquireById(t.part.route());
        Route route = lease == null ? null : lease.route();
        CallRecord part = CallRecord.part(t.parent, t.correlationId, "GET",
                route == null ? t.parent.path() : ApiPipeline.API_PREFIX + route.path() + t.request.rest(),
                t.request.rawQuery());
        JsonNode json = null;
        try {
            if (route == null) {
                throw new GatewayException(ErrorCode.UPSTREAM_UNAVAILABLE, "route " + t.part.route() + " is not served");
            }
            part.route(route, lease.masking());
            t.mock = route.mock();
            if (route.composite()) {
                throw new GatewayException(ErrorCode.UPSTREAM_UNAVAILABLE, "route " + route.id()
                        + " is a composite: the parts of a composite are routes with an upstream");
            }
            ApiPipeline.authorize(part, route);
            rateLimits.spend(route, part.caller().clientId());
            if (!trail.available()) {
                throw new GatewayException(ErrorCode.AUDIT_UNAVAILABLE, RecordedProblems.UNAVAILABLE);
            }
            RoutePolicy policy = policies.of(route);
            byte[] body;
            try (RoutePolicy.Permit inFlight = policy.enter()) {
                UpstreamCall upstreamCall = upstream.part(part, lease.endpoint(), t.request);
                try (ForwardResponse answer = policy.call("GET", true, upstreamCall::attempt)) {
                    body = upstreamCall.readWhole(answer, route.maxBodyBytes());
                }
            }
            if (part.status() < 200 || part.status() > 299) {
                t.refusal = new GatewayException(ErrorCode.UPSTREAM_UNAVAILABLE,
                        "the upstream of route " + route.id() + " answered " + part.status());
            } else {
                json = parse(body, route);
            }
        } catch (GatewayException e) {
            t.refusal = e;
            part.refused(e.code());
            if (part.responseBytes() == 0) { // refused before the upstream answered: its record digests the refusal
                part.problem(Problems.json(e.code(), e.getMessage(), t.correlationId).getBytes(StandardCharsets.UTF_8));
            }
        } catch (RuntimeException e) {
            log.error("Part {} ({}) of call {} failed inside the gateway", t.part.name(), t.correlationId,
                    t.parent.correlationId(), e);
            t.refusal = new GatewayException(ErrorCode.INTERNAL_ERROR, "internal error");
            part.refused(ErrorCode.INTERNAL_ERROR);
        } finally {
            if (lease != null) {
                lease.close();
            }
        }
        t.stored = RecordedProblems.stored(() -> trail.record(part.entry(t.parentMasking)), t.correlationId);
        metrics.record(route == null ? null : route.id(), part.caller().clientId(), part.status(),
                part.error() == null ? null : part.error().name(), System.nanoTime() - part.startNanos());
        if (t.refusal == null) {
            return new Composition.PartAnswer(t.index, t.part.name(), json, false);
        }
        return new Composition.PartAnswer(t.index, t.part.name(), summary(part, t), true);
    }

    /** What a failed part contributes under its name: its status, the gateway's code if any, why, and its record. */
    private static ObjectNode summary(CallRecord part, Task t) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("status", part.status());
        if (part.error() != null) {
            s.put("code", part.error().name());
        }
        s.put("detail", t.refusal.getMessage());
        s.put("correlationId", t.correlationId);
        return s;
    }

    /** A part's answer as JSON: one JSON value and nothing after it. */
    private static JsonNode parse(byte[] body, Route route) {
        try {
            JsonNode json = body.length == 0 ? null : JSON.readTree(body);
            if (json != null && !json.isMissingNode()) {
                return json;
            }
        } catch (JsonProcessingException e) {
            // not JSON: refused below
        } catch (IOException e) {
            throw new IllegalStateException("reading bytes in memory failed", e);
        }
        throw new GatewayException(ErrorCode.UPSTREAM_UNAVAILABLE, "the upstream of route " + route.id()
                + " answered with a body that is not JSON");
    }

    @Override
    public void close() {
        parts.shutdownNow();
    }
}
