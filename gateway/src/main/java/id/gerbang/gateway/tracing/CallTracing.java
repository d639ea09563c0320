package id.gerbang.gateway.tracing;

import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.GatewayException;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The spans of {@code /api} calls (docs/operations.md, "Traces"): one server span per call, a new trace of
 * Gerbang's own (a caller's {@code traceparent} is never its parent), with a child span for each main step
 * of the pipeline and one client span per attempt at the upstream, whose context the upstream gets as its
 * {@code traceparent}.
 *
 * <p>On only when an OTLP endpoint is configured ({@code management.otlp.tracing.endpoint}); off, every
 * method hands out {@link Step#OFF} and creates nothing, so the pipeline pays a field read per step.
 *
 * <p>Span attributes name routes, OPDs, application clients, statuses, attempts and error codes: never a
 * path, a query, a header's value, a user id or a token, which may carry personal data.
 */
@Component
public class CallTracing {

    /** Tracing switched off: nothing is created. */
    public static final CallTracing OFF = new CallTracing(Tracer.NOOP, Propagator.NOOP, false);

    /** The endpoint property that switches tracing on (Spring Boot's own). */
    public static final String ENDPOINT_PROPERTY = "management.otlp.tracing.endpoint";

    private final Tracer tracer;
    private final Propagator propagator;
    private final boolean on;

    @Autowired
    public CallTracing(Tracer tracer, ObjectProvider<Propagator> propagator, Environment environment) {
        this(tracer, propagator.getIfAvailable(() -> Propagator.NOOP),
                tracer != Tracer.NOOP && !environment.getProperty(ENDPOINT_PROPERTY, "").isBlank());
    }

    CallTracing(Tracer tracer, Propagator propagator, boolean on) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.on = on;
    }

    public boolean on() {
        return on;
    }

    /**
     * The server span of one {@code /api} call, the root of a new trace, in scope until closed. Named
     * {@code <method> /api} until the call's route is known ({@link Step#route}).
     */
    public Step call(String method) {
        if (!on) {
            return Step.OFF;
        }
        Span span = tracer.spanBuilder().setNoParent().name(method + " /api").kind(Span.Kind.SERVER)
                .tag("http.request.method", method).start();
        return new Step(span, tracer.withSpan(span), method, propagator);
    }

    /** A step of the call in scope ({@code gerbang.token}, {@code gerbang.trail}, ...), in scope until closed. */
    public Step step(String name) {
        if (!on) {
            return Step.OFF;
        }
        Span span = tracer.nextSpan().name(name).start();
        return new Step(span, tracer.withSpan(span), null, propagator);
    }

    /** One attempt at the upstream, a client span numbered from 1; its context goes upstream ({@link Step#inject}). */
    public Step attempt(String method, int attempt) {
        if (!on) {
            return Step.OFF;
        }
        Span span = tracer.spanBuilder().name("gerbang.upstream.attempt").kind(Span.Kind.CLIENT)
                .tag("http.request.method", method).tag("gerbang.attempt", (long) attempt).start();
        return new Step(span, tracer.withSpan(span), null, propagator);
    }

    /** Runs a step in a span of its own; a refusal ({@link GatewayException}) is noted on it. */
    public <T> T step(String name, Supplier<T> step) {
        if (!on) {
            return step.get();
        }
        try (Step traced = step(name)) {
            try {
                return step.get();
            } catch (GatewayException e) {
                traced.refused(e.code());
                throw e;
            }
        }
    }

    /** Runs a step in a span of its own; a refusal ({@link GatewayException}) is noted on it. */
    public void step(String name, Runnable step) {
        if (!on) {
            step.run();
            return;
        }
        try (Step traced = step(name)) {
            try {
                step.run();
            } catch (GatewayException e) {
                traced.refused(e.code());
                throw e;
            }
        }
    }

    /** A started span in scope, or {@link #OFF}, on which everything does nothing. */
    public static final class Step implements AutoCloseable {

        /** No span: every method does nothing. */
        public static final Step OFF = new Step(null, null, null, null);

        private final Span span;
        private final Tracer.SpanInScope scope;
        private final String method;
        private final Propagator propagator;

        private Step(Span span, Tracer.SpanInScope scope, String method, Propagator propagator) {
            this.span = span;
            this.scope = scope;
            this.method = method;
            this.propagator = propagator;
        }

        public boolean on() {
            return span != null;
        }

        /** Tags the span; a {@code null} value is left out. */
        public Step tag(String key, String value) {
            if (span != null && value != null) {
                span.tag(key, value);
            }
            return this;
        }

        public Step tag(String key, long value) {
            if (span != null) {
                span.tag(key, value);
            }
            return this;
        }

        /** The route serving the call: the server span is named {@code <method> <route id>}. */
        public Step route(String routeId) {
            if (span != null) {
                span.tag("gerbang.route", routeId);
                if (method != null) {
                    span.name(method + " " + routeId);
                }
            }
            return this;
        }

        /** The HTTP status of an answer (the call's, or the upstream's for an attempt). */
        public Step status(int status) {
            if (span != null && status > 0) {
                span.tag("http.response.status_code", status);
            }
            return this;
        }

        /**
         * A refusal or failure: its error code as {@code error.type}; the span's status is an error only for the
         * gateway's and the upstream's failures (5xx), not for a caller's refused request. Never the
         * exception's message, which may quote a path.
         */
        public Step refused(ErrorCode code) {
            if (span != null && code != null) {
                span.tag("error.type", code.name());
                if (code.status() >= 500) {
                    span.error(new Failure(code));
                }
            }
            return this;
        }

        /** Writes the span's context as W3C trace context headers ({@code traceparent}, ...) through {@code header}. */
        public void inject(BiConsumer<String, String> header) {
            if (span != null) {
                propagator.inject(span.context(), header, BiConsumer::accept);
            }
        }

        /** Ends the span and restores the one in scope before. */
        @Override
        public void close() {
            if (span != null) {
                scope.close();
                span.end();
            }
        }
    }

    /** What a failed span records: the error code alone, without a stack trace or a message from a request. */
    static final class Failure extends RuntimeException {
        Failure(ErrorCode code) {
            super(code.name(), null, false, false);
        }
    }
}
