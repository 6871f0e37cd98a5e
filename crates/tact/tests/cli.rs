//! The `tact` binary as an operator uses it: real processes on a real data folder.

mod common;

use common::{free_port, json, phone_system, refused, tact, text};
use std::path::Path;
use std::process::Command;
use tact_store::testing::folder;

/// A new data folder, set up by `tact init` for the office `profile`.
fn office(name: &str, profile: &str) -> std::path::PathBuf {
    let d = folder(name);
    let o = tact(&d, &["init", "--profile", profile]);
    assert!(o.status.success(), "{}", text(&o));
    d
}

/// Adds a member of staff as the operator at the console, giving their record and token.
fn staff_add(data: &Path, name: &str, role: &str) -> serde_json::Value {
    json(&tact(
        data,
        &["staff", "add", "--name", name, "--role", role],
    ))
}

/// A new member of staff's id, as `--as` takes it.
fn staff_id(data: &Path, name: &str, role: &str) -> String {
    staff_add(data, name, role)["staff"]["id"]
        .as_i64()
        .unwrap()
        .to_string()
}

#[test]
fn init_creates_a_data_folder_and_refuses_to_overwrite_it() {
    let d = folder("init");
    let o = tact(&d, &["init", "--profile", "northamptonshire-opfcc"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("tact_"),
        "prints the administrator's token"
    );
    assert!(
        d.join("tact.toml").exists()
            && d.join("profile.toml").exists()
            && d.join("tact.db").exists()
    );
    let again = tact(&d, &["init", "--profile", "cleveland-opcc"]);
    assert!(!again.status.success());
    assert!(text(&again).contains("already a Tact data folder"));
}

#[test]
fn a_broken_custom_profile_is_refused_with_file_line_and_field() {
    let d = folder("broken");
    let src = include_str!("../../../policies/cleveland-opcc.toml").replace(
        "notice_before_effect = false",
        "notice_before_effect = \"sometimes\"",
    );
    let line = src
        .lines()
        .position(|l| l.starts_with("notice_before_effect"))
        .unwrap()
        + 1;
    let file = std::env::temp_dir().join(format!("broken-{}.toml", std::process::id()));
    std::fs::write(&file, src).unwrap();
    let o = tact(&d, &["init", "--profile", file.to_str().unwrap()]);
    assert!(!o.status.success());
    let out = text(&o);
    assert!(
        out.contains(&format!(
            "{}:{line}: field `notice_before_effect`",
            file.display()
        )),
        "{out}"
    );
    assert!(!d.exists(), "nothing is created for a broken profile");
    let unknown = tact(&d, &["init", "--profile", "no-such-office"]);
    assert!(!unknown.status.success());
    assert!(text(&unknown).contains("cleveland-opcc"));
}

#[test]
fn the_workflow_runs_from_the_command_line_under_the_same_rules() {
    let d = office("flow", "cleveland-opcc");
    let lm = staff_add(&d, "Lee Manager", "line-manager");
    let lm_id = lm["staff"]["id"].as_i64().unwrap().to_string();
    let cw = json(&tact(
        &d,
        &[
            "staff",
            "add",
            "--name",
            "Cas Worker",
            "--role",
            "caseworker",
            "--line-manager",
            &lm_id,
        ],
    ));
    let cw_id = cw["staff"]["id"].as_i64().unwrap().to_string();
    let p = json(&tact(
        &d,
        &[
            "--as",
            &cw_id,
            "person",
            "add",
            "--name",
            "Jo Bloggs",
            "--phone",
            "07911 123321",
        ],
    ));
    let pid = p["id"].as_i64().unwrap().to_string();
    assert_eq!(p["phones"][0], "+447911123321");
    // CLE-8.1: first contact, so the check asks about additional help.
    let v = json(&tact(
        &d,
        &["--as", &cw_id, "check", "--phone", "+44 (0)7911 123321"],
    ));
    assert_eq!(v["person"]["id"].as_i64().unwrap().to_string(), pid);
    assert_eq!(v["ask_additional_help"], true);
    json(&tact(
        &d,
        &[
            "--as",
            &cw_id,
            "person",
            "additional-help",
            &pid,
            "--needs-help",
            "--words",
            "I am deaf in one ear",
        ],
    ));
    let v = json(&tact(
        &d,
        &["--as", &cw_id, "check", "--phone", "07911123321"],
    ));
    assert_eq!(v["ask_additional_help"], false);
    // An ended call raises the line manager's follow-up (CLE-4.5).
    json(&tact(
        &d,
        &[
            "--as",
            &cw_id,
            "incident",
            "--person",
            &pid,
            "--category",
            "violent-threatening-abusive",
            "--description",
            "Shouted abuse",
            "--ended-reason",
            "Abuse continued",
            "--file-note",
            "Warned then ended",
        ],
    ));
    let tasks = json(&tact(&d, &["--as", &lm_id, "task", "list"]));
    assert!(tasks["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["kind"] == "ended-call-follow-up"));
    // A caseworker may not warn: refused with a message and exit code 2.
    let o = tact(
        &d,
        &[
            "--as",
            &cw_id,
            "warning",
            "--person",
            &pid,
            "--what",
            "a",
            "--how",
            "b",
            "--consequence",
            "c",
        ],
    );
    refused(&o, "[CLE-9.3]");
    // Bad input: a malformed phone number names the field.
    let o = tact(&d, &["--as", &cw_id, "check", "--phone", "call me"]);
    refused(&o, "(--phone)");
    // Issue 10: a withheld caller staff know is checked as them; one the number says is
    // someone else's, or a matter that is not there, is refused naming the flag.
    let v = json(&tact(
        &d,
        &[
            "--as", &cw_id, "check", "--phone", "withheld", "--person", &pid,
        ],
    ));
    assert_eq!(v["person"]["id"].as_i64().unwrap().to_string(), pid);
    assert_eq!(v["withheld"], false);
    let o = tact(&d, &["--as", &cw_id, "check", "--person", "999999"]);
    refused(&o, "(--person)");
    let o = tact(
        &d,
        &[
            "--as", &cw_id, "check", "--person", &pid, "--matter", "999999",
        ],
    );
    refused(&o, "[CLE-10.4]");
    // Text past its length names its flag, as the API and the form name the field (issue
    // 11); a refusal names the flag that was typed, not the API's field for it.
    let long = "s".repeat(501);
    for (extra, said) in [
        (vec!["--summary", long.as_str()], "(--summary)"),
        (
            vec!["--summary", "Rang", "--minutes", "100000"],
            "1,440 minutes) (--minutes)",
        ),
    ] {
        let log = [
            "--as",
            &cw_id,
            "contact",
            "log",
            "--person",
            &pid,
            "--channel",
            "phone",
        ];
        let o = tact(&d, &[&log[..], &extra].concat());
        refused(&o, said);
    }
    // A word that is not on a closed list is refused before anything is asked, listing
    // the words from core's list; the help lists them too.
    let o = tact(
        &d,
        &[
            "--as",
            &cw_id,
            "contact",
            "log",
            "--channel",
            "fax",
            "--summary",
            "x",
        ],
    );
    refused(
        &o,
        "[possible values: phone, email, letter, visit, web-form]",
    );
    let o = tact(&d, &["matter", "status", "--help"]);
    assert!(
        text(&o).contains("[possible values: open, concluded, review-exhausted, finalised]"),
        "{}",
        text(&o)
    );
    // No actor, or one who is not on the staff list: a clear message and the refusal's
    // exit status (2), not a crash or Tact's own failure (1).
    let o = tact(&d, &["person", "show", &pid]);
    refused(&o, "--as");
    let o = tact(&d, &["--as", "99999", "person", "show", &pid]);
    refused(&o, "no member of staff 99999");
    // A record that is not there is named, as the API's 404 names it; not as a field the
    // command has no flag for.
    let o = tact(&d, &["--as", &cw_id, "person", "show", "99999"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("error: no service user 99999") && !text(&o).contains("field"),
        "{}",
        text(&o)
    );
    // Issue 11: `person edit` changes what it is given and keeps the rest (PATCH); asked to
    // change nothing, or given a number that is not one, it is refused (2) and changes
    // nothing; so is a request whose JSON does not parse.
    let o = tact(
        &d,
        &[
            "--as",
            &cw_id,
            "person",
            "edit",
            &pid,
            "--name",
            "Jo Q Bloggs",
            "--address",
            "2 Low Street",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let v = json(&o);
    assert_eq!(
        (v["name"].as_str(), v["postal_address"].as_str()),
        (Some("Jo Q Bloggs"), Some("2 Low Street")),
        "{v}"
    );
    assert!(
        !v["phones"].as_array().unwrap().is_empty(),
        "numbers left out are kept: {v}"
    );
    for (args, said) in [
        (vec!["person", "edit", &pid], "say what to change"),
        (vec!["person", "edit", &pid, "--phone", "123"], "(--phone)"),
        (
            vec!["plan", "draft", "--person", &pid, "--json", "{"],
            "not valid JSON",
        ),
        // CLE-7.3: why a shortfall cannot be put right goes with an answer given with it.
        (
            vec![
                "plan",
                "checklist",
                "1",
                "--answer",
                "process-explained=no:Never explained",
                "--cannot-remedy",
                "gateway-or-legal-advice=They refuse every referral",
            ],
            "which no --answer answers",
        ),
    ] {
        let o = tact(&d, &[&["--as", cw_id.as_str()][..], &args].concat());
        refused(&o, said);
    }
    let o = tact(
        &d,
        &["--as", &cw_id, "person", "edit", &pid, "--no-address"],
    );
    let v = json(&o);
    assert_eq!(
        (&v["name"], &v["postal_address"]),
        (&serde_json::json!("Jo Q Bloggs"), &serde_json::Value::Null),
        "{v}"
    );
    // With no TACT_LOG, a command that answers for itself prints its answer and no log
    // line per request.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_tact"))
        .arg("--data")
        .arg(&d)
        .args(["--as", &cw_id, "person", "show", &pid])
        .env_remove("TACT_LOG")
        .env_remove("TACT_AS")
        .env_remove("TACT_DATABASE_URL")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // CLE-9.15: sharing waits for the DPO, then goes on the disclosure log.
    let dpo = staff_add(&d, "Dee Protection", "dpo");
    let dpo_id = dpo["staff"]["id"].as_i64().unwrap().to_string();
    let asked = json(&tact(
        &d,
        &[
            "--as",
            &lm_id,
            "share",
            "request",
            "--person",
            &pid,
            "--partner",
            "Cleveland Police",
            "--reason",
            "Threats reported as a crime",
            "--details",
            "The incident of today",
        ],
    ));
    let sid = asked["id"].as_i64().unwrap().to_string();
    let o = tact(
        &d,
        &["--as", &lm_id, "share", "shared", &sid, "--what", "early"],
    );
    refused(&o, "[CLE-9.15]");
    let o = tact(
        &d,
        &[
            "--as",
            &lm_id,
            "share",
            "decide",
            &sid,
            "--approve",
            "--reason",
            "mine",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "only the DPO decides: {}",
        text(&o)
    );
    json(&tact(
        &d,
        &[
            "--as",
            &dpo_id,
            "share",
            "decide",
            &sid,
            "--approve",
            "--reason",
            "Crime",
        ],
    ));
    json(&tact(
        &d,
        &[
            "--as",
            &lm_id,
            "share",
            "shared",
            &sid,
            "--what",
            "Incident note by secure email",
        ],
    ));
    let log = json(&tact(&d, &["--as", &dpo_id, "share", "log"]));
    assert_eq!(log["disclosures"][0]["partner"], "Cleveland Police");
    assert_eq!(log["disclosures"][0]["status"], "shared");
}

#[tokio::test]
async fn audit_verify_detects_an_altered_entry() {
    let d = office("audit", "cleveland-opcc");
    staff_add(&d, "Cas Worker", "caseworker");
    let o = tact(&d, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("intact"));
    let url = format!("sqlite://{}?mode=rwc", d.join("tact.db").display());
    let store = tact_store::Store::open(&url).await.unwrap();
    tact_store::testing::raw(
        &store,
        "UPDATE audit_log SET detail = '{\"role\":\"admin\"}' WHERE seq = 3",
    )
    .await;
    store.close().await;
    let o = tact(&d, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("entry 3"));
}

#[test]
fn serve_answers_healthz_and_stops_cleanly_on_sigterm() {
    let d = office("serve", "cleveland-opcc");
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_tact"))
        .arg("--data")
        .arg(&d)
        .args(["serve"])
        .env("TACT_LISTEN", &addr)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut up = false;
    for _ in 0..100 {
        if let Ok(mut s) = std::net::TcpStream::connect(&addr) {
            use std::io::{Read, Write};
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut buf = String::new();
            s.read_to_string(&mut buf).unwrap();
            up = buf.starts_with("HTTP/1.1 200");
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(up, "the server answered /healthz");
    assert!(Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("stopped cleanly"), "{log}");
    // With no mail relay set, whoever runs it is told that letters by email will wait.
    assert!(log.contains("no [smtp] relay is set"), "{log}");
}

#[test]
fn mail_import_takes_in_mbox_and_maildir_once_and_quarantines_the_unreadable() {
    let d = office("mail", "cleveland-opcc");
    let cw = staff_add(&d, "Cas Worker", "caseworker");
    let cw_id = cw["staff"]["id"].as_i64().unwrap().to_string();
    json(&tact(
        &d,
        &[
            "--as",
            &cw_id,
            "person",
            "add",
            "--name",
            "Jo Bloggs",
            "--email",
            "jo@example.org",
        ],
    ));
    let mbox = d.join("in.mbox");
    std::fs::write(
        &mbox,
        "From jo@example.org Fri Nov 20 10:00:00 2026\n\
         From: jo@example.org\nSubject: First\nMessage-ID: <m1@example.org>\n\nHello\n>From the start\n\n\
         From someone Fri Nov 20 10:05:00 2026\n\
         From: stranger@example.net\nSubject: Who\nMessage-ID: <m2@example.net>\n\nHi\n\n\
         From nobody Fri Nov 20 10:06:00 2026\n\
         Subject: no sender\n\nbody\n",
    )
    .unwrap();
    let first = json(&tact(&d, &["mail", "import", mbox.to_str().unwrap()]));
    assert_eq!(first["messages"], 3, "{first}");
    assert_eq!(first["outcomes"]["inbox"], 1, "{first}");
    assert_eq!(first["outcomes"]["unknown-sender"], 1, "{first}");
    assert_eq!(first["outcomes"]["quarantine"], 1, "{first}");
    let again = json(&tact(&d, &["mail", "import", mbox.to_str().unwrap()]));
    assert_eq!(again["outcomes"]["already kept"], 3, "{again}");
    // A Maildir folder: its new and cur messages.
    let md = d.join("Maildir");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(md.join(sub)).unwrap();
    }
    std::fs::write(
        md.join("new/1700000000.1.host"),
        "From: jo@example.org\nSubject: Third\nMessage-ID: <m3@example.org>\n\nAgain\n",
    )
    .unwrap();
    let got = json(&tact(
        &d,
        &[
            "mail",
            "import",
            md.to_str().unwrap(),
            "--mailbox",
            "enquiries",
        ],
    ));
    assert_eq!(got["outcomes"]["inbox"], 1, "{got}");
    // A path that is not there: a message and a non-zero exit, not a crash.
    let o = tact(
        &d,
        &["mail", "import", d.join("missing.eml").to_str().unwrap()],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("missing.eml"), "{}", text(&o));
}

#[test]
fn a_profile_with_a_broken_letter_template_is_refused_naming_it() {
    let d = folder("letters");
    std::fs::create_dir_all(&d).unwrap();
    let path = d.join("custom.toml");
    let mut profile = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../policies/cleveland-opcc.toml"
    ))
    .unwrap();
    let good = tact(&d, &["check-profile", path.to_str().unwrap()]);
    assert!(!good.status.success(), "no file yet");
    std::fs::write(&path, &profile).unwrap();
    let good = tact(&d, &["check-profile", path.to_str().unwrap()]);
    assert!(good.status.success(), "{}", text(&good));
    // Issue 13: Cleveland's policy gives no contact details, so the office is told to add
    // its own; once added, nothing is said.
    assert!(
        text(&good).contains("postal address, phone number or email address ([letters.contact]"),
        "{}",
        text(&good)
    );
    let filled = profile.replace(
        "address = []\n# phone = \"…\"\n# email = \"…\"",
        "address = [\"1 High Street\", \"TS1 1AA\"]\nphone = \"01234 567890\"\nemail = \"office@example.org\"",
    );
    assert_ne!(filled, profile, "the shipped profile's contact block");
    std::fs::write(&path, &filled).unwrap();
    let quiet = tact(&d, &["check-profile", path.to_str().unwrap()]);
    assert!(
        quiet.status.success() && !text(&quiet).contains("[letters.contact]"),
        "{}",
        text(&quiet)
    );
    profile.push_str("\n[letters.templates.broken]\nsubject = \"x\"\nbody = \"{% if %}\"\n");
    std::fs::write(&path, &profile).unwrap();
    let bad = tact(&d, &["check-profile", path.to_str().unwrap()]);
    assert!(!bad.status.success());
    assert!(
        text(&bad).contains("letter template broken"),
        "{}",
        text(&bad)
    );
}

/// Issue 11: the letters and the kept messages the API offers, from the command line: a
/// letter written, held, read as text, saved as a PDF, changed, released and marked posted
/// (CLE-9.6: the person is told in writing); a message listed, read, saved as received and
/// its attachment saved. A file already there is never overwritten.
#[test]
fn letters_and_messages_from_the_command_line() {
    let d = office("letters", "cleveland-opcc");
    let lm = staff_add(&d, "Lee Manager", "line-manager");
    let lm_id = lm["staff"]["id"].as_i64().unwrap().to_string();
    let as_lm = |args: &[&str]| {
        let mut all = vec!["--as", lm_id.as_str()];
        all.extend_from_slice(args);
        tact(&d, &all)
    };
    let p = json(&as_lm(&[
        "person",
        "add",
        "--name",
        "Jo Bloggs",
        "--email",
        "jo@example.org",
        "--address",
        "1 High Street, Middlesbrough TS1 2AB",
    ]));
    let pid = p["id"].as_i64().unwrap().to_string();
    let w = json(&as_lm(&[
        "warning",
        "--person",
        &pid,
        "--what",
        "Twelve calls a day",
        "--how",
        "Write to us",
        "--consequence",
        "A contact strategy",
    ]));
    let wid = w["id"].as_i64().unwrap().to_string();
    let l = json(&as_lm(&[
        "letter",
        "write",
        "--warning",
        &wid,
        "--channel",
        "letter",
        "--hold",
    ]));
    assert_eq!(l["status"], "draft", "{l}");
    let lid = l["id"].as_i64().unwrap().to_string();
    let list = json(&as_lm(&["letter", "list", &pid]));
    assert!(
        list["letters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == l["id"]),
        "{list}"
    );
    // Text is printed as it is, not as a JSON string.
    let o = as_lm(&["letter", "get", &lid]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with("Dear Jo Bloggs"),
        "{}",
        text(&o)
    );
    // A PDF is a file: asked for without --out it is refused, and nothing is written.
    let o = as_lm(&["letter", "get", &lid, "pdf"]);
    refused(&o, "--out");
    let pdf = d.join("letter.pdf");
    let saved = json(&as_lm(&[
        "letter",
        "get",
        &lid,
        "pdf",
        "--out",
        pdf.to_str().unwrap(),
    ]));
    assert_eq!(saved["content_type"], "application/pdf", "{saved}");
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    assert_eq!(saved["bytes"], bytes.len());
    let o = as_lm(&[
        "letter",
        "get",
        &lid,
        "docx",
        "--out",
        pdf.to_str().unwrap(),
    ]);
    refused(&o, "already there");
    assert_eq!(std::fs::read(&pdf).unwrap(), bytes, "not overwritten");
    let nowhere = d.join("no such folder").join("letter.pdf");
    let o = as_lm(&[
        "letter",
        "get",
        &lid,
        "pdf",
        "--out",
        nowhere.to_str().unwrap(),
    ]);
    refused(&o, "there is no folder");
    // `tact api` treats an answer that is a file the same way.
    let path = format!("/letters/{lid}/pdf");
    let o = as_lm(&["api", "GET", &path]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("application/pdf") && text(&o).contains("--out"));
    let again = d.join("again.pdf");
    json(&as_lm(&[
        "api",
        "GET",
        &path,
        "--out",
        again.to_str().unwrap(),
    ]));
    assert!(std::fs::read(&again).unwrap().starts_with(b"%PDF"));
    let o = as_lm(&["api", "GET", &format!("/letters/{lid}/text")]);
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with("Dear Jo Bloggs"),
        "{}",
        text(&o)
    );
    // Changed while held, from a file; then released to the print queue and posted.
    let words = d.join("words.txt");
    std::fs::write(&words, "Dear Jo Bloggs,\n\nNew words.\n").unwrap();
    let changed = json(&as_lm(&[
        "letter",
        "change",
        &lid,
        "--text",
        &format!("@{}", words.display()),
    ]));
    assert_eq!(
        changed["text"], "Dear Jo Bloggs,\n\nNew words.\n",
        "{changed}"
    );
    assert_eq!(
        json(&as_lm(&["letter", "release", &lid]))["status"],
        "to-print"
    );
    // The print queue lists it until it is posted.
    let queued = |v: &serde_json::Value| {
        v["letters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == l["id"])
    };
    let queue = json(&as_lm(&["letter", "queue"]));
    assert!(queued(&queue), "{queue}");
    let o = as_lm(&["letter", "queue", "--status", "posted"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert_eq!(
        json(&as_lm(&["letter", "printed", &lid]))["status"],
        "printed"
    );
    assert!(!queued(&json(&as_lm(&["letter", "queue"]))));
    let o = as_lm(&["letter", "printed", &lid]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = as_lm(&["letter", "write", "--warning", &wid, "--plan", "1"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "one record a letter: {}",
        text(&o)
    );

    // Messages: imported, then listed, read and saved.
    let raw = "From: jo@example.org\r\nTo: enquiries@opcc.example\r\nSubject: Papers\r\nMessage-ID: <cli-msg-1@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nPlease see the attached.\r\n--b1\r\nContent-Type: application/pdf; name=\"scan.pdf\"\r\nContent-Disposition: attachment; filename=\"scan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n";
    let eml = d.join("in.eml");
    std::fs::write(&eml, raw).unwrap();
    json(&tact(&d, &["mail", "import", eml.to_str().unwrap()]));
    let list = json(&as_lm(&["mail", "list", "--route", "inbox"]));
    let m = &list["messages"][0];
    assert_eq!(m["subject"], "Papers", "{list}");
    let mid = m["id"].as_i64().unwrap().to_string();
    let one = json(&as_lm(&["mail", "show", &mid]));
    assert!(
        one["text"]
            .as_str()
            .is_some_and(|t| t.contains("Please see the attached.")),
        "{one}"
    );
    assert_eq!(one["attachments"][0]["name"], "scan.pdf", "{one}");
    let kept = d.join("kept.eml");
    json(&as_lm(&[
        "mail",
        "raw",
        &mid,
        "--out",
        kept.to_str().unwrap(),
    ]));
    assert_eq!(std::fs::read(&kept).unwrap(), raw.as_bytes(), "kept whole");
    let scan = d.join("scan.pdf");
    json(&as_lm(&[
        "mail",
        "attachment",
        &mid,
        "0",
        "--out",
        scan.to_str().unwrap(),
    ]));
    assert_eq!(std::fs::read(&scan).unwrap(), b"%PDF-1.4\n");
    let o = as_lm(&[
        "mail",
        "attachment",
        &mid,
        "5",
        "--out",
        d.join("x").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(!d.join("x").exists(), "nothing saved for a refusal");

    // Triage: a stranger's message matched to the person, then marked threatening (CLE-4.6).
    let stranger = d.join("stranger.eml");
    std::fs::write(&stranger, "From: jo.other@example.net\r\nSubject: You will regret this\r\nMessage-ID: <cli-msg-2@example.net>\r\n\r\nI know where you are.\r\n").unwrap();
    json(&tact(&d, &["mail", "import", stranger.to_str().unwrap()]));
    let list = json(&as_lm(&["mail", "list", "--route", "unknown-sender"]));
    let sid = list["messages"][0]["id"].as_i64().unwrap().to_string();
    let matched = json(&as_lm(&[
        "mail",
        "match",
        &sid,
        "--person",
        &pid,
        "--keep-address",
    ]));
    assert_eq!(
        matched["person_id"].as_i64().map(|p| p.to_string()),
        Some(pid.clone()),
        "{matched}"
    );
    let o = as_lm(&["mail", "match", &sid, "--person", &pid]);
    assert_eq!(o.status.code(), Some(2), "matched once: {}", text(&o));
    let o = as_lm(&[
        "mail",
        "threatening",
        &sid,
        "--category",
        "nonsense",
        "--description",
        "x",
    ]);
    refused(&o, "(--category)");
    let marked = json(&as_lm(&[
        "mail",
        "threatening",
        &sid,
        "--category",
        "violent-threatening-abusive",
        "--description",
        "A veiled threat",
    ]));
    assert_eq!(
        marked["incident"]["contact_id"], matched["contact_id"],
        "{marked}"
    );
}

/// Issue 11: the DPO's and the head of standards' reads and steps from the command line, as
/// the API gives them: a data-rights request recorded by a caseworker and answered by the
/// DPO (UK GDPR Art. 12(3): within a month), who may open the access log; the governance
/// report for a period, a date that is not one refused naming its field.
#[test]
fn data_rights_the_access_log_and_the_governance_report_from_the_command_line() {
    let d = office("rights", "cleveland-opcc");
    let id_of = |v: serde_json::Value| v["staff"]["id"].as_i64().unwrap().to_string();
    let cw = id_of(staff_add(&d, "Cas Worker", "caseworker"));
    let dpo = id_of(staff_add(&d, "Dee Pee-Oh", "dpo"));
    let lm = id_of(staff_add(&d, "Lee Manager", "line-manager"));
    let p = json(&tact(
        &d,
        &["--as", &cw, "person", "add", "--name", "Jo Bloggs"],
    ));
    let pid = p["id"].as_i64().unwrap().to_string();
    let r = json(&tact(
        &d,
        &[
            "--as",
            &cw,
            "rights",
            "receive",
            &pid,
            "--kind",
            "access",
            "--details",
            "Everything you hold about me",
            "--channel",
            "email",
            "--received-on",
            "2026-11-20",
        ],
    ));
    assert_eq!(r["due_on"], "2026-12-20", "a month from receipt: {r}");
    let rid = r["id"].as_i64().unwrap().to_string();
    // The open requests are the DPO's to see.
    let o = tact(&d, &["--as", &cw, "rights", "open"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let open = json(&tact(&d, &["--as", &dpo, "rights", "open"]));
    assert_eq!(open["requests"][0]["id"], r["id"], "{open}");
    let done = json(&tact(
        &d,
        &[
            "--as",
            &dpo,
            "rights",
            "answer",
            &rid,
            "--decision",
            "done",
            "--text",
            "Sent them a copy of their records",
        ],
    ));
    assert_eq!(done["status"], "done", "{done}");
    let open = json(&tact(&d, &["--as", &dpo, "rights", "open"]));
    assert_eq!(open["requests"].as_array().map(Vec::len), Some(0), "{open}");
    // Opening their record is on the access log, which the DPO reads.
    json(&tact(&d, &["--as", &lm, "person", "show", &pid]));
    let log = json(&tact(&d, &["--as", &dpo, "person", "access", &pid]));
    assert!(
        log["access"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["staff_id"].as_i64().map(|i| i.to_string()) == Some(lm.clone())),
        "{log}"
    );
    let report = json(&tact(
        &d,
        &[
            "--as",
            &lm,
            "governance",
            "--from",
            "2026-10-01",
            "--to",
            "2026-12-31",
        ],
    ));
    assert_eq!(report["from"], "2026-10-01", "{report}");
    let o = tact(&d, &["--as", &lm, "governance", "--from", "2026-13-01"]);
    refused(&o, "(--from)");
}

#[test]
fn jobs_run_once_a_day_from_cron_and_an_unknown_job_is_refused() {
    let d = office("jobs", "cleveland-opcc");
    let first = json(&tact(&d, &["jobs", "run"]));
    for job in ["reviews", "end-dates", "screening"] {
        assert_eq!(first[job]["ran"], true, "{first}");
    }
    let again = json(&tact(&d, &["jobs", "run", "--job", "reviews"]));
    assert_eq!(again["reviews"]["ran"], false, "{again}");
    assert_eq!(again["reviews"]["why"], "already run today");
    let list = text(&tact(&d, &["jobs", "list"]));
    assert!(
        list.contains("reviews") && list.contains("0 tasks raised"),
        "{list}"
    );
    let bad = tact(&d, &["jobs", "run", "--job", "nonsense"]);
    assert!(!bad.status.success());
    assert!(text(&bad).contains("no job \"nonsense\""), "{}", text(&bad));
}

#[test]
fn a_backup_is_checked_and_restoring_it_brings_back_every_record_as_it_was() {
    let d = office("backup", "cleveland-opcc");
    let cw = staff_add(&d, "Cas Worker", "caseworker");
    let cw_id = cw["staff"]["id"].as_i64().unwrap().to_string();
    let add = |name: &str| {
        json(&tact(
            &d,
            &["--as", &cw_id, "person", "add", "--name", name],
        ))
    };
    let kept = add("Jo Bloggs");
    let file = d.with_extension("backup.db");
    let b = json(&tact(&d, &["backup", "--out", file.to_str().unwrap()]));
    assert_eq!(b["people"], 1, "{b}");
    assert!(b["events_checked"].as_u64().unwrap() > 0, "{b}");
    // Never over an existing file.
    let again = tact(&d, &["backup", "--out", file.to_str().unwrap()]);
    assert!(!again.status.success() && text(&again).contains("is already there"));
    // Nor into a folder that is not there: it says which, not the database's error.
    let nowhere = d.with_extension("no-such-folder").join("b.db");
    let lost = tact(&d, &["backup", "--out", nowhere.to_str().unwrap()]);
    assert!(!lost.status.success());
    assert!(
        text(&lost).contains("there is no folder") && !text(&lost).contains("database error"),
        "{}",
        text(&lost)
    );
    // Changes after the backup…
    add("Sam Later");
    let found = text(&tact(&d, &["--as", &cw_id, "api", "GET", "/people?q=Sam"]));
    assert!(found.contains("Sam Later"), "{found}");
    // …are gone once it is restored; without --force nothing is replaced.
    let no = tact(&d, &["restore", "--from", file.to_str().unwrap()]);
    assert!(!no.status.success(), "{}", text(&no));
    assert!(text(&no).contains("--force"));
    let r = json(&tact(
        &d,
        &["restore", "--from", file.to_str().unwrap(), "--force"],
    ));
    assert_eq!(r["people"], 1, "{r}");
    let shown = json(&tact(
        &d,
        &[
            "--as",
            &cw_id,
            "person",
            "show",
            &kept["id"].as_i64().unwrap().to_string(),
        ],
    ));
    assert!(shown.to_string().contains("Jo Bloggs"), "{shown}");
    let list = text(&tact(&d, &["--as", &cw_id, "api", "GET", "/people?q=Sam"]));
    assert!(!list.contains("Sam Later"), "{list}");
    let verify = tact(&d, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify));
    // What is not a Tact backup is refused before anything is touched.
    let junk = d.with_extension("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    let bad = tact(
        &d,
        &["restore", "--from", junk.to_str().unwrap(), "--force"],
    );
    assert!(!bad.status.success(), "{}", text(&bad));
    let still = json(&tact(
        &d,
        &[
            "--as",
            &cw_id,
            "person",
            "show",
            &kept["id"].as_i64().unwrap().to_string(),
        ],
    ));
    assert!(still.to_string().contains("Jo Bloggs"), "{still}");
}

#[test]
fn the_dpo_exports_a_subject_access_bundle_into_a_new_folder() {
    let d = office("export", "cleveland-opcc");
    let staff = |name: &str, role: &str| {
        json(&tact(&d, &["staff", "add", "--name", name, "--role", role]))["staff"]["id"]
            .as_i64()
            .unwrap()
            .to_string()
    };
    let cw = staff("Cas Worker", "caseworker");
    let dpo = staff("Dee Pee-Oh", "dpo");
    let p = json(&tact(
        &d,
        &["--as", &cw, "person", "add", "--name", "Jo Bloggs"],
    ));
    let pid = p["id"].as_i64().unwrap().to_string();
    let out = d.with_extension("bundle");
    let no = tact(
        &d,
        &[
            "--as",
            &cw,
            "export",
            "person",
            &pid,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    // A refusal is exit status 2, as every command's refusal is; nothing is made.
    refused(&no, "Data Protection Officer");
    assert!(!out.exists());
    let made = json(&tact(
        &d,
        &[
            "--as",
            &dpo,
            "export",
            "person",
            &pid,
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    assert!(made["files"].as_u64().unwrap() >= 2, "{made}");
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("holds about Jo Bloggs"), "{index}");
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("record.json")).unwrap()).unwrap();
    assert_eq!(record["person"]["name"], "Jo Bloggs");
    // Never into a folder that has something in it.
    let again = tact(
        &d,
        &[
            "--as",
            &dpo,
            "export",
            "person",
            &pid,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(text(&again).contains("not empty"), "{}", text(&again));
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    // The console's own `staff add` refuses as the API would: bad input is 2, not a fault.
    for bad in [["--role", "chief"], ["--line-manager", "999"]] {
        let mut args = vec!["staff", "add", "--name", "Al Ready"];
        if bad[0] != "--role" {
            args.extend(["--role", "caseworker"]);
        }
        args.extend(bad);
        let o = tact(&d, &args);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", text(&o));
    }
}

#[test]
fn nor_9_1_disposal_from_the_command_line_needs_the_dpo_and_confirmation() {
    let d = office("retention", "northamptonshire-opfcc");
    let dpo = staff_id(&d, "Dee", "dpo");
    let due = json(&tact(&d, &["--as", &dpo, "retention", "due"]));
    assert_eq!(due["due"], serde_json::json!([]), "{due}");
    let unconfirmed = tact(&d, &["--as", &dpo, "retention", "dispose"]);
    assert_eq!(unconfirmed.status.code(), Some(2), "{}", text(&unconfirmed));
    // Core's refusal, as the API and the page give it, with how to confirm here.
    assert!(
        text(&unconfirmed).contains("confirm the disposal first")
            && text(&unconfirmed).contains("--confirm"),
        "{}",
        text(&unconfirmed)
    );
    let done = json(&tact(
        &d,
        &["--as", &dpo, "retention", "dispose", "--confirm"],
    ));
    assert_eq!(done["disposed"], serde_json::json!([]));
    let bad = tact(&d, &["--as", &dpo, "retention", "lift", "99"]);
    refused(&bad, "no legal hold 99");
    // A hold placed, read and lifted, as the API answers them; a caseworker may not.
    let cw = staff_id(&d, "Cas", "caseworker");
    let p = json(&tact(
        &d,
        &["--as", &cw, "person", "add", "--name", "Jo Bloggs"],
    ));
    let pid = p["id"].as_i64().unwrap().to_string();
    let no = tact(
        &d,
        &["--as", &cw, "retention", "hold", &pid, "--reason", "x"],
    );
    refused(&no, "Data Protection Officer");
    // The disposal refused to a caseworker is a refusal (2), not Tact failing (1).
    let no = tact(&d, &["--as", &cw, "retention", "dispose", "--confirm"]);
    assert_eq!(no.status.code(), Some(2), "{}", text(&no));
    let held = json(&tact(
        &d,
        &[
            "--as",
            &dpo,
            "retention",
            "hold",
            &pid,
            "--reason",
            "Litigation",
        ],
    ));
    assert_eq!(held["reason"], "Litigation", "{held}");
    let hold = held["id"].as_i64().unwrap().to_string();
    let shown = json(&tact(&d, &["--as", &dpo, "retention", "held", &pid]));
    assert_eq!(shown["hold"]["id"], held["id"], "{shown}");
    let all = json(&tact(&d, &["--as", &dpo, "retention", "holds"]));
    assert_eq!(
        (
            &all["holds"][0]["id"],
            &all["holds"][0]["reason"],
            all["holds"].as_array().map(Vec::len)
        ),
        (&held["id"], &held["reason"], Some(1)),
        "{all}"
    );
    let no = tact(&d, &["--as", &cw, "retention", "holds"]);
    assert_eq!(no.status.code(), Some(2), "{}", text(&no));
    let lifted = json(&tact(&d, &["--as", &dpo, "retention", "lift", &hold]));
    assert_eq!(lifted["lifted"], true, "{lifted}");
    let shown = json(&tact(&d, &["--as", &dpo, "retention", "held", &pid]));
    assert_eq!(shown["hold"], serde_json::Value::Null, "{shown}");
    let all = json(&tact(&d, &["--as", &dpo, "retention", "holds"]));
    assert_eq!(all["holds"], serde_json::json!([]), "{all}");
    // Where their records stand: with no matter, six years from when they were recorded.
    let standing = json(&tact(&d, &["--as", &dpo, "retention", "status", &pid]));
    let due_on = tact_core::check::uk_date(jiff::Timestamp::now())
        .checked_add(jiff::Span::new().years(6))
        .unwrap()
        .to_string();
    assert_eq!(
        standing,
        serde_json::json!({"due_on": due_on, "due": false, "kept_because": null})
    );
    let no = tact(&d, &["--as", &cw, "retention", "status", &pid]);
    assert_eq!(no.status.code(), Some(2), "{}", text(&no));
    let register = json(&tact(&d, &["--as", &dpo, "retention", "register"]));
    assert_eq!(register["register"], serde_json::json!([]), "{register}");
}

/// CLE-8.4 / NOR-1.4 from the command line: answers recorded only with consent, never read
/// back, withdrawn; the report for the DPO, a count of one withheld.
#[test]
fn nor_1_4_equality_monitoring_from_the_command_line() {
    let d = office("equality", "northamptonshire-opfcc");
    let cw = staff_id(&d, "Cas", "caseworker");
    let dpo = staff_id(&d, "Dee", "dpo");
    let p = json(&tact(
        &d,
        &["--as", &cw, "person", "add", "--name", "Jo Bloggs"],
    ));
    let pid = p["id"].as_i64().unwrap().to_string();
    let record = |args: &[&str]| {
        let mut all = vec!["--as", cw.as_str(), "equality", "record", pid.as_str()];
        all.extend_from_slice(args);
        tact(&d, &all)
    };
    for (args, says) in [
        (vec!["--answer", "age=35-44"], "(--consent)"),
        (vec!["--consent", "--answer", "age"], "QUESTION=ANSWER"),
        (vec!["--consent", "--answer", "shoe-size=9"], "(--answer)"),
        (vec!["--consent", "--answer", "age=old"], "field `age`"),
    ] {
        let o = record(&args);
        refused(&o, says);
    }
    let held = json(&tact(&d, &["--as", &cw, "equality", "held", &pid]));
    assert_eq!(
        held["recorded"], false,
        "nothing written by a refusal: {held}"
    );
    let done = json(&record(&["--consent", "--answer", "age=35-44"]));
    assert_eq!(done["recorded"], true, "{done}");
    let o = tact(&d, &["--as", &cw, "equality", "report"]);
    assert_eq!(o.status.code(), Some(2), "the DPO's: {}", text(&o));
    let report = json(&tact(&d, &["--as", &dpo, "equality", "report"]));
    assert_eq!(report["monitored"], serde_json::Value::Null, "{report}");
    let gone = json(&tact(&d, &["--as", &cw, "equality", "withdraw", &pid]));
    assert_eq!(gone["recorded"], false, "{gone}");
}

/// CLE-9.9: who speaks for a person is recorded from the console as at every other door:
/// named (core's refusal, naming the flag), changed, and taken off; their number is the
/// person's to the contact check.
/// A refusal the user may overrule names the flag that does: a number libphonenumber cannot
/// confirm (`--keep-unverified`), one another person holds (`--shared`); given, the person is
/// added.
#[test]
fn a_refusal_the_user_may_overrule_names_the_flag_that_does() {
    let d = office("overrule", "cleveland-opcc");
    let cw = staff_id(&d, "Cas", "caseworker");
    let add = |name: &str, more: &[&str]| {
        let all = [
            &[
                "--as",
                cw.as_str(),
                "person",
                "add",
                "--name",
                name,
                "--phone",
                "07700 900555",
            ][..],
            more,
        ]
        .concat();
        tact(&d, &all)
    };
    let o = add("Ann New", &[]);
    refused(&o, "(--phone; to go ahead anyway: --keep-unverified)");
    let ann = json(&add("Ann New", &["--keep-unverified"]));
    assert_eq!(ann["phones"][0], "+447700900555");
    let o = add("Bob New", &["--keep-unverified"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("Ann New")
            && text(&o).contains("(--phone; to go ahead anyway: --shared)"),
        "{}",
        text(&o)
    );
    let bob = json(&add(
        "Bob New",
        &["--keep-unverified", "--shared", "07700 900555"],
    ));
    assert_eq!(bob["phones"][0], "+447700900555");
    // A number that is no number at all cannot be overruled, and says no flag to try.
    let o = tact(
        &d,
        &[
            "--as", &cw, "person", "add", "--name", "Cy", "--phone", "call me",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("(--phone)") && !text(&o).contains("go ahead anyway"),
        "{}",
        text(&o)
    );
}

#[test]
fn cle_9_9_an_advocate_is_recorded_from_the_command_line() {
    let d = office("advocate", "cleveland-opcc");
    let cw = staff_id(&d, "Cas", "caseworker");
    for (args, says) in [
        (
            vec!["--advocate", "  "],
            "Enter the name of the person who speaks for them (--advocate)",
        ),
        (
            vec!["--advocate-phone", "01642 301653"],
            "--advocate <NAME>",
        ),
        (
            vec!["--advocate", "Sam", "--advocate-phone", "12"],
            "(--advocate-phone)",
        ),
    ] {
        let all = [
            &["--as", cw.as_str(), "person", "add", "--name", "Jo Bloggs"][..],
            &args,
        ]
        .concat();
        let o = tact(&d, &all);
        refused(&o, says);
    }
    let p = json(&tact(
        &d,
        &[
            "--as",
            &cw,
            "person",
            "add",
            "--name",
            "Jo Bloggs",
            "--advocate",
            "Sam Support",
            "--advocate-organisation",
            "Tees Advocacy",
            "--advocate-phone",
            "01642 301653",
        ],
    ));
    assert_eq!(
        (&p["advocate"]["name"], &p["advocate"]["phone"]),
        (
            &serde_json::json!("Sam Support"),
            &serde_json::json!("+441642301653")
        ),
        "{p}"
    );
    let pid = p["id"].as_i64().unwrap().to_string();
    let check = json(&tact(
        &d,
        &["--as", &cw, "check", "--phone", "01642 301653"],
    ));
    assert_eq!(check["person"]["id"].as_i64(), p["id"].as_i64(), "{check}");
    let v = json(&tact(
        &d,
        &[
            "--as",
            &cw,
            "person",
            "edit",
            &pid,
            "--advocate",
            "Alex Friend",
        ],
    ));
    assert_eq!(
        (&v["advocate"]["name"], &v["advocate"]["phone"]),
        (&serde_json::json!("Alex Friend"), &serde_json::Value::Null),
        "the advocate given replaces the one before: {v}"
    );
    let v = json(&tact(
        &d,
        &["--as", &cw, "person", "edit", &pid, "--no-advocate"],
    ));
    assert_eq!(v["advocate"], serde_json::Value::Null, "{v}");
}

/// Issue 12: from the CLI, a member of staff mints, lists and revokes their own tokens; an
/// administrator adds a service account and mints its token, but not a colleague's.
#[test]
fn tokens_and_service_accounts_from_the_cli() {
    let d = folder("tokens");
    let init = tact(&d, &["init", "--profile", "cleveland-opcc"]);
    assert!(init.status.success(), "{}", text(&init));
    let cas = staff_add(&d, "Cas Worker", "caseworker");
    let cas_id = cas["staff"]["id"].as_i64().unwrap().to_string();
    // Their own, named, for 30 days.
    let mine = json(&tact(
        &d,
        &[
            "--as", &cas_id, "staff", "token", &cas_id, "--name", "laptop", "--days", "30",
        ],
    ));
    assert_eq!(mine["about"]["name"], "laptop");
    let token_id = mine["about"]["id"].as_i64().unwrap();
    let id = token_id.to_string();
    let listed = json(&tact(&d, &["--as", &cas_id, "staff", "tokens"]));
    assert!(listed["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == token_id));
    assert!(!listed.to_string().contains("tact_"), "never the secret");
    // An administrator may not mint a colleague's.
    let o = tact(
        &d,
        &["--as", "1", "staff", "token", &cas_id, "--name", "theirs"],
    );
    assert!(!o.status.success());
    assert!(
        text(&o).contains("nobody mints a token for anyone else"),
        "{}",
        text(&o)
    );
    // A service account, and its token from the administrator.
    let (phones, pbx) = phone_system(&d, "pbx");
    assert_eq!(phones["scope"], "contact-check");
    assert!(pbx.starts_with("tact_"));
    // Revoked by its holder.
    let gone = json(&tact(&d, &["--as", &cas_id, "staff", "revoke", &id]));
    assert!(gone["revoked_at"].is_string());
    let again = tact(&d, &["--as", &cas_id, "staff", "revoke", &id]);
    assert!(!again.status.success());
}

/// `tact staff password` reads the password from standard input; a refusal names the flag
/// that was typed (`--username`), as every other command's refusal does, and exits 2.
#[test]
fn a_staff_password_is_set_at_the_console_and_a_refusal_names_the_flag() {
    let d = folder("password");
    let init = tact(&d, &["init", "--profile", "cleveland-opcc"]);
    assert!(init.status.success(), "{}", text(&init));
    let id = staff_id(&d, "Cas Worker", "caseworker");
    let with_stdin = |args: &[&str], password: &str| {
        use std::io::Write;
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_tact"));
        c.arg("--data")
            .arg(&d)
            .args(args)
            .env_remove("TACT_AS")
            .env("TACT_LOG", "warn")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let bad = with_stdin(
        &["staff", "password", &id, "--username", "Cas Worker"],
        "a long enough password",
    );
    refused(&bad, "not \"Cas Worker\" (--username)");
    // A password too short is said to be the one read from standard input: there is no
    // flag to name, and "field `password`" would send them looking for one.
    let short = with_stdin(&["staff", "password", &id, "--username", "cas"], "short");
    refused(
        &short,
        "a password needs at least 12 characters (the password read from standard input)",
    );
    let ok = with_stdin(
        &["staff", "password", &id, "--username", "cas"],
        "a long enough password",
    );
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(
        text(&ok).contains("can now sign in as \"cas\""),
        "{}",
        text(&ok)
    );
}

/// CLE-9.6, CLE-9.11: a plan letter written at the console with no `--kind` names only the
/// letters the plan can have now, as `GET /plans/{id}` lists them and the form offers them;
/// where it can have none, the refusal says why each cannot be written. Before, it listed
/// every kind there is, the written notice of a plan still a draft among them.
#[test]
fn cle_9_6_cle_9_11_the_console_names_only_the_letters_a_plan_can_have() {
    let d = office("letter-kinds", "cleveland-opcc");
    let o = tact(&d, &["demo", "--people", "14"]);
    assert!(o.status.success(), "{}", text(&o));
    // Dana, a line manager in the demo, may write letters.
    let (mut listed, mut none) = (0, 0);
    // The demo's plans, at every stage of the lifecycle: 1, 2, … until there is no next.
    for plan in 1.. {
        let plan = plan.to_string();
        let o = tact(&d, &["--as", "2", "api", "GET", &format!("/plans/{plan}")]);
        if o.status.code() == Some(2) && text(&o).contains("no contact strategy") {
            break;
        }
        let view = json(&o);
        let letters: Vec<&str> = view["letters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap())
            .collect();
        let o = tact(
            &d,
            &[
                "--as",
                "2",
                "letter",
                "write",
                "--plan",
                &plan,
                "--channel",
                "letter",
            ],
        );
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        let said = text(&o);
        if letters.is_empty() {
            none += 1;
            assert!(said.contains("can be written now"), "{said}");
        } else {
            listed += 1;
            assert!(
                said.contains(&format!(
                    "say which letter: {} (--kind)",
                    letters.join(", ")
                )),
                "{view}: {said}"
            );
        }
    }
    assert!(listed > 0 && none > 0, "{listed} listed, {none} with none");
}

/// Issue 12: the demo writes its tokens to its file only, never to the terminal.
#[test]
fn the_demo_keeps_its_tokens_in_its_file() {
    let d = folder("demo-tokens");
    let init = tact(&d, &["init", "--profile", "cleveland-opcc"]);
    assert!(init.status.success(), "{}", text(&init));
    let o = tact(&d, &["demo", "--people", "4"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(!text(&o).contains("tact_"), "{}", text(&o));
    assert!(text(&o).contains("demo-tokens.txt"));
    let file = std::fs::read_to_string(d.join("demo-tokens.txt")).unwrap();
    assert!(file.matches("token tact_").count() >= 5, "{file}");
    // They last from today, not from the demo's past.
    let all = json(&tact(
        &d,
        &["--as", "1", "staff", "tokens", "--staff", "all"],
    ));
    let now = jiff::Timestamp::now();
    for t in all["tokens"].as_array().unwrap() {
        let expires: jiff::Timestamp = t["expires_at"].as_str().unwrap().parse().unwrap();
        assert!(
            expires > now + jiff::SignedDuration::from_hours(24 * 80),
            "{t}"
        );
    }
}

/// Issue 12: deleting the newest entries of the event log and rewriting its head to match
/// passes the hash chain, but not the checkpoint kept outside the database.
#[test]
fn cutting_the_newest_events_is_found_by_the_checkpoint() {
    let d = folder("checkpoint");
    let init = tact(&d, &["init", "--profile", "cleveland-opcc"]);
    assert!(init.status.success(), "{}", text(&init));
    assert!(d.join("audit.key").exists());
    for name in ["Cas Worker", "Lee Manager", "Ann Other"] {
        staff_add(&d, name, "caseworker");
    }
    let cp = json(&tact(&d, &["audit", "checkpoint"]));
    let seq = cp["checkpoint"]["seq"].as_i64().unwrap();
    assert!(seq >= 4, "{cp}");
    let ok = tact(&d, &["audit", "verify"]);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(
        text(&ok).contains("the checkpoint kept outside the database agrees"),
        "{}",
        text(&ok)
    );

    // Someone with the database, not the data folder's key: cut the newest two entries and
    // point the head at what is left.
    let url = format!("sqlite://{}", d.join("tact.db").display());
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = tact_store::Store::open(&url).await.unwrap();
        let pool = store.pool();
        sqlx::query("DELETE FROM audit_log WHERE seq > $1")
            .bind(seq - 2)
            .execute(pool)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_head SET seq = $1, hash = (SELECT hash FROM audit_log WHERE seq = $2) WHERE id = 1")
            .bind(seq - 2)
            .bind(seq - 2)
            .execute(pool)
            .await
            .unwrap();
    });
    let cut = tact(&d, &["audit", "verify"]);
    assert_eq!(cut.status.code(), Some(3), "{}", text(&cut));
    assert!(
        text(&cut).contains("newest entries were removed"),
        "{}",
        text(&cut)
    );

    // A checkpoint file edited to match is refused: it is not signed with the key.
    let forged = format!(
        "{} {} 2026-01-01T00:00:00Z {}\n",
        seq - 2,
        "0".repeat(64),
        "ab".repeat(32)
    );
    std::fs::write(d.join("audit-checkpoints"), forged).unwrap();
    let edited = tact(&d, &["audit", "verify"]);
    assert_eq!(edited.status.code(), Some(3), "{}", text(&edited));
    assert!(text(&edited).contains("not signed"), "{}", text(&edited));
}

/// The demo office has something waiting at each step and something already decided: the
/// DPO has one person due for disposal and one kept past that day by a legal hold (NOR-9.1)
/// and a subject access request waiting; of the three people asking for a reasonable
/// adjustment (NOR-1.5) and the three disputing a plan (NOR-7.1), some are decided and one
/// waits for a decision.
#[test]
fn nor_9_1_the_demo_office_has_records_due_and_held_and_decisions_made_and_waiting() {
    let d = folder("demo-retention");
    let init = tact(&d, &["init", "--profile", "northamptonshire-opfcc"]);
    assert!(init.status.success(), "{}", text(&init));
    // Enough people for three times round every stage of the lifecycle.
    let o = tact(&d, &["demo", "--people", "42"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("For the DPO: one person's records due for disposal"),
        "{}",
        text(&o)
    );
    let file = std::fs::read_to_string(d.join("demo-tokens.txt")).unwrap();
    let dpo = file
        .lines()
        .find(|l| l.contains("sign in as dev "))
        .and_then(|l| l.split("staff id ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no DPO in {file}"))
        .to_string();
    let due = json(&tact(&d, &["--as", &dpo, "retention", "due"]));
    let holds = json(&tact(&d, &["--as", &dpo, "retention", "holds"]));
    let open = json(&tact(&d, &["--as", &dpo, "rights", "open"]));
    assert_eq!(due["due"].as_array().map(Vec::len), Some(1), "{due}");
    assert_eq!(holds["holds"].as_array().map(Vec::len), Some(1), "{holds}");
    assert_ne!(
        due["due"][0]["person_id"], holds["holds"][0]["person_id"],
        "the held one is not due: {due} {holds}"
    );
    assert_eq!(open["requests"][0]["kind"], "access", "{open}");
    assert_eq!(open["requests"].as_array().map(Vec::len), Some(1), "{open}");
    // The people at the adjustment stage (the 14th of each fourteen) and the dispute stage
    // (the 11th): the first and third decided, the second waiting.
    let first = |person: usize, list: &str, field: &str| {
        let shown = json(&tact(
            &d,
            &["--as", "1", "person", "show", &person.to_string()],
        ));
        shown[list][0][field].clone()
    };
    // They live where the office is, and an advocate's number is one kept for drama.
    let one = json(&tact(&d, &["--as", "1", "person", "show", "1"]));
    let address = one["person"]["postal_address"].as_str().unwrap_or_default();
    assert!(address.contains(", Northampton NN1 "), "{one}");
    assert_eq!(one["person"]["advocate"]["phone"], "+441632960000", "{one}");
    let former = json(&tact(
        &d,
        &[
            "--as",
            &dpo,
            "person",
            "show",
            &due["due"][0]["person_id"].to_string(),
        ],
    ));
    assert!(
        former["person"]["postal_address"]
            .as_str()
            .is_some_and(|a| a.ends_with("Kettering NN16 1AA")),
        "{former}"
    );
    let adjustments: Vec<_> = [14, 28, 42]
        .iter()
        .map(|p| first(*p, "adjustments", "status"))
        .collect();
    assert_eq!(adjustments, ["granted", "requested", "granted"]);
    let disputes: Vec<_> = [11, 25, 39]
        .iter()
        .map(|p| first(*p, "disputes", "outcome"))
        .collect();
    assert_eq!(
        disputes,
        [
            serde_json::json!("upheld"),
            serde_json::Value::Null,
            serde_json::json!("upheld")
        ]
    );
}

/// Issue 12: every contact, plan and adjustment is covered by the event log; the deep check
/// names each one changed, deleted or added in the database behind Tact's back.
#[test]
fn the_deep_check_names_records_changed_outside_tact() {
    let d = folder("deep");
    let init = tact(&d, &["init", "--profile", "northamptonshire-opfcc"]);
    assert!(init.status.success(), "{}", text(&init));
    // Enough people for every stage of the demo, a reasonable adjustment included.
    let o = tact(&d, &["demo", "--people", "20"]);
    assert!(o.status.success(), "{}", text(&o));
    let clean = tact(&d, &["audit", "verify", "--deep"]);
    assert!(clean.status.success(), "{}", text(&clean));
    assert!(
        text(&clean)
            .contains("Every contact, plan and adjustment is as the event log last recorded it"),
        "{}",
        text(&clean)
    );

    let url = format!("sqlite://{}", d.join("tact.db").display());
    let (plan, contact, adjustment, added) = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = tact_store::Store::open(&url).await.unwrap();
        let pool = store.pool();
        let one = |sql: &'static str| async move {
            sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap()
        };
        let plan = one("SELECT MIN(id) FROM plans").await;
        let contact = one("SELECT MAX(id) FROM contacts").await;
        let adjustment = one("SELECT MIN(id) FROM adjustments").await;
        // A plan lifted, a contact's words changed, an adjustment deleted and a contact
        // added among those already sealed, all in the database directly.
        sqlx::query("UPDATE plans SET status = 'lifted' WHERE id = $1")
            .bind(plan)
            .execute(pool)
            .await
            .unwrap();
        sqlx::query("UPDATE contacts SET summary = 'nothing happened' WHERE id = $1")
            .bind(contact)
            .execute(pool)
            .await
            .unwrap();
        sqlx::query("DELETE FROM adjustments WHERE id = $1")
            .bind(adjustment)
            .execute(pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO contacts (id, channel, direction, at, summary, body, breach_of, screening, not_recorded_as_complaint) VALUES (0, 'phone', 'inbound', 0, 'planted', '', '', 'not-needed', 0)")
            .execute(pool)
            .await
            .unwrap();
        (plan, contact, adjustment, 0)
    });
    let found = tact(&d, &["audit", "verify", "--deep"]);
    assert_eq!(found.status.code(), Some(3), "{}", text(&found));
    let out = text(&found);
    for line in [
        format!("plan {plan} differs from what the event log last recorded"),
        format!("contact {contact} differs from what the event log last recorded"),
        format!("adjustment {adjustment} is gone, though the event log records no disposal"),
        format!("contact {added} is not covered by the event log"),
        "4 records differ from the event log: 2 changed, 1 gone, 0 put back, 1 not covered"
            .to_string(),
    ] {
        assert!(out.contains(&line), "{line:?} in {out}");
    }
    assert!(!out.contains("not on the event log yet"), "{out}");
    // The chain itself is intact: the plain check passes; only the deep check sees this.
    assert!(tact(&d, &["audit", "verify"]).status.success());
}

/// Issue 12: a contact logged by a command is sealed on the event log before the command
/// ends; one written since the last seal is reported as awaiting it (not as a difference)
/// until a server or `tact audit seal` seals it.
#[test]
fn contacts_are_sealed_on_the_event_log_by_the_command_that_logs_them_or_by_audit_seal() {
    let d = folder("seal");
    let init = tact(&d, &["init", "--profile", "cleveland-opcc"]);
    assert!(init.status.success(), "{}", text(&init));
    let o = tact(&d, &["demo", "--people", "5"]);
    assert!(o.status.success(), "{}", text(&o));
    let sealed = tact(&d, &["audit", "seal"]);
    assert!(sealed.status.success(), "{}", text(&sealed));
    assert!(
        text(&sealed).contains(r#"{"sealed":0}"#),
        "the demo sealed its own contacts: {}",
        text(&sealed)
    );
    let url = format!("sqlite://{}", d.join("tact.db").display());
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = tact_store::Store::open(&url).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let c = tact_core::model::Contact::new(
            tact_core::profile::Channel::Letter,
            tact_core::model::Direction::Inbound,
            jiff::Timestamp::now(),
            "A letter",
        );
        tx.insert_contact(&c, None).await.unwrap();
        tx.commit().await.unwrap();
    });
    let waiting = tact(&d, &["audit", "verify", "--deep"]);
    assert!(waiting.status.success(), "{}", text(&waiting));
    assert!(
        text(&waiting)
            .contains("1 contacts logged since the last seal are not on the event log yet"),
        "{}",
        text(&waiting)
    );
    let sealed = tact(&d, &["audit", "seal"]);
    assert!(
        text(&sealed).contains(r#"{"sealed":1}"#),
        "{}",
        text(&sealed)
    );
    let clean = tact(&d, &["audit", "verify", "--deep"]);
    assert!(clean.status.success(), "{}", text(&clean));
    assert!(
        !text(&clean).contains("not on the event log yet"),
        "{}",
        text(&clean)
    );
}

/// Issue 14: `tact import` as an office's IT staff would use it — a template, a dry run that
/// lists every problem and writes nothing (exit 2), then a commit, then the same file again
/// writing nothing.
#[test]
fn issue_14_import_from_the_command_line_dry_run_then_commit_then_nothing_more() {
    let d = office("import", "cleveland-opcc");
    let files = d.join("in");
    std::fs::create_dir_all(&files).unwrap();
    let out = files.to_str().unwrap().to_string();
    let template = || tact(&d, &["import", "--template", "people", "--out", &out]);
    let o = template();
    assert!(o.status.success(), "{}", text(&o));
    let csv = std::fs::read_to_string(files.join("people-template.csv")).unwrap();
    assert!(csv.starts_with("id,name,phones,"), "{csv}");
    let notes = std::fs::read_to_string(files.join("people-template.md")).unwrap();
    assert!(notes.contains("| phones | no |"), "{notes}");
    // The template again into the same folder is refused, not overwritten.
    let o = template();
    refused(&o, "is already there");
    // Only the notes there: refused before the template is written beside them.
    std::fs::remove_file(files.join("people-template.csv")).unwrap();
    let o = template();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        !files.join("people-template.csv").exists(),
        "nothing half-written"
    );

    let bad = files.join("bad.csv");
    std::fs::write(
        &bad,
        "Ref,Full name,Telephone\nC-1,Amira Evans,0791\nC-2,,01642 301653\n",
    )
    .unwrap();
    let args = |file: &Path, commit: bool| {
        let mut a: Vec<String> = [
            "--as",
            "1",
            "import",
            file.to_str().unwrap(),
            "--kind",
            "people",
            "--source",
            "crm",
            "--map",
            "id=Ref",
            "--map",
            "name=Full name",
            "--map",
            "phones=Telephone",
        ]
        .map(String::from)
        .to_vec();
        if commit {
            a.push("--commit".into());
        }
        a
    };
    let run = |file: &Path, commit: bool| {
        let a = args(file, commit);
        tact(&d, &a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let o = run(&bad, true);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let out = text(&o);
    assert!(
        out.contains("bad.csv: row 2, column Telephone: expected a telephone number"),
        "{out}"
    );
    assert!(out.contains("bad.csv: row 3, column Full name: "), "{out}");
    assert!(out.contains("nothing was written"), "{out}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["problems"].as_array().unwrap().len(), 2);
    assert_eq!(v["committed"], false);

    let good = files.join("good.csv");
    std::fs::write(
        &good,
        "Ref,Full name,Telephone\nC-1,Amira Evans,07911 123456\nC-2,Sam Smith,01642 301653\n",
    )
    .unwrap();
    let dry = json(&run(&good, false));
    assert_eq!(
        (dry["new"].as_u64(), dry["committed"].as_bool()),
        (Some(2), Some(false))
    );
    assert_eq!(dry["left_out"], serde_json::json!([]));
    // A column no field takes is named, not dropped without a word.
    let extra = files.join("extra.csv");
    std::fs::write(
        &extra,
        "Ref,Full name,Telephone,Case officer\nC-1,Amira Evans,07911 123456,Pat\n",
    )
    .unwrap();
    let o = run(&extra, false);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(json(&o)["left_out"], serde_json::json!(["Case officer"]));
    assert!(
        text(&o).contains("Not imported: the column \"Case officer\""),
        "{}",
        text(&o)
    );
    let done = json(&run(&good, true));
    assert_eq!(
        (done["new"].as_u64(), done["committed"].as_bool()),
        (Some(2), Some(true))
    );
    let again = run(&good, true);
    let v = json(&again);
    assert_eq!(
        (v["new"].as_u64(), v["already_imported"].as_u64()),
        (Some(0), Some(2))
    );
    assert!(text(&again).contains("every row was imported from crm before"));
    // A number libphonenumber cannot confirm (Ofcom's drama range) is a problem, unless
    // the import is told to keep such numbers unverified, as the person form can.
    let drama = files.join("drama.csv");
    std::fs::write(
        &drama,
        "Ref,Full name,Telephone\nD-1,Ann Actor,07700 900123\n",
    )
    .unwrap();
    let o = run(&drama, true);
    refused(
        &o,
        "run this again, or to go ahead anyway add --keep-unverified.",
    );
    let dry: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        dry["problems"][0]["overridden_by"], "keep_unverified",
        "{dry}"
    );
    let mut a = args(&drama, true);
    a.push("--keep-unverified".into());
    let v = json(&tact(&d, &a.iter().map(String::as_str).collect::<Vec<_>>()));
    assert_eq!(v["committed"], true, "{v}");
    // The records go out again as CSV for reporting, to a new file only.
    let csv = files.join("people-out.csv");
    let o = tact(
        &d,
        &[
            "--as",
            "1",
            "export",
            "records",
            "--kind",
            "people",
            "--out",
            csv.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let out = std::fs::read_to_string(&csv).unwrap();
    assert!(
        out.starts_with("reference,name,phones,") && out.contains("Amira Evans"),
        "{out}"
    );
    let o = tact(
        &d,
        &[
            "--as",
            "1",
            "export",
            "records",
            "--kind",
            "people",
            "--out",
            csv.to_str().unwrap(),
        ],
    );
    refused(&o, "is already there");
    let o = tact(&d, &["--as", "1", "export", "records", "--kind", "staff"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    // The imported number is found as any other.
    let found = json(&tact(&d, &["--as", "1", "person", "find", "Amira"]));
    assert!(found.to_string().contains("+447911123456"), "{found}");
    // A caseworker may not import: the same refusal as at every door, exit 2.
    let cw = staff_add(&d, "Cas Worker", "caseworker");
    let id = cw["staff"]["id"].as_i64().unwrap().to_string();
    let mut a = args(&good, false);
    a[1] = id;
    let o = tact(&d, &a.iter().map(String::as_str).collect::<Vec<_>>());
    refused(&o, "administrator");
}

/// An administrator changes a member of staff's role and line manager, and disables and
/// enables them, as the staff page and `POST /api/v1/staff/{id}` do; a disabled member of
/// staff acts no more; a caseworker may not; asked to change nothing, it is refused.
#[test]
fn staff_are_changed_disabled_and_enabled_from_the_command_line() {
    let d = office("staff-change", "cleveland-opcc");
    let lm = staff_id(&d, "Lee Manager", "line-manager");
    let cw = staff_id(&d, "Cas Worker", "caseworker");
    let change = |who: &str, args: &[&str]| {
        let mut all = vec!["--as", who, "staff", "change", cw.as_str()];
        all.extend_from_slice(args);
        tact(&d, &all)
    };
    let o = change("1", &[]);
    refused(&o, "nothing to change");
    let o = change(&cw, &["--role", "admin"]);
    refused(&o, "administrator");
    let s = json(&change(
        "1",
        &["--role", "line-manager", "--line-manager", &lm],
    ));
    assert_eq!(
        (&s["role"], s["line_manager"].to_string()),
        (&serde_json::json!("line-manager"), lm.clone()),
        "{s}"
    );
    let s = json(&change("1", &["--no-line-manager", "--disable"]));
    assert_eq!(
        (&s["line_manager"], &s["active"]),
        (&serde_json::Value::Null, &serde_json::json!(false)),
        "{s}"
    );
    let o = tact(&d, &["--as", &cw, "staff", "list"]);
    refused(&o, "is disabled");
    let o = change("1", &["--disable", "--enable"]);
    assert_eq!(o.status.code(), Some(2), "one or the other: {}", text(&o));
    let s = json(&change("1", &["--enable"]));
    assert_eq!(s["active"], true, "{s}");
    json(&tact(&d, &["--as", &cw, "staff", "list"]));
    // `staff set`, the first release's word, is the same command, not a second path: its
    // `--active false` disables, and asked to change nothing it is refused as `change` is.
    let set = |args: &[&str]| {
        let mut all = vec!["--as", "1", "staff", "set", cw.as_str()];
        all.extend_from_slice(args);
        tact(&d, &all)
    };
    let o = set(&[]);
    refused(&o, "nothing to change");
    let o = set(&["--active", "false", "--enable"]);
    assert_eq!(o.status.code(), Some(2), "one or the other: {}", text(&o));
    let s = json(&set(&["--active", "false"]));
    assert_eq!(s["active"], false, "{s}");
    let s = json(&set(&["--active", "true", "--role", "senior-manager"]));
    assert_eq!(
        (&s["active"], &s["role"]),
        (
            &serde_json::json!(true),
            &serde_json::json!("senior-manager")
        ),
        "{s}"
    );
}

/// Issue 14: an administrator gives staff telephone extensions, one each, 2 to 8 digits.
#[test]
fn issue_14_staff_extensions_are_digits_and_one_member_of_staff_each() {
    let d = office("extensions", "cleveland-opcc");
    let a = staff_id(&d, "Pat Point", "caseworker");
    let b = staff_id(&d, "Sol Other", "caseworker");
    let v = json(&tact(
        &d,
        &["--as", "1", "staff", "extension", &a, "--number", "2041"],
    ));
    assert_eq!(v["extension"], "2041");
    let o = tact(
        &d,
        &["--as", "1", "staff", "extension", &b, "--number", "2041"],
    );
    refused(&o, "another member of staff has the extension 2041");
    let o = tact(
        &d,
        &["--as", "1", "staff", "extension", &b, "--number", "20a"],
    );
    refused(&o, "2 to 8 digits");
    // A caseworker may not.
    let o = tact(
        &d,
        &["--as", &a, "staff", "extension", &b, "--number", "2042"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    // Taken away, the number is free again.
    json(&tact(
        &d,
        &["--as", "1", "staff", "extension", &a, "--clear"],
    ));
    json(&tact(
        &d,
        &["--as", "1", "staff", "extension", &b, "--number", "2041"],
    ));
}

/// A file the command is given that is not there, or is not text where text is wanted, is
/// bad input like any other: a message naming it and exit status 2 (Tact failing is 1),
/// for an import, a JSON body from a file and a letter's new wording from a file.
#[test]
fn a_file_that_cannot_be_read_is_refused_with_exit_status_2() {
    let d = office("cli-unreadable-file", "cleveland-opcc");
    let admin = "1";
    let missing = d.join("no-such-file.csv");
    let missing = missing.to_str().unwrap();
    let binary = d.join("binary.json");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x81]).unwrap();
    let binary = binary.to_str().unwrap();
    let at_missing = format!("@{missing}");
    let at_binary = format!("@{binary}");
    for (args, says) in [
        (
            vec![
                "--as", admin, "import", "--kind", "people", "--source", "crm", missing,
            ],
            "cannot read",
        ),
        (
            vec![
                "--as",
                admin,
                "api",
                "POST",
                "/people",
                "--json",
                &at_missing,
            ],
            "cannot read",
        ),
        (
            vec![
                "--as", admin, "api", "POST", "/people", "--json", &at_binary,
            ],
            "is not UTF-8 text",
        ),
        (
            vec![
                "--as",
                admin,
                "letter",
                "change",
                "1",
                "--text",
                &at_missing,
            ],
            "cannot read",
        ),
    ] {
        let o = tact(&d, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}
