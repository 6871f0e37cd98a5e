//! What the API answers, as types (issue 11): each response is one of these, serialised by
//! serde and described by utoipa from the same definition, so `/api/openapi.json` gives every
//! operation a response schema that is true by construction. Times are RFC 3339; dates are
//! `YYYY-MM-DD`. A restriction has the API's own shape ([`RestrictionOut`]), one variant per
//! kind with its fields, the same shape a plan is written with.

use serde::{Deserialize, Serialize};
use tact_core::model::*;
use utoipa::ToSchema;

use crate::wire::ts;

/// A service user.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonOut {
    pub id: i64,
    pub reference: String,
    pub name: String,
    /// E.164.
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub postal_address: Option<String>,
    pub advocate: Option<AdvocateOut>,
    /// standard, large-print, easy-read, braille, audio, …
    pub preferred_format: String,
    pub preferred_language: Option<String>,
    /// CLE-8.1, 8.2: whether they were asked if they need additional help.
    pub additional_help: Option<HelpOut>,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdvocateOut {
    pub name: String,
    pub organisation: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HelpOut {
    pub asked_at: String,
    pub asked_by: i64,
    pub needs_help: bool,
    pub in_their_words: Option<String>,
}

impl From<&ServiceUser> for PersonOut {
    fn from(p: &ServiceUser) -> Self {
        Self {
            id: p.id.0,
            reference: p.reference.clone(),
            name: p.name.clone(),
            phones: p.phones.iter().map(|x| x.as_str().to_string()).collect(),
            emails: p.emails.iter().map(|x| x.as_str().to_string()).collect(),
            postal_address: p.postal_address.clone(),
            advocate: p.advocate.as_ref().map(|a| AdvocateOut {
                name: a.name.clone(),
                organisation: a.organisation.clone(),
                phone: a.phone.as_ref().map(|x| x.as_str().to_string()),
                email: a.email.as_ref().map(|x| x.as_str().to_string()),
            }),
            preferred_format: p.preferred_format.as_str().to_string(),
            preferred_language: p.preferred_language.clone(),
            additional_help: p.additional_help.as_ref().map(|h| HelpOut {
                asked_at: ts(h.asked_at),
                asked_by: h.asked_by.0,
                needs_help: h.needs_help,
                in_their_words: h.in_their_words.clone(),
            }),
            created_at: ts(p.created_at),
        }
    }
}

/// A complaint, case, query or request.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatterOut {
    pub id: i64,
    pub person_id: i64,
    pub reference: String,
    pub kind: String,
    pub title: String,
    /// open, concluded, review-exhausted, finalised.
    pub status: String,
    pub finalised_on: Option<String>,
    pub opened_at: String,
}

impl From<&Matter> for MatterOut {
    fn from(m: &Matter) -> Self {
        Self {
            id: m.id.0,
            person_id: m.person_id.0,
            reference: m.reference.clone(),
            kind: m.kind.as_str().to_string(),
            title: m.title.clone(),
            status: m.status.as_str().to_string(),
            finalised_on: m.finalised_on.map(|d| d.to_string()),
            opened_at: ts(m.opened_at),
        }
    }
}

/// A contact, either way, on any channel.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactOut {
    pub id: i64,
    pub person_id: Option<i64>,
    pub matter_id: Option<i64>,
    pub channel: String,
    /// inbound or outbound.
    pub direction: String,
    pub at: String,
    pub staff_id: Option<i64>,
    pub identifier: Option<String>,
    pub summary: String,
    pub body: String,
    /// The restrictions it broke, as `plan id:kind` (CLE-9.11).
    pub breach_of: Vec<String>,
    /// not-needed, due or done (CLE-9.10).
    pub screening: String,
    pub not_recorded_as_complaint: bool,
}

impl From<&Contact> for ContactOut {
    fn from(c: &Contact) -> Self {
        Self {
            id: c.id.0,
            person_id: c.person_id.map(|x| x.0),
            matter_id: c.matter_id.map(|x| x.0),
            channel: c.channel.as_str().to_string(),
            direction: c.direction.as_str().to_string(),
            at: ts(c.at),
            staff_id: c.staff_id.map(|x| x.0),
            identifier: c.identifier.clone(),
            summary: c.summary.clone(),
            body: c.body.clone(),
            breach_of: c.breach_of.clone(),
            screening: c.screening.as_str().to_string(),
            not_recorded_as_complaint: c.not_recorded_as_complaint,
        }
    }
}

/// Unacceptable or unreasonable behaviour, and an ended call where there was one.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentOut {
    pub id: i64,
    pub person_id: i64,
    pub matter_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub category: String,
    pub description: String,
    pub occurred_at: String,
    pub staff_id: i64,
    pub recorded_by: i64,
    pub ended_call: Option<EndedCallOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndedCallOut {
    pub reason: String,
    pub file_note: String,
    pub caller_warned: bool,
}

impl From<&Incident> for IncidentOut {
    fn from(i: &Incident) -> Self {
        Self {
            id: i.id.0,
            person_id: i.person_id.0,
            matter_id: i.matter_id.map(|x| x.0),
            contact_id: i.contact_id.map(|x| x.0),
            category: i.category.clone(),
            description: i.description.clone(),
            occurred_at: ts(i.occurred_at),
            staff_id: i.staff_id.0,
            recorded_by: i.recorded_by.0,
            ended_call: i.ended_call.as_ref().map(|e| EndedCallOut {
                reason: e.reason.clone(),
                file_note: e.file_note.clone(),
                caller_warned: e.caller_warned,
            }),
        }
    }
}

/// A warning given before any restriction (CLE-9.1–9.3; NOR-5.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct WarningOut {
    pub id: i64,
    pub person_id: i64,
    pub incident_ids: Vec<i64>,
    pub what_is_wrong: String,
    pub how_to_change: String,
    pub consequence: String,
    pub channel: String,
    pub given_at: String,
    pub given_by: i64,
}

impl From<&Warning> for WarningOut {
    fn from(w: &Warning) -> Self {
        Self {
            id: w.id.0,
            person_id: w.person_id.0,
            incident_ids: w.incident_ids.iter().map(|i| i.0).collect(),
            what_is_wrong: w.what_is_wrong.clone(),
            how_to_change: w.how_to_change.clone(),
            consequence: w.consequence.clone(),
            channel: w.channel.as_str().to_string(),
            given_at: ts(w.given_at),
            given_by: w.given_by.0,
        }
    }
}

/// One call window: a day and a time of day (`HH:MM`, UK time).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WindowOut {
    /// monday … sunday.
    pub day: String,
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM`.
    pub end: String,
}

/// Why a closed matter will not be reopened (CLE-9.9, NOR-5.5).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GroundsOut {
    pub same_matter: bool,
    pub no_new_substantive_evidence: bool,
    pub properly_handled: bool,
    pub note: String,
}

/// A restriction's rule: one variant per kind in the profiles' catalogues, tagged by `kind`,
/// each with its own fields. A plan is written with the same shape.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RuleOut {
    /// Calls only in these windows, for at most so many minutes, so many calls a window.
    CallWindow {
        windows: Vec<WindowOut>,
        max_minutes: Option<u32>,
        max_calls_per_window: Option<u32>,
    },
    /// Contact by one channel only: phone, email, letter, visit or web-form.
    SingleChannel { channel: String },
    /// Contact with one named member of staff only.
    SinglePointOfContact { staff_id: i64 },
    /// Calls are recorded or monitored.
    RecordedCalls,
    /// Email to one mailbox only.
    DedicatedMailbox { address: String },
    /// A number or address whose contact is not accepted; `acknowledge` says whether what
    /// arrives from it is acknowledged.
    BlockedIdentifier {
        identifier: String,
        acknowledge: bool,
    },
    /// Contact through their advocate only.
    AdvocateOnly,
    /// Correspondence is read and filed, answered only for new information or a new
    /// complaint (NOR-5.5).
    ReadAndFile { acknowledge: bool },
    /// A finalised matter will not be reopened.
    NoReopening { matter_id: i64, grounds: GroundsOut },
    /// Repeated complaints about a matter are not recorded as new ones.
    NoRepeatComplaints { matter_id: i64 },
    /// Anything else the plan says, in words.
    Other { description: String },
}

impl From<&Rule> for RuleOut {
    fn from(r: &Rule) -> Self {
        use tact_store::codec::weekday_str;
        match r {
            Rule::CallWindow {
                windows,
                max_minutes,
                max_calls_per_window,
            } => Self::CallWindow {
                windows: windows
                    .iter()
                    .map(|w| WindowOut {
                        day: weekday_str(w.weekday).to_string(),
                        start: w.start.strftime("%H:%M").to_string(),
                        end: w.end.strftime("%H:%M").to_string(),
                    })
                    .collect(),
                max_minutes: *max_minutes,
                max_calls_per_window: *max_calls_per_window,
            },
            Rule::SingleChannel { channel } => Self::SingleChannel {
                channel: channel.as_str().to_string(),
            },
            Rule::SinglePointOfContact { staff_id } => Self::SinglePointOfContact {
                staff_id: staff_id.0,
            },
            Rule::RecordedCalls => Self::RecordedCalls,
            Rule::DedicatedMailbox { address } => Self::DedicatedMailbox {
                address: address.as_str().to_string(),
            },
            Rule::BlockedIdentifier {
                identifier,
                acknowledge,
            } => Self::BlockedIdentifier {
                identifier: identifier.key().to_string(),
                acknowledge: *acknowledge,
            },
            Rule::AdvocateOnly => Self::AdvocateOnly,
            Rule::ReadAndFile { acknowledge } => Self::ReadAndFile {
                acknowledge: *acknowledge,
            },
            Rule::NoReopening { matter_id, grounds } => Self::NoReopening {
                matter_id: matter_id.0,
                grounds: GroundsOut {
                    same_matter: grounds.same_matter,
                    no_new_substantive_evidence: grounds.no_new_substantive_evidence,
                    properly_handled: grounds.properly_handled,
                    note: grounds.note.clone(),
                },
            },
            Rule::NoRepeatComplaints { matter_id } => Self::NoRepeatComplaints {
                matter_id: matter_id.0,
            },
            Rule::Other { description } => Self::Other {
                description: description.clone(),
            },
        }
    }
}

/// A restriction as written in a plan: its rule and the reason for it (NOR-5.7).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RestrictionIn {
    #[serde(flatten)]
    pub rule: RuleOut,
    pub reason: String,
}

/// A restriction as a plan holds it, with the catalogue's name for its kind and its clause.
#[derive(Debug, Serialize, ToSchema)]
pub struct RestrictionOut {
    #[serde(flatten)]
    pub rule: RuleOut,
    pub reason: String,
    pub name: Option<String>,
    pub clause: Option<String>,
}

impl RestrictionOut {
    pub fn of(profile: &tact_core::profile::Profile, r: &Restriction) -> Self {
        let entry = profile.catalogue(r.rule.kind());
        Self {
            rule: RuleOut::from(&r.rule),
            reason: r.reason.clone(),
            name: entry.map(|e| e.name.clone()),
            clause: entry.map(|e| e.clause.clone()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChecklistAnswerOut {
    pub question_id: String,
    /// yes, no, not-applicable.
    pub answer: String,
    pub reason: String,
    pub remedy_task: Option<i64>,
    pub cannot_remedy_reason: Option<String>,
    pub answered_by: i64,
    pub answered_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverrideOut {
    pub adjustment_id: i64,
    pub by: i64,
    pub reason: String,
}

/// The written notice of a plan (CLE-9.6; NOR-5.1, 5.4, 5.7).
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeOut {
    pub sent_at: String,
    pub channel: String,
    pub format: String,
    pub agreement_sought: bool,
    pub agreement_given: Option<bool>,
    pub agreement_note: Option<String>,
    pub policy_enclosed: bool,
    pub plan_version: i64,
}

/// A change to the plan waiting for its notice (NOR-5.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct PendingVariationOut {
    pub restrictions: Vec<RestrictionOut>,
    pub review_due: String,
    pub reason: String,
}

/// A matter the plan is to be applied to, not yet in effect (NOR-6.2, 5.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct PendingMatterOut {
    pub matter_id: i64,
    pub reason: String,
    pub requested_by: i64,
    pub requested_at: String,
    pub authorised_by: Option<i64>,
    pub authorised_at: Option<String>,
    /// authorisation or notice.
    pub waiting_for: String,
}

/// A contact strategy (Cleveland) or communication plan (Northamptonshire); `term` is the
/// profile's word for it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanOut {
    pub id: i64,
    pub term: String,
    pub person_id: i64,
    pub version: i64,
    pub plan_version: i64,
    /// draft, proposed, authorised, active, refused, withdrawn, lifted.
    pub status: String,
    pub in_force: bool,
    pub review_overdue: bool,
    pub matter_ids: Vec<i64>,
    pub incident_ids: Vec<i64>,
    pub restrictions: Vec<RestrictionOut>,
    pub reasons: String,
    pub aims: String,
    pub proportionality: String,
    pub no_warning_reason: Option<String>,
    pub checklist: Vec<ChecklistAnswerOut>,
    pub created_by: i64,
    pub created_at: String,
    pub proposed_by: Option<i64>,
    pub proposed_at: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<String>,
    pub decision_reason: Option<String>,
    pub overrides: Vec<OverrideOut>,
    pub notice: Option<NoticeOut>,
    pub effective_from: Option<String>,
    pub review_due: String,
    pub ends_on: Option<String>,
    pub pending_variation: Option<PendingVariationOut>,
    pub pending_matters: Vec<PendingMatterOut>,
    pub lifted_at: Option<String>,
    pub lift_reason: Option<String>,
}

impl PlanOut {
    pub fn of(profile: &tact_core::profile::Profile, s: &Plan, at: jiff::Timestamp) -> Self {
        let named = |r: &Restriction| RestrictionOut::of(profile, r);
        Self {
            id: s.id.0,
            term: profile.terms.plan.clone(),
            person_id: s.person_id.0,
            version: s.version,
            plan_version: s.plan_version,
            status: s.status.as_str().to_string(),
            in_force: s.in_force(at),
            review_overdue: s.review_overdue(tact_core::check::uk_date(at)),
            matter_ids: s.matter_ids.iter().map(|m| m.0).collect(),
            incident_ids: s.incident_ids.iter().map(|m| m.0).collect(),
            restrictions: s.restrictions.iter().map(named).collect(),
            reasons: s.reasons.clone(),
            aims: s.aims.clone(),
            proportionality: s.proportionality.clone(),
            no_warning_reason: s.no_warning_reason.clone(),
            checklist: s
                .checklist
                .iter()
                .map(|a| ChecklistAnswerOut {
                    question_id: a.question_id.clone(),
                    answer: a.answer.as_str().to_string(),
                    reason: a.reason.clone(),
                    remedy_task: a.remedy_task.map(|t| t.0),
                    cannot_remedy_reason: a.cannot_remedy_reason.clone(),
                    answered_by: a.answered_by.0,
                    answered_at: ts(a.answered_at),
                })
                .collect(),
            created_by: s.created_by.0,
            created_at: ts(s.created_at),
            proposed_by: s.proposed_by.map(|x| x.0),
            proposed_at: s.proposed_at.map(ts),
            decided_by: s.decided_by.map(|x| x.0),
            decided_at: s.decided_at.map(ts),
            decision_reason: s.decision_reason.clone(),
            overrides: s
                .overrides
                .iter()
                .map(|o| OverrideOut {
                    adjustment_id: o.adjustment_id.0,
                    by: o.by.0,
                    reason: o.reason.clone(),
                })
                .collect(),
            notice: s.notice.as_ref().map(|n| NoticeOut {
                sent_at: ts(n.sent_at),
                channel: n.channel.as_str().to_string(),
                format: n.format.as_str().to_string(),
                agreement_sought: n.agreement_sought,
                agreement_given: n.agreement_given,
                agreement_note: n.agreement_note.clone(),
                policy_enclosed: n.policy_enclosed,
                plan_version: n.plan_version,
            }),
            effective_from: s.effective_from.map(ts),
            review_due: s.review_due.to_string(),
            ends_on: s.ends_on.map(|d| d.to_string()),
            pending_variation: s.pending_variation.as_ref().map(|v| PendingVariationOut {
                restrictions: v.restrictions.iter().map(named).collect(),
                review_due: v.review_due.to_string(),
                reason: v.reason.clone(),
            }),
            pending_matters: s
                .pending_matters
                .iter()
                .map(|m| PendingMatterOut {
                    matter_id: m.matter_id.0,
                    reason: m.reason.clone(),
                    requested_by: m.requested_by.0,
                    requested_at: ts(m.requested_at),
                    authorised_by: m.authorised_by.map(|x| x.0),
                    authorised_at: m.authorised_at.map(ts),
                    waiting_for: if m.authorised_by.is_some() {
                        "notice"
                    } else {
                        "authorisation"
                    }
                    .to_string(),
                })
                .collect(),
            lifted_at: s.lifted_at.map(ts),
            lift_reason: s.lift_reason.clone(),
        }
    }
}

/// A reasonable adjustment (CLE-8.5; NOR-1.3).
#[derive(Debug, Serialize, ToSchema)]
pub struct AdjustmentOut {
    pub id: i64,
    pub person_id: i64,
    pub kind: String,
    pub description: String,
    /// requested, granted, refused, withdrawn.
    pub status: String,
    pub requested_at: String,
    pub recorded_by: i64,
    pub decided_by: Option<i64>,
    pub decided_at: Option<String>,
    pub decision_reason: Option<String>,
}

impl From<&Adjustment> for AdjustmentOut {
    fn from(a: &Adjustment) -> Self {
        Self {
            id: a.id.0,
            person_id: a.person_id.0,
            kind: a.kind.as_str().to_string(),
            description: a.description.clone(),
            status: a.status.as_str().to_string(),
            requested_at: ts(a.requested_at),
            recorded_by: a.recorded_by.0,
            decided_by: a.decided_by.map(|x| x.0),
            decided_at: a.decided_at.map(ts),
            decision_reason: a.decision_reason.clone(),
        }
    }
}

/// Sharing a person's details with a partner (CLE-9.15).
#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosureOut {
    pub id: i64,
    pub person_id: i64,
    pub partner: String,
    pub reason: String,
    pub details: String,
    pub requested_by: i64,
    pub requested_at: String,
    /// requested, approved, refused, shared.
    pub status: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<String>,
    pub decision_reason: Option<String>,
    pub shared_by: Option<i64>,
    pub shared_at: Option<String>,
    pub shared_what: Option<String>,
}

impl From<&tact_core::sharing::Disclosure> for DisclosureOut {
    fn from(d: &tact_core::sharing::Disclosure) -> Self {
        Self {
            id: d.id.0,
            person_id: d.person_id.0,
            partner: d.partner.clone(),
            reason: d.reason.clone(),
            details: d.details.clone(),
            requested_by: d.requested_by.0,
            requested_at: ts(d.requested_at),
            status: d.status.as_str().to_string(),
            decided_by: d.decided_by.map(|x| x.0),
            decided_at: d.decided_at.map(ts),
            decision_reason: d.decision_reason.clone(),
            shared_by: d.shared_by.map(|x| x.0),
            shared_at: d.shared_at.map(ts),
            shared_what: d.shared_what.clone(),
        }
    }
}

/// Someone opened a person's restrictions, incidents or adjustments.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessOut {
    pub person_id: i64,
    pub staff_id: i64,
    pub at: String,
    pub what: String,
}

impl From<&Access> for AccessOut {
    fn from(a: &Access) -> Self {
        Self {
            person_id: a.person_id.0,
            staff_id: a.staff_id.0,
            at: ts(a.at),
            what: a.what.clone(),
        }
    }
}

/// A dispute about a plan (NOR-7.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct DisputeOut {
    pub id: i64,
    pub strategy_id: i64,
    pub person_id: i64,
    pub grounds: String,
    pub received_at: String,
    pub outcome: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<String>,
    pub decision_reason: Option<String>,
}

impl From<&Dispute> for DisputeOut {
    fn from(d: &Dispute) -> Self {
        Self {
            id: d.id.0,
            strategy_id: d.strategy_id.0,
            person_id: d.person_id.0,
            grounds: d.grounds.clone(),
            received_at: ts(d.received_at),
            outcome: d.outcome.map(|o| o.as_str().to_string()),
            decided_by: d.decided_by.map(|x| x.0),
            decided_at: d.decided_at.map(ts),
            decision_reason: d.decision_reason.clone(),
        }
    }
}

/// Further action: the police, legal advice or legal action (CLE-10.1–10.3).
#[derive(Debug, Serialize, ToSchema)]
pub struct FurtherActionOut {
    pub id: i64,
    pub person_id: i64,
    pub kind: String,
    pub reasons: String,
    pub prior_notice_given: bool,
    pub no_notice_reason: Option<String>,
    pub decided_by: i64,
    pub decided_at: String,
}

impl From<&FurtherAction> for FurtherActionOut {
    fn from(f: &FurtherAction) -> Self {
        Self {
            id: f.id.0,
            person_id: f.person_id.0,
            kind: f.kind.as_str().to_string(),
            reasons: f.reasons.clone(),
            prior_notice_given: f.prior_notice_given,
            no_notice_reason: f.no_notice_reason.clone(),
            decided_by: f.decided_by.0,
            decided_at: ts(f.decided_at),
        }
    }
}

/// Something for a member of staff, or anyone in a role, to do.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskOut {
    pub id: i64,
    pub kind: String,
    pub person_id: Option<i64>,
    pub assignee: Option<i64>,
    pub role: Option<String>,
    pub title: String,
    pub due_on: Option<String>,
    pub clause: String,
    pub subject: Option<String>,
    pub created_at: String,
    pub done_at: Option<String>,
    pub done_by: Option<i64>,
    pub outcome: Option<String>,
}

impl From<&Task> for TaskOut {
    fn from(t: &Task) -> Self {
        Self {
            id: t.id.0,
            kind: t.task.kind.as_str().to_string(),
            person_id: t.task.person_id.map(|x| x.0),
            assignee: t.task.assignee.map(|x| x.0),
            role: t.task.role.map(|r| r.as_str().to_string()),
            title: t.task.title.clone(),
            due_on: t.task.due_on.map(|d| d.to_string()),
            clause: t.task.clause.clone(),
            subject: t.task.subject.clone(),
            created_at: ts(t.created_at),
            done_at: t.done_at.map(ts),
            done_by: t.done_by.map(|x| x.0),
            outcome: t.outcome.clone(),
        }
    }
}

/// A member of staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffOut {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub role: String,
    pub line_manager: Option<i64>,
    pub active: bool,
}

impl From<&Staff> for StaffOut {
    fn from(s: &Staff) -> Self {
        Self {
            id: s.id.0,
            name: s.name.clone(),
            email: s.email.as_ref().map(|e| e.as_str().to_string()),
            role: s.role.as_str().to_string(),
            line_manager: s.line_manager.map(|x| x.0),
            active: s.active,
        }
    }
}

/// A data-rights request (UK GDPR), with its deadline.
#[derive(Debug, Serialize, ToSchema)]
pub struct RightsOut {
    pub id: i64,
    pub person_id: i64,
    pub kind: String,
    pub details: String,
    pub channel: String,
    pub received_on: String,
    pub due_on: String,
    pub extended_to: Option<String>,
    pub extension_reason: Option<String>,
    pub deadline: String,
    pub status: String,
    pub outcome: Option<String>,
    pub clause: String,
}

impl From<&tact_core::rights::RightsRequest> for RightsOut {
    fn from(r: &tact_core::rights::RightsRequest) -> Self {
        Self {
            id: r.id,
            person_id: r.person_id.0,
            kind: r.kind.as_str().to_string(),
            details: r.details.clone(),
            channel: r.channel.as_str().to_string(),
            received_on: r.received_on.to_string(),
            due_on: r.due_on.to_string(),
            extended_to: r.extended_to.map(|d| d.to_string()),
            extension_reason: r.extension_reason.clone(),
            deadline: r.deadline().to_string(),
            status: r.status.as_str().to_string(),
            outcome: r.outcome.clone(),
            clause: tact_core::rights::CLAUSE.to_string(),
        }
    }
}

/// The person a contact check found.
#[derive(Debug, Serialize, ToSchema)]
pub struct FoundOut {
    pub id: i64,
    pub reference: Option<String>,
    pub name: Option<String>,
}

/// One person a shared identifier could be, with the answer for them.
#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateOut {
    pub id: i64,
    pub reference: String,
    pub name: String,
    pub outcome: String,
}

/// A restriction that bears on this contact, and how.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppliedOut {
    pub strategy_id: i64,
    pub kind: String,
    pub name: String,
    pub clause: String,
    /// forbids, conditions, informs.
    pub effect: String,
    pub explanation: String,
    pub matters: Vec<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdjustmentNoteOut {
    pub id: i64,
    pub description: String,
}

/// How fresh a contact check's answer is (issue 10).
#[derive(Debug, Serialize, ToSchema)]
pub struct FreshnessOut {
    /// index or database.
    pub source: String,
    pub change_seq: i64,
    pub synced_ms_ago: Option<u64>,
    pub bound_ms: u64,
}

/// What staff may and must do with this contact (CLE-9.9; NOR-5.5), and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerdictOut {
    pub person: Option<FoundOut>,
    /// allowed, allowed-with-conditions, not-allowed, unknown-caller or ambiguous.
    pub outcome: String,
    pub strictest_outcome: String,
    pub allowed: bool,
    pub candidates: Vec<CandidateOut>,
    pub withheld: bool,
    /// Words for staff to say.
    pub say: Vec<String>,
    /// What staff must do.
    pub must: Vec<String>,
    pub restrictions: Vec<AppliedOut>,
    pub adjustments: Vec<AdjustmentNoteOut>,
    pub screening_required: bool,
    pub staff_may_disengage: bool,
    pub ask_additional_help: bool,
    pub record_call: bool,
    pub max_minutes: Option<u32>,
    pub put_through_to: Option<i64>,
    pub divert_to_mailbox: Option<String>,
    pub clauses: Vec<String>,
    /// Present on a contact check's own answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freshness: Option<FreshnessOut>,
}

// ----- composite answers ----------------------------------------------------------

/// The error every refusal answers with: 400 bad input, 401 no token, 403 a role the
/// profile does not allow, 404 no such record, 409 a rule or a change meanwhile, 503.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorOut {
    pub error: ErrorBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub message: String,
    /// The request field at fault, where there is one.
    pub field: Option<String>,
    /// The policy clause that makes the rule, where there is one.
    pub clause: Option<String>,
}

/// Whether this server answers true (issue 10).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadyOut {
    pub ready: bool,
    /// ready, building or behind.
    pub index: String,
    pub change_seq: i64,
    pub synced_ms_ago: Option<u64>,
    pub bound_ms: u64,
    pub problem: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationOut {
    pub id: String,
    pub name: String,
    pub short_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TermsOut {
    pub plan: String,
    pub plan_plural: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryOut {
    pub id: String,
    pub name: String,
    pub clause: String,
    pub examples: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionOut {
    pub id: String,
    pub text: String,
    pub shortfall_if: String,
    pub may_be_not_applicable: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChecklistOut {
    pub clause: String,
    pub questions: Vec<QuestionOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogueOut {
    pub kind: String,
    pub name: String,
    pub clause: String,
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisputeRouteOut {
    pub route: String,
    pub contact_email: String,
    pub clause: String,
}

/// The loaded policy profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileOut {
    pub organisation: OrganisationOut,
    pub terms: TermsOut,
    pub max_review_interval_months: u32,
    pub notice_before_effect: bool,
    pub categories: Vec<CategoryOut>,
    pub checklist: ChecklistOut,
    pub restrictions: Vec<CatalogueOut>,
    pub dispute: Option<DisputeRouteOut>,
}

impl From<&tact_core::profile::Profile> for ProfileOut {
    fn from(p: &tact_core::profile::Profile) -> Self {
        Self {
            organisation: OrganisationOut {
                id: p.organisation.id.clone(),
                name: p.organisation.name.clone(),
                short_name: p.organisation.short_name.clone(),
            },
            terms: TermsOut {
                plan: p.terms.plan.clone(),
                plan_plural: p.terms.plan_plural.clone(),
            },
            max_review_interval_months: p.rules.max_review_interval_months,
            notice_before_effect: p.rules.notice_before_effect,
            categories: p
                .categories
                .iter()
                .map(|c| CategoryOut {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    clause: c.clause.clone(),
                    examples: c.examples.clone(),
                })
                .collect(),
            checklist: ChecklistOut {
                clause: p.checklist.clause.clone(),
                questions: p
                    .checklist
                    .questions
                    .iter()
                    .map(|q| QuestionOut {
                        id: q.id.clone(),
                        text: q.text.clone(),
                        shortfall_if: q.shortfall_if.as_str().to_string(),
                        may_be_not_applicable: q.may_be_not_applicable,
                    })
                    .collect(),
            },
            restrictions: p
                .restrictions
                .iter()
                .map(|r| CatalogueOut {
                    kind: r.kind.as_str().to_string(),
                    name: r.name.clone(),
                    clause: r.clause.clone(),
                    text: r.text.clone(),
                })
                .collect(),
            dispute: p.dispute.as_ref().map(|d| DisputeRouteOut {
                route: d.route.clone(),
                contact_email: d.contact_email.clone(),
                clause: d.clause.clone(),
            }),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeopleOut {
    pub people: Vec<PersonOut>,
}

/// Everything held about a person, as the record page shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonRecordOut {
    pub person: PersonOut,
    pub matters: Vec<MatterOut>,
    pub contacts: Vec<ContactOut>,
    pub incidents: Vec<IncidentOut>,
    pub warnings: Vec<WarningOut>,
    pub strategies: Vec<PlanOut>,
    pub adjustments: Vec<AdjustmentOut>,
    pub disclosures: Vec<DisclosureOut>,
    pub disputes: Vec<DisputeOut>,
    pub further_actions: Vec<FurtherActionOut>,
    pub tasks: Vec<TaskOut>,
}

/// Two records of one person merged (issue 10): the one kept, and how much moved to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergedOut {
    pub person: PersonOut,
    pub merged: i64,
    /// How many of each kind of record moved.
    pub moved: std::collections::BTreeMap<String, i64>,
}

/// A contact logged, the verdict it was logged under, and any tasks it raised.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoggedOut {
    pub contact: ContactOut,
    pub verdict: VerdictOut,
    pub tasks: Vec<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactsOut {
    pub contacts: Vec<ContactOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentRecordedOut {
    pub incident: IncidentOut,
    pub tasks: Vec<i64>,
}

/// The plan with its checklist answered, and any tasks to put a shortfall right.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChecklistAnsweredOut {
    #[serde(flatten)]
    pub plan: PlanOut,
    pub remedy_tasks: Vec<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisputeDecidedOut {
    pub dispute: DisputeOut,
    pub strategy: PlanOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TasksOut {
    pub tasks: Vec<TaskOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StartedOut {
    pub category: String,
    pub stage: String,
    pub count: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InForceOut {
    pub category: String,
    pub count: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewsDoneOut {
    pub on_time: u64,
    pub late: u64,
    pub timing_not_recorded: u64,
    pub overdue_at_end: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisputesCountOut {
    pub raised: u64,
    /// How many were decided each way.
    pub decided: std::collections::BTreeMap<String, u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdjustmentsCountOut {
    pub requested: u64,
    pub granted: u64,
    pub refused: u64,
}

/// The governance report for a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct GovernanceOut {
    pub period: String,
    pub from: String,
    pub to: String,
    pub plans_started: Vec<StartedOut>,
    pub plans_in_force_at_end: Vec<InForceOut>,
    pub reviews: ReviewsDoneOut,
    pub breaches: u64,
    pub disputes: DisputesCountOut,
    pub adjustments: AdjustmentsCountOut,
}

impl GovernanceOut {
    pub fn of(r: &tact_core::governance::Report, period: &tact_core::governance::Period) -> Self {
        Self {
            period: r.period.clone(),
            from: period.from.to_string(),
            to: period.to.to_string(),
            plans_started: r
                .started
                .iter()
                .map(|((c, s), n)| StartedOut {
                    category: c.clone(),
                    stage: s.clone(),
                    count: *n,
                })
                .collect(),
            plans_in_force_at_end: r
                .in_force_at_end
                .iter()
                .map(|(c, n)| InForceOut {
                    category: c.clone(),
                    count: *n,
                })
                .collect(),
            reviews: ReviewsDoneOut {
                on_time: r.reviews_on_time,
                late: r.reviews_late,
                timing_not_recorded: r.reviews_unknown,
                overdue_at_end: r.reviews_overdue_at_end,
            },
            breaches: r.breaches,
            disputes: DisputesCountOut {
                raised: r.disputes_raised,
                decided: r.dispute_outcomes.clone(),
            },
            adjustments: AdjustmentsCountOut {
                requested: r.adjustments_requested,
                granted: r.adjustments_granted,
                refused: r.adjustments_refused,
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RightsListOut {
    pub requests: Vec<RightsOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessListOut {
    pub access: Vec<AccessOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosuresOut {
    pub disclosures: Vec<DisclosureOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlansOut {
    pub strategies: Vec<PlanOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffListOut {
    pub staff: Vec<StaffOut>,
}

/// A new API token: shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifiedOut {
    pub intact: bool,
    pub entries: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{time, Weekday};
    use tact_core::identity::{EmailAddress, Identifier};
    use tact_core::ids::{MatterId, StaffId};
    use tact_core::profile::{Channel, RestrictionKind};

    /// One rule of every kind.
    fn every_kind() -> Vec<Rule> {
        vec![
            Rule::CallWindow {
                windows: vec![CallWindow {
                    weekday: Weekday::Tuesday,
                    start: time(10, 0, 0, 0),
                    end: time(12, 30, 0, 0),
                }],
                max_minutes: Some(20),
                max_calls_per_window: None,
            },
            Rule::SingleChannel {
                channel: Channel::Email,
            },
            Rule::SinglePointOfContact {
                staff_id: StaffId(4),
            },
            Rule::RecordedCalls,
            Rule::DedicatedMailbox {
                address: EmailAddress::parse("contact@opcc.example").unwrap(),
            },
            Rule::BlockedIdentifier {
                identifier: Identifier::parse("07700 900123").unwrap(),
                acknowledge: true,
            },
            Rule::AdvocateOnly,
            Rule::ReadAndFile { acknowledge: false },
            Rule::NoReopening {
                matter_id: MatterId(3),
                grounds: NoReopeningGrounds {
                    same_matter: true,
                    no_new_substantive_evidence: true,
                    properly_handled: false,
                    note: "Reviewed twice".into(),
                },
            },
            Rule::NoRepeatComplaints {
                matter_id: MatterId(3),
            },
            Rule::Other {
                description: "Visits by appointment".into(),
            },
        ]
    }

    #[test]
    fn every_restriction_kind_is_documented_and_the_api_shape_is_the_one_a_plan_is_written_with() {
        let rules = every_kind();
        let kinds: Vec<RestrictionKind> = rules.iter().map(Rule::kind).collect();
        assert_eq!(
            kinds,
            RestrictionKind::ALL.to_vec(),
            "one rule of every kind"
        );
        for rule in &rules {
            let restriction = Restriction {
                rule: rule.clone(),
                reason: "Because".into(),
            };
            let out = serde_json::to_value(RestrictionIn {
                rule: RuleOut::from(rule),
                reason: "Because".into(),
            })
            .unwrap();
            // The documented shape is the shape Tact has always answered with ...
            assert_eq!(
                out,
                tact_store::codec::restriction_json(&restriction),
                "{:?}",
                rule.kind()
            );
            assert_eq!(out["kind"], rule.kind().as_str());
            // ... and what a plan is written with reads back to the same rule.
            let back = tact_store::codec::parse_restriction(&out, "restrictions[0]").unwrap();
            assert_eq!(back, restriction);
            // The schema's own reading of it agrees.
            let typed: RestrictionIn = serde_json::from_value(out).unwrap();
            assert_eq!(typed.reason, "Because");
        }
        // The OpenAPI document names every kind with its fields.
        let doc = serde_json::to_value(<RuleOut as utoipa::PartialSchema>::schema())
            .unwrap()
            .to_string();
        for k in RestrictionKind::ALL {
            assert!(doc.contains(&format!("\"{}\"", k.as_str())), "{k:?}: {doc}");
        }
        for field in [
            "windows",
            "max_calls_per_window",
            "staff_id",
            "identifier",
            "grounds",
        ] {
            assert!(doc.contains(field), "{field}");
        }
    }
}

/// A letter or email to a person, as kept: what was written is what goes.
#[derive(Debug, Serialize, ToSchema)]
pub struct LetterOut {
    pub id: i64,
    pub person_id: i64,
    /// strategy-notice, breach-reminder, review-outcome, variation, lifting,
    /// dispute-outcome, adjustment-decision, warning, call-ended, acknowledgement, …
    pub kind: String,
    /// The record it is about, as `strategy:7`.
    pub about: Option<String>,
    /// email or letter.
    pub channel: String,
    pub format: String,
    pub to_address: String,
    pub subject: String,
    pub text: String,
    /// draft (held), queued, sending, sent, to-print, printed, failed.
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: String,
    pub created_by: i64,
    pub sent_at: Option<String>,
}

impl From<&tact_core::correspondence::StoredLetter> for LetterOut {
    fn from(l: &tact_core::correspondence::StoredLetter) -> Self {
        Self {
            id: l.id,
            person_id: l.person_id.0,
            kind: l.kind.clone(),
            about: l.about.clone(),
            channel: l.channel.as_str().to_string(),
            format: l.format.as_str().to_string(),
            to_address: l.to_address.clone(),
            subject: l.subject.clone(),
            text: l.text.clone(),
            status: l.status.as_str().to_string(),
            attempts: l.attempts,
            last_error: l.last_error.clone(),
            created_at: ts(l.created_at),
            created_by: l.created_by.0,
            sent_at: l.sent_at.map(ts),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LettersOut {
    pub letters: Vec<LetterOut>,
}

/// A kept message: where it went and what it became.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    pub id: i64,
    pub message_id: String,
    pub mailbox: String,
    pub received_at: String,
    pub sender: String,
    pub subject: String,
    /// quarantine, unknown-sender, inbox, screening or breach.
    pub route: String,
    pub quarantine_reason: Option<String>,
    pub person_id: Option<i64>,
    pub matter_id: Option<i64>,
    pub contact_id: Option<i64>,
}

impl From<&tact_core::correspondence::StoredMessage> for MessageOut {
    fn from(m: &tact_core::correspondence::StoredMessage) -> Self {
        Self {
            id: m.id,
            message_id: m.message_id.clone(),
            mailbox: m.mailbox.clone(),
            received_at: ts(m.received_at),
            sender: m.sender.clone(),
            subject: m.subject.clone(),
            route: m.route.as_str().to_string(),
            quarantine_reason: m.quarantine_reason.clone(),
            person_id: m.person_id.map(|x| x.0),
            matter_id: m.matter_id.map(|x| x.0),
            contact_id: m.contact_id.map(|x| x.0),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessagesOut {
    pub messages: Vec<MessageOut>,
}

/// An attachment: fetched by its number; whatever type the sender claimed, it is sent as
/// `application/octet-stream`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentOut {
    pub n: usize,
    pub name: Option<String>,
    pub claimed_type: String,
    pub bytes: usize,
}

/// A message with its attachments listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageWithAttachmentsOut {
    #[serde(flatten)]
    pub message: MessageOut,
    pub attachments: Vec<AttachmentOut>,
}

/// Someone whose records are due for disposal (NOR-9.1), as the dry run lists them.
#[derive(Debug, Serialize, ToSchema)]
pub struct DueOut {
    pub person_id: i64,
    pub reference: String,
    pub due_on: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DueListOut {
    /// Nothing is destroyed by asking: the DPO confirms a disposal (`tact retention
    /// dispose --confirm` or the retention page).
    pub due: Vec<DueOut>,
}
