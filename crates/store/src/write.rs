//! Writes. A [`WriteTx`] is one transaction: records, their audit events and their tasks
//! commit together. Dropping it without [`WriteTx::commit`] rolls everything back.

use crate::codec::{advocate_json, date, plan_json, ts};
use crate::{Backend, Change, Cols, Result, StoreError};
use sqlx::pool::PoolConnection;
use sqlx::AnyConnection;
use sqlx::{Any, Database, Row, TransactionManager};
use tact_core::audit::{AuditEvent, StoredEntry};
use tact_core::ids::*;
use tact_core::model::*;
use tact_core::roles::Role;
use tact_core::sharing::{Disclosure, DisclosureStatus};

/// On SQLite, the id a new contact follows: the highest contact's, or the sealed mark
/// (migration 18) if that is higher. SQLite would otherwise give the id after the highest
/// row, so removing the newest contacts (disposal) would hand out again ids the event log
/// is already sealed past, and the sealer ([`WriteTx::seal_contacts`]) would never cover
/// those contacts. A macro, to be `concat!`ed into the statements' text.
macro_rules! next_contact_id {
    () => {
        "(SELECT MAX(COALESCE(MAX(id), 0), COALESCE((SELECT contacts FROM seal_head WHERE id = 1), 0)) AS id FROM contacts)"
    };
}

pub struct WriteTx {
    tx: Open,
    backend: Backend,
    /// What this transaction changed of what processes cache, recorded on the change
    /// feed when it commits.
    changes: Vec<Change>,
    /// The same, to ask in constant time whether one is noted (an import notes 100,000).
    noted: std::collections::HashSet<Change>,
    /// Identifiers taken away from each person, recorded with their change.
    removed: Vec<(PersonId, String)>,
    /// The state of each covered record this transaction wrote ([`crate::state`]), put on
    /// the event log in one entry when it commits.
    states: Vec<(String, String)>,
    /// The store's hint of the event log's head ([`crate::Store`]).
    audit_hint: std::sync::Arc<std::sync::Mutex<Option<(i64, String)>>>,
}

type Manager = <Any as Database>::TransactionManager;

/// The connection of an open transaction. Dropped open (without a commit), it rolls the
/// transaction back before the connection is used again, as sqlx's own transaction does.
struct Open(Option<PoolConnection<Any>>);

impl Open {
    fn take(&mut self) -> Result<PoolConnection<Any>> {
        self.0
            .take()
            .ok_or_else(|| StoreError::Batch("the transaction has already ended".into()))
    }
}

impl std::ops::Deref for Open {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        // Some from `begin` until `commit_keeping` consumes the transaction.
        self.0
            .as_deref()
            .expect("an open transaction has its connection")
    }
}

impl std::ops::DerefMut for Open {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.0
            .as_deref_mut()
            .expect("an open transaction has its connection")
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        if let Some(conn) = self.0.as_mut() {
            Manager::start_rollback(conn);
        }
    }
}

fn w(e: sqlx::Error) -> StoreError {
    StoreError::from_write(e)
}

/// A value for a many-rows insert ([`WriteTx::insert_rows`]).
#[derive(Debug, Clone)]
enum Val {
    Int(Option<i64>),
    Text(Option<String>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Self::Int(Some(v))
    }
}

impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Self::Int(v)
    }
}

impl From<String> for Val {
    fn from(v: String) -> Self {
        Self::Text(Some(v))
    }
}

impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Self::Text(Some(v.to_string()))
    }
}

impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Self::Text(v)
    }
}

/// The event log's columns, in the order every append binds them.
const AUDIT_COLUMNS: &str =
    "seq, at, actor, action, subject, person_id, reason, clause, detail, prev_hash, hash";

/// Values a statement, at most: under SQLite's limit (32,766) and PostgreSQL's (65,535).
const MAX_BINDS: usize = 30_000;

impl WriteTx {
    /// Begins a transaction on `conn` (with `statement` instead of `BEGIN`, if given).
    pub(crate) async fn begin(
        mut conn: PoolConnection<Any>,
        statement: Option<&'static str>,
        backend: Backend,
        audit_hint: std::sync::Arc<std::sync::Mutex<Option<(i64, String)>>>,
    ) -> Result<Self> {
        Manager::begin(&mut conn, statement.map(std::borrow::Cow::Borrowed))
            .await
            .map_err(w)?;
        Ok(Self {
            tx: Open(Some(conn)),
            backend,
            changes: Vec::new(),
            noted: std::collections::HashSet::new(),
            removed: Vec::new(),
            states: Vec::new(),
            audit_hint,
        })
    }

    /// Notes that this transaction changes what processes cache about a record; the change
    /// goes on the change feed when the transaction commits. The writes below call this
    /// themselves; a caller adds what only it knows (a call that counts towards a limit).
    pub fn note_change(&mut self, c: Change) {
        if self.noted.insert(c) {
            self.changes.push(c);
        }
    }

    /// Commits everything written through this transaction, with its changes on the change
    /// feed.
    ///
    /// # Errors
    /// The database's error; then nothing was written.
    pub async fn commit(self) -> Result<()> {
        self.commit_keeping().await.map(drop)
    }

    /// [`WriteTx::commit`], giving back the connection for the next transaction
    /// ([`crate::Store::begin_on`]): a connection returned to sqlx's pool is pinged on
    /// the way back, a round trip to SQLite's thread that the next transaction waited
    /// behind (the contact writer's batches spent 1.2 ms of 3–4 in `begin`; issue 10).
    ///
    /// # Errors
    /// The database's error; then nothing was written.
    pub async fn commit_keeping(mut self) -> Result<PoolConnection<Any>> {
        self.record_states().await?;
        self.record_changes().await?;
        let mut conn = self.tx.take()?;
        match Manager::commit(&mut conn).await {
            Ok(()) => Ok(conn),
            Err(e) => {
                // As sqlx's own transaction does: a failed COMMIT leaves the transaction
                // to be rolled back before the connection is used again.
                Manager::start_rollback(&mut conn);
                Err(w(e))
            }
        }
    }

    /// Puts the state of the covered records this transaction wrote on the event log, in
    /// one `records.state` entry (issue 12): so every contact, plan and adjustment is
    /// covered by the chain, and the deep check can name one changed outside Tact.
    async fn record_states(&mut self) -> Result<()> {
        if self.states.is_empty() {
            return Ok(());
        }
        let mut ev = tact_core::audit::AuditEvent::by_tact(
            jiff::Timestamp::now(),
            tact_core::audit::AuditAction::RecordsState,
            "records",
        );
        ev.detail = std::mem::take(&mut self.states);
        self.audit(&[ev]).await
    }

    /// Seals contacts `first..=last` (`count` of them, read and digested before this
    /// transaction began: [`crate::Store::seal_contacts`]) if the sealed mark is still
    /// `mark` and all `count` are still there: one `records.state` entry with their
    /// digests, and the mark moved to `last`. False (nothing written) when another seal or
    /// a disposal came between, for the caller to read again.
    ///
    /// # Errors
    /// The database's error.
    pub(crate) async fn seal_contacts(
        &mut self,
        mark: i64,
        sealed: crate::Sealed,
        digests: Vec<(String, String)>,
        now: jiff::Timestamp,
    ) -> Result<bool> {
        // On PostgreSQL the row lock serialises sealers; SQLite's BEGIN IMMEDIATE already
        // holds the one write lock.
        let lock = if self.backend == Backend::Postgres {
            " FOR UPDATE"
        } else {
            ""
        };
        let row = sqlx::query(&format!(
            "SELECT contacts, (SELECT COUNT(*) FROM contacts WHERE id >= $1 AND id <= $2) AS n FROM seal_head WHERE id = 1{lock}"
        ))
        .bind(sealed.first)
        .bind(sealed.last)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(w)?;
        let c = Cols::of(&row, "seal_head");
        if c.i("contacts")? != mark || usize::try_from(c.i("n")?).ok() != Some(sealed.count) {
            return Ok(false);
        }
        let mut ev = AuditEvent::by_tact(
            now,
            tact_core::audit::AuditAction::RecordsState,
            format!("contacts:{}-{}", sealed.first, sealed.last),
        );
        ev.detail = digests;
        self.audit(&[ev]).await?;
        sqlx::query("UPDATE seal_head SET contacts = $1 WHERE id = 1")
            .bind(sealed.last)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        Ok(true)
    }

    /// Puts this transaction's changes on the feed. Sequence numbers come from the head
    /// row, taken last so its lock (on PostgreSQL) is held only for the commit itself.
    async fn record_changes(&mut self) -> Result<()> {
        if self.changes.is_empty() {
            return Ok(());
        }
        let n = i64::try_from(self.changes.len()).unwrap_or(i64::MAX);
        let row = sqlx::query("UPDATE change_head SET seq = seq + $1 WHERE id = 1 RETURNING seq")
            .bind(n)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(w)?;
        let last: i64 = row.try_get("seq").map_err(w)?;
        let now = ts(jiff::Timestamp::now());
        let mut removed: std::collections::HashMap<PersonId, Vec<&str>> =
            std::collections::HashMap::new();
        for (p, k) in &self.removed {
            removed.entry(*p).or_default().push(k.as_str());
        }
        let rows: Vec<Vec<Val>> = self
            .changes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let seq = last - n + 1 + i64::try_from(i).unwrap_or(0);
                let gone = match c {
                    Change::Person(p) => removed.get(p).map(|k| k.join("\n")).unwrap_or_default(),
                    Change::Staff(_) => String::new(),
                };
                vec![
                    Val::from(seq),
                    c.kind().into(),
                    c.key().into(),
                    now.into(),
                    gone.into(),
                ]
            })
            .collect();
        self.insert_rows("INSERT INTO changes (seq, kind, key, at, removed)", &rows)
            .await?;
        if self.backend == Backend::Postgres {
            // Delivered at commit, to every server listening; the sequence is the payload.
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(crate::CHANGE_CHANNEL)
                .bind(last.to_string())
                .execute(&mut *self.tx)
                .await
                .map_err(w)?;
        }
        Ok(())
    }

    /// Runs an UPDATE that must change a row; `missed` is the error when it changed none
    /// (no such record, or someone else changed it first).
    async fn update_one<'q>(
        &mut self,
        q: Bound<'q>,
        missed: impl FnOnce() -> StoreError,
    ) -> Result<()> {
        let r = q.execute(&mut *self.tx).await.map_err(w)?;
        if r.rows_affected() == 0 {
            return Err(missed());
        }
        Ok(())
    }

    async fn insert_returning_id<'q>(&mut self, q: Bound<'q>) -> Result<i64> {
        let row = q.fetch_one(&mut *self.tx).await.map_err(w)?;
        Cols::of(&row, "inserted row").i("id")
    }

    /// Appends events to the hash-chained log, after the current head.
    ///
    /// # Errors
    /// The database's error.
    pub async fn audit(&mut self, events: &[AuditEvent]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        // On SQLite this transaction holds the one write lock, so the head this process
        // last wrote is the head still, unless another process appended since: the first
        // INSERT checks that in the same statement, and only where it finds otherwise is
        // the head read. (An append is then one statement an entry: a trigger moves the
        // head, migration 17.)
        if self.backend == Backend::Sqlite {
            let hint = self.audit_hint.lock().ok().and_then(|h| h.clone());
            if let Some((seq, hash)) = hint {
                if self.append(events, seq, &hash, true).await? {
                    return Ok(());
                }
            }
        }
        // On PostgreSQL the row lock on the head serialises appends between transactions;
        // on SQLite, BEGIN IMMEDIATE already holds the one write lock.
        let lock = if self.backend == Backend::Postgres {
            " FOR UPDATE"
        } else {
            ""
        };
        let head = sqlx::query(&format!(
            "SELECT seq, hash FROM audit_head WHERE id = 1{lock}"
        ))
        .fetch_one(&mut *self.tx)
        .await
        .map_err(w)?;
        let head = Cols::of(&head, "audit_head");
        let (seq, hash) = (head.i("seq")?, head.s("hash")?);
        self.append(events, seq, &hash, false).await?;
        Ok(())
    }

    /// Appends `events` after the entry `seq` whose hash is `prev`; the head follows by
    /// trigger. With `checked`, the first INSERT writes only if the head is that entry
    /// still, and false says it was not (nothing written).
    async fn append(
        &mut self,
        events: &[AuditEvent],
        mut seq: i64,
        prev: &str,
        checked: bool,
    ) -> Result<bool> {
        let mut hash = prev.to_string();
        // Many entries (an import) go in many a statement, after the first (which, when
        // `checked`, writes only if the head is still where this process thinks).
        if events.len() > 2 {
            let first = usize::from(checked);
            if checked {
                match self.append_each(&events[..1], seq, prev, true).await? {
                    Some(head) => (seq, hash) = head,
                    None => return Ok(false),
                }
            }
            let mut rows = Vec::with_capacity(events.len() - first);
            for ev in &events[first..] {
                seq += 1;
                let e = StoredEntry::chain(seq, &hash, ev);
                rows.push(vec![
                    Val::from(e.seq),
                    e.at_micros.into(),
                    e.actor.into(),
                    e.action.clone().into(),
                    e.subject.clone().into(),
                    e.person_id.into(),
                    e.reason.clone().into(),
                    e.clause.clone().into(),
                    e.detail.clone().into(),
                    e.prev_hash.clone().into(),
                    e.hash.clone().into(),
                ]);
                hash = e.hash;
            }
            self.insert_rows(&format!("INSERT INTO audit_log ({AUDIT_COLUMNS})"), &rows)
                .await?;
            if let Ok(mut h) = self.audit_hint.lock() {
                *h = Some((seq, hash));
            }
            return Ok(true);
        }
        Ok(self
            .append_each(events, seq, prev, checked)
            .await?
            .is_some())
    }

    /// [`WriteTx::append`], a statement an entry: the new head (entry number and hash), or
    /// `None` when `checked` found the head moved (nothing written).
    async fn append_each(
        &mut self,
        events: &[AuditEvent],
        mut seq: i64,
        prev: &str,
        checked: bool,
    ) -> Result<Option<(i64, String)>> {
        let mut hash = prev.to_string();
        for (i, ev) in events.iter().enumerate() {
            seq += 1;
            let e = StoredEntry::chain(seq, &hash, ev);
            let guard = checked && i == 0;
            let sql = if guard {
                format!("INSERT INTO audit_log ({AUDIT_COLUMNS}) SELECT $1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11 WHERE EXISTS (SELECT 1 FROM audit_head WHERE id = 1 AND seq = $12 AND hash = $13)")
            } else {
                format!(
                    "INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)"
                )
            };
            let mut q = sqlx::query(&sql)
                .bind(e.seq)
                .bind(e.at_micros)
                .bind(e.actor)
                .bind(e.action.clone())
                .bind(e.subject.clone())
                .bind(e.person_id)
                .bind(e.reason.clone())
                .bind(e.clause.clone())
                .bind(e.detail.clone())
                .bind(e.prev_hash.clone())
                .bind(e.hash.clone());
            if guard {
                q = q.bind(seq - 1).bind(prev.to_string());
            }
            let r = q.execute(&mut *self.tx).await.map_err(w)?;
            if r.rows_affected() == 0 {
                return Ok(None);
            }
            hash = e.hash;
        }
        if let Ok(mut h) = self.audit_hint.lock() {
            *h = Some((seq, hash.clone()));
        }
        Ok(Some((seq, hash)))
    }

    /// Appends events whose subject ends in `:new`, naming the record just created.
    ///
    /// # Errors
    /// The database's error.
    pub async fn audit_for(&mut self, events: &[AuditEvent], subject: &str) -> Result<()> {
        let named: Vec<AuditEvent> = events
            .iter()
            .cloned()
            .map(|mut e| {
                if e.subject.ends_with(":new") {
                    e.subject = subject.to_string();
                }
                e
            })
            .collect();
        self.audit(&named).await
    }

    /// Raises tasks; returns their ids in order.
    ///
    /// # Errors
    /// The database's error.
    pub async fn tasks(&mut self, tasks: &[NewTask], now: jiff::Timestamp) -> Result<Vec<TaskId>> {
        let mut ids = Vec::new();
        for t in tasks {
            let q = sqlx::query("INSERT INTO tasks (kind, person_id, assignee, role, title, due_on, clause, subject, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id")
                .bind(t.kind.as_str())
                .bind(t.person_id.map(|p| p.0))
                .bind(t.assignee.map(|a| a.0))
                .bind(t.role.map(Role::as_str))
                .bind(t.title.clone())
                .bind(t.due_on.map(date))
                .bind(t.clause.clone())
                .bind(t.subject.clone())
                .bind(ts(now));
            ids.push(TaskId(self.insert_returning_id(q).await?));
        }
        Ok(ids)
    }

    /// Hands every open task assigned to `from` on: to `to`, or where that is `None` to
    /// anyone in the task's own role, else in `role`. What a member of staff who leaves
    /// leaves behind; gives how many moved.
    ///
    /// # Errors
    /// The database's error.
    pub async fn hand_on_tasks(
        &mut self,
        from: StaffId,
        to: Option<StaffId>,
        role: Role,
    ) -> Result<u64> {
        let q = match to {
            Some(to) => sqlx::query(
                "UPDATE tasks SET assignee = $1 WHERE assignee = $2 AND done_at IS NULL",
            )
            .bind(to.0),
            None => sqlx::query(
                "UPDATE tasks SET assignee = NULL, role = COALESCE(role, $1) \
                 WHERE assignee = $2 AND done_at IS NULL",
            )
            .bind(role.as_str()),
        };
        Ok(q.bind(from.0)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?
            .rows_affected())
    }

    /// Raises tasks about one record (such as `incident:12`), naming it as each task's subject.
    ///
    /// # Errors
    /// The database's error.
    pub async fn tasks_about(
        &mut self,
        tasks: &[NewTask],
        subject: &str,
        now: jiff::Timestamp,
    ) -> Result<Vec<TaskId>> {
        let named: Vec<NewTask> = tasks
            .iter()
            .cloned()
            .map(|mut t| {
                t.subject = Some(subject.to_string());
                t
            })
            .collect();
        self.tasks(&named, now).await
    }

    /// Marks done every open task of the given kinds about `subject`: the step that
    /// answers a task closes it, so nobody is left a request already dealt with.
    ///
    /// # Errors
    /// The database's error.
    pub async fn close_tasks(
        &mut self,
        subject: &str,
        kinds: &[TaskKind],
        by: StaffId,
        outcome: &str,
        now: jiff::Timestamp,
    ) -> Result<u64> {
        let mut closed = 0;
        for k in kinds {
            closed += sqlx::query(
                "UPDATE tasks SET done_at = $1, done_by = $2, outcome = $3 \
                 WHERE subject = $4 AND kind = $5 AND done_at IS NULL",
            )
            .bind(ts(now))
            .bind(by.0)
            .bind(outcome.to_string())
            .bind(subject.to_string())
            .bind(k.as_str().to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(w)?
            .rows_affected();
        }
        Ok(closed)
    }

    /// Marks done each of `tasks` still open, with its own words: a decision that leaves a
    /// task with nothing to do (`Decision::moot`). One already done stays as it was.
    ///
    /// # Errors
    /// The database's error.
    pub async fn close_moot_tasks(
        &mut self,
        tasks: &[(TaskId, String)],
        by: StaffId,
        now: jiff::Timestamp,
    ) -> Result<()> {
        for (id, outcome) in tasks {
            sqlx::query(
                "UPDATE tasks SET done_at = $1, done_by = $2, outcome = $3 \
                 WHERE id = $4 AND done_at IS NULL",
            )
            .bind(ts(now))
            .bind(by.0)
            .bind(outcome.clone())
            .bind(id.0)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        }
        Ok(())
    }

    /// Marks done every open task of `kind` about `person`, whatever record raised it.
    ///
    /// # Errors
    /// The database's error.
    pub async fn close_person_tasks(
        &mut self,
        person: PersonId,
        kind: TaskKind,
        by: StaffId,
        outcome: &str,
        now: jiff::Timestamp,
    ) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE tasks SET done_at = $1, done_by = $2, outcome = $3 \
             WHERE person_id = $4 AND kind = $5 AND done_at IS NULL",
        )
        .bind(ts(now))
        .bind(by.0)
        .bind(outcome.to_string())
        .bind(person.0)
        .bind(kind.as_str().to_string())
        .execute(&mut *self.tx)
        .await
        .map_err(w)?
        .rows_affected())
    }

    /// Marks a task done with its outcome.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when it is already done or does not exist.
    pub async fn complete_task(
        &mut self,
        id: TaskId,
        by: StaffId,
        outcome: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let q = sqlx::query("UPDATE tasks SET done_at = $1, done_by = $2, outcome = $3 WHERE id = $4 AND done_at IS NULL")
            .bind(ts(now))
            .bind(by.0)
            .bind(outcome)
            .bind(id.0);
        self.update_one(q, || {
            StoreError::Conflict(format!("task {id} is already done or does not exist"))
        })
        .await?;
        Ok(())
    }

    /// Keeps a person's equality monitoring answers in place of any before (issue 13).
    ///
    /// # Errors
    /// The database's error.
    pub async fn put_equality(&mut self, m: &tact_core::equality::Monitoring) -> Result<()> {
        self.delete_equality(m.person_id).await?;
        let answers: serde_json::Map<String, serde_json::Value> = m
            .answers
            .iter()
            .map(|(c, v)| (c.as_str().to_string(), serde_json::Value::String(v.clone())))
            .collect();
        sqlx::query("INSERT INTO equality_monitoring (person_id, consented_at, recorded_by, answers) VALUES ($1, $2, $3, $4)")
            .bind(m.person_id.0)
            .bind(ts(m.consented_at))
            .bind(m.recorded_by.0)
            .bind(serde_json::Value::Object(answers).to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        Ok(())
    }

    /// Deletes a person's equality monitoring answers (consent withdrawn); gives whether
    /// there were any.
    ///
    /// # Errors
    /// The database's error.
    pub async fn delete_equality(&mut self, person: PersonId) -> Result<bool> {
        let r = sqlx::query("DELETE FROM equality_monitoring WHERE person_id = $1")
            .bind(person.0)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        Ok(r.rows_affected() > 0)
    }

    /// # Errors
    /// The database's error.
    pub async fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        sqlx::query("DELETE FROM meta WHERE key = $1")
            .bind(key)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2)")
            .bind(key)
            .bind(value)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        Ok(())
    }

    /// # Errors
    /// The database's error.
    pub async fn insert_staff(
        &mut self,
        s: &Staff,
        password_hash: Option<&str>,
        now: jiff::Timestamp,
    ) -> Result<StaffId> {
        let q = bind_staff(sqlx::query("INSERT INTO staff (name, email, role, line_manager, active, password_hash, created_at, scope) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id"), s)
            .bind(password_hash.map(str::to_string))
            .bind(ts(now))
            .bind(s.scope.map(|x| x.as_str().to_string()));
        let id = StaffId(self.insert_returning_id(q).await?);
        self.note_change(Change::Staff(id));
        Ok(id)
    }

    /// Every member of staff as this transaction sees them, held until it ends: on
    /// PostgreSQL each row is locked (`FOR UPDATE`), so two changes that each look at the
    /// others (the last active administrator) take turns; SQLite's `BEGIN IMMEDIATE`
    /// already holds the one write lock.
    ///
    /// # Errors
    /// The database's error.
    pub async fn staff_held(&mut self) -> Result<Vec<Staff>> {
        let lock = if self.backend == Backend::Postgres {
            " FOR UPDATE"
        } else {
            ""
        };
        sqlx::query(&format!(
            "SELECT id, name, email, role, line_manager, active, scope FROM staff ORDER BY id{lock}"
        ))
        .fetch_all(&mut *self.tx)
        .await
        .map_err(w)?
        .iter()
        .map(crate::read::staff_row)
        .collect()
    }

    /// # Errors
    /// [`StoreError::NotFound`] when there is no such member of staff.
    pub async fn update_staff(&mut self, s: &Staff) -> Result<()> {
        let q = bind_staff(sqlx::query("UPDATE staff SET name = $1, email = $2, role = $3, line_manager = $4, active = $5 WHERE id = $6"), s)
            .bind(s.id.0);
        self.update_one(q, || {
            StoreError::NotFound(format!("no member of staff {}", s.id))
        })
        .await?;
        self.note_change(Change::Staff(s.id));
        Ok(())
    }

    /// Keeps a new token's hash (never the token), giving back its id.
    ///
    /// # Errors
    /// The database's error.
    pub async fn insert_token(
        &mut self,
        staff: StaffId,
        token_hash: &str,
        name: &str,
        by: Option<StaffId>,
        now: jiff::Timestamp,
        expires_at: jiff::Timestamp,
    ) -> Result<i64> {
        let q = sqlx::query(
            "INSERT INTO tokens (token_hash, staff_id, name, created_at, created_by, expires_at) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id",
        )
        .bind(token_hash.to_string())
        .bind(staff.0)
        .bind(name.to_string())
        .bind(ts(now))
        .bind(by.map(|b| b.0))
        .bind(ts(expires_at));
        let id = self.insert_returning_id(q).await?;
        self.note_change(Change::Staff(staff));
        Ok(id)
    }

    /// Revokes a token: every process forgets it within the bound (a change to its holder).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] for a token already revoked; the database's error.
    pub async fn revoke_token(
        &mut self,
        id: i64,
        holder: StaffId,
        by: StaffId,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let r = sqlx::query(
            "UPDATE tokens SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL",
        )
        .bind(ts(now))
        .bind(by.0)
        .bind(id)
        .execute(&mut *self.tx)
        .await
        .map_err(w)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "token {id} is already revoked"
            )));
        }
        self.note_change(Change::Staff(holder));
        Ok(())
    }

    /// Notes every identifier `person` holds now as taken away (their write replaces or
    /// removes them all); those written again are put back by the caller's insert.
    async fn note_identifiers_removed(&mut self, person: PersonId) -> Result<()> {
        self.note_change(Change::Person(person));
        let rows = sqlx::query("SELECT identifier FROM person_identifiers WHERE person_id = $1")
            .bind(person.0)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(w)?;
        for r in rows {
            let k = Cols::of(&r, "person_identifiers").s("identifier")?;
            if !self.removed.iter().any(|(q, x)| *q == person && *x == k) {
                self.removed.push((person, k));
            }
        }
        Ok(())
    }

    /// Writes `p`'s identifiers in place of those they held; `fresh`: `p` was created in
    /// this transaction and holds none yet, so there is nothing to read or take away.
    async fn write_identifiers(&mut self, p: &ServiceUser, fresh: bool) -> Result<()> {
        if fresh {
            self.note_change(Change::Person(p.id));
        } else {
            self.note_identifiers_removed(p.id).await?;
            sqlx::query("DELETE FROM person_identifiers WHERE person_id = $1")
                .bind(p.id.0)
                .execute(&mut *self.tx)
                .await
                .map_err(w)?;
        }
        let mut idents = p.holdings();
        idents.sort();
        idents.dedup_by(|a, b| a.key == b.key);
        for Holding {
            key: ident,
            held,
            verified,
        } in idents
        {
            // Held still: not taken away.
            self.removed.retain(|(q, x)| !(*q == p.id && *x == ident));
            let shared = p.shared_identifiers.contains(&ident);
            sqlx::query(
                "INSERT INTO person_identifiers (identifier, person_id, kind, verified, shared) VALUES ($1,$2,$3,$4,$5)",
            )
            .bind(ident)
            .bind(p.id.0)
            .bind(held.as_str())
            .bind(i64::from(verified))
            .bind(i64::from(shared))
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        }
        Ok(())
    }

    /// Everyone other than `except` holding `identifier`, with whether they hold it as
    /// shared, read inside this transaction after [`WriteTx::lock_identifier`], so two
    /// writes cannot both give one identifier to two people unawares.
    ///
    /// # Errors
    /// The database's error.
    pub async fn identifier_holders(
        &mut self,
        identifier: &str,
        except: PersonId,
    ) -> Result<Vec<(PersonId, String, String, bool)>> {
        let rows = sqlx::query("SELECT i.person_id, p.reference, p.name, i.shared FROM person_identifiers i JOIN people p ON p.id = i.person_id WHERE i.identifier = $1 AND i.person_id <> $2 ORDER BY i.person_id")
            .bind(identifier)
            .bind(except.0)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(w)?;
        rows.iter()
            .map(|r| {
                let r = Cols::of(r, "person_identifiers");
                Ok((
                    PersonId(r.i("person_id")?),
                    r.os("reference")?.unwrap_or_default(),
                    r.s("name")?,
                    r.flag("shared")?,
                ))
            })
            .collect()
    }

    /// Serialises writes that give out `identifier` until this transaction ends (on
    /// PostgreSQL an advisory lock on its hash; SQLite's write lock does it already).
    ///
    /// # Errors
    /// The database's error.
    pub async fn lock_identifier(&mut self, identifier: &str) -> Result<()> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                .bind(identifier)
                .execute(&mut *self.tx)
                .await
                .map_err(w)?;
        }
        Ok(())
    }

    /// Everyone holding each identifier, read inside this transaction: for an import,
    /// which checks thousands of rows against the people already recorded at once
    /// (issue 14). By identifier: (person, reference, name).
    ///
    /// # Errors
    /// The database's error.
    pub async fn all_identifier_holders(
        &mut self,
    ) -> Result<std::collections::HashMap<String, Vec<(PersonId, String, String)>>> {
        let rows = sqlx::query("SELECT i.identifier, i.person_id, p.reference, p.name FROM person_identifiers i JOIN people p ON p.id = i.person_id")
            .fetch_all(&mut *self.tx)
            .await
            .map_err(w)?;
        let mut out: std::collections::HashMap<String, Vec<(PersonId, String, String)>> =
            std::collections::HashMap::new();
        for r in &rows {
            let r = Cols::of(r, "person_identifiers");
            out.entry(r.s("identifier")?).or_default().push((
                PersonId(r.i("person_id")?),
                r.os("reference")?.unwrap_or_default(),
                r.s("name")?,
            ));
        }
        Ok(out)
    }

    /// Gives a member of staff a telephone extension, or takes theirs away (issue 14).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when someone else has that extension; the database's error.
    pub async fn set_extension(&mut self, staff: StaffId, extension: Option<&str>) -> Result<()> {
        sqlx::query("DELETE FROM staff_extensions WHERE staff_id = $1")
            .bind(staff.0)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        if let Some(e) = extension {
            sqlx::query("INSERT INTO staff_extensions (staff_id, extension) VALUES ($1, $2)")
                .bind(staff.0)
                .bind(e)
                .execute(&mut *self.tx)
                .await
                .map_err(w)?;
        }
        self.note_change(Change::Staff(staff));
        Ok(())
    }

    /// Notes that a record came from an earlier system (issue 14).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when that source's key was imported already; the
    /// database's error.
    pub async fn insert_imported(&mut self, i: &crate::Imported) -> Result<()> {
        sqlx::query("INSERT INTO imported (source, kind, source_key, record_id, person_id, line, digest, imported_at, imported_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)")
            .bind(i.source.clone())
            .bind(i.kind.clone())
            .bind(i.key.clone())
            .bind(i.record_id)
            .bind(i.person_id.0)
            .bind(i.line)
            .bind(i.digest.clone())
            .bind(ts(i.imported_at))
            .bind(i.imported_by.0)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        Ok(())
    }

    /// Inserts `rows` into `head` (`INSERT INTO t (a, b, …)`), as many rows a statement as
    /// the databases' limits on values allow: one round trip for hundreds of rows, where
    /// SQLite's driver thread costs two context switches a statement (issue 14).
    async fn insert_rows(&mut self, head: &str, rows: &[Vec<Val>]) -> Result<()> {
        let Some(width) = rows.first().map(Vec::len) else {
            return Ok(());
        };
        for chunk in rows.chunks((MAX_BINDS / width.max(1)).max(1)) {
            let mut sql = String::with_capacity(head.len() + chunk.len() * width * 6);
            sql.push_str(head);
            sql.push_str(" VALUES ");
            let mut n = 0;
            for (i, _) in chunk.iter().enumerate() {
                sql.push_str(if i == 0 { "(" } else { ",(" });
                for j in 0..width {
                    n += 1;
                    if j > 0 {
                        sql.push(',');
                    }
                    // SQLite keeps `$N` names in a list it searches for each one (quadratic
                    // in a statement's values); a bare `?` is simply the next.
                    if self.backend == Backend::Sqlite {
                        sql.push('?');
                    } else {
                        sql.push('$');
                        sql.push_str(&n.to_string());
                    }
                }
                sql.push(')');
            }
            let mut q = sqlx::query(&sql);
            for row in chunk {
                for v in row {
                    q = match v {
                        Val::Int(x) => q.bind(*x),
                        Val::Text(t) => q.bind(t.clone()),
                    };
                }
            }
            q.execute(&mut *self.tx).await.map_err(w)?;
        }
        Ok(())
    }

    /// `n` new ids for `table`'s `id`, for this transaction's inserts: on SQLite, after the
    /// highest (its write lock is held, and it would give the same); on PostgreSQL, taken
    /// from the key's own sequence, so no other transaction is given one of them.
    async fn reserve_ids(&mut self, table: &'static str, n: usize) -> Result<Vec<i64>> {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        match self.backend {
            Backend::Sqlite => {
                let row = sqlx::query(&format!("SELECT COALESCE(MAX(id), 0) AS id FROM {table}"))
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(w)?;
                let max = Cols::of(&row, table).i("id")?;
                Ok((max + 1..=max + n).collect())
            }
            Backend::Postgres => {
                let rows = sqlx::query(&format!(
                    "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS id FROM generate_series(1, $1)"
                ))
                .bind(n)
                .fetch_all(&mut *self.tx)
                .await
                .map_err(w)?;
                rows.iter().map(|r| Cols::of(r, table).i("id")).collect()
            }
        }
    }

    /// Creates many people at once (an import, issue 14), each as [`WriteTx::insert_person`]
    /// would, in a few statements: their ids and references, in order.
    ///
    /// # Errors
    /// The database's error.
    pub async fn insert_people(
        &mut self,
        people: &[ServiceUser],
    ) -> Result<Vec<(PersonId, String)>> {
        let ids = self.reserve_ids("people", people.len()).await?;
        let mut rows = Vec::with_capacity(people.len());
        let mut idents = Vec::with_capacity(people.len() * 2);
        let mut made = Vec::with_capacity(people.len());
        for (p, id) in people.iter().zip(ids) {
            let reference = PersonId(id).reference();
            let help = p.additional_help.as_ref();
            rows.push(vec![
                Val::from(id),
                reference.as_str().into(),
                p.name.clone().into(),
                p.name.to_lowercase().into(),
                p.postal_address.clone().into(),
                p.advocate.as_ref().map(advocate_json).into(),
                p.preferred_format.as_str().into(),
                p.preferred_language.clone().into(),
                ts(p.created_at).into(),
                help.map(|h| ts(h.asked_at)).into(),
                help.map(|h| h.asked_by.0).into(),
                help.map(|h| i64::from(h.needs_help)).into(),
                help.and_then(|h| h.in_their_words.clone()).into(),
            ]);
            let mut held = p.holdings();
            held.sort();
            held.dedup_by(|a, b| a.key == b.key);
            for h in held {
                let shared = p.shared_identifiers.contains(&h.key);
                idents.push(vec![
                    Val::from(h.key),
                    id.into(),
                    h.held.as_str().into(),
                    i64::from(h.verified).into(),
                    i64::from(shared).into(),
                ]);
            }
            self.note_change(Change::Person(PersonId(id)));
            made.push((PersonId(id), reference));
        }
        self.insert_rows("INSERT INTO people (id, reference, name, name_lower, postal_address, advocate, preferred_format, preferred_language, created_at, help_asked_at, help_asked_by, help_needed, help_words)", &rows).await?;
        self.insert_rows(
            "INSERT INTO person_identifiers (identifier, person_id, kind, verified, shared)",
            &idents,
        )
        .await?;
        Ok(made)
    }

    /// Notes that many records came from an earlier system (issue 14).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a source's key was imported already; the database's
    /// error.
    pub async fn insert_imported_many(&mut self, rows: &[crate::Imported]) -> Result<()> {
        let rows: Vec<Vec<Val>> = rows
            .iter()
            .map(|i| {
                vec![
                    i.source.as_str().into(),
                    i.kind.as_str().into(),
                    i.key.as_str().into(),
                    i.record_id.into(),
                    i.person_id.0.into(),
                    i.line.into(),
                    i.digest.as_str().into(),
                    ts(i.imported_at).into(),
                    i.imported_by.0.into(),
                ]
            })
            .collect();
        self.insert_rows("INSERT INTO imported (source, kind, source_key, record_id, person_id, line, digest, imported_at, imported_by)", &rows).await
    }

    /// Creates a person (with their answer about additional help, where they have one) and
    /// gives them a reference (`SU-000123`).
    ///
    /// # Errors
    /// The database's error.
    pub async fn insert_person(&mut self, p: &ServiceUser) -> Result<(PersonId, String)> {
        let q = bind_person(sqlx::query("INSERT INTO people (name, name_lower, postal_address, advocate, preferred_format, preferred_language, help_asked_at, help_asked_by, help_needed, help_words, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id"), p)
            .bind(ts(p.created_at));
        let id = self.insert_returning_id(q).await?;
        let reference = PersonId(id).reference();
        sqlx::query("UPDATE people SET reference = $1 WHERE id = $2")
            .bind(reference.clone())
            .bind(id)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        let mut with_id = p.clone();
        with_id.id = PersonId(id);
        self.write_identifiers(&with_id, true).await?;
        Ok((PersonId(id), reference))
    }

    /// Updates a person's details and identifiers.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such person.
    pub async fn update_person(&mut self, p: &ServiceUser) -> Result<()> {
        let q = bind_person(sqlx::query("UPDATE people SET name = $1, name_lower = $2, postal_address = $3, advocate = $4, preferred_format = $5, preferred_language = $6, help_asked_at = $7, help_asked_by = $8, help_needed = $9, help_words = $10 WHERE id = $11"), p)
            .bind(p.id.0);
        self.update_one(q, || {
            StoreError::NotFound(format!("no service user {}", p.id))
        })
        .await?;
        self.write_identifiers(p, false).await
    }

    /// # Errors
    /// The database's error.
    pub async fn insert_matter(&mut self, m: &Matter) -> Result<(MatterId, String)> {
        let q = bind_matter(sqlx::query("INSERT INTO matters (title, status, finalised_on, person_id, kind, opened_at) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id"), m)
            .bind(m.person_id.0)
            .bind(m.kind.as_str())
            .bind(ts(m.opened_at));
        let id = self.insert_returning_id(q).await?;
        let reference = format!("M-{id:06}");
        sqlx::query("UPDATE matters SET reference = $1 WHERE id = $2")
            .bind(reference.clone())
            .bind(id)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        Ok((MatterId(id), reference))
    }

    /// # Errors
    /// [`StoreError::NotFound`] when there is no such matter.
    pub async fn update_matter(&mut self, m: &Matter) -> Result<()> {
        let q = bind_matter(
            sqlx::query(
                "UPDATE matters SET title = $1, status = $2, finalised_on = $3 WHERE id = $4",
            ),
            m,
        )
        .bind(m.id.0);
        self.update_one(q, || StoreError::NotFound(format!("no matter {}", m.id)))
            .await?;
        Ok(())
    }

    /// Stores a contact. With an idempotency key, a second contact under the same key is a conflict.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] for a repeated key.
    pub async fn insert_contact(
        &mut self,
        c: &Contact,
        idempotency_key: Option<&str>,
    ) -> Result<ContactId> {
        let id = self
            .insert_returning_id(contact_insert(self.backend, c, idempotency_key))
            .await?;
        Ok(ContactId(id))
    }

    /// Inserts several contacts without idempotency keys, in as few statements as the
    /// database allows, and gives their ids in order. On SQLite (whose write lock this
    /// transaction holds from its start) the ids are given here, after the highest one,
    /// so one INSERT serves a whole group-commit batch; on PostgreSQL each row takes its
    /// id from the sequence.
    ///
    /// # Errors
    /// The database's error.
    pub async fn insert_contacts(&mut self, contacts: &[&Contact]) -> Result<Vec<ContactId>> {
        insert_contacts_on(&mut self.tx, self.backend, contacts).await
    }

    /// Marks a contact screened.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when it was not waiting for screening.
    pub async fn mark_screened(&mut self, id: ContactId) -> Result<()> {
        let q = sqlx::query(
            "UPDATE contacts SET screening = 'done' WHERE id = $1 AND screening = 'due'",
        )
        .bind(id.0);
        self.update_one(q, || {
            StoreError::Conflict(format!("contact {id} is not waiting for screening"))
        })
        .await?;
        Ok(())
    }

    /// # Errors
    /// The database's error.
    pub async fn insert_incident(&mut self, i: &Incident) -> Result<IncidentId> {
        let e = i.ended_call.as_ref();
        let q = sqlx::query("INSERT INTO incidents (person_id, matter_id, contact_id, category, description, occurred_at, staff_id, recorded_by, ended_reason, ended_file_note, ended_caller_warned) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id")
            .bind(i.person_id.0)
            .bind(i.matter_id.map(|m| m.0))
            .bind(i.contact_id.map(|c| c.0))
            .bind(i.category.clone())
            .bind(i.description.clone())
            .bind(ts(i.occurred_at))
            .bind(i.staff_id.0)
            .bind(i.recorded_by.0)
            .bind(e.map(|e| e.reason.clone()))
            .bind(e.map(|e| e.file_note.clone()))
            .bind(e.map(|e| i64::from(e.caller_warned)));
        Ok(IncidentId(self.insert_returning_id(q).await?))
    }

    /// # Errors
    /// The database's error.
    pub async fn insert_warning(&mut self, x: &Warning) -> Result<WarningId> {
        let ids: Vec<String> = x.incident_ids.iter().map(|i| i.0.to_string()).collect();
        let q = sqlx::query("INSERT INTO warnings (person_id, incident_ids, what_is_wrong, how_to_change, consequence, channel, given_at, given_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id")
            .bind(x.person_id.0)
            .bind(ids.join(","))
            .bind(x.what_is_wrong.clone())
            .bind(x.how_to_change.clone())
            .bind(x.consequence.clone())
            .bind(x.channel.as_str())
            .bind(ts(x.given_at))
            .bind(x.given_by.0);
        Ok(WarningId(self.insert_returning_id(q).await?))
    }

    /// # Errors
    /// The database's error.
    pub async fn insert_plan(&mut self, s: &Plan) -> Result<PlanId> {
        let q = bind_plan(sqlx::query("INSERT INTO plans (version, status, review_due, ends_on, body, person_id) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id"), s)
            .bind(s.person_id.0);
        self.note_change(Change::Person(s.person_id));
        let id = self.insert_returning_id(q).await?;
        self.states.push(crate::state::plan(id, s));
        Ok(PlanId(id))
    }

    /// Saves a changed plan. `expected_version` is the version it was read at: if
    /// someone else changed it since, the write is refused.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] for a stale version.
    pub async fn update_plan(&mut self, s: &Plan, expected_version: i64) -> Result<()> {
        let r = bind_plan(sqlx::query("UPDATE plans SET version = $1, status = $2, review_due = $3, ends_on = $4, body = $5 WHERE id = $6 AND version = $7"), s)
            .bind(s.id.0)
            .bind(expected_version)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "plan {} was changed by someone else; reload it and try again",
                s.id
            )));
        }
        self.note_change(Change::Person(s.person_id));
        self.states.push(crate::state::plan(s.id.0, s));
        Ok(())
    }

    /// # Errors
    /// The database's error.
    pub async fn insert_adjustment(&mut self, a: &Adjustment) -> Result<AdjustmentId> {
        let q = sqlx::query("INSERT INTO adjustments (person_id, kind, description, status, requested_at, recorded_by) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id")
            .bind(a.person_id.0)
            .bind(a.kind.as_str())
            .bind(a.description.clone())
            .bind(a.status.as_str())
            .bind(ts(a.requested_at))
            .bind(a.recorded_by.0);
        self.note_change(Change::Person(a.person_id));
        let id = self.insert_returning_id(q).await?;
        self.states.push(crate::state::adjustment(id, a));
        Ok(AdjustmentId(id))
    }

    /// Records the decision on a request that was still waiting for one.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when it was already decided.
    pub async fn decide_adjustment(&mut self, a: &Adjustment) -> Result<()> {
        let q = sqlx::query("UPDATE adjustments SET status = $1, decided_by = $2, decided_at = $3, decision_reason = $4 WHERE id = $5 AND status = 'requested'")
            .bind(a.status.as_str())
            .bind(a.decided_by.map(|d| d.0))
            .bind(a.decided_at.map(ts))
            .bind(a.decision_reason.clone())
            .bind(a.id.0);
        self.update_one(q, || {
            StoreError::Conflict(format!("adjustment {} was already decided", a.id))
        })
        .await?;
        self.note_change(Change::Person(a.person_id));
        self.states.push(crate::state::adjustment(a.id.0, a));
        Ok(())
    }

    /// Keeps an inbound message exactly as received, with its attachments and where it went.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a message with this Message-ID is already kept (on
    /// PostgreSQL the transaction cannot go on after that).
    pub async fn insert_message(
        &mut self,
        m: &tact_core::correspondence::StoredMessage,
        raw: &[u8],
        attachments: &[(Option<String>, String, Vec<u8>)],
    ) -> Result<i64> {
        let q = sqlx::query("INSERT INTO messages (message_id, mailbox, received_at, sender, subject, route, quarantine_reason, person_id, matter_id, contact_id, raw) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id")
            .bind(m.message_id.clone())
            .bind(m.mailbox.clone())
            .bind(ts(m.received_at))
            .bind(m.sender.clone())
            .bind(m.subject.clone())
            .bind(m.route.as_str())
            .bind(m.quarantine_reason.clone())
            .bind(m.person_id.map(|x| x.0))
            .bind(m.matter_id.map(|x| x.0))
            .bind(m.contact_id.map(|x| x.0))
            .bind(raw.to_vec());
        let id = self.insert_returning_id(q).await?;
        for (name, content_type, bytes) in attachments {
            sqlx::query("INSERT INTO attachments (message_ref, name, content_type, size, bytes) VALUES ($1,$2,$3,$4,$5)")
                .bind(id)
                .bind(name.clone())
                .bind(content_type.clone())
                .bind(i64::try_from(bytes.len()).unwrap_or(i64::MAX))
                .bind(bytes.clone())
                .execute(&mut *self.tx)
                .await
                .map_err(w)?;
        }
        Ok(id)
    }

    /// Keeps a letter as written, ready to send or print.
    ///
    /// # Errors
    /// The database's error.
    pub async fn insert_letter(
        &mut self,
        l: &tact_core::correspondence::StoredLetter,
    ) -> Result<i64> {
        let q = bind_letter_state(sqlx::query("INSERT INTO letters (status, attempts, next_attempt_at, last_error, sent_at, person_id, kind, about, channel, format, to_address, subject, body_text, body_html, created_at, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16) RETURNING id"), l)
            .bind(l.person_id.0)
            .bind(l.kind.clone())
            .bind(l.about.clone())
            .bind(l.channel.as_str())
            .bind(l.format.as_str())
            .bind(l.to_address.clone())
            .bind(l.subject.clone())
            .bind(l.text.clone())
            .bind(l.html.clone())
            .bind(ts(l.created_at))
            .bind(l.created_by.0);
        self.insert_returning_id(q).await
    }

    /// Moves a letter on (sent, tried again later, failed, printed), if it is still in the
    /// state it was read in: two senders never both send it.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when it had moved on meanwhile.
    pub async fn update_letter(
        &mut self,
        l: &tact_core::correspondence::StoredLetter,
        was: tact_core::correspondence::LetterStatus,
        was_attempts: i64,
    ) -> Result<()> {
        let q = bind_letter_state(sqlx::query("UPDATE letters SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4, sent_at = $5 WHERE id = $6 AND status = $7 AND attempts = $8"), l)
            .bind(l.id)
            .bind(was.as_str())
            .bind(was_attempts);
        self.update_one(q, || {
            StoreError::Conflict(format!("letter {} was moved on by someone else", l.id))
        })
        .await?;
        Ok(())
    }

    /// Forgets kept responses to idempotent requests made before `before` (they hold copies
    /// of what was written, personal data included).
    ///
    /// # Errors
    /// The database's error.
    pub async fn expire_idempotency(&mut self, before: jiff::Timestamp) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM idempotency WHERE created_at < $1")
            .bind(ts(before))
            .execute(&mut *self.tx)
            .await
            .map_err(w)?
            .rows_affected())
    }

    /// Places a legal hold on a person's records; gives its id.
    ///
    /// # Errors
    /// The database's error.
    pub async fn place_hold(
        &mut self,
        person: PersonId,
        reason: &str,
        by: StaffId,
        now: jiff::Timestamp,
    ) -> Result<i64> {
        let q = sqlx::query("INSERT INTO legal_holds (person_id, reason, placed_by, placed_at) VALUES ($1,$2,$3,$4) RETURNING id")
            .bind(person.0)
            .bind(reason.to_string())
            .bind(by.0)
            .bind(ts(now));
        self.insert_returning_id(q).await
    }

    /// Lifts a legal hold that is in place.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such hold; [`StoreError::Conflict`] when it
    /// was lifted already.
    pub async fn lift_hold(&mut self, id: i64, by: StaffId, now: jiff::Timestamp) -> Result<()> {
        let q = sqlx::query("UPDATE legal_holds SET lifted_by = $1, lifted_at = $2 WHERE id = $3 AND lifted_at IS NULL")
            .bind(by.0)
            .bind(ts(now))
            .bind(id);
        if q.execute(&mut *self.tx).await.map_err(w)?.rows_affected() == 1 {
            return Ok(());
        }
        let there = sqlx::query("SELECT id FROM legal_holds WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(w)?
            .is_some();
        Err(if there {
            StoreError::Conflict(format!("legal hold {id} was lifted already"))
        } else {
            StoreError::NotFound(format!("no legal hold {id}"))
        })
    }

    /// Destroys one person's records (NOR-9.1): every row about them, in an order the
    /// foreign keys allow; their event-log entries keep their place and hash but lose their
    /// words. Writes what went on the disposal register, without the data. Gives the
    /// counts by kind.
    ///
    /// # Errors
    /// The database's error (nothing is destroyed then: it is one transaction).
    pub async fn dispose_person(
        &mut self,
        person: PersonId,
        reference: &str,
        due_on: jiff::civil::Date,
        by: Option<StaffId>,
        now: jiff::Timestamp,
    ) -> Result<Vec<(String, u64)>> {
        self.note_identifiers_removed(person).await?;
        // The chain records each covered record as disposed of, so the deep check knows
        // it went by the retention rules and not otherwise.
        for (kind, sql) in crate::state::OWNED {
            let rows = sqlx::query(sql)
                .bind(person.0)
                .fetch_all(&mut *self.tx)
                .await
                .map_err(w)?;
            for r in &rows {
                let id = Cols::of(r, "records").i("id")?;
                self.states.push((
                    format!("{kind}:{id}"),
                    tact_core::audit::DISPOSED.to_string(),
                ));
            }
        }
        let mut counts = Vec::new();
        let steps: [(&str, &str); 19] = [
            ("equality monitoring answers", "DELETE FROM equality_monitoring WHERE person_id = $1"),
            ("attachments", "DELETE FROM attachments WHERE message_ref IN (SELECT id FROM messages WHERE person_id = $1)"),
            ("messages", "DELETE FROM messages WHERE person_id = $1"),
            ("letters", "DELETE FROM letters WHERE person_id = $1"),
            ("access log entries", "DELETE FROM access_log WHERE person_id = $1"),
            ("data-rights requests", "DELETE FROM data_rights WHERE person_id = $1"),
            ("legal holds", "DELETE FROM legal_holds WHERE person_id = $1"),
            ("requests to share", "DELETE FROM disclosures WHERE person_id = $1"),
            ("disputes", "DELETE FROM disputes WHERE person_id = $1"),
            ("further actions", "DELETE FROM further_actions WHERE person_id = $1"),
            ("adjustments", "DELETE FROM adjustments WHERE person_id = $1"),
            ("tasks", "DELETE FROM tasks WHERE person_id = $1"),
            ("incidents", "DELETE FROM incidents WHERE person_id = $1"),
            ("warnings", "DELETE FROM warnings WHERE person_id = $1"),
            ("contacts", "DELETE FROM contacts WHERE person_id = $1"),
            ("plans", "DELETE FROM plans WHERE person_id = $1"),
            ("matters", "DELETE FROM matters WHERE person_id = $1"),
            ("identifiers", "DELETE FROM person_identifiers WHERE person_id = $1"),
            ("event-log entries redacted", "UPDATE audit_log SET reason = NULL, detail = '{}', person_id = NULL, redacted_at = $2 WHERE person_id = $1"),
        ];
        for (what, sql) in steps {
            let mut q = sqlx::query(sql).bind(person.0);
            if sql.contains("$2") {
                q = q.bind(ts(now));
            }
            let r = q.execute(&mut *self.tx).await.map_err(w)?;
            counts.push((what.to_string(), r.rows_affected()));
        }
        let r = sqlx::query("DELETE FROM people WHERE id = $1")
            .bind(person.0)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        counts.push(("person".to_string(), r.rows_affected()));
        let listed = counts
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| format!("{k}: {n}"))
            .collect::<Vec<_>>()
            .join("; ");
        sqlx::query("INSERT INTO disposal_register (reference, due_on, destroyed_at, destroyed_by, counts) VALUES ($1,$2,$3,$4,$5)")
            .bind(reference.to_string())
            .bind(crate::codec::date(due_on))
            .bind(ts(now))
            .bind(by.map(|b| b.0))
            .bind(listed)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        Ok(counts)
    }

    /// Moves everything about person `from` to person `into` and leaves `from` pointing to
    /// `into` (issue 10): matters, contacts, incidents, warnings, adjustments, disputes,
    /// further actions, requests to share, data-rights requests, legal holds, letters,
    /// messages, tasks and the access log. Plans are moved by the caller, whose records
    /// carry the person inside them. `from`'s identifiers are removed: the caller gives
    /// them to `into`.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when `from` was already merged; the database's error.
    pub async fn merge_person(
        &mut self,
        from: PersonId,
        into: PersonId,
    ) -> Result<Vec<(String, u64)>> {
        let q =
            sqlx::query("UPDATE people SET merged_into = $1 WHERE id = $2 AND merged_into IS NULL")
                .bind(into.0)
                .bind(from.0);
        self.update_one(q, || {
            StoreError::Conflict(format!(
                "service user {from} was already merged into another record"
            ))
        })
        .await?;
        self.note_identifiers_removed(from).await?;
        self.note_change(Change::Person(into));
        let tables = [
            "matters",
            "contacts",
            "incidents",
            "warnings",
            "adjustments",
            "disputes",
            "further_actions",
            "disclosures",
            "data_rights",
            "legal_holds",
            "letters",
            "messages",
            "tasks",
            "access_log",
        ];
        let mut moved = Vec::new();
        for t in tables {
            // The table names are this list's own, never a value.
            let r = sqlx::query(&format!(
                "UPDATE {t} SET person_id = $1 WHERE person_id = $2"
            ))
            .bind(into.0)
            .bind(from.0)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
            moved.push((t.replace('_', " "), r.rows_affected()));
        }
        sqlx::query("DELETE FROM person_identifiers WHERE person_id = $1")
            .bind(from.0)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        Ok(moved)
    }

    /// Keeps one opening of a person's record on the access log.
    ///
    /// # Errors
    /// The database's error.
    pub async fn log_access(&mut self, a: &tact_core::model::Access) -> Result<()> {
        sqlx::query(
            "INSERT INTO access_log (person_id, staff_id, at, what) VALUES ($1, $2, $3, $4)",
        )
        .bind(a.person_id.0)
        .bind(a.staff_id.0)
        .bind(crate::codec::ts(a.at))
        .bind(&a.what)
        .execute(&mut *self.tx)
        .await
        .map_err(w)?;
        Ok(())
    }

    /// Claims the run of `job` for `period` (a day): true if this transaction is the first
    /// to, false if another has (then the caller writes nothing). On PostgreSQL a second
    /// server's claim waits for the first transaction and then finds the row.
    ///
    /// # Errors
    /// The database's error.
    pub async fn claim_job(
        &mut self,
        job: &str,
        period: &str,
        now: jiff::Timestamp,
    ) -> Result<bool> {
        let r = sqlx::query(
            "INSERT INTO job_runs (job, period, ran_at, outcome) VALUES ($1, $2, $3, 'running') ON CONFLICT (job, period) DO NOTHING",
        )
        .bind(job)
        .bind(period)
        .bind(crate::codec::ts(now))
        .execute(&mut *self.tx)
        .await
        .map_err(w)?;
        Ok(r.rows_affected() == 1)
    }

    /// Records what a claimed run did.
    ///
    /// # Errors
    /// The database's error.
    pub async fn finish_job(&mut self, job: &str, period: &str, outcome: &str) -> Result<()> {
        sqlx::query("UPDATE job_runs SET outcome = $1 WHERE job = $2 AND period = $3")
            .bind(outcome)
            .bind(job)
            .bind(period)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        Ok(())
    }

    /// Replaces a held letter's subject and text (staff adjusted it before it goes).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the letter is no longer held.
    pub async fn adjust_letter(
        &mut self,
        l: &tact_core::correspondence::StoredLetter,
    ) -> Result<()> {
        let q = sqlx::query(
            "UPDATE letters SET subject = $1, body_text = $2, body_html = $3 WHERE id = $4 AND status = 'draft'",
        )
        .bind(&l.subject)
        .bind(&l.text)
        .bind(&l.html)
        .bind(l.id);
        self.update_one(q, || {
            StoreError::Conflict(format!("letter {} is no longer held to be adjusted", l.id))
        })
        .await?;
        Ok(())
    }

    /// Puts a message from an unknown sender, and its contact, on a person's record.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the message is no longer waiting to be matched.
    pub async fn assign_message(
        &mut self,
        id: i64,
        contact: ContactId,
        person: PersonId,
        route: tact_core::correspondence::Route,
        screening_due: bool,
    ) -> Result<()> {
        let q = sqlx::query(
            "UPDATE messages SET person_id = $1, route = $2 WHERE id = $3 AND route = 'unknown-sender'",
        )
        .bind(person.0)
        .bind(route.as_str())
        .bind(id);
        self.update_one(q, || {
            StoreError::Conflict(format!("message {id} is not waiting to be matched"))
        })
        .await?;
        sqlx::query("UPDATE contacts SET person_id = $1, screening = $2 WHERE id = $3")
            .bind(person.0)
            .bind(if screening_due { "due" } else { "not-needed" })
            .bind(contact.0)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        Ok(())
    }

    /// # Errors
    /// The database's error.
    pub async fn insert_disclosure(&mut self, d: &Disclosure) -> Result<DisclosureId> {
        let q = sqlx::query("INSERT INTO disclosures (person_id, partner, reason, details, requested_by, requested_at, status) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id")
            .bind(d.person_id.0)
            .bind(d.partner.clone())
            .bind(d.reason.clone())
            .bind(d.details.clone())
            .bind(d.requested_by.0)
            .bind(ts(d.requested_at))
            .bind(d.status.as_str());
        Ok(DisclosureId(self.insert_returning_id(q).await?))
    }

    /// Keeps a new data-rights request; gives its id.
    ///
    /// # Errors
    /// The database's error.
    pub async fn insert_rights(&mut self, r: &tact_core::rights::RightsRequest) -> Result<i64> {
        let q = sqlx::query("INSERT INTO data_rights (person_id, kind, details, channel, received_on, due_on, status, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id")
            .bind(r.person_id.0)
            .bind(r.kind.as_str())
            .bind(r.details.clone())
            .bind(r.channel.as_str())
            .bind(crate::codec::date(r.received_on))
            .bind(crate::codec::date(r.due_on))
            .bind(r.status.as_str())
            .bind(r.created_by.0)
            .bind(ts(r.created_at));
        self.insert_returning_id(q).await
    }

    /// Writes a data-rights request's next state, if no one has answered it meanwhile.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when it is no longer as it was read.
    pub async fn update_rights(
        &mut self,
        r: &tact_core::rights::RightsRequest,
        was_extended: bool,
    ) -> Result<()> {
        let q = if was_extended {
            "UPDATE data_rights SET extended_to = $1, extension_reason = $2, status = $3, outcome = $4, closed_by = $5, closed_at = $6 WHERE id = $7 AND status = 'open' AND extended_to IS NOT NULL"
        } else {
            "UPDATE data_rights SET extended_to = $1, extension_reason = $2, status = $3, outcome = $4, closed_by = $5, closed_at = $6 WHERE id = $7 AND status = 'open' AND extended_to IS NULL"
        };
        let done = sqlx::query(q)
            .bind(r.extended_to.map(crate::codec::date))
            .bind(r.extension_reason.clone())
            .bind(r.status.as_str())
            .bind(r.outcome.clone())
            .bind(r.closed_by.map(|x| x.0))
            .bind(r.closed_at.map(ts))
            .bind(r.id)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "data-rights request {} was changed by someone else",
                r.id
            )));
        }
        Ok(())
    }

    /// Writes a request's next state, if it is still in the state it was read in.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when someone else moved it on meanwhile.
    pub async fn update_disclosure(&mut self, d: &Disclosure, was: DisclosureStatus) -> Result<()> {
        let q = sqlx::query("UPDATE disclosures SET status = $1, decided_by = $2, decided_at = $3, decision_reason = $4, shared_by = $5, shared_at = $6, shared_what = $7 WHERE id = $8 AND status = $9")
            .bind(d.status.as_str())
            .bind(d.decided_by.map(|x| x.0))
            .bind(d.decided_at.map(ts))
            .bind(d.decision_reason.clone())
            .bind(d.shared_by.map(|x| x.0))
            .bind(d.shared_at.map(ts))
            .bind(d.shared_what.clone())
            .bind(d.id.0)
            .bind(was.as_str());
        self.update_one(q, || {
            StoreError::Conflict(format!(
                "the request to share {} was changed by someone else",
                d.id
            ))
        })
        .await?;
        Ok(())
    }

    /// # Errors
    /// The database's error.
    pub async fn insert_dispute(&mut self, d: &Dispute) -> Result<DisputeId> {
        let q = sqlx::query("INSERT INTO disputes (plan_id, person_id, grounds, received_at, recorded_by) VALUES ($1,$2,$3,$4,$5) RETURNING id")
            .bind(d.plan_id.0)
            .bind(d.person_id.0)
            .bind(d.grounds.clone())
            .bind(ts(d.received_at))
            .bind(d.recorded_by.0);
        Ok(DisputeId(self.insert_returning_id(q).await?))
    }

    /// # Errors
    /// [`StoreError::Conflict`] when it was already decided.
    pub async fn decide_dispute(&mut self, d: &Dispute) -> Result<()> {
        let q = sqlx::query("UPDATE disputes SET outcome = $1, decided_by = $2, decided_at = $3, decision_reason = $4 WHERE id = $5 AND outcome IS NULL")
            .bind(d.outcome.map(DisputeOutcome::as_str))
            .bind(d.decided_by.map(|x| x.0))
            .bind(d.decided_at.map(ts))
            .bind(d.decision_reason.clone())
            .bind(d.id.0);
        self.update_one(q, || {
            StoreError::Conflict(format!("dispute {} was already decided", d.id))
        })
        .await?;
        Ok(())
    }

    /// # Errors
    /// The database's error.
    pub async fn insert_further_action(&mut self, f: &FurtherAction) -> Result<FurtherActionId> {
        let q = sqlx::query("INSERT INTO further_actions (person_id, kind, reasons, prior_notice_given, no_notice_reason, decided_by, decided_at) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id")
            .bind(f.person_id.0)
            .bind(f.kind.as_str())
            .bind(f.reasons.clone())
            .bind(i64::from(f.prior_notice_given))
            .bind(f.no_notice_reason.clone())
            .bind(f.decided_by.0)
            .bind(ts(f.decided_at));
        Ok(FurtherActionId(self.insert_returning_id(q).await?))
    }

    /// Keeps the response to an idempotent request.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the key was used already.
    pub async fn keep_response(
        &mut self,
        key: &str,
        staff: StaffId,
        response: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO idempotency (key, staff_id, response, created_at) VALUES ($1,$2,$3,$4)",
        )
        .bind(key)
        .bind(staff.0)
        .bind(response)
        .bind(ts(now))
        .execute(&mut *self.tx)
        .await
        .map_err(w)?;
        Ok(())
    }

    /// Runs raw SQL inside this transaction (tests use it to tamper with the log; the
    /// benchmark's generator uses it to load data in bulk).
    ///
    /// # Errors
    /// The database's error.
    pub async fn execute_raw(&mut self, sql: &str) -> Result<u64> {
        Ok(sqlx::raw_sql(sql)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?
            .rows_affected())
    }
}

impl WriteTx {
    /// Marks a point inside the transaction that [`WriteTx::rollback_to_savepoint`] can
    /// return to, so one failing item of a batch does not undo the others.
    ///
    /// # Errors
    /// The database's error.
    pub async fn savepoint(&mut self) -> Result<()> {
        self.plain("SAVEPOINT tact_item").await
    }

    /// # Errors
    /// The database's error.
    pub async fn release_savepoint(&mut self) -> Result<()> {
        self.plain("RELEASE SAVEPOINT tact_item").await
    }

    /// # Errors
    /// The database's error.
    pub async fn rollback_to_savepoint(&mut self) -> Result<()> {
        self.plain("ROLLBACK TO SAVEPOINT tact_item").await?;
        self.plain("RELEASE SAVEPOINT tact_item").await
    }

    async fn plain(&mut self, sql: &str) -> Result<()> {
        // An owned statement and a bound-nothing query keep this future `Send` for every
        // lifetime, which a spawned writer task needs.
        let sql = sql.to_string();
        sqlx::query(&sql).execute(&mut *self.tx).await.map_err(w)?;
        Ok(())
    }
}

impl WriteTx {
    /// Sets a member of staff's username and password hash.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the username is taken; [`StoreError::NotFound`] for no such staff.
    pub async fn set_credentials(
        &mut self,
        staff: StaffId,
        username: &str,
        password_hash: &str,
    ) -> Result<()> {
        let q = sqlx::query("UPDATE staff SET username = $1, password_hash = $2, failed_sign_ins = 0, locked_until = NULL WHERE id = $3")
            .bind(username.trim().to_lowercase())
            .bind(password_hash)
            .bind(staff.0);
        self.update_one(q, || {
            StoreError::NotFound(format!("no member of staff {staff}"))
        })
        .await?;
        self.note_change(Change::Staff(staff));
        Ok(())
    }

    /// Counts one sign-in attempt before its password is checked, in its own transaction,
    /// so however many arrive at once no more than `max` are checked: false, with nothing
    /// written, while the account is locked or `max` attempts are counted already.
    ///
    /// # Errors
    /// The database's error.
    pub async fn charge_sign_in(
        &mut self,
        staff: StaffId,
        now: jiff::Timestamp,
        max: i64,
    ) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE staff SET failed_sign_ins = failed_sign_ins + 1 \
             WHERE id = $1 AND failed_sign_ins < $2 AND (locked_until IS NULL OR locked_until <= $3)",
        )
        .bind(staff.0)
        .bind(max)
        .bind(ts(now))
        .execute(&mut *self.tx)
        .await
        .map_err(w)?;
        Ok(r.rows_affected() == 1)
    }

    /// A counted attempt's password was wrong: once `max` are counted, the account locks
    /// until `lock_until` and the count starts again for after the lock.
    ///
    /// # Errors
    /// The database's error.
    pub async fn failed_sign_in(
        &mut self,
        staff: StaffId,
        max: i64,
        lock_until: jiff::Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE staff SET locked_until = $1, failed_sign_ins = 0 \
             WHERE id = $2 AND failed_sign_ins >= $3",
        )
        .bind(ts(lock_until))
        .bind(staff.0)
        .bind(max)
        .execute(&mut *self.tx)
        .await
        .map_err(w)?;
        Ok(())
    }

    /// Starts a session: false, with nothing written, where a password sign-in finds the
    /// account locked by another attempt meanwhile. A password session signed in clears the
    /// count of attempts; one waiting for a second factor keeps it, so codes guessed after
    /// a right password still count towards the lock. A provider's session (with an ID
    /// token) is not subject to the password lock: the provider signed them in.
    ///
    /// # Errors
    /// The database's error.
    pub async fn start_session(&mut self, s: &NewSession<'_>) -> Result<bool> {
        if s.id_token.is_none() {
            // An attempt charged before the account locked may still be right; it signs in
            // only if no other attempt has locked the account meanwhile.
            let sql = if s.stage == "signed-in" {
                "UPDATE staff SET failed_sign_ins = 0 WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2)"
            } else {
                "UPDATE staff SET failed_sign_ins = failed_sign_ins WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2)"
            };
            let open = sqlx::query(sql)
                .bind(s.staff.0)
                .bind(ts(s.now))
                .execute(&mut *self.tx)
                .await
                .map_err(w)?;
            if open.rows_affected() == 0 {
                return Ok(false);
            }
        }
        sqlx::query("INSERT INTO sessions (token_hash, staff_id, csrf, created_at, expires_at, stage, id_token) VALUES ($1,$2,$3,$4,$5,$6,$7)")
            .bind(s.token_hash)
            .bind(s.staff.0)
            .bind(s.csrf)
            .bind(ts(s.now))
            .bind(ts(s.expires_at))
            .bind(s.stage)
            .bind(s.id_token)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        Ok(true)
    }

    /// Forgets a member of staff's count of sign-in attempts (issue 12).
    ///
    /// # Errors
    /// The database's error.
    pub async fn clear_failures(&mut self, staff: StaffId) -> Result<()> {
        sqlx::query("UPDATE staff SET failed_sign_ins = 0 WHERE id = $1")
            .bind(staff.0)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        Ok(())
    }

    /// Lets a session waiting for a second factor in, once its code was right (issue 12),
    /// clearing the count of attempts: false, with nothing written, where the account was
    /// locked meanwhile or the session is not waiting.
    ///
    /// # Errors
    /// The database's error.
    pub async fn complete_second_factor(
        &mut self,
        staff: StaffId,
        token_hash: &str,
        now: jiff::Timestamp,
        expires_at: jiff::Timestamp,
    ) -> Result<bool> {
        let clear = sqlx::query("UPDATE staff SET failed_sign_ins = 0 WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2)")
            .bind(staff.0)
            .bind(ts(now))
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        if clear.rows_affected() == 0 {
            return Ok(false);
        }
        let done = sqlx::query("UPDATE sessions SET stage = 'signed-in', created_at = $1, expires_at = $2 WHERE token_hash = $3 AND staff_id = $4 AND stage <> 'signed-in'")
            .bind(ts(now))
            .bind(ts(expires_at))
            .bind(token_hash)
            .bind(staff.0)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        Ok(done.rows_affected() == 1)
    }

    /// Keeps a TOTP secret being set up (issue 12), in place of any other not yet
    /// confirmed: false, with nothing written, where one is already confirmed.
    ///
    /// # Errors
    /// The database's error.
    pub async fn begin_second_factor(
        &mut self,
        staff: StaffId,
        secret: &[u8],
        now: jiff::Timestamp,
    ) -> Result<bool> {
        sqlx::query("DELETE FROM second_factors WHERE staff_id = $1 AND confirmed_at IS NULL")
            .bind(staff.0)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        let confirmed = sqlx::query("SELECT 1 AS one FROM second_factors WHERE staff_id = $1")
            .bind(staff.0)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(w)?;
        if confirmed.is_some() {
            return Ok(false);
        }
        sqlx::query("INSERT INTO second_factors (staff_id, secret, created_at) VALUES ($1,$2,$3)")
            .bind(staff.0)
            .bind(secret.to_vec())
            .bind(ts(now))
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        Ok(true)
    }

    /// Confirms the TOTP secret being set up with the time step of a right code, and keeps
    /// new recovery codes' hashes in place of any old ones (issue 12): false, with nothing
    /// written, where none is being set up.
    ///
    /// # Errors
    /// The database's error.
    pub async fn confirm_second_factor(
        &mut self,
        staff: StaffId,
        step: i64,
        recovery_hashes: &[String],
        now: jiff::Timestamp,
    ) -> Result<bool> {
        let done = sqlx::query("UPDATE second_factors SET confirmed_at = $1, last_step = $2 WHERE staff_id = $3 AND confirmed_at IS NULL")
            .bind(ts(now))
            .bind(step)
            .bind(staff.0)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM recovery_codes WHERE staff_id = $1")
            .bind(staff.0)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        for h in recovery_hashes {
            sqlx::query("INSERT INTO recovery_codes (staff_id, code_hash) VALUES ($1,$2)")
                .bind(staff.0)
                .bind(h)
                .execute(&mut *self.tx)
                .await
                .map_err(w)?;
        }
        Ok(true)
    }

    /// Accepts a TOTP code's time step once (issue 12): false where that step, or a later
    /// one, was already used, so a code seen over a shoulder does not work again.
    ///
    /// # Errors
    /// The database's error.
    pub async fn use_code_step(&mut self, staff: StaffId, step: i64) -> Result<bool> {
        let done = sqlx::query("UPDATE second_factors SET last_step = $1 WHERE staff_id = $2 AND confirmed_at IS NOT NULL AND last_step < $1")
            .bind(step)
            .bind(staff.0)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        Ok(done.rows_affected() == 1)
    }

    /// Uses up a recovery code (issue 12): false where it is not one of the member of
    /// staff's, or was used.
    ///
    /// # Errors
    /// The database's error.
    pub async fn use_recovery_code(
        &mut self,
        staff: StaffId,
        code_hash: &str,
        now: jiff::Timestamp,
    ) -> Result<bool> {
        let done = sqlx::query("UPDATE recovery_codes SET used_at = $1 WHERE staff_id = $2 AND code_hash = $3 AND used_at IS NULL")
            .bind(ts(now))
            .bind(staff.0)
            .bind(code_hash)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes a member of staff's second factor and recovery codes (issue 12), and ends
    /// their sessions: false where they had none.
    ///
    /// # Errors
    /// The database's error.
    pub async fn remove_second_factor(&mut self, staff: StaffId) -> Result<bool> {
        let gone = sqlx::query("DELETE FROM second_factors WHERE staff_id = $1")
            .bind(staff.0)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        for q in [
            "DELETE FROM recovery_codes WHERE staff_id = $1",
            "DELETE FROM sessions WHERE staff_id = $1",
        ] {
            sqlx::query(q)
                .bind(staff.0)
                .execute(&mut *self.tx)
                .await
                .map_err(w)?;
        }
        Ok(gone.rows_affected() > 0)
    }

    /// Links a member of staff to their identity at the office's OpenID provider (issue
    /// 12), and gives them a username where they have none.
    ///
    /// # Errors
    /// The database's error (a username or identity another member of staff has).
    pub async fn link_external_id(
        &mut self,
        staff: StaffId,
        external_id: &str,
        username: &str,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE staff SET external_id = $1, username = COALESCE(username, $2) WHERE id = $3",
        )
        .bind(external_id)
        .bind(username.trim().to_lowercase())
        .bind(staff.0)
        .execute(&mut *self.tx)
        .await
        .map_err(w)?;
        Ok(())
    }

    /// Keeps a one-time password-reset link's hash (issue 12).
    ///
    /// # Errors
    /// The database's error.
    pub async fn insert_password_reset(
        &mut self,
        token_hash: &str,
        staff: StaffId,
        by: StaffId,
        now: jiff::Timestamp,
        expires_at: jiff::Timestamp,
    ) -> Result<()> {
        sqlx::query("INSERT INTO password_resets (token_hash, staff_id, created_by, created_at, expires_at) VALUES ($1,$2,$3,$4,$5)")
            .bind(token_hash)
            .bind(staff.0)
            .bind(by.0)
            .bind(ts(now))
            .bind(ts(expires_at))
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        Ok(())
    }

    /// Uses a password-reset link once: whose it is, if it is unused and unexpired at
    /// `now` (and from now on it is used).
    ///
    /// # Errors
    /// The database's error.
    pub async fn take_password_reset(
        &mut self,
        token_hash: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<StaffId>> {
        let row = sqlx::query("UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $3 RETURNING staff_id")
            .bind(ts(now))
            .bind(token_hash)
            .bind(ts(now))
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(w)?;
        row.map(|r| {
            Ok(StaffId(
                crate::Cols::of(&r, "password_resets").i("staff_id")?,
            ))
        })
        .transpose()
    }

    /// A new password for a member of staff: their failures are forgotten, any lock lifted,
    /// and every session they had ended.
    ///
    /// # Errors
    /// The database's error.
    pub async fn set_password(&mut self, staff: StaffId, password_hash: &str) -> Result<()> {
        sqlx::query("UPDATE staff SET password_hash = $1, failed_sign_ins = 0, locked_until = NULL WHERE id = $2")
            .bind(password_hash)
            .bind(staff.0)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        sqlx::query("DELETE FROM sessions WHERE staff_id = $1")
            .bind(staff.0)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        Ok(())
    }

    /// Notes that a session was used at `now`.
    ///
    /// # Errors
    /// The database's error.
    pub async fn touch_session(&mut self, token_hash: &str, now: jiff::Timestamp) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(ts(now))
            .bind(token_hash)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        Ok(())
    }

    /// Ends a session.
    ///
    /// # Errors
    /// The database's error.
    pub async fn end_session(&mut self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *self.tx)
            .await
            .map_err(w)?;
        Ok(())
    }
}

/// The INSERT of one contact, giving back its id.
/// A contact's INSERT. On SQLite the id is given in the statement, after both the highest
/// id and the sealed mark ([`next_contact_id!`]); on PostgreSQL the sequence gives it.
fn contact_insert<'q>(
    backend: Backend,
    c: &Contact,
    idempotency_key: Option<&str>,
) -> crate::AnyQuery<'q> {
    let sql = match backend {
        Backend::Postgres => "INSERT INTO contacts (person_id, matter_id, channel, direction, at, staff_id, identifier, summary, body, breach_of, screening, not_recorded_as_complaint, duration_seconds, idempotency_key) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) RETURNING id",
        Backend::Sqlite => concat!("INSERT INTO contacts (id, person_id, matter_id, channel, direction, at, staff_id, identifier, summary, body, breach_of, screening, not_recorded_as_complaint, duration_seconds, idempotency_key) SELECT m.id + 1, $1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14 FROM ", next_contact_id!(), " AS m RETURNING id"),
    };
    sqlx::query(sql)
        .bind(c.person_id.map(|p| p.0))
        .bind(c.matter_id.map(|m| m.0))
        .bind(c.channel.as_str())
        .bind(c.direction.as_str())
        .bind(ts(c.at))
        .bind(c.staff_id.map(|s| s.0))
        .bind(c.identifier.clone())
        .bind(c.summary.clone())
        .bind(c.body.clone())
        .bind(c.breach_of.join(","))
        .bind(c.screening.as_str())
        .bind(i64::from(c.not_recorded_as_complaint))
        .bind(c.duration_seconds.map(i64::from))
        .bind(idempotency_key.map(str::to_string))
}

/// Inserts contacts without idempotency keys on `conn`, the connection of a
/// [`WriteTx::insert_contacts`] transaction, giving their ids in order. On SQLite the ids
/// are given here, after
/// the highest one (the statement holds the write lock from its start), so one INSERT
/// serves a whole group-commit batch; on PostgreSQL each row takes its id from the
/// sequence.
async fn insert_contacts_on(
    conn: &mut AnyConnection,
    backend: Backend,
    contacts: &[&Contact],
) -> Result<Vec<ContactId>> {
    if backend == Backend::Postgres {
        let mut ids = Vec::with_capacity(contacts.len());
        for c in contacts {
            let row = contact_insert(backend, c, None)
                .fetch_one(&mut *conn)
                .await
                .map_err(w)?;
            ids.push(ContactId(Cols::of(&row, "contacts").i("id")?));
        }
        return Ok(ids);
    }
    // One statement and one round trip for the whole batch, whatever its size: the rows
    // go in as one JSON array, and each takes the id after the highest, in order. (A
    // multi-row VALUES list needed a statement for each size of batch, and sqlx looks
    // each `$N` up in SQLite's list of parameter names, which is quadratic.) SQLite
    // computes the SELECT in full before inserting, so MAX(id) is read once.
    // [`next_contact_id!`] keeps ids above the sealed mark.
    let rows: Vec<serde_json::Value> = contacts
        .iter()
        .map(|c| {
            serde_json::json!([
                c.person_id.map(|p| p.0),
                c.matter_id.map(|m| m.0),
                c.channel.as_str(),
                c.direction.as_str(),
                ts(c.at),
                c.staff_id.map(|s| s.0),
                c.identifier,
                c.summary,
                c.body,
                c.breach_of.join(","),
                c.screening.as_str(),
                i64::from(c.not_recorded_as_complaint),
                c.duration_seconds,
            ])
        })
        .collect();
    let inserted = sqlx::query(concat!(
        "INSERT INTO contacts (id, person_id, matter_id, channel, direction, at, staff_id, identifier, summary, body, breach_of, screening, not_recorded_as_complaint, duration_seconds) \
         SELECT m.id + j.key + 1, j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4, j.value->>5, j.value->>6, j.value->>7, j.value->>8, j.value->>9, j.value->>10, j.value->>11, j.value->>12 \
         FROM ", next_contact_id!(), " AS m, json_each($1) AS j ORDER BY j.key RETURNING id",
    ))
    .bind(serde_json::Value::Array(rows).to_string())
    .fetch_all(&mut *conn)
    .await
    .map_err(w)?;
    let mut ids: Vec<ContactId> = inserted
        .iter()
        .map(|r| Ok(ContactId(Cols::of(r, "contacts").i("id")?)))
        .collect::<Result<_>>()?;
    ids.sort_unstable();
    if ids.len() != contacts.len() {
        return Err(StoreError::Batch(format!(
            "{} contacts went in for {} sent",
            ids.len(),
            contacts.len()
        )));
    }
    Ok(ids)
}

/// [`crate::Store::insert_contacts_alone`]: the batch commits by itself.
pub(crate) async fn insert_contacts_alone(
    conn: &mut AnyConnection,
    backend: Backend,
    contacts: &[&Contact],
) -> Result<Vec<ContactId>> {
    if backend == Backend::Sqlite {
        // One statement outside a transaction is its own transaction: it takes the write
        // lock when it starts (waiting as busy_timeout allows) and commits when it ends.
        return insert_contacts_on(conn, backend, contacts).await;
    }
    Manager::begin(&mut *conn, None).await.map_err(w)?;
    let done = match insert_contacts_on(&mut *conn, backend, contacts).await {
        Ok(ids) => Manager::commit(&mut *conn).await.map_err(w).map(|()| ids),
        Err(e) => Err(e),
    };
    if done.is_err() {
        Manager::start_rollback(conn);
    }
    done
}

/// A session to start ([`WriteTx::start_session`]).
#[derive(Debug, Clone, Copy)]
pub struct NewSession<'a> {
    pub staff: StaffId,
    /// The SHA-256 of the cookie's value; the cookie itself is never kept.
    pub token_hash: &'a str,
    pub csrf: &'a str,
    pub now: jiff::Timestamp,
    pub expires_at: jiff::Timestamp,
    /// `signed-in`, `code` or `set-up`.
    pub stage: &'a str,
    /// The provider's ID token, for a session single sign-on began.
    pub id_token: Option<&'a str>,
}

/// A query of the store's own, with its arguments bound so far.
type Bound<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

/// Binds a person's columns, in the order both the insert and the update name them:
/// name, name_lower, postal_address, advocate, preferred_format, preferred_language,
/// help_asked_at, help_asked_by, help_needed, help_words.
fn bind_person<'q>(q: Bound<'q>, p: &ServiceUser) -> Bound<'q> {
    let help = p.additional_help.as_ref();
    q.bind(p.name.clone())
        .bind(p.name.to_lowercase())
        .bind(p.postal_address.clone())
        .bind(p.advocate.as_ref().map(advocate_json))
        .bind(p.preferred_format.as_str())
        .bind(p.preferred_language.clone())
        .bind(help.map(|h| ts(h.asked_at)))
        .bind(help.map(|h| h.asked_by.0))
        .bind(help.map(|h| i64::from(h.needs_help)))
        .bind(help.and_then(|h| h.in_their_words.clone()))
}

/// Binds a member of staff's columns, in the order both the insert and the update name
/// them: name, email, role, line_manager, active.
fn bind_staff<'q>(q: Bound<'q>, s: &Staff) -> Bound<'q> {
    q.bind(s.name.clone())
        .bind(s.email.as_ref().map(|e| e.as_str().to_string()))
        .bind(s.role.as_str())
        .bind(s.line_manager.map(|m| m.0))
        .bind(i64::from(s.active))
}

/// Binds a plan's columns, in the order both the insert and the update name them:
/// version, status, review_due, ends_on, body.
fn bind_plan<'q>(q: Bound<'q>, s: &Plan) -> Bound<'q> {
    q.bind(s.version)
        .bind(s.status.as_str())
        .bind(date(s.review_due))
        .bind(s.ends_on.map(date))
        .bind(plan_json(s).to_string())
}

/// Binds the columns of a matter that staff may change, in the order both the insert and
/// the update name them: title, status, finalised_on.
fn bind_matter<'q>(q: Bound<'q>, m: &Matter) -> Bound<'q> {
    q.bind(m.title.clone())
        .bind(m.status.as_str())
        .bind(m.finalised_on.map(date))
}

/// Binds where a letter stands, in the order both the insert and the update name it:
/// status, attempts, next_attempt_at, last_error, sent_at.
fn bind_letter_state<'q>(q: Bound<'q>, l: &tact_core::correspondence::StoredLetter) -> Bound<'q> {
    q.bind(l.status.as_str())
        .bind(l.attempts)
        .bind(l.next_attempt_at.map(ts))
        .bind(l.last_error.clone())
        .bind(l.sent_at.map(ts))
}
