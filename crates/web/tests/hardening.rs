//! Hardening at the door (issue 12): security headers on every response, no caching of
//! personal data, a JSON body on every API refusal, and rate limits that answer 429 with
//! Retry-After — through the real server on loopback.

use reqwest::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, RETRY_AFTER,
    STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tact_core::roles::Role;
use tact_web::harden::Limits;

struct Door {
    base: String,
    http: reqwest::Client,
    token: String,
    other: String,
}

async fn door(limits: Limits) -> Door {
    let url = tact_store::testing::sqlite_url();
    let app = tact_app::testing::app(&url, "cleveland-opcc").await;
    let cas = tact_app::testing::staff(&app, "Cas Worker", Role::Caseworker).await;
    let ann = tact_app::testing::staff(&app, "Ann Other", Role::Caseworker).await;
    app.set_credentials(None, cas.id, "cas", "a long enough password")
        .await
        .unwrap();
    let token = app.issue_token(None, cas.id, "t").await.unwrap();
    let other = app.issue_token(None, ann.id, "t").await.unwrap();
    let base = tact_web::serve_state_on_loopback(tact_web::AppState::limited(app, limits)).await;
    Door {
        base,
        http: reqwest::Client::new(),
        token,
        other,
    }
}

impl Door {
    async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut rb = self.http.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        rb.send().await.unwrap()
    }
}

fn header(r: &reqwest::Response, name: reqwest::header::HeaderName) -> String {
    r.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The API's error body: `{"error": {"message": …}}`.
async fn refusal(r: reqwest::Response) -> Value {
    assert!(
        header(&r, CONTENT_TYPE).starts_with("application/json"),
        "{:?}",
        r.headers()
    );
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{v}"
    );
    v
}

#[tokio::test]
async fn every_response_has_the_security_headers_and_nothing_personal_is_cached() {
    let d = door(Limits::default()).await;
    let pages = [
        d.get("/sign-in", None).await,
        d.get("/api/v1/profile", Some(&d.token)).await,
        d.get("/api/v1/people/1", Some(&d.token)).await,
        d.get("/healthz", None).await,
        d.get("/assets/tact.css", None).await,
        d.get("/no/such/page", None).await,
    ];
    for r in &pages {
        let csp = header(r, CONTENT_SECURITY_POLICY);
        assert!(csp.contains("frame-ancestors 'none'"), "{} {csp}", r.url());
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(header(r, X_FRAME_OPTIONS), "DENY");
        assert_eq!(header(r, X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(header(r, REFERRER_POLICY), "no-referrer");
        // Served over plain HTTP: no HSTS.
        assert_eq!(header(r, STRICT_TRANSPORT_SECURITY), "", "{}", r.url());
    }
    for r in [&pages[0], &pages[1], &pages[2]] {
        assert_eq!(header(r, CACHE_CONTROL), "no-store", "{}", r.url());
    }
    assert!(header(&pages[4], CACHE_CONTROL).contains("max-age"));
    // Behind an HTTPS proxy, HSTS is sent.
    let r = d
        .http
        .get(format!("{}/sign-in", d.base))
        .header("X-Forwarded-Proto", "https")
        .send()
        .await
        .unwrap();
    assert!(header(&r, STRICT_TRANSPORT_SECURITY).contains("max-age="));
    // The page has no inline script for the policy to allow.
    let html = d.get("/sign-in", None).await.text().await.unwrap();
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert!(!scripts.is_empty());
    for s in scripts {
        let tag = s.split('>').next().unwrap();
        assert!(tag.contains("src="), "an inline script: <script{s}");
    }
}

/// A fault in Tact while answering (a handler that panics) is a 500 that says so — JSON at
/// the API, the service's problem page in the staff UI, with the security headers — and
/// the server goes on answering; it was a dropped connection.
#[tokio::test]
async fn a_fault_while_answering_is_a_500_that_says_so_at_each_door() {
    let d = door(Limits::default()).await;
    let r = d.get("/api/v1/testing/fault", Some(&d.token)).await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(header(&r, X_CONTENT_TYPE_OPTIONS).contains("nosniff"));
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("a fault in Tact")),
        "{v}"
    );
    let r = d.get("/testing/fault", None).await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Sorry, there is a problem with the service"),
        "{html}"
    );
    // And goes on answering.
    let r = d.get("/api/v1/profile", Some(&d.token)).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn every_api_refusal_is_json_404_405_413_and_431_included() {
    let d = door(Limits::default()).await;
    let r = d.get("/api/v1/no-such-thing", Some(&d.token)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    refusal(r).await;

    let r = d
        .http
        .request(Method::DELETE, format!("{}/api/v1/profile", d.base))
        .bearer_auth(&d.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(header(&r, reqwest::header::ALLOW).contains("GET"));
    refusal(r).await;
    // A plan's steps answer the same under both words for a plan, routed from one place.
    for word in ["plans", "strategies"] {
        let r = d
            .http
            .request(
                Method::DELETE,
                format!("{}/api/v1/{word}/1/propose", d.base),
            )
            .bearer_auth(&d.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED, "{word}");
        assert!(
            header(&r, reqwest::header::ALLOW).contains("POST"),
            "{word}"
        );
        refusal(r).await;
        let r = d
            .get(&format!("/api/v1/{word}/1/no-such-step"), Some(&d.token))
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{word}");
        refusal(r).await;
    }

    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(tact_web::MAX_BODY + 10));
    let r = d
        .http
        .post(format!("{}/api/v1/people", d.base))
        .bearer_auth(&d.token)
        .header(CONTENT_TYPE, "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    refusal(r).await;

    let r = d
        .http
        .get(format!("{}/api/v1/profile", d.base))
        .bearer_auth(&d.token)
        .header(
            "X-Padding",
            "p".repeat(tact_web::harden::MAX_HEADER_BYTES + 1),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    refusal(r).await;
}

/// A body is a JSON object, as the API's document gives every one. serde reads a struct
/// from an array of its fields in order too, so `["Jo Array", [], …]` made a person and
/// `[null, null]` was a change to a member of staff that changed nothing, with a 200. The
/// same holds for an object within the body.
#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_refused_and_nothing_is_written() {
    let d = door(Limits::default()).await;
    let post = |path: &str, body: &str| {
        d.http
            .post(format!("{}/api/v1{path}", d.base))
            .bearer_auth(&d.token)
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
    };
    let people = async || {
        let v: Value = d
            .get("/api/v1/people?q=Jo", Some(&d.token))
            .await
            .json()
            .await
            .unwrap();
        v["people"].as_array().map_or(0, Vec::len)
    };
    let before = people().await;
    for body in [
        r#"["Jo Array",[],[],null,null,null,null,false,[]]"#,
        "[]",
        r#""Jo Array""#,
        "42",
        "null",
    ] {
        let r = post("/people", body).await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{body}");
        let v = refusal(r).await;
        assert_eq!(v["error"]["field"], "body", "{body}: {v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("JSON object"),
            "{body}: {v}"
        );
    }
    // Within a body too: an advocate (an object) sent as the array of its fields.
    let r = post(
        "/people",
        r#"{"name": "Jo Nested", "advocate": ["Al Advocate", null, null, null]}"#,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v = refusal(r).await;
    assert_eq!(v["error"]["field"], "advocate", "{v}");
    let after = people().await;
    assert_eq!(after, before, "no person was made");
    // Malformed JSON is still said as it was, and an object is still read.
    let r = post("/people", "{\"name\": ").await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v = refusal(r).await;
    assert!(
        v["error"]["message"].as_str().unwrap().contains("EOF"),
        "{v}"
    );
    let r = post("/people", r#" {"name": "Jo Object"}"#).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let now = people().await;
    assert_eq!(now, before + 1, "the count counts");
}

#[tokio::test]
async fn a_token_past_its_burst_gets_429_with_retry_after_and_others_go_on() {
    let d = door(Limits {
        api_per_second: 1,
        api_burst: 5,
        ..Limits::default()
    })
    .await;
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..12 {
        let r = d.get("/api/v1/profile", Some(&d.token)).await;
        statuses.push(r.status().as_u16());
        if r.status() == StatusCode::TOO_MANY_REQUESTS && limited.is_none() {
            limited = Some(r);
        }
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        5,
        "{statuses:?}"
    );
    let r = limited.expect("a 429");
    let wait: u64 = header(&r, RETRY_AFTER).parse().unwrap();
    assert!(wait >= 1);
    refusal(r).await;
    // Another member of staff's token has its own allowance.
    assert_eq!(d.get("/api/v1/profile", Some(&d.other)).await.status(), 200);
}

#[tokio::test]
async fn guessing_tokens_is_limited_per_address() {
    let d = door(Limits {
        bad_tokens_per_minute: 5,
        ..Limits::default()
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..10 {
        let r = d
            .get("/api/v1/profile", Some(&format!("tact_guess{i}")))
            .await;
        statuses.push(r.status().as_u16());
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(header(&r, RETRY_AFTER).parse::<u64>().unwrap() >= 1);
            refusal(r).await;
        }
    }
    assert_eq!(statuses[..5], [401; 5], "{statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
}

#[tokio::test]
async fn signing_in_is_limited_per_address() {
    let d = door(Limits {
        sign_in_per_minute: 3,
        ..Limits::default()
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let r = d
            .http
            .post(format!("{}/sign-in", d.base))
            .form(&[("username", "cas"), ("password", "wrong"), ("csrf", "x")])
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(header(&r, RETRY_AFTER).parse::<u64>().unwrap() >= 1);
        }
    }
    assert!(statuses[..3].iter().all(|s| *s != 429), "{statuses:?}");
    assert!(statuses[3..].iter().all(|s| *s == 429), "{statuses:?}");
    // The sign-in page itself is still shown.
    assert_eq!(d.get("/sign-in", None).await.status(), 200);
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_contact_checks_by_verdict_and_name_nobody() {
    let d = door(Limits::default()).await;
    assert_eq!(d.get("/api/v1/profile", Some(&d.token)).await.status(), 200);
    let r = d
        .get(
            "/api/v1/contact-check?phone=%2B447911123999",
            Some(&d.token),
        )
        .await;
    assert_eq!(r.status(), 200);
    d.get("/api/v1/people/424242", Some(&d.token)).await;
    let r = d.get("/metrics", None).await;
    assert_eq!(r.status(), 200);
    assert!(header(&r, CONTENT_TYPE).starts_with("text/plain"));
    let text = r.text().await.unwrap();
    let has = |needle: &str| {
        assert!(text.contains(needle), "no {needle} in:\n{text}");
    };
    has("tact_http_requests_total{");
    has("route=\"/api/v1/profile\"");
    has("route=\"/api/v1/contact-check\"");
    has("tact_http_request_duration_seconds_bucket{");
    has("tact_contact_check_verdicts_total{outcome=");
    has("tact_contact_check_duration_seconds_bucket{source=");
    // The route's template, never the path with its id.
    has("route=\"/api/v1/people/{id}\"");
    assert!(!text.contains("424242"), "an id in the metrics");
    assert!(!text.contains("7911123999"), "a number in the metrics");
}

#[tokio::test]
async fn every_answer_has_a_request_id_and_a_sane_one_sent_is_kept() {
    let d = door(Limits::default()).await;
    let made = header(
        &d.get("/sign-in", None).await,
        "x-request-id".parse().unwrap(),
    );
    assert_eq!(made.len(), 16, "{made}");
    let other = header(
        &d.get("/sign-in", None).await,
        "x-request-id".parse().unwrap(),
    );
    assert_ne!(made, other);
    let send = |id: &'static str| {
        d.http
            .get(format!("{}/healthz", d.base))
            .header("X-Request-Id", id)
            .send()
    };
    let kept = send("lb-1234_abcd").await.unwrap();
    assert_eq!(
        header(&kept, "x-request-id".parse().unwrap()),
        "lb-1234_abcd"
    );
    let replaced = send("<script>alert(1)</script>").await.unwrap();
    let id = header(&replaced, "x-request-id".parse().unwrap());
    assert_eq!(id.len(), 16, "{id}");
}

#[tokio::test]
async fn static_assets_are_compressed_versioned_and_cached_long() {
    let d = door(Limits::default()).await;
    let html = d.get("/sign-in", None).await.text().await.unwrap();
    let href = html
        .split("href=\"")
        .map(|s| s.split('"').next().unwrap())
        .find(|h| h.ends_with("govuk-frontend.min.css"))
        .expect("a link to the stylesheet")
        .to_string();
    assert!(href.starts_with("/assets/v/"), "{href}");
    let plain = d.get(&href, None).await.bytes().await.unwrap().len();
    for encoding in ["br", "gzip"] {
        let r = d
            .http
            .get(format!("{}{href}", d.base))
            .header(reqwest::header::ACCEPT_ENCODING, encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, reqwest::header::CONTENT_ENCODING), encoding);
        assert!(header(&r, CACHE_CONTROL).contains("max-age=31536000"));
        assert!(header(&r, CACHE_CONTROL).contains("immutable"));
        let sent = r.bytes().await.unwrap().len();
        assert!(sent * 3 < plain, "{encoding}: {sent} of {plain} bytes");
    }
    // Pages themselves are not compressed (a page holds its form token).
    let r = d
        .http
        .get(format!("{}/sign-in", d.base))
        .header(reqwest::header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&r, reqwest::header::CONTENT_ENCODING), "");
}

#[tokio::test]
async fn readyz_is_503_while_a_migration_is_missing() {
    let url = tact_store::testing::sqlite_url();
    let app = tact_app::testing::app(&url, "cleveland-opcc").await;
    let base = tact_web::serve_on_loopback(app).await;
    let http = reqwest::Client::new();
    let ready = || http.get(format!("{base}/readyz")).send();
    let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while ready().await.unwrap().status() != 200 {
        assert!(std::time::Instant::now() < until, "never ready");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let store = tact_store::Store::open(&url).await.unwrap();
    tact_store::testing::forget_newest_migration(&store)
        .await
        .unwrap();
    let r = ready().await.unwrap();
    assert_eq!(r.status(), 503);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["problem"]
            .as_str()
            .unwrap()
            .contains("migrations not applied"),
        "{v}"
    );
}
