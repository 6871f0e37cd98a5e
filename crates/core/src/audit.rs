//! The append-only event log: every decision with who, when and why, hash-chained so
//! that an altered, inserted or removed entry is detected by [`verify`].
//!
//! Each entry's hash covers the previous entry's hash and every stored field of its
//! own, in a fixed text form. The store keeps the chain's head (last sequence number
//! and hash) beside it, so removing entries from the end is detected too.

use crate::ids::{PersonId, StaffId};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

/// The hash that stands before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

crate::words! {
    /// What was decided or done. One variant per recorded step.
    pub enum AuditAction {
        PersonCreated = "person.created",
        PersonUpdated = "person.updated",
        AdditionalHelpAsked = "person.additional-help-asked",
        MatterOpened = "matter.opened",
        MatterStatusChanged = "matter.status-changed",
        IncidentRecorded = "incident.recorded",
        CallEnded = "incident.call-ended",
        WarningGiven = "warning.given",
        PlanDrafted = "plan.drafted",
        ChecklistAnswered = "plan.checklist-answered",
        PlanProposed = "plan.proposed",
        PlanWithdrawn = "plan.withdrawn",
        PlanAuthorised = "plan.authorised",
        PlanRefused = "plan.refused",
        NoticeRecorded = "plan.notice-recorded",
        PlanTookEffect = "plan.took-effect",
        PlanReviewed = "plan.reviewed",
        PlanVaried = "plan.varied",
        PlanLifted = "plan.lifted",
        PlanAppliedToMatter = "plan.applied-to-matter",
        PlanMatterAuthorised = "plan.matter-authorised",
        PlanMatterRefused = "plan.matter-refused",
        BreachRecorded = "contact.breach",
        BreachReminderSent = "contact.breach-reminder-sent",
        MessageQuarantined = "message.quarantined",
        MessageMatched = "message.matched",
        LetterWritten = "letter.written",
        LetterAdjusted = "letter.adjusted",
        LetterReleased = "letter.released",
        LetterSent = "letter.sent",
        ContactScreened = "contact.screened",
        DisputeRaised = "dispute.raised",
        DisputeDecided = "dispute.decided",
        AdjustmentRequested = "adjustment.requested",
        AdjustmentDecided = "adjustment.decided",
        FurtherActionRecorded = "further-action.recorded",
        DisclosureRequested = "disclosure.requested",
        DisclosureDecided = "disclosure.decided",
        DisclosureShared = "disclosure.shared",
        TaskDone = "task.done",
        JobRan = "job.ran",
        DataRightsReceived = "data-rights.received",
        DataRightsExtended = "data-rights.extended",
        DataRightsAnswered = "data-rights.answered",
        PersonRectified = "person.rectified",
        /// Equality monitoring answers recorded with consent (the answers are not in the log).
        EqualityRecorded = "equality.recorded",
        /// Consent withdrawn: the answers were deleted.
        EqualityWithdrawn = "equality.withdrawn",
        PeopleMerged = "people.merged",
        SubjectAccessExported = "person.subject-access-exported",
        RecordsDisposed = "records.disposed",
        LegalHoldPlaced = "legal-hold.placed",
        LegalHoldLifted = "legal-hold.lifted",
        StaffCreated = "staff.created",
        StaffChanged = "staff.changed",
        TokenIssued = "staff.token-issued",
        TokenRevoked = "staff.token-revoked",
        PasswordResetIssued = "staff.password-reset-issued",
        PasswordReset = "staff.password-reset",
        /// The state of the records a transaction wrote, so the chain covers them (issue 12).
        RecordsState = "records.state",
        /// The state of records written before the chain covered them, taken once after
        /// upgrading (`tact audit baseline`).
        RecordsBaseline = "records.baseline",
        SecondFactorSetUp = "staff.second-factor-set-up",
        SecondFactorRemoved = "staff.second-factor-removed",
        RecoveryCodeUsed = "staff.recovery-code-used",
        StaffLinked = "staff.linked-to-provider",
        /// A person brought in from an earlier system, naming the source and its row (issue 14).
        PersonImported = "person.imported",
        MatterImported = "matter.imported",
        /// A plan in force in an earlier system, naming who authorised it and when (issue 14).
        PlanImported = "plan.imported",
        IncidentImported = "incident.imported",
        AdjustmentImported = "adjustment.imported",
        /// One import: the source, the kind and how many records (issue 14).
        RecordsImported = "records.imported",
    }
}

/// One decision to be written to the log, with who, when and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub at: Timestamp,
    pub actor: Option<StaffId>,
    pub action: AuditAction,
    /// The record the decision is about, such as `strategy:12`. Filled by the store
    /// where the record's id is only known once it is written.
    pub subject: String,
    pub person_id: Option<PersonId>,
    pub reason: Option<String>,
    pub clause: Option<String>,
    pub detail: Vec<(String, String)>,
}

impl AuditEvent {
    pub fn new(
        at: Timestamp,
        actor: StaffId,
        action: AuditAction,
        subject: impl Into<String>,
    ) -> Self {
        Self {
            actor: Some(actor),
            ..Self::by_tact(at, action, subject)
        }
    }

    /// A decision Tact made by itself (a job, a message quarantined, a letter sent), with
    /// no member of staff behind it.
    pub fn by_tact(at: Timestamp, action: AuditAction, subject: impl Into<String>) -> Self {
        Self {
            at,
            actor: None,
            action,
            subject: subject.into(),
            person_id: None,
            reason: None,
            clause: None,
            detail: Vec::new(),
        }
    }
    #[must_use]
    pub fn person(mut self, id: PersonId) -> Self {
        self.person_id = Some(id);
        self
    }
    #[must_use]
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
    #[must_use]
    pub fn clause(mut self, clause: impl Into<String>) -> Self {
        self.clause = Some(clause.into());
        self
    }
    #[must_use]
    pub fn detail(mut self, key: &str, value: impl ToString) -> Self {
        self.detail.push((key.to_string(), value.to_string()));
        self
    }

    /// The detail as a JSON object in a fixed form, as stored and hashed.
    pub fn detail_json(&self) -> String {
        let mut out = String::from("{");
        for (i, (k, v)) in self.detail.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_json_string(&mut out, k);
            out.push(':');
            push_json_string(&mut out, v);
        }
        out.push('}');
        out
    }
}

fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// What a redacted entry's detail holds.
pub const REDACTED_DETAIL: &str = "{}";

/// An entry as stored: every field the hash covers, in stored form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub seq: i64,
    /// When, as the hash covers it: microseconds since 1970.
    pub at_micros: i64,
    /// The same instant as a time.
    pub at: Timestamp,
    pub actor: Option<i64>,
    pub action: String,
    pub subject: String,
    pub person_id: Option<i64>,
    pub reason: Option<String>,
    pub clause: Option<String>,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
    /// Its words were removed when the person's records were disposed of (NOR-9.1): the
    /// entry keeps its place and hash, and only its links can be checked.
    pub redacted: bool,
}

impl StoredEntry {
    /// The detail stored under `key` (a review's `decision`, its `on_time`), if the entry has
    /// one: read from its stored form by key, never by searching its text, whose reasons are
    /// people's own words.
    pub fn detail_value(&self, key: &str) -> Option<String> {
        let v: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&self.detail).ok()?;
        v.get(key)?.as_str().map(str::to_string)
    }

    /// Builds the entry that follows `prev_hash` at `seq`, with its hash.
    pub fn chain(seq: i64, prev_hash: &str, event: &AuditEvent) -> Self {
        let mut entry = Self {
            seq,
            at_micros: micros(event.at),
            at: event.at,
            actor: event.actor.map(|a| a.0),
            action: event.action.as_str().to_string(),
            subject: event.subject.clone(),
            person_id: event.person_id.map(|p| p.0),
            reason: event.reason.clone(),
            clause: event.clause.clone(),
            detail: event.detail_json(),
            prev_hash: prev_hash.to_string(),
            hash: String::new(),
            redacted: false,
        };
        entry.hash = entry.compute_hash();
        entry
    }

    /// The hash of this entry's fields and the previous hash.
    pub fn compute_hash(&self) -> String {
        let opt_i = |v: Option<i64>| v.map_or_else(|| "-".to_string(), |v| v.to_string());
        let opt_s = |v: &Option<String>| {
            v.as_ref()
                .map_or_else(|| "-".to_string(), |v| format!("+{v}"))
        };
        let mut h = Sha256::new();
        for part in [
            self.prev_hash.clone(),
            self.seq.to_string(),
            self.at_micros.to_string(),
            opt_i(self.actor),
            self.action.clone(),
            self.subject.clone(),
            opt_i(self.person_id),
            opt_s(&self.reason),
            opt_s(&self.clause),
            self.detail.clone(),
        ] {
            // Length-prefixing each part keeps "ab"+"c" and "a"+"bc" apart.
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// What a `records.state` entry says of a record disposed of under the retention rules.
pub const DISPOSED: &str = "disposed";

/// The digest of one record's state as a `records.state` entry keeps it (issue 12): the
/// first 128 bits of the SHA-256 of its values, in the order its table lists them. Enough to
/// show a change: finding other values with the same digest is beyond anyone.
pub fn state_digest(values: &serde_json::Value) -> String {
    let h = Sha256::digest(values.to_string().as_bytes());
    hex::encode(&h[..16])
}

/// The state the event log last recorded for each record ("contact:12", "plan:3",
/// "adjustment:7"), from its `records.state` entries in order. Call it on a log whose chain
/// [`verify`] has accepted: then nobody changed these without the chain showing it.
pub fn recorded_states(entries: &[StoredEntry]) -> std::collections::HashMap<String, String> {
    let mut states = std::collections::HashMap::new();
    let actions = [
        AuditAction::RecordsState.as_str(),
        AuditAction::RecordsBaseline.as_str(),
    ];
    for e in entries
        .iter()
        .filter(|e| actions.contains(&e.action.as_str()))
    {
        if let Ok(serde_json::Value::Object(m)) = serde_json::from_str(&e.detail) {
            for (record, digest) in m {
                if let serde_json::Value::String(d) = digest {
                    states.insert(record, d);
                }
            }
        }
    }
    states
}

/// How a record now differs from what the event log last recorded of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Difference {
    /// Its values are not those the log recorded: changed outside Tact.
    Changed,
    /// The log recorded it and it is gone, though it was never disposed of.
    Missing,
    /// It is there and was disposed of: put back outside Tact.
    Reappeared,
    /// The log never recorded it: written outside Tact, or before the log covered records
    /// (`tact audit baseline` covers those once, after upgrading).
    NotCovered,
}

impl Difference {
    pub fn plain(self) -> &'static str {
        match self {
            Self::Changed => "differs from what the event log last recorded",
            Self::Missing => "is gone, though the event log records no disposal",
            Self::Reappeared => "is there again, though the event log records its disposal",
            Self::NotCovered => "is not covered by the event log",
        }
    }
}

/// What the deep check found ([`compare_states`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Every record that differs from what the log last recorded, named.
    pub differences: Vec<(String, Difference)>,
    /// Contacts written since the last seal, which the log covers a moment later: not a
    /// difference.
    pub awaiting_seal: usize,
}

/// Whether `record` is a contact written after the sealed mark (`sealed_through`, the
/// highest contact id the log covers), so not on the log yet: contacts are sealed a range
/// at a time shortly after they are written (issue 12).
pub fn awaiting_seal(record: &str, sealed_through: i64) -> bool {
    record
        .strip_prefix("contact:")
        .and_then(|id| id.parse::<i64>().ok())
        .is_some_and(|id| id > sealed_through)
}

/// Compares the records as they are now (each with its digest) with what the log last
/// recorded (the deep check, issue 12): every record that differs, named, in the order
/// given, then every recorded record that is gone. A contact the log does not have yet
/// whose id is past the sealed mark (read before the log, so every contact up to it is on
/// the log that was read) is counted as awaiting its seal. Consumes `recorded`.
pub fn compare_states(
    mut recorded: std::collections::HashMap<String, String>,
    now: impl IntoIterator<Item = (String, String)>,
    sealed_through: i64,
) -> Comparison {
    let mut found = Vec::new();
    let mut awaiting = 0;
    for (record, digest) in now {
        match recorded.remove(&record) {
            Some(d) if d == digest => {}
            Some(d) if d == DISPOSED => found.push((record, Difference::Reappeared)),
            Some(_) => found.push((record, Difference::Changed)),
            None if awaiting_seal(&record, sealed_through) => awaiting += 1,
            None => found.push((record, Difference::NotCovered)),
        }
    }
    let mut gone: Vec<String> = recorded
        .into_iter()
        .filter(|(_, d)| d != DISPOSED)
        .map(|(r, _)| r)
        .collect();
    gone.sort();
    found.extend(gone.into_iter().map(|r| (r, Difference::Missing)));
    Comparison {
        differences: found,
        awaiting_seal: awaiting,
    }
}

/// Microseconds since the Unix epoch: how the store keeps instants.
pub fn micros(at: Timestamp) -> i64 {
    // i64 microseconds cover ±292,000 years; jiff's range fits.
    at.as_microsecond()
}

/// Why [`verify`] rejected the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub seq: i64,
    pub problem: String,
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "event log broken at entry {}: {}",
            self.seq, self.problem
        )
    }
}

/// A point in the event log vouched for outside the database (issue 12): the entry's
/// number and hash, when it was taken, signed (HMAC-SHA256) with a key kept in the data
/// folder, never in the database. Someone who can change the database cannot make one, so
/// deleting the newest entries and rewriting the head to match no longer verifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub at: Timestamp,
    pub mac: String,
}

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

fn checkpoint_mac(seq: i64, hash: &str, at: Timestamp, key: &[u8]) -> HmacSha256 {
    use hmac::Mac;
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(format!("tact-checkpoint\n{seq}\n{hash}\n{}", micros(at)).as_bytes());
    mac
}

impl Checkpoint {
    /// Vouches for entry `seq` with hash `hash` at `at`.
    pub fn sign(seq: i64, hash: &str, at: Timestamp, key: &[u8]) -> Self {
        use hmac::Mac;
        Self {
            seq,
            hash: hash.to_string(),
            at,
            mac: hex::encode(checkpoint_mac(seq, hash, at, key).finalize().into_bytes()),
        }
    }

    /// Whether it was signed with `key` and says what it was signed saying.
    pub fn authentic(&self, key: &[u8]) -> bool {
        use hmac::Mac;
        hex::decode(&self.mac).is_ok_and(|m| {
            checkpoint_mac(self.seq, &self.hash, self.at, key)
                .verify_slice(&m)
                .is_ok()
        })
    }

    /// One line of the checkpoint file: `seq hash at mac`.
    pub fn line(&self) -> String {
        format!("{} {} {} {}", self.seq, self.hash, self.at, self.mac)
    }

    /// # Errors
    /// A line that is not four fields: a number, a hash, a time and a signature.
    pub fn parse(line: &str) -> Result<Self, String> {
        let f: Vec<&str> = line.split_whitespace().collect();
        let [seq, hash, at, mac] = f.as_slice() else {
            return Err(format!("not a checkpoint: {line:?}"));
        };
        Ok(Self {
            seq: seq
                .parse()
                .map_err(|_| format!("not an entry number: {seq:?}"))?,
            hash: (*hash).to_string(),
            at: at.parse().map_err(|_| format!("not a time: {at:?}"))?,
            mac: (*mac).to_string(),
        })
    }
}

/// Checks the event log against checkpoints taken outside it (issue 12): each must be
/// signed with `key`, and the log must still hold the entry each vouched for, unchanged. A
/// log that ends before a checkpoint's entry had its newest entries removed.
///
/// # Errors
/// The first checkpoint the log or its signature fails, as a break naming the entry.
pub fn verify_checkpoints(
    entries: &[StoredEntry],
    checkpoints: &[Checkpoint],
    key: &[u8],
) -> Result<usize, ChainBreak> {
    let last = entries.last().map_or(0, |e| e.seq);
    for cp in checkpoints {
        if !cp.authentic(key) {
            return Err(ChainBreak {
                seq: cp.seq,
                problem: format!(
                    "the checkpoint of {} for entry {} is not signed with this office's key: \
                     the checkpoint file was altered",
                    cp.at, cp.seq
                ),
            });
        }
        match entries.iter().find(|e| e.seq == cp.seq) {
            None if cp.seq > last => {
                return Err(ChainBreak {
                    seq: last + 1,
                    problem: format!(
                        "the log ends at entry {last}, but a checkpoint taken at {} vouched \
                         for entry {}: the newest entries were removed",
                        cp.at, cp.seq
                    ),
                })
            }
            None => {
                return Err(ChainBreak {
                    seq: cp.seq,
                    problem: format!(
                        "entry {} that a checkpoint taken at {} vouched for is missing",
                        cp.seq, cp.at
                    ),
                })
            }
            Some(e) if e.hash != cp.hash => {
                return Err(ChainBreak {
                    seq: cp.seq,
                    problem: format!(
                        "it is not the entry a checkpoint taken at {} vouched for: the log \
                         was rewritten from here",
                        cp.at
                    ),
                })
            }
            Some(_) => {}
        }
    }
    Ok(checkpoints.len())
}

/// Checks a whole log, in sequence order, against the recorded head.
///
/// # Errors
/// The first [`ChainBreak`]: an entry whose hash does not match its fields (altered),
/// a link that does not follow from the entry before (inserted or removed), a gap in
/// the sequence, or a head that does not match the last entry (removed from the end).
pub fn verify<'a>(
    entries: impl IntoIterator<Item = &'a StoredEntry>,
    head: Option<(i64, &str)>,
) -> Result<u64, ChainBreak> {
    let mut prev_hash = GENESIS.to_string();
    let mut expected_seq = 1;
    let mut count = 0;
    for e in entries {
        if e.seq != expected_seq {
            return Err(ChainBreak {
                seq: e.seq,
                problem: format!(
                    "expected entry {expected_seq} next: an entry was removed or inserted"
                ),
            });
        }
        if e.prev_hash != prev_hash {
            return Err(ChainBreak {
                seq: e.seq,
                problem: "it does not follow from the entry before it".into(),
            });
        }
        // A redacted entry's content is gone by design; its place in the chain still is
        // checked by the links before and after it — and it must say nothing, so marking
        // an entry redacted cannot hide a change to its words.
        if e.redacted && (e.reason.is_some() || e.detail != REDACTED_DETAIL) {
            return Err(ChainBreak {
                seq: e.seq,
                problem: "it is marked redacted but still has words".into(),
            });
        }
        if !e.redacted && e.compute_hash() != e.hash {
            return Err(ChainBreak {
                seq: e.seq,
                problem: "its content does not match its hash: it was altered".into(),
            });
        }
        prev_hash = e.hash.clone();
        expected_seq += 1;
        count += 1;
    }
    let last = expected_seq - 1;
    match head {
        Some((seq, hash)) if seq != last || hash != prev_hash => {
            Err(ChainBreak { seq: last, problem: format!("the log ends at entry {last} but its head says {seq}: entries were removed from the end") })
        }
        None if last > 0 => Err(ChainBreak { seq: last, problem: "the log has entries but no head".into() }),
        _ => Ok(count),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn issue_12_the_deep_check_names_changed_gone_put_back_and_uncovered_records() {
        let recorded: std::collections::HashMap<String, String> = [
            ("contact:1", "aa"),
            ("contact:2", "bb"),
            ("plan:3", "cc"),
            ("adjustment:4", "dd"),
            ("contact:5", DISPOSED),
            ("contact:6", DISPOSED),
        ]
        .into_iter()
        .map(|(r, d)| (r.to_string(), d.to_string()))
        .collect();
        let now = [
            ("contact:1", "aa"),
            ("contact:2", "b2"),
            ("plan:3", "cc"),
            ("contact:6", "ee"),
            ("contact:7", "ff"),
            ("contact:8", "gg"),
            ("contact:9", "hh"),
        ]
        .into_iter()
        .map(|(r, d)| (r.to_string(), d.to_string()));
        // Sealed through contact 7: 8 and 9 await their seal; 7 should be on the log.
        assert_eq!(
            compare_states(recorded, now, 7),
            Comparison {
                differences: vec![
                    ("contact:2".to_string(), Difference::Changed),
                    ("contact:6".to_string(), Difference::Reappeared),
                    ("contact:7".to_string(), Difference::NotCovered),
                    ("adjustment:4".to_string(), Difference::Missing),
                ],
                awaiting_seal: 2,
            }
        );
    }

    #[test]
    fn issue_12_only_a_contact_past_the_sealed_mark_awaits_its_seal() {
        assert!(awaiting_seal("contact:11", 10));
        assert!(!awaiting_seal("contact:10", 10));
        assert!(!awaiting_seal("contact:9", 10));
        // Plans and adjustments are on the log in their own write's transaction.
        assert!(!awaiting_seal("plan:11", 10));
        assert!(!awaiting_seal("adjustment:11", 10));
        assert!(!awaiting_seal("contact:x", 10));
    }

    #[test]
    fn issue_12_the_latest_recorded_state_of_a_record_is_the_one_compared() {
        let entry = |seq: i64, action: AuditAction, detail: &[(&str, &str)]| {
            let mut ev = AuditEvent::by_tact(Timestamp::UNIX_EPOCH, action, "records");
            ev.detail = detail
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            StoredEntry::chain(seq, "", &ev)
        };
        let entries = [
            entry(
                1,
                AuditAction::RecordsBaseline,
                &[("plan:1", "old"), ("contact:2", "c")],
            ),
            entry(2, AuditAction::StaffCreated, &[("plan:1", "not a state")]),
            entry(3, AuditAction::RecordsState, &[("plan:1", "new")]),
        ];
        let states = recorded_states(&entries);
        assert_eq!(states.get("plan:1").map(String::as_str), Some("new"));
        assert_eq!(states.get("contact:2").map(String::as_str), Some("c"));
        assert_eq!(states.len(), 2);
        // A digest is 128 bits, and changes with any value.
        let a = state_digest(&serde_json::json!(["phone", 1]));
        assert_eq!(a.len(), 32);
        assert_ne!(a, state_digest(&serde_json::json!(["phone", 2])));
    }

    use super::*;

    fn log(n: i64) -> Vec<StoredEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let ev = AuditEvent::new(
                    Timestamp::from_second(1_700_000_000 + seq).unwrap(),
                    StaffId(1),
                    AuditAction::WarningGiven,
                    format!("warning:{seq}"),
                )
                .reason("shouted at staff")
                .detail("k", "v \"quoted\"");
                let e = StoredEntry::chain(seq, &prev, &ev);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn issue_12_cutting_the_newest_entries_and_rewriting_the_head_fails_a_checkpoint() {
        let key = b"the office's own key";
        let l = log(5);
        let at = Timestamp::from_second(1_700_000_100).unwrap();
        let cp = Checkpoint::sign(5, &l[4].hash, at, key);
        assert!(cp.authentic(key));
        assert_eq!(Checkpoint::parse(&cp.line()), Ok(cp.clone()));
        assert_eq!(
            verify_checkpoints(&l, std::slice::from_ref(&cp), key),
            Ok(1)
        );
        // The newest two removed and the head rewritten: the chain alone still verifies…
        let cut = &l[..3];
        assert_eq!(verify(cut, Some((3, l[2].hash.as_str()))), Ok(3));
        // …but the checkpoint does not.
        let err = verify_checkpoints(cut, std::slice::from_ref(&cp), key).unwrap_err();
        assert_eq!(err.seq, 4);
        assert!(err.problem.contains("newest entries were removed"), "{err}");
        // A log rewritten from entry 4 with a fresh chain fails too.
        let mut rewritten = l[..3].to_vec();
        let mut prev = l[2].hash.clone();
        for seq in 4..=5 {
            let ev = AuditEvent::new(at, StaffId(2), AuditAction::PlanLifted, "strategy:1");
            let e = StoredEntry::chain(seq, &prev, &ev);
            prev = e.hash.clone();
            rewritten.push(e);
        }
        assert_eq!(verify(&rewritten, Some((5, prev.as_str()))), Ok(5));
        assert_eq!(
            verify_checkpoints(&rewritten, std::slice::from_ref(&cp), key)
                .unwrap_err()
                .seq,
            5
        );
        // A checkpoint not signed with the key, or altered, is refused.
        let mut forged = Checkpoint::sign(3, &l[2].hash, at, b"another key");
        assert!(verify_checkpoints(&l, std::slice::from_ref(&forged), key).is_err());
        forged = Checkpoint { seq: 2, ..cp };
        assert!(!forged.authentic(key));
        assert!(Checkpoint::parse("5 abc not-a-time f00").is_err());
    }

    #[test]
    fn an_intact_log_verifies() {
        let l = log(5);
        let head = (5, l[4].hash.as_str());
        assert_eq!(verify(&l, Some(head)), Ok(5));
    }

    #[test]
    fn an_altered_entry_is_detected() {
        let mut l = log(5);
        let head = (5, l[4].hash.clone());
        l[2].reason = Some("was polite".into());
        let err = verify(&l, Some((head.0, &head.1))).unwrap_err();
        assert_eq!(err.seq, 3);
    }

    #[test]
    fn a_removed_entry_is_detected() {
        let mut l = log(5);
        let head = (5, l[4].hash.clone());
        l.remove(1);
        assert!(verify(&l, Some((head.0, &head.1))).is_err());
    }

    #[test]
    fn an_inserted_entry_is_detected_even_with_its_own_valid_hash() {
        let mut l = log(3);
        let head = (3, l[2].hash.clone());
        let forged = StoredEntry::chain(
            2,
            &l[0].hash,
            &AuditEvent::new(
                Timestamp::UNIX_EPOCH,
                StaffId(9),
                AuditAction::PlanLifted,
                "strategy:1",
            ),
        );
        l.insert(1, forged);
        assert!(verify(&l, Some((head.0, &head.1))).is_err());
    }

    #[test]
    fn entries_removed_from_the_end_are_detected_by_the_head() {
        let mut l = log(4);
        let head = (4, l[3].hash.clone());
        l.pop();
        let err = verify(&l, Some((head.0, &head.1))).unwrap_err();
        assert!(err.problem.contains("removed from the end"));
    }
}
