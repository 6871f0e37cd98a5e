//! Records as CSV for the office's own reporting (issue 14): people, matters, contacts,
//! plans or incidents, for the roles the profile's `export_records` names (checked by
//! [`crate::App::query`] before anything is read). Every person whose records are in a
//! download is on the access log, as if each record had been opened.

use crate::{App, Result};
use std::collections::{BTreeSet, HashMap};
use tact_core::ids::PersonId;
use tact_core::roles::Actor;
use tact_store::ExportPage;

tact_core::words! {
    /// What to export.
    pub enum ExportKind for "kind" {
        People = "people",
        Matters = "matters",
        Contacts = "contacts",
        Plans = "plans",
        Incidents = "incidents",
    }
}

impl ExportKind {
    /// The kind a path names (`/export/people`, `/governance/export/people.csv`): a path
    /// that names none of them is a record that is not there — a 404 naming `kind` and
    /// listing the kinds — at every door that takes it from a path.
    ///
    /// # Errors
    /// A not-found refusal naming `kind`.
    pub fn named(s: &str) -> std::result::Result<Self, tact_core::RuleError> {
        Self::parse(s).map_err(|e| tact_core::RuleError::not_found("kind", e.message))
    }

    /// The name it downloads as: `people.csv`.
    pub fn file_name(self) -> String {
        format!("{}.csv", self.as_str())
    }

    fn headers(self) -> &'static [&'static str] {
        match self {
            Self::People => &[
                "reference",
                "name",
                "phones",
                "emails",
                "postal_address",
                "preferred_format",
                "created_on",
            ],
            Self::Matters => &[
                "reference",
                "person",
                "kind",
                "title",
                "status",
                "finalised_on",
                "opened_on",
            ],
            Self::Contacts => &[
                "id",
                "person",
                "matter",
                "channel",
                "direction",
                "at",
                "summary",
                "breach",
                "minutes",
            ],
            Self::Plans => &[
                "id",
                "person",
                "status",
                "restrictions",
                "reasons",
                "in_force_from",
                "review_due",
                "ends_on",
                "lifted_on",
            ],
            Self::Incidents => &[
                "id",
                "person",
                "matter",
                "category",
                "occurred_at",
                "description",
                "call_ended",
            ],
        }
    }
}

const PAGE: i64 = 5_000;

impl App {
    /// Every record of `kind` as CSV (UTF-8, a heading row), each person included put on
    /// the access log once.
    ///
    /// # Errors
    /// The store's error.
    pub(crate) async fn export_csv(&self, actor: &Actor, kind: ExportKind) -> Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let csv_err = |e: csv::Error| {
            crate::AppError::Store(tact_store::StoreError::Corrupt(format!("writing CSV: {e}")))
        };
        w.write_record(kind.headers()).map_err(csv_err)?;
        let mut after = 0;
        let mut people: BTreeSet<PersonId> = BTreeSet::new();
        let mut references: HashMap<i64, String> = HashMap::new();
        let matters: HashMap<i64, String> = if kind == ExportKind::People {
            HashMap::new()
        } else {
            self.all_matter_references().await?
        };
        loop {
            let page = self.store.export_page(kind.as_str(), after, PAGE).await?;
            let mut rows: Vec<(i64, Option<PersonId>, Vec<String>)> = Vec::new();
            match page {
                ExportPage::People(list) => {
                    for p in list {
                        rows.push((
                            p.id.0,
                            Some(p.id),
                            vec![
                                p.reference.clone(),
                                p.name.clone(),
                                p.phones
                                    .iter()
                                    .map(|x| x.for_people())
                                    .collect::<Vec<_>>()
                                    .join("; "),
                                p.emails
                                    .iter()
                                    .map(|x| x.as_str().to_string())
                                    .collect::<Vec<_>>()
                                    .join("; "),
                                p.postal_address.clone().unwrap_or_default(),
                                p.preferred_format.as_str().into(),
                                tact_core::check::uk_date(p.created_at).to_string(),
                            ],
                        ));
                    }
                }
                ExportPage::Matters(list) => {
                    for m in list {
                        rows.push((
                            m.id.0,
                            Some(m.person_id),
                            vec![
                                m.reference.clone(),
                                String::new(),
                                m.kind.as_str().into(),
                                m.title.clone(),
                                m.status.as_str().into(),
                                m.finalised_on.map(|d| d.to_string()).unwrap_or_default(),
                                tact_core::check::uk_date(m.opened_at).to_string(),
                            ],
                        ));
                    }
                }
                ExportPage::Contacts(list) => {
                    for c in list {
                        rows.push((
                            c.id.0,
                            c.person_id,
                            vec![
                                c.id.0.to_string(),
                                String::new(),
                                c.matter_id
                                    .and_then(|m| matters.get(&m.0).cloned())
                                    .unwrap_or_default(),
                                c.channel.as_str().into(),
                                match c.direction {
                                    tact_core::model::Direction::Inbound => "inbound",
                                    tact_core::model::Direction::Outbound => "outbound",
                                }
                                .into(),
                                spreadsheet_time(c.at),
                                c.summary.clone(),
                                if c.breach_of.is_empty() { "no" } else { "yes" }.into(),
                                c.duration_seconds
                                    .map(|s| (s / 60).to_string())
                                    .unwrap_or_default(),
                            ],
                        ));
                    }
                }
                ExportPage::Plans(list) => {
                    for s in list {
                        rows.push((
                            s.id.0,
                            Some(s.person_id),
                            vec![
                                s.id.0.to_string(),
                                String::new(),
                                s.status.as_str().into(),
                                s.restrictions
                                    .iter()
                                    .map(|r| r.rule.kind().as_str())
                                    .collect::<Vec<_>>()
                                    .join("; "),
                                s.reasons.clone(),
                                s.effective_from
                                    .map(|t| tact_core::check::uk_date(t).to_string())
                                    .unwrap_or_default(),
                                s.review_due.to_string(),
                                s.ends_on.map(|d| d.to_string()).unwrap_or_default(),
                                s.lifted_at
                                    .map(|t| tact_core::check::uk_date(t).to_string())
                                    .unwrap_or_default(),
                            ],
                        ));
                    }
                }
                ExportPage::Incidents(list) => {
                    for i in list {
                        let category = self
                            .profile
                            .category(&i.category)
                            .map_or_else(|| i.category.clone(), |c| c.name.clone());
                        rows.push((
                            i.id.0,
                            Some(i.person_id),
                            vec![
                                i.id.0.to_string(),
                                String::new(),
                                i.matter_id
                                    .and_then(|m| matters.get(&m.0).cloned())
                                    .unwrap_or_default(),
                                category,
                                spreadsheet_time(i.occurred_at),
                                i.description.clone(),
                                if i.ended_call.is_some() { "yes" } else { "no" }.into(),
                            ],
                        ));
                    }
                }
            }
            let Some(last) = rows.last().map(|r| r.0) else {
                break;
            };
            after = last;
            // The person column, by reference, for every kind but people itself.
            let missing: Vec<PersonId> = rows
                .iter()
                .filter_map(|r| r.1)
                .filter(|p| !references.contains_key(&p.0))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            if kind != ExportKind::People && !missing.is_empty() {
                for (id, (_, reference)) in self.store.names_of(&missing).await? {
                    references.insert(id.0, reference);
                }
            }
            for (_, person, mut cells) in rows {
                if let Some(p) = person {
                    people.insert(p);
                    if kind != ExportKind::People {
                        cells[1] = references.get(&p.0).cloned().unwrap_or_default();
                    }
                }
                w.write_record(&cells).map_err(csv_err)?;
            }
        }
        let what = format!("their {} in a CSV export", kind.as_str());
        for p in people {
            self.record_access(actor, p, &what).await?;
        }
        w.into_inner()
            .map_err(|e| csv_err(csv::Error::from(e.into_error())))
    }

    async fn all_matter_references(&self) -> Result<HashMap<i64, String>> {
        let mut out = HashMap::new();
        let mut after = 0;
        loop {
            let ExportPage::Matters(page) = self.store.export_page("matters", after, PAGE).await?
            else {
                break;
            };
            let Some(last) = page.last().map(|m| m.id.0) else {
                break;
            };
            after = last;
            out.extend(page.into_iter().map(|m| (m.id.0, m.reference)));
        }
        Ok(out)
    }
}

/// A moment as a spreadsheet takes it for a date and time, in UK time as every page shows
/// it, to the minute (`2026-12-07 10:45`): an RFC 3339 instant with microseconds stays text
/// in a spreadsheet, and UTC is an hour out all summer.
fn spreadsheet_time(t: jiff::Timestamp) -> String {
    tact_core::check::uk_time(t)
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}
