package id.gerbang.gateway.trail;

import id.gerbang.gateway.anchor.Checkpoint;
import id.gerbang.gateway.anchor.MerkleNode;
import id.gerbang.gateway.anchor.MerkleNodeStore;
import id.gerbang.gateway.anchor.MerkleTree;
import id.gerbang.gateway.anchor.NoteVerifier;
import id.gerbang.gateway.anchor.SignedNote;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a stretch of the trail against the signed checkpoints that cover it (docs/trail.md,
 * "Verification"), fed the same records as {@link TrailVerifier}, in chain order per node. Trust comes only
 * from the verifier keys given ({@code gerbang.trail.trusted-keys} on a node, {@code --keys} offline), never
 * from the database: a checkpoint whose signature no trusted key of its node verifies proves nothing and
 * is reported.
 *
 * <p>Per node it recomputes the tree's root from the records' own hashes as they stream by: only the right
 * edge of the tree is kept (at most 64 hashes, {@link MerkleTree} over a store that keeps nothing), and
 * each time the records reach a checkpoint's size the root is compared with the one signed. A stretch
 * that does not start at the node's first record (a period, or records purged under retention) starts
 * from the stored tree's right edge just before it: a root commits to every leaf under it, so the stretch's
 * records are still checked; what lies before them is not (it is checked by verifying the whole trail, or,
 * for purged records, exists only in the stored tree). Reported, each naming the node and the sizes: a
 * checkpoint signed by no trusted key, a key published only in the database, records of a node without a
 * trusted key, a checkpoint covering more records than the chain holds (truncation), a root that the
 * records do not give (rewrite), and a stored tree that disagrees with its records. Pure: no store, no
 * Spring.
 */
public final class AnchorVerifier {

    /** What is wrong, as the report names it. */
    public enum Problem {
        UNTRUSTED_CHECKPOINT("untrusted-checkpoint"),
        KEY_ONLY_IN_DATABASE("key-only-in-database"),
        NO_TRUSTED_KEY("no-trusted-key"),
        TRUNCATED("truncated"),
        REWRITTEN("rewritten"),
        STORED_TREE_DISAGREES("stored-tree-disagrees");

        private final String value;

        Problem(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }
    }

    /**
     * One problem found.
     *
     * @param treeSize the checkpoint's (or the stored tree's) size, {@code null} when none is concerned
     * @param records  how many records of the node the chain (or the export) holds, {@code null} when unknown
     */
    public record Finding(String node, Problem problem, Long treeSize, Long records, String detail) {}

    /**
     * How far a node's records were checked against checkpoints.
     *
     * @param records         the node's last record checked ({@code nodeSeq})
     * @param anchoredThrough the largest checkpoint whose root the records gave ({@code null}: none)
     * @param checkpoints     how many checkpoints were checked against the records
     */
    public record NodeReport(String node, long records, Long anchoredThrough, long checkpoints) {}

    /** The anchoring part of a verification's result. */
    public record Report(long checkpoints, List<NodeReport> nodes, List<Finding> findings, long moreFindings,
                         List<String> notes) {

        public Report {
            nodes = List.copyOf(nodes);
            findings = List.copyOf(findings);
            notes = List.copyOf(notes);
        }

        public boolean valid() {
            return findings.isEmpty();
        }
    }

    /** Findings kept in the report; more are counted. */
    static final int MAX_FINDINGS = 50;

    private final String origin;
    private final List<NoteVerifier> trusted;
    private final Map<String, NodeState> nodes = new LinkedHashMap<>();
    private final List<Finding> findings = new ArrayList<>();
    private long moreFindings;
    private final List<String> notes = new ArrayList<>();
    private long checkpointsChecked;

    /**
     * @param origin  the checkpoints' origin prefix ({@code gerbang.trail.origin}): a node's checkpoints are
     *                {@code <origin>/<node>}; {@code null} (offline, where it is not known): any origin
     *                ending in {@code /<node>}
     * @param trusted the verifier keys trusted; a key counts for the node its name is the origin of
     */
    public AnchorVerifier(String origin, Collection<NoteVerifier> trusted) {
        this.origin = origin;
        this.trusted = List.copyOf(trusted);
    }

    /** Whether a key name, or a checkpoint's origin, is the node's. */
    boolean isOf(String name, String node) {
        return origin == null ? name.endsWith("/" + node) : name.equals(origin + "/" + node);
    }

    /** The trusted keys of a node. */
    List<NoteVerifier> keysOf(String node) {
        return trusted.stream().filter(k -> isOf(k.name(), node)).toList();
    }

    /**
     * Declares a node before its records are fed: where its stretch starts, the stored tree just before it
     * (for a stretch that does not start at record 1; {@code null} when there is none to read), and its
     * signed checkpoints (notes exactly as signed) in ascending tree size, from the size the stretch can
     * check on. A node not declared is declared by its first record, with no checkpoint and no prefix.
     */
    public void node(String node, long firstSeq, MerkleNodeStore prefix, Iterator<String> checkpoints) {
        nodes.put(node, new NodeState(node, firstSeq, prefix, checkpoints));
    }

    /** Keys a node published in the database: a key that is not trusted is reported. */
    public void published(String node, String verifierKey) {
        NoteVerifier key;
        try {
            key = NoteVerifier.parse(verifierKey);
        } catch (IllegalArgumentException e) {
            find(node, Problem.KEY_ONLY_IN_DATABASE, null, null, "the key published for node " + node
                    + " in the database is not a verifier key (" + e.getMessage() + ")");
            return;
        }
        if (!trusted.contains(key)) {
            find(node, Problem.KEY_ONLY_IN_DATABASE, null, null, "the key " + key.name() + " (key ID " + key.keyIdHex()
                    + ") published for node " + node + " is found only in the database, not among the trusted keys: "
                    + "checkpoints it signs prove nothing");
        }
    }

    /** A remark for the report. */
    public void note(String remark) {
        notes.add(remark);
    }

    /** The next record of its node's stretch (which the hash chain checks); its hash is the next leaf. */
    public void accept(AuditRecord r) {
        NodeState s = nodes.get(r.node());
        if (s == null) {
            s = new NodeState(r.node(), r.nodeSeq(), null, Collections.emptyIterator());
            nodes.put(r.node(), s);
        }
        s.append(r);
    }

    /**
     * The node's stretch ended. Checkpoints left over cover records the stretch does not hold: a truncation
     * when {@code chainHolds} (how many records the node's chain holds; {@code -1}: unknown) is below their
     * size, or when {@code missing} says so for one signed at its time (offline: the export reaches past it);
     * otherwise they lie beyond what was checked.
     */
    public void end(String node, long chainHolds, java.util.function.Predicate<Instant> missing) {
        NodeState s = nodes.get(node);
        if (s != null) {
            s.end(chainHolds, missing);
        }
    }

    /**
     * Compares the stored tree with the records: {@code storedRoot} is the stored tree's root at
     * {@code size}, which the records fed so far must give as well (call when the node's records reached
     * {@code size}, or at the end).
     */
    public void storedTree(String node, long size, byte[] storedRoot) {
        NodeState s = nodes.get(node);
        if (s == null || size == 0) {
            return;
        }
        byte[] root = s.rootsAt.get(size);
        if (root == null) {
            if (s.tree != null && s.tree.size() == size) {
                root = s.tree.rootHash();
            } else {
                return;
            }
        }
        if (!MessageDigest.isEqual(root, storedRoot)) {
            find(node, Problem.STORED_TREE_DISAGREES, size, s.lastSeq, "the stored tree of node " + node + " at size " + size
                    + " does not have the root its records give: tree rows or records were changed in the database");
        }
    }

    /**
     * An export's anchor line: the checkpoint covering the node's last record in the export and that
     * record's inclusion proof (RFC 9162 §2.1.3). The record's hash commits to every record before it on
     * its chain, so a proof that it is leaf {@code seq - 1} of a tree a trusted key signed anchors the
     * node's whole stretch.
     *
     * @param recordHash the hash of the node's record {@code seq} as the export holds it; {@code null} when
     *                   the export does not hold it (or no longer has it at hand)
     */
    public void anchorLine(String node, long seq, String recordHash, String note, List<byte[]> proof) {
        NodeState s = nodes.get(node);
        Checkpoint cp;
        try {
            SignedNote signed = SignedNote.parse(note);
            cp = Checkpoint.parse(signed.text());
            if (!isOf(cp.origin(), node)) {
                find(node, Problem.UNTRUSTED_CHECKPOINT, cp.treeSize(), null, "the anchor line of node " + node
                        + " carries a checkpoint of " + cp.origin());
                return;
            }
            List<NoteVerifier> keys = keysOf(node);
            if (keys.isEmpty()) {
                return; // reported once, as records without a trusted key
            }
            signed.verify(keys);
        } catch (RuntimeException e) {
            find(node, Problem.UNTRUSTED_CHECKPOINT, sizeOf(note), null, "the checkpoint of the anchor line of node " + node
                    + " is not signed by a trusted key of the node: " + e.getMessage());
            return;
        }
        long last = s == null ? 0 : s.lastSeq;
        if (s == null || seq > last || seq < s.firstSeq) {
            find(node, Problem.REWRITTEN, cp.treeSize(), last, "the anchor line of node " + node + " proves record " + seq
                    + ", which the export does not hold (its records of the node end at " + last + "): records were added "
                    + "or removed after the export was made");
            return;
        }
        if (seq < last && cp.treeSize() != seq) {
            find(node, Problem.REWRITTEN, cp.treeSize(), last, "the anchor line of node " + node + " proves record " + seq
                    + ", neither the export's last record of the node (" + last + ") nor the last its checkpoint covers ("
                    + cp.treeSize() + ")");
            return;
        }
        if (recordHash == null) {
            notes.add("the anchor line of node " + node + " proves record " + seq + ", too far before the export's last record of "
                    + "the node (" + last + ") to be checked here");
            return;
        }
        checkpointsChecked++;
        s.checkpoints++;
        if (seq <= cp.treeSize() && MerkleTree.verifyInclusion(seq - 1, cp.treeSize(),
                MerkleTree.leafHash(HexFormat.of().parseHex(recordHash)), proof, cp.rootHash())) {
            s.anchoredThrough = Math.max(s.anchoredThrough, seq);
            s.anchorLine = true;
        } else {
            find(node, Problem.REWRITTEN, cp.treeSize(), last, "record " + seq + " of node " + node + " is not in the tree its "
                    + "checkpoint of size " + cp.treeSize() + " signed " + RecordHash.format(cp.time()) + " (the anchor line's "
                    + "inclusion proof fails): records 1 to " + seq + " were rewritten since");
        }
    }

    /** Whether an anchor line anchored the node's records. */
    public boolean anchoredByLine(String node) {
        NodeState s = nodes.get(node);
        return s != null && s.anchorLine;
    }

    /**
     * The stored tree holds more leaves than the node's chain has records (read before the records, so not
     * records written meanwhile): records were removed from the end of the chain.
     */
    public void storedTreeLonger(String node, long storedSize, long records) {
        find(node, Problem.TRUNCATED, storedSize, records, "the stored tree of node " + node + " holds " + storedSize
                + " leaves, but the chain holds " + records + " records: records " + (records + 1) + " to " + storedSize
                + " were removed");
    }

    /** The tree sizes at which {@link #storedTree} may be asked for this node (the caller names them first). */
    public void rootWanted(String node, long size) {
        NodeState s = nodes.get(node);
        if (s != null) {
            s.wanted.add(size);
        }
    }

    /** The nodes fed or declared. */
    public Set<String> nodes() {
        return new TreeSet<>(nodes.keySet());
    }

    /** The last record fed of a node, 0 if none. */
    public long lastSeq(String node) {
        NodeState s = nodes.get(node);
        return s == null ? 0 : s.lastSeq;
    }

    /** Records of every node declared or fed need a trusted key; call once, after the stream. */
    public Report report() {
        List<NodeReport> reports = new ArrayList<>();
        for (NodeState s : nodes.values()) {
            if (s.lastSeq > 0 && keysOf(s.node).isEmpty()) {
                find(s.node, Problem.NO_TRUSTED_KEY, null, s.lastSeq, "records 1 to " + s.lastSeq + " of node " + s.node
                        + " have no trusted key to check their checkpoints with: whoever can write the database "
                        + "can have rewritten them");
            }
            if (s.lastSeq > 0 && s.anchoredThrough < s.lastSeq && !keysOf(s.node).isEmpty()) {
                long from = Math.max(s.anchoredThrough, s.firstSeq - 1) + 1;
                notes.add("records " + from + " to " + s.lastSeq + " of node " + s.node
                        + " are not covered by a checkpoint checked here"
                        + (s.checkpoints == 0 && s.anchoredThrough == 0 ? "" : " (signed after them, or not yet)"));
            }
            if (s.skipped > 0) {
                notes.add(s.skipped + " checkpoint(s) of node " + s.node + " not checked: its records here start at "
                        + s.firstSeq + ", and a root needs every record from the first (or the stored tree before them)");
            }
            reports.add(new NodeReport(s.node, s.lastSeq, s.anchoredThrough == 0 ? null : s.anchoredThrough, s.checkpoints));
        }
        return new Report(checkpointsChecked, reports, findings, moreFindings, notes);
    }

    /**
     * The result of a verification with its anchoring: invalid when the chain is, or when anything was
     * found; the reason is the chain's, else the first finding's.
     */
    public static TrailVerifier.Result merge(TrailVerifier.Result chain, Report report) {
        if (!chain.valid() || report.valid()) {
            String reason = chain.reason();
            if (chain.valid() && !report.notes().isEmpty()) {
                reason = (reason == null ? "valid; " : reason + "; ") + String.join("; ", report.notes());
            }
            return new TrailVerifier.Result(chain.valid(), chain.checked(), chain.firstInvalid(), reason, report);
        }
        long more = report.findings().size() - 1 + report.moreFindings();
        String reason = report.findings().get(0).detail() + " (node " + report.findings().get(0).node() + ")"
                + (more > 0 ? "; and " + more + " more finding(s)" : "");
        return new TrailVerifier.Result(false, chain.checked(), null, reason, report);
    }

    private void find(String node, Problem problem, Long treeSize, Long records, String detail) {
        if (findings.size() < MAX_FINDINGS) {
            findings.add(new Finding(node, problem, treeSize, records, detail));
        } else {
            moreFindings++;
        }
    }

    /** A checkpoint read and checked against the trusted keys. */
    private record Signed(Checkpoint checkpoint) {
        long size() {
            return checkpoint.treeSize();
        }
    }

    private final class NodeState {
        final String node;
        final long firstSeq;
        final Iterator<String> feed;
        final MerkleTree tree;
        /** roots kept for {@link #storedTree}: at the sizes asked for */
        final Set<Long> wanted = new TreeSet<>();
        final Map<Long, byte[]> rootsAt = new LinkedHashMap<>();
        /** the records cannot give roots (no prefix for a stretch that starts late) */
        final boolean unreachable;
        Signed next;
        long lastSeq;
        long anchoredThrough;
        long checkpoints;
        boolean broken;
        long untrustedCount;
        long skipped;
        boolean anchorLine;

        NodeState(String node, long firstSeq, MerkleNodeStore prefix, Iterator<String> feed) {
            this.node = node;
            this.firstSeq = firstSeq;
            this.feed = feed;
            this.lastSeq = firstSeq - 1;
            MerkleTree t = null;
            boolean noPrefix = false;
            if (firstSeq <= 1) {
                t = new MerkleTree(new EdgeOnly(null));
            } else if (prefix != null) {
                try {
                    t = new MerkleTree(new EdgeOnly(prefix));
                } catch (IllegalStateException e) {
                    find(node, Problem.STORED_TREE_DISAGREES, firstSeq - 1, null, "the stored tree of node " + node
                            + " lacks nodes for records 1 to " + (firstSeq - 1) + ": checkpoints covering records from "
                            + firstSeq + " on cannot be checked (" + e.getMessage() + ")");
                    noPrefix = true;
                }
            } else {
                noPrefix = true;
            }
            this.tree = t;
            this.unreachable = noPrefix;
            advance();
            if (tree != null) {
                compareDue();
            }
        }

        /** Reads the next checkpoint of the feed that a trusted key signed; reports the others. */
        void advance() {
            next = null;
            while (next == null && feed.hasNext()) {
                String note = feed.next();
                Checkpoint cp;
                try {
                    SignedNote signed = SignedNote.parse(note);
                    cp = Checkpoint.parse(signed.text());
                    if (!isOf(cp.origin(), node)) {
                        untrusted(cp.treeSize(), "a checkpoint filed under node " + node + " has the origin " + cp.origin());
                        continue;
                    }
                    List<NoteVerifier> keys = keysOf(node);
                    if (keys.isEmpty()) {
                        continue; // reported once, as records without a trusted key
                    }
                    signed.verify(keys);
                } catch (RuntimeException e) {
                    untrusted(sizeOf(note), "the checkpoint of node " + node + (sizeOf(note) == null ? "" : " at size " + sizeOf(note))
                            + " is not signed by a trusted key of the node: " + e.getMessage());
                    continue;
                }
                next = new Signed(cp);
            }
        }

        private void untrusted(Long size, String detail) {
            untrustedCount++;
            find(node, Problem.UNTRUSTED_CHECKPOINT, size, null, detail);
        }

        void append(AuditRecord r) {
            if (broken) {
                return;
            }
            if (r.nodeSeq() != lastSeq + 1) {
                broken = true; // the chain's verifier reports it; roots past a gap mean nothing
                return;
            }
            lastSeq = r.nodeSeq();
            if (tree == null) {
                while (next != null && next.size() <= lastSeq) {
                    skipped++; // cannot be recomputed here: the stretch's start has no stored tree before it
                    advance();
                }
                return;
            }
            tree.append(HexFormat.of().parseHex(r.hash()));
            compareDue();
        }

        /** Compares the roots of the checkpoints the tree has reached (those of earlier sizes are skipped). */
        void compareDue() {
            long size = tree.size();
            if (wanted.contains(size)) {
                rootsAt.put(size, tree.rootHash());
            }
            while (next != null && next.size() <= size) {
                Checkpoint cp = next.checkpoint();
                if (cp.treeSize() == size) {
                    checkpoints++;
                    checkpointsChecked++;
                    if (MessageDigest.isEqual(tree.rootHash(), cp.rootHash())) {
                        anchoredThrough = Math.max(anchoredThrough, size);
                    } else {
                        find(node, Problem.REWRITTEN, size, lastSeq, "the records of node " + node + " do not give the root of its "
                                + "checkpoint of size " + size + " signed " + RecordHash.format(cp.time()) + ": records 1 to "
                                + size + " were rewritten since"
                                + (firstSeq > 1 ? " (or, before record " + firstSeq + ", the stored tree)" : ""));
                    }
                }
                advance();
            }
        }

        void end(long chainHolds, java.util.function.Predicate<Instant> missing) {
            if (broken) {
                return;
            }
            Signed largest = null;
            long beyond = 0;
            while (next != null) {
                beyond++;
                largest = next;
                advance();
            }
            if (largest == null) {
                return;
            }
            long size = largest.size();
            boolean truncated = chainHolds >= 0 ? size > chainHolds : missing != null && missing.test(largest.checkpoint().time());
            if (truncated) {
                long holds = chainHolds >= 0 ? chainHolds : lastSeq;
                find(node, Problem.TRUNCATED, size, holds, "the checkpoint of node " + node + " signed "
                        + RecordHash.format(largest.checkpoint().time()) + " covers " + size + " records, but the chain holds "
                        + holds + ": records " + (holds + 1) + " to " + size + " were removed"
                        + (beyond > 1 ? " (" + beyond + " checkpoints cover records beyond " + holds + ")" : ""));
            } else {
                notes.add(beyond + " checkpoint(s) of node " + node + " (up to size " + size + ") cover records after the "
                        + "last one checked (" + lastSeq + "), outside what was checked");
            }
        }
    }

    private static Long sizeOf(String note) {
        String[] lines = note.split("\n", 3);
        try {
            return lines.length > 1 ? Long.parseLong(lines[1]) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A base64 root hash, for messages. */
    static String b64(byte[] hash) {
        return Base64.getEncoder().encodeToString(hash);
    }

    /**
     * A tree store that keeps nothing but its size: {@link MerkleTree} then keeps only its right edge. Reads
     * go to the stored tree before the stretch, once, when the tree is built over it.
     */
    static final class EdgeOnly implements MerkleNodeStore {
        private final MerkleNodeStore prefix;
        private long size;

        EdgeOnly(MerkleNodeStore prefix) {
            this.prefix = prefix;
            this.size = prefix == null ? 0 : prefix.size();
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public byte[] node(int level, long index) {
            if (prefix == null || (index + 1) << level > prefix.size()) {
                throw new IllegalStateException("only the right edge of this tree is kept");
            }
            return prefix.node(level, index);
        }

        @Override
        public void append(List<MerkleNode> written) {
            size++;
        }
    }
}
