//! `docs/policy-traceability.md` stays true: every numbered clause of both policies
//! (`policies/source/`, verbatim) has its row, no row names a clause the policy lacks, each
//! row says whether it is done, and every test a row names is a test in the workspace.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const DOC: &str = include_str!("../../../docs/policy-traceability.md");

/// Numbered lines of a policy's text that are not clauses, as the document says: Cleveland's
/// document-control block numbers its approval table "1.1 Plan Approval".
const NOT_CLAUSES: [&str; 1] = ["CLE-1.1"];

/// The clause numbers of a policy: each line that starts (after a list dash) with `N.N` and
/// a space, as `profiles_verbatim.rs` reads them.
fn clauses(prefix: &str, source: &str) -> BTreeSet<String> {
    source
        .lines()
        .filter_map(|l| {
            let l = l.trim_start_matches(['-', ' ']);
            let number = l.split_whitespace().next()?;
            let (major, minor) = number.split_once('.')?;
            let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
            (digits(major) && digits(minor)).then(|| format!("{prefix}-{number}"))
        })
        .filter(|c| !NOT_CLAUSES.contains(&c.as_str()))
        .collect()
}

/// The document's rows for clauses, as (clause, status, test cell).
fn rows() -> Vec<(String, String, String)> {
    DOC.lines()
        .filter(|l| l.starts_with("| CLE-") || l.starts_with("| NOR-"))
        .map(|l| {
            let cells: Vec<&str> = l
                .trim_end()
                .trim_end_matches('|')
                .split(" | ")
                .map(|c| c.trim_start_matches("| ").trim())
                .collect();
            let last = cells.last().copied().unwrap_or_default();
            (
                cells[0].to_string(),
                cells.get(2).copied().unwrap_or_default().to_string(),
                last.to_string(),
            )
        })
        .collect()
}

/// The names the document gives tests in a row's last cell: backticked snake-case names of
/// at least four words (fields and settings it mentions are shorter), or names shortened
/// with `…` (`cle_9_13_…`, `…_is_the_policy_verbatim`, `cle_8_1_…_and_cle_8_2_…`).
fn test_names(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .filter(|t| {
            let name = t.replace('…', "");
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && !name.is_empty()
                && (t.contains('…') || name.matches('_').count() >= 3)
        })
        .map(str::to_string)
        .collect()
}

/// Whether the function `f` is the test `name` names: the same, or where `name` is shortened
/// with `…`, one with its pieces in order, first at the start and last at the end.
fn is_named(name: &str, f: &str) -> bool {
    let pieces: Vec<&str> = name.split('…').collect();
    let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
    if pieces.len() == 1 {
        return f == name;
    }
    if !(f.starts_with(first) && f.ends_with(last)) || f.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &f[first.len()..f.len() - last.len()];
    for piece in &pieces[1..pieces.len() - 1] {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    true
}

/// Every function name in the workspace's Rust files.
fn functions() -> BTreeSet<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    walk(&crates, &mut files);
    let mut names = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for part in text.split("fn ").skip(1) {
            let name: String = part
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                names.insert(name);
            }
        }
    }
    names
}

#[test]
fn every_clause_of_both_policies_has_one_row_with_a_status() {
    let policy: BTreeSet<String> = clauses(
        "CLE",
        include_str!("../../../policies/source/cleveland-opcc.md"),
    )
    .into_iter()
    .chain(clauses(
        "NOR",
        include_str!("../../../policies/source/northamptonshire-opfcc.md"),
    ))
    .collect();
    let rows = rows();
    let traced: BTreeSet<String> = rows.iter().map(|(c, _, _)| c.clone()).collect();
    assert_eq!(traced.len(), rows.len(), "a clause has two rows");
    let untraced: Vec<_> = policy.difference(&traced).collect();
    let unknown: Vec<_> = traced.difference(&policy).collect();
    assert!(untraced.is_empty(), "clauses without a row: {untraced:?}");
    assert!(
        unknown.is_empty(),
        "rows for clauses the policies lack: {unknown:?}"
    );
    // Both policies are read whole: Cleveland's 48 clauses and Northamptonshire's 28.
    assert_eq!(policy.len(), 76);
    for (clause, status, _) in &rows {
        assert!(
            ["done", "partly", "no code"].contains(&status.as_str()),
            "{clause}: status {status:?} is none of done, partly, no code"
        );
    }
    // The document's own note on the one numbered line that is not a clause.
    assert!(DOC.contains("\"1.1 Plan Approval\"; that is not a\npolicy clause"));
}

#[test]
fn every_test_the_traceability_document_names_exists() {
    let functions = functions();
    let mut named = 0;
    let mut missing = Vec::new();
    let mut above = Vec::new();
    for (clause, status, cell) in rows() {
        // "same": the row above's tests.
        let names = if cell == "same" {
            above.clone()
        } else {
            test_names(&cell)
        };
        if status == "done" && names.is_empty() && !cell.contains("journeys") {
            missing.push(format!("{clause}: done, but its row names no test"));
        }
        above.clone_from(&names);
        for t in names {
            named += 1;
            if !functions.iter().any(|f| is_named(&t, f)) {
                missing.push(format!("{clause}: no test {t}"));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
    // The rows name hundreds of tests; reading none would pass the loop above.
    assert!(named > 200, "only {named} test names read");
}

#[test]
fn the_document_is_read_as_it_is_written() {
    // A clause number is read only from the start of a line.
    let read = clauses(
        "CLE",
        "- 9.1 A warning first.\n9.2 Then.\nSee 9.3 below.\n1.10 x",
    );
    assert_eq!(
        read.into_iter().collect::<Vec<_>>(),
        ["CLE-1.10", "CLE-9.1", "CLE-9.2"]
    );
    // Test names are the long snake-case names and those shortened with `…`.
    assert_eq!(
        test_names("`a_b_c_d`, `authorised`, `cle_9_…`, `…_x`, `core/check.rs`, `Plan::x_y_z_w`"),
        ["a_b_c_d", "cle_9_…", "…_x"]
    );
    // A shortened name matches a test with its pieces in order, end to end.
    assert!(is_named(
        "cle_8_1_…_and_cle_8_2_…",
        "cle_8_1_asks_and_cle_8_2_records"
    ));
    assert!(is_named("…_verbatim", "cle_4_3_profile_is_verbatim"));
    assert!(!is_named(
        "cle_8_1_…_and_cle_8_2_…",
        "cle_8_1_and_cle_8_3_x"
    ));
    assert!(!is_named("a_…_b", "a_b"));
    assert!(!is_named("a_b_c_d", "a_b_c_d_e"));
}
