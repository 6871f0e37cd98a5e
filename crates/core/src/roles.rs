//! Who may do what: a pure function of the actor's role, the action and the loaded profile.

use crate::error::RuleError;
use crate::ids::StaffId;
use crate::profile::Profile;

crate::words! {
    /// A member of staff's role. The profile says which roles may take each [`Action`].
    pub enum Role for "role" {
        Caseworker = "caseworker",
        LineManager = "line-manager",
        SeniorManager = "senior-manager",
        CustomerServiceManager = "customer-service-manager",
        Dpo = "dpo",
        Auditor = "auditor",
        Admin = "admin",
    }
}

impl Role {
    /// As a letter's signature gives it: "Senior manager".
    pub fn title(self) -> String {
        let p = self.plain();
        let mut c = p.chars();
        c.next()
            .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
            .unwrap_or_default()
    }

    pub fn plain(self) -> &'static str {
        match self {
            Self::Caseworker => "caseworker",
            Self::LineManager => "line manager",
            Self::SeniorManager => "senior manager",
            Self::CustomerServiceManager => "customer service team manager",
            Self::Dpo => "Data Protection Officer",
            Self::Auditor => "auditor",
            Self::Admin => "administrator",
        }
    }

    /// One in this role, as a sentence names them: "a caseworker", "an auditor".
    pub fn one(self) -> String {
        let p = self.plain();
        let an = p.starts_with(['a', 'e', 'i', 'o', 'u']);
        format!("{} {p}", if an { "an" } else { "a" })
    }
}

crate::words! {
    /// Every step a member of staff can take that the profile governs.
    pub enum Action {
        EndCall = "end-call",
        RecordContact = "record-contact",
        RecordIncident = "record-incident",
        IssueWarning = "issue-warning",
        AnswerChecklist = "answer-checklist",
        ProposePlan = "propose-plan",
        AuthorisePlan = "authorise-plan",
        RecordNotice = "record-notice",
        ReviewPlan = "review-plan",
        VaryPlan = "vary-plan",
        LiftPlan = "lift-plan",
        ApplyPlanToMatter = "apply-plan-to-matter",
        DecideDispute = "decide-dispute",
        DecideAdjustment = "decide-adjustment",
        OverrideAdjustment = "override-adjustment",
        ScreenContact = "screen-contact",
        RecordFurtherAction = "record-further-action",
        ApproveDisclosure = "approve-disclosure",
        RequestDisclosure = "request-disclosure",
        ManagePeople = "manage-people",
        ManageStaff = "manage-staff",
        ReadAll = "read-all",
        /// Data-rights requests (access, rectification, erasure, objection): the DPO's.
        HandleDataRights = "handle-data-rights",
        /// Keeping and disposing of records (NOR-9.1): the disposal dry run and the
        /// disposal, legal holds and the disposal register. The DPO's, unless the profile
        /// says otherwise.
        ManageRetention = "manage-retention",
        /// Who opened a person's restrictions, incidents and adjustments: for the DPO and
        /// auditors.
        ReadAccessLog = "read-access-log",
        /// Merge two records of the same person into one (issue 10).
        MergePeople = "merge-people",
        /// The governance report: counts across every plan, review, breach and dispute.
        ReadGovernance = "read-governance",
        /// The equality monitoring report (issue 13): the DPO and the head of standards.
        ReadEquality = "read-equality",
        /// Ask the contact check who is calling and what may be done (CLE-9.9; NOR-6.1): every
        /// member of staff may, whatever the profile, and it is all a contact-check service
        /// account may do.
        CheckContact = "check-contact",
        /// Bring in an office's existing records from its earlier systems (issue 14).
        ImportRecords = "import-records",
        /// Download people, matters, contacts, plans or incidents as CSV for the office's own
        /// reporting (issue 14), on the access log.
        ExportRecords = "export-records",
    }
}

impl Action {
    /// What the step is, in plain English, as a refusal says it: "a caseworker may not
    /// issue a warning".
    pub fn plain(self) -> &'static str {
        match self {
            Self::EndCall => "end a call",
            Self::RecordContact => "record a contact",
            Self::RecordIncident => "record an incident",
            Self::IssueWarning => "issue a warning",
            Self::AnswerChecklist => "answer the checklist",
            Self::ProposePlan => "propose a plan",
            Self::AuthorisePlan => "authorise or refuse a plan",
            Self::RecordNotice => "record a written notice",
            Self::ReviewPlan => "review a plan",
            Self::VaryPlan => "vary a plan",
            Self::LiftPlan => "lift a plan",
            Self::ApplyPlanToMatter => "apply a plan to another matter",
            Self::DecideDispute => "decide a dispute",
            Self::DecideAdjustment => "decide a reasonable adjustment",
            Self::OverrideAdjustment => "override a reasonable adjustment",
            Self::ScreenContact => "screen a contact",
            Self::RecordFurtherAction => "record a police referral or legal action",
            Self::ApproveDisclosure => "approve sharing with a partner",
            Self::RequestDisclosure => "ask to share with a partner",
            Self::ManagePeople => "add or change a service user's record",
            Self::ManageStaff => "manage staff",
            Self::ReadAll => "read every record",
            Self::HandleDataRights => "handle a data-rights request",
            Self::ManageRetention => "keep or dispose of records",
            Self::ReadAccessLog => "read the access log",
            Self::MergePeople => "merge two records",
            Self::ReadGovernance => "read the governance report",
            Self::ReadEquality => "read the equality monitoring report",
            Self::CheckContact => "ask the contact check",
            Self::ImportRecords => "import records",
            Self::ExportRecords => "download records",
        }
    }
}

crate::words! {
    /// What a service account may do (issue 12): one narrow thing, for a system (a phone
    /// system, a mail gateway) rather than a person. It acts under its own name, so its
    /// look-ups are on the access log as its own, and it can never sign in.
    pub enum Scope for "scope" {
        /// The contact check, and nothing else: a phone system asking before it puts a call
        /// through.
        ContactCheck = "contact-check",
        /// The contact check, and logging the contacts it answered.
        LogContact = "log-contact",
    }
}

impl Scope {
    pub fn plain(self) -> &'static str {
        match self {
            Self::ContactCheck => "ask the contact check",
            Self::LogContact => "ask the contact check and log contacts",
        }
    }

    /// Every action the scope allows; nothing else is.
    pub fn actions(self) -> &'static [Action] {
        match self {
            Self::ContactCheck => &[Action::CheckContact],
            Self::LogContact => &[Action::CheckContact, Action::RecordContact],
        }
    }
}

/// The member of staff (or service account) taking a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: StaffId,
    pub name: String,
    pub role: Role,
    /// A service account's scope; `None` for a member of staff.
    pub scope: Option<Scope>,
}

impl Actor {
    /// A member of staff in `role` (not a service account).
    pub fn staff(id: StaffId, name: impl Into<String>, role: Role) -> Self {
        Self {
            id,
            name: name.into(),
            role,
            scope: None,
        }
    }
}

impl From<crate::model::Staff> for Actor {
    /// The member of staff as the one taking a step, in the role their record gives them.
    fn from(s: crate::model::Staff) -> Self {
        Self {
            id: s.id,
            name: s.name,
            role: s.role,
            scope: s.scope,
        }
    }
}

/// Refuses a service account anything its scope does not name (issue 12): a read or step
/// that no action governs included.
///
/// # Errors
/// A forbidden error saying what the service account may do.
pub fn within_scope(actor: &Actor, action: Option<Action>) -> Result<(), RuleError> {
    match actor.scope {
        Some(scope) if !action.is_some_and(|a| scope.actions().contains(&a)) => {
            Err(RuleError::forbidden(
                None,
                format!(
                    "{} is a service account that may only {}",
                    actor.name,
                    scope.plain()
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// Whether the task is `actor`'s to do, on their own list: assigned to them, or to their
/// role when it names nobody. A manager who oversees it ([`may_close_task`]) does not hold
/// it, and may not be able to take the step it asks for.
pub fn holds_task(actor: &Actor, task: &crate::model::NewTask) -> bool {
    task.assignee == Some(actor.id) || (task.assignee.is_none() && task.role == Some(actor.role))
}

/// Whether `actor` sees `task` among the open tasks on a person's record. Every task about
/// the person's case, whoever holds it: whoever answers their call may need to say what is
/// still owed. A task about a member of staff ([`crate::model::TaskKind::about_staff`]: a
/// colleague's ended call, the behaviour towards them, their welfare; CLE-4.5, 6.5; NOR-6.1)
/// only where `actor` may close it ([`may_close_task`]): how a colleague is supported is
/// for their managers, not for everyone who opens the person's page.
pub fn sees_task(actor: &Actor, task: &crate::model::NewTask) -> bool {
    !task.kind.about_staff() || may_close_task(actor, task).is_ok()
}

/// Whether `actor` may close a task by hand (one a step does not close itself): the member
/// of staff it is assigned to, anyone in the role it is for when it names nobody, or a line
/// or senior manager.
///
/// # Errors
/// A forbidden error when the task belongs to someone else.
pub fn may_close_task(actor: &Actor, task: &crate::model::NewTask) -> Result<(), RuleError> {
    let mine = holds_task(actor, task);
    let manager = matches!(actor.role, Role::LineManager | Role::SeniorManager);
    if mine || manager {
        Ok(())
    } else {
        Err(RuleError::forbidden(
            None,
            "this task belongs to someone else",
        ))
    }
}

/// Why `actor` may not close this task by hand now, or `None` where they may: a task its
/// step closes (the step, not a note, is what was done), a notice task for `plan` while the
/// plan awaits its notice (recording the notice is what makes it bite: closing the task by
/// hand would leave it waiting with nothing to say so), another's task
/// ([`may_close_task`]), or one already done. Closing a task by hand asks it first (the
/// task page keeps its own checks: a breach reminder is done on that page, by sending it).
pub fn close_refusal(
    actor: &Actor,
    t: &crate::model::Task,
    plan: Option<&crate::model::Plan>,
) -> Option<RuleError> {
    if let Some(step) = t.task.kind.done_by_its_step() {
        return Some(RuleError::conflict(
            &t.task.clause,
            format!("this task is done by {step}, not closed by hand"),
        ));
    }
    if t.task.kind == crate::model::TaskKind::SendNotice
        && plan.is_some_and(crate::model::Plan::awaits_notice)
    {
        return Some(RuleError::conflict(
            &t.task.clause,
            "this task is done by recording the written notice on the plan, not closed by hand",
        ));
    }
    may_close_task(actor, &t.task).err().or_else(|| {
        t.done_at
            .map(|_| RuleError::state("task_id", "this task is already done"))
    })
}

/// Whether `actor` may read the log of what was shared with partners (CLE-9.15): auditors,
/// and whoever may ask to share or decide a request.
///
/// # Errors
/// A forbidden error naming the profile's sharing clause.
pub fn may_read_disclosure_log(profile: &Profile, actor: &Actor) -> Result<(), RuleError> {
    if actor.role == Role::Auditor
        || profile.may(actor.role, Action::ApproveDisclosure)
        || profile.may(actor.role, Action::RequestDisclosure)
    {
        return Ok(());
    }
    Err(RuleError::forbidden(
        Some(&profile.sharing.clause),
        format!("a {} cannot read the disclosure log", actor.role.plain()),
    ))
}

/// Whether `actor` may take `action` under `profile`.
///
/// # Errors
/// A forbidden error naming the roles that may, and the clause where the action has one.
pub fn authorise(
    profile: &Profile,
    actor: &Actor,
    action: Action,
    clause: Option<&str>,
) -> Result<(), RuleError> {
    within_scope(actor, Some(action))?;
    if profile.may(actor.role, action) {
        return Ok(());
    }
    let allowed: Vec<&str> = profile
        .roles
        .roles_for(action)
        .iter()
        .map(|r| r.plain())
        .collect();
    Err(RuleError::forbidden(
        clause,
        format!(
            "{} may not {}; this needs: {}",
            actor.role.one(),
            action.plain(),
            allowed.join(", ")
        ),
    ))
}

/// How long a web session lasts (issue 12; `[sessions]` in `tact.toml`): it ends after
/// `idle` without use, and at `absolute` after sign-in however much it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    pub idle: jiff::SignedDuration,
    pub absolute: jiff::SignedDuration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self {
            idle: jiff::SignedDuration::from_mins(30),
            absolute: jiff::SignedDuration::from_hours(10),
        }
    }
}

/// Whether a session begun at `started` and last used at `seen` still lets its holder in at
/// `now` under `limits`.
pub fn session_alive(
    limits: SessionLimits,
    started: jiff::Timestamp,
    seen: jiff::Timestamp,
    now: jiff::Timestamp,
) -> bool {
    now < started + limits.absolute && now < seen + limits.idle
}

/// How long a one-time password-reset link works (issue 12).
pub const RESET_HOURS: i64 = 24;

/// Who may issue a one-time password-reset link for whom (issue 12): whoever manages
/// staff, for a member of staff who is active — never a service account, which never signs
/// in.
///
/// # Errors
/// A role refusal; a service account; someone no longer active.
pub fn may_issue_reset(
    profile: &Profile,
    actor: &Actor,
    holder: &crate::model::Staff,
) -> Result<(), RuleError> {
    authorise(profile, actor, Action::ManageStaff, None)?;
    if holder.scope.is_some() {
        return Err(RuleError::invalid(
            "staff_id",
            "a service account never signs in: it has no password to reset",
        ));
    }
    if !holder.active {
        return Err(RuleError::invalid(
            "staff_id",
            format!("{} is not active: make them active first", holder.name),
        ));
    }
    Ok(())
}

/// Who may give a member of staff a username and password (issue 12): the system setting up
/// the office (`by` is `None`), anyone for themselves, otherwise whoever manages staff — and
/// never for a service account (`holder` where it is on record), which signs in with its API
/// tokens only.
///
/// # Errors
/// A role refusal; a service account.
pub fn may_set_credentials(
    profile: &Profile,
    by: Option<&Actor>,
    target: crate::ids::StaffId,
    holder: Option<&crate::model::Staff>,
) -> Result<(), RuleError> {
    if let Some(a) = by.filter(|a| a.id != target) {
        authorise(profile, a, Action::ManageStaff, None)?;
    }
    if holder.is_some_and(|s| s.scope.is_some()) {
        return Err(RuleError::invalid(
            "staff_id",
            "a service account never signs in: it uses its API tokens",
        ));
    }
    Ok(())
}

/// How long an API token lasts when nobody says, and the longest it may (issue 12).
pub const TOKEN_DEFAULT_DAYS: u32 = 90;
pub const TOKEN_MAX_DAYS: u32 = 365;

/// Who may mint an API token for whom (issue 12): a member of staff for themselves;
/// whoever manages staff for a service account (which cannot sign in to mint its own);
/// nobody for another member of staff; a service account never.
///
/// # Errors
/// A forbidden error saying why.
pub fn may_issue_token(
    profile: &Profile,
    actor: &Actor,
    holder: &crate::model::Staff,
) -> Result<(), RuleError> {
    if actor.scope.is_some() {
        return within_scope(actor, None);
    }
    if holder.scope.is_some() {
        return authorise(profile, actor, Action::ManageStaff, None);
    }
    if holder.id == actor.id {
        return Ok(());
    }
    Err(RuleError::forbidden(
        None,
        format!(
            "nobody mints a token for anyone else: {} mints their own when they are signed in",
            holder.name
        ),
    ))
}

/// Who may list a member of staff's tokens or revoke one (issue 12): the holder, or whoever
/// manages staff.
///
/// # Errors
/// A forbidden error naming the roles that may.
pub fn may_manage_tokens(
    profile: &Profile,
    actor: &Actor,
    holder: StaffId,
) -> Result<(), RuleError> {
    if actor.scope.is_none() && holder == actor.id {
        return Ok(());
    }
    authorise(profile, actor, Action::ManageStaff, None)
}

/// When a token minted at `now` to last `days` (default [`TOKEN_DEFAULT_DAYS`]) expires.
///
/// # Errors
/// An invalid-input error naming `days` outside 1 to [`TOKEN_MAX_DAYS`].
pub fn token_expiry(now: jiff::Timestamp, days: Option<u32>) -> Result<jiff::Timestamp, RuleError> {
    let days = days.unwrap_or(TOKEN_DEFAULT_DAYS);
    if !(1..=TOKEN_MAX_DAYS).contains(&days) {
        return Err(RuleError::invalid(
            "days",
            format!("a token lasts 1 to {TOKEN_MAX_DAYS} days, not {days}"),
        ));
    }
    Ok(now + jiff::SignedDuration::from_hours(24 * i64::from(days)))
}

/// A member of staff's line manager (CLE-4.5, 6.5; NOR-6.1: the one an ended call, a
/// welfare concern or an incident is reported to) is another active member of staff, and
/// following line managers up from them never comes back to `staff` (the one being
/// given the manager; `None` for someone not yet added).
///
/// # Errors
/// No such member of staff (404); one who has left, themselves, or a loop (400), each
/// naming the field `line_manager`.
pub fn check_line_manager(
    staff: Option<StaffId>,
    manager: StaffId,
    all: &[crate::model::Staff],
) -> Result<(), RuleError> {
    let find = |id: StaffId| all.iter().find(|s| s.id == id);
    let Some(m) = find(manager) else {
        return Err(RuleError::not_found(
            "line_manager",
            format!("no member of staff {manager}"),
        ));
    };
    if !m.active {
        return Err(RuleError::invalid(
            "line_manager",
            format!("{} has left: choose someone still working here", m.name),
        ));
    }
    if m.scope.is_some() {
        return Err(RuleError::invalid(
            "line_manager",
            format!("{} is a service account, not a person", m.name),
        ));
    }
    let Some(me) = staff else { return Ok(()) };
    // Up the chain from the new manager: reaching `me` means a loop.
    let mut next = Some(manager);
    let mut seen = Vec::new();
    while let Some(id) = next {
        if id == me {
            return Err(RuleError::invalid(
                "line_manager",
                if manager == me {
                    "nobody can be their own line manager".to_string()
                } else {
                    format!("{} is managed, through others, by this member of staff: that would be a loop", m.name)
                },
            ));
        }
        if seen.contains(&id) {
            break;
        }
        seen.push(id);
        next = find(id).and_then(|s| s.line_manager);
    }
    Ok(())
}

/// A change to a member of staff's role, whether they still work here, or their line
/// manager (`Some(None)`: none any more): the record as it becomes. The office keeps at least one active administrator
/// (someone must manage staff and tokens), so the last one can neither leave nor lose the
/// role; a new line manager is checked as [`check_line_manager`].
///
/// # Errors
/// As [`check_line_manager`]; a conflict (409) for the last active administrator.
pub fn change_staff(
    before: &crate::model::Staff,
    role: Option<Role>,
    active: Option<bool>,
    line_manager: Option<Option<StaffId>>,
    all: &[crate::model::Staff],
) -> Result<crate::model::Staff, RuleError> {
    let mut s = before.clone();
    s.role = role.unwrap_or(s.role);
    s.active = active.unwrap_or(s.active);
    if let Some(m) = line_manager {
        if let Some(m) = m {
            check_line_manager(Some(s.id), m, all)?;
        }
        s.line_manager = m;
    }
    let was_admin = before.role == Role::Admin && before.active;
    let is_admin = s.role == Role::Admin && s.active;
    let others = all
        .iter()
        .any(|x| x.id != s.id && x.role == Role::Admin && x.active && x.scope.is_none());
    if was_admin && !is_admin && !others {
        return Err(RuleError::state(
            if s.active { "role" } else { "active" },
            format!(
                "{} is the only active administrator: add another before they leave or change role",
                s.name
            ),
        ));
    }
    Ok(s)
}

/// The member of staff `id`, where they are still in post (their account active): whoever
/// a task, a reminder or a person's contact is passed to. Someone who has left (CLE-9.9;
/// NOR-5.5) is passed nothing.
pub fn in_post(all: &[crate::model::Staff], id: StaffId) -> Option<&crate::model::Staff> {
    all.iter().find(|x| x.id == id && x.active)
}

/// The queues Tact raises tasks to by role that nobody active holds: each role with what
/// waits for it, in the profile's order. A task for such a role waits for nobody, so an
/// office setting up (an administrator on the staff page) is told which roles to fill:
/// authorising plans (CLE-4.5; NOR-6.2), deciding disputes (NOR-7.1), deciding reasonable
/// adjustments (CLE-8.5; NOR-1.5), the DPO's sharing decisions, data-rights requests and
/// disposal (CLE-9.15; NOR-9.1), screening contact (CLE-9.10; NOR-5.5), and follow-ups for
/// staff who have no line manager (CLE-4.5; NOR-6.1). A service account holds no queue.
pub fn unheld_queues(profile: &Profile, all: &[crate::model::Staff]) -> Vec<(Role, String)> {
    let plan = &profile.terms.plan;
    let queues = [
        (Action::AuthorisePlan, format!("authorising a {plan}")),
        (
            Action::DecideDispute,
            format!("deciding a dispute about a {plan}"),
        ),
        (
            Action::DecideAdjustment,
            "deciding a reasonable adjustment".to_string(),
        ),
        (
            Action::ApproveDisclosure,
            "deciding a request to share details".to_string(),
        ),
        (
            Action::HandleDataRights,
            "answering a data-rights request".to_string(),
        ),
        (
            Action::ManageRetention,
            "disposing of records when they are due".to_string(),
        ),
        (Action::ScreenContact, "screening contact".to_string()),
    ];
    let held = |role: Role| {
        all.iter()
            .any(|s| s.active && s.scope.is_none() && s.role == role)
    };
    let mut out: Vec<(Role, String)> = Vec::new();
    let mut add = |role: Role, what: String| match out.iter_mut().find(|(r, _)| *r == role) {
        Some((_, said)) => {
            said.push_str(", ");
            said.push_str(&what);
        }
        None => out.push((role, what)),
    };
    for (action, what) in queues {
        let role = profile.roles.queue_for(action);
        if !held(role) {
            add(role, what);
        }
    }
    if !held(Role::LineManager) {
        add(
            Role::LineManager,
            "following up an ended call or behaviour towards staff who have no line manager"
                .to_string(),
        );
    }
    out
}

/// Whether `s` may be named as a person's single point of contact (CLE-9.9; NOR-5.5):
/// a member of staff still in post whose role records contact under the profile, since
/// every call, email and diverted message from the person goes to them. Never a service
/// account (a phone system's), nor a role that deals with no contact (an auditor).
pub fn may_be_single_point_of_contact(profile: &Profile, s: &crate::model::Staff) -> bool {
    s.active && s.scope.is_none() && profile.may(s.role, Action::RecordContact)
}

/// Who a member of staff's open tasks go to when they leave: their line manager, where they
/// have one still in post; otherwise no one by name, and each task goes to everyone in its
/// own role (theirs, where it names none). Nothing they were asked to do is left where no
/// one sees it.
pub fn tasks_go_to(left: &crate::model::Staff, all: &[crate::model::Staff]) -> Option<StaffId> {
    left.line_manager
        .filter(|m| *m != left.id)
        .filter(|m| in_post(all, *m).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NewTask, TaskKind};

    fn actor(id: i64, role: Role) -> Actor {
        Actor::staff(StaffId(id), "Someone", role)
    }

    fn task(assignee: Option<i64>, role: Option<Role>) -> NewTask {
        NewTask {
            kind: TaskKind::ReportToManager,
            person_id: None,
            assignee: assignee.map(StaffId),
            role,
            title: "A task".into(),
            due_on: None,
            clause: "CLE-4.5".into(),
            subject: None,
        }
    }

    /// A leaver's open tasks go to their line manager while they are in post, else to their
    /// role: never to someone who has left too, nor back to the leaver.
    #[test]
    fn a_leavers_tasks_go_to_their_line_manager_in_post_or_to_their_role() {
        let person = |id: i64, manager: Option<i64>, active: bool| crate::model::Staff {
            id: StaffId(id),
            name: format!("staff {id}"),
            email: None,
            role: Role::Caseworker,
            line_manager: manager.map(StaffId),
            active,
            scope: None,
        };
        let leaver = person(1, Some(2), false);
        let all = vec![leaver.clone(), person(2, None, true)];
        assert_eq!(tasks_go_to(&leaver, &all), Some(StaffId(2)));
        let all = vec![leaver.clone(), person(2, None, false)];
        assert_eq!(tasks_go_to(&leaver, &all), None);
        assert_eq!(tasks_go_to(&person(1, None, false), &all), None);
        let own = person(1, Some(1), false);
        assert_eq!(tasks_go_to(&own, std::slice::from_ref(&own)), None);
    }

    #[test]
    fn a_task_is_closed_by_its_assignee_its_role_or_a_manager_and_no_one_else() {
        let named = task(Some(1), Some(Role::Caseworker));
        assert!(may_close_task(&actor(1, Role::Caseworker), &named).is_ok());
        assert!(may_close_task(&actor(2, Role::Caseworker), &named).is_err());
        assert!(may_close_task(&actor(3, Role::LineManager), &named).is_ok());
        let for_role = task(None, Some(Role::Caseworker));
        assert!(may_close_task(&actor(2, Role::Caseworker), &for_role).is_ok());
        assert!(may_close_task(&actor(4, Role::Dpo), &for_role).is_err());
    }

    /// A person's record shows every open task about their case to whoever reads it, and a
    /// task about a member of staff (a colleague's ended call, behaviour towards them, their
    /// welfare) only to whoever may close it: the one it is for and the managers.
    #[test]
    fn cle_4_5_cle_6_5_nor_6_1_a_task_about_a_colleague_is_seen_only_by_those_who_may_close_it() {
        let dpo_decision = NewTask {
            kind: TaskKind::DisclosureDecision,
            ..task(None, Some(Role::Dpo))
        };
        assert!(sees_task(&actor(2, Role::Caseworker), &dpo_decision));
        assert!(sees_task(&actor(5, Role::Auditor), &dpo_decision));
        for kind in [
            TaskKind::EndedCallFollowUp,
            TaskKind::WelfareFollowUp,
            TaskKind::ReportToManager,
        ] {
            let about_staff = NewTask {
                kind,
                ..task(Some(3), Some(Role::LineManager))
            };
            assert!(
                !sees_task(&actor(2, Role::Caseworker), &about_staff),
                "{kind:?}"
            );
            assert!(
                !sees_task(&actor(5, Role::Auditor), &about_staff),
                "{kind:?}"
            );
            assert!(
                sees_task(&actor(3, Role::LineManager), &about_staff),
                "{kind:?}"
            );
            assert!(
                sees_task(&actor(6, Role::SeniorManager), &about_staff),
                "{kind:?}"
            );
        }
    }

    /// Issue 11: closing a task by hand is refused for a task its own step closes, for
    /// another's task, and for one already done — one answer for the API, the CLI and the
    /// task page.
    #[test]
    fn a_task_its_step_closes_another_s_or_a_done_one_is_not_closed_by_hand() {
        let mut t = crate::model::Task {
            id: crate::ids::TaskId(1),
            task: task(Some(1), None),
            created_at: jiff::Timestamp::UNIX_EPOCH,
            done_at: None,
            done_by: None,
            outcome: None,
        };
        let me = actor(1, Role::Caseworker);
        assert!(close_refusal(&me, &t, None).is_none());
        assert_eq!(
            close_refusal(&actor(2, Role::Caseworker), &t, None).map(|e| e.kind),
            Some(crate::RuleErrorKind::Forbidden)
        );
        t.done_at = Some(jiff::Timestamp::UNIX_EPOCH);
        assert_eq!(
            close_refusal(&me, &t, None).and_then(|e| e.field),
            Some("task_id".to_string())
        );
        t.done_at = None;
        t.task.kind = TaskKind::Screening;
        let e = close_refusal(&me, &t, None).unwrap();
        assert!(e.message.contains("screening the contact"), "{}", e.message);
    }

    /// CLE-9.6; NOR-5.1, 6.2: a notice task is done by recording the notice on its plan
    /// while the plan awaits one (the first, a variation's, or a matter's it was applied
    /// to): closed by hand, the plan would wait for ever with nothing to say so. Once
    /// nothing awaits a notice (the plan has ended, say), the task is closed by hand.
    #[test]
    fn cle_9_6_and_nor_5_1_a_notice_task_is_not_closed_by_hand_while_its_plan_awaits_the_notice() {
        use crate::model::{PendingMatter, Plan, PlanStatus};
        let t = crate::model::Task {
            id: crate::ids::TaskId(1),
            task: NewTask {
                kind: TaskKind::SendNotice,
                ..task(Some(1), None)
            },
            created_at: jiff::Timestamp::UNIX_EPOCH,
            done_at: None,
            done_by: None,
            outcome: None,
        };
        let me = actor(1, Role::LineManager);
        let mut plan = Plan::first_draft(
            crate::ids::PersonId(1),
            StaffId(1),
            jiff::Timestamp::UNIX_EPOCH,
            Vec::new(),
            jiff::civil::date(2027, 1, 1),
            None,
        );
        plan.status = PlanStatus::Authorised;
        let e = close_refusal(&me, &t, Some(&plan)).expect("the first notice (NOR)");
        assert_eq!(e.kind, crate::RuleErrorKind::Conflict);
        plan.status = PlanStatus::Active;
        assert!(
            close_refusal(&me, &t, Some(&plan)).is_some(),
            "in force at once, but not told yet (CLE)"
        );
        plan.notice = Some(crate::model::Notice::letter(
            jiff::Timestamp::UNIX_EPOCH,
            StaffId(1),
            crate::model::Format::Standard,
        ));
        assert!(
            close_refusal(&me, &t, Some(&plan)).is_none(),
            "nothing awaited"
        );
        plan.pending_matters.push(PendingMatter {
            matter_id: crate::ids::MatterId(2),
            reason: "Same behaviour".into(),
            requested_by: StaffId(2),
            requested_at: jiff::Timestamp::UNIX_EPOCH,
            authorised_by: Some(StaffId(3)),
            authorised_at: Some(jiff::Timestamp::UNIX_EPOCH),
        });
        assert!(
            close_refusal(&me, &t, Some(&plan)).is_some(),
            "a matter's notice"
        );
        plan.status = PlanStatus::Lifted;
        plan.pending_matters.clear();
        assert!(close_refusal(&me, &t, Some(&plan)).is_none());
    }

    #[test]
    fn cle_9_15_the_disclosure_log_is_read_by_auditors_and_those_who_share_only() {
        let p = Profile::built_in("cleveland-opcc").unwrap();
        assert!(may_read_disclosure_log(&p, &actor(1, Role::Auditor)).is_ok());
        assert!(may_read_disclosure_log(&p, &actor(1, Role::Dpo)).is_ok());
        assert!(may_read_disclosure_log(&p, &actor(1, Role::LineManager)).is_ok());
        let err = may_read_disclosure_log(&p, &actor(1, Role::Caseworker)).unwrap_err();
        assert_eq!(err.clause.as_deref(), Some("CLE-9.15"));
    }

    /// NOR-9.1: keeping and disposing of records is its own step, not a data-rights
    /// request's: refused in its own words, the DPO's under both profiles, and a profile
    /// that gives it to another role sends the disposal task to that role's queue.
    #[test]
    fn nor_9_1_retention_is_its_own_step_with_its_own_refusal_and_queue() {
        for office in ["cleveland-opcc", "northamptonshire-opfcc"] {
            let p = Profile::built_in(office).unwrap();
            assert_eq!(p.roles.roles_for(Action::ManageRetention), [Role::Dpo]);
            let e = authorise(
                &p,
                &actor(1, Role::Caseworker),
                Action::ManageRetention,
                None,
            )
            .unwrap_err();
            assert!(
                e.message
                    .starts_with("a caseworker may not keep or dispose of records"),
                "{e}"
            );
        }
        let mut p = Profile::built_in("northamptonshire-opfcc").unwrap();
        p.roles.manage_retention = vec![Role::Admin, Role::Dpo];
        assert!(authorise(&p, &actor(1, Role::Admin), Action::ManageRetention, None).is_ok());
        let today = jiff::civil::date(2026, 12, 4);
        let task = crate::jobs::disposal_task(&p, 3, today, &[]);
        assert_eq!(task[0].role, Some(Role::Admin));
        // Data-rights requests stay the DPO's.
        assert_eq!(p.roles.queue_for(Action::HandleDataRights), Role::Dpo);
    }

    fn staff(id: i64, scope: Option<Scope>) -> crate::model::Staff {
        crate::model::Staff {
            id: StaffId(id),
            name: format!("Staff {id}"),
            email: None,
            role: Role::Caseworker,
            line_manager: None,
            active: true,
            scope,
        }
    }

    /// CLE-4.5, 8.5, 9.15; NOR-1.5, 6.2, 7.1: an office with nobody in a role its tasks go
    /// to is told which, and what waits there; someone disabled or a service account holds
    /// none; filled, nothing is said.
    #[test]
    fn cle_8_5_nor_1_5_a_role_tasks_go_to_that_nobody_holds_is_named() {
        let p = crate::profile::Profile::built_in("northamptonshire-opfcc").unwrap();
        let with = |role: Role, active: bool, scope: Option<Scope>| crate::model::Staff {
            role,
            active,
            ..staff(1, scope)
        };
        let roles = |all: &[crate::model::Staff]| {
            unheld_queues(&p, all)
                .into_iter()
                .map(|(r, _)| r)
                .collect::<Vec<_>>()
        };
        let mut all = vec![with(Role::Admin, true, None)];
        let unheld = unheld_queues(&p, &all);
        let said = |role: Role| {
            unheld
                .iter()
                .find(|(r, _)| *r == role)
                .map(|(_, w)| w.clone())
                .unwrap_or_default()
        };
        assert!(said(Role::SeniorManager).contains("authorising a communication plan"));
        assert!(said(Role::CustomerServiceManager).contains("deciding a dispute"));
        assert!(said(Role::CustomerServiceManager).contains("reasonable adjustment"));
        assert!(said(Role::Dpo).contains("data-rights request"));
        assert!(said(Role::Caseworker).contains("screening contact"));
        assert!(said(Role::LineManager).contains("no line manager"));
        // Disabled, or a service account in the role, holds nothing.
        all.push(with(Role::CustomerServiceManager, false, None));
        all.push(with(Role::Caseworker, true, Some(Scope::ContactCheck)));
        assert!(roles(&all).contains(&Role::CustomerServiceManager));
        assert!(roles(&all).contains(&Role::Caseworker));
        for role in [
            Role::SeniorManager,
            Role::CustomerServiceManager,
            Role::Dpo,
            Role::Caseworker,
            Role::LineManager,
        ] {
            all.push(with(role, true, None));
        }
        assert_eq!(roles(&all), Vec::<Role>::new());
    }

    #[test]
    fn issue_12_a_token_is_minted_for_oneself_or_by_an_administrator_for_a_service_account() {
        let p = Profile::built_in("cleveland-opcc").unwrap();
        let cas = actor(1, Role::Caseworker);
        let admin = actor(2, Role::Admin);
        assert!(may_issue_token(&p, &cas, &staff(1, None)).is_ok());
        // Nobody for another member of staff, an administrator included.
        assert!(may_issue_token(&p, &cas, &staff(3, None)).is_err());
        assert!(may_issue_token(&p, &admin, &staff(3, None)).is_err());
        // A service account's token: an administrator's to mint, nobody else's.
        let phones = staff(4, Some(Scope::ContactCheck));
        assert!(may_issue_token(&p, &admin, &phones).is_ok());
        assert!(may_issue_token(&p, &cas, &phones).is_err());
        let mut as_phones = actor(4, Role::Caseworker);
        as_phones.scope = Some(Scope::ContactCheck);
        assert!(may_issue_token(&p, &as_phones, &phones).is_err());
        // Listing and revoking: the holder or an administrator.
        assert!(may_manage_tokens(&p, &cas, StaffId(1)).is_ok());
        assert!(may_manage_tokens(&p, &cas, StaffId(3)).is_err());
        assert!(may_manage_tokens(&p, &admin, StaffId(3)).is_ok());
        assert!(may_manage_tokens(&p, &as_phones, StaffId(4)).is_err());
    }

    #[test]
    fn issue_12_a_token_lasts_a_bounded_time() {
        let now: jiff::Timestamp = "2026-12-01T00:00:00Z".parse().unwrap();
        assert_eq!(
            token_expiry(now, None).unwrap(),
            "2027-03-01T00:00:00Z".parse::<jiff::Timestamp>().unwrap()
        );
        assert!(token_expiry(now, Some(0)).is_err());
        assert!(token_expiry(now, Some(TOKEN_MAX_DAYS + 1)).is_err());
        assert!(token_expiry(now, Some(TOKEN_MAX_DAYS)).is_ok());
    }

    #[test]
    fn issue_12_a_service_account_may_do_its_scope_and_nothing_else() {
        let p = Profile::built_in("northamptonshire-opfcc").unwrap();
        let mut phones = actor(4, Role::Caseworker);
        phones.scope = Some(Scope::ContactCheck);
        assert!(authorise(&p, &phones, Action::CheckContact, None).is_ok());
        assert!(authorise(&p, &phones, Action::RecordContact, None).is_err());
        assert!(authorise(&p, &phones, Action::ReadAll, None).is_err());
        assert!(within_scope(&phones, None).is_err());
        phones.scope = Some(Scope::LogContact);
        assert!(authorise(&p, &phones, Action::RecordContact, None).is_ok());
        assert!(authorise(&p, &phones, Action::ManagePeople, None).is_err());
        // Every member of staff may ask the contact check, whatever the profile.
        for r in Role::ALL {
            assert!(authorise(&p, &actor(1, r), Action::CheckContact, None).is_ok());
        }
    }

    #[test]
    fn nor_5_2_a_refusal_names_the_step_and_who_may_take_it_in_plain_english() {
        let p = Profile::built_in("northamptonshire-opfcc").unwrap();
        let e = authorise(
            &p,
            &actor(4, Role::Caseworker),
            Action::IssueWarning,
            Some("NOR-5.2"),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "NOR-5.2: a caseworker may not issue a warning; this needs: line manager, senior manager, \
             customer service team manager"
        );
        let e = authorise(
            &p,
            &actor(11, Role::Auditor),
            Action::ApplyPlanToMatter,
            None,
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("an auditor may not apply a plan to another matter;"),
            "{e}"
        );
        // Every step has its own words, so a refusal says which step it was.
        let words: std::collections::BTreeSet<&str> =
            Action::ALL.iter().map(|a| a.plain()).collect();
        assert_eq!(words.len(), Action::ALL.len());
    }

    #[test]
    fn issue_12_a_session_ends_when_idle_and_at_its_absolute_end() {
        let limits = SessionLimits::default();
        let start: jiff::Timestamp = "2026-12-01T09:00:00Z".parse().unwrap();
        let mins = jiff::SignedDuration::from_mins;
        assert!(session_alive(limits, start, start, start + mins(29)));
        assert!(!session_alive(limits, start, start, start + mins(30)));
        // Used every twenty minutes it lasts until ten hours, and not past them.
        let seen = start + mins(9 * 60 + 50);
        assert!(session_alive(
            limits,
            start,
            seen,
            start + mins(9 * 60 + 59)
        ));
        assert!(!session_alive(limits, start, seen, start + mins(10 * 60)));
    }

    #[test]
    fn issue_12_only_an_administrator_issues_a_reset_link_and_never_for_a_service_account() {
        let p = Profile::built_in("northamptonshire-opfcc").unwrap();
        let admin = actor(2, Role::Admin);
        assert!(may_issue_reset(&p, &admin, &staff(1, None)).is_ok());
        assert!(may_issue_reset(&p, &actor(3, Role::SeniorManager), &staff(1, None)).is_err());
        assert!(may_issue_reset(&p, &admin, &staff(4, Some(Scope::ContactCheck))).is_err());
        let mut gone = staff(5, None);
        gone.active = false;
        assert!(may_issue_reset(&p, &admin, &gone).is_err());
    }

    #[test]
    fn issue_12_a_password_is_set_by_oneself_by_an_administrator_or_at_set_up_never_for_a_service_account(
    ) {
        for name in ["cleveland-opcc", "northamptonshire-opfcc"] {
            let p = Profile::built_in(name).unwrap();
            let admin = actor(2, Role::Admin);
            let caseworker = actor(1, Role::Caseworker);
            let them = staff(1, None);
            let may = |by: Option<&Actor>, s: &crate::model::Staff| {
                may_set_credentials(&p, by, s.id, Some(s))
            };
            assert!(may(Some(&caseworker), &them).is_ok(), "their own");
            assert!(may(Some(&admin), &them).is_ok());
            assert!(may(None, &them).is_ok(), "set-up");
            let e = may(Some(&actor(3, Role::SeniorManager)), &them).unwrap_err();
            assert_eq!(e.kind, crate::RuleErrorKind::Forbidden, "{name}");
            let service = staff(4, Some(Scope::ContactCheck));
            let e = may(Some(&admin), &service).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("staff_id"), "{name}");
            assert!(may(None, &service).is_err(), "{name}");
            // Nobody on record: the store answers that there is no such member of staff.
            assert!(may_set_credentials(&p, Some(&admin), StaffId(9), None).is_ok());
        }
    }

    fn person(id: i64, role: Role, manager: Option<i64>) -> crate::model::Staff {
        crate::model::Staff {
            id: StaffId(id),
            name: format!("Staff {id}"),
            email: None,
            role,
            line_manager: manager.map(StaffId),
            active: true,
            scope: None,
        }
    }

    /// CLE-4.5, 6.5; NOR-6.1: follow-ups go to the line manager, so a line manager is
    /// another active member of staff and the chain never loops back.
    #[test]
    fn cle_4_5_and_nor_6_1_a_line_manager_is_another_active_person_and_no_loop() {
        let mut left = person(5, Role::LineManager, None);
        left.active = false;
        let mut bot = person(6, Role::Caseworker, None);
        bot.scope = Some(Scope::ContactCheck);
        let all = vec![
            person(1, Role::Caseworker, Some(2)),
            person(2, Role::LineManager, Some(3)),
            person(3, Role::SeniorManager, None),
            person(4, Role::Caseworker, None),
            left,
            bot,
        ];
        let field = |r: Result<(), RuleError>| {
            let e = r.unwrap_err();
            (e.kind, e.field.unwrap_or_default())
        };
        assert!(check_line_manager(Some(StaffId(4)), StaffId(2), &all).is_ok());
        assert!(check_line_manager(None, StaffId(3), &all).is_ok());
        use crate::error::RuleErrorKind::{Invalid, NotFound};
        for (staff, manager, kind) in [
            (Some(4), 99, NotFound),
            (None, 5, Invalid),
            (Some(4), 6, Invalid),
            (Some(4), 4, Invalid),
            // 3 manages 2 who manages 1: 1 cannot manage 3.
            (Some(3), 1, Invalid),
        ] {
            assert_eq!(
                field(check_line_manager(
                    staff.map(StaffId),
                    StaffId(manager),
                    &all
                )),
                (kind, "line_manager".to_string()),
                "{staff:?} managed by {manager}"
            );
        }
    }

    /// The office keeps an active administrator: the last one can neither leave nor become
    /// something else (a local rule, not the policy's: without one nobody manages staff).
    #[test]
    fn local_the_last_active_administrator_can_neither_leave_nor_change_role() {
        let admin = person(1, Role::Admin, None);
        let mut all = vec![admin.clone(), person(2, Role::Caseworker, None)];
        let e = change_staff(&admin, None, Some(false), None, &all).unwrap_err();
        assert_eq!(
            (e.kind, e.field.as_deref()),
            (crate::error::RuleErrorKind::Conflict, Some("active"))
        );
        let e = change_staff(&admin, Some(Role::Dpo), None, None, &all).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("role"));
        // With a second administrator, either may go; a service account does not count.
        let mut bot = person(3, Role::Admin, None);
        bot.scope = Some(Scope::ContactCheck);
        all.push(bot);
        assert!(change_staff(&admin, None, Some(false), None, &all).is_err());
        all.push(person(4, Role::Admin, None));
        let after = change_staff(&admin, None, Some(false), Some(Some(StaffId(4))), &all).unwrap();
        assert_eq!(
            (after.active, after.line_manager),
            (false, Some(StaffId(4)))
        );
        // Taking a line manager away.
        let after = change_staff(&after, None, None, Some(None), &all).unwrap();
        assert_eq!(after.line_manager, None);
    }
}
