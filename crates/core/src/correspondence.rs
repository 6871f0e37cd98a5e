//! Where an inbound message goes once the contact check has judged it. Nothing is dropped:
//! a message the plan forbids is kept as a breach with its reminder (CLE-9.11); one from a
//! person under a plan is kept and queued for screening (CLE-9.10; NOR-5.5 "read and file
//! … respond only if new information"); one that cannot be read goes to the quarantine.

use crate::check::Verdict;
use crate::ids::{AdjustmentId, ContactId, IncidentId, MatterId, PersonId, PlanId, WarningId};
use crate::model::Format;
use crate::model::{Contact, Screening};
use crate::profile::Channel;
use jiff::Timestamp;

crate::words! {
    pub enum Route for "route" {
        /// Allowed: to the matter's inbox (or the person's, with no matter).
        Inbox = "inbox",
        /// Forbidden by a restriction: kept as a breach, with a reminder task (CLE-9.11).
        Breach = "breach",
        /// Kept and read for a genuine complaint, new information, crime or safeguarding
        /// before anything else (CLE-9.10; NOR-5.5).
        Screening = "screening",
        /// From an address Tact does not know: to the general inbox, to be matched by staff.
        UnknownSender = "unknown-sender",
        /// Could not be taken in as it is; kept whole with the reason.
        Quarantine = "quarantine",
    }
}

/// The route for a message judged as `contact` (CLE-9.10, 9.11; NOR-5.5).
pub fn route_for(contact: &Contact) -> Route {
    if !contact.breach_of.is_empty() {
        Route::Breach
    } else if contact.screening == Screening::Due {
        Route::Screening
    } else if contact.person_id.is_none() {
        Route::UnknownSender
    } else {
        Route::Inbox
    }
}

/// An email from a person whose plan gives them a dedicated mailbox and a single point of
/// contact goes to that member of staff to read (CLE-9.9: "using a dedicated email
/// address and auto-diverting emails"; "communicate only with a single point of contact").
pub fn diversion(
    profile: &crate::profile::Profile,
    verdict: &crate::check::Verdict,
    contact: &Contact,
) -> Option<crate::model::NewTask> {
    let address = verdict.divert_to_mailbox.as_ref()?;
    let staff = verdict.put_through_to?;
    Some(crate::model::NewTask {
        kind: crate::model::TaskKind::ReadDiverted,
        person_id: contact.person_id,
        assignee: Some(staff),
        role: None,
        title: format!(
            "Read an email diverted to you from their dedicated address {address}: {}",
            contact.summary
        ),
        due_on: Some(crate::check::uk_date(contact.at)),
        clause: profile
            .catalogue(crate::profile::RestrictionKind::DedicatedMailbox)
            .map_or_else(String::new, |e| e.clause.clone()),
        subject: None,
    })
}

/// A message as kept: where it went and what it became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    pub id: i64,
    pub message_id: String,
    pub mailbox: String,
    pub received_at: Timestamp,
    pub sender: String,
    pub subject: String,
    pub route: Route,
    pub quarantine_reason: Option<String>,
    pub person_id: Option<PersonId>,
    pub matter_id: Option<MatterId>,
    pub contact_id: Option<ContactId>,
}

/// The plan whose blocked-address or read-and-file restriction says to acknowledge this
/// message, if any. Only a message held back for screening is acknowledged this way: a
/// breach gets its reminder instead (CLE-9.11), and blocked or read-and-file mail whose
/// plan says nothing raises no notice beyond its place in the screening queue.
pub fn acknowledgement_due(verdict: &Verdict, route: Route) -> Option<PlanId> {
    if route != Route::Screening {
        return None;
    }
    verdict
        .restrictions
        .iter()
        .find(|a| a.acknowledge && a.effect != crate::check::Effect::Forbids)
        .map(|a| a.plan_id)
}

crate::words! {
    /// Where an outbound letter is.
    pub enum LetterStatus for "status" {
        /// Held for staff to check and adjust; nothing goes until they release it.
        Draft = "draft",
        /// Email waiting to be sent (or to be tried again).
        Queued = "queued",
        Sent = "sent",
        /// Email that could not be sent after every attempt: staff must act.
        Failed = "failed",
        /// For post: waiting in the print queue.
        ToPrint = "to-print",
        Printed = "printed",
    }
}

impl PlanLetter {
    /// What staff choosing a letter read, in the profile's word for the plan (`plan`: "contact
    /// strategy", "communication plan"); the stored word (`strategy-notice`) is not shown.
    pub fn plain(self, plan: &str) -> String {
        match self {
            Self::PlanNotice => format!("The written notice of the {plan}"),
            Self::BreachReminder => "A reminder after a breach".into(),
            Self::ReviewOutcome => "The outcome of a review".into(),
            Self::Variation => format!("The {plan} changed"),
            Self::Lifting => format!("The {plan} lifted"),
            Self::DisputeOutcome => "The outcome of their dispute".into(),
        }
    }

    /// Whether this letter, once it has gone, is the telling in writing that a step on
    /// `plan` asked for (CLE-9.14; NOR-5.7, 8.2: the task `workflow` raises to tell them of a
    /// change, its lifting or a review that kept it): a change, its lifting, a review's or a
    /// dispute's outcome, about a plan that waits for no notice. One that waits is told by
    /// the notice, which recording closes ([`crate::workflow::record_notice`]).
    pub fn tells_of(self, plan: &crate::model::Plan) -> bool {
        matches!(
            self,
            Self::Variation | Self::Lifting | Self::ReviewOutcome | Self::DisputeOutcome
        ) && !plan.awaits_notice()
    }

    /// Whether what the letter reports comes from the event log (a review, a change, or the
    /// breach a reminder answers), so [`plan_decision`] needs the person's log for it.
    pub fn reports_from_the_log(self) -> bool {
        matches!(
            self,
            Self::ReviewOutcome | Self::Variation | Self::BreachReminder
        )
    }

    /// Whether the letter reports a dispute's outcome, so [`plan_decision`] needs the
    /// person's disputes for it.
    pub fn reports_a_dispute(self) -> bool {
        self == Self::DisputeOutcome
    }
}

/// Why `actor` cannot write a letter about plan `s` now, or `None` where they can: their
/// role must allow letters (the written notice's step, CLE-9.6; NOR-5.1), and the plan must
/// have been decided — authorised, in force or lifted. A draft, a proposal, a withdrawn or
/// a refused plan was never put to the person, so there is nothing to tell them of it. The
/// plan page's offer, the letter form and the step itself ask this.
pub fn plan_letter_refusal(
    profile: &crate::profile::Profile,
    actor: &crate::roles::Actor,
    s: &crate::model::Plan,
) -> Option<crate::RuleError> {
    use crate::model::PlanStatus as S;
    if let Err(e) = crate::command::permit_kind::<crate::command::WriteLetter>(profile, actor) {
        return Some(e);
    }
    match s.status {
        S::Authorised | S::Active | S::Lifted => None,
        S::Draft | S::Proposed | S::Withdrawn | S::Refused => Some(crate::RuleError::state(
            "plan_id",
            format!(
                "no letter is written about a {} that is {}: it was never put to them",
                profile.terms.plan,
                s.status.as_str()
            ),
        )),
    }
}

/// The words of a letter that reports a plan kept as it was, in the profile's word for the
/// plan (`term`).
pub fn kept_words(term: &str, kind: PlanLetter) -> String {
    if kind == PlanLetter::ReviewOutcome {
        "to keep the arrangements as they are".to_string()
    } else {
        format!("to keep the {term} as it is")
    }
}

/// What a letter of `kind` about `plan` says was decided, and the reasons given (CLE-9.6,
/// 9.14; NOR-5.7, 7.1: the person is told in writing of a review's outcome, a change, the
/// end of the plan and the answer to their dispute), from the latest review or change of the
/// plan in the person's event log (`log`, oldest first) and the latest of their `disputes`
/// about it that is decided (each needed only where [`PlanLetter::reports_from_the_log`] or
/// [`PlanLetter::reports_a_dispute`] says). A review that lifted the plan says so by its recorded decision,
/// not by what its reasons happen to say. Letters that report no decision (a notice, a
/// breach reminder) have none.
///
/// # Errors
/// A state refusal naming `kind` where the letter would report a decision not taken: a
/// plan not reviewed, changed or lifted, or no dispute about it decided.
pub fn plan_decision(
    term: &str,
    kind: PlanLetter,
    plan: &crate::model::Plan,
    log: &[crate::audit::StoredEntry],
    disputes: &[crate::model::Dispute],
) -> Result<(String, String), crate::RuleError> {
    use crate::audit::AuditAction;
    use crate::model::DisputeOutcome;
    let subject = plan.id.subject();
    let latest = |action: AuditAction| {
        log.iter()
            .rev()
            .find(|e| e.subject == subject && e.action == action.as_str())
    };
    let not =
        |what: &str| crate::RuleError::state("kind", format!("this {term} has not been {what}"));
    let ended = || format!("to end the {term}");
    Ok(match kind {
        PlanLetter::ReviewOutcome => {
            let e = latest(AuditAction::PlanReviewed).ok_or_else(|| not("reviewed"))?;
            let lifted = crate::workflow::ReviewDecision::Lift.as_str();
            let decision = if e.detail_value("decision").as_deref() == Some(lifted) {
                ended()
            } else {
                kept_words(term, kind)
            };
            (decision, e.reason.clone().unwrap_or_default())
        }
        PlanLetter::Variation => {
            let e = latest(AuditAction::PlanVaried).ok_or_else(|| not("changed"))?;
            (
                "to change the arrangements as set out below".to_string(),
                e.reason.clone().unwrap_or_default(),
            )
        }
        PlanLetter::Lifting => (
            ended(),
            plan.lift_reason.clone().ok_or_else(|| not("lifted"))?,
        ),
        PlanLetter::DisputeOutcome => {
            let d = disputes
                .iter()
                .rev()
                .find_map(|d| d.outcome.filter(|_| d.plan_id == plan.id).map(|o| (o, d)))
                .ok_or_else(|| {
                    crate::RuleError::state("kind", "no dispute about it has been decided")
                })?;
            let decision = match d.0 {
                DisputeOutcome::Upheld => kept_words(term, kind),
                DisputeOutcome::Varied => format!("to change the {term}"),
                DisputeOutcome::Lifted => ended(),
            };
            (decision, d.1.decision_reason.clone().unwrap_or_default())
        }
        PlanLetter::PlanNotice | PlanLetter::BreachReminder => {
            if let Some(e) = in_force_refusal(term, kind, plan) {
                return Err(e);
            }
            // A reminder answers a breach on the record, and says when it was (CLE-9.11):
            // never a breach the letter would make up.
            if kind == PlanLetter::BreachReminder && latest_breach(plan, log).is_none() {
                return Err(crate::RuleError::state(
                    "kind",
                    format!("no breach of this {term} is on the record to remind them of"),
                ));
            }
            (String::new(), String::new())
        }
    })
}

/// When `plan` was last breached (CLE-9.11; NOR-5.8), by the person's event log: the latest
/// contact recorded as breaking one of its restrictions. A reminder written about the plan
/// answers that breach and gives its day.
pub fn latest_breach(
    plan: &crate::model::Plan,
    log: &[crate::audit::StoredEntry],
) -> Option<Timestamp> {
    let id = plan.id.to_string();
    log.iter()
        .rev()
        .filter(|e| e.action == crate::audit::AuditAction::BreachRecorded.as_str())
        .find(|e| {
            e.detail_value("breach_of").is_some_and(|b| {
                b.split(',')
                    .any(|k| k.split_once(':').is_some_and(|(p, _)| p == id))
            })
        })
        .map(|e| e.at)
}

/// Why a letter that speaks of a plan as it stands — its written notice, or a reminder
/// after a breach — cannot be written about `plan` in its state, or `None` where it can.
/// The notice tells the person of a plan authorised or in force (CLE-9.6; NOR-5.1); a
/// reminder answers a breach, and only a plan in force can be breached (CLE-9.11).
/// A lifted plan is told of by the letter that says it was lifted, not by its notice.
fn in_force_refusal(
    term: &str,
    kind: PlanLetter,
    plan: &crate::model::Plan,
) -> Option<crate::RuleError> {
    use crate::model::PlanStatus as S;
    let status = plan.status.as_str();
    let why = match kind {
        PlanLetter::PlanNotice if !matches!(plan.status, S::Authorised | S::Active) => format!(
            "the notice tells them of a {term} authorised or in force, and this one is {status}"
        ),
        PlanLetter::BreachReminder if plan.status != S::Active => {
            format!("only a {term} in force can be breached, and this one is {status}")
        }
        _ => return None,
    };
    Some(crate::RuleError::state("kind", why))
}

/// Every letter about `plan` the profile has a template for, in the plan's own order (its
/// notice first), each with why it cannot be written now (`None` where it can): what
/// [`plan_letter_refusal`] lets through, asked of each kind by [`plan_decision`], the rule
/// the step itself asks. The letter form offers the ones with none and says why the others
/// are not offered; the API lists them.
pub fn plan_letters(
    profile: &crate::profile::Profile,
    plan: &crate::model::Plan,
    log: &[crate::audit::StoredEntry],
    disputes: &[crate::model::Dispute],
) -> Vec<(PlanLetter, Option<crate::RuleError>)> {
    PlanLetter::ALL
        .into_iter()
        .filter(|kind| profile.letters.templates.contains_key(kind.as_str()))
        .map(|kind| {
            let why = plan_decision(&profile.terms.plan, kind, plan, log, disputes).err();
            (kind, why)
        })
        .collect()
}

/// The decision and its reasons a letter about a reasonable adjustment reports (CLE-8;
/// NOR-1.5: "in writing, with an explanation"): to make the change, or not to.
///
/// # Errors
/// A state refusal naming `adjustment_id` while the request is not yet decided: there is
/// no decision to tell them.
pub fn adjustment_decision(
    a: &crate::model::Adjustment,
) -> Result<(String, String), crate::RuleError> {
    use crate::model::AdjustmentStatus;
    let decision = match a.status {
        AdjustmentStatus::Granted => format!("to make this change for you: {}", a.description),
        AdjustmentStatus::Refused => format!("not to make this change: {}", a.description),
        AdjustmentStatus::Requested => {
            return Err(crate::RuleError::state(
                "adjustment_id",
                "the request has not been decided yet",
            ))
        }
    };
    Ok((decision, a.decision_reason.clone().unwrap_or_default()))
}

/// The ended call a "why we ended your call" letter is about (CLE-4.4, 4.5): only an
/// incident that recorded ending a call has one.
///
/// # Errors
/// An invalid-input refusal naming `incident_id` for any other incident.
pub fn ended_call(
    i: &crate::model::Incident,
) -> Result<&crate::model::EndedCall, crate::RuleError> {
    i.ended_call.as_ref().ok_or_else(|| {
        crate::RuleError::invalid("incident_id", "that incident was not an ended call")
    })
}

/// A change staff make to a held letter's wording (what is kept is what goes).
#[derive(Debug, Clone)]
pub enum LetterChange {
    /// Typed: the new heading (`None` keeps it) and text; `how` says where it was typed
    /// (`typed` on the letter page, `api`), for the event log.
    Typed {
        subject: Option<String>,
        text: String,
        how: &'static str,
    },
    /// A Word document — the one downloaded, changed — as uploaded: its heading and text
    /// replace the letter's.
    Word(Vec<u8>),
}

/// A letter as written and as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLetter {
    pub id: i64,
    pub person_id: PersonId,
    /// The template it came from ("strategy-notice", …).
    pub kind: String,
    /// The record it is about, such as `strategy:12`.
    pub about: Option<String>,
    pub channel: crate::profile::Channel,
    pub format: crate::model::Format,
    /// The email address, or the postal address for the print queue.
    pub to_address: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub status: LetterStatus,
    pub attempts: i64,
    pub next_attempt_at: Option<Timestamp>,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub created_by: crate::ids::StaffId,
    pub sent_at: Option<Timestamp>,
}

impl StoredLetter {
    /// NOR-5.2: a copy of the policy goes with the written notice of a plan, where the
    /// profile says so (`[notice] enclose_policy`); with no other letter. What the outgoing
    /// email attaches and what the letter page tells whoever posts it to enclose.
    pub fn encloses_policy(&self, profile: &crate::profile::Profile) -> bool {
        profile.notice.enclose_policy && self.kind == PlanLetter::PlanNotice.as_str()
    }

    /// Staff change or release only a letter held for them (issue 9): one sent, queued or
    /// printed is what the person has, or will have.
    ///
    /// # Errors
    /// A conflict (409) on `status` saying where the letter is.
    pub fn may_change(&self) -> Result<(), crate::RuleError> {
        self.only_when(
            LetterStatus::Draft,
            ": only a held letter can be changed or released",
        )
    }

    /// The wording staff put in place of this held letter's (issue 9): the heading given, or
    /// the letter's own, and the text — neither empty nor longer than a letter can be, and
    /// only while the letter is held ([`StoredLetter::may_change`]).
    ///
    /// # Errors
    /// A conflict on `status` for a letter no longer held; an invalid-input error naming
    /// `subject` or `text`.
    pub fn reworded(
        &self,
        subject: Option<&str>,
        text: &str,
    ) -> Result<(String, String), crate::RuleError> {
        use crate::RuleError;
        self.may_change()?;
        if text.trim().is_empty() {
            return Err(RuleError::invalid("text", "the letter cannot be empty"));
        }
        within_a_letter(text)?;
        let subject = match subject.map(str::trim) {
            Some("") => return Err(RuleError::invalid("subject", "the letter needs a heading")),
            Some(s) if s.chars().count() > MAX_HEADING_CHARS => {
                return Err(RuleError::invalid(
                    "subject",
                    format!("a heading is at most {MAX_HEADING_CHARS} characters"),
                ))
            }
            Some(s) => s.to_string(),
            None => self.subject.clone(),
        };
        Ok((subject, text.to_string()))
    }

    /// A held letter goes (is released to the print queue or the outbox) only when it is
    /// no longer than a letter can be ([`within_a_letter`]): one written long from what was
    /// recorded is shortened while held, then goes.
    ///
    /// # Errors
    /// A conflict on `status` for a letter not held; an invalid-input error naming `text`.
    pub fn may_release(&self) -> Result<(), crate::RuleError> {
        self.may_change()?;
        within_a_letter(&self.text)
    }

    /// Only a letter in the print queue is marked printed (issue 4), once.
    ///
    /// # Errors
    /// A conflict (409) on `status` saying where the letter is.
    pub fn may_mark_printed(&self) -> Result<(), crate::RuleError> {
        self.only_when(LetterStatus::ToPrint, ", not waiting to be printed")
    }

    /// Nothing, where the letter is `status`; otherwise where it is, and `why` not.
    fn only_when(&self, status: LetterStatus, why: &str) -> Result<(), crate::RuleError> {
        if self.status == status {
            return Ok(());
        }
        Err(crate::RuleError::state(
            "status",
            format!("letter {} is {}{why}", self.id, self.status.as_str()),
        ))
    }
}

/// How many times an email is tried before it is marked failed.
pub const MAX_ATTEMPTS: i64 = 5;

/// After a failed attempt: try again later (1, 5, 30 then 120 minutes), or give up and
/// show it as failed so staff can act.
pub fn after_failure(attempts_so_far: i64, now: Timestamp) -> (LetterStatus, Option<Timestamp>) {
    let attempts = attempts_so_far + 1;
    if attempts >= MAX_ATTEMPTS {
        return (LetterStatus::Failed, None);
    }
    let minutes = match attempts {
        1 => 1,
        2 => 5,
        3 => 30,
        _ => 120,
    };
    (
        LetterStatus::Queued,
        Some(now + jiff::SignedDuration::from_mins(minutes)),
    )
}

/// How a letter goes: by which channel and in which format (`None`: see [`addressed`];
/// their preferred format), and whether it is held as a draft so staff can adjust it
/// before it goes.
#[derive(Debug, Clone, Copy, Default)]
pub struct How {
    pub channel: Option<Channel>,
    pub format: Option<Format>,
    pub hold: bool,
}

/// The contact a message from an unknown sender was kept as, which matching files under a
/// person; a refusal where it cannot be matched now: only a message from an unknown sender,
/// kept as a contact, waits to be matched (one already matched, or routed by the contact
/// check, has its person). The matching form asks it before it is shown, and the step first.
///
/// # Errors
/// A state refusal (409) naming `message_id`.
pub fn awaiting_match(m: &StoredMessage) -> Result<ContactId, crate::RuleError> {
    match (m.route, m.contact_id) {
        (Route::UnknownSender, Some(contact)) => Ok(contact),
        _ => Err(crate::RuleError::state(
            "message_id",
            "only a message from an unknown sender can be matched to a person",
        )),
    }
}

/// The contact a received message is kept as, which marking it threatening or abusive
/// records the behaviour against (CLE-4.6): kept, and matched to the person who sent it.
/// Every door asks this before it offers or takes the step.
///
/// # Errors
/// A quarantined message is on nobody's record: a state refusal (409) naming `message_id`.
/// One from an unknown sender not yet matched: [`unmatched`].
pub fn on_record(
    profile: &crate::profile::Profile,
    m: &StoredMessage,
) -> Result<ContactId, crate::RuleError> {
    let contact = m.contact_id.ok_or_else(|| {
        crate::RuleError::state(
            "message_id",
            "a quarantined message cannot be marked: it is not on anyone's record",
        )
    })?;
    if m.person_id.is_none() {
        return Err(unmatched(profile));
    }
    Ok(contact)
}

/// The refusal of marking correspondence from nobody we know as threatening or abusive:
/// the behaviour is recorded against a person, so the message is matched to them first
/// (CLE-4.6).
pub fn unmatched(profile: &crate::profile::Profile) -> crate::RuleError {
    crate::RuleError::invalid(
        "contact_id",
        "match the message to a person before marking it",
    )
    .with_clause(&profile.clauses.threatening_correspondence)
}

/// Where a letter to `person` goes and in which format (CLE-8; NOR-1.5: in a format they
/// can use): the channel asked for, else the way the plans binding them leave open to them
/// (`reach`, CLE-9.9; NOR-5.5, 5.6: a plan restricting them to letters is answered by
/// post, so what we send does not invite what the plan asks them not to do), else email
/// where they have an address and post where not; the format asked for, else the one they
/// prefer. A letter goes by email or post, to an address they have given; a letter by post
/// is printed, so "email" is no format for it (someone who prefers email and has no address
/// is sent standard print).
pub fn addressed(
    person: &crate::model::ServiceUser,
    how: How,
    reach: &Reach,
) -> Result<(Channel, String, Format), crate::RuleError> {
    use crate::RuleError;
    let email = !person.emails.is_empty();
    let post = person.postal_address.is_some();
    let channel = how.channel.unwrap_or(if email && (reach.email || !post) {
        Channel::Email
    } else {
        Channel::Letter
    });
    let to = match channel {
        Channel::Email => person
            .emails
            .first()
            .map(|e| e.as_str().to_string())
            .ok_or_else(|| "they have no email address".to_string()),
        Channel::Letter => person
            .postal_address
            .clone()
            .ok_or_else(|| "they have no postal address".to_string()),
        other => Err(format!(
            "a letter goes by email or post, not {}",
            other.plain()
        )),
    }
    .map_err(|why| RuleError::invalid("channel", why))?;
    let format = Format::by(channel, how.format, person.preferred_format)?;
    Ok((channel, to, format))
}

/// The longest letter staff may put in place of the written one.
pub const MAX_LETTER_CHARS: usize = 100_000;

/// A letter's text is no longer than a letter can be ([`MAX_LETTER_CHARS`]), whether staff
/// typed it or it was written from what was recorded (a reason pasted in whole, say), before
/// it goes, is set in Braille or is read aloud: what goes can always be printed and heard in
/// the time a person would give it. A letter written longer is kept held, to be shortened
/// (`App::compose_letter`; [`StoredLetter::may_release`]), so the person is still told.
///
/// # Errors
/// An invalid-input error naming `text`, with the length.
pub fn within_a_letter(text: &str) -> Result<(), crate::RuleError> {
    no_longer_than_a_letter(text, "")
}

/// [`within_a_letter`] for a letter written to go at once: one written longer (from what
/// was recorded) is refused, saying to write it held, where it can be shortened.
///
/// # Errors
/// An invalid-input error naming `text`, with the length.
pub fn may_go_at_once(text: &str) -> Result<(), crate::RuleError> {
    no_longer_than_a_letter(text, "write it held, then ")
}

/// The one length check behind [`within_a_letter`] and [`may_go_at_once`]; `first` is what
/// to do before shortening it, if anything.
fn no_longer_than_a_letter(text: &str, first: &str) -> Result<(), crate::RuleError> {
    let n = text.chars().count();
    if n > MAX_LETTER_CHARS {
        return Err(crate::RuleError::invalid(
            "text",
            format!(
                "a letter is at most {MAX_LETTER_CHARS} characters and this one has {n}: {first}shorten its wording (as text, or as a Word document changed and sent back) before it goes"
            ),
        ));
    }
    Ok(())
}
/// The longest heading a letter may have.
pub const MAX_HEADING_CHARS: usize = 200;

crate::words! {
    /// The letters written about a plan, each from the profile's template of the same name:
    /// its written notice (CLE-9.6; NOR-5.1, 5.7), a reminder after a breach (CLE-9.11), and
    /// the outcome of a review, a change, its end and a dispute (CLE-9.12, 9.14; NOR-7.2, 8.1).
    pub enum PlanLetter for "kind" {
        /// Its word is the first release's, kept: it names the profile's letter template and
        /// the letters already written.
        PlanNotice = "strategy-notice",
        BreachReminder = "breach-reminder",
        ReviewOutcome = "review-outcome",
        Variation = "variation",
        Lifting = "lifting",
        DisputeOutcome = "dispute-outcome",
    }
}

/// What a letter is about, and so which template and facts it is written from.
#[derive(Debug, Clone)]
pub enum LetterAbout {
    /// A letter about a plan, of the kind named.
    Plan { plan: PlanId, kind: PlanLetter },
    /// The decision on a reasonable adjustment (CLE-8; NOR-1.5).
    Adjustment(AdjustmentId),
    /// A warning about behaviour (CLE-9.1–9.3; NOR-5.2).
    Warning(WarningId),
    /// A call that was ended (CLE-4.4; NOR-3.3).
    CallEnded(IncidentId),
}

/// How a person may reach the office under the plans that bind them, which every letter's
/// lines on how to reach us follow (CLE-9.6, 9.9; NOR-5.6: the plan "will set out how the
/// service user should communicate"): a letter never invites a call, an email or a letter
/// the plan it describes does not allow. Open on every channel where no plan binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    pub phone: bool,
    /// Calls only at the times a plan sets (a call window).
    pub phone_at_set_times: bool,
    pub email: bool,
    /// Where their email goes instead of the office's address (a dedicated mailbox).
    pub email_to: Option<String>,
    pub post: bool,
}

impl Default for Reach {
    fn default() -> Self {
        Self {
            phone: true,
            phone_at_set_times: false,
            email: true,
            email_to: None,
            post: true,
        }
    }
}

impl Reach {
    /// The ways `plans` leave open: those that restrict at `at` ([`crate::check::restricts`]),
    /// and `about`, the plan a letter is about, once authorised (its notice goes before it
    /// binds, NOR-5.1, and sets out the arrangements to come). A plan allowing one channel
    /// closes the others; a call window limits calls to its times; a dedicated mailbox is
    /// where email goes.
    pub fn under(
        profile: &crate::profile::Profile,
        plans: &[crate::model::Plan],
        about: Option<PlanId>,
        at: Timestamp,
    ) -> Self {
        use crate::model::{PlanStatus, Rule};
        let binding = plans.iter().filter(|p| {
            crate::check::restricts(profile, p, at)
                || (Some(p.id) == about
                    && matches!(p.status, PlanStatus::Authorised | PlanStatus::Active))
        });
        let mut reach = Self::default();
        for r in binding.flat_map(|p| &p.restrictions) {
            match &r.rule {
                Rule::SingleChannel { channel } => {
                    reach.phone &= *channel == Channel::Phone;
                    reach.email &= *channel == Channel::Email;
                    reach.post &= *channel == Channel::Letter;
                }
                Rule::CallWindow { .. } => reach.phone_at_set_times = true,
                Rule::DedicatedMailbox { address } => reach.email_to = Some(address.to_string()),
                _ => {}
            }
        }
        reach
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Direction;
    use crate::profile::Channel;

    /// CLE-8; NOR-1.5: the letter on an adjustment reports the decision made, with its
    /// reasons; while the request is undecided there is nothing to tell, and no letter.
    #[test]
    fn nor_1_5_an_adjustment_letter_reports_the_decision_and_waits_for_one() {
        use crate::ids::{AdjustmentId, StaffId};
        use crate::model::{Adjustment, AdjustmentKind, AdjustmentStatus};
        let mut a = Adjustment {
            id: AdjustmentId(1),
            person_id: PersonId(1),
            kind: AdjustmentKind::ExtraTime,
            description: "More time on calls".into(),
            status: AdjustmentStatus::Requested,
            requested_at: Timestamp::UNIX_EPOCH,
            recorded_by: StaffId(2),
            decided_by: None,
            decided_at: None,
            decision_reason: None,
        };
        let e = adjustment_decision(&a).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("adjustment_id"));
        assert_eq!(e.kind, crate::RuleErrorKind::Conflict);
        a.status = AdjustmentStatus::Granted;
        a.decision_reason = Some("Calls run long".into());
        assert_eq!(
            adjustment_decision(&a).unwrap(),
            (
                "to make this change for you: More time on calls".to_string(),
                "Calls run long".to_string()
            )
        );
        a.status = AdjustmentStatus::Refused;
        assert_eq!(
            adjustment_decision(&a).unwrap().0,
            "not to make this change: More time on calls"
        );
    }

    /// CLE-4.4, 4.5: the "why we ended your call" letter is only about an incident that
    /// ended a call.
    #[test]
    fn cle_4_5_a_call_ended_letter_is_only_about_an_ended_call() {
        use crate::ids::{IncidentId, StaffId};
        use crate::model::{EndedCall, Incident};
        let mut i = Incident {
            id: IncidentId(1),
            person_id: PersonId(1),
            matter_id: None,
            contact_id: None,
            category: "abusive".into(),
            description: "Shouting".into(),
            occurred_at: Timestamp::UNIX_EPOCH,
            staff_id: StaffId(2),
            recorded_by: StaffId(2),
            ended_call: None,
        };
        assert_eq!(
            ended_call(&i).unwrap_err().field.as_deref(),
            Some("incident_id")
        );
        i.ended_call = Some(EndedCall {
            reason: "Abuse went on after a warning".into(),
            file_note: "Ended at 10:02".into(),
            caller_warned: true,
        });
        assert!(ended_call(&i).unwrap().caller_warned);
    }

    /// CLE-9.6, 9.14; NOR-5.7, 7.1: a letter about a plan reports the decision the record
    /// holds. A review that continued the plan, whose reasons happen to say "lift", is
    /// reported as keeping it (the letter used to search the entry's text and tell the person
    /// their plan had ended); the latest review, and the latest decided dispute about this
    /// plan, are the ones reported; a decision not taken is refused naming `kind`.
    #[test]
    fn cle_9_6_nor_5_7_a_plan_letter_reports_the_decision_recorded_not_words_in_its_reasons() {
        use crate::audit::{AuditAction, AuditEvent, StoredEntry};
        use crate::ids::{DisputeId, StaffId};
        use crate::model::{Dispute, DisputeOutcome};
        let at = Timestamp::UNIX_EPOCH;
        let mut plan = a_plan(5, Vec::new(), jiff::civil::date(2027, 1, 1));
        let review = |decision: &str, reasons: &str, plan_id: i64| {
            let e = AuditEvent::new(
                at,
                StaffId(2),
                AuditAction::PlanReviewed,
                format!("strategy:{plan_id}"),
            )
            .reason(reasons.to_string())
            .detail("recent_conduct", "Calls have lifted in tone")
            .detail("decision", decision);
            StoredEntry::chain(1, "", &e)
        };
        let decided = |term: &str, kind: PlanLetter, log: &[StoredEntry], disputes: &[Dispute]| {
            plan_decision(term, kind, &plan, log, disputes)
        };
        let kept = [review("continue", "Not yet time to lift it", 5)];
        assert_eq!(
            decided("contact strategy", PlanLetter::ReviewOutcome, &kept, &[]).unwrap(),
            (
                "to keep the arrangements as they are".into(),
                "Not yet time to lift it".into()
            )
        );
        // The latest review of this plan is reported, not another plan's.
        let lifted = [
            review("continue", "Kept", 5),
            review("lift", "Calls are civil", 5),
            review("continue", "Other plan", 6),
        ];
        assert_eq!(
            decided(
                "communication plan",
                PlanLetter::ReviewOutcome,
                &lifted,
                &[]
            )
            .unwrap()
            .0,
            "to end the communication plan"
        );
        for kind in [
            PlanLetter::ReviewOutcome,
            PlanLetter::Variation,
            PlanLetter::Lifting,
            PlanLetter::DisputeOutcome,
        ] {
            let e = decided("contact strategy", kind, &[review("lift", "x", 6)], &[]).unwrap_err();
            assert_eq!(
                (e.kind, e.field.as_deref()),
                (crate::RuleErrorKind::Conflict, Some("kind")),
                "{kind:?}"
            );
        }
        let dispute = |plan_id: i64, outcome: Option<DisputeOutcome>, reason: &str| Dispute {
            id: DisputeId(1),
            plan_id: PlanId(plan_id),
            person_id: PersonId(1),
            grounds: "Unfair".into(),
            received_at: at,
            recorded_by: StaffId(2),
            outcome,
            decided_by: None,
            decided_at: None,
            decision_reason: Some(reason.into()),
        };
        let disputes = [
            dispute(5, Some(DisputeOutcome::Varied), "Narrowed"),
            dispute(6, Some(DisputeOutcome::Lifted), "Other plan"),
            dispute(5, None, "Waiting"),
        ];
        assert_eq!(
            decided(
                "contact strategy",
                PlanLetter::DisputeOutcome,
                &[],
                &disputes
            )
            .unwrap(),
            ("to change the contact strategy".into(), "Narrowed".into())
        );
        plan.status = crate::model::PlanStatus::Authorised;
        assert_eq!(
            plan_decision("contact strategy", PlanLetter::PlanNotice, &plan, &[], &[]).unwrap(),
            (String::new(), String::new())
        );
    }

    /// CLE-9.6, 9.9; NOR-5.6: a letter's lines on how to reach us follow the plans that
    /// bind the person, and the plan it is about once authorised; a lifted plan binds
    /// nothing.
    #[test]
    fn cle_9_6_nor_5_6_a_letter_offers_only_the_ways_to_reach_us_the_plan_allows() {
        use crate::model::{CallWindow, Plan, PlanStatus as S, Rule};
        let profile = crate::profile::Profile::built_in("cleveland-opcc").unwrap();
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let review_due = crate::check::uk_date(now).tomorrow().unwrap();
        let plan = |id: i64, status: S, rules: Vec<Rule>| Plan {
            status,
            ..a_plan(id, rules, review_due)
        };
        let email_only = Rule::SingleChannel {
            channel: Channel::Email,
        };
        assert_eq!(Reach::under(&profile, &[], None, now), Reach::default());
        let active = [plan(1, S::Active, vec![email_only.clone()])];
        let r = Reach::under(&profile, &active, None, now);
        assert_eq!((r.phone, r.email, r.post), (false, true, false));
        // Authorised and not yet in force: only the letter about it (its notice) follows it.
        let authorised = [plan(2, S::Authorised, vec![email_only.clone()])];
        assert_eq!(
            Reach::under(&profile, &authorised, None, now),
            Reach::default()
        );
        assert!(!Reach::under(&profile, &authorised, Some(PlanId(2)), now).phone);
        // Lifted, it binds nothing, even in the letter that says so.
        let lifted = [plan(3, S::Lifted, vec![email_only])];
        assert_eq!(
            Reach::under(&profile, &lifted, Some(PlanId(3)), now),
            Reach::default()
        );
        // A call window limits calls to its times; a dedicated mailbox is where email goes.
        let window = CallWindow::read("Tuesday 10:00-12:00").unwrap();
        let both = [plan(
            4,
            S::Active,
            vec![
                Rule::CallWindow {
                    windows: vec![window],
                    max_minutes: None,
                    max_calls_per_window: None,
                },
                Rule::DedicatedMailbox {
                    address: crate::identity::EmailAddress::parse("jo.case@office.example")
                        .unwrap(),
                },
            ],
        )];
        let r = Reach::under(&profile, &both, None, now);
        assert!(r.phone && r.phone_at_set_times && r.email && r.post);
        assert_eq!(r.email_to.as_deref(), Some("jo.case@office.example"));
    }

    /// Plan `id`, a draft for person 1 by staff 2 at the epoch, with these rules (each with
    /// the reason "r"), to be reviewed by `review_due`.
    fn a_plan(
        id: i64,
        rules: Vec<crate::model::Rule>,
        review_due: jiff::civil::Date,
    ) -> crate::model::Plan {
        crate::model::Plan {
            id: PlanId(id),
            ..crate::model::Plan::first_draft(
                PersonId(1),
                crate::ids::StaffId(2),
                Timestamp::UNIX_EPOCH,
                rules
                    .into_iter()
                    .map(|rule| crate::model::Restriction {
                        rule,
                        reason: "r".into(),
                    })
                    .collect(),
                review_due,
                None,
            )
        }
    }

    /// An event log holding one breach, of `breach_of` ("7:single-channel"), at `at`.
    fn breach_log(breach_of: &str, at: Timestamp) -> Vec<crate::audit::StoredEntry> {
        use crate::audit::{AuditAction, AuditEvent, StoredEntry};
        let event = AuditEvent::new(
            at,
            crate::ids::StaffId(4),
            AuditAction::BreachRecorded,
            "contact:9",
        )
        .detail("breach_of", breach_of);
        vec![StoredEntry::chain(1, "", &event)]
    }

    /// CLE-9.14; NOR-5.7, 8.2: a letter telling them of a change, a lifting or an outcome
    /// answers the task to tell them, unless the plan waits for a notice (then recording the
    /// notice does); a notice or a reminder after a breach never does.
    #[test]
    fn cle_9_14_nor_5_7_a_letter_of_a_change_tells_them_unless_a_notice_waits() {
        use crate::model::PlanStatus as S;
        let mut plan = a_plan(0, Vec::new(), jiff::civil::date(2027, 1, 1));
        plan.status = S::Active;
        let told = [
            PlanLetter::Variation,
            PlanLetter::Lifting,
            PlanLetter::ReviewOutcome,
            PlanLetter::DisputeOutcome,
        ];
        // In force but never told of in writing: the notice is what they are owed.
        assert!(plan.awaits_notice());
        assert!(PlanLetter::ALL.iter().all(|k| !k.tells_of(&plan)));
        plan.notice = Some(crate::model::Notice::letter(
            Timestamp::UNIX_EPOCH,
            crate::ids::StaffId(2),
            crate::model::Format::Standard,
        ));
        for k in PlanLetter::ALL {
            assert_eq!(k.tells_of(&plan), told.contains(&k), "{k:?}");
        }
        plan.status = S::Lifted;
        assert!(PlanLetter::Lifting.tells_of(&plan));
    }

    /// CLE-9.6, 9.11; NOR-5.1: the written notice is of a plan authorised or in force,
    /// and a reminder after a breach of one in force, once a breach of it is on the record;
    /// a lifted plan is told of by the letter that says so. `plan_letters` offers each kind
    /// the profile has by the same rule.
    #[test]
    fn cle_9_6_cle_9_11_nor_5_1_a_notice_or_reminder_is_of_a_plan_in_force() {
        use crate::model::{Plan, PlanStatus as S};
        let mut plan = a_plan(0, Vec::new(), jiff::civil::date(2027, 1, 1));
        let breached = breach_log("0:single-channel", Timestamp::UNIX_EPOCH);
        let may = |plan: &Plan, kind| plan_decision("plan", kind, plan, &breached, &[]).is_ok();
        for (status, notice, reminder) in [
            (S::Draft, false, false),
            (S::Proposed, false, false),
            (S::Authorised, true, false),
            (S::Active, true, true),
            (S::Lifted, false, false),
            (S::Refused, false, false),
            (S::Withdrawn, false, false),
        ] {
            plan.status = status;
            assert_eq!(may(&plan, PlanLetter::PlanNotice), notice, "{status:?}");
            assert_eq!(
                may(&plan, PlanLetter::BreachReminder),
                reminder,
                "{status:?}"
            );
        }
        let e = plan_decision("plan", PlanLetter::PlanNotice, &plan, &[], &[]).unwrap_err();
        assert_eq!(
            (e.kind, e.field.as_deref()),
            (crate::RuleErrorKind::Conflict, Some("kind"))
        );
        assert!(e.message.contains("withdrawn"), "{}", e.message);

        let profile = crate::profile::Profile::built_in("cleveland-opcc").unwrap();
        let offered = |plan: &Plan| -> Vec<PlanLetter> {
            plan_letters(&profile, plan, &[], &[])
                .into_iter()
                .filter(|(_, why)| why.is_none())
                .map(|(k, _)| k)
                .collect()
        };
        plan.status = S::Lifted;
        plan.lift_reason = Some("Calls are civil".into());
        assert_eq!(offered(&plan), vec![PlanLetter::Lifting]);
        plan.status = S::Active;
        plan.lift_reason = None;
        let all = plan_letters(&profile, &plan, &[], &[]);
        assert!(all.len() >= 6, "every plan letter the profile has: {all:?}");
        // In force and never breached: nothing to remind them of.
        assert_eq!(offered(&plan), vec![PlanLetter::PlanNotice]);
        let (_, why) = all
            .iter()
            .find(|(k, _)| *k == PlanLetter::BreachReminder)
            .unwrap();
        assert!(
            why.as_ref()
                .unwrap()
                .message
                .contains("no breach of this contact strategy is on the record"),
            "{why:?}"
        );
        let offered_after_a_breach: Vec<PlanLetter> = plan_letters(&profile, &plan, &breached, &[])
            .into_iter()
            .filter(|(_, why)| why.is_none())
            .map(|(k, _)| k)
            .collect();
        assert_eq!(
            offered_after_a_breach.len(),
            2,
            "{offered_after_a_breach:?}"
        );
        assert!(offered_after_a_breach.contains(&PlanLetter::BreachReminder));
    }

    /// CLE-9.11; NOR-5.8: the breach a reminder answers is the latest of this plan's,
    /// not another plan's.
    #[test]
    fn cle_9_11_nor_5_8_a_reminder_answers_the_latest_breach_of_its_own_plan() {
        let plan = a_plan(7, Vec::new(), jiff::civil::date(2027, 1, 1));
        let day = |n: i64| Timestamp::from_second(n * 86_400).unwrap();
        let mut log = breach_log("7:single-channel", day(1));
        log.extend(breach_log("17:call-window", day(5)));
        log.extend(breach_log("3:blocked-identifier,7:call-window", day(3)));
        assert_eq!(latest_breach(&plan, &log), Some(day(3)));
        assert_eq!(latest_breach(&plan, &log[..1]), Some(day(1)));
        assert_eq!(latest_breach(&plan, &log[1..2]), None);
    }

    /// A held letter by post, "t" under the heading "s".
    fn held() -> StoredLetter {
        StoredLetter {
            id: 3,
            person_id: PersonId(1),
            kind: "strategy-notice".into(),
            about: None,
            channel: Channel::Letter,
            format: Format::Standard,
            to_address: "1 High St".into(),
            subject: "s".into(),
            text: "t".into(),
            html: String::new(),
            status: LetterStatus::Draft,
            attempts: 0,
            next_attempt_at: None,
            last_error: None,
            created_at: Timestamp::UNIX_EPOCH,
            created_by: crate::ids::StaffId(1),
            sent_at: None,
        }
    }

    /// NOR-5.2: the policy goes with the notice of a plan on Northamptonshire, and with no
    /// other letter; Cleveland's policy does not ask for it.
    #[test]
    fn nor_5_2_the_policy_is_enclosed_with_the_notice_of_a_plan_only() {
        use crate::profile::Profile;
        let nor = Profile::built_in("northamptonshire-opfcc").unwrap();
        let cle = Profile::built_in("cleveland-opcc").unwrap();
        let notice = held();
        assert!(notice.encloses_policy(&nor));
        assert!(!notice.encloses_policy(&cle));
        for kind in PlanLetter::ALL
            .into_iter()
            .filter(|k| *k != PlanLetter::PlanNotice)
        {
            let other = StoredLetter {
                kind: kind.as_str().into(),
                ..held()
            };
            assert!(!other.encloses_policy(&nor), "{kind:?}");
        }
        let warning = StoredLetter {
            kind: "warning".into(),
            ..held()
        };
        assert!(!warning.encloses_policy(&nor));
    }

    /// Issue 4, 9: only a held letter is changed or released, only a queued print is marked
    /// printed; anything else is a conflict on its status (409 at every door).
    #[test]
    fn a_letters_status_decides_what_staff_may_do_with_it() {
        let mut l = held();
        for status in LetterStatus::ALL {
            l.status = status;
            assert_eq!(
                l.may_change().is_ok(),
                status == LetterStatus::Draft,
                "{status:?}"
            );
            assert_eq!(
                l.may_mark_printed().is_ok(),
                status == LetterStatus::ToPrint,
                "{status:?}"
            );
            if let Err(e) = l.may_mark_printed() {
                assert_eq!(
                    (e.kind, e.field.as_deref()),
                    (crate::RuleErrorKind::Conflict, Some("status"))
                );
            }
            assert_eq!(
                l.reworded(None, "New words").is_ok(),
                status == LetterStatus::Draft
            );
        }
        // A held letter's new wording: its own heading unless one is given; neither empty
        // nor too long.
        l.status = LetterStatus::Draft;
        assert_eq!(
            l.reworded(None, "New words").unwrap(),
            ("s".to_string(), "New words".to_string())
        );
        let field = |r: Result<(String, String), crate::RuleError>| r.unwrap_err().field;
        assert_eq!(field(l.reworded(None, " \n ")).as_deref(), Some("text"));
        assert_eq!(
            field(l.reworded(Some(" "), "t")).as_deref(),
            Some("subject")
        );
        let long = "h".repeat(MAX_HEADING_CHARS + 1);
        assert_eq!(
            field(l.reworded(Some(&long), "t")).as_deref(),
            Some("subject")
        );
        let huge = "w".repeat(MAX_LETTER_CHARS + 1);
        assert_eq!(field(l.reworded(None, &huge)).as_deref(), Some("text"));
    }

    /// CLE-9.6: a held letter written longer than a letter can be (from reasons pasted in
    /// whole) is not released until it is shortened; at the limit it goes.
    #[test]
    fn cle_9_6_a_held_letter_longer_than_a_letter_can_be_is_released_only_once_shortened() {
        let mut l = StoredLetter {
            text: "é".repeat(MAX_LETTER_CHARS + 1),
            ..held()
        };
        let e = l.may_release().unwrap_err();
        assert_eq!(
            (e.kind, e.field.as_deref()),
            (crate::RuleErrorKind::Invalid, Some("text"))
        );
        assert!(
            e.message.contains(&(MAX_LETTER_CHARS + 1).to_string()),
            "{e:?}"
        );
        // Held, it is to be shortened; written to go at once, it is refused, saying to hold it.
        assert!(e.message.contains(": shorten its wording"), "{e:?}");
        let at_once = may_go_at_once(&l.text).unwrap_err();
        assert_eq!(at_once.field.as_deref(), Some("text"));
        assert!(
            at_once.message.contains(": write it held, then shorten"),
            "{at_once:?}"
        );
        assert!(may_go_at_once("Dear Jo").is_ok());
        // Characters, not bytes: exactly the limit in two-byte characters goes.
        l.text = "é".repeat(MAX_LETTER_CHARS);
        assert!(l.may_release().is_ok());
        l.status = LetterStatus::ToPrint;
        assert_eq!(
            l.may_release().unwrap_err().field.as_deref(),
            Some("status")
        );
    }

    /// CLE-8; NOR-1.5: a letter goes by email or post, to an address they gave, in a
    /// format that channel carries; someone who prefers email but has no address gets
    /// standard print, and "email" is never the format of a printed letter.
    #[test]
    fn cle_8_nor_1_5_a_letter_goes_where_they_gave_an_address_in_a_format_it_can_carry() {
        use crate::identity::EmailAddress;
        use crate::model::PersonInput;
        let mut p = PersonInput {
            name: "Sam".into(),
            postal_address: Some("1 High St".into()),
            preferred_format: Some(Format::Email),
            ..PersonInput::default()
        }
        .new_person(Timestamp::UNIX_EPOCH)
        .unwrap();
        let how = |channel, format| How {
            channel,
            format,
            hold: false,
        };
        let open = Reach::default();
        assert_eq!(
            addressed(&p, How::default(), &open).unwrap(),
            (Channel::Letter, "1 High St".into(), Format::Standard)
        );
        let e = addressed(&p, how(None, Some(Format::Email)), &open).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("format"));
        let e = addressed(&p, how(Some(Channel::Email), None), &open).unwrap_err();
        assert_eq!(
            (e.field.as_deref(), e.message.as_str()),
            (Some("channel"), "they have no email address")
        );
        let e = addressed(&p, how(Some(Channel::Phone), None), &open).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("channel"));
        p.emails
            .push(EmailAddress::parse("sam@example.org").unwrap());
        assert_eq!(
            addressed(&p, How::default(), &open).unwrap(),
            (Channel::Email, "sam@example.org".into(), Format::Email)
        );
        assert_eq!(
            addressed(
                &p,
                how(Some(Channel::Letter), Some(Format::LargePrint)),
                &open
            )
            .unwrap(),
            (Channel::Letter, "1 High St".into(), Format::LargePrint)
        );
        p.postal_address = None;
        let e = addressed(&p, how(Some(Channel::Letter), None), &open).unwrap_err();
        assert_eq!(e.message, "they have no postal address");
    }

    /// CLE-9.9; NOR-5.5, 5.6: someone whose plan allows them letters only is written to by
    /// post unless staff choose otherwise, so what we send does not invite the email the plan
    /// asks them not to send; where they have no postal address, email still reaches them.
    #[test]
    fn cle_9_9_nor_5_5_a_letter_to_someone_held_to_letters_goes_by_post() {
        use crate::identity::EmailAddress;
        use crate::model::PersonInput;
        let mut p = PersonInput {
            name: "Sam".into(),
            postal_address: Some("1 High St".into()),
            emails: vec![EmailAddress::parse("sam@example.org").unwrap()],
            ..PersonInput::default()
        }
        .new_person(Timestamp::UNIX_EPOCH)
        .unwrap();
        let letters_only = Reach {
            phone: false,
            email: false,
            ..Reach::default()
        };
        let email_only = Reach {
            phone: false,
            post: false,
            ..Reach::default()
        };
        let channel = |p: &crate::model::ServiceUser, reach: &Reach| {
            addressed(p, How::default(), reach).unwrap().0
        };
        assert_eq!(channel(&p, &letters_only), Channel::Letter);
        assert_eq!(channel(&p, &email_only), Channel::Email);
        assert_eq!(channel(&p, &Reach::default()), Channel::Email);
        // Asked for email, it goes by email: staff decide.
        let asked = How {
            channel: Some(Channel::Email),
            ..How::default()
        };
        assert_eq!(
            addressed(&p, asked, &letters_only).unwrap().0,
            Channel::Email
        );
        p.postal_address = None;
        assert_eq!(channel(&p, &letters_only), Channel::Email);
    }

    fn contact() -> Contact {
        Contact {
            person_id: Some(PersonId(1)),
            ..Contact::new(
                Channel::Email,
                Direction::Inbound,
                Timestamp::UNIX_EPOCH,
                "s",
            )
        }
    }

    #[test]
    fn a_failing_email_is_tried_again_later_then_shown_as_failed() {
        let now = Timestamp::UNIX_EPOCH;
        let (s, next) = after_failure(0, now);
        assert_eq!(s, LetterStatus::Queued);
        assert_eq!(next, Some(now + jiff::SignedDuration::from_mins(1)));
        assert_eq!(
            after_failure(2, now).1,
            Some(now + jiff::SignedDuration::from_mins(30))
        );
        assert_eq!(
            after_failure(MAX_ATTEMPTS - 1, now),
            (LetterStatus::Failed, None)
        );
    }

    #[test]
    fn cle_9_11_a_breach_outranks_screening_and_cle_9_10_a_restricted_sender_is_screened() {
        let mut c = contact();
        assert_eq!(route_for(&c), Route::Inbox);
        c.screening = Screening::Due;
        assert_eq!(route_for(&c), Route::Screening);
        c.breach_of = vec!["3:blocked-identifier".into()];
        assert_eq!(route_for(&c), Route::Breach);
        let mut unknown = contact();
        unknown.person_id = None;
        assert_eq!(route_for(&unknown), Route::UnknownSender);
    }
}
