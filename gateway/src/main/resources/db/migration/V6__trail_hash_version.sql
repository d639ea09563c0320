-- Hash versions (docs/trail.md, "Versions"): each record says which canonical form its hash is computed
-- over. Records stored before have version 1 (the 26 members); new records are written with version 2,
-- which also covers parent_correlation_id (the composite call a part belongs to) and hash_version.
-- A column with a constant default is added without rewriting the table, on PostgreSQL and on H2.
-- Written for both PostgreSQL and H2.
ALTER TABLE audit_record ADD COLUMN parent_correlation_id VARCHAR(128);
ALTER TABLE audit_record ADD COLUMN hash_version INTEGER DEFAULT 1 NOT NULL;
