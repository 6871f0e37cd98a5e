//! API tokens in the staff UI (issue 12): a member of staff makes, lists and revokes their
//! own; an administrator sees everyone's, revokes any, and makes a service account's. Who
//! may do which is core's ([`tact_core::roles::may_issue_token`],
//! [`tact_core::roles::may_manage_tokens`]); this page only asks.

use crate::ui::{or_page, refusal, render, Frame, Names, Posted, PostedTo, Signed};
use crate::ui_back::Buttons;
use crate::ui_forms::val;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tact_app::query as q;
use tact_app::AppError;
use tact_core::command as cmd;
use tact_core::ids::StaffId;
use tact_core::roles::TOKEN_MAX_DAYS;

pub fn routes() -> Router<AppState> {
    Router::new().route("/tokens", get(page).post(mint)).button(
        "/tokens/{id}/revoke",
        revoke,
        "/tokens",
    )
}

struct Row {
    id: i64,
    name: String,
    holder: String,
    made: String,
    expires: String,
    status: &'static str,
    live: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct Page<'a> {
    frame: Frame<'a>,
    admin: bool,
    holders: Vec<(i64, String)>,
    rows: Vec<Row>,
    minted: Option<(String, String)>,
    error: Option<(String, String)>,
    field: String,
    name: String,
    days: String,
    max_days: u32,
}

/// What the form sent, to show again with an error.
struct Typed {
    name: String,
    days: String,
}

async fn show(
    state: &AppState,
    signed: &Signed,
    typed: Typed,
    minted: Option<(String, String)>,
    error: Option<(String, String)>,
    status: StatusCode,
) -> Response {
    let admin = cmd::offered::<cmd::read::StaffDirectory>(&state.app.profile, &signed.actor);
    let holder = (!admin).then_some(signed.actor.id);
    let tokens = match state.app.query(&signed.actor, q::Tokens { holder }).await {
        Ok(t) => t,
        Err(e) => return refusal(state, signed, e),
    };
    let names = match Names::of(&state.app, &signed.actor).await {
        Ok(n) => n,
        Err(e) => return refusal(state, signed, e),
    };
    // An administrator may make their own, and a service account's.
    let holders = if admin {
        let staff = or_page!(crate::ui_forms::colleagues(state, signed).await);
        std::iter::once((
            signed.actor.id.0,
            format!("Yourself ({})", signed.actor.name),
        ))
        .chain(
            staff
                .into_iter()
                .filter(|s| s.scope.is_some() && s.active)
                .map(|s| (s.id.0, format!("{} (service account)", s.name))),
        )
        .collect()
    } else {
        Vec::new()
    };
    let now = state.app.now();
    let rows = tokens
        .iter()
        .map(|t| Row {
            id: t.id,
            name: t.name.clone(),
            holder: names.name(t.staff_id),
            made: crate::ui::when(t.created_at),
            expires: crate::ui::when(t.expires_at),
            status: if t.revoked_at.is_some() {
                "Revoked"
            } else if t.live(now) {
                "Live"
            } else {
                "Expired"
            },
            live: t.live(now),
        })
        .collect();
    let field = error.as_ref().map(|e| e.0.clone()).unwrap_or_default();
    let page = Page {
        frame: Frame::of(state, signed),
        admin,
        holders,
        rows,
        minted,
        error,
        field,
        name: typed.name,
        days: typed.days,
        max_days: TOKEN_MAX_DAYS,
    };
    (status, render(&page)).into_response()
}

async fn page(State(state): State<AppState>, signed: Signed) -> Response {
    let typed = Typed {
        name: String::new(),
        days: tact_core::roles::TOKEN_DEFAULT_DAYS.to_string(),
    };
    show(&state, &signed, typed, None, None, StatusCode::OK).await
}

/// Who the token is for (oneself unless an administrator chose) and the days it lasts
/// (the default when empty), or the field in error and what to say.
fn read(
    form: &crate::ui_step::Form,
    me: StaffId,
) -> Result<(StaffId, Option<u32>), (String, String)> {
    let days = match val(form, "days").trim() {
        "" => None,
        d => Some(d.parse::<u32>().map_err(|_| {
            (
                "days".to_string(),
                format!("Enter the days it lasts as a number from 1 to {TOKEN_MAX_DAYS}"),
            )
        })?),
    };
    let holder = match val(form, "holder") {
        "" => me,
        h => StaffId(h.parse::<i64>().map_err(|_| {
            (
                "holder".to_string(),
                "Choose who the token is for".to_string(),
            )
        })?),
    };
    Ok((holder, days))
}

async fn mint(State(state): State<AppState>, Posted(signed, form): Posted) -> Response {
    let typed = Typed {
        name: val(&form, "name").to_string(),
        days: val(&form, "days").to_string(),
    };
    let (holder, days) = match read(&form, signed.actor.id) {
        Ok(x) => x,
        Err(e) => {
            return show(
                &state,
                &signed,
                typed,
                None,
                Some(e),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    let ctx = tact_app::Ctx::new(signed.actor.clone());
    let command = cmd::IssueToken {
        holder,
        name: typed.name.clone(),
        days,
    };
    match state.app.execute(&ctx, command).await {
        Ok((t, secret)) => {
            let shown = Some((t.name, secret));
            let fresh = Typed {
                name: String::new(),
                days: tact_core::roles::TOKEN_DEFAULT_DAYS.to_string(),
            };
            show(&state, &signed, fresh, shown, None, StatusCode::CREATED).await
        }
        Err(AppError::Rule(r)) if r.kind == tact_core::RuleErrorKind::Invalid => {
            let field = r.field.clone().unwrap_or_else(|| "name".into());
            let message = match field.as_str() {
                "name" => "Enter what the token is for".to_string(),
                _ => format!("Enter the days it lasts as a number from 1 to {TOKEN_MAX_DAYS}"),
            };
            show(
                &state,
                &signed,
                typed,
                None,
                Some((field, message)),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(e) => refusal(&state, &signed, e),
    }
}

async fn revoke(State(state): State<AppState>, to: PostedTo) -> Response {
    let PostedTo { id, signed, .. } = to;
    let ctx = tact_app::Ctx::new(signed.actor.clone());
    match state
        .app
        .execute(&ctx, cmd::RevokeToken { token: id })
        .await
    {
        Ok(t) => crate::ui::said_and_go(
            &state,
            "/tokens",
            Some(&format!(
                "The token “{}” is revoked: it no longer works.",
                t.name
            )),
        ),
        Err(e) => refusal(&state, &signed, e),
    }
}
