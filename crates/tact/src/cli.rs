//! The command line. Workflow commands act as one member of staff (`--as ID` or
//! `TACT_AS`) and run through the same in-process router as the API, so the CLI is held
//! to the same roles and rules.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use tact_core::words::Words;

/// An argument that takes a word of one of core's closed lists: its help lists the words
/// (`[possible values: …]`) from the list itself, and another word is refused before
/// anything is asked.
fn words<T: Words>() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(T::WORDS.iter().copied())
}

#[derive(Parser)]
#[command(
    name = "tact",
    version,
    about = "Tact: manage contact with service users fairly, safely and on the record"
)]
pub struct Cli {
    /// The data folder.
    #[arg(long, global = true, env = "TACT_DATA", default_value = "data")]
    pub data: PathBuf,
    /// Use this database instead of the folder's (sqlite://… or postgres://…).
    #[arg(long, global = true, env = "TACT_DATABASE_URL")]
    pub database_url: Option<String>,
    /// The member of staff to act as (their id).
    #[arg(long = "as", global = true, env = "TACT_AS")]
    pub as_staff: Option<i64>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Create a data folder under a policy profile.
    Init {
        /// A built-in profile (cleveland-opcc, northamptonshire-opfcc) or a path to a profile TOML file.
        #[arg(long)]
        profile: String,
        /// The first administrator's name.
        #[arg(long, default_value = "Administrator")]
        admin_name: String,
    },
    /// Check a profile file without creating anything.
    CheckProfile {
        /// The profile TOML file.
        path: String,
    },
    /// Print the API's OpenAPI 3.1 document (as served at /api/openapi.json).
    Openapi,
    /// Serve the staff pages and the JSON API, and run the scheduled jobs, the mail poll
    /// and the outbound email while it serves.
    Serve {
        /// The address to listen on (such as 127.0.0.1:8080); tact.toml's otherwise.
        #[arg(long, env = "TACT_LISTEN")]
        listen: Option<String>,
        /// Start with a demo office (creates the data folder if it does not exist).
        #[arg(long)]
        demo: bool,
        /// With --demo on a new folder: which profile.
        #[arg(long, default_value = "cleveland-opcc")]
        profile: String,
    },
    /// Apply database migrations.
    Migrate,
    /// A consistent copy of the database while Tact goes on serving (SQLite: a copy of the
    /// file; PostgreSQL: pg_dump's custom format), checked once made.
    Backup {
        /// Where to write it; never overwritten.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Bring a backup back in place of the database. Stop Tact first.
    Restore {
        /// The backup to restore, checked first.
        #[arg(long)]
        from: std::path::PathBuf,
        /// Replace the database that is there now.
        #[arg(long)]
        force: bool,
    },
    /// Fill an initialised data folder with a demo office.
    Demo {
        /// How many people the demo office holds.
        #[arg(long, default_value_t = 300)]
        people: usize,
    },
    /// The event log.
    Audit {
        #[command(subcommand)]
        command: AuditCmd,
    },
    /// Staff accounts and API tokens.
    Staff {
        #[command(subcommand)]
        command: StaffCmd,
    },
    /// May this caller or sender be dealt with, and how?
    Check(CheckArgs),
    /// Service users.
    Person {
        #[command(subcommand)]
        command: PersonCmd,
    },
    /// Complaints, cases, queries and requests.
    Matter {
        #[command(subcommand)]
        command: MatterCmd,
    },
    /// Calls, emails, letters and visits.
    Contact {
        #[command(subcommand)]
        command: ContactCmd,
    },
    /// Record unacceptable or unreasonable behaviour, or an ended call.
    Incident(IncidentArgs),
    /// Warn a person: what is wrong, how to change, what follows.
    Warning(WarningArgs),
    /// Letters: write one about a plan, a warning, an adjustment or an ended call; list and
    /// read them; save one as PDF, Word, Braille or audio; change one held for checking,
    /// release it, mark it posted.
    Letter {
        #[command(subcommand)]
        command: LetterCmd,
    },
    /// Contact strategies / communication plans.
    Plan {
        #[command(subcommand)]
        command: PlanCmd,
    },
    /// Decide a dispute about a plan.
    Dispute {
        #[command(subcommand)]
        command: DisputeCmd,
    },
    /// Reasonable adjustments.
    Adjustment {
        #[command(subcommand)]
        command: AdjustmentCmd,
    },
    /// Record a police referral, legal advice or legal action.
    FurtherAction(FurtherArgs),
    /// Inbound correspondence.
    Mail {
        #[command(subcommand)]
        command: MailCmd,
    },
    /// Retention and disposal (NOR-9.1): the dry run, the disposal, legal holds, the register.
    Retention {
        #[command(subcommand)]
        command: RetentionCmd,
    },
    /// Bring in records from the office's earlier systems, from CSV or a spreadsheet
    /// (an administrator, `--as`). A dry run unless --commit: every problem is listed with
    /// its row, column and reason, and nothing is written; with --commit, all of the file
    /// is written or none of it. Importing the same file again changes nothing.
    Import(ImportArgs),
    /// Take records out: everything held about one person for a subject access request, as
    /// files in a folder (the DPO), or every record of a kind as CSV for the office's own
    /// reporting.
    Export {
        #[command(subcommand)]
        command: ExportCmd,
    },
    /// The scheduled jobs: review reminders, end dates, overdue screening. `tact serve`
    /// runs them by itself; this is for cron.
    Jobs {
        #[command(subcommand)]
        command: JobsCmd,
    },
    /// Sharing details with partners, with the DPO's approval (CLE-9.15; a local rule on
    /// Northamptonshire).
    Share {
        #[command(subcommand)]
        command: ShareCmd,
    },
    /// Data-rights requests (UK GDPR): recorded, sent to the DPO, answered on time.
    Rights {
        #[command(subcommand)]
        command: RightsCmd,
    },
    /// The governance report: warnings, plans, breaches, reviews and disputes in a period
    /// (this quarter unless --from and --to say), for the head of standards.
    Governance {
        /// The first day (YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        /// The last day (YYYY-MM-DD).
        #[arg(long)]
        to: Option<String>,
    },
    /// Equality monitoring (CLE-8.4; NOR-1.4): a person's answers, with their consent, and
    /// the report of counts.
    Equality {
        #[command(subcommand)]
        command: EqualityCmd,
    },
    /// My tasks.
    Task {
        #[command(subcommand)]
        command: TaskCmd,
    },
    /// Reviews due and overdue.
    Reviews {
        /// Those due on or before this date (YYYY-MM-DD); today otherwise (due and overdue).
        #[arg(long)]
        due_by: Option<String>,
    },
    /// Call any API endpoint in-process: `tact api POST /people --json '{...}'`.
    Api {
        /// GET, POST, PUT or DELETE.
        method: String,
        /// The path under /api/v1, such as /people/12.
        path: String,
        /// The request body: JSON, literal or @file.
        #[arg(long)]
        json: Option<String>,
        /// Save the answer in this file (not one already there): for an answer that is a
        /// file, such as /letters/{id}/pdf.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Check the hash chain, and the checkpoints kept outside the database: detects altered,
    /// inserted or removed entries, the newest ones included.
    Verify {
        /// Also compare every contact, plan and adjustment with the state the event log
        /// last recorded of it, and name each one that differs.
        #[arg(long)]
        deep: bool,
    },
    /// Once after upgrading: cover the contacts, plans and adjustments written before the
    /// event log recorded their state, so `verify --deep` can check them from now on.
    Baseline,
    /// Keep a signed checkpoint of the log's newest entry in the data folder (`tact serve`
    /// keeps one a minute while the log grows).
    Checkpoint,
    /// Seal on the event log the contacts logged since the last seal (`tact serve` seals
    /// them every second; commands that log contacts seal before they end).
    Seal,
}

#[derive(Subcommand)]
pub enum StaffCmd {
    /// Add a member of staff (and, at the server console, print a first API token for them).
    ///
    /// At the server console (no --as), as the operator setting the office up, it also
    /// prints a first API token for them. An administrator adding them (--as) gives them
    /// none: they make their own once signed in (`staff password` gives them a sign-in).
    Add {
        /// Their name, as colleagues and letters show it.
        #[arg(long)]
        name: String,
        /// caseworker, line-manager, senior-manager, customer-service-manager, dpo,
        /// auditor or admin.
        #[arg(long)]
        role: String,
        /// Their work email address (single sign-on matches it).
        #[arg(long)]
        email: Option<String>,
        /// Their line manager's staff id.
        #[arg(long)]
        line_manager: Option<i64>,
    },
    /// Everyone on the staff list, with their role and whether they are active.
    List,
    /// Change a member of staff's role or line manager, or disable or enable them (an
    /// administrator). What is not given stays as it is. (`staff set`, the first release's
    /// word, is the same command.)
    #[command(alias = "set")]
    Change {
        /// The member of staff.
        id: i64,
        /// Their new role.
        #[arg(long, value_parser = words::<tact_core::roles::Role>())]
        role: Option<String>,
        /// Their line manager's staff id.
        #[arg(long, conflicts_with = "no_line_manager")]
        line_manager: Option<i64>,
        /// Take their line manager away (follow-ups then go to every line manager).
        #[arg(long)]
        no_line_manager: bool,
        /// Disable them: they can no longer sign in or use their tokens.
        #[arg(long, conflicts_with = "enable")]
        disable: bool,
        /// Enable them again.
        #[arg(long)]
        enable: bool,
        /// The first release's way to say --disable (false) or --enable (true).
        #[arg(long, hide = true, conflicts_with_all = ["disable", "enable"])]
        active: Option<bool>,
    },
    /// Give a member of staff a telephone extension (where a phone system puts through the
    /// calls of people whose single point of contact they are), or take it away (--clear).
    Extension {
        /// The member of staff.
        id: i64,
        /// 2 to 8 digits.
        #[arg(long, required_unless_present = "clear")]
        number: Option<String>,
        /// Take their extension away.
        #[arg(long, conflicts_with = "number")]
        clear: bool,
    },
    /// Mint an API token for a service account (an administrator's), or for yourself.
    Token {
        /// The member of staff or service account it is for.
        id: i64,
        /// What it is for.
        #[arg(long, alias = "label", default_value = "cli")]
        name: String,
        /// How many days it lasts (1 to 365; 90 unless given).
        #[arg(long)]
        days: Option<u32>,
    },
    /// Add a service account for a system: it acts under its own name and may do only what
    /// its scope says (contact-check, log-contact).
    Service {
        /// The system's name, as the event log shows it (such as "Phone system").
        #[arg(long)]
        name: String,
        /// contact-check or log-contact.
        #[arg(long)]
        scope: String,
    },
    /// API tokens: yours, another's (--staff ID) or everyone's (--staff all), never their
    /// secrets.
    Tokens {
        /// A member of staff's id, or "all".
        #[arg(long)]
        staff: Option<String>,
    },
    /// Revoke an API token by its id: yours, or anyone's for an administrator.
    Revoke {
        /// The token's id (as `tokens` lists it).
        token: i64,
    },
    /// Set a member of staff's username and password for the web UI (the password is read from standard input).
    Password {
        /// The member of staff.
        id: i64,
        /// The username they sign in with.
        #[arg(long)]
        username: String,
    },
    /// Remove a member of staff's authenticator app and recovery codes, for someone who has
    /// lost both; their sessions end, and they set up another at their next sign-in where
    /// the office requires one.
    RemoveSecondFactor {
        /// The member of staff.
        id: i64,
    },
}

#[derive(Args)]
pub struct CheckArgs {
    /// The caller's number, in any common form.
    #[arg(long)]
    pub phone: Option<String>,
    /// The sender's address.
    #[arg(long)]
    pub email: Option<String>,
    /// The channel; from --phone or --email otherwise.
    #[arg(long, value_parser = words::<tact_core::profile::Channel>())]
    pub channel: Option<String>,
    /// The member of staff taking the contact (for a single point of contact).
    #[arg(long)]
    pub staff: Option<i64>,
    /// When (RFC 3339, such as 2026-12-03T10:00:00Z); now otherwise.
    #[arg(long)]
    pub at: Option<String>,
    /// The matter the contact is about: one of the caller's (CLE-10.4). It says who is
    /// calling where the number does not (withheld, nobody's, shared).
    #[arg(long)]
    pub matter: Option<i64>,
    /// The person calling (their id), where staff know who it is and the number does not
    /// say.
    #[arg(long)]
    pub person: Option<i64>,
}

/// Someone who speaks or writes for the person (CLE-9.9: a plan can require contact
/// through them): their number and address are matched to the person.
#[derive(Args)]
pub struct AdvocateArgs {
    /// The name of someone who speaks or writes for them (an advocate).
    #[arg(id = "advocate", long = "advocate", value_name = "NAME")]
    pub name: Option<String>,
    /// The advocate's organisation.
    #[arg(
        id = "advocate_organisation",
        long = "advocate-organisation",
        value_name = "ORGANISATION",
        requires = "advocate"
    )]
    pub organisation: Option<String>,
    /// The advocate's phone number.
    #[arg(
        id = "advocate_phone",
        long = "advocate-phone",
        value_name = "PHONE",
        requires = "advocate"
    )]
    pub phone: Option<String>,
    /// The advocate's email address.
    #[arg(
        id = "advocate_email",
        long = "advocate-email",
        value_name = "EMAIL",
        requires = "advocate"
    )]
    pub email: Option<String>,
}

impl AdvocateArgs {
    /// The advocate as the API takes them, where one is named.
    pub fn request(self) -> Option<tact_web::wire::AdvocateReq> {
        Some(tact_web::wire::AdvocateReq {
            name: self.name?,
            organisation: self.organisation,
            phone: self.phone,
            email: self.email,
        })
    }
}

#[derive(Subcommand)]
pub enum PersonCmd {
    /// Add a service user.
    Add {
        /// Their name.
        #[arg(long)]
        name: String,
        /// A phone number; repeat for more.
        #[arg(long)]
        phone: Vec<String>,
        /// An email address; repeat for more.
        #[arg(long)]
        email: Vec<String>,
        /// Their postal address.
        #[arg(long)]
        address: Option<String>,
        /// The format they need letters in.
        #[arg(long, value_parser = words::<tact_core::model::Format>())]
        format: Option<String>,
        /// The language they prefer.
        #[arg(long)]
        language: Option<String>,
        /// Keep phone numbers not recognised as numbers in use (marked unverified).
        #[arg(long)]
        keep_unverified: bool,
        /// A number or address (as given) shared with someone else; repeat for more.
        #[arg(long)]
        shared: Vec<String>,
        #[command(flatten)]
        advocate: AdvocateArgs,
    },
    /// Change some of a person's details; the rest stay as they are. A list given (--phone,
    /// --email, --shared) is the whole list.
    Edit {
        /// The person.
        id: i64,
        /// Their name.
        #[arg(long)]
        name: Option<String>,
        /// A phone number they are to have; repeat for more (the numbers not given are taken off).
        #[arg(long, conflicts_with = "no_phones")]
        phone: Vec<String>,
        /// Take every phone number off.
        #[arg(long)]
        no_phones: bool,
        /// An email address they are to have; repeat for more (the addresses not given are
        /// taken off).
        #[arg(long, conflicts_with = "no_emails")]
        email: Vec<String>,
        /// Take every email address off.
        #[arg(long)]
        no_emails: bool,
        /// Their postal address.
        #[arg(long, conflicts_with = "no_address")]
        address: Option<String>,
        /// Take the postal address off.
        #[arg(long)]
        no_address: bool,
        /// The format they need letters in.
        #[arg(long, value_parser = words::<tact_core::model::Format>())]
        format: Option<String>,
        /// The language they prefer.
        #[arg(long, conflicts_with = "no_language")]
        language: Option<String>,
        /// Take the preferred language off.
        #[arg(long)]
        no_language: bool,
        /// Keep phone numbers not recognised as numbers in use (marked unverified).
        #[arg(long)]
        keep_unverified: bool,
        /// Every number or address (as given) shared with someone else; repeat for more. Left
        /// out, the marks on numbers and addresses they keep stay.
        #[arg(long)]
        shared: Vec<String>,
        /// Who speaks for them now, in place of any advocate before.
        #[command(flatten)]
        advocate: AdvocateArgs,
        /// Take the advocate off.
        #[arg(long, conflicts_with = "advocate")]
        no_advocate: bool,
    },
    /// Everything held about a person (opening it is on the access log).
    Show {
        /// The person.
        id: i64,
    },
    /// Search by name, reference (theirs, SU-000123, or a matter's, M-000123), phone number,
    /// email address or postcode.
    Find {
        /// What to look for.
        query: String,
    },
    /// Merge another record of the same person into this one (a line manager or above).
    Merge {
        /// The record kept.
        id: i64,
        /// The other record, merged into it.
        #[arg(long)]
        from: i64,
        /// Why they are the same person.
        #[arg(long, alias = "reasons")]
        reason: String,
    },
    /// Record whether they need additional help, in their own words (CLE-8.1, 8.2; NOR-1.3).
    AdditionalHelp {
        /// The person.
        id: i64,
        /// They need additional help (leave out for "no").
        #[arg(long)]
        needs_help: bool,
        /// What they need, in their own words.
        #[arg(long)]
        words: Option<String>,
    },
    /// Who has opened their restrictions, incidents or adjustments, and when, newest first.
    Access {
        /// The person.
        id: i64,
    },
}

#[derive(Subcommand)]
pub enum RightsCmd {
    /// Record a request a person made under data protection law (to see, correct or erase
    /// what is held, and the rest): the DPO is told, and it is due within a month.
    Receive {
        /// The person who asked.
        person: i64,
        /// What they asked for.
        #[arg(long, value_parser = words::<tact_core::rights::RightKind>())]
        kind: String,
        /// What they asked, in their words.
        #[arg(long)]
        details: String,
        /// How it came.
        #[arg(long, default_value = "letter", value_parser = words::<tact_core::profile::Channel>())]
        channel: String,
        /// The day it was received (YYYY-MM-DD); today if left out.
        #[arg(long)]
        received_on: Option<String>,
    },
    /// The open requests, with their deadlines (the DPO).
    Open,
    /// Answer a request: done, refused (with why; they may complain to the ICO), or more
    /// time (two more months, once, said within the first month).
    Answer {
        /// The request.
        id: i64,
        /// The answer.
        #[arg(long, value_parser = words::<tact_core::rights::RightsAnswer>())]
        decision: String,
        /// What was done, why it is refused, or why more time is needed.
        #[arg(long)]
        text: String,
    },
}

#[derive(Subcommand)]
pub enum MatterCmd {
    /// Open a matter for a person.
    Open {
        /// The person it concerns.
        #[arg(long)]
        person: i64,
        /// What kind of matter it is.
        #[arg(long, value_parser = words::<tact_core::model::MatterKind>())]
        kind: String,
        /// A short title.
        #[arg(long)]
        title: String,
    },
    /// Change a matter's status (finalised: its records are kept from that date).
    Status {
        /// The matter.
        id: i64,
        /// Where it stands now.
        #[arg(long, value_parser = words::<tact_core::model::MatterStatus>())]
        status: String,
        /// The date it was finalised (YYYY-MM-DD): needed with finalised.
        #[arg(long)]
        finalised_on: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum ContactCmd {
    /// Log a call, email, letter or visit; the contact check judges it as it is logged.
    Log {
        /// How it came or went.
        #[arg(long, value_parser = words::<tact_core::profile::Channel>())]
        channel: String,
        /// The person, where known.
        #[arg(long)]
        person: Option<i64>,
        /// The matter it concerns.
        #[arg(long)]
        matter: Option<i64>,
        /// The number it came from.
        #[arg(long)]
        phone: Option<String>,
        /// The address it came from.
        #[arg(long)]
        email: Option<String>,
        /// What it was about, in a line.
        #[arg(long)]
        summary: String,
        /// What was said or written.
        #[arg(long, default_value = "")]
        body: String,
        /// Which way it went: inbound unless said.
        #[arg(long, value_parser = words::<tact_core::model::Direction>())]
        direction: Option<String>,
        /// When (RFC 3339); now otherwise.
        #[arg(long)]
        at: Option<String>,
        /// It raises a new complaint.
        #[arg(long)]
        complaint: bool,
        /// How long the call lasted, in minutes.
        #[arg(long)]
        minutes: Option<u32>,
        /// An idempotency key: logging twice under one key writes once.
        #[arg(long)]
        key: Option<String>,
    },
    /// Record what screening a contact found (CLE-9.10; NOR-5.5).
    Screen {
        /// The contact.
        id: i64,
        /// What the contact raised.
        #[arg(long, value_parser = words::<tact_core::model::Finding>())]
        finding: String,
        /// What the contact raised; needed for anything but nothing-new.
        #[arg(long)]
        note: Option<String>,
    },
    /// The contacts waiting to be screened.
    Queue,
}

#[derive(Args)]
pub struct IncidentArgs {
    /// The person.
    #[arg(long)]
    pub person: i64,
    /// The kind of behaviour, by its id in the profile's categories (`tact api GET /profile`,
    /// under `categories`).
    #[arg(long)]
    pub category: String,
    /// What happened.
    #[arg(long)]
    pub description: String,
    /// The matter it happened in.
    #[arg(long)]
    pub matter: Option<i64>,
    /// The member of staff it happened to; you otherwise.
    #[arg(long)]
    pub staff: Option<i64>,
    /// When (RFC 3339); now otherwise.
    #[arg(long)]
    pub at: Option<String>,
    /// The call was ended: why.
    #[arg(long)]
    pub ended_reason: Option<String>,
    /// The file note of the ended call.
    #[arg(long)]
    pub file_note: Option<String>,
    /// They were warned before the call was ended.
    #[arg(long)]
    pub caller_warned: bool,
}

#[derive(Args)]
pub struct WarningArgs {
    /// The person.
    #[arg(long)]
    pub person: i64,
    /// What is wrong with their behaviour.
    #[arg(long)]
    pub what: String,
    /// How to change it.
    #[arg(long)]
    pub how: String,
    /// What happens if they do not.
    #[arg(long)]
    pub consequence: String,
    /// How it was given.
    #[arg(long, default_value = "letter", value_parser = words::<tact_core::profile::Channel>())]
    pub channel: String,
    /// An incident it answers; repeat for more.
    #[arg(long)]
    pub incident: Vec<i64>,
}

#[derive(Subcommand)]
pub enum PlanCmd {
    /// Draft a plan from JSON (as POST /people/{id}/plans), literal or @file.
    Draft {
        /// The person it is for.
        #[arg(long)]
        person: i64,
        /// The plan: JSON, literal or @file. Its fields are `PlanReq` in `tact openapi`, and each
        /// kind of restriction's are `RuleOut` there; the kinds this policy provides for are
        /// `tact api GET /profile`'s `restrictions`.
        #[arg(long)]
        json: String,
    },
    /// A plan, with its restrictions, checklist and history.
    Show {
        /// The plan.
        id: i64,
    },
    /// Answer checklist questions: --answer "question-id=yes:reason" (repeatable).
    Checklist {
        /// The plan.
        id: i64,
        /// "question-id=yes:reason" (yes, no or not-applicable); repeat for more. The
        /// questions and their ids are the profile's (`tact api GET /profile`, under
        /// `checklist`); proposing names any left unanswered.
        #[arg(long)]
        answer: Vec<String>,
        /// For a shortfall: "question-id=why it cannot be put right".
        #[arg(long)]
        cannot_remedy: Vec<String>,
    },
    /// Propose it for a senior manager's decision.
    Propose {
        /// The plan.
        id: i64,
    },
    /// Authorise its restrictions (a senior manager), with reasons.
    Authorise {
        /// The plan.
        id: i64,
        /// Why.
        #[arg(long, alias = "reasons")]
        reason: String,
        /// "ADJUSTMENT-ID:reason"
        #[arg(long = "override")]
        overrides: Vec<String>,
    },
    /// Refuse it (a senior manager), with reasons.
    Refuse {
        /// The plan.
        id: i64,
        /// Why.
        #[arg(long, alias = "reasons")]
        reason: String,
    },
    /// Withdraw a draft or a proposal.
    Withdraw {
        /// The plan.
        id: i64,
        /// Why.
        #[arg(long, alias = "reasons")]
        reason: String,
    },
    /// Record that they were told in writing (it bites from then where the profile says).
    Notice {
        /// The plan.
        id: i64,
        /// How it went, in writing: letter, email or web-form.
        #[arg(long, default_value = "letter")]
        channel: String,
        /// The format it went in; left out, the one they asked for.
        #[arg(long, value_parser = words::<tact_core::model::Format>())]
        format: Option<String>,
        /// Why it went in a format other than the one they asked for.
        #[arg(long)]
        format_reason: Option<String>,
        /// Their agreement to the plan was asked for.
        #[arg(long)]
        agreement_sought: bool,
        /// Whether they agreed (true or false), where it was asked.
        #[arg(long)]
        agreement_given: Option<bool>,
        /// The policy went with it.
        #[arg(long)]
        policy_enclosed: bool,
    },
    /// Record a review: continue or lift, with reasons.
    Review {
        /// The plan.
        id: i64,
        /// continue or lift (to vary it, `tact plan vary`).
        #[arg(long)]
        decision: String,
        /// Why.
        #[arg(long, alias = "reason")]
        reasons: String,
        /// Their conduct since the last review.
        #[arg(long)]
        conduct: String,
        /// The next review (YYYY-MM-DD), when it continues.
        #[arg(long)]
        next_review: Option<String>,
    },
    /// Vary from JSON (as POST /plans/{id}/vary).
    Vary {
        /// The plan.
        id: i64,
        /// The variation: JSON, literal or @file.
        #[arg(long)]
        json: String,
    },
    /// Lift it: its restrictions stop.
    Lift {
        /// The plan.
        id: i64,
        /// Why.
        #[arg(long, alias = "reasons")]
        reason: String,
    },
    /// Apply it to another of their matters, through the plan's own gates.
    Apply {
        /// The plan.
        id: i64,
        /// The matter.
        #[arg(long)]
        matter: i64,
        /// Why.
        #[arg(long, alias = "reasons")]
        reason: String,
    },
    /// Authorise or refuse a request to apply a plan to another matter (NOR-6.2).
    DecideMatter {
        /// The plan.
        id: i64,
        /// The matter it was asked to cover.
        #[arg(long)]
        matter: i64,
        /// Refuse the request instead of authorising it.
        #[arg(long)]
        refuse: bool,
        /// Why.
        #[arg(long, alias = "reasons")]
        reason: String,
    },
    /// Record that they dispute the plan (NOR-7.1), with their grounds.
    Dispute {
        /// The plan.
        id: i64,
        /// What they say is wrong with it.
        #[arg(long)]
        grounds: String,
    },
}

#[derive(Subcommand)]
pub enum DisputeCmd {
    /// Decide it: someone who took no part in the plan (NOR-7.1).
    Decide {
        /// The dispute.
        id: i64,
        /// upheld, varied or lifted.
        #[arg(long)]
        outcome: String,
        /// Why.
        #[arg(long, alias = "reason")]
        reasons: String,
        /// For "varied": the variation JSON, literal or @file.
        #[arg(long)]
        variation: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum AdjustmentCmd {
    /// Record a request for a reasonable adjustment.
    Request {
        /// The person.
        #[arg(long)]
        person: i64,
        /// needs-channel:<channel>, extra-time, format:<format>, support-person or other.
        #[arg(long)]
        kind: String,
        /// What they asked for.
        #[arg(long)]
        description: String,
    },
    /// Grant or refuse it, with reasons (the profile's deciding role).
    Decide {
        /// The adjustment.
        id: i64,
        /// Grant it (leave out to refuse).
        #[arg(long)]
        grant: bool,
        /// Why.
        #[arg(long, alias = "reason")]
        reasons: String,
    },
}

#[derive(Args)]
pub struct FurtherArgs {
    /// The person.
    #[arg(long)]
    pub person: i64,
    /// police-referral, legal-advice or legal-action.
    #[arg(long)]
    pub kind: String,
    /// Why.
    #[arg(long, alias = "reason")]
    pub reasons: String,
    /// They were told beforehand.
    #[arg(long)]
    pub prior_notice: bool,
    /// Without --prior-notice: why they were not told.
    #[arg(long)]
    pub no_notice_reason: Option<String>,
}

#[derive(Subcommand)]
pub enum TaskCmd {
    /// Your open tasks, soonest due first.
    List,
    /// Close a task with what was done.
    Done {
        /// The task.
        id: i64,
        /// What was done.
        #[arg(long)]
        outcome: String,
    },
    /// Send the reminder a breach calls for (CLE-9.11; NOR-5.8) and close its task.
    Remind {
        /// The breach's task.
        id: i64,
        /// How it goes: by email or letter it is written; by phone or in person, recorded.
        #[arg(long, default_value = "letter", value_parser = words::<tact_core::profile::Channel>())]
        channel: String,
        /// What follows if it happens again.
        #[arg(long)]
        consequences: String,
        /// Why the reminder is sent.
        #[arg(long, alias = "reason")]
        reasons: String,
    },
}

#[derive(Subcommand)]
pub enum RetentionCmd {
    /// The dry run: whose records are due for disposal today (nothing is destroyed).
    Due,
    /// Destroy the records that are due, as `due` lists them; needs --confirm.
    Dispose {
        /// Yes, destroy them.
        #[arg(long)]
        confirm: bool,
    },
    /// Keep a person's records past their disposal date until the hold is lifted.
    Hold {
        /// The person.
        person: i64,
        /// Why they are held.
        #[arg(long, alias = "reasons")]
        reason: String,
    },
    /// Every legal hold in place: whose records are kept, why, and since when.
    Holds,
    /// Where a person's records stand: the day they fall due for disposal, or why they are
    /// kept.
    Status {
        /// The person.
        person: i64,
    },
    /// The legal hold in place on a person's records, if any.
    Held {
        /// The person.
        person: i64,
    },
    /// Lift a legal hold.
    Lift {
        /// The hold.
        hold: i64,
    },
    /// What was destroyed, and when (without the data); the DPO (`--as`).
    Register,
}

#[derive(Subcommand)]
pub enum EqualityCmd {
    /// Record a person's answers, in place of any before. Ask only if they agree.
    Record {
        /// The person.
        person: i64,
        /// They agree to answer, and to their answers being kept.
        #[arg(long)]
        consent: bool,
        /// One answer: QUESTION=ANSWER (`age=35-44`); again for each question answered.
        #[arg(long = "answer", value_name = "QUESTION=ANSWER")]
        answers: Vec<String>,
    },
    /// Delete a person's answers: they withdrew their consent.
    Withdraw {
        /// The person.
        person: i64,
    },
    /// Whether a person has answers on record (never what they are).
    Held {
        /// The person.
        person: i64,
    },
    /// The report: every answer's counts, small ones withheld.
    Report,
}

#[derive(Subcommand)]
pub enum ExportCmd {
    /// Every record of a kind as CSV for the office's own reporting: people, matters,
    /// contacts, plans or incidents (`export_records` in the profile; on the access log).
    Records {
        /// Which records.
        #[arg(long, value_parser = words::<tact_app::export::ExportKind>())]
        kind: String,
        /// The file to write (never overwritten); standard output without it.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Everything held about a person: index.html, record.json, letters and messages.
    Person {
        /// The person.
        id: i64,
        /// The folder to write the bundle into (made if missing; must be empty).
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
pub enum JobsCmd {
    /// Run today's jobs that have not run yet (on any server).
    Run {
        /// Only this job: reviews, end-dates or screening.
        #[arg(long)]
        job: Option<String>,
    },
    /// The latest runs: which job, for which day, and what it did.
    List,
}

#[derive(Subcommand)]
pub enum MailCmd {
    /// Take in messages from a .eml file, an mbox file or a Maildir folder: each is matched
    /// to its sender, threaded onto its matter, judged by the contact check and kept once.
    Import {
        /// The file or folder.
        path: std::path::PathBuf,
        /// The mailbox they arrived in.
        #[arg(long, default_value = "import")]
        mailbox: String,
    },
    /// Poll every IMAP mailbox in tact.toml once (for cron; `tact serve` polls by itself).
    Poll,
    /// Send the queued emails that are due, through the [smtp] relay in tact.toml.
    Send,
    /// The kept messages that went one way, newest first (quarantine unless --route says).
    List {
        /// Where they went: the inbox, breaches, screening, unknown senders or quarantine.
        #[arg(long, value_parser = words::<tact_core::correspondence::Route>())]
        route: Option<String>,
    },
    /// One kept message: who sent it, where it went, its words, its attachments (numbered
    /// from 0).
    Show {
        /// The message.
        id: i64,
    },
    /// A kept message as it was received, saved as an .eml file.
    Raw {
        /// The message.
        id: i64,
        /// The file to save it as (not one already there).
        #[arg(long)]
        out: PathBuf,
    },
    /// One of a message's attachments, saved as a file.
    Attachment {
        /// The message.
        id: i64,
        /// The attachment's number, from 0, as `tact mail show` lists them.
        n: usize,
        /// The file to save it as (not one already there).
        #[arg(long)]
        out: PathBuf,
    },
    /// File a message from an unknown sender under the person it is from.
    Match {
        /// The message.
        id: i64,
        /// The person it is from.
        #[arg(long)]
        person: i64,
        /// Keep the sender's address on their record, so their next email is matched by
        /// itself.
        #[arg(long)]
        keep_address: bool,
    },
    /// Mark a received letter or email as threatening or abusive (CLE-4.6; NOR-3.2): the
    /// behaviour is recorded against it and a manager is asked to create a plan.
    Threatening {
        /// The message.
        id: i64,
        /// One of the profile's categories (`tact api GET /profile` lists them).
        #[arg(long)]
        category: String,
        /// What in it is threatening or abusive.
        #[arg(long)]
        description: String,
    },
}

#[derive(Subcommand)]
pub enum LetterCmd {
    /// Write a letter about one record, from the profile's template and the record. Email
    /// is queued and post goes to the print queue, unless --hold keeps it to be checked.
    #[command(group = clap::ArgGroup::new("about").required(true).args(["plan", "warning", "adjustment", "ended_call"]))]
    Write {
        /// A letter about this plan (--kind says which).
        #[arg(long)]
        plan: Option<i64>,
        /// The letter that gives this warning.
        #[arg(long)]
        warning: Option<i64>,
        /// The answer to this request for an adjustment.
        #[arg(long)]
        adjustment: Option<i64>,
        /// The letter after an ended call: the incident that records it.
        #[arg(long)]
        ended_call: Option<i64>,
        /// Which letter about a plan.
        #[arg(long, value_parser = words::<tact_core::correspondence::PlanLetter>())]
        kind: Option<String>,
        /// How it goes; left out, by email where they have an address (and their plan does not
        /// allow only letters), by post otherwise.
        #[arg(long, value_parser = ["email", "letter"])]
        channel: Option<String>,
        /// Its format; left out, the one they asked for.
        #[arg(long, value_parser = words::<tact_core::model::Format>())]
        format: Option<String>,
        /// Hold it, so its wording can be checked or changed before it goes.
        #[arg(long)]
        hold: bool,
    },
    /// A person's letters, newest first.
    List {
        /// The person.
        person: i64,
    },
    /// The office's letters to print and post, oldest first (or, with --status failed, the
    /// emails that could not be sent).
    Queue {
        /// to-print (left out) or failed.
        #[arg(long, value_parser = words::<tact_core::correspondence::LetterStatus>())]
        status: Option<String>,
    },
    /// One letter: to whom, how it goes, where it is, and its words.
    Show {
        /// The letter.
        id: i64,
    },
    /// A letter as it goes out: text or HTML is printed, or saved with --out; PDF, Word,
    /// Braille and audio are files, saved with --out.
    Get {
        /// The letter.
        id: i64,
        /// What to get it as.
        #[arg(default_value = "text", value_parser = ["text", "html", "pdf", "docx", "braille", "audio"])]
        form: String,
        /// The file to save it as (not one already there).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Change the words of a letter held for checking.
    Change {
        /// The letter.
        id: i64,
        /// The new wording, or @file to read it from a file.
        #[arg(long)]
        text: String,
        /// A new heading; left out, the heading stays.
        #[arg(long)]
        subject: Option<String>,
    },
    /// Release a held letter: email is queued, post goes to the print queue.
    Release {
        /// The letter.
        id: i64,
    },
    /// Mark a letter printed and posted: it leaves the print queue.
    Printed {
        /// The letter.
        id: i64,
    },
}

#[derive(Subcommand)]
pub enum ShareCmd {
    /// Ask to share a person's details with a partner.
    Request {
        /// The person.
        #[arg(long)]
        person: i64,
        /// Who it would go to.
        #[arg(long)]
        partner: String,
        /// Why it should be shared.
        #[arg(long, alias = "reasons")]
        reason: String,
        /// What would be shared.
        #[arg(long)]
        details: String,
    },
    /// The DPO's decision.
    Decide {
        /// The request.
        id: i64,
        /// Approve it (leave out to refuse).
        #[arg(long)]
        approve: bool,
        /// Why.
        #[arg(long, alias = "reasons")]
        reason: String,
    },
    /// Record what was shared.
    Shared {
        /// The request.
        id: i64,
        /// Exactly what went to the partner.
        #[arg(long)]
        what: String,
    },
    /// The disclosure log.
    Log,
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }

    /// Every command and every argument says in `--help` what it is for: the office's IT
    /// staff learn the CLI from it, and a blank line there told them nothing.
    #[test]
    fn every_command_and_argument_has_help() {
        use clap::CommandFactory;
        fn walk(c: &clap::Command, at: &str, missing: &mut Vec<String>) {
            for a in c.get_arguments() {
                let id = a.get_id().as_str();
                if !["help", "version"].contains(&id) && a.get_help().is_none() {
                    missing.push(format!("{at} {id}"));
                }
            }
            for sub in c.get_subcommands() {
                let here = format!("{at} {}", sub.get_name());
                if sub.get_name() != "help" && sub.get_about().is_none() {
                    missing.push(here.clone());
                }
                walk(sub, &here, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&super::Cli::command(), "tact", &mut missing);
        assert!(missing.is_empty(), "no help for: {missing:#?}");
    }

    /// Some steps take `--reason` and some `--reasons`, as the API's fields are named; an
    /// operator who types the other one is understood, not refused, wherever either is
    /// taken.
    #[test]
    fn reason_and_reasons_are_each_taken_for_the_other() {
        use clap::{CommandFactory, Parser};
        let parses = |args: &[&str]| super::Cli::try_parse_from(args).map(|_| ());
        for word in ["--reason", "--reasons"] {
            let authorise = ["tact", "plan", "authorise", "3", word, "Proportionate"];
            let review = [
                "tact",
                "plan",
                "review",
                "3",
                "--decision",
                "lift",
                word,
                "Calm",
                "--conduct",
                "Civil",
            ];
            for args in [authorise.as_slice(), review.as_slice()] {
                assert!(parses(args).is_ok(), "{args:?}: {:?}", parses(args));
            }
        }
        // Every argument named either takes the other too.
        fn walk(c: &clap::Command, at: &str, missing: &mut Vec<String>) {
            for a in c.get_arguments() {
                let (id, other) = match a.get_long() {
                    Some("reason") => (a.get_id().as_str(), "reasons"),
                    Some("reasons") => (a.get_id().as_str(), "reason"),
                    _ => continue,
                };
                if !a.get_all_aliases().unwrap_or_default().contains(&other) {
                    missing.push(format!("{at} --{id}"));
                }
            }
            for sub in c.get_subcommands() {
                walk(sub, &format!("{at} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&super::Cli::command(), "tact", &mut missing);
        assert!(missing.is_empty(), "no alias: {missing:#?}");
    }
}

#[derive(Args)]
pub struct ImportArgs {
    /// The file: .csv (UTF-8), .xlsx, .xls or .ods.
    #[arg(required_unless_present = "template")]
    pub file: Option<std::path::PathBuf>,
    /// What the file holds: people, matters, plans, contacts, incidents or adjustments
    /// (import people first: the others name them).
    #[arg(long, required_unless_present = "template")]
    pub kind: Option<String>,
    /// The system the records come from (such as crm); rows are keyed by it and their id,
    /// so use the same name every time for the same system.
    #[arg(long, required_unless_present = "template")]
    pub source: Option<String>,
    /// In a spreadsheet, the sheet to read (the first otherwise).
    #[arg(long)]
    pub sheet: Option<String>,
    /// A column with another heading: field=Heading (repeatable), such as phones=Telephone.
    #[arg(long = "map", value_name = "FIELD=HEADING")]
    pub map: Vec<String>,
    /// Write the records (without it, a dry run that writes nothing).
    #[arg(long)]
    pub commit: bool,
    /// Keep telephone numbers libphonenumber cannot confirm, marked unverified (as the
    /// person form can), instead of refusing their rows.
    #[arg(long)]
    pub keep_unverified: bool,
    /// Write a template for KIND instead: KIND-template.csv and KIND-template.md (notes on
    /// every column) in --out.
    #[arg(long, value_name = "KIND", conflicts_with_all = ["file", "commit"])]
    pub template: Option<String>,
    /// With --template: the folder to write it in.
    #[arg(long, default_value = ".")]
    pub out: std::path::PathBuf,
}
