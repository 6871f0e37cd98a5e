-- Single sign-on and a second factor (issue 12).
-- A member of staff who signs in through the office's OpenID provider is known by the
-- provider's issuer and subject ("issuer subject"), matched on first sign-in.
ALTER TABLE staff ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX staff_external_id ON staff(external_id) WHERE external_id IS NOT NULL;

-- A session is 'signed-in', or waits for a second factor: 'code' (one is set up) or
-- 'set-up' (the setting requires one and none is set up yet). One begun through single
-- sign-on keeps its ID token, the hint the provider's sign-out asks for.
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'signed-in';
ALTER TABLE sessions ADD COLUMN id_token TEXT;

-- A TOTP secret (RFC 6238), in use once confirmed with a code; the last time step a code
-- was accepted for, so no code is accepted twice.
CREATE TABLE second_factors (
    staff_id INTEGER NOT NULL PRIMARY KEY REFERENCES staff(id),
    secret BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    confirmed_at INTEGER,
    last_step INTEGER NOT NULL DEFAULT 0
);

-- One-time recovery codes, kept by their SHA-256.
CREATE TABLE recovery_codes (
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    code_hash TEXT NOT NULL,
    used_at INTEGER,
    PRIMARY KEY (staff_id, code_hash)
);
