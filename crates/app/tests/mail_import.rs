//! Inbound correspondence through the real store, on SQLite and (when configured)
//! PostgreSQL: matched, threaded, judged, routed and kept once (issue 4).

use jiff::Timestamp;
use tact_core::command as cmd;

mod common;
use common::world;
use tact_app::mail::Imported;
use tact_core::correspondence::Route;
use tact_core::identity::EmailAddress;
use tact_core::model::{Restriction, Rule, TaskKind};
use tact_core::profile::Channel;
use tact_mail::Limits;
use tact_store::{testing, TaskFilter};

fn message(id: &str, from: &str, subject: &str, extra: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: enquiries@opcc.example\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n{extra}Date: Fri, 20 Nov 2026 10:00:00 +0000\r\n\r\nPlease reply.\r\n"
    )
    .into_bytes()
}

/// `raw` taken in to "enquiries" under the default limits, as stored: its message id,
/// where it went and its contact. One not stored fails the test, naming the backend.
async fn stored(
    app: &tact_app::App,
    name: &str,
    raw: &[u8],
) -> (i64, Route, tact_core::model::Contact) {
    match app
        .import_message("enquiries", raw, &Limits::default())
        .await
        .unwrap()
    {
        Imported::Stored {
            id, route, contact, ..
        } => (id, route, *contact),
        other => panic!("{name}: not stored: {other:?}"),
    }
}

#[tokio::test]
async fn a_message_is_matched_threaded_and_kept_once() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let limits = Limits::default();
        let first = message(
            "one@example.org",
            "Jo Bloggs <JO@example.org>",
            &format!("About {}", w.matter_ref),
            "",
        );
        let got = w
            .app
            .import_message("enquiries", &first, &limits)
            .await
            .unwrap();
        let Imported::Stored { route, contact, .. } = got else {
            panic!("{name}: {got:?}")
        };
        assert_eq!(route, Route::Inbox, "{name}");
        assert_eq!(contact.person_id, Some(w.person), "{name}: sender matched");
        assert_eq!(
            contact.matter_id,
            Some(w.matter),
            "{name}: threaded by reference"
        );
        assert_eq!(contact.channel, Channel::Email);
        // A reply names the first message only: threaded onto the same matter.
        let reply = message(
            "two@example.org",
            "jo@example.org",
            "Re: hello",
            "In-Reply-To: <one@example.org>\r\n",
        );
        let (_, _, contact) = stored(&w.app, name, &reply).await;
        assert_eq!(
            contact.matter_id,
            Some(w.matter),
            "{name}: threaded by In-Reply-To"
        );
        // The same message again, as a second poll would see it: nothing new.
        let again = w
            .app
            .import_message("enquiries", &first, &limits)
            .await
            .unwrap();
        assert!(
            matches!(again, Imported::Duplicate { .. }),
            "{name}: {again:?}"
        );
        let kept = w.app.store().messages_of(w.person).await.unwrap();
        assert_eq!(kept.len(), 2, "{name}");
        assert_eq!(
            w.app.store().contacts_of(w.person, 10).await.unwrap().len(),
            2
        );
        // Kept exactly as received.
        let (raw, _) = w
            .app
            .store()
            .message_content(kept[1].id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(raw, first, "{name}");
        // An unknown sender is kept for staff to match.
        let stranger = message("three@example.org", "someone@example.net", "Hi", "");
        let (_, route, _) = stored(&w.app, name, &stranger).await;
        assert_eq!(route, Route::UnknownSender, "{name}");
        // A subject in words beyond ASCII, from someone Tact knows (it once stopped the
        // import on a byte inside "é"): kept, and threaded by the reference in it.
        let accented = message(
            "four@example.org",
            "jo@example.org",
            &format!("=?utf-8?q?Caf=C3=A9_=E2=80=93_{}?=", w.matter_ref),
            "",
        );
        let (_, _, contact) = stored(&w.app, name, &accented).await;
        assert_eq!(
            contact.summary,
            format!("Café – {}", w.matter_ref),
            "{name}"
        );
        assert_eq!(contact.matter_id, Some(w.matter), "{name}");
    }
}

#[tokio::test]
async fn cle_9_11_an_email_the_plan_forbids_is_kept_as_a_breach_with_a_reminder_and_screened() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let sid = w.letters_only().await;
        let raw = message("x1@example.org", "jo@example.org", "Again", "");
        let got = w
            .app
            .import_message("enquiries", &raw, &Limits::default())
            .await
            .unwrap();
        let Imported::Stored {
            route,
            contact,
            verdict,
            ..
        } = got
        else {
            panic!("{name}: {got:?}")
        };
        assert_eq!(route, Route::Breach, "{name}");
        assert_eq!(contact.breach_of, vec![format!("{sid}:single-channel")]);
        assert!(!verdict.allowed());
        let tasks = w
            .app
            .store()
            .tasks(
                &TaskFilter {
                    person: Some(w.person),
                    open_only: true,
                    ..Default::default()
                },
                50,
            )
            .await
            .unwrap();
        for kind in [TaskKind::BreachReminder, TaskKind::Screening] {
            assert!(
                tasks.iter().any(|t| t.task.kind == kind),
                "{name}: {kind:?} in {tasks:?}"
            );
        }
    }
}

#[tokio::test]
async fn what_cannot_be_read_is_quarantined_whole_once() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let raw = b"Subject: no sender at all\r\n\r\nbody".to_vec();
        let got = w
            .app
            .import_message("enquiries", &raw, &Limits::default())
            .await
            .unwrap();
        let Imported::Quarantined { id, reason, .. } = got else {
            panic!("{name}: {got:?}")
        };
        assert!(reason.contains("sender"), "{name}");
        let q = w
            .app
            .store()
            .messages_routed(Route::Quarantine, 10)
            .await
            .unwrap();
        assert_eq!(q.len(), 1, "{name}");
        assert_eq!(q[0].quarantine_reason.as_deref(), Some(reason.as_str()));
        let (kept, _) = w.app.store().message_content(id).await.unwrap().unwrap();
        assert_eq!(kept, raw, "{name}: kept whole");
        let again = w
            .app
            .import_message("enquiries", &raw, &Limits::default())
            .await
            .unwrap();
        assert!(matches!(again, Imported::Duplicate { .. }), "{name}");
        let _ = Timestamp::now();
    }
}

/// A fault in Tact while reading one message (it once panicked on a subject with an "é")
/// keeps that message whole in quarantine, saying so, instead of stopping the mailbox: the
/// next message is taken in as ever, and the same message again is a duplicate.
#[tokio::test]
async fn a_message_tact_fails_on_is_kept_whole_in_quarantine_and_the_next_is_taken_in() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let raw = message("f1@example.org", "jo@example.org", "Hello", "");
        let got = tact_app::testing::take_in_with_a_fault(&w.app, "enquiries", &raw)
            .await
            .unwrap();
        let Imported::Quarantined { id, reason, .. } = got else {
            panic!("{name}: {got:?}")
        };
        assert!(reason.contains("Tact failed"), "{name}: {reason}");
        let (kept, _) = w.app.store().message_content(id).await.unwrap().unwrap();
        assert_eq!(kept, raw, "{name}: kept whole");
        assert!(
            w.app
                .store()
                .contacts_of(w.person, 10)
                .await
                .unwrap()
                .is_empty(),
            "{name}: nothing half-written"
        );
        let again = tact_app::testing::take_in_with_a_fault(&w.app, "enquiries", &raw)
            .await
            .unwrap();
        assert!(matches!(again, Imported::Duplicate { .. }), "{name}");
        let next = message("f2@example.org", "jo@example.org", "Still there?", "");
        let got = w
            .app
            .take_in("enquiries", &next, &Limits::default())
            .await
            .unwrap();
        assert!(matches!(got, Imported::Stored { .. }), "{name}: {got:?}");
    }
}

#[tokio::test]
async fn cle_9_9_email_to_a_dedicated_address_is_diverted_to_the_single_point_of_contact() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let (_, spoc) = w
            .plan_with(|lm| {
                vec![
                    Restriction {
                        rule: Rule::DedicatedMailbox {
                            address: EmailAddress::parse("jo-bloggs@opcc.example").unwrap(),
                        },
                        reason: "One place for their emails".into(),
                    },
                    Restriction {
                        rule: Rule::SinglePointOfContact { staff_id: lm },
                        reason: "One person who knows the case".into(),
                    },
                ]
            })
            .await;
        let raw = message("d1@example.org", "jo@example.org", "Update?", "");
        let got = w
            .app
            .import_message("jo-bloggs", &raw, &Limits::default())
            .await
            .unwrap();
        assert!(matches!(got, Imported::Stored { .. }), "{name}: {got:?}");
        let mine = w
            .app
            .store()
            .tasks(
                &TaskFilter {
                    assignee: Some(spoc),
                    open_only: true,
                    ..Default::default()
                },
                50,
            )
            .await
            .unwrap();
        let t = mine
            .iter()
            .find(|t| t.task.kind == TaskKind::ReadDiverted)
            .unwrap_or_else(|| panic!("{name}: {mine:?}"));
        assert!(t.task.title.contains("jo-bloggs@opcc.example"), "{name}");
        assert_eq!(t.task.clause, "CLE-9.9");
    }
}

#[tokio::test]
async fn cle_9_10_a_message_matched_to_a_person_under_a_plan_is_screened_within_the_profiles_days()
{
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        w.letters_only().await;
        let raw = message("s1@example.net", "jo.other@example.net", "Hello", "");
        let (id, _, _) = stored(&w.app, name, &raw).await;
        let m = w
            .app
            .execute(
                &w.cw,
                cmd::MatchMessage {
                    message: id,
                    person: w.person,
                    keep_address: false,
                },
            )
            .await
            .unwrap();
        assert_eq!(m.route, Route::Screening, "{name}");
        assert_eq!(m.person_id, Some(w.person));
        let tasks = w
            .app
            .store()
            .tasks(
                &TaskFilter {
                    person: Some(w.person),
                    open_only: true,
                    ..Default::default()
                },
                50,
            )
            .await
            .unwrap();
        let task = tasks
            .iter()
            .find(|t| {
                t.task.kind == TaskKind::Screening
                    && t.task.subject.as_deref()
                        == m.contact_id.map(|c| format!("contact:{c}")).as_deref()
            })
            .unwrap_or_else(|| panic!("{name}: {tasks:?}"));
        // Due the profile's screening days after it came in, as for contact logged by staff.
        let days = w.app.profile.rules.screening_due_days as i64;
        assert_eq!(
            task.task.due_on,
            Some(
                tact_core::check::uk_date(w.app.now())
                    .checked_add(jiff::Span::new().days(days))
                    .unwrap()
            ),
            "{name}"
        );
        // Not kept: the address is still unknown next time.
        let again = message("s2@example.net", "jo.other@example.net", "Hello", "");
        let (_, route, _) = stored(&w.app, name, &again).await;
        assert_eq!(route, Route::UnknownSender, "{name}");
    }
}

/// Blocked or read-and-file mail is kept and screened; it is acknowledged only where the
/// plan says so, and otherwise raises nothing beyond its place in the screening queue.
#[tokio::test]
async fn nor_5_5_and_cle_9_10_blocked_or_read_and_file_mail_is_screened_and_acknowledged_only_where_the_plan_says(
) {
    for profile in ["cleveland-opcc", "northamptonshire-opfcc"] {
        for acknowledge in [false, true] {
            for (name, url) in testing::fresh_urls().await {
                let w = common::world_under(&url, profile).await;
                let plan = w
                    .plan_with(|_| {
                        vec![Restriction {
                            rule: if profile == "cleveland-opcc" {
                                Rule::BlockedIdentifier {
                                    identifier: tact_core::identity::Identifier::Email(
                                        EmailAddress::parse("jo@example.org").unwrap(),
                                    ),
                                    acknowledge,
                                }
                            } else {
                                Rule::ReadAndFile { acknowledge }
                            },
                            reason: "Forty emails a day".into(),
                        }]
                    })
                    .await;
                // NOR-5.1: the plan takes effect once they have been told; `plan_with` told them.
                let notice = w.app.plan_as_stored(plan.0).await.unwrap().notice;
                assert!(notice.is_some(), "{name}");
                let raw = message("rf1@example.org", "jo@example.org", "Yet more", "");
                let imported = w
                    .app
                    .import_message("enquiries", &raw, &Limits::default())
                    .await
                    .unwrap();
                let Imported::Stored { route, contact, .. } = imported else {
                    panic!("{name} {profile}: {imported:?}")
                };
                let case = format!("{name} {profile} acknowledge={acknowledge}");
                assert_eq!(route, Route::Screening, "{case}");
                let tasks = w
                    .app
                    .store()
                    .tasks(
                        &TaskFilter {
                            person: Some(w.person),
                            open_only: true,
                            ..Default::default()
                        },
                        50,
                    )
                    .await
                    .unwrap();
                let about = format!("contact:{}", contact.id);
                let kinds: Vec<TaskKind> = tasks
                    .iter()
                    .filter(|t| t.task.subject.as_deref() == Some(about.as_str()))
                    .map(|t| t.task.kind)
                    .collect();
                assert_eq!(
                    kinds,
                    [TaskKind::Screening],
                    "{case}: no breach, no reminder"
                );
                let letters = w.app.store().letters_of(w.person).await.unwrap();
                let acks: Vec<_> = letters
                    .iter()
                    .filter(|l| l.kind == "acknowledgement")
                    .collect();
                if acknowledge {
                    assert_eq!(acks.len(), 1, "{case}");
                    assert_eq!(acks[0].to_address, "jo@example.org");
                    assert_eq!(
                        acks[0].status,
                        tact_core::correspondence::LetterStatus::Queued
                    );
                    assert!(acks[0].text.contains("(\"Yet more\")"), "{case}");
                } else {
                    assert!(acks.is_empty(), "{case}: {acks:?}");
                }
                // Polled again: nothing twice, the acknowledgement included.
                let again = w
                    .app
                    .import_message("enquiries", &raw, &Limits::default())
                    .await
                    .unwrap();
                assert!(matches!(again, Imported::Duplicate { .. }), "{case}");
                assert_eq!(
                    w.app.store().letters_of(w.person).await.unwrap().len(),
                    letters.len(),
                    "{case}"
                );
            }
        }
    }
}

/// An acknowledgement quotes the subject of the email it answers as far as a heading goes:
/// a sender's subject longer than a letter can be is cut, with an ellipsis, and the email
/// is kept and acknowledged, not refused on every poll. The contact's summary is cut to one
/// line (issue 11), as every door keeps a summary.
#[tokio::test]
async fn cle_9_10_an_acknowledgement_quotes_a_subject_of_any_length_cut_to_a_heading() {
    for (name, url) in testing::fresh_urls().await {
        let w = common::world_under(&url, "cleveland-opcc").await;
        w.plan_with(|_| {
            vec![Restriction {
                rule: Rule::BlockedIdentifier {
                    identifier: tact_core::identity::Identifier::Email(
                        EmailAddress::parse("jo@example.org").unwrap(),
                    ),
                    acknowledge: true,
                },
                reason: "Forty emails a day".into(),
            }]
        })
        .await;
        let subject = "Yet more ".repeat(15_000);
        let raw = message("long1@example.org", "jo@example.org", subject.trim(), "");
        let imported = w
            .app
            .import_message("enquiries", &raw, &Limits::default())
            .await
            .unwrap();
        assert!(
            matches!(imported, Imported::Stored { .. }),
            "{name}: {imported:?}"
        );
        let letters = w.app.store().letters_of(w.person).await.unwrap();
        let ack = letters
            .iter()
            .find(|l| l.kind == "acknowledgement")
            .unwrap_or_else(|| panic!("{name}: acknowledged"));
        let cut: String = subject.chars().take(200).collect();
        assert!(
            ack.text.contains(&format!("(\"{}…\")", cut.trim_end())),
            "{name}: {}",
            &ack.text[..400.min(ack.text.len())]
        );
        assert!(ack.text.chars().count() < 5_000, "{name}");
        // The contact's summary is one line, as at every other door; the message keeps
        // the whole subject.
        let contacts = w.app.store().contacts_of(w.person, 10).await.unwrap();
        let summary = &contacts[0].summary;
        let n = summary.chars().count();
        assert!(
            (tact_core::error::MAX_LINE_CHARS - 9..=tact_core::error::MAX_LINE_CHARS).contains(&n),
            "{name}: {n}"
        );
        assert!(summary.ends_with('…') && subject.starts_with(summary.trim_end_matches('…')));
        assert!(tact_core::error::within("summary", summary).is_ok());
    }
}
