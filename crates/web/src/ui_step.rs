//! The UI's one form abstraction (issue 11): a form step is the record it is about, its
//! fields, and the typed command it builds. From a [`FormStep`] come both halves of the
//! page — the GET that shows the form only to a role the command allows (its kind's
//! action and clause, asked of core: `command::permit_kind`) and only for a record that
//! exists, and the POST that reads the form into the command, hands it to `App::execute` and either goes on to the
//! next page or puts the form back with the refusal on the field it names, with the status
//! the API would give. The form token is checked by [`Posted`] before any of it.

use crate::ui::or_page;
use crate::ui::{refusal, Posted, Signed};
use crate::ui::{PagePath, PageQuery};
use crate::ui_forms::{
    capital, forbidden, not_found_page, refused, show, val, Field, Spec, SpecOrPage,
};
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;
use std::future::Future;
use std::marker::PhantomData;
use tact_app::query as q;
use tact_app::{App, AppError, Ctx, Handles};
use tact_core::command::{self as cmd, Command, Fixed};
use tact_core::ids::PlanId;
use tact_core::model::Plan;
use tact_core::workflow::{PlanCommand, PlanStep};
use tact_core::RuleError;

/// A form's answers, by field name.
pub(crate) type Form = HashMap<String, String>;

/// What a form is about, loaded from the id in its path — or the page to answer with
/// instead (not found, refused). One way to load each kind of record, for every form about it.
pub(crate) trait Subject: Sized + Send + Sync {
    fn load(
        state: &AppState,
        signed: &Signed,
        id: i64,
    ) -> impl Future<Output = Result<Self, Response>> + Send;

    /// What a form about it is captioned with, unless the form says otherwise.
    fn caption(&self, _state: &AppState) -> String {
        String::new()
    }

    /// The service user it is about, where it is about one: a form about it names them,
    /// linked to their page, so whoever decides sees whose record it is.
    fn person(&self) -> Option<tact_core::ids::PersonId> {
        None
    }
}

/// A record read through `App::query`, or the page its refusal is (not found, forbidden).
pub(crate) async fn read<Q: tact_app::query::Query>(
    state: &AppState,
    signed: &Signed,
    query: Q,
) -> Result<Q::Output, Response>
where
    App: tact_app::query::Answers<Q>,
{
    state
        .app
        .query(&signed.actor, query)
        .await
        .map_err(|e| refusal(state, signed, e))
}

/// A read that adds to a page rather than makes it: its answer, or `None` where it is
/// refused (a role that may not make it, a record not there) and the page goes on without
/// it. A failure to read — the database, a row that does not decode — is the error page,
/// never a gap that looks as if nothing were there.
pub(crate) async fn read_if_allowed<Q: tact_app::query::Query>(
    state: &AppState,
    signed: &Signed,
    query: Q,
) -> Result<Option<Q::Output>, Response>
where
    App: tact_app::query::Answers<Q>,
{
    state
        .app
        .query_if_allowed(&signed.actor, query)
        .await
        .map_err(|e| refusal(state, signed, e))
}

/// A plan, as every form about a plan loads it; captioned with the profile's word for it
/// and its number.
impl Subject for Plan {
    async fn load(state: &AppState, signed: &Signed, id: i64) -> Result<Self, Response> {
        plan(state, signed, id).await
    }
    fn caption(&self, state: &AppState) -> String {
        format!("{} {}", capital(&state.app.profile.terms.plan), self.id)
    }
    fn person(&self) -> Option<tact_core::ids::PersonId> {
        Some(self.person_id)
    }
}

/// A person, as a form about them sees them: their name and reference, for its caption.
impl Subject for String {
    async fn load(state: &AppState, signed: &Signed, id: i64) -> Result<Self, Response> {
        person(state, signed, id).await
    }
    fn caption(&self, _: &AppState) -> String {
        self.clone()
    }
}

/// A new record's form ([`route_new`]): what the link brought, given by the route, so there
/// is nothing to load.
impl Subject for Form {
    async fn load(_: &AppState, _: &Signed, _: i64) -> Result<Self, Response> {
        Ok(Form::new())
    }
}

/// A form about a record its command finds for itself (a letter about an adjustment): the
/// record's absence is the command's 404.
impl Subject for () {
    async fn load(_: &AppState, _: &Signed, _: i64) -> Result<Self, Response> {
        Ok(())
    }
}

/// Core's answer to "why may this member of staff not take this form's step on this
/// record now?" — none where they may: the refusal function the step itself asks first.
pub(crate) type Refusal<S> =
    fn(&tact_core::profile::Profile, &tact_core::roles::Actor, &S) -> Option<RuleError>;

/// A form's offer from core's answer to "why may this member of staff not take this step
/// on this record now?": none, or the refusal's page (the status and words the step itself
/// would answer with).
pub(crate) fn unless(
    state: &AppState,
    signed: &Signed,
    refused: Option<tact_core::RuleError>,
) -> Option<Response> {
    refused.map(|e| refusal(state, signed, e.into()))
}

/// One form: what it is about, what it shows, and the command it sends.
pub(crate) trait FormStep: Send + Sync + 'static {
    /// The record the form is about, loaded from the id in its path.
    type Subject: Subject;
    /// The command the form sends; its kind says which roles are shown the form.
    type Command: Command + Fixed + Send;

    /// The form's path, with `{id}` for the record's id.
    const PATH: &'static str;

    /// Loads the record, or the page to answer with instead (not found, refused): as every
    /// form about that kind of record loads it ([`Subject::load`]), unless a step says
    /// otherwise.
    fn load(
        state: &AppState,
        signed: &Signed,
        id: i64,
    ) -> impl Future<Output = Result<Self::Subject, Response>> + Send {
        Self::Subject::load(state, signed, id)
    }

    /// The page for a role that may not send the command: core's refusal for the command's
    /// kind ([`cmd::permit_kind`]), naming the roles that may and the clause, as the API's.
    fn role_refusal(state: &AppState, signed: &Signed) -> Option<Response> {
        forbidden::<Self::Command>(state, signed)
    }

    /// What the record rules out beyond the role (a plan step its status or its proposer
    /// rules out, a request already decided): the core function the step asks first.
    /// Nothing, unless a form names one.
    const REFUSED: Refusal<Self::Subject> = |_, _, _| None;

    /// Whether the form is offered on this record now: the page to show instead, if not
    /// ([`FormStep::REFUSED`]'s refusal). Asked before the form is shown; the command
    /// itself decides when it is sent.
    fn offer(state: &AppState, signed: &Signed, subject: &Self::Subject) -> Option<Response> {
        unless(
            state,
            signed,
            Self::REFUSED(&state.app.profile, &signed.actor, subject),
        )
    }

    /// The form, for this record.
    ///
    /// # Errors
    /// The page to show instead where a read the form is made from fails: a choice list
    /// left empty would read as if there were nothing to choose.
    fn spec(
        state: &AppState,
        signed: &Signed,
        id: i64,
        subject: &Self::Subject,
    ) -> impl Future<Output = SpecOrPage> + Send;

    /// What the form starts with, from the record (a change starts from what is there).
    fn prefill(_subject: &Self::Subject) -> Option<Form> {
        None
    }

    /// Where an answer goes on to another form instead of being sent (a review that changes
    /// the plan goes on to the change form), after the role check.
    fn goes_on(_id: i64, _form: &Form) -> Option<String> {
        None
    }

    /// Reads the form into the command (looking up what it names, where it must); a refusal
    /// names the field it is about.
    ///
    /// # Errors
    /// A refusal of the form's own input (a choice not made, a value that does not parse),
    /// or a lookup the form needs that failed (its error, not a refusal of the input).
    fn command(
        state: &AppState,
        signed: &Signed,
        id: i64,
        subject: &Self::Subject,
        form: &Form,
    ) -> impl Future<Output = Result<Self::Command, AppError>> + Send;

    /// Where to go once the command is done, from what it gave.
    fn done(
        id: i64,
        subject: &Self::Subject,
        out: &<App as Handles<Self::Command>>::Output,
    ) -> String
    where
        App: Handles<Self::Command>;

    /// What the command did, in a sentence for the page it goes to (the success banner):
    /// nothing, unless the form says it.
    fn said(
        _state: &AppState,
        _subject: &Self::Subject,
        _out: &<App as Handles<Self::Command>>::Output,
    ) -> Option<String>
    where
        App: Handles<Self::Command>,
    {
        None
    }
}

/// The form's GET and POST at its path.
pub(crate) fn route<S: FormStep>(router: Router<AppState>) -> Router<AppState>
where
    App: Handles<S::Command>,
{
    router.route(S::PATH, get(show_step::<S>).post(take_step::<S>))
}

/// A form with no record in its path (a new person, a new member of staff): as [`route`];
/// what it is about is what the link that opened it brought, its query (the caller's number
/// from the incoming-contact page), so [`FormStep::load`] is not asked.
pub(crate) fn route_new<S: FormStep<Subject = Form>>(router: Router<AppState>) -> Router<AppState>
where
    App: Handles<S::Command>,
{
    router.route(
        S::PATH,
        get(
            |State(state): State<AppState>, signed: Signed, PageQuery(q): PageQuery<Form>| async move {
                show_at::<S>(state, signed, 0, Some(q), Form::new()).await
            },
        )
        .post(
            |State(state): State<AppState>,
             PageQuery(q): PageQuery<Form>,
             Posted(signed, form): Posted| async move {
                take_at::<S>(state, signed, 0, Some(q), form).await
            },
        ),
    )
}

/// The form for record `id`. A link may fill in some of it through its query (the
/// incoming-contact page's "Log this call" gives the channel): what the record itself
/// fills in ([`FormStep::prefill`]) comes first, the link's values over it.
async fn show_step<S: FormStep>(
    State(state): State<AppState>,
    signed: Signed,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<Form>,
) -> Response {
    show_at::<S>(state, signed, id, None, q).await
}

/// The form for record `id`, or for `given` where the route supplies its subject.
async fn show_at<S: FormStep>(
    state: AppState,
    signed: Signed,
    id: i64,
    given: Option<S::Subject>,
    linked: Form,
) -> Response {
    if let Some(r) = S::role_refusal(&state, &signed) {
        return r;
    }
    let subject = match given {
        Some(s) => s,
        None => or_page!(S::load(&state, &signed, id).await),
    };
    if let Some(r) = S::offer(&state, &signed, &subject) {
        return r;
    }
    let spec = or_page!(spec_of::<S>(&state, &signed, id, &subject).await);
    let mut values = S::prefill(&subject);
    if !linked.is_empty() {
        values.get_or_insert_with(Form::new).extend(linked);
    }
    show(&state, &signed, spec, values.as_ref(), None)
}

/// The step's form for record `id`: captioned as its record is ([`Subject::caption`]),
/// posting to the step's own path, with "Back" one level up from there, wherever the form
/// does not say otherwise.
async fn spec_of<S: FormStep>(
    state: &AppState,
    signed: &Signed,
    id: i64,
    subject: &S::Subject,
) -> SpecOrPage {
    let mut spec = S::spec(state, signed, id, subject).await?;
    if spec.caption.is_empty() {
        spec.caption = subject.caption(state);
    }
    if let (None, Some(pid)) = (&spec.person, subject.person()) {
        let name = crate::ui_forms::person_caption(state, signed, pid.0).await?;
        spec.person = name.map(|n| (pid.0, n));
    }
    if spec.action.is_empty() {
        spec.action = S::PATH.replace("{id}", &id.to_string());
    }
    if spec.back.is_empty() {
        spec.back = spec
            .action
            .rsplit_once('/')
            .map_or_else(|| "/".to_string(), |(up, _)| up.to_string());
    }
    Ok(spec)
}

async fn take_step<S: FormStep>(
    State(state): State<AppState>,
    PagePath(id): PagePath<i64>,
    Posted(signed, form): Posted,
) -> Response
where
    App: Handles<S::Command>,
{
    take_at::<S>(state, signed, id, None, form).await
}

/// Takes the form for record `id`, or for `given` where the route supplies its subject.
async fn take_at<S: FormStep>(
    state: AppState,
    signed: Signed,
    id: i64,
    given: Option<S::Subject>,
    form: Form,
) -> Response
where
    App: Handles<S::Command>,
{
    // The role first, as for the form itself: a role the command does not allow is told
    // so, not what is wrong with what it typed.
    if let Some(r) = S::role_refusal(&state, &signed) {
        return r;
    }
    if let Some(to) = S::goes_on(id, &form) {
        return Redirect::to(&to).into_response();
    }
    let subject = match given {
        Some(s) => s,
        None => or_page!(S::load(&state, &signed, id).await),
    };
    let taken = async {
        // Every field no longer than it may hold (core's `error::within`, as the API asks
        // of every string it is sent, optional or not): an error on that field.
        if let Some(e) = crate::ui::first_refused(&form, tact_core::error::within) {
            return Err(e.into());
        }
        let command = S::command(&state, &signed, id, &subject, &form).await?;
        // Written under the showing of the form it came from: sent twice, saved once.
        let ctx = Ctx {
            key: form
                .get(crate::ui_forms::ONCE)
                .filter(|o| (1..=64).contains(&o.len()) && o.chars().all(|c| c.is_ascii_hexdigit()))
                .map(|o| format!("form:{o}")),
            ..Ctx::new(signed.actor.clone())
        };
        let out = state.app.execute(&ctx, command).await?;
        Ok::<_, AppError>((S::done(id, &subject, &out), S::said(&state, &subject, &out)))
    };
    match taken.await {
        Ok((to, said)) => crate::ui::said_and_go(&state, &to, said.as_deref()),
        // The same showing of the form sent again (a double click with the first still being
        // answered): nothing written the second time, and said so where "Back" goes.
        Err(AppError::Rule(r)) if r.field.as_deref() == Some("Idempotency-Key") => {
            let spec = or_page!(spec_of::<S>(&state, &signed, id, &subject).await);
            crate::ui::said_and_go(
                &state,
                &spec.back,
                Some("The form was sent twice: it was saved once, the first time."),
            )
        }
        Err(e) => {
            let spec = or_page!(spec_of::<S>(&state, &signed, id, &subject).await);
            refused(&state, signed, spec, &form, e)
        }
    }
}

/// A form about a person (`/people/{id}/…`): its caption is their name and reference, and
/// once done the person's page is next. Every such form is a [`FormStep`].
pub(crate) trait PersonStep: Send + Sync + 'static {
    type Command: Command + Fixed + Send;
    const PATH: &'static str;

    /// As [`FormStep::role_refusal`]; one command with two forms (recording behaviour, and
    /// ending a call) asks for the second form's own kind (`cmd::EndCall`).
    fn role_refusal(state: &AppState, signed: &Signed) -> Option<Response> {
        forbidden::<Self::Command>(state, signed)
    }

    /// The form, for person `id` (captioned with their name and reference unless it says
    /// otherwise).
    ///
    /// # Errors
    /// As [`FormStep::spec`].
    fn spec(state: &AppState, signed: &Signed, id: i64) -> impl Future<Output = SpecOrPage> + Send;

    /// Reads the form into the command.
    ///
    /// # Errors
    /// A refusal of the form's own input.
    fn command(
        state: &AppState,
        signed: &Signed,
        id: i64,
        form: &Form,
    ) -> Result<Self::Command, RuleError>;

    /// Where to go once done: the person's page, unless the step made a record of its own.
    fn done(id: i64, _out: &<App as Handles<Self::Command>>::Output) -> String
    where
        App: Handles<Self::Command>,
    {
        format!("/people/{id}")
    }

    /// As [`FormStep::said`].
    fn said(_state: &AppState, _out: &<App as Handles<Self::Command>>::Output) -> Option<String>
    where
        App: Handles<Self::Command>,
    {
        None
    }
}

/// A [`PersonStep`] as a [`FormStep`].
pub(crate) struct OnPerson<P>(PhantomData<P>);

impl<P: PersonStep> FormStep for OnPerson<P> {
    type Subject = String;
    type Command = P::Command;
    const PATH: &'static str = P::PATH;

    fn role_refusal(state: &AppState, signed: &Signed) -> Option<Response> {
        P::role_refusal(state, signed)
    }

    async fn spec(state: &AppState, signed: &Signed, id: i64, _: &String) -> SpecOrPage {
        P::spec(state, signed, id).await
    }
    async fn command(
        state: &AppState,
        signed: &Signed,
        id: i64,
        _: &String,
        form: &Form,
    ) -> Result<Self::Command, AppError> {
        Ok(P::command(state, signed, id, form)?)
    }
    fn done(id: i64, _: &String, out: &<App as Handles<Self::Command>>::Output) -> String
    where
        App: Handles<Self::Command>,
    {
        P::done(id, out)
    }
    fn said(
        state: &AppState,
        _: &String,
        out: &<App as Handles<Self::Command>>::Output,
    ) -> Option<String>
    where
        App: Handles<Self::Command>,
    {
        P::said(state, out)
    }
}

/// A form about a person: its GET and POST at its path.
pub(crate) fn route_person<P: PersonStep>(router: Router<AppState>) -> Router<AppState>
where
    App: Handles<P::Command>,
{
    route::<OnPerson<P>>(router)
}

/// A step on a plan as a form (`/plans/{id}/…`): shown only when core offers the step to
/// this member of staff on this plan now ([`workflow::step_refusal`]); sent as a
/// [`cmd::PlanStepCommand`]; the plan's page is next.
pub(crate) trait PlanForm: Send + Sync + 'static {
    /// The lifecycle step the form takes.
    const STEP: PlanStep;
    const PATH: &'static str;

    /// The form, for this plan.
    ///
    /// # Errors
    /// As [`FormStep::spec`].
    fn spec(
        state: &AppState,
        signed: &Signed,
        plan: &Plan,
    ) -> impl Future<Output = SpecOrPage> + Send;

    /// Reads the form into the step's command.
    ///
    /// # Errors
    /// A refusal of the form's own input.
    fn command(state: &AppState, plan: &Plan, form: &Form) -> Result<PlanCommand, RuleError>;

    /// As [`FormStep::prefill`].
    fn prefill(_plan: &Plan) -> Option<Form> {
        None
    }

    /// As [`FormStep::goes_on`].
    fn goes_on(_id: i64, _form: &Form) -> Option<String> {
        None
    }
}

/// A [`PlanForm`] as a [`FormStep`].
pub(crate) struct OnPlan<P>(PhantomData<P>);

impl<P: PlanForm> FormStep for OnPlan<P> {
    type Subject = Plan;
    type Command = cmd::PlanStepCommand;
    const PATH: &'static str = P::PATH;

    fn role_refusal(state: &AppState, signed: &Signed) -> Option<Response> {
        let profile = &state.app.profile;
        let refused = tact_core::roles::authorise(
            profile,
            &signed.actor,
            P::STEP.action(),
            P::STEP.role_clause(profile),
        )
        .err();
        unless(state, signed, refused)
    }
    const REFUSED: Refusal<Plan> =
        |p, a, plan| tact_core::workflow::step_refusal(p, a, plan, P::STEP);
    async fn spec(state: &AppState, signed: &Signed, _: i64, plan: &Plan) -> SpecOrPage {
        P::spec(state, signed, plan).await
    }
    fn prefill(plan: &Plan) -> Option<Form> {
        P::prefill(plan)
    }
    fn goes_on(id: i64, form: &Form) -> Option<String> {
        P::goes_on(id, form)
    }
    async fn command(
        state: &AppState,
        _: &Signed,
        _: i64,
        plan: &Plan,
        form: &Form,
    ) -> Result<Self::Command, AppError> {
        Ok(cmd::PlanStepCommand {
            plan: plan.id,
            command: P::command(state, plan, form)?,
        })
    }
    fn done(id: i64, _: &Plan, _: &<App as Handles<Self::Command>>::Output) -> String {
        format!("/plans/{id}")
    }
    /// Where the plan stands now ([`plan_standing`]).
    fn said(state: &AppState, _: &Plan, plan: &Plan) -> Option<String> {
        Some(plan_standing(state, plan))
    }
}

/// Where a plan stands now, as core says it (`check::standing`), with its next review
/// while it restricts: "Communication plan 20: in force, review by 1 June 2027."; a plan
/// decided that binds nothing yet says why (`check::not_binding`: not yet told in writing,
/// say). What a step on a plan says it did.
pub(crate) fn plan_standing(state: &AppState, plan: &Plan) -> String {
    let p = &state.app.profile;
    let now = state.app.now();
    if let Some(why) = tact_core::check::not_binding(p, plan, now) {
        return why;
    }
    let review = if tact_core::check::restricts(p, plan, now) {
        format!(
            ", review by {}",
            tact_core::check::long_date(plan.review_due)
        )
    } else {
        String::new()
    };
    format!(
        "{} {}: {}{review}.",
        tact_core::check::capital(&p.terms.plan),
        plan.id,
        tact_core::check::standing(p, plan, now)
    )
}

/// A step on a plan: its GET and POST at its path.
pub(crate) fn route_plan<P: PlanForm>(router: Router<AppState>) -> Router<AppState> {
    route::<OnPlan<P>>(router)
}

/// A plan step whose only answer is the reason for it: withdrawing or lifting a plan.
pub(crate) trait ReasonStep: Send + Sync + 'static {
    const STEP: PlanStep;
    const PATH: &'static str;
    /// What the page says: its heading, what follows from the step, the question for the
    /// reason and the button, in the profile's words.
    fn words(profile: &tact_core::profile::Profile) -> ReasonWords;
    /// The step's command, with the reason given.
    fn command(reason: String) -> PlanCommand;
}

/// The words of a [`ReasonStep`]'s page.
pub(crate) struct ReasonWords {
    pub heading: String,
    pub intro: String,
    pub label: &'static str,
    pub submit: &'static str,
}

/// A [`ReasonStep`] as a [`PlanForm`].
pub(crate) struct ByReason<R>(PhantomData<R>);

impl<R: ReasonStep> PlanForm for ByReason<R> {
    const STEP: PlanStep = R::STEP;
    const PATH: &'static str = R::PATH;

    async fn spec(state: &AppState, _: &Signed, plan: &Plan) -> SpecOrPage {
        let profile = &state.app.profile;
        let words = R::words(profile);
        let id = plan.id.0;
        Ok(Spec {
            heading: words.heading,
            caption: format!("{} {id}", capital(&profile.terms.plan)),
            intro: vec![words.intro],
            action: R::PATH.replace("{id}", &id.to_string()),
            fields: vec![Field::new("textarea", "reason", words.label).required()],
            submit: words.submit,
            back: format!("/plans/{id}"),
            ..Spec::default()
        })
    }
    fn command(_: &AppState, _: &Plan, form: &Form) -> Result<PlanCommand, RuleError> {
        Ok(R::command(val(form, "reason").into()))
    }
}

/// Lets a router chain a form step's routes: `.pipe(step::route::<S>)`.
pub(crate) trait Pipe: Sized {
    fn pipe(self, f: impl FnOnce(Self) -> Self) -> Self {
        f(self)
    }
}

impl Pipe for Router<AppState> {}

/// The subject of a form about a plan: the plan, or its refusal page (not found).
pub(crate) async fn plan(state: &AppState, signed: &Signed, id: i64) -> Result<Plan, Response> {
    state
        .app
        .query(&signed.actor, q::Plan { id: PlanId(id) })
        .await
        .map_err(|e| refusal(state, signed, e))
}

/// The subject of a form about a person: their name and reference, for the caption.
pub(crate) async fn person(state: &AppState, signed: &Signed, id: i64) -> Result<String, Response> {
    crate::ui_forms::person_caption(state, signed, id)
        .await?
        .ok_or_else(|| not_found_page(state, signed, "person"))
}
