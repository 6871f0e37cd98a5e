//! One task on its own page, to do and close: a reminder after a breach (CLE-9.11;
//! NOR-5.8) is sent and kept on the record; any other task is closed with what was done.
//! Tasks that a workflow step answers (authorise, screen, decide) go to that step's form.

use crate::ui::PagePath;
use crate::ui::PostedTo;
use crate::ui::{error_page, or_page, refusal, Signed};
use crate::ui_forms::{channel_field, refused, show, val, Field, Spec, SpecOrPage};
use crate::ui_step::read_if_allowed;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use tact_app::query as q;
use tact_core::command as cmd;
use tact_core::ids::{PlanId, TaskId};
use tact_core::model::{Task, TaskKind};
use tact_core::profile::cited;
use tact_core::profile::Channel;
use tact_core::workflow as wf;

pub fn routes() -> Router<AppState> {
    Router::new().route("/tasks/{id}", get(task_form).post(task_done))
}

/// Where a task is done: its own step's form, or this page.
pub fn link(t: &Task) -> String {
    step_link(t).unwrap_or_else(|| format!("/tasks/{}", t.id))
}

/// The form of the step a task asks for, where it has one (deciding an adjustment, a
/// dispute, a plan; screening a contact); `None` for a task done on its own page.
pub fn step_link(t: &Task) -> Option<String> {
    let own = t.task.subject.as_deref().and_then(|s| {
        let (kind, id) = s.split_once(':')?;
        let id = id.split(':').next()?;
        match (t.task.kind, kind) {
            (TaskKind::AdjustmentDecision, "adjustment") => {
                Some(format!("/adjustments/{id}/decision"))
            }
            (TaskKind::AdjustmentLetter, "adjustment") => Some(format!("/adjustments/{id}/letter")),
            (TaskKind::WarningLetter, "warning") => Some(format!("/warnings/{id}/letter")),
            (TaskKind::DecideDispute, "dispute") => Some(format!("/disputes/{id}/decision")),
            (TaskKind::Screening, "contact") => Some(format!("/contacts/{id}/screen")),
            (TaskKind::DisclosureDecision, "disclosure") => {
                Some(format!("/disclosures/{id}/decision"))
            }
            (TaskKind::ShareDisclosure, "disclosure") => Some(format!("/disclosures/{id}/shared")),
            (TaskKind::DataRights, "data-rights") => Some(format!("/data-rights/{id}")),
            _ => None,
        }
    });
    own.or_else(|| match (t.task.kind, t.task.person_id, plan_of(t)) {
        (TaskKind::AuthorisePlan, _, Some(plan)) => Some(format!("/plans/{plan}/decision")),
        (TaskKind::PlanNeeded, Some(p), _) => Some(format!("/people/{p}/plan")),
        _ => None,
    })
}

/// The plan a task is about, from its subject (`strategy:12` or `strategy:12:question:q1`).
fn plan_of(t: &Task) -> Option<PlanId> {
    t.task.subject.as_deref().and_then(PlanId::of_subject)
}

/// The same rule as closing it, decided in core.
fn may_do(signed: &Signed, t: &Task) -> bool {
    tact_core::roles::may_close_task(&signed.actor, &t.task).is_ok()
}

async fn spec(state: &AppState, signed: &Signed, t: &Task) -> SpecOrPage {
    let p = &state.app.profile;
    let plan = &p.terms.plan;
    let mut intro = vec![format!("{} ({})", t.task.title, cited(&t.task.clause))];
    if let Some(d) = t.task.due_on {
        intro.push(format!("Due by {}.", tact_core::check::long_date(d)));
    }
    let person = match t.task.person_id {
        Some(id) => crate::ui_forms::person_caption(state, signed, id.0)
            .await?
            .map(|name| (id.0, name)),
        None => None,
    };
    let back = t
        .task
        .person_id
        .map_or_else(|| "/".to_string(), |id| format!("/people/{id}"));
    if t.task.kind == TaskKind::BreachReminder {
        // The reasons already given for the plans in force, to remind them of.
        let mut reasons = Vec::new();
        if let Some(id) = t.task.person_id {
            let plans = read_if_allowed(state, signed, q::Plans { person: id });
            for s in plans.await?.unwrap_or_default() {
                if tact_core::check::restricts(&state.app.profile, &s, state.app.now()) {
                    reasons.push(s.reasons.clone());
                }
            }
        }
        let mut why = Field::new(
            "textarea",
            "reasons",
            &format!("Why the {plan} is in place"),
        )
        .required()
        .hint("Remind them of the reasons it was put in place.");
        why.value = reasons.join("\n");
        intro.push(format!(
            "Remind them clearly of what happens if they go on breaching the {plan}, and why it \
             is in place ({}). The reminder is kept on their record.",
            cited(&p.clauses.breach_reminder)
        ));
        return Ok(Spec {
            heading: "Send a reminder after a breach".into(),
            caption: "Task".into(),
            person,
            intro,
            action: format!("/tasks/{}", t.id),
            fields: vec![
                channel_field(
                    "How you are sending it",
                    &[
                        Channel::Letter,
                        Channel::Email,
                        Channel::Phone,
                        Channel::Visit,
                    ],
                ),
                {
                    // Written as the policy says it, where the profile does, for the member
                    // of staff to keep or fit to the case, as the reasons come from the plan.
                    let mut f = Field::new(
                        "textarea",
                        "consequences",
                        "What happens if they go on breaching it",
                    );
                    if let Some(c) = &p.letters.breach_consequence {
                        f = f.hint("As the policy says it: change it to fit if you need to.");
                        f.value = c.clone();
                    }
                    f
                },
                why,
            ],
            submit: "Record the reminder",
            back,
            ..Spec::default()
        });
    }
    // What the task is about, to read here before doing it: the incident that asked for it
    // (who was on the receiving end, what happened, why a call was ended), the contact
    // screening found something in or that was diverted (what they wrote), or the list of
    // records due for disposal.
    let mut links = Vec::new();
    let mut quoted = None;
    let (kind, id) = t
        .task
        .subject
        .as_deref()
        .map_or(("", None), |s| match s.split_once(':') {
            Some((kind, id)) => (kind, id.parse::<i64>().ok()),
            None => (s, None),
        });
    match (kind, id) {
        ("incident", Some(id)) => {
            let id = tact_core::ids::IncidentId(id);
            if let Some(i) = read_if_allowed(state, signed, q::Incident { id }).await? {
                let names = crate::ui::Names::of(&state.app, &signed.actor)
                    .await
                    .map_err(|e| refusal(state, signed, e))?;
                intro.extend(incident_lines(p, &names, &i));
            }
        }
        ("contact", Some(id)) => {
            let id = tact_core::ids::ContactId(id);
            if let Some(c) = read_if_allowed(state, signed, q::Contact { id }).await? {
                intro.push(crate::ui_forms::contact_line(&c));
                quoted = crate::ui_forms::what_they_wrote(&c);
                if quoted.is_none() {
                    intro.push(format!("What they sent: {}", c.summary));
                }
            }
        }
        ("retention", _) => links.push((
            "/retention".to_string(),
            "Check the list of records due for disposal, and dispose of them there".to_string(),
        )),
        _ => {}
    }
    // The form that does what screening found, where this member of staff may use it: the
    // new complaint opened as a matter of its own (CLE-10.4), the possible crime's referral
    // recorded (CLE-10.3).
    if let Some(person) = t.task.person_id {
        let form = match t.task.kind {
            TaskKind::OpenMatter if cmd::offered::<cmd::OpenMatter>(p, &signed.actor) => {
                Some(("matter", "Open the new complaint as a matter of its own"))
            }
            TaskKind::PoliceReferral
                if cmd::offered::<cmd::RecordFurtherAction>(p, &signed.actor) =>
            {
                Some(("further-action", "Record the referral to the police"))
            }
            _ => None,
        };
        links.extend(
            form.map(|(path, words)| (format!("/people/{person}/{path}"), words.to_string())),
        );
    }
    // The plan it is about, and the step the task asks for where core offers this member of
    // staff that step (core's `workflow::available_steps`): a review due (which closes the
    // task by itself), or a change to name another single point of contact.
    if let Some(s) = plan_of(t) {
        links.push((
            format!("/plans/{s}"),
            format!("It is about {plan} {s}: open it"),
        ));
        let wanted = match t.task.kind {
            TaskKind::ReviewDue => Some((
                wf::PlanStep::Review,
                format!("Review the {plan} now: that closes this task"),
            )),
            TaskKind::ReplaceContact => Some((
                wf::PlanStep::Vary,
                format!("Change the {plan} to name someone else"),
            )),
            _ => None,
        };
        if let Some((step, words)) = wanted {
            let read = read_if_allowed(state, signed, q::Plan { id: s }).await?;
            let offered =
                read.is_some_and(|x| wf::available_steps(p, &signed.actor, &x).contains(&step));
            if offered {
                links
                    .extend(crate::ui_records::step_link(s.0, step).map(|(href, _)| (href, words)));
            }
        }
        // Telling them in writing what became of the plan (a change, its lifting, a review's
        // outcome): the plan's letter form, which offers the letters core allows now.
        if t.task.kind == TaskKind::SendNotice {
            let read = read_if_allowed(state, signed, q::Plan { id: s }).await?;
            if read.is_some_and(|x| {
                tact_core::correspondence::plan_letter_refusal(p, &signed.actor, &x).is_none()
            }) {
                links.push((
                    format!("/plans/{s}/letter"),
                    "Write the letter to them".to_string(),
                ));
            }
        }
    }
    Ok(Spec {
        heading: "Mark a task as done".into(),
        caption: "Task".into(),
        person,
        intro,
        links,
        quoted,
        action: format!("/tasks/{}", t.id),
        fields: vec![Field::new("textarea", "outcome", "What you did").required()],
        submit: "Mark as done",
        back,
        ..Spec::default()
    })
}

/// An incident as a manager following it up reads it: what kind, when and towards whom,
/// what happened, and, for an ended call, why it was ended and the file note (CLE-4.5).
fn incident_lines(
    p: &tact_core::profile::Profile,
    names: &crate::ui::Names,
    i: &tact_core::model::Incident,
) -> Vec<String> {
    let category = p
        .category(&i.category)
        .map_or_else(|| i.category.clone(), |c| c.name.clone());
    let mut lines = vec![
        format!(
            "{category}, {}, towards {}{}.",
            tact_core::check::uk_time(i.occurred_at).strftime("%-d %B %Y at %H:%M"),
            names.name(i.staff_id),
            if i.recorded_by == i.staff_id {
                String::new()
            } else {
                format!(" (recorded by {})", names.name(i.recorded_by))
            }
        ),
        format!("What happened: {}", i.description),
    ];
    if let Some(e) = &i.ended_call {
        lines.push(format!("The call was ended: {}", e.reason));
        lines.push(format!("Their file note: {}", e.file_note));
    }
    lines
}

/// The task, or the page to answer with instead: not found, not theirs, or already done.
async fn load(state: &AppState, signed: &Signed, id: i64) -> Result<Task, Response> {
    let t = match state
        .app
        .query(&signed.actor, q::Task { id: TaskId(id) })
        .await
    {
        Ok(t) => t,
        Err(e) => return Err(refusal(state, signed, e)),
    };
    if !may_do(signed, &t) {
        return Err(error_page(
            state,
            Some(signed),
            StatusCode::FORBIDDEN,
            "You cannot do this",
            "This task belongs to someone else.",
        ));
    }
    if let Some(at) = t.done_at {
        return Err(error_page(
            state,
            Some(signed),
            StatusCode::CONFLICT,
            "This task is already done",
            &format!(
                "It was done at {}: {}",
                at.to_zoned(tact_core::check::uk().clone())
                    .strftime("%-d %B %Y %H:%M"),
                t.outcome.clone().unwrap_or_default()
            ),
        ));
    }
    Ok(t)
}

async fn task_form(
    State(state): State<AppState>,
    signed: Signed,
    PagePath(id): PagePath<i64>,
) -> Response {
    let t = or_page!(load(&state, &signed, id).await);
    let own = link(&t);
    if own != format!("/tasks/{id}") {
        return Redirect::to(&own).into_response();
    }
    // A notice still to be recorded on the plan itself: recording it is what makes the
    // plan (or its change) take effect, so it is done there.
    if t.task.kind == TaskKind::SendNotice {
        if let Some(s) = plan_of(&t) {
            let plan = read_if_allowed(&state, &signed, q::Plan { id: s }).await;
            if or_page!(plan).is_some_and(|plan| plan.awaits_notice()) {
                return Redirect::to(&format!("/plans/{s}/notice")).into_response();
            }
        }
    }
    let spec = or_page!(spec(&state, &signed, &t).await);
    show(&state, &signed, spec, None, None)
}

async fn task_done(State(state): State<AppState>, to: PostedTo) -> Response {
    let PostedTo { id, signed, form } = to;
    let t = or_page!(load(&state, &signed, id).await);
    let spec = or_page!(spec(&state, &signed, &t).await);
    let ctx = tact_app::Ctx::new(signed.actor.clone());
    let result = if t.task.kind == TaskKind::BreachReminder {
        match Channel::parse(val(&form, "channel")) {
            Ok(channel) => state
                .app
                .execute(
                    &ctx,
                    cmd::SendBreachReminder {
                        task: t.id,
                        input: wf::ReminderInput {
                            channel,
                            consequences: val(&form, "consequences").into(),
                            reasons: val(&form, "reasons").into(),
                        },
                    },
                )
                .await
                .map(|r| r.letter),
            // A channel the form does not offer is an error on the form, not a default.
            Err(e) => Err(e.into()),
        }
    } else {
        state
            .app
            .execute(
                &ctx,
                cmd::CompleteTask {
                    task: t.id,
                    outcome: val(&form, "outcome").into(),
                },
            )
            .await
            .map(|_| None)
    };
    let back = spec.back.clone();
    // By email or post, where its letter stands (in the print queue, say), so that a
    // reminder to post is not left unprinted.
    let said = |letter: Option<tact_core::correspondence::StoredLetter>| {
        if t.task.kind != TaskKind::BreachReminder {
            return "The task is marked as done.".to_string();
        }
        match letter {
            Some(l) => format!(
                "The reminder is recorded on their record, and its letter (letter {}) is {}.",
                l.id,
                crate::ui_letters::status_words(l.status)
            ),
            None => "The reminder is recorded on their record.".to_string(),
        }
    };
    match result {
        Ok(letter) => crate::ui::said_and_go(&state, &back, Some(&said(letter))),
        Err(e) => refused(&state, signed, spec, &form, e),
    }
}
