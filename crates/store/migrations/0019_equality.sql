-- Equality monitoring (issue 13): a person's answers about the characteristics the Equality
-- Act 2010 protects, kept only with their consent and apart from their record, read only as
-- counts by the DPO and auditors. One row a person; withdrawing consent deletes it.
CREATE TABLE equality_monitoring (
    person_id INTEGER NOT NULL PRIMARY KEY REFERENCES people(id),
    consented_at INTEGER NOT NULL,
    recorded_by INTEGER NOT NULL,
    -- A JSON object: characteristic to answer, for the questions answered.
    answers TEXT NOT NULL
);
