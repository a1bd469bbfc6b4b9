-- The académie and the région of each school, from the directory (the annuaire's
-- code_academie, libelle_academie, code_region, libelle_region). Schools imported before
-- (or from a file without these columns) have them empty until the next import.
ALTER TABLE schools ADD COLUMN academie_code TEXT NOT NULL DEFAULT '';
ALTER TABLE schools ADD COLUMN academie_name TEXT NOT NULL DEFAULT '';
ALTER TABLE schools ADD COLUMN region_code TEXT NOT NULL DEFAULT '';
ALTER TABLE schools ADD COLUMN region_name TEXT NOT NULL DEFAULT '';
