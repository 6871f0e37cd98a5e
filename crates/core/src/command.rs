//! Every staff action as a typed command (issue 11): one value that says what is asked and
//! which [`Action`] the asker's role must allow. Every door builds one — the API from its
//! JSON, the UI from its form, the CLI through the API, the demo directly — and hands it to
//! the app's one entry (`App::execute`), which asks [`Command::action`] of the loaded profile
//! before anything is loaded or written, so a role is refused the same way at every door.
//! The rule of the step itself (a clause, a status, a record's owner) is then decided by the
//! step's own pure function in [`crate::workflow`], [`crate::sharing`] or [`crate::rights`].
//!
//! A page asks the command type, not a hand-picked action, whether to offer a form:
//! `DecideDisclosure::ACTION` is the same value `App::execute` will check.

use crate::correspondence::{How, LetterAbout, LetterChange};
use crate::error::RuleError;
use crate::identity::EmailAddress;
use crate::ids::*;
use crate::model::{
    AdjustmentKind, DisputeOutcome, MatterKind, MatterStatus, PersonChanges, PersonInput,
};
use crate::profile::Channel;
use crate::profile::Profile;
use crate::rights::{RightKind, RightsAnswer};
use crate::roles::{authorise, Action, Actor, Role};
use crate::sharing::DisclosureRequest;
use crate::workflow::{
    AnswerInput, ContactInput, FurtherActionInput, IncidentInput, PlanCommand, PlanInput,
    ReminderInput, VaryInput, WarningInput,
};
use jiff::civil::Date;
use jiff::Timestamp;

/// A staff action: what it asks, and what the asker's role must allow.
pub trait Command {
    /// The action the actor's role must be allowed under the loaded profile, or `None`
    /// where who may is the record's own rule and not a role's (closing a task: its
    /// assignee, its role, or a manager — [`crate::roles::may_close_task`]).
    fn action(&self) -> Option<Action>;

    /// The clause a role refusal cites, where the policy ties the action to one.
    fn clause<'p>(&self, _profile: &'p Profile) -> Option<&'p str> {
        None
    }
}

/// A command or a read whose action is fixed by its kind, so a page can ask before it has
/// one to hand: [`offered`] decides whether a link or a form is shown, with the same action
/// [`permit`] checks when the command comes.
pub trait Fixed {
    /// What the asker's role must allow; `None` where the kind alone does not say (a task's
    /// own rule decides who closes it; a plan step's action is its step's).
    const ACTION: Option<Action>;

    /// The clause a role refusal of this kind cites, where the policy ties it to one.
    fn role_clause(_profile: &Profile) -> Option<&str> {
        None
    }
}

/// Whether `actor` may take a command (or make a read) of kind `K` under `profile`: what a
/// page asks before it offers a link or a form, so it offers only what will be allowed.
pub fn offered<K: Fixed>(profile: &Profile, actor: &Actor) -> bool {
    K::ACTION.is_none_or(|a| profile.may(actor.role, a))
}

/// As [`offered`], as the refusal a door gives when it is not.
///
/// # Errors
/// A forbidden error naming the roles that may.
pub fn permit_kind<K: Fixed>(profile: &Profile, actor: &Actor) -> Result<(), RuleError> {
    crate::roles::within_scope(actor, K::ACTION)?;
    match K::ACTION {
        Some(action) => authorise(profile, actor, action, K::role_clause(profile)),
        None => Ok(()),
    }
}

/// Whether `actor`'s role may take `command` under `profile`: the one role check every
/// door's command passes through (`App::execute`), before anything is loaded.
///
/// # Errors
/// A forbidden error naming the roles that may, and the clause where the action has one.
pub fn permit(profile: &Profile, actor: &Actor, command: &impl Command) -> Result<(), RuleError> {
    crate::roles::within_scope(actor, command.action())?;
    match command.action() {
        Some(action) => authorise(profile, actor, action, command.clause(profile)),
        None => Ok(()),
    }
}

/// Declares commands whose action is fixed by their kind: each gets a public
/// `ACTION` constant (what a page asks before offering the form) and [`Command`].
macro_rules! commands {
    ($(
        $(#[$meta:meta])*
        $name:ident => $action:expr $(, clause($p:ident) $clause:expr)?,
            { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? }
    )*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name { $($(#[$fmeta])* pub $field: $ty),* }

        impl Fixed for $name {
            const ACTION: Option<Action> = $action;
            $(
                fn role_clause($p: &Profile) -> Option<&str> {
                    Some($clause)
                }
            )?
        }

        impl Command for $name {
            fn action(&self) -> Option<Action> {
                <Self as Fixed>::ACTION
            }
            fn clause<'p>(&self, profile: &'p Profile) -> Option<&'p str> {
                <Self as Fixed>::role_clause(profile)
            }
        }
    )*};
}

commands! {
    /// Marks a received letter or email as threatening or abusive (CLE-4.6).
    MarkThreatening => Some(Action::RecordIncident), {
        contact: ContactId,
        category: String,
        description: String,
    }

    /// Gives a person a warning about their behaviour (CLE-9.2; NOR-4.1).
    GiveWarning => Some(Action::IssueWarning), clause(p) &p.clauses.warning_first, { person: PersonId, input: WarningInput }

    /// Records what screening a contact found (CLE-9.10; NOR-5.5), raising what the finding
    /// calls for ([`crate::workflow::screen_contact`]).
    ScreenContact => Some(Action::ScreenContact), clause(p) &p.clauses.screening, { contact: ContactId, finding: crate::model::Finding, note: String }

    /// Sends the reminder a breach calls for and closes its task (CLE-9.11; NOR-5.8).
    SendBreachReminder => Some(Action::RecordContact), clause(p) &p.clauses.breach_reminder, { task: TaskId, input: ReminderInput }

    /// Closes a task by hand; who may is the task's own rule.
    CompleteTask => None, { task: TaskId, outcome: String }

    /// Asks the DPO to agree to share a person's details with a partner (CLE-9.15).
    RequestDisclosure => Some(Action::RequestDisclosure), clause(p) &p.sharing.clause, {
        person: PersonId,
        request: DisclosureRequest,
    }

    /// The DPO's decision on a request to share (CLE-9.15).
    DecideDisclosure => Some(Action::ApproveDisclosure), clause(p) &p.sharing.clause, {
        disclosure: DisclosureId,
        approve: bool,
        reason: String,
    }

    /// Records what was shared, with whom and when, on the disclosure log (CLE-9.15).
    RecordShared => Some(Action::RequestDisclosure), clause(p) &p.sharing.clause, {
        disclosure: DisclosureId,
        what: String,
        /// When it was shared; now when not given.
        at: Option<Timestamp>,
    }

    /// Records a request for a reasonable adjustment (CLE-8; NOR-1.4).
    RequestAdjustment => Some(Action::RecordContact), {
        person: PersonId,
        kind: AdjustmentKind,
        description: String,
    }

    /// Grants or refuses a reasonable adjustment, with reasons (CLE-8.3).
    DecideAdjustment => Some(Action::DecideAdjustment), clause(p) &p.clauses.adjustment_decision, {
        adjustment: AdjustmentId,
        grant: bool,
        reasons: String,
    }

    /// Records that a person disputes a plan (NOR-7.1; Cleveland: a local rule): whoever takes contact.
    RaiseDispute => Some(Action::RecordContact), {
        plan: PlanId,
        grounds: String,
        received_at: Option<Timestamp>,
    }

    /// Decides a dispute about a plan, varying the plan where that is the outcome
    /// (NOR-7.2; Cleveland: a local rule).
    DecideDispute => Some(Action::DecideDispute), clause(p) &p.clauses.dispute_independent, {
        dispute: DisputeId,
        outcome: DisputeOutcome,
        reasons: String,
        variation: Option<VaryInput>,
    }

    /// Records a data-rights request (access, rectification, erasure, objection).
    ReceiveRightsRequest => Some(Action::RecordContact), {
        person: PersonId,
        kind: RightKind,
        details: String,
        channel: Channel,
        received_on: Option<Date>,
    }

    /// Answers a data-rights request: done, refused, or more time, with what was done or why.
    AnswerRightsRequest => Some(Action::HandleDataRights), {
        request: i64,
        answer: RightsAnswer,
        text: String,
    }

    /// Adds a member of staff, with a username and password where they sign in locally
    /// (one transaction: a username that is taken writes nothing).
    CreateStaff => Some(Action::ManageStaff), {
        name: String,
        role: Role,
        email: Option<EmailAddress>,
        line_manager: Option<StaffId>,
        /// Username and password.
        sign_in: Option<(String, String)>,
    }

    /// Logs a call, an email, a letter or a visit, as it came (CLE-6.1; NOR-2.1): the
    /// check's answer is recorded with it, and a breach is one.
    LogContact => Some(Action::RecordContact), { input: ContactInput }

    /// Changes a member of staff's role, whether they are active, or their line manager
    /// (`Some(None)` takes it away; `None` leaves each as it is).
    ChangeStaff => Some(Action::ManageStaff), {
        staff: StaffId,
        role: Option<Role>,
        active: Option<bool>,
        line_manager: Option<Option<StaffId>>,
    }

    /// Adds a service account for a system (issue 12), acting under its own name with only
    /// what its scope allows; it never signs in.
    CreateServiceAccount => Some(Action::ManageStaff), {
        name: String,
        scope: crate::roles::Scope,
    }

    /// Mints an API token for `holder`, named, lasting `days` (issue 12): for oneself, or
    /// an administrator's for a service account ([`crate::roles::may_issue_token`]).
    IssueToken => None, {
        holder: StaffId,
        name: String,
        days: Option<u32>,
    }

    /// Issues a one-time link for a member of staff to set a new password (issue 12; see
    /// [`crate::roles::may_issue_reset`]).
    IssuePasswordReset => Some(Action::ManageStaff), { staff: StaffId }

    /// Revokes an API token: its holder's or an administrator's to do
    /// ([`crate::roles::may_manage_tokens`]).
    RevokeToken => None, { token: i64 }

    /// Writes a letter to a person from the profile's template, kept as written.
    WriteLetter => Some(Action::RecordNotice), { about: LetterAbout, how: How }

    /// Changes a held letter's wording before it goes (typed, or a Word document).
    ChangeLetter => Some(Action::RecordNotice), { letter: i64, change: LetterChange }

    /// Lets a held letter go out (it was kept back for a member of staff to read).
    ReleaseLetter => Some(Action::RecordNotice), { letter: i64 }

    /// Records that a letter was printed and posted.
    MarkPrinted => Some(Action::RecordNotice), { letter: i64 }

    /// Keeps a person's records past their disposal date, with the reason.
    PlaceHold => Some(Action::ManageRetention), { person: PersonId, reason: String }

    /// Lifts a hold, so the person's records are disposed of when due.
    LiftHold => Some(Action::ManageRetention), { hold: i64 }

    /// Destroys the records that are due for disposal (NOR-9.1), as the dry run lists them.
    DisposeDue => Some(Action::ManageRetention), {
        /// That the one running it has confirmed it: it destroys the records for good
        /// ([`crate::retention::confirmed`]).
        confirm: bool,
    }

    /// Records on the event log that everything held about a person was exported for their
    /// subject access request, and how many files it made. A door asks this command's role
    /// ([`permit_kind`]) before it reads anything for the bundle, so only whoever handles
    /// data-rights requests (the DPO) may make one.
    RecordSubjectAccess => Some(Action::HandleDataRights), { person: PersonId, files: usize }

    /// Gives a member of staff a telephone extension (or, with `None`, takes it away), where a
    /// phone system puts through a plan's single point of contact's calls (issue 14).
    SetExtension => Some(Action::ManageStaff), { staff: StaffId, extension: Option<String> }

    /// Brings in records from one of the office's earlier systems (issue 14): every row
    /// checked; with `commit` and no problem, all written in one transaction, else none.
    /// Rows already imported from `source` are skipped, so a second run changes nothing.
    ImportRecords => Some(Action::ImportRecords), {
        source: String,
        kind: crate::import::Kind,
        table: crate::import::Table,
        mapping: crate::import::Mapping,
        commit: bool,
    }

    /// Adds a service user with their numbers, addresses and advocate.
    CreatePerson => Some(Action::ManagePeople), { input: PersonInput }

    /// Changes a service user's details: those given, the rest as they are (the API's
    /// `PATCH`; its `PUT` gives every one).
    UpdatePerson => Some(Action::ManagePeople), { person: PersonId, changes: PersonChanges }

    /// Corrects a service user's details at their request, saying what was wrong (the
    /// right to rectification).
    RectifyPerson => Some(Action::ManagePeople), {
        person: PersonId,
        input: PersonInput,
        what_was_wrong: String,
    }

    /// Records a person's equality monitoring answers, with their consent, in place of any
    /// before (issue 13; CLE-8.4, NOR-1.4). Kept apart; only counts are ever read.
    RecordEquality => Some(Action::ManagePeople), {
        person: PersonId,
        consent: bool,
        answers: std::collections::BTreeMap<crate::equality::Characteristic, String>,
    }

    /// Deletes a person's equality monitoring answers: they withdrew their consent.
    WithdrawEquality => Some(Action::ManagePeople), { person: PersonId }

    /// Opens a matter (a complaint, a review, an enquiry) for a person.
    OpenMatter => Some(Action::RecordContact), {
        person: PersonId,
        kind: MatterKind,
        title: String,
    }

    /// Changes a matter's status; a finalised matter has the date it was finalised.
    SetMatterStatus => Some(Action::RecordContact), {
        matter: MatterId,
        status: MatterStatus,
        finalised_on: Option<Date>,
    }

    /// Records whether a person needs additional help to make contact, in their words.
    RecordAdditionalHelp => Some(Action::RecordContact), {
        person: PersonId,
        needs_help: bool,
        words: Option<String>,
    }

    /// Files a message from an unknown sender under a person, keeping the address as
    /// theirs where asked.
    MatchMessage => Some(Action::ManagePeople), {
        message: i64,
        person: PersonId,
        keep_address: bool,
    }

    /// Merges two records of the same person into one.
    MergePeople => Some(Action::MergePeople), {
        kept: PersonId,
        merged: PersonId,
        reason: String,
    }

    /// Records further action: a referral, an injunction, a report to the police.
    RecordFurtherAction => Some(Action::RecordFurtherAction), clause(p) &p.clauses.further_action, {
        person: PersonId,
        input: FurtherActionInput,
    }

    /// Drafts a plan for a person (CLE-9.4; NOR-5.1).
    DraftPlan => Some(Action::ProposePlan), { person: PersonId, input: PlanInput }

    /// Answers a plan's checklist of underlying causes (CLE-9.3; NOR-5.4).
    AnswerChecklist => Some(Action::AnswerChecklist), clause(p) &p.checklist.clause, {
        plan: PlanId,
        answers: Vec<AnswerInput>,
    }
}

/// Records an incident of unacceptable behaviour (CLE-4; NOR-3); ending a call is the
/// end-call action's, with its clause (CLE-4.4; NOR-3.3).
#[derive(Debug, Clone)]
pub struct RecordIncident {
    pub input: IncidentInput,
}

impl Command for RecordIncident {
    fn action(&self) -> Option<Action> {
        Some(if self.input.ended_call.is_some() {
            Action::EndCall
        } else {
            Action::RecordIncident
        })
    }
    fn clause<'p>(&self, profile: &'p Profile) -> Option<&'p str> {
        self.input
            .ended_call
            .is_some()
            .then_some(profile.clauses.end_call.as_str())
    }
}

/// The ended-call form of [`RecordIncident`]: what a page asks before offering it.
#[derive(Debug, Clone, Copy)]
pub struct EndCall;

impl Fixed for EndCall {
    const ACTION: Option<Action> = Some(Action::EndCall);
    fn role_clause(profile: &Profile) -> Option<&str> {
        Some(&profile.clauses.end_call)
    }
}

impl Fixed for RecordIncident {
    const ACTION: Option<Action> = Some(Action::RecordIncident);
}

/// One step on a plan's lifecycle ([`PlanCommand`]); the action is the step's.
#[derive(Debug, Clone)]
pub struct PlanStepCommand {
    pub plan: PlanId,
    pub command: PlanCommand,
}

/// A plan step's action is its step's ([`PlanStep::action`](crate::workflow::PlanStep)):
/// the kind alone does not say.
impl Fixed for PlanStepCommand {
    const ACTION: Option<Action> = None;
}

impl Command for PlanStepCommand {
    fn action(&self) -> Option<Action> {
        Some(self.command.step().action())
    }
    fn clause<'p>(&self, profile: &'p Profile) -> Option<&'p str> {
        self.command.step().role_clause(profile)
    }
}

/// Each plan step as a kind, so a door can refuse a role before it reads the request (the
/// API checks the step's role, then parses the body), as [`permit`] would for the command.
pub mod step {
    pub use crate::workflow::step_kinds::*;
}

/// Reads a page may offer, each with the action its reader's role must allow. The app's
/// reads check the same constants ([`permit_kind`]), so a link is shown exactly when the
/// page behind it will open.
pub mod read {
    use super::Fixed;
    use crate::roles::Action;

    macro_rules! reads {
        ($($(#[$meta:meta])* $name:ident => $action:ident;)*) => {$(
            $(#[$meta])*
            #[derive(Debug, Clone, Copy)]
            pub struct $name;
            impl Fixed for $name {
                const ACTION: Option<Action> = Some(Action::$action);
            }
        )*};
    }

    reads! {
        /// The contact check (every member of staff; a contact-check service account).
        ContactCheck => CheckContact;
        /// A person's record, their matters, contacts, plans and history.
        Records => ReadAll;
        /// The staff directory, with roles and who is active.
        StaffDirectory => ManageStaff;
        /// Letters waiting to be written, held, printed or posted.
        Letters => RecordNotice;
        /// Contacts waiting for screening, and the mail that came in.
        Screening => ScreenContact;
        /// Data-rights requests, and what is held about a person for their subject access.
        DataRights => HandleDataRights;
        /// Records due for disposal, where a person's records stand, legal holds and the
        /// disposal register (NOR-9.1).
        Retention => ManageRetention;
        /// Reasonable adjustments waiting for a decision.
        Adjustments => DecideAdjustment;
        /// Plans due for review.
        Reviews => ReviewPlan;
        /// The governance report.
        Governance => ReadGovernance;
        /// Who opened a person's records.
        AccessLog => ReadAccessLog;
        /// The equality monitoring report: counts only, small numbers suppressed.
        Equality => ReadEquality;
        /// Records as CSV for the office's own reporting (issue 14).
        Export => ExportRecords;
    }

    /// What any signed-in member of staff may see: colleagues' names, their own tasks, the
    /// counts on the home page. No service user's personal data.
    #[derive(Debug, Clone, Copy)]
    pub struct Anyone;
    impl Fixed for Anyone {
        const ACTION: Option<Action> = None;
    }

    /// The disclosure log and a request to share (CLE-9.15): for those who ask or approve,
    /// and auditors ([`crate::roles::may_read_disclosure_log`]).
    #[derive(Debug, Clone, Copy)]
    pub struct DisclosureLog;

    /// Who may make a read of this kind: the one role check `App::query` makes.
    pub trait Reads {
        /// # Errors
        /// A forbidden error naming who may, and the clause where there is one.
        fn permit(
            profile: &crate::profile::Profile,
            actor: &crate::roles::Actor,
        ) -> Result<(), crate::RuleError>;
    }

    impl<K: Fixed> Reads for K {
        fn permit(
            profile: &crate::profile::Profile,
            actor: &crate::roles::Actor,
        ) -> Result<(), crate::RuleError> {
            super::permit_kind::<K>(profile, actor)
        }
    }

    impl Reads for DisclosureLog {
        fn permit(
            profile: &crate::profile::Profile,
            actor: &crate::roles::Actor,
        ) -> Result<(), crate::RuleError> {
            crate::roles::may_read_disclosure_log(profile, actor)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roles::Role;
    use read::Reads;

    fn actor(role: Role) -> Actor {
        Actor::staff(crate::ids::StaffId(1), "Test", role)
    }

    /// CLE-9.15: the disclosure log is read by those who ask to share, the DPO who approves,
    /// and auditors; not by a caseworker. Governance and the access log follow the profile's
    /// lists; what any member of staff may see needs no role.
    #[test]
    fn cle_9_15_a_read_kind_is_permitted_as_the_profile_says() {
        let p = Profile::built_in("cleveland-opcc").unwrap();
        let ok = |r: Role| read::DisclosureLog::permit(&p, &actor(r)).is_ok();
        assert!(ok(Role::Dpo) && ok(Role::Auditor) && ok(Role::LineManager));
        assert!(!ok(Role::Caseworker));
        let refused = read::DisclosureLog::permit(&p, &actor(Role::Caseworker)).unwrap_err();
        assert_eq!(refused.clause.as_deref(), Some("CLE-9.15"));
        assert!(read::AccessLog::permit(&p, &actor(Role::Auditor)).is_ok());
        assert!(read::AccessLog::permit(&p, &actor(Role::SeniorManager)).is_err());
        assert!(read::Governance::permit(&p, &actor(Role::Caseworker)).is_err());
        for r in Role::ALL {
            assert!(read::Anyone::permit(&p, &actor(r)).is_ok(), "{r:?}");
            assert!(read::Records::permit(&p, &actor(r)).is_ok(), "{r:?}");
        }
    }

    #[test]
    fn a_command_names_the_action_its_step_checks() {
        let c = PlanStepCommand {
            plan: PlanId(1),
            command: PlanCommand::Lift { reason: "r".into() },
        };
        assert_eq!(c.action(), Some(Action::LiftPlan));
        assert_eq!(
            <DecideDisclosure as Fixed>::ACTION,
            Some(Action::ApproveDisclosure)
        );
        let d = DecideDisclosure {
            disclosure: DisclosureId(1),
            approve: true,
            reason: "r".into(),
        };
        assert_eq!(d.action(), Some(Action::ApproveDisclosure));
        let t = CompleteTask {
            task: TaskId(1),
            outcome: "done".into(),
        };
        assert_eq!(t.action(), None);
    }
}
