-- Inbound correspondence (issue 4). Every message is kept exactly as received (raw), with
-- where it went: the matter's inbox, a breach, screening, an unknown sender, or the
-- quarantine with the reason. The Message-ID (or the digest of a message without one) is
-- unique, so importing or polling twice stores nothing twice.
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    mailbox TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    sender TEXT NOT NULL,
    subject TEXT NOT NULL,
    route TEXT NOT NULL,
    quarantine_reason TEXT,
    person_id INTEGER REFERENCES people(id),
    matter_id INTEGER REFERENCES matters(id),
    contact_id INTEGER REFERENCES contacts(id),
    raw BLOB NOT NULL
);
CREATE INDEX messages_person ON messages(person_id);
CREATE INDEX messages_route ON messages(route, received_at);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    message_ref INTEGER NOT NULL REFERENCES messages(id),
    name TEXT,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    bytes BLOB NOT NULL
);
CREATE INDEX attachments_message ON attachments(message_ref);
