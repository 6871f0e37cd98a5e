//! Equality monitoring (issue 13; CLE-8.4; NOR-1.4): whether restrictions, warnings and
//! adjustments fall fairly across people with the characteristics the Equality Act 2010
//! protects. Answers are recorded only with the person's consent, kept apart from the
//! record, never shown to front-line staff, and read only as counts — by the DPO and the
//! head of standards (the profile's `read_equality`) — with small numbers suppressed so no
//! one can be picked out.

use crate::ids::{PersonId, StaffId};
use crate::RuleError;
use jiff::Timestamp;
use std::collections::{BTreeMap, HashSet};

/// Counts from 1 to this less one are shown as "fewer than 5", never as the number.
pub const SUPPRESS_BELOW: u64 = 5;

/// The answer every question accepts.
pub const PREFER_NOT: &str = "prefer-not-to-say";

crate::words! {
    /// The protected characteristics of the Equality Act 2010, s.4, each with the answers a
    /// person may give (and "prefer not to say").
    #[derive(PartialOrd, Ord)]
    pub enum Characteristic for "characteristic" {
        Age = "age",
        Disability = "disability",
        GenderReassignment = "gender-reassignment",
        MarriageCivilPartnership = "marriage-civil-partnership",
        PregnancyMaternity = "pregnancy-maternity",
        Ethnicity = "ethnicity",
        Religion = "religion",
        Sex = "sex",
        SexualOrientation = "sexual-orientation",
    }
}

impl Characteristic {
    /// The question, as staff ask it.
    pub fn question(self) -> &'static str {
        match self {
            Self::Age => "What is their age?",
            Self::Disability => "Do they consider themselves to have a disability?",
            Self::GenderReassignment => {
                "Is the gender they identify with the same as their sex registered at birth?"
            }
            Self::MarriageCivilPartnership => "Are they married or in a civil partnership?",
            Self::PregnancyMaternity => {
                "Are they pregnant, or have they given birth in the last 26 weeks?"
            }
            Self::Ethnicity => "What is their ethnic group?",
            Self::Religion => "What is their religion or belief?",
            Self::Sex => "What is their sex?",
            Self::SexualOrientation => "What is their sexual orientation?",
        }
    }

    /// The heading a report gives it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Age => "Age",
            Self::Disability => "Disability",
            Self::GenderReassignment => "Gender reassignment",
            Self::MarriageCivilPartnership => "Marriage and civil partnership",
            Self::PregnancyMaternity => "Pregnancy and maternity",
            Self::Ethnicity => "Ethnic group",
            Self::Religion => "Religion or belief",
            Self::Sex => "Sex",
            Self::SexualOrientation => "Sexual orientation",
        }
    }

    /// The answers, as (value, words), "prefer not to say" last.
    pub fn answers(self) -> Vec<(&'static str, &'static str)> {
        let mut v: Vec<(&str, &str)> = match self {
            Self::Age => vec![
                ("under-25", "Under 25"),
                ("25-34", "25 to 34"),
                ("35-44", "35 to 44"),
                ("45-54", "45 to 54"),
                ("55-64", "55 to 64"),
                ("65-74", "65 to 74"),
                ("75-and-over", "75 and over"),
            ],
            Self::Disability
            | Self::MarriageCivilPartnership
            | Self::PregnancyMaternity
            | Self::GenderReassignment => vec![("yes", "Yes"), ("no", "No")],
            Self::Ethnicity => vec![
                ("asian", "Asian or Asian British"),
                ("black", "Black, Black British, Caribbean or African"),
                ("mixed", "Mixed or multiple ethnic groups"),
                ("white", "White"),
                ("other", "Another ethnic group"),
            ],
            Self::Religion => vec![
                ("none", "No religion"),
                ("buddhist", "Buddhist"),
                ("christian", "Christian"),
                ("hindu", "Hindu"),
                ("jewish", "Jewish"),
                ("muslim", "Muslim"),
                ("sikh", "Sikh"),
                ("other", "Another religion or belief"),
            ],
            Self::Sex => vec![("female", "Female"), ("male", "Male")],
            Self::SexualOrientation => vec![
                ("heterosexual", "Straight or heterosexual"),
                ("gay-lesbian", "Gay or lesbian"),
                ("bisexual", "Bisexual"),
                ("other", "Another sexual orientation"),
            ],
        };
        v.push((PREFER_NOT, "Prefer not to say"));
        v
    }
}

/// One person's answers, recorded with their consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Monitoring {
    pub person_id: PersonId,
    pub consented_at: Timestamp,
    pub recorded_by: StaffId,
    pub answers: BTreeMap<Characteristic, String>,
}

/// Checks answers before they are kept: only with consent, only from each question's own
/// list; a question left out is simply not answered.
///
/// # Errors
/// No consent (CLE-8.4, NOR-1.4: monitoring is by consent); an answer not on the list,
/// naming its question.
pub fn check_answers(
    clause: &str,
    consent: bool,
    answers: &BTreeMap<Characteristic, String>,
) -> Result<(), RuleError> {
    if !consent {
        return Err(RuleError::invalid(
            "consent",
            "record these only when they have agreed to answer and to their answers being kept",
        )
        .with_clause(clause));
    }
    for (c, v) in answers {
        if !c.answers().iter().any(|(x, _)| x == v) {
            return Err(RuleError::invalid(
                c.as_str(),
                format!("Choose one of the answers for \"{}\"", c.question()),
            ));
        }
    }
    Ok(())
}

/// A count as a report may release it: none where it is fewer than [`SUPPRESS_BELOW`] but
/// not none, so no one person can be picked out.
pub fn released(n: u64) -> Option<u64> {
    (n == 0 || n >= SUPPRESS_BELOW).then_some(n)
}

/// A count as a report may show it: fewer than [`SUPPRESS_BELOW`] (but not none) is
/// "fewer than 5", so no one person can be picked out.
pub fn shown(n: u64) -> String {
    match released(n) {
        Some(n) => n.to_string(),
        None => format!("fewer than {SUPPRESS_BELOW}"),
    }
}

/// One answer to one question, and how many of those who gave it were warned, restricted
/// and given an adjustment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub characteristic: Characteristic,
    pub answer: &'static str,
    pub words: &'static str,
    pub all: u64,
    pub warned: u64,
    pub restricted: u64,
    pub adjusted: u64,
}

/// Who among those monitored was warned, restricted (a plan authorised) and given an
/// adjustment.
#[derive(Debug, Clone, Default)]
pub struct Outcomes {
    pub warned: HashSet<PersonId>,
    pub restricted: HashSet<PersonId>,
    pub adjusted: HashSet<PersonId>,
}

/// The report: how many people answered, and every answer to every question with its
/// counts (unsuppressed: suppress them with [`shown`] where they are shown).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    pub monitored: u64,
    pub rows: Vec<Row>,
}

pub fn report(monitored: &[Monitoring], outcomes: &Outcomes) -> Report {
    Report {
        monitored: monitored.len() as u64,
        rows: rows(monitored, outcomes),
    }
}

fn rows(monitored: &[Monitoring], outcomes: &Outcomes) -> Vec<Row> {
    let mut rows = Vec::new();
    for c in Characteristic::ALL {
        for (answer, words) in c.answers() {
            let who: Vec<PersonId> = monitored
                .iter()
                .filter(|m| m.answers.get(&c).is_some_and(|v| v == answer))
                .map(|m| m.person_id)
                .collect();
            let count =
                |set: &HashSet<PersonId>| who.iter().filter(|p| set.contains(p)).count() as u64;
            rows.push(Row {
                characteristic: c,
                answer,
                words,
                all: who.len() as u64,
                warned: count(&outcomes.warned),
                restricted: count(&outcomes.restricted),
                adjusted: count(&outcomes.adjusted),
            });
        }
    }
    rows
}

/// The report as CSV, counts suppressed as on the page.
pub fn csv(report: &Report) -> String {
    let mut out =
        String::from("characteristic,answer,service users,warned,restricted,given adjustments\n");
    out.push_str(&format!(
        "All who answered,,{},,,\n",
        shown(report.monitored)
    ));
    for r in &report.rows {
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            r.characteristic.name(),
            r.words.replace(',', ""),
            shown(r.all),
            shown(r.warned),
            shown(r.restricted),
            shown(r.adjusted)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(id: i64, sex: &str, age: &str) -> Monitoring {
        Monitoring {
            person_id: PersonId(id),
            consented_at: Timestamp::UNIX_EPOCH,
            recorded_by: StaffId(1),
            answers: [
                (Characteristic::Sex, sex.to_string()),
                (Characteristic::Age, age.to_string()),
            ]
            .into_iter()
            .collect(),
        }
    }

    #[test]
    fn cle_8_4_and_nor_1_4_answers_are_kept_only_with_consent_and_from_the_list() {
        let mut a = BTreeMap::new();
        a.insert(Characteristic::Sex, "female".to_string());
        let e = check_answers("CLE-8.4", false, &a).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("consent"));
        assert!(check_answers("CLE-8.4", true, &a).is_ok());
        a.insert(Characteristic::Age, "ancient".to_string());
        let e = check_answers("CLE-8.4", true, &a).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("age"));
        a.insert(Characteristic::Age, PREFER_NOT.to_string());
        assert!(check_answers("CLE-8.4", true, &a).is_ok());
    }

    #[test]
    fn cle_8_4_the_report_counts_each_answer_and_suppresses_small_numbers() {
        let monitored: Vec<Monitoring> = (1..=12)
            .map(|i| m(i, if i <= 8 { "female" } else { "male" }, "25-34"))
            .collect();
        let outcomes = Outcomes {
            warned: [1, 2, 3, 4, 5, 6, 9].into_iter().map(PersonId).collect(),
            restricted: [1, 9].into_iter().map(PersonId).collect(),
            adjusted: HashSet::new(),
        };
        let report = report(&monitored, &outcomes);
        assert_eq!(report.monitored, 12);
        let rows = &report.rows;
        let female = rows
            .iter()
            .find(|r| r.characteristic == Characteristic::Sex && r.answer == "female")
            .unwrap();
        assert_eq!((female.all, female.warned, female.restricted), (8, 6, 1));
        let male = rows
            .iter()
            .find(|r| r.characteristic == Characteristic::Sex && r.answer == "male")
            .unwrap();
        assert_eq!((male.all, male.warned), (4, 1));
        assert_eq!(shown(6), "6");
        assert_eq!(shown(4), "fewer than 5");
        assert_eq!(shown(1), "fewer than 5");
        assert_eq!(shown(0), "0");
        let csv = csv(&report);
        assert!(csv.contains("All who answered,,12,,,\n"), "{csv}");
        assert!(csv.contains("Sex,Female,8,6,fewer than 5,0\n"), "{csv}");
        assert!(
            csv.contains("Sex,Male,fewer than 5,fewer than 5,fewer than 5,0\n"),
            "{csv}"
        );
        assert!(
            !csv.contains(",1,") && !csv.contains(",4,"),
            "no small number shows: {csv}"
        );
    }
}
