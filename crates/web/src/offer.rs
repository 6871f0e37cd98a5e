//! What a door offers where core decides each choice (issue 11: a page offers only what will
//! be allowed): the form lists what core allows and says why the rest is not offered; where
//! nothing is allowed, the page, the API and the console give the same refusal.

use tact_core::correspondence::PlanLetter;
use tact_core::RuleError;

/// The choices a form offers, where core decides each (issue 11: a page offers only what
/// will be allowed): `open`, those with no refusal, and `why_not`, why each other one is
/// not offered — a sentence each, from `why`, under `summary` ([`crate::ui_forms::Spec::why_not`]).
pub(crate) struct Offered<T> {
    pub open: Vec<T>,
    pub why_not: Option<(String, Vec<String>)>,
}

/// Sorts `choices` into what a form offers ([`Offered`]).
///
/// # Errors
/// Where none can be chosen, the refusal the form is instead (409 on `field`): `none`, then
/// why each choice is not offered.
pub(crate) fn offer<T>(
    choices: Vec<(T, Option<RuleError>)>,
    field: &str,
    none: &str,
    summary: &str,
    why: impl Fn(&T, &RuleError) -> String,
) -> Result<Offered<T>, RuleError> {
    let mut open = Vec::new();
    let mut reasons = Vec::new();
    for (choice, refused) in choices {
        match refused {
            None => open.push(choice),
            Some(e) => reasons.push(why(&choice, &e)),
        }
    }
    if open.is_empty() {
        let message = std::iter::once(format!("{none}."))
            .chain(reasons)
            .collect::<Vec<_>>()
            .join(" ");
        return Err(RuleError::state(field, message));
    }
    let why_not = (!reasons.is_empty()).then(|| (summary.to_string(), reasons));
    Ok(Offered { open, why_not })
}

/// The letters about a plan that can be written now, and why each other one cannot, from
/// core's [`tact_core::correspondence::plan_letters`]: what the letter form offers, and
/// what the API and the console list when no `kind` is given.
///
/// # Errors
/// Where none can be written, a 409 on `kind` giving every reason.
pub(crate) fn plan_letters_offered(
    profile: &tact_core::profile::Profile,
    letters: Vec<(PlanLetter, Option<tact_core::RuleError>)>,
) -> Result<Offered<PlanLetter>, tact_core::RuleError> {
    let term = &profile.terms.plan;
    offer(
        letters,
        "kind",
        &format!("no letter about this {term} can be written now"),
        "Why some letters are not offered",
        |kind, e| format!("{}: {}.", kind.plain(term), e.message),
    )
}
