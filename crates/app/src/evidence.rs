//! The evidence beside a decision on a plan (issue 13; CLE-9.5, 6.3, 7.2; NOR-5.3, 6.2):
//! what a senior manager authorising, reviewing or hearing a dispute about a plan needs in
//! front of them — the incidents, the warnings, every checklist answer with its remedy, the
//! person's contact over time beside the office's usual and the patterns CLE-6.3 names, the
//! reasonable adjustments and what the plan does to each, who proposed it and when, and
//! the letter the person will receive. Gathered here; the counting is core's
//! ([`tact_core::evidence`]).

use crate::{App, Result};
use std::collections::HashMap;
use tact_core::correspondence::PlanLetter;
use tact_core::evidence::{OfficeRates, Support};
use tact_core::ids::*;
use tact_core::model::*;
use tact_core::profile::Answer;
use tact_core::roles::Actor;

/// One checklist question as the decider reads it.
#[derive(Debug, Clone)]
pub struct ChecklistLine {
    pub question: String,
    pub answer: Option<Answer>,
    pub reason: String,
    /// The answer shows an obligation not yet met (CLE-7.3).
    pub shortfall: bool,
    /// The task raised to put it right, and whether it is done.
    pub remedy: Option<(TaskId, String, bool)>,
    /// Why it cannot be put right, where the proposer said so.
    pub cannot_remedy: Option<String>,
}

/// A reasonable adjustment and what the plan does to it.
#[derive(Debug, Clone)]
pub struct AdjustmentLine {
    pub adjustment: Adjustment,
    /// In words: "Not affected", "A restriction would defeat it", "Overridden: …".
    pub effect: String,
    pub defeated: bool,
}

/// Which decision the evidence is for: it chooses the letter shown beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Authorising the plan: the written notice (CLE-9.6; NOR-5.1).
    Authorise,
    /// Reviewing it (CLE-9.12; NOR-8.1): the review outcome letter, as it would read if
    /// the plan is kept, with the decider's reasons still to come.
    Review,
    /// Hearing a dispute about it (CLE-9.6; NOR-7.2): the dispute outcome letter, as it
    /// would read if the plan is kept.
    Dispute,
}

impl Decision {
    /// The letter template the decision leads to.
    #[must_use]
    pub fn letter_kind(self) -> PlanLetter {
        match self {
            Self::Authorise => PlanLetter::PlanNotice,
            Self::Review => PlanLetter::ReviewOutcome,
            Self::Dispute => PlanLetter::DisputeOutcome,
        }
    }
}

/// Stands in the previewed review or dispute letter where the decider's reasons will go.
pub const REASONS_TO_COME: &str = "[The reasons you give for your decision will go here.]";

/// Everything a decision on a plan is made with.
#[derive(Debug, Clone)]
pub struct DecisionEvidence {
    pub plan: Plan,
    pub person: ServiceUser,
    /// Who proposed it and when.
    pub proposed: Option<(String, jiff::Timestamp)>,
    /// The incidents it rests on (or all the person's, when it names none), oldest first,
    /// with their category's name and the member of staff on the receiving end.
    pub incidents: Vec<(Incident, String, String)>,
    /// The warnings given, oldest first, by whom.
    pub warnings: Vec<(Warning, String)>,
    pub checklist: Vec<ChecklistLine>,
    pub support: Support,
    /// Names of the staff the person reached (for `support.staff_reached`).
    pub staff_names: HashMap<StaffId, String>,
    pub matters: Vec<Matter>,
    pub adjustments: Vec<AdjustmentLine>,
    /// The letter the person will receive after the decision, as it would be written now
    /// in their preferred format: subject and text. For a review or dispute, as it reads
    /// if the plan is kept, with [`REASONS_TO_COME`] where the reasons go.
    pub letter: Option<(String, String)>,
}

impl App {
    /// The office's usual inbound contact over the chart's weeks, from everyone but
    /// `except` (the person the decision is about).
    async fn office_rates(&self, except: PersonId) -> Result<OfficeRates> {
        let weeks = tact_core::evidence::WEEKS as i64;
        let since = self
            .now()
            .checked_sub(jiff::SignedDuration::from_hours(24 * 7 * weeks))
            .unwrap_or(self.now());
        let (people, by_channel) = self.store.contact_rates_since(since, except).await?;
        Ok(OfficeRates {
            weeks: u32::try_from(weeks).unwrap_or(13),
            people,
            by_channel,
        })
    }

    /// The evidence for a decision on plan `id` (on the access log: it shows the person's
    /// incidents, contact and adjustments).
    ///
    /// # Errors
    /// No such plan; the store's error.
    pub(crate) async fn decision_evidence(
        &self,
        actor: &Actor,
        id: PlanId,
        decision: Decision,
    ) -> Result<DecisionEvidence> {
        let plan = self.plan(id).await?;
        let person = self.person(plan.person_id).await?;
        let staff = self.store.staff_list().await?;
        let name = |id: StaffId| {
            staff
                .iter()
                .find(|s| s.id == id)
                .map_or_else(|| format!("staff {id}"), |s| s.name.clone())
        };
        let mut incidents: Vec<Incident> = self.store.incidents_of(plan.person_id).await?;
        if !plan.incident_ids.is_empty() {
            incidents.retain(|i| plan.incident_ids.contains(&i.id));
        }
        incidents.sort_by_key(|i| i.occurred_at);
        let category = |id: &str| {
            self.profile
                .categories
                .iter()
                .find(|c| c.id == id)
                .map_or_else(|| id.to_string(), |c| c.name.clone())
        };
        let mut warnings = self.store.warnings_of(plan.person_id).await?;
        warnings.sort_by_key(|w| w.given_at);
        let mut checklist = Vec::new();
        for q in &self.profile.checklist.questions {
            let a = plan.checklist.iter().find(|a| a.question_id == q.id);
            let remedy = match a.and_then(|a| a.remedy_task) {
                Some(t) => self
                    .store
                    .task(t)
                    .await?
                    .map(|t| (t.id, t.task.title.clone(), t.done_at.is_some())),
                None => None,
            };
            checklist.push(ChecklistLine {
                question: q.text.clone(),
                answer: a.map(|a| a.answer),
                reason: a.map(|a| a.reason.clone()).unwrap_or_default(),
                shortfall: a.is_some_and(|a| a.answer == q.shortfall_if),
                remedy,
                cannot_remedy: a.and_then(|a| a.cannot_remedy_reason.clone()),
            });
        }
        let contacts = self.store.contacts_of(plan.person_id, 10_000).await?;
        let matters = self.store.matters_of(plan.person_id).await?;
        let support = tact_core::evidence::support(
            &contacts,
            &matters,
            &self.office_rates(plan.person_id).await?,
            tact_core::check::uk_date(self.now()),
        );
        let staff_names = support
            .staff_reached
            .iter()
            .map(|(id, _)| (*id, name(*id)))
            .collect();
        let adjustments = self
            .store
            .adjustments_of(plan.person_id)
            .await?
            .into_iter()
            .filter(|a| a.status != AdjustmentStatus::Refused)
            .map(|a| {
                let defeated = plan
                    .restrictions
                    .iter()
                    .any(|r| tact_core::workflow::defeats(&r.rule, &a));
                let overridden = plan.overrides.iter().find(|o| o.adjustment_id == a.id);
                let effect = match (a.status, defeated, overridden) {
                    (AdjustmentStatus::Requested, _, _) => {
                        "Requested, not yet decided: the plan cannot take it into account yet"
                            .to_string()
                    }
                    (_, true, Some(o)) => format!(
                        "A restriction would defeat it; overridden by {}: {}",
                        name(o.by),
                        o.reason
                    ),
                    (_, true, None) => {
                        "A restriction would defeat it: change the restriction, or override it with a reason".to_string()
                    }
                    _ => "Not affected: the plan keeps it".to_string(),
                };
                AdjustmentLine {
                    adjustment: a,
                    effect,
                    defeated,
                }
            })
            .collect();
        let kind = decision.letter_kind();
        let letter = if self.profile.letters.templates.contains_key(kind.as_str()) {
            let mut facts = self.plan_facts(&plan).await?;
            // The letter as it would go once decided: bound by this plan as well as those
            // in force (CLE-9.6; NOR-5.6).
            let mut decided = plan.clone();
            if decision == Decision::Authorise {
                decided.status = tact_core::model::PlanStatus::Authorised;
            }
            let mut plans = self.store.plans_of(plan.person_id).await?;
            plans.retain(|p| p.id != plan.id);
            plans.push(decided);
            facts.reach = tact_core::correspondence::Reach::under(
                &self.profile,
                &plans,
                Some(plan.id),
                self.now(),
            );
            let term = &self.profile.terms.plan;
            if decision != Decision::Authorise {
                facts.decision = tact_core::correspondence::kept_words(term, kind);
                facts.decision_reasons = REASONS_TO_COME.into();
            }
            let l = tact_mail::letters::render(&self.profile, kind.as_str(), &facts)?;
            let text = l.text_for(person.preferred_format).to_string();
            Some((l.subject, text))
        } else {
            None
        };
        let what = format!(
            "the evidence for a decision on {} {id}",
            self.profile.terms.plan
        );
        self.record_access(actor, plan.person_id, &what).await?;
        Ok(DecisionEvidence {
            proposed: plan
                .proposed_by
                .zip(plan.proposed_at)
                .map(|(by, at)| (name(by), at)),
            incidents: incidents
                .into_iter()
                .map(|i| {
                    let c = category(&i.category);
                    let s = name(i.staff_id);
                    (i, c, s)
                })
                .collect(),
            warnings: warnings
                .into_iter()
                .map(|w| {
                    let by = name(w.given_by);
                    (w, by)
                })
                .collect(),
            checklist,
            support,
            staff_names,
            matters,
            adjustments,
            letter,
            plan,
            person,
        })
    }
}
