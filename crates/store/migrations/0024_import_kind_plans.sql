-- Plans imported from an earlier system were keyed by the kind word `strategies`; the word
-- is `plans` since issue 11 (one word for the plan). Importing the same file again must still
-- find them, or it would write each plan a second time.
UPDATE imported SET kind = 'plans' WHERE kind = 'strategies';
