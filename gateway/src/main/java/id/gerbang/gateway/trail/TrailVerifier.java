package id.gerbang.gateway.trail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a stretch of the trail, fed one record at a time, each node's records in chain order (export
 * order: by id). For every record: its node must be one of the expected nodes, when they are given (a
 * node invented in the database has a chain as valid as any other: only the configuration knows which
 * nodes exist); its hash must match its content (an edit changes it); its sequence number must follow
 * the node's previous one (a deletion leaves a gap, an insertion or reordering breaks the order); its
 * {@code prevHash} must be the previous record's hash (a forged record cannot be slid in). The first
 * record seen of a node is the anchor of that node's stretch: it links to the predecessor given by
 * {@link #anchor}, to the genesis hash when it is the node's first record, to a retention
 * {@link #checkpoint}, and is otherwise taken as the start (the result says so).
 *
 * <p><b>Checkpoints are proven, not trusted.</b> A checkpoint says that a node's records up to some
 * sequence number were purged; anyone who can write the database can claim that. It holds only when a
 * {@code trail-purge} record that passed verification (here, or through {@link #announcedBy}) announces
 * exactly that node, sequence number and hash, and, when it is on the purged node's own chain, comes
 * after the purged records. Otherwise the purged records count as deleted. Pure: no store, no Spring.
 */
public final class TrailVerifier {

    /**
     * @param firstInvalid the {@code id} of the first record that fails, {@code null} when valid
     * @param reason       why it fails; when valid, a note on where checking started, or {@code null}
     * @param anchoring    the check against signed checkpoints; {@code null} where nothing anchors the trail
     *                     (no checkpoint and no trusted key)
     */
    public record Result(boolean valid, long checked, Long firstInvalid, String reason, AnchorVerifier.Report anchoring) {

        /** A result of the hash chain alone, without checkpoints. */
        public Result(boolean valid, long checked, Long firstInvalid, String reason) {
            this(valid, checked, firstInvalid, reason, null);
        }
    }

    private record Head(long seq, String hash) {}

    /** A node's stretch anchored on a retention checkpoint: the claim, and the first record that rests on it. */
    private record Claim(long seq, String hash, Instant purgedBefore) {}

    /** A stretch's first record, with nothing before it to link to. */
    private record Start(long seq, String prevHash, long id) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Set<String> expectedNodes;
    private final Map<String, Head> heads = new HashMap<>();
    private final Map<String, Head> anchors = new HashMap<>();
    private final Map<String, Claim> claims = new HashMap<>();
    private final Map<String, Long> restingOnClaim = new LinkedHashMap<>();
    private final Map<String, Start> unanchored = new LinkedHashMap<>();
    /** "node seq hash" of every checkpoint a verified trail-purge record announced, with that record's id. */
    private final Map<String, Long> announced = new HashMap<>();
    private long checked;
    private Long firstInvalid;
    private boolean failed;
    private String reason;
    private final StringBuilder notes = new StringBuilder();

    /** Any node's records are accepted: for checking an export without knowing which nodes exist. */
    public TrailVerifier() {
        this(null);
    }

    /** @param expectedNodes the nodes whose records may be on the trail; {@code null} accepts any */
    public TrailVerifier(Set<String> expectedNodes) {
        this.expectedNodes = expectedNodes == null ? null : Set.copyOf(expectedNodes);
    }

    /** The record just before the stretch, for a node whose stretch does not start at its first record. */
    public void anchor(String node, long seq, String hash) {
        anchors.put(node, new Head(seq, hash));
    }

    /**
     * The node's records up to {@code seq} are said to have been purged, the last with {@code hash}: its
     * stretch links to that, and the result is valid only if a verified {@code trail-purge} record
     * announces it.
     */
    public void checkpoint(String node, long seq, String hash, Instant purgedBefore) {
        anchors.put(node, new Head(seq, hash));
        claims.put(node, new Claim(seq, hash, purgedBefore));
    }

    /** A {@code trail-purge} record verified on its own chain, outside the stretch fed to {@link #accept}. */
    public void announcedBy(AuditRecord purge) {
        if (!TrailEntry.Kind.TRAIL_PURGE.value().equals(purge.kind()) || purge.detail() == null) {
            return;
        }
        JsonNode checkpoints;
        try {
            checkpoints = JSON.readTree(purge.detail()).path("checkpoints");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return; // announces nothing
        }
        for (JsonNode cp : checkpoints) {
            String node = cp.path("node").asText(null);
            long seq = cp.path("throughSeq").asLong(-1);
            String hash = cp.path("throughHash").asText(null);
            if (node == null || hash == null || seq < 1) {
                continue;
            }
            if (node.equals(purge.node()) && purge.nodeSeq() <= seq) {
                continue; // a purge is recorded before the records it purges: it cannot be among them
            }
            announced.putIfAbsent(key(node, seq, hash), purge.id());
        }
    }

    /** A remark for a valid result. */
    public void note(String remark) {
        notes.append(notes.length() == 0 ? "" : "; ").append(remark);
    }

    /** @return {@code false} once a record has failed; later records are not checked */
    public boolean accept(AuditRecord r) {
        if (failed) {
            return false;
        }
        checked++;
        if (expectedNodes != null && !expectedNodes.contains(r.node())) {
            return fail(r, "unknown node: " + r.node() + " is not one of the nodes this trail is written by ("
                    + String.join(", ", new TreeSet<>(expectedNodes)) + "); its records were not written by a known node");
        }
        if (!RecordHash.known(r.hashVersion())) {
            return fail(r, "hash version " + r.hashVersion() + " is not one this verifier knows (1 to "
                    + RecordHash.CURRENT + "): the record was changed, or written by a newer gateway (verify with it)");
        }
        if (r.hashVersion() == 1 && r.parentCorrelationId() != null) {
            return fail(r, "a version 1 record has a parentCorrelationId, which its hash does not cover: the record "
                    + "was changed");
        }
        String actual = RecordHash.of(r);
        if (!actual.equals(r.hash())) {
            return fail(r, "hash does not match the record's content: the record was changed");
        }
        Head head = heads.get(r.node());
        if (head == null) {
            head = anchors.get(r.node());
            if (head == null && r.nodeSeq() == 1) {
                head = new Head(0, AuditRecord.GENESIS);
            }
            if (head == null) {
                unanchored.put(r.node(), new Start(r.nodeSeq(), r.prevHash(), r.id() == null ? 0 : r.id()));
                heads.put(r.node(), new Head(r.nodeSeq(), r.hash()));
                announcedBy(r);
                return true;
            }
            if (claims.containsKey(r.node())) {
                restingOnClaim.put(r.node(), r.id());
            }
        }
        if (r.nodeSeq() <= head.seq()) {
            return fail(r, "record " + r.nodeSeq() + " of node " + r.node() + " comes after record " + head.seq()
                    + ": the trail was reordered or a record inserted");
        }
        if (r.nodeSeq() != head.seq() + 1) {
            return fail(r, "records " + (head.seq() + 1) + " to " + (r.nodeSeq() - 1) + " of node " + r.node()
                    + " are missing: deleted (or moved elsewhere in the trail)");
        }
        if (!head.hash().equals(r.prevHash())) {
            return fail(r, "prevHash does not match the hash of record " + head.seq() + " of node " + r.node()
                    + ": a record was inserted, replaced or reordered");
        }
        heads.put(r.node(), new Head(r.nodeSeq(), r.hash()));
        announcedBy(r);
        return true;
    }

    public Result result() {
        if (failed) {
            return new Result(false, checked, firstInvalid, reason);
        }
        StringBuilder note = new StringBuilder();
        for (Map.Entry<String, Long> e : restingOnClaim.entrySet()) {
            String node = e.getKey();
            Claim claim = claims.get(node);
            Long by = announced.get(key(node, claim.seq(), claim.hash()));
            if (by == null) {
                return new Result(false, checked, e.getValue(), "records 1 to " + claim.seq() + " of node " + node
                        + " are missing: the retention checkpoint that would account for them is not announced by a "
                        + "trail-purge record on a verified chain (node " + node + ", record " + (claim.seq() + 1) + ")");
            }
            append(note, "node " + node + " starts after its retention checkpoint (records 1 to " + claim.seq()
                    + (claim.purgedBefore() == null ? "" : ", begun before " + RecordHash.format(claim.purgedBefore()))
                    + ", were purged, as record " + by + " announced)");
        }
        StringBuilder from = new StringBuilder();
        for (Map.Entry<String, Start> e : unanchored.entrySet()) {
            Start s = e.getValue();
            Long by = announced.get(key(e.getKey(), s.seq() - 1, s.prevHash()));
            if (by != null) {
                append(note, "node " + e.getKey() + " starts after its retention checkpoint (records 1 to "
                        + (s.seq() - 1) + " were purged, as record " + by + " announced)");
            } else {
                from.append(from.length() == 0 ? "" : ", ").append(e.getKey()).append(" at ").append(s.seq());
            }
        }
        if (notes.length() > 0) {
            append(note, notes.toString());
        }
        if (from.length() > 0) {
            append(note, "checked from the first record present of each node (" + from + ")");
        }
        return new Result(true, checked, null, note.length() == 0 ? null : "valid; " + note);
    }

    /** The nodes whose records were checked. */
    public Set<String> nodes() {
        return new TreeSet<>(heads.keySet());
    }

    private static void append(StringBuilder note, String remark) {
        note.append(note.length() == 0 ? "" : "; ").append(remark);
    }

    private static String key(String node, long seq, String hash) {
        return node + ' ' + seq + ' ' + hash;
    }

    private boolean fail(AuditRecord r, String why) {
        failed = true;
        firstInvalid = r.id();
        reason = why + " (node " + r.node() + ", record " + r.nodeSeq() + ")";
        return false;
    }
}
