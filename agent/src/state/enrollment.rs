//! The enrolment: which collector this workstation reports to, for which school, with which
//! credential; kept in `enrollment.json` in the state directory.
//!
//! `ent-agent enroll` exchanges the school's token for this workstation's own credential
//! (`POST /api/v1/enrolments`) and keeps only the credential and the deployment's secret
//! host-name salt, never the school token. Two cases still hold a school token, until the
//! next `run` (or `enroll`) exchanges it and rewrites the file without it: a file written by
//! an older agent (version 1), and an offline enrolment (`--no-check`, or the collector
//! unreachable at enrolment).
//!
//! The file holds a secret, so it is written private to its owner (mode 0600 on unix,
//! through [`super::durable`]). On Windows the system state directory
//! (`%ProgramData%\ent-agent`) inherits read access for every user from `ProgramData`; the
//! enrolment command restricts it to SYSTEM and Administrators with `icacls` (`install.ps1`
//! does the same). Secrets are never printed, and `Debug` redacts them.

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
/// Version of `enrollment.json`: 2 holds a workstation credential; 1 (older agents) the
/// school's token, read and exchanged.
pub const VERSION: u32 = 2;
const MAX_TOKEN: usize = 512;

/// A secret: printed as `<redacted>` by `Debug` and `Display`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Token(String);

impl Token {
    pub fn parse(s: &str) -> Result<Token> {
        Self::checked(s, "--token")
    }

    /// A secret named `what` in the errors: printable ASCII, at most 512 characters.
    pub fn checked(s: &str, what: &str) -> Result<Token> {
        let t = s.trim();
        if t.is_empty() {
            bail!("{what} is empty");
        }
        if t.len() > MAX_TOKEN {
            bail!("{what} is too long (at most {MAX_TOKEN} characters)");
        }
        if !t.chars().all(|c| c.is_ascii_graphic()) {
            bail!("{what} must be printable ASCII without spaces");
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
    /// This workstation's credential, from the enrolment exchange.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<Token>,
    /// The deployment's secret salt for hashed host names, given with the credential; it
    /// replaces the profile's public one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname_salt: Option<Token>,
    /// The school's token, only while it waits to be exchanged for a credential (a file of
    /// an older agent, an offline enrolment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Token>,
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
        if !(1..=VERSION).contains(&e.version) {
            return Err(EnrollmentError::Unreadable {
                path,
                message: format!("unknown version {}", e.version),
            });
        }
        if e.credential.is_none() && e.token.is_none() {
            return Err(EnrollmentError::Unreadable {
                path,
                message: "it holds neither a credential nor a token".into(),
            });
        }
        Ok(e)
    }

    /// The secret the agent authenticates with: its credential, else the school token still
    /// waiting to be exchanged.
    pub fn secret(&self) -> &Token {
        match (&self.credential, &self.token) {
            (Some(c), _) => c,
            (None, Some(t)) => t,
            // `load` refuses a file with neither; built in code, an enrolment has one.
            (None, None) => {
                static NONE: std::sync::OnceLock<Token> = std::sync::OnceLock::new();
                NONE.get_or_init(|| Token(String::new()))
            }
        }
    }

    /// The school token is still here, waiting to be exchanged.
    pub fn needs_exchange(&self) -> bool {
        self.credential.is_none() && self.token.is_some()
    }

    /// Keep the credential and salt of an enrolment exchange, and drop the school token.
    pub fn use_credential(&mut self, credential: Token, hostname_salt: Option<Token>) {
        self.version = VERSION;
        self.credential = Some(credential);
        self.hostname_salt = hostname_salt;
        self.token = None;
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
