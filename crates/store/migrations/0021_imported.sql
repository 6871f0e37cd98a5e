-- Records brought in from an office's earlier systems (issue 14): each keyed by its source
-- and the source's own id for it, so importing the same file again changes nothing, and
-- each record can say where it came from. `digest` is of the row as imported: a row changed
-- in the source since is reported, not silently skipped or overwritten.
CREATE TABLE imported (
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    source_key TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    person_id INTEGER NOT NULL,
    line INTEGER NOT NULL,
    digest TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    imported_by INTEGER NOT NULL,
    PRIMARY KEY (source, kind, source_key)
);
CREATE INDEX imported_person ON imported (person_id);
