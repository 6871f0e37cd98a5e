//! The records around the workflow, as forms: adding a person (from the incoming-contact
//! page when a caller is not known), opening a matter and changing its status, withdrawing
//! a plan, applying a plan to another matter (CLE-10.4) and recording further action
//! (CLE-10.1–10.3; NOR-5.8).

use crate::ui::Signed;
use crate::ui_forms::{capital, pick, val, yes_no, Field, Spec, SpecOrPage};
use crate::ui_step::{self as step, Form, FormStep, PersonStep, Pipe, PlanForm};
use crate::AppState;
use tact_app::AppError;

use axum::response::Response;
use axum::Router;
use std::collections::HashMap;
use tact_app::query as q;
use tact_app::PersonInput;
use tact_app::{App, Handles};
use tact_core::command as cmd;
use tact_core::identity::{EmailAddress, Identifier, PhoneNumber};
use tact_core::ids::{MatterId, PersonId};
use tact_core::model::{Format, FurtherActionKind, MatterKind, MatterStatus, ServiceUser};
use tact_core::profile::cited;
use tact_core::workflow as wf;
use tact_core::RuleError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .pipe(step::route_new::<NewPerson>)
        .pipe(step::route::<Rectify>)
        .pipe(step::route::<ChangeDetails>)
        .pipe(step::route_person::<OpenMatter>)
        .pipe(step::route_person::<Merge>)
        .pipe(step::route::<MatterStatusStep>)
        .pipe(step::route_plan::<step::ByReason<Withdraw>>)
        .pipe(step::route_plan::<Apply>)
        .pipe(step::route_plan::<DecideMatter>)
        .pipe(step::route_person::<FurtherAction>)
}

fn lines(form: &HashMap<String, String>, k: &str) -> Vec<String> {
    val(form, k)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

// ----- a new person ---------------------------------------------------------------------

/// A person's details, as the new-person and rectification forms ask for them.
fn person_fields() -> Vec<Field> {
    vec![
        Field::new("text", "name", "Full name"),
        Field::new("textarea", "phones", "Phone numbers (optional)")
            .hint(&format!(
                "One a line, for example {}",
                tact_core::identity::example_number(false)
            )),
        Field::new(
            "checkbox",
            "keep_unverified",
            "Keep a number even if it is not recognised as a number in use (a new number, or one you have checked)",
        ),
        Field::new("textarea", "emails", "Email addresses (optional)").hint("One a line"),
        Field::new(
            "textarea",
            "shared",
            "Numbers or addresses they share with someone else (optional)",
        )
        .hint("A household line, or an advocate who acts for several people. One a line, as written above. Calls from these are matched to everyone who shares them."),
        Field::new("textarea", "postal_address", "Postal address (optional)"),
        advocate_field(),
        Field::new("select", "preferred_format", "How they prefer letters")
            .options(crate::ui_forms::format_options(Format::ALL)),
        Field::new(
            "text",
            "preferred_language",
            "Language, if not English (optional)",
        ),
    ]
}

/// Someone who speaks or writes for them, asked only when ticked: their advocate's number
/// and address are matched to them when the advocate calls or writes, and a plan can ask
/// that contact comes only through them (CLE-9.9).
fn advocate_field() -> Field {
    let mut f = Field::new(
        "reveal",
        "advocate",
        "Someone speaks or writes for them (an advocate)",
    )
    .hint("An advocate, a support worker, a family member or a friend they have asked to act for them.");
    f.children = vec![
        Field::new("text", "advocate__name", "The advocate's name")
            .ask(&tact_core::error::enter("advocate.name")),
        Field::new(
            "text",
            "advocate__organisation",
            "Their organisation (optional)",
        ),
        Field::new("text", "advocate__phone", "Their phone number (optional)"),
        Field::new("text", "advocate__email", "Their email address (optional)"),
    ];
    f
}

/// A person's details from the form, each checked.
fn person_input(form: &HashMap<String, String>) -> Result<PersonInput, RuleError> {
    let phones = lines(form, "phones")
        .iter()
        .map(|p| PhoneNumber::lookup(p).map_err(|e| e.with_field("phones")))
        .collect::<Result<Vec<_>, _>>()?;
    let emails = lines(form, "emails")
        .iter()
        .map(|p| EmailAddress::parse(p).map_err(|e| e.with_field("emails")))
        .collect::<Result<Vec<_>, _>>()?;
    let opt = |k: &str| Some(val(form, k).to_string()).filter(|s| !s.is_empty());
    let advocate = match val(form, "advocate") {
        "" => None,
        _ => Some(tact_core::model::Advocate::from_words(
            val(form, "advocate__name"),
            opt("advocate__organisation").as_deref(),
            opt("advocate__phone").as_deref(),
            opt("advocate__email").as_deref(),
        )?),
    };
    Ok(PersonInput {
        name: val(form, "name").into(),
        phones,
        emails,
        postal_address: opt("postal_address"),
        advocate,
        preferred_format: Some(crate::ui_forms::chosen(
            form,
            "preferred_format",
            Format::parse,
            "choose the format they can read",
        )?),
        preferred_language: opt("preferred_language"),
        shared: lines(form, "shared"),
        keep_unverified: val(form, "keep_unverified") == "yes",
    })
}

/// The person's details as held, as the person form's fields take them: the changing and
/// correcting forms start from these.
fn held(p: &ServiceUser) -> Form {
    let lines = |xs: Vec<&str>| xs.join("\n");
    let mut values = HashMap::new();
    values.insert("name".to_string(), p.name.clone());
    // Numbers as people in the UK write them ("07911 123456"); the form reads either way.
    values.insert(
        "phones".to_string(),
        p.phones
            .iter()
            .map(PhoneNumber::for_people)
            .collect::<Vec<_>>()
            .join("\n"),
    );
    values.insert(
        "emails".to_string(),
        lines(p.emails.iter().map(|x| x.as_str()).collect()),
    );
    values.insert(
        "postal_address".to_string(),
        p.postal_address.clone().unwrap_or_default(),
    );
    values.insert(
        "preferred_format".to_string(),
        p.preferred_format.as_str().to_string(),
    );
    values.insert(
        "preferred_language".to_string(),
        p.preferred_language.clone().unwrap_or_default(),
    );
    // Numbers kept as unverified stay so without asking again (core's
    // `PersonInput::keep_unverified` is for a new number); shared marks stay unless changed.
    let shared: Vec<String> = p
        .shared_identifiers
        .iter()
        .map(|k| match p.phones.iter().find(|x| x.as_str() == k) {
            Some(x) => x.for_people(),
            None => k.clone(),
        })
        .collect();
    values.insert("shared".to_string(), shared.join("\n"));
    if let Some(a) = &p.advocate {
        values.insert("advocate".to_string(), "yes".to_string());
        values.insert("advocate__name".to_string(), a.name.clone());
        values.insert(
            "advocate__organisation".to_string(),
            a.organisation.clone().unwrap_or_default(),
        );
        values.insert(
            "advocate__phone".to_string(),
            a.phone
                .as_ref()
                .map(PhoneNumber::for_people)
                .unwrap_or_default(),
        );
        values.insert(
            "advocate__email".to_string(),
            a.email
                .as_ref()
                .map(|e| e.as_str().to_string())
                .unwrap_or_default(),
        );
    }
    values
}

/// Correcting a person's details (UK GDPR rectification): the form starts from what is held,
/// and says what was wrong.
struct Rectify;

impl FormStep for Rectify {
    type Subject = ServiceUser;
    type Command = cmd::RectifyPerson;
    const PATH: &'static str = "/people/{id}/rectify";

    async fn spec(_: &AppState, _: &Signed, _: i64, _: &ServiceUser) -> SpecOrPage {
        let mut fields = person_fields();
        fields.push(
            Field::new(
                "textarea",
                "what_was_wrong",
                "What was wrong, and how you know",
            )
            .hint("Kept on the record as a rectification."),
        );
        Ok(Spec {
            heading: "Correct their details".into(),
            intro: vec![
                "Put right details that are wrong. The change is recorded as a rectification, with \
                 what was wrong."
                    .into(),
            ],
            fields,
            submit: "Correct them",
            ..Spec::default()
        })
    }
    fn prefill(p: &ServiceUser) -> Option<Form> {
        Some(held(p))
    }
    async fn command(
        _: &AppState,
        _: &Signed,
        id: i64,
        _: &ServiceUser,
        form: &Form,
    ) -> Result<cmd::RectifyPerson, AppError> {
        Ok(cmd::RectifyPerson {
            person: PersonId(id),
            input: person_input(form)?,
            what_was_wrong: val(form, "what_was_wrong").into(),
        })
    }
    fn done(id: i64, _: &ServiceUser, _: &<App as Handles<cmd::RectifyPerson>>::Output) -> String {
        format!("/people/{id}")
    }
    fn said(
        _: &AppState,
        _: &ServiceUser,
        _: &<App as Handles<cmd::RectifyPerson>>::Output,
    ) -> Option<String> {
        Some("Their details are corrected, and the correction is on their record.".into())
    }
}

/// Changing a person's details as their life changes — a new number, a new address, the
/// format they now need: the form starts from what is held. Details that were wrong are
/// put right through [`Rectify`], which records what was wrong.
struct ChangeDetails;

impl FormStep for ChangeDetails {
    type Subject = ServiceUser;
    type Command = cmd::UpdatePerson;
    const PATH: &'static str = "/people/{id}/details";

    async fn spec(_: &AppState, _: &Signed, _: i64, _: &ServiceUser) -> SpecOrPage {
        Ok(Spec {
            heading: "Change their details".into(),
            intro: vec![
                "For a new number, address or format. If what was held was wrong, use Correct \
                 details that were wrong instead: that is recorded as a rectification."
                    .into(),
            ],
            fields: person_fields(),
            submit: "Save the changes",
            ..Spec::default()
        })
    }
    fn prefill(p: &ServiceUser) -> Option<Form> {
        Some(held(p))
    }
    async fn command(
        _: &AppState,
        _: &Signed,
        id: i64,
        _: &ServiceUser,
        form: &Form,
    ) -> Result<cmd::UpdatePerson, AppError> {
        // The whole record as the form shows it: an advocate unticked is taken away.
        Ok(cmd::UpdatePerson {
            person: PersonId(id),
            changes: tact_app::PersonChanges::from(person_input(form)?),
        })
    }
    fn done(id: i64, _: &ServiceUser, _: &<App as Handles<cmd::UpdatePerson>>::Output) -> String {
        format!("/people/{id}")
    }
    fn said(
        _: &AppState,
        _: &ServiceUser,
        _: &<App as Handles<cmd::UpdatePerson>>::Output,
    ) -> Option<String> {
        Some("Their details are changed.".into())
    }
}

// ----- merging two records of one person (issue 10) -----------------------------------

/// A person's id from their reference (`SU-000123`) or the bare number.
fn person_ref(text: &str) -> Result<PersonId, RuleError> {
    PersonId::from_reference(text)
        .or_else(|| {
            text.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .map(PersonId)
        })
        .ok_or_else(|| {
            let asked = "enter the other record's reference, such as SU-000123";
            RuleError::invalid(
                "merge",
                if text.trim().is_empty() {
                    asked.to_string()
                } else {
                    format!("{asked}, not {}", tact_core::error::shown(text))
                },
            )
        })
}

/// Merging another record of the same person into this one (issue 10).
struct Merge;

impl PersonStep for Merge {
    type Command = cmd::MergePeople;
    const PATH: &'static str = "/people/{id}/merge";

    async fn spec(_: &AppState, _: &Signed, _: i64) -> SpecOrPage {
        Ok(Spec {
            heading: "Merge another record of this person into this one".into(),
            intro: vec![
                "Use this when the same person has two records. Their numbers, addresses, matters, \
                 contacts, incidents, warnings, plans, adjustments, letters, tasks and messages move \
                 to this record, and the other record then leads here. This cannot be undone."
                    .into(),
            ],
            fields: vec![
                Field::new("text", "merge", "The other record's reference")
                    .hint("For example, SU-000123")
                    .width(10),
                Field::new(
                    "textarea",
                    "reason",
                    "How you know these are the same person",
                )
                .required(),
            ],
            submit: "Merge the records",
            ..Spec::default()
        })
    }
    fn command(_: &AppState, _: &Signed, id: i64, form: &Form) -> Result<Self::Command, RuleError> {
        Ok(cmd::MergePeople {
            kept: PersonId(id),
            merged: person_ref(val(form, "merge"))?,
            reason: val(form, "reason").into(),
        })
    }
    fn said(
        _: &AppState,
        (kept, _): &<App as Handles<cmd::MergePeople>>::Output,
    ) -> Option<String> {
        Some(format!(
            "The records are merged into {}.",
            kept.name_and_reference()
        ))
    }
}

/// Adding a person: their name, numbers, addresses, advocate and preferred format. Opened from
/// the incoming-contact page, it starts with the caller's number or address; opened from a
/// message from an unknown sender, with their address and name, and once they are added it
/// goes on to match the message to them.
struct NewPerson;

/// The message a new person's form was opened from, from its link (`message=` in the query).
fn from_message(query: &Form) -> Option<i64> {
    query.get("message")?.parse().ok().filter(|id| *id > 0)
}

impl FormStep for NewPerson {
    type Subject = Form;
    type Command = cmd::CreatePerson;
    const PATH: &'static str = "/people/new";

    async fn spec(_: &AppState, _: &Signed, _: i64, query: &Form) -> SpecOrPage {
        let message = from_message(query);
        Ok(Spec {
            heading: "Add a new person".into(),
            caption: "People".into(),
            intro: message
                .map(|m| {
                    format!("The sender of message {m}. Once they are added, you match the message to them.")
                })
                .into_iter()
                .collect(),
            fields: person_fields(),
            submit: "Add them",
            action: message.map_or_else(String::new, |m| format!("{}?message={m}", Self::PATH)),
            ..Spec::default()
        })
    }
    fn prefill(query: &Form) -> Option<Form> {
        let mut form = Form::new();
        if let Some(id) = query.get("who").and_then(|w| Identifier::parse(w).ok()) {
            let key = if matches!(id, Identifier::Email(_)) {
                "emails"
            } else {
                "phones"
            };
            form.insert(key.to_string(), id.key().to_string());
        }
        if let Some(name) = query.get("name") {
            form.insert("name".to_string(), name.clone());
        }
        (!form.is_empty()).then_some(form)
    }
    async fn command(
        _: &AppState,
        _: &Signed,
        _: i64,
        _: &Form,
        form: &Form,
    ) -> Result<cmd::CreatePerson, AppError> {
        Ok(cmd::CreatePerson {
            input: person_input(form)?,
        })
    }
    fn done(_: i64, query: &Form, p: &ServiceUser) -> String {
        match from_message(query) {
            Some(m) => format!("/messages/{m}/match?reference={}", p.reference),
            None => format!("/people/{}", p.id),
        }
    }
    fn said(_: &AppState, query: &Form, p: &ServiceUser) -> Option<String> {
        Some(match from_message(query) {
            Some(_) => format!(
                "{} is added ({}). Match the message to them below.",
                p.name, p.reference
            ),
            None => format!("{} is added ({}).", p.name, p.reference),
        })
    }
}

// ----- matters --------------------------------------------------------------------------

/// Opening a matter for a person.
struct OpenMatter;

impl PersonStep for OpenMatter {
    type Command = cmd::OpenMatter;
    const PATH: &'static str = "/people/{id}/matter";

    async fn spec(_: &AppState, _: &Signed, _: i64) -> SpecOrPage {
        Ok(Spec {
            heading: "Open a matter".into(),
            intro: vec!["A complaint, case, query or request they have raised.".into()],
            fields: vec![
                Field::new("select", "kind", "What kind of matter").options(
                    MatterKind::ALL.map(|k| (k.as_str().to_string(), capital(k.as_str()))),
                ),
                Field::new("text", "title", "What it is about")
                    .required()
                    .hint("For example, Handling of a burglary report"),
            ],
            submit: "Open it",
            ..Spec::default()
        })
    }
    fn command(_: &AppState, _: &Signed, id: i64, form: &Form) -> Result<Self::Command, RuleError> {
        Ok(cmd::OpenMatter {
            person: PersonId(id),
            kind: crate::ui_forms::chosen(form, "kind", MatterKind::parse, "choose what it is")?,
            title: val(form, "title").into(),
        })
    }
    fn said(_: &AppState, m: &tact_core::model::Matter) -> Option<String> {
        Some(format!("Matter {} is opened: {}.", m.reference, m.title))
    }
}

/// Changing a matter's status; a finalised matter has the date it was finalised.
struct MatterStatusStep;

impl FormStep for MatterStatusStep {
    type Subject = tact_core::model::Matter;
    type Command = cmd::SetMatterStatus;
    const PATH: &'static str = "/matters/{id}/status";

    async fn spec(state: &AppState, _: &Signed, _: i64, m: &Self::Subject) -> SpecOrPage {
        let p = &state.app.profile;
        let mut status =
            Field::new("select", "status", "Status").options(MatterStatus::ALL.map(|s| {
                (
                    s.as_str().to_string(),
                    capital(&s.as_str().replace('-', " ")),
                )
            }));
        status.value = m.status.as_str().to_string();
        Ok(Spec {
            heading: "Change a matter's status".into(),
            caption: crate::ui::matter_label(m),
            intro: vec![format!(
                "When it is finalised, its records are kept for {} years from that date, then \
                 destroyed.",
                p.rules.retention_years_after_finalised
            )],
            fields: vec![
                status,
                Field::new(
                    "date",
                    "finalised_on",
                    "If finalised: the date it was finalised",
                )
                .hint("Leave it empty for any other status. For example, 20 11 2026"),
            ],
            submit: "Save",
            back: format!("/people/{}", m.person_id),
            ..Spec::default()
        })
    }
    async fn command(
        _: &AppState,
        _: &Signed,
        _: i64,
        m: &Self::Subject,
        form: &Form,
    ) -> Result<Self::Command, AppError> {
        Ok(cmd::SetMatterStatus {
            matter: m.id,
            status: crate::ui_forms::chosen(
                form,
                "status",
                MatterStatus::parse,
                "choose where it stands",
            )?,
            finalised_on: crate::ui_forms::date_field(form, "finalised_on")?,
        })
    }
    fn done(_: i64, m: &Self::Subject, _: &<App as Handles<Self::Command>>::Output) -> String {
        format!("/people/{}", m.person_id)
    }
    fn said(_: &AppState, _: &Self::Subject, m: &tact_core::model::Matter) -> Option<String> {
        Some(format!(
            "{} is now {}.",
            m.reference,
            m.status.as_str().replace('-', " ")
        ))
    }
}

// ----- withdrawing a plan, and applying it to another matter ----------------------------

/// Withdrawing a draft or proposed plan, with the reason.
struct Withdraw;

impl step::ReasonStep for Withdraw {
    const STEP: wf::PlanStep = wf::PlanStep::Withdraw;
    const PATH: &'static str = "/plans/{id}/withdraw";

    fn words(p: &tact_core::profile::Profile) -> step::ReasonWords {
        let plan = &p.terms.plan;
        step::ReasonWords {
            heading: format!("Withdraw the {plan}"),
            intro: format!(
                "A draft or proposed {plan} that is no longer wanted is withdrawn, with the reason."
            ),
            label: "Why it is withdrawn",
            submit: "Withdraw it",
        }
    }
    fn command(reason: String) -> wf::PlanCommand {
        wf::PlanCommand::Withdraw { reason }
    }
}

/// The chosen matter, or a refusal on the field.
fn matter_chosen(form: &Form, missing: &str) -> Result<MatterId, RuleError> {
    crate::ui_forms::choice(form, "matter_id", MatterId, missing)
}

/// Applying a plan to another of the person's matters, with the reason (CLE-9.14; NOR-6.2).
struct Apply;

impl PlanForm for Apply {
    const STEP: wf::PlanStep = wf::PlanStep::ApplyToMatter;
    const PATH: &'static str = "/plans/{id}/apply";

    /// Offers only the matters core's [`wf::matter_refusal`] lets it apply to, says why each
    /// other one (not already covered) cannot be chosen, and where none can be, answers
    /// with that refusal (409) instead of a form that cannot be sent.
    async fn spec(state: &AppState, signed: &Signed, plan: &tact_core::model::Plan) -> SpecOrPage {
        let p = &state.app.profile;
        let matters = crate::ui_forms::matters_of(state, signed, plan.person_id).await?;
        let choices = wf::other_matters(p, plan, &matters);
        let offered = crate::offer::offer(
            choices,
            "matter_id",
            &wf::no_matter_to_apply(p).message,
            "Why some matters are not offered",
            |_, e| {
                format!(
                    "{}.",
                    crate::ui_forms::refusal_words(&e.message, e.clause.as_deref())
                )
            },
        )
        .map_err(|e| crate::ui::refusal(state, signed, AppError::Rule(e)))?;
        Ok(Spec {
            heading: format!("Apply the {} to another matter", p.terms.plan),
            intro: {
                let mut intro = vec![format!(
                    "A new matter is judged on its own merits unless a manager applies the {} to \
                     it, with the reason ({}).",
                    p.terms.plan,
                    cited(&p.clauses.new_matters)
                )];
                if p.rules.restriction_requires_review_exhausted {
                    intro.push(format!(
                        "The matter's internal review route must be exhausted first ({}).",
                        cited(&p.clauses.review_exhausted)
                    ));
                }
                if p.rules.applying_to_a_matter_needs_authorisation {
                    intro.push(format!(
                        "Unless you may authorise a {} yourself, this asks for that decision ({}).",
                        p.terms.plan,
                        cited(&p.clauses.authorise_role)
                    ));
                }
                if p.rules.notice_before_effect {
                    intro.push(format!(
                        "It takes effect once the person has been told in writing ({}).",
                        cited(&p.clauses.notice_first)
                    ));
                } else {
                    intro.push(format!(
                        "It takes effect at once, and the person must be told ({}).",
                        cited(&p.clauses.changes_told)
                    ));
                }
                intro
            },
            why_not: offered.why_not,
            fields: vec![
                Field::new("select", "matter_id", "Which matter")
                    .options(offered.open.iter().copied().map(crate::ui::matter_option)),
                Field::new(
                    "textarea",
                    "reason",
                    "Why it should apply to this matter too",
                )
                .required(),
            ],
            submit: "Apply it",
            ..Spec::default()
        })
    }
    fn command(
        _: &AppState,
        _: &tact_core::model::Plan,
        form: &Form,
    ) -> Result<wf::PlanCommand, RuleError> {
        Ok(wf::PlanCommand::ApplyToMatter {
            matter: matter_chosen(form, "choose the matter")?,
            reason: val(form, "reason").into(),
        })
    }
}

/// The page where a member of staff takes `step` on plan `id`, and its label. Which steps to
/// offer is core's answer ([`wf::available_steps`]); this only says where each one is.
pub fn step_link(id: i64, step: wf::PlanStep) -> Option<(String, String)> {
    use wf::PlanStep as P;
    let (path, label) = match step {
        P::AnswerChecklist => ("checklist", "Answer the checklist"),
        P::Authorise => ("decision", "Authorise or refuse"),
        P::RecordNotice => ("notice", "Record the written notice"),
        P::Review => ("review", "Review"),
        P::Vary => ("vary", "Change"),
        P::Lift => ("lift", "Lift"),
        P::RaiseDispute => ("dispute", "Record a dispute"),
        P::Withdraw => ("withdraw", "Withdraw"),
        P::ApplyToMatter => ("apply", "Apply to another matter"),
        P::DecideMatter => ("matters", "Decide on applying it to another matter"),
        // Proposing is the button on the plan page; refusing is on the decision page; a
        // dispute is decided from the dispute.
        P::Propose | P::Refuse | P::DecideDispute => return None,
    };
    Some((format!("/plans/{id}/{path}"), label.to_string()))
}

// ----- deciding on applying a plan to another matter (NOR-6.2) ----------------------------

/// A senior manager's decision on a request to apply the plan to another matter (NOR-6.2).
struct DecideMatter;

impl PlanForm for DecideMatter {
    const STEP: wf::PlanStep = wf::PlanStep::DecideMatter;
    const PATH: &'static str = "/plans/{id}/matters";

    async fn spec(state: &AppState, signed: &Signed, plan: &tact_core::model::Plan) -> SpecOrPage {
        let p = &state.app.profile;
        let matters = crate::ui_forms::matters_of(state, signed, plan.person_id).await?;
        Ok(Spec {
            heading: format!("Decide on applying the {} to another matter", p.terms.plan),
            intro: vec![format!(
                "Applying the {} to another matter restricts contact about it, so it needs your \
                 decision ({}). If you authorise it, it takes effect once the person has been \
                 told in writing ({}).",
                p.terms.plan,
                cited(&p.clauses.authorise_role),
                cited(&p.clauses.notice_first)
            )],
            fields: vec![Field::new("select", "matter_id", "Which request").options(
                plan.pending_matters
                    .iter()
                    .filter(|m| m.authorised_by.is_none())
                    .map(|m| {
                        let name = crate::ui::matter_named(&matters, m.matter_id);
                        (m.matter_id.0.to_string(), format!("{name}: {}", m.reason))
                    }),
            )]
            .into_iter()
            .chain(crate::ui_forms::decision_fields(
                "approve",
                ("yes", "Authorise"),
                ("no", "Refuse"),
                "reason",
            ))
            .collect(),
            submit: "Record the decision",
            ..Spec::default()
        })
    }
    fn command(
        _: &AppState,
        _: &tact_core::model::Plan,
        form: &Form,
    ) -> Result<wf::PlanCommand, RuleError> {
        Ok(wf::PlanCommand::DecideMatter {
            matter: matter_chosen(form, "choose the request")?,
            approve: pick(
                form,
                "approve",
                &[("yes", true), ("no", false)],
                "choose authorise or refuse",
            )?,
            reason: val(form, "reason").into(),
        })
    }
}

// ----- further action ---------------------------------------------------------------------

/// Further action: a police referral, legal advice or legal action (CLE-10; NOR-5.8).
struct FurtherAction;

impl PersonStep for FurtherAction {
    type Command = cmd::RecordFurtherAction;
    const PATH: &'static str = "/people/{id}/further-action";

    async fn spec(state: &AppState, _: &Signed, _: i64) -> SpecOrPage {
        let p = &state.app.profile;
        Ok(Spec {
            heading: "Record further action".into(),
            intro: vec![format!(
                "A referral to the police, legal advice or legal action, with the reasons. Notice \
                 beforehand is not always needed; if none is given, say why ({}).",
                cited(&p.clauses.further_action)
            )],
            fields: vec![
                Field::new("select", "kind", "What action")
                    .options(crate::ui_forms::to_choose(
                        "Choose what was done",
                        [
                            (FurtherActionKind::PoliceReferral, "Referral to the police"),
                            (FurtherActionKind::LegalAdvice, "Legal advice"),
                            (FurtherActionKind::LegalAction, "Legal action"),
                        ]
                        .map(|(k, words)| (k.as_str().to_string(), words.to_string())),
                    ))
                    .ask("Select what was done"),
                Field::new("textarea", "reasons", "The reasons").required(),
                Field::new("radios", "prior_notice", "Were they told beforehand?")
                    .options(yes_no()),
                Field::new("textarea", "no_notice_reason", "If not: why not"),
            ],
            submit: "Record it",
            ..Spec::default()
        })
    }
    fn command(_: &AppState, _: &Signed, id: i64, form: &Form) -> Result<Self::Command, RuleError> {
        Ok(cmd::RecordFurtherAction {
            person: PersonId(id),
            input: wf::FurtherActionInput {
                kind: crate::ui_forms::chosen(
                    form,
                    "kind",
                    FurtherActionKind::parse,
                    "select what was done",
                )?,
                reasons: val(form, "reasons").into(),
                prior_notice_given: pick(
                    form,
                    "prior_notice",
                    &[("yes", true), ("no", false)],
                    "say whether they were told beforehand",
                )?,
                no_notice_reason: Some(val(form, "no_notice_reason").to_string())
                    .filter(|s| !s.is_empty()),
            },
        })
    }
    fn said(_: &AppState, f: &tact_core::model::FurtherAction) -> Option<String> {
        Some(format!(
            "{} is recorded.",
            capital(&f.kind.as_str().replace('-', " "))
        ))
    }
}

impl step::Subject for ServiceUser {
    async fn load(state: &AppState, signed: &Signed, id: i64) -> Result<Self, Response> {
        step::read(state, signed, q::Person { id: PersonId(id) }).await
    }
    fn caption(&self, _: &AppState) -> String {
        self.name_and_reference()
    }
}

impl step::Subject for tact_core::model::Matter {
    async fn load(state: &AppState, signed: &Signed, id: i64) -> Result<Self, Response> {
        step::read(state, signed, q::Matter { id: MatterId(id) }).await
    }
    fn person(&self) -> Option<tact_core::ids::PersonId> {
        Some(self.person_id)
    }
}
