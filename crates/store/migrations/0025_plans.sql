-- One word for the plan (issue 11): the table the first release called `strategies` is
-- `plans`, and a dispute names the plan it is about by `plan_id`. Both backends rename in
-- place and keep every row, key and reference. The event log and tasks still name a plan
-- `strategy:7`: the log is hash-chained and never rewritten (`PlanId::subject`).
ALTER TABLE strategies RENAME TO plans;
ALTER TABLE disputes RENAME COLUMN strategy_id TO plan_id;
DROP INDEX strategies_person;
DROP INDEX strategies_status;
CREATE INDEX plans_person ON plans(person_id);
CREATE INDEX plans_status ON plans(status, review_due);
