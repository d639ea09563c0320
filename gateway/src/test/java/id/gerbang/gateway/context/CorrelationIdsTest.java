package id.gerbang.gateway.context;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
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
        assertThat(id).isNotEqualTo(offered).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    }

    @Test
    void replacesAnOverlongId() {
        String offered = "a".repeat(129);
        assertThat(CorrelationIds.keepOrCreate(offered)).hasSize(36);
        assertThat(CorrelationIds.keepOrCreate("a".repeat(128))).hasSize(128);
    }

    @Test
    void createdIdsAreVersion7UuidsAndDistinct() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = CorrelationIds.create();
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(7);
            assertThat(uuid.variant()).isEqualTo(2);
            ids.add(id);
        }
        assertThat(ids).hasSize(10_000);
    }

    @Test
    void createdIdsCarryTheirMillisecondAndSortByIt() {
        long before = System.currentTimeMillis();
        String id = CorrelationIds.create();
        long after = System.currentTimeMillis();
        long millis = UUID.fromString(id).getMostSignificantBits() >>> 16;
        assertThat(millis).isBetween(before, after);

        ThreadLocalRandom r = ThreadLocalRandom.current();
        List<String> made = new ArrayList<>();
        for (long t = 1_700_000_000_000L; t < 1_700_000_000_000L + 5_000; t += 7) {
            made.add(CorrelationIds.format(t, r));
        }
        List<String> sorted = new ArrayList<>(made);
        Collections.sort(sorted); // as a database index orders them: by their text
        assertThat(sorted).isEqualTo(made);
    }
}
