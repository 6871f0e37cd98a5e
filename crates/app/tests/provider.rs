//! Signing in through the office's OpenID provider (issue 12), once the door has verified
//! the ID token: the member of staff is created on first sign-in, or matched by username
//! and linked, then known by the provider's identity; the role follows the provider's
//! groups at each sign-in; nobody without a mapped role gets in, and nobody takes over a
//! username linked to another identity — on SQLite and (when configured) PostgreSQL. The
//! protocol itself is tested end to end against a real provider in the browser tests.

use tact_app::access::ProviderIdentity;
use tact_app::{App, AppError};
use tact_core::roles::Role;
use tact_core::sign_in::SecondFactor;
use tact_store::testing;

fn mapping() -> Vec<(String, Role)> {
    vec![
        ("tact-seniors".into(), Role::SeniorManager),
        ("tact-staff".into(), Role::Caseworker),
    ]
}

fn someone(subject: &str, username: &str, groups: &[&str]) -> ProviderIdentity {
    ProviderIdentity {
        issuer: "https://login.example.test/tenant/v2.0".into(),
        subject: subject.into(),
        username: username.into(),
        name: "Priya Shah".into(),
        email: Some("priya.shah@example.gov.uk".into()),
        groups: groups.iter().map(|g| (*g).to_string()).collect(),
    }
}

/// Signs in as the provider says `who` is, under [`mapping`].
async fn through_provider(
    app: &App,
    who: ProviderIdentity,
    id_token: &str,
) -> Result<tact_app::access::Started, AppError> {
    app.provider_sign_in(&who, &mapping(), id_token).await
}

async fn office(url: &str) -> App {
    let mut app = tact_app::testing::app_on_a_fixed_clock(url, "cleveland-opcc").await;
    // Single sign-on never asks for Tact's own second factor: the provider has its own.
    app.second_factor_required = true;
    app
}

#[tokio::test]
async fn issue_12_a_provider_sign_in_creates_the_member_of_staff_then_knows_them_by_identity() {
    for (name, url) in testing::fresh_urls().await {
        let app = office(&url).await;
        let first = through_provider(
            &app,
            someone("sub-1", "priya@example.gov.uk", &["tact-staff"]),
            "id.token.one",
        )
        .await
        .unwrap();
        assert_eq!(first.next, SecondFactor::NotNeeded, "{name}");
        assert_eq!(first.actor.role, Role::Caseworker, "{name}");
        assert_eq!(first.actor.name, "Priya Shah", "{name}");
        let (actor, _) = app.session(&first.token).await.unwrap().unwrap();
        assert_eq!(actor.id, first.actor.id, "{name}");
        // Signing out gives back the ID token, for signing out at the provider.
        assert_eq!(
            app.sign_out(&first.token).await.unwrap().as_deref(),
            Some("id.token.one"),
            "{name}"
        );
        assert!(app.session(&first.token).await.unwrap().is_none(), "{name}");
        // The provider moved them to the seniors' group, and changed their username: the
        // same member of staff, now a senior manager.
        let again = through_provider(
            &app,
            someone(
                "sub-1",
                "p.shah@example.gov.uk",
                &["tact-staff", "tact-seniors"],
            ),
            "id.token.two",
        )
        .await
        .unwrap();
        assert_eq!(again.actor.id, first.actor.id, "{name}");
        assert_eq!(again.actor.role, Role::SeniorManager, "{name}");
        assert_eq!(app.staff_directory().await.unwrap().len(), 1, "{name}");
    }
}

#[tokio::test]
async fn issue_12_a_provider_sign_in_links_an_existing_account_once_and_never_another() {
    for (name, url) in testing::fresh_urls().await {
        let app = office(&url).await;
        let kim = tact_app::testing::staff_with_password(
            &app,
            "Kim Lee",
            Role::LineManager,
            "kim@example.gov.uk",
            "a long enough password",
        )
        .await;
        let linked = through_provider(
            &app,
            someone("sub-kim", "KIM@example.gov.uk", &["tact-staff"]),
            "t",
        )
        .await
        .unwrap();
        assert_eq!(
            linked.actor.id, kim.id,
            "{name}: matched by username, without regard to case"
        );
        assert_eq!(
            linked.actor.role,
            Role::Caseworker,
            "{name}: the provider's role"
        );
        // Another identity at the provider claiming the same username does not get Kim's
        // account, nor a new one.
        let other = through_provider(
            &app,
            someone("sub-mallory", "kim@example.gov.uk", &["tact-staff"]),
            "t",
        )
        .await;
        assert!(matches!(other, Err(AppError::Rule(_))), "{name}: {other:?}");
        assert_eq!(app.staff_directory().await.unwrap().len(), 1, "{name}");
    }
}

#[tokio::test]
async fn issue_12_no_mapped_role_or_an_inactive_account_gets_no_session() {
    for (name, url) in testing::fresh_urls().await {
        let app = office(&url).await;
        let refused = through_provider(
            &app,
            someone("sub-2", "finance@example.gov.uk", &["finance"]),
            "t",
        )
        .await;
        let Err(AppError::Rule(r)) = refused else {
            panic!("{name}: {refused:?}");
        };
        assert!(
            r.message.contains("no role in Tact"),
            "{name}: {}",
            r.message
        );
        assert!(
            app.staff_directory().await.unwrap().is_empty(),
            "{name}: nobody is created"
        );
        // Someone made inactive in Tact stays out, whatever the provider says.
        let ok = through_provider(
            &app,
            someone("sub-3", "lee@example.gov.uk", &["tact-staff"]),
            "t",
        )
        .await
        .unwrap();
        let admin =
            tact_core::roles::Actor::staff(tact_core::ids::StaffId(0), "Operator", Role::Admin);
        app.execute(
            &tact_app::Ctx::new(admin),
            tact_core::command::ChangeStaff {
                staff: ok.actor.id,
                role: None,
                active: Some(false),
                line_manager: None,
            },
        )
        .await
        .unwrap();
        let gone = through_provider(
            &app,
            someone("sub-3", "lee@example.gov.uk", &["tact-staff"]),
            "t",
        )
        .await;
        assert!(matches!(gone, Err(AppError::Rule(_))), "{name}: {gone:?}");
    }
}
