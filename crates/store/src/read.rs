//! Reads. Each returns domain records; a missing record is `None` or `NotFound`.

use crate::codec::{parse_advocate, parse_plan};
use crate::{AnyQuery, Cols, Result, Store, StoreError};
use sqlx::any::AnyRow;
use tact_core::audit::StoredEntry;
use tact_core::identity::{EmailAddress, PhoneNumber};
use tact_core::ids::*;
use tact_core::model::*;
use tact_core::profile::Channel;
use tact_core::roles::Role;
use tact_core::sharing::Disclosure;

/// `s` with LIKE's wildcards (and the escape character itself) escaped by a backslash.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn corrupt(what: &str, v: &str) -> StoreError {
    StoreError::Corrupt(format!("bad {what} {v:?}"))
}

pub(crate) const PERSON_COLS: &str = "id, reference, name, postal_address, advocate, preferred_format, preferred_language, help_asked_at, help_asked_by, help_needed, help_words, created_at";

/// One row of `person_identifiers`: the identifier, how it is held, whether a phone number
/// was verified, whether it is marked shared.
pub(crate) struct IdentRow {
    ident: String,
    kind: String,
    verified: bool,
    shared: bool,
}

/// One of a person's numbers or addresses, as `person_identifiers` keeps it.
fn ident_row(r: &AnyRow) -> Result<IdentRow> {
    let r = crate::Cols::of(r, "person_identifiers");
    Ok(IdentRow {
        ident: r.s("identifier")?,
        kind: r.s("kind")?,
        verified: r.flag("verified")?,
        shared: r.flag("shared")?,
    })
}

fn person_row(r: &AnyRow, identifiers: Vec<IdentRow>) -> Result<ServiceUser> {
    let r = crate::Cols::of(r, "people");
    let mut phones = Vec::new();
    let mut emails = Vec::new();
    let mut shared = Vec::new();
    for i in identifiers {
        if i.shared {
            shared.push(i.ident.clone());
        }
        match i.kind.as_str() {
            "phone" => phones.push(
                PhoneNumber::from_stored(&i.ident, i.verified)
                    .ok_or_else(|| corrupt("phone", &i.ident))?,
            ),
            "email" => {
                emails.push(EmailAddress::parse(&i.ident).map_err(|_| corrupt("email", &i.ident))?)
            }
            _ => {}
        }
    }
    Ok(ServiceUser {
        id: PersonId(r.i("id")?),
        reference: r.os("reference")?.unwrap_or_default(),
        name: r.s("name")?,
        phones,
        emails,
        postal_address: r.os("postal_address")?,
        advocate: r.os("advocate")?.map(|a| parse_advocate(&a)).transpose()?,
        preferred_format: r.word("preferred_format")?,
        preferred_language: r.os("preferred_language")?,
        shared_identifiers: shared,
        additional_help: match r.ots("help_asked_at")? {
            Some(asked_at) => Some(AdditionalHelp {
                asked_at,
                asked_by: StaffId(
                    r.oi("help_asked_by")?
                        .ok_or_else(|| corrupt("people.help_asked_by", "missing"))?,
                ),
                needs_help: r.oflag("help_needed")? == Some(true),
                in_their_words: r.os("help_words")?,
            }),
            None => None,
        },
        created_at: r.ts("created_at")?,
    })
}

pub(crate) fn staff_row(r: &AnyRow) -> Result<Staff> {
    let r = crate::Cols::of(r, "staff");
    Ok(Staff {
        id: StaffId(r.i("id")?),
        name: r.s("name")?,
        email: r
            .os("email")?
            .map(|e| EmailAddress::parse(&e).map_err(|_| corrupt("staff.email", &e)))
            .transpose()?,
        role: r.word("role")?,
        line_manager: r.oi("line_manager")?.map(StaffId),
        active: r.flag("active")?,
        scope: r.oword("scope")?,
    })
}

fn token_row(r: &AnyRow) -> Result<ApiToken> {
    let r = crate::Cols::of(r, "tokens");
    Ok(ApiToken {
        id: r.i("id")?,
        staff_id: StaffId(r.i("staff_id")?),
        name: r.s("name")?,
        created_at: r.ts("created_at")?,
        created_by: r.oi("created_by")?.map(StaffId),
        expires_at: r.ts("expires_at")?,
        revoked_at: r.ots("revoked_at")?,
        revoked_by: r.oi("revoked_by")?.map(StaffId),
    })
}

fn matter_row(r: &AnyRow) -> Result<Matter> {
    let r = crate::Cols::of(r, "matters");
    Ok(Matter {
        id: MatterId(r.i("id")?),
        person_id: PersonId(r.i("person_id")?),
        reference: r.os("reference")?.unwrap_or_default(),
        kind: r.word("kind")?,
        title: r.s("title")?,
        status: r.word("status")?,
        finalised_on: r.odate("finalised_on")?,
        opened_at: r.ts("opened_at")?,
    })
}

pub(crate) fn contact_row(r: &AnyRow) -> Result<Contact> {
    let r = crate::Cols::of(r, "contacts");
    let breach = r.s("breach_of")?;
    Ok(Contact {
        id: ContactId(r.i("id")?),
        person_id: r.oi("person_id")?.map(PersonId),
        matter_id: r.oi("matter_id")?.map(MatterId),
        channel: r.word("channel")?,
        direction: r.word("direction")?,
        at: r.ts("at")?,
        staff_id: r.oi("staff_id")?.map(StaffId),
        identifier: r.os("identifier")?,
        summary: r.s("summary")?,
        body: r.s("body")?,
        breach_of: breach
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        screening: r.word("screening")?,
        not_recorded_as_complaint: r.flag("not_recorded_as_complaint")?,
        duration_seconds: r
            .oi("duration_seconds")?
            .map(|d| u32::try_from(d).map_err(|_| corrupt("duration_seconds", &d.to_string())))
            .transpose()?,
    })
}

fn incident_row(r: &AnyRow) -> Result<Incident> {
    let r = crate::Cols::of(r, "incidents");
    Ok(Incident {
        id: IncidentId(r.i("id")?),
        person_id: PersonId(r.i("person_id")?),
        matter_id: r.oi("matter_id")?.map(MatterId),
        contact_id: r.oi("contact_id")?.map(ContactId),
        category: r.s("category")?,
        description: r.s("description")?,
        occurred_at: r.ts("occurred_at")?,
        staff_id: StaffId(r.i("staff_id")?),
        recorded_by: StaffId(r.i("recorded_by")?),
        ended_call: match r.os("ended_reason")? {
            Some(reason) => Some(EndedCall {
                reason,
                file_note: r.os("ended_file_note")?.unwrap_or_default(),
                caller_warned: r.oflag("ended_caller_warned")? == Some(true),
            }),
            None => None,
        },
    })
}

fn warning_row(r: &AnyRow) -> Result<Warning> {
    let r = crate::Cols::of(r, "warnings");
    Ok(Warning {
        id: WarningId(r.i("id")?),
        person_id: PersonId(r.i("person_id")?),
        incident_ids: r
            .s("incident_ids")?
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().map_err(|_| corrupt("warnings.incident_ids", s)))
            .collect::<Result<Vec<i64>>>()?
            .into_iter()
            .map(IncidentId)
            .collect(),
        what_is_wrong: r.s("what_is_wrong")?,
        how_to_change: r.s("how_to_change")?,
        consequence: r.s("consequence")?,
        channel: r.word("channel")?,
        given_at: r.ts("given_at")?,
        given_by: StaffId(r.i("given_by")?),
    })
}

fn plan_row(r: &AnyRow) -> Result<Plan> {
    let r = crate::Cols::of(r, "plans");
    parse_plan(
        r.i("id")?,
        r.i("version")?,
        &r.s("status")?,
        &r.s("review_due")?,
        r.os("ends_on")?.as_deref(),
        &r.s("body")?,
    )
}

fn adjustment_row(r: &AnyRow) -> Result<Adjustment> {
    let r = crate::Cols::of(r, "adjustments");
    let kind = r.s("kind")?;
    Ok(Adjustment {
        id: AdjustmentId(r.i("id")?),
        person_id: PersonId(r.i("person_id")?),
        kind: AdjustmentKind::parse(&kind).map_err(|_| r.bad("kind", format!("{kind:?}")))?,
        description: r.s("description")?,
        status: r.word("status")?,
        requested_at: r.ts("requested_at")?,
        recorded_by: StaffId(r.i("recorded_by")?),
        decided_by: r.oi("decided_by")?.map(StaffId),
        decided_at: r.ots("decided_at")?,
        decision_reason: r.os("decision_reason")?,
    })
}

fn disclosure_row(r: &AnyRow) -> Result<Disclosure> {
    let r = crate::Cols::of(r, "disclosures");
    Ok(Disclosure {
        id: DisclosureId(r.i("id")?),
        person_id: PersonId(r.i("person_id")?),
        partner: r.s("partner")?,
        reason: r.s("reason")?,
        details: r.s("details")?,
        requested_by: StaffId(r.i("requested_by")?),
        requested_at: r.ts("requested_at")?,
        status: r.word("status")?,
        decided_by: r.oi("decided_by")?.map(StaffId),
        decided_at: r.ots("decided_at")?,
        decision_reason: r.os("decision_reason")?,
        shared_by: r.oi("shared_by")?.map(StaffId),
        shared_at: r.ots("shared_at")?,
        shared_what: r.os("shared_what")?,
    })
}

fn rights_row(r: &AnyRow) -> Result<tact_core::rights::RightsRequest> {
    let r = crate::Cols::of(r, "data_rights");
    use tact_core::rights::RightsRequest;
    Ok(RightsRequest {
        id: r.i("id")?,
        person_id: PersonId(r.i("person_id")?),
        kind: r.word("kind")?,
        details: r.s("details")?,
        channel: r.word("channel")?,
        received_on: r.date("received_on")?,
        due_on: r.date("due_on")?,
        extended_to: r.odate("extended_to")?,
        extension_reason: r.os("extension_reason")?,
        status: r.word("status")?,
        outcome: r.os("outcome")?,
        created_by: StaffId(r.i("created_by")?),
        created_at: r.ts("created_at")?,
        closed_by: r.oi("closed_by")?.map(StaffId),
        closed_at: r.ots("closed_at")?,
    })
}

fn message_row(r: &AnyRow) -> Result<tact_core::correspondence::StoredMessage> {
    let r = crate::Cols::of(r, "messages");
    use tact_core::correspondence::StoredMessage;
    Ok(StoredMessage {
        id: r.i("id")?,
        message_id: r.s("message_id")?,
        mailbox: r.s("mailbox")?,
        received_at: r.ts("received_at")?,
        sender: r.s("sender")?,
        subject: r.s("subject")?,
        route: r.word("route")?,
        quarantine_reason: r.os("quarantine_reason")?,
        person_id: r.oi("person_id")?.map(PersonId),
        matter_id: r.oi("matter_id")?.map(MatterId),
        contact_id: r.oi("contact_id")?.map(ContactId),
    })
}

/// The columns of a kept message, without its raw bytes.
const MESSAGE_COLS: &str = "id, message_id, mailbox, received_at, sender, subject, route, quarantine_reason, person_id, matter_id, contact_id";

fn letter_row(r: &AnyRow) -> Result<tact_core::correspondence::StoredLetter> {
    let r = crate::Cols::of(r, "letters");
    use tact_core::correspondence::StoredLetter;
    Ok(StoredLetter {
        id: r.i("id")?,
        person_id: PersonId(r.i("person_id")?),
        kind: r.s("kind")?,
        about: r.os("about")?,
        channel: r.word("channel")?,
        format: r.word("format")?,
        to_address: r.s("to_address")?,
        subject: r.s("subject")?,
        text: r.s("body_text")?,
        html: r.s("body_html")?,
        status: r.word("status")?,
        attempts: r.i("attempts")?,
        next_attempt_at: r.ots("next_attempt_at")?,
        last_error: r.os("last_error")?,
        created_at: r.ts("created_at")?,
        created_by: StaffId(r.i("created_by")?),
        sent_at: r.ots("sent_at")?,
    })
}

fn dispute_row(r: &AnyRow) -> Result<Dispute> {
    let r = crate::Cols::of(r, "disputes");
    Ok(Dispute {
        id: DisputeId(r.i("id")?),
        plan_id: PlanId(r.i("plan_id")?),
        person_id: PersonId(r.i("person_id")?),
        grounds: r.s("grounds")?,
        received_at: r.ts("received_at")?,
        recorded_by: StaffId(r.i("recorded_by")?),
        outcome: r.oword("outcome")?,
        decided_by: r.oi("decided_by")?.map(StaffId),
        decided_at: r.ots("decided_at")?,
        decision_reason: r.os("decision_reason")?,
    })
}

fn further_action_row(r: &AnyRow) -> Result<FurtherAction> {
    let r = crate::Cols::of(r, "further_actions");
    Ok(FurtherAction {
        id: FurtherActionId(r.i("id")?),
        person_id: PersonId(r.i("person_id")?),
        kind: r.word("kind")?,
        reasons: r.s("reasons")?,
        prior_notice_given: r.flag("prior_notice_given")?,
        no_notice_reason: r.os("no_notice_reason")?,
        decided_by: StaffId(r.i("decided_by")?),
        decided_at: r.ts("decided_at")?,
    })
}

fn task_row(r: &AnyRow) -> Result<Task> {
    let r = crate::Cols::of(r, "tasks");
    Ok(Task {
        id: TaskId(r.i("id")?),
        task: NewTask {
            kind: r.word("kind")?,
            person_id: r.oi("person_id")?.map(PersonId),
            assignee: r.oi("assignee")?.map(StaffId),
            role: r.oword("role")?,
            title: r.s("title")?,
            due_on: r.odate("due_on")?,
            clause: r.s("clause")?,
            subject: r.os("subject")?,
        },
        created_at: r.ts("created_at")?,
        done_at: r.ots("done_at")?,
        done_by: r.oi("done_by")?.map(StaffId),
        outcome: r.os("outcome")?,
    })
}

fn entry_row(r: &AnyRow) -> Result<StoredEntry> {
    let r = crate::Cols::of(r, "audit_log");
    Ok(StoredEntry {
        seq: r.i("seq")?,
        at_micros: r.i("at")?,
        at: r.ts("at")?,
        actor: r.oi("actor")?,
        action: r.s("action")?,
        subject: r.s("subject")?,
        person_id: r.oi("person_id")?,
        reason: r.os("reason")?,
        clause: r.os("clause")?,
        detail: r.s("detail")?,
        prev_hash: r.s("prev_hash")?,
        hash: r.s("hash")?,
        redacted: r.oi("redacted_at")?.is_some(),
    })
}

/// Which tasks to list.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub open_only: bool,
    pub assignee: Option<StaffId>,
    pub role: Option<Role>,
    pub person: Option<PersonId>,
    pub kind: Option<TaskKind>,
}

const TASK_COLS: &str = "id, kind, person_id, assignee, role, title, due_on, clause, subject, created_at, done_at, done_by, outcome";
pub(crate) const CONTACT_COLS: &str = "id, person_id, matter_id, channel, direction, at, staff_id, identifier, summary, body, breach_of, screening, not_recorded_as_complaint, duration_seconds";
const PLAN_COLS: &str = "id, person_id, version, status, review_due, ends_on, body";

impl Store {
    /// The row `sql` finds by its one parameter `p`, read by `row` (a value that does not
    /// decode is the row reader's error, never a default).
    async fn one<'q, P, T>(
        &self,
        sql: &'q str,
        p: P,
        row: fn(&AnyRow) -> Result<T>,
    ) -> Result<Option<T>>
    where
        P: 'q + Send + sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any>,
    {
        sqlx::query(sql)
            .bind(p)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(row)
            .transpose()
    }

    /// Every row `sql` finds by its one parameter `p`, in its order, each read by `row`.
    async fn all<'q, P, T>(
        &self,
        sql: &'q str,
        p: P,
        row: fn(&AnyRow) -> Result<T>,
    ) -> Result<Vec<T>>
    where
        P: 'q + Send + sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any>,
    {
        sqlx::query(sql)
            .bind(p)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(row)
            .collect()
    }

    async fn identifiers_of(&self, person: i64) -> Result<Vec<IdentRow>> {
        self.all("SELECT identifier, kind, verified, shared FROM person_identifiers WHERE person_id = $1 ORDER BY kind, identifier", person, ident_row).await
    }

    /// The record a merged record now points to (issue 10), if `id` was merged.
    ///
    /// # Errors
    /// The database's error.
    pub async fn merged_into(&self, id: PersonId) -> Result<Option<PersonId>> {
        let row = sqlx::query("SELECT merged_into FROM people WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => Ok(Cols::of(&r, "people").oi("merged_into")?.map(PersonId)),
            None => Ok(None),
        }
    }

    /// A person's record; `None` for no such person, or one merged into another.
    ///
    /// # Errors
    /// The database's error, or corrupt data.
    pub async fn person(&self, id: PersonId) -> Result<Option<ServiceUser>> {
        let row = sqlx::query(&format!(
            "SELECT {PERSON_COLS} FROM people WHERE id = $1 AND merged_into IS NULL"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some(person_row(&r, self.identifiers_of(id.0).await?)?)),
        }
    }

    /// Names and references of several people at once, for lists (a task list names the
    /// person each task is about). Unknown ids are left out.
    ///
    /// # Errors
    /// The database's error.
    pub async fn names_of(
        &self,
        ids: &[PersonId],
    ) -> Result<std::collections::HashMap<PersonId, (String, String)>> {
        let mut out = std::collections::HashMap::new();
        let mut wanted: Vec<i64> = ids.iter().map(|p| p.0).collect();
        wanted.sort_unstable();
        wanted.dedup();
        for chunk in wanted.chunks(200) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT id, name, reference FROM people WHERE id IN ({})",
                marks.join(",")
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.pool).await? {
                let r = Cols::of(&r, "people");
                out.insert(PersonId(r.i("id")?), (r.s("name")?, r.s("reference")?));
            }
        }
        Ok(out)
    }

    /// Like [`Store::person`], but a missing person is an error naming the id.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn person_required(&self, id: PersonId) -> Result<ServiceUser> {
        self.person(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("no service user {id}")))
    }

    /// The people who use `identifier` (a normalised phone number or email address), oldest first.
    ///
    /// # Errors
    /// The database's error.
    pub async fn people_by_identifier(&self, identifier: &str) -> Result<Vec<PersonId>> {
        let rows = sqlx::query(
            "SELECT person_id FROM person_identifiers WHERE identifier = $1 ORDER BY person_id",
        )
        .bind(identifier)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(PersonId(Cols::of(r, "person_identifiers").i("person_id")?)))
            .collect()
    }

    /// Everyone who holds an identifier, with how they hold it (`phone`, `email`,
    /// `advocate-phone`, `advocate-email`), their own before an advocate's.
    ///
    /// # Errors
    /// The database's error.
    pub async fn identifier_holders(&self, identifier: &str) -> Result<Vec<(PersonId, String)>> {
        let rows = sqlx::query(
            "SELECT person_id, kind FROM person_identifiers WHERE identifier = $1 ORDER BY kind LIKE 'advocate%', person_id",
        )
        .bind(identifier)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let r = Cols::of(r, "person_identifiers");
                Ok((PersonId(r.i("person_id")?), r.s("kind")?))
            })
            .collect()
    }

    /// Finds people by reference, exact identifier, or a part of their name.
    ///
    /// # Errors
    /// The database's error.
    pub async fn search_people(&self, query: &str, limit: i64) -> Result<Vec<ServiceUser>> {
        let q = &tact_core::model::one_spaced(query);
        let mut ids: Vec<i64> = Vec::new();
        if let Some(id) = PersonId::from_reference(q) {
            // A reference, however it was typed (`su-123`), goes straight to its unique index.
            let row =
                sqlx::query("SELECT id FROM people WHERE reference = $1 AND merged_into IS NULL")
                    .bind(id.reference())
                    .fetch_optional(&self.pool)
                    .await?;
            if let Some(r) = row {
                ids.push(Cols::of(&r, "people").i("id")?);
            }
        } else if let Some(m) = tact_core::ids::MatterId::from_reference(q) {
            // A matter's reference (`M-000123`, as a letter quotes it to them) finds whose
            // matter it is: a merged record's matters moved to the record kept.
            let row = sqlx::query("SELECT person_id FROM matters WHERE id = $1")
                .bind(m.0)
                .fetch_optional(&self.pool)
                .await?;
            if let Some(r) = row {
                ids.push(Cols::of(&r, "matters").i("person_id")?);
            }
        } else if let Ok(ident) = tact_core::identity::Identifier::parse(q) {
            // A phone number or an email address goes straight to the identifier index.
            ids.extend(
                self.people_by_identifier(ident.key())
                    .await?
                    .into_iter()
                    .map(|p| p.0),
            );
            if ids.is_empty() {
                ids = self.people_named(q, limit).await?;
            }
        } else {
            ids = self.people_named(q, limit).await?;
        }
        let mut out = Vec::new();
        for id in ids.into_iter().take(usize::try_from(limit).unwrap_or(50)) {
            if let Some(p) = self.person(PersonId(id)).await? {
                out.push(p);
            }
        }
        out.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then(a.id.cmp(&b.id))
        });
        Ok(out)
    }

    /// People whose name contains `part`: through the trigram index (SQLite FTS5, PostgreSQL
    /// pg_trgm) for three letters or more; a shorter part is matched from the start of the
    /// name. At most `limit`, in the order the index gives them.
    async fn people_named(&self, part: &str, limit: i64) -> Result<Vec<i64>> {
        let lower = part.to_lowercase();
        if lower.is_empty() {
            return Ok(Vec::new());
        }
        let rows = if lower.chars().count() < 3 {
            sqlx::query("SELECT id FROM people WHERE name_lower LIKE $1 ESCAPE '\\' AND merged_into IS NULL LIMIT $2")
                .bind(format!("{}%", like_escape(&lower)))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
        } else if self.backend == crate::Backend::Sqlite {
            // A phrase in double quotes matches the letters as they are, anywhere in the
            // name (the trigram tokenizer); a double quote inside is doubled.
            sqlx::query("SELECT p.id FROM people_names f JOIN people p ON p.id = f.rowid WHERE people_names MATCH $1 AND p.merged_into IS NULL LIMIT $2")
                .bind(format!("\"{}\"", lower.replace('"', "\"\"")))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
        } else {
            // pg_trgm's index reads the whole list of rows for every trigram of the pattern,
            // so a part of several words ("rson 123456") read the long lists its common
            // trigrams have (p95 44 ms at a million people). The index is asked for the
            // longest word alone and the whole part is checked on what it finds, by a test
            // the index cannot take over (`strpos`): 5–7 ms.
            let longest = lower
                .split_whitespace()
                .filter(|w| w.chars().count() >= 3)
                .max_by_key(|w| w.chars().count())
                .unwrap_or(&lower);
            sqlx::query("SELECT id FROM people WHERE name_lower LIKE $1 ESCAPE '\\' AND strpos(name_lower, $2) > 0 AND merged_into IS NULL LIMIT $3")
                .bind(format!("%{}%", like_escape(longest)))
                .bind(lower.clone())
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
        };
        rows.iter().map(|r| Cols::of(r, "people").i("id")).collect()
    }

    /// # Errors
    /// The database's error.
    pub async fn staff_list(&self) -> Result<Vec<Staff>> {
        sqlx::query(
            "SELECT id, name, email, role, line_manager, active, scope FROM staff ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(staff_row)
        .collect()
    }

    /// # Errors
    /// The database's error.
    pub async fn staff(&self, id: StaffId) -> Result<Option<Staff>> {
        sqlx::query(
            "SELECT id, name, email, role, line_manager, active, scope FROM staff WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(staff_row)
        .transpose()
    }

    /// The active member of staff (or service account) holding the live API token with
    /// this SHA-256 hash, and when the token expires: none for a token revoked, expired at
    /// `now`, or held by someone no longer active.
    ///
    /// # Errors
    /// The database's error.
    pub async fn staff_by_token_hash(
        &self,
        hash: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<(Staff, jiff::Timestamp)>> {
        let row = sqlx::query("SELECT s.id, s.name, s.email, s.role, s.line_manager, s.active, s.scope, t.expires_at FROM tokens t JOIN staff s ON s.id = t.staff_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND s.active = 1")
            .bind(hash)
            .bind(crate::codec::ts(now))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref()
            .map(|r| {
                Ok((
                    staff_row(r)?,
                    crate::Cols::of(r, "tokens").ts("expires_at")?,
                ))
            })
            .transpose()
    }

    /// The tokens `holder` holds (everyone's without one), newest first, revoked and
    /// expired ones included.
    ///
    /// # Errors
    /// The database's error.
    pub async fn tokens(&self, holder: Option<StaffId>) -> Result<Vec<ApiToken>> {
        let rows = match holder {
            Some(h) => sqlx::query("SELECT id, staff_id, name, created_at, created_by, expires_at, revoked_at, revoked_by FROM tokens WHERE staff_id = $1 ORDER BY id DESC")
                .bind(h.0)
                .fetch_all(&self.pool)
                .await?,
            None => sqlx::query("SELECT id, staff_id, name, created_at, created_by, expires_at, revoked_at, revoked_by FROM tokens ORDER BY id DESC")
                .fetch_all(&self.pool)
                .await?,
        };
        rows.iter().map(token_row).collect()
    }

    /// One token by its id.
    ///
    /// # Errors
    /// The database's error.
    pub async fn token(&self, id: i64) -> Result<Option<ApiToken>> {
        self.one("SELECT id, staff_id, name, created_at, created_by, expires_at, revoked_at, revoked_by FROM tokens WHERE id = $1", id, token_row).await
    }

    /// # Errors
    /// The database's error.
    pub async fn matters_of(&self, person: PersonId) -> Result<Vec<Matter>> {
        self.all(
            "SELECT * FROM matters WHERE person_id = $1 ORDER BY id",
            person.0,
            matter_row,
        )
        .await
    }

    /// # Errors
    /// The database's error.
    pub async fn matter(&self, id: MatterId) -> Result<Option<Matter>> {
        self.one("SELECT * FROM matters WHERE id = $1", id.0, matter_row)
            .await
    }

    /// The person's most recent contacts, newest first.
    ///
    /// # Errors
    /// The database's error.
    pub async fn contacts_of(&self, person: PersonId, limit: i64) -> Result<Vec<Contact>> {
        sqlx::query(&format!("SELECT {CONTACT_COLS} FROM contacts WHERE person_id = $1 ORDER BY at DESC, id DESC LIMIT $2"))
            .bind(person.0)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(contact_row)
            .collect()
    }

    /// # Errors
    /// The database's error.
    pub async fn contact(&self, id: ContactId) -> Result<Option<Contact>> {
        self.one(
            &format!("SELECT {CONTACT_COLS} FROM contacts WHERE id = $1"),
            id.0,
            contact_row,
        )
        .await
    }

    /// Every person's equality monitoring answers (issue 13), for the report.
    ///
    /// # Errors
    /// The database's error; answers that cannot be read, naming the column.
    pub async fn equality_all(&self) -> Result<Vec<tact_core::equality::Monitoring>> {
        self.equality_rows(None).await
    }

    /// One person's equality monitoring answers, if any.
    ///
    /// # Errors
    /// As [`Store::equality_all`].
    pub async fn equality_of(
        &self,
        person: PersonId,
    ) -> Result<Option<tact_core::equality::Monitoring>> {
        Ok(self.equality_rows(Some(person)).await?.pop())
    }

    async fn equality_rows(
        &self,
        person: Option<PersonId>,
    ) -> Result<Vec<tact_core::equality::Monitoring>> {
        let rows = match person {
            None => sqlx::query("SELECT person_id, consented_at, recorded_by, answers FROM equality_monitoring ORDER BY person_id")
                .fetch_all(&self.pool)
                .await?,
            Some(p) => sqlx::query("SELECT person_id, consented_at, recorded_by, answers FROM equality_monitoring WHERE person_id = $1")
                .bind(p.0)
                .fetch_all(&self.pool)
                .await?,
        };
        let mut out = Vec::new();
        for r in &rows {
            let c = Cols::of(r, "equality_monitoring");
            let raw = c.s("answers")?;
            let map: std::collections::BTreeMap<String, String> = serde_json::from_str(&raw)
                .map_err(|e| StoreError::Corrupt(format!("equality_monitoring.answers: {e}")))?;
            let mut answers = std::collections::BTreeMap::new();
            for (k, v) in map {
                let ch = tact_core::equality::Characteristic::parse(&k).map_err(|_| {
                    StoreError::Corrupt(format!(
                        "equality_monitoring.answers: no characteristic {k:?}"
                    ))
                })?;
                answers.insert(ch, v);
            }
            out.push(tact_core::equality::Monitoring {
                person_id: PersonId(c.i("person_id")?),
                consented_at: c.ts("consented_at")?,
                recorded_by: StaffId(c.i("recorded_by")?),
                answers,
            });
        }
        Ok(out)
    }

    /// Whether a person has equality monitoring answers on record (not what they are).
    ///
    /// # Errors
    /// The database's error.
    pub async fn has_equality(&self, person: PersonId) -> Result<bool> {
        let r = sqlx::query("SELECT COUNT(*) AS n FROM equality_monitoring WHERE person_id = $1")
            .bind(person.0)
            .fetch_one(&self.pool)
            .await?;
        Ok(Cols::of(&r, "equality_monitoring").i("n")? > 0)
    }

    /// Who has been warned, had a plan authorised, and been given an adjustment: the
    /// outcomes the equality report counts.
    ///
    /// # Errors
    /// The database's error.
    pub async fn equality_outcomes(&self) -> Result<tact_core::equality::Outcomes> {
        let ids = |sql: &'static str| async move {
            let rows = sqlx::query(sql).fetch_all(&self.pool).await?;
            rows.iter()
                .map(|r| Cols::of(r, "people").i("person_id").map(PersonId))
                .collect::<Result<std::collections::HashSet<PersonId>>>()
        };
        Ok(tact_core::equality::Outcomes {
            warned: ids("SELECT DISTINCT person_id FROM warnings").await?,
            restricted: ids("SELECT DISTINCT person_id FROM plans WHERE status IN ('authorised', 'active', 'lifted')").await?,
            adjusted: ids("SELECT DISTINCT person_id FROM adjustments WHERE status = 'granted'").await?,
        })
    }

    /// The office's inbound contact from service users other than `except` since `since`:
    /// how many people were in contact, and how many contacts by channel (issue 13: the
    /// usual a decision about `except` is set beside).
    ///
    /// # Errors
    /// The database's error; a channel the store does not know.
    pub async fn contact_rates_since(
        &self,
        since: jiff::Timestamp,
        except: PersonId,
    ) -> Result<(u64, Vec<(Channel, u64)>)> {
        let at = crate::codec::ts(since);
        let people = sqlx::query("SELECT COUNT(DISTINCT person_id) AS n FROM contacts WHERE at >= $1 AND direction = 'inbound' AND person_id IS NOT NULL AND person_id <> $2")
            .bind(at)
            .bind(except.0)
            .fetch_one(&self.pool)
            .await?;
        let people = Cols::of(&people, "contacts").i("n")?;
        let rows = sqlx::query("SELECT channel, COUNT(*) AS n FROM contacts WHERE at >= $1 AND direction = 'inbound' AND person_id IS NOT NULL AND person_id <> $2 GROUP BY channel")
            .bind(at)
            .bind(except.0)
            .fetch_all(&self.pool)
            .await?;
        let mut by_channel = Vec::new();
        for r in &rows {
            let c = Cols::of(r, "contacts");
            by_channel.push((c.word("channel")?, u64::try_from(c.i("n")?).unwrap_or(0)));
        }
        Ok((u64::try_from(people).unwrap_or(0), by_channel))
    }

    /// Inbound calls from the person since `since` (for limits on calls per window).
    ///
    /// # Errors
    /// The database's error.
    pub async fn recent_calls(
        &self,
        person: PersonId,
        since: jiff::Timestamp,
    ) -> Result<Vec<jiff::Timestamp>> {
        let rows = sqlx::query("SELECT at FROM contacts WHERE person_id = $1 AND channel = 'phone' AND direction = 'inbound' AND at >= $2 ORDER BY at")
            .bind(person.0)
            .bind(crate::codec::ts(since))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Cols::of(r, "contacts").ts("at"))
            .collect()
    }

    /// Contacts waiting to be screened (CLE-9.10), oldest first.
    ///
    /// # Errors
    /// The database's error.
    pub async fn screening_queue(&self, limit: i64) -> Result<Vec<Contact>> {
        self.all(
            &format!(
            "SELECT {CONTACT_COLS} FROM contacts WHERE screening = 'due' ORDER BY at, id LIMIT $1"
        ),
            limit,
            contact_row,
        )
        .await
    }

    /// # Errors
    /// The database's error.
    pub async fn incident(&self, id: IncidentId) -> Result<Option<Incident>> {
        self.one("SELECT * FROM incidents WHERE id = $1", id.0, incident_row)
            .await
    }

    /// # Errors
    /// The database's error.
    pub async fn incidents_of(&self, person: PersonId) -> Result<Vec<Incident>> {
        self.all(
            "SELECT * FROM incidents WHERE person_id = $1 ORDER BY occurred_at, id",
            person.0,
            incident_row,
        )
        .await
    }

    /// # Errors
    /// The database's error.
    pub async fn warning(&self, id: WarningId) -> Result<Option<Warning>> {
        self.one("SELECT * FROM warnings WHERE id = $1", id.0, warning_row)
            .await
    }

    /// # Errors
    /// The database's error.
    pub async fn warnings_of(&self, person: PersonId) -> Result<Vec<Warning>> {
        self.all(
            "SELECT * FROM warnings WHERE person_id = $1 ORDER BY given_at, id",
            person.0,
            warning_row,
        )
        .await
    }

    /// # Errors
    /// The database's error.
    pub async fn plans_of(&self, person: PersonId) -> Result<Vec<Plan>> {
        self.all(
            &format!("SELECT {PLAN_COLS} FROM plans WHERE person_id = $1 ORDER BY id"),
            person.0,
            plan_row,
        )
        .await
    }

    /// # Errors
    /// The database's error.
    pub async fn plan(&self, id: PlanId) -> Result<Option<Plan>> {
        self.one(
            &format!("SELECT {PLAN_COLS} FROM plans WHERE id = $1"),
            id.0,
            plan_row,
        )
        .await
    }

    /// Plans in any of `statuses`, with their review due on or before `due_by` when given.
    ///
    /// # Errors
    /// The database's error.
    pub async fn plans_by_status(
        &self,
        statuses: &[PlanStatus],
        due_by: Option<jiff::civil::Date>,
    ) -> Result<Vec<Plan>> {
        if statuses.is_empty() {
            return Ok(Vec::new());
        }
        // The statuses are bound values; only their placeholders are written into the SQL.
        let marks: Vec<String> = (2..=statuses.len() + 1).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {PLAN_COLS} FROM plans WHERE status IN ({}) AND review_due <= $1 ORDER BY review_due, id",
            marks.join(",")
        );
        let due = due_by.map_or_else(|| "9999-12-31".to_string(), crate::codec::date);
        let mut q = sqlx::query(&sql).bind(due);
        for st in statuses {
            q = q.bind(st.as_str());
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(plan_row)
            .collect()
    }

    /// # Errors
    /// The database's error.
    pub async fn adjustments_of(&self, person: PersonId) -> Result<Vec<Adjustment>> {
        self.all(
            "SELECT * FROM adjustments WHERE person_id = $1 ORDER BY id",
            person.0,
            adjustment_row,
        )
        .await
    }

    /// # Errors
    /// The database's error.
    pub async fn adjustment(&self, id: AdjustmentId) -> Result<Option<Adjustment>> {
        self.one(
            "SELECT * FROM adjustments WHERE id = $1",
            id.0,
            adjustment_row,
        )
        .await
    }

    /// The kept message with this Message-ID, if any.
    ///
    /// # Errors
    /// The database's error.
    pub async fn message_by_message_id(
        &self,
        message_id: &str,
    ) -> Result<Option<tact_core::correspondence::StoredMessage>> {
        self.one(
            &format!("SELECT {MESSAGE_COLS} FROM messages WHERE message_id = $1"),
            message_id.to_string(),
            message_row,
        )
        .await
    }

    /// # Errors
    /// The database's error.
    pub async fn message(
        &self,
        id: i64,
    ) -> Result<Option<tact_core::correspondence::StoredMessage>> {
        self.one(
            &format!("SELECT {MESSAGE_COLS} FROM messages WHERE id = $1"),
            id,
            message_row,
        )
        .await
    }

    /// How many letters are in one state.
    ///
    /// # Errors
    /// The database's error.
    pub async fn count_letters(
        &self,
        status: tact_core::correspondence::LetterStatus,
    ) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM letters WHERE status = $1")
            .bind(status.as_str())
            .fetch_one(&self.pool)
            .await?;
        Cols::of(&row, "letters").i("n")
    }

    /// How many messages went one way.
    ///
    /// # Errors
    /// The database's error.
    pub async fn count_routed(&self, route: tact_core::correspondence::Route) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM messages WHERE route = $1")
            .bind(route.as_str())
            .fetch_one(&self.pool)
            .await?;
        Cols::of(&row, "messages").i("n")
    }

    /// Messages that went one way (the quarantine, the screening queue…), oldest first.
    ///
    /// # Errors
    /// The database's error.
    pub async fn messages_routed(
        &self,
        route: tact_core::correspondence::Route,
        limit: i64,
    ) -> Result<Vec<tact_core::correspondence::StoredMessage>> {
        sqlx::query(&format!(
            "SELECT {MESSAGE_COLS} FROM messages WHERE route = $1 ORDER BY received_at, id LIMIT $2"
        ))
        .bind(route.as_str())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(message_row)
        .collect()
    }

    /// A person's messages, newest first.
    ///
    /// # Errors
    /// The database's error.
    pub async fn messages_of(
        &self,
        person: PersonId,
    ) -> Result<Vec<tact_core::correspondence::StoredMessage>> {
        self.all(&format!(
            "SELECT {MESSAGE_COLS} FROM messages WHERE person_id = $1 ORDER BY received_at DESC, id DESC"
        ), person.0, message_row).await
    }

    /// A message exactly as received, and its attachments (name, type, bytes).
    ///
    /// # Errors
    /// The database's error.
    pub async fn message_content(
        &self,
        id: i64,
    ) -> Result<Option<(Vec<u8>, Vec<(Option<String>, String, Vec<u8>)>)>> {
        let Some(row) = sqlx::query("SELECT raw FROM messages WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let raw: Vec<u8> = sqlx::Row::try_get(&row, "raw")?;
        let mut atts = Vec::new();
        for r in sqlx::query(
            "SELECT name, content_type, bytes FROM attachments WHERE message_ref = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        {
            atts.push((
                Cols::of(&r, "attachments").os("name")?,
                Cols::of(&r, "attachments").s("content_type")?,
                sqlx::Row::try_get::<Vec<u8>, _>(&r, "bytes")?,
            ));
        }
        Ok(Some((raw, atts)))
    }

    /// A person's matter by its reference (such as M-000123).
    ///
    /// # Errors
    /// The database's error.
    pub async fn matter_by_reference(&self, reference: &str) -> Result<Option<Matter>> {
        self.one(
            "SELECT * FROM matters WHERE reference = $1",
            reference.to_string(),
            matter_row,
        )
        .await
    }

    /// A person's letters, newest first.
    ///
    /// # Errors
    /// The database's error.
    pub async fn letters_of(
        &self,
        person: PersonId,
    ) -> Result<Vec<tact_core::correspondence::StoredLetter>> {
        self.all(
            "SELECT * FROM letters WHERE person_id = $1 ORDER BY id DESC",
            person.0,
            letter_row,
        )
        .await
    }

    /// # Errors
    /// The database's error.
    pub async fn letter(&self, id: i64) -> Result<Option<tact_core::correspondence::StoredLetter>> {
        self.one("SELECT * FROM letters WHERE id = $1", id, letter_row)
            .await
    }

    /// Letters in one state, oldest first; with `due_by`, only those due to be tried by
    /// then (queued email waiting for its next attempt is left out).
    ///
    /// # Errors
    /// The database's error.
    pub async fn letters_in(
        &self,
        status: tact_core::correspondence::LetterStatus,
        due_by: Option<jiff::Timestamp>,
        limit: i64,
    ) -> Result<Vec<tact_core::correspondence::StoredLetter>> {
        sqlx::query(
            "SELECT * FROM letters WHERE status = $1 AND ($2 IS NULL OR next_attempt_at IS NULL OR next_attempt_at <= $2) ORDER BY id LIMIT $3",
        )
        .bind(status.as_str())
        .bind(due_by.map(crate::codec::ts))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(letter_row)
        .collect()
    }

    /// # Errors
    /// The database's error.
    pub async fn rights_request(
        &self,
        id: i64,
    ) -> Result<Option<tact_core::rights::RightsRequest>> {
        self.one("SELECT * FROM data_rights WHERE id = $1", id, rights_row)
            .await
    }

    /// One person's data-rights requests, oldest first; or, with `None`, every open one by
    /// deadline.
    ///
    /// # Errors
    /// The database's error.
    pub async fn rights_requests(
        &self,
        person: Option<PersonId>,
    ) -> Result<Vec<tact_core::rights::RightsRequest>> {
        let rows = match person {
            Some(p) => {
                sqlx::query("SELECT * FROM data_rights WHERE person_id = $1 ORDER BY id")
                    .bind(p.0)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query("SELECT * FROM data_rights WHERE status = 'open' ORDER BY COALESCE(extended_to, due_on), id")
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(rights_row).collect()
    }

    /// Every incident's category, for reports.
    ///
    /// # Errors
    /// The database's error.
    pub async fn incident_categories(
        &self,
    ) -> Result<std::collections::BTreeMap<IncidentId, String>> {
        sqlx::query("SELECT id, category FROM incidents")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let r = Cols::of(r, "incidents");
                Ok((IncidentId(r.i("id")?), r.s("category")?))
            })
            .collect()
    }

    /// When each contact recorded as a breach was made, between two times.
    ///
    /// # Errors
    /// The database's error.
    pub async fn breach_times(
        &self,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    ) -> Result<Vec<jiff::Timestamp>> {
        sqlx::query("SELECT at FROM contacts WHERE breach_of <> '' AND at >= $1 AND at <= $2")
            .bind(crate::codec::ts(from))
            .bind(crate::codec::ts(to))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Cols::of(r, "contacts").ts("at"))
            .collect()
    }

    /// Event-log entries of one kind between two times, oldest first.
    ///
    /// # Errors
    /// The database's error.
    pub async fn events_between(
        &self,
        action: &str,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    ) -> Result<Vec<StoredEntry>> {
        sqlx::query(
            "SELECT * FROM audit_log WHERE action = $1 AND at >= $2 AND at <= $3 ORDER BY seq",
        )
        .bind(action)
        .bind(crate::codec::ts(from))
        .bind(crate::codec::ts(to))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(entry_row)
        .collect()
    }

    /// Every dispute, for reports.
    ///
    /// # Errors
    /// The database's error.
    pub async fn all_disputes(&self) -> Result<Vec<Dispute>> {
        sqlx::query("SELECT * FROM disputes ORDER BY id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(dispute_row)
            .collect()
    }

    /// Every adjustment, for reports.
    ///
    /// # Errors
    /// The database's error.
    pub async fn all_adjustments(&self) -> Result<Vec<Adjustment>> {
        sqlx::query("SELECT * FROM adjustments ORDER BY id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(adjustment_row)
            .collect()
    }

    /// The reason of the legal hold in place on a person's records, if one is.
    ///
    /// # Errors
    /// The database's error.
    pub async fn hold_in_place(&self, person: PersonId) -> Result<Option<(i64, String)>> {
        sqlx::query("SELECT id, reason FROM legal_holds WHERE person_id = $1 AND lifted_at IS NULL ORDER BY id LIMIT 1")
            .bind(person.0)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| {
                let r = Cols::of(&r, "legal_holds");
                Ok::<_, StoreError>((r.i("id")?, r.s("reason")?))
            })
            .transpose()
    }

    /// Every legal hold in place, the longest-standing first, with the reference of the
    /// person whose records it keeps.
    ///
    /// # Errors
    /// The database's error, or a value that does not decode.
    pub async fn holds_in_place(&self) -> Result<Vec<tact_core::retention::LegalHold>> {
        sqlx::query("SELECT h.id, h.person_id, p.reference, h.reason, h.placed_by, h.placed_at FROM legal_holds h JOIN people p ON p.id = h.person_id WHERE h.lifted_at IS NULL ORDER BY h.placed_at, h.id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let r = Cols::of(r, "legal_holds");
                Ok(tact_core::retention::LegalHold {
                    id: r.i("id")?,
                    person: PersonId(r.i("person_id")?),
                    reference: r.s("reference")?,
                    reason: r.s("reason")?,
                    placed_by: StaffId(r.i("placed_by")?),
                    placed_at: r.ts("placed_at")?,
                })
            })
            .collect()
    }

    /// The last day anything passed between a person and the office: a contact either way
    /// or a letter written to them.
    ///
    /// # Errors
    /// The database's error.
    pub async fn last_activity(&self, person: PersonId) -> Result<Option<jiff::Timestamp>> {
        let row = sqlx::query("SELECT (SELECT MAX(at) FROM contacts WHERE person_id = $1) AS c, (SELECT MAX(created_at) FROM letters WHERE person_id = $1) AS l")
            .bind(person.0)
            .fetch_one(&self.pool)
            .await?;
        let r = Cols::of(&row, "contacts and letters");
        Ok([r.ots("c")?, r.ots("l")?].into_iter().flatten().max())
    }

    /// The disposal register, newest first: reference, due date, when destroyed, by whom
    /// (none for the scheduled run), and what went.
    ///
    /// # Errors
    /// The database's error.
    pub async fn disposal_register(
        &self,
        limit: i64,
    ) -> Result<Vec<tact_core::retention::RegisterEntry>> {
        sqlx::query("SELECT reference, due_on, destroyed_at, destroyed_by, counts FROM disposal_register ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let r = Cols::of(r, "disposal_register");
                Ok(tact_core::retention::RegisterEntry {
                    reference: r.s("reference")?,
                    due_on: r.date("due_on")?,
                    destroyed_at: r.ts("destroyed_at")?,
                    destroyed_by: r.oi("destroyed_by")?.map(StaffId),
                    destroyed: r.s("counts")?,
                })
            })
            .collect()
    }

    /// The access log, newest first: one person's, or everyone's.
    ///
    /// # Errors
    /// The database's error.
    pub async fn access_log(
        &self,
        person: Option<PersonId>,
        limit: i64,
    ) -> Result<Vec<tact_core::model::Access>> {
        let rows = match person {
            Some(p) => {
                sqlx::query("SELECT person_id, staff_id, at, what FROM access_log WHERE person_id = $1 ORDER BY at DESC, id DESC LIMIT $2")
                    .bind(p.0)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query("SELECT person_id, staff_id, at, what FROM access_log ORDER BY at DESC, id DESC LIMIT $1")
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter()
            .map(|r| {
                let r = Cols::of(r, "access_log");
                Ok(tact_core::model::Access {
                    person_id: PersonId(r.i("person_id")?),
                    staff_id: StaffId(r.i("staff_id")?),
                    at: r.ts("at")?,
                    what: r.s("what")?,
                })
            })
            .collect()
    }

    /// Whether `job` has been claimed for `period` already.
    ///
    /// # Errors
    /// The database's error.
    pub async fn job_ran(&self, job: &str, period: &str) -> Result<bool> {
        Ok(
            sqlx::query("SELECT 1 AS x FROM job_runs WHERE job = $1 AND period = $2")
                .bind(job)
                .bind(period)
                .fetch_optional(&self.pool)
                .await?
                .is_some(),
        )
    }

    /// People who may be due for disposal on `cutoff` (the profile's years before today):
    /// recorded by then, every matter finalised by then, and nothing passed between them
    /// since. The full rule (plans, holds, data-rights requests) is then applied to each.
    ///
    /// # Errors
    /// The database's error.
    pub async fn disposal_candidates(
        &self,
        cutoff: jiff::civil::Date,
        cutoff_at: jiff::Timestamp,
        after: i64,
        limit: i64,
    ) -> Result<Vec<PersonId>> {
        sqlx::query(
            "SELECT p.id FROM people p WHERE p.id > $1 AND p.created_at <= $2 \
             AND NOT EXISTS (SELECT 1 FROM matters m WHERE m.person_id = p.id AND (m.status <> 'finalised' OR m.finalised_on IS NULL OR m.finalised_on > $3)) \
             AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.person_id = p.id AND c.at > $2) \
             AND NOT EXISTS (SELECT 1 FROM letters l WHERE l.person_id = p.id AND l.created_at > $2) \
             ORDER BY p.id LIMIT $4",
        )
        .bind(after)
        .bind(crate::codec::ts(cutoff_at))
        .bind(crate::codec::date(cutoff))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok(PersonId(Cols::of(r, "people").i("id")?)))
        .collect()
    }

    /// The latest runs of the scheduled jobs: job, day, when, what it did; newest first.
    ///
    /// # Errors
    /// The database's error.
    pub async fn job_runs(
        &self,
        limit: i64,
    ) -> Result<Vec<(String, String, jiff::Timestamp, String)>> {
        let rows = sqlx::query(
            "SELECT job, period, ran_at, outcome FROM job_runs ORDER BY ran_at DESC, job LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let r = Cols::of(r, "job_runs");
                Ok((
                    r.s("job")?,
                    r.s("period")?,
                    r.ts("ran_at")?,
                    r.s("outcome")?,
                ))
            })
            .collect()
    }

    /// # Errors
    /// The database's error.
    pub async fn disclosures_of(&self, person: PersonId) -> Result<Vec<Disclosure>> {
        self.all(
            "SELECT * FROM disclosures WHERE person_id = $1 ORDER BY id",
            person.0,
            disclosure_row,
        )
        .await
    }

    /// # Errors
    /// The database's error.
    pub async fn disclosure(&self, id: DisclosureId) -> Result<Option<Disclosure>> {
        self.one(
            "SELECT * FROM disclosures WHERE id = $1",
            id.0,
            disclosure_row,
        )
        .await
    }

    /// The disclosure log (CLE-9.15): what was shared, with whom and when, newest first.
    ///
    /// # Errors
    /// The database's error.
    pub async fn disclosure_log(&self, limit: i64) -> Result<Vec<Disclosure>> {
        sqlx::query(
            "SELECT * FROM disclosures WHERE shared_at IS NOT NULL ORDER BY shared_at DESC, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(disclosure_row)
        .collect()
    }

    /// # Errors
    /// The database's error.
    pub async fn disputes_of(&self, person: PersonId) -> Result<Vec<Dispute>> {
        self.all(
            "SELECT * FROM disputes WHERE person_id = $1 ORDER BY id",
            person.0,
            dispute_row,
        )
        .await
    }

    /// The disputes about one plan, oldest first.
    ///
    /// # Errors
    /// The database's error.
    pub async fn disputes_about(&self, plan: PlanId) -> Result<Vec<Dispute>> {
        self.all(
            "SELECT * FROM disputes WHERE plan_id = $1 ORDER BY id",
            plan.0,
            dispute_row,
        )
        .await
    }

    /// # Errors
    /// The database's error.
    pub async fn dispute(&self, id: DisputeId) -> Result<Option<Dispute>> {
        self.one("SELECT * FROM disputes WHERE id = $1", id.0, dispute_row)
            .await
    }

    /// # Errors
    /// The database's error.
    pub async fn further_actions_of(&self, person: PersonId) -> Result<Vec<FurtherAction>> {
        self.all(
            "SELECT * FROM further_actions WHERE person_id = $1 ORDER BY id",
            person.0,
            further_action_row,
        )
        .await
    }

    /// # Errors
    /// The database's error.
    pub async fn tasks(&self, filter: &TaskFilter, limit: i64) -> Result<Vec<Task>> {
        let (cond, values) = task_conditions(filter);
        let sql = format!(
            "SELECT {TASK_COLS} FROM tasks WHERE {cond} ORDER BY id LIMIT ${}",
            values.len() + 1
        );
        let mut q = sqlx::query(&sql);
        for v in values {
            q = v.bind_to(q);
        }
        q.bind(limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(task_row)
            .collect()
    }

    /// How many tasks the filter finds, by kind (every one, where a list stops at its
    /// limit).
    ///
    /// # Errors
    /// The database's error, or a kind this version does not know.
    pub async fn task_counts(&self, filter: &TaskFilter) -> Result<Vec<(TaskKind, i64)>> {
        let (cond, values) = task_conditions(filter);
        let sql = format!("SELECT kind, COUNT(*) AS n FROM tasks WHERE {cond} GROUP BY kind");
        let mut q = sqlx::query(&sql);
        for v in values {
            q = v.bind_to(q);
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let r = Cols::of(r, "tasks");
                Ok((r.word::<TaskKind>("kind")?, r.i("n")?))
            })
            .collect()
    }

    /// # Errors
    /// The database's error.
    pub async fn task(&self, id: TaskId) -> Result<Option<Task>> {
        self.one(
            &format!("SELECT {TASK_COLS} FROM tasks WHERE id = $1"),
            id.0,
            task_row,
        )
        .await
    }

    /// The whole event log in order, and its recorded head.
    ///
    /// # Errors
    /// The database's error.
    pub async fn audit_log(&self) -> Result<(Vec<StoredEntry>, Option<(i64, String)>)> {
        // The head first, then the entries: read the other way round, an append committed
        // between the two reads made a head past the last entry read, and a running
        // server's log looked cut short (seen by `audit verify --deep` beside a server). The
        // head moves in the same transaction as the entries it names, so every entry up to
        // it is there when it is read: those are checked against it. Entries past it were
        // appended since — unless they are still past the head read again, when they are
        // the log's own problem and are checked with that head.
        let mut head = self.audit_head().await?;
        let mut rows = sqlx::query("SELECT * FROM audit_log ORDER BY seq")
            .fetch_all(&self.pool)
            .await?;
        let seq_of = |r: &AnyRow| Cols::of(r, "audit_log").i("seq");
        if let Some((at, _)) = head.clone() {
            let last = rows.last().map(seq_of).transpose()?;
            if last.is_some_and(|l| l > at) {
                let again = self.audit_head().await?;
                let newest = again.as_ref().map_or(at, |(s, _)| *s);
                if last.is_some_and(|l| l > newest) {
                    head = again;
                } else {
                    let mut keep = Vec::with_capacity(rows.len());
                    for r in rows {
                        if seq_of(&r)? <= at {
                            keep.push(r);
                        }
                    }
                    rows = keep;
                }
            }
        }
        Ok((rows.iter().map(entry_row).collect::<Result<_>>()?, head))
    }

    /// The event log's recorded head: its newest entry's number and hash, without reading
    /// the entries.
    ///
    /// # Errors
    /// The database's error.
    pub async fn audit_head(&self) -> Result<Option<(i64, String)>> {
        sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?
            .map(|r| {
                let r = Cols::of(&r, "audit_head");
                Ok::<_, StoreError>((r.i("seq")?, r.s("hash")?))
            })
            .transpose()
    }

    /// Event log entries about one person.
    ///
    /// Checks the event log's hash chain: how many entries, or where it breaks.
    ///
    /// # Errors
    /// The database's error; a broken chain is the `Err` inside.
    pub async fn verify_audit(
        &self,
    ) -> Result<std::result::Result<u64, tact_core::audit::ChainBreak>> {
        let (entries, head) = self.audit_log().await?;
        Ok(tact_core::audit::verify(
            &entries,
            head.as_ref().map(|(s, h)| (*s, h.as_str())),
        ))
    }

    /// # Errors
    /// The database's error.
    pub async fn audit_of(&self, person: PersonId) -> Result<Vec<StoredEntry>> {
        self.all(
            "SELECT * FROM audit_log WHERE person_id = $1 ORDER BY seq",
            person.0,
            entry_row,
        )
        .await
    }

    /// Every identifier and its person, for the contact-check index, in pages of `limit` after `after`.
    ///
    /// # Errors
    /// The database's error.
    pub async fn identifier_page(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(i64, String, String, String, bool, bool)>> {
        let rows = sqlx::query(
            "SELECT p.id, p.reference, p.name, i.identifier, i.kind, p.help_asked_at FROM people p LEFT JOIN person_identifiers i ON i.person_id = p.id WHERE p.id > $1 AND p.id <= $2 AND p.merged_into IS NULL ORDER BY p.id",
        )
        .bind(after)
        .bind(after + limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let r = Cols::of(r, "people");
                Ok((
                    r.i("id")?,
                    r.s("reference")?,
                    r.s("name")?,
                    r.os("identifier")?.unwrap_or_default(),
                    r.os("kind")?.is_some_and(|k| k.starts_with("advocate")),
                    r.oi("help_asked_at")?.is_some(),
                ))
            })
            .collect()
    }

    /// How many identifiers are held, for sizing the contact-check index.
    ///
    /// # Errors
    /// The database's error.
    pub async fn identifier_count(&self) -> Result<i64> {
        let r = sqlx::query("SELECT COUNT(*) AS n FROM person_identifiers")
            .fetch_one(&self.pool)
            .await?;
        Cols::of(&r, "person_identifiers").i("n")
    }

    /// The highest person id.
    ///
    /// # Errors
    /// The database's error.
    pub async fn max_person_id(&self) -> Result<i64> {
        let r = sqlx::query("SELECT COALESCE(MAX(id), 0) AS n FROM people")
            .fetch_one(&self.pool)
            .await?;
        Cols::of(&r, "people").i("n")
    }

    /// People with an authorised or active plan, or a granted adjustment: the ones the contact check must know in full.
    ///
    /// # Errors
    /// The database's error.
    pub async fn people_needing_views(&self) -> Result<Vec<PersonId>> {
        let rows = sqlx::query(
            "SELECT person_id FROM plans WHERE status IN ('authorised', 'active') UNION SELECT person_id FROM adjustments WHERE status = 'granted'",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PersonId(
                    Cols::of(r, "plans and adjustments").i("person_id")?,
                ))
            })
            .collect()
    }

    /// # Errors
    /// The database's error.
    pub async fn count(&self, table: Table) -> Result<i64> {
        let r = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {}", table.name()))
            .fetch_one(&self.pool)
            .await?;
        Cols::of(&r, table.name()).i("n")
    }
}

/// Tables that can be counted, for health and tests.
#[derive(Debug, Clone, Copy)]
pub enum Table {
    People,
    Contacts,
    Plans,
    Tasks,
    AuditLog,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Self::People => "people",
            Self::Contacts => "contacts",
            Self::Plans => "plans",
            Self::Tasks => "tasks",
            Self::AuditLog => "audit_log",
        }
    }
}

/// What sign-in needs to know about an account.
#[derive(Debug, Clone)]
pub struct Account {
    pub staff: Staff,
    pub password_hash: Option<String>,
    pub failed_sign_ins: i64,
    pub locked_until: Option<jiff::Timestamp>,
    /// The provider identity ("issuer subject") single sign-on linked it to (issue 12).
    pub external_id: Option<String>,
}

/// A member of staff's TOTP secret (issue 12).
#[derive(Debug, Clone)]
pub struct SecondFactorRow {
    pub secret: Vec<u8>,
    /// Whether a code has confirmed it; until then it is being set up.
    pub confirmed: bool,
    /// The last time step a code was accepted for.
    pub last_step: i64,
}

/// A signed-in session.
#[derive(Debug, Clone)]
pub struct Session {
    pub staff: Staff,
    pub csrf: String,
    pub created_at: jiff::Timestamp,
    pub expires_at: jiff::Timestamp,
    /// When it was last used (at most a minute out); its start until then.
    pub last_seen_at: jiff::Timestamp,
    /// `signed-in`, or waiting for a second factor: `code` or `set-up` (issue 12).
    pub stage: String,
    /// The provider's ID token, where single sign-on began the session.
    pub id_token: Option<String>,
}

/// An account as its row holds it.
fn account_row(r: &AnyRow) -> Result<Account> {
    let c = Cols::of(r, "staff");
    Ok(Account {
        staff: staff_row(r)?,
        password_hash: c.os("password_hash")?,
        failed_sign_ins: c.i("failed_sign_ins")?,
        locked_until: c.ots("locked_until")?,
        external_id: c.os("external_id")?,
    })
}

impl Store {
    /// The account with this username (case-insensitive).
    ///
    /// # Errors
    /// The database's error.
    pub async fn account(&self, username: &str) -> Result<Option<Account>> {
        let row = sqlx::query("SELECT id, name, email, role, line_manager, active, scope, password_hash, failed_sign_ins, locked_until, external_id FROM staff WHERE username = $1")
            .bind(username.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(account_row).transpose()
    }

    /// The account of member of staff `staff`, whether or not they have a username: how a
    /// signed-in member of staff's own password is checked before they change it.
    ///
    /// # Errors
    /// The database's error.
    pub async fn account_of(&self, staff: StaffId) -> Result<Option<Account>> {
        let row = sqlx::query("SELECT id, name, email, role, line_manager, active, scope, password_hash, failed_sign_ins, locked_until, external_id FROM staff WHERE id = $1")
            .bind(staff.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(account_row).transpose()
    }

    /// Until when a member of staff's account is locked, if it ever was (issue 12).
    ///
    /// # Errors
    /// The database's error.
    pub async fn staff_lock(&self, staff: StaffId) -> Result<Option<jiff::Timestamp>> {
        let row = sqlx::query("SELECT locked_until FROM staff WHERE id = $1")
            .bind(staff.0)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .map(|r| Cols::of(&r, "staff").ots("locked_until"))
            .transpose()?
            .flatten())
    }

    /// The member of staff single sign-on linked to this provider identity (issue 12).
    ///
    /// # Errors
    /// The database's error.
    pub async fn staff_by_external_id(&self, external_id: &str) -> Result<Option<Staff>> {
        let row = sqlx::query("SELECT id, name, email, role, line_manager, active, scope FROM staff WHERE external_id = $1")
            .bind(external_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| staff_row(&r)).transpose()
    }

    /// A member of staff's TOTP secret, confirmed or being set up (issue 12).
    ///
    /// # Errors
    /// The database's error.
    pub async fn second_factor(&self, staff: StaffId) -> Result<Option<SecondFactorRow>> {
        let row = sqlx::query(
            "SELECT secret, confirmed_at, last_step FROM second_factors WHERE staff_id = $1",
        )
        .bind(staff.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            let c = Cols::of(&r, "second_factors");
            Ok(SecondFactorRow {
                secret: c.bytes("secret")?,
                confirmed: c.ots("confirmed_at")?.is_some(),
                last_step: c.i("last_step")?,
            })
        })
        .transpose()
    }

    /// The members of staff with an authenticator app set up (issue 12).
    ///
    /// # Errors
    /// The database's error.
    pub async fn staff_with_authenticators(&self) -> Result<Vec<StaffId>> {
        let rows = sqlx::query(
            "SELECT staff_id FROM second_factors WHERE confirmed_at IS NOT NULL ORDER BY staff_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Cols::of(r, "second_factors").i("staff_id").map(StaffId))
            .collect()
    }

    /// How many of a member of staff's recovery codes are unused (issue 12).
    ///
    /// # Errors
    /// The database's error.
    pub async fn recovery_codes_left(&self, staff: StaffId) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM recovery_codes WHERE staff_id = $1 AND used_at IS NULL",
        )
        .bind(staff.0)
        .fetch_one(&self.pool)
        .await?;
        Cols::of(&row, "recovery_codes").i("n")
    }

    /// The session whose cookie hashes to `token_hash`, if it has not expired: signed in,
    /// or waiting for a second factor (its `stage` says which).
    ///
    /// # Errors
    /// The database's error.
    pub async fn session(&self, token_hash: &str, now: jiff::Timestamp) -> Result<Option<Session>> {
        let row = sqlx::query("SELECT s.id, s.name, s.email, s.role, s.line_manager, s.active, s.scope, x.csrf, x.created_at, x.expires_at, x.last_seen_at, x.stage, x.id_token FROM sessions x JOIN staff s ON s.id = x.staff_id WHERE x.token_hash = $1 AND x.expires_at > $2 AND s.active = 1")
            .bind(token_hash)
            .bind(crate::codec::ts(now))
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            let x = Cols::of(&r, "sessions");
            let created_at = x.ts("created_at")?;
            Ok(Session {
                staff: staff_row(&r)?,
                csrf: x.s("csrf")?,
                created_at,
                expires_at: x.ts("expires_at")?,
                last_seen_at: x.ots("last_seen_at")?.unwrap_or(created_at),
                stage: x.s("stage")?,
                id_token: x.os("id_token")?,
            })
        })
        .transpose()
    }
}

/// A value bound to a task query's condition.
enum TaskValue {
    Int(i64),
    Text(&'static str),
}

impl TaskValue {
    fn bind_to(self, q: AnyQuery<'_>) -> AnyQuery<'_> {
        match self {
            Self::Int(i) => q.bind(i),
            Self::Text(t) => q.bind(t),
        }
    }
}

/// The WHERE condition for a task filter, and the values for its `$N` placeholders in order.
fn task_conditions(filter: &TaskFilter) -> (String, Vec<TaskValue>) {
    let mut cond = String::from("1 = 1");
    let mut values = Vec::new();
    if filter.open_only {
        cond.push_str(" AND done_at IS NULL");
    }
    // Tasks for a member of staff are theirs by name, or their role's where none is named.
    match (filter.assignee, filter.role) {
        (Some(a), Some(r)) => {
            cond.push_str(&format!(
                " AND (assignee = ${} OR (assignee IS NULL AND role = ${}))",
                values.len() + 1,
                values.len() + 2
            ));
            values.push(TaskValue::Int(a.0));
            values.push(TaskValue::Text(r.as_str()));
        }
        (Some(a), None) => {
            cond.push_str(&format!(" AND assignee = ${}", values.len() + 1));
            values.push(TaskValue::Int(a.0));
        }
        (None, Some(r)) => {
            cond.push_str(&format!(" AND role = ${}", values.len() + 1));
            values.push(TaskValue::Text(r.as_str()));
        }
        (None, None) => {}
    }
    if let Some(p) = filter.person {
        cond.push_str(&format!(" AND person_id = ${}", values.len() + 1));
        values.push(TaskValue::Int(p.0));
    }
    if let Some(k) = filter.kind {
        cond.push_str(&format!(" AND kind = ${}", values.len() + 1));
        values.push(TaskValue::Text(k.as_str()));
    }
    (cond, values)
}

/// A record brought in from an earlier system (issue 14): where from, and as what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub source: String,
    /// Its kind's word (`people`, `matters`, `plans`, …: `tact_core::import::Kind`).
    pub kind: String,
    /// The source's own id for the record.
    pub key: String,
    pub record_id: i64,
    pub person_id: PersonId,
    /// The file's line or spreadsheet row it came from.
    pub line: i64,
    /// A digest of the row as imported.
    pub digest: String,
    pub imported_at: jiff::Timestamp,
    pub imported_by: StaffId,
}

const IMPORTED_COLS: &str =
    "source, kind, source_key, record_id, person_id, line, digest, imported_at, imported_by";

fn imported_row(r: &AnyRow) -> Result<Imported> {
    let c = Cols::of(r, "imported");
    Ok(Imported {
        source: c.s("source")?,
        kind: c.s("kind")?,
        key: c.s("source_key")?,
        record_id: c.i("record_id")?,
        person_id: PersonId(c.i("person_id")?),
        line: c.i("line")?,
        digest: c.s("digest")?,
        imported_at: c.ts("imported_at")?,
        imported_by: StaffId(c.i("imported_by")?),
    })
}

impl Store {
    /// Everything imported from `source` as `kind`, by the source's key.
    ///
    /// # Errors
    /// The database's error.
    pub async fn imported(
        &self,
        source: &str,
        kind: &str,
    ) -> Result<std::collections::HashMap<String, Imported>> {
        let rows = sqlx::query(&format!(
            "SELECT {IMPORTED_COLS} FROM imported WHERE source = $1 AND kind = $2"
        ))
        .bind(source)
        .bind(kind)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| imported_row(r).map(|i| (i.key.clone(), i)))
            .collect()
    }

    /// Where a person's records came from, where any were imported.
    ///
    /// # Errors
    /// The database's error.
    pub async fn imported_for(&self, person: PersonId) -> Result<Vec<Imported>> {
        let rows = sqlx::query(&format!(
            "SELECT {IMPORTED_COLS} FROM imported WHERE person_id = $1 ORDER BY kind DESC, source, line"
        ))
        .bind(person.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(imported_row).collect()
    }
}

/// One page of a table for the office's own reporting (issue 14): records after an id, in
/// id order.
#[derive(Debug, Clone)]
pub enum ExportPage {
    People(Vec<ServiceUser>),
    Matters(Vec<Matter>),
    Contacts(Vec<Contact>),
    Plans(Vec<Plan>),
    Incidents(Vec<Incident>),
}

impl Store {
    /// Up to `limit` people after `after` (merged records left out), with their identifiers.
    ///
    /// # Errors
    /// The database's error.
    pub async fn people_page(&self, after: i64, limit: i64) -> Result<Vec<ServiceUser>> {
        let rows = sqlx::query(&format!(
            "SELECT {PERSON_COLS} FROM people WHERE id > $1 AND merged_into IS NULL ORDER BY id LIMIT $2"
        ))
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            return Ok(Vec::new());
        };
        let (from, to) = (
            Cols::of(first, "people").i("id")?,
            Cols::of(last, "people").i("id")?,
        );
        let idents = sqlx::query("SELECT person_id, identifier, kind, verified, shared FROM person_identifiers WHERE person_id >= $1 AND person_id <= $2 ORDER BY person_id, kind, identifier")
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await?;
        let mut by_person: std::collections::HashMap<i64, Vec<IdentRow>> =
            std::collections::HashMap::new();
        for r in &idents {
            let person = Cols::of(r, "person_identifiers").i("person_id")?;
            by_person.entry(person).or_default().push(ident_row(r)?);
        }
        rows.iter()
            .map(|r| {
                let id = Cols::of(r, "people").i("id")?;
                person_row(r, by_person.remove(&id).unwrap_or_default())
            })
            .collect()
    }

    /// Up to `limit` records of `table` (matters, contacts, plans, incidents) after the
    /// id `after`, in id order.
    ///
    /// # Errors
    /// An unknown table; the database's error.
    pub async fn export_page(&self, table: &str, after: i64, limit: i64) -> Result<ExportPage> {
        let (cols, t) = match table {
            "matters" => ("*", "matters"),
            "contacts" => (CONTACT_COLS, "contacts"),
            "plans" => (PLAN_COLS, "plans"),
            "incidents" => ("*", "incidents"),
            "people" => return Ok(ExportPage::People(self.people_page(after, limit).await?)),
            other => return Err(StoreError::NotFound(format!("no table {other} to export"))),
        };
        let rows = sqlx::query(&format!(
            "SELECT {cols} FROM {t} WHERE id > $1 ORDER BY id LIMIT $2"
        ))
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(match t {
            "matters" => ExportPage::Matters(rows.iter().map(matter_row).collect::<Result<_>>()?),
            "contacts" => {
                ExportPage::Contacts(rows.iter().map(contact_row).collect::<Result<_>>()?)
            }
            "plans" => ExportPage::Plans(rows.iter().map(plan_row).collect::<Result<_>>()?),
            _ => ExportPage::Incidents(rows.iter().map(incident_row).collect::<Result<_>>()?),
        })
    }
}

impl Store {
    /// A member of staff's telephone extension, if they have one (issue 14).
    ///
    /// # Errors
    /// The database's error.
    pub async fn extension_of(&self, staff: StaffId) -> Result<Option<String>> {
        let row = sqlx::query("SELECT extension FROM staff_extensions WHERE staff_id = $1")
            .bind(staff.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Cols::of(&r, "staff_extensions").s("extension"))
            .transpose()
    }
}
