//! The governance report in the staff UI (issue 5): a page for a quarter or any period,
//! with its figures in tables and as bar charts (SVG, each with the same figures as text),
//! and the same figures as CSV.

use crate::ui::or_page;
use crate::ui::Frame;
use crate::ui::PageQuery;
use crate::ui::{refusal, render, Signed};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tact_app::query as q;
use tact_core::governance::{Period, Report};
use tact_mail::letters::escape as esc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/governance", get(page))
        .route("/governance.csv", get(csv))
        .route("/equality", get(equality_page))
        .route("/equality.csv", get(equality_csv))
        .route("/export", get(export_page))
        .route("/export/{file}", get(export_csv))
}

#[derive(Template)]
#[template(path = "export.html")]
struct ExportPage<'a> {
    frame: Frame<'a>,
    /// File name, and what it holds.
    files: Vec<(String, String)>,
}

/// Records as CSV for the office's own reporting (issue 14).
async fn export_page(State(state): State<AppState>, signed: Signed) -> Response {
    if let Some(r) = crate::ui_forms::forbidden::<tact_core::command::read::Export>(&state, &signed)
    {
        return r;
    }
    let plans = &state.app.profile.terms.plan_plural;
    render(&ExportPage {
        frame: Frame::of(&state, &signed),
        files: tact_app::export::ExportKind::ALL
            .iter()
            .map(|k| {
                let what = match k {
                    tact_app::export::ExportKind::People => {
                        "Service users: reference, name, numbers, addresses, preferred format"
                            .to_string()
                    }
                    tact_app::export::ExportKind::Matters => {
                        "Matters: reference, person, kind, title, status and dates".to_string()
                    }
                    tact_app::export::ExportKind::Contacts => {
                        "Contacts: when, how, which way, about what, whether a breach, how long"
                            .to_string()
                    }
                    tact_app::export::ExportKind::Plans => format!(
                        "{}: status, restrictions, reasons, in force from, review and end dates",
                        crate::ui_forms::capital(plans)
                    ),
                    tact_app::export::ExportKind::Incidents => {
                        "Incidents: when, category, what happened, whether the call was ended"
                            .to_string()
                    }
                };
                (format!("{}.csv", k.as_str()), what)
            })
            .collect(),
    })
}

async fn export_csv(
    State(state): State<AppState>,
    signed: Signed,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Response {
    let kind = match file
        .strip_suffix(".csv")
        .ok_or_else(|| tact_core::RuleError::not_found("kind", format!("no export {file:?}")))
        .and_then(tact_app::export::ExportKind::named)
    {
        Ok(k) => k,
        Err(e) => return refusal(&state, &signed, e.into()),
    };
    match state.app.query(&signed.actor, q::Export { kind }).await {
        Ok(bytes) => csv_download(kind, bytes),
        Err(e) => refusal(&state, &signed, e),
    }
}

/// Records of `kind` as the CSV file a browser saves, for the page and the API alike.
pub(crate) fn csv_download(kind: tact_app::export::ExportKind, bytes: Vec<u8>) -> Response {
    crate::ui_mail::download(&kind.file_name(), "text/csv; charset=utf-8", bytes)
}

/// One characteristic's answers, counts suppressed as core says.
struct EqualitySection {
    heading: String,
    /// Answer, then service users, warned, restricted, given adjustments.
    rows: Vec<(String, [String; 4])>,
}

#[derive(Template)]
#[template(path = "equality.html")]
struct EqualityPage<'a> {
    frame: Frame<'a>,
    clause: String,
    below: u64,
    monitored: String,
    eq_sections: Vec<EqualitySection>,
}

/// The equality report's tables, counts suppressed as core says: who answered, and a
/// table for each characteristic.
fn equality_tables(report: &tact_core::equality::Report) -> (String, Vec<EqualitySection>) {
    use tact_core::equality::{shown, Characteristic};
    let sections = Characteristic::ALL
        .iter()
        .map(|c| EqualitySection {
            heading: c.name().to_string(),
            rows: report
                .rows
                .iter()
                .filter(|r| r.characteristic == *c)
                .map(|r| {
                    (
                        r.words.to_string(),
                        [
                            shown(r.all),
                            shown(r.warned),
                            shown(r.restricted),
                            shown(r.adjusted),
                        ],
                    )
                })
                .collect(),
        })
        .collect();
    (shown(report.monitored), sections)
}

/// The equality monitoring report (issue 13): for the DPO and the head of standards only,
/// counts only, small numbers suppressed.
async fn equality_page(State(state): State<AppState>, signed: Signed) -> Response {
    let report = or_page!(crate::ui_step::read(&state, &signed, q::EqualityReport {}).await);
    let (monitored, eq_sections) = equality_tables(&report);
    render(&EqualityPage {
        frame: Frame::of(&state, &signed),
        clause: tact_core::profile::cited(&state.app.profile.clauses.equality_monitoring)
            .to_string(),
        below: tact_core::equality::SUPPRESS_BELOW,
        monitored,
        eq_sections,
    })
}

async fn equality_csv(State(state): State<AppState>, signed: Signed) -> Response {
    match state.app.query(&signed.actor, q::EqualityReport {}).await {
        Ok(report) => (
            [
                (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    CONTENT_DISPOSITION,
                    "attachment; filename=\"equality-monitoring.csv\"".to_string(),
                ),
            ],
            tact_core::equality::csv(&report),
        )
            .into_response(),
        Err(e) => refusal(&state, &signed, e),
    }
}

/// The period asked for: each end as one day (`from=2026-10-01`, as links and the CSV give
/// it) or as the page's GOV.UK date input's three boxes (`from-day`, `-month`, `-year`).
#[derive(serde::Deserialize, Default, Clone)]
struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
    #[serde(rename = "from-day")]
    from_day: Option<String>,
    #[serde(rename = "from-month")]
    from_month: Option<String>,
    #[serde(rename = "from-year")]
    from_year: Option<String>,
    #[serde(rename = "to-day")]
    to_day: Option<String>,
    #[serde(rename = "to-month")]
    to_month: Option<String>,
    #[serde(rename = "to-year")]
    to_year: Option<String>,
}

impl PeriodQuery {
    /// One end of the period as one value: its three boxes where any was filled in, else the
    /// day given whole.
    fn end(whole: &Option<String>, boxes: [&Option<String>; 3], name: &str) -> Option<String> {
        if boxes
            .iter()
            .all(|b| b.as_deref().is_none_or(|v| v.trim().is_empty()))
        {
            return whole.clone();
        }
        let mut form = std::collections::HashMap::new();
        for (part, v) in ["day", "month", "year"].into_iter().zip(boxes) {
            form.insert(format!("{name}-{part}"), v.clone().unwrap_or_default());
        }
        crate::ui::with_dates(form).remove(name)
    }
}

/// The period asked for, or this quarter.
fn period(state: &AppState, q: &PeriodQuery) -> Result<Period, tact_core::RuleError> {
    let day =
        |k: &str, v: &Option<String>| -> Result<Option<jiff::civil::Date>, tact_core::RuleError> {
            match v.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(s) => s.parse().map(Some).map_err(|_| {
                    tact_core::RuleError::invalid(
                        k,
                        format!(
                            "enter a real day for \u{201c}{}\u{201d}, such as 1 10 2026",
                            if k == "from" { "From" } else { "To" }
                        ),
                    )
                }),
            }
        };
    let from = PeriodQuery::end(&q.from, [&q.from_day, &q.from_month, &q.from_year], "from");
    let to = PeriodQuery::end(&q.to, [&q.to_day, &q.to_month, &q.to_year], "to");
    Period::asked(
        day("from", &from)?,
        day("to", &to)?,
        tact_core::check::uk_date(state.app.now()),
    )
}

/// A horizontal bar chart as SVG: its label says every figure, for screen readers. Each
/// bar's words stand on their own line above it, the chart's full width, so a long category
/// and stage ("Violent, threatening or abusive behaviour — active") is never cut off.
fn bars(title: &str, rows: &[(String, u64)]) -> String {
    // Nothing to draw where every figure is 0: the table says so.
    let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0);
    if max == 0 {
        return String::new();
    }
    // The words, the bar under them, and a gap before the next.
    let (bar_w, words_h, bar_h, gap) = (560.0, 22.0, 20.0, 12.0);
    let row_h = words_h + bar_h + gap;
    let height = row_h * rows.len() as f64;
    let said: Vec<String> = rows.iter().map(|(l, n)| format!("{l}: {n}")).collect();
    let mut svg = format!(
        "<svg class=\"tact-chart tact-chart--bars\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {} {height}\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\">",
        esc(&format!("{title}. {}", said.join("; "))),
        bar_w + 60.0
    );
    for (i, (label, n)) in rows.iter().enumerate() {
        let y = i as f64 * row_h;
        let w = (*n as f64 / max as f64) * bar_w;
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"16\" fill=\"#0b0c0c\">{}</text><rect x=\"0\" y=\"{}\" width=\"{w:.1}\" height=\"{bar_h}\" fill=\"#1d70b8\"/><text x=\"{}\" y=\"{}\" font-size=\"16\" fill=\"#0b0c0c\">{n}</text>",
            y + 16.0,
            esc(label),
            y + words_h,
            w + 6.0,
            y + words_h + 15.0,
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// One section of the page: a heading, its figures, and a chart of them.
struct Section {
    heading: String,
    rows: Vec<(String, u64)>,
    chart: String,
}

fn sections(r: &Report, profile: &tact_core::profile::Profile) -> Vec<Section> {
    // A category by the name the profile gives it; one it no longer has, by its id.
    let named = |c: &str| {
        profile
            .category(c)
            .map_or_else(|| c.to_string(), |k| k.name.clone())
    };
    let make = |heading: &str, rows: Vec<(String, u64)>| Section {
        chart: bars(heading, &rows),
        heading: heading.to_string(),
        rows,
    };
    vec![
        make(
            "Plans started, by category and stage",
            r.started
                .iter()
                .map(|((c, s), n)| (format!("{} — {}", named(c), s.replace('-', " ")), *n))
                .collect(),
        ),
        make(
            "Plans in force at the end, by category",
            r.in_force_at_end
                .iter()
                .map(|(c, n)| (named(c), *n))
                .collect(),
        ),
        make(
            "Reviews",
            vec![
                ("Done on time".into(), r.reviews_on_time),
                ("Done late".into(), r.reviews_late),
                ("Done, timing not recorded".into(), r.reviews_unknown),
                ("Overdue at the end".into(), r.reviews_overdue_at_end),
            ],
        ),
        make("Breaches", vec![("Recorded".into(), r.breaches)]),
        make(
            "Disputes",
            std::iter::once(("Raised".to_string(), r.disputes_raised))
                .chain(
                    r.dispute_outcomes
                        .iter()
                        .map(|(o, n)| (format!("Decided: {o}"), *n)),
                )
                .collect(),
        ),
        make(
            "Reasonable adjustments",
            vec![
                ("Asked for".into(), r.adjustments_requested),
                ("Granted".into(), r.adjustments_granted),
                ("Refused".into(), r.adjustments_refused),
            ],
        ),
    ]
}

#[derive(Template)]
#[template(path = "governance.html")]
struct Page<'a> {
    frame: Frame<'a>,
    label: String,
    from: String,
    to: String,
    /// The period's first and last days in words, as every page gives a day.
    days: (String, String),
    /// Each end's day, month and year, for the date inputs: as typed where they were wrong.
    from_boxes: (String, String, String),
    to_boxes: (String, String, String),
    /// A period that is no period, on the date input it is about (`from` or `to`), with
    /// what to do; the page then shows this quarter's figures.
    problem: Option<(String, String)>,
    previous: (String, String),
    sections: Vec<Section>,
    /// For those who may read it (the DPO and auditors, CLE-8.4; NOR-1.4): the equality
    /// monitoring report's tables (who answered, then each characteristic), small numbers
    /// suppressed. Never for the managers who read the rest.
    equality: Option<(String, Vec<EqualitySection>)>,
    below: u64,
    clause: String,
}

impl Page<'_> {
    /// The error on one date input (`from` or `to`), or nothing.
    fn error_on(&self, name: &str) -> &str {
        match &self.problem {
            Some((field, message)) if field == name => message,
            _ => "",
        }
    }

    /// What a date input's fieldset is described by: its hint, and its error where it has one.
    fn described(&self, name: &str) -> String {
        if self.error_on(name).is_empty() {
            format!("{name}-hint")
        } else {
            format!("{name}-hint {name}-error")
        }
    }
}

async fn report(
    state: &AppState,
    signed: &Signed,
    q: &PeriodQuery,
) -> Result<(Period, Report), Response> {
    let period = period(state, q).map_err(|e| refusal(state, signed, e.into()))?;
    let ctx = tact_app::Ctx::new(signed.actor.clone());
    let r = state
        .app
        .query(&ctx.actor, q::Governance { period })
        .await
        .map_err(|e| refusal(state, signed, e))?;
    Ok((period, r))
}

/// Each end of the period as its three date boxes: what was typed where that end was wrong,
/// else the day the report is for.
fn boxes(
    day: jiff::civil::Date,
    typed: Option<(&Option<String>, [&Option<String>; 3])>,
) -> (String, String, String) {
    let Some((whole, parts)) = typed else {
        return (
            day.day().to_string(),
            day.month().to_string(),
            day.year().to_string(),
        );
    };
    let text = |v: &Option<String>| v.as_deref().unwrap_or_default().trim().to_string();
    if parts.iter().any(|v| !text(v).is_empty()) {
        return (text(parts[0]), text(parts[1]), text(parts[2]));
    }
    // The day given whole (`from=2026-13-01`), split as the boxes would hold it.
    let whole = text(whole);
    let mut ymd = whole.splitn(3, '-');
    let (y, m, d) = (ymd.next(), ymd.next(), ymd.next());
    match (y, m, d) {
        (Some(y), Some(m), Some(d)) => (d.to_string(), m.to_string(), y.to_string()),
        _ => (String::new(), String::new(), whole),
    }
}

async fn page(
    State(state): State<AppState>,
    signed: Signed,
    PageQuery(q): PageQuery<PeriodQuery>,
) -> Response {
    // A period that is no period is an error on its date input, as on every form, over
    // this quarter's figures; anything else refused is its own page.
    let problem = match period(&state, &q) {
        Ok(_) => None,
        Err(e) => {
            let field = e.field.clone().unwrap_or_else(|| "from".into());
            Some((field, tact_core::check::capital(&e.message)))
        }
    };
    let asked = if problem.is_some() {
        PeriodQuery::default()
    } else {
        q.clone()
    };
    let (period, r) = or_page!(report(&state, &signed, &asked).await);
    let prev = Period::quarter_of(period.from).previous_quarter();
    let equality = if tact_core::command::offered::<tact_core::command::read::Equality>(
        &state.app.profile,
        &signed.actor,
    ) {
        match state.app.query(&signed.actor, q::EqualityReport {}).await {
            Ok(e) => Some(equality_tables(&e)),
            Err(e) => return refusal(&state, &signed, e),
        }
    } else {
        None
    };
    let page = render(&Page {
        equality,
        below: tact_core::equality::SUPPRESS_BELOW,
        clause: tact_core::profile::cited(&state.app.profile.clauses.equality_monitoring)
            .to_string(),
        frame: Frame::of(&state, &signed),
        label: r.period.clone(),
        from: period.from.to_string(),
        to: period.to.to_string(),
        days: (
            tact_core::check::long_date(period.from),
            tact_core::check::long_date(period.to),
        ),
        from_boxes: boxes(
            period.from,
            problem
                .as_ref()
                .map(|_| (&q.from, [&q.from_day, &q.from_month, &q.from_year])),
        ),
        to_boxes: boxes(
            period.to,
            problem
                .as_ref()
                .map(|_| (&q.to, [&q.to_day, &q.to_month, &q.to_year])),
        ),
        previous: (prev.from.to_string(), prev.to.to_string()),
        sections: sections(&r, &state.app.profile),
        problem: problem.clone(),
    });
    if problem.is_some() {
        (axum::http::StatusCode::BAD_REQUEST, page).into_response()
    } else {
        page
    }
}

async fn csv(
    State(state): State<AppState>,
    signed: Signed,
    PageQuery(q): PageQuery<PeriodQuery>,
) -> Response {
    match report(&state, &signed, &q).await {
        Ok((period, r)) => (
            [
                (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"governance-{}-to-{}.csv\"",
                        period.from, period.to
                    ),
                ),
            ],
            r.csv(),
        )
            .into_response(),
        Err(resp) => resp,
    }
}

#[cfg(test)]
mod tests {
    use super::bars;

    /// A chart's words are never cut off: each stands at the left edge on its own line,
    /// and the chart is at least as wide as its longest (at 16px Arial, under 9 units a
    /// character), where they once ended at a fixed 252 units and a long category and
    /// stage lost its first letters.
    #[test]
    fn a_long_category_s_words_fit_on_the_governance_chart() {
        let long = "Violent, threatening or abusive behaviour — active".to_string();
        let svg = bars(
            "Plans started",
            &[(long.clone(), 3), ("Other — draft".into(), 1)],
        );
        let width: f64 = svg
            .split("viewBox=\"0 0 ")
            .nth(1)
            .and_then(|v| v.split(' ').next())
            .and_then(|w| w.parse().ok())
            .expect("a viewBox");
        assert!(width >= 9.0 * long.chars().count() as f64, "{width}: {svg}");
        assert!(!svg.contains("text-anchor=\"end\""), "{svg}");
        for words in [long.as_str(), "Other — draft"] {
            assert!(svg.contains(&format!(">{words}</text>")), "{svg}");
        }
        assert_eq!(svg.matches("<text x=\"0\"").count(), 2, "{svg}");
        assert!(svg.contains("aria-label=\"Plans started. Violent, threatening or abusive behaviour — active: 3; Other — draft: 1\""), "{svg}");
        // Where every figure is 0 there is nothing to draw; the table says it.
        assert_eq!(bars("Reviews", &[("Done on time".into(), 0)]), "");
    }
}
