//! `ent-agent enroll`: exchange the school's token for this workstation's credential
//! (`POST /api/v1/enrolments`), keep the collector's profile, and save the enrolment
//! ([`crate::state::enrollment`]) privately, with the credential and never the token.
//!
//! [`upgrade`] is the same exchange for an enrolment that still holds a school token (a file
//! of an older agent, an offline enrolment): `run` calls it first, and rewrites the file
//! without the token once the collector answered.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use readiness::Uai;

use crate::cli::{Cli, EnrollArgs, validate_label};
use crate::client::enrol::EnrolError;
use crate::client::{self, Collector, FetchError};
use crate::exit;
use crate::state::enrollment::{CA_FILE, Enrollment, Token, VERSION};
use crate::state::spool::{DEFAULT_MAX_BYTES, DEFAULT_MAX_REPORTS, SpoolLimits};
use crate::state::{StateDir, durable, profile_cache};

/// Build the enrolment from the command line (the only I/O: reading `--token-file`).
pub fn from_args(args: &EnrollArgs) -> Result<Enrollment> {
    let url = client::parse_base_url(&args.collector)?;
    let school: Uai = args.school.parse().map_err(|e| anyhow!("--school: {e}"))?;
    let token = match (&args.token_file, &args.token) {
        (Some(path), _) => token_from_file(path)?,
        (None, Some(token)) => Token::parse(token)?,
        (None, None) => bail!(
            "the school's token is needed: --token-file FILE, --token TOKEN or ENT_AGENT_TOKEN"
        ),
    };
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
        credential: None,
        hostname_salt: None,
        token: Some(token),
        enrolled_at: jiff::Timestamp::now(),
        spool: SpoolLimits {
            max_reports: args.spool_max_reports,
            max_bytes: (args.spool_max_mib * 1024.0 * 1024.0) as u64,
        },
    })
}

/// Most bytes read from a `--token-file`: a token is at most 512 characters, the rest is
/// room for blank lines and a byte-order mark.
const MAX_TOKEN_FILE: u64 = 4096;

/// The school's token from `path`: UTF-8 (a byte-order mark, as Notepad writes, is
/// skipped), blanks and line ends around it ignored, the file at most [`MAX_TOKEN_FILE`]
/// bytes. On Unix, a file that other users can read is used, with a warning: USB keys
/// (FAT) and shares often show every file so, and the token only enrols workstations of its
/// school, within the school's cap.
pub fn token_from_file(path: &Path) -> Result<Token> {
    use std::io::Read;
    let what = format!("--token-file {}", path.display());
    let file = std::fs::File::open(path).with_context(|| format!("{what}: cannot open it"))?;
    let meta = file
        .metadata()
        .with_context(|| format!("{what}: cannot read it"))?;
    if !meta.is_file() {
        bail!("{what}: not a file");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o044 != 0 {
            eprintln!(
                "ent-agent: warning: {what} can be read by other users of this computer; keep the school's token where only its administrators can read it"
            );
        }
    }
    let mut bytes = Vec::new();
    file.take(MAX_TOKEN_FILE + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("{what}: cannot read it"))?;
    if bytes.len() as u64 > MAX_TOKEN_FILE {
        bail!("{what}: larger than {MAX_TOKEN_FILE} bytes, not a token file");
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| anyhow!("{what}: not UTF-8 text"))?;
    Token::checked(text.trim_start_matches('\u{feff}'), &what)
}

/// How long an enrolment waits for a collector that asks to retry (429: many workstations of
/// the school enrolling at once).
const ENROL_BUDGET: Duration = Duration::from_secs(120);

/// The exchange: this workstation's credential for the school token of `enrollment`,
/// retried while the collector asks to wait, within `budget`. On success the enrolment holds
/// the credential and the salt, and no token (not saved yet).
pub async fn exchange(
    enrollment: &mut Enrollment,
    workstation_id: uuid::Uuid,
    ca: Option<&[u8]>,
    budget: Duration,
) -> Result<(), EnrolError> {
    let Some(token) = enrollment.token.clone() else {
        return Ok(());
    };
    let collector = Collector::new(&enrollment.collector, token.expose(), ca)
        .map_err(|e| EnrolError::Invalid(e.to_string()))?;
    let deadline = tokio::time::Instant::now() + budget;
    let answer = loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match collector
            .enrol(workstation_id, enrollment.label.as_deref(), left)
            .await
        {
            Err(EnrolError::Busy {
                message,
                retry_after,
            }) => {
                let wait = retry_after
                    .unwrap_or(Duration::from_secs(5))
                    .clamp(Duration::from_secs(1), Duration::from_secs(60));
                if tokio::time::Instant::now() + wait >= deadline {
                    return Err(EnrolError::Busy {
                        message,
                        retry_after,
                    });
                }
                tracing::info!(?wait, %message, "enrolment: the collector asks to wait");
                tokio::time::sleep(wait).await;
            }
            other => break other?,
        }
    };
    if answer.school != enrollment.school.as_str() && !answer.school.is_empty() {
        return Err(EnrolError::Refused(client::Rejection {
            status: None,
            code: "wrong_school".into(),
            message: format!(
                "this token is school {}'s, not {}'s",
                answer.school, enrollment.school
            ),
        }));
    }
    let credential = Token::checked(&answer.credential, "the collector's credential")
        .map_err(|e| EnrolError::Invalid(e.to_string()))?;
    let salt = Token::checked(&answer.hostname_salt, "the collector's host-name salt").ok();
    enrollment.use_credential(credential, salt);
    Ok(())
}

/// An enrolment still holding the school's token: exchange it for this workstation's
/// credential now, and rewrite the file without the token. When the collector cannot be
/// reached, the token is kept for this run and the next one tries again.
pub fn upgrade(state: &StateDir, enrollment: &mut Enrollment) {
    if !enrollment.needs_exchange() {
        return;
    }
    let done = (|| -> Result<()> {
        let (workstation_id, _) =
            crate::state::workstation_id(state, &crate::state::Fingerprint::current())?;
        let ca = Enrollment::ca_pem(state)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        runtime.block_on(exchange(
            enrollment,
            workstation_id,
            ca.as_deref(),
            Duration::from_secs(15),
        ))?;
        enrollment.save(state)?;
        Ok(())
    })();
    match done {
        Ok(()) => eprintln!(
            "ent-agent: the school token was exchanged for this workstation's own credential; {} no longer holds the token",
            state.path.join(crate::state::enrollment::FILE).display()
        ),
        Err(e) => eprintln!(
            "ent-agent: warning: could not exchange the school token for a workstation credential ({e:#}); using the token for this run"
        ),
    }
}

/// `ent-agent enroll`.
pub fn run(cli: &Cli, args: &EnrollArgs) -> Result<u8> {
    let mut enrollment = from_args(args)?;
    let ca = match &args.ca_file {
        Some(p) => {
            let pem = std::fs::read(p).with_context(|| format!("--ca-file {}", p.display()))?;
            client::parse_ca(&pem).with_context(|| format!("--ca-file {}", p.display()))?;
            Some(pem)
        }
        None => None,
    };
    let state = super::installed_state_dir(cli, "enroll")?;
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
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        let (workstation_id, _) =
            crate::state::workstation_id(&state, &crate::state::Fingerprint::current())?;
        let exchanged = runtime.block_on(exchange(
            &mut enrollment,
            workstation_id,
            ca.as_deref(),
            ENROL_BUDGET,
        ));
        match exchanged {
            Ok(()) => println!(
                "Workstation {workstation_id} enrolled: it has its own credential; the school token is not kept."
            ),
            // An older collector, without credentials: the token is what it knows.
            Err(EnrolError::Refused(r)) if matches!(r.status, Some(404 | 405)) => eprintln!(
                "ent-agent: warning: the collector {} does not issue workstation credentials (an older version); the school token is kept instead",
                enrollment.collector
            ),
            Err(EnrolError::Refused(r)) => return Ok(token_refused(&enrollment, &r)),
            Err(e) => eprintln!(
                "ent-agent: warning: could not exchange the token for a workstation credential ({e}); the token is kept until the next `ent-agent run` exchanges it"
            ),
        }
        let collector = Collector::new(
            &enrollment.collector,
            enrollment.secret().expose(),
            ca.as_deref(),
        )?;
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
            Err(FetchError::Refused(r)) => return Ok(token_refused(&enrollment, &r)),
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
        "Enrolled: school {} reports to {} (configuration in {}; the {} is readable only by {}).",
        enrollment.school,
        enrollment.collector,
        path.display(),
        if enrollment.needs_exchange() {
            "token"
        } else {
            "credential"
        },
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
/// The collector refused the token (at the credential exchange or the profile check): say so
/// and give the exit code; nothing is saved.
fn token_refused(enrollment: &Enrollment, r: &client::Rejection) -> u8 {
    eprintln!(
        "ent-agent: error: the collector {} refused this token for school {} ({} {}: {}); nothing saved. Check the token, or use --no-check to enrol offline.",
        enrollment.collector,
        enrollment.school,
        r.status.unwrap_or(0),
        r.code,
        r.message
    );
    exit::USAGE
}

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
            "ent-agent: warning: could not restrict {} to SYSTEM and Administrators (icacls); do it by hand, it holds the workstation's credential",
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
        let token = e.token.as_ref().unwrap();
        assert!(!format!("{token}").contains("s3cr3t"));
        assert_eq!(token.expose(), "s3cr3t-T0KEN");
        assert_eq!(e.secret().expose(), "s3cr3t-T0KEN");
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
        // After the exchange: the credential and salt, and no token, in the file.
        let mut e = e;
        e.use_credential(
            Token::parse("entw_c0ffee").unwrap(),
            Some(Token::parse("5a17").unwrap()),
        );
        e.save(&state).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("s3cr3t") && text.contains("entw_c0ffee"),
            "{text}"
        );
        let loaded = Enrollment::load(&state).unwrap();
        assert_eq!(loaded.secret().expose(), "entw_c0ffee");
        assert!(!loaded.needs_exchange());
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
    fn a_file_of_an_older_agent_holding_the_school_token_waits_for_the_exchange() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir::resolve(Some(dir.path())).unwrap();
        std::fs::write(
            dir.path().join(FILE),
            r#"{"version": 1, "collector": "https://c.example.fr/", "school": "0751234J",
                "label": null, "token": "ents_0ld", "enrolled_at": "2026-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        let e = Enrollment::load(&state).unwrap();
        assert!(e.needs_exchange());
        assert_eq!(e.secret().expose(), "ents_0ld");
        // Neither a token nor a credential: unreadable, enrol again.
        std::fs::write(
            dir.path().join(FILE),
            r#"{"version": 2, "collector": "https://c.example.fr/", "school": "0751234J",
                "enrolled_at": "2026-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert!(Enrollment::load(&state).is_err());
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
            a.token = Some(token.into());
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

    #[test]
    fn token_file_is_read_trimmed_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, bytes: &[u8]| {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            path
        };
        let read = |path: &Path| token_from_file(path).map(|t| t.expose().to_owned());
        let windows = file("win.token", "\u{feff}ents_abc\r\n\r\n".as_bytes());
        assert_eq!(read(&windows).unwrap(), "ents_abc");
        let err = |path: &Path| format!("{:#}", read(path).unwrap_err());
        let empty = file("empty.token", b" \n");
        assert!(err(&empty).contains("is empty"), "{}", err(&empty));
        let big = file("big.token", &vec![b'a'; 5000]);
        assert!(err(&big).contains("larger than 4096"), "{}", err(&big));
        let two = file("two.token", b"ents_a ents_b\n");
        assert!(err(&two).contains("printable ASCII"), "{}", err(&two));
        let binary = file("bin.token", &[0xff, 0xfe, 0x00]);
        assert!(err(&binary).contains("not UTF-8"), "{}", err(&binary));
        assert!(
            err(dir.path()).contains("not a file"),
            "{}",
            err(dir.path())
        );
        let missing = dir.path().join("missing.token");
        assert!(err(&missing).contains("cannot open"), "{}", err(&missing));
        let mut a = args(&[]);
        a.token = None;
        a.token_file = Some(windows.clone());
        assert_eq!(from_args(&a).unwrap().secret().expose(), "ents_abc");
        // The file wins over --token (and ENT_AGENT_TOKEN, which clap reads into it).
        a.token = Some("ents_other".into());
        assert_eq!(from_args(&a).unwrap().secret().expose(), "ents_abc");
    }
}
