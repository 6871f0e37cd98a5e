//! Issue 10: Tact's phone numbers agree with libphonenumber's own answers (Python
//! `phonenumbers`, the same metadata version as the Rust crate) on a generated corpus of
//! UK numbers in mixed forms, valid and invalid: on whether each is valid and on its
//! E.164 form.

use std::io::Write;
use std::process::{Command, Stdio};
use tact_core::identity::PhoneNumber;

/// The metadata version of the `phonenumber` crate (0.3.10+9.0.33).
const METADATA: &str = "9.0.33";

/// A small deterministic generator, so the corpus is the same on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

/// National numbers (with the leading 0): mobiles, geographic numbers of each length,
/// non-geographic, freephone, premium rate and the unallocated — at the right length, a
/// digit short and a digit long.
fn national_numbers(rng: &mut Rng) -> Vec<String> {
    let prefixes = [
        "071", "073", "074", "075", "077", "0770", "07700", "078", "079", "07624", "070", "076",
        "0113", "0114", "0115", "0116", "0117", "0118", "0121", "0131", "0141", "0151", "0161",
        "01642", "01604", "01632", "013873", "020", "023", "024", "028", "029", "0300", "0330",
        "0343", "0345", "0800", "0808", "0843", "0844", "0870", "0871", "0900", "0909", "055",
        "056", "0500", "0600", "0400",
    ];
    let mut out = Vec::new();
    for _ in 0..420 {
        let p = prefixes[rng.below(prefixes.len() as u64) as usize];
        // Most UK numbers have 11 digits with the 0; some 10.
        let len: usize = match rng.below(10) {
            0 => 10,
            1 => 12,
            2 => 9,
            _ => 11,
        };
        let rest = len.saturating_sub(p.len());
        out.push(format!("{p}{}", rng.digits(rest)));
    }
    out
}

/// The forms people and phone systems write a national number in.
fn forms(national: &str, rng: &mut Rng) -> Vec<String> {
    let without0 = &national[1..];
    let split = 5.min(national.len() - 1);
    let (a, b) = national.split_at(split);
    let sep = [" ", "-", ".", ""][rng.below(4) as usize];
    vec![
        national.to_string(),
        format!("{a}{sep}{b}"),
        format!("+44 (0){}", &a[1..]) + &format!(" {b}"),
        format!("0044 {without0}"),
        format!("+44{without0}"),
        format!("({a}) {b}"),
        format!("+44-{}-{b}", &a[1..]),
    ]
}

#[test]
#[ignore = "needs python3 with phonenumbers==9.0.33 (pip install phonenumbers==9.0.33)"]
fn tact_agrees_with_libphonenumber_on_a_thousand_uk_numbers_in_mixed_forms() {
    let mut rng = Rng(0x5eed_cafe_f00d_1234);
    let mut corpus = Vec::new();
    for n in national_numbers(&mut rng) {
        let mut f = forms(&n, &mut rng);
        // Three forms of each, chosen at random, keeps the corpus varied.
        for _ in 0..3 {
            let i = rng.below(f.len() as u64) as usize;
            corpus.push(f.swap_remove(i));
        }
    }
    corpus.sort();
    corpus.dedup();
    assert!(corpus.len() >= 1000, "only {} numbers", corpus.len());

    let version = Command::new("python3")
        .args(["-c", "import phonenumbers; print(phonenumbers.__version__)"])
        .output()
        .expect("python3");
    let version = String::from_utf8_lossy(&version.stdout).trim().to_string();
    assert_eq!(
        version, METADATA,
        "python phonenumbers must carry the crate's metadata"
    );

    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/phonenumbers_reference.py"
    );
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(corpus.join("\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let answers: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), corpus.len());

    let (mut valid, mut invalid, mut disagree) = (0, 0, Vec::new());
    for (text, a) in corpus.iter().zip(&answers) {
        assert_eq!(a["input"], text.as_str());
        let theirs_valid = a["valid"].as_bool().unwrap();
        let ours = PhoneNumber::parse(text);
        if ours.is_ok() != theirs_valid {
            disagree.push(format!(
                "{text:?}: valid? Tact {} libphonenumber {theirs_valid}",
                ours.is_ok()
            ));
        }
        if theirs_valid {
            valid += 1;
        } else {
            invalid += 1;
        }
        let ours_e164 = PhoneNumber::lookup(text)
            .ok()
            .map(|n| n.as_str().to_string());
        let theirs_e164 = a["e164"].as_str().map(str::to_string);
        // Tact reads only what libphonenumber can (and refuses numbers of impossible length
        // that libphonenumber still formats); where both read one, the E.164 forms agree.
        if let (Some(o), Some(t)) = (&ours_e164, &theirs_e164) {
            if o != t {
                disagree.push(format!("{text:?}: E.164 Tact {o} libphonenumber {t}"));
            }
        }
        if ours_e164.is_some() && theirs_e164.is_none() {
            disagree.push(format!("{text:?}: Tact read it, libphonenumber could not"));
        }
        if theirs_valid && ours_e164.is_none() {
            disagree.push(format!(
                "{text:?}: libphonenumber reads a valid number Tact cannot"
            ));
        }
    }
    assert!(
        valid > 200 && invalid > 200,
        "a mixed corpus: {valid} valid, {invalid} invalid"
    );
    assert!(
        disagree.is_empty(),
        "{} of {} disagree:\n{}",
        disagree.len(),
        corpus.len(),
        disagree.join("\n")
    );
    eprintln!(
        "{} numbers: {valid} valid, {invalid} invalid, all agree",
        corpus.len()
    );
}
