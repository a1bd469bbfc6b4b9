-- Read tokens get a scope (mirrors sqlite/0007_read_scopes.sql): what they may see, as the
-- text of `ReadScope` (`all`, `departement:069`, `circonscription:0690900D`,
-- `ecoles:UAI,UAI,...`). Every existing token, and one a collector of an older version
-- creates on this database, reads as `all`, what a read token meant before; a school
-- token's value means nothing.
ALTER TABLE tokens ADD COLUMN read_scope TEXT NOT NULL DEFAULT 'all';
-- A read token of a narrower scope keeps its hash in `scoped_hash` and a placeholder in
-- `hash` (`scoped:ID`, never a SHA-256): a collector older than scopes looks tokens up by
-- `hash` only, and would take any read token for one of scope all. It never finds these.
ALTER TABLE tokens ADD COLUMN scoped_hash TEXT;
CREATE UNIQUE INDEX tokens_scoped_hash ON tokens (scoped_hash);
