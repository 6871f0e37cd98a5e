//! `tact-bench`: the measurements in BENCHMARKS.md.
//!
//! `tact-bench run --people N --backend sqlite|postgres` makes (once) a data folder with N
//! service users and 20 contacts each (0.5% of them under an active plan), starts the real
//! `tact serve` beside it as a child process, and loads it over HTTP from this process:
//! `/healthz`, then the contact check for random callers, then contact logging. Every
//! logged contact is acknowledged only after its transaction commits (SQLite runs with
//! `synchronous = FULL`), so the logging rate counts durable writes.

use anyhow::{bail, Context, Result};
use clap::Parser;
use jiff::{SignedDuration, Timestamp};
use rand::Rng;
use sqlx::Executor;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tact_core::ids::*;
use tact_core::model::*;
use tact_core::profile::Channel;
use tact_store::Store;

#[derive(Parser)]
#[command(name = "tact-bench")]
enum Cli {
    /// Generate (if needed) and measure.
    Run(RunArgs),
    /// `tact import --commit` of a people file (issue 14): N people, each with a phone
    /// number, an email address and a postal address, into a new office, timed end to end
    /// (reading the file, checking every row, writing them in one transaction).
    Import {
        #[arg(long, default_value_t = 100_000)]
        people: usize,
        #[arg(long, default_value = "sqlite")]
        backend: String,
        #[arg(long, default_value = "postgres://root@127.0.0.1:5432/test")]
        postgres_url: String,
        #[arg(long, default_value = "target/bench-data")]
        dir: PathBuf,
        /// Leave the file untouched for 90 seconds first, so this machine has evicted it
        /// from the page cache (cold); otherwise it is read once just before (warm).
        #[arg(long)]
        cold: bool,
    },
    /// Makes one letter as each document Tact offers (PDF, Word, Braille, audio) and the
    /// policy as a PDF, `--repeat` times each, for a letter of a page and one at the longest
    /// a letter may be: the figures behind `[documents]`' turns (`tact_app::makers`).
    Documents {
        #[arg(long, default_value_t = 3)]
        repeat: usize,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    #[arg(long, default_value_t = 100_000)]
    people: usize,
    #[arg(long, default_value_t = 20)]
    contacts_per_person: usize,
    #[arg(long, default_value = "sqlite")]
    backend: String,
    /// The PostgreSQL server for --backend postgres; a database tact_bench_N is made on it.
    #[arg(long, default_value = "postgres://root@127.0.0.1:5432/test")]
    postgres_url: String,
    /// Seconds per phase.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Concurrent connections.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Where data folders are kept between runs.
    #[arg(long, default_value = "target/bench-data")]
    dir: PathBuf,
    /// Run only the phases whose names start with one of these (comma-separated:
    /// healthz, contact-check, log-contact, find, GET), for profiling one of them.
    #[arg(long)]
    only: Option<String>,
}

fn phone(i: i64) -> String {
    format!("+4478{i:08}")
}

fn tact_bin() -> Result<PathBuf> {
    let me = std::env::current_exe()?;
    let bin = me.with_file_name("tact");
    if !bin.exists() {
        bail!(
            "{} not found: build it first (cargo build --release -p tact -p tact-bench)",
            bin.display()
        );
    }
    Ok(bin)
}

fn tact(data: &Path, url: &str, args: &[&str]) -> Result<String> {
    let out = Command::new(tact_bin()?)
        .arg("--data")
        .arg(data)
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env(
            "TACT_LOG",
            std::env::var("TACT_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .output()?;
    if !out.status.success() {
        bail!(
            "tact {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Loads people, identifiers and contacts with set-based SQL (a recursive CTE on SQLite,
/// generate_series on PostgreSQL): row-at-a-time inserts would take longer than the run.
async fn generate(store: &Store, backend: &str, people: usize, per_person: usize) -> Result<()> {
    let now = Timestamp::now();
    let now_us = tact_core::audit::micros(now);
    let t0 = Instant::now();
    let batch = 100_000usize;
    let mut done = 0usize;
    let last_contact = per_person as i64 - 1;
    while done < people {
        let (from, to) = (done as i64 + 1, (done + batch.min(people - done)) as i64);
        let (series, pad6, pad8) = if backend == "sqlite" {
            (format!("WITH RECURSIVE n(i) AS (SELECT {from} UNION ALL SELECT i + 1 FROM n WHERE i < {to})"), "printf('%06d', i)".to_string(), "printf('%08d', i)".to_string())
        } else {
            (
                format!("WITH n(i) AS (SELECT generate_series({from}::bigint, {to}::bigint))"),
                "CASE WHEN i < 1000000 THEN lpad(i::text, 6, '0') ELSE i::text END".to_string(),
                "lpad(i::text, 8, '0')".to_string(),
            )
        };
        let contacts_cte = if backend == "sqlite" {
            format!("{series}, c(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM c WHERE k < {last_contact})")
        } else {
            format!("{series}, c(k) AS (SELECT generate_series(0, {last_contact}))")
        };
        let mut tx = store.begin().await?;
        tx.execute_raw(&format!("{series} INSERT INTO people (id, reference, name, name_lower, preferred_format, created_at) SELECT i, 'SU-' || {pad6}, 'Person ' || i, 'person ' || i, 'standard', {now_us} FROM n")).await?;
        tx.execute_raw(&format!("{series} INSERT INTO person_identifiers (identifier, person_id, kind) SELECT '+4478' || {pad8}, i, 'phone' FROM n")).await?;
        tx.execute_raw(&format!("{series} INSERT INTO person_identifiers (identifier, person_id, kind) SELECT 'p' || i || '@bench.example', i, 'email' FROM n")).await?;
        tx.execute_raw(&format!(
            "{contacts_cte} INSERT INTO contacts (person_id, channel, direction, at, identifier, summary, body, breach_of, screening, not_recorded_as_complaint) \
             SELECT i, CASE WHEN k % 2 = 0 THEN 'phone' ELSE 'email' END, CASE WHEN k % 3 = 0 THEN 'outbound' ELSE 'inbound' END, \
             {now_us} - (k + 1) * 86400000000 - (i % 600) * 60000000, '+4478' || {pad8}, 'Asked for an update', '', '', 'not-needed', 0 FROM n, c"
        ))
        .await?;
        tx.commit().await?;
        done = to as usize;
        eprint!(
            "\r  generated {done}/{people} people ({:.0} s)",
            t0.elapsed().as_secs_f64()
        );
    }
    eprintln!();
    let mut tx = store.begin().await?;
    if backend == "postgres" {
        tx.execute_raw(
            "SELECT setval(pg_get_serial_sequence('people', 'id'), (SELECT MAX(id) FROM people))",
        )
        .await?;
    }
    // The generated history stands for records from before the event log covered them
    // (`tact audit baseline` covers those once): the sealed mark goes past it, so the
    // runs measure logging with the sealer keeping up, not sealing two million old rows.
    tx.execute_raw(
        "UPDATE seal_head SET contacts = (SELECT COALESCE(MAX(id), 0) FROM contacts) WHERE id = 1",
    )
    .await?;
    tx.commit().await?;
    // 0.5% of people are under an active plan: a weekly call window and email only.
    let mut tx = store.begin().await?;
    for i in (1..=people as i64).step_by(200) {
        let (mid, _) = tx
            .insert_matter(&Matter {
                id: MatterId(0),
                person_id: PersonId(i),
                reference: String::new(),
                kind: MatterKind::Complaint,
                title: "Complaint".into(),
                status: MatterStatus::ReviewExhausted,
                finalised_on: None,
                opened_at: now,
            })
            .await?;
        let review = tact_core::check::uk_date(now) + jiff::Span::new().days(60);
        let s = Plan {
            id: PlanId(0),
            person_id: PersonId(i),
            version: 1,
            plan_version: 1,
            status: PlanStatus::Active,
            matter_ids: vec![mid],
            incident_ids: vec![],
            restrictions: vec![
                Restriction {
                    rule: Rule::CallWindow {
                        windows: vec![CallWindow::hours(jiff::civil::Weekday::Tuesday, 10, 12)],
                        max_minutes: Some(20),
                        max_calls_per_window: None,
                    },
                    reason: "bench".into(),
                },
                Restriction {
                    rule: Rule::SingleChannel {
                        channel: Channel::Email,
                    },
                    reason: "bench".into(),
                },
            ],
            reasons: "bench".into(),
            aims: "bench".into(),
            proportionality: "bench".into(),
            no_warning_reason: None,
            checklist: vec![],
            created_by: StaffId(1),
            created_at: now,
            proposed_by: Some(StaffId(1)),
            proposed_at: Some(now),
            decided_by: Some(StaffId(1)),
            decided_at: Some(now),
            decision_reason: Some("bench".into()),
            overrides: vec![],
            // Told in writing: until then a plan restricts nothing (CLE-9.6).
            notice: Some(Notice {
                agreement_sought: true,
                policy_enclosed: true,
                ..Notice::letter(
                    now - SignedDuration::from_hours(24),
                    StaffId(1),
                    Format::Standard,
                )
            }),
            effective_from: Some(now - SignedDuration::from_hours(24)),
            review_due: review,
            ends_on: None,
            pending_variation: None,
            pending_matters: Vec::new(),
            lifted_at: None,
            lift_reason: None,
            participants: vec![StaffId(1)],
        };
        tx.insert_plan(&s).await?;
    }
    tx.commit().await?;
    store.pool().execute("ANALYZE").await?;
    Ok(())
}

struct Phase {
    name: &'static str,
    requests: usize,
    errors: usize,
    seconds: f64,
    p50_us: u64,
    p95_us: u64,
    p99_us: u64,
}

impl Phase {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

/// The phases `--only` asks for (all when unset).
static ONLY: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();

async fn load<F>(
    name: &'static str,
    client: &reqwest::Client,
    concurrency: usize,
    seconds: u64,
    make: F,
) -> Phase
where
    F: Fn(&reqwest::Client, &mut rand::rngs::ThreadRng) -> reqwest::RequestBuilder
        + Send
        + Sync
        + 'static,
{
    if !wanted(name) {
        return Phase {
            name,
            requests: 0,
            errors: 0,
            seconds: 1.0,
            p50_us: 0,
            p95_us: 0,
            p99_us: 0,
        };
    }
    let make = Arc::new(make);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let client = client.clone();
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(100_000);
            let mut errors = 0;
            while Instant::now() < deadline {
                let rb = {
                    let mut rng = rand::thread_rng();
                    make(&client, &mut rng)
                };
                let t = Instant::now();
                match rb.send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed().as_micros() as u64);
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap_or_default();
        all.extend(l);
        errors += e;
    }
    let seconds = start.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    Phase {
        name,
        requests: all.len(),
        errors,
        seconds,
        p50_us: pct(0.50),
        p95_us: pct(0.95),
        p99_us: pct(0.99),
    }
}

/// Signs the bench caseworker in to the web UI and returns the session cookie.
async fn sign_in(client: &reqwest::Client, base: &str) -> Result<String> {
    let r = client.get(format!("{base}/sign-in")).send().await?;
    let form_cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .context("form cookie")?
        .to_string();
    let html = r.text().await?;
    let token = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .context("form token")?
        .to_string();
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let r = no_redirect
        .post(format!("{base}/sign-in"))
        .header("cookie", form_cookie)
        .form(&[
            ("username", "bench"),
            ("password", "bench-password-long"),
            ("csrf", token.as_str()),
        ])
        .send()
        .await?;
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tact_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
        .context("sign-in failed")
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

/// Makes a fresh office for an import run, on SQLite or a new PostgreSQL database.
async fn fresh_office(
    data: &Path,
    backend: &str,
    postgres_url: &str,
    name: &str,
) -> Result<String> {
    let _ = std::fs::remove_dir_all(data);
    std::fs::create_dir_all(data)?;
    let url = match backend {
        "sqlite" => format!(
            "sqlite://{}?mode=rwc",
            std::fs::canonicalize(data)?.join("tact.db").display()
        ),
        "postgres" => {
            let (prefix, _) = postgres_url
                .rsplit_once('/')
                .context("a postgres URL ends in /database")?;
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(postgres_url).await?;
            sqlx::Executor::execute(&mut c, format!("DROP DATABASE IF EXISTS {name}").as_str())
                .await?;
            sqlx::Executor::execute(&mut c, format!("CREATE DATABASE {name}").as_str()).await?;
            format!("{prefix}/{name}")
        }
        other => bail!("--backend sqlite or postgres, not {other}"),
    };
    tact(data, &url, &["init", "--profile", "cleveland-opcc"])?;
    Ok(url)
}

async fn import_bench(
    people: usize,
    backend: &str,
    postgres_url: &str,
    dir: &Path,
    cold: bool,
) -> Result<()> {
    let data = dir.join(format!("import-{backend}-{people}"));
    let url = fresh_office(
        &data,
        backend,
        postgres_url,
        &format!("tact_import_bench_{people}"),
    )
    .await?;
    let file = dir.join(format!("import-people-{people}.csv"));
    {
        use std::io::Write;
        let mut w = std::io::BufWriter::new(std::fs::File::create(&file)?);
        writeln!(
            w,
            "id,name,phones,emails,postal_address,preferred_format,needs_help"
        )?;
        for i in 1..=people as i64 {
            writeln!(
                w,
                "C-{i},Person {i},07{:09},p{i}@import.example,\"{i} High Street, Middlesbrough, TS1 1AA\",{},{}",
                800_000_000 + i,
                if i % 20 == 0 { "large-print" } else { "standard" },
                if i % 3 == 0 { "no" } else { "" }
            )?;
        }
    }
    let size = std::fs::metadata(&file)?.len();
    if cold {
        eprintln!("leaving the file untouched for 90 s so the page cache lets it go");
        tokio::time::sleep(Duration::from_secs(90)).await;
    } else {
        std::fs::read(&file)?;
    }
    let t = Instant::now();
    let out = tact(
        &data,
        &url,
        &[
            "--as",
            "1",
            "import",
            file.to_str().context("path")?,
            "--kind",
            "people",
            "--source",
            "bench",
            "--commit",
        ],
    )?;
    let secs = t.elapsed().as_secs_f64();
    let v: serde_json::Value = serde_json::from_str(out.trim())?;
    if v["new"].as_u64() != Some(people as u64) || v["committed"] != true {
        bail!("the import did not write every row: {out}");
    }
    // Every row is there, with both identifiers, as the contact check reads them.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await?;
    for (table, want) in [("people", people), ("person_identifiers", 2 * people)] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&pool)
            .await?;
        if n != want as i64 {
            bail!("{n} rows in {table} after importing {people} people (expected {want})");
        }
    }
    println!(
        "{}",
        serde_json::json!({
            "bench": "import",
            "backend": backend,
            "people": people,
            "file_bytes": size,
            "file": if cold { "cold" } else { "warm" },
            "seconds": (secs * 100.0).round() / 100.0,
            "people_per_second": (people as f64 / secs).round(),
        })
    );
    Ok(())
}

/// A paragraph of a letter, as a notice might say it.
const PARAGRAPH: &str = "We have written to you about how you may contact this office. \
We will keep reading everything you send us, and we will still deal with any new complaint \
or new information you give us. If you think this decision is wrong, you can ask us to look \
at it again: write to us and say why, and a senior manager who was not part of the \
decision will answer you.";

/// A letter in standard print, laid out as the server lays out a kept letter.
fn laid<'a>(head: &'a [Vec<String>], subject: &'a str, text: &'a str) -> tact_mail::Layout<'a> {
    tact_mail::Layout {
        head,
        subject,
        text,
        large: false,
    }
}

/// How long each document takes to make, in seconds: the fastest, the median and the
/// slowest of `repeat` runs, printed one JSON line a document and length.
fn documents_bench(repeat: usize) -> Result<()> {
    let letter = |chars: usize| {
        let mut t = String::from("Dear Jo Bloggs,\n\n");
        while t.chars().count() + PARAGRAPH.len() + 2 < chars {
            t.push_str(PARAGRAPH);
            t.push_str("\n\n");
        }
        t.push_str("Yours sincerely,\n\nThe Office of the Police and Crime Commissioner\n");
        t
    };
    let head = vec![
        vec!["Office of the Police and Crime Commissioner".to_string()],
        vec!["Jo Bloggs".to_string(), "1 High Street".to_string()],
        vec![
            "Our reference: SU-000001".to_string(),
            "4 December 2026".to_string(),
        ],
    ];
    let subject = "Your contact with us";
    let policy = tact_core::profile::Profile::built_in("northamptonshire-opfcc")
        .and_then(|p| p.policy_text())
        .context("the built-in profile holds its policy's text")?;
    let lengths = [
        ("a page", letter(2_000)),
        (
            "the longest",
            letter(tact_core::correspondence::MAX_LETTER_CHARS),
        ),
    ];
    type Maker<'a> = Box<dyn Fn(&str) -> Result<Vec<u8>, String> + 'a>;
    let makers: Vec<(&str, Maker)> = vec![
        (
            "pdf",
            Box::new(|t: &str| tact_mail::pdf::render(&laid(&head, subject, t))),
        ),
        (
            "docx",
            Box::new(|t: &str| tact_mail::docx::render(&laid(&head, subject, t))),
        ),
        (
            "braille",
            Box::new(|t: &str| tact_mail::formats::brf(subject, t)),
        ),
        (
            "audio",
            Box::new(|t: &str| tact_mail::formats::audio(subject, t)),
        ),
    ];
    let time = |what: &str,
                length: &str,
                chars: usize,
                make: &dyn Fn() -> Result<Vec<u8>, String>|
     -> Result<()> {
        let mut secs = Vec::new();
        let mut bytes = 0;
        for _ in 0..repeat {
            let start = Instant::now();
            bytes = make().map_err(|e| anyhow::anyhow!("{what}: {e}"))?.len();
            secs.push(start.elapsed().as_secs_f64());
        }
        secs.sort_by(f64::total_cmp);
        let r = |x: f64| (x * 1000.0).round() / 1000.0;
        println!(
            "{}",
            serde_json::json!({
                "bench": "documents", "document": what, "letter": length, "chars": chars,
                "bytes": bytes, "runs": repeat, "fastest_s": r(secs[0]),
                "median_s": r(secs[secs.len() / 2]), "slowest_s": r(secs[secs.len() - 1]),
            })
        );
        Ok(())
    };
    for (length, text) in &lengths {
        for (what, make) in &makers {
            time(what, length, text.chars().count(), &|| make(text))?;
        }
    }
    time("policy-pdf", "the policy", policy.chars().count(), &|| {
        tact_mail::pdf::render(&tact_mail::Layout::plain("Policy", &policy))
    })?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = match Cli::parse() {
        Cli::Import {
            people,
            backend,
            postgres_url,
            dir,
            cold,
        } => return import_bench(people, &backend, &postgres_url, &dir, cold).await,
        Cli::Documents { repeat } => return documents_bench(repeat.max(1)),
        Cli::Run(args) => args,
    };
    let RunArgs {
        people,
        contacts_per_person,
        backend,
        postgres_url,
        seconds,
        concurrency,
        dir,
        only,
    } = args;
    if let Some(o) = only {
        let _ = ONLY.set(o.split(',').map(|s| s.trim().to_string()).collect());
    }
    let data = dir.join(format!("{backend}-{people}"));
    let url = match backend.as_str() {
        "sqlite" => {
            std::fs::create_dir_all(&data)?;
            format!(
                "sqlite://{}?mode=rwc",
                std::fs::canonicalize(&data)?.join("tact.db").display()
            )
        }
        "postgres" => {
            let name = format!("tact_bench_{people}");
            let (prefix, _) = postgres_url
                .rsplit_once('/')
                .context("a postgres URL ends in /database")?;
            if !data.join("tact.toml").exists() {
                use sqlx::Connection;
                let mut c = sqlx::PgConnection::connect(&postgres_url).await?;
                sqlx::Executor::execute(&mut c, format!("DROP DATABASE IF EXISTS {name}").as_str())
                    .await?;
                sqlx::Executor::execute(&mut c, format!("CREATE DATABASE {name}").as_str()).await?;
            }
            format!("{prefix}/{name}")
        }
        other => bail!("--backend sqlite or postgres, not {other}"),
    };
    let token_file = data.join("bench-token");
    if !data.join("tact.toml").exists() {
        let _ = std::fs::remove_dir_all(&data);
        eprintln!("initialising {} ({backend})", data.display());
        tact(&data, &url, &["init", "--profile", "cleveland-opcc"])?;
        let out = tact(
            &data,
            &url,
            &[
                "staff",
                "add",
                "--name",
                "Bench Caseworker",
                "--role",
                "caseworker",
            ],
        )?;
        let v: serde_json::Value = serde_json::from_str(&out)?;
        std::fs::write(&token_file, v["token"].as_str().context("token")?)?;
        let id = v["staff"]["id"].as_i64().context("staff id")?.to_string();
        let mut child = Command::new(tact_bin()?)
            .arg("--data")
            .arg(&data)
            .arg("--database-url")
            .arg(&url)
            .args(["staff", "password", &id, "--username", "bench"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()?;
        {
            use std::io::Write;
            child
                .stdin
                .take()
                .context("stdin")?
                .write_all(b"bench-password-long\n")?;
        }
        if !child.wait()?.success() {
            bail!("could not set the bench caseworker's password");
        }
        let store = Store::open(&url).await?;
        let t = Instant::now();
        generate(&store, &backend, people, contacts_per_person).await?;
        eprintln!(
            "generated {people} people with {contacts_per_person} contacts each in {:.0} s",
            t.elapsed().as_secs_f64()
        );
        store.close().await;
    }
    let token = std::fs::read_to_string(&token_file)?;
    // The bench measures the server, not its rate limits: one token makes every call.
    let toml = data.join("tact.toml");
    let text = std::fs::read_to_string(&toml)?;
    if !text.contains("[limits]") {
        std::fs::write(
            &toml,
            format!("{text}\n[limits]\napi_per_second = 1000000\napi_burst = 1000000\n"),
        )?;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let addr = format!("127.0.0.1:{port}");
    let started = Instant::now();
    let child = Command::new(tact_bin()?)
        .arg("--data")
        .arg(&data)
        .arg("--database-url")
        .arg(&url)
        .args(["serve", "--listen", &addr])
        .env(
            "TACT_LOG",
            std::env::var("TACT_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stderr(Stdio::inherit())
        .spawn()?;
    let _server = Server(child);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let base = format!("http://{addr}");
    // The first correct answer: person 1 is under a plan, so a right answer names them and
    // the plan's restrictions (from the database while the index loads, if need be).
    let first_correct = loop {
        let r = client
            .get(format!(
                "{base}/api/v1/contact-check?phone={}",
                phone(1).replace('+', "%2B")
            ))
            .bearer_auth(&token)
            .send()
            .await;
        if let Ok(r) = r {
            if let Ok(v) = r.json::<serde_json::Value>().await {
                if v["person"]["id"] == 1
                    && v["restrictions"].as_array().is_some_and(|a| !a.is_empty())
                {
                    break (
                        started.elapsed(),
                        v["freshness"]["source"].as_str().unwrap_or("").to_string(),
                    );
                }
            }
        }
        if started.elapsed() > Duration::from_secs(600) {
            bail!("the server did not start");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    eprintln!(
        "first correct answer {:.2} s after start (from the {})",
        first_correct.0.as_secs_f64(),
        first_correct.1
    );
    let index_ready = loop {
        let r = client.get(format!("{base}/readyz")).send().await;
        if let Ok(r) = r {
            if let Ok(v) = r.json::<serde_json::Value>().await {
                if v["index"] == "ready" {
                    break started.elapsed();
                }
            }
        }
        if started.elapsed() > Duration::from_secs(600) {
            bail!("the index never loaded");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    eprintln!("index ready {:.1} s after start", index_ready.as_secs_f64());
    // The whole resident set, and how much of it is the program's own memory (anonymous)
    // rather than mapped files (the binary, SQLite's shared-memory index).
    let rss_of = |pid: u32| {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
                .map_or("?".to_string(), |kb| format!("{:.0}", kb as f64 / 1024.0))
        };
        format!(
            "{} MiB (anon {}, file {}, shmem {})",
            field("VmRSS:"),
            field("RssAnon:"),
            field("RssFile:"),
            field("RssShmem:")
        )
    };
    let rss_ready = rss_of(_server.0.id());
    // The server's RSS after each phase, to see what grows.
    let mut rss_after: Vec<(&str, String)> = Vec::new();
    let n = people as i64;
    let check_req = |b: String, t: String| {
        move |c: &reqwest::Client, rng: &mut rand::rngs::ThreadRng| {
            let i = rng.gen_range(1..=n);
            c.get(format!(
                "{b}/api/v1/contact-check?phone={}",
                phone(i).replace('+', "%2B")
            ))
            .bearer_auth(&t)
        }
    };
    let health_req = |b: String| {
        move |c: &reqwest::Client, _: &mut rand::rngs::ThreadRng| c.get(format!("{b}/healthz"))
    };
    // One phase: `load`'s figures, and the server's RSS noted after it under `key`.
    macro_rules! phase {
        ($key:expr, $name:expr, $conc:expr, $req:expr) => {{
            let r = load($name, &client, $conc, seconds, $req).await;
            rss_after.push(($key, rss_of(_server.0.id())));
            r
        }};
    }
    // The files the database is kept in.
    let db_files = database_files(&backend, &data, &url).await?;
    // One phase after putting the database's files the way it says: "warm" (read through)
    // or "cold" (dropped from the page cache, as this machine drops pages untouched for
    // about a minute by itself), where `--only` asks for it.
    macro_rules! phase_in {
        ($state:literal, $key:literal, $name:literal, $conc:expr, $req:expr) => {{
            let name = concat!($name, ", file ", $state);
            if wanted(name) {
                if $state == "warm" {
                    warm_all(&db_files)
                } else {
                    evict_all(&db_files)
                }
            }
            phase!(concat!($key, "_", $state), name, $conc, $req)
        }};
    }
    // A phase that reads the database, run twice: warm, then cold (on one connection
    // unless it says how many).
    macro_rules! warm_cold {
        ($key:literal, $name:literal, $req:expr) => {
            warm_cold!($key, $name, 1, $req)
        };
        ($key:literal, $name:literal, $conc:expr, $req:expr) => {
            [
                phase_in!("warm", $key, $name, $conc, $req),
                phase_in!("cold", $key, $name, $conc, $req),
            ]
        };
    }
    // Latency first, with one connection (the server is not queueing requests behind each other),
    // then throughput with many connections, /healthz and the contact check in the same run.
    let health_1 = phase!("health_1", "healthz", 1, health_req(base.clone()));
    let check_1 = warm_cold!(
        "check_1",
        "contact-check",
        check_req(base.clone(), token.clone())
    );
    let health = phase!("health", "healthz", concurrency, health_req(base.clone()));
    let check = phase_in!(
        "warm",
        "check",
        "contact-check",
        concurrency,
        check_req(base.clone(), token.clone())
    );
    let log_req = |b: String, t: String| {
        move |c: &reqwest::Client, rng: &mut rand::rngs::ThreadRng| {
            let i = rng.gen_range(1..=n);
            c.post(format!("{b}/api/v1/contacts")).bearer_auth(&t).json(&serde_json::json!({"channel": "phone", "phone": phone(i), "summary": "Called for an update"}))
        }
    };
    // What SQLite itself commits, beside what Tact's logging does.
    let raw = if backend == "sqlite" && wanted("log-contact") {
        Some(raw_sqlite_rate(&data, seconds).await?)
    } else {
        None
    };
    let [log, log_cold] = warm_cold!(
        "log",
        "log-contact (durable)",
        concurrency,
        log_req(base.clone(), token.clone())
    );
    let search_req = |b: String, t: String, ui: bool| {
        move |c: &reqwest::Client, rng: &mut rand::rngs::ThreadRng| {
            let i = rng.gen_range(1..=n);
            let q = match rng.gen_range(0..4) {
                0 => phone(i),
                1 => format!("p{i}@bench.example"),
                2 => format!("SU-{i:06}"),
                _ => format!("rson {i}"),
            };
            let q = q
                .replace('+', "%2B")
                .replace('@', "%40")
                .replace(' ', "%20");
            if ui {
                c.get(format!("{b}/people?q={q}"))
                    .header("cookie", t.clone())
            } else {
                c.get(format!("{b}/api/v1/people?q={q}")).bearer_auth(&t)
            }
        }
    };
    let search_api = warm_cold!(
        "search_api",
        "find a person (API: phone, email, reference or part of a name)",
        search_req(base.clone(), token.clone(), false)
    );
    let session = sign_in(&client, &base).await?;
    // A page of the staff UI: a random person's, or the home page.
    let page_req = |b: String, c: String, person: bool| {
        move |cl: &reqwest::Client, rng: &mut rand::rngs::ThreadRng| {
            let path = if person {
                format!("/people/{}", rng.gen_range(1..=n))
            } else {
                "/".to_string()
            };
            cl.get(format!("{b}{path}")).header("cookie", c.clone())
        }
    };
    let person_page = warm_cold!(
        "person_page",
        "GET /people/{id} (page)",
        page_req(base.clone(), session.clone(), true)
    );
    let home_page = warm_cold!(
        "home_page",
        "GET / (home page)",
        page_req(base.clone(), session.clone(), false)
    );
    let search_ui = warm_cold!(
        "search_ui",
        "find a person (UI page: phone, email, reference or part of a name)",
        search_req(base.clone(), session.clone(), true)
    );
    let rss = rss_of(_server.0.id());
    println!("backend {backend}, {people} people x {contacts_per_person} contacts, {seconds} s per phase");
    println!("server RSS: {rss_ready} when ready, {rss} after the run");
    println!(
        "RSS after each phase: {}",
        rss_after
            .iter()
            .map(|(p, r)| format!("{p} {r}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "first correct contact check {:.2} s after start (answered from the {}); index ready after {:.1} s",
        first_correct.0.as_secs_f64(),
        first_correct.1,
        index_ready.as_secs_f64()
    );
    println!();
    println!("| phase | connections | requests/s | p50 | p95 | p99 | errors |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut rows: Vec<(&Phase, usize)> = Vec::new();
    for p in person_page
        .iter()
        .chain(&home_page)
        .chain(&search_api)
        .chain(&search_ui)
        .chain([&health_1])
        .chain(&check_1)
    {
        rows.push((p, 1));
    }
    for p in [&health, &check, &log, &log_cold] {
        rows.push((p, concurrency));
    }
    for (p, conns) in rows {
        if p.requests == 0 && p.errors == 0 {
            continue;
        }
        println!(
            "| {} | {conns} | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms | {} |",
            p.name,
            p.rps(),
            p.p50_us as f64 / 1000.0,
            p.p95_us as f64 / 1000.0,
            p.p99_us as f64 / 1000.0,
            p.errors
        );
    }
    println!();
    if health.requests > 0 && check.requests > 0 {
        println!(
            "contact-check throughput is {:.0}% of /healthz at {concurrency} connections",
            100.0 * check.rps() / health.rps()
        );
    }
    if let Some(raw) = raw {
        println!(
            "SQLite itself, 16 rows a commit (WAL, synchronous=FULL, same disk): {raw:.0} rows/s; durable logging is {:.0}% of that with the file warm{}",
            100.0 * log.rps() / raw,
            if log_cold.requests > 0 {
                format!(", {:.0}% with it cold", 100.0 * log_cold.rps() / raw)
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

/// Whether `--only` asks for the phase `name` (every phase when unset).
fn wanted(name: &str) -> bool {
    ONLY.get()
        .is_none_or(|only| only.iter().any(|o| name.starts_with(o.as_str())))
}

/// The files that hold the bench's database: SQLite's file and its write-ahead log, or
/// the files of PostgreSQL's database under its data directory (read through the server's
/// own answer to where they are; the bench runs as a user who may read them).
async fn database_files(backend: &str, data: &Path, url: &str) -> Result<Vec<PathBuf>> {
    if backend == "sqlite" {
        let db = data.join("tact.db");
        return Ok(vec![db.clone(), db.with_extension("db-wal")]);
    }
    use sqlx::{Connection, Row};
    let mut c = sqlx::PgConnection::connect(url).await?;
    let dir: String = sqlx::query("SHOW data_directory")
        .fetch_one(&mut c)
        .await?
        .try_get(0)?;
    let oid: sqlx::postgres::types::Oid =
        sqlx::query("SELECT oid FROM pg_database WHERE datname = current_database()")
            .fetch_one(&mut c)
            .await?
            .try_get(0)?;
    let base = Path::new(&dir).join("base").join(oid.0.to_string());
    let mut files = Vec::new();
    for e in std::fs::read_dir(&base).with_context(|| format!("reading {}", base.display()))? {
        let e = e?;
        if e.file_type()?.is_file() {
            files.push(e.path());
        }
    }
    Ok(files)
}

/// Reads the files through, so their pages are in the OS page cache (warm).
fn warm_all(files: &[PathBuf]) {
    for path in files {
        if let Ok(mut f) = std::fs::File::open(path) {
            let _ = std::io::copy(&mut f, &mut std::io::sink());
        }
    }
}

/// Asks the OS to write out and drop the files' pages from its cache (posix_fadvise
/// DONTNEED, by Python, which has it in its standard library), as this machine does by
/// itself to pages untouched for a minute (cold). What the server holds in its own memory
/// (SQLite's page cache of each connection, PostgreSQL's shared buffers) stays.
fn evict_all(files: &[PathBuf]) {
    let _ = Command::new("python3")
        .args([
            "-c",
            "import os,sys\nfor p in sys.argv[1:]:\n  try: fd=os.open(p, os.O_RDONLY)\n  except OSError: continue\n  os.fsync(fd); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)",
        ])
        .args(files)
        .status();
}

/// What SQLite itself commits, 16 contact-sized rows a transaction, in WAL mode with
/// synchronous=FULL, on a scratch file beside the data: the ceiling durable logging is
/// compared with.
async fn raw_sqlite_rate(dir: &Path, seconds: u64) -> Result<f64> {
    use sqlx::Connection;
    let path = dir.join("raw-bench.db");
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(path.with_extension("db-wal"));
    let mut c =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", path.display())).await?;
    c.execute("PRAGMA journal_mode = WAL").await?;
    c.execute("PRAGMA synchronous = FULL").await?;
    c.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, person_id INTEGER, channel TEXT, direction TEXT, at INTEGER, identifier TEXT, summary TEXT, body TEXT)").await?;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut rows = 0u64;
    while Instant::now() < deadline {
        let mut tx = c.begin().await?;
        for i in 0..16 {
            sqlx::query("INSERT INTO contacts (person_id, channel, direction, at, identifier, summary, body) VALUES ($1, 'phone', 'inbound', $2, '+447800000001', 'Called for an update', '')")
                .bind(i as i64)
                .bind(rows as i64)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        rows += 16;
    }
    let rate = rows as f64 / start.elapsed().as_secs_f64();
    drop(c);
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(path.with_extension("db-wal"));
    let _ = std::fs::remove_file(path.with_extension("db-shm"));
    Ok(rate)
}
