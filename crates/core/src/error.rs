//! The core's one error type.
//!
//! A [`RuleError`] says which rule refused the step, the clause of the loaded
//! policy that rule comes from, and the field at fault where there is one. The
//! HTTP edge turns `kind` into a status code and sends `message`, `clause` and
//! `field` to the caller; nothing internal is ever in a `RuleError`.

use std::fmt;

/// What sort of refusal this is; the doors map it to HTTP status or exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleErrorKind {
    /// The input is malformed (a bad phone number, an empty reason).
    Invalid,
    /// The actor's role may not take this step.
    Forbidden,
    /// The step is not allowed in the record's current state, or the policy forbids it.
    Conflict,
    /// A record the step names does not exist.
    NotFound,
}

/// A refusal by the policy engine, naming the clause and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub kind: RuleErrorKind,
    pub clause: Option<String>,
    pub field: Option<String>,
    pub message: String,
    /// The input that, given, says to go ahead anyway, where the asker may overrule this
    /// refusal: `keep_unverified` for a number libphonenumber cannot confirm, `shared` for
    /// one another person holds. Each door names it its own way (the API's field, the CLI's
    /// flag, the form's box).
    pub overridden_by: Option<String>,
}

impl RuleError {
    /// The value among `all` whose word (`word`) is `s`, or an invalid-input error naming
    /// `field` that lists the words: one way to read every closed list (channels,
    /// formats, roles, kinds, statuses).
    ///
    /// # Errors
    /// `s` is none of the words.
    pub fn one_of<T: Copy, const N: usize>(
        all: [T; N],
        word: fn(T) -> &'static str,
        field: &str,
        s: &str,
    ) -> Result<T, Self> {
        all.into_iter().find(|x| word(*x) == s).ok_or_else(|| {
            let words = all.map(word).join(", ");
            Self::invalid(field, format!("expected one of {words}, got {}", shown(s)))
        })
    }

    /// A step the record's state refuses where no clause of the policy is the reason (a
    /// letter already sent, the last administrator): a conflict (409) naming `field`.
    pub fn state(field: &str, message: impl Into<String>) -> Self {
        Self {
            kind: RuleErrorKind::Conflict,
            clause: None,
            field: Some(field.to_string()),
            message: message.into(),
            overridden_by: None,
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self {
            kind: RuleErrorKind::Invalid,
            clause: None,
            field: Some(field.to_string()),
            message: message.into(),
            overridden_by: None,
        }
    }

    pub fn conflict(clause: &str, message: impl Into<String>) -> Self {
        Self {
            kind: RuleErrorKind::Conflict,
            clause: Some(clause.to_string()),
            field: None,
            message: message.into(),
            overridden_by: None,
        }
    }

    pub fn forbidden(clause: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            kind: RuleErrorKind::Forbidden,
            clause: clause.map(str::to_string),
            field: None,
            message: message.into(),
            overridden_by: None,
        }
    }

    pub fn not_found(field: &str, message: impl Into<String>) -> Self {
        Self {
            kind: RuleErrorKind::NotFound,
            clause: None,
            field: Some(field.to_string()),
            message: message.into(),
            overridden_by: None,
        }
    }

    /// Names the field at fault.
    #[must_use]
    pub fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_string());
        self
    }

    /// Names the input that overrules this refusal ([`RuleError::overridden_by`]).
    #[must_use]
    pub fn overridden_by(mut self, input: &str) -> Self {
        self.overridden_by = Some(input.to_string());
        self
    }

    /// Names the clause that makes this rule.
    #[must_use]
    pub fn with_clause(mut self, clause: &str) -> Self {
        self.clause = Some(clause.to_string());
        self
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(clause) = &self.clause {
            write!(f, "{clause}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(field) = &self.field {
            write!(f, " (field `{field}`)")?;
        }
        Ok(())
    }
}

impl std::error::Error for RuleError {}

/// Requires a non-blank free-text field, such as a reason, of a length Tact keeps
/// ([`within`]).
///
/// # Errors
/// A [`RuleErrorKind::Invalid`] error naming `field` when `value` is empty or only
/// whitespace, or too long.
pub fn require_text(field: &str, value: &str) -> Result<(), RuleError> {
    if value.trim().is_empty() {
        Err(RuleError::invalid(field, enter(field)))
    } else {
        within(field, value)
    }
}

/// Each item of a list given once: the second of two the same is refused on its place in
/// the list (`matter_ids[1]`), naming it as `name` words it ("matter 7 is given twice").
/// A repeat adds nothing but would stand twice on the record and in what the person is sent.
///
/// # Errors
/// A [`RuleErrorKind::Invalid`] error naming the repeat.
pub fn given_once<T: PartialEq>(
    field: &str,
    items: impl IntoIterator<Item = T>,
    name: impl Fn(&T) -> String,
) -> Result<(), RuleError> {
    let mut seen: Vec<T> = Vec::new();
    for (i, x) in items.into_iter().enumerate() {
        if seen.contains(&x) {
            return Err(RuleError::invalid(
                &format!("{field}[{i}]"),
                format!("{} is given twice", name(&x)),
            ));
        }
        seen.push(x);
    }
    Ok(())
}

/// The longest line of text: a matter's title or a contact's summary, shown whole in
/// lists, in a person's history and in choices (the matter a contact is about).
pub const MAX_LINE_CHARS: usize = 500;

/// The longest free text in one field (a reason, a description, the grounds): about
/// 8,000 words. What is longer belongs in a contact's body or an attachment.
pub const MAX_TEXT_CHARS: usize = 50_000;

/// How many characters `field` may hold: [`crate::model::NAME_MAX`] for a name (a
/// person's, their advocate's, a member of staff's, a token's), [`MAX_LINE_CHARS`] for a
/// title or a summary, [`MAX_TEXT_CHARS`] for other free text.
pub fn longest(field: &str) -> usize {
    match last_part(field) {
        "name" => crate::model::NAME_MAX,
        "title" | "summary" => MAX_LINE_CHARS,
        // Each has its own rule, which says what to do: a contact's body (an email pasted
        // in) is bounded in bytes by `workflow::check_contact`, a letter's wording by
        // `correspondence::within_a_letter`.
        "body" | "text" => usize::MAX,
        _ => MAX_TEXT_CHARS,
    }
}

/// Text as Tact keeps it, asked by every door of every string it is sent, optional or
/// not: [`plain_text`], and no longer than its field may hold ([`within`]).
///
/// # Errors
/// As [`plain_text`] and [`within`].
pub fn kept_text(field: &str, value: &str) -> Result<(), RuleError> {
    plain_text(field, value)?;
    within(field, value)
}

/// Text no longer than its field may hold ([`longest`]), counted as sent, as the API's
/// document gives each field's `maxLength`: the same refusal at every door, where before a
/// 100,000-character title was kept and shown in every list.
///
/// # Errors
/// An invalid-input error naming `field`, its limit and the length sent.
pub fn within(field: &str, value: &str) -> Result<(), RuleError> {
    let (max, n) = (longest(field), value.chars().count());
    if n > max {
        return Err(RuleError::invalid(
            field,
            format!("{max} characters at most, and this has {n}: shorten it"),
        ));
    }
    Ok(())
}

/// A field's own last part: `reason` of `restrictions[0].reason`.
fn last_part(field: &str) -> &str {
    let last = field.rsplit('.').next().unwrap_or(field);
    last.split('[').next().unwrap_or(last)
}

/// Text as Tact keeps it: no control characters but tab, line feed and carriage return.
/// NUL cannot be stored by PostgreSQL at all (SQLite would keep it: the backends would
/// differ), and the others are invisible and break letters and exports. Every door asks
/// this of what it is sent.
///
/// # Errors
/// An invalid-input error naming `field` and the character.
pub fn plain_text(field: &str, value: &str) -> Result<(), RuleError> {
    match value.chars().find(|c| unkept(*c)) {
        Some(c) => Err(RuleError::invalid(
            field,
            format!(
                "contains a control character (U+{:04X}) that cannot be kept: remove it",
                u32::from(c)
            ),
        )),
        None => Ok(()),
    }
}

/// A character [`plain_text`] refuses: a control character other than tab and line breaks.
pub fn unkept(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// How many characters of what was sent a refusal repeats back.
pub const SHOWN_CHARS: usize = 60;

/// What was sent, quoted as a refusal repeats it back ("expected …, got \"abc\""): whole
/// when it is short, otherwise its first [`SHOWN_CHARS`] characters and how long it was,
/// so that a pasted page of text is not sent back to the caller or shown on the form.
pub fn shown(sent: &str) -> String {
    let n = sent.chars().count();
    if n <= SHOWN_CHARS {
        format!("{sent:?}")
    } else {
        let start: String = sent.chars().take(SHOWN_CHARS).collect();
        format!("{start:?}… ({n} characters)")
    }
}

/// `text` as far as `most` characters, an ellipsis where it was cut: a long text quoted where
/// only its first part is wanted (a subject line, what a message says on a form).
pub fn quoted(text: &str, most: usize) -> String {
    match text.char_indices().nth(most) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text.to_string(),
    }
}

/// What to ask for when a field is left empty, in plain words, as the GOV.UK Design
/// System words it ("Enter why you ended the call"), never the field's own name (issue 13):
/// the same words at every door. A field inside another (`ended_call.reason`,
/// `restrictions[0].reason`) is asked for by its own last part.
pub fn enter(field: &str) -> String {
    let plain = match (field, last_part(field)) {
        ("ended_call.reason", _) => "why you ended the call",
        ("ended_call.file_note", _) => "a note of the call for the file",
        ("advocate.name", _) => "the name of the person who speaks for them",
        (_, "what_is_wrong" | "what_was_wrong") => {
            "what the behaviour was and why it is not acceptable"
        }
        (_, "how_to_change") => "what you are asking them to do instead",
        (_, "consequence") => "what will happen if it goes on",
        (_, "aims") => "what the restrictions are meant to achieve",
        (_, "proportionality") => "why the restrictions are fair and proportionate",
        (_, "reasons") => "the reasons",
        (_, "reason") => "the reason",
        (_, "description") => "what happened",
        (_, "details") => "the details",
        (_, "grounds" | "note") => "the grounds",
        (_, "name") => "the name",
        (_, "outcome") => "what was done",
        (_, "partner") => "who it is to be shared with",
        (_, "recent_conduct") => "how they have been in contact since the last decision",
        (_, "shared_what") => "what was shared",
        (_, "title") => "a title",
        (_, "summary") => "a summary of the contact",
        (_, other) => return format!("Enter the {}", other.replace('_', " ")),
    };
    format!("Enter {plain}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_was_sent_is_repeated_whole_when_short_and_in_part_when_long() {
        assert_eq!(shown("tuesdya"), "\"tuesdya\"");
        let long = "é".repeat(SHOWN_CHARS + 1);
        let s = shown(&long);
        assert!(
            s.starts_with(&format!("\"{}\"…", "é".repeat(SHOWN_CHARS))),
            "{s}"
        );
        assert!(
            s.ends_with(&format!("({} characters)", SHOWN_CHARS + 1)),
            "{s}"
        );
        let e = RuleError::one_of([1, 2], |_| "x", "kind", &"y".repeat(10_000)).unwrap_err();
        assert!(e.message.len() < 200, "{}", e.message);
    }

    #[test]
    fn issue_13_an_empty_field_is_asked_for_in_plain_words_never_by_its_name() {
        let e = require_text("ended_call.reason", "  ").unwrap_err();
        assert_eq!(e.message, "Enter why you ended the call");
        assert_eq!(e.field.as_deref(), Some("ended_call.reason"));
        assert_eq!(
            enter("what_is_wrong"),
            "Enter what the behaviour was and why it is not acceptable"
        );
        assert_eq!(enter("restrictions[0].reason"), "Enter the reason");
        assert_eq!(enter("call_window.reason"), "Enter the reason");
        assert_eq!(enter("other_field"), "Enter the other field");
        for f in [
            "aims",
            "proportionality",
            "reasons",
            "description",
            "ended_call.file_note",
            "shared_what",
            "recent_conduct",
        ] {
            let m = enter(f);
            assert!(m.starts_with("Enter ") && !m.contains('_'), "{f}: {m}");
        }
        assert!(require_text("reason", "because").is_ok());
    }

    #[test]
    fn issue_11_free_text_is_refused_past_its_length_at_every_door_naming_the_field() {
        let title = "t".repeat(MAX_LINE_CHARS);
        assert!(require_text("title", &title).is_ok());
        let e = require_text("title", &format!("{title}t")).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("title"));
        assert_eq!(
            e.message,
            "500 characters at most, and this has 501: shorten it"
        );
        assert!(require_text("summary", &"s".repeat(501)).is_err());
        // Other free text may be longer, up to its own limit, however deep it is sent.
        assert!(require_text("restrictions[0].reason", &"r".repeat(501)).is_ok());
        let e =
            require_text("restrictions[0].reason", &"r".repeat(MAX_TEXT_CHARS + 1)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("restrictions[0].reason"));
        // A name, anyone's, is shorter still.
        for field in ["name", "advocate.name"] {
            assert!(require_text(field, &"n".repeat(200)).is_ok());
            let e = within(field, &"n".repeat(201)).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field));
        }
        // Characters, not bytes: 500 letters of a script outside ASCII are one line.
        assert!(require_text("title", &"é".repeat(MAX_LINE_CHARS)).is_ok());
    }
}
