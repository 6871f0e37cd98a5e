//! Letters from the templates in the loaded profile (issue 4): filled from the record,
//! as plain text, as accessible HTML (with its title and language) and in large print.
//! The templates are the office's own words; the tests below check that the built-in ones
//! say what each policy requires.

use minijinja::Environment;
use serde::Serialize;
use tact_core::profile::Profile;
use tact_core::RuleError;

/// One restriction as the letter gives it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RestrictionLine {
    /// In plain words, such as "Please contact us by letter only".
    pub text: String,
    pub reason: String,
}

/// What a letter is filled from, gathered from the record by the caller.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facts {
    pub person_name: String,
    pub reference: String,
    /// The date of the letter, or of the contact it is about, in words.
    pub date: String,
    /// The matters it concerns, in words ("your complaint M-000123 about …").
    pub matters_words: String,
    pub what_is_wrong: String,
    pub how_to_change: String,
    pub consequence: String,
    pub reasons: String,
    pub restrictions: Vec<RestrictionLine>,
    pub review_due: String,
    pub ends_on: Option<String>,
    /// For a decision letter (review, change, lifting, adjustment, dispute): what was
    /// decided, in words, and why.
    pub decision: String,
    pub decision_reasons: String,
    /// For an acknowledgement: the subject of what arrived.
    pub received: String,
    /// Who signs the letter and their role ("Sam Patel", "Senior manager"); the letter is
    /// signed by the office alone when there is no name.
    pub signatory_name: String,
    pub signatory_role: String,
    /// The ways the person may reach the office under the plans that bind them, which the
    /// letter's lines on how to reach us follow (CLE-9.6; NOR-5.6): open unless said.
    #[serde(skip)]
    pub reach: tact_core::correspondence::Reach,
}

/// A letter, ready to send or print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub subject: String,
    pub text: String,
    /// The Easy Read text, where the template has one.
    pub easy_read: Option<String>,
    pub html: String,
    pub large_print_html: String,
}

impl Letter {
    /// The wording for a letter in `format`: the Easy Read text for an Easy Read letter
    /// where the template has one, else the letter's own.
    pub fn text_for(&self, format: tact_core::model::Format) -> &str {
        match (&self.easy_read, format) {
            (Some(easy), tact_core::model::Format::EasyRead) => easy,
            _ => &self.text,
        }
    }
}

#[derive(Serialize)]
struct Context<'a> {
    #[serde(flatten)]
    facts: &'a Facts,
    plan: &'a str,
    office: &'a str,
    policy_where: &'a str,
    signed: &'a str,
    complain_next: Option<&'a str>,
    dispute_route: Option<&'a str>,
    dispute_contact: Option<&'a str>,
    /// How to reach the office, as sentences ("You can phone us on …"), or empty.
    contact_us: String,
    office_phone: Option<&'a str>,
    office_email: Option<&'a str>,
    office_address: Option<String>,
    /// The sign-off under "Yours sincerely": the signatory's name and role (where there
    /// is one) and the office, a line each.
    signature: String,
    /// Whether matters the plan does not name stay open to the person as usual (the
    /// profile's `new_matters_restricted_only_when_applied`; CLE-9.8, 10.4), for a template
    /// to say so.
    other_matters_open: bool,
}

fn env() -> Environment<'static> {
    let mut e = Environment::new();
    // Letters are text: HTML is made below, with escaping, from the text.
    e.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    e.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    e.set_trim_blocks(true);
    e.set_lstrip_blocks(true);
    e
}

/// Checks every letter template in a profile, naming the one at fault.
///
/// # Errors
/// A template that does not parse.
pub fn check_templates(profile: &Profile) -> Result<(), String> {
    let e = env();
    for (kind, t) in &profile.letters.templates {
        e.template_from_str(&t.subject)
            .map_err(|x| format!("letter template {kind} (subject): {x}"))?;
        e.template_from_str(&t.body)
            .map_err(|x| format!("letter template {kind} (body): {x}"))?;
        if let Some(easy) = &t.easy_read {
            e.template_from_str(easy)
                .map_err(|x| format!("letter template {kind} (easy read): {x}"))?;
        }
    }
    Ok(())
}

/// Fills the profile's template for `kind` from `facts`.
///
/// # Errors
/// No such template in the profile, or one that asks for something the record lacks.
pub fn render(profile: &Profile, kind: &str, facts: &Facts) -> Result<Letter, RuleError> {
    let t = profile.letters.templates.get(kind).ok_or_else(|| {
        RuleError::invalid(
            "kind",
            format!(
                "the {} profile has no letter template {kind:?}",
                profile.organisation.short_name
            ),
        )
    })?;
    let facts = &as_sentences(facts);
    let contact = &profile.letters.contact;
    let ctx = Context {
        contact_us: contact_us(contact, &facts.reach, &profile.terms.plan),
        office_phone: contact.phone.as_deref(),
        office_email: contact.email.as_deref(),
        office_address: contact.address_line(),
        signature: signature(facts, &profile.letters.signed),
        facts,
        plan: &profile.terms.plan,
        office: &profile.organisation.name,
        policy_where: &profile.letters.policy_where,
        signed: &profile.letters.signed,
        complain_next: profile.letters.complain_next.as_deref(),
        dispute_route: profile.dispute.as_ref().map(|d| d.route.as_str()),
        dispute_contact: profile.dispute.as_ref().map(|d| d.contact_email.as_str()),
        other_matters_open: profile.rules.new_matters_restricted_only_when_applied,
    };
    let e = env();
    let fill = |src: &str, part: &str| {
        e.render_str(src, &ctx).map_err(|x| {
            RuleError::invalid(
                "kind",
                format!("the letter template {kind:?} ({part}) cannot be filled: {x}"),
            )
        })
    };
    let subject = fill(&t.subject, "subject")?.trim().to_string();
    let text = tidy(&fill(&t.body, "body")?);
    let easy_read = match &t.easy_read {
        Some(src) => Some(tidy(&fill(src, "easy read")?)),
        None => None,
    };
    Ok(Letter {
        easy_read,
        html: html(&subject, &text, false),
        large_print_html: html(&subject, &text, true),
        subject,
        text,
    })
}

/// How to reach the office, as short sentences: the phone number, the email address and
/// the postal address the profile gives (issue 13), each only where the person's plan
/// leaves that way open (`reach`; CLE-9.6; NOR-5.6), calls at the times it sets and email to
/// its dedicated address where it names one; `plan` is the profile's word for a plan. Empty
/// where nothing is left to say.
pub fn contact_us(
    c: &tact_core::profile::OfficeContact,
    reach: &tact_core::correspondence::Reach,
    plan: &str,
) -> String {
    let mut out = Vec::new();
    if let Some(p) = c.phone.as_ref().filter(|_| reach.phone) {
        if reach.phone_at_set_times {
            out.push(format!(
                "You can phone us on {p} at the times your {plan} allows."
            ));
        } else {
            out.push(format!("You can phone us on {p}."));
        }
    }
    if let Some(e) = reach
        .email_to
        .as_ref()
        .or(c.email.as_ref())
        .filter(|_| reach.email)
    {
        out.push(format!("You can email us at {e}."));
    }
    if let Some(a) = c.address_line().filter(|_| reach.post) {
        out.push(format!("You can write to us at {a}."));
    }
    out.join(" ")
}

/// The lines under "Yours sincerely": who signs, their role, and the office.
fn signature(facts: &Facts, office: &str) -> String {
    [
        facts.signatory_name.trim(),
        facts.signatory_role.trim(),
        office,
    ]
    .into_iter()
    .filter(|l| !l.is_empty())
    .collect::<Vec<_>>()
    .join("\n")
}

/// Text a member of staff typed, as a sentence of a letter: trimmed, starting with a capital
/// and ending with a full stop (or the `!` or `?` they ended it with). Staff type into
/// forms as they speak — "you phoned us 14 times" — and a letter that runs their words on
/// without a stop reads as one long sentence (issue 13).
pub fn sentence(text: &str) -> String {
    let t = text.trim();
    let mut chars = t.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '!', '?']) {
        out = out.trim_end_matches([',', ';', ':']).to_string();
        out.push('.');
    }
    out
}

/// The facts with every piece staff typed as whole sentences ([`sentence`]); what a
/// template puts inside its own sentence (matters, dates, the decision) is left alone.
fn as_sentences(f: &Facts) -> Facts {
    let s = |t: &str| sentence(t);
    Facts {
        what_is_wrong: s(&f.what_is_wrong),
        how_to_change: s(&f.how_to_change),
        consequence: s(&f.consequence),
        reasons: s(&f.reasons),
        decision_reasons: s(&f.decision_reasons),
        restrictions: f
            .restrictions
            .iter()
            .map(|r| RestrictionLine {
                text: s(&r.text),
                reason: s(&r.reason),
            })
            .collect(),
        ..f.clone()
    }
}

/// Blank lines at most one at a time, no trailing spaces, ending in one newline.
pub fn tidy(s: &str) -> String {
    let mut out = String::new();
    let mut blank = true;
    for line in s.lines().map(str::trim_end) {
        if line.is_empty() {
            if !blank {
                out.push('\n');
            }
            blank = true;
        } else {
            out.push_str(line);
            out.push('\n');
            blank = false;
        }
    }
    out.trim_end().to_string() + "\n"
}

/// Escapes text for HTML or XML (letters, Word documents, pages made outside templates).
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A letter's text in blocks: paragraphs, and lists made of its lines that begin "- ".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A paragraph's lines (a line break inside a paragraph is kept, as in a signature).
    Para(Vec<String>),
    List(Vec<String>),
}

/// Splits a letter's text at blank lines; within a paragraph, the lines beginning "- "
/// are a list after the paragraph's other lines.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    for para in text.split("\n\n") {
        let lines: Vec<&str> = para.lines().map(str::trim_end).collect();
        let items: Vec<String> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("- "))
            .map(str::to_string)
            .collect();
        let lead: Vec<String> = lines
            .iter()
            .filter(|l| !l.starts_with("- ") && !l.trim().is_empty())
            .map(|l| l.to_string())
            .collect();
        if !lead.is_empty() {
            out.push(Block::Para(lead));
        }
        if !items.is_empty() {
            out.push(Block::List(items));
        }
    }
    out
}

/// Accessible HTML: a title and a language, the subject as its heading, paragraphs and
/// real lists. Large print sets the text at 18 point and wider spacing (RNIB's clear print
/// guidance).
pub fn html(subject: &str, text: &str, large: bool) -> String {
    let style = if large {
        "body{font-family:Arial,Helvetica,sans-serif;font-size:18pt;line-height:1.5;max-width:40em;margin:1em}h1{font-size:1.3em}"
    } else {
        "body{font-family:Arial,Helvetica,sans-serif;font-size:12pt;line-height:1.4;max-width:40em;margin:1em}h1{font-size:1.3em}"
    };
    let mut body = format!("<h1>{}</h1>\n", escape(subject));
    for block in blocks(text) {
        match block {
            Block::Para(lines) => {
                let lines: Vec<String> = lines.iter().map(|l| escape(l)).collect();
                body.push_str(&format!("<p>{}</p>\n", lines.join("<br>\n")));
            }
            Block::List(items) => {
                body.push_str("<ul>\n");
                for i in items {
                    body.push_str(&format!("<li>{}</li>\n", escape(&i)));
                }
                body.push_str("</ul>\n");
            }
        }
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{style}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        escape(subject)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            person_name: "Jo Bloggs".into(),
            reference: "SU-000001".into(),
            date: "20 November 2026".into(),
            matters_words: "your complaint M-000123 about the handling of a burglary report".into(),
            what_is_wrong: "You have called us forty times in a week and shouted at staff".into(),
            how_to_change: "Please write to us, and we will answer within ten working days".into(),
            consequence: "We may limit how you can contact us".into(),
            reasons: "Calls were taking staff away from other people's complaints".into(),
            restrictions: vec![RestrictionLine {
                text: "Please contact us by letter only".into(),
                reason: "Letters let us answer every point in full".into(),
            }],
            review_due: "20 February 2027".into(),
            ends_on: None,
            decision: "to keep the arrangements as they are".into(),
            decision_reasons: "Calls have continued at the same rate".into(),
            received: String::new(),
            signatory_name: "Sam Patel".into(),
            signatory_role: "Senior manager".into(),
            reach: tact_core::correspondence::Reach::default(),
        }
    }

    const KINDS: [&str; 10] = [
        "acknowledgement",
        "warning",
        "strategy-notice",
        "breach-reminder",
        "review-outcome",
        "variation",
        "lifting",
        "adjustment-decision",
        "dispute-outcome",
        "call-ended",
    ];

    #[test]
    fn cle_9_8_the_notice_says_other_matters_stay_open_wherever_the_profile_keeps_them_open() {
        for name in ["cleveland-opcc", "northamptonshire-opfcc"] {
            let p = profile(name);
            assert!(p.rules.new_matters_restricted_only_when_applied, "{name}");
            let l = render(&p, "strategy-notice", &facts()).unwrap();
            assert!(l.text.contains("anything else"), "{name}:\n{}", l.text);
        }
        // Northamptonshire's notice says so only while the profile keeps them open.
        let mut closed = profile("northamptonshire-opfcc");
        closed.rules.new_matters_restricted_only_when_applied = false;
        let l = render(&closed, "strategy-notice", &facts()).unwrap();
        assert!(!l.text.contains("anything else"), "{}", l.text);
    }

    #[test]
    fn cle_9_14_every_decision_letter_says_what_was_decided_and_why() {
        for name in ["cleveland-opcc", "northamptonshire-opfcc"] {
            for kind in [
                "review-outcome",
                "variation",
                "lifting",
                "adjustment-decision",
                "dispute-outcome",
            ] {
                let l = render(&profile(name), kind, &facts()).unwrap();
                assert!(
                    l.text.contains("to keep the arrangements as they are")
                        && l.text.contains("Calls have continued at the same rate"),
                    "{name} {kind}:\n{}",
                    l.text
                );
            }
            // NOR-7.1: every decision about the plan says how to disagree.
            if name == "northamptonshire-opfcc" {
                for kind in ["review-outcome", "variation", "dispute-outcome"] {
                    let l = render(&profile(name), kind, &facts()).unwrap();
                    assert!(
                        l.text.contains("customerservice@northantspfcc.pnn.gov.uk"),
                        "{kind}"
                    );
                }
            }
        }
    }

    fn profile(name: &str) -> Profile {
        Profile::built_in(name).expect("built-in profile")
    }

    /// A profile with the office's contact details filled in, as an office fills its copy.
    fn filled(name: &str) -> Profile {
        let mut p = profile(name);
        let c = &mut p.letters.contact;
        c.address = vec!["1 High Street".into(), "Northtown".into(), "NT1 1AA".into()];
        c.phone.get_or_insert_with(|| "01234 567890".into());
        c.email.get_or_insert_with(|| "office@example.org".into());
        p
    }

    #[test]
    fn issue_13_every_letter_says_how_to_reach_the_office_and_who_signs_it() {
        for name in ["cleveland-opcc", "northamptonshire-opfcc"] {
            let p = filled(name);
            let c = p.letters.contact.clone();
            for kind in p.letters.templates.keys() {
                let l = render(&p, kind, &facts()).unwrap();
                let easy = l
                    .easy_read
                    .clone()
                    .expect("every template has an Easy Read text");
                for text in [&l.text, &easy] {
                    for must in [
                        format!("You can phone us on {}.", c.phone.as_deref().unwrap()),
                        format!("You can email us at {}.", c.email.as_deref().unwrap()),
                        "You can write to us at 1 High Street, Northtown, NT1 1AA.".into(),
                        format!(
                            "Yours sincerely,\n\nSam Patel\nSenior manager\n{}\n",
                            p.letters.signed
                        ),
                    ] {
                        assert!(text.contains(&must), "{name} {kind}: {must}\n{text}");
                    }
                }
            }
        }
    }

    /// A plan's arrangements are written as requests ("Please contact us by letter only"),
    /// so every letter leads into them with words a request follows, never "allows you
    /// to:" (CLE-9.6, 9.11; NOR-5.6, 5.8).
    #[test]
    fn cle_9_11_nor_5_8_a_letter_leads_into_the_arrangements_with_words_a_request_follows() {
        for name in ["cleveland-opcc", "northamptonshire-opfcc"] {
            let p = filled(name);
            for kind in p.letters.templates.keys() {
                let l = render(&p, kind, &facts()).unwrap();
                for text in [&l.text, l.easy_read.as_ref().unwrap()] {
                    let lines: Vec<&str> = text.lines().collect();
                    for (i, line) in lines.iter().enumerate().skip(1) {
                        if line.starts_with("- Please") && !lines[i - 1].starts_with("- ") {
                            let lead = lines[i - 1];
                            assert!(
                                !lead.contains("allows you to") && !lead.contains("lets you do"),
                                "{name} {kind}: {lead:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// CLE-9.6, 9.9; NOR-5.6: to someone whose plan allows email only, to its dedicated
    /// address, no letter says they can phone or write; calls in a window are offered at
    /// its times, in the profile's word for a plan.
    #[test]
    fn cle_9_6_nor_5_6_a_letter_offers_only_the_ways_to_reach_us_the_plan_leaves_open() {
        use tact_core::correspondence::Reach;
        for name in ["cleveland-opcc", "northamptonshire-opfcc"] {
            let p = filled(name);
            let email_only = Facts {
                reach: Reach {
                    phone: false,
                    post: false,
                    email_to: Some("jo.case@office.example".into()),
                    ..Reach::default()
                },
                ..facts()
            };
            for kind in p.letters.templates.keys() {
                let l = render(&p, kind, &email_only).unwrap();
                for text in [&l.text, l.easy_read.as_ref().unwrap()] {
                    assert!(
                        text.contains("You can email us at jo.case@office.example."),
                        "{name} {kind}: {text}"
                    );
                    assert!(
                        !text.contains("You can phone us") && !text.contains("You can write to us"),
                        "{name} {kind}: {text}"
                    );
                }
            }
        }
        let p = filled("northamptonshire-opfcc");
        let window = Reach {
            phone_at_set_times: true,
            ..Reach::default()
        };
        let line = contact_us(&p.letters.contact, &window, &p.terms.plan);
        assert!(
            line.contains(&format!(
                "You can phone us on {} at the times your communication plan allows.",
                p.letters.contact.phone.as_deref().unwrap()
            )),
            "{line}"
        );
        let closed = Reach {
            phone: false,
            email: false,
            post: false,
            ..Reach::default()
        };
        assert_eq!(contact_us(&p.letters.contact, &closed, "plan"), "");
    }

    #[test]
    fn issue_13_northamptonshire_letters_give_the_numbers_its_policy_gives() {
        // NOR-1.4, 7.1: the Customer Service Team's phone and email, shipped in the profile.
        let p = profile("northamptonshire-opfcc");
        let l = render(&p, "warning", &facts()).unwrap();
        assert!(
            l.text.contains("You can phone us on 01604 888881."),
            "{}",
            l.text
        );
        assert!(
            l.text
                .contains("You can email us at customerservice@northantspfcc.pnn.gov.uk."),
            "{}",
            l.text
        );
    }

    #[test]
    fn issue_13_an_office_that_has_not_set_its_details_gets_no_empty_sentences() {
        // Cleveland's policy gives no contact details: the shipped profile has none, and a
        // letter says nothing rather than "phone us on ." (the warning at `init` asks IT
        // staff to fill them in).
        let p = profile("cleveland-opcc");
        assert_eq!(p.letters.contact.missing(), ["address", "phone", "email"]);
        let mut f = facts();
        f.signatory_name.clear();
        f.signatory_role.clear();
        let l = render(&p, "warning", &f).unwrap();
        for never in ["phone us on", "email us at", "write to us at"] {
            assert!(!l.text.contains(never), "{never}: {}", l.text);
        }
        assert!(
            l.text
                .ends_with(&format!("Yours sincerely,\n\n{}\n", p.letters.signed)),
            "{}",
            l.text
        );
    }

    #[test]
    fn cle_9_6_and_nor_7_1_every_decision_letter_says_how_to_disagree() {
        for kind in [
            "strategy-notice",
            "breach-reminder",
            "review-outcome",
            "variation",
            "dispute-outcome",
        ] {
            let c = render(&profile("cleveland-opcc"), kind, &facts()).unwrap();
            assert!(
                c.text
                    .contains("please tell us why and we will look at it again"),
                "{kind}: {}",
                c.text
            );
            let n = render(&profile("northamptonshire-opfcc"), kind, &facts()).unwrap();
            assert!(
                n.text.contains("customerservice@northantspfcc.pnn.gov.uk"),
                "{kind}: {}",
                n.text
            );
            for e in [c.easy_read.unwrap(), n.easy_read.unwrap()] {
                assert!(e.contains("tell us"), "{kind}: {e}");
            }
        }
    }

    #[test]
    fn issue_13_easy_read_is_short_sentences_one_idea_a_line() {
        for name in ["cleveland-opcc", "northamptonshire-opfcc"] {
            let p = filled(name);
            for kind in p.letters.templates.keys() {
                let e = render(&p, kind, &facts()).unwrap().easy_read.unwrap();
                // The template's own lines (not the filled-in staff words or addresses)
                // are short: 15 words at most, one sentence each.
                let t = p.letters.templates[kind].easy_read.as_ref().unwrap();
                for line in t
                    .lines()
                    .filter(|l| !l.contains("{{") && !l.contains("{%") && !l.contains("{#"))
                {
                    assert!(
                        line.split_whitespace().count() <= 15,
                        "{name} {kind}: {line}"
                    );
                    let stops = line.matches(['.', '?', '!']).count();
                    assert!(stops <= 1, "{name} {kind}: one sentence a line: {line}");
                }
                assert!(e.starts_with("Dear Jo Bloggs,"), "{name} {kind}");
            }
        }
    }

    #[test]
    fn every_built_in_template_parses_and_fills() {
        for name in ["cleveland-opcc", "northamptonshire-opfcc"] {
            let p = profile(name);
            check_templates(&p).unwrap();
            for kind in KINDS {
                let l = render(&p, kind, &facts()).unwrap_or_else(|e| panic!("{name} {kind}: {e}"));
                assert!(
                    l.text.starts_with("Dear Jo Bloggs,"),
                    "{name} {kind}: {}",
                    l.text
                );
                assert!(
                    !l.text.contains("{{") && !l.text.contains("{#"),
                    "{name} {kind}"
                );
            }
        }
    }

    #[test]
    fn cle_9_2_and_9_3_a_warning_says_what_is_wrong_how_to_change_and_what_follows() {
        for name in ["cleveland-opcc", "northamptonshire-opfcc"] {
            let l = render(&profile(name), "warning", &facts()).unwrap();
            for must in [
                "forty times in a week",
                "Please write to us",
                "We may limit how you can contact us",
            ] {
                assert!(l.text.contains(must), "{name}: {must}\n{}", l.text);
            }
        }
    }

    #[test]
    fn cle_9_7_and_9_8_the_strategy_notice_says_why_and_that_other_matters_stay_open() {
        let l = render(&profile("cleveland-opcc"), "strategy-notice", &facts()).unwrap();
        for must in [
            "dealt with promptly and accurately",
            "could hold up the handling of your issues",
            "applies only to your complaint M-000123",
            "You can still ask us for help with anything else",
            "Please contact us by letter only. Letters let us answer every point in full",
            "We will review this by 20 February 2027",
            "Managing Service User Contact Policy",
        ] {
            assert!(l.text.contains(must), "{must}\n{}", l.text);
        }
    }

    #[test]
    fn nor_5_7_and_7_1_the_plan_gives_reasons_arrangements_how_long_and_how_to_disagree() {
        let mut f = facts();
        f.ends_on = Some("20 May 2027".into());
        let l = render(&profile("northamptonshire-opfcc"), "strategy-notice", &f).unwrap();
        for must in [
            "what action we are taking and why",
            "The reasons for managing future contact: Calls were taking staff away",
            "Please contact us by letter only",
            "until 20 May 2027",
            "review them by 20 February 2027",
            "Customer Service Team complaints procedure",
            "customerservice@northantspfcc.pnn.gov.uk",
            // NOR-5.2: a copy of the policy goes with it.
            "We have enclosed a copy of our Managing Service User Contact Policy",
        ] {
            assert!(l.text.contains(must), "{must}\n{}", l.text);
        }
    }

    #[test]
    fn nor_5_5_and_cle_9_10_an_acknowledgement_says_it_was_read_and_filed_and_when_we_reply() {
        let mut f = facts();
        f.received = "More about my complaint".into();
        for (name, must) in [
            (
                "northamptonshire-opfcc",
                "only if it gives us new information",
            ),
            ("cleveland-opcc", "new complaint, new information"),
        ] {
            let l = render(&profile(name), "acknowledgement", &f).unwrap();
            assert!(
                l.text.contains("(\"More about my complaint\")")
                    && l.text.contains("20 November 2026")
                    && l.text.contains("keep it on file")
                    && l.text.contains(must),
                "{name}: {}",
                l.text
            );
        }
    }

    #[test]
    fn html_has_a_title_a_language_escaped_text_and_real_lists_and_large_print_is_larger() {
        let mut f = facts();
        f.reasons = "Calls <b>and</b> emails".into();
        let l = render(&profile("cleveland-opcc"), "strategy-notice", &f).unwrap();
        assert!(l.html.contains("<html lang=\"en-GB\">"));
        assert!(l
            .html
            .contains("<title>How we will be in contact with you from now on</title>"));
        assert!(
            l.html.contains("Calls &lt;b&gt;and&lt;/b&gt; emails"),
            "{}",
            l.html
        );
        assert!(l.html.contains("<li>Please contact us by letter only."));
        assert!(l.large_print_html.contains("font-size:18pt"));
        assert!(!l.html.contains("font-size:18pt"));
    }

    #[test]
    fn a_missing_template_or_missing_fact_is_a_clear_refusal() {
        let e = render(&profile("cleveland-opcc"), "no-such-letter", &facts()).unwrap_err();
        assert!(e.message.contains("no letter template"), "{}", e.message);
        let mut p = profile("cleveland-opcc");
        p.letters.templates.insert(
            "bad".into(),
            tact_core::profile::LetterTemplate {
                subject: "x".into(),
                body: "{{ no_such_fact }}".into(),
                easy_read: None,
            },
        );
        let e = render(&p, "bad", &facts()).unwrap_err();
        assert!(e.message.contains("cannot be filled"), "{}", e.message);
        p.letters.templates.insert(
            "broken".into(),
            tact_core::profile::LetterTemplate {
                subject: "x".into(),
                body: "{% if %}".into(),
                easy_read: None,
            },
        );
        assert!(check_templates(&p).unwrap_err().contains("broken"));
        p.letters.templates.remove("broken");
        p.letters.templates.insert(
            "broken-easy".into(),
            tact_core::profile::LetterTemplate {
                subject: "x".into(),
                body: "fine".into(),
                easy_read: Some("{% for %}".into()),
            },
        );
        assert!(check_templates(&p)
            .unwrap_err()
            .contains("letter template broken-easy (easy read)"));
    }
}
