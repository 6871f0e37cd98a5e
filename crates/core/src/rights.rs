//! Data-rights requests (issue 5): a request for access, rectification, erasure or
//! objection reaches the Data Protection Officer whatever a plan says — anyone who takes
//! contact records it — with the one-month deadline of UK GDPR Article 12(3), which the DPO
//! may extend once by two further months, telling the person why within the first month.

use crate::audit::{AuditAction, AuditEvent};
use crate::error::RuleError;
use crate::ids::{PersonId, StaffId};
use crate::model::{NewTask, TaskKind};
use crate::profile::{Channel, Profile};
use crate::roles::{authorise as may, Action, Actor};
use crate::workflow::Decision;
use jiff::civil::Date;
use jiff::Timestamp;

/// Where the deadlines come from.
pub const CLAUSE: &str = "UK GDPR Art. 12(3)";

/// The day the law these rights and their deadline come from took effect (the GDPR, kept
/// in UK law as the UK GDPR, with the Data Protection Act 2018): no request under it was
/// received before, so an earlier day is a mistyped one.
pub const IN_FORCE_FROM: Date = jiff::civil::date(2018, 5, 25);

crate::words! {
    pub enum RightKind for "kind" {
        Access = "access",
        Rectification = "rectification",
        Erasure = "erasure",
        Objection = "objection",
    }
}

impl RightKind {
    pub fn plain(self) -> &'static str {
        match self {
            Self::Access => "a copy of what we hold (subject access)",
            Self::Rectification => "putting right what we hold",
            Self::Erasure => "erasing what we hold",
            Self::Objection => "an objection to how we use it",
        }
    }
}

crate::words! {
    pub enum RightStatus for "status" {
        Open = "open",
        /// Answered, with what was done.
        Done = "done",
        /// Refused, with the reason (the person may complain to the ICO).
        Refused = "refused",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RightsRequest {
    pub id: i64,
    pub person_id: PersonId,
    pub kind: RightKind,
    pub details: String,
    pub channel: Channel,
    pub received_on: Date,
    pub due_on: Date,
    pub extended_to: Option<Date>,
    pub extension_reason: Option<String>,
    pub status: RightStatus,
    pub outcome: Option<String>,
    pub created_by: StaffId,
    pub created_at: Timestamp,
    pub closed_by: Option<StaffId>,
    pub closed_at: Option<Timestamp>,
}

impl RightsRequest {
    /// The date it must be answered by, extension included.
    pub fn deadline(&self) -> Date {
        self.extended_to.unwrap_or(self.due_on)
    }
    pub fn overdue(&self, today: Date) -> bool {
        self.status == RightStatus::Open && self.deadline() < today
    }
}

/// One calendar month from receipt (the same day next month, or the month's last day).
pub fn one_month_from(received: Date) -> Date {
    received
        .checked_add(jiff::Span::new().months(1))
        .unwrap_or(received)
}

fn subject(r: &RightsRequest) -> String {
    format!("data-rights:{}", r.id)
}

/// Records a request as it arrives. Anyone who may record contact may record one, and
/// nothing in a plan stops it: it is the person's right, not contact to be managed. It
/// goes to the DPO as a task due on the deadline.
///
/// # Errors
/// A role refusal; no details; a receipt date in the future, or before the law took effect
/// ([`IN_FORCE_FROM`]).
#[allow(clippy::too_many_arguments)]
pub fn receive(
    profile: &Profile,
    actor: &Actor,
    person: PersonId,
    kind: RightKind,
    details: &str,
    channel: Channel,
    received_on: Date,
    today: Date,
    now: Timestamp,
) -> Result<Decision<RightsRequest>, RuleError> {
    may(profile, actor, Action::RecordContact, None)?;
    crate::error::require_text("details", details)?;
    // The law's own start is later than the records' (`check::RECORDS_BEGIN`), so it is
    // asked first: its refusal says why.
    if received_on < IN_FORCE_FROM {
        return Err(RuleError::invalid(
            "received_on",
            format!(
                "a request under the UK GDPR cannot have been received before {}, when it took \
                 effect: check the year",
                crate::check::long_date(IN_FORCE_FROM)
            ),
        ));
    }
    crate::check::happened_by("received_on", "a request's receipt", received_on, today)?;
    let r = RightsRequest {
        id: 0,
        person_id: person,
        kind,
        details: details.trim().to_string(),
        channel,
        received_on,
        due_on: one_month_from(received_on),
        extended_to: None,
        extension_reason: None,
        status: RightStatus::Open,
        outcome: None,
        created_by: actor.id,
        created_at: now,
        closed_by: None,
        closed_at: None,
    };
    let task = NewTask {
        kind: TaskKind::DataRights,
        person_id: Some(person),
        assignee: None,
        role: Some(profile.roles.queue_for(Action::HandleDataRights)),
        title: format!(
            "Data-rights request: {} — answer by {}",
            kind.plain(),
            crate::check::long_date(r.due_on)
        ),
        due_on: Some(r.due_on),
        clause: CLAUSE.into(),
        subject: None,
    };
    Ok(Decision {
        events: vec![AuditEvent::new(
            now,
            actor.id,
            AuditAction::DataRightsReceived,
            String::new(),
        )
        .person(person)
        .clause(CLAUSE)
        .detail("kind", kind.as_str())
        .detail("due_on", r.due_on.to_string())],
        tasks: vec![task],
        closes: Vec::new(),
        moot: Vec::new(),
        record: r,
    })
}

/// Extends the deadline by two months (complex or numerous requests), once, before the
/// first month is out; the person must be told why, so a task to tell them goes with it.
///
/// # Errors
/// Not the DPO; no reason; already extended, closed, or past the first month.
pub fn extend(
    profile: &Profile,
    actor: &Actor,
    r: &RightsRequest,
    reason: &str,
    today: Date,
    now: Timestamp,
) -> Result<Decision<RightsRequest>, RuleError> {
    may(profile, actor, Action::HandleDataRights, None)?;
    crate::error::require_text("reason", reason)?;
    if r.status != RightStatus::Open {
        return Err(RuleError::conflict(CLAUSE, "the request has been answered"));
    }
    if r.extended_to.is_some() {
        return Err(RuleError::conflict(
            CLAUSE,
            "the deadline can be extended only once",
        ));
    }
    if today > r.due_on {
        return Err(RuleError::conflict(
            CLAUSE,
            format!(
                "an extension must be made, and the person told, within the first month (by {})",
                r.due_on
            ),
        ));
    }
    let mut next = r.clone();
    next.extended_to = Some(
        r.due_on
            .checked_add(jiff::Span::new().months(2))
            .unwrap_or(r.due_on),
    );
    next.extension_reason = Some(reason.trim().to_string());
    let to = next.extended_to.unwrap_or(r.due_on);
    Ok(Decision {
        events: vec![
            AuditEvent::new(now, actor.id, AuditAction::DataRightsExtended, subject(r))
                .person(r.person_id)
                .clause(CLAUSE)
                .reason(reason.trim().to_string())
                .detail("extended_to", to.to_string()),
        ],
        tasks: vec![
            NewTask {
                kind: TaskKind::SendNotice,
                person_id: Some(r.person_id),
                assignee: Some(actor.id),
                role: None,
                title: format!(
                    "Tell them the answer will come by {}, and why, before {}",
                    crate::check::long_date(to),
                    crate::check::long_date(r.due_on)
                ),
                due_on: Some(r.due_on),
                clause: CLAUSE.into(),
                subject: Some(subject(r)),
            },
            NewTask {
                kind: TaskKind::DataRights,
                person_id: Some(r.person_id),
                assignee: None,
                role: Some(profile.roles.queue_for(Action::HandleDataRights)),
                title: format!(
                    "Data-rights request: {} — answer by {} (extended)",
                    r.kind.plain(),
                    crate::check::long_date(to)
                ),
                due_on: Some(to),
                clause: CLAUSE.into(),
                subject: Some(subject(r)),
            },
        ],
        // The first deadline has moved: its task gives way to the one due on the new date.
        closes: vec![TaskKind::DataRights],
        moot: Vec::new(),
        record: next,
    })
}

/// Why `actor` may not answer this request now, or `None` where they may: not the role
/// that handles data rights, or already answered. The answer form asks it before it is
/// shown, and [`close`] first.
pub fn answer_refusal(profile: &Profile, actor: &Actor, r: &RightsRequest) -> Option<RuleError> {
    may(profile, actor, Action::HandleDataRights, None)
        .err()
        .or_else(|| {
            (r.status != RightStatus::Open)
                .then(|| RuleError::conflict(CLAUSE, "the request has been answered"))
        })
}

/// Answers the request (done, with what was done; or refused, with why).
///
/// # Errors
/// Not the DPO; no outcome; already answered.
pub fn close(
    profile: &Profile,
    actor: &Actor,
    r: &RightsRequest,
    refused: bool,
    outcome: &str,
    now: Timestamp,
) -> Result<Decision<RightsRequest>, RuleError> {
    if let Some(refused) = answer_refusal(profile, actor, r) {
        return Err(refused);
    }
    crate::error::require_text("outcome", outcome)?;
    let mut next = r.clone();
    next.status = if refused {
        RightStatus::Refused
    } else {
        RightStatus::Done
    };
    next.outcome = Some(outcome.trim().to_string());
    next.closed_by = Some(actor.id);
    next.closed_at = Some(now);
    Ok(Decision {
        events: vec![
            AuditEvent::new(now, actor.id, AuditAction::DataRightsAnswered, subject(r))
                .person(r.person_id)
                .clause(CLAUSE)
                .detail("status", next.status.as_str())
                .reason(outcome.trim().to_string()),
        ],
        tasks: Vec::new(),
        closes: vec![TaskKind::DataRights],
        moot: Vec::new(),
        record: next,
    })
}

crate::words! {
    /// The DPO's answer to a data-rights request: done (saying what was done), refused (saying
    /// why), or more time, once, with the reason (they are told).
    pub enum RightsAnswer for "decision" {
        Done = "done",
        Refused = "refused",
        Extend = "extend",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roles::Role;
    use jiff::civil::date;

    #[test]
    fn uk_gdpr_a_request_received_before_the_law_took_effect_is_a_mistyped_day() {
        let profile = Profile::built_in("cleveland-opcc").unwrap();
        let cw = Actor {
            id: StaffId(4),
            name: "Cas Worker".into(),
            role: Role::Caseworker,
            scope: None,
        };
        let today = date(2026, 12, 4);
        let now = jiff::Timestamp::UNIX_EPOCH;
        let on = |day| {
            receive(
                &profile,
                &cw,
                PersonId(1),
                RightKind::Access,
                "A copy",
                Channel::Letter,
                day,
                today,
                now,
            )
        };
        for typo in [date(1, 1, 1), date(2018, 5, 24), date(202, 11, 30)] {
            let e = on(typo).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("received_on"), "{typo}");
            assert!(e.message.contains("25 May 2018"), "{e}");
        }
        assert_eq!(on(IN_FORCE_FROM).unwrap().record.received_on, IN_FORCE_FROM);
        assert_eq!(on(today).unwrap().record.received_on, today);
    }

    #[test]
    fn the_deadline_is_one_calendar_month_or_the_months_last_day() {
        assert_eq!(one_month_from(date(2026, 11, 23)), date(2026, 12, 23));
        assert_eq!(one_month_from(date(2027, 1, 31)), date(2027, 2, 28));
        assert_eq!(one_month_from(date(2026, 12, 15)), date(2027, 1, 15));
    }
}
