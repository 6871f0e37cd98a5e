//! API tokens and service accounts (issue 12), through the real server on each backend:
//! tokens are named and expire; their holder and administrators list and revoke them;
//! nobody mints one for anyone else; a service account does only what its scope says and
//! is on the access log as itself.

use reqwest::Method;
use serde_json::{json, Value};
use tact_app::App;
use tact_core::roles::{Role, Scope};
use tact_store::testing;

/// The office's server, called through its API client (`o.ask(…)`, `o.base`).
struct Office {
    api: tact_web::TestClient,
    app: App,
    cas: String,
    cas_id: i64,
    ann_id: i64,
    admin: String,
    dpo: String,
}

async fn office(url: &str) -> Office {
    let app = tact_app::testing::app_on_a_fixed_clock(url, "cleveland-opcc").await;
    let mk = |name: &'static str, role: Role| {
        let app = app.clone();
        async move {
            let s = app
                .create_staff(None, name, role, None, None)
                .await
                .unwrap();
            (s.id.0, app.issue_token(None, s.id, "set-up").await.unwrap())
        }
    };
    let (cas_id, cas) = mk("Cas Worker", Role::Caseworker).await;
    let (ann_id, _) = mk("Ann Other", Role::Caseworker).await;
    let (_, admin) = mk("Ada Min", Role::Admin).await;
    let (_, dpo) = mk("Dee Pee-Oh", Role::Dpo).await;
    let base = tact_web::serve_on_loopback(app.clone()).await;
    Office {
        api: tact_web::TestClient::new(base),
        app,
        cas,
        cas_id,
        ann_id,
        admin,
        dpo,
    }
}

impl std::ops::Deref for Office {
    type Target = tact_web::TestClient;
    fn deref(&self) -> &Self::Target {
        &self.api
    }
}

impl Office {
    async fn mint(&self, token: &str, body: Value) -> (u16, Value) {
        self.ask(Method::POST, token, "/tokens", Some(body)).await
    }

    async fn works(&self, token: &str) -> bool {
        self.ask(Method::GET, token, "/profile", None).await.0 == 200
    }
}

#[tokio::test]
async fn a_token_is_named_expires_and_is_listed_and_revoked_by_its_holder() {
    for (name, url) in testing::fresh_urls().await {
        let o = office(&url).await;
        let (st, v) = o
            .mint(&o.cas, json!({"name": "my laptop", "days": 30}))
            .await;
        assert_eq!(st, 201, "{name}: {v}");
        let mine = v["token"].as_str().unwrap().to_string();
        let id = v["about"]["id"].as_i64().unwrap();
        assert_eq!(v["about"]["name"], "my laptop");
        assert_eq!(v["about"]["staff_id"], o.cas_id);
        assert!(o.works(&mine).await, "{name}");
        // Listed by its holder, never with its secret.
        let (st, list) = o.ask(Method::GET, &o.cas, "/tokens", None).await;
        assert_eq!(st, 200, "{name}: {list}");
        let listed: Vec<&Value> = list["tokens"].as_array().unwrap().iter().collect();
        assert!(listed
            .iter()
            .any(|t| t["id"] == id && t["name"] == "my laptop"));
        assert!(
            !list.to_string().contains(&mine),
            "{name}: the secret is never listed"
        );
        // A lifetime out of bounds is refused.
        let (st, v) = o
            .mint(&o.cas, json!({"name": "forever", "days": 10000}))
            .await;
        assert_eq!(
            (st, v["error"]["field"].as_str()),
            (400, Some("days")),
            "{name}"
        );
        // It expires: a day past its thirty, it no longer lets its holder in.
        o.app
            .clock
            .set(o.app.now() + jiff::SignedDuration::from_hours(24 * 31));
        assert!(!o.works(&mine).await, "{name}: expired");
        o.app
            .clock
            .set(o.app.now() - jiff::SignedDuration::from_hours(24 * 31));
        assert!(o.works(&mine).await, "{name}");
        // Revoked by its holder, it stops at once; revoking twice is a conflict.
        let (st, v) = o
            .ask(Method::DELETE, &o.cas, &format!("/tokens/{id}"), None)
            .await;
        assert_eq!(st, 200, "{name}: {v}");
        assert!(v["revoked_at"].is_string());
        assert!(!o.works(&mine).await, "{name}: revoked");
        let (st, _) = o
            .ask(Method::DELETE, &o.cas, &format!("/tokens/{id}"), None)
            .await;
        assert_eq!(st, 409, "{name}");
    }
}

#[tokio::test]
async fn nobody_mints_a_token_for_anyone_else_and_only_an_administrator_sees_everyones() {
    for (name, url) in testing::fresh_urls().await {
        let o = office(&url).await;
        for token in [&o.cas, &o.admin] {
            let (st, v) = o
                .mint(token, json!({"name": "theirs", "staff_id": o.ann_id}))
                .await;
            assert_eq!(st, 403, "{name}: {v}");
            let (st, _) = o
                .ask(
                    Method::POST,
                    token,
                    &format!("/staff/{}/tokens", o.ann_id),
                    Some(json!({"name": "theirs"})),
                )
                .await;
            assert_eq!(st, 403, "{name}");
        }
        // Another's tokens: not a caseworker's to list or revoke; an administrator's.
        let (st, _) = o
            .ask(
                Method::GET,
                &o.cas,
                &format!("/tokens?staff={}", o.ann_id),
                None,
            )
            .await;
        assert_eq!(st, 403, "{name}");
        let (st, _) = o.ask(Method::GET, &o.cas, "/tokens?staff=all", None).await;
        assert_eq!(st, 403, "{name}");
        let (st, all) = o
            .ask(Method::GET, &o.admin, "/tokens?staff=all", None)
            .await;
        assert_eq!(st, 200, "{name}");
        let cas_token = all["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["staff_id"] == o.cas_id)
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let (st, _) = o
            .ask(
                Method::DELETE,
                &o.dpo,
                &format!("/tokens/{cas_token}"),
                None,
            )
            .await;
        assert_eq!(st, 403, "{name}: not the DPO's to revoke");
        let (st, _) = o
            .ask(
                Method::DELETE,
                &o.admin,
                &format!("/tokens/{cas_token}"),
                None,
            )
            .await;
        assert_eq!(st, 200, "{name}");
        assert!(
            !o.works(&o.cas).await,
            "{name}: revoked by an administrator"
        );
    }
}

#[tokio::test]
async fn a_service_account_asks_the_contact_check_as_itself_and_nothing_else() {
    for (name, url) in testing::fresh_urls().await {
        let o = office(&url).await;
        let (st, phones) = o
            .ask(
                Method::POST,
                &o.admin,
                "/service-accounts",
                Some(json!({"name": "Phone system", "scope": "contact-check"})),
            )
            .await;
        assert_eq!(st, 201, "{name}: {phones}");
        assert_eq!(phones["scope"], "contact-check");
        let (st, _) = o
            .ask(
                Method::POST,
                &o.cas,
                "/service-accounts",
                Some(json!({"name": "Mine", "scope": "contact-check"})),
            )
            .await;
        assert_eq!(st, 403, "{name}: an administrator's to add");
        // A caseworker may not mint its token; an administrator may.
        let holder = phones["id"].as_i64().unwrap();
        let (st, _) = o
            .mint(&o.cas, json!({"name": "pbx", "staff_id": holder}))
            .await;
        assert_eq!(st, 403, "{name}");
        let (st, v) = o
            .mint(&o.admin, json!({"name": "pbx", "staff_id": holder}))
            .await;
        assert_eq!(st, 201, "{name}: {v}");
        let pbx = v["token"].as_str().unwrap().to_string();

        // A person under a plan-free record, with a number to look up.
        let (st, jo) = o
            .ask(
                Method::POST,
                &o.cas,
                "/people",
                Some(json!({"name": "Jo Bloggs", "phones": ["+447700900123"], "keep_unverified": true})),
            )
            .await;
        assert_eq!(st, 201, "{name}: {jo}");
        let (st, v) = o
            .ask(
                Method::GET,
                &pbx,
                "/contact-check?phone=%2B447700900123",
                None,
            )
            .await;
        assert_eq!(st, 200, "{name}: {v}");
        assert_eq!(v["person"]["id"], jo["id"]);
        // Nothing else: not the person, not a contact, not its own new token.
        let jo_id = jo["id"].as_i64().unwrap();
        for (method, path, body) in [
            (Method::GET, format!("/people/{jo_id}"), None),
            (Method::GET, "/staff".to_string(), None),
            (Method::GET, "/tasks".to_string(), None),
            (
                Method::POST,
                "/contacts".to_string(),
                Some(
                    json!({"channel": "phone", "direction": "inbound", "phone": "+447700900123", "summary": "rang"}),
                ),
            ),
            (
                Method::POST,
                "/tokens".to_string(),
                Some(json!({"name": "another"})),
            ),
        ] {
            let (st, v) = o.ask(method, &pbx, &path, body).await;
            assert_eq!(st, 403, "{name}: {path}: {v}");
        }
        // A service account never signs in.
        let e = o
            .app
            .set_credentials(
                None,
                tact_core::ids::StaffId(holder),
                "pbx",
                "a long enough password",
            )
            .await;
        assert!(e.is_err(), "{name}");
        // A log-contact account may also log what it answered.
        let logger = o
            .app
            .create_service_account(None, "Mail gateway", Scope::LogContact)
            .await
            .unwrap();
        let gw = o.app.issue_token(None, logger.id, "gateway").await.unwrap();
        let (st, v) = o
            .ask(
                Method::POST,
                &gw,
                "/contacts",
                Some(json!({"channel": "phone", "direction": "inbound", "phone": "+447700900123", "summary": "rang"})),
            )
            .await;
        assert!((200..300).contains(&st), "{name}: {st} {v}");
        assert_eq!(
            o.ask(Method::GET, &gw, &format!("/people/{jo_id}"), None)
                .await
                .0,
            403,
            "{name}"
        );
    }
}

/// Changing staff through the API: a line manager is another active member of staff with
/// no loop (CLE-4.5; NOR-6.1: follow-ups go to them), and the last active administrator
/// can neither leave nor change role (409); nothing is changed by a refusal, and a line
/// manager who is not on the staff list is a 422 (issue 11: named in the body). A contact
/// logged as answered by someone not on the staff list is a 422 naming `answered_by`.
#[tokio::test]
async fn cle_4_5_staff_changes_keep_a_real_line_manager_and_an_administrator() {
    for (name, url) in testing::fresh_urls().await {
        let o = office(&url).await;
        let staff = o.ask(Method::GET, &o.admin, "/staff", None).await.1;
        let id_of = |n: &str| {
            staff["staff"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["name"] == n)
                .unwrap()["id"]
                .as_i64()
                .unwrap()
        };
        let (ada, cas, ann) = (id_of("Ada Min"), o.cas_id, o.ann_id);
        let o = &o;
        let change = |id: i64, body: Value| async move {
            o.ask(Method::POST, &o.admin, &format!("/staff/{id}"), Some(body))
                .await
        };
        for (id, body, status, field) in [
            (cas, json!({"line_manager": cas}), 400, "line_manager"),
            (cas, json!({"line_manager": 99_999}), 422, "line_manager"),
            (ada, json!({"active": false}), 409, "active"),
            (ada, json!({"role": "caseworker"}), 409, "role"),
        ] {
            let (st, v) = change(id, body.clone()).await;
            assert_eq!(st, status, "{name}: {body}: {v}");
            assert_eq!(v["error"]["field"], field, "{name}: {v}");
        }
        // Ann manages Cas; then Cas cannot manage Ann.
        assert_eq!(change(cas, json!({"line_manager": ann})).await.0, 200);
        let (st, v) = change(ann, json!({"line_manager": cas})).await;
        assert_eq!(st, 400, "{name}: {v}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains("loop"),
            "{v}"
        );
        // Left out, the line manager stays; null takes it away.
        let (_, v) = change(cas, json!({"role": "caseworker"})).await;
        assert_eq!(v["line_manager"], ann, "{name}: {v}");
        let (_, v) = change(cas, json!({"line_manager": null})).await;
        assert!(v["line_manager"].is_null(), "{name}: {v}");
        // A manager who has left cannot be given to anyone new.
        assert_eq!(change(ann, json!({"active": false})).await.0, 200);
        let (st, _) = change(cas, json!({"line_manager": ann})).await;
        assert_eq!(st, 400, "{name}");
        let after = o.ask(Method::GET, &o.admin, "/staff", None).await.1;
        let ada_after = after["staff"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == ada)
            .unwrap()
            .clone();
        assert_eq!(
            (ada_after["active"].as_bool(), ada_after["role"].as_str()),
            (Some(true), Some("admin")),
            "{name}"
        );
        assert!(
            o.works(&o.admin).await,
            "{name}: the administrator still signs in"
        );
        // A contact answered by someone not on the staff list.
        let (st, v) = o
            .ask(
                Method::POST,
                &o.cas,
                "/calls/c-1/outcome",
                Some(json!({"outcome": "answered", "answered_by": 99_999})),
            )
            .await;
        assert_eq!(
            (st, v["error"]["field"].as_str()),
            (422, Some("answered_by")),
            "{name}: {v}"
        );
    }
}

/// The last active administrator holds under concurrency: two administrators disabling each
/// other at the same moment take turns (the change reads the staff it decides on inside its
/// own transaction, locked on PostgreSQL), so one is refused (409) and one administrator
/// is left, on both backends.
#[tokio::test]
async fn two_administrators_disabling_each_other_at_once_leave_one() {
    for (name, url) in testing::fresh_urls().await {
        let o = office(&url).await;
        let bea = o
            .app
            .create_staff(None, "Bea Min", Role::Admin, None, None)
            .await
            .unwrap();
        let bea_token = o.app.issue_token(None, bea.id, "set-up").await.unwrap();
        let staff = o.ask(Method::GET, &o.admin, "/staff", None).await.1;
        let ada = staff["staff"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == "Ada Min")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        for _ in 0..5 {
            let off = json!({"active": false});
            let (to_bea, to_ada) = (format!("/staff/{}", bea.id.0), format!("/staff/{ada}"));
            let (a, b) = tokio::join!(
                o.ask(Method::POST, &o.admin, &to_bea, Some(off.clone())),
                o.ask(Method::POST, &bea_token, &to_ada, Some(off.clone())),
            );
            let mut statuses = [a.0, b.0];
            statuses.sort_unstable();
            // A token of a disabled holder is refused (401) once its holder is disabled.
            assert!(
                statuses == [200, 409] || statuses == [200, 401],
                "{name}: {a:?} {b:?}"
            );
            let left = tact_app::testing::staff_list(&o.app)
                .await
                .into_iter()
                .filter(|s| s.role == Role::Admin && s.active)
                .count();
            assert_eq!(left, 1, "{name}: one administrator is left");
            // Both back on, for the next round.
            let mut tx = o.app.store().begin().await.unwrap();
            for mut s in tx.staff_held().await.unwrap() {
                if s.role == Role::Admin && !s.active {
                    s.active = true;
                    tx.update_staff(&s).await.unwrap();
                }
            }
            tx.commit().await.unwrap();
        }
    }
}
