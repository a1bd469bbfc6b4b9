-- Schools kept apart. Report ids are unique per school, not across schools: one school's
-- report id cannot shadow another's. Each report keeps the hash of its canonical form, so
-- that the same id with other content is told from a retry (rows stored before this
-- migration have none; the collector hashes their body when it needs to).
CREATE TABLE reports_per_school (
    school TEXT NOT NULL,
    report_id TEXT NOT NULL,
    workstation_id TEXT NOT NULL,
    finished_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    verdict TEXT NOT NULL,
    score INTEGER NOT NULL,
    agent_verdict TEXT NOT NULL,
    agent_score INTEGER NOT NULL,
    checks TEXT NOT NULL,
    body TEXT NOT NULL,
    content_hash TEXT,
    PRIMARY KEY (school, report_id)
);
INSERT INTO reports_per_school (school, report_id, workstation_id, finished_at, received_at,
        verdict, score, agent_verdict, agent_score, checks, body)
    SELECT school, report_id, workstation_id, finished_at, received_at, verdict, score,
        agent_verdict, agent_score, checks, body FROM reports;
DROP TABLE reports;
ALTER TABLE reports_per_school RENAME TO reports;
CREATE INDEX reports_by_school ON reports (school, finished_at);
CREATE INDEX reports_by_received ON reports (received_at);
CREATE INDEX reports_by_workstation ON reports (school, workstation_id, finished_at);

-- Workstation credentials: one per enrolled workstation of a school, stored hashed like
-- tokens. Re-enrolling a workstation replaces its credential (and clears a revocation).
CREATE TABLE enrolments (
    school TEXT NOT NULL,
    workstation_id TEXT NOT NULL,
    label TEXT,
    credential_hash TEXT NOT NULL UNIQUE,
    enrolled_at INTEGER NOT NULL,
    revoked_at INTEGER,
    PRIMARY KEY (school, workstation_id)
);
-- Each enrolment (re-enrolments too) of the last minutes, for the per-school rate limit.
CREATE TABLE enrolment_events (
    school TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX enrolment_events_by_school ON enrolment_events (school, at);

-- Deployment settings the collector generates once (the secret host-name salt).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
