//! Inbound correspondence: each message is parsed, matched to its sender, threaded onto
//! its matter, judged by the contact check and kept — contact, tasks, events and the
//! message exactly as received — in one transaction. The Message-ID makes it idempotent:
//! importing or polling the same message twice stores it once, and a crash part-way
//! through a batch loses nothing (the next run picks up what was not yet committed).

use crate::{App, Ctx, Handles, Result};
use tact_core::audit::{AuditAction, AuditEvent};
use tact_core::check::Verdict;
use tact_core::command as cmd;
use tact_core::correspondence::{route_for, Route, StoredMessage};
use tact_core::error::quoted;
use tact_core::identity::Identifier;
use tact_core::ids::{MatterId, PersonId};
use tact_core::model::{Contact, Direction};
use tact_core::profile::Channel;
use tact_core::workflow as wf;
use tact_mail::{Limits, Parsed};
use tact_store::StoreError;

/// What became of one message.
#[derive(Debug, Clone)]
pub enum Imported {
    /// Already kept: nothing was written.
    Duplicate { message_id: String },
    /// Kept whole in the quarantine, with the reason.
    Quarantined {
        id: i64,
        message_id: String,
        reason: String,
    },
    /// Kept as a contact and routed.
    Stored {
        id: i64,
        route: Route,
        contact: Box<Contact>,
        verdict: Box<Verdict>,
    },
}

impl App {
    /// A message taken in before (by its Message-ID) is taken in once: the answer for a
    /// second copy, if this is one.
    async fn seen_before(&self, message_id: &str) -> Result<Option<Imported>> {
        let seen = self.store.message_by_message_id(message_id).await?;
        Ok(seen.map(|_| Imported::Duplicate {
            message_id: message_id.to_string(),
        }))
    }

    /// Takes in one message as [`App::import_message`] does, and keeps it whole in
    /// quarantine if Tact fails while reading it (a fault in Tact: logged, and counted in
    /// `tact_mail_faults_total`). One message can then never stop a mailbox: the poll goes on
    /// to the next, and staff find this one in quarantine, as they find one Tact cannot
    /// parse. What a fault left half-done is rolled back with its transaction.
    ///
    /// # Errors
    /// The store's error (nothing of the message is written then).
    pub async fn take_in(&self, mailbox: &str, raw: &[u8], limits: &Limits) -> Result<Imported> {
        self.kept_if_it_fails(mailbox, raw, self.import_message(mailbox, raw, limits))
            .await
    }

    /// What `taking` gives, or, if it panics, the message kept whole in quarantine.
    pub(crate) async fn kept_if_it_fails(
        &self,
        mailbox: &str,
        raw: &[u8],
        taking: impl std::future::Future<Output = Result<Imported>>,
    ) -> Result<Imported> {
        use futures_util::FutureExt;
        match std::panic::AssertUnwindSafe(taking).catch_unwind().await {
            Ok(done) => done,
            Err(_) => {
                tracing::error!(
                    mailbox,
                    "Tact failed while reading a message: it is kept whole in quarantine"
                );
                metrics::counter!("tact_mail_faults_total").increment(1);
                let q = tact_mail::Quarantine {
                    message_id: tact_mail::digest_id(raw),
                    reason: "Tact failed while reading this message (a fault in Tact, in its \
                             log); it is kept whole here for staff to read"
                        .into(),
                };
                self.quarantine(mailbox, raw, q, self.now()).await
            }
        }
    }

    /// Takes in one message from `mailbox`.
    ///
    /// # Errors
    /// The store's error (nothing of the message is written then).
    pub async fn import_message(
        &self,
        mailbox: &str,
        raw: &[u8],
        limits: &Limits,
    ) -> Result<Imported> {
        let now = self.now();
        let parsed = match tact_mail::parse(raw, limits) {
            Ok(p) => p,
            Err(q) => return self.quarantine(mailbox, raw, q, now).await,
        };
        if let Some(seen) = self.seen_before(&parsed.message_id).await? {
            return Ok(seen);
        }
        // An address several people share is not guessed at: the message waits in the
        // unknown-sender queue for staff to say whose it is.
        let found = match parsed.from.as_ref() {
            Some(e) => {
                let mut all = self.who_uses(e.as_str()).await?.0;
                if all.len() == 1 {
                    all.pop()
                } else {
                    None
                }
            }
            None => None,
        };
        let person = found.as_ref().and_then(|f| f.view.id);
        let matter = self.thread(&parsed, person).await?;
        // Judged when it arrives, not at the Date the sender wrote (which they control).
        let at = now;
        let input = wf::ContactInput {
            duration_seconds: None,
            person_id: person,
            matter_id: matter,
            channel: Channel::Email,
            direction: Direction::Inbound,
            at,
            staff_id: None,
            identifier: parsed.from.clone().map(Identifier::Email),
            via_advocate: found.as_ref().is_some_and(|f| f.via_advocate),
            // A summary is one line at every door (core's `error::longest`): a longer
            // subject is cut, and stays whole in the message kept beside the contact.
            summary: if parsed.subject.is_empty() {
                "(no subject)".into()
            } else {
                quoted(&parsed.subject, tact_core::error::MAX_LINE_CHARS - 1)
            },
            body: parsed.text.clone(),
            is_complaint: false,
        };
        let view = match person {
            Some(p) => self.view_of(p).await?,
            None => None,
        };
        let (verdict, mut contact, mut tasks, events) =
            wf::evaluate_contact(&self.profile, view.as_deref(), &input, now);
        tasks.extend(tact_core::correspondence::diversion(
            &self.profile,
            &verdict,
            &contact,
        ));
        let route = route_for(&contact);
        let ack = match tact_core::correspondence::acknowledgement_due(&verdict, route) {
            Some(plan) => Some(self.acknowledgement(&parsed, &contact, plan, now).await?),
            None => None,
        };
        let mut tx = self.begin().await?;
        contact.id = tx.insert_contact(&contact, None).await?;
        let subject = format!("contact:{}", contact.id);
        tx.tasks_about(&tasks, &subject, now).await?;
        tx.audit_for(&events, &subject).await?;
        let stored = StoredMessage {
            id: 0,
            message_id: parsed.message_id.clone(),
            mailbox: mailbox.to_string(),
            received_at: now,
            sender: parsed.from_raw.clone(),
            subject: parsed.subject.clone(),
            route,
            quarantine_reason: None,
            person_id: person,
            matter_id: matter,
            contact_id: Some(contact.id),
        };
        let attachments: Vec<_> = parsed
            .attachments
            .into_iter()
            .map(|a| (a.name, a.content_type, a.bytes))
            .collect();
        let id = match tx.insert_message(&stored, raw, &attachments).await {
            Ok(id) => id,
            // Another poller kept it first: this transaction writes nothing.
            Err(StoreError::Conflict(_)) => {
                return Ok(Imported::Duplicate {
                    message_id: stored.message_id,
                })
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(mut l) = ack {
            l.about = Some(format!("message:{id}"));
            self.insert_letter_in(&mut tx, &l).await?;
        }
        tx.commit().await?;
        Ok(Imported::Stored {
            id,
            route,
            contact: Box::new(contact),
            verdict: Box::new(verdict),
        })
    }

    /// The acknowledgement the plan asks for (issue 4: blocked or read-and-file mail is
    /// acknowledged only where the plan says so), to the address it came from, written on
    /// the authority of whoever authorised the plan. Writes nothing.
    async fn acknowledgement(
        &self,
        parsed: &Parsed,
        contact: &tact_core::model::Contact,
        plan: tact_core::ids::PlanId,
        now: jiff::Timestamp,
    ) -> Result<tact_core::correspondence::StoredLetter> {
        let s = self.plan(plan).await?;
        let person = self.person(s.person_id).await?;
        let matters = self.store.matters_of(s.person_id).await?;
        let facts = tact_mail::letters::Facts {
            person_name: person.name.clone(),
            reference: person.reference.clone(),
            date: tact_core::check::long_day(now),
            matters_words: crate::letters::matters_words(contact.matter_id, &matters),
            // Quoted as far as a heading goes: a sender's subject of any length must not
            // make the acknowledgement longer than a letter can be (and so refused).
            received: quoted(
                &parsed.subject,
                tact_core::correspondence::MAX_HEADING_CHARS,
            ),
            ..Default::default()
        };
        let mut l = self
            .compose_letter(
                &person,
                "acknowledgement",
                &plan.subject(),
                &facts,
                crate::letters::How {
                    channel: Some(Channel::Email),
                    ..Default::default()
                },
                s.decided_by.unwrap_or(s.created_by),
                now,
            )
            .await?;
        if let Some(from) = &parsed.from {
            l.to_address = from.as_str().to_string();
        }
        Ok(l)
    }

    async fn quarantine(
        &self,
        mailbox: &str,
        raw: &[u8],
        q: tact_mail::Quarantine,
        now: jiff::Timestamp,
    ) -> Result<Imported> {
        if let Some(seen) = self.seen_before(&q.message_id).await? {
            return Ok(seen);
        }
        let stored = StoredMessage {
            id: 0,
            message_id: q.message_id.clone(),
            mailbox: mailbox.to_string(),
            received_at: now,
            sender: String::new(),
            subject: String::new(),
            route: Route::Quarantine,
            quarantine_reason: Some(q.reason.clone()),
            person_id: None,
            matter_id: None,
            contact_id: None,
        };
        let mut tx = self.begin().await?;
        let id = match tx.insert_message(&stored, raw, &[]).await {
            Ok(id) => id,
            Err(StoreError::Conflict(_)) => {
                return Ok(Imported::Duplicate {
                    message_id: q.message_id,
                })
            }
            Err(e) => return Err(e.into()),
        };
        let ev = AuditEvent::by_tact(
            now,
            AuditAction::MessageQuarantined,
            format!("message:{id}"),
        )
        .reason(&q.reason)
        .clause(&self.profile.clauses.screening)
        .detail("mailbox", mailbox);
        tx.audit(&[ev]).await?;
        tx.commit().await?;
        Ok(Imported::Quarantined {
            id,
            message_id: q.message_id,
            reason: q.reason,
        })
    }

    /// The matter a message belongs to: the one its earlier message was on (In-Reply-To,
    /// References), else a matter reference in the subject — either only if it is the
    /// sender's own.
    async fn thread(&self, p: &Parsed, person: Option<PersonId>) -> Result<Option<MatterId>> {
        let Some(person) = person else {
            return Ok(None);
        };
        for id in &p.replies_to {
            if let Some(m) = self.store.message_by_message_id(id).await? {
                if m.person_id == Some(person) && m.matter_id.is_some() {
                    return Ok(m.matter_id);
                }
            }
        }
        if let Some(r) = tact_mail::matter_reference(&p.subject) {
            if let Some(m) = self.store.matter_by_reference(&r).await? {
                if m.person_id == person {
                    return Ok(Some(m.id));
                }
            }
        }
        Ok(None)
    }
}

/// What one poll of a mailbox did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Polled {
    pub fetched: usize,
    /// How many went each way ("inbox", "breach", "quarantine", "already kept", …).
    pub outcomes: std::collections::BTreeMap<String, u64>,
}

impl Imported {
    /// A short name for what happened, for counts and logs.
    pub fn outcome(&self) -> &'static str {
        match self {
            Self::Duplicate { .. } => "already kept",
            Self::Quarantined { .. } => "quarantine",
            Self::Stored { route, .. } => route.as_str(),
        }
    }
}

impl App {
    /// Polls one IMAP mailbox for what is new since the last poll, taking each message in
    /// (see [`App::import_message`]) and moving the mailbox's cursor on after each, so a
    /// poll cut short resumes where it stopped.
    ///
    /// # Errors
    /// The mail server's error, or the store's.
    pub async fn poll_mailbox(
        &self,
        account: &tact_mail::imap::Account,
        limits: &Limits,
        max: usize,
    ) -> Result<Polled> {
        let polled = self.poll_once(account, limits, max).await;
        let result = if polled.is_ok() { "ok" } else { "failed" };
        metrics::counter!("tact_mail_polls_total", "result" => result).increment(1);
        if let Ok(p) = &polled {
            for (outcome, n) in &p.outcomes {
                metrics::counter!("tact_mail_messages_total", "outcome" => outcome.clone())
                    .increment(*n);
            }
        }
        polled
    }

    async fn poll_once(
        &self,
        account: &tact_mail::imap::Account,
        limits: &Limits,
        max: usize,
    ) -> Result<Polled> {
        let key = format!("imap-cursor:{}", account.name);
        let cursor = self
            .store
            .meta(&key)
            .await?
            .as_deref()
            .and_then(tact_mail::imap::Cursor::decode);
        let fetched = tact_mail::imap::fetch_new(account, cursor, max).await?;
        let mut polled = Polled {
            fetched: fetched.messages.len(),
            ..Polled::default()
        };
        for (uid, raw) in &fetched.messages {
            let got = self.take_in(&account.name, raw, limits).await?;
            *polled
                .outcomes
                .entry(got.outcome().to_string())
                .or_default() += 1;
            let mut tx = self.begin().await?;
            tx.set_meta(
                &key,
                &tact_mail::imap::Cursor {
                    uid_validity: fetched.uid_validity,
                    last_uid: *uid,
                }
                .encode(),
            )
            .await?;
            tx.commit().await?;
        }
        Ok(polled)
    }
}

/// A kept message's whole bytes and its attachments (name, claimed type, bytes).
pub type MessageContent = (Vec<u8>, Vec<(Option<String>, String, Vec<u8>)>);

impl App {
    /// The messages that went one way (quarantine, unknown sender, inbox, screening,
    /// breach), newest first, for those who screen contact (CLE-9.10).
    ///
    /// # Errors
    /// A role refusal; the store's error.
    pub(crate) async fn messages_in(&self, route: Route, limit: i64) -> Result<Vec<StoredMessage>> {
        Ok(self.store.messages_routed(route, limit).await?)
    }

    /// One kept message, for staff who may read records; reading one matched to a person
    /// goes on the access log.
    ///
    /// # Errors
    /// A role refusal; no such message.
    pub(crate) async fn read_message(
        &self,
        actor: &tact_core::roles::Actor,
        id: i64,
    ) -> Result<StoredMessage> {
        let m = self
            .store
            .message(id)
            .await?
            .ok_or_else(|| crate::not_found("message_id", format!("no message {id}")))?;
        if let Some(p) = m.person_id {
            self.record_access(actor, p, &format!("message {id}"))
                .await?;
        }
        Ok(m)
    }

    /// A kept message with its bytes and attachments, as [`App::read_message`] allows (read
    /// and logged once).
    ///
    /// # Errors
    /// A role refusal; no such message.
    pub(crate) async fn message_content(
        &self,
        actor: &tact_core::roles::Actor,
        id: i64,
    ) -> Result<(StoredMessage, MessageContent)> {
        let m = self.read_message(actor, id).await?;
        let content = self
            .store
            .message_content(id)
            .await?
            .ok_or_else(|| crate::not_found("message_id", format!("no message {id}")))?;
        Ok((m, content))
    }
}

/// Puts a message from an unknown sender on a person's record, optionally keeping the
/// sender's address on their record so their next message is matched by itself. If
/// they are under a plan, the message is queued for screening like any other from them
/// (CLE-9.10).
///
/// # Errors
/// A role refusal; no such message or person; a message not from an unknown sender.
impl Handles<cmd::MatchMessage> for App {
    type Output = StoredMessage;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::MatchMessage,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::MatchMessage {
            message: id,
            person,
            keep_address,
        } = c;
        let m = self
            .store
            .message(id)
            .await?
            .ok_or_else(|| crate::not_found("message_id", format!("no message {id}")))?;
        let contact = tact_core::correspondence::awaiting_match(&m)?;
        let mut p = self.person(person).await?;
        let under_plan = self.view_of(person).await?.is_some_and(|v| {
            v.plans
                .iter()
                .any(|s| tact_core::check::restricts(&self.profile, s, self.now()))
        });
        let route = if under_plan {
            Route::Screening
        } else {
            Route::Inbox
        };
        let now = self.now();
        let mut tx = self.begin().await?;
        tx.assign_message(id, contact, person, route, under_plan)
            .await?;
        if under_plan {
            tx.tasks_about(
                &[tact_core::workflow::screening_task(
                    &self.profile,
                    Some(person),
                    format!("Screen a message from {}: {}", p.name, m.subject),
                    now,
                )],
                &format!("contact:{contact}"),
                now,
            )
            .await?;
        }
        let keep = keep_address
            .then(|| tact_core::identity::EmailAddress::parse(&m.sender).ok())
            .flatten()
            .filter(|e| !p.emails.contains(e));
        if let Some(e) = keep.clone() {
            let had = crate::identifiers_with_fields(&p);
            p.emails.push(e);
            crate::claim_identifiers(&mut tx, &p, &had).await?;
            tx.update_person(&p).await?;
        }
        let mut ev = ctx
            .event(now, AuditAction::MessageMatched, format!("message:{id}"))
            .person(person);
        if let Some(e) = &keep {
            ev = ev.detail("address_kept", e.as_str());
        }
        tx.audit(&[ev]).await?;
        self.finish(tx, ctx, &format!("message:{id}")).await?;
        if keep.is_some() {
            self.after_write().await;
        }
        Ok(self.store.message(id).await?.unwrap_or(m))
    }
}
