//! Retention and disposal (issue 5; NOR-9.1): which people's records are due, a dry run
//! that lists them, the disposal that destroys them (each person in one transaction, on
//! the disposal register), and legal holds that keep them.

use crate::{App, Ctx, Handles, Result};
use tact_core::audit::AuditAction;
use tact_core::command as cmd;
use tact_core::ids::PersonId;
use tact_core::retention::{self, Disposal, Facts};

/// One person's records that are due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub person: PersonId,
    /// Their name, for the DPO to know whose records they are checking.
    pub name: String,
    pub reference: String,
    pub due_on: jiff::civil::Date,
}

/// What a disposal destroyed for one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disposed {
    pub reference: String,
    pub due_on: jiff::civil::Date,
    pub counts: Vec<(String, u64)>,
}

impl App {
    /// Where one person's records stand under the retention rule.
    ///
    /// # Errors
    /// No such person, or the store's error.
    pub async fn disposal_of(&self, id: PersonId) -> Result<Disposal> {
        let p = self.person(id).await?;
        self.disposal_for(&p).await
    }

    async fn disposal_for(&self, p: &tact_core::model::ServiceUser) -> Result<Disposal> {
        let id = p.id;
        let matters = self.store.matters_of(id).await?;
        let plans = self.store.plans_of(id).await?;
        let last = self.store.last_activity(id).await?;
        let open_rights = self
            .store
            .rights_requests(Some(id))
            .await?
            .iter()
            .any(|r| r.status == tact_core::rights::RightStatus::Open);
        let hold = self.store.hold_in_place(id).await?;
        Ok(retention::disposal(
            &self.profile,
            &Facts {
                matters: &matters,
                plans: &plans,
                last_activity: last.map(tact_core::check::uk_date),
                recorded_on: tact_core::check::uk_date(p.created_at),
                open_data_rights: open_rights,
                legal_hold: hold.map(|(_, why)| why),
            },
        ))
    }

    /// Every legal hold in place (NOR-9.1), the longest-standing first; the query's role
    /// check (those who handle data rights) comes first.
    ///
    /// # Errors
    /// The store's error.
    pub(crate) async fn holds_in_place(&self) -> Result<Vec<retention::LegalHold>> {
        Ok(self.store.holds_in_place().await?)
    }

    /// The disposal register, newest first: reference, due date, when destroyed, by whom,
    /// what (NOR-9.1), for those who handle data rights.
    ///
    /// # Errors
    /// A role refusal, or the store's error.
    pub(crate) async fn disposal_register(
        &self,
        limit: i64,
    ) -> Result<Vec<retention::RegisterEntry>> {
        Ok(self.store.disposal_register(limit).await?)
    }

    /// The dry run: every person whose records are due for disposal today.
    ///
    /// # Errors
    /// A role refusal, or the store's error.
    pub(crate) async fn due_for_disposal(&self) -> Result<Vec<Due>> {
        self.people_due(tact_core::check::uk_date(self.now())).await
    }

    pub(crate) async fn people_due(&self, today: jiff::civil::Date) -> Result<Vec<Due>> {
        let years =
            i16::try_from(self.profile.rules.retention_years_after_finalised).unwrap_or(i16::MAX);
        let cutoff = today
            .checked_sub(jiff::Span::new().years(years))
            .unwrap_or(jiff::civil::Date::MIN);
        // The end of the cutoff day, UK time: activity after it keeps the records.
        let cutoff_at = cutoff
            .tomorrow()
            .ok()
            .and_then(|d| d.to_zoned(tact_core::check::uk().clone()).ok())
            .map(|z| z.timestamp() - jiff::SignedDuration::from_micros(1))
            .unwrap_or(jiff::Timestamp::MIN);
        let mut out = Vec::new();
        let mut after = 0;
        loop {
            let page = self
                .store
                .disposal_candidates(cutoff, cutoff_at, after, 1000)
                .await?;
            let Some(last) = page.last() else { break };
            after = last.0;
            for id in page {
                let p = self.person(id).await?;
                if let Disposal::DueOn(on) = self.disposal_for(&p).await? {
                    if retention::due(&Disposal::DueOn(on), today) {
                        out.push(Due {
                            person: id,
                            name: p.name,
                            reference: p.reference,
                            due_on: on,
                        });
                    }
                }
            }
        }
        Ok(out)
    }

    /// Destroys the records that are due (as the dry run lists them), each person in one
    /// transaction, checked again inside it; writes the disposal register; forgets kept
    /// idempotent responses older than a week.
    ///
    /// # Errors
    /// The store's error (the person in hand is left whole).
    async fn dispose_due(&self, ctx: &Ctx) -> Result<Vec<Disposed>> {
        let due = self.due_for_disposal().await?;
        let now = self.now();
        let mut out = Vec::new();
        let total = due.len() as u64;
        for (done, d) in due.into_iter().enumerate() {
            ctx.report(done as u64, total);
            // Checked again: a hold or a new contact since the list was made keeps them.
            let still = self.disposal_of(d.person).await?;
            if !retention::due(&still, tact_core::check::uk_date(now)) {
                continue;
            }
            // Views queued for the access log land before the person's rows go.
            self.flush_access_log().await?;
            let mut tx = self.begin().await?;
            let counts = tx
                .dispose_person(d.person, &d.reference, d.due_on, Some(ctx.actor.id), now)
                .await?;
            let mut ev = ctx
                .event(
                    now,
                    AuditAction::RecordsDisposed,
                    format!("reference:{}", d.reference),
                )
                .clause(self.profile.clauses.retention.clone());
            ev.detail.push(("due_on".into(), d.due_on.to_string()));
            tx.audit(&[ev]).await?;
            tx.commit().await?;
            self.after_write().await;
            out.push(Disposed {
                reference: d.reference,
                due_on: d.due_on,
                counts,
            });
        }
        ctx.report(total, total);
        let mut tx = self.begin().await?;
        tx.expire_idempotency(now - jiff::SignedDuration::from_hours(24 * 7))
            .await?;
        tx.close_tasks(
            "retention",
            &[tact_core::model::TaskKind::Disposal],
            ctx.actor.id,
            &format!("{} disposed of", out.len()),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }
}

/// Places a legal hold: the records are kept past their disposal date until it is
/// lifted (the DPO). Gives the hold's id and its reason as kept, as [`crate::query::Hold`]
/// answers for the hold in place.
///
/// # Errors
/// A role refusal; no such person; no reason.
impl Handles<cmd::PlaceHold> for App {
    type Output = (i64, String);

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::PlaceHold,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::PlaceHold { person, reason } = c;
        let reason = tact_core::retention::hold_reason(&reason)?;
        self.person(person).await?;
        let now = self.now();
        let mut tx = self.begin().await?;
        let id = tx.place_hold(person, &reason, ctx.actor.id, now).await?;
        tx.audit(&[ctx
            .event(
                now,
                AuditAction::LegalHoldPlaced,
                format!("legal-hold:{id}"),
            )
            .person(person)
            .reason(reason.clone())])
            .await?;
        self.finish(tx, ctx, &format!("legal-hold:{id}")).await?;
        Ok((id, reason))
    }
}

/// Lifts a legal hold (the DPO).
///
/// # Errors
/// A role refusal; no such hold in place.
impl Handles<cmd::LiftHold> for App {
    type Output = ();

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::LiftHold,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::LiftHold { hold: id } = c;
        let now = self.now();
        let mut tx = self.begin().await?;
        tx.lift_hold(id, ctx.actor.id, now).await?;
        tx.audit(&[ctx.event(
            now,
            AuditAction::LegalHoldLifted,
            format!("legal-hold:{id}"),
        )])
        .await?;
        self.finish(tx, ctx, &format!("legal-hold:{id}")).await?;
        Ok(())
    }
}

/// The subject access bundle was made: on the event log, with how many files.
impl Handles<cmd::RecordSubjectAccess> for App {
    type Output = ();

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::RecordSubjectAccess,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::RecordSubjectAccess { person, files } = c;
        let subject = format!("person:{person}");
        let mut tx = self.begin().await?;
        tx.audit(&[ctx
            .event(self.now(), AuditAction::SubjectAccessExported, &subject)
            .person(person)
            .detail("files", files.to_string())])
            .await?;
        self.finish(tx, ctx, &subject).await?;
        Ok(())
    }
}

impl Handles<cmd::DisposeDue> for App {
    type Output = Vec<Disposed>;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::DisposeDue,
        _: crate::Executed,
    ) -> Result<Vec<Disposed>> {
        tact_core::retention::confirmed(c.confirm)?;
        self.dispose_due(ctx).await
    }
}
