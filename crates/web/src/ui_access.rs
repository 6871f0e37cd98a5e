//! The pages between a password and the service (issue 12): the second-factor code,
//! setting up an authenticator (with a QR code drawn as SVG) and its recovery codes, a
//! member of staff's own second-factor page, and single sign-on through the office's
//! OpenID provider ([`crate::sso`]). Who needs what is decided in core
//! ([`tact_core::sign_in`]); these handlers only ask the app.

use crate::sso::Failed;
use crate::ui::or_page;
use crate::ui::PageQuery;
use crate::ui::{error_page, fault, render, session_cookie, Frame, Posted, PostedTo, Signed};
use crate::ui_back::Buttons;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use std::collections::HashMap;
use tact_app::access::{CodeRefused, Pending};
use tact_app::AppError;
use tact_core::ids::StaffId;
use tact_core::sign_in::SecondFactor;

/// The cookie that remembers a single sign-on in flight, for ten minutes, on the callback
/// path only. `SameSite=Lax`, since the provider sends the browser back from another site.
const SSO_COOKIE: &str = "tact_sso";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sign-in/code", get(code_page).post(code))
        .route("/sign-in/set-up", get(set_up_page).post(set_up))
        .route("/second-factor", get(own_page))
        .button("/second-factor/remove", remove_own, "/second-factor")
        .button(
            "/admin/staff/{id}/second-factor/remove",
            remove_theirs,
            "/admin/staff",
        )
        .route("/sign-in/sso", get(sso_begin))
        .route("/sign-in/sso/callback", get(sso_callback))
}

#[derive(Template)]
#[template(path = "factor.html")]
struct Page<'a> {
    frame: Frame<'a>,
    refresh: Option<String>,
    heading: String,
    paragraphs: Vec<String>,
    error: Option<String>,
    qr: Option<String>,
    secret: Option<String>,
    codes: Vec<String>,
    /// Where the code form posts, where there is one.
    form: Option<String>,
    csrf: String,
    label: String,
    hint: String,
    submit: String,
    /// (action, words, whether it is a warning button)
    buttons: Vec<(String, String, bool)>,
    links: Vec<(String, String)>,
}

fn page<'a>(frame: Frame<'a>, heading: &str) -> Page<'a> {
    Page {
        frame,
        refresh: None,
        heading: heading.into(),
        paragraphs: Vec::new(),
        error: None,
        qr: None,
        secret: None,
        codes: Vec::new(),
        form: None,
        csrf: String::new(),
        label: "Code".into(),
        hint: "The 6-digit code from your authenticator app".into(),
        submit: "Continue".into(),
        buttons: Vec::new(),
        links: Vec::new(),
    }
}

/// One answer for a code that is not right and an account that has just locked, as
/// sign-in gives, so the page does not say which.
fn wrong_code() -> String {
    format!(
        "The code is not right, or the account is locked. After {} attempts that are not \
         right, an account is locked for {} minutes",
        tact_app::MAX_FAILED_SIGN_INS,
        tact_app::LOCK_MINUTES
    )
}

/// The page for an account that has just locked: the waiting session has ended, and the
/// password must be given again once the lock ends.
fn locked(state: &AppState) -> Response {
    error_page(
        state,
        None,
        StatusCode::UNAUTHORIZED,
        "You cannot sign in now",
        &wrong_code(),
    )
}

/// The session waiting for a second factor, or the sign-in page.
async fn waiting(state: &AppState, headers: &HeaderMap) -> Result<Pending, Response> {
    let Some(cookie) = session_cookie(headers) else {
        return Err(Redirect::to("/sign-in").into_response());
    };
    match state.app.pending(&cookie).await {
        Ok(Some(p)) => Ok(p),
        Ok(None) => Err(Redirect::to("/sign-in").into_response()),
        Err(e) => Err(fault(state, &e)),
    }
}

fn code_form<'a>(state: &'a AppState, p: &Pending, error: Option<String>) -> Page<'a> {
    let mut page = page(Frame::public(state), "Enter your code");
    page.paragraphs = vec![
        "Open the authenticator app on your phone and enter the code it shows for Tact.".into(),
        "If you do not have your phone, enter one of your recovery codes instead.".into(),
    ];
    page.hint = "The 6-digit code from your authenticator app, or a recovery code".into();
    page.form = Some("/sign-in/code".into());
    page.csrf = p.csrf.clone();
    page.error = error;
    page
}

async fn code_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match waiting(&state, &headers).await {
        Ok(p) if p.next == SecondFactor::Code => render(&code_form(&state, &p, None)),
        Ok(_) => Redirect::to("/sign-in/set-up").into_response(),
        Err(r) => r,
    }
}

async fn code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let p = match waiting(&state, &headers).await {
        Ok(p) if p.next == SecondFactor::Code => p,
        Ok(_) => return Redirect::to("/sign-in/set-up").into_response(),
        Err(r) => return r,
    };
    if f.get("csrf") != Some(&p.csrf) {
        return crate::ui::sign_in_expired(&state, "");
    }
    let entered = f.get("code").map_or("", |c| c.trim());
    if entered.is_empty() {
        let e = "Enter the code from your authenticator app, or a recovery code".to_string();
        return (
            StatusCode::BAD_REQUEST,
            render(&code_form(&state, &p, Some(e))),
        )
            .into_response();
    }
    let cookie = session_cookie(&headers).unwrap_or_default();
    match state.app.second_factor(&cookie, entered).await {
        Ok(Ok(_)) => crate::ui_back::go_back(&state, &headers),
        Ok(Err(CodeRefused::Wrong)) => (
            StatusCode::UNAUTHORIZED,
            render(&code_form(&state, &p, Some(wrong_code()))),
        )
            .into_response(),
        // Locked: the waiting session has ended; the password must be given again later.
        Ok(Err(CodeRefused::Locked)) => locked(&state),
        Err(AppError::Rule(_)) => Redirect::to("/sign-in").into_response(),
        Err(e) => fault(&state, &e),
    }
}

/// Who is setting up an authenticator: a session waiting to (the office requires one), or
/// a member of staff signed in who chose to.
struct SettingUp {
    actor: tact_core::roles::Actor,
    csrf: String,
    signed: Option<Signed>,
}

async fn setting_up(state: &AppState, headers: &HeaderMap) -> Result<SettingUp, Response> {
    let cookie = session_cookie(headers).unwrap_or_default();
    match state.app.pending(&cookie).await {
        Ok(Some(p)) if p.next == SecondFactor::SetUp => {
            return Ok(SettingUp {
                actor: p.actor,
                csrf: p.csrf,
                signed: None,
            })
        }
        Ok(Some(_)) => return Err(Redirect::to("/sign-in/code").into_response()),
        Ok(None) => {}
        Err(e) => return Err(fault(state, &e)),
    }
    match state.app.session(&cookie).await {
        Ok(Some((actor, csrf))) => Ok(SettingUp {
            signed: Some(Signed {
                actor: actor.clone(),
                csrf: csrf.clone(),
                said: None,
            }),
            actor,
            csrf,
        }),
        Ok(None) => Err(Redirect::to("/sign-in").into_response()),
        Err(e) => Err(fault(state, &e)),
    }
}

/// The authenticator's `otpauth://` link drawn as an SVG QR code, labelled for screen
/// readers (the key is given in text beside it).
fn qr_svg(link: &str) -> Option<String> {
    let code = qrcode::QrCode::new(link.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    let start = svg.find("<svg")?;
    Some(svg[start..].replacen(
        "<svg",
        "<svg role=\"img\" aria-label=\"QR code to scan with your authenticator app\"",
        1,
    ))
}

async fn set_up_form<'a>(
    state: &'a AppState,
    who: &'a SettingUp,
    error: Option<String>,
) -> Result<Page<'a>, Response> {
    let s = match state.app.begin_set_up(&who.actor).await {
        Ok(s) => s,
        Err(AppError::Rule(r)) => {
            return Err(error_page(
                state,
                who.signed.as_ref(),
                StatusCode::CONFLICT,
                "There is a problem",
                &crate::ui_forms::capital(&r.message),
            ))
        }
        Err(e) => return Err(fault(state, &e)),
    };
    let frame = match &who.signed {
        Some(s) => Frame::of(state, s),
        None => Frame::public(state),
    };
    let mut page = page(frame, "Set up your authenticator app");
    page.paragraphs = vec![
        if who.signed.is_some() {
            "A code from an app on your phone will be asked for each time you sign in with \
             your password."
                .to_string()
        } else {
            "This office asks for a code from an app on your phone each time you sign in. \
             Set one up now to continue."
                .to_string()
        },
        "Open an authenticator app (for example Microsoft Authenticator or Google \
         Authenticator), add an account and scan this code."
            .into(),
    ];
    page.qr = qr_svg(&s.link);
    page.secret = Some(s.secret);
    page.form = Some("/sign-in/set-up".into());
    page.label = "Code from the app".into();
    page.hint = "Enter the 6-digit code the app now shows for Tact".into();
    page.submit = "Set up".into();
    page.csrf = who.csrf.clone();
    page.error = error;
    Ok(page)
}

async fn set_up_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let who = or_page!(setting_up(&state, &headers).await);
    match set_up_form(&state, &who, None).await {
        Ok(p) => render(&p),
        Err(r) => r,
    }
}

async fn set_up(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let who = or_page!(setting_up(&state, &headers).await);
    if f.get("csrf") != Some(&who.csrf) {
        return crate::ui::sign_in_expired(&state, "");
    }
    let entered = f.get("code").map_or("", |c| c.trim());
    let again = |e: String| async {
        match set_up_form(&state, &who, Some(e)).await {
            Ok(p) => (StatusCode::BAD_REQUEST, render(&p)).into_response(),
            Err(r) => r,
        }
    };
    if entered.is_empty() {
        return again("Enter the 6-digit code the app shows".into()).await;
    }
    let cookie = session_cookie(&headers).unwrap_or_default();
    match state.app.confirm_set_up(&cookie, &who.actor, entered).await {
        Ok(Ok(codes)) => {
            let frame = Frame::public(&state);
            let mut p = page(frame, "Your recovery codes");
            p.paragraphs = vec![
                "Your authenticator app is set up.".into(),
                "Keep these recovery codes somewhere safe, away from your phone. If you lose \
                 your phone, sign in with one of them instead of a code: each works once. \
                 They are not shown again."
                    .into(),
            ];
            p.codes = codes;
            p.links = vec![(
                crate::ui_back::after_sign_in(&headers),
                "Continue to Tact".into(),
            )];
            let mut r = render(&p);
            r.headers_mut()
                .append(SET_COOKIE, crate::ui_back::forget(&state));
            r
        }
        Ok(Err(CodeRefused::Wrong)) => again(wrong_code()).await,
        Ok(Err(CodeRefused::Locked)) => locked(&state),
        Err(AppError::Rule(r)) => again(crate::ui_forms::capital(&r.message)).await,
        Err(e) => fault(&state, &e),
    }
}

/// A member of staff's own second-factor page: whether one is set up, how many recovery
/// codes are left, and the way to set one up or (where the office allows) remove it.
async fn own_page(State(state): State<AppState>, signed: Signed) -> Response {
    let status = match state.app.second_factor_status(signed.actor.id).await {
        Ok(s) => s,
        Err(e) => return fault(&state, &e),
    };
    let mut p = page(Frame::of(&state, &signed), "Second factor");
    p.csrf = signed.csrf.clone();
    match status {
        Some(left) => {
            p.paragraphs = vec![
                "An authenticator app is set up: a code from it is asked for when you sign in \
                 with your password."
                    .into(),
                format!("You have {left} unused recovery codes."),
            ];
            if !state.app.second_factor_required {
                p.buttons = vec![(
                    "/second-factor/remove".into(),
                    "Remove the authenticator app".into(),
                    true,
                )];
            } else {
                p.paragraphs.push(
                    "This office requires a second factor. If you lose your phone and your \
                     recovery codes, an administrator can remove it so you can set up another."
                        .into(),
                );
            }
        }
        None => {
            p.paragraphs = vec![
                "No authenticator app is set up. With one, signing in with your password also \
                 needs a code from your phone."
                    .into(),
            ];
            p.links = vec![(
                "/sign-in/set-up".into(),
                "Set up an authenticator app".into(),
            )];
        }
    }
    render(&p)
}

/// Removes an authenticator, as the core's rule allows, and goes back to `back`. The form's
/// token was checked by [`Posted`] or [`PostedTo`].
async fn remove(state: &AppState, signed: &Signed, staff: StaffId, back: &str) -> Response {
    match state
        .app
        .remove_second_factor(Some(&signed.actor), staff)
        .await
    {
        Ok(()) => crate::ui::said_and_go(
            state,
            back,
            Some("The authenticator app and recovery codes are removed."),
        ),
        Err(e) => crate::ui::refusal(state, signed, e),
    }
}

async fn remove_own(State(state): State<AppState>, signed: Signed, _: Posted) -> Response {
    let me = signed.actor.id;
    remove(&state, &signed, me, "/sign-in").await
}

async fn remove_theirs(State(state): State<AppState>, to: PostedTo) -> Response {
    remove(&state, &to.signed, StaffId(to.id), "/admin/staff").await
}

/// The page after signing out of Tact that moves on to sign out at the provider too.
pub(crate) fn signing_out_at_provider(state: &AppState, label: &str, url: String) -> Response {
    let mut p = page(Frame::public(state), "You are signed out of Tact");
    p.paragraphs = vec![format!("Now signing you out of {label} as well.")];
    p.links = vec![(url.clone(), format!("Sign out of {label}"))];
    p.refresh = Some(url);
    render(&p)
}

fn sso_cookie(state: &AppState, value: &str, max_age: i64) -> axum::http::HeaderValue {
    crate::ui::cookie_header(
        state,
        SSO_COOKIE,
        value,
        "/sign-in/sso",
        "Lax",
        Some(max_age),
    )
}

fn unreachable_provider(state: &AppState, e: &str) -> Response {
    tracing::warn!(error = %e, "single sign-on failed");
    error_page(
        state,
        None,
        StatusCode::BAD_GATEWAY,
        "The sign-in service did not answer",
        "Tact could not reach your organisation's sign-in service, or could not use its \
         answer. Try again in a few minutes.",
    )
}

async fn sso_begin(State(state): State<AppState>) -> Response {
    let Some(sso) = state.sso.clone() else {
        return error_page(
            &state,
            None,
            StatusCode::NOT_FOUND,
            "Page not found",
            "Single sign-on is not set up for this office.",
        );
    };
    match sso.begin().await {
        Ok((url, flight)) => {
            let mut r = Redirect::to(&url).into_response();
            r.headers_mut()
                .append(SET_COOKIE, sso_cookie(&state, &flight, 600));
            r
        }
        Err(Failed::Provider(e) | Failed::Refused(e)) => unreachable_provider(&state, &e),
        Err(Failed::Stale) => Redirect::to("/sign-in").into_response(),
    }
}

async fn sso_callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageQuery(q): PageQuery<HashMap<String, String>>,
) -> Response {
    let Some(sso) = state.sso.clone() else {
        return Redirect::to("/sign-in").into_response();
    };
    let refused = |status: StatusCode, why: &str| {
        let mut r = crate::ui::sign_in_form(&state, "", Some(why.to_string()), status);
        r.headers_mut()
            .append(SET_COOKIE, sso_cookie(&state, "", 0));
        r
    };
    if let Some(e) = q.get("error") {
        tracing::info!(error = %e, "single sign-on: the provider refused or the person cancelled");
        return refused(
            StatusCode::UNAUTHORIZED,
            &format!("{} did not sign you in. Try again", sso.settings.label),
        );
    }
    let (Some(code), Some(returned)) = (q.get("code"), q.get("state")) else {
        return refused(
            StatusCode::BAD_REQUEST,
            "The sign-in was not finished. Try again",
        );
    };
    let flight = crate::ui::cookie(&headers, SSO_COOKIE);
    let (who, id_token) = match sso.finish(flight.as_deref(), returned, code).await {
        Ok(x) => x,
        Err(Failed::Stale) => {
            return refused(
                StatusCode::BAD_REQUEST,
                "The sign-in took too long or was begun in another window. Try again",
            )
        }
        Err(Failed::Refused(e)) => {
            tracing::info!(error = %e, "single sign-on refused");
            return refused(StatusCode::UNAUTHORIZED, &crate::ui_forms::capital(&e));
        }
        Err(Failed::Provider(e)) => return unreachable_provider(&state, &e),
    };
    match state
        .app
        .provider_sign_in(&who, &sso.settings.roles, &id_token)
        .await
    {
        Ok(started) => {
            // The session cookie is SameSite=Strict; a browser does not send it on the
            // redirect that ends a sign-in begun at another site, so this page moves on to
            // the service itself (a same-site navigation) instead of a redirect.
            let back = crate::ui_back::after_sign_in(&headers);
            let mut p = page(Frame::public(&state), "You are signed in");
            p.refresh = Some(back.clone());
            p.links = vec![(back, "Continue to Tact".into())];
            let mut r = render(&p);
            r.headers_mut()
                .append(SET_COOKIE, crate::ui_back::forget(&state));
            r.headers_mut().append(
                SET_COOKIE,
                crate::ui::set_cookie(&state, crate::ui::SESSION_COOKIE, &started.token, None),
            );
            r.headers_mut()
                .append(SET_COOKIE, sso_cookie(&state, "", 0));
            r
        }
        Err(AppError::Rule(r)) => {
            refused(StatusCode::FORBIDDEN, &crate::ui_forms::capital(&r.message))
        }
        Err(e) => fault(&state, &e),
    }
}
