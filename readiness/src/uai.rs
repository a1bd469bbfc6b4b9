//! UAI codes (Unité Administrative Immatriculée): the national identifier of a French school.
//!
//! Seven digits and a check letter: `"ABCDEFGHJKLMNPRSTUVWXYZ"[first7 % 23]` (no I, O, Q).
//! `0751234J` is valid, `0751234A` is not. Lowercase input is accepted and normalised.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

const CHECK_LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPRSTUVWXYZ";

/// A validated UAI code, always in canonical form (7 digits, uppercase letter).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uai(String);

/// Why a string is not a UAI code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UaiError {
    #[error("invalid UAI {input:?}: expected 8 characters (7 digits and a letter), got {len}")]
    Length { input: String, len: usize },
    #[error("invalid UAI {input:?}: the first 7 characters must be digits")]
    NotDigits { input: String },
    #[error("invalid UAI {input:?}: the 8th character must be a letter")]
    NotLetter { input: String },
    #[error(
        "invalid UAI {input:?}: check letter is {found}, expected {expected} (did you mean {digits}{expected}?)"
    )]
    CheckLetter {
        input: String,
        digits: String,
        found: char,
        expected: char,
    },
}

impl Uai {
    /// The check letter for seven digits.
    pub fn check_letter(digits: &str) -> Option<char> {
        if digits.len() != 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u32 = digits.parse().ok()?;
        Some(CHECK_LETTERS[(n % 23) as usize] as char)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The département part of the code (first three digits, e.g. "075", "069").
    pub fn departement_prefix(&self) -> &str {
        &self.0[..3]
    }
}

impl FromStr for Uai {
    type Err = UaiError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let s = input.trim();
        let len = s.chars().count();
        if len != 8 {
            return Err(UaiError::Length {
                input: input.to_owned(),
                len,
            });
        }
        let split = s.char_indices().nth(7).map_or(s.len(), |(i, _)| i);
        let (digits, letter) = s.split_at(split);
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(UaiError::NotDigits {
                input: input.to_owned(),
            });
        }
        let found = letter
            .chars()
            .next()
            .filter(char::is_ascii_alphabetic)
            .map(|c| c.to_ascii_uppercase())
            .ok_or_else(|| UaiError::NotLetter {
                input: input.to_owned(),
            })?;
        let expected = Self::check_letter(digits).ok_or_else(|| UaiError::NotDigits {
            input: input.to_owned(),
        })?;
        if found != expected {
            return Err(UaiError::CheckLetter {
                input: input.to_owned(),
                digits: digits.to_owned(),
                found,
                expected,
            });
        }
        Ok(Uai(format!("{digits}{found}")))
    }
}

impl TryFrom<String> for Uai {
    type Error = UaiError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Uai> for String {
    fn from(u: Uai) -> String {
        u.0
    }
}

impl fmt::Display for Uai {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl JsonSchema for Uai {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Uai".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "UAI code of a school: 7 digits and a check letter.",
            "pattern": "^[0-9]{7}[ABCDEFGHJKLMNPRSTUVWXYZ]$"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_codes() {
        assert_eq!("0751234J".parse::<Uai>().unwrap().as_str(), "0751234J");
        assert_eq!("0751234j".parse::<Uai>().unwrap().as_str(), "0751234J");
        assert_eq!(" 0751234J ".parse::<Uai>().unwrap().as_str(), "0751234J");
    }

    #[test]
    fn wrong_letter_names_the_expected_one() {
        let err = "0751234A".parse::<Uai>().unwrap_err();
        assert_eq!(
            err,
            UaiError::CheckLetter {
                input: "0751234A".into(),
                digits: "0751234".into(),
                found: 'A',
                expected: 'J'
            }
        );
        let msg = err.to_string();
        assert!(msg.contains("expected J"), "{msg}");
        assert!(msg.contains("0751234J"), "{msg}");
    }

    #[test]
    fn malformed_inputs() {
        assert!(matches!(
            "075123J".parse::<Uai>(),
            Err(UaiError::Length { len: 7, .. })
        ));
        assert!(matches!(
            "".parse::<Uai>(),
            Err(UaiError::Length { len: 0, .. })
        ));
        assert!(matches!(
            "07512X4J".parse::<Uai>(),
            Err(UaiError::NotDigits { .. })
        ));
        assert!(matches!(
            "07512345".parse::<Uai>(),
            Err(UaiError::NotLetter { .. })
        ));
        assert!(matches!(
            "075123éJ".parse::<Uai>(),
            Err(UaiError::NotDigits { .. })
        ));
    }

    #[test]
    fn serde_validates() {
        let ok: Uai = serde_json::from_str("\"0751234J\"").unwrap();
        assert_eq!(ok.to_string(), "0751234J");
        let err = serde_json::from_str::<Uai>("\"0751234A\"").unwrap_err();
        assert!(err.to_string().contains("expected J"));
    }

    proptest! {
        #[test]
        fn exactly_one_letter_is_valid(n in 0u32..10_000_000) {
            let digits = format!("{n:07}");
            let valid: Vec<char> = CHECK_LETTERS
                .iter()
                .map(|&b| b as char)
                .filter(|l| format!("{digits}{l}").parse::<Uai>().is_ok())
                .collect();
            prop_assert_eq!(valid.len(), 1);
            prop_assert_eq!(valid[0], Uai::check_letter(&digits).unwrap());
        }
    }
}
