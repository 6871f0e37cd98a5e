-- The event log's head follows each entry appended (issue 12), inside the INSERT itself, so
-- an append needs no statement of its own to move the head.
CREATE FUNCTION audit_head_follows() RETURNS trigger AS $$
BEGIN
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1 AND seq < NEW.seq;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_head_follows();
