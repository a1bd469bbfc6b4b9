-- The school summaries of several nodes on one database (mirrors
-- sqlite/0009_cluster_summaries.sql). The scheduled full recompute is claimed by one node
-- per period (`cluster_claims`: the time of the last claim, compared and set in one UPDATE);
-- that node records the schools whose summaries its pass changed (`summary_changes`), and
-- the others refresh those schools only, as they do the schools any node wrote.
CREATE TABLE cluster_claims (
    name TEXT COLLATE "C" PRIMARY KEY,
    at BIGINT NOT NULL
);
INSERT INTO cluster_claims (name, at) VALUES ('full_summaries', 0);
CREATE TABLE summary_changes (
    school TEXT COLLATE "C" NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX summary_changes_by_at ON summary_changes (at);
