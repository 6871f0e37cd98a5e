//! The scheduled jobs (issue 5): reminders and escalations that `tact_core::jobs` decides,
//! each run at most once a day across every server — the day's run is claimed in the
//! same transaction as the tasks it writes, so a second server finds it taken and a
//! crash part-way leaves the day unclaimed for the next attempt.

use crate::{App, Result};
use tact_core::audit::{AuditAction, AuditEvent};
use tact_core::jobs::{self, JOBS};
use tact_core::model::{PlanStatus, TaskKind};
use tact_core::RuleError;
use tact_store::TaskFilter;

/// What one job did today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    /// Run now: how many tasks it raised.
    Ran { tasks: usize },
    /// Another run (this server's or another's) already did it today.
    AlreadyRun,
}

/// The most open tasks a job looks through at once.
const OPEN_TASKS: i64 = 100_000;

impl App {
    /// Runs the scheduled jobs (`only` one of [`JOBS`], or all) for today, UK time.
    ///
    /// # Errors
    /// An unknown job; the store's error (nothing of that job is written then).
    pub async fn run_jobs(&self, only: Option<&str>) -> Result<Vec<(String, JobOutcome)>> {
        if let Some(j) = only {
            if !JOBS.contains(&j) {
                return Err(RuleError::invalid(
                    "job",
                    format!("no job {j:?}: one of {}", JOBS.join(", ")),
                )
                .into());
            }
        }
        let now = self.now();
        let today = tact_core::check::uk_date(now);
        let period = today.to_string();
        let mut out = Vec::new();
        for job in JOBS.iter().filter(|j| only.is_none_or(|o| o == **j)) {
            // Worked out before the write transaction, so a long job never holds the
            // database's write lock (on SQLite that would stop every other write); then
            // claimed and written together — a server that loses the claim writes nothing.
            if self.store.job_ran(job, &period).await? {
                out.push((job.to_string(), JobOutcome::AlreadyRun));
                continue;
            }
            let tasks = self.job_tasks(job, today).await?;
            let mut tx = self.begin().await?;
            if !tx.claim_job(job, &period, now).await? {
                out.push((job.to_string(), JobOutcome::AlreadyRun));
                continue;
            }
            tx.tasks(&tasks, now).await?;
            let ev = AuditEvent::by_tact(now, AuditAction::JobRan, format!("job:{job}"))
                .detail("day", &period)
                .detail("tasks", tasks.len());
            tx.audit(&[ev]).await?;
            tx.finish_job(job, &period, &format!("{} tasks raised", tasks.len()))
                .await?;
            tx.commit().await?;
            metrics::counter!("tact_jobs_run_total", "job" => job.to_string()).increment(1);
            out.push((job.to_string(), JobOutcome::Ran { tasks: tasks.len() }));
        }
        Ok(out)
    }

    async fn job_tasks(
        &self,
        job: &str,
        today: jiff::civil::Date,
    ) -> Result<Vec<tact_core::model::NewTask>> {
        let open = |kind| async move {
            let filter = TaskFilter {
                open_only: true,
                kind: Some(kind),
                ..TaskFilter::default()
            };
            self.store.tasks(&filter, OPEN_TASKS).await
        };
        let live = [PlanStatus::Authorised, PlanStatus::Active];
        Ok(match job {
            "reviews" | "end-dates" => {
                let reviews = job == "reviews";
                let horizon = reviews.then(|| jobs::review_horizon(&self.profile, today));
                let plans = self.store.plans_by_status(&live, horizon).await?;
                let staff = self.store.staff_list().await?;
                let kind = if reviews {
                    TaskKind::ReviewDue
                } else {
                    TaskKind::SendNotice
                };
                let open = open(kind).await?;
                let due = jobs::Due {
                    profile: &self.profile,
                    plans: &plans,
                    staff: &staff,
                    today,
                    open: &open,
                };
                if reviews {
                    jobs::review_reminders(&due)
                } else {
                    jobs::end_date_tasks(&due)
                }
            }
            "retention" => {
                let due = self.people_due(today).await?.len();
                let open = open(TaskKind::Disposal).await?;
                jobs::disposal_task(&self.profile, due, today, &open)
            }
            "screening" => {
                let open = open(TaskKind::Screening).await?;
                jobs::overdue_screening(&self.profile, &open, today)
            }
            _ => Vec::new(),
        })
    }
}
