//! What every response carries, and the limits every caller meets (issue 12).
//!
//! - Security headers on every response: a strict Content-Security-Policy with no inline
//!   script, `frame-ancestors 'none'` (and `X-Frame-Options` for older browsers), `nosniff`,
//!   a Referrer-Policy, HSTS when the request came over HTTPS, and `Cache-Control: no-store`
//!   on everything but the static assets, since pages and API answers carry personal data.
//! - A fault in Tact while answering (a handler that panics) is a 500 that says so — the
//!   API's error body, or the staff pages' problem page — never a dropped connection
//!   ([`faults_answered`]). A transaction it had begun is dropped with it, uncommitted.
//! - Every API refusal is JSON: the 405, 413, 429 and 431 that axum, hyper or the limiter
//!   would send empty or as text are given the API's error body, keeping their headers
//!   (`Allow`, `Retry-After`).
//! - Rate limits, with kept limiters (`tower_governor`, `governor`): API calls per token (per
//!   address without one), sign-in attempts per address, and wrong API tokens per address.
//!   Each answers 429 with `Retry-After`. The limiters live in each process's memory: a
//!   limit is per process, which a rate limit may be (it protects the process, and the
//!   account lockout, which does hold across processes, is in the database).

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, RETRY_AFTER,
    STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::{GovernorError, GovernorLayer};

/// The Content-Security-Policy of every response: only Tact's own scripts, styles, images
/// and forms; no inline script or style; never framed.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
                       img-src 'self' data:; font-src 'self' data:; connect-src 'self'; \
                       object-src 'none'; base-uri 'none'; form-action 'self'; \
                       frame-ancestors 'none'";

/// The most header bytes a request may send; more is 431 (as JSON on the API).
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// How much each caller may ask, from `[limits]` in `tact.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// API calls a second per token (or per address, without one), sustained.
    pub api_per_second: u32,
    /// API calls a token may make at once before the sustained rate applies.
    pub api_burst: u32,
    /// Sign-in attempts a minute from one address (the account lockout is per account).
    pub sign_in_per_minute: u32,
    /// API calls with a token that is wrong, expired or revoked, a minute per address.
    pub bad_tokens_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            api_per_second: 100,
            api_burst: 200,
            sign_in_per_minute: 30,
            bad_tokens_per_minute: 20,
        }
    }
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

/// The limiters a process keeps beside its routes.
pub struct Guards {
    pub limits: Limits,
    bad_tokens: DefaultKeyedRateLimiter<String>,
}

impl Guards {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            bad_tokens: DefaultKeyedRateLimiter::keyed(Quota::per_minute(nonzero(
                limits.bad_tokens_per_minute,
            ))),
        }
    }

    /// Counts a wrong token from `from`: the seconds to wait, once the address has sent too
    /// many.
    pub fn bad_token(&self, from: &str) -> Option<u64> {
        self.bad_tokens.check_key(&from.to_string()).err().map(|n| {
            n.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ))
            .as_secs()
            .max(1)
        })
    }
}

/// Where a request came from, for a limit: its peer address, or `local` for the CLI's
/// in-process calls (which have none).
pub fn address(extensions: &axum::http::Extensions) -> String {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "local".to_string(), |c| c.0.ip().to_string())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The key an API call is limited by: its token (hashed, so the limiter keeps no token), or
/// its address when it sends none.
#[derive(Debug, Clone, Copy)]
pub struct Caller;

impl KeyExtractor for Caller {
    type Key = u64;

    /// A 64-bit hash of the token (or of the address): cheap on every call, and the limiter
    /// keeps no token.
    fn extract<T>(&self, req: &axum::http::Request<T>) -> Result<u64, GovernorError> {
        use std::hash::{BuildHasher, Hash, Hasher};
        static SEED: std::sync::OnceLock<std::collections::hash_map::RandomState> =
            std::sync::OnceLock::new();
        let mut h = SEED.get_or_init(Default::default).build_hasher();
        match bearer(req.headers()) {
            Some(t) => ("token", t).hash(&mut h),
            None => ("address", address(req.extensions())).hash(&mut h),
        }
        Ok(h.finish())
    }
}

/// The key a sign-in is limited by: its address.
#[derive(Debug, Clone, Copy)]
pub struct Address;

impl KeyExtractor for Address {
    type Key = String;

    fn extract<T>(&self, req: &axum::http::Request<T>) -> Result<String, GovernorError> {
        Ok(address(req.extensions()))
    }
}

/// The seconds a limiter's refusal says to wait: a whole second or more.
fn wait_of(e: &GovernorError) -> u64 {
    match e {
        GovernorError::TooManyRequests { wait_time, .. } => (*wait_time).max(1),
        _ => 1,
    }
}

/// The limiter's refusal as the API's error: 429 with `Retry-After`.
fn too_many(e: GovernorError) -> Response {
    too_many_after(wait_of(&e))
}

/// 429 with `Retry-After: wait` and the API's error body.
pub fn too_many_after(wait: u64) -> Response {
    crate::error::ApiError::too_many(wait).into_response()
}

/// A limit keyed by `key`: one more request each `every`, `burst` at once (at least one),
/// on `methods` only where given.
fn quota<K: KeyExtractor>(
    key: K,
    every: std::time::Duration,
    burst: u32,
    methods: Option<Vec<axum::http::Method>>,
) -> Arc<tower_governor::governor::GovernorConfig<K, governor::middleware::NoOpMiddleware>> {
    let mut b = GovernorConfigBuilder::default();
    b.period(every).burst_size(burst.max(1));
    if let Some(m) = methods {
        b.methods(m);
    }
    Arc::new(
        b.key_extractor(key)
            .finish()
            .expect("a period and a burst above zero"),
    )
}

/// The per-caller limit on the API.
pub fn api_limit(
    limits: Limits,
) -> GovernorLayer<Caller, governor::middleware::NoOpMiddleware, Body> {
    let every = std::time::Duration::from_secs(1) / limits.api_per_second.max(1);
    GovernorLayer::new(quota(Caller, every, limits.api_burst, None)).error_handler(too_many)
}

/// The per-address limit on signing in (POST only: the page itself is not limited).
pub fn sign_in_limit(
    limits: Limits,
) -> GovernorLayer<Address, governor::middleware::NoOpMiddleware, Body> {
    let every = std::time::Duration::from_secs(60) / limits.sign_in_per_minute.max(1);
    let posts = Some(vec![axum::http::Method::POST]);
    let config = quota(Address, every, limits.sign_in_per_minute, posts);
    GovernorLayer::new(config).error_handler(|e| {
        let wait = wait_of(&e);
        let mut r = (
            StatusCode::TOO_MANY_REQUESTS,
            [(CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("There have been too many attempts to sign in from here. Try again in {wait} seconds."),
        )
            .into_response();
        r.headers_mut().insert(RETRY_AFTER, HeaderValue::from(wait));
        r
    })
}

pub(crate) fn over_https(headers: &HeaderMap) -> bool {
    let forwarded = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains("https"))
    };
    forwarded("x-forwarded-proto") || forwarded("forwarded")
}

/// The refusal an API client reads for a status that came without the API's body.
fn api_words(status: StatusCode) -> &'static str {
    match status {
        StatusCode::METHOD_NOT_ALLOWED => "this address does not take that method (see Allow)",
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is too large",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "the request's headers are too large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "send the body as application/json",
        StatusCode::NOT_FOUND => "no such address",
        StatusCode::TOO_MANY_REQUESTS => "too many requests",
        _ => "the request was refused",
    }
}

/// Answers a fault in Tact while answering (a panic in a handler) with a 500 that says so:
/// the API's JSON error, or the staff pages' problem page. Without this the connection was
/// dropped and a caseworker's browser showed its own error. The fault goes to the log.
pub async fn faults_answered(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    req: Request,
    next: Next,
) -> Response {
    use futures_util::FutureExt;
    let api = req.uri().path().starts_with("/api/");
    let what = format!("{} {}", req.method(), req.uri().path());
    match std::panic::AssertUnwindSafe(next.run(req))
        .catch_unwind()
        .await
    {
        Ok(answer) => answer,
        Err(_) => {
            tracing::error!(request = %what, "a fault in Tact while answering");
            const SAID: &str = "Tact failed while answering this (a fault in Tact, in its \
                                log). Try again later, and check whether it was done.";
            if api {
                crate::error::ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, SAID).into_response()
            } else {
                crate::ui::error_page(
                    &state,
                    None,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Sorry, there is a problem with the service",
                    SAID,
                )
            }
        }
    }
}

/// The middleware every response passes through.
pub async fn harden(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let https = over_https(req.headers());
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    let mut resp = if header_bytes > MAX_HEADER_BYTES {
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE.into_response()
    } else {
        next.run(req).await
    };
    let status = resp.status();
    let json = resp
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if api && (status.is_client_error() || status.is_server_error()) && !json {
        let mut answer = crate::error::ApiError::new(status, api_words(status)).into_response();
        for (name, value) in resp.headers() {
            if name != CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
                answer.headers_mut().insert(name.clone(), value.clone());
            }
        }
        resp = answer;
    }
    let h = resp.headers_mut();
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if https {
        h.insert(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !h.contains_key(CACHE_CONTROL) {
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}
