package id.gerbang.gateway.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Gerbang's own settings ({@code gerbang.*}). Standard concerns use Spring Boot's keys: the issuer is
 * {@code spring.security.oauth2.resourceserver.jwt.issuer-uri}, the database {@code spring.datasource.*},
 * the port {@code server.port}.
 *
 * <p>Every setting has its constraint, checked at start-up: a node with a setting outside it refuses to
 * start, naming the setting, its value and the rule ({@link SettingsFailureAnalyzer}); docs/operations.md
 * lists them.
 *
 * @param node      this node's name on the trail and in logs; defaults to the host name
 * @param dataDir   where the standalone default keeps its files (H2 database, issuer key)
 * @param security  token checks
 * @param routes    where route definitions come from at start-up
 * @param upstreams which upstream hosts routes may point at
 * @param proxy     the HTTP client that calls upstreams
 * @param trail     the request trail's writer
 * @param sandbox   the in-process sandbox OPD services of the standalone default
 */
@Validated
@ConfigurationProperties(GerbangProperties.PREFIX)
public record GerbangProperties(
        @Size(max = NODE_MAX) String node,
        @NotNull @DefaultValue("./data") Path dataDir,
        @NotNull @Valid @DefaultValue Security security,
        @NotNull @Valid @DefaultValue Routes routes,
        @NotNull @Valid @DefaultValue Upstreams upstreams,
        @NotNull @Valid @DefaultValue Proxy proxy,
        @NotNull @Valid @DefaultValue Trail trail,
        @NotNull @Valid @DefaultValue Sandbox sandbox) {

    public static final String PREFIX = "gerbang";
    /** The longest node name the trail can store (its {@code node} column). */
    public static final int NODE_MAX = 64;

    /**
     * @param audience        the {@code aud} every token must carry
     * @param tokenCacheTtl   longest time a verified token is remembered (never beyond its expiry)
     * @param tokenCacheMemory most memory the verified tokens remembered may hold (an estimate: each
     *                        token's length, the caller read from it, and the cache's bookkeeping); when
     *                        full, the tokens used least are dropped; 0 remembers none
     * @param clientOpds      client id to OPD code, for tokens without an {@code opd} claim
     * @param clockSkew       tolerance on a token's {@code exp} and {@code nbf} (Keycloak's tokens; the
     *                        built-in issuer's use Spring's 60 s)
     * @param jwkSet          the issuer's JWK set (Keycloak), when the issuer is configured with
     *                        {@code spring.security.oauth2.resourceserver.jwt.issuer-uri} or {@code jwk-set-uri}
     */
    public record Security(
            @NotBlank @DefaultValue("gerbang") String audience,
            @NotNull @DurationMin(millis = 0) @DefaultValue("5m") Duration tokenCacheTtl,
            @NotNull @NotNegativeSize @DefaultValue("16MB") DataSize tokenCacheMemory,
            Map<String, String> clientOpds,
            @NotNull @DurationMin(millis = 0) @DefaultValue("60s") Duration clockSkew,
            @NotNull @Valid @DefaultValue JwkSet jwkSet) {
        public Security {
            clientOpds = clientOpds == null ? Map.of() : Map.copyOf(clientOpds);
        }
    }

    /**
     * How the gateway keeps the issuer's signing keys ({@code gerbang.security.jwk-set.*}).
     *
     * @param cacheTtl            a fetched JWK set is used this long before it is fetched again
     * @param refreshMinInterval  a token signed with a key id the gateway has not seen makes it fetch the
     *                            set again at once (a rotated key is accepted without a restart); at most
     *                            two fetches per this interval, so made-up key ids cannot flood the issuer
     * @param outageTolerance     while the issuer cannot be reached, the last JWK set fetched is still used
     *                            this long after {@code cacheTtl}: tokens signed with known keys keep working
     * @param fetchTimeout        connect and read timeout of one request to the issuer
     * @param healthCheckInterval the health check asks the issuer for its JWK set at most once per this
     *                            interval and otherwise repeats its last answer
     */
    public record JwkSet(
            @NotNull @DurationMin(seconds = 1) @DefaultValue("5m") Duration cacheTtl,
            @NotNull @DurationMin(seconds = 1) @DefaultValue("10s") Duration refreshMinInterval,
            @NotNull @DurationMin(millis = 0) @DefaultValue("1h") Duration outageTolerance,
            @NotNull @DurationMin(millis = 1) @DefaultValue("5s") Duration fetchTimeout,
            @NotNull @DurationMin(millis = 0) @DefaultValue("10s") Duration healthCheckInterval) {}

    /**
     * @param directory    a directory of route definitions ({@code *.yaml}, {@code *.yml}, {@code *.json})
     *                     applied to the registry at start-up (created or replaced when changed, never
     *                     deleted); none when unset
     * @param pollInterval how often this node looks for registry changes made through other nodes
     */
    public record Routes(Path directory, @NotNull @DurationMin(millis = 50) @DefaultValue("500ms") Duration pollInterval) {}

    /** @param allowed host names, {@code *.suffix} wildcards, IP addresses or CIDR ranges; empty allows nothing */
    public record Upstreams(List<@NotBlank String> allowed) {
        public Upstreams {
            allowed = allowed == null ? List.of() : List.copyOf(allowed);
        }
    }

    /**
     * @param maxConnections            connections to all upstreams together
     * @param maxConnectionsPerUpstream connections to one upstream host
     * @param idleTimeout               an idle pooled connection is closed after this
     * @param bufferSize                bytes copied at a time between caller and upstream
     * @param bufferBodiesUpTo          a body sent without a length (chunked) is read whole before it is
     *                                  forwarded when the route's {@code maxBodyBytes} is at most this, so
     *                                  that an oversized one is refused before the upstream hears of it;
     *                                  larger ones are streamed and the upload cut off at the limit
     */
    public record Proxy(
            @Min(1) @DefaultValue("2000") int maxConnections,
            @Min(1) @DefaultValue("500") int maxConnectionsPerUpstream,
            @NotNull @DurationMin(millis = 1) @DefaultValue("30s") Duration idleTimeout,
            @Min(1024) @Max(1024 * 1024) @DefaultValue("16384") int bufferSize,
            @Min(0) @DefaultValue("262144") long bufferBodiesUpTo) {

        /** A rule across two settings, reported under the group's name. */
        @AssertTrue(message = "gerbang.proxy.max-connections-per-upstream must be at most gerbang.proxy.max-connections")
        public boolean isPerUpstreamWithinMaxConnections() {
            return maxConnectionsPerUpstream <= maxConnections;
        }
    }

    /**
     * @param enabled       {@code false} only to measure the trail's cost: calls are then not audited; never
     *                      in the {@code production} profile ({@link ProductionRules})
     * @param maxBatch      most records committed in one transaction (group commit)
     * @param queueCapacity most records waiting for the writer; beyond it calls get 503 AUDIT_UNAVAILABLE
     * @param writeTimeout  longest a call waits for its record to be committed before it is refused
     * @param commitTimeout longest a call whose record is already being inserted and committed when its
     *                      write timeout passes waits further for that commit before it is refused (the
     *                      commit may still end afterwards: docs/trail.md)
     * @param commitInterval least time between the starts of two commits: records arriving sooner wait
     *                      and share the next commit (0 commits each record as soon as the writer is free)
     * @param retention     records older than this are purged, leaving a checkpoint; unset keeps everything
     * @param retentionCheck how often this node looks for records older than {@code retention}
     * @param nodes         every node whose records are on this trail (the running ones and the retired ones
     *                      whose records are kept); verification reports records of any other node. This
     *                      node is always one of them; unset, it is the only one (standalone)
     * @param checkpointInterval how often this node signs a checkpoint of its tree (none while no record
     *                      was written since the last one)
     * @param origin        the first part of each checkpoint's origin line, {@code <origin>/<node>}
     * @param signingKeyFile this node's Ed25519 signing key (PKCS#8 PEM), never in the database; unset,
     *                      {@code <data-dir>/trail-<node>.key}. The latest checkpoint is kept beside it
     * @param trustedKeys   the verifier keys verification trusts, one per line as {@code /audit/keys}
     *                      serves them; unset, this node's own key only
     * @param tsa           the RFC 3161 timestamping authority that stamps every checkpoint
     * @param lease         this node's lease on its name, which no other running node may use
     */
    public record Trail(
            @DefaultValue("true") boolean enabled,
            @Min(1) @DefaultValue("512") int maxBatch,
            @Min(1) @DefaultValue("10000") int queueCapacity,
            @NotNull @DurationMin(millis = 1) @DefaultValue("5s") Duration writeTimeout,
            @NotNull @DurationMin(millis = 1) @DefaultValue("5s") Duration commitTimeout,
            @NotNull @DurationMin(millis = 0) @DefaultValue("1ms") Duration commitInterval,
            @DurationMin(hours = 1) Duration retention,
            @NotNull @DurationMin(seconds = 1) @DefaultValue("1h") Duration retentionCheck,
            List<@NotBlank @Size(max = NODE_MAX) String> nodes,
            @NotNull @DurationMin(seconds = 1) @DefaultValue("60s") Duration checkpointInterval,
            @NotNull @jakarta.validation.constraints.Pattern(regexp = "[!-*,-~]{1,64}",
                    message = "is 1 to 64 printable ASCII characters without space or plus sign") @DefaultValue("gerbang") String origin,
            Path signingKeyFile,
            Path trustedKeys,
            @NotNull @Valid @DefaultValue Tsa tsa,
            @NotNull @Valid @DefaultValue Lease lease) {
        public Trail {
            nodes = nodes == null ? List.of() : List.copyOf(nodes);
        }
    }

    /**
     * @param ttl     how long a node's name stays taken after its last renewal: a node killed without a
     *                graceful stop frees it then (a graceful stop frees it at once); a node whose renewals
     *                fail for this long stops writing the trail
     * @param renewal how often a running node renews its lease
     */
    public record Lease(
            @NotNull @DurationMin(seconds = 1) @DefaultValue("30s") Duration ttl,
            @NotNull @DurationMin(millis = 100) @DefaultValue("10s") Duration renewal) {

        @AssertTrue(message = "gerbang.trail.lease.renewal must be at most half of gerbang.trail.lease.ttl")
        public boolean isRenewedWellWithinItsTtl() {
            return ttl == null || renewal == null || renewal.multipliedBy(2).compareTo(ttl) <= 0;
        }
    }

    /**
     * @param url              the TSA's address; {@code demo} runs the built-in demo TSA (not for production)
     * @param username         HTTP basic credentials, when the TSA asks for them (BSrE's does)
     * @param password         see {@code username}
     * @param certificate      the TSA's certificate or its CA's (PEM), to check each token; unset with
     *                         {@code demo}
     * @param maxFailurePeriod how long the TSA may fail before the node refuses calls with 503
     *                         AUDIT_UNAVAILABLE (until a timestamp succeeds again)
     */
    public record Tsa(
            @NotBlank @DefaultValue("demo") String url,
            String username,
            String password,
            Path certificate,
            @NotNull @DurationMin(minutes = 1) @DefaultValue("4h") Duration maxFailurePeriod) {}

    /**
     * @param enabled serve the sandbox OPD services and their routes
     * @param port    the loopback port of the sandbox services
     */
    public record Sandbox(@DefaultValue("false") boolean enabled, @Min(1) @Max(65535) @DefaultValue("18080") int port) {}
}
