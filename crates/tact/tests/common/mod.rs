//! What the `tact` binary's tests share: running the binary, reading what it said, free
//! loopback ports, and a child process that is killed when dropped. Each test binary uses
//! some of it.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Output};

/// Runs `tact --data DATA ARGS…` on the data folder's own database, or on `db`'s where one
/// is given, with no operator from the environment.
pub fn tact_on(data: &Path, db: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tact"));
    c.arg("--data").arg(data).args(args);
    c.env_remove("TACT_AS").env("TACT_LOG", "warn");
    match db {
        Some(u) => c.env("TACT_DATABASE_URL", u),
        None => c.env_remove("TACT_DATABASE_URL"),
    };
    c.output().expect("run tact")
}

/// Runs `tact --data DATA ARGS…` on the data folder's own database.
pub fn tact(data: &Path, args: &[&str]) -> Output {
    tact_on(data, None, args)
}

/// All it printed: standard output, then standard error.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A refusal: the exit status every door's refusal has on the command line (2, not Tact's
/// own failure, 1), with `said` in what it wrote to standard error.
#[track_caller]
pub fn refused(o: &Output, said: &str) {
    assert_eq!(o.status.code(), Some(2), "a refusal: {}", text(o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(said),
        "{said:?} on standard error: {}",
        text(o)
    );
}

/// What a command that must succeed printed as JSON.
pub fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", text(o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("not JSON: {}", text(o)))
}

/// What a command that must succeed printed, as JSON where it was JSON.
pub fn ok(o: Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", text(&o));
    serde_json::from_slice(&o.stdout).unwrap_or(serde_json::Value::Null)
}

/// The phone system's service account, added by the administrator (staff id 1) with only
/// the contact check in its scope, and a token for it named `name`: the account and the
/// token.
pub fn phone_system(data: &Path, name: &str) -> (serde_json::Value, String) {
    let account = json(&tact(
        data,
        &[
            "--as",
            "1",
            "staff",
            "service",
            "--name",
            "Phone system",
            "--scope",
            "contact-check",
        ],
    ));
    let id = account["id"]
        .as_i64()
        .expect("the account's id")
        .to_string();
    let token = json(&tact(
        data,
        &["--as", "1", "staff", "token", &id, "--name", name],
    ));
    let token = token["token"].as_str().expect("a token").to_string();
    (account, token)
}

/// The first API token (`tact_…`) in what a command said.
pub fn token_in(text: &str) -> String {
    text.split_whitespace()
        .find(|w| w.starts_with("tact_"))
        .expect("a token")
        .trim_end_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string()
}

/// A port not handed out before in this test process: tests run side by side, and a port
/// free now is given back by the kernel until a server binds it, so two tests could each be
/// told the same one. Then one server fails to start while its test, asking that port,
/// talks to the other test's server (a 401 for a token that office never issued).
fn unused(mut pick: impl FnMut() -> u16) -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    loop {
        let port = pick();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// A TCP port free on loopback now, and not handed to another test.
pub fn free_port() -> u16 {
    unused(|| {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    })
}

/// A UDP port free on loopback now, and not handed to another test.
pub fn free_udp_port() -> u16 {
    unused(|| {
        let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        s.local_addr().unwrap().port()
    })
}

/// A child process, killed when dropped.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
