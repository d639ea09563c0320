package id.gerbang.gateway.trail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import id.gerbang.gateway.TestDatabases;
import id.gerbang.gateway.config.GerbangProperties;
import id.gerbang.gateway.context.NodeName;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A node's lease on its name, on H2 ({@link NodeLeaseH2Test}) and on real PostgreSQL
 * ({@link NodeLeasePostgresTest}): a second node with the name is refused while the first holds it, and
 * told who holds it until when; a graceful stop frees the name at once, a lapsed lease lets another node
 * take it over, and a node whose name was taken writes no record again.
 */
abstract class NodeLeaseTest {

    static final Duration TTL = Duration.ofMinutes(5);

    abstract TestDatabases.Database newDatabase() throws Exception;

    TestDatabases.Database db;
    final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeEach
    void freshDatabase() throws Exception {
        db = newDatabase();
    }

    @AfterEach
    void drop() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        db.close();
    }

    NodeLease lease(String node, String host, long pid, Duration ttl) {
        NodeLease lease = new NodeLease(db.pool(), node, ttl, host, pid);
        opened.add(lease);
        return lease;
    }

    Instant expiresAt(String node) throws Exception {
        try (Connection c = db.pool().getConnection();
                PreparedStatement s = c.prepareStatement("SELECT expires_at FROM node_lease WHERE node = ?")) {
            s.setString(1, node);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getObject(1, OffsetDateTime.class).toInstant() : null;
            }
        }
    }

    /** What an insider, or a holder stalled past its TTL, leaves: a lease already expired. */
    void expire(String node) throws Exception {
        try (Connection c = db.pool().getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE node_lease SET expires_at = ? WHERE node = ?")) {
            s.setObject(1, OffsetDateTime.parse("2020-01-01T00:00:00Z"));
            s.setString(2, node);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }

    @Test
    void aSecondNodeWithTheNameIsRefusedNamingTheHolderAndWhenItsLeaseExpires() throws Exception {
        lease("gerbang-1", "vm-a", 4242, TTL).acquire();
        Instant expires = expiresAt("gerbang-1");

        NodeLease second = lease("gerbang-1", "vm-b", 77, TTL);
        assertThatThrownBy(second::acquire).isInstanceOfSatisfying(NodeLease.TakenException.class, e -> {
            assertThat(e.node()).isEqualTo("gerbang-1");
            assertThat(e.holderHost()).isEqualTo("vm-a");
            assertThat(e.holderPid()).isEqualTo(4242);
            assertThat(e.expiresAt()).isEqualTo(expires);
        });
        assertThat(second.held()).isFalse();
        lease("gerbang-2", "vm-b", 77, TTL).acquire(); // another name is free
    }

    @Test
    void aGracefulStopFreesTheNameAtOnce() throws Exception {
        NodeLease first = lease("gerbang-1", "vm-a", 4242, TTL);
        first.acquire();
        first.close();

        NodeLease second = lease("gerbang-1", "vm-b", 77, TTL);
        second.acquire();
        assertThat(second.held()).isTrue();
        assertThat(first.held()).isFalse();
    }

    @Test
    void renewingExtendsTheLease() throws Exception {
        NodeLease lease = lease("gerbang-1", "vm-a", 4242, TTL);
        lease.acquire();
        Instant first = expiresAt("gerbang-1");
        expire("gerbang-1");

        assertThat(lease.renew()).isTrue();
        assertThat(expiresAt("gerbang-1")).isAfterOrEqualTo(first);
        assertThat(lease.held()).isTrue();
    }

    @Test
    void aLeaseNotRenewedWithinItsTtlIsNoLongerHeld() throws Exception {
        NodeLease lease = lease("gerbang-1", "vm-a", 4242, Duration.ofSeconds(1));
        lease.acquire();
        assertThat(lease.held()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> !lease.held());
        assertThat(lease.why()).contains("could not be renewed");
    }

    @Test
    void anExpiredLeaseIsTakenOverAndTheNodeThatHadItWritesNoMoreRecords() throws Exception {
        NodeLease stalled = lease("gerbang-1", "vm-a", 4242, TTL);
        stalled.acquire();
        JdbcAuditTrail stalledTrail = new JdbcAuditTrail(db.pool(), "gerbang-1", 64, 100, Duration.ofSeconds(10))
                .writingUnder(stalled);
        opened.add(stalledTrail);
        stalledTrail.record(TrailEntry.call(Instant.now()).request("GET", "/api/x", null).answer(200, 200, null).build());
        expire("gerbang-1");

        NodeLease other = lease("gerbang-1", "vm-b", 77, TTL);
        other.acquire();
        assertThat(stalled.renew()).as("its renewal finds the name taken").isFalse();

        assertThat(stalled.held()).isFalse();
        assertThat(stalled.why()).contains("taken by another node (host vm-b, pid 77)");
        assertThat(stalledTrail.available()).isFalse();
        assertThatThrownBy(() -> stalledTrail.record(TrailEntry.call(Instant.now()).request("GET", "/api/x", null)
                .answer(200, 200, null).build())).isInstanceOf(TrailUnavailableException.class);
        assertThat(stalled.renew()).as("lost for good").isFalse();

        JdbcAuditTrail otherTrail = new JdbcAuditTrail(db.pool(), "gerbang-1", 64, 100, Duration.ofSeconds(10))
                .writingUnder(other);
        opened.add(otherTrail);
        assertThat(otherTrail.record(TrailEntry.call(Instant.now()).request("GET", "/api/y", null)
                .answer(200, 200, null).build()).nodeSeq()).isEqualTo(2);
    }

    @Test
    void aHolderWhoseProcessIsGoneFromThisHostIsTakenOverAtOnce() throws Exception {
        String host = java.net.InetAddress.getLocalHost().getHostName();
        long gone = 999_999_999L;
        assertThat(ProcessHandle.of(gone)).isEmpty();
        lease("gerbang-1", host, gone, TTL).acquire();

        NodeLease restarted = new NodeLease(db.pool(), "gerbang-1", TTL);
        opened.add(restarted);
        restarted.acquire();
        assertThat(restarted.held()).isTrue();
    }

    @Test
    void aHolderAliveOnThisHostKeepsItsName() throws Exception {
        String host = java.net.InetAddress.getLocalHost().getHostName();
        lease("gerbang-1", host, ProcessHandle.current().pid(), TTL).acquire();

        NodeLease second = new NodeLease(db.pool(), "gerbang-1", TTL);
        opened.add(second);
        assertThatThrownBy(second::acquire).isInstanceOf(NodeLease.TakenException.class);
    }

    @Test
    void aNameLongerThanTheColumnIsRefused() {
        assertThatThrownBy(() -> new NodeLease(db.pool(), "n".repeat(65), TTL))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 64 characters");
    }

    // ------------------------------------------------------------------------------------------ start-up

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(GerbangProperties.class)
    static class Node {
        @Bean
        NodeName nodeName(GerbangProperties properties) {
            return new NodeName(properties.node());
        }

        @Bean
        MeterRegistry meters() {
            return new SimpleMeterRegistry();
        }
    }

    ApplicationContextRunner node(DataSource db, String name) {
        // the test's pool, seen through an interface that has no close(): each node's context leaves it open
        DataSource shared = (DataSource) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    try {
                        return method.invoke(db, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return new ApplicationContextRunner()
                .withBean(DataSource.class, () -> shared)
                .withUserConfiguration(Node.class, TrailConfiguration.class)
                // the lease is taken whether or not the trail is on; without it, the node needs none of the
                // anchoring's beans here
                .withPropertyValues("gerbang.node=" + name, "gerbang.trail.enabled=false");
    }

    @Test
    void aNodeWhoseNameIsHeldRefusesToStartSayingWhoHoldsItAndStartsOnceItIsFree() {
        node(db.pool(), "gerbang-1").run(first -> {
            assertThat(first).hasNotFailed();
            assertThat(first.getBean(NodeLease.class).held()).isTrue();
            node(db.pool(), "gerbang-1").run(second -> {
                assertThat(second).hasFailed();
                FailureAnalysis analysis = new NodeLeaseFailureAnalyzer().analyze(second.getStartupFailure());
                assertThat(analysis).as("analysed as a name held by another node").isNotNull();
                assertThat(analysis.getDescription()).contains("This node's name, gerbang-1, is held by another "
                        + "running node: host " + java.net.InetAddress.getLocalHost().getHostName() + ", pid "
                        + ProcessHandle.current().pid()).contains("Its lease expires at ");
                assertThat(analysis.getAction()).contains("gerbang.node").contains("gerbang.trail.lease.ttl");
            });
            node(db.pool(), "gerbang-2").run(other -> assertThat(other).hasNotFailed());
        });
        // the first node stopped gracefully: its name is free
        node(db.pool(), "gerbang-1").run(again -> assertThat(again).hasNotFailed());
    }
}
