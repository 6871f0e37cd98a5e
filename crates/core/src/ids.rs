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
