package id.gerbang.it.support;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A node's signed checkpoints as a client with the audit role reads them through a gateway. */
public final class Checkpoints {

    /** Long enough for a checkpoint and its timestamp on a busy 2-core machine. */
    public static final Duration PATIENCE = Duration.ofSeconds(90);

    private Checkpoints() {}

    /**
     * Waits, asking {@code via}, for a checkpoint of {@code node} covering at least {@code size} records,
     * with its timestamp; returns the size of the one seen.
     */
    public static long awaitStamped(Gateway via, String node, long size) {
        return await(node + "'s checkpoint of at least " + size + " records, stamped").atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(300)).until(() -> stampedSize(via, node), s -> s >= size);
    }

    /** The size of the node's latest checkpoint when it is stamped, else -1. */
    public static long stampedSize(Gateway via, String node) throws Exception {
        HttpResponse<String> latest = via.get("/audit/checkpoints/" + node + "/latest", "inspektorat-audit");
        if (latest.statusCode() != 200) {
            return -1;
        }
        long size = Long.parseLong(latest.body().split("\n")[1]);
        HttpResponse<String> list = via.get("/audit/checkpoints?node=" + node + "&limit=1000", "inspektorat-audit");
        for (JsonNode entry : Gateway.json(list.body())) {
            if (entry.path("note").asText().equals(latest.body())) {
                return entry.path("timestampToken").isTextual() ? size : -1;
            }
        }
        return -1;
    }
}
