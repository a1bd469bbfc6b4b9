//! What a read token may see: the whole collector, one département, one circonscription, or
//! a list of schools (a mairie's). Written and parsed as one short text, the same on the
//! command line (`token create --read --scope ...`) and in the database (`tokens.read_scope`,
//! migration 0007), so that what is stored is what the admin typed, checked the same way.
//!
//! | text | sees |
//! |---|---|
//! | `all` | every school (the read tokens made before scopes) |
//! | `departement:069` | the schools of the département (also `69`, `2A`, `971`) |
//! | `circonscription:0690900D` | the schools of the circonscription, by its directory code |
//! | `ecoles:0690101K,0690102L` | those schools (also `schools:`), at most [`MAX_SCHOOLS`] |

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use readiness::Uai;

/// The most schools a list scope may name (a large commune has a few hundred).
pub const MAX_SCHOOLS: usize = 1000;
/// The longest circonscription code: the directory's are codes like `0690900D`, or, when it
/// has none, `commune:NAME` or the circonscription's name in capitals.
pub const MAX_CODE_CHARS: usize = 100;

/// What a read token may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadScope {
    /// Every school.
    All,
    /// The schools of one département, by its three-character code as the directory writes
    /// it (`069`, `02A`, `971`).
    Departement(String),
    /// The schools of one circonscription, by its code as the directory has it.
    Circonscription(String),
    /// These schools (not empty, at most [`MAX_SCHOOLS`]).
    Schools(BTreeSet<Uai>),
}

/// Why a scope's text is refused; the message says what is expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid read scope {input:?}: {reason}")]
pub struct ReadScopeError {
    input: String,
    reason: String,
}

/// The syntax, for error messages and `--help`.
pub const SYNTAX: &str = "all, departement:CODE (069, 2A, 971), circonscription:CODE (as in the directory) or ecoles:UAI,UAI,...";

impl ReadScope {
    /// Whether a school of this UAI, département and circonscription code is in the scope.
    pub fn covers(&self, uai: &Uai, departement: &str, circonscription: &str) -> bool {
        match self {
            ReadScope::All => true,
            ReadScope::Departement(code) => same_departement(code, departement),
            ReadScope::Circonscription(code) => code == circonscription,
            ReadScope::Schools(set) => set.contains(uai),
        }
    }

    pub fn is_all(&self) -> bool {
        matches!(self, ReadScope::All)
    }
}

/// A département code of the scope (three characters) against a school's, which a
/// directory may write on two (`69`, `2A`).
fn same_departement(scope: &str, school: &str) -> bool {
    scope == school || (school.len() == 2 && scope.strip_prefix('0') == Some(school))
}

/// A département code, normalised to three characters: `69` and `069` are `069`, `2a` is
/// `02A`, `971` stays. Métropole `01`-`95` and `2A`/`2B`, outre-mer `971`-`989`.
fn departement_code(raw: &str) -> Option<String> {
    let code = raw.to_ascii_uppercase();
    let code = match code.len() {
        2 => format!("0{code}"),
        3 => code,
        _ => return None,
    };
    let b = code.as_bytes();
    let valid = match (b[0], b[1], b[2]) {
        (b'0', b'2', b'A' | b'B') => true,
        (b'0', t, u) if t.is_ascii_digit() && u.is_ascii_digit() => {
            let n = (t - b'0') * 10 + (u - b'0');
            (1..=95).contains(&n) && n != 20
        }
        (b'9', b'7' | b'8', u) if u.is_ascii_digit() => true,
        _ => false,
    };
    valid.then_some(code)
}

impl FromStr for ReadScope {
    type Err = ReadScopeError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let refuse = |reason: String| ReadScopeError {
            input: input.chars().take(80).collect(),
            reason,
        };
        let s = input.trim();
        if s == "all" {
            return Ok(ReadScope::All);
        }
        let Some((kind, value)) = s.split_once(':') else {
            return Err(refuse(format!("expected {SYNTAX}")));
        };
        match kind {
            "departement" | "département" => departement_code(value.trim())
                .map(ReadScope::Departement)
                .ok_or_else(|| {
                    refuse("a département code is 01 to 95, 2A, 2B or 971 to 989".into())
                }),
            "circonscription" => {
                let code = value.trim();
                if code.is_empty()
                    || code.chars().count() > MAX_CODE_CHARS
                    || code.chars().any(char::is_control)
                {
                    return Err(refuse(format!(
                        "a circonscription code is 1 to {MAX_CODE_CHARS} printable characters, as in the directory (code_circonscription)"
                    )));
                }
                Ok(ReadScope::Circonscription(code.to_owned()))
            }
            "ecoles" | "écoles" | "schools" => {
                let mut set = BTreeSet::new();
                for part in value.split(',') {
                    let part = part.trim();
                    if part.is_empty() {
                        continue;
                    }
                    if set.len() == MAX_SCHOOLS {
                        return Err(refuse(format!("at most {MAX_SCHOOLS} schools")));
                    }
                    let uai: Uai = part.parse().map_err(|e: readiness::UaiError| {
                        refuse(e.to_string().chars().take(200).collect())
                    })?;
                    set.insert(uai);
                }
                if set.is_empty() {
                    return Err(refuse("name at least one school's UAI".into()));
                }
                Ok(ReadScope::Schools(set))
            }
            _ => Err(refuse(format!("expected {SYNTAX}"))),
        }
    }
}

impl fmt::Display for ReadScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadScope::All => f.write_str("all"),
            ReadScope::Departement(c) => write!(f, "departement:{c}"),
            ReadScope::Circonscription(c) => write!(f, "circonscription:{c}"),
            ReadScope::Schools(set) => {
                f.write_str("ecoles:")?;
                for (i, u) in set.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    f.write_str(u.as_str())?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<ReadScope, ReadScopeError> {
        s.parse()
    }

    #[test]
    fn scopes_parse_normalise_and_round_trip() {
        for (text, shown) in [
            ("all", "all"),
            ("departement:069", "departement:069"),
            ("departement:69", "departement:069"),
            ("département:2a", "departement:02A"),
            ("departement:971", "departement:971"),
            ("circonscription:0690900D", "circonscription:0690900D"),
            (
                "circonscription:commune:LYON",
                "circonscription:commune:LYON",
            ),
            (
                "ecoles:0690102L, 0690101K,0690101K",
                "ecoles:0690101K,0690102L",
            ),
            ("schools:0690101K", "ecoles:0690101K"),
        ] {
            let scope = p(text).unwrap();
            assert_eq!(scope.to_string(), shown, "{text}");
            assert_eq!(p(shown).unwrap(), scope, "{shown}");
        }
    }

    #[test]
    fn bad_scopes_are_refused_with_the_reason() {
        for bad in [
            "",
            "everything",
            "read",
            "departement:",
            "departement:6",
            "departement:0690",
            "departement:00",
            "departement:2C",
            "departement:975x",
            "departement:999",
            "departement:096",
            "departement:20",
            "circonscription:",
            "circonscription:a\u{7}b",
            "ecoles:",
            "ecoles:,,",
            "ecoles:0690101A",
            "ecoles:0690101K;0690102L",
            "region:84",
        ] {
            assert!(p(bad).is_err(), "{bad:?} was accepted");
        }
        let long = format!("circonscription:{}", "x".repeat(MAX_CODE_CHARS + 1));
        assert!(p(&long).is_err());
        let e = p("ecoles:0690101A").unwrap_err().to_string();
        assert!(e.contains("check letter"), "{e}");
    }

    #[test]
    fn a_list_is_bounded() {
        let uai = |n: u32| {
            let d = format!("{:07}", 690_000 + n);
            format!("{d}{}", Uai::check_letter(&d).unwrap())
        };
        let list = |n: u32| format!("ecoles:{}", (0..n).map(uai).collect::<Vec<_>>().join(","));
        let max = u32::try_from(MAX_SCHOOLS).unwrap();
        assert!(matches!(p(&list(max)).unwrap(), ReadScope::Schools(s) if s.len() == MAX_SCHOOLS));
        let e = p(&list(max + 1)).unwrap_err().to_string();
        assert!(e.contains("at most 1000"), "{e}");
        assert!(
            e.len() < 400,
            "the error quotes a bounded part: {}",
            e.len()
        );
    }

    #[test]
    fn covers_its_schools_only() {
        let a: Uai = "0690101K".parse().unwrap();
        let dep = p("departement:069").unwrap();
        assert!(dep.covers(&a, "069", "X") && dep.covers(&a, "69", "X"));
        assert!(!dep.covers(&a, "075", "X") && !dep.covers(&a, "", "X"));
        let circ = p("circonscription:0690900D").unwrap();
        assert!(circ.covers(&a, "075", "0690900D") && !circ.covers(&a, "069", "0690901E"));
        let list = p("ecoles:0690102L").unwrap();
        assert!(!list.covers(&a, "069", "0690900D"));
        assert!(list.covers(&"0690102L".parse().unwrap(), "", ""));
        assert!(ReadScope::All.covers(&a, "", ""));
    }
}
