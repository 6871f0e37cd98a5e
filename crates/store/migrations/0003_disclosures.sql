-- CLE-9.15: requests to share a person's details with a partner agency, the DPO's
-- decision, and (once shared) what went, to whom and when: the disclosure log.
CREATE TABLE disclosures (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    partner TEXT NOT NULL,
    reason TEXT NOT NULL,
    details TEXT NOT NULL,
    requested_by INTEGER NOT NULL,
    requested_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    decided_by INTEGER,
    decided_at INTEGER,
    decision_reason TEXT,
    shared_by INTEGER,
    shared_at INTEGER,
    shared_what TEXT
);
CREATE INDEX disclosures_person ON disclosures(person_id);
CREATE INDEX disclosures_shared ON disclosures(shared_at) WHERE shared_at IS NOT NULL;
