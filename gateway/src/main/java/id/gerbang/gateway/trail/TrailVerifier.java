package id.gerbang.gateway.trail;

import java.util.HashMap;
import java.util.Map;

/**
 * Checks a stretch of the trail, fed one record at a time, each node's records in chain order (export
 * order: by id). For every record: its hash must match its content (an edit changes it); its sequence
 * number must follow the node's previous one (a deletion leaves a gap, an insertion or reordering breaks
 * the order); its {@code prevHash} must be the previous record's hash (a forged record cannot be slid
 * in). The first record seen of a node is the anchor of that node's stretch: it links to the
 * predecessor given by {@link #anchor}, to the genesis hash when it is the node's first record, and is
 * otherwise taken as the start (the result says so). Pure: no store, no Spring.
 */
public final class TrailVerifier {

    /**
     * @param firstInvalid the {@code id} of the first record that fails, {@code null} when valid
     * @param reason       why it fails; when valid, a note on where checking started, or {@code null}
     */
    public record Result(boolean valid, long checked, Long firstInvalid, String reason) {}

    private record Head(long seq, String hash) {}

    private final Map<String, Head> heads = new HashMap<>();
    private final Map<String, Head> anchors = new HashMap<>();
    private long checked;
    private Long firstInvalid;
    private boolean failed;
    private String reason;
    private final StringBuilder unanchored = new StringBuilder();
    private final StringBuilder notes = new StringBuilder();

    /** The record just before the stretch, for a node whose stretch does not start at its first record. */
    public void anchor(String node, long seq, String hash) {
        anchors.put(node, new Head(seq, hash));
    }

    /** A remark for a valid result (a stretch that starts at a retention checkpoint, say). */
    public void note(String remark) {
        notes.append(notes.length() == 0 ? "" : "; ").append(remark);
    }

    /** @return {@code false} once a record has failed; later records are not checked */
    public boolean accept(AuditRecord r) {
        if (failed) {
            return false;
        }
        checked++;
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
                unanchored.append(unanchored.length() == 0 ? "" : ", ").append(r.node()).append(" at ").append(r.nodeSeq());
                heads.put(r.node(), new Head(r.nodeSeq(), r.hash()));
                return true;
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
        return true;
    }

    public Result result() {
        if (failed) {
            return new Result(false, checked, firstInvalid, reason);
        }
        StringBuilder note = new StringBuilder(notes);
        if (unanchored.length() > 0) {
            note.append(note.length() == 0 ? "" : "; ")
                    .append("checked from the first record present of each node (").append(unanchored).append(")");
        }
        return new Result(true, checked, null, note.length() == 0 ? null : "valid; " + note);
    }

    private boolean fail(AuditRecord r, String why) {
        failed = true;
        firstInvalid = r.id();
        reason = why + " (node " + r.node() + ", record " + r.nodeSeq() + ")";
        return false;
    }
}
