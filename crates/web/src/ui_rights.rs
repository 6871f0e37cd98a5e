//! Data-rights requests in the staff UI (issue 5): anyone who takes contact records one
//! from the person page, whatever a plan says; the DPO answers it from its task — done,
//! refused, or more time (once, within the first month).

use crate::ui::PagePath;
use crate::ui::Signed;
use crate::ui_forms::{
    capital, channel_field, date_field, pick_word, val, Field, Spec, SpecOrPage,
};
use crate::ui_step::{self as step, Form, FormStep, PersonStep};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use tact_app::query as q;
use tact_app::AppError;

use tact_core::command as cmd;
use tact_core::ids::PersonId;
use tact_core::profile::Channel;
use tact_core::rights::{RightKind, RightsRequest, CLAUSE};
use tact_core::RuleError;

pub fn routes() -> Router<AppState> {
    let r = Router::new().route("/people/{id}/export", get(export));
    let r = step::route::<Answer>(r);
    step::route_person::<ReceiveRequest>(r)
}

/// One line for the person page.
pub fn describe(r: &RightsRequest) -> String {
    let state = match (r.status, r.extended_to) {
        (tact_core::rights::RightStatus::Open, Some(to)) => {
            format!("open, extended to {}", tact_core::check::long_date(to))
        }
        (tact_core::rights::RightStatus::Open, None) => {
            format!("open, due by {}", tact_core::check::long_date(r.due_on))
        }
        (s, _) => format!("{}: {}", s.as_str(), r.outcome.clone().unwrap_or_default()),
    };
    format!(
        "{}: {} — received {} {}; {state}",
        r.id,
        capital(r.kind.plain()),
        tact_core::check::long_date(r.received_on),
        r.channel.by()
    )
}

/// Recording a data-rights request that came in.
struct ReceiveRequest;

impl PersonStep for ReceiveRequest {
    type Command = cmd::ReceiveRightsRequest;
    const PATH: &'static str = "/people/{id}/data-rights";

    async fn spec(_: &AppState, _: &Signed, _: i64) -> SpecOrPage {
        Ok(Spec {
            heading: "Record a data-rights request".into(),
            intro: vec![format!(
                "A request about their own data goes to the Data Protection Officer whatever their \
                 plan says. It must be answered within one month of receipt ({CLAUSE})."
            )],
            fields: vec![
                Field::new("radios", "kind", "What are they asking for?")
                    .options(RightKind::ALL.map(|k| (k.as_str().to_string(), capital(k.plain()))))
                    .ask("Select what they are asking for"),
                Field::new("textarea", "details", "What they asked, in their words"),
                channel_field(
                    "How it came",
                    &[
                        Channel::Phone,
                        Channel::Email,
                        Channel::Letter,
                        Channel::Visit,
                    ],
                ),
                Field::new("date", "received_on", "When it was received (optional)")
                    .hint("Leave empty for today. For example, 20 11 2026"),
            ],
            submit: "Send to the Data Protection Officer",
            ..Spec::default()
        })
    }
    fn command(_: &AppState, _: &Signed, id: i64, form: &Form) -> Result<Self::Command, RuleError> {
        Ok(cmd::ReceiveRightsRequest {
            person: PersonId(id),
            kind: crate::ui_forms::chosen(
                form,
                "kind",
                RightKind::parse,
                "select what they are asking for",
            )?,
            details: val(form, "details").into(),
            channel: crate::ui_forms::chosen(
                form,
                "channel",
                Channel::parse,
                "choose how it came in",
            )?,
            received_on: date_field(form, "received_on")?,
        })
    }
    fn said(_: &AppState, r: &RightsRequest) -> Option<String> {
        Some(format!(
            "The request is recorded: the Data Protection Officer is asked to answer it by {} ({CLAUSE}).",
            tact_core::check::long_date(r.due_on)
        ))
    }
}

/// Subject access: everything held about them, as one zip to download (the DPO).
async fn export(
    State(state): State<AppState>,
    signed: Signed,
    PagePath(id): PagePath<i64>,
) -> Response {
    use axum::response::IntoResponse;
    let ctx = tact_app::Ctx::new(signed.actor.clone());
    let files = match crate::export::subject_access(&state.app, &ctx, PersonId(id)).await {
        Ok(f) => f,
        Err(e) => return crate::ui::refusal(&state, &signed, e),
    };
    match crate::export::zip(&files) {
        Ok(bytes) => (
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "application/zip".to_string(),
                ),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"subject-access-{id}.zip\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => crate::ui::refusal(
            &state,
            &signed,
            tact_core::RuleError::invalid("export", e).into(),
        ),
    }
}

/// The DPO's answer to a data-rights request: done, refused, or more time.
struct Answer;

impl FormStep for Answer {
    type Subject = RightsRequest;
    type Command = cmd::AnswerRightsRequest;
    const PATH: &'static str = "/data-rights/{id}";

    const REFUSED: step::Refusal<RightsRequest> = tact_core::rights::answer_refusal;

    async fn spec(state: &AppState, signed: &Signed, _: i64, r: &RightsRequest) -> SpecOrPage {
        // Where the work the request asks for is done, where this member of staff may do it:
        // the subject access download, or correcting their details.
        let p = &state.app.profile;
        let person = r.person_id;
        let links = match r.kind {
            RightKind::Access
                if tact_core::command::offered::<cmd::RecordSubjectAccess>(p, &signed.actor) =>
            {
                vec![(
                    format!("/people/{person}/export"),
                    "Download everything we hold about them, to send with your answer".to_string(),
                )]
            }
            RightKind::Rectification
                if tact_core::command::offered::<cmd::RectifyPerson>(p, &signed.actor) =>
            {
                vec![(
                    format!("/people/{person}/rectify"),
                    "Correct the details that were wrong".to_string(),
                )]
            }
            _ => Vec::new(),
        };
        let mut intro = vec![
            format!("{}.", capital(r.kind.plain())),
            format!("In their words: {}", r.details),
            format!(
                "Received {} {}; due by {}{}.",
                tact_core::check::long_date(r.received_on),
                r.channel.by(),
                tact_core::check::long_date(r.due_on),
                r.extended_to
                    .map(|d| format!(", extended to {}", tact_core::check::long_date(d)))
                    .unwrap_or_default()
            ),
        ];
        if let Some(why) = &r.extension_reason {
            intro.push(format!("Why more time: {why}"));
        }
        let mut options = vec![
            (
                "done".to_string(),
                "Answered: say what was done".to_string(),
            ),
            ("refused".to_string(), "Refused: say why".to_string()),
        ];
        if r.extended_to.is_none() {
            options.push((
                "extend".to_string(),
                "More time is needed: two more months, and say why (they are told)".to_string(),
            ));
        }
        Ok(Spec {
            heading: "Answer a data-rights request".into(),
            caption: format!("Request {} ({CLAUSE})", r.id),
            intro,
            links,
            fields: vec![
                Field::new("radios", "decision", "Your answer").options(options),
                Field::new(
                    "textarea",
                    "text",
                    "What was done, why it is refused, or why more time is needed",
                ),
            ],
            submit: "Record it",
            back: format!("/people/{}", r.person_id),
            ..Spec::default()
        })
    }
    async fn command(
        _: &AppState,
        _: &Signed,
        id: i64,
        _: &RightsRequest,
        form: &Form,
    ) -> Result<Self::Command, AppError> {
        Ok(cmd::AnswerRightsRequest {
            request: id,
            answer: pick_word(form, "decision", "choose your answer")?,
            text: val(form, "text").into(),
        })
    }
    fn done(_: i64, r: &RightsRequest, _: &RightsRequest) -> String {
        format!("/people/{}", r.person_id)
    }
    fn said(_: &AppState, _: &RightsRequest, r: &RightsRequest) -> Option<String> {
        Some(match (r.status, r.extended_to) {
            (tact_core::rights::RightStatus::Open, Some(to)) => format!(
                "More time is recorded: the answer is due by {}. Tell them why.",
                tact_core::check::long_date(to)
            ),
            (tact_core::rights::RightStatus::Refused, _) => {
                "The refusal is recorded. Tell them why, and that they may complain to the Information Commissioner.".to_string()
            }
            _ => "The answer is recorded.".to_string(),
        })
    }
}

impl step::Subject for RightsRequest {
    async fn load(state: &AppState, signed: &Signed, id: i64) -> Result<Self, Response> {
        step::read(state, signed, q::RightsRequestOf { id }).await
    }
    fn person(&self) -> Option<tact_core::ids::PersonId> {
        Some(self.person_id)
    }
}
