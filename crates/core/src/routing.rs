//! What a phone system does with a call (issue 14), decided from the contact check's own
//! verdict, so the phones and the front line can never be told different things: put it
//! through (to the single point of contact's extension where the plan names one), ring staff
//! with a link to the incoming-contact page so they see the conditions first, send it to
//! voicemail, or play the words Tact gives staff and end it.

use crate::check::{Effect, Outcome, Verdict};
use crate::identity::{read_caller, PhoneNumber};
use crate::ids::StaffId;
use crate::profile::RestrictionKind;

/// What to do with a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Put it through: to this member of staff (a plan's single point of contact,
    /// CLE-9.9; NOR-5.5), or, with `None`, to the office's usual line.
    PutThrough { to: Option<StaffId> },
    /// Ring staff, who see the incoming-contact page first: conditions apply (a time limit,
    /// a recorded call, an adjustment to honour), or who is calling is not known for sure.
    Ring,
    /// To voicemail: a call outside the times the plan allows. What they leave is kept and
    /// read, like any contact (CLE-9.10; NOR-5.5).
    Voicemail,
    /// Play the words and end the call: the plan does not allow calls from them or from this
    /// number (a breach, CLE-9.11).
    Refuse,
}

impl Route {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::PutThrough { .. } => "put-through",
            Self::Ring => "ring",
            Self::Voicemail => "voicemail",
            Self::Refuse => "refuse",
        }
    }
}

crate::words! {
    /// How a call ended, as the phone system reports it (issue 14): what is logged as the
    /// contact.
    pub enum CallOutcome for "outcome" {
        Answered = "answered",
        Voicemail = "voicemail",
        /// The phone system refused it, as Tact's route said.
        Refused = "refused",
        Missed = "missed",
    }
}

impl CallOutcome {
    /// The contact's summary: "Call answered (to 0121 234 5678)", in the profile's word for a
    /// plan (`plan`) where it names one, as the person's record and their subject access
    /// bundle show it.
    pub fn summary(self, to: Option<&str>, plan: &str) -> String {
        let words = match self {
            Self::Answered => "answered".to_string(),
            Self::Voicemail => "left a voicemail".to_string(),
            Self::Refused => format!("refused by the phone system, as their {plan} says"),
            Self::Missed => "missed".to_string(),
        };
        let to = to.map(|t| format!(" (to {t})")).unwrap_or_default();
        format!("Call {words}{to}")
    }
}

/// Who a phone system says is calling (issue 14), as its `from` reads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Caller {
    /// Their number, where the phone system sent one Tact can read; `None` where it was
    /// withheld or could not be read.
    pub number: Option<PhoneNumber>,
    /// What the phone system sent where it is neither a number nor a word for a withheld
    /// one (an alphanumeric sender id, a lone "P"): kept for the record.
    pub unread: Option<String>,
}

impl Caller {
    /// Reads a phone system's caller id as [`read_caller`] does. One that is no telephone
    /// number is a caller not known for sure, as a withheld number is (CLE-9.9; NOR-5.5:
    /// staff check first), never a refusal: the network's wording must not drop a member of
    /// the public's call, nor keep the call it ended off the record.
    pub fn read(from: &str) -> Self {
        match read_caller(from) {
            Ok(number) => Self {
                number,
                unread: None,
            },
            Err(_) => Self {
                number: None,
                unread: Some(from.trim().to_string()),
            },
        }
    }

    /// What the record of the call says about a caller id that could not be read, if it
    /// could not.
    pub fn note(&self) -> Option<String> {
        self.unread.as_deref().map(|sent| {
            format!(
                "The phone system gave the caller as {}, which is not a telephone number: who called is not known.",
                crate::error::shown(sent)
            )
        })
    }
}

/// Routes a call from `caller` by the contact check's verdict on them ([`route`]); where
/// the phone system's caller id could not be read, the reason says so, for whoever reads
/// the phone system's log.
pub fn route_call(v: &Verdict, plan: &str, caller: &Caller) -> Routing {
    let mut r = route(v, plan);
    if let (Some(sent), Route::Ring) = (&caller.unread, &r.route) {
        r.reason = format!(
            "the caller's number could not be read ({}): staff check first",
            crate::error::shown(sent)
        );
    }
    r
}

/// The route, with the words to play or show and why, in a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    pub route: Route,
    /// The words Tact gives staff to say, for the phone system to play (empty: none).
    pub say: Vec<String>,
    /// Why, in a line (for a SIP reason phrase, a log).
    pub reason: String,
}

/// Checks an extension: 2 to 8 digits, as phone systems number them.
///
/// # Errors
/// An invalid-input error naming the field `extension`.
pub fn check_extension(s: &str) -> Result<String, crate::RuleError> {
    let s = s.trim();
    if (2..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(crate::RuleError::invalid(
            "extension",
            format!(
                "an extension is 2 to 8 digits, such as 2041, got {}",
                crate::error::shown(s)
            ),
        ))
    }
}

/// Routes a call by the contact check's verdict. `plan` is the profile's word for a plan
/// ("contact strategy", "communication plan"), which the reason the phone system logs and
/// a SIP proxy sends back uses, as staff's words do.
pub fn route(v: &Verdict, plan: &str) -> Routing {
    let forbidding: Vec<&str> = v
        .restrictions
        .iter()
        .filter(|r| r.effect == Effect::Forbids)
        .map(|r| r.kind)
        .collect();
    let conditions = v.restrictions.iter().any(|r| r.effect == Effect::Condition)
        || !v.adjustments.is_empty()
        || v.record_call
        || v.max_minutes.is_some()
        || v.ask_additional_help;
    let unsure = v.person.is_none() && (v.withheld || !v.candidates.is_empty());
    let (route, reason) = match v.outcome {
        Outcome::NotAllowed
            if !forbidding.is_empty()
                && forbidding
                    .iter()
                    .all(|k| *k == RestrictionKind::CallWindow.as_str()) =>
        {
            (
                Route::Voicemail,
                format!("outside the times their {plan} allows calls"),
            )
        }
        Outcome::NotAllowed => (
            Route::Refuse,
            format!(
                "their {plan} does not allow this call ({})",
                forbidding.join(", ")
            ),
        ),
        _ if v.put_through_to.is_some() => (
            Route::PutThrough {
                to: v.put_through_to,
            },
            "to their single point of contact".to_string(),
        ),
        _ if conditions || unsure || v.outcome == Outcome::AllowedWithConditions => (
            Route::Ring,
            if unsure {
                "who is calling is not known for sure: staff check first".to_string()
            } else {
                "conditions apply: staff see them first".to_string()
            },
        ),
        _ => (
            Route::PutThrough { to: None },
            "no restriction applies".to_string(),
        ),
    };
    let say = recorded_message(v, plan, &route);
    Routing { route, say, reason }
}

/// What a phone system plays to a caller it sends to voicemail or refuses: not the words
/// staff say (they speak as "I" and ask the caller to tell them of a new matter or a danger
/// there and then, which a recording cannot hear), but the same restrictions
/// ([`crate::check::Applied::recorded`]), what to do if anyone is in danger, and how a new
/// matter still reaches the office (CLE-9.8, 10.4; NOR-5.6): in the message they leave, or
/// in the way the plan sets out. Nothing for a call that rings or is put through.
fn recorded_message(v: &Verdict, plan: &str, route: &Route) -> Vec<String> {
    let (opening, new_matter) = match route {
        Route::Voicemail => (
            "We can't take your call now.",
            format!(
                "Otherwise, please leave a message after the tone. If it is about something your \
                 {plan} does not cover, say so: it covers only the matters it names."
            ),
        ),
        Route::Refuse => (
            "We can't take your call.",
            format!(
                "Your {plan} covers only the matters it names: to raise anything else, contact \
                 us in the way it sets out."
            ),
        ),
        Route::Ring | Route::PutThrough { .. } => return Vec::new(),
    };
    let mut say = vec![opening.to_string()];
    for a in v
        .restrictions
        .iter()
        .filter(|a| a.effect == Effect::Forbids)
    {
        if !a.recorded.is_empty() && !say.contains(&a.recorded) {
            say.push(a.recorded.clone());
        }
    }
    say.push("If anyone is in danger, hang up and call 999.".to_string());
    say.push(new_matter);
    say
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_14_a_calls_outcome_is_one_of_four_and_says_how_the_call_ended() {
        assert_eq!(
            CallOutcome::parse("voicemail")
                .unwrap()
                .summary(Some("0121 234 5678"), "contact strategy"),
            "Call left a voicemail (to 0121 234 5678)"
        );
        assert_eq!(
            CallOutcome::Missed.summary(None, "contact strategy"),
            "Call missed"
        );
        assert_eq!(
            CallOutcome::Refused.summary(None, "communication plan"),
            "Call refused by the phone system, as their communication plan says"
        );
        let e = CallOutcome::parse("busy").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("outcome"));
        assert!(
            e.message.contains("answered, voicemail, refused, missed"),
            "{e}"
        );
    }
    use crate::check::Applied;
    use crate::ids::{AdjustmentId, PersonId, PlanId};

    fn verdict(outcome: Outcome) -> Verdict {
        Verdict {
            person: Some(PersonId(1)),
            outcome,
            say: vec!["We take your calls on Tuesday 10:00 to 12:00.".into()],
            ..Verdict::default()
        }
    }

    fn applied(kind: &'static str, effect: Effect) -> Applied {
        Applied {
            plan_id: PlanId(1),
            kind,
            name: kind.into(),
            clause: "CLE-9.9".into(),
            effect,
            explanation: String::new(),
            say: format!("I'm sorry, I can't. Staff words for {kind}."),
            recorded: format!("Recorded words for {kind}."),
            matters: vec![],
            acknowledge: false,
        }
    }

    #[test]
    fn cle_9_9_nor_5_5_a_caller_id_that_is_no_number_is_a_caller_not_known_for_sure() {
        let read = Caller::read("sip:+447911123123@pbx");
        assert_eq!(
            (read.number.unwrap().as_str(), read.unread),
            ("+447911123123", None)
        );
        assert_eq!(Caller::read("anonymous"), Caller::default());
        assert_eq!(Caller::read("").note(), None);
        let odd = Caller::read(" NHSTRUST ");
        assert_eq!(
            (odd.number.as_ref(), odd.unread.as_deref()),
            (None, Some("NHSTRUST"))
        );
        assert_eq!(
            odd.note().unwrap(),
            "The phone system gave the caller as \"NHSTRUST\", which is not a telephone number: who called is not known."
        );
        // Routed as unknown (the check finds no one), the reason saying what was sent; a
        // withheld number keeps the usual reason.
        let unknown = Verdict {
            withheld: true,
            ..Verdict::default()
        };
        let r = route_call(&unknown, "contact strategy", &odd);
        assert_eq!(r.route, Route::Ring);
        assert_eq!(
            r.reason,
            "the caller's number could not be read (\"NHSTRUST\"): staff check first"
        );
        let r = route_call(&unknown, "contact strategy", &Caller::default());
        assert_eq!(
            r.reason,
            "who is calling is not known for sure: staff check first"
        );
        // What was sent is clipped in the reason, as in every refusal.
        let long = Caller::read(&"x".repeat(5000));
        assert!(route_call(&unknown, "contact strategy", &long).reason.len() < 200);
    }

    #[test]
    fn issue_14_a_call_no_restriction_touches_is_put_through() {
        let r = route(&verdict(Outcome::Allowed), "contact strategy");
        assert_eq!(r.route, Route::PutThrough { to: None });
        assert!(r.say.is_empty());
    }

    #[test]
    fn cle_9_9_a_call_outside_the_call_window_goes_to_voicemail_with_the_words() {
        let mut v = verdict(Outcome::NotAllowed);
        v.restrictions = vec![applied("call-window", Effect::Forbids)];
        let r = route(&v, "contact strategy");
        assert_eq!(r.route, Route::Voicemail);
        // A recording's words, never a member of staff's ("I'm sorry, I can't…", "tell me
        // now"): the restriction, then danger, then how to raise a new matter (CLE-10.4).
        assert_eq!(
            r.say,
            [
                "We can't take your call now.",
                "Recorded words for call-window.",
                "If anyone is in danger, hang up and call 999.",
                "Otherwise, please leave a message after the tone. If it is about something \
                 your contact strategy does not cover, say so: it covers only the matters it names.",
            ]
        );
    }

    #[test]
    fn cle_9_9_and_nor_5_5_a_blocked_number_or_a_plan_without_calls_is_refused_with_the_words() {
        for kind in ["blocked-identifier", "single-channel"] {
            let mut v = verdict(Outcome::NotAllowed);
            v.restrictions = vec![
                applied("call-window", Effect::Forbids),
                applied(kind, Effect::Forbids),
            ];
            let r = route(&v, "contact strategy");
            assert_eq!(r.route, Route::Refuse, "{kind}");
            assert!(r.reason.contains(kind));
            assert_eq!(
                r.say,
                [
                    "We can't take your call.".to_string(),
                    "Recorded words for call-window.".to_string(),
                    format!("Recorded words for {kind}."),
                    "If anyone is in danger, hang up and call 999.".to_string(),
                    "Your contact strategy covers only the matters it names: to raise anything \
                     else, contact us in the way it sets out."
                        .to_string(),
                ]
            );
            assert!(r
                .say
                .iter()
                .all(|l| !l.contains("I'm") && !l.contains(" me ")));
            // In the office's own word for a plan, as staff read it.
            let r = route(&v, "communication plan");
            assert_eq!(
                r.reason,
                format!("their communication plan does not allow this call (call-window, {kind})")
            );
        }
    }

    #[test]
    fn cle_9_9_a_single_point_of_contact_gets_the_call_directly() {
        let mut v = verdict(Outcome::AllowedWithConditions);
        v.put_through_to = Some(StaffId(7));
        v.restrictions = vec![applied("single-point-of-contact", Effect::Condition)];
        assert_eq!(
            route(&v, "contact strategy").route,
            Route::PutThrough {
                to: Some(StaffId(7))
            }
        );
    }

    #[test]
    fn issue_14_conditions_an_adjustment_or_an_unsure_caller_ring_staff_first() {
        let mut v = verdict(Outcome::AllowedWithConditions);
        v.record_call = true;
        assert_eq!(route(&v, "contact strategy").route, Route::Ring);
        let mut v = verdict(Outcome::Allowed);
        v.adjustments = vec![(AdjustmentId(1), "Extra time on calls".into())];
        assert_eq!(route(&v, "contact strategy").route, Route::Ring);
        let mut v = verdict(Outcome::Allowed);
        v.person = None;
        v.withheld = true;
        let r = route(&v, "contact strategy");
        assert_eq!(r.route, Route::Ring);
        assert!(r.reason.contains("not known"));
    }
}
