-- The initial schema: the school directory, API tokens (hashed), every report as received
-- with the collector's verdict, and each workstation's latest state.
CREATE TABLE schools (
    uai TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    commune TEXT NOT NULL,
    circonscription_code TEXT NOT NULL,
    circonscription_name TEXT NOT NULL,
    departement TEXT NOT NULL
);
CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL CHECK (scope IN ('school', 'read')),
    school TEXT,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE TABLE reports (
    report_id TEXT PRIMARY KEY,
    school TEXT NOT NULL,
    workstation_id TEXT NOT NULL,
    finished_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    verdict TEXT NOT NULL,
    score INTEGER NOT NULL,
    agent_verdict TEXT NOT NULL,
    agent_score INTEGER NOT NULL,
    checks TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX reports_by_school ON reports (school, finished_at);
CREATE INDEX reports_by_received ON reports (received_at);
CREATE TABLE workstations (
    school TEXT NOT NULL,
    workstation_id TEXT NOT NULL,
    label TEXT,
    hostname TEXT,
    report_id TEXT NOT NULL,
    finished_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    verdict TEXT NOT NULL,
    score INTEGER NOT NULL,
    checks TEXT NOT NULL,
    failing TEXT NOT NULL,
    PRIMARY KEY (school, workstation_id)
);
