//! The change feed (issue 10): how one Tact process learns that another changed something
//! it caches. A [`WriteTx`](crate::WriteTx) records each change of a cached record in its
//! own transaction (see `0009_changes.sql`); [`Store::changes_after`] reads them in order;
//! a [`Watcher`] wakes a follower when another connection may have written —
//! PostgreSQL's LISTEN/NOTIFY (not durable: the sequence is what catches up), or on SQLite
//! `PRAGMA data_version`, which changes when any other connection commits.

use crate::{Backend, Cols, Result, Store, StoreError};
use sqlx::{Connection, Row};
use std::time::{Duration, Instant};
use tact_core::ids::{PersonId, StaffId};

/// The PostgreSQL notification channel the change feed is announced on.
pub const CHANGE_CHANNEL: &str = "tact_changes";

/// One change of something a process may cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    /// A person's details, identifiers, plans, adjustments, or calls that count towards a
    /// limit on calls.
    Person(PersonId),
    /// A member of staff: role, whether active, credentials, tokens.
    Staff(StaffId),
}

impl Change {
    pub(crate) fn kind(self) -> &'static str {
        match self {
            Self::Person(_) => "person",
            Self::Staff(_) => "staff",
        }
    }

    pub(crate) fn key(self) -> i64 {
        match self {
            Self::Person(p) => p.0,
            Self::Staff(s) => s.0,
        }
    }

    fn from_row(kind: &str, key: i64) -> Result<Self> {
        match kind {
            "person" => Ok(Self::Person(PersonId(key))),
            "staff" => Ok(Self::Staff(StaffId(key))),
            other => Err(StoreError::Corrupt(format!(
                "changes.kind: expected person or staff, got {other:?}"
            ))),
        }
    }
}

/// One change read from the feed.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub seq: i64,
    pub change: Change,
    /// For a person: the identifiers the write took away from them.
    pub removed: Vec<String>,
}

impl Store {
    /// The sequence number of the newest change committed.
    ///
    /// # Errors
    /// The database's error.
    pub async fn change_seq(&self) -> Result<i64> {
        let row = sqlx::query("SELECT seq FROM change_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        Cols::of(&row, "change_head").i("seq")
    }

    /// The changes committed after `after`, oldest first, at most `limit` of them.
    ///
    /// # Errors
    /// The database's error, or a change of a kind this version does not know.
    pub async fn changes_after(&self, after: i64, limit: i64) -> Result<Vec<FeedEntry>> {
        let rows = sqlx::query(
            "SELECT seq, kind, key, removed FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let r = Cols::of(r, "changes");
                Ok(FeedEntry {
                    seq: r.i("seq")?,
                    change: Change::from_row(&r.s("kind")?, r.i("key")?)?,
                    removed: r
                        .s("removed")?
                        .lines()
                        .filter(|l| !l.is_empty())
                        .map(str::to_string)
                        .collect(),
                })
            })
            .collect()
    }

    /// Deletes the changes committed before `before`, always keeping the newest one (so
    /// the head's number stays readable and a follower that was behind sees a gap and
    /// reloads). Returns how many went.
    ///
    /// # Errors
    /// The database's error.
    pub async fn prune_changes(&self, before: jiff::Timestamp) -> Result<u64> {
        let r = sqlx::query(
            "DELETE FROM changes WHERE at < $1 AND seq < (SELECT MAX(seq) FROM changes)",
        )
        .bind(crate::codec::ts(before))
        .execute(self.pool())
        .await?;
        Ok(r.rows_affected())
    }

    /// A watcher that wakes when another connection may have written.
    ///
    /// # Errors
    /// The database's error.
    pub async fn watch(&self) -> Result<Watcher> {
        let inner = match self.backend() {
            Backend::Sqlite => {
                let mut conn = self.pool().acquire().await?.detach();
                let v = data_version(&mut conn).await?;
                Inner::Sqlite { conn, last: v }
            }
            Backend::Postgres => Inner::Postgres {
                url: self.url().to_string(),
                listener: None,
            },
        };
        Ok(Watcher { inner })
    }
}

async fn data_version(conn: &mut sqlx::AnyConnection) -> Result<i64> {
    let row = sqlx::query("PRAGMA data_version")
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get::<i64, _>(0)?)
}

enum Inner {
    Sqlite {
        conn: sqlx::AnyConnection,
        last: i64,
    },
    Postgres {
        url: String,
        listener: Option<sqlx::postgres::PgListener>,
    },
}

/// Wakes a follower of the change feed.
pub struct Watcher {
    inner: Inner,
}

/// How often a SQLite watcher asks whether another connection wrote.
const SQLITE_POLL: Duration = Duration::from_millis(20);

impl Watcher {
    /// Waits until another connection may have committed, or `max` has passed. Returning
    /// is only a hint to read the feed: the feed's sequence is the truth.
    ///
    /// # Errors
    /// The connection was lost (the next call connects again).
    pub async fn wait(&mut self, max: Duration) -> Result<()> {
        let until = Instant::now() + max;
        match &mut self.inner {
            Inner::Sqlite { conn, last } => loop {
                let v = data_version(conn).await?;
                if v != *last {
                    *last = v;
                    return Ok(());
                }
                let left = until.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Ok(());
                }
                tokio::time::sleep(left.min(SQLITE_POLL)).await;
            },
            Inner::Postgres { url, listener } => {
                if listener.is_none() {
                    let mut l = sqlx::postgres::PgListener::connect(url).await?;
                    l.listen(CHANGE_CHANNEL).await?;
                    *listener = Some(l);
                    // Whatever was announced while we were not listening is read from
                    // the feed by the caller now.
                    return Ok(());
                }
                let l = listener.as_mut().expect("listener");
                match tokio::time::timeout(max, l.try_recv()).await {
                    Err(_) => Ok(()),
                    Ok(Ok(Some(_))) => {
                        // Take every notification already waiting: one read of the feed
                        // answers them all.
                        while let Ok(Ok(Some(_))) =
                            tokio::time::timeout(Duration::ZERO, l.try_recv()).await
                        {
                        }
                        Ok(())
                    }
                    Ok(Ok(None)) => {
                        // The connection was lost and will be made again: catch up.
                        Ok(())
                    }
                    Ok(Err(e)) => {
                        *listener = None;
                        Err(e.into())
                    }
                }
            }
        }
    }

    /// Closes the watcher's own connection.
    pub async fn close(self) {
        if let Inner::Sqlite { conn, .. } = self.inner {
            let _ = conn.close().await;
        }
    }
}
