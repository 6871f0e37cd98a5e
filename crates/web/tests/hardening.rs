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
    let cas = app
        .create_staff(None, "Cas Worker", Role::Caseworker, None, None)
        .await
        .unwrap();
    let ann = app
        .create_staff(None, "Ann Other", Role::Caseworker, None, None)
        .await
        .unwrap();
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
