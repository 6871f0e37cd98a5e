//! Scheduled work (issue 5), decided without I/O: given the records as they stand and
//! the day, which reminders and escalations fall due. The app runs each job at most once a
//! day across every server (a run is claimed per job and day, in the same transaction as
//! what it writes) and never raises a task that is already open.

use crate::ids::StaffId;
use crate::model::{NewTask, Plan, PlanStatus, Staff, Task, TaskKind};
use crate::profile::Profile;
use crate::roles::{Action, Role};
use jiff::civil::Date;

/// The jobs, by the name `tact jobs run --job` takes.
pub const JOBS: [&str; 4] = ["reviews", "end-dates", "screening", "retention"];

/// Whether the same task (kind, subject, recipient and words) is already open.
fn already_open(open: &[Task], t: &NewTask) -> bool {
    open.iter().any(|o| {
        o.done_at.is_none()
            && o.task.kind == t.kind
            && o.task.subject == t.subject
            && o.task.assignee == t.assignee
            && o.task.role == t.role
            && same_words(&o.task.title, &t.title)
    })
}

/// Whether a task's title says what `new` says: the same words, or the same with its days
/// written 2026-11-27 where `new` gives them in words ("27 November 2026"), as titles did
/// before, so a task opened then is not raised again.
fn same_words(old: &str, new: &str) -> bool {
    old == new || days_in_words(old) == new
}

/// `title` with each day written 2026-11-27 given in words, as [`crate::check::long_date`].
fn days_in_words(title: &str) -> String {
    let shape = |w: &[u8]| {
        w.len() == 10
            && w.iter().enumerate().all(|(i, b)| match i {
                4 | 7 => *b == b'-',
                _ => b.is_ascii_digit(),
            })
    };
    let bytes = title.as_bytes();
    let mut out = String::with_capacity(title.len());
    let mut i = 0;
    while i < title.len() {
        let day = bytes
            .get(i..i + 10)
            .filter(|w| shape(w))
            .and_then(|_| title[i..i + 10].parse::<Date>().ok());
        match day {
            Some(d) => {
                out.push_str(&crate::check::long_date(d));
                i += 10;
            }
            None => {
                let c = title[i..].chars().next().unwrap_or(' ');
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    out
}

/// Who a plan's reminders go to, and who is told when it is late: the first still in post
/// of whoever decided it and whoever drafted it that may take `action` (reviewing, or
/// writing to the person), and that person's line manager.
fn owner_and_manager(
    profile: &Profile,
    s: &Plan,
    staff: &[Staff],
    action: Action,
) -> (Option<StaffId>, Option<StaffId>) {
    let owner = [s.decided_by, Some(s.created_by)]
        .into_iter()
        .flatten()
        .filter_map(|id| crate::roles::in_post(staff, id))
        .find(|x| profile.may(x.role, action));
    let manager = owner
        .and_then(|o| o.line_manager)
        .filter(|m| crate::roles::in_post(staff, *m).is_some());
    (owner.map(|o| o.id), manager)
}

/// CLE-9.9: when a member of staff stops working here, each plan in force (or authorised)
/// that names them as the single point of contact goes to its owner — whoever decided it,
/// else drafted it, if they may change it (else the senior managers) — to name someone
/// else. Until then the contact check passes nothing to them ([`crate::check`]).
pub fn contact_left(
    profile: &Profile,
    left: &Staff,
    plans: &[Plan],
    staff: &[Staff],
) -> Vec<NewTask> {
    let term = &profile.terms.plan;
    let clause = profile.clause_for(crate::profile::RestrictionKind::SinglePointOfContact);
    plans
        .iter()
        .filter(|s| matches!(s.status, PlanStatus::Authorised | PlanStatus::Active))
        .filter(|s| {
            s.restrictions.iter().any(|r| {
                matches!(r.rule, crate::model::Rule::SinglePointOfContact { staff_id } if staff_id == left.id)
            })
        })
        .map(|s| {
            let (owner, _) = owner_and_manager(profile, s, staff, Action::VaryPlan);
            NewTask {
                kind: TaskKind::ReplaceContact,
                person_id: Some(s.person_id),
                assignee: owner,
                role: owner.is_none().then_some(Role::SeniorManager),
                title: format!(
                    "{}, the single point of contact in {term} {}, no longer works here: change \
                     the {term} to name someone else",
                    left.name, s.id
                ),
                due_on: None,
                clause: clause.to_string(),
                subject: plan_subject(s),
            }
        })
        .collect()
}

fn plan_subject(s: &Plan) -> Option<String> {
    Some(s.id.subject())
}

/// What the plan jobs read: the live plans, the staff, today, and the tasks of the job's
/// kind already open (so a run never opens one twice).
#[derive(Clone, Copy)]
pub struct Due<'a> {
    pub profile: &'a Profile,
    pub plans: &'a [Plan],
    pub staff: &'a [Staff],
    pub today: Date,
    pub open: &'a [Task],
}

/// CLE-9.12; NOR-8.1: the last review date the reminder job looks at today (today plus the
/// profile's reminder days).
pub fn review_horizon(profile: &Profile, today: Date) -> Date {
    today
        .checked_add(jiff::Span::new().days(i64::from(profile.rules.review_reminder_days)))
        .unwrap_or(today)
}

/// CLE-9.12; NOR-8.1: a review falling due within the profile's reminder days goes to the
/// plan's owner — whoever decided it, else whoever drafted it, if they may review (else the
/// senior managers); one that is overdue also goes to the owner's line manager (or the
/// senior managers), so it cannot sit unnoticed.
pub fn review_reminders(due: &Due) -> Vec<NewTask> {
    let Due {
        profile,
        plans,
        staff,
        today,
        open,
    } = *due;
    let horizon = review_horizon(profile, today);
    let mut out = Vec::new();
    for s in plans {
        if !matches!(s.status, PlanStatus::Authorised | PlanStatus::Active)
            || s.review_due > horizon
        {
            continue;
        }
        let (owner, manager) = owner_and_manager(profile, s, staff, Action::ReviewPlan);
        let plan = &profile.terms.plan;
        let by = crate::check::long_date(s.review_due);
        let base = NewTask {
            kind: TaskKind::ReviewDue,
            person_id: Some(s.person_id),
            assignee: owner,
            role: owner.is_none().then_some(Role::SeniorManager),
            title: format!("Review {plan} {} by {by}", s.id),
            due_on: Some(s.review_due),
            clause: profile.clauses.review_interval.clone(),
            subject: plan_subject(s),
        };
        let mut wanted = vec![base.clone()];
        // Late, it goes higher too: lapsed where the profile lapses it (NOR-8.2: nothing said
        // it still applies, so it restricts nothing until reviewed), else overdue.
        let higher = if crate::check::lapsed_on(profile, s, today) {
            Some((
                format!(
                    "Lapsed: the review of {plan} {} was due on {by}, and it restricts \
                     nothing until it is reviewed",
                    s.id
                ),
                crate::check::overdue_review_clause(profile).to_string(),
            ))
        } else if s.review_overdue(today) {
            Some((
                format!("Overdue: the review of {plan} {} was due on {by}", s.id),
                base.clause.clone(),
            ))
        } else {
            None
        };
        if let Some((title, clause)) = higher {
            wanted.push(NewTask {
                assignee: manager,
                role: manager.is_none().then_some(Role::SeniorManager),
                title,
                clause,
                ..base
            });
        }
        for t in wanted {
            if !already_open(open, &t) && !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out
}

/// CLE-9.14: a plan whose end date has come stops restricting by itself (see
/// [`Plan::in_force`]); its owner is asked to tell the person that it has ended.
pub fn end_date_tasks(due: &Due) -> Vec<NewTask> {
    let mut out = Vec::new();
    for s in due.plans {
        let ended = s.has_ended(due.today);
        if !ended || !matches!(s.status, PlanStatus::Authorised | PlanStatus::Active) {
            continue;
        }
        let (owner, _) = owner_and_manager(due.profile, s, due.staff, Action::RecordNotice);
        let t = NewTask {
            kind: TaskKind::SendNotice,
            person_id: Some(s.person_id),
            assignee: owner,
            role: owner.is_none().then_some(Role::LineManager),
            title: format!(
                "The {} {} ended on {}: tell them in writing",
                due.profile.terms.plan,
                s.id,
                s.ends_on.map(crate::check::long_date).unwrap_or_default()
            ),
            due_on: Some(due.today),
            clause: due.profile.clauses.changes_told.clone(),
            subject: plan_subject(s),
        };
        if !already_open(due.open, &t) {
            out.push(t);
        }
    }
    out
}

/// NOR-9.1: when records are due for disposal, the DPO is asked (once while it stays open)
/// to check the dry run's list and dispose of them; nothing is destroyed without them.
pub fn disposal_task(profile: &Profile, due: usize, today: Date, open: &[Task]) -> Vec<NewTask> {
    if due == 0 {
        return Vec::new();
    }
    let t = NewTask {
        kind: TaskKind::Disposal,
        person_id: None,
        assignee: None,
        role: Some(profile.roles.queue_for(Action::ManageRetention)),
        title: format!(
            "Records of {due} {} are due for disposal: check the list and dispose of them",
            if due == 1 { "person" } else { "people" }
        ),
        due_on: Some(today),
        clause: profile.clauses.retention.clone(),
        subject: Some("retention".into()),
    };
    if open
        .iter()
        .any(|o| o.done_at.is_none() && o.task.kind == TaskKind::Disposal)
    {
        Vec::new()
    } else {
        vec![t]
    }
}

/// CLE-9.10; NOR-5.5: contact not screened within the profile's days goes to a line
/// manager as well as the caseworkers, once.
pub fn overdue_screening(profile: &Profile, screening: &[Task], today: Date) -> Vec<NewTask> {
    let mut out = Vec::new();
    for t in screening {
        let late = t.done_at.is_none()
            && t.task.kind == TaskKind::Screening
            && t.task.role != Some(Role::LineManager)
            && t.task.due_on.is_some_and(|d| d < today);
        if !late {
            continue;
        }
        let n = NewTask {
            kind: TaskKind::Screening,
            person_id: t.task.person_id,
            assignee: None,
            role: Some(Role::LineManager),
            title: format!(
                "Overdue: screening was due on {} ({} days after it came in)",
                t.task
                    .due_on
                    .map(crate::check::long_date)
                    .unwrap_or_default(),
                profile.rules.screening_due_days
            ),
            due_on: Some(today),
            clause: profile.clauses.screening.clone(),
            subject: t.task.subject.clone(),
        };
        if !already_open(screening, &n) && !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Titles give their days in words; a task opened when they gave them as 2026-11-27
    /// is the same task, so it is not raised again.
    #[test]
    fn cle_9_12_a_reminder_gives_its_day_in_words_and_an_older_one_is_not_raised_again() {
        assert_eq!(
            days_in_words("Review contact strategy 4 by 2026-11-27"),
            "Review contact strategy 4 by 27 November 2026"
        );
        assert!(same_words(
            "Overdue: the review of communication plan 20 was due on 2026-11-27",
            "Overdue: the review of communication plan 20 was due on 27 November 2026"
        ));
        // Only a real day is read as one; other numbers and words stay as they are.
        assert_eq!(
            days_in_words("Ref 2026-13-45 and 12345-67-89x é"),
            "Ref 2026-13-45 and 12345-67-89x é"
        );
        assert!(!same_words(
            "Review contact strategy 4 by 2026-11-27",
            "Review contact strategy 4 by 28 November 2026"
        ));
    }
}
