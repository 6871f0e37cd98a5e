//! How errors leave the API.
//!
//! Policy: every error is JSON, `{"error": {"message", "field", "clause"}}` (and
//! `overridden_by`, where a field sent says to go ahead anyway), with a 4xx
//! status for anything the caller can put right — 400 malformed input, 401 no or bad
//! token, 403 a role that may not, 404 an unknown id in the path (nothing at this
//! address), 422 an unknown id named in the body (`api::missing_is_unprocessable`), 409 a
//! step the policy or the record's state refuses (and a repeated submission), 413 a body
//! too large. A fault of ours is a 500 whose body says only that; its cause goes to the
//! log, never the client.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tact_app::AppError;
use tact_core::{RuleError, RuleErrorKind};
use tact_store::StoreError;

use crate::out::ErrorBody;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    /// What the caller is told: the answer's `error`, the API document's `ErrorBody`.
    pub body: ErrorBody,
    /// Seconds to wait before trying again, sent as `Retry-After` (a 429).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody {
                message: message.into(),
                field: None,
                clause: None,
                overridden_by: None,
            },
            retry_after: None,
        }
    }
    pub fn bad(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message).about(Some(field.to_string()))
    }

    /// The same refusal, about the request field `field` (none: the request as a whole).
    #[must_use]
    fn about(mut self, field: Option<String>) -> Self {
        self.body.field = field;
        self
    }
    /// The same refusal, naming `to` where it named `from`: where a request calls a field by
    /// another name than the step it is turned into (a call's `answered_by` is the contact's
    /// `staff_id`).
    #[must_use]
    pub fn renamed(mut self, from: &str, to: &str) -> Self {
        if self.body.field.as_deref() == Some(from) {
            self.body.field = Some(to.to_string());
        }
        self
    }
    /// 429: too many requests; the answer says when to try again (and `Retry-After`).
    pub fn too_many(wait: u64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!("too many requests: try again in {wait} seconds"),
        )
        .waiting(wait)
    }

    /// The same refusal, saying to wait `wait` seconds.
    #[must_use]
    pub fn waiting(mut self, wait: u64) -> Self {
        self.retry_after = Some(wait);
        self
    }
    pub fn unauthorised() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "send a valid API token: Authorization: Bearer <token>",
        )
    }
}

impl From<RuleError> for ApiError {
    fn from(e: RuleError) -> Self {
        let status = match e.kind {
            RuleErrorKind::Invalid => StatusCode::BAD_REQUEST,
            RuleErrorKind::Forbidden => StatusCode::FORBIDDEN,
            RuleErrorKind::Conflict => StatusCode::CONFLICT,
            RuleErrorKind::NotFound => StatusCode::NOT_FOUND,
        };
        Self {
            status,
            body: ErrorBody {
                message: e.message,
                field: e.field,
                clause: e.clause,
                overridden_by: e.overridden_by,
            },
            retry_after: None,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => Self::new(StatusCode::NOT_FOUND, m),
            StoreError::Conflict(m) => Self::new(StatusCode::CONFLICT, m),
            other if other.is_unavailable() => {
                tracing::error!(error = %other, "the database does not answer");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the database is not answering, so Tact cannot give a true answer now; nothing was changed — try again in a moment",
                )
            }
            other => {
                tracing::error!(error = %other, "store failure");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "something went wrong on our side; nothing was changed",
                )
            }
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Rule(r) => r.into(),
            AppError::Store(s) => s.into(),
            AppError::Mail(m) => Self::new(StatusCode::BAD_GATEWAY, m.to_string()),
            AppError::Unavailable(m) => {
                tracing::error!(error = %m, "a document could not be made");
                Self::new(StatusCode::SERVICE_UNAVAILABLE, m)
            }
            AppError::Busy {
                message,
                retry_after,
            } => Self::new(StatusCode::SERVICE_UNAVAILABLE, message).waiting(retry_after),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let status = match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _ => StatusCode::BAD_REQUEST,
        };
        let text = r.body_text();
        let field = json_field(&text);
        // What serde said, without axum's "Failed to deserialize the JSON body into the
        // target type: " before it.
        let said = text
            .split_once("target type: ")
            .map_or(text.as_str(), |(_, d)| d);
        Self::new(status, format!("the request body is not valid: {said}")).about(field)
    }
}

/// The field a JSON body's refusal is about, as a path into the body
/// (`ended_call.reason`, `restrictions[0].windows[0].start`), read from the deserialiser's
/// words: it puts the path first (`ended_call: missing field \`reason\``; an unknown
/// field's path ends with the field), and nothing where the fault is the whole body.
fn json_field(text: &str) -> Option<String> {
    let detail = text.split_once("target type: ").map(|(_, d)| d)?;
    let (path, rest) = match detail.split_once(": ") {
        Some((p, r)) if !p.is_empty() && !p.contains(' ') => (Some(p), r),
        _ => (None, detail),
    };
    let missing = rest
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next());
    match (path, missing) {
        (Some(p), Some(m)) => Some(format!("{p}.{m}")),
        (None, Some(m)) => Some(m.to_string()),
        (Some(p), None) => Some(p.to_string()),
        (None, None) => None,
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        let text = r.body_text();
        let said = text
            .strip_prefix("Failed to deserialize query string: ")
            .unwrap_or(&text);
        Self::new(
            StatusCode::BAD_REQUEST,
            format!("the query string is not valid: {said}"),
        )
        .about(text.split('`').nth(1).map(str::to_string))
    }
}

/// An id in the address that is not an id (`/people/abc`) names no record: 404, as the UI's
/// "Page not found" for the same address.
impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        // axum says which type it wanted ("Cannot parse `abc` to a `i64`"); a caller is
        // told what they sent and what an id is.
        let message = match r.body_text().split('`').nth(1) {
            Some(sent) => format!(
                "no such record: an id is a whole number, not {}",
                tact_core::error::shown(sent)
            ),
            None => "no such record: the address has no record's id where one goes".into(),
        };
        Self::new(StatusCode::NOT_FOUND, message).about(Some("id".into()))
    }
}

/// On a 404's response: the field that named the missing record, for
/// [`crate::api::missing_is_unprocessable`] to ask whether the request's body named it.
#[derive(Debug, Clone)]
pub(crate) struct MissingRecord(String);

impl MissingRecord {
    /// The field's first name ([`first_name`]).
    pub(crate) fn named(&self) -> &str {
        first_name(&self.0)
    }
}

/// The first name of a refusal's field, the one a body or a form sends: `incident_ids` for
/// `incident_ids[1]`, `overrides` for `overrides[0].adjustment_id`.
pub(crate) fn first_name(field: &str) -> &str {
    field.split(['.', '[']).next().unwrap_or(field)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = crate::out::ErrorOut { error: self.body };
        let missing = (self.status == StatusCode::NOT_FOUND)
            .then(|| body.error.field.clone())
            .flatten()
            .map(MissingRecord);
        let mut r = (self.status, axum::Json(body)).into_response();
        if let Some(m) = missing {
            r.extensions_mut().insert(m);
        }
        if let Some(wait) = self.retry_after {
            r.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, wait.into());
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::json_field;

    /// Issue 11: a refusal names the field at fault as a path into the body, at any depth.
    #[test]
    fn a_json_refusal_names_the_field_by_its_path_in_the_body() {
        let t = |d: &str| {
            json_field(&format!(
                "Failed to deserialize the JSON body into the target type: {d} at line 1 column 9"
            ))
        };
        assert_eq!(
            t("ended_call: missing field `reason`").as_deref(),
            Some("ended_call.reason")
        );
        assert_eq!(t("missing field `decision`").as_deref(), Some("decision"));
        assert_eq!(
            t("nickname: unknown field `nickname`, expected `name`").as_deref(),
            Some("nickname")
        );
        assert_eq!(
            t("advocate.fax: unknown field `fax`, expected `name`").as_deref(),
            Some("advocate.fax")
        );
        assert_eq!(
            t("restrictions[0].windows[0].start: invalid type: integer `9`, expected a string")
                .as_deref(),
            Some("restrictions[0].windows[0].start")
        );
        assert_eq!(t("invalid type: map, expected a sequence"), None);
        assert_eq!(json_field("Failed to parse the request body as JSON: EOF while parsing an object at line 1 column 1"), None);
    }
}
