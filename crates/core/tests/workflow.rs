//! The policy rules of the workflow, for both profiles. Each test names its clause.

use jiff::civil::{date, time, Weekday};
use jiff::{Timestamp, ToSpan};
use tact_core::audit::AuditAction;
use tact_core::check::{check, CheckRequest, Outcome, PersonView};
use tact_core::identity::{EmailAddress, Identifier, PhoneNumber};
use tact_core::ids::*;
use tact_core::model::*;
use tact_core::profile::{Answer, Channel, Profile};
use tact_core::roles::{Actor, Role};
use tact_core::workflow::*;
use tact_core::RuleErrorKind;

const CASEWORKER: StaffId = StaffId(1);
const LINE_MANAGER: StaffId = StaffId(2);
const SENIOR: StaffId = StaffId(3);
const SENIOR_2: StaffId = StaffId(4);
const CSM: StaffId = StaffId(5);
const PERSON: PersonId = PersonId(10);

fn now() -> Timestamp {
    "2026-11-20T11:00:00Z".parse().unwrap()
}

struct World {
    p: Profile,
    records: PlanRecords,
}

// The world's records are read and changed as its own fields (`w.incidents`).
impl std::ops::Deref for World {
    type Target = PlanRecords;
    fn deref(&self) -> &PlanRecords {
        &self.records
    }
}

impl std::ops::DerefMut for World {
    fn deref_mut(&mut self) -> &mut PlanRecords {
        &mut self.records
    }
}

fn actor(id: StaffId) -> Actor {
    let role = match id {
        CASEWORKER => Role::Caseworker,
        LINE_MANAGER => Role::LineManager,
        CSM => Role::CustomerServiceManager,
        _ => Role::SeniorManager,
    };
    Actor::staff(id, format!("staff {id}"), role)
}

impl World {
    fn new(profile: &str) -> Self {
        let staff = [CASEWORKER, LINE_MANAGER, SENIOR, SENIOR_2, CSM]
            .into_iter()
            .map(|id| Staff {
                id,
                name: format!("staff {id}"),
                email: None,
                role: actor(id).role,
                line_manager: if id == CASEWORKER {
                    Some(LINE_MANAGER)
                } else {
                    None
                },
                active: true,
                scope: None,
            })
            .collect();
        let matter = Matter {
            id: MatterId(100),
            person_id: PERSON,
            reference: "M-100".into(),
            kind: MatterKind::Complaint,
            title: "Complaint about handling".into(),
            status: MatterStatus::ReviewExhausted,
            finalised_on: None,
            opened_at: now() - (400 * 24).hours(),
        };
        let other = Matter {
            id: MatterId(101),
            reference: "M-101".into(),
            status: MatterStatus::Open,
            title: "New request".into(),
            ..matter.clone()
        };
        Self {
            p: Profile::built_in(profile).unwrap(),
            records: PlanRecords {
                staff,
                matters: vec![matter, other],
                ..PlanRecords::default()
            },
        }
    }

    fn ctx(&self) -> PlanContext<'_> {
        self.records.context()
    }

    /// `input` recorded by the caseworker, naming no matter or contact.
    fn record(&self, input: IncidentInput) -> Result<Decision<Incident>, tact_core::RuleError> {
        record_incident(
            &self.p,
            &actor(CASEWORKER),
            input,
            &self.staff,
            None,
            None,
            now(),
        )
    }

    fn incident(&mut self, category: &str) -> IncidentId {
        let input = IncidentInput {
            person_id: PERSON,
            matter_id: Some(MatterId(100)),
            contact_id: None,
            category: category.into(),
            description: "Called eleven times in one morning demanding the same answer".into(),
            occurred_at: now() - 72.hours(),
            staff_id: CASEWORKER,
            ended_call: None,
        };
        let mut i = record_incident(
            &self.p,
            &actor(CASEWORKER),
            input,
            &self.staff,
            self.records.matters.iter().find(|m| m.id == MatterId(100)),
            None,
            now(),
        )
        .unwrap()
        .record;
        i.id = IncidentId(self.incidents.len() as i64 + 1);
        self.incidents.push(i.clone());
        i.id
    }

    fn warn(&mut self) {
        let input = warning_input();
        let mut w = give_warning(
            &self.p,
            &actor(LINE_MANAGER),
            PERSON,
            input,
            &self.incidents,
            now(),
        )
        .unwrap()
        .record;
        w.id = WarningId(1);
        self.warnings.push(w);
    }

    fn plan_input(&self, restrictions: Vec<Restriction>) -> PlanInput {
        PlanInput {
            matter_ids: vec![MatterId(100)],
            incident_ids: vec![],
            restrictions,
            reasons: "Volume of calls is stopping the team handling other complaints".into(),
            aims: "Keep the person informed while the team can work".into(),
            proportionality: "Calls remain possible weekly; writing is unrestricted".into(),
            no_warning_reason: None,
            review_due: date(2027, 1, 15),
            ends_on: None,
        }
    }

    /// The line manager drafts a plan with these restrictions, as at every door.
    fn try_draft(
        &self,
        restrictions: Vec<Restriction>,
    ) -> Result<Decision<Plan>, tact_core::RuleError> {
        draft_plan(
            &self.p,
            &actor(LINE_MANAGER),
            PERSON,
            self.plan_input(restrictions),
            &self.ctx(),
            now(),
        )
    }

    fn draft(&self, restrictions: Vec<Restriction>) -> Plan {
        let mut s = self.try_draft(restrictions).unwrap().record;
        s.id = PlanId(7);
        s
    }

    fn answer_all(&self, s: &Plan) -> Plan {
        self.answer_all_as(LINE_MANAGER, s)
    }

    fn answer_all_as(&self, who: StaffId, s: &Plan) -> Plan {
        let answers = self
            .p
            .checklist
            .questions
            .iter()
            .map(|q| AnswerInput::no_shortfall(q, "Checked on the file"))
            .collect();
        answer_checklist(&self.p, &actor(who), s, answers, now())
            .unwrap()
            .record
    }

    fn proposed(&mut self, restrictions: Vec<Restriction>) -> Plan {
        if self.incidents.is_empty() {
            self.incident(&self.p.categories[1].id.clone());
        }
        if self.warnings.is_empty() {
            self.warn();
        }
        let s = self.answer_all(&self.draft(restrictions));
        propose(&self.p, &actor(LINE_MANAGER), &s, &self.ctx(), now())
            .unwrap()
            .record
    }

    /// A proposal authorised by a senior manager, as the decision gives it back.
    fn authorise(&self, s: &Plan) -> Decision<Plan> {
        authorise_plan(
            &self.p,
            &actor(SENIOR),
            s,
            AuthoriseInput {
                reason: "Proportionate".into(),
                overrides: vec![],
            },
            &self.ctx(),
            now(),
        )
        .unwrap()
    }

    fn active(&mut self, restrictions: Vec<Restriction>) -> Plan {
        let s = self.proposed(restrictions);
        let s = self.authorise(&s).record;
        // Told in writing on every profile: until then it restricts nothing (CLE-9.6).
        record_notice(&self.p, &actor(LINE_MANAGER), &s, notice(), now())
            .unwrap()
            .record
    }
}

fn notice() -> NoticeInput {
    NoticeInput {
        format: Some(Format::Standard),
        agreement_sought: true,
        agreement_given: Some(false),
        agreement_note: Some("Declined to agree".into()),
        letter_id: None,
        ..NoticeInput::letter(now())
    }
}

fn window_tuesday_morning() -> Restriction {
    Restriction {
        rule: Rule::CallWindow {
            windows: vec![CallWindow::hours(jiff::civil::Weekday::Tuesday, 10, 12)],
            max_minutes: Some(20),
            max_calls_per_window: Some(1),
        },
        reason: "One call a week is enough to keep them informed".into(),
    }
}

/// A warning of all three parts, by letter, given two days ago, citing no incident.
fn warning_input() -> WarningInput {
    WarningInput {
        incident_ids: vec![],
        what_is_wrong: "Repeated calls about a concluded complaint".into(),
        how_to_change: "Write once a week to the named caseworker".into(),
        consequence: "Your contact may be restricted".into(),
        channel: Channel::Letter,
        given_at: now() - 48.hours(),
    }
}

fn email_only() -> Restriction {
    Restriction {
        rule: Rule::SingleChannel {
            channel: Channel::Email,
        },
        reason: "Calls have been abusive".into(),
    }
}

/// Adjustment `id` of the person: a need to use `channel`, granted by the customer service
/// manager.
fn needs(id: i64, channel: Channel, description: &str) -> Adjustment {
    Adjustment {
        id: AdjustmentId(id),
        person_id: PERSON,
        kind: AdjustmentKind::NeedsChannel(channel),
        description: description.into(),
        status: AdjustmentStatus::Granted,
        requested_at: now(),
        recorded_by: CASEWORKER,
        decided_by: Some(CSM),
        decided_at: Some(now()),
        decision_reason: Some("Granted".into()),
    }
}

const BOTH: [&str; 2] = ["cleveland-opcc", "northamptonshire-opfcc"];

/// CLE-9.4, 9.9; NOR-5.5: a plan's restrictions leave a way to make contact. Email only
/// with post only, or two different single points of contact, would refuse everything
/// (each restriction is applied and the strictest answer stands), so drafting refuses
/// them, naming the second; the same channel twice, or one SPOC twice, is no contradiction
/// (only a repeat, refused as one).
#[test]
fn cle_9_4_and_nor_5_5_a_plans_restrictions_leave_a_way_to_make_contact() {
    for name in BOTH {
        let w = World::new(name);
        let only = |channel| Restriction {
            rule: Rule::SingleChannel { channel },
            reason: "r".into(),
        };
        let spoc = |staff_id| Restriction {
            rule: Rule::SinglePointOfContact { staff_id },
            reason: "r".into(),
        };
        let draft = |rules: Vec<Restriction>| w.try_draft(rules);
        let other =
            *w.p.catalogue(tact_core::profile::RestrictionKind::SingleChannel)
                .unwrap()
                .allowed_channels
                .iter()
                .find(|c| **c != Channel::Email)
                .unwrap();
        for (rules, field) in [
            (
                vec![email_only(), window_tuesday_morning(), only(other)],
                "restrictions[2].channel",
            ),
            (
                vec![spoc(LINE_MANAGER), spoc(SENIOR)],
                "restrictions[1].staff_id",
            ),
        ] {
            let e = draft(rules).unwrap_err();
            assert_eq!(
                e.kind,
                tact_core::error::RuleErrorKind::Conflict,
                "{name}: {e:?}"
            );
            assert_eq!(e.field.as_deref(), Some(field), "{name}");
            assert_eq!(
                e.clause.as_deref(),
                Some(w.p.clauses.restriction_catalogue.as_str())
            );
        }
        assert!(
            draft(vec![email_only(), window_tuesday_morning(), spoc(SENIOR)]).is_ok(),
            "{name}"
        );
        // The same channel twice, or one SPOC twice, is no contradiction, only a repeat:
        // refused as one (see `cle_9_8_cle_9_9_and_cle_9_1_…`), not as leaving no way.
        for rules in [
            vec![email_only(), only(Channel::Email)],
            vec![spoc(SENIOR), spoc(SENIOR)],
        ] {
            let e = draft(rules).unwrap_err();
            assert_eq!(e.kind, tact_core::error::RuleErrorKind::Invalid, "{name}");
            assert_eq!(e.field.as_deref(), Some("restrictions[1]"), "{name}");
        }
    }
}

/// CLE-9.9; NOR-5.5: the single point of contact is someone who deals with contact, since
/// every call and email from the person goes to them: never a service account (a phone
/// system's) nor a role that records no contact (an auditor). Refused on the field.
#[test]
fn cle_9_9_and_nor_5_5_a_single_point_of_contact_deals_with_contact() {
    for name in BOTH {
        let mut w = World::new(name);
        let add = |id: i64, role: Role, scope: Option<tact_core::roles::Scope>| Staff {
            id: StaffId(id),
            name: format!("staff {id}"),
            email: None,
            role,
            line_manager: None,
            active: true,
            scope,
        };
        w.records.staff.push(add(90, Role::Auditor, None));
        w.records.staff.push(add(
            91,
            Role::Admin,
            Some(tact_core::roles::Scope::ContactCheck),
        ));
        for (id, why) in [
            (90, "(the auditor role records no contact)"),
            (91, "(a service account)"),
        ] {
            let rules = vec![Restriction {
                rule: Rule::SinglePointOfContact {
                    staff_id: StaffId(id),
                },
                reason: "r".into(),
            }];
            let e = w.try_draft(rules).unwrap_err();
            assert_eq!(
                e.field.as_deref(),
                Some("restrictions[0].staff_id"),
                "{name}: {e:?}"
            );
            assert!(e.message.contains(why), "{name}: {}", e.message);
            let them = w.staff.iter().find(|s| s.id == StaffId(id)).unwrap();
            assert!(!tact_core::roles::may_be_single_point_of_contact(
                &w.p, them
            ));
        }
        let caseworker = w.staff.iter().find(|s| s.id == CASEWORKER).unwrap();
        assert!(tact_core::roles::may_be_single_point_of_contact(
            &w.p, caseworker
        ));
    }
}

#[test]
fn cle_9_4_and_nor_5_4_proposal_without_recorded_incident_is_refused() {
    for name in BOTH {
        let mut w = World::new(name);
        w.warn();
        let s = w.answer_all(&w.draft(vec![email_only()]));
        let err = propose(&w.p, &actor(LINE_MANAGER), &s, &w.ctx(), now()).unwrap_err();
        assert_eq!(
            err.clause.as_deref(),
            Some(w.p.clauses.incident_required.as_str()),
            "{name}"
        );
        assert!(err
            .clause
            .unwrap()
            .starts_with(&w.p.organisation.clause_prefix));
    }
}

#[test]
fn cle_9_3_and_nor_5_2_proposal_before_any_warning_is_refused_for_persistence() {
    for name in BOTH {
        let mut w = World::new(name);
        w.incident(&w.p.categories[1].id.clone());
        let s = w.answer_all(&w.draft(vec![email_only()]));
        let err = propose(&w.p, &actor(LINE_MANAGER), &s, &w.ctx(), now()).unwrap_err();
        assert_eq!(
            err.clause.as_deref(),
            Some(if name.starts_with("cle") {
                "CLE-9.3"
            } else {
                "NOR-5.2"
            })
        );
    }
}

#[test]
fn cle_9_3_and_nor_5_8_abusive_behaviour_may_be_restricted_without_warning_when_the_reason_is_recorded(
) {
    for name in BOTH {
        let mut w = World::new(name);
        w.incident(&w.p.categories[0].id.clone());
        let s = w.answer_all(&w.draft(vec![email_only()]));
        let err = propose(&w.p, &actor(LINE_MANAGER), &s, &w.ctx(), now()).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("no_warning_reason"));
        let mut s2 = s.clone();
        s2.no_warning_reason =
            Some("Threats to kill made to staff; a warning would put staff at risk".into());
        let p = propose(&w.p, &actor(LINE_MANAGER), &s2, &w.ctx(), now()).unwrap();
        assert_eq!(p.record.status, PlanStatus::Proposed);
        // The reason is on the event log with the proposal, citing the warning clause.
        let ev = p
            .events
            .iter()
            .find(|e| e.action == AuditAction::PlanProposed)
            .expect("the proposal's event");
        assert_eq!(
            ev.clause.as_deref(),
            Some(w.p.clauses.warning_first.as_str())
        );
        assert!(
            ev.detail
                .iter()
                .any(|(k, v)| k == "no_warning_reason" && v.starts_with("Threats to kill")),
            "{:?}",
            ev.detail
        );
    }
}

/// Why no warning came first is said only where none did: a reason drafted before a
/// warning is not proposed once one has been given, and a draft written after a warning is
/// refused a reason on its field (else the decision's evidence shows a warning skipped that
/// was given).
#[test]
fn cle_9_3_and_nor_5_8_a_reason_no_warning_was_given_stands_only_where_none_was() {
    for name in BOTH {
        let mut w = World::new(name);
        w.incident(&w.p.categories[0].id.clone());
        let why = "Threats to kill made to staff; a warning would put staff at risk";
        let mut input = w.plan_input(vec![email_only()]);
        input.no_warning_reason = Some(why.into());
        let drafted = |w: &World| {
            draft_plan(
                &w.p,
                &actor(LINE_MANAGER),
                PERSON,
                input.clone(),
                &w.ctx(),
                now(),
            )
        };
        let mut s = drafted(&w).unwrap().record;
        s.id = PlanId(7);
        assert_eq!(s.no_warning_reason.as_deref(), Some(why), "{name}");
        // Warned since it was drafted: proposed without the reason, on the plan and its event.
        w.warn();
        let s = w.answer_all(&s);
        let p = propose(&w.p, &actor(LINE_MANAGER), &s, &w.ctx(), now()).unwrap();
        assert_eq!(p.record.no_warning_reason, None, "{name}");
        let ev = p
            .events
            .iter()
            .find(|e| e.action == AuditAction::PlanProposed)
            .expect("the proposal's event");
        assert!(
            !ev.detail.iter().any(|(k, _)| k == "no_warning_reason"),
            "{name}: {:?}",
            ev.detail
        );
        // Drafted after the warning, the reason is refused on its field, citing the clause.
        let err = drafted(&w).unwrap_err();
        assert_eq!(err.kind, RuleErrorKind::Invalid, "{name}");
        assert_eq!(err.field.as_deref(), Some("no_warning_reason"), "{name}");
        assert_eq!(
            err.clause.as_deref(),
            Some(w.p.clauses.warning_first.as_str()),
            "{name}"
        );
        assert!(
            err.message.contains("they were warned on"),
            "{}",
            err.message
        );
    }
}

#[test]
fn cle_7_2_and_nor_5_3_proposal_with_an_unanswered_question_is_refused() {
    for name in BOTH {
        let mut w = World::new(name);
        w.incident(&w.p.categories[1].id.clone());
        w.warn();
        let s = w.draft(vec![email_only()]);
        let first = &w.p.checklist.questions[0];
        let s = answer_checklist(
            &w.p,
            &actor(LINE_MANAGER),
            &s,
            vec![AnswerInput {
                question_id: first.id.clone(),
                answer: Answer::Yes,
                reason: "Yes, letter of 3 May".into(),
                cannot_remedy_reason: None,
            }],
            now(),
        )
        .unwrap()
        .record;
        let err = propose(&w.p, &actor(LINE_MANAGER), &s, &w.ctx(), now()).unwrap_err();
        assert_eq!(err.clause.as_deref(), Some(w.p.checklist.clause.as_str()));
        assert_eq!(err.field.as_deref(), Some("checklist"));
        // It says how many are left, and names every question still unanswered by its id,
        // to answer them at once, and not the one answered.
        let said = err.message.clone();
        let total = w.p.checklist.questions.len();
        assert!(
            said.contains(&format!("{} of {total} not yet answered (", total - 1)),
            "{name}: {said}"
        );
        let named: Vec<&str> = said
            .rsplit_once('(')
            .and_then(|(_, ids)| ids.split_once(')'))
            .map(|(ids, _)| ids.split(", ").collect())
            .unwrap_or_default();
        let want: Vec<&str> = w.p.checklist.questions[1..]
            .iter()
            .map(|q| q.id.as_str())
            .collect();
        assert_eq!(named, want, "{name}: {said}");
    }
}

#[test]
fn cle_7_2_an_answer_without_a_reason_is_refused() {
    let w = World::new("cleveland-opcc");
    let s = w.draft(vec![email_only()]);
    let err = answer_checklist(
        &w.p,
        &actor(LINE_MANAGER),
        &s,
        vec![AnswerInput {
            question_id: "process-explained".into(),
            answer: Answer::Yes,
            reason: "  ".into(),
            cannot_remedy_reason: None,
        }],
        now(),
    )
    .unwrap_err();
    assert_eq!(err.clause.as_deref(), Some("CLE-7.2"));
    assert_eq!(err.field.as_deref(), Some("answers[0].reason"));
}

#[test]
fn cle_7_3_a_shortfall_raises_a_task_and_blocks_the_proposal_until_it_is_done() {
    let mut w = World::new("cleveland-opcc");
    w.incident("unreasonable-persistence");
    w.warn();
    let s = w.answer_all(&w.draft(vec![email_only()]));
    let d = answer_checklist(
        &w.p,
        &actor(LINE_MANAGER),
        &s,
        vec![AnswerInput {
            question_id: "process-explained".into(),
            answer: Answer::No,
            reason: "Never explained in writing".into(),
            cannot_remedy_reason: None,
        }],
        now(),
    )
    .unwrap();
    assert_eq!(d.tasks.len(), 1);
    assert_eq!(d.tasks[0].kind, TaskKind::RemedyShortfall);
    assert_eq!(d.tasks[0].clause, "CLE-7.3");
    let mut s = d.record;
    link_remedy_task(&mut s, "process-explained", TaskId(55));
    let err = propose(&w.p, &actor(LINE_MANAGER), &s, &w.ctx(), now()).unwrap_err();
    assert_eq!(err.clause.as_deref(), Some("CLE-7.3"));
    w.tasks.push(Task {
        id: TaskId(55),
        task: d.tasks[0].clone(),
        created_at: now(),
        done_at: Some(now()),
        done_by: Some(LINE_MANAGER),
        outcome: Some("Explained by letter".into()),
    });
    assert!(propose(&w.p, &actor(LINE_MANAGER), &s, &w.ctx(), now()).is_ok());
}

/// CLE-7.3; NOR-5.3: a shortfall's task is there to put right what stands in the plan's
/// way. Answered again with no shortfall, or with why it cannot be put right, or the plan
/// withdrawn, the task has nothing left to do: the decision names it to close, with why,
/// so nobody is left "put right before the plan goes forward" for a plan that went forward
/// or never will.
#[test]
fn cle_7_3_and_nor_5_3_a_shortfall_s_task_closes_once_nothing_is_left_to_put_right() {
    for name in BOTH {
        let w = World::new(name);
        let s = w.answer_all(&w.draft(vec![email_only()]));
        let q = w.p.checklist.questions[0].clone();
        let fine = AnswerInput::no_shortfall(&q, "Explained by letter on 3 March");
        let mut short = fine.clone();
        short.answer = match fine.answer {
            Answer::Yes => Answer::No,
            _ => Answer::Yes,
        };
        short.reason = "Never explained in writing".into();
        let answer = |s: &Plan, a: AnswerInput| {
            answer_checklist(&w.p, &actor(LINE_MANAGER), s, vec![a], now()).unwrap()
        };
        let raised = answer(&s, short.clone());
        assert_eq!(raised.tasks.len(), 1, "{name}");
        assert!(raised.moot.is_empty(), "{name}");
        let mut with_task = raised.record;
        link_remedy_task(&mut with_task, &q.id, TaskId(55));
        // The same shortfall again keeps its task, and raises no second one.
        let again = answer(&with_task, short.clone());
        assert!(again.tasks.is_empty() && again.moot.is_empty(), "{name}");
        let task_of = |s: &Plan| {
            s.checklist
                .iter()
                .find(|a| a.question_id == q.id)
                .and_then(|a| a.remedy_task)
        };
        assert_eq!(task_of(&again.record), Some(TaskId(55)), "{name}");
        // Answered with no shortfall: the task is moot.
        let put_right = answer(&with_task, fine.clone());
        assert_eq!(put_right.moot.len(), 1, "{name}");
        assert_eq!(put_right.moot[0].0, TaskId(55), "{name}");
        assert!(
            put_right.moot[0].1.contains("no shortfall"),
            "{name}: {:?}",
            put_right.moot
        );
        assert_eq!(task_of(&put_right.record), None, "{name}");
        // With why it cannot be put right: moot too, and it goes forward without it.
        let mut cannot = short.clone();
        cannot.cannot_remedy_reason = Some("They refuse every referral".into());
        let cannot = answer(&with_task, cannot);
        assert_eq!(cannot.moot.len(), 1, "{name}");
        assert!(
            cannot.moot[0].1.contains("cannot be put right"),
            "{name}: {:?}",
            cannot.moot
        );
        // A draft withdrawn with a shortfall's task open: moot, naming the profile's term.
        let withdrawn = decide_plan(
            &w.p,
            &actor(LINE_MANAGER),
            &with_task,
            PlanCommand::Withdraw {
                reason: "Behaviour stopped".into(),
            },
            &w.ctx(),
            now(),
        )
        .unwrap();
        assert_eq!(withdrawn.moot.len(), 1, "{name}");
        assert_eq!(withdrawn.moot[0].0, TaskId(55), "{name}");
        assert!(
            withdrawn.moot[0].1.contains(&w.p.terms.plan),
            "{name}: {:?}",
            withdrawn.moot
        );
        // A draft withdrawn with no shortfall leaves nothing to close.
        let clean = decide_plan(
            &w.p,
            &actor(LINE_MANAGER),
            &s,
            PlanCommand::Withdraw {
                reason: "Behaviour stopped".into(),
            },
            &w.ctx(),
            now(),
        )
        .unwrap();
        assert!(clean.moot.is_empty(), "{name}");
    }
}

#[test]
fn cle_7_3_a_shortfall_with_the_reason_it_cannot_be_put_right_goes_forward() {
    let mut w = World::new("cleveland-opcc");
    w.incident("unreasonable-persistence");
    w.warn();
    let s = w.answer_all(&w.draft(vec![email_only()]));
    let d = answer_checklist(
        &w.p,
        &actor(LINE_MANAGER),
        &s,
        vec![AnswerInput {
            question_id: "gateway-or-legal-advice".into(),
            answer: Answer::No,
            reason: "Not done".into(),
            cannot_remedy_reason: Some("Person refuses all referrals".into()),
        }],
        now(),
    )
    .unwrap();
    assert!(d.tasks.is_empty());
    assert!(propose(&w.p, &actor(LINE_MANAGER), &d.record, &w.ctx(), now()).is_ok());
}

/// A question answered twice in one call, or a reason it cannot be put right given with an
/// answer that shows no shortfall, is refused on its field: neither is kept to stand in the
/// decision's evidence, and nothing is recorded.
#[test]
fn cle_7_2_and_cle_7_3_each_question_is_answered_once_and_only_a_shortfall_says_why_it_cannot_be_put_right(
) {
    for name in BOTH {
        let w = World::new(name);
        let s = w.draft(vec![email_only()]);
        let q = &w.p.checklist.questions[0];
        let answer = |answers: Vec<AnswerInput>| {
            answer_checklist(&w.p, &actor(LINE_MANAGER), &s, answers, now())
        };
        let mut fine = AnswerInput::no_shortfall(q, "On the file");
        let mut twice = fine.clone();
        twice.reason = "Changed my mind".into();
        let err = answer(vec![fine.clone(), twice]).unwrap_err();
        assert_eq!(err.kind, RuleErrorKind::Invalid, "{name}");
        assert_eq!(
            err.field.as_deref(),
            Some("answers[1].question_id"),
            "{name}"
        );
        assert_eq!(err.clause.as_deref(), Some(w.p.checklist.clause.as_str()));
        assert!(
            err.message.contains("answered twice"),
            "{name}: {}",
            err.message
        );

        fine.cannot_remedy_reason = Some("They refuse every referral".into());
        let err = answer(vec![fine.clone()]).unwrap_err();
        assert_eq!(err.kind, RuleErrorKind::Invalid, "{name}");
        assert_eq!(
            err.field.as_deref(),
            Some("answers[0].cannot_remedy_reason"),
            "{name}"
        );
        assert_eq!(
            err.clause.as_deref(),
            Some(w.p.clauses.checklist_shortfall.as_str())
        );
        assert!(
            err.message.contains("shows no shortfall"),
            "{name}: {}",
            err.message
        );

        // Blank is no reason at all; with the shortfall's own answer it is kept.
        fine.cannot_remedy_reason = Some("  ".into());
        let d = answer(vec![fine.clone()]).unwrap();
        assert_eq!(d.record.checklist[0].cannot_remedy_reason, None, "{name}");
        let short = AnswerInput {
            answer: q.shortfall_if,
            cannot_remedy_reason: Some("They refuse every referral".into()),
            ..fine
        };
        let d = answer(vec![short]).unwrap();
        assert!(d.tasks.is_empty(), "{name}");
        assert_eq!(
            d.record.checklist[0].cannot_remedy_reason.as_deref(),
            Some("They refuse every referral")
        );
    }
}

#[test]
fn cle_9_5_proposal_without_aims_or_proportionality_is_refused() {
    let mut w = World::new("cleveland-opcc");
    let mut s = w.proposed(vec![email_only()]);
    s.status = PlanStatus::Draft;
    s.proportionality = String::new();
    let err = propose(&w.p, &actor(LINE_MANAGER), &s, &w.ctx(), now()).unwrap_err();
    assert_eq!(err.clause.as_deref(), Some("CLE-9.5"));
    assert_eq!(err.field.as_deref(), Some("proportionality"));
}

/// A plan names each matter and incident once and sets each restriction once, and a warning
/// cites each incident once: a repeat adds nothing, but would stand twice on the plan and in
/// the letter that tells them, so it is refused on its place in the list.
#[test]
fn cle_9_8_cle_9_9_and_cle_9_1_a_plan_or_warning_names_each_matter_incident_and_restriction_once() {
    for name in BOTH {
        let mut w = World::new(name);
        let incident = w.incident(&w.p.categories[1].id.clone());
        let try_draft = |input: PlanInput| {
            draft_plan(&w.p, &actor(LINE_MANAGER), PERSON, input, &w.ctx(), now())
        };
        let mut input = w.plan_input(vec![email_only()]);
        input.matter_ids = vec![MatterId(100), MatterId(100)];
        let err = try_draft(input).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("matter_ids[1]"), "{name}");
        assert_eq!(err.message, "matter 100 is given twice", "{name}");
        assert_eq!(
            err.clause.as_deref(),
            Some(w.p.clauses.matter_scope.as_str())
        );
        let mut input = w.plan_input(vec![email_only()]);
        input.incident_ids = vec![incident, incident];
        let err = try_draft(input).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("incident_ids[1]"), "{name}");
        let again = Restriction {
            reason: "And emails are easier to keep".into(),
            ..email_only()
        };
        let err = try_draft(w.plan_input(vec![email_only(), again])).unwrap_err();
        assert_eq!(err.kind, RuleErrorKind::Invalid, "{name}");
        assert_eq!(err.field.as_deref(), Some("restrictions[1]"), "{name}");
        assert!(
            err.message.contains("restriction 2 repeats restriction 1"),
            "{name}: {}",
            err.message
        );
        assert_eq!(
            err.clause.as_deref(),
            Some(w.p.clauses.restriction_catalogue.as_str())
        );
        // Each once, it is drafted.
        let mut input = w.plan_input(vec![email_only()]);
        input.incident_ids = vec![incident];
        assert!(try_draft(input).is_ok(), "{name}");
        let warning = WarningInput {
            incident_ids: vec![incident, incident],
            ..warning_input()
        };
        let err = give_warning(
            &w.p,
            &actor(LINE_MANAGER),
            PERSON,
            warning,
            &w.incidents,
            now(),
        )
        .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("incident_ids[1]"), "{name}");
    }
}

#[test]
fn cle_9_8_strategy_without_matter_is_refused() {
    let w = World::new("cleveland-opcc");
    let mut input = w.plan_input(vec![email_only()]);
    input.matter_ids.clear();
    let err = draft_plan(&w.p, &actor(LINE_MANAGER), PERSON, input, &w.ctx(), now()).unwrap_err();
    assert_eq!(err.clause.as_deref(), Some("CLE-9.8"));
    assert_eq!(err.field.as_deref(), Some("matter_ids"));
}

#[test]
fn cle_9_9_a_restriction_outside_the_catalogue_is_refused() {
    let w = World::new("cleveland-opcc");
    let input = w.plan_input(vec![Restriction {
        rule: Rule::ReadAndFile { acknowledge: false },
        reason: "x".into(),
    }]);
    let err = draft_plan(&w.p, &actor(LINE_MANAGER), PERSON, input, &w.ctx(), now()).unwrap_err();
    assert_eq!(err.clause.as_deref(), Some("CLE-9.9"));
    // Cleveland restricts to email or post only: phone-only is not in its catalogue.
    let input = w.plan_input(vec![Restriction {
        rule: Rule::SingleChannel {
            channel: Channel::Phone,
        },
        reason: "x".into(),
    }]);
    assert_eq!(
        draft_plan(&w.p, &actor(LINE_MANAGER), PERSON, input, &w.ctx(), now())
            .unwrap_err()
            .clause
            .as_deref(),
        Some("CLE-9.9")
    );
}

#[test]
fn cle_9_12_review_date_beyond_three_months_is_refused_and_nor_8_1_allows_a_year() {
    let cle = World::new("cleveland-opcc");
    let mut input = cle.plan_input(vec![email_only()]);
    input.review_due = date(2027, 3, 1);
    let err = draft_plan(
        &cle.p,
        &actor(LINE_MANAGER),
        PERSON,
        input.clone(),
        &cle.ctx(),
        now(),
    )
    .unwrap_err();
    assert_eq!(err.clause.as_deref(), Some("CLE-9.12"));
    assert_eq!(err.field.as_deref(), Some("review_due"));
    let nor = World::new("northamptonshire-opfcc");
    assert!(draft_plan(
        &nor.p,
        &actor(LINE_MANAGER),
        PERSON,
        input.clone(),
        &nor.ctx(),
        now()
    )
    .is_ok());
    input.review_due = date(2027, 12, 1);
    assert_eq!(
        draft_plan(
            &nor.p,
            &actor(LINE_MANAGER),
            PERSON,
            input,
            &nor.ctx(),
            now()
        )
        .unwrap_err()
        .clause
        .as_deref(),
        Some("NOR-8.1")
    );
}

#[test]
fn nor_6_2_authorisation_by_anyone_but_a_senior_manager_is_refused() {
    for name in BOTH {
        let mut w = World::new(name);
        let s = w.proposed(vec![email_only()]);
        for who in [CASEWORKER, LINE_MANAGER, CSM] {
            let err = authorise_plan(
                &w.p,
                &actor(who),
                &s,
                AuthoriseInput {
                    reason: "ok".into(),
                    overrides: vec![],
                },
                &w.ctx(),
                now(),
            )
            .unwrap_err();
            assert_eq!(err.kind, RuleErrorKind::Forbidden, "{name} {who}");
        }
    }
}

#[test]
fn nor_7_1_a_senior_manager_who_answered_the_checklist_and_authorised_took_part_once() {
    for name in ["cleveland-opcc", "northamptonshire-opfcc"] {
        let mut w = World::new(name);
        w.incident(&w.p.categories[1].id.clone());
        w.warn();
        let s = w.answer_all_as(SENIOR, &w.draft(vec![email_only()]));
        let s = propose(&w.p, &actor(LINE_MANAGER), &s, &w.ctx(), now())
            .unwrap()
            .record;
        let authorised = w.authorise(&s).record;
        assert_eq!(authorised.version, s.version + 1, "{name}");
        assert_eq!(
            authorised
                .participants
                .iter()
                .filter(|p| **p == SENIOR)
                .count(),
            1,
            "{name}: {:?}",
            authorised.participants
        );
        assert!(authorised.participants.contains(&LINE_MANAGER), "{name}");
    }
}

#[test]
fn nor_6_2_the_proposer_may_not_authorise_their_own_plan() {
    let mut w = World::new("northamptonshire-opfcc");
    w.incident("unreasonable-behaviour");
    w.warn();
    let mut input = w.plan_input(vec![email_only()]);
    input.review_due = date(2027, 6, 1);
    let s = draft_plan(&w.p, &actor(SENIOR), PERSON, input, &w.ctx(), now())
        .unwrap()
        .record;
    let s = w.answer_all(&s);
    let s = propose(&w.p, &actor(SENIOR), &s, &w.ctx(), now())
        .unwrap()
        .record;
    let err = authorise_plan(
        &w.p,
        &actor(SENIOR),
        &s,
        AuthoriseInput {
            reason: "ok".into(),
            overrides: vec![],
        },
        &w.ctx(),
        now(),
    )
    .unwrap_err();
    assert_eq!(err.clause.as_deref(), Some("NOR-6.2"));
    assert!(authorise_plan(
        &w.p,
        &actor(SENIOR_2),
        &s,
        AuthoriseInput {
            reason: "ok".into(),
            overrides: vec![]
        },
        &w.ctx(),
        now()
    )
    .is_ok());
}

#[test]
fn nor_5_1_a_plan_does_not_restrict_until_written_notice_is_recorded() {
    let mut w = World::new("northamptonshire-opfcc");
    let s = w.proposed(vec![email_only()]);
    let d = w.authorise(&s);
    assert_eq!(d.record.status, PlanStatus::Authorised);
    assert!(!d.record.in_force(now()));
    assert!(d.tasks.iter().any(|t| t.kind == TaskKind::SendNotice));
    let mut n = notice();
    n.policy_enclosed = false;
    let err = record_notice(&w.p, &actor(LINE_MANAGER), &d.record, n, now()).unwrap_err();
    assert_eq!(err.clause.as_deref(), Some("NOR-5.2"));
    let active = record_notice(&w.p, &actor(LINE_MANAGER), &d.record, notice(), now())
        .unwrap()
        .record;
    assert_eq!(active.status, PlanStatus::Active);
    assert!(active.in_force(now()));
}

#[test]
fn cle_9_13_and_nor_5_9_a_notice_in_a_format_they_did_not_ask_for_needs_a_reason() {
    for (name, clause) in [
        ("cleveland-opcc", "CLE-9.13"),
        ("northamptonshire-opfcc", "NOR-5.9"),
    ] {
        let mut w = World::new(name);
        let s = w.proposed(vec![email_only()]);
        let d = w.authorise(&s);
        // The notice recorded for someone who prefers `preferred`.
        let notify = |w: &mut World, preferred: Format, n: NoticeInput| {
            w.records.preferred_format = preferred;
            decide_plan(
                &w.p,
                &actor(LINE_MANAGER),
                &d.record,
                PlanCommand::RecordNotice(n),
                &w.ctx(),
                now(),
            )
        };
        let mut decide = |n: NoticeInput| notify(&mut w, Format::EasyRead, n);
        // Standard print to an Easy Read reader, with no reason: refused, in plain words.
        let err = decide(notice()).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("format_reason"), "{name}");
        assert_eq!(err.clause.as_deref(), Some(clause));
        assert_eq!(
            err.message,
            "Enter why the notice went in standard print when they asked for Easy Read"
        );
        // A blank reason is no reason.
        let mut blank = notice();
        blank.format_reason = Some("   ".into());
        assert!(decide(blank).is_err());
        // With a reason it is recorded, and the reason is on the event log.
        let mut why = notice();
        why.format_reason =
            Some("The Easy Read version was not ready and they asked for it now".into());
        let told = decide(why).unwrap();
        assert_eq!(
            told.record.notice.as_ref().unwrap().format,
            Format::Standard
        );
        assert!(told.events.iter().any(|e| e
            .detail
            .iter()
            .any(|(k, v)| k == "format_reason" && v.contains("not ready"))));
        // In the format they asked for — named or left to the person's own — no reason is needed.
        let mut theirs = notice();
        theirs.format = Some(Format::EasyRead);
        assert!(decide(theirs).is_ok());
        let mut unnamed = notice();
        unnamed.format = None;
        let told = decide(unnamed).unwrap();
        assert_eq!(told.record.notice.unwrap().format, Format::EasyRead);
        // A notice by post is printed: "email" is refused as its format, and someone who
        // prefers email but was written to by post is recorded as sent standard print.
        let mut decide = |n: NoticeInput| notify(&mut w, Format::Email, n);
        let mut posted_email = notice();
        posted_email.format = Some(Format::Email);
        let err = decide(posted_email).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("format"), "{name}");
        let mut posted = notice();
        posted.format = None;
        let told = decide(posted).unwrap();
        assert_eq!(
            told.record.notice.unwrap().format,
            Format::Standard,
            "{name}"
        );
    }
}

#[test]
fn cle_9_6_strategy_takes_effect_on_authorisation_and_notice_records_agreement() {
    let mut w = World::new("cleveland-opcc");
    let s = w.proposed(vec![email_only()]);
    let d = w.authorise(&s);
    assert_eq!(d.record.status, PlanStatus::Active);
    assert!(d
        .tasks
        .iter()
        .any(|t| t.kind == TaskKind::SendNotice && t.clause == "CLE-9.6"));
    assert_eq!(
        d.closes,
        vec![TaskKind::AuthorisePlan],
        "authorising answers the request to authorise"
    );
    let nd = record_notice(&w.p, &actor(LINE_MANAGER), &d.record, notice(), now()).unwrap();
    assert_eq!(nd.closes, vec![TaskKind::SendNotice], "the notice is sent");
    let noticed_plan = nd.record.clone();
    let noticed = nd.record;
    let n = noticed.notice.unwrap();
    assert!(n.agreement_sought);
    assert_eq!(n.agreement_given, Some(false));
    let mut bad = notice();
    bad.channel = Channel::Phone;
    assert!(record_notice(&w.p, &actor(LINE_MANAGER), &d.record, bad, now()).is_err());
    // Told once, a second notice of the same version is refused, saying when they were told.
    let again =
        record_notice(&w.p, &actor(LINE_MANAGER), &noticed_plan, notice(), now()).unwrap_err();
    assert_eq!(again.kind, RuleErrorKind::Conflict);
    assert!(
        again.message.contains("were told of this"),
        "{}",
        again.message
    );
}

#[test]
fn cle_9_6_a_contact_before_the_written_notice_is_not_a_breach_and_staff_are_told_it_is_coming() {
    let mut w = World::new("cleveland-opcc");
    let s = w.proposed(vec![email_only()]);
    let authorised = w.authorise(&s).record;
    // On Cleveland it is in force from authorisation…
    assert!(authorised.in_force(now()));
    let input = phone_call("Called for an update");
    // …but a call before the person is told of it in writing breaks nothing.
    let (verdict, contact, tasks, _) =
        evaluate_contact(&w.p, Some(&view_with(authorised.clone())), &input, now());
    assert!(verdict.allowed(), "{verdict:?}");
    assert!(contact.breach_of.is_empty());
    assert!(!tasks.iter().any(|t| t.kind == TaskKind::BreachReminder));
    assert!(
        verdict
            .must
            .iter()
            .any(|m| m.contains("not yet been told of it in writing") && m.contains("not a breach")),
        "{:?}",
        verdict.must
    );
    assert!(verdict.clauses.iter().any(|c| c == "CLE-9.6"));
    // CLE-9.10: it is read all the same.
    assert!(tasks.iter().any(|t| t.kind == TaskKind::Screening));
    // Once told, the same call is a breach.
    let told = record_notice(&w.p, &actor(LINE_MANAGER), &authorised, notice(), now())
        .unwrap()
        .record;
    let (verdict, contact, tasks, _) =
        evaluate_contact(&w.p, Some(&view_with(told)), &input, now());
    assert!(!verdict.allowed());
    assert_eq!(contact.breach_of, vec![format!("{}:single-channel", s.id)]);
    assert!(tasks.iter().any(|t| t.kind == TaskKind::BreachReminder));
}

#[test]
fn cle_9_12_an_overdue_review_is_escalated_and_nor_8_2_an_unreviewed_plan_lapses() {
    for name in BOTH {
        let mut w = World::new(name);
        let mut s = w.active(vec![email_only()]);
        let noon = |d: jiff::civil::Date| -> String { format!("{d}T12:00:00Z") };
        let due = s.review_due;
        // On its review date it restricts, with nothing said about the review.
        let on_time = check(&w.p, Some(&view_with(s.clone())), &call_at(&noon(due)));
        assert_eq!(on_time.outcome, Outcome::NotAllowed, "{name}");
        assert!(!on_time.must.iter().any(|m| m.contains("due for review")));
        let late = noon(due.tomorrow().unwrap());
        let v = check(&w.p, Some(&view_with(s.clone())), &call_at(&late));
        let said = v.must.join(" ");
        if name == "cleveland-opcc" {
            // CLE-9.12: it stays, and staff are told the review is overdue.
            assert_eq!(v.outcome, Outcome::NotAllowed, "{name}");
            assert!(
                said.contains("was due for review by") && said.contains("It still applies"),
                "{said}"
            );
            assert!(v.clauses.iter().any(|c| c == "CLE-9.12"), "{:?}", v.clauses);
            assert!(!tact_core::check::lapsed(&w.p, &s, late.parse().unwrap()));
        } else {
            // NOR-8.2: without its annual review nothing says it still applies.
            assert!(v.allowed(), "{name}: {v:?}");
            assert!(v.restrictions.is_empty(), "{name}");
            assert!(said.contains("has lapsed"), "{said}");
            assert!(v.clauses.iter().any(|c| c == "NOR-8.2"), "{:?}", v.clauses);
            assert!(tact_core::check::lapsed(&w.p, &s, late.parse().unwrap()));
        }
        // Reviewed (a new review date), it restricts again on both.
        s.review_due = due + 30.days();
        let reviewed = check(&w.p, Some(&view_with(s)), &call_at(&late));
        assert_eq!(reviewed.outcome, Outcome::NotAllowed, "{name}");
        assert!(!reviewed.must.iter().any(|m| m.contains("due for review")));
    }
}

/// CLE-9.6; NOR-5.1, 8.2; CLE-9.14: a plan decided that binds nothing the person does says
/// why, in the words pages give beside "no restrictions": not yet told in writing, lapsed,
/// ended. The contact check and these words agree: a plan binds exactly when the check
/// judges contact against it.
#[test]
fn cle_9_6_and_nor_8_2_a_plan_that_binds_nothing_says_why() {
    use tact_core::check::{binds, not_binding, standing};
    for name in BOTH {
        let mut w = World::new(name);
        let told = w.active(vec![email_only()]);
        let at = told.effective_from.unwrap() + jiff::SignedDuration::from_secs(60);
        assert!(binds(&w.p, &told, at), "{name}");
        assert_eq!(not_binding(&w.p, &told, at), None, "{name}");
        // Not yet told in writing: on Cleveland it is active (CLE-9.6 sets no order) but binds
        // nothing yet, and the contact check agrees; on Northamptonshire it waits (NOR-5.1).
        let proposed = w.proposed(vec![email_only()]);
        let untold = w.authorise(&proposed).record;
        assert!(!binds(&w.p, &untold, at), "{name}");
        let why = not_binding(&w.p, &untold, at).unwrap();
        assert!(
            why.ends_with(&format!(
                "has been decided, but they have not yet been told of it in writing: until they \
                 are, deal with them as usual ({}).",
                w.p.clauses.notice_first
            )),
            "{why}"
        );
        let v = check(
            &w.p,
            Some(&view_with(untold.clone())),
            &call_at(&at.to_string()),
        );
        assert!(v.allowed(), "{name}: the check agrees: {v:?}");
        if name == "cleveland-opcc" {
            assert_eq!(standing(&w.p, &untold, at), "not yet told in writing");
        }
        // Lapsed (NOR-8.2) and ended (CLE-9.14).
        let late: jiff::Timestamp = format!("{}T12:00:00Z", told.review_due.tomorrow().unwrap())
            .parse()
            .unwrap();
        let lapsed = not_binding(&w.p, &told, late);
        if name == "cleveland-opcc" {
            assert_eq!(lapsed, None, "CLE-9.12 keeps it");
        } else {
            let why = lapsed.unwrap();
            assert!(
                why.starts_with("Communication plan ")
                    && why.contains("has lapsed: its review was due on")
                    && why.ends_with("(NOR-8.2)."),
                "{why}"
            );
        }
        let mut ended = told.clone();
        ended.ends_on = Some(told.review_due - 1.days());
        assert!(not_binding(&w.p, &ended, late)
            .unwrap()
            .ends_with("has ended: it restricts nothing now."));
        // A plan not decided says nothing.
        let draft = w.proposed(vec![email_only()]);
        assert_eq!(not_binding(&w.p, &draft, at), None, "{name}");
    }
}

#[test]
fn nor_8_2_and_cle_9_14_a_plan_that_restricts_nothing_is_never_called_in_force() {
    use tact_core::check::standing;
    for name in BOTH {
        let mut w = World::new(name);
        let mut s = w.active(vec![email_only()]);
        let noon =
            |d: jiff::civil::Date| -> jiff::Timestamp { format!("{d}T12:00:00Z").parse().unwrap() };
        assert_eq!(standing(&w.p, &s, noon(s.review_due)), "in force", "{name}");
        // A day past its review: NOR-8.2 lapses it, CLE-9.12 keeps it.
        let late = noon(s.review_due.tomorrow().unwrap());
        let want = if name == "cleveland-opcc" {
            "in force"
        } else {
            "lapsed: review overdue"
        };
        assert_eq!(standing(&w.p, &s, late), want, "{name}");
        // Past its end date it has ended (CLE-9.14), lapsed or not.
        s.ends_on = Some(s.review_due - 1.days());
        assert_eq!(standing(&w.p, &s, late), "ended", "{name}");
        // Before its notice takes effect it is not yet in effect.
        s.ends_on = None;
        let from = s.effective_from.unwrap();
        assert_eq!(
            standing(&w.p, &s, from - jiff::SignedDuration::from_secs(1)),
            "not yet in effect",
            "{name}"
        );
        // Any other plan is its status.
        s.status = tact_core::model::PlanStatus::Lifted;
        assert_eq!(standing(&w.p, &s, from), "lifted", "{name}");
    }
}

#[test]
fn nor_8_2_a_lapsed_plan_is_not_counted_in_force_at_the_end_of_the_quarter() {
    use tact_core::governance::{report, Period};
    for name in BOTH {
        let mut w = World::new(name);
        let s = w.active(vec![email_only()]);
        // The period ends twenty days after the review date, with no review.
        let period = Period {
            from: s.review_due - 10.days(),
            to: s.review_due + 20.days(),
        };
        let r = report(
            &w.p,
            period,
            &[s],
            &std::collections::BTreeMap::new(),
            &[],
            &[],
            &[],
            &[],
        );
        let counted: usize = r.in_force_at_end.values().map(|n| *n as usize).sum();
        let want = if name == "cleveland-opcc" { 1 } else { 0 };
        assert_eq!(counted, want, "{name}");
    }
}

#[test]
fn cle_9_13_and_nor_5_9_a_restriction_that_defeats_an_adjustment_needs_a_senior_override() {
    for name in BOTH {
        let mut w = World::new(name);
        w.adjustments
            .push(needs(9, Channel::Phone, "Cannot write because of dyslexia"));
        let s = w.proposed(vec![email_only()]);
        // A senior manager authorises `s` in world `w`, giving `overrides`.
        let authorise = |w: &World, overrides: Vec<AdjustmentOverride>| {
            let input = AuthoriseInput {
                reason: "ok".into(),
                overrides,
            };
            authorise_plan(&w.p, &actor(SENIOR), &s, input, &w.ctx(), now())
        };
        let err = authorise(&w, vec![]).unwrap_err();
        assert_eq!(
            err.clause.as_deref(),
            Some(w.p.clauses.adjustments_honoured.as_str())
        );
        let over = AdjustmentOverride {
            adjustment_id: AdjustmentId(9),
            by: SENIOR,
            reason: "Advocate will phone on their behalf".into(),
        };
        let ok = authorise(&w, vec![over.clone()]).unwrap();
        assert_eq!(ok.record.overrides.len(), 1);
        // Only the person's granted adjustments are overridden: another id, or one of theirs
        // not granted, is refused naming the override's adjustment.
        let requested = Adjustment {
            id: AdjustmentId(10),
            status: AdjustmentStatus::Requested,
            ..w.adjustments[0].clone()
        };
        w.adjustments.push(requested);
        for other in [77, 10] {
            let another = AdjustmentOverride {
                adjustment_id: AdjustmentId(other),
                ..over.clone()
            };
            let err = authorise(&w, vec![over.clone(), another]).unwrap_err();
            assert_eq!(err.kind, tact_core::RuleErrorKind::NotFound, "{err:?}");
            assert_eq!(err.field.as_deref(), Some("overrides[1].adjustment_id"));
        }
        let empty = AdjustmentOverride {
            reason: " ".into(),
            ..over
        };
        assert!(authorise(&w, vec![empty]).is_err());
    }
}

/// CLE-9.13; NOR-5.9: an override sets aside an adjustment the plan goes against, once. One
/// for an adjustment no restriction goes against, the same one twice in a decision, or a
/// second for one the plan has overridden already, is refused naming the override: each
/// would stand on the plan and in the event log as a weighing that never was.
#[test]
fn cle_9_13_and_nor_5_9_an_override_is_of_an_adjustment_the_plan_goes_against_once() {
    for name in BOTH {
        let mut w = World::new(name);
        let s = w.active(vec![email_only()]);
        // Email only goes against a need to phone (9), not a need to email (11).
        w.adjustments.push(needs(9, Channel::Phone, "Cannot write"));
        w.adjustments
            .push(needs(11, Channel::Email, "Email is easiest"));
        let over = |id: i64| AdjustmentOverride {
            adjustment_id: AdjustmentId(id),
            by: SENIOR,
            reason: "Their advocate phones for them".into(),
        };
        let vary = |s: &Plan, overrides: Vec<AdjustmentOverride>| {
            let v = VaryInput {
                restrictions: s.restrictions.clone(),
                review_due: date(2027, 1, 15),
                ends_on: None,
                reason: "Reviewed with their adjustments".into(),
                overrides,
            };
            vary_plan(&w.p, &actor(SENIOR), s, v, &w.ctx(), now())
        };
        let refused =
            |r: Result<Decision<Plan>, tact_core::RuleError>, kind, field: &str, says: &str| {
                let err = r.unwrap_err();
                assert_eq!(err.kind, kind, "{name}: {err:?}");
                assert_eq!(err.field.as_deref(), Some(field), "{name}: {err:?}");
                assert_eq!(
                    err.clause.as_deref(),
                    Some(w.p.clauses.adjustments_honoured.as_str()),
                    "{name}: {err:?}"
                );
                assert!(err.message.contains(says), "{name}: {err:?}");
            };
        // The one it goes against, with nothing else: taken, once.
        let d = vary(&s, vec![over(9)]).unwrap();
        assert_eq!(d.record.overrides.len(), 1, "{name}");
        // One it does not go against: refused, even beside the one it does.
        refused(
            vary(&s, vec![over(9), over(11)]),
            RuleErrorKind::Invalid,
            "overrides[1].adjustment_id",
            "no restriction goes against",
        );
        // The same one twice in one decision.
        refused(
            vary(&s, vec![over(9), over(9)]),
            RuleErrorKind::Invalid,
            "overrides[1].adjustment_id",
            "overridden twice",
        );
        // One the plan has overridden already: its reason stands, and the change needs none.
        let mut overridden = s.clone();
        overridden.overrides = vec![over(9)];
        refused(
            vary(&overridden, vec![over(9)]),
            RuleErrorKind::Conflict,
            "overrides[0].adjustment_id",
            "already overridden",
        );
        assert!(vary(&overridden, vec![]).is_ok(), "{name}");
    }
}

#[test]
fn cle_9_13_and_nor_5_9_a_change_may_go_against_only_granted_adjustments_not_yet_overridden() {
    use tact_core::workflow::{not_overridden, unresolved_conflicts};
    let adjustment = |id: i64, status: AdjustmentStatus| Adjustment {
        status,
        ..needs(id, Channel::Phone, &format!("Adjustment {id}"))
    };
    let all = vec![
        adjustment(1, AdjustmentStatus::Granted),
        adjustment(2, AdjustmentStatus::Granted),
        adjustment(3, AdjustmentStatus::Refused),
        adjustment(4, AdjustmentStatus::Requested),
    ];
    let overrides = vec![AdjustmentOverride {
        adjustment_id: AdjustmentId(1),
        by: SENIOR,
        reason: "Advocate will phone".into(),
    }];
    let ids = |v: Vec<&Adjustment>| v.iter().map(|a| a.id.0).collect::<Vec<_>>();
    // Only the granted one with no override is still to be asked about.
    assert_eq!(ids(not_overridden(&all, &overrides)), vec![2]);
    assert_eq!(ids(not_overridden(&all, &[])), vec![1, 2]);
    // Of those, an email-only plan defeats both phone adjustments: only 2 is unresolved.
    let rules = vec![email_only()];
    assert_eq!(ids(unresolved_conflicts(&rules, &all, &overrides)), vec![2]);
}

#[test]
fn nor_5_3_restriction_needs_the_internal_review_route_exhausted() {
    let mut w = World::new("northamptonshire-opfcc");
    w.matters[0].status = MatterStatus::Open;
    w.incident("unreasonable-behaviour");
    w.warn();
    let s = w.answer_all(&w.draft(vec![email_only()]));
    let err = propose(&w.p, &actor(LINE_MANAGER), &s, &w.ctx(), now()).unwrap_err();
    assert_eq!(err.clause.as_deref(), Some("NOR-5.3"));
    // Which of its matters stand in the way, for a page to link where each is put right;
    // none once it is exhausted (or finalised).
    let open: Vec<_> = review_route_open(&w.p, &s, &w.matters)
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(open, vec![w.matters[0].id]);
    w.matters[0].status = MatterStatus::Finalised;
    assert!(review_route_open(&w.p, &s, &w.matters).is_empty());
    // Cleveland's policy has no such precondition.
    let mut c = World::new("cleveland-opcc");
    c.matters[0].status = MatterStatus::Open;
    let d = c.answer_all(&c.draft(vec![email_only()]));
    assert!(review_route_open(&c.p, &d, &c.matters).is_empty());
    assert_eq!(c.proposed(vec![email_only()]).status, PlanStatus::Proposed);
}

#[test]
fn nor_4_3_repeat_complaints_about_a_closed_matter_are_kept_but_not_opened() {
    let mut w = World::new("northamptonshire-opfcc");
    let s = w.active(vec![Restriction {
        rule: Rule::NoRepeatComplaints {
            matter_id: MatterId(100),
        },
        reason: "Review exhausted".into(),
    }]);
    let view = PersonView {
        id: Some(PERSON),
        plans: vec![s],
        ..Default::default()
    };
    let input = ContactInput {
        duration_seconds: None,
        person_id: Some(PERSON),
        matter_id: Some(MatterId(100)),
        channel: Channel::Email,
        direction: Direction::Inbound,
        at: now(),
        staff_id: None,
        identifier: None,
        via_advocate: false,
        summary: "Same complaint again".into(),
        body: "I complain again about the same thing".into(),
        is_complaint: true,
    };
    let (_, contact, tasks, _) = evaluate_contact(&w.p, Some(&view), &input, now());
    assert!(contact.not_recorded_as_complaint);
    assert_eq!(
        contact.body, input.body,
        "nothing the person sends is discarded"
    );
    assert!(tasks.iter().any(|t| t.kind == TaskKind::Screening));
}

#[test]
fn nor_4_3_repeat_complaints_need_the_review_exhausted() {
    let mut w = World::new("northamptonshire-opfcc");
    w.matters[1].status = MatterStatus::Concluded;
    let input = w.plan_input(vec![Restriction {
        rule: Rule::NoRepeatComplaints {
            matter_id: MatterId(101),
        },
        reason: "x".into(),
    }]);
    let err = draft_plan(&w.p, &actor(LINE_MANAGER), PERSON, input, &w.ctx(), now()).unwrap_err();
    assert_eq!(err.clause.as_deref(), Some("NOR-4.3"));
}

#[test]
fn cle_9_9_no_reopening_records_all_three_grounds() {
    let w = World::new("cleveland-opcc");
    let grounds = NoReopeningGrounds {
        same_matter: true,
        no_new_substantive_evidence: false,
        properly_handled: true,
        note: "Same facts".into(),
    };
    let input = w.plan_input(vec![Restriction {
        rule: Rule::NoReopening {
            matter_id: MatterId(100),
            grounds: grounds.clone(),
        },
        reason: "x".into(),
    }]);
    let err = draft_plan(&w.p, &actor(LINE_MANAGER), PERSON, input, &w.ctx(), now()).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("restrictions[0].grounds"));
    let ok = NoReopeningGrounds {
        no_new_substantive_evidence: true,
        ..grounds
    };
    let input = w.plan_input(vec![Restriction {
        rule: Rule::NoReopening {
            matter_id: MatterId(100),
            grounds: ok.clone(),
        },
        reason: "x".into(),
    }]);
    assert!(draft_plan(&w.p, &actor(LINE_MANAGER), PERSON, input, &w.ctx(), now()).is_ok());
    // An open matter cannot be "closed to reopening".
    let input = w.plan_input(vec![Restriction {
        rule: Rule::NoReopening {
            matter_id: MatterId(101),
            grounds: ok,
        },
        reason: "x".into(),
    }]);
    assert!(draft_plan(&w.p, &actor(LINE_MANAGER), PERSON, input, &w.ctx(), now()).is_err());
}

#[test]
fn lifecycle_steps_out_of_order_are_refused() {
    let mut w = World::new("cleveland-opcc");
    let draft = w.draft(vec![email_only()]);
    let err = authorise_plan(
        &w.p,
        &actor(SENIOR),
        &draft,
        AuthoriseInput {
            reason: "ok".into(),
            overrides: vec![],
        },
        &w.ctx(),
        now(),
    )
    .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("status"));
    assert!(record_notice(&w.p, &actor(LINE_MANAGER), &draft, notice(), now()).is_err());
    let active = w.active(vec![email_only()]);
    assert!(propose(&w.p, &actor(LINE_MANAGER), &active, &w.ctx(), now()).is_err());
    let lifted = lift_plan(&w.p, &actor(SENIOR), &active, "Behaviour improved", now())
        .unwrap()
        .record;
    assert!(lift_plan(&w.p, &actor(SENIOR), &lifted, "again", now()).is_err());
    assert!(!lifted.in_force(now()));
}

#[test]
fn a_plan_past_its_end_date_no_longer_restricts() {
    let mut w = World::new("cleveland-opcc");
    let mut s = w.active(vec![email_only()]);
    s.ends_on = Some(date(2026, 12, 31));
    assert!(s.in_force("2026-12-31T23:30:00Z".parse().unwrap()));
    assert!(!s.in_force("2027-01-01T00:30:00Z".parse().unwrap()));
}

#[test]
fn cle_9_12_review_continues_only_to_a_date_within_the_limit_and_can_lift() {
    let mut w = World::new("cleveland-opcc");
    let s = w.active(vec![email_only()]);
    let input = ReviewInput {
        decision: ReviewDecision::Continue,
        reasons: "Still calling daily".into(),
        recent_conduct: "Ten calls last week".into(),
        next_review_due: Some(date(2027, 6, 1)),
    };
    let err = review_plan(&w.p, &actor(SENIOR), &s, input.clone(), now()).unwrap_err();
    assert_eq!(err.clause.as_deref(), Some("CLE-9.12"));
    assert_eq!(
        err.field.as_deref(),
        Some("next_review_due"),
        "the error names the field the review was sent with"
    );
    let ok = ReviewInput {
        next_review_due: Some(date(2027, 2, 1)),
        ..input.clone()
    };
    assert_eq!(
        review_plan(&w.p, &actor(SENIOR), &s, ok, now())
            .unwrap()
            .record
            .review_due,
        date(2027, 2, 1)
    );
    // Lifted with a next review date (the wrong choice made, or a date left in): refused on
    // the date, not dropped.
    let dated = ReviewInput {
        decision: ReviewDecision::Lift,
        ..input.clone()
    };
    let err = review_plan(&w.p, &actor(SENIOR), &s, dated, now()).unwrap_err();
    assert_eq!(
        (err.kind, err.field.as_deref(), err.clause.as_deref()),
        (
            RuleErrorKind::Invalid,
            Some("next_review_due"),
            Some("CLE-9.12")
        )
    );
    let lift = ReviewInput {
        decision: ReviewDecision::Lift,
        next_review_due: None,
        ..input
    };
    let d = review_plan(&w.p, &actor(SENIOR), &s, lift, now()).unwrap();
    assert_eq!(d.record.status, PlanStatus::Lifted);
    assert!(
        d.tasks.iter().any(|t| t.clause == "CLE-9.14"),
        "the person is told of the change"
    );
}

/// NOR-5.7, 8.2: a review that keeps a Northamptonshire plan raises a task to tell the person
/// it still applies; on Cleveland (CLE-9.14: told of changes) a review that keeps the plan
/// as it is raises none.
#[test]
fn nor_8_2_a_review_that_keeps_the_plan_tells_them_and_cle_9_14_tells_only_of_a_change() {
    let keep = |due| ReviewInput {
        decision: ReviewDecision::Continue,
        reasons: "Still calling daily".into(),
        recent_conduct: "Ten calls last week".into(),
        next_review_due: Some(due),
    };
    let mut nor = World::new("northamptonshire-opfcc");
    let s = nor.active(vec![email_only()]);
    let d = review_plan(&nor.p, &actor(SENIOR), &s, keep(date(2027, 6, 1)), now()).unwrap();
    let told: Vec<_> = d
        .tasks
        .iter()
        .filter(|t| t.kind == TaskKind::SendNotice)
        .collect();
    assert_eq!(told.len(), 1, "one task to tell them: {:?}", d.tasks);
    assert_eq!(told[0].clause, "NOR-8.2");
    assert_eq!(
        told[0].assignee,
        Some(SENIOR),
        "whoever reviewed it tells them"
    );
    assert_eq!(told[0].subject.as_deref(), Some(s.id.subject().as_str()));
    assert!(
        told[0]
            .title
            .contains("communication plan was reviewed and still applies"),
        "{}",
        told[0].title
    );

    let mut cle = World::new("cleveland-opcc");
    let s = cle.active(vec![email_only()]);
    let d = review_plan(&cle.p, &actor(SENIOR), &s, keep(date(2027, 2, 1)), now()).unwrap();
    assert!(
        d.tasks.iter().all(|t| t.kind != TaskKind::SendNotice),
        "nothing changed, so nothing to tell: {:?}",
        d.tasks
    );
}

#[test]
fn nor_5_1_a_variation_waits_for_its_notice_and_cle_9_14_applies_at_once() {
    let mut nor = World::new("northamptonshire-opfcc");
    let s = nor.active(vec![email_only()]);
    let v = VaryInput {
        restrictions: vec![window_tuesday_morning()],
        review_due: date(2027, 6, 1),
        ends_on: None,
        reason: "Calls now calmer".into(),
        overrides: vec![],
    };
    let varied = vary_plan(&nor.p, &actor(SENIOR), &s, v.clone(), &nor.ctx(), now())
        .unwrap()
        .record;
    assert_eq!(
        varied.restrictions, s.restrictions,
        "old restrictions stay until notice"
    );
    let noticed = record_notice(&nor.p, &actor(LINE_MANAGER), &varied, notice(), now())
        .unwrap()
        .record;
    assert_eq!(noticed.restrictions, v.restrictions);
    assert_eq!(noticed.plan_version, 2);

    let mut cle = World::new("cleveland-opcc");
    let s = cle.active(vec![email_only()]);
    let v = VaryInput {
        review_due: date(2027, 1, 30),
        ..v
    };
    let d = vary_plan(&cle.p, &actor(SENIOR), &s, v.clone(), &cle.ctx(), now()).unwrap();
    assert_eq!(d.record.restrictions, v.restrictions);
    assert!(d.tasks.iter().any(|t| t.clause == "CLE-9.14"));
}

#[test]
fn cle_9_14_and_nor_5_7_a_plan_is_ended_by_lifting_never_by_an_end_date_already_past() {
    for profile in ["cleveland-opcc", "northamptonshire-opfcc"] {
        let mut w = World::new(profile);
        // Drafted ending today (2026-11-20): refused, naming the field.
        let mut input = w.plan_input(vec![email_only()]);
        input.ends_on = Some(date(2026, 11, 20));
        let err =
            draft_plan(&w.p, &actor(LINE_MANAGER), PERSON, input, &w.ctx(), now()).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("ends_on"), "{profile}: {err:?}");
        // Varied to have ended yesterday: refused, and nothing changes (the variation
        // would otherwise stop the plan restricting at once, with no decision to lift it
        // and nobody told).
        let s = w.active(vec![email_only()]);
        let v = VaryInput {
            restrictions: s.restrictions.clone(),
            review_due: date(2027, 1, 15),
            ends_on: Some(date(2026, 11, 19)),
            reason: "Shorter".into(),
            overrides: vec![],
        };
        let err = vary_plan(&w.p, &actor(SENIOR), &s, v.clone(), &w.ctx(), now()).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("ends_on"), "{profile}: {err:?}");
        // A date still to come is a variation like any other.
        let later = VaryInput {
            ends_on: Some(date(2026, 12, 31)),
            ..v
        };
        let d = vary_plan(&w.p, &actor(SENIOR), &s, later, &w.ctx(), now()).unwrap();
        assert!(d.record.in_force(now()), "{profile}");
    }
}

/// NOR-7.1 (a local rule under Cleveland): who in post may decide a dispute is whoever holds
/// a deciding role, is active and took no part in the plan. Where every holder took part
/// (one senior manager, who authorised it) or the only other one has left, nobody may: the
/// list is empty, and the plan page says so.
#[test]
fn nor_7_1_who_in_post_may_decide_a_dispute_and_when_nobody_may() {
    for name in BOTH {
        let mut w = World::new(name);
        let s = w.active(vec![email_only()]);
        assert!(
            s.participants.contains(&SENIOR),
            "{name}: {:?}",
            s.participants
        );
        let d = raise_dispute(&w.p, &actor(CASEWORKER), &s, "Never warned", now(), now())
            .unwrap()
            .record;
        let ids = |staff: &[Staff]| -> Vec<StaffId> {
            dispute_deciders(&w.p, &d, &s, staff)
                .iter()
                .map(|st| st.id)
                .collect()
        };
        let everyone = ids(&w.staff);
        assert!(everyone.contains(&SENIOR_2), "{name}: {everyone:?}");
        assert!(!everyone.contains(&SENIOR), "{name}: took part");
        assert!(!everyone.contains(&LINE_MANAGER), "{name}: not the role");
        // The other senior manager gone, and (on Northamptonshire) the customer service
        // team manager too: nobody in post may.
        let mut left = w.staff.clone();
        for st in &mut left {
            if st.id == SENIOR_2 || st.id == CSM {
                st.active = false;
            }
        }
        assert_eq!(ids(&left), Vec::<StaffId>::new(), "{name}");
    }
}

#[test]
fn nor_7_1_a_dispute_is_decided_only_by_someone_who_took_no_part_and_they_are_told() {
    let mut w = World::new("northamptonshire-opfcc");
    let s = w.active(vec![email_only()]);
    let mut d = raise_dispute(
        &w.p,
        &actor(CASEWORKER),
        &s,
        "I was never warned",
        now(),
        now(),
    )
    .unwrap()
    .record;
    d.id = DisputeId(1);
    // `by` decides `dispute` about `s`: `outcome`, for `reasons`, with `variation`.
    let decide = |by: StaffId,
                  dispute: &Dispute,
                  outcome: DisputeOutcome,
                  reasons: &str,
                  variation: Option<VaryInput>| {
        let decision = DisputeDecision {
            outcome,
            reasons: reasons.into(),
            variation,
        };
        decide_dispute(&w.p, &actor(by), dispute, &s, decision, &w.ctx(), now())
    };
    // The authorising senior manager took part.
    let err = decide(SENIOR, &d, DisputeOutcome::Upheld, "Fair", None).unwrap_err();
    assert_eq!(err.clause.as_deref(), Some("NOR-7.1"));
    // A change given with an outcome other than varied would be dropped while the decider
    // took the plan for changed: refused on it.
    let change = VaryInput {
        restrictions: vec![window_tuesday_morning()],
        review_due: date(2027, 1, 15),
        ends_on: None,
        reason: "Calls at a set time instead".into(),
        overrides: vec![],
    };
    for outcome in [DisputeOutcome::Upheld, DisputeOutcome::Lifted] {
        let err = decide(CSM, &d, outcome, "Fair", Some(change.clone())).unwrap_err();
        assert_eq!(
            (err.kind, err.field.as_deref(), err.clause.as_deref()),
            (RuleErrorKind::Invalid, Some("variation"), Some("NOR-7.1")),
            "{outcome:?}"
        );
    }
    // NOR-7.1, 5.7: a dispute decided for the plan as it stands is still answered in
    // writing.
    let (_, kept) = decide(
        CSM,
        &d,
        DisputeOutcome::Upheld,
        "The warning was given and the plan is fair",
        None,
    )
    .unwrap();
    assert_eq!(kept.record.status, PlanStatus::Active);
    let told: Vec<_> = kept
        .tasks
        .iter()
        .filter(|t| t.kind == TaskKind::SendNotice)
        .collect();
    assert_eq!(told.len(), 1, "{:?}", kept.tasks);
    assert_eq!(
        (
            told[0].clause.as_str(),
            told[0].title.as_str(),
            told[0].assignee
        ),
        (
            "NOR-7.1",
            "Tell the person in writing the outcome of their dispute: their communication plan \
             stays as it is, and why",
            Some(CSM)
        )
    );
    let err = decide(CSM, &d, DisputeOutcome::Lifted, " ", None).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("reasons"));
    let (dd, plan) = decide(
        CSM,
        &d,
        DisputeOutcome::Lifted,
        "Warning was not given in writing",
        None,
    )
    .unwrap();
    assert_eq!(dd.record.outcome, Some(DisputeOutcome::Lifted));
    assert_eq!(plan.record.status, PlanStatus::Lifted);
    // NOR-5.7: the task to tell them says what changed: the plan is lifted.
    assert!(
        plan.tasks.iter().any(|t| t.kind == TaskKind::SendNotice
            && t.clause == "NOR-5.7"
            && t.title == "Tell the person in writing that their communication plan is lifted"),
        "{:?}",
        plan.tasks
    );
    let err = decide(CSM, &dd.record, DisputeOutcome::Upheld, "again", None).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("dispute_id"));
}

#[test]
fn cle_10_3_and_nor_5_8_further_action_without_notice_records_why() {
    for name in BOTH {
        let w = World::new(name);
        let input = FurtherActionInput {
            kind: FurtherActionKind::PoliceReferral,
            reasons: "Threat to a member of staff's family".into(),
            prior_notice_given: false,
            no_notice_reason: None,
        };
        let err =
            record_further_action(&w.p, &actor(SENIOR), PERSON, input.clone(), now()).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("no_notice_reason"));
        assert_eq!(
            err.clause.as_deref(),
            Some(w.p.clauses.further_action.as_str())
        );
        let ok = FurtherActionInput {
            no_notice_reason: Some("Notice would increase the risk".into()),
            ..input
        };
        assert!(record_further_action(&w.p, &actor(SENIOR), PERSON, ok, now()).is_ok());
    }
}

#[test]
fn nor_1_5_adjustments_are_decided_by_the_customer_service_team_manager_with_reasons_in_writing() {
    let w = World::new("northamptonshire-opfcc");
    let a = request_adjustment(
        &w.p,
        &actor(CASEWORKER),
        PERSON,
        AdjustmentKind::Format(Format::LargePrint),
        "Letters in large print",
        now(),
    )
    .unwrap()
    .record;
    assert_eq!(
        decide_adjustment(&w.p, &actor(SENIOR), &a, true, "ok", now())
            .unwrap_err()
            .kind,
        RuleErrorKind::Forbidden
    );
    assert!(decide_adjustment(&w.p, &actor(CSM), &a, true, " ", now()).is_err());
    let d = decide_adjustment(
        &w.p,
        &actor(CSM),
        &a,
        true,
        "Sight impairment disclosed",
        now(),
    )
    .unwrap();
    assert_eq!(d.record.status, AdjustmentStatus::Granted);
    assert!(d
        .tasks
        .iter()
        .any(|t| t.kind == TaskKind::AdjustmentLetter && t.clause == "NOR-1.5"));
}

/// Issue 11: every record of something done (a contact, an incident, a notice sent, a
/// sharing) takes the same allowance for a clock running a little fast, and the same refusal
/// beyond it. An incident and a notice had none, so a caseworker whose device ran a minute
/// fast could log the call but not the abuse on it.
#[test]
fn issue_11_an_incident_and_a_notice_take_the_same_clock_grace_as_a_contact() {
    let mut w = World::new("cleveland-opcc");
    let incident = |at| IncidentInput {
        person_id: PERSON,
        matter_id: None,
        contact_id: None,
        category: "violent-threatening-abusive".into(),
        description: "Shouted abuse".into(),
        occurred_at: at,
        staff_id: CASEWORKER,
        ended_call: None,
    };
    let fast = now() + jiff::SignedDuration::from_mins(4);
    let later = now() + jiff::SignedDuration::from_mins(6);
    assert!(w.record(incident(fast)).is_ok());
    let err = w.record(incident(later)).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("occurred_at"));
    assert_eq!(err.message, "an incident cannot be in the future");
    let s = w.proposed(vec![email_only()]);
    let s = w.authorise(&s).record;
    let sent = |at| NoticeInput {
        sent_at: at,
        ..notice()
    };
    assert!(record_notice(&w.p, &actor(LINE_MANAGER), &s, sent(fast), now()).is_ok());
    let err = record_notice(&w.p, &actor(LINE_MANAGER), &s, sent(later), now()).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("sent_at"));
}

/// Issue 11: a dispute said to be received in the future was taken as it came (NOR-7.1's
/// record of when the person challenged the decision); it is now refused as everything
/// else done is.
#[test]
fn issue_11_and_nor_7_1_a_dispute_is_not_received_in_the_future() {
    let mut w = World::new("northamptonshire-opfcc");
    let s = w.active(vec![email_only()]);
    let later = now() + jiff::SignedDuration::from_hours(24);
    let err =
        raise_dispute(&w.p, &actor(CASEWORKER), &s, "Never warned", later, now()).unwrap_err();
    assert_eq!(
        (err.field.as_deref(), err.message.as_str()),
        (
            Some("received_at"),
            "a dispute's receipt cannot be in the future"
        )
    );
    let earlier = now() - jiff::SignedDuration::from_hours(24);
    let d = raise_dispute(&w.p, &actor(CASEWORKER), &s, "Never warned", earlier, now()).unwrap();
    assert_eq!(d.record.received_at, earlier);
}

#[test]
fn cle_4_4_any_member_of_staff_may_end_a_call_and_cle_4_5_the_line_manager_follows_up() {
    let w = World::new("cleveland-opcc");
    let input = IncidentInput {
        person_id: PERSON,
        matter_id: None,
        contact_id: None,
        category: "violent-threatening-abusive".into(),
        description: "Shouted abuse".into(),
        occurred_at: now(),
        staff_id: CASEWORKER,
        ended_call: Some(EndedCall {
            reason: "Abuse continued after warning".into(),
            file_note: "Warned twice, then ended the call".into(),
            caller_warned: true,
        }),
    };
    let d = w.record(input.clone()).unwrap();
    let t = d
        .tasks
        .iter()
        .find(|t| t.kind == TaskKind::EndedCallFollowUp)
        .unwrap();
    assert_eq!(t.assignee, Some(LINE_MANAGER));
    assert_eq!(t.clause, "CLE-4.5");
    // Their line manager has left: the follow-up goes to every line manager, not to
    // someone who can no longer sign in.
    let mut gone = w.staff.clone();
    gone.iter_mut()
        .filter(|s| s.id == LINE_MANAGER)
        .for_each(|s| s.active = false);
    let d = record_incident(
        &w.p,
        &actor(CASEWORKER),
        input.clone(),
        &gone,
        None,
        None,
        now(),
    )
    .unwrap();
    let t = d
        .tasks
        .iter()
        .find(|t| t.kind == TaskKind::EndedCallFollowUp)
        .unwrap();
    assert_eq!((t.assignee, t.role), (None, Some(Role::LineManager)));
    let mut no_note = input;
    no_note.ended_call.as_mut().unwrap().file_note.clear();
    assert_eq!(
        w.record(no_note).unwrap_err().clause.as_deref(),
        Some("CLE-4.5")
    );
}

/// CLE-4.1; NOR-6.1: an incident is filed on the person's own record: a matter or contact
/// that does not exist, or is someone else's, is refused (404 naming the field), never
/// stored as a dangling link.
#[test]
fn cle_4_1_and_nor_6_1_an_incident_names_only_the_persons_own_matter_and_contact() {
    let w = World::new("cleveland-opcc");
    let input = IncidentInput {
        person_id: PERSON,
        matter_id: Some(MatterId(100)),
        contact_id: Some(ContactId(7)),
        category: "violent-threatening-abusive".into(),
        description: "Shouted abuse".into(),
        occurred_at: now(),
        staff_id: CASEWORKER,
        ended_call: None,
    };
    let mut theirs = Contact::new(Channel::Phone, Direction::Inbound, now(), "rang");
    theirs.id = ContactId(7);
    theirs.person_id = Some(PERSON);
    let mut elsewhere = theirs.clone();
    elsewhere.person_id = Some(PersonId(99));
    let mut someone_elses = w.matters[0].clone();
    someone_elses.person_id = PersonId(99);
    let record = |matter: Option<&Matter>, contact: Option<&Contact>| {
        record_incident(
            &w.p,
            &actor(CASEWORKER),
            input.clone(),
            &w.staff,
            matter,
            contact,
            now(),
        )
    };
    let d = record(Some(&w.matters[0]), Some(&theirs)).unwrap();
    assert_eq!(d.record.matter_id, Some(MatterId(100)));
    assert_eq!(d.record.contact_id, Some(ContactId(7)));
    for (matter, contact, field) in [
        (None, Some(&theirs), "matter_id"),
        (Some(&someone_elses), Some(&theirs), "matter_id"),
        (Some(&w.matters[0]), None, "contact_id"),
        (Some(&w.matters[0]), Some(&elsewhere), "contact_id"),
    ] {
        let e = record(matter, contact).unwrap_err();
        assert_eq!(e.kind, tact_core::error::RuleErrorKind::NotFound, "{e:?}");
        assert_eq!(e.field.as_deref(), Some(field), "{e:?}");
        assert!(e.message.ends_with("is not one of this person's"), "{e:?}");
    }
}

#[test]
fn cle_6_5_persistence_raises_a_welfare_follow_up_for_the_line_manager() {
    let w = World::new("cleveland-opcc");
    let input = IncidentInput {
        person_id: PERSON,
        matter_id: None,
        contact_id: None,
        category: "unreasonable-persistence".into(),
        description: "Twelve calls today".into(),
        occurred_at: now(),
        staff_id: CASEWORKER,
        ended_call: None,
    };
    let d = w.record(input).unwrap();
    let t = d
        .tasks
        .iter()
        .find(|t| t.kind == TaskKind::WelfareFollowUp)
        .unwrap();
    assert_eq!(
        (t.assignee, t.clause.as_str()),
        (Some(LINE_MANAGER), "CLE-6.5")
    );
    // It names the member of staff, so a line manager with several tells them apart.
    assert_eq!(
        t.title,
        format!("Make sure support is in place for staff {CASEWORKER}'s welfare")
    );
}

/// What the incoming-contact page tells staff to do if a caller becomes abusive follows
/// each policy: Cleveland asks for the reason and a warning before the call is ended
/// (CLE-4.4) and gives no hold; Northamptonshire allows a hold or ending the call and asks
/// no warning (NOR-6.1). Both log an ended call for the line manager.
#[test]
fn cle_4_4_and_nor_6_1_staff_are_told_what_to_do_if_a_caller_becomes_abusive() {
    use tact_core::check::if_abusive;
    let cle = if_abusive(&World::new("cleveland-opcc").p).join(" ");
    assert!(
        cle.starts_with(
            "Tell them that their behaviour is not acceptable, say exactly why, and warn them"
        ),
        "{cle}"
    );
    assert!(cle.contains("If it continues, end the call."), "{cle}");
    assert!(!cle.contains("hold"), "{cle}");
    let nor = if_abusive(&World::new("northamptonshire-opfcc").p).join(" ");
    assert!(nor.starts_with("If the call is aggressive, abusive or offensive, you may put them on hold or end the call."), "{nor}");
    assert!(!nor.contains("warn"), "{nor}");
    for said in [&cle, &nor] {
        assert!(
            said.ends_with("your line manager is asked to follow it up with you."),
            "{said}"
        );
        assert!(
            !said.contains('{'),
            "no placeholder left for staff to read: {said}"
        );
    }
    // An office whose profile asks neither is told only that it may end the call.
    let mut p = World::new("cleveland-opcc").p;
    p.rules.warn_before_ending_call = false;
    p.rules.ended_call_follow_up = false;
    assert_eq!(
        if_abusive(&p),
        vec![
            "If the call is aggressive, abusive or offensive, you may end the call.".to_string(),
            "If you end it, log the call as ended, with the reason and what you said.".to_string()
        ]
    );
}

#[test]
fn nor_6_1_every_incident_is_reported_to_the_manager_and_ended_calls_logged_with_reason() {
    let w = World::new("northamptonshire-opfcc");
    let input = IncidentInput {
        person_id: PERSON,
        matter_id: None,
        contact_id: None,
        category: "unreasonable-behaviour".into(),
        description: "Incivility".into(),
        occurred_at: now(),
        staff_id: CASEWORKER,
        ended_call: None,
    };
    let d = w.record(input.clone()).unwrap();
    assert!(d
        .tasks
        .iter()
        .any(|t| t.kind == TaskKind::ReportToManager && t.clause == "NOR-6.1"));
    let unknown = IncidentInput {
        category: "rudeness".into(),
        ..input
    };
    assert_eq!(
        w.record(unknown).unwrap_err().field.as_deref(),
        Some("category")
    );
}

#[test]
fn cle_8_1_first_contact_asks_about_additional_help_and_cle_8_2_records_their_words() {
    let w = World::new("cleveland-opcc");
    let req = CheckRequest {
        identifier: None,
        channel: Channel::Phone,
        staff: None,
        at: now(),
        matter: None,
        via_advocate: false,
    };
    assert!(check(&w.p, None, &req).ask_additional_help);
    let nor = World::new("northamptonshire-opfcc");
    assert!(!check(&nor.p, None, &req).ask_additional_help);
    let mut person = PersonInput {
        name: "A Person".into(),
        ..PersonInput::default()
    }
    .new_person(now())
    .unwrap();
    person.id = PERSON;
    assert_eq!(
        record_additional_help(&w.p, &actor(CASEWORKER), &person, true, None, now())
            .unwrap_err()
            .clause
            .as_deref(),
        Some("CLE-8.2")
    );
    let said = "I have ME and get confused on the phone";
    let d = record_additional_help(
        &w.p,
        &actor(CASEWORKER),
        &person,
        true,
        Some(said.into()),
        now(),
    )
    .unwrap();
    assert_eq!(
        d.record.additional_help.unwrap().in_their_words.as_deref(),
        Some(said)
    );
}

fn view_with(s: Plan) -> PersonView {
    PersonView {
        id: Some(PERSON),
        reference: "SU-10".into(),
        name: "A Person".into(),
        additional_help_recorded: true,
        plans: vec![s],
        ..Default::default()
    }
}

/// An email from the world's person, stored as contact `id`, waiting for nothing.
fn an_email(id: i64, summary: &str) -> Contact {
    Contact {
        id: ContactId(id),
        person_id: Some(PERSON),
        ..Contact::new(Channel::Email, Direction::Inbound, now(), summary)
    }
}

/// An inbound call from the world's person, taken by the caseworker now.
fn phone_call(summary: &str) -> ContactInput {
    ContactInput {
        duration_seconds: None,
        person_id: Some(PERSON),
        matter_id: None,
        channel: Channel::Phone,
        direction: Direction::Inbound,
        at: now(),
        staff_id: Some(CASEWORKER),
        identifier: None,
        via_advocate: false,
        summary: summary.into(),
        body: String::new(),
        is_complaint: false,
    }
}

fn call_at(at: &str) -> CheckRequest {
    CheckRequest {
        identifier: Some(Identifier::Phone(
            PhoneNumber::record("07700 900123", true).unwrap(),
        )),
        channel: Channel::Phone,
        staff: Some(CASEWORKER),
        at: at.parse().unwrap(),
        matter: None,
        via_advocate: false,
    }
}

#[test]
fn call_windows_are_in_uk_time_across_the_clock_changes() {
    let mut w = World::new("cleveland-opcc");
    let mut s = w.active(vec![window_tuesday_morning()]);
    s.effective_from = Some("2026-01-01T00:00:00Z".parse().unwrap());
    s.review_due = date(2027, 12, 1);
    let v = view_with(s);
    // Tuesday 24 March 2026, GMT: 09:30Z is 09:30 in London, before the window.
    assert_eq!(
        check(&w.p, Some(&v), &call_at("2026-03-24T09:30:00Z")).outcome,
        Outcome::NotAllowed
    );
    // Tuesday 31 March 2026, BST (clocks went forward on the 29th): 09:30Z is 10:30 in London.
    assert_eq!(
        check(&w.p, Some(&v), &call_at("2026-03-31T09:30:00Z")).outcome,
        Outcome::AllowedWithConditions
    );
    // Tuesday 20 October 2026, BST: 11:30Z is 12:30 local, after the window.
    assert_eq!(
        check(&w.p, Some(&v), &call_at("2026-10-20T11:30:00Z")).outcome,
        Outcome::NotAllowed
    );
    // Tuesday 27 October 2026, GMT (clocks went back on the 25th): 11:30Z is 11:30 local.
    assert_eq!(
        check(&w.p, Some(&v), &call_at("2026-10-27T11:30:00Z")).outcome,
        Outcome::AllowedWithConditions
    );
}

#[test]
fn cle_9_11_a_forbidden_contact_is_a_breach_naming_the_restriction_with_a_reminder() {
    let mut w = World::new("cleveland-opcc");
    let s = w.active(vec![email_only()]);
    let v = view_with(s.clone());
    let input = phone_call("Called demanding an update");
    let (verdict, contact, tasks, events) = evaluate_contact(&w.p, Some(&v), &input, now());
    assert_eq!(verdict.outcome, Outcome::NotAllowed);
    assert_eq!(contact.breach_of, vec![format!("{}:single-channel", s.id)]);
    assert!(tasks
        .iter()
        .any(|t| t.kind == TaskKind::BreachReminder && t.clause == "CLE-9.11"));
    assert!(tasks
        .iter()
        .any(|t| t.kind == TaskKind::Screening && t.clause == "CLE-9.10"));
    // The screening task says which contact it is, on a list of several.
    let screen = tasks
        .iter()
        .find(|t| t.kind == TaskKind::Screening)
        .unwrap();
    assert!(
        screen.title.starts_with(&format!(
            "Screen their contact of {} by telephone (\u{201c}Called demanding an update\u{201d})",
            tact_core::check::long_day(input.at)
        )),
        "{}",
        screen.title
    );
    assert_eq!(events.len(), 1);
    assert!(
        !verdict.staff_may_disengage,
        "Cleveland does not excuse staff from engaging"
    );
    // Outbound contact from the office is never a breach.
    let out = ContactInput {
        direction: Direction::Outbound,
        ..input
    };
    assert!(evaluate_contact(&w.p, Some(&v), &out, now())
        .1
        .breach_of
        .is_empty());
}

fn reminder_task(kind: TaskKind, done: bool) -> Task {
    Task {
        id: TaskId(7),
        task: NewTask {
            kind,
            person_id: Some(PERSON),
            assignee: None,
            role: Some(Role::LineManager),
            title: "Send a reminder".into(),
            due_on: None,
            clause: "CLE-9.11".into(),
            subject: None,
        },
        created_at: now(),
        done_at: done.then(now),
        done_by: None,
        outcome: None,
    }
}

#[test]
fn cle_9_11_the_reminder_after_a_breach_gives_the_consequences_and_the_reasons() {
    let w = World::new("cleveland-opcc");
    let input = |consequences: &str, reasons: &str| ReminderInput {
        channel: Channel::Letter,
        consequences: consequences.into(),
        reasons: reasons.into(),
    };
    let open = reminder_task(TaskKind::BreachReminder, false);
    let lm = actor(LINE_MANAGER);
    let e = send_breach_reminder(&w.p, &lm, &open, None, input("", "why"), now()).unwrap_err();
    assert_eq!(
        (e.field.as_deref(), e.clause.as_deref()),
        (Some("consequences"), Some("CLE-9.11"))
    );
    let e = send_breach_reminder(&w.p, &lm, &open, None, input("what", " "), now()).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("reasons"));
    // The breach was an email about matter 100: the reminder is kept on that matter.
    let breach = Contact {
        matter_id: Some(MatterId(100)),
        ..an_email(41, "Called again")
    };
    let (c, ev) = send_breach_reminder(
        &w.p,
        &lm,
        &open,
        Some(&breach),
        input("It may be extended", "Abusive calls"),
        now(),
    )
    .unwrap();
    assert_eq!(c.direction, Direction::Outbound);
    assert_eq!(c.person_id, Some(PERSON));
    assert_eq!(c.matter_id, Some(MatterId(100)));
    // Another person's contact lends the reminder no matter.
    let elsewhere = Contact {
        person_id: Some(PersonId(99)),
        ..breach.clone()
    };
    let (c2, _) =
        send_breach_reminder(&w.p, &lm, &open, Some(&elsewhere), input("a", "b"), now()).unwrap();
    assert_eq!(c2.matter_id, None);
    assert!(c.body.contains("It may be extended") && c.body.contains("Abusive calls"));
    assert!(c.breach_of.is_empty() && c.screening == Screening::NotNeeded);
    assert_eq!(ev.clause.as_deref(), Some("CLE-9.11"));
    // Only an open breach reminder can be answered this way.
    let done = reminder_task(TaskKind::BreachReminder, true);
    assert!(send_breach_reminder(&w.p, &lm, &done, None, input("a", "b"), now()).is_err());
    let other = reminder_task(TaskKind::WelfareFollowUp, false);
    assert!(send_breach_reminder(&w.p, &lm, &other, None, input("a", "b"), now()).is_err());
}

#[test]
fn nor_5_8_after_a_breach_staff_need_not_engage() {
    let mut w = World::new("northamptonshire-opfcc");
    let s = w.active(vec![email_only()]);
    let v = view_with(s);
    let verdict = check(&w.p, Some(&v), &call_at("2026-11-20T11:00:00Z"));
    assert_eq!(verdict.outcome, Outcome::NotAllowed);
    assert!(verdict.staff_may_disengage);
    assert!(verdict.clauses.iter().any(|c| c == "NOR-5.8"));
    assert!(!verdict.say.is_empty());
}

/// NOR-5.6, 5.5: a caller whose plan allows email only is told, in the words to say, the
/// address the plan means (the profile's, as the notice gave it), not only "by email";
/// an office whose profile gives none is told the way alone.
#[test]
fn nor_5_6_a_caller_told_to_email_is_given_the_office_address() {
    let mut w = World::new("northamptonshire-opfcc");
    let s = w.active(vec![email_only()]);
    let v = view_with(s);
    let verdict = check(&w.p, Some(&v), &call_at("2026-11-20T11:00:00Z"));
    assert!(
        verdict.say.iter().any(|l| l
            == "Under your communication plan, please contact us by email only, at \
                customerservice@northantspfcc.pnn.gov.uk."),
        "{:?}",
        verdict.say
    );
    w.p.letters.contact.email = None;
    let verdict = check(&w.p, Some(&v), &call_at("2026-11-20T11:00:00Z"));
    assert!(
        verdict
            .say
            .iter()
            .any(|l| l == "Under your communication plan, please contact us by email only."),
        "{:?}",
        verdict.say
    );
}

#[test]
fn cle_9_10_every_contact_from_a_restricted_person_is_screened_even_when_allowed() {
    let mut w = World::new("cleveland-opcc");
    let s = w.active(vec![email_only()]);
    let v = view_with(s);
    let req = CheckRequest {
        identifier: Some(Identifier::Email(
            EmailAddress::parse("a@example.org").unwrap(),
        )),
        channel: Channel::Email,
        staff: None,
        at: now(),
        matter: None,
        via_advocate: false,
    };
    let verdict = check(&w.p, Some(&v), &req);
    assert_eq!(verdict.outcome, Outcome::AllowedWithConditions);
    assert!(verdict.screening_required);
}

#[test]
fn cle_10_4_a_new_matter_is_not_restricted_unless_a_manager_applies_the_strategy() {
    let mut w = World::new("cleveland-opcc");
    let s = w.active(vec![email_only()]);
    let mut req = call_at("2026-11-20T11:00:00Z");
    req.matter = Some(MatterId(101));
    let verdict = check(&w.p, Some(&view_with(s.clone())), &req);
    assert_eq!(verdict.outcome, Outcome::Allowed);
    assert!(verdict.clauses.iter().any(|c| c == "CLE-10.4"));
    let new_matter = w.matters[1].clone();
    assert_eq!(
        apply_to_matter(
            &w.p,
            &actor(CASEWORKER),
            &s,
            &new_matter,
            "Same behaviour",
            now()
        )
        .unwrap_err()
        .kind,
        RuleErrorKind::Forbidden
    );
    let applied = apply_to_matter(
        &w.p,
        &actor(LINE_MANAGER),
        &s,
        &new_matter,
        "Same behaviour on the new request",
        now(),
    )
    .unwrap()
    .record;
    assert_eq!(
        check(&w.p, Some(&view_with(applied)), &req).outcome,
        Outcome::NotAllowed
    );
}

/// CLE-10.4 (and NOR's `new_matters` clause): the check leaves out a plan that does not
/// cover the matter asked about, so the matter asked about is one of the callers'; it says
/// which of them is calling, or who, where the number names no one.
#[test]
fn cle_10_4_a_check_is_about_a_matter_of_one_of_the_callers() {
    for profile in ["cleveland-opcc", "northamptonshire-opfcc"] {
        let p = Profile::built_in(profile).unwrap();
        let ask = |owner, callers: &[PersonId]| {
            tact_core::check::matter_asked_about(&p, MatterId(7), owner, callers)
        };
        let (jo, sam) = (PersonId(1), PersonId(2));
        assert_eq!(ask(Some(jo), &[jo]), Ok(jo));
        // A shared number: the matter says which of them.
        assert_eq!(ask(Some(sam), &[jo, sam]), Ok(sam));
        // Nobody known by the number (or it was withheld): the matter's owner.
        assert_eq!(ask(Some(jo), &[]), Ok(jo));
        for (owner, callers, says) in [
            (
                Some(sam),
                &[jo][..],
                "is another person's, not the caller's",
            ),
            (None, &[jo][..], "there is no matter 7"),
            (None, &[][..], "there is no matter 7"),
        ] {
            let e = ask(owner, callers).unwrap_err();
            assert_eq!(e.kind, RuleErrorKind::NotFound, "{profile}: {e}");
            assert_eq!(e.field.as_deref(), Some("matter"));
            assert_eq!(e.clause.as_deref(), Some(p.clauses.new_matters.as_str()));
            assert!(e.message.contains(says), "{profile}: {e}");
        }
    }
}

#[test]
fn cle_10_4_cle_9_14_a_managers_application_bites_at_once_and_the_person_is_told() {
    let mut w = World::new("cleveland-opcc");
    let s = w.active(vec![email_only()]);
    let d = apply_to_matter(
        &w.p,
        &actor(LINE_MANAGER),
        &s,
        &w.matters[1],
        "Same behaviour on the new request",
        now(),
    )
    .unwrap();
    assert!(d.record.matter_ids.contains(&MatterId(101)));
    assert!(d.record.pending_matters.is_empty());
    assert_eq!(
        d.events[0].reason.as_deref(),
        Some("Same behaviour on the new request")
    );
    assert!(d
        .tasks
        .iter()
        .any(|t| t.kind == TaskKind::SendNotice && t.clause == "CLE-9.14"));
}

/// CLE-9.12; NOR-8.1: a plan drafted without naming the incidents it answers (as the plan
/// form drafts it) cites every incident of theirs on record, so the governance report
/// counts it under that behaviour's category, never "not recorded"; one that names its
/// incidents keeps just those.
#[test]
fn nor_8_1_a_plan_cites_the_behaviour_it_answers_and_is_counted_by_its_category() {
    let mut w = World::new("northamptonshire-opfcc");
    let category = w.p.categories[1].id.clone();
    let first = w.incident(&category);
    let second = w.incident(&w.p.categories[0].id.clone());
    let s = w.draft(vec![email_only()]);
    assert_eq!(s.incident_ids, vec![first, second]);
    let mut named = w.plan_input(vec![email_only()]);
    named.incident_ids = vec![second];
    let d = draft_plan(&w.p, &actor(LINE_MANAGER), PERSON, named, &w.ctx(), now()).unwrap();
    assert_eq!(d.record.incident_ids, vec![second]);
    let categories = w
        .incidents
        .iter()
        .map(|i| (i.id, i.category.clone()))
        .collect();
    let r = tact_core::governance::report(
        &w.p,
        tact_core::governance::Period::quarter_of(tact_core::check::uk_date(now())),
        &[s],
        &categories,
        &[],
        &[],
        &[],
        &[],
    );
    let started: Vec<_> = r.started.keys().map(|(c, _)| c.clone()).collect();
    assert_eq!(started, vec![category]);
}

/// CLE-7.2, 9.3: a draft is offered for proposal only once `propose` would take it: not
/// with its checklist unanswered, nor with no warning given, and the reason it is not is
/// the step's own; answered and warned, it is offered (issue 11: a page offers only what
/// will be allowed).
#[test]
fn cle_7_2_a_draft_is_offered_for_proposal_only_once_it_would_be_taken() {
    let mut w = World::new("cleveland-opcc");
    w.incident(&w.p.categories[1].id.clone());
    let lm = actor(LINE_MANAGER);
    let draft = w.draft(vec![email_only()]);
    let offered = |w: &World, s: &Plan| {
        available_steps_in(&w.p, &lm, s, &w.ctx(), now()).contains(&PlanStep::Propose)
    };
    // The role and the status allow it; the record does not yet.
    assert!(available_steps(&w.p, &lm, &draft).contains(&PlanStep::Propose));
    assert!(!offered(&w, &draft));
    let why = proposal_refusal(&w.p, &lm, &draft, &w.ctx(), now()).unwrap();
    assert_eq!(
        why.clause.as_deref(),
        Some("CLE-9.3"),
        "no warning yet: {why:?}"
    );
    w.warn();
    let why = proposal_refusal(&w.p, &lm, &draft, &w.ctx(), now()).unwrap();
    assert_eq!(
        (why.clause.as_deref(), why.field.as_deref()),
        (Some("CLE-7.2"), Some("checklist"))
    );
    assert!(!offered(&w, &draft));
    let answered = w.answer_all(&draft);
    assert!(offered(&w, &answered));
    assert!(proposal_refusal(&w.p, &lm, &answered, &w.ctx(), now()).is_none());
    // Every other step a draft has is offered as before.
    let others: Vec<_> = available_steps(&w.p, &lm, &draft)
        .into_iter()
        .filter(|s| *s != PlanStep::Propose)
        .collect();
    let in_ctx: Vec<_> = available_steps_in(&w.p, &lm, &draft, &w.ctx(), now());
    assert_eq!(in_ctx, others);
}

/// CLE-9.1, NOR-5.2: a new warning is about what has happened since the last warning, or
/// every incident where there was none.
#[test]
fn cle_9_1_nor_5_2_a_new_warning_is_about_what_happened_since_the_last() {
    let mut w = World::new("cleveland-opcc");
    let category = w.p.categories[1].id.clone();
    let first = w.incident(&category);
    let ids = |w: &World| -> Vec<IncidentId> {
        unwarned_incidents(&w.incidents, &w.warnings)
            .iter()
            .map(|i| i.id)
            .collect()
    };
    assert_eq!(ids(&w), vec![first], "no warning yet: every incident");
    w.warn();
    assert_eq!(ids(&w), Vec::<IncidentId>::new(), "warned after it");
    let mut later = w.incidents[0].clone();
    later.id = IncidentId(first.0 + 1);
    later.occurred_at = w.warnings[0].given_at + jiff::SignedDuration::from_mins(5);
    w.records.incidents.push(later);
    assert_eq!(ids(&w), vec![IncidentId(first.0 + 1)]);
}

#[test]
fn nor_5_3_a_plan_is_applied_only_to_a_matter_whose_review_route_is_exhausted() {
    let mut w = World::new("northamptonshire-opfcc");
    let s = w.active(vec![email_only()]);
    let err = apply_to_matter(
        &w.p,
        &actor(SENIOR_2),
        &s,
        &w.matters[1],
        "Same behaviour",
        now(),
    )
    .unwrap_err();
    assert_eq!(err.kind, RuleErrorKind::Conflict);
    assert_eq!(err.clause.as_deref(), Some("NOR-5.3"));
    assert_eq!(err.field.as_deref(), Some("matter_id"));
    // So the step is not offered while no matter of theirs can take it, and is once one
    // can (issue 11: a page offers only what will be allowed).
    let step = PlanStep::ApplyToMatter;
    assert!(available_steps(&w.p, &actor(SENIOR_2), &s).contains(&step));
    let offered = |matters: &[Matter]| {
        available_steps_with(&w.p, &actor(SENIOR_2), &s, matters).contains(&step)
    };
    assert!(!offered(&w.matters));
    assert!(!offered(&[]));
    let refused = apply_refusal(&w.p, &actor(SENIOR_2), &s, &w.matters).unwrap();
    assert_eq!(
        (refused.kind, refused.field.as_deref()),
        (RuleErrorKind::Conflict, Some("matter_id"))
    );
    let mut open = w.matters.clone();
    open[1].status = MatterStatus::ReviewExhausted;
    assert!(offered(&open));
    assert!(apply_refusal(&w.p, &actor(SENIOR_2), &s, &open).is_none());
    // A role that may not apply it is refused for its role first, whatever the matters.
    let e = apply_refusal(&w.p, &actor(CASEWORKER), &s, &open).unwrap();
    assert_eq!(e.kind, RuleErrorKind::Forbidden);
}

/// NOR-5.3 (issue 11: a page says why a step it does not offer is not offered): where a
/// plan's reader could apply it but none of the person's other matters can take it now,
/// the plan's page is told why for each matter; once one can, the step is offered and
/// there is nothing to say; to a role that may not apply it, nothing is said either.
#[test]
fn nor_5_3_a_plan_not_offered_for_another_matter_says_why_for_each() {
    let mut w = World::new("northamptonshire-opfcc");
    let s = w.active(vec![email_only()]);
    let sm = actor(SENIOR_2);
    let offered = offered_steps(&w.p, &sm, &s, &w.ctx(), now());
    assert!(!offered.steps.contains(&PlanStep::ApplyToMatter));
    assert_eq!(offered.not_applied.len(), 1, "{offered:?}");
    let why = &offered.not_applied[0];
    assert_eq!(
        (why.clause.as_deref(), why.field.as_deref()),
        (Some("NOR-5.3"), Some("matter_id"))
    );
    assert!(why.message.contains(&w.matters[1].reference), "{why:?}");
    assert_eq!(
        offered_steps(&w.p, &actor(CASEWORKER), &s, &w.ctx(), now()).not_applied,
        Vec::new()
    );
    w.records.matters[1].status = MatterStatus::ReviewExhausted;
    let offered = offered_steps(&w.p, &sm, &s, &w.ctx(), now());
    assert!(offered.steps.contains(&PlanStep::ApplyToMatter));
    assert_eq!(offered.not_applied, Vec::new());
}

#[test]
fn nor_6_2_nor_5_1_a_line_managers_application_waits_for_a_senior_manager_then_the_notice() {
    let mut w = World::new("northamptonshire-opfcc");
    let s = w.active(vec![email_only()]);
    w.matters[1].status = MatterStatus::ReviewExhausted;
    let new_matter = w.matters[1].clone();
    let mut req = call_at("2026-11-20T11:00:00Z");
    req.matter = Some(MatterId(101));
    // The line manager asks: nothing bites, a senior manager is asked to decide.
    let asked = apply_to_matter(
        &w.p,
        &actor(LINE_MANAGER),
        &s,
        &new_matter,
        "Same behaviour on the new complaint",
        now(),
    )
    .unwrap();
    assert!(!asked.record.matter_ids.contains(&MatterId(101)));
    assert_eq!(asked.record.pending_matters.len(), 1);
    assert!(asked
        .tasks
        .iter()
        .any(|t| t.kind == TaskKind::AuthorisePlan && t.role == Some(Role::SeniorManager)));
    let asked = asked.record;
    assert_eq!(
        check(&w.p, Some(&view_with(asked.clone())), &req).outcome,
        Outcome::Allowed
    );
    // Asking twice is a conflict; the one who asked may not decide; a line manager may not.
    assert_eq!(
        apply_to_matter(
            &w.p,
            &actor(LINE_MANAGER),
            &asked,
            &new_matter,
            "Again",
            now()
        )
        .unwrap_err()
        .kind,
        RuleErrorKind::Conflict
    );
    let err = decide_matter(
        &w.p,
        &actor(LINE_MANAGER),
        &asked,
        MatterId(101),
        true,
        "Yes",
        now(),
    )
    .unwrap_err();
    assert_eq!(err.kind, RuleErrorKind::Forbidden);
    assert_eq!(err.clause.as_deref(), Some("NOR-6.2"));
    // The senior manager authorises: it still waits for the written notice (NOR-5.1).
    let authorised = decide_matter(
        &w.p,
        &actor(SENIOR_2),
        &asked,
        MatterId(101),
        true,
        "The same pattern of calls; proportionate",
        now(),
    )
    .unwrap();
    assert!(authorised.closes.contains(&TaskKind::AuthorisePlan));
    assert!(authorised
        .tasks
        .iter()
        .any(|t| t.kind == TaskKind::SendNotice));
    let authorised = authorised.record;
    assert!(!authorised.matter_ids.contains(&MatterId(101)));
    assert_eq!(
        check(&w.p, Some(&view_with(authorised.clone())), &req).outcome,
        Outcome::Allowed
    );
    // Deciding it again finds nothing waiting.
    assert_eq!(
        decide_matter(
            &w.p,
            &actor(SENIOR),
            &authorised,
            MatterId(101),
            true,
            "Yes",
            now()
        )
        .unwrap_err()
        .kind,
        RuleErrorKind::NotFound
    );
    // The notice is recorded: now it bites.
    let told = record_notice(&w.p, &actor(LINE_MANAGER), &authorised, notice(), now())
        .unwrap()
        .record;
    assert!(told.matter_ids.contains(&MatterId(101)));
    assert!(told.pending_matters.is_empty());
    assert_eq!(
        check(&w.p, Some(&view_with(told)), &req).outcome,
        Outcome::NotAllowed
    );
}

#[test]
fn nor_6_2_a_senior_managers_refusal_drops_the_request_and_restricts_nothing() {
    let mut w = World::new("northamptonshire-opfcc");
    let s = w.active(vec![email_only()]);
    w.matters[1].status = MatterStatus::ReviewExhausted;
    let asked = apply_to_matter(
        &w.p,
        &actor(LINE_MANAGER),
        &s,
        &w.matters[1],
        "Same behaviour",
        now(),
    )
    .unwrap()
    .record;
    let refused = decide_matter(
        &w.p,
        &actor(SENIOR),
        &asked,
        MatterId(101),
        false,
        "The new complaint is being handled well by phone",
        now(),
    )
    .unwrap();
    assert!(refused.record.pending_matters.is_empty());
    assert!(!refused.record.matter_ids.contains(&MatterId(101)));
    assert!(refused.tasks.is_empty());
    assert!(
        refused.closes.contains(&TaskKind::AuthorisePlan),
        "nothing else waits"
    );
    // With a second request waiting, deciding one leaves the request to decide open.
    let mut two = asked.clone();
    two.pending_matters.push(PendingMatter {
        matter_id: MatterId(102),
        ..asked.pending_matters[0].clone()
    });
    let one = decide_matter(
        &w.p,
        &actor(SENIOR),
        &two,
        MatterId(101),
        false,
        "No",
        now(),
    )
    .unwrap();
    assert!(one.closes.is_empty(), "the other request still waits");
    // Nothing waits for a notice now: a second one is refused, and the matter never joins.
    assert!(record_notice(&w.p, &actor(LINE_MANAGER), &refused.record, notice(), now()).is_err());
}

#[test]
fn nor_5_1_a_senior_managers_own_application_still_waits_for_the_notice() {
    let mut w = World::new("northamptonshire-opfcc");
    let s = w.active(vec![email_only()]);
    w.matters[1].status = MatterStatus::ReviewExhausted;
    let d = apply_to_matter(
        &w.p,
        &actor(SENIOR_2),
        &s,
        &w.matters[1],
        "Same behaviour",
        now(),
    )
    .unwrap();
    assert!(!d.record.matter_ids.contains(&MatterId(101)));
    assert_eq!(d.record.pending_matters[0].authorised_by, Some(SENIOR_2));
    assert!(d.tasks.iter().any(|t| t.kind == TaskKind::SendNotice));
}

#[test]
fn a_call_window_allows_only_the_set_number_of_calls() {
    let mut w = World::new("northamptonshire-opfcc");
    let mut s = w.active(vec![window_tuesday_morning()]);
    s.effective_from = Some("2026-01-01T00:00:00Z".parse().unwrap());
    let mut v = view_with(s);
    let at = "2026-11-24T10:30:00Z";
    assert!(check(&w.p, Some(&v), &call_at(at)).allowed());
    v.recent_calls.push("2026-11-24T10:05:00Z".parse().unwrap());
    assert!(!check(&w.p, Some(&v), &call_at(at)).allowed());
}

/// CLE-9.9; NOR-5.5: a single point of contact who no longer works here is passed nothing
/// (not a call, not a diverted email): whoever takes the contact deals with it, and the
/// plan's owner is asked to name someone else. Until they left, anyone else taking it was
/// refused.
#[test]
fn cle_9_9_and_nor_5_5_a_single_point_of_contact_who_has_left_is_passed_nothing() {
    use tact_core::check::Effect;
    for name in BOTH {
        let mut w = World::new(name);
        let mut s = w.active(vec![Restriction {
            rule: Rule::SinglePointOfContact {
                staff_id: CASEWORKER,
            },
            reason: "One person deals with all their contact".into(),
        }]);
        s.effective_from = Some("2026-01-01T00:00:00Z".parse().unwrap());
        let mut v = view_with(s.clone());
        v.staff_names.push((CASEWORKER, "Cas Worker".into()));
        let mut req = call_at("2026-11-24T10:30:00Z");
        req.staff = Some(LINE_MANAGER);
        let before = check(&w.p, Some(&v), &req);
        assert_eq!(before.put_through_to, Some(CASEWORKER), "{name}");
        assert!(!before.allowed(), "{name}: only the SPOC deals with them");
        v.left.push(CASEWORKER);
        let after = check(&w.p, Some(&v), &req);
        assert_eq!(
            after.put_through_to, None,
            "{name}: nobody is put through to them"
        );
        assert!(after.allowed(), "{name}");
        let a = &after.restrictions[0];
        assert_eq!(a.effect, Effect::Condition, "{name}");
        assert!(
            a.explanation.contains("Cas Worker, no longer works here")
                && a.explanation.contains(&w.p.terms.plan),
            "{name}: {}",
            a.explanation
        );
        assert!(
            after.must.contains(&a.explanation),
            "{name}: {:?}",
            after.must
        );
        // Their leaving asks the plan's owner (the senior manager who authorised it, who may
        // change it) to name someone else; a plan naming someone else asks nothing.
        let mut staff = w.staff.clone();
        let leaver = staff.iter_mut().find(|x| x.id == CASEWORKER).unwrap();
        leaver.active = false;
        let leaver = leaver.clone();
        let other = w.active(vec![email_only()]);
        let tasks = tact_core::jobs::contact_left(&w.p, &leaver, &[s.clone(), other], &staff);
        assert_eq!(tasks.len(), 1, "{name}: {tasks:?}");
        let t = &tasks[0];
        assert_eq!(t.kind, tact_core::model::TaskKind::ReplaceContact);
        assert_eq!(t.assignee, s.decided_by, "{name}");
        assert_eq!(t.subject, Some(s.id.subject()), "{name}");
        assert_eq!(
            Some(t.clause.as_str()),
            w.p.catalogue(tact_core::profile::RestrictionKind::SinglePointOfContact)
                .map(|e| e.clause.as_str()),
            "{name}"
        );
        assert!(
            t.title
                .starts_with("staff 1, the single point of contact in"),
            "{}",
            t.title
        );
        // A plan proposed naming them before they left cannot then be authorised.
        let proposed = w.proposed(vec![Restriction {
            rule: Rule::SinglePointOfContact {
                staff_id: CASEWORKER,
            },
            reason: "One person deals with all their contact".into(),
        }]);
        w.staff = staff.clone();
        let err = authorise_plan(
            &w.p,
            &actor(SENIOR),
            &proposed,
            AuthoriseInput {
                reason: "Proportionate".into(),
                overrides: vec![],
            },
            &w.ctx(),
            now(),
        )
        .unwrap_err();
        assert_eq!(err.kind, tact_core::RuleErrorKind::Conflict, "{name}");
        assert_eq!(
            err.field.as_deref(),
            Some("restrictions[0].staff_id"),
            "{name}"
        );
        assert!(
            err.message
                .contains("staff 1 as the single point of contact, and they no longer work here"),
            "{}",
            err.message
        );
    }
}

#[test]
fn every_restriction_that_forbids_a_contact_gives_staff_words_to_say() {
    for name in BOTH {
        let mut w = World::new(name);
        let mut rules = vec![window_tuesday_morning(), email_only()];
        rules.push(Restriction {
            rule: Rule::SinglePointOfContact {
                staff_id: LINE_MANAGER,
            },
            reason: "r".into(),
        });
        rules.push(Restriction {
            rule: Rule::BlockedIdentifier {
                identifier: Identifier::Phone(PhoneNumber::record("07700 900123", true).unwrap()),
                acknowledge: false,
            },
            reason: "r".into(),
        });
        let rules: Vec<Restriction> = rules
            .into_iter()
            .filter(|r| w.p.catalogue(r.rule.kind()).is_some())
            .collect();
        let mut s = w.active(rules);
        s.effective_from = Some("2026-01-01T00:00:00Z".parse().unwrap());
        let mut v = view_with(s);
        v.recent_calls.push("2026-11-24T10:05:00Z".parse().unwrap());
        for at in ["2026-11-20T11:00:00Z", "2026-11-24T10:30:00Z"] {
            let verdict = check(&w.p, Some(&v), &call_at(at));
            let forbidding: Vec<_> = verdict
                .restrictions
                .iter()
                .filter(|a| a.effect == tact_core::check::Effect::Forbids)
                .collect();
            assert!(!forbidding.is_empty(), "{name} {at}");
            for a in forbidding {
                assert!(!a.say.is_empty(), "{name}: {} gives nothing to say", a.kind);
                assert!(
                    a.say.contains(&w.p.terms.plan),
                    "{name}: {} uses the profile's term",
                    a.kind
                );
                // Issue 14: what a phone system plays says the same restriction without a
                // member of staff's own words.
                assert!(
                    a.recorded.contains(&w.p.terms.plan)
                        && !a.recorded.contains("I'm")
                        && !a.recorded.contains(" I "),
                    "{name}: {} plays {:?}",
                    a.kind,
                    a.recorded
                );
            }
        }
    }
}

#[test]
fn cle_9_2_and_nor_5_2_a_warning_says_what_is_wrong_how_to_change_and_the_consequence() {
    for name in BOTH {
        let w = World::new(name);
        let input = WarningInput {
            incident_ids: vec![],
            what_is_wrong: "Abusive language on the phone".into(),
            how_to_change: String::new(),
            consequence: "Contact may be restricted".into(),
            channel: Channel::Letter,
            given_at: now(),
        };
        let err = give_warning(
            &w.p,
            &actor(LINE_MANAGER),
            PERSON,
            input,
            &w.incidents,
            now(),
        )
        .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("how_to_change"));
        assert_eq!(
            err.clause.as_deref(),
            Some(w.p.clauses.warning_first.as_str())
        );
    }
}

/// CLE-9.2, 9.3; NOR-5.2: a warning given by letter or email leaves the one who gave it a
/// task to send it in writing; one given on the phone or in person does not.
#[test]
fn cle_9_2_and_nor_5_2_a_warning_given_in_writing_leaves_a_task_to_send_it() {
    for name in BOTH {
        let w = World::new(name);
        for (channel, task) in [
            (Channel::Letter, true),
            (Channel::Email, true),
            (Channel::Phone, false),
            (Channel::Visit, false),
        ] {
            let input = WarningInput {
                incident_ids: vec![],
                what_is_wrong: "Abusive language on the phone".into(),
                how_to_change: "Speak calmly".into(),
                consequence: "Contact may be restricted".into(),
                channel,
                given_at: now(),
            };
            let d = give_warning(
                &w.p,
                &actor(LINE_MANAGER),
                PERSON,
                input,
                &w.incidents,
                now(),
            )
            .unwrap();
            let tasks: Vec<_> = d
                .tasks
                .iter()
                .filter(|t| t.kind == TaskKind::WarningLetter)
                .collect();
            assert_eq!(tasks.len(), usize::from(task), "{name} {channel:?}");
            if let Some(t) = tasks.first() {
                assert_eq!(t.assignee, Some(LINE_MANAGER));
                assert_eq!(t.person_id, Some(PERSON));
                assert_eq!(t.clause, w.p.clauses.warning_first);
                assert!(t.title.contains(channel.plain()), "{}", t.title);
            }
        }
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A call is allowed exactly when the UK wall clock is inside the window, on any day
        /// of four years (eight clock changes), whatever the offset from UTC that day.
        #[test]
        fn a_call_window_follows_uk_local_time_on_every_day(day in 0i64..1461, minute in 0i64..(24 * 60)) {
            let mut w = World::new("cleveland-opcc");
            let mut s = w.active(vec![Restriction {
                rule: Rule::CallWindow { windows: vec![CallWindow::hours(jiff::civil::Weekday::Tuesday, 10, 12)], max_minutes: None, max_calls_per_window: None },
                reason: "r".into(),
            }]);
            s.effective_from = Some("2020-01-01T00:00:00Z".parse().unwrap());
            s.review_due = date(2035, 1, 1);
            let v = view_with(s);
            let local = (date(2025, 1, 1) + day.days()).to_datetime(time((minute / 60) as i8, (minute % 60) as i8, 0, 0));
            // Wall-clock times that do not exist, or happen twice, at a clock change are skipped.
            let zoned = tact_core::check::uk().to_ambiguous_zoned(local).unambiguous();
            prop_assume!(zoned.is_ok());
            let at = zoned.unwrap().timestamp();
            let inside = local.date().weekday() == Weekday::Tuesday && local.time() >= time(10, 0, 0, 0) && local.time() < time(12, 0, 0, 0);
            let req = CheckRequest { identifier: None, channel: Channel::Phone, staff: None, at, matter: None, via_advocate: false };
            prop_assert_eq!(check(&w.p, Some(&v), &req).allowed(), inside);
        }

        /// Whatever the plan and the time, the office's own outbound contact is never a breach,
        /// and an inbound contact a restriction forbids always names it.
        #[test]
        fn breaches_are_named_and_outbound_contact_is_never_one(minutes in 0i64..(60 * 24 * 14), phone_call in any::<bool>()) {
            let mut w = World::new("northamptonshire-opfcc");
            let mut s = w.active(vec![window_tuesday_morning(), email_only()]);
            s.effective_from = Some("2020-01-01T00:00:00Z".parse().unwrap());
            let v = view_with(s);
            let at = "2026-11-16T00:00:00Z".parse::<Timestamp>().unwrap() + jiff::SignedDuration::from_mins(minutes);
            let input = |direction| ContactInput {
                duration_seconds: None,
                person_id: Some(PERSON), matter_id: None, channel: if phone_call { Channel::Phone } else { Channel::Email }, direction, at,
                staff_id: None, identifier: None, via_advocate: false, summary: "s".into(), body: String::new(), is_complaint: false,
            };
            let (verdict, contact, tasks, _) = evaluate_contact(&w.p, Some(&v), &input(Direction::Inbound), at);
            prop_assert_eq!(verdict.allowed(), contact.breach_of.is_empty());
            prop_assert_eq!(!contact.breach_of.is_empty(), tasks.iter().any(|t| t.kind == TaskKind::BreachReminder));
            prop_assert_eq!(contact.screening, Screening::Due);
            let (_, out, out_tasks, _) = evaluate_contact(&w.p, Some(&v), &input(Direction::Outbound), at);
            prop_assert!(out.breach_of.is_empty());
            prop_assert!(out_tasks.is_empty());
        }
    }
}

#[test]
fn cle_9_10_and_cle_10_3_a_screening_finding_is_one_of_five_and_the_serious_ones_raise_their_task()
{
    for name in BOTH {
        let w = World::new(name);
        let contact = Contact {
            screening: Screening::Due,
            ..an_email(9, "Wrote again")
        };
        let screen = |f: Finding, note: &str| {
            screen_contact(&w.p, &actor(CASEWORKER), &contact, f, note, now())
        };
        // Nothing new needs no note and raises nothing; the event says what was found.
        let (ev, tasks) = screen(Finding::NothingNew, "").unwrap();
        assert!(tasks.is_empty());
        assert_eq!(ev.clause.as_deref(), Some(w.p.clauses.screening.as_str()));
        assert!(ev
            .detail
            .iter()
            .any(|(k, v)| k == "finding" && v == "nothing-new"));
        // Only a contact waiting for screening is screened, once.
        for done in [Screening::Done, Screening::NotNeeded] {
            let c = Contact {
                screening: done,
                ..contact.clone()
            };
            let e = screen_contact(&w.p, &actor(CASEWORKER), &c, Finding::NothingNew, "", now())
                .unwrap_err();
            assert_eq!(e.kind, RuleErrorKind::Conflict, "{name} {done:?}");
        }
        // Anything else needs a note of what was raised.
        let e = screen(Finding::PossibleCrime, " ").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("note"), "{name}");
        assert!(Finding::parse("worrying").is_err());
        assert_eq!(
            Finding::parse("safeguarding").unwrap(),
            Finding::Safeguarding
        );
        let raised = |f: Finding| {
            let (_, tasks) = screen(f, "Said they would hurt someone").unwrap();
            tasks
        };
        assert!(raised(Finding::NewInformation).is_empty());
        let matter = raised(Finding::NewComplaint);
        assert_eq!(matter.len(), 1);
        assert_eq!(matter[0].kind, TaskKind::OpenMatter);
        assert_eq!(
            matter[0].clause, w.p.clauses.new_matters,
            "{name}: CLE-10.4"
        );
        let police = raised(Finding::PossibleCrime);
        assert_eq!(police.len(), 1);
        assert_eq!(police[0].kind, TaskKind::PoliceReferral);
        assert_eq!(
            police[0].clause, w.p.clauses.further_action,
            "{name}: CLE-10.3"
        );
        assert!(police[0].title.contains("Said they would hurt someone"));
        assert_eq!(police[0].subject.as_deref(), Some("contact:9"));
        let safe = raised(Finding::Safeguarding);
        assert_eq!(safe.len(), 1);
        assert_eq!(safe[0].kind, TaskKind::SafeguardingReferral);
        assert_eq!(safe[0].due_on, Some(tact_core::check::uk_date(now())));
    }
}

#[test]
fn cle_4_6_threatening_correspondence_is_recorded_against_the_message_and_asks_for_a_strategy() {
    let w = World::new("cleveland-opcc");
    let email = an_email(5, "You will regret this");
    let d = record_threatening_correspondence(
        &w.p,
        &actor(CASEWORKER),
        &email,
        "violent-threatening-abusive",
        "A veiled threat",
        &w.staff,
        now(),
    )
    .unwrap();
    assert_eq!(d.record.contact_id, Some(ContactId(5)));
    assert!(d
        .tasks
        .iter()
        .any(|t| t.kind == TaskKind::PlanNeeded && t.clause == "CLE-4.6"));
    // Only correspondence received, and only once matched to a person.
    let call = Contact {
        channel: Channel::Phone,
        ..email.clone()
    };
    let e = record_threatening_correspondence(
        &w.p,
        &actor(CASEWORKER),
        &call,
        "violent-threatening-abusive",
        "x",
        &w.staff,
        now(),
    )
    .unwrap_err();
    assert_eq!(e.clause.as_deref(), Some("CLE-4.6"));
    let stranger = Contact {
        person_id: None,
        ..email
    };
    assert!(record_threatening_correspondence(
        &w.p,
        &actor(CASEWORKER),
        &stranger,
        "violent-threatening-abusive",
        "x",
        &w.staff,
        now()
    )
    .is_err());
}

/// Issue 11 (NOR-5.1, CLE-9.6): the plan lifecycle is one table of (from, step, to). It
/// answers which steps a plan's status allows, and the real steps lead where it says, under
/// both profiles: authorising leads to `authorised` where notice comes first (NOR-5.1) and to
/// `active` where the plan bites at once (CLE-9.6).
#[test]
fn nor_5_1_cle_9_6_the_plan_lifecycle_is_one_table_of_from_step_to() {
    use PlanStep as P;
    assert_eq!(
        steps_from(PlanStatus::Draft),
        vec![P::AnswerChecklist, P::Propose, P::Withdraw]
    );
    assert_eq!(
        steps_from(PlanStatus::Proposed),
        vec![P::Authorise, P::Refuse, P::Withdraw]
    );
    for closed in [
        PlanStatus::Lifted,
        PlanStatus::Refused,
        PlanStatus::Withdrawn,
    ] {
        assert!(steps_from(closed).is_empty(), "{closed:?}");
    }
    let led = |from: PlanStatus, step: P, to: PlanStatus| {
        assert!(
            TRANSITIONS.contains(&(from, step, to)),
            "{from:?} --{step:?}--> {to:?} is not in the lifecycle"
        );
    };
    for (id, authorised_to) in [
        ("cleveland-opcc", PlanStatus::Active),
        ("northamptonshire-opfcc", PlanStatus::Authorised),
    ] {
        let mut w = World::new(id);
        let s = w.proposed(vec![email_only()]);
        let input = AuthoriseInput {
            reason: "Proportionate".into(),
            overrides: vec![],
        };
        let authorised = authorise_plan(&w.p, &actor(SENIOR), &s, input, &w.ctx(), now())
            .unwrap()
            .record;
        assert_eq!(authorised.status, authorised_to, "{id}");
        led(s.status, P::Authorise, authorised.status);
        let noticed = record_notice(&w.p, &actor(LINE_MANAGER), &authorised, notice(), now())
            .unwrap()
            .record;
        assert_eq!(noticed.status, PlanStatus::Active, "{id}");
        led(authorised.status, P::RecordNotice, noticed.status);
        let lifted = lift_plan(&w.p, &actor(SENIOR), &noticed, "Behaviour improved", now())
            .unwrap()
            .record;
        led(noticed.status, P::Lift, lifted.status);
        let refused = refuse_plan(&w.p, &actor(SENIOR), &s, "Not proportionate", now())
            .unwrap()
            .record;
        led(s.status, P::Refuse, refused.status);
        // A step from a status it does not leave is refused, naming both.
        let err = lift_plan(&w.p, &actor(SENIOR), &lifted, "again", now()).unwrap_err();
        assert_eq!(err.kind, RuleErrorKind::Conflict, "{id}");
        assert!(err.message.contains("lifted"), "{id}: {}", err.message);
    }
}

#[test]
fn nor_6_2_a_plan_offers_each_member_of_staff_only_the_steps_they_may_take_now() {
    use PlanStep as P;
    let mut w = World::new("northamptonshire-opfcc");
    let proposed = w.proposed(vec![email_only()]);
    // The proposer (a line manager) may withdraw but not decide; a senior manager may decide.
    assert_eq!(
        available_steps(&w.p, &actor(LINE_MANAGER), &proposed),
        vec![P::Withdraw]
    );
    assert_eq!(
        available_steps(&w.p, &actor(SENIOR), &proposed),
        vec![P::Authorise, P::Refuse, P::Withdraw]
    );
    assert!(available_steps(&w.p, &actor(CASEWORKER), &proposed).is_empty());
    let active = w.active(vec![email_only()]);
    // They were told of it in writing: a second notice is not offered until a change
    // waits for one (CLE-9.6; NOR-5.1), and the step says so if asked.
    let caseworker = available_steps(&w.p, &actor(CASEWORKER), &active);
    assert_eq!(caseworker, vec![P::RaiseDispute]);
    let again = step_refusal(&w.p, &actor(CASEWORKER), &active, P::RecordNotice).unwrap();
    assert!(
        again
            .message
            .contains("record a notice again only for a change"),
        "{again}"
    );
    // A letter is written about a plan once it is decided, never about a proposal.
    assert!(
        tact_core::correspondence::plan_letter_refusal(&w.p, &actor(CASEWORKER), &active).is_none()
    );
    let never = tact_core::correspondence::plan_letter_refusal(&w.p, &actor(SENIOR), &proposed)
        .expect("a proposal is not written to them about");
    assert_eq!(never.kind, RuleErrorKind::Conflict);
    let mut untold = active.clone();
    untold.notice = None;
    assert_eq!(
        available_steps(&w.p, &actor(CASEWORKER), &untold),
        vec![P::RecordNotice, P::RaiseDispute]
    );
    assert!(!available_steps(&w.p, &actor(SENIOR), &active).contains(&P::DecideMatter));
    // A request to apply it to a matter is offered for decision to a senior manager other
    // than the one who asked, and every step offered is one the workflow then allows.
    w.matters[1].status = MatterStatus::ReviewExhausted;
    let asked = apply_to_matter(
        &w.p,
        &actor(LINE_MANAGER),
        &active,
        &w.matters[1],
        "Same",
        now(),
    )
    .unwrap()
    .record;
    assert!(available_steps(&w.p, &actor(SENIOR), &asked).contains(&P::DecideMatter));
    assert!(!available_steps(&w.p, &actor(LINE_MANAGER), &asked).contains(&P::DecideMatter));
    for step in available_steps(&w.p, &actor(SENIOR), &asked) {
        assert!(steps_from(asked.status).contains(&step));
        assert!(w.p.may(Role::SeniorManager, step.action()));
    }
}

#[test]
fn nor_6_2_every_plan_command_goes_through_decide_plan_with_the_action_its_step_needs() {
    let mut w = World::new("northamptonshire-opfcc");
    let proposed = w.proposed(vec![email_only()]);
    let authorise = PlanCommand::Authorise(AuthoriseInput {
        reason: "Proportionate".into(),
        overrides: vec![],
    });
    assert_eq!(authorise.step(), PlanStep::Authorise);
    assert_eq!(authorise.action(), tact_core::roles::Action::AuthorisePlan);
    // The same refusal as the step's own function, through the one entry.
    let err = decide_plan(
        &w.p,
        &actor(LINE_MANAGER),
        &proposed,
        authorise.clone(),
        &w.ctx(),
        now(),
    )
    .unwrap_err();
    assert_eq!(err.clause.as_deref(), Some("NOR-6.2"));
    let d = decide_plan(&w.p, &actor(SENIOR), &proposed, authorise, &w.ctx(), now()).unwrap();
    assert_eq!(d.record.status, PlanStatus::Authorised);
    // A matter that is not the person's is not found, whoever asks.
    let active = w.active(vec![email_only()]);
    let err = decide_plan(
        &w.p,
        &actor(SENIOR),
        &active,
        PlanCommand::ApplyToMatter {
            matter: MatterId(999),
            reason: "Same".into(),
        },
        &w.ctx(),
        now(),
    )
    .unwrap_err();
    assert_eq!(err.kind, RuleErrorKind::NotFound);
    assert_eq!(err.field.as_deref(), Some("matter_id"));
}

#[test]
fn nor_6_2_step_refusal_says_why_a_step_is_not_offered_as_the_step_would() {
    use PlanStep as P;
    let mut w = World::new("northamptonshire-opfcc");
    let draft = w.draft(vec![email_only()]);
    assert!(step_refusal(&w.p, &actor(LINE_MANAGER), &draft, P::AnswerChecklist).is_none());
    let role = step_refusal(&w.p, &actor(CASEWORKER), &draft, P::Propose).unwrap();
    assert_eq!(role.kind, RuleErrorKind::Forbidden);
    let status = step_refusal(&w.p, &actor(SENIOR), &draft, P::Lift).unwrap();
    assert_eq!(status.kind, RuleErrorKind::Conflict);
    // A senior manager who proposed the plan is refused its decision, naming NOR-6.2's rule.
    let mut s = w.proposed(vec![email_only()]);
    s.proposed_by = Some(SENIOR);
    let own = step_refusal(&w.p, &actor(SENIOR), &s, P::Authorise).unwrap();
    assert_eq!(own.kind, RuleErrorKind::Forbidden);
    assert_eq!(own.clause.as_deref(), Some("NOR-6.2"));
    assert!(step_refusal(&w.p, &actor(SENIOR_2), &s, P::Authorise).is_none());
    // Refusing it is deciding it too: the page did not offer it to the proposer, and the
    // step itself refused nobody (a proposer could refuse their own plan through the API).
    assert!(!available_steps(&w.p, &actor(SENIOR), &s).contains(&P::Refuse));
    let refused = refuse_plan(&w.p, &actor(SENIOR), &s, "changed my mind", now()).unwrap_err();
    assert_eq!(
        (refused.kind, refused.clause.as_deref()),
        (RuleErrorKind::Forbidden, Some("NOR-6.2"))
    );
    assert!(refuse_plan(&w.p, &actor(SENIOR_2), &s, "not proportionate", now()).is_ok());
}

fn imported(_: &World) -> ImportedPlan {
    ImportedPlan {
        matter_ids: vec![MatterId(100)],
        restrictions: vec![email_only()],
        reasons: "Abusive calls after a warning".into(),
        authorised_by: "Pat Jones, Head of Standards".into(),
        authorised_on: date(2026, 10, 1),
        notice_sent_on: date(2026, 10, 3),
        review_due: date(2026, 12, 20),
        ends_on: None,
        source: "crm".into(),
        source_id: "CS-7".into(),
    }
}

/// Issue 14 with CLE-9.6, 9.12 and NOR-5.1, 8.1: a plan in force elsewhere comes in in force
/// from its written notice, with one event naming who authorised it and when; its review
/// must fall within the policy's interval of its authorisation (three months on Cleveland,
/// a year on Northamptonshire), and its notice between the authorisation and today.
#[test]
fn cle_9_12_and_nor_8_1_an_imported_plan_is_in_force_from_its_notice_and_reviewed_within_the_interval(
) {
    let cle = World::new("cleveland-opcc");
    let admin = Actor::staff(StaffId(9), "Ada Admin", Role::Admin);
    let d = import_plan(&cle.p, &admin, PERSON, imported(&cle), &cle.ctx(), now()).unwrap();
    assert_eq!(d.record.status, PlanStatus::Active);
    let notice = d.record.notice.as_ref().expect("its written notice");
    assert_eq!(tact_core::check::uk_date(notice.sent_at), date(2026, 10, 3));
    assert_eq!(d.record.effective_from, Some(notice.sent_at));
    assert_eq!(d.events.len(), 1);
    let e = &d.events[0];
    assert_eq!(e.action, AuditAction::PlanImported);
    assert!(e
        .detail
        .iter()
        .any(|(k, v)| k == "authorised_by" && v == "Pat Jones, Head of Standards"));
    assert!(e
        .detail
        .iter()
        .any(|(k, v)| k == "authorised_on" && v == "2026-10-01"));
    // CLE-9.12: at most three months from the authorisation.
    let mut late = imported(&cle);
    late.review_due = date(2027, 1, 15);
    let err = import_plan(&cle.p, &admin, PERSON, late.clone(), &cle.ctx(), now()).unwrap_err();
    assert_eq!(
        (err.clause.as_deref(), err.field.as_deref()),
        (Some("CLE-9.12"), Some("review_due"))
    );
    // NOR-8.1: a year.
    let nor = World::new("northamptonshire-opfcc");
    assert!(import_plan(&nor.p, &admin, PERSON, late, &nor.ctx(), now()).is_ok());
    // The notice comes after the authorisation, and not after today.
    let mut early = imported(&cle);
    early.notice_sent_on = date(2026, 9, 30);
    let err = import_plan(&cle.p, &admin, PERSON, early, &cle.ctx(), now()).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("notice_sent_on"));
    let mut future = imported(&cle);
    future.notice_sent_on = date(2026, 12, 1);
    assert!(import_plan(&cle.p, &admin, PERSON, future, &cle.ctx(), now()).is_err());
    // One that has ended is not imported; one with no matter is refused (CLE-9.8).
    let mut ended = imported(&cle);
    ended.ends_on = Some(date(2026, 11, 1));
    assert_eq!(
        import_plan(&cle.p, &admin, PERSON, ended, &cle.ctx(), now())
            .unwrap_err()
            .field
            .as_deref(),
        Some("ends_on")
    );
    let mut none = imported(&cle);
    none.matter_ids.clear();
    assert_eq!(
        import_plan(&cle.p, &admin, PERSON, none, &cle.ctx(), now())
            .unwrap_err()
            .clause
            .as_deref(),
        Some("CLE-9.8")
    );
}

/// CLE-10.4: a new issue is a matter of its own, open from when it is raised, with a title
/// that says what it is; an empty title is refused, naming the field.
#[test]
fn cle_10_4_a_new_matter_opens_with_its_title_and_an_empty_title_is_refused() {
    let m = open_matter(PERSON, MatterKind::Complaint, "  A new complaint ", now()).unwrap();
    assert_eq!(
        (
            m.person_id,
            m.title.as_str(),
            m.status,
            m.finalised_on,
            m.opened_at
        ),
        (PERSON, "A new complaint", MatterStatus::Open, None, now())
    );
    let e = open_matter(PERSON, MatterKind::Complaint, " ", now()).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("title"));
}

/// NOR-9.1: records are kept six years from the date a matter is finalised, so finalising
/// one needs that date, and it cannot be in the future; moving a matter to any other status
/// leaves it without one, and a date given with one is refused.
#[test]
fn nor_9_1_a_finalised_matter_needs_its_date_and_not_one_in_the_future() {
    let today = date(2027, 3, 10);
    let open = open_matter(
        PERSON,
        MatterKind::Complaint,
        "Handling of a burglary report",
        now(),
    )
    .unwrap();
    let err = set_matter_status(&open, MatterStatus::Finalised, None, today).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("finalised_on"));
    let err = set_matter_status(
        &open,
        MatterStatus::Finalised,
        Some(date(2027, 3, 11)),
        today,
    )
    .unwrap_err();
    assert!(err.message.contains("cannot be in the future"), "{err}");
    let done = set_matter_status(&open, MatterStatus::Finalised, Some(today), today).unwrap();
    assert_eq!(
        (done.status, done.finalised_on),
        (MatterStatus::Finalised, Some(today))
    );
    assert_eq!(done.title, open.title);
    // Another status with a date: refused on the date, not dropped.
    let err = set_matter_status(&done, MatterStatus::Concluded, Some(today), today).unwrap_err();
    assert_eq!(
        (err.kind, err.field.as_deref()),
        (RuleErrorKind::Invalid, Some("finalised_on"))
    );
    let back = set_matter_status(&done, MatterStatus::Concluded, None, today).unwrap();
    assert_eq!(
        (back.status, back.finalised_on),
        (MatterStatus::Concluded, None)
    );
}
