//! Outbound letters (issue 4): written from the profile's template and the record, kept
//! exactly as written with channel and format (the person's preferred format unless staff
//! choose another), then sent by email through the relay with retries — or put in the
//! print queue for post. A restriction never stops Tact's own letters.

use crate::makers::Waiter;
use crate::Found;
use crate::{App, Ctx, Handles, Result};
use tact_core::audit::{AuditAction, AuditEvent};
use tact_core::command as cmd;
use tact_core::correspondence::{after_failure, LetterStatus, PlanLetter, StoredLetter};
use tact_core::ids::{PersonId, PlanId};
use tact_core::model::{Format, Plan, Rule};
use tact_core::profile::Channel;
use tact_core::roles::Actor;
use tact_core::words::Words;
use tact_core::RuleError;
use tact_mail::letters::{Facts, RestrictionLine};

/// A member of staff as a letter names them: their name, and their own email address
/// where they have one, so the person can reach them (issue 13).
pub(crate) struct Named {
    pub name: String,
    pub email: Option<String>,
}

/// A restriction in words addressed to the person, with the address of the channel it
/// leaves open (the office's, from the profile) and the single point of contact's own
/// route (issue 13).
fn letter_line(
    rule: &Rule,
    name_of: &dyn Fn(tact_core::ids::StaffId) -> Named,
    office: &tact_core::profile::OfficeContact,
) -> String {
    match rule {
        Rule::CallWindow {
            windows,
            max_minutes,
            max_calls_per_window,
        } => {
            let on = office
                .phone
                .as_ref()
                .map(|p| format!(" on {p}"))
                .unwrap_or_default();
            let mut s = format!(
                "Please phone us{on} only on {}",
                tact_core::check::describe_windows(windows)
            );
            if let Some(n) = max_calls_per_window {
                s.push_str(&format!(
                    ", no more than {n} call{} each time",
                    if *n == 1 { "" } else { "s" }
                ));
            }
            if let Some(m) = max_minutes {
                s.push_str(&format!(", for up to {m} minutes"));
            }
            s
        }
        Rule::SingleChannel { channel } => format!(
            "Please contact us {} only{}",
            channel.by(),
            office.reached(*channel)
        ),
        Rule::SinglePointOfContact { staff_id } => {
            let who = name_of(*staff_id);
            match who.email {
                Some(e) => format!(
                    "Please contact {} only, by email at {e}. They will deal with your contact with us",
                    who.name
                ),
                None => format!(
                    "Please contact {} only, through our office. They will deal with your contact with us",
                    who.name
                ),
            }
        }
        Rule::RecordedCalls => "We will record or monitor our telephone calls with you".into(),
        Rule::DedicatedMailbox { address } => format!("Please email us only at {address}"),
        Rule::BlockedIdentifier { identifier, .. } => {
            format!("We will not accept contact from {}", identifier.key())
        }
        Rule::AdvocateOnly => "Please contact us through your advocate".into(),
        Rule::ReadAndFile { .. } => {
            "We will read and file what you send us, and reply only if it gives us new information"
                .into()
        }
        Rule::NoReopening { .. } => {
            "We will not reopen the matter we have closed unless you give us new evidence".into()
        }
        Rule::NoRepeatComplaints { .. } => {
            "We will not open new complaints that repeat one we have already decided".into()
        }
        Rule::Other { description } => description.clone(),
    }
}

pub use tact_core::correspondence::How;

/// A title as typed ("Complaint about delays") read inside a sentence ("complaint about
/// delays"); a word in capitals ("PCC", "ASB") stays as it is.
fn in_a_sentence(title: &str) -> String {
    let mut chars = title.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().collect::<String>() + &title[first.len_utf8()..]
        }
        _ => title.to_string(),
    }
}

/// A matter as a letter names it: "your complaint M-000123 about …".
fn matter_words(m: &tact_core::model::Matter) -> String {
    let title = in_a_sentence(&m.title);
    // A title that says what it is ("Complaint about delays") reads on from "about":
    // "your request M-000004 about delays", not "about complaint about delays" (issue 13).
    let what = title
        .split_once(" about ")
        .filter(|(lead, _)| !lead.contains(' '))
        .map_or(title.as_str(), |(_, rest)| rest);
    format!("your {} {} about {what}", m.kind.as_str(), m.reference)
}

/// The matter a contact is about in words, or "your contact with us" when none.
pub(crate) fn matters_words(
    matter: Option<tact_core::ids::MatterId>,
    matters: &[tact_core::model::Matter],
) -> String {
    matter
        .and_then(|m| matters.iter().find(|x| x.id == m))
        .map_or_else(|| "your contact with us".to_string(), matter_words)
}

impl App {
    /// Restrictions as a letter gives them, with their reasons.
    pub(crate) async fn restriction_lines<'a>(
        &self,
        restrictions: impl IntoIterator<Item = &'a tact_core::model::Restriction>,
    ) -> Result<Vec<RestrictionLine>> {
        let staff = self.store.staff_list().await?;
        let name_of = |id| {
            staff.iter().find(|x| x.id == id).map_or_else(
                || Named {
                    name: "your named contact".to_string(),
                    email: None,
                },
                |x| Named {
                    name: x.name.clone(),
                    email: x.email.as_ref().map(|e| e.as_str().to_string()),
                },
            )
        };
        let office = &self.profile.letters.contact;
        Ok(restrictions
            .into_iter()
            .map(|r| RestrictionLine {
                text: letter_line(&r.rule, &name_of, office),
                reason: r.reason.clone(),
            })
            .collect())
    }

    /// The facts a letter about `s` is filled from.
    pub(crate) async fn plan_facts(&self, s: &Plan) -> Result<Facts> {
        let person = self.person(s.person_id).await?;
        let matters = self.store.matters_of(s.person_id).await?;
        let covered: Vec<String> = s
            .matter_ids
            .iter()
            .filter_map(|id| matters.iter().find(|m| m.id == *id))
            .map(matter_words)
            .collect();
        let warning = self
            .store
            .warnings_of(s.person_id)
            .await?
            .into_iter()
            .last();
        Ok(Facts {
            person_name: person.name,
            reference: person.reference,
            date: tact_core::check::long_day(self.now()),
            matters_words: if covered.is_empty() {
                "your contact with us".into()
            } else {
                covered.join(" and ")
            },
            what_is_wrong: warning
                .as_ref()
                .map(|w| w.what_is_wrong.clone())
                .unwrap_or_default(),
            how_to_change: warning
                .as_ref()
                .map(|w| w.how_to_change.clone())
                .unwrap_or_default(),
            consequence: warning.map(|w| w.consequence).unwrap_or_default(),
            reasons: s.reasons.clone(),
            restrictions: self.restriction_lines(&s.restrictions).await?,
            review_due: tact_core::check::long_date(s.review_due),
            ends_on: s.ends_on.map(tact_core::check::long_date),
            ..Facts::default()
        })
    }

    /// Every letter about plan `id` the profile has a template for, each with why it cannot
    /// be written now: core's [`tact_core::correspondence::plan_letters`] over the person's
    /// event log and disputes, the rule [`Self::write_plan_letter`] asks of the one chosen.
    ///
    /// # Errors
    /// No such plan.
    pub(crate) async fn plan_letters(
        &self,
        id: PlanId,
    ) -> Result<Vec<(PlanLetter, Option<tact_core::RuleError>)>> {
        let s = self.plan(id).await?;
        let log = self.store.audit_of(s.person_id).await?;
        let disputes = self.store.disputes_of(s.person_id).await?;
        Ok(tact_core::correspondence::plan_letters(
            &self.profile,
            &s,
            &log,
            &disputes,
        ))
    }

    /// Writes the letter `kind` ("strategy-notice", "breach-reminder") about a plan, by
    /// email if they have an address and no other channel is chosen, else for post; in
    /// their preferred format unless another is chosen. Kept as written; email is queued.
    ///
    /// # Errors
    /// No such plan; no template; no address for the channel (the role is checked by
    /// `App::execute`, whose `cmd::WriteLetter` handler calls this).
    pub(crate) async fn write_plan_letter(
        &self,
        ctx: &Ctx,
        id: PlanId,
        kind: PlanLetter,
        how: How,
    ) -> Result<StoredLetter> {
        let s = self.plan(id).await?;
        if let Some(e) =
            tact_core::correspondence::plan_letter_refusal(&self.profile, &ctx.actor, &s)
        {
            return Err(e.into());
        }
        let mut facts = self.plan_facts(&s).await?;
        // What was decided about the plan, and why: core's
        // [`tact_core::correspondence::plan_decision`] over the latest such decision in the
        // person's event log or their disputes, each read only where the letter reports from
        // it (a notice reads neither).
        let log = if kind.reports_from_the_log() {
            self.store.audit_of(s.person_id).await?
        } else {
            Vec::new()
        };
        let disputes = if kind.reports_a_dispute() {
            self.store.disputes_of(s.person_id).await?
        } else {
            Vec::new()
        };
        (facts.decision, facts.decision_reasons) = tact_core::correspondence::plan_decision(
            &self.profile.terms.plan,
            kind,
            &s,
            &log,
            &disputes,
        )?;
        if kind == PlanLetter::BreachReminder {
            // The day of the breach it answers, from the same log, not the day it is
            // written, and what follows a breach as the policy says it, not what the
            // warning before the plan said (CLE-9.11; NOR-5.8).
            if let Some(at) = tact_core::correspondence::latest_breach(&s, &log) {
                facts.date = tact_core::check::long_day(at);
            }
            if let Some(c) = &self.profile.letters.breach_consequence {
                facts.consequence.clone_from(c);
            }
        }
        self.keep_letter(
            ctx,
            s.person_id,
            kind.as_str(),
            &id.subject(),
            &facts,
            how,
            None,
        )
        .await
    }

    /// Writes the letter telling them the decision on a reasonable adjustment (CLE-8;
    /// NOR-1.5: "in writing, with an explanation"), closing the task to send it.
    ///
    /// # Errors
    /// A role refusal; no such adjustment, or one not yet decided; no address.
    pub(crate) async fn write_adjustment_letter(
        &self,
        ctx: &Ctx,
        id: tact_core::ids::AdjustmentId,
        how: How,
    ) -> Result<StoredLetter> {
        let a = self.store.adjustment(id).await?.found(id)?;
        let (decision, decision_reasons) = tact_core::correspondence::adjustment_decision(&a)?;
        let person = self.person(a.person_id).await?;
        let facts = Facts {
            person_name: person.name,
            reference: person.reference,
            date: tact_core::check::long_day(self.now()),
            matters_words: "your contact with us".into(),
            decision,
            decision_reasons,
            ..Facts::default()
        };
        self.keep_letter(
            ctx,
            a.person_id,
            "adjustment-decision",
            &format!("adjustment:{id}"),
            &facts,
            how,
            Some(tact_core::model::TaskKind::AdjustmentLetter),
        )
        .await
    }

    /// Writes the warning letter: what is wrong and why, how to change, and what follows
    /// if it goes on (CLE-9.2, 9.3; NOR-5.2), closing the task to send it.
    ///
    /// # Errors
    /// A role refusal; no such warning; no address.
    pub(crate) async fn write_warning_letter(
        &self,
        ctx: &Ctx,
        id: tact_core::ids::WarningId,
        how: How,
    ) -> Result<StoredLetter> {
        let wn = self.store.warning(id).await?.found(id)?;
        let person = self.person(wn.person_id).await?;
        let facts = Facts {
            person_name: person.name,
            reference: person.reference,
            date: tact_core::check::long_day(wn.given_at),
            matters_words: "your contact with us".into(),
            what_is_wrong: wn.what_is_wrong.clone(),
            how_to_change: wn.how_to_change.clone(),
            consequence: wn.consequence.clone(),
            ..Facts::default()
        };
        self.keep_letter(
            ctx,
            wn.person_id,
            "warning",
            &format!("warning:{id}"),
            &facts,
            how,
            Some(tact_core::model::TaskKind::WarningLetter),
        )
        .await
    }

    /// Writes the note telling them why a call was ended (CLE-4.4; NOR-6.1).
    ///
    /// # Errors
    /// A role refusal; no such incident, or one that is not an ended call; no address.
    pub(crate) async fn write_call_ended_letter(
        &self,
        ctx: &Ctx,
        id: tact_core::ids::IncidentId,
        how: How,
    ) -> Result<StoredLetter> {
        let i = self.store.incident(id).await?.found(id)?;
        tact_core::correspondence::ended_call(&i)?;
        let person = self.person(i.person_id).await?;
        let matters = self.store.matters_of(i.person_id).await?;
        let matters_words = matters_words(i.matter_id, &matters);
        let facts = Facts {
            person_name: person.name,
            reference: person.reference,
            date: tact_core::check::long_day(i.occurred_at),
            matters_words,
            what_is_wrong: i.description.clone(),
            how_to_change: "Please contact us again when you are able to talk with us calmly."
                .into(),
            ..Facts::default()
        };
        self.keep_letter(
            ctx,
            i.person_id,
            "call-ended",
            &format!("incident:{id}"),
            &facts,
            how,
            None,
        )
        .await
    }

    /// Renders `kind` from `facts` and keeps it (see [`App::compose_letter`]). Closes any
    /// open task of `closes` about the same record.
    #[allow(clippy::too_many_arguments)]
    async fn keep_letter(
        &self,
        ctx: &Ctx,
        person_id: tact_core::ids::PersonId,
        kind: &str,
        about: &str,
        facts: &Facts,
        how: How,
        closes: Option<tact_core::model::TaskKind>,
    ) -> Result<StoredLetter> {
        let person = self.person(person_id).await?;
        let now = self.now();
        let mut stored = self
            .compose_letter(&person, kind, about, facts, how, ctx.actor.id, now)
            .await?;
        let mut tx = self.begin().await?;
        stored.id = self.insert_letter_in(&mut tx, &stored).await?;
        if let Some(k) = closes {
            tx.close_tasks(
                about,
                &[k],
                ctx.actor.id,
                &format!("letter {} written", stored.id),
                now,
            )
            .await?;
        }
        self.finish(tx, ctx, &format!("letter:{}", stored.id))
            .await?;
        Ok(stored)
    }

    /// Keeps a composed letter in `tx`, with its event; gives its id.
    pub(crate) async fn insert_letter_in(
        &self,
        tx: &mut tact_store::WriteTx,
        l: &StoredLetter,
    ) -> Result<i64> {
        let id = tx.insert_letter(l).await?;
        let ev = AuditEvent::new(
            l.created_at,
            l.created_by,
            AuditAction::LetterWritten,
            format!("letter:{id}"),
        )
        .person(l.person_id)
        .detail("kind", &l.kind)
        .detail("channel", l.channel.as_str())
        .detail("format", l.format.as_str());
        tx.audit(&[ev]).await?;
        Ok(id)
    }

    /// Renders `kind` for `person` and addresses it: by email if they have an address and
    /// no other channel is chosen, else for post; in their preferred format unless another
    /// is chosen. Writes nothing.
    ///
    /// # Errors
    /// No template; no address for the channel; a channel letters do not go by.
    #[allow(clippy::too_many_arguments)]
    pub async fn compose_letter(
        &self,
        person: &tact_core::model::ServiceUser,
        kind: &str,
        about: &str,
        facts: &Facts,
        how: How,
        by: tact_core::ids::StaffId,
        now: jiff::Timestamp,
    ) -> Result<StoredLetter> {
        let mut facts = facts.clone();
        // Signed by the member of staff it is written by, with their role (issue 13).
        if let Some(s) = self.store.staff(by).await? {
            if s.scope.is_none() {
                facts.signatory_name = s.name;
                facts.signatory_role = s.role.title();
            }
        }
        // Its lines on how to reach us follow the plans that bind them, and the plan it is
        // about (CLE-9.6; NOR-5.6).
        let plans = self.store.plans_of(person.id).await?;
        facts.reach = tact_core::correspondence::Reach::under(
            &self.profile,
            &plans,
            tact_core::ids::PlanId::of_subject(about),
            now,
        );
        let letter = tact_mail::letters::render(&self.profile, kind, &facts)?;
        let (channel, to_address, format) =
            tact_core::correspondence::addressed(person, how, &facts.reach)?;
        // Easy Read is its own wording, where the template has one (issue 13).
        let text = letter.text_for(format).to_string();
        // A letter written longer than a letter can be goes only once shortened: asked to
        // go at once, it is refused; held, it is kept to be shortened.
        if !how.hold {
            tact_core::correspondence::may_go_at_once(&text)?;
        }
        let html = match format {
            Format::LargePrint => letter.large_print_html,
            Format::EasyRead if letter.easy_read.is_some() => {
                tact_mail::letters::html(&letter.subject, &text, true)
            }
            _ => letter.html,
        };
        Ok(StoredLetter {
            id: 0,
            person_id: person.id,
            kind: kind.to_string(),
            about: Some(about.to_string()),
            channel,
            format,
            to_address,
            subject: letter.subject,
            text,
            html,
            status: if how.hold {
                LetterStatus::Draft
            } else if channel == Channel::Email {
                LetterStatus::Queued
            } else {
                LetterStatus::ToPrint
            },
            attempts: 0,
            next_attempt_at: None,
            last_error: None,
            created_at: now,
            created_by: by,
            sent_at: None,
        })
    }

    /// Sends the queued emails that are due, each at most once even with two senders;
    /// a failure is tried again later and, after the last attempt, shown as failed.
    ///
    /// # Errors
    /// The store's error (a relay failure is kept on the letter instead).
    pub async fn send_due_letters(
        &self,
        relay: &tact_mail::smtp::Relay,
        limit: i64,
    ) -> Result<(usize, usize)> {
        let due = self
            .store
            .letters_in(LetterStatus::Queued, Some(self.now()), limit)
            .await?;
        let (mut sent, mut failed) = (0, 0);
        for l in due {
            let message_id = format!("letter-{}@tact", l.id);
            // A Braille or audio letter that cannot be made is not sent without it: the
            // attempt fails and is tried again, with the reason shown on the letter.
            let (outcome, enclosed) = match self.enclosures(&l).await {
                Err(e) => (Err(e), false),
                Ok((attachments, enclosed)) => {
                    let sent = tact_mail::smtp::send(
                        relay,
                        &tact_mail::smtp::Outgoing {
                            to: &l.to_address,
                            subject: &l.subject,
                            text: &l.text,
                            html: &l.html,
                            message_id: &message_id,
                            attachments: &attachments,
                        },
                    )
                    .await;
                    (sent, enclosed)
                }
            };
            let now = self.now();
            let mut next = l.clone();
            next.attempts += 1;
            match &outcome {
                Ok(()) => {
                    next.status = LetterStatus::Sent;
                    next.sent_at = Some(now);
                    next.next_attempt_at = None;
                    next.last_error = None;
                    sent += 1;
                }
                Err(e) => {
                    let (status, when) = after_failure(l.attempts, now);
                    next.status = status;
                    next.next_attempt_at = when;
                    next.last_error = Some(e.clone());
                    failed += 1;
                }
            }
            let mut tx = self.begin().await?;
            match tx.update_letter(&next, l.status, l.attempts).await {
                Ok(()) => {}
                Err(tact_store::StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
            if next.status == LetterStatus::Sent {
                let ev =
                    AuditEvent::by_tact(now, AuditAction::LetterSent, format!("letter:{}", l.id))
                        .person(l.person_id)
                        .detail("to", &l.to_address);
                tx.audit(&[ev]).await?;
            }
            let noticed = if next.status == LetterStatus::Sent {
                match self.store.staff(l.created_by).await? {
                    Some(by) => {
                        let actor = tact_core::roles::Actor::from(by);
                        self.notice_from_letter(&mut tx, &actor, &next, enclosed)
                            .await?
                    }
                    None => None,
                }
            } else {
                None
            };
            tx.commit().await?;
            if noticed.is_some() {
                self.after_write().await;
            }
        }
        metrics::counter!("tact_letters_sent_total").increment(sent as u64);
        metrics::counter!("tact_letters_failed_total").increment(failed as u64);
        Ok((sent, failed))
    }

    /// What goes with an email, and whether the policy is among it: the letter in Braille
    /// or as audio where that is its format (issue 13), and the policy itself with a
    /// notice, where the profile says a copy goes with it (NOR-5.2) and Tact has its text.
    ///
    /// # Errors
    /// The Braille or audio file could not be made.
    async fn enclosures(
        &self,
        l: &StoredLetter,
    ) -> std::result::Result<(Vec<tact_mail::smtp::Attachment>, bool), String> {
        let mut out = Vec::new();
        let spoken_or_embossed = match l.format {
            Format::Braille => Some(Document::Braille),
            Format::Audio => Some(Document::Audio),
            _ => None,
        };
        if let Some(doc) = spoken_or_embossed {
            let (bytes, content_type, name) = made_by_child(&self.makers, Waiter::Job, doc, l)
                .await
                .map_err(|e| e.to_string())?;
            out.push(tact_mail::smtp::Attachment {
                name,
                content_type: content_type.into(),
                bytes,
            });
        }
        let policy = self.policy_enclosure(l).await;
        let enclosed = policy.is_some();
        out.extend(policy);
        Ok((out, enclosed))
    }

    /// The policy as a PDF, where it goes with this letter.
    async fn policy_enclosure(&self, l: &StoredLetter) -> Option<tact_mail::smtp::Attachment> {
        if !l.encloses_policy(&self.profile) {
            return None;
        }
        match self.policy_pdf(Waiter::Job).await {
            Ok(Some(bytes)) => Some(tact_mail::smtp::Attachment {
                name: format!(
                    "{}.pdf",
                    self.profile.organisation.policy_title.replace(' ', "-")
                ),
                content_type: "application/pdf".into(),
                bytes,
            }),
            Ok(None) => None,
            Err(e) => {
                tracing::warn!("the policy could not be made into a PDF: {e}");
                None
            }
        }
    }

    /// The office's policy as a PDF, to print and enclose with a posted notice (NOR-5.2),
    /// made in a maker's turn; `None` where Tact does not hold the policy's text.
    ///
    /// # Errors
    /// No turn came in a request's time; the writer could not set the policy.
    pub async fn policy_pdf(&self, who: Waiter) -> Result<Option<Vec<u8>>> {
        let Some(text) = self.profile.policy_text() else {
            return Ok(None);
        };
        let title = self.profile.organisation.policy_title.clone();
        self.makers
            .make(who, move || {
                tact_mail::pdf::render(&tact_mail::Layout::plain(&title, &text))
            })
            .await?
            .map(Some)
            .map_err(|e| unmade("policy", "PDF", &e))
    }

    /// A notice or variation letter that has gone is the written notice (CLE-9.6, 9.14;
    /// NOR-5.1, 5.7): records it on the plan in `tx`, by the member of staff who wrote the
    /// letter, if the plan is waiting for that notice and has not changed since the letter
    /// was written (else staff record the notice themselves). Gives the person whose
    /// plan changed. A letter that tells them of a change, a lifting or a review's or
    /// dispute's outcome on a plan that waits for no notice
    /// ([`PlanLetter::tells_of`]) closes the task to tell them.
    pub(crate) async fn notice_from_letter(
        &self,
        tx: &mut tact_store::WriteTx,
        by: &tact_core::roles::Actor,
        l: &StoredLetter,
        policy_enclosed: bool,
    ) -> Result<Option<tact_core::ids::PersonId>> {
        let Some(kind) = PlanLetter::from_word(&l.kind) else {
            return Ok(None);
        };
        let Some(id) = l.about.as_deref().and_then(PlanId::of_subject) else {
            return Ok(None);
        };
        let s = self.plan(id).await?;
        let subject = id.subject();
        if kind.tells_of(&s) {
            tx.close_tasks(
                &subject,
                &[tact_core::model::TaskKind::SendNotice],
                by.id,
                &format!("told in writing: letter {}", l.id),
                self.now(),
            )
            .await?;
            return Ok(None);
        }
        let waiting_for = match kind {
            PlanLetter::PlanNotice => false,
            PlanLetter::Variation => true,
            _ => return Ok(None),
        };
        if s.pending_variation.is_some() != waiting_for {
            return Ok(None);
        }
        let changed_since = self
            .store
            .audit_of(s.person_id)
            .await?
            .iter()
            .filter(|e| e.subject == subject)
            .any(|e| e.at_micros > l.created_at.as_microsecond());
        if changed_since {
            return Ok(None);
        }
        let input = tact_core::workflow::NoticeInput {
            sent_at: l.sent_at.unwrap_or(l.created_at),
            channel: l.channel,
            format: Some(l.format),
            agreement_sought: self.profile.letters.notice_seeks_agreement,
            agreement_given: None,
            agreement_note: None,
            letter_id: Some(l.id),
            policy_enclosed,
            format_reason: None,
        };
        let now = self.now();
        let preferred = self.person(s.person_id).await?.preferred_format;
        let Ok(d) = tact_core::workflow::notice_format(&self.profile, &input, preferred)
            .and_then(|()| tact_core::workflow::record_notice(&self.profile, by, &s, input, now))
        else {
            // Not waiting for a notice, or one that cannot be recorded from this letter
            // (the policy not enclosed where it must be; a format they did not ask for,
            // which needs a reason): staff record it themselves.
            return Ok(None);
        };
        tx.update_plan(&d.record, s.version).await?;
        tx.audit(&d.events).await?;
        tx.close_tasks(
            &subject,
            &d.closes,
            by.id,
            &format!("notice sent: letter {}", l.id),
            now,
        )
        .await?;
        tx.tasks(&d.tasks, now).await?;
        Ok(Some(s.person_id))
    }

    /// A letter, for staff who may read records; the reading goes on the access log (a
    /// letter about a plan says what its restrictions are).
    ///
    /// # Errors
    /// A role refusal; no such letter.
    pub(crate) async fn read_letter(&self, actor: &Actor, id: i64) -> Result<StoredLetter> {
        let row = self.store.letter(id).await?;
        self.opened(actor, row, id, |l| l.person_id).await
    }

    /// A person's letters, newest first, for staff who may read records (on the access log).
    ///
    /// # Errors
    /// A role refusal; no such person; the store's error.
    pub(crate) async fn letters_of(
        &self,
        actor: &Actor,
        person: PersonId,
    ) -> Result<Vec<StoredLetter>> {
        self.person(person).await?;
        let letters = self.store.letters_of(person).await?;
        self.record_access(actor, person, "letters").await?;
        Ok(letters)
    }

    /// A letter that does not exist is said so.
    ///
    /// # Errors
    /// No such letter.
    pub(crate) async fn letter(&self, id: i64) -> Result<StoredLetter> {
        self.store.letter(id).await?.found(id)
    }
}

/// The formats a kept letter can be downloaded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// Tagged PDF, in large print if that is the letter's format.
    Pdf,
    /// An editable Word document, for staff to adjust a held letter.
    Docx,
    /// Contracted UK English Braille as a Braille Ready File, for an embosser.
    Braille,
    /// The letter read aloud, as an MP3.
    Audio,
}

impl std::fmt::Display for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Pdf => "PDF",
            Self::Docx => "Word document",
            Self::Braille => "Braille file",
            Self::Audio => "recording",
        })
    }
}

/// A kept letter in Braille (a BRF file) or as audio (an MP3): its bytes, media type and
/// file name, made by programs run as children, in a maker's turn. `doc` is `Braille` or
/// `Audio`; both callers ask only for those.
///
/// # Errors
/// No turn came in a request's time; liblouis, eSpeak NG or LAME is missing or failed.
async fn made_by_child(
    makers: &crate::makers::Makers,
    who: Waiter,
    doc: Document,
    l: &StoredLetter,
) -> Result<(Vec<u8>, &'static str, String)> {
    let braille = doc == Document::Braille;
    let (subject, text) = (l.subject.clone(), l.text.clone());
    let bytes = makers
        .make(who, move || {
            if braille {
                tact_mail::formats::brf(&subject, &text)
            } else {
                tact_mail::formats::audio(&subject, &text)
            }
        })
        .await?
        .map_err(|e| unmade("letter", doc, &e))?;
    Ok(if braille {
        (bytes, "application/x-brf", format!("letter-{}.brf", l.id))
    } else {
        (bytes, "audio/mpeg", format!("letter-{}.mp3", l.id))
    })
}

/// `what` (the letter, the policy) could not be made as `doc` by its writer or program:
/// nothing the one who asked sent was wrong.
fn unmade(what: &str, doc: impl std::fmt::Display, e: &str) -> crate::AppError {
    crate::AppError::Unavailable(format!("the {what} could not be made as a {doc}: {e}"))
}

impl App {
    /// Puts staff's adjusted wording in place of a held letter's, keeping the new wording
    /// as the letter (what is kept is what goes) and the change on the event log.
    ///
    /// # Errors
    /// No such letter; a letter no longer held; empty or overlong text.
    async fn adjust_letter(
        &self,
        ctx: &Ctx,
        id: i64,
        subject: Option<&str>,
        text: &str,
        how: &str,
    ) -> Result<StoredLetter> {
        let l = self.letter(id).await?;
        let (subject, text) = l.reworded(
            subject,
            &tact_mail::letters::tidy(&text.replace("\r\n", "\n")),
        )?;
        let next = StoredLetter {
            html: tact_mail::letters::html(&subject, &text, l.format == Format::LargePrint),
            subject,
            text,
            ..l.clone()
        };
        let mut tx = self.begin().await?;
        tx.adjust_letter(&next).await?;
        tx.audit(&[ctx
            .event(
                self.now(),
                AuditAction::LetterAdjusted,
                format!("letter:{id}"),
            )
            .person(l.person_id)
            .detail("how", how)])
            .await?;
        self.finish(tx, ctx, &format!("letter:{id}")).await?;
        Ok(next)
    }

    /// The top of a printed letter: the office, who it is to (name and address), and
    /// the reference and date.
    pub async fn letterhead(&self, l: &StoredLetter) -> Result<Vec<Vec<String>>> {
        let person = self.person(l.person_id).await?;
        let mut to = vec![person.name.clone()];
        if l.channel == Channel::Letter {
            to.extend(
                l.to_address
                    .split(['\n', ','])
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(str::to_string),
            );
        } else {
            to.push(l.to_address.clone());
        }
        Ok(vec![
            vec![self.profile.organisation.name.clone()],
            to,
            vec![
                format!("Our reference: {}", person.reference),
                tact_core::check::long_day(l.created_at),
            ],
        ])
    }

    /// A kept letter as a document, made from exactly the kept wording: its bytes, media
    /// type and a file name.
    ///
    /// # Errors
    /// No such letter; the document writer's refusal.
    pub(crate) async fn letter_document(
        &self,
        actor: &Actor,
        id: i64,
        doc: Document,
    ) -> Result<(Vec<u8>, &'static str, String)> {
        let l = self.read_letter(actor, id).await?;
        let (media, ext) = match doc {
            Document::Braille | Document::Audio => {
                // Set or spoken only when it could go: hours of speech help nobody.
                tact_core::correspondence::within_a_letter(&l.text)?;
                return made_by_child(&self.makers, Waiter::Request, doc, &l).await;
            }
            Document::Pdf => ("application/pdf", "pdf"),
            Document::Docx => (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "docx",
            ),
        };
        // Only a printed layout has the letterhead.
        let head = self.letterhead(&l).await?;
        let large = matches!(l.format, Format::LargePrint | Format::EasyRead);
        let (subject, text) = (l.subject.clone(), l.text.clone());
        let bytes = self
            .makers
            .make(Waiter::Request, move || {
                let layout = tact_mail::Layout {
                    head: &head,
                    subject: &subject,
                    text: &text,
                    large,
                };
                if doc == Document::Docx {
                    tact_mail::docx::render(&layout)
                } else {
                    tact_mail::pdf::render(&layout)
                }
            })
            .await?
            .map_err(|e| unmade("letter", doc, &e))?;
        Ok((bytes, media, format!("letter-{id}.{ext}")))
    }
}

/// Changes a held letter's wording: typed, or from a Word document staff downloaded and
/// changed (what is kept is what goes).
///
/// # Errors
/// No such letter; a letter no longer held; empty or overlong text; a file that is not a
/// readable Word document.
impl Handles<cmd::ChangeLetter> for App {
    type Output = StoredLetter;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::ChangeLetter,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        use tact_core::correspondence::LetterChange;
        match c.change {
            LetterChange::Typed { subject, text, how } => {
                self.adjust_letter(ctx, c.letter, subject.as_deref(), &text, how)
                    .await
            }
            LetterChange::Word(bytes) => {
                let back =
                    tact_mail::docx::read(&bytes).map_err(|e| RuleError::invalid("document", e))?;
                self.adjust_letter(
                    ctx,
                    c.letter,
                    back.subject.as_deref(),
                    &back.text,
                    "word document",
                )
                .await
            }
        }
    }
}

/// Lets a held letter go: email to the sending queue, post to the print queue.
///
/// # Errors
/// A role refusal; no such letter; a letter not held, or longer than a letter can be
/// ([`StoredLetter::may_release`]).
impl Handles<cmd::ReleaseLetter> for App {
    type Output = StoredLetter;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::ReleaseLetter,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::ReleaseLetter { letter: id } = c;
        let l = self.letter(id).await?;
        l.may_release()?;
        let next = StoredLetter {
            status: if l.channel == Channel::Email {
                LetterStatus::Queued
            } else {
                LetterStatus::ToPrint
            },
            ..l.clone()
        };
        let mut tx = self.begin().await?;
        tx.update_letter(&next, l.status, l.attempts).await?;
        tx.audit(&[ctx
            .event(
                self.now(),
                AuditAction::LetterReleased,
                format!("letter:{id}"),
            )
            .person(l.person_id)])
            .await?;
        self.finish(tx, ctx, &format!("letter:{id}")).await?;
        Ok(next)
    }
}

/// Marks a letter from the print queue as printed and posted, keeping it on the record.
///
/// # Errors
/// A role refusal; no such letter; a letter not waiting to be printed.
impl Handles<cmd::MarkPrinted> for App {
    type Output = StoredLetter;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::MarkPrinted,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::MarkPrinted { letter: id } = c;
        let l = self.letter(id).await?;
        l.may_mark_printed()?;
        let now = self.now();
        let next = StoredLetter {
            status: LetterStatus::Printed,
            sent_at: Some(now),
            ..l.clone()
        };
        let mut tx = self.begin().await?;
        tx.update_letter(&next, l.status, l.attempts).await?;
        tx.audit(&[ctx
            .event(now, AuditAction::LetterSent, format!("letter:{id}"))
            .person(l.person_id)
            .detail("to", "post")])
            .await?;
        // Whoever posts it encloses the policy where the profile says so: the letter page
        // tells them to.
        let noticed = self
            .notice_from_letter(
                &mut tx,
                &ctx.actor,
                &next,
                next.encloses_policy(&self.profile),
            )
            .await?;
        self.finish(tx, ctx, &format!("letter:{id}")).await?;
        if noticed.is_some() {
            self.after_write().await;
        }
        Ok(next)
    }
}

/// Writing a letter, whatever it is about: kept as written, then sent or printed.
impl crate::Handles<cmd::WriteLetter> for App {
    type Output = StoredLetter;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::WriteLetter,
        _: crate::Executed,
    ) -> Result<StoredLetter> {
        use tact_core::correspondence::LetterAbout as A;
        match c.about {
            A::Plan { plan, kind } => self.write_plan_letter(ctx, plan, kind, c.how).await,
            A::Adjustment(id) => self.write_adjustment_letter(ctx, id, c.how).await,
            A::Warning(id) => self.write_warning_letter(ctx, id, c.how).await,
            A::CallEnded(id) => self.write_call_ended_letter(ctx, id, c.how).await,
        }
    }
}

/// A review or dispute letter's decision words when the plan is kept as it is (`plan`: the
/// profile's word for a plan).
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_13_a_title_that_says_what_it_is_is_not_said_twice() {
        let m = |title: &str| tact_core::model::Matter {
            id: tact_core::ids::MatterId(4),
            person_id: tact_core::ids::PersonId(1),
            reference: "M-000004".into(),
            kind: tact_core::model::MatterKind::Request,
            title: title.into(),
            status: tact_core::model::MatterStatus::Open,
            finalised_on: None,
            opened_at: jiff::Timestamp::UNIX_EPOCH,
        };
        assert_eq!(
            matter_words(&m("Complaint about a police officer's conduct")),
            "your request M-000004 about a police officer's conduct"
        );
        assert_eq!(
            matter_words(&m("Burglary report")),
            "your request M-000004 about burglary report"
        );
        // "about" later in a longer title is left alone.
        assert_eq!(
            matter_words(&m("The letter about my car")),
            "your request M-000004 about the letter about my car"
        );
    }

    #[test]
    fn titles_read_inside_a_sentence_but_capitals_stay() {
        assert_eq!(
            super::in_a_sentence("Complaint about delays"),
            "complaint about delays"
        );
        assert_eq!(super::in_a_sentence("PCC decision"), "PCC decision");
        assert_eq!(super::in_a_sentence(""), "");
    }
}
