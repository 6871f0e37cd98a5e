//! Monitoring (issue 12): Prometheus metrics at `/metrics` through the `metrics` facade,
//! and a request id and a request log line for every request.
//!
//! The request log names the route's template (`/api/v1/people/{id}`), never the path or
//! its query, which can hold a phone number or an email address; no line carries personal
//! data. The id comes from a sane `X-Request-Id` the caller sent (a load balancer's), or is
//! made here, and goes back in the answer's `X-Request-Id`; every line logged while the
//! request is answered carries it, in the `request` span.
//!
//! Metric names (all prefixed `tact_`):
//! - `http_requests_total{route,method,status}`, `http_request_duration_seconds{route,method}`
//! - `contact_check_duration_seconds{source}`, `contact_check_verdicts_total{outcome}`
//! - `contact_writer_queue`, `contact_writer_batch_size`
//! - `mail_polls_total{result}`, `mail_messages_total{outcome}`
//! - `letters_sent_total`, `letters_failed_total`, `jobs_run_total{job}`

use axum::extract::{MatchedPath, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use tracing::Instrument;

/// Seconds, for every latency histogram: from a tenth of a millisecond to ten seconds.
const BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// The process's Prometheus recorder, installed on first use. Should another recorder be
/// installed already, metrics go there and this one renders nothing.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets(BUCKETS)
            .expect("buckets are given");
        let h = match builder.install_recorder() {
            Ok(h) => h,
            Err(e) => {
                tracing::warn!(error = %e, "a metrics recorder is installed already");
                PrometheusBuilder::new().build_recorder().handle()
            }
        };
        // Histogram samples wait in buckets until upkeep folds them in: without it they
        // would pile up for as long as nobody scrapes /metrics.
        let upkeep = h.clone();
        let _ = std::thread::Builder::new()
            .name("tact-metrics-upkeep".into())
            .spawn(move || loop {
                std::thread::sleep(std::time::Duration::from_secs(5));
                upkeep.run_upkeep();
            });
        h
    })
}

/// `GET /metrics`: every metric in Prometheus's text format.
pub async fn metrics() -> Response {
    let h = handle();
    h.run_upkeep();
    (
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        h.render(),
    )
        .into_response()
}

/// A caller's request id, if it is one we may echo: 1 to 64 letters, digits, `-` or `_`.
fn sane(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The middleware every request passes through first: its id, its span, its log line and
/// its metrics.
pub async fn observe(req: Request, next: Next) -> Response {
    handle();
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| sane(v))
        .map_or_else(|| hex::encode(rand::random::<[u8; 8]>()), str::to_string);
    let method = req.method().as_str().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let span = tracing::info_span!("request", id = %id);
    let started = std::time::Instant::now();
    let mut resp = next.run(req).instrument(span.clone()).await;
    let took = started.elapsed();
    let status = resp.status().as_u16();
    span.in_scope(|| {
        tracing::info!(
            method = %method,
            route = %route,
            status,
            ms = took.as_secs_f64() * 1000.0,
            "answered"
        );
    });
    metrics::counter!(
        "tact_http_requests_total",
        "route" => route.clone(),
        "method" => method.clone(),
        "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!(
        "tact_http_request_duration_seconds",
        "route" => route,
        "method" => method
    )
    .record(took.as_secs_f64());
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}
