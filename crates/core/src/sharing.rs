//! Sharing a person's details with a partner agency (CLE-9.15: "only … when there are
//! legitimate reasons … staff should consult the Data Protection Officer (DPO) before
//! sharing details with another agency"). A request names the partner, the legitimate
//! reason and what would be shared; only the roles the profile names (the DPO) approve or
//! refuse it; nothing is recorded as shared before approval; what was shared, with whom
//! and when forms the disclosure log.

use crate::audit::{AuditAction, AuditEvent};
use crate::error::{require_text, RuleError};
use crate::ids::{DisclosureId, PersonId, StaffId};
use crate::model::{NewTask, TaskKind};
use crate::profile::Profile;
use crate::roles::{authorise as may, Action, Actor};
use crate::workflow::Decision;
use jiff::Timestamp;

crate::words! {
    pub enum DisclosureStatus for "status" {
        /// Waiting for the DPO.
        Requested = "requested",
        Approved = "approved",
        Refused = "refused",
        /// Shared, and on the disclosure log.
        Shared = "shared",
    }
}

/// A request to share, its decision, and what was in the end shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    pub id: DisclosureId,
    pub person_id: PersonId,
    /// The partner agency, such as the police.
    pub partner: String,
    /// The legitimate reason for sharing.
    pub reason: String,
    /// What would be shared.
    pub details: String,
    pub requested_by: StaffId,
    pub requested_at: Timestamp,
    pub status: DisclosureStatus,
    pub decided_by: Option<StaffId>,
    pub decided_at: Option<Timestamp>,
    pub decision_reason: Option<String>,
    pub shared_by: Option<StaffId>,
    pub shared_at: Option<Timestamp>,
    /// Exactly what went to the partner.
    pub shared_what: Option<String>,
}

impl Disclosure {
    /// A request to share, not yet decided or shared (its words trimmed); `status` says
    /// whether it waits for the DPO or is approved by the profile's rule.
    pub fn asked(
        person: PersonId,
        input: &DisclosureRequest,
        by: StaffId,
        at: Timestamp,
        status: DisclosureStatus,
    ) -> Self {
        Self {
            id: DisclosureId(0),
            person_id: person,
            partner: input.partner.trim().to_string(),
            reason: input.reason.trim().to_string(),
            details: input.details.trim().to_string(),
            requested_by: by,
            requested_at: at,
            status,
            decided_by: None,
            decided_at: None,
            decision_reason: None,
            shared_by: None,
            shared_at: None,
            shared_what: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct DisclosureRequest {
    pub partner: String,
    pub reason: String,
    pub details: String,
}

fn subject(d: &Disclosure) -> String {
    format!("disclosure:{}", d.id)
}

/// The event a decision on request `d` goes on the log as: who, when, about whom, and the
/// clause it was made under.
fn event_on(
    d: &Disclosure,
    actor: &Actor,
    now: Timestamp,
    action: AuditAction,
    clause: &str,
) -> AuditEvent {
    AuditEvent::new(now, actor.id, action, subject(d))
        .person(d.person_id)
        .clause(clause.to_string())
}

/// Asks to share details with a partner (CLE-9.15). Where the profile requires the DPO's
/// approval the request waits for it, as a task for the approving role.
///
/// # Errors
/// A role refusal; a missing partner, reason or description of what would be shared.
pub fn request_disclosure(
    profile: &Profile,
    actor: &Actor,
    person: PersonId,
    input: DisclosureRequest,
    now: Timestamp,
) -> Result<Decision<Disclosure>, RuleError> {
    let clause = profile.sharing.clause.as_str();
    may(profile, actor, Action::RequestDisclosure, Some(clause))?;
    require_text("partner", &input.partner)?;
    if input.reason.trim().is_empty() {
        return Err(
            RuleError::invalid("reason", "give the legitimate reason for sharing")
                .with_clause(clause),
        );
    }
    require_text("details", &input.details)?;
    let needs_dpo = profile.sharing.requires_dpo_approval;
    let status = if profile.sharing.requires_dpo_approval {
        DisclosureStatus::Requested
    } else {
        DisclosureStatus::Approved
    };
    let record = Disclosure::asked(person, &input, actor.id, now, status);
    let mut d = Decision::new(record);
    d.events.push(
        AuditEvent::new(
            now,
            actor.id,
            AuditAction::DisclosureRequested,
            "disclosure:new",
        )
        .person(person)
        .clause(clause.to_string())
        .reason(d.record.reason.clone())
        .detail("partner", &d.record.partner),
    );
    if needs_dpo {
        d.tasks.push(NewTask {
            kind: TaskKind::DisclosureDecision,
            person_id: Some(person),
            assignee: None,
            role: profile.roles.approve_disclosure.first().copied(),
            title: format!(
                "Decide whether details may be shared with {}",
                d.record.partner
            ),
            due_on: None,
            clause: clause.to_string(),
            subject: None,
        });
    }
    Ok(d)
}

/// Why `actor` may not decide this request to share now, or `None` where they may (CLE-9.15):
/// not the DPO's role, or already decided. The decision form asks it before it is shown,
/// and [`decide_disclosure`] first.
pub fn decision_refusal(profile: &Profile, actor: &Actor, d: &Disclosure) -> Option<RuleError> {
    let clause = profile.sharing.clause.as_str();
    may(profile, actor, Action::ApproveDisclosure, Some(clause))
        .err()
        .or_else(|| {
            (d.status != DisclosureStatus::Requested).then(|| {
                RuleError::conflict(
                    clause,
                    format!("the request to share was already {}", d.status.as_str()),
                )
            })
        })
}

/// Why `actor` may not record what was shared on this request now, or `None` where they
/// may (CLE-9.15): not a role that asks to share, or not approved (or already shared).
/// The form asks it before it is shown, and [`record_shared`] first.
pub fn sharing_refusal(profile: &Profile, actor: &Actor, d: &Disclosure) -> Option<RuleError> {
    let clause = profile.sharing.clause.as_str();
    may(profile, actor, Action::RequestDisclosure, Some(clause))
        .err()
        .or_else(|| {
            (d.status != DisclosureStatus::Approved).then(|| {
                RuleError::conflict(
                    clause,
                    match d.status {
                        DisclosureStatus::Requested => {
                            "details may not be shared before the Data Protection Officer approves"
                                .into()
                        }
                        s => format!("the request to share was {}", s.as_str()),
                    },
                )
            })
        })
}

/// The DPO approves or refuses a request to share, with reasons (CLE-9.15).
///
/// # Errors
/// A role refusal; a request already decided; missing reasons.
pub fn decide_disclosure(
    profile: &Profile,
    actor: &Actor,
    d: &Disclosure,
    approve: bool,
    reason: &str,
    now: Timestamp,
) -> Result<Decision<Disclosure>, RuleError> {
    let clause = profile.sharing.clause.as_str();
    if let Some(refused) = decision_refusal(profile, actor, d) {
        return Err(refused);
    }
    require_text("reason", reason)?;
    let mut next = d.clone();
    next.status = if approve {
        DisclosureStatus::Approved
    } else {
        DisclosureStatus::Refused
    };
    next.decided_by = Some(actor.id);
    next.decided_at = Some(now);
    next.decision_reason = Some(reason.trim().to_string());
    let mut out = Decision::new(next);
    out.events.push(
        event_on(d, actor, now, AuditAction::DisclosureDecided, clause)
            .reason(reason.trim())
            .detail("decision", if approve { "approved" } else { "refused" }),
    );
    out.closes.push(TaskKind::DisclosureDecision);
    if approve {
        out.tasks.push(NewTask {
            kind: TaskKind::ShareDisclosure,
            person_id: Some(d.person_id),
            assignee: Some(d.requested_by),
            role: None,
            title: format!(
                "Share with {} as approved, and record what was shared",
                d.partner
            ),
            due_on: None,
            clause: clause.to_string(),
            subject: Some(subject(d)),
        });
    }
    Ok(out)
}

/// Records what was shared, with whom and when: the disclosure log (CLE-9.15). Nothing is
/// recorded as shared unless it was approved first.
///
/// # Errors
/// A role refusal; a request not approved, or already shared; nothing said about what went.
pub fn record_shared(
    profile: &Profile,
    actor: &Actor,
    d: &Disclosure,
    what: &str,
    at: Timestamp,
    now: Timestamp,
) -> Result<Decision<Disclosure>, RuleError> {
    let clause = profile.sharing.clause.as_str();
    if let Some(refused) = sharing_refusal(profile, actor, d) {
        return Err(refused);
    }
    require_text("shared_what", what)?;
    crate::check::happened("shared_at", "sharing", at, now)?;
    // Shared only once approved: a time before the approval (or, where the profile needs
    // none, before the request) would put a sharing on the log ahead of the decision.
    let approved = d.decided_at.unwrap_or(d.requested_at);
    if at < approved {
        return Err(RuleError::conflict(
            clause,
            format!(
                "it was approved at {}: it cannot have been shared before that",
                crate::check::uk_time(approved).strftime("%H:%M on %-d %B %Y")
            ),
        )
        .with_field("shared_at"));
    }
    let mut next = d.clone();
    next.status = DisclosureStatus::Shared;
    next.shared_by = Some(actor.id);
    next.shared_at = Some(at);
    next.shared_what = Some(what.trim().to_string());
    let mut out = Decision::new(next);
    out.events.push(
        event_on(d, actor, now, AuditAction::DisclosureShared, clause)
            .detail("partner", &d.partner)
            .detail("what", what.trim()),
    );
    out.closes.push(TaskKind::ShareDisclosure);
    Ok(out)
}
