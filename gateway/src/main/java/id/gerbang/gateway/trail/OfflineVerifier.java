package id.gerbang.gateway.trail;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;
import id.gerbang.gateway.anchor.Checkpoint;
import id.gerbang.gateway.anchor.NoteVerifier;
import id.gerbang.gateway.anchor.SignedNote;
import id.gerbang.gateway.anchor.SigningKeys;

/**
 * Verifies an NDJSON export of the trail without a gateway, a database or Spring:
 * {@code java -jar gerbang.jar verify trail.ndjson} (or {@code -} for standard input). Reads one line at
 * a time (constant memory, any size), checks every record with the same {@link TrailVerifier} as
 * {@code GET /audit/verify}, and prints the same fields as one JSON line on standard output, and a line
 * for people on standard error. It has no configuration: {@code --nodes a,b} gives the nodes that write
 * the trail (records of any other node are then invalid); without it, the nodes found are listed. A
 * node's first records in the file link to a retention checkpoint only when a {@code trail-purge} record
 * in the file, itself verified, announces it; otherwise the result notes where checking started. With
 * {@code --keys FILE} (the verifier keys trusted) the export's anchor lines, and the checkpoints kept in
 * the files after {@code --checkpoint}, are checked by an {@link AnchorVerifier} (docs/trail.md, "Against
 * signed checkpoints").
 *
 * <p>Exit status: 0 valid, 1 invalid (a record fails, or a line is not a record), 2 usage or read error.
 */
public final class OfflineVerifier {

    public static final int VALID = 0;
    public static final int INVALID = 1;
    public static final int ERROR = 2;

    private OfflineVerifier() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        java.util.Set<String> nodes = null;
        String name = null;
        String keysFile = null;
        List<String> checkpointFiles = new ArrayList<>();
        boolean usage = false;
        boolean inCheckpoints = false;
        for (int i = 0; i < args.length && !usage; i++) {
            if (args[i].equals("--nodes") && i + 1 < args.length && nodes == null) {
                inCheckpoints = false;
                nodes = new java.util.TreeSet<>();
                for (String n : args[++i].split(",")) {
                    if (!n.isBlank()) {
                        nodes.add(n.strip());
                    }
                }
                usage = nodes.isEmpty();
            } else if (args[i].equals("--keys") && i + 1 < args.length && keysFile == null) {
                inCheckpoints = false;
                keysFile = args[++i];
            } else if (args[i].equals("--checkpoint")) {
                inCheckpoints = true;
                usage = i + 1 >= args.length || args[i + 1].startsWith("--");
            } else if (inCheckpoints && !args[i].startsWith("--")) {
                checkpointFiles.add(args[i]);
            } else if (name == null && !args[i].startsWith("--") && !args[i].equals("-h")) {
                name = args[i];
            } else {
                usage = true;
            }
        }
        if (usage || name == null || (!checkpointFiles.isEmpty() && keysFile == null)) {
            err.println("usage: java -jar gerbang.jar verify [--nodes NODE,NODE...] <export.ndjson> "
                    + "[--checkpoint FILE...] [--keys FILE]   (- reads standard input)");
            err.println("Verifies an NDJSON export of the trail (GET /audit/export?format=ndjson); "
                    + "exit status 0 valid, 1 invalid, 2 usage or read error.");
            err.println("--nodes: the nodes that write the trail (gerbang.trail.nodes); a record of any other node is invalid.");
            err.println("--keys: the verifier keys you trust, one per line (as GET /audit/keys serves them); the export's "
                    + "anchor lines and the checkpoints are checked against them.");
            err.println("--checkpoint: signed checkpoints you kept (GET /audit/checkpoints/{node}/latest), one per file; "
                    + "they need --keys.");
            return ERROR;
        }
        List<NoteVerifier> keys = null;
        List<String> kept = new ArrayList<>();
        try {
            if (keysFile != null) {
                keys = SigningKeys.readTrustedKeys(Path.of(keysFile));
            }
            for (String file : checkpointFiles) {
                String note = Files.readString(Path.of(file), StandardCharsets.UTF_8);
                try {
                    Checkpoint.parse(SignedNote.parse(note).text());
                } catch (IllegalArgumentException e) {
                    err.println("gerbang verify: " + file + " is not a signed checkpoint: " + e.getMessage());
                    return ERROR;
                }
                kept.add(note);
            }
        } catch (NoSuchFileException e) {
            err.println("gerbang verify: no such file: " + e.getFile());
            return ERROR;
        } catch (IOException | java.io.UncheckedIOException | IllegalArgumentException e) {
            err.println("gerbang verify: " + e.getMessage());
            return ERROR;
        }
        TrailVerifier verifier = new TrailVerifier(nodes);
        AnchorVerifier anchors = keys == null ? null : new AnchorVerifier(null, keys);
        Export export = new Export(verifier, anchors, kept);
        TrailVerifier.Result result;
        try (BufferedReader in = reader(name)) {
            result = verify(in, export);
        } catch (NoSuchFileException e) {
            err.println("gerbang verify: no such file: " + name);
            return ERROR;
        } catch (IOException e) {
            err.println("gerbang verify: cannot read " + name + ": " + e);
            return ERROR;
        }
        out.println(TrailJson.result(result).toString());
        out.flush();
        if (result.valid()) {
            err.println("VALID: " + result.checked() + " record(s) checked, every hash and every link holds"
                    + (result.reason() == null ? "" : "; " + result.reason()));
            if (nodes == null) {
                // without the list, a node invented in the database verifies like any other: name them all
                err.println("nodes not checked against a list (--nodes): " + String.join(", ", verifier.nodes()));
            }
        } else {
            err.println("INVALID: " + (result.firstInvalid() == null ? "" : "record " + result.firstInvalid() + ": ")
                    + result.reason());
        }
        if (export.anchorLines == 0) {
            err.println("no anchor lines: nothing in this export anchors its records to a signed checkpoint "
                    + "(an export made before checkpoints were signed)");
        } else if (anchors == null) {
            err.println(export.anchorLines + " anchor line(s) not checked: give the verifier keys you trust with --keys");
        }
        return result.valid() ? VALID : INVALID;
    }

    /** An export being read: its records, its anchor lines, and what they are checked against. */
    static final class Export {
        final TrailVerifier verifier;
        final AnchorVerifier anchors;
        /** kept checkpoints not yet given to a node (given when the node's first record is read) */
        final List<String> kept;
        final java.util.Map<String, AuditRecord> last = new java.util.HashMap<>();
        /** per node, the hashes of its latest records: an anchor line may prove one a little before the last */
        final java.util.Map<String, RecentHashes> recent = new java.util.HashMap<>();
        final List<JsonNode> anchorLineNodes = new ArrayList<>();
        long anchorLines;
        Instant latestRequest;

        Export(TrailVerifier verifier, AnchorVerifier anchors, List<String> kept) {
            this.verifier = verifier;
            this.anchors = anchors;
            this.kept = new ArrayList<>(kept);
        }

        boolean accept(AuditRecord r) {
            if (!verifier.accept(r)) {
                return false;
            }
            if (anchors != null) {
                if (!last.containsKey(r.node())) {
                    anchors.node(r.node(), r.nodeSeq(), null, keptOf(r.node()).iterator());
                }
                anchors.accept(r);
            }
            last.put(r.node(), r);
            recent.computeIfAbsent(r.node(), n -> new RecentHashes()).add(r.nodeSeq(), r.hash());
            if (latestRequest == null || r.requestAt().isAfter(latestRequest)) {
                latestRequest = r.requestAt();
            }
            return true;
        }

        /** The kept checkpoints of a node (their origin ends in /node), by tree size. */
        List<String> keptOf(String node) {
            List<String> mine = new ArrayList<>();
            for (java.util.Iterator<String> it = kept.iterator(); it.hasNext(); ) {
                String note = it.next();
                if (Checkpoint.parse(SignedNote.parse(note).text()).origin().endsWith("/" + node)) {
                    mine.add(note);
                    it.remove();
                }
            }
            mine.sort(java.util.Comparator.comparingLong(n -> Checkpoint.parse(SignedNote.parse(n).text()).treeSize()));
            return mine;
        }

        TrailVerifier.Result result() {
            TrailVerifier.Result chain = verifier.result();
            if (anchors == null || !chain.valid()) {
                return anchors == null ? chain : AnchorVerifier.merge(chain, anchors.report());
            }
            for (JsonNode line : anchorLineNodes) {
                String node = line.path("node").asText();
                long seq = line.path("seq").asLong();
                List<byte[]> proof = new ArrayList<>();
                for (JsonNode p : line.path("proof")) {
                    try {
                        proof.add(java.util.Base64.getDecoder().decode(p.asText()));
                    } catch (IllegalArgumentException e) {
                        proof.add(new byte[0]); // refused by the proof's check
                    }
                }
                RecentHashes hashes = recent.get(node);
                anchors.anchorLine(node, seq, hashes == null ? null : hashes.get(seq), line.path("checkpoint").asText(), proof);
            }
            // kept checkpoints of nodes without a record here: all of them cover records the export lacks
            for (String note : new ArrayList<>(kept)) {
                String origin = Checkpoint.parse(SignedNote.parse(note).text()).origin();
                String node = origin.substring(origin.lastIndexOf('/') + 1);
                anchors.node(node, 1, null, keptOf(node).iterator());
            }
            Instant reach = latestRequest;
            for (String node : anchors.nodes()) {
                // a checkpoint signed before the export's latest request covers records the export should hold
                anchors.end(node, -1, signedAt -> reach != null && !reach.isBefore(signedAt));
            }
            return AnchorVerifier.merge(chain, anchors.report());
        }
    }

    /** How an NDJSON export's anchor lines begin (docs/trail.md, "Anchor lines"). */
    static final String ANCHOR_LINE = "{\"kind\":\"anchor\",";

    /**
     * The hashes of a node's latest {@value #KEPT} records, 32 bytes each: an anchor line proves the node's
     * last record, or, when no checkpoint covers it yet, the last one its latest checkpoint covers, signed
     * at most a checkpoint interval before the export.
     */
    static final class RecentHashes {
        static final int KEPT = 1 << 20;
        private byte[] hashes = new byte[32 * 1024];
        private long lastSeq = -1;
        private long count;

        void add(long seq, String hash) {
            int slot = (int) (seq % KEPT);
            if (32L * (slot + 1) > hashes.length) {
                hashes = java.util.Arrays.copyOf(hashes, (int) Math.min(32L * KEPT, Math.max(2L * hashes.length, 32L * (slot + 1))));
            }
            System.arraycopy(java.util.HexFormat.of().parseHex(hash), 0, hashes, 32 * slot, 32);
            lastSeq = seq;
            count++;
        }

        /** The hash of record {@code seq}, hex; {@code null} when it is not among the latest kept. */
        String get(long seq) {
            if (seq > lastSeq || seq <= lastSeq - Math.min(count, KEPT) || seq < 1) {
                return null;
            }
            int slot = (int) (seq % KEPT);
            return java.util.HexFormat.of().formatHex(hashes, 32 * slot, 32 * slot + 32);
        }
    }

    /** Feeds every line to the verifier, stopping at the first failure. */
    static TrailVerifier.Result verify(BufferedReader in, TrailVerifier verifier) throws IOException {
        return verify(in, new Export(verifier, null, List.of()));
    }

    /** Feeds every record line to the export's checks and keeps its anchor lines, stopping at the first failure. */
    static TrailVerifier.Result verify(BufferedReader in, Export export) throws IOException {
        long lineNo = 0;
        for (String line; (line = in.readLine()) != null; ) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith(ANCHOR_LINE)) { // an export's anchor lines close it: not records of the chain
                JsonNode anchor;
                try {
                    anchor = TrailJson.MAPPER.readTree(line);
                } catch (JsonProcessingException e) {
                    anchor = null;
                }
                if (anchor == null || !anchor.path("node").isTextual() || !anchor.path("seq").canConvertToLong()
                        || !anchor.path("checkpoint").isTextual() || !anchor.path("proof").isArray()) {
                    TrailVerifier.Result sofar = export.verifier.result();
                    return new TrailVerifier.Result(false, sofar.checked(), null, "line " + lineNo
                            + " is not an anchor line ({\"kind\":\"anchor\",\"node\",\"seq\",\"checkpoint\",\"proof\"})");
                }
                export.anchorLines++;
                export.anchorLineNodes.add(anchor);
                continue;
            }
            AuditRecord r;
            try {
                r = TrailJson.parse(line);
            } catch (JsonProcessingException e) {
                TrailVerifier.Result sofar = export.verifier.result();
                return new TrailVerifier.Result(false, sofar.checked(), null,
                        "line " + lineNo + " is not an audit record: " + e.getOriginalMessage());
            }
            if (!export.accept(r)) {
                break;
            }
        }
        return export.result();
    }

    private static BufferedReader reader(String name) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        if (name.equals("-")) {
            return new BufferedReader(new InputStreamReader(System.in, decoder), 1 << 16);
        }
        return new BufferedReader(new InputStreamReader(Files.newInputStream(Path.of(name)), decoder), 1 << 16);
    }
}
