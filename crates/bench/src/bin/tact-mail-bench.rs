//! `tact-mail-bench`: inbound mail throughput (issue 4: at least 1,000 messages a second
//! parsed, matched, routed and stored on SQLite).
//!
//! Runs against a data folder made by `tact-bench run` (1,000,000 people whose email
//! addresses are `p<N>@bench.example`, 0.5% under a plan), in-process through the same
//! `App::import_message` the CLI and the IMAP poller use. Generates the messages first
//! (most from known senders, some from strangers, one in twenty with a 20 KB attachment,
//! one in a hundred unreadable), then takes them in from several tasks at once and reports
//! messages per second and the time per message.
//!
//! ```sh
//! cargo build --release -p tact -p tact-bench
//! target/release/tact-bench run --people 1000000 --seconds 1     # makes the data, once
//! target/release/tact-mail-bench --data target/bench-data/sqlite-1000000 --messages 20000
//! ```

use anyhow::{Context, Result};
use clap::Parser;
use rand::Rng;
use std::path::PathBuf;
use std::time::Instant;
use tact_app::{App, Clock};
use tact_core::profile::Profile;
use tact_mail::Limits;
use tact_store::Store;

#[derive(Parser)]
struct Args {
    /// A data folder made by `tact-bench run` (its tact.db is used).
    #[arg(long, default_value = "target/bench-data/sqlite-1000000")]
    data: PathBuf,
    /// A database URL instead of the folder's SQLite file.
    #[arg(long)]
    database_url: Option<String>,
    #[arg(long, default_value_t = 1_000_000)]
    people: u64,
    #[arg(long, default_value_t = 20_000)]
    messages: usize,
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
}

fn message(run: u64, n: usize, people: u64, rng: &mut impl Rng) -> Vec<u8> {
    let body = "I am writing again about my complaint. ".repeat(40);
    if n % 100 == 99 {
        return format!("Subject: unreadable {run}-{n}\r\n\r\n{body}").into_bytes();
    }
    let from = if n % 50 == 49 {
        format!("stranger{n}@elsewhere.example")
    } else {
        format!("p{}@bench.example", rng.gen_range(1..=people))
    };
    let head = format!(
        "From: {from}\r\nTo: enquiries@opcc.example\r\nSubject: Question {n}\r\nMessage-ID: <bench-{run}-{n}@example.org>\r\nDate: Fri, 20 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
    );
    if n.is_multiple_of(20) {
        let attachment = "QUJD".repeat(5_000);
        format!("{head}Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\n{body}\r\n--B\r\nContent-Type: application/pdf; name=\"letter.pdf\"\r\nContent-Disposition: attachment; filename=\"letter.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{attachment}\r\n--B--\r\n").into_bytes()
    } else {
        format!("{head}Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").into_bytes()
    }
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> Result<()> {
    let a = Args::parse();
    let url = match &a.database_url {
        Some(u) => u.clone(),
        None => {
            let db = std::fs::canonicalize(a.data.join("tact.db")).with_context(|| {
                format!(
                    "{}: make it first with tact-bench run",
                    a.data.join("tact.db").display()
                )
            })?;
            format!("sqlite://{}", db.display())
        }
    };
    let store = Store::open(&url).await?;
    store.migrate().await?;
    let started = Instant::now();
    let app = App::new(
        store,
        Profile::built_in("cleveland-opcc").context("the built-in profile")?,
        Clock::default(),
    )
    .await?;
    eprintln!("index loaded in {:.1} s", started.elapsed().as_secs_f64());
    let run = jiff::Timestamp::now().as_second() as u64;
    let mut rng = rand::thread_rng();
    let messages: Vec<Vec<u8>> = (0..a.messages)
        .map(|n| message(run, n, a.people, &mut rng))
        .collect();
    let bytes: usize = messages.iter().map(Vec::len).sum();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(messages));
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..a.concurrency {
        let app = app.clone();
        let queue = queue.clone();
        tasks.push(tokio::spawn(async move {
            let limits = Limits::default();
            let mut times = Vec::new();
            let mut outcomes = std::collections::BTreeMap::<&'static str, u64>::new();
            loop {
                let next = queue.lock().expect("queue").pop();
                let Some(raw) = next else { break };
                let t = Instant::now();
                let got = app.import_message("bench", &raw, &limits).await?;
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                *outcomes.entry(got.outcome()).or_default() += 1;
            }
            anyhow::Ok((times, outcomes))
        }));
    }
    let mut times = Vec::new();
    let mut outcomes = std::collections::BTreeMap::<&'static str, u64>::new();
    for t in tasks {
        let (ts, os) = t.await??;
        times.extend(ts);
        for (k, v) in os {
            *outcomes.entry(k).or_default() += v;
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    println!(
        "{} messages ({:.1} MB) in {secs:.2} s: {:.0} messages/s with {} tasks; per message p50 {:.2} ms, p99 {:.2} ms; outcomes {outcomes:?}",
        times.len(),
        bytes as f64 / 1e6,
        times.len() as f64 / secs,
        a.concurrency,
        pct(&times, 0.5),
        pct(&times, 0.99),
    );
    Ok(())
}
