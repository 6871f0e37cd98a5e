//! The records Tact keeps: service users, matters, contacts, incidents, warnings,
//! strategies with their restrictions, adjustments, disputes, further action and tasks.
//!
//! These are domain types. They carry no `Serialize`: each door has its own wire types.

use crate::error::RuleError;
use crate::identity::{EmailAddress, Identifier, PhoneNumber};
use crate::ids::*;
use crate::profile::{Answer, Channel, RestrictionKind};
use crate::roles::Role;
use jiff::civil::{Date, Time, Weekday};
use jiff::Timestamp;

/// A member of staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: StaffId,
    pub name: String,
    pub email: Option<EmailAddress>,
    pub role: Role,
    pub line_manager: Option<StaffId>,
    pub active: bool,
    /// A service account's scope (issue 12); `None` for a member of staff.
    pub scope: Option<crate::roles::Scope>,
}

/// An API token as its holder and administrators see it (issue 12): never the secret,
/// which is shown once when minted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub staff_id: StaffId,
    /// What it is for, in its holder's words ("phone system", "my laptop").
    pub name: String,
    pub created_at: Timestamp,
    pub created_by: Option<StaffId>,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub revoked_by: Option<StaffId>,
}

impl ApiToken {
    /// Whether it still lets its holder in at `now`.
    pub fn live(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

crate::words! {
    /// How the person wants to receive what the office sends them.
    #[derive(Default)]
    pub enum Format for "preferred_format" {
        #[default]
        Standard = "standard",
        LargePrint = "large-print",
        EasyRead = "easy-read",
        Braille = "braille",
        Audio = "audio",
        Email = "email",
    }
}

impl Format {
    /// The format something sent by `channel` goes in: the one `given`, else the one they
    /// prefer (CLE-8.6; NOR-1.5). A printed letter is never "email": given, that is
    /// refused; preferred by someone written to by post, standard print is sent.
    ///
    /// # Errors
    /// "email" given for a letter by post, naming `format`.
    pub fn by(
        channel: Channel,
        given: Option<Format>,
        preferred: Format,
    ) -> Result<Format, RuleError> {
        match (given, channel) {
            (Some(Self::Email), Channel::Letter) => Err(RuleError::invalid(
                "format",
                "a letter by post is printed: choose standard, large-print, easy-read, braille \
                 or audio",
            )),
            (Some(f), _) => Ok(f),
            (None, Channel::Letter) if preferred == Self::Email => Ok(Self::Standard),
            (None, _) => Ok(preferred),
        }
    }

    /// Whether something sent in this format is in the form the person asked for: the
    /// same format, or standard print for someone who asked for email (or the reverse),
    /// since the channel carries that difference.
    pub fn suits(self, preferred: Format) -> bool {
        self == preferred
            || matches!(
                (self, preferred),
                (Self::Standard, Self::Email) | (Self::Email, Self::Standard)
            )
    }
}

/// Someone who speaks or writes for the person.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Advocate {
    pub name: String,
    pub organisation: Option<String>,
    pub phone: Option<PhoneNumber>,
    pub email: Option<EmailAddress>,
}

impl Advocate {
    /// An advocate from the words a door was sent (the API, the person forms): their number
    /// and address read as a person's own are ([`PhoneNumber::lookup`],
    /// [`EmailAddress::parse`]), and an organisation left empty is none. Their name is asked
    /// with the rest of the person's details ([`PersonInput::check`]).
    ///
    /// # Errors
    /// A number or address that is not one, naming `advocate.phone` or `advocate.email`.
    pub fn from_words(
        name: &str,
        organisation: Option<&str>,
        phone: Option<&str>,
        email: Option<&str>,
    ) -> Result<Self, RuleError> {
        Ok(Self {
            name: name.to_string(),
            organisation: organisation
                .filter(|o| !o.trim().is_empty())
                .map(str::to_string),
            phone: phone
                .map(PhoneNumber::lookup)
                .transpose()
                .map_err(|e| e.with_field("advocate.phone"))?,
            email: email
                .map(EmailAddress::parse)
                .transpose()
                .map_err(|e| e.with_field("advocate.email"))?,
        })
    }
}

/// CLE-8.1, 8.2: whether the person was asked at the outset if they need additional help,
/// and what they said, in their own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdditionalHelp {
    pub asked_at: Timestamp,
    pub asked_by: StaffId,
    pub needs_help: bool,
    /// What the person said about their health or disability, recorded as they said it (CLE-8.2).
    pub in_their_words: Option<String>,
}

/// A service user: anyone in contact with the office (CLE-2.1, NOR-1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceUser {
    pub id: PersonId,
    pub reference: String,
    pub name: String,
    pub phones: Vec<PhoneNumber>,
    pub emails: Vec<EmailAddress>,
    pub postal_address: Option<String>,
    pub advocate: Option<Advocate>,
    pub preferred_format: Format,
    pub preferred_language: Option<String>,
    /// Identifiers (by their key, see [`Identifier::key`]) recorded as shared with someone
    /// else: a household line, an advocate acting for several people (issue 10).
    pub shared_identifiers: Vec<String>,
    pub additional_help: Option<AdditionalHelp>,
    pub created_at: Timestamp,
}

crate::words! {
    /// How a person holds an identifier: as their own, or as their advocate's.
    #[derive(PartialOrd, Ord)]
    pub enum Held {
        Phone = "phone",
        Email = "email",
        AdvocatePhone = "advocate-phone",
        AdvocateEmail = "advocate-email",
    }
}

impl Held {
    /// The request field it comes from.
    pub fn field(self) -> &'static str {
        match self {
            Self::Phone => "phones",
            Self::Email => "emails",
            Self::AdvocatePhone => "advocate.phone",
            Self::AdvocateEmail => "advocate.email",
        }
    }

    pub fn is_advocate(self) -> bool {
        matches!(self, Self::AdvocatePhone | Self::AdvocateEmail)
    }
}

/// One identifier a person holds: its key, how they hold it, and (for a phone number)
/// whether libphonenumber confirmed it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Holding {
    pub key: String,
    pub held: Held,
    pub verified: bool,
}

impl ServiceUser {
    /// "Name (reference)": how staff see who a page or a form is about.
    pub fn name_and_reference(&self) -> String {
        format!("{} ({})", self.name, self.reference)
    }

    /// Every identifier they hold, their own then their advocate's.
    pub fn holdings(&self) -> Vec<Holding> {
        let phone = |p: &crate::identity::PhoneNumber, held| Holding {
            key: p.as_str().to_string(),
            held,
            verified: p.is_verified(),
        };
        let email = |e: &crate::identity::EmailAddress, held| Holding {
            key: e.as_str().to_string(),
            held,
            verified: true,
        };
        let mut out: Vec<Holding> = self
            .phones
            .iter()
            .map(|p| phone(p, Held::Phone))
            .chain(self.emails.iter().map(|e| email(e, Held::Email)))
            .collect();
        if let Some(a) = &self.advocate {
            out.extend(a.phone.iter().map(|p| phone(p, Held::AdvocatePhone)));
            out.extend(a.email.iter().map(|e| email(e, Held::AdvocateEmail)));
        }
        out
    }

    pub fn identifiers(&self) -> impl Iterator<Item = Identifier> + '_ {
        self.phones
            .iter()
            .cloned()
            .map(Identifier::Phone)
            .chain(self.emails.iter().cloned().map(Identifier::Email))
    }
}

crate::words! {
    pub enum MatterKind for "kind" {
        Complaint = "complaint",
        Case = "case",
        Query = "query",
        Request = "request",
    }
}

crate::words! {
    /// Where a matter stands. `Finalised` starts the retention clock (NOR-9.1).
    pub enum MatterStatus for "status" {
        Open = "open",
        Concluded = "concluded",
        ReviewExhausted = "review-exhausted",
        Finalised = "finalised",
    }
}

impl MatterStatus {
    /// Whether the internal review route is exhausted (NOR-4.3, 5.3).
    pub fn review_exhausted(self) -> bool {
        matches!(self, Self::ReviewExhausted | Self::Finalised)
    }
}

/// A complaint, case, query or request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matter {
    pub id: MatterId,
    pub person_id: PersonId,
    pub reference: String,
    pub kind: MatterKind,
    pub title: String,
    pub status: MatterStatus,
    pub finalised_on: Option<Date>,
    pub opened_at: Timestamp,
}

crate::words! {
    pub enum Direction for "direction" {
        Inbound = "inbound",
        Outbound = "outbound",
    }
}

crate::words! {
    /// Whether a contact still needs a person to read it for a genuine complaint, new
    /// information, a crime or a safeguarding concern (CLE-9.10).
    pub enum Screening {
        NotNeeded = "not-needed",
        Due = "due",
        Done = "done",
    }
}

/// One call, email, letter, visit or form, in or out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: ContactId,
    pub person_id: Option<PersonId>,
    pub matter_id: Option<MatterId>,
    pub channel: Channel,
    pub direction: Direction,
    pub at: Timestamp,
    pub staff_id: Option<StaffId>,
    pub identifier: Option<String>,
    pub summary: String,
    pub body: String,
    /// The restrictions this contact broke, as `strategy-id:kind` (CLE-9.11).
    pub breach_of: Vec<String>,
    pub screening: Screening,
    /// NOR-4.3: kept as a contact but not opened as a new complaint.
    pub not_recorded_as_complaint: bool,
    /// How long a call lasted, where it is known (issue 13: long calls are evidence).
    pub duration_seconds: Option<u32>,
}

impl Contact {
    /// A contact not yet written (the store gives its id): on `channel`, which way, when,
    /// and what was said; about nobody yet, nothing broken, nothing to screen. The rest is
    /// said over it.
    pub fn new(
        channel: Channel,
        direction: Direction,
        at: Timestamp,
        summary: impl Into<String>,
    ) -> Self {
        Self {
            id: ContactId(0),
            person_id: None,
            matter_id: None,
            channel,
            direction,
            at,
            staff_id: None,
            identifier: None,
            summary: summary.into(),
            body: String::new(),
            breach_of: Vec::new(),
            screening: Screening::NotNeeded,
            not_recorded_as_complaint: false,
            duration_seconds: None,
        }
    }
}

/// Why a call was ended (CLE-4.4, 4.5; NOR-6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndedCall {
    pub reason: String,
    pub file_note: String,
    /// CLE-4.4: the caller was told the behaviour is unacceptable, why, and that the call would end.
    pub caller_warned: bool,
}

/// Recorded unacceptable or unreasonable behaviour, in one of the profile's categories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub id: IncidentId,
    pub person_id: PersonId,
    pub matter_id: Option<MatterId>,
    pub contact_id: Option<ContactId>,
    pub category: String,
    pub description: String,
    pub occurred_at: Timestamp,
    /// The member of staff on the receiving end.
    pub staff_id: StaffId,
    pub recorded_by: StaffId,
    pub ended_call: Option<EndedCall>,
}

/// Telling the person what is wrong, how to change and what follows if they don't (CLE-9.1–9.3; NOR-5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub id: WarningId,
    pub person_id: PersonId,
    pub incident_ids: Vec<IncidentId>,
    pub what_is_wrong: String,
    pub how_to_change: String,
    pub consequence: String,
    pub channel: Channel,
    pub given_at: Timestamp,
    pub given_by: StaffId,
}

/// One weekly window in UK local time in which calls are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallWindow {
    pub weekday: Weekday,
    pub start: Time,
    pub end: Time,
}

/// The days of the week as people write them, Monday first.
const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "Monday"),
    (Weekday::Tuesday, "Tuesday"),
    (Weekday::Wednesday, "Wednesday"),
    (Weekday::Thursday, "Thursday"),
    (Weekday::Friday, "Friday"),
    (Weekday::Saturday, "Saturday"),
    (Weekday::Sunday, "Sunday"),
];

/// A day's name as people write it: "Tuesday".
pub fn weekday_name(d: Weekday) -> &'static str {
    WEEKDAYS
        .iter()
        .find(|(w, _)| *w == d)
        .map_or("", |(_, n)| n)
}

/// The day a name means: the whole name in any case ("tuesday"), or with `short` also its
/// first three letters or more ("tue").
pub fn weekday_named(s: &str, short: bool) -> Option<Weekday> {
    let s = s.trim().to_lowercase();
    WEEKDAYS
        .iter()
        .find(|(_, n)| {
            let n = n.to_lowercase();
            n == s || (short && s.len() >= 3 && n.starts_with(&s))
        })
        .map(|(w, _)| *w)
}

/// A call window's limits (CLE-9.9, NOR-5.5: limit calls to set times) — the minutes a call
/// may last, the calls taken in one window — are counts of one or more; none is no limit.
///
/// # Errors
/// An invalid-input error naming `field` for 0.
pub fn call_limit(field: &str, n: Option<u32>) -> Result<Option<u32>, RuleError> {
    match n {
        Some(0) => Err(RuleError::invalid(field, format!("{LIMIT}, got 0"))),
        n => Ok(n),
    }
}

/// [`call_limit`] as typed into a form: blank is no limit.
///
/// # Errors
/// An invalid-input error naming `field` for text that is not a count of one or more.
pub fn call_limit_typed(field: &str, text: &str) -> Result<Option<u32>, RuleError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let n = text.parse::<u32>().map_err(|_| {
        RuleError::invalid(field, format!("{LIMIT}, got {}", crate::error::shown(text)))
    })?;
    call_limit(field, Some(n))
}

const LIMIT: &str = "expected a whole number of 1 or more";

impl CallWindow {
    /// A window as staff write it: a day and two times, "Tuesday 10:00-12:00" (also
    /// "tue 9:30 to 11:00", or with an en dash), the start before the end.
    ///
    /// # Errors
    /// What is wrong with it, in words.
    pub fn read(line: &str) -> Result<Self, String> {
        let line = line.trim();
        let bad = || {
            format!(
                "write a day and times, like Tuesday 10:00-12:00, not {}",
                crate::error::shown(line)
            )
        };
        let lower = line.to_lowercase().replace(" to ", "-").replace('–', "-");
        let (day, times) = lower.split_once(char::is_whitespace).ok_or_else(bad)?;
        let weekday = weekday_named(day, true).ok_or_else(bad)?;
        let (start, end) = times.split_once('-').ok_or_else(bad)?;
        let time = |t: &str| {
            let t = t.trim();
            let t = if t.len() == 4 && t.as_bytes().get(1) == Some(&b':') {
                format!("0{t}")
            } else {
                t.to_string()
            };
            Time::strptime("%H:%M", &t).map_err(|_| bad())
        };
        Self::new(weekday, time(start)?, time(end)?)
            .map_err(|why| format!("in {} {why}", crate::error::shown(line)))
    }

    /// A window on `weekday` from `start` to `end`: a window that ends before it starts
    /// would never let a call through.
    ///
    /// # Errors
    /// The start is not before the end.
    pub fn new(weekday: Weekday, start: Time, end: Time) -> Result<Self, String> {
        if start >= end {
            return Err("the start is not before the end".into());
        }
        Ok(Self {
            weekday,
            start,
            end,
        })
    }

    /// A window as the API writes it: a day's whole name (`tuesday`, any case) and two
    /// times `HH:MM`. A refusal names `at.day`, `at.start` or `at.end`.
    ///
    /// # Errors
    /// An invalid-input error naming the part that is wrong.
    pub fn from_words(day: &str, start: &str, end: &str, at: &str) -> Result<Self, RuleError> {
        let weekday = weekday_named(day, false).ok_or_else(|| {
            RuleError::invalid(
                &format!("{at}.day"),
                format!(
                    "expected a day of the week such as tuesday, got {}",
                    crate::error::shown(day)
                ),
            )
        })?;
        let time = |k: &str, t: &str| {
            Time::strptime("%H:%M", t).map_err(|_| {
                RuleError::invalid(
                    &format!("{at}.{k}"),
                    format!(
                        "expected a time such as 10:00, got {}",
                        crate::error::shown(t)
                    ),
                )
            })
        };
        Self::new(weekday, time("start", start)?, time("end", end)?)
            .map_err(|why| RuleError::invalid(&format!("{at}.end"), why))
    }

    /// A window on `weekday` from one whole hour to another (`10, 12`: 10:00 to 12:00).
    pub fn hours(weekday: Weekday, from: i8, to: i8) -> Self {
        Self {
            weekday,
            start: jiff::civil::time(from, 0, 0, 0),
            end: jiff::civil::time(to, 0, 0, 0),
        }
    }
}

/// CLE-9.9, NOR-5.5 (compare regulation 6 of the Police (Complaints and Misconduct)
/// Regulations 2020): why a closed matter will not be reopened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoReopeningGrounds {
    pub same_matter: bool,
    pub no_new_substantive_evidence: bool,
    pub properly_handled: bool,
    pub note: String,
}

/// One typed rule of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    CallWindow {
        windows: Vec<CallWindow>,
        max_minutes: Option<u32>,
        max_calls_per_window: Option<u32>,
    },
    SingleChannel {
        channel: Channel,
    },
    SinglePointOfContact {
        staff_id: StaffId,
    },
    RecordedCalls,
    DedicatedMailbox {
        address: EmailAddress,
    },
    /// A number or address whose contact is not accepted: a call from it is refused;
    /// correspondence from it is kept and screened, not answered (CLE-9.9 "blocking
    /// email addresses"; NOR-5.5 "blocking telephone numbers and / or email addresses").
    BlockedIdentifier {
        identifier: Identifier,
        /// Whether the plan says to acknowledge what arrives from it (issue 4: blocked
        /// mail is acknowledged only where the plan says so).
        acknowledge: bool,
    },
    AdvocateOnly,
    /// NOR-5.5: "read and file future correspondence but acknowledge or respond to it only
    /// if the service user provides new information or is making a new complaint".
    ReadAndFile {
        /// Whether the plan says to acknowledge each piece of correspondence all the same.
        acknowledge: bool,
    },
    NoReopening {
        matter_id: MatterId,
        grounds: NoReopeningGrounds,
    },
    NoRepeatComplaints {
        matter_id: MatterId,
    },
    Other {
        description: String,
    },
}

impl Rule {
    /// Whether the plan says correspondence this rule holds back is acknowledged.
    pub fn acknowledges(&self) -> bool {
        matches!(
            self,
            Self::BlockedIdentifier {
                acknowledge: true,
                ..
            } | Self::ReadAndFile { acknowledge: true }
        )
    }

    pub fn kind(&self) -> RestrictionKind {
        match self {
            Self::CallWindow { .. } => RestrictionKind::CallWindow,
            Self::SingleChannel { .. } => RestrictionKind::SingleChannel,
            Self::SinglePointOfContact { .. } => RestrictionKind::SinglePointOfContact,
            Self::RecordedCalls => RestrictionKind::RecordedCalls,
            Self::DedicatedMailbox { .. } => RestrictionKind::DedicatedMailbox,
            Self::BlockedIdentifier { .. } => RestrictionKind::BlockedIdentifier,
            Self::AdvocateOnly => RestrictionKind::AdvocateOnly,
            Self::ReadAndFile { .. } => RestrictionKind::ReadAndFile,
            Self::NoReopening { .. } => RestrictionKind::NoReopening,
            Self::NoRepeatComplaints { .. } => RestrictionKind::NoRepeatComplaints,
            Self::Other { .. } => RestrictionKind::Other,
        }
    }
}

/// A rule with the reason for it (NOR-5.7: "the reasons for managing future contact").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restriction {
    pub rule: Rule,
    pub reason: String,
}

/// A checklist answer with its reason (CLE-7.2, 7.3; NOR-5.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistAnswer {
    pub question_id: String,
    pub answer: Answer,
    pub reason: String,
    /// For a shortfall: the task raised to put it right (CLE-7.3).
    pub remedy_task: Option<TaskId>,
    /// For a shortfall: why it cannot be put right, if the proposer says so.
    pub cannot_remedy_reason: Option<String>,
    pub answered_by: StaffId,
    pub answered_at: Timestamp,
}

crate::words! {
    /// The lifecycle of DESIGN.md. Variations and disputes happen while `Active`.
    pub enum PlanStatus for "status" {
        Draft = "draft",
        Proposed = "proposed",
        Authorised = "authorised",
        Active = "active",
        Refused = "refused",
        Withdrawn = "withdrawn",
        Lifted = "lifted",
    }
}

/// The written notice of a plan (CLE-9.6; NOR-5.1, 5.4, 5.7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub sent_at: Timestamp,
    pub recorded_by: StaffId,
    pub channel: Channel,
    pub format: Format,
    /// CLE-9.6: "If possible, the agreement of the individual should be sought".
    pub agreement_sought: bool,
    pub agreement_given: Option<bool>,
    /// What they said about agreeing, where staff recorded it.
    pub agreement_note: Option<String>,
    /// The letter or email that gave the notice, where Tact recorded it from one it sent
    /// (posted, or the email delivered): the record of what they were told.
    pub letter_id: Option<i64>,
    /// NOR-5.2: a copy of the policy went with it.
    pub policy_enclosed: bool,
    /// Which version of the plan this notice told the person about.
    pub plan_version: i64,
}

impl Notice {
    /// A letter in `format` sent at `sent_at` about a plan's first version, recorded by
    /// `by`, with nothing more said: agreement not sought, the policy not enclosed, no letter
    /// of Tact's named. What an imported plan's notice is, for the rest to be said over it.
    pub fn letter(sent_at: Timestamp, by: StaffId, format: Format) -> Self {
        Self {
            sent_at,
            recorded_by: by,
            channel: Channel::Letter,
            format,
            agreement_sought: false,
            agreement_given: None,
            agreement_note: None,
            letter_id: None,
            policy_enclosed: false,
            plan_version: 1,
        }
    }
}

/// A senior manager's decision to let a restriction stand despite a reasonable adjustment (CLE-9.13; NOR-5.9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustmentOverride {
    pub adjustment_id: AdjustmentId,
    pub by: StaffId,
    pub reason: String,
}

/// A change to the restrictions waiting for its written notice (where notice must come first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingVariation {
    pub restrictions: Vec<Restriction>,
    pub review_due: Date,
    pub ends_on: Option<Date>,
    pub reason: String,
    pub by: StaffId,
}

/// A request to apply a plan to another of the person's matters that has not yet taken
/// effect: waiting for the authorising role (NOR-6.2) or, once authorised, for the written
/// notice (NOR-5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMatter {
    pub matter_id: MatterId,
    pub reason: String,
    pub requested_by: StaffId,
    pub requested_at: Timestamp,
    pub authorised_by: Option<StaffId>,
    pub authorised_at: Option<Timestamp>,
}

/// A contact strategy (Cleveland) or communication plan (Northamptonshire).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub id: PlanId,
    pub person_id: PersonId,
    /// Bumped on every change; the store refuses a write from a stale copy.
    pub version: i64,
    /// Bumped when the restrictions change; the notice must be for the current one.
    pub plan_version: i64,
    pub status: PlanStatus,
    pub matter_ids: Vec<MatterId>,
    pub incident_ids: Vec<IncidentId>,
    pub restrictions: Vec<Restriction>,
    /// CLE-9.4: the reason for introducing the strategy.
    pub reasons: String,
    /// CLE-9.5: what it aims to achieve.
    pub aims: String,
    /// CLE-9.5: why it is fair, reasonable and proportionate.
    pub proportionality: String,
    /// CLE-9.3, NOR-5.2: why no warning came first, where none did.
    pub no_warning_reason: Option<String>,
    pub checklist: Vec<ChecklistAnswer>,
    pub created_by: StaffId,
    pub created_at: Timestamp,
    pub proposed_by: Option<StaffId>,
    pub proposed_at: Option<Timestamp>,
    pub decided_by: Option<StaffId>,
    pub decided_at: Option<Timestamp>,
    pub decision_reason: Option<String>,
    pub overrides: Vec<AdjustmentOverride>,
    pub notice: Option<Notice>,
    pub effective_from: Option<Timestamp>,
    pub review_due: Date,
    pub ends_on: Option<Date>,
    pub pending_variation: Option<PendingVariation>,
    /// Matters the plan is to be applied to, not yet in effect (NOR-5.1, 6.2).
    pub pending_matters: Vec<PendingMatter>,
    pub lifted_at: Option<Timestamp>,
    pub lift_reason: Option<String>,
    /// Everyone who took part in a decision on this plan (NOR-7.1: none of them may decide a dispute).
    pub participants: Vec<StaffId>,
}

impl Plan {
    /// A plan as `by` first writes it down for `person`: a draft of version 1 with these
    /// restrictions and dates, nothing else said yet. Drafting and importing fill in the rest.
    pub fn first_draft(
        person: PersonId,
        by: StaffId,
        now: Timestamp,
        restrictions: Vec<Restriction>,
        review_due: Date,
        ends_on: Option<Date>,
    ) -> Plan {
        Plan {
            id: PlanId(0),
            person_id: person,
            version: 1,
            plan_version: 1,
            status: PlanStatus::Draft,
            matter_ids: Vec::new(),
            incident_ids: Vec::new(),
            restrictions,
            reasons: String::new(),
            aims: String::new(),
            proportionality: String::new(),
            no_warning_reason: None,
            checklist: Vec::new(),
            created_by: by,
            created_at: now,
            proposed_by: None,
            proposed_at: None,
            decided_by: None,
            decided_at: None,
            decision_reason: None,
            overrides: Vec::new(),
            notice: None,
            effective_from: None,
            review_due,
            ends_on,
            pending_variation: None,
            pending_matters: Vec::new(),
            lifted_at: None,
            lift_reason: None,
            participants: vec![by],
        }
    }

    /// Notes that `staff` took part in a decision on this plan (NOR-7.1: none of them may
    /// decide a dispute about it), once.
    pub fn took_part(&mut self, staff: StaffId) {
        if !self.participants.contains(&staff) {
            self.participants.push(staff);
        }
    }

    /// Whether the plan restricts contact at `at`: active, in effect, and not past its end date.
    pub fn in_force(&self, at: Timestamp) -> bool {
        if self.status != PlanStatus::Active {
            return false;
        }
        if self.effective_from.is_some_and(|from| at < from) {
            return false;
        }
        !self.has_ended(crate::check::uk_date(at))
    }

    /// Whether a written notice is awaited: the first, for a plan authorised and not yet
    /// told of (CLE-9.6; NOR-5.1), or one for a change that takes effect on it. Recording
    /// it on the plan is what makes the plan, or the change, bite.
    pub fn awaits_notice(&self) -> bool {
        matches!(self.status, PlanStatus::Authorised | PlanStatus::Active)
            && (self.notice.is_none() || self.awaits_notice_of_change())
    }

    /// Whether a change waits for its written notice: a variation, or another matter the
    /// plan's authorising role has applied it to (NOR-5.1, 6.2).
    pub fn awaits_notice_of_change(&self) -> bool {
        self.pending_variation.is_some()
            || self
                .pending_matters
                .iter()
                .any(|p| p.authorised_by.is_some())
    }

    /// Whether the plan's end date has passed on `today`: it restricts through the whole of
    /// its end date, and has ended the day after (CLE-9.14: then the person is told).
    pub fn has_ended(&self, today: Date) -> bool {
        self.ends_on.is_some_and(|end| today > end)
    }

    /// Whether the review is past due on `today`.
    pub fn review_overdue(&self, today: Date) -> bool {
        matches!(self.status, PlanStatus::Active | PlanStatus::Authorised)
            && self.review_due < today
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdjustmentKind {
    /// The person needs to be able to use this channel (it cannot be taken away without override).
    NeedsChannel(Channel),
    /// The person needs more time on calls (call limits must allow for it).
    ExtraTime,
    /// Written material in a format (large print, easy read...).
    Format(Format),
    /// Someone may speak for them.
    SupportPerson,
    Other,
}

impl AdjustmentKind {
    /// Every kind there is, in order: each channel needed, extra time, each format, a support
    /// person, other. A finite list, so the API can name each one (`AdjustmentKindWord`).
    pub fn all() -> Vec<Self> {
        let channels = Channel::ALL.iter().copied().map(Self::NeedsChannel);
        let formats = Format::ALL.iter().copied().map(Self::Format);
        channels
            .chain([Self::ExtraTime])
            .chain(formats)
            .chain([Self::SupportPerson, Self::Other])
            .collect()
    }

    pub fn as_str(&self) -> String {
        match self {
            Self::NeedsChannel(c) => format!("needs-channel:{}", c.as_str()),
            Self::ExtraTime => "extra-time".into(),
            Self::Format(f) => format!("format:{}", f.as_str()),
            Self::SupportPerson => "support-person".into(),
            Self::Other => "other".into(),
        }
    }
    /// # Errors
    /// An invalid-input error naming the field `kind`.
    pub fn parse(s: &str) -> Result<Self, crate::RuleError> {
        if let Some(c) = s.strip_prefix("needs-channel:") {
            return Ok(Self::NeedsChannel(
                Channel::parse(c).map_err(|e| e.with_field("kind"))?,
            ));
        }
        if let Some(f) = s.strip_prefix("format:") {
            return Ok(Self::Format(
                Format::parse(f).map_err(|e| e.with_field("kind"))?,
            ));
        }
        match s {
            "extra-time" => Ok(Self::ExtraTime),
            "support-person" => Ok(Self::SupportPerson),
            "other" => Ok(Self::Other),
            _ => Err(crate::RuleError::invalid(
                "kind",
                format!("expected needs-channel:<channel>, extra-time, format:<format>, support-person or other, got {}", crate::error::shown(s)),
            )),
        }
    }
}

crate::words! {
    pub enum AdjustmentStatus {
        Requested = "requested",
        Granted = "granted",
        Refused = "refused",
    }
}

/// A reasonable adjustment (CLE-8; NOR-1.4, 1.5; Equality Act 2010).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjustment {
    pub id: AdjustmentId,
    pub person_id: PersonId,
    pub kind: AdjustmentKind,
    pub description: String,
    pub status: AdjustmentStatus,
    pub requested_at: Timestamp,
    pub recorded_by: StaffId,
    pub decided_by: Option<StaffId>,
    pub decided_at: Option<Timestamp>,
    pub decision_reason: Option<String>,
}

crate::words! {
    pub enum DisputeOutcome for "outcome" {
        Upheld = "upheld",
        Varied = "varied",
        Lifted = "lifted",
    }
}

impl DisputeOutcome {
    /// What was decided, as the person's record says it to staff, in the profile's word for
    /// the plan (`plan`). "Upheld" alone, after the person's grounds, reads as if their
    /// dispute had succeeded; it means the decision they disputed stands.
    pub fn plain(self, plan: &str) -> String {
        match self {
            Self::Upheld => "the decision stands".into(),
            Self::Varied => format!("the {plan} is changed"),
            Self::Lifted => format!("the {plan} is lifted"),
        }
    }
}

/// The person's challenge to a decision to restrict contact (NOR-7.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dispute {
    pub id: DisputeId,
    pub plan_id: PlanId,
    pub person_id: PersonId,
    pub grounds: String,
    pub received_at: Timestamp,
    pub recorded_by: StaffId,
    pub outcome: Option<DisputeOutcome>,
    pub decided_by: Option<StaffId>,
    pub decided_at: Option<Timestamp>,
    pub decision_reason: Option<String>,
}

crate::words! {
    pub enum FurtherActionKind for "kind" {
        PoliceReferral = "police-referral",
        LegalAdvice = "legal-advice",
        LegalAction = "legal-action",
    }
}

/// Further action (CLE-10.1–10.3; NOR-5.8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FurtherAction {
    pub id: FurtherActionId,
    pub person_id: PersonId,
    pub kind: FurtherActionKind,
    pub reasons: String,
    pub prior_notice_given: bool,
    pub no_notice_reason: Option<String>,
    pub decided_by: StaffId,
    pub decided_at: Timestamp,
}

crate::words! {
    pub enum TaskKind for "kind" {
        EndedCallFollowUp = "ended-call-follow-up",
        WelfareFollowUp = "welfare-follow-up",
        ReportToManager = "report-to-manager",
        RemedyShortfall = "remedy-shortfall",
        SendNotice = "send-notice",
        BreachReminder = "breach-reminder",
        Screening = "screening",
        ReviewDue = "review-due",
        AdjustmentDecision = "adjustment-decision",
        AdjustmentLetter = "adjustment-letter",
        /// CLE-9.2, 9.3; NOR-5.2: a warning given by letter or email, to write and send.
        WarningLetter = "warning-letter",
        DecideDispute = "decide-dispute",
        AuthorisePlan = "authorise-plan",
        /// CLE-9.15: a request to share details, for the DPO.
        DisclosureDecision = "disclosure-decision",
        /// CLE-9.15: approved sharing to carry out and record.
        ShareDisclosure = "share-disclosure",
        /// CLE-4.6: threatening correspondence calls for a contact strategy. Its word is the
        /// first release's, kept for the tasks already open and the API's clients.
        PlanNeeded = "strategy-needed",
        /// CLE-9.9: an email diverted to the single point of contact.
        ReadDiverted = "read-diverted",
        /// A data-rights request for the DPO, due on its deadline.
        DataRights = "data-rights",
        /// NOR-9.1: records are due for disposal; the DPO checks the list and disposes.
        Disposal = "disposal",
        /// CLE-10.4: screening found a new complaint; it is opened as a matter of its own.
        OpenMatter = "open-matter",
        /// CLE-10.3: screening found a possible crime; it is reported to the police.
        PoliceReferral = "police-referral",
        /// CLE-9.10: screening found a safeguarding concern; it is referred.
        SafeguardingReferral = "safeguarding-referral",
        /// CLE-9.9: the single point of contact a plan names no longer works here; the plan
        /// is changed to name someone else.
        ReplaceContact = "replace-contact",
    }
}

impl TaskKind {
    /// Whether the task is about a member of staff rather than the person's case: a line
    /// manager's follow-up of a call a colleague ended (CLE-4.5; NOR-6.1), of behaviour
    /// towards them (NOR-6.1), or of their welfare (CLE-6.5).
    pub fn about_staff(self) -> bool {
        matches!(
            self,
            Self::EndedCallFollowUp | Self::WelfareFollowUp | Self::ReportToManager
        )
    }

    /// The step that does this task, for tasks that must not be closed by hand: closing a
    /// breach reminder without sending it would skip CLE-9.11, closing a request to
    /// authorise or share without deciding would skip the decision.
    pub fn done_by_its_step(self) -> Option<&'static str> {
        match self {
            Self::BreachReminder => Some("sending the reminder"),
            Self::Screening => Some("screening the contact"),
            Self::AdjustmentDecision => Some("deciding the adjustment"),
            Self::DecideDispute => Some("deciding the dispute"),
            Self::AuthorisePlan => Some("authorising or refusing the plan"),
            Self::DisclosureDecision => Some("the Data Protection Officer's decision"),
            Self::ShareDisclosure => Some("recording what was shared"),
            Self::DataRights => Some("the Data Protection Officer's answer"),
            _ => None,
        }
    }
}

crate::words! {
    /// What screening a contact found (CLE-9.10: "all contact must be reviewed to identify any
    /// genuine complaints, issues, criminal matters and/or safeguarding issues"; NOR-5.5).
    pub enum Finding {
        NothingNew = "nothing-new",
        NewComplaint = "new-complaint",
        NewInformation = "new-information",
        PossibleCrime = "possible-crime",
        Safeguarding = "safeguarding",
    }
}

impl Finding {
    /// What staff read: the choice on the form and the outcome on the record.
    pub fn label(self) -> &'static str {
        match self {
            Self::NothingNew => "Nothing new",
            Self::NewComplaint => "A new complaint",
            Self::NewInformation => "New information about an existing matter",
            Self::PossibleCrime => "A possible crime",
            Self::Safeguarding => "A safeguarding concern",
        }
    }
    /// # Errors
    /// An invalid-input error naming the field `finding`.
    pub fn parse(s: &str) -> Result<Self, crate::RuleError> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                crate::RuleError::invalid(
                    "finding",
                    format!(
                        "Choose what the contact raised (one of {})",
                        Self::ALL.map(Self::as_str).join(", ")
                    ),
                )
            })
    }
}

/// Work for someone: assigned to a member of staff, or to everyone in a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    pub kind: TaskKind,
    pub person_id: Option<PersonId>,
    pub assignee: Option<StaffId>,
    pub role: Option<Role>,
    pub title: String,
    pub due_on: Option<Date>,
    pub clause: String,
    pub subject: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: TaskId,
    pub task: NewTask,
    pub created_at: Timestamp,
    pub done_at: Option<Timestamp>,
    pub done_by: Option<StaffId>,
    pub outcome: Option<String>,
}

impl Task {
    /// The contact this task is about, where its subject names one (`contact:12`): the
    /// breach a reminder answers, or the contact a screening task asks to be screened.
    pub fn contact(&self) -> Option<ContactId> {
        self.task
            .subject
            .as_deref()?
            .strip_prefix("contact:")?
            .parse()
            .ok()
            .map(ContactId)
    }
}

/// One opening of a person's restrictions, incidents or adjustments (issue 5): who, when
/// and what they opened. The DPO and auditors read these, and they go in a subject access
/// bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub person_id: PersonId,
    pub staff_id: StaffId,
    pub at: Timestamp,
    pub what: String,
}

/// The longest name a person's record keeps, in characters.
pub const NAME_MAX: usize = 200;

/// A name as it is kept and looked for: trimmed, each run of spaces (tabs, line breaks, the
/// double space a spreadsheet cell often holds) one space. "Beryl  Jones" from a file and
/// "Beryl Jones" typed into the search box are one name.
pub fn one_spaced(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A new service user, parsed.
#[derive(Debug, Clone, Default)]
pub struct PersonInput {
    pub name: String,
    pub phones: Vec<PhoneNumber>,
    pub emails: Vec<EmailAddress>,
    pub postal_address: Option<String>,
    pub advocate: Option<Advocate>,
    pub preferred_format: Option<Format>,
    pub preferred_language: Option<String>,
    /// Identifiers (keys) the request marks as shared with someone else (issue 10).
    pub shared: Vec<String>,
    /// Keep a number new to the record that libphonenumber cannot confirm (a number newer
    /// than its data, Ofcom's drama range), marked unverified; without this it is refused.
    /// A number the record already holds stays as it is either way.
    pub keep_unverified: bool,
}

impl PersonInput {
    /// Puts these details on `p`: the name (required; kept [`one_spaced`]), numbers, addresses,
    /// shared marks and language; the preferred format only where given. An advocate not
    /// given is removed, unless `keep_advocate` (a form that does not ask about one).
    ///
    /// # Errors
    /// As [`PersonInput::check`].
    pub fn apply_to(self, p: &mut ServiceUser, keep_advocate: bool) -> Result<(), RuleError> {
        p.shared_identifiers = self.check()?;
        self.confirmed(p)?;
        p.name = one_spaced(&self.name);
        p.phones = self.phones;
        p.emails = self.emails;
        p.postal_address = self.postal_address.filter(|a| !a.trim().is_empty());
        if self.advocate.is_some() || !keep_advocate {
            p.advocate = self.advocate;
        }
        if let Some(f) = self.preferred_format {
            p.preferred_format = f;
        }
        p.preferred_language = self.preferred_language.filter(|l| !l.trim().is_empty());
        Ok(())
    }

    /// Puts right details that were wrong (the right to rectification): the record as
    /// `before` with these details put on it as [`PersonInput::apply_to`] does, the whole
    /// record as it should be (an advocate not given was wrongly recorded, as `PUT` takes
    /// it), and which details changed, in plain words, for the record — never the wrong
    /// values.
    ///
    /// # Errors
    /// No account of what was wrong (`what_was_wrong`); as [`PersonInput::check`]; nothing
    /// changed (`name`, the form's first field).
    pub fn rectify(
        self,
        before: &ServiceUser,
        what_was_wrong: &str,
    ) -> Result<(ServiceUser, Vec<&'static str>), RuleError> {
        crate::error::require_text("what_was_wrong", what_was_wrong)?;
        let mut p = before.clone();
        self.apply_to(&mut p, false)?;
        let changed: Vec<&'static str> = [
            ("name", before.name != p.name),
            ("phones", before.phones != p.phones),
            ("emails", before.emails != p.emails),
            ("postal address", before.postal_address != p.postal_address),
            ("advocate", before.advocate != p.advocate),
            (
                "preferred format",
                before.preferred_format != p.preferred_format,
            ),
            (
                "preferred language",
                before.preferred_language != p.preferred_language,
            ),
        ]
        .into_iter()
        .filter_map(|(k, c)| c.then_some(k))
        .collect();
        if changed.is_empty() {
            return Err(RuleError::invalid("name", "nothing was changed"));
        }
        Ok((p, changed))
    }

    /// A new person with these details, first recorded `at` (the store gives the id and
    /// the reference): adding a person at any door, and importing one, is this.
    ///
    /// # Errors
    /// As [`PersonInput::check`].
    pub fn new_person(self, at: Timestamp) -> Result<ServiceUser, RuleError> {
        let mut p = ServiceUser {
            id: PersonId(0),
            reference: String::new(),
            name: String::new(),
            phones: Vec::new(),
            emails: Vec::new(),
            postal_address: None,
            advocate: None,
            preferred_format: Format::Standard,
            preferred_language: None,
            shared_identifiers: Vec::new(),
            additional_help: None,
            created_at: at,
        };
        self.apply_to(&mut p, false)?;
        Ok(p)
    }

    /// What a person's details must be, wherever they are written (the API, the UI, the
    /// CLI, an import): a name of at most [`NAME_MAX`] characters (and their advocate, where
    /// they have one, named too), each number and address once, and shared marks only on
    /// their own numbers and addresses. Gives the shared marks' keys.
    ///
    /// # Errors
    /// No name or too long a one, theirs or their advocate's; a number or address given
    /// twice (naming `phones[i]` or `emails[i]`); a shared mark that is not one of the
    /// person's identifiers.
    pub fn check(&self) -> Result<Vec<String>, RuleError> {
        crate::error::require_text("name", &self.name)?;
        if let Some(a) = &self.advocate {
            crate::error::require_text("advocate.name", &a.name)?;
        }
        once("phones", self.phones.iter().map(PhoneNumber::as_str))?;
        once("emails", self.emails.iter().map(EmailAddress::as_str))?;
        self.shared_marks()
    }

    /// Each number new to `before` (theirs, or their advocate's) is one libphonenumber
    /// confirms, unless [`PersonInput::keep_unverified`]: a number the record already holds
    /// was kept when it was first given, so sending a person's details back unchanged, or
    /// changing their address, is never refused for it.
    ///
    /// # Errors
    /// The number's refusal ([`PhoneNumber::unconfirmed`]), naming `phones[i]` or
    /// `advocate.phone`.
    fn confirmed(&self, before: &ServiceUser) -> Result<(), RuleError> {
        if self.keep_unverified {
            return Ok(());
        }
        let held: Vec<&str> = before
            .phones
            .iter()
            .chain(before.advocate.as_ref().and_then(|a| a.phone.as_ref()))
            .map(PhoneNumber::as_str)
            .collect();
        let new = |n: &PhoneNumber| !n.is_verified() && !held.contains(&n.as_str());
        if let Some((i, n)) = self.phones.iter().enumerate().find(|(_, n)| new(n)) {
            return Err(n.unconfirmed().with_field(&format!("phones[{i}]")));
        }
        match self.advocate.as_ref().and_then(|a| a.phone.as_ref()) {
            Some(n) if new(n) => Err(n.unconfirmed().with_field("advocate.phone")),
            _ => Ok(()),
        }
    }

    /// The keys of the person's own and their advocate's numbers and addresses: what a
    /// shared mark may be on.
    fn held(&self) -> Vec<String> {
        let mut held: Vec<String> = self
            .phones
            .iter()
            .map(|p| p.as_str().to_string())
            .chain(self.emails.iter().map(|e| e.as_str().to_string()))
            .collect();
        if let Some(a) = &self.advocate {
            held.extend(a.phone.iter().map(|p| p.as_str().to_string()));
            held.extend(a.email.iter().map(|e| e.as_str().to_string()));
        }
        held
    }

    /// The shared marks, each one of the person's own or their advocate's identifiers.
    ///
    /// # Errors
    /// A mark that is not a valid identifier, or not one of the person's own.
    pub fn shared_marks(&self) -> Result<Vec<String>, RuleError> {
        let held = self.held();
        let mut out = Vec::new();
        for s in &self.shared {
            let key = Identifier::parse(s)
                .map_err(|e| e.with_field("shared"))?
                .key()
                .to_string();
            if !held.contains(&key) {
                return Err(RuleError::invalid(
                    "shared",
                    format!("{s} is marked as shared but is not one of this person's numbers or addresses"),
                ));
            }
            if !out.contains(&key) {
                out.push(key);
            }
        }
        Ok(out)
    }
}

/// Changes to a person's details: a detail left out (`None`) stays as it is, one given
/// replaces it (`Some(None)` takes an address, advocate or language away; a list given is
/// the whole list). Changing a person at any door is this, made into their details by
/// [`PersonChanges::over`] and checked as a new person's are.
#[derive(Debug, Clone, Default)]
pub struct PersonChanges {
    pub name: Option<String>,
    pub phones: Option<Vec<PhoneNumber>>,
    pub emails: Option<Vec<EmailAddress>>,
    pub postal_address: Option<Option<String>>,
    pub advocate: Option<Option<Advocate>>,
    pub preferred_format: Option<Format>,
    pub preferred_language: Option<Option<String>>,
    /// Every shared mark. Left out, the marks kept are those on numbers and addresses the
    /// person still has after the change.
    pub shared: Option<Vec<String>>,
    /// As [`PersonInput::keep_unverified`], for the numbers sent.
    pub keep_unverified: bool,
}

impl PersonChanges {
    /// `p`'s details with these changes made.
    pub fn over(self, p: &ServiceUser) -> PersonInput {
        let mut input = PersonInput {
            name: self.name.unwrap_or_else(|| p.name.clone()),
            phones: self.phones.unwrap_or_else(|| p.phones.clone()),
            emails: self.emails.unwrap_or_else(|| p.emails.clone()),
            postal_address: self
                .postal_address
                .unwrap_or_else(|| p.postal_address.clone()),
            advocate: self.advocate.unwrap_or_else(|| p.advocate.clone()),
            preferred_format: Some(self.preferred_format.unwrap_or(p.preferred_format)),
            preferred_language: self
                .preferred_language
                .unwrap_or_else(|| p.preferred_language.clone()),
            shared: Vec::new(),
            keep_unverified: self.keep_unverified,
        };
        input.shared = self.shared.unwrap_or_else(|| {
            let held = input.held();
            p.shared_identifiers
                .iter()
                .filter(|k| held.contains(k))
                .cloned()
                .collect()
        });
        input
    }
}

impl From<PersonInput> for PersonChanges {
    /// Every detail as given: a person's details replaced whole (the API's `PUT`), where an
    /// address, advocate or language not given is taken away and a format not given kept.
    fn from(i: PersonInput) -> Self {
        Self {
            name: Some(i.name),
            phones: Some(i.phones),
            emails: Some(i.emails),
            postal_address: Some(i.postal_address),
            advocate: Some(i.advocate),
            preferred_format: i.preferred_format,
            preferred_language: Some(i.preferred_language),
            shared: Some(i.shared),
            keep_unverified: i.keep_unverified,
        }
    }
}

/// Each of a person's numbers (or addresses), as read, given once: the second of two that
/// read the same (`07911 123456` and `+44 7911 123456`) is refused, naming it.
fn once<'a>(field: &str, keys: impl Iterator<Item = &'a str>) -> Result<(), RuleError> {
    crate::error::given_once(field, keys, |k| (*k).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CLE-9.9, NOR-5.5: a call window's limits are counts of one or more, at every door:
    /// the API's number and the form's text are read by the same rule.
    #[test]
    fn cle_9_9_nor_5_5_a_call_window_limit_is_one_or_more_or_none() {
        assert_eq!(call_limit("m", None), Ok(None));
        assert_eq!(call_limit("m", Some(3)), Ok(Some(3)));
        let e = call_limit("m", Some(0)).unwrap_err();
        assert_eq!(
            (e.field.as_deref(), e.message.as_str()),
            (Some("m"), "expected a whole number of 1 or more, got 0")
        );
        assert_eq!(call_limit_typed("m", " "), Ok(None));
        assert_eq!(call_limit_typed("m", " 20 "), Ok(Some(20)));
        assert_eq!(call_limit_typed("m", "0"), call_limit("m", Some(0)));
        for bad in ["-1", "2.5", "ten", "99999999999"] {
            let e = call_limit_typed("m", bad).unwrap_err();
            assert_eq!(
                e.message,
                format!("expected a whole number of 1 or more, got \"{bad}\""),
                "{bad}"
            );
        }
    }

    /// CLE-8.3 (reasonable adjustments): every kind of adjustment there is reads back from its
    /// word, and nothing outside the list does, so the API can name the list as an `enum`.
    #[test]
    fn cle_8_3_every_adjustment_kind_is_listed_and_reads_back_from_its_word() {
        let all = AdjustmentKind::all();
        assert_eq!(all.len(), Channel::ALL.len() + Format::ALL.len() + 3);
        for k in &all {
            assert_eq!(&AdjustmentKind::parse(&k.as_str()).unwrap(), k);
        }
        let words: Vec<String> = all.iter().map(AdjustmentKind::as_str).collect();
        assert!(words.contains(&"needs-channel:email".to_string()));
        assert!(words.contains(&"format:braille".to_string()));
        for bad in ["", "needs-channel:", "format:tiny", "extra time", "other:x"] {
            assert!(AdjustmentKind::parse(bad).is_err(), "{bad}");
            assert!(!words.contains(&bad.to_string()), "{bad}");
        }
    }

    /// Issue 10: a person's numbers and addresses are each kept once; the same number
    /// written two ways is refused, naming the second.
    #[test]
    fn issue_10_a_number_or_address_given_twice_too_long_a_name_or_a_nameless_advocate_is_refused()
    {
        let phone = |s: &str| PhoneNumber::parse(s).unwrap();
        let input = PersonInput {
            name: "Jo Bloggs".into(),
            phones: vec![
                phone("07911 123456"),
                phone("01642 301653"),
                phone("+44 7911 123456"),
            ],
            ..PersonInput::default()
        };
        let mut p = PersonInput {
            name: "Jo Bloggs".into(),
            ..PersonInput::default()
        }
        .new_person(Timestamp::UNIX_EPOCH)
        .unwrap();
        let e = input.apply_to(&mut p, false).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("phones[2]"));
        assert_eq!(e.message, "+447911123456 is given twice");
        let email = |s: &str| EmailAddress::parse(s).unwrap();
        let input = PersonInput {
            name: "Jo Bloggs".into(),
            emails: vec![email("jo@example.org"), email("Jo@Example.org")],
            ..PersonInput::default()
        };
        assert_eq!(
            input.apply_to(&mut p, false).unwrap_err().field.as_deref(),
            Some("emails[1]")
        );
        assert!(p.phones.is_empty(), "nothing was put on the record");
        // A name is kept one-spaced, as it is looked for.
        let mut q = p.clone();
        PersonInput {
            name: " Beryl \t Jones\n".into(),
            ..PersonInput::default()
        }
        .apply_to(&mut q, false)
        .unwrap();
        assert_eq!(q.name, "Beryl Jones");
        // A name too long is refused however it is counted in bytes: characters count.
        let long = |n: usize| PersonInput {
            name: "é".repeat(n),
            ..PersonInput::default()
        };
        assert!(long(NAME_MAX).new_person(Timestamp::UNIX_EPOCH).is_ok());
        let e = long(NAME_MAX + 1).apply_to(&mut p, false).unwrap_err();
        assert_eq!(
            (e.field.as_deref(), e.message.as_str()),
            (
                Some("name"),
                "200 characters at most, and this has 201: shorten it"
            )
        );
        // An advocate is someone: one without a name, or with only spaces, is refused,
        // and nothing is put on the record.
        for blank in ["", "  "] {
            let mut q = p.clone();
            let e = PersonInput {
                name: "Jo Bloggs".into(),
                advocate: Some(Advocate {
                    name: blank.into(),
                    organisation: Some("Citizens Advice".into()),
                    phone: None,
                    email: None,
                }),
                ..PersonInput::default()
            }
            .apply_to(&mut q, false)
            .unwrap_err();
            assert_eq!(
                (e.field.as_deref(), e.message.as_str()),
                (
                    Some("advocate.name"),
                    "Enter the name of the person who speaks for them"
                )
            );
            assert_eq!(q, p);
        }
    }

    /// Rectification: what was wrong must be said, the details that changed are named (never
    /// their old values), the details given are the whole record (an advocate left out was
    /// wrongly recorded), and a correction that changes nothing is refused with the record
    /// left as it was.
    #[test]
    fn rectification_names_what_changed_and_refuses_a_correction_that_changes_nothing() {
        let phone = |s: &str| PhoneNumber::parse(s).unwrap();
        let friend = Advocate {
            name: "A. Friend".into(),
            organisation: None,
            phone: None,
            email: None,
        };
        let details = |name: &str| PersonInput {
            name: name.into(),
            phones: vec![phone("07911 123456")],
            advocate: Some(friend.clone()),
            ..PersonInput::default()
        };
        let p = details("Jo Blogs")
            .new_person(Timestamp::UNIX_EPOCH)
            .unwrap();
        let kept = p.clone();
        let e = details("Jo Bloggs").rectify(&p, "  ").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("what_was_wrong"));
        assert_eq!(p, kept);
        let e = details("Jo Blogs")
            .rectify(&p, "the name was misspelt")
            .unwrap_err();
        assert_eq!(
            (e.field.as_deref(), e.message.as_str()),
            (Some("name"), "nothing was changed")
        );
        let (q, changed) = details("Jo Bloggs")
            .rectify(&p, "the name was misspelt")
            .unwrap();
        assert_eq!(changed, vec!["name"]);
        assert_eq!(q.name, "Jo Bloggs");
        assert_eq!(q.advocate, kept.advocate, "the advocate given is kept");
        // An advocate recorded in error is taken away by leaving them out.
        let (q, changed) = PersonInput {
            advocate: None,
            ..details("Jo Blogs")
        }
        .rectify(&p, "they have no advocate: that was their neighbour")
        .unwrap();
        assert_eq!((changed, q.advocate), (vec!["advocate"], None));
    }

    /// Issue 11: changing some of a person's details keeps the rest, above all the numbers
    /// the contact check knows them by; `Some(None)` takes a detail away; a shared mark stays
    /// on a number they still have and goes with one taken away.
    #[test]
    fn issue_11_changes_to_a_person_keep_what_they_leave_out() {
        let phone = |s: &str| PhoneNumber::parse(s).unwrap();
        let p = PersonInput {
            name: "Jo Bloggs".into(),
            phones: vec![phone("07911 123456"), phone("01642 301653")],
            postal_address: Some("1 High Street".into()),
            preferred_format: Some(Format::LargePrint),
            preferred_language: Some("Welsh".into()),
            shared: vec!["01642 301653".into()],
            ..PersonInput::default()
        }
        .new_person(Timestamp::UNIX_EPOCH)
        .unwrap();
        let renamed = PersonChanges {
            name: Some("Jo Smith".into()),
            postal_address: Some(None),
            ..PersonChanges::default()
        }
        .over(&p);
        let mut q = p.clone();
        renamed.apply_to(&mut q, false).unwrap();
        assert_eq!(q.name, "Jo Smith");
        assert_eq!(q.phones, p.phones, "numbers left out are kept");
        assert_eq!(q.postal_address, None, "null takes the address away");
        assert_eq!(q.preferred_format, Format::LargePrint);
        assert_eq!(q.preferred_language.as_deref(), Some("Welsh"));
        assert_eq!(q.shared_identifiers, p.shared_identifiers);
        // The shared number taken away takes its mark with it; nothing else is asked for.
        let fewer = PersonChanges {
            phones: Some(vec![phone("07911 123456")]),
            ..PersonChanges::default()
        }
        .over(&p);
        let mut q = p.clone();
        fewer.apply_to(&mut q, false).unwrap();
        assert_eq!(q.phones.len(), 1);
        assert!(
            q.shared_identifiers.is_empty(),
            "{:?}",
            q.shared_identifiers
        );
        // A change is checked as a new person's details are.
        let blank = PersonChanges {
            name: Some("  ".into()),
            ..PersonChanges::default()
        }
        .over(&p);
        assert_eq!(
            blank
                .apply_to(&mut p.clone(), false)
                .unwrap_err()
                .field
                .as_deref(),
            Some("name")
        );
        // Replaced whole, a detail not given is taken away, except the format.
        let whole = PersonChanges::from(PersonInput {
            name: "Jo Bloggs".into(),
            ..PersonInput::default()
        })
        .over(&p);
        let mut q = p.clone();
        whole.apply_to(&mut q, false).unwrap();
        assert!(q.phones.is_empty() && q.postal_address.is_none());
        assert_eq!(q.preferred_format, Format::LargePrint);
    }

    /// A number libphonenumber cannot confirm is kept only when asked, and once kept it
    /// is not asked about again: the same details sent back, or another detail changed,
    /// keep it. A number new to the record, theirs or their advocate's, is asked about.
    #[test]
    fn issue_11_an_unconfirmed_number_is_asked_about_once_when_it_is_new_to_the_record() {
        let drama = |s: &str| PhoneNumber::lookup(s).unwrap();
        assert!(!drama("07700 900123").is_verified(), "Ofcom's drama range");
        let details = |phones: Vec<PhoneNumber>, keep: bool| PersonInput {
            name: "Jo Bloggs".into(),
            phones,
            keep_unverified: keep,
            ..PersonInput::default()
        };
        let e = details(vec![drama("07700 900123")], false)
            .new_person(Timestamp::UNIX_EPOCH)
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("phones[0]"));
        assert!(e.message.contains("07700 900123") && e.message.contains("keep it as unverified"));
        assert_eq!(e.overridden_by.as_deref(), Some("keep_unverified"));
        let p = details(vec![drama("07700 900123")], true)
            .new_person(Timestamp::UNIX_EPOCH)
            .unwrap();
        // Sent back whole, or with only the address changed: kept, without asking.
        let mut q = p.clone();
        details(vec![drama("07700 900123")], false)
            .apply_to(&mut q, false)
            .unwrap();
        assert_eq!(q.phones, p.phones);
        let moved = PersonChanges {
            postal_address: Some(Some("2 Low Street".into())),
            ..PersonChanges::default()
        };
        moved.over(&p).apply_to(&mut p.clone(), false).unwrap();
        // A second such number, or an advocate's, is new: asked about.
        let e = details(vec![drama("07700 900123"), drama("07700 900124")], false)
            .apply_to(&mut p.clone(), false)
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("phones[1]"));
        let with_advocate = PersonChanges {
            advocate: Some(Some(Advocate {
                name: "Al Vocate".into(),
                organisation: None,
                phone: Some(drama("07700 900125")),
                email: None,
            })),
            ..PersonChanges::default()
        };
        let e = with_advocate
            .clone()
            .over(&p)
            .apply_to(&mut p.clone(), false)
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("advocate.phone"));
        let kept = PersonChanges {
            keep_unverified: true,
            ..with_advocate
        };
        kept.over(&p).apply_to(&mut p.clone(), false).unwrap();
        // A number libphonenumber confirms needs no asking.
        details(vec![PhoneNumber::parse("07911 123456").unwrap()], false)
            .new_person(Timestamp::UNIX_EPOCH)
            .unwrap();
    }

    /// CLE-9.9; NOR-5.5: call windows are read one way at every door (the plan form, the
    /// import), as staff write them.
    #[test]
    fn cle_9_9_call_windows_are_read_as_staff_write_them() {
        for written in [
            "Tuesday 10:00-12:00",
            "tue 10:00 to 12:00",
            "TUESDAY 10:00–12:00",
            " Tuesday 10:00 - 12:00 ",
        ] {
            assert_eq!(
                CallWindow::read(written),
                Ok(CallWindow::hours(Weekday::Tuesday, 10, 12)),
                "{written}"
            );
        }
        let w = CallWindow::read("thu 9:30 to 11:00").unwrap();
        assert_eq!(w.start, jiff::civil::time(9, 30, 0, 0));
        for bad in [
            "sometimes",
            "tu 10:00-12:00",
            "Tuesday 10-12",
            "Tuesday 25:00-26:00",
        ] {
            let why = CallWindow::read(bad).unwrap_err();
            assert!(why.starts_with("write a day and times"), "{bad}: {why}");
        }
        let why = CallWindow::read("Tuesday 12:00-10:00").unwrap_err();
        assert!(why.contains("the start is not before the end"), "{why}");
        assert_eq!(weekday_name(Weekday::Sunday), "Sunday");
        assert_eq!(weekday_named("sunday", false), Some(Weekday::Sunday));
        assert_eq!(weekday_named("sun", false), None);
        assert_eq!(weekday_named("sun", true), Some(Weekday::Sunday));
    }
}
