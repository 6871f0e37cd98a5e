//! Typed record identifiers, so a matter id can never be passed where a person id is wanted.

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )*};
}

id_type!(
    PersonId,
    MatterId,
    ContactId,
    StaffId,
    IncidentId,
    WarningId,
    PlanId,
    TaskId,
    AdjustmentId,
    DisputeId,
    FurtherActionId,
    DisclosureId,
);

impl PersonId {
    /// The reference staff, letters and the person know them by (`SU-000123`), given when
    /// their record is made; a merged record keeps its own.
    pub fn reference(self) -> String {
        format!("SU-{:06}", self.0)
    }

    /// The person a reference names, however staff type it: `SU-000123`, `su-123`,
    /// `SU123`, `SU 123`. Nothing for text that is no reference (a name such as "Susan").
    pub fn from_reference(text: &str) -> Option<Self> {
        numbered("SU", text).map(Self)
    }
}

impl MatterId {
    /// The matter a reference names (`M-000123`, as letters and pages quote it), however
    /// staff type it: `m-123`, `M123`, `M 123`. Nothing for text that is no reference.
    pub fn from_reference(text: &str) -> Option<Self> {
        numbered("M", text).map(Self)
    }
}

/// The number in a reference `prefix` then digits, however typed: any case, a hyphen or
/// a space after the prefix, leading zeros or none.
fn numbered(prefix: &str, text: &str) -> Option<i64> {
    let t = text.trim().to_ascii_uppercase();
    let digits = t.strip_prefix(prefix)?.trim_start_matches(['-', ' ']);
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok().filter(|n| *n > 0)
}

impl PlanId {
    /// How the event log and tasks name the plan (`strategy:7`: the first release's word,
    /// kept so older entries still match).
    pub fn subject(self) -> String {
        format!("strategy:{}", self.0)
    }

    /// The plan a subject names ([`PlanId::subject`], or a part of a plan such as
    /// `strategy:12:question:q1`); `None` for any other subject.
    pub fn of_subject(subject: &str) -> Option<Self> {
        let rest = subject.strip_prefix("strategy:")?;
        rest.split(':').next()?.parse().ok().map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::{MatterId, PersonId};

    /// `read` gives 123 for every one of `typed`, and nothing for any of `not`.
    fn reads_123(read: impl Fn(&str) -> Option<i64>, typed: &[&str], not: &[&str]) {
        for t in typed {
            assert_eq!(read(t), Some(123), "{t}");
        }
        for n in not {
            assert_eq!(read(n), None, "{n}");
        }
    }

    #[test]
    fn a_reference_is_read_however_it_is_typed() {
        reads_123(
            |t| PersonId::from_reference(t).map(|p| p.0),
            &[
                "SU-000123",
                "su-123",
                "SU123",
                " SU 0123 ",
                "Su-00000000123",
            ],
            &[
                "Susan",
                "SU-",
                "SU-0",
                "SU-12a",
                "123",
                "SU-99999999999999999999",
            ],
        );
        assert_eq!(PersonId(123).reference(), "SU-000123");
    }

    #[test]
    fn a_matter_reference_is_read_however_it_is_typed() {
        reads_123(
            |t| MatterId::from_reference(t).map(|m| m.0),
            &["M-000123", "m-123", "M123", " M 0123 "],
            &[
                "Mary",
                "M-",
                "M-0",
                "M-12a",
                "123",
                "SU-000123",
                "M-99999999999999999999",
            ],
        );
    }
}
