//! Retention in the staff UI (issue 5; NOR-9.1): the DPO sees whose records are due for
//! disposal (the dry run: nothing is destroyed by looking), disposes of them with a
//! confirmation, and reads the disposal register. Legal holds are placed and lifted from
//! the person page.

use crate::ui::or_page;
use crate::ui::Frame;
use crate::ui::Posted;
use crate::ui::PostedTo;
use crate::ui::{refusal, render, Signed};
use crate::ui_back::Buttons;
use crate::ui_forms::{val, Field, Spec, SpecOrPage};
use crate::ui_step::{self as step, Form, PersonStep};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use tact_app::query as q;
use tact_core::command as cmd;
use tact_core::ids::PersonId;
use tact_core::RuleError;

pub fn routes() -> Router<AppState> {
    let r = Router::new()
        .route("/retention", get(page))
        .button("/retention/dispose", dispose, "/retention")
        .button("/holds/{id}/lift", lift, "/retention");
    step::route_person::<PlaceHold>(r)
}

#[derive(Template)]
#[template(path = "retention.html")]
struct Page<'a> {
    frame: Frame<'a>,
    clause: String,
    years: u32,
    /// Each person due: their id, name, reference, and the day they fell due.
    due: Vec<(i64, String, String, String)>,
    /// Each hold in place: its id, the person, their reference, why, and who placed it when.
    holds: Vec<(i64, i64, String, String, String)>,
    may_lift: bool,
    register: Vec<(String, String, String, String)>,
}

async fn page(State(state): State<AppState>, signed: Signed) -> Response {
    let due = or_page!(crate::ui_step::read(&state, &signed, q::DueForDisposal {}).await);
    let holds = or_page!(crate::ui_step::read(&state, &signed, q::HoldsInPlace {}).await);
    let register =
        or_page!(crate::ui_step::read(&state, &signed, q::DisposalRegister { limit: 200 }).await);
    let names = or_page!(crate::ui::Names::of(&state.app, &signed.actor)
        .await
        .map_err(|e| refusal(&state, &signed, e)));
    let p = &state.app.profile;
    render(&Page {
        frame: Frame::of(&state, &signed),
        clause: tact_core::profile::cited(&p.clauses.retention).to_string(),
        years: p.rules.retention_years_after_finalised,
        due: due
            .iter()
            .map(|d| {
                (
                    d.person.0,
                    d.name.clone(),
                    d.reference.clone(),
                    tact_core::check::long_date(d.due_on),
                )
            })
            .collect(),
        holds: holds
            .into_iter()
            .map(|h| {
                let placed = format!(
                    "{}, {}",
                    names.name(h.placed_by),
                    crate::ui::when(h.placed_at)
                );
                (h.id, h.person.0, h.reference, h.reason, placed)
            })
            .collect(),
        may_lift: cmd::offered::<cmd::LiftHold>(p, &signed.actor),
        register: register
            .into_iter()
            .map(|e| {
                let at = crate::ui::when(e.destroyed_at);
                (
                    e.reference,
                    tact_core::check::long_date(e.due_on),
                    at,
                    e.destroyed,
                )
            })
            .collect(),
    })
}

async fn dispose(State(state): State<AppState>, Posted(signed, form): Posted) -> Response {
    let ctx = tact_app::Ctx::new(signed.actor.clone());
    let confirm = val(&form, "confirm") == "yes";
    match state.app.execute(&ctx, cmd::DisposeDue { confirm }).await {
        Ok(done) => crate::ui::said_and_go(
            &state,
            "/retention",
            Some(&match done.len() {
                0 => "Nothing was due for disposal.".to_string(),
                1 => "One person's records are disposed of.".to_string(),
                n => format!("{n} people's records are disposed of."),
            }),
        ),
        Err(e) => refusal(&state, &signed, e),
    }
}

/// Keeping a person's records past their disposal date.
struct PlaceHold;

impl PersonStep for PlaceHold {
    type Command = cmd::PlaceHold;
    const PATH: &'static str = "/people/{id}/hold";

    async fn spec(_: &AppState, _: &Signed, _: i64) -> SpecOrPage {
        Ok(Spec {
            heading: "Place a legal hold".into(),
            intro: vec![
                "Their records are kept past their disposal date until the hold is lifted.".into(),
            ],
            fields: vec![Field::new("textarea", "reason", "Why they must be kept").required()],
            submit: "Place the hold",
            ..Spec::default()
        })
    }
    fn command(_: &AppState, _: &Signed, id: i64, form: &Form) -> Result<Self::Command, RuleError> {
        Ok(cmd::PlaceHold {
            person: PersonId(id),
            reason: val(form, "reason").into(),
        })
    }
    fn said(_: &AppState, _: &(i64, String)) -> Option<String> {
        Some("The legal hold is placed: their records are kept until it is lifted.".into())
    }
}

async fn lift(State(state): State<AppState>, to: PostedTo) -> Response {
    let PostedTo { id, signed, form } = to;
    let ctx = tact_app::Ctx::new(signed.actor.clone());
    let back = val(&form, "back").to_string();
    match state.app.execute(&ctx, cmd::LiftHold { hold: id }).await {
        Ok(()) => crate::ui::said_and_go(
            &state,
            if back.starts_with("/people/") {
                &back
            } else {
                "/retention"
            },
            Some("The legal hold is lifted."),
        ),
        Err(e) => refusal(&state, &signed, e),
    }
}
