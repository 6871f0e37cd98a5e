//! Importing an office's existing records (issue 14): every row checked by the core's rules
//! ([`tact_core::import::check`]) and against what Tact holds already (a number another
//! person holds, a matter's person not yet imported, a row changed since it was imported);
//! then, asked to commit and with no problem found, everything written in one transaction —
//! each record with an event naming its source and row, and its key kept so that importing
//! the same file again changes nothing.

use crate::{App, Ctx, Executed, Handles, Result};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use tact_core::audit::{AuditAction, AuditEvent};
use tact_core::command as cmd;
use tact_core::error::RuleError;
use tact_core::identity::Holder;
use tact_core::ids::{MatterId, PersonId};
use tact_core::import::{
    check, AdjustmentRow, ContactRow, IncidentRow, Keyed, Kind, MatterRow, PersonRow, PlanRow,
    Problem, Rows,
};
use tact_core::model::{
    AdditionalHelp, Adjustment, AdjustmentStatus, Contact, Incident, Matter, Plan, Restriction,
    Rule, ServiceUser,
};
use tact_core::workflow::{Decision, ImportedPlan};
use tact_store::{Imported, WriteTx};

/// What an import found, and what it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub source: String,
    pub kind: Kind,
    /// Rows read (not counting empty ones).
    pub rows: usize,
    /// Rows that are new, written (with `committed`) or to be written.
    pub new: usize,
    /// Rows imported from this source before, unchanged: skipped.
    pub already: usize,
    /// Every problem, by row; with any, nothing is written.
    pub problems: Vec<Problem>,
    /// Whether the new rows were written.
    pub committed: bool,
    /// The file's headings no field takes: their columns are not imported.
    pub left_out: Vec<String>,
}

fn digest(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

/// A source names where records came from: "crm", "complaints-2024.xlsx".
fn source_name(source: &str) -> Result<String> {
    let s = source.trim();
    if s.is_empty() || s.chars().count() > 100 || s.chars().any(char::is_control) {
        return Err(RuleError::invalid(
            "source",
            "name the system the records come from, in at most 100 characters (such as crm or complaints-2024)",
        )
        .into());
    }
    Ok(s.to_string())
}

/// Rows seen before: those unchanged are skipped; a changed one is a problem (Tact keeps
/// what it has; the change is made in Tact, where it is recorded).
/// `report.already` counts those skipped.
fn already<'r, R: Keyed>(
    rows: &'r [R],
    before: &HashMap<String, Imported>,
    problems: &mut Vec<Problem>,
    report: &mut ImportReport,
) -> Vec<&'r R> {
    let mut new = Vec::new();
    let skipped = &mut report.already;
    for r in rows {
        match before.get(r.key()) {
            None => new.push(r),
            Some(i) if i.digest == digest(r.raw()) => *skipped += 1,
            Some(i) => problems.push(Problem::at(
                r.line(),
                "id",
                format!(
                    "{} was imported from this source on {} (row {}) and has changed since; Tact does not overwrite it: change the record in Tact, where the change is recorded",
                    r.key(),
                    tact_core::check::long_day(i.imported_at),
                    i.line
                ),
            )),
        }
    }
    new
}

/// Each row with what `join` finds for it; a row it refuses is a problem instead.
fn joined<'r, R, T>(
    rows: Vec<&'r R>,
    problems: &mut Vec<Problem>,
    mut join: impl FnMut(&R) -> std::result::Result<T, Problem>,
) -> Vec<(&'r R, T)> {
    let mut ok = Vec::with_capacity(rows.len());
    for r in rows {
        match join(r) {
            Ok(t) => ok.push((r, t)),
            Err(p) => problems.push(p),
        }
    }
    ok
}

impl Handles<cmd::ImportRecords> for App {
    type Output = ImportReport;

    async fn handle(&self, ctx: &Ctx, c: cmd::ImportRecords, _: Executed) -> Result<ImportReport> {
        let source = source_name(&c.source)?;
        let (rows, mut problems) = check(c.kind, &c.table, &c.mapping, self.now());
        let read = c
            .table
            .rows
            .iter()
            .filter(|(_, cells)| cells.iter().any(|x| !x.trim().is_empty()))
            .count();
        let before = self.store.imported(&source, c.kind.as_str()).await?;
        let mut report = ImportReport {
            source: source.clone(),
            kind: c.kind,
            rows: read,
            new: 0,
            already: 0,
            problems: Vec::new(),
            committed: false,
            left_out: tact_core::import::left_out(c.kind, &c.mapping, &c.table.headers),
        };
        // One transaction checks what Tact holds and writes: on SQLite it holds the write
        // lock, so nothing can take a number between the check and the write.
        let mut tx = self.begin().await?;
        let (plan, new) = match &rows {
            Rows::People(people) => {
                let new = already(people, &before, &mut problems, &mut report);
                let holders = tx.all_identifier_holders().await?;
                for p in &new {
                    problems.extend(held_by_others(p, &holders));
                }
                let n = new.len();
                (Planned::People(new), n)
            }
            Rows::Matters(matters) => {
                let new = already(matters, &before, &mut problems, &mut report);
                let from = self.sources(&source).await?;
                let owners = joined(new, &mut problems, |m| {
                    from.join(m.line, &m.person, None).map(|(p, _)| p)
                });
                let n = owners.len();
                (Planned::Matters(owners), n)
            }
            Rows::Contacts(rows) => {
                let new = already(rows, &before, &mut problems, &mut report);
                let from = self.sources(&source).await?;
                let ok = joined(new, &mut problems, |r| {
                    from.join(r.line, &r.person, r.matter.as_deref())
                });
                let n = ok.len();
                (Planned::Contacts(ok), n)
            }
            Rows::Incidents(rows) => {
                let new = already(rows, &before, &mut problems, &mut report);
                let from = self.sources(&source).await?;
                let ok = joined(new, &mut problems, |r| {
                    from.join(r.line, &r.person, r.matter.as_deref()).and_then(|(p, m)| {
                        let category = self
                            .profile
                            .categories
                            .iter()
                            .find(|c| c.id.eq_ignore_ascii_case(r.category.trim()) || c.name.eq_ignore_ascii_case(r.category.trim()))
                            .ok_or_else(|| Problem::at(
                                r.line,
                                "category",
                                format!(
                                    "{:?} is not one of this policy's categories: {}",
                                    r.category,
                                    self.profile.categories.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(", ")
                                ),
                            ))?;
                        let staff = match &r.staff {
                            None => ctx.actor.id,
                            Some(who) => from.staff_named(who).ok_or_else(|| Problem::at(r.line, "staff", format!("no active member of staff in Tact has the name or email address {who:?}")))?,
                        };
                        Ok((p, m, category.id.clone(), staff))
                    })
                });
                let n = ok.len();
                (Planned::Incidents(ok), n)
            }
            Rows::Adjustments(rows) => {
                let new = already(rows, &before, &mut problems, &mut report);
                let from = self.sources(&source).await?;
                let ok = joined(new, &mut problems, |r| {
                    from.join(r.line, &r.person, None).map(|(person, _)| person)
                });
                let n = ok.len();
                (Planned::Adjustments(ok), n)
            }
            Rows::Plans(plans) => {
                let new = already(plans, &before, &mut problems, &mut report);
                let mut decided = Vec::with_capacity(new.len());
                let sources = self.sources(&source).await?;
                for s in new {
                    match self.decide_import(ctx, &sources, s).await? {
                        Ok(d) => decided.push((s, d)),
                        Err(p) => problems.push(p),
                    }
                }
                let n = decided.len();
                (Planned::Plans(decided), n)
            }
        };
        // Every problem names its column as the file heads it, wherever it was found.
        for p in &mut problems {
            p.column = c.mapping.heading_in(&p.column, &c.table.headers);
        }
        problems.sort_by_key(|p| p.row);
        report.new = new;
        report.problems = problems;
        // Nothing new (a second run of the same file) writes nothing at all.
        if !c.commit || !report.problems.is_empty() || report.new == 0 {
            return Ok(report);
        }
        let progress = |done: usize| {
            if let Some(p) = &ctx.progress {
                (p.0)(done as u64, report.new as u64);
            }
        };
        let now = self.now();
        let mut written = 0;
        match plan {
            Planned::People(new) => {
                // A few statements a chunk, not several a person: 100,000 people in seconds.
                for chunk in new.chunks(IMPORT_CHUNK) {
                    self.import_people(&mut tx, ctx, &source, chunk).await?;
                    written += chunk.len();
                    progress(written);
                }
            }
            Planned::Contacts(new) => {
                for chunk in new.chunks(IMPORT_CHUNK) {
                    self.import_contacts(&mut tx, ctx, &source, chunk).await?;
                    written += chunk.len();
                    progress(written);
                }
            }
            Planned::Incidents(new) => {
                for (r, (person, matter, category, staff)) in new {
                    let i = Incident {
                        id: tact_core::ids::IncidentId(0),
                        person_id: person,
                        matter_id: matter,
                        contact_id: None,
                        category,
                        description: r.description.clone(),
                        occurred_at: r.occurred_at,
                        staff_id: staff,
                        recorded_by: ctx.actor.id,
                        ended_call: None,
                    };
                    let id = tx.insert_incident(&i).await?;
                    let ev = self.imported_event(
                        ctx,
                        &source,
                        AuditAction::IncidentImported,
                        format!("incident:{id}"),
                        person,
                        r,
                    );
                    tx.audit(&[ev]).await?;
                    tx.insert_imported(&self.imported_row(
                        ctx,
                        &source,
                        Kind::Incidents,
                        r,
                        id.0,
                        person,
                    ))
                    .await?;
                    written += 1;
                }
            }
            Planned::Adjustments(new) => {
                for (r, person) in new {
                    let mut a = Adjustment {
                        id: tact_core::ids::AdjustmentId(0),
                        person_id: person,
                        kind: r.kind.clone(),
                        description: r.description.clone(),
                        status: AdjustmentStatus::Requested,
                        requested_at: self.now(),
                        recorded_by: ctx.actor.id,
                        decided_by: None,
                        decided_at: None,
                        decision_reason: None,
                    };
                    a.id = tx.insert_adjustment(&a).await?;
                    if r.status != AdjustmentStatus::Requested {
                        a.status = r.status;
                        a.decided_at =
                            Some(r.decided_on.map_or(self.now(), tact_core::check::noon));
                        a.decision_reason = Some(r.reason.clone().unwrap_or_else(|| {
                            format!(
                                "{} in {source}",
                                if r.status == AdjustmentStatus::Granted {
                                    "Granted"
                                } else {
                                    "Refused"
                                }
                            )
                        }));
                        tx.decide_adjustment(&a).await?;
                    }
                    let ev = self.imported_event(
                        ctx,
                        &source,
                        AuditAction::AdjustmentImported,
                        format!("adjustment:{}", a.id),
                        person,
                        r,
                    );
                    tx.audit(&[ev]).await?;
                    tx.insert_imported(&self.imported_row(
                        ctx,
                        &source,
                        Kind::Adjustments,
                        r,
                        a.id.0,
                        person,
                    ))
                    .await?;
                    written += 1;
                }
            }
            Planned::Plans(new) => {
                for (s, d) in new {
                    self.import_plan_row(&mut tx, ctx, &source, s, d).await?;
                    written += 1;
                }
            }
            Planned::Matters(new) => {
                for (m, person) in new {
                    self.import_matter(&mut tx, ctx, &source, m, person).await?;
                    written += 1;
                    if written % 500 == 0 {
                        progress(written);
                    }
                }
            }
        }
        tx.audit(&[ctx
            .event(
                now,
                AuditAction::RecordsImported,
                format!("import:{source}"),
            )
            .detail("source", &source)
            .detail("kind", c.kind.as_str())
            .detail("new", written)
            .detail("already", report.already)])
            .await?;
        self.finish(tx, ctx, &format!("import:{source}")).await?;
        progress(written);
        self.after_write().await;
        report.committed = true;
        Ok(report)
    }
}

/// An incident row's person, matter, the policy's category id and the member of staff on
/// the receiving end.
type IncidentJoin = (PersonId, Option<MatterId>, String, tact_core::ids::StaffId);

enum Planned<'r> {
    People(Vec<&'r PersonRow>),
    Matters(Vec<(&'r MatterRow, PersonId)>),
    Plans(Vec<(&'r PlanRow, Decision<Plan>)>),
    Contacts(Vec<(&'r ContactRow, (PersonId, Option<MatterId>))>),
    Incidents(Vec<(&'r IncidentRow, IncidentJoin)>),
    Adjustments(Vec<(&'r AdjustmentRow, PersonId)>),
}

impl Sources {
    /// The person, and the matter where one is named, imported from this source.
    fn join(
        &self,
        line: usize,
        person: &str,
        matter: Option<&str>,
    ) -> std::result::Result<(PersonId, Option<MatterId>), Problem> {
        let problem = |column: &str, reason: String| Problem::at(line, column, reason);
        let Some(p) = self.people.get(person).map(|p| p.person_id) else {
            return Err(problem(
                "person",
                format!(
                    "no person with the id {person:?} has been imported from {}: import the people file first",
                    self.name
                ),
            ));
        };
        let m = match matter {
            None => None,
            Some(key) => match self.matters.get(key) {
                Some(m) if m.person_id == p => Some(MatterId(m.record_id)),
                Some(_) => return Err(problem("matter", format!("the matter {key:?} is another person's"))),
                None => {
                    return Err(problem(
                        "matter",
                        format!("no matter with the id {key:?} has been imported from {}: import the matters file first", self.name),
                    ))
                }
            },
        };
        Ok((p, m))
    }

    /// An active member of staff by name or email address.
    fn staff_named(&self, who: &str) -> Option<tact_core::ids::StaffId> {
        let who = who.trim();
        self.staff
            .iter()
            .find(|x| {
                x.active
                    && x.scope.is_none()
                    && (x.name.eq_ignore_ascii_case(who)
                        || x.email
                            .as_ref()
                            .is_some_and(|e| e.as_str().eq_ignore_ascii_case(who)))
            })
            .map(|x| x.id)
    }
}

/// What a plan row is joined to: the people and matters imported from its source, and
/// the staff (a single point of contact).
struct Sources {
    people: HashMap<String, Imported>,
    matters: HashMap<String, Imported>,
    staff: Vec<tact_core::model::Staff>,
    name: String,
}

/// A number or address someone already in Tact holds, not marked shared: refused by the
/// same rule as at every other door ([`tact_core::identity::may_hold`]).
fn held_by_others(
    p: &PersonRow,
    holders: &HashMap<String, Vec<(PersonId, String, String)>>,
) -> Vec<Problem> {
    let marked = p.input.shared_marks().unwrap_or_default();
    let mut out = Vec::new();
    let advocate = p.input.advocate.as_ref();
    let keys = p
        .input
        .phones
        .iter()
        .map(|x| (x.as_str(), "phones"))
        .chain(p.input.emails.iter().map(|x| (x.as_str(), "emails")))
        .chain(
            advocate
                .and_then(|a| a.phone.as_ref())
                .map(|x| (x.as_str(), "advocate_phone")),
        )
        .chain(
            advocate
                .and_then(|a| a.email.as_ref())
                .map(|x| (x.as_str(), "advocate_email")),
        );
    for (key, field) in keys {
        let Some(others) = holders.get(key) else {
            continue;
        };
        let others: Vec<Holder> = others
            .iter()
            .map(|(person, reference, name)| Holder {
                person: *person,
                reference: reference.clone(),
                name: name.clone(),
            })
            .collect();
        if let Err(e) =
            tact_core::identity::may_hold(key, field, &others, marked.iter().any(|m| m == key))
        {
            out.push(Problem::refused(p.line, field, e));
        }
    }
    out
}

/// Where a record came from, for its person's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub source: String,
    pub kind: Kind,
    /// The source's own id for the record.
    pub key: String,
    pub line: i64,
    pub at: jiff::Timestamp,
}

/// People written a chunk at a time, the progress bar moving between chunks.
const IMPORT_CHUNK: usize = 5_000;

/// The person a checked row describes, as the one transaction will create them.
fn person_of(row: &PersonRow, ctx: &Ctx, now: jiff::Timestamp) -> Result<ServiceUser> {
    let mut p = row.input.clone().new_person(now)?;
    p.additional_help = row
        .needs_help
        .clone()
        .map(|(needs_help, words)| AdditionalHelp {
            asked_at: now,
            asked_by: ctx.actor.id,
            needs_help,
            in_their_words: words,
        });
    Ok(p)
}

impl App {
    async fn sources(&self, source: &str) -> Result<Sources> {
        Ok(Sources {
            people: self.store.imported(source, Kind::People.as_str()).await?,
            matters: self.store.imported(source, Kind::Matters.as_str()).await?,
            staff: self.store.staff_list().await?,
            name: source.to_string(),
        })
    }

    /// Where a record came from, for `imported`: its source and row, and the record made.
    fn imported_row(
        &self,
        ctx: &Ctx,
        source: &str,
        kind: Kind,
        row: &impl Keyed,
        record_id: i64,
        person: PersonId,
    ) -> Imported {
        Imported {
            source: source.to_string(),
            kind: kind.as_str().into(),
            key: row.key().to_string(),
            record_id,
            person_id: person,
            line: i64::try_from(row.line()).unwrap_or(i64::MAX),
            digest: digest(row.raw()),
            imported_at: self.now(),
            imported_by: ctx.actor.id,
        }
    }

    /// The event saying a record was imported, naming its source, the id there and the row.
    fn imported_event(
        &self,
        ctx: &Ctx,
        source: &str,
        action: AuditAction,
        subject: String,
        person: PersonId,
        row: &impl Keyed,
    ) -> AuditEvent {
        AuditEvent::new(self.now(), ctx.actor.id, action, subject)
            .person(person)
            .detail("source", source)
            .detail("source_id", row.key())
            .detail("row", row.line())
    }

    /// Contact history, a chunk at a time: kept as it happened, never screened again (it
    /// was dealt with in the earlier system), each with its source on `imported`.
    async fn import_contacts(
        &self,
        tx: &mut WriteTx,
        ctx: &Ctx,
        source: &str,
        rows: &[(&ContactRow, (PersonId, Option<MatterId>))],
    ) -> Result<()> {
        let contacts: Vec<Contact> = rows
            .iter()
            .map(|(r, (person, matter))| Contact {
                person_id: Some(*person),
                matter_id: *matter,
                duration_seconds: r.duration_seconds,
                ..Contact::new(r.channel, r.direction, r.at, r.summary.clone())
            })
            .collect();
        let refs: Vec<&Contact> = contacts.iter().collect();
        let ids = tx.insert_contacts(&refs).await?;
        let keys: Vec<Imported> = rows
            .iter()
            .zip(ids)
            .map(|((r, (person, _)), id)| {
                self.imported_row(ctx, source, Kind::Contacts, *r, id.0, *person)
            })
            .collect();
        tx.insert_imported_many(&keys).await?;
        Ok(())
    }

    /// A plan row joined to its person, matters and point of contact, and decided by
    /// core as a plan in force ([`tact_core::workflow::import_plan`]); a refusal is the
    /// row's problem, in the column it is about.
    async fn decide_import(
        &self,
        ctx: &Ctx,
        from: &Sources,
        s: &PlanRow,
    ) -> Result<std::result::Result<Decision<Plan>, Problem>> {
        let problem = |column: &str, reason: String| Problem::at(s.line, column, reason);
        let person = match from.join(s.line, &s.person, None) {
            Ok((p, _)) => p,
            Err(p) => return Ok(Err(p)),
        };
        let mut matter_ids = Vec::new();
        if s.matters.is_empty() {
            matter_ids.extend(
                from.matters
                    .values()
                    .filter(|m| m.person_id == person)
                    .map(|m| MatterId(m.record_id)),
            );
            matter_ids.sort();
        }
        for key in &s.matters {
            match from.matters.get(key) {
                Some(m) if m.person_id == person => matter_ids.push(MatterId(m.record_id)),
                Some(_) => {
                    return Ok(Err(problem(
                        "matters",
                        format!("the matter {key:?} is another person's"),
                    )))
                }
                None => {
                    return Ok(Err(problem(
                        "matters",
                        format!(
                            "no matter with the id {key:?} has been imported from {}: import the matters file first",
                            from.name
                        ),
                    )))
                }
            }
        }
        let mut rules = s.rules.clone();
        if let Some(who) = &s.point_of_contact {
            let found = from.staff_named(who);
            match found {
                Some(staff_id) => rules.push(Rule::SinglePointOfContact { staff_id }),
                None => {
                    return Ok(Err(problem(
                        "single_point_of_contact",
                        format!(
                        "no active member of staff in Tact has the name or email address {who:?}"
                    ),
                    )))
                }
            }
        }
        let records = self.plan_records(person).await?;
        let restrictions: Vec<Restriction> = rules
            .iter()
            .map(|rule| Restriction {
                rule: rule.clone(),
                reason: s.reasons.clone(),
            })
            .collect();
        let decided = tact_core::workflow::import_plan(
            &self.profile,
            &ctx.actor,
            person,
            ImportedPlan {
                matter_ids,
                restrictions,
                reasons: s.reasons.clone(),
                authorised_by: s.authorised_by.clone(),
                authorised_on: s.authorised_on,
                notice_sent_on: s.notice_sent_on,
                review_due: s.review_due,
                ends_on: s.ends_on,
                source: from.name.clone(),
                source_id: s.key.clone(),
            },
            &records.context(),
            self.now(),
        );
        Ok(decided.map_err(|e| {
            problem(
                tact_core::import::plan_column(e.field.as_deref(), &rules),
                e.message,
            )
        }))
    }

    async fn import_plan_row(
        &self,
        tx: &mut WriteTx,
        ctx: &Ctx,
        source: &str,
        row: &PlanRow,
        d: Decision<Plan>,
    ) -> Result<()> {
        let id = tx.insert_plan(&d.record).await?;
        tx.audit_for(&d.events, &id.subject()).await?;
        let person = d.record.person_id;
        tx.insert_imported(&self.imported_row(ctx, source, Kind::Plans, row, id.0, person))
            .await?;
        Ok(())
    }

    pub(crate) async fn imported_from(&self, person: PersonId) -> Result<Vec<Origin>> {
        // A kind that is not one is a row that does not decode, as the store's are: an
        // error naming its column, never an origin left out.
        let origin = |i: Imported| -> Result<Origin> {
            let kind = Kind::parse(&i.kind).map_err(|e| {
                tact_store::StoreError::Corrupt(format!("imported.kind: {}", e.message))
            })?;
            Ok(Origin {
                kind,
                source: i.source,
                key: i.key,
                line: i.line,
                at: i.imported_at,
            })
        };
        self.store
            .imported_for(person)
            .await?
            .into_iter()
            .map(origin)
            .collect()
    }

    async fn import_people(
        &self,
        tx: &mut WriteTx,
        ctx: &Ctx,
        source: &str,
        rows: &[&PersonRow],
    ) -> Result<()> {
        let now = self.now();
        let people = rows
            .iter()
            .map(|row| person_of(row, ctx, now))
            .collect::<Result<Vec<_>>>()?;
        let made = tx.insert_people(&people).await?;
        let mut events = Vec::with_capacity(rows.len());
        let mut keys = Vec::with_capacity(rows.len());
        for (row, (id, _)) in rows.iter().zip(made) {
            events.push(self.imported_event(
                ctx,
                source,
                AuditAction::PersonImported,
                format!("person:{id}"),
                id,
                *row,
            ));
            keys.push(self.imported_row(ctx, source, Kind::People, *row, id.0, id));
        }
        tx.audit(&events).await?;
        tx.insert_imported_many(&keys).await?;
        Ok(())
    }

    async fn import_matter(
        &self,
        tx: &mut WriteTx,
        ctx: &Ctx,
        source: &str,
        row: &MatterRow,
        person: PersonId,
    ) -> Result<()> {
        let now = self.now();
        let m = Matter {
            id: MatterId(0),
            person_id: person,
            reference: String::new(),
            kind: row.kind,
            title: row.title.clone(),
            status: row.status,
            finalised_on: row.finalised_on,
            opened_at: now,
        };
        let (id, _) = tx.insert_matter(&m).await?;
        let ev = self
            .imported_event(
                ctx,
                source,
                AuditAction::MatterImported,
                format!("matter:{id}"),
                person,
                row,
            )
            .detail("status", row.status.as_str());
        tx.audit(&[ev]).await?;
        tx.insert_imported(&self.imported_row(ctx, source, Kind::Matters, row, id.0, person))
            .await?;
        Ok(())
    }
}

/// Reads a file to import — CSV (UTF-8, with or without a byte-order mark) or a
/// spreadsheet (.xlsx, .xls, .ods; the named sheet, else the first) — into a table of text
/// cells: dates as `YYYY-MM-DD`, whole numbers without a decimal point (a telephone number
/// a spreadsheet took for a number keeps its digits).
///
/// # Errors
/// An invalid-input error naming the field `file`: not a file of those kinds, not UTF-8
/// text, a damaged spreadsheet, no such sheet, or no heading row.
pub fn read_table(
    name: &str,
    bytes: &[u8],
    sheet: Option<&str>,
) -> std::result::Result<tact_core::import::Table, RuleError> {
    let lower = name.to_ascii_lowercase();
    let bad = |why: String| RuleError::invalid("file", format!("{name}: {why}"));
    let table = if [".xlsx", ".xlsm", ".xls", ".ods"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        read_sheet(bytes, sheet).map_err(bad)?
    } else if lower.ends_with(".csv") || lower.ends_with(".txt") {
        if sheet.is_some() {
            return Err(bad("a CSV file has no sheets".into()));
        }
        read_csv(bytes).map_err(bad)?
    } else {
        return Err(bad(
            "expected a .csv file or a spreadsheet (.xlsx, .xls or .ods)".into(),
        ));
    };
    if table.headers.iter().all(|h| h.trim().is_empty()) {
        return Err(bad(
            "the first row should be the headings, and is empty".into()
        ));
    }
    Ok(table)
}

fn read_csv(bytes: &[u8]) -> std::result::Result<tact_core::import::Table, String> {
    // Text that says it is UTF-16 by its byte-order mark (Excel's "Unicode Text", tab
    // separated) is read as such; anything else must be UTF-8.
    let decoded;
    let bytes = match encoding_rs::Encoding::for_bom(bytes) {
        Some((enc, _)) if enc != encoding_rs::UTF_8 => {
            let (text, malformed) = enc.decode_with_bom_removal(bytes);
            if malformed {
                return Err(format!(
                    "it says it is {} text and is not: save the file as \"CSV UTF-8\"",
                    enc.name()
                ));
            }
            decoded = text.into_owned();
            decoded.as_bytes()
        }
        _ => bytes,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let delimiter = delimiter(bytes);
    if let Some(line) = unclosed_quote(bytes, delimiter) {
        return Err(format!(
            "line {line}: a cell opens with a quote (\") that is never closed, so every row \
             after it would be read into that one cell; close the quote, or save the file \
             from the spreadsheet again"
        ));
    }
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut table = tact_core::import::Table::default();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| match e.kind() {
            csv::ErrorKind::Utf8 { pos, .. } => format!(
                "line {} is not UTF-8 text: save the file as \"CSV UTF-8\"",
                pos.as_ref()
                    .map_or(i + 1, |p| usize::try_from(p.line()).unwrap_or(i + 1))
            ),
            _ => format!("not a CSV file Tact can read: {e}"),
        })?;
        let line = rec
            .position()
            .map_or(i + 1, |p| usize::try_from(p.line()).unwrap_or(i + 1));
        let cells: Vec<String> = rec.iter().map(str::to_string).collect();
        if i == 0 {
            table.headers = cells;
        } else {
            table.rows.push((line, cells));
        }
    }
    Ok(table)
}

/// What separates a CSV file's cells: a comma, unless the headings' line has none and is
/// separated by semicolons (as Excel saves "CSV" where a comma is the decimal mark) or tabs.
fn delimiter(bytes: &[u8]) -> u8 {
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |d: u8| first.iter().filter(|b| **b == d).count();
    match (count(b','), count(b';'), count(b'\t')) {
        (0, semi, tab) if semi > tab => b';',
        (0, _, tab) if tab > 0 => b'\t',
        _ => b',',
    }
}

/// The line on which a quoted cell opens and is never closed, if one does. The csv crate
/// reads such a cell to the end of the file, so the rows after it would vanish into it
/// without a word. A quote opens a cell only at its start (elsewhere it is a character of
/// the cell, as the csv crate reads it), and two quotes within one stand for one.
fn unclosed_quote(bytes: &[u8], delimiter: u8) -> Option<usize> {
    let mut line = 1;
    let mut opened_on = None;
    let mut at_start = true;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if opened_on.is_some() {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    opened_on = None;
                }
            }
        } else {
            if b == b'"' && at_start {
                opened_on = Some(line);
            }
            at_start = b == delimiter || b == b'\n' || b == b'\r';
        }
        if b == b'\n' {
            line += 1;
        }
        i += 1;
    }
    opened_on
}

fn read_sheet(
    bytes: &[u8],
    sheet: Option<&str>,
) -> std::result::Result<tact_core::import::Table, String> {
    use calamine::{Data, Reader};
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a spreadsheet Tact can read: {e}"))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| format!("no sheet named {s:?}; its sheets are {}", names.join(", ")))?,
        None => names
            .first()
            .cloned()
            .ok_or("the spreadsheet has no sheets")?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| format!("cannot read the sheet {name:?}: {e}"))?;
    let first = range.start().map_or(0, |(row, _)| row as usize);
    let left = range.start().map_or(0, |(_, col)| col as usize);
    let text = |d: &Data| -> String {
        match d {
            Data::Empty => String::new(),
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
            Data::Int(i) => i.to_string(),
            #[allow(clippy::cast_possible_truncation)]
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => (*f as i64).to_string(),
            Data::Float(f) => f.to_string(),
            Data::Bool(b) => if *b { "yes" } else { "no" }.into(),
            Data::DateTime(dt) => excel_day(dt.as_f64()).unwrap_or_else(|| dt.as_f64().to_string()),
            Data::Error(e) => format!("#{e:?}"),
        }
    };
    let mut table = tact_core::import::Table::default();
    for (i, row) in range.rows().enumerate() {
        // Columns left of the used range are empty: keep positions as the sheet has them.
        let cells: Vec<String> = std::iter::repeat_n(String::new(), left)
            .chain(row.iter().map(text))
            .collect();
        if i == 0 {
            table.headers = cells;
        } else {
            table.rows.push((first + i + 1, cells));
        }
    }
    Ok(table)
}

/// A spreadsheet's day number (days since 30 December 1899) as `YYYY-MM-DD`.
fn excel_day(serial: f64) -> Option<String> {
    #[allow(clippy::cast_possible_truncation)]
    let days = serial.floor() as i64;
    let d = jiff::civil::date(1899, 12, 30)
        .checked_add(jiff::Span::new().try_days(days).ok()?)
        .ok()?;
    Some(d.to_string())
}
