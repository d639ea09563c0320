package id.gerbang.gateway.context;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class UserIdsTest {

    @Test
    void acceptsOnlySaneUserIds() {
        assertThat(UserIds.isSane("199001012020011001")).isTrue();
        assertThat(UserIds.isSane("siti.rahmawati@pelalawankab.go.id")).isTrue();
        assertThat(UserIds.isSane("")).isFalse();
        assertThat(UserIds.isSane("a b")).isFalse();
        assertThat(UserIds.isSane("a,b")).isFalse();
        assertThat(UserIds.isSane("x".repeat(257))).isFalse();
        assertThat(UserIds.isSane("caf\u00e9")).isFalse();
    }

    @Test
    void anInsaneUserIdIsReadAsNone() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/audit/records");
        request.addHeader(UserIds.HEADER, "a b");
        assertThat(UserIds.saneOrNull(request)).isNull();
        MockHttpServletRequest sane = new MockHttpServletRequest("GET", "/audit/records");
        sane.addHeader(UserIds.HEADER, "199001012020011001");
        assertThat(UserIds.saneOrNull(sane)).isEqualTo("199001012020011001");
    }
}
