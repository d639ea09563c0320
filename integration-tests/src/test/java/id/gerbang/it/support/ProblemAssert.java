package id.gerbang.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;

/** Checks a gateway-made error: status, RFC 9457 body with code and correlation id, and the two headers. */
public final class ProblemAssert {

    private ProblemAssert() {}

    public static JsonNode assertProblem(HttpResponse<String> r, int status, String code) throws Exception {
        String describe = "answer " + r.statusCode() + " " + r.headers().map() + " " + r.body();
        assertThat(r.statusCode()).as(describe).isEqualTo(status);
        return check(describe, r.headers().firstValue("Content-Type").orElse(null),
                r.headers().firstValue("X-Gerbang-Error").orElse(null),
                r.headers().firstValue("X-Correlation-Id").orElse(null), r.body(), status, code);
    }

    public static JsonNode assertProblem(RawHttp.Response r, int status, String code) throws Exception {
        String describe = "raw answer:\n" + r.raw();
        assertThat(r.status()).as(describe).isEqualTo(status);
        return check(describe, r.header("Content-Type"), r.header("X-Gerbang-Error"), r.header("X-Correlation-Id"),
                r.bodyText(), status, code);
    }

    private static JsonNode check(String describe, String contentType, String errorHeader, String correlationHeader,
            String body, int status, String code) throws Exception {
        assertThat(contentType).as("Content-Type of " + describe).startsWith("application/problem+json");
        assertThat(errorHeader).as("X-Gerbang-Error of " + describe).isEqualTo(code);
        assertThat(correlationHeader).as("X-Correlation-Id of " + describe).isNotBlank();
        JsonNode json = Gateway.json(body);
        assertThat(json.path("code").asText()).as("code in " + describe).isEqualTo(code);
        assertThat(json.path("status").asInt()).as("status in " + describe).isEqualTo(status);
        assertThat(json.path("correlationId").asText()).as("correlationId in " + describe).isEqualTo(correlationHeader);
        assertThat(json.has("type") && json.has("title") && json.has("detail")).as("type/title/detail in " + describe).isTrue();
        return json;
    }
}
