-- Finding a person by part of their name at a million people (issue 10): a trigram
-- full-text index over people.name_lower (FTS5, external content), kept by triggers.
-- A phone number, email address or reference goes straight to its own index instead.
CREATE VIRTUAL TABLE people_names USING fts5(
    name_lower,
    content = 'people',
    content_rowid = 'id',
    tokenize = 'trigram'
);
INSERT INTO people_names (people_names) VALUES ('rebuild');
CREATE TRIGGER people_names_insert AFTER INSERT ON people BEGIN
    INSERT INTO people_names (rowid, name_lower) VALUES (new.id, new.name_lower);
END;
CREATE TRIGGER people_names_delete AFTER DELETE ON people BEGIN
    INSERT INTO people_names (people_names, rowid, name_lower) VALUES ('delete', old.id, old.name_lower);
END;
CREATE TRIGGER people_names_update AFTER UPDATE OF name_lower ON people BEGIN
    INSERT INTO people_names (people_names, rowid, name_lower) VALUES ('delete', old.id, old.name_lower);
    INSERT INTO people_names (rowid, name_lower) VALUES (new.id, new.name_lower);
END;
