//! The state of the records the event log covers (issue 12): contacts, plans and reasonable
//! adjustments. Each write of a plan or an adjustment notes its record's digest on the
//! transaction ([`crate::WriteTx`]), and the commit appends one `records.state` entry to the
//! chain with them all. Contacts — the one record written at the rate calls come in — are
//! written without touching the log and sealed a moment later, a range at a time
//! ([`Store::seal_contacts`]): writing an entry in every contact batch's transaction made
//! logging 13–44% slower (BENCHMARKS.md). The deep check ([`Store::record_states`])
//! computes the same digests from the rows as they are, for
//! [`tact_core::audit::compare_states`].
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
use tact_core::model::{Adjustment, Plan};

pub(crate) const CONTACT_COLUMNS: &str = "id, matter_id, channel, direction, at, staff_id, identifier, summary, body, breach_of, not_recorded_as_complaint, duration_seconds";
const PLAN_COLUMNS: &str = "id, version, status, review_due, ends_on, body";
const ADJUSTMENT_COLUMNS: &str = "id, kind, description, status, requested_at, recorded_by, decided_by, decided_at, decision_reason";

/// A contact's record name and digest, from its row: what the sealer puts on the log and
/// the deep check compares.
pub(crate) fn contact_row(r: &AnyRow) -> Result<(String, String)> {
    let c = Cols::of(r, "contacts");
    let mut values = json!([
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
    // A call's length is in the digest only where it is known, so a contact sealed before
    // lengths were kept digests as it did then.
    if let (Some(d), Some(list)) = (c.oi("duration_seconds")?, values.as_array_mut()) {
        list.push(json!(d));
    }
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
    let c = Cols::of(r, "plans");
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
    ("plans", PLAN_COLUMNS, plan_row),
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
            // From the lowest id there can be: a row planted at 0 or below is read too.
            let mut after = i64::MIN;
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

/// Contacts sealed on the event log in one entry ([`Store::seal_contacts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sealed {
    pub first: i64,
    pub last: i64,
    pub count: usize,
}

impl Store {
    /// Seals the contacts written since the last seal, up to `limit` of them, in one
    /// `records.state` entry (issue 12): after this, changing one outside Tact is found by
    /// the deep check. None when every contact was sealed already. Safe from any number of
    /// processes at once: each seal is one transaction that moves the sealed mark.
    ///
    /// The rows are read and digested before the write transaction, which then only checks
    /// that the mark has not moved and the rows are all still there (a disposal may have
    /// come between), appends, and moves the mark: the write lock, which logging waits
    /// for, is held for that alone. On PostgreSQL an id is taken from the sequence when a
    /// contact's INSERT runs, and its transaction may commit after one that took a higher
    /// id; so the ids read are bounded first by the highest id once every transaction
    /// adding a contact has ended (a SHARE lock on the table waits for them, and holds new
    /// ones back only while one row is read). On SQLite an id is given under the write lock,
    /// after both the highest id and the mark ([`crate::write`]), so every id up to the
    /// highest read is committed and none will come at or below the mark.
    ///
    /// # Errors
    /// The database's error; a row that cannot be read.
    pub async fn seal_contacts(&self, limit: i64, now: jiff::Timestamp) -> Result<Option<Sealed>> {
        loop {
            let row = sqlx::query(
                "SELECT (SELECT contacts FROM seal_head WHERE id = 1) AS sealed, (SELECT MAX(id) FROM contacts) AS newest",
            )
            .fetch_one(&self.pool)
            .await?;
            let c = Cols::of(&row, "seal_head");
            let (mark, newest) = (c.i("sealed")?, c.oi("newest")?.unwrap_or(0));
            if newest <= mark {
                return Ok(None);
            }
            let through = match self.backend {
                crate::Backend::Postgres => {
                    let mut tx = self.pool.begin().await?;
                    sqlx::query("LOCK TABLE contacts IN SHARE MODE")
                        .execute(&mut *tx)
                        .await?;
                    let row = sqlx::query("SELECT COALESCE(MAX(id), 0) AS id FROM contacts")
                        .fetch_one(&mut *tx)
                        .await?;
                    let through = Cols::of(&row, "contacts").i("id")?;
                    tx.commit().await?;
                    through
                }
                crate::Backend::Sqlite => newest,
            };
            let rows = sqlx::query(&format!(
                "SELECT {CONTACT_COLUMNS} FROM contacts WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3"
            ))
            .bind(mark)
            .bind(through)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
            let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
                return Ok(None);
            };
            let sealed = Sealed {
                first: Cols::of(first, "contacts").i("id")?,
                last: Cols::of(last, "contacts").i("id")?,
                count: rows.len(),
            };
            let digests = rows.iter().map(contact_row).collect::<Result<Vec<_>>>()?;
            drop(rows);
            let mut tx = self.begin().await?;
            if tx.seal_contacts(mark, sealed, digests, now).await? {
                tx.commit().await?;
                return Ok(Some(sealed));
            }
            // Another seal or a disposal came between: read again.
        }
    }

    /// The sealed mark: every contact with an id up to it is on the event log
    /// ([`Store::seal_contacts`]).
    ///
    /// # Errors
    /// The database's error.
    pub async fn sealed_contacts(&self) -> Result<i64> {
        let row = sqlx::query("SELECT contacts FROM seal_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Cols::of(&row, "seal_head").i("contacts")
    }
}

/// The record names of a person's covered records, for noting them disposed of.
pub(crate) const OWNED: [(&str, &str); 3] = [
    ("contact", "SELECT id FROM contacts WHERE person_id = $1"),
    ("plan", "SELECT id FROM plans WHERE person_id = $1"),
    (
        "adjustment",
        "SELECT id FROM adjustments WHERE person_id = $1",
    ),
];
