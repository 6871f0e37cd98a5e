//! A realistic demo office: staff in every role, a few hundred service users, and people
//! at every stage of the lifecycle. Everything goes through the same use cases as real
//! work, with the clock moved through the last four months, so every rule is applied.

use anyhow::Result;
use jiff::{SignedDuration, Timestamp};
use tact_app::letters::How;
use tact_app::{App, Clock, Ctx, PersonInput};
use tact_core::command as cmd;
use tact_core::identity::{EmailAddress, Identifier, PhoneNumber};
use tact_core::ids::*;
use tact_core::model::*;
use tact_core::profile::{Channel, RestrictionKind};
use tact_core::roles::{Actor, Role};
use tact_core::workflow as wf;

/// Every demo account's password: a demo office holds no real data.
pub const DEMO_PASSWORD: &str = "tact-demo-password";

const FIRST: [&str; 24] = [
    "Alex", "Sam", "Jordan", "Priya", "Mohammed", "Olivia", "Jack", "Amira", "Liam", "Grace",
    "Tomasz", "Chloe", "Daniel", "Fatima", "Ewan", "Hannah", "Kofi", "Isla", "Ryan", "Zara",
    "Owen", "Megan", "Adeel", "Ruth",
];
const LAST: [&str; 20] = [
    "Smith", "Khan", "Jones", "Taylor", "Brown", "Ahmed", "Wilson", "Evans", "Patel", "Thomas",
    "Roberts", "Walker", "Wright", "Hughes", "Edwards", "Green", "Hall", "Wood", "Clarke", "Lewis",
];
const TITLES: [&str; 6] = [
    "Complaint about the handling of a burglary report",
    "Request for a review of a complaint outcome",
    "Query about victim support services",
    "Complaint about a police officer's conduct",
    "Request for information about a case",
    "Complaint about delays in an investigation",
];

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

struct Demo {
    app: App,
    clock: Clock,
    admin: Actor,
    caseworkers: Vec<Actor>,
    line_managers: Vec<Actor>,
    seniors: Vec<Actor>,
    csm: Actor,
    start: Timestamp,
}

impl Demo {
    /// The customer service manager where the profile lets them take `action`, else
    /// `other` (who may).
    fn decider<'a>(&'a self, action: tact_core::roles::Action, other: &'a Actor) -> &'a Actor {
        if self.app.profile.may(self.csm.role, action) {
            &self.csm
        } else {
            other
        }
    }

    fn at(&self, day: i64, hour: i64) {
        self.clock
            .set(self.start + days(day) + SignedDuration::from_hours(hour));
    }
    fn ctx(a: &Actor) -> Ctx {
        Ctx::new(a.clone())
    }
    /// A new person, recorded by `by`, with one matter of theirs opened.
    async fn person_with_matter(
        &self,
        by: &Actor,
        input: PersonInput,
        kind: MatterKind,
        title: &str,
    ) -> Result<(ServiceUser, Matter)> {
        let p = self
            .app
            .execute(&Self::ctx(by), cmd::CreatePerson { input })
            .await?;
        let m = self
            .app
            .execute(
                &Self::ctx(by),
                cmd::OpenMatter {
                    person: p.id,
                    kind,
                    title: title.into(),
                },
            )
            .await?;
        Ok((p, m))
    }
}

async fn staff(
    app: &App,
    admin: &Actor,
    name: &str,
    role: Role,
    manager: Option<StaffId>,
    out: &mut String,
) -> Result<Actor> {
    let s = app
        .create_staff(Some(&Ctx::new(admin.clone())), name, role, None, manager)
        .await?;
    // Each member of staff mints their own token (nobody mints one for anyone else), on
    // the real clock, so it lasts from today rather than from the demo's past.
    let token = app
        .with_clock(Clock::default())
        .issue_token(Some(&Actor::from(s.clone())), s.id, "demo")
        .await?;
    let username = name
        .split_whitespace()
        .next()
        .unwrap_or("staff")
        .to_lowercase();
    app.set_credentials(Some(admin), s.id, &username, DEMO_PASSWORD)
        .await?;
    out.push_str(&format!(
        "  {:<24} {:<30} staff id {:<3} sign in as {username:<8} token {token}\n",
        s.name,
        role.plain(),
        s.id
    ));
    Ok(Actor::staff(s.id, s.name, role))
}

/// The demo's summary with every API token left out, for the terminal and the log: the
/// tokens are in `demo-tokens.txt` only.
pub fn without_tokens(summary: &str) -> String {
    let mut out: String = summary
        .split_inclusive(char::is_whitespace)
        .map(|w| {
            let word = w.trim_end();
            if word.starts_with("tact_") {
                format!("(in demo-tokens.txt){}", &w[word.len()..])
            } else {
                w.to_string()
            }
        })
        .collect();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Fills the store with a demo office and returns a summary with every demo token.
///
/// # Errors
/// Any refusal by the rules (a bug in the demo) or the store's error.
pub async fn populate(app: &App, people: usize) -> Result<String> {
    if people > 1000 {
        anyhow::bail!("a demo office has at most 1,000 people: each has a number from Ofcom's drama range (07700 900000–900999), which has 1,000; tact-bench makes larger offices");
    }
    let real_now = Timestamp::now();
    let clock = Clock::fixed(real_now - days(120));
    let app = app.with_clock(clock.clone());
    let admin_staff = app
        .staff_directory()
        .await?
        .into_iter()
        .find(|s| {
            app.profile
                .may(s.role, tact_core::roles::Action::ManageStaff)
        })
        .ok_or_else(|| anyhow::anyhow!("no administrator: run tact init first"))?;
    app.set_credentials(None, admin_staff.id, "admin", DEMO_PASSWORD)
        .await?;
    let admin = Actor::from(admin_staff.clone());
    let mut out = format!(
        "Demo office for {} ({} people). Sign in at /sign-in with the password {DEMO_PASSWORD:?}. Staff:\n",
        app.profile.organisation.short_name, people
    );
    let lm1 = staff(
        &app,
        &admin,
        "Dana Line-Manager",
        Role::LineManager,
        None,
        &mut out,
    )
    .await?;
    let lm2 = staff(
        &app,
        &admin,
        "Rob Line-Manager",
        Role::LineManager,
        None,
        &mut out,
    )
    .await?;
    let mut caseworkers = Vec::new();
    for (i, n) in ["Casey Worker", "Morgan Worker", "Taylor Worker"]
        .iter()
        .enumerate()
    {
        caseworkers.push(
            staff(
                &app,
                &admin,
                n,
                Role::Caseworker,
                Some(if i == 2 { lm2.id } else { lm1.id }),
                &mut out,
            )
            .await?,
        );
    }
    let seniors = vec![
        staff(
            &app,
            &admin,
            "Sandra Senior",
            Role::SeniorManager,
            None,
            &mut out,
        )
        .await?,
        staff(
            &app,
            &admin,
            "Sunil Senior",
            Role::SeniorManager,
            None,
            &mut out,
        )
        .await?,
    ];
    let csm = staff(
        &app,
        &admin,
        "Carys Customer-Service",
        Role::CustomerServiceManager,
        None,
        &mut out,
    )
    .await?;
    let dpo = staff(
        &app,
        &admin,
        "Dev Data-Protection",
        Role::Dpo,
        None,
        &mut out,
    )
    .await?;
    staff(&app, &admin, "Aud Auditor", Role::Auditor, None, &mut out).await?;
    let d = Demo {
        app: app.clone(),
        clock: clock.clone(),
        admin,
        caseworkers,
        line_managers: vec![lm1, lm2],
        seniors,
        csm,
        start: real_now - days(120),
    };

    let mut ids = Vec::new();
    let place = Place::of(&d.app.profile.organisation.id);
    let bar = crate::progress::bar(people, "people");
    for i in 0..people {
        bar.inc(1);
        d.at((i as i64 * 97) % 60, 9);
        let cw = &d.caseworkers[i % 3];
        let name = format!(
            "{} {}",
            FIRST[i % FIRST.len()],
            LAST[(i / FIRST.len() + i) % LAST.len()]
        );
        // Ofcom keeps 07700 900000–900999 for drama: never a real person's number, and
        // not confirmed by libphonenumber, so kept as unverified.
        let phone = PhoneNumber::record(&format!("07700 9{:05}", i), true)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let email = EmailAddress::parse(&format!(
            "{}.{}{}@example.org",
            FIRST[i % FIRST.len()].to_lowercase(),
            LAST[(i / FIRST.len() + i) % LAST.len()].to_lowercase(),
            i
        ))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let advocate = (i % 37 == 0).then(|| Advocate {
            name: "Pat Advocate".into(),
            organisation: Some("Independent Advocacy Service".into()),
            // Ofcom keeps 01632 960000–960999 for drama, as 07700 900xxx above.
            phone: PhoneNumber::record(&format!("01632 960{:03}", i % 1000), true).ok(),
            email: None,
        });
        let (p, m) = d
            .person_with_matter(
                cw,
                PersonInput {
                    name,
                    phones: vec![phone.clone()],
                    emails: vec![email.clone()],
                    postal_address: Some(format!(
                        "{} Station Road, {} {} {}AB",
                        i + 1,
                        place.town,
                        place.district,
                        i % 9 + 1
                    )),
                    advocate,
                    preferred_format: Some(if i % 23 == 0 {
                        Format::LargePrint
                    } else {
                        Format::Standard
                    }),
                    preferred_language: (i % 31 == 0).then(|| "Polish".to_string()),
                    shared: Vec::new(),
                    // Ofcom's drama numbers, which no real person has: kept unverified.
                    keep_unverified: true,
                },
                MatterKind::ALL[i % 4],
                TITLES[i % TITLES.len()],
            )
            .await?;
        if d.app.profile.rules.ask_additional_help_at_first_contact || i % 5 == 0 {
            let needs = i % 11 == 0;
            d.app
                .execute(
                    &Demo::ctx(cw),
                    cmd::RecordAdditionalHelp {
                        person: p.id,
                        needs_help: needs,
                        words: needs
                            .then(|| "I have anxiety and find long phone calls hard".to_string()),
                    },
                )
                .await?;
        }
        for c in 0..(2 + i % 4) {
            d.at((i as i64 * 97) % 60 + c as i64 * 3 + 1, 10 + (c as i64 % 6));
            let ch = if c % 2 == 0 {
                Channel::Phone
            } else {
                Channel::Email
            };
            let ident = if ch == Channel::Phone {
                Identifier::Phone(phone.clone())
            } else {
                Identifier::Email(email.clone())
            };
            d.app
                .execute(
                    &Demo::ctx(cw),
                    cmd::LogContact {
                        input: wf::ContactInput {
                            // Calls last from 3 to 40 minutes, some long.
                            duration_seconds: (ch == Channel::Phone).then(|| {
                                u32::try_from(60 * (3 + (i * 7 + c * 11) % 38)).unwrap_or(600)
                            }),
                            person_id: Some(p.id),
                            matter_id: Some(m.id),
                            channel: ch,
                            direction: if c == 1 {
                                Direction::Outbound
                            } else {
                                Direction::Inbound
                            },
                            at: d.app.now(),
                            staff_id: Some(cw.id),
                            identifier: Some(ident),
                            via_advocate: false,
                            summary: if c == 1 {
                                "Update sent on progress".into()
                            } else {
                                "Asked for an update".into()
                            },
                            body: String::new(),
                            is_complaint: false,
                        },
                    },
                )
                .await?;
        }
        ids.push((p, m));
    }
    bar.finish_and_clear();
    // The lifecycle: the first people are the few whose behaviour is managed (CLE-2.1: a small minority).
    let mut counts = std::collections::BTreeMap::new();
    for (n, (p, m)) in ids.iter().take(STAGES.len() * 3).enumerate() {
        let stage = STAGES[n % STAGES.len()];
        lifecycle(&d, stage, n, p, m)
            .await
            .map_err(|e| anyhow::anyhow!("demo person {} at stage {stage}: {e}", p.reference))?;
        *counts.entry(stage).or_insert(0) += 1;
    }
    // CLE-9.15: three people under a plan whose details the police asked about: one request
    // waiting for the DPO, one approved and shared (on the disclosure log), and one approved
    // and waiting for the line manager to record what was shared.
    let partner = d
        .app
        .profile
        .sharing
        .example_partners
        .first()
        .cloned()
        .unwrap_or_else(|| "the police".into());
    let active: Vec<usize> = (0..ids.len().min(STAGES.len() * 3))
        .filter(|n| STAGES[n % STAGES.len()] == "active")
        .take(3)
        .collect();
    // What staff typed, in the office's own word for a plan.
    let plan = d.app.profile.terms.plan.clone();
    for (k, n) in active.iter().copied().enumerate() {
        let (p, _) = &ids[n];
        d.at(100 + k as i64, 11);
        let asked = d
            .app
            .execute(
                &Demo::ctx(&d.line_managers[0]),
                cmd::RequestDisclosure {
                    person: p.id,
                    request: tact_core::sharing::DisclosureRequest {
                        partner: partner.clone(),
                        reason: "Threats to staff have been reported as a possible crime".into(),
                        details: format!("The {plan} and the incidents it responds to"),
                    },
                },
            )
            .await?;
        if k >= 1 {
            d.at(100 + k as i64, 15);
            d.app
                .execute(
                    &Demo::ctx(&dpo),
                    cmd::DecideDisclosure {
                        disclosure: asked.id,
                        approve: true,
                        reason: "Sharing is necessary to prevent and detect crime".into(),
                    },
                )
                .await?;
        }
        if k == 1 {
            d.at(102, 10);
            d.app
                .execute(&Demo::ctx(&d.line_managers[0]), cmd::RecordShared { disclosure: asked.id, what: format!("The {plan}'s written notice and the incident log, by secure email to the force's contact"), at: None })
                .await?;
        }
    }
    if let Some((last, _)) = ids.last() {
        past_records(&d, &dpo, last.id).await?;
        out.push_str(&format!(
            "For the DPO: one person's records due for disposal, one kept by a legal hold, and a \
             subject access request from {} waiting.\n",
            last.reference
        ));
    }
    // Correspondence (issue 4): a short thread from one person, an email from a person under
    // a plan (screened, or a breach if the plan forbids email), one from a stranger, and one
    // that cannot be read (quarantined).
    d.at(103, 9);
    let limits = tact_mail::Limits::default();
    let first = &ids[0].0;
    let under_plan = active.first().map(|n| &ids[*n].0);
    let mut mail = vec![
        format!(
            "From: {} <{}>\r\nTo: enquiries@opcc.example\r\nSubject: My complaint {}\r\nMessage-ID: <demo-1@example.org>\r\n\r\nI am still waiting for an answer about my complaint. Please tell me what is happening.\r\n",
            first.name,
            first.emails.first().map(|e| e.as_str()).unwrap_or_default(),
            ids[0].1.reference
        ),
        format!(
            "From: {}\r\nSubject: Re: My complaint\r\nMessage-ID: <demo-2@example.org>\r\nIn-Reply-To: <demo-1@example.org>\r\n\r\nI have found the crime reference number: CR/123/26.\r\n",
            first.emails.first().map(|e| e.as_str()).unwrap_or_default()
        ),
        "From: A Stranger <stranger@elsewhere.example>\r\nSubject: Question about a speeding fine\r\nMessage-ID: <demo-3@example.org>\r\n\r\nWho do I write to about a speeding fine?\r\n".to_string(),
        "Subject: (no sender)\r\n\r\nThis arrived without a From line.\r\n".to_string(),
    ];
    if let Some(p) = under_plan {
        mail.push(format!(
            "From: {}\r\nSubject: Why will nobody call me back\r\nMessage-ID: <demo-4@example.org>\r\n\r\nI want a call back today.\r\n",
            p.emails.first().map(|e| e.as_str()).unwrap_or_default()
        ));
    }
    for raw in &mail {
        d.app
            .import_message("enquiries", raw.as_bytes(), &limits)
            .await?;
    }
    // Letters about that person's plan: the notice by email (waiting for the relay), and a
    // large-print copy by post (in the print queue).
    if let Some(p) = under_plan {
        let plan = d
            .app
            .query(
                &Demo::ctx(&d.line_managers[0]).actor,
                tact_app::query::Plans { person: p.id },
            )
            .await?
            .into_iter()
            .find(|s| s.status == tact_core::model::PlanStatus::Active);
        if let Some(s) = plan {
            let lm = Demo::ctx(&d.line_managers[0]);
            let large = How {
                channel: Some(tact_core::profile::Channel::Letter),
                format: Some(tact_core::model::Format::LargePrint),
                hold: false,
            };
            for how in [How::default(), large] {
                let about = tact_core::correspondence::LetterAbout::Plan {
                    plan: s.id,
                    kind: tact_core::correspondence::PlanLetter::PlanNotice,
                };
                d.app.execute(&lm, cmd::WriteLetter { about, how }).await?;
            }
        }
    }
    out.push_str("People at each stage: ");
    out.push_str(
        &counts
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    out.push('\n');
    let _ = &d.admin;
    Ok(out)
}

fn restriction_for(d: &Demo, n: usize, p: &ServiceUser, m: &Matter) -> Vec<Restriction> {
    let prof = &d.app.profile;
    let reason = |s: &str| s.to_string();
    let mut options: Vec<Restriction> = Vec::new();
    for kind in [
        RestrictionKind::CallWindow,
        RestrictionKind::SingleChannel,
        RestrictionKind::SinglePointOfContact,
        RestrictionKind::ReadAndFile,
        RestrictionKind::AdvocateOnly,
        RestrictionKind::BlockedIdentifier,
        RestrictionKind::RecordedCalls,
    ] {
        if prof.catalogue(kind).is_none() {
            continue;
        }
        let rule = match kind {
            RestrictionKind::CallWindow => Rule::CallWindow {
                windows: vec![CallWindow::hours(jiff::civil::Weekday::Tuesday, 10, 12)],
                max_minutes: Some(20),
                max_calls_per_window: Some(1),
            },
            RestrictionKind::SingleChannel => Rule::SingleChannel {
                channel: Channel::Email,
            },
            RestrictionKind::SinglePointOfContact => Rule::SinglePointOfContact {
                staff_id: d.caseworkers[0].id,
            },
            RestrictionKind::ReadAndFile => Rule::ReadAndFile { acknowledge: true },
            RestrictionKind::AdvocateOnly if p.advocate.is_some() => Rule::AdvocateOnly,
            RestrictionKind::BlockedIdentifier => match p.phones.first() {
                Some(ph) => Rule::BlockedIdentifier {
                    identifier: Identifier::Phone(ph.clone()),
                    acknowledge: false,
                },
                None => continue,
            },
            RestrictionKind::RecordedCalls => Rule::RecordedCalls,
            _ => continue,
        };
        options.push(Restriction {
            rule,
            reason: reason(
                "Repeated calls were stopping the team from handling other people's complaints",
            ),
        });
    }
    let _ = m;
    // Sensible combinations, as a manager would choose them; each profile keeps the ones its catalogue allows.
    let pick = |kinds: &[RestrictionKind]| -> Option<Vec<Restriction>> {
        kinds
            .iter()
            .map(|k| options.iter().find(|o| o.rule.kind() == *k).cloned())
            .collect()
    };
    let combos: [&[RestrictionKind]; 5] = [
        &[RestrictionKind::CallWindow, RestrictionKind::RecordedCalls],
        &[RestrictionKind::SingleChannel],
        &[
            RestrictionKind::SinglePointOfContact,
            RestrictionKind::CallWindow,
        ],
        &[RestrictionKind::AdvocateOnly],
        &[
            RestrictionKind::ReadAndFile,
            RestrictionKind::SinglePointOfContact,
        ],
    ];
    let usable: Vec<Vec<Restriction>> = combos.iter().filter_map(|c| pick(c)).collect();
    usable[n % usable.len()].clone()
}

/// The stages of the lifecycle the first people are taken to, in turn, three times over.
const STAGES: [&str; 14] = [
    "incident",
    "warned",
    "draft",
    "proposed",
    "authorised",
    "active",
    "active",
    "active",
    "refused",
    "lifted",
    "disputed",
    "overdue",
    "ended-call",
    "adjustment",
];

async fn lifecycle(d: &Demo, stage: &str, n: usize, p: &ServiceUser, m: &Matter) -> Result<()> {
    let app = &d.app;
    // Which time round the stages this person is: the first and third of the people at a
    // stage go on to a decision (an adjustment decided, a dispute heard); the second waits
    // for one. (`n` itself has one parity at each stage, as there are fourteen.)
    let round = n / STAGES.len();
    let cw = &d.caseworkers[n % 3];
    let lm = &d.line_managers[0];
    let senior = &d.seniors[n % 2];
    let base = 62 + (n as i64 % 5);
    let category = if n.is_multiple_of(3) {
        app.profile.categories[0].id.clone()
    } else {
        app.profile.categories[1 % app.profile.categories.len()]
            .id
            .clone()
    };
    d.at(base, 11);
    if stage == "adjustment" {
        let a = app
            .execute(
                &Demo::ctx(cw),
                cmd::RequestAdjustment {
                    person: p.id,
                    kind: AdjustmentKind::NeedsChannel(Channel::Phone),
                    description: "Finds writing difficult because of dyslexia; please phone".into(),
                },
            )
            .await?;
        if round.is_multiple_of(2) {
            d.at(base + 2, 10);
            let decider = d.decider(tact_core::roles::Action::DecideAdjustment, lm);
            app.execute(
                &Demo::ctx(decider),
                cmd::DecideAdjustment {
                    adjustment: a.id,
                    grant: true,
                    reasons: "Granted: phone contact is needed to give equal access".into(),
                },
            )
            .await?;
        }
        return Ok(());
    }
    let ended = (stage == "ended-call").then(|| EndedCall { reason: "Continued shouting abuse after being warned".into(), file_note: "Told the caller the language was unacceptable and that I would end the call; the abuse continued, so I ended it at 11:07.".into(), caller_warned: true });
    let (incident, _) = app
        .execute(&Demo::ctx(cw), cmd::RecordIncident { input: wf::IncidentInput {
                person_id: p.id,
                matter_id: Some(m.id),
                contact_id: None,
                category: if ended.is_some() { app.profile.categories[0].id.clone() } else { category },
                description: "Called nine times in one morning demanding the same answer and became abusive when told the position".into(),
                occurred_at: app.now(),
                staff_id: cw.id,
                ended_call: ended,
            } })
        .await?;
    if stage == "incident" || stage == "ended-call" {
        return Ok(());
    }
    d.at(base + 1, 14);
    app.execute(
        &Demo::ctx(lm),
        cmd::GiveWarning {
            person: p.id,
            input: wf::WarningInput {
                incident_ids: vec![incident.id],
                what_is_wrong: "You have called many times a day and spoken abusively to staff"
                    .into(),
                how_to_change:
                    "Please write to us, or call once a week; we will reply within ten working days"
                        .into(),
                consequence: format!(
                    "We may put a {} in place that limits how you contact us",
                    app.profile.terms.plan
                ),
                // Someone warned only lately has the letter still to go (the task to send
                // it is on the line manager's list); further on, they were warned on the
                // phone long ago, so the demo leaves no letter owed for them.
                channel: if stage == "warned" {
                    Channel::Letter
                } else {
                    Channel::Phone
                },
                given_at: app.now(),
            },
        },
    )
    .await?;
    if stage == "warned" {
        return Ok(());
    }
    let ctx_lm = Demo::ctx(lm);
    if app.profile.rules.restriction_requires_review_exhausted || stage == "active" {
        app.execute(
            &ctx_lm,
            cmd::SetMatterStatus {
                matter: m.id,
                status: MatterStatus::ReviewExhausted,
                finalised_on: None,
            },
        )
        .await?;
    }
    d.at(base + 10, 10);
    let months = i64::from(app.profile.rules.max_review_interval_months).min(3);
    let review_due = if stage == "overdue" {
        tact_core::check::uk_date(app.now()) + jiff::Span::new().days(40)
    } else {
        tact_core::check::uk_date(app.now()) + jiff::Span::new().days(months * 28)
    };
    let s = app
        .execute(&ctx_lm, cmd::DraftPlan { person: p.id, input: wf::PlanInput {
                matter_ids: vec![m.id],
                incident_ids: vec![incident.id],
                restrictions: restriction_for(d, n, p, m),
                reasons: "Behaviour continued after a written warning".into(),
                aims: "Let the team deal with the complaint promptly while protecting staff".into(),
                proportionality: "Contact stays open in writing and at a set time each week; it is reviewed regularly".into(),
                no_warning_reason: None,
                review_due,
                ends_on: None,
            } })
        .await?;
    let answers: Vec<wf::AnswerInput> = app
        .profile
        .checklist
        .questions
        .iter()
        .enumerate()
        .filter(|(i, _)| stage != "draft" || *i < 4)
        .map(|(_, q)| wf::AnswerInput::no_shortfall(q, "Checked against the case file"))
        .collect();
    app.execute(
        &ctx_lm,
        cmd::AnswerChecklist {
            plan: s.id,
            answers,
        },
    )
    .await?;
    if stage == "draft" {
        return Ok(());
    }
    // The plan's next step, taken by `ctx`.
    let step = async |ctx: &Ctx, command| on_plan(app, ctx, s.id, command).await;
    step(&ctx_lm, wf::PlanCommand::Propose).await?;
    if stage == "proposed" {
        return Ok(());
    }
    d.at(base + 12, 9);
    let ctx_sen = Demo::ctx(senior);
    if stage == "refused" {
        step(
            &ctx_sen,
            wf::PlanCommand::Refuse {
                reason: "Not yet proportionate: try a single point of contact informally first"
                    .into(),
            },
        )
        .await?;
        return Ok(());
    }
    step(
        &ctx_sen,
        wf::PlanCommand::Authorise(wf::AuthoriseInput {
            reason: "Proportionate to the behaviour and reviewed regularly".into(),
            overrides: vec![],
        }),
    )
    .await?;
    if stage == "authorised" {
        return Ok(());
    }
    d.at(base + 13, 10);
    step(
        &ctx_lm,
        wf::PlanCommand::RecordNotice(wf::NoticeInput {
            format: Some(p.preferred_format),
            agreement_sought: true,
            agreement_given: Some(n.is_multiple_of(2)),
            ..wf::NoticeInput::letter(app.now())
        }),
    )
    .await?;
    match stage {
        "lifted" => {
            d.at(base + 40, 10);
            step(
                &ctx_sen,
                wf::PlanCommand::Review(wf::ReviewInput {
                    decision: wf::ReviewDecision::Lift,
                    reasons: "Contact has been reasonable for a month".into(),
                    recent_conduct: "Two calls in the last month, both calm".into(),
                    next_review_due: None,
                }),
            )
            .await?;
        }
        "disputed" => {
            d.at(base + 20, 10);
            let disp = app
                .execute(
                    &Demo::ctx(cw),
                    cmd::RaiseDispute {
                        plan: s.id,
                        grounds: "I was never told why my calls were limited".into(),
                        received_at: None,
                    },
                )
                .await?;
            if round.is_multiple_of(2) {
                d.at(base + 25, 10);
                let decider = d.decider(
                    tact_core::roles::Action::DecideDispute,
                    &d.seniors[(n + 1) % 2],
                );
                app.execute(
                    &Demo::ctx(decider),
                    cmd::DecideDispute {
                        dispute: disp.id,
                        outcome: DisputeOutcome::Upheld,
                        reasons: "The warning letter of the earlier date explained the reasons"
                            .into(),
                        variation: None,
                    },
                )
                .await?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// One step on a plan, as staff take it.
async fn on_plan(app: &App, ctx: &Ctx, plan: PlanId, command: wf::PlanCommand) -> Result<Plan> {
    Ok(app
        .execute(ctx, cmd::PlanStepCommand { plan, command })
        .await?)
}

/// The profile a demo office runs under: the shipped text, with made-up contact details
/// where the policy gives none (a LOCAL SETTING an office fills in), so the demo's letters
/// show how they tell people to reach the office. Marked in the file as demo values.
///
/// # Errors
/// A profile that is not TOML (the shipped ones are).
pub fn with_demo_contact(profile: &str) -> anyhow::Result<String> {
    let mut doc: toml_edit::DocumentMut = profile.parse()?;
    let letters = doc["letters"]
        .or_insert(toml_edit::table())
        .as_table_mut()
        .ok_or_else(|| anyhow::anyhow!("[letters] is not a table"))?;
    let contact = letters
        .entry("contact")
        .or_insert(toml_edit::table())
        .as_table_mut()
        .ok_or_else(|| anyhow::anyhow!("[letters.contact] is not a table"))?;
    let empty = |v: Option<&toml_edit::Item>| match v {
        None => true,
        Some(i) => i.as_array().is_some_and(toml_edit::Array::is_empty),
    };
    if empty(contact.get("address")) {
        let mut a = toml_edit::Array::new();
        for l in ["Demo Office", "1 Example Street", "Exampletown", "EX1 1AA"] {
            a.push(l);
        }
        contact.insert("address", toml_edit::value(a));
    }
    if !contact.contains_key("phone") {
        contact.insert("phone", toml_edit::value("01234 567890"));
    }
    if !contact.contains_key("email") {
        contact.insert("email", toml_edit::value("contact@demo-office.example"));
    }
    contact
        .decor_mut()
        .set_prefix("\n# DEMO VALUES: made up for the demo office, not from the policy.\n");
    Ok(doc.to_string())
}

/// Where the demo office's people live: made-up streets in towns of the office's own area,
/// so a Northamptonshire office's letters do not go to Middlesbrough. Not policy: only what
/// makes the demo look like the office trying it.
struct Place {
    town: &'static str,
    /// The outward part of the town's postcodes.
    district: &'static str,
    /// A second town, with its postcode: where the former service users lived.
    elsewhere: &'static str,
}

impl Place {
    /// The place for the office `organisation` (the profile's `organisation.id`); an office
    /// the demo does not know gets a made-up town.
    fn of(organisation: &str) -> Self {
        let (town, district, elsewhere) = match organisation {
            "cleveland-opcc" => ("Middlesbrough", "TS1", "Stockton-on-Tees TS18 1AA"),
            "northamptonshire-opfcc" => ("Northampton", "NN1", "Kettering NN16 1AA"),
            _ => ("Exampletown", "EX1", "Othertown EX2 1AA"),
        };
        Self {
            town,
            district,
            elsewhere,
        }
    }
}

/// Records kept and records due (NOR-9.1; Cleveland's retention rule): two people whose one
/// matter was finalised, and who were last in touch, longer ago than the profile keeps
/// records — one due for disposal, so the dry run lists them, and one kept past that day by
/// a legal hold — and a subject access request waiting for the DPO, whose person's records
/// are kept while it is open.
async fn past_records(d: &Demo, dpo: &Actor, asker: PersonId) -> Result<()> {
    let years = i64::from(d.app.profile.rules.retention_years_after_finalised);
    // Days back from the demo's start to a year past the disposal date.
    let back = -(years + 1) * 366;
    let cw = &d.caseworkers[0];
    let place = Place::of(&d.app.profile.organisation.id);
    for (k, name) in ["Alex Former", "Jo Archive"].into_iter().enumerate() {
        d.at(back + k as i64, 10);
        let (p, m) = d
            .person_with_matter(
                cw,
                PersonInput {
                    name: name.into(),
                    postal_address: Some(format!("{} Old Road, {}", k + 1, place.elsewhere)),
                    ..PersonInput::default()
                },
                MatterKind::ALL[0],
                TITLES[0],
            )
            .await?;
        d.at(back + k as i64 + 30, 11);
        let finalised_on = Some(tact_core::check::uk_date(d.app.now()));
        d.app
            .execute(
                &Demo::ctx(&d.line_managers[0]),
                cmd::SetMatterStatus {
                    matter: m.id,
                    status: MatterStatus::Finalised,
                    finalised_on,
                },
            )
            .await?;
        if k == 1 {
            d.at(100, 12);
            d.app
                .execute(
                    &Demo::ctx(dpo),
                    cmd::PlaceHold {
                        person: p.id,
                        reason: "A civil claim about this complaint is before the county court"
                            .into(),
                    },
                )
                .await?;
        }
    }
    d.at(110, 9);
    d.app
        .execute(
            &Demo::ctx(cw),
            cmd::ReceiveRightsRequest {
                person: asker,
                kind: tact_core::rights::RightKind::Access,
                details: "A copy of everything held about me, including call notes".into(),
                channel: Channel::Letter,
                received_on: None,
            },
        )
        .await?;
    Ok(())
}
