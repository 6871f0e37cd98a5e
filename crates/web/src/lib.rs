//! Tact's HTTP doors: the JSON API under `/api/v1`, its OpenAPI document at
//! `/api/openapi.json`, and `/healthz`. Handlers are thin: they parse, call one use case
//! of `tact-app`, and render. See `error.rs` for the error policy.

pub mod api;
pub mod error;
pub mod export;
pub mod harden;
pub mod monitor;
pub mod offer;
pub mod out;
pub mod sso;
pub mod ui;
pub mod ui_access;
pub mod ui_back;
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
use axum::routing::get;
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

/// What every request is served with. Axum clones it for each request (and each extractor
/// and layer that takes it), so it is one reference count: cloning the fields themselves —
/// the app's pools, caches and writers, the limiters — cost the contact check a measurable
/// share of its time at 64 connections (BENCHMARKS.md, issue 11).
#[derive(Clone)]
pub struct AppState(std::sync::Arc<Served>);

/// The state's fields, read through [`AppState`] (`state.app`, `state.guards`); set before
/// serving with [`AppState::settings`].
#[derive(Clone)]
pub struct Served {
    pub app: App,
    /// Mark session cookies `Secure` (sent over HTTPS only). On by default; off only for a
    /// local demo served over plain HTTP.
    pub secure_cookies: bool,
    /// The rate limits and the limiters that keep them ([`harden`]).
    pub guards: std::sync::Arc<harden::Guards>,
    /// Single sign-on through the office's OpenID provider, where `[sso]` sets it up.
    pub sso: Option<std::sync::Arc<sso::Sso>>,
    /// Whether outbound email goes anywhere: `[smtp]` in `tact.toml`. Without it, a letter
    /// by email waits in the queue, and its page says so (on unless the binary says not).
    pub mail_relay: bool,
}

impl std::ops::Deref for AppState {
    type Target = Served;
    fn deref(&self) -> &Served {
        &self.0
    }
}

impl AppState {
    pub fn new(app: App) -> Self {
        Self::limited(app, harden::Limits::default())
    }

    /// The state with the rate limits `limits` (from `[limits]` in `tact.toml`).
    pub fn limited(app: App, limits: harden::Limits) -> Self {
        Self(std::sync::Arc::new(Served {
            app,
            secure_cookies: true,
            guards: std::sync::Arc::new(harden::Guards::new(limits)),
            sso: None,
            mail_relay: true,
        }))
    }

    /// The settings, to change before serving (a copy of them where the state is already
    /// shared, so a server already answering keeps what it was started with).
    pub fn settings(&mut self) -> &mut Served {
        std::sync::Arc::make_mut(&mut self.0)
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

/// The document's own words; its paths come from the routes ([`api_v1`]), with the
/// schemas they name (a query parameter's list is named here: utoipa collects only a
/// body's).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tact API",
        description = "Managing service user contact fairly, safely and on the record. Authenticate with `Authorization: Bearer <token>`."
    ),
    components(schemas(
        out::RouteFormatWord,
        out::MessageRouteWord,
        out::ChannelWord,
        out::ExportKindWord
    ))
)]
struct ApiDoc;

/// The API's routes under `/api/v1`, each taken from its handler's `#[utoipa::path]`, and the
/// OpenAPI document of those same routes: an operation cannot be routed and undocumented,
/// or documented and not routed.
fn api_v1() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    use api::*;
    use utoipa_axum::{router::OpenApiRouter, routes};
    // One router of the handlers listed, `;` between paths and `,` between the methods of
    // one path (utoipa-axum's `routes!` takes the handlers of one path together).
    macro_rules! operations {
        ($($($handler:ident),+;)+) => {
            OpenApiRouter::new()$(.routes(routes!($($handler),+)))+
        };
    }
    let (plan, plan_doc) = operations!(
        get_plan; checklist; propose; authorise; refuse; withdraw; notice; review; vary;
        lift; apply_to_matter; decide_matter; raise_dispute; write_plan_letter;
    )
    .split_for_parts();
    let (v1, doc) = operations!(
        contact_check; route_call; call_outcome; set_extension; profile;
        create_person, search_people; get_person, update_person, change_person;
        rectify_person;
        additional_help;
        merge_people; open_matter; give_warning; draft_plan; request_adjustment;
        further_action; matter_status; log_contact; screen; screening_queue;
        record_incident; decide_dispute; decide_adjustment; my_tasks; complete_task;
        breach_reminder; request_disclosure; disclosure_log; person_access_log;
        receive_rights; open_rights; governance; answer_rights; decide_disclosure;
        record_shared; reviews; list_staff, create_staff; change_staff; issue_token;
        mint_token, list_tokens; revoke_token; create_service_account; audit_verify;
        write_adjustment_letter; write_warning_letter; write_call_ended_letter;
        person_letters; letters_in; get_letter, change_letter; letter_text; letter_html; letter_pdf;
        letter_docx; letter_braille; letter_audio; release_letter; letter_printed;
        list_messages; get_message; message_raw; message_attachment; mark_threatening;
        match_message; retention_due;
        retention_dispose; retention_register; retention_holds; person_retention; hold_on, place_hold; lift_hold;
        equality_held, record_equality, withdraw_equality; equality_report; export_records;
        subject_access;
    )
    .split_for_parts();
    // A plan's paths are `/plans/…`, the word the code and the UI use; `/strategies/…`, the
    // word of the first release, stays as an alias (not in the document) so existing
    // clients go on working.
    let plan = plan.method_not_allowed_fallback(method_not_allowed);
    let v1 = v1
        .route("/people/{id}/strategies", axum::routing::post(draft_plan))
        .nest("/plans", plan.clone())
        .nest("/strategies", plan)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    (v1, doc.nest("/plans", plan_doc))
}

/// The OpenAPI document: [`ApiDoc`]'s words, `/healthz`, `/readyz` and [`api_v1`]'s routes.
/// It is kept as the JSON it is served as: utoipa's own types would drop, on reading it back,
/// the JSON Schema words they have no field for (`out::deprecated_plan`'s `deprecated`).
fn document() -> &'static serde_json::Value {
    static DOC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        let (_, doc) = root_routes();
        let mut v = with_lengths(doc.nest("/api/v1", api_v1().1));
        kinds_described(&mut v);
        v
    })
}

/// The `kind` that tells one variant of a tagged schema from another (a restriction's
/// `call-window`, `single-channel`, …) described as its variant is: serde writes the tag,
/// and utoipa gives it no words of its own.
fn kinds_described(doc: &mut serde_json::Value) {
    use serde_json::Value;
    for schema in doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|s| s.values_mut())
    {
        for variant in schema
            .get_mut("oneOf")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            let said = variant
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string);
            let Some(kind) = variant.pointer_mut("/properties/kind") else {
                continue;
            };
            let one = match kind
                .get("enum")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
            {
                Some([Value::String(one)]) => one.clone(),
                _ => continue,
            };
            if kind.get("description").is_none() {
                kind["description"] = Value::from(match said {
                    Some(said) => format!("`{one}`: {said}"),
                    None => format!("`{one}`."),
                });
            }
        }
    }
}

/// `doc` with every string a request body may carry documented with the length core keeps
/// for its field (`error::longest`, which every door asks), and every text it must carry
/// as not blank: a client learns the limit from the document, not from a 400. Only what a
/// request body names, directly or through the schemas it names.
fn with_lengths(doc: utoipa::openapi::OpenApi) -> serde_json::Value {
    use serde_json::Value;
    /// Bounds the strings in `s`, the schema of the field `field`, and gathers the names
    /// of the schemas it names.
    fn bound(s: &mut Value, field: Option<&str>, named: &mut Vec<String>) {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            named.extend(r.rsplit('/').next().map(str::to_string));
            return;
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            for x in s
                .get_mut(key)
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                bound(x, field, named);
            }
        }
        if let Some(items) = s.get_mut("items") {
            bound(items, field, named);
        }
        for (k, x) in s
            .get_mut("properties")
            .and_then(Value::as_object_mut)
            .into_iter()
            .flatten()
        {
            bound(x, Some(k), named);
        }
        // A text a request must send is refused when it is empty or only spaces (core's
        // `error::require_text`, and each rule that reads a code or an id): said here as
        // at least one character that is not a space. Not a date or other format, and
        // not a choice of words, which say their own.
        let required: Vec<String> = s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str().map(str::to_string))
            .collect();
        for name in required {
            let Some(x) = s.get_mut("properties").and_then(|p| p.get_mut(&name)) else {
                continue;
            };
            let text = x.get("type").and_then(Value::as_str) == Some("string")
                && x.get("enum").is_none()
                && x.get("format").is_none();
            if text {
                x["minLength"] = Value::from(1);
                x["pattern"] = Value::from("\\S");
            }
        }
        let string = match s.get("type") {
            Some(Value::String(t)) => t == "string",
            Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
            _ => false,
        };
        if let (true, None, Some(f)) = (string, s.get("enum"), field) {
            let most = tact_core::error::longest(f);
            if most != usize::MAX {
                s["maxLength"] = Value::from(most);
            }
        }
    }
    // An OpenAPI value always serialises: every key is a string.
    let mut v = serde_json::to_value(&doc).unwrap_or_default();
    let mut named = Vec::new();
    for op in v["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|p| p.values_mut())
    {
        for o in op.as_object_mut().into_iter().flat_map(|o| o.values_mut()) {
            let content = o
                .pointer_mut("/requestBody/content")
                .and_then(Value::as_object_mut);
            for c in content.into_iter().flat_map(|c| c.values_mut()) {
                if let Some(s) = c.get_mut("schema") {
                    bound(s, None, &mut named);
                }
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    while let Some(name) = named.pop() {
        if seen.insert(name.clone()) {
            if let Some(s) = v.pointer_mut(&format!("/components/schemas/{name}")) {
                bound(s, None, &mut named);
            }
        }
    }
    v
}

/// `/healthz` and `/readyz`, from their `#[utoipa::path]`s, with the document's own words.
fn root_routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    use utoipa_axum::{router::OpenApiRouter, routes};
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(api::healthz))
        .routes(routes!(api::readyz))
        .split_for_parts()
}

async fn openapi() -> axum::Json<&'static serde_json::Value> {
    axum::Json(document())
}

/// The OpenAPI document as JSON, for `tact openapi` and CI's validator.
pub fn openapi_json() -> String {
    serde_json::to_string_pretty(document()).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let (v1, _) = api_v1();
    let (root, _) = root_routes();
    // For tests only (no binary enables `testing`): a page and an API path that fail inside
    // Tact, so that tests see what a fault while answering looks like at each door.
    #[cfg(feature = "testing")]
    let (v1, root) = {
        async fn fault() -> &'static str {
            panic!("a fault in Tact, for the test")
        }
        (
            v1.route("/testing/fault", get(fault)),
            root.route("/testing/fault", get(fault)),
        )
    };
    root.route("/metrics", get(monitor::metrics))
        .route("/api/openapi.json", get(openapi))
        .nest(
            "/api/v1",
            v1.layer(axum::middleware::from_fn(api::missing_is_unprocessable))
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
        .method_not_allowed_fallback(ui::method_not_taken)
        .fallback(ui::page_not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ui::said_once,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            harden::faults_answered,
        ))
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
