//! Policy profiles: one organisation's policy as data.
//!
//! A profile is a TOML file shipped in `policies/`. It holds the organisation's own
//! words (its term for the plan, its behaviour categories and their examples, its
//! checklist), its numbers (the longest review interval, retention) and its rules
//! (who may do what, whether notice must come first). The engine in this crate is
//! general and enforces whatever profile is loaded. [`Profile::parse`] refuses a broken
//! profile with the file, line and field at fault.

use crate::roles::{Action, Role};
use serde::Deserialize;
use std::fmt;

crate::words! {
    /// A way a person contacts the office, or the office contacts them.
    pub enum Channel for "channel" {
        Phone = "phone",
        Email = "email",
        Letter = "letter",
        Visit = "visit",
        WebForm = "web-form",
    }
}

impl Channel {
    /// Plain English, for staff and letters.
    pub fn plain(self) -> &'static str {
        match self {
            Self::Phone => "telephone",
            Self::Email => "email",
            Self::Letter => "letter",
            Self::Visit => "in person",
            Self::WebForm => "the online form",
        }
    }

    /// How something came or goes this way, as a sentence says it after a verb: "by
    /// telephone", "by email", "by letter", "in person", "through the online form" (never
    /// "by in person").
    pub fn by(self) -> &'static str {
        match self {
            Self::Phone => "by telephone",
            Self::Email => "by email",
            Self::Letter => "by letter",
            Self::Visit => "in person",
            Self::WebForm => "through the online form",
        }
    }
}

crate::words! {
    /// The kinds of restriction the engine knows how to enforce. A profile's catalogue
    /// lists which of them its policy allows, in its own words.
    pub enum RestrictionKind for "kind" {
        CallWindow = "call-window",
        SingleChannel = "single-channel",
        SinglePointOfContact = "single-point-of-contact",
        RecordedCalls = "recorded-calls",
        DedicatedMailbox = "dedicated-mailbox",
        BlockedIdentifier = "blocked-identifier",
        AdvocateOnly = "advocate-only",
        ReadAndFile = "read-and-file",
        NoReopening = "no-reopening",
        NoRepeatComplaints = "no-repeat-complaints",
        Other = "other",
    }
}

crate::words! {
    /// The answer to a checklist question.
    pub enum Answer for "answer" {
        Yes = "yes",
        No = "no",
        NotApplicable = "not-applicable",
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub short_name: String,
    pub policy_title: String,
    pub clause_prefix: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Terms {
    /// The policy's own term for the plan: "contact strategy" or "communication plan".
    pub plan: String,
    pub plan_plural: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    pub warning_before_restriction: bool,
    pub notice_before_effect: bool,
    pub max_review_interval_months: u32,
    pub checklist_shortfall_blocks_proposal: bool,
    pub restriction_requires_review_exhausted: bool,
    pub ask_additional_help_at_first_contact: bool,
    pub new_matters_restricted_only_when_applied: bool,
    /// NOR-6.2: applying a plan to another matter is a decision to restrict, which only the
    /// plan's authorising role may take; anyone else's request waits for that role.
    #[serde(default)]
    pub applying_to_a_matter_needs_authorisation: bool,
    pub ended_call_follow_up: bool,
    /// CLE-4.4: before ending an abusive call, staff tell the caller that their behaviour is
    /// unacceptable and exactly why, and warn them the call will end if it continues. A
    /// profile written before this rule keeps what every office was told then: warn first.
    #[serde(default = "warn_first")]
    pub warn_before_ending_call: bool,
    /// NOR-6.1: staff may put an abusive caller on hold, as well as end the call.
    #[serde(default)]
    pub hold_abusive_calls: bool,
    pub report_every_incident_to_manager: bool,
    pub breach_staff_may_disengage: bool,
    pub screening_due_days: u32,
    pub retention_years_after_finalised: u32,
    /// The behaviour category a letter or email marked as threatening or abusive is recorded
    /// under (CLE-4.6; NOR-3.2): the category's id, which must be one of `categories`.
    pub threatening_correspondence_category: String,
    /// Days before a review is due that its owner is reminded (a local setting).
    #[serde(default = "default_review_reminder_days")]
    pub review_reminder_days: u32,
    /// What a plan whose review is overdue does (CLE-9.12; NOR-8.1, 8.2): it stays and the
    /// overdue review is escalated, or it lapses (restricts nothing until reviewed)
    /// `overdue_review_lapse_days` after its review date.
    #[serde(default)]
    pub overdue_review: OverdueReview,
    #[serde(default)]
    pub overdue_review_lapse_days: u32,
    /// NOR-5.7, 8.2: "We will always tell service users what action we are taking and why",
    /// and the annual review "should indicate whether the restriction still applies": a review
    /// that keeps a plan raises a task to tell the person in writing. Where this is off
    /// (CLE-9.14 asks it of changes only) only a review that lifts the plan does.
    #[serde(default)]
    pub review_outcome_told: bool,
}

/// What a plan whose review is overdue does ([`Rules::overdue_review`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OverdueReview {
    /// It goes on restricting; staff are told the review is overdue and managers are
    /// reminded until someone reviews it.
    #[default]
    Escalate,
    /// It stops restricting once the days allowed after its review date have passed, until
    /// someone reviews it.
    Lapse,
}

fn warn_first() -> bool {
    true
}

fn default_review_reminder_days() -> u32 {
    14
}

/// The clause each engine rule cites. `LOCAL` marks a rule the policy is silent on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clauses {
    pub incident_required: String,
    pub warning_first: String,
    pub checklist_complete: String,
    pub checklist_shortfall: String,
    pub review_exhausted: String,
    pub aims_and_proportionality: String,
    pub matter_scope: String,
    pub restriction_catalogue: String,
    pub authorise_role: String,
    pub authoriser_not_proposer: String,
    pub notice_first: String,
    pub notice_content: String,
    pub review_interval: String,
    pub adjustments_honoured: String,
    /// The clause equality monitoring answers to (CLE-8.4; NOR-1.4: the Equality Act).
    #[serde(default = "local")]
    pub equality_monitoring: String,
    pub no_reopening_grounds: String,
    pub repeat_complaints: String,
    pub dispute_independent: String,
    pub further_action: String,
    pub end_call: String,
    pub ended_call_follow_up: String,
    pub welfare_follow_up: String,
    pub adjustment_decision: String,
    pub new_matters: String,
    pub first_contact_help: String,
    /// What an overdue review does ([`Rules::overdue_review`]); the review interval's
    /// clause where a profile names none.
    #[serde(default)]
    pub overdue_review: Option<String>,
    pub stated_needs: String,
    pub screening: String,
    pub breach_reminder: String,
    pub breach_disengage: String,
    pub changes_told: String,
    /// The clause [`Rules::review_outcome_told`] answers to; a local rule where a profile
    /// names none.
    #[serde(default = "local_clause")]
    pub review_outcome_told: String,
    pub disclosure_dpo: String,
    pub report_to_manager: String,
    pub threatening_correspondence: String,
    /// Where the retention period comes from (NOR-9.1), or LOCAL.
    #[serde(default = "local_clause")]
    pub retention: String,
}

fn local_clause() -> String {
    LOCAL.into()
}

/// The clause a profile gives a rule the policy is silent on: the office's own setting.
pub const LOCAL: &str = "LOCAL";

/// A clause as people read it: its number (`CLE-9.6`), or "a local rule" where the policy
/// is silent and the office set the rule itself ([`LOCAL`]). Pages, letters and messages
/// cite clauses this way; the API and the event log keep the code.
pub fn cited(clause: &str) -> &str {
    if clause == LOCAL {
        "a local rule"
    } else {
        clause
    }
}

/// Which roles may take each step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolePermissions {
    pub end_call: Vec<Role>,
    pub record_contact: Vec<Role>,
    pub record_incident: Vec<Role>,
    pub issue_warning: Vec<Role>,
    pub answer_checklist: Vec<Role>,
    pub propose_plan: Vec<Role>,
    pub authorise_plan: Vec<Role>,
    pub record_notice: Vec<Role>,
    pub review_plan: Vec<Role>,
    pub vary_plan: Vec<Role>,
    pub lift_plan: Vec<Role>,
    pub apply_plan_to_matter: Vec<Role>,
    pub decide_dispute: Vec<Role>,
    pub decide_adjustment: Vec<Role>,
    pub override_adjustment: Vec<Role>,
    pub screen_contact: Vec<Role>,
    pub record_further_action: Vec<Role>,
    pub approve_disclosure: Vec<Role>,
    pub request_disclosure: Vec<Role>,
    pub manage_people: Vec<Role>,
    pub manage_staff: Vec<Role>,
    pub read_all: Vec<Role>,
    /// Data-rights requests go to the Data Protection Officer.
    #[serde(default = "dpo_only")]
    pub handle_data_rights: Vec<Role>,
    /// Keeping and disposing of records (NOR-9.1): the DPO, unless the profile says.
    #[serde(default = "dpo_only")]
    pub manage_retention: Vec<Role>,
    /// The access log: the DPO and auditors.
    #[serde(default = "dpo_and_auditors")]
    pub read_access_log: Vec<Role>,
    /// The equality monitoring report: the DPO and auditors (the head of standards).
    #[serde(default = "dpo_and_auditors")]
    pub read_equality: Vec<Role>,
    /// Merging two records of one person: a line manager or above (issue 10).
    #[serde(default = "managers")]
    pub merge_people: Vec<Role>,
    /// The governance report (CLE-9.12; NOR-8.1: oversight of plans and reviews): managers,
    /// the DPO and auditors.
    #[serde(default = "governance_readers")]
    pub read_governance: Vec<Role>,
    /// Importing records from the office's earlier systems (issue 14): administrators.
    #[serde(default = "admins")]
    pub import_records: Vec<Role>,
    /// Exporting records as CSV for the office's own reporting (issue 14): managers, the DPO
    /// and auditors, as read the governance report.
    #[serde(default = "governance_readers")]
    pub export_records: Vec<Role>,
}

fn admins() -> Vec<Role> {
    vec![Role::Admin]
}

fn governance_readers() -> Vec<Role> {
    let mut r = managers();
    r.extend([Role::Dpo, Role::Auditor]);
    r
}

fn managers() -> Vec<Role> {
    vec![
        Role::LineManager,
        Role::SeniorManager,
        Role::CustomerServiceManager,
        Role::Admin,
    ]
}

fn dpo_only() -> Vec<Role> {
    vec![Role::Dpo]
}

fn dpo_and_auditors() -> Vec<Role> {
    vec![Role::Dpo, Role::Auditor]
}

impl RolePermissions {
    /// The role whose queue a task for `action` goes to: the first the profile names for
    /// it (the DPO for data rights and retention, as both profiles say), or the DPO where a
    /// profile names none.
    pub fn queue_for(&self, action: Action) -> Role {
        self.roles_for(action).first().copied().unwrap_or(Role::Dpo)
    }

    /// The roles that may take `action`.
    pub fn roles_for(&self, action: Action) -> &[Role] {
        match action {
            Action::EndCall => &self.end_call,
            Action::RecordContact => &self.record_contact,
            Action::RecordIncident => &self.record_incident,
            Action::IssueWarning => &self.issue_warning,
            Action::AnswerChecklist => &self.answer_checklist,
            Action::ProposePlan => &self.propose_plan,
            Action::AuthorisePlan => &self.authorise_plan,
            Action::RecordNotice => &self.record_notice,
            Action::ReviewPlan => &self.review_plan,
            Action::VaryPlan => &self.vary_plan,
            Action::LiftPlan => &self.lift_plan,
            Action::ApplyPlanToMatter => &self.apply_plan_to_matter,
            Action::DecideDispute => &self.decide_dispute,
            Action::DecideAdjustment => &self.decide_adjustment,
            Action::OverrideAdjustment => &self.override_adjustment,
            Action::ScreenContact => &self.screen_contact,
            Action::RecordFurtherAction => &self.record_further_action,
            Action::ApproveDisclosure => &self.approve_disclosure,
            Action::RequestDisclosure => &self.request_disclosure,
            Action::ManagePeople => &self.manage_people,
            Action::ManageStaff => &self.manage_staff,
            Action::ReadAll => &self.read_all,
            Action::CheckContact => &Role::ALL,
            Action::HandleDataRights => &self.handle_data_rights,
            Action::ManageRetention => &self.manage_retention,
            Action::ReadAccessLog => &self.read_access_log,
            Action::MergePeople => &self.merge_people,
            Action::ReadGovernance => &self.read_governance,
            Action::ReadEquality => &self.read_equality,
            Action::ImportRecords => &self.import_records,
            Action::ExportRecords => &self.export_records,
        }
    }
}

/// A behaviour category with the policy's own examples.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: String,
    pub name: String,
    pub clause: String,
    /// Whether a restriction may come without a prior warning (CLE-9.3 "where possible"; NOR-5.2, 5.8).
    pub may_restrict_without_warning: bool,
    /// Whether staff on the receiving end get a welfare follow-up from their line manager (CLE-6.5).
    pub welfare_follow_up: bool,
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub text: String,
    /// The answer that shows an obligation of the office not yet met (CLE-7.3).
    pub shortfall_if: Answer,
    #[serde(default)]
    pub may_be_not_applicable: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    pub clause: String,
    pub questions: Vec<Question>,
}

/// One entry in the profile's restriction catalogue, in the policy's words.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    pub kind: RestrictionKind,
    pub name: String,
    pub clause: String,
    pub text: String,
    /// For `single-channel`: the channels the policy lets a plan restrict contact to.
    #[serde(default)]
    pub allowed_channels: Vec<Channel>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentRoute {
    pub clause: String,
    pub request_to: String,
    pub request_phone: String,
    pub request_email: String,
    pub decision_in_writing: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisputeRoute {
    pub clause: String,
    pub route: String,
    pub contact_email: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sharing {
    pub clause: String,
    pub requires_dpo_approval: bool,
    #[serde(default)]
    pub example_partners: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeRules {
    /// NOR-5.2: a copy of the policy goes with the notice.
    #[serde(default)]
    pub enclose_policy: bool,
    /// The clause that asks for it.
    #[serde(default)]
    pub clause: Option<String>,
}

/// The office's letters (issue 4): what every letter may need to say, and one template per
/// kind of letter, in the profile so each office words its own.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Letters {
    /// How the person can read the policy itself.
    #[serde(default)]
    pub policy_where: String,
    /// Who the letters come from.
    #[serde(default)]
    pub signed: String,
    /// The body they may complain to next, where the profile names one.
    #[serde(default)]
    pub complain_next: Option<String>,
    /// How the person can reach the office, said in every letter (issue 13): the policies
    /// give Northamptonshire's phone and email (NOR-1.4, 7.1) and nothing for Cleveland, so
    /// the rest is the office's LOCAL SETTING, filled in its copy of the profile.
    #[serde(default)]
    pub contact: OfficeContact,
    /// Whether the notice letter asks for their agreement (CLE-9.6: "agreement … sought
    /// where possible"), so a notice recorded from it says agreement was sought.
    #[serde(default)]
    pub notice_seeks_agreement: bool,
    /// What follows if the person goes on breaching a plan, as the policy says it (CLE-9.11,
    /// 10.1; NOR-5.8): what a reminder written from the plan itself says will happen, and
    /// the example the reminder form gives staff, whose own words take its place there.
    /// Without it, such a reminder repeats the consequence of the latest warning.
    #[serde(default)]
    pub breach_consequence: Option<String>,
    /// Templates by kind of letter ("warning", "strategy-notice", …): MiniJinja text.
    #[serde(default)]
    pub templates: std::collections::BTreeMap<String, LetterTemplate>,
}

/// The office's postal address, phone number and email address, as letters give them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeContact {
    /// The postal address, one line per entry.
    #[serde(default)]
    pub address: Vec<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

impl OfficeContact {
    /// The address on one line ("1 High Street, Northampton, NN1 1AA"), if there is one.
    pub fn address_line(&self) -> Option<String> {
        let lines: Vec<&str> = self
            .address
            .iter()
            .map(|l| l.trim().trim_end_matches(','))
            .filter(|l| !l.is_empty())
            .collect();
        (!lines.is_empty()).then(|| lines.join(", "))
    }

    /// Where the person reaches the office by `channel`, as a sentence goes on after "by
    /// email only": ", at office@example.org", ", on 01234 567890", ", to 1 High Street,
    /// Northampton"; nothing where the profile gives none, or for a visit or the online
    /// form. The letters and the contact check's words to say both end so (issue 13).
    pub fn reached(&self, channel: Channel) -> String {
        let at = match channel {
            Channel::Phone => self.phone.as_ref().map(|p| format!(", on {p}")),
            Channel::Email => self.email.as_ref().map(|e| format!(", at {e}")),
            Channel::Letter => self.address_line().map(|a| format!(", to {a}")),
            Channel::Visit | Channel::WebForm => None,
        };
        at.unwrap_or_default()
    }

    /// Whether the profile says nothing about how to reach the office.
    pub fn is_empty(&self) -> bool {
        self.address_line().is_none() && self.phone.is_none() && self.email.is_none()
    }

    /// What is missing, in words, for a warning to the office's IT staff.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.address_line().is_none() {
            out.push("address");
        }
        if self.phone.is_none() {
            out.push("phone");
        }
        if self.email.is_none() {
            out.push("email");
        }
        out
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterTemplate {
    pub subject: String,
    pub body: String,
    /// The same letter in Easy Read: short sentences, one idea a line (issue 13). A
    /// letter in the Easy Read format is written from it, else from `body`.
    #[serde(default)]
    pub easy_read: Option<String>,
}

fn local() -> String {
    "LOCAL".into()
}

/// One organisation's policy, loaded and checked.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub organisation: Organisation,
    pub terms: Terms,
    pub rules: Rules,
    pub clauses: Clauses,
    pub roles: RolePermissions,
    pub categories: Vec<Category>,
    pub checklist: Checklist,
    pub restrictions: Vec<CatalogueEntry>,
    #[serde(default)]
    pub adjustments: Option<AdjustmentRoute>,
    #[serde(default)]
    pub dispute: Option<DisputeRoute>,
    pub sharing: Sharing,
    #[serde(default)]
    pub notice: NoticeRules,
    #[serde(default)]
    pub letters: Letters,
}

/// Why a profile was refused: the file, the line and the field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError {
    pub file: String,
    pub line: usize,
    pub field: String,
    pub message: String,
}

impl ProfileError {
    /// What TOML's reader refused in `source` (the text of `file`), with the line and the
    /// field: the same words for a profile and for `tact.toml`.
    #[must_use]
    pub fn of_toml(file: &str, source: &str, e: &toml::de::Error) -> Self {
        let offset = e.span().map_or(0, |s| s.start);
        let message = e.message().to_string();
        let field = field_in_message(&message).unwrap_or_else(|| key_at(source, offset));
        Self {
            file: file.to_string(),
            line: line_of_offset(source, offset),
            field,
            message,
        }
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: field `{}`: {}",
            self.file, self.line, self.field, self.message
        )
    }
}

impl std::error::Error for ProfileError {}

/// The two profiles that ship with Tact, by name.
pub const BUILT_IN: [(&str, &str); 2] = [
    (
        "cleveland-opcc",
        include_str!("../../../policies/cleveland-opcc.toml"),
    ),
    (
        "northamptonshire-opfcc",
        include_str!("../../../policies/northamptonshire-opfcc.toml"),
    ),
];

/// The policies themselves, verbatim, by organisation id: sent with a notice where the
/// profile says a copy goes with it (NOR-5.2).
pub const POLICY_TEXT: [(&str, &str); 2] = [
    (
        "cleveland-opcc",
        include_str!("../../../policies/source/cleveland-opcc.md"),
    ),
    (
        "northamptonshire-opfcc",
        include_str!("../../../policies/source/northamptonshire-opfcc.md"),
    ),
];

impl Profile {
    /// The policy's own text, where Tact ships it (the built-in organisations), without
    /// the note on where it came from.
    pub fn policy_text(&self) -> Option<String> {
        POLICY_TEXT
            .iter()
            .find(|(id, _)| *id == self.organisation.id)
            .map(|(_, text)| {
                text.lines()
                    .filter(|l| !l.trim_start().starts_with("<!--"))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
    }

    /// The built-in profile called `name`, if there is one.
    pub fn built_in(name: &str) -> Option<Self> {
        BUILT_IN.iter().find(|(n, _)| *n == name).map(|(n, src)| {
            Self::parse(&format!("policies/{n}.toml"), src)
                .expect("built-in profiles are checked by tests")
        })
    }

    /// Parses and checks a profile. `file` is used only in error messages.
    ///
    /// # Errors
    /// A [`ProfileError`] with the file, line and field at fault.
    pub fn parse(file: &str, source: &str) -> Result<Self, ProfileError> {
        let profile: Profile =
            toml::from_str(source).map_err(|e| ProfileError::of_toml(file, source, &e))?;
        profile.check(file, source)?;
        Ok(profile)
    }

    fn check(&self, file: &str, source: &str) -> Result<(), ProfileError> {
        let fail = |field: &str, needle: &str, message: String| ProfileError {
            file: file.to_string(),
            line: source.find(needle).map_or(1, |o| line_of_offset(source, o)),
            field: field.to_string(),
            message,
        };
        let months = self.rules.max_review_interval_months;
        if !(1..=24).contains(&months) {
            return Err(fail(
                "rules.max_review_interval_months",
                "max_review_interval_months",
                format!(
                    "expected between 1 and 24 months, got {months}: no plan may be open-ended"
                ),
            ));
        }
        if self.rules.retention_years_after_finalised == 0 {
            return Err(fail(
                "rules.retention_years_after_finalised",
                "retention_years_after_finalised",
                "expected at least one year".into(),
            ));
        }
        if self.categories.is_empty() {
            return Err(fail(
                "categories",
                "[organisation]",
                "a profile needs at least one behaviour category".into(),
            ));
        }
        if self.checklist.questions.is_empty() {
            return Err(fail(
                "checklist.questions",
                "[checklist]",
                "a profile needs at least one checklist question".into(),
            ));
        }
        if self.restrictions.is_empty() {
            return Err(fail(
                "restrictions",
                "[organisation]",
                "a profile needs at least one restriction in its catalogue".into(),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for c in &self.categories {
            if !seen.insert(c.id.as_str()) {
                return Err(fail(
                    "categories.id",
                    &format!("id = \"{}\"", c.id),
                    format!("category id {:?} appears twice", c.id),
                ));
            }
            if c.examples.is_empty() {
                return Err(fail(
                    "categories.examples",
                    &format!("id = \"{}\"", c.id),
                    format!("category {:?} lists no examples", c.id),
                ));
            }
        }
        let threat = &self.rules.threatening_correspondence_category;
        if self.category(threat).is_none() {
            return Err(fail(
                "rules.threatening_correspondence_category",
                "threatening_correspondence_category",
                format!(
                    "{threat:?} is not one of the categories: {}",
                    self.categories
                        .iter()
                        .map(|c| c.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for q in &self.checklist.questions {
            if !seen.insert(q.id.as_str()) {
                return Err(fail(
                    "checklist.questions.id",
                    &format!("id = \"{}\"", q.id),
                    format!("question id {:?} appears twice", q.id),
                ));
            }
            if q.shortfall_if == Answer::NotApplicable {
                return Err(fail(
                    "checklist.questions.shortfall_if",
                    &format!("id = \"{}\"", q.id),
                    "shortfall_if must be yes or no".into(),
                ));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for r in &self.restrictions {
            if !seen.insert(r.kind) {
                return Err(fail(
                    "restrictions.kind",
                    &format!("kind = \"{}\"", r.kind.as_str()),
                    format!("restriction kind {:?} appears twice", r.kind.as_str()),
                ));
            }
            if r.kind == RestrictionKind::SingleChannel && r.allowed_channels.is_empty() {
                return Err(fail(
                    "restrictions.allowed_channels",
                    "kind = \"single-channel\"",
                    "single-channel needs allowed_channels".into(),
                ));
            }
        }
        for action in Action::ALL {
            if action != Action::CheckContact && self.roles.roles_for(action).is_empty() {
                let name = action.as_str().replace('-', "_");
                return Err(fail(
                    &format!("roles.{name}"),
                    &format!("{name} ="),
                    "at least one role must be able to do this".into(),
                ));
            }
        }
        Ok(())
    }

    /// The catalogue entry for `kind`, if this policy allows it.
    pub fn catalogue(&self, kind: RestrictionKind) -> Option<&CatalogueEntry> {
        self.restrictions.iter().find(|r| r.kind == kind)
    }

    /// The clause a restriction of `kind` cites: its catalogue entry's, or the catalogue's
    /// own where the profile does not list the kind.
    pub fn clause_for(&self, kind: RestrictionKind) -> &str {
        self.catalogue(kind)
            .map_or(&self.clauses.restriction_catalogue, |e| &e.clause)
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// The category threatening or abusive correspondence is recorded under (CLE-4.6;
    /// NOR-3.2); [`Profile::load`] checked that it is one of the categories.
    pub fn threatening_correspondence_category(&self) -> Option<&Category> {
        self.category(&self.rules.threatening_correspondence_category)
    }

    /// Whether `role` may take `action` under this profile. Every role may ask the contact
    /// check; the profile governs the rest.
    pub fn may(&self, role: Role, action: Action) -> bool {
        action == Action::CheckContact || self.roles.roles_for(action).contains(&role)
    }
}

fn line_of_offset(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}

/// The key written on the line at `offset` (`key = value`), or the table header there.
fn key_at(source: &str, offset: usize) -> String {
    let start = source[..offset.min(source.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = source[start..].lines().next().unwrap_or("");
    line.split('=')
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches(['[', ']'])
        .to_string()
}

fn field_in_message(message: &str) -> Option<String> {
    let i = message.find("field `")?;
    let rest = &message[i + 7..];
    Some(rest[..rest.find('`')?].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clause_is_cited_by_its_number_and_a_local_setting_as_a_local_rule() {
        assert_eq!(cited("CLE-9.6"), "CLE-9.6");
        assert_eq!(cited(LOCAL), "a local rule");
        let cleveland = Profile::built_in("cleveland-opcc").unwrap();
        assert_eq!(cited(&cleveland.clauses.retention), "a local rule");
    }

    #[test]
    fn both_built_in_profiles_load() {
        for (name, _) in BUILT_IN {
            let p = Profile::built_in(name).unwrap();
            assert_eq!(p.organisation.id, name);
        }
    }

    #[test]
    fn cle_9_12_and_nor_8_1_review_intervals_come_from_the_profiles() {
        assert_eq!(
            Profile::built_in("cleveland-opcc")
                .unwrap()
                .rules
                .max_review_interval_months,
            3
        );
        assert_eq!(
            Profile::built_in("northamptonshire-opfcc")
                .unwrap()
                .rules
                .max_review_interval_months,
            12
        );
    }

    #[test]
    fn nor_9_1_retention_is_six_years() {
        assert_eq!(
            Profile::built_in("northamptonshire-opfcc")
                .unwrap()
                .rules
                .retention_years_after_finalised,
            6
        );
    }

    #[test]
    fn each_profile_uses_its_own_term_for_the_plan() {
        assert_eq!(
            Profile::built_in("cleveland-opcc").unwrap().terms.plan,
            "contact strategy"
        );
        assert_eq!(
            Profile::built_in("northamptonshire-opfcc")
                .unwrap()
                .terms
                .plan,
            "communication plan"
        );
    }

    #[test]
    fn cle_7_2_has_eleven_questions_and_nor_5_3_six_criteria() {
        assert_eq!(
            Profile::built_in("cleveland-opcc")
                .unwrap()
                .checklist
                .questions
                .len(),
            11
        );
        assert_eq!(
            Profile::built_in("northamptonshire-opfcc")
                .unwrap()
                .checklist
                .questions
                .len(),
            6
        );
    }

    #[test]
    fn cle_9_9_and_nor_5_5_catalogues_differ_as_the_policies_do() {
        let cle = Profile::built_in("cleveland-opcc").unwrap();
        let nor = Profile::built_in("northamptonshire-opfcc").unwrap();
        assert!(cle.catalogue(RestrictionKind::AdvocateOnly).is_some());
        assert!(cle.catalogue(RestrictionKind::ReadAndFile).is_none());
        assert!(nor.catalogue(RestrictionKind::ReadAndFile).is_some());
        assert!(nor.catalogue(RestrictionKind::AdvocateOnly).is_none());
        assert!(nor.catalogue(RestrictionKind::NoRepeatComplaints).is_some());
    }

    #[test]
    fn nor_6_2_only_a_senior_manager_authorises() {
        let nor = Profile::built_in("northamptonshire-opfcc").unwrap();
        assert_eq!(nor.roles.authorise_plan, vec![Role::SeniorManager]);
        assert!(nor.may(Role::Caseworker, Action::EndCall));
    }

    /// CLE-4.4; NOR-6.1: a profile written before the abusive-call rules loads as every office
    /// was told then (warn first, no hold); the built-in ones say their own policy.
    #[test]
    fn cle_4_4_and_nor_6_1_a_profile_without_the_abusive_call_rules_warns_first() {
        for (name, src) in BUILT_IN {
            let older: String = src
                .lines()
                .filter(|l| {
                    !l.starts_with("warn_before_ending_call")
                        && !l.starts_with("hold_abusive_calls")
                })
                .map(|l| format!("{l}\n"))
                .collect();
            let p = Profile::parse("older.toml", &older).unwrap();
            assert!(p.rules.warn_before_ending_call, "{name}");
            assert!(!p.rules.hold_abusive_calls, "{name}");
        }
        let cle = Profile::built_in("cleveland-opcc").unwrap();
        assert!(cle.rules.warn_before_ending_call && !cle.rules.hold_abusive_calls);
        let nor = Profile::built_in("northamptonshire-opfcc").unwrap();
        assert!(!nor.rules.warn_before_ending_call && nor.rules.hold_abusive_calls);
    }

    #[test]
    fn a_broken_profile_is_refused_with_file_line_and_field() {
        let src = BUILT_IN[0].1.replace(
            "max_review_interval_months = 3",
            "max_review_interval_months = \"three\"",
        );
        let err = Profile::parse("custom.toml", &src).unwrap_err();
        assert_eq!(err.file, "custom.toml");
        assert_eq!(
            err.line,
            line_where(&src, |l| l.starts_with("max_review_interval_months"))
        );
        assert_eq!(err.field, "max_review_interval_months");
    }

    /// The 1-based number of the first line of `src` that `pick` picks.
    fn line_where(src: &str, pick: impl Fn(&str) -> bool) -> usize {
        src.lines().position(pick).unwrap() + 1
    }

    #[test]
    fn an_unknown_restriction_kind_is_refused_at_its_line() {
        let src = BUILT_IN[1]
            .1
            .replace("kind = \"read-and-file\"", "kind = \"read-and-bin\"");
        let err = Profile::parse("x.toml", &src).unwrap_err();
        assert_eq!(err.line, line_where(&src, |l| l.contains("read-and-bin")));
        assert_eq!(err.field, "kind");
    }

    #[test]
    fn a_missing_field_is_named() {
        let src = BUILT_IN[0]
            .1
            .replace("plan_plural = \"contact strategies\"\n", "");
        let err = Profile::parse("x.toml", &src).unwrap_err();
        assert_eq!(err.field, "plan_plural");
    }

    #[test]
    fn cle_4_6_and_nor_3_2_threatening_correspondence_is_one_of_the_profiles_categories() {
        let cle = Profile::built_in("cleveland-opcc").unwrap();
        let nor = Profile::built_in("northamptonshire-opfcc").unwrap();
        assert_eq!(
            cle.threatening_correspondence_category()
                .map(|c| c.clause.as_str()),
            Some("CLE-4.3")
        );
        assert_eq!(
            nor.threatening_correspondence_category()
                .map(|c| c.clause.as_str()),
            Some("NOR-3.2")
        );
        let src = BUILT_IN[0].1.replace(
            "threatening_correspondence_category = \"violent-threatening-abusive\"",
            "threatening_correspondence_category = \"rude\"",
        );
        let err = Profile::parse("x.toml", &src).unwrap_err();
        assert_eq!(err.field, "rules.threatening_correspondence_category");
        assert_eq!(
            err.line,
            line_where(&src, |l| l
                .starts_with("threatening_correspondence_category"))
        );
        assert!(
            err.message.contains("unreasonable-persistence"),
            "{}",
            err.message
        );
    }

    #[test]
    fn an_open_ended_review_interval_is_refused() {
        let src = BUILT_IN[0].1.replace(
            "max_review_interval_months = 3",
            "max_review_interval_months = 0",
        );
        let err = Profile::parse("x.toml", &src).unwrap_err();
        assert_eq!(err.field, "rules.max_review_interval_months");
        assert!(err.line > 1);
    }
}
