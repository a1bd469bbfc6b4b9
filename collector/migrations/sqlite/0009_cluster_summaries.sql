-- The school summaries of several nodes on one database (mirrors
-- postgres/0009_cluster_summaries.sql). On SQLite one collector serves: it claims every
-- full recompute and records no change (nobody follows it); the tables keep the schemas alike.
CREATE TABLE cluster_claims (
    name TEXT PRIMARY KEY,
    at INTEGER NOT NULL
);
INSERT INTO cluster_claims (name, at) VALUES ('full_summaries', 0);
CREATE TABLE summary_changes (
    school TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX summary_changes_by_at ON summary_changes (at);
