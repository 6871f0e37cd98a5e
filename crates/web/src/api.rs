//! The JSON API handlers. Each parses its input into domain values, calls one use case
//! of `tact-app`, and renders the result. No rule of the policy is decided here.
//!
//! Each handler's `#[utoipa::path]` is the one place its method and path are written: the
//! router routes it from there (`utoipa_axum::routes!`, in `lib.rs`) and the OpenAPI
//! document describes it from there. Paths are under `/api/v1`; a plan's steps under
//! `/api/v1/plans` (the paths below start at the plan's `/{id}`).

use crate::error::ApiError;
use crate::out::Wire;
use crate::wire::{self, *};
use crate::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tact_app::query as q;
use tact_core::command as cmd;
use tact_core::correspondence::{LetterAbout, LetterChange};

use tact_app::Ctx;
use tact_core::identity::{read_caller, EmailAddress, Identifier};
use tact_core::ids::*;
use tact_core::model::*;
use tact_core::profile::{Answer, Channel};
use tact_core::roles::Role;
use tact_core::workflow as wf;

/// A JSON body whose rejections are JSON errors too, and whose text is text Tact can keep
/// (core's `error::plain_text`, asked of every string in it, named by its path).
pub struct ApiJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned + serde::Serialize,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        // Every body Tact takes is a JSON object. serde would also read a struct from an
        // array of its fields in order (`[null, null]` as "change nothing"), which the
        // document does not allow and nobody means: refused before it is read.
        let named = req.extensions().get::<NamedInRequest>().cloned();
        let axum::Json(raw) =
            axum::Json::<Box<serde_json::value::RawValue>>::from_request(req, state).await?;
        if !raw.get().trim_start().starts_with('{') {
            return Err(ApiError::from(tact_core::RuleError::invalid(
                "body",
                "the request body must be a JSON object, as the API's document gives it",
            )));
        }
        let sent = serde_json::from_str::<serde_json::Value>(raw.get()).ok();
        if let (Some(named), Some(serde_json::Value::Object(fields))) = (named, &sent) {
            named.set(fields.keys().cloned().collect());
        }
        let axum::Json(v) = axum::Json::<T>::from_bytes(raw.get().as_bytes())?;
        if let Ok(value) = serde_json::to_value(&v) {
            plain_strings(&value, "")?;
            // The same within: an object (a restriction, an override) sent as an array.
            if let Some(sent) = &sent {
                if let Some(at) = array_for_object(sent, &value, "") {
                    return Err(ApiError::from(tact_core::RuleError::invalid(
                        &at,
                        "must be a JSON object, as the API's document gives it",
                    )));
                }
            }
        }
        Ok(Self(v))
    }
}

/// The names a request's JSON body gave, set once [`ApiJson`] has read it (its top-level
/// fields). [`missing_is_unprocessable`] puts one on every API request.
#[derive(Clone, Default)]
pub(crate) struct NamedInRequest(std::sync::Arc<std::sync::OnceLock<Vec<String>>>);

impl NamedInRequest {
    /// Once a request: a body is read once.
    fn set(&self, names: Vec<String>) {
        let _ = self.0.set(names);
    }
    fn has(&self, name: &str) -> bool {
        self.0
            .get()
            .is_some_and(|all| all.iter().any(|n| n == name))
    }
}

/// A 404 is "nothing at this address": the record the path names is not there. A record the
/// request names in its body (`{"merge": 99}`) or its query (the contact check's `matter`)
/// that is not there is the request's fault, not the address's: 422 with the same message and
/// field, so a client can tell "this person is gone" from "the person you named is not".
/// Decided from the refusal's field ([`crate::error::MissingRecord`]): a field the body or the
/// query gave is one the request named. (A filter answers for any id: `/tokens?staff=` lists
/// none, not a refusal.) The UI's forms answer the same (`ui_forms::show`).
pub(crate) async fn missing_is_unprocessable(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let named = NamedInRequest::default();
    req.extensions_mut().insert(named.clone());
    let in_query: Vec<String> =
        axum::extract::Query::<Vec<(String, String)>>::try_from_uri(req.uri())
            .map(|q| q.0.into_iter().map(|(k, _)| k).collect())
            .unwrap_or_default();
    let mut answer = next.run(req).await;
    // Only a 404 carries a `MissingRecord`.
    let named_by_request = answer
        .extensions()
        .get::<crate::error::MissingRecord>()
        .is_some_and(|m| named.has(m.named()) || in_query.iter().any(|k| k == m.named()));
    if named_by_request {
        *answer.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    answer
}

/// Where `sent` has an array and what was read from it (`read`, serialised again) is an
/// object: the path of the first such place.
fn array_for_object(
    sent: &serde_json::Value,
    read: &serde_json::Value,
    path: &str,
) -> Option<String> {
    use serde_json::Value::{Array, Object};
    let at = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (sent, read) {
        (Array(_), Object(_)) => Some(path.to_string()),
        (Array(s), Array(r)) => s
            .iter()
            .zip(r)
            .enumerate()
            .find_map(|(i, (s, r))| array_for_object(s, r, &format!("{path}[{i}]"))),
        (Object(s), Object(r)) => s
            .iter()
            .find_map(|(k, s)| r.get(k).and_then(|r| array_for_object(s, r, &at(k)))),
        _ => None,
    }
}

/// Asks core's `kept_text` of every string in `v` (no control characters, no longer than
/// its field may hold), naming each by its path in the body.
fn plain_strings(v: &serde_json::Value, path: &str) -> Result<(), tact_core::RuleError> {
    match v {
        serde_json::Value::String(s) => tact_core::error::kept_text(path, s),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, x)| plain_strings(x, &format!("{path}[{i}]"))),
        serde_json::Value::Object(fields) => fields.iter().try_for_each(|(k, x)| {
            let at = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            plain_strings(x, &at)
        }),
        _ => Ok(()),
    }
}

/// A query string whose rejections are JSON errors too, and whose values are text Tact can
/// keep (core's `error::plain_text`: `?q=%00` reached PostgreSQL, which cannot hold it).
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Query(v) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        plain_query(&parts.uri)?;
        Ok(Self(v))
    }
}

/// Asks core's `plain_text` of every value in `uri`'s query, naming each by its key.
pub(crate) fn plain_query(uri: &axum::http::Uri) -> Result<(), tact_core::RuleError> {
    match axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri) {
        Ok(axum::extract::Query(pairs)) => pairs
            .iter()
            .try_for_each(|(k, v)| tact_core::error::plain_text(k, v)),
        Err(_) => Ok(()),
    }
}

/// The query of an address that takes none: a parameter given there is refused (400,
/// naming it), as on the addresses that take some, rather than silently ignored.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoQuery {}

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// The member of staff a local (in-process) request acts as.
#[derive(Clone)]
pub struct LocalActor(pub tact_core::roles::Actor);

/// The authenticated member of staff, already allowed to take commands of kind `K` (core's
/// `command::permit_kind`). A handler takes it before its body, so a role that may not is
/// refused (403, naming who may) before what it sent is read — as the UI refuses a role
/// before it reads a form.
pub struct Permitted<K>(pub Ctx, std::marker::PhantomData<K>);

impl<K: cmd::Fixed + Send + Sync> FromRequestParts<AppState> for Permitted<K> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Auth(ctx) = Auth::from_request_parts(parts, state).await?;
        cmd::permit_kind::<K>(&state.app.profile, &ctx.actor)?;
        Ok(Self(ctx, std::marker::PhantomData))
    }
}

/// The authenticated member of staff, and the request's Idempotency-Key if sent.
pub struct Auth(pub Ctx);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // The CLI calls the router in-process as a named member of staff; an extension
        // cannot be set from the wire, so HTTP callers always need a token.
        let actor = if let Some(LocalActor(a)) = parts.extensions.get::<LocalActor>() {
            a.clone()
        } else {
            let header = parts
                .headers
                .get(axum::http::header::AUTHORIZATION)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("");
            let token = header.strip_prefix("Bearer ").map(str::trim);
            let actor = match token {
                Some(t) => state.actor_for_token(t).await?,
                None => None,
            };
            match actor {
                Some(a) => a,
                None => {
                    // Guessing tokens is limited per address.
                    let from = crate::harden::address(&parts.extensions);
                    if let Some(wait) = state.guards.bad_token(&from) {
                        return Err(ApiError::too_many(wait));
                    }
                    return Err(ApiError::unauthorised());
                }
            }
        };
        let key = match parts.headers.get("idempotency-key") {
            None => None,
            Some(v) => {
                let k = v.to_str().map_err(|_| {
                    ApiError::bad(
                        "Idempotency-Key",
                        "the Idempotency-Key header must be plain text",
                    )
                })?;
                if k.is_empty() || k.len() > 200 {
                    return Err(ApiError::bad(
                        "Idempotency-Key",
                        "the Idempotency-Key header must be 1 to 200 characters",
                    ));
                }
                Some(k.to_string())
            }
        };
        let mut ctx = Ctx::new(actor);
        ctx.key = key;
        Ok(Auth(ctx))
    }
}

type Reply = Result<Response, ApiError>;

/// What every refusal is, as the document says it.
const ERR: &str = "Refused: bad input (400), no token (401), a role that may not (403), no such record (404), a rule or a change meanwhile (409), naming the field and the clause";
/// A letter's document could not be made on this server (a program it runs is missing).
const UNMADE: &str = "The document could not be made here: what makes it (the PDF or Word writer, or the programs liblouis, eSpeak NG and LAME) failed or is missing, or every turn to make a document stayed taken for as long as a request waits (then with Retry-After); nothing was changed";

fn ok(v: impl serde::Serialize) -> Reply {
    Ok((StatusCode::OK, axum::Json(v)).into_response())
}

/// Logs a contact through the one command, answering with it, the verdict it was logged
/// under and the tasks it raised (the contacts API and a phone system's call report).
async fn log(st: &AppState, ctx: &Ctx, input: wf::ContactInput) -> Reply {
    let logged = st.app.execute(ctx, cmd::LogContact { input }).await?;
    created(crate::out::LoggedOut {
        contact: wire::contact(&logged.contact),
        verdict: wire::verdict(&logged.verdict, &st.app.profile.terms),
        tasks: logged.tasks.iter().map(|t| t.0).collect(),
    })
}

/// A plain-text answer (for a phone system's script).
fn plain(body: String) -> Reply {
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; charset=utf-8",
        )],
        body,
    )
        .into_response())
}

fn created(v: impl serde::Serialize) -> Reply {
    Ok((StatusCode::CREATED, axum::Json(v)).into_response())
}

/// Whether the server process is up (for a load balancer); `/readyz` says whether it answers true.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "The server is up", body = String, content_type = "text/plain")))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// Whether this server answers true: its database answers and it has read the change feed
/// within the bound (otherwise it answers the contact check from the database, and says
/// so here with 503 for a load balancer).
#[utoipa::path(get, path = "/readyz", responses((status = 200, description = "Ready", body = crate::out::ReadyOut), (status = 503, description = "Behind, or the database does not answer", body = crate::out::ReadyOut)))]
pub async fn readyz(State(st): State<AppState>) -> Response {
    let r = st.app.readiness().await;
    let body = crate::out::ReadyOut {
        ready: r.ready,
        index: r.index.to_string(),
        change_seq: r.change_seq,
        synced_ms_ago: r.synced_ms_ago,
        bound_ms: u64::try_from(tact_app::feed::BOUND.as_millis()).unwrap_or(u64::MAX),
        problem: r.problem.clone(),
    };
    let status = if r.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(body)).into_response()
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CheckQuery {
    /// The caller's number, in any common form (also a `tel:` URI); `anonymous`,
    /// `withheld`, `unavailable` or empty for a number the phone system could not give.
    pub phone: Option<String>,
    /// The sender's address.
    pub email: Option<String>,
    /// Defaults from phone/email.
    #[param(value_type = Option<crate::out::ChannelWord>)]
    pub channel: Option<String>,
    /// The member of staff taking the contact (422 where there is none such).
    pub staff: Option<i64>,
    /// When (RFC 3339); defaults to now.
    #[param(format = DateTime)]
    pub at: Option<String>,
    /// The matter the contact is about, if known: one of the caller's (CLE-10.4), or 422.
    /// It says which of several people sharing the number is calling, or who, where the
    /// number names no one or was withheld (then phone and email may be left out).
    pub matter: Option<i64>,
    /// The person calling (their id), where staff know who it is and the number does not
    /// say (withheld, nobody's, shared, or someone else's they are calling from): the
    /// answer is theirs, as a contact logged naming them is. With it, phone and email may be
    /// left out.
    pub person: Option<i64>,
}

/// May this caller or sender be dealt with, and how? (CLE-9.9, 9.10; NOR-5.5, 5.8)
#[utoipa::path(get, path = "/contact-check", params(CheckQuery), responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "The verdict", body = crate::out::VerdictOut), (status = 400, description = "Malformed phone number, address or time", body = crate::out::ErrorOut)))]
pub async fn contact_check(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiQuery(q): ApiQuery<CheckQuery>,
) -> Reply {
    let identifier = match (&q.phone, &q.email) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad(
                "phone",
                "give a phone number or an email address, not both",
            ))
        }
        (Some(p), None) => read_caller(p)?.map(Identifier::Phone),
        (None, Some(e)) => Some(Identifier::Email(EmailAddress::parse(e)?)),
        (None, None) if q.person.is_some() || q.matter.is_some() => None,
        (None, None) => {
            return Err(ApiError::bad(
                "phone",
                "give the caller's phone number or the sender's email address, or who is calling (person) or the matter it is about",
            ))
        }
    };
    let channel = match q.channel.as_deref() {
        Some(c) => channel("channel", c)?,
        None if q.email.is_some() => Channel::Email,
        None => Channel::Phone,
    };
    let at = parse_ts("at", q.at.as_deref(), st.app.now())?;
    let c = st
        .app
        .query(
            &ctx.actor,
            q::Check {
                caller: identifier,
                channel,
                staff: q.staff.map(StaffId),
                at,
                matter: q.matter.map(MatterId),
                person: q.person.map(PersonId),
            },
        )
        .await?;
    ok(wire::checked(&c, &st.app.profile.terms))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RouteQuery {
    /// The caller's number as the phone system sends it: E.164, national, a `tel:` or
    /// `sip:` URI, or `anonymous` / `withheld` / empty when it was withheld. A caller id
    /// that is no number is routed as a caller not known for sure (`ring`), the reason
    /// naming what was sent: never refused, so no call is dropped for its caller id.
    pub from: Option<String>,
    /// The number dialled.
    pub to: Option<String>,
    /// json (the default); text: `key=value` lines (action, extension, reason, say,
    /// screen_pop, always in that order) for an Asterisk AGI script; line: one line, the
    /// action, the extension or `-` and the reason, separated by `|`, for a SIP proxy such
    /// as Kamailio.
    #[param(value_type = Option<crate::out::RouteFormatWord>)]
    pub format: Option<String>,
}

/// The caller a phone system names in `from` (any form a PBX sends, a `sip:` URI's user
/// part included; `anonymous` or nothing for a withheld number), read by core's
/// [`tact_core::routing::Caller::read`]: for routing and for the outcome alike. A caller id
/// that is no number is counted (`tact_calls_caller_unread_total`), so that a phone system
/// sending the wrong field shows on the office's dashboard, not only in its own log.
fn phone_system_caller(from: Option<&str>) -> tact_core::routing::Caller {
    let caller = tact_core::routing::Caller::read(from.unwrap_or(""));
    if caller.unread.is_some() {
        metrics::counter!("tact_calls_caller_unread_total").increment(1);
    }
    caller
}

tact_core::words! {
    /// How `/calls/route` answers: JSON, `key=value` lines, or one line.
    pub enum RouteFormat for "format" {
        Json = "json",
        Text = "text",
        Line = "line",
    }
}

/// What a phone system does with a call (issue 14): asked by a contact-check service
/// account before the call is put through; the same verdict staff see (CLE-9.9; NOR-5.5).
#[utoipa::path(get, path = "/calls/route", params(RouteQuery), responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "What to do with the call: JSON, or with `format=text` `key=value` lines, or with `format=line` one line `action|extension|reason`", content((crate::out::RoutingOut = "application/json"), (String = "text/plain")))))]
pub async fn route_call(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiQuery(q): ApiQuery<RouteQuery>,
) -> Reply {
    let format = RouteFormat::parse_or(q.format.as_deref(), RouteFormat::Json)?;
    let caller = phone_system_caller(q.from.as_deref());
    let who = caller
        .number
        .as_ref()
        .map(|n| n.as_str().to_string())
        .unwrap_or_default();
    let r = st
        .app
        .query(
            &ctx.actor,
            q::RouteCall {
                caller,
                at: st.app.now(),
            },
        )
        .await?;
    let out = crate::out::RoutingOut {
        action: r.routing.route.as_str().into(),
        extension: r.extension.clone(),
        say: r.routing.say.clone(),
        reason: r.routing.reason.clone(),
        screen_pop: format!("/incoming?who={}&channel=phone", who.replace('+', "%2B")),
        dialled: q.to.clone(),
        verdict: wire::checked(&r.checked, &st.app.profile.terms),
    };
    if format == RouteFormat::Line {
        // One line, for a SIP proxy whose HTTP client keeps only the first (Kamailio's
        // http_client): the action, the extension or "-", and why (for a reason phrase),
        // separated by "|".
        let body = format!(
            "{}|{}|{}\n",
            out.action,
            out.extension.as_deref().unwrap_or("-"),
            out.reason.replace(['|', '\n', '\r'], " ")
        );
        return plain(body);
    }
    if format == RouteFormat::Text {
        let line = |s: &str| s.replace(['\n', '\r'], " ");
        // Always the same keys in the same order (an empty value where there is none), so a
        // routing script can read a line by its number.
        let mut body = format!("action={}\n", out.action);
        body.push_str(&format!(
            "extension={}\n",
            out.extension.as_deref().unwrap_or("")
        ));
        body.push_str(&format!("reason={}\n", line(&out.reason)));
        body.push_str(&format!("say={}\n", line(&out.say.join(" "))));
        body.push_str(&format!("screen_pop={}\n", out.screen_pop));
        return plain(body);
    }
    ok(out)
}

/// Gives a member of staff a telephone extension, or takes it away (issue 14): where a
/// phone system puts through the calls of people whose single point of contact they are.
#[utoipa::path(put, path = "/staff/{id}/extension", params(("id" = i64, Path, description = "The record's id")), request_body = ExtensionReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Set", body = crate::out::ExtensionOut)))]
pub async fn set_extension(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::SetExtension>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ExtensionReq>,
) -> Reply {
    let extension = st
        .app
        .execute(
            &ctx,
            cmd::SetExtension {
                staff: StaffId(id),
                extension: req.extension,
            },
        )
        .await?;
    ok(crate::out::ExtensionOut {
        staff_id: id,
        extension,
    })
}

#[derive(Debug, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallOutcomeReq {
    /// The caller as the phone system sent it (as for routing; withheld is logged as a call
    /// from someone not yet known, and so is a caller id that is no number, with what was
    /// sent noted on the contact).
    pub from: Option<String>,
    /// The number dialled.
    pub to: Option<String>,
    /// How the call ended.
    #[schema(value_type = crate::out::CallOutcomeWord)]
    pub outcome: String,
    /// How long the call lasted.
    pub duration_seconds: Option<u32>,
    /// The member of staff who answered it, where one did.
    pub answered_by: Option<i64>,
}

/// The phone system reports how a call ended (issue 14): it is logged as a contact — or a
/// breach, where the caller's plan does not allow it (CLE-9.11; NOR-5.8) — once per call id, however
/// often the report is sent (a repeat is a 409 and writes nothing).
#[utoipa::path(post, path = "/calls/{call_id}/outcome", params(("call_id" = String, Path, description = "The phone system's id for the call")), request_body = CallOutcomeReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 201, description = "Logged", body = crate::out::LoggedOut)))]
pub async fn call_outcome(
    State(st): State<AppState>,
    Permitted(mut ctx, _): Permitted<cmd::LogContact>,
    ApiPath(call_id): ApiPath<String>,
    ApiJson(req): ApiJson<CallOutcomeReq>,
) -> Reply {
    let call_id = call_id.trim();
    if call_id.is_empty() || call_id.len() > 200 {
        return Err(ApiError::bad(
            "call_id",
            "give the phone system's id for the call (at most 200 characters)",
        ));
    }
    let outcome = tact_core::routing::CallOutcome::parse(&req.outcome)?;
    let caller = phone_system_caller(req.from.as_deref());
    // Once per call: the call's id is the request's idempotency key.
    ctx.key = Some(format!("call:{call_id}"));
    let input = wf::ContactInput {
        duration_seconds: req.duration_seconds,
        person_id: None,
        matter_id: None,
        channel: Channel::Phone,
        direction: Direction::Inbound,
        at: st.app.now(),
        staff_id: Some(req.answered_by.map_or(ctx.actor.id, StaffId)),
        identifier: caller.number.clone().map(Identifier::Phone),
        via_advocate: false,
        summary: outcome.summary(req.to.as_deref(), &st.app.profile.terms.plan),
        body: caller.note().unwrap_or_default(),
        is_complaint: false,
    };
    // The member of staff is named here by `answered_by`, not the contact's `staff_id`.
    log(&st, &ctx, input)
        .await
        .map_err(|e| e.renamed("staff_id", "answered_by"))
}

/// The loaded policy profile: its terms, categories, checklist and restriction catalogue.
#[utoipa::path(get, path = "/profile", responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "The profile", body = crate::out::ProfileOut)))]
pub async fn profile(State(st): State<AppState>, Auth(_ctx): Auth, _: ApiQuery<NoQuery>) -> Reply {
    ok(crate::out::ProfileOut::from(&*st.app.profile))
}

/// Records a new service user: their name, and any numbers, addresses, advocate, format and
/// language. A number or address someone else holds is a 409 naming them unless listed in
/// `shared`.
#[utoipa::path(post, path = "/people", request_body = PersonReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 201, description = "Created", body = crate::out::PersonOut)))]
pub async fn create_person(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::CreatePerson>,
    ApiJson(req): ApiJson<PersonReq>,
) -> Reply {
    let p = st
        .app
        .execute(
            &ctx,
            cmd::CreatePerson {
                input: req.parse()?,
            },
        )
        .await?;
    created(wire::person(&p))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// A name, reference (theirs, `SU-000123`, or one of their matters', `M-000123`), phone
    /// number or email address.
    pub q: String,
}

/// Finds people by name, reference (theirs or one of their matters'), phone number or email
/// address (`q`).
#[utoipa::path(get, path = "/people", params(SearchQuery), responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Matching people", body = crate::out::PeopleOut)))]
pub async fn search_people(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Reply {
    let found = st
        .app
        .query(
            &ctx.actor,
            q::Search {
                text: q.q.to_string(),
            },
        )
        .await?;
    ok(crate::out::PeopleOut {
        people: found.iter().map(wire::person).collect(),
    })
}

/// A person's whole record as the reader may see it: details, matters, contacts, incidents,
/// warnings, plans, adjustments, letters, and the `steps` the reader may take on each record
/// now.
#[utoipa::path(get, path = "/people/{id}", params(("id" = i64, Path, description = "The record's id")), responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Everything held about the person", body = crate::out::PersonRecordOut), (status = 404, description = "No such person", body = crate::out::ErrorOut)))]
pub async fn get_person(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
    _: ApiQuery<NoQuery>,
) -> Reply {
    let r = st
        .app
        .query(&ctx.actor, q::Record { id: PersonId(id) })
        .await?;
    let now = st.app.now();
    let p = &st.app.profile;
    let plans: Vec<_> = r.plans.iter().map(|s| wire::plan(p, s, now)).collect();
    ok(crate::out::PersonRecordOut {
        person: wire::person(&r.person),
        matters: r.records.matters.iter().map(wire::matter).collect(),
        contacts: r.contacts.iter().map(wire::contact).collect(),
        incidents: r.records.incidents.iter().map(wire::incident).collect(),
        warnings: r.records.warnings.iter().map(wire::warning).collect(),
        strategies: plans.clone(),
        plans,
        adjustments: r.records.adjustments.iter().map(wire::adjustment).collect(),
        disclosures: r.disclosures.iter().map(wire::disclosure).collect(),
        disputes: r.disputes.iter().map(wire::dispute).collect(),
        further_actions: r.further_actions.iter().map(wire::further_action).collect(),
        tasks: r
            .records
            .tasks
            .iter()
            .filter(|t| tact_core::roles::sees_task(&ctx.actor, &t.task))
            .map(wire::task)
            .collect(),
        steps: wire::record_steps(p, &ctx.actor, &r, st.app.now()),
    })
}

/// Replaces a person's details: every detail is sent (`[]` or `null` for none).
#[utoipa::path(put, path = "/people/{id}", params(("id" = i64, Path, description = "The record's id")), request_body = PersonReplaceReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Updated", body = crate::out::PersonOut)))]
pub async fn update_person(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::UpdatePerson>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<PersonReplaceReq>,
) -> Reply {
    ok(wire::person(
        &st.app
            .execute(
                &ctx,
                cmd::UpdatePerson {
                    person: PersonId(id),
                    changes: PersonReq::from(req).parse()?.into(),
                },
            )
            .await?,
    ))
}

/// Corrects a person's details at their request (UK GDPR rectification): the whole record
/// as it should be, and what was wrong, kept on the record as a rectification.
#[utoipa::path(post, path = "/people/{id}/rectify", params(("id" = i64, Path, description = "The record's id")), request_body = RectifyReq, responses((status = 200, description = "Corrected", body = crate::out::PersonOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn rectify_person(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::RectifyPerson>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<RectifyReq>,
) -> Reply {
    ok(wire::person(
        &st.app
            .execute(
                &ctx,
                cmd::RectifyPerson {
                    person: PersonId(id),
                    input: PersonReq::from(req.details).parse()?,
                    what_was_wrong: req.what_was_wrong,
                },
            )
            .await?,
    ))
}

/// Changes some of a person's details: a detail left out stays as it is; a list sent is
/// the whole list; `null` takes an address, advocate or language away. Checked as a new
/// person's details are.
#[utoipa::path(patch, path = "/people/{id}", params(("id" = i64, Path, description = "The record's id")), request_body = PersonPatchReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Changed", body = crate::out::PersonOut)))]
pub async fn change_person(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::UpdatePerson>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<PersonPatchReq>,
) -> Reply {
    ok(wire::person(
        &st.app
            .execute(
                &ctx,
                cmd::UpdatePerson {
                    person: PersonId(id),
                    changes: req.parse()?,
                },
            )
            .await?,
    ))
}

/// Merges another record of the same person into this one (issue 10): its numbers,
/// addresses, matters, contacts, incidents, warnings, plans, adjustments, letters, tasks and
/// messages move here; the other record then leads here. A line manager or above.
#[utoipa::path(post, path = "/people/{id}/merge", params(("id" = i64, Path, description = "The record's id")), request_body = MergeReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Merged: the record kept", body = crate::out::MergedOut), (status = 403, description = "Not a line manager or above", body = crate::out::ErrorOut), (status = 404, description = "No such record, or it was merged into another", body = crate::out::ErrorOut), (status = 422, description = "The record named in `merge` is not there, or was merged into another", body = crate::out::ErrorOut)))]
pub async fn merge_people(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::MergePeople>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<MergeReq>,
) -> Reply {
    let (kept, moved) = st
        .app
        .execute(
            &ctx,
            cmd::MergePeople {
                kept: PersonId(id),
                merged: PersonId(req.merge),
                reason: req.reason.clone(),
            },
        )
        .await?;
    ok(crate::out::MergedOut {
        person: wire::person(&kept),
        merged: req.merge,
        moved: moved
            .iter()
            .map(|(k, n)| (k.clone(), i64::try_from(*n).unwrap_or(i64::MAX)))
            .collect(),
    })
}

/// Records whether a person was asked if they need additional help, and the answer in their
/// words (CLE-8.1, 8.2; NOR-1.3).
#[utoipa::path(post, path = "/people/{id}/additional-help", params(("id" = i64, Path, description = "The record's id")), request_body = HelpReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Recorded", body = crate::out::PersonOut)))]
pub async fn additional_help(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::RecordAdditionalHelp>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<HelpReq>,
) -> Reply {
    ok(wire::person(
        &st.app
            .execute(
                &ctx,
                cmd::RecordAdditionalHelp {
                    person: PersonId(id),
                    needs_help: req.needs_help,
                    words: req.in_their_words,
                },
            )
            .await?,
    ))
}

/// Opens a matter for a person: a complaint, case, query or request, which a plan can name
/// (CLE-9.8; NOR-8.1).
#[utoipa::path(post, path = "/people/{id}/matters", params(("id" = i64, Path, description = "The record's id")), request_body = MatterReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 201, description = "Opened", body = crate::out::MatterOut)))]
pub async fn open_matter(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::OpenMatter>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<MatterReq>,
) -> Reply {
    let kind = MatterKind::parse(&req.kind)?;
    created(wire::matter(
        &st.app
            .execute(
                &ctx,
                cmd::OpenMatter {
                    person: PersonId(id),
                    kind,
                    title: req.title.clone(),
                },
            )
            .await?,
    ))
}

/// Moves a matter on: open, concluded, finalised (with the day), or its internal review route
/// exhausted, which a Northamptonshire plan needs first (NOR-5.3).
#[utoipa::path(post, path = "/matters/{id}/status", params(("id" = i64, Path, description = "The record's id")), request_body = MatterStatusReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Changed", body = crate::out::MatterOut)))]
pub async fn matter_status(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::SetMatterStatus>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<MatterStatusReq>,
) -> Reply {
    let status = MatterStatus::parse(&req.status)?;
    let on = parse_opt_date("finalised_on", req.finalised_on.as_deref())?;
    ok(wire::matter(
        &st.app
            .execute(
                &ctx,
                cmd::SetMatterStatus {
                    matter: MatterId(id),
                    status,
                    finalised_on: on,
                },
            )
            .await?,
    ))
}

/// Logs a contact and judges it (CLE-9.10, 9.11; NOR-4.3, 5.5). Send Idempotency-Key to make a retry safe.
#[utoipa::path(post, path = "/contacts", request_body = ContactReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 201, description = "Logged, with the verdict", body = crate::out::LoggedOut), (status = 409, description = "Already logged under this Idempotency-Key", body = crate::out::ErrorOut)))]
pub async fn log_contact(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::LogContact>,
    ApiJson(req): ApiJson<ContactReq>,
) -> Reply {
    let identifier = match (&req.phone, &req.email) {
        // A withheld number is logged as a call from someone not yet known.
        (Some(p), None) => read_caller(p)?.map(Identifier::Phone),
        (None, Some(e)) => Some(Identifier::Email(EmailAddress::parse(e)?)),
        (None, None) => None,
        (Some(_), Some(_)) => {
            return Err(ApiError::bad(
                "phone",
                "give a phone number or an email address, not both",
            ))
        }
    };
    let input = wf::ContactInput {
        duration_seconds: req.duration_seconds,
        person_id: req.person_id.map(PersonId),
        matter_id: req.matter_id.map(MatterId),
        channel: channel("channel", &req.channel)?,
        direction: Direction::parse(req.direction.as_deref().unwrap_or("inbound"))?,
        at: parse_ts("at", req.at.as_deref(), st.app.now())?,
        staff_id: Some(req.staff_id.map_or(ctx.actor.id, StaffId)),
        identifier,
        via_advocate: false,
        summary: req.summary,
        body: req.body,
        is_complaint: req.is_complaint,
    };
    log(&st, &ctx, input).await
}

/// Contacts waiting to be read for a genuine complaint, new information, a possible crime or
/// a safeguarding concern (CLE-9.10; NOR-5.5).
#[utoipa::path(get, path = "/screening", responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "The queue", body = crate::out::ContactsOut)))]
pub async fn screening_queue(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    _: ApiQuery<NoQuery>,
) -> Reply {
    let q = st
        .app
        .query(&ctx.actor, q::ScreeningQueue { limit: 200 })
        .await?;
    ok(crate::out::ContactsOut {
        contacts: q.iter().map(wire::contact).collect(),
    })
}

/// Records what screening a contact found: nothing new, a genuine complaint, new
/// information, a possible crime or a safeguarding concern, whatever a plan says (CLE-9.10;
/// NOR-5.5). A contact is screened once; again is a 409.
#[utoipa::path(post, path = "/contacts/{id}/screen", params(("id" = i64, Path, description = "The record's id")), request_body = ScreenReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Screened", body = crate::out::ContactOut)))]
pub async fn screen(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::ScreenContact>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ScreenReq>,
) -> Reply {
    ok(wire::contact(
        &st.app
            .execute(
                &ctx,
                cmd::ScreenContact {
                    contact: ContactId(id),
                    finding: tact_core::model::Finding::parse(&req.finding)?,
                    note: req.note.clone().unwrap_or_default(),
                },
            )
            .await?,
    ))
}

/// Records behaviour in a category of the profile; with `ended_call`, a call ended (CLE-4.4, 4.5; NOR-6.1).
#[utoipa::path(post, path = "/incidents", request_body = IncidentReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 201, description = "Recorded, with the tasks raised", body = crate::out::IncidentRecordedOut)))]
pub async fn record_incident(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::RecordIncident>,
    ApiJson(req): ApiJson<IncidentReq>,
) -> Reply {
    let input = wf::IncidentInput {
        person_id: PersonId(req.person_id),
        matter_id: req.matter_id.map(MatterId),
        contact_id: req.contact_id.map(ContactId),
        category: req.category,
        description: req.description,
        occurred_at: parse_ts("occurred_at", req.occurred_at.as_deref(), st.app.now())?,
        staff_id: req.staff_id.map_or(ctx.actor.id, StaffId),
        ended_call: req.ended_call.map(|e| EndedCall {
            reason: e.reason,
            file_note: e.file_note,
            caller_warned: e.caller_warned,
        }),
    };
    let (i, tasks) = st.app.execute(&ctx, cmd::RecordIncident { input }).await?;
    created(crate::out::IncidentRecordedOut {
        incident: wire::incident(&i),
        tasks: tasks.iter().map(|t| t.0).collect(),
    })
}

/// Warns a person: what is wrong, how to change, and what will follow if it goes on, by the
/// channel it was given (CLE-9.1–9.3; NOR-5.2).
#[utoipa::path(post, path = "/people/{id}/warnings", params(("id" = i64, Path, description = "The record's id")), request_body = WarningReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 201, description = "Recorded", body = crate::out::WarningOut)))]
pub async fn give_warning(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::GiveWarning>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<WarningReq>,
) -> Reply {
    let input = wf::WarningInput {
        incident_ids: req.incident_ids.into_iter().map(IncidentId).collect(),
        what_is_wrong: req.what_is_wrong,
        how_to_change: req.how_to_change,
        consequence: req.consequence,
        channel: channel("channel", &req.channel)?,
        given_at: parse_ts("given_at", req.given_at.as_deref(), st.app.now())?,
    };
    created(wire::warning(
        &st.app
            .execute(
                &ctx,
                cmd::GiveWarning {
                    person: PersonId(id),
                    input,
                },
            )
            .await?,
    ))
}

/// Drafts a contact strategy / communication plan (CLE-9.4, 9.8, 9.9; NOR-5.5).
#[utoipa::path(post, path = "/people/{id}/plans", params(("id" = i64, Path, description = "The record's id")), request_body = PlanReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 201, description = "Drafted", body = crate::out::PlanOut)))]
pub async fn draft_plan(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::DraftPlan>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<PlanReq>,
) -> Reply {
    let input = wf::PlanInput {
        matter_ids: req.matter_ids.into_iter().map(MatterId).collect(),
        incident_ids: req.incident_ids.into_iter().map(IncidentId).collect(),
        restrictions: parse_restrictions(req.restrictions)?,
        reasons: req.reasons,
        aims: req.aims,
        proportionality: req.proportionality,
        no_warning_reason: req.no_warning_reason,
        review_due: parse_date("review_due", &req.review_due)?,
        ends_on: parse_opt_date("ends_on", req.ends_on.as_deref())?,
    };
    let s = st
        .app
        .execute(
            &ctx,
            cmd::DraftPlan {
                person: PersonId(id),
                input,
            },
        )
        .await?;
    created(wire::plan(&st.app.profile, &s, st.app.now()))
}

/// One plan as the reader may see it, with the `steps` the reader may take on it now (each
/// posted to `/api/v1/plans/{id}/{step}`) and the `letters` that may be written about it.
#[utoipa::path(get, path = "/{id}", params(("id" = i64, Path, description = "The record's id")), responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "The plan, with the steps the reader may take on it now", body = crate::out::PlanViewOut)))]
pub async fn get_plan(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
    _: ApiQuery<NoQuery>,
) -> Reply {
    let s = st
        .app
        .query(&ctx.actor, q::ViewPlan { id: PlanId(id) })
        .await?;
    // The person's records, for the steps they decide (another matter to apply it to; a
    // draft ready to propose): none where the reader may not read them (the step is then
    // refused in its turn).
    let records = st
        .app
        .query_if_allowed(
            &ctx.actor,
            q::PlanContextOf {
                person: s.person_id,
            },
        )
        .await?
        .unwrap_or_default();
    let steps = wire::plan_steps(
        &st.app.profile,
        &ctx.actor,
        &s,
        &records.context(),
        st.app.now(),
    );
    let letters = if steps.iter().any(|step| step == "letters") {
        st.app
            .query(&ctx.actor, q::PlanLetters { plan: s.id })
            .await?
            .into_iter()
            .filter(|(_, why)| why.is_none())
            .map(|(kind, _)| kind.as_str().to_string())
            .collect()
    } else {
        Vec::new()
    };
    ok(crate::out::PlanViewOut {
        plan: wire::plan(&st.app.profile, &s, st.app.now()),
        steps,
        letters,
    })
}

fn plan_reply(st: &AppState, s: &Plan) -> Reply {
    ok(wire::plan(&st.app.profile, s, st.app.now()))
}

/// One step on a plan: the typed command goes to the one entry in app.
async fn plan_step(st: &AppState, ctx: &tact_app::Ctx, id: i64, command: wf::PlanCommand) -> Reply {
    plan_reply(
        st,
        &st.app
            .execute(
                ctx,
                cmd::PlanStepCommand {
                    plan: PlanId(id),
                    command,
                },
            )
            .await?,
    )
}

/// Answers the checklist of underlying causes, each question with a reason; a shortfall is
/// put right, or why it cannot be is recorded, before the plan goes forward (CLE-7.2, 7.3;
/// NOR-5.3).
#[utoipa::path(post, path = "/{id}/checklist", params(("id" = i64, Path, description = "The record's id")), request_body = ChecklistReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Answered, with any remedy tasks", body = crate::out::ChecklistAnsweredOut)))]
pub async fn checklist(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::AnswerChecklist>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ChecklistReq>,
) -> Reply {
    let answers = req
        .answers
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            Ok(wf::AnswerInput {
                question_id: a.question_id,
                answer: Answer::parse(&a.answer)
                    .map_err(|e| e.with_field(&format!("answers[{i}].answer")))?,
                reason: a.reason,
                cannot_remedy_reason: a.cannot_remedy_reason,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let (s, tasks) = st
        .app
        .execute(
            &ctx,
            cmd::AnswerChecklist {
                plan: PlanId(id),
                answers,
            },
        )
        .await?;
    ok(crate::out::ChecklistAnsweredOut {
        plan: wire::plan(&st.app.profile, &s, st.app.now()),
        remedy_tasks: tasks.iter().map(|t| t.0).collect(),
    })
}

/// Puts a draft plan to a senior manager. Refused, naming the clause, until the checklist is
/// answered (CLE-7.2, 7.3; NOR-5.3), the person has been warned where the policy asks it
/// (CLE-9.3; NOR-5.2), and on Northamptonshire the matters' review route is exhausted
/// (NOR-5.3).
#[utoipa::path(post, path = "/{id}/propose", params(("id" = i64, Path, description = "The record's id")), responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Proposed", body = crate::out::PlanOut), (status = 409, description = "Refused, naming the clause", body = crate::out::ErrorOut)))]
pub async fn propose(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
) -> Reply {
    plan_step(&st, &ctx, id, wf::PlanCommand::Propose).await
}

/// A senior manager authorises a proposed plan, with the reason: not the one who proposed it
/// (NOR-6.2; a local rule on Cleveland). It restricts from the written notice where the
/// policy says notice comes first (NOR-5.1), at once otherwise (CLE-9.6).
#[utoipa::path(post, path = "/{id}/authorise", params(("id" = i64, Path, description = "The record's id")), request_body = AuthoriseReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Authorised", body = crate::out::PlanOut)))]
pub async fn authorise(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::step::Authorise>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AuthoriseReq>,
) -> Reply {
    let input = wf::AuthoriseInput {
        reason: req.reason,
        overrides: overrides(req.overrides, ctx.actor.id),
    };
    plan_step(&st, &ctx, id, wf::PlanCommand::Authorise(input)).await
}

/// A senior manager refuses a proposed plan, with the reason (NOR-6.2): it restricts nothing.
#[utoipa::path(post, path = "/{id}/refuse", params(("id" = i64, Path, description = "The record's id")), request_body = ReasonReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Refused", body = crate::out::PlanOut)))]
pub async fn refuse(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::step::Refuse>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ReasonReq>,
) -> Reply {
    plan_step(
        &st,
        &ctx,
        id,
        wf::PlanCommand::Refuse { reason: req.reason },
    )
    .await
}

/// Withdraws a draft or proposed plan, with the reason: it restricts nothing.
#[utoipa::path(post, path = "/{id}/withdraw", params(("id" = i64, Path, description = "The record's id")), request_body = ReasonReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Withdrawn", body = crate::out::PlanOut)))]
pub async fn withdraw(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::step::Withdraw>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ReasonReq>,
) -> Reply {
    plan_step(
        &st,
        &ctx,
        id,
        wf::PlanCommand::Withdraw { reason: req.reason },
    )
    .await
}

/// Records the written notice of a plan: how and in what format it went, whether agreement
/// was sought (CLE-9.6), and the policy enclosed (NOR-5.2). A Northamptonshire plan restricts
/// only from its notice (NOR-5.1, 5.7).
#[utoipa::path(post, path = "/{id}/notice", params(("id" = i64, Path, description = "The record's id")), request_body = NoticeReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Notice recorded", body = crate::out::PlanOut)))]
pub async fn notice(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::step::RecordNotice>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<NoticeReq>,
) -> Reply {
    let person_format = match req.format.as_deref() {
        Some(f) => Some(Format::parse(f).map_err(|e| e.with_field("format"))?),
        None => None,
    };
    let input = wf::NoticeInput {
        sent_at: parse_ts("sent_at", req.sent_at.as_deref(), st.app.now())?,
        channel: channel("channel", &req.channel)?,
        format: person_format,
        agreement_sought: req.agreement_sought,
        agreement_given: req.agreement_given,
        agreement_note: req.agreement_note,
        letter_id: None,
        policy_enclosed: req.policy_enclosed,
        format_reason: req.format_reason,
    };
    plan_step(&st, &ctx, id, wf::PlanCommand::RecordNotice(input)).await
}

/// Reviews a plan in force: continued to a next review within the policy's interval, or
/// lifted, with the reasons and their conduct since (CLE-9.12; NOR-8.1, 8.2). A change is a
/// variation (`vary`).
#[utoipa::path(post, path = "/{id}/review", params(("id" = i64, Path, description = "The record's id")), request_body = ReviewReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Reviewed", body = crate::out::PlanOut)))]
pub async fn review(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::step::Review>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ReviewReq>,
) -> Reply {
    let input = wf::ReviewInput {
        decision: wf::ReviewDecision::parse(&req.decision)?,
        reasons: req.reasons,
        recent_conduct: req.recent_conduct,
        next_review_due: parse_opt_date("next_review_due", req.next_review_due.as_deref())?,
    };
    plan_step(&st, &ctx, id, wf::PlanCommand::Review(input)).await
}

/// Changes a plan's restrictions or dates, with the reason; the person is told in writing
/// (CLE-9.14; NOR-5.7), and on Northamptonshire the change bites only then (NOR-5.1).
#[utoipa::path(post, path = "/{id}/vary", params(("id" = i64, Path, description = "The record's id")), request_body = VaryReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Varied", body = crate::out::PlanOut)))]
pub async fn vary(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::step::Vary>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<VaryReq>,
) -> Reply {
    let by = ctx.actor.id;
    plan_step(&st, &ctx, id, wf::PlanCommand::Vary(req.parse(by)?)).await
}

/// Lifts a plan, with the reason: its restrictions stop at once and the person's contact is
/// dealt with as anyone's.
#[utoipa::path(post, path = "/{id}/lift", params(("id" = i64, Path, description = "The record's id")), request_body = ReasonReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Lifted", body = crate::out::PlanOut)))]
pub async fn lift(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::step::Lift>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ReasonReq>,
) -> Reply {
    plan_step(&st, &ctx, id, wf::PlanCommand::Lift { reason: req.reason }).await
}

/// Applies a plan in force to another of the person's matters, with the reason (CLE-10.4;
/// NOR-8.1). On Northamptonshire a senior manager decides it (NOR-6.2), the matter's review
/// route must be exhausted (NOR-5.3), and it bites only once the person is told in writing
/// (NOR-5.1); on Cleveland it is recorded and the person is told (CLE-9.14).
#[utoipa::path(post, path = "/{id}/apply-to-matter", params(("id" = i64, Path, description = "The record's id")), request_body = ApplyReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Applied", body = crate::out::PlanOut)))]
pub async fn apply_to_matter(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::step::ApplyToMatter>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ApplyReq>,
) -> Reply {
    let command = wf::PlanCommand::ApplyToMatter {
        matter: MatterId(req.matter_id),
        reason: req.reason,
    };
    plan_step(&st, &ctx, id, command).await
}

/// NOR-6.2: the authorising role decides a request to apply a plan to another matter.
#[utoipa::path(post, path = "/{id}/decide-matter", params(("id" = i64, Path, description = "The record's id")), request_body = DecideMatterReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Decided", body = crate::out::PlanOut)))]
pub async fn decide_matter(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::step::DecideMatter>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<DecideMatterReq>,
) -> Reply {
    let command = wf::PlanCommand::DecideMatter {
        matter: MatterId(req.matter_id),
        approve: req.approve,
        reason: req.reason,
    };
    plan_step(&st, &ctx, id, command).await
}

/// Records that the person disputes a plan, in their words; someone who took no part in the
/// decision decides it (NOR-7.1; a local rule on Cleveland).
#[utoipa::path(post, path = "/{id}/disputes", params(("id" = i64, Path, description = "The record's id")), request_body = DisputeReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 201, description = "Dispute recorded", body = crate::out::DisputeOut)))]
pub async fn raise_dispute(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::RaiseDispute>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<DisputeReq>,
) -> Reply {
    let received = req
        .received_at
        .as_deref()
        .map(|r| parse_ts("received_at", Some(r), st.app.now()))
        .transpose()?;
    created(wire::dispute(
        &st.app
            .execute(
                &ctx,
                cmd::RaiseDispute {
                    plan: PlanId(id),
                    grounds: req.grounds.clone(),
                    received_at: received,
                },
            )
            .await?,
    ))
}

/// Decides a dispute about a plan: upheld, varied or lifted, with the reason, by someone who
/// took no part in the decision disputed (NOR-7.1; a local rule on Cleveland).
#[utoipa::path(post, path = "/disputes/{id}/decision", params(("id" = i64, Path, description = "The record's id")), request_body = DisputeDecisionReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Decided", body = crate::out::DisputeDecidedOut)))]
pub async fn decide_dispute(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::DecideDispute>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<DisputeDecisionReq>,
) -> Reply {
    let outcome = DisputeOutcome::parse(&req.outcome)?;
    let by = ctx.actor.id;
    let variation = req.variation.map(|v| v.parse(by)).transpose()?;
    let (d, s) = st
        .app
        .execute(
            &ctx,
            cmd::DecideDispute {
                dispute: DisputeId(id),
                outcome,
                reasons: req.reasons.clone(),
                variation,
            },
        )
        .await?;
    let plan = wire::plan(&st.app.profile, &s, st.app.now());
    ok(crate::out::DisputeDecidedOut {
        dispute: wire::dispute(&d),
        strategy: plan.clone(),
        plan,
    })
}

/// Records a request for a reasonable adjustment, in the person's words; the decision is the
/// profile's deciding role's (CLE-8.2, 8.5; NOR-1.3, 1.5).
#[utoipa::path(post, path = "/people/{id}/adjustments", params(("id" = i64, Path, description = "The record's id")), request_body = AdjustmentReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 201, description = "Requested", body = crate::out::AdjustmentOut)))]
pub async fn request_adjustment(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::RequestAdjustment>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AdjustmentReq>,
) -> Reply {
    let kind = AdjustmentKind::parse(&req.kind)?;
    created(wire::adjustment(
        &st.app
            .execute(
                &ctx,
                cmd::RequestAdjustment {
                    person: PersonId(id),
                    kind,
                    description: req.description.clone(),
                },
            )
            .await?,
    ))
}

/// Decides a reasonable adjustment: granted or refused, with the reasons (CLE-8.5; NOR-1.5).
#[utoipa::path(post, path = "/adjustments/{id}/decision", params(("id" = i64, Path, description = "The record's id")), request_body = DecisionReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Decided", body = crate::out::AdjustmentOut)))]
pub async fn decide_adjustment(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::DecideAdjustment>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<DecisionReq>,
) -> Reply {
    ok(wire::adjustment(
        &st.app
            .execute(
                &ctx,
                cmd::DecideAdjustment {
                    adjustment: AdjustmentId(id),
                    grant: req.grant,
                    reasons: req.reasons.clone(),
                },
            )
            .await?,
    ))
}

/// Records further action: a referral to the police, legal advice or legal action
/// (CLE-10.1–10.3; NOR-5.8).
#[utoipa::path(post, path = "/people/{id}/further-actions", params(("id" = i64, Path, description = "The record's id")), request_body = FurtherActionReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 201, description = "Recorded", body = crate::out::FurtherActionOut)))]
pub async fn further_action(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::RecordFurtherAction>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<FurtherActionReq>,
) -> Reply {
    let input = wf::FurtherActionInput {
        kind: FurtherActionKind::parse(&req.kind)?,
        reasons: req.reasons,
        prior_notice_given: req.prior_notice_given,
        no_notice_reason: req.no_notice_reason,
    };
    created(wire::further_action(
        &st.app
            .execute(
                &ctx,
                cmd::RecordFurtherAction {
                    person: PersonId(id),
                    input,
                },
            )
            .await?,
    ))
}

/// The reader's open tasks and their role's: each names the person, the record, when it is
/// due and the clause.
#[utoipa::path(get, path = "/tasks", responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "My open tasks and my role's", body = crate::out::TasksOut)))]
pub async fn my_tasks(State(st): State<AppState>, Auth(ctx): Auth, _: ApiQuery<NoQuery>) -> Reply {
    let tasks = st
        .app
        .query(
            &ctx.actor,
            q::MyTasks {
                kind: None,
                limit: 500,
            },
        )
        .await?;
    ok(crate::out::TasksOut {
        tasks: tasks.iter().map(wire::task).collect(),
    })
}

/// A data-rights request: it reaches the DPO whatever a plan says, due in one month.
#[utoipa::path(post, path = "/people/{id}/data-rights", params(("id" = i64, Path, description = "The record's id")), request_body = RightsReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 201, description = "Recorded and sent to the DPO", body = crate::out::RightsOut)))]
pub async fn receive_rights(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::ReceiveRightsRequest>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<RightsReq>,
) -> Reply {
    let received = match req.received_on.as_deref() {
        Some(d) => Some(wire::parse_date("received_on", d)?),
        None => None,
    };
    created(wire::rights(
        &st.app
            .execute(
                &ctx,
                cmd::ReceiveRightsRequest {
                    person: PersonId(id),
                    kind: tact_core::rights::RightKind::parse(&req.kind)?,
                    details: req.details.clone(),
                    channel: channel("channel", &req.channel)?,
                    received_on: received,
                },
            )
            .await?,
    ))
}

/// The DPO answers a data-rights request, or extends its deadline once.
#[utoipa::path(post, path = "/data-rights/{id}/answer", params(("id" = i64, Path, description = "The record's id")), request_body = RightsAnswerReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Answered or extended", body = crate::out::RightsOut)))]
pub async fn answer_rights(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::AnswerRightsRequest>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<RightsAnswerReq>,
) -> Reply {
    let command = cmd::AnswerRightsRequest {
        request: id,
        answer: tact_core::rights::RightsAnswer::parse(&req.decision)?,
        text: req.text,
    };
    let r = st.app.execute(&ctx, command).await?;
    ok(wire::rights(&r))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GovernanceQuery {
    /// The first day (YYYY-MM-DD); this quarter's first day if left out.
    #[param(format = Date)]
    pub from: Option<String>,
    /// The last day; this quarter's last day if left out.
    #[param(format = Date)]
    pub to: Option<String>,
}

/// The governance report for a period (this quarter by default).
#[utoipa::path(get, path = "/governance", params(GovernanceQuery), responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "The report", body = crate::out::GovernanceOut)))]
pub async fn governance(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiQuery(q): ApiQuery<GovernanceQuery>,
) -> Reply {
    let period = tact_core::governance::Period::asked(
        wire::parse_opt_date("from", q.from.as_deref())?,
        wire::parse_opt_date("to", q.to.as_deref())?,
        tact_core::check::uk_date(st.app.now()),
    )?;
    let r = st.app.query(&ctx.actor, q::Governance { period }).await?;
    ok(crate::out::GovernanceOut::of(&r, &period))
}

/// The open data-rights requests, soonest deadline first (the DPO).
#[utoipa::path(get, path = "/data-rights", responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Open requests", body = crate::out::RightsListOut)))]
pub async fn open_rights(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    _: ApiQuery<NoQuery>,
) -> Reply {
    ok(crate::out::RightsListOut {
        requests: st
            .app
            .query(&ctx.actor, q::RightsRequests {})
            .await?
            .iter()
            .map(wire::rights)
            .collect(),
    })
}

/// Asks to share a person's details with a partner, with the legitimate reason; it waits for
/// the DPO (CLE-9.15; a local rule on Northamptonshire).
#[utoipa::path(post, path = "/people/{id}/disclosures", params(("id" = i64, Path, description = "The record's id")), request_body = DisclosureReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 201, description = "Requested", body = crate::out::DisclosureOut)))]
pub async fn request_disclosure(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::RequestDisclosure>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<DisclosureReq>,
) -> Reply {
    created(wire::disclosure(
        &st.app
            .execute(
                &ctx,
                cmd::RequestDisclosure {
                    person: PersonId(id),
                    request: tact_core::sharing::DisclosureRequest {
                        partner: req.partner,
                        reason: req.reason,
                        details: req.details,
                    },
                },
            )
            .await?,
    ))
}

/// The DPO approves or refuses a request to share (CLE-9.15; a local rule on
/// Northamptonshire).
#[utoipa::path(post, path = "/disclosures/{id}/decision", params(("id" = i64, Path, description = "The record's id")), request_body = DisclosureDecisionReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Decided", body = crate::out::DisclosureOut)))]
pub async fn decide_disclosure(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::DecideDisclosure>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<DisclosureDecisionReq>,
) -> Reply {
    ok(wire::disclosure(
        &st.app
            .execute(
                &ctx,
                cmd::DecideDisclosure {
                    disclosure: DisclosureId(id),
                    approve: req.approve,
                    reason: req.reason.clone(),
                },
            )
            .await?,
    ))
}

/// Records what was shared under an approved request, with whom and when: the disclosure
/// log (CLE-9.15).
#[utoipa::path(post, path = "/disclosures/{id}/shared", params(("id" = i64, Path, description = "The record's id")), request_body = SharedReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "On the disclosure log", body = crate::out::DisclosureOut)))]
pub async fn record_shared(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::RecordShared>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<SharedReq>,
) -> Reply {
    let now = st.app.now();
    let at = match req.at.as_deref() {
        Some(a) => Some(wire::parse_ts("at", Some(a), now)?),
        None => None,
    };
    ok(wire::disclosure(
        &st.app
            .execute(
                &ctx,
                cmd::RecordShared {
                    disclosure: DisclosureId(id),
                    what: req.what.clone(),
                    at,
                },
            )
            .await?,
    ))
}

/// The access log for one person, newest first: who opened their restrictions, incidents
/// or adjustments, and when (the DPO and auditors).
#[utoipa::path(get, path = "/people/{id}/access-log", params(("id" = i64, Path, description = "The record's id")), responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "The access log", body = crate::out::AccessListOut), (status = 403, description = "Not the DPO or an auditor", body = crate::out::ErrorOut)))]
pub async fn person_access_log(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
    _: ApiQuery<NoQuery>,
) -> Reply {
    ok(crate::out::AccessListOut {
        access: st
            .app
            .query(
                &ctx.actor,
                q::AccessLog {
                    person: Some(PersonId(id)),
                    limit: 1000,
                },
            )
            .await?
            .iter()
            .map(wire::access)
            .collect(),
    })
}

/// The disclosure log, newest first: what was shared with which partner, why, and who
/// approved it (CLE-9.15).
#[utoipa::path(get, path = "/disclosures", responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "The disclosure log", body = crate::out::DisclosuresOut)))]
pub async fn disclosure_log(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    _: ApiQuery<NoQuery>,
) -> Reply {
    ok(crate::out::DisclosuresOut {
        disclosures: st
            .app
            .query(&ctx.actor, q::DisclosureLog { limit: 1000 })
            .await?
            .iter()
            .map(wire::disclosure)
            .collect(),
    })
}

/// Sends the reminder a breach calls for, closing its task: why the plan is in place and what
/// follows if it goes on (CLE-9.11; NOR-5.8).
#[utoipa::path(post, path = "/tasks/{id}/breach-reminder", params(("id" = i64, Path, description = "The record's id")), request_body = ReminderReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 201, description = "Sent and kept as a contact", body = crate::out::ContactOut)))]
pub async fn breach_reminder(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ReminderReq>,
) -> Reply {
    let channel = Channel::parse(&req.channel)?;
    let reminded = st
        .app
        .execute(
            &ctx,
            cmd::SendBreachReminder {
                task: TaskId(id),
                input: wf::ReminderInput {
                    channel,
                    consequences: req.consequences,
                    reasons: req.reasons,
                },
            },
        )
        .await?;
    created(wire::contact(&reminded.contact))
}

/// Marks a task done, with what was done. A task that a step completes (a notice awaited, a
/// breach reminder) is refused here while its step is still owed.
#[utoipa::path(post, path = "/tasks/{id}/complete", params(("id" = i64, Path, description = "The record's id")), request_body = OutcomeReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Done", body = crate::out::TaskOut)))]
pub async fn complete_task(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::CompleteTask>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<OutcomeReq>,
) -> Reply {
    ok(wire::task(
        &st.app
            .execute(
                &ctx,
                cmd::CompleteTask {
                    task: TaskId(id),
                    outcome: req.outcome.clone(),
                },
            )
            .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReviewsQuery {
    /// Reviews due on or before this date; defaults to today (so the list is what is due and overdue).
    #[param(format = Date)]
    pub due_by: Option<String>,
}

/// The plans whose review is due or overdue (CLE-9.12; NOR-8.1, 8.2).
#[utoipa::path(get, path = "/reviews", params(ReviewsQuery), responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Reviews due and overdue", body = crate::out::PlansOut)))]
pub async fn reviews(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiQuery(q): ApiQuery<ReviewsQuery>,
) -> Reply {
    let now = st.app.now();
    let by = match q.due_by.as_deref() {
        Some(d) => parse_date("due_by", d)?,
        None => tact_core::check::uk_date(now),
    };
    let list = st.app.query(&ctx.actor, q::ReviewsDue { by }).await?;
    let plans: Vec<_> = list
        .iter()
        .map(|s| wire::plan(&st.app.profile, s, now))
        .collect();
    ok(crate::out::PlansOut {
        strategies: plans.clone(),
        plans,
    })
}

/// Every member of staff: name, role, line manager and whether their account is enabled.
#[utoipa::path(get, path = "/staff", responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "All staff", body = crate::out::StaffListOut)))]
pub async fn list_staff(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    _: ApiQuery<NoQuery>,
) -> Reply {
    let all = st.app.query(&ctx.actor, q::Colleagues {}).await?;
    ok(crate::out::StaffListOut {
        staff: all.iter().map(wire::staff).collect(),
    })
}

/// Adds a member of staff in a role of the profile (an administrator's to do).
#[utoipa::path(post, path = "/staff", request_body = StaffReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 201, description = "Added", body = crate::out::StaffOut)))]
pub async fn create_staff(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::CreateStaff>,
    ApiJson(req): ApiJson<StaffReq>,
) -> Reply {
    let role = Role::parse(&req.role)?;
    let email = req.email.as_deref().map(EmailAddress::parse).transpose()?;
    let command = cmd::CreateStaff {
        name: req.name,
        role,
        email,
        line_manager: req.line_manager.map(StaffId),
        sign_in: None,
    };
    let s = st.app.execute(&ctx, command).await?;
    created(wire::staff(&s))
}

/// Changes a member of staff: their role, line manager, or whether their account is enabled
/// (an administrator's to do; the last administrator stays one).
#[utoipa::path(post, path = "/staff/{id}", params(("id" = i64, Path, description = "The record's id")), request_body = StaffChangeReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Changed", body = crate::out::StaffOut)))]
pub async fn change_staff(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::ChangeStaff>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<StaffChangeReq>,
) -> Reply {
    let role = req.role.as_deref().map(Role::parse).transpose()?;
    let s = st
        .app
        .execute(
            &ctx,
            cmd::ChangeStaff {
                staff: StaffId(id),
                role,
                active: req.active,
                line_manager: req.line_manager.map(|m| m.map(StaffId)),
            },
        )
        .await?;
    ok(wire::staff(&s))
}

fn token_minted((about, token): (tact_core::model::ApiToken, String)) -> Reply {
    created(crate::out::TokenOut {
        token,
        about: crate::out::ApiTokenOut::from(&about),
    })
}

/// Mints an API token for a service account (an administrator's) or for yourself: nobody
/// mints a token for another member of staff.
#[utoipa::path(post, path = "/staff/{id}/tokens", params(("id" = i64, Path, description = "The record's id")), request_body = TokenReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 201, description = "The new token, shown once", body = crate::out::TokenOut)))]
pub async fn issue_token(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<TokenReq>,
) -> Reply {
    let command = cmd::IssueToken {
        holder: StaffId(id),
        name: req.name,
        days: req.days,
    };
    token_minted(st.app.execute(&ctx, command).await?)
}

/// Mints an API token: yours unless `staff_id` names a service account (an
/// administrator's). It lasts `days` (90 unless given; at most 365).
#[utoipa::path(post, path = "/tokens", request_body = TokenReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 201, description = "The new token, shown once", body = crate::out::TokenOut)))]
pub async fn mint_token(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiJson(req): ApiJson<TokenReq>,
) -> Reply {
    let command = cmd::IssueToken {
        holder: req.staff_id.map_or(ctx.actor.id, StaffId),
        name: req.name,
        days: req.days,
    };
    token_minted(st.app.execute(&ctx, command).await?)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TokensQuery {
    /// Whose tokens: yours unless given; `all` for everyone's (an administrator's).
    pub staff: Option<String>,
}

/// Lists API tokens, newest first, never their secrets: your own; another member of
/// staff's or everyone's (`staff=all`) for an administrator.
#[utoipa::path(get, path = "/tokens", params(TokensQuery), responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "The tokens", body = crate::out::TokensOut)))]
pub async fn list_tokens(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiQuery(query): ApiQuery<TokensQuery>,
) -> Reply {
    let holder = match query.staff.as_deref() {
        None => Some(ctx.actor.id),
        Some("all") => None,
        Some(n) => Some(StaffId(n.parse().map_err(|_| {
            ApiError::bad(
                "staff",
                format!(
                    "expected a staff id or all, got {}",
                    tact_core::error::shown(n)
                ),
            )
        })?)),
    };
    let tokens = st.app.query(&ctx.actor, q::Tokens { holder }).await?;
    ok(crate::out::TokensOut {
        tokens: tokens.iter().map(crate::out::ApiTokenOut::from).collect(),
    })
}

/// Revokes an API token: its holder's or an administrator's to do. Every server stops
/// taking it within a second.
#[utoipa::path(delete, path = "/tokens/{id}", params(("id" = i64, Path, description = "The record's id")), responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "Revoked", body = crate::out::ApiTokenOut)))]
pub async fn revoke_token(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
) -> Reply {
    let t = st.app.execute(&ctx, cmd::RevokeToken { token: id }).await?;
    ok(crate::out::ApiTokenOut::from(&t))
}

/// Adds a service account for a system (a phone system, a mail gateway): it acts under its
/// own name and may do only what its scope says. Mint its token with `POST /api/v1/tokens`.
#[utoipa::path(post, path = "/service-accounts", request_body = ServiceAccountReq, responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 201, description = "Added", body = crate::out::StaffOut)))]
pub async fn create_service_account(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::CreateServiceAccount>,
    ApiJson(req): ApiJson<ServiceAccountReq>,
) -> Reply {
    let scope = tact_core::roles::Scope::parse(&req.scope)?;
    let command = cmd::CreateServiceAccount {
        name: req.name,
        scope,
    };
    created(wire::staff(&st.app.execute(&ctx, command).await?))
}

/// Checks the event log's hash chain.
#[utoipa::path(get, path = "/audit/verify", responses((status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 200, description = "The chain is intact", body = crate::out::VerifiedOut), (status = 409, description = "The chain is broken", body = crate::out::ErrorOut)))]
pub async fn audit_verify(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    _: ApiQuery<NoQuery>,
) -> Reply {
    match st.app.query(&ctx.actor, q::VerifyLog {}).await? {
        Ok(n) => ok(crate::out::VerifiedOut {
            intact: true,
            entries: n,
        }),
        Err(b) => Err(ApiError::new(StatusCode::CONFLICT, b.to_string())),
    }
}

/// A method the address does not take: 405 with the API's error body (axum sets `Allow`).
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "this address does not take that method",
    )
}

pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such address")
}

// ----- letters (CLE-9.6, 9.14; NOR-5.1, 5.7) ---------------------------------------

fn letter_reply(status: StatusCode, l: &tact_core::correspondence::StoredLetter) -> Reply {
    Ok((status, axum::Json(crate::out::LetterOut::from(l))).into_response())
}

/// Writes a letter about a plan (`kind` says which), kept as written: email is queued,
/// post goes to the print queue, unless `hold` keeps it for checking.
#[utoipa::path(post, path = "/{id}/letters", params(("id" = i64, Path, description = "The record's id")), request_body = LetterReq, responses((status = 201, description = "Written", body = crate::out::LetterOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn write_plan_letter(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::WriteLetter>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<LetterReq>,
) -> Reply {
    let how = req.how()?;
    let kind = match req.kind.as_deref() {
        Some(k) => tact_core::correspondence::PlanLetter::parse(k)?,
        None => {
            // Only the letters the plan can have now, as the form offers them; none, and
            // the refusal says why each cannot be written.
            let letters = st
                .app
                .query(&ctx.actor, q::PlanLetters { plan: PlanId(id) })
                .await?;
            let open = crate::offer::plan_letters_offered(&st.app.profile, letters)?.open;
            return Err(ApiError::bad(
                "kind",
                format!(
                    "say which letter: {}",
                    open.iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    };
    letter_reply(
        StatusCode::CREATED,
        &st.app
            .execute(
                &ctx,
                cmd::WriteLetter {
                    about: LetterAbout::Plan {
                        plan: PlanId(id),
                        kind,
                    },
                    how,
                },
            )
            .await?,
    )
}

/// Writes the letter telling them the decision on a reasonable adjustment (CLE-8.5; NOR-1.5).
#[utoipa::path(post, path = "/adjustments/{id}/letter", params(("id" = i64, Path, description = "The record's id")), request_body = LetterReq, responses((status = 201, description = "Written", body = crate::out::LetterOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn write_adjustment_letter(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::WriteLetter>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<LetterReq>,
) -> Reply {
    record_letter(&st, &ctx, LetterAbout::Adjustment(AdjustmentId(id)), &req).await
}

/// Writes the warning letter (CLE-9.2, 9.3; NOR-5.2).
#[utoipa::path(post, path = "/warnings/{id}/letter", params(("id" = i64, Path, description = "The record's id")), request_body = LetterReq, responses((status = 201, description = "Written", body = crate::out::LetterOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn write_warning_letter(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::WriteLetter>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<LetterReq>,
) -> Reply {
    record_letter(&st, &ctx, LetterAbout::Warning(WarningId(id)), &req).await
}

/// Writes the note saying why a call was ended (CLE-4.4; NOR-6.1).
#[utoipa::path(post, path = "/incidents/{id}/letter", params(("id" = i64, Path, description = "The record's id")), request_body = LetterReq, responses((status = 201, description = "Written", body = crate::out::LetterOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn write_call_ended_letter(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::WriteLetter>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<LetterReq>,
) -> Reply {
    record_letter(&st, &ctx, LetterAbout::CallEnded(IncidentId(id)), &req).await
}

async fn record_letter(st: &AppState, ctx: &Ctx, about: LetterAbout, req: &LetterReq) -> Reply {
    no_kind(req)?;
    let how = req.how()?;
    let l = st.app.execute(ctx, cmd::WriteLetter { about, how }).await?;
    letter_reply(StatusCode::CREATED, &l)
}

/// A letter about one record has one kind; saying another is an error, not ignored.
fn no_kind(req: &LetterReq) -> Result<(), ApiError> {
    match &req.kind {
        Some(_) => Err(tact_core::RuleError::invalid(
            "kind",
            "a letter about this record has one kind; leave kind out",
        )
        .into()),
        None => Ok(()),
    }
}

/// A person's letters, newest first.
#[utoipa::path(get, path = "/people/{id}/letters", params(("id" = i64, Path, description = "The record's id")), responses((status = 200, description = "Their letters", body = crate::out::LettersOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn person_letters(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
    _: ApiQuery<NoQuery>,
) -> Reply {
    let letters = st
        .app
        .query(
            &ctx.actor,
            q::LettersOf {
                person: PersonId(id),
            },
        )
        .await?;
    ok(crate::out::LettersOut {
        letters: letters.iter().map(crate::out::LetterOut::from).collect(),
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LettersQuery {
    /// to-print (the print queue) when left out; failed for the emails that could not be
    /// sent.
    #[param(value_type = Option<crate::out::LetterStatusWord>)]
    pub status: Option<String>,
}

/// The office's letters in one state, oldest first: the print queue (whoever prints and
/// posts them), or the emails that could not be sent, as the staff pages list them.
#[utoipa::path(get, path = "/letters", params(LettersQuery), responses((status = 200, description = "The letters", body = crate::out::LettersOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn letters_in(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiQuery(q): ApiQuery<LettersQuery>,
) -> Reply {
    use tact_core::correspondence::LetterStatus;
    let status = LetterStatus::parse_or(q.status.as_deref(), LetterStatus::ToPrint)?;
    let letters = st.app.query(&ctx.actor, q::LettersIn { status }).await?;
    ok(crate::out::LettersOut {
        letters: letters.iter().map(crate::out::LetterOut::from).collect(),
    })
}

/// One letter as kept.
#[utoipa::path(get, path = "/letters/{id}", params(("id" = i64, Path, description = "The record's id")), responses((status = 200, description = "The letter", body = crate::out::LetterOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn get_letter(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
    _: ApiQuery<NoQuery>,
) -> Reply {
    letter_reply(
        StatusCode::OK,
        &st.app.query(&ctx.actor, q::Letter { id }).await?,
    )
}

/// The letter as plain text.
#[utoipa::path(get, path = "/letters/{id}/text", params(("id" = i64, Path, description = "The record's id")), responses((status = 200, description = "Plain text", body = String, content_type = "text/plain"), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn letter_text(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
    _: ApiQuery<NoQuery>,
) -> Reply {
    let l = st.app.query(&ctx.actor, q::Letter { id }).await?;
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; charset=utf-8",
        )],
        l.text,
    )
        .into_response())
}

/// The letter as HTML, as an email carries it.
#[utoipa::path(get, path = "/letters/{id}/html", params(("id" = i64, Path, description = "The record's id")), responses((status = 200, description = "HTML", body = String, content_type = "text/html"), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn letter_html(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
    _: ApiQuery<NoQuery>,
) -> Reply {
    let l = st.app.query(&ctx.actor, q::Letter { id }).await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        l.html,
    )
        .into_response())
}

async fn letter_file(
    st: &AppState,
    ctx: &tact_app::Ctx,
    id: i64,
    doc: tact_app::letters::Document,
) -> Reply {
    let (bytes, media, name) = st
        .app
        .query(&ctx.actor, q::LetterDocument { id, doc })
        .await?;
    download(&name, media, bytes)
}

/// The letter as tagged PDF (large print where that is its format).
#[utoipa::path(get, path = "/letters/{id}/pdf", params(("id" = i64, Path, description = "The record's id")), responses((status = 200, description = "PDF", body = Vec<u8>, content_type = "application/pdf"), (status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 503, description = UNMADE, body = crate::out::ErrorOut, headers(("Retry-After" = u64, description = "When Tact was only busy: seconds to wait before asking again")))))]
pub async fn letter_pdf(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
    _: ApiQuery<NoQuery>,
) -> Reply {
    letter_file(&st, &ctx, id, tact_app::letters::Document::Pdf).await
}

/// The letter as a Word document.
#[utoipa::path(get, path = "/letters/{id}/docx", params(("id" = i64, Path, description = "The record's id")), responses((status = 200, description = "Word", body = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 503, description = UNMADE, body = crate::out::ErrorOut, headers(("Retry-After" = u64, description = "When Tact was only busy: seconds to wait before asking again")))))]
pub async fn letter_docx(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
    _: ApiQuery<NoQuery>,
) -> Reply {
    letter_file(&st, &ctx, id, tact_app::letters::Document::Docx).await
}

/// The letter in contracted UK English Braille (UEB grade 2), as a Braille Ready File:
/// ASCII Braille, 40 cells by 25 lines, for an embosser.
#[utoipa::path(get, path = "/letters/{id}/braille", params(("id" = i64, Path, description = "The record's id")), responses((status = 200, description = "Braille Ready File", body = Vec<u8>, content_type = "application/x-brf"), (status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 503, description = UNMADE, body = crate::out::ErrorOut, headers(("Retry-After" = u64, description = "When Tact was only busy: seconds to wait before asking again")))))]
pub async fn letter_braille(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
    _: ApiQuery<NoQuery>,
) -> Reply {
    letter_file(&st, &ctx, id, tact_app::letters::Document::Braille).await
}

/// The letter read aloud in British English, as an MP3.
#[utoipa::path(get, path = "/letters/{id}/audio", params(("id" = i64, Path, description = "The record's id")), responses((status = 200, description = "MP3", body = Vec<u8>, content_type = "audio/mpeg"), (status = "4XX", description = ERR, body = crate::out::ErrorOut), (status = 503, description = UNMADE, body = crate::out::ErrorOut, headers(("Retry-After" = u64, description = "When Tact was only busy: seconds to wait before asking again")))))]
pub async fn letter_audio(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
    _: ApiQuery<NoQuery>,
) -> Reply {
    letter_file(&st, &ctx, id, tact_app::letters::Document::Audio).await
}

/// New wording for a held letter: what is kept is what goes.
#[utoipa::path(put, path = "/letters/{id}", params(("id" = i64, Path, description = "The record's id")), request_body = LetterChangeReq, responses((status = 200, description = "Changed", body = crate::out::LetterOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn change_letter(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<LetterChangeReq>,
) -> Reply {
    letter_reply(
        StatusCode::OK,
        &st.app
            .execute(
                &ctx,
                cmd::ChangeLetter {
                    letter: id,
                    change: LetterChange::Typed {
                        subject: req.subject,
                        text: req.text,
                        how: "api",
                    },
                },
            )
            .await?,
    )
}

/// Lets a held letter go: email to the sending queue, post to the print queue.
#[utoipa::path(post, path = "/letters/{id}/release", params(("id" = i64, Path, description = "The record's id")), responses((status = 200, description = "Released", body = crate::out::LetterOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn release_letter(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
) -> Reply {
    letter_reply(
        StatusCode::OK,
        &st.app
            .execute(&ctx, cmd::ReleaseLetter { letter: id })
            .await?,
    )
}

/// A letter from the print queue was printed and posted.
#[utoipa::path(post, path = "/letters/{id}/printed", params(("id" = i64, Path, description = "The record's id")), responses((status = 200, description = "Posted", body = crate::out::LetterOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn letter_printed(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
) -> Reply {
    letter_reply(
        StatusCode::OK,
        &st.app
            .execute(&ctx, cmd::MarkPrinted { letter: id })
            .await?,
    )
}

// ----- messages, retention, subject access -----------------------------------------

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MessagesQuery {
    /// quarantine when left out.
    #[param(value_type = Option<crate::out::MessageRouteWord>)]
    pub route: Option<String>,
}

/// The messages that went one way, newest first (those who screen contact, CLE-9.10;
/// NOR-5.5).
#[utoipa::path(get, path = "/messages", params(MessagesQuery), responses((status = 200, description = "The messages", body = crate::out::MessagesOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn list_messages(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiQuery(q): ApiQuery<MessagesQuery>,
) -> Reply {
    use tact_core::correspondence::Route;
    let route = Route::parse_or(q.route.as_deref(), Route::Quarantine)?;
    let list = st
        .app
        .query(&ctx.actor, q::Messages { route, limit: 500 })
        .await?;
    ok(crate::out::MessagesOut {
        messages: list.iter().map(crate::out::MessageOut::from).collect(),
    })
}

/// One kept message, with its attachments listed.
#[utoipa::path(get, path = "/messages/{id}", params(("id" = i64, Path, description = "The record's id")), responses((status = 200, description = "The message", body = crate::out::MessageWithAttachmentsOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn get_message(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
    _: ApiQuery<NoQuery>,
) -> Reply {
    let (m, (_, atts)) = st
        .app
        .query(&ctx.actor, q::MessageWithContent { id })
        .await?;
    // The words are the contact's, read as the message page reads them: left out for a role
    // that may not read them, never for a read that fails.
    let text = match m.contact_id {
        Some(id) => st
            .app
            .query_if_allowed(&ctx.actor, q::Contact { id })
            .await?
            .map(|c| c.body),
        None => None,
    };
    ok(crate::out::MessageWithAttachmentsOut {
        message: crate::out::MessageOut::from(&m),
        text,
        attachments: atts
            .iter()
            .enumerate()
            .map(|(n, (name, kind, bytes))| crate::out::AttachmentOut {
                n,
                name: name.clone(),
                claimed_type: kind.clone(),
                bytes: bytes.len(),
            })
            .collect(),
    })
}

/// A file to download, never shown inline: the UI's own helper (its name made safe,
/// `nosniff`), so both doors send files the same way.
fn download(name: &str, media: &str, bytes: Vec<u8>) -> Reply {
    Ok(crate::ui_mail::download(name, media, bytes))
}

/// Every record of a kind as CSV, for the office's own reporting (the profile's
/// `export_records` roles; on the access log): people, matters, contacts, plans or
/// incidents. A kind that is none of these is a 404 naming them.
#[utoipa::path(get, path = "/export/{kind}", params(("kind" = crate::out::ExportKindWord, Path, description = "Which records")), responses((status = 200, description = "The records as CSV", body = String, content_type = "text/csv"), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn export_records(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(kind): ApiPath<String>,
    _: ApiQuery<NoQuery>,
) -> Reply {
    let kind = tact_app::export::ExportKind::named(&kind)?;
    let bytes = st.app.query(&ctx.actor, q::Export { kind }).await?;
    Ok(crate::ui_governance::csv_download(kind, bytes))
}

/// The message exactly as received.
#[utoipa::path(get, path = "/messages/{id}/raw", params(("id" = i64, Path, description = "The record's id")), responses((status = 200, description = "The message as received", body = Vec<u8>, content_type = "message/rfc822"), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn message_raw(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
    _: ApiQuery<NoQuery>,
) -> Reply {
    let (_, (raw, _)) = st
        .app
        .query(&ctx.actor, q::MessageWithContent { id })
        .await?;
    download(&format!("message-{id}.eml"), "message/rfc822", raw)
}

/// Marks a received letter or email as threatening or abusive (CLE-4.6; NOR-3.2): the behaviour is
/// recorded against it, and a manager is asked to create a plan. A quarantined message is on
/// nobody's record (409).
#[utoipa::path(post, path = "/messages/{id}/threatening", params(("id" = i64, Path, description = "The record's id")), request_body = ThreateningReq, responses((status = 201, description = "Recorded, with the tasks raised", body = crate::out::IncidentRecordedOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn mark_threatening(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::MarkThreatening>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ThreateningReq>,
) -> Reply {
    let m = st.app.query(&ctx.actor, q::Message { id }).await?;
    let contact = tact_core::correspondence::on_record(&st.app.profile, &m)?;
    let (i, tasks) = st
        .app
        .execute(
            &ctx,
            cmd::MarkThreatening {
                contact,
                category: req.category,
                description: req.description,
            },
        )
        .await?;
    created(crate::out::IncidentRecordedOut {
        incident: wire::incident(&i),
        tasks: tasks.iter().map(|t| t.0).collect(),
    })
}

/// Files a message from an unknown sender under the person it is from; only such a message
/// can be matched (409 otherwise).
#[utoipa::path(post, path = "/messages/{id}/match", params(("id" = i64, Path, description = "The record's id")), request_body = MatchReq, responses((status = 200, description = "Matched", body = crate::out::MessageOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn match_message(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::MatchMessage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<MatchReq>,
) -> Reply {
    let m = st
        .app
        .execute(
            &ctx,
            cmd::MatchMessage {
                message: id,
                person: PersonId(req.person_id),
                keep_address: req.keep_address,
            },
        )
        .await?;
    ok(crate::out::MessageOut::from(&m))
}

/// One attachment, by its number in the message's list; only ever as a download.
#[utoipa::path(get, path = "/messages/{id}/attachments/{n}", params(("id" = i64, Path, description = "The record's id"), ("n" = usize, Path, description = "The attachment's number, from 0")), responses((status = 200, description = "The attachment", body = Vec<u8>, content_type = "application/octet-stream"), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn message_attachment(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath((id, n)): ApiPath<(i64, usize)>,
    _: ApiQuery<NoQuery>,
) -> Reply {
    let (_, (_, atts)) = st
        .app
        .query(&ctx.actor, q::MessageWithContent { id })
        .await?;
    let (name, _, bytes) = atts.into_iter().nth(n).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("message {id} has no attachment {n}"),
        )
    })?;
    download(
        &name.unwrap_or_else(|| format!("attachment-{}", n + 1)),
        "application/octet-stream",
        bytes,
    )
}

/// The retention dry run (NOR-9.1): whose records are due for disposal today. Nothing is
/// destroyed by asking (the DPO).
#[utoipa::path(get, path = "/retention/due", responses((status = 200, description = "Due for disposal", body = crate::out::DueListOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn retention_due(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    _: ApiQuery<NoQuery>,
) -> Reply {
    let due = st.app.query(&ctx.actor, q::DueForDisposal {}).await?;
    ok(crate::out::DueListOut { due: due.wire() })
}

/// Whether a person has equality monitoring answers on record (never what they are).
#[utoipa::path(get, path = "/people/{id}/equality", params(("id" = i64, Path, description = "The record's id")), responses((status = 200, description = "Whether answers are recorded", body = crate::out::EqualityHeldOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn equality_held(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
    _: ApiQuery<NoQuery>,
) -> Reply {
    let recorded = st
        .app
        .query(
            &ctx.actor,
            q::HasEquality {
                person: PersonId(id),
            },
        )
        .await?;
    ok(crate::out::EqualityHeldOut {
        person_id: id,
        recorded,
    })
}

/// Records a person's equality monitoring answers with their consent, in place of any
/// before (CLE-8.4; NOR-1.4). Kept apart from their record; only counts are read back.
#[utoipa::path(put, path = "/people/{id}/equality", params(("id" = i64, Path, description = "The record's id")), request_body = EqualityReq, responses((status = 200, description = "Recorded", body = crate::out::EqualityHeldOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn record_equality(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::RecordEquality>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<EqualityReq>,
) -> Reply {
    let mut answers = std::collections::BTreeMap::new();
    for (question, answer) in req.answers {
        let c = tact_core::equality::Characteristic::parse(&question)
            .map_err(|e| e.with_field("answers"))?;
        answers.insert(c, answer);
    }
    st.app
        .execute(
            &ctx,
            cmd::RecordEquality {
                person: PersonId(id),
                consent: req.consent,
                answers,
            },
        )
        .await?;
    ok(crate::out::EqualityHeldOut {
        person_id: id,
        recorded: true,
    })
}

/// Deletes a person's equality monitoring answers: they withdrew their consent. None
/// recorded is a 404.
#[utoipa::path(delete, path = "/people/{id}/equality", params(("id" = i64, Path, description = "The record's id")), responses((status = 200, description = "Deleted", body = crate::out::EqualityHeldOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn withdraw_equality(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::WithdrawEquality>,
    ApiPath(id): ApiPath<i64>,
) -> Reply {
    st.app
        .execute(
            &ctx,
            cmd::WithdrawEquality {
                person: PersonId(id),
            },
        )
        .await?;
    ok(crate::out::EqualityHeldOut {
        person_id: id,
        recorded: false,
    })
}

/// The equality monitoring report (CLE-8.4; NOR-1.4): every answer to every question, with
/// how many gave it and were warned, restricted or given an adjustment; a count of fewer
/// than 5 is withheld (the DPO and the head of standards).
#[utoipa::path(get, path = "/equality", responses((status = 200, description = "The report", body = crate::out::EqualityReportOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn equality_report(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    _: ApiQuery<NoQuery>,
) -> Reply {
    let report = st.app.query(&ctx.actor, q::EqualityReport {}).await?;
    ok(crate::out::EqualityReportOut::from(&report))
}

/// The disposal (NOR-9.1): destroys the records of everyone the dry run lists, each person
/// in one transaction and on the disposal register (the DPO). `confirm` must be true: it
/// cannot be undone.
#[utoipa::path(post, path = "/retention/dispose", request_body = DisposeReq, responses((status = 200, description = "What was destroyed", body = crate::out::DisposedListOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn retention_dispose(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::DisposeDue>,
    ApiJson(req): ApiJson<DisposeReq>,
) -> Reply {
    let disposed = st
        .app
        .execute(
            &ctx,
            cmd::DisposeDue {
                confirm: req.confirm,
            },
        )
        .await?;
    ok(crate::out::DisposedListOut {
        disposed: disposed.wire(),
    })
}

/// The disposal register (NOR-9.1), newest first: what was destroyed, when and by whom,
/// without the data (the DPO).
#[utoipa::path(get, path = "/retention/register", responses((status = 200, description = "The disposal register", body = crate::out::RegisterOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn retention_register(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    _: ApiQuery<NoQuery>,
) -> Reply {
    let rows = st
        .app
        .query(&ctx.actor, q::DisposalRegister { limit: 1000 })
        .await?;
    ok(crate::out::RegisterOut {
        register: rows.wire(),
    })
}

/// Every legal hold in place (NOR-9.1): whose records are kept past their disposal date,
/// why, and who placed it when; the longest-standing first (the DPO).
#[utoipa::path(get, path = "/retention/holds", responses((status = 200, description = "The holds in place", body = crate::out::HoldListOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn retention_holds(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    _: ApiQuery<NoQuery>,
) -> Reply {
    let holds = st.app.query(&ctx.actor, q::HoldsInPlace {}).await?;
    ok(crate::out::HoldListOut {
        holds: holds.wire(),
    })
}

/// Where one person's records stand under the retention rule (NOR-9.1): the day they fall
/// due for disposal, whether that is today or past, or why they are kept (the DPO).
#[utoipa::path(get, path = "/people/{id}/retention", params(("id" = i64, Path, description = "The record's id")), responses((status = 200, description = "Where their records stand", body = crate::out::DisposalOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn person_retention(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
    _: ApiQuery<NoQuery>,
) -> Reply {
    let d = st
        .app
        .query(
            &ctx.actor,
            q::DisposalOf {
                person: PersonId(id),
            },
        )
        .await?;
    ok(crate::out::DisposalOut::of(
        &d,
        tact_core::check::uk_date(st.app.now()),
    ))
}

/// The legal hold in place on a person's records, if any (NOR-9.1).
#[utoipa::path(get, path = "/people/{id}/hold", params(("id" = i64, Path, description = "The record's id")), responses((status = 200, description = "The hold in place, or null", body = crate::out::HoldOnOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn hold_on(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
    _: ApiQuery<NoQuery>,
) -> Reply {
    let hold = st
        .app
        .query(
            &ctx.actor,
            q::Hold {
                person: PersonId(id),
            },
        )
        .await?;
    ok(crate::out::HoldOnOut {
        hold: hold.map(|h| crate::out::HoldOut::of(id, h)),
    })
}

/// Places a legal hold (NOR-9.1): the person's records are kept past their disposal date
/// until it is lifted (the DPO).
#[utoipa::path(post, path = "/people/{id}/hold", params(("id" = i64, Path, description = "The record's id")), request_body = HoldReq, responses((status = 201, description = "Placed", body = crate::out::HoldOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn place_hold(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::PlaceHold>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<HoldReq>,
) -> Reply {
    let hold = st
        .app
        .execute(
            &ctx,
            cmd::PlaceHold {
                person: PersonId(id),
                reason: req.reason,
            },
        )
        .await?;
    created(crate::out::HoldOut::of(id, hold))
}

/// Lifts a legal hold (NOR-9.1): the person's records go by the retention rules again (the
/// DPO). No such hold is a 404; one lifted already is a 409.
#[utoipa::path(post, path = "/holds/{id}/lift", params(("id" = i64, Path, description = "The hold's id")), responses((status = 200, description = "Lifted", body = crate::out::HoldLiftedOut), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn lift_hold(
    State(st): State<AppState>,
    Permitted(ctx, _): Permitted<cmd::LiftHold>,
    ApiPath(id): ApiPath<i64>,
) -> Reply {
    st.app.execute(&ctx, cmd::LiftHold { hold: id }).await?;
    ok(crate::out::HoldLiftedOut { id, lifted: true })
}

/// Subject access (UK GDPR): everything held about a person as one zip (the DPO).
#[utoipa::path(get, path = "/people/{id}/subject-access", params(("id" = i64, Path, description = "The record's id")), responses((status = 200, description = "A zip of their records, letters, messages and logs", body = Vec<u8>, content_type = "application/zip"), (status = "4XX", description = ERR, body = crate::out::ErrorOut)))]
pub async fn subject_access(
    State(st): State<AppState>,
    Auth(ctx): Auth,
    ApiPath(id): ApiPath<i64>,
    _: ApiQuery<NoQuery>,
) -> Reply {
    let files = crate::export::subject_access(&st.app, &ctx, PersonId(id)).await?;
    let zip = crate::export::zip(&files)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    download(&format!("subject-access-{id}.zip"), "application/zip", zip)
}
