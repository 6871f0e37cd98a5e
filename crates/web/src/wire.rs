//! Wire types: what the API accepts and returns. Apart from the domain types on purpose:
//! the core derives no `Serialize`, and the JSON shape can change without touching it.

use crate::error::ApiError;
use crate::out::{RestrictionIn, RuleOut};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use tact_core::check::Verdict;
use tact_core::identity::{EmailAddress, PhoneNumber};
use tact_core::model::*;
use tact_core::profile::{Channel, Profile};
use utoipa::ToSchema;

/// Declares a request body: strict (an unknown field is a 400 naming it), documented in the
/// OpenAPI document from the same definition, every field public to the handlers.
macro_rules! request {
    ($(#[$meta:meta])* $name:ident {
        $($(#[$fmeta:meta])* $field:ident: $ty:ty),* $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Serialize, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
        }
    };
}

/// A field that may be sent as `null` to mean "none" where leaving it out means "as it is":
/// given (`Some`), with its value or `None`.
fn given<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A field that may be left out but not sent as `null`: where there is nothing to take away
/// (a name, a list), `null` is refused naming the field rather than read as "left out".
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

pub fn ts(t: Timestamp) -> String {
    t.to_string()
}

/// An instant in RFC 3339 (`2026-11-20T10:00:00Z`), or `now` when absent.
pub fn parse_ts(field: &str, v: Option<&str>, now: Timestamp) -> Result<Timestamp, ApiError> {
    match v {
        None => Ok(now),
        Some(s) => s.parse().map_err(|_| {
            ApiError::bad(
                field,
                format!(
                    "expected a time such as 2026-11-20T10:00:00Z, got {}",
                    tact_core::error::shown(s)
                ),
            )
        }),
    }
}

pub fn parse_date(field: &str, s: &str) -> Result<Date, ApiError> {
    s.parse().map_err(|_| {
        ApiError::bad(
            field,
            format!(
                "expected a date such as 2027-02-20, got {}",
                tact_core::error::shown(s)
            ),
        )
    })
}

pub fn parse_opt_date(field: &str, s: Option<&str>) -> Result<Option<Date>, ApiError> {
    s.map(|d| parse_date(field, d)).transpose()
}

request! {
    AdvocateReq {
        /// The advocate's name.
        name: String,
        /// The organisation they act for, if any.
        organisation: Option<String>,
        /// The advocate's phone number (UK or international), read by libphonenumber.
        phone: Option<String>,
        /// The advocate's email address.
        email: Option<String>,
    }
}

request! {
    PersonReq {
        /// Their name.
        name: String,
        /// Their phone numbers (UK or international), each read by libphonenumber; a refusal
        /// names `phones[i]`.
        #[serde(default)]
        phones: Vec<String>,
        /// Their email addresses; a refusal names `emails[i]`.
        #[serde(default)]
        emails: Vec<String>,
        /// Their postal address, as it is written on an envelope.
        postal_address: Option<String>,
        /// Someone who acts for them (an advocate, a representative), whose contact counts as
        /// theirs.
        advocate: Option<AdvocateReq>,
        /// The format they need letters in.
        #[schema(value_type = Option<crate::out::FormatWord>)]
        preferred_format: Option<String>,
        /// The language they would like to be written to in.
        preferred_language: Option<String>,
        /// Keep phone numbers libphonenumber does not confirm (a number newer than its data,
        /// or Ofcom's drama range), marked unverified; without this they are refused. A
        /// number the record already holds is kept as it is without it.
        #[serde(default)]
        keep_unverified: bool,
        /// Numbers or addresses (as given above) shared with someone else — a household line,
        /// an advocate acting for several people. One another person already holds is refused
        /// with 409 unless listed here.
        #[serde(default)]
        shared: Vec<String>,
    }
}

request! {
    /// A person's details as they are to stand (`PUT`): every detail is sent, `[]` or `null`
    /// for none, so a body that leaves one out is refused, never read as "remove it" — a
    /// number taken off a record is one the contact check no longer knows them by.
    PersonReplaceReq {
        /// Their name.
        name: String,
        /// Every phone number they are to have (UK or international), each read by
        /// libphonenumber; a refusal names `phones[i]`.
        phones: Vec<String>,
        /// Every email address they are to have; a refusal names `emails[i]`.
        emails: Vec<String>,
        /// Their postal address, as it is written on an envelope, or `null`.
        #[serde(deserialize_with = "Option::deserialize")]
        #[schema(required = true)]
        postal_address: Option<String>,
        /// Someone who acts for them, or `null`.
        #[serde(deserialize_with = "Option::deserialize")]
        #[schema(required = true)]
        advocate: Option<AdvocateReq>,
        /// The format they need letters in, or `null` for standard print.
        #[serde(deserialize_with = "Option::deserialize")]
        #[schema(required = true, value_type = Option<crate::out::FormatWord>)]
        preferred_format: Option<String>,
        /// The language they would like to be written to in, or `null`.
        #[serde(deserialize_with = "Option::deserialize")]
        #[schema(required = true)]
        preferred_language: Option<String>,
        /// As for a new person.
        #[serde(default)]
        keep_unverified: bool,
        /// As for a new person.
        #[serde(default)]
        shared: Vec<String>,
    }
}

impl From<PersonReplaceReq> for PersonReq {
    fn from(r: PersonReplaceReq) -> Self {
        Self {
            name: r.name,
            phones: r.phones,
            emails: r.emails,
            postal_address: r.postal_address,
            advocate: r.advocate,
            preferred_format: r.preferred_format,
            preferred_language: r.preferred_language,
            keep_unverified: r.keep_unverified,
            shared: r.shared,
        }
    }
}

/// Phone numbers as sent, each read by libphonenumber, a refusal naming `phones[i]`.
/// Whether one it cannot confirm may be kept is core's to say, knowing the numbers the
/// record already holds (`PersonInput::keep_unverified`).
fn phones(sent: &[String]) -> Result<Vec<PhoneNumber>, ApiError> {
    sent.iter()
        .enumerate()
        .map(|(i, p)| {
            PhoneNumber::lookup(p)
                .map_err(|e| ApiError::from(e.with_field(&format!("phones[{i}]"))))
        })
        .collect()
}

/// Email addresses as sent, a refusal naming `emails[i]`.
fn emails(sent: &[String]) -> Result<Vec<EmailAddress>, ApiError> {
    sent.iter()
        .enumerate()
        .map(|(i, p)| {
            EmailAddress::parse(p)
                .map_err(|e| ApiError::from(e.with_field(&format!("emails[{i}]"))))
        })
        .collect()
}

/// The format they need letters in, where one is sent.
fn format(sent: Option<&str>) -> Result<Option<Format>, ApiError> {
    Ok(sent.map(Format::parse).transpose()?)
}

impl AdvocateReq {
    fn parse(self) -> Result<Advocate, ApiError> {
        Ok(Advocate::from_words(
            &self.name,
            self.organisation.as_deref(),
            self.phone.as_deref(),
            self.email.as_deref(),
        )?)
    }
}

impl PersonReq {
    pub fn parse(self) -> Result<tact_app::PersonInput, ApiError> {
        Ok(tact_app::PersonInput {
            phones: phones(&self.phones)?,
            emails: emails(&self.emails)?,
            advocate: self.advocate.map(AdvocateReq::parse).transpose()?,
            preferred_format: format(self.preferred_format.as_deref())?,
            name: self.name,
            postal_address: self.postal_address,
            preferred_language: self.preferred_language,
            shared: self.shared,
            keep_unverified: self.keep_unverified,
        })
    }
}

request! {
    /// Changes to a person's details (`PATCH`): a detail left out stays as it is; one sent
    /// replaces it — a list sent is the whole list, and `null` takes an address, advocate or
    /// language away (and is refused for a name, a list or the format, which cannot be).
    PersonPatchReq {
        /// Their name.
        #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
        #[schema(value_type = String)]
        name: Option<String>,
        /// Every number they are to have.
        #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
        #[schema(value_type = Vec<String>)]
        phones: Option<Vec<String>>,
        /// Every address they are to have.
        #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
        #[schema(value_type = Vec<String>)]
        emails: Option<Vec<String>>,
        /// Their postal address, as it is written on an envelope; `null` takes it away.
        #[serde(default, deserialize_with = "given", skip_serializing_if = "Option::is_none")]
        #[schema(value_type = Option<String>)]
        postal_address: Option<Option<String>>,
        /// Someone who acts for them; `null` takes the advocate away.
        #[serde(default, deserialize_with = "given", skip_serializing_if = "Option::is_none")]
        #[schema(value_type = Option<AdvocateReq>)]
        advocate: Option<Option<AdvocateReq>>,
        /// The format they need letters in.
        #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
        #[schema(value_type = crate::out::FormatWord)]
        preferred_format: Option<String>,
        /// The language they would like to be written to in; `null` takes it away.
        #[serde(default, deserialize_with = "given", skip_serializing_if = "Option::is_none")]
        #[schema(value_type = Option<String>)]
        preferred_language: Option<Option<String>>,
        /// As for a new person, for the numbers sent.
        #[serde(default)]
        keep_unverified: bool,
        /// Every number or address shared with someone else. Left out, a mark stays on a
        /// number or address they keep.
        #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
        #[schema(value_type = Vec<String>)]
        shared: Option<Vec<String>>,
    }
}

impl PersonPatchReq {
    pub fn parse(self) -> Result<tact_app::PersonChanges, ApiError> {
        Ok(tact_app::PersonChanges {
            name: self.name,
            phones: self.phones.map(|p| phones(&p)).transpose()?,
            emails: self.emails.map(|e| emails(&e)).transpose()?,
            postal_address: self.postal_address,
            advocate: self
                .advocate
                .map(|a| a.map(AdvocateReq::parse).transpose())
                .transpose()?,
            preferred_format: format(self.preferred_format.as_deref())?,
            preferred_language: self.preferred_language,
            shared: self.shared,
            keep_unverified: self.keep_unverified,
        })
    }
}

request! {
    /// Merging another record of the same person into this one (issue 10).
    MergeReq {
        /// The id of the other record, which is merged into this one and then leads to it.
        merge: i64,
        /// Why these are the same person.
        reason: String,
    }
}

request! {
    HelpReq {
        /// Whether they said they need additional help to make contact.
        needs_help: bool,
        /// What help they need, in their words.
        in_their_words: Option<String>,
    }
}

request! {
    MatterReq {
        /// What kind of matter it is.
        #[schema(value_type = crate::out::MatterKindWord)]
        kind: String,
        /// A short title staff will know it by.
        title: String,
    }
}

request! {
    MatterStatusReq {
        /// Where the matter stands now.
        #[schema(value_type = crate::out::MatterStatusWord)]
        status: String,
        /// The day it was finalised (YYYY-MM-DD): given with the status `finalised`, and with
        /// no other.
        #[schema(format = Date)]
        finalised_on: Option<String>,
    }
}

request! {
    ContactReq {
        /// Who it was with, where staff know; else `phone` or `email` finds them, and with
        /// neither it is logged as from someone not yet known.
        person_id: Option<i64>,
        /// The matter it is about: one of the person's, or of the people the number or
        /// address names (it says which of several sharing it); with neither, whose it is.
        matter_id: Option<i64>,
        /// How it came or went.
        #[schema(value_type = crate::out::ChannelWord)]
        channel: String,
        /// Which way it went: inbound unless given.
        #[schema(value_type = Option<crate::out::DirectionWord>)]
        direction: Option<String>,
        /// When it happened (RFC 3339); now if left out.
        #[schema(format = DateTime)]
        at: Option<String>,
        /// The number it came from or went to (UK or international, read by libphonenumber);
        /// not with `email`. An empty or withheld number is a caller not yet known.
        phone: Option<String>,
        /// The address it came from or went to; not with `phone`.
        email: Option<String>,
        /// The member of staff who took or made it; you if left out.
        staff_id: Option<i64>,
        /// What it was about, in a line or two.
        summary: String,
        /// The full text, where there is one (an email's body).
        #[serde(default)]
        body: String,
        /// It raises a complaint, so it is recorded as one and not only as contact.
        #[serde(default)]
        is_complaint: bool,
        /// How long a call lasted, in seconds, where it is known (up to a day: core's
        /// `workflow::LONGEST_CALL_SECONDS`)
        #[schema(maximum = 86400)]
        duration_seconds: Option<u32>,
    }
}

request! {
    ScreenReq {
        /// What screening found.
        #[schema(value_type = crate::out::FindingWord)]
        finding: String,
        /// What the contact raised; needed for anything but `nothing-new`.
        note: Option<String>,
    }
}

request! {
    EndedCallReq {
        /// Why the call was ended.
        reason: String,
        /// The file note of the call: what was said, and when it was ended.
        file_note: String,
        /// The caller was told the call would be ended if the behaviour went on.
        #[serde(default)]
        caller_warned: bool,
    }
}

request! {
    IncidentReq {
        /// Whose behaviour it was.
        person_id: i64,
        /// The matter it happened on, one of theirs.
        matter_id: Option<i64>,
        /// The contact it happened in (a call, an email), one of theirs.
        contact_id: Option<i64>,
        /// The kind of behaviour: one of the profile's categories (`GET /profile`,
        /// `categories`).
        category: String,
        /// What happened, as the member of staff saw or heard it.
        description: String,
        /// When it happened (RFC 3339); now if left out.
        #[schema(format = DateTime)]
        occurred_at: Option<String>,
        /// The member of staff on the receiving end; you if left out.
        staff_id: Option<i64>,
        /// Where the call was ended because of it: why, the file note and whether the caller
        /// was warned first.
        ended_call: Option<EndedCallReq>,
    }
}

request! {
    WarningReq {
        /// The recorded incidents it is about, each once; left out, none in particular.
        #[serde(default)]
        incident_ids: Vec<i64>,
        /// What they are told is wrong with their behaviour.
        what_is_wrong: String,
        /// What they are told they need to do differently.
        how_to_change: String,
        /// What they are told will follow if it goes on.
        consequence: String,
        /// How it was given.
        #[schema(value_type = crate::out::ChannelWord)]
        channel: String,
        /// When it was given (RFC 3339); now if left out.
        #[schema(format = DateTime)]
        given_at: Option<String>,
    }
}

request! {
    PlanReq {
        /// The person's matters the plan covers (at least one, each once).
        matter_ids: Vec<i64>,
        /// The recorded incidents it answers, each once; left out or empty, every incident of
        /// theirs on record.
        #[serde(default)]
        incident_ids: Vec<i64>,
        /// Each restriction: its `kind`, that kind's fields and the `reason` for it; an
        /// error names `restrictions[i].field`.
        restrictions: Vec<RestrictionIn>,
        /// The behaviour it responds to.
        reasons: String,
        /// What it aims to achieve.
        aims: String,
        /// Why it is fair, reasonable and proportionate.
        proportionality: String,
        /// Only where no warning was given first: why one could not be given (CLE-9.3;
        /// NOR-5.8). Given for someone already warned, a 400 on this field.
        no_warning_reason: Option<String>,
        /// When it is to be reviewed (YYYY-MM-DD): after today and within the profile's longest
        /// review interval.
        #[schema(format = Date)]
        review_due: String,
        /// The day it ends, if it has one (YYYY-MM-DD, after today); else it lasts until it is
        /// lifted.
        #[schema(format = Date)]
        ends_on: Option<String>,
    }
}

/// The restrictions a body names, each read as core's rule; a refusal names
/// `restrictions[i].field`.
///
/// # Errors
/// A value a rule cannot hold (a channel, address, number, day or time).
pub fn parse_restrictions(list: Vec<RestrictionIn>) -> Result<Vec<Restriction>, ApiError> {
    list.into_iter()
        .enumerate()
        .map(|(i, r)| Ok(r.into_core(&format!("restrictions[{i}]"))?))
        .collect()
}

impl RestrictionIn {
    /// The restriction this names, its values read by core's parsers (the API's format is
    /// its own, apart from how a plan is stored); `at` is its place in the body.
    ///
    /// # Errors
    /// An invalid-input error naming `at.field`.
    pub fn into_core(self, at: &str) -> Result<Restriction, tact_core::RuleError> {
        Ok(Restriction {
            rule: self.rule.into_core(at)?,
            reason: self.reason,
        })
    }
}

impl RuleOut {
    /// Core's rule for this wire rule; `at` prefixes the field a refusal names.
    ///
    /// # Errors
    /// An invalid-input error naming `at.field`.
    pub fn into_core(self, at: &str) -> Result<Rule, tact_core::RuleError> {
        let named =
            |k: &'static str| move |e: tact_core::RuleError| e.with_field(&format!("{at}.{k}"));
        Ok(match self {
            Self::CallWindow {
                windows,
                max_minutes,
                max_calls_per_window,
            } => {
                let limit =
                    |k: &str, n: Option<u32>| tact_core::model::call_limit(&format!("{at}.{k}"), n);
                Rule::CallWindow {
                    windows: windows
                        .into_iter()
                        .enumerate()
                        .map(|(n, w)| {
                            CallWindow::from_words(
                                &w.day,
                                &w.start,
                                &w.end,
                                &format!("{at}.windows[{n}]"),
                            )
                        })
                        .collect::<Result<_, _>>()?,
                    max_minutes: limit("max_minutes", max_minutes)?,
                    max_calls_per_window: limit("max_calls_per_window", max_calls_per_window)?,
                }
            }
            Self::SingleChannel { channel } => Rule::SingleChannel {
                channel: Channel::parse(&channel).map_err(named("channel"))?,
            },
            Self::SinglePointOfContact { staff_id } => Rule::SinglePointOfContact {
                staff_id: tact_core::ids::StaffId(staff_id),
            },
            Self::RecordedCalls => Rule::RecordedCalls,
            Self::DedicatedMailbox { address } => Rule::DedicatedMailbox {
                address: EmailAddress::parse(&address).map_err(named("address"))?,
            },
            Self::BlockedIdentifier {
                identifier,
                acknowledge,
            } => Rule::BlockedIdentifier {
                identifier: tact_core::identity::Identifier::parse(&identifier)
                    .map_err(named("identifier"))?,
                acknowledge,
            },
            Self::AdvocateOnly => Rule::AdvocateOnly,
            Self::ReadAndFile { acknowledge } => Rule::ReadAndFile { acknowledge },
            Self::NoReopening { matter_id, grounds } => Rule::NoReopening {
                matter_id: tact_core::ids::MatterId(matter_id),
                grounds: NoReopeningGrounds {
                    same_matter: grounds.same_matter,
                    no_new_substantive_evidence: grounds.no_new_substantive_evidence,
                    properly_handled: grounds.properly_handled,
                    note: grounds.note,
                },
            },
            Self::NoRepeatComplaints { matter_id } => Rule::NoRepeatComplaints {
                matter_id: tact_core::ids::MatterId(matter_id),
            },
            Self::Other { description } => Rule::Other { description },
        })
    }
}

request! {
    AnswerReq {
        /// The checklist question answered: one of the profile's question ids (`GET /profile`,
        /// `checklist.questions`); each question once in a call.
        question_id: String,
        /// The answer.
        #[schema(value_type = crate::out::AnswerWord)]
        answer: String,
        /// Why: what was checked or found.
        reason: String,
        /// Only with an answer that shows a shortfall: why it cannot be put right before the
        /// plan is proposed; given beside any other answer, a 400 on this field.
        cannot_remedy_reason: Option<String>,
    }
}

request! {
    ChecklistReq {
        /// The answers given now; a question answered before and not sent keeps its answer.
        answers: Vec<AnswerReq>,
    }
}

request! {
    OverrideReq {
        /// The granted reasonable adjustment the plan restricts.
        adjustment_id: i64,
        /// Why the restriction stands despite it (CLE-9.13; NOR-5.9).
        reason: String,
    }
}

request! {
    AuthoriseReq {
        /// The reason for authorising it, kept on the record of the decision.
        reason: String,
        /// A decision for each granted adjustment the plan restricts: that the restriction
        /// stands despite it, and why. One that is needed and left out is a 409 naming the
        /// adjustment.
        #[serde(default)]
        overrides: Vec<OverrideReq>,
    }
}

pub fn overrides(list: Vec<OverrideReq>, by: tact_core::ids::StaffId) -> Vec<AdjustmentOverride> {
    list.into_iter()
        .map(|o| AdjustmentOverride {
            adjustment_id: tact_core::ids::AdjustmentId(o.adjustment_id),
            by,
            reason: o.reason,
        })
        .collect()
}

request! {
    ReasonReq {
        /// Why: kept on the record of the step and, where the person is told, in what they are
        /// told.
        reason: String,
    }
}

request! {
    NoticeReq {
        /// When the notice was sent or given (RFC 3339); now if left out.
        #[schema(format = DateTime)]
        sent_at: Option<String>,
        /// letter, email or web-form: notice is always written
        #[schema(value_type = crate::out::ChannelWord)]
        channel: String,
        /// standard, large-print, easy-read, braille, audio or email; absent for the one
        /// the person asked for
        #[schema(value_type = Option<crate::out::FormatWord>)]
        format: Option<String>,
        /// Why it went in a format other than the one the person asked for: required then
        format_reason: Option<String>,
        /// The person was asked to agree to the plan.
        agreement_sought: bool,
        /// Whether they agreed, where they were asked and have answered.
        agreement_given: Option<bool>,
        /// What they said about it.
        agreement_note: Option<String>,
        /// A copy of the policy went with the notice (NOR-5.2).
        #[serde(default)]
        policy_enclosed: bool,
    }
}

request! {
    ReviewReq {
        /// Continue to the next review, or lift (a change is a variation).
        #[schema(value_type = crate::out::ReviewDecisionWord)]
        decision: String,
        /// The reasons for the decision, in words the person is told.
        reasons: String,
        /// How the person has behaved since the plan began or was last reviewed.
        recent_conduct: String,
        /// The next review, needed when it continues; left out when it is lifted (given
        /// then, a 400 on this field).
        #[schema(format = Date)]
        next_review_due: Option<String>,
    }
}

request! {
    VaryReq {
        /// As for a new plan: each restriction's `kind`, its fields and its `reason`.
        restrictions: Vec<RestrictionIn>,
        /// When the changed plan is next to be reviewed (YYYY-MM-DD).
        #[schema(format = Date)]
        review_due: String,
        /// The day it ends, if it has one (YYYY-MM-DD, after today).
        #[schema(format = Date)]
        ends_on: Option<String>,
        /// Why it is changed, in words the person is told.
        reason: String,
        /// As for authorising: a decision for each granted adjustment a new restriction would
        /// go against.
        #[serde(default)]
        overrides: Vec<OverrideReq>,
    }
}

impl VaryReq {
    pub fn parse(
        self,
        by: tact_core::ids::StaffId,
    ) -> Result<tact_core::workflow::VaryInput, ApiError> {
        Ok(tact_core::workflow::VaryInput {
            restrictions: parse_restrictions(self.restrictions)?,
            review_due: parse_date("review_due", &self.review_due)?,
            ends_on: parse_opt_date("ends_on", self.ends_on.as_deref())?,
            reason: self.reason,
            overrides: overrides(self.overrides, by),
        })
    }
}

request! {
    ApplyReq {
        /// The person's other matter the plan is to cover.
        matter_id: i64,
        /// Why the same behaviour calls for the plan on that matter too.
        reason: String,
    }
}

request! {
    /// The authorising role's decision on applying a plan to another matter (NOR-6.2).
    DecideMatterReq {
        /// The matter waiting for the decision.
        matter_id: i64,
        /// `true` to authorise, `false` to refuse.
        approve: bool,
        /// The reason for the decision, kept on the record.
        reason: String,
    }
}

request! {
    DisputeReq {
        /// Why the person disagrees with the plan, in their words.
        grounds: String,
        /// When the dispute was received (RFC 3339); now if left out.
        #[schema(format = DateTime)]
        received_at: Option<String>,
    }
}

request! {
    DisputeDecisionReq {
        /// What was decided: the plan is kept, varied or lifted.
        #[schema(value_type = crate::out::DisputeOutcomeWord)]
        outcome: String,
        /// Why, in words the person is told in the outcome letter.
        reasons: String,
        /// The change, needed with the outcome `varied` and given with no other (given
        /// then, a 400 on this field).
        variation: Option<VaryReq>,
    }
}

request! {
    AdjustmentReq {
        /// needs-channel:<channel>, extra-time, format:<format>, support-person or other
        #[schema(value_type = crate::out::AdjustmentKindWord)]
        kind: String,
        /// What they need, in their words or the words of whoever asked for them.
        description: String,
    }
}

request! {
    /// A data-rights request as it arrives (issue 5).
    RightsReq {
        /// Which right they are using.
        #[schema(value_type = crate::out::RightKindWord)]
        kind: String,
        /// What they asked, in their words.
        details: String,
        /// How it came.
        #[schema(value_type = crate::out::ChannelWord)]
        channel: String,
        /// The day it was received (YYYY-MM-DD); today if left out.
        #[schema(format = Date)]
        received_on: Option<String>,
    }
}

request! {
    /// A received letter or email marked as threatening or abusive (CLE-4.6; NOR-3.2): the behaviour
    /// is recorded against it in a category of the profile.
    ThreateningReq {
        /// One of the profile's categories (`GET /profile`).
        category: String,
        /// What in it is threatening or abusive.
        description: String,
    }
}

request! {
    /// A message from an unknown sender filed under the person it is from.
    MatchReq {
        /// The person the message is from.
        person_id: i64,
        /// Keep the sender's address on their record, so their next email is matched by
        /// itself.
        keep_address: bool,
    }
}

request! {
    /// A person's equality monitoring answers, with their consent (CLE-8.4; NOR-1.4): they
    /// replace any recorded before. Only counts are ever read back.
    EqualityReq {
        /// They agree to answer, and to their answers being kept for equality monitoring.
        consent: bool,
        /// Each question answered (`age`, `disability`, `ethnicity`, …) with one of its
        /// answers (`GET /equality` lists them); a question left out is not answered.
        #[serde(default)]
        answers: std::collections::BTreeMap<String, String>,
    }
}

request! {
    /// A member of staff's telephone extension (issue 14).
    ExtensionReq {
        /// 2 to 8 digits; null takes the extension away. It must be there: a body without
        /// it is refused, never read as "take it away".
        #[serde(deserialize_with = "Option::deserialize")]
        #[schema(required = true)]
        extension: Option<String>,
    }
}

request! {
    /// Corrected details (UK GDPR rectification): the whole record as it should be, as
    /// `PUT /people/{id}` takes it, and what was wrong.
    RectifyReq {
        /// The whole record as it should be, as `PUT /people/{id}` takes it.
        details: PersonReplaceReq,
        /// What was wrong, and how you know: kept on the record as a rectification.
        what_was_wrong: String,
    }
}

request! {
    /// A legal hold on a person's records (NOR-9.1).
    HoldReq {
        /// Why their records must be kept.
        reason: String,
    }
}

request! {
    /// Destroying the records that are due (NOR-9.1): `confirm` must be true, because it
    /// cannot be undone.
    DisposeReq {
        /// Must be `true`: destroying records cannot be undone.
        confirm: bool,
    }
}

request! {
    /// The DPO's answer to a data-rights request.
    RightsAnswerReq {
        /// Done, refused, or extend (two more months, once, within the first month).
        #[schema(value_type = crate::out::RightsAnswerWord)]
        decision: String,
        /// What was done, why it is refused, or why more time is needed.
        text: String,
    }
}

pub fn rights(r: &tact_core::rights::RightsRequest) -> crate::out::RightsOut {
    crate::out::RightsOut::from(r)
}

request! {
    /// A request to share a person's details with a partner (CLE-9.15; a local rule on
    /// Northamptonshire).
    DisclosureReq {
        /// The partner agency, such as the police.
        partner: String,
        /// The legitimate reason for sharing.
        reason: String,
        /// What would be shared.
        details: String,
    }
}

request! {
    /// The DPO's decision on a request to share.
    DisclosureDecisionReq {
        /// `true` to agree to the sharing, `false` to refuse it.
        approve: bool,
        /// Why, kept on the disclosure log.
        reason: String,
    }
}

request! {
    /// What was shared; `at` defaults to now.
    SharedReq {
        /// What was shared, as it went.
        what: String,
        /// When it was shared (RFC 3339); now if left out.
        #[schema(format = DateTime)]
        at: Option<String>,
    }
}

request! {
    /// The reminder after a breach (CLE-9.11; NOR-5.8).
    ReminderReq {
        /// How it goes: by email or letter it is written from the profile's template; by
        /// phone or in person it is recorded.
        #[schema(value_type = crate::out::ChannelWord)]
        channel: String,
        /// What happens if they go on breaching the plan.
        consequences: String,
        /// Why the plan is in place.
        reasons: String,
    }
}

request! {
    DecisionReq {
        /// `true` to grant the adjustment, `false` to refuse it.
        grant: bool,
        /// Why, in words the person can be told.
        reasons: String,
    }
}

request! {
    FurtherActionReq {
        /// What is being done: a referral to the police, legal advice, or legal action.
        #[schema(value_type = crate::out::FurtherActionKindWord)]
        kind: String,
        /// Why.
        reasons: String,
        /// The person was told beforehand that this would be done.
        prior_notice_given: bool,
        /// Why they were not told beforehand: needed where `prior_notice_given` is `false`.
        no_notice_reason: Option<String>,
    }
}

request! {
    OutcomeReq {
        /// What was done, in a sentence: kept with the task.
        outcome: String,
    }
}

request! {
    StaffReq {
        /// Their name, as colleagues and letters show it.
        name: String,
        /// What they do, which decides what they may do.
        #[schema(value_type = crate::out::RoleWord)]
        role: String,
        /// Their work email address, for a password-reset link and their notifications.
        email: Option<String>,
        /// Their line manager's staff id: follow-ups from their calls go to them (else to every
        /// line manager).
        line_manager: Option<i64>,
    }
}

request! {
    StaffChangeReq {
        /// Their new role; left out, it stays as it is.
        #[schema(value_type = Option<crate::out::RoleWord>)]
        role: Option<String>,
        /// `false` to disable their account (their sessions and tokens stop at once), `true` to
        /// enable it again; left out, it stays as it is.
        active: Option<bool>,
        /// Their line manager's staff id; `null` takes their line manager away (follow-ups
        /// then go to every line manager); left out, it stays as it is.
        #[serde(default, deserialize_with = "given", skip_serializing_if = "Option::is_none")]
        #[schema(value_type = Option<i64>)]
        line_manager: Option<Option<i64>>,
    }
}

request! {
    /// A new API token: what it is for, and how many days it lasts (1 to 365; 90 unless
    /// given).
    TokenReq {
        /// What the token is for, as the token list shows it.
        #[serde(alias = "label")]
        name: String,
        /// How many days it lasts: 1 to 365, 90 unless given.
        #[serde(default)]
        days: Option<u32>,
        /// Whose: yours unless given; an administrator names a service account.
        #[serde(default)]
        staff_id: Option<i64>,
    }
}

request! {
    /// A service account for a system: its name and what it may do.
    ServiceAccountReq {
        /// What the system is (a phone system, a reporting tool), as staff will see it.
        name: String,
        /// What its tokens may do.
        #[schema(value_type = crate::out::ScopeWord)]
        scope: String,
    }
}

/// Writing a letter: how it goes and in what format (the person's preferred format and
/// email-if-they-have-an-address unless given), and whether to hold it for checking.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LetterReq {
    /// For a letter about a plan: which letter.
    #[schema(value_type = Option<crate::out::PlanLetterWord>)]
    pub kind: Option<String>,
    /// email or letter; left out, email if they have an address (and their plan does not
    /// allow only letters), else post.
    #[schema(value_type = Option<crate::out::ChannelWord>)]
    pub channel: Option<String>,
    /// The format; left out, the one they asked for.
    #[schema(value_type = Option<crate::out::FormatWord>)]
    pub format: Option<String>,
    /// Hold it so its wording can be checked or changed before it goes.
    #[serde(default)]
    pub hold: bool,
}

impl LetterReq {
    pub fn how(&self) -> Result<tact_app::letters::How, ApiError> {
        Ok(how(
            self.channel.as_deref(),
            self.format.as_deref(),
            self.hold,
        )?)
    }
}

/// How a letter goes and in what format, as the API and the UI's letter forms both read it:
/// none given means the person's own (email if they have an address; their preferred
/// format); one not offered is an error naming its field.
pub fn how(
    channel: Option<&str>,
    format: Option<&str>,
    hold: bool,
) -> Result<tact_app::letters::How, tact_core::RuleError> {
    Ok(tact_app::letters::How {
        channel: channel
            .map(|c| Channel::parse(c).map_err(|e| e.with_field("channel")))
            .transpose()?,
        format: format
            .map(|f| Format::parse(f).map_err(|e| e.with_field("format")))
            .transpose()?,
        hold,
    })
}

request! {
    /// New wording for a held letter.
    LetterChangeReq {
        /// A new heading; the old one is kept if absent.
        subject: Option<String>,
        /// The letter's new wording, in full: what is kept is what goes.
        text: String,
    }
}

// ----- responses: see `out` for the types -----------------------------------------

use crate::out::*;

pub fn person(p: &ServiceUser) -> PersonOut {
    PersonOut::from(p)
}

pub fn matter(m: &Matter) -> MatterOut {
    MatterOut::from(m)
}

pub fn contact(c: &Contact) -> ContactOut {
    ContactOut::from(c)
}

pub fn incident(i: &Incident) -> IncidentOut {
    IncidentOut::from(i)
}

pub fn warning(w: &Warning) -> WarningOut {
    WarningOut::from(w)
}

pub fn plan(profile: &Profile, s: &Plan, at: Timestamp) -> PlanOut {
    PlanOut::of(profile, s, at)
}

/// What `actor` may do with plan `s` now, as the API's paths under `/plans/{id}/` name the
/// steps: core's [`tact_core::workflow::available_steps_in`] the person's records (so
/// `apply-to-matter` only where one of their matters can take it, `propose` only where the
/// draft would be taken), and `letters` where
/// [`tact_core::correspondence::plan_letter_refusal`] allows one. A dispute is decided from
/// the dispute (`/disputes/{id}/decision`), so it is never one of a plan's steps.
pub fn plan_steps(
    profile: &Profile,
    actor: &tact_core::roles::Actor,
    s: &Plan,
    ctx: &tact_core::workflow::PlanContext,
    now: Timestamp,
) -> Vec<String> {
    use tact_core::workflow::PlanStep as P;
    let mut steps: Vec<String> =
        tact_core::workflow::available_steps_in(profile, actor, s, ctx, now)
            .into_iter()
            .filter_map(|step| match step {
                P::AnswerChecklist => Some("checklist"),
                P::Propose => Some("propose"),
                P::Withdraw => Some("withdraw"),
                P::Authorise => Some("authorise"),
                P::Refuse => Some("refuse"),
                P::RecordNotice => Some("notice"),
                P::Review => Some("review"),
                P::Vary => Some("vary"),
                P::Lift => Some("lift"),
                P::ApplyToMatter => Some("apply-to-matter"),
                P::DecideMatter => Some("decide-matter"),
                P::RaiseDispute => Some("disputes"),
                P::DecideDispute => None,
            })
            .map(str::to_string)
            .collect();
    if tact_core::correspondence::plan_letter_refusal(profile, actor, s).is_none() {
        steps.push("letters".into());
    }
    steps
}

/// What `actor` may do now with each of a person's records that has a step, keyed by the
/// record's path under `/api/v1` (each step is posted to `{path}/{step}`): core's answer for
/// each record, the one its step asks first and the person page and forms ask, so a client
/// offers only what will be allowed. A plan's are [`plan_steps`]; a dispute is decided
/// (`dispute_refusal`); an adjustment request decided (`adjustment_refusal`), and its
/// decision written to them (`letter`) once decided; a request to share decided
/// (`decision_refusal`) or recorded as shared (`sharing_refusal`); a data-rights request
/// answered (`answer_refusal`); a contact screened (`screening_refusal`); a warning, or an
/// incident that ended a call (`ended_call`), written to them (`letter`); a held letter
/// released, a printed one marked posted; a task completed by hand (`close_refusal`) or,
/// for a breach, answered by the reminder (`reminder_for`). A record with no step now is
/// left out. What is sent can still be refused.
pub fn record_steps(
    profile: &Profile,
    actor: &tact_core::roles::Actor,
    r: &tact_app::PersonRecord,
    now: Timestamp,
) -> std::collections::BTreeMap<String, Vec<String>> {
    use tact_core::command::{self as cmd, permit_kind};
    use tact_core::{correspondence as co, sharing, workflow as wf};
    let mut steps: std::collections::BTreeMap<String, Vec<String>> = r
        .plans
        .iter()
        .map(|s| {
            (
                format!("/plans/{}", s.id),
                plan_steps(profile, actor, s, &r.records.context(), now),
            )
        })
        .filter(|(_, of)| !of.is_empty())
        .collect();
    // The steps of the record at `path` that are open, where any is.
    let mut put = |path: String, offered: &[(bool, &str)]| {
        let open: Vec<String> = offered
            .iter()
            .filter(|(ok, _)| *ok)
            .map(|(_, step)| (*step).to_string())
            .collect();
        if !open.is_empty() {
            steps.insert(path, open);
        }
    };
    let writes = permit_kind::<cmd::WriteLetter>(profile, actor).is_ok();
    let screens = permit_kind::<cmd::ScreenContact>(profile, actor).is_ok();
    let releases = permit_kind::<cmd::ReleaseLetter>(profile, actor).is_ok();
    let posts = permit_kind::<cmd::MarkPrinted>(profile, actor).is_ok();
    let plan = |id: tact_core::ids::PlanId| r.plans.iter().find(|s| s.id == id);
    for d in &r.disputes {
        let decide =
            plan(d.plan_id).is_some_and(|s| wf::dispute_refusal(profile, actor, d, s).is_none());
        put(format!("/disputes/{}", d.id), &[(decide, "decision")]);
    }
    for a in &r.records.adjustments {
        let decide = wf::adjustment_refusal(profile, actor, a).is_none();
        let letter = writes && co::adjustment_decision(a).is_ok();
        put(
            format!("/adjustments/{}", a.id),
            &[(decide, "decision"), (letter, "letter")],
        );
    }
    for d in &r.disclosures {
        let decide = sharing::decision_refusal(profile, actor, d).is_none();
        let shared = sharing::sharing_refusal(profile, actor, d).is_none();
        put(
            format!("/disclosures/{}", d.id),
            &[(decide, "decision"), (shared, "shared")],
        );
    }
    for x in &r.rights {
        let answer = tact_core::rights::answer_refusal(profile, actor, x).is_none();
        put(format!("/data-rights/{}", x.id), &[(answer, "answer")]);
    }
    for c in &r.contacts {
        let screen = screens && wf::screening_refusal(profile, c).is_none();
        put(format!("/contacts/{}", c.id), &[(screen, "screen")]);
    }
    for w in &r.records.warnings {
        put(format!("/warnings/{}", w.id), &[(writes, "letter")]);
    }
    for i in &r.records.incidents {
        let letter = writes && co::ended_call(i).is_ok();
        put(format!("/incidents/{}", i.id), &[(letter, "letter")]);
    }
    for l in &r.letters {
        let release = releases && l.may_release().is_ok();
        let printed = posts && l.may_mark_printed().is_ok();
        put(
            format!("/letters/{}", l.id),
            &[(release, "release"), (printed, "printed")],
        );
    }
    for t in &r.records.tasks {
        let on = t
            .task
            .subject
            .as_deref()
            .and_then(tact_core::ids::PlanId::of_subject)
            .and_then(plan);
        let complete = tact_core::roles::close_refusal(actor, t, on).is_none();
        let remind = wf::reminder_for(profile, actor, t).is_ok();
        put(
            format!("/tasks/{}", t.id),
            &[(complete, "complete"), (remind, "breach-reminder")],
        );
    }
    steps
}

pub fn adjustment(a: &Adjustment) -> AdjustmentOut {
    AdjustmentOut::from(a)
}

pub fn disclosure(d: &tact_core::sharing::Disclosure) -> DisclosureOut {
    DisclosureOut::from(d)
}

pub fn access(a: &tact_core::model::Access) -> AccessOut {
    AccessOut::from(a)
}

pub fn dispute(d: &Dispute) -> DisputeOut {
    DisputeOut::from(d)
}

pub fn further_action(f: &FurtherAction) -> FurtherActionOut {
    FurtherActionOut::from(f)
}

pub fn task(t: &Task) -> TaskOut {
    TaskOut::from(t)
}

pub fn staff(s: &Staff) -> StaffOut {
    StaffOut::from(s)
}

/// A contact check's verdict, its headline in the profile's term for the plan.
pub fn verdict(v: &Verdict, terms: &tact_core::profile::Terms) -> VerdictOut {
    VerdictOut {
        headline: v.headline(&terms.plan),
        person: v.person.map(|p| FoundOut {
            id: p.0,
            reference: v.reference.clone(),
            name: v.name.clone(),
        }),
        outcome: v.answer().wire(),
        strictest_outcome: v.outcome.wire(),
        allowed: v.allowed(),
        candidates: v
            .candidates
            .iter()
            .map(|c| CandidateOut {
                id: c.person.0,
                reference: c.reference.clone(),
                name: c.name.clone(),
                outcome: c.outcome.wire(),
            })
            .collect(),
        withheld: v.withheld,
        say: v.say.clone(),
        must: v.must.clone(),
        restrictions: v
            .bearing()
            .map(|a| AppliedOut {
                plan_id: a.plan_id.0,
                strategy_id: a.plan_id.0,
                kind: a.kind.to_string(),
                name: a.name.clone(),
                clause: a.clause.clone(),
                effect: crate::out::EffectWord(a.effect),
                explanation: a.explanation.clone(),
                matters: a.matters.iter().map(|m| m.0).collect(),
            })
            .collect(),
        adjustments: v
            .adjustments
            .iter()
            .map(|(id, d)| AdjustmentNoteOut {
                id: id.0,
                description: d.clone(),
            })
            .collect(),
        screening_required: v.screening_required,
        staff_may_disengage: v.staff_may_disengage,
        ask_additional_help: v.ask_additional_help,
        record_call: v.record_call,
        max_minutes: v.max_minutes,
        put_through_to: v.put_through_to.map(|s| s.0),
        divert_to_mailbox: v.divert_to_mailbox.clone(),
        clauses: v.clauses.clone(),
        freshness: None,
    }
}

/// How fresh a contact check's answer is (issue 10): from this server's index or the
/// database, the last change applied, and how long ago the change feed was read.
pub fn freshness(f: &tact_app::feed::Freshness) -> FreshnessOut {
    FreshnessOut {
        source: f.source.as_str().to_string(),
        change_seq: f.change_seq,
        synced_ms_ago: f.synced_ms_ago,
        bound_ms: u64::try_from(tact_app::feed::BOUND.as_millis()).unwrap_or(u64::MAX),
    }
}

/// A contact check's answer with its freshness.
pub fn checked(c: &tact_app::Checked, terms: &tact_core::profile::Terms) -> VerdictOut {
    let mut v = verdict(&c.verdict, terms);
    v.freshness = Some(freshness(&c.freshness));
    v
}

pub fn channel(field: &str, s: &str) -> Result<Channel, ApiError> {
    Channel::parse(s).map_err(|e| e.with_field(field).into())
}
