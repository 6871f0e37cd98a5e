//! Retention (issue 5; NOR-9.1: records are kept "for six years after the complaint has
//! been finalised or their correspondence answered"): when a person's records fall due for
//! disposal, and what keeps them. The profile gives the years; Cleveland's policy is
//! silent, so its profile sets the same six years as a local setting.

use crate::model::{Matter, MatterStatus, Plan, PlanStatus};
use crate::profile::Profile;
use jiff::civil::Date;

/// What is known about one person for retention.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub matters: &'a [Matter],
    pub plans: &'a [Plan],
    /// The last day anything passed between them and the office (a contact either way, or
    /// a letter sent): when their correspondence was last answered.
    pub last_activity: Option<Date>,
    /// The day the person was first recorded.
    pub recorded_on: Date,
    pub open_data_rights: bool,
    /// The reason for a legal hold that is in place, if one is.
    pub legal_hold: Option<String>,
}

/// A legal hold in place (NOR-9.1): whose records it keeps past their disposal date, why,
/// and who placed it when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalHold {
    pub id: i64,
    pub person: crate::ids::PersonId,
    /// The person's reference, as the retention page and the register name them.
    pub reference: String,
    pub reason: String,
    pub placed_by: crate::ids::StaffId,
    pub placed_at: jiff::Timestamp,
}

/// One entry of the disposal register (NOR-9.1): whose records went, when they were due,
/// when and by whom they were destroyed, and what went, without the data itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterEntry {
    /// The person's reference, which outlives them on the register.
    pub reference: String,
    pub due_on: Date,
    pub destroyed_at: jiff::Timestamp,
    /// The member of staff who confirmed it; none for the scheduled job.
    pub destroyed_by: Option<crate::ids::StaffId>,
    /// What went, as the register lists it (`contact: 3; person: 1`).
    pub destroyed: String,
}

/// Whether a person's records may go, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposal {
    /// Kept, and why: a matter not finalised, a plan still running, a data-rights request
    /// open, or a legal hold.
    Kept(String),
    /// Due for disposal on this day.
    DueOn(Date),
}

/// NOR-9.1: the day a person's records fall due, or why they are kept.
pub fn disposal(profile: &Profile, f: &Facts<'_>) -> Disposal {
    if let Some(why) = &f.legal_hold {
        return Disposal::Kept(format!("a legal hold is in place ({why})"));
    }
    if f.open_data_rights {
        return Disposal::Kept("a data-rights request is open".into());
    }
    if let Some(s) = f.plans.iter().find(|s| {
        !matches!(
            s.status,
            PlanStatus::Lifted | PlanStatus::Refused | PlanStatus::Withdrawn
        )
    }) {
        return Disposal::Kept(format!(
            "{} {} is {}",
            profile.terms.plan,
            s.id,
            s.status.as_str()
        ));
    }
    let mut base = f.last_activity.unwrap_or(f.recorded_on).max(f.recorded_on);
    for m in f.matters {
        match (m.status, m.finalised_on) {
            (MatterStatus::Finalised, Some(d)) => base = base.max(d),
            _ => return Disposal::Kept(format!("matter {} is not finalised", m.reference)),
        }
    }
    let years = i16::try_from(profile.rules.retention_years_after_finalised).unwrap_or(i16::MAX);
    Disposal::DueOn(
        base.checked_add(jiff::Span::new().years(years))
            .unwrap_or(Date::MAX),
    )
}

/// Whether the records are due for disposal by `today`.
pub fn due(d: &Disposal, today: Date) -> bool {
    matches!(d, Disposal::DueOn(on) if *on <= today)
}

/// The reason a legal hold keeps a person's records past their disposal date (NOR-9.1),
/// as it is kept: it must be given, and is kept trimmed.
///
/// # Errors
/// An invalid-input refusal naming `reason` when none is given.
pub fn hold_reason(reason: &str) -> Result<String, crate::RuleError> {
    crate::error::require_text("reason", reason)?;
    Ok(reason.trim().to_string())
}

/// Disposal destroys records for good (NOR-9.1), so it goes ahead only when the one who
/// runs it has confirmed it — the box ticked on the page, `confirm: true` on the API,
/// `--confirm` at the command line: one refusal, naming `confirm`, at every door.
///
/// # Errors
/// An invalid-input refusal naming `confirm` when it is not confirmed.
pub fn confirmed(confirm: bool) -> Result<(), crate::RuleError> {
    if confirm {
        Ok(())
    } else {
        Err(crate::RuleError::invalid(
            "confirm",
            "confirm the disposal first: it destroys the records for good and cannot be undone",
        ))
    }
}

#[cfg(test)]
mod tests {
    /// NOR-9.1: nothing is destroyed unless the disposal is confirmed.
    #[test]
    fn nor_9_1_disposal_goes_ahead_only_when_confirmed() {
        assert!(super::confirmed(true).is_ok());
        let e = super::confirmed(false).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("confirm"));
        assert_eq!(e.kind, crate::RuleErrorKind::Invalid);
    }

    /// NOR-9.1: a legal hold says why the records are kept, and is kept as said, trimmed.
    #[test]
    fn nor_9_1_a_legal_hold_needs_its_reason() {
        assert_eq!(
            super::hold_reason("  Litigation pending ").unwrap(),
            "Litigation pending"
        );
        let e = super::hold_reason(" \n ").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("reason"));
    }
}
