//! The staff web UI: server-rendered pages on the GOV.UK Design System (without the GOV.UK
//! brand). Sign-in with local accounts, sessions in HttpOnly SameSite cookies, a CSRF token
//! on every form. Every page checks the role on the server through the same use cases as
//! the API.

use crate::ui_back::Buttons;
use crate::AppState;
use askama::Template;
use axum::extract::{Form, FromRequestParts, Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use tact_app::query as q;
use tact_app::{AppError, SignInFailure};
use tact_core::command as cmd;
use tact_core::identity::{EmailAddress, Identifier};
use tact_core::ids::{PersonId, StaffId};
use tact_core::model::{AdjustmentStatus, TaskKind};
use tact_core::profile::{cited, Channel};
use tact_core::roles::Actor;

pub(crate) const SESSION_COOKIE: &str = "tact_session";
const FORM_COOKIE: &str = "tact_form";

/// `?` for a page handler: the value, or return at once with the page a refusal is.
macro_rules! or_page {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(page) => return page,
        }
    };
}
pub(crate) use or_page;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .button("/sign-out", sign_out, "/")
        .route("/session/alive", get(still_here))
        .route("/incoming", get(incoming))
        .route("/people", get(people))
        .route("/people/{id}", get(person))
        .merge(assets())
}

/// The static files: compressed (brotli or gzip, as the browser takes), and under a
/// versioned name (`/assets/v/{hash}/{file}`, what the pages link to) kept for a year; the
/// plain name (`/assets/{file}`, which `init.js` imports) for an hour.
fn assets() -> Router<AppState> {
    Router::new()
        .route("/assets/{file}", get(asset))
        .route("/assets/v/{version}/{file}", get(versioned_asset))
        // Tact has no icon; a browser that asks anyway (a letter's HTML, a PDF) is told so
        // without a 404 on the dashboards.
        .route(
            "/favicon.ico",
            get(|| async { axum::http::StatusCode::NO_CONTENT }),
        )
        .layer(tower_http::compression::CompressionLayer::new())
}

/// Each static file, its content type, and its versioned URL (from a hash of its content).
struct Asset {
    name: &'static str,
    kind: &'static str,
    body: &'static [u8],
    url: String,
}

fn asset_table() -> &'static [Asset] {
    static TABLE: std::sync::OnceLock<Vec<Asset>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let files: [(&'static str, &'static str, &'static [u8]); 5] = [
            (
                "govuk-frontend.min.css",
                "text/css",
                include_bytes!("../assets/govuk/govuk-frontend.min.css"),
            ),
            (
                "govuk-frontend.min.js",
                "text/javascript",
                include_bytes!("../assets/govuk/govuk-frontend.min.js"),
            ),
            ("tact.css", "text/css", include_bytes!("../assets/tact.css")),
            (
                "init.js",
                "text/javascript",
                include_bytes!("../assets/init.js"),
            ),
            (
                "body.js",
                "text/javascript",
                include_bytes!("../assets/body.js"),
            ),
        ];
        files
            .into_iter()
            .map(|(name, kind, body)| {
                use sha2::Digest;
                let hash = hex::encode(&sha2::Sha256::digest(body)[..6]);
                Asset {
                    name,
                    kind,
                    body,
                    url: format!("/assets/v/{hash}/{name}"),
                }
            })
            .collect()
    })
}

/// The versioned URL of a static file, for a page to link to.
pub(crate) fn asset_url(name: &str) -> &'static str {
    asset_table()
        .iter()
        .find(|a| a.name == name)
        .map_or("/assets/missing", |a| a.url.as_str())
}

fn serve_asset(file: &str, cache: &'static str) -> Response {
    let Some(a) = asset_table().iter().find(|a| a.name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    ([(CONTENT_TYPE, a.kind), (CACHE_CONTROL, cache)], a.body).into_response()
}

async fn asset(Path(file): Path<String>) -> Response {
    serve_asset(&file, "public, max-age=3600")
}

async fn versioned_asset(Path((version, file)): Path<(String, String)>) -> Response {
    // An old version's name still answers with today's file, cached only briefly.
    if asset_url(&file).ends_with(&format!("/{version}/{file}")) {
        serve_asset(&file, "public, max-age=31536000, immutable")
    } else {
        serve_asset(&file, "public, max-age=3600")
    }
}

/// Staff names by id, for showing who did what on a page or in an export.
pub(crate) struct Names(Vec<tact_core::model::Staff>);

impl Names {
    /// Everyone in the staff directory (which every member of staff may read).
    ///
    /// # Errors
    /// The store's error.
    pub(crate) async fn of(
        app: &tact_app::App,
        actor: &tact_core::roles::Actor,
    ) -> Result<Self, tact_app::AppError> {
        Ok(Self(app.query(actor, q::Colleagues {}).await?))
    }

    /// A member of staff's name; one not in the directory reads as "staff member N".
    pub(crate) fn name(&self, id: tact_core::ids::StaffId) -> String {
        self.0
            .iter()
            .find(|s| s.id == id)
            .map_or_else(|| format!("staff member {id}"), |s| s.name.clone())
    }

    /// Whether a member of staff has left (their account disabled).
    pub(crate) fn left(&self, id: tact_core::ids::StaffId) -> bool {
        self.0.iter().any(|s| s.id == id && !s.active)
    }
}

/// One cell of a table the `table` macro (`macros.html`) draws: its text, linked where it
/// has a link.
pub(crate) struct Cell {
    pub text: String,
    pub href: Option<String>,
}

impl Cell {
    pub(crate) fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            href: None,
        }
    }

    pub(crate) fn link(text: impl Into<String>, href: String) -> Self {
        Self {
            text: text.into(),
            href: Some(href),
        }
    }
}

/// An incident as staff read it: the day, what happened, its category, and whether the
/// call was ended (the person page, and the forms that ask which behaviour a step answers).
pub(crate) fn incident_line(
    p: &tact_core::profile::Profile,
    i: &tact_core::model::Incident,
) -> String {
    format!(
        "{}: {} ({}){}",
        tact_core::check::uk_time(i.occurred_at).strftime("%-d %b %Y"),
        i.description,
        p.category(&i.category)
            .map_or(i.category.clone(), |c| c.name.clone()),
        if i.ended_call.is_some() {
            " — call ended"
        } else {
            ""
        }
    )
}

/// A time as staff read it on a page: UK local time, to the minute.
pub(crate) fn when(t: jiff::Timestamp) -> String {
    tact_core::check::uk_time(t)
        .strftime("%-d %b %Y %H:%M")
        .to_string()
}

/// The session cookie's value, if the browser sent one.
pub(crate) fn session_cookie(headers: &HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE)
}

pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
}

pub(crate) fn set_cookie(
    state: &AppState,
    name: &str,
    value: &str,
    max_age: Option<i64>,
) -> HeaderValue {
    cookie_header(state, name, value, "/", "Strict", max_age)
}

/// Every cookie Tact sets: HttpOnly, `Secure` where the office serves over HTTPS, on
/// `path`, with `same_site` (`Strict` for the session and forms; `Lax` for what must come
/// back from the office's sign-in service) and, where given, its age in seconds.
pub(crate) fn cookie_header(
    state: &AppState,
    name: &str,
    value: &str,
    path: &str,
    same_site: &str,
    max_age: Option<i64>,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path={path}; HttpOnly; SameSite={same_site}");
    if state.secure_cookies {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("tact_invalid=1"))
}

/// The signed-in member of staff; anyone else is sent to the sign-in page.
pub struct Signed {
    pub actor: Actor,
    pub csrf: String,
    /// What the step just taken did, said once on the page it led to ([`said_and_go`]).
    pub said: Option<String>,
}

/// The cookie that carries what a step did to the page it redirects to: set with the
/// redirect, shown once, then cleared ([`said_once`]). It holds words Tact wrote, shown
/// escaped; only this site can set it (`SameSite=Strict`, `HttpOnly`).
const SAID_COOKIE: &str = "tact_said";

/// The redirect after a step, saying on the next page what the step did (the GOV.UK
/// success banner), so staff on a busy line know it is recorded, and how.
pub(crate) fn said_and_go(state: &AppState, to: &str, said: Option<&str>) -> Response {
    let mut r = Redirect::to(to).into_response();
    if let Some(words) = said {
        use base64::Engine;
        let value = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(words);
        r.headers_mut().append(
            SET_COOKIE,
            set_cookie(state, SAID_COOKIE, &value, Some(120)),
        );
    }
    r
}

/// What a step said, from its cookie, if the browser sent one that reads.
fn said_in(headers: &HeaderMap) -> Option<String> {
    use base64::Engine;
    let value = cookie(headers, SAID_COOKIE)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value)
        .ok()?;
    String::from_utf8(bytes).ok().filter(|s| !s.is_empty())
}

/// Says what a step did once: a page answered to a browser that sent the cookie clears it,
/// unless the answer is another redirect (it is for the page after) or sets it anew. The
/// API never reads or clears it.
pub(crate) async fn said_once(
    State(state): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let had =
        cookie(req.headers(), SAID_COOKIE).is_some() && !req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    let sets = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(SAID_COOKIE.as_bytes()));
    if had && !sets && !res.status().is_redirection() {
        res.headers_mut()
            .append(SET_COOKIE, set_cookie(&state, SAID_COOKIE, "", Some(0)));
    }
    res
}

impl Signed {
    /// The member of staff whose session the request carries, or `None` where it carries
    /// none that is live (never signed in, signed out, or ended by its limits).
    async fn of(parts: &Parts, state: &AppState) -> Result<Option<Self>, Response> {
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Ok(None);
        };
        match state.app.session(&token).await {
            Ok(Some((actor, csrf))) => Ok(Some(Signed {
                actor,
                csrf,
                said: said_in(&parts.headers),
            })),
            Ok(None) => Ok(None),
            Err(e) => Err(fault(state, &e)),
        }
    }
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Signed::of(parts, state).await?.ok_or_else(|| {
            // A page opened once the session has ended is gone back to once signed in
            // again ([`crate::ui_back`]).
            if parts.method == axum::http::Method::GET {
                let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                crate::ui_back::sign_in_then(state, path)
            } else {
                Redirect::to("/sign-in").into_response()
            }
        })
    }
}

/// The member of staff, or `None` where the request carries no live session: for a handler
/// that says itself where signing in again goes back to (a file sent once signed out, whose
/// form is on another page: [`crate::ui_back::sign_in_then`]).
impl axum::extract::OptionalFromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Signed::of(parts, state).await
    }
}

/// Typing is use: the page's script asks this while someone writes in a form (at most every
/// five minutes), so a long note is not lost to the limit on time without use. Asking it
/// notes the use, as any page does ([`tact_app::App::session`]); it answers nothing.
async fn still_here(_: Signed) -> StatusCode {
    StatusCode::NO_CONTENT
}

/// What a form sent once its session had ended: not saved, and said so, with the words the
/// person wrote shown back to copy (a note written over half an hour is not lost without a
/// word), and the way to sign in again. Nothing is written.
async fn signed_out(state: &AppState, req: axum::extract::Request) -> Response {
    use axum::extract::FromRequest;
    // Only what Tact's own page sent is shown back: another site's form, posted here, is
    // told it is signed out and nothing more.
    let ours = req
        .headers()
        .get("sec-fetch-site")
        .is_none_or(|v| v.as_bytes() == b"same-origin");
    // Signing in again goes back to the form (a button's address, to the page it is on).
    let back = ours
        .then(|| {
            let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
            crate::ui_back::remember(state, path)
        })
        .flatten();
    let words: Vec<String> = Form::<Vec<(String, String)>>::from_request(req, state)
        .await
        .map(|Form(pairs)| {
            pairs
                .into_iter()
                .filter(|(k, v)| !secret(k) && v.trim().contains(char::is_whitespace))
                .map(|(_, v)| v.trim().to_string())
                .collect()
        })
        .ok()
        .filter(|_| ours)
        .unwrap_or_default();
    let page = SignedOutPage {
        frame: Frame::public(state),
        idle_minutes: state.app.session_limits.idle.as_mins(),
        words,
    };
    let mut r = (StatusCode::UNAUTHORIZED, render(&page)).into_response();
    if let Some(c) = back {
        r.headers_mut().append(SET_COOKIE, c);
    }
    r
}

/// A field never shown back on the signed-out page: the form's token, and a password or
/// code, which would stand in clear on the screen.
fn secret(field: &str) -> bool {
    ["csrf", "password", "confirm", "code", "secret"]
        .iter()
        .any(|s| field.contains(s))
}

#[derive(Template)]
#[template(path = "signed_out.html")]
struct SignedOutPage<'a> {
    frame: Frame<'a>,
    idle_minutes: i64,
    words: Vec<String>,
}

/// A page's path values (`/plans/{id}`). One that does not read as the page wants
/// (`/plans/x`) is the "Page not found" page, as an unknown record is: never axum's plain
/// text.
pub(crate) struct PagePath<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send> FromRequestParts<AppState> for PagePath<T> {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(Self(v)),
            Err(_) => Err(not_found(state, parts).await),
        }
    }
}

/// A page's query string (`?history=2`). One that does not read (`?history=-3`) is a 400
/// page saying which part, with the page's frame: never axum's plain text.
pub(crate) struct PageQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send> FromRequestParts<AppState> for PageQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let read = Query::<T>::from_request_parts(parts, state).await;
        if let Err(e) = crate::api::plain_query(&parts.uri) {
            let signed = Signed::from_request_parts(parts, state).await.ok();
            return Err(unkept_text(state, signed.as_ref(), e));
        }
        match read {
            Ok(Query(v)) => Ok(Self(v)),
            Err(e) => {
                let text = e.body_text();
                let detail = text
                    .strip_prefix("Failed to deserialize query string: ")
                    .unwrap_or(&text);
                let signed = Signed::from_request_parts(parts, state).await.ok();
                Err(error_page(
                    state,
                    signed.as_ref(),
                    StatusCode::BAD_REQUEST,
                    "There is a problem",
                    &format!("This address asks for something Tact cannot read ({detail}). Go back and try again."),
                ))
            }
        }
    }
}

/// The 400 page for text Tact cannot keep (core's `plain_text`), naming the field.
fn unkept_text(state: &AppState, signed: Option<&Signed>, e: tact_core::RuleError) -> Response {
    error_page(
        state,
        signed,
        StatusCode::BAD_REQUEST,
        "There is a problem",
        &format!(
            "What was typed in \"{}\" {}. Go back, take it out and try again.",
            e.field.unwrap_or_default(),
            e.message
        ),
    )
}

/// The "Page not found" page, with the frame of whoever is signed in (none if nobody is).
async fn not_found(state: &AppState, parts: &mut Parts) -> Response {
    let signed = Signed::from_request_parts(parts, state).await.ok();
    error_page(
        state,
        signed.as_ref(),
        StatusCode::NOT_FOUND,
        "Page not found",
        "There is no such page. If you typed the address, check it is right.",
    )
}

/// A page sent what it does not take (a form sent to a page that has none, a `PUT`): a page
/// saying so with its 405, never an empty answer (the API answers its own in JSON).
pub(crate) async fn method_not_taken(
    State(state): State<AppState>,
    req: axum::extract::Request,
) -> Response {
    let (mut parts, _) = req.into_parts();
    let signed = Signed::from_request_parts(&mut parts, &state).await.ok();
    error_page(
        &state,
        signed.as_ref(),
        StatusCode::METHOD_NOT_ALLOWED,
        "There is a problem",
        "This page cannot take what was sent to it, and nothing was changed. Go back to the \
         page you were on and try again.",
    )
}

/// Any address no page answers: the "Page not found" page (the API answers its own in JSON).
pub(crate) async fn page_not_found(
    State(state): State<AppState>,
    req: axum::extract::Request,
) -> Response {
    let (mut parts, _) = req.into_parts();
    not_found(&state, &mut parts).await
}

/// A form POSTed by a signed-in member of staff whose form token matches their session's:
/// who sent it, and the form. The one place a form's token is checked: a form without it, or
/// with another session's, is the 403 "out of date" page and reaches no handler; a body that
/// is not a form is 400; one sent once the session has ended is the signed-out page, which
/// shows back what was written. A handler takes the member of staff from here, not from a
/// [`Signed`] of its own, which would send them to sign in and lose the form.
pub(crate) struct Posted(pub Signed, pub std::collections::HashMap<String, String>);

impl axum::extract::FromRequest<AppState> for Posted {
    type Rejection = Response;

    async fn from_request(
        req: axum::extract::Request,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let Some(signed) = Signed::of(&parts, state).await? else {
            return Err(signed_out(state, axum::extract::Request::from_parts(parts, body)).await);
        };
        let req = axum::extract::Request::from_parts(parts, body);
        let form = checked_form(req, state, &signed).await?;
        Ok(Posted(signed, form))
    }
}

/// The form in `req`, once its token is `signed`'s session's: the check [`Posted`] and
/// [`PostedTo`] share (the session itself read once, by the caller).
async fn checked_form(
    req: axum::extract::Request,
    state: &AppState,
    signed: &Signed,
) -> Result<std::collections::HashMap<String, String>, Response> {
    use axum::extract::FromRequest;
    let unreadable = || {
        error_page(
            state,
            Some(signed),
            StatusCode::BAD_REQUEST,
            "There is a problem",
            "The form could not be read. Go back and try again.",
        )
    };
    let Form(pairs) = Form::<Vec<(String, String)>>::from_request(req, state)
        .await
        .map_err(|r| {
            // More than a server takes in one request: said as such, not as a form that
            // could not be read.
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                error_page(
                    state,
                    Some(signed),
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "What you typed is too long",
                    &format!(
                        "A form can send at most {} MB in all; nothing was changed. Go back, \
                         shorten what you typed, and send it again.",
                        crate::MAX_BODY / (1024 * 1024)
                    ),
                )
            } else {
                unreadable()
            }
        })?;
    // Every question on Tact's forms has its own name: one sent twice (`channel=phone&
    // channel=email`) is not a form Tact made, and neither answer is taken for it.
    let mut form = std::collections::HashMap::with_capacity(pairs.len());
    for (k, v) in pairs {
        if form.insert(k, v).is_some() {
            return Err(unreadable());
        }
    }
    let form = with_dates(form);
    if form.get("csrf") != Some(&signed.csrf) {
        return Err(error_page(
            state,
            Some(signed),
            StatusCode::FORBIDDEN,
            "There is a problem",
            "The form was out of date. Go back and try again.",
        ));
    }
    // Text Tact can keep (core's `plain_text`), as the API asks of a JSON body.
    if let Some(e) = first_refused(&form, tact_core::error::plain_text) {
        return Err(unkept_text(state, Some(signed), e));
    }
    Ok(form)
}

/// The first of a form's fields, by name, that `rule` refuses, with its refusal: the same
/// field named whichever order the browser sent them in.
pub(crate) fn first_refused(
    form: &std::collections::HashMap<String, String>,
    rule: impl Fn(&str, &str) -> Result<(), tact_core::RuleError>,
) -> Option<tact_core::RuleError> {
    let mut fields: Vec<_> = form.iter().collect();
    fields.sort();
    fields.into_iter().find_map(|(k, v)| rule(k, v).err())
}

/// A GOV.UK date input's three boxes (`review_due-day`, `-month`, `-year`) as the one
/// value the form's reader takes ("2027-01-07"): nothing typed is an empty answer; what
/// is not a date stays as typed, for the reader to refuse with its field (issue 13).
pub(crate) fn with_dates(
    mut form: std::collections::HashMap<String, String>,
) -> std::collections::HashMap<String, String> {
    let bases: Vec<String> = form
        .keys()
        .filter_map(|k| k.strip_suffix("-day"))
        .map(str::to_string)
        .collect();
    for base in bases {
        let mut take = |part: &str| {
            form.remove(&format!("{base}-{part}"))
                .unwrap_or_default()
                .trim()
                .to_string()
        };
        let (d, m, y) = (take("day"), take("month"), take("year"));
        let joined = if d.is_empty() && m.is_empty() && y.is_empty() {
            String::new()
        } else {
            match (d.parse::<u8>(), m.parse::<u8>(), y.parse::<u16>()) {
                (Ok(d), Ok(m), Ok(y)) if y >= 1000 => format!("{y:04}-{m:02}-{d:02}"),
                _ => format!("{y}-{m}-{d}"),
            }
        };
        form.insert(base, joined);
    }
    form
}

/// A form posted to a record's own path (`…/{id}/…`): the record's id, and the form as
/// [`Posted`] checks it. An id that is not a number is the 404 page.
pub(crate) struct PostedTo {
    pub id: i64,
    pub signed: Signed,
    pub form: std::collections::HashMap<String, String>,
}

impl axum::extract::FromRequest<AppState> for PostedTo {
    type Rejection = Response;

    async fn from_request(
        req: axum::extract::Request,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let Some(signed) = Signed::of(&parts, state).await? else {
            return Err(signed_out(state, axum::extract::Request::from_parts(parts, body)).await);
        };
        let Ok(Path(id)) = Path::<i64>::from_request_parts(&mut parts, state).await else {
            return Err(error_page(
                state,
                Some(&signed),
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is no such record.",
            ));
        };
        let req = axum::extract::Request::from_parts(parts, body);
        let form = checked_form(req, state, &signed).await?;
        Ok(Self { id, signed, form })
    }
}

pub(crate) fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "something went wrong on our side",
            )
                .into_response()
        }
    }
}

/// What every page carries around its content: the office and its policy, who is signed
/// in, and the form token their forms send back.
pub(crate) struct Frame<'a> {
    pub office: &'a str,
    pub policy: &'a str,
    pub signed_in: Option<String>,
    pub csrf: String,
    /// What the step just taken did, for the success banner.
    pub said: Option<String>,
}

impl<'a> Frame<'a> {
    /// A static file's versioned URL, for the layout's links.
    pub fn asset(&self, name: &str) -> &'static str {
        asset_url(name)
    }

    /// The frame for a page anyone may see, before signing in.
    pub(crate) fn public(state: &'a AppState) -> Self {
        let p = &state.app.profile;
        Self {
            office: &p.organisation.short_name,
            policy: &p.organisation.policy_title,
            signed_in: None,
            csrf: String::new(),
            said: None,
        }
    }

    /// The frame for a signed-in member of staff.
    pub(crate) fn of(state: &'a AppState, signed: &Signed) -> Self {
        let p = &state.app.profile;
        Self {
            office: &p.organisation.short_name,
            policy: &p.organisation.policy_title,
            signed_in: Some(signed.actor.name.clone()),
            csrf: signed.csrf.clone(),
            said: signed.said.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    frame: Frame<'a>,
    heading: String,
    message: String,
}

pub(crate) fn error_page(
    state: &AppState,
    signed: Option<&Signed>,
    status: StatusCode,
    heading: &str,
    message: &str,
) -> Response {
    let p = &state.app.profile;
    let page = ErrorPage {
        frame: Frame {
            office: &p.organisation.short_name,
            policy: &p.organisation.policy_title,
            signed_in: signed.map(|s| s.actor.name.clone()),
            csrf: signed.map(|s| s.csrf.clone()).unwrap_or_default(),
            said: signed.and_then(|s| s.said.clone()),
        },
        heading: heading.to_string(),
        message: message.to_string(),
    };
    (status, render(&page)).into_response()
}

pub(crate) fn fault(state: &AppState, e: &AppError) -> Response {
    tracing::error!(error = %e, "ui failure");
    error_page(
        state,
        None,
        StatusCode::INTERNAL_SERVER_ERROR,
        "Sorry, there is a problem with the service",
        "Try again later. Nothing was changed.",
    )
}

/// Turns a refusal into a page with the status the API gives for it
/// (`crate::error::ApiError`): 403 for a role that may not, 404 for an unknown record, 409
/// for a step the record's state refuses or a record someone else has just changed, 400 for
/// bad input, 503 when the database does not answer or a letter's document cannot be made
/// here, 502 when a mail server refuses.
pub(crate) fn refusal(state: &AppState, signed: &Signed, e: AppError) -> Response {
    let api = crate::error::ApiError::from(e);
    let heading = match api.status {
        StatusCode::FORBIDDEN => "You cannot do this",
        StatusCode::NOT_FOUND => "Page not found",
        // A step the record's state refuses: not yet (a checklist unanswered, a review
        // route open), no longer (already decided), or changed by someone else meanwhile;
        // the message says which.
        StatusCode::CONFLICT => "This cannot be done now",
        StatusCode::SERVICE_UNAVAILABLE => "Tact cannot do this now",
        StatusCode::BAD_GATEWAY => "The message could not be sent",
        s if s.is_server_error() => "Sorry, there is a problem with the service",
        _ => "There is a problem",
    };
    // The clause the refusal cites, as on a form's error.
    let message = crate::ui_forms::refusal_words(&api.body.message, api.body.clause.as_deref());
    let mut page = error_page(state, Some(signed), api.status, heading, &message);
    if let Some(wait) = api.retry_after {
        page.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, wait.into());
    }
    page
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage<'a> {
    frame: Frame<'a>,
    form_token: String,
    username: String,
    error: Option<String>,
    /// The office's provider, where single sign-on is set up ("Microsoft").
    sso: Option<String>,
    /// Whether the password form is offered.
    passwords: bool,
    /// Signing in goes on to the page asked for ([`crate::ui_back`]), not the home page.
    going_on: bool,
}

/// The answer to a sign-in step posted without the token of the form it came from (a form
/// left open too long, or not from Tact): the sign-in page again, saying so, and nothing done.
pub(crate) fn sign_in_expired(state: &AppState, username: &str) -> Response {
    sign_in_form(
        state,
        username,
        Some("Your session expired. Sign in again".into()),
        StatusCode::BAD_REQUEST,
    )
}

/// The same for the password form, whose cookie may not have come back at all: where Tact's
/// cookies are `Secure` and the form came over plain HTTP, a browser drops them (except
/// from localhost), so every sign-in would "expire". The page then says why, and what
/// whoever runs Tact can do, instead of leaving staff to try again for ever.
fn sign_in_expired_from(state: &AppState, headers: &HeaderMap, username: &str) -> Response {
    let dropped = state.secure_cookies
        && cookie(headers, FORM_COOKIE).is_none()
        && !crate::harden::over_https(headers);
    if !dropped {
        return sign_in_expired(state, username);
    }
    sign_in_form(
        state,
        username,
        Some(
            "Your session expired. Sign in again. If this happens every time: Tact's cookies \
             are sent only over HTTPS, so open Tact at its https:// address (whoever runs Tact \
             can allow plain HTTP for a trial with TACT_COOKIE_SECURE=false)"
                .into(),
        ),
        StatusCode::BAD_REQUEST,
    )
}

pub(crate) fn sign_in_form(
    state: &AppState,
    username: &str,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    sign_in_answer(state, username, error, status, false)
}

/// The sign-in page: [`sign_in_form`], saying where signing in goes on to when it is the
/// page someone asked for (`going_on`).
fn sign_in_answer(
    state: &AppState,
    username: &str,
    error: Option<String>,
    status: StatusCode,
    going_on: bool,
) -> Response {
    let token = hex::encode(rand_bytes());
    let page = SignInPage {
        frame: Frame::public(state),
        form_token: token.clone(),
        username: username.to_string(),
        error,
        sso: state.sso.as_ref().map(|s| s.settings.label.clone()),
        passwords: passwords_allowed(state),
        going_on,
    };
    let mut resp = (status, render(&page)).into_response();
    resp.headers_mut().append(
        SET_COOKIE,
        set_cookie(state, FORM_COOKIE, &token, Some(3600)),
    );
    resp
}

fn rand_bytes() -> [u8; 24] {
    rand::random()
}

/// Whether this office signs staff in with passwords (always, unless single sign-on is set
/// up with `passwords = false`).
fn passwords_allowed(state: &AppState) -> bool {
    state.sso.as_ref().is_none_or(|s| s.settings.passwords)
}

async fn sign_in_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let going_on = crate::ui_back::after_sign_in(&headers) != "/";
    sign_in_answer(&state, "", None, StatusCode::OK, going_on)
}

/// What the sign-in form posts. A field left out is empty, so that what is missing is said
/// in words (a form without its token has expired; one without a password asks for it).
#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return sign_in_form(
            &state,
            "",
            Some("Enter your username and password".into()),
            StatusCode::BAD_REQUEST,
        );
    };
    if !passwords_allowed(&state) {
        return sign_in_form(
            &state,
            "",
            Some("This office signs staff in through its own sign-in service only".into()),
            StatusCode::FORBIDDEN,
        );
    }
    if cookie(&headers, FORM_COOKIE).as_deref() != Some(f.csrf.as_str()) || f.csrf.is_empty() {
        return sign_in_expired_from(&state, &headers, &f.username);
    }
    if f.username.trim().is_empty() || f.password.is_empty() {
        return sign_in_form(
            &state,
            &f.username,
            Some("Enter your username and password".into()),
            StatusCode::BAD_REQUEST,
        );
    }
    match state.app.sign_in(&f.username, &f.password).await {
        Ok(Ok(started)) => {
            // Signed in: back to where they were ([`crate::ui_back`]); a second factor
            // first, where one is wanted (it goes back there once given).
            let mut resp = match started.next {
                tact_core::sign_in::SecondFactor::NotNeeded => {
                    crate::ui_back::go_back(&state, &headers)
                }
                tact_core::sign_in::SecondFactor::Code => {
                    Redirect::to("/sign-in/code").into_response()
                }
                tact_core::sign_in::SecondFactor::SetUp => {
                    Redirect::to("/sign-in/set-up").into_response()
                }
            };
            resp.headers_mut().append(
                SET_COOKIE,
                set_cookie(&state, SESSION_COOKIE, &started.token, None),
            );
            resp.headers_mut()
                .append(SET_COOKIE, set_cookie(&state, FORM_COOKIE, "", Some(0)));
            resp
        }
        // One answer for a wrong password, an unknown username and a locked account, so the
        // page does not reveal which usernames exist.
        Ok(Err(SignInFailure::WrongDetails | SignInFailure::Locked)) => sign_in_form(
            &state,
            &f.username,
            Some(format!(
                "The username or password is not right, or the account is locked. After {} \
                 attempts that are not right, an account is locked for {} minutes",
                tact_app::MAX_FAILED_SIGN_INS,
                tact_app::LOCK_MINUTES
            )),
            StatusCode::UNAUTHORIZED,
        ),
        Err(e) => fault(&state, &e),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed: Signed,
    Form(f): Form<CsrfForm>,
) -> Response {
    if f.csrf != signed.csrf {
        return error_page(
            &state,
            Some(&signed),
            StatusCode::FORBIDDEN,
            "There is a problem",
            "The form was out of date. Go back and try again.",
        );
    }
    let mut id_token = None;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        match state.app.sign_out(&token).await {
            Ok(t) => id_token = t,
            Err(e) => return fault(&state, &e),
        }
    }
    // A session single sign-on began is ended at the provider too, where it says how: by a
    // page that moves on there, since the Content-Security-Policy lets a form lead only to
    // Tact itself.
    let at_provider = match (&state.sso, id_token) {
        (Some(sso), Some(t)) => sso
            .sign_out_url(&t)
            .await
            .map(|url| crate::ui_access::signing_out_at_provider(&state, &sso.settings.label, url)),
        _ => None,
    };
    let mut resp = at_provider.unwrap_or_else(|| Redirect::to("/sign-in").into_response());
    resp.headers_mut()
        .append(SET_COOKIE, set_cookie(&state, SESSION_COOKIE, "", Some(0)));
    // The next person at this desk starts at the home page, not at this one's last page.
    resp.headers_mut()
        .append(SET_COOKIE, crate::ui_back::forget(&state));
    resp
}

/// What is wrong with the answer to `field`, from a page's errors (each its field and what
/// to say), for the template to say beside that answer.
pub(crate) fn error_on<'a>(errors: &'a [(String, String)], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, words)| words.as_str())
}

struct TaskRow {
    href: Option<String>,
    title: String,
    /// Why this member of staff cannot do it though their role may (a plan they proposed, a
    /// dispute about a decision they took part in): then it is listed, not linked.
    not_theirs: Option<String>,
    /// The person's id and "name (reference)".
    person: Option<(i64, String)>,
    due: String,
    /// Past its due date; due today.
    overdue: bool,
    due_today: bool,
    clause: String,
    /// How many open tasks this row stands for (the same task about the same person,
    /// raised more than once).
    count: usize,
}

/// The open tasks of one kind, as the home page lists them.
struct TaskGroup {
    label: String,
    rows: Vec<TaskRow>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    frame: Frame<'a>,
    role: String,
    /// (kind, label, how many, whether the list shows only these)
    counts: Vec<(String, String, usize, bool)>,
    /// The label of the kind the list is narrowed to, if it is.
    showing: Option<String>,
    /// (shown, of how many) when the list shows only the first of them.
    more: Option<(usize, usize)>,
    groups: Vec<TaskGroup>,
    reviews: Vec<(i64, String, String, bool)>,
    /// Pages the role has beyond its tasks.
    links: Vec<(String, String)>,
}

/// A kind of task as the home page heads it, plans in the profile's plural
/// ("communication plans" on Northamptonshire).
fn task_label(k: TaskKind, plans: &str) -> String {
    let label = match k {
        TaskKind::EndedCallFollowUp => "Ended calls to follow up",
        TaskKind::WelfareFollowUp => "Staff welfare follow-ups",
        TaskKind::ReportToManager => "Behaviour reported to you",
        TaskKind::RemedyShortfall => "Shortfalls to put right",
        TaskKind::SendNotice => "Notices and letters to send",
        TaskKind::BreachReminder => "Breach reminders to send",
        TaskKind::Screening => "Contacts to screen",
        TaskKind::ReviewDue => "Reviews due",
        TaskKind::AdjustmentDecision => "Adjustment requests to decide",
        TaskKind::AdjustmentLetter => "Adjustment decisions to send",
        TaskKind::WarningLetter => "Warnings to send in writing",
        TaskKind::DecideDispute => "Disputes to decide",
        TaskKind::AuthorisePlan => "Authorisations waiting",
        TaskKind::DisclosureDecision => "DPO requests: sharing to decide",
        TaskKind::ShareDisclosure => "Approved sharing to carry out",
        TaskKind::PlanNeeded => {
            return format!("Threatening correspondence: {plans} to create");
        }
        TaskKind::ReadDiverted => "Emails diverted to you",
        TaskKind::DataRights => "DPO requests: data rights to answer",
        TaskKind::Disposal => "Records due for disposal",
        TaskKind::OpenMatter => "New complaints to open as matters",
        TaskKind::PoliceReferral => "Possible crimes to report to the police",
        TaskKind::SafeguardingReferral => "Safeguarding referrals to make",
        TaskKind::ReplaceContact => "Single points of contact who have left",
    };
    label.to_string()
}

/// What makes two open tasks the same on the home page: title, person and due date.
type SameTask = (String, Option<PersonId>, Option<jiff::civil::Date>);

/// Open tasks grouped by kind (in the order of [`TaskKind::ALL`]), the same task about the
/// same person due the same day merged into one row with its count, each with its due date
/// in words and whether it is overdue or due today (issue 13).
fn task_groups(
    tasks: &[tact_core::model::Task],
    today: jiff::civil::Date,
    named: &dyn Fn(PersonId) -> String,
    plans: &str,
    not_theirs: &std::collections::HashMap<tact_core::ids::TaskId, String>,
) -> Vec<TaskGroup> {
    let mut groups = Vec::new();
    for k in TaskKind::ALL {
        let mut rows: Vec<(TaskRow, SameTask)> = Vec::new();
        for t in tasks.iter().filter(|t| t.task.kind == k) {
            let key = (t.task.title.clone(), t.task.person_id, t.task.due_on);
            if let Some((row, _)) = rows.iter_mut().find(|(_, k)| *k == key) {
                row.count += 1;
                continue;
            }
            let why = not_theirs.get(&t.id).cloned();
            rows.push((
                TaskRow {
                    href: why.is_none().then(|| crate::ui_tasks::link(t)),
                    title: t.task.title.clone(),
                    not_theirs: why,
                    person: t.task.person_id.map(|p| (p.0, named(p))),
                    due: t
                        .task
                        .due_on
                        .map_or_else(|| "No date set".to_string(), tact_core::check::long_date),
                    overdue: t.task.due_on.is_some_and(|d| d < today),
                    due_today: t.task.due_on == Some(today),
                    clause: crate::ui_forms::capital(cited(&t.task.clause)),
                    count: 1,
                },
                key,
            ));
        }
        if !rows.is_empty() {
            groups.push(TaskGroup {
                label: task_label(k, plans),
                rows: rows.into_iter().map(|(r, _)| r).collect(),
            });
        }
    }
    groups
}

/// The tasks in `tasks` whose step this member of staff may not take though their role
/// may, each with core's reason: deciding a plan they proposed (`workflow::step_refusal`),
/// or a dispute about a decision they took part in (`workflow::dispute_refusal`). The home
/// page lists them for the team to see, and links only what its reader may open.
async fn not_theirs(
    state: &AppState,
    signed: &Signed,
    tasks: &[tact_core::model::Task],
) -> Result<std::collections::HashMap<tact_core::ids::TaskId, String>, Response> {
    use tact_core::workflow as wf;
    let p = &state.app.profile;
    let mut out = std::collections::HashMap::new();
    for t in tasks {
        let subject = t.task.subject.as_deref().unwrap_or_default();
        let refused = match t.task.kind {
            TaskKind::AuthorisePlan => {
                let Some(id) = tact_core::ids::PlanId::of_subject(subject) else {
                    continue;
                };
                let Some(s) =
                    crate::ui_step::read_if_allowed(state, signed, q::Plan { id }).await?
                else {
                    continue;
                };
                wf::step_refusal(p, &signed.actor, &s, wf::PlanStep::Authorise)
            }
            TaskKind::DecideDispute => {
                let Some(id) = subject
                    .strip_prefix("dispute:")
                    .and_then(|id| id.parse().ok())
                    .map(tact_core::ids::DisputeId)
                else {
                    continue;
                };
                let Some(d) =
                    crate::ui_step::read_if_allowed(state, signed, q::Dispute { id }).await?
                else {
                    continue;
                };
                let plan = q::Plan { id: d.plan_id };
                let Some(s) = crate::ui_step::read_if_allowed(state, signed, plan).await? else {
                    continue;
                };
                wf::dispute_refusal(p, &signed.actor, &d, &s)
            }
            _ => continue,
        };
        if let Some(e) = refused.filter(|e| e.kind == tact_core::RuleErrorKind::Forbidden) {
            out.insert(t.id, crate::ui_forms::capital(&e.message));
        }
    }
    Ok(out)
}

/// How many tasks the home page lists; the counts above the list cover all of them.
const HOME_TASKS: i64 = 50;

#[derive(Deserialize)]
struct HomeQuery {
    /// Show only tasks of this kind (each count links here).
    kind: Option<String>,
}

async fn home(
    State(state): State<AppState>,
    signed: Signed,
    PageQuery(q): PageQuery<HomeQuery>,
) -> Response {
    // A kind that names nothing is refused, not read as "every kind".
    let only = match q.kind.as_deref() {
        None => None,
        Some(k) => Some(or_page!(TaskKind::parse(k).map_err(|e| refusal(
            &state,
            &signed,
            e.into()
        )))),
    };
    // Counted in full by the database; the list shows the first HOME_TASKS (a busy office's
    // caseworkers share thousands of screening tasks).
    let by_kind = or_page!(crate::ui_step::read(&state, &signed, q::MyTaskCounts {}).await);
    let tasks = or_page!(
        crate::ui_step::read(
            &state,
            &signed,
            q::MyTasks {
                kind: only,
                limit: HOME_TASKS,
            }
        )
        .await
    );
    let plans = state.app.profile.terms.plan_plural.as_str();
    let mut counts: Vec<(String, String, usize, bool)> = Vec::new();
    for k in TaskKind::ALL {
        let n = by_kind
            .iter()
            .find(|(kind, _)| *kind == k)
            .map_or(0, |(_, n)| usize::try_from(*n).unwrap_or(usize::MAX));
        if n > 0 {
            counts.push((
                k.as_str().to_string(),
                task_label(k, plans),
                n,
                only == Some(k),
            ));
        }
    }
    let total: usize = counts
        .iter()
        .filter(|c| only.is_none() || c.3)
        .map(|c| c.2)
        .sum();
    let more = (total > tasks.len()).then_some((tasks.len(), total));
    let showing = only.map(|k| task_label(k, plans));
    let today = tact_core::check::uk_date(state.app.now());
    let reviews = if cmd::offered::<cmd::read::Reviews>(&state.app.profile, &signed.actor) {
        match state
            .app
            .query(
                &signed.actor,
                q::ReviewsDue {
                    by: today + jiff::Span::new().days(14),
                },
            )
            .await
        {
            Ok(list) => list
                .into_iter()
                .map(|s| {
                    (
                        s.person_id,
                        tact_core::check::long_date(s.review_due),
                        s.review_overdue(today),
                    )
                })
                .collect(),
            Err(e) => return refusal(&state, &signed, e),
        }
    } else {
        Vec::new()
    };
    let not_theirs = or_page!(not_theirs(&state, &signed, &tasks).await);
    let wanted: Vec<PersonId> = tasks
        .iter()
        .filter_map(|t| t.task.person_id)
        .chain(reviews.iter().map(|r: &(PersonId, String, bool)| r.0))
        .collect();
    let names = or_page!(
        crate::ui_step::read(
            &state,
            &signed,
            q::Names {
                ids: wanted.to_vec(),
            }
        )
        .await
    );
    let named = |id: PersonId| {
        names
            .get(&id)
            .map_or_else(|| id.reference(), |(n, r)| format!("{n} ({r})"))
    };
    let reviews = reviews
        .into_iter()
        .map(|(id, due, overdue)| (id.0, named(id), due, overdue))
        .collect();
    let p = &state.app.profile;
    let mut links = vec![
        ("/tokens".to_string(), "Your API tokens".to_string()),
        (
            "/second-factor".to_string(),
            "Your second factor".to_string(),
        ),
        (
            "/account/password".to_string(),
            "Change your password".to_string(),
        ),
    ];
    if cmd::offered::<cmd::read::StaffDirectory>(p, &signed.actor) {
        links.push((
            "/admin/staff".to_string(),
            "Add, disable and change staff".to_string(),
        ));
    }
    // Queues that need someone, with how many wait in each; shown only when some do.
    {
        use tact_core::correspondence::{LetterStatus as L, Route as R};
        enum Queue {
            Letters(L),
            Messages(R),
        }
        let letters = cmd::offered::<cmd::read::Letters>(p, &signed.actor);
        let screening = cmd::offered::<cmd::read::Screening>(p, &signed.actor);
        let queues = [
            (
                letters,
                Queue::Letters(L::ToPrint),
                "Letters to print and post",
            ),
            (
                letters,
                Queue::Letters(L::Failed),
                "Emails that could not be sent",
            ),
            (
                screening,
                Queue::Messages(R::Quarantine),
                "Quarantined messages",
            ),
            (
                screening,
                Queue::Messages(R::UnknownSender),
                "Messages from unknown senders",
            ),
        ];
        for (_, queue, label) in queues.into_iter().filter(|q| q.0) {
            let (href, waiting) = match queue {
                Queue::Letters(status) => (
                    format!("/letters?status={}", status.as_str()),
                    crate::ui_step::read_if_allowed(&state, &signed, q::LetterCount { status })
                        .await,
                ),
                Queue::Messages(route) => (
                    format!("/messages?route={}", route.as_str()),
                    crate::ui_step::read_if_allowed(&state, &signed, q::RoutedCount { route })
                        .await,
                ),
            };
            // A queue that cannot be counted is the error page, not a queue that looks empty.
            if let Some(n @ 1..) = or_page!(waiting) {
                links.push((href, format!("{label} ({n})")));
            }
        }
    }
    // The office's tools, each offered only to the roles core lets read or take it.
    let a = &signed.actor;
    let tools = [
        (
            cmd::offered::<cmd::read::Retention>(p, a),
            "/retention",
            format!(
                "Records due for disposal, and the disposal register ({})",
                cited(&p.clauses.retention)
            ),
        ),
        (
            cmd::offered::<cmd::read::Governance>(p, a),
            "/governance",
            "Governance report: plans, reviews, breaches, disputes, adjustments".to_string(),
        ),
        (
            cmd::offered::<cmd::read::Equality>(p, a),
            "/equality",
            format!(
                "Equality monitoring: who is warned, restricted and given adjustments ({})",
                cited(&p.clauses.equality_monitoring)
            ),
        ),
        (
            cmd::offered::<cmd::read::Export>(p, a),
            "/export",
            "Download records as CSV for reporting".to_string(),
        ),
        (
            cmd::offered::<cmd::ImportRecords>(p, a),
            "/import",
            "Import records from a spreadsheet or CSV file".to_string(),
        ),
        (
            tact_core::roles::may_read_disclosure_log(p, a).is_ok(),
            "/disclosures",
            format!(
                "Disclosure log: what was shared with partners ({})",
                cited(&p.sharing.clause)
            ),
        ),
    ];
    links.extend(
        tools
            .into_iter()
            .filter(|t| t.0)
            .map(|(_, href, label)| (href.to_string(), label)),
    );
    let page = HomePage {
        showing,
        more,
        links,
        frame: Frame::of(&state, &signed),
        role: crate::ui_forms::capital(signed.actor.role.plain()),
        counts,
        groups: task_groups(&tasks, today, &named, plans, &not_theirs),
        reviews,
    };
    render(&page)
}

#[derive(Deserialize)]
struct IncomingQuery {
    who: Option<String>,
    channel: Option<String>,
}

struct VerdictView {
    /// The contact check's answer as the API gives it (`GET /api/v1/contact-check`): the
    /// page shows what it says, from the same conversion.
    answer: crate::out::VerdictOut,
    /// Its clauses, cited.
    clauses: String,
    /// What to do if the caller becomes abusive (core's `check::if_abusive`), and its clause.
    if_abusive: Vec<String>,
    end_call_clause: String,
}

#[derive(Template)]
#[template(path = "incoming.html")]
struct IncomingPage<'a> {
    frame: Frame<'a>,
    who: String,
    /// May this member of staff add a caller nobody knows as a new person?
    can_add: bool,
    channel: String,
    channels: Vec<(&'static str, String)>,
    error: Option<String>,
    verdict: Option<VerdictView>,
    /// The caller's number or address as typed, for the contact form the page links to:
    /// empty where staff gave a reference instead.
    log_who: String,
}

/// What staff type in the incoming-contact page's one box: the caller's number or address,
/// or, where the number was withheld or names no one, the reference the caller gives —
/// their own (`SU-000123`) or their matter's (`M-000123`), as letters quote them.
enum Who {
    Caller(Option<Identifier>),
    Person(PersonId),
    Matter(tact_core::ids::MatterId),
}

impl Who {
    fn read(text: &str) -> Option<Self> {
        if text.contains('@') {
            return EmailAddress::parse(text)
                .ok()
                .map(|e| Self::Caller(Some(Identifier::Email(e))));
        }
        if let Some(p) = PersonId::from_reference(text) {
            return Some(Self::Person(p));
        }
        if let Some(m) = tact_core::ids::MatterId::from_reference(text) {
            return Some(Self::Matter(m));
        }
        tact_core::identity::read_caller(text)
            .ok()
            .map(|p| Self::Caller(p.map(Identifier::Phone)))
    }
}

async fn incoming(
    State(state): State<AppState>,
    signed: Signed,
    PageQuery(q): PageQuery<IncomingQuery>,
) -> Response {
    let who = q.who.unwrap_or_default();
    let mut error = None;
    // A channel that is not one is said so, not read as the phone or email.
    let channel = match q.channel.as_deref().filter(|c| !c.is_empty()) {
        None if who.contains('@') => Channel::Email,
        None => Channel::Phone,
        Some(c) => Channel::parse(c).unwrap_or_else(|_| {
            error = Some(format!(
                "{c:?} is not a way of making contact: choose {}",
                Channel::ALL.map(Channel::as_str).join(", ")
            ));
            Channel::Phone
        }),
    };
    let mut verdict = None;
    let mut log_who = String::new();
    let mut status = StatusCode::OK;
    if !who.trim().is_empty() && error.is_none() {
        match Who::read(&who) {
            None => {
                error = Some(format!(
                    "Enter a phone number, like {}, an email address, like name@example.org, or the reference they give, like SU-000123",
                    tact_core::identity::example_number(false)
                ))
            }
            Some(asked) => {
                let (caller, person, matter) = match asked {
                    Who::Caller(c) => {
                        log_who.clone_from(&who);
                        (c, None, None)
                    }
                    Who::Person(p) => (None, Some(p), None),
                    Who::Matter(m) => (None, None, Some(m)),
                };
                let check = q::Check {
                    caller,
                    channel,
                    staff: Some(signed.actor.id),
                    at: state.app.now(),
                    matter,
                    person,
                };
                match state.app.query(&signed.actor, check).await {
                    Ok(c) => {
                        let answer = crate::wire::checked(&c, &state.app.profile.terms);
                        verdict = Some(VerdictView {
                            clauses: answer
                                .clauses
                                .iter()
                                .map(|c| cited(c))
                                .collect::<Vec<_>>()
                                .join(", "),
                            answer,
                            if_abusive: tact_core::check::if_abusive(&state.app.profile),
                            end_call_clause: cited(&state.app.profile.clauses.end_call)
                                .to_string(),
                        });
                    }
                    // A reference that names no one (with no number, nothing else can be
                    // missing) is said on the box, with the API's 422.
                    Err(AppError::Rule(e)) if e.kind == tact_core::RuleErrorKind::NotFound => {
                        status = StatusCode::UNPROCESSABLE_ENTITY;
                        error = Some(format!(
                            "Nothing has the reference {}: check it and try again",
                            who.trim()
                        ));
                    }
                    Err(e) => return refusal(&state, &signed, e),
                }
            }
        }
    }
    let p = &state.app.profile;
    let page = IncomingPage {
        can_add: cmd::offered::<cmd::CreatePerson>(p, &signed.actor),
        frame: Frame::of(&state, &signed),
        who,
        channel: channel.as_str().to_string(),
        channels: Channel::ALL
            .iter()
            .map(|c| (c.as_str(), crate::ui_forms::capital(c.plain())))
            .collect(),
        error: error.clone(),
        verdict,
        log_who,
    };
    if error.is_some() && status == StatusCode::OK {
        status = StatusCode::BAD_REQUEST;
    }
    (status, render(&page)).into_response()
}

#[derive(Deserialize)]
struct PeopleQuery {
    q: Option<String>,
}

/// One search result: enough to tell two people of one name apart at a glance.
struct Found {
    id: i64,
    name: String,
    reference: String,
    phone: String,
    postcode: String,
    in_force: bool,
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage<'a> {
    frame: Frame<'a>,
    q: String,
    people: Vec<Found>,
    can_add: bool,
    /// The profile's word for a plan, for the tag ("Contact strategy").
    plan: String,
}

async fn people(
    State(state): State<AppState>,
    signed: Signed,
    PageQuery(q): PageQuery<PeopleQuery>,
) -> Response {
    let query = q.q.unwrap_or_default();
    let found = if query.trim().is_empty() {
        Vec::new()
    } else {
        match state
            .app
            .query(
                &signed.actor,
                q::FindPeople {
                    text: query.to_string(),
                },
            )
            .await
        {
            Ok(f) => f
                .into_iter()
                .map(|(p, in_force)| Found {
                    id: p.id.0,
                    phone: p
                        .phones
                        .first()
                        .map(tact_core::identity::PhoneNumber::for_people)
                        .unwrap_or_default(),
                    postcode: p
                        .postal_address
                        .as_deref()
                        .and_then(tact_core::identity::postcode)
                        .unwrap_or_default(),
                    name: p.name,
                    reference: p.reference,
                    in_force,
                })
                .collect(),
            Err(e) => return refusal(&state, &signed, e),
        }
    };
    let p = &state.app.profile;
    render(&PeoplePage {
        can_add: cmd::offered::<cmd::CreatePerson>(p, &signed.actor),
        frame: Frame::of(&state, &signed),
        q: query,
        people: found,
        plan: crate::ui_forms::capital(&p.terms.plan),
    })
}

struct PlanCard {
    id: i64,
    title: String,
    lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage<'a> {
    frame: Frame<'a>,
    plan: &'a str,
    plan_plural: &'a str,
    name: String,
    reference: String,
    restrictions: Vec<String>,
    /// Each plan decided that binds nothing they do now, and why (core's
    /// `check::not_binding`): not yet told in writing, lapsed, ended.
    not_binding: Vec<String>,
    adjustments: Vec<String>,
    phones: String,
    emails: String,
    /// Where letters by post go ("Not recorded" where none is held).
    address: String,
    /// The language they prefer, where it is not English.
    language: Option<String>,
    /// Who speaks for them: name, organisation and how to reach them.
    advocate: Option<String>,
    format: String,
    help: String,
    /// Where their record came from, where it was imported (issue 14).
    imported: Vec<String>,
    /// Each matter, and where to change its status if this role may.
    matters: Vec<(String, Option<String>)>,
    plans: Vec<PlanCard>,
    /// Each incident or warning, and where to write the note about an ended call.
    incidents: Vec<(String, Option<String>)>,
    contacts: Vec<(String, String, String)>,
    disclosures: Vec<(Option<String>, String)>,
    rights: Vec<(Option<String>, String)>,
    /// A legal hold in place (NOR-9.1), and whether this member of staff may lift it.
    hold: Option<(i64, String, i64)>,
    may_lift: bool,
    /// Where their records stand under the retention rule, for those who handle data
    /// rights (NOR-9.1).
    retention: Option<String>,
    all_adjustments: Vec<(Option<String>, String, Option<String>)>,
    /// The open tasks about them that this reader may do or, as a manager, oversee (core's
    /// `roles::may_close_task`), each with whom it waits for and when it is due: what is
    /// still owed on their record (a letter to send, a reminder, a screening): (where it is
    /// done, its title, for whom and by when). Linked where the reader holds it (core's
    /// `roles::holds_task`) or it is done on its own task page; a step the reader may not
    /// take though their role may (a plan they proposed) is listed, not linked, with core's
    /// reason, as on the home page.
    open_tasks: Vec<(Option<String>, String, String)>,
    /// Their disputes (NOR-7.1), each with the link to decide it where the reader may.
    disputes: Vec<(Option<String>, String)>,
    /// (id, received, subject, where it went)
    messages: Vec<(i64, String, String, String)>,
    letters: Vec<(i64, String)>,
    /// This page of the history: when, who, what (with how many times, where the same
    /// thing was done in a row), why.
    history: Vec<(String, String, String, String)>,
    /// (this page, of how many), where there is more than one.
    history_pages: Option<(usize, usize)>,
    /// The action most often wanted (log the contact in hand), and the rest by group.
    primary: Option<(String, String)>,
    action_groups: Vec<(String, Vec<(String, String)>)>,
}

/// Where a person's records came from, in words: their details and each plan one by one
/// (source, the id there, the row, the day), everything else counted by kind and source.
fn imported_lines(origins: Vec<tact_app::import::Origin>, plan: &str) -> Vec<String> {
    use tact_core::import::Kind;
    let day = |o: &tact_app::import::Origin| tact_core::check::long_day(o.at);
    let mut out = Vec::new();
    let mut counted: Vec<(Kind, String, usize)> = Vec::new();
    for o in &origins {
        let one = match o.kind {
            Kind::People => Some("Their details".to_string()),
            Kind::Plans => Some(format!("A {plan} in force")),
            _ => None,
        };
        match one {
            Some(what) => out.push(format!(
                "{what}: from {}, where the id was {} (row {}), on {}",
                o.source,
                o.key,
                o.line,
                day(o)
            )),
            None => match counted
                .iter_mut()
                .find(|(k, s, _)| *k == o.kind && *s == o.source)
            {
                Some((_, _, n)) => *n += 1,
                None => counted.push((o.kind, o.source.clone(), 1)),
            },
        }
    }
    for (kind, source, n) in counted {
        let what = match (kind, n == 1) {
            (Kind::Matters, true) => "matter",
            (Kind::Matters, false) => "matters",
            (Kind::Contacts, true) => "contact",
            (Kind::Contacts, false) => "contacts",
            (Kind::Incidents, true) => "incident",
            (Kind::Incidents, false) => "incidents",
            (_, true) => "reasonable adjustment",
            (_, false) => "reasonable adjustments",
        };
        out.push(format!("{n} {what} from {source}"));
    }
    out
}

/// History rows on one page of the person page.
const HISTORY_PAGE: usize = 25;

/// One row of a person's history: when, who, what, why.
type HistoryRow = (String, String, String, String);

/// What an event is about, in words: a plan in the profile's word for it ("communication
/// plan 4", where the event log keeps `strategy:4`), anything else by its kind and number.
fn subject_words(plan: &str, subject: &str) -> Option<String> {
    if let Some(id) = tact_core::ids::PlanId::of_subject(subject) {
        return Some(format!("{plan} {id}"));
    }
    let (kind, id) = subject.split_once(':')?;
    Some(format!("{} {id}", kind.replace('-', " ")))
}

/// Where a person's records stand under the retention rule (NOR-9.1), as their page says it
/// to those who handle data rights: due (core's [`tact_core::retention::due`]), the day they
/// will be, or why they are kept.
fn retention_line(d: &tact_core::retention::Disposal, today: jiff::civil::Date) -> String {
    use tact_core::retention::Disposal;
    match d {
        Disposal::DueOn(on) if tact_core::retention::due(d, today) => format!(
            "Their records have been due for disposal since {}.",
            tact_core::check::long_date(*on)
        ),
        Disposal::DueOn(on) => format!(
            "Their records fall due for disposal on {}.",
            tact_core::check::long_date(*on)
        ),
        Disposal::Kept(why) => format!("Their records are kept while {why}."),
    }
}

/// The history, newest first, with the same thing done in a row by the same person on the
/// same day merged into one row saying how many times ("checklist answered, 11 times"),
/// then cut to page `page` (from 1) of [`HISTORY_PAGE`] rows (issue 13).
fn history_page(rows: Vec<HistoryRow>, page: usize) -> (Vec<HistoryRow>, Option<(usize, usize)>) {
    let day = |when: &str| when.split(' ').take(3).collect::<Vec<_>>().join(" ");
    let mut merged: Vec<(HistoryRow, usize)> = Vec::new();
    for row in rows {
        match merged.last_mut() {
            Some((last, n))
                if day(&last.0) == day(&row.0)
                    && last.1 == row.1
                    && last.2 == row.2
                    && last.3 == row.3 =>
            {
                *n += 1;
            }
            _ => merged.push((row, 1)),
        }
    }
    let rows: Vec<_> = merged
        .into_iter()
        .map(|((when, who, what, why), n)| {
            let what = if n > 1 {
                format!("{what}, {n} times")
            } else {
                what
            };
            (when, who, what, why)
        })
        .collect();
    let pages = rows.len().div_ceil(HISTORY_PAGE).max(1);
    let page = page.clamp(1, pages);
    let shown = rows
        .into_iter()
        .skip((page - 1) * HISTORY_PAGE)
        .take(HISTORY_PAGE)
        .collect();
    (shown, (pages > 1).then_some((page, pages)))
}

#[derive(Deserialize)]
struct PersonQuery {
    /// The page of the history to show, from 1.
    history: Option<usize>,
}

/// A dispute as a person's page and its plan's page list it (NOR-7.1): when it came, their
/// grounds, and when it was decided and what was decided, in words, with the reasons; or
/// that it waits for a decision.
pub(crate) fn dispute_line(
    p: &tact_core::profile::Profile,
    d: &tact_core::model::Dispute,
) -> String {
    let when = tact_core::check::long_day(d.received_at);
    match d.outcome {
        None => format!(
            "disputed on {when} — {} — waiting for a decision",
            d.grounds
        ),
        Some(o) => format!(
            "disputed on {when} — {} — decided on {}: {}. {}",
            d.grounds,
            d.decided_at
                .map_or_else(|| when.clone(), tact_core::check::long_day),
            o.plain(&p.terms.plan),
            d.decision_reason.clone().unwrap_or_default()
        ),
    }
}

async fn person(
    State(state): State<AppState>,
    signed: Signed,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<PersonQuery>,
) -> Response {
    let r = or_page!(crate::ui_step::read(&state, &signed, q::Record { id: PersonId(id) }).await);
    // A record merged into another leads to the one kept (issue 10).
    if r.person.id.0 != id {
        return Redirect::to(&format!("/people/{}", r.person.id.0)).into_response();
    }
    let now = state.app.now();
    let p = &state.app.profile;
    // The record brings the staff directory with it (its plans' steps are checked against
    // it): the names are read from there, not again.
    let names = Names(r.records.staff.clone());
    let name_of = |id| names.name(id);
    // Which step each record offers this reader: the API's `steps` for the same record
    // (`wire::record_steps`, asking core's refusal for each), so the page links a form
    // exactly where the API would let the step be taken.
    let steps = crate::wire::record_steps(p, &signed.actor, &r, now);
    let open = |path: String, step: &str| {
        steps
            .get(&path)
            .is_some_and(|open| open.iter().any(|s| s == step))
            .then(|| format!("{path}/{step}"))
    };
    // What binds what they do now, as the contact check judges a contact (CLE-9.6): a plan
    // they have not yet been told of is said apart, with why it does not bind yet.
    let in_force: Vec<_> = r
        .plans
        .iter()
        .filter(|s| tact_core::check::binds(&state.app.profile, s, now))
        .collect();
    let not_binding = r
        .plans
        .iter()
        .filter_map(|s| tact_core::check::not_binding(&state.app.profile, s, now))
        .collect();
    let restrictions = in_force
        .iter()
        .flat_map(|s| s.restrictions.iter().map(move |x| (s, x)))
        .map(|(s, x)| {
            let name = p
                .catalogue(x.rule.kind())
                .map_or(x.rule.kind().as_str().to_string(), |e| e.name.clone());
            // Each matter by its reference, as staff and letters name it; the review date
            // in words (issue 13).
            let covers: Vec<String> = s
                .matter_ids
                .iter()
                .map(|m| {
                    r.records
                        .matters
                        .iter()
                        .find(|x| x.id == *m)
                        .map_or_else(|| format!("matter {m}"), |x| x.reference.clone())
                })
                .collect();
            format!(
                "{name}: {} (covers {} {}; review by {})",
                describe(&x.rule, &names),
                if covers.len() == 1 {
                    "matter"
                } else {
                    "matters"
                },
                covers.join(", "),
                tact_core::check::long_date(s.review_due)
            )
        })
        .collect();
    let adjustments = r
        .records
        .adjustments
        .iter()
        .filter(|a| a.status == AdjustmentStatus::Granted)
        .map(|a| a.description.clone())
        .collect();
    // Every open task about them the reader sees (core's `sees_task`: a colleague's
    // follow-up only for those who may close it), whoever holds it: whoever answers their
    // call sees what is still owed on their record, and to whom. Only those the reader may
    // close are linked.
    let owed: Vec<tact_core::model::Task> = r
        .records
        .tasks
        .iter()
        .filter(|t| t.done_at.is_none() && tact_core::roles::sees_task(&signed.actor, &t.task))
        .cloned()
        .collect();
    let closable: Vec<tact_core::model::Task> = owed
        .iter()
        .filter(|t| tact_core::roles::may_close_task(&signed.actor, &t.task).is_ok())
        .cloned()
        .collect();
    let refused = or_page!(not_theirs(&state, &signed, &closable).await);
    let open_tasks = owed
        .iter()
        .map(|t| {
            let whose = match (t.task.assignee, t.task.role) {
                (Some(s), _) => name_of(s),
                (None, Some(role)) => role.one(),
                (None, None) => "anyone".to_string(),
            };
            let due = t.task.due_on.map_or_else(String::new, |d| {
                format!(", due {}", tact_core::check::long_date(d))
            });
            let said = format!("for {whose}{due} ({})", cited(&t.task.clause));
            // Linked where the reader holds it (as on their home page), or where it is done
            // on its own task page, which a manager overseeing it may close; a step someone
            // else holds is theirs to open from their list.
            let step = crate::ui_tasks::step_link(t);
            let own_page = step.is_none();
            if tact_core::roles::may_close_task(&signed.actor, &t.task).is_err() {
                return (None, t.task.title.clone(), said);
            }
            match refused.get(&t.id) {
                Some(why) => (
                    None,
                    t.task.title.clone(),
                    format!("{said}. Not for you: {why}."),
                ),
                None if own_page || tact_core::roles::holds_task(&signed.actor, &t.task) => (
                    Some(step.unwrap_or_else(|| format!("/tasks/{}", t.id))),
                    t.task.title.clone(),
                    said,
                ),
                None => (None, t.task.title.clone(), said),
            }
        })
        .collect();
    // Every adjustment asked for, with what became of it (CLE-8; NOR-1.4, 1.5).
    let all_adjustments = r
        .records
        .adjustments
        .iter()
        .map(|a| {
            let when = tact_core::check::long_day(a.requested_at);
            let line = match a.status {
                AdjustmentStatus::Requested => {
                    format!(
                        "{} — asked for on {when}, waiting for a decision",
                        a.description
                    )
                }
                s => format!(
                    "{} — {} on {}: {}",
                    a.description,
                    s.as_str(),
                    a.decided_at
                        .map_or_else(|| when.clone(), tact_core::check::long_day),
                    a.decision_reason.clone().unwrap_or_default()
                ),
            };
            // The decision for whoever may take it; once decided, the letter telling them,
            // as the API's `steps` offer both (NOR-1.5: in writing, with an explanation).
            let path = format!("/adjustments/{}", a.id);
            (open(path.clone(), "decision"), line, open(path, "letter"))
        })
        .collect();
    // Every dispute, with what became of it; the decision form is linked only for someone
    // who may decide it, as core's `dispute_refusal` says (NOR-7.1: who took no part).
    let disputes = r
        .disputes
        .iter()
        .map(|d| {
            let about = format!("{} {}", crate::ui_forms::capital(&p.terms.plan), d.plan_id);
            let line = format!("{about}: {}", dispute_line(p, d));
            let href = open(format!("/disputes/{}", d.id), "decision");
            (href, line)
        })
        .collect();
    let plans = r
        .plans
        .iter()
        .map(|s| {
            let mut lines: Vec<String> = s
                .restrictions
                .iter()
                .map(|x| {
                    format!(
                        "{} — {}",
                        crate::ui_forms::capital(&describe(&x.rule, &names)),
                        x.reason
                    )
                })
                .collect();
            lines.push(format!("Reasons: {}", s.reasons));
            lines.push(format!(
                "Review by {}",
                tact_core::check::long_date(s.review_due)
            ));
            if let Some(n) = &s.notice {
                lines.push(format!(
                    "Written notice sent {} {}",
                    tact_core::check::uk_time(n.sent_at).strftime("%-d %B %Y"),
                    n.channel.by()
                ));
            }
            if s.awaits_notice() {
                lines.push(if s.notice.is_some() {
                    "Written notice of the change not yet recorded: it takes effect when it is"
                        .into()
                } else {
                    "Written notice not yet recorded".into()
                });
            }
            PlanCard {
                id: s.id.0,
                title: format!(
                    "{} {} — {}",
                    crate::ui_forms::capital(p.terms.plan.as_str()),
                    s.id,
                    tact_core::check::standing(&state.app.profile, s, now)
                ),
                lines,
            }
        })
        .collect();
    let mut incidents: Vec<(String, Option<String>)> = r
        .records
        .incidents
        .iter()
        .map(|i| {
            (
                incident_line(p, i),
                open(format!("/incidents/{}", i.id), "letter"),
            )
        })
        .collect();
    incidents.extend(r.records.warnings.iter().map(|w| {
        (
            format!(
                "{}: warned — {}",
                tact_core::check::uk_time(w.given_at).strftime("%-d %b %Y"),
                w.what_is_wrong
            ),
            open(format!("/warnings/{}", w.id), "letter"),
        )
    }));
    // Each link is offered exactly when its form's command is: the same role check
    // (`command::offered`), so the page and the form cannot disagree.
    use cmd::offered;
    // One primary action (logging the contact in hand), the rest grouped by what they are
    // for (issue 13: ten equal grey buttons were hard to scan).
    let mut actions: Vec<(&str, String, String)> = Vec::new();
    for (group, may, href, label) in [
        (
            "Their behaviour",
            offered::<cmd::EndCall>(p, &signed.actor),
            "ended-call",
            "Log a call as ended".to_string(),
        ),
        (
            "Their behaviour",
            offered::<cmd::RecordIncident>(p, &signed.actor),
            "incident",
            "Record behaviour".to_string(),
        ),
        (
            "Their behaviour",
            offered::<cmd::GiveWarning>(p, &signed.actor),
            "warning",
            "Warn about their behaviour".to_string(),
        ),
        (
            "Their behaviour",
            offered::<cmd::DraftPlan>(p, &signed.actor),
            "plan",
            format!("Start a {}", p.terms.plan),
        ),
        (
            "Contact and matters",
            offered::<cmd::LogContact>(p, &signed.actor),
            "contact",
            "Log a contact".to_string(),
        ),
        (
            "Contact and matters",
            offered::<cmd::OpenMatter>(p, &signed.actor),
            "matter",
            "Open a matter".to_string(),
        ),
        (
            "Their needs",
            offered::<cmd::RecordAdditionalHelp>(p, &signed.actor),
            "additional-help",
            "Record whether they need additional help".to_string(),
        ),
        (
            "Their needs",
            offered::<cmd::RequestAdjustment>(p, &signed.actor),
            "adjustment",
            "Request a reasonable adjustment".to_string(),
        ),
        (
            "Their needs",
            offered::<cmd::RecordEquality>(p, &signed.actor),
            "equality",
            "Equality monitoring (with their consent)".to_string(),
        ),
        (
            "Their behaviour",
            offered::<cmd::RecordFurtherAction>(p, &signed.actor),
            "further-action",
            "Record further action".to_string(),
        ),
        (
            "Their record and data",
            offered::<cmd::RequestDisclosure>(p, &signed.actor),
            "share",
            "Ask to share details with a partner".to_string(),
        ),
        (
            "Their record and data",
            offered::<cmd::ReceiveRightsRequest>(p, &signed.actor),
            "data-rights",
            "Record a data-rights request".to_string(),
        ),
        (
            "Their record and data",
            offered::<cmd::UpdatePerson>(p, &signed.actor),
            "details",
            "Change their details (a new number, address or format)".to_string(),
        ),
        (
            "Their record and data",
            offered::<cmd::RectifyPerson>(p, &signed.actor),
            "rectify",
            "Correct details that were wrong (rectification)".to_string(),
        ),
        (
            "Their record and data",
            offered::<cmd::MergePeople>(p, &signed.actor),
            "merge",
            "Merge another record of this person into this one".to_string(),
        ),
        (
            "Their record and data",
            offered::<cmd::read::AccessLog>(p, &signed.actor),
            "access",
            "Who has opened this record".to_string(),
        ),
        (
            "Their record and data",
            offered::<cmd::RecordSubjectAccess>(p, &signed.actor),
            "export",
            "Download everything held (subject access)".to_string(),
        ),
        (
            "Their record and data",
            offered::<cmd::PlaceHold>(p, &signed.actor),
            "hold",
            "Place a legal hold".to_string(),
        ),
    ] {
        if may {
            actions.push((group, format!("/people/{id}/{href}"), label));
        }
    }
    // Whether answers are recorded, never what they are.
    if offered::<cmd::WithdrawEquality>(p, &signed.actor)
        && or_page!(crate::ui_forms::has_equality(&state, &signed, PersonId(id)).await)
    {
        actions.push((
            "Their needs",
            format!("/people/{id}/equality/withdraw"),
            "Delete their equality monitoring answers (consent withdrawn)".to_string(),
        ));
    }
    let primary = actions
        .iter()
        .position(|(_, href, _)| href.ends_with("/contact"))
        .map(|i| actions.remove(i))
        .map(|(_, href, label)| (href, label));
    let mut action_groups: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for (group, href, label) in actions {
        match action_groups.iter_mut().find(|(g, _)| g == group) {
            Some((_, list)) => list.push((href, label)),
            None => action_groups.push((group.to_string(), vec![(href, label)])),
        }
    }
    // The record of every decision about them, from the event log: who, when, what and why.
    // A history or an origin that cannot be read is the error page, never an empty list
    // that looks like nothing happened.
    let history = or_page!(
        crate::ui_step::read(
            &state,
            &signed,
            q::History {
                person: PersonId(id),
            },
        )
        .await
    )
    .into_iter()
    .rev()
    .map(|e| {
        let when = when(e.at);
        let who = e
            .actor
            .map_or_else(|| "Tact".to_string(), |a| name_of(StaffId(a)));
        // A matter by its reference, as the page lists it; a matter's new status said.
        let matter = e
            .subject
            .strip_prefix("matter:")
            .and_then(|m| r.records.matters.iter().find(|x| x.id.0.to_string() == m));
        let to = (e.action == tact_core::audit::AuditAction::MatterStatusChanged.as_str())
            .then(|| e.detail_value("status"))
            .flatten()
            .map(|s| format!(" to {}", s.replace('-', " ")))
            .unwrap_or_default();
        let what = format!(
            "{}{to}{}",
            e.action.replace(['.', '-'], " "),
            matter
                .map(|m| m.reference.clone())
                .or_else(|| subject_words(&p.terms.plan, &e.subject))
                .map(|s| format!(" ({s})"))
                .unwrap_or_default()
        );
        let why = format!(
            "{}{}",
            e.reason.unwrap_or_default(),
            e.clause
                .map(|c| format!(" [{}]", cited(&c)))
                .unwrap_or_default()
        );
        (when, who, what, why)
    })
    .collect::<Vec<_>>();
    let (history, history_pages) = history_page(history, q.history.unwrap_or(1));
    let disclosures = r
        .disclosures
        .iter()
        .map(|d| {
            let path = format!("/disclosures/{}", d.id);
            (
                open(path.clone(), "decision").or_else(|| open(path, "shared")),
                crate::ui_sharing::describe(d, &name_of),
            )
        })
        .collect();
    let rights = r
        .rights
        .iter()
        .map(|x| {
            // The answer form is the request's own page.
            (
                open(format!("/data-rights/{}", x.id), "answer")
                    .map(|_| format!("/data-rights/{}", x.id)),
                crate::ui_rights::describe(x),
            )
        })
        .collect();
    let messages = r
        .messages
        .iter()
        .take(100)
        .map(|m| {
            (
                m.id,
                when(m.received_at),
                if m.subject.is_empty() {
                    "(no subject)".to_string()
                } else {
                    m.subject.clone()
                },
                crate::ui_mail::route_words(m),
            )
        })
        .collect();
    let letters = r
        .letters
        .iter()
        .map(|l| (l.id, crate::ui_letters::describe(l)))
        .collect();
    let imported = imported_lines(
        or_page!(
            crate::ui_step::read(
                &state,
                &signed,
                q::ImportedFrom {
                    person: PersonId(id),
                },
            )
            .await
        ),
        &p.terms.plan,
    );
    let page = PersonPage {
        imported,
        letters,
        messages,
        all_adjustments,
        open_tasks,
        disputes,
        history,
        history_pages,
        primary,
        action_groups,
        disclosures,
        rights,
        hold: or_page!(
            crate::ui_step::read_if_allowed(
                &state,
                &signed,
                q::Hold {
                    person: PersonId(id),
                },
            )
            .await
        )
        .flatten()
        .map(|(h, why)| (h, why, id)),
        may_lift: cmd::offered::<cmd::LiftHold>(p, &signed.actor),
        retention: or_page!(
            crate::ui_step::read_if_allowed(
                &state,
                &signed,
                q::DisposalOf {
                    person: PersonId(id),
                },
            )
            .await
        )
        .map(|d| retention_line(&d, tact_core::check::uk_date(state.app.now()))),
        frame: Frame::of(&state, &signed),
        plan: &p.terms.plan,
        plan_plural: &p.terms.plan_plural,
        name: r.person.name.clone(),
        reference: r.person.reference.clone(),
        restrictions,
        not_binding,
        adjustments,
        phones: r
            .person
            .phones
            .iter()
            .map(tact_core::identity::PhoneNumber::for_people)
            .collect::<Vec<_>>()
            .join(", "),
        emails: r
            .person
            .emails
            .iter()
            .map(|x| x.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        address: r
            .person
            .postal_address
            .clone()
            .unwrap_or_else(|| "Not recorded".into()),
        language: r.person.preferred_language.clone(),
        advocate: r.person.advocate.as_ref().map(|a| {
            [
                Some(a.name.clone()),
                a.organisation.clone(),
                a.phone
                    .as_ref()
                    .map(tact_core::identity::PhoneNumber::for_people),
                a.email.as_ref().map(|e| e.as_str().to_string()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ")
        }),
        // As the person forms offer it: "Standard print", "Easy Read".
        format: crate::ui_forms::capital(tact_core::workflow::format_words(
            r.person.preferred_format,
        )),
        help: match &r.person.additional_help {
            None => "Not yet asked".into(),
            Some(h) if h.needs_help => format!(
                "Yes. In their words: \"{}\"",
                h.in_their_words.clone().unwrap_or_default()
            ),
            Some(_) => "Asked; they said they need none".into(),
        },
        matters: r
            .records
            .matters
            .iter()
            .map(|m| {
                (
                    format!(
                        "{} — {} ({}, {})",
                        m.reference,
                        m.title,
                        m.kind.as_str(),
                        m.status.as_str().replace('-', " ")
                    ),
                    cmd::offered::<cmd::SetMatterStatus>(p, &signed.actor)
                        .then(|| format!("/matters/{}/status", m.id)),
                )
            })
            .collect(),
        plans,
        incidents,
        contacts: r
            .contacts
            .iter()
            .take(50)
            .map(|c| {
                // Which way it went, and how long a call lasted (issue 13: long calls are
                // evidence); the matter it is about before what was said.
                let way = match c.direction {
                    tact_core::model::Direction::Inbound => "from them",
                    tact_core::model::Direction::Outbound => "to them",
                };
                let minutes = c.duration_seconds.map_or(String::new(), |s| {
                    let m = s.div_ceil(60);
                    format!(", {m} minute{}", if m == 1 { "" } else { "s" })
                });
                let about = c
                    .matter_id
                    .and_then(|m| r.records.matters.iter().find(|x| x.id == m))
                    .map_or(String::new(), |m| format!("{}: ", m.reference));
                (
                    when(c.at),
                    format!(
                        "{}, {way}{minutes}",
                        crate::ui_forms::capital(c.channel.plain())
                    ),
                    if c.breach_of.is_empty() {
                        format!("{about}{}", c.summary)
                    } else {
                        format!("{about}{} (breach)", c.summary)
                    },
                )
            })
            .collect(),
    };
    render(&page)
}

/// How a matter is named on every page and in every choice: its reference, then its title.
pub(crate) fn matter_label(m: &tact_core::model::Matter) -> String {
    format!("{} — {}", m.reference, m.title)
}

/// A matter as a choice in a form: its id, then its label.
pub(crate) fn matter_option(m: &tact_core::model::Matter) -> (String, String) {
    (m.id.0.to_string(), matter_label(m))
}

/// The matter `id` named from `matters` (the person's, as the reader may see them), or
/// "matter N" where it is not among them.
pub(crate) fn matter_named(
    matters: &[tact_core::model::Matter],
    id: tact_core::ids::MatterId,
) -> String {
    matters
        .iter()
        .find(|m| m.id == id)
        .map_or_else(|| format!("matter {id}"), matter_label)
}

/// A restriction in plain English, for staff: a single point of contact who has left is said
/// to have (CLE-9.9), as the contact check treats them.
pub(crate) fn describe(rule: &tact_core::model::Rule, names: &Names) -> String {
    use tact_core::model::Rule;
    match rule {
        Rule::CallWindow {
            windows,
            max_minutes,
            ..
        } => format!(
            "calls only {}{}",
            tact_core::check::describe_windows(windows),
            max_minutes
                .map(|m| format!(", up to {m} minutes"))
                .unwrap_or_default()
        ),
        Rule::SingleChannel { channel } => format!("contact {} only", channel.by()),
        Rule::SinglePointOfContact { staff_id } => format!(
            "{} deals with all their contact{}",
            names.name(*staff_id),
            if names.left(*staff_id) {
                ", but no longer works here: staff deal with it until another is named"
            } else {
                ""
            }
        ),
        Rule::RecordedCalls => "calls recorded or monitored".into(),
        Rule::DedicatedMailbox { address } => format!("email to {address} only"),
        Rule::BlockedIdentifier {
            identifier,
            acknowledge,
        } => format!(
            "{identifier} blocked{}",
            if *acknowledge {
                " (what arrives is acknowledged)"
            } else {
                ""
            }
        ),
        Rule::AdvocateOnly => "contact through their advocate only".into(),
        Rule::ReadAndFile { acknowledge } => format!(
            "correspondence read and filed{}; reply only to new information or a new complaint",
            if *acknowledge {
                " and acknowledged"
            } else {
                ""
            }
        ),
        Rule::NoReopening { matter_id, .. } => format!("matter {matter_id} will not be reopened"),
        Rule::NoRepeatComplaints { matter_id } => {
            format!("repeat complaints about matter {matter_id} are not recorded as new complaints")
        }
        Rule::Other { description } => description.clone(),
    }
}

#[cfg(test)]
mod date_tests {
    use super::with_dates;

    fn form(pairs: &[(&str, &str)]) -> std::collections::HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn issue_13_a_gov_uk_date_input_is_read_as_one_date() {
        let f = with_dates(form(&[
            ("review_due-day", "7"),
            ("review_due-month", "1"),
            ("review_due-year", "2027"),
            ("reasons", "x"),
        ]));
        assert_eq!(f["review_due"], "2027-01-07");
        assert_eq!(f["reasons"], "x");
        assert!(!f.contains_key("review_due-day"));
        let f = with_dates(form(&[
            ("ends_on-day", ""),
            ("ends_on-month", " "),
            ("ends_on-year", ""),
        ]));
        assert_eq!(f["ends_on"], "", "nothing typed is no answer");
        let f = with_dates(form(&[
            ("ends_on-day", "31"),
            ("ends_on-month", "2"),
            ("ends_on-year", "2027"),
        ]));
        assert!(
            f["ends_on"].parse::<jiff::civil::Date>().is_err(),
            "not a real date: {}",
            f["ends_on"]
        );
        let f = with_dates(form(&[
            ("ends_on-day", "x"),
            ("ends_on-month", "2"),
            ("ends_on-year", "27"),
        ]));
        assert_eq!(f["ends_on"], "27-2-x", "kept as typed, to be refused");
    }
}

#[cfg(test)]
mod retention_tests {
    use super::retention_line;
    use tact_core::retention::Disposal;

    #[test]
    fn nor_9_1_the_person_page_says_whether_their_records_are_due_will_be_or_are_kept() {
        let today = jiff::civil::date(2026, 12, 4);
        assert_eq!(
            retention_line(&Disposal::DueOn(jiff::civil::date(2025, 8, 31)), today),
            "Their records have been due for disposal since 31 August 2025."
        );
        assert_eq!(
            retention_line(&Disposal::DueOn(today), today),
            "Their records have been due for disposal since 4 December 2026."
        );
        assert_eq!(
            retention_line(&Disposal::DueOn(jiff::civil::date(2031, 1, 2)), today),
            "Their records fall due for disposal on 2 January 2031."
        );
        assert_eq!(
            retention_line(
                &Disposal::Kept("a data-rights request is open".into()),
                today
            ),
            "Their records are kept while a data-rights request is open."
        );
    }
}
