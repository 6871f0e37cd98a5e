//! The records side of issue 5 on the real store: the access log, data-rights requests,
//! subject access and rectification — on SQLite and (when configured) PostgreSQL.

mod common;

use common::world;
use tact_core::model::{Restriction, Rule};
use tact_core::profile::Channel;
use tact_core::roles::Role;
use tact_store::testing;

fn email_only(_: tact_core::ids::StaffId) -> Vec<Restriction> {
    vec![Restriction {
        rule: Rule::SingleChannel {
            channel: Channel::Email,
        },
        reason: "Email lets us keep a record".into(),
    }]
}

/// Issue 5: every opening of a person's restrictions, incidents or adjustments is kept —
/// who and when — and only the DPO and auditors can read it.
#[tokio::test]
async fn opening_a_record_is_on_the_access_log_that_only_the_dpo_and_auditors_read() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let dpo = w
            .app
            .create_staff(None, "Dee Pee-Oh", Role::Dpo, None, None)
            .await
            .unwrap();
        let dpo = common::ctx(&dpo);
        // Nothing under a plan: a contact check opens nothing.
        let id = tact_core::identity::Identifier::Email(
            tact_core::identity::EmailAddress::parse("jo@example.org").unwrap(),
        );
        let v = w
            .app
            .contact_check(Some(&id), Channel::Email, None, w.app.now(), None);
        w.app.record_check_access(&w.cw.actor, &v).await.unwrap();
        assert!(w
            .app
            .access_log(&dpo.actor, Some(w.person), 10)
            .await
            .unwrap()
            .is_empty());
        w.plan_with(email_only).await;
        let v = w
            .app
            .contact_check(Some(&id), Channel::Phone, None, w.app.now(), None);
        assert!(!v.restrictions.is_empty());
        w.app.record_check_access(&w.cw.actor, &v).await.unwrap();
        w.app.person_record(&w.cw.actor, w.person).await.unwrap();
        let log = w
            .app
            .access_log(&dpo.actor, Some(w.person), 10)
            .await
            .unwrap();
        assert_eq!(log.len(), 2, "{name}: {log:?}");
        assert!(log.iter().all(|a| a.staff_id == w.cw.actor.id));
        assert!(log[0].what.contains("whole record"), "{name}: newest first");
        assert!(log[1].what.contains("contact check"));
        // A caseworker cannot read who looked.
        let e = w
            .app
            .access_log(&w.cw.actor, Some(w.person), 10)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("may not"), "{name}: {e}");
        let auditor = w
            .app
            .create_staff(None, "Aud Itor", Role::Auditor, None, None)
            .await
            .unwrap();
        assert_eq!(
            w.app
                .access_log(&common::ctx(&auditor).actor, None, 10)
                .await
                .unwrap()
                .len(),
            2
        );
    }
}
