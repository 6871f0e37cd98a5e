//! Letters in the staff UI (issue 4): write a letter about a plan from the profile's
//! template, see it as written with its sending state, open the HTML or large-print
//! version, and work the print queue.

use crate::ui::or_page;
use crate::ui::Frame;
use crate::ui::PostedTo;
use crate::ui::{refusal, render, Signed};
use crate::ui::{PagePath, PageQuery};
use crate::ui_back::Buttons;
use crate::ui_forms::{
    bad_csrf, capital, forbidden, read_multipart, upload_refusal, val, Field, Spec, SpecOrPage,
};
use crate::ui_step::{self as step, Form, FormStep, Pipe};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;
use tact_app::letters::{Document, How};
use tact_app::makers::Waiter;
use tact_app::query as q;
use tact_app::AppError;
use tact_core::command as cmd;
use tact_core::correspondence::{LetterAbout, LetterChange, LetterStatus, StoredLetter};
use tact_core::ids::PlanId;
use tact_core::model::{Format, Plan};
use tact_core::RuleError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .pipe(step::route::<Write>)
        .pipe(step::route::<On<AdjustmentLetter>>)
        .pipe(step::route::<On<CallEndedLetter>>)
        .pipe(step::route::<On<WarningLetter>>)
        .route("/letters", get(queue))
        .route("/policy.pdf", get(policy_pdf))
        .route("/letters/{id}", get(letter))
        .route("/letters/{id}/html", get(letter_html))
        .route("/letters/{id}/pdf", document_route(Document::Pdf))
        .route("/letters/{id}/brf", document_route(Document::Braille))
        .route("/letters/{id}/mp3", document_route(Document::Audio))
        .route(
            "/letters/{id}/docx",
            document_route(Document::Docx).post(upload_docx).layer(
                axum::extract::DefaultBodyLimit::max(tact_mail::docx::MAX_DOCX_BYTES + 64 * 1024),
            ),
        )
        .button("/letters/{id}/adjust", adjust, "/letters/{id}")
        .button("/letters/{id}/release", release, "/letters/{id}")
        .button("/letters/{id}/printed", printed, "/letters/{id}")
}

/// One line for a list of letters.
pub fn describe(l: &StoredLetter) -> String {
    format!(
        "{} — {} {} ({}), {}{}",
        tact_core::check::uk_time(l.created_at).strftime("%-d %b %Y"),
        l.subject,
        l.channel.by(),
        l.format.as_str().replace('-', " "),
        status_words(l.status),
        l.last_error
            .as_ref()
            .filter(|_| l.status != LetterStatus::Sent)
            .map(|e| format!(": {e}"))
            .unwrap_or_default()
    )
}

/// What writing or moving a letter did, for the page it goes to: where the letter stands.
fn letter_said(l: &StoredLetter) -> String {
    format!("The letter is {}.", status_words(l.status))
}

pub(crate) fn status_words(s: LetterStatus) -> &'static str {
    match s {
        LetterStatus::Draft => "held for you to check before it goes",
        LetterStatus::Queued => "waiting to be sent",
        LetterStatus::Sent => "sent",
        LetterStatus::Failed => "could not be sent",
        LetterStatus::ToPrint => "in the print queue",
        LetterStatus::Printed => "printed and posted",
    }
}

/// Writing a letter about a plan: which letter, how it goes and in what format.
struct Write;

impl FormStep for Write {
    type Subject = Plan;
    type Command = cmd::WriteLetter;
    const PATH: &'static str = "/plans/{id}/letter";

    const REFUSED: crate::ui_step::Refusal<Plan> = tact_core::correspondence::plan_letter_refusal;

    /// Offers only the letters core's `plan_letters` lets be written about the plan now,
    /// and says why each other one is not offered.
    async fn spec(state: &AppState, signed: &Signed, id: i64, plan: &Plan) -> SpecOrPage {
        let preferred = crate::ui_forms::preferred_format(state, signed, plan.person_id).await?;
        let p = &state.app.profile;
        let term = &p.terms.plan;
        let letters =
            crate::ui_step::read(state, signed, q::PlanLetters { plan: PlanId(id) }).await?;
        let offered = crate::offer::plan_letters_offered(p, letters)
            .map_err(|e| crate::ui::refusal(state, signed, AppError::Rule(e)))?;
        let intro = vec![format!(
            "The letter is written from the {} template and the record. It goes in the \
             person's preferred format unless you choose another.",
            p.organisation.short_name
        )];
        Ok(Spec {
            heading: "Write a letter".into(),
            intro,
            why_not: offered.why_not,
            fields: [Field::new("select", "kind", "Which letter").options(
                offered
                    .open
                    .iter()
                    .map(|kind| (kind.as_str().to_string(), kind.plain(term))),
            )]
            .into_iter()
            .chain(how_fields(preferred))
            .collect(),
            submit: "Write it",
            ..Spec::default()
        })
    }
    async fn command(
        _: &AppState,
        _: &Signed,
        id: i64,
        _: &Plan,
        form: &Form,
    ) -> Result<cmd::WriteLetter, AppError> {
        Ok(cmd::WriteLetter {
            about: tact_core::correspondence::LetterAbout::Plan {
                plan: PlanId(id),
                kind: crate::ui_forms::pick_word(form, "kind", "choose which letter")?,
            },
            how: how(form)?,
        })
    }
    fn done(_: i64, _: &Plan, l: &StoredLetter) -> String {
        format!("/letters/{}", l.id)
    }
    fn said(_: &AppState, _: &Plan, l: &StoredLetter) -> Option<String> {
        Some(letter_said(l))
    }
}

/// How and in what format: the part of every letter form that is the same. It starts from
/// the person's preferred format, named where it is known.
fn how_fields(preferred: Option<Format>) -> Vec<Field> {
    let hold = Field::new(
        "checkbox",
        "hold",
        "Hold it so I can check or change the wording before it goes",
    );
    vec![
        Field::new("select", "channel", "How it goes").options([
            (
                "".to_string(),
                "Email if they have an address, else post (post where their plan allows only letters)"
                    .to_string(),
            ),
            ("email".to_string(), "Email".to_string()),
            ("letter".to_string(), "Post (the print queue)".to_string()),
        ]),
        Field::new("select", "format", "Format").options(
            std::iter::once((
                "".to_string(),
                match preferred {
                    Some(f) => format!(
                        "Their preferred format: {}",
                        tact_core::workflow::format_words(f)
                    ),
                    None => "Their preferred format".to_string(),
                },
            ))
            .chain(crate::ui_forms::format_options([
                Format::Standard,
                Format::LargePrint,
                Format::EasyRead,
                Format::Braille,
                Format::Audio,
            ])),
        ),
        hold,
    ]
}

fn how(form: &HashMap<String, String>) -> Result<How, RuleError> {
    let given = |k: &str| Some(val(form, k)).filter(|v| !v.is_empty());
    crate::wire::how(
        given("channel"),
        given("format"),
        !val(form, "hold").is_empty(),
    )
}

/// A letter about one record other than a plan: the record, where its form is, its heading,
/// and how the form says what the letter is about.
trait LetterOn: Send + Sync + 'static {
    const PATH: &'static str;
    const HEADING: &'static str;
    fn about(id: i64) -> LetterAbout;
    /// The record the letter is written from: whose it is and, in a line, what it says;
    /// or the page to answer with instead (not found, refused).
    fn read(
        state: &AppState,
        signed: &Signed,
        id: i64,
    ) -> impl std::future::Future<Output = Result<Record<Self>, Response>> + Send
    where
        Self: Sized;
}

/// The record a letter is written from, as its form shows it: whose it is, what it says,
/// and core's reason no letter can be written from it now (a request not yet decided, an
/// incident that ended no call), for the form's page to give instead of the form.
struct Record<L> {
    person: tact_core::ids::PersonId,
    what: String,
    refused: Option<RuleError>,
    letter: std::marker::PhantomData<L>,
}

/// Declares a [`LetterOn`]: its type, where its form is, its heading, the record, and the
/// line its form shows about it.
macro_rules! letter_on {
    ($(#[$doc:meta])* $name:ident, $path:literal, $heading:literal, $about:ident($id:ident),
     from $query:ident, |$r:ident| $what:expr, refused $refused:expr) => {
        $(#[$doc])*
        struct $name;
        impl LetterOn for $name {
            const PATH: &'static str = $path;
            const HEADING: &'static str = $heading;
            fn about(id: i64) -> LetterAbout {
                LetterAbout::$about(tact_core::ids::$id(id))
            }
            async fn read(
                state: &AppState,
                signed: &Signed,
                id: i64,
            ) -> Result<Record<Self>, Response> {
                let $r = step::read(state, signed, q::$query { id: tact_core::ids::$id(id) }).await?;
                Ok(Record {
                    person: $r.person_id,
                    what: $what,
                    refused: $refused,
                    letter: std::marker::PhantomData,
                })
            }
        }
    };
}

letter_on!(
    /// The decision on a reasonable adjustment (CLE-8.5; NOR-1.5).
    AdjustmentLetter, "/adjustments/{id}/letter", "Write the adjustment decision",
    Adjustment(AdjustmentId), from Adjustment,
    |a| format!("Their request: {} ({})", a.description, a.status.as_str()),
    refused tact_core::correspondence::adjustment_decision(&a).err()
);
letter_on!(
    /// Why a call was ended (CLE-4.4; NOR-6.1).
    CallEndedLetter, "/incidents/{id}/letter", "Write the note about the ended call",
    CallEnded(IncidentId), from Incident,
    |i| format!(
        "The call on {}: {}",
        tact_core::check::long_day(i.occurred_at),
        i.description
    ),
    refused tact_core::correspondence::ended_call(&i).err()
);
letter_on!(
    /// A warning (CLE-9.2, 9.3; NOR-5.2).
    WarningLetter, "/warnings/{id}/letter", "Write the warning letter", Warning(WarningId), from Warning,
    |w| format!(
        "The warning of {}: {}",
        tact_core::check::long_day(w.given_at),
        w.what_is_wrong
    ),
    refused None
);

impl<L: LetterOn> step::Subject for Record<L> {
    async fn load(state: &AppState, signed: &Signed, id: i64) -> Result<Self, Response> {
        L::read(state, signed, id).await
    }
    fn person(&self) -> Option<tact_core::ids::PersonId> {
        Some(self.person)
    }
}

/// A [`LetterOn`] as a form step: the record it is written from, then how it goes and in
/// what format (their preferred one named); a record that is not there is the form's 404.
struct On<L>(std::marker::PhantomData<L>);

impl<L: LetterOn> FormStep for On<L> {
    type Subject = Record<L>;
    type Command = cmd::WriteLetter;
    const PATH: &'static str = L::PATH;

    const REFUSED: crate::ui_step::Refusal<Record<L>> = |_, _, r| r.refused.clone();

    async fn spec(state: &AppState, signed: &Signed, _: i64, r: &Record<L>) -> SpecOrPage {
        let preferred = crate::ui_forms::preferred_format(state, signed, r.person).await?;
        Ok(Spec {
            heading: L::HEADING.into(),
            caption: "Letters".into(),
            intro: vec![
                r.what.clone(),
                "It goes in the person's preferred format unless you choose another.".into(),
            ],
            fields: how_fields(preferred),
            submit: "Write it",
            back: format!("/people/{}", r.person),
            ..Spec::default()
        })
    }
    async fn command(
        _: &AppState,
        _: &Signed,
        id: i64,
        _: &Record<L>,
        form: &Form,
    ) -> Result<cmd::WriteLetter, AppError> {
        Ok(cmd::WriteLetter {
            about: L::about(id),
            how: how(form)?,
        })
    }
    fn done(_: i64, _: &Record<L>, l: &StoredLetter) -> String {
        format!("/letters/{}", l.id)
    }
    fn said(_: &AppState, _: &Record<L>, l: &StoredLetter) -> Option<String> {
        Some(letter_said(l))
    }
}

#[derive(Template)]
#[template(path = "letter.html")]
struct LetterPage<'a> {
    frame: Frame<'a>,
    id: i64,
    person: (i64, String),
    subject: String,
    channel: String,
    to: String,
    format: String,
    status: String,
    text: String,
    can_print: bool,
    held: bool,
    large: bool,
    /// The clause saying a copy of the policy goes with this letter, when it does.
    enclose: Option<String>,
    /// The format the letter was written for, when it is not print: "braille", "audio"
    /// or "easy-read".
    special: Option<String>,
    /// The letter as the person will see it: paragraphs (their lines) and lists.
    shown: Shown,
    /// The characters its PDF (and so its print) cannot show, where there are any.
    unprintable: Option<String>,
    /// The field at fault and what is wrong.
    error: Option<(String, String)>,
    /// An email waiting to go from an office with no mail relay set up: it waits until one
    /// is.
    no_relay: bool,
}

/// A letter's text as a page shows it: each block, `true` for a list, with its lines.
pub(crate) type Shown = Vec<(bool, Vec<String>)>;

/// A letter's text in blocks, as the person will see it.
pub(crate) fn shown(text: &str) -> Shown {
    tact_mail::letters::blocks(text)
        .into_iter()
        .map(|b| match b {
            tact_mail::letters::Block::Para(lines) => (false, lines),
            tact_mail::letters::Block::List(items) => (true, items),
        })
        .collect()
}

async fn letter(
    State(state): State<AppState>,
    signed: Signed,
    PagePath(id): PagePath<i64>,
) -> Response {
    let l = or_page!(step::read(&state, &signed, q::Letter { id }).await);
    letter_page(&state, &signed, l, None, None).await
}

/// The letter page; with `error`, the adjust form shows what was typed and what is wrong.
async fn letter_page(
    state: &AppState,
    signed: &Signed,
    l: StoredLetter,
    typed: Option<(String, String)>,
    error: Option<RuleError>,
) -> Response {
    let id = l.id;
    let p = &state.app.profile;
    let person = or_page!(crate::ui_forms::caption_of(state, signed, l.person_id.0).await);
    let held = l.may_change().is_ok() && cmd::offered::<cmd::ReleaseLetter>(p, &signed.actor);
    let (subject, text) = typed.unwrap_or_else(|| (l.subject.clone(), l.text.clone()));
    let page = render(&LetterPage {
        frame: Frame::of(state, signed),
        id,
        person: (l.person_id.0, person),
        subject,
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
        text,
        can_print: l.may_mark_printed().is_ok()
            && cmd::offered::<cmd::MarkPrinted>(p, &signed.actor),
        held,
        large: matches!(l.format, Format::LargePrint | Format::EasyRead),
        special: matches!(l.format, Format::Braille | Format::Audio | Format::EasyRead)
            .then(|| l.format.as_str().to_string()),
        shown: shown(&l.text),
        unprintable: tact_mail::pdf::unprintable(&l),
        enclose: l.encloses_policy(p).then(|| {
            tact_core::profile::cited(
                p.notice
                    .clause
                    .as_ref()
                    .unwrap_or(&p.clauses.notice_content),
            )
            .to_string()
        }),
        error: error.as_ref().map(|e| {
            (
                e.field.clone().unwrap_or_else(|| "text".into()),
                e.message.clone(),
            )
        }),
        no_relay: !state.mail_relay && l.status == LetterStatus::Queued,
    });
    match error {
        Some(_) => (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
        None => page,
    }
}

/// The letter's own HTML, as sent or printed: Tact wrote and escaped it.
async fn letter_html(
    State(state): State<AppState>,
    signed: Signed,
    PagePath(id): PagePath<i64>,
) -> Response {
    let l = or_page!(step::read(&state, &signed, q::Letter { id }).await);
    ([(CONTENT_TYPE, "text/html; charset=utf-8")], l.html).into_response()
}

/// One of the letter's kept documents: a tagged PDF (large print when that is its
/// format), Braille Ready File, MP3 read aloud or editable Word document, made from the
/// kept wording.
fn document_route(doc: Document) -> axum::routing::MethodRouter<AppState> {
    get(
        move |State(state): State<AppState>, signed: Signed, PagePath(id): PagePath<i64>| {
            document(state, signed, id, doc)
        },
    )
}

async fn document(state: AppState, signed: Signed, id: i64, doc: Document) -> Response {
    match state
        .app
        .query(&signed.actor, q::LetterDocument { id, doc })
        .await
    {
        Ok((bytes, media, name)) => (
            [
                (CONTENT_TYPE, media.to_string()),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
                (
                    axum::http::header::X_CONTENT_TYPE_OPTIONS,
                    "nosniff".to_string(),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => refusal(&state, &signed, e),
    }
}

/// The policy itself as a PDF, to print and enclose with a posted notice (NOR-5.2).
async fn policy_pdf(State(state): State<AppState>, signed: Signed) -> Response {
    if let Some(r) = forbidden::<cmd::read::Records>(&state, &signed) {
        return r;
    }
    match state.app.policy_pdf(Waiter::Request).await {
        Ok(Some(bytes)) => (
            [
                (CONTENT_TYPE, "application/pdf".to_string()),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    "attachment; filename=\"policy.pdf\"".to_string(),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => refusal(
            &state,
            &signed,
            RuleError::not_found("policy", "Tact does not hold this office's policy text").into(),
        ),
        Err(e) => refusal(&state, &signed, e),
    }
}

/// Staff's changes to a held letter's wording, typed on its page.
async fn adjust(State(state): State<AppState>, to: PostedTo) -> Response {
    let PostedTo { id, signed, form } = to;
    let ctx = tact_app::Ctx::new(signed.actor.clone());
    let (subject, text) = (val(&form, "subject"), val(&form, "text"));
    let change = cmd::ChangeLetter {
        letter: id,
        change: LetterChange::Typed {
            subject: Some(subject.to_string()),
            text: text.to_string(),
            how: "typed",
        },
    };
    match state.app.execute(&ctx, change).await {
        Ok(l) => crate::ui::said_and_go(
            &state,
            &format!("/letters/{id}"),
            Some(&format!("The new wording is kept. {}", letter_said(&l))),
        ),
        Err(tact_app::AppError::Rule(e)) if e.kind == tact_core::error::RuleErrorKind::Invalid => {
            match state.app.query(&signed.actor, q::Letter { id }).await {
                Ok(l) => {
                    letter_page(
                        &state,
                        &signed,
                        l,
                        Some((subject.to_string(), text.to_string())),
                        Some(e),
                    )
                    .await
                }
                Err(e) => refusal(&state, &signed, e),
            }
        }
        Err(e) => refusal(&state, &signed, e),
    }
}

/// The Word document downloaded, adjusted and sent back: its wording replaces the held
/// letter's. A multipart form with the CSRF token and the file.
async fn upload_docx(
    State(state): State<AppState>,
    signed: Option<Signed>,
    PagePath(id): PagePath<i64>,
    multipart: axum::extract::Multipart,
) -> Response {
    // Sent once signed out: back to the letter's page, where the file is sent from.
    let Some(signed) = signed else {
        return crate::ui_back::sign_in_then(&state, &format!("/letters/{id}"));
    };
    let mut form = HashMap::new();
    let mut file = None;
    let read = read_multipart(multipart, |name, _, b| {
        if name == "document" {
            file = Some(b);
        } else {
            form.insert(name, String::from_utf8_lossy(&b).into_owned());
        }
    })
    .await;
    if let Err(e) = read {
        let refused = upload_refusal(&e, "document", tact_mail::docx::MAX_DOCX_BYTES);
        return upload_refused(&state, &signed, id, refused).await;
    }
    if let Some(r) = bad_csrf(&state, &signed, &form) {
        return r;
    }
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        let none = RuleError::invalid("document", "Choose the Word document to upload");
        return upload_refused(&state, &signed, id, (UNPROCESSABLE, none)).await;
    };
    let ctx = tact_app::Ctx::new(signed.actor.clone());
    let change = cmd::ChangeLetter {
        letter: id,
        change: LetterChange::Word(bytes.to_vec()),
    };
    match state.app.execute(&ctx, change).await {
        Ok(l) => crate::ui::said_and_go(
            &state,
            &format!("/letters/{id}"),
            Some(&format!(
                "The wording of the Word document is kept. {}",
                letter_said(&l)
            )),
        ),
        Err(tact_app::AppError::Rule(e)) if e.kind == tact_core::error::RuleErrorKind::Invalid => {
            let e = RuleError::invalid("document", e.message);
            upload_refused(&state, &signed, id, (UNPROCESSABLE, e)).await
        }
        Err(e) => refusal(&state, &signed, e),
    }
}

/// The letter's page with the upload's refusal on its form, at `status`; or, where the
/// letter is no longer held (changed in another tab, say), the step's own refusal, since
/// there is no form to say it on.
async fn upload_refused(
    state: &AppState,
    signed: &Signed,
    id: i64,
    (status, why): (axum::http::StatusCode, RuleError),
) -> Response {
    match state.app.query(&signed.actor, q::Letter { id }).await {
        Ok(l) => {
            if let Err(e) = l.may_change() {
                return refusal(state, signed, e.into());
            }
            let mut page = letter_page(state, signed, l, None, Some(why)).await;
            if page.status() == axum::http::StatusCode::UNPROCESSABLE_ENTITY {
                *page.status_mut() = status;
            }
            page
        }
        Err(e) => refusal(state, signed, e),
    }
}

/// A file Tact cannot take, or a question left unanswered, on the upload form.
const UNPROCESSABLE: axum::http::StatusCode = axum::http::StatusCode::UNPROCESSABLE_ENTITY;

/// Lets a held letter go.
async fn release(State(state): State<AppState>, to: PostedTo) -> Response {
    on_letter(state, to, |letter| cmd::ReleaseLetter { letter }).await
}

/// Marks a letter printed and posted.
async fn printed(State(state): State<AppState>, to: PostedTo) -> Response {
    on_letter(state, to, |letter| cmd::MarkPrinted { letter }).await
}

/// A button on a letter's page: the command it sends, then back to the letter, or the
/// refusal's page.
async fn on_letter<C>(state: AppState, to: PostedTo, command: impl FnOnce(i64) -> C) -> Response
where
    C: tact_core::command::Command + Send,
    tact_app::App: tact_app::Handles<C, Output = StoredLetter>,
{
    let PostedTo { id, signed, .. } = to;
    let ctx = tact_app::Ctx::new(signed.actor.clone());
    match state.app.execute(&ctx, command(id)).await {
        Ok(l) => crate::ui::said_and_go(&state, &format!("/letters/{id}"), Some(&letter_said(&l))),
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
    frame: Frame<'a>,
    heading: String,
    rows: Vec<(i64, String)>,
}

async fn queue(
    State(state): State<AppState>,
    signed: Signed,
    PageQuery(q): PageQuery<QueueQuery>,
) -> Response {
    let status =
        or_page!(
            LetterStatus::parse_or(q.status.as_deref(), LetterStatus::ToPrint)
                .map_err(|e| refusal(&state, &signed, e.into()))
        );
    let list = or_page!(crate::ui_step::read(&state, &signed, q::LettersIn { status }).await);
    render(&QueuePage {
        frame: Frame::of(&state, &signed),
        heading: match status {
            LetterStatus::ToPrint => "Letters to print and post".into(),
            LetterStatus::Failed => "Emails that could not be sent".into(),
            s => capital(status_words(s)),
        },
        // Whoever prints and posts them, or sees an email fail, needs to know where each
        // goes: the postal address (or email address) it was written to.
        rows: list
            .iter()
            .map(|l| (l.id, format!("{} — to {}", describe(l), l.to_address)))
            .collect(),
    })
}
