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
        "matters": r.matters.iter().map(wire::matter).collect::<Vec<_>>(),
        "contacts": contacts.iter().map(wire::contact).collect::<Vec<_>>(),
        "incidents": r.incidents.iter().map(wire::incident).collect::<Vec<_>>(),
        "warnings": r.warnings.iter().map(wire::warning).collect::<Vec<_>>(),
        "plans": r.plans.iter().map(|s| wire::plan(p, s, now)).collect::<Vec<_>>(),
        "adjustments": r.adjustments.iter().map(wire::adjustment).collect::<Vec<_>>(),
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
    let index = index_html(&record, &r.person.name, &p.organisation.name);
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
    crate::ui_forms::capital(&key.replace('_', " "))
}

fn value_html(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) if s.starts_with("letters/") || s.starts_with("messages/") => {
            format!("<a href=\"{0}\">{0}</a>", esc(s))
        }
        Value::String(s) => esc(s),
        Value::Array(a) if a.iter().all(|x| !x.is_object()) => {
            a.iter().map(value_html).collect::<Vec<_>>().join(", ")
        }
        Value::Array(a) => a.iter().map(item_html).collect::<String>(),
        Value::Object(_) => item_html(v),
        other => esc(&other.to_string()),
    }
}

fn item_html(v: &Value) -> String {
    let Value::Object(m) = v else {
        return format!("<p>{}</p>", value_html(v));
    };
    let rows: String = m
        .iter()
        .map(|(k, v)| format!("<dt>{}</dt><dd>{}</dd>", esc(&words(k)), value_html(v)))
        .collect();
    format!("<dl>{rows}</dl>")
}

/// The readable index: one section for each part of the record, in plain words.
fn index_html(record: &Value, name: &str, office: &str) -> String {
    let Value::Object(m) = record else {
        return String::new();
    };
    let mut body = String::new();
    for (k, v) in m {
        if matches!(k.as_str(), "made_at" | "made_by" | "office") {
            continue;
        }
        body.push_str(&format!("<h2 id=\"{k}\">{}</h2>\n", esc(&words(k))));
        match v {
            Value::Array(a) if a.is_empty() => body.push_str("<p>None.</p>\n"),
            Value::Array(a) => {
                for item in a {
                    body.push_str(&item_html(item));
                    body.push('\n');
                }
            }
            other => body.push_str(&item_html(other)),
        }
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<title>What {office} holds about {name}</title>\n<style>body{{font-family:Arial,Helvetica,sans-serif;max-width:50em;margin:1em;line-height:1.4}}dl{{border-top:1px solid #b1b4b6;padding-top:.5em}}dt{{font-weight:bold}}dd{{margin:0 0 .4em 0}}</style>\n</head>\n<body>\n<main>\n<h1>What {office} holds about {name}</h1>\n<p>Made on {made} by {by}. The same record, for computers, is in <a href=\"record.json\">record.json</a>; each letter and message is in its own file, linked below.</p>\n{body}</main>\n</body>\n</html>\n",
        office = esc(office),
        name = esc(name),
        made = esc(record["made_at"].as_str().unwrap_or_default()),
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
