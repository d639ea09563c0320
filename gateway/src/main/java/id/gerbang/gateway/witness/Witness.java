package id.gerbang.gateway.witness;

import com.fasterxml.jackson.databind.JsonNode;
import id.gerbang.gateway.anchor.Checkpoint;
import id.gerbang.gateway.anchor.MerkleTree;
import id.gerbang.gateway.anchor.NoteVerificationException;
import id.gerbang.gateway.anchor.NoteVerifier;
import id.gerbang.gateway.anchor.SignedNote;
import id.gerbang.gateway.anchor.TimestampClient;
import id.gerbang.gateway.anchor.TimestampException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code java -jar gerbang.jar witness}: an auditor's independent check that no node's trail was cut,
 * forked or rewritten since the witness last looked (docs/trail.md, "Witnesses"). It runs once and exits
 * (for cron), needs neither the database nor any record, only the gateway's address and a token: for each
 * node it pins the verifier key on first sight, fetches the latest signed checkpoint and its RFC 3161
 * token, checks both, asks for the consistency proof from the checkpoint it holds to the new one, and
 * keeps every checkpoint it followed in its {@link WitnessStore}.
 *
 * <p>Exit status: 0 every node followed; 1 evidence against a node's trail (shrunk, forked, rewritten, a
 * signature, key or token that does not verify); 2 not checked (usage, the gateway unreachable or
 * answering something else than the contract's); 3 checked and kept, but a checkpoint has no timestamp
 * yet. With several nodes, the run's status is the worst node's, in the order 1, 2, 3, 0.
 */
public final class Witness {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    static final String USAGE = """
            usage: java -jar gerbang.jar witness --gateway URL --store DIR
                       (--token TOKEN | --client-id ID --client-secret SECRET [--token-url URL])
                       [--tsa-cert PEM]... [--nodes NODE,NODE...] [--timeout SECONDS]
            Follows each node's signed checkpoints once and exits (run it from cron): pins each node's verifier
            key on first sight, checks the latest checkpoint's signature and its RFC 3161 timestamp, and that the
            node's tree only grew since the checkpoint kept in DIR (consistency proof); keeps every checkpoint.
              --gateway URL         the gateway, e.g. https://gerbang.pelalawankab.go.id
              --store DIR           the witness's own directory (made on first run); keep it off the gateway
              --token TOKEN         a bearer token with the realm role auditor (or GERBANG_WITNESS_TOKEN)
              --client-id ID        instead of a token: a client with the realm role auditor...
              --client-secret S     ...and its secret (or GERBANG_WITNESS_CLIENT_SECRET)
              --token-url URL       the token endpoint (default: URL/oauth2/token, the standalone default's)
              --tsa-cert PEM        the timestamping authority's certificate or its CA's, PEM (repeatable; a
                                    file may hold several); without it, tokens are kept but not checked
              --nodes A,B           the nodes to follow (default: every node /audit/keys lists or DIR holds)
              --timeout SECONDS     for each request (default 30)
            Exit status: 0 followed; 1 shrunk, forked, rewritten, or a signature, key or token that does not
            verify; 2 not checked (usage, gateway unreachable, an answer not as documented); 3 a checkpoint has
            no timestamp yet. docs/trail.md, "Witnesses", says more.""";

    private final GatewayClient gateway;
    private final WitnessStore store;
    private final List<X509Certificate> tsaCertificates;

    /** One node's line in the run's summary. */
    record NodeReport(String node, Outcome outcome, String message) {

        String line() {
            return node + ": " + outcome + " " + message;
        }
    }

    Witness(GatewayClient gateway, WitnessStore store, List<X509Certificate> tsaCertificates) {
        this.gateway = gateway;
        this.store = store;
        this.tsaCertificates = tsaCertificates;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs once with these arguments; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.getenv(), out, err);
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args, env);
        } catch (IllegalArgumentException e) {
            err.println("gerbang witness: " + e.getMessage());
            err.println(USAGE);
            return Outcome.ERROR.exitStatus;
        }
        if (options == null) {
            out.println(USAGE);
            return 0;
        }
        List<X509Certificate> certificates;
        try {
            certificates = readCertificates(options.tsaCerts);
        } catch (IllegalArgumentException e) {
            err.println("gerbang witness: " + e.getMessage());
            return Outcome.ERROR.exitStatus;
        }
        GatewayClient client = new GatewayClient(options.gateway, options.credentials, options.timeout);
        List<NodeReport> reports;
        try (WitnessStore store = WitnessStore.open(options.store)) {
            reports = new Witness(client, store, certificates).follow(options.nodes);
        } catch (WitnessException e) {
            err.println("gerbang witness: " + e.getMessage());
            return Outcome.ERROR.exitStatus;
        }
        Outcome worst = Outcome.OK;
        for (NodeReport r : reports) {
            out.println(r.line());
            worst = worst.worse(r.outcome());
        }
        out.flush();
        if (worst != Outcome.OK) {
            for (NodeReport r : reports) {
                if (r.outcome() != Outcome.OK) {
                    err.println("gerbang witness: " + r.line());
                }
            }
        }
        if (certificates.isEmpty()) {
            err.println("gerbang witness: timestamp tokens were kept but not checked: give --tsa-cert");
        }
        return worst.exitStatus;
    }

    /** Follows each node once; a node that cannot be checked does not keep the others from being checked. */
    List<NodeReport> follow(Set<String> only) {
        Map<String, List<NoteVerifier>> listed = listedKeys(gateway.keys());
        Set<String> nodes = new TreeSet<>();
        if (only != null) {
            nodes.addAll(only);
        } else {
            nodes.addAll(listed.keySet());
            nodes.addAll(store.nodes());
        }
        List<NodeReport> reports = new ArrayList<>();
        if (nodes.isEmpty()) {
            throw new WitnessException("the gateway lists no node's key at /audit/keys, and the store holds none: nothing to follow");
        }
        for (String node : nodes) {
            try {
                reports.add(followNode(node, listed.getOrDefault(node, List.of())));
            } catch (WitnessException e) {
                reports.add(new NodeReport(node, Outcome.ERROR, "not checked: " + e.getMessage()));
            }
        }
        return reports;
    }

    /** The verifier keys /audit/keys lists, by node (a key named {@code <origin>/<node>}). */
    static Map<String, List<NoteVerifier>> listedKeys(String text) {
        Map<String, List<NoteVerifier>> byNode = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String first = line.split("[ \t]", 2)[0]; // a key, then perhaps when it was introduced
            NoteVerifier key;
            try {
                key = NoteVerifier.parse(first);
            } catch (IllegalArgumentException e) {
                throw new WitnessException("GET /audit/keys, line " + (i + 1) + ", is not a verifier key: " + GatewayClient.printable(e.getMessage()));
            }
            int slash = key.name().lastIndexOf('/');
            if (slash < 0 || slash == key.name().length() - 1) {
                throw new WitnessException("GET /audit/keys, line " + (i + 1) + ": the key " + GatewayClient.printable(key.name())
                        + " is not named <origin>/<node>");
            }
            List<NoteVerifier> keys = byNode.computeIfAbsent(key.name().substring(slash + 1), n -> new ArrayList<>());
            if (!keys.contains(key)) {
                keys.add(key);
            }
        }
        return byNode;
    }

    private NodeReport followNode(String node, List<NoteVerifier> listed) {
        if (!WitnessStore.isStorableNode(node)) {
            throw new WitnessException("the witness keeps only nodes named with letters, digits, '.', '_' and '-'");
        }
        List<NoteVerifier> pinned = store.pinned(node);
        Optional<WitnessStore.Held> held = store.latest(node);
        if (held.isPresent() && pinned.isEmpty()) {
            throw new WitnessException("the store holds checkpoints of this node but no pinned key (" + held.get().file().getParent()
                    + "/pinned-keys is missing)");
        }
        Optional<byte[]> served = gateway.latest(node);
        if (served.isEmpty()) {
            if (held.isPresent()) {
                return alarm(node, "SHRANK: the gateway has no checkpoint of this node any more; the witness holds size "
                        + held.get().size() + " signed " + time(held.get().checkpoint()));
            }
            return new NodeReport(node, Outcome.OK, "no checkpoint signed yet");
        }
        byte[] noteBytes = served.get();
        SignedNote note;
        Checkpoint checkpoint;
        try {
            note = SignedNote.parse(noteBytes);
            checkpoint = Checkpoint.parse(note.text());
        } catch (IllegalArgumentException e) {
            throw new WitnessException("GET /audit/checkpoints/" + node + "/latest answered no checkpoint: " + GatewayClient.printable(e.getMessage()));
        }
        if (!checkpoint.origin().endsWith("/" + node)) {
            throw new WitnessException("GET /audit/checkpoints/" + node + "/latest answered a checkpoint of "
                    + GatewayClient.printable(checkpoint.origin()));
        }
        String sizes = "size " + checkpoint.treeSize() + " signed " + time(checkpoint);

        // the keys: the pinned ones vouch for the note, and for any key they introduce on it; keys are pinned
        // only with a checkpoint kept, so that a run that finds anything wrong leaves the pins as they were
        List<String> notes = new ArrayList<>();
        List<Pin> pins = new ArrayList<>();
        if (pinned.isEmpty()) {
            List<NoteVerifier> own = listed.stream().filter(k -> k.name().equals(checkpoint.origin())).toList();
            if (own.isEmpty()) {
                throw new WitnessException("the gateway lists no verifier key named " + checkpoint.origin() + " at /audit/keys");
            }
            List<NoteVerifier> verified;
            try {
                verified = note.verify(own);
            } catch (NoteVerificationException e) {
                return alarm(node, "BAD SIGNATURE: the latest checkpoint (" + sizes + ") does not verify with the keys /audit/keys lists for it: "
                        + e.getMessage());
            }
            for (NoteVerifier key : verified) {
                pins.add(new Pin(key, "first sight, on the checkpoint of size " + checkpoint.treeSize()));
            }
            notes.add("key " + names(verified) + " pinned on first sight");
        } else {
            Optional<String> problem = checkSignatures(node, note, checkpoint, pinned, listed, held, notes, pins);
            if (problem.isPresent()) {
                store.keepConflict(node, checkpoint.treeSize(), noteBytes, null);
                return alarm(node, problem.get());
            }
        }

        // the timestamp token, from the auditor's list of checkpoints
        byte[] token = token(node, checkpoint, noteBytes);
        Outcome outcome = Outcome.OK;
        if (token == null) {
            outcome = Outcome.INCOMPLETE;
            notes.add("no timestamp token yet (the node stamps each checkpoint once its TSA answers; run again later)");
        } else if (tsaCertificates.isEmpty()) {
            notes.add("timestamp kept, not checked (no --tsa-cert)");
        } else {
            try {
                notes.add("stamped " + TIME.format(verifyToken(token, noteBytes)));
            } catch (TimestampException e) {
                store.keepConflict(node, checkpoint.treeSize(), noteBytes, token);
                return alarm(node, "BAD TIMESTAMP: the token of the checkpoint of " + sizes + " does not verify: " + e.getMessage());
            }
        }

        // the chain: only ever grown since the checkpoint held
        if (held.isEmpty()) {
            keep(node, checkpoint, noteBytes, token, pins);
            return new NodeReport(node, outcome, sizes + ", first sight; " + String.join("; ", notes));
        }
        Checkpoint before = held.get().checkpoint();
        String heldSizes = "size " + before.treeSize() + " signed " + time(before);
        if (checkpoint.treeSize() < before.treeSize()) {
            Path kept = store.keepConflict(node, checkpoint.treeSize(), noteBytes, token);
            return alarm(node, "SHRANK: the latest checkpoint has " + sizes + ", smaller than the " + heldSizes
                    + " the witness holds; records were removed (kept as " + kept.getFileName() + ")");
        }
        if (checkpoint.treeSize() == before.treeSize()) {
            if (!java.util.Arrays.equals(checkpoint.rootHash(), before.rootHash())) {
                Path kept = store.keepConflict(node, checkpoint.treeSize(), noteBytes, token);
                return alarm(node, "FORKED: two checkpoints of size " + checkpoint.treeSize() + " with different roots, "
                        + root(before) + " held (signed " + time(before) + ") and " + root(checkpoint) + " served (signed "
                        + time(checkpoint) + "); the node signed both (kept as " + kept.getFileName() + ")");
            }
            keep(node, checkpoint, noteBytes, token, pins);
            return new NodeReport(node, outcome, sizes + ", unchanged since the last run; " + String.join("; ", notes));
        }
        List<byte[]> proof = consistencyProof(node, before.treeSize(), checkpoint.treeSize());
        if (!MerkleTree.verifyConsistency(before.treeSize(), checkpoint.treeSize(), before.rootHash(), checkpoint.rootHash(), proof)) {
            Path kept = store.keepConflict(node, checkpoint.treeSize(), noteBytes, token);
            return alarm(node, "REWRITTEN: the checkpoint of " + sizes + " (root " + root(checkpoint) + ") does not extend the "
                    + heldSizes + " (root " + root(before) + ") the witness holds: the consistency proof from size "
                    + before.treeSize() + " to " + checkpoint.treeSize() + " does not verify, so records before "
                    + before.treeSize() + " were changed (kept as " + kept.getFileName() + ")");
        }
        keep(node, checkpoint, noteBytes, token, pins);
        return new NodeReport(node, outcome, sizes + ", grown from " + before.treeSize() + " (consistent); " + String.join("; ", notes));
    }

    /** A key to pin once the checkpoint it was seen on is kept, and why. */
    private record Pin(NoteVerifier key, String why) {}

    private void keep(String node, Checkpoint checkpoint, byte[] note, byte[] token, List<Pin> pins) {
        for (Pin pin : pins) {
            store.pin(node, pin.key(), pin.why());
        }
        store.keep(node, checkpoint.treeSize(), note, token);
    }

    /**
     * Checks the note's signatures against the pinned keys: a pinned key's signature must verify, and a key
     * not pinned is accepted only when a checkpoint signed with a pinned key too introduced it (this one, or
     * one signed since the checkpoint held). Pins the keys so introduced.
     *
     * @return the alarm, if any
     */
    private Optional<String> checkSignatures(String node, SignedNote note, Checkpoint checkpoint, List<NoteVerifier> pinned,
            List<NoteVerifier> listed, Optional<WitnessStore.Held> held, List<String> notes, List<Pin> pins) {
        String sizes = "size " + checkpoint.treeSize() + " signed " + time(checkpoint);
        List<NoteVerifier> byPinned = signers(note, pinned);
        for (NoteVerifier key : byPinned) {
            try {
                note.verify(List.of(key));
            } catch (NoteVerificationException e) {
                return Optional.of("BAD SIGNATURE: the checkpoint of " + sizes + " carries a signature of the pinned key "
                        + key.name() + "+" + key.keyIdHex() + " that does not verify: the note was altered or forged");
            }
        }
        List<NoteVerifier> others = signers(note, listed).stream().filter(k -> !pinned.contains(k)).toList();
        List<NoteVerifier> introduced = new ArrayList<>();
        for (NoteVerifier key : others) {
            try {
                note.verify(List.of(key));
            } catch (NoteVerificationException e) {
                return Optional.of("BAD SIGNATURE: the checkpoint of " + sizes + " carries a signature of " + key.name() + "+"
                        + key.keyIdHex() + " (listed at /audit/keys) that does not verify");
            }
            introduced.add(key);
        }
        if (!byPinned.isEmpty()) {
            for (NoteVerifier key : introduced) {
                pins.add(new Pin(key, "introduced by the checkpoint of size " + checkpoint.treeSize() + ", signed with "
                        + names(byPinned) + " too"));
            }
            notes.add("signed by " + names(byPinned) + (introduced.isEmpty() ? "" : "; new key " + names(introduced)
                    + " introduced by it and pinned"));
            return Optional.empty();
        }
        // signed by no pinned key: the new key must have been introduced since the checkpoint held
        if (!introduced.isEmpty() && held.isPresent()) {
            Optional<Long> by = introduction(node, held.get().checkpoint(), checkpoint, pinned, introduced);
            if (by.isPresent()) {
                for (NoteVerifier key : introduced) {
                    pins.add(new Pin(key, "introduced by the checkpoint of size " + by.get() + ", signed with a pinned key too"));
                }
                notes.add("signed by " + names(introduced) + ", introduced by the checkpoint of size " + by.get() + " and pinned");
                return Optional.empty();
            }
        }
        List<String> carried = note.signatures().stream().map(s -> s.keyName() + "+" + s.keyIdHex()).toList();
        return Optional.of("UNPINNED KEY: the checkpoint of " + sizes + " is signed by " + String.join(", ", carried)
                + ", not by the pinned " + names(pinned) + ", and no checkpoint signed with a pinned key introduced "
                + (introduced.isEmpty() ? "that key (the gateway does not even list it)" : "it")
                + ": a node's key changes only with a checkpoint signed by the old key too");
    }

    /**
     * The size of a checkpoint signed since {@code from} with a pinned key and the new keys too, if the
     * gateway lists one; the list is read a page at a time, oldest first.
     */
    private Optional<Long> introduction(String node, Checkpoint from, Checkpoint to, List<NoteVerifier> pinned, List<NoteVerifier> introduced) {
        Instant since = from.time();
        Instant until = to.time().plusMillis(1);
        for (int page = 0; page < 10_000 && since.isBefore(until); page++) {
            JsonNode list = gateway.checkpoints(node, TIME.format(since), TIME.format(until), GatewayClient.PAGE);
            Instant last = null;
            for (JsonNode entry : list) {
                String text = entry.path("note").asText(null);
                if (text == null) {
                    continue;
                }
                try {
                    SignedNote candidate = SignedNote.parse(text);
                    Checkpoint c = Checkpoint.parse(candidate.text());
                    last = c.time();
                    if (!c.origin().equals(to.origin()) || c.treeSize() < from.treeSize() || c.treeSize() > to.treeSize()) {
                        continue;
                    }
                    candidate.verify(pinned);
                    if (candidate.verify(introduced).size() == introduced.size()) {
                        return Optional.of(c.treeSize());
                    }
                } catch (IllegalArgumentException | NoteVerificationException e) {
                    // not an introduction; the list is only searched
                }
            }
            if (list.size() < GatewayClient.PAGE || last == null || !last.isAfter(since)) {
                break;
            }
            since = last.plusMillis(1);
        }
        return Optional.empty();
    }

    /** The keys among {@code keys} whose name and key ID one of the note's signatures carries. */
    private static List<NoteVerifier> signers(SignedNote note, List<NoteVerifier> keys) {
        Set<NoteVerifier> found = new LinkedHashSet<>();
        for (SignedNote.NoteSignature s : note.signatures()) {
            for (NoteVerifier k : keys) {
                if (k.name().equals(s.keyName()) && k.keyId() == s.keyId()) {
                    found.add(k);
                }
            }
        }
        return new ArrayList<>(found);
    }

    /** The checkpoint's token from the auditor's list (null when the node has not stamped it yet). */
    private byte[] token(String node, Checkpoint checkpoint, byte[] noteBytes) {
        String served = new String(noteBytes, StandardCharsets.UTF_8);
        // the window is wider than the note's time, which the gateway's signing time may round differently
        JsonNode list = gateway.checkpoints(node, TIME.format(checkpoint.time().minusSeconds(1)),
                TIME.format(checkpoint.time().plusSeconds(1)), GatewayClient.PAGE);
        for (JsonNode entry : list) {
            if (!served.equals(entry.path("note").asText(null))) {
                continue;
            }
            JsonNode token = entry.get("timestampToken");
            if (token == null || token.isNull()) {
                return null;
            }
            if (!token.isTextual()) {
                throw new WitnessException("GET /audit/checkpoints: the timestampToken of the checkpoint of size " + checkpoint.treeSize()
                        + " is not a base64 string");
            }
            try {
                return Base64.getDecoder().decode(token.asText());
            } catch (IllegalArgumentException e) {
                throw new WitnessException("GET /audit/checkpoints: the timestampToken of the checkpoint of size " + checkpoint.treeSize()
                        + " is not base64");
            }
        }
        throw new WitnessException("GET /audit/checkpoints?node=" + node + " does not list the latest checkpoint (size "
                + checkpoint.treeSize() + " signed " + time(checkpoint) + ") that /audit/checkpoints/" + node + "/latest served");
    }

    private Instant verifyToken(byte[] token, byte[] note) {
        TimestampException last = null;
        for (X509Certificate certificate : tsaCertificates) {
            try {
                return TimestampClient.verifyToken(token, note, certificate);
            } catch (TimestampException e) {
                last = e;
            }
        }
        throw last;
    }

    /** The proof, checked for shape: it must answer the question asked. */
    private List<byte[]> consistencyProof(String node, long from, long to) {
        JsonNode answer = gateway.consistency(node, from, to);
        String what = "GET /audit/proofs/consistency?node=" + node + "&from=" + from + "&to=" + to;
        if (!node.equals(answer.path("node").asText(null)) || !answer.path("fromSize").canConvertToLong()
                || answer.path("fromSize").asLong() != from || !answer.path("toSize").canConvertToLong()
                || answer.path("toSize").asLong() != to) {
            throw new WitnessException(what + " answered a proof of another question: " + GatewayClient.printable(
                    "node " + answer.path("node") + ", fromSize " + answer.path("fromSize") + ", toSize " + answer.path("toSize")));
        }
        JsonNode hashes = answer.get("proof");
        if (hashes == null || !hashes.isArray() || hashes.size() > 64) {
            throw new WitnessException(what + " answered no list of at most 64 hashes as \"proof\"");
        }
        List<byte[]> proof = new ArrayList<>();
        for (JsonNode h : hashes) {
            byte[] hash;
            try {
                hash = h.isTextual() ? Base64.getDecoder().decode(h.asText()) : null;
            } catch (IllegalArgumentException e) {
                hash = null;
            }
            if (hash == null || hash.length != MerkleTree.HASH_SIZE) {
                throw new WitnessException(what + " answered a proof whose hashes are not all base64 of 32 bytes");
            }
            proof.add(hash);
        }
        return proof;
    }

    private static NodeReport alarm(String node, String message) {
        return new NodeReport(node, Outcome.ALARM, message);
    }

    private static String time(Checkpoint c) {
        return TIME.format(c.time());
    }

    private static String root(Checkpoint c) {
        return Base64.getEncoder().encodeToString(c.rootHash());
    }

    private static String names(List<NoteVerifier> keys) {
        return String.join(", ", keys.stream().map(k -> k.name() + "+" + k.keyIdHex()).toList());
    }

    static List<X509Certificate> readCertificates(List<Path> files) {
        List<X509Certificate> all = new ArrayList<>();
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    all.add((X509Certificate) c);
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("--tsa-cert " + file + " cannot be read: " + e.getMessage());
            } catch (CertificateException e) {
                throw new IllegalArgumentException("--tsa-cert " + file + " holds no PEM certificate: " + e.getMessage());
            }
            if (all.isEmpty()) {
                throw new IllegalArgumentException("--tsa-cert " + file + " holds no certificate");
            }
        }
        return all;
    }

    /** The command line. */
    record Options(URI gateway, Path store, GatewayClient.Credentials credentials, List<Path> tsaCerts, Set<String> nodes, Duration timeout) {

        /** The options, or null for {@code --help}. */
        static Options parse(String[] args, Map<String, String> env) {
            Map<String, String> single = new LinkedHashMap<>();
            List<Path> tsaCerts = new ArrayList<>();
            Set<String> known = Set.of("--gateway", "--store", "--token", "--client-id", "--client-secret", "--token-url",
                    "--tsa-cert", "--nodes", "--timeout");
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--help") || a.equals("-h")) {
                    return null;
                }
                String value;
                String name;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) {
                    name = a.substring(0, eq);
                    value = a.substring(eq + 1);
                } else {
                    name = a;
                    if (!known.contains(name)) {
                        throw new IllegalArgumentException("unknown argument " + a);
                    }
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(name + " needs a value");
                    }
                    value = args[++i];
                }
                if (!known.contains(name)) {
                    throw new IllegalArgumentException("unknown argument " + name);
                }
                if (name.equals("--tsa-cert")) {
                    tsaCerts.add(Path.of(value));
                } else if (single.putIfAbsent(name, value) != null) {
                    throw new IllegalArgumentException(name + " is given twice");
                }
            }
            URI gateway = httpUrl(single.get("--gateway"), "--gateway");
            if (gateway == null) {
                throw new IllegalArgumentException("--gateway URL is required");
            }
            if (single.get("--store") == null) {
                throw new IllegalArgumentException("--store DIR is required");
            }
            String token = single.getOrDefault("--token", env.get("GERBANG_WITNESS_TOKEN"));
            String clientId = single.get("--client-id");
            String secret = single.getOrDefault("--client-secret", env.get("GERBANG_WITNESS_CLIENT_SECRET"));
            URI tokenUrl = httpUrl(single.get("--token-url"), "--token-url");
            if (clientId != null) {
                if (single.containsKey("--token")) {
                    throw new IllegalArgumentException("give either --token or --client-id, not both");
                }
                if (secret == null) {
                    throw new IllegalArgumentException("--client-id needs --client-secret (or GERBANG_WITNESS_CLIENT_SECRET)");
                }
                token = null;
                if (tokenUrl == null) {
                    tokenUrl = URI.create(gateway.toString().replaceAll("/+$", "") + "/oauth2/token");
                }
            } else if (token == null) {
                throw new IllegalArgumentException("give --token (or GERBANG_WITNESS_TOKEN), or --client-id and --client-secret");
            } else if (tokenUrl != null || single.containsKey("--client-secret")) {
                throw new IllegalArgumentException("--token-url and --client-secret go with --client-id");
            }
            Set<String> nodes = null;
            if (single.containsKey("--nodes")) {
                nodes = new TreeSet<>();
                for (String n : single.get("--nodes").split(",")) {
                    if (!n.isBlank()) {
                        nodes.add(n.strip());
                    }
                }
                if (nodes.isEmpty()) {
                    throw new IllegalArgumentException("--nodes names no node");
                }
            }
            Duration timeout = Duration.ofSeconds(30);
            if (single.containsKey("--timeout")) {
                try {
                    timeout = Duration.ofSeconds(Long.parseLong(single.get("--timeout")));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--timeout is a number of seconds, not " + single.get("--timeout"));
                }
                if (timeout.isNegative() || timeout.isZero() || timeout.toSeconds() > 3600) {
                    throw new IllegalArgumentException("--timeout is 1 to 3600 seconds");
                }
            }
            return new Options(gateway, Path.of(single.get("--store")), new GatewayClient.Credentials(token, clientId, secret, tokenUrl),
                    tsaCerts, nodes, timeout);
        }

        private static URI httpUrl(String value, String flag) {
            if (value == null) {
                return null;
            }
            URI uri;
            try {
                uri = URI.create(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(flag + " is not a URL: " + value);
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                    || uri.getQuery() != null || uri.getFragment() != null) {
                throw new IllegalArgumentException(flag + " is an http or https URL without query, e.g. https://gerbang.example.go.id: " + value);
            }
            return uri;
        }
    }
}
