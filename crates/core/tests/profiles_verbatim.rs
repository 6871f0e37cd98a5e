//! Each profile holds what its own policy says, in the policy's words: every behaviour
//! example, checklist question and catalogue text is found in the policy document
//! (`policies/source/`, kept verbatim), and every clause a profile cites exists there.

use tact_core::profile::Profile;

fn normalise(s: &str) -> String {
    let s = s.replace("<b>", "").replace("</b>", "").replace("**", "");
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn check(profile: &str, source: &str) {
    let p = Profile::built_in(profile).unwrap();
    let text = normalise(source);
    let found = |t: &str| text.contains(&normalise(t.trim_end_matches(['.', ','])));
    for c in &p.categories {
        for e in &c.examples {
            assert!(found(e), "{profile}: example not in the policy: {e}");
        }
    }
    for q in &p.checklist.questions {
        assert!(
            found(&q.text),
            "{profile}: checklist question not in the policy: {}",
            q.text
        );
    }
    for r in &p.restrictions {
        assert!(
            found(&r.text),
            "{profile}: catalogue text not in the policy: {}",
            r.text
        );
    }
    // Every clause the profile cites is a numbered clause of its policy (or LOCAL).
    let prefix = format!("{}-", p.organisation.clause_prefix);
    let mut cited: Vec<String> = p
        .categories
        .iter()
        .map(|c| c.clause.clone())
        .chain(p.restrictions.iter().map(|r| r.clause.clone()))
        .collect();
    cited.push(p.checklist.clause.clone());
    let clauses = &p.clauses;
    cited.extend(
        [
            &clauses.incident_required,
            &clauses.warning_first,
            &clauses.checklist_shortfall,
            &clauses.matter_scope,
            &clauses.review_interval,
            &clauses.adjustments_honoured,
            &clauses.screening,
            &clauses.breach_reminder,
        ]
        .map(|s| s.to_string()),
    );
    for c in cited {
        if c == "LOCAL" {
            continue;
        }
        let number = c
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{profile}: clause {c} lacks the prefix {prefix}"));
        let numbered = |l: &str| {
            let l = l.trim_start_matches(['-', ' ']);
            l.strip_prefix(number)
                .is_some_and(|rest| rest.starts_with(char::is_whitespace))
        };
        assert!(
            source.lines().any(numbered),
            "{profile}: the policy has no clause {number}"
        );
    }
}

#[test]
fn cle_4_3_6_3_6_4_7_2_9_9_cleveland_profile_is_the_policy_verbatim() {
    check(
        "cleveland-opcc",
        include_str!("../../../policies/source/cleveland-opcc.md"),
    );
}

#[test]
fn nor_3_2_3_3_4_1_5_3_5_5_northamptonshire_profile_is_the_policy_verbatim() {
    check(
        "northamptonshire-opfcc",
        include_str!("../../../policies/source/northamptonshire-opfcc.md"),
    );
}
