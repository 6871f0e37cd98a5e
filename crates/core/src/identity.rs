//! How Tact recognises a person: phone numbers and email addresses, parsed once into
//! normalised forms so that "07700 900123", "+44 (0)7700 900123" and "447700900123"
//! all find the same service user.

use crate::error::RuleError;
use std::fmt;

/// A telephone number in E.164 form (`+447700900123`), parsed and checked by libphonenumber
/// (the `phonenumber` crate, a port of Google's library and its numbering-plan data).
///
/// One that exists is either **verified** — libphonenumber calls it valid for its country —
/// or was kept on purpose although it is not (`verified == false`): a number newer than the
/// library's data, or the range Ofcom keeps for drama (07700 900000–900999), which the demo
/// uses. Either kind matches a caller with the same E.164 form. Equality, ordering and
/// hashing are by the E.164 form alone.
#[derive(Debug, Clone)]
pub struct PhoneNumber {
    e164: String,
    verified: bool,
}

impl PartialEq for PhoneNumber {
    fn eq(&self, other: &Self) -> bool {
        self.e164 == other.e164
    }
}
impl Eq for PhoneNumber {}
impl std::hash::Hash for PhoneNumber {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.e164.hash(state);
    }
}
impl PartialOrd for PhoneNumber {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for PhoneNumber {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.e164.cmp(&other.e164)
    }
}

/// What libphonenumber makes of some text, read as a UK number unless it says otherwise.
fn read_number(input: &str) -> Result<(String, bool), String> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err("it is empty".into());
    }
    if trimmed.len() > 40 {
        return Err("it is too long".into());
    }
    if trimmed
        .chars()
        .any(|c| c.is_alphabetic() && !trimmed.starts_with("tel:"))
    {
        return Err("it contains characters that are not digits".into());
    }
    let n = phonenumber::parse(Some(phonenumber::country::Id::GB), trimmed)
        .map_err(|e| e.to_string())?;
    let valid = phonenumber::is_valid(&n);
    let mut e164 = n.format().mode(phonenumber::Mode::E164).to_string();
    if !valid {
        e164 = keep_trunk_prefix_as_libphonenumber_does(&n, trimmed).unwrap_or(e164);
    }
    if !(8..=16).contains(&e164.len()) {
        return Err("a telephone number has a country code and 7 to 15 digits".into());
    }
    Ok((e164, valid))
}

/// libphonenumber strips a national (trunk) prefix such as the UK's 0 only when what is
/// left has a length numbers of the region can have; otherwise it keeps the prefix as part
/// of the number (`0114 795 76` → `+44011479576`). The Rust port strips it unless what is
/// left is too short, so for numbers that are invalid anyway its E.164 form can differ from
/// the reference library's. This puts the prefix back where libphonenumber would keep it,
/// so a number kept as unverified is stored as every other libphonenumber user would write
/// it (issue 10 asks that Tact agree with libphonenumber on every number).
fn keep_trunk_prefix_as_libphonenumber_does(
    n: &phonenumber::PhoneNumber,
    input: &str,
) -> Option<String> {
    let code = n.code().value();
    let regions = phonenumber::metadata::DATABASE.by_code(&code)?;
    let meta = regions
        .iter()
        .find(|m| m.is_main_country_for_code())
        .or_else(|| regions.first())?;
    let prefix = meta.national_prefix()?;
    let national = format!(
        "{}{}",
        "0".repeat(usize::from(n.national().zeros())),
        n.national().value()
    );
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    if !digits.ends_with(&format!("{prefix}{national}")) {
        return None;
    }
    let len = u16::try_from(national.len()).ok()?;
    // The lengths the region's numbers can have: libphonenumber's general description
    // holds the union of every kind's (the port leaves that list empty).
    let d = meta.descriptors();
    let lengths: Vec<u16> = [
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.voicemail(),
    ]
    .into_iter()
    .flatten()
    .flat_map(|k| k.possible_length().iter().copied())
    .collect();
    // Too long is stripped all the same (libphonenumber's TOO_LONG); a length between the
    // shortest and the longest that no number has, or only a local one, keeps the prefix.
    if lengths.contains(&len) || lengths.iter().all(|l| *l < len) {
        return None;
    }
    Some(format!("+{code}{prefix}{national}"))
}

/// A UK number a form's hint or a refusal gives as an example, as people write it:
/// libphonenumber's own example of a landline or a mobile, which the library confirms
/// (so the example, typed in, is taken), rather than any office's real number.
pub fn example_number(mobile: bool) -> &'static str {
    static EXAMPLES: std::sync::LazyLock<(String, String)> =
        std::sync::LazyLock::new(|| (gb_example(false), gb_example(true)));
    if mobile {
        &EXAMPLES.1
    } else {
        &EXAMPLES.0
    }
}

/// libphonenumber's example GB number of one kind, in its national format, read once.
fn gb_example(mobile: bool) -> String {
    let descriptors = phonenumber::metadata::DATABASE
        .by_id("GB")
        .map(phonenumber::metadata::Metadata::descriptors);
    let kind = descriptors.and_then(|d| if mobile { d.mobile() } else { d.fixed_line() });
    kind.and_then(phonenumber::metadata::Descriptor::example)
        .and_then(|national| phonenumber::parse(Some(phonenumber::country::Id::GB), national).ok())
        .map_or_else(
            || {
                if mobile {
                    "07400 123456"
                } else {
                    "0121 234 5678"
                }
                .to_string()
            },
            |n| n.format().mode(phonenumber::Mode::National).to_string(),
        )
}

/// Why a number libphonenumber reads but cannot confirm is refused, and what to do.
const UNCONFIRMED: &str = "it is not a valid number for its country (outside the numbers in use, or a digit short or long); if you are sure it is right, keep it as unverified";

impl PhoneNumber {
    fn bad(input: &str, why: &str) -> RuleError {
        RuleError::invalid(
            "phone",
            format!(
                "expected a telephone number such as {} or {}, got {}: {why}",
                example_number(false),
                example_number(true),
                crate::error::shown(input)
            ),
        )
    }

    /// Parses a number written in any common UK form (`07…`, `+44 (0)…`, `0044…`, with
    /// spaces, dots, dashes or brackets), or an international number with `+` or `00`. Only
    /// a number libphonenumber calls valid for its country is accepted.
    ///
    /// # Errors
    /// An invalid-input error naming the field `phone`: not a telephone number, or not a
    /// valid one (outside the allocated ranges, or a digit short or long).
    pub fn parse(input: &str) -> Result<Self, RuleError> {
        Self::record(input, false)
    }

    /// Parses a number to be recorded. A number libphonenumber cannot confirm is refused,
    /// unless `keep_unverified` says to keep it anyway; then it is kept marked unverified.
    ///
    /// # Errors
    /// As [`PhoneNumber::parse`]; with `keep_unverified`, only text that is not a
    /// telephone number at all.
    pub fn record(input: &str, keep_unverified: bool) -> Result<Self, RuleError> {
        let (e164, verified) = read_number(input).map_err(|why| Self::bad(input, &why))?;
        if !verified && !keep_unverified {
            return Err(Self::bad(input, UNCONFIRMED).overridden_by("keep_unverified"));
        }
        Ok(Self { e164, verified })
    }

    /// The refusal of this number, read but not confirmed by libphonenumber, as
    /// [`PhoneNumber::record`] words it: for a number new to a record
    /// (`PersonInput::apply_to`).
    pub fn unconfirmed(&self) -> RuleError {
        Self::bad(&self.for_people(), UNCONFIRMED).overridden_by("keep_unverified")
    }

    /// Reads a caller's number to look it up: any number libphonenumber can read, valid or
    /// not, so a number kept as unverified is still matched.
    ///
    /// # Errors
    /// An invalid-input error naming the field `phone` when the text is not a telephone number.
    pub fn lookup(input: &str) -> Result<Self, RuleError> {
        Self::record(input, true)
    }

    /// A number as stored (E.164 and whether it was verified when recorded).
    pub fn from_stored(e164: &str, verified: bool) -> Option<Self> {
        let ok = e164.len() <= 16
            && e164.starts_with('+')
            && e164.len() >= 8
            && e164[1..].bytes().all(|b| b.is_ascii_digit());
        ok.then(|| Self {
            e164: e164.to_string(),
            verified,
        })
    }

    /// The E.164 form, such as `+447700900123`.
    pub fn as_str(&self) -> &str {
        &self.e164
    }

    /// Whether libphonenumber confirmed the number when it was recorded.
    pub fn is_verified(&self) -> bool {
        self.verified
    }

    /// The number as people in the UK write it: a UK number in libphonenumber's national
    /// format ("07700 900123"), any other in its international format; E.164 when
    /// libphonenumber cannot read it (issue 13: search results people can scan).
    pub fn for_people(&self) -> String {
        match phonenumber::parse(None, &self.e164) {
            Ok(n) if n.code().value() == 44 => {
                n.format().mode(phonenumber::Mode::National).to_string()
            }
            Ok(n) => n
                .format()
                .mode(phonenumber::Mode::International)
                .to_string(),
            Err(_) => self.e164.clone(),
        }
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.e164)
    }
}

/// An email address, normalised to lower case for matching. One that exists is valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses an address such as `jo.bloggs@example.org`, also as an email program shows a
    /// sender and staff paste it (`Jo Bloggs <jo.bloggs@example.org>`: the address is what
    /// the angle brackets hold) or as a `mailto:` link gives it.
    ///
    /// # Errors
    /// An invalid-input error naming the field `email` when the text is not an email address.
    pub fn parse(input: &str) -> Result<Self, RuleError> {
        let bad = |why: &str| {
            RuleError::invalid(
                "email",
                format!(
                    "expected an email address such as name@example.org, got {}: {why}",
                    crate::error::shown(input)
                ),
            )
        };
        let s = input.trim();
        let s = match bracketed(s) {
            Some((address, "")) => address,
            _ => s,
        };
        let s = match s.get(..7) {
            Some(scheme) if scheme.eq_ignore_ascii_case("mailto:") => &s[7..],
            _ => s,
        };
        if s.len() > 254 {
            return Err(bad("it is longer than 254 characters"));
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(|| bad("it has no @"))?;
        if local.is_empty() || local.len() > 64 {
            return Err(bad("the part before @ must be 1 to 64 characters"));
        }
        if local.contains('@') {
            return Err(bad("it has more than one @"));
        }
        let local_ok = local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        if !local_ok || local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(bad(
                "the part before @ has characters an address cannot have",
            ));
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 {
            return Err(bad("the domain after @ needs a dot"));
        }
        for label in &labels {
            let ok = !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !ok {
                return Err(bad("the domain after @ is not a valid domain name"));
            }
        }
        Ok(Self(s.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The address a header-style value holds between its last angle brackets, trimmed, and
/// what follows them: a sender as an email program shows one (`Jo Bloggs <jo@example.org>`,
/// nothing after) or a SIP From header's value (`"Jo" <sip:…@pbx>;tag=1`). `None` where
/// the text has no such brackets.
fn bracketed(s: &str) -> Option<(&str, &str)> {
    let close = s.rfind('>')?;
    let open = s[..close].rfind('<')?;
    Some((s[open + 1..close].trim(), &s[close + 1..]))
}

/// What phone systems send when the caller's number is not known: withheld by the caller,
/// or not passed on by the network.
const WITHHELD: &[&str] = &[
    "",
    "anonymous",
    "withheld",
    "unavailable",
    "unknown",
    "private",
    "restricted",
    "not available",
    "number withheld",
];

/// Reads a caller id as a phone system gives it: a number in any form (see
/// [`PhoneNumber::lookup`], and `tel:` URIs), or one of the words for a number that was
/// withheld or is unavailable (`anonymous`, `withheld`, `unavailable`, empty, a SIP
/// `anonymous@anonymous.invalid`), which gives `None`. A SIP From header's whole value
/// (`"Jo" <sip:…@pbx>;tag=…`) is read by the address in its angle brackets.
///
/// # Errors
/// An invalid-input error naming `phone` for text that is neither.
pub fn read_caller(input: &str) -> Result<Option<PhoneNumber>, RuleError> {
    // A whole From header's value, as some phone systems pass it on ("Jo" <sip:…@pbx>;tag=1):
    // the address is what the angle brackets hold, whatever follows them.
    let input = input.trim();
    let input = bracketed(input).map_or(input, |(address, _)| address);
    let t = input.trim().trim_matches('"').trim().to_ascii_lowercase();
    let bare = t
        .strip_prefix("tel:")
        .or_else(|| t.strip_prefix("sip:"))
        .or_else(|| t.strip_prefix("sips:"))
        .unwrap_or(&t);
    if WITHHELD.contains(&bare) || bare.starts_with("anonymous@") {
        return Ok(None);
    }
    let number = bare.split(['@', ';']).next().unwrap_or(bare);
    if let Some(n) = canonical_uk(number) {
        return Ok(Some(n));
    }
    PhoneNumber::lookup(number).map(Some)
}

/// A UK number already in E.164 form with no trunk 0 (`+44` and 9 or 10 digits, the first
/// not 0) is its own E.164 form: libphonenumber reads the digits after `+44` as the national
/// number as they are. Phone systems send this form, and reading it without the library
/// takes the front line's hot path from about 18 µs to well under one (issue 10). Such a
/// number is read for a look-up only, so it is not marked as verified.
fn canonical_uk(s: &str) -> Option<PhoneNumber> {
    let b = s.as_bytes();
    let ok = (12..=13).contains(&b.len())
        && s.starts_with("+44")
        && (b'1'..=b'9').contains(&b[3])
        && b[4..].iter().all(u8::is_ascii_digit);
    ok.then(|| PhoneNumber {
        e164: s.to_string(),
        verified: false,
    })
}

/// Someone who already holds an identifier another person is being given.
#[derive(Debug, Clone)]
pub struct Holder {
    pub person: crate::ids::PersonId,
    pub reference: String,
    pub name: String,
}

/// Whether a person may be given an identifier that others already hold (issue 10): only
/// when the request marks it as shared — a household line, an advocate acting for several
/// people. Otherwise the contact check could answer for the wrong person, so it is refused
/// naming who holds it.
///
/// # Errors
/// A conflict naming `field` and the other holders.
pub fn may_hold(
    key: &str,
    field: &str,
    others: &[Holder],
    marked_shared: bool,
) -> Result<(), RuleError> {
    if others.is_empty() || marked_shared {
        return Ok(());
    }
    let who = others
        .iter()
        .map(|h| format!("{} ({})", h.name, h.reference))
        .collect::<Vec<_>>()
        .join(", ");
    Err(RuleError {
        kind: crate::error::RuleErrorKind::Conflict,
        clause: None,
        field: Some(field.to_string()),
        message: format!(
            "{key} is already held by {who}: if they share it (a household line, an advocate acting for several people), mark it as shared"
        ),
        overridden_by: Some("shared".into()),
    })
}

/// Whatever a contact arrived from: a phone number or an email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Identifier {
    Phone(PhoneNumber),
    Email(EmailAddress),
}

impl Identifier {
    /// The normalised text used as an index key (`+44…` or `name@example.org`).
    pub fn key(&self) -> &str {
        match self {
            Self::Phone(p) => p.as_str(),
            Self::Email(e) => e.as_str(),
        }
    }

    /// Reads an identifier to look it up: an email address, or any telephone number
    /// libphonenumber can read (see [`PhoneNumber::lookup`]).
    ///
    /// # Errors
    /// An invalid-input error when the text is neither a phone number nor an email address.
    pub fn parse(input: &str) -> Result<Self, RuleError> {
        if input.contains('@') {
            EmailAddress::parse(input).map(Self::Email)
        } else {
            PhoneNumber::lookup(input).map(Self::Phone)
        }
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn uk_forms_all_normalise_to_the_same_e164() {
        for form in [
            "07911 123456",
            "07911123456",
            "+44 7911 123456",
            "+44 (0)7911 123456",
            "0044 7911 123456",
            "(07911) 123-456",
            "07911.123.456",
            "+447911123456",
        ] {
            let n = PhoneNumber::parse(form).unwrap();
            assert_eq!(n.as_str(), "+447911123456", "{form}");
            assert!(n.is_verified());
        }
        for (written, e164) in [
            ("01642 301653", "+441642301653"),
            ("+44 (0)113 496 0480", "+441134960480"),
            ("+33 1 42 68 53 00", "+33142685300"),
        ] {
            assert_eq!(PhoneNumber::parse(written).unwrap().as_str(), e164);
        }
    }

    #[test]
    fn malformed_numbers_are_refused_naming_the_field() {
        for bad in ["", "hello", "0770", "07700 9001234567", "07700-900-12x"] {
            let err = PhoneNumber::record(bad, true).unwrap_err();
            assert_eq!(err.field.as_deref(), Some("phone"), "{bad}");
        }
    }

    #[test]
    fn a_number_a_digit_short_of_its_range_is_refused_unless_kept_as_unverified() {
        for short in ["+44 (0)113 496 048", "+44 (0)7911 10593"] {
            let err = PhoneNumber::parse(short).unwrap_err();
            assert_eq!(err.field.as_deref(), Some("phone"), "{short}");
            assert!(
                err.message.contains("not a valid number"),
                "{}",
                err.message
            );
            let kept = PhoneNumber::record(short, true).unwrap();
            assert!(!kept.is_verified(), "{short}");
        }
        // Ofcom's drama range is not in use, so libphonenumber does not confirm it; the demo
        // keeps such numbers as unverified, and a caller from one is still matched.
        assert!(PhoneNumber::parse("07700 900123").is_err());
        let drama = PhoneNumber::record("07700 900123", true).unwrap();
        assert_eq!(drama.as_str(), "+447700900123");
        assert!(!drama.is_verified());
        assert_eq!(PhoneNumber::lookup("+44 7700 900123").unwrap(), drama);
    }

    #[test]
    fn a_refusal_gives_examples_tact_takes_and_repeats_long_input_only_in_part() {
        let landline = example_number(false);
        let mobile = example_number(true);
        assert!(
            landline.starts_with("01") || landline.starts_with("02"),
            "{landline}"
        );
        assert!(mobile.starts_with("07"), "{mobile}");
        for example in [landline, mobile] {
            let n = PhoneNumber::parse(example).unwrap();
            assert!(n.is_verified(), "{example}");
            assert_eq!(n.for_people(), example);
        }
        let err = PhoneNumber::parse("12").unwrap_err();
        assert!(err.message.contains(landline), "{}", err.message);
        assert!(err.message.contains("got \"12\""), "{}", err.message);
        // A page pasted into the field is not sent back whole.
        let pasted = "9".repeat(5000);
        let err = PhoneNumber::parse(&pasted).unwrap_err();
        assert!(err.message.len() < 400, "{}", err.message);
        assert!(err.message.contains("(5000 characters)"), "{}", err.message);
        let err = EmailAddress::parse(&"a".repeat(5000)).unwrap_err();
        assert!(err.message.len() < 400, "{}", err.message);
    }

    #[test]
    fn email_addresses_are_lower_cased_and_checked() {
        assert_eq!(
            EmailAddress::parse(" Jo.Bloggs@Example.ORG ")
                .unwrap()
                .as_str(),
            "jo.bloggs@example.org"
        );
        for bad in [
            "",
            "no-at",
            "a@b",
            "a@@b.com",
            ".a@b.com",
            "a b@c.com",
            "a@-b.com",
            "a@b..com",
            "Jo <a b@c.com>",
            "<>",
            "mailto:",
            "Jo <jo@example.org> and more",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }

    /// Staff paste a sender as their email program shows it, or a `mailto:` link: the
    /// address is read from it, never the name around it.
    #[test]
    fn an_address_is_read_as_an_email_program_shows_it() {
        for given in [
            "Jo Bloggs <Jo.Bloggs@example.org>",
            "\"Bloggs, Jo\" <jo.bloggs@example.org>",
            "<jo.bloggs@example.org>",
            " mailto:jo.bloggs@example.org ",
            "MAILTO:Jo.Bloggs@Example.org",
            "Jo <mailto:jo.bloggs@example.org>",
        ] {
            assert_eq!(
                EmailAddress::parse(given).unwrap().as_str(),
                "jo.bloggs@example.org",
                "{given:?}"
            );
        }
    }

    #[test]
    fn withheld_and_unavailable_caller_ids_are_read_as_unknown_not_refused() {
        for w in [
            "",
            "anonymous",
            "Anonymous",
            " withheld ",
            "UNAVAILABLE",
            "sip:anonymous@anonymous.invalid",
            "\"Anonymous\"",
            "\"Anonymous\" <sip:anonymous@anonymous.invalid>;tag=1",
        ] {
            assert_eq!(read_caller(w).unwrap(), None, "{w:?}");
        }
        for n in [
            "tel:+441642301653",
            "01642 301653",
            "+441642301653",
            "sip:+441642301653@pbx.example.org;user=phone",
            "sips:+441642301653@pbx.example.org",
            // A From header's whole value, display name, brackets, tag and all.
            "<sip:+441642301653@pbx.example.org>",
            "\"Jo Bloggs\" <sip:01642301653@10.0.0.1;user=phone>;tag=as6e1b",
        ] {
            assert_eq!(
                read_caller(n).unwrap().unwrap().as_str(),
                "+441642301653",
                "{n}"
            );
        }
        assert_eq!(
            read_caller("hello").unwrap_err().field.as_deref(),
            Some("phone")
        );
    }

    #[test]
    fn an_identifier_held_by_someone_else_is_refused_unless_marked_shared() {
        let jo = Holder {
            person: crate::ids::PersonId(7),
            reference: "SU-000007".into(),
            name: "Jo Bloggs".into(),
        };
        let err =
            may_hold("+441642301653", "phones", std::slice::from_ref(&jo), false).unwrap_err();
        assert_eq!(err.kind, crate::error::RuleErrorKind::Conflict);
        assert_eq!(err.field.as_deref(), Some("phones"));
        assert!(
            err.message.contains("Jo Bloggs (SU-000007)"),
            "{}",
            err.message
        );
        assert!(may_hold("+441642301653", "phones", &[jo], true).is_ok());
        assert!(may_hold("+441642301653", "phones", &[], false).is_ok());
    }

    proptest! {
        #[test]
        fn any_uk_mobile_in_any_spacing_normalises(n in 100_000_000u64..999_999_999, sep in "[ .-]{0,1}") {
            let national = format!("07{n:09}");
            let spaced = format!("{}{sep}{}", &national[..5], &national[5..]);
            let parsed = PhoneNumber::lookup(&spaced).unwrap();
            prop_assert_eq!(parsed.as_str(), format!("+447{n:09}"));
            // Reading the normalised form again is stable.
            prop_assert_eq!(PhoneNumber::lookup(parsed.as_str()).unwrap(), parsed);
        }

        #[test]
        fn the_fast_reading_of_a_uk_e164_number_agrees_with_libphonenumber(n in 100_000_000u64..9_999_999_999) {
            let s = format!("+44{n}");
            let full = PhoneNumber::lookup(&s).map(|p| p.as_str().to_string()).ok();
            let fast = canonical_uk(&s).map(|p| p.as_str().to_string());
            if fast.is_some() {
                prop_assert_eq!(fast, full, "{}", s);
            }
        }

        #[test]
        fn phone_parser_never_panics(s in "\\PC{0,50}") {
            let _ = PhoneNumber::parse(&s);
        }

        #[test]
        fn email_parser_never_panics(s in "\\PC{0,80}") {
            let _ = EmailAddress::parse(&s);
        }
    }
}

/// The UK postcode at the end of a postal address ("1 High Street, Middlesbrough, TS1 2AB"
/// or "…, Northampton NN1 8AB" gives the postcode), written in capitals with its space, if
/// the address ends with one: what tells two people of the same name apart in a list of
/// search results (issue 13). The postcode is the address's last part, or the end of it
/// where the town and the postcode share a line.
pub fn postcode(address: &str) -> Option<String> {
    let tail: String = address
        .rsplit([',', '\n'])
        .map(str::trim)
        .find(|p| !p.is_empty())?
        .to_uppercase();
    let words: Vec<&str> = tail.split_whitespace().collect();
    let n = words.len();
    [
        tail.clone(),
        words[n.saturating_sub(2)..].concat(),
        words[n.saturating_sub(1)..].concat(),
    ]
    .iter()
    .find_map(|t| postcode_alone(t))
}

/// `text` as a postcode, if it is one whole (spaces aside).
fn postcode_alone(text: &str) -> Option<String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    // The outward code is 2 to 4 characters (a letter first), the inward a digit and two
    // letters: "TS12AB", "SW1A1AA", "M11AE".
    let n = compact.len();
    if !(5..=7).contains(&n) || !compact.is_ascii() {
        return None;
    }
    let (outward, inward) = compact.split_at(n - 3);
    let ib = inward.as_bytes();
    let ob = outward.as_bytes();
    let ok = ib[0].is_ascii_digit()
        && ib[1].is_ascii_alphabetic()
        && ib[2].is_ascii_alphabetic()
        && ob[0].is_ascii_alphabetic()
        && ob.iter().any(u8::is_ascii_digit)
        && ob.iter().all(u8::is_ascii_alphanumeric);
    ok.then(|| format!("{outward} {inward}"))
}

#[cfg(test)]
mod postcode_tests {
    use super::postcode;

    #[test]
    fn issue_13_the_postcode_is_read_from_the_end_of_an_address() {
        for (address, found) in [
            ("1 High Street, Middlesbrough, TS1 2AB", Some("TS1 2AB")),
            ("10 Downing St\nLondon\nsw1a2aa", Some("SW1A 2AA")),
            ("Flat 2, 5 Road, M1 1AE ", Some("M1 1AE")),
            // The town and the postcode on one line, as many write it (and the demo does).
            ("8 Station Road, Northampton NN1 8AB", Some("NN1 8AB")),
            ("8 Station Road\nKettering nn168ab", Some("NN16 8AB")),
            ("1 High Street, Middlesbrough", None),
            ("1 High Street, Flat 12AB", None),
            ("12 Road 3AB", None),
            ("PO Box 12", None),
            ("", None),
        ] {
            assert_eq!(postcode(address).as_deref(), found, "{address:?}");
        }
    }

    #[test]
    fn issue_13_numbers_are_shown_as_people_write_them() {
        use super::PhoneNumber;
        for (written, shown) in [
            ("+447911123456", "07911 123456"),
            ("01642 301653", "01642 301653"),
            ("+33 1 42 68 53 00", "+33 1 42 68 53 00"),
        ] {
            assert_eq!(PhoneNumber::parse(written).unwrap().for_people(), shown);
        }
    }
}
