//! The restriction builder on the plan and change forms: one checkbox for each restriction
//! the loaded profile allows, each revealing the details that restriction needs (GOV.UK
//! conditional reveal; with JavaScript off every detail is simply shown). Field names are
//! `{kind}__{detail}`, so a refusal about `call-window.windows` lands on its own box.

use crate::ui_forms::{choice, val as get, Field};
use std::collections::HashMap;
use tact_core::identity::{EmailAddress, Identifier};
use tact_core::ids::{MatterId, StaffId};
use tact_core::model::{CallWindow, Matter, NoReopeningGrounds, Restriction, Rule, Staff};
use tact_core::profile::cited;
use tact_core::profile::{Profile, RestrictionKind};
use tact_core::RuleError;

fn name(kind: RestrictionKind, detail: &str) -> String {
    format!("{}__{detail}", kind.as_str())
}

/// The checkbox for `kind`, with the details it reveals.
fn details(p: &Profile, kind: RestrictionKind, matters: &[Matter], staff: &[Staff]) -> Vec<Field> {
    let n = |d: &str| name(kind, d);
    let matter_options = || {
        matters
            .iter()
            .map(crate::ui::matter_option)
            .collect::<Vec<_>>()
    };
    let mut out = match kind {
        RestrictionKind::CallWindow => vec![
            Field::new("textarea", &n("windows"), "When they may call")
                .hint("One time a line, for example: Tuesday 10:00-12:00"),
            Field::new(
                "text",
                &n("max_minutes"),
                "Longest call, in minutes (optional)",
            )
            .width(3),
            Field::new(
                "text",
                &n("max_calls_per_window"),
                "Most calls in each of those times (optional)",
            )
            .width(3),
        ],
        RestrictionKind::SingleChannel => vec![Field::new(
            "select",
            &n("channel"),
            "The one way they may contact the office",
        )
        .options(
            p.catalogue(kind)
                .map(|e| e.allowed_channels.clone())
                .unwrap_or_default()
                .iter()
                .map(|c| (c.as_str().to_string(), tact_core::check::capital(c.plain()))),
        )],
        RestrictionKind::SinglePointOfContact => {
            vec![
                Field::new("select", &n("staff_id"), "Their single point of contact").options(
                    // Nobody until someone is chosen (the list's first name is not a choice
                    // made), then only whom core lets be named: in post, dealing with contact.
                    crate::ui_forms::to_choose(
                        "Choose a member of staff",
                        staff
                            .iter()
                            .filter(|s| tact_core::roles::may_be_single_point_of_contact(p, s))
                            .map(|s| {
                                (
                                    s.id.0.to_string(),
                                    format!("{} ({})", s.name, s.role.plain()),
                                )
                            }),
                    ),
                ),
            ]
        }
        RestrictionKind::DedicatedMailbox => vec![Field::new(
            "text",
            &n("address"),
            "The dedicated email address their emails go to",
        )],
        RestrictionKind::BlockedIdentifier => vec![
            Field::new(
                "textarea",
                &n("identifier"),
                "Phone numbers or email addresses to block",
            )
            .hint("One a line. Anything they send from these is kept and screened, not answered."),
            acknowledge(&n("acknowledge")),
        ],
        RestrictionKind::NoReopening => vec![
            Field::new("select", &n("matter_id"), "The closed matter").options(matter_options()),
            Field::new(
                "checkbox",
                &n("same_matter"),
                "They are asking again about the same matter",
            ),
            Field::new(
                "checkbox",
                &n("no_new_substantive_evidence"),
                "They have given no new evidence of substance",
            ),
            Field::new(
                "checkbox",
                &n("properly_handled"),
                "The matter was handled properly",
            ),
            Field::new("textarea", &n("note"), "What shows this"),
        ],
        RestrictionKind::NoRepeatComplaints => vec![Field::new(
            "select",
            &n("matter_id"),
            "The matter they may not complain about again",
        )
        .options(matter_options())],
        RestrictionKind::Other => vec![Field::new(
            "textarea",
            &n("description"),
            "What the restriction is",
        )],
        RestrictionKind::ReadAndFile => vec![acknowledge(&n("acknowledge"))],
        RestrictionKind::RecordedCalls | RestrictionKind::AdvocateOnly => Vec::new(),
    };
    out.push(Field::new("textarea", &n("reason"), "Why this restriction"));
    out
}

/// "Acknowledge it": blocked and read-and-file mail is acknowledged only where the plan
/// says so.
fn acknowledge(name: &str) -> Field {
    Field::new(
        "checkbox",
        name,
        "Send an acknowledgement for each email that arrives (otherwise nothing is sent)",
    )
}

/// The builder's fields: a heading and one revealing checkbox per restriction in the profile.
pub fn fields(p: &Profile, matters: &[Matter], staff: &[Staff]) -> Vec<Field> {
    let mut out = vec![Field::new("heading", "restrictions", "The restrictions")
        .hint("Choose each restriction the plan sets, and fill in what it needs.")];
    for r in &p.restrictions {
        let mut f = Field::new(
            "reveal",
            &name(r.kind, "use"),
            &format!("{} ({})", r.name, cited(&r.clause)),
        )
        .hint(&r.text);
        f.children = details(p, r.kind, matters, staff);
        out.push(f);
    }
    out
}

/// A call window's limit from its box: core's rule, as the API's (CLE-9.9; NOR-5.5).
fn call_limit(form: &HashMap<String, String>, k: &str) -> Result<Option<u32>, RuleError> {
    tact_core::model::call_limit_typed(k, get(form, k))
}

/// The restrictions the builder's form names, checked as the API checks them.
///
/// # Errors
/// A refusal naming the builder field that is wrong.
pub fn parse(p: &Profile, form: &HashMap<String, String>) -> Result<Vec<Restriction>, RuleError> {
    let mut out = Vec::new();
    for entry in &p.restrictions {
        let kind = entry.kind;
        let n = |d: &str| name(kind, d);
        if get(form, &n("use")).is_empty() {
            continue;
        }
        let reason = get(form, &n("reason"));
        let flag = |d: &str| !get(form, &n(d)).is_empty();
        let mut rules = Vec::new();
        match kind {
            RestrictionKind::CallWindow => {
                let mut windows = Vec::new();
                for (i, line) in get(form, &n("windows"))
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .enumerate()
                {
                    windows.push(CallWindow::read(line).map_err(|why| {
                        RuleError::invalid(&n("windows"), format!("line {}: {why}", i + 1))
                    })?);
                }
                rules.push(Rule::CallWindow {
                    windows,
                    max_minutes: call_limit(form, &n("max_minutes"))?,
                    max_calls_per_window: call_limit(form, &n("max_calls_per_window"))?,
                });
            }
            RestrictionKind::SingleChannel => rules.push(Rule::SingleChannel {
                channel: tact_core::profile::Channel::parse(get(form, &n("channel")))
                    .map_err(|e| e.with_field(&n("channel")))?,
            }),
            RestrictionKind::SinglePointOfContact => rules.push(Rule::SinglePointOfContact {
                staff_id: choice(form, &n("staff_id"), StaffId, "choose the member of staff")?,
            }),
            RestrictionKind::DedicatedMailbox => rules.push(Rule::DedicatedMailbox {
                address: EmailAddress::parse(get(form, &n("address")))
                    .map_err(|e| e.with_field(&n("address")))?,
            }),
            RestrictionKind::BlockedIdentifier => {
                for line in get(form, &n("identifier")).lines().map(str::trim) {
                    if !line.is_empty() {
                        rules.push(Rule::BlockedIdentifier {
                            identifier: Identifier::parse(line)
                                .map_err(|e| e.with_field(&n("identifier")))?,
                            acknowledge: flag("acknowledge"),
                        });
                    }
                }
                if rules.is_empty() {
                    return Err(RuleError::invalid(
                        &n("identifier"),
                        "enter at least one phone number or email address to block",
                    ));
                }
            }
            RestrictionKind::NoReopening => rules.push(Rule::NoReopening {
                matter_id: choice(form, &n("matter_id"), MatterId, "choose the matter")?,
                grounds: NoReopeningGrounds {
                    same_matter: flag("same_matter"),
                    no_new_substantive_evidence: flag("no_new_substantive_evidence"),
                    properly_handled: flag("properly_handled"),
                    note: get(form, &n("note")).to_string(),
                },
            }),
            RestrictionKind::NoRepeatComplaints => rules.push(Rule::NoRepeatComplaints {
                matter_id: choice(form, &n("matter_id"), MatterId, "choose the matter")?,
            }),
            RestrictionKind::Other => rules.push(Rule::Other {
                description: get(form, &n("description")).to_string(),
            }),
            RestrictionKind::ReadAndFile => rules.push(Rule::ReadAndFile {
                acknowledge: flag("acknowledge"),
            }),
            RestrictionKind::RecordedCalls => rules.push(Rule::RecordedCalls),
            RestrictionKind::AdvocateOnly => rules.push(Rule::AdvocateOnly),
        }
        out.extend(rules.into_iter().map(|rule| Restriction {
            rule,
            reason: reason.to_string(),
        }));
    }
    if out.is_empty() {
        // Core's refusal, on the form's first box.
        let first = p
            .restrictions
            .first()
            .map_or(RestrictionKind::Other, |r| r.kind);
        return Err(tact_core::workflow::no_restriction(p).with_field(&name(first, "use")));
    }
    Ok(out)
}

/// The builder's boxes for a refusal core names on restriction `r` (`part` the field within
/// it, as `restrictions[i].part`; empty for the whole restriction): the box of that detail,
/// then the restriction's own checkbox. A number blocked twice is on the numbers' box.
pub fn boxes_for(r: &Restriction, part: &str) -> Vec<String> {
    let kind = r.rule.kind();
    let detail = match part.split(['.', '[']).next().unwrap_or(part) {
        "" if kind == RestrictionKind::BlockedIdentifier => "identifier",
        "grounds" if part.ends_with(".note") => "note",
        "grounds" => "same_matter",
        d => d,
    };
    vec![name(kind, detail), name(kind, "use")]
}

/// The builder's values for restrictions already in a plan, to change them.
pub fn prefill(restrictions: &[Restriction]) -> HashMap<String, String> {
    let mut v = HashMap::new();
    let mut blocked = Vec::new();
    for r in restrictions {
        let kind = r.rule.kind();
        let n = |d: &str| name(kind, d);
        v.insert(n("use"), "yes".to_string());
        v.insert(n("reason"), r.reason.clone());
        match &r.rule {
            Rule::CallWindow {
                windows,
                max_minutes,
                max_calls_per_window,
            } => {
                let lines: Vec<String> = windows
                    .iter()
                    .map(|w| {
                        let d = format!("{:?}", w.weekday);
                        format!(
                            "{} {}-{}",
                            d,
                            w.start.strftime("%H:%M"),
                            w.end.strftime("%H:%M")
                        )
                    })
                    .collect();
                v.insert(n("windows"), lines.join("\n"));
                if let Some(m) = max_minutes {
                    v.insert(n("max_minutes"), m.to_string());
                }
                if let Some(m) = max_calls_per_window {
                    v.insert(n("max_calls_per_window"), m.to_string());
                }
            }
            Rule::SingleChannel { channel } => {
                v.insert(n("channel"), channel.as_str().to_string());
            }
            Rule::SinglePointOfContact { staff_id } => {
                v.insert(n("staff_id"), staff_id.0.to_string());
            }
            Rule::DedicatedMailbox { address } => {
                v.insert(n("address"), address.as_str().to_string());
            }
            Rule::BlockedIdentifier {
                identifier,
                acknowledge,
            } => {
                blocked.push(identifier.key().to_string());
                if *acknowledge {
                    v.insert(n("acknowledge"), "yes".to_string());
                }
            }
            Rule::ReadAndFile { acknowledge } => {
                if *acknowledge {
                    v.insert(n("acknowledge"), "yes".to_string());
                }
            }
            Rule::NoReopening { matter_id, grounds } => {
                v.insert(n("matter_id"), matter_id.0.to_string());
                let NoReopeningGrounds {
                    same_matter,
                    no_new_substantive_evidence,
                    properly_handled,
                    note,
                } = grounds;
                for (k, on) in [
                    ("same_matter", same_matter),
                    ("no_new_substantive_evidence", no_new_substantive_evidence),
                    ("properly_handled", properly_handled),
                ] {
                    if *on {
                        v.insert(n(k), "yes".to_string());
                    }
                }
                v.insert(n("note"), note.clone());
            }
            Rule::NoRepeatComplaints { matter_id } => {
                v.insert(n("matter_id"), matter_id.0.to_string());
            }
            Rule::Other { description } => {
                v.insert(n("description"), description.clone());
            }
            Rule::RecordedCalls | Rule::AdvocateOnly => {}
        }
    }
    if !blocked.is_empty() {
        v.insert(
            name(RestrictionKind::BlockedIdentifier, "identifier"),
            blocked.join("\n"),
        );
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use tact_core::ids::MatterId;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn several_restrictions_with_their_details_cle_9_9() {
        let p = Profile::built_in("cleveland-opcc").expect("profile");
        let f = form(&[
            ("call-window__use", "yes"),
            (
                "call-window__windows",
                "Tuesday 10:00-12:00\nthu 9:30 to 11:00",
            ),
            ("call-window__max_calls_per_window", "1"),
            ("call-window__reason", "long calls"),
            ("blocked-identifier__use", "yes"),
            (
                "blocked-identifier__identifier",
                "a@example.org\n\n07700 900123",
            ),
            ("blocked-identifier__reason", "abusive emails"),
            ("no-reopening__use", "yes"),
            ("no-reopening__matter_id", "4"),
            ("no-reopening__same_matter", "yes"),
            ("no-reopening__note", "closed in March"),
            ("no-reopening__reason", "asked 12 times"),
        ]);
        let r = parse(&p, &f).expect("parses");
        assert_eq!(r.len(), 4, "{r:?}");
        match &r[0].rule {
            Rule::CallWindow {
                windows,
                max_calls_per_window,
                ..
            } => {
                assert_eq!(windows.len(), 2);
                assert_eq!(windows[1].start.strftime("%H:%M").to_string(), "09:30");
                assert_eq!(*max_calls_per_window, Some(1));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(r[1].rule, Rule::BlockedIdentifier { .. }));
        assert!(matches!(r[2].rule, Rule::BlockedIdentifier { .. }));
        match &r[3].rule {
            Rule::NoReopening { matter_id, grounds } => {
                assert_eq!(*matter_id, MatterId(4));
                assert!(grounds.same_matter && !grounds.properly_handled);
            }
            other => panic!("{other:?}"),
        }
        // What is parsed, prefilled and parsed again is the same plan.
        assert_eq!(parse(&p, &prefill(&r)).expect("round trip"), r);
    }

    #[test]
    fn a_bad_call_time_names_its_box_and_line() {
        let p = Profile::built_in("cleveland-opcc").expect("profile");
        let e = parse(
            &p,
            &form(&[
                ("call-window__use", "yes"),
                ("call-window__windows", "Tuesday 10:00-12:00\nsometime"),
            ]),
        )
        .expect_err("refused");
        assert_eq!(e.field.as_deref(), Some("call-window__windows"));
        assert!(e.message.contains("line 2"), "{}", e.message);
        let e = parse(&p, &form(&[])).expect_err("nothing chosen");
        assert!(e.message.contains("at least one"));
    }

    #[test]
    fn nor_5_5_read_and_file_and_blocked_addresses_say_whether_to_acknowledge() {
        let p = Profile::built_in("northamptonshire-opfcc").expect("profile");
        let f = form(&[
            ("read-and-file__use", "yes"),
            ("read-and-file__acknowledge", "yes"),
            ("read-and-file__reason", "forty emails a day"),
            ("blocked-identifier__use", "yes"),
            ("blocked-identifier__identifier", "a@example.org"),
            ("blocked-identifier__reason", "abusive emails"),
        ]);
        let r = parse(&p, &f).expect("parses");
        let acks: Vec<(RestrictionKind, bool)> = r
            .iter()
            .map(|x| (x.rule.kind(), x.rule.acknowledges()))
            .collect();
        assert!(
            acks.contains(&(RestrictionKind::ReadAndFile, true)),
            "{acks:?}"
        );
        assert!(
            acks.contains(&(RestrictionKind::BlockedIdentifier, false)),
            "{acks:?}"
        );
        assert_eq!(parse(&p, &prefill(&r)).expect("round trip"), r);
        // The builder offers the choice under both restrictions.
        let fields = fields(&p, &[], &[]);
        for kind in ["read-and-file", "blocked-identifier"] {
            let f = fields
                .iter()
                .find(|f| f.name == format!("{kind}__use"))
                .expect(kind);
            assert!(
                f.children
                    .iter()
                    .any(|c| c.name == format!("{kind}__acknowledge") && c.kind == "checkbox"),
                "{kind}"
            );
        }
    }
}
