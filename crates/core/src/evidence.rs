//! Decision support (issue 13; CLE-6.3): the patterns the policy names, counted from the
//! record and shown to the senior manager as evidence with its numbers — never as a
//! decision. Pure: the caller gives the person's contacts and matters, the office's usual
//! rates and today's date.
//!
//! CLE-6.3 names "persistently calling, writing or emailing", "contacting different
//! people" for a different outcome, and re-wording a complaint already finalised; each is
//! counted here against the person's own history and the office's usual.

use crate::ids::{MatterId, StaffId};
use crate::model::{Contact, Direction, Matter, MatterKind, MatterStatus};
use crate::profile::Channel;
use jiff::civil::Date;
use jiff::ToSpan;

/// Weeks of contact shown on the chart, the current week last.
pub const WEEKS: usize = 13;
/// The recent weeks compared against the person's own earlier weeks.
pub const RECENT_WEEKS: usize = 4;
/// Days looked back for how many different staff the person reached.
pub const STAFF_DAYS: i64 = 90;
/// Calls in one day worth showing as a repeated-calls day.
pub const BUSY_DAY_CALLS: u32 = 3;
/// Minutes on the phone in one day worth showing as a day of long calls.
pub const LONG_DAY_MINUTES: u32 = 60;
/// How alike two complaints' words must be (Sørensen–Dice over letter pairs, 0 to 1) to
/// be shown side by side as a possible re-wording.
pub const REWORDED: f64 = 0.6;

/// The office's inbound contact with everyone over the same weeks: how many people were
/// in contact, and how many contacts by channel.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OfficeRates {
    pub weeks: u32,
    pub people: u64,
    pub by_channel: Vec<(Channel, u64)>,
}

impl OfficeRates {
    /// The usual contacts a week for one person in contact with the office, by channel.
    pub fn per_person_week(&self) -> Vec<(Channel, f64)> {
        Channel::ALL
            .iter()
            .map(|c| {
                let n = self
                    .by_channel
                    .iter()
                    .find(|(x, _)| x == c)
                    .map_or(0, |(_, n)| *n);
                (*c, rate(n, self.people, self.weeks))
            })
            .collect()
    }

    /// The same, all channels together.
    pub fn total_per_person_week(&self) -> f64 {
        let n: u64 = self.by_channel.iter().map(|(_, n)| n).sum();
        rate(n, self.people, self.weeks)
    }
}

fn rate(n: u64, people: u64, weeks: u32) -> f64 {
    if people == 0 || weeks == 0 {
        0.0
    } else {
        n as f64 / people as f64 / f64::from(weeks)
    }
}

/// One week of the person's inbound contact, by channel in [`Channel::ALL`] order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Week {
    /// The Monday it starts.
    pub starts: Date,
    pub by_channel: [u32; 5],
}

impl Week {
    pub fn total(&self) -> u32 {
        self.by_channel.iter().sum()
    }
}

/// A complaint that closely re-words one already finalised (CLE-6.3), both texts given.
#[derive(Debug, Clone, PartialEq)]
pub struct Rewording {
    pub new: MatterId,
    pub new_text: String,
    pub old: MatterId,
    pub old_text: String,
    /// 0 to 1: how alike their words are.
    pub similarity: f64,
}

/// What the senior manager sees beside the decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Support {
    /// The last [`WEEKS`] weeks, oldest first.
    pub weeks: Vec<Week>,
    /// Inbound contacts a week over the last [`RECENT_WEEKS`] weeks.
    pub recent_per_week: f64,
    /// Inbound contacts a week over the weeks before those on the chart, if there were
    /// any such weeks with contact.
    pub earlier_per_week: Option<f64>,
    /// The office's usual, a week for one person in contact, by channel and in all.
    pub office_per_week: Vec<(Channel, f64)>,
    pub office_total_per_week: f64,
    /// The staff the person reached in the last [`STAFF_DAYS`] days, most first.
    pub staff_reached: Vec<(StaffId, u32)>,
    /// Days on the chart with [`BUSY_DAY_CALLS`] calls or more, or [`LONG_DAY_MINUTES`]
    /// minutes on the phone or more, newest first: the day, its calls, and their minutes
    /// (of the calls whose length is known).
    pub busy_days: Vec<(Date, u32, u32)>,
    pub rewordings: Vec<Rewording>,
}

/// The Monday of the week `d` falls in.
pub fn week_start(d: Date) -> Date {
    let back = i64::from(d.weekday().to_monday_zero_offset());
    d.checked_sub(back.days()).unwrap_or(d)
}

/// A complaint's words: its title and what the person said in the contacts about it,
/// earliest first (three at most).
pub fn matter_text(m: &Matter, contacts: &[Contact]) -> String {
    let mut about: Vec<&Contact> = contacts
        .iter()
        .filter(|c| c.matter_id == Some(m.id) && c.direction == Direction::Inbound)
        .collect();
    about.sort_by_key(|c| (c.at, c.id));
    let mut parts = vec![m.title.trim().to_string()];
    parts.extend(
        about
            .iter()
            .take(3)
            .map(|c| c.summary.trim().to_string())
            .filter(|s| !s.is_empty()),
    );
    parts.join(". ")
}

/// Lower case, letters and digits only, one space between words: so punctuation and
/// capitals do not hide a re-wording.
fn normal(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// How alike two texts are, 0 to 1 (Sørensen–Dice over letter pairs, by `strsim`).
pub fn similarity(a: &str, b: &str) -> f64 {
    strsim::sorensen_dice(&normal(a), &normal(b))
}

/// Counts the patterns of CLE-6.3 in the person's record.
pub fn support(
    contacts: &[Contact],
    matters: &[Matter],
    office: &OfficeRates,
    today: Date,
) -> Support {
    let this_week = week_start(today);
    let first = this_week
        .checked_sub(((WEEKS as i64 - 1) * 7).days())
        .unwrap_or(this_week);
    let inbound: Vec<&Contact> = contacts
        .iter()
        .filter(|c| c.direction == Direction::Inbound)
        .collect();
    let mut weeks: Vec<Week> = (0..WEEKS)
        .map(|i| Week {
            starts: first.checked_add((i as i64 * 7).days()).unwrap_or(first),
            by_channel: [0; 5],
        })
        .collect();
    let mut earlier = 0u64;
    let mut earliest: Option<Date> = None;
    let mut calls_by_day: std::collections::BTreeMap<Date, (u32, u32)> = Default::default();
    let mut staff: std::collections::BTreeMap<StaffId, u32> = Default::default();
    let staff_from = today.checked_sub(STAFF_DAYS.days()).unwrap_or(today);
    for c in &inbound {
        let day = crate::check::uk_date(c.at);
        earliest = Some(earliest.map_or(day, |e: Date| e.min(day)));
        if day < first {
            earlier += 1;
        } else if day <= today {
            let w = ((day - first).get_days() / 7) as usize;
            if let (Some(week), Some(ch)) = (
                weeks.get_mut(w),
                Channel::ALL.iter().position(|x| *x == c.channel),
            ) {
                week.by_channel[ch] += 1;
            }
            if c.channel == Channel::Phone {
                let d = calls_by_day.entry(day).or_default();
                d.0 += 1;
                d.1 += c.duration_seconds.unwrap_or(0);
            }
        }
        if day >= staff_from && day <= today {
            if let Some(s) = c.staff_id {
                *staff.entry(s).or_default() += 1;
            }
        }
    }
    let recent: u32 = weeks[WEEKS - RECENT_WEEKS..].iter().map(Week::total).sum();
    let before_recent: u64 = weeks[..WEEKS - RECENT_WEEKS]
        .iter()
        .map(|w| u64::from(w.total()))
        .sum::<u64>()
        + earlier;
    // The person's own earlier rate: the weeks from their first contact to the recent ones.
    let earlier_per_week = earliest.and_then(|e| {
        let recent_from = weeks[WEEKS - RECENT_WEEKS].starts;
        let span = (recent_from - week_start(e)).get_days() / 7;
        (span > 0 && before_recent > 0).then(|| before_recent as f64 / span as f64)
    });
    let mut staff_reached: Vec<(StaffId, u32)> = staff.into_iter().collect();
    staff_reached.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut busy_days: Vec<(Date, u32, u32)> = calls_by_day
        .into_iter()
        .map(|(day, (n, seconds))| (day, n, seconds / 60))
        .filter(|(_, n, minutes)| *n >= BUSY_DAY_CALLS || *minutes >= LONG_DAY_MINUTES)
        .collect();
    busy_days.reverse();
    Support {
        weeks,
        recent_per_week: f64::from(recent) / RECENT_WEEKS as f64,
        earlier_per_week,
        office_per_week: office.per_person_week(),
        office_total_per_week: office.total_per_person_week(),
        staff_reached,
        busy_days,
        rewordings: rewordings(contacts, matters),
    }
}

/// Each complaint not yet finalised, set beside each finalised one opened before it whose
/// words it closely repeats.
fn rewordings(contacts: &[Contact], matters: &[Matter]) -> Vec<Rewording> {
    let complaints = matters.iter().filter(|m| m.kind == MatterKind::Complaint);
    let finalised: Vec<&Matter> = complaints
        .clone()
        .filter(|m| m.status == MatterStatus::Finalised)
        .collect();
    let mut out = Vec::new();
    for new in complaints.filter(|m| m.status != MatterStatus::Finalised) {
        let new_text = matter_text(new, contacts);
        for old in finalised.iter().filter(|o| o.opened_at <= new.opened_at) {
            let old_text = matter_text(old, contacts);
            let s = similarity(&new_text, &old_text);
            if s >= REWORDED {
                out.push(Rewording {
                    new: new.id,
                    new_text: new_text.clone(),
                    old: old.id,
                    old_text,
                    similarity: s,
                });
            }
        }
    }
    out.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ContactId, PersonId};
    use jiff::civil::{date, Weekday};

    fn at(d: Date, hour: i8) -> jiff::Timestamp {
        d.at(hour, 0, 0, 0)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .unwrap()
            .timestamp()
    }

    fn contact(
        id: i64,
        d: Date,
        channel: Channel,
        staff: i64,
        matter: Option<i64>,
        summary: &str,
    ) -> Contact {
        Contact {
            id: ContactId(id),
            person_id: Some(PersonId(1)),
            matter_id: matter.map(MatterId),
            staff_id: Some(StaffId(staff)),
            ..Contact::new(channel, Direction::Inbound, at(d, 11), summary)
        }
    }

    fn matter(id: i64, status: MatterStatus, opened: Date, title: &str) -> Matter {
        Matter {
            id: MatterId(id),
            person_id: PersonId(1),
            reference: format!("M-{id:06}"),
            kind: MatterKind::Complaint,
            title: title.into(),
            status,
            finalised_on: None,
            opened_at: at(opened, 9),
        }
    }

    #[test]
    fn cle_6_3_contact_is_counted_by_week_and_channel_against_their_history_and_the_office() {
        let today = date(2027, 3, 10); // a Wednesday
        assert_eq!(today.weekday(), Weekday::Wednesday);
        let mut cs = Vec::new();
        // Long before the chart: one a fortnight for twenty weeks (ten contacts).
        for i in 0..10 {
            cs.push(contact(
                i,
                date(2026, 6, 1) + (i * 14).days(),
                Channel::Email,
                1,
                None,
                "update",
            ));
        }
        // The last four weeks: six calls a week, on Mondays, from the week of 15 February.
        let mut id = 100;
        for w in 0..4 {
            let monday = date(2027, 2, 15) + (w * 7).days();
            for _ in 0..6 {
                id += 1;
                cs.push(contact(
                    id,
                    monday,
                    Channel::Phone,
                    2 + id % 3,
                    None,
                    "call",
                ));
            }
        }
        let office = OfficeRates {
            weeks: 13,
            people: 100,
            by_channel: vec![(Channel::Phone, 1300), (Channel::Email, 650)],
        };
        let s = support(&cs, &[], &office, today);
        assert_eq!(s.weeks.len(), WEEKS);
        assert_eq!(
            s.weeks.last().unwrap().starts,
            date(2027, 3, 8),
            "this week's Monday"
        );
        assert_eq!(s.weeks[0].starts, date(2026, 12, 14));
        let phone = Channel::ALL
            .iter()
            .position(|c| *c == Channel::Phone)
            .unwrap();
        // Weeks of 15 and 22 February, 1 March and 8 March: six calls each... except that
        // 8 March is this week's Monday, which counts too.
        let per_week: Vec<u32> = s.weeks.iter().map(|w| w.by_channel[phone]).collect();
        assert_eq!(per_week[WEEKS - 4..], [6, 6, 6, 6]);
        assert_eq!(s.recent_per_week, 6.0);
        // Their own earlier rate: ten emails from the week of 1 June 2026 to the week of
        // 15 February 2027 (37 weeks).
        let earlier = s.earlier_per_week.unwrap();
        assert!((earlier - 10.0 / 37.0).abs() < 1e-9, "{earlier}");
        // The office's usual for one person: a call a week, half an email.
        assert_eq!(s.office_total_per_week, 1.5);
        assert!(s.office_per_week.contains(&(Channel::Phone, 1.0)));
        // Six calls on each of four Mondays: repeated-calls days, newest first.
        assert_eq!(s.busy_days.len(), 4);
        assert_eq!(s.busy_days[0], (date(2027, 3, 8), 6, 0));
        // Three different staff reached in the last 90 days (the emails are older).
        assert_eq!(s.staff_reached.len(), 3);
        assert_eq!(s.staff_reached.iter().map(|x| x.1).sum::<u32>(), 24);
    }

    #[test]
    fn cle_6_3_a_new_complaint_that_rewords_a_finalised_one_is_shown_beside_it() {
        let old = matter(
            1,
            MatterStatus::Finalised,
            date(2026, 9, 1),
            "Police did not investigate the burglary at my flat",
        );
        let new = matter(
            2,
            MatterStatus::Open,
            date(2027, 1, 5),
            "The burglary at my flat was not investigated by the police",
        );
        let other = matter(
            3,
            MatterStatus::Open,
            date(2027, 2, 1),
            "Noise from the neighbours' dog at night",
        );
        let cs = vec![
            contact(
                1,
                date(2026, 9, 1),
                Channel::Email,
                1,
                Some(1),
                "Nobody came to look at the broken window",
            ),
            contact(
                2,
                date(2027, 1, 5),
                Channel::Email,
                1,
                Some(2),
                "No one came to look at my broken window",
            ),
        ];
        let r = rewordings(&cs, &[old, new, other]);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!((r[0].new, r[0].old), (MatterId(2), MatterId(1)));
        assert!(r[0].similarity >= REWORDED && r[0].similarity < 1.0);
        assert!(r[0]
            .new_text
            .contains("No one came to look at my broken window"));
        assert!(r[0].old_text.starts_with("Police did not investigate"));
        // Unrelated words are not alike.
        assert!(
            similarity(
                "Noise from the neighbours' dog at night",
                "Police did not investigate the burglary"
            ) < REWORDED
        );
    }

    #[test]
    fn cle_6_3_a_day_of_long_calls_is_shown_even_when_they_are_few() {
        let today = date(2027, 3, 10);
        let mut long = contact(1, date(2027, 3, 9), Channel::Phone, 1, None, "long call");
        long.duration_seconds = Some(50 * 60);
        let mut longer = contact(2, date(2027, 3, 9), Channel::Phone, 1, None, "another");
        longer.duration_seconds = Some(25 * 60);
        let short = contact(3, date(2027, 3, 2), Channel::Phone, 1, None, "short");
        let s = support(&[long, longer, short], &[], &OfficeRates::default(), today);
        assert_eq!(s.busy_days, vec![(date(2027, 3, 9), 2, 75)]);
    }

    #[test]
    fn no_history_gives_no_earlier_rate_and_an_empty_office_gives_zero() {
        let s = support(&[], &[], &OfficeRates::default(), date(2027, 3, 10));
        assert_eq!(s.earlier_per_week, None);
        assert_eq!(s.office_total_per_week, 0.0);
        assert!(s.weeks.iter().all(|w| w.total() == 0));
    }
}
