//! Equality monitoring (issue 13; CLE-8.4; NOR-1.4): answers recorded with consent, kept
//! apart, and read only as the report's suppressed counts by those the profile's
//! `read_equality` names. Front-line staff can record answers (they ask the person) but
//! never read them back: no query gives one person's answers to anyone.

use crate::{App, AppError, Ctx, Handles, Result};
use tact_core::audit::AuditAction;
use tact_core::command as cmd;
use tact_core::equality::{Monitoring, Report};

/// Records a person's answers with their consent, replacing any before. The event log
/// says that answers were recorded, never what they are.
///
/// # Errors
/// No consent, or an answer not on its question's list; no such person.
impl Handles<cmd::RecordEquality> for App {
    type Output = ();

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::RecordEquality,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::RecordEquality {
            person,
            consent,
            answers,
        } = c;
        tact_core::equality::check_answers(
            &self.profile.clauses.equality_monitoring,
            consent,
            &answers,
        )?;
        self.person(person).await?;
        let now = self.now();
        let mut tx = self.begin().await?;
        tx.put_equality(&Monitoring {
            person_id: person,
            consented_at: now,
            recorded_by: ctx.actor.id,
            answers,
        })
        .await?;
        tx.audit(&[ctx
            .event(
                now,
                AuditAction::EqualityRecorded,
                format!("person:{person}"),
            )
            .person(person)
            .clause(self.profile.clauses.equality_monitoring.clone())])
            .await?;
        self.finish(tx, ctx, &format!("equality:{person}")).await
    }
}

/// Deletes a person's answers: they withdrew their consent.
///
/// # Errors
/// No such person; none recorded.
impl Handles<cmd::WithdrawEquality> for App {
    type Output = ();

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::WithdrawEquality,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::WithdrawEquality { person } = c;
        self.person(person).await?;
        let now = self.now();
        let mut tx = self.begin().await?;
        if !tx.delete_equality(person).await? {
            return Err(none_recorded());
        }
        tx.audit(&[ctx
            .event(
                now,
                AuditAction::EqualityWithdrawn,
                format!("person:{person}"),
            )
            .person(person)])
            .await?;
        self.finish(tx, ctx, &format!("equality:{person}")).await
    }
}

/// The refusal of a withdrawal with nothing to withdraw: the same 409 whether the step is
/// taken or only its form opened. The person is there, and whether they have answers is
/// always readable (`recorded: false`); there being none is the state the step conflicts
/// with, not a record that was not found (an API client that has just created the person
/// must not be told the person is missing).
pub fn none_recorded() -> AppError {
    AppError::Rule(tact_core::RuleError::state(
        "person_id",
        "no equality monitoring answers are recorded for them",
    ))
}

impl App {
    /// The equality report (counts unsuppressed: the doors show them through
    /// [`tact_core::equality::shown`]).
    ///
    /// # Errors
    /// The store's error.
    pub(crate) async fn equality_report(&self) -> Result<Report> {
        let monitored = self.store.equality_all().await?;
        let outcomes = self.store.equality_outcomes().await?;
        Ok(tact_core::equality::report(&monitored, &outcomes))
    }

    /// A person's own answers, for their subject access bundle.
    ///
    /// # Errors
    /// The store's error.
    pub(crate) async fn equality_of(
        &self,
        person: tact_core::ids::PersonId,
    ) -> Result<Option<Monitoring>> {
        Ok(self.store.equality_of(person).await?)
    }

    /// Whether a person has answers on record (not what they are).
    ///
    /// # Errors
    /// The store's error.
    pub(crate) async fn has_equality(&self, person: tact_core::ids::PersonId) -> Result<bool> {
        self.person(person).await?;
        Ok(self.store.has_equality(person).await?)
    }
}
