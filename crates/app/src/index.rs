//! The contact-check index: every identifier in memory, and a full view of the few
//! people under a plan or with granted adjustments, so the front-line answer needs
//! no database round trip. Every write that changes what the check depends on
//! refreshes the person it touched.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use tact_core::check::PersonView;
use tact_core::ids::{PersonId, StaffId};
use tact_core::model::{AdjustmentStatus, Rule, ServiceUser, StrategyStatus};
use tact_store::{Store, StoreError};

#[derive(Debug, Clone)]
struct Lite {
    reference: Box<str>,
    name: Box<str>,
    help_recorded: bool,
    idents: Vec<Box<str>>,
}

/// Who holds an identifier, and whether as their advocate's: almost always one person,
/// kept without a heap allocation; a shared identifier (issue 10) holds them all.
#[derive(Debug, Clone)]
enum Holders {
    One(PersonId, bool),
    Many(Box<[(PersonId, bool)]>),
}

impl Holders {
    fn to_vec(&self) -> Vec<(PersonId, bool)> {
        match self {
            Self::One(p, a) => vec![(*p, *a)],
            Self::Many(m) => m.to_vec(),
        }
    }

    fn from_vec(mut v: Vec<(PersonId, bool)>) -> Option<Self> {
        match v.len() {
            0 => None,
            1 => Some(Self::One(v[0].0, v[0].1)),
            _ => {
                v.sort_by_key(|h| h.0);
                Some(Self::Many(v.into_boxed_slice()))
            }
        }
    }

    /// These holders with `person` added (as their own identifier if they hold it both ways).
    fn with(old: Option<&Self>, person: PersonId, advocate: bool) -> Self {
        let mut v = old.map(Self::to_vec).unwrap_or_default();
        match v.iter_mut().find(|h| h.0 == person) {
            Some(h) => h.1 &= advocate,
            None => v.push((person, advocate)),
        }
        Self::from_vec(v).expect("at least one holder")
    }

    /// These holders without `person`; `None` when nobody is left.
    fn without(&self, person: PersonId) -> Option<Self> {
        Self::from_vec(
            self.to_vec()
                .into_iter()
                .filter(|h| h.0 != person)
                .collect(),
        )
    }
}

/// Adds `person` as a holder of `ident`.
fn hold(map: &mut HashMap<Box<str>, Holders>, ident: Box<str>, person: PersonId, advocate: bool) {
    let next = Holders::with(map.get(&ident), person, advocate);
    map.insert(ident, next);
}

/// Removes `person` as a holder of `ident`.
fn release(map: &mut HashMap<Box<str>, Holders>, ident: &str, person: PersonId) {
    if let Some(h) = map.get(ident) {
        match h.without(person) {
            Some(rest) => {
                map.insert(ident.into(), rest);
            }
            None => {
                map.remove(ident);
            }
        }
    }
}

#[derive(Default)]
struct Inner {
    /// Identifier → everyone holding it.
    by_ident: HashMap<Box<str>, Holders>,
    people: HashMap<PersonId, Lite>,
    views: HashMap<PersonId, Arc<PersonView>>,
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
    let strategies: Vec<_> = store
        .strategies_of(person)
        .await?
        .into_iter()
        .filter(|s| {
            matches!(
                s.status,
                StrategyStatus::Active | StrategyStatus::Authorised
            )
        })
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
        strategies,
        adjustments,
        recent_calls: Vec::new(),
        staff_names: Vec::new(),
    };
    if view.counts_calls() {
        view.recent_calls = store
            .recent_calls(person, now - jiff::SignedDuration::from_hours(24 * 8))
            .await?;
    }
    let spocs: Vec<StaffId> = view
        .strategies
        .iter()
        .flat_map(|s| &s.restrictions)
        .filter_map(|r| match r.rule {
            Rule::SinglePointOfContact { staff_id } => Some(staff_id),
            _ => None,
        })
        .collect();
    for staff_id in spocs {
        if let Some(st) = store.staff(staff_id).await? {
            view.staff_names.push((staff_id, st.name));
        }
    }
    Ok(Some((p, view)))
}

/// Whether a view says more than a name: only then is it worth keeping whole.
fn needs_full_view(v: &PersonView) -> bool {
    !v.strategies.is_empty() || !v.adjustments.is_empty()
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
        let max = store.max_person_id().await?;
        let page = 50_000;
        let mut after = 0;
        while after < max {
            let rows = store.identifier_page(after, page).await?;
            let mut inner = self.inner.write().expect("index lock");
            for (id, reference, name, ident, advocate, help) in rows {
                let pid = PersonId(id);
                let lite = inner.people.entry(pid).or_insert_with(|| Lite {
                    reference: reference.into(),
                    name: name.into(),
                    help_recorded: help,
                    idents: Vec::new(),
                });
                if !ident.is_empty() {
                    lite.idents.push(ident.clone().into());
                    hold(&mut inner.by_ident, ident.into(), pid, advocate);
                }
            }
            after += page;
        }
        for person in store.people_needing_views().await? {
            self.refresh(store, person).await?;
        }
        Ok(())
    }

    /// Loads every identifier and every view from the store, ready to answer.
    ///
    /// # Errors
    /// The store's error.
    pub async fn load(store: &Store) -> Result<Self, StoreError> {
        let index = Self::empty();
        index.fill(store).await?;
        index.set_ready();
        Ok(index)
    }

    /// Reloads one person after a write that touched them.
    ///
    /// # Errors
    /// The store's error.
    pub async fn refresh(&self, store: &Store, person: PersonId) -> Result<(), StoreError> {
        let Some((p, view)) = load_view(store, person, jiff::Timestamp::now()).await? else {
            let mut inner = self.inner.write().expect("index lock");
            if let Some(old) = inner.people.remove(&person) {
                for i in old.idents {
                    release(&mut inner.by_ident, &i, person);
                }
            }
            inner.views.remove(&person);
            return Ok(());
        };
        let view = needs_full_view(&view).then(|| Arc::new(view));
        let mut own: Vec<Box<str>> = p.identifiers().map(|i| i.key().into()).collect();
        let advocate: Vec<Box<str>> = p
            .advocate
            .iter()
            .flat_map(|a| {
                a.phone
                    .iter()
                    .map(|x| x.as_str().into())
                    .chain(a.email.iter().map(|x| x.as_str().into()))
            })
            .collect::<Vec<Box<str>>>();
        let mut inner = self.inner.write().expect("index lock");
        if let Some(old) = inner.people.remove(&person) {
            for i in old.idents {
                release(&mut inner.by_ident, &i, person);
            }
        }
        for i in &own {
            hold(&mut inner.by_ident, i.clone(), person, false);
        }
        for i in &advocate {
            hold(&mut inner.by_ident, i.clone(), person, true);
        }
        own.extend(advocate);
        inner.people.insert(
            person,
            Lite {
                reference: p.reference.into(),
                name: p.name.into(),
                help_recorded: p.additional_help.is_some(),
                idents: own,
            },
        );
        match view {
            Some(v) => inner.views.insert(person, v),
            None => inner.views.remove(&person),
        };
        Ok(())
    }

    /// Everyone who uses `identifier`: nobody, one person, or — for a shared
    /// identifier — all of them.
    pub fn find(&self, identifier: &str) -> Vec<Found> {
        let inner = self.inner.read().expect("index lock");
        let Some(holders) = inner.by_ident.get(identifier) else {
            return Vec::new();
        };
        holders
            .to_vec()
            .into_iter()
            .filter_map(|(person, via_advocate)| {
                Some(Found {
                    view: self.view_locked(&inner, person)?,
                    via_advocate,
                })
            })
            .collect()
    }

    /// The view of one person, if known.
    pub fn view(&self, person: PersonId) -> Option<Arc<PersonView>> {
        let inner = self.inner.read().expect("index lock");
        self.view_locked(&inner, person)
    }

    fn view_locked(&self, inner: &Inner, person: PersonId) -> Option<Arc<PersonView>> {
        if let Some(v) = inner.views.get(&person) {
            return Some(v.clone());
        }
        let lite = inner.people.get(&person)?;
        Some(Arc::new(PersonView {
            id: Some(person),
            reference: lite.reference.to_string(),
            name: lite.name.to_string(),
            additional_help_recorded: lite.help_recorded,
            ..Default::default()
        }))
    }

    /// How many identifiers and full views are held.
    pub fn sizes(&self) -> (usize, usize, usize) {
        let inner = self.inner.read().expect("index lock");
        (inner.by_ident.len(), inner.people.len(), inner.views.len())
    }
}
