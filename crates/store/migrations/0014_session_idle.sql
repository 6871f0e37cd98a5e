-- Sessions end after a time idle as well as at their absolute end (issue 12): when each was
-- last used, written at most once a minute.
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER;
