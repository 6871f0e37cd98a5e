-- Scheduled jobs (issue 5): one row per job and day, claimed in the same transaction as
-- what the job writes, so two servers side by side run each job once a day.
CREATE TABLE job_runs (
    job TEXT NOT NULL,
    period TEXT NOT NULL,
    ran_at BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    PRIMARY KEY (job, period)
);
