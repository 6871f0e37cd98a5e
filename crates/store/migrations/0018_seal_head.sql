-- How far the event log covers contacts (issue 12): every contact with an id up to
-- `contacts` is in a `records.state` entry. Contacts are written without touching the log
-- (one statement a batch, as before the log covered them) and sealed in ranges a moment
-- later ([`tact_store::Store::seal_contacts`]). Contacts already here are those written a
-- batch at a time with their own entries, or before the log covered records (the baseline).
CREATE TABLE seal_head (
    id INTEGER NOT NULL PRIMARY KEY,
    contacts INTEGER NOT NULL
);
INSERT INTO seal_head (id, contacts) SELECT 1, COALESCE(MAX(id), 0) FROM contacts;
