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
}

impl Action {
    pub const ALL: [Action; 25] = [
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
            "a {} may not {}; this needs: {}",
            actor.role.plain(),
            action.as_str().replace('-', " "),
            allowed.join(", ")
        ),
    ))
}
