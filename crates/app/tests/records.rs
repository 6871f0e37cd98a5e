//! The records side of issue 5 on the real store: the access log, data-rights requests,
//! subject access and rectification — on SQLite and (when configured) PostgreSQL.

mod common;

use common::{email_only, world};
use tact_app::query as q;
use tact_core::command as cmd;
use tact_core::profile::Channel;
use tact_core::roles::Role;
use tact_store::testing;

/// Issue 5: every opening of a person's restrictions, incidents or adjustments is kept —
/// who and when — and only the DPO and auditors can read it.
#[tokio::test]
async fn opening_a_record_is_on_the_access_log_that_only_the_dpo_and_auditors_read() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let dpo = tact_app::testing::staff(&w.app, "Dee Pee-Oh", Role::Dpo).await;
        let dpo = common::ctx(&dpo);
        // Nothing under a plan: a contact check opens nothing.
        let id = tact_core::identity::Identifier::Email(
            tact_core::identity::EmailAddress::parse("jo@example.org").unwrap(),
        );
        let v = w.verdict(id.clone(), Channel::Email).await;
        assert!(v.restrictions.is_empty(), "{name}");
        assert!(w
            .app
            .query(
                &dpo.actor,
                q::AccessLog {
                    person: Some(w.person),
                    limit: 10
                }
            )
            .await
            .unwrap()
            .is_empty());
        w.plan_with(email_only).await;
        let v = w.verdict(id.clone(), Channel::Phone).await;
        assert!(!v.restrictions.is_empty());
        w.app
            .query(&w.cw.actor, q::Record { id: w.person })
            .await
            .unwrap();
        let log = w
            .app
            .query(
                &dpo.actor,
                q::AccessLog {
                    person: Some(w.person),
                    limit: 10,
                },
            )
            .await
            .unwrap();
        assert_eq!(log.len(), 2, "{name}: {log:?}");
        assert!(log.iter().all(|a| a.staff_id == w.cw.actor.id));
        assert!(log[0].what.contains("whole record"), "{name}: newest first");
        assert!(log[1].what.contains("contact check"));
        // A caseworker cannot read who looked.
        let e = w
            .app
            .query(
                &w.cw.actor,
                q::AccessLog {
                    person: Some(w.person),
                    limit: 10,
                },
            )
            .await
            .unwrap_err();
        assert!(e.to_string().contains("may not"), "{name}: {e}");
        let auditor = tact_app::testing::staff(&w.app, "Aud Itor", Role::Auditor).await;
        assert_eq!(
            w.app
                .query(
                    &common::ctx(&auditor).actor,
                    q::AccessLog {
                        person: None,
                        limit: 10
                    }
                )
                .await
                .unwrap()
                .len(),
            2
        );
    }
}

async fn open_of(
    w: &common::World,
    kind: tact_core::model::TaskKind,
) -> Vec<tact_core::model::Task> {
    w.app
        .store()
        .tasks(
            &tact_store::TaskFilter {
                open_only: true,
                kind: Some(kind),
                person: Some(w.person),
                ..Default::default()
            },
            100,
        )
        .await
        .unwrap()
}

/// Issue 5: a data-rights request from a restricted person reaches the DPO whatever the
/// plan says, with its one-month deadline, extendable once by two months within that month.
#[tokio::test]
async fn a_data_rights_request_from_a_restricted_person_reaches_the_dpo_with_its_deadline() {
    use tact_core::model::TaskKind;
    use tact_core::rights::{one_month_from, RightKind, RightStatus};
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        // Letters only: a phone call is not allowed under the plan…
        w.plan_with(common::letters).await;
        let phone = tact_core::identity::Identifier::Email(
            tact_core::identity::EmailAddress::parse("jo@example.org").unwrap(),
        );
        let v = w.verdict(phone.clone(), Channel::Phone).await;
        assert!(!v.allowed(), "{name}");
        // …but a request for their data, made on that call, goes to the DPO all the same.
        let r = w
            .app
            .execute(
                &w.cw,
                cmd::ReceiveRightsRequest {
                    person: w.person,
                    kind: RightKind::Access,
                    details: "Wants a copy of everything we hold".into(),
                    channel: Channel::Phone,
                    received_on: None,
                },
            )
            .await
            .unwrap();
        let today = tact_core::check::uk_date(w.app.now());
        assert_eq!(r.due_on, one_month_from(today));
        let tasks = open_of(&w, TaskKind::DataRights).await;
        assert_eq!(tasks.len(), 1, "{name}");
        assert_eq!(tasks[0].task.role, Some(Role::Dpo));
        assert_eq!(tasks[0].task.due_on, Some(r.due_on));
        // Only the DPO extends or answers.
        assert!(w
            .app
            .execute(
                &w.cw,
                cmd::AnswerRightsRequest {
                    request: r.id,
                    answer: tact_core::rights::RightsAnswer::Extend,
                    text: "Many records".into()
                }
            )
            .await
            .is_err());
        let dpo = common::ctx(&tact_app::testing::staff(&w.app, "Dee Pee-Oh", Role::Dpo).await);
        let e = w
            .app
            .execute(
                &dpo,
                cmd::AnswerRightsRequest {
                    request: r.id,
                    answer: tact_core::rights::RightsAnswer::Extend,
                    text: " ".into(),
                },
            )
            .await
            .unwrap_err();
        assert!(e.to_string().contains("reason"), "{name}: {e}");
        let x = w
            .app
            .execute(
                &dpo,
                cmd::AnswerRightsRequest {
                    request: r.id,
                    answer: tact_core::rights::RightsAnswer::Extend,
                    text: "Twelve years of correspondence to gather".into(),
                },
            )
            .await
            .unwrap();
        let to = r.due_on + jiff::Span::new().months(2);
        assert_eq!(x.extended_to, Some(to));
        assert_eq!(x.deadline(), to);
        let tasks = open_of(&w, TaskKind::DataRights).await;
        assert_eq!(
            tasks.len(),
            1,
            "{name}: the first deadline's task gives way"
        );
        assert_eq!(tasks[0].task.due_on, Some(to));
        let tell = open_of(&w, TaskKind::SendNotice).await;
        assert!(
            tell.iter().any(|t| t
                .task
                .title
                .starts_with("Tell them the answer will come by")
                && t.task.due_on == Some(r.due_on)),
            "{name}: the person is told within the first month: {tell:?}"
        );
        let e = w
            .app
            .execute(
                &dpo,
                cmd::AnswerRightsRequest {
                    request: r.id,
                    answer: tact_core::rights::RightsAnswer::Extend,
                    text: "Again".into(),
                },
            )
            .await
            .unwrap_err();
        assert!(e.to_string().contains("only once"), "{name}: {e}");
        let done = w
            .app
            .execute(
                &dpo,
                cmd::AnswerRightsRequest {
                    request: r.id,
                    answer: tact_core::rights::RightsAnswer::Done,
                    text: "Bundle sent by post".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(done.status, RightStatus::Done);
        assert!(open_of(&w, TaskKind::DataRights).await.is_empty(), "{name}");
        assert!(w
            .app
            .execute(
                &dpo,
                cmd::AnswerRightsRequest {
                    request: r.id,
                    answer: tact_core::rights::RightsAnswer::Refused,
                    text: "x".into()
                }
            )
            .await
            .is_err());
        // Not in the future, nor before the law it is made under took effect (a mistyped
        // year); and an extension only within the first month.
        for (received_on, said) in [
            (today + jiff::Span::new().days(2), "future"),
            (jiff::civil::date(202, 11, 30), "25 May 2018"),
        ] {
            let e = w
                .app
                .execute(
                    &w.cw,
                    cmd::ReceiveRightsRequest {
                        person: w.person,
                        kind: RightKind::Erasure,
                        details: "Delete it all".into(),
                        channel: Channel::Letter,
                        received_on: Some(received_on),
                    },
                )
                .await
                .unwrap_err();
            assert!(e.to_string().contains(said), "{name}: {e}");
        }
        let late = w
            .app
            .execute(
                &w.cw,
                cmd::ReceiveRightsRequest {
                    person: w.person,
                    kind: RightKind::Objection,
                    details: "Objects to the plan's use of their data".into(),
                    channel: Channel::Letter,
                    received_on: Some(today - jiff::Span::new().days(40)),
                },
            )
            .await
            .unwrap();
        assert!(late.overdue(today));
        let e = w
            .app
            .execute(
                &dpo,
                cmd::AnswerRightsRequest {
                    request: late.id,
                    answer: tact_core::rights::RightsAnswer::Extend,
                    text: "Complex".into(),
                },
            )
            .await
            .unwrap_err();
        assert!(
            e.to_string().contains("within the first month"),
            "{name}: {e}"
        );
        assert_eq!(
            w.app
                .query(&dpo.actor, q::RightsRequests {})
                .await
                .unwrap()
                .len(),
            1
        );
    }
}

/// Issue 5: rectification — wrong details are put right and the change is recorded as a
/// rectification, with what was wrong and which details changed, not the wrong values.
#[tokio::test]
async fn wrong_details_are_rectified_and_recorded_as_such() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let input = |n: &str| tact_app::PersonInput {
            name: n.into(),
            emails: vec![tact_core::identity::EmailAddress::parse("jo@example.org").unwrap()],
            ..Default::default()
        };
        let e = w
            .app
            .execute(
                &w.cw,
                cmd::RectifyPerson {
                    person: w.person,
                    input: input("Joanne Bloggs"),
                    what_was_wrong: " ".into(),
                },
            )
            .await
            .unwrap_err();
        assert!(
            e.to_string().contains("what_was_wrong") || e.to_string().contains("empty"),
            "{name}: {e}"
        );
        let e = w
            .app
            .execute(
                &w.cw,
                cmd::RectifyPerson {
                    person: w.person,
                    input: input("Jo Bloggs"),
                    what_was_wrong: "Nothing".into(),
                },
            )
            .await
            .unwrap_err();
        assert!(e.to_string().contains("nothing was changed"), "{name}: {e}");
        let p = w
            .app
            .execute(
                &w.cw,
                cmd::RectifyPerson {
                    person: w.person,
                    input: input("Joanne Bloggs"),
                    what_was_wrong: "Her name was taken down wrongly on the first call".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(p.name, "Joanne Bloggs");
        let events = w.app.store().audit_of(w.person).await.unwrap();
        let r = events
            .iter()
            .find(|e| e.action == "person.rectified")
            .expect("recorded as a rectification");
        assert_eq!(
            r.reason.as_deref(),
            Some("Her name was taken down wrongly on the first call")
        );
        assert!(
            r.detail.contains("name") && !r.detail.contains("Jo Bloggs"),
            "{}",
            r.detail
        );
        // The contact check finds her under the right name.
        let id = tact_core::identity::Identifier::Email(
            tact_core::identity::EmailAddress::parse("jo@example.org").unwrap(),
        );
        let v = w.verdict(id.clone(), Channel::Email).await;
        assert_eq!(v.name.as_deref(), Some("Joanne Bloggs"), "{name}");
    }
}

/// Issue 5: the governance report counts plans by category and stage, reviews done on
/// time, breaches, disputes and adjustments for the period asked for — and nothing from
/// outside it.
#[tokio::test]
async fn the_governance_report_counts_the_quarter() {
    use tact_core::governance::Period;
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let (sid, lm) = w.plan_with(common::letters).await;
        let lm = common::ctx(&w.app.store().staff(lm).await.unwrap().unwrap());
        // A breach: an email under a letters-only plan.
        let raw = b"From: jo@example.org\r\nSubject: Again\r\nMessage-ID: <gov-1@example.org>\r\n\r\nText\r\n";
        w.app
            .import_message("enquiries", raw, &tact_mail::Limits::default())
            .await
            .unwrap();
        // A review, on time, by whoever authorised it.
        let s = w.app.plan_as_stored(sid).await.unwrap();
        let sm = common::ctx(
            &w.app
                .store()
                .staff(s.decided_by.unwrap())
                .await
                .unwrap()
                .unwrap(),
        );
        common::review_and_continue(&w.app, &sm, sid, "Still needed", "One email")
            .await
            .unwrap();
        // An adjustment asked for and granted.
        w.adjustment_granted(&lm).await;
        let quarter = Period::quarter_of(tact_core::check::uk_date(w.app.now()));
        let r = w
            .app
            .query(&lm.actor, q::Governance { period: quarter })
            .await
            .unwrap();
        assert_eq!(r.started.values().sum::<u64>(), 1, "{name}: {r:?}");
        assert_eq!(r.in_force_at_end.values().sum::<u64>(), 1, "{name}");
        assert_eq!((r.reviews_on_time, r.reviews_late), (1, 0), "{name}");
        assert_eq!(r.breaches, 1, "{name}");
        assert_eq!(
            (
                r.adjustments_requested,
                r.adjustments_granted,
                r.adjustments_refused
            ),
            (1, 1, 0)
        );
        let csv = r.csv();
        assert!(csv.contains(",reviews,on time,1\n"), "{csv}");
        assert!(csv.contains(",breaches,recorded,1\n"), "{csv}");
        // The quarter before saw none of it.
        let before = w
            .app
            .query(
                &lm.actor,
                q::Governance {
                    period: quarter.previous_quarter(),
                },
            )
            .await
            .unwrap();
        assert_eq!(
            before.breaches + before.reviews_on_time + before.adjustments_requested,
            0
        );
        assert!(before.started.is_empty() && before.in_force_at_end.is_empty());
        // A period that ends before it starts is refused.
        let back = Period {
            from: quarter.to,
            to: quarter.from,
        };
        assert!(w
            .app
            .query(&lm.actor, q::Governance { period: back })
            .await
            .is_err());
    }
}

/// NOR-9.1 and issue 5: records fall due six years after the complaint is finalised or the
/// correspondence answered; a dry run lists them, a legal hold keeps them, and the disposal
/// destroys them — leaving a register entry, and an event log whose chain still verifies.
#[tokio::test]
async fn nor_9_1_records_are_disposed_of_six_years_on_unless_held_and_the_chain_still_verifies() {
    use tact_app::Clock;
    use tact_core::retention::Disposal;
    for (name, url) in testing::fresh_urls().await {
        let w = common::world_under(&url, "northamptonshire-opfcc").await;
        let dpo = common::ctx(&tact_app::testing::staff(&w.app, "Dee Pee-Oh", Role::Dpo).await);
        match w.app.disposal_of(w.person).await.unwrap() {
            Disposal::Kept(why) => assert!(why.contains("not finalised"), "{name}: {why}"),
            other => panic!("{name}: {other:?}"),
        }
        let today = tact_core::check::uk_date(w.app.now());
        w.app
            .execute(
                &w.cw,
                cmd::SetMatterStatus {
                    matter: w.matter,
                    status: tact_core::model::MatterStatus::Finalised,
                    finalised_on: Some(today),
                },
            )
            .await
            .unwrap();
        assert_eq!(
            w.app.disposal_of(w.person).await.unwrap(),
            Disposal::DueOn(today + jiff::Span::new().years(6)),
            "{name}"
        );
        // Someone else, with a matter still open, is kept.
        let other = w
            .app
            .execute(
                &w.cw,
                cmd::CreatePerson {
                    input: tact_app::PersonInput {
                        name: "Sam Other".into(),
                        ..Default::default()
                    },
                },
            )
            .await
            .unwrap();
        w.app
            .execute(
                &w.cw,
                cmd::OpenMatter {
                    person: other.id,
                    kind: tact_core::model::MatterKind::Complaint,
                    title: "Open".into(),
                },
            )
            .await
            .unwrap();
        // Seven years on.
        let later = w.app.with_clock(Clock::fixed(
            w.app.now() + jiff::SignedDuration::from_hours(24 * 366 * 7),
        ));
        assert!(
            later
                .query(&w.cw.actor, q::DueForDisposal {})
                .await
                .is_err(),
            "only the DPO"
        );
        let (hold, _) = later
            .execute(
                &dpo,
                cmd::PlaceHold {
                    person: w.person,
                    reason: "Litigation about the complaint".into(),
                },
            )
            .await
            .unwrap();
        assert!(
            later
                .query(&dpo.actor, q::DueForDisposal {})
                .await
                .unwrap()
                .is_empty(),
            "{name}: held"
        );
        later.execute(&dpo, cmd::LiftHold { hold }).await.unwrap();
        let due = later.query(&dpo.actor, q::DueForDisposal {}).await.unwrap();
        assert_eq!(due.len(), 1, "{name}: {due:?}");
        assert_eq!(due[0].person, w.person);
        // The dry run destroyed nothing; the day's job asks the DPO to look.
        assert!(later.store().person(w.person).await.unwrap().is_some());
        assert_eq!(
            later.run_jobs(Some("retention")).await.unwrap()[0].1,
            tact_app::jobs::JobOutcome::Ran { tasks: 1 },
            "{name}"
        );
        assert_eq!(
            open_of(&w, tact_core::model::TaskKind::Disposal)
                .await
                .len(),
            0,
            "the task is not about the person"
        );
        let gone = later
            .execute(&dpo, cmd::DisposeDue { confirm: true })
            .await
            .unwrap();
        assert_eq!(gone.len(), 1);
        let count = |k: &str| {
            gone[0]
                .counts
                .iter()
                .find(|(what, _)| what == k)
                .map_or(0, |(_, n)| *n)
        };
        assert_eq!((count("person"), count("matters")), (1, 1), "{name}");
        assert!(count("event-log entries redacted") > 0);
        assert!(later.store().person(w.person).await.unwrap().is_none());
        assert!(later.store().person(other.id).await.unwrap().is_some());
        let open_disposal = later
            .store()
            .tasks(
                &tact_store::TaskFilter {
                    open_only: true,
                    kind: Some(tact_core::model::TaskKind::Disposal),
                    ..Default::default()
                },
                10,
            )
            .await
            .unwrap();
        assert!(
            open_disposal.is_empty(),
            "{name}: the disposal closes its task"
        );
        assert!(later.store().audit_of(w.person).await.unwrap().is_empty());
        let id = tact_core::identity::Identifier::Email(
            tact_core::identity::EmailAddress::parse("jo@example.org").unwrap(),
        );
        assert!(later
            .query(
                &w.cw.actor,
                q::Check {
                    caller: Some(id.clone()),
                    channel: Channel::Email,
                    staff: None,
                    at: later.now(),
                    matter: None,
                    person: None,
                },
            )
            .await
            .unwrap()
            .verdict
            .person
            .is_none());
        let register = later.store().disposal_register(10).await.unwrap();
        assert_eq!(register.len(), 1);
        assert_eq!(register[0].reference, gone[0].reference);
        assert!(
            register[0].destroyed.contains("person: 1"),
            "{}",
            register[0].destroyed
        );
        assert!(!register[0].destroyed.contains("Jo Bloggs"));
        // The chain still verifies with the words gone…
        later
            .verify_audit()
            .await
            .unwrap()
            .expect("an intact chain");
        // …and the deep check finds every record as the log last recorded it, the disposed
        // ones recorded as disposed of, not as gone (issue 12).
        later.seal_contacts().await.unwrap();
        let (_, _, found) = later
            .verify_deep(&[], b"")
            .await
            .unwrap()
            .expect("an intact chain");
        assert!(found.differences.is_empty(), "{name}: {found:?}");
        assert_eq!(found.awaiting_seal, 0, "{name}");
        // …but an entry marked redacted that still has its words does not.
        tact_store::testing::raw(later.store(), "UPDATE audit_log SET redacted_at = 1 WHERE seq = (SELECT MAX(seq) FROM audit_log WHERE redacted_at IS NULL AND (reason IS NOT NULL OR detail <> '{}'))").await;
        let broken = later.verify_audit().await.unwrap().unwrap_err();
        assert!(
            broken.problem.contains("still has words"),
            "{name}: {broken:?}"
        );
    }
}

/// One entry for reads (issue 11): `App::query` checks the asker's role against the query's
/// read kind before anything is read — a caseworker asking for the disclosure log (CLE-9.15)
/// or the access log is refused and nothing goes on the access log — and a permitted read
/// of a person's plans is logged as theirs.
#[tokio::test]
async fn cle_9_15_the_query_entry_refuses_a_role_before_it_reads_and_logs_what_it_opens() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let dpo = tact_app::testing::staff(&w.app, "Dee Pee-Oh", Role::Dpo).await;
        let dpo = common::ctx(&dpo);
        let person = w.person;
        let log = async |who: &tact_core::roles::Actor| {
            w.app
                .query(
                    who,
                    q::AccessLog {
                        person: Some(person),
                        limit: 10,
                    },
                )
                .await
        };
        let refused = w
            .app
            .query(&w.cw.actor, q::DisclosureLog { limit: 10 })
            .await
            .unwrap_err();
        match refused {
            tact_app::AppError::Rule(e) => {
                assert_eq!(e.kind, tact_core::error::RuleErrorKind::Forbidden, "{name}");
                assert_eq!(e.clause.as_deref(), Some("CLE-9.15"), "{name}");
            }
            other => panic!("{name}: {other:?}"),
        }
        assert!(log(&w.cw.actor).await.is_err(), "{name}");
        assert!(log(&dpo.actor).await.unwrap().is_empty(), "{name}");
        let plans = w
            .app
            .query(&w.cw.actor, q::Plans { person: w.person })
            .await
            .unwrap();
        assert!(plans.is_empty(), "{name}");
        let seen = log(&dpo.actor).await.unwrap();
        assert_eq!(seen.len(), 1, "{name}");
        assert_eq!(seen[0].staff_id, w.cw.actor.id, "{name}");
        assert_eq!(seen[0].what, "plans", "{name}");
        // A plan worked on by a form is not a reading of it; a plan opened to read is.
        let (sid, _) = w.plan_with(email_only).await;
        let before = log(&dpo.actor).await.unwrap().len();
        w.app.query(&w.cw.actor, q::Plan { id: sid }).await.unwrap();
        assert_eq!(log(&dpo.actor).await.unwrap().len(), before, "{name}");
        w.app
            .query(&w.cw.actor, q::ViewPlan { id: sid })
            .await
            .unwrap();
        let seen = log(&dpo.actor).await.unwrap();
        assert_eq!(seen.len(), before + 1, "{name}");
        assert!(
            seen.iter()
                .any(|a| a.what == format!("contact strategy {}", sid.0)),
            "{name}: {seen:?}"
        );
    }
}

/// Issue 12: records written before the chain covered them are named by the deep check as
/// not covered until `tact audit baseline` covers them once; a change after that is found.
#[tokio::test]
async fn issue_12_a_baseline_covers_older_records_once_and_later_changes_are_still_found() {
    use tact_core::audit::Difference;
    for (name, url) in testing::fresh_urls().await {
        let w = common::world_under(&url, "cleveland-opcc").await;
        let deep = || async { deep_check(&w.app).await.differences };
        w.app.seal_contacts().await.unwrap();
        assert_eq!(deep().await, Vec::new(), "{name}: all written through Tact");
        // A contact from before the chain covered records (written here behind its back,
        // and the sealed mark moved past it, as upgrading does: migration 18).
        let mut tx = w.app.store().begin().await.unwrap();
        tx.execute_raw("INSERT INTO contacts (channel, direction, at, summary, body, breach_of, screening, not_recorded_as_complaint) VALUES ('letter', 'inbound', 0, 'an old letter', '', '', 'not-needed', 0)")
            .await
            .unwrap();
        tx.execute_raw("UPDATE seal_head SET contacts = (SELECT MAX(id) FROM contacts)")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let found = deep().await;
        assert_eq!(found.len(), 1, "{name}: {found:?}");
        assert_eq!(found[0].1, Difference::NotCovered, "{name}");
        let old = found[0].0.clone();
        assert_eq!(w.app.baseline_states().await.unwrap(), 1, "{name}");
        assert_eq!(deep().await, Vec::new(), "{name}");
        assert_eq!(w.app.baseline_states().await.unwrap(), 0, "{name}: once");
        // Covered now, a change to it is found.
        let id = old.trim_start_matches("contact:");
        tact_store::testing::raw(
            w.app.store(),
            &format!("UPDATE contacts SET body = 'rewritten' WHERE id = {id}"),
        )
        .await;
        assert_eq!(deep().await, vec![(old, Difference::Changed)], "{name}");
    }
}

/// Issue 12: every contact logged is sealed on the event log a moment later — many in one
/// entry, so logging writes nothing more — and a change to one after that is named. Two
/// processes sealing at once seal each contact once; until its seal a contact is counted
/// as awaiting it, never as a difference.
#[tokio::test]
async fn issue_12_every_contact_logged_is_sealed_once_and_a_change_after_is_found() {
    use tact_core::audit::Difference;
    for (name, url) in testing::fresh_urls().await {
        let w = common::world_under(&url, "cleveland-opcc").await;
        w.app.seal_contacts().await.unwrap();
        let store = tact_store::Store::open(&url).await.unwrap();
        let other = tact_app::testing::on(store, "cleveland-opcc").await;
        let log = |app: &tact_app::App, i: usize| {
            let app = app.clone();
            let cw = w.cw.clone();
            let person = w.person;
            async move {
                app.execute(
                    &cw,
                    cmd::LogContact {
                        input: tact_core::workflow::ContactInput {
                            duration_seconds: None,
                            person_id: Some(person),
                            matter_id: None,
                            channel: Channel::Phone,
                            direction: tact_core::model::Direction::Inbound,
                            at: app.now(),
                            staff_id: Some(cw.actor.id),
                            identifier: None,
                            via_advocate: false,
                            summary: format!("call {i}"),
                            body: String::new(),
                            is_complaint: false,
                        },
                    },
                )
                .await
                .unwrap()
            }
        };
        let logged = futures_util::future::join_all(
            (0..60).map(|i| log(if i % 2 == 0 { &w.app } else { &other }, i)),
        )
        .await;
        assert_eq!(logged.len(), 60, "{name}");
        let deep = || deep_check(&w.app);
        let before = deep().await;
        assert_eq!(before.awaiting_seal, 60, "{name}: {before:?}");
        assert!(before.differences.is_empty(), "{name}: {before:?}");
        let (a, b) = tokio::join!(w.app.seal_contacts(), other.seal_contacts());
        assert_eq!(
            a.unwrap() + b.unwrap(),
            60,
            "{name}: each contact sealed once"
        );
        assert_eq!(w.app.seal_contacts().await.unwrap(), 0, "{name}");
        let after = deep().await;
        assert_eq!(after.awaiting_seal, 0, "{name}: {after:?}");
        assert!(after.differences.is_empty(), "{name}: {after:?}");
        let (entries, _) = w.app.store().audit_log().await.unwrap();
        let seals: Vec<_> = entries
            .iter()
            .filter(|e| e.action == "records.state" && e.subject.starts_with("contacts:"))
            .collect();
        assert!(
            !seals.is_empty() && seals.len() <= 2,
            "{name}: {}",
            seals.len()
        );
        let named: usize = seals
            .iter()
            .map(|e| e.detail.matches("\"contact:").count())
            .sum();
        assert_eq!(named, 60, "{name}");
        // Sealed, a contact changed in the database is named.
        tact_store::testing::raw(w.app.store(), "UPDATE contacts SET summary = 'nothing happened' WHERE id = (SELECT MAX(id) FROM contacts)").await;
        let changed = deep().await.differences;
        assert_eq!(changed.len(), 1, "{name}: {changed:?}");
        assert_eq!(changed[0].1, Difference::Changed, "{name}");
    }
}

/// What the deep check finds on `app`'s database, its chain intact.
async fn deep_check(app: &tact_app::App) -> tact_core::audit::Comparison {
    app.verify_deep(&[], b"")
        .await
        .unwrap()
        .expect("an intact chain")
        .2
}

/// CLE-9.9: when the single point of contact a plan names leaves, the contact check in every
/// process stops passing contacts to them once it has read the change feed (its index is
/// derived from the database, and a change to a member of staff reloads the people whose
/// plans name them), the plan's owner is asked to name someone else, and their own open
/// tasks are handed on.
#[tokio::test]
async fn cle_9_9_a_single_point_of_contact_who_leaves_is_passed_nothing_in_every_process() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let (sid, spoc) = w.plan_with(common::spoc).await;
        let store = tact_store::Store::open(&url).await.unwrap();
        let other = tact_app::testing::on(store, "cleveland-opcc").await;
        other.load_index().await.unwrap();
        w.app.load_index().await.unwrap();
        let jo = tact_core::identity::Identifier::Email(
            tact_core::identity::EmailAddress::parse("jo@example.org").unwrap(),
        );
        let ask = |at| q::Check {
            caller: Some(jo.clone()),
            channel: Channel::Email,
            staff: None,
            at,
            matter: None,
            person: None,
        };
        let before = other.query(&w.cw.actor, ask(other.now())).await.unwrap();
        assert_eq!(
            before.freshness.source,
            tact_app::feed::Source::Index,
            "{name}"
        );
        assert_eq!(before.verdict.put_through_to, Some(spoc), "{name}");
        // A task of theirs, open when they leave.
        let mut tx = w.app.store().begin().await.unwrap();
        let theirs = tx
            .tasks(
                &[tact_core::model::NewTask {
                    kind: tact_core::model::TaskKind::ReadDiverted,
                    person_id: Some(w.person),
                    assignee: Some(spoc),
                    role: None,
                    title: "Read an email diverted to you".into(),
                    due_on: None,
                    clause: "CLE-9.9".into(),
                    subject: None,
                }],
                w.app.now(),
            )
            .await
            .unwrap()[0];
        tx.commit().await.unwrap();
        let admin = tact_app::testing::staff(&w.app, "Ad Min", Role::Admin).await;
        w.app
            .execute(
                &common::ctx(&admin),
                cmd::ChangeStaff {
                    staff: spoc,
                    role: None,
                    active: Some(false),
                    line_manager: None,
                },
            )
            .await
            .unwrap();
        // The process that made the change answers from its index at once; the other once
        // it has read the feed.
        let here = w.app.query(&w.cw.actor, ask(w.app.now())).await.unwrap();
        assert_eq!(
            here.freshness.source,
            tact_app::feed::Source::Index,
            "{name}"
        );
        assert_eq!(here.verdict.put_through_to, None, "{name}: at once, here");
        other.sync().await.unwrap();
        let after = other.query(&w.cw.actor, ask(other.now())).await.unwrap();
        assert_eq!(
            after.freshness.source,
            tact_app::feed::Source::Index,
            "{name}"
        );
        assert_eq!(after.verdict.put_through_to, None, "{name}");
        assert!(
            after
                .verdict
                .must
                .iter()
                .any(|m| m.contains("no longer works here")),
            "{name}: {:?}",
            after.verdict.must
        );
        // The senior manager who authorised the plan is asked to name someone else.
        let plan = w.app.plan_as_stored(sid).await.unwrap();
        let tasks = w
            .app
            .store()
            .tasks(
                &tact_store::TaskFilter {
                    open_only: true,
                    kind: Some(tact_core::model::TaskKind::ReplaceContact),
                    ..Default::default()
                },
                10,
            )
            .await
            .unwrap();
        assert_eq!(tasks.len(), 1, "{name}: {tasks:?}");
        assert_eq!(tasks[0].task.assignee, plan.decided_by, "{name}");
        assert_eq!(
            tasks[0].task.subject,
            Some(format!("strategy:{sid}")),
            "{name}"
        );
        // Their own open task is not left where no one sees it: they had no line manager, so
        // it goes to everyone in their role.
        let moved = w.app.store().task(theirs).await.unwrap().unwrap();
        assert_eq!(
            (moved.task.assignee, moved.task.role),
            (None, Some(Role::LineManager)),
            "{name}"
        );
    }
}
