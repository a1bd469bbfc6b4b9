//! `ent-agent enroll`: check the school's token against the collector, keep its profile,
//! and save the enrolment ([`crate::state::enrollment`]) privately.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use readiness::Uai;

use crate::cli::{Cli, EnrollArgs, validate_label};
use crate::client::{self, Collector, FetchError};
use crate::exit;
use crate::state::enrollment::{CA_FILE, Enrollment, Token, VERSION};
use crate::state::spool::{DEFAULT_MAX_BYTES, DEFAULT_MAX_REPORTS, SpoolLimits};
use crate::state::{StateDir, durable, profile_cache};

/// Build the enrolment from the command line (no I/O).
pub fn from_args(args: &EnrollArgs) -> Result<Enrollment> {
    let url = client::parse_base_url(&args.collector)?;
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
            client::parse_ca(&pem).with_context(|| format!("--ca-file {}", p.display()))?;
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
        let collector = Collector::new(
            &enrollment.collector,
            enrollment.token.expose(),
            ca.as_deref(),
        )?;
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
        || enrollment.spool.max_reports != DEFAULT_MAX_REPORTS
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
    use crate::state::enrollment::{EnrollmentError, FILE};
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
