-- Outbound letters and emails (issue 4), kept exactly as sent: channel, format, address,
-- text and HTML, with their sending state (queued, sent, failed after retries, or for
-- the print queue) and each attempt's error.
CREATE TABLE letters (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    kind TEXT NOT NULL,
    about TEXT,
    channel TEXT NOT NULL,
    format TEXT NOT NULL,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    created_by INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE INDEX letters_person ON letters(person_id);
CREATE INDEX letters_due ON letters(status, next_attempt_at);
