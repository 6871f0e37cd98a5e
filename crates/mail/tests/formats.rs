//! Braille and audio letters (issue 13), made by liblouis, eSpeak NG and LAME. CI installs
//! them (`liblouis-bin`, `espeak-ng`, `lame`).

use tact_core::profile::Profile;
use tact_mail::formats::{audio, brf, BRF_CELLS, BRF_LINES};
use tact_mail::letters::{render, Facts, RestrictionLine};

fn notice() -> tact_mail::letters::Letter {
    let p = Profile::built_in("cleveland-opcc").unwrap();
    let facts = Facts {
        person_name: "Jo Bloggs".into(),
        matters_words: "your complaint M-000006 about a burglary report".into(),
        reasons: "you called many times a day and shouted at staff".into(),
        restrictions: vec![RestrictionLine {
            text: "Please contact us by letter only".into(),
            reason: "letters let us answer every point in full".into(),
        }],
        review_due: "7 June 2027".into(),
        signatory_name: "Sam Patel".into(),
        signatory_role: "Senior manager".into(),
        ..Facts::default()
    };
    render(&p, "strategy-notice", &facts).unwrap()
}

#[test]
#[ignore = "needs liblouis (Debian liblouis-bin)"]
fn issue_13_a_letter_in_braille_is_a_brf_of_contracted_ueb_40_cells_by_25_lines() {
    let l = notice();
    let bytes = brf(&l.subject, &l.text).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    // ASCII Braille only: the 64 characters from space to underscore, CR LF, form feeds.
    for c in text.chars() {
        assert!(
            (' '..='_').contains(&c) || matches!(c, '\r' | '\n' | '\u{c}'),
            "{c:?}"
        );
    }
    let pages: Vec<&str> = text.split('\u{c}').filter(|p| !p.is_empty()).collect();
    assert!(pages.len() >= 2, "a notice runs to more than one page");
    for page in &pages {
        let lines: Vec<&str> = page.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert!(lines.len() <= BRF_LINES, "{} lines", lines.len());
        for l in lines {
            assert!(l.chars().count() <= BRF_CELLS, "{l:?}");
        }
    }
    // Contracted: "Dear" is ,DE> (capital sign, d, e, the "ar" sign), and "the" one cell.
    assert!(text.contains(",DE> ,JO ,BLO7S1"), "{text}");
    assert!(
        text.contains(" ! "),
        "the word \"the\" contracted to one cell: {text}"
    );
    // The signatory is there, in Braille.
    assert!(text.contains(",SAM ,PATEL"), "{text}");
}

/// liblouis splits a line of more than about 2,000 characters in its output; a letter
/// whose reasons run to one long paragraph is still one Braille letter, every word in it.
#[test]
#[ignore = "needs liblouis (Debian liblouis-bin)"]
fn issue_13_a_letter_with_a_paragraph_of_thousands_of_characters_is_set_in_braille() {
    let reasons = "you called many times a day ".repeat(400);
    let text = format!("Dear Jo Bloggs,\n\nWe decided this because {reasons}and shouted.\n\nYours sincerely,\nSam Patel\n");
    let bytes = brf("About your contact", &text).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text
        .split(['\r', '\n', '\u{c}'])
        .filter(|l| !l.is_empty())
        .collect();
    assert!(lines.iter().all(|l| l.chars().count() <= BRF_CELLS));
    // "called" is ,CALL$: 400 of them, each once, then the end of the paragraph and the
    // signature after it.
    let cells = lines.join(" ");
    assert_eq!(cells.matches("CALL$").count(), 400, "{cells}");
    assert!(cells.contains(",SAM ,PATEL"), "{cells}");
}

#[test]
#[ignore = "needs eSpeak NG and LAME (Debian espeak-ng, lame)"]
fn issue_13_a_letter_as_audio_is_an_mp3_of_the_whole_letter() {
    let l = notice();
    let short = audio("A test", "Dear Jo Bloggs,\n").unwrap();
    let mp3 = audio(&l.subject, &l.text).unwrap();
    // An MP3: an ID3 tag with the title, then MPEG audio frames.
    assert!(mp3.starts_with(b"ID3"), "{:?}", &mp3[..8]);
    // LAME writes the title as an ID3v2 TIT2 frame in UTF-16.
    let title: Vec<u8> = l
        .subject
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    assert!(mp3.windows(4).any(|w| w == b"TIT2"), "a title frame");
    assert!(
        mp3.windows(title.len()).any(|w| w == title),
        "the title is tagged"
    );
    assert!(
        mp3.windows(2).any(|w| w[0] == 0xFF && w[1] & 0xE0 == 0xE0),
        "an MPEG frame"
    );
    // The whole letter is read: far longer than a few words, and compressed (speech at
    // 22 kHz 16-bit is 44 kB a second as WAV; this is well under a quarter of that).
    assert!(
        mp3.len() > 10 * short.len(),
        "{} vs {}",
        mp3.len(),
        short.len()
    );
    let words = l.text.split_whitespace().count();
    let seconds_at_150_wpm = words as f64 / 150.0 * 60.0;
    assert!(
        (mp3.len() as f64) < seconds_at_150_wpm * 44_100.0 / 4.0,
        "{} bytes for about {seconds_at_150_wpm:.0} s",
        mp3.len()
    );
}
