-- Finding a person by part of their name at a million people (issue 10): a trigram index
-- (pg_trgm, a trusted extension) so name_lower LIKE '%…%' need not read every row.
-- A phone number, email address or reference goes straight to its own index instead.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX people_name_trigrams ON people USING gin (name_lower gin_trgm_ops);
