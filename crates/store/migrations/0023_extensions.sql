-- A member of staff's telephone extension (issue 14): where a phone system puts through a
-- call for a plan's single point of contact. At most one member of staff an extension.
CREATE TABLE staff_extensions (
    staff_id INTEGER NOT NULL PRIMARY KEY REFERENCES staff(id),
    extension TEXT NOT NULL UNIQUE
);
