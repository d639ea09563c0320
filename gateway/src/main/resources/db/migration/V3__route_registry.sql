-- The route registry (docs/routes.md): the routes every node serves, every version ever made of them,
-- and one revision number that every change increases, so that nodes notice changes made elsewhere.
-- Written for both PostgreSQL and H2.
CREATE TABLE registry_route (
    route_id    VARCHAR(64)  PRIMARY KEY,
    version     BIGINT       NOT NULL,
    definition  VARCHAR(1000000) NOT NULL,
    changed_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    changed_by  VARCHAR(255) NOT NULL
);

-- One row per version: created, replaced or deleted (a deletion keeps no definition). Versions of a
-- route id go on increasing after a deletion, so an ETag is never reused.
CREATE TABLE registry_version (
    route_id    VARCHAR(64)  NOT NULL,
    version     BIGINT       NOT NULL,
    change_kind VARCHAR(16)  NOT NULL,
    definition  VARCHAR(1000000),
    changed_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    changed_by  VARCHAR(255) NOT NULL,
    source      VARCHAR(512) NOT NULL,
    PRIMARY KEY (route_id, version)
);

-- A single row. Every change updates it first, in the change's own transaction: writers are serialised
-- by its row lock (conflicting paths are checked against a stable set), and readers poll it.
CREATE TABLE registry_revision (
    id        INTEGER PRIMARY KEY,
    revision  BIGINT  NOT NULL
);
INSERT INTO registry_revision (id, revision) VALUES (1, 0);
