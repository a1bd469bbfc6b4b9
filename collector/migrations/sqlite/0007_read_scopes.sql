-- Read tokens get a scope: what they may see, as the text of `ReadScope` (`all`,
-- `departement:069`, `circonscription:0690900D`, `ecoles:UAI,UAI,...`). A column rather than
-- a table rebuild: the scope column's CHECK stays ('school', 'read'). Every existing token,
-- and one a collector of an older version creates on this database, reads as `all`, what a
-- read token meant before; a school token's value means nothing.
ALTER TABLE tokens ADD COLUMN read_scope TEXT NOT NULL DEFAULT 'all';
