package id.gerbang.gateway.trail;

import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.GatewayException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletResponse;

class RecordedProblemsTest {

    private static final Runnable STORED = () -> { };
    private static final Runnable REFUSED = () -> {
        throw new TrailUnavailableException("the store is down", null);
    };

    @Test
    void aRefusalIsRecordedThenAnsweredWithItsOwnCodeAndHeaders() throws Exception {
        AtomicInteger recorded = new AtomicInteger();
        MockHttpServletResponse response = new MockHttpServletResponse();

        ErrorCode answered = RecordedProblems.refuse(recorded::incrementAndGet, response,
                GatewayException.methodNotAllowed("route x does not serve GET", List.of("PUT", "POST")), "corr-1");

        assertThat(recorded.get()).isEqualTo(1);
        assertThat(answered).isEqualTo(ErrorCode.METHOD_NOT_ALLOWED);
        assertThat(response.getStatus()).isEqualTo(405);
        assertThat(response.getHeader("Allow")).isEqualTo("POST, PUT");
        assertThat(response.getHeader("X-Gerbang-Error")).isEqualTo("METHOD_NOT_ALLOWED");
    }

    @Test
    void aRefusalWhoseRecordCannotBeStoredIsAnswered503AuditUnavailable() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();

        ErrorCode answered = RecordedProblems.refuse(REFUSED, response,
                new GatewayException(ErrorCode.ACCESS_DENIED, "client x may not call GET"), "corr-2");

        assertThat(answered).isEqualTo(ErrorCode.AUDIT_UNAVAILABLE);
        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getContentAsString()).contains("AUDIT_UNAVAILABLE").doesNotContain("may not call");
    }

    @Test
    void anAnswerWaitsForItsRecordAndIsReplacedBy503WhenItCannotBeStored() throws Exception {
        MockHttpServletResponse stored = new MockHttpServletResponse();
        assertThat(RecordedProblems.recordedOrRefused(STORED, stored, "not shown", "corr-3")).isTrue();
        assertThat(stored.isCommitted()).as("nothing answered yet: the caller answers").isFalse();

        MockHttpServletResponse refused = new MockHttpServletResponse();
        assertThat(RecordedProblems.recordedOrRefused(REFUSED, refused, "the trail is not shown", "corr-4")).isFalse();
        assertThat(refused.getStatus()).isEqualTo(503);
        assertThat(refused.getContentAsString()).contains("AUDIT_UNAVAILABLE").contains("the trail is not shown");
    }
}
