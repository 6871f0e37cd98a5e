-- CLE-9.15: requests to share a person's details with a partner agency, the DPO's
-- decision, and (once shared) what went, to whom and when: the disclosure log.
CREATE TABLE disclosures (
    id BIGSERIAL PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people(id),
    partner TEXT NOT NULL,
    reason TEXT NOT NULL,
    details TEXT NOT NULL,
    requested_by BIGINT NOT NULL,
    requested_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    decided_by BIGINT,
    decided_at BIGINT,
    decision_reason TEXT,
    shared_by BIGINT,
    shared_at BIGINT,
    shared_what TEXT
);
CREATE INDEX disclosures_person ON disclosures(person_id);
CREATE INDEX disclosures_shared ON disclosures(shared_at) WHERE shared_at IS NOT NULL;
