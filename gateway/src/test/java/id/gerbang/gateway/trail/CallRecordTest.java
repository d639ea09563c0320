package id.gerbang.gateway.trail;

import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.routes.Route;
import id.gerbang.routes.RouteDefinition;
import id.gerbang.security.Caller;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class CallRecordTest {

    /** The route's own masking: the query parameter {@code fields} too. */
    private static final Masking ROUTES = new Masking(List.of("fields"), List.of("nik"));

    private static CallRecord call() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/disdukcapil/penduduk/1404015708900001");
        request.setQueryString("nik=1404015708900001&fields=nama");
        return new CallRecord(request, "corr-1");
    }

    private static Route route() {
        RouteDefinition d = new RouteDefinition("disdukcapil-penduduk", "disdukcapil", null, null, "/disdukcapil/penduduk",
                List.of("GET"), new RouteDefinition.Upstream("http://127.0.0.1:1", 2000), null, null, null, null, null,
                null, null);
        return Route.from(d, 3);
    }

    @Test
    void aRoutedCallIsMaskedWithItsRoutesMaskingNotTheOneGiven() {
        CallRecord call = call();
        call.caller(new Caller("dinkes-simpus", "dinkes", Set.of(), Instant.now().plusSeconds(60)));
        call.route(route(), ROUTES);
        call.answered(200, 2_000_000);

        TrailEntry entry = call.entry(Masking.DEFAULT);

        assertThat(entry.query()).isEqualTo(ROUTES.query("nik=1404015708900001&fields=nama"))
                .isNotEqualTo(Masking.DEFAULT.query("nik=1404015708900001&fields=nama"));
        assertThat(entry.path()).doesNotContain("1404015708900001");
        assertThat(entry.routeId()).isEqualTo("disdukcapil-penduduk");
        assertThat(entry.routeVersion()).isEqualTo(3);
        assertThat(entry.clientId()).isEqualTo("dinkes-simpus");
        assertThat(entry.status()).isEqualTo(200);
        assertThat(entry.upstreamStatus()).isEqualTo(200);
        assertThat(entry.upstreamDurationMs()).isEqualTo(2L);
        assertThat(call.recordTried()).isTrue();
    }

    @Test
    void aCallRefusedBeforeItsRouteIsMaskedWithTheMaskingGiven() {
        CallRecord call = call();
        call.refused(ErrorCode.INVALID_TOKEN);

        TrailEntry entry = call.entry(Masking.DEFAULT);

        assertThat(entry.routeId()).isNull();
        assertThat(entry.clientId()).isNull();
        assertThat(entry.status()).isEqualTo(401);
        assertThat(entry.errorCode()).isEqualTo("INVALID_TOKEN");
        assertThat(entry.query()).isEqualTo(Masking.DEFAULT.query("nik=1404015708900001&fields=nama"));
    }

    @Test
    void aProblemAnswerIsCountedAndDigestedInPlaceOfAnythingBefore() {
        CallRecord call = call();
        call.responseStarts();
        call.responded(new byte[100], 0, 100);
        byte[] problem = "{}".getBytes(StandardCharsets.UTF_8);

        call.problem(problem);

        TrailEntry entry = call.entry(Masking.DEFAULT);
        assertThat(entry.responseBytes()).isEqualTo(2L);
        assertThat(entry.responseSha256()).isEqualTo("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    }
}
