-- Issue 5. The access log: each time a member of staff opens a person's restrictions,
-- incidents or adjustments, who, when and what; read by the DPO and auditors.
CREATE TABLE access_log (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people(id),
    staff_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    what TEXT NOT NULL
);
CREATE INDEX access_log_person ON access_log(person_id, at);

-- Data-rights requests (access, rectification, erasure, objection): they reach the DPO
-- whatever a plan says, with their one-month deadline and any extension tracked.
CREATE TABLE data_rights (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people(id),
    kind TEXT NOT NULL,
    details TEXT NOT NULL,
    channel TEXT NOT NULL,
    received_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    extended_to TEXT,
    extension_reason TEXT,
    status TEXT NOT NULL,
    outcome TEXT,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    closed_by BIGINT,
    closed_at BIGINT
);
CREATE INDEX data_rights_open ON data_rights(status, due_on);
