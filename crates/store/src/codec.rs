//! How records that the store keeps as JSON (a plan's full record, an advocate) are
//! written and read back. These are storage formats, apart from the API's wire types.

use jiff::civil::{Date, Time, Weekday};
use jiff::Timestamp;
use serde_json::{json, Value};
use tact_core::identity::{EmailAddress, Identifier, PhoneNumber};
use tact_core::ids::*;
use tact_core::model::*;
use tact_core::profile::{Answer, Channel};

use crate::StoreError;

pub fn ts(at: Timestamp) -> i64 {
    tact_core::audit::micros(at)
}

/// A time stored as microseconds since 1970 in a plan's JSON; out of range is an error
/// naming the field, never 1970.
fn from_ts(micros: i64, field: &str) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(micros)
        .map_err(|e| StoreError::Corrupt(format!("strategies.body.{field}: {e}")))
}

pub fn date(d: Date) -> String {
    d.to_string()
}

pub fn parse_date(s: &str) -> Result<Date, StoreError> {
    s.parse()
        .map_err(|e| StoreError::Corrupt(format!("bad date {s:?}: {e}")))
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("stored plan has a bad {what}"))
}

fn weekday_str(d: Weekday) -> String {
    tact_core::model::weekday_name(d).to_ascii_lowercase()
}

/// Parses a weekday name (`monday` … `sunday`, any case).
pub fn parse_weekday(s: &str) -> Option<Weekday> {
    tact_core::model::weekday_named(s, false)
}

/// A rule as JSON: `{"kind": "...", ...}`. The same shape the API accepts.
pub fn rule_json(rule: &Rule) -> Value {
    let kind = rule.kind().as_str();
    match rule {
        Rule::CallWindow {
            windows,
            max_minutes,
            max_calls_per_window,
        } => json!({
            "kind": kind,
            "windows": windows.iter().map(|w| json!({"day": weekday_str(w.weekday), "start": w.start.strftime("%H:%M").to_string(), "end": w.end.strftime("%H:%M").to_string()})).collect::<Vec<_>>(),
            "max_minutes": max_minutes,
            "max_calls_per_window": max_calls_per_window,
        }),
        Rule::SingleChannel { channel } => json!({"kind": kind, "channel": channel.as_str()}),
        Rule::SinglePointOfContact { staff_id } => json!({"kind": kind, "staff_id": staff_id.0}),
        Rule::DedicatedMailbox { address } => json!({"kind": kind, "address": address.as_str()}),
        Rule::BlockedIdentifier {
            identifier,
            acknowledge,
        } => {
            json!({"kind": kind, "identifier": identifier.key(), "acknowledge": acknowledge})
        }
        Rule::ReadAndFile { acknowledge } => json!({"kind": kind, "acknowledge": acknowledge}),
        Rule::NoReopening { matter_id, grounds } => json!({
            "kind": kind, "matter_id": matter_id.0,
            "grounds": {"same_matter": grounds.same_matter, "no_new_substantive_evidence": grounds.no_new_substantive_evidence, "properly_handled": grounds.properly_handled, "note": grounds.note},
        }),
        Rule::NoRepeatComplaints { matter_id } => json!({"kind": kind, "matter_id": matter_id.0}),
        Rule::Other { description } => json!({"kind": kind, "description": description}),
        Rule::RecordedCalls | Rule::AdvocateOnly => json!({"kind": kind}),
    }
}

/// Reads a rule from JSON, validating each field; `field` prefixes error field names.
///
/// # Errors
/// An invalid-input [`tact_core::RuleError`] naming the field at fault.
pub fn parse_rule(v: &Value, field: &str) -> Result<Rule, tact_core::RuleError> {
    use tact_core::RuleError;
    let s = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| RuleError::invalid(&format!("{field}.{k}"), format!("{k} is required")))
    };
    let i = |k: &str| {
        v.get(k).and_then(Value::as_i64).ok_or_else(|| {
            RuleError::invalid(&format!("{field}.{k}"), format!("{k} must be a number"))
        })
    };
    let b = |g: &Value, k: &str| g.get(k).and_then(Value::as_bool).unwrap_or(false);
    let kind = tact_core::profile::RestrictionKind::parse(s("kind")?)
        .map_err(|e| e.with_field(&format!("{field}.kind")))?;
    use tact_core::profile::RestrictionKind as K;
    Ok(match kind {
        K::CallWindow => {
            let arr = v.get("windows").and_then(Value::as_array).ok_or_else(|| {
                RuleError::invalid(
                    &format!("{field}.windows"),
                    "windows must be a list of {day, start, end}",
                )
            })?;
            let mut windows = Vec::new();
            for (n, w) in arr.iter().enumerate() {
                let wf = format!("{field}.windows[{n}]");
                let day = w
                    .get("day")
                    .and_then(Value::as_str)
                    .and_then(parse_weekday)
                    .ok_or_else(|| {
                        RuleError::invalid(
                            &format!("{wf}.day"),
                            "expected a day of the week such as tuesday",
                        )
                    })?;
                let t = |k: &str| -> Result<Time, RuleError> {
                    w.get(k)
                        .and_then(Value::as_str)
                        .and_then(|x| Time::strptime("%H:%M", x).ok())
                        .ok_or_else(|| {
                            RuleError::invalid(
                                &format!("{wf}.{k}"),
                                "expected a time such as 10:00",
                            )
                        })
                };
                windows.push(CallWindow {
                    weekday: day,
                    start: t("start")?,
                    end: t("end")?,
                });
            }
            let opt_u = |k: &str| -> Result<Option<u32>, RuleError> {
                match v.get(k) {
                    None | Some(Value::Null) => Ok(None),
                    Some(x) => x
                        .as_u64()
                        .and_then(|n| u32::try_from(n).ok())
                        .filter(|n| *n > 0)
                        .map(Some)
                        .ok_or_else(|| {
                            RuleError::invalid(
                                &format!("{field}.{k}"),
                                "expected a positive whole number",
                            )
                        }),
                }
            };
            Rule::CallWindow {
                windows,
                max_minutes: opt_u("max_minutes")?,
                max_calls_per_window: opt_u("max_calls_per_window")?,
            }
        }
        K::SingleChannel => Rule::SingleChannel {
            channel: Channel::parse(s("channel")?)
                .map_err(|e| e.with_field(&format!("{field}.channel")))?,
        },
        K::SinglePointOfContact => Rule::SinglePointOfContact {
            staff_id: StaffId(i("staff_id")?),
        },
        K::RecordedCalls => Rule::RecordedCalls,
        K::DedicatedMailbox => Rule::DedicatedMailbox {
            address: EmailAddress::parse(s("address")?)
                .map_err(|e| e.with_field(&format!("{field}.address")))?,
        },
        K::BlockedIdentifier => Rule::BlockedIdentifier {
            identifier: Identifier::parse(s("identifier")?)
                .map_err(|e| e.with_field(&format!("{field}.identifier")))?,
            acknowledge: b(v, "acknowledge"),
        },
        K::AdvocateOnly => Rule::AdvocateOnly,
        K::ReadAndFile => Rule::ReadAndFile {
            acknowledge: b(v, "acknowledge"),
        },
        K::NoReopening => {
            let g = v.get("grounds").ok_or_else(|| {
                RuleError::invalid(&format!("{field}.grounds"), "grounds are required")
            })?;
            Rule::NoReopening {
                matter_id: MatterId(i("matter_id")?),
                grounds: NoReopeningGrounds {
                    same_matter: b(g, "same_matter"),
                    no_new_substantive_evidence: b(g, "no_new_substantive_evidence"),
                    properly_handled: b(g, "properly_handled"),
                    note: g
                        .get("note")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                },
            }
        }
        K::NoRepeatComplaints => Rule::NoRepeatComplaints {
            matter_id: MatterId(i("matter_id")?),
        },
        K::Other => Rule::Other {
            description: s("description")?.to_string(),
        },
    })
}

pub fn restriction_json(r: &Restriction) -> Value {
    let mut v = rule_json(&r.rule);
    v["reason"] = json!(r.reason);
    v
}

/// # Errors
/// An invalid-input error naming the field at fault.
pub fn parse_restriction(v: &Value, field: &str) -> Result<Restriction, tact_core::RuleError> {
    Ok(Restriction {
        rule: parse_rule(v, field)?,
        reason: v
            .get("reason")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
    })
}

fn ids<T>(v: &[T], f: impl Fn(&T) -> i64) -> Value {
    json!(v.iter().map(f).collect::<Vec<_>>())
}

/// The whole plan as stored.
pub fn plan_json(s: &Plan) -> Value {
    json!({
        "person_id": s.person_id.0,
        "plan_version": s.plan_version,
        "matter_ids": ids(&s.matter_ids, |m| m.0),
        "incident_ids": ids(&s.incident_ids, |m| m.0),
        "restrictions": s.restrictions.iter().map(restriction_json).collect::<Vec<_>>(),
        "reasons": s.reasons, "aims": s.aims, "proportionality": s.proportionality,
        "no_warning_reason": s.no_warning_reason,
        "checklist": s.checklist.iter().map(|a| json!({
            "question_id": a.question_id, "answer": a.answer.as_str(), "reason": a.reason,
            "remedy_task": a.remedy_task.map(|t| t.0), "cannot_remedy_reason": a.cannot_remedy_reason,
            "answered_by": a.answered_by.0, "answered_at": ts(a.answered_at),
        })).collect::<Vec<_>>(),
        "created_by": s.created_by.0, "created_at": ts(s.created_at),
        "proposed_by": s.proposed_by.map(|x| x.0), "proposed_at": s.proposed_at.map(ts),
        "decided_by": s.decided_by.map(|x| x.0), "decided_at": s.decided_at.map(ts), "decision_reason": s.decision_reason,
        "overrides": s.overrides.iter().map(|o| json!({"adjustment_id": o.adjustment_id.0, "by": o.by.0, "reason": o.reason})).collect::<Vec<_>>(),
        "notice": s.notice.as_ref().map(|n| json!({
            "sent_at": ts(n.sent_at), "recorded_by": n.recorded_by.0, "channel": n.channel.as_str(), "format": n.format.as_str(),
            "agreement_sought": n.agreement_sought, "agreement_given": n.agreement_given, "agreement_note": n.agreement_note,
            "policy_enclosed": n.policy_enclosed, "plan_version": n.plan_version,
        })),
        "effective_from": s.effective_from.map(ts),
        "pending_variation": s.pending_variation.as_ref().map(|v| json!({
            "restrictions": v.restrictions.iter().map(restriction_json).collect::<Vec<_>>(),
            "review_due": date(v.review_due), "ends_on": v.ends_on.map(date), "reason": v.reason, "by": v.by.0,
        })),
        "pending_matters": s.pending_matters.iter().map(|m| json!({
            "matter_id": m.matter_id.0, "reason": m.reason, "requested_by": m.requested_by.0,
            "requested_at": ts(m.requested_at), "authorised_by": m.authorised_by.map(|x| x.0),
            "authorised_at": m.authorised_at.map(ts),
        })).collect::<Vec<_>>(),
        "lifted_at": s.lifted_at.map(ts), "lift_reason": s.lift_reason,
        "participants": ids(&s.participants, |p| p.0),
    })
}

fn opt_i(v: &Value, k: &str) -> Option<i64> {
    v.get(k).and_then(Value::as_i64)
}
fn opt_s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}
fn req_s(v: &Value, k: &str) -> Result<String, StoreError> {
    opt_s(v, k).ok_or_else(|| corrupt(k))
}
fn req_i(v: &Value, k: &str) -> Result<i64, StoreError> {
    opt_i(v, k).ok_or_else(|| corrupt(k))
}
fn id_list(v: &Value, k: &str) -> Vec<i64> {
    v.get(k)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default()
}
fn restrictions(v: &Value, k: &str) -> Result<Vec<Restriction>, StoreError> {
    v.get(k)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|r| parse_restriction(r, k).map_err(|e| StoreError::Corrupt(e.to_string())))
                .collect()
        })
        .unwrap_or_else(|| Ok(Vec::new()))
}

/// Reads a plan back from its row.
///
/// # Errors
/// [`StoreError::Corrupt`] when the stored JSON does not hold a plan.
pub fn parse_plan(
    id: i64,
    version: i64,
    status: &str,
    review_due: &str,
    ends_on: Option<&str>,
    body: &str,
) -> Result<Plan, StoreError> {
    let v: Value =
        serde_json::from_str(body).map_err(|e| StoreError::Corrupt(format!("plan {id}: {e}")))?;
    let checklist = v
        .get("checklist")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|c| {
                    Ok(ChecklistAnswer {
                        question_id: req_s(c, "question_id")?,
                        answer: Answer::parse(&req_s(c, "answer")?)
                            .map_err(|_| corrupt("answer"))?,
                        reason: req_s(c, "reason")?,
                        remedy_task: opt_i(c, "remedy_task").map(TaskId),
                        cannot_remedy_reason: opt_s(c, "cannot_remedy_reason"),
                        answered_by: StaffId(req_i(c, "answered_by")?),
                        answered_at: from_ts(req_i(c, "answered_at")?, "answered_at")?,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()
        })
        .transpose()?
        .unwrap_or_default();
    let notice = match v.get("notice") {
        Some(n) if !n.is_null() => Some(Notice {
            sent_at: from_ts(req_i(n, "sent_at")?, "sent_at")?,
            recorded_by: StaffId(req_i(n, "recorded_by")?),
            channel: Channel::parse(&req_s(n, "channel")?).map_err(|_| corrupt("channel"))?,
            format: Format::parse(&req_s(n, "format")?).map_err(|_| corrupt("format"))?,
            agreement_sought: n
                .get("agreement_sought")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            agreement_given: n.get("agreement_given").and_then(Value::as_bool),
            agreement_note: opt_s(n, "agreement_note"),
            policy_enclosed: n
                .get("policy_enclosed")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            plan_version: opt_i(n, "plan_version").unwrap_or(1),
        }),
        _ => None,
    };
    let pending_variation = match v.get("pending_variation") {
        Some(p) if !p.is_null() => Some(PendingVariation {
            restrictions: restrictions(p, "restrictions")?,
            review_due: parse_date(&req_s(p, "review_due")?)?,
            ends_on: opt_s(p, "ends_on").map(|d| parse_date(&d)).transpose()?,
            reason: req_s(p, "reason")?,
            by: StaffId(req_i(p, "by")?),
        }),
        _ => None,
    };
    let pending_matters = v
        .get("pending_matters")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|m| {
                    Ok(PendingMatter {
                        matter_id: MatterId(req_i(m, "matter_id")?),
                        reason: req_s(m, "reason")?,
                        requested_by: StaffId(req_i(m, "requested_by")?),
                        requested_at: from_ts(req_i(m, "requested_at")?, "requested_at")?,
                        authorised_by: opt_i(m, "authorised_by").map(StaffId),
                        authorised_at: opt_i(m, "authorised_at")
                            .map(|t| from_ts(t, "authorised_at"))
                            .transpose()?,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()
        })
        .transpose()?
        .unwrap_or_default();
    Ok(Plan {
        id: PlanId(id),
        person_id: PersonId(req_i(&v, "person_id")?),
        version,
        plan_version: opt_i(&v, "plan_version").unwrap_or(1),
        status: PlanStatus::parse(status).ok_or_else(|| corrupt("status"))?,
        matter_ids: id_list(&v, "matter_ids")
            .into_iter()
            .map(MatterId)
            .collect(),
        incident_ids: id_list(&v, "incident_ids")
            .into_iter()
            .map(IncidentId)
            .collect(),
        restrictions: restrictions(&v, "restrictions")?,
        reasons: opt_s(&v, "reasons").unwrap_or_default(),
        aims: opt_s(&v, "aims").unwrap_or_default(),
        proportionality: opt_s(&v, "proportionality").unwrap_or_default(),
        no_warning_reason: opt_s(&v, "no_warning_reason"),
        checklist,
        created_by: StaffId(req_i(&v, "created_by")?),
        created_at: from_ts(req_i(&v, "created_at")?, "created_at")?,
        proposed_by: opt_i(&v, "proposed_by").map(StaffId),
        proposed_at: opt_i(&v, "proposed_at")
            .map(|t| from_ts(t, "proposed_at"))
            .transpose()?,
        decided_by: opt_i(&v, "decided_by").map(StaffId),
        decided_at: opt_i(&v, "decided_at")
            .map(|t| from_ts(t, "decided_at"))
            .transpose()?,
        decision_reason: opt_s(&v, "decision_reason"),
        overrides: v
            .get("overrides")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|o| {
                        Ok(AdjustmentOverride {
                            adjustment_id: AdjustmentId(req_i(o, "adjustment_id")?),
                            by: StaffId(req_i(o, "by")?),
                            reason: req_s(o, "reason")?,
                        })
                    })
                    .collect::<Result<Vec<_>, StoreError>>()
            })
            .transpose()?
            .unwrap_or_default(),
        notice,
        effective_from: opt_i(&v, "effective_from")
            .map(|t| from_ts(t, "effective_from"))
            .transpose()?,
        review_due: parse_date(review_due)?,
        ends_on: ends_on.map(parse_date).transpose()?,
        pending_variation,
        pending_matters,
        lifted_at: opt_i(&v, "lifted_at")
            .map(|t| from_ts(t, "lifted_at"))
            .transpose()?,
        lift_reason: opt_s(&v, "lift_reason"),
        participants: id_list(&v, "participants")
            .into_iter()
            .map(StaffId)
            .collect(),
    })
}

pub fn advocate_json(a: &Advocate) -> String {
    json!({"name": a.name, "organisation": a.organisation, "phone": a.phone.as_ref().map(|p| p.as_str()), "email": a.email.as_ref().map(|e| e.as_str())}).to_string()
}

pub fn parse_advocate(s: &str) -> Result<Advocate, StoreError> {
    let v: Value =
        serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("advocate: {e}")))?;
    Ok(Advocate {
        name: opt_s(&v, "name").unwrap_or_default(),
        organisation: opt_s(&v, "organisation"),
        phone: opt_s(&v, "phone").and_then(|p| PhoneNumber::lookup(&p).ok()),
        email: opt_s(&v, "email").and_then(|e| EmailAddress::parse(&e).ok()),
    })
}
