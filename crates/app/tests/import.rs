//! Issue 14: importing an office's existing records — on SQLite and (when configured)
//! PostgreSQL, through the one entry, with CSV and a real .xlsx file.

mod common;

use common::world;
use tact_app::import::read_table;
use tact_app::query as q;
use tact_core::command as cmd;
use tact_core::identity::Identifier;
use tact_core::import::{Kind, Mapping};
use tact_core::profile::Channel;
use tact_core::roles::Role;
use tact_store::testing;

fn import(kind: Kind, file: &str, text: &str, commit: bool) -> cmd::ImportRecords {
    cmd::ImportRecords {
        source: "crm".into(),
        kind,
        table: read_table(file, text.as_bytes(), None).unwrap(),
        mapping: Mapping::default(),
        commit,
    }
}

/// An administrator, who may import.
async fn admin(w: &common::World) -> tact_app::Ctx {
    let a = tact_app::testing::staff(&w.app, "Ada Admin", Role::Admin).await;
    common::ctx(&a)
}

const PEOPLE: &str = "id,name,phones,emails,needs_help,help_in_their_words\n\
C-1,Amira Evans,07911 123456,amira@example.org,yes,I need letters read to me\n\
C-2,Sam Smith,01642 301653,,,\n";

/// A dry run writes nothing; a commit writes every row; the same file again changes
/// nothing; a row changed since is reported, not overwritten; and the contact check knows
/// the imported numbers at once.
#[tokio::test]
async fn issue_14_a_dry_run_writes_nothing_a_commit_all_and_a_second_run_nothing_more() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let admin = admin(&w).await;
        // Only an administrator imports (the profile's import_records).
        let r = w
            .app
            .execute(&w.cw, import(Kind::People, "people.csv", PEOPLE, true))
            .await;
        assert!(
            matches!(&r, Err(tact_app::AppError::Rule(e)) if e.kind == tact_core::RuleErrorKind::Forbidden),
            "{name}: {r:?}"
        );
        let events = |app: &tact_app::App| {
            let app = app.clone();
            async move { app.store().audit_head().await.unwrap() }
        };
        let head = events(&w.app).await;
        let dry = w
            .app
            .execute(&admin, import(Kind::People, "people.csv", PEOPLE, false))
            .await
            .unwrap();
        assert_eq!((dry.rows, dry.new, dry.already), (2, 2, 0), "{name}");
        assert!(dry.problems.is_empty() && !dry.committed);
        assert!(dry.left_out.is_empty(), "{name}: {:?}", dry.left_out);
        // A column no field takes is named, not dropped without a word; mapped, it is taken.
        let with_officer = "id,name,Case officer,Telephone\nC-9,Ann Other,Pat,07911 123999\n";
        let r = w
            .app
            .execute(
                &admin,
                import(Kind::People, "people.csv", with_officer, false),
            )
            .await
            .unwrap();
        assert_eq!(r.left_out, ["Case officer", "Telephone"], "{name}");
        let mapped = cmd::ImportRecords {
            mapping: Mapping::parse(&["phones=Telephone".to_string()]).unwrap(),
            ..import(Kind::People, "people.csv", with_officer, false)
        };
        let r = w.app.execute(&admin, mapped).await.unwrap();
        assert_eq!(r.left_out, ["Case officer"], "{name}");
        assert_eq!(
            events(&w.app).await,
            head,
            "{name}: a dry run writes nothing"
        );
        let found = |text: &'static str| {
            let app = w.app.clone();
            let actor = w.cw.actor.clone();
            async move {
                app.query(&actor, q::Search { text: text.into() })
                    .await
                    .unwrap()
            }
        };
        assert!(found("Amira").await.is_empty(), "{name}");

        let done = w
            .app
            .execute(&admin, import(Kind::People, "people.csv", PEOPLE, true))
            .await
            .unwrap();
        assert!(done.committed && done.new == 2, "{name}: {done:?}");
        let amira = found("Amira").await;
        assert_eq!(amira.len(), 1, "{name}");
        let amira = &amira[0];
        assert_eq!(amira.phones[0].as_str(), "+447911123456");
        let help = amira.additional_help.as_ref().expect("the help answer");
        assert!(help.needs_help);
        assert_eq!(
            help.in_their_words.as_deref(),
            Some("I need letters read to me")
        );
        // The record says where it came from, and so does its event.
        let from = w.app.store().imported_for(amira.id).await.unwrap();
        assert_eq!(from.len(), 1);
        assert_eq!(
            (from[0].source.as_str(), from[0].key.as_str(), from[0].line),
            ("crm", "C-1", 2)
        );
        let history = w.app.store().audit_of(amira.id).await.unwrap();
        assert!(
            history.iter().any(|e| e.action == "person.imported"
                && e.detail.contains("crm")
                && e.detail.contains("C-1")),
            "{name}: {history:?}"
        );
        // The contact check knows the imported number straight away.
        let v = w
            .verdict(Identifier::parse("07911123456").unwrap(), Channel::Phone)
            .await;
        assert_eq!(v.person, Some(amira.id), "{name}");

        // The same file again changes nothing, not even the event log.
        let head = events(&w.app).await;
        let again = w
            .app
            .execute(&admin, import(Kind::People, "people.csv", PEOPLE, true))
            .await
            .unwrap();
        assert_eq!((again.new, again.already), (0, 2), "{name}");
        assert_eq!(events(&w.app).await, head, "{name}");
        assert_eq!(found("Amira").await.len(), 1);

        // A row changed in the source since is a problem, and nothing of the file is written.
        let changed = format!("{PEOPLE}C-3,Kim Lee,,,,\n").replace("Sam Smith", "Sam Smyth");
        let r = w
            .app
            .execute(&admin, import(Kind::People, "people.csv", &changed, true))
            .await
            .unwrap();
        assert!(!r.committed);
        assert_eq!(r.problems.len(), 1, "{name}: {r:?}");
        assert_eq!(
            (r.problems[0].row, r.problems[0].column.as_str()),
            (3, "id")
        );
        assert!(r.problems[0].reason.contains("has changed since"));
        assert!(found("Kim").await.is_empty(), "{name}: all or none");
    }
}

/// Every problem at once, with its row, column and the core's reason; a number someone in
/// Tact already holds is refused as at every other door; nothing is written.
/// A name as a spreadsheet cell often holds it (" Beryl  Jones ", a double space inside) is
/// kept one-spaced, so searching for it as anyone types it finds it; a search typed with a
/// double space finds it too.
#[tokio::test]
async fn issue_14_a_name_with_runs_of_spaces_is_kept_one_spaced_and_found_as_typed() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let admin = admin(&w).await;
        let sheet = "id,name\nC-7,\" Beryl  Jones \"\nC-8,Cara\tDee\n";
        let done = w
            .app
            .execute(&admin, import(Kind::People, "people.csv", sheet, true))
            .await
            .unwrap();
        assert!(done.committed && done.new == 2, "{name}: {done:?}");
        for typed in ["Beryl Jones", "beryl  jones", "Cara Dee"] {
            let found = w
                .app
                .query(&w.cw.actor, q::Search { text: typed.into() })
                .await
                .unwrap();
            assert_eq!(found.len(), 1, "{name}: {typed:?} finds {found:?}");
            assert!(
                ["Beryl Jones", "Cara Dee"].contains(&found[0].name.as_str()),
                "{name}: kept as {:?}",
                found[0].name
            );
        }
    }
}

#[tokio::test]
async fn issue_14_problems_are_listed_by_row_and_column_and_nothing_is_written() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let admin = admin(&w).await;
        // jo@example.org is Jo Bloggs's, already in Tact.
        let text = "id,name,emails,preferred_format\n\
            C-1,Jo Two,jo@example.org,\n\
            C-2,,not-an-address,sign language\n\
            C-3,Fine Person,fine@example.org,\n";
        let r = w
            .app
            .execute(&admin, import(Kind::People, "people.csv", text, true))
            .await
            .unwrap();
        assert!(!r.committed, "{name}");
        let at: Vec<(usize, &str)> = r
            .problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect();
        assert_eq!(
            at,
            vec![
                (2, "emails"),
                (3, "name"),
                (3, "emails"),
                (3, "preferred_format")
            ],
            "{name}: {:?}",
            r.problems
        );
        assert!(
            r.problems[0].reason.contains("Jo Bloggs"),
            "{:?}",
            r.problems
        );
        // A column headed otherwise in the file, and mapped, is named as the file heads it:
        // what the office will look for in its sheet.
        let headed = cmd::ImportRecords {
            mapping: Mapping::parse(&["emails=E-mail address".to_string()]).unwrap(),
            ..import(
                Kind::People,
                "people.csv",
                "id,Name,E-mail address\nC-1,Jo Two,jo@example.org\n",
                false,
            )
        };
        let r = w.app.execute(&admin, headed).await.unwrap();
        let at: Vec<(usize, &str)> = r
            .problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect();
        assert_eq!(at, vec![(2, "E-mail address")], "{name}: {:?}", r.problems);
        let none = w
            .app
            .query(
                &w.cw.actor,
                q::Search {
                    text: "Fine Person".into(),
                },
            )
            .await
            .unwrap();
        assert!(none.is_empty(), "{name}: nothing written");
    }
}

/// Matters name their person by the source's id, from a real spreadsheet: a date cell, a
/// whole number and text all read as the office typed them.
#[tokio::test]
async fn issue_14_matters_from_a_spreadsheet_join_their_people_by_the_sources_id() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let admin = admin(&w).await;
        // Matters before their people: each is a problem naming the person's id.
        let xlsx = include_bytes!("data/matters.xlsx");
        let table = read_table("matters.xlsx", xlsx, None).unwrap();
        let early = w
            .app
            .execute(
                &admin,
                cmd::ImportRecords {
                    source: "crm".into(),
                    kind: Kind::Matters,
                    table: table.clone(),
                    mapping: Mapping::default(),
                    commit: true,
                },
            )
            .await
            .unwrap();
        assert!(!early.committed);
        assert!(
            early
                .problems
                .iter()
                .all(|p| p.column == "person" && p.reason.contains("import the people file first")),
            "{name}: {:?}",
            early.problems
        );
        w.app
            .execute(&admin, import(Kind::People, "people.csv", PEOPLE, true))
            .await
            .unwrap();
        let done = w
            .app
            .execute(
                &admin,
                cmd::ImportRecords {
                    source: "crm".into(),
                    kind: Kind::Matters,
                    table,
                    mapping: Mapping::default(),
                    commit: true,
                },
            )
            .await
            .unwrap();
        assert!(done.committed && done.new == 2, "{name}: {done:?}");
        let amira = w
            .app
            .query(
                &w.cw.actor,
                q::Search {
                    text: "Amira".into(),
                },
            )
            .await
            .unwrap()
            .remove(0);
        let matters = w
            .app
            .query(&w.cw.actor, q::Matters { person: amira.id })
            .await
            .unwrap();
        let finalised = matters
            .iter()
            .find(|m| m.status == tact_core::model::MatterStatus::Finalised)
            .expect("the finalised complaint");
        assert_eq!(
            finalised.finalised_on,
            Some(jiff::civil::date(2024, 3, 14)),
            "{name}: the spreadsheet's date cell"
        );
        // A whole number in a cell is its digits, as the source's id.
        let keys = w.app.store().imported("crm", "matters").await.unwrap();
        assert!(keys.contains_key("20240117"), "{name}: {keys:?}");
        assert_eq!(keys["20240117"].record_id, finalised.id.0);
    }
}

#[test]
fn issue_14_files_tact_cannot_read_are_refused_with_their_reason() {
    let e = read_table("people.pdf", b"%PDF", None).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("file"));
    assert!(e.message.contains(".csv"));
    let e = read_table("people.csv", b"id,name\nC-1,\xff\xfe\n", None).unwrap_err();
    assert!(e.message.contains("UTF-8"), "{e:?}");
    let e = read_table("people.xlsx", b"not a zip", None).unwrap_err();
    assert!(e.message.contains("not a spreadsheet"), "{e:?}");
    let e = read_table("people.csv", b"\n\n", None).unwrap_err();
    assert!(e.message.contains("headings"), "{e:?}");
    // A byte-order mark (Excel's "CSV UTF-8") is not part of the first heading.
    let t = read_table("people.csv", b"\xEF\xBB\xBFid,name\nC-1,A\n", None).unwrap();
    assert_eq!(t.headers[0], "id");
    // Excel's "Unicode Text": UTF-16 with its byte-order mark, tab separated.
    let utf16 = |text: &str, big: bool| {
        let mut b: Vec<u8> = if big {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for u in text.encode_utf16() {
            b.extend(if big {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        b
    };
    for big in [false, true] {
        let t = read_table(
            "people.txt",
            &utf16("id\tname\r\nC-1\tZoë Ó Briain\r\n", big),
            None,
        )
        .unwrap();
        assert_eq!(t.headers, ["id", "name"], "big-endian {big}");
        assert_eq!(t.rows[0].1, ["C-1", "Zoë Ó Briain"], "big-endian {big}");
    }
    // One that says it is UTF-16 and is not is refused, not read as something else.
    let mut broken = utf16("id,name\n", false);
    broken.extend([0x00, 0xD8, b'a', 0]);
    let e = read_table("people.csv", &broken, None).unwrap_err();
    assert!(e.message.contains("UTF-16LE text and is not"), "{e:?}");
    let e = read_table(
        "matters.xlsx",
        include_bytes!("data/matters.xlsx"),
        Some("Nope"),
    )
    .unwrap_err();
    assert!(e.message.contains("Sheet1"), "{e:?}");
}

/// A quoted cell never closed would take every row after it into itself (the csv crate
/// reads it to the end of the file), so the rows after it would vanish from a "no problems"
/// dry run: the file is refused naming the line. A file Excel saved with semicolons or tabs
/// between its cells reads as one with commas.
#[test]
fn issue_14_a_quote_never_closed_is_refused_and_semicolons_or_tabs_read_as_commas() {
    let open = "id,name,phones\r\nA-1,\"Ann Smith,01604 888000\r\nA-2,Bob Jones,07400 123456\r\n";
    let e = read_table("people.csv", open.as_bytes(), None).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("file"));
    assert!(
        e.message.contains("line 2") && e.message.contains("never closed"),
        "{e:?}"
    );
    // Quotes that close, doubled quotes within a cell and a quote inside an unquoted cell
    // are all cells as the csv crate reads them.
    let fine =
        "id,name,notes\nA-1,\"Smith, Ann\",\"said \"\"hi\"\"\nthen left\"\nA-2,Jo 5'11\" tall,x\n";
    let t = read_table("people.csv", fine.as_bytes(), None).unwrap();
    assert_eq!(t.rows.len(), 2, "{t:?}");
    assert_eq!(t.rows[0].1[1], "Smith, Ann");
    assert_eq!(t.rows[0].1[2], "said \"hi\"\nthen left");
    assert_eq!(t.rows[1].1[1], "Jo 5'11\" tall");
    for (sep, text) in [
        (";", "id;name;phones\nA-1;Ann Smith;01604 888000\n"),
        ("tab", "id\tname\tphones\nA-1\tAnn Smith\t01604 888000\n"),
    ] {
        let t = read_table("people.csv", text.as_bytes(), None).unwrap();
        assert_eq!(t.headers, ["id", "name", "phones"], "{sep}");
        assert_eq!(t.rows[0].1, ["A-1", "Ann Smith", "01604 888000"], "{sep}");
    }
    // A comma in the headings keeps commas, whatever the cells hold.
    let t = read_table("people.csv", b"id,name\nA-1;x,Ann; Smith\n", None).unwrap();
    assert_eq!(t.rows[0].1, ["A-1;x", "Ann; Smith"]);
}

fn plans(text: &str, commit: bool) -> cmd::ImportRecords {
    import(Kind::Plans, "plans.csv", text, commit)
}

/// Issue 14: a strategy already in force elsewhere comes in as one event naming who
/// authorised it and when, in force from its written notice (CLE-9.6), and the contact check
/// answers by it at once; every refusal is its row's problem in the column it is about.
#[tokio::test]
async fn issue_14_a_strategy_in_force_imported_is_what_the_contact_check_answers() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let admin = admin(&w).await;
        w.app
            .execute(&admin, import(Kind::People, "people.csv", PEOPLE, true))
            .await
            .unwrap();
        w.app
            .execute(
                &admin,
                import(
                    Kind::Matters,
                    "matters.csv",
                    "id,person,kind,title\nM-1,C-1,complaint,Delay\nM-2,C-2,case,Other\n",
                    true,
                ),
            )
            .await
            .unwrap();
        let today = tact_core::check::uk_date(w.app.now());
        let day = |days: i64| (today + jiff::Span::new().days(days)).to_string();
        let head = "id,person,matters,reasons,single_channel,call_window,single_point_of_contact,authorised_by,authorised_on,notice_sent_on,review_due,ends_on\n";
        // Every refusal at once, by row and column.
        let bad = format!(
            "{head}\
             S-1,C-1,,Abuse,telepathy,,,Pat Jones (Head of Standards),{a},{n},{r},\n\
             S-2,C-1,M-2,Abuse,letter,,,Pat Jones,{a},{n},{r},\n\
             S-3,C-1,,Abuse,letter,,Nobody Here,Pat Jones,{a},{n},{r},\n\
             S-4,C-1,,Abuse,letter,,,Pat Jones,{a},{before},{r},\n\
             S-5,C-1,,Abuse,letter,,,Pat Jones,{a},{n},{far},\n\
             S-6,C-1,,Abuse,,,,Pat Jones,{a},{n},{r},\n\
             S-7,C-9,,Abuse,letter,,,Pat Jones,{a},{n},{r},\n\
             S-8,C-1,M-1;M-1,Abuse,letter,,,Pat Jones,{a},{n},{r},\n",
            a = day(-30),
            n = day(-28),
            before = day(-31),
            r = day(60),
            far = day(90),
        );
        let r = w.app.execute(&admin, plans(&bad, true)).await.unwrap();
        assert!(!r.committed, "{name}");
        let at: Vec<(usize, &str)> = r
            .problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect();
        assert_eq!(
            at,
            vec![
                (2, "single_channel"),
                (3, "matters"),
                (4, "single_point_of_contact"),
                (5, "notice_sent_on"),
                (6, "review_due"),
                (7, "reasons"),
                (8, "person"),
                (9, "matters"),
            ],
            "{name}: {:?}",
            r.problems
        );
        assert!(
            r.problems[4].reason.contains("3 months"),
            "{:?}",
            r.problems[4]
        );

        // A good one: letters only, authorised a month ago, told two days later.
        let good = format!(
            "{head}S-1,C-1,M-1,Abusive calls after a warning,letter,,,Pat Jones (Head of Standards),{},{},{},\n",
            day(-30),
            day(-28),
            day(60)
        );
        let r = w.app.execute(&admin, plans(&good, true)).await.unwrap();
        assert!(r.committed && r.new == 1, "{name}: {r:?}");
        let amira = w
            .app
            .query(
                &w.cw.actor,
                q::Search {
                    text: "Amira".into(),
                },
            )
            .await
            .unwrap()
            .remove(0);
        let v = w
            .verdict(Identifier::parse("07911 123456").unwrap(), Channel::Phone)
            .await;
        assert_eq!(v.person, Some(amira.id));
        assert_eq!(
            v.outcome,
            tact_core::check::Outcome::NotAllowed,
            "{name}: a call from someone whose strategy allows letters only"
        );
        assert!(!v.restrictions.is_empty());
        // One event naming who authorised it and when.
        let history = w.app.store().audit_of(amira.id).await.unwrap();
        let e = history
            .iter()
            .find(|e| e.action == "plan.imported")
            .expect("the import event");
        assert!(e.detail.contains("Pat Jones (Head of Standards)"), "{e:?}");
        assert!(e.detail.contains(&day(-30)), "{e:?}");
        // The same file again: nothing new.
        let again = w.app.execute(&admin, plans(&good, true)).await.unwrap();
        assert_eq!((again.new, again.already), (0, 1), "{name}");
    }
}

/// Issue 14: contact history, incidents and reasonable adjustments come in joined to the
/// people and matters imported from the same source; an incident's category must be one of
/// the policy's, a refused adjustment needs its reason; a granted adjustment is honoured by
/// the contact check at once.
#[tokio::test]
async fn issue_14_history_incidents_and_adjustments_join_their_people_and_are_checked() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let admin = admin(&w).await;
        let run = |kind: Kind, text: &str, commit: bool| {
            let (app, admin) = (w.app.clone(), admin.clone());
            let cmd = import(kind, "file.csv", text, commit);
            async move { app.execute(&admin, cmd).await.unwrap() }
        };
        run(Kind::People, PEOPLE, true).await;
        run(
            Kind::Matters,
            "id,person,kind,title\nM-1,C-1,complaint,Delay\n",
            true,
        )
        .await;
        // Contacts: the matter must be the person's; a time is read in UK time, and is not
        // in the future nor before the records begin, as at every door (issue 11).
        let r = run(
            Kind::Contacts,
            "id,person,matter,channel,at,summary,minutes\n\
             K-1,C-1,M-1,phone,14/03/2024 10:30,Asked for an update,12\n\
             K-2,C-2,M-1,email,15/03/2024,Wrote again,\n\
             K-3,C-1,,pigeon,15/03/2024,Sent a bird,\n\
             K-4,C-1,,phone,15/03/2099,Rang from the future,\n\
             K-5,C-1,,phone,15/03/1924,Rang a century early,\n",
            true,
        )
        .await;
        let at: Vec<(usize, &str, &str)> = r
            .problems
            .iter()
            .map(|p| (p.row, p.column.as_str(), p.reason.as_str()))
            .filter(|p| p.1 == "at")
            .collect();
        assert_eq!(
            at,
            vec![
                (5, "at", "a contact cannot be in the future"),
                (
                    6,
                    "at",
                    "a contact cannot be before 1 January 2000: check the year"
                )
            ],
            "{name}: {:?}",
            r.problems
        );
        let at: Vec<(usize, &str)> = r
            .problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect();
        assert_eq!(
            at,
            vec![(3, "matter"), (4, "channel"), (5, "at"), (6, "at")],
            "{name}: {:?}",
            r.problems
        );
        assert!(!r.committed, "{name}: a file with a problem writes nothing");
        let r = run(
            Kind::Contacts,
            "id,person,matter,channel,at,summary,minutes\nK-1,C-1,M-1,phone,14/03/2024 10:30,Asked for an update,12\n",
            true,
        )
        .await;
        assert!(r.committed, "{name}: {r:?}");
        let amira = w
            .app
            .query(
                &w.cw.actor,
                q::Search {
                    text: "Amira".into(),
                },
            )
            .await
            .unwrap()
            .remove(0);
        let contacts = w
            .app
            .query(
                &w.cw.actor,
                q::Contacts {
                    person: amira.id,
                    limit: 10,
                },
            )
            .await
            .unwrap();
        assert_eq!(contacts.len(), 1, "{name}");
        assert_eq!(contacts[0].duration_seconds, Some(720));
        assert_eq!(
            contacts[0].at.to_string(),
            "2024-03-14T10:30:00Z",
            "GMT in March"
        );
        assert_eq!(
            contacts[0].screening,
            tact_core::model::Screening::NotNeeded
        );
        // Incidents: the policy's categories only.
        let category = &w.app.profile.categories[0];
        let r = run(
            Kind::Incidents,
            &format!(
                "id,person,category,description,occurred_at\nI-1,C-1,\"{}\",Shouted at the caseworker,02/05/2024 14:10\nI-2,C-1,rudeness,Was rude,02/05/2024\n",
                category.name
            ),
            true,
        )
        .await;
        assert_eq!(r.problems.len(), 1, "{name}: {:?}", r.problems);
        assert_eq!(
            (r.problems[0].row, r.problems[0].column.as_str()),
            (3, "category")
        );
        let r = run(
            Kind::Incidents,
            &format!("id,person,category,description,occurred_at\nI-1,C-1,\"{}\",Shouted at the caseworker,02/05/2024 14:10\n", category.name),
            true,
        )
        .await;
        assert!(r.committed, "{name}");
        let incidents = w
            .app
            .query(&admin.actor, q::Incidents { person: amira.id })
            .await
            .unwrap();
        assert_eq!(
            incidents[0].category, category.id,
            "stored by the policy's id"
        );
        // Adjustments: a refusal needs its reason; a granted one is honoured at once.
        let r = run(
            Kind::Adjustments,
            "id,person,kind,description,status,decided_on,reason\nA-1,C-1,format:large-print,Letters in large print,granted,10/01/2024,\nA-2,C-1,extra-time,More time on calls,refused,,\n",
            true,
        )
        .await;
        assert_eq!(r.problems.len(), 1, "{name}: {:?}", r.problems);
        assert_eq!(
            (r.problems[0].row, r.problems[0].column.as_str()),
            (3, "reason")
        );
        let r = run(
            Kind::Adjustments,
            "id,person,kind,description,status,decided_on\nA-1,C-1,format:large-print,Letters in large print,granted,10/01/2024\n",
            true,
        )
        .await;
        assert!(r.committed, "{name}");
        let v = w
            .verdict(Identifier::parse("07911 123456").unwrap(), Channel::Phone)
            .await;
        assert!(
            v.adjustments
                .iter()
                .any(|(_, words)| words.contains("large print")),
            "{name}: {:?}",
            v.adjustments
        );
        // Each is said to be imported, counted on the person's record.
        let from = w.app.store().imported_for(amira.id).await.unwrap();
        assert_eq!(
            from.len(),
            5,
            "{name}: details, a matter, a contact, an incident, an adjustment"
        );
    }
}

/// Issue 14: people, matters, contacts, plans and incidents as CSV for the office's own
/// reporting — for the roles the profile names (not a caseworker), every person in a file
/// on the access log.
#[tokio::test]
async fn issue_14_records_export_as_csv_by_role_and_every_person_in_it_is_on_the_access_log() {
    use tact_app::export::ExportKind;
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        w.letters_only().await;
        let lee = tact_app::testing::staff(&w.app, "Lee Manager", Role::LineManager).await;
        let dpo = tact_app::testing::staff(&w.app, "Dee Pee-Oh", Role::Dpo).await;
        let refused = w
            .app
            .query(
                &w.cw.actor,
                q::Export {
                    kind: ExportKind::People,
                },
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&refused, tact_app::AppError::Rule(e) if e.kind == tact_core::RuleErrorKind::Forbidden),
            "{name}: {refused:?}"
        );
        let lee = common::ctx(&lee);
        let csv = |kind| {
            let (app, actor) = (w.app.clone(), lee.actor.clone());
            async move {
                String::from_utf8(app.query(&actor, q::Export { kind }).await.unwrap()).unwrap()
            }
        };
        let people = csv(ExportKind::People).await;
        let mut lines = people.lines();
        assert_eq!(
            lines.next(),
            Some("reference,name,phones,emails,postal_address,preferred_format,created_on")
        );
        let jo = lines.next().unwrap();
        assert!(
            jo.contains("Jo Bloggs") && jo.contains("jo@example.org"),
            "{name}: {jo}"
        );
        let matters = csv(ExportKind::Matters).await;
        assert!(
            matters.contains(&w.matter_ref) && matters.contains("Burglary report"),
            "{matters}"
        );
        let plans = csv(ExportKind::Plans).await;
        assert!(
            plans.lines().nth(1).unwrap().contains("single-channel"),
            "{name}: {plans}"
        );
        let person_ref = jo.split(',').next().unwrap();
        assert!(
            plans.contains(person_ref),
            "the person column is their reference"
        );
        // A moment is in UK time to the minute, as a spreadsheet reads a date and time.
        w.app
            .execute(
                &w.cw,
                cmd::LogContact {
                    input: tact_core::workflow::ContactInput {
                        duration_seconds: Some(300),
                        person_id: Some(w.person),
                        matter_id: Some(w.matter),
                        channel: Channel::Phone,
                        direction: tact_core::model::Direction::Inbound,
                        at: w.app.now(),
                        staff_id: Some(w.cw.actor.id),
                        identifier: None,
                        via_advocate: false,
                        summary: "Asked how the complaint stands".into(),
                        body: String::new(),
                        is_complaint: false,
                    },
                },
            )
            .await
            .unwrap();
        let minute = |cell: &str| {
            let b = cell.as_bytes();
            cell.len() == 16
                && b[4] == b'-'
                && b[7] == b'-'
                && b[10] == b' '
                && b[13] == b':'
                && cell.chars().filter(char::is_ascii_digit).count() == 12
        };
        for (kind, column) in [(ExportKind::Contacts, 5), (ExportKind::Incidents, 4)] {
            let file = csv(kind).await;
            let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(file.as_bytes())
                .records()
                .map(Result::unwrap)
                .collect();
            assert!(!rows.is_empty(), "{name}: {file}");
            for row in rows {
                assert!(minute(&row[column]), "{name}: {:?} in {file}", &row[column]);
            }
        }
        // Every person in a file is on the access log.
        w.app.flush_access_log().await.unwrap();
        let log = w
            .app
            .query(
                &common::ctx(&dpo).actor,
                q::AccessLog {
                    person: Some(w.person),
                    limit: 50,
                },
            )
            .await
            .unwrap();
        assert!(
            log.iter().any(|a| a.what.contains("plans in a CSV export")),
            "{name}: {log:?}"
        );
    }
}

/// Issue 14 with CLE-9.9: a call from someone whose plan names a single point of contact
/// goes straight to that member of staff's extension; without an extension, to the usual
/// line, still named.
#[tokio::test]
async fn cle_9_9_a_call_for_a_single_point_of_contact_goes_to_their_extension() {
    for (name, url) in testing::fresh_urls().await {
        let w = world(&url).await;
        let (plan, lm) = w.plan_with(common::spoc).await;
        let admin = admin(&w).await;
        // Jo calls from her mobile.
        let jo = w.app.store().plan(plan).await.unwrap().unwrap().person_id;
        w.app
            .execute(
                &admin,
                cmd::UpdatePerson {
                    person: jo,
                    changes: tact_core::model::PersonChanges {
                        phones: Some(vec![tact_core::identity::PhoneNumber::parse(
                            "07911 123123",
                        )
                        .unwrap()]),
                        ..Default::default()
                    },
                },
            )
            .await
            .unwrap();
        let routed = |w: &common::World| {
            let (app, actor) = (w.app.clone(), w.cw.actor.clone());
            async move {
                app.query(
                    &actor,
                    q::RouteCall {
                        caller: tact_core::routing::Caller::read("sip:+447911123123@pbx"),
                        at: app.now(),
                    },
                )
                .await
                .unwrap()
            }
        };
        let r = routed(&w).await;
        assert_eq!(
            r.routing.route,
            tact_core::routing::Route::PutThrough { to: Some(lm) },
            "{name}"
        );
        assert_eq!(r.extension, None);
        w.app
            .execute(
                &admin,
                cmd::SetExtension {
                    staff: lm,
                    extension: Some("2041".into()),
                },
            )
            .await
            .unwrap();
        assert_eq!(
            routed(&w).await.extension.as_deref(),
            Some("2041"),
            "{name}"
        );
    }
}
