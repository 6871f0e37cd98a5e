//! The workflow steps as GOV.UK forms: one generic form page, filled per step, with an
//! error summary and inline messages from the core's refusals (which name the field).
//! Every GET checks the role before showing a form, so what a role may not do is neither
//! offered nor reachable by typing its address; every POST checks the CSRF token.

use crate::ui::or_page;
use crate::ui::Frame;
use crate::ui::PagePath;
use crate::ui::PostedTo;
use crate::ui::{error_page, refusal, render, Signed};
use crate::ui_back::Buttons;
use crate::ui_step::{self as step, Form, FormStep, PersonStep, Pipe, PlanForm};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;
use tact_app::query as q;
use tact_app::AppError;
use tact_app::{App, Handles};
use tact_core::command::{self as cmd, Fixed};
use tact_core::ids::*;
use tact_core::model::{EndedCall, Format};
use tact_core::profile::cited;
use tact_core::profile::{Answer, Channel};
use tact_core::workflow as wf;
use tact_core::RuleError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/plans/{id}", get(plan_page))
        .button("/plans/{id}/propose", propose, "/plans/{id}")
        .pipe(step::route_plan::<Review>)
        .pipe(step::route_person::<GiveWarning>)
        .pipe(step::route_plan::<Decide>)
        .pipe(step::route_plan::<Notice>)
        .pipe(step::route_person::<Incident<false>>)
        .pipe(step::route_person::<Incident<true>>)
        .pipe(step::route::<Checklist>)
        .pipe(step::route_person::<Draft>)
}

pub struct Field {
    pub name: String,
    pub label: String,
    pub hint: Option<String>,
    pub kind: &'static str,
    pub value: String,
    pub error: Option<String>,
    pub options: Vec<(String, String)>,
    /// For a revealing checkbox: the fields shown when it is ticked.
    pub children: Vec<Field>,
    /// A fixed input width in characters (`govuk-input--width-N`), if any.
    pub width: Option<u8>,
    /// What to say when it is left empty, for a question that must be answered: listed
    /// with every other error when a form comes back (issue 13).
    pub required: Option<String>,
}

/// A choice of channel, offering `channels` in that order.
pub(crate) fn channel_field(label: &str, channels: &[Channel]) -> Field {
    Field::new("select", "channel", label).options(
        channels
            .iter()
            .map(|c| (c.as_str().to_string(), capital(c.plain()))),
    )
}

impl Field {
    pub fn new(kind: &'static str, name: &str, label: &str) -> Self {
        Self {
            name: name.into(),
            label: label.into(),
            hint: None,
            kind,
            value: String::new(),
            error: None,
            options: Vec::new(),
            children: Vec::new(),
            width: None,
            required: None,
        }
    }
    /// A question that must be answered: left empty, it is asked for in core's plain
    /// words ("Enter the reasons").
    pub fn required(mut self) -> Self {
        self.required = Some(tact_core::error::enter(&self.name));
        self
    }
    /// A question that must be answered, asked for in `message` ("Select authorise or
    /// refuse", "Enter why you ended the call").
    pub fn ask(mut self, message: &str) -> Self {
        self.required = Some(message.into());
        self
    }
    /// A group of boxes to tick, one for each of `options`, those in `ticked` ticked. Each
    /// box is sent as `{name}-{value}` = `yes` (a form holds one value a name), and read
    /// back with [`ticked_ids`].
    pub fn boxes(
        name: &str,
        label: &str,
        options: Vec<(String, String)>,
        ticked: &[String],
    ) -> Self {
        let mut f = Self::new("checkboxes", name, label).options(options);
        f.value = ticked.join(",");
        f
    }
    /// Whether the box for option `v` of a group ([`Field::boxes`]) is ticked.
    pub fn ticks(&self, v: &str) -> bool {
        self.value.split(',').any(|x| x == v)
    }
    pub fn hint(mut self, h: &str) -> Self {
        self.hint = Some(h.into());
        self
    }
    pub fn width(mut self, w: u8) -> Self {
        self.width = Some(w);
        self
    }
    pub fn options<I: IntoIterator<Item = (String, String)>>(mut self, o: I) -> Self {
        self.options = o.into_iter().collect();
        if self.value.is_empty() && self.kind == "select" {
            self.value = self
                .options
                .first()
                .map(|o| o.0.clone())
                .unwrap_or_default();
        }
        self
    }
    /// A date field's parts, from its value ("2027-01-07", or what was typed): day, month
    /// and year, as the GOV.UK date input shows them.
    fn date_part(&self, i: usize) -> String {
        let parts: Vec<&str> = self.value.splitn(3, '-').collect();
        if parts.len() != 3 {
            return String::new();
        }
        let part = parts[2 - i].trim();
        // "07" is shown as typed would be: 7.
        match part.parse::<u32>() {
            Ok(n) if i < 2 => n.to_string(),
            _ => part.to_string(),
        }
    }
    pub fn day(&self) -> String {
        self.date_part(0)
    }
    pub fn month(&self) -> String {
        self.date_part(1)
    }
    pub fn year(&self) -> String {
        self.date_part(2)
    }

    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.name));
        }
        ids.join(" ")
    }
}

// What a form is made from. Each is a read that adds to the form ([`step::read_if_allowed`]):
// left out where this member of staff may not make it (the command is then refused in its
// turn, by the same role), and the error page where it fails, never an empty choice that
// reads as if there were nothing to choose.

/// The format a person asked for, where this member of staff may read their record.
pub(crate) async fn preferred_format(
    state: &AppState,
    signed: &Signed,
    person: PersonId,
) -> Result<Option<Format>, Response> {
    let person = step::read_if_allowed(state, signed, q::Person { id: person }).await?;
    Ok(person.map(|p| p.preferred_format))
}

/// Whether equality monitoring answers are recorded for a person: never what they are.
pub(crate) async fn has_equality(
    state: &AppState,
    signed: &Signed,
    person: PersonId,
) -> Result<bool, Response> {
    let recorded = step::read_if_allowed(state, signed, q::HasEquality { person }).await?;
    Ok(recorded.unwrap_or(false))
}

pub(crate) fn yes_no() -> Vec<(String, String)> {
    vec![("yes".into(), "Yes".into()), ("no".into(), "No".into())]
}

/// A list whose reader must choose: "Choose …" first, empty and chosen, then `options`. For
/// a choice with consequences (what kind of behaviour, what they need, what was done), where
/// the first option taken because nobody changed it would be an answer nobody gave; left as
/// it is, the form is refused on that box.
pub(crate) fn to_choose<I: IntoIterator<Item = (String, String)>>(
    prompt: &str,
    options: I,
) -> Vec<(String, String)> {
    std::iter::once((String::new(), prompt.to_string()))
        .chain(options)
        .collect()
}

/// A checklist answer in the words its form offered it with.
fn answer_words(a: Answer) -> &'static str {
    match a {
        Answer::Yes => "Yes",
        Answer::No => "No",
        Answer::NotApplicable => "Does not apply",
    }
}

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage<'a> {
    frame: Frame<'a>,
    heading: String,
    caption: String,
    intro: Vec<String>,
    links: Vec<(String, String)>,
    quoted: Option<String>,
    why_not: Option<(String, Vec<String>)>,
    action: String,
    fields: Vec<Field>,
    submit: String,
    back: String,
    evidence: Option<String>,
    person: Option<(i64, String)>,
    errors: Vec<(String, String)>,
    /// This showing of the form, sent back with it: a form sent twice (a double click, a
    /// second press while the first is answered) is saved once ([`ONCE`]).
    once: String,
}

/// The field that says which showing of a form was sent. The command it sends is written
/// under it as its idempotency key (`form:` and the value), in the same transaction as what
/// it writes, as the API's `Idempotency-Key`: the same showing sent again writes nothing
/// (`ui_step::take_at`).
pub(crate) const ONCE: &str = "once";

/// A form's spec, or the page to answer with instead: where a read the form is made from
/// fails, the error page (never an empty choice that reads as if there were none).
pub(crate) type SpecOrPage = Result<Spec, Response>;

/// A form: what it says, where it posts (by default its step's path), its fields, and
/// where "Back" goes (by default one level up from where it posts).
#[derive(Default)]
pub(crate) struct Spec {
    pub heading: String,
    pub caption: String,
    pub intro: Vec<String>,
    /// Pages to go to from the form, after its introduction: (address, words).
    pub links: Vec<(String, String)>,
    /// What the person wrote, shown as they wrote it (its line breaks kept), after the
    /// introduction: what a form asks staff to read and judge.
    pub quoted: Option<String>,
    /// Why some choices the form could have had are not offered now: a summary ("Why some
    /// letters are not offered") and a line for each, shown folded under the introduction
    /// so the form stays short for someone on a call.
    pub why_not: Option<(String, Vec<String>)>,
    pub action: String,
    pub fields: Vec<Field>,
    pub submit: &'static str,
    pub back: String,
    /// The evidence a decision is made with, as HTML Tact made (a decision on a plan).
    pub evidence: Option<String>,
    /// The service user the form is about, as a link to their page, above its caption:
    /// (their id, their name and reference). Filled in from the record for a form step.
    pub person: Option<(i64, String)>,
}

impl Spec {
    /// Whether the form has a question named `name`, at the top or in a revealed box.
    pub(crate) fn asks(&self, name: &str) -> bool {
        self.fields
            .iter()
            .any(|f| f.name == name || f.children.iter().any(|c| c.name == name))
    }
}

/// Renders a form, with the values the person typed and any refusal placed on its field.
pub(crate) fn show(
    state: &AppState,
    signed: &Signed,
    mut spec: Spec,
    values: Option<&HashMap<String, String>>,
    error: Option<RuleError>,
) -> Response {
    if let Some(v) = values {
        for f in &mut spec.fields {
            // A group of boxes comes back as the boxes that were ticked: none sent, none.
            if f.kind == "checkboxes" {
                f.value = f
                    .options
                    .iter()
                    .filter(|(o, _)| v.contains_key(&format!("{}-{o}", f.name)))
                    .map(|(o, _)| o.clone())
                    .collect::<Vec<_>>()
                    .join(",");
                continue;
            }
            if let Some(x) = v.get(&f.name) {
                f.value = x.clone();
            }
            for c in &mut f.children {
                if let Some(x) = v.get(&c.name) {
                    c.value = x.clone();
                }
            }
        }
    }
    let mut errors = Vec::new();
    if let Some(e) = &error {
        let message = refusal_words(&e.message, e.clause.as_deref());
        // Every field that can carry an error, with where it sits: (field, child).
        let slots: Vec<(usize, Option<usize>, &str)> = spec
            .fields
            .iter()
            .enumerate()
            .filter(|(_, x)| x.kind != "heading")
            .flat_map(|(i, x)| {
                std::iter::once((i, None, x.name.as_str())).chain(
                    x.children
                        .iter()
                        .enumerate()
                        .map(move |(j, c)| (i, Some(j), c.name.as_str())),
                )
            })
            .collect();
        let target = e.field.as_deref().and_then(|f| {
            let path = f.split('[').next().unwrap_or(f);
            let exact = path.replace('.', "__");
            let last = path.split('.').next_back().unwrap_or(path);
            let within = format!("{exact}__");
            slots
                .iter()
                .find(|s| s.2 == exact)
                .or_else(|| slots.iter().find(|s| s.2 == last || s.2.ends_with(last)))
                // A list the form asks one field an item (`overrides__7`): its first.
                .or_else(|| slots.iter().find(|s| s.2.starts_with(&within)))
                .map(|s| (s.0, s.1))
        });
        let (i, j) = target
            .or_else(|| slots.first().map(|s| (s.0, s.1)))
            .unwrap_or((0, None));
        let slot = match j {
            Some(j) => spec.fields.get_mut(i).and_then(|f| f.children.get_mut(j)),
            None => spec.fields.get_mut(i),
        };
        if let Some(f) = slot {
            f.error = Some(message.clone());
            errors.push((f.name.clone(), message));
        }
    }
    // Every other question left empty is listed too, so one submit shows every error.
    if let (Some(_), Some(v)) = (&error, values) {
        let already: Vec<String> = errors.iter().map(|(n, _)| n.clone()).collect();
        let empty = |name: &str| v.get(name).is_none_or(|x| x.trim().is_empty());
        let mut more = Vec::new();
        let mut ask = |f: &mut Field| {
            if let Some(message) = f.required.clone() {
                if empty(&f.name) && !already.contains(&f.name) {
                    f.error = Some(message.clone());
                    more.push((f.name.clone(), message));
                }
            }
        };
        for f in &mut spec.fields {
            ask(f);
            // Questions inside a revealed box count only when it is open.
            if f.kind == "reveal" && !empty(&f.name) {
                for c in &mut f.children {
                    ask(c);
                }
            }
        }
        errors.extend(more);
        // In the order the questions are asked.
        let order: Vec<String> = spec
            .fields
            .iter()
            .flat_map(|f| {
                std::iter::once(f.name.clone()).chain(f.children.iter().map(|c| c.name.clone()))
            })
            .collect();
        errors.sort_by_key(|(n, _)| order.iter().position(|o| o == n).unwrap_or(usize::MAX));
    }
    // The same status the API gives for the same refusal. A record not found is on the
    // form only when the form named it (`refused`), which the API answers 422
    // (`api::missing_is_unprocessable`).
    let status = match error.as_ref().map(|e| e.kind) {
        None => StatusCode::OK,
        Some(tact_core::RuleErrorKind::Conflict) => StatusCode::CONFLICT,
        Some(tact_core::RuleErrorKind::Forbidden) => StatusCode::FORBIDDEN,
        Some(tact_core::RuleErrorKind::NotFound) => StatusCode::UNPROCESSABLE_ENTITY,
        Some(tact_core::RuleErrorKind::Invalid) => StatusCode::BAD_REQUEST,
    };
    let page = FormPage {
        frame: Frame::of(state, signed),
        heading: spec.heading,
        caption: spec.caption,
        intro: spec.intro,
        links: spec.links,
        quoted: spec.quoted,
        why_not: spec.why_not,
        action: spec.action,
        fields: spec.fields,
        submit: spec.submit.into(),
        back: spec.back,
        evidence: spec.evidence,
        person: spec.person,
        errors,
        once: hex::encode(rand::random::<[u8; 16]>()),
    };
    (status, render(&page)).into_response()
}

pub(crate) fn not_found_page(state: &AppState, signed: &Signed, what: &str) -> Response {
    error_page(
        state,
        Some(signed),
        StatusCode::NOT_FOUND,
        "Page not found",
        &format!("There is no such {what}."),
    )
}

/// A decision and the reasons for it, as every decision form asks: the choice's field
/// `name` with its two options (value, label), and the reasons' field `reasons`. Left
/// unchosen, the form says which two to choose between.
pub(crate) fn decision_fields(
    name: &str,
    yes: (&str, &str),
    no: (&str, &str),
    reasons: &str,
) -> Vec<Field> {
    let word = |label: &str| label.split(' ').next().unwrap_or(label).to_lowercase();
    let ask = format!("Select {} or {}", word(yes.1), word(no.1));
    vec![
        Field::new("radios", name, "Your decision")
            .options([yes, no].map(|(v, l)| (v.to_string(), l.to_string())))
            .ask(&ask),
        Field::new("textarea", reasons, "Your reasons").required(),
    ]
}

/// Formats as choices on a form, in the words a letter's reader knows them by ("Easy
/// Read", "Large print"), the same on every form.
pub(crate) fn format_options<const N: usize>(
    formats: [Format; N],
) -> impl Iterator<Item = (String, String)> {
    formats
        .into_iter()
        .map(|f| (f.as_str().to_string(), capital(wf::format_words(f))))
}

pub(crate) use tact_core::check::capital;

/// A refusal's message as a page or form error says it: with the clause it cites, but
/// none for a local rule (the policy is silent on it, so there is no clause to name).
pub(crate) fn refusal_words(message: &str, clause: Option<&str>) -> String {
    match clause {
        Some(c) if c != tact_core::profile::LOCAL => format!("{} ({c})", capital(message)),
        _ => capital(message),
    }
}

/// The refusal page for a role that may not take a command (or make a read) of kind `K`:
/// core's own refusal ([`cmd::permit_kind`]), naming the roles that may and the clause, as
/// the API gives it. The kind says the action; the page never picks one.
pub(crate) fn forbidden<K: Fixed>(state: &AppState, signed: &Signed) -> Option<Response> {
    step::unless(
        state,
        signed,
        cmd::permit_kind::<K>(&state.app.profile, &signed.actor).err(),
    )
}

/// Reads a file form's fields in order, giving `take` each one's name, file name (for a
/// file) and bytes; the reader's refusal ([`upload_refusal`] words it) stops it.
pub(crate) async fn read_multipart(
    mut form: axum::extract::Multipart,
    mut take: impl FnMut(String, Option<String>, axum::body::Bytes),
) -> Result<(), axum::extract::multipart::MultipartError> {
    while let Some(field) = form.next_field().await? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        take(name, file_name, field.bytes().await?);
    }
    Ok(())
}

/// A file form's reader's refusal as the form says it, on `field`: a body over the route's
/// limit is a file too large, naming `most`, the most a file may be there (413, as the API
/// answers a body too large); anything else, a form that could not be read (422, as a file
/// Tact cannot take).
pub(crate) fn upload_refusal(
    e: &axum::extract::multipart::MultipartError,
    field: &str,
    most: usize,
) -> (StatusCode, RuleError) {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        let mb = most.div_ceil(1024 * 1024);
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            RuleError::invalid(
                field,
                format!("the file is larger than {mb} MB, the most Tact takes here; nothing was changed"),
            ),
        )
    } else {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            RuleError::invalid(
                field,
                format!("the form could not be read ({})", e.body_text()),
            ),
        )
    }
}

/// The refusal page for a form posted without this session's CSRF token.
pub(crate) fn bad_csrf(
    state: &AppState,
    signed: &Signed,
    form: &HashMap<String, String>,
) -> Option<Response> {
    if form.get("csrf") == Some(&signed.csrf) {
        None
    } else {
        Some(error_page(
            state,
            Some(signed),
            StatusCode::FORBIDDEN,
            "There is a problem",
            "The form was out of date. Go back and try again.",
        ))
    }
}

pub(crate) fn val<'a>(form: &'a HashMap<String, String>, k: &str) -> &'a str {
    form.get(k).map_or("", |s| s.trim())
}

/// The value of a choice (radios): the one of `options` the form chose, or a refusal on
/// that field saying `missing`.
pub(crate) fn pick<T: Copy>(
    form: &HashMap<String, String>,
    field: &str,
    options: &[(&str, T)],
    missing: &str,
) -> Result<T, RuleError> {
    let chosen = val(form, field);
    options
        .iter()
        .find(|(k, _)| *k == chosen)
        .map(|(_, v)| *v)
        .ok_or_else(|| RuleError::invalid(field, missing))
}

/// The value of a closed list (`tact_core::words!`) chosen for `field`, or the form's
/// error `missing` on it: nothing chosen, or a value that was not offered ([`chosen`],
/// whose refusal of a word not offered is `missing` too).
pub(crate) fn pick_word<T: tact_core::words::Words>(
    form: &HashMap<String, String>,
    field: &str,
    missing: &str,
) -> Result<T, RuleError> {
    let offered = |v: &str| T::from_word(v).ok_or_else(|| RuleError::invalid(field, missing));
    chosen(form, field, offered, missing)
}

/// The caption of a form about person `id`: their name and reference.
pub(crate) async fn caption_of(
    state: &AppState,
    signed: &Signed,
    id: i64,
) -> Result<String, Response> {
    Ok(person_caption(state, signed, id).await?.unwrap_or_default())
}

/// A refusal from the core goes back onto the form; anything else becomes an error page.
pub(crate) fn refused(
    state: &AppState,
    signed: Signed,
    spec: Spec,
    form: &HashMap<String, String>,
    e: AppError,
) -> Response {
    let e = match e {
        AppError::Rule(r) => AppError::Rule(on_its_box(state, r, &spec, form)),
        other => other,
    };
    match e {
        AppError::Rule(r)
            if matches!(
                r.kind,
                tact_core::RuleErrorKind::Invalid | tact_core::RuleErrorKind::Conflict
            ) =>
        {
            show(state, &signed, spec, Some(form), Some(r))
        }
        // A record the form named that is not there (a reference typed wrong) is an error on
        // that field, with the API's 422, not a page that loses what was typed; an item of a
        // list (`overrides[1].adjustment_id`) on the list's field. A missing record the form
        // is about has no field on it, and stays a page.
        AppError::Rule(r)
            if r.kind == tact_core::RuleErrorKind::NotFound
                && r.field
                    .as_deref()
                    .is_some_and(|f| spec.asks(crate::error::first_name(f))) =>
        {
            show(state, &signed, spec, Some(form), Some(r))
        }
        // A record someone else has just changed (a plan decided by another senior manager,
        // a contact already screened) is a 409 on the form, as in the API, not a fault.
        AppError::Store(tact_store::StoreError::Conflict(message)) => show(
            state,
            &signed,
            spec,
            Some(form),
            Some(RuleError {
                kind: tact_core::RuleErrorKind::Conflict,
                clause: None,
                field: None,
                message,
                overridden_by: None,
            }),
        ),
        other => refusal(state, &signed, other),
    }
}

/// A person's name and reference: `None` where they are not there or may not be read.
pub(crate) async fn person_caption(
    state: &AppState,
    signed: &Signed,
    id: i64,
) -> Result<Option<String>, Response> {
    let label = step::read_if_allowed(state, signed, q::Label { id: PersonId(id) }).await?;
    Ok(label.flatten())
}

// ----- incidents and ended calls --------------------------------------------------------

fn incident_spec(state: &AppState, id: i64, ended: bool) -> Spec {
    let p = &state.app.profile;
    let mut fields = vec![
        Field::new("select", "category", "What kind of behaviour was it?")
            .options(to_choose(
                "Choose the kind of behaviour",
                p.categories
                    .iter()
                    .map(|c| (c.id.clone(), format!("{} ({})", c.name, cited(&c.clause)))),
            ))
            .ask("Select what kind of behaviour it was"),
        Field::new("textarea", "description", "What did they say or do?")
            .required()
            .hint("Write what happened, as it happened."),
    ];
    let (heading, action, submit) = if ended {
        fields.push(
            Field::new("textarea", "reason", "Why did you end the call?")
                .ask("Enter why you ended the call"),
        );
        fields.push(
            Field::new("textarea", "file_note", "File note")
                .ask("Enter a note of the call for the file")
                .hint(
                    "What you told the caller before ending the call, and anything else you did.",
                ),
        );
        // What the policy asks of the call before it is ended, so the answer is read against
        // it: a warning first (CLE-4.4), or none (NOR-6.1).
        let asked = if p.rules.warn_before_ending_call {
            format!(
                "The policy asks you to warn them before ending the call ({}).",
                cited(&p.clauses.end_call)
            )
        } else {
            format!(
                "The policy does not ask for a warning before ending an aggressive, abusive or \
                 offensive call ({}); say whether you gave one.",
                cited(&p.clauses.end_call)
            )
        };
        fields.push(
            Field::new(
                "radios",
                "caller_warned",
                "Did you tell them the behaviour was unacceptable, why, and that you would end the call if it went on?",
            )
            .options(yes_no())
            .ask("Select whether you warned them before ending the call")
            .hint(&asked),
        );
        (
            "Log the call as ended",
            format!("/people/{id}/ended-call"),
            "Log the ended call",
        )
    } else {
        (
            "Record behaviour",
            format!("/people/{id}/incident"),
            "Record it",
        )
    };
    let intro = if ended {
        vec![format!(
            "Your line manager will be asked to follow this up ({}).",
            cited(&p.clauses.ended_call_follow_up)
        )]
    } else {
        Vec::new()
    };
    Spec {
        heading: heading.into(),
        intro,
        action,
        fields,
        submit,
        back: format!("/people/{id}"),
        ..Spec::default()
    }
}

/// The incident as the form gives it; with `ended`, the call's ending too (CLE-4.4; NOR-3.3).
fn incident_command(
    state: &AppState,
    signed: &Signed,
    id: i64,
    form: &Form,
    ended: bool,
) -> Result<cmd::RecordIncident, RuleError> {
    let ended_call = if ended {
        Some(EndedCall {
            reason: val(form, "reason").into(),
            file_note: val(form, "file_note").into(),
            caller_warned: pick(
                form,
                "caller_warned",
                &[("yes", true), ("no", false)],
                "select whether you warned them before ending the call",
            )?,
        })
    } else {
        None
    };
    Ok(cmd::RecordIncident {
        input: wf::IncidentInput {
            person_id: PersonId(id),
            matter_id: None,
            contact_id: None,
            category: chosen(
                form,
                "category",
                |c| Ok(c.to_string()),
                "select what kind of behaviour it was",
            )?,
            description: val(form, "description").into(),
            occurred_at: state.app.now(),
            staff_id: signed.actor.id,
            ended_call,
        },
    })
}

/// Recording unacceptable behaviour, or (with `ENDED`) logging a call that was ended, with
/// why: one command, the second form needing the end-call action (CLE-4.4; NOR-3.3).
struct Incident<const ENDED: bool>;

impl<const ENDED: bool> PersonStep for Incident<ENDED> {
    type Command = cmd::RecordIncident;
    const PATH: &'static str = if ENDED {
        "/people/{id}/ended-call"
    } else {
        "/people/{id}/incident"
    };

    fn role_refusal(state: &AppState, signed: &Signed) -> Option<Response> {
        if ENDED {
            forbidden::<cmd::EndCall>(state, signed)
        } else {
            forbidden::<cmd::RecordIncident>(state, signed)
        }
    }
    async fn spec(state: &AppState, _: &Signed, id: i64) -> SpecOrPage {
        Ok(incident_spec(state, id, ENDED))
    }
    fn command(
        state: &AppState,
        signed: &Signed,
        id: i64,
        form: &Form,
    ) -> Result<Self::Command, RuleError> {
        incident_command(state, signed, id, form, ENDED)
    }
    fn said(
        _: &AppState,
        (_, tasks): &<tact_app::App as tact_app::Handles<Self::Command>>::Output,
    ) -> Option<String> {
        let what = if ENDED {
            "The ended call is logged"
        } else {
            "The behaviour is recorded"
        };
        Some(if tasks.is_empty() {
            format!("{what}.")
        } else {
            format!("{what}: a line manager is asked to follow it up.")
        })
    }
}

// ----- warnings -------------------------------------------------------------------------

/// A warning about their behaviour (CLE-9.1–9.3; NOR-5.2).
struct GiveWarning;

impl PersonStep for GiveWarning {
    type Command = cmd::GiveWarning;
    const PATH: &'static str = "/people/{id}/warning";

    async fn spec(state: &AppState, signed: &Signed, id: i64) -> SpecOrPage {
        let p = &state.app.profile;
        let records = step::read(
            state,
            signed,
            q::PlanContextOf {
                person: PersonId(id),
            },
        )
        .await?;
        let about = incident_boxes(
            p,
            &records.incidents,
            &wf::unwarned_incidents(&records.incidents, &records.warnings),
            "Which behaviour is it about?",
            "Ticked: what has happened since they were last warned.",
        );
        Ok(Spec {
            heading: "Warn about their behaviour".into(),
            intro: vec![format!(
                "Tell them what is wrong, how to change, and what happens if they do not ({}).",
                cited(&p.clauses.warning_first)
            )],
            fields: about
                .into_iter()
                .chain([
                    Field::new(
                        "textarea",
                        "what_is_wrong",
                        "What is wrong with their behaviour, and why it is unacceptable",
                    )
                    .required(),
                    Field::new("textarea", "how_to_change", "How they can change it").required(),
                    Field::new(
                        "textarea",
                        "consequence",
                        "What will happen if it continues",
                    )
                    .required(),
                    channel_field(
                        "How the warning was given",
                        &[
                            Channel::Letter,
                            Channel::Email,
                            Channel::Phone,
                            Channel::Visit,
                        ],
                    ),
                ])
                .collect(),
            submit: "Record the warning",
            ..Spec::default()
        })
    }
    fn command(
        state: &AppState,
        _: &Signed,
        id: i64,
        form: &Form,
    ) -> Result<Self::Command, RuleError> {
        Ok(cmd::GiveWarning {
            person: PersonId(id),
            input: wf::WarningInput {
                incident_ids: ticked_ids(form, "incident_ids", IncidentId)?,
                what_is_wrong: val(form, "what_is_wrong").into(),
                how_to_change: val(form, "how_to_change").into(),
                consequence: val(form, "consequence").into(),
                channel: chosen(form, "channel", Channel::parse, "choose how it was given")?,
                given_at: state.app.now(),
            },
        })
    }
    fn said(_: &AppState, _: &tact_core::model::Warning) -> Option<String> {
        Some("The warning is recorded.".into())
    }
}

// ----- drafting a plan ------------------------------------------------------------------

async fn plan_spec(state: &AppState, signed: &Signed, id: i64, caption: String) -> SpecOrPage {
    let p = &state.app.profile;
    let matters = matters_of(state, signed, PersonId(id)).await?;
    let staff = colleagues(state, signed).await?;
    let review = tact_core::check::uk_date(state.app.now())
        + jiff::Span::new().days(28 * i64::from(p.rules.max_review_interval_months.min(3)));
    let mut review_field = Field::new("date", "review_due", "Review date").hint(&format!(
        "No more than {} months away ({}). For example, {}",
        p.rules.max_review_interval_months,
        cited(&p.clauses.review_interval),
        review.strftime("%-d %-m %Y")
    ));
    review_field.value = review.to_string();
    let incidents = step::read(
        state,
        signed,
        q::Incidents {
            person: PersonId(id),
        },
    )
    .await?;
    // Someone already warned is not asked why they were not (core refuses a reason then).
    let warnings = step::read(
        state,
        signed,
        q::Warnings {
            person: PersonId(id),
        },
    )
    .await?;
    let warned = wf::first_warning(&warnings, PersonId(id), state.app.now());
    let mut fields = vec![
        Field::new("select", "matter_id", "Which matter does it cover?")
            .options(matters.iter().map(crate::ui::matter_option)),
    ];
    fields.extend(incident_boxes(
        p,
        &incidents,
        &incidents.iter().collect::<Vec<_>>(),
        "Which behaviour does it answer?",
        "With none ticked, it answers every incident on their record.",
    ));
    fields.extend(crate::ui_restrictions::fields(p, &matters, &staff));
    fields.extend([
        Field::new("heading", "h2", "Why"),
        Field::new("textarea", "reasons", "The behaviour it responds to").required(),
        Field::new("textarea", "aims", "What it aims to achieve").required(),
        Field::new(
            "textarea",
            "proportionality",
            "Why it is fair, reasonable and proportionate",
        )
        .required(),
    ]);
    let mut intro = vec![format!(
        "A {} covers only the matters it names ({}).",
        p.terms.plan,
        cited(&p.clauses.matter_scope)
    )];
    match warned {
        None => fields.push(
            Field::new(
                "textarea",
                "no_warning_reason",
                "No warning has been given: why it was not possible to give one",
            )
            .hint(&format!(
                "Only some behaviour may be restricted without a warning first ({}).",
                cited(&p.clauses.warning_first)
            )),
        ),
        Some(w) => intro.push(format!(
            "They were warned on {} ({}).",
            tact_core::check::long_day(w.given_at),
            cited(&p.clauses.warning_first)
        )),
    }
    fields.extend([
        review_field,
        Field::new("date", "ends_on", "End date (optional)").hint("For example, 30 6 2027"),
    ]);
    Ok(Spec {
        heading: format!("Start a {}", p.terms.plan),
        caption,
        intro,
        fields,
        submit: "Save as a draft",
        ..Spec::default()
    })
}

/// The ids ticked in a group of boxes ([`Field::boxes`]), in order, each made a record's id
/// by `id` (as [`optional_choice`] makes its one): each box sent as `{name}-{id}` = `yes`.
///
/// # Errors
/// A box sent with anything but `yes`, or one whose id is not a number: 400 on `name`,
/// never a box taken as ticked or not by default.
pub(crate) fn ticked_ids<T>(
    form: &Form,
    name: &str,
    id: fn(i64) -> T,
) -> Result<Vec<T>, RuleError> {
    let prefix = format!("{name}-");
    let mut ids = Vec::new();
    for (k, v) in form {
        if let Some(n) = k.strip_prefix(&prefix) {
            match (n.parse::<i64>(), v.as_str()) {
                (Ok(n), "yes") => ids.push(n),
                _ => return Err(RuleError::invalid(name, "tick only the boxes offered")),
            }
        }
    }
    ids.sort_unstable();
    Ok(ids.into_iter().map(id).collect())
}

/// The person's incidents as boxes to tick (`incident_ids`), those in `ticked` ticked; none
/// where they have no incident on record.
fn incident_boxes(
    p: &tact_core::profile::Profile,
    incidents: &[tact_core::model::Incident],
    ticked: &[&tact_core::model::Incident],
    label: &str,
    hint: &str,
) -> Option<Field> {
    (!incidents.is_empty()).then(|| {
        Field::boxes(
            "incident_ids",
            label,
            incidents
                .iter()
                .map(|i| (i.id.to_string(), crate::ui::incident_line(p, i)))
                .collect(),
            &ticked.iter().map(|i| i.id.to_string()).collect::<Vec<_>>(),
        )
        .hint(hint)
    })
}

pub(crate) fn date_field(
    form: &HashMap<String, String>,
    name: &str,
) -> Result<Option<jiff::civil::Date>, RuleError> {
    match val(form, name) {
        "" => Ok(None),
        s => s.parse().map(Some).map_err(|_| {
            RuleError::invalid(
                name,
                "Enter a real date, with the day, month and year, for example 31 1 2027",
            )
        }),
    }
}

/// Drafting a plan for a person: the matter it covers, its restrictions each with a reason,
/// why, what it aims at, why it is proportionate, and its review date.
struct Draft;

impl PersonStep for Draft {
    type Command = cmd::DraftPlan;
    const PATH: &'static str = "/people/{id}/plan";

    async fn spec(state: &AppState, signed: &Signed, id: i64) -> SpecOrPage {
        plan_spec(state, signed, id, String::new()).await
    }
    fn command(
        state: &AppState,
        _: &Signed,
        id: i64,
        form: &Form,
    ) -> Result<Self::Command, RuleError> {
        let input = wf::PlanInput {
            matter_ids: optional_choice(
                form,
                "matter_id",
                MatterId,
                "choose one of their matters",
            )?
            .into_iter()
            .collect(),
            incident_ids: ticked_ids(form, "incident_ids", IncidentId)?,
            restrictions: crate::ui_restrictions::parse(&state.app.profile, form)?,
            reasons: val(form, "reasons").into(),
            aims: val(form, "aims").into(),
            proportionality: val(form, "proportionality").into(),
            no_warning_reason: Some(val(form, "no_warning_reason").to_string()),
            review_due: date_field(form, "review_due")?
                .ok_or_else(|| RuleError::invalid("review_due", "enter the review date"))?,
            ends_on: date_field(form, "ends_on")?,
        };
        Ok(cmd::DraftPlan {
            person: PersonId(id),
            input,
        })
    }
    fn done(_: i64, plan: &tact_core::model::Plan) -> String {
        format!("/plans/{}", plan.id)
    }
    fn said(state: &AppState, plan: &tact_core::model::Plan) -> Option<String> {
        Some(format!(
            "{} Answer the checklist, then propose it for authorisation.",
            step::plan_standing(state, plan)
        ))
    }
}

// ----- the plan page and its steps ------------------------------------------------------

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage<'a> {
    frame: Frame<'a>,
    heading: String,
    person: (i64, String),
    status: String,
    lines: Vec<String>,
    checklist: Vec<(String, String, String)>,
    actions: Vec<(String, String)>,
    disputes: Vec<(Option<String>, String)>,
    can_propose: bool,
    /// What still stands in the way of proposing a draft, where its reader could otherwise.
    not_yet: Option<String>,
    /// Where to put right what stops the proposal: the clause that asks for each covered
    /// matter's review route exhausted, and a link to each matter's status still open.
    put_right: Option<(String, Vec<(String, String)>)>,
    /// Why it cannot be applied to each of the person's other matters, where its reader
    /// could otherwise apply it but none can take it now (NOR-5.3: a review route still
    /// open; a request already waiting).
    not_applied: Vec<String>,
    error: Option<String>,
}

/// The plan in plain words: its restrictions with their reasons, what it covers, why, and
/// when it is reviewed; for the plan page and for whoever decides on it.
async fn plan_lines(
    state: &AppState,
    signed: &Signed,
    s: &tact_core::model::Plan,
    matters: &[tact_core::model::Matter],
) -> Result<Vec<String>, Response> {
    let names = crate::ui::Names::of(&state.app, &signed.actor)
        .await
        .map_err(|e| refusal(state, signed, e))?;
    let mut lines: Vec<String> = s
        .restrictions
        .iter()
        .map(|r| {
            format!(
                "{} — {}",
                capital(&crate::ui::describe(&r.rule, &names)),
                r.reason
            )
        })
        .collect();
    lines.push(format!(
        "Covers: {}",
        s.matter_ids
            .iter()
            .map(|id| crate::ui::matter_named(matters, *id))
            .collect::<Vec<_>>()
            .join("; ")
    ));
    for m in &s.pending_matters {
        let matter = crate::ui::matter_named(matters, m.matter_id);
        lines.push(match m.authorised_by {
            None => format!(
                "Asked to cover {matter} (by {}: {}): waiting for a decision ({})",
                names.name(m.requested_by),
                m.reason,
                cited(&state.app.profile.clauses.authorise_role)
            ),
            Some(by) => format!(
                "To cover {matter} (authorised by {}): once the written notice is recorded ({})",
                names.name(by),
                cited(&state.app.profile.clauses.notice_first)
            ),
        });
    }
    lines.push(format!("Reasons: {}", s.reasons));
    lines.push(format!("Aims: {}", s.aims));
    lines.push(format!("Why it is proportionate: {}", s.proportionality));
    // A lifted plan has no review to come: when it was lifted, and why, instead.
    lines.push(match s.lifted_at {
        Some(at) => format!(
            "Lifted on {}: {}",
            tact_core::check::long_day(at),
            s.lift_reason.as_deref().unwrap_or_default()
        ),
        None => format!("Review by {}", tact_core::check::long_date(s.review_due)),
    });
    if let Some(r) = &s.decision_reason {
        lines.push(format!("Decision: {r}"));
    }
    if let Some(n) = &s.notice {
        // When, how and in what format, as the person's page says it ("7 December 2026 by
        // letter (large print)"), not the stored word ("large-print").
        lines.push(format!(
            "Written notice sent {} {} ({}){}",
            tact_core::check::long_day(n.sent_at),
            n.channel.by(),
            wf::format_words(n.format),
            n.letter_id
                .map_or(String::new(), |l| format!(": letter {l}"))
        ));
    }
    Ok(lines)
}

async fn plan_page_with(
    state: &AppState,
    signed: &Signed,
    id: i64,
    error: Option<RuleError>,
) -> Response {
    let s = match state
        .app
        .query(&signed.actor, q::ViewPlan { id: PlanId(id) })
        .await
    {
        Ok(s) => s,
        Err(e) => return refusal(state, signed, e),
    };
    let p = &state.app.profile;
    let person = crate::ui::or_page!(
        crate::ui_step::read_if_allowed(state, signed, q::Person { id: s.person_id }).await
    );
    // The person's records: the matters the plan names, and what its steps are checked
    // against (a draft ready to propose, another matter to apply it to).
    let records = crate::ui::or_page!(
        crate::ui_step::read(
            state,
            signed,
            q::PlanContextOf {
                person: s.person_id
            }
        )
        .await
    );
    let lines = crate::ui::or_page!(plan_lines(state, signed, &s, &records.matters).await);
    let checklist = p
        .checklist
        .questions
        .iter()
        .map(|q| {
            let a = s.checklist.iter().find(|a| a.question_id == q.id);
            (
                q.text.clone(),
                a.map_or("Not answered".into(), |a| answer_words(a.answer).into()),
                a.map(|a| match &a.cannot_remedy_reason {
                    Some(why) => format!("{} Why it cannot be put right: {why}", a.reason),
                    None => a.reason.clone(),
                })
                .unwrap_or_default(),
            )
        })
        .collect();
    // A draft its reader could put forward but for what is still to do, or a plan they
    // could apply to another matter but for the matters: what that is, in the step's own
    // words, instead of a button or link the step would refuse.
    let wf::OfferedSteps {
        steps,
        not_proposed,
        not_applied,
    } = wf::offered_steps(p, &signed.actor, &s, &records.context(), state.app.now());
    // NOR-5.3: where a matter's review route still stands in the way, where to record that
    // it is exhausted, for whoever may.
    let put_right = (not_proposed.is_some()
        && cmd::offered::<cmd::SetMatterStatus>(p, &signed.actor))
    .then(|| wf::review_route_open(p, &s, &records.matters))
    .filter(|open| !open.is_empty())
    .map(|open| {
        let links = open
            .into_iter()
            .map(|m| {
                (
                    format!("/matters/{}/status", m.id),
                    format!("Change the status of {} — {}", m.reference, m.title),
                )
            })
            .collect();
        (
            tact_core::profile::cited(&p.clauses.review_exhausted).to_string(),
            links,
        )
    });
    let words = |e: RuleError| refusal_words(&e.message, e.clause.as_deref());
    let not_yet = not_proposed.map(words);
    let not_applied = not_applied.into_iter().map(words).collect();
    let mut actions: Vec<(String, String)> = steps
        .iter()
        .filter_map(|step| crate::ui_records::step_link(id, *step))
        .collect();
    if tact_core::correspondence::plan_letter_refusal(p, &signed.actor, &s).is_none() {
        actions.push((format!("/plans/{id}/letter"), "Write a letter".to_string()));
    }
    // Its disputes (NOR-7.1), each linked to its decision for whoever may take it. One
    // waiting that nobody in post may decide (each holder of the role took part) says so,
    // for whoever may read the staff list: an administrator can put that right.
    let disputes = crate::ui::or_page!(
        crate::ui_step::read(state, signed, q::PlanDisputes { plan: PlanId(id) }).await
    );
    let staff = if disputes.iter().any(|d| d.outcome.is_none()) {
        crate::ui::or_page!(step::read_if_allowed(state, signed, q::Colleagues {}).await)
    } else {
        None
    };
    let disputes = disputes
        .iter()
        .map(|d| {
            let href = wf::dispute_refusal(p, &signed.actor, d, &s)
                .is_none()
                .then(|| format!("/disputes/{}/decision", d.id));
            let mut line = capital(&crate::ui::dispute_line(p, d));
            let nobody = staff
                .as_deref()
                .is_some_and(|all| wf::dispute_deciders(p, d, &s, all).is_empty());
            if d.outcome.is_none() && nobody {
                line.push_str(&format!(
                    ". Nobody in post may decide it: every {} took part in the {}. An \
                     administrator can give the role to someone who took no part ({}).",
                    p.roles
                        .roles_for(tact_core::roles::Action::DecideDispute)
                        .iter()
                        .map(|r| r.plain())
                        .collect::<Vec<_>>()
                        .join(" or "),
                    p.terms.plan,
                    cited(&p.clauses.dispute_independent)
                ));
            }
            (href, line)
        })
        .collect();
    let page = PlanPage {
        frame: Frame::of(state, signed),
        heading: format!("{} {}", capital(&p.terms.plan), s.id),
        person: (
            s.person_id.0,
            person
                .as_ref()
                .map(tact_core::model::ServiceUser::name_and_reference)
                .unwrap_or_default(),
        ),
        status: tact_core::check::standing(p, &s, state.app.now()).to_string(),
        lines,
        checklist,
        actions,
        disputes,
        can_propose: steps.contains(&wf::PlanStep::Propose),
        not_yet,
        put_right,
        not_applied,
        error: error.map(|e| refusal_words(&e.message, e.clause.as_deref())),
    };
    let status = if page.error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    (status, render(&page)).into_response()
}

async fn plan_page(
    State(state): State<AppState>,
    signed: Signed,
    PagePath(id): PagePath<i64>,
) -> Response {
    plan_page_with(&state, &signed, id, None).await
}

async fn propose(State(state): State<AppState>, to: PostedTo) -> Response {
    let PostedTo {
        id,
        signed,
        form: _,
    } = to;
    match state
        .app
        .execute(
            &tact_app::Ctx::new(signed.actor.clone()),
            cmd::PlanStepCommand {
                plan: PlanId(id),
                command: wf::PlanCommand::Propose,
            },
        )
        .await
    {
        Ok(plan) => {
            let p = &state.app.profile;
            let who = p
                .roles
                .queue_for(tact_core::roles::Action::AuthorisePlan)
                .one();
            let said = format!(
                "{} {} is asked to authorise it ({}).",
                step::plan_standing(&state, &plan),
                capital(&who),
                cited(&p.clauses.authorise_role)
            );
            crate::ui::said_and_go(&state, &format!("/plans/{id}"), Some(&said))
        }
        Err(AppError::Rule(r))
            if r.kind != tact_core::RuleErrorKind::Forbidden
                && r.kind != tact_core::RuleErrorKind::NotFound =>
        {
            plan_page_with(&state, &signed, id, Some(r)).await
        }
        Err(e) => refusal(&state, &signed, e),
    }
}

/// The checklist of underlying causes (CLE-9.5; NOR-4.1): for each question answered, the
/// answer and the reason for it; at least one.
struct Checklist;

/// The checklist form's boxes for its question `n` (counting from 0): the answer, the reason
/// for it, and why a shortfall cannot be put right. Named once, for the form, its reader and
/// where a refusal of an answer goes ([`on_its_box`]).
mod checklist_box {
    pub(super) fn answer(n: usize) -> String {
        format!("q{n}")
    }
    pub(super) fn reason(n: usize) -> String {
        format!("r{n}")
    }
    pub(super) fn cannot_remedy(n: usize) -> String {
        format!("c{n}")
    }
    /// The question whose answer the box `name` is, if it is one.
    pub(super) fn answer_of(name: &str) -> Option<usize> {
        name.strip_prefix('q')?.parse().ok()
    }
    /// The box of question `n` for a part of an answer as the API names it
    /// (`answers[i].reason`).
    pub(super) fn for_part(part: &str, n: usize) -> String {
        match part {
            "reason" => reason(n),
            "cannot_remedy_reason" => cannot_remedy(n),
            _ => answer(n),
        }
    }
}

impl FormStep for Checklist {
    type Subject = tact_core::model::Plan;
    type Command = cmd::AnswerChecklist;
    const PATH: &'static str = "/plans/{id}/checklist";

    const REFUSED: step::Refusal<tact_core::model::Plan> =
        |p, a, plan| wf::step_refusal(p, a, plan, wf::PlanStep::AnswerChecklist);
    async fn spec(state: &AppState, _: &Signed, _: i64, _: &tact_core::model::Plan) -> SpecOrPage {
        let p = &state.app.profile;
        let mut fields = Vec::new();
        for (n, q) in p.checklist.questions.iter().enumerate() {
            let mut options = yes_no();
            if q.may_be_not_applicable {
                options.push((
                    Answer::NotApplicable.as_str().into(),
                    answer_words(Answer::NotApplicable).into(),
                ));
            }
            fields.push(Field::new("radios", &checklist_box::answer(n), &q.text).options(options));
            fields.push(
                Field::new("textarea", &checklist_box::reason(n), "Reason")
                    .hint("What on the file shows this."),
            );
            fields.push(
                Field::new(
                    "textarea",
                    &checklist_box::cannot_remedy(n),
                    "If this shows a shortfall that cannot be put right: why",
                )
                .hint(&format!(
                    "Otherwise a task is raised to put it right first ({}).",
                    cited(&p.clauses.checklist_shortfall)
                )),
            );
        }
        Ok(Spec {
            heading: "Underlying causes".into(),
            intro: vec![format!(
                "Answer each question with a reason before the {} can be proposed ({}).",
                p.terms.plan,
                cited(&p.checklist.clause)
            )],
            fields,
            submit: "Save the answers",
            ..Spec::default()
        })
    }
    async fn command(
        state: &AppState,
        _: &Signed,
        id: i64,
        _: &tact_core::model::Plan,
        form: &Form,
    ) -> Result<cmd::AnswerChecklist, AppError> {
        let checklist = &state.app.profile.checklist;
        let mut answers = Vec::new();
        for (n, q) in checklist.questions.iter().enumerate() {
            let a = val(form, &checklist_box::answer(n));
            if a.is_empty() {
                // A reason written for a question left unanswered would be lost without a
                // word: the question is asked for.
                if [checklist_box::reason(n), checklist_box::cannot_remedy(n)]
                    .iter()
                    .any(|b| !val(form, b).is_empty())
                {
                    return Err(RuleError::invalid(
                        &checklist_box::answer(n),
                        format!(
                            "choose an answer to: {}, or clear what is written for it",
                            q.text
                        ),
                    )
                    .with_clause(&checklist.clause)
                    .into());
                }
                continue;
            }
            let answer = Answer::parse(a).map_err(|e| e.with_field(&checklist_box::answer(n)))?;
            let reason = val(form, &checklist_box::reason(n));
            if reason.is_empty() {
                return Err(RuleError::invalid(
                    &checklist_box::reason(n),
                    format!("give the reason for your answer to: {}", q.text),
                )
                .with_clause(&checklist.clause)
                .into());
            }
            answers.push(wf::AnswerInput {
                question_id: q.id.clone(),
                answer,
                reason: reason.into(),
                cannot_remedy_reason: Some(val(form, &checklist_box::cannot_remedy(n)).to_string()),
            });
        }
        if answers.is_empty() {
            return Err(RuleError::invalid(
                &checklist_box::answer(0),
                "answer at least one question",
            )
            .into());
        }
        Ok(cmd::AnswerChecklist {
            plan: PlanId(id),
            answers,
        })
    }
    fn done(
        id: i64,
        _: &tact_core::model::Plan,
        _: &<App as Handles<cmd::AnswerChecklist>>::Output,
    ) -> String {
        format!("/plans/{id}")
    }
    fn said(
        state: &AppState,
        _: &Self::Subject,
        (_, tasks): &<App as Handles<Self::Command>>::Output,
    ) -> Option<String> {
        let p = &state.app.profile;
        Some(if tasks.is_empty() {
            "The checklist is saved.".into()
        } else {
            format!(
                "The checklist is saved. A task is raised to put each shortfall right before \
                 the {} is proposed ({}).",
                p.terms.plan,
                cited(&p.clauses.checklist_shortfall)
            )
        })
    }
}

/// A senior manager's decision on a proposed plan: authorise or refuse, with reasons.
struct Decide;

impl PlanForm for Decide {
    const STEP: wf::PlanStep = wf::PlanStep::Authorise;
    const PATH: &'static str = "/plans/{id}/decision";

    async fn spec(state: &AppState, signed: &Signed, plan: &tact_core::model::Plan) -> SpecOrPage {
        let p = &state.app.profile;
        // What is being decided, in full, before the decision.
        let matters = matters_of(state, signed, plan.person_id).await?;
        let mut intro = plan_lines(state, signed, plan, &matters).await?;
        intro.push(format!(
            "Only a senior manager who did not propose it may authorise it ({}).",
            cited(&p.clauses.authorise_role)
        ));
        let evidence = crate::ui_evidence::evidence_with(
            state,
            signed,
            plan.id,
            tact_app::evidence::Decision::Authorise,
        )
        .await?;
        let mut fields = decision_fields(
            "decision",
            ("authorise", "Authorise"),
            ("refuse", "Refuse"),
            "reason",
        );
        // A granted adjustment the plan would defeat (CLE-9.13; NOR-5.9): authorising it
        // needs an override with a reason, asked here of whoever may give one.
        if let Some((_, e)) = &evidence {
            fields.extend(override_fields(state, signed, plan, e));
        }
        Ok(Spec {
            heading: format!("Decide on the proposed {}", p.terms.plan),
            intro,
            fields,
            submit: "Record the decision",
            evidence: evidence.map(|(html, _)| html),
            ..Spec::default()
        })
    }
    fn command(
        _: &AppState,
        _: &tact_core::model::Plan,
        form: &Form,
    ) -> Result<wf::PlanCommand, RuleError> {
        let reason = val(form, "reason").to_string();
        Ok(
            match pick(
                form,
                "decision",
                &[("authorise", true), ("refuse", false)],
                "choose authorise or refuse",
            )? {
                true => wf::PlanCommand::Authorise(wf::AuthoriseInput {
                    reason,
                    overrides: overrides_given(form),
                }),
                false => wf::PlanCommand::Refuse { reason },
            },
        )
    }
}

/// The field of the override of adjustment `id`.
const OVERRIDE: &str = "overrides__";

/// A field for each granted adjustment the plan's restrictions would defeat with no
/// override yet (core's `workflow::unresolved_conflicts`), for a role that may override one
/// (CLE-9.13; NOR-5.9): why the plan goes ahead all the same.
fn override_fields(
    state: &AppState,
    signed: &Signed,
    plan: &tact_core::model::Plan,
    e: &tact_app::evidence::DecisionEvidence,
) -> Vec<Field> {
    let p = &state.app.profile;
    let adjustments: Vec<_> = e.adjustments.iter().map(|l| l.adjustment.clone()).collect();
    let conflicts = wf::unresolved_conflicts(&plan.restrictions, &adjustments, &plan.overrides);
    asked_to_override(
        state,
        signed,
        &conflicts,
        &format!(
            "Authorising it goes against each of these unless you say why it must ({}). Say \
             whose advice you took on it. Left empty, the plan cannot be authorised: refuse it, \
             or have the restriction changed.",
            cited(&p.clauses.adjustments_honoured)
        ),
        "Why the plan goes ahead despite",
    )
}

/// The override fields for `adjustments`, under a heading saying `hint`, each labelled
/// `label` and the adjustment; none for a role core does not let override one, or none to
/// ask about.
fn asked_to_override(
    state: &AppState,
    signed: &Signed,
    adjustments: &[&tact_core::model::Adjustment],
    hint: &str,
    label: &str,
) -> Vec<Field> {
    let p = &state.app.profile;
    let may = tact_core::roles::authorise(
        p,
        &signed.actor,
        tact_core::roles::Action::OverrideAdjustment,
        Some(&p.clauses.adjustments_honoured),
    )
    .is_ok();
    if !may || adjustments.is_empty() {
        return Vec::new();
    }
    let mut fields =
        vec![Field::new("heading", "overrides", "Their reasonable adjustments").hint(hint)];
    fields.extend(adjustments.iter().map(|a| {
        Field::new(
            "textarea",
            &format!("{OVERRIDE}{}", a.id),
            &format!("{label} “{}”", a.description),
        )
    }));
    fields
}

/// The override fields of a change to a plan: one for each granted adjustment the plan has
/// no override of, since which of them the change defeats is known only once it is made.
async fn change_override_fields(
    state: &AppState,
    signed: &Signed,
    plan: &tact_core::model::Plan,
) -> Result<Vec<Field>, Response> {
    let p = &state.app.profile;
    let Some(all) = step::read_if_allowed(
        state,
        signed,
        q::Adjustments {
            person: plan.person_id,
        },
    )
    .await?
    else {
        return Ok(Vec::new());
    };
    let open = wf::not_overridden(&all, &plan.overrides);
    Ok(asked_to_override(
        state,
        signed,
        &open,
        &format!(
            "A change that goes against one of these is refused unless you say why it must ({}). \
             Only where your change would: Tact says which if it does. Say whose advice you took \
             on it.",
            cited(&p.clauses.adjustments_honoured)
        ),
        "If the change goes against",
    ))
}

/// The form's own box for a refusal core names by an item of a list the form asks as a box
/// each, where the form has that box: an override (`overrides[1].adjustment_id`) on its
/// adjustment's box; a checklist answer (`answers[1].reason`) on the boxes of the second
/// question answered (`q`, `r` or `c` with its number); a restriction (`restrictions[2]`,
/// `restrictions[2].matter_id`) on the builder's box of its kind. Otherwise as core names it.
fn on_its_box(state: &AppState, mut r: RuleError, spec: &Spec, form: &Form) -> RuleError {
    let Some(field) = r.field.as_deref() else {
        return r;
    };
    let item = |list: &str| -> Option<(usize, String)> {
        let (i, rest) = field
            .strip_prefix(list)?
            .strip_prefix('[')?
            .split_once(']')?;
        Some((i.parse().ok()?, rest.trim_start_matches('.').to_string()))
    };
    let own: Vec<String> = if let Some((i, _)) = item("overrides") {
        overrides_given(form)
            .get(i)
            .map(|o| format!("{OVERRIDE}{}", o.adjustment_id))
            .into_iter()
            .collect()
    } else if let Some((i, part)) = item("answers") {
        // The answers go in the order of the questions, each one answered.
        let mut answered: Vec<usize> = form
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .filter_map(|(k, _)| checklist_box::answer_of(k))
            .collect();
        answered.sort_unstable();
        answered
            .get(i)
            .map(|n| checklist_box::for_part(&part, *n))
            .into_iter()
            .collect()
    } else if let Some((i, part)) = item("restrictions") {
        crate::ui_restrictions::parse(&state.app.profile, form)
            .ok()
            .and_then(|rs| {
                rs.get(i)
                    .map(|x| crate::ui_restrictions::boxes_for(x, &part))
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    if let Some(own) = own.into_iter().find(|b| spec.asks(b)) {
        r.field = Some(own);
    }
    r
}

/// The overrides a decision form was given: each adjustment's field with words in it.
fn overrides_given(form: &Form) -> Vec<tact_core::model::AdjustmentOverride> {
    let mut given: Vec<_> = form
        .iter()
        .filter_map(|(k, v)| {
            let id = k.strip_prefix(OVERRIDE)?.parse().ok()?;
            (!v.trim().is_empty()).then(|| tact_core::model::AdjustmentOverride {
                adjustment_id: AdjustmentId(id),
                // Core records each as the decider's own (`workflow::overrides_after`).
                by: StaffId(0),
                reason: v.trim().to_string(),
            })
        })
        .collect();
    given.sort_by_key(|o| o.adjustment_id);
    given
}

/// The written notice of a plan: how it went, whether agreement was sought and given,
/// and whether the policy went with it (CLE-9.6; NOR-5.1, 5.7).
struct Notice;

impl PlanForm for Notice {
    const STEP: wf::PlanStep = wf::PlanStep::RecordNotice;
    const PATH: &'static str = "/plans/{id}/notice";

    async fn spec(state: &AppState, signed: &Signed, plan: &tact_core::model::Plan) -> SpecOrPage {
        let preferred = preferred_format(state, signed, plan.person_id).await?;
        let p = &state.app.profile;
        let mut format =
            Field::new("select", "format", "Format").options(format_options(Format::ALL));
        if let Some(f) = preferred {
            format.value = f.as_str().to_string();
            format = format.hint(&format!("They asked for {}.", wf::format_words(f)));
        }
        let mut fields = vec![
            channel_field("How it was sent", &[Channel::Letter, Channel::Email]),
            format,
            Field::new(
                "textarea",
                "format_reason",
                "If it went in another format, why?",
            )
            .hint(&format!(
                "Needed only when it did not go in the format they asked for ({}).",
                cited(&p.clauses.adjustments_honoured)
            )),
            Field::new("radios", "agreement_sought", "Was their agreement sought?")
                .hint(&format!(
                    "If possible, seek it ({}).",
                    cited(&p.clauses.notice_content)
                ))
                .options(yes_no()),
            Field::new("radios", "agreement_given", "Did they agree?").options([
                ("yes".into(), "Yes".into()),
                ("no".into(), "No".into()),
                ("unknown".into(), "Not yet known, or not sought".into()),
            ]),
        ];
        if p.notice.enclose_policy {
            fields.push(
                Field::new(
                    "radios",
                    "policy_enclosed",
                    "Was a copy of the policy enclosed?",
                )
                .options(yes_no()),
            );
        }
        Ok(Spec {
            heading: "Record the written notice".into(),
            intro: if p.rules.notice_before_effect {
                vec![format!(
                    "The {} takes effect when the notice is recorded ({}).",
                    p.terms.plan,
                    cited(&p.clauses.notice_first)
                )]
            } else {
                Vec::new()
            },
            fields,
            submit: "Record the notice",
            ..Spec::default()
        })
    }
    fn command(
        state: &AppState,
        _: &tact_core::model::Plan,
        form: &Form,
    ) -> Result<wf::PlanCommand, RuleError> {
        let yes_no = [("yes", true), ("no", false)];
        let sought = pick(
            form,
            "agreement_sought",
            &yes_no,
            "say whether their agreement was sought",
        )?;
        let given = pick(
            form,
            "agreement_given",
            &[("yes", Some(true)), ("no", Some(false)), ("unknown", None)],
            "say whether they agreed",
        )?;
        let policy_enclosed = if state.app.profile.notice.enclose_policy {
            pick(
                form,
                "policy_enclosed",
                &yes_no,
                "say whether the policy was enclosed",
            )?
        } else {
            false
        };
        Ok(wf::PlanCommand::RecordNotice(wf::NoticeInput {
            sent_at: state.app.now(),
            channel: chosen(form, "channel", Channel::parse, "choose how it was sent")?,
            format: Some(chosen(form, "format", Format::parse, "choose its format")?),
            agreement_sought: sought,
            agreement_given: given.filter(|_| sought),
            agreement_note: None,
            letter_id: None,
            policy_enclosed,
            format_reason: Some(val(form, "format_reason").trim().to_string())
                .filter(|r| !r.is_empty()),
        }))
    }
}

/// NOR-8.2: the person's conduct since the plan took effect — contacts, breaches and
/// incidents, from the record (the reading is on the access log; if it cannot be, the page
/// says so and shows none of it).
async fn conduct_since(state: &AppState, actor: &tact_core::roles::Actor, id: i64) -> Vec<String> {
    let c = match state
        .app
        .query(actor, q::Conduct { plan: PlanId(id) })
        .await
    {
        Ok(c) => c,
        Err(e) => {
            return vec![format!(
                "Their conduct since it took effect could not be read: {e}"
            )]
        }
    };
    let mut out = vec![format!(
        "Since it took effect on {} — contacts from them: {}, of which breaches: {}; incidents \
         recorded: {}.",
        tact_core::check::long_day(c.since),
        c.contacts,
        c.breaches,
        c.incidents.len()
    )];
    if let Some(i) = c.incidents.last() {
        out.push(format!(
            "The latest incident, on {}: {}",
            tact_core::check::long_day(i.occurred_at),
            i.description
        ));
    }
    out
}

/// Reviewing a plan (CLE-9.12; NOR-8.1, 8.2): continue it (with the next review date) or lift
/// it, with the person's conduct since and the reasons; changing it goes on to the change form
/// (CLE-9.14: the person is told of the change from there).
struct Review;

impl PlanForm for Review {
    const STEP: wf::PlanStep = wf::PlanStep::Review;
    const PATH: &'static str = "/plans/{id}/review";

    async fn spec(state: &AppState, signed: &Signed, plan: &tact_core::model::Plan) -> SpecOrPage {
        let actor = &signed.actor;
        let id = plan.id.0;
        let p = &state.app.profile;
        let mut intro = vec![format!(
            "Reviews are due at least every {} months ({}).",
            p.rules.max_review_interval_months,
            cited(&p.clauses.review_interval)
        )];
        // A review already late says so, and what that has done to the plan (CLE-9.12: it
        // still applies; NOR-8.2: it has lapsed until reviewed).
        let now = state.app.now();
        if plan.review_overdue(tact_core::check::uk_date(now)) {
            let plan_word = &p.terms.plan;
            let meanwhile = if tact_core::check::lapsed(p, plan, now) {
                format!("Until it is done the {plan_word} has lapsed: it restricts nothing")
            } else {
                format!("The {plan_word} still applies until it is done")
            };
            intro.push(format!(
                "This review was due by {}. {meanwhile} ({}).",
                tact_core::check::long_date(plan.review_due),
                cited(tact_core::check::overdue_review_clause(p))
            ));
        }
        intro.extend(conduct_since(state, actor, id).await);
        Ok(Spec {
            heading: format!("Review the {}", p.terms.plan),
            intro,
            fields: vec![
                Field::new("radios", "decision", "Your decision").options([
                    ("continue".to_string(), "Continue it".to_string()),
                    (
                        "vary".to_string(),
                        "Change it (the change form opens next)".to_string(),
                    ),
                    ("lift".to_string(), "Lift it".to_string()),
                ]),
                Field::new(
                    "textarea",
                    "recent_conduct",
                    "How have they behaved since it was put in place?",
                )
                .required(),
                Field::new("textarea", "reasons", "Your reasons").required(),
                Field::new(
                    "date",
                    "next_review_due",
                    "If it continues: next review date",
                )
                .hint("For example, 31 3 2027"),
            ],
            submit: "Record the review",
            evidence: crate::ui_evidence::evidence(
                state,
                signed,
                tact_core::ids::PlanId(id),
                tact_app::evidence::Decision::Review,
            )
            .await?,
            ..Spec::default()
        })
    }
    fn goes_on(id: i64, form: &Form) -> Option<String> {
        (val(form, "decision") == "vary").then(|| format!("/plans/{id}/vary"))
    }
    fn command(
        _: &AppState,
        _: &tact_core::model::Plan,
        form: &Form,
    ) -> Result<wf::PlanCommand, RuleError> {
        Ok(wf::PlanCommand::Review(wf::ReviewInput {
            decision: pick_word(form, "decision", "choose whether to continue or lift it")?,
            reasons: val(form, "reasons").into(),
            recent_conduct: val(form, "recent_conduct").into(),
            next_review_due: date_field(form, "next_review_due")?,
        }))
    }
}

// ----- administration: staff ------------------------------------------------------------

pub fn admin_routes() -> Router<AppState> {
    Router::new()
        .route("/admin/staff", get(staff_list))
        .pipe(step::route_new::<NewStaff>)
        .pipe(step::route_person::<LogContact>)
        .pipe(step::route::<ChangeStaff>)
        .pipe(step::route::<StaffExtension>)
        .pipe(step::route::<RaiseDispute>)
        .pipe(step::route_person::<AdditionalHelp>)
        .pipe(step::route_person::<Equality>)
        .pipe(step::route_person::<WithdrawEquality>)
        .pipe(step::route_person::<RequestAdjustment>)
        .pipe(step::route::<DecideAdjustment>)
}

/// A member of staff on the staff page.
struct StaffRow {
    id: i64,
    name: String,
    role: String,
    /// Their line manager's name, where they have one (ended calls, welfare concerns and
    /// incidents go to them: CLE-4.5, 6.5; NOR-6.1).
    line_manager: Option<String>,
    active: bool,
    /// Whether an authenticator app is set up.
    authenticator: bool,
}

#[derive(Template)]
#[template(path = "staff.html")]
struct StaffPage<'a> {
    frame: Frame<'a>,
    staff: Vec<StaffRow>,
    /// Each role nobody active holds, as "a senior manager", with what waits for it
    /// (core's `roles::unheld_queues`).
    unheld: Vec<(String, String)>,
}

async fn staff_list(State(state): State<AppState>, signed: Signed) -> Response {
    if let Some(r) = forbidden::<cmd::read::StaffDirectory>(&state, &signed) {
        return r;
    }
    let staff = or_page!(crate::ui_step::read(&state, &signed, q::Colleagues {}).await);
    let with_app = match state.app.staff_with_authenticators().await {
        Ok(w) => w,
        Err(e) => return refusal(&state, &signed, e),
    };
    let unheld = tact_core::roles::unheld_queues(&state.app.profile, &staff)
        .into_iter()
        .map(|(role, what)| (role.one(), what))
        .collect();
    let name_of = |id: StaffId| staff.iter().find(|s| s.id == id).map(|s| s.name.clone());
    let rows = staff
        .iter()
        .map(|s| StaffRow {
            id: s.id.0,
            name: s.name.clone(),
            role: capital(s.role.plain()),
            line_manager: s.line_manager.and_then(name_of),
            active: s.active,
            authenticator: with_app.contains(&s.id),
        })
        .collect();
    render(&StaffPage {
        frame: Frame::of(&state, &signed),
        unheld,
        staff: rows,
    })
}

/// Who a member of staff's line manager can be (CLE-4.5, 6.5; NOR-6.1: ended calls, welfare
/// concerns and incidents are reported to them): anyone active who is a person, other
/// than `me`; or nobody. Core's `check_line_manager` has the last word.
async fn line_manager_field(
    state: &AppState,
    signed: &Signed,
    me: Option<StaffId>,
    current: Option<StaffId>,
) -> Result<Field, Response> {
    let staff = colleagues(state, signed).await?;
    let mut options = vec![(
        String::new(),
        "Nobody: follow-ups go to every line manager".to_string(),
    )];
    options.extend(
        staff
            .into_iter()
            .filter(|s| s.active && s.scope.is_none() && Some(s.id) != me)
            .map(|s| {
                (
                    s.id.0.to_string(),
                    format!("{} ({})", s.name, s.role.plain()),
                )
            }),
    );
    let mut f = Field::new("select", "line_manager", "Line manager")
        .options(options)
        .hint("Ended calls, welfare concerns and incidents are reported to them.");
    f.value = current.map(|m| m.0.to_string()).unwrap_or_default();
    Ok(f)
}

/// The record chosen in the select `name` where choosing none is allowed: none for the
/// empty choice, else the id; a value the select did not offer is refused with `refusal`,
/// never read as none.
pub(crate) fn optional_choice<T>(
    form: &Form,
    name: &str,
    id: fn(i64) -> T,
    refusal: &str,
) -> Result<Option<T>, RuleError> {
    match val(form, name) {
        "" => Ok(None),
        v => v
            .parse()
            .map(|n| Some(id(n)))
            .map_err(|_| RuleError::invalid(name, refusal)),
    }
}

/// The record chosen in the select `name` where one must be chosen: nothing chosen, or a
/// value the select did not offer, is refused with `refusal`.
pub(crate) fn choice<T>(
    form: &Form,
    name: &str,
    id: fn(i64) -> T,
    refusal: &str,
) -> Result<T, RuleError> {
    optional_choice(form, name, id, refusal)?.ok_or_else(|| RuleError::invalid(name, refusal))
}

/// The word chosen in the radios or the select `name`, read by `parse` (a closed list's
/// own): nothing chosen is refused with `missing`, as a form says it ("choose what they
/// are asking for"), never by listing the stored words; a word the form did not offer is
/// refused by `parse`, naming the field.
pub(crate) fn chosen<T>(
    form: &Form,
    name: &str,
    parse: impl Fn(&str) -> Result<T, RuleError>,
    missing: &str,
) -> Result<T, RuleError> {
    match val(form, name) {
        "" => Err(RuleError::invalid(name, missing)),
        v => parse(v).map_err(|e| e.with_field(name)),
    }
}

/// The line manager chosen on a staff form: nobody, or a member of staff by id.
fn chosen_line_manager(form: &Form) -> Result<Option<StaffId>, RuleError> {
    optional_choice(
        form,
        "line_manager",
        StaffId,
        "choose a line manager from the list",
    )
}

/// A person's matters, to choose among on a form: none where the read is refused (the
/// command is then refused in its turn, by the same role).
pub(crate) async fn matters_of(
    state: &AppState,
    signed: &Signed,
    person: PersonId,
) -> Result<Vec<tact_core::model::Matter>, Response> {
    let matters = step::read_if_allowed(state, signed, q::Matters { person }).await?;
    Ok(matters.unwrap_or_default())
}

/// Everyone on the staff list, to choose among on a form or to name: none where the read is
/// refused.
pub(crate) async fn colleagues(
    state: &AppState,
    signed: &Signed,
) -> Result<Vec<tact_core::model::Staff>, Response> {
    let staff = step::read_if_allowed(state, signed, q::Colleagues {}).await?;
    Ok(staff.unwrap_or_default())
}

fn roles() -> Vec<(String, String)> {
    tact_core::roles::Role::ALL
        .iter()
        .map(|r| (r.as_str().to_string(), capital(r.plain())))
        .collect()
}

/// Adding a member of staff who signs in with a password: their name, role, username and
/// password, in one transaction (a username that is taken writes nothing).
struct NewStaff;

impl FormStep for NewStaff {
    type Subject = Form;
    type Command = cmd::CreateStaff;
    const PATH: &'static str = "/admin/staff/new";

    async fn spec(state: &AppState, signed: &Signed, _: i64, _: &Form) -> SpecOrPage {
        Ok(Spec {
            heading: "Add a member of staff".into(),
            caption: "Staff".into(),
            intro: Vec::new(),
            fields: vec![
                Field::new("text", "name", "Full name"),
                Field::new("select", "role", "Role").options(roles()),
                line_manager_field(state, signed, None, None).await?,
                Field::new("text", "username", "Username for signing in"),
                Field::new("text", "password", "First password").hint(&format!(
                    "At least {} characters. Give it to them in person; they change it on Change your password.",
                    tact_core::sign_in::PASSWORD_MIN
                )),
            ],
            submit: "Add",
            ..Spec::default()
        })
    }
    async fn command(
        _: &AppState,
        _: &Signed,
        _: i64,
        _: &Form,
        form: &Form,
    ) -> Result<cmd::CreateStaff, AppError> {
        Ok(cmd::CreateStaff {
            name: val(form, "name").into(),
            role: chosen(
                form,
                "role",
                tact_core::roles::Role::parse,
                "choose their role",
            )?,
            email: None,
            line_manager: chosen_line_manager(form)?,
            sign_in: Some((val(form, "username").into(), val(form, "password").into())),
        })
    }
    fn done(_: i64, _: &Form, _: &<App as Handles<cmd::CreateStaff>>::Output) -> String {
        "/admin/staff".into()
    }
    fn said(
        _: &AppState,
        _: &Form,
        s: &<App as Handles<cmd::CreateStaff>>::Output,
    ) -> Option<String> {
        Some(format!("{} is added as {}.", s.name, s.role.one()))
    }
}

fn change_staff_spec(plan: &str, role: &str, active: bool) -> Spec {
    let mut role_field = Field::new("select", "role", "Role").options(roles());
    role_field.value = role.to_string();
    let mut active_field = Field::new("radios", "active", "Can they sign in and act?")
        .options([
            ("yes".into(), "Yes, active".into()),
            ("no".into(), "No, disabled".into()),
        ])
        .hint(&format!(
            "Someone disabled when they leave no longer signs in. Their open tasks go to their \
             line manager (or, without one, to everyone in their role), and the owner of each \
             {plan} that names them as the single point of contact is asked to name someone \
             else."
        ));
    active_field.value = if active { "yes".into() } else { "no".into() };
    Spec {
        heading: "Change a member of staff".into(),
        caption: "Staff".into(),
        intro: Vec::new(),
        fields: vec![role_field, active_field],
        submit: "Save",
        ..Spec::default()
    }
}

/// Changing a member of staff's role, their line manager, or whether they can sign in.
struct ChangeStaff;

impl FormStep for ChangeStaff {
    type Subject = tact_core::model::Staff;
    type Command = cmd::ChangeStaff;
    const PATH: &'static str = "/admin/staff/{id}";

    async fn spec(state: &AppState, signed: &Signed, _: i64, s: &Self::Subject) -> SpecOrPage {
        let mut spec = change_staff_spec(&state.app.profile.terms.plan, s.role.as_str(), s.active);
        spec.caption = s.name.clone();
        spec.fields.insert(
            1,
            line_manager_field(state, signed, Some(s.id), s.line_manager).await?,
        );
        Ok(spec)
    }
    async fn command(
        _: &AppState,
        _: &Signed,
        id: i64,
        _: &Self::Subject,
        form: &Form,
    ) -> Result<Self::Command, AppError> {
        Ok(cmd::ChangeStaff {
            staff: StaffId(id),
            role: Some(chosen(
                form,
                "role",
                tact_core::roles::Role::parse,
                "choose their role",
            )?),
            active: Some(pick(
                form,
                "active",
                &[("yes", true), ("no", false)],
                "choose whether they can sign in",
            )?),
            line_manager: Some(chosen_line_manager(form)?),
        })
    }
    fn done(_: i64, _: &Self::Subject, _: &<App as Handles<Self::Command>>::Output) -> String {
        "/admin/staff".into()
    }
    fn said(
        _: &AppState,
        _: &Self::Subject,
        s: &<App as Handles<Self::Command>>::Output,
    ) -> Option<String> {
        Some(if s.active {
            format!("{} is saved: {}, active.", s.name, s.role.one())
        } else {
            format!("{} is disabled: they can no longer sign in or act.", s.name)
        })
    }
}

/// A member of staff's telephone extension (issue 14): where a phone system puts through the
/// calls of people whose single point of contact they are.
struct StaffExtension;

impl FormStep for StaffExtension {
    type Subject = tact_core::model::Staff;
    type Command = cmd::SetExtension;
    const PATH: &'static str = "/admin/staff/{id}/extension";

    async fn spec(state: &AppState, signed: &Signed, id: i64, s: &Self::Subject) -> SpecOrPage {
        let mut field = Field::new("text", "extension", "Telephone extension")
            .hint("2 to 8 digits, such as 2041. Leave it empty to take their extension away.");
        // A failed read is the error page: an empty box here would take their extension
        // away when the form is saved.
        let held =
            step::read_if_allowed(state, signed, q::Extension { staff: StaffId(id) }).await?;
        field.value = held.flatten().unwrap_or_default();
        Ok(Spec {
            heading: "Their telephone extension".into(),
            caption: s.name.clone(),
            intro: vec!["A phone system puts calls from people whose single point of contact they are straight through to it.".into()],
            fields: vec![field],
            submit: "Save",
            back: "/admin/staff".into(),
            ..Spec::default()
        })
    }
    async fn command(
        _: &AppState,
        _: &Signed,
        id: i64,
        _: &Self::Subject,
        form: &Form,
    ) -> Result<Self::Command, AppError> {
        Ok(cmd::SetExtension {
            staff: StaffId(id),
            extension: Some(val(form, "extension").to_string()).filter(|e| !e.is_empty()),
        })
    }
    fn done(_: i64, _: &Self::Subject, _: &<App as Handles<Self::Command>>::Output) -> String {
        "/admin/staff".into()
    }
    fn said(
        _: &AppState,
        s: &Self::Subject,
        extension: &<App as Handles<Self::Command>>::Output,
    ) -> Option<String> {
        Some(match extension {
            Some(x) => format!("{}'s extension is {x}.", s.name),
            None => format!("{} has no extension now.", s.name),
        })
    }
}

// ----- additional help, contacts, adjustments and disputes ------------------------------

/// Their answer to whether they need additional help to contact us (CLE-6.2).
struct AdditionalHelp;

impl PersonStep for AdditionalHelp {
    type Command = cmd::RecordAdditionalHelp;
    const PATH: &'static str = "/people/{id}/additional-help";

    async fn spec(state: &AppState, _: &Signed, _: i64) -> SpecOrPage {
        let p = &state.app.profile;
        Ok(Spec {
            heading: "Do they need any additional help?".into(),
            intro: vec![format!("Ask everyone at the outset whether they need additional help to contact us ({}). Take what they say about their health or disability at face value ({}).", cited(&p.clauses.first_contact_help), cited(&p.clauses.stated_needs))],
            fields: vec![
                Field::new("radios", "needs_help", "Their answer").options([("yes".into(), "Yes, they need help".into()), ("no".into(), "No".into())]).ask("Select whether they need help"),
                Field::new("textarea", "in_their_words", "What they need, in their own words"),
            ],
            submit: "Record their answer",
            ..Spec::default()
        })
    }
    fn command(_: &AppState, _: &Signed, id: i64, form: &Form) -> Result<Self::Command, RuleError> {
        Ok(cmd::RecordAdditionalHelp {
            person: PersonId(id),
            needs_help: pick(
                form,
                "needs_help",
                &[("yes", true), ("no", false)],
                "choose their answer",
            )?,
            words: Some(val(form, "in_their_words").into()),
        })
    }
    fn said(_: &AppState, _: &tact_core::model::ServiceUser) -> Option<String> {
        Some("Their answer about additional help is recorded.".into())
    }
}

/// Equality monitoring answers, asked only with consent (issue 13; CLE-8.4, NOR-1.4). The
/// form never shows answers already given: front-line staff record them but never read
/// them; only counts are read, by the DPO and auditors.
struct Equality;

impl PersonStep for Equality {
    type Command = cmd::RecordEquality;
    const PATH: &'static str = "/people/{id}/equality";

    async fn spec(state: &AppState, signed: &Signed, id: i64) -> SpecOrPage {
        let p = &state.app.profile;
        let recorded = has_equality(state, signed, PersonId(id)).await?;
        let mut intro = vec![
            format!("We ask these questions to check that we treat everyone fairly, as the Equality Act 2010 requires ({}). Ask only if they agree to answer.", cited(&p.clauses.equality_monitoring)),
            "Their answers are kept apart from their record. Only the Data Protection Officer and the head of standards see them, and only as counts that cannot pick anyone out. Answering or not makes no difference to how we deal with them.".into(),
            "They can leave out any question, or answer \"prefer not to say\".".into(),
        ];
        if recorded {
            intro.push("Answers are already recorded for them. Recording again replaces them all; they are not shown here.".into());
        }
        let mut fields = vec![Field::new(
            "checkbox",
            "consent",
            "They agree to answer, and to their answers being kept for equality monitoring",
        )];
        for c in tact_core::equality::Characteristic::ALL {
            let mut options = vec![(String::new(), "Not answered".to_string())];
            options.extend(
                c.answers()
                    .into_iter()
                    .map(|(v, w)| (v.to_string(), w.to_string())),
            );
            fields.push(Field::new("select", c.as_str(), c.question()).options(options));
        }
        Ok(Spec {
            heading: "Equality monitoring".into(),
            intro,
            fields,
            submit: "Record their answers",
            ..Spec::default()
        })
    }
    fn command(_: &AppState, _: &Signed, id: i64, form: &Form) -> Result<Self::Command, RuleError> {
        let mut answers = std::collections::BTreeMap::new();
        for c in tact_core::equality::Characteristic::ALL {
            let v = val(form, c.as_str()).trim();
            if !v.is_empty() {
                answers.insert(c, v.to_string());
            }
        }
        Ok(cmd::RecordEquality {
            person: PersonId(id),
            consent: val(form, "consent") == "yes",
            answers,
        })
    }
    fn said(_: &AppState, _: &()) -> Option<String> {
        Some("Their equality monitoring answers are recorded, with their consent.".into())
    }
}

/// Deleting a person's equality monitoring answers when they withdraw consent.
struct WithdrawEquality;

impl PersonStep for WithdrawEquality {
    type Command = cmd::WithdrawEquality;
    const PATH: &'static str = "/people/{id}/equality/withdraw";

    /// Offered only where there are answers to delete: otherwise the refusal the step
    /// would give.
    async fn spec(state: &AppState, signed: &Signed, id: i64) -> SpecOrPage {
        let person = PersonId(id);
        if !step::read(state, signed, q::HasEquality { person }).await? {
            return Err(refusal(state, signed, tact_app::equality::none_recorded()));
        }
        Ok(Spec {
            heading: "Delete their equality monitoring answers".into(),
            intro: vec!["Do this when they withdraw their consent. Their answers are deleted; the event log keeps only that they were.".into()],
            fields: Vec::new(),
            submit: "Delete their answers",
            back: format!("/people/{id}"),
            ..Spec::default()
        })
    }
    fn command(_: &AppState, _: &Signed, id: i64, _: &Form) -> Result<Self::Command, RuleError> {
        Ok(cmd::WithdrawEquality {
            person: PersonId(id),
        })
    }
    fn said(_: &AppState, _: &()) -> Option<String> {
        Some("Their equality monitoring answers are deleted.".into())
    }
}

/// Logging a contact with a person by hand: the channel, which way, the matter, what was
/// said and the number or address it came from (from the incoming-contact page: a contact
/// from their advocate's is through their advocate, CLE-9.9). The verdict is the contact
/// check's, as for any contact.
struct LogContact;

impl PersonStep for LogContact {
    type Command = cmd::LogContact;
    const PATH: &'static str = "/people/{id}/contact";

    async fn spec(state: &AppState, signed: &Signed, id: i64) -> SpecOrPage {
        let matters = matters_of(state, signed, PersonId(id)).await?;
        let mut matter_options = vec![(String::new(), "Not about a recorded matter".to_string())];
        matter_options.extend(matters.iter().map(crate::ui::matter_option));
        Ok(Spec {
            heading: "Log a contact".into(),
            intro: vec!["Everything a person sends is kept. A contact their plan does not allow is recorded as a breach.".into()],
            fields: vec![
                channel_field("How", &Channel::ALL),
                Field::new("radios", "direction", "Direction").options([("inbound".into(), "From them".into()), ("outbound".into(), "From us".into())]),
                Field::new("select", "matter_id", "About").options(matter_options),
                Field::new("text", "summary", "Summary").required(),
                // Named as the command's field, so a refusal of the length lands here; typed in minutes.
                Field::new("text", "duration_seconds", "If it was a call or a visit: how long, in minutes (optional)")
                    .width(3),
                Field::new("textarea", "body", "What was said or written (optional)"),
                Field::new("text", "who", "The number or address it came from (optional)")
                    .hint("Filled in from the incoming-contact page. A contact from their advocate's number or address is through their advocate."),
            ],
            submit: "Log it",
            ..Spec::default()
        })
    }
    fn command(
        state: &AppState,
        signed: &Signed,
        id: i64,
        form: &Form,
    ) -> Result<Self::Command, RuleError> {
        let matter_id = optional_choice(
            form,
            "matter_id",
            MatterId,
            "choose one of their matters, or none",
        )?;
        let duration_seconds = match val(form, "duration_seconds").trim() {
            "" => None,
            m => Some(
                m.parse::<u32>()
                    .map_err(|_| {
                        RuleError::invalid(
                            "duration_seconds",
                            "Enter how long it lasted in whole minutes, like 12",
                        )
                    })?
                    .saturating_mul(60),
            ),
        };
        let input = wf::ContactInput {
            duration_seconds,
            person_id: Some(PersonId(id)),
            matter_id,
            channel: chosen(
                form,
                "channel",
                Channel::parse,
                "choose how they were in touch",
            )?,
            direction: chosen(
                form,
                "direction",
                tact_core::model::Direction::parse,
                "choose whether it came in or went out",
            )?,
            at: state.app.now(),
            staff_id: Some(signed.actor.id),
            // Where it came from: the app judges whether that is their advocate's.
            identifier: match val(form, "who").trim() {
                "" => None,
                who => Some(
                    tact_core::identity::Identifier::parse(who).map_err(|e| e.with_field("who"))?,
                ),
            },
            via_advocate: false,
            summary: val(form, "summary").into(),
            body: val(form, "body").into(),
            is_complaint: false,
        };
        Ok(cmd::LogContact { input })
    }
    /// A busy line needs to know it is recorded, and whether as a breach (CLE-9.11;
    /// NOR-5.8): the breach raises a reminder to send them.
    fn said(state: &AppState, out: &tact_app::Logged) -> Option<String> {
        let p = &state.app.profile;
        Some(if out.contact.breach_of.is_empty() {
            "The contact is logged.".to_string()
        } else {
            format!(
                "The contact is logged as a breach of their {}: a reminder to send them has been raised ({}).",
                p.terms.plan,
                cited(&p.clauses.breach_reminder)
            )
        })
    }
}

/// A request for a reasonable adjustment (CLE-8; NOR-1.4).
struct RequestAdjustment;

impl PersonStep for RequestAdjustment {
    type Command = cmd::RequestAdjustment;
    const PATH: &'static str = "/people/{id}/adjustment";

    async fn spec(state: &AppState, _: &Signed, _: i64) -> SpecOrPage {
        let p = &state.app.profile;
        let mut kinds: Vec<(String, String)> = Channel::ALL
            .iter()
            .map(|c| {
                (
                    format!("needs-channel:{}", c.as_str()),
                    format!("Needs to contact us {}", c.by()),
                )
            })
            .collect();
        kinds.push(("extra-time".into(), "Needs more time on calls".into()));
        kinds.extend(Format::ALL.iter().map(|f| {
            (
                format!("format:{}", f.as_str()),
                match f {
                    // Email is a way to send it, not a print format.
                    Format::Email => "Written material by email".to_string(),
                    f => format!("Written material in {}", wf::format_words(*f)),
                },
            )
        }));
        kinds.push(("support-person".into(), "Someone to speak for them".into()));
        kinds.push(("other".into(), "Something else".into()));
        Ok(Spec {
            heading: "Request a reasonable adjustment".into(),
            intro: vec![format!(
                "The Equality Act 2010 requires reasonable adjustments ({}).",
                cited(&p.clauses.adjustment_decision)
            )],
            fields: vec![
                Field::new("select", "kind", "What kind of adjustment")
                    .options(to_choose("Choose what they need", kinds))
                    .ask("Select what they need"),
                Field::new("textarea", "description", "What they need").required(),
            ],
            submit: "Send for a decision",
            ..Spec::default()
        })
    }
    fn command(_: &AppState, _: &Signed, id: i64, form: &Form) -> Result<Self::Command, RuleError> {
        Ok(cmd::RequestAdjustment {
            person: PersonId(id),
            kind: chosen(
                form,
                "kind",
                tact_core::model::AdjustmentKind::parse,
                "select what they need",
            )?,
            description: val(form, "description").into(),
        })
    }
    fn said(state: &AppState, _: &tact_core::model::Adjustment) -> Option<String> {
        Some(format!(
            "The request is sent for a decision; they are told it in writing ({}).",
            cited(&state.app.profile.clauses.adjustment_decision)
        ))
    }
}

/// The decision on a reasonable adjustment, with reasons (CLE-8.3).
struct DecideAdjustment;

impl FormStep for DecideAdjustment {
    type Subject = tact_core::model::Adjustment;
    type Command = cmd::DecideAdjustment;
    const PATH: &'static str = "/adjustments/{id}/decision";

    const REFUSED: step::Refusal<tact_core::model::Adjustment> = wf::adjustment_refusal;
    async fn spec(state: &AppState, _: &Signed, id: i64, a: &Self::Subject) -> SpecOrPage {
        let p = &state.app.profile;
        Ok(Spec {
            heading: "Decide a reasonable adjustment request".into(),
            caption: format!("Adjustment {id}"),
            intro: vec![
                format!("What they asked for: {}", a.description),
                format!(
                    "The decision is given to them in writing, with the explanation ({}).",
                    cited(&p.clauses.adjustment_decision)
                ),
            ],
            fields: decision_fields("grant", ("yes", "Grant it"), ("no", "Refuse it"), "reasons"),
            submit: "Record the decision",
            back: "/".into(),
            ..Spec::default()
        })
    }
    async fn command(
        _: &AppState,
        _: &Signed,
        id: i64,
        _: &Self::Subject,
        form: &Form,
    ) -> Result<Self::Command, AppError> {
        Ok(cmd::DecideAdjustment {
            adjustment: AdjustmentId(id),
            grant: pick(
                form,
                "grant",
                &[("yes", true), ("no", false)],
                "choose whether to grant or refuse it",
            )?,
            reasons: val(form, "reasons").into(),
        })
    }
    fn done(_: i64, _: &Self::Subject, a: &tact_core::model::Adjustment) -> String {
        format!("/people/{}", a.person_id)
    }
    fn said(
        state: &AppState,
        _: &Self::Subject,
        a: &tact_core::model::Adjustment,
    ) -> Option<String> {
        Some(format!(
            "The request is {}. Tell them in writing, with the reasons ({}).",
            a.status.as_str(),
            cited(&state.app.profile.clauses.adjustment_decision)
        ))
    }
}

/// Recording that the person disputes a plan (NOR-7.1; a local rule under Cleveland):
/// offered only where the plan can be disputed now.
struct RaiseDispute;

impl FormStep for RaiseDispute {
    type Subject = tact_core::model::Plan;
    type Command = cmd::RaiseDispute;
    const PATH: &'static str = "/plans/{id}/dispute";

    const REFUSED: step::Refusal<tact_core::model::Plan> =
        |p, a, plan| wf::step_refusal(p, a, plan, wf::PlanStep::RaiseDispute);
    async fn spec(state: &AppState, _: &Signed, _: i64, _: &Self::Subject) -> SpecOrPage {
        let p = &state.app.profile;
        let intro = match &p.dispute {
            Some(d) => vec![format!("They can dispute it through {} ({}). It is decided by someone who took no part in the decision.", d.route, cited(&d.clause))],
            None => vec!["It is decided by someone who took no part in the decision.".into()],
        };
        Ok(Spec {
            heading: format!("Record a dispute about the {}", p.terms.plan),
            intro,
            fields: vec![Field::new(
                "textarea",
                "grounds",
                "What they say is wrong with the decision",
            )
            .required()],
            submit: "Record the dispute",
            ..Spec::default()
        })
    }
    async fn command(
        _: &AppState,
        _: &Signed,
        id: i64,
        _: &Self::Subject,
        form: &Form,
    ) -> Result<Self::Command, AppError> {
        Ok(cmd::RaiseDispute {
            plan: PlanId(id),
            grounds: val(form, "grounds").into(),
            received_at: None,
        })
    }
    fn done(id: i64, _: &Self::Subject, _: &tact_core::model::Dispute) -> String {
        format!("/plans/{id}")
    }
    fn said(state: &AppState, _: &Self::Subject, _: &tact_core::model::Dispute) -> Option<String> {
        let p = &state.app.profile;
        let who = p
            .roles
            .queue_for(tact_core::roles::Action::DecideDispute)
            .one();
        Some(format!(
            "The dispute is recorded: {who} who took no part in the {} is asked to decide it \
             ({}).",
            p.terms.plan,
            cited(&p.clauses.dispute_independent)
        ))
    }
}

// ----- lifting, disputes and screening --------------------------------------------------

pub fn more_routes() -> Router<AppState> {
    Router::new()
        .pipe(step::route::<DecideDispute>)
        .pipe(step::route::<Screen>)
        .pipe(step::route_plan::<step::ByReason<Lift>>)
}

/// Lifting a plan, with the reason.
struct Lift;

impl step::ReasonStep for Lift {
    const STEP: wf::PlanStep = wf::PlanStep::Lift;
    const PATH: &'static str = "/plans/{id}/lift";

    fn words(p: &tact_core::profile::Profile) -> step::ReasonWords {
        step::ReasonWords {
            heading: format!("Lift the {}", p.terms.plan),
            intro: format!(
                "It stops restricting at once, and the person is told in writing ({}).",
                cited(&p.clauses.changes_told)
            ),
            label: "Why it is being lifted",
            submit: "Lift it",
        }
    }
    fn command(reason: String) -> wf::PlanCommand {
        wf::PlanCommand::Lift { reason }
    }
}

/// The dispute decision: uphold, change or lift, with the restriction builder for a change
/// (filled with the plan as it stands) and its review date.
async fn dispute_decision_spec(
    state: &AppState,
    signed: &Signed,
    d: &tact_core::model::Dispute,
    plan: Option<&tact_core::model::Plan>,
) -> SpecOrPage {
    let p = &state.app.profile;
    let id = d.id;
    let matters = matters_of(state, signed, d.person_id).await?;
    let staff = colleagues(state, signed).await?;
    let mut fields = vec![
        Field::new("radios", "outcome", "The outcome")
            .options([
                ("upheld".to_string(), "Uphold the decision".to_string()),
                ("varied".to_string(), format!("Change the {}", p.terms.plan)),
                ("lifted".to_string(), format!("Lift the {}", p.terms.plan)),
            ])
            .ask("Select the outcome"),
        Field::new("textarea", "reasons", "Your reasons")
            .required()
            .hint("The person is told the outcome and the reasons in writing."),
    ];
    let mut builder = crate::ui_restrictions::fields(p, &matters, &staff);
    if let Some(h) = builder.first_mut() {
        h.label = format!("If you change it: the {} as it will be", p.terms.plan);
        h.hint = Some("Only used when you choose to change it. It opens as it stands now.".into());
    }
    fields.extend(builder);
    // A change that goes against a granted adjustment needs an override (CLE-9.13; NOR-5.9),
    // asked of a role that may give one.
    if let Some(s) = plan {
        fields.extend(change_override_fields(state, signed, s).await?);
    }
    fields.push(
        Field::new("date", "review_due", "If you change it: review date").hint(&format!(
            "No more than {} months away ({}).",
            p.rules.max_review_interval_months,
            cited(&p.clauses.review_interval)
        )),
    );
    fields.push(
        Field::new("date", "ends_on", "If you change it: end date (optional)")
            .hint("For example, 30 6 2027"),
    );
    Ok(Spec {
        heading: "Decide a dispute".into(),
        caption: format!("Dispute {id}, about {} {}", p.terms.plan, d.plan_id),
        intro: vec![
            format!("What they say: {}", d.grounds),
            format!(
                "Only someone who took no part in the decision may decide it ({}).",
                cited(&p.clauses.dispute_independent)
            ),
        ],
        fields,
        submit: "Record the decision",
        back: plan.map_or_else(|| "/".into(), |s| format!("/plans/{}", s.id)),
        evidence: crate::ui_evidence::evidence(
            state,
            signed,
            d.plan_id,
            tact_app::evidence::Decision::Dispute,
        )
        .await?,
        ..Spec::default()
    })
}

/// The dispute and the plan it is about, or the page to answer with instead.
async fn dispute_and_plan(
    state: &AppState,
    signed: &Signed,
    id: i64,
) -> Result<(tact_core::model::Dispute, tact_core::model::Plan), Box<Response>> {
    let d = match state
        .app
        .query(&signed.actor, q::Dispute { id: DisputeId(id) })
        .await
    {
        Ok(d) => d,
        _ => return Err(Box::new(not_found_page(state, signed, "dispute"))),
    };
    match state
        .app
        .query(&signed.actor, q::Plan { id: d.plan_id })
        .await
    {
        Ok(s) => Ok((d, s)),
        Err(e) => Err(Box::new(refusal(state, signed, e))),
    }
}

/// Deciding a dispute about a plan (NOR-7.1): uphold, change or lift it, with reasons; a
/// change starts from the plan as it stands, in the restriction builder.
struct DecideDispute;

impl FormStep for DecideDispute {
    type Subject = (tact_core::model::Dispute, tact_core::model::Plan);
    type Command = cmd::DecideDispute;
    const PATH: &'static str = "/disputes/{id}/decision";

    const REFUSED: step::Refusal<Self::Subject> =
        |p, a, (d, plan)| wf::dispute_refusal(p, a, d, plan);
    async fn spec(
        state: &AppState,
        signed: &Signed,
        _: i64,
        (d, plan): &Self::Subject,
    ) -> SpecOrPage {
        dispute_decision_spec(state, signed, d, Some(plan)).await
    }
    fn prefill((_, plan): &Self::Subject) -> Option<Form> {
        Some(change_values(plan))
    }
    async fn command(
        state: &AppState,
        _: &Signed,
        id: i64,
        _: &Self::Subject,
        form: &Form,
    ) -> Result<cmd::DecideDispute, AppError> {
        let outcome = tact_core::model::DisputeOutcome::parse(val(form, "outcome"))
            .map_err(|_| RuleError::invalid("outcome", "choose the outcome"))?;
        let variation = if outcome == tact_core::model::DisputeOutcome::Varied {
            Some(change_input(state, form, "reasons")?)
        } else {
            None
        };
        Ok(cmd::DecideDispute {
            dispute: DisputeId(id),
            outcome,
            reasons: val(form, "reasons").into(),
            variation,
        })
    }
    fn done(
        _: i64,
        _: &Self::Subject,
        (_, plan): &<App as Handles<cmd::DecideDispute>>::Output,
    ) -> String {
        format!("/plans/{}", plan.id)
    }
    fn said(
        state: &AppState,
        _: &Self::Subject,
        (d, plan): &<App as Handles<cmd::DecideDispute>>::Output,
    ) -> Option<String> {
        let p = &state.app.profile;
        Some(format!(
            "The dispute is decided: {}. {} Tell them the outcome in writing: the task is on \
             your list.",
            d.outcome
                .map_or_else(String::new, |o| o.plain(&p.terms.plan)),
            step::plan_standing(state, plan)
        ))
    }
}

/// What they wrote in a contact, to be read on a form about it (screening it, a task it
/// raised): a long message's first part, and where the rest is; nothing for a contact with
/// no text beyond its summary.
pub(crate) fn what_they_wrote(c: &tact_core::model::Contact) -> Option<String> {
    let body = c.body.trim();
    (!body.is_empty()).then(|| {
        let shown = tact_core::error::quoted(body, SCREEN_SHOWN);
        if shown.len() < body.len() {
            format!(
                "{shown}\n\n(This is the first part of it; all of it is on their record, \
                 under the correspondence received.)"
            )
        } else {
            shown
        }
    })
}

/// A contact in one line: how it came, which way, and on which day ("Email from them, 3
/// December 2026.").
pub(crate) fn contact_line(c: &tact_core::model::Contact) -> String {
    format!(
        "{} {}, {}.",
        capital(c.channel.plain()),
        if c.direction == tact_core::model::Direction::Inbound {
            "from them"
        } else {
            "to them"
        },
        tact_core::check::long_day(c.at)
    )
}

/// What screening a contact found (CLE-9.10; NOR-5.9).
struct Screen;

/// How much of what they sent the screening form shows (characters).
const SCREEN_SHOWN: usize = 10_000;

impl FormStep for Screen {
    type Subject = tact_core::model::Contact;
    type Command = cmd::ScreenContact;
    const PATH: &'static str = "/contacts/{id}/screen";

    const REFUSED: step::Refusal<tact_core::model::Contact> = |p, _, c| wf::screening_refusal(p, c);

    async fn spec(state: &AppState, _: &Signed, id: i64, c: &Self::Subject) -> SpecOrPage {
        let summary = &c.summary;
        let p = &state.app.profile;
        Ok(Spec {
            quoted: what_they_wrote(c),
            heading: "Screen a contact".into(),
            caption: format!("Contact {id}"),
            intro: vec![
                contact_line(c),
                format!("What they sent: {summary}"),
                format!("Read it for a genuine complaint, new information, a possible crime or a safeguarding concern ({}).", cited(&p.clauses.screening)),
            ],
            fields: vec![
                Field::new("radios", "finding", "What did the contact raise?")
                    .options(
                        tact_core::model::Finding::ALL
                            .map(|f| (f.as_str().to_string(), f.label().to_string())),
                    )
                    .ask("Select what the contact raised"),
                Field::new(
                    "textarea",
                    "note",
                    "What it raised, in a sentence or two (not needed for nothing new)",
                ),
            ],
            submit: "Record the screening",
            back: "/".into(),
            ..Spec::default()
        })
    }
    async fn command(
        _: &AppState,
        _: &Signed,
        id: i64,
        _: &Self::Subject,
        form: &Form,
    ) -> Result<Self::Command, AppError> {
        Ok(cmd::ScreenContact {
            contact: ContactId(id),
            finding: tact_core::model::Finding::parse(val(form, "finding"))?,
            note: val(form, "note").into(),
        })
    }
    fn done(_: i64, _: &Self::Subject, c: &tact_core::model::Contact) -> String {
        c.person_id
            .map_or_else(|| "/".to_string(), |p| format!("/people/{p}"))
    }
    fn said(_: &AppState, _: &Self::Subject, _: &tact_core::model::Contact) -> Option<String> {
        Some("The screening is recorded.".into())
    }
}

// ----- variation --------------------------------------------------------------------------

pub fn vary_routes() -> Router<AppState> {
    Router::new().pipe(step::route_plan::<Vary>)
}

/// The plan form's restriction and dates, for a change to an existing plan.
async fn vary_spec(state: &AppState, signed: &Signed, plan: &tact_core::model::Plan) -> SpecOrPage {
    let p = &state.app.profile;
    // Captioned as every step on a plan is: the plan, under its person's name.
    let mut spec = plan_spec(state, signed, plan.person_id.0, String::new()).await?;
    spec.fields.retain(|f| {
        !matches!(
            f.name.as_str(),
            "matter_id"
                | "incident_ids"
                | "h2"
                | "reasons"
                | "aims"
                | "proportionality"
                | "no_warning_reason"
        )
    });
    spec.fields
        .push(Field::new("textarea", "reason", "Why it is changing").required());
    spec.heading = format!("Change the {}", p.terms.plan);
    spec.intro = vec![if p.rules.notice_before_effect {
        format!(
            "The change takes effect when the written notice of it is recorded ({}).",
            cited(&p.clauses.notice_first)
        )
    } else {
        format!(
            "The change takes effect now; the person is told in writing ({}).",
            cited(&p.clauses.changes_told)
        )
    }];
    spec.fields
        .extend(change_override_fields(state, signed, plan).await?);
    spec.action = format!("/plans/{}/vary", plan.id);
    spec.submit = "Save the change";
    spec.back = format!("/plans/{}", plan.id);
    Ok(spec)
}

/// A change to a plan starts from the plan as it stands: its restrictions in the builder,
/// its review and end dates (the change form, and a dispute decided by changing it).
fn change_values(plan: &tact_core::model::Plan) -> Form {
    let mut values = crate::ui_restrictions::prefill(&plan.restrictions);
    values.insert("review_due".into(), plan.review_due.to_string());
    if let Some(e) = plan.ends_on {
        values.insert("ends_on".into(), e.to_string());
    }
    values
}

/// The change a form asks for: the restriction builder's restrictions, the review and end
/// dates, and the reason, from the field `reason_field`.
fn change_input(
    state: &AppState,
    form: &Form,
    reason_field: &str,
) -> Result<wf::VaryInput, RuleError> {
    Ok(wf::VaryInput {
        restrictions: crate::ui_restrictions::parse(&state.app.profile, form)?,
        review_due: date_field(form, "review_due")?
            .ok_or_else(|| RuleError::invalid("review_due", "enter the review date"))?,
        ends_on: date_field(form, "ends_on")?,
        reason: val(form, reason_field).into(),
        overrides: overrides_given(form),
    })
}

/// Changing a plan (CLE-9.14; NOR-5.1): its restrictions, review date and end date, starting
/// from what it says now, with the reason for the change.
struct Vary;

impl PlanForm for Vary {
    const STEP: wf::PlanStep = wf::PlanStep::Vary;
    const PATH: &'static str = "/plans/{id}/vary";

    async fn spec(state: &AppState, signed: &Signed, plan: &tact_core::model::Plan) -> SpecOrPage {
        vary_spec(state, signed, plan).await
    }
    fn prefill(plan: &tact_core::model::Plan) -> Option<Form> {
        Some(change_values(plan))
    }
    fn command(
        state: &AppState,
        _: &tact_core::model::Plan,
        form: &Form,
    ) -> Result<wf::PlanCommand, RuleError> {
        Ok(wf::PlanCommand::Vary(change_input(state, form, "reason")?))
    }
}

impl step::Subject for tact_core::model::Staff {
    async fn load(state: &AppState, signed: &Signed, id: i64) -> Result<Self, Response> {
        step::read(state, signed, q::Colleague { id: StaffId(id) }).await
    }
}

impl step::Subject for (tact_core::model::Dispute, tact_core::model::Plan) {
    async fn load(state: &AppState, signed: &Signed, id: i64) -> Result<Self, Response> {
        dispute_and_plan(state, signed, id).await.map_err(|r| *r)
    }
    fn person(&self) -> Option<tact_core::ids::PersonId> {
        Some(self.0.person_id)
    }
}

impl step::Subject for tact_core::model::Adjustment {
    async fn load(state: &AppState, signed: &Signed, id: i64) -> Result<Self, Response> {
        step::read(
            state,
            signed,
            q::Adjustment {
                id: AdjustmentId(id),
            },
        )
        .await
    }
    fn person(&self) -> Option<tact_core::ids::PersonId> {
        Some(self.person_id)
    }
}

impl step::Subject for tact_core::model::Contact {
    async fn load(state: &AppState, signed: &Signed, id: i64) -> Result<Self, Response> {
        step::read(state, signed, q::Contact { id: ContactId(id) }).await
    }
    fn person(&self) -> Option<tact_core::ids::PersonId> {
        self.person_id
    }
}
