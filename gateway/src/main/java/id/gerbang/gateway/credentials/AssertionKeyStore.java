package id.gerbang.gateway.credentials;

import com.nimbusds.jose.jwk.JWK;
import java.sql.Timestamp;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Where the nodes learn each other's caller-assertion public keys: the shared database
 * ({@code assertion_key}: key id, node, public JWK). A node publishes its own at start-up and withdraws
 * those whose files are gone; {@code /.well-known/gerbang-jwks.json} serves every node's, read at most
 * every {@link #REFRESH}. Only public keys are ever written here.
 */
public final class AssertionKeyStore {

    static final Duration REFRESH = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(AssertionKeyStore.class);

    private record Read(List<JWK> keys, Instant at) {}

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final List<JWK> own;
    private volatile Read last;

    public AssertionKeyStore(JdbcTemplate jdbc, AssertionKeys keys, String node, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.own = keys.all().stream().map(k -> (JWK) k.publicJwk()).toList();
        publish(keys, node);
    }

    private void publish(AssertionKeys keys, String node) {
        List<String> kids = keys.all().stream().map(AssertionKeys.Key::kid).toList();
        for (Map<String, Object> row : jdbc.queryForList("SELECT kid FROM assertion_key WHERE node = ?", node)) {
            String kid = (String) row.get("kid");
            if (!kids.contains(kid)) {
                jdbc.update("DELETE FROM assertion_key WHERE kid = ? AND node = ?", kid, node);
                log.info("Caller-assertion key {} of node {} withdrawn: its file is gone", kid, node);
            }
        }
        for (AssertionKeys.Key key : keys.all()) {
            String jwk = key.publicJwk().toJSONString();
            if (jdbc.update("UPDATE assertion_key SET jwk = ?, node = ? WHERE kid = ?", jwk, node, key.kid()) == 0) {
                jdbc.update("INSERT INTO assertion_key (kid, node, jwk, published_at) VALUES (?, ?, ?, ?)", key.kid(), node,
                        jwk, Timestamp.from(clock.instant()));
            }
        }
        log.info("Caller assertions are signed with key {}; {} key(s) of this node published", keys.signing().kid(), kids.size());
    }

    /** Every node's public keys; this node's own when the database cannot be read. */
    public List<JWK> all() {
        Read read = last;
        Instant now = clock.instant();
        if (read != null && read.at().plus(REFRESH).isAfter(now)) {
            return read.keys();
        }
        try {
            List<JWK> keys = new ArrayList<>();
            for (String jwk : jdbc.queryForList("SELECT jwk FROM assertion_key ORDER BY published_at DESC, kid", String.class)) {
                keys.add(JWK.parse(jwk));
            }
            last = new Read(List.copyOf(keys), now);
            return last.keys();
        } catch (ParseException | RuntimeException e) {
            log.warn("Caller-assertion keys of the other nodes cannot be read: {}", e.toString());
            return read != null ? read.keys() : own;
        }
    }
}
