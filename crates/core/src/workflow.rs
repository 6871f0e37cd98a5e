//! The workflow: every step of the policy as a pure function that checks the step
//! against the loaded profile and the record, and returns the decision as data — the
//! changed record, the audit events to write, and the tasks to raise. The store writes
//! all three in one transaction.
//!
//! The plan lifecycle is one table, [`TRANSITIONS`]: a step not listed for a status is
//! refused before any other check.

use crate::audit::{AuditAction, AuditEvent};
use crate::check::{self, CheckRequest, PersonView, Verdict};
use crate::error::{require_text, RuleError};
use crate::ids::*;
use crate::model::*;
use crate::profile::{Answer, Channel, Profile};
use crate::roles::{authorise as may, Action, Actor, Role};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

/// What a step decided: the record as it now stands, the events to log and the tasks to raise.
#[derive(Debug, Clone)]
pub struct Decision<T> {
    pub record: T,
    pub events: Vec<AuditEvent>,
    pub tasks: Vec<NewTask>,
    /// Open tasks about the same record that this decision completes: authorising or
    /// refusing answers the request to authorise, recording the notice sends it.
    pub closes: Vec<TaskKind>,
    /// Open tasks, by id, that this decision leaves with nothing to do, each with the words
    /// it is closed with: a checklist shortfall's task once the answer shows none or says why
    /// it cannot be put right, and every one of a plan withdrawn (CLE-7.3; NOR-5.3). Nobody
    /// is left a task to put right what no longer stands in the way.
    pub moot: Vec<(TaskId, String)>,
}

impl<T> Decision<T> {
    pub fn new(record: T) -> Self {
        Self {
            record,
            events: Vec::new(),
            tasks: Vec::new(),
            closes: Vec::new(),
            moot: Vec::new(),
        }
    }
}

/// Declares the plan's steps once: the [`PlanStep`] enum, its words, and each step as a
/// command kind ([`crate::command::step`]) so a door can refuse a role before it reads the
/// request (the API checks the step's role, then parses the body).
macro_rules! plan_steps {
    ($($name:ident => $words:literal,)*) => {
        /// A step in a plan's life.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum PlanStep {
            $($name,)*
        }

        impl PlanStep {
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$name => $words,)*
                }
            }
        }

        /// Each plan step as a kind, as [`crate::command::permit`] would check the command.
        pub mod step_kinds {
            use crate::command::Fixed;
            use crate::profile::Profile;
            use crate::roles::Action;
            use super::PlanStep;
            $(
                #[doc = concat!("The step to ", $words, ".")]
                #[derive(Debug, Clone, Copy)]
                pub struct $name;
                impl Fixed for $name {
                    const ACTION: Option<Action> = Some(PlanStep::$name.action());
                    fn role_clause(profile: &Profile) -> Option<&str> {
                        PlanStep::$name.role_clause(profile)
                    }
                }
            )*
        }
    };
}

plan_steps! {
    AnswerChecklist => "answer the checklist",
    Propose => "propose",
    Withdraw => "withdraw",
    Authorise => "authorise",
    Refuse => "refuse",
    RecordNotice => "record notice",
    Review => "review",
    Vary => "vary",
    Lift => "lift",
    ApplyToMatter => "apply to a matter",
    DecideMatter => "decide on applying it to a matter",
    RaiseDispute => "dispute",
    DecideDispute => "decide a dispute",
}

use PlanStatus as S;
/// A plan's whole lifecycle: each step allowed from a status, and the status it leads to.
/// Anything else is refused. A step with more than one row leads where its outcome says:
/// authorising leads to `authorised` where the profile gives notice before a plan bites
/// (NOR-5.1) and to `active` where it does not; the notice makes an authorised plan active;
/// a review or a dispute's decision keeps the plan as it is or lifts it (a dispute may be
/// raised against an authorised plan as well as an active one: NOR-7.1).
pub const TRANSITIONS: &[(PlanStatus, PlanStep, PlanStatus)] = &[
    (S::Draft, PlanStep::AnswerChecklist, S::Draft),
    (S::Draft, PlanStep::Propose, S::Proposed),
    (S::Draft, PlanStep::Withdraw, S::Withdrawn),
    (S::Proposed, PlanStep::Authorise, S::Authorised),
    (S::Proposed, PlanStep::Authorise, S::Active),
    (S::Proposed, PlanStep::Refuse, S::Refused),
    (S::Proposed, PlanStep::Withdraw, S::Withdrawn),
    (S::Authorised, PlanStep::RecordNotice, S::Active),
    (S::Authorised, PlanStep::Lift, S::Lifted),
    (S::Authorised, PlanStep::RaiseDispute, S::Authorised),
    (S::Authorised, PlanStep::DecideDispute, S::Authorised),
    (S::Authorised, PlanStep::DecideDispute, S::Lifted),
    (S::Active, PlanStep::RecordNotice, S::Active),
    (S::Active, PlanStep::Review, S::Active),
    (S::Active, PlanStep::Review, S::Lifted),
    (S::Active, PlanStep::Vary, S::Active),
    (S::Active, PlanStep::Lift, S::Lifted),
    (S::Active, PlanStep::ApplyToMatter, S::Active),
    (S::Active, PlanStep::DecideMatter, S::Active),
    (S::Active, PlanStep::RaiseDispute, S::Active),
    (S::Active, PlanStep::DecideDispute, S::Active),
    (S::Active, PlanStep::DecideDispute, S::Lifted),
];

/// The steps the lifecycle allows from `status`, in the table's order, each once.
pub fn steps_from(status: PlanStatus) -> Vec<PlanStep> {
    let mut out: Vec<PlanStep> = Vec::new();
    for (from, step, _) in TRANSITIONS {
        if *from == status && !out.contains(step) {
            out.push(*step);
        }
    }
    out
}

impl PlanStep {
    /// What a member of staff's role must allow to take this step.
    pub const fn action(self) -> Action {
        match self {
            Self::AnswerChecklist => Action::AnswerChecklist,
            Self::Propose | Self::Withdraw => Action::ProposePlan,
            Self::Authorise | Self::Refuse | Self::DecideMatter => Action::AuthorisePlan,
            Self::RecordNotice => Action::RecordNotice,
            Self::Review => Action::ReviewPlan,
            Self::Vary => Action::VaryPlan,
            Self::Lift => Action::LiftPlan,
            Self::ApplyToMatter => Action::ApplyPlanToMatter,
            Self::RaiseDispute => Action::RecordContact,
            Self::DecideDispute => Action::DecideDispute,
        }
    }

    /// The clause a role refusal of this step cites, the same one the step's own rule cites:
    /// who authorises (NOR-6.2) for deciding a plan or a matter, the new-matters clause
    /// (CLE-9.14) for applying a plan to one, the checklist's, the notice's and the review's
    /// clauses for theirs, the independence of whoever decides a dispute (NOR-7.2).
    pub fn role_clause(self, profile: &Profile) -> Option<&str> {
        let c = &profile.clauses;
        match self {
            Self::AnswerChecklist => Some(&profile.checklist.clause),
            Self::Authorise | Self::Refuse | Self::DecideMatter => Some(&c.authorise_role),
            Self::RecordNotice => Some(&c.notice_content),
            Self::Review => Some(&c.review_interval),
            Self::ApplyToMatter => Some(&c.new_matters),
            Self::DecideDispute => Some(&c.dispute_independent),
            _ => None,
        }
    }
}

/// What the plan itself rules out for `actor` taking `step`, whatever their role: deciding
/// a plan they drafted or proposed (NOR-6.2; the profile's `authoriser_not_proposer`), or
/// deciding a request to apply it to a matter when none waits that someone else made, or
/// recording a second notice of a version they were already told of (CLE-9.6). The
/// page's offer ([`available_steps`]) and the steps themselves ([`gate`]) ask this, so a
/// page never hides what would be allowed nor offers what would be refused.
fn own_part(profile: &Profile, actor: &Actor, s: &Plan, step: PlanStep) -> Option<RuleError> {
    let plan = &profile.terms.plan;
    match step {
        PlanStep::Authorise | PlanStep::Refuse
            if s.proposed_by == Some(actor.id) || s.created_by == actor.id =>
        {
            Some(RuleError::forbidden(
                Some(&profile.clauses.authoriser_not_proposer),
                format!("the person who proposed a {plan} may not decide it"),
            ))
        }
        PlanStep::DecideMatter => {
            let waiting: Vec<_> = s
                .pending_matters
                .iter()
                .filter(|m| m.authorised_by.is_none())
                .collect();
            if waiting.is_empty() {
                Some(RuleError::not_found(
                    "matter_id",
                    format!("no request to apply the {plan} to a matter is waiting for a decision"),
                ))
            } else if waiting.iter().all(|m| m.requested_by == actor.id) {
                Some(RuleError::forbidden(
                    Some(&profile.clauses.authoriser_not_proposer),
                    format!(
                        "the person who asked to apply the {plan} to a matter may not decide it"
                    ),
                ))
            } else {
                None
            }
        }
        // A notice tells the person of a version of the plan; once they have been told of
        // this one, a second is only for a change waiting for its notice (CLE-9.6; NOR-5.1).
        PlanStep::RecordNotice => s
            .notice
            .as_ref()
            .filter(|n| n.plan_version == s.plan_version && !s.awaits_notice_of_change())
            .map(|n| {
                RuleError::conflict(
                    &profile.clauses.notice_content,
                    format!(
                        "they were told of this {plan} in writing on {}; record a notice again only for a change",
                        check::long_day(n.sent_at)
                    ),
                )
            }),
        _ => None,
    }
}

/// The steps `actor` can take on this plan now, so a page offers only what will be allowed:
/// the lifecycle's steps from its status that [`step_refusal`] does not refuse — the
/// actor's role allows them, and the record does not rule them out for them
/// ([`own_part`]). A dispute is decided from the dispute, not the plan, so it is not
/// offered here.
pub fn available_steps(profile: &Profile, actor: &Actor, s: &Plan) -> Vec<PlanStep> {
    steps_from(s.status)
        .into_iter()
        .filter(|step| step_refusal(profile, actor, s, *step).is_none())
        .collect()
}

/// [`available_steps`], knowing the person's `matters`: applying the plan to another matter
/// is offered only where one of them can take it ([`apply_refusal`]), so a page never offers
/// a form with nothing to choose.
pub fn available_steps_with(
    profile: &Profile,
    actor: &Actor,
    s: &Plan,
    matters: &[Matter],
) -> Vec<PlanStep> {
    // `available_steps` has asked the step's own refusal; what is left is the matters.
    available_steps(profile, actor, s)
        .into_iter()
        .filter(|step| *step != PlanStep::ApplyToMatter || some_matter_takes(profile, s, matters))
        .collect()
}

/// What `actor` may do with plan `s` now, asked of everything its steps ask of the person's
/// records (`ctx`): [`available_steps_with`] their matters, and proposing a draft only where
/// [`propose`] would take it ([`proposal_refusal`]), so no page or answer offers a proposal
/// an unanswered checklist, a missing warning or an open review route still stands in the
/// way of (CLE-7.2, 9.3; NOR-5.2, 5.3).
pub fn available_steps_in(
    profile: &Profile,
    actor: &Actor,
    s: &Plan,
    ctx: &PlanContext,
    now: Timestamp,
) -> Vec<PlanStep> {
    offered_steps(profile, actor, s, ctx, now).steps
}

/// What a plan's page offers its reader, and what it says where a step is not offered
/// though their role and the plan's status would allow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferedSteps {
    /// [`available_steps_in`].
    pub steps: Vec<PlanStep>,
    /// Why a draft cannot be proposed yet ([`proposal_refusal`]).
    pub not_proposed: Option<RuleError>,
    /// Why the plan cannot be applied to each of the person's other matters, where it can
    /// be applied to none of them now ([`other_matters`]; NOR-5.3: a review route still
    /// open; a request already waiting). Empty where it is offered, where the reader may
    /// not apply it whatever the matter, or where they have no other matter.
    pub not_applied: Vec<RuleError>,
}

/// [`available_steps_in`], with why a proposal, or applying the plan to another matter,
/// that its reader's role and the plan's status would allow is refused by the record now:
/// what a plan's page offers, and what it says where the button or link would be. Each is
/// judged once.
pub fn offered_steps(
    profile: &Profile,
    actor: &Actor,
    s: &Plan,
    ctx: &PlanContext,
    now: Timestamp,
) -> OfferedSteps {
    let mut steps = available_steps_with(profile, actor, s, ctx.matters);
    let not_proposed = steps
        .contains(&PlanStep::Propose)
        .then(|| proposal_refusal(profile, actor, s, ctx, now))
        .flatten();
    if not_proposed.is_some() {
        steps.retain(|step| *step != PlanStep::Propose);
    }
    let not_applied = if steps.contains(&PlanStep::ApplyToMatter)
        || step_refusal(profile, actor, s, PlanStep::ApplyToMatter).is_some()
    {
        Vec::new()
    } else {
        other_matters(profile, s, ctx.matters)
            .into_iter()
            .filter_map(|(_, e)| e)
            .collect()
    };
    OfferedSteps {
        steps,
        not_proposed,
        not_applied,
    }
}

/// NOR-5.3: the matters of `matters` that plan `s` covers whose internal review route is
/// still open, where the profile asks for it to be exhausted before contact is restricted;
/// none on a profile that does not (Cleveland). [`propose`] refuses while there is one, and
/// a plan's page links each to where its status is changed.
pub fn review_route_open<'m>(
    profile: &Profile,
    s: &Plan,
    matters: &'m [Matter],
) -> Vec<&'m Matter> {
    if !profile.rules.restriction_requires_review_exhausted {
        return Vec::new();
    }
    matters
        .iter()
        .filter(|m| s.matter_ids.contains(&m.id) && !m.status.review_exhausted())
        .collect()
}

/// Why `actor` cannot propose the draft `s` now, or `None` where they can: [`propose`]'s own
/// answer, with nothing written, for a page to say what is still to do instead of offering
/// the step.
pub fn proposal_refusal(
    profile: &Profile,
    actor: &Actor,
    s: &Plan,
    ctx: &PlanContext,
    now: Timestamp,
) -> Option<RuleError> {
    propose(profile, actor, s, ctx, now).err()
}

/// Whether one of `matters` can take plan `s` ([`other_matters`] with no refusal).
fn some_matter_takes(profile: &Profile, s: &Plan, matters: &[Matter]) -> bool {
    other_matters(profile, s, matters)
        .iter()
        .any(|(_, refused)| refused.is_none())
}

/// The person's `matters` that plan `s` does not cover, each with why it cannot be applied
/// to it now ([`matter_refusal`]; `None` where it can): what the form to apply it offers,
/// and what a plan's page says where none can take it (CLE-10.4; NOR-5.3, 6.2).
pub fn other_matters<'m>(
    profile: &Profile,
    s: &Plan,
    matters: &'m [Matter],
) -> Vec<(&'m Matter, Option<RuleError>)> {
    matters
        .iter()
        .filter(|m| !s.matter_ids.contains(&m.id))
        .map(|m| (m, matter_refusal(profile, s, m)))
        .collect()
}

/// Why `actor` cannot apply plan `s` to any of the person's `matters` now, or `None` where
/// they can apply it to at least one: the step's own refusal ([`step_refusal`]), else none of
/// the matters it does not already cover can take it ([`matter_refusal`]: another person's,
/// already waiting, its review route open where the profile asks).
pub fn apply_refusal(
    profile: &Profile,
    actor: &Actor,
    s: &Plan,
    matters: &[Matter],
) -> Option<RuleError> {
    step_refusal(profile, actor, s, PlanStep::ApplyToMatter)
        .or_else(|| (!some_matter_takes(profile, s, matters)).then(|| no_matter_to_apply(profile)))
}

/// The refusal where a plan can be applied to none of the person's other matters.
pub fn no_matter_to_apply(profile: &Profile) -> RuleError {
    RuleError::conflict(
        &profile.clauses.new_matters,
        format!(
            "there is no other matter of theirs the {} can be applied to now",
            profile.terms.plan
        ),
    )
    .with_field("matter_id")
}

/// Why `actor` cannot take `step` on this plan now, or `None` when they can, as the error
/// the step itself would give (a role the profile does not allow, a status the lifecycle
/// does not allow it from, deciding one's own proposal or request, nothing waiting to be
/// decided): the step's own gate, so [`available_steps`], which is the steps this allows,
/// never disagrees with the step.
pub fn step_refusal(
    profile: &Profile,
    actor: &Actor,
    s: &Plan,
    step: PlanStep,
) -> Option<RuleError> {
    // The role first, so a page tells a role that may not what it needs, whatever the
    // plan's status; then the gates every step passes.
    match may(profile, actor, step.action(), step.role_clause(profile))
        .and_then(|()| gate(profile, actor, s, step))
    {
        Err(e) => Some(e),
        // A dispute is decided from the dispute, not offered on the plan.
        Ok(()) if step == PlanStep::DecideDispute => Some(RuleError::conflict(
            "LOCAL",
            format!("cannot {} this {} now", step.as_str(), profile.terms.plan),
        )),
        Ok(()) => None,
    }
}

fn refused(s: &Plan, step: PlanStep, term: &str) -> RuleError {
    RuleError {
        kind: crate::RuleErrorKind::Conflict,
        clause: None,
        field: Some("status".into()),
        message: format!(
            "cannot {} a {term} that is {}",
            step.as_str(),
            s.status.as_str()
        ),
        overridden_by: None,
    }
}

/// The gates every step passes first: the lifecycle allows it from the plan's status, the
/// profile allows it to the actor's role (citing the step's own clause), and the plan does
/// not rule it out for them ([`own_part`]).
fn gate(profile: &Profile, actor: &Actor, s: &Plan, step: PlanStep) -> Result<(), RuleError> {
    step_allowed(s, step, &profile.terms.plan)?;
    may(profile, actor, step.action(), step.role_clause(profile))?;
    own_part(profile, actor, s, step).map_or(Ok(()), Err)
}

/// Refuses a step the lifecycle does not allow from the plan's status.
fn step_allowed(s: &Plan, step: PlanStep, term: &str) -> Result<(), RuleError> {
    if TRANSITIONS
        .iter()
        .any(|(f, st, _)| *f == s.status && *st == step)
    {
        Ok(())
    } else {
        Err(refused(s, step, term))
    }
}

/// The status `step` leads the plan to when its outcome leads to `to`: `to` itself when the
/// lifecycle has that row, a refusal otherwise. Every change of a plan's status goes
/// through here, so the table above is the whole lifecycle.
fn advance(s: &Plan, step: PlanStep, to: PlanStatus, term: &str) -> Result<PlanStatus, RuleError> {
    if TRANSITIONS.contains(&(s.status, step, to)) {
        Ok(to)
    } else {
        Err(refused(s, step, term))
    }
}

/// The records a plan decision is checked against.
#[derive(Debug, Clone, Copy)]
pub struct PlanContext<'a> {
    pub incidents: &'a [Incident],
    pub warnings: &'a [Warning],
    pub matters: &'a [Matter],
    pub adjustments: &'a [Adjustment],
    pub tasks: &'a [Task],
    pub staff: &'a [Staff],
    /// The format the person asked to receive things in.
    pub preferred_format: Format,
}

/// The records a plan decision is checked against, owned: what the app loads for a person
/// before it asks core, lent to the rules as a [`PlanContext`].
#[derive(Debug, Clone, Default)]
pub struct PlanRecords {
    pub incidents: Vec<Incident>,
    pub warnings: Vec<Warning>,
    pub matters: Vec<Matter>,
    pub adjustments: Vec<Adjustment>,
    pub tasks: Vec<Task>,
    pub staff: Vec<Staff>,
    pub preferred_format: Format,
}

impl PlanRecords {
    pub fn context(&self) -> PlanContext<'_> {
        PlanContext {
            incidents: &self.incidents,
            warnings: &self.warnings,
            matters: &self.matters,
            adjustments: &self.adjustments,
            tasks: &self.tasks,
            staff: &self.staff,
            preferred_format: self.preferred_format,
        }
    }
}

/// The contents of a new plan.
#[derive(Debug, Clone)]
pub struct PlanInput {
    pub matter_ids: Vec<MatterId>,
    pub incident_ids: Vec<IncidentId>,
    pub restrictions: Vec<Restriction>,
    pub reasons: String,
    pub aims: String,
    pub proportionality: String,
    pub no_warning_reason: Option<String>,
    pub review_due: Date,
    pub ends_on: Option<Date>,
}

fn subject(s: &Plan) -> String {
    s.id.subject()
}

/// An event about plan `s`, by `actor`, on the person's record.
fn plan_event(now: Timestamp, actor: &Actor, action: AuditAction, s: &Plan) -> AuditEvent {
    AuditEvent::new(now, actor.id, action, subject(s)).person(s.person_id)
}

/// The copy of `s` a step changes: one version on, so that a write from a copy read before
/// it is refused (every step that changes a plan starts here).
fn next_version(s: &Plan) -> Plan {
    let mut next = s.clone();
    next.version += 1;
    next
}

/// The person's line manager for tasks about `staff`, or every line manager (CLE-4.5, 6.5;
/// NOR-6.1) where they have none or theirs has left: a follow-up never waits for someone
/// who cannot sign in.
fn manager_of(ctx_staff: &[Staff], staff: StaffId) -> (Option<StaffId>, Option<Role>) {
    match ctx_staff
        .iter()
        .find(|s| s.id == staff)
        .and_then(|s| s.line_manager)
        .filter(|m| crate::roles::in_post(ctx_staff, *m).is_some())
    {
        Some(m) => (Some(m), None),
        None => (None, Some(Role::LineManager)),
    }
}

/// CLE-9.12, NOR-8.1: a review date in the future and no later than the profile allows.
///
/// # Errors
/// A conflict naming the review-interval clause and the field `review_due`.
pub fn check_review_date(
    profile: &Profile,
    review_due: Date,
    today: Date,
) -> Result<(), RuleError> {
    let months = profile.rules.max_review_interval_months;
    let latest = today.checked_add((months as i64).months()).unwrap_or(today);
    if review_due <= today {
        return Err(RuleError::conflict(
            &profile.clauses.review_interval,
            format!("the review date must be after today ({today}), got {review_due}"),
        )
        .with_field("review_due"));
    }
    if review_due > latest {
        return Err(RuleError::conflict(
            &profile.clauses.review_interval,
            format!("the review must be no more than {months} months away (by {latest}), got {review_due}"),
        )
        .with_field("review_due"));
    }
    Ok(())
}

/// A plan names the matters it covers, each the person's (CLE-9.8; NOR-5.1); `then` ends the
/// refusal's sentence.
fn check_matters(
    profile: &Profile,
    person: PersonId,
    matter_ids: &[MatterId],
    ctx: &PlanContext,
    then: &str,
) -> Result<(), RuleError> {
    if matter_ids.is_empty() {
        return Err(RuleError::conflict(
            &profile.clauses.matter_scope,
            format!(
                "a {} must name the matters it covers{then}",
                profile.terms.plan
            ),
        )
        .with_field("matter_ids"));
    }
    crate::error::given_once("matter_ids", matter_ids, |m| format!("matter {m}"))
        .map_err(|e| e.with_clause(&profile.clauses.matter_scope))?;
    for m in matter_ids {
        if !ctx
            .matters
            .iter()
            .any(|x| x.id == *m && x.person_id == person)
        {
            return Err(not_theirs("matter_ids", format!("matter {m}")));
        }
    }
    Ok(())
}

/// CLE-9.9, NOR-5.5: a plan sets at least one restriction from the catalogue; one with none
/// is refused in these words at every door (the API's `restrictions`, the plan form's first
/// box).
pub fn no_restriction(profile: &Profile) -> RuleError {
    RuleError::invalid(
        "restrictions",
        format!(
            "a {} needs at least one restriction: choose one",
            profile.terms.plan
        ),
    )
    .with_clause(&profile.clauses.restriction_catalogue)
}

/// Checks each restriction against the profile's catalogue and the person's record.
fn check_restrictions(
    profile: &Profile,
    person: PersonId,
    restrictions: &[Restriction],
    ctx: &PlanContext,
) -> Result<(), RuleError> {
    let clauses = &profile.clauses;
    if restrictions.is_empty() {
        return Err(no_restriction(profile));
    }
    for (i, r) in restrictions.iter().enumerate() {
        let field = format!("restrictions[{i}]");
        let kind = r.rule.kind();
        let Some(entry) = profile.catalogue(kind) else {
            return Err(RuleError::conflict(
                &clauses.restriction_catalogue,
                format!(
                    "the {} policy does not provide for a {:?} restriction",
                    profile.organisation.short_name,
                    kind.as_str()
                ),
            )
            .with_field(&field));
        };
        require_text(&format!("{field}.reason"), &r.reason)?;
        let matter_of_person = |m: MatterId| {
            ctx.matters
                .iter()
                .any(|x| x.id == m && x.person_id == person)
        };
        match &r.rule {
            Rule::CallWindow { windows, .. }
                if windows.is_empty() || windows.iter().any(|w| w.start >= w.end) =>
            {
                return Err(RuleError::invalid(
                    &format!("{field}.windows"),
                    "each call window needs a day and a start before its end",
                ));
            }
            Rule::SingleChannel { channel } if !entry.allowed_channels.contains(channel) => {
                let allowed: Vec<&str> =
                    entry.allowed_channels.iter().map(|c| c.as_str()).collect();
                return Err(RuleError::conflict(
                    &entry.clause,
                    format!(
                        "this policy restricts contact to {} only, got {}",
                        allowed.join(" or "),
                        channel.as_str()
                    ),
                )
                .with_field(&format!("{field}.channel")));
            }
            Rule::SinglePointOfContact { staff_id } => {
                let Some(s) = crate::roles::in_post(ctx.staff, *staff_id) else {
                    return Err(RuleError::not_found(
                        &format!("{field}.staff_id"),
                        format!("no active member of staff {staff_id}"),
                    ));
                };
                if !crate::roles::may_be_single_point_of_contact(profile, s) {
                    return Err(RuleError::invalid(
                        &format!("{field}.staff_id"),
                        format!(
                            "{} cannot be their single point of contact ({}): choose a member of staff who deals with contact",
                            s.name,
                            if s.scope.is_some() {
                                "a service account".to_string()
                            } else {
                                format!("the {} role records no contact", s.role.plain())
                            }
                        ),
                    )
                    .with_clause(&entry.clause));
                }
            }
            Rule::NoReopening { matter_id, grounds } => {
                if !matter_of_person(*matter_id) {
                    return Err(not_theirs(
                        &format!("{field}.matter_id"),
                        format!("matter {matter_id}"),
                    ));
                }
                let closed = ctx
                    .matters
                    .iter()
                    .any(|m| m.id == *matter_id && m.status != MatterStatus::Open);
                if !closed {
                    return Err(RuleError::conflict(&clauses.no_reopening_grounds, format!("matter {matter_id} is still open: only a closed matter can be refused reopening"))
                        .with_field(&format!("{field}.matter_id")));
                }
                if !(grounds.same_matter
                    && grounds.no_new_substantive_evidence
                    && grounds.properly_handled)
                {
                    return Err(RuleError::conflict(
                        &clauses.no_reopening_grounds,
                        "refusing to reopen needs all three grounds: the same matter as before, no new substantive evidence, and the earlier matter properly handled",
                    )
                    .with_field(&format!("{field}.grounds")));
                }
                require_text(&format!("{field}.grounds.note"), &grounds.note)?;
            }
            Rule::NoRepeatComplaints { matter_id } => {
                let m = ctx
                    .matters
                    .iter()
                    .find(|m| m.id == *matter_id && m.person_id == person);
                match m {
                    None => {
                        return Err(not_theirs(
                            &format!("{field}.matter_id"),
                            format!("matter {matter_id}"),
                        ))
                    }
                    Some(m) if !m.status.review_exhausted() => {
                        return Err(RuleError::conflict(
                            &clauses.repeat_complaints,
                            format!(
                                "matter {} has not been dealt with and its review exhausted",
                                m.reference
                            ),
                        )
                        .with_field(&format!("{field}.matter_id")));
                    }
                    Some(_) => {}
                }
            }
            Rule::Other { description } => {
                require_text(&format!("{field}.description"), description)?
            }
            _ => {}
        }
        // The same rule twice (email only, and email only again; one number blocked twice)
        // adds nothing, and would be set out twice in the letter that tells them.
        if let Some(j) = restrictions[..i].iter().position(|x| x.rule == r.rule) {
            return Err(RuleError::invalid(
                &field,
                format!(
                    "restriction {} repeats restriction {}: set it once, with all its reasons",
                    i + 1,
                    j + 1
                ),
            )
            .with_clause(&clauses.restriction_catalogue));
        }
    }
    leaves_a_way(profile, restrictions)
}

/// CLE-9.4, 9.9; NOR-5.5: a plan sets out how further contact will take place, so its
/// restrictions leave a way to make it. Each is applied on its own and the strictest
/// answer stands, so two "only" restrictions that disagree — email only and post only,
/// or two different single points of contact — would refuse every contact.
fn leaves_a_way(profile: &Profile, restrictions: &[Restriction]) -> Result<(), RuleError> {
    let clause = &profile.clauses.restriction_catalogue;
    let mut first_channel: Option<(usize, Channel)> = None;
    let mut first_spoc: Option<(usize, StaffId)> = None;
    for (i, r) in restrictions.iter().enumerate() {
        match &r.rule {
            Rule::SingleChannel { channel } => match first_channel {
                Some((j, c)) if c != *channel => {
                    return Err(RuleError::conflict(
                        clause,
                        format!(
                            "restriction {} allows {} only and restriction {} {} only: together they would refuse every contact; restrict to one channel",
                            j + 1,
                            c.plain(),
                            i + 1,
                            channel.plain()
                        ),
                    )
                    .with_field(&format!("restrictions[{i}].channel")));
                }
                None => first_channel = Some((i, *channel)),
                _ => {}
            },
            Rule::SinglePointOfContact { staff_id } => match first_spoc {
                Some((j, s)) if s != *staff_id => {
                    return Err(RuleError::conflict(
                        clause,
                        format!(
                            "restrictions {} and {} name two different single points of contact: together nobody could deal with them; name one",
                            j + 1,
                            i + 1
                        ),
                    )
                    .with_field(&format!("restrictions[{i}].staff_id")));
                }
                None => first_spoc = Some((i, *staff_id)),
                _ => {}
            },
            _ => {}
        }
    }
    Ok(())
}

/// CLE-9.9; NOR-5.5: a plan proposed naming a single point of contact who has left since
/// cannot be authorised: nobody would be passed their contact. Refused as a conflict with
/// the restriction named, for the plan to be refused and drafted again.
fn still_in_post(profile: &Profile, s: &Plan, ctx: &PlanContext) -> Result<(), RuleError> {
    for (i, r) in s.restrictions.iter().enumerate() {
        let Rule::SinglePointOfContact { staff_id } = r.rule else {
            continue;
        };
        if crate::roles::in_post(ctx.staff, staff_id).is_some() {
            continue;
        }
        let who = ctx
            .staff
            .iter()
            .find(|x| x.id == staff_id)
            .map_or_else(|| format!("member of staff {staff_id}"), |x| x.name.clone());
        return Err(RuleError::conflict(
            profile.clause_for(crate::profile::RestrictionKind::SinglePointOfContact),
            format!(
                "restriction {} names {who} as the single point of contact, and they no longer \
                 work here: refuse the {}, and draft it again naming someone else",
                i + 1,
                profile.terms.plan
            ),
        )
        .with_field(&format!("restrictions[{i}].staff_id")));
    }
    Ok(())
}

/// Whether a restriction would defeat a granted reasonable adjustment (CLE-9.13; NOR-5.9).
pub fn defeats(rule: &Rule, adjustment: &Adjustment) -> bool {
    if adjustment.status != AdjustmentStatus::Granted {
        return false;
    }
    match (&adjustment.kind, rule) {
        (AdjustmentKind::NeedsChannel(c), Rule::SingleChannel { channel }) => c != channel,
        (
            AdjustmentKind::NeedsChannel(Channel::Phone),
            Rule::BlockedIdentifier {
                identifier: crate::identity::Identifier::Phone(_),
                ..
            },
        ) => true,
        (
            AdjustmentKind::NeedsChannel(Channel::Email),
            Rule::BlockedIdentifier {
                identifier: crate::identity::Identifier::Email(_),
                ..
            },
        ) => true,
        (AdjustmentKind::NeedsChannel(Channel::Phone), Rule::CallWindow { .. }) => false,
        (
            AdjustmentKind::ExtraTime,
            Rule::CallWindow {
                max_minutes: Some(_),
                ..
            },
        ) => true,
        (AdjustmentKind::SupportPerson, Rule::AdvocateOnly) => false,
        _ => false,
    }
}

/// The granted adjustments that `restrictions` defeat and no override covers (CLE-9.13;
/// NOR-5.9): what authorising or varying refuses until a senior manager overrides each
/// with a reason, and what the decision form asks them about.
pub fn unresolved_conflicts<'a>(
    restrictions: &[Restriction],
    adjustments: &'a [Adjustment],
    overrides: &[AdjustmentOverride],
) -> Vec<&'a Adjustment> {
    not_overridden(adjustments, overrides)
        .into_iter()
        .filter(|a| restrictions.iter().any(|r| defeats(&r.rule, a)))
        .collect()
}

/// The granted adjustments no override of `overrides` covers (CLE-9.13; NOR-5.9): what a
/// change to a plan may yet go against, since which of them it defeats is known only once
/// the change is made.
pub fn not_overridden<'a>(
    adjustments: &'a [Adjustment],
    overrides: &[AdjustmentOverride],
) -> Vec<&'a Adjustment> {
    adjustments
        .iter()
        .filter(|a| a.status == AdjustmentStatus::Granted)
        .filter(|a| !overrides.iter().any(|o| o.adjustment_id == a.id))
        .collect()
}

/// The plan's overrides once `added` are taken on, each by `actor` (the override role's,
/// with a reason each, of one of the person's granted adjustments), provided
/// `restrictions` then defeat no granted adjustment that is not overridden (CLE-9.13;
/// NOR-1.5): what authorising and varying both ask.
fn overrides_after(
    profile: &Profile,
    actor: &Actor,
    s: &Plan,
    restrictions: &[Restriction],
    added: &[AdjustmentOverride],
    ctx: &PlanContext,
) -> Result<Vec<AdjustmentOverride>, RuleError> {
    if !added.is_empty() {
        may(
            profile,
            actor,
            Action::OverrideAdjustment,
            Some(&profile.clauses.adjustments_honoured),
        )?;
        for (i, o) in added.iter().enumerate() {
            require_text(&format!("overrides[{i}].reason"), &o.reason)?;
            let field = format!("overrides[{i}].adjustment_id");
            check_override(profile, s, restrictions, &added[..i], o, ctx, &field)?;
        }
    }
    let mut overrides = s.overrides.clone();
    overrides.extend(added.iter().cloned().map(|mut o| {
        o.by = actor.id;
        o
    }));
    refuse_conflicts(
        profile,
        &unresolved_conflicts(restrictions, ctx.adjustments, &overrides),
    )?;
    Ok(overrides)
}

/// Whether `o` overrides what it may (CLE-9.13; NOR-5.9): one of the person's granted
/// adjustments, that `restrictions` go against, not overridden on the plan already nor
/// earlier in the same decision (`before`); a refusal names `field`. Each override stands on the plan, in the event
/// log and in the decision's evidence as an adjustment weighed and set aside: one for an
/// adjustment nothing goes against, or a second reason for one, would record a weighing
/// that never was.
fn check_override(
    profile: &Profile,
    s: &Plan,
    restrictions: &[Restriction],
    before: &[AdjustmentOverride],
    o: &AdjustmentOverride,
    ctx: &PlanContext,
    field: &str,
) -> Result<(), RuleError> {
    let clause = &profile.clauses.adjustments_honoured;
    let Some(a) = ctx
        .adjustments
        .iter()
        .find(|a| a.id == o.adjustment_id && a.status == AdjustmentStatus::Granted)
    else {
        return Err(RuleError::not_found(
            field,
            format!(
                "adjustment {} is not one of this person's granted adjustments",
                o.adjustment_id
            ),
        ));
    };
    if s.overrides.iter().any(|p| p.adjustment_id == a.id) {
        return Err(RuleError::state(
            field,
            format!(
                "the reasonable adjustment {:?} (adjustment {}) is already overridden on this plan: the reason given then stands",
                a.description, a.id
            ),
        )
        .with_clause(clause));
    }
    if before.iter().any(|p| p.adjustment_id == a.id) {
        return Err(RuleError::invalid(
            field,
            format!(
                "the reasonable adjustment {:?} (adjustment {}) is overridden twice: give one reason",
                a.description, a.id
            ),
        )
        .with_clause(clause));
    }
    if !restrictions.iter().any(|r| defeats(&r.rule, a)) {
        return Err(RuleError::invalid(
            field,
            format!(
                "no restriction goes against the reasonable adjustment {:?} (adjustment {}), so it is not overridden: leave its reason out",
                a.description, a.id
            ),
        )
        .with_clause(clause));
    }
    Ok(())
}

fn refuse_conflicts(profile: &Profile, conflicts: &[&Adjustment]) -> Result<(), RuleError> {
    if let Some(a) = conflicts.first() {
        return Err(RuleError::conflict(
            &profile.clauses.adjustments_honoured,
            format!(
                "a restriction would defeat the reasonable adjustment {:?} (adjustment {}); change the restriction, or a senior manager overrides it with a reason",
                a.description, a.id
            ),
        )
        .with_field("overrides"));
    }
    Ok(())
}

/// Starts a plan for `person`.
///
/// # Errors
/// A role refusal; a plan with no matter in scope (CLE-9.8); matters or incidents that
/// are not the person's; a restriction outside the profile's catalogue (CLE-9.9; NOR-5.5)
/// or malformed; a review date beyond the profile's limit (CLE-9.12; NOR-8.1).
pub fn draft_plan(
    profile: &Profile,
    actor: &Actor,
    person: PersonId,
    input: PlanInput,
    ctx: &PlanContext,
    now: Timestamp,
) -> Result<Decision<Plan>, RuleError> {
    may(profile, actor, Action::ProposePlan, None)?;
    let s = new_plan(
        profile,
        person,
        input,
        ctx,
        "; it covers nothing else",
        actor.id,
        now,
    )?;
    check_review_date(profile, s.review_due, check::uk_date(now))?;
    let mut d = Decision::new(s);
    d.events.push(
        AuditEvent::new(now, actor.id, AuditAction::PlanDrafted, "strategy:new")
            .person(person)
            .detail("restrictions", d.record.restrictions.len()),
    );
    Ok(d)
}

/// A new plan from `input`, drafted here or brought in from an earlier system: it covers at
/// least one of the person's matters (CLE-9.8; `no_matter` ends the refusal), names only
/// their incidents (all of them, where it names none), restricts only as the profile's
/// catalogue provides (CLE-9.9; NOR-5.5), and has not ended already.
fn new_plan(
    profile: &Profile,
    person: PersonId,
    input: PlanInput,
    ctx: &PlanContext,
    no_matter: &str,
    by: StaffId,
    now: Timestamp,
) -> Result<Plan, RuleError> {
    check_matters(profile, person, &input.matter_ids, ctx, no_matter)?;
    crate::error::given_once("incident_ids", &input.incident_ids, |i| {
        format!("incident {i}")
    })?;
    for i in &input.incident_ids {
        if !ctx
            .incidents
            .iter()
            .any(|x| x.id == *i && x.person_id == person)
        {
            return Err(not_theirs("incident_ids", format!("incident {i}")));
        }
    }
    check_restrictions(profile, person, &input.restrictions, ctx)?;
    check_ends_on(input.ends_on, check::uk_date(now))?;
    let no_warning_reason = input.no_warning_reason.filter(|r| !r.trim().is_empty());
    // CLE-9.3; NOR-5.8: why no warning came first is said only where none did. A reason
    // beside a warning on record would stand in the decision's evidence as a warning
    // skipped that was given.
    if let (Some(_), Some(w)) = (&no_warning_reason, first_warning(ctx.warnings, person, now)) {
        return Err(RuleError::invalid(
            "no_warning_reason",
            format!(
                "they were warned on {}: leave the reason no warning was given empty",
                check::uk_date(w.given_at)
            ),
        )
        .with_clause(&profile.clauses.warning_first));
    }
    // The behaviour it answers: the incidents named, or where none is, every incident of
    // theirs on record (as `propose` reads an empty list), so the plan keeps which
    // behaviour it answered and the governance report counts it by that behaviour's
    // category (CLE-9.12; NOR-8.1), not as "not recorded".
    let incident_ids = if input.incident_ids.is_empty() {
        ctx.incidents
            .iter()
            .filter(|x| x.person_id == person)
            .map(|x| x.id)
            .collect()
    } else {
        input.incident_ids
    };
    Ok(Plan {
        matter_ids: input.matter_ids,
        incident_ids,
        reasons: input.reasons,
        aims: input.aims,
        proportionality: input.proportionality,
        no_warning_reason,
        ..Plan::first_draft(
            person,
            by,
            now,
            input.restrictions,
            input.review_due,
            input.ends_on,
        )
    })
}

/// The first warning `person` was given by `now` (CLE-9.1; NOR-5.2), if any: where there
/// is one, a plan says no reason for not warning them (CLE-9.3; NOR-5.8), and the draft form
/// does not ask for one.
pub fn first_warning(warnings: &[Warning], person: PersonId, now: Timestamp) -> Option<&Warning> {
    warnings
        .iter()
        .filter(|w| w.person_id == person && w.given_at <= now)
        .min_by_key(|w| w.given_at)
}

/// A plan's end date, where it has one, is after today, whether the plan is drafted, brought
/// in or varied: a plan is ended by lifting it, and the person told (CLE-9.14; NOR-5.7),
/// never by giving it a date already past.
fn check_ends_on(ends_on: Option<Date>, today: Date) -> Result<(), RuleError> {
    match ends_on {
        Some(end) if end <= today => Err(RuleError::invalid(
            "ends_on",
            format!("the end date must be after today, got {end}"),
        )),
        _ => Ok(()),
    }
}

/// A plan already in force in an earlier system (issue 14), as its import file gives it.
#[derive(Debug, Clone)]
pub struct ImportedPlan {
    pub matter_ids: Vec<MatterId>,
    pub restrictions: Vec<Restriction>,
    pub reasons: String,
    /// Who authorised it, with their role, as the earlier system records it (they need not
    /// be in Tact).
    pub authorised_by: String,
    pub authorised_on: Date,
    /// When the person was told in writing (CLE-9.6; NOR-5.1: restrictions apply after it).
    pub notice_sent_on: Date,
    pub review_due: Date,
    pub ends_on: Option<Date>,
    /// The system it came from, and its id there.
    pub source: String,
    pub source_id: String,
}

/// Brings in a plan already decided and in force elsewhere (issue 14): it was authorised
/// and the person told in writing before Tact, so it is in force from its notice, with one
/// event naming who authorised it and when. Its restrictions are checked against this
/// policy's catalogue and the person's records as a new plan's are; its review date must be
/// within the policy's longest interval from its authorisation (CLE-9.12; NOR-8.1) — a date
/// already past is taken, and the plan then shows as overdue for review as any other.
///
/// # Errors
/// No matter named, or one not the person's; a restriction this policy does not provide
/// for, or incomplete; the notice before the authorisation or after today; the review not
/// after the authorisation or too far from it; an end date already past.
pub fn import_plan(
    profile: &Profile,
    actor: &Actor,
    person: PersonId,
    input: ImportedPlan,
    ctx: &PlanContext,
    now: Timestamp,
) -> Result<Decision<Plan>, RuleError> {
    let clauses = &profile.clauses;
    let today = check::uk_date(now);
    require_text("reasons", &input.reasons)?;
    require_text("authorised_by", &input.authorised_by)?;
    check::happened_by(
        "authorised_on",
        "a plan's authorisation",
        input.authorised_on,
        today,
    )?;
    if input.notice_sent_on < input.authorised_on || input.notice_sent_on > today {
        return Err(RuleError::conflict(
            &clauses.notice_first,
            format!(
                "the written notice must be sent on or after the authorisation ({}) and by today, got {}",
                input.authorised_on, input.notice_sent_on
            ),
        )
        .with_field("notice_sent_on"));
    }
    let months = profile.rules.max_review_interval_months;
    let latest = input
        .authorised_on
        .checked_add((months as i64).months())
        .unwrap_or(input.authorised_on);
    if input.review_due <= input.authorised_on || input.review_due > latest {
        return Err(RuleError::conflict(
            &clauses.review_interval,
            format!(
                "the review must be after the authorisation and no more than {months} months from it (by {latest}), got {}",
                input.review_due
            ),
        )
        .with_field("review_due"));
    }
    let notice_at = check::noon(input.notice_sent_on);
    let decided_at = check::noon(input.authorised_on);
    let words = format!(
        "Authorised by {} on {}; imported from {} ({})",
        input.authorised_by.trim(),
        check::long_date(input.authorised_on),
        input.source,
        input.source_id
    );
    let plan = new_plan(
        profile,
        person,
        PlanInput {
            matter_ids: input.matter_ids,
            incident_ids: Vec::new(),
            restrictions: input.restrictions,
            reasons: input.reasons.trim().to_string(),
            aims: String::new(),
            proportionality: String::new(),
            no_warning_reason: None,
            review_due: input.review_due,
            ends_on: input.ends_on,
        },
        ctx,
        ": import its matters first, or name them",
        actor.id,
        now,
    )?;
    let s = Plan {
        status: PlanStatus::Active,
        decided_at: Some(decided_at),
        decision_reason: Some(words.clone()),
        notice: Some(Notice::letter(notice_at, actor.id, ctx.preferred_format)),
        effective_from: Some(notice_at),
        ..plan
    };
    let mut d = Decision::new(s);
    d.events.push(
        AuditEvent::new(now, actor.id, AuditAction::PlanImported, "strategy:new")
            .person(person)
            .reason(words)
            .detail("authorised_by", input.authorised_by.trim())
            .detail("authorised_on", input.authorised_on)
            .detail("notice_sent_on", input.notice_sent_on)
            .detail("source", &input.source)
            .detail("source_id", &input.source_id)
            .detail("restrictions", d.record.restrictions.len()),
    );
    Ok(d)
}

/// One answer to a checklist question.
#[derive(Debug, Clone)]
pub struct AnswerInput {
    pub question_id: String,
    pub answer: Answer,
    pub reason: String,
    pub cannot_remedy_reason: Option<String>,
}

impl AnswerInput {
    /// An answer to `q` that shows no shortfall (CLE-7.3): "yes" where "no" would be one,
    /// otherwise "no", with `reason`.
    pub fn no_shortfall(q: &crate::profile::Question, reason: &str) -> Self {
        Self {
            question_id: q.id.clone(),
            answer: if q.shortfall_if == Answer::No {
                Answer::Yes
            } else {
                Answer::No
            },
            reason: reason.into(),
            cannot_remedy_reason: None,
        }
    }
}

/// Records answers to the profile's checklist (CLE-7.2; NOR-5.3). An answer that shows an
/// obligation not yet met raises a task to put it right, unless the answer says why it
/// cannot be put right (CLE-7.3).
///
/// Each question is answered once in a call, and a reason it cannot be put right goes only
/// with an answer that shows a shortfall: kept with any other answer, it would stand in the
/// decision's evidence as a shortfall that never was.
///
/// # Errors
/// A role refusal; an unknown question; an answer without a reason; "not applicable" where
/// the question does not allow it; a question answered twice; a reason it cannot be put right
/// with an answer that shows no shortfall.
pub fn answer_checklist(
    profile: &Profile,
    actor: &Actor,
    s: &Plan,
    answers: Vec<AnswerInput>,
    now: Timestamp,
) -> Result<Decision<Plan>, RuleError> {
    gate(profile, actor, s, PlanStep::AnswerChecklist)?;
    if answers.is_empty() {
        return Err(RuleError::invalid("answers", "give at least one answer"));
    }
    let mut next = next_version(s);
    let mut d_events = Vec::new();
    let mut tasks = Vec::new();
    let mut answered: Vec<&str> = Vec::new();
    let mut moot = Vec::new();
    for (i, a) in answers.into_iter().enumerate() {
        let field = format!("answers[{i}]");
        let Some(q) = profile
            .checklist
            .questions
            .iter()
            .find(|q| q.id == a.question_id)
        else {
            return Err(RuleError::not_found(
                &format!("{field}.question_id"),
                format!("the checklist has no question {:?}", a.question_id),
            ));
        };
        if answered.contains(&q.id.as_str()) {
            return Err(RuleError::invalid(
                &format!("{field}.question_id"),
                format!(
                    "question {:?} is answered twice: give one answer to each question",
                    q.id
                ),
            )
            .with_clause(&profile.checklist.clause));
        }
        answered.push(&q.id);
        require_text(&format!("{field}.reason"), &a.reason)
            .map_err(|e| e.with_clause(&profile.checklist.clause))?;
        if a.answer == Answer::NotApplicable && !q.may_be_not_applicable {
            return Err(RuleError::invalid(
                &format!("{field}.answer"),
                format!("question {:?} must be answered yes or no", q.id),
            )
            .with_clause(&profile.checklist.clause));
        }
        let cannot = a.cannot_remedy_reason.filter(|r| !r.trim().is_empty());
        let shortfall = a.answer == q.shortfall_if;
        if cannot.is_some() && !shortfall {
            return Err(RuleError::invalid(
                &format!("{field}.cannot_remedy_reason"),
                format!(
                    "the answer {:?} to question {:?} shows no shortfall, so nothing needs \
                     putting right: leave out why it cannot be",
                    a.answer.as_str(),
                    q.id
                ),
            )
            .with_clause(&profile.clauses.checklist_shortfall));
        }
        let previous_task = next
            .checklist
            .iter()
            .find(|x| x.question_id == q.id)
            .and_then(|x| x.remedy_task);
        let needs_task = shortfall && cannot.is_none() && previous_task.is_none();
        if let (Some(task), false) = (previous_task, shortfall && cannot.is_none()) {
            let why = if shortfall {
                "No longer needed: why it cannot be put right is recorded"
            } else {
                "No longer needed: the answer now shows no shortfall"
            };
            moot.push((task, why.to_string()));
        }
        if needs_task {
            tasks.push(NewTask {
                kind: TaskKind::RemedyShortfall,
                person_id: Some(s.person_id),
                assignee: Some(actor.id),
                role: None,
                title: format!(
                    "Put right before the {} goes forward: {}",
                    profile.terms.plan, q.text
                ),
                due_on: None,
                clause: profile.clauses.checklist_shortfall.clone(),
                subject: Some(format!("strategy:{}:question:{}", s.id, q.id)),
            });
        }
        next.checklist.retain(|x| x.question_id != q.id);
        next.checklist.push(ChecklistAnswer {
            question_id: q.id.clone(),
            answer: a.answer,
            reason: a.reason.clone(),
            remedy_task: if shortfall { previous_task } else { None },
            cannot_remedy_reason: cannot,
            answered_by: actor.id,
            answered_at: now,
        });
        d_events.push(
            plan_event(now, actor, AuditAction::ChecklistAnswered, s)
                .clause(profile.checklist.clause.clone())
                .reason(a.reason)
                .detail("question", &q.id)
                .detail("answer", a.answer.as_str())
                .detail("shortfall", shortfall),
        );
    }
    next.took_part(actor.id);
    Ok(Decision {
        record: next,
        events: d_events,
        tasks,
        closes: Vec::new(),
        moot,
    })
}

/// Links a remedy task the store created to its checklist answer.
pub fn link_remedy_task(s: &mut Plan, question_id: &str, task: TaskId) {
    if let Some(a) = s
        .checklist
        .iter_mut()
        .find(|a| a.question_id == question_id)
    {
        a.remedy_task = Some(task);
    }
}

/// Puts a draft forward for authorisation.
///
/// # Errors
/// Refused, naming the clause, when: no incident is recorded (CLE-9.4; NOR-5.4); no
/// warning came first and the categories do not allow that or no reason is given
/// (CLE-9.3; NOR-5.2); a checklist question is unanswered (CLE-7.2; NOR-5.3); a shortfall
/// is neither put right nor explained (CLE-7.3); the aims or the proportionality are not
/// recorded (CLE-9.5); a matter's review route is not exhausted where the profile
/// requires it (NOR-5.3); or the review date is no longer within the limit.
pub fn propose(
    profile: &Profile,
    actor: &Actor,
    s: &Plan,
    ctx: &PlanContext,
    now: Timestamp,
) -> Result<Decision<Plan>, RuleError> {
    let clauses = &profile.clauses;
    let plan = &profile.terms.plan;
    gate(profile, actor, s, PlanStep::Propose)?;
    let incidents: Vec<&Incident> = ctx
        .incidents
        .iter()
        .filter(|i| i.person_id == s.person_id)
        .collect();
    if incidents.is_empty() {
        return Err(RuleError::conflict(&clauses.incident_required, format!("a {plan} needs recorded unacceptable or unreasonable behaviour: no incident is recorded for this person")));
    }
    let mut skipped_warning = None;
    if profile.rules.warning_before_restriction
        && first_warning(ctx.warnings, s.person_id, now).is_none()
    {
        skipped_warning = s.no_warning_reason.clone();
        let cited: Vec<&Incident> = if s.incident_ids.is_empty() {
            incidents.clone()
        } else {
            incidents
                .iter()
                .copied()
                .filter(|i| s.incident_ids.contains(&i.id))
                .collect()
        };
        let all_allow = !cited.is_empty()
            && cited.iter().all(|i| {
                profile
                    .category(&i.category)
                    .is_some_and(|c| c.may_restrict_without_warning)
            });
        if !all_allow {
            return Err(RuleError::conflict(&clauses.warning_first, "the person must first be warned — told what is wrong, how to change and what follows — and given the chance to change"));
        }
        if s.no_warning_reason.is_none() {
            return Err(RuleError::conflict(
                &clauses.warning_first,
                "no warning has been given: record why it was not possible to give one",
            )
            .with_field("no_warning_reason"));
        }
    }
    // Each question with its answer, looked up once: every one unanswered is named together.
    let answered: Vec<_> = profile
        .checklist
        .questions
        .iter()
        .map(|q| (q, s.checklist.iter().find(|a| a.question_id == q.id)))
        .collect();
    // How many are left says it at a glance on the plan's page; their ids say which, for a
    // client to answer them at once (the questions' words are on the checklist itself).
    let unanswered: Vec<&str> = answered
        .iter()
        .filter(|(_, a)| a.is_none())
        .map(|(q, _)| q.id.as_str())
        .collect();
    if !unanswered.is_empty() {
        return Err(RuleError::conflict(
            &profile.checklist.clause,
            format!(
                "every checklist question needs an answer and a reason first: {} of {} not yet \
                 answered ({})",
                unanswered.len(),
                answered.len(),
                unanswered.join(", ")
            ),
        )
        .with_field("checklist"));
    }
    for (q, a) in answered.into_iter().filter_map(|(q, a)| a.map(|a| (q, a))) {
        if a.answer == q.shortfall_if
            && profile.rules.checklist_shortfall_blocks_proposal
            && a.cannot_remedy_reason.is_none()
        {
            let done = a
                .remedy_task
                .is_some_and(|t| ctx.tasks.iter().any(|x| x.id == t && x.done_at.is_some()));
            if !done {
                return Err(RuleError::conflict(
                    &clauses.checklist_shortfall,
                    format!("the shortfall on {:?} must be put right (its task done) or the reason it cannot be recorded", q.text),
                )
                .with_field("checklist"));
            }
        }
    }
    require_text("aims", &s.aims).map_err(|e| e.with_clause(&clauses.aims_and_proportionality))?;
    require_text("proportionality", &s.proportionality)
        .map_err(|e| e.with_clause(&clauses.aims_and_proportionality))?;
    require_text("reasons", &s.reasons)
        .map_err(|e| e.with_clause(&clauses.aims_and_proportionality))?;
    if let Some(m) = review_route_open(profile, s, ctx.matters).first() {
        return Err(RuleError::conflict(
            &clauses.review_exhausted,
            format!(
                "matter {} has not exhausted the internal review route",
                m.reference
            ),
        )
        .with_field("matter_ids"));
    }
    check_restrictions(profile, s.person_id, &s.restrictions, ctx)?;
    check_review_date(profile, s.review_due, check::uk_date(now))?;
    let mut next = next_version(s);
    next.status = advance(s, PlanStep::Propose, S::Proposed, plan)?;
    if profile.rules.warning_before_restriction {
        // A warning given since the draft was written: the reason none was given no longer
        // stands, and is not proposed with it (CLE-9.3; NOR-5.8).
        next.no_warning_reason = skipped_warning.clone();
    }
    next.proposed_by = Some(actor.id);
    next.proposed_at = Some(now);
    next.took_part(actor.id);
    let mut d = Decision::new(next);
    let mut proposed = plan_event(now, actor, AuditAction::PlanProposed, s)
        .reason(s.reasons.clone())
        .detail("aims", &s.aims)
        .detail("proportionality", &s.proportionality);
    // CLE-9.3; NOR-5.8: where no warning came first, why not is on the record of the
    // decision, not only on the plan.
    if let Some(why) = &skipped_warning {
        proposed = proposed
            .clause(clauses.warning_first.clone())
            .detail("no_warning_reason", why);
    }
    d.events.push(proposed);
    d.tasks.push(NewTask {
        kind: TaskKind::AuthorisePlan,
        person_id: Some(s.person_id),
        assignee: None,
        role: profile.roles.authorise_plan.first().copied(),
        title: format!("Decide whether to authorise the proposed {plan}"),
        due_on: None,
        clause: clauses.authorise_role.clone(),
        subject: Some(subject(s)),
    });
    Ok(d)
}

/// A senior manager's decision on a proposal.
#[derive(Debug, Clone)]
pub struct AuthoriseInput {
    pub reason: String,
    pub overrides: Vec<AdjustmentOverride>,
}

/// Authorises a proposed plan. Where the profile requires notice first (NOR-5.1) the plan
/// waits for its notice; otherwise it takes effect now and the notice is still due (CLE-9.6).
///
/// # Errors
/// Refused when the actor's role may not authorise (NOR-6.2), the actor proposed it, the
/// review date is beyond the limit, or a restriction defeats a reasonable adjustment with
/// no override (CLE-9.13; NOR-5.9).
pub fn authorise_plan(
    profile: &Profile,
    actor: &Actor,
    s: &Plan,
    input: AuthoriseInput,
    ctx: &PlanContext,
    now: Timestamp,
) -> Result<Decision<Plan>, RuleError> {
    let clauses = &profile.clauses;
    let plan = &profile.terms.plan;
    gate(profile, actor, s, PlanStep::Authorise)?;
    require_text("reason", &input.reason)?;
    still_in_post(profile, s, ctx)?;
    let overrides = overrides_after(profile, actor, s, &s.restrictions, &input.overrides, ctx)?;
    check_review_date(profile, s.review_due, check::uk_date(now))?;
    let mut next = next_version(s);
    next.decided_by = Some(actor.id);
    next.decided_at = Some(now);
    next.decision_reason = Some(input.reason.clone());
    next.overrides = overrides;
    next.took_part(actor.id);
    let mut events = vec![plan_event(now, actor, AuditAction::PlanAuthorised, s)
        .clause(clauses.authorise_role.clone())
        .reason(input.reason)];
    for o in &input.overrides {
        events.push(
            plan_event(now, actor, AuditAction::PlanAuthorised, s)
                .clause(clauses.adjustments_honoured.clone())
                .reason(o.reason.clone())
                .detail("override_adjustment", o.adjustment_id),
        );
    }
    if profile.rules.notice_before_effect {
        next.status = advance(s, PlanStep::Authorise, S::Authorised, plan)?;
    } else {
        next.status = advance(s, PlanStep::Authorise, S::Active, plan)?;
        next.effective_from = Some(now);
        events.push(
            plan_event(now, actor, AuditAction::PlanTookEffect, s)
                .clause(clauses.notice_first.clone()),
        );
    }
    let mut d = Decision {
        record: next,
        events,
        tasks: Vec::new(),
        closes: vec![TaskKind::AuthorisePlan],
        moot: Vec::new(),
    };
    d.tasks.push(send_notice_task(profile, s, actor.id));
    Ok(d)
}

fn send_notice_task(profile: &Profile, s: &Plan, assignee: StaffId) -> NewTask {
    NewTask {
        kind: TaskKind::SendNotice,
        person_id: Some(s.person_id),
        assignee: Some(s.proposed_by.unwrap_or(assignee)),
        role: None,
        title: format!(
            "Send the written notice of the {} in the person's preferred format",
            profile.terms.plan
        ),
        due_on: None,
        clause: profile.clauses.notice_content.clone(),
        subject: Some(subject(s)),
    }
}

/// Refuses a proposed plan, with reasons.
///
/// # Errors
/// A role or state refusal, or a missing reason.
pub fn refuse_plan(
    profile: &Profile,
    actor: &Actor,
    s: &Plan,
    reason: &str,
    now: Timestamp,
) -> Result<Decision<Plan>, RuleError> {
    gate(profile, actor, s, PlanStep::Refuse)?;
    require_text("reason", reason)?;
    let mut next = next_version(s);
    next.status = advance(s, PlanStep::Refuse, S::Refused, &profile.terms.plan)?;
    next.decided_by = Some(actor.id);
    next.decided_at = Some(now);
    next.decision_reason = Some(reason.to_string());
    let mut d = Decision::new(next);
    d.events
        .push(plan_event(now, actor, AuditAction::PlanRefused, s).reason(reason));
    d.closes.push(TaskKind::AuthorisePlan);
    Ok(d)
}

/// Withdraws a draft or proposal.
///
/// # Errors
/// A role or state refusal, or a missing reason.
pub fn withdraw_plan(
    profile: &Profile,
    actor: &Actor,
    s: &Plan,
    reason: &str,
    now: Timestamp,
) -> Result<Decision<Plan>, RuleError> {
    gate(profile, actor, s, PlanStep::Withdraw)?;
    require_text("reason", reason)?;
    let mut next = next_version(s);
    next.status = advance(s, PlanStep::Withdraw, S::Withdrawn, &profile.terms.plan)?;
    let mut d = Decision::new(next);
    d.events
        .push(plan_event(now, actor, AuditAction::PlanWithdrawn, s).reason(reason));
    d.closes.push(TaskKind::AuthorisePlan);
    // A shortfall to put right before a plan goes forward is moot once it will not.
    d.moot.extend(s.checklist.iter().filter_map(|a| {
        a.remedy_task.map(|t| {
            (
                t,
                format!("No longer needed: the {} was withdrawn", profile.terms.plan),
            )
        })
    }));
    Ok(d)
}

/// The written notice as sent.
#[derive(Debug, Clone)]
pub struct NoticeInput {
    pub sent_at: Timestamp,
    pub channel: Channel,
    /// The format it went in; `None` for the one the person asked for.
    pub format: Option<Format>,
    pub agreement_sought: bool,
    pub agreement_given: Option<bool>,
    pub agreement_note: Option<String>,
    /// The letter or email that gave it, where Tact recorded the notice from one it sent.
    pub letter_id: Option<i64>,
    pub policy_enclosed: bool,
    /// Why it went in a format other than the one the person asked for, where it did.
    pub format_reason: Option<String>,
}

impl NoticeInput {
    /// A letter sent at `sent_at` in the format the person asked for, with the policy
    /// enclosed, agreement not sought: the plainest written notice, for the rest to be
    /// said over it.
    pub fn letter(sent_at: Timestamp) -> Self {
        Self {
            sent_at,
            channel: Channel::Letter,
            format: None,
            agreement_sought: false,
            agreement_given: None,
            agreement_note: None,
            letter_id: None,
            policy_enclosed: true,
            format_reason: None,
        }
    }
}

/// A notice in a format other than the one the person asked for says why (issue 13; the
/// adjustments they need are honoured, CLE-9.13, NOR-5.9): an Easy Read reader sent
/// standard print has not been told in a way they can understand without a reason on
/// record.
///
/// # Errors
/// A notice in another format without a reason.
pub fn notice_format(
    profile: &Profile,
    input: &NoticeInput,
    preferred: Format,
) -> Result<(), RuleError> {
    let reason = input
        .format_reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let format = input.format.unwrap_or(preferred);
    if !format.suits(preferred) && reason.is_none() {
        return Err(RuleError::invalid(
            "format_reason",
            format!(
                "Enter why the notice went in {} when they asked for {}",
                format_words(format),
                format_words(preferred)
            ),
        )
        .with_clause(&profile.clauses.adjustments_honoured));
    }
    Ok(())
}

/// A format in words, inside a sentence.
pub fn format_words(f: Format) -> &'static str {
    match f {
        Format::Standard => "standard print",
        Format::LargePrint => "large print",
        Format::EasyRead => "Easy Read",
        Format::Braille => "Braille",
        Format::Audio => "audio",
        Format::Email => "email",
    }
}

/// Records that the person was told in writing (CLE-9.6; NOR-5.1, 5.4, 5.7). An authorised
/// plan takes effect now; a pending variation is applied (CLE-9.14).
///
/// # Errors
/// A role or state refusal; a notice dated in the future; a notice without the policy
/// enclosed where the profile requires it (NOR-5.2); agreement recorded without being sought.
pub fn record_notice(
    profile: &Profile,
    actor: &Actor,
    s: &Plan,
    input: NoticeInput,
    now: Timestamp,
) -> Result<Decision<Plan>, RuleError> {
    let clauses = &profile.clauses;
    // The gate refuses a second notice of a version they were told of ([`own_part`]).
    gate(profile, actor, s, PlanStep::RecordNotice)?;
    check::happened("sent_at", "a notice's sending", input.sent_at, now)?;
    if profile.notice.enclose_policy && !input.policy_enclosed {
        let clause = profile
            .notice
            .clause
            .clone()
            .unwrap_or_else(|| clauses.notice_content.clone());
        return Err(
            RuleError::conflict(&clause, "a copy of the policy must go with the notice")
                .with_field("policy_enclosed"),
        );
    }
    if !input.agreement_sought && input.agreement_given.is_some() {
        return Err(RuleError::invalid(
            "agreement_given",
            "agreement cannot be given if it was not sought",
        ));
    }
    if matches!(input.channel, Channel::Phone | Channel::Visit) {
        return Err(RuleError::invalid(
            "channel",
            "notice must be in writing: letter, email or an accessible written format",
        )
        .with_clause(&clauses.notice_content));
    }
    let mut next = next_version(s);
    let mut events = Vec::new();
    if let Some(v) = next.pending_variation.take() {
        next.restrictions = v.restrictions;
        next.review_due = v.review_due;
        next.ends_on = v.ends_on;
        next.plan_version += 1;
        events.push(
            plan_event(now, actor, AuditAction::PlanVaried, s)
                .clause(clauses.changes_told.clone())
                .reason(v.reason)
                .detail("plan_version", next.plan_version),
        );
    }
    let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut next.pending_matters)
        .into_iter()
        .partition(|p| p.authorised_by.is_some());
    next.pending_matters = waiting;
    for p in ready {
        next.matter_ids.push(p.matter_id);
        events.push(
            plan_event(now, actor, AuditAction::PlanAppliedToMatter, s)
                .clause(clauses.notice_first.clone())
                .reason(p.reason)
                .detail("matter", p.matter_id)
                .detail("takes_effect", "now"),
        );
    }
    next.notice = Some(Notice {
        sent_at: input.sent_at,
        recorded_by: actor.id,
        channel: input.channel,
        format: input.format.unwrap_or_default(),
        agreement_sought: input.agreement_sought,
        agreement_given: input.agreement_given,
        agreement_note: input.agreement_note,
        letter_id: input.letter_id,
        policy_enclosed: input.policy_enclosed,
        plan_version: next.plan_version,
    });
    events.insert(
        0,
        plan_event(now, actor, AuditAction::NoticeRecorded, s)
            .clause(clauses.notice_content.clone())
            .detail("channel", input.channel.as_str())
            .detail("format", input.format.unwrap_or_default().as_str())
            .detail("agreement_sought", input.agreement_sought)
            .detail(
                "format_reason",
                input.format_reason.as_deref().unwrap_or("-"),
            )
            .detail(
                "agreement_given",
                input
                    .agreement_given
                    .map_or("-".to_string(), |g| g.to_string()),
            ),
    );
    next.status = advance(s, PlanStep::RecordNotice, S::Active, &profile.terms.plan)?;
    if s.status == PlanStatus::Authorised {
        next.effective_from = Some(now);
        events.push(
            plan_event(now, actor, AuditAction::PlanTookEffect, s)
                .clause(clauses.notice_first.clone()),
        );
    }
    Ok(Decision {
        record: next,
        events,
        tasks: Vec::new(),
        closes: vec![TaskKind::SendNotice],
        moot: Vec::new(),
    })
}

crate::words! {
    /// What a review decides (CLE-9.12; NOR-8.1): the plan goes on to its next review, or
    /// ends. A change is a variation, not a review.
    pub enum ReviewDecision for "decision" {
        Continue = "continue",
        Lift = "lift",
    }
}

#[derive(Debug, Clone)]
pub struct ReviewInput {
    pub decision: ReviewDecision,
    pub reasons: String,
    /// NOR-8.2: how the person has behaved since; the review weighs it.
    pub recent_conduct: String,
    pub next_review_due: Option<Date>,
}

/// Reviews an active plan (CLE-9.12; NOR-8.1, 8.2): continue to a new review date within
/// the limit, or lift.
///
/// # Errors
/// A role or state refusal; missing reasons or conduct; a next review date beyond the limit.
pub fn review_plan(
    profile: &Profile,
    actor: &Actor,
    s: &Plan,
    input: ReviewInput,
    now: Timestamp,
) -> Result<Decision<Plan>, RuleError> {
    let clauses = &profile.clauses;
    gate(profile, actor, s, PlanStep::Review)?;
    require_text("reasons", &input.reasons)?;
    require_text("recent_conduct", &input.recent_conduct)?;
    let mut next = next_version(s);
    let mut d_tasks = Vec::new();
    let event = plan_event(now, actor, AuditAction::PlanReviewed, s)
        .clause(clauses.review_interval.clone())
        .reason(input.reasons.clone())
        .detail("recent_conduct", &input.recent_conduct)
        // For the governance report: reviews done on time.
        .detail("was_due", s.review_due.to_string())
        .detail(
            "on_time",
            if crate::check::uk_date(now) <= s.review_due {
                "yes"
            } else {
                "no"
            },
        );
    let event = match input.decision {
        ReviewDecision::Continue => {
            let due = input.next_review_due.ok_or_else(|| {
                RuleError::invalid(
                    "next_review_due",
                    "a plan that continues needs its next review date",
                )
                .with_clause(&clauses.review_interval)
            })?;
            check_review_date(profile, due, check::uk_date(now))
                .map_err(|e| e.with_field("next_review_due"))?;
            next.review_due = due;
            if profile.rules.review_outcome_told {
                d_tasks.push(told_task(profile, s, actor.id, Told::Kept));
            }
            event
                .detail("decision", input.decision.as_str())
                .detail("next_review_due", due)
        }
        ReviewDecision::Lift => {
            // A next review for a plan lifted would be dropped: refused, so a date given in
            // error (the wrong choice made) is seen.
            if input.next_review_due.is_some() {
                return Err(RuleError::invalid(
                    "next_review_due",
                    format!(
                        "a {} that is lifted has no next review: leave its date out",
                        profile.terms.plan
                    ),
                )
                .with_clause(&clauses.review_interval));
            }
            next.status = advance(s, PlanStep::Review, S::Lifted, &profile.terms.plan)?;
            next.lifted_at = Some(now);
            next.lift_reason = Some(input.reasons.clone());
            d_tasks.push(told_task(profile, s, actor.id, Told::Lifted));
            event.detail("decision", input.decision.as_str())
        }
    };
    next.took_part(actor.id);
    Ok(Decision {
        record: next,
        events: vec![event],
        tasks: d_tasks,
        closes: vec![TaskKind::ReviewDue],
        moot: Vec::new(),
    })
}

/// What a step on a plan leaves the person to be told in writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Told {
    /// Its restrictions or matters changed (CLE-9.14; NOR-5.7).
    Changed,
    /// It is lifted (CLE-9.14; NOR-5.7).
    Lifted,
    /// A review kept it as it is, where the profile tells them so
    /// ([`crate::profile::Rules::review_outcome_told`]; NOR-5.7, 8.2).
    Kept,
    /// Their dispute was decided and the plan stays as it is (NOR-7.1, 5.7): whoever raised
    /// a dispute hears its outcome, as they do when it changes or lifts the plan.
    Upheld,
}

/// The task to tell the person in writing what became of their plan (`told`), for whoever
/// took the step.
fn told_task(profile: &Profile, s: &Plan, actor: StaffId, told: Told) -> NewTask {
    let plan = &profile.terms.plan;
    let (title, clause) = match told {
        Told::Changed => (
            format!("Tell the person in writing about the change to their {plan}"),
            &profile.clauses.changes_told,
        ),
        Told::Lifted => (
            format!("Tell the person in writing that their {plan} is lifted"),
            &profile.clauses.changes_told,
        ),
        Told::Kept => (
            format!(
                "Tell the person in writing that their {plan} was reviewed and still applies, \
                 and why"
            ),
            &profile.clauses.review_outcome_told,
        ),
        Told::Upheld => (
            format!(
                "Tell the person in writing the outcome of their dispute: their {plan} stays \
                 as it is, and why"
            ),
            &profile.clauses.dispute_independent,
        ),
    };
    NewTask {
        kind: TaskKind::SendNotice,
        person_id: Some(s.person_id),
        assignee: Some(actor),
        role: None,
        title,
        due_on: None,
        clause: clause.clone(),
        subject: Some(subject(s)),
    }
}

#[derive(Debug, Clone)]
pub struct VaryInput {
    pub restrictions: Vec<Restriction>,
    pub review_due: Date,
    pub ends_on: Option<Date>,
    pub reason: String,
    pub overrides: Vec<AdjustmentOverride>,
}

/// Varies an active plan. Where notice must come first (NOR-5.1) the change waits for its
/// notice; otherwise it applies now. Either way the person is told (CLE-9.14).
///
/// # Errors
/// As for drafting and authorising: catalogue, review date and adjustments.
pub fn vary_plan(
    profile: &Profile,
    actor: &Actor,
    s: &Plan,
    input: VaryInput,
    ctx: &PlanContext,
    now: Timestamp,
) -> Result<Decision<Plan>, RuleError> {
    let clauses = &profile.clauses;
    gate(profile, actor, s, PlanStep::Vary)?;
    require_text("reason", &input.reason)?;
    check_restrictions(profile, s.person_id, &input.restrictions, ctx)?;
    check_review_date(profile, input.review_due, check::uk_date(now))?;
    check_ends_on(input.ends_on, check::uk_date(now))?;
    let overrides = overrides_after(
        profile,
        actor,
        s,
        &input.restrictions,
        &input.overrides,
        ctx,
    )?;
    let mut next = next_version(s);
    next.overrides = overrides;
    let event = plan_event(now, actor, AuditAction::PlanVaried, s)
        .clause(clauses.changes_told.clone())
        .reason(input.reason.clone());
    let event = if profile.rules.notice_before_effect {
        next.pending_variation = Some(PendingVariation {
            restrictions: input.restrictions,
            review_due: input.review_due,
            ends_on: input.ends_on,
            reason: input.reason,
            by: actor.id,
        });
        event.detail("takes_effect", "on notice")
    } else {
        next.restrictions = input.restrictions;
        next.review_due = input.review_due;
        next.ends_on = input.ends_on;
        next.plan_version += 1;
        event
            .detail("takes_effect", "now")
            .detail("plan_version", next.plan_version)
    };
    next.took_part(actor.id);
    Ok(Decision {
        record: next,
        events: vec![event],
        tasks: vec![told_task(profile, s, actor.id, Told::Changed)],
        closes: Vec::new(),
        moot: Vec::new(),
    })
}

/// Lifts a plan: it stops restricting at once, and the person is told (CLE-9.14).
///
/// # Errors
/// A role or state refusal, or a missing reason.
pub fn lift_plan(
    profile: &Profile,
    actor: &Actor,
    s: &Plan,
    reason: &str,
    now: Timestamp,
) -> Result<Decision<Plan>, RuleError> {
    gate(profile, actor, s, PlanStep::Lift)?;
    require_text("reason", reason)?;
    let mut next = next_version(s);
    next.status = advance(s, PlanStep::Lift, S::Lifted, &profile.terms.plan)?;
    next.lifted_at = Some(now);
    next.lift_reason = Some(reason.to_string());
    next.took_part(actor.id);
    let mut d = Decision::new(next);
    d.events.push(
        plan_event(now, actor, AuditAction::PlanLifted, s)
            .clause(profile.clauses.changes_told.clone())
            .reason(reason),
    );
    d.tasks.push(told_task(profile, s, actor.id, Told::Lifted));
    d.closes
        .extend([TaskKind::AuthorisePlan, TaskKind::ReviewDue]);
    Ok(d)
}

/// Why plan `s` cannot be applied to `matter` now, whoever asks: the matter is not the
/// person's, the plan already covers it or is already waiting to, or its internal review
/// route is not exhausted where the profile asks that (NOR-5.3). `None` where it can be.
/// [`apply_to_matter`] asks it, and a door asks it of each matter before it offers it.
pub fn matter_refusal(profile: &Profile, s: &Plan, matter: &Matter) -> Option<RuleError> {
    let clauses = &profile.clauses;
    let plan = &profile.terms.plan;
    let conflict = |clause: &str, message: String| {
        Some(RuleError::conflict(clause, message).with_field("matter_id"))
    };
    if matter.person_id != s.person_id {
        Some(not_theirs("matter_id", format!("matter {}", matter.id)))
    } else if s.matter_ids.contains(&matter.id) {
        conflict(
            &clauses.new_matters,
            format!("the {plan} already covers matter {}", matter.reference),
        )
    } else if s.pending_matters.iter().any(|p| p.matter_id == matter.id) {
        conflict(
            &clauses.new_matters,
            format!(
                "applying the {plan} to matter {} is already waiting for a decision or a notice",
                matter.reference
            ),
        )
    } else if profile.rules.restriction_requires_review_exhausted
        && !matter.status.review_exhausted()
    {
        conflict(
            &clauses.review_exhausted,
            format!(
                "matter {} has not exhausted the internal review route, so the {plan} cannot be applied to it",
                matter.reference
            ),
        )
    } else {
        None
    }
}

/// Applies an existing plan to another of the person's matters (CLE-10.4: otherwise a new
/// matter is judged on its own merits), through the gates of the plan it extends under the
/// loaded profile:
/// - the matter's internal review route must be exhausted where the profile says so (NOR-5.3);
/// - where applying is itself a decision to restrict (NOR-6.2), only the plan's authorising
///   role applies it; anyone else's request waits for that role ([`decide_matter`]);
/// - where notice must come first (NOR-5.1), an authorised matter is covered only once the
///   written notice is recorded ([`record_notice`]);
/// - otherwise it applies at once, recorded with reasons (CLE-10.4), and the person is told
///   (CLE-9.14).
///
/// # Errors
/// A role or state refusal; a matter that is not the person's, already covered or already
/// asked for; a review route not exhausted; no reason.
pub fn apply_to_matter(
    profile: &Profile,
    actor: &Actor,
    s: &Plan,
    matter: &Matter,
    reason: &str,
    now: Timestamp,
) -> Result<Decision<Plan>, RuleError> {
    let clauses = &profile.clauses;
    let plan = &profile.terms.plan;
    gate(profile, actor, s, PlanStep::ApplyToMatter)?;
    require_text("reason", reason)?;
    if let Some(e) = matter_refusal(profile, s, matter) {
        return Err(e);
    }
    let authorised = !profile.rules.applying_to_a_matter_needs_authorisation
        || profile.may(actor.role, Action::AuthorisePlan);
    let mut next = next_version(s);
    next.took_part(actor.id);
    let pending = PendingMatter {
        matter_id: matter.id,
        reason: reason.to_string(),
        requested_by: actor.id,
        requested_at: now,
        authorised_by: authorised.then_some(actor.id),
        authorised_at: authorised.then_some(now),
    };
    let event = plan_event(now, actor, AuditAction::PlanAppliedToMatter, s)
        .clause(clauses.new_matters.clone())
        .reason(reason)
        .detail("matter", matter.id);
    let mut d = if !authorised {
        next.pending_matters.push(pending);
        let mut d = Decision::new(next);
        d.events
            .push(event.detail("takes_effect", "when authorised"));
        d.tasks.push(NewTask {
            kind: TaskKind::AuthorisePlan,
            person_id: Some(s.person_id),
            assignee: None,
            role: profile.roles.authorise_plan.first().copied(),
            title: format!(
                "Decide whether to apply the {plan} to matter {}",
                matter.reference
            ),
            due_on: None,
            clause: clauses.authorise_role.clone(),
            subject: Some(subject(s)),
        });
        return Ok(d);
    } else if profile.rules.notice_before_effect {
        next.pending_matters.push(pending);
        let mut d = Decision::new(next);
        d.events.push(
            event
                .detail("takes_effect", "on notice")
                .clause(clauses.notice_first.clone()),
        );
        d
    } else {
        next.matter_ids.push(matter.id);
        let mut d = Decision::new(next);
        d.events.push(event.detail("takes_effect", "now"));
        d
    };
    d.tasks.push(told_task(profile, s, actor.id, Told::Changed));
    Ok(d)
}

/// The authorising role's decision on a request to apply a plan to another matter
/// (NOR-6.2): approved, it takes effect on notice where notice comes first (NOR-5.1) and at
/// once otherwise, and the person is told (CLE-9.14); refused, the request is dropped.
///
/// # Errors
/// A role or state refusal; the one who asked deciding their own request; no such request
/// waiting for a decision; no reason.
pub fn decide_matter(
    profile: &Profile,
    actor: &Actor,
    s: &Plan,
    matter: MatterId,
    approve: bool,
    reason: &str,
    now: Timestamp,
) -> Result<Decision<Plan>, RuleError> {
    let clauses = &profile.clauses;
    let plan = &profile.terms.plan;
    gate(profile, actor, s, PlanStep::DecideMatter)?;
    require_text("reason", reason)?;
    let Some(at) = s
        .pending_matters
        .iter()
        .position(|p| p.matter_id == matter && p.authorised_by.is_none())
    else {
        return Err(RuleError::not_found(
            "matter_id",
            format!("no request to apply the {plan} to matter {matter} is waiting for a decision"),
        ));
    };
    if s.pending_matters[at].requested_by == actor.id {
        return Err(RuleError::forbidden(
            Some(&clauses.authoriser_not_proposer),
            format!("the person who asked to apply the {plan} to a matter may not decide it"),
        ));
    }
    let mut next = next_version(s);
    next.took_part(actor.id);
    let mut events = Vec::new();
    let mut tasks = Vec::new();
    if !approve {
        next.pending_matters.remove(at);
        events.push(
            plan_event(now, actor, AuditAction::PlanMatterRefused, s)
                .clause(clauses.authorise_role.clone())
                .reason(reason)
                .detail("matter", matter),
        );
    } else {
        let event = plan_event(now, actor, AuditAction::PlanMatterAuthorised, s)
            .clause(clauses.authorise_role.clone())
            .reason(reason)
            .detail("matter", matter);
        if profile.rules.notice_before_effect {
            let p = &mut next.pending_matters[at];
            p.authorised_by = Some(actor.id);
            p.authorised_at = Some(now);
            events.push(event.detail("takes_effect", "on notice"));
        } else {
            next.pending_matters.remove(at);
            next.matter_ids.push(matter);
            events.push(event.detail("takes_effect", "now"));
        }
        tasks.push(told_task(profile, s, actor.id, Told::Changed));
    }
    // The request to decide is answered only when no other request on this plan waits.
    let closes = if next
        .pending_matters
        .iter()
        .any(|m| m.authorised_by.is_none())
    {
        Vec::new()
    } else {
        vec![TaskKind::AuthorisePlan]
    };
    Ok(Decision {
        record: next,
        events,
        tasks,
        closes,
        moot: Vec::new(),
    })
}

/// A step on a plan with what it needs: the typed command every door (API, UI, CLI) sends
/// for a plan, decided by [`decide_plan`]. Its [`PlanCommand::action`] is what the actor's
/// role must allow. (Answering the checklist and a dispute's decision have their own entries:
/// the first raises remedy tasks that are linked back to the plan, the second decides a
/// dispute record.)
#[derive(Debug, Clone)]
pub enum PlanCommand {
    Propose,
    Authorise(AuthoriseInput),
    Refuse {
        reason: String,
    },
    Withdraw {
        reason: String,
    },
    RecordNotice(NoticeInput),
    Review(ReviewInput),
    Vary(VaryInput),
    Lift {
        reason: String,
    },
    ApplyToMatter {
        matter: MatterId,
        reason: String,
    },
    DecideMatter {
        matter: MatterId,
        approve: bool,
        reason: String,
    },
}

impl PlanCommand {
    /// The lifecycle step this command takes.
    pub fn step(&self) -> PlanStep {
        match self {
            Self::Propose => PlanStep::Propose,
            Self::Authorise(_) => PlanStep::Authorise,
            Self::Refuse { .. } => PlanStep::Refuse,
            Self::Withdraw { .. } => PlanStep::Withdraw,
            Self::RecordNotice(_) => PlanStep::RecordNotice,
            Self::Review(_) => PlanStep::Review,
            Self::Vary(_) => PlanStep::Vary,
            Self::Lift { .. } => PlanStep::Lift,
            Self::ApplyToMatter { .. } => PlanStep::ApplyToMatter,
            Self::DecideMatter { .. } => PlanStep::DecideMatter,
        }
    }

    /// What the actor's role must allow.
    pub fn action(&self) -> Action {
        self.step().action()
    }
}

/// Decides one command on plan `s` under `profile`, with the person's records in `ctx`:
/// the one function every plan step goes through, whichever door it came from.
///
/// # Errors
/// As the step's own rule; a matter that is not among the person's.
pub fn decide_plan(
    profile: &Profile,
    actor: &Actor,
    s: &Plan,
    command: PlanCommand,
    ctx: &PlanContext,
    now: Timestamp,
) -> Result<Decision<Plan>, RuleError> {
    match command {
        PlanCommand::Propose => propose(profile, actor, s, ctx, now),
        PlanCommand::Authorise(input) => authorise_plan(profile, actor, s, input, ctx, now),
        PlanCommand::Refuse { reason } => refuse_plan(profile, actor, s, &reason, now),
        PlanCommand::Withdraw { reason } => withdraw_plan(profile, actor, s, &reason, now),
        PlanCommand::RecordNotice(mut input) => {
            input.format = Some(Format::by(
                input.channel,
                input.format,
                ctx.preferred_format,
            )?);
            notice_format(profile, &input, ctx.preferred_format)?;
            record_notice(profile, actor, s, input, now)
        }
        PlanCommand::Review(input) => review_plan(profile, actor, s, input, now),
        PlanCommand::Vary(input) => vary_plan(profile, actor, s, input, ctx, now),
        PlanCommand::Lift { reason } => lift_plan(profile, actor, s, &reason, now),
        PlanCommand::ApplyToMatter { matter, reason } => {
            let m = ctx.matters.iter().find(|m| m.id == matter).ok_or_else(|| {
                RuleError::not_found("matter_id", format!("no matter {matter} for this person"))
            })?;
            apply_to_matter(profile, actor, s, m, &reason, now)
        }
        PlanCommand::DecideMatter {
            matter,
            approve,
            reason,
        } => decide_matter(profile, actor, s, matter, approve, &reason, now),
    }
}

/// Records a dispute (NOR-7.1). Anyone who records contact may log it; it does not suspend the plan.
///
/// # Errors
/// A plan that is not active, or no grounds.
pub fn raise_dispute(
    profile: &Profile,
    actor: &Actor,
    s: &Plan,
    grounds: &str,
    received_at: Timestamp,
    now: Timestamp,
) -> Result<Decision<Dispute>, RuleError> {
    may(profile, actor, PlanStep::RaiseDispute.action(), None)?;
    if step_allowed(s, PlanStep::RaiseDispute, &profile.terms.plan).is_err() {
        return Err(RuleError::conflict(
            &profile.clauses.dispute_independent,
            format!(
                "only an authorised or active {} can be disputed",
                profile.terms.plan
            ),
        )
        .with_field("plan_id"));
    }
    require_text("grounds", grounds)?;
    check::happened("received_at", "a dispute's receipt", received_at, now)?;
    let d = Dispute {
        id: DisputeId(0),
        plan_id: s.id,
        person_id: s.person_id,
        grounds: grounds.to_string(),
        received_at,
        recorded_by: actor.id,
        outcome: None,
        decided_by: None,
        decided_at: None,
        decision_reason: None,
    };
    let mut dec = Decision::new(d);
    dec.events.push(
        plan_event(now, actor, AuditAction::DisputeRaised, s)
            .clause(profile.clauses.dispute_independent.clone())
            .reason(grounds),
    );
    dec.tasks.push(NewTask {
        kind: TaskKind::DecideDispute,
        person_id: Some(s.person_id),
        assignee: None,
        role: profile.roles.decide_dispute.first().copied(),
        title: format!(
            "Decide the dispute about the {} (someone who took no part in it)",
            profile.terms.plan
        ),
        due_on: None,
        clause: profile.clauses.dispute_independent.clone(),
        subject: Some(subject(s)),
    });
    Ok(dec)
}

/// The decision on a dispute.
#[derive(Debug, Clone)]
pub struct DisputeDecision {
    pub outcome: DisputeOutcome,
    pub reasons: String,
    /// For [`DisputeOutcome::Varied`]: the new restrictions.
    pub variation: Option<VaryInput>,
}

/// Why `actor` may not decide this dispute now, or `None` where they may (NOR-7.1, 7.2): a
/// role the profile does not give the decision, a dispute already decided, or a decider who
/// took part in the plan's decisions. The dispute form asks it before it is shown, and
/// [`decide_dispute`] before anything else, so the form is offered only to whoever may
/// send it.
pub fn dispute_refusal(
    profile: &Profile,
    actor: &Actor,
    dispute: &Dispute,
    s: &Plan,
) -> Option<RuleError> {
    let clause = &profile.clauses.dispute_independent;
    if let Err(e) = may(profile, actor, Action::DecideDispute, Some(clause)) {
        return Some(e);
    }
    if dispute.outcome.is_some() {
        return Some(
            RuleError::conflict(clause, "this dispute has already been decided")
                .with_field("dispute_id"),
        );
    }
    s.participants.contains(&actor.id).then(|| {
        RuleError::forbidden(
            Some(clause),
            format!(
                "a dispute must be decided by someone who took no part in the {} decision",
                profile.terms.plan
            ),
        )
    })
}

/// Who in post may decide dispute `d` about plan `s` (NOR-7.1; a local rule under
/// Cleveland): each active member of staff, not a service account, whom [`dispute_refusal`]
/// lets. Empty where every holder of the deciding role took part in the plan's decisions
/// (a small office whose one senior manager authorised it): the dispute then waits for
/// someone who did not, and the plan's page says so rather than leave it with nobody.
pub fn dispute_deciders<'a>(
    profile: &Profile,
    d: &Dispute,
    s: &Plan,
    staff: &'a [Staff],
) -> Vec<&'a Staff> {
    staff
        .iter()
        .filter(|st| st.active && st.scope.is_none())
        .filter(|st| dispute_refusal(profile, &Actor::from((*st).clone()), d, s).is_none())
        .collect()
}

/// Decides a dispute: upheld, varied or lifted, with reasons, by someone who took no part
/// in the decision disputed (NOR-7.1).
///
/// # Errors
/// A role refusal; a decider who took part; a decided dispute; missing reasons; for
/// "varied", the variation's own checks.
pub fn decide_dispute(
    profile: &Profile,
    actor: &Actor,
    dispute: &Dispute,
    s: &Plan,
    decision: DisputeDecision,
    ctx: &PlanContext,
    now: Timestamp,
) -> Result<(Decision<Dispute>, Decision<Plan>), RuleError> {
    let DisputeDecision {
        outcome,
        reasons,
        variation,
    } = decision;
    let reasons = reasons.as_str();
    if let Some(refused) = dispute_refusal(profile, actor, dispute, s) {
        return Err(refused);
    }
    let clause = &profile.clauses.dispute_independent;
    require_text("reasons", reasons)?;
    // A change given with another outcome would be dropped while the asker took the plan
    // for changed: refused, naming it.
    if variation.is_some() && outcome != DisputeOutcome::Varied {
        return Err(RuleError::invalid(
            "variation",
            format!(
                "a change to the {} is given only with the outcome varied, not {}",
                profile.terms.plan,
                outcome.as_str()
            ),
        )
        .with_clause(clause));
    }
    let plan_decision = match outcome {
        DisputeOutcome::Upheld => {
            let mut d = Decision::new(next_version(s));
            d.tasks.push(told_task(profile, s, actor.id, Told::Upheld));
            d
        }
        DisputeOutcome::Varied => {
            let v = variation.ok_or_else(|| {
                RuleError::invalid("variation", "a varied outcome needs the new restrictions")
            })?;
            // The decider varies under their dispute authority, not as a plan participant.
            let mut d = vary_unchecked_role(profile, actor, s, v, ctx, now)?;
            d.record.participants.retain(|p| *p != actor.id);
            d
        }
        DisputeOutcome::Lifted => {
            let mut next = next_version(s);
            next.status = advance(s, PlanStep::DecideDispute, S::Lifted, &profile.terms.plan)?;
            next.lifted_at = Some(now);
            next.lift_reason = Some(reasons.to_string());
            let mut d = Decision::new(next);
            d.tasks.push(told_task(profile, s, actor.id, Told::Lifted));
            d
        }
    };
    let mut done = dispute.clone();
    done.outcome = Some(outcome);
    done.decided_by = Some(actor.id);
    done.decided_at = Some(now);
    done.decision_reason = Some(reasons.to_string());
    let mut dd = Decision::new(done);
    dd.events.push(
        plan_event(now, actor, AuditAction::DisputeDecided, s)
            .clause(clause.clone())
            .reason(reasons)
            .detail("outcome", outcome.as_str())
            .detail("dispute", dispute.id),
    );
    Ok((dd, plan_decision))
}

fn vary_unchecked_role(
    profile: &Profile,
    actor: &Actor,
    s: &Plan,
    input: VaryInput,
    ctx: &PlanContext,
    now: Timestamp,
) -> Result<Decision<Plan>, RuleError> {
    // Same rules as vary_plan, but the authority comes from decide_dispute.
    let as_vary = Actor {
        role: profile
            .roles
            .vary_plan
            .first()
            .copied()
            .unwrap_or(actor.role),
        ..actor.clone()
    };
    vary_plan(profile, &as_vary, s, input, ctx, now)
}

/// What staff record about behaviour.
#[derive(Debug, Clone)]
pub struct IncidentInput {
    pub person_id: PersonId,
    pub matter_id: Option<MatterId>,
    pub contact_id: Option<ContactId>,
    pub category: String,
    pub description: String,
    pub occurred_at: Timestamp,
    pub staff_id: StaffId,
    pub ended_call: Option<EndedCall>,
}

/// A new matter for `person`, open from `now`, its title trimmed (the store gives the id
/// and the reference).
///
/// # Errors
/// An empty title.
pub fn open_matter(
    person: PersonId,
    kind: MatterKind,
    title: &str,
    now: Timestamp,
) -> Result<Matter, RuleError> {
    require_text("title", title)?;
    Ok(Matter {
        id: MatterId(0),
        person_id: person,
        reference: String::new(),
        kind,
        title: title.trim().to_string(),
        status: MatterStatus::Open,
        finalised_on: None,
        opened_at: now,
    })
}

/// The matter moved on to `status` (NOR-9.1: records are kept six years from the date a
/// matter is finalised, so that date is part of finalising it): a finalised matter needs
/// the date it was finalised, which cannot be in the future; any other status has none, and
/// a date given with one is refused, not dropped (the wrong status chosen, perhaps).
///
/// # Errors
/// Finalised without its date, or with a date after `today`; a date with another status.
pub fn set_matter_status(
    matter: &Matter,
    status: MatterStatus,
    finalised_on: Option<Date>,
    today: Date,
) -> Result<Matter, RuleError> {
    finalised_date(status, finalised_on)?;
    if let Some(d) = finalised_on {
        check::happened_by("finalised_on", "the date a matter was finalised", d, today)?;
    }
    Ok(Matter {
        status,
        finalised_on,
        ..matter.clone()
    })
}

/// A matter's finalised date goes with its status (NOR-9.1): a finalised matter has one,
/// any other has none. Asked when staff move a matter on and of every imported matter.
///
/// # Errors
/// Finalised with no date, or a date with another status, on `finalised_on`.
pub fn finalised_date(status: MatterStatus, finalised_on: Option<Date>) -> Result<(), RuleError> {
    match (status == MatterStatus::Finalised, finalised_on.is_some()) {
        (true, false) => Err(RuleError::invalid(
            "finalised_on",
            "a finalised matter needs the date it was finalised",
        )),
        (false, true) => Err(RuleError::invalid(
            "finalised_on",
            format!(
                "only a finalised matter has the date it was finalised: leave it out for {}",
                status.as_str().replace('-', " ")
            ),
        )),
        _ => Ok(()),
    }
}

/// Records an incident in one of the profile's categories. An ended call (CLE-4.4, 4.5;
/// NOR-6.1) needs its reason and file note, and raises a follow-up for the line manager;
/// persistence and demands raise a welfare follow-up (CLE-6.5); and where the profile
/// says so every incident is reported to the manager (NOR-6.1).
///
/// The matter and the contact it names (`matter`, `contact`: the records with those ids,
/// `None` where there is none) must be the person's own: an incident is never filed
/// against a record that does not exist or is someone else's.
///
/// # Errors
/// A role refusal; an unknown category; an empty description; an ended call without reason
/// or note; a matter or contact that is not one of the person's (404).
pub fn record_incident(
    profile: &Profile,
    actor: &Actor,
    input: IncidentInput,
    staff: &[Staff],
    matter: Option<&Matter>,
    contact: Option<&Contact>,
    now: Timestamp,
) -> Result<Decision<Incident>, RuleError> {
    let person = input.person_id;
    if let Some(id) = input.matter_id {
        if !matter.is_some_and(|m| m.id == id && m.person_id == person) {
            return Err(not_theirs("matter_id", format!("matter {id}")));
        }
    }
    if let Some(id) = input.contact_id {
        if !contact.is_some_and(|c| c.id == id && c.person_id == Some(person)) {
            return Err(not_theirs("contact_id", format!("contact {id}")));
        }
    }
    incident(profile, actor, input, staff, now)
}

/// A record named on another (`field`) that is not one of the person's: a 404, whichever
/// record and whichever door.
pub fn not_theirs(field: &str, what: impl std::fmt::Display) -> RuleError {
    RuleError::not_found(field, format!("{what} is not one of this person's"))
}

/// [`record_incident`] once its matter and contact are known to be the person's.
fn incident(
    profile: &Profile,
    actor: &Actor,
    input: IncidentInput,
    staff: &[Staff],
    now: Timestamp,
) -> Result<Decision<Incident>, RuleError> {
    let clauses = &profile.clauses;
    let ended = input.ended_call.is_some();
    if ended {
        may(profile, actor, Action::EndCall, Some(&clauses.end_call))?;
    } else {
        may(profile, actor, Action::RecordIncident, None)?;
    }
    let Some(category) = profile.category(&input.category) else {
        let known: Vec<&str> = profile.categories.iter().map(|c| c.id.as_str()).collect();
        return Err(RuleError::invalid(
            "category",
            format!(
                "expected one of {}, got {}",
                known.join(", "),
                crate::error::shown(&input.category)
            ),
        ));
    };
    require_text("description", &input.description)?;
    check::happened("occurred_at", "an incident", input.occurred_at, now)?;
    if let Some(e) = &input.ended_call {
        require_text("ended_call.reason", &e.reason)
            .map_err(|x| x.with_clause(&clauses.end_call))?;
        require_text("ended_call.file_note", &e.file_note)
            .map_err(|x| x.with_clause(&clauses.ended_call_follow_up))?;
    }
    let Some(affected) = staff.iter().find(|s| s.id == input.staff_id) else {
        return Err(RuleError::not_found(
            "staff_id",
            format!("no member of staff {}", input.staff_id),
        ));
    };
    let incident = Incident {
        id: IncidentId(0),
        person_id: input.person_id,
        matter_id: input.matter_id,
        contact_id: input.contact_id,
        category: category.id.clone(),
        description: input.description.clone(),
        occurred_at: input.occurred_at,
        staff_id: input.staff_id,
        recorded_by: actor.id,
        ended_call: input.ended_call.clone(),
    };
    let mut d = Decision::new(incident);
    let (manager, role) = manager_of(staff, input.staff_id);
    let mut ev = AuditEvent::new(
        now,
        actor.id,
        if ended {
            AuditAction::CallEnded
        } else {
            AuditAction::IncidentRecorded
        },
        "incident:new",
    )
    .person(input.person_id)
    .clause(category.clause.clone())
    .reason(input.description.clone())
    .detail("category", &category.id);
    if let Some(e) = &input.ended_call {
        ev = ev
            .detail("ended_reason", &e.reason)
            .detail("file_note", &e.file_note)
            .detail("caller_warned", e.caller_warned);
    }
    d.events.push(ev);
    let task = |kind, title: String, clause: &str| NewTask {
        kind,
        person_id: Some(input.person_id),
        assignee: manager,
        role,
        title,
        due_on: None,
        clause: clause.to_string(),
        subject: None,
    };
    // Each task names the member of staff it is about: a line manager with several open
    // follow-ups tells them apart on their list.
    let who = &affected.name;
    if ended && profile.rules.ended_call_follow_up {
        d.tasks.push(task(
            TaskKind::EndedCallFollowUp,
            format!("A call {who} took was ended: talk to them and advise on next steps"),
            &clauses.ended_call_follow_up,
        ));
    } else if profile.rules.report_every_incident_to_manager {
        d.tasks.push(task(
            TaskKind::ReportToManager,
            format!(
                "Unacceptable behaviour towards {who} reported: {}",
                category.name
            ),
            &clauses.report_to_manager,
        ));
    }
    if category.welfare_follow_up {
        d.tasks.push(task(
            TaskKind::WelfareFollowUp,
            format!("Make sure support is in place for {who}'s welfare"),
            &clauses.welfare_follow_up,
        ));
    }
    Ok(d)
}

/// The incidents a new warning is about unless staff say otherwise (CLE-9.1; NOR-5.2): those
/// that happened after the last warning given, or every one where none was.
pub fn unwarned_incidents<'i>(
    incidents: &'i [Incident],
    warnings: &[Warning],
) -> Vec<&'i Incident> {
    let last = warnings.iter().map(|w| w.given_at).max();
    incidents
        .iter()
        .filter(|i| last.is_none_or(|at| i.occurred_at > at))
        .collect()
}

#[derive(Debug, Clone)]
pub struct WarningInput {
    pub incident_ids: Vec<IncidentId>,
    pub what_is_wrong: String,
    pub how_to_change: String,
    pub consequence: String,
    pub channel: Channel,
    pub given_at: Timestamp,
}

/// Records a warning: what is wrong, how to change, and the consequence (CLE-9.1–9.3; NOR-5.2).
/// One given by letter or email leaves a task to send it in writing
/// ([`TaskKind::WarningLetter`]).
///
/// # Errors
/// A role refusal; any of the three parts missing; incidents that are not the person's.
pub fn give_warning(
    profile: &Profile,
    actor: &Actor,
    person: PersonId,
    input: WarningInput,
    incidents: &[Incident],
    now: Timestamp,
) -> Result<Decision<Warning>, RuleError> {
    let clause = &profile.clauses.warning_first;
    may(profile, actor, Action::IssueWarning, Some(clause))?;
    for (field, v) in [
        ("what_is_wrong", &input.what_is_wrong),
        ("how_to_change", &input.how_to_change),
        ("consequence", &input.consequence),
    ] {
        require_text(field, v).map_err(|e| e.with_clause(clause))?;
    }
    crate::error::given_once("incident_ids", &input.incident_ids, |i| {
        format!("incident {i}")
    })?;
    for i in &input.incident_ids {
        if !incidents
            .iter()
            .any(|x| x.id == *i && x.person_id == person)
        {
            return Err(not_theirs("incident_ids", format!("incident {i}")));
        }
    }
    check::happened("given_at", "a warning", input.given_at, now)?;
    let w = Warning {
        id: WarningId(0),
        person_id: person,
        incident_ids: input.incident_ids,
        what_is_wrong: input.what_is_wrong.clone(),
        how_to_change: input.how_to_change.clone(),
        consequence: input.consequence.clone(),
        channel: input.channel,
        given_at: input.given_at,
        given_by: actor.id,
    };
    let written = matches!(input.channel, Channel::Letter | Channel::Email);
    let mut d = Decision::new(w);
    // Given in writing, it is written and sent from the record: a task to do so, for the
    // one who gave it, closed when the warning letter is written (its subject is the
    // warning's, named when it is stored).
    if written {
        d.tasks.push(NewTask {
            kind: TaskKind::WarningLetter,
            person_id: Some(person),
            assignee: Some(actor.id),
            role: None,
            // What is wrong, quoted, tells two warnings' tasks apart on a list.
            title: format!(
                "Send the warning in writing, {} (\u{201c}{}\u{201d}): what is wrong, how \
                 to change and what follows",
                input.channel.by(),
                crate::error::quoted(input.what_is_wrong.trim(), 60)
            ),
            due_on: None,
            clause: clause.clone(),
            subject: None,
        });
    }
    d.events.push(
        AuditEvent::new(now, actor.id, AuditAction::WarningGiven, "warning:new")
            .person(person)
            .clause(clause.clone())
            .reason(input.what_is_wrong)
            .detail("how_to_change", input.how_to_change)
            .detail("consequence", input.consequence),
    );
    Ok(d)
}

/// Merges two records of the same person (issue 10): `merged`'s numbers, addresses and
/// shared marks join `kept`'s, and `kept` takes `merged`'s postal address, advocate,
/// language and first-contact answer where it has none of its own. Everything else about
/// `merged` moves with it in the same write; `merged` then points to `kept`. One event
/// records who merged which into which, and why. A line manager or above (the profile's
/// `merge_people`).
///
/// # Errors
/// A role refusal; no reason given; a record merged into itself.
pub fn merge_people(
    profile: &Profile,
    actor: &Actor,
    kept: &ServiceUser,
    merged: &ServiceUser,
    reason: &str,
    now: Timestamp,
) -> Result<Decision<ServiceUser>, RuleError> {
    may(profile, actor, Action::MergePeople, None)?;
    crate::error::require_text("reason", reason)?;
    if kept.id == merged.id {
        return Err(RuleError::invalid(
            "merge",
            "a record cannot be merged into itself: choose the other record of this person",
        ));
    }
    let mut next = kept.clone();
    for p in &merged.phones {
        if !next.phones.contains(p) {
            next.phones.push(p.clone());
        }
    }
    for e in &merged.emails {
        if !next.emails.contains(e) {
            next.emails.push(e.clone());
        }
    }
    for s in &merged.shared_identifiers {
        if !next.shared_identifiers.contains(s) {
            next.shared_identifiers.push(s.clone());
        }
    }
    if next.postal_address.is_none() {
        next.postal_address = merged.postal_address.clone();
    }
    if next.advocate.is_none() {
        next.advocate = merged.advocate.clone();
    }
    if next.preferred_language.is_none() {
        next.preferred_language = merged.preferred_language.clone();
    }
    if next.additional_help.is_none() {
        next.additional_help = merged.additional_help.clone();
    }
    let mut d = Decision::new(next);
    d.events.push(
        AuditEvent::new(
            now,
            actor.id,
            AuditAction::PeopleMerged,
            format!("person:{}", kept.id),
        )
        .person(kept.id)
        .reason(reason.trim().to_string())
        .detail("merged", merged.reference.clone())
        .detail("merged_id", merged.id.0)
        .detail("kept", kept.reference.clone()),
    );
    Ok(d)
}

/// Records the answer to "do you need any additional help?" at first contact (CLE-8.1),
/// and what the person said about their health or disability, as they said it (CLE-8.2).
///
/// # Errors
/// A role refusal, or a "needs help" answer with nothing recorded of what they need.
pub fn record_additional_help(
    profile: &Profile,
    actor: &Actor,
    person: &ServiceUser,
    needs_help: bool,
    in_their_words: Option<String>,
    now: Timestamp,
) -> Result<Decision<ServiceUser>, RuleError> {
    may(profile, actor, Action::RecordContact, None)?;
    let words = in_their_words.filter(|w| !w.trim().is_empty());
    if needs_help && words.is_none() {
        return Err(RuleError::invalid(
            "in_their_words",
            "record what help they need, in their own words",
        )
        .with_clause(&profile.clauses.stated_needs));
    }
    let mut next = person.clone();
    next.additional_help = Some(AdditionalHelp {
        asked_at: now,
        asked_by: actor.id,
        needs_help,
        in_their_words: words.clone(),
    });
    let mut d = Decision::new(next);
    let mut ev = AuditEvent::new(
        now,
        actor.id,
        AuditAction::AdditionalHelpAsked,
        format!("person:{}", person.id),
    )
    .person(person.id)
    .clause(profile.clauses.first_contact_help.clone())
    .detail("needs_help", needs_help);
    if words.is_some() {
        ev = ev.detail("stated_in_own_words", "yes");
    }
    d.events.push(ev);
    Ok(d)
}

/// Records a request for a reasonable adjustment (CLE-8; NOR-1.4) and queues it for decision.
///
/// # Errors
/// A role refusal or an empty description.
pub fn request_adjustment(
    profile: &Profile,
    actor: &Actor,
    person: PersonId,
    kind: AdjustmentKind,
    description: &str,
    now: Timestamp,
) -> Result<Decision<Adjustment>, RuleError> {
    may(profile, actor, Action::RecordContact, None)?;
    require_text("description", description)?;
    let a = Adjustment {
        id: AdjustmentId(0),
        person_id: person,
        kind: kind.clone(),
        description: description.to_string(),
        status: AdjustmentStatus::Requested,
        requested_at: now,
        recorded_by: actor.id,
        decided_by: None,
        decided_at: None,
        decision_reason: None,
    };
    let mut d = Decision::new(a);
    d.events.push(
        AuditEvent::new(
            now,
            actor.id,
            AuditAction::AdjustmentRequested,
            "adjustment:new",
        )
        .person(person)
        .clause(profile.clauses.adjustment_decision.clone())
        .detail("kind", kind.as_str())
        .reason(description),
    );
    d.tasks.push(NewTask {
        kind: TaskKind::AdjustmentDecision,
        person_id: Some(person),
        assignee: None,
        role: profile.roles.decide_adjustment.first().copied(),
        title: format!("Decide a reasonable adjustment request: {description}"),
        due_on: None,
        clause: profile.clauses.adjustment_decision.clone(),
        subject: None,
    });
    Ok(d)
}

/// Why `actor` may not decide this adjustment request now, or `None` where they may: not
/// the profile's deciding role (NOR-1.5), or already decided. The decision form asks it
/// before it is shown, and [`decide_adjustment`] first.
pub fn adjustment_refusal(profile: &Profile, actor: &Actor, a: &Adjustment) -> Option<RuleError> {
    let clause = &profile.clauses.adjustment_decision;
    may(profile, actor, Action::DecideAdjustment, Some(clause))
        .err()
        .or_else(|| {
            (a.status != AdjustmentStatus::Requested).then(|| {
                RuleError::conflict(
                    clause,
                    format!("this request was already {}", a.status.as_str()),
                )
                .with_field("adjustment_id")
            })
        })
}

/// Decides an adjustment request, with reasons, by the profile's role (NOR-1.5: the
/// Customer Service Team Manager), and raises the written decision where the profile says.
///
/// # Errors
/// A role refusal; a decided request; no reasons.
pub fn decide_adjustment(
    profile: &Profile,
    actor: &Actor,
    a: &Adjustment,
    grant: bool,
    reasons: &str,
    now: Timestamp,
) -> Result<Decision<Adjustment>, RuleError> {
    let clause = &profile.clauses.adjustment_decision;
    if let Some(refused) = adjustment_refusal(profile, actor, a) {
        return Err(refused);
    }
    require_text("reasons", reasons).map_err(|e| e.with_clause(clause))?;
    let mut next = a.clone();
    next.status = if grant {
        AdjustmentStatus::Granted
    } else {
        AdjustmentStatus::Refused
    };
    next.decided_by = Some(actor.id);
    next.decided_at = Some(now);
    next.decision_reason = Some(reasons.to_string());
    let mut d = Decision::new(next);
    d.events.push(
        AuditEvent::new(
            now,
            actor.id,
            AuditAction::AdjustmentDecided,
            format!("adjustment:{}", a.id),
        )
        .person(a.person_id)
        .clause(clause.clone())
        .reason(reasons)
        .detail("granted", grant),
    );
    if profile
        .adjustments
        .as_ref()
        .is_some_and(|r| r.decision_in_writing)
    {
        d.tasks.push(NewTask {
            kind: TaskKind::AdjustmentLetter,
            person_id: Some(a.person_id),
            assignee: Some(actor.id),
            role: None,
            title: "Send the adjustment decision in writing, with the explanation".into(),
            due_on: None,
            clause: clause.clone(),
            subject: Some(format!("adjustment:{}", a.id)),
        });
    }
    Ok(d)
}

#[derive(Debug, Clone)]
pub struct FurtherActionInput {
    pub kind: FurtherActionKind,
    pub reasons: String,
    pub prior_notice_given: bool,
    pub no_notice_reason: Option<String>,
}

/// Records further action — a police referral, legal advice or legal action — with reasons;
/// where no prior notice is given, why not (CLE-10.1–10.3; NOR-5.8).
///
/// # Errors
/// A role refusal; no reasons; no notice and no reason for that.
pub fn record_further_action(
    profile: &Profile,
    actor: &Actor,
    person: PersonId,
    input: FurtherActionInput,
    now: Timestamp,
) -> Result<Decision<FurtherAction>, RuleError> {
    let clause = &profile.clauses.further_action;
    may(profile, actor, Action::RecordFurtherAction, Some(clause))?;
    require_text("reasons", &input.reasons).map_err(|e| e.with_clause(clause))?;
    let no_notice_reason = input.no_notice_reason.filter(|r| !r.trim().is_empty());
    if !input.prior_notice_given && no_notice_reason.is_none() {
        return Err(RuleError::invalid(
            "no_notice_reason",
            "no prior notice was given: record why",
        )
        .with_clause(clause));
    }
    let fa = FurtherAction {
        id: FurtherActionId(0),
        person_id: person,
        kind: input.kind,
        reasons: input.reasons.clone(),
        prior_notice_given: input.prior_notice_given,
        no_notice_reason,
        decided_by: actor.id,
        decided_at: now,
    };
    let mut d = Decision::new(fa);
    d.events.push(
        AuditEvent::new(
            now,
            actor.id,
            AuditAction::FurtherActionRecorded,
            "further-action:new",
        )
        .person(person)
        .clause(clause.clone())
        .reason(input.reasons)
        .detail("kind", input.kind.as_str())
        .detail("prior_notice", input.prior_notice_given),
    );
    Ok(d)
}

/// A contact as staff or the mail gateway log it.
#[derive(Debug, Clone)]
pub struct ContactInput {
    pub person_id: Option<PersonId>,
    pub matter_id: Option<MatterId>,
    pub channel: Channel,
    pub direction: Direction,
    pub at: Timestamp,
    pub staff_id: Option<StaffId>,
    pub identifier: Option<crate::identity::Identifier>,
    pub via_advocate: bool,
    pub summary: String,
    pub body: String,
    /// The contact makes a complaint (NOR-4.3 decides whether it is opened as one).
    pub is_complaint: bool,
    /// How long a call lasted, where it is known.
    pub duration_seconds: Option<u32>,
}

/// Marks a letter or email as threatening or abusive (CLE-4.6: "an appropriate contact
/// strategy should be created and recorded"): records the incident against that contact,
/// and asks the person's managers to create a strategy.
///
/// # Errors
/// As [`record_incident`]; a contact that is not inbound correspondence, or has no person.
pub fn record_threatening_correspondence(
    profile: &Profile,
    actor: &Actor,
    contact: &Contact,
    category: &str,
    description: &str,
    staff: &[Staff],
    now: Timestamp,
) -> Result<Decision<Incident>, RuleError> {
    let clause = profile.clauses.threatening_correspondence.as_str();
    if contact.direction != Direction::Inbound
        || !matches!(contact.channel, Channel::Email | Channel::Letter)
    {
        return Err(RuleError::invalid(
            "contact_id",
            "only a letter or email received can be marked as threatening correspondence",
        )
        .with_clause(clause));
    }
    let Some(person) = contact.person_id else {
        return Err(crate::correspondence::unmatched(profile));
    };
    // The contact's matter was checked to be the person's when the contact was logged.
    let mut d = incident(
        profile,
        actor,
        IncidentInput {
            person_id: person,
            matter_id: contact.matter_id,
            contact_id: Some(contact.id),
            category: category.to_string(),
            description: description.to_string(),
            occurred_at: contact.at,
            staff_id: actor.id,
            ended_call: None,
        },
        staff,
        now,
    )?;
    d.tasks.push(NewTask {
        kind: TaskKind::PlanNeeded,
        person_id: Some(person),
        assignee: None,
        role: profile.roles.propose_plan.first().copied(),
        title: format!(
            "Threatening or abusive correspondence was received: create a {}",
            profile.terms.plan
        ),
        due_on: Some(crate::check::uk_date(now)),
        clause: clause.to_string(),
        subject: None,
    });
    Ok(d)
}

/// What a reminder after a breach told the person.
#[derive(Debug, Clone)]
pub struct ReminderInput {
    pub channel: Channel,
    /// What happens if they go on breaching it.
    pub consequences: String,
    /// Why the plan was put in place.
    pub reasons: String,
}

/// Whom the reminder after a breach that `task` asks for goes to, where `actor` may send it
/// now (CLE-9.11; NOR-5.8): a role that records contact, a breach-reminder task not yet
/// done, naming its person. [`send_breach_reminder`] asks it first; the API's steps ask it
/// to offer the reminder.
///
/// # Errors
/// A role refusal; a conflict citing the clause for another kind of task, one done, or one
/// naming nobody.
pub fn reminder_for(profile: &Profile, actor: &Actor, task: &Task) -> Result<PersonId, RuleError> {
    let clause = profile.clauses.breach_reminder.as_str();
    may(profile, actor, Action::RecordContact, Some(clause))?;
    if task.task.kind != TaskKind::BreachReminder {
        return Err(RuleError::conflict(
            clause,
            format!("task {} is not a reminder after a breach", task.id),
        ));
    }
    if task.done_at.is_some() {
        return Err(RuleError::conflict(
            clause,
            format!("the reminder for task {} was already sent", task.id),
        ));
    }
    task.task
        .person_id
        .ok_or_else(|| RuleError::conflict(clause, format!("task {} names no person", task.id)))
}

/// Answers a breach with its reminder (CLE-9.11: "a clear reminder … about the
/// consequences of breaching the strategy … [and] the reasons for the strategy"; NOR-5.8).
/// The reminder is kept as an outbound contact on the person's record, about the matter
/// of the contact that broke the plan (`breach`, the contact the task names) where that
/// contact was theirs and about one; Tact's own letters are never restricted. The caller
/// closes the reminder task in the same transaction.
///
/// # Errors
/// A role refusal; a task that is not an open breach reminder about a person; either
/// part of the reminder missing.
pub fn send_breach_reminder(
    profile: &Profile,
    actor: &Actor,
    task: &Task,
    breach: Option<&Contact>,
    input: ReminderInput,
    now: Timestamp,
) -> Result<(Contact, AuditEvent), RuleError> {
    let clause = profile.clauses.breach_reminder.as_str();
    let person = reminder_for(profile, actor, task)?;
    let plan = &profile.terms.plan;
    if input.consequences.trim().is_empty() {
        return Err(RuleError::invalid(
            "consequences",
            format!("say what happens if they go on breaching the {plan}"),
        )
        .with_clause(clause));
    }
    if input.reasons.trim().is_empty() {
        return Err(RuleError::invalid(
            "reasons",
            format!("remind them why the {plan} was put in place"),
        )
        .with_clause(clause));
    }
    let contact = Contact {
        duration_seconds: None,
        id: ContactId(0),
        person_id: Some(person),
        matter_id: breach
            .filter(|c| c.person_id == Some(person))
            .and_then(|c| c.matter_id),
        channel: input.channel,
        direction: Direction::Outbound,
        at: now,
        staff_id: Some(actor.id),
        identifier: None,
        summary: format!("Reminder of the {plan} after a breach"),
        body: format!(
            "What happens if it goes on: {}\n\nWhy the {plan} is in place: {}",
            input.consequences.trim(),
            input.reasons.trim()
        ),
        breach_of: Vec::new(),
        screening: Screening::NotNeeded,
        not_recorded_as_complaint: false,
    };
    let event = AuditEvent::new(
        now,
        actor.id,
        AuditAction::BreachReminderSent,
        format!("task:{}", task.id),
    )
    .person(person)
    .clause(clause.to_string())
    .detail("channel", input.channel.as_str())
    .reason(contact.body.clone());
    Ok((contact, event))
}

/// The longest body a member of staff may log with a contact (an email pasted in, a
/// call's notes). Mail that arrives is kept whole up to the mail reader's own limit.
pub const MAX_CONTACT_BODY_BYTES: usize = 512 * 1024;

/// A contact as it may be logged, at every door: it says what it was about in a line, its
/// body is no longer than [`MAX_CONTACT_BODY_BYTES`], it is not in
/// the future (five minutes' grace for a clock running fast), and its length, if given, is
/// one a call can have ([`check_duration`]).
///
/// # Errors
/// An invalid-input error naming `summary`, `at` or `duration_seconds`.
pub fn check_contact(input: &ContactInput, now: Timestamp) -> Result<(), RuleError> {
    check_duration(input.channel, input.duration_seconds)?;
    require_text("summary", &input.summary)?;
    if input.body.len() > MAX_CONTACT_BODY_BYTES {
        return Err(RuleError::invalid(
            "body",
            "a contact body is at most 512 KiB",
        ));
    }
    check::happened("at", "a contact", input.at, now)?;
    Ok(())
}

/// The longest a call or visit can last, in seconds: a day.
pub const LONGEST_CALL_SECONDS: u32 = 24 * 60 * 60;

/// A call's length, if given, is one a call can have: at most a day
/// ([`LONGEST_CALL_SECONDS`]), and only for a call or a visit (issue 13).
///
/// # Errors
/// A length over a day, or for a letter, email or form.
pub fn check_duration(channel: Channel, duration_seconds: Option<u32>) -> Result<(), RuleError> {
    match duration_seconds {
        None => Ok(()),
        Some(_) if !matches!(channel, Channel::Phone | Channel::Visit) => Err(RuleError::invalid(
            "duration_seconds",
            "only a call or a visit has a length: leave it empty for a letter, email or form",
        )),
        Some(d) if d > LONGEST_CALL_SECONDS => Err(RuleError::invalid(
            "duration_seconds",
            "a call or visit lasts a day at most (86,400 seconds; 1,440 minutes)",
        )),
        Some(_) => Ok(()),
    }
}

/// Judges a contact as it is logged. Nothing is discarded: a contact a restriction forbids
/// is kept as a breach naming the restriction, with a reminder task (CLE-9.11); contact
/// from a person under a plan is queued for screening (CLE-9.10; NOR-5.5); a repeat
/// complaint about a matter a plan closes to them is kept but not opened (NOR-4.3).
pub fn evaluate_contact(
    profile: &Profile,
    view: Option<&PersonView>,
    input: &ContactInput,
    now: Timestamp,
) -> (Verdict, Contact, Vec<NewTask>, Vec<AuditEvent>) {
    let inbound = input.direction == Direction::Inbound;
    let req = CheckRequest {
        identifier: input.identifier.clone(),
        channel: input.channel,
        staff: input.staff_id,
        at: input.at,
        matter: input.matter_id,
        via_advocate: input.via_advocate,
    };
    let verdict = check::check(profile, view, &req);
    // Tact's own letters and calls out are never restricted.
    let breaches = if inbound {
        verdict.breaches()
    } else {
        Vec::new()
    };
    let screening = if inbound && verdict.screening_required {
        Screening::Due
    } else {
        Screening::NotNeeded
    };
    let not_recorded = inbound
        && input.is_complaint
        && view.is_some_and(|v| {
            v.plans
                .iter()
                .filter(|s| check::restricts(profile, s, input.at))
                .any(|s| {
                    s.restrictions.iter().any(|r| match &r.rule {
                        Rule::NoRepeatComplaints { matter_id }
                        | Rule::NoReopening { matter_id, .. } => {
                            input.matter_id.is_none_or(|m| m == *matter_id)
                        }
                        _ => false,
                    })
                })
        });
    let contact = Contact {
        id: ContactId(0),
        person_id: input.person_id,
        matter_id: input.matter_id,
        channel: input.channel,
        direction: input.direction,
        at: input.at,
        staff_id: input.staff_id,
        identifier: input.identifier.as_ref().map(|i| i.key().to_string()),
        summary: input.summary.clone(),
        body: input.body.clone(),
        breach_of: breaches.clone(),
        screening,
        not_recorded_as_complaint: not_recorded,
        duration_seconds: input.duration_seconds,
    };
    let mut tasks = Vec::new();
    let mut events = Vec::new();
    let person = input.person_id;
    if !breaches.is_empty() {
        tasks.push(NewTask {
            kind: TaskKind::BreachReminder,
            person_id: person,
            assignee: None,
            role: Some(Role::LineManager),
            title: format!(
                "Send a reminder: this contact broke the {} ({})",
                profile.terms.plan,
                breaches
                    .iter()
                    .map(|b| {
                        let kind = b.split_once(':').map_or(b.as_str(), |(_, k)| k);
                        crate::profile::RestrictionKind::parse(kind)
                            .ok()
                            .and_then(|k| profile.catalogue(k))
                            .map_or_else(|| kind.to_string(), |e| e.name.to_lowercase())
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            due_on: Some(check::uk_date(now)),
            clause: profile.clauses.breach_reminder.clone(),
            subject: None,
        });
        let mut ev = AuditEvent {
            at: now,
            actor: input.staff_id,
            action: AuditAction::BreachRecorded,
            subject: "contact:new".into(),
            person_id: person,
            reason: None,
            clause: Some(profile.clauses.breach_reminder.clone()),
            detail: Vec::new(),
        };
        ev = ev
            .detail("breach_of", breaches.join(","))
            .detail("channel", input.channel.as_str());
        events.push(ev);
    }
    if screening == Screening::Due {
        // Which contact, on a list of several: how and when it came, and what it was about.
        tasks.push(screening_task(
            profile,
            person,
            format!(
                "Screen their contact of {} {} (\u{201c}{}\u{201d}) for a genuine complaint, new information, a crime or a safeguarding concern",
                check::long_day(contact.at),
                contact.channel.by(),
                crate::error::quoted(contact.summary.trim(), 80)
            ),
            now,
        ));
    }
    (verdict, contact, tasks, events)
}

/// The task to screen contact from a person under a plan (CLE-9.10; NOR-5.5): for the
/// caseworkers, due the profile's `screening_due_days` after it came in. Contact logged by
/// staff and mail matched to a person both ask here.
pub fn screening_task(
    profile: &Profile,
    person: Option<PersonId>,
    title: String,
    now: Timestamp,
) -> NewTask {
    NewTask {
        kind: TaskKind::Screening,
        person_id: person,
        assignee: None,
        role: Some(Role::Caseworker),
        title,
        due_on: check::uk_date(now)
            .checked_add((profile.rules.screening_due_days as i64).days())
            .ok(),
        clause: profile.clauses.screening.clone(),
        subject: None,
    }
}

/// Why this contact cannot be screened now, or `None` where it can (CLE-9.10; NOR-5.5):
/// only a contact waiting for screening is screened, once. The screening form asks it
/// before it is shown, and [`screen_contact`] first (the store still refuses a second
/// screening that races this one).
pub fn screening_refusal(profile: &Profile, contact: &Contact) -> Option<RuleError> {
    let why = match contact.screening {
        Screening::Due => return None,
        Screening::Done => "this contact has already been screened",
        Screening::NotNeeded => "this contact is not waiting for screening",
    };
    Some(RuleError::conflict(&profile.clauses.screening, why).with_field("contact_id"))
}

/// What screening one contact found, and what follows (CLE-9.10; NOR-5.5): the event that
/// records it and the tasks the finding raises — a new complaint is opened as a matter of
/// its own and judged on its merits (CLE-10.4), a possible crime is reported to the police
/// (CLE-10.3), a safeguarding concern is referred (CLE-9.10). Anything but "nothing new"
/// needs a note of what was found.
///
/// # Errors
/// An invalid-input error naming `note` when a finding that raises something has none.
pub fn screen_contact(
    profile: &Profile,
    actor: &Actor,
    contact: &Contact,
    finding: Finding,
    note: &str,
    now: Timestamp,
) -> Result<(AuditEvent, Vec<NewTask>), RuleError> {
    if let Some(refused) = screening_refusal(profile, contact) {
        return Err(refused);
    }
    let clauses = &profile.clauses;
    let note = note.trim();
    if finding != Finding::NothingNew && note.is_empty() {
        return Err(RuleError::invalid(
            "note",
            "Say what the contact raised, in a sentence or two",
        )
        .with_clause(&clauses.screening));
    }
    let subject = format!("contact:{}", contact.id);
    let about = |what: &str| {
        if note.is_empty() {
            what.to_string()
        } else {
            format!("{what}: {note}")
        }
    };
    let task = |kind, role: Option<Role>, title: String, clause: &str| NewTask {
        kind,
        person_id: contact.person_id,
        assignee: None,
        role,
        title,
        due_on: Some(check::uk_date(now)),
        clause: clause.to_string(),
        subject: Some(subject.clone()),
    };
    let tasks = match finding {
        Finding::NothingNew | Finding::NewInformation => Vec::new(),
        Finding::NewComplaint => vec![task(
            TaskKind::OpenMatter,
            Some(Role::Caseworker),
            about("Open the new complaint as a matter of its own and judge it on its merits"),
            &clauses.new_matters,
        )],
        Finding::PossibleCrime => vec![task(
            TaskKind::PoliceReferral,
            profile.roles.record_further_action.first().copied(),
            about("Report the possible crime to the police"),
            &clauses.further_action,
        )],
        Finding::Safeguarding => vec![task(
            TaskKind::SafeguardingReferral,
            Some(Role::LineManager),
            about("Make a safeguarding referral today"),
            &clauses.screening,
        )],
    };
    let mut event = AuditEvent::new(now, actor.id, AuditAction::ContactScreened, subject)
        .clause(clauses.screening.clone())
        .detail("finding", finding.as_str());
    event.person_id = contact.person_id;
    if !note.is_empty() {
        event = event.reason(note);
    }
    Ok((event, tasks))
}

#[cfg(test)]
mod duration_tests {
    use super::*;

    fn input(channel: Channel, d: Option<u32>) -> ContactInput {
        ContactInput {
            person_id: None,
            matter_id: None,
            channel,
            direction: Direction::Inbound,
            at: "2026-12-01T10:00:00Z".parse().unwrap(),
            staff_id: None,
            identifier: None,
            via_advocate: false,
            summary: "s".into(),
            body: String::new(),
            is_complaint: false,
            duration_seconds: d,
        }
    }

    #[test]
    fn issue_13_a_call_has_a_length_of_at_most_a_day_and_a_letter_has_none() {
        assert!(check_duration(Channel::Phone, Some(600)).is_ok());
        assert!(check_duration(Channel::Visit, Some(600)).is_ok());
        assert!(check_duration(Channel::Email, None).is_ok());
        let e = check_duration(Channel::Email, Some(60)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("duration_seconds"));
        assert!(check_duration(Channel::Phone, Some(86_401)).is_err());
    }

    /// Issue 11: what a contact must be to be logged is decided here for every door: a
    /// summary, a time not in the future (five minutes' grace) nor before the records begin
    /// (a mistyped year), and a length it can have.
    #[test]
    fn issue_11_a_contact_says_what_it_was_about_and_is_not_in_the_future() {
        let now = input(Channel::Phone, None).at + jiff::SignedDuration::from_hours(1);
        assert!(check_contact(&input(Channel::Phone, Some(60)), now).is_ok());
        let mut blank = input(Channel::Phone, None);
        blank.summary = "  ".into();
        assert_eq!(
            check_contact(&blank, now).unwrap_err().field.as_deref(),
            Some("summary")
        );
        let mut later = input(Channel::Phone, None);
        later.at = now + jiff::SignedDuration::from_mins(4);
        assert!(check_contact(&later, now).is_ok(), "a clock a little fast");
        later.at = now + jiff::SignedDuration::from_mins(6);
        assert_eq!(
            check_contact(&later, now).unwrap_err().field.as_deref(),
            Some("at")
        );
        let long = input(Channel::Email, Some(60));
        assert_eq!(
            check_contact(&long, now).unwrap_err().field.as_deref(),
            Some("duration_seconds")
        );
        let mut typo = input(Channel::Phone, None);
        typo.at = "1926-12-01T10:00:00Z".parse().unwrap();
        let e = check_contact(&typo, now).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("at"));
        assert_eq!(
            e.message,
            "a contact cannot be before 1 January 2000: check the year"
        );
        typo.at = crate::check::noon(crate::check::RECORDS_BEGIN);
        assert!(check_contact(&typo, now).is_ok(), "the first day is kept");
    }
}
