-- Retention and disposal (issue 5; NOR-9.1).
-- A legal hold keeps a person's records past their disposal date until it is lifted.
CREATE TABLE legal_holds (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people(id),
    reason TEXT NOT NULL,
    placed_by BIGINT NOT NULL,
    placed_at BIGINT NOT NULL,
    lifted_by BIGINT,
    lifted_at BIGINT
);
CREATE INDEX legal_holds_person ON legal_holds(person_id);

-- What each disposal destroyed and when, without the data: the person's reference (a
-- number only Tact gave), the date their records fell due, and how many of each kind.
CREATE TABLE disposal_register (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL,
    due_on TEXT NOT NULL,
    destroyed_at BIGINT NOT NULL,
    destroyed_by BIGINT,
    counts TEXT NOT NULL
);

-- An event-log entry about a disposed person keeps its place and its hash in the chain,
-- but its words (reason and detail) are removed; verification then checks its links only.
ALTER TABLE audit_log ADD COLUMN redacted_at BIGINT;
