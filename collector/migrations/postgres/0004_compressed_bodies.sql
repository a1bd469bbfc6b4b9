-- Each report's body compressed (zstd), where it was kept as text: about a quarter of the
-- bytes. Rows stored before keep their text in `body` (and no `body_zstd`); new rows keep
-- an empty `body`. The collector reads whichever a row has.
ALTER TABLE reports ADD COLUMN body_zstd BYTEA;
-- Rows over 128 bytes have their long values compressed (the checks) or moved out of line
-- (the compressed body).
ALTER TABLE reports SET (toast_tuple_target = 128);
