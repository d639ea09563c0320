package id.gerbang.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class CorrelationIdsTest {

    @ParameterizedTest
    @ValueSource(strings = {"abc-123", "req_2026.11.27:0001", "3f2b9c1e-5d7a-4e8b-9f10-112233445566"})
    void keepsASaneCallerId(String offered) {
        assertThat(CorrelationIds.keepOrCreate(offered)).isEqualTo(offered);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"has space", "quote\"", "<script>", "a,b", "semi;colon", "tab\t"})
    void replacesAMissingOrUnsafeId(String offered) {
        String id = CorrelationIds.keepOrCreate(offered);
        assertThat(id).isNotEqualTo(offered).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    }

    @Test
    void replacesAnOverlongId() {
        String offered = "a".repeat(129);
        assertThat(CorrelationIds.keepOrCreate(offered)).hasSize(36);
        assertThat(CorrelationIds.keepOrCreate("a".repeat(128))).hasSize(128);
    }

    @Test
    void createdIdsAreVersion4UuidsAndDistinct() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = CorrelationIds.create();
            assertThat(java.util.UUID.fromString(id).version()).isEqualTo(4);
            ids.add(id);
        }
        assertThat(ids).hasSize(10_000);
    }
}
