//! What the API answers, as types (issue 11): each response is one of these, serialised by
//! serde and described by utoipa from the same definition, so `/api/openapi.json` gives every
//! operation a response schema that is true by construction. Times are RFC 3339; dates are
//! `YYYY-MM-DD`. A restriction has the API's own shape ([`RestrictionOut`]), one variant per
//! kind with its fields, the same shape a plan is written with.
//!
//! An answer that mirrors a core record is declared once with [`answer!`]: its fields, their
//! wire types, and where a field is not the record's own field of that name, how it is
//! worked out. [`Wire`] says how each core value goes on the wire, so no conversion is
//! written out field by field.

use serde::{Deserialize, Serialize};
use tact_core::ids::*;
use tact_core::model::*;
use tact_core::profile as p;
use utoipa::ToSchema;

/// How a core value is written on the wire: an id as its number, an instant in RFC 3339, a
/// date as `YYYY-MM-DD`, a named value as its word, an address or number as written.
pub trait Wire {
    type Out;
    fn wire(&self) -> Self::Out;
}

macro_rules! wire_as_is {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            type Out = $t;
            fn wire(&self) -> $t {
                self.clone()
            }
        }
    )*};
}
wire_as_is!(String, bool, i64, u32, u64);

macro_rules! wire_id {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            type Out = i64;
            fn wire(&self) -> i64 {
                self.0
            }
        }
    )*};
}
wire_id!(PersonId, MatterId, ContactId, StaffId, IncidentId, WarningId);
wire_id!(
    PlanId,
    TaskId,
    AdjustmentId,
    DisputeId,
    FurtherActionId,
    DisclosureId
);

/// Declares a wire type: a core value that goes on the wire as a string (`$text`, worked
/// out from the value `$v`), described in the OpenAPI document by `$schema` (which adds to a
/// string schema: an `enum` of its words, or a `format`), and the [`Wire`] that makes it.
/// One type per kind of value, since utoipa names a schema per type.
macro_rules! wire_string {
    ($(#[$meta:meta])* $name:ident($t:ty) = |$v:ident| $text:expr, |$b:ident| $schema:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(pub $t);

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let $v = &self.0;
                s.collect_str(&$text)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let $b = utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String);
                $schema.into()
            }
        }

        impl ToSchema for $name {}

        impl Wire for $t {
            type Out = $name;
            fn wire(&self) -> $name {
                $name(self.clone())
            }
        }
    };
}

/// A word of one of core's closed lists, on the wire: serialised as its word, and described
/// in the OpenAPI document as a string that is one of the list's words (`enum`), so a client
/// reads the choices from the document.
macro_rules! wire_word {
    ($($name:ident => $t:ty),* $(,)?) => {$(
        wire_string!(
            #[doc = concat!("A word of `", stringify!($t), "`.")]
            $name($t) = |v| v.as_str(),
            |b| b.enum_values(Some(<$t as tact_core::words::Words>::WORDS.iter().copied()))
        );
    )*};
}
wire_word!(
    ChannelWord => tact_core::profile::Channel,
    AnswerWord => tact_core::profile::Answer,
    RestrictionKindWord => tact_core::profile::RestrictionKind,
    MessageRouteWord => tact_core::correspondence::Route,
    LetterStatusWord => tact_core::correspondence::LetterStatus,
    RightKindWord => tact_core::rights::RightKind,
    RightStatusWord => tact_core::rights::RightStatus,
    DisclosureStatusWord => tact_core::sharing::DisclosureStatus,
    RoleWord => tact_core::roles::Role,
    ScopeWord => tact_core::roles::Scope,
    FormatWord => Format,
    MatterKindWord => MatterKind,
    MatterStatusWord => MatterStatus,
    DirectionWord => Direction,
    ScreeningWord => Screening,
    PlanStatusWord => PlanStatus,
    AdjustmentStatusWord => AdjustmentStatus,
    DisputeOutcomeWord => DisputeOutcome,
    FurtherActionKindWord => FurtherActionKind,
    TaskKindWord => TaskKind,
    EffectWord => tact_core::check::Effect,
    OutcomeWord => tact_core::check::Outcome,
    CheckAnswerWord => tact_core::check::CheckAnswer,
    FindingWord => Finding,
    ReviewDecisionWord => tact_core::workflow::ReviewDecision,
    RightsAnswerWord => tact_core::rights::RightsAnswer,
    CallOutcomeWord => tact_core::routing::CallOutcome,
    PlanLetterWord => tact_core::correspondence::PlanLetter,
    RouteFormatWord => crate::api::RouteFormat,
    ExportKindWord => tact_app::export::ExportKind,
);

/// Identifiers go as their text.
macro_rules! wire_text {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            type Out = String;
            fn wire(&self) -> String {
                self.as_str().to_string()
            }
        }
    )*};
}
wire_text!(
    tact_core::identity::PhoneNumber,
    tact_core::identity::EmailAddress
);

wire_string!(
    /// An adjustment's kind on the wire: its word (`needs-channel:email`, `format:braille`,
    /// `extra-time`...), described as an `enum` of every kind there is.
    AdjustmentKindWord(AdjustmentKind) = |v| v.as_str(),
    |b| b.enum_values(Some(AdjustmentKind::all().iter().map(AdjustmentKind::as_str)))
);

// A time says which kind it is: the document gives its `format`, so a client knows how to
// parse it (and a validator can check it).
wire_string!(
    /// An instant, in RFC 3339 (`2026-11-20T10:00:00Z`).
    Instant(jiff::Timestamp) = |v| v,
    |b| b.format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
        utoipa::openapi::schema::KnownFormat::DateTime
    )))
);
wire_string!(
    /// A day, as `YYYY-MM-DD` (RFC 3339's full-date).
    Day(jiff::civil::Date) = |v| v,
    |b| b.format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
        utoipa::openapi::schema::KnownFormat::Date
    )))
);

impl<T: Wire> Wire for Option<T> {
    type Out = Option<T::Out>;
    fn wire(&self) -> Self::Out {
        self.as_ref().map(T::wire)
    }
}

impl<T: Wire> Wire for Vec<T> {
    type Out = Vec<T::Out>;
    fn wire(&self) -> Self::Out {
        self.iter().map(T::wire).collect()
    }
}

/// Declares an answer type: serialised by serde and described by utoipa, every field public.
/// One that mirrors a core record (`Name from Record { … }`) gets its `From<&record>` and
/// its [`Wire`] (so a record holding it converts too): each field is the record's field of
/// the same name on the wire, unless `= |r| …` says how to work it out.
macro_rules! answer {
    ($(#[$meta:meta])* $name:ident {
        $($(#[$fmeta:meta])* $field:ident: $ty:ty),* $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Serialize, ToSchema)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
        }
    };
    ($(#[$meta:meta])* $name:ident from $src:ty {
        $($(#[$fmeta:meta])* $field:ident: $ty:ty $(= $how:expr)?),* $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Serialize, ToSchema)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
        }

        impl From<&$src> for $name {
            fn from(r: &$src) -> Self {
                Self { $($field: answer!(@field r, $src, $ty, $field $(, $how)?),)* }
            }
        }

        impl Wire for $src {
            type Out = $name;
            fn wire(&self) -> $name {
                $name::from(self)
            }
        }
    };
    (@field $r:ident, $src:ty, $ty:ty, $field:ident) => { Wire::wire(&$r.$field) };
    (@field $r:ident, $src:ty, $ty:ty, $field:ident, $how:expr) => {{
        let how: fn(&$src) -> $ty = $how;
        how($r)
    }};
}

answer! {
    /// A service user.
    PersonOut from ServiceUser {
        /// The person's id.
        id: i64,
        /// Their reference, as staff and letters know it.
        reference: String,
        /// Their name.
        name: String,
        /// E.164.
        phones: Vec<String>,
        /// Their email addresses.
        emails: Vec<String>,
        /// Their postal address.
        postal_address: Option<String>,
        /// Someone who acts for them.
        advocate: Option<AdvocateOut>,
        /// The format they need letters in.
        preferred_format: FormatWord,
        /// The language they would like to be written to in.
        preferred_language: Option<String>,
        /// Whether they were asked if they need additional help (CLE-8.1, 8.2; NOR-1.3).
        additional_help: Option<HelpOut>,
        /// When the record was made.
        created_at: Instant,
    }
}

answer! {
    /// Someone who speaks for them.
    AdvocateOut from Advocate {
        /// The advocate's name.
        name: String,
        /// The organisation they act for, if any.
        organisation: Option<String>,
        /// Their phone number, in international form.
        phone: Option<String>,
        /// Their email address.
        email: Option<String>,
    }
}

answer! {
    /// When they were asked whether they need additional help, and what they said.
    HelpOut from AdditionalHelp {
        /// When they were asked.
        asked_at: Instant,
        /// The staff id of who asked them.
        asked_by: i64,
        /// Whether they said they need additional help.
        needs_help: bool,
        /// What help they need, in their words.
        in_their_words: Option<String>,
    }
}

answer! {
    /// A complaint, case, query or request.
    MatterOut from Matter {
        /// The matter's id.
        id: i64,
        /// Whose matter it is.
        person_id: i64,
        /// Its reference, as staff and letters know it.
        reference: String,
        /// What kind of matter it is.
        kind: MatterKindWord,
        /// Its short title.
        title: String,
        /// Where it stands.
        status: MatterStatusWord,
        /// The day it was finalised, once it is.
        finalised_on: Option<Day>,
        /// When it was opened.
        opened_at: Instant,
    }
}

answer! {
    /// A contact, either way, on any channel.
    ContactOut from Contact {
        /// The contact's id.
        id: i64,
        /// Who it was with; `null` for someone not yet known.
        person_id: Option<i64>,
        /// The matter it was about.
        matter_id: Option<i64>,
        /// How it came or went.
        channel: ChannelWord,
        /// Which way it went.
        direction: DirectionWord,
        /// When it happened.
        at: Instant,
        /// The member of staff who took or made it.
        staff_id: Option<i64>,
        /// The number or address it came from or went to, where there was one.
        identifier: Option<String>,
        /// What it was about.
        summary: String,
        /// The full text, where there is one.
        body: String,
        /// The restrictions it broke, as `plan id:kind` (CLE-9.11; NOR-5.8).
        breach_of: Vec<String>,
        /// Whether it waits to be read for what it raises (CLE-9.10; NOR-5.5).
        screening: ScreeningWord,
        /// Kept as a contact but not opened as a new complaint, because a plan says repeated
        /// complaints about its matter are not (NOR-4.3).
        not_recorded_as_complaint: bool,
        /// How long a call lasted, in seconds, where it is known.
        duration_seconds: Option<u32> = |c| c.duration_seconds,
    }
}

answer! {
    /// Unacceptable or unreasonable behaviour, and an ended call where there was one.
    IncidentOut from Incident {
        /// The incident's id.
        id: i64,
        /// Whose behaviour it was.
        person_id: i64,
        /// The matter it happened on.
        matter_id: Option<i64>,
        /// The contact it happened in.
        contact_id: Option<i64>,
        /// The kind of behaviour, as the profile's categories name it.
        category: String,
        /// What happened.
        description: String,
        /// When it happened.
        occurred_at: Instant,
        /// The member of staff on the receiving end.
        staff_id: i64,
        /// The staff id of who recorded it.
        recorded_by: i64,
        /// Where the call was ended because of it: why, the file note, and whether the caller
        /// was warned first.
        ended_call: Option<EndedCallOut>,
    }
}

answer! {
    /// A call ended by staff (CLE-4.4, 4.5; NOR-6.1): why, the file note, and whether the caller was warned.
    EndedCallOut from EndedCall {
        /// Why the call was ended.
        reason: String,
        /// The file note of the call.
        file_note: String,
        /// The caller was warned first that the call would be ended.
        caller_warned: bool,
    }
}

answer! {
    /// A warning given before any restriction (CLE-9.1–9.3; NOR-5.2).
    WarningOut from Warning {
        /// The warning's id.
        id: i64,
        /// Who was warned.
        person_id: i64,
        /// The incidents it is about.
        incident_ids: Vec<i64>,
        /// What they were told is wrong.
        what_is_wrong: String,
        /// What they were told to do differently.
        how_to_change: String,
        /// What they were told will follow if it goes on.
        consequence: String,
        /// How it was given.
        channel: ChannelWord,
        /// When it was given.
        given_at: Instant,
        /// The staff id of who gave it.
        given_by: i64,
    }
}

/// One call window: a day and a time of day (`HH:MM`, UK time).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowOut {
    /// monday … sunday.
    pub day: String,
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM`.
    pub end: String,
}

/// Why a closed matter will not be reopened (CLE-9.9, NOR-5.5); a ground not given is
/// not met.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroundsOut {
    /// What they raise is the same matter as the one closed.
    #[serde(default)]
    pub same_matter: bool,
    /// They bring no new evidence of substance.
    #[serde(default)]
    pub no_new_substantive_evidence: bool,
    /// The matter was handled properly, its complaint route followed to its end.
    #[serde(default)]
    pub properly_handled: bool,
    /// Anything more on why it is not reopened.
    #[serde(default)]
    pub note: String,
}

/// A restriction's rule: one variant per kind in the profiles' catalogues, tagged by `kind`,
/// each with its own fields. A plan is written with the same shape.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum RuleOut {
    /// Calls only in these windows, for at most so many minutes, so many calls a window.
    CallWindow {
        /// The days and times calls are taken, each a day of the week with a start and an
        /// end (24-hour `HH:MM`).
        windows: Vec<WindowOut>,
        /// The longest a call may last, in minutes, if limited.
        max_minutes: Option<u32>,
        /// How many calls are taken in one window, if limited.
        max_calls_per_window: Option<u32>,
    },
    /// Contact by one channel only: phone, email, letter, visit or web-form.
    SingleChannel {
        /// The one channel: phone, email, letter, visit or web-form.
        channel: String,
    },
    /// Contact with one named member of staff only.
    SinglePointOfContact {
        /// The staff id of the member of staff.
        staff_id: i64,
    },
    /// Calls are recorded or monitored.
    RecordedCalls,
    /// Email to one mailbox only.
    DedicatedMailbox {
        /// The mailbox's email address.
        address: String,
    },
    /// A number or address whose contact is not accepted; `acknowledge` says whether what
    /// arrives from it is acknowledged (not, where not given).
    BlockedIdentifier {
        /// The phone number or email address blocked.
        identifier: String,
        /// What arrives from it is acknowledged (without an answer).
        #[serde(default)]
        acknowledge: bool,
    },
    /// Contact through their advocate only.
    AdvocateOnly,
    /// Correspondence is read and filed, answered only for new information or a new
    /// complaint (NOR-5.5).
    ReadAndFile {
        /// What arrives is acknowledged (without an answer).
        #[serde(default)]
        acknowledge: bool,
    },
    /// A finalised matter will not be reopened.
    NoReopening {
        /// The finalised matter.
        matter_id: i64,
        /// Why it will not be reopened.
        grounds: GroundsOut,
    },
    /// Repeated complaints about a matter are not recorded as new ones.
    NoRepeatComplaints {
        /// The matter.
        matter_id: i64,
    },
    /// Anything else the plan says, in words.
    Other {
        /// What it says.
        description: String,
    },
}

impl From<&Rule> for RuleOut {
    fn from(r: &Rule) -> Self {
        match r {
            Rule::CallWindow {
                windows,
                max_minutes,
                max_calls_per_window,
            } => Self::CallWindow {
                windows: windows
                    .iter()
                    .map(|w| WindowOut {
                        day: tact_core::model::weekday_name(w.weekday).to_ascii_lowercase(),
                        start: w.start.strftime("%H:%M").to_string(),
                        end: w.end.strftime("%H:%M").to_string(),
                    })
                    .collect(),
                max_minutes: *max_minutes,
                max_calls_per_window: *max_calls_per_window,
            },
            Rule::SingleChannel { channel } => Self::SingleChannel {
                channel: channel.as_str().to_string(),
            },
            Rule::SinglePointOfContact { staff_id } => Self::SinglePointOfContact {
                staff_id: staff_id.0,
            },
            Rule::RecordedCalls => Self::RecordedCalls,
            Rule::DedicatedMailbox { address } => Self::DedicatedMailbox {
                address: address.as_str().to_string(),
            },
            Rule::BlockedIdentifier {
                identifier,
                acknowledge,
            } => Self::BlockedIdentifier {
                identifier: identifier.key().to_string(),
                acknowledge: *acknowledge,
            },
            Rule::AdvocateOnly => Self::AdvocateOnly,
            Rule::ReadAndFile { acknowledge } => Self::ReadAndFile {
                acknowledge: *acknowledge,
            },
            Rule::NoReopening { matter_id, grounds } => Self::NoReopening {
                matter_id: matter_id.0,
                grounds: GroundsOut {
                    same_matter: grounds.same_matter,
                    no_new_substantive_evidence: grounds.no_new_substantive_evidence,
                    properly_handled: grounds.properly_handled,
                    note: grounds.note.clone(),
                },
            },
            Rule::NoRepeatComplaints { matter_id } => Self::NoRepeatComplaints {
                matter_id: matter_id.0,
            },
            Rule::Other { description } => Self::Other {
                description: description.clone(),
            },
        }
    }
}

/// A restriction as written in a plan: its rule and the reason for it (NOR-5.7).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RestrictionIn {
    #[serde(flatten)]
    pub rule: RuleOut,
    /// Why this restriction (required: left out, core refuses it naming
    /// `restrictions[i].reason`, as it refuses an empty one).
    #[serde(default)]
    #[schema(required = true)]
    pub reason: String,
}

answer! {
    /// A restriction as a plan holds it, with the catalogue's name for its kind and its clause.
    RestrictionOut {
        #[serde(flatten)]
        rule: RuleOut,
        /// Why the plan has it.
        reason: String,
        /// The restriction's name, as staff read it.
        name: Option<String>,
        /// The policy clause that allows it.
        clause: Option<String>,
    }
}

impl RestrictionOut {
    pub fn of(profile: &tact_core::profile::Profile, r: &Restriction) -> Self {
        let entry = profile.catalogue(r.rule.kind());
        Self {
            rule: RuleOut::from(&r.rule),
            reason: r.reason.clone(),
            name: entry.map(|e| e.name.clone()),
            clause: entry.map(|e| e.clause.clone()),
        }
    }
}

answer! {
    /// One answer to the checklist of underlying causes (CLE-9.5; NOR-4.1).
    ChecklistAnswerOut from ChecklistAnswer {
        /// The question answered.
        question_id: String,
        /// The answer.
        answer: AnswerWord,
        /// Why: what was checked or found.
        reason: String,
        /// The task to put a shortfall right, where one was made.
        remedy_task: Option<i64>,
        /// Where the answer shows a shortfall: why it cannot be put right first.
        cannot_remedy_reason: Option<String>,
        /// The staff id of who answered it.
        answered_by: i64,
        /// When it was answered.
        answered_at: Instant,
    }
}

answer! {
    /// A reasonable adjustment the plan departs from, by whom and why (CLE-9.13; NOR-5.9).
    OverrideOut from AdjustmentOverride {
        /// The granted adjustment the plan restricts.
        adjustment_id: i64,
        /// The staff id of who let the restriction stand.
        by: i64,
        /// Why.
        reason: String,
    }
}

answer! {
    /// The written notice of a plan (CLE-9.6; NOR-5.1, 5.4, 5.7).
    NoticeOut from Notice {
        /// When the notice was sent or given.
        sent_at: Instant,
        /// How it was given.
        channel: ChannelWord,
        /// The format it was given in.
        format: FormatWord,
        /// The person was asked to agree to the plan.
        agreement_sought: bool,
        /// Whether they agreed, where they answered.
        agreement_given: Option<bool>,
        /// What they said about it.
        agreement_note: Option<String>,
        /// The letter or email that gave the notice, where Tact recorded it from one it
        /// sent (`GET /api/v1/letters/{id}`).
        letter_id: Option<i64>,
        /// A copy of the policy went with it.
        policy_enclosed: bool,
        /// The version of the plan's restrictions it was for.
        plan_version: i64,
    }
}

answer! {
    /// A change to the plan waiting for its notice (NOR-5.1).
    PendingVariationOut {
        /// The restrictions as they will be.
        restrictions: Vec<RestrictionOut>,
        /// When the changed plan is to be reviewed.
        review_due: Day,
        /// Why it is changed.
        reason: String,
    }
}

answer! {
    /// A matter the plan is to be applied to, not yet in effect (NOR-6.2, 5.1).
    PendingMatterOut from PendingMatter {
        /// The matter the plan is to be applied to.
        matter_id: i64,
        /// Why the same behaviour calls for it there.
        reason: String,
        /// The staff id of who asked.
        requested_by: i64,
        /// When.
        requested_at: Instant,
        /// The staff id of who authorised it.
        authorised_by: Option<i64>,
        /// When it was authorised.
        authorised_at: Option<Instant>,
        /// authorisation or notice.
        waiting_for: String = |m| {
            let waiting = if m.authorised_by.is_some() { "notice" } else { "authorisation" };
            waiting.to_string()
        },
    }
}

answer! {
    /// A contact strategy (Cleveland) or communication plan (Northamptonshire); `term` is the
    /// profile's word for it.
    PlanOut {
        /// The plan's id.
        id: i64,
        /// What the office calls a plan: "contact strategy" (Cleveland) or "communication plan"
        /// (Northamptonshire).
        term: String,
        /// Whose plan it is.
        person_id: i64,
        /// Goes up with every change; a write from an older copy is refused with 409.
        version: i64,
        /// Goes up when the restrictions change: a written notice is for the version it names.
        plan_version: i64,
        /// Where it stands in its lifecycle.
        status: PlanStatusWord,
        /// It binds what the person does now, as the contact check judges a contact: active,
        /// in its dates, not lapsed for an overdue review (NOR-8.2), and they have been told
        /// of it in writing (CLE-9.6; NOR-5.1).
        in_force: bool,
        /// Its review date has passed without a review.
        review_overdue: bool,
        /// A written notice is awaited: the first, or one for a change that takes effect on
        /// it (CLE-9.6; NOR-5.1). Recording it (`POST …/notice`) is what makes it bite.
        awaits_notice: bool,
        /// The person's matters it covers.
        matter_ids: Vec<i64>,
        /// The recorded incidents it answers.
        incident_ids: Vec<i64>,
        /// What it restricts, each with the profile's name for it, its clause and its reason.
        restrictions: Vec<RestrictionOut>,
        /// The behaviour it responds to.
        reasons: String,
        /// What it aims to achieve.
        aims: String,
        /// Why it is fair, reasonable and proportionate.
        proportionality: String,
        /// Why no warning came first, where none did (CLE-9.3; NOR-5.8).
        no_warning_reason: Option<String>,
        /// The answers to the checklist of underlying causes, with who gave them and when.
        checklist: Vec<ChecklistAnswerOut>,
        /// The staff id of who drafted it.
        created_by: i64,
        /// When it was drafted.
        created_at: Instant,
        /// The staff id of who proposed it.
        proposed_by: Option<i64>,
        /// When it was proposed.
        proposed_at: Option<Instant>,
        /// The staff id of who authorised or refused it.
        decided_by: Option<i64>,
        /// When it was authorised or refused.
        decided_at: Option<Instant>,
        /// The reason given for the decision.
        decision_reason: Option<String>,
        /// Each granted adjustment it restricts, with who let the restriction stand and why
        /// (CLE-9.13; NOR-5.9).
        overrides: Vec<OverrideOut>,
        /// The written notice the person was given, once recorded.
        notice: Option<NoticeOut>,
        /// When it began to restrict.
        effective_from: Option<Instant>,
        /// When it is next to be reviewed.
        review_due: Day,
        /// The day it ends, if it has one.
        ends_on: Option<Day>,
        /// A change authorised and waiting for its written notice, where notice must come first
        /// (NOR-5.1).
        pending_variation: Option<PendingVariationOut>,
        /// Matters it is to be applied to, waiting for their authorisation or notice (NOR-5.1,
        /// 6.2).
        pending_matters: Vec<PendingMatterOut>,
        /// When it was lifted.
        lifted_at: Option<Instant>,
        /// Why it was lifted.
        lift_reason: Option<String>,
    }
}

impl PlanOut {
    /// A plan with the profile's names for its restrictions and whether it is in force `at`.
    pub fn of(profile: &tact_core::profile::Profile, s: &Plan, at: jiff::Timestamp) -> Self {
        let named =
            |rs: &[Restriction]| rs.iter().map(|r| RestrictionOut::of(profile, r)).collect();
        Self {
            id: s.id.0,
            term: profile.terms.plan.clone(),
            person_id: s.person_id.0,
            version: s.version,
            plan_version: s.plan_version,
            status: s.status.wire(),
            in_force: tact_core::check::binds(profile, s, at),
            review_overdue: s.review_overdue(tact_core::check::uk_date(at)),
            awaits_notice: s.awaits_notice(),
            matter_ids: s.matter_ids.wire(),
            incident_ids: s.incident_ids.wire(),
            restrictions: named(&s.restrictions),
            reasons: s.reasons.clone(),
            aims: s.aims.clone(),
            proportionality: s.proportionality.clone(),
            no_warning_reason: s.no_warning_reason.clone(),
            checklist: s.checklist.wire(),
            created_by: s.created_by.0,
            created_at: s.created_at.wire(),
            proposed_by: s.proposed_by.wire(),
            proposed_at: s.proposed_at.wire(),
            decided_by: s.decided_by.wire(),
            decided_at: s.decided_at.wire(),
            decision_reason: s.decision_reason.clone(),
            overrides: s.overrides.wire(),
            notice: s.notice.wire(),
            effective_from: s.effective_from.wire(),
            review_due: s.review_due.wire(),
            ends_on: s.ends_on.wire(),
            pending_variation: s.pending_variation.as_ref().map(|v| PendingVariationOut {
                restrictions: named(&v.restrictions),
                review_due: v.review_due.wire(),
                reason: v.reason.clone(),
            }),
            pending_matters: s.pending_matters.wire(),
            lifted_at: s.lifted_at.wire(),
            lift_reason: s.lift_reason.clone(),
        }
    }
}

answer! {
    /// A reasonable adjustment (CLE-8.5; NOR-1.3).
    AdjustmentOut from Adjustment {
        /// The adjustment's id.
        id: i64,
        /// Whose it is.
        person_id: i64,
        /// What kind of adjustment it is.
        kind: AdjustmentKindWord,
        /// What they need.
        description: String,
        /// Requested, granted or refused.
        status: AdjustmentStatusWord,
        /// When it was asked for.
        requested_at: Instant,
        /// The staff id of who recorded the request.
        recorded_by: i64,
        /// The staff id of who decided it.
        decided_by: Option<i64>,
        /// When it was decided.
        decided_at: Option<Instant>,
        /// The reasons given for the decision.
        decision_reason: Option<String>,
    }
}

answer! {
    /// Sharing a person's details with a partner (CLE-9.15; a local rule on Northamptonshire).
    DisclosureOut from tact_core::sharing::Disclosure {
        /// The request's id.
        id: i64,
        /// Whose details it is about.
        person_id: i64,
        /// The partner agency.
        partner: String,
        /// The legitimate reason for sharing.
        reason: String,
        /// What would be shared.
        details: String,
        /// The staff id of who asked.
        requested_by: i64,
        /// When it was asked.
        requested_at: Instant,
        /// Requested, approved, refused or shared.
        status: DisclosureStatusWord,
        /// The staff id of the Data Protection Officer who decided.
        decided_by: Option<i64>,
        /// When it was decided.
        decided_at: Option<Instant>,
        /// Why it was approved or refused.
        decision_reason: Option<String>,
        /// The staff id of who shared it.
        shared_by: Option<i64>,
        /// When it was shared.
        shared_at: Option<Instant>,
        /// What was shared, as it went.
        shared_what: Option<String>,
    }
}

answer! {
    /// Someone opened a person's restrictions, incidents or adjustments.
    AccessOut from Access {
        /// Whose record it was.
        person_id: i64,
        /// Who opened it.
        staff_id: i64,
        /// When it was opened.
        at: Instant,
        /// What they opened (restrictions, incidents, adjustments, a letter, …).
        what: String,
    }
}

answer! {
    /// A dispute about a plan (NOR-7.1).
    DisputeOut from Dispute {
        /// The dispute's id.
        id: i64,
        /// The plan disputed.
        plan_id: i64 = |d| d.plan_id.0,
        /// The same as `plan_id`: the first release's name for it, kept for its clients.
        #[schema(deprecated)]
        strategy_id: i64 = |d| d.plan_id.0,
        /// Who raised it.
        person_id: i64,
        /// Why they disagree, in their words.
        grounds: String,
        /// When it was received.
        received_at: Instant,
        /// What was decided, once it is.
        outcome: Option<DisputeOutcomeWord>,
        /// The staff id of who decided it.
        decided_by: Option<i64>,
        /// When it was decided.
        decided_at: Option<Instant>,
        /// The reasons for the decision.
        decision_reason: Option<String>,
    }
}

answer! {
    /// Further action: the police, legal advice or legal action (CLE-10.1–10.3; NOR-5.8).
    FurtherActionOut from FurtherAction {
        /// Its id.
        id: i64,
        /// Whom it concerns.
        person_id: i64,
        /// A referral to the police, legal advice, or legal action.
        kind: FurtherActionKindWord,
        /// Why.
        reasons: String,
        /// The person was told beforehand.
        prior_notice_given: bool,
        /// Why they were not told beforehand.
        no_notice_reason: Option<String>,
        /// The staff id of who decided it.
        decided_by: i64,
        /// When.
        decided_at: Instant,
    }
}

answer! {
    /// Something for a member of staff, or anyone in a role, to do.
    TaskOut from Task {
        /// The task's id.
        id: i64,
        /// What kind of task it is.
        kind: TaskKindWord = |r| r.task.kind.wire(),
        /// The person it concerns.
        person_id: Option<i64> = |r| r.task.person_id.wire(),
        /// The staff id of who is to do it, where it is one person's.
        assignee: Option<i64> = |r| r.task.assignee.wire(),
        /// The role whose members may do it, where it is not one person's.
        role: Option<RoleWord> = |r| r.task.role.wire(),
        /// What is to be done.
        title: String = |r| r.task.title.wire(),
        /// The day it is due, where it has one.
        due_on: Option<Day> = |r| r.task.due_on.wire(),
        /// The policy clause that asks for it.
        clause: String = |r| r.task.clause.wire(),
        /// The record it is about, as `contact:12` or `plan:7`.
        subject: Option<String> = |r| r.task.subject.wire(),
        /// When it was made.
        created_at: Instant,
        /// When it was done.
        done_at: Option<Instant>,
        /// The staff id of who did it.
        done_by: Option<i64>,
        /// What was done.
        outcome: Option<String>,
    }
}

answer! {
    /// A member of staff.
    StaffOut from Staff {
        /// Their staff id.
        id: i64,
        /// Their name.
        name: String,
        /// Their work email address.
        email: Option<String>,
        /// What they do.
        role: RoleWord,
        /// Their line manager's staff id.
        line_manager: Option<i64>,
        /// Whether they may sign in and their tokens work.
        active: bool,
        /// A service account's scope; absent for staff.
        scope: Option<ScopeWord>,
    }
}

answer! {
    /// A data-rights request (UK GDPR), with its deadline.
    RightsOut from tact_core::rights::RightsRequest {
        /// The request's id.
        id: i64,
        /// Who made it.
        person_id: i64,
        /// Which right.
        kind: RightKindWord,
        /// What they asked, in their words.
        details: String,
        /// How it came.
        channel: ChannelWord,
        /// The day it was received.
        received_on: Day,
        /// The day it must be answered by: one calendar month from receipt.
        due_on: Day,
        /// The later day, where it was extended.
        extended_to: Option<Day>,
        /// Why more time was needed.
        extension_reason: Option<String>,
        /// The day it must be answered by, extension included.
        deadline: Day = |r| Day(r.deadline()),
        /// Open, done or refused.
        status: RightStatusWord,
        /// What was done, or why it was refused.
        outcome: Option<String>,
        /// The law it answers to.
        clause: String = |_| tact_core::rights::CLAUSE.to_string(),
    }
}

answer! {
    /// The person a contact check found.
    FoundOut {
        /// The person's id.
        id: i64,
        /// Their reference, as staff know it.
        reference: Option<String>,
        /// Their name.
        name: Option<String>,
    }
}

answer! {
    /// One person a shared identifier could be, with the answer for them.
    CandidateOut {
        /// The person's id.
        id: i64,
        /// Their reference.
        reference: String,
        /// Their name.
        name: String,
        /// The answer were the contact theirs.
        outcome: OutcomeWord,
    }
}

answer! {
    /// A restriction that bears on this contact, and how.
    AppliedOut {
        /// The plan the restriction is part of.
        plan_id: i64,
        /// The same as `plan_id`: the first release's name for it, kept for its clients.
        #[schema(deprecated)]
        strategy_id: i64,
        /// The restriction's kind, as in the profile's catalogue (`GET /profile`,
        /// `restrictions`).
        kind: String,
        /// The restriction's name, as staff read it.
        name: String,
        /// The policy clause that allows the restriction.
        clause: String,
        /// How it bears on this contact: it forbids it, or sets a condition.
        effect: EffectWord,
        /// What it means for this contact, in a sentence staff can act on.
        explanation: String,
        /// The matters it covers; empty where it covers all of theirs.
        matters: Vec<i64>,
    }
}

answer! {
    AdjustmentNoteOut {
        /// The reasonable adjustment's id.
        id: i64,
        /// What it is, to be honoured in this contact.
        description: String,
    }
}

answer! {
    /// How fresh a contact check's answer is (issue 10).
    FreshnessOut {
        /// index or database.
        source: String,
        /// The last change to the records this server had taken in when it answered.
        change_seq: i64,
        /// How long before the answer this server last caught up with every change, in
        /// milliseconds; `null` before it first has.
        synced_ms_ago: Option<u64>,
        /// The longest this server may be behind before it answers from the database instead of
        /// its index, in milliseconds.
        bound_ms: u64,
    }
}

answer! {
    /// What staff may and must do with this contact (CLE-9.9; NOR-5.5), and why.
    VerdictOut {
        /// The answer in a sentence, as staff read it first (the incoming-contact page's
        /// heading): "You can deal with this contact", "…, with conditions", "Their
        /// contact strategy does not allow this contact" (the profile's term), or, for a
        /// withheld or shared number, to ask who is calling.
        headline: String,
        /// Who the contact is from, where one person is found; `null` for someone not yet
        /// known, or a number several people share (see `candidates`).
        person: Option<FoundOut>,
        /// The outcome, or ambiguous where the identifier is shared (then
        /// `strictest_outcome` holds, and `candidates` says who it could be).
        outcome: CheckAnswerWord,
        /// The answer on its own terms: for a shared number, the strictest for any of the
        /// people it could be.
        strictest_outcome: OutcomeWord,
        /// Whether staff may deal with the contact at all (`false` only where a plan forbids
        /// it).
        allowed: bool,
        /// Everyone a shared number or address could be, each with their own answer; empty
        /// unless several people use it.
        candidates: Vec<CandidateOut>,
        /// The caller's number was withheld or unavailable.
        withheld: bool,
        /// Words for staff to say.
        say: Vec<String>,
        /// What staff must do.
        must: Vec<String>,
        /// Each restriction of theirs that bears on this contact, and how.
        restrictions: Vec<AppliedOut>,
        /// Their granted reasonable adjustments, to be honoured in this contact.
        adjustments: Vec<AdjustmentNoteOut>,
        /// The contact must be read for a genuine complaint, new information, a possible crime
        /// or a safeguarding concern (CLE-9.10; NOR-5.5).
        screening_required: bool,
        /// After a breach, staff need not engage with the contact (NOR-5.8).
        staff_may_disengage: bool,
        /// Staff are to ask whether they need additional help (CLE-8.1; NOR-1.3).
        ask_additional_help: bool,
        /// A plan says their calls are recorded: staff tell them, and record it.
        record_call: bool,
        /// The longest a call with them may last, in minutes, where a plan limits it.
        max_minutes: Option<u32>,
        /// The staff id of their single point of contact, where a plan names one: the call goes
        /// to them.
        put_through_to: Option<i64>,
        /// The mailbox their emails go to, where a plan diverts them.
        divert_to_mailbox: Option<String>,
        /// The policy clauses behind the answer.
        clauses: Vec<String>,
        /// Present on a contact check's own answer.
        #[serde(skip_serializing_if = "Option::is_none")]
        freshness: Option<FreshnessOut>,
    }
}

answer! {
    /// A member of staff's telephone extension (issue 14).
    ExtensionOut {
        /// The member of staff.
        staff_id: i64,
        /// Their extension (2 to 8 digits), or `null` where they have none.
        extension: Option<String>,
    }
}

answer! {
    /// What a phone system does with a call (issue 14): put-through (to `extension`, a
    /// plan's single point of contact's, or the office's usual line without one), ring
    /// (staff see `screen_pop` first), voicemail, or refuse (play `say`, end the call).
    RoutingOut {
        /// put-through, ring, voicemail or refuse.
        action: String,
        /// The extension to put the call through to, where there is one; else the office's
        /// usual line.
        extension: Option<String>,
        /// Words to play to the caller (voicemail, refuse), written for a recording: the
        /// restriction, what to do if anyone is in danger, and how to raise a new matter.
        /// (`verdict.say` is what staff say, in their own voice.)
        say: Vec<String>,
        /// Why, in a line: for a SIP reason phrase or a log.
        reason: String,
        /// The incoming-contact page for this caller, to open beside the ringing phone.
        screen_pop: String,
        /// The number dialled, as the phone system gave it.
        dialled: Option<String>,
        /// The contact check's answer for the caller, as staff see it.
        verdict: VerdictOut,
    }
}

// ----- composite answers ----------------------------------------------------------

answer! {
    /// The error every refusal answers with: 400 bad input, 401 no token, 403 a role the
    /// profile does not allow, 404 no such record, 409 a rule or a change meanwhile, 503.
    ErrorOut {
        /// What was refused, and why.
        error: ErrorBody,
    }
}

answer! {
    ErrorBody {
        /// What is wrong, in a sentence a person can act on.
        message: String,
        /// The request field at fault, where there is one.
        field: Option<String>,
        /// The policy clause that makes the rule, where there is one.
        clause: Option<String>,
        /// Where the caller may overrule this refusal: the request field that, sent, says to
        /// go ahead anyway — `keep_unverified` (true) for a phone number libphonenumber
        /// cannot confirm, `shared` (listing it) for a number or address another person
        /// holds. Absent otherwise.
        #[serde(skip_serializing_if = "Option::is_none")]
        overridden_by: Option<String>,
    }
}

answer! {
    /// Whether this server answers true (issue 10).
    ReadyOut {
        /// Whether this server answers true: its index is caught up within its bound, or it
        /// answers from the database.
        ready: bool,
        /// ready, building or behind.
        index: String,
        /// The last change to the records this server has taken in.
        change_seq: i64,
        /// How long ago it last caught up with every change, in milliseconds; `null` before it
        /// first has.
        synced_ms_ago: Option<u64>,
        /// The longest it may be behind before it answers from the database, in milliseconds.
        bound_ms: u64,
        /// What is wrong, where it is not ready.
        problem: Option<String>,
    }
}

answer! {
    /// The office whose policy is loaded.
    OrganisationOut from p::Organisation {
        /// The profile's id for the office.
        id: String,
        /// The office's name.
        name: String,
        /// Its short name.
        short_name: String,
    }
}

answer! {
    /// The profile's words for a plan: "contact strategy" or "communication plan".
    TermsOut from p::Terms {
        /// The office's word for a plan ("contact strategy", "communication plan").
        plan: String,
        /// The same, for more than one.
        plan_plural: String,
    }
}

answer! {
    /// A category of unacceptable behaviour, with its clause and examples.
    CategoryOut from p::Category {
        /// The category's id, as an incident names it.
        id: String,
        /// Its name, as staff read it.
        name: String,
        /// The policy clause that names the behaviour.
        clause: String,
        /// The policy's examples of it.
        examples: Vec<String>,
    }
}

answer! {
    /// A question of the checklist of underlying causes.
    QuestionOut from p::Question {
        /// The question's id, as an answer names it.
        id: String,
        /// The question.
        text: String,
        /// The answer that shows a shortfall to put right before a plan is proposed.
        shortfall_if: AnswerWord,
        /// Whether `not-applicable` is an answer to it.
        may_be_not_applicable: bool,
    }
}

answer! {
    /// The checklist of underlying causes.
    ChecklistOut from p::Checklist {
        /// The policy clause that asks for the checklist.
        clause: String,
        /// Its questions, in order.
        questions: Vec<QuestionOut>,
    }
}

answer! {
    /// A kind of restriction the profile allows, with its clause and its words.
    CatalogueOut from p::CatalogueEntry {
        /// The kind, as a plan's restriction names it.
        kind: RestrictionKindWord,
        /// Its name, as staff read it.
        name: String,
        /// The policy clause that allows it.
        clause: String,
        /// The policy's words for it.
        text: String,
    }
}

answer! {
    /// Where a person disputes a plan.
    DisputeRouteOut from p::DisputeRoute {
        /// Where a person raises a dispute, in the policy's words.
        route: String,
        /// The address disputes go to.
        contact_email: String,
        /// The policy clause that gives the route.
        clause: String,
    }
}

answer! {
    /// The loaded policy profile.
    ProfileOut from p::Profile {
        /// The office.
        organisation: OrganisationOut,
        /// What the office calls a plan.
        terms: TermsOut,
        /// The longest a plan may go without a review, in months.
        max_review_interval_months: u32 = |p| p.rules.max_review_interval_months,
        /// A plan restricts only once written notice is recorded (NOR-5.1); else from its
        /// authorisation.
        notice_before_effect: bool = |p| p.rules.notice_before_effect,
        /// The categories of unacceptable behaviour.
        categories: Vec<CategoryOut>,
        /// The checklist of underlying causes.
        checklist: ChecklistOut,
        /// The kinds of restriction the policy allows.
        restrictions: Vec<CatalogueOut>,
        /// Where a person disputes a plan, where the policy gives a route.
        dispute: Option<DisputeRouteOut>,
    }
}

answer! {
    PeopleOut {
        /// The people found.
        people: Vec<PersonOut>,
    }
}

answer! {
    /// Everything held about a person, as the record page shows it.
    PersonRecordOut {
        /// Their details.
        person: PersonOut,
        /// Their matters.
        matters: Vec<MatterOut>,
        /// Their contacts.
        contacts: Vec<ContactOut>,
        /// The unacceptable behaviour recorded.
        incidents: Vec<IncidentOut>,
        /// The warnings they were given.
        warnings: Vec<WarningOut>,
        /// Their plans, every status.
        plans: Vec<PlanOut>,
        /// The same as `plans`: the first release's name for them, kept for its clients.
        #[schema(deprecated)]
        strategies: Vec<PlanOut>,
        /// Their reasonable adjustments.
        adjustments: Vec<AdjustmentOut>,
        /// Requests to share their details.
        disclosures: Vec<DisclosureOut>,
        /// Their disputes of a plan.
        disputes: Vec<DisputeOut>,
        /// Referrals to the police and legal action.
        further_actions: Vec<FurtherActionOut>,
        /// Tasks about them, open and done, whoever they are for; a task about a member of
        /// staff (a colleague's ended call, behaviour towards them, their welfare) only where
        /// the reader may close it.
        tasks: Vec<TaskOut>,
        /// What the reader may do now with each of these records that has a step, keyed by
        /// the record's path (`/plans/5`, `/disputes/2`, `/adjustments/3`, `/disclosures/1`,
        /// `/data-rights/4`, `/contacts/9`, `/warnings/1`, `/incidents/7`, `/letters/12`,
        /// `/tasks/30`), each step posted to `{path}/{step}` (`decision`, `letter`, `shared`,
        /// `answer`, `screen`, `release`, `printed`, `complete`, `breach-reminder`, and a
        /// plan's as in `GET /plans/{id}`): core's answer, as the staff pages offer them. A
        /// record with no step now is not listed. What is sent can still be refused.
        steps: std::collections::BTreeMap<String, Vec<String>>,
    }
}

answer! {
    /// Two records of one person merged (issue 10): the one kept, and how much moved to it.
    MergedOut {
        /// The record kept, with the other merged into it.
        person: PersonOut,
        /// The id of the record merged in, which now leads to the one kept.
        merged: i64,
        /// How many of each kind of record moved.
        moved: std::collections::BTreeMap<String, i64>,
    }
}

answer! {
    /// A contact logged, the verdict it was logged under, and any tasks it raised.
    LoggedOut {
        /// The contact as logged.
        contact: ContactOut,
        /// The contact check's answer for it, as staff were given it.
        verdict: VerdictOut,
        /// The ids of the tasks it made (screening, a breach to answer), on the lists of those
        /// who do them.
        tasks: Vec<i64>,
    }
}

answer! {
    ContactsOut {
        /// The contacts.
        contacts: Vec<ContactOut>,
    }
}

answer! {
    IncidentRecordedOut {
        /// The incident as recorded.
        incident: IncidentOut,
        /// The ids of the follow-up tasks it made, on the lists of those who do them.
        tasks: Vec<i64>,
    }
}

answer! {
    /// One plan as its reader sees it: the plan, and what they may do with it now.
    PlanViewOut {
        #[serde(flatten)]
        plan: PlanOut,
        /// The steps the reader may take on it now, each posted to `/plans/{id}/{step}`
        /// (`checklist`, `propose`, `withdraw`, `authorise`, `refuse`, `notice`, `review`,
        /// `vary`, `lift`, `apply-to-matter`, `decide-matter`, `disputes`, `letters`): core's
        /// answer, as the staff pages offer them, so a client offers only what will be
        /// allowed. What is sent can still be refused.
        steps: Vec<String>,
        /// The letters about it the reader may write now, each a `kind` for
        /// `POST /plans/{id}/letters` (`strategy-notice`, `breach-reminder`,
        /// `review-outcome`, `variation`, `lifting`, `dispute-outcome`): none unless `steps`
        /// holds `letters`. A notice is of a plan authorised or in force, a reminder of one in
        /// force, and an outcome only of a decision the record holds.
        letters: Vec<String>,
    }
}

answer! {
    /// The plan with its checklist answered, and any tasks to put a shortfall right.
    ChecklistAnsweredOut {
        #[serde(flatten)]
        plan: PlanOut,
        /// The ids of the tasks made to put shortfalls right.
        remedy_tasks: Vec<i64>,
    }
}

/// The schema of an answer's field that repeats a plan under the first release's name: the
/// plan's own schema, marked deprecated. utoipa's `$ref` cannot carry `deprecated`, so the
/// reference stands in an `allOf`, which may (JSON Schema 2020-12, as OpenAPI 3.1 reads it);
/// utoipa writes only `x-` words through its builder, so the word is set on the map itself.
fn deprecated_plan() -> utoipa::openapi::schema::Schema {
    let mut schema = utoipa::openapi::schema::AllOfBuilder::new()
        .item(utoipa::openapi::Ref::from_schema_name("PlanOut"))
        .description(Some(
            "The same as `plan`: the first release's name for it, kept for its clients.",
        ))
        .build();
    schema
        .extensions
        .get_or_insert_with(Default::default)
        .insert("deprecated".into(), true.into());
    utoipa::openapi::schema::Schema::AllOf(schema)
}

answer! {
    DisputeDecidedOut {
        /// The dispute as decided.
        dispute: DisputeOut,
        /// The plan disputed, as the decision left it.
        plan: PlanOut,
        /// The same as `plan`: the first release's name for it, kept for its clients.
        #[schema(schema_with = deprecated_plan)]
        strategy: PlanOut,
    }
}

answer! {
    TasksOut {
        /// The tasks.
        tasks: Vec<TaskOut>,
    }
}

answer! {
    StartedOut {
        /// The behaviour category the plans answer.
        category: String,
        /// Where they stand now (drafted, proposed, active, lifted, …).
        stage: String,
        /// How many.
        count: u64,
    }
}

answer! {
    InForceOut {
        /// The behaviour category the plans answer.
        category: String,
        /// How many.
        count: u64,
    }
}

answer! {
    ReviewsDoneOut {
        /// Reviews done in the period by their due date.
        on_time: u64,
        /// Reviews done in the period after their due date.
        late: u64,
        /// Reviews done in the period whose due date was not known.
        timing_not_recorded: u64,
        /// Plans whose review was overdue at the period's end.
        overdue_at_end: u64,
    }
}

answer! {
    DisputesCountOut {
        /// Disputes raised in the period.
        raised: u64,
        /// How many were decided each way.
        decided: std::collections::BTreeMap<String, u64>,
    }
}

answer! {
    AdjustmentsCountOut {
        /// Adjustments asked for in the period.
        requested: u64,
        /// Of those decided in the period, how many were granted.
        granted: u64,
        /// Of those decided in the period, how many were refused.
        refused: u64,
    }
}

answer! {
    /// The governance report for a period.
    GovernanceOut {
        /// The period, in words (a quarter, a year).
        period: String,
        /// Its first day.
        from: Day,
        /// Its last day.
        to: Day,
        /// Plans started in the period, by behaviour category and where they stand now.
        plans_started: Vec<StartedOut>,
        /// Plans in force at the period's end, by behaviour category.
        plans_in_force_at_end: Vec<InForceOut>,
        /// Reviews done in the period, by whether they were on time, and those overdue at its end.
        reviews: ReviewsDoneOut,
        /// Contacts that broke a plan in the period.
        breaches: u64,
        /// Disputes raised and decided in the period.
        disputes: DisputesCountOut,
        /// Reasonable adjustments asked for and decided in the period.
        adjustments: AdjustmentsCountOut,
    }
}

impl GovernanceOut {
    pub fn of(r: &tact_core::governance::Report, period: &tact_core::governance::Period) -> Self {
        Self {
            period: r.period.clone(),
            from: period.from.wire(),
            to: period.to.wire(),
            plans_started: r
                .started
                .iter()
                .map(|((c, s), n)| StartedOut {
                    category: c.clone(),
                    stage: s.clone(),
                    count: *n,
                })
                .collect(),
            plans_in_force_at_end: r
                .in_force_at_end
                .iter()
                .map(|(c, n)| InForceOut {
                    category: c.clone(),
                    count: *n,
                })
                .collect(),
            reviews: ReviewsDoneOut {
                on_time: r.reviews_on_time,
                late: r.reviews_late,
                timing_not_recorded: r.reviews_unknown,
                overdue_at_end: r.reviews_overdue_at_end,
            },
            breaches: r.breaches,
            disputes: DisputesCountOut {
                raised: r.disputes_raised,
                decided: r.dispute_outcomes.clone(),
            },
            adjustments: AdjustmentsCountOut {
                requested: r.adjustments_requested,
                granted: r.adjustments_granted,
                refused: r.adjustments_refused,
            },
        }
    }
}

answer! {
    RightsListOut {
        /// The requests.
        requests: Vec<RightsOut>,
    }
}

answer! {
    AccessListOut {
        /// Each opening of their record.
        access: Vec<AccessOut>,
    }
}

answer! {
    DisclosuresOut {
        /// The requests to share.
        disclosures: Vec<DisclosureOut>,
    }
}

answer! {
    PlansOut {
        /// The plans.
        plans: Vec<PlanOut>,
        /// The same as `plans`: the first release's name for them, kept for its clients.
        #[schema(deprecated)]
        strategies: Vec<PlanOut>,
    }
}

answer! {
    StaffListOut {
        /// Every member of staff and service account.
        staff: Vec<StaffOut>,
    }
}

answer! {
    /// A new API token: the secret, shown once, and the token as it is listed.
    TokenOut {
        /// The secret: shown once, here, and never again. Send it as `Authorization: Bearer …`.
        token: String,
        /// The token as it is listed.
        about: ApiTokenOut,
    }
}

answer! {
    /// An API token as its holder and administrators see it: never the secret.
    ApiTokenOut from tact_core::model::ApiToken {
        /// The token's id (never the secret).
        id: i64,
        /// Whose token it is: a member of staff or a service account.
        staff_id: i64,
        /// What it is for.
        name: String,
        /// When it was made.
        created_at: Instant,
        /// The staff id of who made it.
        created_by: Option<i64>,
        /// When it stops working.
        expires_at: Instant,
        /// When it was revoked, if it was.
        revoked_at: Option<Instant>,
        /// The staff id of who revoked it.
        revoked_by: Option<i64>,
    }
}

answer! {
    /// API tokens, newest first.
    TokensOut {
        /// The tokens.
        tokens: Vec<ApiTokenOut>,
    }
}

answer! {
    VerifiedOut {
        /// Whether the event log's hash chain is whole: no entry changed, removed or put in.
        intact: bool,
        /// How many entries were checked.
        entries: u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{time, Weekday};
    use tact_core::identity::{EmailAddress, Identifier};
    use tact_core::ids::{MatterId, StaffId};
    use tact_core::profile::{Channel, RestrictionKind};

    /// One rule of every kind.
    fn every_kind() -> Vec<Rule> {
        vec![
            Rule::CallWindow {
                windows: vec![CallWindow {
                    weekday: Weekday::Tuesday,
                    start: time(10, 0, 0, 0),
                    end: time(12, 30, 0, 0),
                }],
                max_minutes: Some(20),
                max_calls_per_window: None,
            },
            Rule::SingleChannel {
                channel: Channel::Email,
            },
            Rule::SinglePointOfContact {
                staff_id: StaffId(4),
            },
            Rule::RecordedCalls,
            Rule::DedicatedMailbox {
                address: EmailAddress::parse("contact@opcc.example").unwrap(),
            },
            Rule::BlockedIdentifier {
                identifier: Identifier::parse("07700 900123").unwrap(),
                acknowledge: true,
            },
            Rule::AdvocateOnly,
            Rule::ReadAndFile { acknowledge: false },
            Rule::NoReopening {
                matter_id: MatterId(3),
                grounds: NoReopeningGrounds {
                    same_matter: true,
                    no_new_substantive_evidence: true,
                    properly_handled: false,
                    note: "Reviewed twice".into(),
                },
            },
            Rule::NoRepeatComplaints {
                matter_id: MatterId(3),
            },
            Rule::Other {
                description: "Visits by appointment".into(),
            },
        ]
    }

    #[test]
    fn every_restriction_kind_is_documented_and_the_api_shape_is_the_one_a_plan_is_written_with() {
        let rules = every_kind();
        let kinds: Vec<RestrictionKind> = rules.iter().map(Rule::kind).collect();
        assert_eq!(
            kinds,
            RestrictionKind::ALL.to_vec(),
            "one rule of every kind"
        );
        for rule in &rules {
            let restriction = Restriction {
                rule: rule.clone(),
                reason: "Because".into(),
            };
            let out = serde_json::to_value(RestrictionIn {
                rule: RuleOut::from(rule),
                reason: "Because".into(),
            })
            .unwrap();
            // The API's shape is its own type; it is still the shape Tact has always
            // answered with, which is also how a plan is stored ...
            assert_eq!(
                out,
                tact_store::codec::restriction_json(&restriction),
                "{:?}",
                rule.kind()
            );
            assert_eq!(out["kind"], rule.kind().as_str());
            // ... and what a plan is written with reads back, through the wire type, to
            // the same rule.
            let typed: RestrictionIn = serde_json::from_value(out).unwrap();
            assert_eq!(typed.into_core("restrictions[0]").unwrap(), restriction);
        }
        // The OpenAPI document names every kind with its fields.
        let doc = serde_json::to_value(<RuleOut as utoipa::PartialSchema>::schema())
            .unwrap()
            .to_string();
        for k in RestrictionKind::ALL {
            assert!(doc.contains(&format!("\"{}\"", k.as_str())), "{k:?}: {doc}");
        }
        for field in [
            "windows",
            "max_calls_per_window",
            "staff_id",
            "identifier",
            "grounds",
        ] {
            assert!(doc.contains(field), "{field}");
        }
    }
}

answer! {
    /// A letter or email to a person, as kept: what was written is what goes.
    LetterOut from tact_core::correspondence::StoredLetter {
        /// The letter's id.
        id: i64,
        /// Who it is to.
        person_id: i64,
        /// strategy-notice, breach-reminder, review-outcome, variation, lifting,
        /// dispute-outcome, adjustment-decision, warning, call-ended, acknowledgement, …
        kind: String,
        /// The record it is about, as `strategy:7`.
        about: Option<String>,
        /// email or letter.
        channel: ChannelWord,
        /// The format it is written in.
        format: FormatWord,
        /// The email or postal address it goes to.
        to_address: String,
        /// Its heading.
        subject: String,
        /// Its words, as they go.
        text: String,
        /// Where it is: a draft is held for checking; a failed email needs staff.
        status: LetterStatusWord,
        /// How many times sending it by email has been tried.
        attempts: i64,
        /// Why the last try to email it failed.
        last_error: Option<String>,
        /// When it was written.
        created_at: Instant,
        /// The staff id of who wrote it.
        created_by: i64,
        /// When it went (emailed, or marked printed and posted).
        sent_at: Option<Instant>,
        /// The characters the PDF's font cannot show, separated by spaces (a name in
        /// Chinese, say): they print as empty boxes, so send the Word document or finish
        /// the letter by hand. Null where the PDF shows all of it.
        unprintable: Option<String> = tact_mail::pdf::unprintable,
    }
}

answer! {
    LettersOut {
        /// The letters.
        letters: Vec<LetterOut>,
    }
}

answer! {
    /// A kept message: where it went and what it became.
    MessageOut from tact_core::correspondence::StoredMessage {
        /// The message's id in Tact.
        id: i64,
        /// Its `Message-ID` header.
        message_id: String,
        /// The mailbox it arrived in.
        mailbox: String,
        /// When it arrived.
        received_at: Instant,
        /// The address it came from.
        sender: String,
        /// Its subject line.
        subject: String,
        /// What became of it: logged as a contact, waiting to be matched to a person,
        /// quarantined, …
        route: MessageRouteWord,
        /// Why it was quarantined, where it was.
        quarantine_reason: Option<String>,
        /// The person it is from, once known.
        person_id: Option<i64>,
        /// The matter it is about, where known.
        matter_id: Option<i64>,
        /// The contact it was logged as.
        contact_id: Option<i64>,
    }
}

answer! {
    MessagesOut {
        /// The messages.
        messages: Vec<MessageOut>,
    }
}

answer! {
    /// An attachment: fetched by its number; whatever type the sender claimed, it is sent as
    /// `application/octet-stream`.
    AttachmentOut {
        /// Its number in the message, for `GET /messages/{id}/attachments/{n}`.
        n: usize,
        /// Its file name, as the sender gave it.
        name: Option<String>,
        /// The media type the sender claimed for it (not trusted).
        claimed_type: String,
        /// Its size in bytes.
        bytes: usize,
    }
}

answer! {
    /// A message with its words and its attachments listed.
    MessageWithAttachmentsOut {
        #[serde(flatten)]
        message: MessageOut,
        /// Its words, as its contact holds them: null where this member of staff may not
        /// read them, or where it could not be read as email (`/messages/{id}/raw` has it
        /// as received).
        text: Option<String>,
        /// Its attachments, listed (fetch each by its number).
        attachments: Vec<AttachmentOut>,
    }
}

answer! {
    /// Someone whose records are due for disposal (NOR-9.1), as the dry run lists them.
    DueOut from tact_app::retention::Due {
        /// Whose records they are.
        person_id: i64 = |d| d.person.0,
        /// Their name.
        name: String,
        /// Their reference.
        reference: String,
        /// The day their records became due for disposal.
        due_on: Day,
    }
}

answer! {
    DueListOut {
        /// Nothing is destroyed by asking: the DPO confirms a disposal (`tact retention
        /// dispose --confirm` or the retention page).
        due: Vec<DueOut>,
    }
}

answer! {
    /// How many of one kind of record a disposal destroyed.
    DestroyedOut {
        /// The kind of record (`contact`, `matter`, `person`, …).
        what: String,
        /// How many were destroyed.
        count: u64,
    }
}

answer! {
    /// One person's records destroyed by a disposal (NOR-9.1): what went, without the data.
    DisposedOut from tact_app::retention::Disposed {
        /// Their reference (kept on the disposal register; nothing else of them is).
        reference: String,
        /// The day their records were due for disposal.
        due_on: Day,
        /// The kinds of record destroyed, leaving out those there were none of.
        destroyed: Vec<DestroyedOut> = |d| d
            .counts
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(what, count)| DestroyedOut { what: what.clone(), count: *count })
            .collect(),
    }
}

answer! {
    /// What a disposal destroyed: one entry a person, each also on the disposal register.
    DisposedListOut {
        /// Each person whose records were destroyed.
        disposed: Vec<DisposedOut>,
    }
}

answer! {
    /// One entry of the disposal register (NOR-9.1): what was destroyed, when and by whom,
    /// without the data.
    RegisterEntryOut from tact_core::retention::RegisterEntry {
        /// Their reference.
        reference: String,
        /// The day their records were due.
        due_on: Day,
        /// When they were destroyed.
        destroyed_at: Instant,
        /// The DPO who confirmed it; null for a disposal by the scheduled job.
        destroyed_by: Option<i64>,
        /// What went, as the register lists it (`contact: 3; person: 1`).
        destroyed: String,
    }
}

answer! {
    /// The disposal register, newest first.
    RegisterOut {
        /// Every disposal on the register.
        register: Vec<RegisterEntryOut>,
    }
}

answer! {
    /// A legal hold (NOR-9.1): the person's records are kept past their disposal date until
    /// it is lifted.
    HoldOut {
        /// The hold's id.
        id: i64,
        /// Whose records it keeps.
        person_id: i64,
        /// Why they must be kept.
        reason: String,
    }
}

impl HoldOut {
    /// A hold on person `person_id`, as the app gives it: its id and its reason as kept.
    pub fn of(person_id: i64, (id, reason): (i64, String)) -> Self {
        Self {
            id,
            person_id,
            reason,
        }
    }
}

answer! {
    /// The legal hold in place on a person's records, if any.
    HoldOnOut {
        /// The legal hold on their records, or `null` where there is none.
        hold: Option<HoldOut>,
    }
}

answer! {
    /// A legal hold in place (NOR-9.1), as the list of holds gives it: whose records it
    /// keeps, why, and who placed it when.
    LegalHoldOut from tact_core::retention::LegalHold {
        /// The hold's id.
        id: i64,
        /// Whose records it keeps.
        person_id: i64 = |h| h.person.0,
        /// The person's reference.
        reference: String,
        /// Why they must be kept.
        reason: String,
        /// The staff id of who placed it.
        placed_by: i64 = |h| h.placed_by.0,
        /// When it was placed.
        placed_at: Instant,
    }
}

answer! {
    /// Every legal hold in place, the longest-standing first.
    HoldListOut {
        /// Every legal hold in place.
        holds: Vec<LegalHoldOut>,
    }
}

answer! {
    /// Where one person's records stand under the retention rule (NOR-9.1).
    DisposalOut {
        /// The day their records fall, or fell, due for disposal; null while they are kept.
        due_on: Option<Day>,
        /// Whether they are due today, so that the dry run lists them.
        due: bool,
        /// Why they are kept (a matter not finalised, a plan in force, a data-rights request
        /// open, a legal hold); null once they have a day.
        kept_because: Option<String>,
    }
}

impl DisposalOut {
    /// Where the records stand on `today`, as core's rule says ([`tact_core::retention::due`]).
    pub fn of(d: &tact_core::retention::Disposal, today: jiff::civil::Date) -> Self {
        use tact_core::retention::Disposal;
        Self {
            due_on: match d {
                Disposal::DueOn(on) => Some(Day(*on)),
                Disposal::Kept(_) => None,
            },
            due: tact_core::retention::due(d, today),
            kept_because: match d {
                Disposal::Kept(why) => Some(why.clone()),
                Disposal::DueOn(_) => None,
            },
        }
    }
}

answer! {
    /// A legal hold lifted: the records go by the retention rules again.
    HoldLiftedOut {
        /// The hold's id.
        id: i64,
        /// It is lifted: their records are kept only as long as the retention rules say.
        lifted: bool,
    }
}

answer! {
    /// Whether a person has equality monitoring answers on record: never what they are.
    EqualityHeldOut {
        /// The person.
        person_id: i64,
        /// Whether they have equality monitoring answers on record (never what they are).
        recorded: bool,
    }
}

answer! {
    /// One answer to one question of the equality monitoring report, with how many of those
    /// who gave it were warned, restricted and given an adjustment. A count of fewer than 5
    /// (but not none) is null, so no one person can be picked out.
    EqualityRowOut {
        /// The question (`age`, `disability`, `ethnicity`, …).
        characteristic: String,
        /// The answer's word, as `PUT /people/{id}/equality` takes it.
        answer: String,
        /// The answer as the question's reader sees it.
        words: String,
        /// How many gave this answer.
        people: Option<u64>,
        /// How many of them were given a warning.
        warned: Option<u64>,
        /// How many of them have had a plan that restricts.
        restricted: Option<u64>,
        /// How many of them were granted a reasonable adjustment.
        adjusted: Option<u64>,
    }
}

answer! {
    /// The equality monitoring report (CLE-8.4; NOR-1.4): counts only, small ones withheld.
    EqualityReportOut {
        /// How many people answered (null: fewer than 5).
        monitored: Option<u64>,
        /// One row for each answer to each question.
        rows: Vec<EqualityRowOut>,
    }
}

impl From<&tact_core::equality::Report> for EqualityReportOut {
    fn from(r: &tact_core::equality::Report) -> Self {
        use tact_core::equality::released;
        Self {
            monitored: released(r.monitored),
            rows: r
                .rows
                .iter()
                .map(|row| EqualityRowOut {
                    characteristic: row.characteristic.as_str().to_string(),
                    answer: row.answer.to_string(),
                    words: row.words.to_string(),
                    people: released(row.all),
                    warned: released(row.warned),
                    restricted: released(row.restricted),
                    adjusted: released(row.adjusted),
                })
                .collect(),
        }
    }
}
