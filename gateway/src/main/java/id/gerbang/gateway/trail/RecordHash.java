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
 * hex, of the UTF-8 bytes of the record's canonical JSON: an object with exactly the fields of
 * {@link TrailField#HASHED}, in that order, no white space, {@code null} for an absent value, numbers as
 * integers, instants as ISO-8601 UTC with milliseconds ({@code 2026-11-27T03:04:05.678Z}). {@code prevHash} is part of it, so each hash seals
 * everything before it in the node's chain; {@code id} (the store's row number) and {@code hash} are not.
 */
public final class RecordHash {

    private static final JsonFactory JSON = new JsonFactory();
    private static final DateTimeFormatter INSTANT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(java.time.ZoneOffset.UTC);

    private RecordHash() {}

    public static String of(AuditRecord r) {
        return of(TrailField.values(r));
    }

    /** The hash of a record's values, indexed by {@link TrailField}. */
    static String of(Object[] values) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(canonical(values).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    public static String canonical(AuditRecord r) {
        return canonical(TrailField.values(r));
    }

    /** The canonical form: the {@link TrailField#HASHED} fields, in order, each as {@link TrailField.Type} writes it. */
    private static String canonical(Object[] values) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            for (TrailField f : TrailField.HASHED) {
                g.writeFieldName(f.json());
                f.type().write(g, values[f.ordinal()]);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    public static String format(Instant t) {
        return INSTANT.format(t);
    }
}
