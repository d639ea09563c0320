package id.gerbang.gateway.trail;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * The hash of a record, as docs/trail.md specifies it for anyone to recompute: SHA-256, as lower-case
 * hex, of the UTF-8 bytes of the record's canonical JSON: an object with exactly the fields below, in this
 * order, no white space, {@code null} for an absent value, numbers as integers, instants as ISO-8601 UTC
 * with milliseconds ({@code 2026-11-27T03:04:05.678Z}). {@code prevHash} is part of it, so each hash seals
 * everything before it in the node's chain; {@code id} (the store's row number) and {@code hash} are not.
 */
public final class RecordHash {

    private static final JsonFactory JSON = new JsonFactory();
    private static final DateTimeFormatter INSTANT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(java.time.ZoneOffset.UTC);

    private RecordHash() {}

    public static String of(AuditRecord r) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(canonical(r).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    public static String canonical(AuditRecord r) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("kind", r.kind());
            g.writeStringField("node", r.node());
            g.writeNumberField("nodeSeq", r.nodeSeq());
            instant(g, "requestAt", r.requestAt());
            instant(g, "responseAt", r.responseAt());
            string(g, "correlationId", r.correlationId());
            string(g, "clientId", r.clientId());
            string(g, "clientOpd", r.clientOpd());
            string(g, "userId", r.userId());
            string(g, "routeId", r.routeId());
            number(g, "routeVersion", r.routeVersion());
            string(g, "ownerOpd", r.ownerOpd());
            string(g, "method", r.method());
            string(g, "path", r.path());
            string(g, "query", r.query());
            number(g, "status", r.status() == null ? null : r.status().longValue());
            number(g, "upstreamStatus", r.upstreamStatus() == null ? null : r.upstreamStatus().longValue());
            string(g, "errorCode", r.errorCode());
            number(g, "durationMs", r.durationMs());
            number(g, "upstreamDurationMs", r.upstreamDurationMs());
            number(g, "requestBytes", r.requestBytes());
            number(g, "responseBytes", r.responseBytes());
            string(g, "requestSha256", r.requestSha256());
            string(g, "responseSha256", r.responseSha256());
            string(g, "detail", r.detail());
            string(g, "prevHash", r.prevHash());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    public static String format(Instant t) {
        return INSTANT.format(t);
    }

    private static void instant(JsonGenerator g, String name, Instant t) throws IOException {
        string(g, name, t == null ? null : format(t));
    }

    private static void string(JsonGenerator g, String name, String value) throws IOException {
        if (value == null) {
            g.writeNullField(name);
        } else {
            g.writeStringField(name, value);
        }
    }

    private static void number(JsonGenerator g, String name, Long value) throws IOException {
        if (value == null) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, value);
        }
    }
}
