-- Browser probe links (`ent-collector probe-link`): a capability that lets any browser
-- measure one school's link and submit a browser probe report for it, until it expires or
-- is revoked. The code itself is never stored, only its SHA-256 (as for tokens).
CREATE TABLE probe_links (
    id           TEXT PRIMARY KEY,
    hash         TEXT NOT NULL UNIQUE,
    school       TEXT NOT NULL,
    label_prefix TEXT,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX probe_links_by_school ON probe_links (school, created_at);

-- What reported a workstation's latest state: `agent`, or `browser` (the browser probe: a
-- tablet, a phone, a Chromebook), counted apart in the school's summary.
ALTER TABLE workstations ADD COLUMN kind TEXT NOT NULL DEFAULT 'agent';
