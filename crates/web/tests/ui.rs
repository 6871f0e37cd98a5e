//! The staff web UI over HTTP: sign-in, sessions, CSRF, lockout, and the pages staff use
//! when a contact arrives. (Browser tests with Playwright come with the rest of issue 3.)

use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::json;
use tact_app::App;
use tact_core::roles::Role;
use tact_store::{testing, Table};

const PASSWORD: &str = "a long enough password";

struct Ui {
    base: String,
    http: reqwest::Client,
    app: App,
}

impl Ui {
    async fn spawn() -> Self {
        Self::serving(tact_app::testing::app(&testing::sqlite_url(), "cleveland-opcc").await).await
    }

    /// Cleveland's office on a clock the test moves (`app.clock`).
    async fn on_a_fixed_clock() -> Self {
        Self::serving(
            tact_app::testing::app_on_a_fixed_clock(&testing::sqlite_url(), "cleveland-opcc").await,
        )
        .await
    }

    /// `app` served on a loopback port, to a client that does not follow redirects.
    async fn serving(app: App) -> Self {
        let base = tact_web::serve_on_loopback(app.clone()).await;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self { base, http, app }
    }

    /// Writes a row Tact cannot read, as damage outside Tact would: `sql` with `$1` bound
    /// to `id`.
    async fn spoil(&self, sql: &str, id: i64) {
        sqlx::query(sql)
            .bind(id)
            .execute(self.app.store().pool())
            .await
            .unwrap();
    }

    async fn staff(&self, name: &str, username: &str, role: Role) -> (i64, String) {
        let s = self
            .app
            .create_staff(None, name, role, None, None)
            .await
            .unwrap();
        self.app
            .set_credentials(None, s.id, username, PASSWORD)
            .await
            .unwrap();
        (s.id.0, self.app.issue_token(None, s.id, "t").await.unwrap())
    }

    /// The sign-in page's form token and its cookie.
    async fn form(&self) -> (String, String) {
        let r = self
            .http
            .get(format!("{}/sign-in", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let cookie = r
            .headers()
            .get(SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let html = r.text().await.unwrap();
        let token = after(&html, "name=\"csrf\" value=\"");
        (token, cookie)
    }

    async fn sign_in(&self, username: &str, password: &str) -> reqwest::Response {
        let (token, cookie) = self.form().await;
        self.http
            .post(format!("{}/sign-in", self.base))
            .header(COOKIE, cookie)
            .form(&[
                ("username", username),
                ("password", password),
                ("csrf", &token),
            ])
            .send()
            .await
            .unwrap()
    }

    async fn session(&self, username: &str) -> String {
        let r = self.sign_in(username, PASSWORD).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        r.headers()
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap())
            .find(|v| v.starts_with("tact_session="))
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    }

    /// The response to a GET of `path` with the session cookie `session` ("" for none),
    /// redirects not followed.
    async fn get(&self, session: &str, path: &str) -> reqwest::Response {
        let mut r = self.http.get(format!("{}{path}", self.base));
        if !session.is_empty() {
            r = r.header(COOKIE, session);
        }
        r.send().await.unwrap()
    }

    async fn page(&self, session: &str, path: &str) -> (StatusCode, String) {
        let r = self.get(session, path).await;
        (r.status(), r.text().await.unwrap())
    }
}

#[tokio::test]
async fn sign_in_sets_a_secure_httponly_samesite_session_and_sign_out_ends_it() {
    let ui = Ui::spawn().await;
    ui.staff("Cas Worker", "cas", Role::Caseworker).await;
    let r = ui.sign_in("CAS", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers().get(LOCATION).unwrap(), "/");
    let set = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("tact_session="))
        .unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(set.contains(flag), "{flag} missing from {set}");
    }
    let session = set.split(';').next().unwrap().to_string();
    let (s, html) = ui.page(&session, "/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Your tasks") && html.contains("Cleveland OPCC"));
    assert!(
        !html.to_lowercase().contains("gov.uk"),
        "no GOV.UK branding"
    );
    let csrf = after(&html, "name=\"csrf\" value=\"");
    // Signing out needs the form's CSRF token.
    let bad = ui
        .http
        .post(format!("{}/sign-out", ui.base))
        .header(COOKIE, &session)
        .form(&[("csrf", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::FORBIDDEN);
    let out = ui
        .http
        .post(format!("{}/sign-out", ui.base))
        .header(COOKIE, &session)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let (s, _) = ui.page(&session, "/").await;
    assert_eq!(s, StatusCode::SEE_OTHER, "the old session no longer works");
}

#[tokio::test]
async fn pages_need_a_session_and_a_sign_in_without_its_form_token_is_refused() {
    let ui = Ui::spawn().await;
    ui.staff("Cas Worker", "cas", Role::Caseworker).await;
    for path in ["/", "/incoming", "/people", "/people/1"] {
        let r = ui.get("", path).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.headers().get(LOCATION).unwrap(), "/sign-in");
    }
    let r = ui
        .http
        .post(format!("{}/sign-in", ui.base))
        .form(&[
            ("username", "cas"),
            ("password", PASSWORD),
            ("csrf", "forged"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .all(|v| !v.to_str().unwrap().starts_with("tact_session=")));
    // Without its token at all, the form has expired: not "enter your username and
    // password", which were given.
    let r = ui
        .http
        .post(format!("{}/sign-in", ui.base))
        .header("x-forwarded-proto", "https")
        .form(&[("username", "cas"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains("Your session expired"), "{html}");
    assert!(!html.contains("HTTPS"), "{html}");
    // Over plain HTTP, where a browser drops Tact's Secure cookies, it says why a sign-in
    // that always "expires" does, and what to do.
    let r = ui
        .http
        .post(format!("{}/sign-in", ui.base))
        .form(&[("username", "cas"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Your session expired. Sign in again. If this happens every time: Tact&#39;s cookies are sent only over HTTPS")
            && html.contains("TACT_COOKIE_SECURE=false"),
        "{html}"
    );
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account_and_unknown_and_locked_look_the_same() {
    let ui = Ui::spawn().await;
    ui.staff("Cas Worker", "cas", Role::Caseworker).await;
    ui.staff("Ann Other", "ann", Role::Caseworker).await;
    // The error summary alone: the page also echoes the username typed.
    let problem = |html: String| {
        html.split("govuk-error-summary__list")
            .nth(1)
            .and_then(|s| s.split("</ul>").next())
            .expect("an error summary")
            .to_string()
    };
    let wrong = ui.sign_in("ann", "not the password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let wrong = problem(wrong.text().await.unwrap());
    let unknown = ui.sign_in("nobody", PASSWORD).await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(problem(unknown.text().await.unwrap()), wrong);
    for _ in 0..tact_app::MAX_FAILED_SIGN_INS {
        let r = ui.sign_in("cas", "not the password").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused while locked, with the very same answer.
    let r = ui.sign_in("cas", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(problem(r.text().await.unwrap()), wrong);
    // Another account is not locked by it.
    assert_eq!(
        ui.sign_in("ann", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn cle_9_9_the_incoming_contact_page_tells_staff_what_to_say_to_a_restricted_caller() {
    let ui = Ui::spawn().await;
    let (_, cw) = ui.staff("Cas Worker", "cas", Role::Caseworker).await;
    let (_, lm) = ui.staff("Lee Manager", "lee", Role::LineManager).await;
    let (_, sm) = ui.staff("Sam Senior", "sam", Role::SeniorManager).await;
    let api = |token: String, path: &str, body: serde_json::Value| {
        let req = ui
            .http
            .post(format!("{}/api/v1{path}", ui.base))
            .bearer_auth(token)
            .json(&body);
        async move {
            let r = req.send().await.unwrap();
            assert!(r.status().is_success(), "{}", r.text().await.unwrap());
            r.json::<serde_json::Value>().await.unwrap()
        }
    };
    let p = api(
        cw.clone(),
        "/people",
        json!({"name": "Jo Bloggs", "phones": ["07911 123123"]}),
    )
    .await;
    let pid = p["id"].as_i64().unwrap();
    let m = api(
        cw.clone(),
        &format!("/people/{pid}/matters"),
        json!({"kind": "complaint", "title": "T"}),
    )
    .await;
    api(cw.clone(), "/incidents", json!({"person_id": pid, "category": "unreasonable-persistence", "description": "Twelve calls"})).await;
    api(lm.clone(), &format!("/people/{pid}/warnings"), json!({"what_is_wrong": "a", "how_to_change": "b", "consequence": "c", "channel": "letter"})).await;
    let due = (tact_core::check::uk_date(jiff::Timestamp::now()) + jiff::Span::new().days(30))
        .to_string();
    let s = api(lm.clone(), &format!("/people/{pid}/strategies"), json!({"matter_ids": [m["id"]], "restrictions": [{"kind": "single-channel", "channel": "email", "reason": "Calls were abusive"}], "reasons": "r", "aims": "a", "proportionality": "p", "review_due": due})).await;
    let sid = s["id"].as_i64().unwrap();
    let answers: Vec<_> = ui.app.profile.checklist.questions.iter().map(|q| json!({"question_id": q.id, "answer": if q.shortfall_if == tact_core::profile::Answer::No { "yes" } else { "no" }, "reason": "checked"})).collect();
    api(
        lm.clone(),
        &format!("/strategies/{sid}/checklist"),
        json!({"answers": answers}),
    )
    .await;
    api(lm.clone(), &format!("/strategies/{sid}/propose"), json!({})).await;
    api(
        sm.clone(),
        &format!("/strategies/{sid}/authorise"),
        json!({"reason": "ok"}),
    )
    .await;

    let session = ui.session("cas").await;
    // CLE-9.6: until Jo is told of it in writing the strategy restricts nothing, and the
    // page says it is coming.
    let (s, html) = ui
        .page(&session, "/incoming?who=07911+123123&channel=phone")
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains("does not allow this contact"), "{html}");
    assert!(
        html.contains("they have not yet been told of it in writing"),
        "{html}"
    );
    // The person page agrees: no restrictions in force yet, and why.
    let (_, page) = ui.page(&session, &format!("/people/{pid}")).await;
    assert!(
        !page.contains("A contact strategy is in force")
            && page.contains(&format!("Contact strategy {sid} has been decided, but they have not yet been told of it in writing")),
        "{page}"
    );
    api(lm.clone(), &format!("/strategies/{sid}/notice"), json!({"channel": "letter", "agreement_sought": true, "agreement_given": false, "policy_enclosed": true})).await;
    let (s, html) = ui
        .page(&session, "/incoming?who=07911+123123&channel=phone")
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("does not allow this contact"), "{html}");
    assert!(html.contains("please contact us by email only"));
    assert!(html.contains("Jo Bloggs"));
    assert!(
        html.contains("If the caller becomes abusive"),
        "CLE-4.4 words before ending a call"
    );
    // Issue 13: the verdict and what to say come before the form to check another, and
    // "Log this call" opens the contact form filled in.
    let verdict_at = html.find("does not allow this contact").unwrap();
    let say_at = html.find("What to say").unwrap();
    let form_at = html.find("action=\"/incoming\"").unwrap();
    assert!(verdict_at < say_at && say_at < form_at, "{html}");
    let log =
        format!("/people/{pid}/contact?channel=phone&amp;direction=inbound&amp;who=07911%20123123");
    assert!(html.contains(&format!("href=\"{log}\"")), "{html}");
    let (s, form) = ui.page(&session, &log.replace("&amp;", "&")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        form.contains("<option value=\"phone\" selected>"),
        "the channel is filled in: {form}"
    );
    // Whatever the link says is what the form starts from.
    let (_, form) = ui
        .page(&session, &format!("/people/{pid}/contact?channel=letter"))
        .await;
    assert!(
        form.contains("<option value=\"letter\" selected>")
            && !form.contains("<option value=\"phone\" selected>"),
        "{form}"
    );
    // The person page opens with the banner.
    let (_, html) = ui.page(&session, &format!("/people/{pid}")).await;
    assert!(html.contains("A contact strategy is in force"));
    assert!(html.contains("contact by email only"));
    // The plan's card on the page starts each restriction with a capital, as its own page.
    assert!(
        html.contains("<li>Contact by email only — Calls were abusive</li>"),
        "{html}"
    );
    // The plan's full history, from the event log, with who decided and the clause.
    assert!(
        html.contains("plan authorised") && html.contains("Sam Senior"),
        "history shows the authorisation"
    );
    assert!(
        html.contains("[CLE-7.2]"),
        "history shows the checklist answers with their clause"
    );
    // Bad input: a clear error, not a crash.
    let (s, html) = ui.page(&session, "/incoming?who=call+me").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(html.contains("govuk-error-summary"));
    // A channel that is not one is an error, not read as the phone (as the API's 400).
    let (s, html) = ui
        .page(&session, "/incoming?who=07911+123999&channel=pigeon")
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        html.contains(
            "is not a way of making contact: choose phone, email, letter, visit, web-form"
        ),
        "{html}"
    );
    let (s, _) = ui.page(&session, "/people/99999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // CLE-8.1: an unknown caller prompts the question about additional help.
    let (_, html) = ui.page(&session, "/incoming?who=07911+123999").await;
    assert!(html.contains("additional help"));
    // Issue 10, CLE-10.4: a withheld caller who gives their reference, or their matter's
    // (however typed), is answered as them, and the contact form it links to carries no
    // number; a reference that names no one is an error on the box, as the API's 422.
    let (_, html) = ui.page(&session, "/incoming?who=withheld").await;
    assert!(
        html.contains("check again with the reference they give"),
        "{html}"
    );
    let mid = m["id"].as_i64().unwrap();
    for who in [format!("SU-{pid:06}"), format!("m+{mid}")] {
        let (s, html) = ui
            .page(&session, &format!("/incoming?who={who}&channel=phone"))
            .await;
        assert_eq!(s, StatusCode::OK, "{who}: {html}");
        assert!(
            html.contains("does not allow this contact"),
            "{who}: {html}"
        );
        assert!(html.contains("Jo Bloggs"), "{who}: {html}");
        let log = format!("href=\"/people/{pid}/contact?channel=phone&amp;direction=inbound\"");
        assert!(html.contains(&log), "{who}: {html}");
    }
    let (s, html) = ui.page(&session, "/incoming?who=SU-999999").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains("govuk-error-summary")
            && html.contains("Nothing has the reference SU-999999"),
        "{html}"
    );
}

/// What the incoming-contact page says to do with an abusive caller is each office's own
/// policy, from core: Cleveland's warning and reason first (CLE-4.4), Northamptonshire's
/// hold or end (NOR-6.1). Only a phone call has it.
#[tokio::test]
async fn cle_4_4_and_nor_6_1_the_incoming_page_says_what_to_do_with_an_abusive_caller() {
    for (profile, said, not_said, clause) in [
        (
            "cleveland-opcc",
            "say exactly why, and warn them that you will end the call if it continues",
            "hold",
            "Policy: CLE-4.4",
        ),
        (
            "northamptonshire-opfcc",
            "If the call is aggressive, abusive or offensive, you may put them on hold or end the call.",
            "warn them",
            "Policy: NOR-6.1",
        ),
    ] {
        let ui = Ui::spawn_under(profile).await;
        let (_, token) = ui.staff("Cas Worker", "cas", Role::Caseworker).await;
        let cas = ui.session("cas").await;
        let (s, html) = ui
            .page(&cas, "/incoming?who=07911+123999&channel=phone")
            .await;
        assert_eq!(s, StatusCode::OK);
        // A caller known and unrestricted: no clause to cite, and no empty "Policy:" line.
        ui.api(&token, "/people", json!({"name": "Jo Bloggs", "phones": ["07911 123124"]}))
            .await;
        let (_, known) = ui
            .page(&cas, "/incoming?who=07911+123124&channel=phone")
            .await;
        assert!(
            known.contains("You can deal with this contact") && !known.contains("Policy: </p>"),
            "{profile}: {known}"
        );
        let section = html
            .split("If the caller becomes abusive")
            .nth(1)
            .and_then(|rest| rest.split("</details>").next())
            .unwrap_or_else(|| panic!("{profile}: no section: {html}"));
        assert!(section.contains(said), "{profile}: {section}");
        assert!(!section.contains(not_said), "{profile}: {section}");
        assert!(section.contains(clause), "{profile}: {section}");
        assert!(
            section.contains("log the call as ended, with the reason"),
            "{profile}: {section}"
        );
        assert!(!section.contains('{'), "{profile}: a placeholder: {section}");
        let (_, html) = ui
            .page(&cas, "/incoming?who=jo%40example.org&channel=email")
            .await;
        assert!(!html.contains("If the caller becomes abusive"), "{profile}");
    }
}

/// Issue 11: an address the UI cannot read is a page, not axum's plain text or an empty
/// body: an id that is not a number and an address no page answers are "Page not found"
/// (404) with the staff member's menu; a query value that does not read, or text with a
/// control character in a form or a query (which PostgreSQL cannot keep), or a form with a
/// question answered twice, is a 400 page saying which.
#[tokio::test]
async fn an_address_that_does_not_read_is_a_page_with_the_right_status() {
    let ui = Ui::spawn().await;
    ui.staff("Cas Worker", "cas", Role::Caseworker).await;
    let cas = ui.session("cas").await;
    for path in [
        "/plans/x",
        "/letters/x",
        "/tasks/1.5",
        "/no-such-page",
        "/people/x",
    ] {
        let (s, html) = ui.page(&cas, path).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {html}");
        assert!(html.contains("<title>Page not found"), "{path}: {html}");
        assert!(html.contains("Sign out"), "{path}: the page keeps its menu");
    }
    // Text the database cannot keep is a 400 page naming the field, as the API's 400.
    let r = ui
        .post_form(&cas, "/people/new", &[("name", "Jo\u{0}Bloggs")])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("control character (U+0000)") && html.contains("name"),
        "{html}"
    );
    let (s, html) = ui.page(&cas, "/people?q=Jo%00").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("control character (U+0000)"), "{html}");
    // A question answered twice is not a form Tact made: neither answer is taken, and
    // nothing is written.
    let r = ui
        .post_form(
            &cas,
            "/people/new",
            &[("name", "Jo Twice"), ("name", "Someone Else")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("The form could not be read"));
    let (_, found) = ui.page(&cas, "/people?q=Twice").await;
    assert!(!found.contains("Jo Twice"), "{found}");
    // More than a server reads in one request is refused as too long, saying how much a
    // form may send, and nothing is written.
    let long = format!("Jo Toolong {}", "x".repeat(tact_web::MAX_BODY));
    let r = ui.post_form(&cas, "/people/new", &[("name", &long)]).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("What you typed is too long") && html.contains("at most 1 MB"),
        "{html}"
    );
    let (_, found) = ui.page(&cas, "/people?q=Toolong").await;
    assert!(!found.contains("Jo Toolong"), "{found}");
    let (s, html) = ui.page(&cas, "/people/1?history=-3").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("<title>There is a problem"), "{html}");
    assert!(html.contains("history"), "{html}");
    // Signed out, an unknown address is still the page, without a menu.
    let (s, html) = ui.page("", "/no-such-page").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(html.contains("<title>Page not found") && !html.contains("Sign out"));
    // The API keeps its JSON answer.
    let r = ui.get(&cas, "/api/v1/no-such-thing").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().starts_with("{\"error\""));
}

impl Ui {
    /// Posts a form as the signed-in member of staff, with their session's CSRF token.
    async fn post_form(
        &self,
        session: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let (_, home) = self.page(session, "/").await;
        let token = after(&home, "name=\"csrf\" value=\"");
        let mut body: Vec<(&str, &str)> = fields.to_vec();
        body.push(("csrf", &token));
        self.post_as_is(session, path, &body).await
    }

    /// Posts `body` to `path` with the session cookie, as it is (no form token added).
    async fn post_as_is(
        &self,
        session: &str,
        path: &str,
        body: &[(&str, &str)],
    ) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, session)
            .form(body)
            .send()
            .await
            .unwrap()
    }

    /// Posts a form that must come back refused as bad input (400), with the error summary
    /// pointing at `field` and naming `clause`; gives the page.
    async fn refused_on(
        &self,
        session: &str,
        path: &str,
        fields: &[(&str, &str)],
        field: &str,
        clause: &str,
    ) -> String {
        self.refused_with(
            StatusCode::BAD_REQUEST,
            session,
            path,
            fields,
            field,
            clause,
        )
        .await
    }

    /// [`Ui::refused_on`] for a refusal with another status: 409 where the record's state
    /// refuses the step, as the API answers.
    async fn refused_with(
        &self,
        status: StatusCode,
        session: &str,
        path: &str,
        fields: &[(&str, &str)],
        field: &str,
        clause: &str,
    ) -> String {
        let r = self.post_form(session, path, fields).await;
        assert_eq!(r.status(), status);
        let html = r.text().await.unwrap();
        assert!(
            html.contains(&format!("href=\"#{field}\"")) && html.contains(clause),
            "refused on {field} citing {clause}: {html}"
        );
        // Where the field is a question on the form, it is said beside the answer too.
        if html.contains(&format!("id=\"{field}\" name=\"{field}\"")) {
            assert!(
                html.contains(&format!(
                    "<p id=\"{field}-error\" class=\"govuk-error-message\">"
                )),
                "said beside {field}: {html}"
            );
        }
        html
    }

    /// The server's API client, as the tests' staff use it.
    fn client(&self) -> tact_web::TestClient {
        let (base, http) = (self.base.clone(), self.http.clone());
        tact_web::TestClient { base, http }
    }

    /// What `GET /api/v1{path}` answers `token`, as JSON.
    async fn api_get(&self, token: &str, path: &str) -> serde_json::Value {
        let (status, answer) = self
            .client()
            .ask(reqwest::Method::GET, token, path, None)
            .await;
        assert_eq!(status, 200, "GET {path}: {answer}");
        answer
    }

    async fn api(&self, token: &str, path: &str, body: serde_json::Value) -> serde_json::Value {
        let r = self
            .http
            .post(format!("{}/api/v1{path}", self.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        r.json().await.unwrap()
    }
}

/// Staff in three roles and one person with a matter, warned, ready for a plan.
struct Case {
    cw: String,
    lm: String,
    sm: String,
    pid: i64,
    mid: i64,
}

async fn case(ui: &Ui) -> Case {
    let (_, cw) = ui.staff("Cas Worker", "cas", Role::Caseworker).await;
    let (_, lm) = ui.staff("Lee Manager", "lee", Role::LineManager).await;
    let (_, sm) = ui.staff("Sam Senior", "sam", Role::SeniorManager).await;
    let p = ui
        .api(
            &cw,
            "/people",
            json!({"name": "Jo Bloggs", "phones": ["07911 123123"], "emails": ["jo@example.org"]}),
        )
        .await;
    let pid = p["id"].as_i64().unwrap();
    let m = ui
        .api(
            &cw,
            &format!("/people/{pid}/matters"),
            json!({"kind": "complaint", "title": "T"}),
        )
        .await;
    ui.api(&cw, "/incidents", json!({"person_id": pid, "category": "unreasonable-persistence", "description": "Twelve calls"})).await;
    ui.api(&lm, &format!("/people/{pid}/warnings"), json!({"what_is_wrong": "a", "how_to_change": "b", "consequence": "c", "channel": "letter"})).await;
    Case {
        cw,
        lm,
        sm,
        pid,
        mid: m["id"].as_i64().unwrap(),
    }
}

impl Case {
    /// A plan in force for the case's person and matter: one channel only, drafted by the
    /// line manager, checklist answered, proposed and authorised by the senior manager.
    async fn plan_in_force(&self, ui: &Ui, channel: &str, reasons: &str) -> i64 {
        let sid = self.draft(ui, channel, reasons).await;
        ui.client().into_force(&self.lm, &self.sm, sid).await;
        sid
    }

    /// A draft plan for the case's person and matter, by the line manager: one channel
    /// only, reviewed in 30 days.
    async fn draft(&self, ui: &Ui, channel: &str, reasons: &str) -> i64 {
        self.draft_by(ui, &self.lm, channel, reasons).await
    }

    /// [`Case::draft`] by the member of staff whose token is `by`.
    async fn draft_by(&self, ui: &Ui, by: &str, channel: &str, reasons: &str) -> i64 {
        let due = (tact_core::check::uk_date(jiff::Timestamp::now()) + jiff::Span::new().days(30))
            .to_string();
        let s = ui.api(by, &format!("/people/{}/plans", self.pid), json!({"matter_ids": [self.mid], "restrictions": [{"kind": "single-channel", "channel": channel, "reason": "Calls were abusive"}], "reasons": reasons, "aims": "a", "proportionality": "p", "review_due": due})).await;
        s["id"].as_i64().unwrap()
    }

    async fn answer_and_propose(&self, ui: &Ui, sid: i64) {
        ui.client().answer_and_propose(&self.lm, sid).await;
    }

    /// A reasonable adjustment of `kind`, asked for by the caseworker and granted by the
    /// line manager (CLE-8.3).
    async fn granted(&self, ui: &Ui, kind: &str, description: &str) -> serde_json::Value {
        let a = ui
            .api(
                &self.cw,
                &format!("/people/{}/adjustments", self.pid),
                json!({"kind": kind, "description": description}),
            )
            .await;
        ui.api(
            &self.lm,
            &format!("/adjustments/{}/decision", a["id"]),
            json!({"grant": true, "reasons": "We can do that"}),
        )
        .await;
        a
    }
}

#[tokio::test]
async fn cle_9_9_the_plan_form_sets_several_restrictions_and_authorising_clears_the_request() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let lee = ui.session("lee").await;
    // The single point of contact is chosen from those who deal with contact: never an
    // auditor, nor a service account (CLE-9.9).
    let (aud, _) = ui.staff("Aud Itor", "aud", Role::Auditor).await;
    let (form_status, form) = ui.page(&lee, &format!("/people/{}/plan", c.pid)).await;
    assert_eq!(form_status, StatusCode::OK);
    assert!(
        form.contains("Cas Worker (caseworker)") && !form.contains("Aud Itor"),
        "{form}"
    );
    assert!(aud > 0);
    let due = (tact_core::check::uk_date(jiff::Timestamp::now()) + jiff::Span::new().days(30))
        .to_string();
    let mid = c.mid.to_string();
    let base = [
        ("matter_id", mid.as_str()),
        ("call-window__use", "yes"),
        (
            "call-window__windows",
            "Tuesday 10:00-12:00\nThursday 14:00 to 15:30",
        ),
        ("call-window__max_calls_per_window", "1"),
        ("call-window__reason", "Calls all day"),
        ("blocked-identifier__use", "yes"),
        (
            "blocked-identifier__identifier",
            "jo@example.org\n07911 123123",
        ),
        ("blocked-identifier__reason", "Abusive messages"),
        ("reasons", "Persistent calls after a warning"),
        ("aims", "Handle the complaint"),
        ("proportionality", "Two call times a week remain"),
        ("review_due", due.as_str()),
    ];
    // A form sent and refused: the page that comes back.
    let path = format!("/people/{}/plan", c.pid);
    async fn refused(ui: &Ui, lee: &str, path: &str, bad: &[(&str, &str)]) -> String {
        let r = ui.post_form(lee, path, bad).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        r.text().await.unwrap()
    }
    // The form with one box changed.
    let changed = |at: usize, to: (&'static str, &'static str)| {
        let mut bad = base.to_vec();
        bad[at] = to;
        bad
    };
    // A call time that cannot be read comes back on its own box, with the line.
    let bad = changed(2, ("call-window__windows", "Tuesday 10:00-12:00\nwhenever"));
    let html = refused(&ui, &lee, &path, &bad).await;
    assert!(html.contains("href=\"#call-window__windows\""), "{html}");
    assert!(html.contains("Line 2"));
    assert!(html.contains("whenever"), "what was typed is kept");
    // No calls a window is not a number of calls: it says what it takes, on its own box.
    let bad = changed(3, ("call-window__max_calls_per_window", "0"));
    let html = refused(&ui, &lee, &path, &bad).await;
    assert!(
        html.contains("href=\"#call-window__max_calls_per_window\"")
            && html.contains("Expected a whole number of 1 or more, got 0"),
        "{html}"
    );
    // Nothing ticked: core's refusal, in the API's words, on the form's first box (CLE-9.9).
    let none: Vec<(&str, &str)> = base
        .iter()
        .filter(|(n, _)| !n.ends_with("__use"))
        .copied()
        .collect();
    let html = refused(&ui, &lee, &path, &none).await;
    let first = ui.app.profile.restrictions[0].kind.as_str();
    assert!(
        html.contains("ontact strategy needs at least one restriction: choose one")
            && html.contains(&format!("href=\"#{first}__use\"")),
        "{html}"
    );
    // A choice the form did not offer is an error on its own select, never read as "none"
    // (a plan with no matter) or as record 0 (issue 11); so is the point of contact left
    // at the list's first line, "Choose a member of staff", not read as whoever is first.
    assert!(
        form.contains("<option value=\"\" selected>Choose a member of staff</option>"),
        "{form}"
    );
    for (kind, k, v) in [
        (None, "matter_id", "abc"),
        (
            Some("single-point-of-contact"),
            "single-point-of-contact__staff_id",
            "someone",
        ),
        (
            Some("single-point-of-contact"),
            "single-point-of-contact__staff_id",
            "",
        ),
        (Some("no-reopening"), "no-reopening__matter_id", "0x1"),
    ] {
        let ticked: Vec<(String, &str)> = kind.map_or_else(Vec::new, |kind| {
            vec![
                (format!("{kind}__use"), "yes"),
                (format!("{kind}__reason"), "Because"),
            ]
        });
        let mut bad: Vec<(&str, &str)> = base.iter().filter(|(n, _)| *n != k).copied().collect();
        bad.extend(ticked.iter().map(|(n, v)| (n.as_str(), *v)));
        bad.push((k, v));
        let r = ui
            .post_form(&lee, &format!("/people/{}/plan", c.pid), &bad)
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{k}={v}");
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!("href=\"#{k}\"")), "{k}={v}: {html}");
    }
    // Core's refusal of one restriction is on that restriction's own box in the builder,
    // not on the form's first: a number blocked twice (as written two ways) on the numbers,
    // refusing to reopen a matter still open on the matter chosen (CLE-9.9).
    let bad = changed(
        6,
        (
            "blocked-identifier__identifier",
            "jo@example.org\n07911 123123\n+447911123123",
        ),
    );
    let html = refused(&ui, &lee, &path, &bad).await;
    assert!(
        html.contains("href=\"#blocked-identifier__identifier\"")
            && html.contains("repeats restriction"),
        "{html}"
    );
    let mut reopen = base.to_vec();
    reopen.extend([
        ("no-reopening__use", "yes"),
        ("no-reopening__matter_id", mid.as_str()),
        ("no-reopening__same_matter", "yes"),
        ("no-reopening__no_new_substantive_evidence", "yes"),
        ("no-reopening__properly_handled", "yes"),
        ("no-reopening__note", "Answered in full in May"),
        ("no-reopening__reason", "Asked again and again"),
    ]);
    let clause = &ui.app.profile.clauses.no_reopening_grounds;
    let html = ui
        .refused_with(
            StatusCode::CONFLICT,
            &lee,
            &path,
            &reopen,
            "no-reopening__matter_id",
            clause,
        )
        .await;
    assert!(html.contains("still open"), "{html}");
    // Nothing was written by the refused forms.
    let (_, page) = ui.page(&lee, &format!("/people/{}", c.pid)).await;
    assert!(!page.contains("/plans/"), "{page}");

    let r = ui
        .post_form(&lee, &format!("/people/{}/plan", c.pid), &base)
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let plan = r.headers()[LOCATION].to_str().unwrap().to_string();
    let sid: i64 = plan.rsplit('/').next().unwrap().parse().unwrap();
    let s = ui
        .app
        .plan_as_stored(tact_core::ids::PlanId(sid))
        .await
        .unwrap();
    assert_eq!(s.restrictions.len(), 3, "{:?}", s.restrictions);
    match &s.restrictions[0].rule {
        tact_core::model::Rule::CallWindow {
            windows,
            max_calls_per_window,
            ..
        } => {
            assert_eq!(windows.len(), 2);
            assert_eq!(*max_calls_per_window, Some(1));
        }
        other => panic!("{other:?}"),
    }
    let (_, html) = ui.page(&lee, &plan).await;
    assert!(html.contains("Tuesday"), "{html}");

    // The senior manager sees the request to authorise until it is decided.
    c.answer_and_propose(&ui, sid).await;
    // Evidence to weigh (CLE-6.3): four calls today, and a new complaint that re-words one
    // already finalised.
    for i in 0..4 {
        ui.api(&c.cw, "/contacts", json!({"person_id": c.pid, "channel": "phone", "summary": format!("Called again, call {i}"), "duration_seconds": if i == 0 { 4500 } else { 0 }})).await;
    }
    let old = ui.api(&c.cw, &format!("/people/{}/matters", c.pid), json!({"kind": "complaint", "title": "Police did not investigate the burglary at my flat"})).await;
    ui.api(&c.lm, &format!("/matters/{}/status", old["id"]), json!({"status": "finalised", "finalised_on": tact_core::check::uk_date(jiff::Timestamp::now()).to_string()})).await;
    ui.api(&c.cw, &format!("/people/{}/matters", c.pid), json!({"kind": "complaint", "title": "The burglary at my flat was not investigated by the police"})).await;
    let sam = ui.session("sam").await;
    let (_, home) = ui.page(&sam, "/").await;
    assert!(home.contains("Authorisations waiting"), "{home}");
    // The decision form shows what is being decided, and says whose rule it is.
    let (_, form) = ui.page(&sam, &format!("/plans/{sid}/decision")).await;
    assert!(
        form.contains("Reasons: Persistent calls after a warning"),
        "{form}"
    );
    assert!(form.contains("Jo Bloggs") && form.contains("Tuesday"));
    assert!(form.contains("a local rule") && !form.contains("(LOCAL)"));
    // Issue 13: a check-your-answers page with the evidence the decision rests on.
    for must in [
        "Check the evidence",
        // Who proposed it.
        "Proposed by</dt>",
        "Lee Manager, ",
        // The incident, with its category, and the warning in its own words.
        "Twelve calls",
        "Unreasonable persistence",
        "What is wrong: a",
        // Every checklist answer with its reason.
        &ui.app.profile.checklist.questions[0].text,
        "checked",
        // Their contact over time beside the office's usual, as a chart and as figures.
        "class=\"tact-chart\"",
        "usual for anyone else in contact: 0 a week.",
        "In the last 4 weeks: 1 a week.",
        // The patterns CLE-6.3 names, as numbers.
        "4 calls, 75 minutes in all",
        "Complaints that closely re-word one already finalised",
        "The burglary at my flat was not investigated by the police",
        "Police did not investigate the burglary at my flat",
        // The letter they will receive, as they will see it.
        "The letter they will receive",
        "Dear Jo Bloggs,",
    ] {
        assert!(form.contains(must), "{must}\n{form}");
    }
    let r = ui
        .post_form(
            &sam,
            &format!("/plans/{sid}/decision"),
            &[("decision", "authorise"), ("reason", "Proportionate")],
        )
        .await;
    // Authorised, it binds nothing until they are told in writing, and the page says so.
    let page = ui.followed(&sam, &r).await;
    assert!(
        page.contains(&format!(
            "Contact strategy {sid} has been decided, but they have not yet been told of it in \
             writing: until they are, deal with them as usual (CLE-9.6)."
        )),
        "{page}"
    );
    let (_, home) = ui.page(&sam, "/").await;
    assert!(
        !home.contains("Authorisations waiting"),
        "authorising closes the request: {home}"
    );
    // The change form opens with the plan's own restrictions ticked and filled.
    let (_, html) = ui.page(&sam, &format!("/plans/{sid}/vary")).await;
    assert!(html.contains("Thursday 14:00-15:30"), "{html}");
    assert!(html.contains("07911 123123") || html.contains("+447911123123"));
    // Every step on the plan is captioned alike: the plan, under its person's name (linked
    // to their page), each once.
    for step in ["vary", "review", "lift", "dispute", "letter"] {
        let (status, html) = ui.page(&sam, &format!("/plans/{sid}/{step}")).await;
        assert_eq!(status, StatusCode::OK, "{step}");
        let captions: Vec<&str> = html
            .split("class=\"govuk-caption-l\">")
            .skip(1)
            .filter_map(|c| c.split("</span>").next())
            .collect();
        assert_eq!(
            captions,
            [
                format!(
                    "<a class=\"govuk-link\" href=\"/people/{}\">Jo Bloggs (SU-{:06})</a>",
                    c.pid, c.pid
                ),
                format!("Contact strategy {sid}")
            ],
            "{step}"
        );
    }
}

/// Issue 11 (a page offers only what will be allowed; CLE-10.4): applying a plan to another
/// matter is offered, on the plan's page and in the API's steps, only once the person has
/// another matter it can take.
#[tokio::test]
async fn issue_11_applying_a_plan_is_offered_only_where_another_matter_can_take_it() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let sid = c
        .plan_in_force(&ui, "letter", "Abuse after a warning")
        .await;
    let sam = ui.session("sam").await;
    let apply = format!("href=\"/plans/{sid}/apply\"");
    let steps = |plan: serde_json::Value| -> Vec<String> {
        plan["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    let (_, page) = ui.page(&sam, &format!("/plans/{sid}")).await;
    assert!(!page.contains(&apply), "{page}");
    let (_, plan) = ui
        .client()
        .ask(reqwest::Method::GET, &c.sm, &format!("/plans/{sid}"), None)
        .await;
    assert!(steps(plan.clone()).contains(&"vary".to_string()), "{plan}");
    assert!(
        !steps(plan.clone()).contains(&"apply-to-matter".to_string()),
        "{plan}"
    );
    ui.api(
        &c.cw,
        &format!("/people/{}/matters", c.pid),
        json!({"kind": "complaint", "title": "Another"}),
    )
    .await;
    let (_, page) = ui.page(&sam, &format!("/plans/{sid}")).await;
    assert!(page.contains(&apply), "{page}");
    let (_, plan) = ui
        .client()
        .ask(reqwest::Method::GET, &c.sm, &format!("/plans/{sid}"), None)
        .await;
    assert!(
        steps(plan.clone()).contains(&"apply-to-matter".to_string()),
        "{plan}"
    );
}

/// Issue 11 (a page links only what will be allowed; the authoriser-not-proposer rule, a
/// local rule on Cleveland and NOR-6.2): a senior manager who proposed a
/// plan sees the request to authorise it listed on their home page for the team, not linked
/// to a decision they may not take, and why; another senior manager's page links it.
#[tokio::test]
async fn issue_11_a_plan_one_proposed_is_listed_not_linked_on_their_home_and_person_pages() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    ui.staff("Sol Other", "sol", Role::SeniorManager).await;
    let sid = c.draft_by(&ui, &c.sm, "letter", "r").await;
    ui.client().answer_and_propose(&c.sm, sid).await;
    let decision = format!("href=\"/plans/{sid}/decision\"");
    let (_, home) = ui.page(&ui.session("sam").await, "/").await;
    assert!(
        home.contains("Decide whether to authorise the proposed contact strategy")
            && !home.contains(&decision)
            && home.contains(
                "Not for you: The person who proposed a contact strategy may not decide it."
            ),
        "{home}"
    );
    // Their page lists it the same way, and links it for whoever may decide it.
    let person = format!("/people/{}", c.pid);
    let (_, page) = ui.page(&ui.session("sam").await, &person).await;
    assert!(
        page.contains(
            "<li>Decide whether to authorise the proposed contact strategy — for a senior manager"
        ) && page
            .contains("Not for you: The person who proposed a contact strategy may not decide it.")
            && !page.contains(&decision),
        "{page}"
    );
    let (_, home) = ui.page(&ui.session("sol").await, "/").await;
    assert!(home.contains(&decision), "{home}");
    let (_, page) = ui.page(&ui.session("sol").await, &person).await;
    assert!(
        page.contains(&format!("<li><a class=\"govuk-link\" {decision}>Decide whether to authorise the proposed contact strategy</a> — for a senior manager")),
        "{page}"
    );
    // A line manager, who oversees the team's tasks but does not hold this one, sees it
    // listed, not linked to a form that would refuse them.
    let (_, page) = ui.page(&ui.session("lee").await, &person).await;
    assert!(
        page.contains(
            "<li>Decide whether to authorise the proposed contact strategy — for a senior manager"
        ) && !page.contains(&decision),
        "{page}"
    );
}

/// CLE-9.9: a plan can require contact through an advocate, so staff record who speaks for
/// a person on the person forms: the advocate is named (core's refusal, beside the answer),
/// their number is matched to the person when they call, the forms that change or correct
/// the details start from them, and unticking takes them away.
#[tokio::test]
async fn cle_9_9_an_advocate_is_recorded_on_the_person_forms_and_their_calls_are_matched() {
    let ui = Ui::spawn().await;
    ui.staff("Cas Worker", "cas", Role::Caseworker).await;
    let cas = ui.session("cas").await;
    let (_, form) = ui.page(&cas, "/people/new").await;
    assert!(
        form.contains("Someone speaks or writes for them (an advocate)")
            && form.contains("name=\"advocate__name\""),
        "{form}"
    );
    let jo = [
        ("name", "Jo Bloggs"),
        ("phones", "07911 123999"),
        ("preferred_format", "standard"),
        ("advocate", "yes"),
    ];
    let with =
        |more: &[(&'static str, &'static str)]| jo.iter().chain(more).copied().collect::<Vec<_>>();
    let html = ui
        .refused_on(
            &cas,
            "/people/new",
            &with(&[("advocate__name", "  ")]),
            "advocate__name",
            "",
        )
        .await;
    assert!(
        html.contains("Enter the name of the person who speaks for them"),
        "{html}"
    );
    ui.refused_on(
        &cas,
        "/people/new",
        &with(&[("advocate__name", "Sam Support"), ("advocate__phone", "12")]),
        "advocate__phone",
        "",
    )
    .await;
    let r = ui
        .post_form(
            &cas,
            "/people/new",
            &with(&[
                ("advocate__name", "Sam Support"),
                ("advocate__organisation", "Tees Advocacy"),
                ("advocate__phone", "01642 301653"),
                ("advocate__email", "sam@advocacy.example"),
            ]),
        )
        .await;
    let person = redirected(&r);
    let page = ui.followed(&cas, &r).await;
    assert!(page.contains("Sam Support"), "{page}");
    // A call from the advocate's number is theirs.
    let (_, html) = ui
        .page(&cas, "/incoming?who=01642+301653&channel=phone")
        .await;
    assert!(
        html.contains("Jo Bloggs"),
        "the advocate's call is matched: {html}"
    );
    // Their page says who speaks for them, and the format as the form offered it.
    let (_, page) = ui.page(&cas, &person).await;
    assert!(
        page.contains("Sam Support, Tees Advocacy, 01642 301653, sam@advocacy.example")
            && page.contains("<dd class=\"govuk-summary-list__value\">Standard print</dd>"),
        "{page}"
    );
    // The change form starts from the advocate held; unticked, they are taken away.
    let (_, form) = ui.page(&cas, &format!("{person}/details")).await;
    assert!(
        form.contains("value=\"Sam Support\"")
            && form.contains(
                "id=\"advocate\" name=\"advocate\" type=\"checkbox\" value=\"yes\" checked"
            ),
        "{form}"
    );
    let r = ui
        .post_form(
            &cas,
            &format!("{person}/details"),
            &[
                ("name", "Jo Bloggs"),
                ("phones", "07911 123999"),
                ("preferred_format", "standard"),
            ],
        )
        .await;
    let page = ui.followed(&cas, &r).await;
    assert!(!page.contains("Sam Support"), "{page}");
    let (_, html) = ui
        .page(&cas, "/incoming?who=01642+301653&channel=phone")
        .await;
    assert!(!html.contains("Jo Bloggs"), "{html}");
}

/// CLE-9.9: under a plan that requires contact through an advocate, a call from the
/// advocate's number is allowed, and logging it from the incoming-contact page's link keeps
/// it so: the form carries the number it came from, and the contact is not a breach. A call
/// from the person's own number is.
#[tokio::test]
async fn cle_9_9_a_call_from_their_advocate_logged_from_the_incoming_page_is_no_breach() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let (s, _) = ui
        .client()
        .ask(
            reqwest::Method::PATCH,
            &c.cw,
            &format!("/people/{}", c.pid),
            Some(json!({"advocate": {"name": "Sam Support", "phone": "01642 301653"}})),
        )
        .await;
    assert_eq!(s, 200);
    let due = (tact_core::check::uk_date(jiff::Timestamp::now()) + jiff::Span::new().days(30))
        .to_string();
    let plan = ui.api(&c.lm, &format!("/people/{}/plans", c.pid), json!({"matter_ids": [c.mid], "restrictions": [{"kind": "advocate-only", "reason": "Calls were abusive"}], "reasons": "r", "aims": "a", "proportionality": "p", "review_due": due})).await;
    let sid = plan["id"].as_i64().unwrap();
    ui.client().into_force(&c.lm, &c.sm, sid).await;
    let cas = ui.session("cas").await;
    let log_from = |who: &'static str| {
        let (ui, cas) = (&ui, cas.clone());
        async move {
            let (_, html) = ui
                .page(&cas, &format!("/incoming?who={who}&channel=phone"))
                .await;
            let link = format!(
                "/people/{}/contact?channel=phone&amp;direction=inbound&amp;who={}",
                c.pid,
                who.replace('+', "%20")
            );
            assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
            let (_, form) = ui.page(&cas, &link.replace("&amp;", "&")).await;
            let typed = who.replace('+', " ");
            assert!(form.contains(&format!("value=\"{typed}\"")), "{form}");
            let r = ui
                .post_form(
                    &cas,
                    &format!("/people/{}/contact", c.pid),
                    &[
                        ("channel", "phone"),
                        ("direction", "inbound"),
                        ("summary", "Called about the complaint"),
                        ("who", &typed),
                    ],
                )
                .await;
            (html, ui.followed(&cas, &r).await)
        }
    };
    let (check, logged) = log_from("01642+301653").await;
    assert!(
        check.contains("This contact is through their advocate, as required."),
        "{check}"
    );
    assert!(
        logged.contains("The contact is logged.") && !logged.contains("as a breach"),
        "{logged}"
    );
    let (check, logged) = log_from("07911+123123").await;
    assert!(check.contains("does not allow this contact"), "{check}");
    assert!(logged.contains("logged as a breach"), "{logged}");
    // The API judges a contact on the person's record from where it came alike.
    for (phone, breach) in [("01642 301653", false), ("07911 123123", true)] {
        let logged = ui.api(&c.cw, "/contacts", json!({"person_id": c.pid, "channel": "phone", "phone": phone, "summary": "Called"})).await;
        let breached = !logged["contact"]["breach_of"]
            .as_array()
            .unwrap()
            .is_empty();
        assert_eq!(breached, breach, "{phone}: {logged}");
    }
    // A number that is not one is an error on its answer.
    ui.refused_on(
        &cas,
        &format!("/people/{}/contact", c.pid),
        &[
            ("channel", "phone"),
            ("direction", "inbound"),
            ("summary", "Called"),
            ("who", "call me"),
        ],
        "who",
        "",
    )
    .await;
}

/// A form sent twice — a double click without the page's script, a second press while the
/// first is still being answered — is saved once: each showing of a form carries its own
/// `once`, written as the command's idempotency key, so the second writes nothing and
/// says so where "Back" goes. Another showing of the same form is another contact.
#[tokio::test]
async fn a_form_sent_twice_is_saved_once() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let cas = ui.session("cas").await;
    let path = format!("/people/{}/contact", c.pid);
    let summary = "Asked about the review";
    let showing = || async {
        let (_, form) = ui.page(&cas, &path).await;
        after(&form, "name=\"once\" value=\"")
    };
    // Sends the contact form as shown once (`once`), with this summary: the answer.
    let send = |summary: &'static str, once: String| {
        let (ui, cas, path) = (&ui, cas.clone(), path.clone());
        async move {
            let fields = [
                ("channel", "phone"),
                ("direction", "inbound"),
                ("summary", summary),
                ("once", once.as_str()),
            ];
            ui.post_form(&cas, &path, &fields).await
        }
    };
    let contacts = || async {
        ui.api_get(&c.cw, &format!("/people/{}", c.pid)).await["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["summary"] == summary)
            .count()
    };
    let once = showing().await;
    assert_eq!(once.len(), 32, "{once}");
    let first = send(summary, once.clone()).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let second = send(summary, once.clone()).await;
    assert_eq!(second.status(), StatusCode::SEE_OTHER);
    assert_eq!(redirected(&second), format!("/people/{}", c.pid));
    let page = ui.followed(&cas, &second).await;
    assert!(
        page.contains("The form was sent twice: it was saved once, the first time."),
        "{page}"
    );
    assert_eq!(contacts().await, 1, "saved once");
    // The form shown again is a new showing: what it sends is saved.
    let again = showing().await;
    assert_ne!(again, once);
    assert_eq!(send(summary, again).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(contacts().await, 2);
    // A refusal writes nothing, so the same showing sent again once put right is saved.
    let once = showing().await;
    assert_eq!(
        send("", once.clone()).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(send(summary, once).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(contacts().await, 3);
}

/// CLE-9.11: a caseworker logging a call from the form is told on the page it goes to that
/// it is logged and, where their plan does not allow it, that it is a breach with a reminder
/// raised: said once (the GOV.UK success banner), not again on the next page.
#[tokio::test]
async fn cle_9_11_logging_a_contact_says_it_is_logged_and_whether_as_a_breach() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let cas = ui.session("cas").await;
    let path = format!("/people/{}/contact", c.pid);
    let log = |summary: &'static str| {
        let (ui, cas, path) = (&ui, cas.clone(), path.clone());
        async move {
            let r = ui
                .post_form(
                    &cas,
                    &path,
                    &[
                        ("channel", "phone"),
                        ("direction", "inbound"),
                        ("summary", summary),
                    ],
                )
                .await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            let said = r
                .headers()
                .get_all(SET_COOKIE)
                .iter()
                .map(|v| v.to_str().unwrap().to_string())
                .find(|v| v.starts_with("tact_said="))
                .expect("the step says what it did");
            assert!(said.contains("HttpOnly") && said.contains("SameSite=Strict"));
            let cookie = format!("{cas}; {}", said.split(';').next().unwrap());
            let to = r.headers()[LOCATION].to_str().unwrap().to_string();
            let page = ui.get(&cookie, &to).await;
            let cleared = page
                .headers()
                .get_all(SET_COOKIE)
                .iter()
                .any(|v| v.to_str().unwrap().starts_with("tact_said=;"));
            assert!(cleared, "said once");
            page.text().await.unwrap()
        }
    };
    let page = log("Rang for an update").await;
    assert!(
        page.contains("govuk-notification-banner--success")
            && page.contains(">The contact is logged.</p>"),
        "{page}"
    );
    c.plan_in_force(&ui, "email", "Abusive calls after a warning")
        .await;
    let page = log("Rang again").await;
    assert!(
        page.contains("The contact is logged as a breach of their contact strategy: a reminder to send them has been raised (CLE-9.11)."),
        "{page}"
    );
    // The next page, without the cookie, says nothing.
    let (_, again) = ui.page(&cas, &format!("/people/{}", c.pid)).await;
    assert!(
        !again.contains("govuk-notification-banner--success"),
        "{again}"
    );
}

#[tokio::test]
async fn cle_9_11_a_breach_reminder_is_sent_from_its_task_and_kept_on_the_record() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    c.plan_in_force(&ui, "email", "Abusive calls after a warning")
        .await;
    // They ring in, which the plan does not allow: a breach with a reminder task.
    ui.api(&c.cw, "/contacts", json!({"person_id": c.pid, "channel": "phone", "direction": "inbound", "summary": "Rang about the complaint"})).await;
    let lee = ui.session("lee").await;
    let (_, home) = ui.page(&lee, "/").await;
    assert!(home.contains("Breach reminders to send"), "{home}");
    // Each count links to its own tasks only.
    assert!(home.contains("href=\"/?kind=breach-reminder\""));
    assert!(home.contains("Make sure support is in place"));
    let (_, only) = ui.page(&lee, "/?kind=breach-reminder").await;
    assert!(only.contains("Send a reminder") && !only.contains("Make sure support is in place"));
    assert!(
        only.contains("broke the contact strategy (email or post only)"),
        "{only}"
    );
    // A kind that names nothing is refused, not read as every kind.
    let (status, bad) = ui.page(&lee, "/?kind=breach").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    assert!(bad.contains("Expected one of") && !bad.contains("Make sure support is in place"));
    let task = home
        .split("<tr")
        .find(|row| row.contains("Send a reminder"))
        .and_then(|row| row.split("href=\"/tasks/").nth(1))
        .expect("a link to the reminder task")
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let path = format!("/tasks/{task}");
    let (st, form) = ui.page(&lee, &path).await;
    assert_eq!(st, StatusCode::OK);
    assert!(form.contains("CLE-9.11"), "{form}");
    assert!(
        form.contains("Abusive calls after a warning"),
        "the plan's reasons are offered to remind them of"
    );
    // What follows a breach, as the policy says it, is written in for staff to keep or fit
    // to the case (CLE-10.1), as the plan's reasons are.
    assert!(
        form.contains("As the policy says it: change it to fit if you need to.")
            && form.contains("name=\"consequences\" rows=\"3\" aria-describedby=\"consequences-hint\">We may change the contact strategy to limit your contact further."),
        "{form}"
    );
    // Without the consequences the reminder is refused, naming the clause.
    ui.refused_on(
        &lee,
        &path,
        &[
            ("channel", "letter"),
            ("consequences", ""),
            ("reasons", "Abusive calls"),
        ],
        "consequences",
        "CLE-9.11",
    )
    .await;
    // By post, they need a postal address: refused on the channel, and nothing is written.
    ui.refused_on(
        &lee,
        &path,
        &[
            ("channel", "letter"),
            ("consequences", "The plan may be extended"),
            ("reasons", "Abusive calls"),
        ],
        "channel",
        "",
    )
    .await;
    let r = ui
        .post_form(
            &lee,
            &path,
            &[
                ("channel", "email"),
                ("consequences", "The plan may be extended"),
                ("reasons", "Abusive calls"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The page it goes to says where its letter stands.
    let went = ui.followed(&lee, &r).await;
    assert!(
        went.contains("The reminder is recorded on their record, and its letter (letter ")
            && went.contains(") is waiting to be sent."),
        "{went}"
    );
    let (_, person) = ui.page(&lee, &format!("/people/{}", c.pid)).await;
    assert!(
        person.contains("Reminder of the contact strategy after a breach"),
        "{person}"
    );
    // The reminder is also the letter from the profile's template, kept and queued.
    assert!(
        person.contains(
            "A reminder about your contact strategy by email (standard), waiting to be sent"
        ),
        "{person}"
    );
    let letter = after(&person, "href=\"/letters/");
    let (_, page) = ui.page(&lee, &format!("/letters/{letter}")).await;
    assert!(
        page.contains("Why the strategy is in place: Abusive calls")
            && page.contains("If this continues: The plan may be extended")
            && page.contains("Please contact us by email only"),
        "{page}"
    );
    let (_, home) = ui.page(&lee, "/").await;
    assert!(!home.contains("Breach reminders to send"), "{home}");
    // Done once: a second go is refused, and a caseworker cannot open a manager's task.
    let (st, _) = ui.page(&lee, &path).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let cas = ui.session("cas").await;
    let (st, _) = ui.page(&cas, &path).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn cle_4_5_an_ended_call_follow_up_is_closed_from_its_task_page() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    ui.api(&c.cw, "/incidents", json!({"person_id": c.pid, "category": "violent-threatening-abusive", "description": "Swore at me", "ended_call": {"reason": "abuse", "file_note": "warned, then ended", "caller_warned": true}})).await;
    let lee = ui.session("lee").await;
    let (_, home) = ui.page(&lee, "/").await;
    assert!(home.contains("Ended calls to follow up"), "{home}");
    // Each task names the member of staff, and its page says what happened: the manager
    // follows it up without going to look for the incident.
    assert!(
        home.contains("A call Cas Worker took was ended: talk to them and advise on next steps"),
        "{home}"
    );
    let ended = home
        .split("<tr")
        .find(|row| row.contains("A call Cas Worker took was ended"))
        .and_then(|row| row.split("href=\"/tasks/").nth(1))
        .and_then(|rest| rest.split('"').next())
        .expect("a link to the follow-up");
    // The person's page lists the follow-up for the managers who may close it, not for
    // every caseworker who opens it (their warning letter, a task about the case, they see);
    // the API's record of the person agrees.
    let owed = |page: &str| section(page, "Open tasks about them");
    let (_, person) = ui.page(&lee, &format!("/people/{}", c.pid)).await;
    assert!(
        owed(&person).contains("A call Cas Worker took was ended"),
        "{person}"
    );
    let cas = ui.session("cas").await;
    let (_, person) = ui.page(&cas, &format!("/people/{}", c.pid)).await;
    assert!(
        !owed(&person).contains("A call Cas Worker took was ended")
            && owed(&person).contains("Send the warning in writing"),
        "{person}"
    );
    let ended_call = |ts: &[String]| {
        ts.iter()
            .any(|t| t.starts_with("A call Cas Worker took was ended"))
    };
    assert!(ended_call(&task_titles(&ui, &c.lm, c.pid).await));
    let theirs = task_titles(&ui, &c.cw, c.pid).await;
    assert!(
        !ended_call(&theirs)
            && theirs
                .iter()
                .any(|t| t.starts_with("Send the warning in writing")),
        "{theirs:?}"
    );
    let (_, task) = ui.page(&lee, &format!("/tasks/{ended}")).await;
    for said in [
        "What happened: Swore at me",
        "towards Cas Worker.",
        "The call was ended: abuse",
        "Their file note: warned, then ended",
    ] {
        assert!(task.contains(said), "{said}: {task}");
    }
    let ids: Vec<String> = home
        .split("href=\"/tasks/")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect();
    assert!(!ids.is_empty());
    let mut closed = 0;
    for id in &ids {
        let path = format!("/tasks/{id}");
        let r = ui.post_form(&lee, &path, &[("outcome", "")]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "an outcome is needed");
        let r = ui
            .post_form(&lee, &path, &[("outcome", "Spoke to the caseworker")])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        closed += 1;
    }
    let (_, home) = ui.page(&lee, "/").await;
    assert!(!home.contains("Ended calls to follow up"), "{home}");
    assert_eq!(closed, ids.len());
    // The note to the caller about the ended call, from the person page.
    let (_, person) = ui.page(&lee, &format!("/people/{}", c.pid)).await;
    let link = after(&person, "href=\"/incidents/");
    let r = ui
        .post_form(
            &lee,
            &format!("/incidents/{link}"),
            &[("channel", "email"), ("format", "large-print")],
        )
        .await;
    let letter = redirected(&r);
    let (_, page) = ui.page(&lee, &letter).await;
    assert!(
        page.contains("Why we ended your call") && page.contains("Swore at me"),
        "{page}"
    );
    assert!(page.contains("large print"));
    // CLE-9.2, 9.3: the warning, in writing, from the same list.
    let warning = after(&person, "href=\"/warnings/");
    let r = ui
        .post_form(
            &lee,
            &format!("/warnings/{warning}"),
            &[("channel", ""), ("format", "")],
        )
        .await;
    let letter = redirected(&r);
    let (_, page) = ui.page(&lee, &letter).await;
    assert!(
        page.contains("Your contact with us")
            && page.contains("What has happened: A.")
            && page.contains("What we ask you to do: B.")
            && page.contains("If this continues: C."),
        "{page}"
    );
}

#[tokio::test]
async fn nor_7_1_a_dispute_decided_in_the_ui_can_change_the_plan() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    ui.staff("Sol Other", "sol", Role::SeniorManager).await;
    let due = (tact_core::check::uk_date(jiff::Timestamp::now()) + jiff::Span::new().days(30))
        .to_string();
    let sid = c.plan_in_force(&ui, "email", "r").await;
    let d = ui
        .api(
            &c.cw,
            &format!("/strategies/{sid}/disputes"),
            json!({"grounds": "I have no email at home"}),
        )
        .await;
    let path = format!("/disputes/{}/decision", d["id"]);
    let sol = ui.session("sol").await;
    // The task to decide it goes to the senior managers: linked on the home page of the one
    // who took no part, listed but not linked, saying why, on the page of the one who
    // authorised the plan (NOR-7.1).
    let (_, home) = ui.page(&sol, "/").await;
    assert!(home.contains(&format!("href=\"{path}\"")), "{home}");
    let (_, home) = ui.page(&ui.session("sam").await, "/").await;
    assert!(
        home.contains("Decide the dispute") && !home.contains(&format!("href=\"{path}\"")),
        "{home}"
    );
    assert!(
        home.contains("Not for you: A dispute must be decided by someone who took no part in the contact strategy decision."),
        "{home}"
    );
    // The person page lists the dispute, linked to its decision only for someone who may
    // take it (NOR-7.1).
    let person = format!("/people/{}", c.pid);
    let (_, page) = ui.page(&sol, &person).await;
    assert!(
        page.contains("I have no email at home — waiting for a decision"),
        "{page}"
    );
    assert!(page.contains(&format!("href=\"{path}\"")), "{page}");
    // So does the plan's own page.
    let plan_page = format!("/plans/{sid}");
    let (_, page) = ui.page(&sol, &plan_page).await;
    assert!(
        page.contains("I have no email at home — waiting for a decision"),
        "{page}"
    );
    assert!(page.contains(&format!("href=\"{path}\"")), "{page}");
    // The form opens with the plan as it stands, to change.
    let (st, html) = ui.page(&sol, &path).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("I have no email at home"));
    // Issue 13: the outcome letter as it reads if the plan is kept, reasons still to come.
    let reasons = tact_mail::letters::escape(tact_app::evidence::REASONS_TO_COME);
    for must in [
        "The letter they will receive if you keep it",
        "Dear Jo Bloggs,",
        reasons.as_str(),
    ] {
        assert!(html.contains(must), "{must}\n{html}");
    }
    assert!(
        html.contains("id=\"single-channel__use\" name=\"single-channel__use\" type=\"checkbox\" value=\"yes\" checked"),
        "{html}"
    );
    // Sam authorised the plan: the form is not offered to Sam at all, as sending it would be
    // refused (NOR-7.1: someone who took no part decides).
    let sam = ui.session("sam").await;
    let (_, page) = ui.page(&sam, &person).await;
    assert!(
        page.contains("I have no email at home — waiting for a decision"),
        "{page}"
    );
    assert!(!page.contains(&format!("href=\"{path}\"")), "{page}");
    let (_, page) = ui.page(&sam, &plan_page).await;
    assert!(page.contains("I have no email at home"), "{page}");
    assert!(!page.contains(&format!("href=\"{path}\"")), "{page}");
    let (st, html) = ui.page(&sam, &path).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{html}");
    assert!(html.contains("took no part"), "{html}");
    assert!(!html.contains("Record the decision"), "{html}");
    // A role that may not decide is told so before anything it sent is read (NOR-7.1).
    let cas = ui.session("cas").await;
    let r = ui
        .post_form(&cas, &path, &[("outcome", "not-an-outcome")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Choosing to change it with no restriction left is refused on the builder.
    let r = ui
        .post_form(
            &sol,
            &path,
            &[
                ("outcome", "varied"),
                ("reasons", "No email at home"),
                ("review_due", &due),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("at least one restriction"));
    let r = ui
        .post_form(
            &sol,
            &path,
            &[
                ("outcome", "varied"),
                ("reasons", "No email at home; letters instead"),
                ("single-channel__use", "yes"),
                ("single-channel__channel", "letter"),
                ("single-channel__reason", "Calls were abusive"),
                ("review_due", &due),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let plan = ui
        .app
        .plan_as_stored(tact_core::ids::PlanId(sid))
        .await
        .unwrap();
    assert_eq!(
        plan.restrictions[0].rule,
        tact_core::model::Rule::SingleChannel {
            channel: tact_core::profile::Channel::Letter
        }
    );
    let dispute = ui
        .app
        .store()
        .dispute(tact_core::ids::DisputeId(d["id"].as_i64().unwrap()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        dispute.outcome,
        Some(tact_core::model::DisputeOutcome::Varied)
    );
    // Decided, the form is not offered again, and the person page says what was decided.
    let (_, page) = ui.page(&sol, &person).await;
    // In words: the day, and what was decided ("varied" alone read as if about the dispute).
    let today = tact_core::check::long_date(tact_core::check::uk_date(jiff::Timestamp::now()));
    assert!(
        page.contains(&format!(
            "I have no email at home — decided on {today}: the contact strategy is changed."
        )),
        "{page}"
    );
    let (_, page) = ui.page(&sol, &plan_page).await;
    assert!(
        page.contains(&format!(
            "Disputed on {today} — I have no email at home — decided on {today}: the contact strategy is changed."
        )),
        "{page}"
    );
    assert!(!page.contains(&format!("href=\"{path}\"")), "{page}");
    let (st, html) = ui.page(&sol, &path).await;
    assert_eq!(st, StatusCode::CONFLICT, "{html}");
    assert!(html.contains("already been decided"), "{html}");
}

#[tokio::test]
async fn cle_9_15_sharing_waits_for_the_dpo_and_goes_on_the_disclosure_log() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    ui.staff("Dee Protection", "dee", Role::Dpo).await;
    let lee = ui.session("lee").await;
    let (_, person) = ui.page(&lee, &format!("/people/{}", c.pid)).await;
    assert!(person.contains("Ask to share details with a partner"));
    let path = format!("/people/{}/share", c.pid);
    ui.refused_on(
        &lee,
        &path,
        &[
            ("partner", "Cleveland Police"),
            ("reason", ""),
            ("details", "The strategy"),
        ],
        "reason",
        "CLE-9.15",
    )
    .await;
    let r = ui
        .post_form(
            &lee,
            &path,
            &[
                ("partner", "Cleveland Police"),
                ("reason", "Threats to staff reported as a crime"),
                ("details", "The strategy and the incident"),
            ],
        )
        .await;
    let page = ui.followed(&lee, &r).await;
    assert!(
        page.contains("The request is sent to the Data Protection Officer. Nothing is shared until they agree (CLE-9.15)."),
        "{page}"
    );
    // The person page lists the request, its day in words as the rest of the page has it.
    let (_, person) = ui.page(&lee, &format!("/people/{}", c.pid)).await;
    let today = tact_core::check::long_date(tact_core::check::uk_date(jiff::Timestamp::now()));
    assert!(
        person.contains(&format!("on {today} to share with Cleveland Police")),
        "{person}"
    );
    // A caseworker is not offered it and cannot reach it.
    let cas = ui.session("cas").await;
    let (_, person) = ui.page(&cas, &format!("/people/{}", c.pid)).await;
    assert!(!person.contains("Ask to share details"));
    assert_eq!(ui.page(&cas, &path).await.0, StatusCode::FORBIDDEN);
    // The DPO sees the request on their home page, and decides it.
    let dee = ui.session("dee").await;
    let (_, home) = ui.page(&dee, "/").await;
    assert!(home.contains("DPO requests: sharing to decide"), "{home}");
    let decide = after(&home, "href=\"/disclosures/");
    assert!(decide.ends_with("/decision"), "{decide}");
    let decide = format!("/disclosures/{decide}");
    // Only the DPO: a senior manager cannot open it.
    let sam = ui.session("sam").await;
    assert_eq!(ui.page(&sam, &decide).await.0, StatusCode::FORBIDDEN);
    // Their person page lists the DPO's task, which a manager oversees, but does not link
    // the form that would refuse them; the DPO's links it.
    let (_, person) = ui.page(&sam, &format!("/people/{}", c.pid)).await;
    assert!(
        person.contains("Open tasks about them")
            && person.contains("— for a Data Protection Officer")
            && !person.contains(&format!("href=\"{decide}\"")),
        "{person}"
    );
    let (_, person) = ui.page(&dee, &format!("/people/{}", c.pid)).await;
    assert!(person.contains(&format!("href=\"{decide}\"")), "{person}");
    // A caseworker answering their call sees it is owed, and to whom, with nothing to open.
    let (_, person) = ui.page(&cas, &format!("/people/{}", c.pid)).await;
    let owed = section(&person, "Open tasks about them");
    assert!(
        owed.contains("— for a Data Protection Officer") && !owed.contains("/decision\""),
        "{person}"
    );
    let id = decide.split('/').nth(2).unwrap().to_string();
    // Nothing can be recorded as shared before the DPO approves: the form is not offered,
    // and sending it is refused with the same words.
    let (st, html) = ui.page(&lee, &format!("/disclosures/{id}/shared")).await;
    assert_eq!(st, StatusCode::CONFLICT, "{html}");
    assert!(
        html.contains("before the Data Protection Officer approves"),
        "{html}"
    );
    let r = ui
        .post_form(
            &lee,
            &format!("/disclosures/{id}/shared"),
            &[("shared_what", "sent early")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("before the Data Protection Officer approves"));
    let r = ui
        .post_form(
            &dee,
            &decide,
            &[("decision", "approve"), ("reason", "Prevention of crime")],
        )
        .await;
    let page = ui.followed(&dee, &r).await;
    assert!(
        page.contains("Sharing is approved. Record what was shared once it is sent."),
        "{page}"
    );
    // Decided, its decision form is not offered again.
    let (st, html) = ui.page(&dee, &decide).await;
    assert_eq!(st, StatusCode::CONFLICT, "{html}");
    assert!(html.contains("already approved"), "{html}");
    let (_, home) = ui.page(&dee, "/").await;
    assert!(!home.contains("DPO requests"), "{home}");
    // The manager who asked shares it and records what went.
    let (_, home) = ui.page(&lee, "/").await;
    assert!(home.contains("Approved sharing to carry out"), "{home}");
    let r = ui
        .post_form(
            &lee,
            &format!("/disclosures/{id}/shared"),
            &[(
                "shared_what",
                "Copy of the strategy letter, by secure email",
            )],
        )
        .await;
    let page = ui.followed(&lee, &r).await;
    assert!(
        page.contains("What was shared is recorded in the disclosure log."),
        "{page}"
    );
    let (st, _) = ui.page(&lee, &format!("/disclosures/{id}/shared")).await;
    assert_eq!(st, StatusCode::CONFLICT, "recorded once");
    let (st, log) = ui.page(&dee, "/disclosures").await;
    assert_eq!(st, StatusCode::OK);
    assert!(log.contains("Cleveland Police") && log.contains("Copy of the strategy letter"));
    // Whose details, by the reference staff know them by, not the database's number.
    assert!(
        log.contains(&format!("href=\"/people/{}\">SU-{:06}</a>", c.pid, c.pid)),
        "{log}"
    );
    assert!(log.contains("Dee Protection"), "who approved it");
    assert_eq!(ui.page(&cas, "/disclosures").await.0, StatusCode::FORBIDDEN);
    let (_, person) = ui.page(&lee, &format!("/people/{}", c.pid)).await;
    assert!(person.contains("shared with Cleveland Police"), "{person}");
}

#[tokio::test]
async fn cle_8_5_every_adjustment_asked_for_is_on_the_person_page_with_its_decision() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let a = ui
        .api(
            &c.cw,
            &format!("/people/{}/adjustments", c.pid),
            json!({"kind": "extra-time", "description": "Needs longer to reply to letters"}),
        )
        .await;
    let lee = ui.session("lee").await;
    let (_, page) = ui.page(&lee, &format!("/people/{}", c.pid)).await;
    assert!(
        page.contains("Needs longer to reply to letters — asked for on"),
        "{page}"
    );
    let link = format!("href=\"/adjustments/{}/decision\"", a["id"]);
    assert!(page.contains(&link), "the manager may decide it from here");
    let cas = ui.session("cas").await;
    let (_, page) = ui.page(&cas, &format!("/people/{}", c.pid)).await;
    assert!(
        !page.contains(&link),
        "a caseworker is not offered the decision"
    );
    let (st, form) = ui
        .page(&lee, &format!("/adjustments/{}/decision", a["id"]))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        form.contains("What they asked for: Needs longer to reply to letters"),
        "{form}"
    );
    // Not yet decided, there is no decision to write: its letter form is not a form that
    // would only be refused, but the page saying why (the API's 409).
    let (st, html) = ui
        .page(&lee, &format!("/adjustments/{}/letter", a["id"]))
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{html}");
    assert!(
        html.contains("The request has not been decided yet")
            && !html.contains("Write it</button>"),
        "{html}"
    );
    ui.api(
        &c.lm,
        &format!("/adjustments/{}/decision", a["id"]),
        json!({"grant": false, "reasons": "Deadlines are already generous"}),
    )
    .await;
    let (_, page) = ui.page(&lee, &format!("/people/{}", c.pid)).await;
    assert!(page.contains("refused on"), "{page}");
    assert!(page.contains("Deadlines are already generous"));
    // Decided, the letter telling them is linked beside it (Cleveland raises no task for
    // it, so this is the way to it), as the API's steps offer it.
    let letter = format!("/adjustments/{}/letter", a["id"]);
    assert!(
        page.contains(&format!(
            "<a class=\"govuk-link\" href=\"{letter}\">Write the letter to them"
        )),
        "{page}"
    );
    let steps = ui.api_get(&c.lm, &format!("/people/{}", c.pid)).await["steps"].clone();
    assert_eq!(
        steps[format!("/adjustments/{}", a["id"])],
        json!(["letter"]),
        "{steps}"
    );
    // Decided, the decision form is not offered again: it names the request and says why.
    let (st, html) = ui
        .page(&lee, &format!("/adjustments/{}/decision", a["id"]))
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{html}");
    assert!(html.contains("already refused"), "{html}");
    // CLE-8: the decision goes to them in writing. (Under NOR-1.5 a task asks for this
    // letter and writing it closes the task; Cleveland's policy sets no such task.) The form
    // says whose request it was and what it asked, and goes back to their page; a request
    // that is not there is not found, not a form.
    let (st, form) = ui
        .page(&lee, &format!("/adjustments/{}/letter", a["id"]))
        .await;
    assert_eq!(st, StatusCode::OK, "{form}");
    for must in [
        format!("href=\"/people/{}\">Jo Bloggs (SU-{:06})</a>", c.pid, c.pid),
        "Their request: Needs longer to reply to letters (refused)".to_string(),
        "Their preferred format: standard".to_string(),
    ] {
        assert!(form.contains(&must), "{must} in {form}");
    }
    let missing = a["id"].as_i64().unwrap() + 99;
    let (st, _) = ui
        .page(&lee, &format!("/adjustments/{missing}/letter"))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let r = ui
        .post_form(
            &lee,
            &format!("/adjustments/{}/letter", a["id"]),
            &[("channel", ""), ("format", "")],
        )
        .await;
    let letter = redirected(&r);
    let (_, page) = ui.page(&lee, &letter).await;
    assert!(
        page.contains("not to make this change: Needs longer to reply to letters")
            && page.contains("Deadlines are already generous"),
        "{page}"
    );
}

#[tokio::test]
async fn cle_8_1_an_unknown_caller_is_added_from_the_incoming_page_and_their_matter_opened() {
    let ui = Ui::spawn().await;
    ui.staff("Cas Worker", "cas", Role::Caseworker).await;
    let cas = ui.session("cas").await;
    let (_, html) = ui
        .page(&cas, "/incoming?who=07911+123999&channel=phone")
        .await;
    assert!(
        html.contains("href=\"/people/new?who=07911%20123999\""),
        "{html}"
    );
    let (st, form) = ui.page(&cas, "/people/new?who=07911+123999").await;
    assert_eq!(st, StatusCode::OK);
    assert!(form.contains("+447911123999"), "the number is kept: {form}");
    ui.refused_on(
        &cas,
        "/people/new",
        &[
            ("name", "Jo Bloggs"),
            ("phones", "+447911123999"),
            ("emails", "jo at example"),
            ("preferred_format", "standard"),
        ],
        "emails",
        "",
    )
    .await;
    let r = ui
        .post_form(
            &cas,
            "/people/new",
            &[
                ("name", "Jo Bloggs"),
                ("phones", "+447911123999"),
                ("emails", "jo@example.org"),
                ("preferred_format", "large-print"),
            ],
        )
        .await;
    let person = redirected(&r);
    let added = ui.followed(&cas, &r).await;
    assert!(
        added.contains(">Jo Bloggs is added (SU-"),
        "the page says so: {added}"
    );
    let (_, html) = ui
        .page(&cas, "/incoming?who=07911+123999&channel=phone")
        .await;
    assert!(html.contains("Jo Bloggs"), "now known: {html}");
    // Their complaint, opened and later finalised with its date (NOR-9.1 counts from it).
    let r = ui
        .post_form(
            &cas,
            &format!("{person}/matter"),
            &[
                ("kind", "complaint"),
                ("title", "Handling of a burglary report"),
            ],
        )
        .await;
    let page = ui.followed(&cas, &r).await;
    assert!(
        page.contains("Handling of a burglary report (complaint, open)")
            && page.contains(">Matter M-")
            && page.contains(" is opened: Handling of a burglary report.</p>"),
        "{page}"
    );
    // A section with nothing in it says so, rather than a heading over nothing.
    for empty in ["Incidents and warnings", "Recent contact"] {
        assert!(
            page.contains(&format!("{empty}</h2>\n<p class=\"govuk-body\">None.</p>")),
            "{empty}: {page}"
        );
    }
    let status = after(&page, "href=\"/matters/");
    let status = format!("/matters/{status}");
    ui.refused_on(
        &cas,
        &status,
        &[("status", "finalised"), ("finalised_on", "last week")],
        "finalised_on",
        "",
    )
    .await;
    // A date with any other status is refused on it (NOR-9.1), not dropped; empty, the
    // form says a finalised matter needs one (its hint no longer offers today).
    for fields in [
        [("status", "concluded"), ("finalised_on", "2026-11-02")],
        [("status", "finalised"), ("finalised_on", "")],
    ] {
        ui.refused_on(&cas, &status, &fields, "finalised_on", "")
            .await;
    }
    let r = ui
        .post_form(
            &cas,
            &status,
            &[("status", "finalised"), ("finalised_on", "2026-11-02")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = ui.page(&cas, &person).await;
    assert!(page.contains("(complaint, finalised)"), "{page}");
    // A caseworker is not offered further action, and cannot reach it.
    assert!(!page.contains("Record further action"));
    assert_eq!(
        ui.page(&cas, &format!("{person}/further-action")).await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn cle_10_3_further_action_without_notice_says_why_and_cle_10_4_a_plan_is_applied_to_a_new_matter(
) {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let sam = ui.session("sam").await;
    let path = format!("/people/{}/further-action", c.pid);
    ui.refused_on(
        &sam,
        &path,
        &[
            ("kind", "police-referral"),
            ("reasons", "Threats to kill"),
            ("prior_notice", "no"),
            ("no_notice_reason", ""),
        ],
        "no_notice_reason",
        "CLE-10.3",
    )
    .await;
    let r = ui
        .post_form(
            &sam,
            &path,
            &[
                ("kind", "police-referral"),
                ("reasons", "Threats to kill"),
                ("prior_notice", "no"),
                ("no_notice_reason", "Telling them could put staff at risk"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // A draft is withdrawn; an active plan is applied to a new matter with the reason.
    let due = (tact_core::check::uk_date(jiff::Timestamp::now()) + jiff::Span::new().days(30))
        .to_string();
    let plan = |reasons: &str| json!({"matter_ids": [c.mid], "restrictions": [{"kind": "single-channel", "channel": "email", "reason": "Calls were abusive"}], "reasons": reasons, "aims": "a", "proportionality": "p", "review_due": due});
    let draft = ui
        .api(
            &c.lm,
            &format!("/people/{}/strategies", c.pid),
            plan("draft"),
        )
        .await;
    let lee = ui.session("lee").await;
    let (_, page) = ui.page(&lee, &format!("/plans/{}", draft["id"])).await;
    assert!(page.contains(&format!("href=\"/plans/{}/withdraw\"", draft["id"])));
    let r = ui
        .post_form(
            &lee,
            &format!("/plans/{}/withdraw", draft["id"]),
            &[("reason", "Started by mistake")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let s = ui
        .app
        .plan_as_stored(tact_core::ids::PlanId(draft["id"].as_i64().unwrap()))
        .await
        .unwrap();
    assert_eq!(s.status, tact_core::model::PlanStatus::Withdrawn);
    let live = ui
        .api(
            &c.lm,
            &format!("/people/{}/strategies", c.pid),
            plan("live"),
        )
        .await;
    let sid = live["id"].as_i64().unwrap();
    c.answer_and_propose(&ui, sid).await;
    ui.api(
        &c.sm,
        &format!("/strategies/{sid}/authorise"),
        json!({"reason": "ok"}),
    )
    .await;
    let m2 = ui
        .api(
            &c.cw,
            &format!("/people/{}/matters", c.pid),
            json!({"kind": "complaint", "title": "A second complaint"}),
        )
        .await;
    let apply = format!("/plans/{sid}/apply");
    let (_, form) = ui.page(&lee, &apply).await;
    assert!(
        form.contains("A second complaint") && form.contains("CLE-10.4"),
        "{form}"
    );
    let mid2 = m2["id"].to_string();
    ui.refused_on(
        &lee,
        &apply,
        &[("matter_id", &mid2), ("reason", "")],
        "reason",
        "",
    )
    .await;
    let r = ui
        .post_form(
            &lee,
            &apply,
            &[
                ("matter_id", &mid2),
                ("reason", "The same behaviour about the new complaint"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let s = ui
        .app
        .plan_as_stored(tact_core::ids::PlanId(sid))
        .await
        .unwrap();
    assert!(s
        .matter_ids
        .contains(&tact_core::ids::MatterId(m2["id"].as_i64().unwrap())));
}

#[tokio::test]
async fn cle_4_6_a_threatening_email_is_marked_from_the_message_and_asks_for_a_strategy() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let limits = tact_mail::Limits::default();
    let threat = b"From: jo@example.org\r\nSubject: You will regret this\r\nMessage-ID: <t1@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nI know where your office is.\r\n--B\r\nContent-Type: image/png; name=\"x.png\"\r\nContent-Disposition: attachment; filename=\"x.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--B--\r\n";
    let tact_app::mail::Imported::Stored { id, .. } = ui
        .app
        .import_message("enquiries", threat, &limits)
        .await
        .unwrap()
    else {
        panic!("stored")
    };
    let tact_app::mail::Imported::Quarantined {
        id: quarantined, ..
    } = ui
        .app
        .import_message("enquiries", b"Subject: who sent this\r\n\r\n?", &limits)
        .await
        .unwrap()
    else {
        panic!("quarantined")
    };
    let cas = ui.session("cas").await;
    // Marking a message the step refuses: its form's address answers with the refusal, and
    // posting it is refused as the API refuses it.
    let unmarkable = |message: i64, status: StatusCode, words: &'static str| {
        let (ui, cas) = (&ui, &cas);
        async move {
            let path = format!("/messages/{message}/threatening");
            let (st, page) = ui.page(cas, &path).await;
            assert_eq!(st, status, "{page}");
            assert!(
                page.contains(words) && !page.contains("Record it"),
                "{page}"
            );
            let form = [
                ("category", "violent-threatening-abusive"),
                ("description", "x"),
            ];
            assert_eq!(ui.post_form(cas, &path, &form).await.status(), status);
        }
    };
    // A quarantined message is on nobody's record (409, CLE-4.6).
    unmarkable(quarantined, StatusCode::CONFLICT, "not on anyone").await;
    // Nor is one from an unknown sender, until it is matched to them: the behaviour is
    // recorded against a person (400, CLE-4.6), and the message page does not offer it.
    let tact_app::mail::Imported::Stored { id: stranger, .. } = ui
        .app
        .import_message(
            "enquiries",
            b"From: stranger@example.net\r\nSubject: Watch out\r\nMessage-ID: <s1@example.net>\r\n\r\nYou have been warned.\r\n",
            &limits,
        )
        .await
        .unwrap()
    else {
        panic!("stored")
    };
    let (_, message) = ui.page(&cas, &format!("/messages/{stranger}")).await;
    assert!(
        message.contains("Match to someone we know")
            && !message.contains(&format!("/messages/{stranger}/threatening")),
        "{message}"
    );
    unmarkable(
        stranger,
        StatusCode::BAD_REQUEST,
        "Match the message to a person before marking it (CLE-4.6)",
    )
    .await;
    let (_, person) = ui.page(&cas, &format!("/people/{}", c.pid)).await;
    assert!(person.contains("You will regret this"), "{person}");
    let (_, home) = ui.page(&cas, "/").await;
    assert!(home.contains("Quarantined messages (1)"), "{home}");
    let (_, q) = ui.page(&cas, "/messages?route=quarantine").await;
    assert!(q.contains("names no sender"), "{q}");
    // Each row opens its message.
    assert!(
        q.contains("<a class=\"govuk-link\" href=\"/messages/"),
        "{q}"
    );
    // A route that does not exist is a 400 naming the routes, not the quarantine.
    let (s, bad) = ui.page(&cas, "/messages?route=nowhere").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
    assert!(bad.contains("xpected one of inbox, breach"), "{bad}");
    // The message: what it says, its attachment, and the message as received, to download.
    let (st, page) = ui.page(&cas, &format!("/messages/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("I know where your office is."), "{page}");
    assert!(page.contains("x.png") && page.contains("image/png"));
    let r = ui.get(&cas, &format!("/messages/{id}/raw")).await;
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(r.bytes().await.unwrap().as_ref(), threat.as_slice());
    let r = ui.get(&cas, &format!("/messages/{id}/attachments/0")).await;
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"\x89PNG\r\n\x1a\n");
    // Marked as threatening from the message itself; the form starts on the category the
    // profile records such correspondence under (CLE-4.6), not on a guess.
    let path = format!("/messages/{id}/threatening");
    let (st, form) = ui.page(&cas, &path).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        form.contains(r#"<option value="violent-threatening-abusive" selected>"#),
        "{form}"
    );
    ui.refused_on(
        &cas,
        &path,
        &[
            ("category", "violent-threatening-abusive"),
            ("description", ""),
        ],
        "description",
        "",
    )
    .await;
    let r = ui
        .post_form(
            &cas,
            &path,
            &[
                ("category", "violent-threatening-abusive"),
                ("description", "A veiled threat to staff"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let lee = ui.session("lee").await;
    let (_, home) = ui.page(&lee, "/").await;
    assert!(
        home.contains("Threatening correspondence: contact strategies to create"),
        "{home}"
    );
    assert!(home.contains(&format!("href=\"/people/{}/plan\"", c.pid)));
    // Starting the strategy answers it.
    let due = (tact_core::check::uk_date(jiff::Timestamp::now()) + jiff::Span::new().days(30))
        .to_string();
    ui.api(&c.lm, &format!("/people/{}/strategies", c.pid), json!({"matter_ids": [c.mid], "restrictions": [{"kind": "single-channel", "channel": "letter", "reason": "Threats by email"}], "reasons": "r", "aims": "a", "proportionality": "p", "review_due": due})).await;
    let (_, home) = ui.page(&lee, "/").await;
    assert!(
        !home.contains("Threatening correspondence: contact strategies to create"),
        "{home}"
    );
}

#[tokio::test]
async fn cle_9_6_a_letter_is_written_from_the_plan_page_and_posted_from_the_print_queue() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let sid = c
        .plan_in_force(&ui, "letter", "Abuse after a warning")
        .await;
    let lee = ui.session("lee").await;
    let (_, plan) = ui.page(&lee, &format!("/plans/{sid}")).await;
    assert!(
        plan.contains(&format!("href=\"/plans/{sid}/letter\"")),
        "{plan}"
    );
    // Nor about a draft: it was never put to them. Not offered, and its address is the
    // refusal (409), as the API answers.
    let due = (tact_core::check::uk_date(jiff::Timestamp::now()) + jiff::Span::new().days(30))
        .to_string();
    let draft = ui
        .api(
            &c.lm,
            &format!("/people/{}/strategies", c.pid),
            json!({"matter_ids": [c.mid], "restrictions": [{"kind": "single-channel", "channel": "letter", "reason": "Threats by email"}], "reasons": "r", "aims": "a", "proportionality": "p", "review_due": due}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let (_, page) = ui.page(&lee, &format!("/plans/{draft}")).await;
    assert!(!page.contains(&format!("/plans/{draft}/letter")), "{page}");
    let (st, refused) = ui.page(&lee, &format!("/plans/{draft}/letter")).await;
    assert_eq!(st, StatusCode::CONFLICT, "{refused}");
    assert!(refused.contains("it was never put to them"), "{refused}");
    let r = ui
        .post_form(
            &lee,
            &format!("/plans/{draft}/letter"),
            &[("kind", "strategy-notice"), ("channel", ""), ("format", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let path = format!("/plans/{sid}/letter");
    // CLE-9.6, 9.11: the form offers only the letters the plan can have now, and says why
    // each other one is not offered; one not offered is refused on its field.
    let (_, form) = ui.page(&lee, &path).await;
    assert!(form.contains("<option value=\"strategy-notice\""), "{form}");
    // Never breached: no reminder, and the form says why (CLE-9.11).
    assert!(
        !form.contains("<option value=\"breach-reminder\""),
        "{form}"
    );
    assert!(
        form.contains("no breach of this contact strategy is on the record to remind them of"),
        "{form}"
    );
    assert!(!form.contains("<option value=\"lifting\""), "{form}");
    assert!(
        form.contains("Why some letters are not offered")
            && form.contains(
                "The contact strategy lifted: this contact strategy has not been lifted."
            ),
        "{form}"
    );
    let r = ui
        .post_form(
            &lee,
            &path,
            &[("kind", "lifting"), ("channel", ""), ("format", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // The form is for a plan that exists: another number is not found, not a blank form.
    let (s, _) = ui.page(&lee, &format!("/plans/{}/letter", sid + 999)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A channel that is not one is refused on its field, not read as a default.
    let r = ui
        .post_form(
            &lee,
            "/warnings/1/letter",
            &[("channel", "pigeon"), ("format", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("href=\"#channel\""));
    // No postal address yet: post is refused on its field.
    ui.refused_on(
        &lee,
        &path,
        &[
            ("kind", "strategy-notice"),
            ("channel", "letter"),
            ("format", ""),
        ],
        "channel",
        "",
    )
    .await;
    let r = ui
        .post_form(
            &lee,
            &path,
            &[("kind", "strategy-notice"), ("channel", ""), ("format", "")],
        )
        .await;
    let letter = redirected(&r);
    let (_, page) = ui.page(&lee, &letter).await;
    assert!(
        page.contains("How we will be in contact with you from now on"),
        "{page}"
    );
    assert!(page.contains("Waiting to be sent") && page.contains("jo@example.org"));
    assert!(page.contains("Please contact us by letter only"));
    assert!(!page.contains("cannot show"), "{page}");
    let (_, person) = ui.page(&lee, &format!("/people/{}", c.pid)).await;
    assert!(
        person.contains("by email (standard), waiting to be sent"),
        "{person}"
    );
    // With an address, a large-print letter goes to the print queue. Part of this one is
    // in a script the PDF's font lacks: the letter page says so before it is printed.
    tact_store::testing::raw(
        ui.app.store(),
        "UPDATE people SET postal_address = '1 High Street, 王府井'",
    )
    .await;
    let r = ui
        .post_form(
            &lee,
            &path,
            &[
                ("kind", "strategy-notice"),
                ("channel", "letter"),
                ("format", "large-print"),
            ],
        )
        .await;
    let posted = redirected(&r);
    let (_, home) = ui.page(&lee, "/").await;
    assert!(home.contains("Letters to print and post (1)"), "{home}");
    // The queue says where each letter goes, for whoever posts it.
    let (_, queue) = ui.page(&lee, "/letters").await;
    assert!(
        queue.contains("in the print queue — to 1 High Street"),
        "{queue}"
    );
    let (_, page) = ui.page(&lee, &posted).await;
    assert!(
        page.contains("The PDF of this letter cannot show 王 府 井: they print as empty boxes"),
        "{page}"
    );
    let (_, html) = ui.page(&lee, &format!("{posted}/html")).await;
    assert!(html.contains("font-size:18pt") && html.contains("<html lang=\"en-GB\">"));
    let r = ui.post_form(&lee, &format!("{posted}/printed"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = ui.page(&lee, &posted).await;
    assert!(page.contains("Printed and posted"), "{page}");
    let (_, home) = ui.page(&lee, "/").await;
    assert!(!home.contains("Letters to print and post"));
}

#[tokio::test]
async fn an_email_from_an_unknown_address_is_matched_to_a_person_and_the_next_one_finds_them() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let limits = tact_mail::Limits::default();
    let raw = |n: u32| {
        format!("From: Jo B <jo.work@example.net>\r\nSubject: From my work address {n}\r\nMessage-ID: <w{n}@example.net>\r\n\r\nHello\r\n")
    };
    let tact_app::mail::Imported::Stored { id, route, .. } = ui
        .app
        .import_message("enquiries", raw(1).as_bytes(), &limits)
        .await
        .unwrap()
    else {
        panic!("stored")
    };
    assert_eq!(route, tact_core::correspondence::Route::UnknownSender);
    let cas = ui.session("cas").await;
    let (_, page) = ui.page(&cas, &format!("/messages/{id}")).await;
    assert!(
        page.contains(&format!("href=\"/messages/{id}/match\"")),
        "{page}"
    );
    let path = format!("/messages/{id}/match");
    ui.refused_on(
        &cas,
        &path,
        &[("reference", "SU-999999"), ("keep_address", "yes")],
        "reference",
        "",
    )
    .await;
    // Someone there but unreadable is the error page, not "nobody has the reference": the
    // search's failure is not taken for an answer.
    let other = ui.api(&c.cw, "/people", json!({"name": "Ann Other"})).await;
    ui.spoil(
        "UPDATE people SET preferred_format = 'not a format' WHERE id = $1",
        other["id"].as_i64().unwrap(),
    )
    .await;
    let r = ui
        .post_form(
            &cas,
            &path,
            &[("reference", other["reference"].as_str().unwrap())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!r.text().await.unwrap().contains("nobody has the reference"));
    let reference = ui
        .app
        .store()
        .person(tact_core::ids::PersonId(c.pid))
        .await
        .unwrap()
        .unwrap()
        .reference;
    let r = ui
        .post_form(
            &cas,
            &path,
            &[
                ("reference", &reference.to_lowercase()),
                ("keep_address", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = ui.page(&cas, &format!("/messages/{id}")).await;
    assert!(
        page.contains("Jo Bloggs") && page.contains("To the inbox"),
        "{page}"
    );
    let (_, person) = ui.page(&cas, &format!("/people/{}", c.pid)).await;
    assert!(person.contains("From my work address 1"));
    // Matched once: the next email from that address finds them by itself.
    let got = ui
        .app
        .import_message("enquiries", raw(2).as_bytes(), &limits)
        .await
        .unwrap();
    let tact_app::mail::Imported::Stored { contact, .. } = got else {
        panic!("stored")
    };
    assert_eq!(contact.person_id, Some(tact_core::ids::PersonId(c.pid)));
    // And it cannot be matched twice: the message's state refuses it (409), and the form
    // is not offered again.
    let r = ui
        .post_form(&cas, &path, &[("reference", &reference)])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let (st, html) = ui.page(&cas, &path).await;
    assert_eq!(st, StatusCode::CONFLICT, "{html}");
    assert!(
        html.contains("message from an unknown sender can be matched"),
        "{html}"
    );
}

/// An email from someone Tact does not know: "Add the sender as a new person" starts the form
/// with their address and name, and once they are added goes on to match the message to
/// them, their reference filled in, so the message lands on their record.
#[tokio::test]
async fn the_sender_of_an_unknown_email_is_added_with_their_name_and_the_message_matched_to_them() {
    let ui = Ui::spawn().await;
    ui.staff("Cas Worker", "cas", Role::Caseworker).await;
    let raw = b"From: \"Stranger, Ann\" <ann@elsewhere.example>\r\nSubject: Speeding fine\r\nMessage-ID: <s1@elsewhere.example>\r\n\r\nWho do I write to?\r\n";
    let tact_app::mail::Imported::Stored { id, .. } = ui
        .app
        .import_message("enquiries", raw, &tact_mail::Limits::default())
        .await
        .unwrap()
    else {
        panic!("stored")
    };
    let cas = ui.session("cas").await;
    let (_, page) = ui.page(&cas, &format!("/messages/{id}")).await;
    let link = format!(
        "/people/new?who=ann%40elsewhere.example&#38;name=Stranger%2C%20Ann&#38;message={id}"
    );
    assert!(page.contains(&format!("href=\"{link}\"")), "{page}");
    let (st, form) = ui.page(&cas, &link.replace("&#38;", "&")).await;
    assert_eq!(st, StatusCode::OK, "{form}");
    for must in [
        "value=\"Stranger, Ann\"".to_string(),
        "ann@elsewhere.example".to_string(),
        format!("action=\"/people/new?message={id}\""),
        format!("The sender of message {id}."),
    ] {
        assert!(form.contains(&must), "{must} in {form}");
    }
    // A mistake keeps the form going to the match.
    let r = ui
        .post_form(
            &cas,
            &format!("/people/new?message={id}"),
            &[("name", ""), ("emails", "ann@elsewhere.example")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains(&format!("action=\"/people/new?message={id}\"")));
    let r = ui
        .post_form(
            &cas,
            &format!("/people/new?message={id}"),
            &[
                ("name", "Stranger, Ann"),
                ("emails", "ann@elsewhere.example"),
                ("preferred_format", "standard"),
            ],
        )
        .await;
    let next = redirected(&r);
    let (_, found) = ui.page(&cas, "/people?q=ann%40elsewhere.example").await;
    let reference = found
        .split(">SU-")
        .nth(1)
        .map(|r| format!("SU-{}", &r[..6]))
        .unwrap_or_else(|| panic!("the new person is found: {found}"));
    assert_eq!(next, format!("/messages/{id}/match?reference={reference}"));
    let (st, matching) = ui.page(&cas, &next).await;
    assert_eq!(st, StatusCode::OK, "{matching}");
    assert!(
        matching.contains(&format!("value=\"{reference}\"")),
        "{matching}"
    );
    let r = ui
        .post_form(
            &cas,
            &format!("/messages/{id}/match"),
            &[("reference", &reference), ("keep_address", "yes")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = ui.page(&cas, &format!("/messages/{id}")).await;
    assert!(
        page.contains(&format!("Stranger, Ann ({reference})")),
        "{page}"
    );
}

/// A plan in force and its written notice held for checking, in `format` ("" for the
/// person's own), written by the line manager: the case, their session, the letter's page.
async fn held_notice(ui: &Ui, format: &str) -> (Case, String, String) {
    let c = case(ui).await;
    let sid = c.plan_in_force(ui, "letter", "Abuse after a warning").await;
    let lee = ui.session("lee").await;
    let r = ui
        .post_form(
            &lee,
            &format!("/plans/{sid}/letter"),
            &[
                ("kind", "strategy-notice"),
                ("channel", ""),
                ("format", format),
                ("hold", "yes"),
            ],
        )
        .await;
    let path = redirected(&r);
    (c, lee, path)
}

#[tokio::test]
async fn a_held_letter_is_changed_on_its_page_and_in_word_then_sent_as_changed() {
    let ui = Ui::spawn().await;
    let (c, lee, path) = held_notice(&ui, "").await;
    let id: i64 = path.trim_start_matches("/letters/").parse().unwrap();
    let (_, page) = ui.page(&lee, &path).await;
    assert!(
        page.contains("Held for you to check before it goes"),
        "{page}"
    );
    assert!(page.contains("Change the wording") && page.contains("Send it now"));
    // A heading left empty is refused on its field, and what was typed stays.
    let r = ui
        .post_form(
            &lee,
            &format!("{path}/adjust"),
            &[("subject", ""), ("text", "Dear Jo,\n\nKept as typed.")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#subject\"") && html.contains("Kept as typed."));
    let r = ui
        .post_form(
            &lee,
            &format!("{path}/adjust"),
            &[
                ("subject", "How we will be in touch"),
                (
                    "text",
                    "Dear Jo Bloggs,\r\n\r\nWe will write to you.\r\n- Letters only\r\n",
                ),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let l = ui.app.letter_as_stored(id).await.unwrap();
    assert_eq!(l.subject, "How we will be in touch");
    assert_eq!(
        l.text,
        "Dear Jo Bloggs,\n\nWe will write to you.\n- Letters only\n"
    );
    assert!(l.html.contains("<li>Letters only</li>"));
    // The Word document carries the wording; changed in "Word", it comes back.
    let r = ui.get(&lee, &format!("{path}/docx")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(&format!("letter-{id}.docx")));
    let docx = r.bytes().await.unwrap();
    let back = tact_mail::docx::read(&docx).unwrap();
    assert_eq!(
        tact_mail::letters::blocks(&back.text),
        tact_mail::letters::blocks(&l.text)
    );
    let changed = tact_mail::docx::render(&tact_mail::Layout::plain(
        "How we will be in touch",
        "Dear Jo Bloggs,\n\nChanged in Word.\n",
    ))
    .unwrap();
    let upload = |bytes: Vec<u8>| async {
        let (_, home) = ui.page(&lee, "/").await;
        let token = after(&home, "name=\"csrf\" value=\"");
        let form = reqwest::multipart::Form::new().text("csrf", token).part(
            "document",
            reqwest::multipart::Part::bytes(bytes).file_name("letter.docx"),
        );
        ui.http
            .post(format!("{}{path}/docx", ui.base))
            .header(COOKIE, &lee)
            .multipart(form)
            .send()
            .await
            .unwrap()
    };
    let r = upload(b"plain text, not Word".to_vec()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#document\"") && html.contains("not a Word"),
        "{html}"
    );
    // A file larger than a Word letter may be is too large, said on the form with the
    // most it may be: 413, as the API answers a body too large.
    let r = upload(vec![b'x'; tact_mail::docx::MAX_DOCX_BYTES + 128 * 1024]).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#document\"") && html.contains("larger than 4 MB"),
        "{html}"
    );
    let r = upload(changed.clone()).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        ui.app.letter_as_stored(id).await.unwrap().text,
        "Dear Jo Bloggs,\n\nChanged in Word.\n"
    );
    // The accessible PDF is made from the kept wording.
    let r = ui.get(&lee, &format!("{path}/pdf")).await;
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-") && pdf.windows(9).any(|w| w == b"/Marked t"));
    // While every turn to make a document is taken, the page says Tact is busy and when to
    // try again, never a broken download.
    let turns = ui.app.makers.take_every_turn().await;
    let r = ui.get(&lee, &format!("{path}/pdf")).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()["retry-after"], "60");
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Tact cannot do this now") && html.contains("try again in a minute"),
        "{html}"
    );
    drop(turns);
    assert_eq!(
        ui.get(&lee, &format!("{path}/pdf")).await.status(),
        StatusCode::OK
    );
    // Released, it waits to be sent and can no longer be changed.
    let r = ui.post_form(&lee, &format!("{path}/release"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = ui.page(&lee, &path).await;
    assert!(page.contains("Waiting to be sent") && !page.contains("Change the wording"));
    let r = ui
        .post_form(
            &lee,
            &format!("{path}/adjust"),
            &[("subject", "x"), ("text", "y")],
        )
        .await;
    // The letter's state refuses it: 409, as the API answers.
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // So does an upload from a page opened before it was released, however large the file:
    // there is no form left to say anything else on.
    for bytes in [
        changed.clone(),
        vec![b'x'; tact_mail::docx::MAX_DOCX_BYTES + 128 * 1024],
    ] {
        let r = upload(bytes).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert!(r
            .text()
            .await
            .unwrap()
            .contains("only a held letter can be changed"));
    }
    assert_eq!(
        ui.app.letter_as_stored(id).await.unwrap().text,
        "Dear Jo Bloggs,\n\nChanged in Word.\n"
    );
    // Each change and the release are on the event log, with how it was changed.
    let log = ui
        .app
        .store()
        .audit_of(tact_core::ids::PersonId(c.pid))
        .await
        .unwrap();
    let about: Vec<String> = log
        .iter()
        .filter(|e| e.subject == format!("letter:{id}"))
        .map(|e| {
            let detail: serde_json::Value =
                serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null);
            format!("{} {}", e.action, detail["how"].as_str().unwrap_or(""))
        })
        .collect();
    assert_eq!(
        about,
        [
            "letter.written ",
            "letter.adjusted typed",
            "letter.adjusted word document",
            "letter.released "
        ],
        "{about:?}"
    );
}

impl Ui {
    /// The same server under another built-in profile.
    async fn spawn_under(profile: &str) -> Self {
        let ui = Self::spawn().await;
        let app = tact_app::testing::on(ui.app.store().clone(), profile).await;
        let base = tact_web::serve_on_loopback(app.clone()).await;
        Self { base, app, ..ui }
    }
}

/// CLE-9.3; NOR-5.8: the draft form asks why no warning was given only of someone not
/// warned; once they are, it says when instead, and asks nothing core would refuse.
#[tokio::test]
async fn cle_9_3_the_draft_form_asks_why_no_warning_was_given_only_where_none_was() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let lee = ui.session("lee").await;
    let form_of = |pid: i64| {
        let (ui, lee) = (&ui, lee.clone());
        async move { ui.page(&lee, &format!("/people/{pid}/plan")).await.1 }
    };
    // The case's person was warned: not asked why not, and told when.
    let form = form_of(c.pid).await;
    assert!(
        !form.contains("name=\"no_warning_reason\"")
            && form.contains("They were warned on")
            && form.contains(&ui.app.profile.clauses.warning_first),
        "{form}"
    );
    // Someone never warned is asked.
    let other = ui.api(&c.cw, "/people", json!({"name": "Sam Other"})).await["id"]
        .as_i64()
        .unwrap();
    let matter = json!({"kind": "complaint", "title": "Delays"});
    ui.api(&c.cw, &format!("/people/{other}/matters"), matter)
        .await;
    let form = form_of(other).await;
    assert!(
        form.contains("name=\"no_warning_reason\"") && !form.contains("They were warned on"),
        "{form}"
    );
}

/// Northamptonshire's journey through the same forms: a communication plan is refused
/// while the review route is open (NOR-5.3), takes effect only when the notice is recorded
/// (NOR-5.1) with the policy enclosed (NOR-5.2), and read-and-file mail is screened and
/// acknowledged because the plan says so (NOR-5.5).
#[tokio::test]
async fn nor_5_1_to_5_5_a_communication_plan_made_in_the_ui_waits_for_its_notice() {
    let ui = Ui::spawn_under("northamptonshire-opfcc").await;
    let (_, cw) = ui.staff("Cas Worker", "cas", Role::Caseworker).await;
    let (_, lm) = ui.staff("Lee Manager", "lee", Role::LineManager).await;
    let (_, sm) = ui.staff("Sam Senior", "sam", Role::SeniorManager).await;
    let p = ui
        .api(
            &cw,
            "/people",
            json!({"name": "Jo Bloggs", "emails": ["jo@example.org"]}),
        )
        .await;
    let pid = p["id"].as_i64().unwrap();
    // The policy is silent on sharing: the form cites the office's own rule as such, never
    // by the profile's code (every form cites through core's `profile::cited`).
    let (_, share) = ui
        .page(&ui.session("lee").await, &format!("/people/{pid}/share"))
        .await;
    assert!(
        share.contains("(a local rule)") && !share.contains("LOCAL"),
        "{share}"
    );
    let m = ui
        .api(
            &cw,
            &format!("/people/{pid}/matters"),
            json!({"kind": "complaint", "title": "Delays"}),
        )
        .await;
    let mid = m["id"].as_i64().unwrap();
    let category = ui.app.profile.categories[0].id.clone();
    ui.api(
        &cw,
        "/incidents",
        json!({"person_id": pid, "category": category, "description": "Forty emails a day"}),
    )
    .await;
    ui.api(&lm, &format!("/people/{pid}/warnings"), json!({"what_is_wrong": "a", "how_to_change": "b", "consequence": "c", "channel": "letter"})).await;
    let lee = ui.session("lee").await;
    let (_, form) = ui.page(&lee, &format!("/people/{pid}/plan")).await;
    assert!(
        form.contains("Start a communication plan") && form.contains("read-and-file__acknowledge"),
        "{form}"
    );
    // Warned, they are not asked why no warning was given: the form says when they were.
    assert!(
        form.contains("They were warned on") && !form.contains("name=\"no_warning_reason\""),
        "{form}"
    );
    let due = (tact_core::check::uk_date(ui.app.now()) + jiff::Span::new().days(30)).to_string();
    let mid_s = mid.to_string();
    let fields = [
        ("matter_id", mid_s.as_str()),
        ("read-and-file__use", "yes"),
        ("read-and-file__acknowledge", "yes"),
        (
            "read-and-file__reason",
            "Forty emails a day about the same thing",
        ),
        ("reasons", "Forty emails a day"),
        ("aims", "Time to answer every point"),
        ("proportionality", "Email stays open to them"),
        ("no_warning_reason", ""),
        ("review_due", due.as_str()),
        ("ends_on", ""),
    ];
    // NOR-5.2, 5.8: they were warned, so a reason no warning was given, sent anyway (a form
    // opened before the warning was recorded), is refused, and nothing is drafted.
    let mut not_warned = fields;
    not_warned[7] = ("no_warning_reason", "It was not safe to warn them");
    let r = ui
        .post_form(&lee, &format!("/people/{pid}/plan"), &not_warned)
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("leave the reason no warning was given empty")
            && html.contains(&ui.app.profile.clauses.warning_first),
        "{html}"
    );
    let r = ui
        .post_form(&lee, &format!("/people/{pid}/plan"), &fields)
        .await;
    let plan = redirected(&r);
    let sid: i64 = plan.trim_start_matches("/plans/").parse().unwrap();
    let answers: Vec<_> = ui.app.profile.checklist.questions.iter().map(|q| json!({"question_id": q.id, "answer": if q.shortfall_if == tact_core::profile::Answer::No { "yes" } else { "no" }, "reason": "checked"})).collect();
    ui.api(
        &lm,
        &format!("/strategies/{sid}/checklist"),
        json!({"answers": answers}),
    )
    .await;
    // NOR-5.3: not proposed while the matter's internal review route is open.
    let r = ui.post_form(&lee, &format!("{plan}/propose"), &[]).await;
    assert!(r.status().is_client_error(), "{}", r.status());
    let html = r.text().await.unwrap();
    assert!(html.contains("NOR-5.3"), "{html}");
    // The plan's page says so, and links the matter's status, where it is recorded.
    let status_link =
        format!("<a class=\"govuk-link\" href=\"/matters/{mid}/status\">Change the status of M-");
    let (_, page) = ui.page(&lee, &plan).await;
    assert!(
        page.contains("has not exhausted the internal review route")
            && page.contains("id=\"put-right\"")
            && page.contains(&status_link),
        "{page}"
    );
    ui.api(
        &cw,
        &format!("/matters/{mid}/status"),
        json!({"status": "review-exhausted"}),
    )
    .await;
    let (_, page) = ui.page(&lee, &plan).await;
    assert!(!page.contains("id=\"put-right\""), "{page}");
    let r = ui.post_form(&lee, &format!("{plan}/propose"), &[]).await;
    // Proposed, the plan's page says so, and who is asked to authorise it (NOR-6.2).
    let page = ui.followed(&lee, &r).await;
    assert!(
        page.contains(&format!(
            "Communication plan {sid}: proposed. A senior manager is asked to authorise it (NOR-6.2)."
        )),
        "{page}"
    );
    // NOR-6.2: the senior manager's task to decide it opens the decision form itself.
    let (_, home) = ui.page(&ui.session("sam").await, "/").await;
    assert!(
        home.contains(&format!("href=\"/plans/{sid}/decision\"")),
        "{home}"
    );
    ui.api(
        &sm,
        &format!("/strategies/{sid}/authorise"),
        json!({"reason": "ok"}),
    )
    .await;
    let strategy = ui
        .app
        .plan_as_stored(tact_core::ids::PlanId(sid))
        .await
        .unwrap();
    assert!(
        !strategy.in_force(ui.app.now()),
        "NOR-5.1: not before the notice"
    );
    let (_, person) = ui.page(&lee, &format!("/people/{pid}")).await;
    assert!(
        person.contains("Written notice not yet recorded"),
        "{person}"
    );
    // NOR-5.2: the notice form asks whether the policy went with it, and refuses without.
    let (_, notice) = ui.page(&lee, &format!("{plan}/notice")).await;
    assert!(
        notice.contains("policy_enclosed") && notice.contains("NOR-5.1"),
        "{notice}"
    );
    let notice_fields = [
        ("channel", "letter"),
        ("format", "standard"),
        ("agreement_sought", "no"),
        ("agreement_given", "unknown"),
    ];
    // Not answered is a question to answer (400), not a "no"; "no" is refused by the rule.
    let r = ui
        .post_form(&lee, &format!("{plan}/notice"), &notice_fields)
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("href=\"#policy_enclosed\""));
    let mut without_policy = notice_fields.to_vec();
    without_policy.push(("policy_enclosed", "no"));
    ui.refused_with(
        StatusCode::CONFLICT,
        &lee,
        &format!("{plan}/notice"),
        &without_policy,
        "policy_enclosed",
        "NOR-5.2",
    )
    .await;
    let mut with_policy = notice_fields.to_vec();
    with_policy.push(("policy_enclosed", "yes"));
    let r = ui
        .post_form(&lee, &format!("{plan}/notice"), &with_policy)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let strategy = ui
        .app
        .plan_as_stored(tact_core::ids::PlanId(sid))
        .await
        .unwrap();
    assert!(strategy.in_force(ui.app.now()));
    let (_, page) = ui.page(&lee, &plan).await;
    assert!(
        page.contains("read and filed and acknowledged"),
        "the plan page says what the plan does: {page}"
    );
    // When and how they were told, in the words the form offered the format in.
    let today = tact_core::check::long_day(ui.app.now());
    assert!(
        page.contains(&format!(
            "Written notice sent {today} by letter (standard print)"
        )),
        "{page}"
    );
    let (_, person) = ui.page(&lee, &format!("/people/{pid}")).await;
    assert!(!person.contains("not yet recorded"), "{person}");
    // What people read says the office's own word: the history names the plan as a
    // communication plan, and the letter form offers its written notice in those words.
    assert!(
        person.contains(&format!("plan authorised (communication plan {sid})")),
        "{person}"
    );
    assert!(!person.to_lowercase().contains("strateg"), "{person}");
    let (_, letter) = ui.page(&lee, &format!("{plan}/letter")).await;
    assert!(
        letter.contains(">The written notice of the communication plan<")
            && !letter.contains("Strategy notice"),
        "{letter}"
    );
    // A change waits for its own notice (NOR-5.1): the person's page says so, as it says
    // of a plan not yet told of.
    let varied = json!({"restrictions": [{"kind": "single-channel", "channel": "email", "reason": "Email only"}], "review_due": due, "reason": "Calls again"});
    ui.api(&sm, &format!("/plans/{sid}/vary"), varied).await;
    let (_, person) = ui.page(&lee, &format!("/people/{pid}")).await;
    assert!(
        person.contains("Written notice of the change not yet recorded"),
        "{person}"
    );
    // Mail from them is screened and, because the plan says so, acknowledged.
    let raw = b"From: jo@example.org\r\nTo: enquiries@opfcc.example\r\nSubject: Again\r\nMessage-ID: <nor-ui-1@example.org>\r\n\r\nText\r\n";
    let got = ui
        .app
        .import_message("enquiries", raw, &tact_mail::Limits::default())
        .await
        .unwrap();
    assert!(
        matches!(
            got,
            tact_app::mail::Imported::Stored {
                route: tact_core::correspondence::Route::Screening,
                ..
            }
        ),
        "{got:?}"
    );
    let (_, person) = ui.page(&lee, &format!("/people/{pid}")).await;
    assert!(
        person.contains("We have received your email by email (standard), waiting to be sent"),
        "{person}"
    );
    // NOR-6.2, 5.1: the line manager asks to apply the plan to a second matter; only a
    // senior manager is offered the decision, and once authorised it waits for the notice.
    let m2 = ui
        .api(
            &cw,
            &format!("/people/{pid}/matters"),
            json!({"kind": "complaint", "title": "A second complaint"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    // Until its review route is exhausted (NOR-5.3) the new matter is not offered: with no
    // other matter the plan can be applied to, the form is the refusal, saying why (409).
    let (st, refused) = ui.page(&lee, &format!("{plan}/apply")).await;
    assert_eq!(st, StatusCode::CONFLICT, "{refused}");
    // Headed as what it is: not possible yet, not "changed or already done".
    assert!(refused.contains(">This cannot be done now<"), "{refused}");
    assert!(
        refused.contains("has not exhausted the internal review route")
            && refused.contains("(NOR-5.3)")
            && !refused.contains("Apply it"),
        "{refused}"
    );
    // The plan's page does not link the form, and says why where the link would be.
    let (_, page) = ui.page(&lee, &plan).await;
    let why = |page: &str| {
        page.split("id=\"not-applied\"")
            .nth(1)
            .and_then(|rest| rest.split("</div>").next())
            .map(str::to_string)
    };
    assert!(!page.contains(&format!("href=\"{plan}/apply\"")), "{page}");
    assert!(
        why(&page).is_some_and(
            |w| w.contains("has not exhausted the internal review route")
                && w.contains("(NOR-5.3)")
        ),
        "{page}"
    );
    ui.api(
        &cw,
        &format!("/matters/{m2}/status"),
        json!({"status": "review-exhausted"}),
    )
    .await;
    let (_, page) = ui.page(&lee, &plan).await;
    assert!(page.contains(&format!("href=\"{plan}/apply\"")), "{page}");
    assert_eq!(why(&page), None, "{page}");
    let (_, apply) = ui.page(&lee, &format!("{plan}/apply")).await;
    assert!(apply.contains("A second complaint"), "{apply}");
    assert!(
        apply.contains("NOR-6.2") && apply.contains("NOR-5.1"),
        "{apply}"
    );
    let m2s = m2.to_string();
    let r = ui
        .post_form(
            &lee,
            &format!("{plan}/apply"),
            &[
                ("matter_id", m2s.as_str()),
                ("reason", "The same emails about it"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = ui.page(&lee, &plan).await;
    assert!(page.contains("waiting for a decision"), "{page}");
    assert!(
        !page.contains(&format!("{plan}/matters")),
        "the one who asked is not offered the decision"
    );
    let (s, _) = ui.page(&lee, &format!("{plan}/matters")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let sam = ui.session("sam").await;
    let (_, page) = ui.page(&sam, &plan).await;
    assert!(page.contains(&format!("{plan}/matters")), "{page}");
    ui.refused_with(
        StatusCode::BAD_REQUEST,
        &sam,
        &format!("{plan}/matters"),
        &[("matter_id", m2s.as_str()), ("reason", "Proportionate")],
        "approve",
        "authorise or refuse",
    )
    .await;
    let r = ui
        .post_form(
            &sam,
            &format!("{plan}/matters"),
            &[
                ("matter_id", m2s.as_str()),
                ("approve", "yes"),
                ("reason", "Proportionate"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = ui.page(&sam, &plan).await;
    assert!(
        page.contains("once the written notice is recorded"),
        "{page}"
    );
    assert!(
        !page.contains(&format!("{plan}/matters")),
        "nothing left to decide"
    );
}

/// Issue 5 through the forms: a caseworker records a data-rights request from a person
/// under a plan; the DPO finds it on their home page, gives more time, then answers it;
/// the DPO can see who opened the record, and a caseworker cannot.
#[tokio::test]
async fn a_data_rights_request_goes_from_the_person_page_to_the_dpo_who_answers_it() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    c.plan_in_force(&ui, "letter", "Abuse after a warning")
        .await;
    ui.staff("Dee Pee-Oh", "dee", Role::Dpo).await;
    let cas = ui.session("cas").await;
    let (_, person) = ui.page(&cas, &format!("/people/{}", c.pid)).await;
    assert!(person.contains(&format!("/people/{}/data-rights", c.pid)));
    assert!(!person.contains(&format!("/people/{}/access\"", c.pid)));
    let path = format!("/people/{}/data-rights", c.pid);
    ui.refused_on(
        &cas,
        &path,
        &[("kind", "nonsense"), ("details", "x"), ("channel", "phone")],
        "kind",
        "",
    )
    .await;
    // Nothing chosen is asked for as a form asks, not by the stored words (issue 11): the
    // same for every closed list a form offers as radios or a select.
    let said = ui
        .refused_on(
            &cas,
            &path,
            &[("details", "x"), ("channel", "phone")],
            "kind",
            "",
        )
        .await;
    assert!(
        said.contains("Select what they are asking for") && !said.contains("expected one of"),
        "{said}"
    );
    let r = ui
        .post_form(
            &cas,
            &path,
            &[
                ("kind", "access"),
                ("details", "Wants everything we hold"),
                ("channel", "phone"),
                ("received_on", ""),
            ],
        )
        .await;
    let page = ui.followed(&cas, &r).await;
    assert!(
        page.contains(
            "The request is recorded: the Data Protection Officer is asked to answer it by "
        ),
        "{page}"
    );
    let dee = ui.session("dee").await;
    let (_, home) = ui.page(&dee, "/").await;
    assert!(
        home.contains(">1</span><a class=\"govuk-link govuk-body\" href=\"/?kind=data-rights\">DPO requests: data rights to answer"),
        "{home}"
    );
    let (_, tasks) = ui.page(&dee, "/?kind=data-rights").await;
    let id: i64 = tasks
        .split("href=\"/data-rights/")
        .nth(1)
        .expect("a link to the request")
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let answer = format!("/data-rights/{id}");
    let (_, form) = ui.page(&dee, &answer).await;
    assert!(form.contains("Wants everything we hold") && form.contains("UK GDPR Art. 12(3)"));
    // The form links to the download the request asks for.
    assert!(
        form.contains(&format!(
            "href=\"/people/{}/export\">Download everything we hold about them",
            c.pid
        )),
        "{form}"
    );
    let r = ui
        .post_form(
            &dee,
            &answer,
            &[("decision", "extend"), ("text", "Ten years of files")],
        )
        .await;
    let page = ui.followed(&dee, &r).await;
    assert!(
        page.contains("More time is recorded: the answer is due by ")
            && page.contains(". Tell them why."),
        "{page}"
    );
    let (_, form) = ui.page(&dee, &answer).await;
    assert!(
        form.contains("Why more time: Ten years of files") && !form.contains("value=\"extend\"")
    );
    // Its days in words, as every page gives them (issue 13), not 2026-12-25.
    let today = tact_core::check::uk_date(ui.app.now());
    assert!(
        form.contains(&format!(
            "Received {} by telephone; due by ",
            tact_core::check::long_date(today)
        )) && form.contains(", extended to ")
            && !form.contains(&format!("Received {today}")),
        "{form}"
    );
    let r = ui
        .post_form(
            &dee,
            &answer,
            &[("decision", "done"), ("text", "Bundle posted")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, person) = ui.page(&dee, &format!("/people/{}", c.pid)).await;
    assert!(person.contains("done: Bundle posted"), "{person}");
    // Answered, its form is not offered again (the answer would be refused).
    let (st, html) = ui.page(&dee, &answer).await;
    assert_eq!(st, StatusCode::CONFLICT, "{html}");
    assert!(html.contains("has been answered"), "{html}");
    // A caseworker cannot answer; the DPO reads who opened the record.
    let (s, _) = ui.page(&cas, &answer).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, access) = ui.page(&dee, &format!("/people/{}/access", c.pid)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        access.contains("Cas Worker") && access.contains("whole record"),
        "{access}"
    );
    let (s, _) = ui.page(&cas, &format!("/people/{}/access", c.pid)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

/// Issue 5: subject access — the DPO downloads everything held about a person as one
/// bundle: a readable index, the record as JSON, each letter as sent and each message as
/// received, the event log entries about them and who opened their record.
#[tokio::test]
async fn the_dpo_downloads_everything_held_about_a_person_as_a_readable_bundle() {
    use std::io::Read;
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let sid = c
        .plan_in_force(&ui, "letter", "Abuse after a warning")
        .await;
    ui.staff("Dee Pee-Oh", "dee", Role::Dpo).await;
    let lee = ui.session("lee").await;
    ui.page(&lee, &format!("/plans/{sid}")).await;
    let r = ui
        .post_form(
            &lee,
            &format!("/plans/{sid}/letter"),
            &[("kind", "strategy-notice"), ("channel", ""), ("format", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let raw = b"From: jo@example.org\r\nSubject: My complaint\r\nMessage-ID: <sar-1@example.org>\r\n\r\nPlease reply.\r\n";
    ui.app
        .import_message("enquiries", raw, &tact_mail::Limits::default())
        .await
        .unwrap();
    // Their equality monitoring answers are theirs to see, in the bundle (issue 13).
    let r = ui
        .post_form(
            &lee,
            &format!("/people/{}/equality", c.pid),
            &[("consent", "yes"), ("religion", "buddhist")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (s, _) = ui.page(&lee, &format!("/people/{}/export", c.pid)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only the DPO");
    let dee = ui.session("dee").await;
    let (_, person) = ui.page(&dee, &format!("/people/{}", c.pid)).await;
    assert!(person.contains(&format!("/people/{}/export", c.pid)));
    let r = ui.get(&dee, &format!("/people/{}/export", c.pid)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let bytes = r.bytes().await.unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names: Vec<String> = z.file_names().map(|n| n.unwrap().to_string()).collect();
    let mut read = |n: &str| {
        let mut s = String::new();
        z.by_name(n).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let index = read("index.html");
    assert!(index.contains(
        "What Office of the Police and Crime Commissioner for Cleveland holds about Jo Bloggs"
    ));
    assert!(
        index.contains("<h2 id=\"letters\">") && index.contains("Twelve calls"),
        "{index}"
    );
    let record: serde_json::Value = serde_json::from_str(&read("record.json")).unwrap();
    assert_eq!(record["person"]["name"], "Jo Bloggs");
    assert_eq!(record["plans"].as_array().unwrap().len(), 1);
    assert_eq!(record["letters"].as_array().unwrap().len(), 1);
    assert_eq!(record["messages"].as_array().unwrap().len(), 1);
    assert_eq!(
        record["equality_monitoring"]["answers"]["religion"],
        "buddhist"
    );
    assert!(record["events"].as_array().unwrap().len() > 5);
    assert!(
        record["access_log"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["by"] == "Lee Manager"),
        "{}",
        record["access_log"]
    );
    let letter = record["letters"][0]["id"].as_i64().unwrap();
    for ext in ["txt", "html", "pdf"] {
        assert!(
            names.contains(&format!("letters/letter-{letter}.{ext}")),
            "{names:?}"
        );
    }
    let message = record["messages"][0]["file"].as_str().unwrap().to_string();
    assert!(read(&message).contains("Please reply."));
}

#[tokio::test]
async fn wrong_details_are_corrected_from_the_person_page_with_what_was_wrong() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let cas = ui.session("cas").await;
    let path = format!("/people/{}/rectify", c.pid);
    let (_, form) = ui.page(&cas, &path).await;
    assert!(
        form.contains("value=\"Jo Bloggs\"") && form.contains("jo@example.org"),
        "{form}"
    );
    let fields = |why: &'static str| {
        vec![
            ("name", "Joanne Bloggs"),
            ("phones", "07911 123123"),
            ("emails", "jo@example.org"),
            ("postal_address", ""),
            ("preferred_format", "standard"),
            ("preferred_language", ""),
            ("what_was_wrong", why),
        ]
    };
    ui.refused_on(&cas, &path, &fields(""), "what_was_wrong", "")
        .await;
    let r = ui
        .post_form(&cas, &path, &fields("Misheard on the first call"))
        .await;
    let person = ui.followed(&cas, &r).await;
    assert!(
        person.contains("Their details are corrected, and the correction is on their record."),
        "{person}"
    );
    assert!(
        person.contains("Joanne Bloggs") && person.contains("Misheard on the first call"),
        "{person}"
    );
}

/// Issue 11: a new number is a change, not a correction. The person page offers both; the
/// change form starts from what is held, a number that is not one is an error on its field
/// that changes nothing, and the new number is how the incoming page knows them at once.
#[tokio::test]
async fn a_new_number_is_added_from_the_person_page_and_the_incoming_page_knows_it() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let cas = ui.session("cas").await;
    let (_, person) = ui.page(&cas, &format!("/people/{}", c.pid)).await;
    let path = format!("/people/{}/details", c.pid);
    assert!(
        person.contains(&format!("href=\"{path}\""))
            && person.contains(&format!("href=\"/people/{}/rectify\"", c.pid)),
        "{person}"
    );
    let (s, form) = ui.page(&cas, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        form.contains("value=\"Jo Bloggs\"") && form.contains("07911 123123"),
        "{form}"
    );
    assert!(!form.contains("what_was_wrong"), "a change asks no reason");
    let fields = |phones: &'static str| {
        vec![
            ("name", "Jo Bloggs"),
            ("phones", phones),
            ("emails", "jo@example.org"),
            ("postal_address", "2 Low Street, Middlesbrough"),
            ("preferred_format", "large-print"),
            ("preferred_language", ""),
        ]
    };
    ui.refused_on(&cas, &path, &fields("07911 123123\ncall me"), "phones", "")
        .await;
    let (_, incoming) = ui
        .page(&cas, "/incoming?who=07911+123456&channel=phone")
        .await;
    assert!(!incoming.contains("Jo Bloggs"), "nothing was changed yet");
    let r = ui
        .post_form(&cas, &path, &fields("07911 123123\n07911 123456"))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, incoming) = ui
        .page(&cas, "/incoming?who=07911+123456&channel=phone")
        .await;
    assert!(incoming.contains("Jo Bloggs"), "{incoming}");
    let (_, person) = ui.page(&cas, &format!("/people/{}", c.pid)).await;
    assert!(
        person.contains("2 Low Street, Middlesbrough") && person.contains("Large print"),
        "{person}"
    );
    assert!(
        person.contains("person updated") && !person.contains("person rectified"),
        "a change is recorded as a change, not a correction: {person}"
    );
}

/// Issue 11: a number kept as unverified is not asked about again. The change form does
/// not start with "keep a number even if it is not recognised" ticked (it used to, so a
/// mistyped new number went in unasked); a new address saves without it; a new number
/// that is not recognised is asked about, as on the first day, and changes nothing.
#[tokio::test]
async fn a_number_kept_as_unverified_is_not_asked_about_again_but_a_new_one_is() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let p = ui
        .api(
            &c.cw,
            "/people",
            json!({"name": "Ann New", "phones": ["07700 900555"], "keep_unverified": true}),
        )
        .await;
    let pid = p["id"].as_i64().unwrap();
    let cas = ui.session("cas").await;
    let path = format!("/people/{pid}/details");
    let (_, form) = ui.page(&cas, &path).await;
    assert!(form.contains("07700 900555"), "{form}");
    let keep_box = form
        .split("name=\"keep_unverified\"")
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .expect("the form asks whether to keep an unrecognised number");
    assert!(
        !keep_box.contains("checked"),
        "not ticked for them: {keep_box}"
    );
    let fields = |phones: &'static str| {
        vec![
            ("name", "Ann New"),
            ("phones", phones),
            ("postal_address", "2 Low Street, Kettering"),
            ("preferred_format", "standard"),
        ]
    };
    let html = ui
        .refused_on(
            &cas,
            &path,
            &fields("07700 900555\n07700 900556"),
            "phones",
            "",
        )
        .await;
    assert!(
        html.contains("07700 900556"),
        "names the new number: {html}"
    );
    let (_, person) = ui.page(&cas, &format!("/people/{pid}")).await;
    assert!(!person.contains("2 Low Street"), "nothing was changed");
    let r = ui.post_form(&cas, &path, &fields("07700 900555")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, person) = ui.page(&cas, &format!("/people/{pid}")).await;
    assert!(
        person.contains("2 Low Street, Kettering") && person.contains("07700 900555"),
        "{person}"
    );
}

/// The person page shows an advocate's number as staff dial it, as it shows the person's
/// own: staff may have to call the advocate instead (CLE-9.9, an advocate for all contact).
#[tokio::test]
async fn the_person_page_shows_an_advocates_number_as_staff_dial_it() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let p = ui
        .api(
            &c.cw,
            "/people",
            json!({"name": "Ann Other", "advocate": {"name": "Pat Advocate", "organisation": "Advocacy North", "phone": "01642 301653"}}),
        )
        .await;
    let cas = ui.session("cas").await;
    let (_, page) = ui.page(&cas, &format!("/people/{}", p["id"])).await;
    assert!(
        page.contains("Pat Advocate, Advocacy North, 01642 301653"),
        "{page}"
    );
    assert!(!page.contains("+441642301653"), "{page}");
}

/// Issue 11: what the person page reads beside the record (where it came from, a legal
/// hold) is shown or the page is the error page — a row that cannot be read is never an
/// empty list or a missing hold that looks as if there were none.
#[tokio::test]
async fn a_person_page_whose_origin_or_hold_cannot_be_read_is_an_error_not_a_gap() {
    for bad in [
        "INSERT INTO imported (source, kind, source_key, record_id, person_id, line, digest, \
         imported_at, imported_by) VALUES ('crm', 'people', 'P-1', $1, $1, 2, 'd', 'not a time', 1)",
        "INSERT INTO imported (source, kind, source_key, record_id, person_id, line, digest, \
         imported_at, imported_by) VALUES ('crm', 'not a kind', 'P-1', $1, $1, 2, 'd', 0, 1)",
        "INSERT INTO legal_holds (person_id, reason, placed_by, placed_at) VALUES ($1, X'FF', 1, 0)",
    ] {
        let ui = Ui::spawn().await;
        let c = case(&ui).await;
        let cas = ui.session("cas").await;
        let path = format!("/people/{}", c.pid);
        let (s, _) = ui.page(&cas, &path).await;
        assert_eq!(s, StatusCode::OK);
        ui.spoil(bad, c.pid).await;
        let (s, page) = ui.page(&cas, &path).await;
        assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "{bad}: {page}");
        assert!(!page.contains("Jo Bloggs"), "{page}");
    }
}

/// A form is made from reads: a person's matters to choose among, the staff to name, the
/// extension a member of staff has now. Where one of them fails, the form is the error
/// page. An empty list of matters would read as if the person had none, and an empty
/// extension box, saved, would take their extension away.
#[tokio::test]
async fn a_form_whose_choices_cannot_be_read_is_an_error_not_an_empty_choice() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let lee = ui.session("lee").await;
    let forms = [
        format!("/people/{}/contact", c.pid),
        format!("/people/{}/plan", c.pid),
    ];
    for path in &forms {
        let (s, page) = ui.page(&lee, path).await;
        assert_eq!(s, StatusCode::OK, "{path}: {page}");
        assert!(page.contains("name=\"matter"), "{path}: {page}");
    }
    ui.spoil(
        "INSERT INTO matters (person_id, reference, kind, title, status, opened_at) \
         VALUES ($1, 'M-BAD', 'not a kind', 'Unreadable', 'open', 0)",
        c.pid,
    )
    .await;
    for path in &forms {
        let (s, page) = ui.page(&lee, path).await;
        assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "{path}: {page}");
        assert!(!page.contains("name=\"matter"), "{path}: {page}");
    }

    ui.staff("Ada Admin", "ada", Role::Admin).await;
    let ada = ui.session("ada").await;
    let (kit, _) = ui.staff("Kit Worker", "kit", Role::Caseworker).await;
    let path = format!("/admin/staff/{kit}/extension");
    let (s, page) = ui.page(&ada, &path).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("name=\"extension\""), "{page}");
    ui.spoil(
        "INSERT INTO staff_extensions (staff_id, extension) VALUES ($1, X'FF')",
        kit,
    )
    .await;
    let (s, page) = ui.page(&ada, &path).await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "{page}");
    assert!(!page.contains("name=\"extension\""), "{page}");

    // The person a form is about, there but unreadable, is the error page too: not "Page
    // not found", which would say there is no such person.
    let other = ui.api(&c.cw, "/people", json!({"name": "Ann Other"})).await;
    let path = format!("/people/{}/incident", other["id"]);
    let (s, page) = ui.page(&lee, &path).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    ui.spoil(
        "UPDATE people SET preferred_format = 'not a format' WHERE id = $1",
        other["id"].as_i64().unwrap(),
    )
    .await;
    let (s, page) = ui.page(&lee, &path).await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "{page}");
}

/// A notice task opens the plan's notice form while the plan awaits its notice (recording it
/// is what makes the plan bite, CLE-9.6). A plan that cannot be read makes the task the
/// error page: not the task's own form, as if the plan no longer awaited anything.
#[tokio::test]
async fn cle_9_6_a_notice_task_whose_plan_cannot_be_read_is_an_error_not_its_form() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let sid = c.draft(&ui, "letter", "Abuse after a warning").await;
    c.answer_and_propose(&ui, sid).await;
    ui.api(
        &c.sm,
        &format!("/plans/{sid}/authorise"),
        json!({"reason": "Proportionate"}),
    )
    .await;
    let (_, tasks) = ui
        .client()
        .ask(reqwest::Method::GET, &c.lm, "/tasks", None)
        .await;
    let task = tasks["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "send-notice")
        .unwrap_or_else(|| panic!("a notice task: {tasks}"))["id"]
        .clone();
    let lee = ui.session("lee").await;
    let path = format!("/tasks/{task}");
    let r = ui.get(&lee, &path).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], format!("/plans/{sid}/notice"));
    ui.spoil("UPDATE plans SET body = 'not a plan' WHERE id = $1", sid)
        .await;
    let (s, page) = ui.page(&lee, &path).await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "{page}");
}

#[tokio::test]
async fn the_governance_report_is_a_page_with_charts_and_a_csv() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    // A plan answering an incident of one of the profile's categories.
    let incident = ui.api(&c.cw, "/incidents", json!({"person_id": c.pid, "category": "unreasonable-persistence", "description": "Twenty calls"})).await;
    let due = (tact_core::check::uk_date(jiff::Timestamp::now()) + jiff::Span::new().days(30))
        .to_string();
    let plan = ui.api(&c.lm, &format!("/people/{}/plans", c.pid), json!({"matter_ids": [c.mid], "incident_ids": [incident["incident"]["id"]], "restrictions": [{"kind": "single-channel", "channel": "letter", "reason": "Calls were abusive"}], "reasons": "Abuse after a warning", "aims": "a", "proportionality": "p", "review_due": due})).await;
    ui.client()
        .into_force(&c.lm, &c.sm, plan["id"].as_i64().unwrap())
        .await;
    let lee = ui.session("lee").await;
    let (_, home) = ui.page(&lee, "/").await;
    assert!(home.contains("href=\"/governance\""));
    let (s, page) = ui.page(&lee, "/governance").await;
    assert_eq!(s, StatusCode::OK);
    let quarter =
        tact_core::governance::Period::quarter_of(tact_core::check::uk_date(ui.app.now()));
    assert!(
        page.contains(&format!("Governance report: {}", quarter.label())),
        "{page}"
    );
    assert!(page.contains("Plans in force at the end, by category"));
    assert!(
        page.contains("role=\"img\" aria-label=\"Plans in force at the end, by category. "),
        "{page}"
    );
    // Each category by the name the profile gives it, never its id.
    assert!(
        page.contains("Unreasonable persistence — active")
            && !page.contains("unreasonable-persistence"),
        "{page}"
    );
    let r = ui
        .http
        .get(format!(
            "{}/governance.csv?from={}&to={}",
            ui.base, quarter.from, quarter.to
        ))
        .header(COOKIE, &lee)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with("period,section,item,count\n"), "{csv}");
    assert!(csv.contains(",plans in force at the end,"), "{csv}");
    let (s, _) = ui.page(&lee, "/governance?from=yesterday").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // The period is given in words, and asked for as every date is, day, month and year
    // (issue 13); the boxes start filled with the period shown.
    assert!(
        page.contains(&format!(
            "From {} to {}.",
            tact_core::check::long_date(quarter.from),
            tact_core::check::long_date(quarter.to)
        )),
        "{page}"
    );
    assert!(
        page.contains("name=\"from-day\" type=\"text\" inputmode=\"numeric\" value=\"1\"")
            && page.contains("name=\"to-year\""),
        "{page}"
    );
    let (s, page) = ui
        .page(
            &lee,
            "/governance?from-day=1&from-month=1&from-year=2026&to-day=31&to-month=3&to-year=2026",
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("From 1 January 2026 to 31 March 2026."),
        "{page}"
    );
    let (s, page) = ui
        .page(&lee, "/governance?from-day=31&from-month=2&from-year=2026")
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // Issue 11: the page again with the error on the date input it is about, what was
    // typed kept, never an error page; this quarter's figures stay below it.
    assert!(
        page.contains("<a href=\"#from-day\">Enter a real day for “From”, such as 1 10 2026</a>")
            && page.contains("<p id=\"from-error\" class=\"govuk-error-message\">")
            && page.contains("aria-describedby=\"from-hint from-error\"")
            && page.contains("name=\"from-day\" type=\"text\" inputmode=\"numeric\" value=\"31\"")
            && page.contains("name=\"from-month\" type=\"text\" inputmode=\"numeric\" value=\"2\"")
            && page.contains("<title>Error: Governance report")
            && page.contains("Plans in force at the end, by category")
            && !page.contains("id=\"to-error\""),
        "{page}"
    );
    let (s, page) = ui
        .page(&lee, "/governance?from=2026-03-01&to=2026-02-01")
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("<a href=\"#to-day\">The period ends before it starts</a>")
            && page.contains("<p id=\"to-error\" class=\"govuk-error-message\">")
            && page.contains("name=\"to-month\" type=\"text\" inputmode=\"numeric\" value=\"02\""),
        "{page}"
    );
}

#[tokio::test]
async fn the_governance_report_is_on_the_api_for_any_period_and_only_for_those_the_profile_lets_read_it(
) {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    c.plan_in_force(&ui, "letter", "Abuse after a warning")
        .await;
    let r = ui
        .http
        .get(format!("{}/api/v1/governance", ui.base))
        .bearer_auth(&c.lm)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["plans_in_force_at_end"][0]["count"], 1, "{v}");
    let r = ui
        .http
        .get(format!(
            "{}/api/v1/governance?from=2020-01-01&to=2020-03-31",
            ui.base
        ))
        .bearer_auth(&c.lm)
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["period"], "2020 Q1");
    assert_eq!(v["plans_in_force_at_end"], json!([]), "{v}");
    let r = ui
        .http
        .get(format!("{}/api/v1/governance?from=soon", ui.base))
        .bearer_auth(&c.lm)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // The profile's read_governance decides, at every door: a caseworker is refused by the
    // API and the page, and the home page does not offer the link.
    let r = ui
        .http
        .get(format!("{}/api/v1/governance", ui.base))
        .bearer_auth(&c.cw)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let cas = ui.session("cas").await;
    assert_eq!(ui.page(&cas, "/governance").await.0, StatusCode::FORBIDDEN);
    assert!(!ui.page(&cas, "/").await.1.contains("href=\"/governance\""));
    let lee = ui.session("lee").await;
    assert!(ui.page(&lee, "/").await.1.contains("href=\"/governance\""));
}

/// NOR-8.2: the review shows the person's conduct since the plan took effect, and a
/// review that changes the plan goes on to the change form.
#[tokio::test]
async fn nor_8_2_the_review_form_shows_conduct_since_and_can_go_on_to_change_the_plan() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let sid = c
        .plan_in_force(&ui, "letter", "Abuse after a warning")
        .await;
    // A breach since: an email under a letters-only plan.
    ui.app
        .import_message(
            "enquiries",
            b"From: jo@example.org\r\nSubject: x\r\nMessage-ID: <rv-1@example.org>\r\n\r\nx\r\n",
            &tact_mail::Limits::default(),
        )
        .await
        .unwrap();
    // What the office sends them is no conduct of theirs: a call to them is not counted.
    ui.api(
        &c.cw,
        "/contacts",
        json!({"person_id": c.pid, "channel": "phone", "direction": "outbound", "summary": "Called them back"}),
    )
    .await;
    let sam = ui.session("sam").await;
    let (s, form) = ui.page(&sam, &format!("/plans/{sid}/review")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        form.contains("contacts from them: 1, of which breaches: 1; incidents recorded: 0"),
        "{form}"
    );
    // Issue 13: the review outcome letter as it reads if the plan is kept.
    let reasons = tact_mail::letters::escape(tact_app::evidence::REASONS_TO_COME);
    for must in [
        "The letter they will receive if you keep it",
        "to keep the arrangements as they are",
        reasons.as_str(),
    ] {
        assert!(form.contains(must), "{must}\n{form}");
    }
    // Reading their conduct for the review is on the access log.
    ui.app.flush_access_log().await.unwrap();
    let log = ui
        .app
        .store()
        .access_log(Some(tact_core::ids::PersonId(c.pid)), 50)
        .await
        .unwrap();
    assert!(
        log.iter()
            .any(|a| a.what.contains("review") && a.what.contains("their conduct")),
        "{log:?}"
    );
    let r = ui
        .post_form(
            &sam,
            &format!("/plans/{sid}/review"),
            &[("decision", "vary")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], format!("/plans/{sid}/vary").as_str());
}

/// NOR-8.2 (NOR-5.7: "We will always tell service users what action we are taking and
/// why"): a review that keeps a communication plan leaves whoever reviewed it a task to tell
/// the person it still applies, and the task's page leads to the letter that says so.
#[tokio::test]
async fn nor_8_2_a_review_that_keeps_the_plan_leaves_a_task_to_tell_them_with_its_letter() {
    let ui = Ui::spawn_under("northamptonshire-opfcc").await;
    let (_, cw) = ui.staff("Cas Worker", "cas", Role::Caseworker).await;
    let (_, lm) = ui.staff("Lee Manager", "lee", Role::LineManager).await;
    let (_, sm) = ui.staff("Sam Senior", "sam", Role::SeniorManager).await;
    let p = ui
        .api(
            &cw,
            "/people",
            json!({"name": "Jo Bloggs", "emails": ["jo@example.org"], "postal_address": "1 High Street, Northampton NN1 1AA"}),
        )
        .await;
    let pid = p["id"].as_i64().unwrap();
    let m = ui
        .api(
            &cw,
            &format!("/people/{pid}/matters"),
            json!({"kind": "complaint", "title": "Delays"}),
        )
        .await;
    let mid = m["id"].as_i64().unwrap();
    ui.api(
        &cw,
        &format!("/matters/{mid}/status"),
        json!({"status": "review-exhausted"}),
    )
    .await;
    ui.api(&cw, "/incidents", json!({"person_id": pid, "category": "aggressive-abusive", "description": "Shouting on every call"})).await;
    ui.api(&lm, &format!("/people/{pid}/warnings"), json!({"what_is_wrong": "a", "how_to_change": "b", "consequence": "c", "channel": "letter"})).await;
    let due = (tact_core::check::uk_date(jiff::Timestamp::now()) + jiff::Span::new().days(30))
        .to_string();
    let plan = ui.api(&lm, &format!("/people/{pid}/plans"), json!({"matter_ids": [mid], "restrictions": [{"kind": "single-channel", "channel": "letter", "reason": "Calls were abusive"}], "reasons": "Abuse after a warning", "aims": "a", "proportionality": "p", "review_due": due})).await;
    let sid = plan["id"].as_i64().unwrap();
    ui.client().into_force(&lm, &sm, sid).await;
    let tell = |tasks: &serde_json::Value| {
        tasks["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["kind"] == "send-notice" && t["done_at"].is_null())
            .map(|t| {
                (
                    t["id"].as_i64().unwrap(),
                    t["title"].as_str().unwrap().to_string(),
                    t["clause"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let sam = ui.session("sam").await;
    let next = (tact_core::check::uk_date(jiff::Timestamp::now()) + jiff::Span::new().days(200))
        .to_string();
    let r = ui
        .post_form(
            &sam,
            &format!("/plans/{sid}/review"),
            &[
                ("decision", "continue"),
                ("reasons", "The calls go on"),
                ("recent_conduct", "Two abusive calls this month"),
                ("next_review_due", next.as_str()),
            ],
        )
        .await;
    assert_eq!(redirected(&r), format!("/plans/{sid}"));
    let (_, tasks) = ui
        .client()
        .ask(reqwest::Method::GET, &sm, "/tasks", None)
        .await;
    let open = tell(&tasks);
    assert_eq!(open.len(), 1, "{tasks}");
    let (task, title, clause) = &open[0];
    assert_eq!(
        title,
        "Tell the person in writing that their communication plan was reviewed and still applies, and why"
    );
    assert_eq!(clause, "NOR-8.2");
    // NOR-6.1 asks no warning before an abusive call is ended: the ended-call form says so.
    let (_, ended) = ui
        .page(
            &ui.session("cas").await,
            &format!("/people/{pid}/ended-call"),
        )
        .await;
    assert!(
        ended.contains("The policy does not ask for a warning before ending an aggressive, abusive or offensive call (NOR-6.1); say whether you gave one."),
        "{ended}"
    );
    // Their page says what is still owed on their record, and to whom.
    let (_, person) = ui.page(&sam, &format!("/people/{pid}")).await;
    assert!(
        person.contains("Open tasks about them")
            && person.contains(&format!(
                "<li><a class=\"govuk-link\" href=\"/tasks/{task}\">{title}</a> — for Sam Senior (NOR-8.2)</li>"
            )),
        "{person}"
    );
    let (s, page) = ui.page(&sam, &format!("/tasks/{task}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains(&format!("href=\"/plans/{sid}/letter\""))
            && page.contains("Write the letter to them"),
        "{page}"
    );
    // The letter the link leads to offers the review's outcome; once it has gone, the
    // task is done.
    let (_, letter) = ui.page(&sam, &format!("/plans/{sid}/letter")).await;
    assert!(letter.contains("value=\"review-outcome\""), "{letter}");
    let r = ui
        .post_form(
            &sam,
            &format!("/plans/{sid}/letter"),
            &[
                ("kind", "review-outcome"),
                ("channel", "letter"),
                ("format", "standard"),
            ],
        )
        .await;
    let posted = redirected(&r);
    let (_, tasks) = ui
        .client()
        .ask(reqwest::Method::GET, &sm, "/tasks", None)
        .await;
    assert_eq!(tell(&tasks).len(), 1, "written, not yet posted: {tasks}");
    let r = ui.post_form(&sam, &format!("{posted}/printed"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, tasks) = ui
        .client()
        .ask(reqwest::Method::GET, &sm, "/tasks", None)
        .await;
    assert!(tell(&tasks).is_empty(), "told in writing: {tasks}");
    let (_, person) = ui.page(&sam, &format!("/people/{pid}")).await;
    assert!(!person.contains(title.as_str()), "{person}");
}

/// NOR-9.1 in the UI: the DPO places a legal hold from the person page, sees it listed on
/// /retention and lifts it there, sees the dry run, and must confirm before anything is
/// destroyed.
#[tokio::test]
async fn nor_9_1_the_dpo_holds_lifts_and_disposes_from_the_retention_page_only_when_confirmed() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    ui.staff("Dee Pee-Oh", "dee", Role::Dpo).await;
    let dee = ui.session("dee").await;
    let (_, home) = ui.page(&dee, "/").await;
    assert!(home.contains("href=\"/retention\""));
    let (s, page) = ui.page(&dee, "/retention").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("No one's records are due today"), "{page}");
    // Cleveland's policy sets no retention period: the office's own rule is cited as one,
    // never by the profile's code.
    assert!(
        home.contains("the disposal register (a local rule)"),
        "{home}"
    );
    assert!(page.contains("Retention (a local rule)"), "{page}");
    assert!(!home.contains("LOCAL") && !page.contains("LOCAL"));
    // A hold, shown on the person page, and lifted from there.
    ui.refused_on(
        &dee,
        &format!("/people/{}/hold", c.pid),
        &[("reason", "")],
        "reason",
        "",
    )
    .await;
    let r = ui
        .post_form(
            &dee,
            &format!("/people/{}/hold", c.pid),
            &[("reason", "Court case pending")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, person) = ui.page(&dee, &format!("/people/{}", c.pid)).await;
    assert!(person
        .contains("A legal hold keeps their records past their disposal date: Court case pending"));
    assert!(person.contains("Keeping their records</h2>"), "{person}");
    // The person page tells the DPO where the records stand, and a caseworker nothing.
    assert!(
        person.contains(
            "Their records are kept while a legal hold is in place (Court case pending)."
        ),
        "{person}"
    );
    let (_, theirs) = ui
        .page(&ui.session("cas").await, &format!("/people/{}", c.pid))
        .await;
    assert!(!theirs.contains("Their records"), "{theirs}");
    let hold: i64 = person
        .split("action=\"/holds/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // The retention page lists every hold in place: whose records, why, who placed it,
    // and a button to lift it.
    let (_, page) = ui.page(&dee, "/retention").await;
    let listed = page
        .split("Kept by a legal hold")
        .nth(1)
        .and_then(|rest| rest.split("The disposal register").next())
        .unwrap_or_default();
    for shown in [
        format!("href=\"/people/{}\"", c.pid),
        "Court case pending".to_string(),
        "Dee Pee-Oh".to_string(),
        format!("action=\"/holds/{hold}/lift\""),
    ] {
        assert!(listed.contains(&shown), "{shown} not in {listed}");
    }
    let cas = ui.session("cas").await;
    let (s, _) = ui.page(&cas, "/retention").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Lifted from the retention page, it goes back there, no longer listed.
    let r = ui
        .post_form(&dee, &format!("/holds/{hold}/lift"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/retention");
    let (_, page) = ui.page(&dee, "/retention").await;
    assert!(page.contains("No legal hold is in place"), "{page}");
    let (_, person) = ui.page(&dee, &format!("/people/{}", c.pid)).await;
    assert!(!person.contains("A legal hold keeps"));
    assert!(
        person.contains("Their records are kept while matter M-")
            && person.contains("is not finalised."),
        "{person}"
    );
    // Lifting it again is refused with a page that says so.
    let r = ui
        .post_form(
            &dee,
            &format!("/holds/{hold}/lift"),
            &[("back", &format!("/people/{}", c.pid))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // Disposal without the confirmation is refused; with it, nothing due means nothing goes.
    let r = ui.post_form(&dee, "/retention/dispose", &[]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(page.contains("Confirm the disposal first"), "{page}");
    let r = ui
        .post_form(&dee, "/retention/dispose", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(ui
        .app
        .store()
        .person(tact_core::ids::PersonId(c.pid))
        .await
        .unwrap()
        .is_some());
    // The task that asks the DPO to dispose (as the nightly job raises it) takes them to
    // the list it asks them to check.
    let due = tact_core::jobs::disposal_task(
        &ui.app.profile,
        1,
        tact_core::check::uk_date(ui.app.now()),
        &[],
    );
    let mut tx = ui.app.store().begin().await.unwrap();
    let ids = tx.tasks(&due, ui.app.now()).await.unwrap();
    tx.commit().await.unwrap();
    let (_, task) = ui.page(&dee, &format!("/tasks/{}", ids[0])).await;
    assert!(
        task.contains("href=\"/retention\">Check the list of records due for disposal, and dispose of them there</a>"),
        "{task}"
    );
}

/// Issue 10: a busy office's caseworkers share thousands of tasks. The home page counts
/// every one of them by kind, lists only the oldest few, and says so.
#[tokio::test]
async fn the_home_page_counts_every_task_and_lists_the_oldest_fifty() {
    let ui = Ui::spawn().await;
    let (kim, _) = ui.staff("Kim Case", "kim", Role::Caseworker).await;
    let task = |kind: tact_core::model::TaskKind, i: usize| tact_core::model::NewTask {
        kind,
        person_id: None,
        assignee: None,
        role: Some(Role::Caseworker),
        title: format!("Task number {i}"),
        due_on: None,
        clause: "CLE-9.10".into(),
        subject: None,
    };
    let mut tasks: Vec<_> = (0..120)
        .map(|i| task(tact_core::model::TaskKind::Screening, i))
        .collect();
    tasks.push(task(tact_core::model::TaskKind::BreachReminder, 120));
    let mut tx = ui.app.store().begin().await.unwrap();
    tx.tasks(&tasks, ui.app.now()).await.unwrap();
    tx.commit().await.unwrap();
    assert!(kim > 0);
    let s = ui.session("kim").await;
    let (st, home) = ui.page(&s, "/").await;
    assert_eq!(st, StatusCode::OK);
    // Whose tasks they are, as a caption starts: with a capital.
    assert!(
        home.contains("<span class=\"govuk-caption-l\">Caseworker</span>"),
        "{home}"
    );
    // Every task counted, by kind.
    assert!(home.contains(">120</span>"), "{home}");
    assert!(home.contains(">1</span>"), "{home}");
    // Only the oldest fifty listed, and the page says so.
    assert_eq!(home.matches("Task number ").count(), 50, "{home}");
    assert!(home.contains("Task number 0<") && !home.contains("Task number 50<"));
    assert!(home.contains("The 50 oldest of 121 open tasks"), "{home}");
    // One kind: its own oldest fifty, counted against that kind.
    let (_, only) = ui.page(&s, "/?kind=breach-reminder").await;
    assert_eq!(only.matches("Task number ").count(), 1, "{only}");
    assert!(only.contains("Task number 120"));
    assert!(!only.contains("oldest of"), "{only}");
}

/// Issue 11 (CLE-9.10): a refusal means the same at every door. Screening a contact that
/// someone has already screened is a 409 in the UI, as in the API — the form again with the
/// reason — never the 500 "Sorry, there is a problem" page.
#[tokio::test]
async fn cle_9_10_screening_a_contact_twice_is_a_409_on_the_form_as_in_the_api() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    c.plan_in_force(&ui, "email", "Abusive calls after a warning")
        .await;
    let logged = ui.api(&c.cw, "/contacts", json!({"person_id": c.pid, "channel": "email", "direction": "inbound", "summary": "Wrote about the complaint"})).await;
    assert_eq!(logged["contact"]["screening"], "due", "{logged}");
    let id = logged["contact"]["id"].as_i64().unwrap();
    let cas = ui.session("cas").await;
    let path = format!("/contacts/{id}/screen");
    let first = ui
        .post_form(&cas, &path, &[("finding", "nothing-new")])
        .await;
    assert!(first.status().is_redirection(), "{}", first.status());
    let again = ui
        .post_form(&cas, &path, &[("finding", "nothing-new")])
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let html = again.text().await.unwrap();
    assert!(html.contains("govuk-error-summary"), "{html}");
    assert!(!html.contains("Sorry, there is a problem"), "{html}");
    // Nor is the form offered again.
    let (st, html) = ui.page(&cas, &path).await;
    assert_eq!(st, StatusCode::CONFLICT, "{html}");
    assert!(html.contains("already been screened"), "{html}");
    // The API says the same.
    let r = ui
        .http
        .post(format!("{}/api/v1/contacts/{id}/screen", ui.base))
        .bearer_auth(&c.cw)
        .json(&json!({"finding": "nothing-new"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

/// CLE-9.10: the screening form asks which of the five findings it was; none chosen, or a
/// safeguarding concern without a word of what was raised, is an error on the form, and a
/// safeguarding concern puts a referral on the line managers' list.
#[tokio::test]
async fn cle_9_10_the_screening_form_asks_what_was_raised_and_a_safeguarding_concern_is_referred() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    c.plan_in_force(&ui, "email", "Abusive calls after a warning")
        .await;
    let logged = ui.api(&c.cw, "/contacts", json!({"person_id": c.pid, "channel": "email", "direction": "inbound", "summary": "Wrote about the complaint", "body": "I am not safe at home.\nPlease call <my sister>."})).await;
    let id = logged["contact"]["id"].as_i64().unwrap();
    let cas = ui.session("cas").await;
    let path = format!("/contacts/{id}/screen");
    // What is to be read is on the form, as they wrote it: not only its subject line.
    let (_, form) = ui.page(&cas, &path).await;
    assert!(
        form.contains("<div class=\"govuk-inset-text tact-message-body\">I am not safe at home.\nPlease call &#60;my sister&#62;.</div>"),
        "{form}"
    );
    // A long one is shown in its first part, saying where the rest is.
    let long = ui.api(&c.cw, "/contacts", json!({"person_id": c.pid, "channel": "email", "direction": "inbound", "summary": "A long letter", "body": "word ".repeat(4_000)})).await;
    let long = long["contact"]["id"].as_i64().unwrap();
    let (_, form) = ui.page(&cas, &format!("/contacts/{long}/screen")).await;
    assert!(
        form.contains("(This is the first part of it; all of it is on their record"),
        "{form}"
    );
    let (_, form) = ui.page(&cas, &path).await;
    for value in [
        "nothing-new",
        "new-complaint",
        "new-information",
        "possible-crime",
        "safeguarding",
    ] {
        assert!(
            form.contains(&format!("value=\"{value}\"")),
            "{value}: {form}"
        );
    }
    assert!(form.contains("A safeguarding concern"), "{form}");
    // What is to be read is said: how it came and when, with what they sent.
    let when =
        tact_core::check::long_day(logged["contact"]["at"].as_str().unwrap().parse().unwrap());
    assert!(
        form.contains(&format!("Email from them, {when}.")),
        "{form}"
    );
    let none = ui.post_form(&cas, &path, &[("note", "")]).await;
    assert_eq!(none.status(), StatusCode::BAD_REQUEST);
    let html = none.text().await.unwrap();
    assert!(html.contains("Choose what the contact raised"), "{html}");
    let bare = ui
        .post_form(&cas, &path, &[("finding", "safeguarding"), ("note", " ")])
        .await;
    assert_eq!(bare.status(), StatusCode::BAD_REQUEST);
    let html = bare.text().await.unwrap();
    assert!(html.contains("Say what the contact raised"), "{html}");
    let done = ui
        .post_form(
            &cas,
            &path,
            &[
                ("finding", "safeguarding"),
                ("note", "Has nowhere safe to stay tonight"),
            ],
        )
        .await;
    assert!(done.status().is_redirection(), "{}", done.status());
    let lee = ui.session("lee").await;
    let (_, home) = ui.page(&lee, "/").await;
    assert!(home.contains("Safeguarding referrals to make"), "{home}");
    // The referral's task page quotes what they wrote, to refer from.
    let referral = home
        .split("<tr")
        .find(|row| row.contains("Make a safeguarding referral today"))
        .and_then(|row| row.split("href=\"/tasks/").nth(1))
        .and_then(|rest| rest.split('"').next())
        .expect("a link to the referral");
    let (_, task) = ui.page(&lee, &format!("/tasks/{referral}")).await;
    assert!(
        task.contains("<div class=\"govuk-inset-text tact-message-body\">I am not safe at home.\nPlease call &#60;my sister&#62;.</div>")
            && task.contains(&format!("Email from them, {when}.")),
        "{task}"
    );
    // A new complaint found by screening: its task links to the form that opens it as a
    // matter of its own (CLE-10.4).
    let another = ui.api(&c.cw, "/contacts", json!({"person_id": c.pid, "channel": "email", "direction": "inbound", "summary": "A new complaint", "body": "The officer who came was rude."})).await;
    let another = another["contact"]["id"].as_i64().unwrap();
    let r = ui
        .post_form(
            &cas,
            &format!("/contacts/{another}/screen"),
            &[
                ("finding", "new-complaint"),
                ("note", "About the officer's manner"),
            ],
        )
        .await;
    assert!(r.status().is_redirection(), "{}", r.status());
    let (_, home) = ui.page(&cas, "/").await;
    let open = home
        .split("<tr")
        .find(|row| row.contains("Open the new complaint as a matter of its own and judge it"))
        .and_then(|row| row.split("href=\"/tasks/").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("a task to open it: {home}"));
    let (_, task) = ui.page(&cas, &format!("/tasks/{open}")).await;
    assert!(
        task.contains(&format!(
            "href=\"/people/{}/matter\">Open the new complaint as a matter of its own</a>",
            c.pid
        )) && task.contains("The officer who came was rude."),
        "{task}"
    );
}

/// Issue 11: bad input is an error on the form, never a silent default. A channel the
/// form does not offer was taken as a phone call (the contact form) or a letter (the
/// warning form); now the form comes back with the error on the channel and nothing is
/// recorded.
#[tokio::test]
async fn an_unknown_channel_is_an_error_on_the_form_not_a_default() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let cas = ui.session("cas").await;
    let lee = ui.session("lee").await;
    let contacts = ui
        .app
        .store()
        .count(tact_store::Table::Contacts)
        .await
        .unwrap();
    ui.refused_on(
        &cas,
        &format!("/people/{}/contact", c.pid),
        &[
            ("channel", "carrier-pigeon"),
            ("direction", "inbound"),
            ("summary", "Asked for an update"),
        ],
        "channel",
        "",
    )
    .await;
    // A matter that is not one of theirs by number is refused, not read as "no matter".
    ui.refused_on(
        &cas,
        &format!("/people/{}/contact", c.pid),
        &[
            ("channel", "phone"),
            ("direction", "inbound"),
            ("matter_id", "the complaint"),
            ("summary", "Asked for an update"),
        ],
        "matter_id",
        "",
    )
    .await;
    assert_eq!(
        ui.app
            .store()
            .count(tact_store::Table::Contacts)
            .await
            .unwrap(),
        contacts,
        "nothing was logged"
    );
    let html = ui
        .refused_on(
            &lee,
            &format!("/people/{}/warning", c.pid),
            &[
                ("what_is_wrong", "a"),
                ("how_to_change", "b"),
                ("consequence", "c"),
                ("channel", "carrier-pigeon"),
            ],
            "channel",
            "",
        )
        .await;
    assert!(html.contains("carrier-pigeon"), "{html}");
    // Issue 13: a field left empty is asked for in plain words, never by its own name.
    let html = ui
        .refused_on(
            &lee,
            &format!("/people/{}/warning", c.pid),
            &[
                ("what_is_wrong", " "),
                ("how_to_change", "b"),
                ("consequence", "c"),
                ("channel", "letter"),
            ],
            "what_is_wrong",
            "",
        )
        .await;
    assert!(
        html.contains("Enter what the behaviour was and why it is not acceptable"),
        "{html}"
    );
    assert!(!html.contains("What_is_wrong"), "{html}");
}

/// CLE-9.2, 9.3; NOR-5.2: a warning recorded as given by letter leaves whoever gave it a
/// task to send it in writing, on their home page and the person's, linked to the warning
/// letter's form; writing the letter closes it. Given on the phone, there is no such task.
#[tokio::test]
async fn cle_9_2_a_warning_given_by_letter_is_a_task_until_its_letter_is_written() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let lee = ui.session("lee").await;
    let warn = |channel: &'static str| {
        [
            ("what_is_wrong", "You shouted at a caseworker on the phone"),
            ("how_to_change", "Speak calmly"),
            ("consequence", "We may limit how you contact us"),
            ("channel", channel),
        ]
    };
    let path = format!("/people/{}/warning", c.pid);
    let r = ui.post_form(&lee, &path, &warn("phone")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, home) = ui.page(&lee, "/").await;
    // The case's own warning, given by letter through the API, is the one task so far.
    assert_eq!(
        home.matches("Send the warning in writing").count(),
        1,
        "{home}"
    );
    let r = ui.post_form(&lee, &path, &warn("letter")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, home) = ui.page(&lee, "/").await;
    assert!(home.contains("Warnings to send in writing"), "{home}");
    assert_eq!(
        home.matches("Send the warning in writing, by letter")
            .count(),
        2,
        "{home}"
    );
    // Three warnings now: the case's (1), on the phone (2), by letter (3).
    let form = "/warnings/3/letter";
    assert!(home.contains(&format!("href=\"{form}\"")), "{home}");
    assert!(!home.contains("href=\"/warnings/2/letter\""), "{home}");
    let (_, person) = ui.page(&lee, &format!("/people/{}", c.pid)).await;
    assert!(person.contains(&format!("href=\"{form}\"")), "{person}");
    // Writing it closes the task to send it; the other warning's stays.
    let r = ui
        .post_form(&lee, form, &[("channel", "email"), ("format", "")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, home) = ui.page(&lee, "/").await;
    assert_eq!(
        home.matches("Send the warning in writing").count(),
        1,
        "{home}"
    );
    assert!(!home.contains(&format!("href=\"{form}\"")), "{home}");
}

/// CLE-9.1, NOR-5.2: the warning form asks which behaviour the warning is about, with what
/// has happened since the last warning ticked, and the warning cites what is ticked; a box
/// sent with anything but its tick is refused on the form, beside the question, and writes
/// nothing. The plan form asks which behaviour the plan answers, every incident ticked.
#[tokio::test]
async fn cle_9_1_nor_5_2_a_warning_and_a_plan_name_the_behaviour_they_answer() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let lee = ui.session("lee").await;
    let person = tact_core::ids::PersonId(c.pid);
    let store = ui.app.store();
    // The case's incident came before its warning; this one comes after.
    let later = ui
        .api(&c.cw, "/incidents", json!({"person_id": c.pid, "category": "unreasonable-persistence", "description": "Called twelve times today"}))
        .await["incident"]["id"]
        .as_i64()
        .unwrap();
    let earlier = store
        .incidents_of(person)
        .await
        .unwrap()
        .iter()
        .map(|i| i.id.0)
        .find(|i| *i != later)
        .unwrap();
    let ticked = |html: &str, id: i64| {
        html.contains(&format!(
            "name=\"incident_ids-{id}\" type=\"checkbox\" value=\"yes\" checked"
        ))
    };
    let path = format!("/people/{}/warning", c.pid);
    let (_, form) = ui.page(&lee, &path).await;
    assert!(
        form.contains("Which behaviour is it about?") && form.contains("Called twelve times today"),
        "{form}"
    );
    assert!(ticked(&form, later) && !ticked(&form, earlier), "{form}");
    let (e_key, l_key) = (
        format!("incident_ids-{earlier}"),
        format!("incident_ids-{later}"),
    );
    let warn = vec![
        ("what_is_wrong", "Repeated calls"),
        ("how_to_change", "Write to us instead"),
        ("consequence", "We may limit your calls"),
        ("channel", "phone"),
    ];
    let warned = || async { store.warnings_of(person).await.unwrap() };
    let before = warned().await.len();
    let mut junk = warn.clone();
    junk.push((l_key.as_str(), "maybe"));
    let r = ui.post_form(&lee, &path, &junk).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#incident_ids\"") && html.contains("id=\"incident_ids-error\""),
        "{html}"
    );
    assert_eq!(warned().await.len(), before, "nothing written");
    let mut both = warn.clone();
    both.extend([(e_key.as_str(), "yes"), (l_key.as_str(), "yes")]);
    let r = ui.post_form(&lee, &path, &both).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let w = warned().await.into_iter().max_by_key(|w| w.id.0).unwrap();
    assert_eq!(
        w.incident_ids,
        vec![
            tact_core::ids::IncidentId(earlier),
            tact_core::ids::IncidentId(later)
        ]
    );
    // Warned since, neither is ticked on the next warning's form.
    let (_, form) = ui.page(&lee, &path).await;
    assert!(!ticked(&form, later) && !ticked(&form, earlier), "{form}");
    // The plan form lists both, ticked.
    let (_, plan) = ui.page(&lee, &format!("/people/{}/plan", c.pid)).await;
    assert!(
        plan.contains("Which behaviour does it answer?")
            && ticked(&plan, earlier)
            && ticked(&plan, later),
        "{plan}"
    );
}

/// Issue 4: an office with no mail relay set (no `[smtp]`) still lets staff write a letter
/// by email, and its page says that it waits until one is set up, and how to send it now;
/// where a relay is set, the page says nothing of it.
#[tokio::test]
async fn a_letter_by_email_says_it_waits_where_no_mail_relay_is_set() {
    let ui = Ui::spawn().await;
    // A person with an email address, warned by letter (warning 1).
    case(&ui).await;
    let mut state = tact_web::AppState::new(ui.app.clone());
    state.settings().mail_relay = false;
    let base = tact_web::serve_state_on_loopback(state).await;
    let without = Ui {
        base,
        http: ui.http.clone(),
        app: ui.app.clone(),
    };
    let lee = without.session("lee").await;
    let r = without
        .post_form(
            &lee,
            "/warnings/1/letter",
            &[("channel", "email"), ("format", "")],
        )
        .await;
    let letter = redirected(&r);
    let (_, page) = without.page(&lee, &letter).await;
    assert!(page.contains("Waiting to be sent"), "{page}");
    assert!(
        page.contains("Tact has no mail relay set up, so this email waits"),
        "{page}"
    );
    let lee = ui.session("lee").await;
    let (_, page) = ui.page(&lee, &letter).await;
    assert!(page.contains("Waiting to be sent"), "{page}");
    assert!(!page.contains("no mail relay"), "{page}");
}

/// Issue 11: every form is one transaction. A new member of staff whose username is taken
/// is refused on the username with nothing written — before, the record and its event were
/// made and then the sign-in details failed, so sending the form again made a second record.
#[tokio::test]
async fn a_new_member_of_staff_with_a_taken_username_writes_nothing_and_can_be_sent_again() {
    let ui = Ui::spawn().await;
    ui.staff("Ada Admin", "ada", Role::Admin).await;
    ui.staff("Cas Worker", "cas", Role::Caseworker).await;
    let ada = ui.session("ada").await;
    let before = tact_app::testing::staff_list(&ui.app).await.len();
    let form = |username: &'static str| {
        [
            ("name", "Nia New"),
            ("role", "caseworker"),
            ("username", username),
            ("password", "a-long-enough-password"),
        ]
    };
    ui.refused_on(&ada, "/admin/staff/new", &form("cas"), "username", "")
        .await;
    assert_eq!(
        tact_app::testing::staff_list(&ui.app).await.len(),
        before,
        "nothing written"
    );
    let r = ui.post_form(&ada, "/admin/staff/new", &form("nia")).await;
    assert!(r.status().is_redirection(), "{}", r.status());
    let page = ui.followed(&ada, &r).await;
    assert!(page.contains("Nia New is added as a caseworker."), "{page}");
    let staff = tact_app::testing::staff_list(&ui.app).await;
    assert_eq!(staff.len(), before + 1);
    assert_eq!(staff.iter().filter(|s| s.name == "Nia New").count(), 1);
    // The new member of staff signs in with what the form set.
    let r = ui.sign_in("nia", "a-long-enough-password").await;
    assert!(r.status().is_redirection(), "{}", r.status());
    // One showing of the form sent twice (a double click): saved once, and the second
    // answer says so rather than that the username the first took is taken.
    let (_, shown) = ui.page(&ada, "/admin/staff/new").await;
    let once = after(&shown, "name=\"once\" value=\"");
    let mut twice = form("ola").to_vec();
    twice[0] = ("name", "Ola Once");
    twice.push(("once", once.as_str()));
    let first = ui.post_form(&ada, "/admin/staff/new", &twice).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let second = ui.post_form(&ada, "/admin/staff/new", &twice).await;
    assert_eq!(second.status(), StatusCode::SEE_OTHER, "not refused");
    let page = ui.followed(&ada, &second).await;
    assert!(
        page.contains("The form was sent twice: it was saved once, the first time."),
        "{page}"
    );
    let staff = tact_app::testing::staff_list(&ui.app).await;
    assert_eq!(staff.iter().filter(|s| s.name == "Ola Once").count(), 1);
}

/// CLE-9.15, 4.5; NOR-1.5, 6.2: an office setting up is told, on the staff page, each role
/// its tasks go to that nobody in post holds yet, and what would wait there; adding someone
/// in the role takes it off.
#[tokio::test]
async fn cle_9_15_the_staff_page_names_a_role_nobody_holds_that_tasks_go_to() {
    let ui = Ui::spawn().await;
    ui.staff("Ada Admin", "ada", Role::Admin).await;
    ui.staff("Lee Manager", "lee", Role::LineManager).await;
    let ada = ui.session("ada").await;
    let (s, page) = ui.page(&ada, "/admin/staff").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("Nobody in post holds these roles yet"),
        "{page}"
    );
    assert!(
        page.contains("<li>a senior manager: authorising a contact strategy"),
        "{page}"
    );
    assert!(
        page.contains("<li>a Data Protection Officer: deciding a request to share details"),
        "{page}"
    );
    assert!(!page.contains("<li>a line manager:"), "{page}");
    let form = [
        ("name", "Dee Protection"),
        ("role", "dpo"),
        ("line_manager", ""),
        ("username", "dee"),
        ("password", "a-long-enough-password"),
    ];
    let r = ui.post_form(&ada, "/admin/staff/new", &form).await;
    assert!(r.status().is_redirection(), "{}", r.status());
    let (_, page) = ui.page(&ada, "/admin/staff").await;
    assert!(
        !page.contains("<li>a customer service team manager:"),
        "{page}"
    );
    assert!(page.contains("<li>a senior manager:"), "{page}");
}

/// CLE-4.5; NOR-6.1: follow-ups go to a member of staff's line manager, so the staff forms
/// set one: the new-staff form and the change form offer active people (not the member of
/// staff themselves), a loop is an error on the field, "nobody" takes it away, and the last
/// active administrator cannot be disabled (a 409 on the form).
#[tokio::test]
async fn cle_4_5_the_staff_forms_set_a_line_manager_and_keep_an_administrator() {
    let ui = Ui::spawn().await;
    let (ada_id, _) = ui.staff("Ada Admin", "ada", Role::Admin).await;
    let (lee_id, _) = ui.staff("Lee Manager", "lee", Role::LineManager).await;
    let ada = ui.session("ada").await;
    let (s, html) = ui.page(&ada, "/admin/staff/new").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Lee Manager (line manager)"), "{html}");
    let lee = lee_id.to_string();
    let form = [
        ("name", "Nia New"),
        ("role", "caseworker"),
        ("line_manager", lee.as_str()),
        ("username", "nia"),
        ("password", "a-long-enough-password"),
    ];
    let r = ui.post_form(&ada, "/admin/staff/new", &form).await;
    assert!(r.status().is_redirection(), "{}", r.status());
    let staff = tact_app::testing::staff_list(&ui.app).await;
    let nia = staff.iter().find(|s| s.name == "Nia New").unwrap().clone();
    assert_eq!(nia.line_manager, Some(tact_core::ids::StaffId(lee_id)));
    // The staff page says who each one's line manager is.
    let (_, list) = ui.page(&ada, "/admin/staff").await;
    let row = |name: &str| {
        let rest = past(
            &list,
            &format!("<td class=\"govuk-table__cell\">{name}</td>"),
        );
        rest[..rest.find("</tr>").unwrap()].to_string()
    };
    assert!(row("Nia New").contains(">Lee Manager</td>"), "{list}");
    assert!(row("Ada Admin").contains(">None</td>"), "{list}");
    // Each role as a list on the page says it: a capital first, as every other list.
    assert!(row("Nia New").contains(">Caseworker</td>"), "{list}");
    assert!(row("Lee Manager").contains(">Line manager</td>"), "{list}");
    // Lee's change form does not offer Lee; giving Lee Nia as manager would be a loop.
    let (_, html) = ui.page(&ada, &format!("/admin/staff/{lee_id}")).await;
    assert!(!html.contains("Lee Manager (line manager)"), "{html}");
    // Before disabling someone, the administrator is told what becomes of their work.
    assert!(
        html.contains("Their open tasks go to their line manager")
            && html
                .contains("each contact strategy that names them as the single point of contact"),
        "{html}"
    );
    let nia_id = nia.id.0.to_string();
    let loop_form = [
        ("role", "line-manager"),
        ("active", "yes"),
        ("line_manager", nia_id.as_str()),
    ];
    ui.refused_on(
        &ada,
        &format!("/admin/staff/{lee_id}"),
        &loop_form,
        "line_manager",
        "",
    )
    .await;
    // "Nobody" takes Nia's line manager away.
    let nobody = [
        ("role", "caseworker"),
        ("active", "yes"),
        ("line_manager", ""),
    ];
    let r = ui
        .post_form(&ada, &format!("/admin/staff/{}", nia.id.0), &nobody)
        .await;
    assert!(r.status().is_redirection(), "{}", r.status());
    let staff = tact_app::testing::staff_list(&ui.app).await;
    assert_eq!(
        staff.iter().find(|s| s.id == nia.id).unwrap().line_manager,
        None
    );
    // The only administrator cannot disable themselves.
    let r = ui
        .post_form(
            &ada,
            &format!("/admin/staff/{ada_id}"),
            &[("role", "admin"), ("active", "no"), ("line_manager", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("only active administrator"));
    assert!(tact_app::testing::staff_list(&ui.app)
        .await
        .iter()
        .any(|s| s.id.0 == ada_id && s.active));
}

/// Issue 11: a title, a summary, a contact's body or an optional detail past its length is
/// an error on the form, with the API's 400, what was typed kept in the box, and nothing
/// written (core's `error::within` and `workflow::check_contact`, asked by every door).
#[tokio::test]
async fn issue_11_free_text_past_its_length_is_an_error_on_the_form_and_writes_nothing() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let cas = ui.session("cas").await;
    let events = ui.app.store().count(Table::AuditLog).await.unwrap();
    let long_title = "t".repeat(501);
    let long_summary = "s".repeat(501);
    let long_body = "b".repeat(512 * 1024 + 1);
    let long_address = "a".repeat(50_001);
    for (path, body, field, said) in [
        (
            format!("/people/{}/matter", c.pid),
            vec![("kind", "complaint"), ("title", long_title.as_str())],
            "title",
            "500 characters at most, and this has 501: shorten it",
        ),
        (
            format!("/people/{}/contact", c.pid),
            vec![
                ("channel", "phone"),
                ("direction", "inbound"),
                ("summary", long_summary.as_str()),
            ],
            "summary",
            "500 characters at most, and this has 501: shorten it",
        ),
        (
            format!("/people/{}/contact", c.pid),
            vec![
                ("channel", "email"),
                ("direction", "inbound"),
                ("summary", "An email"),
                ("body", long_body.as_str()),
            ],
            "body",
            "a contact body is at most 512 KiB",
        ),
        // An optional detail: every field of every form is asked, as the API asks every
        // string it is sent.
        (
            format!("/people/{}/details", c.pid),
            vec![
                ("name", "Jo Bloggs"),
                ("preferred_format", "standard"),
                ("postal_address", long_address.as_str()),
            ],
            "postal_address",
            "50000 characters at most, and this has 50001: shorten it",
        ),
    ] {
        let r = ui.post_form(&cas, &path, &body).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path} {field}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains(&format!("href=\"#{field}\"")),
            "{field}: {html:.2000}"
        );
        assert!(
            html.to_lowercase().contains(&said.to_lowercase()),
            "{field}"
        );
        let typed = body.iter().find(|(k, _)| *k == field).unwrap().1;
        assert!(html.contains(typed), "{field}: what was typed is kept");
    }
    assert_eq!(
        ui.app.store().count(Table::AuditLog).await.unwrap(),
        events,
        "nothing was written"
    );
}

/// Every form's token is checked in one place (the `Posted` extractor) before its handler
/// runs: a POST to any of the staff UI's forms without the session's token, or with
/// another's, is the 403 "out of date" page and writes nothing.
#[tokio::test]
async fn every_form_without_its_sessions_token_is_refused_before_it_does_anything() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let sid = c
        .plan_in_force(&ui, "letter", "Abuse after a warning")
        .await;
    ui.staff("Ad Min", "adm", Role::Admin).await;
    let lee = ui.session("lee").await;
    let events = ui.app.store().count(Table::AuditLog).await.unwrap();
    let pid = c.pid;
    let paths = [
        format!("/people/{pid}/matter"),
        format!("/people/{pid}/incident"),
        format!("/people/{pid}/warning"),
        format!("/people/{pid}/contact"),
        format!("/people/{pid}/plan"),
        format!("/people/{pid}/share"),
        format!("/people/{pid}/rectify"),
        format!("/people/{pid}/hold"),
        format!("/plans/{sid}/lift"),
        format!("/plans/{sid}/withdraw"),
        format!("/plans/{sid}/review"),
        format!("/plans/{sid}/apply"),
        format!("/plans/{sid}/letter"),
        "/admin/staff/new".to_string(),
        "/people/new".to_string(),
    ];
    for path in &paths {
        for token in [None, Some("another-sessions-token")] {
            let mut body = vec![("reason", "x"), ("name", "Someone")];
            if let Some(t) = token {
                body.push(("csrf", t));
            }
            let r = ui.post_as_is(&lee, path, &body).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path} {token:?}");
            assert!(r.text().await.unwrap().contains("out of date"), "{path}");
        }
    }
    assert_eq!(
        ui.app.store().count(Table::AuditLog).await.unwrap(),
        events,
        "nothing was written"
    );
}

/// A form for a step on a plan is shown only when core offers the step to this member of
/// staff now (`workflow::step_refusal`): a role that may not is 403, a status the lifecycle
/// does not allow it from is 409, and the proposer is refused the decision (CLE's local
/// rule that the authoriser is not the proposer).
#[tokio::test]
async fn a_plan_form_is_shown_only_for_a_step_core_offers_now() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let sid = c.draft(&ui, "letter", "r").await;
    let lee = ui.session("lee").await;
    let sam = ui.session("sam").await;
    let cas = ui.session("cas").await;
    assert_eq!(
        ui.page(&lee, &format!("/plans/{sid}/checklist")).await.0,
        StatusCode::OK
    );
    let (s, page) = ui.page(&lee, &format!("/plans/{sid}/lift")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a line manager may not lift");
    assert!(page.contains("senior manager"), "{page}");
    let (s, page) = ui.page(&sam, &format!("/plans/{sid}/lift")).await;
    assert_eq!(s, StatusCode::CONFLICT, "a draft cannot be lifted: {page}");
    assert_eq!(
        ui.page(&cas, &format!("/plans/{sid}/decision")).await.0,
        StatusCode::FORBIDDEN
    );
    // Proposed by Lee: Sam is offered the decision; Lee (who may not authorise) is not.
    c.answer_and_propose(&ui, sid).await;
    assert_eq!(
        ui.page(&sam, &format!("/plans/{sid}/decision")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        ui.page(&lee, &format!("/plans/{sid}/decision")).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ui.page(&sam, &format!("/plans/{sid}/notice")).await.0,
        StatusCode::CONFLICT,
        "no notice before a decision"
    );
}

/// The print queue and lifting a legal hold are refused by the app, in the role the profile
/// gives them, without the page checking first: a DPO (who sends no notices) is refused the
/// print queue and an auditor (who handles no data-rights work) is refused lifting a hold.
#[tokio::test]
async fn the_print_queue_and_lifting_a_hold_are_refused_by_the_app_in_the_profiles_roles() {
    let ui = Ui::spawn().await;
    ui.staff("Dee Pee-Oh", "dee", Role::Dpo).await;
    ui.staff("Aud Itor", "aud", Role::Auditor).await;
    let dee = ui.session("dee").await;
    let aud = ui.session("aud").await;
    let (s, page) = ui.page(&dee, "/letters?status=to-print").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{page}");
    let r = ui.post_form(&aud, "/holds/1/lift", &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    ui.staff("Lee Manager", "lee", Role::LineManager).await;
    let lee = ui.session("lee").await;
    assert_eq!(
        ui.page(&lee, "/letters?status=to-print").await.0,
        StatusCode::OK
    );
    // A status the queue does not have is a 400 naming the statuses, not the print queue.
    let (s, page) = ui.page(&lee, "/letters?status=posted").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{page}");
    assert!(
        page.contains("xpected one of draft, queued, sent"),
        "{page}"
    );
}

/// Issue 11: the form steps (`ui_step::FormStep`) take their role check from the command
/// they send, so a role the command does not allow is refused the form and its POST alike;
/// an unknown record is a 404; a choice not made is a 400 on that field, and nothing is
/// written.
#[tokio::test]
async fn a_form_step_is_refused_as_its_command_is_and_bad_input_writes_nothing() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let (_, aud_token) = ui.staff("Aud Itor", "aud", Role::Auditor).await;
    let aud = ui.session("aud").await;
    let lee = ui.session("lee").await;
    let pid = c.pid;
    // An auditor may take none of these commands: each form and each POST is a 403.
    for path in [
        format!("/people/{pid}/warning"),
        format!("/people/{pid}/additional-help"),
        format!("/people/{pid}/adjustment"),
        format!("/people/{pid}/share"),
        format!("/people/{pid}/data-rights"),
        format!("/people/{pid}/hold"),
        "/adjustments/1/decision".to_string(),
    ] {
        assert_eq!(
            ui.page(&aud, &path).await.0,
            StatusCode::FORBIDDEN,
            "GET {path}"
        );
        let r = ui.post_form(&aud, &path, &[("reason", "x")]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "POST {path}");
    }
    // The refusal is core's, as the API gives it: who may, and the clause (CLE-9.3).
    let (_, page) = ui.page(&aud, &format!("/people/{pid}/warning")).await;
    assert!(
        page.contains("An auditor may not")
            && page.contains("line manager")
            && page.contains("(CLE-9.3)"),
        "{page}"
    );
    let api = ui
        .http
        .post(format!("{}/api/v1/people/{pid}/warnings", ui.base))
        .bearer_auth(&aud_token)
        .json(&json!({"what_is_wrong": "a", "how_to_change": "b", "consequence": "c", "channel": "letter"}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::FORBIDDEN);
    let api: serde_json::Value = api.json().await.unwrap();
    assert_eq!(api["error"]["clause"], "CLE-9.3");
    // A person who does not exist: the form is a 404, not an empty form.
    let (s, _) = ui.page(&lee, "/people/99999/warning").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A choice not made: the form comes back with the error on that field, nothing written.
    let before = ui
        .app
        .store()
        .adjustments_of(tact_core::ids::PersonId(pid))
        .await
        .unwrap();
    let r = ui
        .post_form(
            &lee,
            &format!("/people/{pid}/adjustment"),
            &[("kind", "no-such-kind"), ("description", "Large print")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#kind\""),
        "the error points at the field: {html}"
    );
    let after = ui
        .app
        .store()
        .adjustments_of(tact_core::ids::PersonId(pid))
        .await
        .unwrap();
    assert_eq!(before.len(), after.len(), "nothing was written");
    let r = ui
        .post_form(
            &lee,
            &format!("/people/{pid}/additional-help"),
            &[("in_their_words", "I need letters in large print")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("Choose their answer"));
    // Ending a call: whether the caller was told first is a choice to make, not a default
    // of "no" (CLE-4.4).
    let cas = ui.session("cas").await;
    let r = ui
        .post_form(
            &cas,
            &format!("/people/{pid}/ended-call"),
            &[
                ("category", "unreasonable-behaviour"),
                ("description", "Shouted"),
                ("reason", "Abuse went on"),
                ("file_note", "Told them twice"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(page.contains("href=\"#caller_warned\""));
    // The question says what the policy asks of the call, and its group is described by
    // that and by what is wrong.
    assert!(
        page.contains("The policy asks you to warn them before ending the call (CLE-4.4).")
            && page.contains("aria-describedby=\"caller_warned-hint caller_warned-error\""),
        "{page}"
    );
    // Issue 13: everything left out is listed at once, in plain words and in the order the
    // questions are asked, each linked to its question.
    let r = ui
        .post_form(
            &cas,
            &format!("/people/{pid}/ended-call"),
            &[("category", "unreasonable-behaviour")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    let summary = html
        .split("govuk-error-summary__list")
        .nth(1)
        .unwrap()
        .split("</ul>")
        .next()
        .unwrap()
        .to_string();
    let wanted = [
        ("#description", "Enter what happened"),
        ("#reason", "Enter why you ended the call"),
        ("#file_note", "Enter a note of the call for the file"),
        (
            "#caller_warned",
            "Select whether you warned them before ending the call",
        ),
    ];
    let mut at = 0;
    for (anchor, words) in wanted {
        let here = summary
            .find(&format!("href=\"{anchor}\">{words}"))
            .unwrap_or_else(|| panic!("{anchor} {words}: {summary}"));
        assert!(here >= at, "in order: {summary}");
        at = here;
    }
    for words in summary
        .split("\">")
        .skip(1)
        .map(|x| x.split("</a>").next().unwrap())
    {
        assert!(!words.contains('_'), "no field's own name: {words}");
    }
    // Each kind is said as a sentence says it, never "by in person" or "in standard".
    let (_, form) = ui.page(&lee, &format!("/people/{pid}/adjustment")).await;
    for said in [
        ">Needs to contact us by telephone<",
        ">Needs to contact us in person<",
        ">Needs to contact us through the online form<",
        ">Written material in standard print<",
        ">Written material in Easy Read<",
        ">Written material by email<",
    ] {
        assert!(form.contains(said), "{said}: {form}");
    }
    // A choice with consequences starts at nothing chosen, and left so is refused on its
    // box in plain words: what they need, what kind of behaviour it was (on both behaviour
    // forms), what further action was taken. The first option is never an answer nobody
    // gave.
    for (path, field, prompt, words) in [
        (
            "adjustment",
            "kind",
            "Choose what they need",
            "select what they need",
        ),
        (
            "incident",
            "category",
            "Choose the kind of behaviour",
            "select what kind of behaviour it was",
        ),
        (
            "ended-call",
            "category",
            "Choose the kind of behaviour",
            "select what kind of behaviour it was",
        ),
        (
            "further-action",
            "kind",
            "Choose what was done",
            "select what was done",
        ),
    ] {
        let path = format!("/people/{pid}/{path}");
        let who = match path.rsplit('/').next() {
            Some("ended-call") => cas.clone(),
            Some("further-action") => ui.session("sam").await,
            _ => lee.clone(),
        };
        let who = &who;
        let (_, form) = ui.page(who, &path).await;
        assert!(
            form.contains(&format!("<option value=\"\" selected>{prompt}</option>")),
            "{path}: {form}"
        );
        let r = ui.post_form(who, &path, &[(field, "")]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
        let html = r.text().await.unwrap();
        let beside = past(
            &html,
            &format!("<p id=\"{field}-error\" class=\"govuk-error-message\">"),
        );
        assert!(
            beside[..beside.find("</p>").unwrap()]
                .to_lowercase()
                .contains(words),
            "{path}: {html}"
        );
    }
    // The same form filled in goes through the command and on to the person.
    let r = ui
        .post_form(
            &lee,
            &format!("/people/{pid}/adjustment"),
            &[
                ("kind", "format:large-print"),
                ("description", "Large print"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers().get(LOCATION).unwrap(),
        &format!("/people/{pid}")
    );
    let page = ui.followed(&lee, &r).await;
    assert!(
        page.contains("The request is sent for a decision; they are told it in writing (CLE-8.5)."),
        "{page}"
    );
    let after = ui
        .app
        .store()
        .adjustments_of(tact_core::ids::PersonId(pid))
        .await
        .unwrap();
    assert_eq!(after.len(), before.len() + 1);
}

/// Issue 10's merge, through its form: a reference that is not one is a 400 on its field;
/// a real one moves the other record into this one, which the other then leads to.
#[tokio::test]
async fn two_records_are_merged_through_the_form_and_a_bad_reference_is_refused_on_its_field() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let other = ui
        .api(
            &c.cw,
            "/people",
            json!({"name": "Jo Bloggs", "phones": ["07911 123456"]}),
        )
        .await;
    let oid = other["id"].as_i64().unwrap();
    let lee = ui.session("lee").await;
    let path = format!("/people/{}/merge", c.pid);
    let r = ui
        .post_form(
            &lee,
            &path,
            &[("merge", "call me"), ("reason", "Same person")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#merge\"")
            && html.contains(
                "Enter the other record&#39;s reference, such as SU-000123, not &#34;call me&#34;"
            ),
        "{html}"
    );
    // Left empty, it asks for the reference, quoting nothing.
    let r = ui
        .post_form(&lee, &path, &[("merge", " "), ("reason", "Same person")])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("such as SU-000123</a>") && !html.contains("not &#34;"),
        "{html}"
    );
    // A reference of no one is the API's 422, on its field, with what was typed kept.
    let r = ui
        .post_form(
            &lee,
            &path,
            &[("merge", "SU-999999"), ("reason", "Same person")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#merge\"") && html.contains("No service user 999999"),
        "{html}"
    );
    assert!(html.contains("value=\"SU-999999\""), "{html}");
    assert!(html.contains(">Same person</textarea>"), "{html}");
    let r = ui
        .post_form(
            &lee,
            &path,
            &[
                ("merge", &format!("SU-{oid:06}")),
                ("reason", "Same date of birth and address"),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let kept = ui
        .app
        .current_id(tact_core::ids::PersonId(oid))
        .await
        .unwrap();
    assert_eq!(kept.0, c.pid, "the other record leads to this one");
    assert_eq!(
        ui.page(&lee, "/people/99999/merge").await.0,
        StatusCode::NOT_FOUND
    );
}

/// NOR-7.1 (a local rule under Cleveland): a dispute is recorded from the plan's own form, offered only on a
/// plan that can be disputed now, and with no grounds it is refused on that field.
#[tokio::test]
async fn a_dispute_is_recorded_from_the_plans_form_only_when_it_can_be() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let sid = c.plan_in_force(&ui, "letter", "Abusive calls").await;
    let cas = ui.session("cas").await;
    let path = format!("/plans/{sid}/dispute");
    assert_eq!(ui.page(&cas, &path).await.0, StatusCode::OK);
    let r = ui.post_form(&cas, &path, &[("grounds", "")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("href=\"#grounds\""));
    let r = ui
        .post_form(&cas, &path, &[("grounds", "I was never warned")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers().get(LOCATION).unwrap(),
        &path.replace("/dispute", "")
    );
    let disputes = ui
        .app
        .store()
        .disputes_of(tact_core::ids::PersonId(c.pid))
        .await
        .unwrap();
    assert_eq!(disputes.len(), 1);
    assert_eq!(disputes[0].grounds, "I was never warned");
    assert_eq!(disputes[0].plan_id.0, sid);
    assert_eq!(
        ui.page(&cas, "/plans/99999/dispute").await.0,
        StatusCode::NOT_FOUND
    );
    // The office's one senior manager authorised the plan, so nobody in post may decide
    // the dispute: its line on the plan page says so, and what would put it right.
    let lee = ui.session("lee").await;
    let nobody = "Nobody in post may decide it: every senior manager took part in the contact strategy. An administrator can give the role to someone who took no part";
    let (_, page) = ui.page(&lee, &path.replace("/dispute", "")).await;
    assert!(page.contains(nobody), "{page}");
    // A second senior manager in post, who took no part: it waits for them, and says no more.
    ui.staff("Sue Senior", "sue", Role::SeniorManager).await;
    let (_, page) = ui.page(&lee, &path.replace("/dispute", "")).await;
    assert!(!page.contains("Nobody in post"), "{page}");
    assert!(page.contains("waiting for a decision"), "{page}");
}

/// CLE-7.2; issue 11: a draft whose checklist is unanswered is not offered for proposal, on
/// its page or in the API's steps: the page says what is still to do, in the step's own
/// words; answered, both offer it.
#[tokio::test]
async fn cle_7_2_a_draft_is_offered_for_proposal_once_its_checklist_is_answered() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let sid = c.draft(&ui, "letter", "Abuse after a warning").await;
    let lee = ui.session("lee").await;
    let steps = || async { ui.api_get(&c.lm, &format!("/plans/{sid}")).await["steps"].clone() };
    let (_, page) = ui.page(&lee, &format!("/plans/{sid}")).await;
    assert!(
        !page.contains(&format!("action=\"/plans/{sid}/propose\"")),
        "{page}"
    );
    assert!(
        page.contains("Before it can be proposed for authorisation: Every checklist question needs an answer and a reason first")
            && page.contains("(CLE-7.2)"),
        "{page}"
    );
    let api = steps().await;
    assert!(
        api.as_array().unwrap().contains(&json!("checklist")),
        "{api}"
    );
    assert!(
        !api.as_array().unwrap().contains(&json!("propose")),
        "{api}"
    );
    let answers: Vec<_> = ui
        .app
        .profile
        .checklist
        .questions
        .iter()
        .map(|q| json!({"question_id": q.id, "answer": if q.shortfall_if == tact_core::profile::Answer::No { "yes" } else { "no" }, "reason": "checked"}))
        .collect();
    ui.api(
        &c.lm,
        &format!("/plans/{sid}/checklist"),
        json!({"answers": answers}),
    )
    .await;
    let (_, page) = ui.page(&lee, &format!("/plans/{sid}")).await;
    assert!(
        page.contains(&format!("action=\"/plans/{sid}/propose\"")),
        "{page}"
    );
    assert!(!page.contains("Before it can be proposed"), "{page}");
    assert!(steps()
        .await
        .as_array()
        .unwrap()
        .contains(&json!("propose")));
}

/// CLE-7.2, 7.3, 9.5: the checklist form (one form step): an answer without its reason is
/// put back on that answer's reason, naming the checklist's clause, and nothing is written;
/// an answer that is not yes, no or not applicable is refused on its own field, as is a
/// reason for a question left unanswered, and why a shortfall cannot be put right beside an
/// answer that shows none; answered properly, the answers are on the plan and the plan's
/// page is next.
#[tokio::test]
async fn cle_7_2_and_cle_7_3_the_checklist_form_wants_a_reason_for_each_answer_and_no_other() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let sid = c.draft(&ui, "letter", "r").await;
    let lee = ui.session("lee").await;
    let path = format!("/plans/{sid}/checklist");
    let clause = ui.app.profile.checklist.clause.clone();
    ui.refused_on(&lee, &path, &[("q0", "yes"), ("r0", "")], "r0", &clause)
        .await;
    let r = ui
        .post_form(&lee, &path, &[("q0", "perhaps"), ("r0", "x")])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("href=\"#q0\""));
    // A reason written for a question left unanswered is not lost: the question is asked
    // for, and the answer beside it is not kept without it.
    ui.refused_on(
        &lee,
        &path,
        &[("q0", "yes"), ("r0", "x"), ("r1", "On the file")],
        "q1",
        &clause,
    )
    .await;
    // Why a shortfall cannot be put right, beside an answer that shows none, is core's
    // refusal (CLE-7.3), on that question's own box: the second question, the first answered.
    let q1 = &ui.app.profile.checklist.questions[1];
    let no_shortfall = if q1.shortfall_if == tact_core::profile::Answer::No {
        "yes"
    } else {
        "no"
    };
    let page = ui
        .refused_on(
            &lee,
            &path,
            &[
                ("q1", no_shortfall),
                ("r1", "On the file"),
                ("c1", "They refuse"),
            ],
            "c1",
            &ui.app.profile.clauses.checklist_shortfall,
        )
        .await;
    assert!(page.contains("shows no shortfall"), "{page}");
    let plan = ui
        .app
        .plan_as_stored(tact_core::ids::PlanId(sid))
        .await
        .unwrap();
    assert!(plan.checklist.is_empty(), "nothing written");
    let r = ui
        .post_form(&lee, &path, &[("q0", "yes"), ("r0", "Asked on the phone")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers().get(LOCATION).unwrap().to_str().unwrap(),
        format!("/plans/{sid}")
    );
    // The plan's page says the answers are kept.
    let page = ui.followed(&lee, &r).await;
    assert!(page.contains("The checklist is saved."), "{page}");
    let plan = ui
        .app
        .plan_as_stored(tact_core::ids::PlanId(sid))
        .await
        .unwrap();
    assert_eq!(plan.checklist.len(), 1);
    assert_eq!(plan.checklist[0].reason, "Asked on the phone");
    // The plan's page gives each answer in the words the form offered ("Yes", not "yes"),
    // and beside a shortfall, why it cannot be put right: what the senior manager weighs.
    let shortfall = if no_shortfall == "yes" { "no" } else { "yes" };
    let r = ui
        .post_form(
            &lee,
            &path,
            &[
                ("q1", shortfall),
                ("r1", "Not done"),
                ("c1", "They refuse every referral"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = ui.page(&lee, &format!("/plans/{sid}")).await;
    let cell = |text: &str| format!("<td class=\"govuk-table__cell\">{text}</td>");
    assert!(page.contains(&cell("Yes")), "{page}");
    assert!(
        page.contains(&cell(&tact_core::check::capital(shortfall))),
        "{page}"
    );
    assert!(
        !page.contains(&cell("yes")) && !page.contains(&cell("no")),
        "{page}"
    );
    assert!(
        page.contains(&cell(
            "Not done Why it cannot be put right: They refuse every referral"
        )),
        "{page}"
    );
}

/// Issue 12: staff make, see and revoke their own API tokens on a page; the secret is shown
/// once; a lifetime that is not a number is an error on the form; an administrator sees
/// everyone's and may make a service account's, never a colleague's.
#[tokio::test]
async fn staff_make_and_revoke_their_own_tokens_on_the_tokens_page() {
    let ui = Ui::spawn().await;
    let (_, _) = ui.staff("Cas Worker", "cas", Role::Caseworker).await;
    let (_, _) = ui.staff("Ada Min", "ada", Role::Admin).await;
    let cas = ui.session("cas").await;
    let (s, html) = ui.page(&cas, "/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("href=\"/tokens\""));
    let r = ui
        .post_form(&cas, "/tokens", &[("name", "my script"), ("days", "7")])
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let html = r.text().await.unwrap();
    let secret = html
        .split("<code id=\"secret\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the secret, shown once")
        .to_string();
    let api = |token: String| {
        let req = ui
            .http
            .get(format!("{}/api/v1/profile", ui.base))
            .bearer_auth(token);
        async move { req.send().await.unwrap().status() }
    };
    assert_eq!(api(secret.clone()).await, StatusCode::OK);
    // Listed, without the secret.
    let (_, html) = ui.page(&cas, "/tokens").await;
    assert!(html.contains("my script") && !html.contains(&secret));
    // A lifetime that is not a number is an error on the form, and nothing is made.
    let r = ui
        .post_form(&cas, "/tokens", &[("name", "other"), ("days", "a week")])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("govuk-error-summary") && html.contains("href=\"#days\""),
        "{html}"
    );
    // Said beside the answer too, which is marked and described by it.
    assert!(
        html.contains("<p id=\"days-error\" class=\"govuk-error-message\">")
            && html.contains("aria-describedby=\"days-hint days-error\"")
            && !html.contains("id=\"name-error\""),
        "{html}"
    );
    // Revoked from the page, the token stops working.
    let id = html
        .split("action=\"/tokens/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_string();
    let r = ui
        .post_form(&cas, &format!("/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(api(secret).await, StatusCode::UNAUTHORIZED);
    let (_, html) = ui.page(&cas, "/tokens").await;
    assert!(html.contains("Revoked"));
    // An administrator sees everyone's, holder named; a colleague's is not theirs to make.
    let ada = ui.session("ada").await;
    let (_, html) = ui.page(&ada, "/tokens").await;
    assert!(
        html.contains("Everyone") && html.contains("Cas Worker"),
        "{html}"
    );
    let cas_id = ui
        .app
        .query(
            &tact_core::roles::Actor::staff(tact_core::ids::StaffId(1), "x", Role::Admin),
            tact_app::query::Colleagues {},
        )
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Cas Worker")
        .unwrap()
        .id
        .0
        .to_string();
    let r = ui
        .post_form(&ada, "/tokens", &[("name", "theirs"), ("holder", &cas_id)])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

/// Issue 12: a session ends after its idle time without use (typing in a form is use), and
/// at its absolute end however much it is used; then pages lead back to sign-in, and a form
/// sent then is not saved and says so, showing back what was written.
#[tokio::test]
async fn a_session_ends_when_idle_and_at_its_absolute_end_and_what_was_written_then_is_not_lost_without_a_word(
) {
    let mut app =
        tact_app::testing::app_on_a_fixed_clock(&testing::sqlite_url(), "cleveland-opcc").await;
    app.session_limits = tact_core::roles::SessionLimits {
        idle: jiff::SignedDuration::from_mins(30),
        absolute: jiff::SignedDuration::from_hours(2),
    };
    let ui = Ui::serving(app).await;
    ui.staff("Cas Worker", "cas", Role::Caseworker).await;
    let mins = jiff::SignedDuration::from_mins;
    let later = |m: i64| ui.app.clock.set(ui.app.now() + mins(m));

    // Used every 20 minutes, it lasts; idle for 31, it ends.
    let s = ui.session("cas").await;
    for _ in 0..3 {
        later(20);
        assert_eq!(ui.page(&s, "/").await.0, StatusCode::OK);
    }
    later(31);
    let r = ui.get(&s, "/").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/sign-in");

    // Typing is use: the page's script asks `/session/alive` while someone writes, and
    // that keeps the session as a page does.
    let s = ui.session("cas").await;
    for _ in 0..3 {
        later(20);
        assert_eq!(
            ui.get(&s, "/session/alive").await.status(),
            StatusCode::NO_CONTENT
        );
    }
    assert_eq!(ui.page(&s, "/").await.0, StatusCode::OK);
    // A form sent once the session has ended is not saved, and says so, with the words
    // written shown back to copy and the way to sign in again: never a silent trip to the
    // sign-in page that loses them.
    let (_, home) = ui.page(&s, "/").await;
    let csrf = after(&home, "name=\"csrf\" value=\"");
    later(31);
    let note = "Jo Example Bloggs, who rang about her stolen bicycle";
    let r = ui
        .post_as_is(&s, "/people/new", &[("name", note), ("csrf", &csrf)])
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("You have been signed out")
            && html.contains("after 30 minutes without use")
            && html.contains(&format!(">{note}</textarea>"))
            && html.contains("href=\"/sign-in\"")
            && !html.contains(&csrf),
        "{html}"
    );
    // A password is never shown back, though it has words in it.
    let r = ui
        .post_as_is(
            &s,
            "/account/password",
            &[
                ("current_password", "the old long password"),
                ("password", "a brand new long password"),
                ("confirm", "a brand new long password"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("You have been signed out") && !html.contains("long password"),
        "{html}"
    );
    // Sent from another site, it is told it is signed out, and nothing is shown back.
    let r = ui
        .http
        .post(format!("{}/people/new", ui.base))
        .header(COOKIE, &s)
        .header("sec-fetch-site", "cross-site")
        .form(&[("name", note)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("You have been signed out") && !html.contains(note),
        "{html}"
    );
    let s = ui.session("cas").await;
    let (_, found) = ui.page(&s, "/people?q=Bloggs").await;
    assert!(
        !found.contains("Jo Example Bloggs"),
        "nothing written: {found}"
    );

    // However busy, it ends two hours after sign-in.
    let s = ui.session("cas").await;
    for _ in 0..5 {
        later(20);
        assert_eq!(ui.page(&s, "/").await.0, StatusCode::OK);
    }
    later(20);
    let r = ui.get(&s, "/").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

/// The cookie `name` a response sets, as `name=value` (its value empty where it is
/// forgotten), or `None` where it sets none.
fn cookie_set(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_string())
}

/// Signing in again goes back to where the session ended: the page opened then, or the
/// form sent then (whose words the signed-out page shows back), never another site and
/// never a sign-in page; signing out forgets the place. A button's address opened as a page
/// goes to the page the button is on, and a page sent what it does not take says so.
#[tokio::test]
async fn signing_in_again_goes_back_to_the_page_or_form_the_session_ended_on() {
    let ui = Ui::on_a_fixed_clock().await;
    ui.staff("Cas Worker", "cas", Role::Caseworker).await;
    let idle = || {
        ui.app
            .clock
            .set(ui.app.now() + jiff::SignedDuration::from_mins(31))
    };
    // Signs in as Cas carrying `back` (a `tact_back=…` cookie, or ""): where it goes, and
    // the session.
    let sign_in_with = |back: String| {
        let ui = &ui;
        async move {
            let (token, form) = ui.form().await;
            let r = ui
                .http
                .post(format!("{}/sign-in", ui.base))
                .header(COOKIE, format!("{form}; {back}"))
                .form(&[
                    ("username", "cas"),
                    ("password", PASSWORD),
                    ("csrf", &token),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            if !back.is_empty() {
                assert_eq!(
                    cookie_set(&r, "tact_back").as_deref(),
                    Some("tact_back="),
                    "the place is forgotten once gone back to"
                );
            }
            let to = r.headers()[LOCATION].to_str().unwrap().to_string();
            (to, cookie_set(&r, "tact_session").unwrap())
        }
    };

    // A page opened once the session has ended: signing in again goes back to it.
    let s = ui.session("cas").await;
    idle();
    let r = ui.get(&s, "/people?q=Bloggs").await;
    assert_eq!(r.headers()[LOCATION], "/sign-in");
    let back = cookie_set(&r, "tact_back").expect("the place is kept");
    // The sign-in page says where signing in goes on to; without a place kept, it does not.
    for (cookie, says) in [(back.as_str(), true), ("", false)] {
        let r = ui
            .http
            .get(format!("{}/sign-in", ui.base))
            .header(COOKIE, cookie)
            .send()
            .await
            .unwrap();
        let html = r.text().await.unwrap();
        assert_eq!(html.contains("the page you asked for"), says, "{html}");
    }
    let (to, s) = sign_in_with(back).await;
    assert_eq!(to, "/people?q=Bloggs");

    // A form sent once the session has ended: back to the form, its words on the page
    // before to copy into it.
    let (_, home) = ui.page(&s, "/").await;
    let csrf = after(&home, "name=\"csrf\" value=\"");
    idle();
    let r = ui
        .post_as_is(&s, "/people/new", &[("name", "Jo Bloggs"), ("csrf", &csrf)])
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let back = cookie_set(&r, "tact_back").expect("the form is kept as the place");
    let (to, s) = sign_in_with(back).await;
    assert_eq!(to, "/people/new");
    // A file sent once signed out (an import, a letter's Word document): back to the page
    // it is sent from, to choose it again.
    for (to, page) in [("/import", "/import"), ("/letters/3/docx", "/letters/3")] {
        idle();
        let form = reqwest::multipart::Form::new().text("csrf", "x").part(
            "file",
            reqwest::multipart::Part::bytes(b"a,b\n".to_vec()).file_name("f.csv"),
        );
        let r = ui
            .http
            .post(format!("{}{to}", ui.base))
            .header(COOKIE, &s)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()[LOCATION], "/sign-in", "{to}");
        let back = cookie_set(&r, "tact_back").expect("the page is kept");
        let (went, _) = sign_in_with(back).await;
        assert_eq!(went, page, "{to}");
    }
    // Sent from another site, nothing is kept.
    idle();
    let r = ui
        .http
        .post(format!("{}/people/new", ui.base))
        .header(COOKIE, &s)
        .header("sec-fetch-site", "cross-site")
        .form(&[("name", "Jo Bloggs")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(cookie_set(&r, "tact_back"), None);

    // A place that is not a page on this site is never gone to: home instead.
    use base64::Engine;
    for forged in [
        "https://example.org/",
        "//example.org/people",
        "/\\example.org",
        "/sign-in",
    ] {
        let b = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged);
        let (to, _) = sign_in_with(format!("tact_back={b}")).await;
        assert_eq!(to, "/", "{forged}");
    }
    for junk in ["tact_back=%%%", "tact_back="] {
        let (to, _) = sign_in_with(junk.to_string()).await;
        assert_eq!(to, "/", "{junk}");
    }
    // Without a kept place, home, as before.
    let (to, s) = sign_in_with(String::new()).await;
    assert_eq!(to, "/");

    // Signing out forgets the place: the next person at the desk starts at home.
    let (_, home) = ui.page(&s, "/").await;
    let csrf = after(&home, "name=\"csrf\" value=\"");
    let r = ui.post_as_is(&s, "/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(cookie_set(&r, "tact_back").as_deref(), Some("tact_back="));

    // A button's address opened as a page goes to the page the button is on.
    let s = ui.session("cas").await;
    for (button, page) in [
        ("/plans/7/propose", "/plans/7"),
        ("/letters/3/release", "/letters/3"),
        ("/letters/3/printed", "/letters/3"),
        ("/letters/3/adjust", "/letters/3"),
        ("/holds/2/lift", "/retention"),
        ("/retention/dispose", "/retention"),
        ("/tokens/4/revoke", "/tokens"),
        ("/admin/staff/2/reset", "/admin/staff"),
        ("/admin/staff/2/second-factor/remove", "/admin/staff"),
        ("/second-factor/remove", "/second-factor"),
        ("/sign-out", "/"),
    ] {
        let r = ui.get(&s, button).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{button}");
        assert_eq!(r.headers()[LOCATION], page, "{button}");
    }
    // A page sent what it does not take: a page that says so, with its 405 (the API's
    // answer stays its JSON).
    let r = ui
        .http
        .put(format!("{}/people", ui.base))
        .header(COOKIE, &s)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    // What it does take, as HTTP says a 405 should.
    assert!(
        r.headers()
            .get("allow")
            .is_some_and(|a| a.to_str().unwrap().contains("GET")),
        "{:?}",
        r.headers()
    );
    let html = r.text().await.unwrap();
    assert!(
        html.contains("There is a problem") && html.contains("nothing was changed"),
        "{html}"
    );
    let r = ui
        .http
        .put(format!("{}/api/v1/people", ui.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
}

/// Issue 12: an administrator makes a one-time password-reset link; it sets a new password
/// once (lifting a lock and ending the old sessions), is refused a second time, and is not
/// a caseworker's to make.
/// A member of staff changes the password an administrator gave them, from their home
/// page: the one they have now must be right (a wrong one counts towards the lock), the new
/// one long enough, not the same and typed twice; once changed, every session they had ends
/// and only the new password signs them in.
#[tokio::test]
async fn a_member_of_staff_changes_their_own_password_and_signs_in_again_with_it() {
    let ui = Ui::spawn().await;
    ui.staff("Cas Worker", "cas", Role::Caseworker).await;
    let s = ui.session("cas").await;
    let other = ui.session("cas").await;
    let (_, home) = ui.page(&s, "/").await;
    assert!(home.contains("href=\"/account/password\""), "{home}");
    let (st, form) = ui.page(&s, "/account/password").await;
    assert_eq!(st, StatusCode::OK);
    assert!(form.contains("name=\"current_password\""), "{form}");
    let new = "a brand new long password";
    for (fields, field, words) in [
        (
            [
                ("current_password", "not it"),
                ("password", new),
                ("confirm", new),
            ],
            "current_password",
            "That is not your current password",
        ),
        (
            [
                ("current_password", PASSWORD),
                ("password", new),
                ("confirm", "something else"),
            ],
            "confirm",
            "Enter the same new password twice",
        ),
        (
            [
                ("current_password", PASSWORD),
                ("password", "short"),
                ("confirm", "short"),
            ],
            "password",
            "Enter a password of at least 12 characters",
        ),
        (
            [
                ("current_password", PASSWORD),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
            "password",
            "Choose a new password, not the one you have now",
        ),
    ] {
        let r = ui.post_form(&s, "/account/password", &fields).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let page = r.text().await.unwrap();
        assert!(
            page.contains(&format!("href=\"#{field}\">{words}")),
            "{field}: {words} in {page}"
        );
        // Said by the answer too, as GOV.UK's pattern has it.
        assert!(
            page.contains(&format!("<p id=\"{field}-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> {words}</p>")),
            "{field}: {words} in {page}"
        );
    }
    // Everything wrong is said at once: no current password, a short one that does not
    // match its copy.
    let r = ui
        .post_form(
            &s,
            "/account/password",
            &[
                ("current_password", ""),
                ("password", "short"),
                ("confirm", "shorter"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    for (field, words) in [
        ("current_password", "Enter the password you have now"),
        ("password", "Enter a password of at least 12 characters"),
        ("confirm", "Enter the same new password twice"),
    ] {
        assert!(
            page.contains(&format!("href=\"#{field}\">{words}")),
            "{words}: {page}"
        );
        assert!(
            page.contains(&format!("id=\"{field}-error\"")),
            "{field}: {page}"
        );
    }
    // Without the session's form token, nothing happens.
    let r = ui
        .post_as_is(
            &s,
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", new),
                ("confirm", new),
            ],
        )
        .await;
    assert_ne!(r.status(), StatusCode::OK);
    assert_eq!(
        ui.sign_in("cas", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let r = ui
        .post_form(
            &s,
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", new),
                ("confirm", new),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Your password is changed"));
    // Every session they had has ended; the old password no longer signs in, the new one does.
    for old in [&s, &other] {
        let r = ui.get(old, "/").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "the session has ended");
    }
    assert_eq!(
        ui.sign_in("cas", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(ui.sign_in("cas", new).await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_password_reset_link_works_once_and_lifts_a_lock() {
    let ui = Ui::spawn().await;
    let (cas_id, _) = ui.staff("Cas Worker", "cas", Role::Caseworker).await;
    ui.staff("Ada Min", "ada", Role::Admin).await;
    let old_session = ui.session("cas").await;
    // Locked out by guesses.
    for _ in 0..tact_app::MAX_FAILED_SIGN_INS {
        ui.sign_in("cas", "not the password").await;
    }
    assert_eq!(
        ui.sign_in("cas", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // Not a caseworker's to make.
    let r = ui
        .post_form(&old_session, &format!("/admin/staff/{cas_id}/reset"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let ada = ui.session("ada").await;
    let (_, list) = ui.page(&ada, "/admin/staff").await;
    assert!(list.contains(&format!("/admin/staff/{cas_id}/reset")));
    let r = ui
        .post_form(&ada, &format!("/admin/staff/{cas_id}/reset"), &[])
        .await;
    let status = r.status();
    let html = r.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{html}");
    let link = html
        .split("<code id=\"reset-link\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_string();
    let (s, form) = ui.page("", &link).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("Choose a new password"));
    let post = |fields: Vec<(&'static str, &'static str)>| {
        ui.http
            .post(format!("{}{link}", ui.base))
            .form(&fields)
            .send()
    };
    // Two different passwords, or a short one, are errors on the form.
    let r = post(vec![
        ("password", "a new long password"),
        ("confirm", "another one"),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("href=\"#confirm\""));
    let r = post(vec![("password", "short"), ("confirm", "short")])
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = post(vec![
        ("password", "a new long password"),
        ("confirm", "a new long password"),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Your password is changed"));
    // The lock is lifted, the new password signs in, the old one does not, and the old
    // session has ended.
    assert_eq!(
        ui.sign_in("cas", "a new long password").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        ui.sign_in("cas", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let r = ui.get(&old_session, "/").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Used once, the link is refused.
    let r = post(vec![
        ("password", "yet another password"),
        ("confirm", "yet another password"),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("used or has expired"));
}

/// The code an authenticator app shows now for a base-32 secret.
fn authenticator_code(secret: &str) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    let totp = totp_rs::Builder::new().with_secret(secret).build().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    totp.generate(now).to_string()
}

#[tokio::test]
async fn issue_12_a_member_of_staff_sets_up_an_authenticator_and_an_administrator_removes_it() {
    let ui = Ui::spawn().await;
    let (cas_id, _) = ui.staff("Cas Worker", "cas", Role::Caseworker).await;
    ui.staff("Ada Admin", "ada", Role::Admin).await;
    ui.staff("Sam Senior", "sam", Role::SeniorManager).await;
    let cas = ui.session("cas").await;
    let (s, own) = ui.page(&cas, "/second-factor").await;
    assert_eq!(s, StatusCode::OK);
    assert!(own.contains("No authenticator app is set up"), "{own}");
    // Setting up: a QR code with a text alternative, and the key in text.
    let (s, html) = ui.page(&cas, "/sign-in/set-up").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("<svg role=\"img\" aria-label="), "{html}");
    let secret = html
        .split("<code id=\"secret\" class=\"tact-key\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_string();
    let r = ui
        .post_form(&cas, "/sign-in/set-up", &[("code", "not a code")])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // A step posted without its form's token is refused as a sign-in is: it says why, and
    // sets nothing up.
    let r = ui
        .http
        .post(format!("{}/sign-in/set-up", ui.base))
        .header(COOKIE, &cas)
        .form(&[("code", "123456"), ("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("Your session expired"));
    let code = authenticator_code(&secret);
    let r = ui
        .post_form(&cas, "/sign-in/set-up", &[("code", &code)])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert_eq!(html.matches("<li><code>").count(), 10, "{html}");
    // The next password sign-in goes to the code page, and is not signed in until then.
    let r = ui.sign_in("cas", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/sign-in/code");
    // Only an administrator removes someone else's: a senior manager is refused.
    let sam = ui.session("sam").await;
    let path = format!("/admin/staff/{cas_id}/second-factor/remove");
    assert_eq!(
        ui.post_form(&sam, &path, &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let ada = ui.session("ada").await;
    let (_, list) = ui.page(&ada, "/admin/staff").await;
    assert!(list.contains(&path), "{list}");
    let r = ui.post_form(&ada, &path, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, list) = ui.page(&ada, "/admin/staff").await;
    assert!(!list.contains(&path));
    // Their sessions ended; the password alone signs them in again.
    assert_eq!(ui.page(&cas, "/").await.0, StatusCode::SEE_OTHER);
    let r = ui.sign_in("cas", PASSWORD).await;
    assert_eq!(r.headers()[LOCATION], "/");
}

#[tokio::test]
async fn issue_12_single_sign_on_pages_answer_plainly_where_it_is_not_set_up_or_not_begun() {
    let ui = Ui::spawn().await;
    // No [sso]: the sign-in page has no button, and its paths say so rather than fail.
    let (s, html) = ui.page("", "/sign-in").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains("/sign-in/sso"));
    let (s, html) = ui.page("", "/sign-in/sso").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(html.contains("Single sign-on is not set up"), "{html}");
    let r = ui.get("", "/sign-in/sso/callback?code=x&state=y").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The code and set-up pages without a session waiting send the browser to sign in.
    for path in ["/sign-in/code", "/sign-in/set-up"] {
        let r = ui.get("", path).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.headers()[LOCATION], "/sign-in", "{path}");
    }
    let r = ui
        .http
        .post(format!("{}/sign-in/code", ui.base))
        .form(&[("code", "123456"), ("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()[LOCATION], "/sign-in");
}

/// Issue 13: dates are written as people read them ("7 January 2027"), not as ISO.
#[tokio::test]
async fn issue_13_the_person_page_gives_the_review_date_in_words() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    c.plan_in_force(&ui, "email", "Abusive calls after a warning")
        .await;
    let due = tact_core::check::uk_date(jiff::Timestamp::now()) + jiff::Span::new().days(30);
    let lee = ui.session("lee").await;
    let (_, page) = ui.page(&lee, &format!("/people/{}", c.pid)).await;
    let words = format!("Review by {}", tact_core::check::long_date(due));
    assert!(page.contains(&words), "{words} in {page}");
    assert!(!page.contains(&format!("Review by {due}")), "{page}");
    // The banner too names the date in words, and the matter by its reference.
    let banner = format!(
        "(covers matter M-{:06}; review by {})",
        c.mid,
        tact_core::check::long_date(due)
    );
    assert!(page.contains(&banner), "{banner} in {page}");
    assert!(!page.contains(&due.to_string()), "{page}");
}

/// Whoever opens a decision or a task sees whose record it is: every form about a person's
/// record (a dispute, an adjustment, a plan step, a task) names them above its heading,
/// linked to their page.
#[tokio::test]
async fn a_form_about_a_persons_record_names_them_linked_to_their_page() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    ui.staff("Sol Other", "sol", Role::SeniorManager).await;
    let sid = c
        .plan_in_force(&ui, "email", "Abusive calls after a warning")
        .await;
    let d = ui
        .api(
            &c.cw,
            &format!("/plans/{sid}/disputes"),
            json!({"grounds": "I have no email at home"}),
        )
        .await;
    let a = ui
        .api(
            &c.cw,
            &format!("/people/{}/adjustments", c.pid),
            json!({"kind": "extra-time", "description": "Needs longer to reply"}),
        )
        .await;
    let tasks: serde_json::Value = ui
        .http
        .get(format!("{}/api/v1/tasks", ui.base))
        .bearer_auth(&c.lm)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let task = tasks["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["person_id"] == json!(c.pid))
        .unwrap_or_else(|| panic!("a task about the person: {tasks}"))["id"]
        .clone();
    let named = format!(
        "<a class=\"govuk-link\" href=\"/people/{}\">Jo Bloggs (SU-{:06})</a>",
        c.pid, c.pid
    );
    let lee = ui.session("lee").await;
    let sol = ui.session("sol").await;
    let sam = ui.session("sam").await;
    for (who, path) in [
        (&sol, format!("/disputes/{}/decision", d["id"])),
        (&lee, format!("/adjustments/{}/decision", a["id"])),
        (&sam, format!("/plans/{sid}/review")),
        (&sam, format!("/plans/{sid}/lift")),
        (&lee, format!("/tasks/{task}")),
    ] {
        let (st, page) = ui.page(who, &path).await;
        assert_eq!(st, StatusCode::OK, "{path}: {page}");
        assert!(page.contains(&named), "{path} names {named}: {page}");
    }
}

/// CLE-9.13; NOR-5.9: a proposed plan that would defeat a granted reasonable adjustment is
/// authorised from the decision form only with an override saying why; the form asks a
/// senior manager for it, adjustment by adjustment, and without it the refusal sits on that
/// field. Before, the form had no way to give one: only the API could.
#[tokio::test]
async fn cle_9_13_the_decision_form_asks_for_an_override_of_each_adjustment_the_plan_defeats() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let a = c
        .granted(
            &ui,
            "needs-channel:phone",
            "Cannot write because of dyslexia",
        )
        .await;
    // Email only: it defeats the need to phone.
    let sid = c.draft(&ui, "email", "Abusive calls after a warning").await;
    c.answer_and_propose(&ui, sid).await;
    let sam = ui.session("sam").await;
    let path = format!("/plans/{sid}/decision");
    let field = format!("overrides__{}", a["id"]);
    let (st, form) = ui.page(&sam, &path).await;
    assert_eq!(st, StatusCode::OK, "{form}");
    assert!(
        form.contains(&format!("name=\"{field}\""))
            && form.contains("Why the plan goes ahead despite “Cannot write because of dyslexia”"),
        "{form}"
    );
    // The decision to authorise, with the overrides given (field, reason).
    let authorise = async |overrides: &[(&str, &str)]| {
        let mut form = vec![("decision", "authorise"), ("reason", "Proportionate")];
        form.extend_from_slice(overrides);
        ui.post_form(&sam, &path, &form).await
    };
    // Authorised without one: refused (409), on the adjustment's field.
    let r = authorise(&[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = r.text().await.unwrap();
    assert!(page.contains(&format!("href=\"#{field}\"")), "{page}");
    // An override of an adjustment that is not theirs, put in the form by hand: the API's
    // 422 on the form, not taken as an override (issue 11: one refusal at every door).
    let r = authorise(&[(&field, "Weighed"), ("overrides__999999", "Weighed")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Adjustment 999999 is not one of this person&#39;s granted adjustments"),
        "{page}"
    );
    // With one, it is authorised, and the override is on the plan as the decider's.
    let why = "Calls were abusive; letters and email stay open, read aloud on request";
    let r = authorise(&[(&field, why)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let plan = ui.api_get(&c.sm, &format!("/plans/{sid}")).await;
    // Cleveland's strategy bites at once (CLE-9.6 sets notice after).
    assert_eq!(plan["status"], "active", "{plan}");
    let o = &plan["overrides"][0];
    assert_eq!(o["adjustment_id"], a["id"], "{plan}");
    assert!(o["reason"]
        .as_str()
        .unwrap()
        .starts_with("Calls were abusive"));

    // An adjustment granted once the plan is in force: a change that still goes against it
    // needs its own override, asked on the change form; the one already given is not asked
    // again.
    let b = c
        .granted(&ui, "needs-channel:letter", "Cannot use a computer")
        .await;
    let vary = format!("/plans/{sid}/vary");
    let later = format!("overrides__{}", b["id"]);
    // So does deciding a dispute by changing the plan (NOR-7.1), for someone who took no part.
    ui.staff("Sol Other", "sol", Role::SeniorManager).await;
    let d = ui
        .api(
            &c.cw,
            &format!("/plans/{sid}/disputes"),
            json!({"grounds": "I cannot use email"}),
        )
        .await;
    let sol = ui.session("sol").await;
    let (st, form) = ui
        .page(&sol, &format!("/disputes/{}/decision", d["id"]))
        .await;
    assert_eq!(st, StatusCode::OK, "{form}");
    assert!(form.contains(&format!("name=\"{later}\"")), "{form}");
    let (st, form) = ui.page(&sam, &vary).await;
    assert_eq!(st, StatusCode::OK, "{form}");
    assert!(form.contains(&format!("name=\"{later}\"")), "{form}");
    assert!(!form.contains(&format!("name=\"{field}\"")), "{form}");
    let review = plan["review_due"].as_str().unwrap().to_string();
    let change = |why: &'static str| {
        vec![
            ("single-channel__use", "yes"),
            ("single-channel__channel", "email"),
            ("single-channel__reason", "Calls were abusive"),
            ("review_due", review.as_str()),
            ("reason", "Calls still abusive"),
            (later.as_str(), why),
        ]
    };
    let r = ui.post_form(&sam, &vary, &change("")).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = r.text().await.unwrap();
    assert!(page.contains(&format!("href=\"#{later}\"")), "{page}");
    let r = ui
        .post_form(
            &sam,
            &vary,
            &change("Email is read aloud to them by their advocate"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // The change form asks about every adjustment not yet overridden, since which the change
    // goes against is known only once it is made; a reason given for one it does not go
    // against is refused on that adjustment's own field (400, as the API), not kept as an override
    // that never was (CLE-9.13).
    // Given beside one it does go against, the refusal sits on the right one.
    let g = c
        .granted(&ui, "needs-channel:phone", "Phones through a relay service")
        .await;
    let e = c
        .granted(&ui, "needs-channel:email", "Email is easiest for them")
        .await;
    let needed = format!("overrides__{}", g["id"]);
    let spare = format!("overrides__{}", e["id"]);
    let (st, form) = ui.page(&sam, &vary).await;
    assert_eq!(st, StatusCode::OK, "{form}");
    assert!(form.contains(&format!("name=\"{spare}\"")), "{form}");
    assert!(!form.contains(&format!("name=\"{later}\"")), "{form}");
    let mut both = change("");
    both.retain(|(k, _)| *k != later.as_str());
    both.push((needed.as_str(), "The relay can email for them"));
    both.push((spare.as_str(), "Weighed all the same"));
    let r = ui.post_form(&sam, &vary, &both).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(page.contains(&format!("href=\"#{spare}\"")), "{page}");
    assert!(!page.contains(&format!("href=\"#{needed}\"")), "{page}");
    assert!(page.contains("No restriction goes against"), "{page}");
    let plan = ui.api_get(&c.sm, &format!("/plans/{sid}")).await;
    assert_eq!(
        plan["overrides"].as_array().map(Vec::len),
        Some(2),
        "{plan}"
    );
}

/// CLE-9.12: a review already late says so on its form, and what that has done to the plan
/// (under Cleveland's policy it still applies); one on time says nothing of it.
#[tokio::test]
async fn cle_9_12_the_review_form_of_a_late_review_says_it_is_late_and_what_that_means() {
    let ui = Ui::on_a_fixed_clock().await;
    let c = case(&ui).await;
    let sid = c
        .plan_in_force(&ui, "email", "Abusive calls after a warning")
        .await;
    let path = format!("/plans/{sid}/review");
    let sam = ui.session("sam").await;
    let (_, form) = ui.page(&sam, &path).await;
    assert!(!form.contains("This review was due"), "{form}");
    let due = tact_core::check::uk_date(ui.app.now()) + jiff::Span::new().days(30);
    ui.app
        .clock
        .set(ui.app.now() + jiff::SignedDuration::from_hours(24 * 32));
    let sam = ui.session("sam").await;
    let (st, form) = ui.page(&sam, &path).await;
    assert_eq!(st, StatusCode::OK, "{form}");
    let said = format!(
        "This review was due by {}. The contact strategy still applies until it is done (CLE-9.12).",
        tact_core::check::long_date(due)
    );
    assert!(form.contains(&said), "{said} in {form}");
}

/// CLE-9.14: a plan past its end date restricts nothing, and its own page says "ended" as
/// the person page does, never "active"; while it restricts both say "in force".
/// CLE-9.14: a plan lifted from its page says on it when and why, not a review still to
/// come, and the task it raises says the plan is lifted.
#[tokio::test]
async fn cle_9_14_a_lifted_plan_says_when_and_why_and_its_task_says_it_is_lifted() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let sid = c
        .plan_in_force(&ui, "letter", "Abuse after a warning")
        .await;
    let sam = ui.session("sam").await;
    // A review that continues it says so, with the next review's day.
    let next = tact_core::check::uk_date(ui.app.now()) + jiff::Span::new().days(30);
    let (d, m, y) = (
        next.day().to_string(),
        next.month().to_string(),
        next.year().to_string(),
    );
    let r = ui
        .post_form(
            &sam,
            &format!("/plans/{sid}/review"),
            &[
                ("decision", "continue"),
                ("recent_conduct", "Wrote as agreed"),
                ("reasons", "Still needed"),
                ("next_review_due-day", &d),
                ("next_review_due-month", &m),
                ("next_review_due-year", &y),
            ],
        )
        .await;
    let page = ui.followed(&sam, &r).await;
    assert!(
        page.contains(&format!(
            ">Contact strategy {sid}: in force, review by {}.</p>",
            tact_core::check::long_date(next)
        )),
        "{page}"
    );
    // Lifted on the review form with the next review's date still in: refused on the date
    // (CLE-9.12), as the API refuses it, not dropped.
    ui.refused_on(
        &sam,
        &format!("/plans/{sid}/review"),
        &[
            ("decision", "lift"),
            ("recent_conduct", "Wrote as agreed"),
            ("reasons", "No longer needed"),
            ("next_review_due-day", &d),
            ("next_review_due-month", &m),
            ("next_review_due-year", &y),
        ],
        "next_review_due",
        "CLE-9.12",
    )
    .await;
    let r = ui
        .post_form(
            &sam,
            &format!("/plans/{sid}/lift"),
            &[("reason", "No contact of concern for six months")],
        )
        .await;
    // The page it goes to says where the plan stands now, as core says it.
    let page = ui.followed(&sam, &r).await;
    assert!(
        page.contains(&format!(">Contact strategy {sid}: lifted.</p>")),
        "{page}"
    );
    let today = tact_core::check::long_day(ui.app.now());
    assert!(
        page.contains(&format!(
            "Lifted on {today}: No contact of concern for six months"
        )) && !page.contains("Review by"),
        "{page}"
    );
    let (_, home) = ui.page(&sam, "/").await;
    assert!(
        home.contains("Tell the person in writing that their contact strategy is lifted"),
        "{home}"
    );
}

#[tokio::test]
async fn cle_9_14_a_plan_past_its_end_date_is_ended_on_its_page_not_active() {
    let ui = Ui::on_a_fixed_clock().await;
    let c = case(&ui).await;
    let today = tact_core::check::uk_date(ui.app.now());
    let day = |n: i64| (today + jiff::Span::new().days(n)).to_string();
    let s = ui.api(&c.lm, &format!("/people/{}/plans", c.pid), json!({"matter_ids": [c.mid], "restrictions": [{"kind": "single-channel", "channel": "email", "reason": "Calls were abusive"}], "reasons": "Abusive calls after a warning", "aims": "a", "proportionality": "p", "review_due": day(5), "ends_on": day(10)})).await;
    let sid = s["id"].as_i64().unwrap();
    ui.client().into_force(&c.lm, &c.sm, sid).await;
    let lee = ui.session("lee").await;
    let tag = |words: &str| format!("<strong class=\"govuk-tag\">{words}</strong>");
    let (_, page) = ui.page(&lee, &format!("/plans/{sid}")).await;
    assert!(page.contains(&tag("in force")), "{page}");
    let (_, person) = ui.page(&lee, &format!("/people/{}", c.pid)).await;
    assert!(person.contains(&format!("{sid} — in force")), "{person}");

    ui.app
        .clock
        .set(ui.app.now() + jiff::SignedDuration::from_hours(24 * 12));
    let lee = ui.session("lee").await;
    let (_, page) = ui.page(&lee, &format!("/plans/{sid}")).await;
    assert!(page.contains(&tag("ended")), "{page}");
    assert!(!page.contains(&tag("active")), "{page}");
    let (_, person) = ui.page(&lee, &format!("/people/{}", c.pid)).await;
    assert!(person.contains(&format!("{sid} — ended")), "{person}");
}

#[tokio::test]
#[ignore = "needs liblouis-bin, espeak-ng and lame"]
async fn issue_13_a_letter_shows_as_they_will_see_it_and_comes_in_braille_and_as_audio() {
    let ui = Ui::spawn().await;
    let (c, lee, path) = held_notice(&ui, "braille").await;
    let (_, page) = ui.page(&lee, &path).await;
    // The letter as the person will see it: paragraphs and a real list, not one block.
    assert!(page.contains("As they will see it"), "{page}");
    assert!(
        page.contains("<li>Please contact us by letter only"),
        "{page}"
    );
    assert!(page.contains("They read Braille"), "{page}");
    let brf = ui.get(&lee, &format!("{path}/brf")).await;
    assert_eq!(brf.status(), StatusCode::OK);
    assert_eq!(brf.headers()[CONTENT_TYPE], "application/x-brf");
    let text = brf.text().await.unwrap();
    assert!(text.contains(",DE> ,JO ,BLO7S1"), "{text}");
    assert!(text
        .chars()
        .all(|c| (' '..='_').contains(&c) || matches!(c, '\r' | '\n' | '\u{c}')));
    let mp3 = ui.get(&lee, &format!("{path}/mp3")).await;
    assert_eq!(mp3.status(), StatusCode::OK);
    assert_eq!(mp3.headers()[CONTENT_TYPE], "audio/mpeg");
    assert!(mp3.bytes().await.unwrap().starts_with(b"ID3"));
    // The same through the API.
    let id = path.trim_start_matches("/letters/");
    let r = ui
        .http
        .get(format!("{}/api/v1/letters/{id}/braille", ui.base))
        .bearer_auth(&c.lm)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[CONTENT_TYPE], "application/x-brf");
}

#[tokio::test]
async fn cle_8_4_equality_answers_are_recorded_with_consent_and_read_only_as_suppressed_counts() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    ui.staff("Dee Pee-Oh", "dee", Role::Dpo).await;
    let cas = ui.session("cas").await;
    // Before anyone answers, the report says so instead of tables of noughts.
    let (_, empty) = ui.page(&ui.session("dee").await, "/equality").await;
    assert!(
        empty.contains("No one has answered the equality monitoring questions yet")
            && !empty.contains("<table"),
        "{empty}"
    );
    let path = format!("/people/{}/equality", c.pid);
    let (st, form) = ui.page(&cas, &path).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        form.contains("What is their sex?") && form.contains("CLE-8.4"),
        "{form}"
    );
    // Without their consent nothing is kept, and the form says why on the consent box.
    ui.refused_on(
        &cas,
        &path,
        &[("sex", "female"), ("age", "25-34")],
        "consent",
        "CLE-8.4",
    )
    .await;
    // An answer that is not on the list is refused on its own question.
    ui.refused_on(
        &cas,
        &path,
        &[("consent", "yes"), ("age", "ancient")],
        "age",
        "",
    )
    .await;
    let r = ui
        .post_form(
            &cas,
            &path,
            &[("consent", "yes"), ("sex", "female"), ("age", "25-34")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The front line sees that answers are recorded, never what they are.
    let (_, person) = ui.page(&cas, &format!("/people/{}", c.pid)).await;
    assert!(
        person.contains("Delete their equality monitoring answers"),
        "{person}"
    );
    assert!(!person.contains("Female") && !person.contains("25 to 34"));
    let (again, _) = ui.page(&cas, &path).await;
    assert_eq!(again, StatusCode::OK);
    let (_, form) = ui.page(&cas, &path).await;
    assert!(form.contains("Answers are already recorded for them"));
    assert!(
        !form.contains("value=\"female\" selected"),
        "not shown back"
    );
    // Nor can a caseworker read the report.
    let (st, _) = ui.page(&cas, "/equality").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // The event log says answers were recorded, not what they are.
    let events = ui
        .app
        .store()
        .audit_of(tact_core::ids::PersonId(c.pid))
        .await
        .unwrap();
    let e = events
        .iter()
        .find(|e| e.action == "equality.recorded")
        .expect("on the event log");
    assert!(
        !e.detail.contains("female") && !e.detail.contains("25-34"),
        "{e:?}"
    );
    // The DPO reads counts only, with small numbers suppressed.
    let dee = ui.session("dee").await;
    let (st, report) = ui.page(&dee, "/equality").await;
    assert_eq!(st, StatusCode::OK);
    // In the governance report too — for the DPO, never for the managers who read the rest.
    let (_, governance) = ui.page(&dee, "/governance").await;
    assert!(
        governance.contains("id=\"equality\"")
            && governance.contains("People who answered: fewer than 5."),
        "{governance}"
    );
    let lee = ui.session("lee").await;
    let (st, governance) = ui.page(&lee, "/governance").await;
    assert_eq!(st, StatusCode::OK);
    assert!(!governance.contains("id=\"equality\""), "{governance}");
    assert!(
        report.contains("People who answered: fewer than 5."),
        "{report}"
    );
    assert!(
        report.contains("fewer than 5") && !report.contains(">1<"),
        "{report}"
    );
    let csv = ui.get(&dee, "/equality.csv").await;
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.text().await.unwrap();
    // Jo was warned (the case warns her): one woman aged 25 to 34, warned — suppressed.
    assert!(
        csv.contains("Sex,Female,fewer than 5,fewer than 5,0,0\n"),
        "{csv}"
    );
    assert!(csv.contains("Sex,Male,0,0,0,0\n"), "{csv}");
    // Consent withdrawn: the answers are deleted.
    let r = ui.post_form(&cas, &format!("{path}/withdraw"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let csv = ui.get(&dee, "/equality.csv").await.text().await.unwrap();
    assert!(csv.contains("All who answered,,0,,,\n"), "{csv}");
    let (_, person) = ui.page(&cas, &format!("/people/{}", c.pid)).await;
    assert!(!person.contains("Delete their equality monitoring answers"));
    // With nothing left to delete, the form is not offered even at its address: the page
    // is the refusal the step would give (issue 11: a page offers only what is allowed).
    let (st, gone) = ui.page(&cas, &format!("{path}/withdraw")).await;
    assert_eq!(st, StatusCode::CONFLICT, "{gone}");
    assert!(
        gone.contains("No equality monitoring answers are recorded for them")
            && !gone.contains("Delete their answers"),
        "{gone}"
    );
    let r = ui.post_form(&cas, &format!("{path}/withdraw"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn issue_13_search_results_tell_people_apart_and_show_who_is_under_a_plan() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let sid = c.draft(&ui, "letter", "Abuse after a warning").await;
    c.answer_and_propose(&ui, sid).await;
    ui.api(
        &c.sm,
        &format!("/strategies/{sid}/authorise"),
        json!({"reason": "Proportionate"}),
    )
    .await;
    // CLE-9.6: decided but not yet told of in writing, it binds nothing yet: not tagged, as
    // their page and the contact check say.
    let (_, page) = ui
        .page(&ui.session("cas").await, "/people?q=Jo+Bloggs")
        .await;
    assert!(!page.contains("Contact strategy in force"), "{page}");
    ui.api(
        &c.lm,
        &format!("/strategies/{sid}/notice"),
        json!({"channel": "letter", "agreement_sought": true, "agreement_given": false, "policy_enclosed": true}),
    )
    .await;
    // Another Jo Bloggs, with an address and no plan.
    ui.api(
        &c.cw,
        "/people",
        json!({"name": "Jo Bloggs", "phones": ["01642 301653"], "postal_address": "1 High Street, Middlesbrough, ts1 2ab"}),
    )
    .await;
    let cas = ui.session("cas").await;
    let (_, page) = ui.page(&cas, "/people?q=Jo+Bloggs").await;
    assert!(page.contains("2 found"), "{page}");
    // The phone numbers as people write them, the postcode, and the plan's tag once.
    assert!(
        page.contains("07911 123123") && page.contains("01642 301653"),
        "{page}"
    );
    assert!(page.contains("TS1 2AB"), "{page}");
    assert_eq!(
        page.matches("Contact strategy in force").count(),
        1,
        "{page}"
    );
    let (_, none) = ui.page(&cas, "/people?q=Nobody+Here").await;
    assert!(none.contains("No one found"), "{none}");
}

#[tokio::test]
async fn issue_13_tasks_are_grouped_by_kind_with_due_dates_in_words_and_overdue_tags() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let today = tact_core::check::uk_date(ui.app.now());
    let task = |kind, title: &str, due: Option<jiff::civil::Date>| tact_core::model::NewTask {
        kind,
        person_id: Some(tact_core::ids::PersonId(c.pid)),
        assignee: None,
        role: Some(Role::LineManager),
        title: title.into(),
        due_on: due,
        clause: "CLE-9.12".into(),
        subject: None,
    };
    let mut tx = ui.app.store().begin().await.unwrap();
    let yesterday = today - jiff::Span::new().days(1);
    tx.tasks(
        &[
            task(
                tact_core::model::TaskKind::ReviewDue,
                "Review the contact strategy",
                Some(yesterday),
            ),
            task(
                tact_core::model::TaskKind::ReviewDue,
                "Review the contact strategy",
                Some(yesterday),
            ),
            task(
                tact_core::model::TaskKind::SendNotice,
                "Send the written notice",
                Some(today),
            ),
            task(
                tact_core::model::TaskKind::RemedyShortfall,
                "Explain the process again",
                None,
            ),
        ],
        ui.app.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let lee = ui.session("lee").await;
    let (_, home) = ui.page(&lee, "/").await;
    // One table a kind, in the order of the work.
    for caption in [
        "Reviews due</caption>",
        "Notices and letters to send</caption>",
        "Shortfalls to put right</caption>",
    ] {
        assert!(home.contains(caption), "{caption}\n{home}");
    }
    // The same task raised twice is one row with its count; dates in words, with tags.
    assert_eq!(
        home.matches(">Review the contact strategy</a>").count(),
        1,
        "{home}"
    );
    assert!(home.contains("(2 raised)"), "{home}");
    assert!(
        home.contains(&format!(
            "{} <strong class=\"govuk-tag govuk-tag--red\">Overdue</strong>",
            tact_core::check::long_date(yesterday)
        )),
        "{home}"
    );
    assert!(home.contains("Due today</strong>"), "{home}");
    assert!(home.contains("No date set"), "{home}");
}

/// CLE-9.12: a review task's page goes to the plan, and for someone core lets review it,
/// to the review itself, which closes the task; someone who may not review is only shown
/// the plan.
#[tokio::test]
async fn cle_9_12_a_review_task_goes_to_the_plan_and_to_its_review_for_those_who_may_review() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let sid = c
        .plan_in_force(&ui, "letter", "Abuse after a warning")
        .await;
    let today = tact_core::check::uk_date(ui.app.now());
    let task = |role| tact_core::model::NewTask {
        kind: tact_core::model::TaskKind::ReviewDue,
        person_id: Some(tact_core::ids::PersonId(c.pid)),
        assignee: None,
        role: Some(role),
        title: "Review contact strategy".into(),
        due_on: Some(today),
        clause: "CLE-9.12".into(),
        subject: Some(format!("strategy:{sid}")),
    };
    let mut tx = ui.app.store().begin().await.unwrap();
    tx.tasks(
        &[task(Role::SeniorManager), task(Role::LineManager)],
        ui.app.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (_, home) = ui.page(&ui.session("sam").await, "/").await;
    let id = |page: &str, title: &str| -> i64 {
        page.split("href=\"/tasks/")
            .skip(1)
            .find(|r| r.contains(&format!("\">{title}</a>")))
            .and_then(|r| r.split('"').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no review task link: {page}"))
    };
    let sam_task = id(&home, "Review contact strategy");
    let (s, page) = ui
        .page(&ui.session("sam").await, &format!("/tasks/{sam_task}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(
        page.contains(&format!(
            "href=\"/plans/{sid}\">It is about contact strategy {sid}: open it</a>"
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "href=\"/plans/{sid}/review\">Review the contact strategy now: that closes this task</a>"
        )),
        "{page}"
    );
    // A line manager may not review on Cleveland: the plan, and no review.
    let (_, home) = ui.page(&ui.session("lee").await, "/").await;
    let lee_task = id(&home, "Review contact strategy");
    let (_, page) = ui
        .page(&ui.session("lee").await, &format!("/tasks/{lee_task}"))
        .await;
    assert!(page.contains(&format!("href=\"/plans/{sid}\"")), "{page}");
    assert!(!page.contains("/review\""), "{page}");
    // CLE-9.9: a single point of contact who has left: the change that names another.
    let mut tx = ui.app.store().begin().await.unwrap();
    tx.tasks(
        &[tact_core::model::NewTask {
            kind: tact_core::model::TaskKind::ReplaceContact,
            title: "Cas Worker has left".into(),
            clause: "CLE-9.9".into(),
            ..task(Role::SeniorManager)
        }],
        ui.app.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (_, home) = ui.page(&ui.session("sam").await, "/").await;
    assert!(
        home.contains("Single points of contact who have left</caption>"),
        "{home}"
    );
    let replace = home
        .split("Single points of contact who have left</caption>")
        .nth(1)
        .unwrap();
    let (_, page) = ui
        .page(
            &ui.session("sam").await,
            &format!("/tasks/{}", id(replace, "Cas Worker has left")),
        )
        .await;
    assert!(
        page.contains(&format!(
            "href=\"/plans/{sid}/vary\">Change the contact strategy to name someone else</a>"
        )),
        "{page}"
    );
}

/// CLE-9.9: once the single point of contact a plan names has left, the person page, the
/// plan page and the incoming-contact page all say so, as the contact check treats them:
/// staff deal with the contact themselves.
#[tokio::test]
async fn cle_9_9_every_page_says_when_a_single_point_of_contact_has_left() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let staff = tact_app::testing::staff_list(&ui.app).await;
    let cas = staff.iter().find(|s| s.name == "Cas Worker").unwrap().id;
    let due = (tact_core::check::uk_date(jiff::Timestamp::now()) + jiff::Span::new().days(30))
        .to_string();
    let s = ui.api(&c.lm, &format!("/people/{}/plans", c.pid), json!({"matter_ids": [c.mid], "restrictions": [{"kind": "single-point-of-contact", "staff_id": cas.0, "reason": "One person to deal with"}], "reasons": "Abuse after a warning", "aims": "a", "proportionality": "p", "review_due": due})).await;
    let sid = s["id"].as_i64().unwrap();
    ui.client().into_force(&c.lm, &c.sm, sid).await;
    let lee = ui.session("lee").await;
    let (_, person) = ui.page(&lee, &format!("/people/{}", c.pid)).await;
    assert!(
        person.contains("Cas Worker deals with all their contact ("),
        "{person}"
    );
    let (_, admin) = ui.staff("Ada Admin", "ada", Role::Admin).await;
    ui.api(
        &admin,
        &format!("/staff/{}", cas.0),
        json!({"active": false}),
    )
    .await;
    let left = "Cas Worker deals with all their contact, but no longer works here: staff deal with it until another is named";
    let (_, person) = ui.page(&lee, &format!("/people/{}", c.pid)).await;
    assert!(person.contains(left), "{person}");
    let (_, plan) = ui.page(&lee, &format!("/plans/{sid}")).await;
    assert!(plan.contains(left), "{plan}");
    let (_, incoming) = ui
        .page(&lee, "/incoming?who=jo%40example.org&channel=email")
        .await;
    assert!(
        incoming.contains("Their single point of contact, Cas Worker, no longer works here: deal with this contact yourself"),
        "{incoming}"
    );
}

#[tokio::test]
async fn issue_13_dates_are_entered_day_month_and_year_and_a_date_that_is_not_real_is_refused() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let cas = ui.session("cas").await;
    let path = format!("/matters/{}/status", c.mid);
    let (_, form) = ui.page(&cas, &path).await;
    assert!(
        form.contains("id=\"finalised_on-day\"") && form.contains("govuk-date-input"),
        "{form}"
    );
    let r = ui
        .post_form(
            &cas,
            &path,
            &[
                ("status", "finalised"),
                ("finalised_on-day", "31"),
                ("finalised_on-month", "2"),
                ("finalised_on-year", "2026"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains("Enter a real date"), "{html}");
    assert!(html.contains("href=\"#finalised_on\""), "{html}");
    // What was typed comes back in its boxes.
    assert!(html.contains("id=\"finalised_on-day\" name=\"finalised_on-day\" type=\"text\" inputmode=\"numeric\" value=\"31\""), "{html}");
    let r = ui
        .post_form(
            &cas,
            &path,
            &[
                ("status", "finalised"),
                ("finalised_on-day", "20"),
                ("finalised_on-month", "11"),
                ("finalised_on-year", "2026"),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let m = ui
        .app
        .store()
        .matter(tact_core::ids::MatterId(c.mid))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.finalised_on, Some(jiff::civil::date(2026, 11, 20)));
    // The person's history says what the status became, of the matter by its reference.
    let (_, page) = ui.page(&cas, &format!("/people/{}", c.pid)).await;
    let history = page.split("id=\"history\"").nth(1).unwrap();
    assert!(
        history.contains(&format!(
            "matter status changed to finalised ({})",
            m.reference
        )) && history.contains(&format!("matter opened ({})", m.reference)),
        "{history}"
    );
}

#[tokio::test]
async fn issue_13_the_person_page_has_one_primary_action_grouped_actions_and_a_grouped_paged_history(
) {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let sid = c.draft(&ui, "letter", "Abuse after a warning").await;
    c.answer_and_propose(&ui, sid).await;
    for i in 0..30 {
        ui.api(&c.cw, "/incidents", json!({"person_id": c.pid, "category": "unreasonable-persistence", "description": format!("Call {i}")})).await;
    }
    let lee = ui.session("lee").await;
    let (_, page) = ui.page(&lee, &format!("/people/{}", c.pid)).await;
    // One primary button; the rest are links under headings.
    assert_eq!(
        page.matches("class=\"govuk-button\" data-module=\"govuk-button\" href=")
            .count(),
        1,
        "{page}"
    );
    assert!(page.contains(&format!("class=\"govuk-button\" data-module=\"govuk-button\" href=\"/people/{}/contact\">Log a contact", c.pid)), "{page}");
    assert!(
        !page.contains("govuk-button--secondary\" href=\"/people/"),
        "{page}"
    );
    for heading in ["Their behaviour", "Their needs", "Their record and data"] {
        assert!(page.contains(&format!(">{heading}</h2>")), "{heading}");
    }
    // Paged: 25 rows a page, with a link to older ones.
    let history = page.split("id=\"history\"").nth(1).unwrap();
    assert_eq!(
        history
            .matches("<tr class=\"govuk-table__row\"><td")
            .count(),
        25
    );
    assert!(
        history.contains("?history=2#history") && history.contains("Page 1 of"),
        "{history}"
    );
    let (_, older) = ui.page(&lee, &format!("/people/{}?history=2", c.pid)).await;
    let older = older.split("id=\"history\"").nth(1).unwrap();
    assert!(
        older.contains("?history=1#history") && older.contains("Page 2 of"),
        "{older}"
    );
    // The checklist's answers, all alike, are one row saying how many (they are older than
    // the incidents, so on the second page).
    let n = ui.app.profile.checklist.questions.len();
    assert!(older.contains(&format!(", {n} times")), "{older}");
    // A page past the end shows the last.
    let (s, _) = ui
        .page(&lee, &format!("/people/{}?history=99", c.pid))
        .await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn issue_13_a_call_is_logged_with_how_long_it_lasted() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let cas = ui.session("cas").await;
    let path = format!("/people/{}/contact", c.pid);
    let base = [
        ("direction", "inbound"),
        ("matter_id", ""),
        ("summary", "Asked for an update"),
    ];
    let with = |channel: &'static str, minutes: &'static str| {
        let mut f = base.to_vec();
        f.push(("channel", channel));
        f.push(("duration_seconds", minutes));
        f
    };
    let r = ui.post_form(&cas, &path, &with("phone", "twelve")).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Enter how long it lasted in whole minutes"));
    let r = ui.post_form(&cas, &path, &with("email", "12")).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Only a call or a visit has a length")
            && html.contains("href=\"#duration_seconds\""),
        "{html}"
    );
    let r = ui.post_form(&cas, &path, &with("phone", "12")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let contacts = ui
        .app
        .store()
        .contacts_of(tact_core::ids::PersonId(c.pid), 10)
        .await
        .unwrap();
    assert_eq!(contacts[0].duration_seconds, Some(720));
    // The person page says which way it went and how long it lasted, and the matter a
    // contact is about before what was said.
    let mid = c.mid.to_string();
    let mut about = with("phone", "");
    about.retain(|(k, _)| *k != "matter_id");
    about.push(("matter_id", mid.as_str()));
    let r = ui.post_form(&cas, &path, &about).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = ui.page(&cas, &format!("/people/{}", c.pid)).await;
    assert!(
        page.contains(">Telephone, from them, 12 minutes<"),
        "{page}"
    );
    assert!(page.contains(">Telephone, from them<"), "{page}");
    assert!(page.contains(">M-000001: Asked for an update<"), "{page}");
}

/// Issue 14: an administrator checks a file on the import page — every problem by row and
/// column, nothing written — then checks a good one and imports it with one button; the
/// person page says where the record came from. Other roles are refused the page.
#[tokio::test]
async fn issue_14_an_administrator_checks_then_imports_a_file_from_the_import_page() {
    let ui = Ui::spawn().await;
    ui.staff("Ada Admin", "ada", Role::Admin).await;
    ui.staff("Cas Worker", "cas", Role::Caseworker).await;
    let ada = ui.session("ada").await;
    let cas = ui.session("cas").await;
    assert_eq!(ui.page(&cas, "/import").await.0, StatusCode::FORBIDDEN);
    assert!(!ui.page(&cas, "/").await.1.contains("href=\"/import\""));
    let (_, home) = ui.page(&ada, "/").await;
    assert!(home.contains("href=\"/import\""), "{home}");
    let (st, page) = ui.page(&ada, "/import").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("href=\"/import/templates/people.csv\""),
        "{page}"
    );
    let r = ui.get(&ada, "/import/templates/people.csv").await;
    assert!(r.text().await.unwrap().starts_with("id,name,phones"));
    assert_eq!(
        ui.page(&ada, "/import/templates/staff.csv").await.0,
        StatusCode::NOT_FOUND
    );
    let token = after(&page, "name=\"csrf\" value=\"");
    let post = |fields: Vec<(&'static str, String)>,
                file: Option<(&'static str, &'static [u8])>| {
        let mut form = reqwest::multipart::Form::new().text("csrf", token.clone());
        for (k, v) in fields {
            form = form.text(k, v);
        }
        if let Some((name, bytes)) = file {
            form = form.part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
        }
        let (http, base, ada) = (ui.http.clone(), ui.base.clone(), ada.clone());
        async move {
            http.post(format!("{base}/import"))
                .header(COOKIE, &ada)
                .multipart(form)
                .send()
                .await
                .unwrap()
        }
    };
    let fields = |source: &str| {
        vec![
            ("kind", "people".to_string()),
            ("source", source.to_string()),
            ("map", "name=Full name\nphones=Telephone".to_string()),
        ]
    };
    // No file: an error on the file question, with what was typed kept.
    let r = post(fields("crm"), None).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#file\"") && html.contains("Choose the file"),
        "{html}"
    );
    assert!(html.contains("phones=Telephone"), "what was typed is kept");
    // No source: an error on that question.
    let good: &'static [u8] = b"id,Full name,Telephone\nC-1,Amira Evans,07911 123456\n";
    let r = post(fields(" "), Some(("people.csv", good))).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("href=\"#source\""));
    // More than the page takes is a file too large, said on the file question with the
    // most a file may be (413), and what was typed is kept.
    let huge = vec![b'x'; 2 * tact_web::ui_import::MAX_IMPORT_BYTES + 128 * 1024];
    let r = post(fields("crm"), Some(("people.csv", huge.leak()))).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#file\"") && html.contains("larger than 16 MB"),
        "{html}"
    );
    assert!(html.contains("phones=Telephone"), "what was typed is kept");
    // Problems are listed by row and column, and nothing is written.
    let bad: &'static [u8] = b"id,Full name,Telephone\nC-1,Amira Evans,0791\nC-2,,01642 301653\n";
    let r = post(fields("crm"), Some(("people.csv", bad))).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("2 problems in people.csv: nothing was written"),
        "{html}"
    );
    assert!(
        html.contains("<td class=\"govuk-table__cell\">Telephone</td>"),
        "{html}"
    );
    assert!(!html.contains("Import 1 record"));
    // "0791" is no number at all: the box that keeps unconfirmed numbers is not offered as
    // a way round it.
    assert!(!html.contains("can be kept instead"), "{html}");
    // A number libphonenumber cannot confirm (Ofcom's drama range) is a problem the box
    // below would keep: the summary says so, and ticked, the file passes.
    let drama: &'static [u8] = b"id,Full name,Telephone\nD-1,Ann Actor,07700 900123\n";
    let r = post(fields("crm"), Some(("people.csv", drama))).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("1 problem in people.csv")
            && html.contains(
                "can be kept instead, marked unverified: tick <a href=\"#keep_unverified\">"
            ),
        "{html}"
    );
    let mut kept = fields("crm");
    kept.push(("keep_unverified", "yes".into()));
    let r = post(kept, Some(("people.csv", drama))).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("No problems found"));
    // A good file: no problems, and one button imports it.
    let r = post(fields("crm"), Some(("people.csv", good))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("No problems found") && html.contains("Import 1 record"),
        "{html}"
    );
    let found = |ui: &Ui| {
        let app = ui.app.clone();
        async move { app.store().search_people("Amira", 10).await.unwrap() }
    };
    assert!(found(&ui).await.is_empty(), "checking writes nothing");
    assert!(!html.contains("Not imported"), "{html}");
    // A column no field takes is named on the page, not dropped without a word.
    let extra: &'static [u8] =
        b"id,Full name,Telephone,Case officer\nC-1,Amira Evans,07911 123456,Pat\n";
    let r = post(fields("crm"), Some(("people.csv", extra))).await;
    let said = r.text().await.unwrap();
    assert!(
        said.contains("Not imported: the column \u{201c}Case officer\u{201d}"),
        "{said}"
    );
    let hidden = |name: &str| {
        html.split(&format!("name=\"{name}\" value=\""))
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string()
    };
    let mut confirm = vec![
        ("kind", hidden("kind")),
        ("source", hidden("source")),
        ("sheet", hidden("sheet")),
        ("file_name", hidden("file_name")),
        ("file_data", hidden("file_data")),
        ("commit", "yes".to_string()),
    ];
    // The mapping comes back a line a field, every line of it.
    let maps: Vec<String> = html
        .split("name=\"map\" value=\"")
        .skip(1)
        .map(|v| v.split('"').next().unwrap().to_string())
        .collect();
    assert_eq!(maps, ["name=Full name", "phones=Telephone"]);
    confirm.extend(maps.into_iter().map(|m| ("map", m)));
    let r = post(confirm.clone(), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("1 new people imported from crm"), "{html}");
    let people = found(&ui).await;
    assert_eq!(people.len(), 1);
    // The same again writes nothing.
    let r = post(confirm, None).await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("every one was imported from crm before"));
    assert_eq!(found(&ui).await.len(), 1);
    let (_, person) = ui.page(&ada, &format!("/people/{}", people[0].id)).await;
    assert!(
        person.contains("Their details: from crm, where the id was C-1 (row 2)"),
        "{person}"
    );
}

/// Issue 14: a line manager downloads records as CSV from the export page; a caseworker is
/// not offered it and is refused.
#[tokio::test]
async fn issue_14_a_manager_downloads_records_as_csv_and_a_caseworker_is_refused() {
    let ui = Ui::spawn().await;
    case(&ui).await;
    let lee = ui.session("lee").await;
    let cas = ui.session("cas").await;
    assert!(ui.page(&lee, "/").await.1.contains("href=\"/export\""));
    assert!(!ui.page(&cas, "/").await.1.contains("href=\"/export\""));
    let (st, page) = ui.page(&lee, "/export").await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("href=\"/export/people.csv\""), "{page}");
    let r = ui.get(&lee, "/export/people.csv").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let body = r.text().await.unwrap();
    assert!(body.starts_with("reference,name,"), "{body}");
    assert!(body.contains("Jo Bloggs"), "{body}");
    assert_eq!(
        ui.page(&lee, "/export/staff.csv").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        ui.page(&cas, "/export/people.csv").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(ui.page(&cas, "/export").await.0, StatusCode::FORBIDDEN);
}

/// Issue 14: a phone system's service account asks where a call goes, with the caller's
/// number in the forms PBXs send: a caller whose plan allows letters only is refused with
/// the words staff would say (CLE-9.9); a withheld number rings staff with the screen pop;
/// a caller no plan touches is put through; the same answer as `key=value` lines.
#[tokio::test]
async fn cle_9_9_a_phone_system_routes_calls_by_the_same_verdict_staff_see() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    c.plan_in_force(&ui, "letter", "Abusive calls after a warning")
        .await;
    let pbx = ui
        .app
        .create_service_account(None, "Phone system", tact_core::roles::Scope::ContactCheck)
        .await
        .unwrap();
    let token = ui.app.issue_token(None, pbx.id, "pbx").await.unwrap();
    let route = |query: &str| {
        let (http, base, token) = (ui.http.clone(), ui.base.clone(), token.clone());
        let query = query.to_string();
        async move {
            http.get(format!("{base}/api/v1/calls/route?{query}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
        }
    };
    // Jo's number as E.164, national, a tel: URI and a SIP URI: refused, with the words.
    for from in [
        "%2B447911123123",
        "07911%20123123",
        "tel:%2B44-7911-123123",
        "sip:%2B447911123123@pbx.example;user=phone",
    ] {
        let r = route(&format!("from={from}&to=01642301653")).await;
        assert_eq!(r.status(), StatusCode::OK, "{from}");
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["action"], "refuse", "{from}: {v}");
        assert_eq!(v["verdict"]["person"]["id"], c.pid);
        // Words for a recording to play before the call ends: the restriction, danger, a
        // new matter; never staff's own ("I'm sorry…", "tell me now"), which a caller
        // would be cut off after.
        let said = v["say"].as_array().unwrap();
        assert_eq!(said[0], "We can't take your call.", "{v}");
        assert!(
            said.iter().any(|l| l
                .as_str()
                .unwrap()
                .contains("please contact us by letter only")),
            "{v}"
        );
        assert!(said.contains(&json!("If anyone is in danger, hang up and call 999.")));
        assert!(
            said.iter().all(|l| !l.as_str().unwrap().contains("I'm")
                && !l.as_str().unwrap().contains("tell me")),
            "{v}"
        );
        assert!(
            v["verdict"]["say"][0]
                .as_str()
                .unwrap()
                .contains("please contact us by letter only"),
            "staff still have their own words: {v}"
        );
        assert_eq!(v["dialled"], "01642301653");
    }
    // Withheld: staff take it, seeing the incoming-contact page first.
    let v: serde_json::Value = route("from=anonymous").await.json().await.unwrap();
    assert_eq!(v["action"], "ring", "{v}");
    assert!(v["screen_pop"].as_str().unwrap().starts_with("/incoming?"));
    // A caller Tact does not know: staff take it (and ask about additional help, CLE-8.1).
    let v: serde_json::Value = route("from=%2B441642301653").await.json().await.unwrap();
    assert_eq!(v["action"], "ring", "{v}");
    // Someone known, asked already, whom no plan touches: put through to the usual line.
    let p = ui
        .api(
            &c.cw,
            "/people",
            json!({"name": "Sam Smith", "phones": ["01642 301653"]}),
        )
        .await;
    ui.api(
        &c.cw,
        &format!("/people/{}/additional-help", p["id"]),
        json!({"needs_help": false}),
    )
    .await;
    let v: serde_json::Value = route("from=01642301653").await.json().await.unwrap();
    assert_eq!(v["action"], "put-through", "{v}");
    assert!(v["extension"].is_null());
    // The plain form for an AGI script.
    let r = route("from=07911123123&format=text").await;
    assert!(r.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = r.text().await.unwrap();
    assert!(text.starts_with("action=refuse\nextension=\n"), "{text}");
    // One line for a SIP proxy.
    let line = route("from=07911123123&format=line")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        line,
        "refuse|-|their contact strategy does not allow this call (single-channel)\n"
    );
    assert!(
        text.contains("\nsay=") && text.contains("\nscreen_pop=/incoming?who=%2B447911123123"),
        "{text}"
    );
    // A caller id that is no number is a caller not known for sure: staff take the call
    // and check first, never a refusal that drops it. A bad format is a 400 with a JSON
    // message, never a guess.
    let r = route("from=not-a-number&format=line").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.text().await.unwrap(),
        "ring|-|the caller's number could not be read (\"not-a-number\"): staff check first\n"
    );
    let r = route("from=07911123123&format=xml").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("format"));
    // The call's outcome comes back once per call id, logged as a contact — here a breach
    // of the letters-only plan (CLE-9.11) — however often the phone system sends it.
    let logger = ui
        .app
        .create_service_account(None, "Phone log", tact_core::roles::Scope::LogContact)
        .await
        .unwrap();
    let log_token = ui
        .app
        .issue_token(None, logger.id, "pbx-log")
        .await
        .unwrap();
    let report = |call: &str, body: serde_json::Value| {
        let (http, base, token) = (ui.http.clone(), ui.base.clone(), log_token.clone());
        let call = call.to_string();
        async move {
            http.post(format!("{base}/api/v1/calls/{call}/outcome"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let body = json!({"from": "sip:+447911123123@pbx.example", "to": "01642301653", "outcome": "refused", "duration_seconds": 4});
    let r = report("abc-123", body.clone()).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["contact"]["person_id"], c.pid, "{v}");
    assert!(
        !v["contact"]["breach_of"].as_array().unwrap().is_empty(),
        "a breach: {v}"
    );
    let contacts = |ui: &Ui| {
        let app = ui.app.clone();
        let pid = c.pid;
        async move {
            app.store()
                .contacts_of(tact_core::ids::PersonId(pid), 100)
                .await
                .unwrap()
                .into_iter()
                .filter(|x| x.summary.starts_with("Call refused by the phone system"))
                .count()
        }
    };
    assert_eq!(contacts(&ui).await, 1);
    let again = report("abc-123", body.clone()).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(contacts(&ui).await, 1, "once per call id");
    assert_eq!(
        report(
            "abc-124",
            json!({"from": "07911123123", "outcome": "hung up"})
        )
        .await
        .status(),
        StatusCode::BAD_REQUEST
    );
    // The routing-only account may not log.
    let r = ui
        .http
        .post(format!("{}/api/v1/calls/abc-125/outcome", ui.base))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // An administrator gives extensions on the staff page and over the API.
    ui.staff("Ada Admin", "ada", Role::Admin).await;
    let ada = ui.session("ada").await;
    let (_, staff) = ui.page(&ada, "/admin/staff").await;
    let lee_id = staff
        .split("href=\"/admin/staff/")
        .filter_map(|x| x.split('"').next())
        .find(|x| x.ends_with("/extension"))
        .map(|x| x.trim_end_matches("/extension").to_string())
        .expect("an extension link");
    let path = format!("/admin/staff/{lee_id}/extension");
    assert_eq!(ui.page(&ada, &path).await.0, StatusCode::OK);
    ui.refused_on(&ada, &path, &[("extension", "20a")], "extension", "")
        .await;
    let r = ui.post_form(&ada, &path, &[("extension", "2041")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(ui.page(&ada, &path).await.1.contains("value=\"2041\""));
    let r = ui
        .http
        .put(format!("{}/api/v1/staff/{lee_id}/extension", ui.base))
        .bearer_auth(&c.cw)
        .json(&json!({"extension": "2042"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a caseworker may not");
    // Without a token: refused.
    let r = ui
        .http
        .get(format!("{}/api/v1/calls/route?from=07911123123", ui.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

/// The titles of the tasks `GET /api/v1/people/{pid}` lists for `token`.
async fn task_titles(ui: &Ui, token: &str, pid: i64) -> Vec<String> {
    ui.api_get(token, &format!("/people/{pid}")).await["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect()
}

/// The part of `page` under the heading `heading`, up to the next `<h2`; it panics, showing
/// the page, where there is no such heading.
fn section(page: &str, heading: &str) -> String {
    let rest = past(page, heading);
    rest.split("<h2").next().unwrap_or_default().to_string()
}

/// The text in `page` after the first `marker`, up to the next quote: an id in a link, a
/// form token.
fn after(page: &str, marker: &str) -> String {
    let rest = past(page, marker);
    rest.split('"').next().unwrap_or_default().to_string()
}

/// All of `page` after the first `marker`; it panics, showing the page, where there is none.
fn past<'a>(page: &'a str, marker: &str) -> &'a str {
    page.split(marker)
        .nth(1)
        .unwrap_or_else(|| panic!("no {marker:?} in the page: {page}"))
}

/// Where a form that was taken sends the browser next (a 303 See Other).
impl Ui {
    /// The page a step's redirect goes to, as a browser gets it: with what the step said
    /// (its `tact_said` cookie) for that page to show once.
    async fn followed(&self, session: &str, r: &reqwest::Response) -> String {
        let to = redirected(r);
        let said = r
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("tact_said="))
            .and_then(|v| v.split(';').next())
            .map(|c| format!("; {c}"))
            .unwrap_or_default();
        self.page(&format!("{session}{said}"), &to).await.1
    }
}

fn redirected(r: &reqwest::Response) -> String {
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    r.headers()[LOCATION].to_str().unwrap().to_string()
}

/// The names of the fields of the page's forms, but the form token.
fn field_names(page: &str) -> Vec<String> {
    let mut names: Vec<String> = page
        .split("name=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|n| *n != "csrf")
        .map(str::to_string)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Issue 11: bad input is an error on the form or a refusal page, never a 500. Every form
/// on a person, a plan, a matter and the staff pages is posted with each field set to
/// input nobody should send — empty, blank, huge, a NUL, numbers out of range, a date
/// that does not exist, markup, a bidirectional override — by whichever member of staff
/// the form opens for; every answer is a 2xx, 3xx or 4xx.
#[tokio::test]
async fn issue_11_no_form_answers_bad_input_with_a_server_error() {
    let ui = Ui::spawn().await;
    let c = case(&ui).await;
    let sid = c
        .plan_in_force(&ui, "letter", "Abuse after a warning")
        .await;
    let draft = c.draft(&ui, "letter", "r").await;
    ui.staff("Ad Min", "adm", Role::Admin).await;
    ui.staff("Dee Pio", "dee", Role::Dpo).await;
    let sessions = [
        ui.session("lee").await,
        ui.session("sam").await,
        ui.session("cas").await,
        ui.session("dee").await,
        ui.session("adm").await,
    ];
    let (pid, mid) = (c.pid, c.mid);
    let mut paths = vec![
        "/people/new".to_string(),
        "/admin/staff/new".to_string(),
        format!("/matters/{mid}/status"),
    ];
    for f in [
        "matter",
        "incident",
        "warning",
        "contact",
        "plan",
        "share",
        "rectify",
        "hold",
        "adjustment",
        "data-rights",
        "equality",
        "further-action",
        "additional-help",
        "merge",
    ] {
        paths.push(format!("/people/{pid}/{f}"));
    }
    for p in [draft, sid] {
        for f in [
            "checklist",
            "decision",
            "withdraw",
            "notice",
            "review",
            "vary",
            "lift",
            "apply",
            "matters",
            "dispute",
            "letter",
        ] {
            paths.push(format!("/plans/{p}/{f}"));
        }
    }
    let long = "x".repeat(20_000);
    let junk = [
        "",
        "   ",
        long.as_str(),
        "\u{0}",
        "-1",
        "99999999999999999999",
        "2026-02-30",
        "<script>alert(1)</script>",
        "\u{202e}evil",
    ];
    let mut tried = 0;
    for path in &paths {
        // The first member of staff the form opens for.
        let mut opened = None;
        for s in &sessions {
            let (status, page) = ui.page(s, path).await;
            assert!(!status.is_server_error(), "GET {path}: {status}");
            if status == StatusCode::OK && page.contains("name=\"csrf\"") {
                opened = Some((s, page));
                break;
            }
        }
        let Some((s, page)) = opened else { continue };
        let token = after(&page, "name=\"csrf\" value=\"");
        let names = field_names(&page);
        for value in junk {
            let mut body: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), value)).collect();
            body.push(("csrf", &token));
            let r = ui.post_as_is(s, path, &body).await;
            let status = r.status();
            let text = r.text().await.unwrap();
            assert!(
                !status.is_server_error(),
                "POST {path} with {value:?}: {status} {text}"
            );
            tried += 1;
        }
    }
    // The sweep reached the forms it names, not only the first few.
    assert!(tried >= 200, "only {tried} posts were made");
}

/// NOR-5.2: the policy itself comes as a PDF, to print and enclose with a notice that goes
/// by post; it is made in a turn like any letter's document, so while every turn is taken
/// the page says Tact is busy and when to try again.
#[tokio::test]
async fn nor_5_2_the_policy_comes_as_a_pdf_to_enclose_with_a_posted_notice() {
    let ui = Ui::spawn_under("northamptonshire-opfcc").await;
    ui.staff("Cas Worker", "cas", Role::Caseworker).await;
    let cw = ui.session("cas").await;
    let r = ui.get(&cw, "/policy.pdf").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("policy.pdf"));
    let pdf = r.bytes().await.unwrap();
    assert!(
        pdf.starts_with(b"%PDF-") && pdf.len() > 10_000,
        "{}",
        pdf.len()
    );
    let turns = ui.app.makers.take_every_turn().await;
    let r = ui.get(&cw, "/policy.pdf").await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()["retry-after"], "60");
    drop(turns);
    assert_eq!(ui.get(&cw, "/policy.pdf").await.status(), StatusCode::OK);
}

/// Issue 11: a page offers only what will be allowed. Every role's home page links to each of
/// the office's tools exactly when that role's GET of the tool's page is answered, and a tool
/// not linked is refused (403), never a page that then refuses what it shows.
#[tokio::test]
async fn issue_11_the_home_page_links_each_tool_exactly_for_the_roles_that_may_open_it() {
    let ui = Ui::spawn().await;
    let tools = [
        "/admin/staff",
        "/retention",
        "/governance",
        "/equality",
        "/export",
        "/import",
        "/disclosures",
    ];
    let mut linked_somewhere = std::collections::BTreeSet::new();
    for role in Role::ALL {
        let username = role.as_str().replace('-', "");
        ui.staff(role.as_str(), &username, role).await;
        let session = ui.session(&username).await;
        let (s, home) = ui.page(&session, "/").await;
        assert_eq!(s, StatusCode::OK, "{role:?}: {home}");
        for tool in tools {
            let linked = home.contains(&format!("href=\"{tool}\""));
            let (s, page) = ui.page(&session, tool).await;
            let expected = if linked {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(s, expected, "{role:?} {tool}, linked: {linked}: {page}");
            if linked {
                linked_somewhere.insert(tool);
            }
        }
    }
    // Each tool is some role's: none is hidden from everyone.
    assert_eq!(linked_somewhere.len(), tools.len(), "{linked_somewhere:?}");
}

/// Every button that writes lets one click through a second (GOV.UK Frontend's
/// `data-prevent-double-click`), so a caseworker who clicks twice on a slow page logs one
/// call, not two; signing in and out only are left as they are. The browser test
/// `a caseworker on a busy line who double-clicks "Save" logs the call once` shows it works.
#[test]
fn every_button_that_writes_lets_one_click_through_a_second() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut forms = 0;
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for form in text.split("<form").skip(1) {
            let form = form.split("</form>").next().unwrap_or(form);
            let opening = form.split('>').next().unwrap_or("");
            if !opening.contains("method=\"post\"") || opening.contains("/sign-") {
                continue;
            }
            forms += 1;
            for button in form.split("<button").skip(1) {
                let tag = button.split('>').next().unwrap_or("");
                if !(tag.contains("data-module=\"govuk-button\"")
                    && tag.contains("data-prevent-double-click=\"true\""))
                {
                    missing.push(format!("{}: <button{tag}>", path.display()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
    // The templates hold a score of forms that write; reading none would pass above.
    assert!(forms >= 15, "only {forms} forms read");
}
