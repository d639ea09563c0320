package id.gerbang.gateway.trail;

import java.time.Instant;

/**
 * A checkpoint a node signed, as the database keeps it ({@code trail_signed_checkpoint}).
 *
 * @param id             the row's id
 * @param node           the node whose tree it covers
 * @param treeSize       the tree's size: the node's last {@code nodeSeq} covered
 * @param rootHash       the tree's root hash at that size
 * @param time           when it was signed (the note's {@code time} line)
 * @param note           the signed note exactly as signed
 * @param timestampToken the RFC 3161 token (DER) over SHA-256 of {@code note}'s bytes; null until stamped
 * @param stampedAt      the token's time; null until stamped
 */
public record StoredCheckpoint(long id, String node, long treeSize, byte[] rootHash, Instant time, String note,
                               byte[] timestampToken, Instant stampedAt) {

    public boolean stamped() {
        return timestampToken != null;
    }
}
