//! Tact's store: one interface over SQLite and PostgreSQL.
//!
//! Both backends go through sqlx's `Any` driver with the same runtime queries (written
//! with `$1` placeholders, which both SQLite and PostgreSQL accept), and each has its
//! own migrations. What differs between them is confined to [`Backend`]: id column
//! types in the migrations, how a write transaction begins (SQLite `BEGIN IMMEDIATE`,
//! so a write never fails half-way on an upgrade to a write lock), and the row lock
//! that serialises appends to the event log on PostgreSQL. The conformance suite in
//! `tests/` runs the same tests against both.
//!
//! Every write is one [`WriteTx`]: the changed records, their audit events and their
//! tasks commit together or not at all.
//!
//! Errors: [`StoreError`] separates what the caller can act on (not found, a conflict
//! such as a stale version or a repeated key) from faults (database, corrupt data),
//! which the doors log and report without detail.

pub mod codec;
mod feed;
mod read;
mod state;
pub mod testing;
mod write;

pub use feed::{Change, FeedEntry, Watcher, CHANGE_CHANNEL};
pub use read::*;
pub use state::Sealed;
pub use write::{NewSession, WriteTx};

/// A connection taken from a store's pool, kept between transactions ([`Store::begin_on`]).
pub type Connection = sqlx::pool::PoolConnection<sqlx::Any>;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("unsupported database URL {0:?}: expected sqlite://… or postgres://…")]
    UnknownScheme(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// A batched write failed as a whole (the batch's transaction did not commit).
    #[error("the write could not be completed: {0}")]
    Batch(String),
}

impl StoreError {
    /// Whether the database could not be reached at all (rather than refusing a query).
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            Self::Db(
                sqlx::Error::Io(_)
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::Tls(_)
            )
        ) || matches!(self, Self::Db(sqlx::Error::Database(d)) if d.code().is_some_and(|c| c.starts_with("57P") || c.starts_with("08") || c == "53300" || c == "55000"))
    }

    /// A unique-key violation is a conflict the caller caused (a repeated submission).
    fn from_write(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                return Self::Conflict(format!("this record already exists: {}", db.message()));
            }
        }
        Self::Db(e)
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One connection to the database at `url`, made and closed, so that a server that cannot
/// be reached or refuses us says why at once (refused, no such host, a wrong password):
/// a pool keeps trying for its whole wait and then says only that it timed out.
///
/// # Errors
/// The connection's own error; no answer in 30 seconds.
async fn first_connection(url: &str) -> Result<()> {
    use sqlx::Connection;
    match tokio::time::timeout(Duration::from_secs(30), sqlx::AnyConnection::connect(url)).await {
        Ok(Ok(c)) => {
            // Closing politely can only fail on a connection already gone; the pool's own
            // connections come next and say so if it matters.
            let _ = c.close().await;
            Ok(())
        }
        Ok(Err(e)) => Err(e.into()),
        Err(_) => Err(StoreError::Db(sqlx::Error::PoolTimedOut)),
    }
}

/// A handle on the database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    url: std::sync::Arc<str>,
    /// For a store over one connection of its own: the main pool it came from.
    main: Option<AnyPool>,
    /// The event log's head as this process last appended to it (SQLite only): a hint, so
    /// an append need not read the head first. Each append checks it in the same statement
    /// and reads the head after all where another process moved it.
    audit_hint: std::sync::Arc<std::sync::Mutex<Option<(i64, String)>>>,
}

/// The schema, one migration a file, written once (issue 11: the two backends' copies had
/// drifted into twelve pairs of near-identical files). A shared file is written in SQLite's
/// words and said in PostgreSQL's by [`for_postgres`]; only where the two databases differ
/// in kind (the name search: FTS5 against pg_trgm) does each have its own file.
enum Migration {
    Shared(&'static str),
    PerBackend {
        sqlite: &'static str,
        postgres: &'static str,
    },
}

const MIGRATIONS: &[(i64, Migration)] = {
    use Migration::*;
    &[
        (1, Shared(include_str!("../migrations/0001_init.sql"))),
        (2, Shared(include_str!("../migrations/0002_sign_in.sql"))),
        (
            3,
            Shared(include_str!("../migrations/0003_disclosures.sql")),
        ),
        (4, Shared(include_str!("../migrations/0004_messages.sql"))),
        (5, Shared(include_str!("../migrations/0005_letters.sql"))),
        (6, Shared(include_str!("../migrations/0006_job_runs.sql"))),
        (7, Shared(include_str!("../migrations/0007_records.sql"))),
        (8, Shared(include_str!("../migrations/0008_retention.sql"))),
        (9, Shared(include_str!("../migrations/0009_changes.sql"))),
        (
            10,
            Shared(include_str!("../migrations/0010_identifiers.sql")),
        ),
        (
            11,
            PerBackend {
                sqlite: include_str!("../migrations/sqlite/0011_search.sql"),
                postgres: include_str!("../migrations/postgres/0011_search.sql"),
            },
        ),
        (
            12,
            Shared(include_str!("../migrations/0012_open_tasks.sql")),
        ),
        (13, Shared(include_str!("../migrations/0013_tokens.sql"))),
        (
            14,
            Shared(include_str!("../migrations/0014_session_idle.sql")),
        ),
        (
            15,
            Shared(include_str!("../migrations/0015_password_resets.sql")),
        ),
        (
            16,
            Shared(include_str!("../migrations/0016_sign_in_factors.sql")),
        ),
        (
            17,
            PerBackend {
                sqlite: include_str!("../migrations/sqlite/0017_audit_head_trigger.sql"),
                postgres: include_str!("../migrations/postgres/0017_audit_head_trigger.sql"),
            },
        ),
        (18, Shared(include_str!("../migrations/0018_seal_head.sql"))),
        (19, Shared(include_str!("../migrations/0019_equality.sql"))),
        (
            20,
            Shared(include_str!("../migrations/0020_call_duration.sql")),
        ),
        (21, Shared(include_str!("../migrations/0021_imported.sql"))),
        (
            22,
            PerBackend {
                sqlite: include_str!("../migrations/sqlite/0022_audit_head_per_statement.sql"),
                postgres: include_str!("../migrations/postgres/0022_audit_head_per_statement.sql"),
            },
        ),
        (
            23,
            Shared(include_str!("../migrations/0023_extensions.sql")),
        ),
        (
            24,
            Shared(include_str!("../migrations/0024_import_kind_plans.sql")),
        ),
        (25, Shared(include_str!("../migrations/0025_plans.sql"))),
    ]
};

/// A shared migration in PostgreSQL's words: a key SQLite assigns (`INTEGER PRIMARY KEY`,
/// its rowid) is a `BIGSERIAL`; every other integer is a 64-bit `BIGINT`, as SQLite's are
/// (a key Tact assigns itself is written `INTEGER NOT NULL PRIMARY KEY`, so it stays a plain
/// `BIGINT`); bytes are `BYTEA`.
fn for_postgres(sql: &str) -> String {
    sql.replace("INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY")
        .replace("INTEGER", "BIGINT")
        .replace("BLOB", "BYTEA")
}

impl Migration {
    fn sql(&self, backend: Backend) -> std::borrow::Cow<'static, str> {
        match (self, backend) {
            (Self::Shared(sql), Backend::Sqlite) => (*sql).into(),
            (Self::Shared(sql), Backend::Postgres) => for_postgres(sql).into(),
            (Self::PerBackend { sqlite, .. }, Backend::Sqlite) => (*sqlite).into(),
            (Self::PerBackend { postgres, .. }, Backend::Postgres) => (*postgres).into(),
        }
    }
}

impl Store {
    /// Opens the database at `url`, choosing the backend from the scheme. An unknown
    /// scheme is refused rather than silently creating a file.
    ///
    /// # Errors
    /// [`StoreError::UnknownScheme`], or the database's own error.
    pub async fn open(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnknownScheme(
                url.split(':').next().unwrap_or("").to_string(),
            ));
        };
        let opts = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30));
        let pool = match backend {
            // Four readers are plenty on a 2-core machine, and each costs its page cache,
            // statement cache and lookaside (issue 10's 150 MiB budget).
            Backend::Sqlite => sqlite_pool(url, 4, POOL_CACHE_KIB, false).await?,
            Backend::Postgres => {
                first_connection(url).await?;
                opts.max_connections(16).connect(url).await?
            }
        };
        Ok(Self {
            pool,
            backend,
            url: url.into(),
            main: None,
            audit_hint: std::sync::Arc::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A consistent copy of a SQLite database at `to`, taken while Tact goes on serving
    /// (`VACUUM INTO` reads one snapshot; writers carry on beside it). PostgreSQL is
    /// backed up with `pg_dump` instead (see the README).
    ///
    /// # Errors
    /// A PostgreSQL store; a file already at `to`; the database's error.
    pub async fn backup_to(&self, to: &std::path::Path) -> Result<()> {
        if self.backend == Backend::Postgres {
            return Err(StoreError::Conflict(
                "a PostgreSQL database is backed up with pg_dump: see the README".into(),
            ));
        }
        if to.exists() {
            return Err(StoreError::Conflict(format!(
                "{} already exists: a backup never overwrites a file",
                to.display()
            )));
        }
        let path = to
            .to_str()
            .ok_or_else(|| StoreError::Conflict(format!("{} is not a UTF-8 path", to.display())))?;
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A store over one connection of its own, for a task that writes all the time (the
    /// contact writer): on SQLite in WAL mode every other connection's commit throws a
    /// connection's page cache away, so a writer that moved between pooled connections
    /// re-read the pages it needs on every batch (issue 10).
    ///
    /// # Errors
    /// The database's error.
    pub async fn writer(&self) -> Result<Self> {
        // Its commits do not checkpoint the WAL: the writer asks `checkpoint`, which runs
        // on the main pool beside it.
        let mut w = self.own_connection(8 * 1024, true).await?;
        if self.backend == Backend::Sqlite {
            w.main = Some(self.pool.clone());
        }
        Ok(w)
    }

    /// Copies the WAL's committed pages into the database file without blocking writers
    /// (`wal_checkpoint(PASSIVE)`), on the main pool. Nothing on PostgreSQL.
    ///
    /// # Errors
    /// The database's error.
    pub async fn checkpoint(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            let pool = self.main.as_ref().unwrap_or(&self.pool);
            pool.execute("PRAGMA wal_checkpoint(PASSIVE)").await?;
        }
        Ok(())
    }

    /// A store over one connection of its own on SQLite (on PostgreSQL, this store): for
    /// a task whose reads should not fill the pool's page caches, such as loading the
    /// contact-check index; closing it frees its cache.
    ///
    /// # Errors
    /// The database's error.
    pub async fn single(&self) -> Result<Self> {
        self.own_connection(POOL_CACHE_KIB, false).await
    }

    /// Checkpoints the WAL on this store's own connection (the writer's, once no contact
    /// has come for a moment): after the main pool's checkpoint has copied the bulk of the WAL beside the
    /// writer, this copies the few frames committed since, so the WAL is wholly
    /// checkpointed and the writer's next transaction starts it again from the beginning.
    /// Without it the WAL only grows under steady logging (266 MB in 10 s), and every
    /// frame is written to a new part of the file, which the OS must allocate and zero.
    /// Nothing on PostgreSQL.
    ///
    /// # Errors
    /// The database's error.
    pub async fn checkpoint_here(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            self.pool.execute("PRAGMA wal_checkpoint(PASSIVE)").await?;
        }
        Ok(())
    }

    async fn own_connection(&self, cache_kib: u32, writer: bool) -> Result<Self> {
        if self.backend == Backend::Postgres {
            return Ok(self.clone());
        }
        let pool = sqlite_pool(&self.url, 1, cache_kib, writer).await?;
        Ok(Self {
            pool,
            backend: self.backend,
            url: self.url.clone(),
            main: None,
            audit_hint: self.audit_hint.clone(),
        })
    }

    /// The URL the store was opened with.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Applies the migrations not yet applied, each in its own transaction. Applied
    /// migrations are never edited; a change is a new migration.
    ///
    /// # Errors
    /// The database's error; nothing of a failed migration is kept.
    pub async fn migrate(&self) -> Result<()> {
        self.pool
            .execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)")
            .await?;
        let applied = self.applied_migrations().await?;
        for (version, migration) in MIGRATIONS {
            if applied.contains(version) {
                continue;
            }
            let sql = migration.sql(self.backend);
            let mut tx = self.pool.begin().await?;
            sqlx::raw_sql(&sql).execute(&mut *tx).await?;
            if *version == 1 {
                sqlx::query("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, $1)")
                    .bind(tact_core::audit::GENESIS)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(*version)
                .bind(codec::ts(jiff::Timestamp::now()))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// The versions of the migrations applied to the database.
    async fn applied_migrations(&self) -> Result<Vec<i64>> {
        Ok(sqlx::query("SELECT version FROM schema_migrations")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.get::<i64, _>(0))
            .collect())
    }

    /// Whether the database's schema is the one this binary was built for: a problem to
    /// report when a migration is not applied yet, or the database was migrated by a newer
    /// Tact than this one.
    ///
    /// # Errors
    /// The database's error.
    pub async fn schema_problem(&self) -> Result<Option<String>> {
        let applied = self.applied_migrations().await?;
        let missing: Vec<String> = MIGRATIONS
            .iter()
            .filter(|(v, _)| !applied.contains(v))
            .map(|(v, _)| v.to_string())
            .collect();
        let newest = MIGRATIONS.iter().map(|(v, _)| *v).max().unwrap_or(0);
        let newer: Vec<String> = applied
            .iter()
            .filter(|v| **v > newest)
            .map(i64::to_string)
            .collect();
        Ok(if !missing.is_empty() {
            Some(format!(
                "migrations not applied: {} (run tact migrate)",
                missing.join(", ")
            ))
        } else if !newer.is_empty() {
            Some(format!(
                "the database has migrations this Tact does not know ({}): run the newer Tact",
                newer.join(", ")
            ))
        } else {
            None
        })
    }

    /// Begins one write: everything done through the returned transaction commits together.
    ///
    /// # Errors
    /// The database's error.
    pub async fn begin(&self) -> Result<WriteTx> {
        let conn = self.pool.acquire().await?;
        self.begin_on(conn).await
    }

    /// Begins one write on a connection this store gave back from an earlier commit
    /// ([`WriteTx::commit_keeping`]), for a writer that keeps its connection between
    /// transactions.
    ///
    /// # Errors
    /// The database's error.
    pub async fn begin_on(&self, conn: Connection) -> Result<WriteTx> {
        let statement = match self.backend {
            // Takes the write lock at once: a transaction that read first and wrote later
            // could not upgrade after another connection's commit.
            Backend::Sqlite => Some("BEGIN IMMEDIATE"),
            Backend::Postgres => None,
        };
        WriteTx::begin(conn, statement, self.backend, self.audit_hint.clone()).await
    }

    /// Writes contacts that carry nothing else (no task, no event, no idempotency key) as
    /// one commit on `conn`: on SQLite one statement, which is its own transaction — a
    /// transaction took three (BEGIN, INSERT, COMMIT), each waiting for the thread to be
    /// woken (issue 10). All of it is written or none. The event log covers them a moment
    /// later ([`Store::seal_contacts`]).
    ///
    /// # Errors
    /// The database's error; then nothing was written.
    pub async fn insert_contacts_alone(
        &self,
        conn: &mut Connection,
        contacts: &[&tact_core::model::Contact],
    ) -> Result<Vec<tact_core::ids::ContactId>> {
        write::insert_contacts_alone(conn, self.backend, contacts).await
    }

    /// A connection of this store's pool, for [`Store::begin_on`].
    ///
    /// # Errors
    /// The database's error.
    pub async fn connection(&self) -> Result<Connection> {
        Ok(self.pool.acquire().await?)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A value from the `meta` table.
    ///
    /// # Errors
    /// The database's error.
    pub async fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.get::<String, _>(0)))
    }
}

/// Page cache for each pooled SQLite connection, in KiB: 2 MiB (8 MiB for the pool of
/// four). The server's whole budget is 150 MiB at a million people (issue 10), the contact
/// check answers from memory, and the OS page cache holds the file beyond this. The contact
/// writer's own connection keeps 8 MiB: the upper levels of the contact indexes it inserts
/// into every batch.
const POOL_CACHE_KIB: u32 = 2 * 1024;

/// A pool of SQLite connections, each set up for Tact.
///
/// The contact writer's own connection (`writer`) leaves checkpointing the WAL to others,
/// and keeps its statement journals in memory: the batch insert is one statement inside a
/// transaction, so SQLite journals the pages it changes in case the statement fails
/// halfway, and past 64 KiB that journal was a temporary file created, written and
/// unlinked for every batch (seen with strace; issue 10). It is at most the pages one
/// batch changes.
async fn sqlite_pool(url: &str, connections: u32, cache_kib: u32, writer: bool) -> Result<AnyPool> {
    Ok(AnyPoolOptions::new()
        .acquire_timeout(Duration::from_secs(30))
        .max_connections(connections)
        // A connection to a local file is not lost the way a network one is: no ping
        // (a round trip to the connection's thread) before every use.
        .test_before_acquire(false)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                // WAL lets readers run beside the writer; FULL makes each commit durable
                // before it returns; busy_timeout waits for the write lock instead of failing.
                conn.execute("PRAGMA journal_mode = WAL").await?;
                conn.execute("PRAGMA synchronous = FULL").await?;
                conn.execute("PRAGMA busy_timeout = 10000").await?;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                // A negative cache_size is in KiB.
                conn.execute(format!("PRAGMA cache_size = -{cache_kib}").as_str())
                    .await?;
                if writer {
                    conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
                    conn.execute("PRAGMA temp_store = MEMORY").await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await?)
}

/// A query on either backend, with its bound values.
pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// A row being read back, with the table it came from: a value that is missing or fails to
/// decode is an error naming the table and the column, never a default (0, "" or 1970).
pub(crate) struct Cols<'a> {
    row: &'a AnyRow,
    table: &'static str,
}

impl<'a> Cols<'a> {
    pub(crate) fn of(row: &'a AnyRow, table: &'static str) -> Self {
        Self { row, table }
    }

    fn bad(&self, col: &str, e: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt(format!("{}.{col}: {e}", self.table))
    }

    /// The column as `T`, or an error naming the table and the column.
    fn get<T>(&self, col: &str) -> Result<T>
    where
        T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
    {
        self.row.try_get::<T, _>(col).map_err(|e| self.bad(col, e))
    }

    pub(crate) fn i(&self, col: &str) -> Result<i64> {
        self.get(col)
    }

    pub(crate) fn oi(&self, col: &str) -> Result<Option<i64>> {
        self.get(col)
    }

    pub(crate) fn s(&self, col: &str) -> Result<String> {
        self.get(col)
    }

    pub(crate) fn os(&self, col: &str) -> Result<Option<String>> {
        self.get(col)
    }

    pub(crate) fn bytes(&self, col: &str) -> Result<Vec<u8>> {
        self.get(col)
    }

    /// A word of a closed set (a kind, a status, a channel): one that names nothing is an
    /// error naming the table and the column and listing the words, never a default.
    pub(crate) fn word<T: tact_core::words::Words>(&self, col: &str) -> Result<T> {
        let s = self.s(col)?;
        self.named(col, &s)
    }

    pub(crate) fn oword<T: tact_core::words::Words>(&self, col: &str) -> Result<Option<T>> {
        self.os(col)?.map(|s| self.named(col, &s)).transpose()
    }

    fn named<T: tact_core::words::Words>(&self, col: &str, s: &str) -> Result<T> {
        T::from_word(s)
            .ok_or_else(|| self.bad(col, format!("{s:?} is not one of {}", T::WORDS.join(", "))))
    }

    /// A time stored as microseconds since 1970.
    pub(crate) fn ts(&self, col: &str) -> Result<jiff::Timestamp> {
        let micros = self.i(col)?;
        jiff::Timestamp::from_microsecond(micros).map_err(|e| self.bad(col, e))
    }

    pub(crate) fn ots(&self, col: &str) -> Result<Option<jiff::Timestamp>> {
        self.oi(col)?
            .map(|m| jiff::Timestamp::from_microsecond(m).map_err(|e| self.bad(col, e)))
            .transpose()
    }

    /// A yes/no stored as 0 or 1; anything else is an error.
    pub(crate) fn flag(&self, col: &str) -> Result<bool> {
        match self.i(col)? {
            0 => Ok(false),
            1 => Ok(true),
            n => Err(self.bad(col, format!("expected 0 or 1, got {n}"))),
        }
    }

    pub(crate) fn oflag(&self, col: &str) -> Result<Option<bool>> {
        match self.oi(col)? {
            None => Ok(None),
            Some(0) => Ok(Some(false)),
            Some(1) => Ok(Some(true)),
            Some(n) => Err(self.bad(col, format!("expected 0 or 1, got {n}"))),
        }
    }

    /// A date stored as `YYYY-MM-DD`.
    pub(crate) fn date(&self, col: &str) -> Result<jiff::civil::Date> {
        let s = self.s(col)?;
        s.parse().map_err(|e| self.bad(col, format!("{s:?}: {e}")))
    }

    pub(crate) fn odate(&self, col: &str) -> Result<Option<jiff::civil::Date>> {
        self.os(col)?
            .map(|s| s.parse().map_err(|e| self.bad(col, format!("{s:?}: {e}"))))
            .transpose()
    }
}

#[cfg(test)]
mod migration_tests {
    use super::*;

    /// The shared schema said in PostgreSQL's words keeps the two backends' types apart
    /// where they must differ: a database-assigned key is a sequence, a key Tact assigns is
    /// not, every integer is 64-bit, and no SQLite-only type is left.
    #[test]
    fn a_shared_migration_is_said_in_postgresqls_words() {
        let init = MIGRATIONS[0].1.sql(Backend::Postgres);
        assert!(init.contains("CREATE TABLE staff (\n    id BIGSERIAL PRIMARY KEY,"));
        assert!(init.contains("    seq BIGINT NOT NULL PRIMARY KEY,"));
        assert!(init.contains("audit_head (id BIGINT NOT NULL PRIMARY KEY"));
        for (version, m) in MIGRATIONS {
            let pg = m.sql(Backend::Postgres);
            for word in ["INTEGER", "BLOB"] {
                assert!(!pg.contains(word), "migration {version} still says {word}");
            }
            let lite = m.sql(Backend::Sqlite);
            assert!(!lite.contains("BIGSERIAL") && !lite.contains("BYTEA"));
        }
    }
}

#[cfg(test)]
mod open_tests {
    /// A PostgreSQL server that refuses the connection is said so at once, with its reason,
    /// not after the pool's thirty seconds as "pool timed out".
    #[tokio::test]
    async fn a_database_that_refuses_the_connection_says_why() {
        // Nothing listens on port 1.
        let Err(e) = super::Store::open("postgres://tact@127.0.0.1:1/tact").await else {
            panic!("a database on port 1");
        };
        let said = e.to_string();
        assert!(said.contains("refused"), "{said}");
        assert!(!said.contains("timed out"), "{said}");
        assert!(e.is_unavailable(), "{said}");
    }
}
