package id.gerbang.gateway.trail;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * A node that finds its name held by another running node refuses to start; this says which name, which
 * host and process hold it, and when that lease expires, and what to do.
 */
class NodeLeaseFailureAnalyzer extends AbstractFailureAnalyzer<NodeLease.TakenException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, NodeLease.TakenException cause) {
        return new FailureAnalysis("This node's name, " + cause.node() + ", is held by another running node: host "
                + cause.holderHost() + ", pid " + cause.holderPid() + ", since " + RecordHash.format(cause.since())
                + ". Its lease expires at " + RecordHash.format(cause.expiresAt()) + " unless that node renews it. Two "
                + "nodes with one name would write one hash chain from two places, so this node does not start.",
                "Give this node a name of its own (gerbang.node, GERBANG_NODE), or stop the other node first. A node "
                        + "stopped gracefully frees its name at once; a node that was killed frees it when its lease "
                        + "expires (gerbang.trail.lease.ttl), or at once for a node started on the same host "
                        + "(docs/operations.md).",
                cause);
    }
}
