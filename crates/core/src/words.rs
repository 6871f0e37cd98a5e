//! Closed sets of words (issue 11): an enum each of whose values has exactly one word, the
//! word it is stored under, sent as in the API and named by in a query. [`words!`] declares
//! the enum and its words once; the order of `ALL`, the match in `as_str`, the check in
//! `parse` and what a profile's TOML may say all come from that one list, so a value added
//! to the list cannot be missing from any of them.

/// A value with one word, and a word that names at most one value: what the store decodes a
/// stored word with, so a word that names nothing is an error naming its column, never a
/// default.
pub trait Words: Sized + Copy + 'static {
    /// The words of every value, in order.
    const WORDS: &'static [&'static str];

    /// The value's word.
    fn word(self) -> &'static str;

    /// The value `s` names, if any.
    fn from_word(s: &str) -> Option<Self>;
}

/// Declares an enum and its words:
///
/// ```
/// tact_core::words! {
///     /// Where a thing is.
///     pub enum Place for "place" {
///         Here = "here",
///         /// Not here.
///         ThereAndBack = "there-and-back",
///     }
/// }
/// assert_eq!(Place::ALL, [Place::Here, Place::ThereAndBack]);
/// assert_eq!(Place::ThereAndBack.as_str(), "there-and-back");
/// assert_eq!(Place::parse("here"), Ok(Place::Here));
/// assert!(Place::parse("Here").unwrap_err().to_string().contains("place"));
/// ```
///
/// The enum is `Debug, Clone, Copy, PartialEq, Eq, Hash` and reads from a profile's TOML
/// by its words; attributes given before `enum` (more derives, docs) are kept. With
/// `for "field"`, `parse` answers an invalid-input error naming that field and listing the
/// words; without it there is no `parse` (the enum is never read from what people send,
/// or reads it in its own way) and the store reads it by [`Words::from_word`].
#[macro_export]
macro_rules! words {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident $(for $field:literal)? {
            $($(#[$vmeta:meta])* $variant:ident = $word:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: [Self; [$($word),+].len()] = [$(Self::$variant),+];

            /// Its word, as stored and sent.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $word,)+
                }
            }

            $crate::words!(@parse $($field)?);
        }

        impl $crate::words::Words for $name {
            const WORDS: &'static [&'static str] = &[$($word),+];

            fn word(self) -> &'static str {
                self.as_str()
            }

            fn from_word(s: &str) -> ::core::option::Option<Self> {
                Self::ALL.into_iter().find(|x| x.as_str() == s)
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as $crate::__serde::Deserialize>::deserialize(d)?;
                <Self as $crate::words::Words>::from_word(&s).ok_or_else(|| {
                    <D::Error as $crate::__serde::de::Error>::unknown_variant(
                        &s,
                        <Self as $crate::words::Words>::WORDS,
                    )
                })
            }
        }
    };
    (@parse $field:literal) => {
        /// The value `s` names.
        ///
        /// # Errors
        #[doc = concat!("An invalid-input error naming the field `", $field, "` and listing the words.")]
        pub fn parse(s: &str) -> ::core::result::Result<Self, $crate::RuleError> {
            $crate::RuleError::one_of(Self::ALL, Self::as_str, $field, s)
        }

        /// The value `s` names, or `default` where nothing was sent (a query's optional
        /// word).
        ///
        /// # Errors
        /// As [`Self::parse`].
        pub fn parse_or(
            s: ::core::option::Option<&str>,
            default: Self,
        ) -> ::core::result::Result<Self, $crate::RuleError> {
            s.map_or(Ok(default), Self::parse)
        }
    };
    (@parse) => {};
}

#[cfg(test)]
mod tests {
    use super::Words;

    crate::words! {
        /// A test set.
        #[derive(PartialOrd, Ord)]
        enum Colour for "colour" {
            Red = "red",
            DarkBlue = "dark-blue",
        }
    }

    crate::words! {
        enum Bare {
            One = "one",
        }
    }

    #[test]
    fn issue_11_each_value_has_one_word_and_each_word_one_value() {
        assert_eq!(Colour::ALL, [Colour::Red, Colour::DarkBlue]);
        for c in Colour::ALL {
            assert_eq!(Colour::parse(c.as_str()), Ok(c));
            assert_eq!(Colour::from_word(c.word()), Some(c));
        }
        assert_eq!(Colour::WORDS, &["red", "dark-blue"]);
        assert!(Colour::Red < Colour::DarkBlue);
        assert_eq!(Bare::from_word("one"), Some(Bare::One));
        assert_eq!(Bare::from_word("two"), None);
    }

    #[test]
    fn issue_11_a_word_that_names_nothing_is_refused_naming_the_field_and_the_words() {
        let e = Colour::parse("Red").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("colour"));
        assert!(e.to_string().contains("red, dark-blue"), "{e}");
        assert_eq!(Colour::from_word(""), None);
        // A query's optional word: the default where none was sent, else the same check.
        assert_eq!(
            Colour::parse_or(None, Colour::DarkBlue),
            Ok(Colour::DarkBlue)
        );
        assert_eq!(
            Colour::parse_or(Some("red"), Colour::DarkBlue),
            Ok(Colour::Red)
        );
        let e = Colour::parse_or(Some("Red"), Colour::Red).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("colour"));
    }

    #[test]
    fn issue_11_a_profile_reads_the_same_words() {
        #[derive(serde::Deserialize)]
        struct T {
            c: Colour,
        }
        let t: T = toml::from_str("c = \"dark-blue\"").unwrap();
        assert_eq!(t.c, Colour::DarkBlue);
        let e = toml::from_str::<T>("c = \"blue\"")
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("unknown variant `blue`") && e.contains("dark-blue"),
            "{e}"
        );
    }
}
