-- Each report's body compressed (zstd), where it was kept as text: about a quarter of the
-- bytes. Rows stored before keep their text in `body` (and no `body_zstd`); new rows keep
-- an empty `body`. The collector reads whichever a row has.
ALTER TABLE reports ADD COLUMN body_zstd BLOB;
