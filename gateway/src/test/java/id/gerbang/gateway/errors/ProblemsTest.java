package id.gerbang.gateway.errors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletResponse;

class ProblemsTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void writesAnRfc9457DocumentWithCodeAndCorrelationId() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();

        Problems.write(response, ErrorCode.ACCESS_DENIED, "client x may not call GET on route y", "corr-7");

        assertThat(response.getStatus()).isEqualTo(403);
        assertThat(response.getContentType()).isEqualTo("application/problem+json");
        assertThat(response.getHeader("X-Gerbang-Error")).isEqualTo("ACCESS_DENIED");
        assertThat(response.getHeader("X-Correlation-Id")).isEqualTo("corr-7");
        JsonNode body = json.readTree(response.getContentAsByteArray());
        assertThat(body.get("type").asText()).isEqualTo("urn:gerbang:error:ACCESS_DENIED");
        assertThat(body.get("title").asText()).isEqualTo("Access denied");
        assertThat(body.get("status").asInt()).isEqualTo(403);
        assertThat(body.get("detail").asText()).isEqualTo("client x may not call GET on route y");
        assertThat(body.get("code").asText()).isEqualTo("ACCESS_DENIED");
        assertThat(body.get("correlationId").asText()).isEqualTo("corr-7");
        assertThat(response.getContentLength()).isEqualTo(response.getContentAsByteArray().length);
    }

    @Test
    void carriesRetryAfterWhenGivenAndOnlyThen() throws Exception {
        MockHttpServletResponse limited = new MockHttpServletResponse();
        Problems.write(limited, ErrorCode.RATE_LIMITED, "over budget", "corr-8", 17);
        assertThat(limited.getStatus()).isEqualTo(429);
        assertThat(limited.getHeader("Retry-After")).isEqualTo("17");

        MockHttpServletResponse denied = new MockHttpServletResponse();
        Problems.write(denied, ErrorCode.ACCESS_DENIED, "no", "corr-9");
        assertThat(denied.getHeader("Retry-After")).isNull();
    }

    @Test
    void escapesDetailsSoThatNoInputCanBreakTheDocument() throws Exception {
        String hostile = "\"}, \"code\": \"OK\\\n\r\t\u0000</script><b>&";
        JsonNode body = json.readTree(Problems.json(ErrorCode.BAD_REQUEST, hostile, null));

        assertThat(body.get("detail").asText()).isEqualTo(hostile);
        assertThat(body.get("code").asText()).isEqualTo("BAD_REQUEST");
        assertThat(body.get("correlationId").isNull()).isTrue();
        assertThat(Problems.json(ErrorCode.BAD_REQUEST, hostile, null)).doesNotContain("<", ">", "&");
    }

    @Test
    void leavesACommittedAnswerAlone() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        response.setStatus(200);
        response.getOutputStream().write("partial".getBytes());
        response.flushBuffer();

        Problems.write(response, ErrorCode.UPSTREAM_UNAVAILABLE, "broke", "c");

        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getContentAsString()).isEqualTo("partial");
    }

    @Test
    void everyCodeHasTheStatusOfTheContract() {
        assertThat(ErrorCode.BAD_REQUEST.status()).isEqualTo(400);
        assertThat(ErrorCode.INVALID_TOKEN.status()).isEqualTo(401);
        assertThat(ErrorCode.ACCESS_DENIED.status()).isEqualTo(403);
        assertThat(ErrorCode.ROUTE_NOT_FOUND.status()).isEqualTo(404);
        assertThat(ErrorCode.METHOD_NOT_ALLOWED.status()).isEqualTo(405);
        assertThat(ErrorCode.PAYLOAD_TOO_LARGE.status()).isEqualTo(413);
        assertThat(ErrorCode.RATE_LIMITED.status()).isEqualTo(429);
        assertThat(ErrorCode.UPSTREAM_UNAVAILABLE.status()).isEqualTo(502);
        assertThat(ErrorCode.UPSTREAM_FAULT.status()).isEqualTo(502);
        assertThat(ErrorCode.CIRCUIT_OPEN.status()).isEqualTo(503);
        assertThat(ErrorCode.UPSTREAM_BUSY.status()).isEqualTo(503);
        assertThat(ErrorCode.AUDIT_UNAVAILABLE.status()).isEqualTo(503);
        assertThat(ErrorCode.UPSTREAM_TIMEOUT.status()).isEqualTo(504);
    }
}
