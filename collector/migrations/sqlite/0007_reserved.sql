-- Placeholder for migration 0007, which another branch (read-token scopes) owns: versions
-- count from 1 without gaps, so this branch carries a no-op until the two merge, when that
-- branch's 0007 replaces this file (and this line of migrations.rs).
SELECT 1;
