-- Browser probe links (`ent-collector probe-link`): a capability that lets any browser
-- measure one school's link and submit a browser probe report for it, until it expires or
-- is revoked. The code itself is never stored, only its SHA-256 (as for tokens).
CREATE TABLE probe_links (
    id           TEXT COLLATE "C" PRIMARY KEY,
    hash         TEXT NOT NULL UNIQUE,
    school       TEXT COLLATE "C" NOT NULL,
    label_prefix TEXT,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX probe_links_by_school ON probe_links (school, created_at);

-- What reported a workstation's latest state: `agent`, or `browser` (the browser probe: a
-- tablet, a phone, a Chromebook), counted apart in the school's summary.
ALTER TABLE workstations ADD COLUMN kind TEXT NOT NULL DEFAULT 'agent';
