-- The event log's head follows each entry appended (issue 12), inside the INSERT itself, so
-- an append is one statement: every contact-writer batch appends one entry, and each
-- statement is a round trip to SQLite's thread.
CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_log
BEGIN
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1 AND seq < NEW.seq;
END;
