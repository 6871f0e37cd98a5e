//! Correspondence in the staff UI: the queues (quarantine, unknown senders), one message
//! with its text, attachments and the message exactly as received, and marking a letter
//! or email as threatening or abusive (CLE-4.6).

use crate::ui::or_page;
use crate::ui::Frame;
use crate::ui::{error_page, refusal, render, when, Cell, Signed};
use crate::ui::{PagePath, PageQuery};
use crate::ui_forms::{val, Field, Spec, SpecOrPage};
use crate::ui_step::{self as step, Form, FormStep, Pipe};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tact_app::query as q;
use tact_app::AppError;
use tact_app::{App, Handles};
use tact_core::command as cmd;
use tact_core::correspondence::{Route, StoredMessage};
use tact_core::profile::cited;
use tact_core::RuleError;

pub fn routes() -> Router<AppState> {
    let r = Router::new()
        .route("/messages", get(queue))
        .route("/messages/{id}", get(message))
        .route("/messages/{id}/raw", get(raw))
        .route("/messages/{id}/attachments/{n}", get(attachment))
        .pipe(step::route::<MatchMessage>);
    step::route::<MarkThreatening>(r)
}

pub(crate) fn route_words(m: &StoredMessage) -> String {
    match m.route {
        Route::Inbox => "To the inbox".into(),
        Route::Breach => "Kept as a breach of the plan, with a reminder to send".into(),
        Route::Screening => "Kept, and queued to be read for anything new or urgent".into(),
        Route::UnknownSender => "From an address nobody is known by".into(),
        Route::Quarantine => format!(
            "Quarantined: {}",
            m.quarantine_reason.clone().unwrap_or_default()
        ),
    }
}

#[derive(serde::Deserialize)]
struct QueueQuery {
    route: Option<String>,
}

#[derive(Template)]
#[template(path = "messages.html")]
struct QueuePage<'a> {
    frame: Frame<'a>,
    heading: String,
    intro: String,
    /// When, from whom, the subject (linked to the message) and why it is here.
    rows: Vec<Vec<Cell>>,
}

async fn queue(
    State(state): State<AppState>,
    signed: Signed,
    PageQuery(q): PageQuery<QueueQuery>,
) -> Response {
    let route = or_page!(Route::parse_or(q.route.as_deref(), Route::Quarantine)
        .map_err(|e| refusal(&state, &signed, e.into())));
    let (heading, intro) = match route {
        Route::Quarantine => (
            "Quarantined messages",
            "Messages that could not be taken in as they are. Each is kept whole; download it to read it.",
        ),
        Route::UnknownSender => (
            "Messages from unknown senders",
            "From addresses nobody is known by. Open one to read it; add the sender as a person if they are one.",
        ),
        _ => ("Messages", ""),
    };
    let list =
        or_page!(crate::ui_step::read(&state, &signed, q::Messages { route, limit: 500 }).await);
    render(&QueuePage {
        frame: Frame::of(&state, &signed),
        heading: heading.into(),
        intro: intro.into(),
        rows: list
            .iter()
            .map(|m| {
                vec![
                    Cell::text(when(m.received_at)),
                    Cell::text(m.sender.clone()),
                    Cell::link(
                        if m.subject.is_empty() {
                            "(no subject)".into()
                        } else {
                            m.subject.clone()
                        },
                        format!("/messages/{}", m.id),
                    ),
                    Cell::text(m.quarantine_reason.clone().unwrap_or_default()),
                ]
            })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    frame: Frame<'a>,
    id: i64,
    subject: String,
    from: String,
    received: String,
    mailbox: String,
    person: Option<(i64, String)>,
    matter: Option<String>,
    route: String,
    body: String,
    attachments: Vec<(usize, String, String, String)>,
    actions: Vec<(String, String)>,
}

fn size(n: usize) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / 1_048_576.0)
    } else if n >= 1024 {
        format!("{} KB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

async fn message(
    State(state): State<AppState>,
    signed: Signed,
    PagePath(id): PagePath<i64>,
) -> Response {
    let (m, (_, atts)) =
        or_page!(crate::ui_step::read(&state, &signed, q::MessageWithContent { id }).await);
    let body = match m.contact_id {
        Some(c) => {
            or_page!(crate::ui_step::read_if_allowed(&state, &signed, q::Contact { id: c }).await)
                .map_or_else(
                    || "You may not read this message's words.".to_string(),
                    |c| c.body,
                )
        }
        None => {
            "This message could not be read as email. Download it to see it as received.".into()
        }
    };
    let attachments = atts
        .iter()
        .enumerate()
        .map(|(n, (name, kind, bytes))| {
            (
                n,
                name.clone()
                    .unwrap_or_else(|| format!("attachment {}", n + 1)),
                kind.clone(),
                size(bytes.len()),
            )
        })
        .collect();
    let person = match m.person_id {
        Some(p) => {
            or_page!(crate::ui_forms::person_caption(&state, &signed, p.0).await).map(|c| (p.0, c))
        }
        None => None,
    };
    let matter = match m.matter_id {
        Some(id) => {
            or_page!(crate::ui_step::read_if_allowed(&state, &signed, q::Matter { id }).await)
                .map(|m| crate::ui::matter_label(&m))
        }
        None => None,
    };
    let p = &state.app.profile;
    let mut actions = Vec::new();
    if tact_core::correspondence::on_record(p, &m).is_ok()
        && cmd::offered::<cmd::MarkThreatening>(p, &signed.actor)
    {
        actions.push((
            format!("/messages/{id}/threatening"),
            "Mark as threatening or abusive".to_string(),
        ));
    }
    if m.person_id.is_none()
        && m.route != Route::Quarantine
        && cmd::offered::<cmd::MatchMessage>(p, &signed.actor)
    {
        // The address as core reads a From header; one it cannot read is shown as it came,
        // for the form to say what is wrong with it.
        let who = tact_core::identity::EmailAddress::parse(&m.sender)
            .map_or_else(|_| m.sender.clone(), |e| e.to_string());
        actions.push((
            format!("/messages/{id}/match"),
            "Match to someone we know".to_string(),
        ));
        // The new person's form starts with the sender's address and name, and goes on to
        // match this message to them.
        let name = tact_mail::sender_name(&m.sender)
            .map(|n| format!("&name={}", crate::urlencode(n)))
            .unwrap_or_default();
        actions.push((
            format!(
                "/people/new?who={}{name}&message={id}",
                crate::urlencode(&who)
            ),
            "Add the sender as a new person".to_string(),
        ));
    }
    render(&MessagePage {
        frame: Frame::of(&state, &signed),
        id,
        subject: if m.subject.is_empty() {
            "(no subject)".into()
        } else {
            m.subject.clone()
        },
        from: if m.sender.is_empty() {
            "(no sender)".into()
        } else {
            m.sender.clone()
        },
        received: when(m.received_at),
        mailbox: m.mailbox.clone(),
        person,
        matter,
        route: route_words(&m),
        body,
        attachments,
        actions,
    })
}

/// A file to download, never shown inline: what a member of the public sends is not
/// trusted to run in staff browsers.
pub(crate) fn download(name: &str, kind: &str, bytes: Vec<u8>) -> Response {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (CONTENT_TYPE, kind.to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
            (
                HeaderName::from_static("x-content-type-options"),
                "nosniff".to_string(),
            ),
        ],
        bytes,
    )
        .into_response()
}

async fn raw(
    State(state): State<AppState>,
    signed: Signed,
    PagePath(id): PagePath<i64>,
) -> Response {
    match state
        .app
        .query(&signed.actor, q::MessageWithContent { id })
        .await
    {
        Ok((_, (raw, _))) => download(&format!("message-{id}.eml"), "message/rfc822", raw),
        Err(e) => refusal(&state, &signed, e),
    }
}

async fn attachment(
    State(state): State<AppState>,
    signed: Signed,
    PagePath((id, n)): PagePath<(i64, usize)>,
) -> Response {
    match state
        .app
        .query(&signed.actor, q::MessageWithContent { id })
        .await
    {
        Ok((_, (_, atts))) => match atts.into_iter().nth(n) {
            // Whatever type the sender claimed, it is only ever downloaded.
            Some((name, _claimed, bytes)) => download(
                &name.unwrap_or_else(|| format!("attachment-{}", n + 1)),
                "application/octet-stream",
                bytes,
            ),
            None => error_page(
                &state,
                Some(&signed),
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is no such attachment.",
            ),
        },
        Err(e) => refusal(&state, &signed, e),
    }
}

/// Marking a received message as threatening or abusive (CLE-4.6).
struct MarkThreatening;

impl FormStep for MarkThreatening {
    type Subject = StoredMessage;
    type Command = cmd::MarkThreatening;
    const PATH: &'static str = "/messages/{id}/threatening";

    const REFUSED: crate::ui_step::Refusal<StoredMessage> =
        |p, _, m| tact_core::correspondence::on_record(p, m).err();

    async fn spec(state: &AppState, _: &Signed, _: i64, m: &StoredMessage) -> SpecOrPage {
        let p = &state.app.profile;
        let mut category = Field::new("select", "category", "What kind of behaviour is it?")
            .options(
                p.categories
                    .iter()
                    .map(|c| (c.id.clone(), format!("{} ({})", c.name, cited(&c.clause)))),
            );
        if let Some(c) = p.threatening_correspondence_category() {
            category.value = c.id.clone();
        }
        Ok(Spec {
            heading: "Mark as threatening or abusive".into(),
            caption: m.subject.clone(),
            intro: vec![format!(
                "This records the behaviour against the message, and asks a manager to create a {} ({}).",
                p.terms.plan, cited(&p.clauses.threatening_correspondence)
            )],
            fields: vec![
                category,
                Field::new("textarea", "description", "What in it is threatening or abusive").required(),
            ],
            submit: "Record it",
            ..Spec::default()
        })
    }
    async fn command(
        state: &AppState,
        _: &Signed,
        _: i64,
        m: &StoredMessage,
        form: &Form,
    ) -> Result<Self::Command, AppError> {
        Ok(cmd::MarkThreatening {
            contact: tact_core::correspondence::on_record(&state.app.profile, m)?,
            category: val(form, "category").into(),
            description: val(form, "description").into(),
        })
    }
    fn done(_: i64, m: &StoredMessage, _: &<App as Handles<Self::Command>>::Output) -> String {
        format!("/people/{}", m.person_id.map(|p| p.0).unwrap_or_default())
    }
    fn said(
        _: &AppState,
        _: &StoredMessage,
        (_, tasks): &<App as Handles<cmd::MarkThreatening>>::Output,
    ) -> Option<String> {
        Some(if tasks.is_empty() {
            "The message is recorded as behaviour on their record.".into()
        } else {
            "The message is recorded as behaviour on their record, and the tasks that follow \
             from it are on the lists of those who do them."
                .into()
        })
    }
}

/// Filing a message from an unknown sender under a person, found by the reference staff give
/// (and keeping the address as theirs, where asked).
struct MatchMessage;

impl FormStep for MatchMessage {
    type Subject = StoredMessage;
    type Command = cmd::MatchMessage;
    const PATH: &'static str = "/messages/{id}/match";

    const REFUSED: crate::ui_step::Refusal<StoredMessage> =
        |_, _, m| tact_core::correspondence::awaiting_match(m).err();

    async fn spec(_: &AppState, _: &Signed, _: i64, m: &StoredMessage) -> SpecOrPage {
        let mut keep = Field::new(
            "checkbox",
            "keep_address",
            "Keep the sender's address on their record, so their next email is matched by itself",
        );
        keep.value = "yes".into();
        Ok(Spec {
            heading: "Match to someone we know".into(),
            caption: format!("From {}", m.sender),
            intro: vec!["Find their reference on their page, or with Find a person.".into()],
            fields: vec![
                Field::new("text", "reference", "Their reference").hint("For example, SU-000123"),
                keep,
            ],
            submit: "Match",
            ..Spec::default()
        })
    }
    async fn command(
        state: &AppState,
        signed: &Signed,
        id: i64,
        _: &StoredMessage,
        form: &Form,
    ) -> Result<cmd::MatchMessage, AppError> {
        // However it is typed (`su-123`), as the search reads it.
        let typed = val(form, "reference").trim().to_uppercase();
        let reference = tact_core::ids::PersonId::from_reference(&typed)
            .map_or(typed, tact_core::ids::PersonId::reference);
        let nobody = || {
            RuleError::invalid(
                "reference",
                format!("nobody has the reference {reference:?}"),
            )
        };
        if reference.is_empty() {
            return Err(RuleError::invalid(
                "reference",
                "enter their reference, such as SU-000123",
            )
            .into());
        }
        // A search that fails is its error, not "nobody has the reference".
        let found = state
            .app
            .query(
                &signed.actor,
                q::Search {
                    text: reference.clone(),
                },
            )
            .await?
            .into_iter()
            .find(|p| p.reference == reference)
            .ok_or_else(nobody)?;
        Ok(cmd::MatchMessage {
            message: id,
            person: found.id,
            keep_address: !val(form, "keep_address").is_empty(),
        })
    }
    fn done(id: i64, _: &StoredMessage, _: &StoredMessage) -> String {
        format!("/messages/{id}")
    }
    fn said(_: &AppState, _: &StoredMessage, _: &StoredMessage) -> Option<String> {
        Some("The message is on their record now.".into())
    }
}

impl step::Subject for StoredMessage {
    async fn load(state: &AppState, signed: &Signed, id: i64) -> Result<Self, Response> {
        step::read(state, signed, q::Message { id }).await
    }
    fn person(&self) -> Option<tact_core::ids::PersonId> {
        self.person_id
    }
}
