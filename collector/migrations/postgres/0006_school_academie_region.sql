-- The académie and the région of each school, from the directory (the annuaire's
-- code_academie, libelle_academie, code_region, libelle_region). Schools imported before
-- (or from a file without these columns) have them empty until the next import.
-- Codes sort byte-wise as on SQLite (the lists page by code).
ALTER TABLE schools
    ADD COLUMN academie_code TEXT COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN academie_name TEXT NOT NULL DEFAULT '',
    ADD COLUMN region_code TEXT COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN region_name TEXT NOT NULL DEFAULT '';
