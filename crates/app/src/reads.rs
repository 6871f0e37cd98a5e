//! What the doors read, through the app (issue 11): each read is authorised here, in the
//! role the profile gives the action, and a read of a person's restrictions, incidents or
//! history goes on the access log. `web` and the binary do not reach the store for data.

use crate::Found;
use crate::{App, Result};
use tact_core::correspondence::{LetterStatus, Route, StoredLetter};
use tact_core::ids::*;
use tact_core::model::*;
use tact_core::roles::Actor;

/// What a plan's review weighs (NOR-8.2; CLE-9.12): the person's conduct since the plan took
/// effect — how many contacts, how many of them breaches, and the incidents recorded.
#[derive(Debug, Clone)]
pub struct ConductSince {
    pub since: jiff::Timestamp,
    pub contacts: usize,
    pub breaches: usize,
    /// The incidents since, oldest first.
    pub incidents: Vec<Incident>,
}

impl App {
    /// A read of person `person`'s record that goes on the access log as `what` once it
    /// is answered (their incidents, plans, history: what restricts them).
    ///
    /// # Errors
    /// The store's error.
    pub(crate) async fn logged<T>(
        &self,
        actor: &Actor,
        person: PersonId,
        what: &str,
        read: impl std::future::Future<Output = std::result::Result<T, tact_store::StoreError>>,
    ) -> Result<T> {
        let answer = read.await?;
        self.record_access(actor, person, what).await?;
        Ok(answer)
    }

    /// The store, for tests that set up or inspect the database directly: only with the
    /// `testing` feature, which no door enables.
    #[cfg(feature = "testing")]
    pub fn store(&self) -> &tact_store::Store {
        &self.store
    }

    /// A plan as stored, for a test to inspect (no role check, no access log): only with
    /// the `testing` feature. Doors read it with `App::query(&actor, query::Plan { … })`.
    ///
    /// # Errors
    /// No such plan.
    #[cfg(feature = "testing")]
    pub async fn plan_as_stored(&self, id: PlanId) -> Result<Plan> {
        self.plan(id).await
    }

    /// A letter as stored, for a test to inspect: only with the `testing` feature.
    ///
    /// # Errors
    /// No such letter.
    #[cfg(feature = "testing")]
    pub async fn letter_as_stored(&self, id: i64) -> Result<StoredLetter> {
        self.letter(id).await
    }

    /// Every member of staff: the names pages show beside a record, and the choices of a
    /// single point of contact or a line manager. Not personal data of service users. Doors
    /// ask `App::query(&actor, query::Colleagues {})`; this is for the binary before anyone
    /// acts (the demo finding its administrator).
    ///
    /// # Errors
    /// The store's error.
    pub async fn staff_directory(&self) -> Result<Vec<Staff>> {
        Ok(self.store.staff_list().await?)
    }

    /// One member of staff: who `tact --as ID` acts as, looked up before there is an actor
    /// (as signing in is). Doors ask `App::query(&actor, query::Colleague { id })`.
    ///
    /// # Errors
    /// No such member of staff; the store's error.
    pub async fn staff_member(&self, id: StaffId) -> Result<Staff> {
        self.store.staff(id).await?.found(id)
    }

    /// A person's record, for staff who may read records.
    ///
    /// # Errors
    /// A role refusal; no such person.
    pub(crate) async fn read_person(&self, id: PersonId) -> Result<ServiceUser> {
        self.person(id).await
    }

    /// "Name (reference)" for a page's caption, shown to staff already on a page their role
    /// allows (the page's own step is authorised where it is taken); `None` where there is
    /// no such person.
    ///
    /// # Errors
    /// The store's error: a record that cannot be read is not a record that is not there.
    pub(crate) async fn person_label(&self, id: PersonId) -> Result<Option<String>> {
        let person = self.store.person(id).await?;
        Ok(person.as_ref().map(ServiceUser::name_and_reference))
    }

    /// People's names and references by id, for lists (tasks on the home page).
    ///
    /// # Errors
    /// A role refusal; the store's error.
    pub(crate) async fn names_of(
        &self,
        ids: &[PersonId],
    ) -> Result<std::collections::HashMap<PersonId, (String, String)>> {
        Ok(self.store.names_of(ids).await?.into_iter().collect())
    }

    /// A person's matters.
    ///
    /// # Errors
    /// A role refusal; the store's error.
    pub(crate) async fn matters_of(&self, person: PersonId) -> Result<Vec<Matter>> {
        Ok(self.store.matters_of(person).await?)
    }

    /// One matter.
    ///
    /// # Errors
    /// A role refusal; no such matter.
    pub(crate) async fn read_matter(&self, id: MatterId) -> Result<Matter> {
        self.store.matter(id).await?.found(id)
    }

    /// A person's contacts, newest first, at most `limit`.
    ///
    /// # Errors
    /// A role refusal; the store's error.
    pub(crate) async fn contacts_of(&self, person: PersonId, limit: i64) -> Result<Vec<Contact>> {
        Ok(self.store.contacts_of(person, limit).await?)
    }

    /// One contact.
    ///
    /// # Errors
    /// A role refusal; no such contact.
    pub(crate) async fn read_contact(&self, id: ContactId) -> Result<Contact> {
        self.store.contact(id).await?.found(id)
    }

    /// A plan's person's conduct since it took effect, for its review (on the access log, as
    /// the review of that plan).
    ///
    /// # Errors
    /// No such plan; the store's error.
    pub(crate) async fn conduct_since(&self, actor: &Actor, plan: PlanId) -> Result<ConductSince> {
        let s = self.plan(plan).await?;
        let since = s.effective_from.unwrap_or(s.created_at);
        let contacts = self.store.contacts_of(s.person_id, 10_000).await?;
        // Their conduct: what they sent or said, not what the office sent them (a reminder
        // after a breach is the office's, and no conduct of theirs).
        let recent: Vec<_> = contacts
            .iter()
            .filter(|c| c.at >= since && c.direction == tact_core::model::Direction::Inbound)
            .collect();
        let mut incidents: Vec<Incident> = self
            .store
            .incidents_of(s.person_id)
            .await?
            .into_iter()
            .filter(|i| i.occurred_at >= since)
            .collect();
        incidents.sort_by_key(|i| i.occurred_at);
        let what = format!(
            "the review of {} {plan}: their conduct",
            self.profile.terms.plan
        );
        self.record_access(actor, s.person_id, &what).await?;
        Ok(ConductSince {
            since,
            contacts: recent.len(),
            breaches: recent.iter().filter(|c| !c.breach_of.is_empty()).count(),
            incidents,
        })
    }

    /// A plan opened to read it (on the access log).
    ///
    /// # Errors
    /// No such plan; the store's error.
    pub(crate) async fn view_plan(&self, actor: &Actor, id: PlanId) -> Result<Plan> {
        let s = self.plan(id).await?;
        let what = format!("{} {id}", self.profile.terms.plan);
        self.record_access(actor, s.person_id, &what).await?;
        Ok(s)
    }

    /// A person's reasonable adjustments, on the access log as the reader's opening of them.
    ///
    /// # Errors
    /// A role refusal, or the store's error.
    pub(crate) async fn read_adjustments(
        &self,
        actor: &Actor,
        person: PersonId,
    ) -> Result<Vec<Adjustment>> {
        let list = self.store.adjustments_of(person).await?;
        self.record_access(actor, person, "their reasonable adjustments")
            .await?;
        Ok(list)
    }

    /// One warning: what its letter is written from (CLE-9.2, 9.3; NOR-5.2).
    ///
    /// # Errors
    /// A role refusal; no such warning.
    pub(crate) async fn read_warning(&self, id: WarningId) -> Result<Warning> {
        self.store.warning(id).await?.found(id)
    }

    /// One dispute.
    ///
    /// # Errors
    /// A role refusal; no such dispute.
    pub(crate) async fn read_dispute(&self, id: DisputeId) -> Result<Dispute> {
        self.store.dispute(id).await?.found(id)
    }

    /// The disputes about one plan (NOR-7.1), oldest first: none for a plan that is not
    /// there (its page has already said so, having read the plan).
    ///
    /// # Errors
    /// A role refusal, or the store's error.
    pub(crate) async fn plan_disputes(&self, plan: PlanId) -> Result<Vec<Dispute>> {
        Ok(self.store.disputes_about(plan).await?)
    }

    /// One request to share, for whoever may read the disclosure log (CLE-9.15).
    ///
    /// # Errors
    /// A role refusal; no such request.
    pub(crate) async fn read_disclosure(
        &self,
        id: DisclosureId,
    ) -> Result<tact_core::sharing::Disclosure> {
        self.store.disclosure(id).await?.found(id)
    }

    /// One task.
    ///
    /// # Errors
    /// No such task.
    pub(crate) async fn task(&self, id: TaskId) -> Result<Task> {
        self.store.task(id).await?.found(id)
    }

    /// The legal hold on a person's records, if any (NOR-9.1): its id and reason.
    ///
    /// # Errors
    /// A role refusal; the store's error.
    pub(crate) async fn hold_on(&self, person: PersonId) -> Result<Option<(i64, String)>> {
        self.person(person).await?;
        Ok(self.store.hold_in_place(person).await?)
    }

    /// How many letters are in one state (counts on the home page; no personal data).
    ///
    /// # Errors
    /// The store's error.
    pub(crate) async fn count_letters(&self, status: LetterStatus) -> Result<i64> {
        Ok(self.store.count_letters(status).await?)
    }

    /// How many messages went one way (counts on the home page; no personal data).
    ///
    /// # Errors
    /// The store's error.
    pub(crate) async fn count_routed(&self, route: Route) -> Result<i64> {
        Ok(self.store.count_routed(route).await?)
    }

    /// Letters in one state, oldest first (the print queue, failed email): for those who
    /// send notices.
    ///
    /// # Errors
    /// A role refusal; the store's error.
    pub(crate) async fn letters_in(&self, status: LetterStatus) -> Result<Vec<StoredLetter>> {
        Ok(self.store.letters_in(status, None, 500).await?)
    }

    /// The latest runs of the scheduled jobs: job, day, when, what it did.
    ///
    /// # Errors
    /// The store's error.
    pub async fn job_runs(
        &self,
        limit: i64,
    ) -> Result<Vec<(String, String, jiff::Timestamp, String)>> {
        Ok(self.store.job_runs(limit).await?)
    }

    /// Records which profile the database was made under (`tact init`), so another
    /// profile is refused later.
    ///
    /// # Errors
    /// The store's error.
    pub async fn record_profile_id(&self) -> Result<()> {
        let mut tx = self.store.begin().await?;
        tx.set_meta("profile_id", &self.profile.organisation.id)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A new app on the same database and profile, built from scratch (its index loaded
    /// and its change feed followed): what `tact serve --demo` serves after populating.
    ///
    /// # Errors
    /// As [`App::start`].
    pub async fn started_afresh(&self, clock: crate::Clock) -> Result<App> {
        App::start(self.store.clone(), self.profile.as_ref().clone(), clock).await
    }

    /// Closes the database's connections (at shutdown).
    pub async fn close(&self) {
        self.store.close().await;
    }
}
