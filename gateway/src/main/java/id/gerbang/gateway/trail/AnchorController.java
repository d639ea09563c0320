package id.gerbang.gateway.trail;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import id.gerbang.gateway.context.CorrelationIds;
import id.gerbang.gateway.errors.ErrorCode;
import id.gerbang.gateway.errors.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The anchored trail's public side (docs/trail.md, "Keys, checkpoints and proofs"): the nodes' verifier
 * keys, their signed checkpoints and the proofs that tie records and checkpoints together. None of these
 * shows a record's content (only hashes), so they are not readings of the trail and leave no record: a
 * witness asking every minute would otherwise grow the trail, and with it a new checkpoint, every minute.
 * Who may ask is the security chain's rule ({@code web.WebSecurityConfiguration}): the keys anyone, the
 * latest checkpoint and consistency proofs any authenticated client, the rest the {@code auditor} role.
 * Receipts, which show a record, are {@link AuditController}'s.
 */
@RestController
class AnchorController {

    private static final Logger log = LoggerFactory.getLogger(AnchorController.class);

    /** At most this many checkpoints in one answer of {@code GET /audit/checkpoints}. */
    static final int MAX_CHECKPOINTS = 1000;

    private final TrailCheckpoints checkpoints;
    private final TrailProofs proofs;

    AnchorController(TrailCheckpoints checkpoints, TrailProofs proofs) {
        this.checkpoints = checkpoints;
        this.proofs = proofs;
    }

    /** Each node's verifier keys, one a line: the key, a space, the time it was introduced. */
    @GetMapping("/audit/keys")
    void keys(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            AuditController.params(request, Set.of());
        } catch (AuditController.BadParameter e) {
            bad(request, response, e);
            return;
        }
        List<TrailCheckpoints.PublishedKey> keys;
        try {
            keys = checkpoints.keys();
        } catch (SQLException e) {
            storeDown(request, response, e);
            return;
        }
        StringBuilder b = new StringBuilder();
        for (TrailCheckpoints.PublishedKey k : keys) {
            b.append(k.verifierKey()).append(' ').append(RecordHash.format(k.introducedAt())).append('\n');
        }
        text(response, b.toString());
    }

    @GetMapping("/audit/checkpoints/{node}/latest")
    void latest(@PathVariable("node") String node, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        try {
            AuditController.params(request, Set.of());
            node(node);
        } catch (AuditController.BadParameter e) {
            bad(request, response, e);
            return;
        }
        Optional<StoredCheckpoint> latest;
        try {
            latest = checkpoints.latest(node);
        } catch (SQLException e) {
            storeDown(request, response, e);
            return;
        }
        if (latest.isEmpty()) {
            Problems.write(response, ErrorCode.RECORD_NOT_FOUND, "node " + node + " has no signed checkpoint",
                    CorrelationIds.of(request));
            return;
        }
        text(response, latest.get().note());
    }

    @GetMapping("/audit/checkpoints")
    void list(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String node;
        Instant from;
        Instant to;
        int limit;
        try {
            AuditController.params(request, Set.of("node", "from", "to", "limit"));
            node = AuditController.text(request, "node");
            if (node != null) {
                node(node);
            }
            from = AuditController.instant(request, "from");
            to = AuditController.instant(request, "to");
            AuditController.checkPeriod(from, to);
            Integer l = AuditController.integer(request, "limit", 1, MAX_CHECKPOINTS);
            limit = l == null ? MAX_CHECKPOINTS : l;
        } catch (AuditController.BadParameter e) {
            bad(request, response, e);
            return;
        }
        List<StoredCheckpoint> found;
        try {
            found = checkpoints.list(node, from, to, limit);
        } catch (SQLException e) {
            storeDown(request, response, e);
            return;
        }
        ArrayNode body = TrailJson.MAPPER.createArrayNode();
        for (StoredCheckpoint cp : found) {
            body.add(json(cp));
        }
        AuditController.json(response, body);
    }

    /** One checkpoint as {@code GET /audit/checkpoints} lists it. */
    static ObjectNode json(StoredCheckpoint cp) {
        ObjectNode o = TrailJson.MAPPER.createObjectNode();
        o.put("node", cp.node()).put("treeSize", cp.treeSize()).put("rootHash", base64(cp.rootHash()))
                .put("time", RecordHash.format(cp.time())).put("note", cp.note())
                .put("timestampToken", cp.timestampToken() == null ? null : base64(cp.timestampToken()));
        return o;
    }

    @GetMapping("/audit/proofs/consistency")
    void consistency(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String node;
        long from;
        long to;
        List<byte[]> proof;
        try {
            AuditController.params(request, Set.of("node", "from", "to"));
            node = node(required(request, "node"));
            from = size(request, "from", 0);
            to = size(request, "to", 1);
            if (from > to) {
                throw new AuditController.BadParameter("from must not be greater than to (" + from + " > " + to + ")");
            }
        } catch (AuditController.BadParameter e) {
            bad(request, response, e);
            return;
        }
        try {
            if (!fits(request, response, node, "to", to)) {
                return;
            }
            proof = proofs.consistency(node, from, to);
        } catch (SQLException e) {
            storeDown(request, response, e);
            return;
        }
        ObjectNode body = TrailJson.MAPPER.createObjectNode();
        body.put("node", node).put("fromSize", from).put("toSize", to);
        hashes(body, "proof", proof);
        AuditController.json(response, body);
    }

    @GetMapping("/audit/proofs/inclusion")
    void inclusion(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String node;
        long seq;
        long treeSize;
        try {
            AuditController.params(request, Set.of("node", "seq", "treeSize"));
            node = node(required(request, "node"));
            seq = size(request, "seq", 1);
            treeSize = size(request, "treeSize", 1);
            if (seq > treeSize) {
                throw new AuditController.BadParameter("seq must not be greater than treeSize (" + seq + " > " + treeSize
                        + "): a tree of " + treeSize + " holds records 1 to " + treeSize);
            }
        } catch (AuditController.BadParameter e) {
            bad(request, response, e);
            return;
        }
        ObjectNode body = TrailJson.MAPPER.createObjectNode();
        try {
            if (!fits(request, response, node, "treeSize", treeSize)) {
                return;
            }
            body.put("node", node).put("seq", seq).put("treeSize", treeSize)
                    .put("leafHash", base64(proofs.leafHash(node, seq)));
            hashes(body, "proof", proofs.inclusion(node, seq, treeSize));
        } catch (SQLException e) {
            storeDown(request, response, e);
            return;
        }
        AuditController.json(response, body);
    }

    /**
     * Whether the node's stored tree reaches {@code size}; if not, answers 404 (no tree at all: an unknown
     * node) or 400 (a size beyond it).
     */
    private boolean fits(HttpServletRequest request, HttpServletResponse response, String node, String name, long size)
            throws SQLException, IOException {
        long stored = proofs.treeSize(node);
        if (stored == 0) {
            Problems.write(response, ErrorCode.RECORD_NOT_FOUND, "the trail holds no tree of node " + node,
                    CorrelationIds.of(request));
            return false;
        }
        if (size > stored) {
            Problems.write(response, ErrorCode.BAD_REQUEST, name + " must be at most " + stored
                    + ", the size of node " + node + "'s tree, not " + size, CorrelationIds.of(request));
            return false;
        }
        return true;
    }

    private static String required(HttpServletRequest request, String name) throws AuditController.BadParameter {
        String v = AuditController.text(request, name);
        if (v == null) {
            throw new AuditController.BadParameter("parameter " + name + " is required");
        }
        return v;
    }

    /** A tree size or sequence number: a whole number from {@code min}, required. */
    private static long size(HttpServletRequest request, String name, long min) throws AuditController.BadParameter {
        String v = required(request, name);
        if (!v.matches("[0-9]{1,18}") || Long.parseLong(v) < min) {
            throw new AuditController.BadParameter(name + " must be a whole number from " + min + ", not \"" + v + "\"");
        }
        return Long.parseLong(v);
    }

    /** A node name as the trail stores it: 1 to 64 printable characters, no '/' (it is a path segment). */
    static String node(String node) throws AuditController.BadParameter {
        if (node.isEmpty() || node.length() > 64 || !node.codePoints().allMatch(c -> c > 0x20 && c != 0x7f && c != '/')) {
            throw new AuditController.BadParameter("a node name is 1 to 64 printable characters without spaces");
        }
        return node;
    }

    static void hashes(ObjectNode into, String name, List<byte[]> hashes) {
        ArrayNode a = into.putArray(name);
        for (byte[] h : hashes) {
            a.add(base64(h));
        }
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static void text(HttpServletResponse response, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.setContentType("text/plain; charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private static void bad(HttpServletRequest request, HttpServletResponse response, AuditController.BadParameter e)
            throws IOException {
        Problems.write(response, ErrorCode.BAD_REQUEST, e.getMessage(), CorrelationIds.of(request));
    }

    private static void storeDown(HttpServletRequest request, HttpServletResponse response, SQLException e) throws IOException {
        String correlationId = CorrelationIds.of(request);
        log.error("Anchor reading {} failed: {}", correlationId, e.getMessage());
        Problems.write(response, ErrorCode.AUDIT_UNAVAILABLE, "the trail's checkpoints cannot be read now", correlationId);
    }
}
