//! One-time password-reset links (issue 12): an administrator makes one from the staff
//! list and gives it to the member of staff by some other way; it works once, for
//! [`tact_core::roles::RESET_HOURS`] hours, and needs no sign-in — its secret is the proof.

use crate::ui::{refusal, render, Frame, PostedTo, Signed};
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
