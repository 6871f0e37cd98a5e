//! Letters for people who do not read print (issue 13): contracted UK English Braille as a
//! Braille Ready File, and audio. Both are made by kept programs Debian packages rather
//! than by hand: liblouis (`lou_translate`, package `liblouis-bin`) with its Unified English
//! Braille grade 2 table — the code the UK has used since 2015 — and eSpeak NG (`espeak-ng`)
//! in British English, compressed to MP3 by LAME (`lame`).
//!
//! Each runs as a child process with the letter on its standard input, never on a command
//! line, so nothing in a letter is read as an option.

use std::io::Write;
use std::process::{Command, Stdio};

/// Cells on a line and lines on a page of a BRF file: the usual 40 by 25 of an embosser.
pub const BRF_CELLS: usize = 40;
pub const BRF_LINES: usize = 25;

/// The liblouis table: Unified English Braille, contracted (grade 2).
pub const BRAILLE_TABLE: &str = "en-ueb-g2.ctb";

/// A program Tact runs as a child: its name, its arguments, and the Debian package that has
/// it (named when it is missing).
struct Program<'a> {
    name: &'a str,
    args: &'a [&'a str],
    package: &'a str,
}

impl Program<'_> {
    fn spawn(&self, stdin: Stdio) -> Result<std::process::Child, String> {
        Command::new(self.name)
            .args(self.args)
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                format!(
                    "{} could not be started ({e}): install the Debian package {}",
                    self.name, self.package
                )
            })
    }

    /// What the finished child said, or why it failed.
    fn finished(&self, out: std::io::Result<std::process::Output>) -> Result<Vec<u8>, String> {
        let out = out.map_err(|e| format!("{}: {e}", self.name))?;
        if !out.status.success() {
            return Err(format!(
                "{} failed: {}",
                self.name,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(out.stdout)
    }
}

/// Runs `first` with `input` on its standard input and, where there is a `then`, its
/// output straight into `then` through a pipe (so what passes between them is never held
/// here: a letter's speech as WAV is ten times its MP3); gives the last one's standard
/// output. Either failing is a failure, never a short result.
fn run(first: &Program, then: Option<&Program>, input: &[u8]) -> Result<Vec<u8>, String> {
    let mut head = first.spawn(Stdio::piped())?;
    // Written from a thread so a large output cannot fill its pipe while we still write.
    let mut stdin = head.stdin.take().ok_or("no standard input")?;
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = match then {
        None => first.finished(head.wait_with_output()),
        Some(then) => {
            let piped = head.stdout.take().ok_or("no standard output")?;
            let tail = then.spawn(Stdio::from(piped));
            // The first child's errors are read as it runs, so a full pipe cannot stop it.
            let first_done = std::thread::spawn(move || head.wait_with_output());
            let tail = tail.map(|t| then.finished(t.wait_with_output()));
            let head = first.finished(
                first_done
                    .join()
                    .map_err(|_| format!("{}: the reader failed", first.name))?,
            );
            match tail {
                // A second that never started is why the first found nobody reading.
                Err(never_started) => Err(never_started),
                Ok(tail) => head.and(tail),
            }
        }
    };
    let wrote = writer
        .join()
        .map_err(|_| format!("{}: the writer failed", first.name))?
        .map_err(|e| format!("{}: {e}", first.name));
    // A child's own failure says more than the broken pipe it leaves the writer.
    let out = out?;
    wrote?;
    Ok(out)
}

/// The letter's lines as they are set in Braille: the subject as its heading, then each
/// paragraph's lines, a list item indented two cells, a blank line between paragraphs.
fn braille_source(subject: &str, text: &str) -> Vec<(usize, String)> {
    let mut out = vec![(0, subject.trim().to_string()), (0, String::new())];
    for block in crate::letters::blocks(text) {
        match block {
            crate::letters::Block::Para(lines) => {
                out.extend(lines.into_iter().map(|l| (0, l.trim().to_string())));
            }
            crate::letters::Block::List(items) => {
                out.extend(items.into_iter().map(|l| (2, l.trim().to_string())));
            }
        }
        out.push((0, String::new()));
    }
    out
}

/// North American ASCII Braille as a BRF file holds it: the 64 characters from space to
/// underscore (liblouis gives letters in lower case; an embosser reads upper).
fn brf_char(c: char) -> char {
    match c {
        '`'..='~' => char::from_u32(c as u32 - 0x20).unwrap_or(c),
        _ => c,
    }
}

/// Words set into lines of at most `BRF_CELLS` cells, the first indented by `indent`
/// and the rest by the same; a word longer than a line is broken across lines.
fn wrap(indent: usize, words: &str) -> Vec<String> {
    let width = BRF_CELLS - indent;
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in words.split(' ').filter(|w| !w.is_empty()) {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(word.drain(..width).collect());
        }
        let word: String = word.into_iter().collect();
        if line.is_empty() {
            line = word;
        } else if line.chars().count() + 1 + word.chars().count() <= width {
            line.push(' ');
            line.push_str(&word);
        } else {
            lines.push(std::mem::replace(&mut line, word));
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
        .into_iter()
        .map(|l| format!("{}{l}", " ".repeat(indent)))
        .collect()
}

/// The longest piece of a line given to liblouis at once, in characters: well under the
/// length at which it splits a line in its output.
const LOUIS_PIECE: usize = 500;

/// `line` cut into pieces of at most `most` characters, between words where it can be (a
/// word longer than that is cut through); a line short enough is one piece, an empty one
/// one empty piece.
fn between_words(line: &str, most: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while rest.chars().count() > most {
        // The byte where the (most + 1)th character starts: a piece ends before it.
        let limit = rest.char_indices().nth(most).map_or(rest.len(), |(i, _)| i);
        let cut = if rest[limit..].starts_with(' ') {
            limit
        } else {
            match rest[..limit].rfind(' ') {
                Some(i) if i > 0 => i,
                _ => limit,
            }
        };
        out.push(rest[..cut].trim_end());
        rest = rest[cut..].trim_start();
    }
    out.push(rest);
    out
}

/// The letter in contracted UK English Braille (UEB grade 2) as a Braille Ready File:
/// ASCII Braille, 40 cells a line, 25 lines a page, pages ending in a form feed, lines
/// in CR LF.
///
/// # Errors
/// liblouis is missing or refuses the text.
pub fn brf(subject: &str, text: &str) -> Result<Vec<u8>, String> {
    let source = braille_source(subject, text);
    // One line in, one line out: liblouis translates its input line by line, but splits a
    // line of more than about 2,000 characters in its output. So a long line (a paragraph
    // written without breaks) goes in as pieces cut between words, and the pieces come
    // back together after.
    let pieces: Vec<Vec<&str>> = source
        .iter()
        .map(|(_, l)| between_words(l, LOUIS_PIECE))
        .collect();
    let input: String = pieces
        .iter()
        .flatten()
        .map(|l| {
            // A blank line would come back blank; a lone space keeps the count.
            if l.is_empty() {
                " \n".to_string()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let louis = Program {
        name: "lou_translate",
        args: &["--forward", BRAILLE_TABLE],
        package: "liblouis-bin",
    };
    let out = run(&louis, None, input.as_bytes())?;
    let out = String::from_utf8(out).map_err(|_| "liblouis gave text that is not UTF-8")?;
    let sent = pieces.iter().map(Vec::len).sum::<usize>();
    let got = out.lines().count();
    if got != sent {
        return Err(format!("liblouis gave {got} lines for {sent}"));
    }
    let mut translated = out.lines();
    let mut lines = Vec::new();
    for ((indent, _), p) in source.iter().zip(&pieces) {
        let t: Vec<&str> = translated.by_ref().take(p.len()).map(str::trim).collect();
        let t: String = t.join(" ").trim().chars().map(brf_char).collect();
        if t.is_empty() {
            // No blank line at the top of a page, and never two.
            if lines.last().is_some_and(|l: &String| !l.is_empty()) {
                lines.push(String::new());
            }
        } else {
            lines.extend(wrap(*indent, &t));
        }
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let mut file = String::new();
    for page in lines.chunks(BRF_LINES) {
        let mut page = page.to_vec();
        while page.first().is_some_and(String::is_empty) {
            page.remove(0);
        }
        for l in page {
            file.push_str(&l);
            file.push_str("\r\n");
        }
        file.push('\u{c}');
    }
    Ok(file.into_bytes())
}

/// The letter read aloud in British English by eSpeak NG, as an MP3 (variable bit rate,
/// speech quality), its title tagged: the subject, then the text, a pause between
/// paragraphs.
///
/// # Errors
/// eSpeak NG or LAME is missing or fails.
pub fn audio(subject: &str, text: &str) -> Result<Vec<u8>, String> {
    let mut spoken = format!("{}.\n\n", subject.trim().trim_end_matches('.'));
    for block in crate::letters::blocks(text) {
        match block {
            crate::letters::Block::Para(lines) | crate::letters::Block::List(lines) => {
                for l in lines {
                    spoken.push_str(l.trim());
                    spoken.push('\n');
                }
            }
        }
        spoken.push('\n');
    }
    let title: String = subject.chars().filter(|c| !c.is_control()).collect();
    let speak = Program {
        name: "espeak-ng",
        args: &["-v", "en-gb", "-s", "150", "--stdin", "--stdout"],
        package: "espeak-ng",
    };
    let encode = Program {
        name: "lame",
        args: &["--quiet", "-V", "7", "--tt", &title, "-", "-"],
        package: "lame",
    };
    run(&speak, Some(&encode), spoken.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_wrap_at_forty_cells_and_long_words_break() {
        let words = "ab ".repeat(30);
        for l in wrap(0, &words) {
            assert!(l.chars().count() <= BRF_CELLS, "{l:?}");
        }
        assert_eq!(wrap(0, &words).len(), 3);
        let long = "x".repeat(90);
        let l = wrap(2, &long);
        assert_eq!(l.len(), 3);
        assert!(l
            .iter()
            .all(|l| l.starts_with("  ") && l.chars().count() <= BRF_CELLS));
    }

    #[test]
    fn a_long_line_goes_to_liblouis_in_pieces_cut_between_words() {
        assert_eq!(between_words("", 10), vec![""]);
        assert_eq!(between_words("one two", 10), vec!["one two"]);
        assert_eq!(
            between_words("one two three four", 10),
            vec!["one two", "three four"]
        );
        // A space just past the limit is a cut; a word longer than a piece is cut through.
        assert_eq!(between_words("abcde fghij", 5), vec!["abcde", "fghij"]);
        assert_eq!(
            between_words("abcdefghijkl", 5),
            vec!["abcde", "fghij", "kl"]
        );
        // Characters, not bytes: no piece is cut inside a character.
        let welsh = "ŵŷŵŷŵ ŷŵŷŵŷ ŵ".repeat(50);
        let pieces = between_words(&welsh, 12);
        assert!(pieces.iter().all(|p| p.chars().count() <= 12), "{pieces:?}");
        assert_eq!(
            pieces.join(" ").split_whitespace().collect::<Vec<_>>(),
            welsh.split_whitespace().collect::<Vec<_>>(),
            "every word is kept, in order"
        );
    }

    fn sh<'a>(script: &'a [&'a str]) -> Program<'a> {
        Program {
            name: "sh",
            args: script,
            package: "dash",
        }
    }

    /// Issue 13: what one program writes goes straight into the next, and either failing
    /// is the failure, named, never a short or empty file.
    #[test]
    fn a_pipeline_gives_the_last_output_and_any_failure_by_name() {
        let upper = sh(&["-c", "tr a-z A-Z"]);
        let count = sh(&["-c", "wc -c"]);
        assert_eq!(run(&upper, None, b"braille").unwrap(), b"BRAILLE");
        let n = run(&upper, Some(&count), &vec![b'x'; 1 << 20]).unwrap();
        assert_eq!(String::from_utf8(n).unwrap().trim(), "1048576");
        // The first fails: said, though the second made something of what it had.
        let speaks_then_fails = sh(&["-c", "cat; echo no voice >&2; exit 3"]);
        let e = run(&speaks_then_fails, Some(&count), b"hello").unwrap_err();
        assert!(e.contains("sh failed: no voice"), "{e}");
        // The second fails, or is missing: said, naming its package.
        let refuses = sh(&["-c", "cat >/dev/null; echo bad input >&2; exit 2"]);
        let e = run(&upper, Some(&refuses), b"hello").unwrap_err();
        assert!(e.contains("bad input"), "{e}");
        let missing = Program {
            name: "tact-no-such-encoder",
            args: &[],
            package: "lame",
        };
        let e = run(&upper, Some(&missing), &vec![b'x'; 1 << 20]).unwrap_err();
        assert!(e.contains("install the Debian package lame"), "{e}");
        // A first that stops reading at once is its failure, not a broken pipe.
        let e = run(&sh(&["-c", "exit 4"]), None, &vec![b'x'; 1 << 20]).unwrap_err();
        assert!(e.starts_with("sh failed"), "{e}");
    }

    #[test]
    fn ascii_braille_is_set_in_the_upper_half() {
        let s: String = ",de> jo {}|~`".chars().map(brf_char).collect();
        assert_eq!(s, ",DE> JO []\\^@");
    }
}
