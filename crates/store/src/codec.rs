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
        .map_err(|e| StoreError::Corrupt(format!("plans.body.{field}: {e}")))
}

pub fn date(d: Date) -> String {
    d.to_string()
}

pub fn parse_date(s: &str) -> Result<Date, StoreError> {
    s.parse()
        .map_err(|e| StoreError::Corrupt(format!("bad date {s:?}: {e}")))
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("plans.body.{what}: not what a plan holds"))
}

fn weekday_str(d: Weekday) -> String {
    tact_core::model::weekday_name(d).to_ascii_lowercase()
}

/// Parses a weekday name (`monday` … `sunday`, any case).
pub fn parse_weekday(s: &str) -> Option<Weekday> {
    tact_core::model::weekday_named(s, false)
}

/// A rule as a plan stores it: `{"kind": "...", ...}` (the API's wire type is its own,
/// kept to the same shape).
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

/// The text at `k` (absent: none written, ""); anything but text there is wrong.
fn text(g: &Value, k: &str) -> Result<String, tact_core::RuleError> {
    match g.get(k) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(x) => x
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| tact_core::RuleError::invalid(k, format!("{k} must be text"))),
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
    // A flag not written is not set; one written as anything but true or false is wrong.
    let b = |g: &Value, k: &str| match g.get(k) {
        None | Some(Value::Null) => Ok(false),
        Some(x) => x.as_bool().ok_or_else(|| {
            RuleError::invalid(
                &format!("{field}.{k}"),
                format!("{k} must be true or false"),
            )
        }),
    };
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
            acknowledge: b(v, "acknowledge")?,
        },
        K::AdvocateOnly => Rule::AdvocateOnly,
        K::ReadAndFile => Rule::ReadAndFile {
            acknowledge: b(v, "acknowledge")?,
        },
        K::NoReopening => {
            let g = v.get("grounds").ok_or_else(|| {
                RuleError::invalid(&format!("{field}.grounds"), "grounds are required")
            })?;
            Rule::NoReopening {
                matter_id: MatterId(i("matter_id")?),
                grounds: NoReopeningGrounds {
                    same_matter: b(g, "same_matter")?,
                    no_new_substantive_evidence: b(g, "no_new_substantive_evidence")?,
                    properly_handled: b(g, "properly_handled")?,
                    note: text(g, "note")?,
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
        reason: text(v, "reason").map_err(|e| e.with_field(&format!("{field}.reason")))?,
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
            "letter_id": n.letter_id, "policy_enclosed": n.policy_enclosed, "plan_version": n.plan_version,
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

/// A key of a stored plan that may be absent (written before a later version added it) or
/// null: `None`. Present with a value of the wrong kind, it is corrupt — never read as
/// absent, 0 or "".
fn opt<'v, T>(
    v: &'v Value,
    k: &str,
    read: impl Fn(&'v Value) -> Option<T>,
) -> Result<Option<T>, StoreError> {
    match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(x) => read(x).map(Some).ok_or_else(|| corrupt(k)),
    }
}
/// The letter a notice recorded from one named in its agreement note ("letter 7"), as Tact
/// wrote it before a notice had its own `letter_id`.
fn legacy_letter(note: &str) -> Option<i64> {
    note.strip_prefix("letter ")?.parse().ok()
}

fn opt_i(v: &Value, k: &str) -> Result<Option<i64>, StoreError> {
    opt(v, k, Value::as_i64)
}
fn opt_s(v: &Value, k: &str) -> Result<Option<String>, StoreError> {
    opt(v, k, |x| x.as_str().map(str::to_string))
}
fn opt_b(v: &Value, k: &str) -> Result<Option<bool>, StoreError> {
    opt(v, k, Value::as_bool)
}
fn opt_ts(v: &Value, k: &str) -> Result<Option<Timestamp>, StoreError> {
    opt_i(v, k)?.map(|t| from_ts(t, k)).transpose()
}
fn req_s(v: &Value, k: &str) -> Result<String, StoreError> {
    opt_s(v, k)?.ok_or_else(|| corrupt(k))
}
fn req_i(v: &Value, k: &str) -> Result<i64, StoreError> {
    opt_i(v, k)?.ok_or_else(|| corrupt(k))
}
fn req_ts(v: &Value, k: &str) -> Result<Timestamp, StoreError> {
    from_ts(req_i(v, k)?, k)
}
/// A list of ids (absent: none); an entry that is not a whole number is corrupt.
fn id_list<T>(v: &Value, k: &str, id: fn(i64) -> T) -> Result<Vec<T>, StoreError> {
    Ok(opt(v, k, |x| {
        x.as_array()?
            .iter()
            .map(|n| n.as_i64().map(id))
            .collect::<Option<Vec<_>>>()
    })?
    .unwrap_or_default())
}
/// The entries of a list (absent: none), each read by `read`.
fn each<T>(
    v: &Value,
    k: &str,
    read: impl Fn(&Value) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    match opt(v, k, Value::as_array)? {
        Some(items) => items.iter().map(read).collect(),
        None => Ok(Vec::new()),
    }
}
fn restrictions(v: &Value, k: &str) -> Result<Vec<Restriction>, StoreError> {
    each(v, k, |r| {
        parse_restriction(r, k).map_err(|e| StoreError::Corrupt(format!("plans.body.{e}")))
    })
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
    let checklist = each(&v, "checklist", |c| {
        Ok(ChecklistAnswer {
            question_id: req_s(c, "question_id")?,
            answer: Answer::parse(&req_s(c, "answer")?).map_err(|_| corrupt("answer"))?,
            reason: req_s(c, "reason")?,
            remedy_task: opt_i(c, "remedy_task")?.map(TaskId),
            cannot_remedy_reason: opt_s(c, "cannot_remedy_reason")?,
            answered_by: StaffId(req_i(c, "answered_by")?),
            answered_at: req_ts(c, "answered_at")?,
        })
    })?;
    let notice = match v.get("notice") {
        Some(n) if !n.is_null() => Some({
            // A notice Tact recorded from a letter before notices had `letter_id` named the
            // letter in the agreement note ("letter 7"); it is read as the letter it is.
            let note = opt_s(n, "agreement_note")?;
            let earlier = note.as_deref().and_then(legacy_letter);
            Notice {
                sent_at: req_ts(n, "sent_at")?,
                recorded_by: StaffId(req_i(n, "recorded_by")?),
                channel: Channel::parse(&req_s(n, "channel")?).map_err(|_| corrupt("channel"))?,
                format: Format::parse(&req_s(n, "format")?).map_err(|_| corrupt("format"))?,
                agreement_sought: opt_b(n, "agreement_sought")?.unwrap_or(false),
                agreement_given: opt_b(n, "agreement_given")?,
                agreement_note: note.filter(|_| earlier.is_none()),
                letter_id: opt_i(n, "letter_id")?.or(earlier),
                policy_enclosed: opt_b(n, "policy_enclosed")?.unwrap_or(false),
                plan_version: opt_i(n, "plan_version")?.unwrap_or(1),
            }
        }),
        _ => None,
    };
    let pending_variation = match v.get("pending_variation") {
        Some(p) if !p.is_null() => Some(PendingVariation {
            restrictions: restrictions(p, "restrictions")?,
            review_due: parse_date(&req_s(p, "review_due")?)?,
            ends_on: opt_s(p, "ends_on")?.map(|d| parse_date(&d)).transpose()?,
            reason: req_s(p, "reason")?,
            by: StaffId(req_i(p, "by")?),
        }),
        _ => None,
    };
    let pending_matters = each(&v, "pending_matters", |m| {
        Ok(PendingMatter {
            matter_id: MatterId(req_i(m, "matter_id")?),
            reason: req_s(m, "reason")?,
            requested_by: StaffId(req_i(m, "requested_by")?),
            requested_at: req_ts(m, "requested_at")?,
            authorised_by: opt_i(m, "authorised_by")?.map(StaffId),
            authorised_at: opt_ts(m, "authorised_at")?,
        })
    })?;
    Ok(Plan {
        id: PlanId(id),
        person_id: PersonId(req_i(&v, "person_id")?),
        version,
        plan_version: opt_i(&v, "plan_version")?.unwrap_or(1),
        status: PlanStatus::parse(status).map_err(|_| corrupt("status"))?,
        matter_ids: id_list(&v, "matter_ids", MatterId)?,
        incident_ids: id_list(&v, "incident_ids", IncidentId)?,
        restrictions: restrictions(&v, "restrictions")?,
        reasons: opt_s(&v, "reasons")?.unwrap_or_default(),
        aims: opt_s(&v, "aims")?.unwrap_or_default(),
        proportionality: opt_s(&v, "proportionality")?.unwrap_or_default(),
        no_warning_reason: opt_s(&v, "no_warning_reason")?,
        checklist,
        created_by: StaffId(req_i(&v, "created_by")?),
        created_at: req_ts(&v, "created_at")?,
        proposed_by: opt_i(&v, "proposed_by")?.map(StaffId),
        proposed_at: opt_ts(&v, "proposed_at")?,
        decided_by: opt_i(&v, "decided_by")?.map(StaffId),
        decided_at: opt_ts(&v, "decided_at")?,
        decision_reason: opt_s(&v, "decision_reason")?,
        overrides: each(&v, "overrides", |o| {
            Ok(AdjustmentOverride {
                adjustment_id: AdjustmentId(req_i(o, "adjustment_id")?),
                by: StaffId(req_i(o, "by")?),
                reason: req_s(o, "reason")?,
            })
        })?,
        notice,
        effective_from: opt_ts(&v, "effective_from")?,
        review_due: parse_date(review_due)?,
        ends_on: ends_on.map(parse_date).transpose()?,
        pending_variation,
        pending_matters,
        lifted_at: opt_ts(&v, "lifted_at")?,
        lift_reason: opt_s(&v, "lift_reason")?,
        participants: id_list(&v, "participants", StaffId)?,
    })
}

pub fn advocate_json(a: &Advocate) -> String {
    json!({"name": a.name, "organisation": a.organisation, "phone": a.phone.as_ref().map(|p| p.as_str()), "email": a.email.as_ref().map(|e| e.as_str())}).to_string()
}

pub fn parse_advocate(s: &str) -> Result<Advocate, StoreError> {
    let v: Value =
        serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("advocate: {e}")))?;
    let bad =
        |k: &str| StoreError::Corrupt(format!("people.advocate.{k}: not what an advocate holds"));
    let text = |k: &str| opt_s(&v, k).map_err(|_| bad(k));
    Ok(Advocate {
        name: text("name")?.unwrap_or_default(),
        organisation: text("organisation")?,
        phone: text("phone")?
            .map(|p| PhoneNumber::lookup(&p).map_err(|_| bad("phone")))
            .transpose()?,
        email: text("email")?
            .map(|e| EmailAddress::parse(&e).map_err(|_| bad("email")))
            .transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(extra: Value) -> String {
        let mut v = json!({"person_id": 1, "created_by": 2, "created_at": 0});
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v.to_string()
    }

    fn read(extra: Value) -> Result<Plan, StoreError> {
        parse_plan(7, 1, "draft", "2027-01-01", None, &body(extra))
    }

    /// Issue 11: a key a later version added may be absent from an older plan (read as
    /// none), but a value of the wrong kind is corrupt, naming the table and key — never
    /// read as 0, "", false or an id dropped from a list.
    #[test]
    fn a_stored_plan_value_of_the_wrong_kind_is_corrupt_naming_it_never_a_default() {
        let p = read(json!({})).unwrap();
        assert_eq!(
            (p.matter_ids.len(), p.reasons.as_str(), p.plan_version),
            (0, "", 1)
        );
        for (extra, key) in [
            (json!({"matter_ids": [1, "x"]}), "matter_ids"),
            (json!({"reasons": 5}), "reasons"),
            (json!({"decided_at": "yesterday"}), "decided_at"),
            (json!({"participants": {"a": 1}}), "participants"),
            (
                json!({"overrides": [{"adjustment_id": 1, "by": 2}]}),
                "reason",
            ),
            (
                json!({"restrictions": [{"kind": "read-and-file", "acknowledge": "yes"}]}),
                "acknowledge",
            ),
            (
                json!({"notice": {"sent_at": 0, "recorded_by": 1, "channel": "letter", "format": "standard", "policy_enclosed": 1}}),
                "policy_enclosed",
            ),
        ] {
            match read(extra.clone()) {
                Err(StoreError::Corrupt(why)) => {
                    assert!(why.starts_with("plans.body."), "{extra}: {why}");
                    assert!(why.contains(key), "{extra}: {why}");
                }
                other => panic!("{extra}: {other:?}"),
            }
        }
        let ok = read(
            json!({"matter_ids": [3], "restrictions": [{"kind": "read-and-file", "reason": "r"}]}),
        )
        .unwrap();
        assert_eq!(ok.matter_ids, vec![MatterId(3)]);
        assert_eq!(
            ok.restrictions[0].rule,
            Rule::ReadAndFile { acknowledge: false }
        );
    }

    /// An advocate's stored number or address that no longer reads is corrupt, not dropped.
    #[test]
    fn a_stored_advocate_that_does_not_read_is_corrupt() {
        let a = parse_advocate(r#"{"name": "Ann", "email": "ann@example.org"}"#).unwrap();
        assert_eq!(a.email.unwrap().as_str(), "ann@example.org");
        for bad in [
            r#"{"name": "Ann", "email": "not an address"}"#,
            r#"{"name": 4}"#,
        ] {
            assert!(
                matches!(parse_advocate(bad), Err(StoreError::Corrupt(why)) if why.starts_with("people.advocate.")),
                "{bad}"
            );
        }
    }
}
