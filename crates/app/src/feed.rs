//! Following the change feed (issue 10): how this process's caches — the contact-check
//! index and the token cache — stay true to what any process has committed.
//!
//! Every write that changes a cached record puts a change on the feed in its own
//! transaction (`tact_store::Change`). [`App::sync`] applies the changes this process has
//! not yet seen, in order, under one lock; [`App::follow`] runs it whenever the store's
//! watcher says another connection wrote (PostgreSQL LISTEN/NOTIFY, SQLite
//! `PRAGMA data_version`) and at least every [`POLL`]. A process's own writes call
//! [`App::sync`] after they commit, so it reads its own writes at once.
//!
//! The bound: an answer from the caches is given only while the feed was read to its head
//! less than [`BOUND`] ago. Past that — the database lost, the follower behind — the
//! contact check and the token check ask the database instead, and `/readyz` says so.

use crate::{App, Result};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};
use tact_core::ids::{PersonId, StaffId};
use tact_core::roles::Actor;
use tact_store::{Change, FeedEntry};

/// How stale a cached answer may be: a change committed by any process is in every other
/// process's answers within this time, or they answer from the database.
pub const BOUND: Duration = Duration::from_secs(1);

/// The longest a follower waits without reading the feed, whatever the watcher says.
pub const POLL: Duration = Duration::from_millis(250);

/// The instant `Feed::synced_at` counts from.
static EPOCH: std::sync::LazyLock<Instant> = std::sync::LazyLock::new(Instant::now);

/// How long changes stay on the feed: a process that has not read it for this long (it was
/// stopped, or lost the database) finds a gap and reloads its caches from the store.
pub const KEEP_CHANGES: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);

/// How often each server prunes the feed (any may; deleting twice is harmless).
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// How many changes are read at a time.
const PAGE: i64 = 2_000;

/// Where this process stands on the change feed.
#[derive(Default)]
pub struct Feed {
    /// The sequence number of the last change applied.
    applied: AtomicI64,
    /// When the feed was last read to its head — every change committed before then is
    /// applied — in microseconds since [`EPOCH`], plus one (0: never). An atomic, not a
    /// lock: every contact check and token check reads it.
    synced_at: AtomicU64,
    /// One reader of the feed at a time, so changes are applied in order.
    lock: tokio::sync::Mutex<()>,
    /// Why the last read failed, if it did.
    fault: Mutex<Option<String>>,
}

/// How fresh an answer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Freshness {
    /// Whether the answer came from this process's index or straight from the database.
    pub source: Source,
    /// The last change on the feed this process has applied.
    pub change_seq: i64,
    /// How long ago the feed was last read to its head (`None`: never).
    pub synced_ms_ago: Option<u64>,
}

tact_core::words! {
    pub enum Source {
        Index = "index",
        Database = "database",
    }
}

/// What `/readyz` reports.
#[derive(Debug, Clone)]
pub struct Readiness {
    pub ready: bool,
    /// `ready`, `loading` (answering from the database meanwhile) or `off` (this process
    /// keeps no index and always asks the database).
    pub index: &'static str,
    pub change_seq: i64,
    pub synced_ms_ago: Option<u64>,
    /// Why the process is not ready, in words.
    pub problem: Option<String>,
}

impl Feed {
    /// A process that has seen everything up to `seq` (read just now).
    pub fn at(seq: i64) -> Self {
        let f = Self::default();
        f.applied.store(seq, Ordering::Release);
        f.mark_synced(Instant::now());
        f
    }

    pub fn applied(&self) -> i64 {
        self.applied.load(Ordering::Acquire)
    }

    /// How long since the feed was last read to its head.
    pub fn lag(&self) -> Option<Duration> {
        match self.synced_at.load(Ordering::Acquire) {
            0 => None,
            us => Some(
                EPOCH
                    .elapsed()
                    .saturating_sub(Duration::from_micros(us - 1)),
            ),
        }
    }

    /// Whether cached answers are within the bound.
    pub fn is_fresh(&self) -> bool {
        self.lag().is_some_and(|l| l < BOUND)
    }

    fn mark_synced(&self, at: Instant) {
        let us = u64::try_from(at.saturating_duration_since(*EPOCH).as_micros())
            .unwrap_or(u64::MAX - 1)
            + 1;
        self.synced_at.fetch_max(us, Ordering::AcqRel);
        let mut fault = self.fault.lock().expect("feed fault");
        if fault.is_some() {
            *fault = None;
        }
    }

    fn mark_fault(&self, why: String) {
        *self.fault.lock().expect("feed fault") = Some(why);
    }

    fn synced_ms_ago(&self) -> Option<u64> {
        self.lag()
            .map(|l| u64::try_from(l.as_millis()).unwrap_or(u64::MAX))
    }
}

/// API tokens already looked up, by the hash of the token. Kept true by the change feed:
/// a change to a member of staff forgets their tokens.
#[derive(Default)]
pub struct TokenCache {
    /// Each token's holder and when the token expires (an expired one is not answered).
    map: RwLock<HashMap<String, (Actor, jiff::Timestamp)>>,
    /// Bumped whenever a member of staff is forgotten, so a lookup that began before the
    /// change does not put back what the change removed.
    generation: AtomicU64,
}

impl TokenCache {
    fn get(&self, hash: &str, now: jiff::Timestamp) -> Option<Actor> {
        self.map
            .read()
            .expect("token cache")
            .get(hash)
            .filter(|(_, expires)| *expires > now)
            .map(|(a, _)| a.clone())
    }

    fn put(&self, hash: String, actor: Actor, expires: jiff::Timestamp, generation: u64) {
        let mut map = self.map.write().expect("token cache");
        if self.generation.load(Ordering::Acquire) == generation {
            map.insert(hash, (actor, expires));
        }
    }

    fn forget_staff(&self, staff: StaffId) {
        let mut map = self.map.write().expect("token cache");
        self.generation.fetch_add(1, Ordering::AcqRel);
        map.retain(|_, (a, _)| a.id != staff);
    }

    fn forget_all(&self) {
        let mut map = self.map.write().expect("token cache");
        self.generation.fetch_add(1, Ordering::AcqRel);
        map.clear();
    }
}

impl App {
    /// Applies every change on the feed this process has not yet seen: people to the
    /// contact-check index, staff to the token cache.
    ///
    /// # Errors
    /// The store's error; then the caches are left as they were and answers come from
    /// the database once the bound has passed.
    pub async fn sync(&self) -> Result<i64> {
        let _one = self.feed.lock.lock().await;
        let started = Instant::now();
        let r = self.sync_locked().await;
        match &r {
            Ok(_) => self.feed.mark_synced(started),
            Err(e) => self.feed.mark_fault(e.to_string()),
        }
        r
    }

    async fn sync_locked(&self) -> Result<i64> {
        loop {
            let after = self.feed.applied();
            let batch = self.store.changes_after(after, PAGE).await?;
            let Some(last) = batch.last().map(|e| e.seq) else {
                return Ok(after);
            };
            // Sequence numbers are contiguous (the head row gives them, and a rolled-back
            // write gives its numbers back), and pruning always keeps the newest change:
            // a gap means the changes this process missed were pruned.
            if batch[0].seq != after + 1 {
                tracing::warn!(
                    after,
                    next = batch[0].seq,
                    "the change feed was pruned past this process; reloading"
                );
                self.reload_locked().await?;
                continue;
            }
            self.apply(batch).await?;
            self.feed.applied.store(last, Ordering::Release);
        }
    }

    /// Starts over from the whole store: forgets every token and refills the index (the
    /// contact check asks the database meanwhile).
    async fn reload_locked(&self) -> Result<()> {
        let seq = self.store.change_seq().await?;
        self.tokens.forget_all();
        if self.index.is_ready() {
            self.index.clear();
            self.index.fill(&self.store).await?;
            self.index.set_ready();
        }
        // Changes made during the fill are applied by the next read of the feed.
        self.feed.applied.store(seq, Ordering::Release);
        Ok(())
    }

    async fn apply(&self, entries: Vec<FeedEntry>) -> Result<()> {
        let mut people: Vec<(PersonId, Vec<String>)> = Vec::new();
        for e in entries {
            match e.change {
                Change::Staff(s) => {
                    self.tokens.forget_staff(s);
                    // Whoever a plan names as their single point of contact is read again
                    // with them: their name, and whether they still work here (CLE-9.9).
                    for p in self.index.naming(s) {
                        if !people.iter().any(|(q, _)| *q == p) {
                            people.push((p, Vec::new()));
                        }
                    }
                }
                Change::Person(p) => match people.iter_mut().find(|(q, _)| *q == p) {
                    Some((_, removed)) => removed.extend(e.removed),
                    None => people.push((p, e.removed)),
                },
            }
        }
        if self.index.is_ready() {
            for (p, removed) in people {
                self.index.refresh(&self.store, p, &removed).await?;
            }
        }
        Ok(())
    }

    /// Fills the index from the store, catches up with the changes made while it filled,
    /// and marks it ready. Until then the contact check answers from the database.
    ///
    /// # Errors
    /// The store's error.
    pub async fn load_index(&self) -> Result<()> {
        let from = self.store.change_seq().await?;
        self.index.fill(&self.store).await?;
        let _one = self.feed.lock.lock().await;
        let mut after = from;
        loop {
            let batch = self.store.changes_after(after, PAGE).await?;
            let Some(last) = batch.last().map(|e| e.seq) else {
                break;
            };
            for e in batch {
                match e.change {
                    Change::Person(p) => self.index.refresh(&self.store, p, &e.removed).await?,
                    Change::Staff(s) => {
                        for p in self.index.naming(s) {
                            self.index.refresh(&self.store, p, &[]).await?;
                        }
                    }
                }
            }
            after = last;
        }
        self.index.set_ready();
        let applied = self.feed.applied().max(after);
        self.feed.applied.store(applied, Ordering::Release);
        Ok(())
    }

    /// Follows the change feed until the process ends: waits for the watcher (or
    /// [`POLL`]), then applies what is new. A lost database is reported and retried;
    /// answers come from the database meanwhile.
    pub async fn follow(self) {
        let mut watcher = None;
        let mut pruned: Option<Instant> = None;
        loop {
            if pruned.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
                pruned = Some(Instant::now());
                let before = self.now() - KEEP_CHANGES;
                if let Err(e) = self.store.prune_changes(before).await {
                    tracing::warn!(error = %e, "cannot prune the change feed");
                }
            }
            if watcher.is_none() {
                match self.store.watch().await {
                    Ok(w) => watcher = Some(w),
                    Err(e) => {
                        self.feed
                            .mark_fault(format!("cannot watch the database: {e}"));
                        tokio::time::sleep(POLL).await;
                        continue;
                    }
                }
            }
            if let Err(e) = self.sync().await {
                tracing::warn!(error = %e, "cannot read the change feed");
            }
            let w = watcher.as_mut().expect("watcher");
            if let Err(e) = w.wait(POLL).await {
                tracing::warn!(error = %e, "lost the database watcher; reconnecting");
                self.feed
                    .mark_fault(format!("lost the database watcher: {e}"));
                watcher = None;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }

    /// How fresh this process's answers are now, and where they come from.
    pub fn freshness(&self, source: Source) -> Freshness {
        Freshness {
            source,
            change_seq: self.feed.applied(),
            synced_ms_ago: self.feed.synced_ms_ago(),
        }
    }

    /// Whether the contact check may answer from the index: it is filled and the feed was
    /// read within the bound.
    pub fn index_is_current(&self) -> bool {
        self.index.is_ready() && self.feed.is_fresh()
    }

    /// What `/readyz` says: ready while the database answers and the feed is within the
    /// bound (or this process answers everything from the database).
    pub async fn readiness(&self) -> Readiness {
        let index = if !self.keeps_index {
            "off"
        } else if self.index.is_ready() {
            "ready"
        } else {
            "loading"
        };
        let db = self.store.change_seq().await;
        let schema =
            match &db {
                Ok(_) => self.store.schema_problem().await.unwrap_or_else(|e| {
                    Some(format!("the database does not say its migrations: {e}"))
                }),
                Err(_) => None,
            };
        let problem = match db {
            Err(e) => Some(format!("the database does not answer: {e}")),
            Ok(_) if schema.is_some() => schema,
            Ok(_) if self.keeps_index && !self.feed.is_fresh() => Some(
                self.feed
                    .fault
                    .lock()
                    .expect("feed fault")
                    .clone()
                    .unwrap_or_else(|| {
                        format!(
                            "the change feed was last read {} ago, more than {} ms",
                            self.feed
                                .lag()
                                .map_or("never".into(), |l| format!("{} ms", l.as_millis())),
                            BOUND.as_millis()
                        )
                    }),
            ),
            Ok(_) => None,
        };
        Readiness {
            ready: problem.is_none(),
            index,
            change_seq: self.feed.applied(),
            synced_ms_ago: self.feed.synced_ms_ago(),
            problem,
        }
    }

    /// The member of staff an API token belongs to. From the cache while the feed is
    /// within the bound; from the database otherwise.
    ///
    /// # Errors
    /// The store's error.
    pub async fn actor_for_token(&self, token: &str) -> Result<Option<Actor>> {
        let hash = crate::token_hash(token);
        let current = self.feed.is_fresh();
        let now = self.now();
        if current {
            if let Some(a) = self.tokens.get(&hash, now) {
                return Ok(Some(a));
            }
        }
        let generation = self.tokens.generation.load(Ordering::Acquire);
        let found = self.store.staff_by_token_hash(&hash, now).await?;
        if let (Some((s, expires)), true) = (&found, current) {
            self.tokens
                .put(hash, Actor::from(s.clone()), *expires, generation);
        }
        Ok(found.map(|(s, _)| Actor::from(s)))
    }

    /// After a write of this process commits: apply it (and anything else new) at once,
    /// so this process reads its own writes. A failure is not the write's failure — it
    /// committed — and the follower retries.
    pub(crate) async fn after_write(&self) {
        if let Err(e) = self.sync().await {
            tracing::warn!(error = %e, "cannot read the change feed after a write");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Clock, Ctx, PersonInput};
    use tact_core::command as cmd;
    use tact_core::identity::EmailAddress;
    use tact_core::profile::Profile;
    use tact_core::roles::Role;
    use tact_store::{testing, Store};

    /// Issue 10: a process whose unread changes were pruned finds a gap on the feed,
    /// reloads its index from the store, and then answers right — it never takes the
    /// pruned feed for "nothing changed".
    #[tokio::test]
    async fn a_follower_behind_a_pruned_feed_reloads_and_answers_right() {
        for (name, url) in testing::fresh_urls().await {
            let store = Store::open(&url).await.unwrap();
            store.migrate().await.unwrap();
            let profile = Profile::built_in("cleveland-opcc").unwrap();
            let writer = App::new(store.clone(), profile.clone(), Clock::default())
                .await
                .unwrap();
            // A server that has loaded its index but reads no further (its follower is
            // not started): it falls behind everything written from here on.
            let behind = App::open(store.clone(), profile, Clock::default(), true)
                .await
                .unwrap();
            behind.load_index().await.unwrap();
            let cw = writer
                .create_staff(None, "Cas Worker", Role::Caseworker, None, None)
                .await
                .unwrap();
            let ctx = Ctx::new(Actor::from(cw));
            let mut added = Vec::new();
            for i in 0..3 {
                let p = writer
                    .execute(
                        &ctx,
                        cmd::CreatePerson {
                            input: PersonInput {
                                name: format!("Pruned Person {i}"),
                                emails: vec![EmailAddress::parse(&format!(
                                    "pruned{i}@example.org"
                                ))
                                .unwrap()],
                                ..Default::default()
                            },
                        },
                    )
                    .await
                    .unwrap();
                added.push(p.id);
            }
            let head = store.change_seq().await.unwrap();
            let future = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1);
            assert!(store.prune_changes(future).await.unwrap() > 0, "{name}");
            let first = store.changes_after(0, 10).await.unwrap()[0].seq;
            assert!(
                first > behind.feed.applied() + 1,
                "{name}: no gap to find ({first} after {})",
                behind.feed.applied()
            );
            assert_eq!(behind.sync().await.unwrap(), head, "{name}");
            assert!(behind.index.is_ready(), "{name}: the index was refilled");
            for (i, id) in added.iter().enumerate() {
                let found = behind.index.find(&format!("pruned{i}@example.org"));
                assert_eq!(found.len(), 1, "{name}: person {i}");
                assert_eq!(found[0].view.id, Some(*id), "{name}: person {i}");
            }
        }
    }
}
