//! Who may do what: a pure function of the actor's role, the action and the loaded profile.

use crate::error::RuleError;
use crate::ids::StaffId;
use crate::profile::Profile;
use serde::Deserialize;

/// A member of staff's role. The profile says which roles may take each [`Action`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Caseworker,
    LineManager,
    SeniorManager,
    CustomerServiceManager,
    Dpo,
    Auditor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Self::Caseworker,
        Self::LineManager,
        Self::SeniorManager,
        Self::CustomerServiceManager,
        Self::Dpo,
        Self::Auditor,
        Self::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Caseworker => "caseworker",
            Self::LineManager => "line-manager",
            Self::SeniorManager => "senior-manager",
            Self::CustomerServiceManager => "customer-service-manager",
            Self::Dpo => "dpo",
            Self::Auditor => "auditor",
            Self::Admin => "admin",
        }
    }

    /// # Errors
    /// An invalid-input error naming the field `role`.
    pub fn parse(s: &str) -> Result<Self, RuleError> {
        Self::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| {
            RuleError::invalid(
                "role",
                format!("expected one of caseworker, line-manager, senior-manager, customer-service-manager, dpo, auditor, admin, got {s:?}"),
            )
        })
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
}

/// Every step a member of staff can take that the profile governs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    EndCall,
    RecordContact,
    RecordIncident,
    IssueWarning,
    AnswerChecklist,
    ProposePlan,
    AuthorisePlan,
    RecordNotice,
    ReviewPlan,
    VaryPlan,
    LiftPlan,
    ApplyPlanToMatter,
    DecideDispute,
    DecideAdjustment,
    OverrideAdjustment,
    ScreenContact,
    RecordFurtherAction,
    ApproveDisclosure,
    RequestDisclosure,
    ManagePeople,
    ManageStaff,
    ReadAll,
    /// Data-rights requests (access, rectification, erasure, objection): the DPO's.
    HandleDataRights,
    /// Who opened a person's restrictions, incidents and adjustments: for the DPO and
    /// auditors.
    ReadAccessLog,
    /// Merge two records of the same person into one (issue 10).
    MergePeople,
    /// The governance report: counts across every plan, review, breach and dispute.
    ReadGovernance,
}

impl Action {
    pub const ALL: [Action; 26] = [
        Self::EndCall,
        Self::RecordContact,
        Self::RecordIncident,
        Self::IssueWarning,
        Self::AnswerChecklist,
        Self::ProposePlan,
        Self::AuthorisePlan,
        Self::RecordNotice,
        Self::ReviewPlan,
        Self::VaryPlan,
        Self::LiftPlan,
        Self::ApplyPlanToMatter,
        Self::DecideDispute,
        Self::DecideAdjustment,
        Self::OverrideAdjustment,
        Self::ScreenContact,
        Self::RecordFurtherAction,
        Self::ApproveDisclosure,
        Self::RequestDisclosure,
        Self::ManagePeople,
        Self::ManageStaff,
        Self::ReadAll,
        Self::HandleDataRights,
        Self::ReadAccessLog,
        Self::MergePeople,
        Self::ReadGovernance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::EndCall => "end-call",
            Self::RecordContact => "record-contact",
            Self::RecordIncident => "record-incident",
            Self::IssueWarning => "issue-warning",
            Self::AnswerChecklist => "answer-checklist",
            Self::ProposePlan => "propose-plan",
            Self::AuthorisePlan => "authorise-plan",
            Self::RecordNotice => "record-notice",
            Self::ReviewPlan => "review-plan",
            Self::VaryPlan => "vary-plan",
            Self::LiftPlan => "lift-plan",
            Self::ApplyPlanToMatter => "apply-plan-to-matter",
            Self::DecideDispute => "decide-dispute",
            Self::DecideAdjustment => "decide-adjustment",
            Self::OverrideAdjustment => "override-adjustment",
            Self::ScreenContact => "screen-contact",
            Self::RecordFurtherAction => "record-further-action",
            Self::ApproveDisclosure => "approve-disclosure",
            Self::RequestDisclosure => "request-disclosure",
            Self::ManagePeople => "manage-people",
            Self::ManageStaff => "manage-staff",
            Self::ReadAll => "read-all",
            Self::HandleDataRights => "handle-data-rights",
            Self::ReadAccessLog => "read-access-log",
            Self::MergePeople => "merge-people",
            Self::ReadGovernance => "read-governance",
        }
    }
}

/// The member of staff taking a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: StaffId,
    pub name: String,
    pub role: Role,
}

impl From<crate::model::Staff> for Actor {
    /// The member of staff as the one taking a step, in the role their record gives them.
    fn from(s: crate::model::Staff) -> Self {
        Self {
            id: s.id,
            name: s.name,
            role: s.role,
        }
    }
}

/// Whether `actor` may close a task by hand (one a step does not close itself): the member
/// of staff it is assigned to, anyone in the role it is for when it names nobody, or a line
/// or senior manager.
///
/// # Errors
/// A forbidden error when the task belongs to someone else.
pub fn may_close_task(actor: &Actor, task: &crate::model::NewTask) -> Result<(), RuleError> {
    let mine = task.assignee == Some(actor.id)
        || (task.assignee.is_none() && task.role == Some(actor.role));
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
            "{} {} may not {}; this needs: {}",
            if actor.role.plain().starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            },
            actor.role.plain(),
            action.as_str().replace('-', " "),
            allowed.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NewTask, TaskKind};

    fn actor(id: i64, role: Role) -> Actor {
        Actor {
            id: StaffId(id),
            name: "Someone".into(),
            role,
        }
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

    #[test]
    fn cle_9_15_the_disclosure_log_is_read_by_auditors_and_those_who_share_only() {
        let p = Profile::built_in("cleveland-opcc").unwrap();
        assert!(may_read_disclosure_log(&p, &actor(1, Role::Auditor)).is_ok());
        assert!(may_read_disclosure_log(&p, &actor(1, Role::Dpo)).is_ok());
        assert!(may_read_disclosure_log(&p, &actor(1, Role::LineManager)).is_ok());
        let err = may_read_disclosure_log(&p, &actor(1, Role::Caseworker)).unwrap_err();
        assert_eq!(err.clause.as_deref(), Some("CLE-9.15"));
    }
}
