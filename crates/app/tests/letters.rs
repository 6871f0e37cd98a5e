//! Letters written from the profile's template and sent through a real SMTP server
//! (postfix's smtp-sink, started on loopback by the test). The tests that need it are
//! `#[ignore = "needs smtp-sink …"]`; `.ci/run` installs it and runs the ignored tests, and
//! they fail, never skip, when it is missing.

mod common;

use common::{email_only, world};
use std::process::{Child, Command};
use tact_app::letters::How;
use tact_app::query as q;
use tact_core::command as cmd;
use tact_core::correspondence::{LetterChange, LetterStatus, PlanLetter};
use tact_core::model::{Format, Restriction, Rule};
use tact_core::profile::Channel;
use tact_mail::smtp::Relay;
use tact_store::testing;

struct Sink {
    dir: std::path::PathBuf,
    port: u16,
    child: Child,
}

impl Sink {
    fn start() -> Self {
        assert!(
            Command::new("smtp-sink").arg("-h").output().is_ok(),
            "this test needs smtp-sink: apt-get install postfix"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("tact-sink-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let _ = Command::new("chown").arg("nobody").arg(&dir).status();
        let child = Command::new("smtp-sink")
            .args(["-u", "nobody", "-d"])
            .arg(format!("{}/%M%S.", dir.display()))
            .arg(format!("127.0.0.1:{port}"))
            .arg("10")
            .spawn()
            .unwrap();
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Self { dir, port, child }
    }

    fn received(&self) -> Vec<String> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(&self.dir).unwrap() {
            out.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
        }
        out
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn relay(port: u16) -> Relay {
    Relay {
        host: "127.0.0.1".into(),
        port,
        security: "none".into(),
        username: None,
        password: None,
        from: "Cleveland OPCC <enquiries@opcc.example>".into(),
    }
}

#[tokio::test]
#[ignore = "needs smtp-sink (apt-get install postfix)"]
async fn cle_9_6_the_notice_is_written_from_the_template_kept_and_sent_by_email() {
    let sink = Sink::start();
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let (sid, lm) = w.plan_authorised(common::letters).await;
        let lm = common::ctx(&w.app.store().staff(lm).await.unwrap().unwrap());
        // A restriction to letters does not stop our own email to them.
        let l = w
            .app
            .execute(
                &lm,
                cmd::WriteLetter {
                    about: tact_core::correspondence::LetterAbout::Plan {
                        plan: sid,
                        kind: PlanLetter::PlanNotice,
                    },
                    how: How::default(),
                },
            )
            .await
            .unwrap();
        assert_eq!(l.channel, Channel::Email, "{name}");
        assert_eq!(l.status, LetterStatus::Queued);
        assert_eq!(l.format, Format::Standard, "their preferred format");
        assert!(
            l.text.contains("Please contact us by letter only"),
            "{name}: {}",
            l.text
        );
        assert!(
            l.text.contains(&w.matter_ref),
            "{name}: the matter it covers"
        );
        let (sent, failed) = w.app.send_due_letters(&relay(sink.port), 10).await.unwrap();
        assert_eq!((sent, failed), (1, 0), "{name}");
        let kept = w.app.letter_as_stored(l.id).await.unwrap();
        assert_eq!(kept.status, LetterStatus::Sent, "{name}");
        assert!(kept.sent_at.is_some());
        // Sent once: nothing is due now.
        assert_eq!(
            w.app.send_due_letters(&relay(sink.port), 10).await.unwrap(),
            (0, 0)
        );
        let got = sink.received();
        assert!(
            got.iter().any(|m| m.contains("jo@example.org")
                && m.contains("How we will be in contact with you from now on")
                && m.contains(&format!("letter-{}@tact", l.id))),
            "{name}: {got:?}"
        );
        // For post, in large print: it goes to the print queue with the large-print HTML.
        tact_store::testing::raw(
            w.app.store(),
            "UPDATE people SET postal_address = '1 High Street, Middlesbrough'",
        )
        .await;
        let post = w
            .app
            .execute(
                &lm,
                cmd::WriteLetter {
                    about: tact_core::correspondence::LetterAbout::Plan {
                        plan: sid,
                        kind: PlanLetter::PlanNotice,
                    },
                    how: How {
                        channel: Some(Channel::Letter),
                        format: Some(Format::LargePrint),
                        hold: false,
                    },
                },
            )
            .await
            .unwrap();
        assert_eq!(post.status, LetterStatus::ToPrint, "{name}");
        assert!(post.html.contains("font-size:18pt"));
        assert_eq!(post.to_address, "1 High Street, Middlesbrough");
    }
}

#[tokio::test]
async fn an_email_the_relay_cannot_take_is_tried_again_later_then_shown_as_failed() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let (sid, lm) = w.plan_authorised(email_only).await;
        let lm = common::ctx(&w.app.store().staff(lm).await.unwrap().unwrap());
        let l = w
            .app
            .execute(
                &lm,
                cmd::WriteLetter {
                    about: tact_core::correspondence::LetterAbout::Plan {
                        plan: sid,
                        kind: PlanLetter::PlanNotice,
                    },
                    how: How::default(),
                },
            )
            .await
            .unwrap();
        // Nothing listens on this port.
        let dead = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let clock = tact_app::Clock::fixed(w.app.now());
        let app = w.app.with_clock(clock.clone());
        for attempt in 1..=tact_core::correspondence::MAX_ATTEMPTS {
            assert_eq!(
                app.send_due_letters(&relay(dead), 10).await.unwrap(),
                (0, 1),
                "{name}: attempt {attempt}"
            );
            let now = app.letter_as_stored(l.id).await.unwrap();
            assert_eq!(now.attempts, attempt);
            assert!(now.last_error.is_some(), "{name}: the error is kept");
            // Not due again until its next attempt time.
            assert_eq!(
                app.send_due_letters(&relay(dead), 10).await.unwrap(),
                (0, 0)
            );
            clock.set(app.now() + jiff::SignedDuration::from_hours(3));
        }
        let last = app.letter_as_stored(l.id).await.unwrap();
        assert_eq!(last.status, LetterStatus::Failed, "{name}");
    }
}

#[tokio::test]
async fn cle_9_14_the_letter_about_a_change_says_what_was_decided_and_why() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let (sid, lm) = w.plan_authorised(email_only).await;
        let lm_ctx = common::ctx(&w.app.store().staff(lm).await.unwrap().unwrap());
        // Not lifted yet: there is nothing to tell them about lifting.
        let e = w
            .app
            .execute(
                &lm_ctx,
                cmd::WriteLetter {
                    about: tact_core::correspondence::LetterAbout::Plan {
                        plan: sid,
                        kind: PlanLetter::Lifting,
                    },
                    how: How::default(),
                },
            )
            .await
            .unwrap_err();
        assert!(e.to_string().contains("has not been lifted"), "{name}: {e}");
        // The plan's state refuses it (409 at every door), not bad input.
        assert!(
            matches!(&e, tact_app::AppError::Rule(r) if r.kind == tact_core::RuleErrorKind::Conflict),
            "{name}: {e:?}"
        );
        let sm = w.senior().await;
        common::step(
            &w.app,
            &common::ctx(&sm),
            sid,
            tact_core::workflow::PlanCommand::Lift {
                reason: "Contact has been calm for three months".into(),
            },
        )
        .await
        .unwrap();
        let l = w
            .app
            .execute(
                &lm_ctx,
                cmd::WriteLetter {
                    about: tact_core::correspondence::LetterAbout::Plan {
                        plan: sid,
                        kind: PlanLetter::Lifting,
                    },
                    how: How::default(),
                },
            )
            .await
            .unwrap();
        assert!(
            l.text.contains("to end the contact strategy")
                && l.text.contains("Contact has been calm for three months"),
            "{name}: {}",
            l.text
        );
    }
}

#[tokio::test]
async fn nor_1_5_the_adjustment_decision_goes_in_writing_and_writing_it_closes_the_task() {
    for (name, url) in testing::fresh_urls().await {
        let w = common::world_under(&url, "northamptonshire-opfcc").await;
        let csm = w
            .app
            .create_staff(
                None,
                "Carys Customer-Service",
                tact_core::roles::Role::CustomerServiceManager,
                None,
                None,
            )
            .await
            .unwrap();
        let csm = common::ctx(&csm);
        let a = w.adjustment_granted(&csm).await;
        let open = |kind| {
            let app = w.app.clone();
            let me = csm.actor.id;
            async move {
                app.store()
                    .tasks(
                        &tact_store::TaskFilter {
                            assignee: Some(me),
                            open_only: true,
                            ..Default::default()
                        },
                        50,
                    )
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|t| t.task.kind == kind)
                    .count()
            }
        };
        assert_eq!(
            open(tact_core::model::TaskKind::AdjustmentLetter).await,
            1,
            "{name}"
        );
        let l = w
            .app
            .execute(
                &csm,
                cmd::WriteLetter {
                    about: tact_core::correspondence::LetterAbout::Adjustment(a.id),
                    how: How::default(),
                },
            )
            .await
            .unwrap();
        assert!(
            l.text
                .contains("to make this change for you: Needs longer to reply")
                && l.text.contains("A fair request"),
            "{name}: {}",
            l.text
        );
        assert_eq!(
            open(tact_core::model::TaskKind::AdjustmentLetter).await,
            0,
            "{name}"
        );
    }
}

#[tokio::test]
#[ignore = "needs smtp-sink (apt-get install postfix)"]
async fn a_held_letter_goes_only_when_released_and_goes_as_staff_changed_it() {
    let sink = Sink::start();
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let (sid, lm) = w.plan_authorised(email_only).await;
        let lm = common::ctx(&w.app.store().staff(lm).await.unwrap().unwrap());
        let held = How {
            hold: true,
            ..How::default()
        };
        let l = w
            .app
            .execute(
                &lm,
                cmd::WriteLetter {
                    about: tact_core::correspondence::LetterAbout::Plan {
                        plan: sid,
                        kind: PlanLetter::PlanNotice,
                    },
                    how: held,
                },
            )
            .await
            .unwrap();
        assert_eq!(l.status, LetterStatus::Draft, "{name}");
        assert_eq!(
            w.app.send_due_letters(&relay(sink.port), 10).await.unwrap(),
            (0, 0),
            "{name}: a held letter is not sent"
        );
        // Typed changes, then a Word document staff changed again.
        let typed = format!("{}\nA line staff added.\n", l.text);
        let typed_as = |subject: Option<&str>, text: &str| cmd::ChangeLetter {
            letter: l.id,
            change: LetterChange::Typed {
                subject: subject.map(str::to_string),
                text: text.to_string(),
                how: "typed",
            },
        };
        let word_as = |bytes: &[u8]| cmd::ChangeLetter {
            letter: l.id,
            change: LetterChange::Word(bytes.to_vec()),
        };
        let a = w.app.execute(&lm, typed_as(None, &typed)).await.unwrap();
        assert!(a.html.contains("A line staff added."), "{name}");
        let e = w
            .app
            .execute(&lm, typed_as(Some(" "), &typed))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("heading"), "{name}: {e}");
        let (docx, media, _) = w
            .app
            .query(
                &lm.actor,
                q::LetterDocument {
                    id: l.id,
                    doc: tact_app::letters::Document::Docx,
                },
            )
            .await
            .unwrap();
        assert!(media.contains("wordprocessingml"));
        let back = tact_mail::docx::read(&docx).unwrap();
        assert!(back.text.contains("A line staff added."), "{name}");
        let word = tact_mail::docx::render(&tact_mail::Layout::plain(
            "Our new arrangements",
            &back.text.replace("A line staff added.", "Changed in Word."),
        ))
        .unwrap();
        let b = w.app.execute(&lm, word_as(&word)).await.unwrap();
        assert_eq!(b.subject, "Our new arrangements");
        assert!(b.text.contains("Changed in Word.") && !b.text.contains("A line staff added."));
        let e = w
            .app
            .execute(&lm, word_as(b"not a document"))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("not a Word"), "{name}: {e}");
        // Released: sent as changed, and kept as sent.
        let r = w
            .app
            .execute(&lm, cmd::ReleaseLetter { letter: l.id })
            .await
            .unwrap();
        assert_eq!(r.status, LetterStatus::Queued);
        assert_eq!(
            w.app.send_due_letters(&relay(sink.port), 10).await.unwrap(),
            (1, 0),
            "{name}"
        );
        let kept = w.app.letter_as_stored(l.id).await.unwrap();
        assert_eq!(kept.status, LetterStatus::Sent);
        assert_eq!(kept.text, b.text, "{name}: kept exactly as sent");
        let got = sink.received();
        assert!(
            got.iter()
                .any(|m| m.contains("Our new arrangements") && m.contains("Changed in Word.")),
            "{name}: {got:?}"
        );
        // Once it has gone it cannot be changed or released again.
        assert!(w.app.execute(&lm, typed_as(None, "x")).await.is_err());
        assert!(w
            .app
            .execute(&lm, cmd::ReleaseLetter { letter: l.id })
            .await
            .is_err());
        // The PDF is made from the kept wording, with the letterhead.
        let (pdf, media, file) = w
            .app
            .query(
                &lm.actor,
                q::LetterDocument {
                    id: l.id,
                    doc: tact_app::letters::Document::Pdf,
                },
            )
            .await
            .unwrap();
        assert_eq!(media, "application/pdf");
        assert_eq!(file, format!("letter-{}.pdf", l.id));
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf
            .windows(b"/Title(Our new arrangements)".len())
            .any(|x| x == b"/Title(Our new arrangements)"));
    }
}

/// The notice letter, once it has gone (sent by email, or printed and posted), is the
/// written notice: recorded on the plan by whoever wrote it, with the policy enclosed
/// where the profile says so — but not if the plan changed after the letter was written.
#[tokio::test]
#[ignore = "needs smtp-sink (apt-get install postfix)"]
async fn cle_9_6_and_nor_5_1_a_notice_letter_that_has_gone_is_the_recorded_notice() {
    let sink = Sink::start();
    for (name, url) in testing::fresh_urls().await {
        // Northamptonshire, by email: the policy goes with it (NOR-5.2) and the plan takes
        // effect once the notice is recorded (NOR-5.1).
        let w = common::world_under(&url, "northamptonshire-opfcc").await;
        let (sid, lm) = w.plan_authorised(email_only).await;
        let lm = common::ctx(&w.app.store().staff(lm).await.unwrap().unwrap());
        assert!(w.app.plan_as_stored(sid).await.unwrap().notice.is_none());
        let l = w
            .app
            .execute(
                &lm,
                cmd::WriteLetter {
                    about: tact_core::correspondence::LetterAbout::Plan {
                        plan: sid,
                        kind: PlanLetter::PlanNotice,
                    },
                    how: How::default(),
                },
            )
            .await
            .unwrap();
        assert_eq!(
            w.app.send_due_letters(&relay(sink.port), 10).await.unwrap(),
            (1, 0),
            "{name}"
        );
        let s = w.app.plan_as_stored(sid).await.unwrap();
        let notice = s.notice.clone().expect("the sent letter is the notice");
        assert_eq!(notice.channel, Channel::Email, "{name}");
        assert!(notice.policy_enclosed && !notice.agreement_sought, "{name}");
        assert_eq!(notice.recorded_by, lm.actor.id);
        // The record names the letter that told them, and says nothing they did not.
        assert_eq!(
            (notice.letter_id, notice.agreement_note.as_deref()),
            (Some(l.id), None),
            "{name}"
        );
        assert_eq!(s.status, tact_core::model::PlanStatus::Active, "{name}");
        let got = sink.received();
        assert!(
            got.iter()
                .any(|m| m.contains(&format!("letter-{}@tact", l.id))
                    && m.contains("Managing-Service-User-Contact-Policy.pdf")
                    && m.contains("application/pdf")),
            "{name}: the policy goes with the notice"
        );

        // Cleveland, by post: recorded when it is marked printed and posted, agreement
        // sought (CLE-9.6).
        let url = testing::fresh_urls()
            .await
            .into_iter()
            .find(|(n, _)| *n == name)
            .unwrap()
            .1;
        let w = world(&url).await;
        let (sid, lm) = w.plan_authorised(email_only).await;
        let lm = common::ctx(&w.app.store().staff(lm).await.unwrap().unwrap());
        tact_store::testing::raw(
            w.app.store(),
            "UPDATE people SET postal_address = '1 High Street'",
        )
        .await;
        let post = How {
            channel: Some(Channel::Letter),
            ..How::default()
        };
        let first = w
            .app
            .execute(
                &lm,
                cmd::WriteLetter {
                    about: tact_core::correspondence::LetterAbout::Plan {
                        plan: sid,
                        kind: PlanLetter::PlanNotice,
                    },
                    how: post,
                },
            )
            .await
            .unwrap();
        w.app
            .execute(&lm, cmd::MarkPrinted { letter: first.id })
            .await
            .unwrap();
        let notice = w
            .app
            .plan_as_stored(sid)
            .await
            .unwrap()
            .notice
            .expect("posted");
        assert_eq!(notice.channel, Channel::Letter, "{name}");
        assert!(notice.agreement_sought && !notice.policy_enclosed, "{name}");
        assert_eq!(notice.letter_id, Some(first.id), "{name}");
        assert_eq!(notice.agreement_note, None, "{name}");

        // A letter written before the plan changed is not the notice of the change.
        let url = testing::fresh_urls()
            .await
            .into_iter()
            .find(|(n, _)| *n == name)
            .unwrap()
            .1;
        let w = world(&url).await;
        let (sid, lm) = w.plan_authorised(email_only).await;
        let lm = common::ctx(&w.app.store().staff(lm).await.unwrap().unwrap());
        let stale = w
            .app
            .execute(
                &lm,
                cmd::WriteLetter {
                    about: tact_core::correspondence::LetterAbout::Plan {
                        plan: sid,
                        kind: PlanLetter::PlanNotice,
                    },
                    how: How::default(),
                },
            )
            .await
            .unwrap();
        let s = w.app.plan_as_stored(sid).await.unwrap();
        let sm = w
            .app
            .create_staff(
                None,
                "Sal Senior",
                tact_core::roles::Role::SeniorManager,
                None,
                None,
            )
            .await
            .unwrap();
        common::step(
            &w.app,
            &common::ctx(&sm),
            sid,
            tact_core::workflow::PlanCommand::Vary(tact_core::workflow::VaryInput {
                restrictions: vec![Restriction {
                    rule: Rule::SingleChannel {
                        channel: Channel::Letter,
                    },
                    reason: "Letters instead".into(),
                }],
                review_due: s.review_due,
                ends_on: None,
                reason: "Emails continued".into(),
                overrides: Vec::new(),
            }),
        )
        .await
        .unwrap();
        assert_eq!(
            w.app.send_due_letters(&relay(sink.port), 10).await.unwrap(),
            (1, 0)
        );
        assert_eq!(
            w.app.letter_as_stored(stale.id).await.unwrap().status,
            LetterStatus::Sent
        );
        assert!(
            w.app.plan_as_stored(sid).await.unwrap().notice.is_none(),
            "{name}: staff record the notice of the changed plan themselves"
        );
    }
}

/// Writes the notice of plan `sid` by `lm`, as `how` says.
async fn notice_letter(
    w: &common::World,
    lm: &tact_app::Ctx,
    sid: tact_core::ids::PlanId,
    how: How,
) -> tact_core::correspondence::StoredLetter {
    w.app
        .execute(
            lm,
            cmd::WriteLetter {
                about: tact_core::correspondence::LetterAbout::Plan {
                    plan: sid,
                    kind: PlanLetter::PlanNotice,
                },
                how,
            },
        )
        .await
        .unwrap()
}

/// CLE-9.9; NOR-5.5, 5.6: someone whose plan allows them letters only, with an email address
/// and a postal address, is written to by post unless staff choose email: the letter that
/// says "by letter only" does not arrive as an email inviting a reply.
#[tokio::test]
async fn cle_9_9_nor_5_5_a_letter_to_someone_held_to_letters_goes_by_post_unless_staff_choose() {
    for profile in ["cleveland-opcc", "northamptonshire-opfcc"] {
        for (name, url) in testing::fresh_urls().await {
            let w = common::world_under(&url, profile).await;
            w.app
                .execute(
                    &w.cw,
                    cmd::UpdatePerson {
                        person: w.person,
                        changes: tact_core::model::PersonChanges {
                            postal_address: Some(Some(
                                "1 High Street, Middlesbrough TS1 1AA".into(),
                            )),
                            ..Default::default()
                        },
                    },
                )
                .await
                .unwrap();
            let (sid, lm) = w
                .plan_authorised(|_| {
                    vec![Restriction {
                        rule: Rule::SingleChannel {
                            channel: Channel::Letter,
                        },
                        reason: "Emails had become abusive".into(),
                    }]
                })
                .await;
            let lm = common::ctx(&w.app.store().staff(lm).await.unwrap().unwrap());
            let l = notice_letter(&w, &lm, sid, How::default()).await;
            assert_eq!(l.channel, Channel::Letter, "{name} {profile}");
            assert!(
                l.to_address.starts_with("1 High Street"),
                "{name} {profile}"
            );
            let chosen = How {
                channel: Some(Channel::Email),
                ..How::default()
            };
            let l = notice_letter(&w, &lm, sid, chosen).await;
            assert_eq!(l.channel, Channel::Email, "{name} {profile}");
        }
    }
}

#[tokio::test]
async fn issue_13_a_letter_is_signed_and_says_how_to_reach_the_office_and_the_named_contact() {
    for (name, url) in testing::fresh_urls().await {
        // Northamptonshire: its policy gives the Customer Service Team's phone and email.
        let w = common::world_under(&url, "northamptonshire-opfcc").await;
        let spoc = w
            .app
            .create_staff(
                None,
                "Pat Point",
                tact_core::roles::Role::Caseworker,
                Some(tact_core::identity::EmailAddress::parse("pat.point@opfcc.example").unwrap()),
                None,
            )
            .await
            .unwrap();
        let (sid, lm) = w
            .plan_authorised(|_| {
                vec![
                    Restriction {
                        rule: Rule::SingleChannel {
                            channel: Channel::Email,
                        },
                        reason: "Email lets us keep a clear record".into(),
                    },
                    Restriction {
                        rule: Rule::SinglePointOfContact { staff_id: spoc.id },
                        reason: "One person who knows the case can reply faster".into(),
                    },
                ]
            })
            .await;
        let lm = common::ctx(&w.app.store().staff(lm).await.unwrap().unwrap());
        let l = notice_letter(&w, &lm, sid, How::default()).await;
        for must in [
            // The channel left open, with its address.
            "Please contact us by email only, at customerservice@northantspfcc.pnn.gov.uk.",
            // The single point of contact, with their own route.
            "Please contact Pat Point only, by email at pat.point@opfcc.example.",
            // How to reach the office, by the one way the plan leaves open (NOR-5.6), and
            // how to disagree (NOR-7.1).
            "You can email us at customerservice@northantspfcc.pnn.gov.uk.",
            "If you disagree with this decision, you can raise it through",
            // Signed by the member of staff who wrote it, with their role.
            "Yours sincerely,\n\nLee Manager\nLine manager\nOffice of the Northamptonshire Police, Fire and Crime Commissioner\n",
        ] {
            assert!(l.text.contains(must), "{name}: {must}\n{}", l.text);
        }
        // Not a call nor a letter, which the plan does not allow.
        assert!(
            !l.text.contains("You can phone us") && !l.text.contains("You can write to us"),
            "{name}: {}",
            l.text
        );
    }
}

#[tokio::test]
async fn issue_13_an_easy_read_reader_gets_the_easy_read_letter_and_a_notice_in_another_format_needs_a_reason(
) {
    for (name, url) in testing::fresh_urls().await {
        let w = common::world_under(&url, "northamptonshire-opfcc").await;
        tact_store::testing::raw(
            w.app.store(),
            "UPDATE people SET preferred_format = 'easy-read'",
        )
        .await;
        let (sid, lm_id) = w.plan_authorised(common::email_only).await;
        let lm = common::ctx(&w.app.store().staff(lm_id).await.unwrap().unwrap());
        // The letter starts from the format they asked for, in its own words.
        let easy = notice_letter(&w, &lm, sid, How::default()).await;
        assert_eq!(easy.format, Format::EasyRead, "{name}");
        assert!(
            easy.text
                .contains("We have made a plan for how we will be in touch with you."),
            "{name}: {}",
            easy.text
        );
        assert!(
            easy.html.contains("font-size:18pt"),
            "Easy Read is set large"
        );
        // Recording the notice as sent in standard print needs a reason (NOR-5.9).
        let notice = |format, reason: Option<&str>| cmd::PlanStepCommand {
            plan: sid,
            command: tact_core::workflow::PlanCommand::RecordNotice(
                tact_core::workflow::NoticeInput {
                    format,
                    format_reason: reason.map(str::to_string),
                    ..tact_core::workflow::NoticeInput::letter(w.app.now())
                },
            ),
        };
        let err = w
            .app
            .execute(&lm, notice(Some(Format::Standard), None))
            .await
            .unwrap_err();
        let tact_app::AppError::Rule(e) = err else {
            panic!("{name}: {err}")
        };
        assert_eq!(e.field.as_deref(), Some("format_reason"), "{name}");
        assert_eq!(e.clause.as_deref(), Some("NOR-5.9"));
        assert!(w.app.plan_as_stored(sid).await.unwrap().notice.is_none());
        w.app
            .execute(
                &lm,
                notice(
                    Some(Format::Standard),
                    Some("They asked on the phone for a copy today; the Easy Read one follows"),
                ),
            )
            .await
            .unwrap();
        let told = w.app.plan_as_stored(sid).await.unwrap().notice.unwrap();
        assert_eq!(told.format, Format::Standard, "{name}");
        let events = w.app.store().audit_of(w.person).await.unwrap();
        assert!(
            events.iter().any(|e| e.action == "plan.notice-recorded"
                && e.detail.contains("Easy Read one follows")),
            "{name}: the reason is on the event log"
        );
    }
}

/// CLE-9.12, 9.14; NOR-8.1: the letter about a review says what the review decided, from the
/// event log — a plan kept after its review is kept, with the reviewer's reasons, whatever
/// words their notes use — and a plan not yet reviewed has no such letter.
#[tokio::test]
async fn cle_9_12_the_letter_about_a_review_says_what_the_review_decided() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let (sid, lm) = w.plan_with(email_only).await;
        let lm_ctx = common::ctx(&w.app.store().staff(lm).await.unwrap().unwrap());
        let write = || {
            w.app.execute(
                &lm_ctx,
                cmd::WriteLetter {
                    about: tact_core::correspondence::LetterAbout::Plan {
                        plan: sid,
                        kind: PlanLetter::ReviewOutcome,
                    },
                    how: How::default(),
                },
            )
        };
        let e = write().await.unwrap_err();
        assert!(
            e.to_string().contains("has not been reviewed"),
            "{name}: {e}"
        );
        let sm = w.senior().await;
        common::review_and_continue(
            &w.app,
            &common::ctx(&sm),
            sid,
            "Still too many emails to lift it",
            "Emails have lifted in tone",
        )
        .await
        .unwrap();
        let l = write().await.unwrap();
        assert!(
            l.text.contains("to keep the arrangements as they are")
                && l.text.contains("Still too many emails to lift it")
                && !l.text.contains("to end the contact strategy"),
            "{name}: {}",
            l.text
        );
    }
}
