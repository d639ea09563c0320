-- Retention: when a node's oldest records are purged, the last purged one's sequence number and hash
-- are kept here, so that verification of what remains still links to something (docs/trail.md).
CREATE TABLE trail_checkpoint (
    node          VARCHAR(64) PRIMARY KEY,
    through_seq   BIGINT      NOT NULL,
    through_hash  VARCHAR(64) NOT NULL,
    purged_before TIMESTAMP WITH TIME ZONE NOT NULL,
    purge_record  BIGINT
);
