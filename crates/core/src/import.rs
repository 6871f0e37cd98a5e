//! Importing an office's existing records (issue 14): a table read from a spreadsheet or a
//! CSV file, a mapping saying which column is which, and each row checked by the core's own
//! rules — the same phone number, email, format and matter rules every other door asks —
//! into typed rows, or into problems naming the row, the column and the reason.
//!
//! Nothing here reads a file or writes a record: the reader is the app's, and so is the one
//! transaction that writes all of an import or none of it.

use crate::error::RuleError;
use crate::identity::{EmailAddress, PhoneNumber};
use crate::model::{
    AdjustmentStatus, Advocate, Direction, Format, MatterKind, MatterStatus, PersonInput,
};
use crate::profile::Channel;
use crate::words::Words;
use jiff::civil::Date;
use std::collections::{BTreeMap, HashMap};

crate::words! {
    /// What a file holds: one kind of record a row.
    #[derive(PartialOrd, Ord)]
    pub enum Kind {
        People = "people",
        Matters = "matters",
        /// Plans (contact strategies, communication plans) already in force, with who
        /// authorised them and when.
        Plans = "plans",
        /// Contact history: calls, emails, letters and visits.
        Contacts = "contacts",
        /// Unacceptable behaviour recorded.
        Incidents = "incidents",
        /// Reasonable adjustments asked for and decided.
        Adjustments = "adjustments",
    }
}

impl Kind {
    /// The kind a word names. `strategies`, the word for plans before issue 11, is still
    /// taken, so a script written then goes on working.
    ///
    /// # Errors
    /// An invalid-input error naming the field `kind`.
    pub fn parse(s: &str) -> Result<Self, RuleError> {
        let word = s.trim().to_ascii_lowercase();
        if word == "strategies" {
            return Ok(Self::Plans);
        }
        RuleError::one_of(Self::ALL, Self::as_str, "kind", &word)
    }

    /// The columns a file of this kind may have, in the template's order.
    pub fn columns(self) -> &'static [Column] {
        match self {
            Self::People => PEOPLE,
            Self::Matters => MATTERS,
            Self::Plans => PLANS,
            Self::Contacts => CONTACTS,
            Self::Incidents => INCIDENTS,
            Self::Adjustments => ADJUSTMENTS,
        }
    }
}

/// One column of an import file.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The field, and the template's heading for it.
    pub name: &'static str,
    pub required: bool,
    /// What goes in it, for the template's notes.
    pub help: &'static str,
    /// An example value, for the template's example row.
    pub example: &'static str,
    /// For a column that takes a word of one of core's closed lists, its words: the notes
    /// list them from the list itself, so they are the words the import accepts.
    pub words: &'static [&'static str],
}

impl Column {
    /// What goes in it, with the words it takes where it takes a closed list's.
    pub fn notes(&self) -> String {
        if self.words.is_empty() {
            self.help.to_string()
        } else {
            format!("{} One of: {}.", self.help, self.words.join(", "))
        }
    }
}

/// A column that takes one of a closed list's `words` (`Words::WORDS`).
const fn choice(
    name: &'static str,
    required: bool,
    help: &'static str,
    words: &'static [&'static str],
    example: &'static str,
) -> Column {
    Column {
        words,
        ..col(name, required, help, example)
    }
}

const fn col(
    name: &'static str,
    required: bool,
    help: &'static str,
    example: &'static str,
) -> Column {
    Column {
        words: &[],
        name,
        required,
        help,
        example,
    }
}

const PEOPLE: &[Column] = &[
    col("id", true, "Your system's own identifier for the person. Other files (matters) refer to the person by it, and importing the same file again skips the rows already imported.", "C-1042"),
    col("name", true, "Their full name.", "Amira Evans"),
    col("phones", false, "Their telephone numbers in any usual form, separated by semicolons.", "07911 123456; 01642 301653"),
    col("emails", false, "Their email addresses, separated by semicolons.", "amira@example.org"),
    col("postal_address", false, "Their postal address, lines separated by commas.", "1 High Street, Middlesbrough, TS1 1AA"),
    col("advocate_name", false, "Someone who speaks for them (an advocate, a family member), if any.", ""),
    col("advocate_organisation", false, "The advocate's organisation, if any.", ""),
    col("advocate_phone", false, "The advocate's telephone number.", ""),
    col("advocate_email", false, "The advocate's email address.", ""),
    col("shared", false, "Any of the numbers or addresses above that someone else also uses (a household line, an advocate for several people), separated by semicolons. A number on two people's rows must be marked shared on both.", ""),
    choice("preferred_format", false, "How they want letters. Empty means standard.", <Format as Words>::WORDS, "large-print"),
    col("preferred_language", false, "The language they prefer, if not English.", ""),
    col("needs_help", false, "Their answer when asked whether they need additional help: yes or no. Empty if they were never asked.", "no"),
    col("help_in_their_words", false, "What they said about the help they need, in their own words.", ""),
];

const MATTERS: &[Column] = &[
    col("id", true, "Your system's own identifier for the matter (a case or complaint number).", "CMP-2023-118"),
    col("person", true, "The person's id, as in the people file.", "C-1042"),
    choice("kind", true, "What kind of matter it is.", <MatterKind as Words>::WORDS, "complaint"),
    col("title", true, "What it is about, in a few words.", "Delay in answering a complaint about a burglary"),
    choice("status", false, "Where it stands. Empty means open.", <MatterStatus as Words>::WORDS, "finalised"),
    col("finalised_on", false, "When it was finalised (day/month/year or year-month-day); needed when the status is finalised.", "14/03/2024"),
];

const CONTACTS: &[Column] = &[
    col(
        "id",
        true,
        "Your system's own identifier for the contact.",
        "CALL-88121",
    ),
    col(
        "person",
        true,
        "The person's id, as in the people file.",
        "C-1042",
    ),
    col(
        "matter",
        false,
        "The matter it was about, by its id in the matters file.",
        "CMP-2023-118",
    ),
    choice(
        "channel",
        true,
        "How it came or went (a visit is someone in person).",
        <Channel as Words>::WORDS,
        "phone",
    ),
    choice(
        "direction",
        false,
        "From them (inbound) or from the office (outbound). Empty means inbound.",
        <Direction as Words>::WORDS,
        "inbound",
    ),
    col(
        "at",
        true,
        "When: a date, or a date and a time (14/03/2024 10:30).",
        "14/03/2024 10:30",
    ),
    col(
        "summary",
        true,
        "What it was about, in a line.",
        "Asked for an update on the complaint",
    ),
    col(
        "minutes",
        false,
        "For a call or visit: how long it lasted, in minutes.",
        "12",
    ),
];

const INCIDENTS: &[Column] = &[
    col("id", true, "Your system's own identifier for the incident.", "INC-301"),
    col("person", true, "The person's id, as in the people file.", "C-1042"),
    col("matter", false, "The matter it happened in, by its id in the matters file.", ""),
    col("category", true, "The kind of behaviour, as the policy's categories name it (its id or its name).", "abusive"),
    col("description", true, "What happened.", "Shouted and swore at the caseworker"),
    col("occurred_at", true, "When: a date, or a date and a time.", "02/05/2024 14:10"),
    col("staff", false, "Who was on the receiving end: their email address or full name in Tact. Empty: the person importing.", ""),
];

const ADJUSTMENTS: &[Column] = &[
    col("id", true, "Your system's own identifier for the adjustment.", "RA-12"),
    col("person", true, "The person's id, as in the people file.", "C-1042"),
    col("kind", true, "needs-channel:phone (or email, letter), extra-time, format:large-print (or another format), support-person or other.", "format:large-print"),
    col("description", true, "What it is, in words.", "Letters in large print"),
    choice("status", false, "Where it stands. Empty means granted.", <AdjustmentStatus as Words>::WORDS, "granted"),
    col("decided_on", false, "When it was granted or refused.", "10/01/2024"),
    col("reason", false, "Why it was refused (needed when refused).", ""),
];

const PLANS: &[Column] = &[
    col("id", true, "Your system's own identifier for the plan.", "CS-2024-07"),
    col("person", true, "The person's id, as in the people file.", "C-1042"),
    col("matters", false, "The matters it covers, by their ids in the matters file, separated by semicolons. Empty: every matter of theirs imported from the same system.", "CMP-2023-118"),
    col("reasons", true, "Why it was introduced, as the person was told.", "Repeated abusive calls after a warning"),
    col("single_channel", false, "If contact is by one channel only: letter, email or phone (as the policy allows).", "letter"),
    col("call_window", false, "If calls are taken only at set times: each day and times, separated by semicolons.", "Tuesday 10:00-12:00; Thursday 14:00-15:30"),
    col("call_max_minutes", false, "With call times: the longest a call may last, in minutes.", ""),
    col("single_point_of_contact", false, "If one member of staff is their point of contact: that person's email address or full name as recorded in Tact.", ""),
    col("recorded_calls", false, "yes if calls are recorded or monitored.", ""),
    col("dedicated_mailbox", false, "If they must write to one address: that email address.", ""),
    col("blocked", false, "Numbers or addresses whose contact is not accepted, separated by semicolons.", ""),
    col("advocate_only", false, "yes if contact is through their advocate only.", ""),
    col("read_and_file", false, "yes if correspondence is read and filed, answered only for new information or a new complaint.", ""),
    col("other", false, "Any other restriction, in words.", ""),
    col("authorised_by", true, "Who authorised it, with their role, as the earlier system records it.", "Pat Jones, Head of Standards"),
    col("authorised_on", true, "When it was authorised.", "01/07/2024"),
    col("notice_sent_on", true, "When the person was told in writing: restrictions apply only after written notice.", "03/07/2024"),
    col("review_due", true, "When it is next to be reviewed.", "01/10/2024"),
    col("ends_on", false, "When it ends, if an end date was set.", ""),
];

/// A table read from a file: its headings and its rows, every cell as text (dates as
/// `YYYY-MM-DD`), and the line of the file each row came from.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    /// (line in the file, counting the heading as line 1; the cells).
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Something wrong with an import file: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The line or spreadsheet row (the heading row is 1); 0 for the file as a whole.
    pub row: usize,
    /// The column's heading in the file, or the field's name when the column is missing.
    pub column: String,
    pub reason: String,
    /// What would let the row in as it is, where the importer may say so: `keep_unverified`
    /// for a number libphonenumber cannot confirm ([`crate::RuleError::overridden_by`]).
    pub overridden_by: Option<String>,
}

impl Problem {
    /// A problem in `column` of `row`, for `reason`.
    pub fn at(row: usize, column: &str, reason: impl Into<String>) -> Self {
        Self {
            row,
            column: column.to_string(),
            reason: reason.into(),
            overridden_by: None,
        }
    }

    /// A core rule's refusal of a cell in `column` of `row`, with what would overrule it.
    pub fn refused(row: usize, column: &str, e: RuleError) -> Self {
        Self {
            overridden_by: e.overridden_by,
            ..Self::at(row, column, e.message)
        }
    }
}

/// Which column of a file holds each field. By default, the column whose heading is the
/// field's name, in any case and with spaces or hyphens for underscores; `field=Heading`
/// pairs name others.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    fields: BTreeMap<String, String>,
    /// Keep a telephone number libphonenumber cannot confirm, marked unverified, as the
    /// person form can (a number outside the ranges in use, or in Ofcom's drama range).
    pub keep_unverified: bool,
}

fn fold(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

impl Mapping {
    /// Reads `field=Heading` pairs.
    ///
    /// # Errors
    /// A pair without `=`, or naming a field twice.
    pub fn parse(pairs: &[String]) -> Result<Self, RuleError> {
        let mut m = BTreeMap::new();
        for p in pairs {
            let (field, heading) = p.split_once('=').ok_or_else(|| {
                RuleError::invalid(
                    "map",
                    format!(
                        "expected field=Column heading, such as phones=Telephone, got {}",
                        crate::error::shown(p)
                    ),
                )
            })?;
            if m.insert(fold(field), heading.trim().to_string()).is_some() {
                return Err(RuleError::invalid(
                    "map",
                    format!("the field {:?} is mapped twice", field.trim()),
                ));
            }
        }
        Ok(Self {
            fields: m,
            keep_unverified: false,
        })
    }

    /// The column a problem is about as the file heads it, so that it can be found in the
    /// sheet: a field's mapped heading (`phones` in a file whose column is "Telephone"), a
    /// field's own column however the file cases it, or `column` as given where the file
    /// has no such column (a heading already, or a required column that is missing).
    pub fn heading_in(&self, column: &str, headers: &[String]) -> String {
        let want = fold(&self.heading_of(column));
        headers
            .iter()
            .find(|h| fold(h) == want)
            .cloned()
            .unwrap_or_else(|| column.to_string())
    }

    /// The heading, folded, that `field`'s column has in the file: the one mapped to it, or
    /// the field's own name.
    fn heading_of(&self, field: &str) -> String {
        self.fields
            .get(field)
            .map_or_else(|| field.to_string(), |h| fold(h))
    }

    /// Where each of `kind`'s columns is in `headers` (`None`: not in the file).
    ///
    /// # Errors
    /// Every problem at once: a mapping naming a field the kind does not have or a heading
    /// the file does not have, a heading used twice, a required column missing.
    pub fn resolve(
        &self,
        kind: Kind,
        headers: &[String],
    ) -> Result<Vec<Option<usize>>, Vec<Problem>> {
        let mut problems = Vec::new();
        for field in self.fields.keys() {
            if !kind.columns().iter().any(|c| c.name == field) {
                problems.push(Problem::at(
                    0,
                    field,
                    format!(
                        "a {} file has no field {field:?}; its fields are {}",
                        kind.as_str(),
                        kind.columns()
                            .iter()
                            .map(|c| c.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        let folded: Vec<String> = headers.iter().map(|h| fold(h)).collect();
        for (i, h) in folded.iter().enumerate() {
            if !h.is_empty() && folded[..i].contains(h) {
                problems.push(Problem::at(
                    1,
                    &headers[i],
                    "this heading is used for two columns",
                ));
            }
        }
        let at: Vec<Option<usize>> = kind
            .columns()
            .iter()
            .map(|c| {
                let want = self.heading_of(c.name);
                let found = folded.iter().position(|h| *h == want);
                if found.is_none() {
                    if let Some(h) = self.fields.get(c.name) {
                        problems.push(Problem::at(1, h, format!("the file has no column headed {h:?} (mapped to {})", c.name)));
                    } else if c.required {
                        problems.push(Problem::at(1, c.name, format!("the file has no {} column, which is required (or map one: {}=Your heading); its headings are {}", c.name, c.name, headings_said(headers))));
                    }
                }
                found
            })
            .collect();
        if problems.is_empty() {
            Ok(at)
        } else {
            Err(problems)
        }
    }
}

/// A file's headings as a refusal lists them: each quoted, the first twenty, and how many
/// more there are.
fn headings_said(headers: &[String]) -> String {
    let mut said: Vec<String> = headers
        .iter()
        .take(20)
        .map(|h| crate::error::shown(h))
        .collect();
    if headers.len() > 20 {
        said.push(format!("{} more", headers.len() - 20));
    }
    said.join(", ")
}

/// The file's headings that no field of `kind` takes, as the mapping reads them: their
/// columns are left out of the import. A report says so, so that a column under a heading
/// Tact does not know (a "Telephone" that `phones=Telephone` would take) is not dropped
/// without a word.
pub fn left_out(kind: Kind, mapping: &Mapping, headers: &[String]) -> Vec<String> {
    let taken: Vec<String> = kind
        .columns()
        .iter()
        .map(|c| mapping.heading_of(c.name))
        .collect();
    headers
        .iter()
        .filter(|h| !h.trim().is_empty() && !taken.contains(&fold(h)))
        .cloned()
        .collect()
}

/// A documented template for `kind`: a CSV file with the headings and one example row.
pub fn template_csv(kind: Kind) -> String {
    let line = |cells: Vec<&str>| {
        cells
            .into_iter()
            .map(|c| {
                if c.contains([',', '"', '\n']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let cols = kind.columns();
    format!(
        "{}\n{}\n",
        line(cols.iter().map(|c| c.name).collect()),
        line(cols.iter().map(|c| c.example).collect())
    )
}

/// The notes for `kind`'s template: every column, whether it is required, and what goes in it.
pub fn template_notes(kind: Kind) -> String {
    let mut s = format!(
        "# Importing {} into Tact\n\nOne row for each record, under a heading row. Columns may come in any order; a column with another heading can be mapped with `--map field=Heading`. Dates are day/month/year (14/03/2024) or year-month-day (2024-03-14).\n\n| Column | Required | What goes in it | Example |\n|---|---|---|---|\n",
        kind.as_str()
    );
    for c in kind.columns() {
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            c.name,
            if c.required { "yes" } else { "no" },
            c.notes(),
            c.example
        ));
    }
    s
}

/// A person row, checked.
#[derive(Debug, Clone)]
pub struct PersonRow {
    pub line: usize,
    /// The source's own id.
    pub key: String,
    /// The row's cells as mapped, to digest.
    pub raw: String,
    pub input: PersonInput,
    /// Their answer when asked about additional help, and in their own words (CLE-8.1, 8.2;
    /// NOR-4.1), where the source recorded one.
    pub needs_help: Option<(bool, Option<String>)>,
}

/// A matter row, checked.
#[derive(Debug, Clone)]
pub struct MatterRow {
    pub line: usize,
    pub key: String,
    /// The row's cells as mapped, to digest.
    pub raw: String,
    /// The person's source id.
    pub person: String,
    pub kind: MatterKind,
    pub title: String,
    pub status: MatterStatus,
    pub finalised_on: Option<Date>,
}

/// A strategy row, checked as far as it can be without the profile and the records (the
/// app then asks [`crate::workflow::import_plan`]).
#[derive(Debug, Clone)]
pub struct PlanRow {
    pub line: usize,
    pub key: String,
    pub raw: String,
    /// The person's source id.
    pub person: String,
    /// The matters' source ids (empty: all the person's from the source).
    pub matters: Vec<String>,
    pub reasons: String,
    /// The restrictions, each with the strategy's reasons, but a single point of contact.
    pub rules: Vec<crate::model::Rule>,
    /// A single point of contact's email address or name in Tact, for the app to find.
    pub point_of_contact: Option<String>,
    pub authorised_by: String,
    pub authorised_on: Date,
    pub notice_sent_on: Date,
    pub review_due: Date,
    pub ends_on: Option<Date>,
}

/// A contact history row, checked.
#[derive(Debug, Clone)]
pub struct ContactRow {
    pub line: usize,
    pub key: String,
    pub raw: String,
    pub person: String,
    pub matter: Option<String>,
    pub channel: crate::profile::Channel,
    pub direction: crate::model::Direction,
    pub at: jiff::Timestamp,
    pub summary: String,
    pub duration_seconds: Option<u32>,
}

/// An incident row, checked (its category against the profile by the app).
#[derive(Debug, Clone)]
pub struct IncidentRow {
    pub line: usize,
    pub key: String,
    pub raw: String,
    pub person: String,
    pub matter: Option<String>,
    pub category: String,
    pub description: String,
    pub occurred_at: jiff::Timestamp,
    /// Who was on the receiving end, by name or email in Tact.
    pub staff: Option<String>,
}

/// A reasonable adjustment row, checked.
#[derive(Debug, Clone)]
pub struct AdjustmentRow {
    pub line: usize,
    pub key: String,
    pub raw: String,
    pub person: String,
    pub kind: crate::model::AdjustmentKind,
    pub description: String,
    pub status: crate::model::AdjustmentStatus,
    pub decided_on: Option<Date>,
    pub reason: Option<String>,
}

/// A checked row's place in its file: the source's id, its cells as mapped (to digest),
/// its line.
pub trait Keyed {
    fn key(&self) -> &str;
    fn raw(&self) -> &str;
    fn line(&self) -> usize;
}

macro_rules! keyed {
    ($($t:ty),*) => {$(
        impl Keyed for $t {
            fn key(&self) -> &str {
                &self.key
            }
            fn raw(&self) -> &str {
                &self.raw
            }
            fn line(&self) -> usize {
                self.line
            }
        }
    )*};
}

keyed!(
    PersonRow,
    MatterRow,
    PlanRow,
    ContactRow,
    IncidentRow,
    AdjustmentRow
);

/// Rows checked, of one kind.
#[derive(Debug, Clone)]
pub enum Rows {
    People(Vec<PersonRow>),
    Matters(Vec<MatterRow>),
    Plans(Vec<PlanRow>),
    Contacts(Vec<ContactRow>),
    Incidents(Vec<IncidentRow>),
    Adjustments(Vec<AdjustmentRow>),
}

impl Rows {
    pub fn len(&self) -> usize {
        match self {
            Self::People(r) => r.len(),
            Self::Matters(r) => r.len(),
            Self::Plans(r) => r.len(),
            Self::Contacts(r) => r.len(),
            Self::Incidents(r) => r.len(),
            Self::Adjustments(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads a day: `YYYY-MM-DD` or `DD/MM/YYYY` (a UK office's spreadsheets).
///
/// # Errors
/// Neither form, or no such day.
pub fn parse_day(s: &str) -> Result<Date, String> {
    let s = s.trim();
    if let Ok(d) = s.parse::<Date>() {
        return Ok(d);
    }
    let parts: Vec<&str> = s.split(['/', '.']).collect();
    if let [d, m, y] = parts[..] {
        if let (Ok(d), Ok(m), Ok(y)) = (d.parse::<i8>(), m.parse::<i8>(), y.parse::<i16>()) {
            if y >= 1000 {
                return Date::new(y, m, d).map_err(|_| {
                    format!("{} is not a day of the calendar", crate::error::shown(s))
                });
            }
        }
    }
    Err(format!(
        "expected a date such as 14/03/2024 or 2024-03-14, got {}",
        crate::error::shown(s)
    ))
}

fn list(s: &str) -> impl Iterator<Item = &str> {
    s.split([';', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
}

/// One row's cells by field name.
struct Cells<'a> {
    line: usize,
    headers: &'a [String],
    at: &'a [Option<usize>],
    cells: &'a [String],
    kind: Kind,
    problems: Vec<Problem>,
    keep_unverified: bool,
    /// When the import runs: a record of something done cannot be after it.
    now: jiff::Timestamp,
}

impl Cells<'_> {
    fn index(&self, field: &str) -> Option<usize> {
        self.kind
            .columns()
            .iter()
            .position(|c| c.name == field)
            .and_then(|i| self.at[i])
    }

    fn heading(&self, field: &str) -> String {
        self.index(field)
            .map_or_else(|| field.to_string(), |i| self.headers[i].clone())
    }

    /// The cell's text, trimmed ("" when the column is absent or the row short).
    fn get(&self, field: &str) -> &str {
        self.index(field)
            .and_then(|i| self.cells.get(i))
            .map_or("", |s| s.trim())
    }

    fn opt(&self, field: &str) -> Option<String> {
        Some(self.get(field).to_string()).filter(|s| !s.is_empty())
    }

    fn required(&mut self, field: &str) -> String {
        let v = self.get(field).to_string();
        if v.is_empty() {
            self.fail(field, "must not be empty");
        }
        v
    }

    /// Records a problem in `field`'s column, once: a cell that two rules refuse for
    /// the same reason (a name too long, by the cell's own check and by the person rules)
    /// is one problem.
    fn fail(&mut self, field: &str, reason: impl Into<String>) {
        let column = self.heading(field);
        self.note(Problem::at(self.line, &column, reason));
    }

    fn note(&mut self, problem: Problem) {
        if !self.problems.contains(&problem) {
            self.problems.push(problem);
        }
    }

    /// Runs a core rule on the cell, keeping its refusal as this cell's problem.
    fn rule<T>(&mut self, field: &str, r: Result<T, RuleError>) -> Option<T> {
        r.map_err(|e| {
            let column = self.heading(field);
            self.note(Problem::refused(self.line, &column, e));
        })
        .ok()
    }
}

/// Checks every row of `table` as `kind`, by the core's own rules, and each row against
/// the others (an id used twice; a number on two people not marked shared on both): the
/// rows that passed, and every problem found with its row and column (the mapping's own
/// problems alone, when the columns cannot be found). A day or moment something happened
/// is asked [`crate::check::happened`] against `now`, as at every other door.
pub fn check(
    kind: Kind,
    table: &Table,
    mapping: &Mapping,
    now: jiff::Timestamp,
) -> (Rows, Vec<Problem>) {
    let empty = match kind {
        Kind::People => Rows::People(Vec::new()),
        Kind::Matters => Rows::Matters(Vec::new()),
        Kind::Plans => Rows::Plans(Vec::new()),
        Kind::Contacts => Rows::Contacts(Vec::new()),
        Kind::Incidents => Rows::Incidents(Vec::new()),
        Kind::Adjustments => Rows::Adjustments(Vec::new()),
    };
    let at = match mapping.resolve(kind, &table.headers) {
        Ok(at) => at,
        Err(problems) => return (empty, problems),
    };
    let mut problems = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut rows = empty;
    for (line, cells) in &table.rows {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut c = Cells {
            line: *line,
            headers: &table.headers,
            at: &at,
            cells,
            kind,
            problems: Vec::new(),
            keep_unverified: mapping.keep_unverified,
            now,
        };
        let raw = row_digest_text(&at, cells);
        // Text every door keeps (a NUL cannot be stored by PostgreSQL; no longer than its
        // field may hold).
        for col in kind.columns() {
            if let Err(e) = crate::error::kept_text(col.name, c.get(col.name)) {
                c.fail(col.name, e.message);
            }
        }
        let key = c.required("id");
        if !key.is_empty() {
            if let Some(first) = seen.insert(key.clone(), *line) {
                c.fail(
                    "id",
                    format!(
                        "the id {} is also on row {first}",
                        crate::error::shown(&key)
                    ),
                );
            }
        }
        match &mut rows {
            Rows::People(out) => {
                if let Some(p) = person(&mut c, key, raw) {
                    if c.problems.is_empty() {
                        out.push(p);
                    }
                }
            }
            Rows::Matters(out) => {
                if let Some(m) = matter(&mut c, key, raw) {
                    if c.problems.is_empty() {
                        out.push(m);
                    }
                }
            }
            Rows::Plans(out) => keep(out, plan(&mut c, key, raw), &c),
            Rows::Contacts(out) => keep(out, contact(&mut c, key, raw), &c),
            Rows::Incidents(out) => keep(out, incident(&mut c, key, raw), &c),
            Rows::Adjustments(out) => keep(out, adjustment(&mut c, key, raw), &c),
        }
        problems.append(&mut c.problems);
    }
    if let Rows::People(people) = &mut rows {
        let clashes = shared_across_rows(people, &table.headers, &at);
        people.retain(|p| !clashes.iter().any(|c| c.row == p.line));
        problems.extend(clashes);
    }
    problems.sort_by_key(|p| p.row);
    (rows, problems)
}

/// The row's mapped cells in the kind's column order, for the app to digest: a row changed
/// in the source since it was imported reads differently.
fn row_digest_text(at: &[Option<usize>], cells: &[String]) -> String {
    at.iter()
        .map(|i| i.and_then(|i| cells.get(i)).map_or("", |c| c.trim()))
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

fn person(c: &mut Cells<'_>, key: String, raw: String) -> Option<PersonRow> {
    let name = c.required("name");
    let phones: Vec<PhoneNumber> = list(c.get("phones"))
        .map(str::to_string)
        .collect::<Vec<_>>()
        .into_iter()
        .filter_map(|p| {
            let r = PhoneNumber::record(&p, c.keep_unverified);
            c.rule("phones", r)
        })
        .collect();
    let emails: Vec<EmailAddress> = list(c.get("emails"))
        .map(str::to_string)
        .collect::<Vec<_>>()
        .into_iter()
        .filter_map(|e| {
            let r = EmailAddress::parse(&e);
            c.rule("emails", r)
        })
        .collect();
    let advocate = match c.opt("advocate_name") {
        Some(name) => {
            let phone = c.opt("advocate_phone").and_then(|p| {
                let r = PhoneNumber::record(&p, c.keep_unverified);
                c.rule("advocate_phone", r)
            });
            let email = c.opt("advocate_email").and_then(|e| {
                let r = EmailAddress::parse(&e);
                c.rule("advocate_email", r)
            });
            Some(Advocate {
                name,
                organisation: c.opt("advocate_organisation"),
                phone,
                email,
            })
        }
        None => {
            for f in ["advocate_organisation", "advocate_phone", "advocate_email"] {
                if !c.get(f).is_empty() {
                    c.fail(f, "is given without an advocate_name");
                }
            }
            None
        }
    };
    let preferred_format = c.opt("preferred_format").and_then(|f| {
        let r = Format::parse(&f.to_ascii_lowercase().replace(' ', "-"));
        c.rule("preferred_format", r)
    });
    let needs_help = match c.get("needs_help").to_ascii_lowercase().as_str() {
        "" => None,
        "yes" | "y" | "true" => Some(true),
        "no" | "n" | "false" => Some(false),
        other => {
            let other = other.to_string();
            c.fail(
                "needs_help",
                format!("expected yes or no, got {}", crate::error::shown(&other)),
            );
            None
        }
    };
    let words = c.opt("help_in_their_words");
    if needs_help.is_none() && words.is_some() {
        c.fail(
            "help_in_their_words",
            "is given without a needs_help answer",
        );
    }
    let input = PersonInput {
        name,
        phones,
        emails,
        postal_address: c.opt("postal_address"),
        advocate,
        preferred_format,
        preferred_language: c.opt("preferred_language"),
        shared: list(c.get("shared")).map(str::to_string).collect(),
        // Each number was read above, an unconfirmed one kept only if the mapping says so.
        keep_unverified: true,
    };
    // The rules every door asks of a person's details (a name not too long, each number
    // once, shared marks on their own numbers), reported in the column at fault.
    if !input.name.is_empty() {
        if let Err(e) = input.check() {
            let column = e
                .field
                .as_deref()
                .and_then(|f| f.split('[').next())
                .unwrap_or("name");
            c.fail(column, e.message);
            return None;
        }
    }
    Some(PersonRow {
        line: c.line,
        key,
        raw,
        input,
        needs_help: needs_help.map(|n| (n, words)),
    })
}

fn matter(c: &mut Cells<'_>, key: String, raw: String) -> Option<MatterRow> {
    let person = c.required("person");
    let kind = c.required("kind");
    let kind = if kind.is_empty() {
        None
    } else {
        let r = MatterKind::parse(&kind.to_ascii_lowercase());
        c.rule("kind", r)
    };
    let title = c.required("title");
    let status = match c.opt("status") {
        None => Some(MatterStatus::Open),
        Some(s) => {
            let r = MatterStatus::parse(&s.to_ascii_lowercase().replace(' ', "-"));
            c.rule("status", r)
        }
    };
    let finalised_on = day_done(c, "finalised_on", "the date a matter was finalised");
    // Only a finalised matter has the day it was finalised, and it needs one, as when staff
    // move a matter on; a day that did not read is its own problem already.
    let day_read = finalised_on.is_some() || c.get("finalised_on").is_empty();
    if let Some(s) = status.filter(|_| day_read) {
        c.rule(
            "finalised_on",
            crate::workflow::finalised_date(s, finalised_on),
        );
    }
    Some(MatterRow {
        line: c.line,
        key,
        raw,
        person,
        kind: kind?,
        title,
        status: status?,
        finalised_on,
    })
}

/// Keeps a row that passed every check of its own.
fn keep<T>(out: &mut Vec<T>, row: Option<T>, c: &Cells<'_>) {
    if let Some(r) = row.filter(|_| c.problems.is_empty()) {
        out.push(r);
    }
}

/// Reads a moment: a day (`14/03/2024`, `2024-03-14`) with or without a time (`10:30`), in
/// UK time; a day alone is taken as noon.
///
/// # Errors
/// Not a day, or a time that is not one.
pub fn parse_moment(s: &str) -> Result<jiff::Timestamp, String> {
    let s = s.trim();
    let (day, time) = match s.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let day = parse_day(day)?;
    let time = match time {
        None | Some("") => jiff::civil::time(12, 0, 0, 0),
        Some(t) => {
            let t = if t.len() == 4 && t.as_bytes().get(1) == Some(&b':') {
                format!("0{t}")
            } else {
                t.to_string()
            };
            jiff::civil::Time::strptime("%H:%M", &t)
                .or_else(|_| jiff::civil::Time::strptime("%H:%M:%S", &t))
                .map_err(|_| {
                    format!(
                        "expected a time such as 10:30, got {}",
                        crate::error::shown(&t)
                    )
                })?
        }
    };
    day.to_datetime(time)
        .to_zoned(crate::check::uk().clone())
        .map(|z| z.timestamp())
        .map_err(|e| format!("{} is not a moment in UK time: {e}", crate::error::shown(s)))
}

/// A required moment something happened: read, and asked [`crate::check::happened`] (not
/// in the future, not before the records begin) as every door asks it. `what` names it.
fn moment(c: &mut Cells<'_>, field: &str, what: &str) -> Option<jiff::Timestamp> {
    let v = c.required(field);
    if v.is_empty() {
        return None;
    }
    let at = parse_moment(&v).map_err(|why| c.fail(field, why)).ok()?;
    let r = crate::check::happened(field, what, at, c.now);
    c.rule(field, r).map(|()| at)
}

/// An optional day something happened: read, and asked [`crate::check::happened_by`].
fn day_done(c: &mut Cells<'_>, field: &str, what: &str) -> Option<Date> {
    let d = parse_day(&c.opt(field)?)
        .map_err(|why| c.fail(field, why))
        .ok()?;
    let r = crate::check::happened_by(field, what, d, crate::check::uk_date(c.now));
    c.rule(field, r).map(|()| d)
}

fn contact(c: &mut Cells<'_>, key: String, raw: String) -> Option<ContactRow> {
    let person = c.required("person");
    let channel = c.required("channel");
    let channel = if channel.is_empty() {
        None
    } else {
        let r = crate::profile::Channel::parse(&channel.to_ascii_lowercase());
        c.rule("channel", r)
    };
    let direction = match c.get("direction").to_ascii_lowercase().as_str() {
        "" | "inbound" | "in" => Some(Direction::Inbound),
        "outbound" | "out" => Some(Direction::Outbound),
        other => {
            let other = other.to_string();
            c.fail(
                "direction",
                format!(
                    "expected inbound or outbound, got {}",
                    crate::error::shown(&other)
                ),
            );
            None
        }
    };
    let at = moment(c, "at", "a contact");
    let summary = c.required("summary");
    let duration_seconds = c.opt("minutes").and_then(|m| match m.parse::<u32>() {
        Ok(n) => Some(n.saturating_mul(60)),
        _ => {
            c.fail(
                "minutes",
                format!(
                    "expected a whole number of minutes, got {}",
                    crate::error::shown(&m)
                ),
            );
            None
        }
    });
    // How long it lasted is asked as every door asks it: only a call or a visit has a
    // length, and it is a day at most.
    if let Some(channel) = channel {
        let r = crate::workflow::check_duration(channel, duration_seconds);
        c.rule("minutes", r);
    }
    Some(ContactRow {
        line: c.line,
        key,
        raw,
        person,
        matter: c.opt("matter"),
        channel: channel?,
        direction: direction?,
        at: at?,
        summary,
        duration_seconds,
    })
}

fn incident(c: &mut Cells<'_>, key: String, raw: String) -> Option<IncidentRow> {
    let person = c.required("person");
    let category = c.required("category");
    let description = c.required("description");
    let occurred_at = moment(c, "occurred_at", "an incident");
    Some(IncidentRow {
        line: c.line,
        key,
        raw,
        person,
        matter: c.opt("matter"),
        category,
        description,
        occurred_at: occurred_at?,
        staff: c.opt("staff"),
    })
}

fn adjustment(c: &mut Cells<'_>, key: String, raw: String) -> Option<AdjustmentRow> {
    use crate::model::{AdjustmentKind, AdjustmentStatus};
    let person = c.required("person");
    let kind = c.required("kind");
    let kind = if kind.is_empty() {
        None
    } else {
        let r = AdjustmentKind::parse(&kind.to_ascii_lowercase());
        c.rule("kind", r)
    };
    let description = c.required("description");
    let status = match c.get("status").to_ascii_lowercase().as_str() {
        "" | "granted" => Some(AdjustmentStatus::Granted),
        "requested" => Some(AdjustmentStatus::Requested),
        "refused" => Some(AdjustmentStatus::Refused),
        other => {
            let other = other.to_string();
            c.fail(
                "status",
                format!(
                    "expected requested, granted or refused, got {}",
                    crate::error::shown(&other)
                ),
            );
            None
        }
    };
    let decided_on = day_done(c, "decided_on", "a decision on an adjustment");
    let reason = c.opt("reason");
    if status == Some(AdjustmentStatus::Refused) && reason.is_none() {
        c.fail(
            "reason",
            "a refused adjustment needs the reason it was refused",
        );
    }
    Some(AdjustmentRow {
        line: c.line,
        key,
        raw,
        person,
        kind: kind?,
        description,
        status: status?,
        decided_on,
        reason,
    })
}

/// Reads call times: `Tuesday 10:00-12:00; thu 14:00 to 15:30`.
///
/// # Errors
/// A part that is not a day and two times, the start before the end.
pub fn parse_windows(text: &str) -> Result<Vec<crate::model::CallWindow>, String> {
    list(text).map(crate::model::CallWindow::read).collect()
}

fn plan(c: &mut Cells<'_>, key: String, raw: String) -> Option<PlanRow> {
    use crate::model::Rule;
    let person = c.required("person");
    let reasons = c.required("reasons");
    let authorised_by = c.required("authorised_by");
    let day = |c: &mut Cells<'_>, field: &str, required: bool| -> Option<Date> {
        let v = c.get(field).to_string();
        if v.is_empty() {
            if required {
                c.fail(field, "must not be empty");
            }
            return None;
        }
        parse_day(&v).map_err(|why| c.fail(field, why)).ok()
    };
    let authorised_on = day(c, "authorised_on", true);
    let notice_sent_on = day(c, "notice_sent_on", true);
    let review_due = day(c, "review_due", true);
    let ends_on = day(c, "ends_on", false);
    let yes = |c: &mut Cells<'_>, field: &str| -> bool {
        match c.get(field).to_ascii_lowercase().as_str() {
            "" | "no" | "n" | "false" => false,
            "yes" | "y" | "true" => true,
            other => {
                let other = other.to_string();
                c.fail(
                    field,
                    format!("expected yes or no, got {}", crate::error::shown(&other)),
                );
                false
            }
        }
    };
    let mut rules = Vec::new();
    if let Some(ch) = c.opt("single_channel") {
        let r = crate::profile::Channel::parse(&ch.to_ascii_lowercase());
        if let Some(channel) = c.rule("single_channel", r) {
            rules.push(Rule::SingleChannel { channel });
        }
    }
    if let Some(w) = c.opt("call_window") {
        let max_minutes = c.opt("call_max_minutes").and_then(|m| {
            m.parse::<u32>().ok().filter(|n| *n > 0).or_else(|| {
                c.fail(
                    "call_max_minutes",
                    format!(
                        "expected a whole number of minutes, got {}",
                        crate::error::shown(&m)
                    ),
                );
                None
            })
        });
        match parse_windows(&w) {
            Ok(windows) => rules.push(Rule::CallWindow {
                windows,
                max_minutes,
                max_calls_per_window: None,
            }),
            Err(why) => c.fail("call_window", why),
        }
    } else if !c.get("call_max_minutes").is_empty() {
        c.fail("call_max_minutes", "is given without call_window");
    }
    if yes(c, "recorded_calls") {
        rules.push(Rule::RecordedCalls);
    }
    if let Some(m) = c.opt("dedicated_mailbox") {
        let r = EmailAddress::parse(&m);
        if let Some(address) = c.rule("dedicated_mailbox", r) {
            rules.push(Rule::DedicatedMailbox { address });
        }
    }
    for b in list(c.get("blocked"))
        .map(str::to_string)
        .collect::<Vec<_>>()
    {
        let r = crate::identity::Identifier::parse(&b);
        if let Some(identifier) = c.rule("blocked", r) {
            rules.push(Rule::BlockedIdentifier {
                identifier,
                acknowledge: false,
            });
        }
    }
    if yes(c, "advocate_only") {
        rules.push(Rule::AdvocateOnly);
    }
    if yes(c, "read_and_file") {
        rules.push(Rule::ReadAndFile { acknowledge: false });
    }
    if let Some(description) = c.opt("other") {
        rules.push(Rule::Other { description });
    }
    let point_of_contact = c.opt("single_point_of_contact");
    if rules.is_empty() && point_of_contact.is_none() && c.problems.is_empty() {
        c.fail(
            "reasons",
            "no restriction is given: fill in at least one of the restriction columns (single_channel, call_window, …)",
        );
    }
    Some(PlanRow {
        line: c.line,
        key,
        raw,
        person,
        matters: list(c.get("matters")).map(str::to_string).collect(),
        reasons,
        rules,
        point_of_contact,
        authorised_by,
        authorised_on: authorised_on?,
        notice_sent_on: notice_sent_on?,
        review_due: review_due?,
        ends_on,
    })
}

/// Which column of a strategies file a refusal of [`crate::workflow::import_plan`] is about,
/// by the field it names.
pub fn plan_column(field: Option<&str>, rules: &[crate::model::Rule]) -> &'static str {
    use crate::profile::RestrictionKind as K;
    let Some(field) = field else { return "id" };
    if let Some(rest) = field.strip_prefix("restrictions[") {
        let i: Option<usize> = rest.split(']').next().and_then(|n| n.parse().ok());
        return match i.and_then(|i| rules.get(i)).map(crate::model::Rule::kind) {
            Some(K::SingleChannel) => "single_channel",
            Some(K::CallWindow) => "call_window",
            Some(K::SinglePointOfContact) => "single_point_of_contact",
            Some(K::RecordedCalls) => "recorded_calls",
            Some(K::DedicatedMailbox) => "dedicated_mailbox",
            Some(K::BlockedIdentifier) => "blocked",
            Some(K::AdvocateOnly) => "advocate_only",
            Some(K::ReadAndFile) => "read_and_file",
            _ => "other",
        };
    }
    // An item of a list (`matter_ids[1]`, a matter named twice) is on the list's column.
    match field.split('[').next().unwrap_or(field) {
        "matter_ids" => "matters",
        "restrictions" => "reasons",
        "authorised_on" => "authorised_on",
        "notice_sent_on" => "notice_sent_on",
        "review_due" => "review_due",
        "ends_on" => "ends_on",
        _ => "id",
    }
}

/// A number or address on two people's rows is refused unless both mark it shared — the
/// rule [`crate::identity::may_hold`] applies when a person is created at any door.
fn shared_across_rows(
    people: &[PersonRow],
    headers: &[String],
    at: &[Option<usize>],
) -> Vec<Problem> {
    // Identifier: (row, the source's id, the field it is in, marked shared).
    type Held = (usize, String, &'static str, bool);
    let mut holders: HashMap<String, Vec<Held>> = HashMap::new();
    for p in people {
        let shared = p.input.shared_marks().unwrap_or_default();
        let advocate = p.input.advocate.as_ref();
        let mut keys: Vec<(String, &'static str)> = p
            .input
            .phones
            .iter()
            .map(|x| (x.as_str().to_string(), "phones"))
            .chain(
                p.input
                    .emails
                    .iter()
                    .map(|x| (x.as_str().to_string(), "emails")),
            )
            .chain(
                advocate
                    .and_then(|a| a.phone.as_ref())
                    .map(|x| (x.as_str().to_string(), "advocate_phone")),
            )
            .chain(
                advocate
                    .and_then(|a| a.email.as_ref())
                    .map(|x| (x.as_str().to_string(), "advocate_email")),
            )
            .collect();
        keys.sort();
        keys.dedup_by(|a, b| a.0 == b.0);
        for (k, field) in keys {
            let marked = shared.contains(&k);
            holders
                .entry(k)
                .or_default()
                .push((p.line, p.key.clone(), field, marked));
        }
    }
    let column = |f: &str| {
        Kind::People
            .columns()
            .iter()
            .position(|c| c.name == f)
            .and_then(|i| at[i])
            .map_or_else(|| f.to_string(), |i| headers[i].clone())
    };
    let mut out = Vec::new();
    for (k, rows) in holders {
        if rows.len() < 2 {
            continue;
        }
        for (line, _, field, marked) in &rows {
            let others: Vec<crate::identity::Holder> = rows
                .iter()
                .filter(|(l, ..)| l != line)
                .map(|(l, other, ..)| crate::identity::Holder {
                    person: crate::ids::PersonId(0),
                    reference: format!("row {l}"),
                    name: other.clone(),
                })
                .collect();
            if let Err(e) = crate::identity::may_hold(&k, field, &others, *marked) {
                out.push(Problem::refused(*line, &column(field), e));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// When these imports run.
    fn now() -> jiff::Timestamp {
        "2026-12-01T12:00:00Z".parse().unwrap()
    }

    fn table(csv: &str) -> Table {
        let mut lines = csv.lines();
        let headers = lines
            .next()
            .unwrap()
            .split(',')
            .map(str::to_string)
            .collect();
        Table {
            headers,
            rows: lines
                .enumerate()
                .map(|(i, l)| (i + 2, l.split(',').map(str::to_string).collect()))
                .collect(),
        }
    }

    /// Issue 14 (issue 11: a list written once): the template's notes list, for a column
    /// that takes a closed list's word, the words the import accepts — each one, in the
    /// template's example row, reads without a problem in its column. The contacts notes
    /// used to say "in-person", which the import refused.
    #[test]
    fn issue_14_every_word_a_templates_notes_list_is_one_the_import_accepts() {
        let mut tried = 0;
        for kind in Kind::ALL {
            let columns = kind.columns();
            for (i, c) in columns
                .iter()
                .enumerate()
                .filter(|(_, c)| !c.words.is_empty())
            {
                assert!(
                    kind_notes_list(kind, c.name, c.words),
                    "{kind:?} {}",
                    c.name
                );
                for word in c.words {
                    let mut row: Vec<&str> = columns.iter().map(|c| c.example).collect();
                    row[i] = word;
                    let csv = format!(
                        "{}\n{}\n",
                        columns.iter().map(|c| c.name).collect::<Vec<_>>().join(","),
                        row.join(",")
                    );
                    let problems = check(kind, &table(&csv), &Mapping::default(), now()).1;
                    assert!(
                        problems.iter().all(|p| p.column != c.name),
                        "{kind:?} {} {word}: {problems:?}",
                        c.name
                    );
                    tried += 1;
                }
            }
        }
        assert!(tried >= 20, "{tried}");
        assert!(!template_notes(Kind::Contacts).contains("in-person"));
    }

    fn kind_notes_list(kind: Kind, column: &str, words: &[&str]) -> bool {
        template_notes(kind)
            .lines()
            .find(|l| l.starts_with(&format!("| {column} |")))
            .is_some_and(|l| l.contains(&words.join(", ")))
    }

    #[test]
    fn issue_14_a_good_people_file_reads_with_numbers_in_any_form() {
        let t = table("id,name,phones,preferred_format,needs_help\nC-1,Amira Evans,07911 123456; +44 1642 301653,Large print,no\nC-2,Jo Bloggs,,,\n");
        let (Rows::People(p), problems) = check(Kind::People, &t, &Mapping::default(), now())
        else {
            panic!()
        };
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].input.phones[0].as_str(), "+447911123456");
        assert_eq!(p[0].input.phones[1].as_str(), "+441642301653");
        assert_eq!(p[0].input.preferred_format, Some(Format::LargePrint));
        assert_eq!(p[0].needs_help, Some((false, None)));
        assert_eq!(p[1].needs_help, None);
    }

    #[test]
    fn issue_14_every_problem_names_its_row_and_column_with_the_cores_reason() {
        let t = table("id,name,Telephone,needs_help\nC-1,,0791,maybe\nC-1,Jo,07911 123456,\n");
        let m = Mapping::parse(&["phones=Telephone".into()]).unwrap();
        let problems = check(Kind::People, &t, &m, now()).1;
        let said = |row, col: &str| {
            problems
                .iter()
                .find(|p| p.row == row && p.column == col)
                .map(|p| p.reason.clone())
                .unwrap_or_else(|| panic!("{row} {col}: {problems:?}"))
        };
        assert!(said(2, "name").contains("must not be empty"));
        // The phone rule's own words, as every door gives them.
        assert_eq!(
            said(2, "Telephone"),
            PhoneNumber::parse("0791").unwrap_err().message
        );
        assert!(said(2, "needs_help").contains("yes or no"));
        assert!(said(3, "id").contains("also on row 2"));
    }

    /// Issue 10, 14: an imported person meets the rules every door's person form does —
    /// each number once (written two ways is the same number), a name of at most 200
    /// characters — reported in the source's own column.
    #[test]
    fn issue_14_a_person_row_meets_the_person_rules_of_every_door() {
        let long = "x".repeat(201);
        let t = table(&format!("id,name,Telephone\nC-1,Jo,07911 123456; +44 7911 123456\nC-2,{long},\nC-3,Amira,01642 301653\n"));
        let m = Mapping::parse(&["phones=Telephone".into()]).unwrap();
        let (Rows::People(p), problems) = check(Kind::People, &t, &m, now()) else {
            panic!()
        };
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(
            (problems[0].row, problems[0].column.as_str()),
            (2, "Telephone")
        );
        assert!(problems[0].reason.contains("given twice"), "{problems:?}");
        assert_eq!((problems[1].row, problems[1].column.as_str()), (3, "name"));
        assert_eq!(
            problems[1].reason,
            "200 characters at most, and this has 201: shorten it"
        );
        assert_eq!(p.len(), 1, "only the good row passes");
    }

    /// A cell with a control character (a NUL cannot be stored by PostgreSQL) is a problem in
    /// its own column, as the same text is refused at every other door.
    #[test]
    fn issue_14_a_cell_with_a_control_character_is_a_problem_in_its_column() {
        let t =
            table("id,name,postal_address\nC-1,Jo\u{0}Bloggs,1 High St\nC-2,Amira,2 Low\u{7} St\n");
        let problems = check(Kind::People, &t, &Mapping::default(), now()).1;
        let at: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect();
        assert_eq!(at, vec![(2, "name"), (3, "postal_address")], "{problems:?}");
        assert!(problems[0].reason.contains("U+0000"));
    }

    #[test]
    fn issue_14_a_number_that_cannot_be_confirmed_is_kept_only_when_asked() {
        // Ofcom's drama range: a real format, not a number in use.
        let t = table("id,name,phones\nC-1,Ann Actor,07700 900123\n");
        let (_, problems) = check(Kind::People, &t, &Mapping::default(), now());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].reason.contains("unverified"));
        let keep = Mapping {
            keep_unverified: true,
            ..Mapping::default()
        };
        let (Rows::People(p), problems) = check(Kind::People, &t, &keep, now()) else {
            panic!()
        };
        assert!(problems.is_empty(), "{problems:?}");
        assert!(!p[0].input.phones[0].is_verified());
    }

    #[test]
    fn issue_14_a_number_on_two_rows_must_be_marked_shared_on_both() {
        let t =
            table("id,name,phones,shared\nC-1,A,07911 123456,\nC-2,B,07911 123456,07911 123456\n");
        let problems = check(Kind::People, &t, &Mapping::default(), now()).1;
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].row, 2);
        assert!(
            problems[0].reason.contains("mark it as shared"),
            "{problems:?}"
        );
        let t = table("id,name,phones,shared\nC-1,A,07911 123456,07911 123456\nC-2,B,07911 123456,07911 123456\n");
        assert!(check(Kind::People, &t, &Mapping::default(), now())
            .1
            .is_empty());
    }

    #[test]
    fn issue_14_a_missing_required_column_or_a_bad_mapping_is_one_problem_each() {
        let t = table("id,Full name\nC-1,A\n");
        let problems = check(Kind::People, &t, &Mapping::default(), now()).1;
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].column, "name");
        let m = Mapping::parse(&["name=Full name".into(), "colour=Colour".into()]).unwrap();
        let problems = check(Kind::People, &t, &m, now()).1;
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].reason.contains("no field \"colour\""));
        assert!(Mapping::parse(&["nonsense".into()]).is_err());
    }

    #[test]
    fn issue_14_matters_check_kind_status_and_the_finalised_date() {
        let t = table("id,person,kind,title,status,finalised_on\nM-1,C-1,complaint,Delay,finalised,14/03/2024\nM-2,C-1,gripe,Delay,finalised,\nM-3,C-1,case,X,open,31/02/2024\n");
        let problems = check(Kind::Matters, &t, &Mapping::default(), now()).1;
        assert!(problems.iter().any(|p| p.row == 3 && p.column == "kind"));
        assert!(problems
            .iter()
            .any(|p| p.row == 3 && p.column == "finalised_on"));
        assert!(
            problems
                .iter()
                .any(|p| p.row == 4 && p.reason.contains("not a day")),
            "{problems:?}"
        );
        assert!(!problems.iter().any(|p| p.row == 2), "{problems:?}");
    }

    /// Issue 11: a day or moment something happened is refused by the import as by every
    /// other door — in the future, or before the records begin (a mistyped year) — with the
    /// same reason, in its column; a day in range reads.
    #[test]
    fn issue_11_an_imported_day_in_the_future_or_before_the_records_begin_is_a_problem() {
        let cases = [
            (
                Kind::Contacts,
                "id,person,channel,at,summary\nC-1,P,phone,14/03/2024 10:30,Fine\nC-2,P,phone,14/03/2099 10:30,Later\nC-3,P,phone,14/03/1926,Typo\n",
                "at",
                "a contact",
            ),
            (
                Kind::Incidents,
                "id,person,category,description,occurred_at\nI-1,P,abusive,Shouted,02/05/2024\nI-2,P,abusive,Shouted,02/05/2099\nI-3,P,abusive,Shouted,1999-12-31\n",
                "occurred_at",
                "an incident",
            ),
            (
                Kind::Matters,
                "id,person,kind,title,status,finalised_on\nM-1,P,complaint,T,finalised,14/03/2024\nM-2,P,complaint,T,finalised,14/03/2099\nM-3,P,complaint,T,finalised,14/03/1024\n",
                "finalised_on",
                "the date a matter was finalised",
            ),
            (
                Kind::Adjustments,
                "id,person,kind,description,decided_on\nA-1,P,extra-time,More time,14/03/2024\nA-2,P,extra-time,More time,02/12/2026\nA-3,P,extra-time,More time,14/03/1924\n",
                "decided_on",
                "a decision on an adjustment",
            ),
        ];
        for (kind, csv, column, what) in cases {
            let problems = check(kind, &table(csv), &Mapping::default(), now()).1;
            let reasons = where_and_why(&problems);
            let early = format!("{what} cannot be before 1 January 2000: check the year");
            let later = format!("{what} cannot be in the future");
            assert_eq!(
                reasons,
                [(3, column, later.as_str()), (4, column, early.as_str())],
                "{kind:?}"
            );
        }
    }

    /// Each problem as (row, column, reason).
    fn where_and_why(problems: &[Problem]) -> Vec<(usize, &str, &str)> {
        problems
            .iter()
            .map(|p| (p.row, p.column.as_str(), p.reason.as_str()))
            .collect()
    }

    /// Issue 11 (issue 13): an imported contact's length is asked as at every door — only
    /// a call or a visit has one, a day at most — in the minutes column; and a matter that
    /// is not finalised has no finalised day (one given is a problem), as when staff move a
    /// matter on.
    #[test]
    fn issue_11_an_imported_contacts_length_and_a_matters_day_follow_the_doors_rules() {
        let t = table("id,person,channel,at,summary,minutes\nC-1,P,phone,14/03/2024,Rang,12\nC-2,P,email,14/03/2024,Wrote,12\nC-3,P,visit,14/03/2024,Came in,1441\nC-4,P,letter,14/03/2024,Wrote,\n");
        let (Rows::Contacts(rows), problems) =
            check(Kind::Contacts, &t, &Mapping::default(), now())
        else {
            panic!("contacts")
        };
        let at = where_and_why(&problems);
        assert_eq!(
            at,
            [
                (
                    3,
                    "minutes",
                    "only a call or a visit has a length: leave it empty for a letter, email or form"
                ),
                (
                    4,
                    "minutes",
                    "a call or visit lasts a day at most (86,400 seconds; 1,440 minutes)"
                )
            ]
        );
        let kept: Vec<(&str, Option<u32>)> = rows
            .iter()
            .map(|r| (r.key.as_str(), r.duration_seconds))
            .collect();
        assert_eq!(kept, [("C-1", Some(720)), ("C-4", None)]);
        let t = table("id,person,kind,title,status,finalised_on\nM-1,P,complaint,T,open,14/03/2024\nM-2,P,complaint,T,finalised,14/03/2024\n");
        let (Rows::Matters(rows), problems) = check(Kind::Matters, &t, &Mapping::default(), now())
        else {
            panic!("matters")
        };
        let at = where_and_why(&problems);
        assert_eq!(
            at,
            [(
                2,
                "finalised_on",
                "only a finalised matter has the date it was finalised: leave it out for open"
            )]
        );
        let days: Vec<Option<Date>> = rows.iter().map(|r| r.finalised_on).collect();
        assert_eq!(days, [Some(jiff::civil::date(2024, 3, 14))]);
    }

    /// A title past the one line every other door keeps (issue 11) is a problem in its
    /// column with the same reason; a title at the limit reads.
    #[test]
    fn issue_11_an_imported_title_past_its_length_is_a_problem_as_at_every_door() {
        let (ok, long) = ("t".repeat(500), "t".repeat(501));
        let t = table(&format!(
            "id,person,kind,title\nM-1,C-1,complaint,{ok}\nM-2,C-1,complaint,{long}\n"
        ));
        let problems = check(Kind::Matters, &t, &Mapping::default(), now()).1;
        let at: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect();
        assert_eq!(at, vec![(3, "title")], "{problems:?}");
        assert_eq!(
            problems[0].reason,
            crate::error::within("title", &long).unwrap_err().message
        );
        // An optional cell is asked too, as at every door.
        let t = table(&format!(
            "id,name,postal_address\nC-1,Jo,{}\n",
            "a".repeat(50_001)
        ));
        let problems = check(Kind::People, &t, &Mapping::default(), now()).1;
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].column, "postal_address");
    }

    #[test]
    fn issue_14_call_times_read_as_staff_write_them() {
        let w = parse_windows("Tuesday 10:00-12:00; thu 9:30 to 11:00").unwrap();
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].weekday, jiff::civil::Weekday::Tuesday);
        assert_eq!(w[1].start, jiff::civil::time(9, 30, 0, 0));
        assert!(parse_windows("Tuesday 12:00-10:00")
            .unwrap_err()
            .contains("start"));
        assert!(parse_windows("sometimes").is_err());
    }

    #[test]
    fn issue_11_plans_are_imported_as_plans_and_the_first_word_still_works() {
        assert_eq!(Kind::parse("plans").unwrap(), Kind::Plans);
        assert_eq!(Kind::parse(" Strategies ").unwrap(), Kind::Plans);
        assert_eq!(Kind::Plans.as_str(), "plans");
        let e = Kind::parse("plan").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("kind"));
        assert!(e.message.contains("plans"), "{e:?}");
    }

    #[test]
    fn issue_14_a_plan_row_needs_a_restriction_and_its_dates() {
        let t = table("id,person,reasons,single_channel,call_window,authorised_by,authorised_on,notice_sent_on,review_due\nS-1,C-1,Abuse,letter,Tue 10:00-12:00,Pat,01/07/2026,03/07/2026,01/10/2026\nS-2,C-1,Abuse,,,Pat,01/07/2026,,01/10/2026\n");
        let (Rows::Plans(rows), problems) = check(Kind::Plans, &t, &Mapping::default(), now())
        else {
            panic!()
        };
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].rules.len(), 2);
        let at: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect();
        assert_eq!(at, vec![(3, "notice_sent_on")], "{problems:?}");
        assert_eq!(
            plan_column(Some("restrictions[1].windows"), &rows[0].rules),
            "call_window"
        );
        assert_eq!(
            plan_column(Some("matter_ids[1]"), &rows[0].rules),
            "matters"
        );
    }

    #[test]
    fn issue_14_days_read_in_both_forms() {
        assert_eq!(
            parse_day("14/03/2024").unwrap(),
            jiff::civil::date(2024, 3, 14)
        );
        assert_eq!(
            parse_day("2024-03-14").unwrap(),
            jiff::civil::date(2024, 3, 14)
        );
        assert!(parse_day("03/14/2024").is_err());
        assert!(parse_day("soon").is_err());
    }

    #[test]
    fn issue_14_templates_have_every_column_and_read_back_clean() {
        for kind in Kind::ALL {
            let csv = template_csv(kind);
            let header = csv.lines().next().unwrap();
            assert_eq!(header.split(',').count(), kind.columns().len());
            let notes = template_notes(kind);
            for c in kind.columns() {
                assert!(notes.contains(&format!("| {} |", c.name)));
            }
        }
        // The people template's example row is itself a good row.
        let t = Table {
            headers: PEOPLE.iter().map(|c| c.name.to_string()).collect(),
            rows: vec![(2, PEOPLE.iter().map(|c| c.example.to_string()).collect())],
        };
        assert!(check(Kind::People, &t, &Mapping::default(), now())
            .1
            .is_empty());
    }
}
