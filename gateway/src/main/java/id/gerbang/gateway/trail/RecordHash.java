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
 * hex, of the UTF-8 bytes of the record's canonical JSON: an object with exactly the fields its
 * {@code hashVersion} names ({@link #fields}), in that order, no white space, {@code null} for an absent
 * value, numbers as integers, instants as ISO-8601 UTC with milliseconds ({@code 2026-11-27T03:04:05.678Z}).
 * {@code prevHash} is part of it, so each hash seals everything before it in the node's chain; {@code id}
 * (the store's row number) and {@code hash} are not.
 *
 * <p>Versions: 1, the 26 members of {@link TrailField#HASHED_V1} (every record stored before versions
 * existed); 2, those 26, then {@code parentCorrelationId}, then {@code hashVersion} ({@link TrailField#HASHED}).
 * New records are version {@link #CURRENT}; a record keeps its version, so old records verify as they were.
 */
public final class RecordHash {

    /** The version of the canonical form new records are hashed in. */
    public static final int CURRENT = 2;

    /** A record whose {@code hashVersion} is none of the versions this gateway knows. */
    public static final class UnknownVersionException extends IllegalArgumentException {
        UnknownVersionException(Object version) {
            super("hash version " + version + " is not one this gateway knows (1 to " + CURRENT + ")");
        }
    }

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

    /**
     * The fields the canonical form of a {@code version} record holds, in order.
     *
     * @throws UnknownVersionException for any other version
     */
    public static java.util.List<TrailField> fields(Object version) {
        if (version instanceof Number n && n.longValue() == 1) {
            return TrailField.HASHED_V1;
        }
        if (version instanceof Number n && n.longValue() == 2) {
            return TrailField.HASHED;
        }
        throw new UnknownVersionException(version);
    }

    /** Whether records of {@code version} can be hashed here. */
    public static boolean known(int version) {
        return version >= 1 && version <= CURRENT;
    }

    /** The canonical form: the fields of the record's version, in order, each as {@link TrailField.Type} writes it. */
    private static String canonical(Object[] values) {
        java.util.List<TrailField> fields = fields(values[TrailField.HASH_VERSION.ordinal()]);
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            for (TrailField f : fields) {
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
