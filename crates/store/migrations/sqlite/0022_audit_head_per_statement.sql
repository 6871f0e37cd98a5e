-- PostgreSQL's head trigger now runs once a statement (see its 0022). SQLite updates the
-- head row in place, so its row trigger stays; nothing changes here.
SELECT 1;
