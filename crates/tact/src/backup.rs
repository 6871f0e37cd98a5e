//! `tact backup` and `tact restore` (issue 5): a consistent copy while Tact is serving, and
//! bringing one back. SQLite is copied by the store itself (`VACUUM INTO`); PostgreSQL by
//! `pg_dump` / `pg_restore` in their custom format. A backup is checked as soon as it is
//! made, and again before it is restored: it must open as a Tact database and its event
//! log's chain must be whole.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use tact_store::Store;

/// The file a `sqlite://` URL names.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://")?;
    Some(PathBuf::from(rest.split('?').next().unwrap_or(rest)))
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// What a backup holds, checked.
pub struct Checked {
    pub people: i64,
    pub events: u64,
}

/// Opens a SQLite backup read-only and checks it: a Tact database with a whole chain.
async fn check_sqlite(file: &Path) -> Result<Checked> {
    let mut head = [0u8; 16];
    let is_sqlite = std::fs::File::open(file)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok()
        && &head == b"SQLite format 3\0";
    if !is_sqlite {
        bail!("{} is not a SQLite database", file.display());
    }
    let url = format!("sqlite://{}?mode=rw", file.display());
    let store = Store::open(&url)
        .await
        .with_context(|| format!("{} is not a database Tact can open", file.display()))?;
    let events = store
        .verify_audit()
        .await
        .with_context(|| format!("{} is not a Tact database", file.display()))?
        .map_err(|b| anyhow::anyhow!("{}: the event log is broken: {b}", file.display()))?;
    let people = store.count(tact_store::Table::People).await?;
    store.close().await;
    Ok(Checked { people, events })
}

/// Runs one of PostgreSQL's client programs (`name`), failing with what it said if it
/// fails (and `after`, what that leaves).
fn run(mut c: std::process::Command, name: &str, after: &str) -> Result<()> {
    let status = c
        .status()
        .with_context(|| format!("running {name} (install the PostgreSQL client)"))?;
    if !status.success() {
        bail!("{name} failed ({status}){after}");
    }
    Ok(())
}

/// Makes a backup of the database at `url` in `out`.
///
/// # Errors
/// `out` exists already, or its folder does not; the copy fails; the copy does not check
/// out.
pub async fn backup(store: &Store, url: &str, out: &Path) -> Result<Checked> {
    // Never over a file that is there, nor into a folder that is not (as every file the
    // console saves).
    crate::new_file(out.to_path_buf())?;
    if is_postgres(url) {
        let mut dump = std::process::Command::new("pg_dump");
        dump.args(["--format=custom", "--no-owner", "--file"])
            .arg(out)
            .arg(url);
        run(dump, "pg_dump", "")?;
        return Ok(Checked {
            people: store.count(tact_store::Table::People).await?,
            events: 0,
        });
    }
    store.backup_to(out).await?;
    check_sqlite(out).await
}

/// Brings back the backup `from` in place of the database at `url`. Stop Tact first.
///
/// # Errors
/// No such backup, or one that does not check out; a database in place without `force`.
pub async fn restore(url: &str, from: &Path, force: bool) -> Result<Checked> {
    if !from.exists() {
        bail!("no backup at {}", from.display());
    }
    if is_postgres(url) {
        if !force {
            bail!("restoring replaces every table in the database: add --force to go ahead");
        }
        let mut restore = std::process::Command::new("pg_restore");
        restore
            .args([
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
            ])
            .arg(url)
            .arg(from);
        run(restore, "pg_restore", "; the database is as it was")?;
        return Ok(Checked {
            people: 0,
            events: 0,
        });
    }
    let checked = check_sqlite(from).await?;
    let Some(target) = sqlite_path(url) else {
        bail!("cannot tell which file the database URL names");
    };
    if target.exists() && !force {
        bail!(
            "{} holds a database: restoring replaces it; add --force to go ahead (stop Tact first)",
            target.display()
        );
    }
    // Copy beside it, then move into place in one step, so a failure half-way leaves the
    // database as it was.
    let staging = target.with_extension("db.restoring");
    std::fs::copy(from, &staging)
        .with_context(|| format!("copying {} to {}", from.display(), staging.display()))?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", target.display()));
        if side.exists() {
            std::fs::remove_file(&side).with_context(|| format!("removing {}", side.display()))?;
        }
    }
    std::fs::rename(&staging, &target)
        .with_context(|| format!("moving {} into place", staging.display()))?;
    Ok(checked)
}
