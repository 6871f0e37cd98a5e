//! Polling a real IMAP server: Dovecot from Debian's packages, started on loopback in a
//! scratch folder. The tests are `#[ignore = "needs dovecot …"]`; `.ci/run` installs it and
//! runs the ignored tests, and they fail, never skip, when it is missing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use tact_app::mail::Imported;
use tact_app::Ctx;
use tact_core::roles::{Actor, Role};
use tact_mail::imap::Account;
use tact_mail::Limits;
use tact_store::testing;

struct Dovecot {
    dir: PathBuf,
    port: u16,
}

impl Dovecot {
    /// Starts Dovecot; a test that calls this fails when Dovecot is missing.
    fn start() -> Self {
        Self::start_with(false)
    }

    /// Starts Dovecot speaking IMAPS only (`ssl = required`) with a certificate made for
    /// the test, for `localhost` and 127.0.0.1.
    fn start_tls() -> Self {
        Self::start_with(true)
    }

    fn start_with(tls: bool) -> Self {
        assert!(
            Command::new("dovecot").arg("--version").output().is_ok(),
            "this test needs dovecot: apt-get install dovecot-imapd"
        );
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let dir = std::env::temp_dir().join(format!("tact-dovecot-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["run", "state", "mail"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        let d = dir.display();
        let (ssl, imap_port, imaps_port) = if tls {
            // The office's own certificate authority, and the server's certificate from it.
            // A self-signed certificate for `subject` (the CA's), or one signed by the CA,
            // its key in `key` and itself in `cert`.
            let certificate = |subject: &str, signed: &[&str], key: &str, cert: &str| {
                let made = Command::new("openssl")
                    .args([
                        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    ])
                    .args(["-subj", subject])
                    .args(signed)
                    .arg("-keyout")
                    .arg(dir.join(key))
                    .arg("-out")
                    .arg(dir.join(cert))
                    .output()
                    .expect("openssl");
                assert!(made.status.success(), "openssl: {made:?}");
            };
            certificate("/CN=Tact test CA", &[], "ca.key", "ca.pem");
            let (ca, ca_key) = (dir.join("ca.pem"), dir.join("ca.key"));
            let (ca, ca_key) = (ca.to_str().unwrap(), ca_key.to_str().unwrap());
            certificate(
                "/CN=localhost",
                &[
                    "-addext",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-addext",
                    "basicConstraints=critical,CA:FALSE",
                    "-CA",
                    ca,
                    "-CAkey",
                    ca_key,
                ],
                "key.pem",
                "cert.pem",
            );
            (
                format!("ssl = required\nssl_cert = <{d}/cert.pem\nssl_key = <{d}/key.pem\n"),
                0,
                port,
            )
        } else {
            ("ssl = no\n".to_string(), port, 0)
        };
        std::fs::write(
            dir.join("dovecot.conf"),
            format!(
                "protocols = imap\nlisten = 127.0.0.1\nbase_dir = {d}/run\nstate_dir = {d}/state\n\
                 log_path = {d}/dovecot.log\n{ssl}disable_plaintext_auth = no\n\
                 auth_mechanisms = plain login\nfirst_valid_uid = 1\n\
                 mail_location = maildir:{d}/mail/%u/Maildir\n\
                 passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {d}/users\n}}\n\
                 userdb {{\n  driver = static\n  args = uid=dovecot gid=dovecot home={d}/mail/%u\n}}\n\
                 service imap-login {{\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {imap_port}\n  }}\n  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {imaps_port}\n  }}\n}}\n"
            ),
        )
        .unwrap();
        std::fs::write(dir.join("users"), "enquiries:{PLAIN}s3cret::::::\n").unwrap();
        let ok = Command::new("chown")
            .args(["-R", "dovecot:dovecot"])
            .arg(dir.join("mail"))
            .status()
            .unwrap()
            .success();
        assert!(
            ok,
            "chown the mail folder to dovecot (the tests run as root)"
        );
        let started = Command::new("dovecot")
            .arg("-c")
            .arg(dir.join("dovecot.conf"))
            .status()
            .unwrap();
        assert!(
            started.success(),
            "dovecot did not start: see {d}/dovecot.log"
        );
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Self { dir, port }
    }

    /// Delivers a message to the mailbox without IMAP, as the mail system would.
    fn deliver(&self, raw: &[u8]) {
        use std::io::Write;
        let mut child = Command::new("doveadm")
            .arg("-c")
            .arg(self.dir.join("dovecot.conf"))
            .args(["save", "-u", "enquiries", "-m", "INBOX"])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(raw).unwrap();
        assert!(child.wait().unwrap().success(), "doveadm save");
    }

    fn account(&self, password: &str) -> Account {
        Account {
            name: "enquiries".into(),
            host: "127.0.0.1".into(),
            port: self.port,
            tls: false,
            username: "enquiries".into(),
            password: password.into(),
            folder: "INBOX".into(),
            ca_file: None,
            timeout: std::time::Duration::from_secs(30),
        }
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = Command::new("doveadm")
            .arg("-c")
            .arg(self.dir.join("dovecot.conf"))
            .arg("stop")
            .status();
        let _ = std::fs::remove_dir_all(Path::new(&self.dir));
    }
}

fn message(n: u32, from: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: enquiries@opcc.example\r\nSubject: Message {n}\r\nMessage-ID: <poll-{n}@example.org>\r\n\r\nText {n}\r\n"
    )
    .into_bytes()
}

#[tokio::test]
#[ignore = "needs dovecot (apt-get install dovecot-imapd)"]
async fn polling_takes_in_what_is_new_once_and_resumes_after_the_last_message() {
    for (name, url) in testing::fresh_urls().await {
        // A server of its own for each backend, so each starts from an empty mailbox.
        let server = Dovecot::start();
        let app = tact_app::testing::app(&url, "cleveland-opcc").await;
        let cw = tact_app::testing::staff(&app, "Cas Worker", Role::Caseworker).await;
        let ctx = Ctx::new(Actor::from(cw));
        let jo = common::jo(&app, &ctx).await;
        let limits = Limits::default();
        let account = server.account("s3cret");
        let empty = app.poll_mailbox(&account, &limits, 100).await.unwrap();
        assert_eq!(empty.fetched, 0, "{name}");
        server.deliver(&message(1, "jo@example.org"));
        server.deliver(format!("Subject: nobody sent this\r\n\r\n{name}").as_bytes());
        let first = app.poll_mailbox(&account, &limits, 100).await.unwrap();
        assert_eq!(first.fetched, 2, "{name}: {first:?}");
        assert_eq!(first.outcomes.get("inbox"), Some(&1), "{name}: {first:?}");
        assert_eq!(first.outcomes.get("quarantine"), Some(&1), "{name}");
        // Nothing new: nothing fetched, nothing stored twice.
        let again = app.poll_mailbox(&account, &limits, 100).await.unwrap();
        assert_eq!(again.fetched, 0, "{name}: {again:?}");
        assert_eq!(
            app.store().messages_of(jo.id).await.unwrap().len(),
            1,
            "{name}"
        );
        // Forget the cursor, as after a crash before it was saved: every message is fetched
        // again and none is stored twice.
        let mut tx = app.store().begin().await.unwrap();
        tx.set_meta("imap-cursor:enquiries", "0:0").await.unwrap();
        tx.commit().await.unwrap();
        let replay = app.poll_mailbox(&account, &limits, 100).await.unwrap();
        assert_eq!(
            replay.outcomes.get("already kept").copied().unwrap_or(0) as usize,
            replay.fetched,
            "{name}: {replay:?}"
        );
        assert_eq!(
            app.store().messages_of(jo.id).await.unwrap().len(),
            1,
            "{name}"
        );
        let got = app
            .import_message("enquiries", &message(1, "jo@example.org"), &limits)
            .await
            .unwrap();
        assert!(matches!(got, Imported::Duplicate { .. }), "{name}");
        // A wrong password is a clear error, not a crash.
        let e = app
            .poll_mailbox(&server.account("wrong"), &limits, 100)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("login refused"), "{name}: {e}");
    }
}

/// Over TLS, as a real office's mailbox would be: the server's certificate is checked
/// (one the client does not trust is refused before any password is sent) and, trusted
/// through the mailbox's `ca_file`, messages come in as over plain loopback.
#[tokio::test]
#[ignore = "needs dovecot (apt-get install dovecot-imapd)"]
async fn polling_over_tls_checks_the_certificate_and_takes_the_messages_in() {
    let server = Dovecot::start_tls();
    let url = testing::sqlite_url();
    let app = tact_app::testing::app(&url, "cleveland-opcc").await;
    server.deliver(&message(7, "someone@example.org"));
    let limits = Limits::default();
    let mut account = Account {
        host: "localhost".into(),
        tls: true,
        ..server.account("s3cret")
    };
    // What polling `account` is refused with.
    let refused = async |account: &Account| {
        let e = app.poll_mailbox(account, &limits, 100).await.unwrap_err();
        e.to_string()
    };
    // Not trusted: the handshake fails, and nothing is taken in.
    let e = refused(&account).await;
    assert!(e.contains("TLS handshake"), "{e}");
    // Plain IMAP to the TLS-only port hears no greeting, and gives up rather than hang.
    let plain = Account {
        host: "127.0.0.1".into(),
        tls: false,
        timeout: std::time::Duration::from_secs(1),
        ..account.clone()
    };
    let e = refused(&plain).await;
    assert!(e.contains("no answer"), "{e}");
    // Trusted through the mailbox's CA file.
    account.ca_file = Some(server.dir.join("ca.pem").display().to_string());
    let got = app.poll_mailbox(&account, &limits, 100).await.unwrap();
    assert_eq!(got.fetched, 1, "{got:?}");
    assert_eq!(got.outcomes.get("unknown-sender"), Some(&1), "{got:?}");
    // A CA file that is not there is said plainly.
    account.ca_file = Some("/nonexistent/ca.pem".into());
    let e = refused(&account).await;
    assert!(e.contains("CA file"), "{e}");
}
