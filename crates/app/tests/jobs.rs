//! The scheduled jobs on the real store, SQLite and (when configured) PostgreSQL: review
//! reminders and escalations, end dates, overdue screening — each job once a day however
//! many servers run it (issue 5).

mod common;

use common::{email_only, world};
use jiff::SignedDuration;
use tact_app::jobs::JobOutcome;
use tact_app::{App, Clock};
use tact_core::model::TaskKind;
use tact_core::roles::Role;
use tact_store::{testing, TaskFilter};

async fn open_tasks(app: &App, kind: TaskKind) -> Vec<tact_core::model::Task> {
    app.store()
        .tasks(
            &TaskFilter {
                open_only: true,
                kind: Some(kind),
                ..TaskFilter::default()
            },
            1000,
        )
        .await
        .unwrap()
}

fn ran(outcomes: &[(String, JobOutcome)], job: &str) -> Option<usize> {
    outcomes
        .iter()
        .find(|(j, _)| j == job)
        .and_then(|(_, o)| match o {
            JobOutcome::Ran { tasks } => Some(*tasks),
            JobOutcome::AlreadyRun => None,
        })
}

#[tokio::test]
async fn cle_9_12_and_nor_8_1_a_review_falling_due_reminds_its_owner_and_an_overdue_one_goes_higher(
) {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let (sid, _) = w.plan_with(email_only).await;
        let clock = Clock::fixed(w.app.now());
        let app = w.app.with_clock(clock.clone());
        let plan = app.plan_as_stored(sid).await.unwrap();
        let due = plan.review_due;
        // Its owner: the senior manager who authorised it, who may review it (CLE-9.12).
        let owner = plan.decided_by.expect("authorised");
        // Thirty days off: nothing yet. Run again the same day: nothing runs twice.
        let first = app.run_jobs(None).await.unwrap();
        assert_eq!(ran(&first, "reviews"), Some(0), "{name}: {first:?}");
        let again = app.run_jobs(None).await.unwrap();
        assert!(
            again.iter().all(|(_, o)| *o == JobOutcome::AlreadyRun),
            "{name}: {again:?}"
        );
        // Within the reminder days: the plan's owner is reminded, once.
        clock.set(app.now() + SignedDuration::from_hours(24 * 20));
        assert_eq!(ran(&app.run_jobs(None).await.unwrap(), "reviews"), Some(1));
        let tasks = open_tasks(&app, TaskKind::ReviewDue).await;
        assert_eq!(tasks.len(), 1, "{name}");
        assert_eq!(tasks[0].task.assignee, Some(owner));
        assert_eq!(tasks[0].task.due_on, Some(due));
        assert_eq!(tasks[0].task.subject, Some(format!("strategy:{sid}")));
        // The day in words, as every page gives it, not 2026-12-01.
        assert!(
            tasks[0]
                .task
                .title
                .ends_with(&format!("by {}", tact_core::check::long_date(due))),
            "{}",
            tasks[0].task.title
        );
        clock.set(app.now() + SignedDuration::from_hours(24));
        assert_eq!(
            ran(&app.run_jobs(Some("reviews")).await.unwrap(), "reviews"),
            Some(0),
            "{name}: the reminder is open already"
        );
        // Overdue: it goes to the owner's manager too — here no one is named, so the
        // senior managers.
        clock.set(app.now() + SignedDuration::from_hours(24 * 12));
        assert!(tact_core::check::uk_date(app.now()) > due);
        assert_eq!(ran(&app.run_jobs(None).await.unwrap(), "reviews"), Some(1));
        let tasks = open_tasks(&app, TaskKind::ReviewDue).await;
        assert_eq!(tasks.len(), 2, "{name}");
        let overdue = tasks.iter().find(|t| t.task.assignee.is_none()).unwrap();
        assert_eq!(overdue.task.role, Some(Role::SeniorManager));
        assert!(
            overdue.task.title.starts_with("Overdue"),
            "{}",
            overdue.task.title
        );
        // The review closes both.
        let owner_ctx = common::ctx(&app.store().staff(owner).await.unwrap().unwrap());
        common::review_and_continue(
            &app,
            &owner_ctx,
            sid,
            "Still needed",
            "Emails only, as asked",
        )
        .await
        .unwrap();
        assert!(
            open_tasks(&app, TaskKind::ReviewDue).await.is_empty(),
            "{name}"
        );
        let runs = app.store().job_runs(100).await.unwrap();
        assert!(runs
            .iter()
            .any(|(job, _, _, outcome)| job == "reviews" && outcome == "1 tasks raised"));
    }
}

/// Two servers on one database, running the jobs at the same moment: each job runs once.
#[tokio::test]
async fn two_servers_side_by_side_run_each_job_once_a_day() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        w.plan_with(email_only).await;
        let at = w.app.now() + SignedDuration::from_hours(24 * 20);
        let a = w.app.with_clock(Clock::fixed(at));
        let store = tact_store::Store::open(&url).await.unwrap();
        let b = App::new(store, (*w.app.profile).clone(), Clock::fixed(at))
            .await
            .unwrap();
        let (ra, rb) = tokio::join!(a.run_jobs(None), b.run_jobs(None));
        let (ra, rb) = (ra.unwrap(), rb.unwrap());
        for job in tact_core::jobs::JOBS {
            let n = [ran(&ra, job), ran(&rb, job)]
                .iter()
                .filter(|x| x.is_some())
                .count();
            assert_eq!(n, 1, "{name}: {job} ran {n} times: {ra:?} {rb:?}");
        }
        assert_eq!(open_tasks(&a, TaskKind::ReviewDue).await.len(), 1, "{name}");
    }
}

#[tokio::test]
async fn cle_9_14_a_plan_reaching_its_end_date_asks_its_owner_to_tell_the_person() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let (sid, _) = w.plan_with(email_only).await;
        let sm = tact_app::testing::staff(&w.app, "Sal Senior", Role::SeniorManager).await;
        let s = w.app.plan_as_stored(sid).await.unwrap();
        let ends = tact_core::check::uk_date(w.app.now()) + jiff::Span::new().days(3);
        common::step(
            &w.app,
            &common::ctx(&sm),
            sid,
            tact_core::workflow::PlanCommand::Vary(tact_core::workflow::VaryInput {
                restrictions: s.restrictions.clone(),
                review_due: s.review_due,
                ends_on: Some(ends),
                reason: "Three more days".into(),
                overrides: Vec::new(),
            }),
        )
        .await
        .unwrap();
        let before = open_tasks(&w.app, TaskKind::SendNotice).await.len();
        // On its end date it still restricts, all day: nobody is told yet that it has ended.
        let clock = Clock::fixed(w.app.now() + SignedDuration::from_hours(24 * 3));
        let app = w.app.with_clock(clock.clone());
        assert!(
            app.plan_as_stored(sid).await.unwrap().in_force(app.now()),
            "{name}"
        );
        assert_eq!(
            ran(&app.run_jobs(None).await.unwrap(), "end-dates"),
            Some(0),
            "{name}: on the end date itself"
        );
        clock.set(app.now() + SignedDuration::from_hours(24));
        assert!(
            !app.plan_as_stored(sid).await.unwrap().in_force(app.now()),
            "{name}"
        );
        assert_eq!(
            ran(&app.run_jobs(None).await.unwrap(), "end-dates"),
            Some(1)
        );
        let tasks = open_tasks(&app, TaskKind::SendNotice).await;
        assert_eq!(tasks.len(), before + 1, "{name}");
        let t = tasks
            .iter()
            .find(|t| t.task.title.contains("ended"))
            .unwrap();
        assert_eq!(t.task.assignee, s.decided_by, "whoever authorised it");
        assert_eq!(t.task.clause, "CLE-9.14");
        clock.set(app.now() + SignedDuration::from_hours(24));
        assert_eq!(
            ran(&app.run_jobs(None).await.unwrap(), "end-dates"),
            Some(0)
        );
    }
}

/// NOR-8.2: on Northamptonshire a plan nobody has reviewed on time lapses. The task that
/// goes higher says so, under the lapse's clause, instead of a bare "Overdue".
#[tokio::test]
async fn nor_8_2_the_task_for_an_unreviewed_plan_says_it_has_lapsed() {
    for (name, url) in testing::fresh_urls().await {
        let w = common::world_under(&url, "northamptonshire-opfcc").await;
        let (sid, _) = w.plan_with(email_only).await;
        let clock = Clock::fixed(w.app.now());
        let app = w.app.with_clock(clock.clone());
        let plan = app.plan_as_stored(sid).await.unwrap();
        clock.set(app.now() + SignedDuration::from_hours(24 * 400));
        assert!(tact_core::check::lapsed(&app.profile, &plan, app.now()));
        assert_eq!(ran(&app.run_jobs(None).await.unwrap(), "reviews"), Some(2));
        let tasks = open_tasks(&app, TaskKind::ReviewDue).await;
        let higher = tasks
            .iter()
            .find(|t| t.task.role == Some(Role::SeniorManager))
            .expect("a task for the senior managers");
        let by = tact_core::check::long_date(plan.review_due);
        assert!(
            higher.task.title.starts_with("Lapsed: ")
                && higher.task.title.contains(&format!("was due on {by}"))
                && higher
                    .task
                    .title
                    .ends_with("restricts nothing until it is reviewed"),
            "{name}: {}",
            higher.task.title
        );
        assert_eq!(higher.task.clause, "NOR-8.2", "{name}");
        assert!(
            tasks.iter().all(|t| !t.task.title.starts_with("Overdue")),
            "{name}: {tasks:?}"
        );
    }
}

#[tokio::test]
async fn cle_9_10_and_nor_5_5_screening_not_done_in_time_goes_to_a_line_manager_once() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        w.plan_with(email_only).await;
        let raw = b"From: jo@example.org\r\nSubject: More\r\nMessage-ID: <late-1@example.org>\r\n\r\nText\r\n";
        w.app
            .import_message("enquiries", raw, &tact_mail::Limits::default())
            .await
            .unwrap();
        let days = u64::from(w.app.profile.rules.screening_due_days);
        let clock = Clock::fixed(w.app.now() + SignedDuration::from_hours(24 * (days as i64 + 2)));
        let app = w.app.with_clock(clock.clone());
        assert_eq!(
            ran(&app.run_jobs(None).await.unwrap(), "screening"),
            Some(1)
        );
        let tasks = open_tasks(&app, TaskKind::Screening).await;
        let late: Vec<_> = tasks
            .iter()
            .filter(|t| t.task.role == Some(Role::LineManager))
            .collect();
        assert_eq!(late.len(), 1, "{name}: {tasks:?}");
        assert!(late[0].task.title.starts_with("Overdue"));
        clock.set(app.now() + SignedDuration::from_hours(24));
        assert_eq!(
            ran(&app.run_jobs(None).await.unwrap(), "screening"),
            Some(0),
            "{name}"
        );
        assert!(app.run_jobs(Some("no-such-job")).await.is_err());
    }
}
