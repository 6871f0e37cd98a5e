-- The event log's head follows the last entry each INSERT appends, once a statement rather
-- than once a row (issue 14): an import appends 100,000 entries in one transaction, and in
-- PostgreSQL every update of the one head row in a transaction leaves a version behind
-- that the next must step over — the time per entry grew with the entries before it
-- (100,000 people took 102 s, 20,000 took 4 s). A statement's new rows are its transition
-- table; the head takes the highest.
CREATE OR REPLACE FUNCTION audit_head_follows() RETURNS trigger AS $$
BEGIN
    UPDATE audit_head h SET seq = n.seq, hash = n.hash
    FROM (SELECT seq, hash FROM new_entries ORDER BY seq DESC LIMIT 1) n
    WHERE h.id = 1 AND h.seq < n.seq;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER audit_head_follows ON audit_log;
CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_log
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_head_follows();
