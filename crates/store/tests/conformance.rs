//! The store conformance suite: the same tests against SQLite and, when
//! `TACT_TEST_POSTGRES_URL` is set (CI sets it), PostgreSQL.

use jiff::civil::date;
use jiff::Timestamp;
use tact_core::audit::{AuditAction, AuditEvent};
use tact_core::identity::{EmailAddress, PhoneNumber};
use tact_core::ids::*;
use tact_core::model::*;
use tact_core::profile::Channel;
use tact_core::roles::Role;
use tact_store::{testing, Store, StoreError, Table, TaskFilter};

async fn stores() -> Vec<(&'static str, Store)> {
    let mut out = Vec::new();
    for (name, url) in testing::fresh_urls().await {
        let s = Store::open(&url)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        s.migrate().await.unwrap();
        out.push((name, s));
    }
    out
}

fn now() -> Timestamp {
    "2026-11-20T10:00:00Z".parse().unwrap()
}

/// An inbound call from `identifier`, from nobody known yet, waiting for nothing.
fn call(identifier: &str, summary: &str) -> Contact {
    Contact {
        identifier: Some(identifier.into()),
        ..Contact::new(Channel::Phone, Direction::Inbound, now(), summary)
    }
}

fn person() -> ServiceUser {
    ServiceUser {
        id: PersonId(0),
        reference: String::new(),
        name: "Jo Bloggs".into(),
        phones: vec![PhoneNumber::record("07700 900123", true).unwrap()],
        emails: vec![EmailAddress::parse("jo@example.org").unwrap()],
        postal_address: Some("1 High Street, Middlesbrough".into()),
        advocate: Some(Advocate {
            name: "Sam Advocate".into(),
            organisation: Some("Advocacy Service".into()),
            phone: Some(PhoneNumber::parse("01642 000111").unwrap()),
            email: None,
        }),
        preferred_format: Format::LargePrint,
        preferred_language: Some("Welsh".into()),
        shared_identifiers: Vec::new(),
        additional_help: None,
        created_at: now(),
    }
}

async fn staff(s: &Store) -> StaffId {
    let mut tx = s.begin().await.unwrap();
    let id = tx
        .insert_staff(
            &Staff {
                id: StaffId(0),
                name: "Cas Worker".into(),
                email: None,
                role: Role::Caseworker,
                line_manager: None,
                active: true,
                scope: None,
            },
            None,
            now(),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn migrations_apply_once_and_again_without_change() {
    for (name, s) in stores().await {
        s.migrate()
            .await
            .unwrap_or_else(|e| panic!("{name}: second migrate: {e}"));
        assert_eq!(s.count(Table::People).await.unwrap(), 0, "{name}");
    }
}

#[tokio::test]
async fn a_person_round_trips_with_identifiers_and_advocate() {
    for (name, s) in stores().await {
        let mut tx = s.begin().await.unwrap();
        let (id, reference) = tx.insert_person(&person()).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(reference, format!("SU-{:06}", id.0));
        let back = s.person(id).await.unwrap().unwrap();
        assert_eq!(back.phones, person().phones, "{name}");
        assert_eq!(back.emails, person().emails);
        assert_eq!(back.advocate, person().advocate);
        assert_eq!(back.preferred_format, Format::LargePrint);
        assert_eq!(
            s.people_by_identifier("+447700900123").await.unwrap(),
            vec![id]
        );
        assert_eq!(
            s.people_by_identifier("+441642000111").await.unwrap(),
            vec![id],
            "{name}: the advocate's number finds the person"
        );
        assert_eq!(s.search_people("bloggs", 10).await.unwrap().len(), 1);
        assert_eq!(s.search_people(&reference, 10).await.unwrap()[0].id, id);
        // A reference however staff type it: lower case, without its noughts or its dash.
        let short = format!("su{}", id.0);
        assert_eq!(
            s.search_people(&short, 10).await.unwrap()[0].id,
            id,
            "{name}: {short}"
        );
        assert_eq!(s.search_people("07700 900123", 10).await.unwrap()[0].id, id);
        // A matter's reference, as a letter quotes it to them, finds whose matter it is,
        // however it is typed; one that names no matter finds nobody.
        let mut tx = s.begin().await.unwrap();
        let (matter, m_ref) = tx
            .insert_matter(&Matter {
                id: MatterId(0),
                person_id: id,
                reference: String::new(),
                kind: MatterKind::Complaint,
                title: "About a burglary report".into(),
                status: MatterStatus::Open,
                finalised_on: None,
                opened_at: now(),
            })
            .await
            .unwrap();
        tx.commit().await.unwrap();
        for typed in [m_ref.clone(), format!("m{}", matter.0)] {
            let found = s.search_people(&typed, 10).await.unwrap();
            assert_eq!(
                found.iter().map(|p| p.id).collect::<Vec<_>>(),
                vec![id],
                "{name}: {typed}"
            );
        }
        let none = format!("M-{:06}", matter.0 + 1000);
        assert!(
            s.search_people(&none, 10).await.unwrap().is_empty(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_transaction_dropped_without_commit_writes_nothing() {
    for (name, s) in stores().await {
        {
            let mut tx = s.begin().await.unwrap();
            tx.insert_person(&person()).await.unwrap();
            tx.audit(&[AuditEvent::new(
                now(),
                StaffId(1),
                AuditAction::PersonCreated,
                "person:1",
            )])
            .await
            .unwrap();
        }
        assert_eq!(s.count(Table::People).await.unwrap(), 0, "{name}");
        assert_eq!(s.count(Table::AuditLog).await.unwrap(), 0, "{name}");
    }
}

fn plan(person: PersonId) -> Plan {
    let restrictions = vec![
        Restriction {
            rule: Rule::SingleChannel {
                channel: Channel::Email,
            },
            reason: "Abusive calls".into(),
        },
        Restriction {
            rule: Rule::CallWindow {
                windows: vec![CallWindow::hours(jiff::civil::Weekday::Tuesday, 10, 12)],
                max_minutes: Some(20),
                max_calls_per_window: Some(1),
            },
            reason: "Once a week".into(),
        },
        Restriction {
            rule: Rule::NoReopening {
                matter_id: MatterId(1),
                grounds: NoReopeningGrounds {
                    same_matter: true,
                    no_new_substantive_evidence: true,
                    properly_handled: true,
                    note: "Same facts".into(),
                },
            },
            reason: "Closed".into(),
        },
    ];
    Plan {
        matter_ids: vec![MatterId(1)],
        reasons: "r".into(),
        aims: "a".into(),
        proportionality: "p".into(),
        ..Plan::first_draft(
            person,
            StaffId(1),
            now(),
            restrictions,
            date(2027, 1, 15),
            Some(date(2027, 6, 1)),
        )
    }
}

#[tokio::test]
async fn a_plan_round_trips_and_a_stale_write_is_refused() {
    for (name, s) in stores().await {
        let mut tx = s.begin().await.unwrap();
        let (pid, _) = tx.insert_person(&person()).await.unwrap();
        let id = tx.insert_plan(&plan(pid)).await.unwrap();
        tx.commit().await.unwrap();
        let back = s.plan(id).await.unwrap().unwrap();
        assert_eq!(back, Plan { id, ..plan(pid) }, "{name}");
        let mut next = back.clone();
        next.version = 2;
        next.status = PlanStatus::Proposed;
        let mut tx = s.begin().await.unwrap();
        tx.update_plan(&next, 1).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = s.begin().await.unwrap();
        let err = tx.update_plan(&next, 1).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{name}: {err}");
        assert_eq!(
            s.plans_by_status(&[PlanStatus::Proposed], None)
                .await
                .unwrap()
                .len(),
            1
        );
        // Several statuses, each a bound value; none at all finds nothing.
        let either = [PlanStatus::Active, PlanStatus::Proposed];
        assert_eq!(
            s.plans_by_status(&either, None).await.unwrap().len(),
            1,
            "{name}"
        );
        let neither = [PlanStatus::Active, PlanStatus::Lifted];
        assert!(
            s.plans_by_status(&neither, None).await.unwrap().is_empty(),
            "{name}"
        );
        assert!(
            s.plans_by_status(&[], None).await.unwrap().is_empty(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn the_event_log_chains_and_detects_tampering() {
    for (name, s) in stores().await {
        for i in 0..3 {
            let mut tx = s.begin().await.unwrap();
            tx.audit(&[
                AuditEvent::new(
                    now(),
                    StaffId(1),
                    AuditAction::WarningGiven,
                    format!("warning:{i}"),
                )
                .reason("x"),
                AuditEvent::new(now(), StaffId(1), AuditAction::PlanLifted, "strategy:1"),
            ])
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        let (entries, head) = s.audit_log().await.unwrap();
        assert_eq!(entries.len(), 6, "{name}");
        let head = head.unwrap();
        assert_eq!(
            tact_core::audit::verify(&entries, Some((head.0, &head.1))),
            Ok(6)
        );
        tact_store::testing::raw(&s, "UPDATE audit_log SET reason = 'changed' WHERE seq = 3").await;
        let (entries, head) = s.audit_log().await.unwrap();
        let head = head.unwrap();
        assert_eq!(
            tact_core::audit::verify(&entries, Some((head.0, &head.1)))
                .unwrap_err()
                .seq,
            3,
            "{name}"
        );
    }
}

#[tokio::test]
async fn concurrent_writers_keep_one_unbroken_chain() {
    for (name, s) in stores().await {
        let mut handles = Vec::new();
        for w in 0..8 {
            let s = s.clone();
            handles.push(tokio::spawn(async move {
                for i in 0..10 {
                    let mut tx = s.begin().await.unwrap();
                    tx.audit(&[AuditEvent::new(
                        now(),
                        StaffId(w),
                        AuditAction::TaskDone,
                        format!("task:{w}-{i}"),
                    )])
                    .await
                    .unwrap();
                    tx.commit().await.unwrap();
                }
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
        let (entries, head) = s.audit_log().await.unwrap();
        let head = head.unwrap();
        assert_eq!(
            tact_core::audit::verify(&entries, Some((head.0, &head.1))),
            Ok(80),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_repeated_contact_key_is_a_conflict_and_writes_nothing() {
    for (name, s) in stores().await {
        let c = Contact {
            breach_of: vec!["1:single-channel".into()],
            screening: Screening::Due,
            duration_seconds: Some(754),
            ..call("+447700900123", "call")
        };
        let mut tx = s.begin().await.unwrap();
        let id = tx.insert_contact(&c, Some("k-1")).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = s.begin().await.unwrap();
        assert!(
            matches!(
                tx.insert_contact(&c, Some("k-1")).await,
                Err(StoreError::Conflict(_))
            ),
            "{name}"
        );
        drop(tx);
        assert_eq!(s.count(Table::Contacts).await.unwrap(), 1);
        let back = s.contact(id).await.unwrap().unwrap();
        assert_eq!(back, Contact { id, ..c.clone() });
        assert_eq!(s.screening_queue(10).await.unwrap().len(), 1);
        let mut tx = s.begin().await.unwrap();
        tx.mark_screened(id).await.unwrap();
        tx.commit().await.unwrap();
        assert!(s.screening_queue(10).await.unwrap().is_empty());
    }
}

/// A member of staff who leaves hands on their open tasks: to someone by name, or to the
/// task's own role (theirs where it names none). Done tasks, and others' tasks, stay.
#[tokio::test]
async fn open_tasks_are_handed_on_by_name_or_to_a_role() {
    for (name, s) in stores().await {
        let leaver = staff(&s).await;
        let other = staff(&s).await;
        let manager = staff(&s).await;
        let t = |assignee: StaffId, role: Option<Role>| NewTask {
            kind: TaskKind::Screening,
            person_id: None,
            assignee: Some(assignee),
            role,
            title: "t".into(),
            due_on: None,
            clause: "CLE-9.10".into(),
            subject: None,
        };
        let mut tx = s.begin().await.unwrap();
        let ids = tx
            .tasks(
                &[
                    t(leaver, None),
                    t(leaver, Some(Role::LineManager)),
                    t(leaver, None),
                    t(other, None),
                ],
                now(),
            )
            .await
            .unwrap();
        tx.complete_task(ids[2], leaver, "done", now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let all = || async {
            s.tasks(&TaskFilter::default(), 10)
                .await
                .unwrap()
                .into_iter()
                .map(|x| (x.id, x.task.assignee, x.task.role))
                .collect::<Vec<_>>()
        };
        // To no one by name: each task to its own role, else the leaver's.
        let mut tx = s.begin().await.unwrap();
        assert_eq!(
            tx.hand_on_tasks(leaver, None, Role::Caseworker)
                .await
                .unwrap(),
            2,
            "{name}"
        );
        tx.commit().await.unwrap();
        let after = all().await;
        assert!(
            after.contains(&(ids[0], None, Some(Role::Caseworker))),
            "{name}: {after:?}"
        );
        assert!(
            after.contains(&(ids[1], None, Some(Role::LineManager))),
            "{name}: {after:?}"
        );
        assert!(
            after.contains(&(ids[2], Some(leaver), None)),
            "{name}: done stays"
        );
        assert!(
            after.contains(&(ids[3], Some(other), None)),
            "{name}: another's stays"
        );
        // To someone by name: only the assignee changes.
        let mut tx = s.begin().await.unwrap();
        assert_eq!(
            tx.hand_on_tasks(other, Some(manager), Role::Caseworker)
                .await
                .unwrap(),
            1
        );
        tx.commit().await.unwrap();
        assert!(
            all().await.contains(&(ids[3], Some(manager), None)),
            "{name}"
        );
    }
}

#[tokio::test]
async fn tasks_are_found_by_assignee_or_role_and_closed_once() {
    for (name, s) in stores().await {
        let sid = staff(&s).await;
        let t = |assignee: Option<StaffId>, role: Option<Role>| NewTask {
            kind: TaskKind::Screening,
            person_id: None,
            assignee,
            role,
            title: "t".into(),
            due_on: Some(date(2026, 11, 25)),
            clause: "CLE-9.10".into(),
            subject: None,
        };
        let mut tx = s.begin().await.unwrap();
        let ids = tx
            .tasks(
                &[
                    t(Some(sid), None),
                    t(None, Some(Role::Caseworker)),
                    t(None, Some(Role::SeniorManager)),
                ],
                now(),
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mine = s
            .tasks(
                &TaskFilter {
                    open_only: true,
                    assignee: Some(sid),
                    role: Some(Role::Caseworker),
                    ..Default::default()
                },
                10,
            )
            .await
            .unwrap();
        assert_eq!(mine.len(), 2, "{name}");
        let mut tx = s.begin().await.unwrap();
        tx.complete_task(ids[0], sid, "done", now()).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = s.begin().await.unwrap();
        assert!(matches!(
            tx.complete_task(ids[0], sid, "again", now()).await,
            Err(StoreError::Conflict(_))
        ));
        drop(tx);
        // A step closes the open tasks of its kinds about its own record, and no others.
        let about = |kind: TaskKind, subject: &str| NewTask {
            kind,
            subject: Some(subject.into()),
            ..t(None, Some(Role::SeniorManager))
        };
        let mut tx = s.begin().await.unwrap();
        let ids = tx
            .tasks(
                &[
                    about(TaskKind::AuthorisePlan, "strategy:1"),
                    about(TaskKind::SendNotice, "strategy:1"),
                    about(TaskKind::AuthorisePlan, "strategy:2"),
                ],
                now(),
            )
            .await
            .unwrap();
        let closed = tx
            .close_tasks(
                "strategy:1",
                &[TaskKind::AuthorisePlan, TaskKind::ReviewDue],
                sid,
                "plan active",
                now(),
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(closed, 1, "{name}");
        let open: Vec<TaskId> = s
            .tasks(
                &TaskFilter {
                    open_only: true,
                    role: Some(Role::SeniorManager),
                    ..Default::default()
                },
                10,
            )
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert!(!open.contains(&ids[0]), "{name}");
        assert!(open.contains(&ids[1]) && open.contains(&ids[2]), "{name}");
    }
}

#[tokio::test]
async fn an_unknown_database_scheme_is_refused() {
    assert!(matches!(
        Store::open("mysql://localhost/x").await,
        Err(StoreError::UnknownScheme(_))
    ));
}

#[tokio::test]
async fn cle_9_15_a_disclosure_moves_on_once_and_only_shared_ones_are_logged() {
    use tact_core::sharing::{Disclosure, DisclosureRequest, DisclosureStatus};
    for (name, s) in stores().await {
        let sid = staff(&s).await;
        let mut tx = s.begin().await.unwrap();
        let (pid, _) = tx.insert_person(&person()).await.unwrap();
        let request = DisclosureRequest {
            partner: "Cleveland Police".into(),
            reason: "Threats".into(),
            details: "The strategy".into(),
        };
        let asked = Disclosure::asked(pid, &request, sid, now(), DisclosureStatus::Requested);
        let a = tx.insert_disclosure(&asked).await.unwrap();
        let b = tx.insert_disclosure(&asked).await.unwrap();
        tx.commit().await.unwrap();
        let approved = Disclosure {
            id: a,
            status: DisclosureStatus::Approved,
            decided_by: Some(sid),
            decided_at: Some(now()),
            decision_reason: Some("ok".into()),
            ..asked.clone()
        };
        let shared = Disclosure {
            status: DisclosureStatus::Shared,
            shared_by: Some(sid),
            shared_at: Some(now()),
            shared_what: Some("A letter".into()),
            ..approved.clone()
        };
        let mut tx = s.begin().await.unwrap();
        tx.update_disclosure(&approved, DisclosureStatus::Requested)
            .await
            .unwrap();
        tx.update_disclosure(&shared, DisclosureStatus::Approved)
            .await
            .unwrap();
        // A second decision on what has moved on is a conflict.
        assert!(matches!(
            tx.update_disclosure(&approved, DisclosureStatus::Requested)
                .await,
            Err(StoreError::Conflict(_))
        ));
        tx.commit().await.unwrap();
        assert_eq!(s.disclosure(a).await.unwrap().unwrap(), shared, "{name}");
        assert_eq!(s.disclosures_of(pid).await.unwrap().len(), 2, "{name}");
        let log = s.disclosure_log(10).await.unwrap();
        assert_eq!(
            log.iter().map(|d| d.id).collect::<Vec<_>>(),
            vec![a],
            "{name}"
        );
        assert_eq!(
            s.disclosure(b).await.unwrap().unwrap().status,
            DisclosureStatus::Requested
        );
    }
}

#[tokio::test]
async fn nor_9_1_holds_in_place_lists_each_unlifted_hold_oldest_first_and_a_hold_lifts_once() {
    for (name, s) in stores().await {
        let sid = staff(&s).await;
        let mut tx = s.begin().await.unwrap();
        let (a, reference) = tx.insert_person(&person()).await.unwrap();
        let (b, _) = tx.insert_person(&person()).await.unwrap();
        let later = now() + jiff::SignedDuration::from_hours(1);
        let second = tx.place_hold(b, "A later claim", sid, later).await.unwrap();
        let first = tx.place_hold(a, "Litigation", sid, now()).await.unwrap();
        tx.commit().await.unwrap();
        let holds = s.holds_in_place().await.unwrap();
        assert_eq!(
            holds
                .iter()
                .map(|h| (h.id, h.person, h.reason.as_str(), h.placed_by, h.placed_at))
                .collect::<Vec<_>>(),
            vec![
                (first, a, "Litigation", sid, now()),
                (second, b, "A later claim", sid, later),
            ],
            "{name}: the longest-standing first"
        );
        assert_eq!(holds[0].reference, reference, "{name}");
        let mut tx = s.begin().await.unwrap();
        tx.lift_hold(first, sid, later).await.unwrap();
        assert!(
            matches!(
                tx.lift_hold(first, sid, later).await,
                Err(StoreError::Conflict(_))
            ),
            "{name}: lifted once"
        );
        tx.commit().await.unwrap();
        let left: Vec<i64> = s
            .holds_in_place()
            .await
            .unwrap()
            .iter()
            .map(|h| h.id)
            .collect();
        assert_eq!(left, vec![second], "{name}: a lifted hold is not in place");
    }
}

#[tokio::test]
async fn names_of_finds_several_people_at_once_and_leaves_out_unknown_ids() {
    for (name, s) in stores().await {
        let mut tx = s.begin().await.unwrap();
        let mut ids = Vec::new();
        for _ in 0..3 {
            ids.push(tx.insert_person(&person()).await.unwrap());
        }
        tx.commit().await.unwrap();
        let mut asked: Vec<PersonId> = ids.iter().map(|(id, _)| *id).collect();
        asked.push(PersonId(987_654));
        asked.push(ids[0].0);
        let found = s.names_of(&asked).await.unwrap();
        assert_eq!(found.len(), 3, "{name}");
        assert_eq!(
            found[&ids[1].0],
            ("Jo Bloggs".to_string(), ids[1].1.clone()),
            "{name}"
        );
        assert!(s.names_of(&[]).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn letters_move_through_their_states_once_and_a_held_one_is_adjusted_only_while_held() {
    use tact_core::correspondence::{LetterStatus, StoredLetter};
    for (name, s) in stores().await {
        let by = staff(&s).await;
        let mut tx = s.begin().await.unwrap();
        let (pid, _) = tx.insert_person(&person()).await.unwrap();
        let letter = |status| StoredLetter {
            id: 0,
            person_id: pid,
            kind: "strategy-notice".into(),
            about: Some("strategy:1".into()),
            channel: Channel::Email,
            format: Format::Standard,
            to_address: "jo@example.org".into(),
            subject: "S".into(),
            text: "T\n".into(),
            html: "<p>T</p>".into(),
            status,
            attempts: 0,
            next_attempt_at: None,
            last_error: None,
            created_at: now(),
            created_by: by,
            sent_at: None,
        };
        let due = tx
            .insert_letter(&letter(LetterStatus::Queued))
            .await
            .unwrap();
        let mut later = letter(LetterStatus::Queued);
        later.next_attempt_at = Some(now() + jiff::SignedDuration::from_hours(1));
        let later_id = tx.insert_letter(&later).await.unwrap();
        let held = tx
            .insert_letter(&letter(LetterStatus::Draft))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let ids = |v: Vec<StoredLetter>| v.into_iter().map(|l| l.id).collect::<Vec<_>>();
        // Due now: only the one not waiting for a later attempt; all of them without a time.
        assert_eq!(
            ids(s
                .letters_in(LetterStatus::Queued, Some(now()), 10)
                .await
                .unwrap()),
            [due],
            "{name}"
        );
        assert_eq!(
            ids(s.letters_in(LetterStatus::Queued, None, 10).await.unwrap()),
            [due, later_id],
            "{name}"
        );
        // A held letter's wording can change; once released it cannot.
        let mut l = s.letter(held).await.unwrap().unwrap();
        l.text = "Changed\n".into();
        let mut tx = s.begin().await.unwrap();
        tx.adjust_letter(&l).await.unwrap();
        let mut released = l.clone();
        released.status = LetterStatus::Queued;
        tx.update_letter(&released, LetterStatus::Draft, 0)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(s.letter(held).await.unwrap().unwrap().text, "Changed\n");
        let mut tx = s.begin().await.unwrap();
        assert!(
            matches!(tx.adjust_letter(&l).await, Err(StoreError::Conflict(_))),
            "{name}"
        );
        // A second sender that read the letter before it moved on is refused.
        assert!(
            matches!(
                tx.update_letter(&released, LetterStatus::Draft, 0).await,
                Err(StoreError::Conflict(_))
            ),
            "{name}"
        );
    }
}

/// `tact backup` on SQLite: a copy taken while another writer carries on holds one
/// consistent moment — every row it has is whole and its event log's chain is unbroken.
#[tokio::test]
async fn a_sqlite_backup_taken_during_writes_is_consistent() {
    let url = testing::sqlite_url();
    let s = Store::open(&url).await.unwrap();
    s.migrate().await.unwrap();
    let by = staff(&s).await;
    let writer = {
        let s = s.clone();
        tokio::spawn(async move {
            for n in 0..200 {
                let mut tx = s.begin().await.unwrap();
                let mut p = person();
                p.name = format!("Person {n}");
                p.phones.clear();
                p.emails.clear();
                let (id, _) = tx.insert_person(&p).await.unwrap();
                tx.audit(&[AuditEvent::new(
                    now(),
                    by,
                    AuditAction::PersonCreated,
                    format!("person:{id}"),
                )
                .person(id)])
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            }
        })
    };
    // Take the copy while the writer is part-way through: after its first commit.
    while s.count(tact_store::Table::People).await.unwrap() == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    let copy = std::env::temp_dir().join(format!("tact-backup-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&copy);
    s.backup_to(&copy).await.unwrap();
    writer.await.unwrap();
    assert!(
        s.backup_to(&copy).await.is_err(),
        "never over an existing file"
    );
    let b = Store::open(&format!("sqlite://{}?mode=rw", copy.display()))
        .await
        .unwrap();
    let (entries, head) = b.audit_log().await.unwrap();
    let n = tact_core::audit::verify(&entries, head.as_ref().map(|(s, h)| (*s, h.as_str())))
        .expect("an unbroken chain in the copy");
    // One event per person, written together: the copy's people and events agree.
    let people = b.count(tact_store::Table::People).await.unwrap();
    assert!(people > 0);
    assert_eq!(n as i64, people, "{n} events, {people} people");
    let _ = std::fs::remove_file(&copy);
}

/// Issue 10: every change of a cached record goes on the feed with its write, numbered in
/// commit order without gaps, so a follower reading while writers run never skips one; a
/// write that rolls back puts nothing on it.
#[tokio::test]
async fn the_change_feed_is_contiguous_in_commit_order_and_rolled_back_writes_leave_nothing() {
    for (name, s) in stores().await {
        let start = s.change_seq().await.unwrap();
        {
            let mut tx = s.begin().await.unwrap();
            tx.insert_person(&person()).await.unwrap();
            // dropped: rolled back
        }
        assert_eq!(s.change_seq().await.unwrap(), start, "{name}");
        let mut handles = Vec::new();
        for _ in 0..8 {
            let s = s.clone();
            handles.push(tokio::spawn(async move {
                for _ in 0..10 {
                    let mut tx = s.begin().await.unwrap();
                    tx.insert_person(&person()).await.unwrap();
                    tx.commit().await.unwrap();
                }
            }));
        }
        let mut after = start;
        let mut seen = Vec::new();
        let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while seen.len() < 80 {
            assert!(
                std::time::Instant::now() < until,
                "{name}: saw only {}",
                seen.len()
            );
            for e in s.changes_after(after, 1000).await.unwrap() {
                assert_eq!(e.seq, after + 1, "{name}: a gap in the feed");
                after = e.seq;
                seen.push(e.change);
            }
        }
        for h in handles {
            h.await.unwrap();
        }
        assert_eq!(s.change_seq().await.unwrap(), start + 80, "{name}");
        let mut people: Vec<_> = seen
            .into_iter()
            .map(|c| match c {
                tact_store::Change::Person(p) => p,
                other => panic!("{name}: {other:?}"),
            })
            .collect();
        people.sort();
        people.dedup();
        assert_eq!(people.len(), 80, "{name}: one change per person written");
    }
}

/// Issue 10: old changes are pruned, but the newest always stays, so a follower that was
/// behind finds a gap (and reloads) rather than an empty feed it would take as current.
#[tokio::test]
async fn pruning_the_change_feed_keeps_the_newest_change() {
    for (name, s) in stores().await {
        for _ in 0..3 {
            let mut tx = s.begin().await.unwrap();
            tx.insert_person(&person()).await.unwrap();
            tx.commit().await.unwrap();
        }
        let head = s.change_seq().await.unwrap();
        // Nothing is older than a day ago.
        let day_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24);
        assert_eq!(s.prune_changes(day_ago).await.unwrap(), 0, "{name}");
        let future = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1);
        assert!(s.prune_changes(future).await.unwrap() >= 2, "{name}");
        let left = s.changes_after(0, 1000).await.unwrap();
        assert_eq!(left.len(), 1, "{name}: {left:?}");
        assert_eq!(left[0].seq, head, "{name}: the newest change stays");
        assert_eq!(s.change_seq().await.unwrap(), head, "{name}");
    }
}

/// Issue 10: the watcher wakes a follower when another connection commits, well within the
/// bound, and otherwise waits as long as it is told.
#[tokio::test]
async fn the_watcher_wakes_when_another_connection_commits() {
    for (name, s) in stores().await {
        let mut w = s.watch().await.unwrap();
        // The first wait on PostgreSQL connects the listener and returns at once.
        w.wait(std::time::Duration::from_millis(10)).await.unwrap();
        let quiet = std::time::Instant::now();
        w.wait(std::time::Duration::from_millis(300)).await.unwrap();
        assert!(
            quiet.elapsed() >= std::time::Duration::from_millis(250),
            "{name}: woke with nothing written"
        );
        let writer = s.clone();
        let write = tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            let mut tx = writer.begin().await.unwrap();
            tx.insert_person(&person()).await.unwrap();
            tx.commit().await.unwrap();
            std::time::Instant::now()
        });
        w.wait(std::time::Duration::from_secs(10)).await.unwrap();
        let woke = std::time::Instant::now();
        let committed = write.await.unwrap();
        assert!(
            woke.saturating_duration_since(committed) < std::time::Duration::from_millis(500),
            "{name}: woke {:?} after the commit",
            woke.saturating_duration_since(committed)
        );
        w.close().await;
    }
}

/// Issue 10: a person is found by part of their name through the trigram index, by a
/// number or address through the identifier index, by reference exactly; what a user types
/// is never read as a pattern or as full-text syntax.
#[tokio::test]
async fn people_are_found_by_part_of_a_name_a_number_an_address_or_a_reference() {
    for (name, s) in stores().await {
        let mut ids = Vec::new();
        for n in [
            "Jo Bloggs",
            "Amira O'Neil \"Mimi\"",
            "Pat 100% Smith",
            "Sam_Jones",
            "Al Smithers",
        ] {
            let mut tx = s.begin().await.unwrap();
            let mut p = person();
            p.name = n.into();
            p.phones.clear();
            p.emails.clear();
            p.advocate = None;
            ids.push(tx.insert_person(&p).await.unwrap().0);
            tx.commit().await.unwrap();
        }
        let found = |q: &'static str| {
            let s = s.clone();
            async move {
                s.search_people(q, 50)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|p| p.id)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(found("oggs").await, vec![ids[0]], "{name}");
        assert_eq!(found("LOGG").await, vec![ids[0]], "{name}");
        assert_eq!(found("o'neil \"mimi").await, vec![ids[1]], "{name}");
        assert_eq!(found("100%").await, vec![ids[2]], "{name}");
        assert_eq!(found("m_j").await, vec![ids[3]], "{name}");
        // Several words: the whole part must be in the name, not just its longest word.
        assert_eq!(found("l smith").await, vec![ids[4]], "{name}");
        let mut both = found("smith").await;
        both.sort();
        assert_eq!(both, vec![ids[2], ids[4]], "{name}");
        assert_eq!(
            found("jo").await,
            vec![ids[0]],
            "{name}: a short part matches from the start"
        );
        assert!(found("zzz").await.is_empty(), "{name}");
        assert!(
            found("%").await.is_empty(),
            "{name}: a wildcard alone matches nothing"
        );
        let r = format!("su-{:06}", ids[1].0);
        let by_ref = s.search_people(&r, 50).await.unwrap();
        assert_eq!(
            by_ref.iter().map(|p| p.id).collect::<Vec<_>>(),
            vec![ids[1]],
            "{name}"
        );
    }
}

/// Issue 10: a group-commit batch of contacts goes in together, and each id given back is
/// the row written for that contact (SQLite numbers them itself inside its write lock).
#[tokio::test]
async fn a_batch_of_contacts_gets_each_its_own_id() {
    for (name, s) in stores().await {
        let contact = |summary: &str| call("+447911123456", summary);
        let mut tx = s.begin().await.unwrap();
        tx.insert_contact(&contact("first, alone"), None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let batch: Vec<Contact> = (0..150).map(|i| contact(&format!("call {i}"))).collect();
        let refs: Vec<&Contact> = batch.iter().collect();
        let mut tx = s.begin().await.unwrap();
        let ids = tx.insert_contacts(&refs).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(ids.len(), 150, "{name}");
        for (i, id) in ids.iter().enumerate() {
            let c = s.contact(*id).await.unwrap().expect("written");
            assert_eq!(c.summary, format!("call {i}"), "{name}");
        }
        // The next contact written one at a time follows on.
        let mut tx = s.begin().await.unwrap();
        let after = tx.insert_contact(&contact("after"), None).await.unwrap();
        tx.commit().await.unwrap();
        assert!(after.0 > ids.last().unwrap().0, "{name}");
    }
}

/// Issue 10: the contact writer keeps one connection from batch to batch. A transaction
/// committed with `commit_keeping` gives the connection back for the next one; one dropped
/// open on that connection writes nothing and leaves it usable; a batch is all or none.
#[tokio::test]
async fn a_kept_connection_writes_batch_after_batch_and_a_failed_batch_writes_nothing() {
    for (name, s) in stores().await {
        let contact = |summary: &str| call("+447911123456", summary);
        let conn = s.connection().await.unwrap();
        let mut tx = s.begin_on(conn).await.unwrap();
        let first = tx.insert_contact(&contact("first"), None).await.unwrap();
        let conn = tx.commit_keeping().await.unwrap();
        // Dropped open: rolled back before the connection is used again.
        let mut tx = s.begin_on(conn).await.unwrap();
        tx.insert_contact(&contact("never written"), None)
            .await
            .unwrap();
        drop(tx);
        let conn = s.connection().await.unwrap();
        let batch: Vec<Contact> = (0..20).map(|i| contact(&format!("call {i}"))).collect();
        let refs: Vec<&Contact> = batch.iter().collect();
        let mut tx = s.begin_on(conn).await.unwrap();
        let ids = tx.insert_contacts(&refs).await.unwrap();
        let conn = tx.commit_keeping().await.unwrap();
        assert_eq!(ids.len(), 20, "{name}");
        assert!(ids[0].0 > first.0, "{name}");
        for (i, id) in ids.iter().enumerate() {
            let c = s.contact(*id).await.unwrap().expect("written");
            assert_eq!(c.summary, format!("call {i}"), "{name}");
        }
        // Issue 12: the batch wrote nothing to the chain; one seal covers it, in one
        // entry naming each contact.
        let sealed = s
            .seal_contacts(1_000, Timestamp::now())
            .await
            .unwrap()
            .expect("contacts to seal");
        assert_eq!(
            (sealed.first, sealed.last, sealed.count),
            (first.0, ids[19].0, 21),
            "{name}"
        );
        let (entries, _) = s.audit_log().await.unwrap();
        let last = entries.last().expect("an entry");
        assert_eq!(last.action, "records.state", "{name}");
        assert_eq!(
            last.subject,
            format!("contacts:{}-{}", first, ids[19]),
            "{name}"
        );
        for id in &ids {
            assert!(
                last.detail.contains(&format!("\"contact:{id}\"")),
                "{name}: {}",
                last.detail
            );
        }
        assert_eq!(s.sealed_contacts().await.unwrap(), ids[19].0, "{name}");
        assert!(s
            .seal_contacts(1_000, Timestamp::now())
            .await
            .unwrap()
            .is_none());
        // One contact naming a person who does not exist: the whole batch is refused.
        let mut bad = contact("about nobody");
        bad.person_id = Some(PersonId(999_999));
        let refs = vec![&batch[0], &bad, &batch[1]];
        let mut tx = s.begin_on(conn).await.unwrap();
        assert!(tx.insert_contacts(&refs).await.is_err(), "{name}");
        drop(tx);
        let conn = s.connection().await.unwrap();
        assert_eq!(
            s.count(Table::Contacts).await.unwrap(),
            21,
            "{name}: the first, the batch of 20, and nothing of the refused batch"
        );
        // The connection still writes after the refusal.
        let mut tx = s.begin_on(conn).await.unwrap();
        tx.insert_contact(&contact("after"), None).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(s.count(Table::Contacts).await.unwrap(), 22, "{name}");
    }
}

/// A value that fails to decode is an error naming the table and the column, never a
/// default: a time out of range is not 1970, a role nobody knows is not "no role".
#[tokio::test]
async fn issue_11_a_stored_value_that_does_not_decode_is_an_error_naming_its_table_and_column() {
    for (name, s) in stores().await {
        let mut tx = s.begin().await.unwrap();
        let id = tx
            .insert_contact(&call("+447911123456", "a call"), None)
            .await
            .unwrap();
        let unread = tx
            .insert_contact(&call("+447911123457", "another call"), None)
            .await
            .unwrap();
        let task = tx
            .tasks(
                &[NewTask {
                    kind: TaskKind::Screening,
                    person_id: None,
                    assignee: None,
                    role: Some(Role::Caseworker),
                    title: "Screen it".into(),
                    due_on: None,
                    clause: "CLE-9.10".into(),
                    subject: None,
                }],
                now(),
            )
            .await
            .unwrap()[0];
        tx.execute_raw(&format!(
            "UPDATE contacts SET at = 9223372036854775807 WHERE id = {}; UPDATE tasks SET role = 'wizard' WHERE id = {}; UPDATE contacts SET screening = 'later' WHERE id = {}",
            id.0, task.0, unread.0
        ))
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let err = s.contact(id).await.unwrap_err().to_string();
        assert!(err.contains("contacts.at"), "{name}: {err}");
        let err = s.task(task).await.unwrap_err().to_string();
        assert!(err.contains("tasks.role"), "{name}: {err}");
        // A word that names nothing (it was read as "not needed", so never screened).
        let err = s.contact(unread).await.unwrap_err().to_string();
        assert!(
            err.contains("contacts.screening") && err.contains("not-needed, due, done"),
            "{name}: {err}"
        );
    }
}

/// Issue 12: an append to the event log is one statement where this process wrote the head
/// last (a hint, checked in the statement), and reads the head where another process — or
/// a transaction rolled back — moved it or left it: appends from two stores on one database,
/// in turn and after a rollback, make one whole chain whose head is its newest entry.
#[tokio::test]
async fn appends_from_two_processes_and_after_a_rollback_keep_one_whole_chain() {
    for (name, a) in stores().await {
        let b = Store::open(a.url()).await.unwrap();
        let append = |s: &Store, i: usize| {
            let s = s.clone();
            async move {
                let mut tx = s.begin().await.unwrap();
                tx.audit(&[AuditEvent::by_tact(
                    Timestamp::now(),
                    AuditAction::StaffCreated,
                    format!("staff:{i}"),
                )])
                .await
                .unwrap();
                tx
            }
        };
        for (i, s) in [&a, &b, &a, &a, &b].into_iter().enumerate() {
            append(s, i).await.commit().await.unwrap();
        }
        // Written and rolled back: the hint runs ahead of the head, and the next append
        // finds that out.
        drop(append(&a, 98).await);
        append(&a, 99).await.commit().await.unwrap();
        assert_eq!(a.verify_audit().await.unwrap(), Ok(6), "{name}");
        let (entries, head) = a.audit_log().await.unwrap();
        assert_eq!(entries.len(), 6, "{name}");
        let last = entries.last().unwrap();
        assert_eq!(head, Some((6, last.hash.clone())), "{name}");
        assert_eq!(last.subject, "staff:99", "{name}");
    }
}

/// Issue 12: removing the newest contacts (a disposal) never lets a new contact take an id
/// the event log is already sealed past, where no seal would ever cover it; and a seal
/// takes at most its limit, the next one going on from there.
#[tokio::test]
async fn issue_12_a_new_contact_never_takes_an_id_at_or_below_the_sealed_mark() {
    for (name, s) in stores().await {
        let contact = |summary: &str| call("+447911123456", summary);
        let batch: Vec<Contact> = (0..5).map(|i| contact(&format!("call {i}"))).collect();
        let refs: Vec<&Contact> = batch.iter().collect();
        let mut tx = s.begin().await.unwrap();
        let ids = tx.insert_contacts(&refs).await.unwrap();
        tx.commit().await.unwrap();
        let now = Timestamp::now();
        let part = s.seal_contacts(3, now).await.unwrap().expect("a seal");
        assert_eq!((part.first, part.count), (ids[0].0, 3), "{name}");
        let rest = s.seal_contacts(3, now).await.unwrap().expect("a seal");
        assert_eq!(
            (rest.first, rest.last, rest.count),
            (ids[3].0, ids[4].0, 2),
            "{name}"
        );
        // The two newest go.
        tact_store::testing::raw(&s, &format!("DELETE FROM contacts WHERE id >= {}", ids[3])).await;
        // One at a time and in a batch, new contacts go after the mark.
        let mut tx = s.begin().await.unwrap();
        let one = tx.insert_contact(&contact("after"), None).await.unwrap();
        let more = tx.insert_contacts(&refs[..2]).await.unwrap();
        tx.commit().await.unwrap();
        let mut conn = s.connection().await.unwrap();
        let alone = s
            .insert_contacts_alone(&mut conn, &refs[..1])
            .await
            .unwrap();
        assert!(one.0 > ids[4].0, "{name}: {one} after {}", ids[4]);
        assert!(more[0].0 > one.0 && alone[0].0 > more[1].0, "{name}");
        let sealed = s.seal_contacts(100, now).await.unwrap().expect("a seal");
        assert_eq!((sealed.first, sealed.count), (one.0, 4), "{name}");
    }
}

/// Issue 12, PostgreSQL: an id is taken when a contact's INSERT runs, so a contact with a
/// lower id can commit after one with a higher id. A seal waits for such a transaction
/// rather than sealing past its contact, which would then never be sealed. (SQLite has one
/// writer at a time, so the two cannot interleave there.)
#[tokio::test]
#[ignore = "needs PostgreSQL (TACT_TEST_POSTGRES_URL)"]
async fn issue_12_a_seal_never_passes_a_contact_still_being_written() {
    let base = testing::postgres_base().expect("TACT_TEST_POSTGRES_URL for this test");
    let s = Store::open(&testing::postgres_url(&base).await)
        .await
        .unwrap();
    s.migrate().await.unwrap();
    let name = "postgres";
    {
        let contact = |summary: &str| call("+447911123456", summary);
        let mut slow = s.begin().await.unwrap();
        let low = slow.insert_contact(&contact("slow"), None).await.unwrap();
        let mut tx = s.begin().await.unwrap();
        let high = tx.insert_contact(&contact("quick"), None).await.unwrap();
        tx.commit().await.unwrap();
        assert!(low.0 < high.0, "{name}");
        let sealing = tokio::spawn({
            let s = s.clone();
            async move { s.seal_contacts(100, Timestamp::now()).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(
            !sealing.is_finished(),
            "{name}: the seal waits for the open write"
        );
        slow.commit().await.unwrap();
        let sealed = sealing.await.unwrap().unwrap().expect("a seal");
        assert_eq!(
            (sealed.first, sealed.last, sealed.count),
            (low.0, high.0, 2),
            "{name}"
        );
    }
}

#[tokio::test]
async fn issue_13_the_offices_usual_contact_counts_everyone_else_in_contact_by_channel() {
    for (name, s) in stores().await {
        let mut tx = s.begin().await.unwrap();
        let (jo, _) = tx.insert_person(&person()).await.unwrap();
        let (amy, _) = tx.insert_person(&person()).await.unwrap();
        let (ben, _) = tx.insert_person(&person()).await.unwrap();
        let at = |p: PersonId, channel, days_ago: i64, direction| Contact {
            person_id: Some(p),
            channel,
            direction,
            at: now() - jiff::SignedDuration::from_hours(24 * days_ago),
            ..call("+447700900123", "x")
        };
        for c in [
            at(jo, Channel::Phone, 1, Direction::Inbound),
            at(jo, Channel::Phone, 1, Direction::Inbound),
            at(amy, Channel::Phone, 2, Direction::Inbound),
            at(amy, Channel::Email, 3, Direction::Inbound),
            at(ben, Channel::Email, 4, Direction::Inbound),
            // Not counted: ours, too old, or no one known.
            at(ben, Channel::Email, 4, Direction::Outbound),
            at(ben, Channel::Phone, 400, Direction::Inbound),
            call("+447700900999", "unknown caller"),
        ] {
            tx.insert_contact(&c, None).await.unwrap();
        }
        tx.commit().await.unwrap();
        let since = now() - jiff::SignedDuration::from_hours(24 * 91);
        let (people, mut by) = s.contact_rates_since(since, jo).await.unwrap();
        by.sort_by_key(|(c, _)| c.as_str());
        assert_eq!(people, 2, "{name}: Amy and Ben, not Jo");
        assert_eq!(by, vec![(Channel::Email, 2), (Channel::Phone, 1)], "{name}");
    }
}

/// Issue 14: many people written at once (an import) are the same records as written one
/// by one — ids after the highest, references, identifiers found, one change each on the
/// feed — and many events appended in one go keep one whole chain, after a single append
/// and before the next.
#[tokio::test]
async fn issue_14_people_and_events_written_in_bulk_are_as_written_one_by_one() {
    for (name, s) in stores().await {
        let mut tx = s.begin().await.unwrap();
        let (first, _) = tx.insert_person(&person()).await.unwrap();
        tx.audit(&[AuditEvent::new(
            now(),
            StaffId(1),
            AuditAction::PersonCreated,
            format!("person:{first}"),
        )])
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let seq = s.change_seq().await.unwrap();
        let many: Vec<ServiceUser> = (0..1200)
            .map(|i| ServiceUser {
                name: format!("Imported {i}"),
                phones: vec![tact_core::identity::PhoneNumber::parse(&format!(
                    "+4478{:08}",
                    10_000 + i
                ))
                .unwrap()],
                emails: vec![tact_core::identity::EmailAddress::parse(&format!(
                    "i{i}@example.org"
                ))
                .unwrap()],
                advocate: None,
                shared_identifiers: vec![],
                ..person()
            })
            .collect();
        let mut tx = s.begin().await.unwrap();
        let made = tx.insert_people(&many).await.unwrap();
        let events: Vec<AuditEvent> = made
            .iter()
            .map(|(id, _)| {
                AuditEvent::new(
                    now(),
                    StaffId(1),
                    AuditAction::PersonImported,
                    format!("person:{id}"),
                )
                .person(*id)
                .detail("source", "crm")
            })
            .collect();
        tx.audit(&events).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(made.len(), 1200, "{name}");
        assert_eq!(made[0].0 .0, first.0 + 1, "{name}: ids after the highest");
        assert!(made.windows(2).all(|w| w[1].0 .0 == w[0].0 .0 + 1));
        let (id, reference) = &made[700];
        assert_eq!(reference, &format!("SU-{:06}", id.0));
        let back = s.person(*id).await.unwrap().unwrap();
        assert_eq!(
            (back.name.as_str(), back.reference.as_str()),
            ("Imported 700", reference.as_str())
        );
        assert_eq!(back.emails, many[700].emails, "{name}");
        assert_eq!(
            s.people_by_identifier("+447800010700").await.unwrap(),
            vec![*id],
            "{name}: the number finds them"
        );
        assert_eq!(
            s.change_seq().await.unwrap(),
            seq + 1200,
            "{name}: a change a person"
        );
        // One more person the ordinary way takes the next id, and one more event chains on.
        let mut tx = s.begin().await.unwrap();
        let (next, _) = tx
            .insert_person(&ServiceUser {
                phones: vec![],
                emails: vec![],
                advocate: None,
                ..person()
            })
            .await
            .unwrap();
        tx.audit(&[AuditEvent::new(
            now(),
            StaffId(1),
            AuditAction::PersonCreated,
            format!("person:{next}"),
        )])
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(next.0, made[1199].0 .0 + 1, "{name}");
        let (entries, head) = s.audit_log().await.unwrap();
        let head = head.unwrap();
        assert_eq!(
            tact_core::audit::verify(&entries, Some((head.0, &head.1))),
            Ok(1202),
            "{name}"
        );
    }
}

#[tokio::test]
async fn issue_11_plans_imported_under_their_first_word_are_found_under_plans_after_migration_24() {
    for (name, s) in stores().await {
        let mut tx = s.begin().await.unwrap();
        let (pid, _) = tx.insert_person(&person()).await.unwrap();
        tx.insert_imported(&tact_store::Imported {
            source: "crm".into(),
            kind: "strategies".into(),
            key: "CS-1".into(),
            record_id: 1,
            person_id: pid,
            line: 2,
            digest: "d".into(),
            imported_at: now(),
            imported_by: StaffId(1),
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // As a database migrated before migration 24 holds it.
        sqlx::query("DELETE FROM schema_migrations WHERE version = 24")
            .execute(s.pool())
            .await
            .unwrap();
        assert!(s.schema_problem().await.unwrap().is_some(), "{name}");
        s.migrate().await.unwrap();
        assert!(
            s.imported("crm", "strategies").await.unwrap().is_empty(),
            "{name}"
        );
        let found = s.imported("crm", "plans").await.unwrap();
        assert_eq!(found["CS-1"].person_id, pid, "{name}");
    }
}

#[tokio::test]
async fn issue_11_a_plan_and_its_dispute_kept_under_the_first_words_are_read_after_migration_25() {
    for (name, s) in stores().await {
        let mut tx = s.begin().await.unwrap();
        let (pid, _) = tx.insert_person(&person()).await.unwrap();
        let plan_id = tx.insert_plan(&plan(pid)).await.unwrap();
        let dispute = Dispute {
            id: DisputeId(0),
            plan_id,
            person_id: pid,
            grounds: "I was never warned".into(),
            received_at: now(),
            recorded_by: StaffId(1),
            outcome: None,
            decided_by: None,
            decided_at: None,
            decision_reason: None,
        };
        let did = tx.insert_dispute(&dispute).await.unwrap();
        tx.commit().await.unwrap();
        // As a database migrated before migration 25 holds them: the first release's table,
        // column and index names.
        sqlx::raw_sql(
            "ALTER TABLE plans RENAME TO strategies;
             ALTER TABLE disputes RENAME COLUMN plan_id TO strategy_id;
             DROP INDEX plans_person;
             DROP INDEX plans_status;
             CREATE INDEX strategies_person ON strategies(person_id);
             CREATE INDEX strategies_status ON strategies(status, review_due);
             DELETE FROM schema_migrations WHERE version = 25;",
        )
        .execute(s.pool())
        .await
        .unwrap();
        assert!(s.plan(plan_id).await.is_err(), "{name}: no plans table yet");
        assert!(s.schema_problem().await.unwrap().is_some(), "{name}");
        s.migrate().await.unwrap();
        assert_eq!(s.schema_problem().await.unwrap(), None, "{name}");
        assert_eq!(
            s.plan(plan_id).await.unwrap(),
            Some(Plan {
                id: plan_id,
                ..plan(pid)
            }),
            "{name}"
        );
        assert_eq!(
            s.disputes_about(plan_id).await.unwrap(),
            vec![Dispute { id: did, ..dispute }],
            "{name}"
        );
        // The key goes on from where it was: the next plan is not given a kept plan's id.
        let mut tx = s.begin().await.unwrap();
        let next = tx.insert_plan(&plan(pid)).await.unwrap();
        tx.commit().await.unwrap();
        assert!(next.0 > plan_id.0, "{name}: {next:?} after {plan_id:?}");
    }
}

/// A plan's notice names the letter that gave it; one Tact recorded from a letter before
/// notices had `letter_id` (the letter named in the agreement note, "letter 7") reads as
/// that letter, with no agreement note, on both backends.
#[tokio::test]
async fn cle_9_6_and_nor_5_1_a_notice_names_the_letter_that_gave_it_and_the_earlier_note_reads_as_one(
) {
    for (name, s) in stores().await {
        let mut tx = s.begin().await.unwrap();
        let (pid, _) = tx.insert_person(&person()).await.unwrap();
        let notice = Notice {
            sent_at: now(),
            recorded_by: StaffId(1),
            channel: Channel::Letter,
            format: Format::LargePrint,
            agreement_sought: true,
            agreement_given: Some(false),
            agreement_note: Some("letter 12 was read to them; they did not agree".into()),
            letter_id: Some(9),
            policy_enclosed: true,
            plan_version: 1,
        };
        let told = Plan {
            notice: Some(notice.clone()),
            ..plan(pid)
        };
        let id = tx.insert_plan(&told).await.unwrap();
        let earlier = tx
            .insert_plan(&Plan {
                notice: Some(Notice {
                    agreement_note: Some("letter 7".into()),
                    letter_id: None,
                    ..notice.clone()
                }),
                ..plan(pid)
            })
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let read = s.plan(id).await.unwrap().unwrap().notice.unwrap();
        assert_eq!(read, notice, "{name}: kept as written");
        // As Tact wrote such a notice before: no letter_id in the body at all.
        let mut body = tact_store::codec::plan_json(&s.plan(earlier).await.unwrap().unwrap());
        body["notice"].as_object_mut().unwrap().remove("letter_id");
        body["notice"]["agreement_note"] = "letter 7".into();
        sqlx::query("UPDATE plans SET body = $1 WHERE id = $2")
            .bind(body.to_string())
            .bind(earlier.0)
            .execute(s.pool())
            .await
            .unwrap();
        let read = s.plan(earlier).await.unwrap().unwrap().notice.unwrap();
        assert_eq!(
            (read.letter_id, read.agreement_note),
            (Some(7), None),
            "{name}"
        );
    }
}
