//! The one entry for reads (issue 11): `App::query(&actor, query)` (a read needs only who
//! is asking; a write's `Ctx` also carries its idempotency key). Every read a door makes
//! is a query type here, and each names the read kind core authorises it under
//! ([`tact_core::command::read`]): `query` asks core first ([`Reads::permit`]), then answers,
//! and a read of what restricts a person (their plans, incidents, history, letters) goes on
//! the access log where it is answered. A door cannot answer a query without `query`: the
//! [`Asked`] token is made only here.
//!
//! Declared with one line each: the query's fields, its read kind, what it answers and how.

use crate::letters::Document;
use crate::mail::MessageContent;
use crate::retention::Due;
use crate::{App, Ctx, PersonRecord, Result};
use std::collections::HashMap;
use tact_core::audit::StoredEntry;
use tact_core::command::read::{self, Reads};
use tact_core::correspondence::{LetterStatus, Route, StoredLetter, StoredMessage};
use tact_core::governance::{Period, Report};
use tact_core::ids::*;
use tact_core::model::{self as m, Access, ServiceUser, Staff, TaskKind};
use tact_core::rights::RightsRequest;
use tact_core::roles::Actor;
use tact_core::sharing;

/// A read a door makes: what it answers, and the read kind whose role check comes first.
pub trait Query: Send {
    /// What the query answers.
    type Output;
    /// The read kind core checks the asker's role against.
    type Kind: Reads;
}

/// How the app answers one kind of [`Query`]. Only [`App::query`] calls it, after the role
/// check: `Asked` is the proof, and only this module can make one.
pub trait Answers<Q: Query> {
    fn answer(
        &self,
        ctx: &Ctx,
        query: Q,
        asked: Asked,
    ) -> impl std::future::Future<Output = Result<Q::Output>> + Send;
}

/// Proof that a query passed [`App::query`]'s role check.
pub struct Asked(());

impl App {
    /// The one entry for every read a door makes: the asker's role is checked against the
    /// query's read kind under the loaded profile, then the query is answered (and, for a
    /// person's restrictions, incidents, history or letters, put on the access log).
    ///
    /// # Errors
    /// A role refusal (403); then as the read: no such record (404), the store's error.
    pub async fn query<Q: Query>(&self, actor: &Actor, query: Q) -> Result<Q::Output>
    where
        Self: Answers<Q>,
    {
        <Q::Kind as Reads>::permit(&self.profile, actor)?;
        self.answer(&Ctx::new(actor.clone()), query, Asked(()))
            .await
    }

    /// A read that adds to an answer rather than makes it: [`App::query`], with `None` where
    /// it is refused (a role that may not make it, a record not there), so the answer goes
    /// on without it.
    ///
    /// # Errors
    /// A failure to read (the database, a row that does not decode): never a `None` that
    /// would look as if nothing were there.
    pub async fn query_if_allowed<Q: Query>(
        &self,
        actor: &Actor,
        query: Q,
    ) -> Result<Option<Q::Output>>
    where
        Self: Answers<Q>,
    {
        match self.query(actor, query).await {
            Ok(v) => Ok(Some(v)),
            Err(crate::AppError::Rule(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

macro_rules! queries {
    ($(
        $(#[$meta:meta])*
        $name:ident { $($field:ident: $fty:ty),* $(,)? } reads $kind:ty => $out:ty,
        |$app:ident, $ctx:ident, $q:ident| $body:expr;
    )*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name { $(pub $field: $fty),* }

        impl Query for $name {
            type Output = $out;
            type Kind = $kind;
        }

        impl Answers<$name> for App {
            #[allow(unused_variables)]
            async fn answer(&self, $ctx: &Ctx, $q: $name, _: Asked) -> Result<$out> {
                let $app = self;
                $body
            }
        }
    )*};
}

queries! {
    /// A person.
    Person { id: PersonId } reads read::Records => ServiceUser,
        |app, ctx, q| app.read_person(q.id).await;
    /// Everything held about a person, as their record page shows it.
    Record { id: PersonId } reads read::Records => PersonRecord,
        |app, ctx, q| app.person_record(&ctx.actor, q.id).await;
    /// People by name, reference, number or address, each with whether a plan restricts
    /// them now (the search page's results).
    FindPeople { text: String } reads read::Records => Vec<(ServiceUser, bool)>,
        |app, ctx, q| app.find_people(&q.text).await;
    /// People by name, reference, number or address.
    Search { text: String } reads read::Records => Vec<ServiceUser>,
        |app, ctx, q| app.search(&q.text).await;
    /// "Name (reference)", for a page's caption.
    Label { id: PersonId } reads read::Records => Option<String>,
        |app, ctx, q| app.person_label(q.id).await;
    /// People's names and references by id, for lists.
    Names { ids: Vec<PersonId> } reads read::Records => HashMap<PersonId, (String, String)>,
        |app, ctx, q| app.names_of(&q.ids).await;
    /// A person's matters.
    Matters { person: PersonId } reads read::Records => Vec<m::Matter>,
        |app, ctx, q| app.matters_of(q.person).await;
    /// One matter.
    Matter { id: MatterId } reads read::Records => m::Matter,
        |app, ctx, q| app.read_matter(q.id).await;
    /// A person's contacts, newest first.
    Contacts { person: PersonId, limit: i64 } reads read::Records => Vec<m::Contact>,
        |app, ctx, q| app.contacts_of(q.person, q.limit).await;
    /// One contact.
    Contact { id: ContactId } reads read::Records => m::Contact,
        |app, ctx, q| app.read_contact(q.id).await;
    /// A person's incidents (on the access log).
    Incidents { person: PersonId } reads read::Records => Vec<m::Incident>,
        |app, ctx, q| app.logged(&ctx.actor, q.person, "incidents", app.store.incidents_of(q.person)).await;
    /// The warnings a person was given (CLE-9.1; NOR-5.2).
    Warnings { person: PersonId } reads read::Records => Vec<m::Warning>,
        |app, ctx, q| Ok(app.store.warnings_of(q.person).await?);
    /// A person's plans (on the access log).
    Plans { person: PersonId } reads read::Records => Vec<m::Plan>,
        |app, ctx, q| app.logged(&ctx.actor, q.person, "plans", app.store.plans_of(q.person)).await;
    /// One plan, to work on it (a form about it).
    Plan { id: PlanId } reads read::Records => m::Plan,
        |app, ctx, q| app.plan(q.id).await;
    /// One plan opened to read it (its page, the API): on the access log, as it says what
    /// restricts the person.
    ViewPlan { id: PlanId } reads read::Records => m::Plan,
        |app, ctx, q| app.view_plan(&ctx.actor, q.id).await;
    /// What a plan's steps are checked against: the person's incidents, warnings, matters,
    /// adjustments and tasks, and the staff (for the steps a page offers on a plan:
    /// `workflow::available_steps_in`).
    PlanContextOf { person: PersonId } reads read::Records => tact_core::workflow::PlanRecords,
        |app, ctx, q| app.plan_records(q.person).await;
    /// A plan's person's conduct since it took effect, for its review (NOR-8.2; on the
    /// access log).
    Conduct { plan: PlanId } reads read::Records => crate::reads::ConductSince,
        |app, ctx, q| app.conduct_since(&ctx.actor, q.plan).await;
    /// The equality monitoring report (issue 13): counts by answer, unsuppressed for the
    /// door to suppress as it shows them.
    EqualityReport {} reads read::Equality => tact_core::equality::Report,
        |app, ctx, q| app.equality_report().await;
    /// A person's own equality monitoring answers, for their subject access bundle only
    /// (the DPO's read: the person is entitled to what is held about them).
    EqualityOf { person: PersonId } reads read::DataRights => Option<tact_core::equality::Monitoring>,
        |app, ctx, q| app.equality_of(q.person).await;
    /// Every record of a kind as CSV, for the office's own reporting (issue 14); every
    /// person in it on the access log.
    Export { kind: crate::export::ExportKind } reads read::Export => Vec<u8>,
        |app, ctx, q| app.export_csv(&ctx.actor, q.kind).await;
    /// A member of staff's telephone extension, if they have one (issue 14).
    Extension { staff: StaffId } reads read::StaffDirectory => Option<String>,
        |app, ctx, q| Ok(app.store.extension_of(q.staff).await?);
    /// Where a person's records were imported from (issue 14): source, the source's id,
    /// kind, row and when.
    ImportedFrom { person: PersonId } reads read::Records => Vec<crate::import::Origin>,
        |app, ctx, q| app.imported_from(q.person).await;
    /// Whether a person has equality monitoring answers on record (never what they are).
    HasEquality { person: PersonId } reads read::Records => bool,
        |app, ctx, q| app.has_equality(q.person).await;
    /// The evidence beside a decision on a plan: incidents, warnings, checklist, contact
    /// over time, adjustments, the proposer and the letter (issue 13).
    DecisionEvidence { plan: PlanId, decision: crate::evidence::Decision } reads read::Records => crate::evidence::DecisionEvidence,
        |app, ctx, q| app.decision_evidence(&ctx.actor, q.plan, q.decision).await;
    /// One request for a reasonable adjustment (on the access log as the reader's opening
    /// of the person's adjustments).
    Adjustment { id: AdjustmentId } reads read::Records => m::Adjustment,
        |app, ctx, q| app.opened(&ctx.actor, app.store.adjustment(q.id).await?, q.id, |a| a.person_id).await;
    /// A person's reasonable adjustments (on the access log).
    Adjustments { person: PersonId } reads read::Records => Vec<m::Adjustment>,
        |app, ctx, q| app.read_adjustments(&ctx.actor, q.person).await;
    /// One incident (on the access log as the reader's opening of the person's incidents).
    Incident { id: IncidentId } reads read::Records => m::Incident,
        |app, ctx, q| app.opened(&ctx.actor, app.store.incident(q.id).await?, q.id, |i| i.person_id).await;
    /// One warning.
    Warning { id: WarningId } reads read::Records => m::Warning,
        |app, ctx, q| app.read_warning(q.id).await;
    /// One dispute.
    Dispute { id: DisputeId } reads read::Records => m::Dispute,
        |app, ctx, q| app.read_dispute(q.id).await;
    /// The disputes about one plan, oldest first (NOR-7.1), for its page.
    PlanDisputes { plan: PlanId } reads read::Records => Vec<m::Dispute>,
        |app, ctx, q| app.plan_disputes(q.plan).await;
    /// A person's history on the event log (on the access log).
    History { person: PersonId } reads read::Records => Vec<StoredEntry>,
        |app, ctx, q| app.logged(&ctx.actor, q.person, "history", app.store.audit_of(q.person)).await;
    /// The legal hold on a person's records, if any (NOR-9.1).
    Hold { person: PersonId } reads read::Records => Option<(i64, String)>,
        |app, ctx, q| app.hold_on(q.person).await;
    /// One letter (on the access log).
    Letter { id: i64 } reads read::Records => StoredLetter,
        |app, ctx, q| app.read_letter(&ctx.actor, q.id).await;
    /// Which letters about a plan may be written now, and why each other one may not.
    PlanLetters { plan: PlanId } reads read::Records
        => Vec<(tact_core::correspondence::PlanLetter, Option<tact_core::RuleError>)>,
        |app, ctx, q| app.plan_letters(q.plan).await;
    /// A person's letters (on the access log).
    LettersOf { person: PersonId } reads read::Records => Vec<StoredLetter>,
        |app, ctx, q| app.letters_of(&ctx.actor, q.person).await;
    /// A letter as a PDF or Word document: its bytes, type and file name.
    LetterDocument { id: i64, doc: Document } reads read::Records
        => (Vec<u8>, &'static str, String),
        |app, ctx, q| app.letter_document(&ctx.actor, q.id, q.doc).await;
    /// Whether the event log's hash chain is whole: how many entries, or where it breaks.
    VerifyLog {} reads read::Records
        => std::result::Result<u64, tact_core::audit::ChainBreak>,
        |app, ctx, q| app.verify_audit().await;

    /// What a phone system does with a call (issue 14): the contact check's verdict for the
    /// caller, routed by core ([`tact_core::routing::route_call`]), with the extension of the
    /// member of staff it goes to. Asked as the contact check is, and on the access log the
    /// same way.
    RouteCall {
        caller: tact_core::routing::Caller,
        at: jiff::Timestamp,
    } reads read::ContactCheck => crate::Routed,
        |app, ctx, q| {
            let phone = tact_core::profile::Channel::Phone;
            let who = q.caller.number.clone().map(tact_core::identity::Identifier::Phone);
            let asked = Check { caller: who, channel: phone, staff: None, at: q.at, matter: None, person: None };
            let checked = app.check_as(&ctx.actor, asked).await?;
            let routing = tact_core::routing::route_call(&checked.verdict, &app.profile.terms.plan, &q.caller);
            let extension = match routing.route {
                tact_core::routing::Route::PutThrough { to: Some(s) } => app.store.extension_of(s).await?,
                _ => None,
            };
            Ok(crate::Routed { routing, extension, checked })
        };
    /// The contact check (CLE-9.9, 9.10; NOR-5.5): what staff may and must do with a contact
    /// from `caller` (none: the number was withheld, or staff give none) on `channel` at
    /// `at`, taken by `staff`, about `matter`, from `person` where staff know who it is. Any
    /// member of staff may ask; one that showed a person's restrictions or adjustments is on
    /// the access log as the asker's.
    Check {
        caller: Option<tact_core::identity::Identifier>,
        channel: tact_core::profile::Channel,
        staff: Option<StaffId>,
        at: jiff::Timestamp,
        matter: Option<MatterId>,
        person: Option<PersonId>,
    } reads read::ContactCheck => crate::Checked,
        |app, ctx, q| app.check_as(&ctx.actor, q).await;
    /// Every member of staff: the names pages show beside a record.
    Colleagues {} reads read::Anyone => Vec<Staff>,
        |app, ctx, q| app.staff_directory().await;
    /// API tokens: `holder`'s (their own, or an administrator's look), or everyone's for
    /// an administrator (issue 12). Never the secrets.
    Tokens { holder: Option<StaffId> } reads read::Anyone => Vec<m::ApiToken>,
        |app, ctx, q| app.tokens_of(&ctx.actor, q.holder).await;
    /// One member of staff.
    Colleague { id: StaffId } reads read::Anyone => Staff,
        |app, ctx, q| app.staff_member(q.id).await;
    /// One task.
    Task { id: TaskId } reads read::Anyone => m::Task,
        |app, ctx, q| app.task(q.id).await;
    /// The asker's open tasks and their role's, of one kind or all.
    MyTasks { kind: Option<TaskKind>, limit: i64 } reads read::Anyone => Vec<m::Task>,
        |app, ctx, q| app.my_tasks_of(&ctx.actor, q.kind, q.limit).await;
    /// How many open tasks of each kind the asker has.
    MyTaskCounts {} reads read::Anyone => Vec<(TaskKind, i64)>,
        |app, ctx, q| app.my_task_counts(&ctx.actor).await;
    /// How many letters are in one state (a count, no personal data).
    LetterCount { status: LetterStatus } reads read::Anyone => i64,
        |app, ctx, q| app.count_letters(q.status).await;
    /// How many messages went one way (a count, no personal data).
    RoutedCount { route: Route } reads read::Anyone => i64,
        |app, ctx, q| app.count_routed(q.route).await;

    /// Letters in one state, oldest first: the print queue, failed email.
    LettersIn { status: LetterStatus } reads read::Letters => Vec<StoredLetter>,
        |app, ctx, q| app.letters_in(q.status).await;

    /// Contacts waiting for screening (CLE-9.10).
    ScreeningQueue { limit: i64 } reads read::Screening => Vec<m::Contact>,
        |app, ctx, q| app.screening_queue(q.limit).await;
    /// Messages that went one way: quarantine, unknown sender, inbox.
    Messages { route: Route, limit: i64 } reads read::Screening => Vec<StoredMessage>,
        |app, ctx, q| app.messages_in(q.route, q.limit).await;
    /// One message.
    Message { id: i64 } reads read::Records => StoredMessage,
        |app, ctx, q| app.read_message(&ctx.actor, q.id).await;
    /// One message with its raw text and attachments.
    MessageWithContent { id: i64 } reads read::Records => (StoredMessage, MessageContent),
        |app, ctx, q| app.message_content(&ctx.actor, q.id).await;

    /// Open data-rights requests, with their deadlines.
    RightsRequests {} reads read::DataRights => Vec<RightsRequest>,
        |app, ctx, q| app.open_rights_requests().await;
    /// One data-rights request.
    RightsRequestOf { id: i64 } reads read::DataRights => RightsRequest,
        |app, ctx, q| app.rights_request(q.id).await;
    /// The register of disposals (NOR-9.1): what went, when and by whom.
    DisposalRegister { limit: i64 } reads read::Retention
        => Vec<tact_core::retention::RegisterEntry>,
        |app, ctx, q| app.disposal_register(q.limit).await;
    /// Every legal hold in place (NOR-9.1): whose records are kept past their disposal date.
    HoldsInPlace {} reads read::Retention => Vec<tact_core::retention::LegalHold>,
        |app, ctx, q| app.holds_in_place().await;
    /// Where one person's records stand under the retention rule (NOR-9.1): the day they
    /// fall due, or why they are kept.
    DisposalOf { person: PersonId } reads read::Retention => tact_core::retention::Disposal,
        |app, ctx, q| app.disposal_of(q.person).await;
    /// Who is due for disposal now: the dry run.
    DueForDisposal {} reads read::Retention => Vec<Due>,
        |app, ctx, q| app.due_for_disposal().await;

    /// Plans in force whose review is due by a date.
    ReviewsDue { by: jiff::civil::Date } reads read::Reviews => Vec<m::Plan>,
        |app, ctx, q| app.reviews_due(q.by).await;
    /// The governance report for a period.
    Governance { period: Period } reads read::Governance => Report,
        |app, ctx, q| app.governance(q.period).await;
    /// Who opened whose records, newest first.
    AccessLog { person: Option<PersonId>, limit: i64 } reads read::AccessLog => Vec<Access>,
        |app, ctx, q| app.access_log(q.person, q.limit).await;
    /// What was shared with partners (CLE-9.15).
    DisclosureLog { limit: i64 } reads read::DisclosureLog => Vec<sharing::Disclosure>,
        |app, ctx, q| app.disclosure_log(q.limit).await;
    /// One request to share.
    Disclosure { id: DisclosureId } reads read::DisclosureLog => sharing::Disclosure,
        |app, ctx, q| app.read_disclosure(q.id).await;
}
