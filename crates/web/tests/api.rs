//! Integration tests: the real server on port 0, on a freshly migrated database, for
//! every backend under test (SQLite always; PostgreSQL with TACT_TEST_POSTGRES_URL).

use jiff::ToSpan;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tact_app::App;
use tact_core::roles::Role;
use tact_store::{testing, Table};

/// The server, called through its API client (`t.base`, `t.http`), and its staff's tokens.
/// Asserts that an answer is the refusal `status` naming `field`, showing the answer if
/// it is not.
#[track_caller]
fn refused(s: StatusCode, v: &Value, status: StatusCode, field: &str) {
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (status, Some(field)),
        "{v}"
    );
}

struct TestApp {
    api: tact_web::TestClient,
    app: App,
    caseworker: String,
    line_manager: String,
    senior: String,
    senior2: String,
    csm: String,
    caseworker_id: i64,
}

impl std::ops::Deref for TestApp {
    type Target = tact_web::TestClient;
    fn deref(&self) -> &Self::Target {
        &self.api
    }
}

impl TestApp {
    /// A new member of staff in `role`, and their API token.
    async fn token_for(&self, name: &str, role: Role) -> String {
        let s = tact_app::testing::staff(&self.app, name, role).await;
        self.app.issue_token(None, s.id, "test").await.unwrap()
    }

    /// The OpenAPI document as served.
    async fn openapi(&self) -> Value {
        self.http
            .get(format!("{}/api/openapi.json", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn spawn(profile: &str, url: &str) -> Self {
        let app = tact_app::testing::app(url, profile).await;
        let mk = |name: &'static str, role: Role, lm: Option<tact_core::ids::StaffId>| {
            let app = app.clone();
            async move {
                let s = app.create_staff(None, name, role, None, lm).await.unwrap();
                (s.id, app.issue_token(None, s.id, "test").await.unwrap())
            }
        };
        let (lm_id, line_manager) = mk("Lee Manager", Role::LineManager, None).await;
        let (cw_id, caseworker) = mk("Cas Worker", Role::Caseworker, Some(lm_id)).await;
        let (_, senior) = mk("Sen One", Role::SeniorManager, None).await;
        let (_, senior2) = mk("Sen Two", Role::SeniorManager, None).await;
        let (_, csm) = mk("Cus Manager", Role::CustomerServiceManager, None).await;
        let base = tact_web::serve_on_loopback(app.clone()).await;
        Self {
            api: tact_web::TestClient::new(base),
            app,
            caseworker,
            line_manager,
            senior,
            senior2,
            csm,
            caseworker_id: cw_id.0,
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Option<Value>,
        key: Option<&str>,
    ) -> (StatusCode, Value) {
        let (status, v) = self.api.call(method, token, path, body, key).await;
        let status = StatusCode::from_u16(status).unwrap();
        assert!(!v.is_null(), "not JSON ({status})");
        (status, v)
    }
    async fn post(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, token, path, Some(body), None)
            .await
    }
    async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, token, path, None, None)
            .await
    }
    /// The words a list field of the answer at `path` holds (a plan's `steps`, `letters`).
    async fn words(&self, token: &str, path: &str, field: &str) -> Vec<String> {
        let (s, v) = self.get(token, path).await;
        assert!(s.is_success(), "GET {path}: {s} {v}");
        v[field]
            .as_array()
            .unwrap_or_else(|| panic!("{field} in {v}"))
            .iter()
            .map(|w| w.as_str().unwrap().to_string())
            .collect()
    }
    async fn ok(&self, token: &str, path: &str, body: Value) -> Value {
        let (s, v) = self.post(token, path, body).await;
        assert!(s.is_success(), "POST {path}: {s} {v}");
        v
    }

    async fn person_with_matter(&self) -> (i64, i64) {
        let jo =
            json!({"name": "Jo Bloggs", "phones": ["07911 123123"], "emails": ["Jo@Example.org"]});
        self.api.person_with_matter(&self.caseworker, jo).await
    }

    /// Jo under a plan in force that has them contact the office by email only (the plan
    /// most tests start from): their id, their matter's and the plan's.
    async fn email_only_in_force(&self) -> (i64, i64, i64) {
        self.plan_in_force(
            json!([{"kind": "single-channel", "channel": "email", "reason": "Abusive calls"}]),
        )
        .await
    }

    /// Takes a person from first incident to a plan in force, as users would.
    async fn plan_in_force(&self, restrictions: Value) -> (i64, i64, i64) {
        let (pid, mid, sid) = self.drafted_plan(restrictions).await;
        let s = self.into_force(&self.line_manager, &self.senior, sid).await;
        // Until the notice, in force nowhere: waiting for it (NOR-5.1), or active but binding
        // nothing the person does (CLE-9.6), as the contact check and the pages say.
        assert!(
            !s["in_force"].as_bool().unwrap(),
            "not in force before notice: {s}"
        );
        let s = self.get(&self.caseworker, &format!("/plans/{sid}")).await.1;
        assert_eq!(s["status"], "active");
        assert!(s["in_force"].as_bool().unwrap());
        assert!(s["checklist"].as_array().is_some_and(|a| !a.is_empty()));
        every_time_is_rfc3339(&s);
        (pid, mid, sid)
    }

    /// Takes a person from first incident to a drafted plan (warned, the matter's review
    /// exhausted), as users would.
    async fn drafted_plan(&self, restrictions: Value) -> (i64, i64, i64) {
        let (pid, mid) = self.person_with_matter().await;
        let profile = &self.app.profile;
        let incident = self
            .ok(&self.caseworker, "/incidents", json!({"person_id": pid, "matter_id": mid, "category": profile.categories[1].id, "description": "Called twelve times today"}))
            .await;
        assert!(
            !incident["tasks"].as_array().unwrap().is_empty()
                || !profile.rules.report_every_incident_to_manager
        );
        self.ok(&self.line_manager, &format!("/people/{pid}/warnings"), json!({"what_is_wrong": "Too many calls", "how_to_change": "Call on Tuesdays", "consequence": "Contact may be restricted", "channel": "letter"})).await;
        self.ok(
            &self.line_manager,
            &format!("/matters/{mid}/status"),
            json!({"status": "review-exhausted"}),
        )
        .await;
        let review_due =
            (tact_core::check::uk_date(jiff::Timestamp::now()) + 60.days()).to_string();
        let plan = self
            .ok(
                &self.line_manager,
                &format!("/people/{pid}/plans"),
                json!({"matter_ids": [mid], "restrictions": restrictions, "reasons": "Volume of calls", "aims": "Let the team work", "proportionality": "Writing stays open", "review_due": review_due}),
            )
            .await;
        (pid, mid, plan["id"].as_i64().unwrap())
    }
}

/// Every `…_at` field in an answer, however deep, is null or an RFC 3339 time.
fn every_time_is_rfc3339(v: &Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k.ends_with("_at") && !x.is_null() {
                    let t = x
                        .as_str()
                        .unwrap_or_else(|| panic!("{k} is not a string: {x}"));
                    assert!(
                        t.parse::<jiff::Timestamp>().is_ok(),
                        "{k} is not RFC 3339: {t}"
                    );
                }
                every_time_is_rfc3339(x);
            }
        }
        Value::Array(a) => a.iter().for_each(every_time_is_rfc3339),
        _ => {}
    }
}

async fn each_backend<F, Fut>(profile: &str, f: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for (name, url) in testing::fresh_urls().await {
        eprintln!("backend {name}");
        f(TestApp::spawn(profile, &url).await).await;
    }
}

#[tokio::test]
async fn cle_9_11_and_cle_9_10_both_profiles_end_to_end_a_breach_is_stored_reminded_and_screened() {
    for profile in ["cleveland-opcc", "northamptonshire-opfcc"] {
        each_backend(profile, |t| async move {
            let (pid, _, sid) = t.email_only_in_force().await;
            // A review decides to continue or lift; any other word is refused naming it.
            let (s, v) = t.post(&t.senior, &format!("/plans/{sid}/review"), json!({"decision": "vary", "reasons": "r", "recent_conduct": "c"})).await;
            assert_eq!((s, &v["error"]["field"]), (StatusCode::BAD_REQUEST, &json!("decision")), "{v}");
            assert!(v["error"]["message"].as_str().unwrap().contains("continue, lift"), "{v}");
            // Lifted with a next review date: refused on the date (CLE-9.12), not dropped, and
            // the plan stays in force.
            let (s, v) = t.post(&t.senior, &format!("/plans/{sid}/review"), json!({"decision": "lift", "reasons": "r", "recent_conduct": "c", "next_review_due": "2027-01-15"})).await;
            refused(s, &v, StatusCode::BAD_REQUEST, "next_review_due");
            assert_eq!(t.get(&t.senior, &format!("/plans/{sid}")).await.1["status"], "active");
            let (s, v) = t.get(&t.caseworker, "/contact-check?phone=%2B44%207911%20123123").await;
            assert_eq!(s, StatusCode::OK);
            assert_eq!(v["outcome"], "not-allowed");
            // The sentence staff read first, in the profile's own term for the plan: the
            // incoming-contact page's heading is this same field.
            let term = if profile == "cleveland-opcc" { "contact strategy" } else { "communication plan" };
            assert_eq!(v["headline"], format!("Their {term} does not allow this contact"), "{v}");
            assert_eq!(v["person"]["id"], pid);
            assert_eq!(v["restrictions"][0]["kind"], "single-channel");
            // The plan by the API's one word for it; the first release's name stays for
            // its clients, marked deprecated in the document.
            assert_eq!(v["restrictions"][0]["plan_id"], sid);
            assert_eq!(v["restrictions"][0]["strategy_id"], sid);
            assert!(!v["say"].as_array().unwrap().is_empty());
            let email_ok = t.get(&t.caseworker, "/contact-check?email=jo@example.org").await.1;
            assert_eq!(email_ok["outcome"], "allowed-with-conditions");
            assert_eq!(email_ok["headline"], "You can deal with this contact, with conditions");
            assert!(email_ok["screening_required"].as_bool().unwrap());
            // The sender as an email program shows it, pasted: the same person, the same answer.
            let pasted = t.get(&t.caseworker, "/contact-check?email=Jo%20Bloggs%20%3CJo@Example.org%3E").await.1;
            assert_eq!((&pasted["person"]["id"], &pasted["outcome"]), (&json!(pid), &email_ok["outcome"]), "{pasted}");
            let before = t.app.store().count(Table::Tasks).await.unwrap();
            let logged = t.ok(&t.caseworker, "/contacts", json!({"channel": "phone", "phone": "07911123123", "summary": "Called again demanding an update"})).await;
            assert_eq!(logged["contact"]["person_id"], pid);
            assert_eq!(logged["contact"]["breach_of"], json!([format!("{sid}:single-channel")]));
            assert_eq!(logged["contact"]["screening"], "due");
            assert_eq!(t.app.store().count(Table::Tasks).await.unwrap(), before + 2, "a reminder and a screening task");
            let cid = logged["contact"]["id"].as_i64().unwrap();
            let q = t.get(&t.caseworker, "/screening").await.1;
            assert!(q["contacts"].as_array().unwrap().iter().any(|c| c["id"] == cid));
            t.ok(&t.caseworker, &format!("/contacts/{cid}/screen"), json!({"finding": "nothing-new"})).await;
            let v = t.get(&t.csm, "/audit/verify").await;
            assert_eq!(v.0, StatusCode::OK, "{}", v.1);
            assert!(v.1["entries"].as_u64().unwrap() > 10);
        })
        .await;
    }
}

/// CLE-9.10, CLE-10.3: what screening found is one of five findings, refused in plain words
/// otherwise; a possible crime needs a note of what was raised and puts a police referral
/// on the senior managers' list, about that contact.
#[tokio::test]
async fn cle_9_10_and_cle_10_3_a_screening_finding_is_one_of_five_and_a_possible_crime_raises_a_referral(
) {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, _, _) = t.email_only_in_force().await;
        let logged = t.ok(&t.caseworker, "/contacts", json!({"channel": "phone", "phone": "07911123123", "summary": "Called and made a threat"})).await;
        assert_eq!(logged["contact"]["person_id"], pid);
        let cid = logged["contact"]["id"].as_i64().unwrap();
        let path = format!("/contacts/{cid}/screen");
        let (st, v) = t.post(&t.caseworker, &path, json!({"finding": "worrying"})).await;
        refused(st, &v, StatusCode::BAD_REQUEST, "finding");
        let (st, v) = t.post(&t.caseworker, &path, json!({"finding": "possible-crime"})).await;
        refused(st, &v, StatusCode::BAD_REQUEST, "note");
        let open = |kind| {
            let app = t.app.clone();
            async move {
                app.store()
                    .tasks(
                        &tact_store::TaskFilter {
                            open_only: true,
                            kind: Some(kind),
                            ..Default::default()
                        },
                        10,
                    )
                    .await
                    .unwrap()
            }
        };
        assert!(open(tact_core::model::TaskKind::PoliceReferral).await.is_empty());
        let screened = t.ok(&t.caseworker, &path, json!({"finding": "possible-crime", "note": "Threatened to burn the office down"})).await;
        assert_eq!(screened["screening"], "done", "{screened}");
        let referrals = open(tact_core::model::TaskKind::PoliceReferral).await;
        assert_eq!(referrals.len(), 1);
        let r = &referrals[0].task;
        assert_eq!(r.clause, "CLE-10.3");
        assert_eq!(r.subject.as_deref(), Some(format!("contact:{cid}").as_str()));
        assert_eq!(r.role, Some(tact_core::roles::Role::SeniorManager));
        assert!(r.title.contains("Threatened to burn the office down"), "{}", r.title);
        assert!(open(tact_core::model::TaskKind::Screening).await.iter().all(|x| x.task.subject.as_deref() != Some(format!("contact:{cid}").as_str())));
    })
    .await;
}

#[tokio::test]
async fn nor_6_2_a_caseworker_cannot_authorise_and_the_error_names_the_clause() {
    each_backend("northamptonshire-opfcc", |t| async move {
        let (pid, mid) = t.person_with_matter().await;
        t.ok(&t.caseworker, "/incidents", json!({"person_id": pid, "category": "unreasonable-behaviour", "description": "Incivility"})).await;
        let due = (tact_core::check::uk_date(jiff::Timestamp::now()) + 60.days()).to_string();
        let plan = t.ok(&t.line_manager, &format!("/people/{pid}/strategies"), json!({"matter_ids": [mid], "restrictions": [{"kind": "read-and-file", "reason": "x"}], "reasons": "r", "aims": "a", "proportionality": "p", "review_due": due})).await;
        let sid = plan["id"].as_i64().unwrap();
        // The role is asked first, at every door, as the plan page does: a caseworker is
        // refused for who they are, naming the clause; a senior manager for the plan's status.
        let (s, v) = t.post(&t.caseworker, &format!("/strategies/{sid}/authorise"), json!({"reason": "ok"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        assert_eq!(v["error"]["clause"], "NOR-6.2", "{v}");
        // Before what was sent is read, as the form does: a caseworker sending a body that
        // is wrong is still told it is not theirs to do; a senior manager is told what is
        // wrong with it.
        let (s, v) = t.post(&t.caseworker, &format!("/plans/{sid}/authorise"), json!({"because": 1})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        assert_eq!(v["error"]["clause"], "NOR-6.2", "{v}");
        let (s, v) = t.post(&t.senior, &format!("/plans/{sid}/authorise"), json!({"because": 1})).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        let (s, v) = t.post(&t.caseworker, "/disclosures/1/decision", json!({"approve": "perhaps"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "only the approving role decides: {v}");
        let (s, v) = t.post(&t.senior, &format!("/plans/{sid}/authorise"), json!({"reason": "ok"})).await;
        assert_eq!(s, StatusCode::CONFLICT, "a draft cannot be authorised: {v}");
        let (s, v) = t.post(&t.caseworker, &format!("/strategies/{sid}/propose"), json!({})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        let (s, v) = t.post(&t.line_manager, &format!("/strategies/{sid}/propose"), json!({})).await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert_eq!(v["error"]["clause"], "NOR-5.2", "no warning yet: {v}");
    })
    .await;
}

#[tokio::test]
async fn cle_9_8_a_plan_with_no_matter_is_refused_over_http_and_nothing_is_written() {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, _) = t.person_with_matter().await;
        let before = t.app.store().count(Table::Plans).await.unwrap();
        let (s, v) = t.post(&t.line_manager, &format!("/people/{pid}/strategies"), json!({"matter_ids": [], "restrictions": [{"kind": "recorded-calls", "reason": "x"}], "reasons": "r", "aims": "a", "proportionality": "p", "review_due": "2030-01-01"})).await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert_eq!(v["error"]["clause"], "CLE-9.8");
        assert_eq!(v["error"]["field"], "matter_ids");
        assert_eq!(t.app.store().count(Table::Plans).await.unwrap(), before);
    })
    .await;
}

/// Issue 14: an extension is taken away only when the body says so (`null`): a body
/// without it is refused, not read as "take it away"; and the answer is the extension as
/// kept.
#[tokio::test]
async fn issue_14_an_extension_is_taken_away_only_when_asked_and_the_answer_is_what_is_kept() {
    each_backend("cleveland-opcc", |t| async move {
        let admin = t.token_for("Ada Admin", Role::Admin).await;
        let lee = tact_app::testing::staff(&t.app, "Lee Manager", Role::LineManager).await;
        let path = format!("/staff/{}/extension", lee.id);
        let put = |body: Value| t.send(reqwest::Method::PUT, &admin, &path, Some(body), None);
        let (s, v) = put(json!({"extension": " 2041 "})).await;
        assert_eq!(
            (s, &v["extension"]),
            (StatusCode::OK, &json!("2041")),
            "{v}"
        );
        let (s, v) = put(json!({})).await;
        refused(s, &v, StatusCode::BAD_REQUEST, "extension");
        // In serde's words, without axum's "Failed to deserialize … target type" before them.
        assert!(
            v["error"]["message"].as_str().is_some_and(
                |m| m.starts_with("the request body is not valid: missing field `extension`")
            ),
            "{v}"
        );
        let kept = t.app.store().extension_of(lee.id).await.unwrap();
        assert_eq!(
            kept.as_deref(),
            Some("2041"),
            "a body without it changes nothing"
        );
        let (s, v) = put(json!({"extension": null})).await;
        assert_eq!((s, &v["extension"]), (StatusCode::OK, &Value::Null), "{v}");
        assert_eq!(t.app.store().extension_of(lee.id).await.unwrap(), None);
    })
    .await;
}

/// CLE-9.6; NOR-5.1: the task to tell the person of a new plan in writing is done by
/// recording the notice on the plan. Closing it by hand is refused while the plan awaits
/// its notice: the plan would otherwise wait, restricting nothing, with no task to say so.
#[tokio::test]
async fn cle_9_6_and_nor_5_1_the_notice_task_is_done_by_recording_the_notice_not_by_hand() {
    for profile in ["cleveland-opcc", "northamptonshire-opfcc"] {
        each_backend(profile, |t| async move {
            let one =
                json!([{"kind": "single-channel", "channel": "email", "reason": "Abusive calls"}]);
            let (_, _, sid) = t.drafted_plan(one).await;
            t.api.answer_and_propose(&t.line_manager, sid).await;
            t.ok(
                &t.senior,
                &format!("/plans/{sid}/authorise"),
                json!({"reason": "Proportionate"}),
            )
            .await;
            let notice_task = || async {
                let mut found = None;
                for who in [&t.line_manager, &t.senior] {
                    let tasks = t.get(who, "/tasks").await.1;
                    found = found.or_else(|| {
                        tasks["tasks"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .find(|x| {
                                x["kind"] == "send-notice"
                                    && x["subject"] == format!("strategy:{sid}")
                            })
                            .map(|x| (who.to_string(), x["id"].as_i64().unwrap()))
                    });
                }
                found
            };
            let plan = t.get(&t.caseworker, &format!("/plans/{sid}")).await.1;
            assert_eq!(plan["awaits_notice"], true, "{profile}: {plan}");
            let (who, task) = notice_task().await.expect("a task to send the notice");
            let (s, v) = t
                .post(
                    &who,
                    &format!("/tasks/{task}/complete"),
                    json!({"outcome": "Posted it"}),
                )
                .await;
            assert_eq!(s, StatusCode::CONFLICT, "{profile}: {v}");
            assert!(
                v["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("recording the written notice"),
                "{v}"
            );
            // Recording the notice is what closes it.
            let notice =
                json!({"channel": "letter", "agreement_sought": false, "policy_enclosed": true});
            let plan = t
                .ok(&t.line_manager, &format!("/plans/{sid}/notice"), notice)
                .await;
            assert_eq!(plan["awaits_notice"], false, "{profile}: {plan}");
            assert!(
                notice_task().await.is_none(),
                "{profile}: closed by the notice"
            );
        })
        .await;
    }
}

#[tokio::test]
async fn bad_input_gets_a_json_4xx_naming_the_field_and_writes_nothing() {
    each_backend("cleveland-opcc", |t| async move {
        let people = t.app.store().count(Table::People).await.unwrap();
        // Malformed phone number.
        let (s, v) = t
            .post(
                &t.caseworker,
                "/people",
                json!({"name": "A", "phones": ["0770 CALL ME"]}),
            )
            .await;
        refused(s, &v, StatusCode::BAD_REQUEST, "phones[0]");
        // Malformed email address.
        let (s, v) = t
            .post(
                &t.caseworker,
                "/people",
                json!({"name": "A", "emails": ["not-an-address"]}),
            )
            .await;
        refused(s, &v, StatusCode::BAD_REQUEST, "emails[0]");
        // Unknown field.
        let (s, v) = t
            .post(
                &t.caseworker,
                "/people",
                json!({"name": "A", "nickname": "B"}),
            )
            .await;
        refused(s, &v, StatusCode::BAD_REQUEST, "nickname");
        // Deeper in the body, the field is named by its path.
        let (s, v) = t
            .post(
                &t.caseworker,
                "/people",
                json!({"name": "A", "advocate": {"name": "B", "fax": "1"}}),
            )
            .await;
        refused(s, &v, StatusCode::BAD_REQUEST, "advocate.fax");
        let (s, v) = t
            .post(
                &t.caseworker,
                "/incidents",
                json!({"person_id": 1, "category": "x", "description": "d", "ended_call": {}}),
            )
            .await;
        refused(s, &v, StatusCode::BAD_REQUEST, "ended_call.reason");
        // Unknown id.
        let (s, v) = t.get(&t.caseworker, "/people/999999").await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains("999999"));
        // A plan not there is named in code's word for it, as every other record is.
        let (s, v) = t.get(&t.caseworker, "/plans/999999").await;
        refused(s, &v, StatusCode::NOT_FOUND, "plan_id");
        // An id that is not a number names no record either (the UI's 404 page too).
        let (s, v) = t.get(&t.caseworker, "/people/not-a-number").await;
        refused(s, &v, StatusCode::NOT_FOUND, "id");
        assert_eq!(t.app.store().count(Table::People).await.unwrap(), people);
        // One number written two ways, when adding and when changing a person; a name too
        // long when changing one (adding refused it; changing did not).
        let twice = json!({"name": "A", "phones": ["07911 123456", "+44 7911 123456"]});
        let (s, v) = t.post(&t.caseworker, "/people", twice.clone()).await;
        refused(s, &v, StatusCode::BAD_REQUEST, "phones[1]");
        assert_eq!(t.app.store().count(Table::People).await.unwrap(), people);
        let (pid, _) = t.person_with_matter().await;
        // Changing a person sends every detail ([] or null for none): one left out is
        // refused, never read as "remove it" (their numbers are how calls are known).
        let whole = |name: &str, phones: Value| {
            json!({"name": name, "phones": phones, "emails": [], "postal_address": null,
                   "advocate": null, "preferred_format": null, "preferred_language": null})
        };
        for (body, field) in [
            (whole("A", twice["phones"].clone()), "phones[1]"),
            (whole(&"é".repeat(201), json!([])), "name"),
            (json!({"name": "Jo Bloggs"}), "phones"),
            (
                json!({"name": "Jo Bloggs", "phones": [], "emails": []}),
                "postal_address",
            ),
        ] {
            let (s, v) = t
                .ask(
                    reqwest::Method::PUT,
                    &t.caseworker,
                    &format!("/people/{pid}"),
                    Some(body),
                )
                .await;
            assert_eq!((s, v["error"]["field"].as_str()), (400, Some(field)), "{v}");
        }
        let kept = t.get(&t.caseworker, &format!("/people/{pid}")).await.1;
        assert_eq!(kept["person"]["name"], "Jo Bloggs", "{kept}");
        assert!(
            kept["person"]["phones"]
                .as_array()
                .is_some_and(|p| !p.is_empty()),
            "a body without phones took none away: {kept}"
        );
        let people = people + 1;
        // Invalid UTF-8.
        let resp = t
            .http
            .post(format!("{}/api/v1/people", t.base))
            .bearer_auth(&t.caseworker)
            .header("content-type", "application/json")
            .body(vec![b'{', b'"', b'n', 0xff, 0xfe, b'"', b'}'])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let v: Value = resp.json().await.unwrap();
        assert!(v["error"]["message"].is_string());
        // Oversized body.
        let huge = "x".repeat(tact_web::MAX_BODY + 10);
        let resp = t
            .http
            .post(format!("{}/api/v1/people", t.base))
            .bearer_auth(&t.caseworker)
            .json(&json!({"name": huge}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let v: Value = resp.json().await.unwrap();
        assert!(v["error"]["message"].is_string());
        // No token, bad token.
        let resp = t
            .http
            .get(format!("{}/api/v1/people?q=a", t.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        let (s, _) = t.get("tact_wrong", "/people?q=a").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(t.app.store().count(Table::People).await.unwrap(), people);
    })
    .await;
}

#[tokio::test]
async fn a_repeated_submission_with_the_same_idempotency_key_writes_once() {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, _) = t.person_with_matter().await;
        let body =
            json!({"channel": "email", "person_id": pid, "summary": "Emailed about the complaint"});
        let (s1, _) = t
            .send(
                reqwest::Method::POST,
                &t.caseworker,
                "/contacts",
                Some(body.clone()),
                Some("msg-1"),
            )
            .await;
        assert_eq!(s1, StatusCode::CREATED);
        let n = t.app.store().count(Table::Contacts).await.unwrap();
        let (s2, v2) = t
            .send(
                reqwest::Method::POST,
                &t.caseworker,
                "/contacts",
                Some(body),
                Some("msg-1"),
            )
            .await;
        assert_eq!(s2, StatusCode::CONFLICT, "{v2}");
        assert_eq!(v2["error"]["field"], "Idempotency-Key");
        assert_eq!(t.app.store().count(Table::Contacts).await.unwrap(), n);
        // The same for any other write.
        let (s, _) = t
            .send(
                reqwest::Method::POST,
                &t.caseworker,
                &format!("/people/{pid}/matters"),
                Some(json!({"kind": "query", "title": "Q"})),
                Some("m-1"),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
        let (s, _) = t
            .send(
                reqwest::Method::POST,
                &t.caseworker,
                &format!("/people/{pid}/matters"),
                Some(json!({"kind": "query", "title": "Q"})),
                Some("m-1"),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert_eq!(
            t.app
                .store()
                .matters_of(tact_core::ids::PersonId(pid))
                .await
                .unwrap()
                .len(),
            2
        );
        // And for an administrator's: a member of staff, a service account and a token
        // (each once; the second is the same refusal, not "taken" or a second record).
        let admin = t.token_for("Ada Admin", Role::Admin).await;
        let staff = t.app.store().staff_list().await.unwrap().len();
        for (path, body) in [
            ("/staff", json!({"name": "Nia New", "role": "caseworker"})),
            (
                "/service-accounts",
                json!({"name": "Phones", "scope": "contact-check"}),
            ),
            ("/tokens", json!({"name": "My script"})),
        ] {
            let key = format!("once-{path}");
            let (s, v) = t
                .send(
                    reqwest::Method::POST,
                    &admin,
                    path,
                    Some(body.clone()),
                    Some(&key),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{path}: {v}");
            let (s, v) = t
                .send(reqwest::Method::POST, &admin, path, Some(body), Some(&key))
                .await;
            assert_eq!(s, StatusCode::CONFLICT, "{path}: {v}");
            assert_eq!(v["error"]["field"], "Idempotency-Key", "{path}");
        }
        assert_eq!(
            t.app.store().staff_list().await.unwrap().len(),
            staff + 2,
            "one member of staff, one service account"
        );
        let (_, mine) = t.get(&admin, "/tokens").await;
        let scripts = mine["tokens"].as_array().unwrap();
        assert_eq!(
            scripts.iter().filter(|x| x["name"] == "My script").count(),
            1,
            "{mine}"
        );
    })
    .await;
}

#[tokio::test]
async fn cle_4_4_a_caseworker_ends_a_call_and_cle_4_5_the_line_manager_gets_the_follow_up() {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, _) = t.person_with_matter().await;
        let v = t
            .ok(&t.caseworker, "/incidents", json!({"person_id": pid, "category": "violent-threatening-abusive", "description": "Threatened staff", "ended_call": {"reason": "Threats continued after warning", "file_note": "Warned, then ended the call", "caller_warned": true}}))
            .await;
        assert_eq!(v["incident"]["ended_call"]["reason"], "Threats continued after warning");
        let tasks = t.get(&t.line_manager, "/tasks").await.1;
        let t0 = tasks["tasks"].as_array().unwrap().iter().find(|x| x["kind"] == "ended-call-follow-up").expect("a follow-up for the line manager").clone();
        assert_eq!(t0["clause"], "CLE-4.5");
        assert!(t.get(&t.caseworker, "/tasks").await.1["tasks"].as_array().unwrap().iter().all(|x| x["kind"] != "ended-call-follow-up"));
        let (s, _) = t.post(&t.caseworker, &format!("/tasks/{}/complete", t0["id"]), json!({"outcome": "x"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let done = t.ok(&t.line_manager, &format!("/tasks/{}/complete", t0["id"]), json!({"outcome": "Spoke to Cas; no further action"})).await;
        assert!(done["done_at"].is_string());
        let _ = t.caseworker_id;
    })
    .await;
}

/// CLE-4.1; NOR-6.1: an incident names only the person's own matter and contact. One that
/// does not exist, or is another person's, is a 422 naming the field, and nothing is
/// written (it was filed with a dangling or someone else's link).
#[tokio::test]
async fn cle_4_1_and_nor_6_1_an_incident_on_someone_elses_matter_or_contact_is_refused() {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, mid) = t.person_with_matter().await;
        let other = json!({"name": "Sam Other", "phones": ["07911 123456"]});
        let (oid, omid) = t.api.person_with_matter(&t.caseworker, other).await;
        let call = t.ok(&t.caseworker, "/contacts", json!({"person_id": oid, "channel": "phone", "summary": "Rang about the delay"})).await;
        let ocid = call["contact"]["id"].as_i64().unwrap();
        let mine = t.ok(&t.caseworker, "/contacts", json!({"person_id": pid, "channel": "phone", "summary": "Rang, shouting"})).await;
        let cid = mine["contact"]["id"].as_i64().unwrap();
        let incident = |extra: Value| {
            let mut body = json!({"person_id": pid, "category": "violent-threatening-abusive", "description": "Shouted at staff"});
            body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            body
        };
        for (extra, field) in [
            (json!({"matter_id": omid}), "matter_id"),
            (json!({"matter_id": 999_999}), "matter_id"),
            (json!({"matter_id": mid, "contact_id": ocid}), "contact_id"),
            (json!({"matter_id": mid, "contact_id": 999_999}), "contact_id"),
        ] {
            let (s, v) = t.post(&t.caseworker, "/incidents", incident(extra.clone())).await;
            refused(s, &v, StatusCode::UNPROCESSABLE_ENTITY, field);
            assert!(v["error"]["message"].as_str().unwrap().ends_with("is not one of this person's"), "{v}");
        }
        let record = t.get(&t.caseworker, &format!("/people/{pid}")).await.1;
        assert_eq!(record["incidents"].as_array().unwrap().len(), 0, "nothing written: {record}");
        // Their own matter and contact are taken.
        let v = t.ok(&t.caseworker, "/incidents", incident(json!({"matter_id": mid, "contact_id": cid}))).await;
        assert_eq!((v["incident"]["matter_id"].as_i64(), v["incident"]["contact_id"].as_i64()), (Some(mid), Some(cid)));
        // Logging a contact against another person's matter is the same refusal.
        let (s, v) = t.post(&t.caseworker, "/contacts", json!({"person_id": pid, "matter_id": omid, "channel": "phone", "summary": "x"})).await;
        refused(s, &v, StatusCode::UNPROCESSABLE_ENTITY, "matter_id");
    })
    .await;
}

/// CLE-9.13; NOR-5.9: an override sets aside an adjustment the plan goes against, once. An
/// override of one no restriction goes against, the same one twice, or a second for one
/// already overridden on the plan is refused on that override, and nothing is recorded: each
/// would stand on the plan, in its evidence and in the event log as a weighing that never was.
#[tokio::test]
async fn cle_9_13_and_nor_5_9_an_override_is_of_an_adjustment_the_plan_goes_against_once() {
    for profile in ["cleveland-opcc", "northamptonshire-opfcc"] {
        each_backend(profile, |t| async move {
            let (pid, _, sid) = t.email_only_in_force().await;
            let mut granted = Vec::new();
            for (kind, description) in [("needs-channel:phone", "Cannot write"), ("needs-channel:email", "Email is easiest")] {
                let id = t.ok(&t.caseworker, &format!("/people/{pid}/adjustments"), json!({"kind": kind, "description": description})).await["id"].as_i64().unwrap();
                t.ok(&t.csm, &format!("/adjustments/{id}/decision"), json!({"grant": true, "reasons": "Needed"})).await;
                granted.push(id);
            }
            // Email only goes against the need to phone, not the need to email.
            let (phone, email) = (granted[0], granted[1]);
            let review = t.get(&t.senior, &format!("/plans/{sid}")).await.1["review_due"].clone();
            let vary = |overrides: Value| json!({"restrictions": [{"kind": "single-channel", "channel": "email", "reason": "Abusive calls"}], "review_due": review, "reason": "Reviewed with their adjustments", "overrides": overrides});
            let over = |id: i64| json!({"adjustment_id": id, "reason": "Their advocate phones for them"});
            let path = format!("/plans/{sid}/vary");
            for overrides in [json!([over(phone), over(email)]), json!([over(phone), over(phone)])] {
                let (s, v) = t.post(&t.senior, &path, vary(overrides.clone())).await;
                refused(s, &v, StatusCode::BAD_REQUEST, "overrides[1].adjustment_id");
                assert_eq!(v["error"]["clause"], json!(t.app.profile.clauses.adjustments_honoured), "{overrides}: {v}");
            }
            let plan = t.get(&t.senior, &format!("/plans/{sid}")).await.1;
            assert_eq!(plan["overrides"], json!([]), "nothing recorded: {plan}");
            let plan = t.ok(&t.senior, &path, vary(json!([over(phone)]))).await;
            assert_eq!(plan["overrides"].as_array().map(Vec::len), Some(1), "{plan}");
            // Overridden once, its reason stands: another is a conflict with the plan as it is.
            let (s, v) = t.post(&t.senior, &path, vary(json!([over(phone)]))).await;
            refused(s, &v, StatusCode::CONFLICT, "overrides[0].adjustment_id");
            let plan = t.get(&t.senior, &format!("/plans/{sid}")).await.1;
            assert_eq!(plan["overrides"].as_array().map(Vec::len), Some(1), "{plan}");
        })
        .await;
    }
}

/// CLE-7.2, 7.3; NOR-5.3: a checklist call answers each question once, and says why a
/// shortfall cannot be put right only beside an answer that shows one. A question answered
/// twice, or that reason beside an answer showing no shortfall, is refused on its field and
/// nothing is recorded: the reason would stand in the decision's evidence as a shortfall
/// that never was.
#[tokio::test]
async fn cle_7_2_and_cle_7_3_a_checklist_answers_each_question_once_and_only_a_shortfall_says_why_it_cannot_be_put_right(
) {
    for profile in ["cleveland-opcc", "northamptonshire-opfcc"] {
        each_backend(profile, |t| async move {
            let (_, _, sid) = t.drafted_plan(json!([{"kind": "single-channel", "channel": "email", "reason": "Abusive calls"}])).await;
            let q = &t.app.profile.checklist.questions[0];
            let (none, short) = if q.shortfall_if == tact_core::profile::Answer::No { ("yes", "no") } else { ("no", "yes") };
            let answer = |answer: &str, cannot: Option<&str>| json!({"question_id": q.id, "answer": answer, "reason": "On the file", "cannot_remedy_reason": cannot});
            let path = format!("/plans/{sid}/checklist");
            let lm = &t.line_manager;
            let (s, v) = t.post(lm, &path, json!({"answers": [answer(none, None), answer(short, None)]})).await;
            refused(s, &v, StatusCode::BAD_REQUEST, "answers[1].question_id");
            assert_eq!(v["error"]["clause"], json!(t.app.profile.checklist.clause), "{v}");
            let (s, v) = t.post(lm, &path, json!({"answers": [answer(none, Some("They refuse every referral"))]})).await;
            refused(s, &v, StatusCode::BAD_REQUEST, "answers[0].cannot_remedy_reason");
            assert_eq!(v["error"]["clause"], json!(t.app.profile.clauses.checklist_shortfall), "{v}");
            let plan = t.get(lm, &format!("/plans/{sid}")).await.1;
            assert_eq!(plan["checklist"], json!([]), "nothing recorded: {plan}");
            // With the shortfall it goes with, it is kept, and no task is raised to put right
            // what cannot be.
            let done = t.ok(lm, &path, json!({"answers": [answer(short, Some("They refuse every referral"))]})).await;
            assert_eq!(done["remedy_tasks"], json!([]), "{done}");
            let plan = t.get(lm, &format!("/plans/{sid}")).await.1;
            assert_eq!(plan["checklist"][0]["cannot_remedy_reason"], "They refuse every referral", "{plan}");
        })
        .await;
    }
}

/// CLE-7.3; NOR-5.3: a shortfall's task ("put right before the plan goes forward") closes
/// itself once nothing is left to put right: the question answered again with no
/// shortfall, or with why it cannot be put right, or the draft withdrawn. Its outcome says
/// why, and the line manager's task list no longer shows it.
#[tokio::test]
async fn cle_7_3_and_nor_5_3_a_shortfall_s_task_closes_once_nothing_is_left_to_put_right() {
    for profile in ["cleveland-opcc", "northamptonshire-opfcc"] {
        each_backend(profile, |t| async move {
            let lm = &t.line_manager;
            let questions = t.app.profile.checklist.questions.clone();
            let words = |q: &tact_core::profile::Question, short: bool| {
                let no = q.shortfall_if == tact_core::profile::Answer::No;
                if no == short { "no" } else { "yes" }
            };
            let open_remedies = || async {
                let tasks = t.get(lm, "/tasks").await.1;
                tasks["tasks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|x| x["kind"] == "remedy-shortfall")
                    .map(|x| x["id"].as_i64().unwrap())
                    .collect::<Vec<_>>()
            };
            let (pid, mid, sid) = t.drafted_plan(json!([{"kind": "single-channel", "channel": "email", "reason": "Abusive calls"}])).await;
            let path = format!("/plans/{sid}/checklist");
            // Two shortfalls: two tasks.
            let short = |q: &tact_core::profile::Question| json!({"question_id": q.id, "answer": words(q, true), "reason": "Not done yet"});
            let done = t.ok(lm, &path, json!({"answers": [short(&questions[0]), short(&questions[1])]})).await;
            let raised: Vec<i64> = done["remedy_tasks"].as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect();
            assert_eq!(raised.len(), 2, "{done}");
            assert_eq!(open_remedies().await, raised);
            // The first put right and answered again: its task closes.
            t.ok(lm, &path, json!({"answers": [{"question_id": questions[0].id, "answer": words(&questions[0], false), "reason": "Explained by letter"}]})).await;
            assert_eq!(open_remedies().await, vec![raised[1]]);
            // The second: why it cannot be put right. Its task closes too.
            t.ok(lm, &path, json!({"answers": [{"question_id": questions[1].id, "answer": words(&questions[1], true), "reason": "Not done", "cannot_remedy_reason": "They refuse every referral"}]})).await;
            assert_eq!(open_remedies().await, Vec::<i64>::new());
            // A second draft with a shortfall open, withdrawn: its task closes with it.
            let review_due = (tact_core::check::uk_date(jiff::Timestamp::now()) + 60.days()).to_string();
            let other = t.ok(lm, &format!("/people/{pid}/plans"), json!({"matter_ids": [mid], "restrictions": [{"kind": "single-channel", "channel": "letter", "reason": "Abusive calls"}], "reasons": "Volume of calls", "aims": "Let the team work", "proportionality": "Writing stays open", "review_due": review_due})).await;
            let other = other["id"].as_i64().unwrap();
            let done = t.ok(lm, &format!("/plans/{other}/checklist"), json!({"answers": [short(&questions[2])]})).await;
            assert_eq!(done["remedy_tasks"].as_array().map(Vec::len), Some(1), "{done}");
            assert_eq!(open_remedies().await.len(), 1);
            t.ok(lm, &format!("/plans/{other}/withdraw"), json!({"reason": "Behaviour stopped"})).await;
            assert_eq!(open_remedies().await, Vec::<i64>::new());
        })
        .await;
    }
}

/// CLE-9.8, 9.9, 9.1; NOR-5.1, 5.5: a plan names each matter and incident once and sets each
/// restriction once, and a warning cites each incident once. A repeat adds nothing but would
/// stand twice on the plan and in the letter that tells them, so it is refused on its place
/// in the list, with nothing recorded.
#[tokio::test]
async fn cle_9_8_cle_9_9_and_cle_9_1_a_plan_or_warning_names_each_matter_incident_and_restriction_once(
) {
    for profile in ["cleveland-opcc", "northamptonshire-opfcc"] {
        each_backend(profile, |t| async move {
            let email = json!({"kind": "single-channel", "channel": "email", "reason": "Abusive calls"});
            let (pid, mid, _) = t.drafted_plan(json!([email])).await;
            let lm = &t.line_manager;
            let record = t.get(lm, &format!("/people/{pid}")).await.1;
            let incident = record["incidents"][0]["id"].as_i64().unwrap();
            let review_due = (tact_core::check::uk_date(jiff::Timestamp::now()) + 60.days()).to_string();
            let plan = |matters: Value, incidents: Value, restrictions: Value| json!({"matter_ids": matters, "incident_ids": incidents, "restrictions": restrictions, "reasons": "Volume of calls", "aims": "Let the team work", "proportionality": "Writing stays open", "review_due": review_due});
            let again = json!({"kind": "single-channel", "channel": "email", "reason": "And emails are kept"});
            let blocked = |number: &str| json!({"kind": "blocked-identifier", "identifier": number, "reason": "Abusive texts"});
            for (body, field) in [
                (plan(json!([mid, mid]), json!([]), json!([email])), "matter_ids[1]"),
                (plan(json!([mid]), json!([incident, incident]), json!([email])), "incident_ids[1]"),
                (plan(json!([mid]), json!([]), json!([email, again])), "restrictions[1]"),
                (plan(json!([mid]), json!([]), json!([blocked("07911 123123"), blocked("+447911123123")])), "restrictions[1]"),
            ] {
                let (s, v) = t.post(lm, &format!("/people/{pid}/plans"), body.clone()).await;
                refused(s, &v, StatusCode::BAD_REQUEST, field);
                assert!(v["error"]["message"].as_str().unwrap().contains("twice") || v["error"]["message"].as_str().unwrap().contains("repeats"), "{body}: {v}");
            }
            let warning = json!({"incident_ids": [incident, incident], "what_is_wrong": "Too many calls", "how_to_change": "Call on Tuesdays", "consequence": "Contact may be restricted", "channel": "letter"});
            let (s, v) = t.post(lm, &format!("/people/{pid}/warnings"), warning).await;
            refused(s, &v, StatusCode::BAD_REQUEST, "incident_ids[1]");
            let record = t.get(lm, &format!("/people/{pid}")).await.1;
            assert_eq!(record["plans"].as_array().map(Vec::len), Some(1), "nothing recorded: {record}");
            assert_eq!(record["warnings"].as_array().map(Vec::len), Some(1), "nothing recorded: {record}");
            // Each once, it is drafted.
            t.ok(lm, &format!("/people/{pid}/plans"), plan(json!([mid]), json!([incident]), json!([email, blocked("07911 123123")]))).await;
        })
        .await;
    }
}

/// CLE-9.3; NOR-5.8: why no warning came first is said only where none did: a plan
/// drafted for someone already warned is refused a reason for not warning them, on that
/// field and citing the warning clause, and nothing is drafted.
#[tokio::test]
async fn cle_9_3_and_nor_5_8_a_plan_for_someone_warned_gives_no_reason_for_not_warning_them() {
    for profile in ["cleveland-opcc", "northamptonshire-opfcc"] {
        each_backend(profile, |t| async move {
            let email = json!({"kind": "single-channel", "channel": "email", "reason": "Abusive calls"});
            let (pid, mid, _) = t.drafted_plan(json!([email])).await;
            let review_due = (tact_core::check::uk_date(jiff::Timestamp::now()) + 60.days()).to_string();
            let body = json!({"matter_ids": [mid], "restrictions": [email], "reasons": "Volume of calls", "aims": "Let the team work", "proportionality": "Writing stays open", "review_due": review_due, "no_warning_reason": "It was not safe to warn them"});
            let (s, v) = t.post(&t.line_manager, &format!("/people/{pid}/plans"), body).await;
            refused(s, &v, StatusCode::BAD_REQUEST, "no_warning_reason");
            assert_eq!(v["error"]["clause"], t.app.profile.clauses.warning_first.as_str(), "{v}");
            let record = t.get(&t.line_manager, &format!("/people/{pid}")).await.1;
            assert_eq!(record["plans"].as_array().map(Vec::len), Some(1), "nothing drafted: {record}");
        })
        .await;
    }
}

/// Issue 11: 404 means nothing is at the address. A record the request names in its body
/// that is not there is the request's fault: 422, naming the body's own field, at every
/// step that takes one, and nothing is written; the record the path names, missing, is
/// still the 404.
#[tokio::test]
async fn cle_9_13_a_record_named_in_the_body_that_is_not_there_is_422_on_its_field_and_in_the_path_404(
) {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, mid, sid) = t.drafted_plan(json!([{"kind": "single-channel", "channel": "email", "reason": "Abusive calls"}])).await;
        let gone = 999_999;
        let lm = &t.line_manager;
        for (token, path, body, field) in [
            (lm, format!("/people/{pid}/merge"), json!({"merge": gone, "reason": "Same"}), "merge"),
            (lm, "/contacts".into(), json!({"person_id": gone, "channel": "phone", "summary": "x"}), "person_id"),
            (lm, "/contacts".into(), json!({"person_id": pid, "staff_id": gone, "channel": "phone", "summary": "x"}), "staff_id"),
            (lm, "/incidents".into(), json!({"person_id": gone, "category": "violent-threatening-abusive", "description": "x"}), "person_id"),
            (lm, "/incidents".into(), json!({"person_id": pid, "matter_id": gone, "category": "violent-threatening-abusive", "description": "x"}), "matter_id"),
            (lm, format!("/plans/{sid}/apply-to-matter"), json!({"matter_id": gone, "reason": "Same behaviour"}), "matter_id"),
            (lm, "/calls/c-9/outcome".into(), json!({"outcome": "answered", "answered_by": gone}), "answered_by"),
        ] {
            let (s, v) = t.post(token, &path, body.clone()).await;
            refused(s, &v, StatusCode::UNPROCESSABLE_ENTITY, field);
            assert!(v["error"]["message"].as_str().unwrap().contains("999999"), "{path} {body}: {v}");
        }
        // Nothing was written by any of them.
        let record = t.get(&t.caseworker, &format!("/people/{pid}")).await.1;
        assert_eq!(record["contacts"].as_array().unwrap().len(), 0, "{record}");
        assert_eq!(record["incidents"].as_array().unwrap().len(), 1, "{record}");
        // CLE-9.13: an override names one of the person's granted adjustments; another id
        // is refused on it, and the plan is not decided.
        t.answer_and_propose(lm, sid).await;
        let over = json!({"reason": "ok", "overrides": [{"adjustment_id": gone, "reason": "Weighed"}]});
        let (s, v) = t.post(&t.senior, &format!("/plans/{sid}/authorise"), over).await;
        refused(s, &v, StatusCode::UNPROCESSABLE_ENTITY, "overrides[0].adjustment_id");
        let plan = t.get(lm, &format!("/plans/{sid}")).await.1;
        assert_eq!((&plan["status"], &plan["overrides"]), (&json!("proposed"), &json!([])), "{plan}");
        // The call's id was not taken by the refused report: it logs now.
        let (s, v) = t.post(lm, "/calls/c-9/outcome", json!({"outcome": "answered", "answered_by": t.caseworker_id})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        // The record the address names, missing: 404, whatever the body names.
        for (path, body) in [
            (format!("/people/{gone}/merge"), json!({"merge": pid, "reason": "Same"})),
            (format!("/plans/{gone}/apply-to-matter"), json!({"matter_id": mid, "reason": "Same behaviour"})),
        ] {
            let (s, v) = t.post(lm, &path, body).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {v}");
        }
        let (s, v) = t.get(lm, &format!("/people/{gone}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    })
    .await;
}

#[tokio::test]
async fn nor_7_1_a_dispute_is_decided_by_someone_independent_and_lifting_stops_the_restriction() {
    each_backend("northamptonshire-opfcc", |t| async move {
        let (_, _, sid) = t
            .plan_in_force(json!([{"kind": "single-channel", "channel": "email", "reason": "r"}]))
            .await;
        let d = t
            .ok(
                &t.caseworker,
                &format!("/strategies/{sid}/disputes"),
                json!({"grounds": "I was never warned"}),
            )
            .await;
        assert_eq!(
            (&d["plan_id"], &d["strategy_id"]),
            (&json!(sid), &json!(sid)),
            "{d}"
        );
        let did = d["id"].as_i64().unwrap();
        let (s, v) = t
            .post(
                &t.senior,
                &format!("/disputes/{did}/decision"),
                json!({"outcome": "upheld", "reasons": "fair"}),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "the authoriser took part: {v}");
        assert_eq!(v["error"]["clause"], "NOR-7.1");
        // A change sent with another outcome is refused on it, not dropped while the client
        // takes the plan for changed; the dispute stays open.
        let change = json!({"restrictions": [{"kind": "single-channel", "channel": "letter", "reason": "r"}], "review_due": "2027-01-15", "reason": "Letters instead"});
        let (s, v) = t
            .post(
                &t.csm,
                &format!("/disputes/{did}/decision"),
                json!({"outcome": "upheld", "reasons": "fair", "variation": change}),
            )
            .await;
        refused(s, &v, StatusCode::BAD_REQUEST, "variation");
        let v = t
            .ok(
                &t.csm,
                &format!("/disputes/{did}/decision"),
                json!({"outcome": "lifted", "reasons": "The warning was not in writing"}),
            )
            .await;
        assert_eq!(v["plan"]["status"], "lifted");
        assert_eq!(
            v["strategy"], v["plan"],
            "the first release's name says the same"
        );
        let check = t
            .get(&t.caseworker, "/contact-check?phone=07911123123")
            .await
            .1;
        assert_eq!(check["outcome"], "allowed");
        let _ = &t.senior2;
    })
    .await;
}

/// Issue 11: `PATCH /people/{id}` changes only what it is sent. A new name keeps the
/// numbers the contact check knows the person by; `null` takes an address away; a list
/// sent is the whole list; a bad detail is a 400 naming it and changes nothing; a role that
/// may not change people is refused.
#[tokio::test]
async fn issue_11_patch_changes_only_what_is_sent_and_the_contact_check_still_knows_them() {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, _) = t.person_with_matter().await;
        let path = format!("/people/{pid}");
        let patch = |token: String, body: Value| {
            let t = &t;
            let path = path.clone();
            async move {
                t.ask(reqwest::Method::PATCH, &token, &path, Some(body))
                    .await
            }
        };
        let (s, v) = patch(
            t.caseworker.clone(),
            json!({"name": "Jo Smith", "postal_address": "1 High Street, Middlesbrough TS1 1AA"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["name"], "Jo Smith");
        assert_eq!(
            v["phones"],
            json!(["+447911123123"]),
            "numbers left out are kept: {v}"
        );
        assert_eq!(v["emails"], json!(["jo@example.org"]), "{v}");
        let check = t
            .get(&t.caseworker, "/contact-check?phone=07911123123")
            .await
            .1;
        assert_eq!(
            check["person"]["id"], pid,
            "the contact check still knows them: {check}"
        );
        let (s, v) = patch(
            t.caseworker.clone(),
            json!({"postal_address": null, "preferred_format": "large-print"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(
            (&v["postal_address"], &v["name"]),
            (&Value::Null, &json!("Jo Smith")),
            "{v}"
        );
        assert_eq!(v["preferred_format"], "large-print");
        // A list sent is the whole list: the old number no longer finds them.
        let (s, v) = patch(t.caseworker.clone(), json!({"phones": ["07911 123456"]})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["phones"], json!(["+447911123456"]), "{v}");
        let check = t
            .get(&t.caseworker, "/contact-check?phone=07911123123")
            .await
            .1;
        assert!(check["person"].is_null(), "{check}");
        let check = t
            .get(&t.caseworker, "/contact-check?phone=07911123456")
            .await
            .1;
        assert_eq!(check["person"]["id"], pid, "{check}");
        // Refusals name their field and change nothing.
        let before = t.get(&t.caseworker, &path).await.1;
        for (body, field) in [
            (json!({"phones": ["12"]}), "phones[0]"),
            (json!({"emails": ["not an address"]}), "emails[0]"),
            (json!({"name": "  "}), "name"),
            (
                json!({"preferred_format": "smoke signals"}),
                "preferred_format",
            ),
            (
                json!({"advocate": {"name": "A", "fax": "1"}}),
                "advocate.fax",
            ),
            (json!({"nickname": "Jo"}), "nickname"),
            (json!({"phones": "07911 123456"}), "phones"),
            // Nothing to take away: null is refused, not read as "left out".
            (json!({"name": null}), "name"),
            (json!({"phones": null}), "phones"),
            (json!({"preferred_format": null}), "preferred_format"),
        ] {
            let (s, v) = patch(t.caseworker.clone(), body.clone()).await;
            assert_eq!(
                (s, v["error"]["field"].as_str()),
                (400, Some(field)),
                "{body}: {v}"
            );
        }
        let auditor = t.token_for("Aud Itor", Role::Auditor).await;
        let (s, v) = patch(auditor, json!({"name": "Someone Else"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        assert_eq!(
            t.get(&t.caseworker, &path).await.1,
            before,
            "nothing changed"
        );
        let (s, v) = t
            .ask(
                reqwest::Method::PATCH,
                &t.caseworker,
                "/people/999999",
                Some(json!({"name": "X"})),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    })
    .await;
}

/// UK GDPR rectification on the API, as on the person page: the whole record as it should
/// be and what was wrong; recorded as a rectification (not an update), without the wrong
/// values; nothing changed is refused, as is a correction that says nothing of what was
/// wrong, and either refusal changes nothing.
#[tokio::test]
async fn wrong_details_are_rectified_on_the_api_and_recorded_as_such() {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, _) = t.person_with_matter().await;
        let path = format!("/people/{pid}/rectify");
        let details = |name: &str| {
            json!({"name": name, "phones": ["07911 123123"], "emails": ["jo@example.org"], "postal_address": null, "advocate": null, "preferred_format": "standard", "preferred_language": null})
        };
        let before = t.get(&t.caseworker, &format!("/people/{pid}")).await.1;
        let (s, v) = t.post(&t.caseworker, &path, json!({"details": details("Joanne Bloggs"), "what_was_wrong": " "})).await;
        refused(s, &v, StatusCode::BAD_REQUEST, "what_was_wrong");
        let (s, v) = t.post(&t.caseworker, &path, json!({"details": {"name": "Joanne Bloggs"}, "what_was_wrong": "Misheard"})).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "the whole record: {v}");
        let (s, v) = t.post(&t.caseworker, &path, json!({"details": details("Jo Bloggs"), "what_was_wrong": "Misheard"})).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "nothing changed: {v}");
        let auditor = t.token_for("Aud Itor", Role::Auditor).await;
        let (s, v) = t.post(&auditor, &path, json!({"details": details("Joanne Bloggs"), "what_was_wrong": "Misheard"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        assert_eq!(t.get(&t.caseworker, &format!("/people/{pid}")).await.1, before, "nothing changed");
        let (s, v) = t.post(&t.caseworker, &path, json!({"details": details("Joanne Bloggs"), "what_was_wrong": "Misheard on the first call"})).await;
        assert_eq!((s, &v["name"]), (StatusCode::OK, &json!("Joanne Bloggs")), "{v}");
        assert_eq!(v["phones"], json!(["+447911123123"]), "{v}");
        let events = t.app.store().audit_of(tact_core::ids::PersonId(pid)).await.unwrap();
        let r = events.iter().find(|e| e.action == "person.rectified").expect("a rectification");
        assert_eq!(r.reason.as_deref(), Some("Misheard on the first call"));
        assert!(!r.detail.contains("Jo Bloggs"), "{}", r.detail);
        let (s, v) = t.post(&t.caseworker, "/people/999999/rectify", json!({"details": details("X"), "what_was_wrong": "y"})).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    })
    .await;
}

/// The served document is OpenAPI 3.1 that the reference validator accepts with no error:
/// every `{id}` declared as a path parameter, every query parameter in the query.
#[tokio::test]
#[ignore = "needs python3 with openapi-spec-validator==0.9.0 (pip install openapi-spec-validator==0.9.0)"]
async fn the_openapi_document_passes_openapi_spec_validator() {
    let t = TestApp::spawn("cleveland-opcc", &testing::sqlite_url()).await;
    let doc = t.openapi().await.to_string();
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, json\nfrom openapi_spec_validator import OpenAPIV31SpecValidator\nspec = json.load(sys.stdin)\nerrs = list(OpenAPIV31SpecValidator(spec).iter_errors())\nfor e in errs: print(e.message)\nprint(len(errs), 'errors')\nsys.exit(1 if errs else 0)",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(doc.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "openapi-spec-validator: {said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("0 errors"), "{said}");
    let v: Value = serde_json::from_str(&doc).unwrap();
    assert!(
        v["openapi"].as_str().is_some_and(|o| o.starts_with("3.1")),
        "OpenAPI 3.1: {}",
        v["openapi"]
    );
}

/// Real answers, from a plan's whole journey and its refusals, each checked against the
/// schema the OpenAPI document gives its operation (by python's openapi-schema-validator,
/// which comes with openapi-spec-validator).
#[tokio::test]
#[ignore = "needs python3 with openapi-spec-validator==0.9.0 and rfc3339-validator==0.1.4 (pip install openapi-spec-validator==0.9.0 rfc3339-validator==0.1.4)"]
async fn real_answers_match_the_schemas_the_openapi_document_gives_them() {
    let t = TestApp::spawn("cleveland-opcc", &testing::sqlite_url()).await;
    let (pid, mid, sid) = t
        .plan_in_force(json!([{"kind": "single-channel", "channel": "email", "reason": "Abusive calls"}, {"kind": "call-window", "windows": [{"day": "tuesday", "start": "10:00", "end": "12:00"}], "max_minutes": 20, "reason": "One call a week"}]))
        .await;
    let mut answers = Vec::new();
    let mut take = |method: &str, template: &str, (status, body): (StatusCode, Value)| {
        answers.push(json!({"method": method, "path": format!("/api/v1{template}"), "status": status.as_u16(), "body": body}));
    };
    take(
        "get",
        "/plans/{id}",
        t.get(&t.caseworker, &format!("/plans/{sid}")).await,
    );
    take(
        "get",
        "/people/{id}",
        t.get(&t.caseworker, &format!("/people/{pid}")).await,
    );
    take("get", "/people", t.get(&t.caseworker, "/people?q=Jo").await);
    take(
        "get",
        "/contact-check",
        t.get(&t.caseworker, "/contact-check?phone=%2B44%207911%20123123")
            .await,
    );
    take(
        "get",
        "/contact-check",
        t.get(&t.caseworker, "/contact-check?phone=withheld").await,
    );
    take(
        "post",
        "/contacts",
        t.post(
            &t.caseworker,
            "/contacts",
            json!({"channel": "phone", "phone": "07911123123", "summary": "Called again"}),
        )
        .await,
    );
    take(
        "get",
        "/screening",
        t.get(&t.caseworker, "/screening").await,
    );
    take("get", "/profile", t.get(&t.caseworker, "/profile").await);
    take("get", "/tasks", t.get(&t.line_manager, "/tasks").await);
    take("get", "/reviews", t.get(&t.senior, "/reviews").await);
    take(
        "get",
        "/governance",
        t.get(&t.line_manager, "/governance").await,
    );
    take(
        "get",
        "/governance",
        t.get(&t.caseworker, "/governance").await,
    );
    take("get", "/audit/verify", t.get(&t.csm, "/audit/verify").await);
    // Issue 12: tokens, listed and revoked, and a refusal to mint one for someone else.
    let minted = t
        .post(
            &t.caseworker,
            "/tokens",
            json!({"name": "script", "days": 3}),
        )
        .await;
    let token_id = minted.1["about"]["id"].as_i64().unwrap();
    take("post", "/tokens", minted);
    take(
        "post",
        "/tokens",
        t.post(
            &t.line_manager,
            "/tokens",
            json!({"name": "theirs", "staff_id": t.caseworker_id}),
        )
        .await,
    );
    take("get", "/tokens", t.get(&t.caseworker, "/tokens").await);
    take(
        "delete",
        "/tokens/{id}",
        t.send(
            reqwest::Method::DELETE,
            &t.caseworker,
            &format!("/tokens/{token_id}"),
            None,
            None,
        )
        .await,
    );
    take("post", "/incidents", t.post(&t.caseworker, "/incidents", json!({"person_id": pid, "matter_id": mid, "category": t.app.profile.categories[0].id, "description": "Shouted at the caseworker"})).await);
    take(
        "post",
        "/people/{id}/adjustments",
        t.post(
            &t.caseworker,
            &format!("/people/{pid}/adjustments"),
            json!({"kind": "format", "description": "Large print letters"}),
        )
        .await,
    );
    take(
        "post",
        "/people/{id}/matters",
        t.post(
            &t.caseworker,
            &format!("/people/{pid}/matters"),
            json!({"kind": "complaint", "title": "Another"}),
        )
        .await,
    );
    take(
        "post",
        "/plans/{id}/disputes",
        t.post(
            &t.caseworker,
            &format!("/plans/{sid}/disputes"),
            json!({"grounds": "The restriction is unfair"}),
        )
        .await,
    );
    let letter = t
        .post(
            &t.line_manager,
            &format!("/plans/{sid}/letters"),
            json!({"kind": "strategy-notice", "hold": true}),
        )
        .await;
    assert_eq!(letter.0, StatusCode::CREATED, "{}", letter.1);
    // A letter no template about a plan is, or none, is refused naming `kind` and listing them.
    for body in [json!({"kind": "postcard"}), json!({"hold": true})] {
        let (s, v) = t
            .post(&t.line_manager, &format!("/plans/{sid}/letters"), body)
            .await;
        assert_eq!(
            (s, &v["error"]["field"]),
            (StatusCode::BAD_REQUEST, &json!("kind")),
            "{v}"
        );
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("strategy-notice, breach-reminder"),
            "{v}"
        );
    }
    let lid = letter.1["id"].as_i64().unwrap_or_default();
    take("post", "/plans/{id}/letters", letter);
    take(
        "get",
        "/letters/{id}",
        t.get(&t.caseworker, &format!("/letters/{lid}")).await,
    );
    take(
        "get",
        "/people/{id}/letters",
        t.get(&t.caseworker, &format!("/people/{pid}/letters"))
            .await,
    );
    take(
        "post",
        "/letters/{id}/release",
        t.post(
            &t.line_manager,
            &format!("/letters/{lid}/release"),
            json!({}),
        )
        .await,
    );
    // Triage: a known sender's email, marked threatening (CLE-4.6); a match refused, as the
    // message is not an unknown sender's.
    t.app
        .import_message("enquiries", b"From: jo@example.org\r\nSubject: Threat\r\nMessage-ID: <schema-1@example.org>\r\n\r\nYou will regret this.\r\n", &tact_mail::Limits::default())
        .await
        .unwrap();
    let inbox = t.get(&t.caseworker, "/messages?route=screening").await.1;
    let mid = inbox["messages"][0]["id"].as_i64().unwrap_or_default();
    let category = t.app.profile.categories[0].id.clone();
    let marked = t
        .post(
            &t.caseworker,
            &format!("/messages/{mid}/threatening"),
            json!({"category": category, "description": "A threat"}),
        )
        .await;
    assert_eq!(marked.0, StatusCode::CREATED, "{}", marked.1);
    take("post", "/messages/{id}/threatening", marked);
    take(
        "post",
        "/messages/{id}/match",
        t.post(
            &t.caseworker,
            &format!("/messages/{mid}/match"),
            json!({"person_id": pid, "keep_address": false}),
        )
        .await,
    );
    let rectified = t.post(&t.caseworker, &format!("/people/{pid}/rectify"), json!({"details": {"name": "Joanne Bloggs", "phones": ["07911 123123"], "emails": ["jo@example.org"], "postal_address": null, "advocate": null, "preferred_format": "standard", "preferred_language": null}, "what_was_wrong": "Misheard"})).await;
    assert_eq!(rectified.0, StatusCode::OK, "{}", rectified.1);
    take("post", "/people/{id}/rectify", rectified);
    // Equality monitoring (CLE-8.4): recorded, held, withdrawn; the report.
    take(
        "put",
        "/people/{id}/equality",
        t.send(
            reqwest::Method::PUT,
            &t.caseworker,
            &format!("/people/{pid}/equality"),
            Some(json!({"consent": true, "answers": {"age": "35-44"}})),
            None,
        )
        .await,
    );
    take(
        "get",
        "/people/{id}/equality",
        t.get(&t.caseworker, &format!("/people/{pid}/equality"))
            .await,
    );
    take(
        "delete",
        "/people/{id}/equality",
        t.send(
            reqwest::Method::DELETE,
            &t.caseworker,
            &format!("/people/{pid}/equality"),
            None,
            None,
        )
        .await,
    );
    // Retention (NOR-9.1): a hold placed, read and lifted; the dry run, the disposal and
    // the register.
    let dpo = t.token_for("Dee Pee-Oh", Role::Dpo).await;
    let held = t
        .post(
            &dpo,
            &format!("/people/{pid}/hold"),
            json!({"reason": "Litigation"}),
        )
        .await;
    let hold = held.1["id"].as_i64().unwrap_or_default();
    take("post", "/people/{id}/hold", held);
    take(
        "get",
        "/people/{id}/hold",
        t.get(&dpo, &format!("/people/{pid}/hold")).await,
    );
    take(
        "get",
        "/retention/holds",
        t.get(&dpo, "/retention/holds").await,
    );
    take(
        "get",
        "/people/{id}/retention",
        t.get(&dpo, &format!("/people/{pid}/retention")).await,
    );
    take(
        "post",
        "/holds/{id}/lift",
        t.post(&dpo, &format!("/holds/{hold}/lift"), json!(null))
            .await,
    );
    take("get", "/retention/due", t.get(&dpo, "/retention/due").await);
    take(
        "post",
        "/retention/dispose",
        t.post(&dpo, "/retention/dispose", json!({"confirm": true}))
            .await,
    );
    take(
        "post",
        "/retention/dispose",
        t.post(&dpo, "/retention/dispose", json!({"confirm": false}))
            .await,
    );
    take(
        "get",
        "/retention/register",
        t.get(&dpo, "/retention/register").await,
    );
    take("get", "/equality", t.get(&dpo, "/equality").await);
    // Refusals answer with the error schema.
    take(
        "get",
        "/people/{id}",
        t.get(&t.caseworker, "/people/999999").await,
    );
    take(
        "post",
        "/plans/{id}/lift",
        t.post(
            &t.caseworker,
            &format!("/plans/{sid}/lift"),
            json!({"reason": "x"}),
        )
        .await,
    );
    take(
        "post",
        "/plans/{id}/authorise",
        t.post(
            &t.senior,
            &format!("/plans/{sid}/authorise"),
            json!({"reason": "again"}),
        )
        .await,
    );
    take(
        "post",
        "/people",
        t.post(&t.caseworker, "/people", json!({"name": ""})).await,
    );
    let statuses: Vec<u64> = answers
        .iter()
        .map(|a| a["status"].as_u64().unwrap())
        .collect();
    assert!(
        statuses.contains(&404)
            && statuses.contains(&403)
            && statuses.contains(&409)
            && statuses.contains(&400),
        "{statuses:?}"
    );
    let doc = t.openapi().await;
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/contract/check_responses.py"
        ))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            json!({"doc": doc, "answers": answers})
                .to_string()
                .as_bytes(),
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains(", 0 problems"), "{said}");
}

/// What an operation does is said in words a client's developer reads, with the clauses of
/// both offices where a rule stands behind it: no operation is undescribed or only a clause
/// number ("CLE-10.4.").
#[tokio::test]
async fn every_operation_in_the_openapi_document_says_what_it_does_in_words() {
    let t = TestApp::spawn("cleveland-opcc", &testing::sqlite_url()).await;
    let doc = t.openapi().await;
    let mut operations = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            operations += 1;
            let said = format!(
                "{} {}",
                op["summary"].as_str().unwrap_or(""),
                op["description"].as_str().unwrap_or("")
            );
            let words = said
                .split_whitespace()
                .map(|w| w.trim_start_matches('('))
                .filter(|w| !w.starts_with("CLE-") && !w.starts_with("NOR-"))
                .filter(|w| w.chars().any(char::is_alphabetic))
                .count();
            assert!(words >= 4, "{method} {path}: {said:?}");
            // A clause of one office alone is not the whole story where the other office's
            // policy has the same rule.
            assert!(
                !said.contains("CLE-9.11") || said.contains("NOR-5.8"),
                "{method} {path}: {said:?}"
            );
        }
    }
    assert!(operations > 80, "{operations}");
}

/// Whether the schema `v` says what it is: its own description, or (an optional reference,
/// as utoipa writes one) the description beside the reference it may be.
fn described(v: &Value) -> bool {
    v["description"]
        .as_str()
        .is_some_and(|d| !d.trim().is_empty())
        || ["oneOf", "anyOf", "allOf"]
            .iter()
            .flat_map(|k| v[*k].as_array().into_iter().flatten())
            .any(described)
}

/// How many fields `schema` (named `at`) has, however deep within it (a restriction's
/// kinds are each a schema of their own within one), adding each undescribed one to
/// `undescribed`. A field that is a reference is counted; what it refers to is read where
/// it is named.
fn fields_of(schema: &Value, at: &str, undescribed: &mut Vec<String>) -> usize {
    let mut n = 0;
    for (field, v) in schema["properties"].as_object().into_iter().flatten() {
        n += 1;
        if !described(v) {
            undescribed.push(format!("{at}.{field}"));
        }
        n += fields_of(v, &format!("{at}.{field}"), undescribed);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for (i, v) in schema[key].as_array().into_iter().flatten().enumerate() {
            let kind = v["properties"]["kind"]["enum"][0]
                .as_str()
                .map_or_else(|| i.to_string(), str::to_string);
            n += fields_of(v, &format!("{at}[{kind}]"), undescribed);
        }
    }
    n + fields_of_items(schema, at, undescribed)
}

fn fields_of_items(schema: &Value, at: &str, undescribed: &mut Vec<String>) -> usize {
    if schema["items"].is_object() {
        fields_of(&schema["items"], &format!("{at}[]"), undescribed)
    } else {
        0
    }
}

/// Every field in the OpenAPI document says what it is: an office's IT staff learn what to
/// send from the document, not from a 400, and what an answer holds from its words, not by
/// guessing from its name. Every schema, however deep (a restriction's kinds included).
#[tokio::test]
async fn every_field_in_the_openapi_document_says_what_it_is() {
    let t = TestApp::spawn("cleveland-opcc", &testing::sqlite_url()).await;
    let doc = t.openapi().await;
    let mut undescribed = Vec::new();
    let mut fields = 0;
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        fields += fields_of(schema, name, &mut undescribed);
    }
    assert!(fields > 600, "{fields} fields read");
    assert!(undescribed.is_empty(), "undescribed: {undescribed:?}");
}

#[tokio::test]
async fn the_openapi_document_and_healthz_are_served() {
    let t = TestApp::spawn("cleveland-opcc", &testing::sqlite_url()).await;
    let doc = t.openapi().await;
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/contact-check",
        "/api/v1/plans/{id}/authorise",
        "/api/v1/people/{id}/plans",
        "/api/v1/contacts",
        "/healthz",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} missing from the OpenAPI document"
        );
    }
    // A letter's document may be refused as busy: its 503 says when to ask again.
    for doc in ["pdf", "docx", "braille", "audio"] {
        let busy = &paths[&format!("/api/v1/letters/{{id}}/{doc}")]["get"]["responses"]["503"];
        assert_eq!(
            busy["headers"]["Retry-After"]["schema"]["type"], "integer",
            "{doc}: {busy}"
        );
    }
    // An answer's closed-list field names its words: a plan's status, a contact's channel
    // and screening are enums of core's own lists, not bare strings.
    use tact_core::words::Words;
    let schemas = &doc["components"]["schemas"];
    let words = |name: &str| schemas[name]["enum"].clone();
    assert_eq!(
        words("PlanStatusWord"),
        json!(<tact_core::model::PlanStatus as Words>::WORDS)
    );
    assert_eq!(
        words("ChannelWord"),
        json!(<tact_core::profile::Channel as Words>::WORDS)
    );
    assert_eq!(
        schemas["ContactOut"]["properties"]["screening"]["$ref"],
        "#/components/schemas/ScreeningWord"
    );
    assert_eq!(
        schemas["PlanOut"]["properties"]["status"]["$ref"],
        "#/components/schemas/PlanStatusWord"
    );
    // A request's too, though core still reads the string (a wrong word: 400 naming it).
    assert_eq!(
        schemas["ReviewReq"]["properties"]["decision"]["$ref"],
        "#/components/schemas/ReviewDecisionWord"
    );
    assert_eq!(words("ReviewDecisionWord"), json!(["continue", "lift"]));
    let kinds = words("AdjustmentKindWord");
    assert!(
        kinds
            .as_array()
            .is_some_and(|k| k.contains(&json!("needs-channel:email"))
                && k.contains(&json!("format:large-print"))
                && k.contains(&json!("other"))),
        "{kinds}"
    );
    // A notice's and a letter's channel and format name their lists' words too.
    for (req, field, list) in [
        ("NoticeReq", "channel", "ChannelWord"),
        ("NoticeReq", "format", "FormatWord"),
        ("LetterReq", "channel", "ChannelWord"),
        ("LetterReq", "format", "FormatWord"),
        ("AdjustmentReq", "kind", "AdjustmentKindWord"),
        ("AdjustmentOut", "kind", "AdjustmentKindWord"),
    ] {
        let v = schemas[req]["properties"][field].to_string();
        assert!(v.contains(list), "{req}.{field}: {v}");
    }
    // And a query parameter's: `/calls/route`'s format, `/messages`' route, the contact
    // check's channel.
    let param = |path: &str, name: &str| {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == name))
            .map(|p| p["schema"].to_string())
            .unwrap_or_default()
    };
    for (path, name, list) in [
        ("/api/v1/calls/route", "format", "RouteFormatWord"),
        ("/api/v1/messages", "route", "MessageRouteWord"),
        ("/api/v1/contact-check", "channel", "ChannelWord"),
    ] {
        assert!(
            param(path, name).contains(list),
            "{path} {name}: {}",
            param(path, name)
        );
        assert!(words(list).is_array(), "{list}: {}", schemas[list]);
    }
    assert_eq!(words("RouteFormatWord"), json!(["json", "text", "line"]));
    // The contact check's answer: core's outcome, or ambiguous for a shared identifier.
    assert_eq!(
        words("CheckAnswerWord"),
        json!([
            "allowed",
            "allowed-with-conditions",
            "not-allowed",
            "ambiguous"
        ])
    );
    // One word for the plan on the wire: the document names `/plans` only; the first
    // release's `/strategies` paths are an alias to the same handlers.
    assert!(
        !paths.keys().any(|p| p.contains("strategies")),
        "the document still names /strategies paths"
    );
    let (_, sid, _) = t.email_only_in_force().await;
    let (s1, by_plans) = t.get(&t.caseworker, &format!("/plans/{sid}")).await;
    let (s2, by_strategies) = t.get(&t.caseworker, &format!("/strategies/{sid}")).await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
    assert_eq!(by_plans, by_strategies);
    assert_eq!(by_plans["id"], sid);
    // In answers too: a plan is under `plans`, `plan` or `plan_id`; the first release's
    // `strategies`, `strategy` and `strategy_id` stay beside them, the same and deprecated.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut old_names = Vec::new();
    for (name, schema) in schemas {
        for (field, property) in schema["properties"].as_object().into_iter().flatten() {
            if field.contains("strateg") {
                assert_eq!(property["deprecated"], true, "{name}.{field}: {property}");
                old_names.push(format!("{name}.{field}"));
            }
        }
    }
    assert_eq!(
        old_names,
        [
            "AppliedOut.strategy_id",
            "DisputeDecidedOut.strategy",
            "DisputeOut.strategy_id",
            "PersonRecordOut.strategies",
            "PlansOut.strategies"
        ]
    );
    let pid = by_plans["person_id"].as_i64().unwrap();
    let (_, person) = t.get(&t.caseworker, &format!("/people/{pid}")).await;
    assert_eq!(person["plans"][0]["id"], sid, "{person}");
    assert_eq!(person["strategies"], person["plans"], "{person}");
    let r = t
        .http
        .get(format!("{}/healthz", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (s, v) = t.get(&t.caseworker, "/no-such-thing").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(v["error"]["message"].is_string());
}

/// Every instant and every day in the document says which it is (`format: date-time` or
/// `date`), in answers, requests and query parameters, so a client reads from the document
/// how to parse and send them; and `/calls/route`'s one-line and `key=value` answers are
/// documented as the text they are.
#[tokio::test]
async fn every_time_in_the_openapi_document_declares_its_format() {
    let t = TestApp::spawn("cleveland-opcc", &testing::sqlite_url()).await;
    let doc = t.openapi().await;
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    // The format a property's schema gives, through a `$ref` and a nullable `oneOf`.
    fn format_of(doc: &Value, v: &Value) -> Option<String> {
        if let Some(r) = v["$ref"].as_str() {
            let name = r.rsplit('/').next().unwrap();
            return format_of(doc, &doc["components"]["schemas"][name]);
        }
        if let Some(list) = v["oneOf"].as_array() {
            return list.iter().find_map(|x| format_of(doc, x));
        }
        v["format"].as_str().map(str::to_string)
    }
    let wants = |name: &str| -> Option<&str> {
        if name == "at" || name.ends_with("_at") || name == "effective_from" {
            Some("date-time")
        } else if name.ends_with("_on")
            || name.ends_with("_due")
            || name == "review_due"
            || name == "deadline"
            || name == "extended_to"
        {
            Some("date")
        } else {
            None
        }
    };
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (schema, s) in schemas {
        for (name, v) in s["properties"].as_object().into_iter().flatten() {
            if let Some(want) = wants(name) {
                checked += 1;
                if format_of(&doc, v).as_deref() != Some(want) {
                    wrong.push(format!("{schema}.{name}: {v}"));
                }
            }
        }
    }
    for (path, name, want) in [
        ("/api/v1/contact-check", "at", "date-time"),
        ("/api/v1/governance", "from", "date"),
        ("/api/v1/governance", "to", "date"),
        ("/api/v1/reviews", "due_by", "date"),
    ] {
        checked += 1;
        let p = doc["paths"][path]["get"]["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == name))
            .cloned()
            .unwrap_or_default();
        if p["schema"]["format"] != want {
            wrong.push(format!("{path} ?{name}: {p}"));
        }
    }
    // The governance report's period is two days.
    for name in ["from", "to"] {
        checked += 1;
        if format_of(&doc, &schemas["GovernanceOut"]["properties"][name]).as_deref() != Some("date")
        {
            wrong.push(format!("GovernanceOut.{name}"));
        }
    }
    assert!(wrong.is_empty(), "times without their format: {wrong:#?}");
    assert!(
        checked > 60,
        "only {checked} times found: the walk is broken"
    );
    let route = &doc["paths"]["/api/v1/calls/route"]["get"]["responses"]["200"]["content"];
    assert!(route["application/json"]["schema"].is_object(), "{route}");
    assert!(route["text/plain"]["schema"].is_object(), "{route}");
}

#[tokio::test]
async fn concurrent_contacts_are_each_written_once_even_when_batched_together() {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, _) = t.person_with_matter().await;
        let before = t.app.store().count(Table::Contacts).await.unwrap();
        let t = std::sync::Arc::new(t);
        let mut handles = Vec::new();
        for i in 0..60 {
            let t = t.clone();
            handles.push(tokio::spawn(async move {
                // Ten submissions share one key (a client retrying); the rest are distinct.
                let key = if i < 10 { "same-key".to_string() } else { format!("key-{i}") };
                t.send(reqwest::Method::POST, &t.caseworker, "/contacts", Some(json!({"channel": "email", "person_id": pid, "summary": format!("email {i}")})), Some(&key)).await.0
            }));
        }
        let mut created = 0;
        let mut conflicts = 0;
        for h in handles {
            match h.await.unwrap() {
                StatusCode::CREATED => created += 1,
                StatusCode::CONFLICT => conflicts += 1,
                other => panic!("unexpected {other}"),
            }
        }
        assert_eq!((created, conflicts), (51, 9));
        assert_eq!(t.app.store().count(Table::Contacts).await.unwrap(), before + 51);
        let v = t.get(&t.csm, "/audit/verify").await;
        assert_eq!(v.0, StatusCode::OK);
    })
    .await;
}

/// Issue 10: staff who know who is calling where the number does not say — withheld,
/// nobody's, shared, or someone else's they call from — name them (`person`) and are
/// answered as for that person, as a contact logged naming them is theirs; a person who is
/// not there is 422 on `person`. With a matter as well, the matter must be theirs (CLE-10.4).
#[tokio::test]
async fn issue_10_cle_10_4_staff_say_who_is_calling_where_the_number_does_not() {
    each_backend("cleveland-opcc", |t| async move {
        let (jo, mid, _) = t.email_only_in_force().await;
        let (s, v) = t.post(&t.caseworker, "/people", json!({"name": "Sam Bloggs", "phones": ["07911 123123"], "shared": ["07911123123"]})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let sam = v["id"].as_i64().unwrap();
        // Ann, whose phone Sam calls from below.
        t.api.person_with_matter(&t.caseworker, json!({"name": "Ann Other", "phones": ["07911 123456"]})).await;
        for (asked, who, outcome) in [
            (format!("phone=07911%20123123&person={jo}"), jo, "not-allowed"),
            (format!("phone=07911%20123123&person={sam}"), sam, "allowed"),
            (format!("phone=anonymous&person={jo}"), jo, "not-allowed"),
            (format!("phone=07911%20123999&person={jo}"), jo, "not-allowed"),
            (format!("person={jo}"), jo, "not-allowed"),
            (format!("email=jo%40example.org&person={jo}"), jo, "allowed-with-conditions"),
            (format!("person={jo}&matter={mid}"), jo, "not-allowed"),
            // Sam calling from Ann's phone: Sam's answer.
            (format!("phone=%2B44%207911%20123456&person={sam}"), sam, "allowed"),
        ] {
            let (s, v) = t.get(&t.caseworker, &format!("/contact-check?{asked}")).await;
            assert_eq!((s, v["person"]["id"].as_i64()), (StatusCode::OK, Some(who)), "{asked}: {v}");
            assert_eq!(v["outcome"], outcome, "{asked}: {v}");
            assert_eq!((v["candidates"].clone(), v["withheld"].clone()), (json!([]), json!(false)), "{asked}: {v}");
        }
        for (asked, field, says) in [
            ("person=999999".to_string(), "person", "no service user 999999".to_string()),
            ("phone=07911%20123123&person=999999".to_string(), "person", "no service user 999999".to_string()),
            (format!("person={sam}&matter={mid}"), "matter", format!("matter {mid} is another person's")),
            (format!("phone=%2B44%207911%20123456&person={sam}&matter={mid}"), "matter", format!("matter {mid} is another person's")),
        ] {
            let (s, v) = t.get(&t.caseworker, &format!("/contact-check?{asked}")).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{asked}: {v}");
            assert_eq!(v["error"]["field"], field, "{asked}: {v}");
            assert!(v["error"]["message"].as_str().unwrap().contains(&says), "{asked}: {v}");
        }
        // Nothing to say who it is: still a 400 on the number.
        let (s, v) = t.get(&t.caseworker, "/contact-check?channel=phone").await;
        assert_eq!((s, v["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("phone")), "{v}");
    })
    .await;
}

/// Issue 10: who is calling. A number another person holds is refused (409, naming them)
/// unless marked shared; a shared number answers "ambiguous" with everyone it could be and
/// the strictest guidance of any of them, and logging from it asks which person. A number
/// libphonenumber cannot confirm is refused naming the field unless kept as unverified,
/// and is then still matched; kept, it is not asked about again when their details change
/// (issue 11: `PersonInput::keep_unverified`, for a number new to the record). A withheld
/// caller id is not a 400 but an answer.
#[tokio::test]
async fn who_is_calling_shared_numbers_unverified_numbers_and_withheld_caller_ids() {
    each_backend("cleveland-opcc", |t| async move {
        // Jo (from plan_in_force) is under an email-only plan on 07911 123123.
        let (jo, _, _) = t.email_only_in_force().await;
        let (s, v) = t.post(&t.caseworker, "/people", json!({"name": "Sam Bloggs", "phones": ["+44 (0)7911 123123"]})).await;
        refused(s, &v, StatusCode::CONFLICT, "phones");
        assert!(v["error"]["message"].as_str().unwrap().contains("Jo Bloggs"), "{v}");
        // The refusal names the field that says to go ahead anyway.
        assert_eq!(v["error"]["overridden_by"], "shared", "{v}");
        let (s, v) = t.post(&t.caseworker, "/people", json!({"name": "Sam Bloggs", "phones": ["07911 123123"], "shared": ["07911123123"]})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let sam = v["id"].as_i64().unwrap();

        let (s, v) = t.get(&t.caseworker, "/contact-check?phone=07911%20123123").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["outcome"], "ambiguous", "{v}");
        assert_eq!(v["headline"], "This is shared by 2 people: ask who is calling", "{v}");
        assert_eq!(v["strictest_outcome"], "not-allowed", "{v}");
        assert_eq!(v["allowed"], false);
        assert!(v["person"].is_null());
        let ids: Vec<i64> = v["candidates"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, vec![jo, sam]);
        assert!(v["must"][0].as_str().unwrap().contains("used by 2 people"), "{v}");

        // Logging a call from the shared line without saying who it is from is refused
        // naming both; saying who logs it against that person.
        let (s, v) = t.post(&t.caseworker, "/contacts", json!({"channel": "phone", "phone": "07911 123123", "summary": "A call"})).await;
        assert_eq!(s, StatusCode::CONFLICT, "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains("Sam Bloggs"), "{v}");
        let (s, v) = t.post(&t.caseworker, "/contacts", json!({"channel": "phone", "phone": "07911 123123", "person_id": sam, "summary": "A call"})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["contact"]["person_id"], sam);
        // CLE-10.4: the matter it is about says which of them: the check answers for its
        // owner alone, and a call logged with it is theirs (before: "ambiguous", and 409).
        let sams = t.ok(&t.caseworker, &format!("/people/{sam}/matters"), json!({"kind": "query", "title": "Bins"})).await["id"].as_i64().unwrap();
        let jos = t.get(&t.caseworker, &format!("/people/{jo}")).await.1["matters"][0]["id"].as_i64().unwrap();
        for (matter, who, outcome) in [(jos, jo, "not-allowed"), (sams, sam, "allowed")] {
            let (s, v) = t.get(&t.caseworker, &format!("/contact-check?phone=07911%20123123&matter={matter}")).await;
            assert_eq!((s, v["person"]["id"].as_i64()), (StatusCode::OK, Some(who)), "{v}");
            assert_eq!(v["outcome"], outcome, "{v}");
            assert_eq!(v["candidates"], json!([]), "{v}");
        }
        let (s, v) = t.post(&t.caseworker, "/contacts", json!({"channel": "phone", "phone": "07911 123123", "matter_id": sams, "summary": "About the bins"})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!((v["contact"]["person_id"].as_i64(), v["contact"]["matter_id"].as_i64()), (Some(sam), Some(sams)));
        // A matter of neither of them is refused on its field, and nothing is logged.
        let (_, ann) = t.api.person_with_matter(&t.caseworker, json!({"name": "Ann Other", "phones": ["07911 123456"]})).await;
        let (s, v) = t.post(&t.caseworker, "/contacts", json!({"channel": "phone", "phone": "07911 123123", "matter_id": ann, "summary": "Whose?"})).await;
        refused(s, &v, StatusCode::UNPROCESSABLE_ENTITY, "matter_id");
        assert_eq!(v["error"]["clause"], "CLE-10.4", "{v}");

        // A digit short of its range: refused naming the field, unless kept as unverified.
        let (s, v) = t.post(&t.caseworker, "/people", json!({"name": "Ann Short", "phones": ["+44 (0)113 496 048"]})).await;
        refused(s, &v, StatusCode::BAD_REQUEST, "phones[0]");
        let (s, v) = t.post(&t.caseworker, "/people", json!({"name": "Ann New", "phones": ["07700 900555"]})).await;
        refused(s, &v, StatusCode::BAD_REQUEST, "phones[0]");
        assert_eq!(v["error"]["overridden_by"], "keep_unverified", "{v}");
        let (s, v) = t.post(&t.caseworker, "/people", json!({"name": "Ann New", "phones": ["07700 900555"], "keep_unverified": true})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["phones"][0], "+447700900555");
        let (_, v) = t.get(&t.caseworker, "/contact-check?phone=%2B447700900555").await;
        assert_eq!(v["person"]["name"], "Ann New", "{v}");
        // Kept once, it stays: their details sent back whole with a new address (PUT), or
        // the address alone (PATCH), need not ask again. A second such number, new to the
        // record, is asked about as the first was, and nothing is changed.
        let ann = v["person"]["id"].as_i64().unwrap();
        let whole = |phones: Value, keep: bool| json!({"name": "Ann New", "phones": phones, "emails": [], "postal_address": "2 Low Street, Kettering NN16 0AA", "advocate": null, "preferred_format": null, "preferred_language": null, "keep_unverified": keep});
        let ann_path = format!("/people/{ann}");
        let put = |body: Value| t.send(reqwest::Method::PUT, &t.caseworker, &ann_path, Some(body), None);
        let (s, v) = put(whole(json!(["07700 900555"]), false)).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["phones"][0].as_str(), v["postal_address"].as_str()), (Some("+447700900555"), Some("2 Low Street, Kettering NN16 0AA")));
        let (s, v) = t.send(reqwest::Method::PATCH, &t.caseworker, &format!("/people/{ann}"), Some(json!({"postal_address": "3 Low Street, Kettering NN16 0AA"})), None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (s, v) = put(whole(json!(["07700 900555", "07700 900556"]), false)).await;
        refused(s, &v, StatusCode::BAD_REQUEST, "phones[1]");
        assert!(v["error"]["message"].as_str().unwrap().contains("07700 900556"), "{v}");
        let (s, v) = t.send(reqwest::Method::PATCH, &t.caseworker, &format!("/people/{ann}"), Some(json!({"advocate": {"name": "Al Vocate", "phone": "07700 900557"}})), None).await;
        refused(s, &v, StatusCode::BAD_REQUEST, "advocate.phone");
        let (_, v) = t.get(&t.caseworker, &format!("/people/{ann}")).await;
        assert_eq!((v["person"]["phones"].as_array().map(Vec::len), v["person"]["postal_address"].as_str()), (Some(1), Some("3 Low Street, Kettering NN16 0AA")), "nothing changed");
        assert!(v["person"]["advocate"].is_null());
        let (s, v) = put(whole(json!(["07700 900555", "07700 900556"]), true)).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["phones"][1], "+447700900556");

        // Withheld and unavailable caller ids, as phone systems send them.
        for w in ["anonymous", "withheld", "unavailable", ""] {
            let (s, v) = t.get(&t.caseworker, &format!("/contact-check?phone={w}")).await;
            assert_eq!(s, StatusCode::OK, "{w}: {v}");
            assert_eq!(v["withheld"], true, "{v}");
            assert_eq!(v["headline"], "The number is withheld: ask who is calling", "{v}");
            assert!(v["person"].is_null());
            assert_eq!(v["screening_required"], true);
            assert!(v["must"][0].as_str().unwrap().contains("withheld"), "{v}");
        }
        let (s, _) = t.get(&t.caseworker, "/contact-check?phone=call%20me").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        // What is no number at all cannot be kept anyway: nothing overrules it.
        let (s, v) = t.post(&t.caseworker, "/people", json!({"name": "Cy", "phones": ["call me"], "keep_unverified": true})).await;
        refused(s, &v, StatusCode::BAD_REQUEST, "phones[0]");
        assert!(v["error"].get("overridden_by").is_none(), "{v}");
    })
    .await;
}

/// What a step answers as it makes a record is what reading the record back answers: its
/// times are to the microsecond the store keeps, not the clock's nanoseconds in the first
/// answer only (a client that kept the first answer saw another time on the person's page).
#[tokio::test]
async fn a_record_answered_as_it_is_made_reads_back_the_same() {
    each_backend("cleveland-opcc", |t| async move {
        let p = t
            .ok(&t.caseworker, "/people", json!({"name": "Ada Lovelace"}))
            .await;
        let pid = p["id"].as_i64().unwrap();
        let m = t
            .ok(
                &t.caseworker,
                &format!("/people/{pid}/matters"),
                json!({"kind": "query", "title": "A question"}),
            )
            .await;
        let c = t
            .ok(
                &t.caseworker,
                "/contacts",
                json!({"channel": "email", "person_id": pid, "summary": "Asked a question"}),
            )
            .await;
        let (s, v) = t.get(&t.caseworker, &format!("/people/{pid}")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["person"]["created_at"], p["created_at"], "{v}");
        assert_eq!(v["matters"][0], m, "{v}");
        assert_eq!(v["contacts"][0]["at"], c["contact"]["at"], "{v}");
        every_time_is_rfc3339(&v);
    })
    .await;
}

/// Issue 10: merging two records of one person. Everything moves to the record kept, the
/// other leads to it, one event says who merged which into which and why; only a line
/// manager or above may; a record merged already cannot be merged again.
#[tokio::test]
async fn two_records_of_one_person_are_merged_into_one_by_a_line_manager() {
    each_backend("cleveland-opcc", |t| async move {
        let (jo, _, sid) = t.email_only_in_force().await;
        let dup = t.ok(&t.caseworker, "/people", json!({"name": "Joanne Bloggs", "phones": ["07911 123124"], "emails": ["joanne@example.org"], "postal_address": "1 High Street"})).await;
        let dup = dup["id"].as_i64().unwrap();
        let m = t.ok(&t.caseworker, &format!("/people/{dup}/matters"), json!({"kind": "query", "title": "A question about a letter"})).await;
        t.ok(&t.caseworker, "/contacts", json!({"channel": "email", "person_id": dup, "summary": "Asked about the letter"})).await;
        let (_, v) = t.get(&t.caseworker, "/contact-check?phone=07911%20123124").await;
        assert_eq!(v["allowed"], true, "{v}");

        let (s, v) = t.post(&t.caseworker, &format!("/people/{jo}/merge"), json!({"merge": dup, "reason": "Same person"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        let (s, v) = t.post(&t.line_manager, &format!("/people/{jo}/merge"), json!({"merge": dup, "reason": " "})).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        let (s, v) = t.post(&t.line_manager, &format!("/people/{jo}/merge"), json!({"merge": jo, "reason": "Same"})).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");

        let v = t.ok(&t.line_manager, &format!("/people/{jo}/merge"), json!({"merge": dup, "reason": "Same date of birth and address"})).await;
        assert_eq!(v["person"]["id"], jo);
        assert_eq!(v["moved"]["matters"], 1, "{v}");
        assert_eq!(v["moved"]["contacts"], 1, "{v}");
        let phones = v["person"]["phones"].as_array().unwrap();
        assert!(phones.contains(&json!("+447911123124")) && phones.contains(&json!("+447911123123")), "{v}");

        // The duplicate's number now answers with the plan of the record kept.
        let (_, v) = t.get(&t.caseworker, "/contact-check?phone=07911%20123124").await;
        assert_eq!(v["person"]["id"], jo, "{v}");
        assert_eq!(v["allowed"], false, "{v}");
        // The old record leads to the one kept, which has everything.
        let (s, v) = t.get(&t.caseworker, &format!("/people/{dup}")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["person"]["id"], jo, "{v}");
        assert!(v["matters"].as_array().unwrap().iter().any(|x| x["id"] == m["id"]), "{v}");
        assert!(v["plans"].as_array().unwrap().iter().any(|x| x["id"] == sid), "{v}");
        let (_, found) = t.get(&t.caseworker, "/people?q=Joanne").await;
        assert!(found["people"].as_array().unwrap().is_empty(), "{found}");
        // One event: who merged which into which, and why.
        let events = t.app.store().audit_of(tact_core::ids::PersonId(jo)).await.unwrap();
        let merged: Vec<_> = events.iter().filter(|e| e.action == "people.merged").collect();
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].reason.as_deref(), Some("Same date of birth and address"));
        assert!(merged[0].detail.contains(&format!("SU-{dup:06}")), "{}", merged[0].detail);
        // Merged already: refused, naming where it went.
        let (s, v) = t.post(&t.line_manager, &format!("/people/{jo}/merge"), json!({"merge": dup, "reason": "Again"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains("merged into"), "{v}");
    })
    .await;
}

/// Issue 11 (CLE-9.10): the screening queue shows what people sent, so it is read only by
/// those who may screen — the same rule the core applies to screening itself. A DPO or an
/// administrator is refused with 403; a caseworker reads it.
#[tokio::test]
async fn cle_9_10_the_screening_queue_is_read_only_by_those_who_may_screen() {
    each_backend("cleveland-opcc", |t| async move {
        for (name, role) in [("Dee Pee", Role::Dpo), ("Ad Min", Role::Admin)] {
            let s = t
                .app
                .create_staff(None, name, role, None, None)
                .await
                .unwrap();
            let token = t.app.issue_token(None, s.id, "test").await.unwrap();
            let (status, v) = t.get(&token, "/screening").await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{name}: {v}");
            assert!(v["error"]["message"].is_string(), "{v}");
        }
        let (status, v) = t.get(&t.caseworker, "/screening").await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert!(v["contacts"].is_array(), "{v}");
    })
    .await;
}

#[tokio::test]
async fn nor_6_2_nor_5_3_nor_5_1_applying_a_plan_to_a_matter_goes_through_the_plans_gates() {
    each_backend("northamptonshire-opfcc", |t| async move {
        let (pid, _, sid) = t
            .email_only_in_force()
            .await;
        let m2 = t
            .ok(&t.caseworker, &format!("/people/{pid}/matters"), json!({"kind": "complaint", "title": "A second complaint"}))
            .await["id"]
            .as_i64()
            .unwrap();
        let check = format!("/contact-check?phone=%2B44%207911%20123123&matter={m2}");
        assert_eq!(t.get(&t.caseworker, &check).await.1["outcome"], "allowed");
        // Each reader is told what they may do with the plan now (issue 11: core's answer,
        // as the staff pages offer it). They were told of it: no second notice.
        let plan = format!("/plans/{sid}");
        let steps = |token: String| {
            let (t, plan) = (&t, &plan);
            async move { t.words(&token, plan, "steps").await }
        };
        // Applying it is not offered while no other matter of theirs can take it (NOR-5.3:
        // the second complaint's review route is open).
        assert_eq!(steps(t.line_manager.clone()).await, ["disputes", "letters"]);
        assert_eq!(steps(t.caseworker.clone()).await, ["disputes", "letters"]);
        let apply = json!({"matter_id": m2, "reason": "The same pattern of calls about the new complaint"});
        // NOR-5.3: the new matter's internal review route is not exhausted.
        let (s, v) = t.post(&t.line_manager, &format!("/strategies/{sid}/apply-to-matter"), apply.clone()).await;
        assert_eq!(s, StatusCode::CONFLICT, "{v}");
        assert_eq!(v["error"]["clause"], "NOR-5.3");
        t.ok(&t.line_manager, &format!("/matters/{m2}/status"), json!({"status": "review-exhausted"})).await;
        assert_eq!(steps(t.line_manager.clone()).await, ["apply-to-matter", "disputes", "letters"]);
        assert_eq!(steps(t.caseworker.clone()).await, ["disputes", "letters"]);
        // NOR-6.2: the line manager's application waits for a senior manager.
        let asked = t.ok(&t.line_manager, &format!("/strategies/{sid}/apply-to-matter"), apply.clone()).await;
        assert_eq!(asked["pending_matters"][0]["waiting_for"], "authorisation", "{asked}");
        assert!(!asked["matter_ids"].as_array().unwrap().contains(&json!(m2)));
        assert_eq!(t.get(&t.caseworker, &check).await.1["outcome"], "allowed");
        // Only a senior manager other than the one who asked is offered the decision.
        assert!(!steps(t.line_manager.clone()).await.contains(&"decide-matter".to_string()));
        assert!(steps(t.senior2.clone()).await.contains(&"decide-matter".to_string()));
        let decide = json!({"matter_id": m2, "approve": true, "reason": "Proportionate: the same behaviour"});
        let (s, v) = t.post(&t.line_manager, &format!("/strategies/{sid}/decide-matter"), decide.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        assert_eq!(v["error"]["clause"], "NOR-6.2");
        let authorised = t.ok(&t.senior2, &format!("/strategies/{sid}/decide-matter"), decide.clone()).await;
        assert_eq!(authorised["pending_matters"][0]["waiting_for"], "notice");
        // A change waits for its notice: recording one is offered again.
        assert!(steps(t.line_manager.clone()).await.contains(&"notice".to_string()));
        // NOR-5.1: it bites only after the written notice.
        assert_eq!(t.get(&t.caseworker, &check).await.1["outcome"], "allowed");
        t.ok(&t.line_manager, &format!("/strategies/{sid}/notice"), json!({"channel": "letter", "agreement_sought": false, "policy_enclosed": true})).await;
        let s = t.get(&t.caseworker, &format!("/strategies/{sid}")).await.1;
        assert!(s["matter_ids"].as_array().unwrap().contains(&json!(m2)), "{s}");
        assert_eq!(s["pending_matters"], json!([]));
        assert_eq!(t.get(&t.caseworker, &check).await.1["outcome"], "not-allowed");
    })
    .await;
}

/// CLE-10.4: the check leaves out a plan that does not cover the matter asked about, so the
/// matter must be one of the caller's: another person's, or one that is not there, is refused
/// (422 on `matter`, the same as a record named in a body); before, each answered "allowed"
/// past the plan's restrictions. Where the number is withheld or nobody's, the matter says who
/// is calling: the answer is its owner's, as a contact logged with it is theirs (before:
/// "allowed", as for a stranger). A member of staff named who is not there is refused as a
/// matter is.
#[tokio::test]
async fn cle_10_4_a_check_about_a_matter_asks_about_one_of_the_callers_matters() {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, mid, _) = t.email_only_in_force().await;
        let (_, theirs) = t
            .api
            .person_with_matter(
                &t.caseworker,
                json!({"name": "Sam Other", "phones": ["07911 123456"]}),
            )
            .await;
        let check = |who: &str, matter: i64| format!("/contact-check?{who}&matter={matter}");
        let jo = "phone=%2B44%207911%20123123";
        let openings = || async {
            t.app.flush_access_log().await.unwrap();
            t.app
                .store()
                .access_log(Some(tact_core::ids::PersonId(pid)), 1000)
                .await
                .unwrap()
                .len()
        };
        let opened = openings().await;
        for (who, matter, says) in [
            (jo, theirs, "is another person's, not the caller's"),
            (jo, 999_999, "there is no matter 999999"),
            ("phone=anonymous", 999_999, "there is no matter 999999"),
        ] {
            let (s, v) = t.get(&t.caseworker, &check(who, matter)).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{who} {matter}: {v}");
            assert_eq!(v["error"]["field"], "matter", "{v}");
            assert_eq!(v["error"]["clause"], "CLE-10.4", "{v}");
            assert!(
                v["error"]["message"].as_str().unwrap().contains(says),
                "{v}"
            );
        }
        // The member of staff taking it, named and not there: the same 422 on its field.
        let (s, v) = t
            .get(&t.caseworker, &format!("/contact-check?{jo}&staff=999999"))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["field"], "staff", "{v}");
        // A refused check showed nothing, so is no opening of Jo's record.
        assert_eq!(openings().await, opened);
        // Their own matter, which the plan covers, from their number, a withheld one or an
        // address nobody uses: their answer (by email only), and an opening of their record
        // each time.
        for (who, outcome) in [
            (jo, "not-allowed"),
            ("phone=anonymous", "not-allowed"),
            ("email=nobody%40example.org", "allowed-with-conditions"),
        ] {
            let (s, v) = t.get(&t.caseworker, &check(who, mid)).await;
            assert_eq!(s, StatusCode::OK, "{who}: {v}");
            assert_eq!(v["outcome"], outcome, "{who}: {v}");
            assert_eq!(v["person"]["id"], pid, "{who}: {v}");
            assert_eq!(v["withheld"], false, "{who}: {v}");
        }
        assert_eq!(openings().await, opened + 3);
        // Without a matter, a withheld number is still asked who is calling.
        let (_, v) = t.get(&t.caseworker, "/contact-check?phone=anonymous").await;
        assert_eq!(v["withheld"], true, "{v}");
        // The other person's check about their own matter is answered as theirs.
        let (s, v) = t
            .get(&t.caseworker, &check("phone=%2B44%207911%20123456", theirs))
            .await;
        assert_eq!(
            (s, v["outcome"].as_str()),
            (StatusCode::OK, Some("allowed")),
            "{v}"
        );
    })
    .await;
}

#[tokio::test]
async fn cle_10_4_cle_9_14_a_managers_application_bites_at_once_with_reasons_and_a_task_to_tell() {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, _, sid) = t.email_only_in_force().await;
        let m2 = t
            .ok(
                &t.caseworker,
                &format!("/people/{pid}/matters"),
                json!({"kind": "complaint", "title": "A second complaint"}),
            )
            .await["id"]
            .as_i64()
            .unwrap();
        let check = format!("/contact-check?phone=%2B44%207911%20123123&matter={m2}");
        assert_eq!(t.get(&t.caseworker, &check).await.1["outcome"], "allowed");
        let (s, v) = t
            .post(
                &t.line_manager,
                &format!("/strategies/{sid}/apply-to-matter"),
                json!({"matter_id": m2, "reason": ""}),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "a reason is needed: {v}");
        let applied = t
            .ok(
                &t.line_manager,
                &format!("/strategies/{sid}/apply-to-matter"),
                json!({"matter_id": m2, "reason": "Same behaviour"}),
            )
            .await;
        assert!(applied["matter_ids"]
            .as_array()
            .unwrap()
            .contains(&json!(m2)));
        assert_eq!(
            t.get(&t.caseworker, &check).await.1["outcome"],
            "not-allowed"
        );
        let tasks = t.get(&t.line_manager, "/tasks").await.1;
        assert!(
            tasks.to_string().contains("CLE-9.14"),
            "the person is to be told of the change: {tasks}"
        );
    })
    .await;
}

/// CLE-9.6: a letter is written, fetched in every form, changed while held, released and
/// posted through the API, as in the UI; a role that may not is refused and bad input is a
/// 400 naming its field.
#[tokio::test]
async fn cle_9_6_a_letter_is_written_checked_changed_released_and_posted_through_the_api() {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, _, sid) = t
            .email_only_in_force()
            .await;
        let (s, v) = t.send(reqwest::Method::PUT, &t.caseworker, &format!("/people/{pid}"), Some(json!({"name": "Jo Bloggs", "phones": ["07911 123123"], "emails": ["jo@example.org"], "postal_address": "1 High Street, Middlesbrough TS1 1AA", "advocate": null, "preferred_format": null, "preferred_language": null})), None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let path = format!("/strategies/{sid}/letters");
        let (s, v) = t.post(&t.line_manager, &path, json!({"channel": "letter", "hold": true})).await;
        refused(s, &v, StatusCode::BAD_REQUEST, "kind");
        let (s, v) = t.post(&t.line_manager, &path, json!({"kind": "strategy-notice", "channel": "pigeon"})).await;
        refused(s, &v, StatusCode::BAD_REQUEST, "channel");
        // A letter by post is printed: "email" is no format for it (CLE-8).
        let (s, v) = t.post(&t.line_manager, &path, json!({"kind": "strategy-notice", "channel": "letter", "format": "email"})).await;
        refused(s, &v, StatusCode::BAD_REQUEST, "format");
        let l = t.ok(&t.line_manager, &path, json!({"kind": "strategy-notice", "channel": "letter", "format": "large-print", "hold": true})).await;
        let lid = l["id"].as_i64().unwrap();
        assert_eq!(l["status"], "draft", "held: {l}");
        assert_eq!(l["format"], "large-print");
        assert!(l["text"].as_str().unwrap().contains("Jo Bloggs"), "{l}");
        assert!(l["unprintable"].is_null(), "the PDF shows all of it: {l}");
        let list = t.get(&t.caseworker, &format!("/people/{pid}/letters")).await.1;
        assert_eq!(list["letters"][0]["id"], lid, "{list}");
        // Text, HTML, PDF and Word, each as its own media type.
        for (form, media) in [("text", "text/plain"), ("html", "text/html"), ("pdf", "application/pdf"), ("docx", "wordprocessingml")] {
            let r = t.http.get(format!("{}/api/v1/letters/{lid}/{form}", t.base)).bearer_auth(&t.caseworker).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{form}");
            let ct = r.headers()["content-type"].to_str().unwrap().to_string();
            assert!(ct.contains(media), "{form}: {ct}");
            assert!(!r.bytes().await.unwrap().is_empty(), "{form}");
        }
        // With every turn to make a document taken, as in a burst of downloads, a download
        // waits its time and is told Tact is busy, saying when to try again; then, with a
        // turn free, it is made.
        let pdf = format!("{}/api/v1/letters/{lid}/pdf", t.base);
        let turns = t.app.makers.take_every_turn().await;
        let r = t.http.get(&pdf).bearer_auth(&t.caseworker).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers()["retry-after"], "60");
        let v: Value = r.json().await.unwrap();
        assert!(v["error"]["message"].as_str().unwrap().contains("try again"), "{v}");
        drop(turns);
        let r = t.http.get(&pdf).bearer_auth(&t.caseworker).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        // Monitoring sees both: documents being made, and downloads told to wait.
        let metrics = t.http.get(format!("{}/metrics", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(metrics.contains("tact_documents_busy_total "), "{metrics}");
        assert!(metrics.contains("tact_documents_making "), "{metrics}");
        // Changed while held; a caseworker may read but this profile lets them write notices too.
        let (s, v) = t.send(reqwest::Method::PUT, &t.line_manager, &format!("/letters/{lid}"), Some(json!({"text": ""})), None).await;
        refused(s, &v, StatusCode::BAD_REQUEST, "text");
        let (s, changed) = t.send(reqwest::Method::PUT, &t.line_manager, &format!("/letters/{lid}"), Some(json!({"subject": "Your contact with us", "text": "Dear Jo Bloggs,\n\nA line the manager added.\n"})), None).await;
        assert_eq!(s, StatusCode::OK, "{changed}");
        assert_eq!(changed["subject"], "Your contact with us");
        let text = t.http.get(format!("{}/api/v1/letters/{lid}/text", t.base)).bearer_auth(&t.caseworker).send().await.unwrap().text().await.unwrap();
        assert!(text.contains("A line the manager added."), "what is kept is what goes: {text}");
        // Printed before release is refused — a step the letter's state refuses, 409 as for
        // a plan; released, it waits to be printed; then posted, once.
        let (s, v) = t.post(&t.line_manager, &format!("/letters/{lid}/printed"), json!({})).await;
        refused(s, &v, StatusCode::CONFLICT, "status");
        let released = t.ok(&t.line_manager, &format!("/letters/{lid}/release"), json!({})).await;
        assert_eq!(released["status"], "to-print");
        // The print queue lists it, as the staff pages do, until it is posted.
        let queued = |v: &Value| v["letters"].as_array().unwrap().iter().any(|l| l["id"] == lid);
        let (s, queue) = t.get(&t.line_manager, "/letters").await;
        assert_eq!(s, StatusCode::OK, "{queue}");
        assert!(queued(&queue), "{queue}");
        assert!(queued(&t.get(&t.line_manager, "/letters?status=to-print").await.1));
        assert!(!queued(&t.get(&t.line_manager, "/letters?status=failed").await.1));
        let (s, v) = t.get(&t.line_manager, "/letters?status=posted").await;
        refused(s, &v, StatusCode::BAD_REQUEST, "status");
        let auditor = t.token_for("Aud Itor", Role::Auditor).await;
        assert_eq!(t.get(&auditor, "/letters").await.0, StatusCode::FORBIDDEN);
        let (s, _) = t.send(reqwest::Method::PUT, &t.line_manager, &format!("/letters/{lid}"), Some(json!({"text": "Too late"})), None).await;
        assert_eq!(s, StatusCode::CONFLICT, "no longer held");
        let posted = t.ok(&t.line_manager, &format!("/letters/{lid}/printed"), json!({})).await;
        assert_eq!(posted["status"], "printed");
        assert!(!queued(&t.get(&t.line_manager, "/letters").await.1));
        let (s, v) = t.post(&t.line_manager, &format!("/letters/{lid}/printed"), json!({})).await;
        assert_eq!(s, StatusCode::CONFLICT, "printed twice: {v}");
        assert!(posted["sent_at"].is_string());
        assert_eq!(t.get(&t.caseworker, "/letters/999999").await.0, StatusCode::NOT_FOUND);
        // Part of the address in a script the PDF's font lacks: the answer names the
        // characters, as the letter page does, since the print would show empty boxes.
        let (s, v) = t.send(reqwest::Method::PUT, &t.caseworker, &format!("/people/{pid}"), Some(json!({"name": "Jo Bloggs", "phones": ["07911 123123"], "emails": ["jo@example.org"], "postal_address": "1 High Street, 王府井", "advocate": null, "preferred_format": null, "preferred_language": null})), None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let l = t.ok(&t.line_manager, &path, json!({"kind": "strategy-notice", "channel": "letter", "hold": true})).await;
        assert_eq!(l["unprintable"], "王 府 井", "{l}");
        let one = t.get(&t.caseworker, &format!("/letters/{}", l["id"])).await.1;
        assert_eq!(one["unprintable"], "王 府 井", "{one}");
    })
    .await;
}

/// CLE-9.11, CLE-9.10, NOR-1.5, NOR-7.1 (issue 11): a person's record says what the reader
/// may do now with each of their records, by the rule each step asks, and a step taken is
/// no longer offered: the reminder after a breach (not closing its task by hand), screening
/// the contact, deciding an adjustment (not a caseworker), deciding a dispute (not a senior
/// manager who authorised the plan), and a held letter released.
#[tokio::test]
async fn cle_9_11_nor_7_1_a_persons_record_offers_each_record_only_the_steps_it_allows() {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, mid, sid) = t
            .email_only_in_force()
            .await;
        let logged = t.ok(&t.caseworker, "/contacts", json!({"channel": "phone", "phone": "07911123123", "matter_id": mid, "summary": "Called again"})).await;
        let cid = logged["contact"]["id"].as_i64().unwrap();
        let adj = t.ok(&t.caseworker, &format!("/people/{pid}/adjustments"), json!({"kind": "extra-time", "description": "More time on calls"})).await["id"].as_i64().unwrap();
        let dispute = t.ok(&t.caseworker, &format!("/plans/{sid}/disputes"), json!({"grounds": "The restriction is unfair"})).await["id"].as_i64().unwrap();
        let letter = t.ok(&t.line_manager, &format!("/plans/{sid}/letters"), json!({"kind": "strategy-notice", "hold": true})).await["id"].as_i64().unwrap();
        let person = format!("/people/{pid}");
        let steps = |token: String| {
            let (t, person) = (&t, &person);
            async move {
                let v = t.get(&token, person).await.1;
                serde_json::from_value::<std::collections::BTreeMap<String, Vec<String>>>(v["steps"].clone()).unwrap()
            }
        };
        let of = |all: &std::collections::BTreeMap<String, Vec<String>>, path: String| all.get(&path).cloned().unwrap_or_default();
        let cw = steps(t.caseworker.clone()).await;
        let reminder = cw
            .iter()
            .find(|(_, s)| s.contains(&"breach-reminder".to_string()))
            .map(|(p, _)| p.clone())
            .expect("the reminder after the breach is offered");
        assert!(reminder.starts_with("/tasks/"), "{cw:?}");
        assert_eq!(of(&cw, reminder.clone()), ["breach-reminder"], "not closed by hand: {cw:?}");
        assert_eq!(of(&cw, format!("/contacts/{cid}")), ["screen"], "{cw:?}");
        assert_eq!(of(&cw, format!("/adjustments/{adj}")), Vec::<String>::new(), "{cw:?}");
        assert_eq!(of(&cw, format!("/disputes/{dispute}")), Vec::<String>::new(), "{cw:?}");
        assert_eq!(of(&cw, format!("/letters/{letter}")), ["release"], "{cw:?}");
        let lm = steps(t.line_manager.clone()).await;
        // A plan's are the plan's own answer.
        let plan_steps = t.words(&t.line_manager, &format!("/plans/{sid}"), "steps").await;
        assert!(!plan_steps.is_empty());
        assert_eq!(of(&lm, format!("/plans/{sid}")), plan_steps, "{lm:?}");
        assert_eq!(of(&lm, format!("/adjustments/{adj}")), ["decision"], "{lm:?}");
        // NOR-7.1: the senior manager who authorised took part; another may decide.
        assert_eq!(of(&steps(t.senior.clone()).await, format!("/disputes/{dispute}")), Vec::<String>::new());
        assert_eq!(of(&steps(t.senior2.clone()).await, format!("/disputes/{dispute}")), ["decision"]);
        // What is offered is taken; once taken it is offered no more.
        let sent = t.ok(&t.caseworker, &format!("{reminder}/breach-reminder"), json!({"channel": "phone", "consequences": "The strategy may be extended", "reasons": "Abusive calls"})).await;
        // CLE-9.11: the reminder is kept on the matter the breaching call was about.
        assert_eq!(sent["matter_id"], mid, "{sent}");
        t.ok(&t.caseworker, &format!("/contacts/{cid}/screen"), json!({"finding": "nothing-new"})).await;
        t.ok(&t.line_manager, &format!("/adjustments/{adj}/decision"), json!({"grant": true, "reasons": "Easy to do"})).await;
        t.ok(&t.senior2, &format!("/disputes/{dispute}/decision"), json!({"outcome": "upheld", "reasons": "Still proportionate"})).await;
        t.ok(&t.caseworker, &format!("/letters/{letter}/release"), json!(null)).await;
        let cw = steps(t.caseworker.clone()).await;
        for path in [reminder, format!("/contacts/{cid}"), format!("/letters/{letter}")] {
            assert_eq!(of(&cw, path.clone()), Vec::<String>::new(), "{path}: {cw:?}");
        }
        assert_eq!(of(&cw, format!("/adjustments/{adj}")), ["letter"], "the decision can be written to them: {cw:?}");
        assert_eq!(of(&steps(t.senior2.clone()).await, format!("/disputes/{dispute}")), Vec::<String>::new());
        // The listed steps are paths the API has.
        for (path, steps) in &cw {
            assert!(path.matches('/').count() == 2, "{path}");
            assert!(!steps.is_empty(), "{path}");
        }
    })
    .await;
}

/// CLE-9.6, 9.11, 9.14: the plan's answer lists the letters that may be written about it
/// now, and the step refuses the others by the same rule: a notice is of a plan authorised
/// or in force, a reminder of one in force, an outcome only of a decision on the record.
#[tokio::test]
async fn cle_9_6_cle_9_11_only_the_letters_a_plan_can_have_are_offered_and_written() {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, mid, sid) = t
            .email_only_in_force()
            .await;
        let plan = format!("/plans/{sid}");
        let letters = |token: String| {
            let (t, plan) = (&t, &plan);
            async move { t.words(&token, plan, "letters").await }
        };
        let path = format!("/plans/{sid}/letters");
        // In force and never breached: there is nothing to remind them of.
        assert_eq!(letters(t.line_manager.clone()).await, ["strategy-notice"]);
        let (s, v) = t
            .post(&t.line_manager, &path, json!({"kind": "breach-reminder", "channel": "letter"}))
            .await;
        refused(s, &v, StatusCode::CONFLICT, "kind");
        assert!(
            v["error"]["message"].as_str().unwrap().contains("no breach of this contact strategy is on the record"),
            "{v}"
        );
        // A call the plan does not allow is a breach. The reminder, written three days on,
        // gives the day of the breach, not its own.
        let logged = t.ok(&t.caseworker, "/contacts", json!({"channel": "phone", "person_id": pid, "matter_id": mid, "summary": "Called again"})).await;
        assert!(!logged["contact"]["breach_of"].as_array().unwrap().is_empty(), "{logged}");
        assert_eq!(
            letters(t.line_manager.clone()).await,
            ["strategy-notice", "breach-reminder"]
        );
        let later = t.app.with_clock(tact_app::Clock::fixed(
            t.app.now() + jiff::SignedDuration::from_hours(72),
        ));
        let at = tact_web::TestClient::new(tact_web::serve_on_loopback(later.clone()).await);
        let (s, reminder) = ask_at(&at, &t.line_manager, reqwest::Method::POST, path.clone(), Some(json!({"kind": "breach-reminder", "channel": "email", "hold": true}))).await;
        assert_eq!(s, StatusCode::CREATED, "{reminder}");
        let breach_day = tact_core::check::long_day(t.app.now());
        assert!(
            reminder["text"].as_str().unwrap().contains(&format!("On {breach_day} you contacted us")),
            "{breach_day}: {reminder}"
        );
        // What follows a breach is the policy's (CLE-10.1), not the warning given before the
        // plan existed.
        assert!(
            reminder["text"].as_str().unwrap().contains("If this continues: We may change the contact strategy to limit your contact further."),
            "{reminder}"
        );
        // No kind: the API, and the console that asks it, list only those same letters.
        let which = |want: &'static str| {
            let (t, path) = (&t, &path);
            async move {
                let (s, v) = t
                    .post(&t.line_manager, path, json!({"channel": "letter"}))
                    .await;
                refused(s, &v, StatusCode::BAD_REQUEST, "kind");
                assert_eq!(v["error"]["message"], format!("say which letter: {want}"));
            }
        };
        which("strategy-notice, breach-reminder").await;
        for kind in ["lifting", "review-outcome", "variation", "dispute-outcome"] {
            let (s, v) = t
                .post(
                    &t.line_manager,
                    &path,
                    json!({"kind": kind, "channel": "letter"}),
                )
                .await;
            refused(s, &v, StatusCode::CONFLICT, "kind");
        }
        t.ok(
            &t.senior,
            &format!("/plans/{sid}/lift"),
            json!({"reason": "Calls have been civil for months"}),
        )
        .await;
        assert_eq!(letters(t.line_manager.clone()).await, ["lifting"]);
        which("lifting").await;
        for kind in ["strategy-notice", "breach-reminder"] {
            let (s, v) = t
                .post(
                    &t.line_manager,
                    &path,
                    json!({"kind": kind, "channel": "letter"}),
                )
                .await;
            refused(s, &v, StatusCode::CONFLICT, "kind");
            assert!(
                v["error"]["message"].as_str().unwrap().contains("lifted"),
                "{v}"
            );
        }
        let l = t
            .ok(
                &t.line_manager,
                &path,
                json!({"kind": "lifting", "channel": "email"}),
            )
            .await;
        assert!(
            l["text"]
                .as_str()
                .unwrap()
                .contains("Calls have been civil for months"),
            "{l}"
        );
        // A plan still a draft can have none of them: no kind is a 409 saying why.
        let review_due = (tact_core::check::uk_date(jiff::Timestamp::now()) + 60.days()).to_string();
        let draft = t
            .ok(
                &t.line_manager,
                &format!("/people/{pid}/plans"),
                json!({"matter_ids": [mid], "restrictions": [{"kind": "recorded-calls", "reason": "Abusive calls"}], "reasons": "Volume of calls", "aims": "Let the team work", "proportionality": "Writing stays open", "review_due": review_due}),
            )
            .await["id"]
            .clone();
        let (s, v) = t
            .post(
                &t.line_manager,
                &format!("/plans/{draft}/letters"),
                json!({"channel": "letter"}),
            )
            .await;
        refused(s, &v, StatusCode::CONFLICT, "kind");
        let said = v["error"]["message"].as_str().unwrap();
        assert!(said.contains("can be written now"), "{said}");
        assert!(said.contains("this one is draft"), "{said}");
    })
    .await;
}

/// CLE-9.6: a letter goes only when it is no longer than a letter can be. A plan whose
/// restrictions each give a long reason (within what one field may hold, issue 11) is in
/// force; the notice that quotes them all is longer than a letter, and is refused if it is
/// to go at once (400 naming `text`, with its length, and nothing kept), and kept held if
/// asked: held, it is not released, set in Braille nor read aloud until its wording is
/// shortened, and then it goes, so the person is still told. Before, it was kept and sent
/// at any length, and could not then be changed while held.
#[tokio::test]
async fn cle_9_6_a_letter_longer_than_a_letter_can_be_goes_only_once_shortened() {
    each_backend("cleveland-opcc", |t| async move {
        // Each reason is 40,000 characters: one field may hold it, one letter not all three.
        let reason = "The calls came at all hours and were abusive to staff. ".repeat(730);
        assert!(reason.len() < tact_core::error::MAX_TEXT_CHARS);
        let (pid, _, sid) = t
            .plan_in_force(json!([
                {"kind": "single-channel", "channel": "email", "reason": reason},
                {"kind": "recorded-calls", "reason": reason},
                {"kind": "single-point-of-contact", "staff_id": 1, "reason": reason},
            ]))
            .await;
        let (s, v) = t.send(reqwest::Method::PUT, &t.caseworker, &format!("/people/{pid}"), Some(json!({"name": "Jo Bloggs", "phones": ["07911 123123"], "emails": [], "postal_address": "1 High Street, Middlesbrough TS1 1AA", "advocate": null, "preferred_format": null, "preferred_language": null})), None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let kept = |list: &Value| list["letters"].as_array().unwrap().iter().filter(|l| l["kind"] == "strategy-notice").count();
        let before = kept(&t.get(&t.caseworker, &format!("/people/{pid}/letters")).await.1);
        let path = format!("/plans/{sid}/letters");
        let (s, v) = t.post(&t.line_manager, &path, json!({"kind": "strategy-notice", "channel": "letter"})).await;
        refused(s, &v, StatusCode::BAD_REQUEST, "text");
        let said = v["error"]["message"].as_str().unwrap();
        assert!(said.contains("at most 100000") && said.contains("write it held"), "{said}");
        assert_eq!(kept(&t.get(&t.caseworker, &format!("/people/{pid}/letters")).await.1), before, "nothing kept");
        // Held, it is kept to be shortened; it does not go, nor is it set in Braille, as it is.
        let l = t.ok(&t.line_manager, &path, json!({"kind": "strategy-notice", "channel": "letter", "hold": true})).await;
        let lid = l["id"].as_i64().unwrap();
        assert_eq!(l["status"], "draft");
        let (s, v) = t.post(&t.line_manager, &format!("/letters/{lid}/release"), json!({})).await;
        refused(s, &v, StatusCode::BAD_REQUEST, "text");
        assert!(v["error"]["message"].as_str().unwrap().contains(": shorten its wording"), "{v}");
        let (s, v) = t.get(&t.line_manager, &format!("/letters/{lid}/braille")).await;
        refused(s, &v, StatusCode::BAD_REQUEST, "text");
        // Shortened, it goes.
        let (s, v) = t.send(reqwest::Method::PUT, &t.line_manager, &format!("/letters/{lid}"), Some(json!({"text": "Dear Jo Bloggs,\n\nWe have put a contact strategy in place: please write to us by email.\n"})), None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let released = t.ok(&t.line_manager, &format!("/letters/{lid}/release"), json!({})).await;
        assert_eq!(released["status"], "to-print");
    })
    .await;
}

/// What only the UI could reach: the message queues, a message with its attachments and
/// its raw bytes, matching it and marking it threatening (CLE-4.6), the retention dry run
/// and the subject access export — each with the role its page asks for.
#[tokio::test]
async fn messages_the_retention_dry_run_and_subject_access_are_on_the_api_with_their_roles() {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, _) = t.person_with_matter().await;
        let raw = b"From: stranger@example.net\r\nTo: enquiries@opcc.example\r\nSubject: Papers\r\nMessage-ID: <api-msg-1@example.net>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nPlease see the attached.\r\n--b1\r\nContent-Type: application/pdf; name=\"scan.pdf\"\r\nContent-Disposition: attachment; filename=\"scan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n";
        t.app
            .import_message("enquiries", raw, &tact_mail::Limits::default())
            .await
            .unwrap();
        let (s, v) = t.get(&t.caseworker, "/messages?route=nowhere").await;
        refused(s, &v, StatusCode::BAD_REQUEST, "route");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("expected one of inbox, breach, screening")),
            "{v}"
        );
        let list = t.get(&t.caseworker, "/messages?route=unknown-sender").await.1;
        let m = &list["messages"][0];
        assert_eq!(m["subject"], "Papers", "{list}");
        let id = m["id"].as_i64().unwrap();
        let one = t.get(&t.caseworker, &format!("/messages/{id}")).await.1;
        assert_eq!(one["attachments"][0]["name"], "scan.pdf", "{one}");
        assert!(
            one["text"].as_str().is_some_and(|t| t.contains("Please see the attached.")),
            "its words, as the message page shows them: {one}"
        );
        let get = |path: String| {
            let r = t.http.get(format!("{}/api/v1{path}", t.base)).bearer_auth(&t.caseworker);
            async move { r.send().await.unwrap() }
        };
        let r = get(format!("/messages/{id}/raw")).await;
        assert_eq!(r.headers()["content-type"], "message/rfc822");
        assert_eq!(r.bytes().await.unwrap().as_ref(), raw.as_slice(), "kept whole");
        let r = get(format!("/messages/{id}/attachments/0")).await;
        assert_eq!(r.headers()["content-type"], "application/octet-stream", "never as the sender claimed");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert_eq!(r.bytes().await.unwrap().as_ref(), b"%PDF-1.4\n");
        assert_eq!(get(format!("/messages/{id}/attachments/5")).await.status(), StatusCode::NOT_FOUND);
        // Triage, as the message page does it: an unknown sender's message is marked only
        // once it is matched to a person (CLE-4.6), and matched once.
        let category = t.app.profile.threatening_correspondence_category().map(|c| c.id.clone()).unwrap();
        let threat = json!({"category": category, "description": "A veiled threat to staff"});
        let (s, v) = t.post(&t.caseworker, &format!("/messages/{id}/threatening"), threat.clone()).await;
        refused(s, &v, StatusCode::BAD_REQUEST, "contact_id");
        let (s, v) = t.post(&t.caseworker, &format!("/messages/{id}/match"), json!({"person_id": 999999, "keep_address": true})).await;
        refused(s, &v, StatusCode::UNPROCESSABLE_ENTITY, "person_id");
        let (s, v) = t.post(&t.caseworker, &format!("/messages/{id}/match"), json!({"person_id": pid})).await;
        refused(s, &v, StatusCode::BAD_REQUEST, "keep_address");
        let (s, matched) = t.post(&t.caseworker, &format!("/messages/{id}/match"), json!({"person_id": pid, "keep_address": true})).await;
        assert_eq!(s, StatusCode::OK, "{matched}");
        assert_eq!((matched["person_id"].as_i64(), &matched["route"]), (Some(pid), &json!("inbox")), "{matched}");
        let (s, v) = t.post(&t.caseworker, &format!("/messages/{id}/match"), json!({"person_id": pid, "keep_address": true})).await;
        refused(s, &v, StatusCode::CONFLICT, "message_id");
        let (s, v) = t.post(&t.caseworker, &format!("/messages/{id}/threatening"), json!({"category": "not-a-category", "description": "x"})).await;
        refused(s, &v, StatusCode::BAD_REQUEST, "category");
        let (s, marked) = t.post(&t.caseworker, &format!("/messages/{id}/threatening"), threat.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{marked}");
        assert_eq!((marked["incident"]["person_id"].as_i64(), &marked["incident"]["contact_id"]), (Some(pid), &matched["contact_id"]), "{marked}");
        assert!(!marked["tasks"].as_array().unwrap().is_empty(), "a manager is asked to create a plan: {marked}");
        // A message that names no sender is quarantined: on nobody's record, so not marked.
        t.app.import_message("enquiries", b"Subject: who sent this\r\n\r\n?", &tact_mail::Limits::default()).await.unwrap();
        let q = t.get(&t.caseworker, "/messages?route=quarantine").await.1;
        let qid = q["messages"][0]["id"].as_i64().unwrap();
        let (s, v) = t.post(&t.caseworker, &format!("/messages/{qid}/threatening"), threat).await;
        refused(s, &v, StatusCode::CONFLICT, "message_id");
        // The retention dry run and subject access are the DPO's.
        let (s, v) = t.get(&t.caseworker, "/retention/due").await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        let dpo = t.token_for("Dee Pee-Oh", Role::Dpo).await;
        let (s, v) = t.get(&dpo, "/retention/due").await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert!(v["due"].as_array().is_some(), "{v}");
        assert_eq!(get(format!("/people/{pid}/subject-access")).await.status(), StatusCode::FORBIDDEN);
        let r = t.http.get(format!("{}/api/v1/people/{pid}/subject-access", t.base)).bearer_auth(&dpo).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/zip");
        let zip = r.bytes().await.unwrap();
        assert!(zip.starts_with(b"PK"), "a zip");
        // Making it is on the person's event log, with how many files, through the DPO's
        // command; the refused caseworker's attempt left nothing there.
        let log = t.app.store().audit_of(tact_core::ids::PersonId(pid)).await.unwrap();
        let made: Vec<_> = log.iter().filter(|e| e.action == "person.subject-access-exported").collect();
        assert_eq!(made.len(), 1, "{log:?}");
        let files = made[0].detail_value("files").unwrap();
        assert!(files.parse::<usize>().unwrap() >= 3, "index, record and more: {files}");
        // Records for the office's reporting, as CSV, for the roles the profile names.
        let (s, v) = t.get(&t.caseworker, "/export/people").await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        let (s, v) = t.get(&dpo, "/export/staff").await;
        refused(s, &v, StatusCode::NOT_FOUND, "kind");
        let r = t.http.get(format!("{}/api/v1/export/people", t.base)).bearer_auth(&dpo).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = r.text().await.unwrap();
        assert!(csv.starts_with("reference,name,phones,") && csv.contains("Jo Bloggs"), "{csv}");
    })
    .await;
}

/// CLE-8.4 and NOR-1.4 on the API: equality monitoring answers are recorded only with
/// consent and only as the questions' own answers, are never read back (only whether there
/// are any), can be withdrawn, and reach the report only as counts, a count of fewer than 5
/// withheld — as the form and the report page do.
#[tokio::test]
async fn cle_8_4_equality_answers_on_the_api_with_consent_never_read_back_and_counted_only_from_5()
{
    each_backend("cleveland-opcc", |t| async move {
        let (pid, _) = t.person_with_matter().await;
        let path = format!("/people/{pid}/equality");
        let (s, v) = t.get(&t.caseworker, &path).await;
        assert_eq!((s, &v["recorded"]), (StatusCode::OK, &json!(false)), "{v}");
        // Nothing to withdraw is the person's state, not a person not found (a client that
        // has just created them is not told they are missing).
        let (s, v) = t
            .send(reqwest::Method::DELETE, &t.caseworker, &path, None, None)
            .await;
        refused(s, &v, StatusCode::CONFLICT, "person_id");
        let put =
            |body: Value| t.send(reqwest::Method::PUT, &t.caseworker, &path, Some(body), None);
        let (s, v) = put(json!({"consent": false, "answers": {"age": "35-44"}})).await;
        refused(s, &v, StatusCode::BAD_REQUEST, "consent");
        assert_eq!(v["error"]["clause"], "CLE-8.4", "{v}");
        let (s, v) = put(json!({"consent": true, "answers": {"favourite-colour": "blue"}})).await;
        refused(s, &v, StatusCode::BAD_REQUEST, "answers");
        let (s, v) = put(json!({"consent": true, "answers": {"age": "old"}})).await;
        refused(s, &v, StatusCode::BAD_REQUEST, "age");
        let (s, v) = t
            .send(
                reqwest::Method::PUT,
                &t.caseworker,
                "/people/999999/equality",
                Some(json!({"consent": true})),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
        let (_, v) = t.get(&t.caseworker, &path).await;
        assert_eq!(
            v["recorded"], false,
            "nothing was recorded by a refusal: {v}"
        );
        let (s, v) =
            put(json!({"consent": true, "answers": {"age": "35-44", "sex": "female"}})).await;
        assert_eq!((s, &v["recorded"]), (StatusCode::OK, &json!(true)), "{v}");
        let (_, v) = t.get(&t.caseworker, &path).await;
        assert_eq!(v["recorded"], true, "{v}");
        let (_, record) = t.get(&t.caseworker, &format!("/people/{pid}")).await;
        assert!(
            !record.to_string().contains("35-44"),
            "never read back: {record}"
        );
        // The report is counts, for the DPO; one person's answer is withheld.
        let (s, v) = t.get(&t.caseworker, "/equality").await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        let dpo = t.token_for("Dee Pee-Oh", Role::Dpo).await;
        let row = |report: &Value, q: &str, a: &str| {
            report["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["characteristic"] == q && r["answer"] == a)
                .cloned()
                .unwrap()
        };
        let (s, report) = t.get(&dpo, "/equality").await;
        assert_eq!(s, StatusCode::OK, "{report}");
        assert_eq!(
            report["monitored"],
            Value::Null,
            "one person: withheld: {report}"
        );
        assert_eq!(
            row(&report, "age", "35-44")["people"],
            Value::Null,
            "{report}"
        );
        assert_eq!(
            row(&report, "age", "under-25")["people"],
            0,
            "none is not withheld: {report}"
        );
        // Five who gave the same answer are counted.
        for n in 0..4 {
            let p = t
                .ok(
                    &t.caseworker,
                    "/people",
                    json!({"name": format!("Person {n}")}),
                )
                .await;
            let (s, v) = t
                .send(
                    reqwest::Method::PUT,
                    &t.caseworker,
                    &format!("/people/{}/equality", p["id"]),
                    Some(json!({"consent": true, "answers": {"age": "35-44"}})),
                    None,
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{v}");
        }
        let (_, report) = t.get(&dpo, "/equality").await;
        assert_eq!(report["monitored"], 5, "{report}");
        assert_eq!(row(&report, "age", "35-44")["people"], 5, "{report}");
        assert_eq!(
            row(&report, "sex", "female")["people"],
            Value::Null,
            "{report}"
        );
        // Withdrawn: gone; withdrawing again finds none.
        let (s, v) = t
            .send(reqwest::Method::DELETE, &t.caseworker, &path, None, None)
            .await;
        assert_eq!((s, &v["recorded"]), (StatusCode::OK, &json!(false)), "{v}");
        let (s, v) = t
            .send(reqwest::Method::DELETE, &t.caseworker, &path, None, None)
            .await;
        refused(s, &v, StatusCode::CONFLICT, "person_id");
        let (_, report) = t.get(&dpo, "/equality").await;
        assert_eq!(report["monitored"], Value::Null, "four now: {report}");
    })
    .await;
}

/// A call to a server other than the test's own (one with another clock).
async fn ask_at(
    at: &tact_web::TestClient,
    token: &str,
    method: reqwest::Method,
    path: String,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let (s, v) = at.ask(method, token, &path, body).await;
    (StatusCode::from_u16(s).unwrap(), v)
}

/// NOR-9.1 on the API: a legal hold placed, read and lifted; the disposal refused until it is
/// confirmed, then destroying what the dry run lists; the register saying what went and
/// who confirmed it — the DPO's alone, as on the retention page and at the command line.
#[tokio::test]
async fn nor_9_1_legal_holds_the_disposal_and_its_register_are_on_the_api_for_the_dpo() {
    each_backend("northamptonshire-opfcc", |t| async move {
        let (pid, mid) = t.person_with_matter().await;
        let today = tact_core::check::uk_date(t.app.now()).to_string();
        // The date goes with finalising: with another status it is refused, not dropped.
        let (s, v) = t
            .post(
                &t.line_manager,
                &format!("/matters/{mid}/status"),
                json!({"status": "concluded", "finalised_on": today}),
            )
            .await;
        refused(s, &v, StatusCode::BAD_REQUEST, "finalised_on");
        t.ok(
            &t.line_manager,
            &format!("/matters/{mid}/status"),
            json!({"status": "finalised", "finalised_on": today}),
        )
        .await;
        // Seven years on, the records are due (six years after the matter was finalised).
        let later = t.app.with_clock(tact_app::Clock::fixed(
            t.app.now() + jiff::SignedDuration::from_hours(24 * 366 * 7),
        ));
        let at = tact_web::TestClient::new(tact_web::serve_on_loopback(later.clone()).await);
        let token = |name: &'static str, role: Role| {
            let later = later.clone();
            async move {
                let s = tact_app::testing::staff(&later, name, role).await;
                (s.id.0, later.issue_token(None, s.id, "test").await.unwrap())
            }
        };
        let (_, cw) = token("Cas Later", Role::Caseworker).await;
        let (dpo_id, dpo) = token("Dee Pee-Oh", Role::Dpo).await;
        use reqwest::Method as M;
        // Only the DPO places a hold, disposes, or reads the register.
        let hold_path = format!("/people/{pid}/hold");
        for (m, path, body) in [
            (
                M::POST,
                hold_path.clone(),
                Some(json!({"reason": "Litigation"})),
            ),
            (
                M::POST,
                "/retention/dispose".to_string(),
                Some(json!({"confirm": true})),
            ),
            (M::GET, "/retention/register".to_string(), None),
            (M::GET, "/retention/holds".to_string(), None),
            (M::GET, format!("/people/{pid}/retention"), None),
        ] {
            let (s, v) = ask_at(&at, &cw, m, path.clone(), body).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{path}: {v}");
            // Refused as what it is, not as a data-rights request.
            assert!(
                v["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("a caseworker may not keep or dispose of records")),
                "{path}: {v}"
            );
        }
        let (s, v) = ask_at(&at, &dpo, M::GET, hold_path.clone(), None).await;
        assert_eq!((s, &v["hold"]), (StatusCode::OK, &Value::Null), "{v}");
        // Where the person's records stand: due, six years after the matter was finalised.
        let standing = format!("/people/{pid}/retention");
        let due_on = tact_core::check::uk_date(t.app.now())
            .checked_add(jiff::Span::new().years(6))
            .unwrap()
            .to_string();
        let (s, v) = ask_at(&at, &dpo, M::GET, standing.clone(), None).await;
        assert_eq!(
            (s, v),
            (
                StatusCode::OK,
                json!({"due_on": due_on, "due": true, "kept_because": null})
            )
        );
        let (s, v) = ask_at(&at, &dpo, M::GET, "/people/999999/retention".into(), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
        let (s, v) = ask_at(
            &at,
            &dpo,
            M::POST,
            hold_path.clone(),
            Some(json!({"reason": "  "})),
        )
        .await;
        refused(s, &v, StatusCode::BAD_REQUEST, "reason");
        let (s, v) = ask_at(
            &at,
            &dpo,
            M::POST,
            "/people/999999/hold".into(),
            Some(json!({"reason": "x"})),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
        let (s, held) = ask_at(
            &at,
            &dpo,
            M::POST,
            hold_path.clone(),
            Some(json!({"reason": " Litigation about the complaint "})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{held}");
        assert_eq!(
            (held["person_id"].as_i64(), held["reason"].as_str()),
            (Some(pid), Some("Litigation about the complaint"))
        );
        let hold = held["id"].as_i64().unwrap();
        let (_, v) = ask_at(&at, &dpo, M::GET, hold_path.clone(), None).await;
        assert_eq!(v["hold"]["id"], hold, "{v}");
        // The DPO's list of every hold in place names whose records, why, and who placed it.
        let (s, v) = ask_at(&at, &dpo, M::GET, "/retention/holds".into(), None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (_, person) = ask_at(&at, &dpo, M::GET, format!("/people/{pid}"), None).await;
        assert_eq!(
            v["holds"],
            json!([{
                "id": hold,
                "person_id": pid,
                "reference": person["person"]["reference"],
                "reason": "Litigation about the complaint",
                "placed_by": dpo_id,
                "placed_at": v["holds"][0]["placed_at"],
            }]),
            "{v}"
        );
        every_time_is_rfc3339(&v);
        let (_, v) = ask_at(&at, &dpo, M::GET, "/retention/due".into(), None).await;
        assert_eq!(v["due"], json!([]), "held, so not due: {v}");
        let (_, v) = ask_at(&at, &dpo, M::GET, standing.clone(), None).await;
        assert_eq!(
            v,
            json!({"due_on": null, "due": false, "kept_because": "a legal hold is in place (Litigation about the complaint)"})
        );
        let (s, v) = ask_at(&at, &dpo, M::POST, format!("/holds/{hold}/lift"), None).await;
        assert_eq!((s, &v["lifted"]), (StatusCode::OK, &json!(true)), "{v}");
        let (s, v) = ask_at(&at, &dpo, M::POST, format!("/holds/{hold}/lift"), None).await;
        assert_eq!(s, StatusCode::CONFLICT, "lifted once: {v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("lifted already")),
            "{v}"
        );
        let (s, v) = ask_at(&at, &dpo, M::POST, "/holds/999999/lift".into(), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "no such hold: {v}");
        let (_, v) = ask_at(&at, &dpo, M::GET, hold_path.clone(), None).await;
        assert_eq!(v["hold"], Value::Null, "{v}");
        let (_, v) = ask_at(&at, &dpo, M::GET, "/retention/holds".into(), None).await;
        assert_eq!(v["holds"], json!([]), "lifted, so no longer listed: {v}");
        let (_, due) = ask_at(&at, &dpo, M::GET, "/retention/due".into(), None).await;
        assert_eq!(due["due"][0]["person_id"], pid, "{due}");
        // Named, so the DPO knows whose records they are checking before they go.
        assert_eq!(due["due"][0]["name"], person["person"]["name"], "{due}");
        let reference = due["due"][0]["reference"].clone();
        // Not confirmed, nothing goes.
        for body in [json!({}), json!({"confirm": false})] {
            let (s, v) = ask_at(&at, &dpo, M::POST, "/retention/dispose".into(), Some(body)).await;
            refused(s, &v, StatusCode::BAD_REQUEST, "confirm");
        }
        let (s, _) = ask_at(&at, &dpo, M::GET, format!("/people/{pid}"), None).await;
        assert_eq!(s, StatusCode::OK, "still there");
        let (s, gone) = ask_at(
            &at,
            &dpo,
            M::POST,
            "/retention/dispose".into(),
            Some(json!({"confirm": true})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{gone}");
        assert_eq!(gone["disposed"].as_array().map(Vec::len), Some(1), "{gone}");
        assert_eq!(gone["disposed"][0]["reference"], reference);
        let destroyed = gone["disposed"][0]["destroyed"].as_array().unwrap();
        assert!(
            destroyed.contains(&json!({"what": "person", "count": 1})),
            "{gone}"
        );
        assert!(
            destroyed.iter().all(|d| d["count"].as_u64() > Some(0)),
            "only what went: {gone}"
        );
        let (s, _) = ask_at(&at, &dpo, M::GET, format!("/people/{pid}"), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "destroyed");
        let (_, reg) = ask_at(&at, &dpo, M::GET, "/retention/register".into(), None).await;
        let entry = &reg["register"][0];
        assert_eq!(
            (&entry["reference"], entry["destroyed_by"].as_i64()),
            (&reference, Some(dpo_id)),
            "{reg}"
        );
        assert!(
            entry["destroyed"].as_str().unwrap().contains("person: 1"),
            "{reg}"
        );
        every_time_is_rfc3339(&reg);
    })
    .await;
}

/// CLE-9.9, NOR-5.5 (issue 14): a caller id the phone system sent that is no telephone
/// number (an alphanumeric sender, a lone "P") is a caller not known for sure, as a
/// withheld one is: the call rings for staff to check, the reason naming what was sent, and
/// its outcome is logged with that noted. Before, both were a 400: the SIP proxy dropped
/// the call ("Tact unavailable") and the call was on no record.
#[tokio::test]
async fn cle_9_9_nor_5_5_a_caller_id_that_is_no_number_rings_for_staff_and_its_call_is_logged() {
    each_backend("cleveland-opcc", |t| async move {
        let (s, v) = t.get(&t.caseworker, "/calls/route?from=garbage").await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["action"], "ring", "{v}");
        assert_eq!(v["reason"], "the caller's number could not be read (\"garbage\"): staff check first");
        assert_eq!(v["verdict"]["withheld"], true, "{v}");
        assert_eq!(v["screen_pop"], "/incoming?who=&channel=phone");
        let line = t.http.get(format!("{}/api/v1/calls/route?format=line&from=P", t.base)).bearer_auth(&t.caseworker).send().await.unwrap().text().await.unwrap();
        assert_eq!(line, "ring|-|the caller's number could not be read (\"P\"): staff check first\n");
        // A withheld number keeps its own reason.
        let (_, v) = t.get(&t.caseworker, "/calls/route?from=anonymous").await;
        assert_eq!(v["reason"], "who is calling is not known for sure: staff check first");
        // Monitoring counts the caller ids that were no number.
        let metrics = t.http.get(format!("{}/metrics", t.base)).send().await.unwrap().text().await.unwrap();
        assert!(metrics.contains("tact_calls_caller_unread_total "), "{metrics}");
        let (s, v) = t
            .post(
                &t.caseworker,
                "/calls/c-1/outcome",
                json!({"outcome": "answered", "from": "garbage"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let c = &v["contact"];
        assert!(c["person_id"].is_null(), "{v}");
        assert_eq!(c["summary"], "Call answered", "{v}");
        assert_eq!(
            c["body"],
            "The phone system gave the caller as \"garbage\", which is not a telephone number: who called is not known.",
            "{v}"
        );
        // Once per call, as ever.
        let (s, _) = t
            .post(
                &t.caseworker,
                "/calls/c-1/outcome",
                json!({"outcome": "answered", "from": "garbage"}),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT);
    })
    .await;
}

/// Issue 11: a restriction is read as the API's own typed format, not the storage codec's:
/// a value a rule cannot hold, a field the kind does not have, a flag that is not a flag,
/// or a call window that ends before it starts is a 400 naming its place in the body, and
/// nothing is drafted (CLE-9.4; NOR-5.5).
#[tokio::test]
async fn cle_9_4_nor_5_5_a_restriction_the_api_cannot_read_is_refused_naming_its_field() {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, mid) = t.person_with_matter().await;
        let review_due = (tact_core::check::uk_date(jiff::Timestamp::now()) + 60.days()).to_string();
        let path = format!("/people/{pid}/plans");
        for (restriction, field) in [
            (json!({"kind": "single-channel", "channel": "pigeon", "reason": "r"}), "restrictions[0].channel"),
            (json!({"kind": "single-channel", "reason": "r"}), "restrictions[0].channel"),
            (json!({"kind": "single-channel", "channel": "email", "chanel": "letter", "reason": "r"}), "restrictions[0]"),
            (json!({"kind": "read-and-file", "acknowledge": "yes", "reason": "r"}), "restrictions[0]"),
            (json!({"kind": "call-window", "windows": [{"day": "monday", "start": "12:00", "end": "10:00"}], "reason": "r"}), "restrictions[0].windows[0].end"),
            (json!({"kind": "call-window", "windows": [{"day": "mon", "start": "10:00", "end": "12:00"}], "reason": "r"}), "restrictions[0].windows[0].day"),
            (json!({"kind": "call-window", "windows": [], "max_minutes": 0, "reason": "r"}), "restrictions[0].max_minutes"),
            (json!({"kind": "dedicated-mailbox", "address": "not an address", "reason": "r"}), "restrictions[0].address"),
        ] {
            let body = json!({"matter_ids": [mid], "restrictions": [restriction], "reasons": "Volume of calls", "aims": "Let the team work", "proportionality": "Writing stays open", "review_due": review_due});
            let (s, v) = t.post(&t.line_manager, &path, body).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{restriction}: {v}");
            let named = v["error"]["field"].as_str().unwrap_or_default();
            assert!(named.starts_with(field), "{restriction}: {field} in {v}");
            // A call window's limit is refused in the words the restriction form uses.
            if field.ends_with("max_minutes") {
                assert_eq!(v["error"]["message"], "expected a whole number of 1 or more, got 0", "{v}");
            }
        }
        // None at all: refused in the words the plan form uses (CLE-9.9).
        let body = json!({"matter_ids": [mid], "restrictions": [], "reasons": "Volume of calls", "aims": "Let the team work", "proportionality": "Writing stays open", "review_due": review_due});
        let (s, v) = t.post(&t.line_manager, &path, body).await;
        assert_eq!((s, &v["error"]["field"]), (StatusCode::BAD_REQUEST, &json!("restrictions")), "{v}");
        assert_eq!(v["error"]["message"], "a contact strategy needs at least one restriction: choose one", "{v}");
        let person = t.get(&t.caseworker, &format!("/people/{pid}")).await.1;
        assert_eq!(person["plans"].as_array().map(Vec::len), Some(0), "nothing drafted: {person}");
    })
    .await;
}

/// Issue 11: a query parameter an address does not take is refused (400, naming it) on
/// every address, as on those that take some, not silently ignored (a `?status=open` that
/// listed every task would mislead), and a message list's query is checked like the rest.
#[tokio::test]
async fn issue_11_a_query_parameter_an_address_does_not_take_is_refused() {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, _) = t.person_with_matter().await;
        let dpo = t.token_for("Dee Pee-Oh", Role::Dpo).await;
        for path in [
            "/tasks?status=open".to_string(),
            format!("/people/{pid}?status=open"),
            "/retention/due?status=open".to_string(),
            "/messages?route=inbox&status=open".to_string(),
        ] {
            let (s, v) = t.get(&dpo, &path).await;
            assert_eq!(
                (s, v["error"]["field"].as_str()),
                (StatusCode::BAD_REQUEST, Some("status")),
                "{path}: {v}"
            );
        }
        // Every GET address in the OpenAPI document, past its role check and before it
        // reads anything, refuses a parameter it does not take.
        let doc = t.openapi().await;
        let mut tried = 0;
        for (path, ops) in doc["paths"].as_object().unwrap() {
            let Some(path) = path.strip_prefix("/api/v1") else {
                continue;
            };
            if ops.get("get").is_none() {
                continue;
            }
            let path = path
                .replace("{id}", &pid.to_string())
                .replace("{n}", "0")
                .replace("{file}", "people.csv");
            let (s, v) = t.get(&dpo, &format!("{path}?zzz=1")).await;
            assert_eq!(
                (s, v["error"]["field"].as_str()),
                (StatusCode::BAD_REQUEST, Some("zzz")),
                "{path}: {v}"
            );
            tried += 1;
        }
        assert!(tried > 20, "{tried}");
        // An id in the address that is not an id names no record: 404 naming `id`, as the
        // UI's "Page not found" for the same address.
        for path in [
            "/people/abc",
            "/plans/1.5",
            "/people/99999999999999999999999",
        ] {
            let (s, v) = t.get(&dpo, path).await;
            assert_eq!(
                (s, v["error"]["field"].as_str()),
                (StatusCode::NOT_FOUND, Some("id")),
                "{path}: {v}"
            );
            // In words a caller can act on, not the type the server wanted.
            let said = v["error"]["message"].as_str().unwrap();
            let sent = path.rsplit('/').next().unwrap();
            assert_eq!(
                said,
                format!("no such record: an id is a whole number, not {sent:?}"),
                "{path}"
            );
        }
        let (s, v) = t.get(&dpo, "/messages?route=inbox%00").await;
        refused(s, &v, StatusCode::BAD_REQUEST, "route");
        // Without one, each still answers.
        for path in [
            "/tasks".to_string(),
            format!("/people/{pid}"),
            "/retention/due".into(),
        ] {
            let (s, v) = t.get(&dpo, &path).await;
            assert_eq!(s, StatusCode::OK, "{path}: {v}");
        }
    })
    .await;
}

/// Text with a NUL character (which PostgreSQL cannot store) or other control characters is
/// refused as bad input naming the field, on both backends — never a 500 from the
/// database, never stored on one backend and refused on the other.
#[tokio::test]
async fn issue_11_text_with_control_characters_is_bad_input_on_both_backends() {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, _) = t.person_with_matter().await;
        for (path, body, field) in [
            (
                "/people".to_string(),
                json!({"name": "Jo\u{0}Bloggs"}),
                "name",
            ),
            (
                "/contacts".to_string(),
                json!({"person_id": pid, "channel": "phone", "summary": "rang\u{0}"}),
                "summary",
            ),
            (
                format!("/people/{pid}/matters"),
                json!({"kind": "complaint", "title": "a\u{7}b"}),
                "title",
            ),
        ] {
            let (s, v) = t.post(&t.caseworker, &path, body).await;
            assert_eq!(
                (s, v["error"]["field"].as_str()),
                (StatusCode::BAD_REQUEST, Some(field)),
                "{path}: {v}"
            );
        }
        // In a query string too (a search with NUL reached PostgreSQL: a 500).
        let (s, v) = t.get(&t.caseworker, "/people?q=Jo%00").await;
        refused(s, &v, StatusCode::BAD_REQUEST, "q");
        // Line breaks and tabs are text, not control: kept.
        let v = t
            .ok(
                &t.caseworker,
                "/contacts",
                json!({"person_id": pid, "channel": "phone", "summary": "rang\tabout\nthe delay"}),
            )
            .await;
        assert_eq!(v["contact"]["summary"], "rang\tabout\nthe delay");
    })
    .await;
}

/// Issue 11: the day or moment something happened is refused at the API as at every other
/// door (`check::happened`): in the future, or before the records begin — a mistyped year,
/// 1926 for 2026 — with the same words, naming the field, and nothing is written.
#[tokio::test]
async fn issue_11_a_moment_in_the_future_or_before_the_records_begin_is_refused_on_both_backends() {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, mid) = t.person_with_matter().await;
        let contacts = t.app.store().count(Table::Contacts).await.unwrap();
        let events = t.app.store().count(Table::AuditLog).await.unwrap();
        for (at, words) in [
            ("1926-12-04T10:00:00Z", "cannot be before 1 January 2000: check the year"),
            ("1999-12-31T12:00:00Z", "cannot be before 1 January 2000: check the year"),
            ("2099-12-04T10:00:00Z", "cannot be in the future"),
        ] {
            let (s, v) = t
                .post(
                    &t.caseworker,
                    "/contacts",
                    json!({"person_id": pid, "channel": "phone", "summary": "Rang", "at": at}),
                )
                .await;
            refused(s, &v, StatusCode::BAD_REQUEST, "at");
            assert_eq!(v["error"]["message"], format!("a contact {words}"), "{v}");
            let (s, v) = t
                .post(
                    &t.caseworker,
                    "/incidents",
                    json!({"person_id": pid, "matter_id": mid, "category": "unreasonable-demands",
                           "description": "Shouted", "occurred_at": at}),
                )
                .await;
            refused(s, &v, StatusCode::BAD_REQUEST, "occurred_at");
            assert_eq!(v["error"]["message"], format!("an incident {words}"), "{v}");
        }
        assert_eq!(t.app.store().count(Table::Contacts).await.unwrap(), contacts);
        assert_eq!(t.app.store().count(Table::AuditLog).await.unwrap(), events);
        // The first day of the records is kept.
        t.ok(
            &t.caseworker,
            "/contacts",
            json!({"person_id": pid, "channel": "letter", "summary": "Wrote", "at": "2000-01-01T12:00:00Z"}),
        )
        .await;
    })
    .await;
}

/// Issue 11: free text past its length is bad input naming the field, by core's one rule
/// (`error::within`, `workflow::check_contact`), and nothing is written: a title or a
/// summary is one line (500 characters), other free text at most 50,000, a contact's body
/// at most 512 KiB. Just under each limit is kept.
/// A text a request must send is refused blank (empty or only spaces) at the API, and the
/// document says so (`minLength` 1 and a character that is not a space), so a client learns
/// it there; what may be left out, or is a date or a choice of words, is not marked.
#[tokio::test]
async fn issue_11_a_text_a_request_must_send_is_documented_and_refused_blank_on_both_backends() {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, _) = t.person_with_matter().await;
        let before = t.get(&t.line_manager, &format!("/people/{pid}")).await.1;
        for blank in ["", "   "] {
            for (path, body, field) in [
                (
                    format!("/people/{pid}/matters"),
                    json!({"kind": "complaint", "title": blank}),
                    "title",
                ),
                (
                    format!("/people/{pid}/warnings"),
                    json!({"what_is_wrong": "Abusive calls", "how_to_change": blank,
                           "consequence": "Your contact may be restricted", "channel": "letter"}),
                    "how_to_change",
                ),
                (
                    "/incidents".to_string(),
                    json!({"person_id": pid, "category": "unreasonable-demands",
                           "description": blank}),
                    "description",
                ),
            ] {
                let (s, v) = t.post(&t.line_manager, &path, body).await;
                refused(s, &v, StatusCode::BAD_REQUEST, field);
            }
        }
        // An advocate is named, whether the person is added or their details sent whole
        // (schemathesis found a nameless one kept through `PUT`).
        for blank in ["", "   "] {
            let advocate = json!({"name": blank, "organisation": "Citizens Advice"});
            let (s, v) = t
                .post(
                    &t.caseworker,
                    "/people",
                    json!({"name": "Ann Other", "advocate": advocate}),
                )
                .await;
            refused(s, &v, StatusCode::BAD_REQUEST, "advocate.name");
            let (s, v) = t
                .send(
                    reqwest::Method::PUT,
                    &t.caseworker,
                    &format!("/people/{pid}"),
                    Some(json!({"name": "Pat Person", "phones": [], "emails": [],
                                "postal_address": null, "advocate": advocate,
                                "preferred_format": "standard", "preferred_language": null})),
                    None,
                )
                .await;
            refused(s, &v, StatusCode::BAD_REQUEST, "advocate.name");
        }
        let after = t.get(&t.line_manager, &format!("/people/{pid}")).await.1;
        assert_eq!(
            before["person"], after["person"],
            "their details are as they were"
        );
        for k in ["matters", "warnings", "incidents"] {
            assert_eq!(before[k], after[k], "{k}: nothing written");
        }
        let doc = t.openapi().await;
        let schema = |name: &str, field: &str| {
            doc["components"]["schemas"][name]["properties"][field].clone()
        };
        for (name, field) in [
            ("MatterReq", "title"),
            ("WarningReq", "how_to_change"),
            ("IncidentReq", "description"),
            ("PlanReq", "reasons"),
            ("ReviewReq", "recent_conduct"),
        ] {
            let s = schema(name, field);
            assert_eq!(
                (&s["minLength"], &s["pattern"]),
                (&json!(1), &json!("\\S")),
                "{name}.{field}"
            );
        }
        // A call's length, as long as core allows.
        assert_eq!(
            schema("ContactReq", "duration_seconds")["maximum"],
            json!(tact_core::workflow::LONGEST_CALL_SECONDS)
        );
        for (name, field) in [
            ("ContactReq", "body"),
            ("PlanReq", "review_due"),
            ("WarningReq", "given_at"),
        ] {
            let s = schema(name, field);
            assert!(
                s.get("minLength").is_none() && s.get("pattern").is_none(),
                "{name}.{field}: {s}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn issue_11_free_text_past_its_length_is_bad_input_and_writes_nothing_on_both_backends() {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, _) = t.person_with_matter().await;
        let held = |v: &Value, k: &str| v[k].as_array().map_or(0, Vec::len);
        let before = t.get(&t.caseworker, &format!("/people/{pid}")).await.1;
        for (path, body, field) in [
            (
                format!("/people/{pid}/matters"),
                json!({"kind": "complaint", "title": "t".repeat(501)}),
                "title",
            ),
            (
                "/contacts".to_string(),
                json!({"person_id": pid, "channel": "phone", "summary": "s".repeat(501)}),
                "summary",
            ),
            (
                "/contacts".to_string(),
                json!({"person_id": pid, "channel": "email", "summary": "An email",
                       "body": "b".repeat(512 * 1024 + 1)}),
                "body",
            ),
            (
                "/incidents".to_string(),
                json!({"person_id": pid, "category": "unreasonable-demands",
                       "description": "d".repeat(50_001)}),
                "description",
            ),
        ] {
            let (s, v) = t.post(&t.caseworker, &path, body).await;
            refused(s, &v, StatusCode::BAD_REQUEST, field);
            assert!(
                v["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("shorten it")
                    || field == "body",
                "{path}: {v}"
            );
        }
        // Names, anyone's, are at most 200 characters: an advocate's, a member of staff's.
        let (s, v) = t
            .post(
                &t.caseworker,
                "/people",
                json!({"name": "Ann Other", "advocate": {"name": "a".repeat(201)}}),
            )
            .await;
        refused(s, &v, StatusCode::BAD_REQUEST, "advocate.name");
        // An optional detail too, at the door, as every string sent is asked.
        let (s, v) = t
            .post(
                &t.caseworker,
                "/people",
                json!({"name": "Ann Other", "postal_address": "p".repeat(50_001)}),
            )
            .await;
        refused(s, &v, StatusCode::BAD_REQUEST, "postal_address");
        let admin = t.token_for("Ad Min", Role::Admin).await;
        let (s, v) = t
            .post(
                &admin,
                "/staff",
                json!({"name": "s".repeat(201), "role": "caseworker"}),
            )
            .await;
        refused(s, &v, StatusCode::BAD_REQUEST, "name");
        let after = t.get(&t.caseworker, &format!("/people/{pid}")).await.1;
        for k in ["matters", "contacts", "incidents"] {
            assert_eq!(held(&before, k), held(&after, k), "{k}: nothing written");
        }
        // The document gives each limit as the field's maxLength, so a client need not
        // learn it from a 400; a contact's body and a letter's wording keep their own rules.
        let doc = t.openapi().await;
        let schema = |name: &str, field: &str| {
            doc["components"]["schemas"][name]["properties"][field].clone()
        };
        assert_eq!(schema("MatterReq", "title")["maxLength"], 500);
        assert_eq!(schema("ContactReq", "summary")["maxLength"], 500);
        assert_eq!(schema("PersonReq", "name")["maxLength"], 200);
        assert_eq!(schema("AdvocateReq", "name")["maxLength"], 200);
        assert_eq!(schema("IncidentReq", "description")["maxLength"], 50_000);
        assert_eq!(schema("PersonReq", "phones")["items"]["maxLength"], 50_000);
        assert!(schema("ContactReq", "body").get("maxLength").is_none());
        assert!(schema("LetterChangeReq", "text").get("maxLength").is_none());
        // At the limit, each is kept whole.
        let m = t
            .ok(
                &t.caseworker,
                &format!("/people/{pid}/matters"),
                json!({"kind": "complaint", "title": "t".repeat(500)}),
            )
            .await;
        assert_eq!(m["title"].as_str().map(str::len), Some(500));
        let c = t
            .ok(
                &t.caseworker,
                "/contacts",
                json!({"person_id": pid, "channel": "email", "summary": "s".repeat(500),
                       "body": "b".repeat(512 * 1024)}),
            )
            .await;
        assert_eq!(c["contact"]["summary"].as_str().map(str::len), Some(500));
    })
    .await;
}

/// Issue 11: bad input at the API is a 4xx with a JSON message, never a server error. Every
/// operation in the OpenAPI document that takes a body is sent an empty object and then
/// every field of its request schema set, all at once, to a value nobody should send — an
/// empty or huge string, a NUL, a negative or enormous number, a day that does not exist,
/// a wrong type, null — by a line manager, a senior manager and the DPO, so the checks
/// past each role are reached; every answer is JSON, and none is a 5xx.
#[tokio::test]
async fn issue_11_no_operation_answers_bad_input_with_a_server_error() {
    each_backend("cleveland-opcc", |t| async move {
        let (pid, mid, sid) = t.email_only_in_force().await;
        let dpo = t.token_for("Dee Pee-Oh", Role::Dpo).await;
        let doc = t.openapi().await;
        let long = "x".repeat(20_000);
        let junk = [
            json!(""),
            json!(long),
            json!("\u{0}"),
            json!(-1),
            json!(1e30),
            json!("2026-02-30"),
            json!(true),
            json!(null),
            json!([]),
            json!({}),
        ];
        let mut tried = 0;
        for (path, ops) in doc["paths"].as_object().unwrap() {
            let Some(path) = path.strip_prefix("/api/v1") else {
                continue;
            };
            let id = if path.starts_with("/people/") {
                pid
            } else if path.starts_with("/plans/") {
                sid
            } else if path.starts_with("/matters/") {
                mid
            } else {
                1
            };
            let path = path
                .replace("{id}", &id.to_string())
                .replace("{call_id}", "c-9")
                .replace("{n}", "0")
                .replace("{file}", "people.csv");
            for (method, op) in ops.as_object().unwrap() {
                let Some(schema) =
                    op["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()
                else {
                    continue;
                };
                let name = schema.rsplit('/').next().unwrap();
                let fields: Vec<String> = doc["components"]["schemas"][name]["properties"]
                    .as_object()
                    .map(|p| p.keys().cloned().collect())
                    .unwrap_or_default();
                let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let mut bodies = vec![json!({})];
                for j in &junk {
                    bodies.push(Value::Object(
                        fields.iter().map(|f| (f.clone(), j.clone())).collect(),
                    ));
                }
                for token in [&t.line_manager, &t.senior, &dpo] {
                    for body in &bodies {
                        let (s, v) = t
                            .send(method.clone(), token, &path, Some(body.clone()), None)
                            .await;
                        assert!(
                            !s.is_server_error(),
                            "{method} {path} {}: {s} {v}",
                            body.to_string().chars().take(200).collect::<String>()
                        );
                        tried += 1;
                    }
                }
            }
        }
        assert!(tried > 1000, "only {tried} requests were made");
    })
    .await;
}
