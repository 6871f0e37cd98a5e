//! Tact's use cases. Each operation loads what the core needs, lets the core decide,
//! and writes the decision — records, audit events, tasks — in one transaction. Every
//! door (JSON API, CLI, later the web UI and mail) calls these and nothing else, so a
//! rule of the policy is enforced the same way whichever door a request comes through.

pub mod access;
pub mod equality;
pub mod evidence;
pub mod export;
pub mod feed;
pub mod governance;
pub mod import;
pub mod index;
pub mod jobs;
pub mod letters;
pub mod mail;
pub mod makers;
pub mod query;
pub mod reads;
pub mod retention;
pub mod rights;
#[cfg(feature = "testing")]
pub mod testing;
pub mod writer;

use index::ContactIndex;
use jiff::civil::Date;
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};
use tact_core::audit::{AuditAction, AuditEvent};
use tact_core::check::{self, CheckRequest, PersonView, Verdict};
use tact_core::command as cmd;
use tact_core::identity::{EmailAddress, Identifier};
use tact_core::ids::*;
use tact_core::model::*;
use tact_core::profile::{Channel, Profile};
use tact_core::roles::{authorise, Action, Actor, Role};
use tact_core::sharing;
use tact_core::workflow::{self as wf, Decision, PlanRecords};
use tact_core::RuleError;
use tact_store::{Store, StoreError, TaskFilter, WriteTx};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Rule(#[from] RuleError),
    #[error("{0}")]
    Store(#[from] StoreError),
    /// A mail server could not be reached or refused us.
    #[error("{0}")]
    Mail(#[from] tact_mail::imap::ImapError),
    /// A document could not be made here: the program that makes it (liblouis, eSpeak NG,
    /// LAME) is missing or failed, or the writer could not set the letter. Nothing the one
    /// who asked sent was wrong, and nothing was changed.
    #[error("{0}")]
    Unavailable(String),
    /// Every turn to make a document was taken for as long as a request waits
    /// (`makers`): nothing was changed, and it may be asked again after `retry_after`
    /// seconds.
    #[error("{message}")]
    Busy { message: String, retry_after: u64 },
}

pub type Result<T> = std::result::Result<T, AppError>;

impl AppError {
    /// A rule's refusal named by the field the door's request used for what it refers to
    /// (`merge` for the person merged, `matter_id` for a contact's matter); any other error
    /// as it is.
    #[must_use]
    pub(crate) fn on_field(self, field: &str) -> Self {
        match self {
            Self::Rule(r) => Self::Rule(r.with_field(field)),
            other => other,
        }
    }
}

pub(crate) fn not_found(field: &str, what: String) -> AppError {
    AppError::Rule(RuleError::not_found(field, what))
}

/// A record a door names by its id, and what its absence is called: the field the id came
/// in and the record's name in words, the same at every door.
pub(crate) trait Named {
    const FIELD: &'static str;
    const NAME: &'static str;
}

macro_rules! named {
    ($($t:ty => $field:literal, $name:literal;)*) => {
        $(impl Named for $t {
            const FIELD: &'static str = $field;
            const NAME: &'static str = $name;
        })*
    };
}

named! {
    tact_core::rights::RightsRequest => "data_rights_id", "data-rights request";
    Staff => "staff_id", "member of staff";
    ServiceUser => "person_id", "service user";
    Matter => "matter_id", "matter";
    Contact => "contact_id", "contact";
    Incident => "incident_id", "incident";
    Warning => "warning_id", "warning";
    Adjustment => "adjustment_id", "adjustment";
    Dispute => "dispute_id", "dispute";
    sharing::Disclosure => "disclosure_id", "request to share";
    Task => "task_id", "task";
    tact_core::correspondence::StoredLetter => "letter_id", "letter";
    Arc<PersonView> => "person_id", "service user";
}

/// A record looked up by id, or the 404 that names what is missing ("no matter 7").
pub(crate) trait Found<T> {
    /// # Errors
    /// Not found, naming the record and its id.
    fn found(self, id: impl std::fmt::Display) -> Result<T>;
}

impl<T: Named> Found<T> for Option<T> {
    fn found(self, id: impl std::fmt::Display) -> Result<T> {
        self.ok_or_else(|| not_found(T::FIELD, format!("no {} {id}", T::NAME)))
    }
}

/// Where the time comes from: the system clock, or a fixed time for tests and demos.
///
/// Every time it gives is to the microsecond, the precision the store keeps, so what a
/// step answers (a matter's `opened_at` as it is made) is what reading the record back
/// later answers: the system clock's nanoseconds would be in the first answer only.
#[derive(Clone, Default)]
pub struct Clock(Option<Arc<Mutex<Timestamp>>>);

impl Clock {
    pub fn fixed(at: Timestamp) -> Self {
        Self(Some(Arc::new(Mutex::new(as_kept(at)))))
    }
    pub fn now(&self) -> Timestamp {
        self.0
            .as_ref()
            .map_or_else(|| as_kept(Timestamp::now()), |t| *t.lock().expect("clock"))
    }
    pub fn set(&self, at: Timestamp) {
        if let Some(t) = &self.0 {
            *t.lock().expect("clock") = as_kept(at);
        }
    }
}

/// `at` to the whole microsecond, as the store keeps an instant.
fn as_kept(at: Timestamp) -> Timestamp {
    Timestamp::from_microsecond(at.as_microsecond()).unwrap_or(at)
}

/// Who is acting, the request's idempotency key if it has one, and where a long command
/// reports its progress (a bar on the CLI's terminal; nothing elsewhere).
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: Actor,
    pub key: Option<String>,
    pub progress: Option<Progress>,
}

impl Ctx {
    pub fn new(actor: Actor) -> Self {
        Self {
            actor,
            key: None,
            progress: None,
        }
    }

    /// The event this member of staff's decision goes on the event log as.
    pub fn event(
        &self,
        at: Timestamp,
        action: AuditAction,
        subject: impl Into<String>,
    ) -> AuditEvent {
        AuditEvent::new(at, self.actor.id, action, subject)
    }

    /// Tells whoever watches that `done` of `total` steps are done.
    pub(crate) fn report(&self, done: u64, total: u64) {
        if let Some(p) = &self.progress {
            (p.0)(done, total);
        }
    }
}

/// Where a long command (disposal) reports how far it has got: called with the steps done
/// and the steps in all.
#[derive(Clone)]
pub struct Progress(pub Arc<dyn Fn(u64, u64) + Send + Sync>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}

/// How the app takes one kind of [`cmd::Command`]: loads what the core needs, lets the core
/// decide, writes the decision in one transaction and refreshes what the caches hold. Only
/// [`App::execute`] calls it, after the command's role check.
pub trait Handles<C: cmd::Command> {
    /// What the command gives back once done.
    type Output;

    /// Takes the command; `Executed` is the proof that [`App::execute`] checked its role,
    /// and only this crate can make one, so no door can call this directly.
    fn handle(
        &self,
        ctx: &Ctx,
        command: C,
        executed: Executed,
    ) -> impl std::future::Future<Output = Result<Self::Output>> + Send;
}

/// Proof that a command passed [`App::execute`]'s role check: its field is private, so it
/// is made only in this crate, by `execute`.
pub struct Executed(());

impl App {
    /// The one entry for every staff action, whichever door it came from (API, UI, CLI,
    /// demo): the actor's role is checked against the command's action under the loaded
    /// profile ([`cmd::permit`]) before anything is read, then the command is taken
    /// ([`Handles::handle`]).
    ///
    /// # Errors
    /// A role refusal (403); then as the command's own rule.
    pub async fn execute<C>(&self, ctx: &Ctx, command: C) -> Result<<Self as Handles<C>>::Output>
    where
        C: cmd::Command + Send,
        Self: Handles<C>,
    {
        cmd::permit(&self.profile, &ctx.actor, &command)?;
        self.handle(ctx, command, Executed(())).await
    }
}

/// CLE-9.11; NOR-5.8: the reminder after a breach, sent and kept as a contact.
impl Handles<cmd::SendBreachReminder> for App {
    type Output = Reminded;

    async fn handle(&self, ctx: &Ctx, c: cmd::SendBreachReminder, _: Executed) -> Result<Reminded> {
        self.send_breach_reminder(ctx, c.task, c.input).await
    }
}

/// A breach reminder sent (CLE-9.11; NOR-5.8): the outbound contact that keeps it, and the
/// letter it went as by email or post (none by phone or in person), for a door to say
/// where it stands (in the print queue, say).
#[derive(Debug, Clone)]
pub struct Reminded {
    pub contact: Contact,
    pub letter: Option<tact_core::correspondence::StoredLetter>,
}

/// A member of staff's telephone extension (issue 14), checked by core.
impl Handles<cmd::SetExtension> for App {
    /// The extension as kept (`None`: taken away).
    type Output = Option<String>;

    async fn handle(&self, ctx: &Ctx, c: cmd::SetExtension, _: Executed) -> Result<Option<String>> {
        let extension = c
            .extension
            .as_deref()
            .map(tact_core::routing::check_extension)
            .transpose()?;
        self.staff_member(c.staff).await?;
        let mut tx = self.begin().await?;
        tx.set_extension(c.staff, extension.as_deref())
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => AppError::Rule(
                    RuleError::conflict(
                        "LOCAL",
                        format!(
                            "another member of staff has the extension {}",
                            extension.clone().unwrap_or_default()
                        ),
                    )
                    .with_field("extension"),
                ),
                other => other.into(),
            })?;
        tx.audit(&[ctx
            .event(
                self.now(),
                AuditAction::StaffChanged,
                format!("staff:{}", c.staff),
            )
            .detail("extension", extension.as_deref().unwrap_or("none"))])
            .await?;
        self.finish(tx, ctx, &format!("staff:{}", c.staff)).await?;
        self.after_write().await;
        Ok(extension)
    }
}

/// A new member of staff as a command; the bootstrap with no actor (`tact init`, `tact
/// staff add` by the operator) calls [`App::create_staff`] directly.
impl Handles<cmd::CreateStaff> for App {
    type Output = Staff;

    async fn handle(&self, ctx: &Ctx, c: cmd::CreateStaff, _: Executed) -> Result<Staff> {
        let by = Some(ctx);
        match &c.sign_in {
            Some((username, password)) => {
                self.create_staff_signing_in(
                    by,
                    &c.name,
                    c.role,
                    c.email,
                    c.line_manager,
                    username,
                    password,
                )
                .await
            }
            None => {
                self.create_staff(by, &c.name, c.role, c.email, c.line_manager)
                    .await
            }
        }
    }
}

/// Logging a contact from a door: the check's verdict and any breach ([`App::log_contact`]).
impl Handles<cmd::LogContact> for App {
    type Output = Logged;

    async fn handle(&self, ctx: &Ctx, c: cmd::LogContact, _: Executed) -> Result<Logged> {
        self.log_contact(ctx, c.input).await
    }
}

pub use tact_core::model::{PersonChanges, PersonInput};

/// Every identifier of a person, own and advocate's, with the field it came from.
fn identifiers_with_fields(p: &ServiceUser) -> Vec<(String, &'static str)> {
    p.holdings()
        .into_iter()
        .map(|h| (h.key, h.held.field()))
        .collect()
}

/// A member of staff's open tasks, theirs by name or their role's, of one kind or all.
fn open_tasks_of(actor: &Actor, kind: Option<TaskKind>) -> TaskFilter {
    TaskFilter {
        open_only: true,
        assignee: Some(actor.id),
        role: Some(actor.role),
        kind,
        ..Default::default()
    }
}

/// Everything the person page needs in one read.
#[derive(Debug, Clone)]
pub struct PersonRecord {
    pub person: ServiceUser,
    /// Their matters, incidents, warnings, adjustments and tasks, and the staff: the records
    /// a step on one of their plans is checked against (`workflow::available_steps_in`), read
    /// as the step itself reads them.
    pub records: PlanRecords,
    pub contacts: Vec<Contact>,
    pub plans: Vec<Plan>,
    pub disputes: Vec<Dispute>,
    pub further_actions: Vec<FurtherAction>,
    /// Requests to share with partners, and what was shared (CLE-9.15).
    pub disclosures: Vec<sharing::Disclosure>,
    /// Their data-rights requests (issue 5).
    pub rights: Vec<tact_core::rights::RightsRequest>,
    /// Letters and emails received from them, newest first.
    pub messages: Vec<tact_core::correspondence::StoredMessage>,
    /// Letters and emails Tact wrote to them, as written, newest first.
    pub letters: Vec<tact_core::correspondence::StoredLetter>,
}

/// The result of logging a contact.
#[derive(Debug, Clone)]
pub struct Logged {
    pub contact: Contact,
    pub verdict: Verdict,
    pub tasks: Vec<TaskId>,
}

#[derive(Clone)]
pub struct App {
    pub(crate) store: Store,
    pub profile: Arc<Profile>,
    pub index: Arc<ContactIndex>,
    pub clock: Clock,
    contacts: writer::ContactWriter,
    access: writer::AccessWriter,
    /// Where this process stands on the change feed.
    pub feed: Arc<feed::Feed>,
    tokens: Arc<feed::TokenCache>,
    /// Whether this process keeps a contact-check index (a server does; the CLI asks the
    /// database).
    keeps_index: bool,
    /// How long a web session lasts, idle and at most (`[sessions]` in `tact.toml`).
    pub session_limits: tact_core::roles::SessionLimits,
    /// Whether a password sign-in needs a second factor (`[sign_in] second_factor =
    /// "required"` in `tact.toml`; issue 12).
    pub second_factor_required: bool,
    /// How many documents are made at once, and how long a request waits its turn
    /// (`[documents]` in `tact.toml`).
    pub makers: makers::Makers,
}

/// A call routed (issue 14): the route, the extension it goes to where it goes to a member
/// of staff who has one, and the contact check it rests on.
#[derive(Debug, Clone)]
pub struct Routed {
    pub routing: tact_core::routing::Routing,
    pub extension: Option<String>,
    pub checked: Checked,
}

/// What the contact check answered, and how fresh that answer is.
#[derive(Debug, Clone)]
pub struct Checked {
    pub verdict: Verdict,
    pub freshness: feed::Freshness,
}

/// Checks, inside the write, that each identifier `p` gains is held by nobody else unless
/// marked shared (issue 10; the rule is `identity::may_hold`). Identifiers `p` already
/// had are not checked again.
async fn claim_identifiers(
    tx: &mut WriteTx,
    p: &ServiceUser,
    had: &[(String, &'static str)],
) -> Result<()> {
    for (key, field) in identifiers_with_fields(p) {
        if had.iter().any(|(k, _)| *k == key) {
            continue;
        }
        tx.lock_identifier(&key).await?;
        let others: Vec<tact_core::identity::Holder> = tx
            .identifier_holders(&key, p.id)
            .await?
            .into_iter()
            .map(|(person, reference, name, _)| tact_core::identity::Holder {
                person,
                reference,
                name,
            })
            .collect();
        tact_core::identity::may_hold(&key, field, &others, p.shared_identifiers.contains(&key))?;
    }
    Ok(())
}

/// Hashes an API token for storage; the token itself is never kept.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl App {
    /// Opens the app over a migrated store, at the change feed's head, with an empty index.
    async fn open(store: Store, profile: Profile, clock: Clock, keeps_index: bool) -> Result<Self> {
        let seq = store.change_seq().await?;
        let contacts = writer::ContactWriter::spawn(store.writer().await?);
        let access = writer::AccessWriter::spawn(store.clone());
        let app = Self {
            store,
            profile: Arc::new(profile),
            index: Arc::new(ContactIndex::empty()),
            clock,
            contacts,
            access,
            feed: Arc::new(feed::Feed::at(seq)),
            tokens: Arc::default(),
            keeps_index,
            session_limits: tact_core::roles::SessionLimits::default(),
            second_factor_required: false,
            makers: makers::Makers::default(),
        };
        Ok(app)
    }

    /// Opens the app over a migrated store, loads the contact-check index, and follows
    /// the change feed in the background.
    ///
    /// # Errors
    /// The store's error.
    pub async fn new(store: Store, profile: Profile, clock: Clock) -> Result<Self> {
        let app = Self::open(store, profile, clock, true).await?;
        app.load_index().await?;
        tokio::spawn(app.clone().follow());
        Ok(app)
    }

    /// Opens the app for a server: answers at once (from the database) while the index
    /// loads in the background, and follows the change feed.
    ///
    /// # Errors
    /// The store's error.
    pub async fn start(store: Store, profile: Profile, clock: Clock) -> Result<Self> {
        let app = Self::open(store, profile, clock, true).await?;
        let loading = app.clone();
        tokio::spawn(async move {
            let t = std::time::Instant::now();
            match loading.load_index().await {
                Ok(()) => {
                    let (ids, people, views) = loading.index.sizes();
                    tracing::info!(
                        ids,
                        people,
                        views,
                        ms = t.elapsed().as_millis() as u64,
                        "contact-check index ready"
                    );
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot load the contact-check index; answering from the database")
                }
            }
        });
        tokio::spawn(app.clone().follow());
        tokio::spawn(app.clone().keep_sealing());
        Ok(app)
    }

    /// Seals new contacts on the event log every second while serving (issue 12), so a
    /// contact is covered by the chain within about a second of being logged, whichever
    /// server logged it; a failure is logged and tried again at the next tick.
    async fn keep_sealing(self) {
        let mut tick = tokio::time::interval(SEAL_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match self.seal_contacts().await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(contacts = n, "contacts sealed on the event log"),
                Err(e) => tracing::warn!(error = %e, "cannot seal contacts on the event log"),
            }
        }
    }

    /// Opens the app for one command of the CLI: no index (the contact check asks the
    /// database) and no follower; its writes reach running servers through the feed.
    ///
    /// # Errors
    /// The store's error.
    pub async fn without_index(store: Store, profile: Profile, clock: Clock) -> Result<Self> {
        Self::open(store, profile, clock, false).await
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The same app on another clock (the demo moves time forward as it builds an office).
    #[must_use]
    pub fn with_clock(&self, clock: Clock) -> Self {
        Self {
            clock,
            ..self.clone()
        }
    }

    fn today(&self) -> Date {
        check::uk_date(self.now())
    }

    async fn begin(&self) -> Result<WriteTx> {
        Ok(self.store.begin().await?)
    }

    /// Ends the write of a new record: names the decision's tasks and events after it
    /// (`subject`, such as `warning:7`), writes them, and commits as [`Self::finish`]. Gives
    /// the tasks' ids.
    async fn finish_new<T: Sync>(
        &self,
        mut tx: WriteTx,
        ctx: &Ctx,
        subject: &str,
        d: &Decision<T>,
    ) -> Result<Vec<TaskId>> {
        let ids = tx.tasks_about(&d.tasks, subject, self.now()).await?;
        tx.audit_for(&d.events, subject).await?;
        self.finish(tx, ctx, subject).await?;
        Ok(ids)
    }

    /// Ends a write: keeps the idempotency key with what was made, then commits.
    async fn finish(&self, mut tx: WriteTx, ctx: &Ctx, made: &str) -> Result<()> {
        self.keep_key(&mut tx, Some(ctx), made).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Keeps the request's idempotency key (if it has one) in `tx` with what was made: the
    /// same key sent again is refused (409, field `Idempotency-Key`) and writes nothing.
    /// No context (the operator setting up at the console) keeps nothing. A write that
    /// could fail a second time for its own reason (a username taken by the first) keeps
    /// the key before that, so a form sent twice is told so rather than refused.
    async fn keep_key(&self, tx: &mut WriteTx, ctx: Option<&Ctx>, made: &str) -> Result<()> {
        let Some((key, ctx)) = ctx.and_then(|c| c.key.as_ref().map(|k| (k, c))) else {
            return Ok(());
        };
        tx.keep_response(key, ctx.actor.id, made, self.now())
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => AppError::Rule(RuleError {
                    kind: tact_core::RuleErrorKind::Conflict,
                    clause: None,
                    field: Some("Idempotency-Key".into()),
                    message: "this request was already submitted (same Idempotency-Key); nothing was written again".into(),
                    overridden_by: None,
                }),
                other => other.into(),
            })
    }

    // ----- staff -------------------------------------------------------------------

    /// Keeps on the access log that `actor` opened `what` of person `id`'s record (their
    /// restrictions, incidents or adjustments). Called by every view that shows them.
    ///
    /// # Errors
    /// The store's error.
    pub(crate) async fn record_access(
        &self,
        actor: &Actor,
        id: PersonId,
        what: &str,
    ) -> Result<()> {
        let entry = tact_core::model::Access {
            person_id: id,
            staff_id: actor.id,
            at: self.now(),
            what: what.to_string(),
        };
        Ok(self.access.log(&self.store, entry).await?)
    }

    /// A record read by its id, on the access log as the reader's opening of it ("adjustment
    /// 7"): `row` as the store found it (none: the 404 naming it), and whose record it is.
    ///
    /// # Errors
    /// No such record; the store's error.
    pub(crate) async fn opened<T: Named>(
        &self,
        actor: &Actor,
        row: Option<T>,
        id: impl std::fmt::Display + Copy,
        person: impl Fn(&T) -> PersonId,
    ) -> Result<T> {
        let r = row.found(id)?;
        self.record_access(actor, person(&r), &format!("{} {id}", T::NAME))
            .await?;
        Ok(r)
    }

    /// Waits until every access-log entry queued so far is written (readers of the log, the
    /// subject access bundle and disposal call this first).
    ///
    /// # Errors
    /// The database's error.
    pub async fn flush_access_log(&self) -> Result<()> {
        Ok(self.access.flush().await?)
    }

    /// A contact check that showed a person's restrictions or adjustments is an opening of
    /// them: kept on the access log. One that found no one, or nothing about them, is not.
    ///
    /// # Errors
    /// The store's error.
    pub(crate) async fn record_check_access(&self, actor: &Actor, v: &Verdict) -> Result<()> {
        let shown = !v.restrictions.is_empty() || !v.adjustments.is_empty();
        if !shown {
            return Ok(());
        }
        // A shared identifier shows the restrictions of everyone it could be.
        for p in v
            .person
            .into_iter()
            .chain(v.candidates.iter().map(|c| c.person))
        {
            self.record_access(actor, p, "the contact check: their plans and adjustments")
                .await?;
        }
        Ok(())
    }

    /// The contact check as `actor` asks it (a withheld number, `None`, is asked about as
    /// such), on the access log where it showed a person's restrictions or adjustments. The
    /// person staff say is calling (`q.person`) is who it is from, whatever the number says,
    /// as a contact logged naming them is theirs; the matter it is about
    /// ([`check::matter_asked_about`], CLE-10.4) is theirs, and says who is calling where
    /// staff do not: which of several people sharing the number, or who, where it names no
    /// one. The check answers for that person alone.
    ///
    /// # Errors
    /// A member of staff, person or matter that is not there; a matter of someone else's;
    /// the store's error.
    pub(crate) async fn check_as(&self, actor: &Actor, q: crate::query::Check) -> Result<Checked> {
        // The member of staff taking it is someone on the staff list, as a contact logged
        // names them.
        if let Some(s) = q.staff.filter(|s| *s != actor.id) {
            if self.store.staff(s).await?.is_none() {
                return Err(not_found("staff", format!("no member of staff {s}")));
            }
        }
        let started = std::time::Instant::now();
        let (mut found, source) = match &q.caller {
            Some(c) => self.who_uses(c.key()).await?,
            None => (Vec::new(), feed::Source::Index),
        };
        if let Some(p) = q.person {
            found = self.the_one_named(found, p, "person").await?;
        }
        if let Some(m) = q.matter {
            let p = self.named_by_matter(&found, m).await?;
            found = self.the_one_named(found, p, "matter").await?;
        }
        let req = CheckRequest {
            identifier: q.caller.clone(),
            channel: q.channel,
            staff: q.staff,
            at: q.at,
            matter: q.matter,
            via_advocate: false,
        };
        let checked = if q.caller.is_none() && found.is_empty() {
            self.contact_check_withheld(&req)
        } else {
            self.contact_check(&found, source, &req, started)
        };
        self.record_check_access(actor, &checked.verdict).await?;
        Ok(checked)
    }

    /// Of the people a number names (`found`), the one staff named (`p`), as found there
    /// (through their advocate, where it is their advocate's), or from the index or the
    /// database where the number does not name them.
    ///
    /// # Errors
    /// No such person, naming `field` (what named them); the store's error.
    async fn the_one_named(
        &self,
        found: Vec<index::Found>,
        p: PersonId,
        field: &str,
    ) -> Result<Vec<index::Found>> {
        if let Some(f) = found.into_iter().find(|f| f.view.id == Some(p)) {
            return Ok(vec![f]);
        }
        let view = self
            .view_of(p)
            .await?
            .ok_or_else(|| not_found(field, format!("no service user {p}")))?;
        Ok(vec![index::Found {
            view,
            via_advocate: false,
        }])
    }

    /// Whose contact one about matter `m` is, of the people a number names (`found`): core's
    /// [`check::matter_asked_about`] (CLE-10.4), asked by the contact check and by logging
    /// a contact alike.
    ///
    /// # Errors
    /// No such matter, or none of theirs (not found on `matter`); the store's error.
    async fn named_by_matter(&self, found: &[index::Found], m: MatterId) -> Result<PersonId> {
        let owner = self.store.matter(m).await?.map(|x| x.person_id);
        let callers: Vec<PersonId> = found.iter().filter_map(|f| f.view.id).collect();
        Ok(check::matter_asked_about(
            &self.profile,
            m,
            owner,
            &callers,
        )?)
    }

    /// Who opened a person's record (or anyone's), newest first: for the DPO and auditors.
    ///
    /// # Errors
    /// A role refusal or the store's error.
    pub(crate) async fn access_log(
        &self,
        person: Option<PersonId>,
        limit: i64,
    ) -> Result<Vec<tact_core::model::Access>> {
        self.flush_access_log().await?;
        Ok(self.store.access_log(person, limit).await?)
    }

    /// Adds a member of staff. The first member of staff may be created by the system (no actor).
    ///
    /// # Errors
    /// A role refusal or the store's error.
    pub async fn create_staff(
        &self,
        by: Option<&Ctx>,
        name: &str,
        role: Role,
        email: Option<EmailAddress>,
        line_manager: Option<StaffId>,
    ) -> Result<Staff> {
        let mut tx = self.begin().await?;
        let s = self
            .insert_new_staff(&mut tx, by, name, role, email, line_manager, None)
            .await?;
        tx.commit().await?;
        Ok(s)
    }

    /// A service account (issue 12): a system's own record, acting under its name with only
    /// what `scope` allows. It has no password, so it never signs in; an administrator mints
    /// its tokens.
    ///
    /// # Errors
    /// A role refusal; no name.
    pub async fn create_service_account(
        &self,
        by: Option<&Ctx>,
        name: &str,
        scope: tact_core::roles::Scope,
    ) -> Result<Staff> {
        let mut tx = self.begin().await?;
        let s = self
            .insert_new_staff(&mut tx, by, name, Role::Caseworker, None, None, Some(scope))
            .await?;
        tx.commit().await?;
        Ok(s)
    }

    /// A new member of staff with their sign-in details, in one transaction: a username
    /// that is taken refuses the whole of it, so trying again with another one does not
    /// make a second record (issue 11; the form made the record, then failed on the name).
    ///
    /// # Errors
    /// A role refusal; no name; a username that is malformed or taken; a short password.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_staff_signing_in(
        &self,
        by: Option<&Ctx>,
        name: &str,
        role: Role,
        email: Option<EmailAddress>,
        line_manager: Option<StaffId>,
        username: &str,
        password: &str,
    ) -> Result<Staff> {
        if let Some(c) = by {
            authorise(&self.profile, &c.actor, Action::ManageStaff, None)?;
        }
        let (username, hash) = credentials(username, password).await?;
        let mut tx = self.begin().await?;
        let s = self
            .insert_new_staff(&mut tx, by, name, role, email, line_manager, None)
            .await?;
        tx.set_credentials(s.id, &username, &hash)
            .await
            .map_err(|e| taken(e, &username))?;
        tx.audit(&[credentials_set(self.now(), by.map(|c| &c.actor), s.id)])
            .await?;
        tx.commit().await?;
        Ok(s)
    }

    /// Checks and writes a new member of staff (or service account) and the event that
    /// records it, in `tx`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn insert_new_staff(
        &self,
        tx: &mut WriteTx,
        by: Option<&Ctx>,
        name: &str,
        role: Role,
        email: Option<EmailAddress>,
        line_manager: Option<StaffId>,
        scope: Option<tact_core::roles::Scope>,
    ) -> Result<Staff> {
        if let Some(c) = by {
            authorise(&self.profile, &c.actor, Action::ManageStaff, None)?;
        }
        tact_core::error::require_text("name", name)?;
        if let Some(m) = line_manager {
            let all = self.store.staff_list().await?;
            tact_core::roles::check_line_manager(None, m, &all)?;
        }
        let mut s = Staff {
            id: StaffId(0),
            name: name.trim().to_string(),
            email,
            role,
            line_manager,
            active: true,
            scope,
        };
        s.id = tx.insert_staff(&s, None, self.now()).await?;
        // Kept before anything that could refuse a second sending for its own reason (the
        // username the first one took).
        self.keep_key(tx, by, &format!("staff:{}", s.id)).await?;
        let ev = AuditEvent {
            at: self.now(),
            actor: by.map(|c| c.actor.id),
            action: AuditAction::StaffCreated,
            subject: format!("staff:{}", s.id),
            person_id: None,
            reason: None,
            clause: None,
            detail: vec![("role".into(), role.as_str().into())],
        };
        let ev = match scope {
            Some(x) => ev.detail("scope", x.as_str()),
            None => ev,
        };
        tx.audit(&[ev]).await?;
        Ok(s)
    }

    /// Mints a new API token for `staff`, named `name`, lasting `days` (default
    /// [`tact_core::roles::TOKEN_DEFAULT_DAYS`]), and returns it with the secret (only its
    /// hash is kept). `by` is who asks, under [`tact_core::roles::may_issue_token`]: a
    /// member of staff for themselves, an administrator for a service account. `None` is
    /// the operator at the server's console (`tact init`, `tact staff add`), setting up.
    ///
    /// # Errors
    /// A refusal of who may mint for whom; a lifetime out of bounds; no such member of
    /// staff; no name.
    pub async fn mint_token(
        &self,
        by: Option<&Ctx>,
        staff: StaffId,
        name: &str,
        days: Option<u32>,
    ) -> Result<(tact_core::model::ApiToken, String)> {
        let Some(holder) = self.store.staff(staff).await? else {
            return Err(not_found("staff_id", format!("no member of staff {staff}")));
        };
        if let Some(c) = by {
            tact_core::roles::may_issue_token(&self.profile, &c.actor, &holder)?;
        }
        tact_core::error::require_text("name", name)?;
        let now = self.now();
        let expires_at = tact_core::roles::token_expiry(now, days)?;
        let bytes: [u8; 24] = rand::random();
        let secret = format!("tact_{}", hex::encode(bytes));
        let mut tx = self.begin().await?;
        let id = tx
            .insert_token(
                staff,
                &token_hash(&secret),
                name.trim(),
                by.map(|c| c.actor.id),
                now,
                expires_at,
            )
            .await?;
        let mut ev = AuditEvent::by_tact(now, AuditAction::TokenIssued, format!("staff:{staff}"))
            .detail("token", id)
            .detail("name", name.trim())
            .detail("expires_at", expires_at);
        ev.actor = by.map(|c| c.actor.id);
        tx.audit(&[ev]).await?;
        self.keep_key(&mut tx, by, &format!("token:{id}")).await?;
        tx.commit().await?;
        let token = tact_core::model::ApiToken {
            id,
            staff_id: staff,
            name: name.trim().to_string(),
            created_at: now,
            created_by: by.map(|c| c.actor.id),
            expires_at,
            revoked_at: None,
            revoked_by: None,
        };
        Ok((token, secret))
    }

    /// [`App::mint_token`] for the default lifetime, giving the secret alone.
    ///
    /// # Errors
    /// As [`App::mint_token`].
    pub async fn issue_token(
        &self,
        by: Option<&Actor>,
        staff: StaffId,
        name: &str,
    ) -> Result<String> {
        let by = by.map(|a| Ctx::new(a.clone()));
        Ok(self.mint_token(by.as_ref(), staff, name, None).await?.1)
    }

    /// The tokens `holder` holds (everyone's without one), under
    /// [`tact_core::roles::may_manage_tokens`]; everyone's is for whoever manages staff.
    ///
    /// # Errors
    /// A refusal; the store's error.
    pub(crate) async fn tokens_of(
        &self,
        actor: &Actor,
        holder: Option<StaffId>,
    ) -> Result<Vec<tact_core::model::ApiToken>> {
        match holder {
            Some(h) => tact_core::roles::may_manage_tokens(&self.profile, actor, h)?,
            None => authorise(&self.profile, actor, Action::ManageStaff, None)?,
        }
        Ok(self.store.tokens(holder).await?)
    }

    // ----- people and matters ------------------------------------------------------

    async fn person(&self, id: PersonId) -> Result<ServiceUser> {
        if let Some(p) = self.store.person(id).await? {
            return Ok(p);
        }
        Err(match self.store.merged_into(id).await? {
            Some(k) => not_found(
                "person_id",
                format!("service user {id} was merged into service user {k}: use that record"),
            ),
            None => not_found("person_id", format!("no service user {id}")),
        })
    }

    /// The record a person's id now leads to: their own, or — for a record merged into
    /// another (issue 10) — the one kept.
    ///
    /// # Errors
    /// The store's error.
    pub async fn current_id(&self, id: PersonId) -> Result<PersonId> {
        let mut at = id;
        // A kept record may itself have been merged later; follow the chain (a few links
        // at most, but never forever).
        for _ in 0..16 {
            match self.store.merged_into(at).await? {
                Some(k) => at = k,
                None => return Ok(at),
            }
        }
        Ok(at)
    }

    /// Everything held about one person, for their page.
    ///
    /// # Errors
    /// No such person, or the store's error.
    pub(crate) async fn person_record(&self, actor: &Actor, id: PersonId) -> Result<PersonRecord> {
        // A merged record leads to the one kept (issue 10).
        let id = self.current_id(id).await?;
        let person = self.person(id).await?;
        self.record_access(
            actor,
            id,
            "their whole record: plans, incidents and adjustments",
        )
        .await?;
        Ok(PersonRecord {
            records: self.plan_records_of(&person).await?,
            person,
            contacts: self.store.contacts_of(id, 200).await?,
            plans: self.store.plans_of(id).await?,
            disputes: self.store.disputes_of(id).await?,
            further_actions: self.store.further_actions_of(id).await?,
            disclosures: self.store.disclosures_of(id).await?,
            rights: self.store.rights_requests(Some(id)).await?,
            messages: self.store.messages_of(id).await?,
            letters: self.store.letters_of(id).await?,
        })
    }

    /// # Errors
    /// A role refusal or the store's error.
    pub(crate) async fn search(&self, query: &str) -> Result<Vec<ServiceUser>> {
        Ok(self.store.search_people(query, 50).await?)
    }

    /// People found by a search, each with whether a plan binds them now (issue 13: results
    /// that tell two people of one name apart, and show who is under a plan; CLE-9.6: not a
    /// plan they have not yet been told of, as their page and the contact check say).
    pub(crate) async fn find_people(&self, query: &str) -> Result<Vec<(ServiceUser, bool)>> {
        let now = self.now();
        let mut out = Vec::new();
        for p in self.search(query).await? {
            let in_force = self
                .store
                .plans_of(p.id)
                .await?
                .iter()
                .any(|s| tact_core::check::binds(&self.profile, s, now));
            out.push((p, in_force));
        }
        Ok(out)
    }

    // ----- contact check and contacts ----------------------------------------------

    /// Who uses an identifier: from the index while it is current, otherwise from the
    /// database (the index is loading, the feed is behind, or this process keeps none).
    ///
    /// # Errors
    /// The store's error.
    pub async fn who_uses(&self, key: &str) -> Result<(Vec<index::Found>, feed::Source)> {
        if self.index_is_current() {
            return Ok((self.index.find(key), feed::Source::Index));
        }
        let mut found: Vec<index::Found> = Vec::new();
        for (person, kind) in self.store.identifier_holders(key).await? {
            if found.iter().any(|f| f.view.id == Some(person)) {
                continue;
            }
            if let Some((_, view)) = index::load_view(&self.store, person, self.now()).await? {
                found.push(index::Found {
                    view: Arc::new(view),
                    via_advocate: kind.starts_with("advocate"),
                });
            }
        }
        Ok((found, feed::Source::Database))
    }

    /// The one person using an identifier, if exactly one does. Several (a shared
    /// identifier) is refused naming them all: the caller must say which.
    ///
    /// # Errors
    /// The store's error, or a conflict naming everyone the identifier could be.
    async fn the_one_using(&self, field: &str, key: &str) -> Result<Option<index::Found>> {
        let (mut found, _) = self.who_uses(key).await?;
        if found.len() > 1 {
            let who = found
                .iter()
                .map(|f| {
                    format!(
                        "{} ({}, id {})",
                        f.view.name,
                        f.view.reference,
                        f.view.id.map_or(0, |p| p.0)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            return Err(AppError::Rule(RuleError {
                kind: tact_core::RuleErrorKind::Conflict,
                clause: None,
                field: Some(field.to_string()),
                message: format!("{key} is shared by {who}: say which person this contact is from, or the matter it is about"),
                overridden_by: None,
            }));
        }
        Ok(found.pop())
    }

    /// What the contact check knows about one person, from the index while it is
    /// current, otherwise from the database. `None` when there is no such person.
    ///
    /// # Errors
    /// The store's error.
    pub async fn view_of(&self, person: PersonId) -> Result<Option<Arc<PersonView>>> {
        if self.index_is_current() {
            if let Some(v) = self.index.view(person) {
                return Ok(Some(v));
            }
        }
        Ok(index::load_view(&self.store, person, self.now())
            .await?
            .map(|(_, v)| Arc::new(v)))
    }

    /// The front-line answer (CLE-9.10 and the restrictions of CLE-9.9, NOR-5.5) for the
    /// people `found` (from the in-memory index while it is current, otherwise from the
    /// database: `source`); it says which, and how fresh.
    fn contact_check(
        &self,
        found: &[index::Found],
        source: feed::Source,
        req: &CheckRequest,
        started: std::time::Instant,
    ) -> Checked {
        let views: Vec<(&PersonView, bool)> = found
            .iter()
            .map(|f| (f.view.as_ref(), f.via_advocate))
            .collect();
        let verdict = check::check_all(&self.profile, &views, req);
        metrics::histogram!("tact_contact_check_duration_seconds", "source" => source.as_str())
            .record(started.elapsed().as_secs_f64());
        metrics::counter!("tact_contact_check_verdicts_total", "outcome" => verdict.outcome.as_str())
            .increment(1);
        Checked {
            verdict,
            freshness: self.freshness(source),
        }
    }

    /// The front-line answer for a call whose number was withheld or is unavailable: ask
    /// who is calling, check again, screen (issue 10).
    fn contact_check_withheld(&self, req: &CheckRequest) -> Checked {
        let req = CheckRequest {
            channel: Channel::Phone,
            matter: None,
            ..req.clone()
        };
        Checked {
            verdict: check::check_withheld(&self.profile, &req),
            freshness: self.freshness(feed::Source::Index),
        }
    }

    /// Logs a contact and judges it: a breach is stored naming the restriction, with a
    /// reminder task (CLE-9.11); contact from a person under a plan is queued for
    /// screening (CLE-9.10). Nothing a person sends is discarded. Reached only through
    /// `cmd::LogContact`, whose role check `App::execute` has made.
    ///
    /// # Errors
    /// An unknown person or matter; or a repeated idempotency key.
    async fn log_contact(&self, ctx: &Ctx, mut input: wf::ContactInput) -> Result<Logged> {
        wf::check_contact(&input, self.now())?;
        let mut view: Option<Arc<PersonView>> = None;
        if input.person_id.is_none() {
            if let Some(i) = input.identifier.clone() {
                let field = match i {
                    Identifier::Phone(_) => "phone",
                    Identifier::Email(_) => "email",
                };
                let found = match input.matter_id {
                    // The matter says which of the people the number names it is from, or
                    // whose it is where it names no one, as the contact check answers.
                    Some(m) => {
                        let (found, _) = self.who_uses(i.key()).await?;
                        let p = self
                            .named_by_matter(&found, m)
                            .await
                            .map_err(|e| e.on_field("matter_id"))?;
                        input.person_id = Some(p);
                        found.into_iter().find(|f| f.view.id == Some(p))
                    }
                    None => self.the_one_using(field, i.key()).await?,
                };
                if let Some(found) = found {
                    input.person_id = found.view.id;
                    input.via_advocate = found.via_advocate;
                    view = Some(found.view);
                }
            }
        } else if let (Some(p), Some(i)) = (input.person_id, input.identifier.as_ref()) {
            // A contact logged on the person's record from the number or address it came
            // from: through their advocate where that is their advocate's (CLE-9.9), as
            // the contact check judged it.
            let (found, _) = self.who_uses(i.key()).await?;
            input.via_advocate = found.iter().any(|f| f.view.id == Some(p) && f.via_advocate);
        }
        // Who dealt with it is someone on the staff list (a phone system's `answered_by`).
        if let Some(s) = input.staff_id.filter(|s| *s != ctx.actor.id) {
            self.store.staff(s).await?.found(s)?;
        }
        if let Some(m) = input.matter_id {
            let matter = self.store.matter(m).await?.found(m)?;
            if input.person_id.is_some_and(|p| p != matter.person_id) {
                return Err(
                    wf::not_theirs("matter_id", format!("matter {}", matter.reference)).into(),
                );
            }
            input.person_id = Some(matter.person_id);
        }
        if let Some(p) = input.person_id {
            if view.as_ref().is_none_or(|v| v.id != Some(p)) {
                view = Some(self.view_of(p).await?.found(p)?);
            }
        }
        let now = self.now();
        let (verdict, mut contact, tasks, events) =
            wf::evaluate_contact(&self.profile, view.as_deref(), &input, now);
        // A call that counts towards a limit on calls changes the answer for the next one,
        // in every process.
        let touch = contact.person_id.filter(|_| {
            contact.channel == Channel::Phone
                && contact.direction == Direction::Inbound
                && view.as_ref().is_some_and(|v| v.counts_calls())
        });
        let (id, task_ids) = self.contacts.write(crate::writer::Entry {
            contact: contact.clone(),
            touch,
            key: ctx.key.clone(),
            tasks,
            events,
            now,
        }).await.map_err(|e| match e {
            StoreError::Conflict(_) => AppError::Rule(RuleError {
                kind: tact_core::RuleErrorKind::Conflict,
                clause: None,
                field: Some("Idempotency-Key".into()),
                message: "this contact was already logged (same Idempotency-Key); nothing was written again".into(),
                overridden_by: None,
            }),
            other => other.into(),
        })?;
        contact.id = id;
        if touch.is_some() {
            self.after_write().await;
        }
        Ok(Logged {
            contact,
            verdict,
            tasks: task_ids,
        })
    }

    /// The contacts waiting to be screened, oldest first (CLE-9.10), for those who may
    /// screen them: the queue shows what people sent, so a role that may not screen does not
    /// read it either.
    ///
    /// # Errors
    /// A role that may not screen contacts; the database's error.
    pub(crate) async fn screening_queue(&self, limit: i64) -> Result<Vec<Contact>> {
        Ok(self.store.screening_queue(limit).await?)
    }

    // ----- incidents and warnings --------------------------------------------------

    // ----- plans -------------------------------------------------------------------

    /// Writes a new incident with its tasks and events, in one transaction.
    async fn save_incident(
        &self,
        ctx: &Ctx,
        d: Decision<Incident>,
    ) -> Result<(Incident, Vec<TaskId>)> {
        let mut tx = self.begin().await?;
        let id = tx.insert_incident(&d.record).await?;
        let ids = self
            .finish_new(tx, ctx, &format!("incident:{id}"), &d)
            .await?;
        Ok((Incident { id, ..d.record }, ids))
    }

    /// Writes a change to a person's details with its event, in one transaction: the
    /// identifiers they gained are claimed (refused if another person holds one unshared),
    /// those they lost let go, and the change goes on the feed.
    async fn save_person(
        &self,
        ctx: &Ctx,
        before: &ServiceUser,
        after: &ServiceUser,
        event: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        claim_identifiers(&mut tx, after, &identifiers_with_fields(before)).await?;
        tx.update_person(after).await?;
        tx.audit(&[event.person(after.id)]).await?;
        self.finish(tx, ctx, &format!("person:{}", after.id))
            .await?;
        self.after_write().await;
        Ok(())
    }

    /// Loads the records a plan decision is checked against.
    async fn plan_records(&self, person: PersonId) -> Result<PlanRecords> {
        self.plan_records_of(&self.person(person).await?).await
    }

    /// As [`App::plan_records`], for a person already read.
    async fn plan_records_of(&self, p: &ServiceUser) -> Result<PlanRecords> {
        let person = p.id;
        Ok(PlanRecords {
            preferred_format: p.preferred_format,
            incidents: self.store.incidents_of(person).await?,
            warnings: self.store.warnings_of(person).await?,
            matters: self.store.matters_of(person).await?,
            adjustments: self.store.adjustments_of(person).await?,
            tasks: self
                .store
                .tasks(
                    &TaskFilter {
                        person: Some(person),
                        ..Default::default()
                    },
                    10_000,
                )
                .await?,
            staff: self.store.staff_list().await?,
        })
    }

    /// Loads a plan, or says it does not exist.
    ///
    /// # Errors
    /// No such plan, or the store's error.
    pub(crate) async fn plan(&self, id: PlanId) -> Result<Plan> {
        self.store
            .plan(id)
            .await?
            .ok_or_else(|| not_found("plan_id", format!("no {} {id}", self.profile.terms.plan)))
    }

    /// Writes a plan decision: the plan, its events and tasks, in one transaction.
    async fn save_plan(&self, ctx: &Ctx, before: &Plan, d: Decision<Plan>) -> Result<Plan> {
        let mut tx = self.begin().await?;
        tx.update_plan(&d.record, before.version).await?;
        tx.audit(&d.events).await?;
        tx.close_tasks(
            &d.record.id.subject(),
            &d.closes,
            ctx.actor.id,
            &format!("{} {}", self.profile.terms.plan, d.record.status.as_str()),
            self.now(),
        )
        .await?;
        tx.close_moot_tasks(&d.moot, ctx.actor.id, self.now())
            .await?;
        tx.tasks(&d.tasks, self.now()).await?;
        self.finish(tx, ctx, &d.record.id.subject()).await?;
        self.after_write().await;
        Ok(d.record)
    }

    // ----- adjustments and further action ------------------------------------------

    // ----- tasks and reviews -------------------------------------------------------

    /// The first `limit` of a member of staff's open tasks (and their role's), of one kind
    /// or all.
    ///
    /// # Errors
    /// The store's error.
    pub(crate) async fn my_tasks_of(
        &self,
        actor: &Actor,
        kind: Option<TaskKind>,
        limit: i64,
    ) -> Result<Vec<Task>> {
        Ok(self.store.tasks(&open_tasks_of(actor, kind), limit).await?)
    }

    /// How many open tasks a member of staff (and their role) has, by kind: all of them,
    /// however many the list shows.
    ///
    /// # Errors
    /// The store's error.
    pub(crate) async fn my_task_counts(&self, actor: &Actor) -> Result<Vec<(TaskKind, i64)>> {
        Ok(self.store.task_counts(&open_tasks_of(actor, None)).await?)
    }

    // ----- sharing with partners (CLE-9.15) ----------------------------------------

    /// Loads a request to share, or says it does not exist.
    ///
    /// # Errors
    /// No such request, or the store's error.
    pub(crate) async fn disclosure(&self, id: DisclosureId) -> Result<sharing::Disclosure> {
        self.store.disclosure(id).await?.found(id)
    }

    async fn save_disclosure(
        &self,
        ctx: &Ctx,
        before: &sharing::Disclosure,
        d: Decision<sharing::Disclosure>,
    ) -> Result<sharing::Disclosure> {
        let subject = format!("disclosure:{}", before.id);
        let mut tx = self.begin().await?;
        tx.update_disclosure(&d.record, before.status).await?;
        tx.audit(&d.events).await?;
        tx.close_tasks(
            &subject,
            &d.closes,
            ctx.actor.id,
            d.record.status.as_str(),
            self.now(),
        )
        .await?;
        tx.tasks_about(&d.tasks, &subject, self.now()).await?;
        self.finish(tx, ctx, &subject).await?;
        Ok(d.record)
    }

    /// The disclosure log, for those who may ask to share, the DPO and auditors.
    ///
    /// # Errors
    /// A role refusal or the store's error.
    pub(crate) async fn disclosure_log(&self, limit: i64) -> Result<Vec<sharing::Disclosure>> {
        Ok(self.store.disclosure_log(limit).await?)
    }

    /// Sends the reminder a breach calls for (CLE-9.11; NOR-5.8): keeps it as an outbound
    /// contact on the person's record and closes the reminder task, in one transaction.
    ///
    /// # Errors
    /// No such task; as [`wf::send_breach_reminder`]; the task closed meanwhile.
    async fn send_breach_reminder(
        &self,
        ctx: &Ctx,
        id: TaskId,
        input: wf::ReminderInput,
    ) -> Result<Reminded> {
        let t = self.store.task(id).await?.found(id)?;
        let breach = match t.contact() {
            Some(c) => self.store.contact(c).await?,
            None => None,
        };
        let now = self.now();
        let channel = input.channel;
        let (consequences, reasons) = (input.consequences.clone(), input.reasons.clone());
        let (mut contact, event) =
            wf::send_breach_reminder(&self.profile, &ctx.actor, &t, breach.as_ref(), input, now)?;
        // By email or post, the reminder is a letter from the profile's template (CLE-9.11),
        // written in the same transaction; by phone or in person, the record is the contact.
        let mut letter = match (channel, contact.person_id) {
            (Channel::Email | Channel::Letter, Some(pid)) => {
                let person = self.person(pid).await?;
                let in_force: Vec<Plan> = self
                    .store
                    .plans_of(pid)
                    .await?
                    .into_iter()
                    .filter(|s| tact_core::check::restricts(&self.profile, s, now))
                    .collect();
                let restrictions = self
                    .restriction_lines(in_force.iter().flat_map(|s| &s.restrictions))
                    .await?;
                let facts = tact_mail::letters::Facts {
                    person_name: person.name.clone(),
                    reference: person.reference.clone(),
                    date: tact_core::check::long_day(t.created_at),
                    reasons,
                    consequence: consequences,
                    restrictions,
                    ..Default::default()
                };
                Some(
                    self.compose_letter(
                        &person,
                        tact_core::correspondence::PlanLetter::BreachReminder.as_str(),
                        &format!("task:{id}"),
                        &facts,
                        crate::letters::How {
                            channel: Some(channel),
                            ..Default::default()
                        },
                        ctx.actor.id,
                        now,
                    )
                    .await?,
                )
            }
            _ => None,
        };
        let mut tx = self.begin().await?;
        contact.id = tx.insert_contact(&contact, None).await?;
        if let Some(l) = &mut letter {
            l.id = self.insert_letter_in(&mut tx, l).await?;
        }
        tx.complete_task(
            id,
            ctx.actor.id,
            &format!("reminder sent ({})", contact.channel.plain()),
            now,
        )
        .await?;
        tx.audit(&[event.detail("contact", contact.id)]).await?;
        self.finish(tx, ctx, &format!("contact:{}", contact.id))
            .await?;
        Ok(Reminded { contact, letter })
    }

    /// Plans whose review is due on or before `by` (CLE-9.12; NOR-8.1); overdue ones first.
    ///
    /// # Errors
    /// The store's error.
    pub(crate) async fn reviews_due(&self, by: Date) -> Result<Vec<Plan>> {
        Ok(self
            .store
            .plans_by_status(&[PlanStatus::Active, PlanStatus::Authorised], Some(by))
            .await?)
    }

    /// Checks the event log's hash chain.
    ///
    /// # Errors
    /// The store's error; a broken chain is the `Err` inside.
    pub async fn verify_audit(
        &self,
    ) -> Result<std::result::Result<u64, tact_core::audit::ChainBreak>> {
        Ok(self.store.verify_audit().await?)
    }

    /// Checks the event log's hash chain, then that it still holds every entry the
    /// checkpoints taken outside the database vouched for (issue 12): how many entries and
    /// checkpoints, or where it breaks.
    ///
    /// # Errors
    /// The store's error; a broken log is the `Err` inside.
    pub async fn verify_audit_against(
        &self,
        checkpoints: &[tact_core::audit::Checkpoint],
        key: &[u8],
    ) -> Result<std::result::Result<(u64, usize), tact_core::audit::ChainBreak>> {
        let (entries, head) = self.store.audit_log().await?;
        let chain =
            tact_core::audit::verify(&entries, head.as_ref().map(|(s, h)| (*s, h.as_str())));
        Ok(chain.and_then(|n| {
            tact_core::audit::verify_checkpoints(&entries, checkpoints, key).map(|c| (n, c))
        }))
    }

    /// The deep check (issue 12): the chain and the checkpoints as
    /// [`App::verify_audit_against`] checks them, then every contact, plan and adjustment
    /// compared with the state the chain last recorded of it — each one that differs,
    /// named. Gives the entries, the checkpoints that agreed, and the records that differ.
    ///
    /// # Errors
    /// The store's error; a broken log is the `Err` inside.
    pub async fn verify_deep(
        &self,
        checkpoints: &[tact_core::audit::Checkpoint],
        key: &[u8],
    ) -> Result<
        std::result::Result<
            (u64, usize, tact_core::audit::Comparison),
            tact_core::audit::ChainBreak,
        >,
    > {
        // The mark first: every contact up to it is on the log read next.
        let sealed = self.store.sealed_contacts().await?;
        let (entries, head) = self.store.audit_log().await?;
        let checked =
            tact_core::audit::verify(&entries, head.as_ref().map(|(s, h)| (*s, h.as_str())))
                .and_then(|n| {
                    tact_core::audit::verify_checkpoints(&entries, checkpoints, key).map(|c| (n, c))
                });
        let (n, c) = match checked {
            Ok(x) => x,
            Err(b) => return Ok(Err(b)),
        };
        let recorded = tact_core::audit::recorded_states(&entries);
        drop(entries);
        let now = self.store.record_states().await?;
        Ok(Ok((
            n,
            c,
            tact_core::audit::compare_states(recorded, now, sealed),
        )))
    }

    /// Seals on the event log the contacts written since the last seal (issue 12), in
    /// entries of up to ten thousand: servers do this every second ([`App::start`]), and a
    /// command that logs contacts before it ends. Gives how many were sealed.
    ///
    /// It stops once a seal finds fewer than its limit: under steady logging there are
    /// always a few contacts newer than the last seal, and sealing them at once, again and
    /// again, took the write lock and a disk sync every few milliseconds (a fifth of the
    /// logging rate, BENCHMARKS.md). Those wait for the next second's seal.
    ///
    /// # Errors
    /// The store's error; contacts sealed before it stay sealed.
    pub async fn seal_contacts(&self) -> Result<usize> {
        const LIMIT: i64 = 10_000;
        let mut sealed = 0;
        while let Some(s) = self.store.seal_contacts(LIMIT, Timestamp::now()).await? {
            sealed += s.count;
            if i64::try_from(s.count).unwrap_or(i64::MAX) < LIMIT {
                break;
            }
        }
        Ok(sealed)
    }

    /// Covers, once after upgrading, the records written before the chain covered records
    /// (issue 12): each one the chain has no state for is recorded as it is now, in
    /// `records.baseline` entries of a few thousand records each. Records the chain already
    /// covers are left alone, so a change to one of them is still found. Gives how many
    /// were covered.
    ///
    /// # Errors
    /// The store's error.
    pub async fn baseline_states(&self) -> Result<usize> {
        const CHUNK: usize = 5_000;
        let (entries, _) = self.store.audit_log().await?;
        let recorded = tact_core::audit::recorded_states(&entries);
        drop(entries);
        let uncovered: Vec<(String, String)> = self
            .store
            .record_states()
            .await?
            .into_iter()
            .filter(|(record, _)| !recorded.contains_key(record))
            .collect();
        for chunk in uncovered.chunks(CHUNK) {
            let mut ev = AuditEvent::by_tact(self.now(), AuditAction::RecordsBaseline, "records");
            ev.detail = chunk.to_vec();
            let mut tx = self.begin().await?;
            tx.audit(&[ev]).await?;
            tx.commit().await?;
        }
        Ok(uncovered.len())
    }

    /// The event log's newest entry now, signed with `key` as a checkpoint to keep outside
    /// the database; none while the log is empty.
    ///
    /// # Errors
    /// The store's error.
    pub async fn audit_checkpoint(
        &self,
        key: &[u8],
    ) -> Result<Option<tact_core::audit::Checkpoint>> {
        Ok(self
            .store
            .audit_head()
            .await?
            .filter(|(seq, _)| *seq > 0)
            .map(|(seq, hash)| tact_core::audit::Checkpoint::sign(seq, &hash, self.now(), key)))
    }
}

/// How often a server seals new contacts on the event log ([`App::seal_contacts`]).
pub const SEAL_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Why a sign-in failed. The UI shows one message for both, so it does not reveal which usernames exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInFailure {
    WrongDetails,
    Locked,
}

/// After this many attempts without a right password, an account is locked for
/// [`LOCK_MINUTES`], however many arrive at once.
pub const MAX_FAILED_SIGN_INS: i64 = 5;
pub const LOCK_MINUTES: i64 = 15;

impl App {
    /// Sets a new password through a one-time reset link (issue 12), in one transaction:
    /// the link is used up, the password set, failures forgotten, any lock lifted and every
    /// session the member of staff had ended.
    ///
    /// # Errors
    /// A password under 12 characters; a link that is unknown, used or expired (one
    /// refusal for all three, so a guess learns nothing).
    pub async fn reset_password(&self, secret: &str, password: &str) -> Result<Staff> {
        tact_core::sign_in::new_password(password)?;
        let hash = hashed(password).await?;
        let now = self.now();
        let mut tx = self.begin().await?;
        let Some(staff) = tx.take_password_reset(&token_hash(secret), now).await? else {
            return Err(RuleError::invalid(
                "link",
                "this link has been used or has expired: ask an administrator for a new one",
            )
            .into());
        };
        tx.set_password(staff, &hash).await?;
        tx.audit(&[AuditEvent::by_tact(
            now,
            AuditAction::PasswordReset,
            format!("staff:{staff}"),
        )])
        .await?;
        tx.commit().await?;
        self.store.staff(staff).await?.found(staff)
    }
}

/// Hashes a password with Argon2id and a random salt.
///
/// # Errors
/// Only if the hasher fails.
pub fn hash_password(password: &str) -> std::result::Result<String, RuleError> {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| RuleError::invalid("password", format!("could not hash the password: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

impl App {
    /// Gives a member of staff a username and password for the web UI.
    ///
    /// # Errors
    /// A password shorter than 12 characters, a taken username, or no such member of staff.
    pub async fn set_credentials(
        &self,
        by: Option<&Actor>,
        staff: StaffId,
        username: &str,
        password: &str,
    ) -> Result<()> {
        let holder = self.store.staff(staff).await?;
        tact_core::roles::may_set_credentials(&self.profile, by, staff, holder.as_ref())?;
        let (username, hash) = credentials(username, password).await?;
        let mut tx = self.begin().await?;
        tx.set_credentials(staff, &username, &hash)
            .await
            .map_err(|e| taken(e, &username))?;
        tx.audit(&[credentials_set(self.now(), by, staff)]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A signed-in member of staff changes their own password (one an administrator handed
    /// them, say), giving the one they have now; in one transaction the password is set, any
    /// failures forgotten and every session they had ended, this one too, so they sign in
    /// again with it. A wrong current password counts towards the lock as a wrong sign-in
    /// does.
    ///
    /// # Errors
    /// No password to change (single sign-on, a service account); the account locked; the
    /// current password wrong; a new one too short or the same (core's
    /// `sign_in::changed_password`).
    pub async fn change_password(&self, actor: &Actor, current: &str, new: &str) -> Result<()> {
        let now = self.now();
        let account = self.store.account_of(actor.id).await?;
        let Some(hash) = account.and_then(|a| a.password_hash) else {
            return Err(RuleError::invalid(
                "current_password",
                "you have no Tact password to change: you sign in another way",
            )
            .into());
        };
        // The new one is checked first: only a guess at the current one counts.
        tact_core::sign_in::changed_password(current, new)?;
        if !self.charge(actor.id, now).await? {
            return Err(RuleError::invalid(
                "current_password",
                "too many wrong passwords: try again in a few minutes",
            )
            .into());
        }
        let given = current.to_string();
        let right = tokio::task::spawn_blocking(move || verify_password(&given, &hash))
            .await
            .unwrap_or(false);
        if !right {
            self.record_failure(actor.id, now).await?;
            return Err(RuleError::invalid(
                "current_password",
                "that is not your current password",
            )
            .into());
        }
        let hash = hashed(new).await?;
        let mut tx = self.begin().await?;
        tx.set_password(actor.id, &hash).await?;
        tx.audit(&[credentials_set(now, Some(actor), actor.id)])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks a username and password. On success, starts a session and returns its cookie
    /// value and CSRF token. Repeated failures lock the account for a while.
    ///
    /// # Errors
    /// The store's error; a refused sign-in is the `Err` inside.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
    ) -> Result<std::result::Result<access::Started, SignInFailure>> {
        let now = self.now();
        let account = self.store.account(username).await?;
        // Each attempt is counted, in a transaction of its own, before its password is
        // checked: however many guesses arrive at once, at most MAX_FAILED_SIGN_INS are
        // checked before the account locks, and none while it is locked.
        let charged = match &account {
            Some(a) => self.charge(a.staff.id, now).await?,
            None => false,
        };
        // An unknown username, a locked account and a wrong password take the same time
        // and get the same answer at the door, so neither reveals which usernames exist.
        let hash = account
            .as_ref()
            .filter(|a| charged && a.staff.active)
            .and_then(|a| a.password_hash.clone());
        let checked = hash.is_some();
        let p = password.to_string();
        let right = tokio::task::spawn_blocking(move || {
            static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let real = hash.as_deref();
            let against = real.unwrap_or_else(|| {
                DUMMY.get_or_init(|| hash_password("not a real password").unwrap_or_default())
            });
            verify_password(&p, against) && real.is_some()
        })
        .await
        .unwrap_or(false);
        let known = account.is_some();
        if let (Some(a), true, false) = (&account, charged, right) {
            self.record_failure(a.staff.id, now).await?;
        }
        let Some(account) = account.filter(|_| right && checked) else {
            return Ok(Err(if charged || !known {
                SignInFailure::WrongDetails
            } else {
                SignInFailure::Locked
            }));
        };
        let set_up = self
            .store
            .second_factor(account.staff.id)
            .await?
            .is_some_and(|f| f.confirmed);
        let next = tact_core::sign_in::second_factor_needed(self.second_factor_required, set_up);
        let started = self.start_session(account.staff, next, None, now).await?;
        Ok(started.ok_or(SignInFailure::Locked))
    }

    /// The signed-in member of staff and the session's CSRF token, for a session cookie.
    ///
    /// # Errors
    /// The store's error.
    pub async fn session(&self, cookie: &str) -> Result<Option<(Actor, String)>> {
        let now = self.now();
        let hash = token_hash(cookie);
        let Some(s) = self
            .store
            .session(&hash, now)
            .await?
            .filter(|s| s.stage == access::SIGNED_IN)
        else {
            return Ok(None);
        };
        if !tact_core::roles::session_alive(self.session_limits, s.created_at, s.last_seen_at, now)
        {
            let mut tx = self.begin().await?;
            tx.end_session(&hash).await?;
            tx.commit().await?;
            return Ok(None);
        }
        // Use is noted at most once a minute, so a page is not a write every time.
        if now.duration_since(s.last_seen_at) >= jiff::SignedDuration::from_mins(1) {
            let mut tx = self.begin().await?;
            tx.touch_session(&hash, now).await?;
            tx.commit().await?;
        }
        Ok(Some((Actor::from(s.staff), s.csrf)))
    }

    /// Ends a session, and gives the provider's ID token where single sign-on began it (so
    /// the door can sign out at the provider too).
    ///
    /// # Errors
    /// The store's error.
    pub async fn sign_out(&self, cookie: &str) -> Result<Option<String>> {
        let hash = token_hash(cookie);
        let id_token = self
            .store
            .session(&hash, self.now())
            .await?
            .and_then(|s| s.id_token);
        let mut tx = self.begin().await?;
        tx.end_session(&hash).await?;
        tx.commit().await?;
        Ok(id_token)
    }
}

/// Checks a username and password (core's rules) and hashes the password (off the async
/// threads): the username trimmed, and the hash.
async fn credentials(username: &str, password: &str) -> Result<(String, String)> {
    let username = tact_core::sign_in::username(username)?;
    tact_core::sign_in::new_password(password)?;
    Ok((username, hashed(password).await?))
}

/// [`hash_password`] off the async threads (Argon2 takes a while on purpose): how every
/// password Tact keeps is hashed, whoever sets it.
async fn hashed(password: &str) -> Result<String> {
    let password = password.to_string();
    Ok(
        tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| StoreError::Batch(e.to_string()))??,
    )
}

/// A username another member of staff holds is the form's error on the username.
pub(crate) fn taken(e: StoreError, username: &str) -> AppError {
    match e {
        StoreError::Conflict(_) => AppError::Rule(RuleError::invalid(
            "username",
            format!("the username {username:?} is taken"),
        )),
        other => other.into(),
    }
}

/// The event recording that a member of staff's sign-in details were set.
fn credentials_set(at: Timestamp, by: Option<&Actor>, staff: StaffId) -> AuditEvent {
    AuditEvent {
        at,
        actor: by.map(|a| a.id),
        action: AuditAction::StaffChanged,
        subject: format!("staff:{staff}"),
        person_id: None,
        reason: Some("sign-in details set".into()),
        clause: None,
        detail: Vec::new(),
    }
}

/// Changes a member of staff's role, line manager or whether they are active.
///
/// A one-time password-reset link's secret, shown once (issue 12).
///
/// # Errors
/// As [`tact_core::roles::may_issue_reset`]; no such member of staff.
impl Handles<cmd::IssuePasswordReset> for App {
    type Output = String;

    async fn handle(&self, ctx: &Ctx, c: cmd::IssuePasswordReset, _: Executed) -> Result<String> {
        let Some(holder) = self.store.staff(c.staff).await? else {
            return Err(not_found(
                "staff_id",
                format!("no member of staff {}", c.staff),
            ));
        };
        tact_core::roles::may_issue_reset(&self.profile, &ctx.actor, &holder)?;
        let now = self.now();
        let secret = hex::encode(rand::random::<[u8; 24]>());
        let mut tx = self.begin().await?;
        tx.insert_password_reset(
            &token_hash(&secret),
            holder.id,
            ctx.actor.id,
            now,
            now + jiff::SignedDuration::from_hours(tact_core::roles::RESET_HOURS),
        )
        .await?;
        tx.audit(&[ctx.event(
            now,
            AuditAction::PasswordResetIssued,
            format!("staff:{}", holder.id),
        )])
        .await?;
        self.finish(tx, ctx, &format!("staff:{}", holder.id))
            .await?;
        Ok(secret)
    }
}

/// A service account (issue 12).
///
/// # Errors
/// A role refusal; no name.
impl Handles<cmd::CreateServiceAccount> for App {
    type Output = Staff;

    async fn handle(&self, ctx: &Ctx, c: cmd::CreateServiceAccount, _: Executed) -> Result<Staff> {
        self.create_service_account(Some(ctx), &c.name, c.scope)
            .await
    }
}

/// A new API token and its secret, shown once (issue 12).
///
/// # Errors
/// As [`App::mint_token`].
impl Handles<cmd::IssueToken> for App {
    type Output = (tact_core::model::ApiToken, String);

    async fn handle(&self, ctx: &Ctx, c: cmd::IssueToken, _: Executed) -> Result<Self::Output> {
        self.mint_token(Some(ctx), c.holder, &c.name, c.days).await
    }
}

/// Revokes a token; every process stops taking it within the bound (issue 12).
///
/// # Errors
/// No such token; one already revoked; a refusal of who may.
impl Handles<cmd::RevokeToken> for App {
    type Output = tact_core::model::ApiToken;

    async fn handle(&self, ctx: &Ctx, c: cmd::RevokeToken, _: Executed) -> Result<Self::Output> {
        let Some(mut token) = self.store.token(c.token).await? else {
            return Err(not_found("token_id", format!("no token {}", c.token)));
        };
        tact_core::roles::may_manage_tokens(&self.profile, &ctx.actor, token.staff_id)?;
        let now = self.now();
        let mut tx = self.begin().await?;
        tx.revoke_token(token.id, token.staff_id, ctx.actor.id, now)
            .await?;
        tx.audit(&[ctx
            .event(
                now,
                AuditAction::TokenRevoked,
                format!("staff:{}", token.staff_id),
            )
            .detail("token", token.id)])
            .await?;
        self.finish(tx, ctx, &format!("token:{}", token.id)).await?;
        // This process stops taking it at once; the others within the bound.
        self.after_write().await;
        token.revoked_at = Some(now);
        token.revoked_by = Some(ctx.actor.id);
        Ok(token)
    }
}

/// # Errors
/// A role refusal, or no such member of staff.
impl Handles<cmd::ChangeStaff> for App {
    type Output = Staff;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::ChangeStaff,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::ChangeStaff {
            staff: id,
            role,
            active,
            line_manager,
        } = c;
        // The plans in force, read first where they may be leaving (see below).
        let live = [
            tact_core::model::PlanStatus::Authorised,
            tact_core::model::PlanStatus::Active,
        ];
        let plans = match active {
            Some(false) => self.store.plans_by_status(&live, None).await?,
            _ => Vec::new(),
        };
        // Decided on the staff as this transaction holds them: two administrators
        // disabling each other at once take turns, and the second is refused.
        let mut tx = self.begin().await?;
        let all = tx.staff_held().await?;
        let before = all.iter().find(|s| s.id == id).cloned().found(id)?;
        let s = tact_core::roles::change_staff(&before, role, active, line_manager, &all)?;
        tx.update_staff(&s).await?;
        let mut event = ctx
            .event(self.now(), AuditAction::StaffChanged, format!("staff:{id}"))
            .detail("role", s.role.as_str())
            .detail("active", s.active);
        // Leaving: their open tasks go to their line manager (or their role), and each plan
        // that names them as the single point of contact goes to its owner to name someone
        // else (CLE-9.9).
        if before.active && !s.active {
            let now_staff: Vec<_> = all
                .iter()
                .map(|x| if x.id == s.id { s.clone() } else { x.clone() })
                .collect();
            let to = tact_core::roles::tasks_go_to(&s, &now_staff);
            let moved = tx.hand_on_tasks(s.id, to, s.role).await?;
            event = event.detail("tasks_handed_on", moved);
            let tasks = tact_core::jobs::contact_left(&self.profile, &s, &plans, &now_staff);
            if !tasks.is_empty() {
                tx.tasks(&tasks, self.now()).await?;
            }
        }
        tx.audit(&[event]).await?;
        self.finish(tx, ctx, &format!("staff:{id}")).await?;
        // This process stops taking their tokens, and stops passing them contacts, at once;
        // the others within the bound.
        self.after_write().await;
        Ok(s)
    }
}

/// Merges two records of the same person (issue 10): everything about `merged` moves
/// to `kept` in one transaction, `merged` then leads to `kept`, and one event says who
/// merged which into which and why. Gives the record kept and what moved.
///
/// # Errors
/// A role refusal; no reason; either record missing or already merged; the store's error.
impl Handles<cmd::MergePeople> for App {
    type Output = (ServiceUser, Vec<(String, u64)>);

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::MergePeople,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::MergePeople {
            kept,
            merged,
            reason,
        } = c;
        let reason = reason.as_str();
        let k = self.person(kept).await?;
        let m = self.person(merged).await.map_err(|e| e.on_field("merge"))?;
        let mut d = wf::merge_people(&self.profile, &ctx.actor, &k, &m, reason, self.now())?;
        let plans = self.store.plans_of(merged).await?;
        let mut tx = self.begin().await?;
        let mut moved = tx.merge_person(merged, kept).await?;
        for p in &plans {
            let mut s = p.clone();
            s.person_id = kept;
            tx.update_plan(&s, p.version).await?;
        }
        moved.push(("plans".into(), plans.len() as u64));
        tx.update_person(&d.record).await?;
        let listed = moved
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| format!("{k}: {n}"))
            .collect::<Vec<_>>()
            .join("; ");
        if let Some(ev) = d.events.first_mut() {
            ev.detail.push(("moved".into(), listed));
        }
        tx.audit(&d.events).await?;
        self.finish(tx, ctx, &format!("person:{kept}")).await?;
        self.after_write().await;
        Ok((d.record, moved))
    }
}

/// # Errors
/// A role refusal, no such person, an empty title, or the store's error.
impl Handles<cmd::OpenMatter> for App {
    type Output = Matter;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::OpenMatter,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::OpenMatter {
            person,
            kind,
            title,
        } = c;
        let mut m = wf::open_matter(person, kind, &title, self.now())?;
        self.person(person).await?;
        let mut tx = self.begin().await?;
        let (id, reference) = tx.insert_matter(&m).await?;
        m.id = id;
        m.reference = reference;
        tx.audit(&[ctx
            .event(
                self.now(),
                AuditAction::MatterOpened,
                format!("matter:{id}"),
            )
            .person(person)
            .detail("kind", kind.as_str())])
            .await?;
        self.finish(tx, ctx, &format!("matter:{id}")).await?;
        Ok(m)
    }
}

/// Moves a matter on: concluded, review exhausted, or finalised on a date (NOR-9.1 starts there).
///
/// # Errors
/// A role refusal, no such matter, a finalised matter without its date, or the store's error.
impl Handles<cmd::SetMatterStatus> for App {
    type Output = Matter;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::SetMatterStatus,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::SetMatterStatus {
            matter: id,
            status,
            finalised_on,
        } = c;
        let m = self.store.matter(id).await?.found(id)?;
        let m = wf::set_matter_status(&m, status, finalised_on, self.today())?;
        let mut tx = self.begin().await?;
        tx.update_matter(&m).await?;
        tx.audit(&[ctx
            .event(
                self.now(),
                AuditAction::MatterStatusChanged,
                format!("matter:{id}"),
            )
            .person(m.person_id)
            .detail("status", status.as_str())])
            .await?;
        self.finish(tx, ctx, &format!("matter:{id}")).await?;
        Ok(m)
    }
}

/// CLE-8.1, 8.2.
///
/// # Errors
/// As [`wf::record_additional_help`], or no such person.
impl Handles<cmd::RecordAdditionalHelp> for App {
    type Output = ServiceUser;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::RecordAdditionalHelp,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::RecordAdditionalHelp {
            person,
            needs_help,
            words,
        } = c;

        let p = self.person(person).await?;
        let d = wf::record_additional_help(
            &self.profile,
            &ctx.actor,
            &p,
            needs_help,
            words,
            self.now(),
        )?;
        let mut tx = self.begin().await?;
        tx.update_person(&d.record).await?;
        tx.audit(&d.events).await?;
        self.finish(tx, ctx, &format!("person:{person}")).await?;
        self.after_write().await;
        Ok(d.record)
    }
}

/// Records that a contact was screened (CLE-9.10), with what was found; closes its screening task.
///
/// # Errors
/// A role refusal, or a contact not waiting for screening.
impl Handles<cmd::ScreenContact> for App {
    type Output = Contact;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::ScreenContact,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::ScreenContact {
            contact: id,
            finding,
            note,
        } = c;
        let c = self.store.contact(id).await?.found(id)?;
        let open = self
            .store
            .tasks(
                &TaskFilter {
                    open_only: true,
                    person: c.person_id,
                    kind: Some(TaskKind::Screening),
                    ..Default::default()
                },
                1000,
            )
            .await?;
        let (ev, tasks) =
            wf::screen_contact(&self.profile, &ctx.actor, &c, finding, &note, self.now())?;
        let outcome = if note.trim().is_empty() {
            finding.label().to_string()
        } else {
            format!("{}: {}", finding.label(), note.trim())
        };
        let mut tx = self.begin().await?;
        tx.mark_screened(id).await?;
        for t in open.iter().filter(|t| t.contact() == Some(id)) {
            tx.complete_task(t.id, ctx.actor.id, &outcome, self.now())
                .await?;
        }
        tx.tasks_about(&tasks, &format!("contact:{id}"), self.now())
            .await?;
        tx.audit(&[ev]).await?;
        self.finish(tx, ctx, &format!("contact:{id}")).await?;
        Ok(Contact {
            screening: Screening::Done,
            ..c
        })
    }
}

/// # Errors
/// As [`wf::record_incident`], or no such person.
impl Handles<cmd::RecordIncident> for App {
    type Output = (Incident, Vec<TaskId>);

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::RecordIncident,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::RecordIncident { input } = c;

        self.person(input.person_id).await?;
        let staff = self.store.staff_list().await?;
        let matter = match input.matter_id {
            Some(m) => self.store.matter(m).await?,
            None => None,
        };
        let contact = match input.contact_id {
            Some(c) => self.store.contact(c).await?,
            None => None,
        };
        let d = wf::record_incident(
            &self.profile,
            &ctx.actor,
            input,
            &staff,
            matter.as_ref(),
            contact.as_ref(),
            self.now(),
        )?;
        self.save_incident(ctx, d).await
    }
}

/// Marks a received letter or email as threatening or abusive (CLE-4.6).
///
/// # Errors
/// No such contact; as [`wf::record_threatening_correspondence`].
impl Handles<cmd::MarkThreatening> for App {
    type Output = (Incident, Vec<TaskId>);

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::MarkThreatening,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::MarkThreatening {
            contact,
            category,
            description,
        } = c;
        let category = category.as_str();
        let description = description.as_str();

        let c = self.store.contact(contact).await?.found(contact)?;
        let staff = self.store.staff_list().await?;
        let d = wf::record_threatening_correspondence(
            &self.profile,
            &ctx.actor,
            &c,
            category,
            description,
            &staff,
            self.now(),
        )?;
        self.save_incident(ctx, d).await
    }
}

/// # Errors
/// As [`wf::give_warning`], or no such person.
impl Handles<cmd::GiveWarning> for App {
    type Output = Warning;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::GiveWarning,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::GiveWarning { person, input } = c;

        self.person(person).await?;
        let incidents = self.store.incidents_of(person).await?;
        let d = wf::give_warning(
            &self.profile,
            &ctx.actor,
            person,
            input,
            &incidents,
            self.now(),
        )?;
        let mut tx = self.begin().await?;
        let id = tx.insert_warning(&d.record).await?;
        self.finish_new(tx, ctx, &format!("warning:{id}"), &d)
            .await?;
        Ok(Warning { id, ..d.record })
    }
}

/// # Errors
/// As [`wf::draft_plan`], or no such person.
impl Handles<cmd::DraftPlan> for App {
    type Output = Plan;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::DraftPlan,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::DraftPlan { person, input } = c;

        self.person(person).await?;
        let records = self.plan_records(person).await?;
        let pc = records.context();
        let d = wf::draft_plan(&self.profile, &ctx.actor, person, input, &pc, self.now())?;
        let mut tx = self.begin().await?;
        let id = tx.insert_plan(&d.record).await?;
        // CLE-4.6: a plan started answers the call for one.
        tx.close_person_tasks(
            person,
            TaskKind::PlanNeeded,
            ctx.actor.id,
            &format!("{} {id} started", self.profile.terms.plan),
            self.now(),
        )
        .await?;
        self.finish_new(tx, ctx, &id.subject(), &d).await?;
        Ok(Plan { id, ..d.record })
    }
}

/// # Errors
/// As [`wf::answer_checklist`].
impl Handles<cmd::AnswerChecklist> for App {
    type Output = (Plan, Vec<TaskId>);

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::AnswerChecklist,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::AnswerChecklist { plan: id, answers } = c;

        let s = self.plan(id).await?;
        let mut d = wf::answer_checklist(&self.profile, &ctx.actor, &s, answers, self.now())?;
        let mut tx = self.begin().await?;
        tx.close_moot_tasks(&d.moot, ctx.actor.id, self.now())
            .await?;
        let ids = tx.tasks(&d.tasks, self.now()).await?;
        for (t, task_id) in d.tasks.iter().zip(&ids) {
            if let Some(q) = t
                .subject
                .as_deref()
                .and_then(|x| x.split(":question:").nth(1))
            {
                wf::link_remedy_task(&mut d.record, q, *task_id);
            }
        }
        tx.update_plan(&d.record, s.version).await?;
        tx.audit(&d.events).await?;
        self.finish(tx, ctx, &id.subject()).await?;
        Ok((d.record, ids))
    }
}

/// Takes one step on a plan, whichever door it came from: loads the plan and the
/// person's records, decides in core ([`wf::decide_plan`]), writes the plan, its events
/// and its tasks in one transaction, and refreshes what the contact check knows.
///
/// # Errors
/// No such plan; as the step's own rule; a plan changed meanwhile (409).
impl Handles<cmd::PlanStepCommand> for App {
    type Output = Plan;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::PlanStepCommand,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::PlanStepCommand { plan: id, command } = c;

        let s = self.plan(id).await?;
        let records = self.plan_records(s.person_id).await?;
        let pc = records.context();
        let d = wf::decide_plan(&self.profile, &ctx.actor, &s, command, &pc, self.now())?;
        self.save_plan(ctx, &s, d).await
    }
}

/// # Errors
/// As [`wf::raise_dispute`].
impl Handles<cmd::RaiseDispute> for App {
    type Output = Dispute;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::RaiseDispute,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::RaiseDispute {
            plan: id,
            grounds,
            received_at,
        } = c;
        let grounds = grounds.as_str();

        let s = self.plan(id).await?;
        let now = self.now();
        let d = wf::raise_dispute(
            &self.profile,
            &ctx.actor,
            &s,
            grounds,
            received_at.unwrap_or(now),
            now,
        )?;
        let mut tx = self.begin().await?;
        let did = tx.insert_dispute(&d.record).await?;
        tx.audit(&d.events).await?;
        tx.tasks_about(&d.tasks, &format!("dispute:{did}"), now)
            .await?;
        self.finish(tx, ctx, &format!("dispute:{did}")).await?;
        Ok(Dispute {
            id: did,
            ..d.record
        })
    }
}

/// # Errors
/// As [`wf::decide_dispute`].
impl Handles<cmd::DecideDispute> for App {
    type Output = (Dispute, Plan);

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::DecideDispute,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::DecideDispute {
            dispute: id,
            outcome,
            reasons,
            variation,
        } = c;
        let reasons = reasons.as_str();

        let dispute = self.store.dispute(id).await?.found(id)?;
        let s = self.plan(dispute.plan_id).await?;
        let records = self.plan_records(s.person_id).await?;
        let pc = records.context();
        let (dd, pd) = wf::decide_dispute(
            &self.profile,
            &ctx.actor,
            &dispute,
            &s,
            wf::DisputeDecision {
                outcome,
                reasons: reasons.to_string(),
                variation,
            },
            &pc,
            self.now(),
        )?;
        let mut tx = self.begin().await?;
        tx.decide_dispute(&dd.record).await?;
        tx.update_plan(&pd.record, s.version).await?;
        tx.audit(&dd.events).await?;
        tx.audit(&pd.events).await?;
        tx.tasks(&pd.tasks, self.now()).await?;
        let open = records.tasks.iter().filter(|t| {
            t.done_at.is_none() && t.task.subject.as_deref() == Some(&format!("dispute:{id}"))
        });
        for t in open {
            tx.complete_task(t.id, ctx.actor.id, reasons, self.now())
                .await?;
        }
        self.finish(tx, ctx, &format!("dispute:{id}")).await?;
        self.after_write().await;
        Ok((dd.record, pd.record))
    }
}

/// # Errors
/// As [`wf::request_adjustment`], or no such person.
impl Handles<cmd::RequestAdjustment> for App {
    type Output = Adjustment;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::RequestAdjustment,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::RequestAdjustment {
            person,
            kind,
            description,
        } = c;
        let description = description.as_str();

        self.person(person).await?;
        let d = wf::request_adjustment(
            &self.profile,
            &ctx.actor,
            person,
            kind,
            description,
            self.now(),
        )?;
        let mut tx = self.begin().await?;
        let id = tx.insert_adjustment(&d.record).await?;
        self.finish_new(tx, ctx, &format!("adjustment:{id}"), &d)
            .await?;
        Ok(Adjustment { id, ..d.record })
    }
}

/// # Errors
/// As [`wf::decide_adjustment`].
impl Handles<cmd::DecideAdjustment> for App {
    type Output = Adjustment;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::DecideAdjustment,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::DecideAdjustment {
            adjustment: id,
            grant,
            reasons,
        } = c;
        let reasons = reasons.as_str();

        let a = self.store.adjustment(id).await?.found(id)?;
        let d = wf::decide_adjustment(&self.profile, &ctx.actor, &a, grant, reasons, self.now())?;
        let open = self
            .store
            .tasks(
                &TaskFilter {
                    open_only: true,
                    person: Some(a.person_id),
                    kind: Some(TaskKind::AdjustmentDecision),
                    ..Default::default()
                },
                1000,
            )
            .await?;
        let mut tx = self.begin().await?;
        tx.decide_adjustment(&d.record).await?;
        tx.audit(&d.events).await?;
        tx.tasks(&d.tasks, self.now()).await?;
        for t in open
            .iter()
            .filter(|t| t.task.subject.as_deref() == Some(&format!("adjustment:{id}")))
        {
            tx.complete_task(t.id, ctx.actor.id, reasons, self.now())
                .await?;
        }
        self.finish(tx, ctx, &format!("adjustment:{id}")).await?;
        self.after_write().await;
        Ok(d.record)
    }
}

/// # Errors
/// As [`wf::record_further_action`], or no such person.
impl Handles<cmd::RecordFurtherAction> for App {
    type Output = FurtherAction;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::RecordFurtherAction,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::RecordFurtherAction { person, input } = c;

        self.person(person).await?;
        let d = wf::record_further_action(&self.profile, &ctx.actor, person, input, self.now())?;
        let mut tx = self.begin().await?;
        let id = tx.insert_further_action(&d.record).await?;
        self.finish_new(tx, ctx, &format!("further-action:{id}"), &d)
            .await?;
        Ok(FurtherAction { id, ..d.record })
    }
}

/// Marks a task done with its outcome. Only its assignee, someone in its role, or a
/// manager may close it.
///
/// # Errors
/// No such task, already done, or not theirs to close.
impl Handles<cmd::CompleteTask> for App {
    type Output = Task;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::CompleteTask,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::CompleteTask { task: id, outcome } = c;
        let outcome = outcome.as_str();

        tact_core::error::require_text("outcome", outcome)?;
        let t = self.store.task(id).await?.found(id)?;
        // A notice task's plan, where it names one: while that plan awaits its notice, the
        // notice is recorded on the plan, not the task closed by hand.
        let plan = match t.task.subject.as_deref().and_then(PlanId::of_subject) {
            Some(p) if t.task.kind == TaskKind::SendNotice => self.store.plan(p).await?,
            _ => None,
        };
        if let Some(refused) = tact_core::roles::close_refusal(&ctx.actor, &t, plan.as_ref()) {
            return Err(refused.into());
        }
        let mut tx = self.begin().await?;
        tx.complete_task(id, ctx.actor.id, outcome, self.now())
            .await?;
        let mut ev = ctx
            .event(self.now(), AuditAction::TaskDone, format!("task:{id}"))
            .reason(outcome)
            .clause(t.task.clause.clone());
        ev.person_id = t.task.person_id;
        tx.audit(&[ev]).await?;
        self.finish(tx, ctx, &format!("task:{id}")).await?;
        Ok(self.store.task(id).await?.unwrap_or(t))
    }
}

/// Asks to share a person's details with a partner; waits for the DPO.
///
/// # Errors
/// No such person; as [`tact_core::sharing::request_disclosure`].
impl Handles<cmd::RequestDisclosure> for App {
    type Output = sharing::Disclosure;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::RequestDisclosure,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::RequestDisclosure {
            person,
            request: input,
        } = c;

        self.person(person).await?;
        let d = sharing::request_disclosure(&self.profile, &ctx.actor, person, input, self.now())?;
        let mut tx = self.begin().await?;
        let id = tx.insert_disclosure(&d.record).await?;
        self.finish_new(tx, ctx, &format!("disclosure:{id}"), &d)
            .await?;
        Ok(sharing::Disclosure { id, ..d.record })
    }
}

/// The DPO's decision on a request to share.
///
/// # Errors
/// No such request; as [`tact_core::sharing::decide_disclosure`].
impl Handles<cmd::DecideDisclosure> for App {
    type Output = sharing::Disclosure;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::DecideDisclosure,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::DecideDisclosure {
            disclosure: id,
            approve,
            reason,
        } = c;
        let reason = reason.as_str();

        let before = self.disclosure(id).await?;
        let d = sharing::decide_disclosure(
            &self.profile,
            &ctx.actor,
            &before,
            approve,
            reason,
            self.now(),
        )?;
        self.save_disclosure(ctx, &before, d).await
    }
}

/// Records what was shared, with whom and when, on the disclosure log.
///
/// # Errors
/// No such request; as [`tact_core::sharing::record_shared`].
impl Handles<cmd::RecordShared> for App {
    type Output = sharing::Disclosure;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::RecordShared,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::RecordShared {
            disclosure: id,
            what,
            at,
        } = c;
        let what = what.as_str();

        let before = self.disclosure(id).await?;
        let now = self.now();
        let d = sharing::record_shared(
            &self.profile,
            &ctx.actor,
            &before,
            what,
            at.unwrap_or(now),
            now,
        )?;
        self.save_disclosure(ctx, &before, d).await
    }
}

/// # Errors
/// A role refusal, an empty name, or the store's error.
impl Handles<cmd::CreatePerson> for App {
    type Output = ServiceUser;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::CreatePerson,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::CreatePerson { input } = c;
        let now = self.now();
        let mut p = input.new_person(now)?;
        let mut tx = self.begin().await?;
        claim_identifiers(&mut tx, &p, &[]).await?;
        let (id, reference) = tx.insert_person(&p).await?;
        p.id = id;
        p.reference = reference;
        tx.audit(&[ctx
            .event(now, AuditAction::PersonCreated, format!("person:{id}"))
            .person(id)])
            .await?;
        self.finish(tx, ctx, &format!("person:{id}")).await?;
        self.after_write().await;
        Ok(p)
    }
}

/// Changes a person's details: those given, the rest as they are.
///
/// # Errors
/// A role refusal, no such person, or the store's error.
impl Handles<cmd::UpdatePerson> for App {
    type Output = ServiceUser;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::UpdatePerson,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::UpdatePerson {
            person: id,
            changes,
        } = c;
        let before = self.person(id).await?;
        let mut p = before.clone();
        changes.over(&before).apply_to(&mut p, false)?;
        let ev = ctx.event(
            self.now(),
            AuditAction::PersonUpdated,
            format!("person:{id}"),
        );
        self.save_person(ctx, &before, &p, ev).await?;
        Ok(p)
    }
}

/// Puts right details that were wrong (rectification): the change is recorded as such,
/// with what was wrong and which details changed — but not the wrong values, which
/// are not kept.
///
/// # Errors
/// A role refusal; no such person; no account of what was wrong; nothing changed.
impl Handles<cmd::RectifyPerson> for App {
    type Output = ServiceUser;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::RectifyPerson,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::RectifyPerson {
            person: id,
            input,
            what_was_wrong,
        } = c;
        let before = self.person(id).await?;
        let (p, changed) = input.rectify(&before, what_was_wrong.as_str())?;
        let ev = ctx
            .event(
                self.now(),
                AuditAction::PersonRectified,
                format!("person:{id}"),
            )
            .reason(what_was_wrong.trim().to_string())
            .detail("changed", changed.join(", "));
        self.save_person(ctx, &before, &p, ev).await?;
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_time_the_clock_gives_is_one_the_store_keeps_to_the_microsecond() {
        let kept = |t: Timestamp| t.as_nanosecond() % 1_000 == 0;
        // The system clock: five readings, each to the microsecond (the odds that all
        // five land on one by chance are one in 10^15).
        let system = Clock::default();
        assert!((0..5).all(|_| kept(system.now())));
        // A fixed clock, and one moved: what a test gives is kept as the store would.
        let at = Timestamp::from_nanosecond(1_780_000_000_123_456_789).expect("a time");
        let fixed = Clock::fixed(at);
        assert_eq!(fixed.now().as_nanosecond(), 1_780_000_000_123_456_000);
        fixed.set(at + jiff::SignedDuration::from_nanos(999));
        assert_eq!(fixed.now().as_nanosecond(), 1_780_000_000_123_457_000);
    }
}
