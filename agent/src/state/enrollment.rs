//! The enrolment: which collector this workstation reports to, for which school, with which
//! token; kept in `enrollment.json` in the state directory.
//!
//! The file holds the school's enrolment token, so it is written private to its owner (mode
//! 0600 on unix, through [`super::durable`]). On Windows the system state directory
//! (`%ProgramData%\ent-agent`) inherits read access for every user from `ProgramData`; the
//! enrolment command restricts it to SYSTEM and Administrators with `icacls` (`install.ps1`
//! does the same). The token is never printed, and `Debug` redacts it.

use std::fmt;
use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use readiness::Uai;
use serde::{Deserialize, Serialize};

use super::spool::SpoolLimits;
use super::{StateDir, durable};

/// The enrolment file in the state directory.
pub const FILE: &str = "enrollment.json";
/// Extra trusted roots for the collector, copied at enrolment (`--ca-file`).
pub const CA_FILE: &str = "collector-ca.pem";
/// Version of `enrollment.json`.
pub const VERSION: u32 = 1;
const MAX_TOKEN: usize = 512;

/// A secret: printed as `<redacted>` by `Debug` and `Display`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Token(String);

impl Token {
    pub fn parse(s: &str) -> Result<Token> {
        let t = s.trim();
        if t.is_empty() {
            bail!("--token is empty");
        }
        if t.len() > MAX_TOKEN {
            bail!("--token is too long (at most {MAX_TOKEN} characters)");
        }
        if !t.chars().all(|c| c.is_ascii_graphic()) {
            bail!("--token must be printable ASCII without spaces");
        }
        Ok(Token(t.to_owned()))
    }

    /// The secret itself, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// `enrollment.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enrollment {
    pub version: u32,
    /// Base URL of the collector (ends with `/`).
    pub collector: String,
    pub school: Uai,
    /// Default label of this workstation in its reports.
    #[serde(default)]
    pub label: Option<String>,
    pub token: Token,
    pub enrolled_at: jiff::Timestamp,
    #[serde(default)]
    pub spool: SpoolLimits,
}

#[derive(Debug, thiserror::Error)]
pub enum EnrollmentError {
    #[error(
        "this workstation is not enrolled ({path} not found): run `ent-agent enroll --collector URL --school UAI --token TOKEN` first"
    )]
    NotEnrolled { path: PathBuf },
    #[error("cannot read the enrolment {path}: {message}; enrol again with `ent-agent enroll`")]
    Unreadable { path: PathBuf, message: String },
}

impl Enrollment {
    pub fn load(state: &StateDir) -> Result<Enrollment, EnrollmentError> {
        let path = state.path.join(FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(EnrollmentError::NotEnrolled { path });
            }
            Err(e) => {
                return Err(EnrollmentError::Unreadable {
                    path,
                    message: e.to_string(),
                });
            }
        };
        let e: Enrollment =
            serde_json::from_str(&text).map_err(|e| EnrollmentError::Unreadable {
                path: path.clone(),
                message: e.to_string(),
            })?;
        if e.version != VERSION {
            return Err(EnrollmentError::Unreadable {
                path,
                message: format!("unknown version {}", e.version),
            });
        }
        Ok(e)
    }

    pub fn save(&self, state: &StateDir) -> Result<PathBuf> {
        let bytes = serde_json::to_vec_pretty(self).context("cannot serialise the enrolment")?;
        durable::write(&state.path, FILE, &bytes)
            .with_context(|| format!("cannot write {}", state.path.join(FILE).display()))
    }

    /// The private CA kept at enrolment, if any.
    pub fn ca_pem(state: &StateDir) -> Result<Option<Vec<u8>>> {
        let p = state.path.join(CA_FILE);
        match std::fs::read(&p) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(anyhow!("cannot read {}: {e}", p.display())),
        }
    }
}
