-- The change feed (issue 10): every write that changes what a process caches (people and
-- their identifiers, plans, adjustments, staff and their tokens) records here, in its own
-- transaction, which record changed. Every Tact process applies the changes it has not
-- yet seen, in sequence order.
--
-- The sequence comes from the head row, updated in the writing transaction: on PostgreSQL
-- its row lock is held until commit, so sequence numbers become visible in the order they
-- were given and a reader that has seen N has seen everything before N (a plain sequence
-- would let a later number commit first and an earlier one be skipped). SQLite's
-- BEGIN IMMEDIATE serialises writers already.
CREATE TABLE change_head (
    id INTEGER NOT NULL PRIMARY KEY,
    seq BIGINT NOT NULL
);
INSERT INTO change_head (id, seq) VALUES (1, 0);

-- `removed` lists, one a line, the identifiers the write took away from the person (so a
-- follower's index can forget them without keeping every person's identifiers).
CREATE TABLE changes (
    seq BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    key BIGINT NOT NULL,
    at BIGINT NOT NULL,
    removed TEXT NOT NULL DEFAULT ''
);
