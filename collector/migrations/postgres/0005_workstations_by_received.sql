-- Workstations by the time their latest report was received: what the nodes on one database
-- ask every second (which schools did any node write lately), and what the retention purge
-- deletes by.
CREATE INDEX workstations_by_received ON workstations (received_at);
