-- Staff sign-in for the web UI: a username, a lock after repeated failures, and sessions.
-- Expand only: the columns are nullable or defaulted, so code from before this migration still works.
ALTER TABLE staff ADD COLUMN username TEXT;
ALTER TABLE staff ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN locked_until INTEGER;
CREATE UNIQUE INDEX staff_username ON staff(username) WHERE username IS NOT NULL;

-- A session is kept by the SHA-256 of its cookie value; the cookie itself is never stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    csrf TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_staff ON sessions(staff_id);
