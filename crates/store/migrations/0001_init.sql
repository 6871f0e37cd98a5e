-- Tact schema, version 1, for both databases: written in SQLite's words, said in PostgreSQL's by
-- `store::for_postgres` (a key SQLite assigns becomes a sequence; every integer is 64-bit).
-- Instants are microseconds since the Unix epoch; dates are ISO text (YYYY-MM-DD);
-- flags are 0/1 integers, so one set of queries serves both databases.

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT,
    role TEXT NOT NULL,
    line_manager INTEGER,
    active INTEGER NOT NULL DEFAULT 1,
    password_hash TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    label TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    reference TEXT UNIQUE,
    name TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    postal_address TEXT,
    advocate TEXT,
    preferred_format TEXT NOT NULL,
    preferred_language TEXT,
    help_asked_at INTEGER,
    help_asked_by INTEGER,
    help_needed INTEGER,
    help_words TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX people_name ON people(name_lower);

CREATE TABLE person_identifiers (
    identifier TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id),
    kind TEXT NOT NULL,
    PRIMARY KEY (identifier, person_id)
);
CREATE INDEX person_identifiers_person ON person_identifiers(person_id);

CREATE TABLE matters (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    reference TEXT UNIQUE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    finalised_on TEXT,
    opened_at INTEGER NOT NULL
);
CREATE INDEX matters_person ON matters(person_id);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    person_id INTEGER REFERENCES people(id),
    matter_id INTEGER REFERENCES matters(id),
    channel TEXT NOT NULL,
    direction TEXT NOT NULL,
    at INTEGER NOT NULL,
    staff_id INTEGER,
    identifier TEXT,
    summary TEXT NOT NULL,
    body TEXT NOT NULL,
    breach_of TEXT NOT NULL,
    screening TEXT NOT NULL,
    not_recorded_as_complaint INTEGER NOT NULL,
    idempotency_key TEXT
);
CREATE INDEX contacts_person_at ON contacts(person_id, at);
-- Partial indexes: most contacts need no screening and carry no idempotency key, so
-- neither index grows with them.
CREATE INDEX contacts_screening ON contacts(screening) WHERE screening = 'due';
CREATE UNIQUE INDEX contacts_idempotency ON contacts(idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    matter_id INTEGER,
    contact_id INTEGER,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    staff_id INTEGER NOT NULL,
    recorded_by INTEGER NOT NULL,
    ended_reason TEXT,
    ended_file_note TEXT,
    ended_caller_warned INTEGER
);
CREATE INDEX incidents_person ON incidents(person_id);

CREATE TABLE warnings (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    incident_ids TEXT NOT NULL,
    what_is_wrong TEXT NOT NULL,
    how_to_change TEXT NOT NULL,
    consequence TEXT NOT NULL,
    channel TEXT NOT NULL,
    given_at INTEGER NOT NULL,
    given_by INTEGER NOT NULL
);
CREATE INDEX warnings_person ON warnings(person_id);

-- A plan's full record is JSON in `body`; the columns beside it are what queries filter on.
CREATE TABLE strategies (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    review_due TEXT NOT NULL,
    ends_on TEXT,
    body TEXT NOT NULL
);
CREATE INDEX strategies_person ON strategies(person_id);
CREATE INDEX strategies_status ON strategies(status, review_due);

CREATE TABLE adjustments (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    recorded_by INTEGER NOT NULL,
    decided_by INTEGER,
    decided_at INTEGER,
    decision_reason TEXT
);
CREATE INDEX adjustments_person ON adjustments(person_id);

CREATE TABLE disputes (
    id INTEGER PRIMARY KEY,
    strategy_id INTEGER NOT NULL REFERENCES strategies(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    grounds TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    recorded_by INTEGER NOT NULL,
    outcome TEXT,
    decided_by INTEGER,
    decided_at INTEGER,
    decision_reason TEXT
);
CREATE INDEX disputes_person ON disputes(person_id);

CREATE TABLE further_actions (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    kind TEXT NOT NULL,
    reasons TEXT NOT NULL,
    prior_notice_given INTEGER NOT NULL,
    no_notice_reason TEXT,
    decided_by INTEGER NOT NULL,
    decided_at INTEGER NOT NULL
);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    person_id INTEGER,
    assignee INTEGER,
    role TEXT,
    title TEXT NOT NULL,
    due_on TEXT,
    clause TEXT NOT NULL,
    subject TEXT,
    created_at INTEGER NOT NULL,
    done_at INTEGER,
    done_by INTEGER,
    outcome TEXT
);
CREATE INDEX tasks_open ON tasks(done_at, assignee);
CREATE INDEX tasks_person ON tasks(person_id);

-- The append-only, hash-chained event log, and its head (the last entry's number and hash).
CREATE TABLE audit_log (
    seq INTEGER NOT NULL PRIMARY KEY,
    at INTEGER NOT NULL,
    actor INTEGER,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    person_id INTEGER,
    reason TEXT,
    clause TEXT,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_person ON audit_log(person_id);
CREATE TABLE audit_head (id INTEGER NOT NULL PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL);

-- Responses to requests sent with an Idempotency-Key, so a repeated submission writes nothing twice.
CREATE TABLE idempotency (key TEXT PRIMARY KEY, staff_id INTEGER NOT NULL, response TEXT NOT NULL, created_at INTEGER NOT NULL);
