package id.gerbang.it.support;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The trail as stored: rows of {@code audit_record} read with plain JDBC (PostgreSQL, or the H2 file of a
 * node that is no longer running), and checked with the verifier shipped in the packaged jar
 * ({@code id.gerbang.gateway.trail.TrailVerifier}, loaded from its {@code BOOT-INF/classes}), so that the
 * check is the one an auditor runs, not a copy of it.
 */
public final class TrailRows {

    private TrailRows() {}

    /** One stored record: column name (snake_case, as in the table) to value; instants as {@link Instant}. */
    public record Row(Map<String, Object> columns) {
        public Object get(String column) {
            if (!columns.containsKey(column)) {
                throw new IllegalArgumentException("no column " + column + " in " + columns.keySet());
            }
            return columns.get(column);
        }

        public String string(String column) {
            return (String) get(column);
        }

        public Long number(String column) {
            Object v = get(column);
            return v == null ? null : ((Number) v).longValue();
        }

        @Override
        public String toString() {
            return columns.toString();
        }
    }

    /** Rows matching {@code where} (SQL after WHERE, with ? parameters), in id order. */
    public static List<Row> select(Connection c, String where, Object... params) throws SQLException {
        String sql = "SELECT * FROM audit_record" + (where == null ? "" : " WHERE " + where) + " ORDER BY id";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                List<Row> rows = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> columns = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        String name = md.getColumnLabel(i).toLowerCase(Locale.ROOT);
                        int type = md.getColumnType(i);
                        Object value;
                        if (type == Types.TIMESTAMP_WITH_TIMEZONE || type == Types.TIMESTAMP) {
                            OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
                            value = t == null ? null : t.toInstant();
                        } else {
                            value = rs.getObject(i);
                        }
                        columns.put(name, value);
                    }
                    rows.add(new Row(columns));
                }
                return rows;
            }
        }
    }

    /** Every row of one node, in id order (its chain order). */
    public static List<Row> ofNode(Connection c, String node) throws SQLException {
        return select(c, "node = ?", node);
    }

    // ------------------------------------------------------------------------------------------- verification

    /** What the verifier says: {@code valid}, records {@code checked}, {@code firstInvalid} id, {@code reason}. */
    public record Verdict(boolean valid, long checked, Long firstInvalid, String reason) {}

    private static volatile ClassLoader jarClasses;

    /** Runs the packaged jar's {@code TrailVerifier} over {@code rows} (in id order: export order). */
    public static Verdict verify(List<Row> rows) {
        try {
            ClassLoader cl = jarClasses();
            Class<?> recordClass = cl.loadClass("id.gerbang.gateway.trail.AuditRecord");
            Class<?> verifierClass = cl.loadClass("id.gerbang.gateway.trail.TrailVerifier");
            Object verifier = verifierClass.getDeclaredConstructor().newInstance();
            Method accept = verifierClass.getMethod("accept", recordClass);
            for (Row row : rows) {
                accept.invoke(verifier, auditRecord(row));
            }
            Object result = verifierClass.getMethod("result").invoke(verifier);
            Class<?> resultClass = result.getClass();
            return new Verdict((boolean) resultClass.getMethod("valid").invoke(result),
                    (long) resultClass.getMethod("checked").invoke(result),
                    (Long) resultClass.getMethod("firstInvalid").invoke(result),
                    (String) resultClass.getMethod("reason").invoke(result));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot run the packaged jar's TrailVerifier: " + e, e);
        }
    }

    /**
     * The hash of a row as docs/trail.md specifies it (the jar's {@code RecordHash}): what anyone, an insider
     * who rewrites a row included, computes from the row's content and its {@code prev_hash}.
     */
    public static String recordHash(Row row) {
        try {
            Object record = auditRecord(row);
            return (String) jarClasses().loadClass("id.gerbang.gateway.trail.RecordHash")
                    .getMethod("of", record.getClass()).invoke(null, record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot run the packaged jar's RecordHash: " + e, e);
        }
    }

    /**
     * Makes a node's Ed25519 signing key in {@code keyFile} as the node would on first start (the jar's
     * {@code SigningKeys}), and returns its verifier key, one line of {@code /audit/keys}: so that a
     * trusted-keys file can be written before the nodes start.
     */
    public static String newSigningKey(Path keyFile, String keyName) {
        try {
            Object signer = jarClasses().loadClass("id.gerbang.gateway.anchor.SigningKeys")
                    .getMethod("create", Path.class, String.class).invoke(null, keyFile, keyName);
            Object verifier = signer.getClass().getMethod("verifier").invoke(signer);
            return (String) verifier.getClass().getMethod("verifierKey").invoke(verifier);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot run the packaged jar's SigningKeys: " + e, e);
        }
    }

    /** The row as the jar's {@code AuditRecord}. */
    private static Object auditRecord(Row row) throws ReflectiveOperationException {
        Class<?> recordClass = jarClasses().loadClass("id.gerbang.gateway.trail.AuditRecord");
        RecordComponent[] components = recordClass.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            args[i] = convert(row.get(snake(components[i].getName())), types[i]);
        }
        return recordClass.getDeclaredConstructor(types).newInstance(args);
    }

    private static ClassLoader jarClasses() throws ReflectiveOperationException {
        ClassLoader cl = jarClasses;
        if (cl == null) {
            synchronized (TrailRows.class) {
                cl = jarClasses;
                if (cl == null) {
                    Path jar = Paths.get(System.getProperty("gerbang.jar", "../gateway/target/gerbang.jar")).toAbsolutePath();
                    try {
                        // the jar's own classes; Jackson and BouncyCastle (which they use) come from this class path
                        cl = new URLClassLoader(new URL[] {new URL("jar:" + jar.toUri() + "!/BOOT-INF/classes/")},
                                TrailRows.class.getClassLoader());
                    } catch (java.net.MalformedURLException e) {
                        throw new IllegalStateException(e);
                    }
                    jarClasses = cl;
                }
            }
        }
        return cl;
    }

    private static Object convert(Object value, Class<?> type) {
        if (value == null) {
            return null;
        }
        if (type == long.class || type == Long.class) {
            return ((Number) value).longValue();
        }
        if (type == int.class || type == Integer.class) {
            return ((Number) value).intValue();
        }
        return value; // String, Instant
    }

    private static String snake(String camel) {
        StringBuilder b = new StringBuilder(camel.length() + 4);
        for (char ch : camel.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                b.append('_').append(Character.toLowerCase(ch));
            } else {
                b.append(ch);
            }
        }
        return b.toString(); // requestSha256 -> request_sha256, nodeSeq -> node_seq
    }
}
