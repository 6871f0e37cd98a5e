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
            let mut ev = AuditEvent {
                at: now,
                actor: None,
                action: AuditAction::JobRan,
                subject: format!("job:{job}"),
                person_id: None,
                reason: None,
                clause: None,
                detail: Vec::new(),
            };
            ev.detail.push(("day".into(), period.clone()));
            ev.detail.push(("tasks".into(), tasks.len().to_string()));
            tx.audit(&[ev]).await?;
            tx.finish_job(job, &period, &format!("{} tasks raised", tasks.len()))
                .await?;
            tx.commit().await?;
            out.push((job.to_string(), JobOutcome::Ran { tasks: tasks.len() }));
        }
        Ok(out)
    }

    async fn job_tasks(
        &self,
        job: &str,
        today: jiff::civil::Date,
    ) -> Result<Vec<tact_core::model::NewTask>> {
        let open = |kind| TaskFilter {
            open_only: true,
            kind: Some(kind),
            ..TaskFilter::default()
        };
        let live = [PlanStatus::Authorised, PlanStatus::Active];
        Ok(match job {
            "reviews" => {
                let horizon = today
                    .checked_add(
                        jiff::Span::new().days(i64::from(self.profile.rules.review_reminder_days)),
                    )
                    .unwrap_or(today);
                let plans = self.store.plans_by_status(&live, Some(horizon)).await?;
                let staff = self.store.staff_list().await?;
                let open = self
                    .store
                    .tasks(&open(TaskKind::ReviewDue), OPEN_TASKS)
                    .await?;
                jobs::review_reminders(&self.profile, &plans, &staff, today, &open)
            }
            "end-dates" => {
                let plans = self.store.plans_by_status(&live, None).await?;
                let staff = self.store.staff_list().await?;
                let open = self
                    .store
                    .tasks(&open(TaskKind::SendNotice), OPEN_TASKS)
                    .await?;
                jobs::end_date_tasks(&self.profile, &plans, &staff, today, &open)
            }
            "retention" => {
                let due = self.people_due(today).await?.len();
                let open = self
                    .store
                    .tasks(&open(TaskKind::Disposal), OPEN_TASKS)
                    .await?;
                jobs::disposal_task(&self.profile, due, today, &open)
            }
            "screening" => {
                let open = self
                    .store
                    .tasks(&open(TaskKind::Screening), OPEN_TASKS)
                    .await?;
                jobs::overdue_screening(&self.profile, &open, today)
            }
            _ => Vec::new(),
        })
    }
}
