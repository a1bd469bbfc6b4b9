//! Reading a profile from TOML: the error that names the file, the line and the key, and the
//! checks across sections (an endpoint name used twice).

use super::{DEFAULT_PROFILE_TOML, Profile};

/// A profile that could not be loaded: says which file, where, and what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct ProfileError {
    /// The file (or "built-in profile").
    pub origin: String,
    /// Line (1-based) of the problem, when known.
    pub line: Option<usize>,
    pub message: String,
}

/// The line of the key that `message` starts with, when `header` (1-based) is a section's
/// header line (not an array of tables) and that key is written in the section (before the
/// next header).
fn key_line(text: &str, header: usize, message: &str) -> Option<usize> {
    let mut lines = text.lines().enumerate().skip(header - 1);
    let (_, first) = lines.next()?;
    // An array of tables (`[[network.endpoints]]`) is pointed at by its first entry, which
    // need not be the one at fault.
    let first = first.trim_start();
    if !first.starts_with('[') || first.starts_with("[[") {
        return None;
    }
    let key: &str = message
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .filter(|k| !k.is_empty())?;
    lines
        .take_while(|(_, l)| !l.trim_start().starts_with('['))
        .find(|(_, l)| {
            l.split_once('=')
                .is_some_and(|(k, _)| k.trim().trim_matches('"') == key)
        })
        .map(|(i, _)| i + 1)
}

impl Profile {
    /// The built-in French primary-school profile.
    pub fn default_profile() -> Profile {
        // The embedded file is checked by a unit test, so this cannot fail at run time.
        Profile::from_toml_str(DEFAULT_PROFILE_TOML, "built-in profile")
            .unwrap_or_else(|e| panic!("the built-in profile is invalid: {e}"))
    }

    /// Parse a profile. `origin` names the source in errors (a file path).
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Profile, ProfileError> {
        let profile: Profile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            let key = line
                .and_then(|l| text.lines().nth(l - 1))
                .map(str::trim)
                .and_then(|l| {
                    if let Some(header) = l.strip_prefix('[') {
                        Some(header.trim_end_matches(']').trim_matches('[').to_owned())
                    } else {
                        l.split_once('=').map(|(k, _)| k.trim().to_owned())
                    }
                })
                .filter(|k| !k.is_empty())
                // A field missing from the whole document is not the first line's key's.
                .filter(|_| {
                    !(e.span().is_some_and(|s| s.start == 0)
                        && e.message().starts_with("missing field"))
                });
            let message = e.message().trim().to_owned();
            // A section's own check names its key first ("interval_hours must be ..."), but
            // the parser can only point at the section: point at that key's line.
            let line = line.map(|l| key_line(text, l, &message).unwrap_or(l));
            ProfileError {
                origin: match line {
                    Some(l) => format!("{origin}:{l}"),
                    None => origin.to_owned(),
                },
                line,
                message: match key {
                    Some(k) => format!("`{k}`: {message}"),
                    None => message,
                },
            }
        })?;
        let mut names = std::collections::BTreeSet::new();
        for ep in &profile.network.endpoints {
            if !names.insert(ep.name.as_str()) {
                // The second `name = "..."` of that name, else the first endpoint.
                let line = text
                    .lines()
                    .enumerate()
                    .filter(|(_, l)| {
                        let l: String = l.chars().filter(|c| !c.is_whitespace()).collect();
                        l == format!("name={:?}", ep.name)
                    })
                    .nth(1)
                    .or_else(|| {
                        text.lines()
                            .enumerate()
                            .find(|(_, l)| l.trim_start().starts_with("[[network.endpoints]]"))
                    })
                    .map_or(1, |(i, _)| i + 1);
                return Err(ProfileError {
                    origin: format!("{origin}:{line}"),
                    line: Some(line),
                    message: format!("network.endpoints: the name {:?} is used twice", ep.name),
                });
            }
        }
        Ok(profile)
    }
}
