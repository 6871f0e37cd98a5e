//! What the app's integration tests share: a store on SQLite or PostgreSQL, staff, a
//! person with a matter, and a plan in force.
#![allow(dead_code)]

use tact_app::{App, Ctx, PersonInput};
use tact_core::command as cmd;
use tact_core::identity::EmailAddress;
use tact_core::ids::{MatterId, PersonId, PlanId};
use tact_core::model::{MatterKind, Restriction, Rule, Staff};
use tact_core::profile::Channel;
use tact_core::roles::{Actor, Role};
use tact_core::workflow as wf;

pub struct World {
    pub app: App,
    pub cw: Ctx,
    pub person: PersonId,
    pub matter: MatterId,
    pub matter_ref: String,
}

pub fn ctx(s: &Staff) -> Ctx {
    Ctx::new(Actor::from(s.clone()))
}

/// One step on a plan, through the one entry.
pub async fn step(
    app: &App,
    ctx: &Ctx,
    plan: PlanId,
    command: wf::PlanCommand,
) -> tact_app::Result<tact_core::model::Plan> {
    app.execute(ctx, cmd::PlanStepCommand { plan, command })
        .await
}

/// A review that keeps the plan in force, next due in 60 days (CLE-9.12; NOR-7.1).
pub async fn review_and_continue(
    app: &App,
    ctx: &Ctx,
    plan: PlanId,
    reasons: &str,
    recent_conduct: &str,
) -> tact_app::Result<tact_core::model::Plan> {
    let next = tact_core::check::uk_date(app.now()) + jiff::Span::new().days(60);
    let review = wf::ReviewInput {
        decision: wf::ReviewDecision::Continue,
        reasons: reasons.into(),
        recent_conduct: recent_conduct.into(),
        next_review_due: Some(next),
    };
    step(app, ctx, plan, wf::PlanCommand::Review(review)).await
}

/// Jo Bloggs, who writes from jo@example.org.
pub async fn jo(app: &App, ctx: &Ctx) -> tact_core::model::ServiceUser {
    app.execute(
        ctx,
        cmd::CreatePerson {
            input: PersonInput {
                name: "Jo Bloggs".into(),
                emails: vec![EmailAddress::parse("jo@example.org").unwrap()],
                ..Default::default()
            },
        },
    )
    .await
    .unwrap()
}

pub async fn world(url: &str) -> World {
    world_under(url, "cleveland-opcc").await
}

/// The same, under a named built-in profile.
pub async fn world_under(url: &str, profile: &str) -> World {
    let app = tact_app::testing::app(url, profile).await;
    let cw = tact_app::testing::staff(&app, "Cas Worker", Role::Caseworker).await;
    let p = jo(&app, &ctx(&cw)).await;
    let m = app
        .execute(
            &ctx(&cw),
            cmd::OpenMatter {
                person: p.id,
                kind: MatterKind::Complaint,
                title: "Burglary report".into(),
            },
        )
        .await
        .unwrap();
    World {
        cw: ctx(&cw),
        app,
        person: p.id,
        matter: m.id,
        matter_ref: m.reference,
    }
}

impl World {
    /// An adjustment for the world's person (more time to reply), asked for by the caseworker
    /// and granted by `decider`.
    pub async fn adjustment_granted(&self, decider: &Ctx) -> tact_core::model::Adjustment {
        let kind = tact_core::model::AdjustmentKind::parse("extra-time").unwrap();
        let description = "Needs longer to reply".into();
        let asked = cmd::RequestAdjustment {
            person: self.person,
            kind,
            description,
        };
        let a = self.app.execute(&self.cw, asked).await.unwrap();
        let reasons = "A fair request".into();
        let decided = cmd::DecideAdjustment {
            adjustment: a.id,
            grant: true,
            reasons,
        };
        self.app.execute(decider, decided).await.unwrap();
        a
    }

    /// The senior manager who authorised the world's plan ([`World::plan_authorised`]).
    pub async fn senior(&self) -> Staff {
        tact_app::testing::staff_list(&self.app)
            .await
            .into_iter()
            .find(|s| s.role == Role::SeniorManager)
            .expect("a plan made with plan_authorised, which adds its senior manager")
    }

    /// The contact check's verdict now for `caller` on `channel`, as a caseworker asks it.
    pub async fn verdict(
        &self,
        caller: tact_core::identity::Identifier,
        channel: tact_core::profile::Channel,
    ) -> tact_core::check::Verdict {
        let at = self.app.now();
        let (staff, matter, person, caller) = (None, None, None, Some(caller));
        let check = tact_app::query::Check {
            caller,
            channel,
            staff,
            at,
            matter,
            person,
        };
        self.app.query(&self.cw.actor, check).await.unwrap().verdict
    }

    /// A plan in force that limits contact to letters (CLE-9.9): email is a breach.
    pub async fn letters_only(&self) -> PlanId {
        self.plan_with(|_| {
            vec![Restriction {
                rule: Rule::SingleChannel {
                    channel: Channel::Letter,
                },
                reason: "Emails were overwhelming the team".into(),
            }]
        })
        .await
        .0
    }

    /// A plan in force with the restrictions `make` gives, given the line manager's id.
    /// A plan in force for the world's person and matter: authorised by a senior manager
    /// and the person told in writing (until then it restricts nothing, CLE-9.6).
    pub async fn plan_with(
        &self,
        make: impl FnOnce(tact_core::ids::StaffId) -> Vec<Restriction>,
    ) -> (PlanId, tact_core::ids::StaffId) {
        let (id, lm) = self.plan_authorised(make).await;
        let app = &self.app;
        let lm_ctx = ctx(&app.store().staff(lm).await.unwrap().unwrap());
        step(
            app,
            &lm_ctx,
            id,
            wf::PlanCommand::RecordNotice(wf::NoticeInput {
                agreement_sought: true,
                ..wf::NoticeInput::letter(app.now())
            }),
        )
        .await
        .unwrap();
        (id, lm)
    }

    /// A plan authorised by a senior manager, its written notice not yet recorded: active
    /// on Cleveland, waiting for the notice on Northamptonshire.
    pub async fn plan_authorised(
        &self,
        make: impl FnOnce(tact_core::ids::StaffId) -> Vec<Restriction>,
    ) -> (PlanId, tact_core::ids::StaffId) {
        let app = &self.app;
        let lm = tact_app::testing::staff(app, "Lee Manager", Role::LineManager).await;
        let sm = tact_app::testing::staff(app, "Sam Senior", Role::SeniorManager).await;
        app.execute(
            &self.cw,
            cmd::RecordIncident {
                input: wf::IncidentInput {
                    person_id: self.person,
                    matter_id: None,
                    contact_id: None,
                    category: app.profile.categories[0].id.clone(),
                    description: "Forty emails a day".into(),
                    occurred_at: app.now(),
                    staff_id: self.cw.actor.id,
                    ended_call: None,
                },
            },
        )
        .await
        .unwrap();
        app.execute(
            &ctx(&lm),
            cmd::GiveWarning {
                person: self.person,
                input: wf::WarningInput {
                    incident_ids: Vec::new(),
                    what_is_wrong: "a".into(),
                    how_to_change: "b".into(),
                    consequence: "c".into(),
                    channel: Channel::Letter,
                    given_at: app.now(),
                },
            },
        )
        .await
        .unwrap();
        // NOR-5.3: a plan comes after the internal review route is exhausted.
        app.execute(
            &self.cw,
            cmd::SetMatterStatus {
                matter: self.matter,
                status: tact_core::model::MatterStatus::ReviewExhausted,
                finalised_on: None,
            },
        )
        .await
        .unwrap();
        let s = app
            .execute(
                &ctx(&lm),
                cmd::DraftPlan {
                    person: self.person,
                    input: wf::PlanInput {
                        matter_ids: vec![self.matter],
                        incident_ids: Vec::new(),
                        restrictions: make(lm.id),
                        reasons: "r".into(),
                        aims: "a".into(),
                        proportionality: "p".into(),
                        no_warning_reason: None,
                        review_due: tact_core::check::uk_date(app.now())
                            + jiff::Span::new().days(30),
                        ends_on: None,
                    },
                },
            )
            .await
            .unwrap();
        let answers = app
            .profile
            .checklist
            .questions
            .iter()
            .map(|q| wf::AnswerInput::no_shortfall(q, "checked"))
            .collect();
        app.execute(
            &ctx(&lm),
            cmd::AnswerChecklist {
                plan: s.id,
                answers,
            },
        )
        .await
        .unwrap();
        step(app, &ctx(&lm), s.id, wf::PlanCommand::Propose)
            .await
            .unwrap();
        let authorise = wf::AuthoriseInput {
            reason: "ok".into(),
            overrides: Vec::new(),
        };
        step(app, &ctx(&sm), s.id, wf::PlanCommand::Authorise(authorise))
            .await
            .unwrap();
        (s.id, lm.id)
    }
}

/// An email-only plan's restrictions, for `World::plan_with`.
pub fn email_only(_: tact_core::ids::StaffId) -> Vec<Restriction> {
    by_only(Channel::Email, "Email lets us keep a record")
}

/// Contact by letter only (CLE-9.9), as a plan's restrictions.
pub fn letters(_: tact_core::ids::StaffId) -> Vec<Restriction> {
    by_only(Channel::Letter, "Letters let us answer every point")
}

/// One member of staff deals with the person: the line manager who drafts the plan
/// (CLE-9.9), as a plan's restrictions.
pub fn spoc(lm: tact_core::ids::StaffId) -> Vec<Restriction> {
    let rule = Rule::SinglePointOfContact { staff_id: lm };
    vec![Restriction {
        rule,
        reason: "One person to deal with".into(),
    }]
}

fn by_only(channel: Channel, reason: &str) -> Vec<Restriction> {
    let rule = Rule::SingleChannel { channel };
    vec![Restriction {
        rule,
        reason: reason.into(),
    }]
}
