//! Sharing with partners (CLE-9.15): staff ask, naming the partner and the legitimate
//! reason; only the DPO approves or refuses; what was shared goes on the disclosure log.

use crate::ui::or_page;
use crate::ui::Frame;
use crate::ui::PagePath;
use crate::ui::{refusal, render, Cell, Signed};
use crate::ui_forms::{capital, caption_of, decision_fields, pick, val, Field, Spec, SpecOrPage};
use crate::ui_step::{self as step, Form, FormStep, PersonStep};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use tact_app::query as q;
use tact_app::AppError;
use tact_app::{App, Handles};
use tact_core::command as cmd;
use tact_core::ids::{DisclosureId, PersonId, StaffId};
use tact_core::profile::cited;

use tact_core::sharing::{Disclosure, DisclosureRequest, DisclosureStatus};
use tact_core::RuleError;

pub fn routes() -> Router<AppState> {
    let r = Router::new()
        .route("/people/{id}/access", get(access))
        .route("/disclosures", get(log));
    let r = step::route_person::<AskToShare>(r);
    let r = step::route::<DecideRequest>(r);
    step::route::<RecordWhatWasShared>(r)
}

/// One line for the person page.
pub fn describe(d: &Disclosure, name_of: &dyn Fn(StaffId) -> String) -> String {
    let when = tact_core::check::long_day;
    match d.status {
        DisclosureStatus::Requested => format!(
            "{}: asked by {} on {} to share with {}, waiting for the Data Protection Officer",
            d.id,
            name_of(d.requested_by),
            when(d.requested_at),
            d.partner
        ),
        DisclosureStatus::Approved => format!(
            "{}: sharing with {} approved by {}, not yet shared",
            d.id,
            d.partner,
            d.decided_by.map(name_of).unwrap_or_default()
        ),
        DisclosureStatus::Refused => format!(
            "{}: sharing with {} refused by {}: {}",
            d.id,
            d.partner,
            d.decided_by.map(name_of).unwrap_or_default(),
            d.decision_reason.clone().unwrap_or_default()
        ),
        DisclosureStatus::Shared => format!(
            "{}: shared with {} on {}: {}",
            d.id,
            d.partner,
            d.shared_at.map(when).unwrap_or_default(),
            d.shared_what.clone().unwrap_or_default()
        ),
    }
}

/// Asking to share a person's details with a partner.
struct AskToShare;

impl PersonStep for AskToShare {
    type Command = cmd::RequestDisclosure;
    const PATH: &'static str = "/people/{id}/share";

    async fn spec(state: &AppState, _: &Signed, _: i64) -> SpecOrPage {
        let p = &state.app.profile;
        let examples = p.sharing.example_partners.join(", ");
        Ok(Spec {
            heading: "Ask to share details with a partner".into(),
            intro: vec![format!(
                "Details are shared only for a legitimate reason, and only after the Data Protection \
                 Officer agrees ({}).",
                cited(&p.sharing.clause)
            )],
            fields: vec![
                Field::new("text", "partner", "Who would receive them").hint(&if examples.is_empty() {
                    "The partner agency".to_string()
                } else {
                    format!("For example, {examples}")
                }),
                Field::new("textarea", "reason", "The legitimate reason for sharing").required(),
                Field::new("textarea", "details", "What would be shared")
                    .hint("Share no more than the reason needs."),
            ],
            submit: "Send to the Data Protection Officer",
            ..Spec::default()
        })
    }
    fn command(_: &AppState, _: &Signed, id: i64, form: &Form) -> Result<Self::Command, RuleError> {
        Ok(cmd::RequestDisclosure {
            person: PersonId(id),
            request: DisclosureRequest {
                partner: val(form, "partner").into(),
                reason: val(form, "reason").into(),
                details: val(form, "details").into(),
            },
        })
    }
    fn said(state: &AppState, _: &Disclosure) -> Option<String> {
        Some(format!(
            "The request is sent to the Data Protection Officer. Nothing is shared until they agree ({}).",
            cited(&state.app.profile.sharing.clause)
        ))
    }
}

/// A form about a request to share: the request itself, then `note`; back to the person.
fn about(d: &Disclosure, note: String) -> Spec {
    Spec {
        caption: format!("Request {}", d.id),
        intro: vec![
            format!("Shared with: {}", d.partner),
            format!("Why: {}", d.reason),
            format!("What: {}", d.details),
            note,
        ],
        back: format!("/people/{}", d.person_id),
        ..Spec::default()
    }
}

/// The DPO's decision on a request to share.
struct DecideRequest;

impl FormStep for DecideRequest {
    type Subject = Disclosure;
    type Command = cmd::DecideDisclosure;
    const PATH: &'static str = "/disclosures/{id}/decision";

    const REFUSED: step::Refusal<Disclosure> = tact_core::sharing::decision_refusal;

    async fn spec(state: &AppState, _: &Signed, _: i64, d: &Disclosure) -> SpecOrPage {
        let clause = cited(&state.app.profile.sharing.clause);
        Ok(Spec {
            heading: "Decide a request to share".into(),
            fields: decision_fields(
                "decision",
                ("approve", "Approve"),
                ("refuse", "Refuse"),
                "reason",
            ),
            submit: "Record the decision",
            ..about(
                d,
                format!("Only the Data Protection Officer decides ({clause})."),
            )
        })
    }
    async fn command(
        _: &AppState,
        _: &Signed,
        _: i64,
        d: &Disclosure,
        form: &Form,
    ) -> Result<Self::Command, AppError> {
        Ok(cmd::DecideDisclosure {
            disclosure: d.id,
            approve: pick(
                form,
                "decision",
                &[("approve", true), ("refuse", false)],
                "choose approve or refuse",
            )?,
            reason: val(form, "reason").into(),
        })
    }
    fn done(_: i64, d: &Disclosure, _: &<App as Handles<Self::Command>>::Output) -> String {
        format!("/people/{}", d.person_id)
    }
    fn said(_: &AppState, _: &Disclosure, d: &Disclosure) -> Option<String> {
        Some(match d.status {
            DisclosureStatus::Approved => {
                "Sharing is approved. Record what was shared once it is sent.".to_string()
            }
            other => format!("The request to share is {}.", other.as_str()),
        })
    }
}

/// Recording what was shared, once the DPO has agreed.
struct RecordWhatWasShared;

impl FormStep for RecordWhatWasShared {
    type Subject = Disclosure;
    type Command = cmd::RecordShared;
    const PATH: &'static str = "/disclosures/{id}/shared";

    const REFUSED: step::Refusal<Disclosure> = tact_core::sharing::sharing_refusal;

    async fn spec(state: &AppState, _: &Signed, _: i64, d: &Disclosure) -> SpecOrPage {
        let clause = cited(&state.app.profile.sharing.clause);
        Ok(Spec {
            heading: "Record what was shared".into(),
            fields: vec![Field::new(
                "textarea",
                "shared_what",
                "Exactly what was shared, and how",
            )],
            submit: "Record it",
            ..about(d, format!("This goes on the disclosure log ({clause})."))
        })
    }
    async fn command(
        _: &AppState,
        _: &Signed,
        _: i64,
        d: &Disclosure,
        form: &Form,
    ) -> Result<Self::Command, AppError> {
        Ok(cmd::RecordShared {
            disclosure: d.id,
            what: val(form, "shared_what").into(),
            at: None,
        })
    }
    fn done(_: i64, d: &Disclosure, _: &<App as Handles<Self::Command>>::Output) -> String {
        format!("/people/{}", d.person_id)
    }
    fn said(_: &AppState, _: &Disclosure, _: &Disclosure) -> Option<String> {
        Some("What was shared is recorded in the disclosure log.".into())
    }
}

#[derive(Template)]
#[template(path = "access.html")]
struct AccessPage<'a> {
    frame: Frame<'a>,
    person: (i64, String),
    rows: Vec<(String, String, String)>,
}

/// Who has opened a person's restrictions, incidents and adjustments (the DPO and auditors).
async fn access(
    State(state): State<AppState>,
    signed: Signed,
    PagePath(id): PagePath<i64>,
) -> Response {
    let rows = or_page!(
        crate::ui_step::read(
            &state,
            &signed,
            q::AccessLog {
                person: Some(PersonId(id)),
                limit: 1000,
            }
        )
        .await
    );
    let staff = or_page!(crate::ui_forms::colleagues(&state, &signed).await);
    render(&AccessPage {
        frame: Frame::of(&state, &signed),
        person: (id, or_page!(caption_of(&state, &signed, id).await)),
        rows: rows
            .iter()
            .map(|a| {
                (
                    crate::ui::when(a.at),
                    staff
                        .iter()
                        .find(|s| s.id == a.staff_id)
                        .map_or_else(|| format!("staff {}", a.staff_id), |s| s.name.clone()),
                    a.what.clone(),
                )
            })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "disclosures.html")]
struct LogPage<'a> {
    frame: Frame<'a>,
    clause: String,
    /// When, whose (linked to their page), with whom, why, what, and who approved it.
    rows: Vec<Vec<Cell>>,
}

async fn log(State(state): State<AppState>, signed: Signed) -> Response {
    // The app holds the rule on who may read it (the DPO, those who may ask, auditors).
    let rows =
        or_page!(crate::ui_step::read(&state, &signed, q::DisclosureLog { limit: 500 }).await);
    let p = &state.app.profile;
    let names = match crate::ui::Names::of(&state.app, &signed.actor).await {
        Ok(n) => n,
        Err(e) => return refusal(&state, &signed, e),
    };
    let name_of = |id: Option<StaffId>| id.map(|id| names.name(id)).unwrap_or_default();
    render(&LogPage {
        frame: Frame::of(&state, &signed),
        clause: crate::ui_forms::capital(tact_core::profile::cited(&p.sharing.clause)),
        rows: rows
            .iter()
            .map(|d| {
                vec![
                    Cell::text(d.shared_at.map(crate::ui::when).unwrap_or_default()),
                    Cell::link(d.person_id.reference(), format!("/people/{}", d.person_id)),
                    Cell::text(d.partner.clone()),
                    Cell::text(capital(&d.reason)),
                    Cell::text(d.shared_what.clone().unwrap_or_default()),
                    Cell::text(name_of(d.decided_by)),
                ]
            })
            .collect(),
    })
}

impl step::Subject for Disclosure {
    async fn load(state: &AppState, signed: &Signed, id: i64) -> Result<Self, Response> {
        let id = DisclosureId(id);
        step::read(state, signed, q::Disclosure { id }).await
    }
    fn person(&self) -> Option<tact_core::ids::PersonId> {
        Some(self.person_id)
    }
}
