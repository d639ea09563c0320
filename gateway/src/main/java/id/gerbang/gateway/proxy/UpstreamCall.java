package id.gerbang.gateway.proxy;

import id.gerbang.gateway.credentials.CallerAssertions;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.GatewayException;
import id.gerbang.gateway.tracing.CallTracing;
import id.gerbang.gateway.trail.CallRecord;
import id.gerbang.gateway.trail.RecordedProblems;
import id.gerbang.gateway.web.RawResponseHeaders;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;

/**
 * One accepted {@code /api} call on its way to the upstream and back: its request body (read whole first,
 * or streamed), each {@link #attempt()} through the route's Camel route, and the {@link #relay} of the
 * answer with its last piece held back until the call's record is stored. The route's policy (bulkhead,
 * breaker, retries) wraps the attempts; the pipeline puts the two together.
 */
public final class UpstreamCall {

    private final ProducerTemplate camel;
    private final Endpoint endpoint;
    private final CallRecord call;
    private final byte[][] buffers;
    private final BoundedBody body;
    private final ForwardRequest request;
    private final byte[] whole;
    /** Signs the caller assertion when the route asks for one ({@code upstream.callerAssertion}), else {@code null}. */
    private final CallerAssertions assertions;
    /** A span per attempt, whose context the upstream gets as its {@code traceparent}, when tracing is on. */
    private final CallTracing tracing;
    private int attempts;

    UpstreamCall(ProducerTemplate camel, Endpoint endpoint, HttpServletRequest servletRequest, CallRecord call,
            String rest, boolean mayRetry, long bufferBodiesUpTo, byte[][] buffers) throws IOException {
        this(camel, endpoint, servletRequest, call, rest, mayRetry, bufferBodiesUpTo, buffers, null, CallTracing.OFF);
    }

    UpstreamCall(ProducerTemplate camel, Endpoint endpoint, HttpServletRequest servletRequest, CallRecord call,
            String rest, boolean mayRetry, long bufferBodiesUpTo, byte[][] buffers, CallerAssertions assertions,
            CallTracing tracing) throws IOException {
        this.tracing = tracing;
        RouteDefinition.Upstream upstream = call.route().definition().upstream();
        this.assertions = upstream != null && Boolean.TRUE.equals(upstream.callerAssertion()) ? assertions : null;
        this.camel = camel;
        this.endpoint = endpoint;
        this.call = call;
        this.buffers = buffers;
        Route route = call.route();
        long length = servletRequest.getContentLengthLong();
        boolean hasBody = length > 0 || servletRequest.getHeader("Transfer-Encoding") != null;
        if (hasBody) {
            body = new BoundedBody(servletRequest.getInputStream(), route.maxBodyBytes());
            call.requestBody(body);
            // read it all first when there is no declared length and the limit is small (a body over the
            // limit is then refused before the upstream hears of the call), or when the call may be
            // re-sent: a body streamed once cannot be sent again
            boolean buffer = length < 0 ? route.maxBodyBytes() <= bufferBodiesUpTo : mayRetry && length <= bufferBodiesUpTo;
            if (buffer) {
                whole = readWhole(body, route);
                length = whole.length;
            } else {
                whole = null;
            }
        } else {
            body = null;
            whole = null;
        }
        List<Header> headers = ForwardHeaders.toUpstream(servletRequest, call.correlationId(),
                call.caller().clientId(), call.caller().opd(), call.userId());
        this.request = new ForwardRequest(call.method(), rest, call.query(), headers,
                hasBody && whole == null ? body : null, hasBody ? length : 0);
    }

    /** A part of a composite call: a request without a body, its headers made already. */
    private UpstreamCall(ProducerTemplate camel, Endpoint endpoint, CallRecord call, ForwardRequest request,
            CallerAssertions assertions) {
        RouteDefinition.Upstream upstream = call.route().definition().upstream();
        this.assertions = upstream != null && Boolean.TRUE.equals(upstream.callerAssertion()) ? assertions : null;
        this.camel = camel;
        this.endpoint = endpoint;
        this.call = call;
        this.buffers = null;
        this.body = null;
        this.whole = null;
        this.request = request;
        // a part runs on a thread of the composition, outside the call's trace: no span, no traceparent
        this.tracing = CallTracing.OFF;
    }

    static UpstreamCall part(ProducerTemplate camel, Endpoint endpoint, CallRecord call, ForwardRequest request,
            CallerAssertions assertions) {
        return new UpstreamCall(camel, endpoint, call, request, assertions);
    }

    /**
     * Reads a part's answer whole, as the composite's answer is made of it, and no further than
     * {@code maxBytes} (its route's {@code maxBodyBytes}); counts and digests it on the part's record.
     *
     * @throws GatewayException 502 UPSTREAM_UNAVAILABLE for an answer over {@code maxBytes}; the classified
     *                          failure when its body broke off or came too slowly
     */
    public byte[] readWhole(ForwardResponse upstream, long maxBytes) {
        call.answered(upstream.status(), upstream.upstreamNanos());
        call.responseStarts();
        try {
            InputStream in = upstream.body();
            if (in == null) {
                return new byte[0];
            }
            byte[] bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
            if (bytes.length > maxBytes) {
                call.responded(bytes, 0, (int) maxBytes);
                throw new GatewayException(ErrorCode.UPSTREAM_UNAVAILABLE, "the upstream of route " + call.route().id()
                        + " answered more than its maxBodyBytes (" + maxBytes + ")");
            }
            call.responded(bytes, 0, bytes.length);
            upstream.complete();
            return bytes;
        } catch (IOException e) {
            throw UpstreamFailure.classify(e, call.route());
        }
    }

    /** Whether the call can be sent again: it has no body, or its body was read whole. */
    public boolean replayable() {
        return body == null || whole != null;
    }

    /**
     * One attempt at the upstream: its open answer, or why there is none ({@link UpstreamFailure}). With
     * tracing on, the attempt is a span of its own (numbered from 1) that ends with the answer's head.
     */
    public ForwardResponse attempt() {
        try (CallTracing.Step traced = tracing.attempt(request.method(), ++attempts)) {
            ForwardRequest forward = whole == null && assertions == null && !traced.on() ? request
                    : new ForwardRequest(request.method(), request.rest(), request.rawQuery(), headers(traced),
                            whole == null ? request.body() : new ByteArrayInputStream(whole),
                            whole == null ? request.contentLength() : whole.length);
            try {
                ForwardResponse answer = attempt(camel, endpoint, call.route(), forward, body);
                traced.status(answer.response().getCode());
                return answer;
            } catch (GatewayException e) {
                traced.refused(e.code());
                throw e;
            }
        }
    }

    /**
     * The headers of one attempt: with a caller assertion of its own (fresh {@code iat}, {@code jti}) when the
     * route asks, and the attempt's span as {@code traceparent} when tracing is on.
     */
    private List<Header> headers(CallTracing.Step traced) {
        if (assertions == null && !traced.on()) {
            return request.headers();
        }
        List<Header> headers = new ArrayList<>(request.headers().size() + 3);
        headers.addAll(request.headers());
        if (assertions != null) {
            Route route = call.route();
            headers.add(new BasicHeader(CallerAssertions.HEADER, assertions.sign(route.owner(), call.caller().clientId(),
                    call.caller().opd(), call.userId(), route.id(), call.correlationId())));
        }
        traced.inject((name, value) -> headers.add(new BasicHeader(name, value)));
        return headers;
    }

    /**
     * One attempt at the upstream through the route's Camel route. An answer framed two ways (both
     * {@code Content-Length} and {@code Transfer-Encoding}: which one a client believes decides where it
     * ends, RFC 9112 6.3) is no valid answer: a failure of the upstream, like a connection reset.
     *
     * @param body the request body being streamed, or {@code null}: when reading it failed, that is why
     *             the attempt failed
     * @return the upstream's answer, still open
     * @throws GatewayException an {@link UpstreamFailure} when the upstream failed, else the caller's fault
     */
    public static ForwardResponse attempt(ProducerTemplate camel, Endpoint endpoint, Route route, ForwardRequest forward,
            BoundedBody body) {
        Exchange exchange = endpoint.createExchange();
        exchange.getMessage().setBody(forward);
        camel.send(endpoint, exchange);
        if (exchange.getException() != null) {
            Throwable failure = body != null && body.failure() != null ? body.failure() : exchange.getException();
            throw UpstreamFailure.classify(failure, route);
        }
        ForwardResponse answer = exchange.getMessage().getBody(ForwardResponse.class);
        ClassicHttpResponse head = answer.response();
        if (head.containsHeader("Transfer-Encoding") && head.containsHeader("Content-Length")) {
            answer.close();
            throw new UpstreamFailure(ErrorCode.UPSTREAM_UNAVAILABLE, "the upstream of route " + route.id()
                    + " gave an answer with both Content-Length and Transfer-Encoding", false);
        }
        return answer;
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
     * back until the call's record is stored. An answer that fits in one buffer (most do) is read whole
     * first, so that if the trail fails the caller still gets a clean 503 AUDIT_UNAVAILABLE; a longer one
     * streams, and if the trail fails at its end the connection is cut before the last piece, so the caller
     * never holds a complete, unrecorded answer.
     *
     * @param record stores the call's record; {@code false} when the trail could not take it
     * @throws GatewayException 503 AUDIT_UNAVAILABLE when the record was not stored and nothing was sent yet
     * @throws IOException      when the upstream's body broke off, the caller went away, or the record was
     *                          not stored once part of the body was sent: the connection is then cut
     */
    public void relay(ForwardResponse upstream, HttpServletResponse response, BooleanSupplier record) throws IOException {
        ClassicHttpResponse answer = upstream.response();
        call.answered(answer.getCode(), upstream.upstreamNanos());
        response.setStatus(answer.getCode());
        copyHeaders(answer, response);

        InputStream in = upstream.body();
        ServletOutputStream out = null;
        byte[] held = buffers[0];
        int heldLength = -1;
        if (in != null) {
            call.responseStarts();
            heldLength = fill(in, held);
            byte[] next = buffers[1];
            while (heldLength >= 0) {
                int nextLength = read(in, next, 0, next.length);
                if (nextLength < 0) {
                    break;
                }
                if (out == null) {
                    out = response.getOutputStream();
                }
                out.write(held, 0, heldLength);
                if (in.available() == 0) {
                    out.flush();
                }
                byte[] swap = held;
                held = next;
                next = swap;
                heldLength = nextLength;
            }
        }
        if (!record.getAsBoolean()) {
            if (out == null) {
                throw new GatewayException(ErrorCode.AUDIT_UNAVAILABLE, RecordedProblems.UNAVAILABLE);
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
    private int fill(InputStream in, byte[] buffer) throws IOException {
        int total = 0;
        while (total < buffer.length) {
            int n = read(in, buffer, total, buffer.length - total);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
        }
        return total;
    }

    private int read(InputStream in, byte[] buffer, int offset, int length) throws IOException {
        int n;
        try {
            n = in.read(buffer, offset, length);
        } catch (IOException e) {
            // once the head may be on its way, the only honest signal left is to cut the connection, so
            // that a truncated body cannot pass for a complete one
            call.brokenOff();
            throw new IOException("upstream body broke off after " + call.responseBytes() + " bytes", e);
        }
        if (n > 0) {
            call.responded(buffer, offset, n);
        }
        return n;
    }
}
