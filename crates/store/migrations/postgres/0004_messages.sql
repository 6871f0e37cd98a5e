-- Inbound correspondence (issue 4). Every message is kept exactly as received (raw), with
-- where it went: the matter's inbox, a breach, screening, an unknown sender, or the
-- quarantine with the reason. The Message-ID (or the digest of a message without one) is
-- unique, so importing or polling twice stores nothing twice.
CREATE TABLE messages (
    id BIGSERIAL PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    mailbox TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    sender TEXT NOT NULL,
    subject TEXT NOT NULL,
    route TEXT NOT NULL,
    quarantine_reason TEXT,
    person_id BIGINT REFERENCES people(id),
    matter_id BIGINT REFERENCES matters(id),
    contact_id BIGINT REFERENCES contacts(id),
    raw BYTEA NOT NULL
);
CREATE INDEX messages_person ON messages(person_id);
CREATE INDEX messages_route ON messages(route, received_at);

CREATE TABLE attachments (
    id BIGSERIAL PRIMARY KEY,
    message_ref BIGINT NOT NULL REFERENCES messages(id),
    name TEXT,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    bytes BYTEA NOT NULL
);
CREATE INDEX attachments_message ON attachments(message_ref);
