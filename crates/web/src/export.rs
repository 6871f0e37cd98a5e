//! Subject access (issue 5): everything held about one person as a readable bundle — an
//! HTML index, the machine-readable record (`record.json`), each letter as sent (text,
//! HTML and PDF) and each message as received (`.eml`) — for `tact export person` and the
//! DPO's download on the person page. Only the DPO may make one; making one is itself on
//! the access log and the event log.

use crate::wire;
use serde_json::{json, Value};
use tact_app::query as q;
use tact_app::{App, AppError, Ctx};
use tact_core::ids::PersonId;
use tact_mail::letters::escape as esc;

/// The files of a bundle: a path inside it, and the bytes.
pub type Files = Vec<(String, Vec<u8>)>;

/// Everything held about `id`.
///
/// # Errors
/// Not the DPO; no such person; the store's error.
pub async fn subject_access(app: &App, ctx: &Ctx, id: PersonId) -> Result<Files, AppError> {
    tact_core::command::permit_kind::<tact_core::command::RecordSubjectAccess>(
        &app.profile,
        &ctx.actor,
    )?;
    let r = app.query(&ctx.actor, q::Record { id }).await?;
    let now = app.now();
    let p = &app.profile;
    let contacts = app
        .query(
            &ctx.actor,
            q::Contacts {
                person: id,
                limit: i64::MAX,
            },
        )
        .await?;
    let events = app.query(&ctx.actor, q::History { person: id }).await?;
    let access = app
        .query(
            &ctx.actor,
            q::AccessLog {
                person: Some(id),
                limit: i64::MAX,
            },
        )
        .await?;
    let equality = app
        .query(&ctx.actor, q::EqualityOf { person: id })
        .await?
        .map(|m| {
            json!({
                "consented_at": wire::ts(m.consented_at),
                "answers": m.answers.iter().map(|(c, v)| (c.as_str().to_string(), Value::String(v.clone()))).collect::<serde_json::Map<String, Value>>(),
            })
        });
    let names = crate::ui::Names::of(app, &ctx.actor).await?;
    let name_of = |s| names.name(s);
    let mut files: Files = Vec::new();
    let mut letters = Vec::new();
    for l in &r.letters {
        let base = format!("letters/letter-{}", l.id);
        files.push((format!("{base}.txt"), l.text.clone().into_bytes()));
        files.push((format!("{base}.html"), l.html.clone().into_bytes()));
        let mut listed = vec![format!("{base}.txt"), format!("{base}.html")];
        // The PDF as it was posted. One the document writer cannot make is said so in the
        // list, never listed as if it were there; a failure to read is the export's failure.
        let asked = q::LetterDocument {
            id: l.id,
            doc: tact_app::letters::Document::Pdf,
        };
        let problem = match app.query(&ctx.actor, asked).await {
            Ok((pdf, _, _)) => {
                listed.push(format!("{base}.pdf"));
                files.push((format!("{base}.pdf"), pdf));
                None
            }
            Err(AppError::Rule(e)) => Some(format!("no PDF: {}", e.message)),
            Err(e) => return Err(e),
        };
        letters.push(json!({
            "id": l.id, "kind": l.kind, "channel": l.channel.as_str(), "format": l.format.as_str(),
            "to": l.to_address, "subject": l.subject, "status": l.status.as_str(),
            "written_at": wire::ts(l.created_at), "sent_at": l.sent_at.map(wire::ts),
            "files": listed, "problem": problem,
        }));
    }
    let mut messages = Vec::new();
    for m in &r.messages {
        let file = format!("messages/message-{}.eml", m.id);
        let (_, (raw, _)) = app
            .query(&ctx.actor, q::MessageWithContent { id: m.id })
            .await?;
        files.push((file.clone(), raw));
        messages.push(json!({
            "id": m.id, "received_at": wire::ts(m.received_at), "from": m.sender,
            "subject": m.subject, "route": m.route.as_str(), "file": file,
        }));
    }
    let record = json!({
        "made_at": wire::ts(now),
        "made_by": ctx.actor.name,
        "office": p.organisation.name,
        "person": wire::person(&r.person),
        "matters": r.records.matters.iter().map(wire::matter).collect::<Vec<_>>(),
        "contacts": contacts.iter().map(wire::contact).collect::<Vec<_>>(),
        "incidents": r.records.incidents.iter().map(wire::incident).collect::<Vec<_>>(),
        "warnings": r.records.warnings.iter().map(wire::warning).collect::<Vec<_>>(),
        "plans": r.plans.iter().map(|s| wire::plan(p, s, now)).collect::<Vec<_>>(),
        "adjustments": r.records.adjustments.iter().map(wire::adjustment).collect::<Vec<_>>(),
        "disputes": r.disputes.iter().map(wire::dispute).collect::<Vec<_>>(),
        "further_actions": r.further_actions.iter().map(wire::further_action).collect::<Vec<_>>(),
        "sharing": r.disclosures.iter().map(wire::disclosure).collect::<Vec<_>>(),
        "data_rights_requests": r.rights.iter().map(wire::rights).collect::<Vec<_>>(),
        "equality_monitoring": equality,
        "letters": letters,
        "messages": messages,
        "events": events.iter().map(|e| json!({
            "at": wire::ts(e.at),
            "by": e.actor.map(|a| name_of(tact_core::ids::StaffId(a))),
            "what": e.action, "about": e.subject, "reason": e.reason, "clause": e.clause,
            "detail": serde_json::from_str::<Value>(&e.detail).unwrap_or(Value::Null),
        })).collect::<Vec<_>>(),
        "access_log": access.iter().map(|a| json!({
            "at": wire::ts(a.at), "by": name_of(a.staff_id), "what": a.what,
        })).collect::<Vec<_>>(),
    });
    let index = index_html(
        &record,
        &r.person.name,
        &p.organisation.name,
        &p.terms.plan_plural,
        &|id| name_of(tact_core::ids::StaffId(id)),
    );
    files.insert(
        0,
        (
            "record.json".into(),
            serde_json::to_vec_pretty(&record).unwrap_or_default(),
        ),
    );
    files.insert(0, ("index.html".into(), index.into_bytes()));
    app.execute(
        ctx,
        tact_core::command::RecordSubjectAccess {
            person: id,
            files: files.len(),
        },
    )
    .await?;
    Ok(files)
}

fn words(key: &str) -> String {
    match key {
        "staff_id" => "Member of staff".into(),
        "duration_seconds" => "How long".into(),
        "person_id" => "Person".into(),
        "matter_id" => "Matter".into(),
        "matter_ids" => "Matters".into(),
        _ => crate::ui_forms::capital(&key.replace('_', " ")),
    }
}

/// The parts of the record in the order a reader takes them, each with its heading: who
/// they are, what they raised and what passed between them and the office, then what was
/// decided about their contact, then who did and opened what. `plans` is the profile's word
/// for plans ("contact strategies").
fn sections(plans: &str) -> [(&'static str, String); 16] {
    [
        ("person", "Their details".into()),
        ("matters", "Complaints, cases, queries and requests".into()),
        ("contacts", "Calls, emails, letters and visits".into()),
        ("letters", "Letters and emails sent to them".into()),
        ("messages", "Messages received from them".into()),
        ("incidents", "Behaviour recorded".into()),
        ("warnings", "Warnings".into()),
        ("plans", crate::ui_forms::capital(plans)),
        ("adjustments", "Reasonable adjustments".into()),
        ("disputes", "Disputes".into()),
        ("further_actions", "Further action".into()),
        ("sharing", "Sharing with partners".into()),
        ("data_rights_requests", "Data rights requests".into()),
        ("equality_monitoring", "Equality monitoring".into()),
        ("events", "What was done on the record, by whom".into()),
        ("access_log", "Who opened their record".into()),
    ]
}

/// How the index shows one value to a person reading it: a time as the UK day and hour
/// ("5 December 2026, 14:05"), a day in words, yes or no, a word list's words without their
/// hyphens, a member of staff by name where the key names who did something; the JSON
/// keeps the values as they are.
struct Shown<'a> {
    staff: &'a dyn Fn(i64) -> String,
    /// The references of the record's person and matters by id ("SU-000026", "M-000026"),
    /// which a reader knows them by.
    people: std::collections::HashMap<i64, String>,
    matters: std::collections::HashMap<i64, String>,
}

impl Shown<'_> {
    fn value(&self, key: &str, v: &Value) -> String {
        match v {
            Value::Null => "—".into(),
            Value::Bool(b) => if *b { "Yes" } else { "No" }.into(),
            Value::Number(n) if key == "staff_id" || key.ends_with("_by") => n
                .as_i64()
                .map_or_else(|| n.to_string(), |id| esc(&(self.staff)(id))),
            Value::Number(n) if matches!(key, "person_id" | "matter_id" | "matter_ids") => {
                let refs = if key == "person_id" {
                    &self.people
                } else {
                    &self.matters
                };
                n.as_i64()
                    .and_then(|id| refs.get(&id))
                    .map_or_else(|| n.to_string(), |r| esc(r))
            }
            Value::Number(n) if key == "duration_seconds" => n.as_u64().map_or_else(
                || n.to_string(),
                |secs| match (secs / 60, secs % 60) {
                    (0, s) => format!("{s} seconds"),
                    (m, 0) => format!("{m} minutes"),
                    (m, s) => format!("{m} minutes {s} seconds"),
                },
            ),
            Value::String(s) if s.starts_with("letters/") || s.starts_with("messages/") => {
                format!("<a href=\"{0}\">{0}</a>", esc(s))
            }
            Value::String(s) if s.trim().is_empty() => "—".into(),
            Value::String(s) => esc(&text(key, s)),
            Value::Array(a) if a.is_empty() => "None".into(),
            Value::Array(a) if a.iter().all(|x| !x.is_object()) => a
                .iter()
                .map(|x| self.value(key, x))
                .collect::<Vec<_>>()
                .join(", "),
            Value::Array(a) => a.iter().map(|x| self.item(x)).collect::<String>(),
            Value::Object(_) => self.item(v),
            other => esc(&other.to_string()),
        }
    }

    fn item(&self, v: &Value) -> String {
        let Value::Object(m) = v else {
            return format!("<p>{}</p>", self.value("", v));
        };
        let rows: String = m
            .iter()
            .map(|(k, v)| format!("<dt>{}</dt><dd>{}</dd>", esc(&words(k)), self.value(k, v)))
            .collect();
        format!("<dl>{rows}</dl>")
    }
}

/// The keys whose values are words from one of Tact's closed lists (`not-needed`,
/// `strategy-notice`), shown without their hyphens; what staff or the person wrote is
/// never changed.
const WORD_KEYS: &[&str] = &[
    "kind",
    "status",
    "channel",
    "format",
    "preferred_format",
    "direction",
    "screening",
    "route",
    "category",
    "outcome",
    "decision",
    "finding",
    // An event's action (`plan.checklist-answered`), as the person page's history shows it.
    "what",
];

/// A string value as a person reads it: a time (RFC 3339) as the UK day and hour, a day
/// (`2027-02-03`) in words, a word from a closed list (`not-needed`, under one of
/// [`WORD_KEYS`]) without its hyphens; anything else as it is.
fn text(key: &str, s: &str) -> String {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return tact_core::check::uk_time(t)
            .strftime("%-d %B %Y, %H:%M")
            .to_string();
    }
    if s.len() == 10 {
        if let Ok(d) = s.parse::<jiff::civil::Date>() {
            return tact_core::check::long_date(d);
        }
    }
    // How something came or went, and the format they read in, as the staff pages say
    // them ("Telephone", "Standard print"), not the stored word ("phone", "standard").
    match key {
        "channel" => {
            if let Ok(c) = tact_core::profile::Channel::parse(s) {
                return crate::ui_forms::capital(c.plain());
            }
        }
        "format" | "preferred_format" => {
            if let Ok(f) = tact_core::model::Format::parse(s) {
                return crate::ui_forms::capital(tact_core::workflow::format_words(f));
            }
        }
        _ => {}
    }
    let word_list = WORD_KEYS.contains(&key)
        && s.contains(['-', '.'])
        && s.split(['-', '.'])
            .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase()));
    if word_list {
        s.replace(['-', '.'], " ")
    } else {
        s.to_string()
    }
}

/// The readable index: one section for each part of the record, in the order a reader
/// takes them, in plain words; `plans` is the profile's word for plans.
fn index_html(
    record: &Value,
    name: &str,
    office: &str,
    plans: &str,
    staff: &dyn Fn(i64) -> String,
) -> String {
    let references = |part: &Value| -> std::collections::HashMap<i64, String> {
        let one = |v: &Value| Some((v["id"].as_i64()?, v["reference"].as_str()?.to_string()));
        match part {
            Value::Array(all) => all.iter().filter_map(one).collect(),
            v => one(v).into_iter().collect(),
        }
    };
    let shown = Shown {
        staff,
        people: references(&record["person"]),
        matters: references(&record["matters"]),
    };
    let mut body = String::new();
    let sections = sections(plans);
    for (k, heading) in &sections {
        let Some(v) = record.get(*k) else {
            continue;
        };
        body.push_str(&format!("<h2 id=\"{k}\">{}</h2>\n", esc(heading)));
        match v {
            Value::Null => body.push_str("<p>None.</p>\n"),
            Value::Array(a) if a.is_empty() => body.push_str("<p>None.</p>\n"),
            Value::Array(a) => {
                for item in a {
                    body.push_str(&shown.item(item));
                    body.push('\n');
                }
            }
            other => body.push_str(&shown.item(other)),
        }
    }
    // A part of the record the list above does not name yet is still shown, last: the
    // readable copy never leaves out what the record holds.
    if let Value::Object(m) = record {
        for (k, v) in m {
            if sections.iter().any(|(named, _)| named == k)
                || matches!(k.as_str(), "made_at" | "made_by" | "office")
            {
                continue;
            }
            body.push_str(&format!(
                "<h2 id=\"{k}\">{}</h2>\n{}\n",
                esc(&words(k)),
                shown.value(k, v)
            ));
        }
    }
    // In large print where that is the format they asked for, as their letters are
    // (CLE-8.3; NOR-1.3): what they asked to see is sent to them.
    let size = if record["person"]["preferred_format"] == "large-print" {
        "font-size:18pt;line-height:1.5"
    } else {
        "line-height:1.4"
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<title>What {office} holds about {name}</title>\n<style>body{{font-family:Arial,Helvetica,sans-serif;max-width:50em;margin:1em;{size}}}dl{{border-top:1px solid #b1b4b6;padding-top:.5em}}dt{{font-weight:bold}}dd{{margin:0 0 .4em 0}}</style>\n</head>\n<body>\n<main>\n<h1>What {office} holds about {name}</h1>\n<p>Made on {made} by {by}. The same record, for computers, is in <a href=\"record.json\">record.json</a>; each letter and message is in its own file, linked below.</p>\n{body}</main>\n</body>\n</html>\n",
        office = esc(office),
        name = esc(name),
        made = shown.value("made_at", &record["made_at"]),
        by = esc(record["made_by"].as_str().unwrap_or_default()),
    )
}

/// The bundle as one zip file, for download.
///
/// # Errors
/// The zip writer's error, in words.
pub fn zip(files: &Files) -> Result<Vec<u8>, String> {
    use std::io::Write;
    let mut z = ::zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = ::zip::write::SimpleFileOptions::default();
    for (name, bytes) in files {
        z.start_file(name.as_str(), opts)
            .map_err(|e| e.to_string())?;
        z.write_all(bytes).map_err(|e| e.to_string())?;
    }
    Ok(z.finish().map_err(|e| e.to_string())?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 5 (UK GDPR subject access, "intelligible"): the readable index gives a time as
    /// the UK day and hour, a day in words, yes or no, staff by name, a channel and a format
    /// as the staff pages say them, and a closed list's words without hyphens, keeps what
    /// people wrote as written, and shows every part of the record in the order a reader
    /// takes it.
    #[test]
    fn issue_5_the_subject_access_index_is_in_plain_words() {
        let record = json!({
            "made_at": "2026-07-01T13:05:00Z",
            "made_by": "Dee Pio",
            "office": "The Office",
            "access_log": [],
            "person": {"id": 3, "reference": "SU-000003", "name": "Jo Bloggs", "created_at": "2026-01-05T09:00:00Z", "preferred_format": "easy-read"},
            "matters": [{"id": 9, "reference": "M-000009"}],
            "contacts": [{
                "person_id": 3, "matter_id": 9, "channel": "phone",
                "staff_id": 4, "screening": "not-needed", "not_recorded_as_complaint": false,
                "duration_seconds": 1560,
                "summary": "long-term follow-up", "at": "2026-07-01T10:00:00Z",
            }],
            "plans": [{"review_due": "2027-02-03", "decided_by": 7, "matter_ids": [9, 10]}],
            "events": [{"what": "plan.checklist-answered", "reason": "a.b-c"}],
            "something_new": [{"a": 1}],
        });
        let html = index_html(
            &record,
            "Jo Bloggs",
            "The Office",
            "contact strategies",
            &|id| format!("Staff {id}"),
        );
        for want in [
            "Made on 1 July 2026, 14:05 by Dee Pio.",
            "<dd>1 July 2026, 11:00</dd>",
            "<dd>5 January 2026, 09:00</dd>",
            "<dt>Member of staff</dt><dd>Staff 4</dd>",
            "<dt>How long</dt><dd>26 minutes</dd>",
            "<dd>not needed</dd>",
            "<dt>Channel</dt><dd>Telephone</dd>",
            "<dt>Preferred format</dt><dd>Easy Read</dd>",
            "<dd>No</dd>",
            "<dd>long-term follow-up</dd>",
            "<dd>3 February 2027</dd>",
            "<dd>Staff 7</dd>",
            "<dt>Person</dt><dd>SU-000003</dd>",
            "<dt>Matter</dt><dd>M-000009</dd>",
            "<dt>Matters</dt><dd>M-000009, 10</dd>",
            "<dd>plan checklist answered</dd>",
            "<dd>a.b-c</dd>",
            "<h2 id=\"plans\">Contact strategies</h2>",
            "<h2 id=\"something_new\">Something new</h2>",
            "<h2 id=\"access_log\">Who opened their record</h2>\n<p>None.</p>",
        ] {
            assert!(html.contains(want), "{want}\n{html}");
        }
        let at = |id: &str| html.find(&format!("<h2 id=\"{id}\">")).unwrap();
        assert!(at("person") < at("contacts"));
        assert!(at("contacts") < at("plans"));
        assert!(at("plans") < at("access_log"));
        assert!(at("access_log") < at("something_new"));
        assert!(!html.contains("font-size:18pt"), "{html}");
    }

    /// CLE-8.3; NOR-1.3: someone who asked for large print gets what we hold about them in
    /// large print too, as their letters are.
    #[test]
    fn cle_8_3_nor_1_3_the_subject_access_index_is_in_large_print_for_those_who_asked() {
        let record = json!({
            "made_at": "2026-07-01T13:05:00Z",
            "made_by": "Dee Pio",
            "person": {"id": 3, "reference": "SU-000003", "name": "Jo Bloggs", "preferred_format": "large-print"},
        });
        let html = index_html(&record, "Jo Bloggs", "The Office", "plans", &|id| {
            format!("Staff {id}")
        });
        assert!(html.contains("font-size:18pt;line-height:1.5"), "{html}");
    }
}
