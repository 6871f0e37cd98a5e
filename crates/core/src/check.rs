//! The contact check: one pure function that tells front-line staff, in one glance,
//! whether this caller or sender, on this channel, at this time, to this member of
//! staff, may go ahead; what to tell them; which restrictions and adjustments apply;
//! and whether the contact must be screened (CLE-9.10).
//!
//! The same function judges every logged contact, so a contact that a restriction
//! forbids is stored as a breach that names the restriction (CLE-9.11).

use crate::identity::Identifier;
use crate::ids::{AdjustmentId, MatterId, PersonId, PlanId, StaffId};
use crate::model::{Adjustment, AdjustmentStatus, CallWindow, Format, Plan, Rule};
use crate::profile::{Channel, OverdueReview, Profile};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use std::sync::OnceLock;

/// The office's time zone: call windows are in UK local time, across the clock changes.
pub fn uk() -> &'static TimeZone {
    static TZ: OnceLock<TimeZone> = OnceLock::new();
    TZ.get_or_init(|| {
        TimeZone::get("Europe/London").expect("the bundled time zone database has Europe/London")
    })
}

/// Noon, UK time, on `d`: when something dated only by its day (an imported record, a
/// notice sent "on" a day) is taken to have happened.
pub fn noon(d: Date) -> Timestamp {
    d.at(12, 0, 0, 0)
        .to_zoned(uk().clone())
        .map_or(Timestamp::UNIX_EPOCH, |z| z.timestamp())
}

/// How far ahead of the server's clock a moment staff give may be and still be "now": a
/// device's clock runs a little fast.
pub const CLOCK_GRACE: jiff::SignedDuration = jiff::SignedDuration::from_mins(5);

/// The earliest day a record of something done may carry: 1 January 2000. Tact keeps an
/// office's contact with the people it serves, and no office it serves holds a record of
/// contact from before then (the Police and Crime Commissioners took office in 2012, and
/// records are disposed of years, not decades, after the last contact). A date before it
/// is a mistyped year — 1926 for 2026 — and kept, it would make the record look due for
/// disposal long ago.
pub const RECORDS_BEGIN: Date = jiff::civil::date(2000, 1, 1);

/// `at`, the moment something happened, is not in the future (within [`CLOCK_GRACE`]) nor
/// before [`RECORDS_BEGIN`]: one rule and one refusal for every record of something done —
/// a contact, an incident, a notice sent, a sharing — at every door, the import's included.
/// `what` names it, as "a contact".
///
/// # Errors
/// `field` is refused as invalid: "{what} cannot be in the future", or "{what} cannot be
/// before 1 January 2000: check the year".
pub fn happened(
    field: &str,
    what: &str,
    at: Timestamp,
    now: Timestamp,
) -> Result<(), crate::RuleError> {
    between(field, what, uk_date(at), at, now + CLOCK_GRACE)
}

/// `day`, the date something happened, is not after today nor before [`RECORDS_BEGIN`]:
/// [`happened`] for a date.
///
/// # Errors
/// As [`happened`].
pub fn happened_by(
    field: &str,
    what: &str,
    day: Date,
    today: Date,
) -> Result<(), crate::RuleError> {
    between(field, what, day, day, today)
}

fn between<T: PartialOrd>(
    field: &str,
    what: &str,
    day: Date,
    at: T,
    latest: T,
) -> Result<(), crate::RuleError> {
    if at > latest {
        return Err(crate::RuleError::invalid(
            field,
            format!("{what} cannot be in the future"),
        ));
    }
    if day < RECORDS_BEGIN {
        return Err(crate::RuleError::invalid(
            field,
            format!(
                "{what} cannot be before {}: check the year",
                long_date(RECORDS_BEGIN)
            ),
        ));
    }
    Ok(())
}

/// The UK calendar date at `at`.
pub fn uk_date(at: Timestamp) -> Date {
    at.to_zoned(uk().clone()).date()
}

/// `at` in UK local time.
pub fn uk_time(at: Timestamp) -> Zoned {
    at.to_zoned(uk().clone())
}

/// What the check knows about one person: enough to judge a contact without I/O.
#[derive(Debug, Clone, Default)]
pub struct PersonView {
    pub id: Option<PersonId>,
    pub reference: String,
    pub name: String,
    pub advocate_name: Option<String>,
    /// Whether the first-contact question of CLE-8.1 has been asked and answered.
    pub additional_help_recorded: bool,
    pub preferred_format: Option<Format>,
    pub preferred_language: Option<String>,
    /// Plans that are active or authorised (the check works out which are in force at the time).
    pub plans: Vec<Plan>,
    /// Granted reasonable adjustments.
    pub adjustments: Vec<Adjustment>,
    /// Inbound calls in the last eight days, for limits on calls per window.
    pub recent_calls: Vec<Timestamp>,
    /// Names of staff a plan names as the single point of contact.
    pub staff_names: Vec<(StaffId, String)>,
    /// Of those, the ones who no longer work here (their account disabled): a contact is
    /// not passed to them, and staff deal with it until the plan names another (CLE-9.9).
    pub left: Vec<StaffId>,
}

impl PersonView {
    /// Whether a plan limits how many calls they may make in a window, so each inbound
    /// call they make changes the answer for the next (CLE-9.9, NOR-5.5: call times).
    pub fn counts_calls(&self) -> bool {
        self.plans.iter().any(|s| {
            s.restrictions.iter().any(|r| {
                matches!(
                    r.rule,
                    crate::model::Rule::CallWindow {
                        max_calls_per_window: Some(_),
                        ..
                    }
                )
            })
        })
    }
}

/// The question the front line asks.
#[derive(Debug, Clone)]
pub struct CheckRequest {
    pub identifier: Option<Identifier>,
    pub channel: Channel,
    pub staff: Option<StaffId>,
    pub at: Timestamp,
    /// The matter the contact is about, where staff know it.
    pub matter: Option<MatterId>,
    /// The contact came from the person's advocate rather than the person.
    pub via_advocate: bool,
}

crate::words! {
    #[derive(Default)]
    pub enum Outcome {
        /// No restriction applies.
        #[default]
        Allowed = "allowed",
        /// Go ahead, with the conditions listed.
        AllowedWithConditions = "allowed-with-conditions",
        /// A restriction forbids this contact: it is a breach (CLE-9.11).
        NotAllowed = "not-allowed",
    }
}

crate::words! {
    /// The contact check's answer in one word, as the API gives it: the [`Outcome`], or
    /// `ambiguous` where the identifier is shared by several people (issue 10); the verdict
    /// is then the strictest outcome for any of them, and staff ask who is calling.
    pub enum CheckAnswer {
        Allowed = "allowed",
        AllowedWithConditions = "allowed-with-conditions",
        NotAllowed = "not-allowed",
        Ambiguous = "ambiguous",
    }
}

crate::words! {
    pub enum Effect {
        /// The restriction forbids this contact.
        Forbids = "forbids",
        /// The contact may go ahead on a condition.
        Condition = "condition",
        /// The restriction does not touch this contact.
        NotRelevant = "not-relevant",
    }
}

/// One restriction as it bears on this contact.
#[derive(Debug, Clone)]
pub struct Applied {
    pub plan_id: PlanId,
    pub kind: &'static str,
    /// The policy's own name for the restriction.
    pub name: String,
    pub clause: String,
    pub effect: Effect,
    /// Plain English for staff.
    pub explanation: String,
    /// Plain English for the person, where the restriction forbids the contact: what a
    /// member of staff says to them.
    pub say: String,
    /// The same for a phone system to play (issue 14): `say` without the member of staff's
    /// own words ("I'm sorry, I can't…", "I will let them know…"), which no recording can
    /// keep.
    pub recorded: String,
    pub matters: Vec<MatterId>,
    /// Correspondence this restriction holds back is acknowledged: the plan says so.
    pub acknowledge: bool,
}

impl Applied {
    /// The key a breach is stored under: `strategy-id:kind`.
    pub fn breach_key(&self) -> String {
        format!("{}:{}", self.plan_id, self.kind)
    }
}

/// The answer: allowed or not, what to say, what applies, what to do. Its default is
/// nobody known and nothing applying: allowed, nothing to say or do.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    pub person: Option<PersonId>,
    pub reference: Option<String>,
    pub name: Option<String>,
    pub outcome: Outcome,
    /// Words to say (or write) to the person.
    pub say: Vec<String>,
    /// What staff must do.
    pub must: Vec<String>,
    pub restrictions: Vec<Applied>,
    pub adjustments: Vec<(AdjustmentId, String)>,
    /// CLE-9.10: read for a genuine complaint, new information, a crime or a safeguarding concern.
    pub screening_required: bool,
    /// NOR-5.8: after a breach, staff may decline to engage.
    pub staff_may_disengage: bool,
    /// CLE-8.1: ask whether they need additional help.
    pub ask_additional_help: bool,
    pub record_call: bool,
    pub max_minutes: Option<u32>,
    pub put_through_to: Option<StaffId>,
    pub divert_to_mailbox: Option<String>,
    pub clauses: Vec<String>,
    /// Everyone a shared identifier could be, with the answer for each (issue 10). Empty
    /// unless more than one person uses it; then `person` is `None` and the rest of the
    /// verdict is the strictest answer for any of them.
    pub candidates: Vec<Candidate>,
    /// The caller's number was withheld or unavailable (issue 10).
    pub withheld: bool,
}

/// One of the people a shared identifier could be.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub person: PersonId,
    pub reference: String,
    pub name: String,
    pub outcome: Outcome,
}

impl Outcome {
    /// How strict an answer is: a forbidding answer is stricter than one with conditions,
    /// which is stricter than a plain yes.
    fn strictness(self) -> u8 {
        match self {
            Self::Allowed => 0,
            Self::AllowedWithConditions => 1,
            Self::NotAllowed => 2,
        }
    }
}

/// CLE-10.4 (the profile's `new_matters` clause): the matter a contact is about says who it
/// is from. The check leaves out a plan that does not cover the matter asked about, so a
/// matter of none of the people the number or address names — another person's, or one that
/// is not there — would answer for a matter the caller does not have: on a profile where
/// restrictions reach only the matters they name, "allowed" whatever the caller's plan says.
/// Otherwise the contact is its owner's: one of several people sharing a number, or someone
/// Tact does not know by it (or whose number was withheld). The contact check answers for
/// them and a contact logged is filed as theirs. `owner` is whose the matter is (none: there
/// is no such matter); `callers` the people the identifier names, or the one staff named.
///
/// # Errors
/// Not found, naming `matter`: no such matter, or none of the callers'.
pub fn matter_asked_about(
    profile: &Profile,
    matter: MatterId,
    owner: Option<PersonId>,
    callers: &[PersonId],
) -> Result<PersonId, crate::RuleError> {
    let message = match owner {
        None => format!("there is no matter {matter}"),
        Some(p) if callers.is_empty() || callers.contains(&p) => return Ok(p),
        Some(_) => format!("matter {matter} is another person's, not the caller's"),
    };
    Err(crate::RuleError::not_found("matter", message).with_clause(&profile.clauses.new_matters))
}

/// Judges a contact from an identifier several people use — a household line, an advocate
/// acting for several people (issue 10). Never picks one of them: the answer names every
/// person it could be, tells staff to find out who is calling, and until then gives the
/// strictest guidance that applies to any of them (all their restrictions, conditions and
/// duties). With one person or none it is [`check`].
pub fn check_all(profile: &Profile, found: &[(&PersonView, bool)], req: &CheckRequest) -> Verdict {
    match found {
        [] => check(profile, None, req),
        [(view, via_advocate)] => check(
            profile,
            Some(view),
            &CheckRequest {
                via_advocate: *via_advocate,
                ..req.clone()
            },
        ),
        many => {
            let each: Vec<Verdict> = many
                .iter()
                .map(|(view, via_advocate)| {
                    check(
                        profile,
                        Some(view),
                        &CheckRequest {
                            via_advocate: *via_advocate,
                            ..req.clone()
                        },
                    )
                })
                .collect();
            let strictest = each
                .iter()
                .max_by_key(|v| v.outcome.strictness())
                .expect("several verdicts");
            let mut v = strictest.clone();
            v.person = None;
            v.reference = None;
            v.name = None;
            v.candidates = each
                .iter()
                .map(|e| Candidate {
                    person: e.person.unwrap_or(PersonId(0)),
                    reference: e.reference.clone().unwrap_or_default(),
                    name: e.name.clone().unwrap_or_default(),
                    outcome: e.outcome,
                })
                .collect();
            for e in &each {
                add_new(&mut v.must, &e.must, |a, b| a == b);
                add_new(&mut v.clauses, &e.clauses, |a, b| a == b);
                add_new(&mut v.adjustments, &e.adjustments, |a, b| a.0 == b.0);
                add_new(&mut v.restrictions, &e.restrictions, |a, b| {
                    a.breach_key() == b.breach_key()
                });
                v.screening_required |= e.screening_required;
                v.record_call |= e.record_call;
                v.ask_additional_help |= e.ask_additional_help;
                v.max_minutes = match (v.max_minutes, e.max_minutes) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            let names = v
                .candidates
                .iter()
                .map(|c| format!("{} ({})", c.name, c.reference))
                .collect::<Vec<_>>()
                .join(", ");
            let what = match req.identifier {
                Some(Identifier::Email(_)) => "address",
                _ => "number",
            };
            v.must.insert(
                0,
                format!(
                    "This {what} is used by {} people: {names}. Ask who you are speaking to before anything else; until you know, follow the strictest answer below.",
                    v.candidates.len()
                ),
            );
            v.say.insert(
                0,
                "Before we go on, may I take your full name, please?".into(),
            );
            v
        }
    }
}

/// Judges a call whose number was withheld or unavailable (issue 10): nobody can be
/// looked up, so staff ask who is calling, check again once they know, and the call is
/// screened like any contact from a person who might be under a plan (CLE-9.10).
pub fn check_withheld(profile: &Profile, req: &CheckRequest) -> Verdict {
    let mut v = check(profile, None, req);
    v.withheld = true;
    v.outcome = Outcome::AllowedWithConditions;
    v.screening_required = true;
    v.say.insert(0, "May I take your full name, please?".into());
    v.must.insert(
        0,
        format!(
            "The caller's number is withheld, so Tact cannot tell who they are. Ask for their name and check them again before discussing their matters: a {} may apply to them.",
            profile.terms.plan
        ),
    );
    v.must.push("Read or listen for a genuine complaint, new information, a possible crime or a safeguarding concern.".into());
    v.clauses.push(profile.clauses.screening.clone());
    v.clauses.dedup();
    v
}

/// A date as people read it: "7 January 2027".
pub fn long_date(d: jiff::civil::Date) -> String {
    d.strftime("%-d %B %Y").to_string()
}

/// The UK day of `at`, written as [`long_date`] writes it ("1 September 2025"): how pages
/// and letters give the day something happened.
pub fn long_day(at: Timestamp) -> String {
    long_date(uk_date(at))
}

/// Whether a plan restricts contact at `at` under `profile`: in force ([`Plan::in_force`]) and
/// not lapsed for an overdue review ([`lapsed`]). Every door asks this, not `in_force`.
pub fn restricts(profile: &Profile, plan: &Plan, at: Timestamp) -> bool {
    plan.in_force(at) && !lapsed(profile, plan, at)
}

/// What staff taking a call are told to do if the caller becomes abusive, as the profile's
/// rules say (CLE-4.4, CLE-4.5; NOR-6.1): tell the caller why their behaviour is
/// unacceptable and warn them first where the policy asks it, put them on hold where it
/// allows that, end the call; then log it as ended, with the reason, for the line manager
/// to follow up where the policy asks it.
pub fn if_abusive(profile: &Profile) -> Vec<String> {
    let r = &profile.rules;
    let mut out = Vec::new();
    let end = if r.hold_abusive_calls {
        "put them on hold or end the call"
    } else {
        "end the call"
    };
    if r.warn_before_ending_call {
        out.push(
            "Tell them that their behaviour is not acceptable, say exactly why, and warn them \
             that you will end the call if it continues. For example: \u{201c}The way you are \
             speaking to me is not acceptable because you are shouting and swearing at me. If \
             it continues, I will end this call.\u{201d}"
                .to_string(),
        );
        out.push(format!("If it continues, {end}."));
    } else {
        out.push(format!(
            "If the call is aggressive, abusive or offensive, you may {end}."
        ));
    }
    out.push(
        if r.ended_call_follow_up {
            "If you end it, log the call as ended, with the reason and what you said: your line \
             manager is asked to follow it up with you."
        } else {
            "If you end it, log the call as ended, with the reason and what you said."
        }
        .to_string(),
    );
    out
}

/// Whether a plan has lapsed because its review is overdue (NOR-8.2: "The annual review
/// should indicate whether the restriction still applies"): only where the profile says
/// an overdue review lapses the plan, and only once the days it allows after the review
/// date have passed. Reviewing it (a new review date) ends the lapse.
pub fn lapsed(profile: &Profile, plan: &Plan, at: Timestamp) -> bool {
    lapsed_on(profile, plan, uk_date(at))
}

/// [`lapsed`] on a day in the UK: what the scheduled jobs, which run by the day, ask.
pub fn lapsed_on(profile: &Profile, plan: &Plan, day: jiff::civil::Date) -> bool {
    profile.rules.overdue_review == OverdueReview::Lapse
        && plan.status == crate::model::PlanStatus::Active
        && day
            > plan.review_due.saturating_add(
                jiff::Span::new().days(i64::from(profile.rules.overdue_review_lapse_days)),
            )
}

/// Where a plan stands at `at`, in the words every page gives it beside its name: "in force"
/// only where it binds ([`binds`]); "not yet told in writing" where it would but the person
/// has not been told of it (CLE-9.6); an active plan that does not restrict says why —
/// "lapsed: review overdue" (NOR-8.2), "ended" on its end date (CLE-9.14), "not yet in
/// effect" before its notice takes effect (CLE-9.6; NOR-5.1); any other plan its status.
/// A page never calls a plan "active" that restricts nothing.
pub fn standing(profile: &Profile, plan: &Plan, at: Timestamp) -> &'static str {
    use crate::model::PlanStatus;
    if binds(profile, plan, at) {
        "in force"
    } else if restricts(profile, plan, at) {
        "not yet told in writing"
    } else if plan.status != PlanStatus::Active {
        plan.status.as_str()
    } else if plan.has_ended(uk_date(at)) {
        "ended"
    } else if lapsed(profile, plan, at) {
        "lapsed: review overdue"
    } else {
        "not yet in effect"
    }
}

/// The clause an overdue review cites (CLE-9.12; NOR-8.2).
pub fn overdue_review_clause(profile: &Profile) -> &str {
    profile
        .clauses
        .overdue_review
        .as_deref()
        .unwrap_or(&profile.clauses.review_interval)
}

/// Whether the person has been told of the plan in writing (CLE-9.6; NOR-5.1): a notice is
/// recorded. Until then nothing they do breaches it.
pub fn told_in_writing(plan: &Plan) -> bool {
    plan.notice.is_some()
}

/// Whether a plan binds what the person does at `at`: it restricts ([`restricts`]) and they
/// have been told of it in writing ([`told_in_writing`]). What the contact check judges a
/// contact against, and what a page lists as the restrictions in force (CLE-9.6).
pub fn binds(profile: &Profile, plan: &Plan, at: Timestamp) -> bool {
    restricts(profile, plan, at) && told_in_writing(plan)
}

/// Why a plan that has been authorised binds nothing the person does at `at`, for staff, with
/// its clause: not yet told in writing (CLE-9.6; NOR-5.1), lapsed for an overdue review
/// (NOR-8.2), past its end date (CLE-9.14), or not yet in effect. `None` for a plan that
/// binds, or one not authorised or active. Pages say it beside "no restrictions", so staff
/// know a plan exists and why it does not apply.
pub fn not_binding(profile: &Profile, plan: &Plan, at: Timestamp) -> Option<String> {
    use crate::model::PlanStatus;
    let live = matches!(plan.status, PlanStatus::Authorised | PlanStatus::Active);
    if !live || binds(profile, plan, at) {
        return None;
    }
    let name = format!("{} {}", capital(&profile.terms.plan), plan.id);
    let clauses = &profile.clauses;
    Some(if plan.has_ended(uk_date(at)) {
        format!("{name} has ended: it restricts nothing now.")
    } else if lapsed(profile, plan, at) {
        format!(
            "{name} has lapsed: its review was due on {}, so it restricts nothing until it is \
             reviewed ({}).",
            long_date(plan.review_due),
            crate::profile::cited(overdue_review_clause(profile))
        )
    } else if !told_in_writing(plan) || plan.status == PlanStatus::Authorised {
        format!(
            "{name} has been decided, but they have not yet been told of it in writing: until \
             they are, deal with them as usual ({}).",
            crate::profile::cited(&clauses.notice_first)
        )
    } else {
        format!("{name} is not yet in effect.")
    })
}

/// `s` with its first letter a capital, as a sentence starts ("Contact strategy 4").
pub fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

impl Verdict {
    /// The restrictions that bear on this contact, in the order the check gives them: not
    /// those it found of no account here (another matter's, another channel's).
    pub fn bearing(&self) -> impl Iterator<Item = &Applied> {
        self.restrictions
            .iter()
            .filter(|a| a.effect != Effect::NotRelevant)
    }

    pub fn allowed(&self) -> bool {
        self.outcome != Outcome::NotAllowed
    }

    /// The answer in one word ([`CheckAnswer`]): `ambiguous` where the identifier is
    /// shared, otherwise the outcome.
    pub fn answer(&self) -> CheckAnswer {
        if !self.candidates.is_empty() {
            return CheckAnswer::Ambiguous;
        }
        match self.outcome {
            Outcome::Allowed => CheckAnswer::Allowed,
            Outcome::AllowedWithConditions => CheckAnswer::AllowedWithConditions,
            Outcome::NotAllowed => CheckAnswer::NotAllowed,
        }
    }

    /// The answer in a sentence, as staff read it first when a call or email arrives, at
    /// every door (the incoming-contact page, the API's `headline`, `tact check`): a
    /// withheld number or an identifier several people share asks who is calling (issue
    /// 10); a restriction that forbids the contact names the plan by the profile's term
    /// (`plan_term`: "contact strategy", "communication plan") (CLE-9.11; NOR-5.5).
    pub fn headline(&self, plan_term: &str) -> String {
        if self.withheld {
            return "The number is withheld: ask who is calling".into();
        }
        match self.answer() {
            CheckAnswer::Ambiguous => format!(
                "This is shared by {} people: ask who is calling",
                self.candidates.len()
            ),
            CheckAnswer::Allowed => "You can deal with this contact".into(),
            CheckAnswer::AllowedWithConditions => {
                "You can deal with this contact, with conditions".into()
            }
            CheckAnswer::NotAllowed => format!("Their {plan_term} does not allow this contact"),
        }
    }

    pub fn breaches(&self) -> Vec<String> {
        self.restrictions
            .iter()
            .filter(|a| a.effect == Effect::Forbids)
            .map(Applied::breach_key)
            .collect()
    }
}

/// Judges one contact. `view` is `None` when nobody is known by that identifier.
pub fn check(profile: &Profile, view: Option<&PersonView>, req: &CheckRequest) -> Verdict {
    let mut v = Verdict {
        person: view.and_then(|p| p.id),
        reference: view.map(|p| p.reference.clone()),
        name: view.map(|p| p.name.clone()),
        ..Verdict::default()
    };
    let clauses = &profile.clauses;
    if profile.rules.ask_additional_help_at_first_contact
        && view.is_none_or(|p| !p.additional_help_recorded)
    {
        v.ask_additional_help = true;
        v.must.push("Ask whether they need any additional help to contact us, and record their answer in their own words.".into());
        v.clauses.push(clauses.first_contact_help.clone());
    }
    let Some(view) = view else {
        return v;
    };
    for adj in view
        .adjustments
        .iter()
        .filter(|a| a.status == AdjustmentStatus::Granted)
    {
        v.adjustments.push((adj.id, adj.description.clone()));
    }
    if !v.adjustments.is_empty() {
        v.must
            .push("Honour the reasonable adjustments listed for this person.".into());
        v.clauses.push(clauses.adjustments_honoured.clone());
    }

    // The plans that restrict now ([`restricts`]), each in force and not lapsed; staff are
    // told of an overdue review either way.
    let today = uk_date(req.at);
    let mut in_force: Vec<&Plan> = Vec::new();
    for s in view.plans.iter().filter(|s| s.in_force(req.at)) {
        if lapsed(profile, s, req.at) {
            v.must.push(format!(
                "This person's {} was due for review by {} and has not been reviewed, so it has lapsed: it restricts nothing until it is reviewed. Tell the manager who owns it.",
                profile.terms.plan,
                long_date(s.review_due)
            ));
            v.clauses.push(overdue_review_clause(profile).to_string());
            continue;
        }
        if s.review_overdue(today) {
            v.must.push(format!(
                "This person's {} was due for review by {}. It still applies: tell your line manager the review is overdue.",
                profile.terms.plan,
                long_date(s.review_due)
            ));
            v.clauses.push(overdue_review_clause(profile).to_string());
        }
        in_force.push(s);
    }
    let mut new_matter_note = false;
    let mut awaiting_notice = false;
    for s in &in_force {
        if let Some(m) = req.matter {
            if profile.rules.new_matters_restricted_only_when_applied && !s.matter_ids.contains(&m)
            {
                new_matter_note = true;
                continue;
            }
        }
        // CLE-9.10: whatever the plan says, all contact is read.
        v.screening_required = true;
        // CLE-9.6: a plan in force (on a profile where it takes effect at authorisation)
        // that the person has not yet been told of in writing restricts nothing they do:
        // a contact now is not a breach, and staff are told the notice is coming.
        if !told_in_writing(s) {
            awaiting_notice = true;
            continue;
        }
        for r in &s.restrictions {
            let applied = judge(profile, view, req, s, &r.rule);
            match applied.effect {
                Effect::Forbids => v.outcome = Outcome::NotAllowed,
                Effect::Condition if v.outcome == Outcome::Allowed => {
                    v.outcome = Outcome::AllowedWithConditions
                }
                _ => {}
            }
            match &r.rule {
                Rule::RecordedCalls if req.channel == Channel::Phone => v.record_call = true,
                Rule::CallWindow { max_minutes, .. } if req.channel == Channel::Phone => {
                    v.max_minutes = *max_minutes
                }
                Rule::SinglePointOfContact { staff_id } if !view.left.contains(staff_id) => {
                    v.put_through_to = Some(*staff_id)
                }
                Rule::DedicatedMailbox { address } if req.channel == Channel::Email => {
                    v.divert_to_mailbox = Some(address.to_string())
                }
                _ => {}
            }
            v.restrictions.push(applied);
        }
    }
    if awaiting_notice {
        v.must.push(format!(
            "A {} has been decided for this person, but they have not yet been told of it in writing. Deal with this contact as usual: it is not a breach. They will be told in writing, and it applies to them from then.",
            profile.terms.plan
        ));
        v.clauses.push(clauses.notice_first.clone());
    }
    if new_matter_note {
        v.must.push(format!(
            "This contact is about a matter the {} does not cover: treat it on its own merits.",
            profile.terms.plan
        ));
        v.clauses.push(clauses.new_matters.clone());
    }
    if v.screening_required {
        v.must.push("Read or listen for a genuine complaint, new information, a possible crime or a safeguarding concern, whatever the restrictions say.".into());
        v.clauses.push(clauses.screening.clone());
    }
    let forbidding: Vec<&Applied> = v
        .restrictions
        .iter()
        .filter(|a| a.effect == Effect::Forbids)
        .collect();
    if !forbidding.is_empty() {
        for a in &forbidding {
            if !v.say.contains(&a.say) {
                v.say.push(a.say.clone());
            }
        }
        v.say.push(format!(
            "If you want to raise a new matter, or if anyone is in danger, tell me now. The {} only covers the matters it names.",
            profile.terms.plan
        ));
        v.must.push("Log this contact: Tact records it as a breach and raises a reminder to send them (the reminder explains the reasons for the restrictions and what happens if they continue).".into());
        v.clauses.push(clauses.breach_reminder.clone());
        if profile.rules.breach_staff_may_disengage {
            v.staff_may_disengage = true;
            v.must
                .push("You may decline to engage in conversation or respond to requests.".into());
            v.clauses.push(clauses.breach_disengage.clone());
        }
    } else if v.outcome == Outcome::AllowedWithConditions {
        for a in v
            .restrictions
            .iter()
            .filter(|a| a.effect == Effect::Condition)
        {
            v.must.push(a.explanation.clone());
        }
    }
    if let Some(spoc) = v.put_through_to {
        if req.staff.is_some_and(|s| s != spoc) && !forbidding.is_empty() {
            let name = staff_name(view, spoc);
            v.must.push(format!(
                "Pass the contact to {name}, their single point of contact."
            ));
        }
    }
    v.clauses.dedup();
    v
}

fn staff_name(view: &PersonView, id: StaffId) -> String {
    view.staff_names
        .iter()
        .find(|(s, _)| *s == id)
        .map_or_else(|| format!("staff member {id}"), |(_, n)| n.clone())
}

fn judge(
    profile: &Profile,
    view: &PersonView,
    req: &CheckRequest,
    s: &Plan,
    rule: &Rule,
) -> Applied {
    let kind = rule.kind();
    let entry = profile.catalogue(kind);
    let mut a = Applied {
        plan_id: s.id,
        kind: kind.as_str(),
        name: entry.map_or_else(|| kind.as_str().to_string(), |e| e.name.clone()),
        clause: profile.clause_for(kind).to_string(),
        effect: Effect::NotRelevant,
        explanation: String::new(),
        say: String::new(),
        recorded: String::new(),
        matters: s.matter_ids.clone(),
        acknowledge: false,
    };
    let plan = &profile.terms.plan;
    let is_call = matches!(req.channel, Channel::Phone | Channel::Visit);
    let is_correspondence = matches!(
        req.channel,
        Channel::Email | Channel::Letter | Channel::WebForm
    );
    match rule {
        Rule::CallWindow {
            windows,
            max_minutes,
            max_calls_per_window,
        } if is_call => {
            let local = uk_time(req.at);
            match windows.iter().find(|w| in_window(&local, w)) {
                None => {
                    a.effect = Effect::Forbids;
                    a.explanation =
                        format!("Outside their call times ({}).", describe_windows(windows));
                    a.recorded = format!(
                        "Under your {plan}, we take your calls on {}.",
                        describe_windows(windows)
                    );
                    a.say = format!("I'm sorry, I can't take your call now. {}", a.recorded);
                }
                Some(w) => {
                    let start = local
                        .date()
                        .to_datetime(w.start)
                        .to_zoned(uk().clone())
                        .map(|z| z.timestamp())
                        .unwrap_or(req.at);
                    let used = view
                        .recent_calls
                        .iter()
                        .filter(|t| **t >= start && **t <= req.at)
                        .count();
                    if max_calls_per_window.is_some_and(|max| used >= max as usize) {
                        a.effect = Effect::Forbids;
                        a.explanation = format!(
                            "They have already made the {} call(s) allowed in this window.",
                            max_calls_per_window.unwrap_or(0)
                        );
                        let set = format!(
                            "we take a set number of calls at each agreed time, and you have already called. We take your calls on {}.",
                            describe_windows(windows)
                        );
                        a.say = format!("I'm sorry, under your {plan} {set}");
                        a.recorded = format!("Under your {plan}, {set}");
                    } else {
                        a.effect = Effect::Condition;
                        a.explanation = match max_minutes {
                            Some(m) => format!(
                                "Within their call times; the call may last up to {m} minutes."
                            ),
                            None => "Within their call times.".into(),
                        };
                    }
                }
            }
        }
        Rule::SingleChannel { channel } => {
            if req.channel == *channel {
                a.effect = Effect::Condition;
                a.explanation = format!(
                    "They contact us {} only: this is the agreed way.",
                    channel.by()
                );
            } else {
                a.effect = Effect::Forbids;
                a.explanation = format!("They may contact us {} only.", channel.by());
                a.say = format!(
                    "Under your {plan}, please contact us {} only{}.",
                    channel.by(),
                    profile.letters.contact.reached(*channel)
                );
            }
        }
        Rule::SinglePointOfContact { staff_id } => {
            let name = staff_name(view, *staff_id);
            if view.left.contains(staff_id) {
                // Nobody can pass a contact to someone who has gone: whoever takes it deals
                // with it, and the plan is changed to name another (the task raised when
                // they left asks for that).
                a.effect = Effect::Condition;
                a.explanation = format!(
                    "Their single point of contact, {name}, no longer works here: deal with \
                     this contact yourself until the {plan} names someone else."
                );
            } else if req.staff.is_some_and(|s| s != *staff_id) {
                a.effect = Effect::Forbids;
                a.explanation = format!("Only {name} deals with them.");
                a.recorded = format!("Under your {plan}, {name} deals with your contact.");
                a.say = format!("{} I will let them know you called.", a.recorded);
            } else {
                a.effect = Effect::Condition;
                a.explanation = format!("Their single point of contact is {name}.");
            }
        }
        Rule::RecordedCalls if req.channel == Channel::Phone => {
            a.effect = Effect::Condition;
            a.explanation = "Record or monitor this call.".into();
        }
        Rule::DedicatedMailbox { address } if req.channel == Channel::Email => {
            a.effect = Effect::Condition;
            a.explanation = format!("Their email goes to the dedicated address {address}.");
        }
        // Blocked correspondence is kept and screened, with no notice beyond its place in
        // the screening queue (CLE-9.10); acknowledged only where the plan says so.
        Rule::BlockedIdentifier {
            identifier,
            acknowledge,
        } if is_correspondence && req.identifier.as_ref() == Some(identifier) => {
            a.effect = Effect::Condition;
            a.acknowledge = *acknowledge;
            a.explanation = format!(
                "{identifier} is blocked: kept and screened, not answered{}.",
                if *acknowledge {
                    "; the plan says to acknowledge it"
                } else {
                    ""
                }
            );
        }
        Rule::BlockedIdentifier { identifier, .. }
            if req.identifier.as_ref() == Some(identifier) =>
        {
            a.effect = Effect::Forbids;
            a.explanation = format!("{identifier} is blocked.");
            a.say = format!(
                "Under your {plan}, we cannot accept contact from this {}.",
                if matches!(identifier, crate::identity::Identifier::Phone(_)) {
                    "number"
                } else {
                    "address"
                }
            );
        }
        Rule::AdvocateOnly => {
            if req.via_advocate {
                a.effect = Effect::Condition;
                a.explanation = "This contact is through their advocate, as required.".into();
            } else {
                a.effect = Effect::Forbids;
                a.explanation = match &view.advocate_name {
                    Some(n) => format!("They must contact us through their advocate, {n}."),
                    None => "They must contact us through an advocate.".into(),
                };
                a.say = format!(
                    "Under your {plan}, please contact us through your advocate{}.",
                    view.advocate_name
                        .as_ref()
                        .map(|n| format!(", {n}"))
                        .unwrap_or_default()
                );
            }
        }
        Rule::ReadAndFile { acknowledge } if is_correspondence => {
            a.effect = Effect::Condition;
            a.acknowledge = *acknowledge;
            a.explanation = if *acknowledge {
                "Read and file: the plan says to acknowledge it; reply only if it has new information or a new complaint.".into()
            } else {
                "Read and file: acknowledge or reply only if it has new information or a new complaint.".into()
            };
        }
        Rule::NoReopening { matter_id, .. } => {
            a.effect = Effect::Condition;
            a.explanation = format!("Do not reopen matter {matter_id}: it is closed. New substantive evidence goes to screening.");
        }
        Rule::NoRepeatComplaints { matter_id } => {
            a.effect = Effect::Condition;
            a.explanation = format!("Repeat complaints about matter {matter_id} are kept as contacts but not recorded as new complaints.");
        }
        Rule::Other { description } => {
            a.effect = Effect::Condition;
            a.explanation = description.clone();
        }
        _ => {}
    }
    if a.recorded.is_empty() {
        a.recorded.clone_from(&a.say);
    }
    a
}

fn in_window(local: &Zoned, w: &CallWindow) -> bool {
    local.weekday() == w.weekday && local.time() >= w.start && local.time() < w.end
}

/// "Tuesday 10:00 to 12:00, Thursday 14:00 to 15:00 (UK time)".
pub fn describe_windows(windows: &[CallWindow]) -> String {
    let parts: Vec<String> = windows
        .iter()
        .map(|w| {
            format!(
                "{} {} to {}",
                crate::model::weekday_name(w.weekday),
                w.start.strftime("%H:%M"),
                w.end.strftime("%H:%M")
            )
        })
        .collect();
    format!("{} (UK time)", parts.join(", "))
}

/// Adds each of `more` that `into` does not already hold (by `same`), keeping order.
fn add_new<T: Clone>(into: &mut Vec<T>, more: &[T], same: impl Fn(&T, &T) -> bool) {
    for m in more {
        if !into.iter().any(|x| same(x, m)) {
            into.push(m.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 10: a shared identifier answers `ambiguous` whatever the strictest outcome is;
    /// one person's answer is their outcome. Decided here, not at the API door.
    #[test]
    fn issue_10_a_shared_identifier_answers_ambiguous_and_one_person_their_outcome() {
        let candidate = |id, outcome| Candidate {
            person: PersonId(id),
            reference: format!("P{id}"),
            name: "Jo".into(),
            outcome,
        };
        for outcome in Outcome::ALL {
            let one = Verdict {
                outcome,
                ..Verdict::default()
            };
            assert_eq!(one.answer().as_str(), outcome.as_str());
            let shared = Verdict {
                outcome,
                candidates: vec![candidate(1, outcome), candidate(2, Outcome::Allowed)],
                ..Verdict::default()
            };
            assert_eq!(shared.answer(), CheckAnswer::Ambiguous);
        }
    }

    /// CLE-9.11, NOR-5.5 and issue 10: the sentence staff read first follows the answer,
    /// names the plan in the profile's own term where it forbids the contact, and asks who
    /// is calling for a withheld number (whatever else the check found) or a shared one.
    #[test]
    fn cle_9_11_nor_5_5_the_headline_says_what_staff_may_do_in_the_profiles_words() {
        let with = |outcome| Verdict {
            outcome,
            ..Verdict::default()
        };
        let term = "communication plan";
        assert_eq!(
            with(Outcome::Allowed).headline(term),
            "You can deal with this contact"
        );
        assert_eq!(
            with(Outcome::AllowedWithConditions).headline(term),
            "You can deal with this contact, with conditions"
        );
        assert_eq!(
            with(Outcome::NotAllowed).headline(term),
            "Their communication plan does not allow this contact"
        );
        assert_eq!(
            with(Outcome::NotAllowed).headline("contact strategy"),
            "Their contact strategy does not allow this contact"
        );
        let candidate = |id| Candidate {
            person: PersonId(id),
            reference: format!("P{id}"),
            name: "Jo".into(),
            outcome: Outcome::Allowed,
        };
        let shared = Verdict {
            candidates: vec![candidate(1), candidate(2), candidate(3)],
            ..with(Outcome::NotAllowed)
        };
        assert_eq!(
            shared.headline(term),
            "This is shared by 3 people: ask who is calling"
        );
        let withheld = Verdict {
            withheld: true,
            ..with(Outcome::AllowedWithConditions)
        };
        assert_eq!(
            withheld.headline(term),
            "The number is withheld: ask who is calling"
        );
    }
}
