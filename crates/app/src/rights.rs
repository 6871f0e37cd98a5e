//! Data-rights requests (issue 5): recorded by whoever takes the contact, whatever a plan
//! says, and answered by the DPO within the deadline `tact_core::rights` sets.

use crate::Found;
use crate::{App, Ctx, Handles, Result};
use tact_core::command as cmd;
use tact_core::rights::{self, RightsRequest};
use tact_core::workflow::Decision;

impl App {
    /// # Errors
    /// No such request, or the store's error.
    pub(crate) async fn rights_request(&self, id: i64) -> Result<RightsRequest> {
        self.store.rights_request(id).await?.found(id)
    }

    /// Every open request, soonest deadline first: the DPO's list.
    ///
    /// # Errors
    /// A role refusal or the store's error.
    pub(crate) async fn open_rights_requests(&self) -> Result<Vec<RightsRequest>> {
        Ok(self.store.rights_requests(None).await?)
    }

    async fn save_rights(
        &self,
        ctx: &Ctx,
        before: &RightsRequest,
        d: Decision<RightsRequest>,
    ) -> Result<RightsRequest> {
        let subject = format!("data-rights:{}", before.id);
        let now = self.now();
        let mut tx = self.begin().await?;
        tx.update_rights(&d.record, before.extended_to.is_some())
            .await?;
        tx.audit(&d.events).await?;
        let why = match d.record.status {
            tact_core::rights::RightStatus::Open => "deadline extended",
            _ => "answered",
        };
        tx.close_tasks(&subject, &d.closes, ctx.actor.id, why, now)
            .await?;
        tx.tasks(&d.tasks, now).await?;
        self.finish(tx, ctx, &subject).await?;
        Ok(d.record)
    }
}

/// Records a request for access, rectification, erasure or objection; it goes to the
/// DPO with its deadline.
///
/// # Errors
/// A role refusal; no such person; no details; a receipt date in the future.
impl Handles<cmd::ReceiveRightsRequest> for App {
    type Output = RightsRequest;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::ReceiveRightsRequest,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        let cmd::ReceiveRightsRequest {
            person,
            kind,
            details,
            channel,
            received_on,
        } = c;
        let details = details.as_str();

        self.person(person).await?;
        let now = self.now();
        let today = tact_core::check::uk_date(now);
        let d = rights::receive(
            &self.profile,
            &ctx.actor,
            person,
            kind,
            details,
            channel,
            received_on.unwrap_or(today),
            today,
            now,
        )?;
        let mut tx = self.begin().await?;
        let id = tx.insert_rights(&d.record).await?;
        self.finish_new(tx, ctx, &format!("data-rights:{id}"), &d)
            .await?;
        Ok(RightsRequest { id, ..d.record })
    }
}

/// Answers the request: done, with what was done; refused, with why; or more time (two
/// months, once), with the reason, and a task to tell them.
///
/// # Errors
/// As [`rights::extend`] and [`rights::close`].
impl Handles<cmd::AnswerRightsRequest> for App {
    type Output = RightsRequest;

    async fn handle(
        &self,
        ctx: &Ctx,
        c: cmd::AnswerRightsRequest,
        _: crate::Executed,
    ) -> Result<Self::Output> {
        use tact_core::rights::RightsAnswer;
        let r = self.rights_request(c.request).await?;
        let now = self.now();
        let d = match c.answer {
            RightsAnswer::Extend => rights::extend(
                &self.profile,
                &ctx.actor,
                &r,
                &c.text,
                tact_core::check::uk_date(now),
                now,
            )?,
            RightsAnswer::Done | RightsAnswer::Refused => rights::close(
                &self.profile,
                &ctx.actor,
                &r,
                c.answer == RightsAnswer::Refused,
                &c.text,
                now,
            )?,
        };
        self.save_rights(ctx, &r, d).await
    }
}
