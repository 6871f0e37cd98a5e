//! How Tact recognises a person: phone numbers and email addresses, parsed once into
//! normalised forms so that "07700 900123", "+44 (0)7700 900123" and "447700900123"
//! all find the same service user.

use crate::error::RuleError;
use std::fmt;

/// A telephone number in E.164 form (`+447700900123`). One that exists is valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses a number written in any common UK form, or an international number with `+` or `00`.
    ///
    /// # Errors
    /// An invalid-input error naming the field `phone` when the text is not a telephone number.
    pub fn parse(input: &str) -> Result<Self, RuleError> {
        let bad = |why: &str| {
            RuleError::invalid("phone", format!("expected a telephone number such as 01642 301653 or +44 7700 900123, got {input:?}: {why}"))
        };
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(bad("it is empty"));
        }
        if trimmed.len() > 40 {
            return Err(bad("it is too long"));
        }
        // "+44 (0)1642 …" writes the trunk zero that must be dropped after the country code.
        let without_trunk = trimmed.replacen("(0)", "", 1);
        let mut plus = false;
        let mut digits = String::with_capacity(16);
        for (i, c) in without_trunk.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => plus = true,
                ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
                _ => return Err(bad("it contains characters that are not digits")),
            }
        }
        let international = if plus {
            digits
        } else if let Some(rest) = digits.strip_prefix("00") {
            rest.to_string()
        } else if let Some(rest) = digits.strip_prefix('0') {
            format!("44{rest}")
        } else if digits.starts_with("44") && digits.len() == 12 {
            digits
        } else {
            return Err(bad(
                "a UK number starts with 0, an international one with + or 00",
            ));
        };
        if let Some(national) = international.strip_prefix("44") {
            let national = national.strip_prefix('0').unwrap_or(national);
            if !(9..=10).contains(&national.len()) {
                return Err(bad(
                    "a UK number has 10 or 11 digits including the leading 0",
                ));
            }
            if !matches!(
                national.as_bytes()[0],
                b'1' | b'2' | b'3' | b'5' | b'7' | b'8' | b'9'
            ) {
                return Err(bad("no UK number starts that way"));
            }
            return Ok(Self(format!("+44{national}")));
        }
        if !(8..=15).contains(&international.len()) || international.starts_with('0') {
            return Err(bad(
                "an international number has a country code and 8 to 15 digits",
            ));
        }
        Ok(Self(format!("+{international}")))
    }

    /// The E.164 form, such as `+447700900123`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An email address, normalised to lower case for matching. One that exists is valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses a bare address such as `jo.bloggs@example.org`.
    ///
    /// # Errors
    /// An invalid-input error naming the field `email` when the text is not an email address.
    pub fn parse(input: &str) -> Result<Self, RuleError> {
        let bad = |why: &str| {
            RuleError::invalid(
                "email",
                format!("expected an email address such as name@example.org, got {input:?}: {why}"),
            )
        };
        let s = input.trim();
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

    /// Parses a key produced by [`Identifier::key`].
    ///
    /// # Errors
    /// An invalid-input error when the text is neither a phone number nor an email address.
    pub fn parse(input: &str) -> Result<Self, RuleError> {
        if input.contains('@') {
            EmailAddress::parse(input).map(Self::Email)
        } else {
            PhoneNumber::parse(input).map(Self::Phone)
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
            "07700 900123",
            "07700900123",
            "+44 7700 900123",
            "+44 (0)7700 900123",
            "0044 7700 900123",
            "447700900123",
            "(07700) 900-123",
            "+447700900123",
        ] {
            assert_eq!(
                PhoneNumber::parse(form).unwrap().as_str(),
                "+447700900123",
                "{form}"
            );
        }
        assert_eq!(
            PhoneNumber::parse("01642 301653").unwrap().as_str(),
            "+441642301653"
        );
        assert_eq!(
            PhoneNumber::parse("01604 888881").unwrap().as_str(),
            "+441604888881"
        );
        assert_eq!(
            PhoneNumber::parse("+33 1 42 68 53 00").unwrap().as_str(),
            "+33142685300"
        );
    }

    #[test]
    fn malformed_numbers_are_refused_naming_the_field() {
        for bad in [
            "",
            "hello",
            "0770",
            "07700 9001234567",
            "+0 123",
            "7700900123",
            "0600 123 4567",
            "07700-900-12x",
        ] {
            let err = PhoneNumber::parse(bad).unwrap_err();
            assert_eq!(err.field.as_deref(), Some("phone"), "{bad}");
        }
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
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn any_uk_mobile_in_any_spacing_normalises(n in 100_000_000u64..999_999_999, sep in "[ .-]{0,1}") {
            let national = format!("07{n:09}");
            let spaced = format!("{}{sep}{}", &national[..5], &national[5..]);
            let parsed = PhoneNumber::parse(&spaced).unwrap();
            prop_assert_eq!(parsed.as_str(), format!("+447{n:09}"));
            // Parsing the normalised form again is stable.
            prop_assert_eq!(PhoneNumber::parse(parsed.as_str()).unwrap(), parsed);
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
