//! Where an inbound message goes once the contact check has judged it. Nothing is dropped:
//! a message the plan forbids is kept as a breach with its reminder (CLE-9.11); one from a
//! person under a plan is kept and queued for screening (CLE-9.10; NOR-5.5 "read and file
//! … respond only if new information"); one that cannot be read goes to the quarantine.

use crate::ids::{ContactId, MatterId, PersonId};
use crate::model::{Contact, Screening};
use jiff::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Allowed: to the matter's inbox (or the person's, with no matter).
    Inbox,
    /// Forbidden by a restriction: kept as a breach, with a reminder task (CLE-9.11).
    Breach,
    /// Kept and read for a genuine complaint, new information, crime or safeguarding
    /// before anything else (CLE-9.10; NOR-5.5).
    Screening,
    /// From an address Tact does not know: to the general inbox, to be matched by staff.
    UnknownSender,
    /// Could not be taken in as it is; kept whole with the reason.
    Quarantine,
}

impl Route {
    pub const ALL: [Route; 5] = [
        Self::Inbox,
        Self::Breach,
        Self::Screening,
        Self::UnknownSender,
        Self::Quarantine,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inbox => "inbox",
            Self::Breach => "breach",
            Self::Screening => "screening",
            Self::UnknownSender => "unknown-sender",
            Self::Quarantine => "quarantine",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The route for a message judged as `contact` (CLE-9.10, 9.11; NOR-5.5).
pub fn route_for(contact: &Contact) -> Route {
    if !contact.breach_of.is_empty() {
        Route::Breach
    } else if contact.screening == Screening::Due {
        Route::Screening
    } else if contact.person_id.is_none() {
        Route::UnknownSender
    } else {
        Route::Inbox
    }
}

/// An email from a person whose plan gives them a dedicated mailbox and a single point of
/// contact goes to that member of staff to read (CLE-9.9: "using a dedicated email
/// address and auto-diverting emails"; "communicate only with a single point of contact").
pub fn diversion(
    profile: &crate::profile::Profile,
    verdict: &crate::check::Verdict,
    contact: &Contact,
) -> Option<crate::model::NewTask> {
    let address = verdict.divert_to_mailbox.as_ref()?;
    let staff = verdict.put_through_to?;
    Some(crate::model::NewTask {
        kind: crate::model::TaskKind::ReadDiverted,
        person_id: contact.person_id,
        assignee: Some(staff),
        role: None,
        title: format!(
            "Read an email diverted to you from their dedicated address {address}: {}",
            contact.summary
        ),
        due_on: Some(crate::check::uk_date(contact.at)),
        clause: profile
            .catalogue(crate::profile::RestrictionKind::DedicatedMailbox)
            .map_or_else(String::new, |e| e.clause.clone()),
        subject: None,
    })
}

/// A message as kept: where it went and what it became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    pub id: i64,
    pub message_id: String,
    pub mailbox: String,
    pub received_at: Timestamp,
    pub sender: String,
    pub subject: String,
    pub route: Route,
    pub quarantine_reason: Option<String>,
    pub person_id: Option<PersonId>,
    pub matter_id: Option<MatterId>,
    pub contact_id: Option<ContactId>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Direction;
    use crate::profile::Channel;

    fn contact() -> Contact {
        Contact {
            id: ContactId(0),
            person_id: Some(PersonId(1)),
            matter_id: None,
            channel: Channel::Email,
            direction: Direction::Inbound,
            at: Timestamp::UNIX_EPOCH,
            staff_id: None,
            identifier: None,
            summary: "s".into(),
            body: String::new(),
            breach_of: Vec::new(),
            screening: Screening::NotNeeded,
            not_recorded_as_complaint: false,
        }
    }

    #[test]
    fn cle_9_11_a_breach_outranks_screening_and_cle_9_10_a_restricted_sender_is_screened() {
        let mut c = contact();
        assert_eq!(route_for(&c), Route::Inbox);
        c.screening = Screening::Due;
        assert_eq!(route_for(&c), Route::Screening);
        c.breach_of = vec!["3:blocked-identifier".into()];
        assert_eq!(route_for(&c), Route::Breach);
        let mut unknown = contact();
        unknown.person_id = None;
        assert_eq!(route_for(&unknown), Route::UnknownSender);
        for r in Route::ALL {
            assert_eq!(Route::parse(r.as_str()), Some(r));
        }
    }
}
