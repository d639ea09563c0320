package id.gerbang.gateway.trail;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * One record of the trail as stored: a {@link TrailEntry} with its place in its node's hash chain.
 * {@code nodeSeq} counts 1, 2, 3… per node; {@code prevHash} is the {@code hash} of the node's previous
 * record (64 zeros for the first); {@code hash} is computed by {@link RecordHash}. Its components are the
 * fields of {@link TrailField}, in that order, under their JSON names: the JSON form (NDJSON export, API)
 * is written from {@link TrailField} ({@link TrailJson}) and read back through these components.
 */
@JsonSerialize(using = TrailJson.RecordWriter.class)
public record AuditRecord(
        Long id,
        String kind,
        String node,
        long nodeSeq,
        Instant requestAt,
        Instant responseAt,
        String correlationId,
        String clientId,
        String clientOpd,
        String userId,
        String routeId,
        Long routeVersion,
        String ownerOpd,
        String method,
        String path,
        String query,
        Integer status,
        Integer upstreamStatus,
        String errorCode,
        Long durationMs,
        Long upstreamDurationMs,
        Long requestBytes,
        Long responseBytes,
        String requestSha256,
        String responseSha256,
        String detail,
        String prevHash,
        String parentCorrelationId,
        int hashVersion,
        String hash) {

    public static final String GENESIS = "0".repeat(64);

    private static final Constructor<AuditRecord> CANONICAL = canonical();

    /**
     * The record an entry becomes as the {@code nodeSeq}-th of {@code node}'s chain, after {@code prevHash},
     * hashed in the current version's canonical form.
     */
    public static AuditRecord chain(TrailEntry e, String node, long nodeSeq, String prevHash) {
        return chain(TrailField.values(e), node, nodeSeq, prevHash);
    }

    /** The same from an entry's values ({@link TrailField#values(TrailEntry)}), which are left as they are. */
    static AuditRecord chain(Object[] entry, String node, long nodeSeq, String prevHash) {
        return chain(entry, node, nodeSeq, prevHash, RecordHash.CURRENT);
    }

    /** The same in the canonical form of {@code hashVersion}: an older one only for records as they were once written. */
    static AuditRecord chain(Object[] entry, String node, long nodeSeq, String prevHash, int hashVersion) {
        Object[] values = entry.clone();
        values[TrailField.NODE.ordinal()] = node;
        values[TrailField.NODE_SEQ.ordinal()] = nodeSeq;
        values[TrailField.PREV_HASH.ordinal()] = prevHash;
        values[TrailField.HASH_VERSION.ordinal()] = hashVersion;
        values[TrailField.HASH.ordinal()] = RecordHash.of(values);
        return of(values);
    }

    public AuditRecord withHash(String newHash) {
        return with(TrailField.HASH, newHash);
    }

    public AuditRecord withId(Long newId) {
        return with(TrailField.ID, newId);
    }

    private AuditRecord with(TrailField field, Object value) {
        Object[] values = TrailField.values(this);
        values[field.ordinal()] = value;
        return of(values);
    }

    /** The record of these values, indexed by {@link TrailField}. */
    static AuditRecord of(Object[] values) {
        try {
            return CANONICAL.newInstance(values);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The canonical constructor, once its components are checked to be {@link TrailField}'s, in order. */
    private static Constructor<AuditRecord> canonical() {
        RecordComponent[] components = AuditRecord.class.getRecordComponents();
        List<String> names = Arrays.stream(components).map(RecordComponent::getName).toList();
        if (!names.equals(TrailField.names())) {
            throw new IllegalStateException("AuditRecord's components " + names + " are not TrailField's "
                    + TrailField.names());
        }
        try {
            return AuditRecord.class.getDeclaredConstructor(
                    Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }
}
