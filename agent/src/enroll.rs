//! Enrolment: which collector this workstation reports to, for which school, with which
//! token; kept in `enrollment.json` in the state directory.
//!
//! The file holds the school's enrolment token, so it is written private to its owner (mode
//! 0600 on unix, through [`crate::durable`]). On Windows the system state directory
//! (`%ProgramData%\ent-agent`) inherits read access for every user from `ProgramData`; the
//! enrolment restricts it to SYSTEM and Administrators with `icacls` (`install.ps1` does the
//! same). The token is never printed, and `Debug` redacts it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use readiness::Uai;
use serde::{Deserialize, Serialize};

use crate::cli::{Cli, EnrollArgs};
use crate::spool::{DEFAULT_MAX_BYTES, SpoolLimits};
use crate::state::StateDir;
use crate::submit::{self, Collector, FetchError};
use crate::{durable, exit, profile_cache};

pub const FILE: &str = "enrollment.json";
/// Extra trusted roots for the collector, copied at enrolment (`--ca-file`).
pub const CA_FILE: &str = "collector-ca.pem";
const VERSION: u32 = 1;
const MAX_TOKEN: usize = 512;
const MAX_LABEL: usize = 100;

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

fn validate_label(label: Option<&str>) -> Result<Option<String>> {
    let Some(l) = label.map(str::trim).filter(|l| !l.is_empty()) else {
        return Ok(None);
    };
    if l.chars().count() > MAX_LABEL || l.chars().any(char::is_control) {
        bail!("--label: at most {MAX_LABEL} characters, no control characters");
    }
    Ok(Some(l.to_owned()))
}

/// Build the enrolment from the command line (no I/O).
pub fn from_args(args: &EnrollArgs) -> Result<Enrollment> {
    let url = submit::parse_base_url(&args.collector)?;
    let school: Uai = args.school.parse().map_err(|e| anyhow!("--school: {e}"))?;
    let token = Token::parse(&args.token)?;
    if args.spool_max_reports == 0 {
        bail!("--spool-max-reports must be at least 1");
    }
    if !(args.spool_max_mib > 0.0 && args.spool_max_mib <= 10_240.0) {
        bail!("--spool-max-mib must be between 0 and 10240");
    }
    Ok(Enrollment {
        version: VERSION,
        collector: url.to_string(),
        school,
        label: validate_label(args.label.as_deref())?,
        token,
        enrolled_at: jiff::Timestamp::now(),
        spool: SpoolLimits {
            max_reports: args.spool_max_reports,
            max_bytes: (args.spool_max_mib * 1024.0 * 1024.0) as u64,
        },
    })
}

/// `ent-agent enroll`.
pub fn run(cli: &Cli, args: &EnrollArgs) -> Result<u8> {
    let enrollment = from_args(args)?;
    let ca = match &args.ca_file {
        Some(p) => {
            let pem = std::fs::read(p).with_context(|| format!("--ca-file {}", p.display()))?;
            submit::parse_ca(&pem).with_context(|| format!("--ca-file {}", p.display()))?;
            Some(pem)
        }
        None => None,
    };
    let state = StateDir::resolve(cli.state_dir.as_deref())?;
    let host_is_loopback = reqwest::Url::parse(&enrollment.collector)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .is_some_and(|h| {
            h == "localhost"
                || h.parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
                || h == "[::1]"
        });
    if enrollment.collector.starts_with("http://") && !host_is_loopback {
        eprintln!(
            "ent-agent: warning: {} is plain http: the token and reports cross the network unencrypted",
            enrollment.collector
        );
    }

    if !args.no_check {
        let collector = Collector::new(&enrollment, ca.as_deref())?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        let fetched = runtime.block_on(collector.fetch_profile(Duration::from_secs(15)));
        match fetched {
            Ok(remote) => match profile_cache::store(&state, &remote.toml) {
                Ok(p) => println!(
                    "Collector {} accepted the token; profile {:?}: re-audit every {} h, random delay up to {} min.",
                    enrollment.collector,
                    p.name,
                    p.schedule.interval_hours,
                    p.schedule.jitter_minutes
                ),
                Err(e) => eprintln!(
                    "ent-agent: warning: the collector accepted the token but its profile is invalid ({e:#}); the built-in profile will be used until it is fixed"
                ),
            },
            Err(FetchError::Refused(r)) => {
                eprintln!(
                    "ent-agent: error: the collector {} refused this token for school {} ({} {}: {}); nothing saved. Check the token, or use --no-check to enrol offline.",
                    enrollment.collector,
                    enrollment.school,
                    r.status.unwrap_or(0),
                    r.code,
                    r.message
                );
                return Ok(exit::USAGE);
            }
            Err(e) => eprintln!(
                "ent-agent: warning: could not check the token ({e}); enrolment saved anyway, reports will wait in the spool until the collector answers"
            ),
        }
    }

    if let Some(pem) = &ca {
        durable::write(&state.path, CA_FILE, pem)
            .with_context(|| format!("cannot write {}", state.path.join(CA_FILE).display()))?;
    } else {
        durable::remove(&state.path.join(CA_FILE)).ok();
    }
    let path = enrollment.save(&state)?;
    restrict_directory(&state.path);
    println!(
        "Enrolled: school {} reports to {} (configuration in {}; the token is readable only by {}).",
        enrollment.school,
        enrollment.collector,
        path.display(),
        if cfg!(windows) {
            "SYSTEM and Administrators"
        } else {
            "its owner"
        }
    );
    if enrollment.spool.max_bytes != DEFAULT_MAX_BYTES
        || enrollment.spool.max_reports != crate::spool::DEFAULT_MAX_REPORTS
    {
        println!(
            "Spool bounds: {} reports, {:.1} MiB.",
            enrollment.spool.max_reports,
            enrollment.spool.max_bytes as f64 / 1048576.0
        );
    }
    Ok(exit::READY)
}

/// On Windows, the system state directory inherits "Users: read" from ProgramData: restrict
/// it to SYSTEM (S-1-5-18) and Administrators (S-1-5-32-544). Elsewhere the file mode does.
fn restrict_directory(dir: &Path) {
    if !cfg!(windows) || crate::state::system_dir().as_deref() != Some(dir) {
        return;
    }
    let status = std::process::Command::new("icacls")
        .arg(dir)
        .args([
            "/inheritance:r",
            "/grant:r",
            "*S-1-5-18:(OI)(CI)F",
            "*S-1-5-32-544:(OI)(CI)F",
        ])
        .stdout(std::process::Stdio::null())
        .status();
    if !status.is_ok_and(|s| s.success()) {
        eprintln!(
            "ent-agent: warning: could not restrict {} to SYSTEM and Administrators (icacls); do it by hand, it holds the token",
            dir.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn args(extra: &[&str]) -> EnrollArgs {
        let mut argv = vec![
            "ent-agent",
            "enroll",
            "--collector",
            "https://collecteur.ac-exemple.fr",
            "--school",
            "0751234J",
            "--token",
            "s3cr3t-T0KEN",
        ];
        argv.extend_from_slice(extra);
        match Cli::parse_from(argv).command {
            crate::cli::Command::Enroll(a) => a,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn token_is_redacted_everywhere_but_the_wire() {
        let e = from_args(&args(&[])).unwrap();
        let debug = format!("{e:?}");
        assert!(!debug.contains("s3cr3t"), "{debug}");
        assert!(debug.contains("<redacted>"));
        assert!(!format!("{}", e.token).contains("s3cr3t"));
        assert_eq!(e.token.expose(), "s3cr3t-T0KEN");
    }

    #[test]
    fn enrolment_round_trips_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir::resolve(Some(dir.path())).unwrap();
        assert!(matches!(
            Enrollment::load(&state),
            Err(EnrollmentError::NotEnrolled { .. })
        ));
        let e = from_args(&args(&["--label", "salle 2", "--spool-max-reports", "7"])).unwrap();
        let path = e.save(&state).unwrap();
        assert_eq!(Enrollment::load(&state).unwrap(), e);
        assert_eq!(e.collector, "https://collecteur.ac-exemple.fr/");
        assert_eq!(e.spool.max_reports, 7);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "token file must be private");
        }
        let _ = path;
    }

    #[test]
    fn broken_enrolment_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir::resolve(Some(dir.path())).unwrap();
        std::fs::write(dir.path().join(FILE), b"{").unwrap();
        let err = Enrollment::load(&state).unwrap_err().to_string();
        assert!(err.contains(FILE) && err.contains("enroll"), "{err}");
    }

    #[test]
    fn bad_inputs_are_refused() {
        let bad = |extra: &[&str], school: &str, token: &str, url: &str| {
            let mut a = args(extra);
            a.school = school.into();
            a.token = token.into();
            a.collector = url.into();
            from_args(&a).map(|_| ()).unwrap_err().to_string()
        };
        let ok_url = "https://c.example.fr";
        assert!(bad(&[], "0751234A", "t", ok_url).contains("--school"));
        assert!(bad(&[], "0751234J", "", ok_url).contains("--token"));
        assert!(bad(&[], "0751234J", "a b", ok_url).contains("--token"));
        assert!(bad(&[], "0751234J", "t", "ftp://x").contains("https"));
        assert!(bad(&["--spool-max-reports", "0"], "0751234J", "t", ok_url).contains("spool"));
    }
}
