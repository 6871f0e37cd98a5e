//! Importing records in the staff UI (issue 14): an administrator's page to check a file
//! (the dry run: every problem by row and column, nothing written) and then import it, all
//! or nothing, through the same command as `tact import`. The checked file comes back with
//! the "Import" button, so nothing is kept on the server between the two steps, and the
//! import checks every row again when it runs.

use crate::ui::{refusal, render, Frame, Signed};
use crate::ui_forms::{bad_csrf, forbidden, read_multipart, upload_refusal};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use std::collections::HashMap;
use tact_app::import::ImportReport;
use tact_core::command as cmd;
use tact_core::import::{template_csv, Kind, Mapping};
use tact_core::RuleError;

/// The largest file the page takes: 100,000 people are about 10 MB as CSV.
pub const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/import",
            get(page)
                .post(check)
                // The file, and on the second step the same file again as base64.
                .layer(axum::extract::DefaultBodyLimit::max(
                    MAX_IMPORT_BYTES * 2 + 64 * 1024,
                )),
        )
        .route("/import/templates/{file}", get(template))
}

struct Outcome {
    file: String,
    committed: bool,
    summary: String,
}

/// The checked file, carried on to the import step.
struct Confirm {
    kind: String,
    source: String,
    sheet: String,
    keep_unverified: bool,
    /// A line of the mapping each.
    map: Vec<String>,
    file_name: String,
    file_data: String,
    button: String,
}

struct TemplateNotes {
    kind: &'static str,
    title: String,
    /// Column, "Yes"/"No", what goes in it.
    columns: Vec<(&'static str, &'static str, String)>,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage<'a> {
    frame: Frame<'a>,
    kinds: Vec<(&'static str, String)>,
    kind: String,
    source: String,
    sheet: String,
    map: String,
    keep_unverified: bool,
    /// The field at fault and what is wrong, for a refusal of the form itself.
    error: Option<(String, String)>,
    result: Option<Outcome>,
    /// Row, column, reason.
    problems: Vec<(usize, String, String)>,
    /// Some of the problems are numbers that cannot be confirmed, which the box below
    /// would keep (`Problem::overridden_by`).
    keeps_unverified: bool,
    confirm: Option<Confirm>,
    templates: Vec<TemplateNotes>,
}

impl ImportPage<'_> {
    fn field_error(&self, field: &str) -> Option<&str> {
        crate::ui::error_on(self.error.as_slice(), field)
    }
}

/// A kind in the profile's words ("Communication plans in force" on Northamptonshire).
fn title(kind: Kind, p: &tact_core::profile::Profile) -> String {
    match kind {
        Kind::People => "People".into(),
        Kind::Matters => "Matters".into(),
        Kind::Contacts => "Contact history".into(),
        Kind::Incidents => "Incidents".into(),
        Kind::Adjustments => "Reasonable adjustments".into(),
        Kind::Plans => format!(
            "{} in force",
            crate::ui_forms::capital(&p.terms.plan_plural)
        ),
    }
}

fn blank<'a>(state: &'a AppState, signed: &'a Signed) -> ImportPage<'a> {
    ImportPage {
        frame: Frame::of(state, signed),
        kinds: Kind::ALL
            .iter()
            .map(|k| (k.as_str(), title(*k, &state.app.profile)))
            .collect(),
        kind: Kind::People.as_str().into(),
        source: String::new(),
        sheet: String::new(),
        map: String::new(),
        keep_unverified: false,
        error: None,
        result: None,
        problems: Vec::new(),
        keeps_unverified: false,
        confirm: None,
        templates: Kind::ALL
            .iter()
            .map(|k| TemplateNotes {
                kind: k.as_str(),
                title: title(*k, &state.app.profile),
                columns: k
                    .columns()
                    .iter()
                    .map(|c| (c.name, if c.required { "Yes" } else { "No" }, c.notes()))
                    .collect(),
            })
            .collect(),
    }
}

async fn page(State(state): State<AppState>, signed: Signed) -> Response {
    if let Some(r) = forbidden::<cmd::ImportRecords>(&state, &signed) {
        return r;
    }
    render(&blank(&state, &signed))
}

async fn template(
    State(state): State<AppState>,
    signed: Signed,
    Path(file): Path<String>,
) -> Response {
    if let Some(r) = forbidden::<cmd::ImportRecords>(&state, &signed) {
        return r;
    }
    let Some(kind) = file.strip_suffix(".csv").and_then(|k| Kind::parse(k).ok()) else {
        return refusal(
            &state,
            &signed,
            RuleError::not_found("kind", format!("no template {file:?}")).into(),
        );
    };
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}-template.csv\"", kind.as_str()),
            ),
        ],
        template_csv(kind),
    )
        .into_response()
}

/// The page again with what was typed, and the form's own refusal on its field.
fn refused(
    state: &AppState,
    signed: &Signed,
    form: &HashMap<String, String>,
    e: &RuleError,
) -> Response {
    // A file Tact cannot take is refused as an uploaded letter is (422); a question
    // answered wrongly, as on any form (400).
    let status = if e.field.as_deref() == Some("file") {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::BAD_REQUEST
    };
    refused_as(state, signed, form, e, status)
}

/// [`refused`] with its status given.
fn refused_as(
    state: &AppState,
    signed: &Signed,
    form: &HashMap<String, String>,
    e: &RuleError,
    status: StatusCode,
) -> Response {
    let mut p = blank(state, signed);
    keep_typed(&mut p, form);
    p.error = Some((
        e.field.clone().unwrap_or_else(|| "file".into()),
        e.message.clone(),
    ));
    let mut r = render(&p);
    *r.status_mut() = status;
    r
}

fn keep_typed(p: &mut ImportPage<'_>, form: &HashMap<String, String>) {
    let get = |k: &str| {
        form.get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    if Kind::parse(&get("kind")).is_ok() {
        p.kind = get("kind");
    }
    p.source = get("source");
    p.sheet = get("sheet");
    p.map = form.get("map").cloned().unwrap_or_default();
    p.keep_unverified = form.get("keep_unverified").is_some_and(|v| v == "yes");
}

/// Checks a file (the dry run), or imports one checked before.
async fn check(
    State(state): State<AppState>,
    signed: Option<Signed>,
    multipart: Multipart,
) -> Response {
    // Sent once signed out: the file is chosen again after signing in, on this page.
    let Some(signed) = signed else {
        return crate::ui_back::sign_in_then(&state, "/import");
    };
    let mut form: HashMap<String, String> = HashMap::new();
    let mut upload: Option<(String, Vec<u8>)> = None;
    let read = read_multipart(multipart, |name, file_name, b| {
        if name == "file" {
            if let Some(f) = file_name.filter(|f| !f.is_empty()) {
                upload = Some((f, b.to_vec()));
            }
            return;
        }
        let v = String::from_utf8_lossy(&b).into_owned();
        // The mapping comes back from the import step a line a field.
        match form.get_mut(&name) {
            Some(was) if name == "map" => {
                was.push('\n');
                was.push_str(&v);
            }
            _ => {
                form.insert(name, v);
            }
        }
    })
    .await;
    if let Err(e) = read {
        let (status, e) = upload_refusal(&e, "file", MAX_IMPORT_BYTES);
        return refused_as(&state, &signed, &form, &e, status);
    }
    if let Some(r) = bad_csrf(&state, &signed, &form) {
        return r;
    }
    // Who may import is the command's rule, asked before the file is read.
    if let Some(r) = forbidden::<cmd::ImportRecords>(&state, &signed) {
        return r;
    }
    let commit = form.get("commit").is_some_and(|v| v == "yes");
    // The second step carries the checked file back.
    if upload.is_none() {
        if let (Some(name), Some(data)) = (form.get("file_name"), form.get("file_data")) {
            match base64::engine::general_purpose::STANDARD.decode(data.trim()) {
                Ok(bytes) => upload = Some((name.clone(), bytes)),
                Err(_) => {
                    let e = RuleError::invalid(
                        "file",
                        "the checked file did not come back whole: choose it again",
                    );
                    return refused(&state, &signed, &form, &e);
                }
            }
        }
    }
    let field = |k: &str| form.get(k).map_or("", |s| s.trim());
    let kind = match Kind::parse(field("kind")) {
        Ok(k) => k,
        Err(_) => {
            let e = RuleError::invalid("kind", "Choose what the file holds");
            return refused(&state, &signed, &form, &e);
        }
    };
    let lines: Vec<String> = field("map")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let mut mapping = match Mapping::parse(&lines) {
        Ok(m) => m,
        Err(e) => return refused(&state, &signed, &form, &e),
    };
    let keep_unverified = field("keep_unverified") == "yes";
    mapping.keep_unverified = keep_unverified;
    let Some((file_name, bytes)) = upload.filter(|(_, b)| !b.is_empty()) else {
        let e = RuleError::invalid("file", "Choose the file to import");
        return refused(&state, &signed, &form, &e);
    };
    if bytes.len() > MAX_IMPORT_BYTES {
        let e = RuleError::invalid(
            "file",
            format!(
                "the file is larger than {} MB: split it, or import it with tact import",
                MAX_IMPORT_BYTES / (1024 * 1024)
            ),
        );
        return refused(&state, &signed, &form, &e);
    }
    let sheet = Some(field("sheet")).filter(|s| !s.is_empty());
    let table = match tact_app::import::read_table(&file_name, &bytes, sheet) {
        Ok(t) => t,
        Err(e) => return refused(&state, &signed, &form, &e),
    };
    let ctx = tact_app::Ctx::new(signed.actor.clone());
    let report = match state
        .app
        .execute(
            &ctx,
            cmd::ImportRecords {
                source: field("source").to_string(),
                kind,
                table,
                mapping,
                commit,
            },
        )
        .await
    {
        Ok(r) => r,
        Err(tact_app::AppError::Rule(e)) if e.kind == tact_core::RuleErrorKind::Invalid => {
            return refused(&state, &signed, &form, &e)
        }
        Err(e) => return refusal(&state, &signed, e),
    };
    let mut p = blank(&state, &signed);
    keep_typed(&mut p, &form);
    let what = kind.as_str();
    let summary = summary(&report, what);
    if report.problems.is_empty() && !report.committed && report.new > 0 {
        p.confirm = Some(Confirm {
            kind: what.into(),
            source: report.source.clone(),
            sheet: field("sheet").into(),
            keep_unverified,
            map: lines.clone(),
            file_name: file_name.clone(),
            file_data: base64::engine::general_purpose::STANDARD.encode(&bytes),
            button: format!(
                "Import {} {}",
                report.new,
                if report.new == 1 { "record" } else { "records" }
            ),
        });
    }
    p.problems = report
        .problems
        .iter()
        .map(|x| (x.row, x.column.clone(), x.reason.clone()))
        .collect();
    p.keeps_unverified = report
        .problems
        .iter()
        .any(|x| x.overridden_by.as_deref() == Some("keep_unverified"));
    let status = if p.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    p.result = Some(Outcome {
        file: file_name,
        committed: report.committed,
        summary,
    });
    let mut r = render(&p);
    *r.status_mut() = status;
    r
}

fn summary(r: &ImportReport, what: &str) -> String {
    let said = counted(r, what);
    if r.left_out.is_empty() {
        return said;
    }
    format!(
        "{said} Not imported: the {} {} (no field takes {}; to import one, add a line under \
         \u{201c}Columns with other headings\u{201d}, such as phones=Telephone).",
        if r.left_out.len() == 1 {
            "column"
        } else {
            "columns"
        },
        r.left_out
            .iter()
            .map(|h| format!("\u{201c}{h}\u{201d}"))
            .collect::<Vec<_>>()
            .join(", "),
        if r.left_out.len() == 1 { "it" } else { "them" }
    )
}

fn counted(r: &ImportReport, what: &str) -> String {
    let rows = format!("{} {}", r.rows, if r.rows == 1 { "row" } else { "rows" });
    if r.committed {
        format!(
            "{} new {what} imported from {}; {} imported before, left as they were.",
            r.new, r.source, r.already
        )
    } else if r.new == 0 && r.problems.is_empty() {
        format!(
            "{rows}: every one was imported from {} before. Nothing to do.",
            r.source
        )
    } else {
        format!(
            "{rows}: {} new, {} imported from {} before.",
            r.new, r.already, r.source
        )
    }
}
