package id.gerbang.gateway.trail;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the trail makes of an entry before it is chained, hashed and stored: masked where a caller wrote, bounded. */
class StoredFieldsTest {

    private static final String METHOD = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    static TrailEntry call(String correlationId, String userId, String method, String path, String query, String detail) {
        Instant at = Instant.parse("2026-11-27T03:04:05.678Z");
        return new TrailEntry(TrailEntry.Kind.CALL, at, at, correlationId, "dinkes-simpus", "dinkes", userId, null, null,
                null, method, path, query, 400, null, "BAD_REQUEST", 1L, null, 0L, 0L, null, null, detail);
    }

    /** The entry as the trail stores it, the first record of its chain. */
    static AuditRecord stored(TrailEntry e) {
        return StoredFields.stored(e, "gerbang-1", 1, AuditRecord.GENESIS);
    }

    @Test
    void aValueLongerThanItsColumnKeepsItsBeginningAndSaysHowMuchWasCut() {
        String path = "/api/it/echo/" + "a".repeat(8200 - 13);
        AuditRecord stored = stored(call("c-1", null, METHOD, path, "q=" + "b".repeat(20_000), null));

        assertThat(stored.method()).isEqualTo("ABCDEFGHIJ…[+16]").hasSize(16);
        assertThat(stored.path()).hasSizeLessThanOrEqualTo(8192).startsWith("/api/it/echo/aaaa")
                .endsWith("…[+" + (path.length() - stored.path().indexOf('…')) + "]");
        assertThat(stored.query()).hasSizeLessThanOrEqualTo(16384).endsWith("…[+" + (20_002 - stored.query().indexOf('…')) + "]");
    }

    @Test
    void everyTextFieldIsBoundedToItsColumn() {
        String huge = "x".repeat(20_000);
        TrailEntry e = new TrailEntry(TrailEntry.Kind.CALL, Instant.now(), null, huge, huge, huge, huge, huge, null, huge,
                huge, huge, huge, null, null, huge, null, null, null, null, huge, huge, null);
        AuditRecord stored = stored(e);

        // the marker takes 6 characters here, or 7 when fewer than 10,000 were cut: one to spare
        assertThat(stored.correlationId()).hasSizeBetween(127, 128).endsWith("]");
        assertThat(stored.clientId()).hasSizeBetween(254, 255);
        assertThat(stored.clientOpd()).hasSizeBetween(63, 64);
        assertThat(stored.userId()).hasSizeBetween(255, 256);
        assertThat(stored.routeId()).hasSizeBetween(63, 64);
        assertThat(stored.ownerOpd()).hasSizeBetween(63, 64);
        assertThat(stored.method()).hasSizeBetween(15, 16);
        assertThat(stored.path()).hasSizeBetween(8191, 8192);
        assertThat(stored.query()).hasSizeBetween(16383, 16384);
        assertThat(stored.errorCode()).hasSizeBetween(31, 32);
        assertThat(stored.requestSha256()).hasSizeBetween(63, 64);
        assertThat(stored.responseSha256()).hasSizeBetween(63, 64);
    }

    @Test
    void aValueThatFitsIsKeptAsItIs() {
        TrailEntry e = JdbcAuditTrailTest.served("c-2");
        assertThat(stored(e)).isEqualTo(AuditRecord.chain(e, "gerbang-1", 1, AuditRecord.GENESIS));
        String path = "/api/x/" + "p".repeat(8192 - 7);
        assertThat(StoredFields.text(path, TrailField.PATH)).isSameAs(path);
    }

    @Test
    void neverHalfACharacter() {
        String emoji = "\uD83D\uDE00"; // one character, two UTF-16 units
        String cut = StoredFields.text("x".repeat(9) + emoji.repeat(10), TrailField.METHOD);
        assertThat(cut).isEqualTo("x".repeat(9) + "…[+20]");
    }

    @Test
    void aDetailTooLongStaysJsonAndSaysSo() throws Exception {
        String detail = "{\"action\":\"replace\",\"diff\":\"" + "\\\"q\\\"".repeat(300_000) + "\"}";
        String stored = StoredFields.detail(detail);

        assertThat(stored.length()).isLessThanOrEqualTo(1_000_000);
        JsonNode read = TrailJson.MAPPER.readTree(stored);
        assertThat(read.path("truncated").asBoolean()).isTrue();
        assertThat(read.path("length").asInt()).isEqualTo(detail.length());
        assertThat(read.path("start").asText()).startsWith("{\"action\":\"replace\"").contains("…[+");
        String small = "{\"action\":\"export\"}";
        assertThat(StoredFields.detail(small)).isSameAs(small);
    }

    @Test
    void charactersNoStoreKeepsBecomeTheReplacementCharacter() {
        assertThat(StoredFields.text("a\u0000b", TrailField.USER_ID)).isEqualTo("a\uFFFDb");
        assertThat(StoredFields.text("a\uD800b\uDC00", TrailField.USER_ID)).isEqualTo("a\uFFFDb\uFFFD");
        assertThat(StoredFields.detail("{\"a\":\"\uD83D\uDE00\"}")).isEqualTo("{\"a\":\"\uD83D\uDE00\"}");
    }

    /** Whoever made the entry, a NIK a caller wrote into an identifying field is not stored. */
    @Test
    void aNikInTheFieldsACallerWritesIsMasked() {
        AuditRecord stored = stored(call("req-1404015708900001", "1404015708900001", "GET", "/api/x", null, null));

        assertThat(stored.userId()).isEqualTo("140401**********");
        assertThat(stored.correlationId()).isEqualTo("req-140401**********");
        assertThat(stored(call("c", "%EF%BC%91%EF%BC%94%EF%BC%90%EF%BC%94%EF%BC%90%EF%BC%91%EF%BC%95%EF%BC%97"
                + "%EF%BC%90%EF%BC%98%EF%BC%99%EF%BC%90%EF%BC%90%EF%BC%90%EF%BC%90%EF%BC%91", "GET", "/", null, null)).userId())
                .isEqualTo("140401**********");
        assertThat(stored(call("c", "01404015708900001", "GET", "/", null, null)).userId())
                .isEqualTo("0140401**********");
        assertThat(stored(call("c", "197805122005012003", "GET", "/", null, null)).userId())
                .as("an NIP names the official: kept").isEqualTo("197805122005012003");
    }

    /** The hash is computed over what is stored: a bounded record verifies. */
    @Test
    void aBoundedRecordIsHashedAsStored() {
        AuditRecord r = stored(call("c-3", null, METHOD, "/api/" + "z".repeat(9000), null, null));
        TrailVerifier v = new TrailVerifier();
        v.accept(r.withId(1L));
        assertThat(v.result().valid()).isTrue();
        assertThat(r.method()).hasSize(16);
    }
}
