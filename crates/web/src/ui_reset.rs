//! Passwords in the staff UI. One-time password-reset links (issue 12): an administrator
//! makes one from the staff list and gives it to the member of staff by some other way; it
//! works once, for [`tact_core::roles::RESET_HOURS`] hours, and needs no sign-in — its
//! secret is the proof. And a signed-in member of staff changes their own password, giving
//! the one they have now (`/account/password`).

use crate::ui::{refusal, render, Frame, Posted, PostedTo, Signed};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use std::collections::HashMap;
use tact_app::AppError;
use tact_core::command as cmd;
use tact_core::ids::StaffId;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/staff/{id}/reset", post(issue))
        .route("/reset/{secret}", get(form).post(reset))
        .route("/account/password", get(change_form).post(change))
}

#[derive(Template)]
#[template(path = "reset.html")]
struct Page<'a> {
    frame: Frame<'a>,
    heading: String,
    paragraphs: Vec<String>,
    link: Option<String>,
    form: bool,
    error: Option<(String, String)>,
    field: String,
    /// The form asks for the password they have now (a signed-in change, not a link).
    current: bool,
    back: String,
    back_words: String,
}

fn page<'a>(state: &'a AppState, signed: Option<&Signed>, heading: &str) -> Page<'a> {
    Page {
        frame: match signed {
            Some(s) => Frame::of(state, s),
            None => Frame::public(state),
        },
        heading: heading.into(),
        paragraphs: Vec::new(),
        link: None,
        form: false,
        error: None,
        field: String::new(),
        current: false,
        back: "/sign-in".into(),
        back_words: "Go to sign in".into(),
    }
}

async fn issue(State(state): State<AppState>, to: PostedTo) -> Response {
    let PostedTo { id, signed, .. } = to;
    let ctx = tact_app::Ctx::new(signed.actor.clone());
    match state
        .app
        .execute(&ctx, cmd::IssuePasswordReset { staff: StaffId(id) })
        .await
    {
        Ok(secret) => {
            let mut p = page(&state, Some(&signed), "Password reset link");
            p.paragraphs = vec![
                format!(
                    "Give this link to the member of staff another way than email to an \
                     address you cannot vouch for. It works once, for {} hours; opening it they \
                     choose a new password, any lock on their account is lifted and their \
                     sessions end.",
                    tact_core::roles::RESET_HOURS
                ),
                "It is not shown again.".into(),
            ];
            p.link = Some(format!("/reset/{secret}"));
            p.back = "/admin/staff".into();
            p.back_words = "Back to staff".into();
            (StatusCode::CREATED, render(&p)).into_response()
        }
        Err(e) => refusal(&state, &signed, e),
    }
}

fn reset_form<'a>(state: &'a AppState, error: Option<(String, String)>) -> Page<'a> {
    let mut p = page(state, None, "Choose a new password");
    p.form = true;
    p.field = error.as_ref().map(|e| e.0.clone()).unwrap_or_default();
    p.error = error;
    p
}

async fn form(State(state): State<AppState>) -> Response {
    render(&reset_form(&state, None))
}

async fn reset(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let password = f.get("password").map_or("", String::as_str);
    if f.get("confirm").map_or("", String::as_str) != password {
        let e = ("confirm".into(), "Enter the same password twice".into());
        return (
            StatusCode::BAD_REQUEST,
            render(&reset_form(&state, Some(e))),
        )
            .into_response();
    }
    match state.app.reset_password(&secret, password).await {
        Ok(_) => {
            let mut p = page(&state, None, "Your password is changed");
            p.paragraphs = vec!["Sign in with your username and the new password.".into()];
            render(&p)
        }
        Err(AppError::Rule(r)) => {
            let field = r.field.clone().unwrap_or_else(|| "password".into());
            let words = if field == "password" {
                format!(
                    "Enter a password of at least {} characters",
                    tact_core::sign_in::PASSWORD_MIN
                )
            } else {
                r.message.clone()
            };
            let e = (
                if field == "link" {
                    "password".into()
                } else {
                    field
                },
                words,
            );
            (
                StatusCode::BAD_REQUEST,
                render(&reset_form(&state, Some(e))),
            )
                .into_response()
        }
        Err(e) => crate::ui::fault(&state, &e),
    }
}

/// The form for changing one's own password, with the refusal on its field.
fn change_page<'a>(
    state: &'a AppState,
    signed: &Signed,
    error: Option<(String, String)>,
) -> Page<'a> {
    let mut p = page(state, Some(signed), "Change your password");
    p.paragraphs = vec![
        "Give the password you have now, then the new one twice. Once it is changed you sign \
         in again with it, here and anywhere else you are signed in."
            .into(),
    ];
    p.form = true;
    p.current = true;
    p.field = error.as_ref().map(|e| e.0.clone()).unwrap_or_default();
    p.error = error;
    p.back = "/".into();
    p.back_words = "Back to your tasks".into();
    p
}

async fn change_form(State(state): State<AppState>, signed: Signed) -> Response {
    render(&change_page(&state, &signed, None))
}

async fn change(State(state): State<AppState>, signed: Signed, Posted(f): Posted) -> Response {
    let given = |k: &str| f.get(k).map_or("", String::as_str);
    let refused = |field: &str, words: String| {
        let e = (field.to_string(), words);
        (
            StatusCode::BAD_REQUEST,
            render(&change_page(&state, &signed, Some(e))),
        )
            .into_response()
    };
    if given("confirm") != given("password") {
        return refused("confirm", "Enter the same new password twice".into());
    }
    match state
        .app
        .change_password(&signed.actor, given("current_password"), given("password"))
        .await
    {
        Ok(()) => {
            let mut p = page(&state, None, "Your password is changed");
            p.paragraphs = vec!["Sign in with your username and the new password.".into()];
            render(&p)
        }
        Err(AppError::Rule(r)) => {
            let field = match r.field.as_deref() {
                Some("current_password") => "current_password",
                _ => "password",
            };
            refused(field, crate::ui_forms::capital(&r.message))
        }
        Err(e) => crate::ui::fault(&state, &e),
    }
}
