-- The caller-assertion public keys of every node (docs/upstream-auth.md): each node publishes its own at
-- start-up, and /.well-known/gerbang-jwks.json serves them all. Public keys only: private keys stay in
-- each node's data directory.
CREATE TABLE assertion_key (
    kid          VARCHAR(128)  NOT NULL PRIMARY KEY,
    node         VARCHAR(64)   NOT NULL,
    jwk          VARCHAR(4000) NOT NULL,
    published_at TIMESTAMP WITH TIME ZONE NOT NULL
);
