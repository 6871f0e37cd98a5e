//! Passwords in the staff UI. One-time password-reset links (issue 12): an administrator
//! makes one from the staff list and gives it to the member of staff by some other way; it
//! works once, for [`tact_core::roles::RESET_HOURS`] hours, and needs no sign-in — its
//! secret is the proof. And a signed-in member of staff changes their own password, giving
//! the one they have now (`/account/password`).

use crate::ui::{refusal, render, Frame, Posted, PostedTo, Signed};
use crate::ui_back::Buttons;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use std::collections::HashMap;
use tact_app::AppError;
use tact_core::command as cmd;
use tact_core::ids::StaffId;

pub fn routes() -> Router<AppState> {
    Router::new()
        .button("/admin/staff/{id}/reset", issue, "/admin/staff")
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
    /// What is wrong with what was typed, each with its field: all of it at once, so that a
    /// short password that does not match its copy is not put right one answer at a time.
    errors: Vec<(String, String)>,
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
        errors: Vec::new(),
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

impl Page<'_> {
    /// What is wrong with the answer to `field`, if anything.
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::ui::error_on(&self.errors, field)
    }
}

/// What is wrong with a new password and its copy, before anything is asked of the app:
/// core's rule for a new password ([`tact_core::sign_in::new_password`]) and the copy
/// matching it, both at once.
fn typed_wrong(password: &str, confirm: &str) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    if tact_core::sign_in::new_password(password).is_err() {
        errors.push(("password".to_string(), too_short()));
    }
    if confirm != password {
        errors.push((
            "confirm".to_string(),
            "Enter the same new password twice".to_string(),
        ));
    }
    errors
}

fn too_short() -> String {
    format!(
        "Enter a password of at least {} characters",
        tact_core::sign_in::PASSWORD_MIN
    )
}

fn reset_form(state: &AppState, errors: Vec<(String, String)>) -> Page<'_> {
    let mut p = page(state, None, "Choose a new password");
    p.form = true;
    p.errors = errors;
    p
}

async fn form(State(state): State<AppState>) -> Response {
    render(&reset_form(&state, Vec::new()))
}

async fn reset(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let password = f.get("password").map_or("", String::as_str);
    let wrong = typed_wrong(password, f.get("confirm").map_or("", String::as_str));
    if !wrong.is_empty() {
        return (StatusCode::BAD_REQUEST, render(&reset_form(&state, wrong))).into_response();
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
                too_short()
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
                render(&reset_form(&state, vec![e])),
            )
                .into_response()
        }
        Err(e) => crate::ui::fault(&state, &e),
    }
}

/// The form for changing one's own password, with each refusal on its field.
fn change_page<'a>(
    state: &'a AppState,
    signed: &Signed,
    errors: Vec<(String, String)>,
) -> Page<'a> {
    let mut p = page(state, Some(signed), "Change your password");
    p.paragraphs = vec![
        "Give the password you have now, then the new one twice. Once it is changed you sign \
         in again with it, here and anywhere else you are signed in."
            .into(),
    ];
    p.form = true;
    p.current = true;
    p.errors = errors;
    p.back = "/".into();
    p.back_words = "Back to your tasks".into();
    p
}

async fn change_form(State(state): State<AppState>, signed: Signed) -> Response {
    render(&change_page(&state, &signed, Vec::new()))
}

async fn change(State(state): State<AppState>, Posted(signed, f): Posted) -> Response {
    let given = |k: &str| f.get(k).map_or("", String::as_str);
    let refused = |errors: Vec<(String, String)>| {
        (
            StatusCode::BAD_REQUEST,
            render(&change_page(&state, &signed, errors)),
        )
            .into_response()
    };
    let mut wrong = typed_wrong(given("password"), given("confirm"));
    if given("current_password").is_empty() {
        wrong.insert(
            0,
            (
                "current_password".to_string(),
                "Enter the password you have now".to_string(),
            ),
        );
    }
    if !wrong.is_empty() {
        return refused(wrong);
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
            refused(vec![(
                field.to_string(),
                crate::ui_forms::capital(&r.message),
            )])
        }
        Err(e) => crate::ui::fault(&state, &e),
    }
}
