//! Tact's mail door, inbound: parse a message safely, within limits, into what the contact
//! record needs; anything that cannot be parsed is kept whole for the quarantine with the
//! reason, never dropped. Reads `.eml` files, mbox files and Maildir folders.
//!
//! Parsing is pure (bytes in, a [`Parsed`] or a [`Quarantine`] out); only [`read_source`]
//! touches the file system.

use jiff::Timestamp;
use mail_parser::{MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};
use std::path::Path;
use tact_core::identity::EmailAddress;

/// How much of a message Tact accepts. Anything beyond goes to the quarantine, whole.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest message, in bytes, as received.
    pub max_bytes: usize,
    /// The most attachments in one message.
    pub max_attachments: usize,
    /// The most text kept as the contact's body; the rest stays in the raw message.
    pub max_body_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 25 * 1024 * 1024,
            max_attachments: 50,
            max_body_chars: 512 * 1024,
        }
    }
}

/// One attachment, kept with its name and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: Option<String>,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A message as Tact keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The Message-ID without angle brackets; for a message without one, `sha256:` and the
    /// digest of the raw bytes, so importing it again is still recognised.
    pub message_id: String,
    /// The sender's address, if it is one Tact can read.
    pub from: Option<EmailAddress>,
    /// The From header as written, for the record even when it cannot be read.
    pub from_raw: String,
    pub to: Vec<String>,
    pub subject: String,
    pub date: Option<Timestamp>,
    /// The plain-text body (from the HTML part when there is no text part).
    pub text: String,
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
    /// Message-IDs this one answers (In-Reply-To, then References, newest first).
    pub replies_to: Vec<String>,
}

/// A message that cannot be taken in as it is, with the reason. It is still kept whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantine {
    pub message_id: String,
    pub reason: String,
}

pub mod docx;
pub mod formats;

/// A letter as a document lays it out (PDF and Word alike): the letterhead's paragraphs, the
/// subject as its heading, the text in blocks and lists, and whether it is in large print.
#[derive(Debug, Clone, Copy)]
pub struct Layout<'a> {
    pub head: &'a [Vec<String>],
    pub subject: &'a str,
    pub text: &'a str,
    pub large: bool,
}

impl<'a> Layout<'a> {
    /// A document with no letterhead in standard print, such as the policy itself.
    pub fn plain(subject: &'a str, text: &'a str) -> Self {
        Self {
            head: &[],
            subject,
            text,
            large: false,
        }
    }
}

pub mod imap;
pub mod letters;
pub mod pdf;
pub mod smtp;

/// The digest that names a message without a Message-ID.
pub fn digest_id(raw: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(raw)))
}

fn clean_id(s: &str) -> String {
    s.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_string()
}

/// Parses one message, or says why it goes to the quarantine.
///
/// # Errors
/// A [`Quarantine`] with the reason: too large, too many attachments, no headers at all,
/// or no sender.
pub fn parse(raw: &[u8], limits: &Limits) -> Result<Parsed, Quarantine> {
    let fallback_id = || digest_id(raw);
    if raw.len() > limits.max_bytes {
        return Err(Quarantine {
            message_id: fallback_id(),
            reason: format!(
                "the message is {} bytes, more than the limit of {}",
                raw.len(),
                limits.max_bytes
            ),
        });
    }
    let Some(m) = MessageParser::default().parse(raw) else {
        return Err(Quarantine {
            message_id: fallback_id(),
            reason: "the message could not be read as email".into(),
        });
    };
    if m.headers().is_empty() {
        return Err(Quarantine {
            message_id: fallback_id(),
            reason: "the message has no headers".into(),
        });
    }
    let message_id = m
        .message_id()
        .map(clean_id)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(fallback_id);
    let from_addr = m.from().and_then(|a| a.first());
    let from_raw = m.header_raw("From").unwrap_or("").trim().to_string();
    let Some(sender) = from_addr.and_then(|a| a.address()) else {
        return Err(Quarantine {
            message_id,
            reason: "the message names no sender (From)".into(),
        });
    };
    let count = m.attachment_count();
    if count > limits.max_attachments {
        return Err(Quarantine {
            message_id,
            reason: format!(
                "the message has {count} attachments, more than the limit of {}",
                limits.max_attachments
            ),
        });
    }
    let mut text = m.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
    if text.chars().count() > limits.max_body_chars {
        text = text.chars().take(limits.max_body_chars).collect();
        text.push_str("\n[… the rest is in the message as received]");
    }
    let html = (m.html_body_count() > 0)
        .then(|| m.body_html(0).map(|h| h.into_owned()))
        .flatten();
    let attachments = m
        .attachments()
        .map(|a| Attachment {
            name: a.attachment_name().map(kept),
            content_type: a.content_type().map_or_else(
                || "application/octet-stream".to_string(),
                |ct| match ct.subtype() {
                    Some(sub) => format!("{}/{sub}", ct.ctype()),
                    None => ct.ctype().to_string(),
                },
            ),
            bytes: a.contents().to_vec(),
        })
        .collect();
    let mut replies_to = Vec::new();
    for v in [m.in_reply_to(), m.references()] {
        let ids: Vec<String> = match v.as_text_list() {
            Some(list) => list.iter().map(|s| clean_id(s)).collect(),
            None => v.as_text().map(clean_id).into_iter().collect(),
        };
        for id in ids.into_iter().rev() {
            if !id.is_empty() && !replies_to.contains(&id) {
                replies_to.push(id);
            }
        }
    }
    Ok(Parsed {
        message_id: kept(&message_id),
        from: EmailAddress::parse(sender).ok(),
        from_raw: kept(&from_raw),
        to: m
            .to()
            .map(|a| a.iter().filter_map(|x| x.address()).map(kept).collect())
            .unwrap_or_default(),
        subject: kept(m.subject().unwrap_or("").trim()),
        date: m
            .date()
            .and_then(|d| Timestamp::from_second(d.to_timestamp()).ok()),
        text: kept(&text),
        html: html.as_deref().map(kept),
        attachments,
        replies_to,
    })
}

/// Text from a message as Tact keeps it beside the message itself: a control character
/// core's `plain_text` would refuse from staff (NUL cannot be stored by PostgreSQL) becomes
/// U+FFFD. What a person sends is never refused for it, and the message as received is
/// kept whole, byte for byte.
fn kept(s: &str) -> String {
    s.chars()
        .map(|c| {
            if tact_core::error::unkept(c) {
                char::REPLACEMENT_CHARACTER
            } else {
                c
            }
        })
        .collect()
}

/// The name in a From header, where it gives one ("Jo Bloggs <jo@example.org>" and
/// "\"Bloggs, Jo\" <jo@example.org>" give "Jo Bloggs" and "Bloggs, Jo"; a bare address
/// gives none): what a new person's form starts with when they are added from their email.
pub fn sender_name(from: &str) -> Option<&str> {
    let (name, _) = from.rsplit_once('<')?;
    let name = name.trim();
    let name = name
        .strip_prefix('"')
        .and_then(|n| n.strip_suffix('"'))
        .unwrap_or(name)
        .trim();
    (!name.is_empty() && !name.contains('@')).then_some(name)
}

/// A matter's reference written in a subject line, such as "Re: your complaint M-000123".
pub fn matter_reference(subject: &str) -> Option<String> {
    // Only where "M-" starts: any other byte may fall inside a character ("Café").
    subject.match_indices("M-").find_map(|(i, _)| {
        let digits = &subject[i + 2..];
        let n = digits.bytes().take_while(u8::is_ascii_digit).count();
        let before_ok = subject[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        (n >= 6 && before_ok).then(|| format!("M-{}", &digits[..n]))
    })
}

/// The messages in a file or folder: a Maildir folder (its `cur` and `new`), an mbox file
/// (it starts with `From `), or one `.eml` message.
///
/// # Errors
/// The file system's error, naming the path.
pub fn read_source(path: &Path) -> std::io::Result<Vec<Vec<u8>>> {
    let named =
        |e: std::io::Error| std::io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    if path.is_dir() {
        let mut out = Vec::new();
        for m in mail_parser::mailbox::maildir::MessageIterator::new(path).map_err(named)? {
            out.push(m.map_err(named)?.unwrap_contents());
        }
        return Ok(out);
    }
    let bytes = std::fs::read(path).map_err(named)?;
    if bytes.starts_with(b"From ") {
        let mut out = Vec::new();
        for m in mail_parser::mailbox::mbox::MessageIterator::new(&bytes[..]) {
            out.push(m.map_err(named)?.unwrap_contents());
        }
        Ok(out)
    } else {
        Ok(vec![bytes])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: &[u8] = b"From: Jo Bloggs <Jo@Example.org>\r\nTo: enquiries@opcc.example\r\nSubject: Re: my complaint M-000123\r\nMessage-ID: <abc@example.org>\r\nIn-Reply-To: <letter-1@opcc.example>\r\nReferences: <first@opcc.example> <letter-1@opcc.example>\r\nDate: Fri, 20 Nov 2026 10:00:00 +0000\r\n\r\nWhy has nobody replied?\r\n";

    #[test]
    fn a_plain_message_gives_sender_subject_thread_and_body() {
        let p = parse(PLAIN, &Limits::default()).expect("parses");
        assert_eq!(p.message_id, "abc@example.org");
        assert_eq!(p.from.as_ref().map(|e| e.as_str()), Some("jo@example.org"));
        assert_eq!(p.subject, "Re: my complaint M-000123");
        assert_eq!(
            p.replies_to,
            vec!["letter-1@opcc.example", "first@opcc.example"]
        );
        assert!(p.text.contains("Why has nobody replied?"));
        assert_eq!(
            p.date,
            Some("2026-11-20T10:00:00Z".parse::<Timestamp>().unwrap())
        );
        assert_eq!(matter_reference(&p.subject).as_deref(), Some("M-000123"));
    }

    #[test]
    fn html_only_and_attachments_are_kept_with_names_and_types() {
        let raw = b"From: a@example.org\r\nSubject: photo\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>See <b>attached</b></p>\r\n--XX\r\nContent-Type: image/png; name=\"door.png\"\r\nContent-Disposition: attachment; filename=\"door.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--XX--\r\n";
        let p = parse(raw, &Limits::default()).expect("parses");
        assert!(
            p.message_id.starts_with("sha256:"),
            "no Message-ID: named by digest"
        );
        assert_eq!(p.message_id, digest_id(raw));
        assert!(
            p.text.contains("See attached"),
            "text from HTML: {:?}",
            p.text
        );
        assert!(p.html.as_deref().unwrap_or("").contains("<b>attached</b>"));
        assert_eq!(p.attachments.len(), 1);
        assert_eq!(p.attachments[0].name.as_deref(), Some("door.png"));
        assert_eq!(p.attachments[0].content_type, "image/png");
        assert_eq!(p.attachments[0].bytes, b"\x89PNG\r\n\x1a\n");
    }

    #[test]
    fn what_cannot_be_taken_in_goes_to_the_quarantine_with_the_reason() {
        let small = Limits {
            max_bytes: 100,
            ..Limits::default()
        };
        let q = parse(PLAIN, &small).expect_err("too big");
        assert!(q.reason.contains("more than the limit"), "{}", q.reason);
        let q =
            parse(b"just some bytes with no headers", &Limits::default()).expect_err("no headers");
        assert!(!q.reason.is_empty());
        let q = parse(b"Subject: hello\r\n\r\nbody", &Limits::default()).expect_err("no sender");
        assert!(q.reason.contains("sender"), "{}", q.reason);
        let few = Limits {
            max_attachments: 0,
            ..Limits::default()
        };
        let raw = b"From: a@example.org\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhi\r\n--XX\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\n\r\n%PDF\r\n--XX--\r\n";
        let q = parse(raw, &few).expect_err("too many attachments");
        assert!(q.reason.contains("attachments"));
    }

    #[test]
    fn a_long_body_is_cut_for_the_record_and_says_so() {
        let mut raw = b"From: a@example.org\r\nSubject: long\r\n\r\n".to_vec();
        raw.extend(std::iter::repeat_n(b'x', 5000));
        let p = parse(
            &raw,
            &Limits {
                max_body_chars: 100,
                ..Limits::default()
            },
        )
        .unwrap();
        assert!(p.text.starts_with(&"x".repeat(100)));
        assert!(p.text.contains("the rest is in the message as received"));
    }

    #[test]
    fn the_sender_name_comes_out_of_a_from_header_where_it_gives_one() {
        assert_eq!(sender_name("Jo Bloggs <jo@example.org>"), Some("Jo Bloggs"));
        assert_eq!(
            sender_name("\"Bloggs, Jo\" <jo@example.org>"),
            Some("Bloggs, Jo")
        );
        assert_eq!(sender_name("jo@example.org"), None);
        assert_eq!(sender_name("<jo@example.org>"), None);
        assert_eq!(sender_name("\"\" <jo@example.org>"), None);
        assert_eq!(sender_name("jo@example.org <jo@example.org>"), None);
    }

    /// A message with a NUL or another control character in it is taken in, not refused
    /// and not a database error: the character becomes U+FFFD in the text kept beside it.
    #[test]
    fn control_characters_in_a_message_are_kept_as_replacement_characters() {
        let raw = b"From: jo@example.org\r\nSubject: Help\x00me\r\nMessage-ID: <n\x01ul@example.org>\r\n\r\nLine one\x00\tand\x07 two\r\n";
        let p = parse(raw, &Limits::default()).expect("taken in");
        assert_eq!(p.subject, "Help\u{fffd}me");
        assert!(
            p.text.contains("Line one\u{fffd}\tand\u{fffd} two"),
            "{:?}",
            p.text
        );
        assert!(!p.message_id.contains('\u{1}'));
    }

    #[test]
    fn matter_references_are_found_only_as_whole_words() {
        assert_eq!(matter_reference("M-000001").as_deref(), Some("M-000001"));
        assert_eq!(
            matter_reference("re M-0000123 please").as_deref(),
            Some("M-0000123")
        );
        assert_eq!(matter_reference("XM-000001"), None);
        // Words in any language, before and after: never a byte inside a character.
        assert_eq!(matter_reference("Café complaint"), None);
        assert_eq!(
            matter_reference("Café – M-000123 ✓").as_deref(),
            Some("M-000123")
        );
        assert_eq!(matter_reference("éM-000123"), None);
        assert_eq!(matter_reference("😀 M-000123").as_deref(), Some("M-000123"));
        assert_eq!(matter_reference("M-12"), None);
        assert_eq!(matter_reference("no reference"), None);
    }

    proptest::proptest! {
        /// Whatever arrives, parsing answers (a message or a quarantine) and never panics.
        #[test]
        fn any_bytes_are_parsed_or_quarantined(raw in proptest::collection::vec(proptest::num::u8::ANY, 0..2000)) {
            match parse(&raw, &Limits::default()) {
                Ok(p) => proptest::prop_assert!(!p.message_id.is_empty()),
                Err(q) => proptest::prop_assert!(!q.reason.is_empty() && !q.message_id.is_empty()),
            }
        }

        /// A subject in any words is searched for a matter's reference without panicking
        /// (it once sliced a string at a byte inside "é"), and what it finds is one.
        #[test]
        fn a_subject_in_any_words_is_searched_for_a_reference(s in "\\PC{0,40}(M-[0-9]{6})?\\PC{0,20}") {
            if let Some(r) = matter_reference(&s) {
                proptest::prop_assert!(r.starts_with("M-") && s.contains(&r));
            }
        }
    }
}
