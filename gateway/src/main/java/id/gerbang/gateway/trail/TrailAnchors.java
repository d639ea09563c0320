package id.gerbang.gateway.trail;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.sql.SQLException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * What ties a record to a signed checkpoint, for those who hold the record: the receipt of one call and
 * the anchor lines at the end of an NDJSON export (docs/trail.md, "Receipts" and "Anchor lines").
 * Everything here is read from the database; nothing is trusted by whoever checks it but the signature
 * of the checkpoint, with a key kept elsewhere.
 */
@Component
public class TrailAnchors {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TrailAnchors.class);

    /** One record's anchor: the checkpoint that covers it and the record's inclusion proof in that tree. */
    public record Anchor(String node, long seq, StoredCheckpoint checkpoint, List<byte[]> proof) {

        ArrayNode proofJson(ObjectNode into, String name) {
            ArrayNode a = into.putArray(name);
            for (byte[] h : proof) {
                a.add(Base64.getEncoder().encodeToString(h));
            }
            return a;
        }
    }

    private final TrailCheckpoints checkpoints;
    private final TrailProofs proofs;

    public TrailAnchors(TrailCheckpoints checkpoints, TrailProofs proofs) {
        this.checkpoints = checkpoints;
        this.proofs = proofs;
    }

    /** The first checkpoint covering the node's record {@code seq}, with the record's proof; empty until one is signed. */
    public Optional<Anchor> covering(String node, long seq) throws SQLException {
        Optional<StoredCheckpoint> cp = checkpoints.firstCovering(node, seq);
        if (cp.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Anchor(node, seq, cp.get(), proofs.inclusion(node, seq, cp.get().treeSize())));
    }

    /**
     * The anchor of an export's stretch of a node's chain, records {@code firstSeq} to {@code lastSeq}: the
     * checkpoint covering {@code lastSeq} and its proof; when none covers it yet (the usual case for the
     * newest records: an export of the whole trail ends with its own reading's record), the node's latest
     * checkpoint and the proof of the last record it covers, provided that record is in the stretch; else
     * none: no checkpoint covers any of the stretch.
     */
    public Optional<Anchor> ofStretch(String node, long firstSeq, long lastSeq) throws SQLException {
        Optional<Anchor> covering = covering(node, lastSeq);
        if (covering.isPresent()) {
            return covering;
        }
        Optional<StoredCheckpoint> latest = checkpoints.latest(node);
        if (latest.isEmpty() || latest.get().treeSize() < firstSeq || latest.get().treeSize() < 1) {
            return Optional.empty();
        }
        long seq = latest.get().treeSize();
        return Optional.of(new Anchor(node, seq, latest.get(), proofs.inclusion(node, seq, seq)));
    }

    /** The JSON line that ends an export for one node: {@code {"kind":"anchor","node","seq","checkpoint","proof"}}. */
    public static String line(Anchor a) {
        ObjectNode o = TrailJson.MAPPER.createObjectNode();
        o.put("kind", "anchor").put("node", a.node()).put("seq", a.seq()).put("checkpoint", a.checkpoint().note());
        a.proofJson(o, "proof");
        return o.toString();
    }

    /** A receipt: {@code {"record":{...},"checkpoint":"<signed note>","proof":[...]}}. */
    public static ObjectNode receipt(AuditRecord record, Anchor a) {
        ObjectNode o = TrailJson.MAPPER.createObjectNode();
        o.set("record", TrailJson.MAPPER.valueToTree(record));
        o.put("checkpoint", a.checkpoint().note());
        a.proofJson(o, "proof");
        return o;
    }

    /**
     * Follows an export as it is written: per node, the first and last sequence number streamed, so that the
     * anchor lines can be written after the last record.
     */
    public static final class Stretches implements TrailQueries.RecordSink {

        private final TrailQueries.RecordSink next;
        private final Map<String, long[]> ranges = new LinkedHashMap<>();

        public Stretches(TrailQueries.RecordSink next) {
            this.next = next;
        }

        @Override
        public void accept(AuditRecord r) throws IOException {
            next.accept(r);
            long[] range = ranges.get(r.node());
            if (range == null) {
                ranges.put(r.node(), new long[] {r.nodeSeq(), r.nodeSeq()});
            } else {
                range[0] = Math.min(range[0], r.nodeSeq());
                range[1] = Math.max(range[1], r.nodeSeq());
            }
        }

        /** Writes one anchor line per node streamed that a checkpoint covers, nodes in the order first met. */
        public void writeAnchors(Writer out, TrailAnchors anchors) throws IOException, SQLException {
            for (Map.Entry<String, long[]> e : ranges.entrySet()) {
                Optional<Anchor> a;
                try {
                    a = anchors.ofStretch(e.getKey(), e.getValue()[0], e.getValue()[1]);
                } catch (IllegalArgumentException | IllegalStateException broken) {
                    // the stored tree does not hold what its checkpoint covers (rows removed from the database):
                    // no anchor line for the node; verification against kept checkpoints reports it
                    log.error("No anchor line for node {}: its stored tree does not serve its checkpoint: {}",
                            e.getKey(), broken.getMessage());
                    continue;
                }
                if (a.isPresent()) {
                    out.write(line(a.get()));
                    out.write('\n');
                }
            }
        }
    }
}
