//! Tact's HTTP doors: the JSON API under `/api/v1`, its OpenAPI document at
//! `/api/openapi.json`, and `/healthz`. Handlers are thin: they parse, call one use case
//! of `tact-app`, and render. See `error.rs` for the error policy.

pub mod api;
pub mod error;
pub mod export;
pub mod harden;
pub mod monitor;
pub mod out;
pub mod sso;
pub mod ui;
pub mod ui_access;
pub mod ui_evidence;
pub mod ui_forms;
pub mod ui_governance;
pub mod ui_import;
pub mod ui_letters;
pub mod ui_mail;
pub mod ui_records;
pub mod ui_reset;
pub mod ui_restrictions;
pub mod ui_retention;
pub mod ui_rights;
pub mod ui_sharing;
pub mod ui_step;
pub mod ui_tasks;
pub mod ui_tokens;
pub mod wire;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use tact_app::App;
use tact_core::roles::Actor;
use utoipa::OpenApi;

/// Percent-encodes `s` for a URL's query (RFC 3986 unreserved characters pass as they are).
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The largest request body accepted: a contact body is at most 512 KiB of text.
pub const MAX_BODY: usize = 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    /// Mark session cookies `Secure` (sent over HTTPS only). On by default; off only for a
    /// local demo served over plain HTTP.
    pub secure_cookies: bool,
    /// The rate limits and the limiters that keep them ([`harden`]).
    pub guards: std::sync::Arc<harden::Guards>,
    /// Single sign-on through the office's OpenID provider, where `[sso]` sets it up.
    pub sso: Option<std::sync::Arc<sso::Sso>>,
}

impl AppState {
    pub fn new(app: App) -> Self {
        Self::limited(app, harden::Limits::default())
    }

    /// The state with the rate limits `limits` (from `[limits]` in `tact.toml`).
    pub fn limited(app: App, limits: harden::Limits) -> Self {
        Self {
            app,
            secure_cookies: true,
            guards: std::sync::Arc::new(harden::Guards::new(limits)),
            sso: None,
        }
    }

    /// The member of staff for `token`, from the app's token cache (kept true by the
    /// change feed, within its bound) so the contact check does not pay a database round
    /// trip per request.
    ///
    /// # Errors
    /// The store's error.
    pub async fn actor_for_token(&self, token: &str) -> Result<Option<Actor>, error::ApiError> {
        Ok(self.app.actor_for_token(token).await?)
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tact API",
        description = "Managing service user contact fairly, safely and on the record. Authenticate with `Authorization: Bearer <token>`."
    ),
    paths(
        api::healthz,
        api::readyz,
        api::contact_check,
        api::route_call,
        api::call_outcome,
        api::set_extension,
        api::profile,
        api::create_person,
        api::search_people,
        api::get_person,
        api::update_person,
        api::additional_help,
        api::merge_people,
        api::open_matter,
        api::matter_status,
        api::log_contact,
        api::screening_queue,
        api::screen,
        api::record_incident,
        api::give_warning,
        api::draft_plan,
        api::get_plan,
        api::checklist,
        api::propose,
        api::authorise,
        api::refuse,
        api::withdraw,
        api::notice,
        api::review,
        api::vary,
        api::lift,
        api::apply_to_matter,
        api::decide_matter,
        api::raise_dispute,
        api::decide_dispute,
        api::request_adjustment,
        api::decide_adjustment,
        api::further_action,
        api::request_disclosure,
        api::decide_disclosure,
        api::record_shared,
        api::disclosure_log,
        api::person_access_log,
        api::receive_rights,
        api::answer_rights,
        api::open_rights,
        api::governance,
        api::breach_reminder,
        api::my_tasks,
        api::complete_task,
        api::reviews,
        api::list_staff,
        api::create_staff,
        api::change_staff,
        api::issue_token,
        api::audit_verify,
        api::mint_token,
        api::list_tokens,
        api::revoke_token,
        api::create_service_account,
        api::write_plan_letter,
        api::write_adjustment_letter,
        api::write_warning_letter,
        api::write_call_ended_letter,
        api::person_letters,
        api::get_letter,
        api::letter_text,
        api::letter_html,
        api::letter_pdf,
        api::letter_docx,
        api::letter_braille,
        api::letter_audio,
        api::change_letter,
        api::release_letter,
        api::letter_printed,
        api::list_messages,
        api::get_message,
        api::message_raw,
        api::message_attachment,
        api::retention_due,
        api::subject_access,
    )
)]
pub struct ApiDoc;

async fn openapi() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}

/// The OpenAPI document as JSON, for `tact openapi` and CI's validator.
pub fn openapi_json() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// A plan's API paths under `/{word}` (one lifecycle step a path), and a person's plans
/// under `/people/{id}/{word}`.
fn plan_routes(word: &str) -> Router<AppState> {
    use api::*;
    let steps: [(&str, axum::routing::MethodRouter<AppState>); 13] = [
        ("checklist", post(checklist)),
        ("propose", post(propose)),
        ("authorise", post(authorise)),
        ("refuse", post(refuse)),
        ("withdraw", post(withdraw)),
        ("notice", post(notice)),
        ("review", post(review)),
        ("vary", post(vary)),
        ("lift", post(lift)),
        ("apply-to-matter", post(apply_to_matter)),
        ("decide-matter", post(decide_matter)),
        ("disputes", post(raise_dispute)),
        ("letters", post(write_plan_letter)),
    ];
    steps.into_iter().fold(
        Router::new()
            .route(&format!("/people/{{id}}/{word}"), post(draft_plan))
            .route(&format!("/{word}/{{id}}"), get(get_plan)),
        |r, (step, handler)| r.route(&format!("/{word}/{{id}}/{step}"), handler),
    )
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    use api::*;
    let v1 = Router::new()
        .route("/contact-check", get(contact_check))
        .route("/calls/route", get(route_call))
        .route("/calls/{call_id}/outcome", post(call_outcome))
        .route("/staff/{id}/extension", axum::routing::put(set_extension))
        .route("/profile", get(profile))
        .route("/people", post(create_person).get(search_people))
        .route("/people/{id}", get(get_person).put(update_person))
        .route("/people/{id}/additional-help", post(additional_help))
        .route("/people/{id}/merge", post(merge_people))
        .route("/people/{id}/matters", post(open_matter))
        .route("/people/{id}/warnings", post(give_warning))
        .route("/people/{id}/adjustments", post(request_adjustment))
        .route("/people/{id}/further-actions", post(further_action))
        .route("/matters/{id}/status", post(matter_status))
        .route("/contacts", post(log_contact))
        .route("/contacts/{id}/screen", post(screen))
        .route("/screening", get(screening_queue))
        .route("/incidents", post(record_incident))
        .route("/disputes/{id}/decision", post(decide_dispute))
        .route("/adjustments/{id}/decision", post(decide_adjustment))
        .route("/tasks", get(my_tasks))
        .route("/tasks/{id}/complete", post(complete_task))
        .route("/tasks/{id}/breach-reminder", post(breach_reminder))
        .route("/people/{id}/disclosures", post(request_disclosure))
        .route("/disclosures", get(disclosure_log))
        .route("/people/{id}/access-log", get(person_access_log))
        .route("/people/{id}/data-rights", post(receive_rights))
        .route("/data-rights", get(open_rights))
        .route("/governance", get(governance))
        .route("/data-rights/{id}/answer", post(answer_rights))
        .route("/disclosures/{id}/decision", post(decide_disclosure))
        .route("/disclosures/{id}/shared", post(record_shared))
        .route("/reviews", get(reviews))
        .route("/staff", get(list_staff).post(create_staff))
        .route("/staff/{id}", post(change_staff))
        .route("/staff/{id}/tokens", post(issue_token))
        .route("/tokens", post(mint_token).get(list_tokens))
        .route("/tokens/{id}", axum::routing::delete(revoke_token))
        .route("/service-accounts", post(create_service_account))
        .route("/audit/verify", get(audit_verify))
        .route("/adjustments/{id}/letter", post(write_adjustment_letter))
        .route("/warnings/{id}/letter", post(write_warning_letter))
        .route("/incidents/{id}/letter", post(write_call_ended_letter))
        .route("/people/{id}/letters", get(person_letters))
        .route("/letters/{id}", get(get_letter).put(change_letter))
        .route("/letters/{id}/text", get(letter_text))
        .route("/letters/{id}/html", get(letter_html))
        .route("/letters/{id}/pdf", get(letter_pdf))
        .route("/letters/{id}/docx", get(letter_docx))
        .route("/letters/{id}/braille", get(letter_braille))
        .route("/letters/{id}/audio", get(letter_audio))
        .route("/letters/{id}/release", post(release_letter))
        .route("/letters/{id}/printed", post(letter_printed))
        .route("/messages", get(list_messages))
        .route("/messages/{id}", get(get_message))
        .route("/messages/{id}/raw", get(message_raw))
        .route("/messages/{id}/attachments/{n}", get(message_attachment))
        .route("/retention/due", get(retention_due))
        .route("/people/{id}/subject-access", get(subject_access))
        .fallback(not_found);
    // A plan's paths are `/plans/…`, the word the code and the UI use; `/strategies/…`, the
    // word of the first release, stays as an alias so existing clients go on working.
    let v1 = ["plans", "strategies"]
        .into_iter()
        .fold(v1, |r, word| r.merge(plan_routes(word)));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(monitor::metrics))
        .route("/api/openapi.json", get(openapi))
        .nest(
            "/api/v1",
            v1.method_not_allowed_fallback(api::method_not_allowed)
                .layer(harden::api_limit(state.guards.limits)),
        )
        .merge(
            ui::routes()
                .merge(ui_access::routes())
                .layer(harden::sign_in_limit(state.guards.limits)),
        )
        .merge(ui_forms::routes())
        .merge(ui_forms::admin_routes())
        .merge(ui_forms::more_routes())
        .merge(ui_forms::vary_routes())
        .merge(ui_tasks::routes())
        .merge(ui_sharing::routes())
        .merge(ui_rights::routes())
        .merge(ui_governance::routes())
        .merge(ui_import::routes())
        .merge(ui_retention::routes())
        .merge(ui_records::routes())
        .merge(ui_mail::routes())
        .merge(ui_letters::routes())
        .merge(ui_tokens::routes())
        .merge(ui_reset::routes())
        .fallback(ui::page_not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn(harden::harden))
        .layer(axum::middleware::from_fn(monitor::observe))
        .with_state(state)
}

/// An API client for tests (the `testing` feature): calls `/api/v1{path}` on a server with
/// a token, giving the status and the JSON answer (`null` when there is none).
#[cfg(feature = "testing")]
#[derive(Clone)]
pub struct TestClient {
    pub base: String,
    pub http: reqwest::Client,
}

#[cfg(feature = "testing")]
impl TestClient {
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            base: base.into(),
            http: reqwest::Client::new(),
        }
    }

    /// [`TestClient::call`] without an idempotency key.
    ///
    /// # Panics
    /// When the server cannot be reached.
    pub async fn ask(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        self.call(method, token, path, body, None).await
    }

    /// A POST that must succeed: its answer.
    ///
    /// # Panics
    /// When the server cannot be reached or refuses.
    pub async fn posted(
        &self,
        token: &str,
        path: &str,
        body: serde_json::Value,
    ) -> serde_json::Value {
        let (status, v) = self
            .ask(reqwest::Method::POST, token, path, Some(body))
            .await;
        assert!((200..300).contains(&status), "POST {path}: {status} {v}");
        v
    }

    /// A new person (`person`, as the API takes them) and a complaint about the handling of
    /// a burglary report, both recorded by `cw`: their ids.
    ///
    /// # Panics
    /// As [`TestClient::posted`].
    pub async fn person_with_matter(&self, cw: &str, person: serde_json::Value) -> (i64, i64) {
        let p = self.posted(cw, "/people", person).await;
        let pid = p["id"].as_i64().expect("the person's id");
        let matter =
            serde_json::json!({"kind": "complaint", "title": "Handling of a burglary report"});
        let m = self
            .posted(cw, &format!("/people/{pid}/matters"), matter)
            .await;
        (pid, m["id"].as_i64().expect("the matter's id"))
    }

    /// A draft plan's checklist answered by `lm` with no shortfall (the questions from
    /// `/profile`), then proposed by them.
    ///
    /// # Panics
    /// As [`TestClient::posted`].
    pub async fn answer_and_propose(&self, lm: &str, plan: i64) {
        let profile = self.ask(reqwest::Method::GET, lm, "/profile", None).await.1;
        let answers: Vec<serde_json::Value> = profile["checklist"]["questions"]
            .as_array()
            .expect("the profile's checklist")
            .iter()
            .map(|q| {
                let answer = if q["shortfall_if"] == "no" { "yes" } else { "no" };
                serde_json::json!({"question_id": q["id"], "answer": answer, "reason": "Checked the file"})
            })
            .collect();
        let answers = serde_json::json!({ "answers": answers });
        self.posted(lm, &format!("/plans/{plan}/checklist"), answers)
            .await;
        self.posted(lm, &format!("/plans/{plan}/propose"), serde_json::json!({}))
            .await;
    }

    /// A draft plan taken into force as users would: checklist and proposal by `lm`
    /// ([`TestClient::answer_and_propose`]), authorised by `sm`, and the written notice
    /// recorded by `lm` (until then it restricts nothing, CLE-9.6). The authorisation's
    /// answer.
    ///
    /// # Panics
    /// As [`TestClient::posted`].
    pub async fn into_force(&self, lm: &str, sm: &str, plan: i64) -> serde_json::Value {
        self.answer_and_propose(lm, plan).await;
        let reason = serde_json::json!({"reason": "Proportionate"});
        let authorised = self
            .posted(sm, &format!("/plans/{plan}/authorise"), reason)
            .await;
        let notice = serde_json::json!({"channel": "letter", "agreement_sought": true, "agreement_given": false, "policy_enclosed": true});
        self.posted(lm, &format!("/plans/{plan}/notice"), notice)
            .await;
        authorised
    }

    /// # Panics
    /// When the server cannot be reached.
    pub async fn call(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Option<serde_json::Value>,
        key: Option<&str>,
    ) -> (u16, serde_json::Value) {
        let mut rb = self
            .http
            .request(method, format!("{}/api/v1{path}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        if let Some(k) = key {
            rb = rb.header("Idempotency-Key", k);
        }
        let r = rb.send().await.expect("the server answers");
        let status = r.status().as_u16();
        let text = r.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }
}

/// Serves `app` on a free loopback port in the background and answers its base URL: for
/// tests (the `testing` feature).
#[cfg(feature = "testing")]
pub async fn serve_on_loopback(app: tact_app::App) -> String {
    serve_state_on_loopback(AppState::new(app)).await
}

/// The same, with the state given (rate limits of a test's own, say).
#[cfg(feature = "testing")]
pub async fn serve_state_on_loopback(state: AppState) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let base = format!("http://{}", listener.local_addr().expect("its address"));
    tokio::spawn(async move {
        serve(listener, state, std::future::pending())
            .await
            .expect("serve")
    });
    base
}

/// Serves until `shutdown` completes, then finishes requests in flight.
///
/// # Errors
/// The listener's error.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer's address reaches the handlers, for the per-address limits.
    let service = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await
}
