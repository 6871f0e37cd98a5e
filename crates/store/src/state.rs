//! The state of the records the event log covers (issue 12): contacts, plans and reasonable
//! adjustments. Each write of one of these notes its record's digest on the transaction
//! ([`crate::WriteTx`]), and the commit appends one `records.state` entry to the chain with
//! them all — one entry per contact-writer batch, however many contacts it holds. The deep
//! check ([`crate::Store::record_states`]) computes the same digests from the rows as they
//! are, for [`tact_core::audit::compare_states`].
//!
//! Each digest covers a record's values as they are written and read back, in its table's
//! column order, leaving out what legitimately moves without a new state: which person a
//! record is filed under (merging two records of one person moves it) and a contact's
//! screening status.

use crate::codec::{date, plan_json, ts};
use crate::{Cols, Result, Store};
use serde_json::json;
use sqlx::any::AnyRow;
use tact_core::audit::state_digest;
use tact_core::model::{Adjustment, Contact, Plan};

pub(crate) const CONTACT_COLUMNS: &str = "id, matter_id, channel, direction, at, staff_id, identifier, summary, body, breach_of, not_recorded_as_complaint";
const PLAN_COLUMNS: &str = "id, version, status, review_due, ends_on, body";
const ADJUSTMENT_COLUMNS: &str = "id, kind, description, status, requested_at, recorded_by, decided_by, decided_at, decision_reason";

/// A contact's record name and digest, from what is written.
pub(crate) fn contact(id: i64, c: &Contact) -> (String, String) {
    let values = json!([
        c.matter_id.map(|m| m.0),
        c.channel.as_str(),
        c.direction.as_str(),
        ts(c.at),
        c.staff_id.map(|s| s.0),
        c.identifier,
        c.summary,
        c.body,
        c.breach_of.join(","),
        i64::from(c.not_recorded_as_complaint),
    ]);
    (format!("contact:{id}"), state_digest(&values))
}

fn contact_row(r: &AnyRow) -> Result<(String, String)> {
    let c = Cols::of(r, "contacts");
    let values = json!([
        c.oi("matter_id")?,
        c.s("channel")?,
        c.s("direction")?,
        c.i("at")?,
        c.oi("staff_id")?,
        c.os("identifier")?,
        c.s("summary")?,
        c.s("body")?,
        c.s("breach_of")?,
        c.i("not_recorded_as_complaint")?,
    ]);
    Ok((format!("contact:{}", c.i("id")?), state_digest(&values)))
}

/// A plan's record name and digest, from what is written: its version, status, dates and
/// body (its restrictions, matters, checklist, decisions and notice).
pub(crate) fn plan(id: i64, s: &Plan) -> (String, String) {
    let values = json!([
        s.version,
        s.status.as_str(),
        date(s.review_due),
        s.ends_on.map(date),
        plan_json(s).to_string(),
    ]);
    (format!("plan:{id}"), state_digest(&values))
}

fn plan_row(r: &AnyRow) -> Result<(String, String)> {
    let c = Cols::of(r, "strategies");
    let values = json!([
        c.i("version")?,
        c.s("status")?,
        c.s("review_due")?,
        c.os("ends_on")?,
        c.s("body")?,
    ]);
    Ok((format!("plan:{}", c.i("id")?), state_digest(&values)))
}

/// An adjustment's record name and digest, from what is written.
pub(crate) fn adjustment(id: i64, a: &Adjustment) -> (String, String) {
    let values = json!([
        a.kind.as_str(),
        a.description,
        a.status.as_str(),
        ts(a.requested_at),
        a.recorded_by.0,
        a.decided_by.map(|d| d.0),
        a.decided_at.map(ts),
        a.decision_reason,
    ]);
    (format!("adjustment:{id}"), state_digest(&values))
}

fn adjustment_row(r: &AnyRow) -> Result<(String, String)> {
    let c = Cols::of(r, "adjustments");
    let values = json!([
        c.s("kind")?,
        c.s("description")?,
        c.s("status")?,
        c.i("requested_at")?,
        c.i("recorded_by")?,
        c.oi("decided_by")?,
        c.oi("decided_at")?,
        c.os("decision_reason")?,
    ]);
    Ok((format!("adjustment:{}", c.i("id")?), state_digest(&values)))
}

/// The tables the chain covers: each one's name, the columns its digest reads, and how.
type RowDigest = fn(&AnyRow) -> Result<(String, String)>;
const COVERED: [(&str, &str, RowDigest); 3] = [
    ("contacts", CONTACT_COLUMNS, contact_row),
    ("strategies", PLAN_COLUMNS, plan_row),
    ("adjustments", ADJUSTMENT_COLUMNS, adjustment_row),
];

/// How many rows the deep check reads at a time.
const PAGE: i64 = 10_000;

impl Store {
    /// Every covered record as it is now, with its digest (the deep check, issue 12): read
    /// a page at a time, in id order, so a million contacts are not held as rows at once.
    ///
    /// # Errors
    /// The database's error; a row that cannot be read.
    pub async fn record_states(&self) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        for (table, columns, digest) in COVERED {
            let mut after = 0_i64;
            loop {
                // The table and column names are this module's own, never a value.
                let rows = sqlx::query(&format!(
                    "SELECT {columns} FROM {table} WHERE id > $1 ORDER BY id LIMIT $2"
                ))
                .bind(after)
                .bind(PAGE)
                .fetch_all(&self.pool)
                .await?;
                let Some(last) = rows.last() else { break };
                after = Cols::of(last, table).i("id")?;
                for r in &rows {
                    out.push(digest(r)?);
                }
                if i64::try_from(rows.len()).unwrap_or(0) < PAGE {
                    break;
                }
            }
        }
        Ok(out)
    }
}

/// The record names of a person's covered records, for noting them disposed of.
pub(crate) const OWNED: [(&str, &str); 3] = [
    ("contact", "SELECT id FROM contacts WHERE person_id = $1"),
    ("plan", "SELECT id FROM strategies WHERE person_id = $1"),
    (
        "adjustment",
        "SELECT id FROM adjustments WHERE person_id = $1",
    ),
];
