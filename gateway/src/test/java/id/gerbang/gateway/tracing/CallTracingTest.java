package id.gerbang.gateway.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;

import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.mock.env.MockEnvironment;

class CallTracingTest {

    private static CallTracing tracing(Tracer tracer, MockEnvironment environment) {
        return new CallTracing(tracer, new StaticListableBeanFactory().getBeanProvider(Propagator.class), environment);
    }

    @Test
    void withoutAnOtlpEndpointNothingIsTracedEvenWithATracer() {
        Tracer tracer = mock(Tracer.class);
        CallTracing tracing = tracing(tracer, new MockEnvironment());

        assertThat(tracing.on()).isFalse();
        try (CallTracing.Step call = tracing.call("GET")) {
            assertThat(call).isSameAs(CallTracing.Step.OFF);
            assertThat(tracing.step("gerbang.token", () -> "caller")).isEqualTo("caller");
            List<String> headers = new ArrayList<>();
            tracing.attempt("GET", 1).inject((name, value) -> headers.add(name));
            assertThat(headers).isEmpty();
        }
        verifyNoInteractions(tracer);
    }

    @Test
    void aBlankEndpointIsNoEndpoint() {
        Tracer tracer = mock(Tracer.class);

        assertThat(tracing(tracer, new MockEnvironment().withProperty(CallTracing.ENDPOINT_PROPERTY, " ")).on()).isFalse();
    }

    @Test
    void anEndpointWithATracerSwitchesTracingOn() {
        Tracer tracer = mock(Tracer.class);

        assertThat(tracing(tracer, new MockEnvironment().withProperty(CallTracing.ENDPOINT_PROPERTY,
                "http://collector:4318/v1/traces")).on()).isTrue();
        assertThat(tracing(Tracer.NOOP, new MockEnvironment().withProperty(CallTracing.ENDPOINT_PROPERTY,
                "http://collector:4318/v1/traces")).on()).as("no tracer, nothing to trace with").isFalse();
    }
}
