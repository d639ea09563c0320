package id.gerbang.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import id.gerbang.gateway.TestDatabases;
import id.gerbang.gateway.trail.StoredCheckpoint;
import id.gerbang.gateway.trail.TrailCheckpoints;
import id.gerbang.gateway.trail.TrailQueries;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.ui.ExtendedModelMap;

/** The verification page's checkpoints: each node's latest, and the last hour's, newest first, with their timestamps. */
class ConsoleCheckpointsTest {

    final TestDatabases.Database db = TestDatabases.h2("console-checkpoints", 2);

    @AfterEach
    void close() throws Exception {
        db.close();
    }

    @Test
    void theVerificationPageShowsEachNodesLatestCheckpointAndTheLastHoursNewestFirst() throws Exception {
        TrailCheckpoints checkpoints = new TrailCheckpoints(db.pool());
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        byte[] root = new byte[32];
        Arrays.fill(root, (byte) 7);
        checkpoints.insert("gerbang-a", 3, root, now.minus(Duration.ofHours(2)), "old note\n");
        long stamped = checkpoints.insert("gerbang-a", 5, root, now.minusSeconds(120), "stamped note\n");
        checkpoints.stamp(stamped, new byte[] {1}, now.minusSeconds(119));
        checkpoints.insert("gerbang-a", 9, root, now.minusSeconds(60), "latest note\n");
        checkpoints.insert("gerbang-c", 2, root, now.minusSeconds(30), "a node not on the list\n");

        ConsoleTrailController controller = new ConsoleTrailController(
                new TrailQueries(db.pool(), Set.of("gerbang-a", "gerbang-b")), checkpoints, null, null, null);
        ExtendedModelMap model = new ExtendedModelMap();
        controller.checkpoints(model);

        @SuppressWarnings("unchecked")
        List<ConsoleTrailController.NodeCheckpoint> latest =
                (List<ConsoleTrailController.NodeCheckpoint>) model.get("latestCheckpoints");
        assertThat(latest).extracting(ConsoleTrailController.NodeCheckpoint::node).containsExactly("gerbang-a", "gerbang-b");
        assertThat(latest.get(0).checkpoint().treeSize()).isEqualTo(9);
        assertThat(latest.get(0).checkpoint().stamped()).isFalse();
        assertThat(latest.get(0).root()).isEqualTo(Base64.getEncoder().encodeToString(root).substring(0, 16) + "\u2026");
        assertThat(latest.get(1).checkpoint()).isNull(); // no checkpoint yet: the page says so
        assertThat(latest.get(1).root()).isNull();

        @SuppressWarnings("unchecked")
        List<StoredCheckpoint> recent = (List<StoredCheckpoint>) model.get("recentCheckpoints");
        assertThat(recent).extracting(StoredCheckpoint::treeSize).containsExactly(2L, 9L, 5L);
        assertThat(recent.get(2).stampedAt()).isEqualTo(now.minusSeconds(119));
        assertThat(model.get("checkpointsUnavailable")).isNull();
    }

    @Test
    void checkpointsThatCannotBeReadAreSaidSoAndTheRestOfThePageStays() throws Exception {
        var pool = db.pool();
        ConsoleTrailController controller = new ConsoleTrailController(
                new TrailQueries(pool, Set.of("gerbang-a")), new TrailCheckpoints(pool), null, null, null);
        pool.close();
        ExtendedModelMap model = new ExtendedModelMap();
        controller.checkpoints(model);
        assertThat(model.get("checkpointsUnavailable")).isEqualTo(true);
        assertThat(model.get("latestCheckpoints")).isNull();
    }
}
