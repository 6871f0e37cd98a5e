//! The governance report (issue 5) for the head of standards, for a quarter or any period:
//! plans by behaviour category and stage, reviews done on time, breaches, disputes and
//! their outcomes, adjustments asked for and granted. Counted here from the records the
//! caller gathers; no I/O.

use crate::ids::IncidentId;
use crate::model::{Adjustment, AdjustmentStatus, Dispute, DisputeOutcome, Plan, PlanStatus};
use jiff::civil::Date;
use jiff::Timestamp;
use std::collections::BTreeMap;

/// A period of whole days, `from` to `to` inclusive, UK time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    /// The period a report is asked for: from `from` to `to`, either left out being this
    /// quarter's (the quarter holding `today`) first or last day; the end not before the
    /// start.
    ///
    /// # Errors
    /// An invalid-input error naming `to` for a period that ends before it starts.
    pub fn asked(
        from: Option<Date>,
        to: Option<Date>,
        today: Date,
    ) -> Result<Self, crate::RuleError> {
        let this = Self::quarter_of(today);
        let p = Self {
            from: from.unwrap_or(this.from),
            to: to.unwrap_or(this.to),
        };
        p.check()?;
        Ok(p)
    }

    /// A period that ends before it starts is no period.
    ///
    /// # Errors
    /// An invalid-input error naming `to`.
    pub fn check(&self) -> Result<(), crate::RuleError> {
        if self.to < self.from {
            return Err(crate::RuleError::invalid(
                "to",
                "the period ends before it starts",
            ));
        }
        Ok(())
    }

    /// The calendar quarter holding `day` (January–March, and so on).
    pub fn quarter_of(day: Date) -> Self {
        let first_month = ((day.month() - 1) / 3) * 3 + 1;
        let from = Date::new(day.year(), first_month, 1).unwrap_or(day);
        let to = from
            .checked_add(jiff::Span::new().months(3))
            .and_then(|d| d.yesterday())
            .unwrap_or(day);
        Self { from, to }
    }

    /// The quarter before this one.
    pub fn previous_quarter(self) -> Self {
        Self::quarter_of(self.from.yesterday().unwrap_or(self.from))
    }

    pub fn contains_day(self, d: Date) -> bool {
        self.from <= d && d <= self.to
    }

    pub fn contains(self, t: Timestamp) -> bool {
        self.contains_day(crate::check::uk_date(t))
    }

    /// "2026 Q4" for a calendar quarter, else "from … to …".
    pub fn label(self) -> String {
        if Self::quarter_of(self.from) == self {
            format!("{} Q{}", self.from.year(), (self.from.month() - 1) / 3 + 1)
        } else {
            format!("{} to {}", self.from, self.to)
        }
    }
}

/// A review as the event log kept it: when, and whether it was on time (unknown for
/// reviews recorded before Tact kept the due date with them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewDone {
    pub at: Timestamp,
    pub on_time: Option<bool>,
}

/// What the report counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub period: String,
    /// Plans started in the period: (category, stage) → how many.
    pub started: BTreeMap<(String, String), u64>,
    /// Plans in force on the period's last day, by category.
    pub in_force_at_end: BTreeMap<String, u64>,
    pub reviews_on_time: u64,
    pub reviews_late: u64,
    pub reviews_unknown: u64,
    /// Reviews that fell due in the period and were still not done by its end.
    pub reviews_overdue_at_end: u64,
    pub breaches: u64,
    pub disputes_raised: u64,
    /// Disputes decided in the period, by outcome.
    pub dispute_outcomes: BTreeMap<String, u64>,
    pub adjustments_requested: u64,
    pub adjustments_granted: u64,
    pub adjustments_refused: u64,
}

/// The category a plan answers: that of the incidents it cites (the first, by id), else
/// "not recorded".
fn category_of(s: &Plan, categories: &BTreeMap<IncidentId, String>) -> String {
    s.incident_ids
        .iter()
        .filter_map(|i| categories.get(i))
        .next()
        .cloned()
        .unwrap_or_else(|| "not recorded".into())
}

/// Counts the report for `period`.
#[allow(clippy::too_many_arguments)]
pub fn report(
    profile: &crate::profile::Profile,
    period: Period,
    plans: &[Plan],
    categories: &BTreeMap<IncidentId, String>,
    reviews: &[ReviewDone],
    breaches: &[Timestamp],
    disputes: &[Dispute],
    adjustments: &[Adjustment],
) -> Report {
    let end = period
        .to
        .tomorrow()
        .ok()
        .and_then(|d| d.to_zoned(crate::check::uk().clone()).ok())
        .map(|z| z.timestamp() - jiff::SignedDuration::from_micros(1))
        .unwrap_or(Timestamp::MAX);
    let mut r = Report {
        period: period.label(),
        ..Report::default()
    };
    for s in plans {
        let category = category_of(s, categories);
        if period.contains(s.created_at) {
            *r.started
                .entry((category.clone(), s.status.as_str().to_string()))
                .or_default() += 1;
        }
        // In force as the check would answer then: a plan lapsed for want of its review
        // restricts nothing (NOR-8.2).
        if s.created_at <= end && crate::check::restricts(profile, s, end) {
            *r.in_force_at_end.entry(category).or_default() += 1;
        }
        let live = matches!(s.status, PlanStatus::Authorised | PlanStatus::Active);
        if live && period.contains_day(s.review_due) && s.review_due < period.to {
            r.reviews_overdue_at_end += 1;
        }
    }
    for rv in reviews.iter().filter(|x| period.contains(x.at)) {
        match rv.on_time {
            Some(true) => r.reviews_on_time += 1,
            Some(false) => r.reviews_late += 1,
            None => r.reviews_unknown += 1,
        }
    }
    r.breaches = breaches.iter().filter(|t| period.contains(**t)).count() as u64;
    for d in disputes {
        if period.contains(d.received_at) {
            r.disputes_raised += 1;
        }
        if let (Some(o), Some(at)) = (d.outcome, d.decided_at) {
            if period.contains(at) {
                *r.dispute_outcomes
                    .entry(dispute_words(o).to_string())
                    .or_default() += 1;
            }
        }
    }
    for a in adjustments {
        if period.contains(a.requested_at) {
            r.adjustments_requested += 1;
        }
        if a.decided_at.is_some_and(|t| period.contains(t)) {
            match a.status {
                AdjustmentStatus::Granted => r.adjustments_granted += 1,
                AdjustmentStatus::Refused => r.adjustments_refused += 1,
                AdjustmentStatus::Requested => {}
            }
        }
    }
    r
}

fn dispute_words(o: DisputeOutcome) -> &'static str {
    o.as_str()
}

impl Report {
    /// The report as CSV: one row per figure — section, item, count.
    pub fn csv(&self) -> String {
        let mut out = String::from("period,section,item,count\n");
        let q = |s: &str| {
            if s.contains([',', '"', '\n']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_string()
            }
        };
        let mut row = |section: &str, item: &str, n: u64| {
            out.push_str(&format!(
                "{},{},{},{n}\n",
                q(&self.period),
                q(section),
                q(item)
            ));
        };
        for ((c, stage), n) in &self.started {
            row("plans started", &format!("{c} / {stage}"), *n);
        }
        for (c, n) in &self.in_force_at_end {
            row("plans in force at the end", c, *n);
        }
        row("reviews", "on time", self.reviews_on_time);
        row("reviews", "late", self.reviews_late);
        row("reviews", "timing not recorded", self.reviews_unknown);
        row("reviews", "overdue at the end", self.reviews_overdue_at_end);
        row("breaches", "recorded", self.breaches);
        row("disputes", "raised", self.disputes_raised);
        for (o, n) in &self.dispute_outcomes {
            row("disputes decided", o, *n);
        }
        row("adjustments", "requested", self.adjustments_requested);
        row("adjustments", "granted", self.adjustments_granted);
        row("adjustments", "refused", self.adjustments_refused);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// Issue 11: the period a report is asked for is read once for every door: either end
    /// left out is this quarter's, and it may not end before it starts.
    #[test]
    fn a_report_period_left_open_is_this_quarter_and_may_not_end_before_it_starts() {
        let today = date(2026, 11, 23);
        let p = Period::asked(None, None, today).unwrap();
        assert_eq!((p.from, p.to), (date(2026, 10, 1), date(2026, 12, 31)));
        let p = Period::asked(Some(date(2026, 1, 1)), None, today).unwrap();
        assert_eq!((p.from, p.to), (date(2026, 1, 1), date(2026, 12, 31)));
        let e = Period::asked(Some(date(2027, 1, 1)), None, today).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("to"));
    }

    #[test]
    fn quarters_run_from_the_first_of_january_april_july_and_october() {
        let q = Period::quarter_of(date(2026, 11, 23));
        assert_eq!((q.from, q.to), (date(2026, 10, 1), date(2026, 12, 31)));
        assert_eq!(q.label(), "2026 Q4");
        let p = q.previous_quarter();
        assert_eq!((p.from, p.to), (date(2026, 7, 1), date(2026, 9, 30)));
        assert_eq!(Period::quarter_of(date(2027, 2, 28)).to, date(2027, 3, 31));
        let any = Period {
            from: date(2026, 1, 5),
            to: date(2026, 2, 1),
        };
        assert_eq!(any.label(), "2026-01-05 to 2026-02-01");
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        let mut r = Report {
            period: "2026 Q4".into(),
            ..Report::default()
        };
        r.in_force_at_end.insert("abusive, threatening".into(), 2);
        let csv = r.csv();
        assert!(csv.starts_with("period,section,item,count\n"));
        assert!(csv.contains("2026 Q4,plans in force at the end,\"abusive, threatening\",2\n"));
    }
}
