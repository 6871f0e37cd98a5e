//! The governance report (issue 5): gathers what `tact_core::governance` counts.

use crate::{App, Result};
use tact_core::governance::{self, Period, Report, ReviewDone};
use tact_core::model::PlanStatus;

impl App {
    /// The governance report for `period`, for those the profile lets read it (managers, the
    /// DPO, auditors).
    ///
    /// # Errors
    /// A role refusal; a period that ends before it starts; the store's error.
    pub(crate) async fn governance(&self, period: Period) -> Result<Report> {
        period.check()?;
        let tz = tact_core::check::uk().clone();
        let start = period
            .from
            .to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .unwrap_or(jiff::Timestamp::MIN);
        let end = period
            .to
            .tomorrow()
            .ok()
            .and_then(|d| d.to_zoned(tz).ok())
            .map(|z| z.timestamp())
            .unwrap_or(jiff::Timestamp::MAX);
        let plans = self.store.plans_by_status(&PlanStatus::ALL, None).await?;
        let categories = self.store.incident_categories().await?;
        let reviews: Vec<ReviewDone> = self
            .store
            .events_between(
                tact_core::audit::AuditAction::PlanReviewed.as_str(),
                start,
                end,
            )
            .await?
            .iter()
            .map(|e| ReviewDone {
                at: e.at,
                on_time: e.detail_value("on_time").map(|v| v == "yes"),
            })
            .collect();
        let breaches = self.store.breach_times(start, end).await?;
        let disputes = self.store.all_disputes().await?;
        let adjustments = self.store.all_adjustments().await?;
        Ok(governance::report(
            &self.profile,
            period,
            &plans,
            &categories,
            &reviews,
            &breaches,
            &disputes,
            &adjustments,
        ))
    }
}
