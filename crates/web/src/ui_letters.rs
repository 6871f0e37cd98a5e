//! Letters in the staff UI (issue 4): write a letter about a plan from the profile's
//! template, see it as written with its sending state, open the HTML or large-print
//! version, and work the print queue.

use crate::ui::{refusal, render, Signed};
use crate::ui_forms::{answer, bad_csrf, capital, forbidden, show, val, Field, Spec};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use std::collections::HashMap;
use tact_core::correspondence::{LetterStatus, StoredLetter};
use tact_core::ids::StrategyId;
use tact_core::model::Format;
use tact_core::profile::Channel;
use tact_core::roles::Action;
use tact_core::RuleError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/plans/{id}/letter", get(write_form).post(write))
        .route(
            "/adjustments/{id}/letter",
            get(adjustment_form).post(adjustment_letter),
        )
        .route(
            "/incidents/{id}/letter",
            get(incident_form).post(incident_letter),
        )
        .route(
            "/warnings/{id}/letter",
            get(warning_form).post(warning_letter),
        )
        .route("/letters", get(queue))
        .route("/letters/{id}", get(letter))
        .route("/letters/{id}/html", get(letter_html))
        .route("/letters/{id}/printed", post(printed))
}

fn kind_words(kind: &str) -> String {
    capital(&kind.replace('-', " "))
}

/// One line for a list of letters.
pub fn describe(l: &StoredLetter) -> String {
    format!(
        "{} — {} by {} ({}), {}{}",
        tact_core::check::uk_time(l.created_at).strftime("%d %b %Y"),
        l.subject,
        l.channel.plain(),
        l.format.as_str().replace('-', " "),
        status_words(l.status),
        l.last_error
            .as_ref()
            .filter(|_| l.status != LetterStatus::Sent)
            .map(|e| format!(": {e}"))
            .unwrap_or_default()
    )
}

fn status_words(s: LetterStatus) -> &'static str {
    match s {
        LetterStatus::Queued => "waiting to be sent",
        LetterStatus::Sent => "sent",
        LetterStatus::Failed => "could not be sent",
        LetterStatus::ToPrint => "in the print queue",
        LetterStatus::Printed => "printed and posted",
    }
}

fn write_spec(state: &AppState, id: i64) -> Spec {
    let p = &state.app.profile;
    Spec {
        heading: "Write a letter".into(),
        caption: format!("{} {id}", capital(&p.terms.plan)),
        intro: vec![format!(
            "The letter is written from the {} template and the record. It goes in the \
             person's preferred format unless you choose another.",
            p.organisation.short_name
        )],
        action: format!("/plans/{id}/letter"),
        fields: [Field::new("select", "kind", "Which letter").options(
            p.letters
                .templates
                .keys()
                .filter(|k| tact_app::letters::PLAN_LETTERS.contains(&k.as_str()))
                .map(|k| (k.clone(), kind_words(k))),
        )]
        .into_iter()
        .chain(how_fields())
        .collect(),
        submit: "Write it",
        back: format!("/plans/{id}"),
    }
}

async fn write_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> Response {
    if let Some(r) = forbidden(&state, &signed, Action::RecordNotice) {
        return r;
    }
    show(&state, &signed, write_spec(&state, id), None, None)
}

async fn write(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = bad_csrf(&state, &signed, &form) {
        return r;
    }
    let spec = write_spec(&state, id);
    let (channel, format) = match how(&form) {
        Ok(x) => x,
        Err(e) => return show(&state, &signed, spec, Some(&form), Some(e)),
    };
    let result = state
        .app
        .write_plan_letter(
            &tact_app::Ctx::new(signed.actor.clone()),
            StrategyId(id),
            val(&form, "kind"),
            channel,
            format,
        )
        .await;
    answer(&state, signed, spec, &form, result, |l| {
        format!("/letters/{}", l.id)
    })
}

/// How and in what format: the part of every letter form that is the same.
fn how_fields() -> Vec<Field> {
    vec![
        Field::new("select", "channel", "How it goes").options([
            (
                "".to_string(),
                "Email if they have an address, else post".to_string(),
            ),
            ("email".to_string(), "Email".to_string()),
            ("letter".to_string(), "Post (the print queue)".to_string()),
        ]),
        Field::new("select", "format", "Format").options(
            std::iter::once(("".to_string(), "Their preferred format".to_string())).chain(
                [Format::Standard, Format::LargePrint].map(|f| {
                    (
                        f.as_str().to_string(),
                        capital(&f.as_str().replace('-', " ")),
                    )
                }),
            ),
        ),
    ]
}

fn how(form: &HashMap<String, String>) -> Result<(Option<Channel>, Option<Format>), RuleError> {
    let channel = match val(form, "channel") {
        "" => None,
        c => Some(Channel::parse(c).map_err(|e| e.with_field("channel"))?),
    };
    let format = match val(form, "format") {
        "" => None,
        f => Some(Format::parse(f).map_err(|e| e.with_field("format"))?),
    };
    Ok((channel, format))
}

/// The form for a letter about one record (an adjustment, an ended call).
fn record_letter_spec(heading: &str, action: String) -> Spec {
    Spec {
        heading: heading.into(),
        caption: "Letters".into(),
        intro: vec!["It goes in the person's preferred format unless you choose another.".into()],
        action,
        fields: how_fields(),
        submit: "Write it",
        back: "/".into(),
    }
}

/// Which record a letter form is about.
enum About {
    Adjustment,
    Incident,
    Warning,
}

impl About {
    fn spec(&self, id: i64) -> Spec {
        match self {
            Self::Adjustment => record_letter_spec(
                "Write the adjustment decision",
                format!("/adjustments/{id}/letter"),
            ),
            Self::Incident => record_letter_spec(
                "Write the note about the ended call",
                format!("/incidents/{id}/letter"),
            ),
            Self::Warning => {
                record_letter_spec("Write the warning letter", format!("/warnings/{id}/letter"))
            }
        }
    }
}

async fn about_form(state: AppState, signed: Signed, about: About, id: i64) -> Response {
    if let Some(r) = forbidden(&state, &signed, Action::RecordNotice) {
        return r;
    }
    show(&state, &signed, about.spec(id), None, None)
}

async fn about_letter(
    state: AppState,
    signed: Signed,
    about: About,
    id: i64,
    form: HashMap<String, String>,
) -> Response {
    if let Some(r) = bad_csrf(&state, &signed, &form) {
        return r;
    }
    let spec = about.spec(id);
    let (channel, format) = match how(&form) {
        Ok(x) => x,
        Err(e) => return show(&state, &signed, spec, Some(&form), Some(e)),
    };
    let ctx = tact_app::Ctx::new(signed.actor.clone());
    let result = match about {
        About::Adjustment => {
            state
                .app
                .write_adjustment_letter(&ctx, tact_core::ids::AdjustmentId(id), channel, format)
                .await
        }
        About::Incident => {
            state
                .app
                .write_call_ended_letter(&ctx, tact_core::ids::IncidentId(id), channel, format)
                .await
        }
        About::Warning => {
            state
                .app
                .write_warning_letter(&ctx, tact_core::ids::WarningId(id), channel, format)
                .await
        }
    };
    answer(&state, signed, spec, &form, result, |l| {
        format!("/letters/{}", l.id)
    })
}

async fn adjustment_form(
    State(s): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> Response {
    about_form(s, signed, About::Adjustment, id).await
}
async fn adjustment_letter(
    State(s): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    about_letter(s, signed, About::Adjustment, id, f).await
}
async fn incident_form(State(s): State<AppState>, signed: Signed, Path(id): Path<i64>) -> Response {
    about_form(s, signed, About::Incident, id).await
}
async fn incident_letter(
    State(s): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    about_letter(s, signed, About::Incident, id, f).await
}

async fn warning_form(State(s): State<AppState>, signed: Signed, Path(id): Path<i64>) -> Response {
    about_form(s, signed, About::Warning, id).await
}
async fn warning_letter(
    State(s): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    about_letter(s, signed, About::Warning, id, f).await
}

#[derive(Template)]
#[template(path = "letter.html")]
struct LetterPage<'a> {
    office: &'a str,
    policy: &'a str,
    signed_in: Option<String>,
    csrf: String,
    id: i64,
    person: (i64, String),
    subject: String,
    channel: String,
    to: String,
    format: String,
    status: String,
    text: String,
    can_print: bool,
}

async fn load(state: &AppState, signed: &Signed, id: i64) -> Result<StoredLetter, Box<Response>> {
    if let Some(r) = forbidden(state, signed, Action::ReadAll) {
        return Err(Box::new(r));
    }
    state
        .app
        .letter(id)
        .await
        .map_err(|e| Box::new(refusal(state, signed, e)))
}

async fn letter(State(state): State<AppState>, signed: Signed, Path(id): Path<i64>) -> Response {
    let l = match load(&state, &signed, id).await {
        Ok(l) => l,
        Err(r) => return *r,
    };
    let p = &state.app.profile;
    let person = crate::ui_forms::person_caption(&state, l.person_id.0)
        .await
        .unwrap_or_default();
    render(&LetterPage {
        office: &p.organisation.short_name,
        policy: &p.organisation.policy_title,
        signed_in: Some(signed.actor.name.clone()),
        csrf: signed.csrf.clone(),
        id,
        person: (l.person_id.0, person),
        subject: l.subject.clone(),
        channel: capital(l.channel.plain()),
        to: l.to_address.clone(),
        format: l.format.as_str().replace('-', " "),
        status: format!(
            "{}{}",
            capital(status_words(l.status)),
            l.last_error
                .as_ref()
                .filter(|_| l.status != LetterStatus::Sent)
                .map(|e| format!(" (last attempt: {e})"))
                .unwrap_or_default()
        ),
        text: l.text.clone(),
        can_print: l.status == LetterStatus::ToPrint
            && p.may(signed.actor.role, Action::RecordNotice),
    })
}

/// The letter's own HTML, as sent or printed: Tact wrote and escaped it.
async fn letter_html(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> Response {
    match load(&state, &signed, id).await {
        Ok(l) => ([(CONTENT_TYPE, "text/html; charset=utf-8")], l.html).into_response(),
        Err(r) => *r,
    }
}

async fn printed(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = bad_csrf(&state, &signed, &form) {
        return r;
    }
    match state
        .app
        .mark_printed(&tact_app::Ctx::new(signed.actor.clone()), id)
        .await
    {
        Ok(_) => Redirect::to(&format!("/letters/{id}")).into_response(),
        Err(e) => refusal(&state, &signed, e),
    }
}

#[derive(serde::Deserialize)]
struct QueueQuery {
    status: Option<String>,
}

#[derive(Template)]
#[template(path = "letters.html")]
struct QueuePage<'a> {
    office: &'a str,
    policy: &'a str,
    signed_in: Option<String>,
    csrf: String,
    heading: String,
    rows: Vec<(i64, String)>,
}

async fn queue(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<QueueQuery>,
) -> Response {
    if let Some(r) = forbidden(&state, &signed, Action::RecordNotice) {
        return r;
    }
    let status = q
        .status
        .as_deref()
        .and_then(LetterStatus::parse)
        .unwrap_or(LetterStatus::ToPrint);
    let far = state.app.now() + jiff::SignedDuration::from_hours(24 * 365 * 10);
    let list = match state.app.store.letters_in(status, far, 500).await {
        Ok(l) => l,
        Err(e) => return refusal(&state, &signed, e.into()),
    };
    let p = &state.app.profile;
    render(&QueuePage {
        office: &p.organisation.short_name,
        policy: &p.organisation.policy_title,
        signed_in: Some(signed.actor.name.clone()),
        csrf: signed.csrf.clone(),
        heading: match status {
            LetterStatus::ToPrint => "Letters to print and post".into(),
            LetterStatus::Failed => "Emails that could not be sent".into(),
            s => capital(status_words(s)),
        },
        rows: list.iter().map(|l| (l.id, describe(l))).collect(),
    })
}
