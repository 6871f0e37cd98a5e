//! The contact-check index: every identifier in memory, and a full view of the few
//! people under a plan or with granted adjustments, so the front-line answer needs no
//! database round trip. It is a cache of the database, kept true by the change feed
//! (`feed.rs`).
//!
//! Compact, for a million people in a small server (issue 10): an identifier is a 64-bit
//! key — a phone number's E.164 digits as a number, an email address's 64-bit hash with the
//! top bit set — and the identifiers loaded at start are one array sorted by key with the
//! holder beside each (12 bytes an identifier, several holders of a shared identifier as
//! several entries). What changes afterwards sits in a small overlay (added holders, and
//! holders taken away). A person is 8 bytes: where their name is in one string arena, and
//! two flags; their reference is derived from their id (`SU-000123`, as the store makes
//! it). Identifiers a write takes away come with its change on the feed, so the index
//! keeps no list of each person's identifiers.
//!
//! Two email addresses whose hashes collide would be taken for one: with 64-bit keys the
//! chance among a million addresses is about one in twenty million.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use tact_core::check::PersonView;
use tact_core::ids::{PersonId, StaffId};
use tact_core::model::{AdjustmentStatus, PlanStatus, Rule, ServiceUser};
use tact_store::{Store, StoreError};

/// The top bit marks an email address's key; a phone number's is its digits.
const EMAIL_BIT: u64 = 1 << 63;
/// A holder is a person id in 31 bits and whether the identifier is their advocate's.
const ADVOCATE_BIT: u32 = 1 << 31;

/// The 64-bit key of an identifier as `Identifier::key` writes it.
pub fn key_of(identifier: &str) -> u64 {
    if let Some(digits) = identifier.strip_prefix('+') {
        if let Ok(n) = digits.parse::<u64>() {
            if n < EMAIL_BIT {
                return n;
            }
        }
    }
    // SipHash with fixed keys: the same in every process of one build.
    #[allow(deprecated)]
    let mut h = std::hash::SipHasher::new_with_keys(0x7461_6374_2d69_6478, 0x6964_656e_7469_6679);
    identifier.hash(&mut h);
    h.finish() | EMAIL_BIT
}

fn holder(person: PersonId, advocate: bool) -> u32 {
    let id = u32::try_from(person.0).unwrap_or(u32::MAX >> 1) & !ADVOCATE_BIT;
    if advocate {
        id | ADVOCATE_BIT
    } else {
        id
    }
}

fn unholder(h: u32) -> (PersonId, bool) {
    (
        PersonId(i64::from(h & !ADVOCATE_BIT)),
        h & ADVOCATE_BIT != 0,
    )
}

/// One person: where their name is in the arena, and flags.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    name_at: u32,
    name_len: u16,
    flags: u16,
}

const PRESENT: u16 = 1;
const HELP_RECORDED: u16 = 2;

/// One identifier loaded at start and its holder: 12 bytes, packed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(C, packed(4))]
struct Entry {
    key: u64,
    holder: u32,
}

#[derive(Default)]
struct Inner {
    /// Identifiers loaded at start, sorted by key, each with its holder.
    entries: Vec<Entry>,
    /// Holders added since.
    added: HashMap<u64, Vec<u32>>,
    /// Holders in `keys` taken away since.
    gone: HashSet<(u64, u32)>,
    /// People by id.
    people: Vec<Slot>,
    names: String,
    views: HashMap<PersonId, Arc<PersonView>>,
}

impl Inner {
    /// The entries loaded at start for `key`.
    fn base(&self, key: u64) -> impl Iterator<Item = u32> + '_ {
        let from = self.entries.partition_point(|e| ({ e.key }) < key);
        self.entries[from..]
            .iter()
            .take_while(move |e| ({ e.key }) == key)
            .map(|e| e.holder)
    }

    fn holders_of(&self, key: u64) -> Vec<u32> {
        let mut out: Vec<u32> = self
            .base(key)
            .filter(|h| self.gone.is_empty() || !self.gone.contains(&(key, *h)))
            .collect();
        if let Some(more) = self.added.get(&key) {
            for h in more {
                if !out.contains(h) {
                    out.push(*h);
                }
            }
        }
        out
    }

    fn in_base(&self, key: u64, h: u32) -> bool {
        self.base(key).any(|x| x == h)
    }

    fn hold(&mut self, key: u64, h: u32) {
        if self.gone.remove(&(key, h)) || self.in_base(key, h) {
            return;
        }
        let list = self.added.entry(key).or_default();
        if !list.contains(&h) {
            list.push(h);
        }
    }

    fn release(&mut self, key: u64, h: u32) {
        if let Some(list) = self.added.get_mut(&key) {
            list.retain(|x| *x != h);
            if list.is_empty() {
                self.added.remove(&key);
            }
        }
        if self.in_base(key, h) {
            self.gone.insert((key, h));
        }
    }

    fn set_person(&mut self, person: PersonId, name: &str, help_recorded: bool) {
        let Ok(i) = usize::try_from(person.0) else {
            return;
        };
        if self.people.len() <= i {
            self.people.resize(i + 1, Slot::default());
        }
        let slot = &mut self.people[i];
        let same = slot.flags & PRESENT != 0
            && self
                .names
                .get(slot.name_at as usize..slot.name_at as usize + slot.name_len as usize)
                == Some(name);
        if !same {
            let name = truncate(name, usize::from(u16::MAX));
            slot.name_at = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
            slot.name_len = u16::try_from(name.len()).unwrap_or(u16::MAX);
            self.names.push_str(name);
        }
        slot.flags = PRESENT | if help_recorded { HELP_RECORDED } else { 0 };
    }

    fn person(&self, person: PersonId) -> Option<(&str, bool)> {
        let slot = self.people.get(usize::try_from(person.0).ok()?)?;
        if slot.flags & PRESENT == 0 {
            return None;
        }
        let at = slot.name_at as usize;
        let name = self.names.get(at..at + slot.name_len as usize)?;
        Some((name, slot.flags & HELP_RECORDED != 0))
    }
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// What the index knows about whoever uses an identifier.
pub struct Found {
    pub view: Arc<PersonView>,
    pub via_advocate: bool,
}

#[derive(Default)]
pub struct ContactIndex {
    inner: RwLock<Inner>,
    ready: AtomicBool,
}

/// Everything the contact check needs about one person, read from the store: their
/// record and a full view (plans in force, granted adjustments, recent calls where a
/// limit counts them, the names of single points of contact). `None` when there is no
/// such person.
///
/// # Errors
/// The store's error.
pub async fn load_view(
    store: &Store,
    person: PersonId,
    now: jiff::Timestamp,
) -> Result<Option<(ServiceUser, PersonView)>, StoreError> {
    let Some(p) = store.person(person).await? else {
        return Ok(None);
    };
    let plans: Vec<_> = store
        .plans_of(person)
        .await?
        .into_iter()
        .filter(|s| matches!(s.status, PlanStatus::Active | PlanStatus::Authorised))
        .collect();
    let adjustments: Vec<_> = store
        .adjustments_of(person)
        .await?
        .into_iter()
        .filter(|a| a.status == AdjustmentStatus::Granted)
        .collect();
    let mut view = PersonView {
        id: Some(person),
        reference: p.reference.clone(),
        name: p.name.clone(),
        advocate_name: p.advocate.as_ref().map(|a| a.name.clone()),
        additional_help_recorded: p.additional_help.is_some(),
        preferred_format: Some(p.preferred_format),
        preferred_language: p.preferred_language.clone(),
        plans,
        adjustments,
        recent_calls: Vec::new(),
        staff_names: Vec::new(),
        left: Vec::new(),
    };
    if view.counts_calls() {
        view.recent_calls = store
            .recent_calls(person, now - jiff::SignedDuration::from_hours(24 * 8))
            .await?;
    }
    let spocs: Vec<StaffId> = view
        .plans
        .iter()
        .flat_map(|s| &s.restrictions)
        .filter_map(|r| match r.rule {
            Rule::SinglePointOfContact { staff_id } => Some(staff_id),
            _ => None,
        })
        .collect();
    for staff_id in spocs {
        if let Some(st) = store.staff(staff_id).await? {
            if !st.active {
                view.left.push(staff_id);
            }
            view.staff_names.push((staff_id, st.name));
        }
    }
    Ok(Some((p, view)))
}

/// Whether a view says more than a name: only then is it worth keeping whole.
fn needs_full_view(v: &PersonView) -> bool {
    !v.plans.is_empty() || !v.adjustments.is_empty()
}

impl ContactIndex {
    /// An index that holds nothing yet and is not ready: until [`ContactIndex::fill`]
    /// ends, the contact check asks the database.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Whether the index has been filled and can answer.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Marks the index as able to answer (after [`ContactIndex::fill`] and catching up
    /// with the change feed).
    pub fn set_ready(&self) {
        self.ready.store(true, Ordering::Release);
    }

    /// Forgets everything and is not ready until filled again.
    pub fn clear(&self) {
        self.ready.store(false, Ordering::Release);
        *self.inner.write().expect("index lock") = Inner::default();
    }

    /// Loads every identifier and every view from the store.
    ///
    /// # Errors
    /// The store's error.
    pub async fn fill(&self, store: &Store) -> Result<(), StoreError> {
        // Read on a connection of its own, closed afterwards, so the whole-table reads do
        // not leave the pool's page caches full.
        let own = store.single().await?;
        let r = self.fill_from(&own).await;
        // On PostgreSQL `single` is the store itself, which must stay open.
        if store.backend() == tact_store::Backend::Sqlite {
            own.close().await;
        }
        r?;
        for person in store.people_needing_views().await? {
            self.refresh(store, person, &[]).await?;
        }
        Ok(())
    }

    async fn fill_from(&self, store: &Store) -> Result<(), StoreError> {
        let max = store.max_person_id().await?;
        // Pages small enough that no read takes long beside the server's other work.
        let page = 20_000;
        let mut after = 0;
        let mut pairs: Vec<Entry> =
            Vec::with_capacity(usize::try_from(store.identifier_count().await?).unwrap_or(0));
        let mut people: Vec<Slot> = Vec::with_capacity(usize::try_from(max + 1).unwrap_or(0));
        let mut names = String::new();
        while after < max {
            let rows = store.identifier_page(after, page).await?;
            let mut last = None;
            for (id, _reference, name, ident, advocate, help) in rows {
                let pid = PersonId(id);
                if last != Some(id) {
                    last = Some(id);
                    let i = usize::try_from(id).unwrap_or(0);
                    if people.len() <= i {
                        people.resize(i + 1, Slot::default());
                    }
                    let name = truncate(&name, usize::from(u16::MAX));
                    people[i] = Slot {
                        name_at: u32::try_from(names.len()).unwrap_or(u32::MAX),
                        name_len: u16::try_from(name.len()).unwrap_or(u16::MAX),
                        flags: PRESENT | if help { HELP_RECORDED } else { 0 },
                    };
                    names.push_str(name);
                }
                if !ident.is_empty() {
                    pairs.push(Entry {
                        key: key_of(&ident),
                        holder: holder(pid, advocate),
                    });
                }
            }
            after += page;
        }
        pairs.sort_unstable();
        pairs.dedup();
        pairs.shrink_to_fit();
        names.shrink_to_fit();
        let mut inner = self.inner.write().expect("index lock");
        inner.entries = pairs;
        inner.people = people;
        inner.names = names;
        Ok(())
    }

    /// Reloads one person after a write that touched them; `removed` are the identifiers
    /// the write took away from them (from the change feed).
    ///
    /// # Errors
    /// The store's error.
    pub async fn refresh(
        &self,
        store: &Store,
        person: PersonId,
        removed: &[String],
    ) -> Result<(), StoreError> {
        let loaded = load_view(store, person, jiff::Timestamp::now()).await?;
        let mut inner = self.inner.write().expect("index lock");
        for r in removed {
            let k = key_of(r);
            inner.release(k, holder(person, false));
            inner.release(k, holder(person, true));
        }
        let Some((p, view)) = loaded else {
            if let Some(slot) = usize::try_from(person.0)
                .ok()
                .and_then(|i| inner.people.get_mut(i))
            {
                slot.flags = 0;
            }
            inner.views.remove(&person);
            return Ok(());
        };
        for h in p.holdings() {
            inner.hold(key_of(&h.key), holder(person, h.held.is_advocate()));
        }
        inner.set_person(person, &p.name, p.additional_help.is_some());
        if needs_full_view(&view) {
            inner.views.insert(person, Arc::new(view));
        } else {
            inner.views.remove(&person);
        }
        Ok(())
    }

    /// Everyone who uses `identifier`: nobody, one person, or — for a shared
    /// identifier — all of them.
    pub fn find(&self, identifier: &str) -> Vec<Found> {
        let inner = self.inner.read().expect("index lock");
        let mut seen: Vec<PersonId> = Vec::new();
        let mut out = Vec::new();
        for h in inner.holders_of(key_of(identifier)) {
            let (person, via_advocate) = unholder(h);
            if seen.contains(&person) {
                continue;
            }
            seen.push(person);
            if let Some(view) = Self::view_locked(&inner, person) {
                out.push(Found { view, via_advocate });
            }
        }
        out.sort_by_key(|f| (f.via_advocate, f.view.id));
        out
    }

    /// The view of one person, if known.
    pub fn view(&self, person: PersonId) -> Option<Arc<PersonView>> {
        let inner = self.inner.read().expect("index lock");
        Self::view_locked(&inner, person)
    }

    fn view_locked(inner: &Inner, person: PersonId) -> Option<Arc<PersonView>> {
        if let Some(v) = inner.views.get(&person) {
            return Some(v.clone());
        }
        let (name, help) = inner.person(person)?;
        Some(Arc::new(PersonView {
            id: Some(person),
            reference: person.reference(),
            name: name.to_string(),
            additional_help_recorded: help,
            ..Default::default()
        }))
    }

    /// The people whose views name `staff` as a single point of contact: a change to that
    /// member of staff (a new name, or leaving) changes what the check says about them.
    pub fn naming(&self, staff: tact_core::ids::StaffId) -> Vec<PersonId> {
        let inner = self.inner.read().expect("index lock");
        inner
            .views
            .iter()
            .filter(|(_, v)| v.staff_names.iter().any(|(s, _)| *s == staff))
            .map(|(p, _)| *p)
            .collect()
    }

    /// How many identifiers, people and full views are held.
    pub fn sizes(&self) -> (usize, usize, usize) {
        let inner = self.inner.read().expect("index lock");
        let people = inner
            .people
            .iter()
            .filter(|s| s.flags & PRESENT != 0)
            .count();
        (
            inner.entries.len() + inner.added.values().map(Vec::len).sum::<usize>()
                - inner.gone.len(),
            people,
            inner.views.len(),
        )
    }
}
