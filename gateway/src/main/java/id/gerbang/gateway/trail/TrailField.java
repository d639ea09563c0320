package id.gerbang.gateway.trail;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The fields of a record, defined once (docs/trail.md, "One record"): in the order of every external form,
 * each with its JSON name (its column in {@code audit_record} is the same name in snake case), its type,
 * the length its column holds (texts), and where a {@link TrailEntry} and an {@link AuditRecord} keep it.
 * Everything that lists the fields is driven from here: the insert and the columns read back, the row
 * mapper, the JSON and CSV forms ({@link TrailJson}), the canonical form the hash is computed over
 * ({@link RecordHash}: every field but {@code id} and {@code hash}) and the bounds every text is cut to
 * ({@link StoredFields}). The two records declare their components in this order; a check at start-up
 * ({@link AuditRecord#of}) refuses any drift.
 */
public enum TrailField {
    ID("id", Type.ID, 0, null, AuditRecord::id),
    KIND("kind", Type.TEXT, 16, e -> e.kind().value(), AuditRecord::kind),
    NODE("node", Type.TEXT, 64, null, AuditRecord::node),
    NODE_SEQ("nodeSeq", Type.SEQ, 0, null, AuditRecord::nodeSeq),
    REQUEST_AT("requestAt", Type.INSTANT, 0, TrailEntry::requestAt, AuditRecord::requestAt),
    RESPONSE_AT("responseAt", Type.INSTANT, 0, TrailEntry::responseAt, AuditRecord::responseAt),
    CORRELATION_ID("correlationId", Type.TEXT, 128, TrailEntry::correlationId, AuditRecord::correlationId),
    CLIENT_ID("clientId", Type.TEXT, 255, TrailEntry::clientId, AuditRecord::clientId),
    CLIENT_OPD("clientOpd", Type.TEXT, 64, TrailEntry::clientOpd, AuditRecord::clientOpd),
    USER_ID("userId", Type.TEXT, 256, TrailEntry::userId, AuditRecord::userId),
    ROUTE_ID("routeId", Type.TEXT, 64, TrailEntry::routeId, AuditRecord::routeId),
    ROUTE_VERSION("routeVersion", Type.LONG, 0, TrailEntry::routeVersion, AuditRecord::routeVersion),
    OWNER_OPD("ownerOpd", Type.TEXT, 64, TrailEntry::ownerOpd, AuditRecord::ownerOpd),
    METHOD("method", Type.TEXT, 16, TrailEntry::method, AuditRecord::method),
    PATH("path", Type.TEXT, 8192, TrailEntry::path, AuditRecord::path),
    QUERY("query", Type.TEXT, 16384, TrailEntry::query, AuditRecord::query),
    STATUS("status", Type.INT, 0, TrailEntry::status, AuditRecord::status),
    UPSTREAM_STATUS("upstreamStatus", Type.INT, 0, TrailEntry::upstreamStatus, AuditRecord::upstreamStatus),
    ERROR_CODE("errorCode", Type.TEXT, 32, TrailEntry::errorCode, AuditRecord::errorCode),
    DURATION_MS("durationMs", Type.LONG, 0, TrailEntry::durationMs, AuditRecord::durationMs),
    UPSTREAM_DURATION_MS("upstreamDurationMs", Type.LONG, 0, TrailEntry::upstreamDurationMs,
            AuditRecord::upstreamDurationMs),
    REQUEST_BYTES("requestBytes", Type.LONG, 0, TrailEntry::requestBytes, AuditRecord::requestBytes),
    RESPONSE_BYTES("responseBytes", Type.LONG, 0, TrailEntry::responseBytes, AuditRecord::responseBytes),
    REQUEST_SHA256("requestSha256", Type.TEXT, 64, TrailEntry::requestSha256, AuditRecord::requestSha256),
    RESPONSE_SHA256("responseSha256", Type.TEXT, 64, TrailEntry::responseSha256, AuditRecord::responseSha256),
    DETAIL("detail", Type.TEXT, 1_000_000, TrailEntry::detail, AuditRecord::detail),
    PREV_HASH("prevHash", Type.TEXT, 64, null, AuditRecord::prevHash),
    /** the composite call's {@code correlationId}, on the record of each of its parts; hashed from version 2 */
    PARENT_CORRELATION_ID("parentCorrelationId", Type.TEXT, 128, TrailEntry::parentCorrelationId,
            AuditRecord::parentCorrelationId),
    /** which canonical form the hash is computed over ({@link RecordHash}); hashed from version 2 */
    HASH_VERSION("hashVersion", Type.INT, 0, null, AuditRecord::hashVersion),
    HASH("hash", Type.TEXT, 64, null, AuditRecord::hash);

    /** Every field, in order. */
    public static final List<TrailField> ALL = List.of(values());

    /**
     * The fields the hash of a record of the current version ({@link RecordHash#CURRENT}) covers, in order:
     * all but {@code id} and {@code hash}.
     */
    public static final List<TrailField> HASHED = ALL.stream().filter(TrailField::hashed).toList();

    /**
     * The 26 fields the hash of a version 1 record covers, in order: those of docs/trail.md before versions
     * existed, up to {@code prevHash}.
     */
    public static final List<TrailField> HASHED_V1 = HASHED.subList(0, PREV_HASH.ordinal());

    /** The fields an insert writes, in order: all but {@code id}, which the store assigns. */
    public static final List<TrailField> INSERTED = ALL.stream().filter(f -> f != ID).toList();

    /** Every column, comma separated, in order: what a query of whole records selects. */
    public static final String COLUMNS = ALL.stream().map(TrailField::column).collect(Collectors.joining(", "));

    /** The insert of one record: every field but {@code id}. */
    public static final String INSERT = "INSERT INTO audit_record ("
            + INSERTED.stream().map(TrailField::column).collect(Collectors.joining(", ")) + ") VALUES ("
            + INSERTED.stream().map(f -> "?").collect(Collectors.joining(",")) + ")";

    /** The length of each text column, in characters, by column name. */
    public static final Map<String, Integer> TEXT_COLUMNS = ALL.stream().filter(f -> f.type == Type.TEXT)
            .collect(Collectors.toMap(TrailField::column, f -> f.maxLength, (a, b) -> a, LinkedHashMap::new));

    private static final int COUNT = ALL.size();

    private final String json;
    private final String column;
    private final Type type;
    private final int maxLength;
    private final Function<TrailEntry, Object> ofEntry;
    private final Function<AuditRecord, Object> ofRecord;

    TrailField(String json, Type type, int maxLength, Function<TrailEntry, Object> ofEntry,
            Function<AuditRecord, Object> ofRecord) {
        this.json = json;
        this.column = json.replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
        this.type = type;
        this.maxLength = maxLength;
        this.ofEntry = ofEntry;
        this.ofRecord = ofRecord;
    }

    /** The name in the JSON and CSV forms and in the canonical form. */
    public String json() {
        return json;
    }

    /** The column of {@code audit_record}. */
    public String column() {
        return column;
    }

    public Type type() {
        return type;
    }

    /** The most characters the column holds; 0 for a field that is not text. */
    public int maxLength() {
        return maxLength;
    }

    /** Whether the hash of a record of the current version covers the field. */
    public boolean hashed() {
        return this != ID && this != HASH;
    }

    /** Whether an entry carries the field (the others are the store's: id, node, place in the chain, hash). */
    public boolean ofEntry() {
        return ofEntry != null;
    }

    /** The field's value in a record. */
    public Object get(AuditRecord r) {
        return ofRecord.apply(r);
    }

    /**
     * An entry's values, indexed by field, the store's fields left {@code null}; instants kept to the
     * millisecond, the precision every store keeps, so that a hash survives a round trip.
     */
    static Object[] values(TrailEntry e) {
        Object[] values = new Object[COUNT];
        for (TrailField f : ALL) {
            if (f.ofEntry != null) {
                Object v = f.ofEntry.apply(e);
                values[f.ordinal()] = v instanceof Instant t ? Instant.ofEpochMilli(t.toEpochMilli()) : v;
            }
        }
        return values;
    }

    /** A record's values, indexed by field. */
    static Object[] values(AuditRecord r) {
        Object[] values = new Object[COUNT];
        for (TrailField f : ALL) {
            values[f.ordinal()] = f.ofRecord.apply(r);
        }
        return values;
    }

    /** Binds a record's fields to the parameters of {@link #INSERT}. */
    public static void bind(PreparedStatement s, AuditRecord r) throws SQLException {
        int i = 1;
        for (TrailField f : INSERTED) {
            f.type.bind(s, i++, f.ofRecord.apply(r));
        }
    }

    /** Reads the field from a row of {@code audit_record}. */
    Object read(ResultSet rs) throws SQLException {
        return type.read(rs, column);
    }

    /** How a field's value is stored, read and written. */
    public enum Type {
        /** the store's row number: read, never written */
        ID,
        /** a number that is never absent */
        SEQ,
        LONG,
        INT,
        /** written as ISO-8601 UTC with exactly three fraction digits, {@code 2026-11-27T03:04:05.678Z} */
        INSTANT,
        TEXT;

        Object read(ResultSet rs, String column) throws SQLException {
            switch (this) {
                case ID, SEQ:
                    return rs.getLong(column);
                case LONG: {
                    long v = rs.getLong(column);
                    return rs.wasNull() ? null : v;
                }
                case INT: {
                    int v = rs.getInt(column);
                    return rs.wasNull() ? null : v;
                }
                case INSTANT: {
                    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
                    return t == null ? null : t.toInstant();
                }
                default:
                    return rs.getString(column);
            }
        }

        void bind(PreparedStatement s, int i, Object v) throws SQLException {
            switch (this) {
                case INSTANT -> {
                    if (v == null) {
                        s.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
                    } else {
                        s.setObject(i, OffsetDateTime.ofInstant((Instant) v, ZoneOffset.UTC));
                    }
                }
                case TEXT -> s.setString(i, (String) v);
                default -> {
                    if (v == null) {
                        s.setNull(i, Types.BIGINT);
                    } else {
                        s.setLong(i, ((Number) v).longValue());
                    }
                }
            }
        }

        /** The value as a JSON value: {@code null}, a string, or an integer. */
        void write(JsonGenerator g, Object v) throws IOException {
            if (v == null) {
                g.writeNull();
            } else if (this == TEXT) {
                g.writeString((String) v);
            } else if (this == INSTANT) {
                g.writeString(RecordHash.format((Instant) v));
            } else {
                g.writeNumber(((Number) v).longValue());
            }
        }

        /** The value as CSV text, before quoting; {@code null} when absent. */
        String text(Object v) {
            return v == null ? null : this == INSTANT ? RecordHash.format((Instant) v) : v.toString();
        }
    }

    /** The field names in order, as {@link #json()} gives them. */
    static List<String> names() {
        return Arrays.stream(values()).map(TrailField::json).toList();
    }
}
