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

/**
 * Verifies an NDJSON export of the trail without a gateway, a database or Spring:
 * {@code java -jar gerbang.jar verify trail.ndjson} (or {@code -} for standard input). Reads one line at
 * a time (constant memory, any size), checks every record with the same {@link TrailVerifier} as
 * {@code GET /audit/verify}, and prints the same fields as one JSON line on standard output, and a line
 * for people on standard error. It has no configuration: {@code --nodes a,b} gives the nodes that write
 * the trail (records of any other node are then invalid); without it, the nodes found are listed. A
 * node's first records in the file link to a retention checkpoint only when a {@code trail-purge} record
 * in the file, itself verified, announces it; otherwise the result notes where checking started.
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
        boolean usage = false;
        for (int i = 0; i < args.length && !usage; i++) {
            if (args[i].equals("--nodes") && i + 1 < args.length && nodes == null) {
                nodes = new java.util.TreeSet<>();
                for (String n : args[++i].split(",")) {
                    if (!n.isBlank()) {
                        nodes.add(n.strip());
                    }
                }
                usage = nodes.isEmpty();
            } else if (name == null && !args[i].startsWith("--") && !args[i].equals("-h")) {
                name = args[i];
            } else {
                usage = true;
            }
        }
        if (usage || name == null) {
            err.println("usage: java -jar gerbang.jar verify [--nodes NODE,NODE...] <export.ndjson>   (- reads standard input)");
            err.println("Verifies an NDJSON export of the trail (GET /audit/export?format=ndjson); "
                    + "exit status 0 valid, 1 invalid, 2 usage or read error.");
            err.println("--nodes: the nodes that write the trail (gerbang.trail.nodes); a record of any other node is invalid.");
            return ERROR;
        }
        TrailVerifier verifier = new TrailVerifier(nodes);
        TrailVerifier.Result result;
        try (BufferedReader in = reader(name)) {
            result = verify(in, verifier);
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
            return VALID;
        }
        err.println("INVALID: " + (result.firstInvalid() == null ? "" : "record " + result.firstInvalid() + ": ")
                + result.reason());
        return INVALID;
    }

    /** How an NDJSON export's anchor lines begin (docs/trail.md, "Anchor lines"). */
    static final String ANCHOR_LINE = "{\"kind\":\"anchor\",";

    /** Feeds every line to the verifier, stopping at the first failure. */
    static TrailVerifier.Result verify(BufferedReader in, TrailVerifier verifier) throws IOException {
        long lineNo = 0;
        for (String line; (line = in.readLine()) != null; ) {
            lineNo++;
            if (line.isBlank() || line.startsWith(ANCHOR_LINE)) {
                continue; // an export's anchor lines close it: not records of the chain
            }
            AuditRecord r;
            try {
                r = TrailJson.parse(line);
            } catch (JsonProcessingException e) {
                TrailVerifier.Result sofar = verifier.result();
                return new TrailVerifier.Result(false, sofar.checked(), null,
                        "line " + lineNo + " is not an audit record: " + e.getOriginalMessage());
            }
            if (!verifier.accept(r)) {
                break;
            }
        }
        return verifier.result();
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
