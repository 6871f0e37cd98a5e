//! Sharing with partners (CLE-9.15), under both profiles.

use jiff::Timestamp;
use tact_core::ids::{DisclosureId, PersonId, StaffId};
use tact_core::model::TaskKind;
use tact_core::profile::Profile;
use tact_core::roles::{Actor, Role};
use tact_core::sharing::*;
use tact_core::RuleErrorKind;

fn now() -> Timestamp {
    "2026-11-20T11:00:00Z".parse().unwrap()
}

fn who(id: i64, role: Role) -> Actor {
    Actor::staff(StaffId(id), format!("staff {id}"), role)
}

fn ask() -> DisclosureRequest {
    DisclosureRequest {
        partner: "Cleveland Police".into(),
        reason: "Threats to staff reported as a crime".into(),
        details: "The contact strategy and the incident of 3 November".into(),
    }
}

fn requested(p: &Profile) -> Disclosure {
    let d = request_disclosure(p, &who(2, Role::LineManager), PersonId(1), ask(), now())
        .expect("a manager may ask");
    Disclosure {
        id: DisclosureId(9),
        ..d.record
    }
}

#[test]
fn cle_9_15_a_request_names_partner_and_legitimate_reason_and_waits_for_the_dpo() {
    for name in ["cleveland-opcc", "northamptonshire-opfcc"] {
        let p = Profile::built_in(name).unwrap();
        let d =
            request_disclosure(&p, &who(2, Role::LineManager), PersonId(1), ask(), now()).unwrap();
        assert_eq!(d.record.status, DisclosureStatus::Requested, "{name}");
        let t = &d.tasks[0];
        assert_eq!(t.kind, TaskKind::DisclosureDecision);
        assert_eq!(t.role, Some(Role::Dpo), "{name}: the DPO decides");
        for blank in ["partner", "reason", "details"] {
            let mut a = ask();
            match blank {
                "partner" => a.partner = " ".into(),
                "reason" => a.reason = String::new(),
                _ => a.details = String::new(),
            }
            let e = request_disclosure(&p, &who(2, Role::LineManager), PersonId(1), a, now())
                .unwrap_err();
            assert_eq!(e.field.as_deref(), Some(blank), "{name}");
        }
        // A caseworker may not ask under either profile's roles.
        let e = request_disclosure(&p, &who(1, Role::Caseworker), PersonId(1), ask(), now())
            .unwrap_err();
        assert_eq!(e.kind, RuleErrorKind::Forbidden, "{name}");
    }
}

#[test]
fn cle_9_15_only_the_dpo_approves_or_refuses() {
    let p = Profile::built_in("cleveland-opcc").unwrap();
    let d = requested(&p);
    for role in [Role::SeniorManager, Role::LineManager, Role::Caseworker] {
        let e = decide_disclosure(&p, &who(3, role), &d, true, "fine", now()).unwrap_err();
        assert_eq!(e.kind, RuleErrorKind::Forbidden, "{role:?}");
        assert_eq!(e.clause.as_deref(), Some("CLE-9.15"));
    }
    let dpo = who(5, Role::Dpo);
    assert!(
        decide_disclosure(&p, &dpo, &d, true, " ", now()).is_err(),
        "reasons are needed"
    );
    let ok = decide_disclosure(&p, &dpo, &d, true, "Crime prevention", now()).unwrap();
    assert_eq!(ok.record.status, DisclosureStatus::Approved);
    assert_eq!(ok.closes, vec![TaskKind::DisclosureDecision]);
    assert_eq!(ok.tasks[0].kind, TaskKind::ShareDisclosure);
    assert_eq!(ok.tasks[0].assignee, Some(StaffId(2)), "back to who asked");
    // Decided once.
    assert_eq!(
        decide_disclosure(&p, &dpo, &ok.record, false, "changed my mind", now())
            .unwrap_err()
            .kind,
        RuleErrorKind::Conflict
    );
    let refused = decide_disclosure(&p, &dpo, &d, false, "No legitimate reason", now()).unwrap();
    assert_eq!(refused.record.status, DisclosureStatus::Refused);
    assert!(refused.tasks.is_empty());
}

#[test]
fn cle_9_15_nothing_is_recorded_as_shared_before_approval_and_the_log_keeps_what_went() {
    let p = Profile::built_in("cleveland-opcc").unwrap();
    let lm = who(2, Role::LineManager);
    let d = requested(&p);
    let e = record_shared(&p, &lm, &d, "the strategy", now(), now()).unwrap_err();
    assert_eq!(e.kind, RuleErrorKind::Conflict);
    assert!(e
        .message
        .contains("before the Data Protection Officer approves"));
    let approved = decide_disclosure(&p, &who(5, Role::Dpo), &d, true, "ok", now())
        .unwrap()
        .record;
    assert!(record_shared(&p, &lm, &approved, "", now(), now()).is_err());
    let later = now() + jiff::SignedDuration::from_hours(1);
    assert!(
        record_shared(&p, &lm, &approved, "x", later, now()).is_err(),
        "not in the future"
    );
    // Nor before the approval it needed: the log would show it shared ahead of the DPO.
    let before = now() - jiff::SignedDuration::from_hours(1);
    let e = record_shared(&p, &lm, &approved, "x", before, now()).unwrap_err();
    assert_eq!(
        (e.kind, e.field.as_deref()),
        (RuleErrorKind::Conflict, Some("shared_at"))
    );
    let shared = record_shared(&p, &lm, &approved, "Letter of 20 November", now(), now()).unwrap();
    assert_eq!(shared.record.status, DisclosureStatus::Shared);
    assert_eq!(
        shared.record.shared_what.as_deref(),
        Some("Letter of 20 November")
    );
    assert_eq!(shared.closes, vec![TaskKind::ShareDisclosure]);
    assert!(record_shared(&p, &lm, &shared.record, "again", now(), now()).is_err());
}
