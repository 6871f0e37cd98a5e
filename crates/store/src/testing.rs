//! Fresh databases for tests: a new SQLite file, and — when `TACT_TEST_POSTGRES_URL` is
//! set — a new PostgreSQL database on that server, so tests never share state.

use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique() -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{}_{}_{}", std::process::id(), t % 1_000_000_000, n)
}

/// A path for a new folder in the system's temporary folder, named for the test and not
/// yet created, so a test starts from nothing.
pub fn folder(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("tact-{name}-{}", unique()))
}

/// A URL for a new, empty SQLite database in the system's temporary folder.
pub fn sqlite_url() -> String {
    let dir = std::env::temp_dir().join(format!("tact-test-{}", unique()));
    std::fs::create_dir_all(&dir).expect("create temporary folder");
    format!("sqlite://{}?mode=rwc", dir.join("tact.db").display())
}

/// Runs SQL straight on the database, in its own transaction and behind Tact's back: for a
/// test that sets up what no door allows (an address added by hand, an event tampered
/// with). Answers how many rows it changed.
///
/// # Panics
/// When the SQL fails: the test's own set-up is wrong.
pub async fn raw(store: &crate::Store, sql: &str) -> u64 {
    let mut tx = store.begin().await.expect("begin a transaction");
    let n = tx.execute_raw(sql).await.expect("run the test's SQL");
    tx.commit().await.expect("commit the test's SQL");
    n
}

/// The PostgreSQL server tests may use, if any.
pub fn postgres_base() -> Option<String> {
    std::env::var("TACT_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Creates a new database on the test PostgreSQL server and returns its URL.
///
/// # Panics
/// When the server cannot be reached: a test that asked for PostgreSQL must not pass without it.
pub async fn postgres_url(base: &str) -> String {
    use sqlx::Connection;
    let name = format!("tact_t_{}", unique());
    let mut conn = sqlx::PgConnection::connect(base)
        .await
        .expect("connect to TACT_TEST_POSTGRES_URL");
    sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create test database");
    let (prefix, _) = base
        .rsplit_once('/')
        .expect("a postgres URL has a database path");
    let query = base
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    format!("{prefix}/{name}{query}")
}

/// The URLs of a fresh database on every backend under test.
pub async fn fresh_urls() -> Vec<(&'static str, String)> {
    let mut out = vec![("sqlite", sqlite_url())];
    if let Some(base) = postgres_base() {
        out.push(("postgres", postgres_url(&base).await));
    }
    out
}

/// Forgets that the newest migration was applied, as a database one release behind would
/// be (for a test of readiness).
///
/// # Errors
/// The database's error.
pub async fn forget_newest_migration(store: &crate::Store) -> crate::Result<()> {
    sqlx::query(
        "DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)",
    )
    .execute(store.pool())
    .await?;
    Ok(())
}
