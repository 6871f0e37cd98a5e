-- How long a call lasted, where it is known (issue 13: long calls are evidence for a
-- decision; a phone system reports it, or staff enter it).
ALTER TABLE contacts ADD COLUMN duration_seconds INTEGER;
