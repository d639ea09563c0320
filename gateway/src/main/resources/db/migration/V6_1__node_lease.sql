-- Node-name leases (docs/operations.md, "Several nodes"): a running node holds its name here, so that no
-- second node with the same name writes the same hash chain. One row per name; the holder renews
-- expires_at while it runs and deletes the row when it stops gracefully. Times are the database's.
-- Written for both PostgreSQL and H2.
CREATE TABLE node_lease (
    node        VARCHAR(64)  PRIMARY KEY,
    holder_host VARCHAR(255) NOT NULL,
    holder_pid  BIGINT       NOT NULL,
    instance    VARCHAR(36)  NOT NULL,
    acquired_at TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
