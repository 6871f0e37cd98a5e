//! The command line. Workflow commands act as one member of staff (`--as ID` or
//! `TACT_AS`) and run through the same in-process router as the API, so the CLI is held
//! to the same roles and rules.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

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
    CheckProfile { path: String },
    /// Print the API's OpenAPI 3.1 document (as served at /api/openapi.json).
    Openapi,
    /// Serve the JSON API.
    Serve {
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
    /// Subject access: everything held about one person, as files in a folder (the DPO).
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
    /// Sharing details with partners, with the DPO's approval (CLE-9.15).
    Share {
        #[command(subcommand)]
        command: ShareCmd,
    },
    /// My tasks.
    Task {
        #[command(subcommand)]
        command: TaskCmd,
    },
    /// Reviews due and overdue.
    Reviews {
        #[arg(long)]
        due_by: Option<String>,
    },
    /// Call any API endpoint in-process: `tact api POST /people --json '{...}'`.
    Api {
        method: String,
        path: String,
        #[arg(long)]
        json: Option<String>,
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
    /// Add a member of staff and print a new API token for them.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        line_manager: Option<i64>,
    },
    List,
    /// Give a member of staff a telephone extension (where a phone system puts through the
    /// calls of people whose single point of contact they are), or take it away (--clear).
    Extension {
        id: i64,
        /// 2 to 8 digits.
        #[arg(long, required_unless_present = "clear")]
        number: Option<String>,
        #[arg(long, conflicts_with = "number")]
        clear: bool,
    },
    /// Mint an API token for a service account (an administrator's), or for yourself.
    Token {
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
        #[arg(long)]
        name: String,
        #[arg(long)]
        scope: String,
    },
    /// API tokens: yours, another's (--staff ID) or everyone's (--staff all), never their
    /// secrets.
    Tokens {
        #[arg(long)]
        staff: Option<String>,
    },
    /// Revoke an API token by its id: yours, or anyone's for an administrator.
    Revoke {
        token: i64,
    },
    /// Set a member of staff's username and password for the web UI (the password is read from standard input).
    Password {
        id: i64,
        #[arg(long)]
        username: String,
    },
    /// Remove a member of staff's authenticator app and recovery codes, for someone who has
    /// lost both; their sessions end, and they set up another at their next sign-in where
    /// the office requires one.
    RemoveSecondFactor {
        id: i64,
    },
    /// Change role, active or line manager.
    Set {
        id: i64,
        #[arg(long)]
        role: Option<String>,
        #[arg(long)]
        active: Option<bool>,
        /// Their line manager's staff id.
        #[arg(long, conflicts_with = "no_line_manager")]
        line_manager: Option<i64>,
        /// Take their line manager away: follow-ups go to every line manager.
        #[arg(long)]
        no_line_manager: bool,
    },
}

#[derive(Args)]
pub struct CheckArgs {
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long)]
    pub channel: Option<String>,
    #[arg(long)]
    pub staff: Option<i64>,
    #[arg(long)]
    pub at: Option<String>,
    #[arg(long)]
    pub matter: Option<i64>,
}

#[derive(Subcommand)]
pub enum PersonCmd {
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        phone: Vec<String>,
        #[arg(long)]
        email: Vec<String>,
        #[arg(long)]
        address: Option<String>,
        #[arg(long)]
        format: Option<String>,
        #[arg(long)]
        language: Option<String>,
        /// Keep phone numbers not recognised as numbers in use (marked unverified).
        #[arg(long)]
        keep_unverified: bool,
        /// A number or address (as given) shared with someone else; repeat for more.
        #[arg(long)]
        shared: Vec<String>,
    },
    Show {
        id: i64,
    },
    Find {
        query: String,
    },
    /// Merge another record of the same person into this one (a line manager or above).
    Merge {
        /// The record kept.
        id: i64,
        /// The other record, merged into it.
        #[arg(long)]
        from: i64,
        #[arg(long)]
        reason: String,
    },
    /// CLE-8.1, 8.2: record whether they need additional help, in their own words.
    AdditionalHelp {
        id: i64,
        #[arg(long)]
        needs_help: bool,
        #[arg(long)]
        words: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum MatterCmd {
    Open {
        #[arg(long)]
        person: i64,
        #[arg(long)]
        kind: String,
        #[arg(long)]
        title: String,
    },
    Status {
        id: i64,
        #[arg(long)]
        status: String,
        #[arg(long)]
        finalised_on: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum ContactCmd {
    Log {
        #[arg(long)]
        channel: String,
        #[arg(long)]
        person: Option<i64>,
        #[arg(long)]
        matter: Option<i64>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        summary: String,
        #[arg(long, default_value = "")]
        body: String,
        #[arg(long)]
        direction: Option<String>,
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        complaint: bool,
        /// How long the call lasted, in minutes.
        #[arg(long)]
        minutes: Option<u32>,
        /// An idempotency key: logging twice under one key writes once.
        #[arg(long)]
        key: Option<String>,
    },
    Screen {
        id: i64,
        /// nothing-new, new-complaint, new-information, possible-crime or safeguarding.
        #[arg(long)]
        finding: String,
        /// What the contact raised; needed for anything but nothing-new.
        #[arg(long)]
        note: Option<String>,
    },
    Queue,
}

#[derive(Args)]
pub struct IncidentArgs {
    #[arg(long)]
    pub person: i64,
    #[arg(long)]
    pub category: String,
    #[arg(long)]
    pub description: String,
    #[arg(long)]
    pub matter: Option<i64>,
    #[arg(long)]
    pub staff: Option<i64>,
    #[arg(long)]
    pub at: Option<String>,
    /// The call was ended: why.
    #[arg(long)]
    pub ended_reason: Option<String>,
    #[arg(long)]
    pub file_note: Option<String>,
    #[arg(long)]
    pub caller_warned: bool,
}

#[derive(Args)]
pub struct WarningArgs {
    #[arg(long)]
    pub person: i64,
    #[arg(long)]
    pub what: String,
    #[arg(long)]
    pub how: String,
    #[arg(long)]
    pub consequence: String,
    #[arg(long, default_value = "letter")]
    pub channel: String,
    #[arg(long)]
    pub incident: Vec<i64>,
}

#[derive(Subcommand)]
pub enum PlanCmd {
    /// Draft a plan from JSON (as POST /people/{id}/plans), literal or @file.
    Draft {
        #[arg(long)]
        person: i64,
        #[arg(long)]
        json: String,
    },
    Show {
        id: i64,
    },
    /// Answer checklist questions: --answer "question-id=yes:reason" (repeatable).
    Checklist {
        id: i64,
        #[arg(long)]
        answer: Vec<String>,
        /// For a shortfall: "question-id=why it cannot be put right".
        #[arg(long)]
        cannot_remedy: Vec<String>,
    },
    Propose {
        id: i64,
    },
    Authorise {
        id: i64,
        #[arg(long)]
        reason: String,
        /// "ADJUSTMENT-ID:reason"
        #[arg(long = "override")]
        overrides: Vec<String>,
    },
    Refuse {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    Withdraw {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    Notice {
        id: i64,
        #[arg(long, default_value = "letter")]
        channel: String,
        /// The format it went in (standard, large-print, easy-read, braille, audio,
        /// email); left out, the one they asked for.
        #[arg(long)]
        format: Option<String>,
        /// Why it went in a format other than the one they asked for.
        #[arg(long)]
        format_reason: Option<String>,
        #[arg(long)]
        agreement_sought: bool,
        #[arg(long)]
        agreement_given: Option<bool>,
        #[arg(long)]
        policy_enclosed: bool,
    },
    Review {
        id: i64,
        #[arg(long)]
        decision: String,
        #[arg(long)]
        reasons: String,
        #[arg(long)]
        conduct: String,
        #[arg(long)]
        next_review: Option<String>,
    },
    /// Vary from JSON (as POST /plans/{id}/vary).
    Vary {
        id: i64,
        #[arg(long)]
        json: String,
    },
    Lift {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    Apply {
        id: i64,
        #[arg(long)]
        matter: i64,
        #[arg(long)]
        reason: String,
    },
    /// Authorise or refuse a request to apply a plan to another matter (NOR-6.2).
    DecideMatter {
        id: i64,
        #[arg(long)]
        matter: i64,
        /// Refuse the request instead of authorising it.
        #[arg(long)]
        refuse: bool,
        #[arg(long)]
        reason: String,
    },
    Dispute {
        id: i64,
        #[arg(long)]
        grounds: String,
    },
}

#[derive(Subcommand)]
pub enum DisputeCmd {
    Decide {
        id: i64,
        #[arg(long)]
        outcome: String,
        #[arg(long)]
        reasons: String,
        /// For "varied": the variation JSON, literal or @file.
        #[arg(long)]
        variation: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum AdjustmentCmd {
    Request {
        #[arg(long)]
        person: i64,
        #[arg(long)]
        kind: String,
        #[arg(long)]
        description: String,
    },
    Decide {
        id: i64,
        #[arg(long)]
        grant: bool,
        #[arg(long)]
        reasons: String,
    },
}

#[derive(Args)]
pub struct FurtherArgs {
    #[arg(long)]
    pub person: i64,
    #[arg(long)]
    pub kind: String,
    #[arg(long)]
    pub reasons: String,
    #[arg(long)]
    pub prior_notice: bool,
    #[arg(long)]
    pub no_notice_reason: Option<String>,
}

#[derive(Subcommand)]
pub enum TaskCmd {
    List,
    Done {
        id: i64,
        #[arg(long)]
        outcome: String,
    },
    /// Send the reminder a breach calls for (CLE-9.11) and close its task.
    Remind {
        id: i64,
        /// letter, email, phone or visit
        #[arg(long, default_value = "letter")]
        channel: String,
        #[arg(long)]
        consequences: String,
        #[arg(long)]
        reasons: String,
    },
}

#[derive(Subcommand)]
pub enum RetentionCmd {
    /// The dry run: whose records are due for disposal today (nothing is destroyed).
    Due,
    /// Destroy the records that are due, as `due` lists them; needs --confirm.
    Dispose {
        #[arg(long)]
        confirm: bool,
    },
    /// Keep a person's records past their disposal date until the hold is lifted.
    Hold {
        person: i64,
        #[arg(long)]
        reason: String,
    },
    /// Lift a legal hold.
    Lift { hold: i64 },
    /// What was destroyed, and when (without the data); the DPO (`--as`).
    Register,
}

#[derive(Subcommand)]
pub enum ExportCmd {
    /// Every record of a kind as CSV for the office's own reporting: people, matters,
    /// contacts, plans or incidents (`export_records` in the profile; on the access log).
    Records {
        #[arg(long)]
        kind: String,
        /// The file to write (never overwritten); standard output without it.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Everything held about a person: index.html, record.json, letters and messages.
    Person {
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
}

#[derive(Subcommand)]
pub enum ShareCmd {
    /// Ask to share a person's details with a partner.
    Request {
        #[arg(long)]
        person: i64,
        #[arg(long)]
        partner: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        details: String,
    },
    /// The DPO's decision.
    Decide {
        id: i64,
        #[arg(long)]
        approve: bool,
        #[arg(long)]
        reason: String,
    },
    /// Record what was shared.
    Shared {
        id: i64,
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
}

#[derive(Args)]
pub struct ImportArgs {
    /// The file: .csv (UTF-8), .xlsx, .xls or .ods.
    #[arg(required_unless_present = "template")]
    pub file: Option<std::path::PathBuf>,
    /// What the file holds: people or matters (import people first: matters name them).
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
