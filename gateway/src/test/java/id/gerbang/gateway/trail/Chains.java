package id.gerbang.gateway.trail;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds valid trails in memory, as the store would: several nodes, interleaved, ids in commit order. */
final class Chains {

    static final Instant T0 = Instant.parse("2026-11-27T01:00:00Z");

    private final Map<String, AuditRecord> heads = new HashMap<>();
    private final List<AuditRecord> records = new ArrayList<>();
    private long nextId = 1;

    /** The next record of {@code node}: a call of {@code client} answered with {@code status}. */
    AuditRecord add(String node, String client, int status) {
        AuditRecord head = heads.get(node);
        long seq = head == null ? 1 : head.nodeSeq() + 1;
        String prev = head == null ? AuditRecord.GENESIS : head.hash();
        Instant at = T0.plusMillis(1000L * records.size());
        AuditRecord r = AuditRecord.chain(entry(at, client, status), node, seq, prev).withId(nextId++);
        heads.put(node, r);
        records.add(r);
        return r;
    }

    /** The next record of {@code node}: a {@code trail-purge} announcing {@code checkpoint}'s node, sequence number and hash. */
    AuditRecord addPurge(String node, AuditRecord checkpoint) {
        AuditRecord head = heads.get(node);
        long seq = head == null ? 1 : head.nodeSeq() + 1;
        String prev = head == null ? AuditRecord.GENESIS : head.hash();
        AuditRecord r = AuditRecord.chain(purge(T0.plusMillis(1000L * records.size()), checkpoint), node, seq, prev)
                .withId(nextId++);
        heads.put(node, r);
        records.add(r);
        return r;
    }

    /** A purge's record, as {@link TrailRetention} writes it, announcing one checkpoint. */
    static TrailEntry purge(Instant at, AuditRecord through) {
        String detail = "{\"action\":\"purge\",\"before\":\"" + RecordHash.format(at) + "\",\"checkpoints\":[{\"node\":\""
                + through.node() + "\",\"throughSeq\":" + through.nodeSeq() + ",\"throughHash\":\"" + through.hash()
                + "\",\"records\":" + through.nodeSeq() + "}]}";
        return new TrailEntry(TrailEntry.Kind.TRAIL_PURGE, at, at, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, detail);
    }

    static TrailEntry entry(Instant at, String client, int status) {
        return new TrailEntry(TrailEntry.Kind.CALL, at, at.plusMillis(25), "corr-" + at.toEpochMilli(), client,
                "dinkes", "petugas-01", "disdukcapil-penduduk", 1L, "disdukcapil", "GET",
                "/api/disdukcapil/penduduk/140401**********", "nik=***", status, status >= 500 ? null : status,
                null, 25L, 20L, 0L, 321L, null, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", null);
    }

    /** Three nodes writing at once, their records interleaved: a1 b1 a2 c1 b2 a3 … ({@code n} in all). */
    static List<AuditRecord> interleaved(int n) {
        Chains c = new Chains();
        String[] nodes = {"gerbang-a", "gerbang-b", "gerbang-a", "gerbang-c", "gerbang-b"};
        for (int i = 0; i < n; i++) {
            c.add(nodes[i % nodes.length], i % 2 == 0 ? "dinkes-simpus" : "bapenda-sipd", i % 7 == 0 ? 403 : 200);
        }
        return c.records();
    }

    List<AuditRecord> records() {
        return new ArrayList<>(records);
    }
}
