//! The evidence on a decision page (issue 13): the authorise, review and dispute pages are
//! check-your-answers pages, with every fact the decision rests on and a link to it — and
//! the CLE-6.3 patterns as numbers for the decider to weigh, never as a verdict.

use crate::ui::{error_page, Signed};
use crate::ui_forms::capital;
use crate::ui_step::read_if_allowed;
use crate::AppState;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use tact_app::evidence::{Decision, DecisionEvidence};
use tact_app::query as q;
use tact_core::check::{long_date, long_day};
use tact_core::evidence::{Support, RECENT_WEEKS, WEEKS};
use tact_core::ids::PlanId;
use tact_core::profile::cited;
use tact_core::profile::{Answer, Channel};
use tact_mail::letters::escape as esc;

/// One row of a summary list: what, and the answer's lines.
struct Row {
    key: String,
    lines: Vec<String>,
    /// A link to the record, with its visually hidden context.
    link: Option<(String, String)>,
    /// A tag beside the answer ("Shortfall", "Defeated").
    tag: Option<String>,
}

struct Side {
    new: String,
    old: String,
    similarity: String,
}

#[derive(Template)]
#[template(path = "evidence.html")]
struct Evidence {
    proposal: Vec<Row>,
    incidents: Vec<Row>,
    warnings: Vec<Row>,
    checklist_clause: String,
    checklist: Vec<Row>,
    chart: String,
    /// Week, then each channel's count, then the total.
    weeks: Vec<(String, Vec<u32>, u32)>,
    channels: Vec<String>,
    rates: Vec<String>,
    patterns: Vec<Row>,
    rewordings: Vec<Side>,
    adjustments: Vec<Row>,
    letter: Option<(String, crate::ui_letters::Shown)>,
    letter_heading: &'static str,
    letter_note: &'static str,
    large: bool,
}

const COLOURS: [&str; 5] = ["#1d70b8", "#00703c", "#f47738", "#4c2c92", "#28a197"];

/// The person's weekly contact as stacked bars by channel, with the office's usual for
/// one person as a dashed line; its label says every figure, for screen readers.
fn chart(s: &Support) -> String {
    let (left, top, w, h) = (40.0, 10.0, 560.0, 180.0);
    let max_total = s.weeks.iter().map(|w| w.total()).max().unwrap_or(0);
    let max = (f64::from(max_total).max(s.office_total_per_week).ceil()).max(1.0);
    let slot = w / s.weeks.len().max(1) as f64;
    let y = |v: f64| top + h - v / max * h;
    let said: Vec<String> = s
        .weeks
        .iter()
        .map(|wk| format!("week of {}: {}", long_date(wk.starts), wk.total()))
        .collect();
    let mut svg = format!(
        "<svg class=\"tact-chart\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {} {}\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\">",
        esc(&format!(
            "Their contacts a week, last {WEEKS} weeks: {}. The office's usual for anyone else in contact: {:.1} a week.",
            said.join("; "),
            s.office_total_per_week
        )),
        left + w + 10.0,
        top + h + 40.0
    );
    // The axis and its top figure.
    svg.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#0b0c0c\"/><text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\" fill=\"#0b0c0c\">{max}</text><text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\" fill=\"#0b0c0c\">0</text>",
        top + h,
        left + w,
        top + h,
        left - 4.0,
        top + 10.0,
        left - 4.0,
        top + h
    ));
    for (i, wk) in s.weeks.iter().enumerate() {
        let x = left + i as f64 * slot + slot * 0.15;
        let mut base = 0.0;
        for (c, n) in wk.by_channel.iter().enumerate() {
            if *n == 0 {
                continue;
            }
            let top_v = base + f64::from(*n);
            svg.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"/>",
                y(top_v),
                slot * 0.7,
                y(base) - y(top_v),
                COLOURS[c]
            ));
            base = top_v;
        }
        if i % 2 == 0 || i + 1 == s.weeks.len() {
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#0b0c0c\">{}</text>",
                x + slot * 0.35,
                top + h + 16.0,
                wk.starts.strftime("%-d %b")
            ));
        }
    }
    let usual = y(s.office_total_per_week);
    svg.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{usual:.1}\" x2=\"{}\" y2=\"{usual:.1}\" stroke=\"#0b0c0c\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>",
        left + w
    ));
    svg.push_str("</svg>");
    svg
}

fn per_week(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 {
        format!("{x:.0} a week")
    } else {
        format!("{x:.1} a week")
    }
}

/// The evidence for a decision on `plan`, as HTML for the decision page; `None` when the
/// asker may not read it (the form still shows, and its step is checked when they act).
/// Evidence that cannot be read or shown is the error page: a decision form without it
/// would look as if there were none.
///
/// `decision` chooses the letter shown: the notice to authorise; to review or hear a
/// dispute, the outcome letter as it reads if the plan is kept, the reasons still to come.
pub(crate) async fn evidence(
    state: &AppState,
    signed: &Signed,
    plan: PlanId,
    decision: Decision,
) -> Result<Option<String>, Response> {
    Ok(evidence_with(state, signed, plan, decision)
        .await?
        .map(|(html, _)| html))
}

/// [`evidence`], with the evidence itself for a form that asks more of it (the adjustments a
/// decision must override).
pub(crate) async fn evidence_with(
    state: &AppState,
    signed: &Signed,
    plan: PlanId,
    decision: Decision,
) -> Result<Option<(String, DecisionEvidence)>, Response> {
    let asked = q::DecisionEvidence { plan, decision };
    let Some(e): Option<DecisionEvidence> = read_if_allowed(state, signed, asked).await? else {
        return Ok(None);
    };
    match shown(state, &e, decision) {
        Ok(html) => Ok(Some((html, e))),
        Err(err) => {
            tracing::error!(error = %err, "the evidence panel failed");
            Err(error_page(
                state,
                Some(signed),
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sorry, there is a problem with the service",
                "The evidence for this decision could not be shown.",
            ))
        }
    }
}

/// The evidence as the decision form shows it.
fn shown(state: &AppState, e: &DecisionEvidence, decision: Decision) -> askama::Result<String> {
    let p = &state.app.profile;
    let matter = |id| crate::ui::matter_named(&e.matters, id);
    let mut proposal = Vec::new();
    if let Some((who, at)) = &e.proposed {
        proposal.push(Row {
            key: "Proposed by".into(),
            lines: vec![format!("{who}, {}", long_day(*at))],
            link: None,
            tag: None,
        });
    }
    proposal.push(Row {
        key: "About".into(),
        lines: e.plan.matter_ids.iter().map(|m| matter(*m)).collect(),
        link: Some((format!("/people/{}", e.person.id), "their record".into())),
        tag: None,
    });
    let incidents = e
        .incidents
        .iter()
        .map(|(i, category, staff)| Row {
            key: long_day(i.occurred_at),
            lines: vec![
                category.clone(),
                i.description.clone(),
                format!(
                    "With {staff}{}",
                    if i.ended_call.is_some() {
                        "; the call was ended"
                    } else {
                        ""
                    }
                ),
            ],
            link: None,
            tag: None,
        })
        .collect();
    let mut warnings: Vec<Row> = e
        .warnings
        .iter()
        .map(|(w, by)| Row {
            key: format!("{} {}", long_day(w.given_at), w.channel.by()),
            lines: vec![
                format!("What is wrong: {}", w.what_is_wrong),
                format!("How to change: {}", w.how_to_change),
                format!("If it goes on: {}", w.consequence),
                format!("Given by {by}"),
            ],
            link: None,
            tag: None,
        })
        .collect();
    if let Some(r) = &e.plan.no_warning_reason {
        warnings.push(Row {
            key: "No warning first".into(),
            lines: vec![format!("Why: {r}")],
            link: None,
            tag: Some("No warning".into()),
        });
    }
    let checklist = e
        .checklist
        .iter()
        .map(|c| {
            let mut lines = vec![match c.answer {
                Some(Answer::Yes) => "Yes".to_string(),
                Some(Answer::No) => "No".to_string(),
                Some(Answer::NotApplicable) => "Not applicable".to_string(),
                None => "Not answered".to_string(),
            }];
            if !c.reason.is_empty() {
                lines.push(c.reason.clone());
            }
            let mut link = None;
            if let Some((id, title, done)) = &c.remedy {
                lines.push(format!(
                    "To put it right: {title} ({})",
                    if *done { "done" } else { "not done yet" }
                ));
                link = Some((format!("/tasks/{id}"), format!("task {id}")));
            }
            if let Some(r) = &c.cannot_remedy {
                lines.push(format!("Cannot be put right because: {r}"));
            }
            Row {
                key: c.question.clone(),
                lines,
                link,
                tag: c.shortfall.then(|| "Shortfall".to_string()),
            }
        })
        .collect();
    let s = &e.support;
    let mut rates = vec![format!(
        "In the last {RECENT_WEEKS} weeks: {}.",
        per_week(s.recent_per_week)
    )];
    rates.push(match s.earlier_per_week {
        Some(x) => format!(
            "Before that, since they were first in contact: {}.",
            per_week(x)
        ),
        None => "Before that: no contact on record.".to_string(),
    });
    rates.push(format!(
        "The office's usual for anyone else in contact: {}.",
        per_week(s.office_total_per_week)
    ));
    let mut patterns = vec![Row {
        key: "Different staff reached, last 90 days".into(),
        lines: if s.staff_reached.is_empty() {
            vec!["None".into()]
        } else {
            std::iter::once(format!("{} different staff", s.staff_reached.len()))
                .chain(s.staff_reached.iter().map(|(id, n)| {
                    format!(
                        "{}: {n} contact{}",
                        e.staff_names.get(id).cloned().unwrap_or_default(),
                        if *n == 1 { "" } else { "s" }
                    )
                }))
                .collect()
        },
        link: None,
        tag: None,
    }];
    patterns.push(Row {
        key: format!(
            "Days with {} calls or more, or {} minutes on the phone",
            tact_core::evidence::BUSY_DAY_CALLS,
            tact_core::evidence::LONG_DAY_MINUTES
        ),
        lines: if s.busy_days.is_empty() {
            vec!["None".into()]
        } else {
            s.busy_days
                .iter()
                .map(|(d, n, minutes)| {
                    let calls = if *n == 1 {
                        "1 call".to_string()
                    } else {
                        format!("{n} calls")
                    };
                    if *minutes > 0 {
                        format!("{}: {calls}, {minutes} minutes in all", long_date(*d))
                    } else {
                        format!("{}: {calls}", long_date(*d))
                    }
                })
                .collect()
        },
        link: None,
        tag: None,
    });
    let rewordings = s
        .rewordings
        .iter()
        .map(|r| Side {
            new: format!("{}: {}", matter(r.new), r.new_text),
            old: format!("{}: {}", matter(r.old), r.old_text),
            similarity: format!("{:.0}%", r.similarity * 100.0),
        })
        .collect();
    let adjustments = e
        .adjustments
        .iter()
        .map(|a| Row {
            key: capital(&a.adjustment.description),
            lines: vec![a.effect.clone()],
            link: None,
            tag: a.defeated.then(|| "Affected".to_string()),
        })
        .collect();
    let page = Evidence {
        proposal,
        incidents,
        warnings,
        checklist_clause: cited(&p.checklist.clause).to_string(),
        checklist,
        chart: chart(s),
        weeks: s
            .weeks
            .iter()
            .map(|w| (long_date(w.starts), w.by_channel.to_vec(), w.total()))
            .collect(),
        channels: Channel::ALL.iter().map(|c| capital(c.plain())).collect(),
        rates,
        patterns,
        rewordings,
        adjustments,
        letter: e
            .letter
            .as_ref()
            .map(|(subject, text)| (subject.clone(), crate::ui_letters::shown(text))),
        letter_heading: if decision == Decision::Authorise {
            "The letter they will receive"
        } else {
            "The letter they will receive if you keep it"
        },
        letter_note: if decision == Decision::Authorise {
            ""
        } else {
            "If you change or end it instead, the letter says so. Your reasons go where shown."
        },
        large: matches!(
            e.person.preferred_format,
            tact_core::model::Format::LargePrint | tact_core::model::Format::EasyRead
        ),
    };
    page.render()
}
