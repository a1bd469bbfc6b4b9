-- The initial schema (mirrors sqlite/0001_initial.sql): the school directory, API tokens
-- (hashed), every report as received with the collector's verdict, and each workstation's
-- latest state. Same tables, columns and meanings as on SQLite: timestamps are Unix
-- milliseconds, ids and verdicts text. Keys compare bytewise (COLLATE "C"), as SQLite's do,
-- whatever the database's locale, so that lists come out in the same order on both.
CREATE TABLE schools (
    uai TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    commune TEXT NOT NULL,
    circonscription_code TEXT NOT NULL,
    circonscription_name TEXT NOT NULL,
    departement TEXT NOT NULL
);
CREATE TABLE tokens (
    id TEXT COLLATE "C" PRIMARY KEY,
    hash TEXT COLLATE "C" NOT NULL UNIQUE,
    scope TEXT NOT NULL CHECK (scope IN ('school', 'read')),
    school TEXT COLLATE "C",
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE TABLE reports (
    report_id TEXT COLLATE "C" PRIMARY KEY,
    school TEXT COLLATE "C" NOT NULL,
    workstation_id TEXT COLLATE "C" NOT NULL,
    finished_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
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
    school TEXT COLLATE "C" NOT NULL,
    workstation_id TEXT COLLATE "C" NOT NULL,
    label TEXT,
    hostname TEXT,
    report_id TEXT COLLATE "C" NOT NULL,
    finished_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    verdict TEXT NOT NULL,
    score INTEGER NOT NULL,
    checks TEXT NOT NULL,
    failing TEXT NOT NULL,
    PRIMARY KEY (school, workstation_id)
);
