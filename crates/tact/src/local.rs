//! Runs an API request in-process, as a named member of staff, through the same router
//! the server uses: the CLI and the API cannot drift apart.

use anyhow::Result;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::Value;
use tact_core::roles::Actor;
use tact_web::api::LocalActor;
use tact_web::AppState;
use tower::ServiceExt;

pub struct Reply {
    pub status: StatusCode,
    /// The answer as JSON; text that is not JSON as a JSON string.
    pub body: Value,
    /// The answer as it came (a PDF, a message as received), and what it is.
    pub bytes: Vec<u8>,
    pub content_type: String,
}

/// # Errors
/// Only if the router itself fails; API refusals come back as a [`Reply`] with a 4xx.
pub async fn call(
    state: &AppState,
    actor: &Actor,
    method: Method,
    path: &str,
    body: Option<Value>,
    key: Option<&str>,
) -> Result<Reply> {
    let uri = api_uri(path);
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json");
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    let mut req = req.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))?;
    req.extensions_mut().insert(LocalActor(actor.clone()));
    let resp = tact_web::router(state.clone()).oneshot(req).await?;
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes = axum::body::to_bytes(resp.into_body(), 64 * 1024 * 1024).await?;
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Ok(Reply {
        status,
        body,
        bytes: bytes.to_vec(),
        content_type,
    })
}

/// The address `tact api` asks for `path`: a path under `/api/v1` as the API document names
/// it (`/people/12`), written with or without its first slash, or the whole address as a
/// browser shows it (`/api/v1/people/12`).
fn api_uri(path: &str) -> String {
    let path = path.trim();
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    if path.starts_with("/api/") || path == "/healthz" {
        path
    } else {
        format!("/api/v1{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::api_uri;

    #[test]
    fn a_path_is_read_with_or_without_its_first_slash_or_api_prefix() {
        for given in [
            "/people/12",
            "people/12",
            " /people/12 ",
            "/api/v1/people/12",
            "api/v1/people/12",
        ] {
            assert_eq!(api_uri(given), "/api/v1/people/12", "{given:?}");
        }
        assert_eq!(api_uri("healthz"), "/healthz");
        assert_eq!(api_uri("/people?q=Sam"), "/api/v1/people?q=Sam");
    }
}
