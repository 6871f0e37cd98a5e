-- Who is calling (issue 10).
-- A phone number libphonenumber does not confirm can be kept on purpose (a number newer
-- than its data; Ofcom's drama range): it is then marked unverified, and still matched.
ALTER TABLE person_identifiers ADD COLUMN verified BIGINT NOT NULL DEFAULT 1;
-- An identifier more than one person uses (a household line, an advocate acting for
-- several people) is marked shared by whoever recorded it as such; one held by another
-- person and not marked shared is refused.
ALTER TABLE person_identifiers ADD COLUMN shared BIGINT NOT NULL DEFAULT 0;
CREATE INDEX person_identifiers_identifier ON person_identifiers(identifier);

-- Two records of the same person merged into one: the other record keeps its row (and
-- its place in the event log) and points to the one kept; nothing else refers to it.
ALTER TABLE people ADD COLUMN merged_into BIGINT;
