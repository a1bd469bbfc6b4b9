//! The profile a scheduled run applies: the collector's, else the last good copy kept in the
//! state directory (`profile.toml`), else the built-in one. Also the source of the schedule
//! for `--jitter`, `--if-due` and `ent-agent schedule`.

use std::fmt;

use readiness::Profile;

use super::{StateDir, durable};
use crate::client::FetchError;

pub const FILE: &str = "profile.toml";

/// Where the profile in use came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Collector,
    /// The copy kept from an earlier run, with its date.
    Cached {
        saved_at: Option<jiff::Timestamp>,
    },
    BuiltIn,
    /// `--profile FILE` on the command line.
    Local,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Collector => f.write_str("from the collector"),
            Source::Cached {
                saved_at: Some(t), ..
            } => write!(f, "last copy received from the collector ({t:.0})"),
            Source::Cached { saved_at: None } => {
                f.write_str("last copy received from the collector")
            }
            Source::BuiltIn => f.write_str("built-in"),
            Source::Local => f.write_str("local file"),
        }
    }
}

/// The profile chosen, and why not a better one (for stderr and the logs).
#[derive(Debug, Clone)]
pub struct Chosen {
    pub profile: Profile,
    pub source: Source,
    pub warning: Option<String>,
}

/// Validate the collector's profile text and keep it as the last good copy.
pub fn store(state: &StateDir, toml: &str) -> anyhow::Result<Profile> {
    let profile = Profile::from_toml_str(toml, "the collector's profile")?;
    durable::write(&state.path, FILE, toml.as_bytes())?;
    Ok(profile)
}

/// The last good copy, else the built-in profile. `Err` text when a copy exists but is
/// unreadable (it is then ignored).
pub fn last_known(state: &StateDir) -> Chosen {
    let path = state.path.join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Chosen {
                profile: Profile::default_profile(),
                source: Source::BuiltIn,
                warning: None,
            };
        }
        Err(e) => {
            return Chosen {
                profile: Profile::default_profile(),
                source: Source::BuiltIn,
                warning: Some(format!("cannot read {}: {e}", path.display())),
            };
        }
    };
    match Profile::from_toml_str(&text, &path.display().to_string()) {
        Ok(profile) => Chosen {
            profile,
            source: Source::Cached {
                saved_at: std::fs::metadata(&path)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| jiff::Timestamp::try_from(t).ok()),
            },
            warning: None,
        },
        Err(e) => Chosen {
            profile: Profile::default_profile(),
            source: Source::BuiltIn,
            warning: Some(format!("ignoring the kept profile: {e}")),
        },
    }
}

/// Choose from what the collector answered: its profile when valid (kept for next time),
/// else the last known one, saying why.
pub fn choose(state: &StateDir, fetched: Result<String, FetchError>) -> Chosen {
    let why = match fetched {
        Ok(toml) => match store(state, &toml) {
            Ok(profile) => {
                return Chosen {
                    profile,
                    source: Source::Collector,
                    warning: None,
                };
            }
            Err(e) => format!("the collector sent an invalid profile ({e:#})"),
        },
        Err(e) => format!("cannot fetch the profile: {e}"),
    };
    let mut fallback = last_known(state);
    let using = match &fallback.source {
        Source::Cached { .. } => "using the last copy received",
        _ => "using the built-in profile",
    };
    fallback.warning = Some(match fallback.warning {
        Some(w) => format!("{why}; {w}; {using}"),
        None => format!("{why}; {using}"),
    });
    fallback
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom_profile() -> String {
        readiness::profile::DEFAULT_PROFILE_TOML
            .replacen("name = \"fr-primaire\"", "name = \"dep-test\"", 1)
            .replacen("interval_hours = 168", "interval_hours = 24", 1)
    }

    #[test]
    fn fallback_order_collector_then_copy_then_builtin() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir::resolve(Some(dir.path())).unwrap();
        assert!(custom_profile().contains("dep-test"));

        // Nothing kept, collector down: built-in.
        let c = choose(&state, Err(FetchError::Unreachable("refused".into())));
        assert_eq!(c.source, Source::BuiltIn);
        assert_eq!(c.profile.name, "fr-primaire");
        assert!(c.warning.unwrap().contains("built-in"));

        // Collector answers: used and kept.
        let c = choose(&state, Ok(custom_profile()));
        assert_eq!(
            (c.source, c.profile.name.as_str()),
            (Source::Collector, "dep-test")
        );
        assert!(c.warning.is_none());
        assert_eq!(c.profile.schedule.interval_hours, 24);

        // Collector down: the copy.
        let c = choose(&state, Err(FetchError::Unreachable("timeout".into())));
        assert!(matches!(c.source, Source::Cached { saved_at: Some(_) }));
        assert_eq!(c.profile.name, "dep-test");
        let w = c.warning.unwrap();
        assert!(w.contains("timeout") && w.contains("last copy"), "{w}");

        // Collector sends garbage: the copy stays, and is not overwritten.
        let c = choose(&state, Ok("name = 3".into()));
        assert_eq!(c.profile.name, "dep-test");
        assert!(c.warning.unwrap().contains("invalid profile"));
        assert_eq!(last_known(&state).profile.name, "dep-test");
    }

    #[test]
    fn corrupt_copy_falls_back_to_builtin_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), "[[[").unwrap();
        let state = StateDir::resolve(Some(dir.path())).unwrap();
        let c = last_known(&state);
        assert_eq!(c.source, Source::BuiltIn);
        assert!(c.warning.unwrap().contains(FILE));
    }
}
