//! The `tact` binary. Thin: it parses the command line, opens the data folder, and
//! hands each command to the library crates.

mod backup;
mod cli;
mod config;
mod demo;
mod local;
mod progress;

use anyhow::{anyhow, bail, Context, Result};

use axum::http::Method;
use clap::Parser;
use cli::*;
use config::DataDir;
use serde_json::{json, Value};
use std::process::ExitCode;
use tact_app::{App, Clock};
use tact_core::ids::StaffId;
use tact_core::profile::Profile;
use tact_core::roles::{Actor, Role};
use tact_store::Store;
use tact_web::AppState;

/// mimalloc rather than glibc's allocator: glibc keeps freed memory in per-thread arenas
/// (SQLite's page caches freed by one worker thread stayed in the process: 986 MiB RSS
/// against 618 MiB after `malloc_trim`), while mimalloc returns freed pages to the OS, so
/// the server stays within its budget after load (issue 10; BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Serve { .. }) {
        tune_allocator();
    }
    // Logs go to standard error: JSON lines with TACT_LOG_FORMAT=json (each carrying the
    // request id of the request it belongs to, in its span), plain text otherwise, coloured
    // only on a terminal.
    // The server and the jobs say what they do (`info`); a command that answers for itself
    // (a person, a plan, a check) says only what goes wrong, not a log line per request.
    let chatty = matches!(
        cli.command,
        Command::Serve { .. }
            | Command::Jobs { .. }
            | Command::Mail {
                command: MailCmd::Import { .. } | MailCmd::Poll | MailCmd::Send
            }
            | Command::Migrate
            | Command::Demo { .. }
            | Command::Backup { .. }
            | Command::Restore { .. }
    );
    let filter = tracing_subscriber::EnvFilter::try_from_env("TACT_LOG").unwrap_or_else(|_| {
        if chatty {
            "info,sqlx=error".into()
        } else {
            "warn,sqlx=error".into()
        }
    });
    if json_logs() {
        tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    } else {
        use std::io::IsTerminal;
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(std::io::stderr().is_terminal())
            .with_writer(std::io::stderr)
            .init();
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}", error_line(&e));
            // A refusal of what was asked is 2, as every refusal the API gives (4xx) is;
            // 1 is Tact failing.
            ExitCode::from(if refused(&e) { 2 } else { 1 })
        }
    }
}

/// The line a command that failed prints: a refusal by a rule of the policy or a record's
/// state as [`rule_line`] prints it; anything else, what went wrong ([`said`]).
fn error_line(e: &anyhow::Error) -> String {
    let rule = match e.downcast_ref::<tact_app::AppError>() {
        Some(tact_app::AppError::Rule(r)) => Some(r),
        _ => e.downcast_ref::<tact_core::RuleError>(),
    };
    match rule {
        // Only where nothing was said around it: a context is part of what went wrong.
        Some(r) if said(e) == r.to_string() => rule_line(r),
        _ => format!("error: {}", said(e)),
    }
}

/// A refusal the app gave a command at the console, as a refusal through the API prints
/// ([`refusal_line`]): the command's own flag for the field it names (`--username`), and the
/// clause.
fn rule_line(r: &tact_core::RuleError) -> String {
    let e = tact_web::error::ApiError::from(r.clone());
    let body = serde_json::to_value(&e.body).unwrap_or_default();
    let typed = typed_command();
    refusal_line(e.status, &body, |f| flag_for(&typed, f))
}

/// What went wrong, from the outermost context in: each cause once. The database's errors
/// repeat their source in their own words ("database error: error communicating with
/// database: Connection refused"), and printing the source again after each would say it
/// three times.
fn said(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let c = cause.to_string();
        if out.contains(&c) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&c);
    }
    out
}

/// Whether `e` refuses what was asked (exit status 2), rather than Tact failing (1): a
/// [`Refused`], or a rule of the policy or a record's state refusing it, however it reached
/// here — so a command that passes the app's refusal on with `?` answers as `told` does.
fn refused(e: &anyhow::Error) -> bool {
    e.is::<Refused>()
        || matches!(
            e.downcast_ref::<tact_app::AppError>(),
            Some(tact_app::AppError::Rule(_))
        )
}

/// A refusal of what the command asked for (who is acting, a record that is not there):
/// exit status 2, as a refusal through the API is.
#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// A file the command was given, read whole. One that is not there, cannot be read or (as
/// text) is not UTF-8 is a refusal of what was asked (exit status 2), as any bad input is.
fn named_file(path: &std::path::Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Refused(format!("cannot read {}: {e}", path.display())).into())
}

/// [`named_file`] as text.
fn named_text(path: &str) -> Result<String> {
    String::from_utf8(named_file(std::path::Path::new(path))?)
        .map_err(|_| Refused(format!("{path} is not UTF-8 text: save it as UTF-8")).into())
}

/// mimalloc's options for a long-running server (issue 10; BENCHMARKS.md):
/// - `MIMALLOC_PURGE_DELAY=0`: freed pages go back to the OS as they are freed. With the
///   default delay they go back only when the thread that freed them next allocates: a
///   thread that goes quiet — the blocking thread that checked a password (Argon2 takes
///   19 MiB), a worker after a burst — kept them for good (16 MiB after one sign-in).
/// - `MIMALLOC_ALLOW_THP=0` and `MIMALLOC_ARENA_EAGER_COMMIT=0`: mimalloc commits its arena
///   at once and asks for transparent huge pages over it, so the kernel backs it with 2 MiB
///   pages (56 MiB of the arena's 90 at a million people); a 2 MiB page with one live
///   object in it cannot be given back, and freeing its other 64 KiB pieces returns nothing.
///   Without them: 101 MiB when ready and 132 MiB after the bench's full run, against 116
///   and 161.
const MIMALLOC_OPTIONS: [(&str, &str); 3] = [
    ("MIMALLOC_PURGE_DELAY", "0"),
    ("MIMALLOC_ALLOW_THP", "0"),
    ("MIMALLOC_ARENA_EAGER_COMMIT", "0"),
];

/// mimalloc reads its options from the environment before `main` runs, and `unsafe` is
/// forbidden here, so the server starts itself again with [`MIMALLOC_OPTIONS`] set (same
/// process id, arguments and environment). An option the operator has set is kept.
fn tune_allocator() {
    use std::os::unix::process::CommandExt;
    let missing: Vec<(&str, &str)> = MIMALLOC_OPTIONS
        .into_iter()
        .filter(|(k, _)| std::env::var_os(k).is_none())
        .collect();
    if missing.is_empty() {
        return;
    }
    let Ok(me) = std::env::current_exe() else {
        return;
    };
    let err = std::process::Command::new(me)
        .args(std::env::args_os().skip(1))
        .envs(missing)
        .exec();
    // Only reached when the exec failed: carry on with mimalloc's defaults.
    eprintln!("note: could not restart with mimalloc's options for a server ({err}); it keeps more memory");
}

/// Opens the folder's store (migrated) and the app over it, for one command: no index (the
/// contact check asks the database) and no follower — what it writes reaches running
/// servers through the change feed.
async fn open_app(data: &std::path::Path, url_flag: Option<&str>) -> Result<(DataDir, App)> {
    let dir = DataDir::open(data)?;
    let (store, profile) = open_store(&dir, url_flag).await?;
    let app = App::without_index(store, profile, Clock::default()).await?;
    Ok((dir, app))
}

/// Opens the folder's store (migrated) and the app over it for a server: it answers at once
/// (from the database) while its index loads, and follows the change feed.
async fn open_server_app(data: &DataDir, url_flag: Option<&str>) -> Result<App> {
    let (store, profile) = open_store(data, url_flag).await?;
    Ok(App::start(store, profile, Clock::default()).await?)
}

async fn open_store(data: &DataDir, url_flag: Option<&str>) -> Result<(Store, Profile)> {
    let url = data.database_url(url_flag);
    let store = Store::open(&url)
        .await
        .with_context(|| format!("opening the database {}", redact(&url)))?;
    store.migrate().await.context("migrating the database")?;
    let profile = data.profile()?;
    if let Some(stored) = store.meta("profile_id").await? {
        if stored != profile.organisation.id {
            bail!("this database was set up under the {stored} profile, but the data folder's profile is {}", profile.organisation.id);
        }
    }
    Ok((store, profile))
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://…{}", &url[..s], &url[at..]),
        _ => url.to_string(),
    }
}

async fn init(
    data: &std::path::Path,
    profile: &str,
    admin_name: &str,
    url_flag: Option<&str>,
    demo: bool,
) -> Result<(App, String)> {
    if DataDir::exists(data) {
        bail!("{} is already a Tact data folder", data.display());
    }
    let (mut text, _) = config::load_profile(profile)?;
    if demo {
        text = demo::with_demo_contact(&text)?;
    }
    std::fs::create_dir_all(data).with_context(|| format!("creating {}", data.display()))?;
    std::fs::write(data.join("profile.toml"), text)?;
    let mut cfg = String::from("# Tact data folder settings. TACT_* environment variables and flags override these.\nprofile = \"profile.toml\"\n");
    if let Some(u) = url_flag {
        cfg.push_str(&format!("database_url = {:?}\n", u));
    }
    if demo {
        cfg.push_str("demo = true\n");
    }
    std::fs::write(DataDir::config_path(data), cfg)?;
    let (dir, app) = open_app(data, url_flag).await?;
    app.record_profile_id().await?;
    // The key that signs the event log's checkpoints, kept beside the database, never in it.
    dir.audit_key()?;
    let admin = app
        .create_staff(None, admin_name, Role::Admin, None, None)
        .await?;
    let token = app
        .issue_token(None, admin.id, "created by tact init")
        .await?;
    Ok((
        app,
        format!("administrator: staff id {}, API token {token}", admin.id),
    ))
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let url_flag = cli.database_url.as_deref();
    match cli.command {
        Command::Init {
            profile,
            admin_name,
        } => {
            let (app, line) = init(&cli.data, &profile, &admin_name, url_flag, false).await?;
            println!(
                "Created {} under the {} profile.",
                cli.data.display(),
                app.profile.organisation.short_name
            );
            println!("{line}");
            println!("Keep the token safe: it is shown once.");
            if let Some(w) = contact_warning(&app.profile) {
                println!("{w}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Openapi => {
            println!("{}", tact_web::openapi_json());
            Ok(ExitCode::SUCCESS)
        }
        Command::CheckProfile { path } => {
            let (_, p) = config::load_profile(&path)?;
            println!("{path}: a valid profile for {}", p.organisation.name);
            if let Some(w) = contact_warning(&p) {
                println!("{w}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            listen,
            demo,
            profile,
        } => serve(&cli.data, url_flag, listen, demo, &profile).await,
        Command::Migrate => {
            open_app(&cli.data, url_flag).await?;
            println!("The database is up to date.");
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { out } => {
            let dir = DataDir::open(&cli.data)?;
            let url = dir.database_url(url_flag);
            let store = tact_store::Store::open(&url).await?;
            let c = backup::backup(&store, &url, &out).await;
            store.close().await;
            let c = c?;
            println!(
                "{}",
                json!({"backup": out.display().to_string(), "people": c.people, "events_checked": c.events})
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { from, force } => {
            let dir = DataDir::open(&cli.data)?;
            let url = dir.database_url(url_flag);
            let c = backup::restore(&url, &from, force).await?;
            // The restored database opens, migrates forward if it is older, and checks.
            let (_, app) = open_app(&cli.data, url_flag).await?;
            if let Err(b) = app.verify_audit().await? {
                bail!("the restored event log is broken: {b}");
            }
            // A restore takes the log back on purpose: the checkpoints taken since vouch for
            // entries it no longer holds. They are kept aside, and a new one starts from here.
            let set_aside = dir.set_checkpoints_aside(&app.now().to_string())?;
            if let Some(cp) = app.audit_checkpoint(&dir.audit_key()?).await? {
                dir.keep_checkpoint(&cp)?;
            }
            println!(
                "{}",
                json!({"restored": from.display().to_string(), "people": c.people, "events_checked": c.events, "checkpoints_set_aside": set_aside})
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { people } => {
            let (_, app) = open_app(&cli.data, url_flag).await?;
            let summary = demo::populate(&app, people).await?;
            app.seal_contacts().await?;
            std::fs::write(cli.data.join("demo-tokens.txt"), &summary)?;
            print!("{}", demo::without_tokens(&summary));
            Ok(ExitCode::SUCCESS)
        }
        Command::Mail {
            command: MailCmd::Import { path, mailbox },
        } => {
            let (_, app) = open_app(&cli.data, url_flag).await?;
            let messages = tact_mail::read_source(&path)?;
            let limits = tact_mail::Limits::default();
            let mut counts = std::collections::BTreeMap::<String, u64>::new();
            let bar = progress::bar(messages.len(), "messages");
            for raw in &messages {
                let got = app.take_in(&mailbox, raw, &limits).await?;
                *counts.entry(got.outcome().to_string()).or_default() += 1;
                bar.inc(1);
            }
            bar.finish_and_clear();
            app.seal_contacts().await?;
            println!(
                "{}",
                serde_json::json!({"messages": messages.len(), "outcomes": counts})
            );
            Ok(ExitCode::SUCCESS)
        }
        // The disposal is run here, not through the router, for its progress bar; it answers
        // as the API's `POST /retention/dispose` does. The rest of retention is requests.
        Command::Retention {
            command: RetentionCmd::Dispose { confirm },
        } => {
            let (_, app) = open_app(&cli.data, url_flag).await?;
            let mut ctx = tact_app::Ctx::new(acting_as(&app, cli.as_staff).await?);
            // Disposal can take a while on a large office: a bar while a person watches.
            let bar = progress::bar(0, "people disposed of");
            let shown = bar.clone();
            ctx.progress = Some(tact_app::Progress(std::sync::Arc::new(
                move |done, total| {
                    shown.set_length(total);
                    shown.set_position(done);
                },
            )));
            let disposed = app
                .execute(&ctx, tact_core::command::DisposeDue { confirm })
                .await;
            bar.finish_and_clear();
            // Core's refusal, with how to confirm here: see what is due, then --confirm.
            let disposed = disposed.map_err(|e| match e {
                tact_app::AppError::Rule(r) if r.field.as_deref() == Some("confirm") => {
                    tact_app::AppError::Rule(tact_core::RuleError {
                        message: format!(
                            "{} (see what is due with `tact retention due`, then add --confirm)",
                            r.message
                        ),
                        ..r
                    })
                }
                other => other,
            });
            told(disposed, |d| {
                let out = tact_web::out::DisposedListOut {
                    disposed: tact_web::out::Wire::wire(&d),
                };
                serde_json::to_string_pretty(&out).unwrap_or_default()
            })
        }
        Command::Import(args) => import(&cli.data, cli.as_staff, &args, url_flag).await,
        Command::Export {
            command: ExportCmd::Person { id, out },
        } => {
            let (_, app) = open_app(&cli.data, url_flag).await?;
            let actor = acting_as(&app, cli.as_staff).await?;
            if out.exists() && std::fs::read_dir(&out)?.next().is_some() {
                return Err(Refused(format!(
                    "{} is not empty: give a new folder for the bundle",
                    out.display()
                ))
                .into());
            }
            let files = tact_web::export::subject_access(
                &app,
                &tact_app::Ctx::new(actor),
                tact_core::ids::PersonId(id),
            )
            .await?;
            for (name, bytes) in &files {
                let path = out.join(name);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&path, bytes)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            println!(
                "{}",
                json!({"folder": out.display().to_string(), "files": files.len(), "index": out.join("index.html").display().to_string()})
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Jobs { command } => {
            let (_, app) = open_app(&cli.data, url_flag).await?;
            match command {
                JobsCmd::Run { job } => {
                    let ran = app.run_jobs(job.as_deref()).await?;
                    let out: serde_json::Map<String, serde_json::Value> = ran
                        .into_iter()
                        .map(|(job, o)| {
                            let v = match o {
                                tact_app::jobs::JobOutcome::Ran { tasks } => {
                                    json!({"ran": true, "tasks": tasks})
                                }
                                tact_app::jobs::JobOutcome::AlreadyRun => {
                                    json!({"ran": false, "why": "already run today"})
                                }
                            };
                            (job, v)
                        })
                        .collect();
                    println!("{}", serde_json::Value::Object(out));
                }
                JobsCmd::List => {
                    for (job, day, at, outcome) in app.job_runs(50).await? {
                        println!("{day}  {job:<10}  {outcome}  (at {at})");
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Mail {
            command: MailCmd::Send,
        } => {
            let (dir, app) = open_app(&cli.data, url_flag).await?;
            let Some(smtp) = &dir.config.smtp else {
                bail!("no [smtp] in {}", DataDir::config_path(&dir.dir).display());
            };
            let (sent, failed) = app.send_due_letters(&smtp.relay()?, 10_000).await?;
            println!("{}", json!({"sent": sent, "failed_attempts": failed}));
            Ok(ExitCode::SUCCESS)
        }
        Command::Mail {
            command: MailCmd::Poll,
        } => {
            let (dir, app) = open_app(&cli.data, url_flag).await?;
            if dir.config.mailboxes.is_empty() {
                bail!(
                    "no [[mailbox]] in {}",
                    DataDir::config_path(&dir.dir).display()
                );
            }
            let mut out = serde_json::Map::new();
            let mut failed = false;
            for m in &dir.config.mailboxes {
                let result = match m.account() {
                    Ok(a) => app
                        .poll_mailbox(&a, &tact_mail::Limits::default(), 10_000)
                        .await
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                };
                let v = match result {
                    Ok(p) => json!({"fetched": p.fetched, "outcomes": p.outcomes}),
                    Err(e) => {
                        eprintln!("error: {e}");
                        failed = true;
                        json!({"error": e})
                    }
                };
                out.insert(m.name.clone(), v);
            }
            app.seal_contacts().await?;
            println!("{}", Value::Object(out));
            Ok(if failed {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Audit {
            command: AuditCmd::Verify { deep },
        } => {
            let (dir, app) = open_app(&cli.data, url_flag).await?;
            let checkpoints = dir.checkpoints()?;
            let key = dir.audit_key()?;
            let checked = if deep {
                app.verify_deep(&checkpoints, &key).await?
            } else {
                app.verify_audit_against(&checkpoints, &key)
                    .await?
                    .map(|(n, c)| (n, c, tact_core::audit::Comparison::default()))
            };
            match checked {
                Ok((n, c, findings)) => {
                    let agree = match c {
                        0 => String::new(),
                        1 => ", and the checkpoint kept outside the database agrees with it".into(),
                        c => format!(
                            ", and all {c} checkpoints kept outside the database agree with it"
                        ),
                    };
                    println!(
                        "The event log is intact: {n} entries, each linked to the one before{agree}."
                    );
                    if c == 0 {
                        println!("No checkpoint is kept yet: `tact serve` keeps one a minute, or run `tact audit checkpoint`.");
                    }
                    if !deep {
                        return Ok(ExitCode::SUCCESS);
                    }
                    Ok(deep_report(&findings))
                }
                Err(b) => {
                    eprintln!("error: {b}");
                    Ok(ExitCode::from(3))
                }
            }
        }
        Command::Audit {
            command: AuditCmd::Baseline,
        } => {
            let (_, app) = open_app(&cli.data, url_flag).await?;
            let n = app.baseline_states().await?;
            println!(
                "{n} records written before the event log covered them are now covered; `tact audit verify --deep` checks them from now on."
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCmd::Seal,
        } => {
            let (_, app) = open_app(&cli.data, url_flag).await?;
            let n = app.seal_contacts().await?;
            println!("{}", json!({"sealed": n}));
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCmd::Checkpoint,
        } => {
            let (dir, app) = open_app(&cli.data, url_flag).await?;
            match app.audit_checkpoint(&dir.audit_key()?).await? {
                Some(cp) => {
                    dir.keep_checkpoint(&cp)?;
                    println!(
                        "{}",
                        json!({"checkpoint": {"seq": cp.seq, "hash": cp.hash, "at": cp.at.to_string()}})
                    );
                }
                None => println!(
                    "{}",
                    json!({"checkpoint": null, "why": "the event log is empty"})
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Staff {
            command:
                StaffCmd::Add {
                    name,
                    role,
                    email,
                    line_manager,
                },
        } if cli.as_staff.is_none() => {
            // A local operator with the data folder may add staff directly, as `tact init` does.
            let (_, app) = open_app(&cli.data, url_flag).await?;
            let role = Role::parse(&role).map_err(|e| Refused(e.to_string()))?;
            let email = email
                .as_deref()
                .map(tact_core::identity::EmailAddress::parse)
                .transpose()
                .map_err(|e| Refused(e.to_string()))?;
            let s = app
                .create_staff(None, &name, role, email, line_manager.map(StaffId))
                .await?;
            let token = app
                .issue_token(None, s.id, "created by tact staff add")
                .await?;
            println!(
                "{}",
                serde_json::to_string_pretty(
                    &json!({"staff": tact_web::wire::staff(&s), "token": token})
                )?
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Staff {
            command: StaffCmd::Password { id, username },
        } => {
            let (_, app) = open_app(&cli.data, url_flag).await?;
            let by = console_or_as(&app, cli.as_staff).await?;
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']);
            let done = app
                .set_credentials(by.as_ref(), StaffId(id), &username, password)
                .await;
            told(done, |()| {
                format!("Member of staff {id} can now sign in as {username:?}.")
            })
        }
        Command::Staff {
            command: StaffCmd::RemoveSecondFactor { id },
        } => {
            let (_, app) = open_app(&cli.data, url_flag).await?;
            let by = console_or_as(&app, cli.as_staff).await?;
            let done = app.remove_second_factor(by.as_ref(), StaffId(id)).await;
            told(done, |()| {
                format!(
                    "Member of staff {id}'s authenticator app and recovery codes are removed; \
                     their sessions have ended."
                )
            })
        }
        command => {
            let (_, app) = open_app(&cli.data, url_flag).await?;
            let actor = acting_as(&app, cli.as_staff).await?;
            // What the command was given did not make a request (JSON that does not parse, a
            // file not there, nothing to change): a refusal, as the API's 400 would be.
            let Request {
                method,
                path,
                body,
                key,
                save_to,
            } = request_for(command).map_err(|e| Refused(format!("{e:#}")))?;
            let state = AppState::new(app);
            let reply = local::call(&state, &actor, method, &path, body, key.as_deref()).await?;
            // What the request read is on the access log before the process ends: the log's
            // writer runs beside the request, and would be stopped with the runtime.
            state.app.flush_access_log().await?;
            if reply.status.is_success() {
                print_reply(&reply, save_to.as_deref())?;
                Ok(ExitCode::SUCCESS)
            } else {
                let typed = typed_command();
                eprintln!(
                    "{}",
                    refusal_line(reply.status, &reply.body["error"], |f| flag_for(&typed, f))
                );
                Ok(ExitCode::from(if reply.status.is_server_error() {
                    1
                } else {
                    2
                }))
            }
        }
    }
}

/// The line a refusal prints: the API's message, what it is about, and the clause as the
/// pages cite it (`profile::cited`: "a local rule" where the policy is silent). What it is
/// about is the command's own flag where it has one for the field (`flag`: `--minutes` for
/// `duration_seconds`), else the API's field, as a body given with `--json` names it. A
/// record not found is named by its message ("no service user 99999"); its field would be
/// the API's name for the id the command was given, so it is left out. Where the refusal may
/// be overruled (`overridden_by`: a number libphonenumber cannot confirm), the flag that
/// says to go ahead anyway is named too (`--keep-unverified`).
fn refusal_line(
    status: axum::http::StatusCode,
    e: &serde_json::Value,
    flag: impl Fn(&str) -> Option<String>,
) -> String {
    let mut line = format!(
        "error: {}",
        e["message"].as_str().unwrap_or("request refused")
    );
    let named = |f: &str| flag(f).unwrap_or_else(|| format!("field `{f}`"));
    let mut about: Vec<String> = e["field"]
        .as_str()
        .filter(|_| status.as_u16() != 404)
        .map(named)
        .into_iter()
        .collect();
    if let Some(input) = e["overridden_by"].as_str() {
        about.push(format!("to go ahead anyway: {}", named(input)));
    }
    if !about.is_empty() {
        line.push_str(&format!(" ({})", about.join("; ")));
    }
    if let Some(c) = e["clause"].as_str() {
        line.push_str(&format!(" [{}]", tact_core::profile::cited(c)));
    }
    line
}

/// The subcommand this process was run as (`contact log`), from its own arguments: the
/// command whose flags a refusal names.
fn typed_command() -> clap::Command {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    for arg in std::env::args().skip(1) {
        if let Some(sub) = cmd.find_subcommand(&arg) {
            cmd = sub.clone();
        }
    }
    cmd
}

/// The flag of `cmd` that gives the API's `field`, where it has one: the field itself
/// (`--summary`), a part of a detail (`advocate.phone`: `--advocate-phone`), without its
/// `_id` (`--person`), its plural (`phones[0]`: `--phone`) or its `preferred_`
/// (`--format`); a call's length, which the API takes in seconds, is given in minutes
/// (`--minutes`), and a postal address is `--address`.
fn flag_for(cmd: &clap::Command, field: &str) -> Option<String> {
    let base = field.split(['[', '.']).next().unwrap_or(field);
    // A part of a detail first (`advocate.phone`: `--advocate-phone`), then the detail.
    let whole = field.split('[').next().unwrap_or(field).replace('.', "_");
    let names = [
        whole.as_str(),
        match base {
            "duration_seconds" => "minutes",
            "postal_address" => "address",
            other => other,
        },
        base.trim_end_matches("_id"),
        base.trim_end_matches('s'),
        base.trim_start_matches("preferred_"),
    ];
    let flag = names.into_iter().find_map(|n| {
        let long = n.replace('_', "-");
        cmd.get_arguments()
            .any(|a| a.get_long() == Some(long.as_str()))
            .then(|| format!("--{long}"))
    });
    // `staff password` reads the password from standard input, never from a flag.
    flag.or_else(|| {
        (base == "password" && cmd.get_name() == "password")
            .then(|| "the password read from standard input".to_string())
    })
}

async fn acting_as(app: &App, id: Option<i64>) -> Result<Actor> {
    let Some(id) = id else {
        return Err(Refused(
            "say who is acting: --as STAFF_ID (or TACT_AS); `tact staff list --as 1` lists staff"
                .into(),
        )
        .into());
    };
    let s = match app.staff_member(StaffId(id)).await {
        Ok(s) => s,
        Err(tact_app::AppError::Rule(e)) => return Err(Refused(e.message).into()),
        Err(e) => return Err(e.into()),
    };
    if !s.active {
        return Err(Refused(format!("member of staff {id} is disabled")).into());
    }
    Ok(Actor::from(s))
}

/// Reads a JSON argument: literal JSON, or `@path` for a file.
fn json_arg(s: &str) -> Result<Value> {
    let text = match s.strip_prefix('@') {
        Some(path) => named_text(path)?,
        None => s.to_string(),
    };
    serde_json::from_str(&text).map_err(|e| anyhow!("not valid JSON: {e}"))
}

fn split_pair<'a>(s: &'a str, sep: char, what: &str) -> Result<(&'a str, &'a str)> {
    s.split_once(sep)
        .ok_or_else(|| anyhow!("expected {what}, got {s:?}"))
}

/// What a command asks of the API: the request, its idempotency key, and the file to save
/// an answer that is a file (a letter's PDF, a message as received).
struct Request {
    method: Method,
    path: String,
    body: Option<Value>,
    key: Option<String>,
    save_to: Option<std::path::PathBuf>,
}

/// A file to save an answer in: refused before anything is asked where one is already there,
/// so nothing is overwritten.
fn new_file(path: std::path::PathBuf) -> Result<std::path::PathBuf> {
    if path.exists() {
        bail!(
            "{} is already there: choose another name, so that nothing is overwritten",
            path.display()
        );
    }
    if let Some(folder) = path.parent().filter(|f| !f.as_os_str().is_empty()) {
        if !folder.is_dir() {
            bail!("there is no folder {} to save it in", folder.display());
        }
    }
    Ok(path)
}

/// Writes `bytes` into a new file: never over one that appeared since it was checked, and
/// never left half-written (a failed write removes what it wrote).
fn save_new(to: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if written.is_err() {
        let _ = std::fs::remove_file(to);
    }
    written
}

/// Prints a successful answer: JSON as JSON, text as it is; or saves it where asked and says
/// what was saved.
fn print_reply(reply: &local::Reply, save_to: Option<&std::path::Path>) -> Result<()> {
    if let Some(to) = save_to {
        save_new(to, &reply.bytes).with_context(|| format!("saving {}", to.display()))?;
        let saved = json!({
            "saved": to.display().to_string(),
            "bytes": reply.bytes.len(),
            "content_type": reply.content_type,
        });
        println!("{}", serde_json::to_string_pretty(&saved)?);
    } else if reply.content_type.starts_with("text/") {
        print!("{}", String::from_utf8_lossy(&reply.bytes));
    } else if reply.bytes.is_empty() || reply.content_type.starts_with("application/json") {
        println!("{}", serde_json::to_string_pretty(&reply.body)?);
    } else {
        return Err(Refused(format!(
            "the answer is a file ({}), not text: save it with --out FILE",
            reply.content_type
        ))
        .into());
    }
    Ok(())
}

/// `path` with the query of the values given (each encoded), those left out left out.
fn with_query(path: &str, pairs: &[(&str, Option<String>)]) -> String {
    let q: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| {
            v.as_ref()
                .map(|v| format!("{k}={}", tact_web::urlencode(v)))
        })
        .collect();
    if q.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", q.join("&"))
    }
}

/// A typed request's body: the CLI sends the API's own request types, so a field the API
/// does not know cannot be sent.
fn body<T: serde::Serialize>(req: T) -> Option<Value> {
    Some(serde_json::to_value(req).unwrap_or(Value::Null))
}

fn request_for(command: Command) -> Result<Request> {
    use tact_web::wire as w;
    use Method as M;
    let r = |method: Method, path: String, body: Option<Value>| {
        Ok(Request {
            method,
            path,
            body,
            key: None,
            save_to: None,
        })
    };
    // A request whose answer is a file, saved in a new one.
    let save = |path: String, to: std::path::PathBuf| {
        Ok(Request {
            save_to: Some(new_file(to)?),
            ..r(M::GET, path, None)?
        })
    };
    match command {
        Command::Check(a) => {
            let asked = [
                ("phone", a.phone),
                ("email", a.email),
                ("channel", a.channel),
                ("at", a.at),
                ("staff", a.staff.map(|s| s.to_string())),
                ("matter", a.matter.map(|m| m.to_string())),
                ("person", a.person.map(|p| p.to_string())),
            ];
            r(M::GET, with_query("/contact-check", &asked), None)
        }
        Command::Staff { command } => match command {
            StaffCmd::Add {
                name,
                role,
                email,
                line_manager,
            } => r(
                M::POST,
                "/staff".into(),
                body(w::StaffReq {
                    name,
                    role,
                    email,
                    line_manager,
                }),
            ),
            StaffCmd::List => r(M::GET, "/staff".into(), None),
            StaffCmd::Extension { id, number, clear } => r(
                M::PUT,
                format!("/staff/{id}/extension"),
                body(w::ExtensionReq {
                    extension: if clear { None } else { number },
                }),
            ),
            StaffCmd::Change {
                id,
                role,
                line_manager,
                no_line_manager,
                disable,
                enable,
                active,
            } => {
                let line_manager = if no_line_manager {
                    Some(None)
                } else {
                    line_manager.map(Some)
                };
                let active = match (disable, enable) {
                    (true, _) => Some(false),
                    (_, true) => Some(true),
                    _ => active,
                };
                if role.is_none() && line_manager.is_none() && active.is_none() {
                    bail!(
                        "nothing to change: give --role, --line-manager, --no-line-manager, \
                         --disable or --enable"
                    );
                }
                r(
                    M::POST,
                    format!("/staff/{id}"),
                    body(w::StaffChangeReq {
                        role,
                        active,
                        line_manager,
                    }),
                )
            }
            StaffCmd::Password { .. } | StaffCmd::RemoveSecondFactor { .. } => {
                bail!("handled above")
            }
            StaffCmd::Token { id, name, days } => r(
                M::POST,
                format!("/staff/{id}/tokens"),
                body(w::TokenReq {
                    name,
                    days,
                    staff_id: None,
                }),
            ),
            StaffCmd::Service { name, scope } => r(
                M::POST,
                "/service-accounts".into(),
                body(w::ServiceAccountReq { name, scope }),
            ),
            StaffCmd::Tokens { staff } => {
                r(M::GET, with_query("/tokens", &[("staff", staff)]), None)
            }
            StaffCmd::Revoke { token } => r(M::DELETE, format!("/tokens/{token}"), None),
        },
        Command::Person { command } => match command {
            PersonCmd::Add {
                name,
                phone,
                email,
                address,
                format,
                language,
                keep_unverified,
                shared,
                advocate,
            } => r(
                M::POST,
                "/people".into(),
                body(w::PersonReq {
                    name,
                    phones: phone,
                    emails: email,
                    postal_address: address,
                    advocate: advocate.request(),
                    preferred_format: format,
                    preferred_language: language,
                    keep_unverified,
                    shared,
                }),
            ),
            PersonCmd::Edit {
                id,
                name,
                phone,
                no_phones,
                email,
                no_emails,
                address,
                no_address,
                format,
                language,
                no_language,
                keep_unverified,
                shared,
                advocate,
                no_advocate,
            } => {
                // A list given is the whole list; --no-… gives an empty one; neither, as it is.
                let list =
                    |given: Vec<String>, none: bool| (none || !given.is_empty()).then_some(given);
                // A detail given, taken away (--no-…: null), or left as it is.
                let one = |given: Option<String>, none: bool| {
                    if none {
                        Some(None)
                    } else {
                        given.map(Some)
                    }
                };
                let patch = w::PersonPatchReq {
                    name,
                    phones: list(phone, no_phones),
                    emails: list(email, no_emails),
                    postal_address: one(address, no_address),
                    advocate: if no_advocate {
                        Some(None)
                    } else {
                        advocate.request().map(Some)
                    },
                    preferred_format: format,
                    preferred_language: one(language, no_language),
                    keep_unverified,
                    shared: (!shared.is_empty()).then_some(shared),
                };
                if patch.name.is_none()
                    && patch.phones.is_none()
                    && patch.emails.is_none()
                    && patch.postal_address.is_none()
                    && patch.advocate.is_none()
                    && patch.preferred_format.is_none()
                    && patch.preferred_language.is_none()
                    && patch.shared.is_none()
                {
                    bail!(
                        "say what to change: --name, --phone, --email, --address, --advocate, \
                         --format, --language or --shared (or a --no-… to take one off)"
                    );
                }
                r(M::PATCH, format!("/people/{id}"), body(patch))
            }
            PersonCmd::Show { id } => r(M::GET, format!("/people/{id}"), None),
            PersonCmd::Merge { id, from, reason } => r(
                M::POST,
                format!("/people/{id}/merge"),
                body(w::MergeReq {
                    merge: from,
                    reason,
                }),
            ),
            PersonCmd::Find { query } => {
                r(M::GET, with_query("/people", &[("q", Some(query))]), None)
            }
            PersonCmd::AdditionalHelp {
                id,
                needs_help,
                words,
            } => r(
                M::POST,
                format!("/people/{id}/additional-help"),
                body(w::HelpReq {
                    needs_help,
                    in_their_words: words,
                }),
            ),
            PersonCmd::Access { id } => r(M::GET, format!("/people/{id}/access-log"), None),
        },
        Command::Matter { command } => match command {
            MatterCmd::Open {
                person,
                kind,
                title,
            } => r(
                M::POST,
                format!("/people/{person}/matters"),
                body(w::MatterReq { kind, title }),
            ),
            MatterCmd::Status {
                id,
                status,
                finalised_on,
            } => r(
                M::POST,
                format!("/matters/{id}/status"),
                body(w::MatterStatusReq {
                    status,
                    finalised_on,
                }),
            ),
        },
        Command::Contact { command } => match command {
            ContactCmd::Log {
                channel,
                person,
                matter,
                phone,
                email,
                summary,
                body,
                direction,
                at,
                complaint,
                minutes,
                key,
            } => Ok(Request {
                method: M::POST,
                path: "/contacts".into(),
                body: crate::body(w::ContactReq {
                    person_id: person,
                    matter_id: matter,
                    channel,
                    direction,
                    at,
                    phone,
                    email,
                    staff_id: None,
                    summary,
                    body,
                    is_complaint: complaint,
                    duration_seconds: minutes.map(|m| m.saturating_mul(60)),
                }),
                key,
                save_to: None,
            }),
            ContactCmd::Screen { id, finding, note } => r(
                M::POST,
                format!("/contacts/{id}/screen"),
                body(w::ScreenReq { finding, note }),
            ),
            ContactCmd::Queue => r(M::GET, "/screening".into(), None),
        },
        Command::Incident(a) => {
            let ended_call = match (a.ended_reason, a.file_note) {
                (None, None) => None,
                (reason, note) => Some(w::EndedCallReq {
                    reason: reason.unwrap_or_default(),
                    file_note: note.unwrap_or_default(),
                    caller_warned: a.caller_warned,
                }),
            };
            r(
                M::POST,
                "/incidents".into(),
                body(w::IncidentReq {
                    person_id: a.person,
                    matter_id: a.matter,
                    contact_id: None,
                    category: a.category,
                    description: a.description,
                    occurred_at: a.at,
                    staff_id: a.staff,
                    ended_call,
                }),
            )
        }
        Command::Warning(a) => r(
            M::POST,
            format!("/people/{}/warnings", a.person),
            body(w::WarningReq {
                incident_ids: a.incident,
                what_is_wrong: a.what,
                how_to_change: a.how,
                consequence: a.consequence,
                channel: a.channel,
                given_at: None,
            }),
        ),
        Command::Plan { command } => match command {
            PlanCmd::Draft { person, json } => r(
                M::POST,
                format!("/people/{person}/plans"),
                Some(json_arg(&json)?),
            ),
            PlanCmd::Show { id } => r(M::GET, format!("/plans/{id}"), None),
            PlanCmd::Checklist {
                id,
                answer,
                cannot_remedy,
            } => {
                // Why a shortfall cannot be put right goes with that question's answer: one
                // that names no question answered here would be lost without a word.
                for c in &cannot_remedy {
                    let (q, _) = split_pair(c, '=', "question-id=why it cannot be put right")?;
                    if !answer
                        .iter()
                        .any(|a| a.split_once('=').is_some_and(|(id, _)| id == q))
                    {
                        bail!("--cannot-remedy names question {q:?}, which no --answer answers");
                    }
                }
                let mut answers = Vec::new();
                for a in &answer {
                    let (q, rest) = split_pair(a, '=', "question-id=yes:reason")?;
                    let (ans, reason) = split_pair(rest, ':', "question-id=yes:reason")?;
                    let cannot = cannot_remedy
                        .iter()
                        .find_map(|c| c.strip_prefix(&format!("{q}=")))
                        .map(str::to_string);
                    answers.push(w::AnswerReq {
                        question_id: q.to_string(),
                        answer: ans.to_string(),
                        reason: reason.to_string(),
                        cannot_remedy_reason: cannot,
                    });
                }
                r(
                    M::POST,
                    format!("/plans/{id}/checklist"),
                    body(w::ChecklistReq { answers }),
                )
            }
            PlanCmd::Propose { id } => r(M::POST, format!("/plans/{id}/propose"), None),
            PlanCmd::Authorise {
                id,
                reason,
                overrides,
            } => {
                let mut list = Vec::new();
                for o in &overrides {
                    let (aid, why) = split_pair(o, ':', "ADJUSTMENT-ID:reason")?;
                    list.push(w::OverrideReq {
                        adjustment_id: aid
                            .parse::<i64>()
                            .map_err(|_| anyhow!("expected an adjustment id, got {aid:?}"))?,
                        reason: why.to_string(),
                    });
                }
                r(
                    M::POST,
                    format!("/plans/{id}/authorise"),
                    body(w::AuthoriseReq {
                        reason,
                        overrides: list,
                    }),
                )
            }
            PlanCmd::Refuse { id, reason } => r(
                M::POST,
                format!("/plans/{id}/refuse"),
                body(w::ReasonReq { reason }),
            ),
            PlanCmd::Withdraw { id, reason } => r(
                M::POST,
                format!("/plans/{id}/withdraw"),
                body(w::ReasonReq { reason }),
            ),
            PlanCmd::Notice {
                id,
                channel,
                format,
                format_reason,
                agreement_sought,
                agreement_given,
                policy_enclosed,
            } => r(
                M::POST,
                format!("/plans/{id}/notice"),
                body(w::NoticeReq {
                    sent_at: None,
                    channel,
                    format,
                    format_reason,
                    agreement_sought,
                    agreement_given,
                    agreement_note: None,
                    policy_enclosed,
                }),
            ),
            PlanCmd::Review {
                id,
                decision,
                reasons,
                conduct,
                next_review,
            } => r(
                M::POST,
                format!("/plans/{id}/review"),
                body(w::ReviewReq {
                    decision,
                    reasons,
                    recent_conduct: conduct,
                    next_review_due: next_review,
                }),
            ),
            PlanCmd::Vary { id, json } => {
                r(M::POST, format!("/plans/{id}/vary"), Some(json_arg(&json)?))
            }
            PlanCmd::Lift { id, reason } => r(
                M::POST,
                format!("/plans/{id}/lift"),
                body(w::ReasonReq { reason }),
            ),
            PlanCmd::Apply { id, matter, reason } => r(
                M::POST,
                format!("/plans/{id}/apply-to-matter"),
                body(w::ApplyReq {
                    matter_id: matter,
                    reason,
                }),
            ),
            PlanCmd::DecideMatter {
                id,
                matter,
                refuse,
                reason,
            } => r(
                M::POST,
                format!("/plans/{id}/decide-matter"),
                body(w::DecideMatterReq {
                    matter_id: matter,
                    approve: !refuse,
                    reason,
                }),
            ),
            PlanCmd::Dispute { id, grounds } => r(
                M::POST,
                format!("/plans/{id}/disputes"),
                body(w::DisputeReq {
                    grounds,
                    received_at: None,
                }),
            ),
        },
        Command::Dispute {
            command:
                DisputeCmd::Decide {
                    id,
                    outcome,
                    reasons,
                    variation,
                },
        } => {
            let variation = variation
                .as_deref()
                .map(|v| -> Result<w::VaryReq> {
                    serde_json::from_value(json_arg(v)?)
                        .map_err(|e| anyhow!("--variation: not a change to a plan: {e}"))
                })
                .transpose()?;
            r(
                M::POST,
                format!("/disputes/{id}/decision"),
                body(w::DisputeDecisionReq {
                    outcome,
                    reasons,
                    variation,
                }),
            )
        }
        Command::Adjustment { command } => match command {
            AdjustmentCmd::Request {
                person,
                kind,
                description,
            } => r(
                M::POST,
                format!("/people/{person}/adjustments"),
                body(w::AdjustmentReq { kind, description }),
            ),
            AdjustmentCmd::Decide { id, grant, reasons } => r(
                M::POST,
                format!("/adjustments/{id}/decision"),
                body(w::DecisionReq { grant, reasons }),
            ),
        },
        Command::FurtherAction(a) => r(
            M::POST,
            format!("/people/{}/further-actions", a.person),
            body(w::FurtherActionReq {
                kind: a.kind,
                reasons: a.reasons,
                prior_notice_given: a.prior_notice,
                no_notice_reason: a.no_notice_reason,
            }),
        ),
        Command::Rights { command } => match command {
            RightsCmd::Receive {
                person,
                kind,
                details,
                channel,
                received_on,
            } => r(
                M::POST,
                format!("/people/{person}/data-rights"),
                body(w::RightsReq {
                    kind,
                    details,
                    channel,
                    received_on,
                }),
            ),
            RightsCmd::Open => r(M::GET, "/data-rights".into(), None),
            RightsCmd::Answer { id, decision, text } => r(
                M::POST,
                format!("/data-rights/{id}/answer"),
                body(w::RightsAnswerReq { decision, text }),
            ),
        },
        Command::Retention { command } => match command {
            RetentionCmd::Due => r(M::GET, "/retention/due".into(), None),
            RetentionCmd::Register => r(M::GET, "/retention/register".into(), None),
            RetentionCmd::Holds => r(M::GET, "/retention/holds".into(), None),
            RetentionCmd::Status { person } => {
                r(M::GET, format!("/people/{person}/retention"), None)
            }
            RetentionCmd::Held { person } => r(M::GET, format!("/people/{person}/hold"), None),
            RetentionCmd::Hold { person, reason } => r(
                M::POST,
                format!("/people/{person}/hold"),
                body(w::HoldReq { reason }),
            ),
            RetentionCmd::Lift { hold } => r(M::POST, format!("/holds/{hold}/lift"), None),
            RetentionCmd::Dispose { .. } => bail!("handled above"),
        },
        Command::Equality { command } => match command {
            EqualityCmd::Record {
                person,
                consent,
                answers,
            } => {
                let answers = answers
                    .iter()
                    .map(|a| {
                        split_pair(a, '=', "an answer as QUESTION=ANSWER, such as age=35-44")
                            .map(|(q, a)| (q.trim().to_string(), a.trim().to_string()))
                    })
                    .collect::<Result<_>>()?;
                r(
                    M::PUT,
                    format!("/people/{person}/equality"),
                    body(w::EqualityReq { consent, answers }),
                )
            }
            EqualityCmd::Withdraw { person } => {
                r(M::DELETE, format!("/people/{person}/equality"), None)
            }
            EqualityCmd::Held { person } => r(M::GET, format!("/people/{person}/equality"), None),
            EqualityCmd::Report => r(M::GET, "/equality".into(), None),
        },
        Command::Export {
            command: ExportCmd::Records { kind, out },
        } => {
            let path = format!("/export/{kind}");
            match out {
                Some(to) => save(path, to),
                None => r(M::GET, path, None),
            }
        }
        Command::Governance { from, to } => r(
            M::GET,
            with_query("/governance", &[("from", from), ("to", to)]),
            None,
        ),
        Command::Share { command } => match command {
            ShareCmd::Request {
                person,
                partner,
                reason,
                details,
            } => r(
                M::POST,
                format!("/people/{person}/disclosures"),
                body(w::DisclosureReq {
                    partner,
                    reason,
                    details,
                }),
            ),
            ShareCmd::Decide {
                id,
                approve,
                reason,
            } => r(
                M::POST,
                format!("/disclosures/{id}/decision"),
                body(w::DisclosureDecisionReq { approve, reason }),
            ),
            ShareCmd::Shared { id, what } => r(
                M::POST,
                format!("/disclosures/{id}/shared"),
                body(w::SharedReq { what, at: None }),
            ),
            ShareCmd::Log => r(M::GET, "/disclosures".into(), None),
        },
        Command::Task { command } => match command {
            TaskCmd::List => r(M::GET, "/tasks".into(), None),
            TaskCmd::Remind {
                id,
                channel,
                consequences,
                reasons,
            } => r(
                M::POST,
                format!("/tasks/{id}/breach-reminder"),
                body(w::ReminderReq {
                    channel,
                    consequences,
                    reasons,
                }),
            ),
            TaskCmd::Done { id, outcome } => r(
                M::POST,
                format!("/tasks/{id}/complete"),
                body(w::OutcomeReq { outcome }),
            ),
        },
        Command::Reviews { due_by } => {
            r(M::GET, with_query("/reviews", &[("due_by", due_by)]), None)
        }
        Command::Letter { command } => match command {
            LetterCmd::Write {
                plan,
                warning,
                adjustment,
                ended_call,
                kind,
                channel,
                format,
                hold,
            } => {
                let path = match (plan, warning, adjustment, ended_call) {
                    (Some(id), ..) => format!("/plans/{id}/letters"),
                    (_, Some(id), ..) => format!("/warnings/{id}/letter"),
                    (_, _, Some(id), _) => format!("/adjustments/{id}/letter"),
                    (.., Some(id)) => format!("/incidents/{id}/letter"),
                    _ => bail!("say what the letter is about: --plan, --warning, --adjustment or --ended-call"),
                };
                r(
                    M::POST,
                    path,
                    body(w::LetterReq {
                        kind,
                        channel,
                        format,
                        hold,
                    }),
                )
            }
            LetterCmd::List { person } => r(M::GET, format!("/people/{person}/letters"), None),
            LetterCmd::Queue { status } => {
                r(M::GET, with_query("/letters", &[("status", status)]), None)
            }
            LetterCmd::Show { id } => r(M::GET, format!("/letters/{id}"), None),
            LetterCmd::Get { id, form, out } => {
                let path = format!("/letters/{id}/{form}");
                match out {
                    Some(to) => save(path, to),
                    None if matches!(form.as_str(), "text" | "html") => r(M::GET, path, None),
                    None => {
                        bail!("a letter as {form} is a file, not text: save it with --out FILE")
                    }
                }
            }
            LetterCmd::Change { id, text, subject } => {
                let text = match text.strip_prefix('@') {
                    Some(file) => named_text(file)?,
                    None => text,
                };
                r(
                    M::PUT,
                    format!("/letters/{id}"),
                    body(w::LetterChangeReq { subject, text }),
                )
            }
            LetterCmd::Release { id } => r(M::POST, format!("/letters/{id}/release"), None),
            LetterCmd::Printed { id } => r(M::POST, format!("/letters/{id}/printed"), None),
        },
        Command::Mail { command } => match command {
            MailCmd::List { route } => {
                r(M::GET, with_query("/messages", &[("route", route)]), None)
            }
            MailCmd::Show { id } => r(M::GET, format!("/messages/{id}"), None),
            MailCmd::Raw { id, out } => save(format!("/messages/{id}/raw"), out),
            MailCmd::Attachment { id, n, out } => {
                save(format!("/messages/{id}/attachments/{n}"), out)
            }
            MailCmd::Match {
                id,
                person,
                keep_address,
            } => r(
                M::POST,
                format!("/messages/{id}/match"),
                body(w::MatchReq {
                    person_id: person,
                    keep_address,
                }),
            ),
            MailCmd::Threatening {
                id,
                category,
                description,
            } => r(
                M::POST,
                format!("/messages/{id}/threatening"),
                body(w::ThreateningReq {
                    category,
                    description,
                }),
            ),
            MailCmd::Import { .. } | MailCmd::Poll | MailCmd::Send => bail!("handled above"),
        },
        Command::Api {
            method,
            path,
            json,
            out,
        } => {
            let m = Method::from_bytes(method.to_ascii_uppercase().as_bytes())
                .map_err(|_| anyhow!("not an HTTP method: {method}"))?;
            Ok(Request {
                save_to: out.map(new_file).transpose()?,
                ..r(m, path, json.as_deref().map(json_arg).transpose()?)?
            })
        }
        Command::Init { .. }
        | Command::CheckProfile { .. }
        | Command::Openapi
        | Command::Serve { .. }
        | Command::Migrate
        | Command::Demo { .. }
        | Command::Jobs { .. }
        | Command::Export {
            command: ExportCmd::Person { .. },
        }
        | Command::Import(_)
        | Command::Backup { .. }
        | Command::Restore { .. }
        | Command::Audit { .. } => bail!("handled above"),
    }
}

/// What letters cannot say yet because the profile lacks it (a LOCAL SETTING where the
/// policy gives none), for the office's IT staff at `init` and `check-profile`.
fn contact_warning(p: &tact_core::profile::Profile) -> Option<String> {
    let missing: Vec<&str> = p
        .letters
        .contact
        .missing()
        .into_iter()
        .map(|m| match m {
            "address" => "postal address",
            "phone" => "phone number",
            _ => "email address",
        })
        .collect();
    let words = match missing.as_slice() {
        [] => return None,
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    };
    Some(format!(
        "Note: the profile does not give the office's {words} ([letters.contact], a local setting), so letters cannot yet tell people how to reach you that way. Add them to the profile."
    ))
}

async fn serve(
    data: &std::path::Path,
    url_flag: Option<&str>,
    listen: Option<String>,
    demo: bool,
    profile: &str,
) -> Result<ExitCode> {
    let app = if demo && !DataDir::exists(data) {
        let (app, line) = init(data, profile, "Demo Administrator", url_flag, true).await?;
        say(&format!("Creating a demo office in {} …", data.display()));
        let summary = demo::populate(&app, 300).await?;
        let text = format!("{line}\n{summary}");
        std::fs::write(data.join("demo-tokens.txt"), &text)?;
        say(&demo::without_tokens(&text));
        // The demo was built by one command's app; the server keeps an index and follows
        // the change feed.
        app.started_afresh(Clock::default()).await?
    } else {
        let dir = DataDir::open(data)?;
        if demo && !dir.config.demo {
            bail!(
                "{} holds real data, not a demo office: start the demo with another --data folder",
                data.display()
            );
        }
        if demo {
            if let Ok(t) = std::fs::read_to_string(data.join("demo-tokens.txt")) {
                say(&demo::without_tokens(&t));
            }
        }
        let listen_cfg = dir.config.listen.clone();
        let mut app = open_server_app(&dir, url_flag).await?;
        let door = door(&mut app, &dir)?;
        spawn_pollers(&app, &dir)?;
        spawn_jobs(&app);
        spawn_checkpoints(&app, &dir)?;
        return run_server(app, listen.or(listen_cfg), demo, door).await;
    };
    let dir = DataDir::open(data)?;
    let mut app = app;
    let door = door(&mut app, &dir)?;
    spawn_jobs(&app);
    spawn_checkpoints(&app, &dir)?;
    run_server(app, listen, demo, door).await
}

/// Prints what the deep check found: every record that differs from what the event log
/// last recorded (the first hundred named, then how many of each kind), and exits 3 if any.
fn deep_report(found: &tact_core::audit::Comparison) -> ExitCode {
    use tact_core::audit::Difference;
    if found.awaiting_seal > 0 {
        println!(
            "{} contacts logged since the last seal are not on the event log yet: a running server seals them within {} s, or run `tact audit seal`.",
            found.awaiting_seal,
            tact_app::SEAL_EVERY.as_secs()
        );
    }
    let findings = &found.differences;
    if findings.is_empty() {
        println!("Every contact, plan and adjustment is as the event log last recorded it.");
        return ExitCode::SUCCESS;
    }
    const SHOWN: usize = 100;
    for (record, d) in findings.iter().take(SHOWN) {
        let (kind, id) = record.split_once(':').unwrap_or((record.as_str(), ""));
        eprintln!("{kind} {id} {}", d.plain());
    }
    if findings.len() > SHOWN {
        eprintln!("… and {} more", findings.len() - SHOWN);
    }
    let count = |d: Difference| findings.iter().filter(|(_, x)| *x == d).count();
    eprintln!(
        "error: {} records differ from the event log: {} changed, {} gone, {} put back, {} not covered",
        findings.len(),
        count(Difference::Changed),
        count(Difference::Missing),
        count(Difference::Reappeared),
        count(Difference::NotCovered),
    );
    if count(Difference::NotCovered) == findings.len() {
        eprintln!("Records written before this version of Tact are not covered: run `tact audit baseline` once after upgrading.");
    }
    ExitCode::from(3)
}

/// Who a console command acts as: the member of staff `--as` names, or (`None`) the
/// operator at the server's console.
async fn console_or_as(app: &App, as_staff: Option<i64>) -> Result<Option<Actor>> {
    match as_staff {
        Some(_) => Ok(Some(acting_as(app, as_staff).await?)),
        None => Ok(None),
    }
}

/// What `tact.toml` says about the door: rate limits and single sign-on for the server,
/// and session limits, the second-factor setting and the document makers for the app.
struct Door {
    limits: tact_web::harden::Limits,
    sso: Option<tact_web::sso::Settings>,
    /// Whether `[smtp]` is set, so letters by email go.
    mail_relay: bool,
}

fn door(app: &mut App, dir: &DataDir) -> Result<Door> {
    app.session_limits = dir.config.sessions.limits()?;
    app.second_factor_required =
        dir.config.sign_in.second_factor == config::SecondFactorSetting::Required;
    app.makers = dir.config.documents.makers();
    Ok(Door {
        limits: dir.config.limits.limits()?,
        sso: dir.config.sso.as_ref().map(|s| s.settings()).transpose()?,
        mail_relay: dir.config.smtp.is_some(),
    })
}

/// Runs the scheduled jobs while serving: at start, then every quarter of an hour; each
/// job does its work once a day however many servers share the database.
fn spawn_jobs(app: &App) {
    let app = app.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(15 * 60));
        loop {
            tick.tick().await;
            match app.run_jobs(None).await {
                Ok(ran) => {
                    for (job, o) in ran {
                        if let tact_app::jobs::JobOutcome::Ran { tasks } = o {
                            tracing::info!(job, tasks, "scheduled job ran");
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "scheduled jobs failed"),
            }
        }
    });
}

/// Keeps a signed checkpoint of the event log's head in the data folder once a minute
/// while the log grows, and puts it on the log too, so removing the newest entries is found
/// by `tact audit verify` (issue 12).
fn spawn_checkpoints(app: &App, dir: &DataDir) -> Result<()> {
    let key = dir.audit_key()?;
    let app = app.clone();
    let dir = DataDir::open(&dir.dir)?;
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        let mut last = dir.checkpoints().ok().and_then(|c| c.last().map(|c| c.seq));
        loop {
            tick.tick().await;
            match app.audit_checkpoint(&key).await {
                Ok(Some(cp)) if Some(cp.seq) != last => {
                    if let Err(e) = dir.keep_checkpoint(&cp) {
                        tracing::warn!(error = %e, "cannot keep the event log's checkpoint");
                    } else {
                        tracing::info!(checkpoint = %cp.line(), "event log checkpoint");
                        last = Some(cp.seq);
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "cannot read the event log's head"),
            }
        }
    });
    Ok(())
}

/// Polls each configured mailbox every `poll_seconds` while serving. A failing mailbox is
/// logged and tried again at the next poll; it never stops the server.
fn spawn_pollers(app: &App, dir: &DataDir) -> Result<()> {
    let every = std::time::Duration::from_secs(dir.config.poll_seconds.max(5));
    if let Some(smtp) = &dir.config.smtp {
        let relay = smtp.relay()?;
        let app = app.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
            loop {
                tick.tick().await;
                match app.send_due_letters(&relay, 500).await {
                    Ok((0, 0)) => {}
                    Ok((sent, failed)) => tracing::info!(sent, failed, "outbound email"),
                    Err(e) => tracing::warn!(error = %e, "sending failed"),
                }
            }
        });
    } else {
        // Staff can still write letters by email; they wait, "waiting to be sent", until a
        // relay is set: whoever runs Tact is told so at the start, not by a queue that grows.
        tracing::warn!(
            config = %DataDir::config_path(&dir.dir).display(),
            "no [smtp] relay is set: letters by email wait in the queue until one is set \
             (or `tact mail send` runs with one)"
        );
    }
    for m in &dir.config.mailboxes {
        let account = m.account()?;
        let app = app.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                match app
                    .poll_mailbox(&account, &tact_mail::Limits::default(), 1000)
                    .await
                {
                    Ok(p) if p.fetched > 0 => {
                        tracing::info!(mailbox = %account.name, fetched = p.fetched, outcomes = ?p.outcomes, "polled");
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(mailbox = %account.name, error = %e, "poll failed"),
                }
            }
        });
    }
    Ok(())
}

/// Whether the log is JSON lines (`TACT_LOG_FORMAT=json`).
fn json_logs() -> bool {
    std::env::var("TACT_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"))
}

/// A message for whoever runs the server: a line of text on standard error, or with JSON
/// logs a log line, so every line of the log is JSON.
fn say(message: &str) {
    if json_logs() {
        tracing::info!(target: "tact", "{message}");
    } else {
        eprintln!("{message}");
    }
}

async fn run_server(app: App, listen: Option<String>, demo: bool, door: Door) -> Result<ExitCode> {
    let addr = listen.unwrap_or_else(|| "127.0.0.1:8080".into());
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    say(&format!(
        "Tact ({}) listening on http://{} — the contact check answers from the database until its index is loaded",
        app.profile.organisation.short_name,
        listener.local_addr()?
    ));
    let closing = app.clone();
    let mut state = AppState::limited(app, door.limits);
    state.settings().mail_relay = door.mail_relay;
    if let Some(settings) = door.sso {
        say(&format!(
            "Single sign-on through {} ({})",
            settings.label, settings.issuer
        ));
        state.settings().sso = Some(std::sync::Arc::new(
            tact_web::sso::Sso::new(settings).map_err(|e| anyhow::anyhow!(e))?,
        ));
    }
    // A local demo is served over plain HTTP, where browsers drop Secure cookies. A real
    // deployment sits behind HTTPS and keeps them; TACT_COOKIE_SECURE overrides either way.
    state.settings().secure_cookies =
        std::env::var("TACT_COOKIE_SECURE").map_or(!demo, |v| v != "0" && v != "false");
    if state.secure_cookies {
        say(
            "Sign-in cookies are Secure: staff reach Tact over HTTPS (a browser also keeps them \
             from http://localhost); TACT_COOKIE_SECURE=false allows plain HTTP for a trial",
        );
    }
    tact_web::serve(listener, state, shutdown_signal()).await?;
    closing.close().await;
    say("Tact stopped cleanly.");
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// `tact import` (issue 14): a template, a dry run, or an import.
async fn import(
    data: &std::path::Path,
    as_staff: Option<i64>,
    args: &cli::ImportArgs,
    url_flag: Option<&str>,
) -> Result<ExitCode> {
    use tact_core::import::{template_csv, template_notes, Kind, Mapping};
    if let Some(kind) = &args.template {
        let kind = Kind::parse(kind).map_err(|e| anyhow!("--template: {}", e.message))?;
        std::fs::create_dir_all(&args.out)
            .with_context(|| format!("making {}", args.out.display()))?;
        // Both are checked before either is written: nothing is overwritten, and a refusal
        // leaves no half of the pair behind.
        let new =
            |name: String| new_file(args.out.join(name)).map_err(|e| Refused(format!("{e:#}")));
        let csv = new(format!("{}-template.csv", kind.as_str()))?;
        let notes = new(format!("{}-template.md", kind.as_str()))?;
        for (path, text) in [(&csv, template_csv(kind)), (&notes, template_notes(kind))] {
            save_new(path, text.as_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
        }
        println!(
            "{}",
            json!({"template": csv.display().to_string(), "notes": notes.display().to_string()})
        );
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(file), Some(kind), Some(source)) = (&args.file, &args.kind, &args.source) else {
        bail!("give the file, --kind and --source (or --template KIND)");
    };
    let refuse = |what: &str, e: tact_core::RuleError| {
        eprintln!("error: {what}{}", e.message);
        Ok(ExitCode::from(2))
    };
    let kind = match Kind::parse(kind) {
        Ok(k) => k,
        Err(e) => return refuse("--kind: ", e),
    };
    let mut mapping = match Mapping::parse(&args.map) {
        Ok(m) => m,
        Err(e) => return refuse("--map: ", e),
    };
    mapping.keep_unverified = args.keep_unverified;
    let bytes = named_file(file)?;
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let table = match tact_app::import::read_table(&name, &bytes, args.sheet.as_deref()) {
        Ok(t) => t,
        Err(e) => return refuse("", e),
    };
    let (_, app) = open_app(data, url_flag).await?;
    let mut ctx = tact_app::Ctx::new(acting_as(&app, as_staff).await?);
    let bar = args
        .commit
        .then(|| progress::bar(table.rows.len(), &format!("{} written", kind.as_str())));
    if let Some(bar) = &bar {
        let shown = bar.clone();
        ctx.progress = Some(tact_app::Progress(std::sync::Arc::new(
            move |done, total| {
                shown.set_length(total);
                shown.set_position(done);
            },
        )));
    }
    let done = app
        .execute(
            &ctx,
            tact_core::command::ImportRecords {
                source: source.clone(),
                kind,
                table,
                mapping,
                commit: args.commit,
            },
        )
        .await;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let report = match done {
        Ok(r) => r,
        Err(tact_app::AppError::Rule(e)) => return refuse("", e),
        Err(e) => return Err(e.into()),
    };
    for p in &report.problems {
        eprintln!("{name}: row {}, column {}: {}", p.row, p.column, p.reason);
    }
    println!(
        "{}",
        json!({
            "file": name,
            "source": report.source,
            "kind": report.kind.as_str(),
            "rows": report.rows,
            "new": report.new,
            "already_imported": report.already,
            "problems": report.problems.iter().map(|p| {
                let mut v = json!({"file": name, "row": p.row, "column": p.column, "reason": p.reason});
                if let Some(input) = &p.overridden_by {
                    v["overridden_by"] = input.as_str().into();
                }
                v
            }).collect::<Vec<_>>(),
            "committed": report.committed,
            "left_out": report.left_out,
        })
    );
    if !report.left_out.is_empty() {
        eprintln!(
            "Not imported: the {} {} (no field takes {}; --map field=Heading takes one, such as --map phones=Telephone).",
            if report.left_out.len() == 1 { "column" } else { "columns" },
            report.left_out.iter().map(|h| format!("{h:?}")).collect::<Vec<_>>().join(", "),
            if report.left_out.len() == 1 { "it" } else { "them" }
        );
    }
    if !report.problems.is_empty() {
        // What the importer may say instead of changing the file, as the command's flag.
        let typed = typed_command();
        let mut instead: Vec<String> = report
            .problems
            .iter()
            .filter_map(|p| p.overridden_by.as_deref())
            .filter_map(|input| flag_for(&typed, input))
            .collect();
        instead.sort();
        instead.dedup();
        eprintln!(
            "{} problem{}: nothing was written. Put them right in the file and run this again{}.",
            report.problems.len(),
            if report.problems.len() == 1 { "" } else { "s" },
            if instead.is_empty() {
                String::new()
            } else {
                format!(", or to go ahead anyway add {}", instead.join(" "))
            }
        );
        return Ok(ExitCode::from(2));
    }
    if report.new == 0 {
        eprintln!(
            "Nothing to write: every row was imported from {} before.",
            report.source
        );
    } else if !report.committed {
        eprintln!(
            "Dry run: {} new, {} already imported, no problems. Nothing was written; add --commit to import.",
            report.new, report.already
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A command the app carried out or refused: what `said` makes of its result goes to
/// standard output; a refusal of a rule goes to standard error in its own words, with exit
/// code 2, as every command's refusal does; anything else is an error.
fn told<T>(
    result: tact_app::Result<T>,
    said: impl FnOnce(T) -> String,
) -> anyhow::Result<ExitCode> {
    match result {
        Ok(out) => {
            println!("{}", said(out));
            Ok(ExitCode::SUCCESS)
        }
        Err(tact_app::AppError::Rule(e)) => {
            eprintln!("{}", rule_line(&e));
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::refusal_line;
    use axum::http::StatusCode;
    use serde_json::json;

    /// A fault at the console says each cause once, from the outermost in: here a database
    /// that refused the connection, whose errors each repeat their source.
    #[test]
    fn a_fault_says_each_cause_once() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "Connection refused");
        let db = tact_store::StoreError::Db(sqlx::Error::Io(io));
        let e = anyhow::Error::new(db).context("opening the database postgres://…@db:5432/tact");
        assert_eq!(
            super::said(&e),
            "opening the database postgres://…@db:5432/tact: database error: error communicating \
             with database: Connection refused"
        );
        // Causes that are not repeated are all said, in order.
        let e = anyhow::anyhow!("the file is empty").context("reading people.csv");
        assert_eq!(super::said(&e), "reading people.csv: the file is empty");
    }

    /// A refusal reads at the console as it does on a page: its field, and its clause cited
    /// the way the pages cite it, so a rule the policy is silent on is "a local rule".
    #[test]
    fn a_refusal_names_its_field_and_cites_its_clause_as_the_pages_do() {
        let none = |_: &str| None;
        let e = json!({"message": "a caseworker may not authorise a plan", "field": null, "clause": "LOCAL"});
        assert_eq!(
            refusal_line(StatusCode::FORBIDDEN, &e, none),
            "error: a caseworker may not authorise a plan [a local rule]"
        );
        let e = json!({"message": "give a reason", "field": "reason", "clause": "CLE-9.3"});
        assert_eq!(
            refusal_line(StatusCode::BAD_REQUEST, &e, none),
            "error: give a reason (field `reason`) [CLE-9.3]"
        );
        assert_eq!(
            refusal_line(StatusCode::BAD_REQUEST, &e, |f| Some(format!("--{f}"))),
            "error: give a reason (--reason) [CLE-9.3]"
        );
        // A refusal the user may overrule names the flag that does.
        let e = json!({"message": "not a number in use", "field": "phones[0]", "clause": null, "overridden_by": "keep_unverified"});
        assert_eq!(
            refusal_line(StatusCode::BAD_REQUEST, &e, |f| Some(format!("--{f}"))),
            "error: not a number in use (--phones[0]; to go ahead anyway: --keep_unverified)"
        );
        assert_eq!(
            refusal_line(StatusCode::BAD_REQUEST, &e, none),
            "error: not a number in use (field `phones[0]`; to go ahead anyway: field `keep_unverified`)"
        );
        let e = json!({"message": "no service user 9", "field": "id", "clause": null});
        assert_eq!(
            refusal_line(StatusCode::NOT_FOUND, &e, |f| Some(format!("--{f}"))),
            "error: no service user 9"
        );
    }

    /// A refusal names the flag the user typed for the API's field, where the command has
    /// one.
    #[test]
    fn a_refusal_names_the_flag_that_gives_its_field() {
        use clap::CommandFactory;
        let cli = super::Cli::command();
        let log = cli
            .find_subcommand("contact")
            .and_then(|c| c.find_subcommand("log"))
            .unwrap();
        let add = cli
            .find_subcommand("person")
            .and_then(|c| c.find_subcommand("add"))
            .unwrap();
        for (cmd, field, flag) in [
            (log, "duration_seconds", Some("--minutes")),
            (log, "person_id", Some("--person")),
            (log, "matter_id", Some("--matter")),
            (log, "summary", Some("--summary")),
            (log, "restrictions[0].channel", None),
            (add, "phones[0]", Some("--phone")),
            (add, "keep_unverified", Some("--keep-unverified")),
            (add, "shared", Some("--shared")),
            (add, "emails[1]", Some("--email")),
            (add, "preferred_format", Some("--format")),
            (add, "postal_address", Some("--address")),
            (add, "advocate", Some("--advocate")),
            (add, "advocate.name", Some("--advocate")),
            (add, "advocate.phone", Some("--advocate-phone")),
            (
                add,
                "advocate.organisation",
                Some("--advocate-organisation"),
            ),
        ] {
            assert_eq!(super::flag_for(cmd, field).as_deref(), flag, "{field}");
        }
    }
}
