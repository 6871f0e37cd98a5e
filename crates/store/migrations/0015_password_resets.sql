-- One-time password-reset links an administrator issues (issue 12): only the hash of the
-- link's secret is kept; a link works once, before it expires.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    created_by INTEGER REFERENCES staff(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
