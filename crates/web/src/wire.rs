//! Wire types: what the API accepts and returns. Apart from the domain types on purpose:
//! the core derives no `Serialize`, and the JSON shape can change without touching it.

use crate::error::ApiError;
use jiff::civil::Date;
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{json, Value};
use tact_core::check::Verdict;
use tact_core::identity::{EmailAddress, PhoneNumber};
use tact_core::model::*;
use tact_core::profile::{Channel, Profile};
use tact_store::codec::restriction_json;
use utoipa::ToSchema;

pub fn ts(t: Timestamp) -> String {
    t.to_string()
}

/// An instant in RFC 3339 (`2026-11-20T10:00:00Z`), or `now` when absent.
pub fn parse_ts(field: &str, v: Option<&str>, now: Timestamp) -> Result<Timestamp, ApiError> {
    match v {
        None => Ok(now),
        Some(s) => s.parse().map_err(|_| {
            ApiError::bad(
                field,
                format!("expected a time such as 2026-11-20T10:00:00Z, got {s:?}"),
            )
        }),
    }
}

pub fn parse_date(field: &str, s: &str) -> Result<Date, ApiError> {
    s.parse().map_err(|_| {
        ApiError::bad(
            field,
            format!("expected a date such as 2027-02-20, got {s:?}"),
        )
    })
}

pub fn parse_opt_date(field: &str, s: Option<&str>) -> Result<Option<Date>, ApiError> {
    s.map(|d| parse_date(field, d)).transpose()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvocateReq {
    pub name: String,
    pub organisation: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonReq {
    pub name: String,
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    pub postal_address: Option<String>,
    pub advocate: Option<AdvocateReq>,
    /// standard, large-print, easy-read, braille, audio or email
    pub preferred_format: Option<String>,
    pub preferred_language: Option<String>,
    /// Keep phone numbers libphonenumber does not confirm (a number newer than its data,
    /// or Ofcom's drama range), marked unverified; without this they are refused.
    #[serde(default)]
    pub keep_unverified: bool,
    /// Numbers or addresses (as given above) shared with someone else — a household line,
    /// an advocate acting for several people. One another person already holds is refused
    /// with 409 unless listed here.
    #[serde(default)]
    pub shared: Vec<String>,
}

impl PersonReq {
    pub fn parse(self) -> Result<tact_app::PersonInput, ApiError> {
        let phones = self
            .phones
            .iter()
            .enumerate()
            .map(|(i, p)| {
                PhoneNumber::record(p, self.keep_unverified)
                    .map_err(|e| ApiError::from(e.with_field(&format!("phones[{i}]"))))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let emails = self
            .emails
            .iter()
            .enumerate()
            .map(|(i, p)| {
                EmailAddress::parse(p)
                    .map_err(|e| ApiError::from(e.with_field(&format!("emails[{i}]"))))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let advocate = match self.advocate {
            None => None,
            Some(a) => Some(Advocate {
                name: a.name,
                organisation: a.organisation,
                phone: a
                    .phone
                    .as_deref()
                    .map(|p| PhoneNumber::record(p, self.keep_unverified))
                    .transpose()
                    .map_err(|e| ApiError::from(e.with_field("advocate.phone")))?,
                email: a
                    .email
                    .as_deref()
                    .map(EmailAddress::parse)
                    .transpose()
                    .map_err(|e| ApiError::from(e.with_field("advocate.email")))?,
            }),
        };
        Ok(tact_app::PersonInput {
            name: self.name,
            phones,
            emails,
            postal_address: self.postal_address,
            advocate,
            preferred_format: self
                .preferred_format
                .as_deref()
                .map(Format::parse)
                .transpose()?,
            preferred_language: self.preferred_language,
            shared: self.shared,
        })
    }
}

/// Merging another record of the same person into this one (issue 10).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeReq {
    /// The id of the other record, which is merged into this one and then leads to it.
    pub merge: i64,
    /// Why these are the same person.
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HelpReq {
    pub needs_help: bool,
    pub in_their_words: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatterReq {
    /// complaint, case, query or request
    pub kind: String,
    pub title: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatterStatusReq {
    /// open, concluded, review-exhausted or finalised
    pub status: String,
    pub finalised_on: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactReq {
    pub person_id: Option<i64>,
    pub matter_id: Option<i64>,
    pub channel: String,
    /// inbound (default) or outbound
    pub direction: Option<String>,
    pub at: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub staff_id: Option<i64>,
    pub summary: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub is_complaint: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreenReq {
    pub finding: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndedCallReq {
    pub reason: String,
    pub file_note: String,
    #[serde(default)]
    pub caller_warned: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentReq {
    pub person_id: i64,
    pub matter_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub category: String,
    pub description: String,
    pub occurred_at: Option<String>,
    pub staff_id: Option<i64>,
    pub ended_call: Option<EndedCallReq>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WarningReq {
    #[serde(default)]
    pub incident_ids: Vec<i64>,
    pub what_is_wrong: String,
    pub how_to_change: String,
    pub consequence: String,
    pub channel: String,
    pub given_at: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanReq {
    pub matter_ids: Vec<i64>,
    #[serde(default)]
    pub incident_ids: Vec<i64>,
    /// Each: {"kind": "call-window" | "single-channel" | ..., "reason": "...", ...kind's fields}
    #[schema(value_type = Vec<Object>)]
    pub restrictions: Vec<Value>,
    pub reasons: String,
    pub aims: String,
    pub proportionality: String,
    pub no_warning_reason: Option<String>,
    pub review_due: String,
    pub ends_on: Option<String>,
}

pub fn parse_restrictions(list: &[Value]) -> Result<Vec<Restriction>, ApiError> {
    list.iter()
        .enumerate()
        .map(|(i, v)| {
            tact_store::codec::parse_restriction(v, &format!("restrictions[{i}]"))
                .map_err(ApiError::from)
        })
        .collect()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerReq {
    pub question_id: String,
    /// yes, no or not-applicable
    pub answer: String,
    pub reason: String,
    pub cannot_remedy_reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistReq {
    pub answers: Vec<AnswerReq>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideReq {
    pub adjustment_id: i64,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthoriseReq {
    pub reason: String,
    #[serde(default)]
    pub overrides: Vec<OverrideReq>,
}

pub fn overrides(list: Vec<OverrideReq>, by: tact_core::ids::StaffId) -> Vec<AdjustmentOverride> {
    list.into_iter()
        .map(|o| AdjustmentOverride {
            adjustment_id: tact_core::ids::AdjustmentId(o.adjustment_id),
            by,
            reason: o.reason,
        })
        .collect()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonReq {
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeReq {
    pub sent_at: Option<String>,
    /// letter, email or web-form: notice is always written
    pub channel: String,
    pub format: Option<String>,
    pub agreement_sought: bool,
    pub agreement_given: Option<bool>,
    pub agreement_note: Option<String>,
    #[serde(default)]
    pub policy_enclosed: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewReq {
    /// continue or lift
    pub decision: String,
    pub reasons: String,
    pub recent_conduct: String,
    pub next_review_due: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VaryReq {
    #[schema(value_type = Vec<Object>)]
    pub restrictions: Vec<Value>,
    pub review_due: String,
    pub ends_on: Option<String>,
    pub reason: String,
    #[serde(default)]
    pub overrides: Vec<OverrideReq>,
}

impl VaryReq {
    pub fn parse(
        self,
        by: tact_core::ids::StaffId,
    ) -> Result<tact_core::workflow::VaryInput, ApiError> {
        Ok(tact_core::workflow::VaryInput {
            restrictions: parse_restrictions(&self.restrictions)?,
            review_due: parse_date("review_due", &self.review_due)?,
            ends_on: parse_opt_date("ends_on", self.ends_on.as_deref())?,
            reason: self.reason,
            overrides: overrides(self.overrides, by),
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyReq {
    pub matter_id: i64,
    pub reason: String,
}

/// The authorising role's decision on applying a plan to another matter (NOR-6.2).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideMatterReq {
    pub matter_id: i64,
    /// `true` to authorise, `false` to refuse.
    pub approve: bool,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeReq {
    pub grounds: String,
    pub received_at: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeDecisionReq {
    /// upheld, varied or lifted
    pub outcome: String,
    pub reasons: String,
    pub variation: Option<VaryReq>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentReq {
    /// needs-channel:<channel>, extra-time, format:<format>, support-person or other
    pub kind: String,
    pub description: String,
}

/// A data-rights request as it arrives (issue 5).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RightsReq {
    /// access, rectification, erasure or objection.
    pub kind: String,
    /// What they asked, in their words.
    pub details: String,
    /// How it came: phone, email, letter, visit.
    pub channel: String,
    /// The day it was received (YYYY-MM-DD); today if left out.
    pub received_on: Option<String>,
}

/// The DPO's answer to a data-rights request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RightsAnswerReq {
    /// done, refused, or extend (two more months, once, within the first month).
    pub decision: String,
    /// What was done, why it is refused, or why more time is needed.
    pub text: String,
}

pub fn rights(r: &tact_core::rights::RightsRequest) -> Value {
    json!({
        "id": r.id, "person_id": r.person_id.0, "kind": r.kind.as_str(), "details": r.details,
        "channel": r.channel.as_str(), "received_on": r.received_on.to_string(), "due_on": r.due_on.to_string(),
        "extended_to": r.extended_to.map(|d| d.to_string()), "extension_reason": r.extension_reason,
        "deadline": r.deadline().to_string(), "status": r.status.as_str(), "outcome": r.outcome,
        "clause": tact_core::rights::CLAUSE,
    })
}

/// CLE-9.15: a request to share a person's details with a partner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureReq {
    /// The partner agency, such as the police.
    pub partner: String,
    /// The legitimate reason for sharing.
    pub reason: String,
    /// What would be shared.
    pub details: String,
}

/// The DPO's decision on a request to share.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureDecisionReq {
    pub approve: bool,
    pub reason: String,
}

/// What was shared; `at` defaults to now.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SharedReq {
    pub what: String,
    pub at: Option<String>,
}

/// CLE-9.11: the reminder after a breach.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderReq {
    /// letter, email, phone or visit
    pub channel: String,
    /// What happens if they go on breaching the plan.
    pub consequences: String,
    /// Why the plan is in place.
    pub reasons: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionReq {
    pub grant: bool,
    pub reasons: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FurtherActionReq {
    /// police-referral, legal-advice or legal-action
    pub kind: String,
    pub reasons: String,
    pub prior_notice_given: bool,
    pub no_notice_reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeReq {
    pub outcome: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffReq {
    pub name: String,
    pub role: String,
    pub email: Option<String>,
    pub line_manager: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffChangeReq {
    pub role: Option<String>,
    pub active: Option<bool>,
    pub line_manager: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenReq {
    pub label: String,
}

// ----- responses ------------------------------------------------------------------

pub fn person(p: &ServiceUser) -> Value {
    json!({
        "id": p.id.0, "reference": p.reference, "name": p.name,
        "phones": p.phones.iter().map(|x| x.as_str()).collect::<Vec<_>>(),
        "emails": p.emails.iter().map(|x| x.as_str()).collect::<Vec<_>>(),
        "postal_address": p.postal_address,
        "advocate": p.advocate.as_ref().map(|a| json!({"name": a.name, "organisation": a.organisation, "phone": a.phone.as_ref().map(|x| x.as_str()), "email": a.email.as_ref().map(|x| x.as_str())})),
        "preferred_format": p.preferred_format.as_str(), "preferred_language": p.preferred_language,
        "additional_help": p.additional_help.as_ref().map(|h| json!({"asked_at": ts(h.asked_at), "asked_by": h.asked_by.0, "needs_help": h.needs_help, "in_their_words": h.in_their_words})),
        "created_at": ts(p.created_at),
    })
}

pub fn matter(m: &Matter) -> Value {
    json!({"id": m.id.0, "person_id": m.person_id.0, "reference": m.reference, "kind": m.kind.as_str(), "title": m.title, "status": m.status.as_str(), "finalised_on": m.finalised_on.map(|d| d.to_string()), "opened_at": ts(m.opened_at)})
}

pub fn contact(c: &Contact) -> Value {
    json!({
        "id": c.id.0, "person_id": c.person_id.map(|x| x.0), "matter_id": c.matter_id.map(|x| x.0), "channel": c.channel.as_str(),
        "direction": c.direction.as_str(), "at": ts(c.at), "staff_id": c.staff_id.map(|x| x.0), "identifier": c.identifier,
        "summary": c.summary, "body": c.body, "breach_of": c.breach_of, "screening": c.screening.as_str(),
        "not_recorded_as_complaint": c.not_recorded_as_complaint,
    })
}

pub fn incident(i: &Incident) -> Value {
    json!({
        "id": i.id.0, "person_id": i.person_id.0, "matter_id": i.matter_id.map(|x| x.0), "contact_id": i.contact_id.map(|x| x.0),
        "category": i.category, "description": i.description, "occurred_at": ts(i.occurred_at), "staff_id": i.staff_id.0, "recorded_by": i.recorded_by.0,
        "ended_call": i.ended_call.as_ref().map(|e| json!({"reason": e.reason, "file_note": e.file_note, "caller_warned": e.caller_warned})),
    })
}

pub fn warning(w: &Warning) -> Value {
    json!({
        "id": w.id.0, "person_id": w.person_id.0, "incident_ids": w.incident_ids.iter().map(|i| i.0).collect::<Vec<_>>(),
        "what_is_wrong": w.what_is_wrong, "how_to_change": w.how_to_change, "consequence": w.consequence,
        "channel": w.channel.as_str(), "given_at": ts(w.given_at), "given_by": w.given_by.0,
    })
}

pub fn strategy(profile: &Profile, s: &Strategy, at: Timestamp) -> Value {
    let named = |r: &Restriction| {
        let mut v = restriction_json(r);
        if let Some(e) = profile.catalogue(r.rule.kind()) {
            v["name"] = json!(e.name);
            v["clause"] = json!(e.clause);
        }
        v
    };
    json!({
        "id": s.id.0, "term": profile.terms.plan, "person_id": s.person_id.0, "version": s.version, "plan_version": s.plan_version,
        "status": s.status.as_str(), "in_force": s.in_force(at), "review_overdue": s.review_overdue(tact_core::check::uk_date(at)),
        "matter_ids": s.matter_ids.iter().map(|m| m.0).collect::<Vec<_>>(),
        "incident_ids": s.incident_ids.iter().map(|m| m.0).collect::<Vec<_>>(),
        "restrictions": s.restrictions.iter().map(named).collect::<Vec<_>>(),
        "reasons": s.reasons, "aims": s.aims, "proportionality": s.proportionality, "no_warning_reason": s.no_warning_reason,
        "checklist": s.checklist.iter().map(|a| json!({
            "question_id": a.question_id, "answer": a.answer.as_str(), "reason": a.reason,
            "remedy_task": a.remedy_task.map(|t| t.0), "cannot_remedy_reason": a.cannot_remedy_reason,
            "answered_by": a.answered_by.0, "answered_at": ts(a.answered_at),
        })).collect::<Vec<_>>(),
        "created_by": s.created_by.0, "created_at": ts(s.created_at),
        "proposed_by": s.proposed_by.map(|x| x.0), "proposed_at": s.proposed_at.map(ts),
        "decided_by": s.decided_by.map(|x| x.0), "decided_at": s.decided_at.map(ts), "decision_reason": s.decision_reason,
        "overrides": s.overrides.iter().map(|o| json!({"adjustment_id": o.adjustment_id.0, "by": o.by.0, "reason": o.reason})).collect::<Vec<_>>(),
        "notice": s.notice.as_ref().map(|n| json!({"sent_at": ts(n.sent_at), "channel": n.channel.as_str(), "format": n.format.as_str(), "agreement_sought": n.agreement_sought, "agreement_given": n.agreement_given, "agreement_note": n.agreement_note, "policy_enclosed": n.policy_enclosed, "plan_version": n.plan_version})),
        "effective_from": s.effective_from.map(ts), "review_due": s.review_due.to_string(), "ends_on": s.ends_on.map(|d| d.to_string()),
        "pending_variation": s.pending_variation.as_ref().map(|v| json!({"restrictions": v.restrictions.iter().map(named).collect::<Vec<_>>(), "review_due": v.review_due.to_string(), "reason": v.reason})),
        "pending_matters": s.pending_matters.iter().map(|m| json!({
            "matter_id": m.matter_id.0, "reason": m.reason, "requested_by": m.requested_by.0,
            "requested_at": ts(m.requested_at), "authorised_by": m.authorised_by.map(|x| x.0),
            "authorised_at": m.authorised_at.map(ts),
            "waiting_for": if m.authorised_by.is_some() { "notice" } else { "authorisation" },
        })).collect::<Vec<_>>(),
        "lifted_at": s.lifted_at.map(ts), "lift_reason": s.lift_reason,
    })
}

pub fn adjustment(a: &Adjustment) -> Value {
    json!({
        "id": a.id.0, "person_id": a.person_id.0, "kind": a.kind.as_str(), "description": a.description, "status": a.status.as_str(),
        "requested_at": ts(a.requested_at), "recorded_by": a.recorded_by.0, "decided_by": a.decided_by.map(|x| x.0),
        "decided_at": a.decided_at.map(ts), "decision_reason": a.decision_reason,
    })
}

pub fn disclosure(d: &tact_core::sharing::Disclosure) -> Value {
    json!({
        "id": d.id.0, "person_id": d.person_id.0, "partner": d.partner, "reason": d.reason, "details": d.details,
        "requested_by": d.requested_by.0, "requested_at": ts(d.requested_at), "status": d.status.as_str(),
        "decided_by": d.decided_by.map(|x| x.0), "decided_at": d.decided_at.map(ts), "decision_reason": d.decision_reason,
        "shared_by": d.shared_by.map(|x| x.0), "shared_at": d.shared_at.map(ts), "shared_what": d.shared_what,
    })
}

pub fn access(a: &tact_core::model::Access) -> Value {
    json!({"person_id": a.person_id.0, "staff_id": a.staff_id.0, "at": ts(a.at), "what": a.what})
}

pub fn dispute(d: &Dispute) -> Value {
    json!({
        "id": d.id.0, "strategy_id": d.strategy_id.0, "person_id": d.person_id.0, "grounds": d.grounds, "received_at": ts(d.received_at),
        "outcome": d.outcome.map(DisputeOutcome::as_str), "decided_by": d.decided_by.map(|x| x.0), "decided_at": d.decided_at.map(ts), "decision_reason": d.decision_reason,
    })
}

pub fn further_action(f: &FurtherAction) -> Value {
    json!({"id": f.id.0, "person_id": f.person_id.0, "kind": f.kind.as_str(), "reasons": f.reasons, "prior_notice_given": f.prior_notice_given, "no_notice_reason": f.no_notice_reason, "decided_by": f.decided_by.0, "decided_at": ts(f.decided_at)})
}

pub fn task(t: &Task) -> Value {
    json!({
        "id": t.id.0, "kind": t.task.kind.as_str(), "person_id": t.task.person_id.map(|x| x.0), "assignee": t.task.assignee.map(|x| x.0),
        "role": t.task.role.map(|r| r.as_str()), "title": t.task.title, "due_on": t.task.due_on.map(|d| d.to_string()), "clause": t.task.clause,
        "subject": t.task.subject, "created_at": ts(t.created_at), "done_at": t.done_at.map(ts), "done_by": t.done_by.map(|x| x.0), "outcome": t.outcome,
    })
}

pub fn staff(s: &Staff) -> Value {
    json!({"id": s.id.0, "name": s.name, "email": s.email.as_ref().map(|e| e.as_str()), "role": s.role.as_str(), "line_manager": s.line_manager.map(|x| x.0), "active": s.active})
}

pub fn verdict(v: &Verdict) -> Value {
    // A shared identifier answers "ambiguous", with everyone it could be and the strictest
    // answer for any of them (issue 10).
    let outcome = if v.candidates.is_empty() {
        v.outcome.as_str()
    } else {
        "ambiguous"
    };
    json!({
        "person": v.person.map(|p| json!({"id": p.0, "reference": v.reference, "name": v.name})),
        "outcome": outcome, "strictest_outcome": v.outcome.as_str(), "allowed": v.allowed(),
        "candidates": v.candidates.iter().map(|c| json!({"id": c.person.0, "reference": c.reference, "name": c.name, "outcome": c.outcome.as_str()})).collect::<Vec<_>>(),
        "withheld": v.withheld,
        "say": v.say, "must": v.must,
        "restrictions": v.restrictions.iter().filter(|a| a.effect != tact_core::check::Effect::NotRelevant).map(|a| json!({
            "strategy_id": a.strategy_id.0, "kind": a.kind, "name": a.name, "clause": a.clause, "effect": a.effect.as_str(), "explanation": a.explanation,
            "matters": a.matters.iter().map(|m| m.0).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "adjustments": v.adjustments.iter().map(|(id, d)| json!({"id": id.0, "description": d})).collect::<Vec<_>>(),
        "screening_required": v.screening_required, "staff_may_disengage": v.staff_may_disengage, "ask_additional_help": v.ask_additional_help,
        "record_call": v.record_call, "max_minutes": v.max_minutes, "put_through_to": v.put_through_to.map(|s| s.0),
        "divert_to_mailbox": v.divert_to_mailbox, "clauses": v.clauses,
    })
}

/// How fresh a contact check's answer is (issue 10): from this server's index or the
/// database, the last change applied, and how long ago the change feed was read.
pub fn freshness(f: &tact_app::feed::Freshness) -> Value {
    json!({
        "source": f.source.as_str(),
        "change_seq": f.change_seq,
        "synced_ms_ago": f.synced_ms_ago,
        "bound_ms": u64::try_from(tact_app::feed::BOUND.as_millis()).unwrap_or(u64::MAX),
    })
}

/// A contact check's answer with its freshness.
pub fn checked(c: &tact_app::Checked) -> Value {
    let mut v = verdict(&c.verdict);
    v["freshness"] = freshness(&c.freshness);
    v
}

pub fn channel(field: &str, s: &str) -> Result<Channel, ApiError> {
    Channel::parse(s).map_err(|e| e.with_field(field).into())
}
