-- Schools kept apart (mirrors sqlite/0003_schools_apart.sql, which rebuilds the table where
-- PostgreSQL alters it). Report ids are unique per school, not across schools. Each report
-- keeps the hash of its canonical form, so that the same id with other content is told from
-- a retry (rows stored before this migration have none; the collector hashes their body).
ALTER TABLE reports DROP CONSTRAINT reports_pkey;
ALTER TABLE reports ADD COLUMN content_hash TEXT;
ALTER TABLE reports ADD PRIMARY KEY (school, report_id);
CREATE INDEX reports_by_workstation ON reports (school, workstation_id, finished_at);

-- Workstation credentials: one per enrolled workstation of a school, stored hashed like
-- tokens. Re-enrolling a workstation replaces its credential (and clears a revocation).
CREATE TABLE enrolments (
    school TEXT COLLATE "C" NOT NULL,
    workstation_id TEXT COLLATE "C" NOT NULL,
    label TEXT,
    credential_hash TEXT COLLATE "C" NOT NULL UNIQUE,
    enrolled_at BIGINT NOT NULL,
    revoked_at BIGINT,
    PRIMARY KEY (school, workstation_id)
);
-- Each enrolment (re-enrolments too) of the last minutes, for the per-school rate limit.
CREATE TABLE enrolment_events (
    school TEXT COLLATE "C" NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX enrolment_events_by_school ON enrolment_events (school, at);

-- Deployment settings the collector generates once (the secret host-name salt).
CREATE TABLE settings (
    key TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL
);
