-- API tokens that can be listed, named, revoked and that expire (issue 12), and service
-- accounts: a staff record with a scope acts for a system (a phone system, a mail gateway)
-- under its own name, and can only do what its scope says.
CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES staff(id),
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    revoked_by INTEGER REFERENCES staff(id)
);
CREATE INDEX tokens_staff ON tokens(staff_id);

-- Tokens from before expiry was kept last a year from when they were made.
INSERT INTO tokens (token_hash, staff_id, name, created_at, expires_at, revoked_at)
SELECT token_hash, staff_id, label, created_at, created_at + 31536000000000,
       CASE WHEN revoked = 0 THEN NULL ELSE created_at END
FROM api_tokens;

DROP TABLE api_tokens;

ALTER TABLE staff ADD COLUMN scope TEXT;
