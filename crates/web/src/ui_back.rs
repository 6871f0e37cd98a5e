//! Back where they were: someone sent to sign in (a page opened once the session had ended,
//! or a form sent then, whose words the signed-out page shows back) goes on to that page
//! once signed in again, not to the home page, whichever way they sign in (a password, a
//! second factor, the office's sign-in service).
//!
//! The place is kept in a cookie for half an hour: only a path on this site (never another
//! site's address, never a sign-in page), checked again when it is read. Signing out
//! forgets it, so the next person at a shared desk starts at the home page. A button's
//! address (it takes a POST) opened as a page goes to the page the button is on
//! ([`button`]), so the way back after a button pressed once signed out is a page too.

use crate::AppState;
use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::RawPathParams;
use axum::handler::Handler;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{post, MethodRouter};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

const BACK_COOKIE: &str = "tact_back";
/// How long the place is kept: the time a sign-in takes, with a second factor and a
/// provider's own page, with room to spare.
const KEPT_SECONDS: i64 = 30 * 60;
/// The longest path kept (a search's query with it).
const LONGEST: usize = 2_000;

/// Whether `path` is a page on this site to go back to: a path (not `//host`, not a
/// backslash a browser reads as a slash), no control characters, not a sign-in page or the
/// session's own ping, and not the home page (where signing in goes anyway).
fn local(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && path.len() <= LONGEST
        && path != "/"
        && !["/sign-in", "/sign-out", "/session/", "/reset/"]
            .iter()
            .any(|p| path.starts_with(p))
}

fn cookie_of(state: &AppState, value: &str, age: i64) -> HeaderValue {
    // Lax, not Strict as the session's: the office's sign-in service returns to Tact from
    // its own site, and the way back must come with it.
    crate::ui::cookie_header(state, BACK_COOKIE, value, "/", "Lax", Some(age))
}

/// The cookie that keeps `path` (a path and query on this site) as the place to go back to
/// once signed in; `None` for a path not to go back to ([`local`]).
pub(crate) fn remember(state: &AppState, path: &str) -> Option<HeaderValue> {
    local(path).then(|| cookie_of(state, &URL_SAFE_NO_PAD.encode(path), KEPT_SECONDS))
}

/// The cookie that forgets the place (once gone back to, or on signing out).
pub(crate) fn forget(state: &AppState) -> HeaderValue {
    cookie_of(state, "", 0)
}

/// Where signing in goes: the place kept, where there is one and it is still a page on
/// this site; else the home page.
pub(crate) fn after_sign_in(headers: &HeaderMap) -> String {
    crate::ui::cookie(headers, BACK_COOKIE)
        .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .filter(|p| local(p))
        .unwrap_or_else(|| "/".into())
}

/// The redirect that ends a sign-in: to [`after_sign_in`], forgetting the place.
pub(crate) fn go_back(state: &AppState, headers: &HeaderMap) -> axum::response::Response {
    let mut r = Redirect::to(&after_sign_in(headers)).into_response();
    r.headers_mut()
        .append(axum::http::header::SET_COOKIE, forget(state));
    r
}

/// The way to sign in, keeping `page` to go back to: for a page opened once the session had
/// ended, and a form sent then whose page is not its address (a file sent from a letter's
/// page). Only a page on this site is kept ([`local`]).
pub(crate) fn sign_in_then(state: &AppState, page: &str) -> axum::response::Response {
    let mut r = Redirect::to("/sign-in").into_response();
    if let Some(c) = remember(state, page) {
        r.headers_mut().append(axum::http::header::SET_COOKIE, c);
    }
    r
}

/// A button's address: `handler` takes the POST its form sends; opened as a page (a
/// bookmark, the way back after signing in again, a reload) it goes to `page`, the page the
/// button is on, with the address's own values (`{id}`) put in.
pub(crate) fn button<H, T>(handler: H, page: &'static str) -> MethodRouter<AppState>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    post(handler).get(
        move |params: Result<RawPathParams, RawPathParamsRejection>| async move {
            let mut to = page.to_string();
            for (name, value) in params.iter().flat_map(|p| p.iter()) {
                to = to.replace(&format!("{{{name}}}"), value);
            }
            Redirect::to(&to)
        },
    )
}

/// Buttons on a router, one line each: `.button(path, handler, page)` is
/// `.route(path, button(handler, page))`.
pub(crate) trait Buttons {
    /// `handler` takes the POST of the button at `path`; opened as a page, the address goes
    /// to `page` ([`button`]).
    fn button<H, T>(self, path: &str, handler: H, page: &'static str) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static;
}

impl Buttons for axum::Router<AppState> {
    fn button<H, T>(self, path: &str, handler: H, page: &'static str) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.route(path, button(handler, page))
    }
}

#[cfg(test)]
mod tests {
    use super::local;

    #[test]
    fn only_a_page_on_this_site_is_gone_back_to() {
        assert!(local("/people/5"));
        assert!(local("/people?q=Smith%20J"));
        for p in [
            "",
            "/",
            "https://example.org/",
            "//example.org/x",
            "/\\example.org",
            "/people/5\n",
            "/sign-in",
            "/sign-in/code",
            "/sign-out",
            "/session/alive",
            "/reset/abc",
            "people/5",
        ] {
            assert!(!local(p), "{p:?}");
        }
        assert!(!local(&format!("/people?q={}", "x".repeat(2_000))));
    }
}
