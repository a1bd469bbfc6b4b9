-- The last bandwidth figures of each workstation, kept across reports without a bandwidth
-- test, for the school's link estimate (mirrors sqlite/0002_workstation_bandwidth.sql).
ALTER TABLE workstations ADD COLUMN download_mbps DOUBLE PRECISION;
ALTER TABLE workstations ADD COLUMN upload_mbps DOUBLE PRECISION;
ALTER TABLE workstations ADD COLUMN bandwidth_at BIGINT;
