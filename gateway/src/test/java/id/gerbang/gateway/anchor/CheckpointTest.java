package id.gerbang.gateway.anchor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointTest {

    static final String ROOT = Base64.getEncoder().encodeToString(MerkleTree.emptyRoot());

    @Test
    void theTextIsTheFourLinesOfTheContract() {
        Checkpoint checkpoint = Checkpoint.of("gerbang", "node-a", 1234, MerkleTree.emptyRoot(),
                Instant.parse("2026-12-01T10:00:05.678912Z"));
        assertThat(checkpoint.text()).isEqualTo("gerbang/node-a\n1234\n" + ROOT + "\ntime 2026-12-01T10:00:05.678Z\n");
        assertThat(checkpoint.origin()).isEqualTo("gerbang/node-a");
        assertThat(Checkpoint.parse(checkpoint.text())).isEqualTo(checkpoint);
        assertThat(Checkpoint.of("gerbang", "node-a", 0, MerkleTree.emptyRoot(), Instant.EPOCH).text())
                .isEqualTo("gerbang/node-a\n0\n" + ROOT + "\ntime 1970-01-01T00:00:00.000Z\n");
    }

    @Test
    void aSignedCheckpointIsReadOnlyWhenATrustedKeySignedIt() {
        NoteSigner signer = TestKeys.random("gerbang/node-a");
        Checkpoint checkpoint = Checkpoint.of("gerbang", "node-a", 7, new byte[32], Instant.parse("2026-12-01T10:00:00Z"));
        SignedNote note = SignedNote.parse(checkpoint.sign(signer).toString());
        assertThat(Checkpoint.verified(note, List.of(signer.verifier()))).isEqualTo(checkpoint);
        assertThatThrownBy(() -> Checkpoint.verified(note, List.of(TestKeys.random("gerbang/node-a").verifier())))
                .isInstanceOf(NoteVerificationException.class);
    }

    @Test
    void malformedCheckpointsAreRefusedSayingWhatIsWrong() {
        String time = "time 2026-12-01T10:00:00.000Z\n";
        assertRefused("gerbang/node-a\n5\n" + ROOT + "\n", "four lines");
        assertRefused("gerbang/node-a\n5\n" + ROOT + "\n" + time + "more\n", "four lines");
        assertRefused("gerbang/node-a\n5\n" + ROOT + "\n" + time.trim(), "ends with a newline");
        assertRefused("gerbang/node-a\n05\n" + ROOT + "\n" + time, "without leading zeros");
        assertRefused("gerbang/node-a\n-5\n" + ROOT + "\n" + time, "without leading zeros");
        assertRefused("gerbang/node-a\n+5\n" + ROOT + "\n" + time, "without leading zeros");
        assertRefused("gerbang/node-a\n9999999999999999999\n" + ROOT + "\n" + time, "too large");
        assertRefused("gerbang/node-a\n5\n" + ROOT.replace("=", "") + "\n" + time, "padded base64");
        assertRefused("gerbang/node-a\n5\n" + Base64.getEncoder().encodeToString(new byte[31]) + "\n" + time, "32 bytes, not 31");
        assertRefused("gerbang/node-a\n5\n" + ROOT + "\ntime 2026-12-01T10:00:00Z\n", "time yyyy-MM-ddTHH:mm:ss.SSSZ");
        assertRefused("gerbang/node-a\n5\n" + ROOT + "\ntime 2026-12-01T10:00:00.000+07:00\n", "time yyyy-MM-ddTHH:mm:ss.SSSZ");
        assertRefused("gerbang/node-a\n5\n" + ROOT + "\nwhen 2026-12-01T10:00:00.000Z\n", "time yyyy-MM-ddTHH:mm:ss.SSSZ");
        assertRefused("gerbang/node-a\n5\n" + ROOT + "\ntime 2026-02-30T10:00:00.000Z\n", "no real instant");
        assertRefused("gerbang/node-a\n5\n" + ROOT + "\ntime 2026-12-01T24:00:00.000Z\n", "no real instant");
        assertRefused("gerbang node-a\n5\n" + ROOT + "\n" + time, "no space or plus sign");
        assertRefused("\n5\n" + ROOT + "\n" + time, "origin is not empty");
        assertThat(Checkpoint.parse("gerbang/node-a\n9223372036854775807\n" + ROOT + "\n" + time).treeSize()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aCheckpointIsMadeOnlyOfValidParts() {
        assertThatThrownBy(() -> Checkpoint.of("gerbang", "node a", 1, new byte[32], Instant.EPOCH)).hasMessageContaining("origin");
        assertThatThrownBy(() -> Checkpoint.of("gerbang", "node-a", -1, new byte[32], Instant.EPOCH)).hasMessageContaining("not negative");
        assertThatThrownBy(() -> Checkpoint.of("gerbang", "node-a", 1, new byte[20], Instant.EPOCH)).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> new Checkpoint("gerbang/node-a", 1, new byte[32], Instant.parse("2026-12-01T10:00:00.000001Z")))
                .hasMessageContaining("whole milliseconds");
    }

    private static void assertRefused(String text, String message) {
        assertThatThrownBy(() -> Checkpoint.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
