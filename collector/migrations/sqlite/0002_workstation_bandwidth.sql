-- The last bandwidth figures of each workstation, kept across reports without a bandwidth
-- test, for the school's link estimate.
ALTER TABLE workstations ADD COLUMN download_mbps REAL;
ALTER TABLE workstations ADD COLUMN upload_mbps REAL;
ALTER TABLE workstations ADD COLUMN bandwidth_at INTEGER;
